/* Interval timers: alarm() and pause(), a periodic ITIMER_REAL waited for with sigsuspend,
 * ITIMER_VIRTUAL and ITIMER_PROF firing during a busy loop, an ITIMER_REAL interrupting a
 * nanosleep, what getitimer and setitimer report, their errors.
 *
 *   itimer        all of the above; exits 0
 *   itimer die    alarm() with SIGALRM at its default action: killed (status 142)
 *
 * Only facts that do not depend on timing are printed. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t alrm, vtalrm, prof;
static void on_alrm(int sig) { (void)sig; alrm++; }
static void on_vtalrm(int sig) { (void)sig; vtalrm++; }
static void on_prof(int sig) { (void)sig; prof++; }

static void install(int sig, void (*h)(int), int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h;
    sa.sa_flags = flags;
    sigaction(sig, &sa, NULL);
}

static void set(int which, long value_us, long interval_us) {
    struct itimerval v = {{interval_us / 1000000, interval_us % 1000000},
                          {value_us / 1000000, value_us % 1000000}};
    if (setitimer(which, &v, NULL) != 0)
        printf("setitimer(%d) failed: %s\n", which, strerror(errno));
}

static volatile unsigned long sink;
static void spin_until(volatile sig_atomic_t *flag) {
    while (!*flag)
        for (int i = 0; i < 1000; i++)
            sink += i;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc > 1 && strcmp(argv[1], "die") == 0) {
        printf("alarm(1), then pause\n");
        alarm(1);
        pause();
        printf("still alive\n");
        return 0;
    }

    install(SIGALRM, on_alrm, 0);
    alarm(1);
    int r = pause();
    printf("pause: %d %s, SIGALRM handled: %d\n", r, strerror(errno), (int)alrm);

    /* A periodic timer, each tick waited for with sigsuspend (SIGALRM blocked in between). */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGALRM);
    sigprocmask(SIG_BLOCK, &block, &old);
    alrm = 0;
    set(ITIMER_REAL, 10000, 10000);
    int suspended = 0;
    while (alrm < 5) {
        sigsuspend(&old);
        suspended++;
    }
    set(ITIMER_REAL, 0, 0);
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("periodic ITIMER_REAL: %d ticks, one per sigsuspend: %s\n", (int)alrm,
           suspended == 5 ? "yes" : "no");

    /* CPU-time timers fire while the process computes. */
    install(SIGVTALRM, on_vtalrm, SA_RESTART);
    set(ITIMER_VIRTUAL, 20000, 0);
    spin_until(&vtalrm);
    printf("ITIMER_VIRTUAL fired during a busy loop: %d\n", (int)vtalrm);
    install(SIGPROF, on_prof, SA_RESTART);
    set(ITIMER_PROF, 20000, 0);
    spin_until(&prof);
    printf("ITIMER_PROF fired during a busy loop: %d\n", (int)prof);

    /* A timer interrupts a sleep even with SA_RESTART: nanosleep never restarts. */
    install(SIGALRM, on_alrm, SA_RESTART);
    alrm = 0;
    set(ITIMER_REAL, 50000, 0);
    struct timespec ts = {5, 0}, left = {0, 0};
    r = nanosleep(&ts, &left);
    printf("nanosleep(5s) with a 50 ms timer: %d %s, handled %d, left in (4s, 5s): %s\n", r,
           strerror(errno), (int)alrm, left.tv_sec == 4 ? "yes" : "no");

    /* What the timers report. */
    struct itimerval v = {{1, 500000}, {5, 0}}, cur, prev;
    setitimer(ITIMER_REAL, &v, NULL);
    getitimer(ITIMER_REAL, &cur);
    printf("getitimer: interval %ld.%06ld, value in (4s, 5s]: %s\n", (long)cur.it_interval.tv_sec,
           (long)cur.it_interval.tv_usec,
           (cur.it_value.tv_sec == 4 || (cur.it_value.tv_sec == 5 && cur.it_value.tv_usec == 0))
               ? "yes"
               : "no");
    struct itimerval zero = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &zero, &prev);
    printf("setitimer returns the old interval %ld.%06ld\n", (long)prev.it_interval.tv_sec,
           (long)prev.it_interval.tv_usec);
    getitimer(ITIMER_REAL, &cur);
    printf("after disarming: %ld.%06ld %ld.%06ld\n", (long)cur.it_interval.tv_sec,
           (long)cur.it_interval.tv_usec, (long)cur.it_value.tv_sec, (long)cur.it_value.tv_usec);
    printf("alarm(0) after alarm(100): %u\n", (alarm(100), alarm(0)));

    struct itimerval bad = {{0, 0}, {0, 1000000}};
    r = setitimer(ITIMER_REAL, &bad, NULL);
    printf("tv_usec of 1000000: %d %s\n", r, strerror(errno));
    r = setitimer(7, &v, NULL);
    printf("which 7: %d %s\n", r, strerror(errno));
    r = getitimer(ITIMER_REAL, (struct itimerval *)8);
    printf("bad pointer: %d %s\n", r, strerror(errno));
    return 0;
}
