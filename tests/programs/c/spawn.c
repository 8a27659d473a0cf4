/* Thread creation at scale: spawn MODE N [STACK_KIB]
 *
 *   join   N   creates N threads one after the other, joining each before the next
 *   alive  N   creates N threads that all wait until the last one exists, then joins them
 *   detach N   creates N detached threads; each counts itself and exits, main waits for all
 *
 * Threads get STACK_KIB KiB stacks (default 64) so that many fit at once. Prints how many
 * threads ran and a checksum of what they computed; a failed pthread_create prints its
 * error and ends the program (status 2). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long started, finished, go;
static unsigned long long sum;

static void *joined(void *arg) {
    return (void *)((long)arg * 2 + 1);
}

static void *waiter(void *arg) {
    pthread_mutex_lock(&lock);
    started++;
    pthread_cond_broadcast(&cond);
    while (!go)
        pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    return (void *)((long)arg * 3);
}

static void *detached(void *arg) {
    pthread_mutex_lock(&lock);
    finished++;
    sum += (unsigned long)arg;
    if (finished == go)
        pthread_cond_signal(&cond);
    pthread_mutex_unlock(&lock);
    return NULL;
}

static void failed(const char *what, long i, int err) {
    printf("%s %ld: %s\n", what, i, err == EAGAIN ? "EAGAIN" : strerror(err));
    exit(2);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: spawn join|alive|detach N [STACK_KIB]\n");
        return 1;
    }
    const char *mode = argv[1];
    long n = atol(argv[2]);
    long kib = argc > 3 ? atol(argv[3]) : 64;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, (size_t)kib * 1024);
    if (strcmp(mode, "join") == 0) {
        for (long i = 0; i < n; i++) {
            pthread_t t;
            void *ret;
            int e = pthread_create(&t, &attr, joined, (void *)i);
            if (e)
                failed("pthread_create", i, e);
            pthread_join(t, &ret);
            sum += (unsigned long)ret;
        }
        printf("join %ld: sum %llu\n", n, sum);
    } else if (strcmp(mode, "alive") == 0) {
        pthread_t *t = calloc(n, sizeof *t);
        for (long i = 0; i < n; i++) {
            int e = pthread_create(&t[i], &attr, waiter, (void *)i);
            if (e)
                failed("pthread_create", i, e);
        }
        pthread_mutex_lock(&lock);
        while (started < n)
            pthread_cond_wait(&cond, &lock);
        printf("alive %ld: all started\n", started);
        go = 1;
        pthread_cond_broadcast(&cond);
        pthread_mutex_unlock(&lock);
        for (long i = 0; i < n; i++) {
            void *ret;
            pthread_join(t[i], &ret);
            sum += (unsigned long)ret;
        }
        printf("alive %ld: sum %llu\n", n, sum);
    } else if (strcmp(mode, "detach") == 0) {
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        go = n;
        for (long i = 0; i < n; i++) {
            pthread_t t;
            int e = pthread_create(&t, &attr, detached, (void *)i);
            if (e)
                failed("pthread_create", i, e);
        }
        pthread_mutex_lock(&lock);
        while (finished < n)
            pthread_cond_wait(&cond, &lock);
        pthread_mutex_unlock(&lock);
        printf("detach %ld: sum %llu\n", n, sum);
    } else {
        fprintf(stderr, "unknown mode %s\n", mode);
        return 1;
    }
    return 0;
}
