/* Threads that record the order in which they take a lock: the order depends on where the
 * scheduler switches threads, so it changes with rvrun's --quantum, while any one --quantum
 * gives the same order on every run. (Under Linux the order varies from run to run.) */
#include <pthread.h>
#include <stdio.h>

#define NTHREADS 3
#define STEPS 40

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char order[NTHREADS * STEPS + 1];
static int n;

static void *worker(void *arg) {
    char id = (char)(long)arg;
    for (int i = 0; i < STEPS; i++) {
        pthread_mutex_lock(&lock);
        order[n++] = id;
        pthread_mutex_unlock(&lock);
        /* Some work between steps, so that time slices end at varying points. */
        volatile unsigned x = 0;
        for (int k = 0; k < 300 + 37 * id; k++)
            x += k * k;
    }
    return NULL;
}

int main(void) {
    pthread_t t[NTHREADS];
    for (long i = 0; i < NTHREADS; i++)
        pthread_create(&t[i], NULL, worker, (void *)('a' + i));
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(t[i], NULL);
    printf("%s\n", order);
    return 0;
}
