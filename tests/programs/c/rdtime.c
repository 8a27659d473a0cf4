/* The timer CSR against clock_gettime: across a sleep and across threads, `rdtime` must count
 * the same time as CLOCK_MONOTONIC (as Linux's timer CSR does). Prints the differences for
 * tests/machine.rs, which knows the clock rate (rvrun only: under QEMU both are the host's). */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static uint64_t rdtime(void) {
    uint64_t t;
    __asm__ volatile("rdtime %0" : "=r"(t));
    return t;
}

static uint64_t mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static volatile uint64_t sink;
static uint64_t worker_end;

static void *worker(void *arg) {
    (void)arg;
    for (uint64_t i = 0; i < 2000000; i++)
        sink += i;
    worker_end = rdtime();
    return NULL;
}

int main(void) {
    uint64_t t0 = rdtime(), m0 = mono_ns();
    struct timespec one = {1, 0};
    nanosleep(&one, NULL);
    uint64_t t1 = rdtime(), m1 = mono_ns();
    printf("sleep: ticks %llu ns %llu\n", (unsigned long long)(t1 - t0), (unsigned long long)(m1 - m0));
    pthread_t th;
    uint64_t t2 = rdtime();
    pthread_create(&th, NULL, worker, NULL);
    pthread_join(th, NULL);
    uint64_t t3 = rdtime();
    printf("thread: worker's end after start %d, main's after worker's end %d\n", worker_end > t2,
           t3 >= worker_end);
    printf("thread: ticks while the worker ran %llu\n", (unsigned long long)(t3 - t2));
    return 0;
}
