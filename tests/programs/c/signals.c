/* Signal delivery: a handler for a signal sent to oneself (kill and raise), SA_SIGINFO data,
 * the blocked mask inside a handler, SA_RESETHAND, SA_ONSTACK on an alternate stack, a
 * handler that changes the interrupted context (skipping a faulting load after SIGSEGV),
 * and a signal sent to another thread. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

static volatile sig_atomic_t got_usr1, got_usr2_in_handler_blocked, onstack_ok;
static volatile int saved_code, saved_signo;
static char altstack[65536];

static void on_usr1(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    got_usr1++;
    saved_signo = si->si_signo;
    saved_code = si->si_code;
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    got_usr2_in_handler_blocked = sigismember(&cur, SIGUSR2) && sigismember(&cur, sig);
}

static void on_usr2(int sig) {
    (void)sig;
    char here;
    onstack_ok = (uintptr_t)&here >= (uintptr_t)altstack && (uintptr_t)&here < (uintptr_t)altstack + sizeof altstack;
}

static volatile uintptr_t fault_addr;
static void on_segv(int sig, siginfo_t *si, void *ucv) {
    (void)sig;
    ucontext_t *uc = ucv;
    fault_addr = (uintptr_t)si->si_addr;
    /* Skip the faulting load: a 4-byte `ld` in this build. Check the low bits to know whether it
     * was compressed. */
    uint16_t parcel = *(uint16_t *)uc->uc_mcontext.__gregs[REG_PC];
    uc->uc_mcontext.__gregs[REG_PC] += (parcel & 3) == 3 ? 4 : 2;
    uc->uc_mcontext.__gregs[REG_A0] = 0; /* harmless */
}

static volatile int thread_got;
static void on_thread_sig(int sig) { thread_got = sig; }

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int stage;

static void *waiter(void *arg) {
    (void)arg;
    pthread_mutex_lock(&m);
    stage = 1;
    pthread_cond_broadcast(&c);
    while (!thread_got)
        pthread_cond_wait(&c, &m);
    pthread_mutex_unlock(&m);
    return NULL;
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    sigaction(SIGUSR1, &sa, NULL);

    kill(getpid(), SIGUSR1);
    printf("kill: handled %d signo %d code %d (SI_USER=%d) usr2+self blocked in handler %d\n", got_usr1, saved_signo,
           saved_code, SI_USER, got_usr2_in_handler_blocked);
    raise(SIGUSR1);
    printf("raise: handled %d code %d (SI_TKILL=%d)\n", got_usr1, saved_code, SI_TKILL);
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    printf("mask restored after handler: usr1 blocked %d usr2 blocked %d\n", sigismember(&cur, SIGUSR1),
           sigismember(&cur, SIGUSR2));

    /* Blocked signals wait until unblocked. */
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, SIGUSR1);
    sigprocmask(SIG_BLOCK, &one, NULL);
    raise(SIGUSR1);
    printf("while blocked: handled %d\n", got_usr1);
    sigprocmask(SIG_UNBLOCK, &one, NULL);
    printf("after unblock: handled %d\n", got_usr1);

    /* SA_ONSTACK and SA_RESETHAND. */
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr2;
    sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
    sigaction(SIGUSR2, &sa, NULL);
    raise(SIGUSR2);
    struct sigaction now;
    sigaction(SIGUSR2, NULL, &now);
    printf("onstack %d reset to default %d\n", onstack_ok, now.sa_handler == SIG_DFL);

    /* SIGSEGV from a bad load, handled by skipping the instruction. */
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    volatile uintptr_t bad = 0x10;
    uint64_t v = *(volatile uint64_t *)bad;
    (void)v;
    printf("survived SIGSEGV at address 0x%lx\n", (unsigned long)fault_addr);

    /* A signal to another thread blocked in a condition wait. */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_thread_sig;
    sigaction(SIGUSR1, &sa, NULL);
    pthread_t t;
    pthread_create(&t, NULL, waiter, NULL);
    pthread_mutex_lock(&m);
    while (stage != 1)
        pthread_cond_wait(&c, &m);
    pthread_mutex_unlock(&m);
    pthread_kill(t, SIGUSR1);
    pthread_mutex_lock(&m);
    pthread_cond_broadcast(&c);
    pthread_mutex_unlock(&m);
    pthread_join(t, NULL);
    printf("thread got signal %d\n", thread_got);

    /* Default action of an unhandled signal ends the process: status 128+15. */
    fflush(stdout);
    raise(SIGTERM);
    printf("unreachable\n");
    return 0;
}
