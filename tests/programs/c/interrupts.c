/* Signals meeting blocked system calls: a handler without SA_RESTART makes a blocked pipe
 * read fail with EINTR, one with SA_RESTART makes it start again; kill() aimed at the process
 * wakes the thread that does not block the signal; an interrupted nanosleep reports the time
 * left; a write to a pipe without readers raises SIGPIPE.
 *
 *   interrupts            all of the above with handlers; exits 0
 *   interrupts sigpipe    writes to a broken pipe with SIGPIPE at its default: killed (141)
 *
 * Signals are sent again and again until the target reports back, so the output does not
 * depend on whether the target was already blocked when the first one arrived. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t handled;
static void on_sig(int sig) {
    (void)sig;
    handled++;
}

static void install(int sig, int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sig;
    sa.sa_flags = flags;
    sigaction(sig, &sa, NULL);
}

static void pause_a_little(void) {
    struct timespec ts = {0, 2 * 1000 * 1000};
    nanosleep(&ts, NULL);
}

/* ---- a blocked read in another thread, interrupted with and without SA_RESTART ---- */

static int fds[2];
static volatile int read_done;
static ssize_t read_result;
static int read_errno;
static char read_buf[16];

static void *reader(void *arg) {
    (void)arg;
    read_result = read(fds[0], read_buf, sizeof read_buf);
    read_errno = errno;
    read_done = 1;
    return NULL;
}

static void blocked_read(int flags) {
    install(SIGUSR1, flags);
    pipe(fds);
    read_done = 0;
    handled = 0;
    pthread_t t;
    pthread_create(&t, NULL, reader, NULL);
    if (flags & SA_RESTART) {
        /* The read restarts after each handler: it only ends when data comes. */
        while (!handled) {
            pthread_kill(t, SIGUSR1);
            pause_a_little();
        }
        write(fds[1], "hello", 5);
    } else {
        while (!read_done) {
            pthread_kill(t, SIGUSR1);
            pause_a_little();
        }
    }
    pthread_join(t, NULL);
    if (read_result < 0)
        printf("read %s SA_RESTART: -1 %s\n", flags ? "with" : "without", strerror(read_errno));
    else
        printf("read %s SA_RESTART: %zd bytes \"%.*s\"\n", flags ? "with" : "without",
               read_result, (int)read_result, read_buf);
    close(fds[0]);
    close(fds[1]);
}

/* ---- kill() to the process while the main thread is blocked in a read ---- */

static volatile int main_read_done;

static void *killer(void *arg) {
    (void)arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    while (!main_read_done) {
        kill(getpid(), SIGUSR2);
        pause_a_little();
    }
    return NULL;
}

static void process_directed_kill(void) {
    install(SIGUSR2, 0);
    pipe(fds);
    handled = 0;
    pthread_t t;
    pthread_create(&t, NULL, killer, NULL);
    char c;
    ssize_t r = read(fds[0], &c, 1);
    int e = errno;
    main_read_done = 1;
    pthread_join(t, NULL);
    printf("kill to the process: main thread's read = %zd %s, handler ran: %s\n", r,
           r < 0 ? strerror(e) : "", handled ? "yes" : "no");
    close(fds[0]);
    close(fds[1]);
}

/* ---- an interrupted nanosleep ---- */

static volatile int sleep_done;
static int sleep_result, sleep_errno;
static struct timespec sleep_left;

static void *sleeper(void *arg) {
    (void)arg;
    struct timespec ts = {10, 0};
    sleep_result = nanosleep(&ts, &sleep_left);
    sleep_errno = errno;
    sleep_done = 1;
    return NULL;
}

static void interrupted_sleep(void) {
    install(SIGUSR1, SA_RESTART); /* nanosleep never restarts */
    pthread_t t;
    pthread_create(&t, NULL, sleeper, NULL);
    while (!sleep_done) {
        pthread_kill(t, SIGUSR1);
        pause_a_little();
    }
    pthread_join(t, NULL);
    int left_ok = sleep_left.tv_sec < 10 && (sleep_left.tv_sec > 0 || sleep_left.tv_nsec > 0);
    printf("nanosleep(10s) interrupted: %d %s, time left in (0, 10s): %s\n", sleep_result,
           strerror(sleep_errno), left_ok ? "yes" : "no");
}

/* ---- SIGPIPE ---- */

static void broken_pipe(void) {
    int p[2];
    pipe(p);
    close(p[0]);
    install(SIGPIPE, 0);
    handled = 0;
    ssize_t r = write(p[1], "x", 1);
    printf("write to a pipe without readers: %zd %s, SIGPIPE handled: %d\n", r, strerror(errno),
           (int)handled);
    signal(SIGPIPE, SIG_IGN);
    r = write(p[1], "x", 1);
    printf("again with SIGPIPE ignored: %zd %s\n", r, strerror(errno));
    close(p[1]);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc > 1 && strcmp(argv[1], "sigpipe") == 0) {
        int p[2];
        pipe(p);
        close(p[0]);
        printf("writing to a broken pipe\n");
        write(p[1], "x", 1);
        printf("still alive\n");
        return 0;
    }
    blocked_read(0);
    blocked_read(SA_RESTART);
    process_directed_kill();
    interrupted_sleep();
    broken_pipe();
    return 0;
}
