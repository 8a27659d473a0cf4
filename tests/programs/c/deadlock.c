/* Two threads that each wait for the other forever: rvrun must stop with a deadlock report
 * listing both threads instead of hanging. */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both_locked;

static void *other(void *arg) {
    (void)arg;
    pthread_mutex_lock(&b);
    pthread_barrier_wait(&both_locked);
    pthread_mutex_lock(&a);
    return NULL;
}

int main(void) {
    pthread_t t;
    pthread_barrier_init(&both_locked, NULL, 2);
    pthread_create(&t, NULL, other, NULL);
    pthread_mutex_lock(&a);
    pthread_barrier_wait(&both_locked);
    printf("both locks taken\n");
    fflush(stdout);
    pthread_mutex_lock(&b);
    printf("unreachable\n");
    return 0;
}
