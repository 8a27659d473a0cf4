/* Guests that try to keep the emulator busy forever: busy MODE
 *
 *   timer-ignored   a 1 ms ITIMER_REAL whose SIGALRM is ignored, then waits forever
 *   timer-blocked   the same with SIGALRM blocked
 *   timer-sleep     the ignored timer, then a 5 s sleep (which ends: prints "slept")
 *   segv-loop       a SIGSEGV handler that returns to the faulting store, forever
 *   handler-fault   a SIGSEGV handler at an unmapped address (SA_NODEFER): every delivery
 *                   faults again before running an instruction
 *   altstack-fault  the same on an alternate signal stack (SA_ONSTACK)
 *   sleep-years     sleeps 100 years at a time, forever
 *   yield-loop      sched_yield forever
 *
 * Under Linux the waits and loops never end (the fault modes die of SIGSEGV). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile int faults;
/* An address nothing is mapped at (through a volatile pointer: no compiler warning). */
static volatile int *volatile unmapped = (volatile int *)8;

static void on_segv(int sig) {
    (void)sig;
    faults++;
}

static void timer(void) {
    struct itimerval it = {{0, 1000}, {0, 1000}};
    setitimer(ITIMER_REAL, &it, NULL);
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "";
    printf("%s\n", mode);
    fflush(stdout);
    if (strcmp(mode, "timer-ignored") == 0) {
        signal(SIGALRM, SIG_IGN);
        timer();
        for (;;)
            pause();
    } else if (strcmp(mode, "timer-blocked") == 0) {
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGALRM);
        sigprocmask(SIG_BLOCK, &s, NULL);
        timer();
        for (;;)
            pause();
    } else if (strcmp(mode, "timer-sleep") == 0) {
        signal(SIGALRM, SIG_IGN);
        timer();
        struct timespec ts = {5, 0};
        nanosleep(&ts, NULL);
        printf("slept\n");
        return 0;
    } else if (strcmp(mode, "segv-loop") == 0) {
        signal(SIGSEGV, on_segv);
        *unmapped = 1;
    } else if (strcmp(mode, "handler-fault") == 0 || strcmp(mode, "altstack-fault") == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = (void (*)(int))0x1000;
        sa.sa_flags = SA_NODEFER;
        if (mode[0] == 'a') {
            stack_t ss = {.ss_sp = malloc(1 << 20), .ss_size = 1 << 20};
            sigaltstack(&ss, NULL);
            sa.sa_flags |= SA_ONSTACK;
        }
        sigaction(SIGSEGV, &sa, NULL);
        *unmapped = 1;
    } else if (strcmp(mode, "sleep-years") == 0) {
        struct timespec ts = {100L * 365 * 86400, 0};
        for (;;)
            nanosleep(&ts, NULL);
    } else if (strcmp(mode, "yield-loop") == 0) {
        for (;;)
            sched_yield();
    }
    printf("unknown mode\n");
    return 1;
}
