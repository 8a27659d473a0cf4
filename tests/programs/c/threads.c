/* pthreads: mutex, condition variable, thread-local storage, pthread_join, a barrier-like
 * hand-off. Prints only results that do not depend on the interleaving. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define NTHREADS 4
#define ITERS 20000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long counter;
static int ready;
static __thread uint64_t tls_sum;

struct job {
    int id;
    uint64_t result;
};

static void *worker(void *arg) {
    struct job *j = arg;
    /* Wait until the main thread says go. */
    pthread_mutex_lock(&lock);
    while (!ready)
        pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    for (int i = 0; i < ITERS; i++) {
        tls_sum += (uint64_t)(j->id + 1) * i;
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
    }
    j->result = tls_sum;
    return (void *)(intptr_t)(j->id * 10);
}

int main(void) {
    pthread_t t[NTHREADS];
    struct job jobs[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        jobs[i].id = i;
        if (pthread_create(&t[i], NULL, worker, &jobs[i]) != 0) {
            printf("pthread_create failed\n");
            return 1;
        }
    }
    pthread_mutex_lock(&lock);
    ready = 1;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
    for (int i = 0; i < NTHREADS; i++) {
        void *ret;
        pthread_join(t[i], &ret);
        printf("thread %d returned %ld tls_sum %llu\n", i, (long)(intptr_t)ret, (unsigned long long)jobs[i].result);
    }
    printf("counter %ld (expected %d)\n", counter, NTHREADS * ITERS);
    printf("main tls_sum %llu\n", (unsigned long long)tls_sum);
    return 0;
}
