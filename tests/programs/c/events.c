// events: eventfd2, epoll_create1/epoll_ctl/epoll_pwait, ppoll and pselect6, and blocking
// pipe and eventfd I/O between threads: results and error paths as Linux gives them.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void show(const char *what, long r) {
    if (r < 0)
        printf("%-36s -1 errno %d\n", what, errno);
    else
        printf("%-36s %ld\n", what, r);
}

static void sleep_ms(int ms) {
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, 0);
}

static int efd_g, pipe_g[2];

static void *late_writer(void *arg) {
    (void)arg;
    sleep_ms(5);
    write(pipe_g[1], "late", 4);
    sleep_ms(5);
    uint64_t one = 1;
    write(efd_g, &one, 8);
    return 0;
}

static void *drainer(void *arg) {
    (void)arg;
    static char buf[4096];
    long total = 0, n;
    while ((n = read(pipe_g[0], buf, sizeof buf)) > 0)
        total += n;
    return (void *)total;
}

static pthread_t main_thread;
static volatile sig_atomic_t got_signal;

static void on_usr1(int sig) { got_signal = sig; }

static void *interrupter(void *arg) {
    (void)arg;
    sleep_ms(5);
    pthread_kill(main_thread, SIGUSR1);
    return 0;
}

static int wait_events(int ep, int timeout, uint32_t *ev, uint64_t *data) {
    struct epoll_event out[4];
    memset(out, 0, sizeof out);
    int n = epoll_wait(ep, out, 4, timeout);
    if (n > 0) {
        *ev = out[0].events;
        *data = out[0].data.u64;
    }
    return n;
}

int main(void) {
    uint64_t v = 0;
    char small[4] = {0};
    // eventfd
    show("eventfd bad flags", eventfd(0, 0x40));
    int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    show("eventfd read empty", read(efd, &v, 8));
    show("eventfd read 4 bytes", read(efd, small, 4));
    show("eventfd write 4 bytes", write(efd, small, 4));
    v = UINT64_MAX;
    show("eventfd write max", write(efd, &v, 8));
    v = 3;
    show("eventfd write 3", write(efd, &v, 8));
    v = 4;
    show("eventfd write 4", write(efd, &v, 8));
    v = 0;
    uint64_t two[2] = {0, 0};
    show("eventfd read", read(efd, two, 16));
    v = two[0];
    printf("eventfd value %llu\n", (unsigned long long)v);
    v = UINT64_MAX - 1;
    show("eventfd write max-1", write(efd, &v, 8));
    v = 1;
    show("eventfd write past max", write(efd, &v, 8));
    show("eventfd read max-1", read(efd, &v, 8));
    printf("flags nonblock %d cloexec %d\n", (fcntl(efd, F_GETFL) & O_NONBLOCK) != 0, fcntl(efd, F_GETFD));
    show("eventfd lseek", lseek(efd, 0, SEEK_SET));
    struct stat st;
    fstat(efd, &st);
    printf("eventfd stat type %o perm %o size %lld nlink %lu\n", st.st_mode & S_IFMT, st.st_mode & 07777,
           (long long)st.st_size, (unsigned long)st.st_nlink);
    int sem = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
    show("semaphore read", read(sem, &v, 8));
    printf("semaphore value %llu\n", (unsigned long long)v);
    show("semaphore read", read(sem, &v, 8));
    show("semaphore read empty", read(sem, &v, 8));

    // epoll_create1 and epoll_ctl errors
    show("epoll_create1 bad flags", epoll_create1(1));
    int ep = epoll_create1(EPOLL_CLOEXEC);
    fstat(ep, &st);
    printf("epoll stat type %o perm %o size %lld\n", st.st_mode & S_IFMT, st.st_mode & 07777,
           (long long)st.st_size);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0x1122334455667788ull};
    int dir = open("/", O_RDONLY | O_DIRECTORY);
    show("ctl bad epfd", epoll_ctl(99, EPOLL_CTL_ADD, efd, &ev));
    show("ctl bad fd", epoll_ctl(ep, EPOLL_CTL_ADD, 99, &ev));
    show("ctl directory", epoll_ctl(ep, EPOLL_CTL_ADD, dir, &ev));
    show("ctl self", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev));
    show("ctl epfd not epoll", epoll_ctl(efd, EPOLL_CTL_ADD, sem, &ev));
    show("ctl bad op", epoll_ctl(ep, 99, efd, &ev));
    show("ctl mod missing", epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    show("ctl del missing", epoll_ctl(ep, EPOLL_CTL_DEL, efd, &ev));
    show("ctl add", epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
    show("ctl add again", epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    show("ctl mod exclusive", epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    struct epoll_event out[2];
    show("wait maxevents 0", epoll_wait(ep, out, 0, 0));
    show("wait on eventfd", epoll_wait(efd, out, 2, 0));

    // level-triggered, edge-triggered, one-shot
    uint32_t e = 0;
    uint64_t d = 0;
    show("wait empty", wait_events(ep, 0, &e, &d));
    v = 1;
    write(efd, &v, 8);
    show("wait LT", wait_events(ep, 0, &e, &d));
    printf("events %#x data %#llx\n", e, (unsigned long long)d);
    show("wait LT again", wait_events(ep, 0, &e, &d));
    ev.events = EPOLLIN | EPOLLET;
    ev.data.u64 = 7;
    show("ctl mod ET", epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    show("wait ET", wait_events(ep, 0, &e, &d));
    show("wait ET again", wait_events(ep, 0, &e, &d));
    write(efd, &v, 8);
    show("wait ET after write", wait_events(ep, 0, &e, &d));
    ev.events = EPOLLIN | EPOLLONESHOT;
    ev.data.u64 = 8;
    show("ctl mod oneshot", epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    show("wait oneshot", wait_events(ep, 0, &e, &d));
    show("wait oneshot again", wait_events(ep, 0, &e, &d));
    show("ctl rearm", epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    show("wait rearmed", wait_events(ep, 0, &e, &d));
    show("ctl del", epoll_ctl(ep, EPOLL_CTL_DEL, efd, 0));
    show("wait timeout 10ms", wait_events(ep, 10, &e, &d));

    // pipes: EPOLLOUT, EPOLLHUP, EPOLLERR
    int p[2];
    pipe2(p, O_NONBLOCK);
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.u64 = 1;
    epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
    ev.events = EPOLLOUT;
    ev.data.u64 = 2;
    epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev);
    show("wait pipe", wait_events(ep, 0, &e, &d));
    printf("events %#x data %llu\n", e, (unsigned long long)d);
    close(p[1]);
    show("wait pipe hup", wait_events(ep, 0, &e, &d));
    printf("events %#x data %llu\n", e, (unsigned long long)d);
    close(p[0]);
    show("wait closed fds", wait_events(ep, 0, &e, &d));

    // ppoll and pselect6
    pipe(pipe_g);
    struct pollfd pf[2] = {{pipe_g[0], POLLIN, 0}, {pipe_g[1], POLLOUT, 0}};
    show("poll", poll(pf, 2, 0));
    printf("revents %#x %#x\n", pf[0].revents, pf[1].revents);
    show("poll timeout", poll(pf, 1, 5));
    fd_set rs, ws;
    FD_ZERO(&rs);
    FD_ZERO(&ws);
    FD_SET(pipe_g[0], &rs);
    FD_SET(pipe_g[1], &ws);
    struct timeval tv = {0, 1000};
    show("select", select(pipe_g[1] + 1, &rs, &ws, 0, &tv));
    printf("read set %d write set %d\n", FD_ISSET(pipe_g[0], &rs), FD_ISSET(pipe_g[1], &ws));
    FD_ZERO(&rs);
    // (below 64: Linux's select skips fds at or above its fd table's size, 64 slots in a
    // process that never had a higher fd; under QEMU that size is the host process's)
    FD_SET(60, &rs);
    show("select bad fd", select(61, &rs, 0, 0, &tv));
    show("select negative n", select(-1, 0, 0, 0, &tv));

    // blocking: read, ppoll, epoll_wait and select wait for another thread
    efd_g = eventfd(0, 0);
    pthread_t t;
    pthread_create(&t, 0, late_writer, 0);
    pf[0].revents = 0;
    show("poll forever", poll(pf, 1, -1));
    char buf[16] = {0};
    show("blocking read", read(pipe_g[0], buf, sizeof buf));
    printf("read %s\n", buf);
    int ep2 = epoll_create1(0);
    ev.events = EPOLLIN;
    ev.data.u64 = 42;
    epoll_ctl(ep2, EPOLL_CTL_ADD, efd_g, &ev);
    show("epoll wait forever", wait_events(ep2, -1, &e, &d));
    printf("events %#x data %llu\n", e, (unsigned long long)d);
    show("blocking eventfd read", read(efd_g, &v, 8));
    pthread_join(t, 0);

    // a blocking write larger than the pipe: a thread drains it
    pthread_create(&t, 0, drainer, 0);
    static char big[200000];
    memset(big, 'x', sizeof big);
    show("blocking big write", write(pipe_g[1], big, sizeof big));
    close(pipe_g[1]);
    void *total;
    pthread_join(t, &total);
    printf("drained %ld\n", (long)total);

    // a signal with a handler ends an infinite poll and epoll_wait with EINTR
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, 0);
    main_thread = pthread_self();
    int q[2];
    pipe(q);
    pf[0].fd = q[0];
    pf[0].events = POLLIN;
    pthread_create(&t, 0, interrupter, 0);
    show("poll interrupted", poll(pf, 1, -1));
    pthread_join(t, 0);
    printf("signal %d\n", got_signal);
    got_signal = 0;
    pthread_create(&t, 0, interrupter, 0);
    show("epoll_wait interrupted", wait_events(ep2, -1, &e, &d));
    pthread_join(t, 0);
    printf("signal %d\n", got_signal);

    // the signal mask argument holds for the call only
    sigset_t usr1, none, cur;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigemptyset(&none);
    sigprocmask(SIG_BLOCK, &usr1, 0);
    got_signal = 0;
    raise(SIGUSR1);
    struct timespec zero = {0, 0};
    show("ppoll mask blocking", ppoll(pf, 1, &zero, &usr1));
    printf("signal %d\n", got_signal);
    show("ppoll mask unblocking", ppoll(pf, 1, &zero, &none));
    printf("signal %d\n", got_signal);
    sigprocmask(SIG_SETMASK, 0, &cur);
    printf("SIGUSR1 blocked after: %d\n", sigismember(&cur, SIGUSR1));
    got_signal = 0;
    raise(SIGUSR1);
    show("epoll_pwait mask unblocking", epoll_pwait(ep2, out, 2, 0, &none));
    printf("signal %d\n", got_signal);
    got_signal = 0;
    raise(SIGUSR1);
    FD_ZERO(&rs);
    FD_SET(q[0], &rs);
    show("pselect mask unblocking", pselect(q[0] + 1, &rs, 0, 0, &zero, &none));
    printf("signal %d\n", got_signal);
    sigprocmask(SIG_SETMASK, 0, &cur);
    printf("SIGUSR1 blocked after: %d\n", sigismember(&cur, SIGUSR1));
    return 0;
}
