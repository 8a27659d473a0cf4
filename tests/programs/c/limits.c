/* RLIMIT_NOFILE and RLIMIT_NPROC as an unprivileged Linux process meets them.
 *
 * rvrun's guest is uid 1000 without capabilities. Under QEMU run as root, the program first
 * sets the limits rvrun starts with and then drops to uid/gid 1000 itself (raw syscalls,
 * changing only the calling thread, the only guest thread then), so that the host kernel
 * applies the unprivileged rules. Each line names a call and its result or errno. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "show.h"

static long setlim(int res, unsigned long cur, unsigned long max) {
    struct rlimit rl = {cur, max};
    return setrlimit(res, &rl);
}

static void getlim(const char *name, int res) {
    struct rlimit rl;
    if (getrlimit(res, &rl) != 0) {
        printf("getrlimit %s: -1 %s\n", name, ename(errno));
        return;
    }
    printf("getrlimit %s: %lu %lu\n", name, (unsigned long)rl.rlim_cur, (unsigned long)rl.rlim_max);
}

static int pipefd[2];

static void *blocker(void *arg) {
    char c;
    (void)arg;
    read(pipefd[0], &c, 1);
    return NULL;
}

static void nofile(void) {
    show("setrlimit NOFILE 64 4096", setlim(RLIMIT_NOFILE, 64, 4096));
    getlim("NOFILE", RLIMIT_NOFILE);
    int last = -1;
    for (;;) {
        int fd = open("/dev/null", O_RDONLY);
        if (fd < 0) {
            /* (how many opened is not printed: QEMU holds an fd of its own in the range) */
            printf("open until full: last fd %d, then %s\n", last, ename(errno));
            break;
        }
        last = fd;
    }
    show("dup(0)", dup(0));
    show("fcntl F_DUPFD 0", fcntl(0, F_DUPFD, 0));
    show("fcntl F_DUPFD 64", fcntl(0, F_DUPFD, 64));
    show("fcntl F_DUPFD -1", fcntl(0, F_DUPFD, -1));
    show("dup2(0, 64)", dup2(0, 64));
    show("dup3(0, 64)", dup3(0, 64, O_CLOEXEC));
    show("dup2(0, 63)", dup2(0, 63));
    show("dup2(0, -1)", dup2(0, -1));
    int p[2];
    show("pipe", pipe(p));
    show("eventfd", eventfd(0, 0));
    show("epoll_create1", epoll_create1(0));
    close(10);
    show("pipe with one free fd", pipe(p));
    show("open after failed pipe", open("/dev/null", O_RDONLY));

    show("setrlimit NOFILE 128 4096", setlim(RLIMIT_NOFILE, 128, 4096));
    show("open after raising", open("/dev/null", O_RDONLY));
    show("dup2(0, 127)", dup2(0, 127));
    show("dup2(0, 128)", dup2(0, 128));
    show("fcntl F_DUPFD 127", fcntl(0, F_DUPFD, 127));
    show("fcntl F_DUPFD 100", fcntl(0, F_DUPFD, 100));
    show("fcntl F_DUPFD 128", fcntl(0, F_DUPFD, 128));

    show("setrlimit NOFILE 16 4096 (below open fds)", setlim(RLIMIT_NOFILE, 16, 4096));
    show("fcntl(100, F_GETFD) still open", fcntl(100, F_GETFD));
    show("close(100)", close(100));
    show("open when full below 16", open("/dev/null", O_RDONLY));
    close(5);
    show("open after close(5)", open("/dev/null", O_RDONLY));
    show("dup2(0, 20)", dup2(0, 20));
    show("dup2(0, 15)", dup2(0, 15));
    struct pollfd pf[17];
    for (int i = 0; i < 17; i++) {
        pf[i].fd = -1;
        pf[i].events = POLLIN;
    }
    show("poll nfds 17", poll(pf, 17, 0));
    show("poll nfds 16", poll(pf, 16, 0));
    /* select looks at every fd below nfds up to its table's size (not below RLIMIT_NOFILE):
     * one at 120 (not open) is EBADF. (Linux skips bits at or above the table's size, which
     * under QEMU is the host process's, so no line here depends on it.) */
    static fd_set big[16];
    struct timeval zero = {0, 0};
    ((unsigned long *)big)[120 / 64] = 1ul << (120 % 64);
    show("select bit 120 of 1024", select(1024, big, NULL, NULL, &zero));

    show("setrlimit NOFILE 64 8192 (raise hard)", setlim(RLIMIT_NOFILE, 64, 8192));
    show("setrlimit NOFILE 64 1048577 (over nr_open)", setlim(RLIMIT_NOFILE, 64, 1048577));
    show("setrlimit NOFILE 5000 4096 (cur > max)", setlim(RLIMIT_NOFILE, 5000, 4096));
    show("setrlimit NOFILE 64 2048 (lower hard)", setlim(RLIMIT_NOFILE, 64, 2048));
    show("setrlimit NOFILE 64 4096 (raise it back)", setlim(RLIMIT_NOFILE, 64, 4096));
    getlim("NOFILE", RLIMIT_NOFILE);
    struct rlimit rl = {32, 2048};
    show("prlimit64 pid 0 set", syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &rl, NULL));
    show("prlimit64 bad pid + bad ptr", syscall(SYS_prlimit64, 0x7ffffff0, RLIMIT_NOFILE, (void *)8, NULL));
    show("prlimit64 bad pid + bad resource", syscall(SYS_prlimit64, 0x7ffffff0, 99, &rl, NULL));
    show("prlimit64 bad resource", syscall(SYS_prlimit64, 0, 99, &rl, NULL));
    show("prlimit64 own tid", syscall(SYS_prlimit64, syscall(SYS_gettid), RLIMIT_NOFILE, NULL, &rl));
    printf("  -> %lu %lu\n", (unsigned long)rl.rlim_cur, (unsigned long)rl.rlim_max);
    for (int fd = 3; fd < 128; fd++)
        close(fd);
}

static void nproc(void) {
    show("setrlimit NPROC 8 8", setlim(RLIMIT_NPROC, 8, 8));
    getlim("NPROC", RLIMIT_NPROC);
    if (pipe(pipefd) != 0) {
        printf("pipe failed\n");
        return;
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 65536);
    pthread_t t[16];
    int n = 0, e = 0;
    while (n < 16) {
        e = pthread_create(&t[n], &attr, blocker, NULL);
        if (e)
            break;
        n++;
    }
    printf("threads created under NPROC 8: %d, then %s\n", n, e ? ename(e) : "none");
    show("setrlimit NPROC 9 8 (cur > max)", setlim(RLIMIT_NPROC, 9, 8));
    show("setrlimit NPROC 9 9 (raise hard)", setlim(RLIMIT_NPROC, 9, 9));
    show("setrlimit NPROC 4 8 (below running threads)", setlim(RLIMIT_NPROC, 4, 8));
    for (int i = 0; i < n; i++)
        write(pipefd[1], "x", 1);
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
    int m = 0;
    while (m < 16) {
        e = pthread_create(&t[m], &attr, blocker, NULL);
        if (e)
            break;
        m++;
    }
    printf("threads created under NPROC 4: %d, then %s\n", m, e ? ename(e) : "none");
    for (int i = 0; i < m; i++)
        write(pipefd[1], "x", 1);
    for (int i = 0; i < m; i++)
        pthread_join(t[i], NULL);
    show("setrlimit NPROC 8 8 (soft back up)", setlim(RLIMIT_NPROC, 8, 8));
}

int main(void) {
    if (getuid() == 0) {
        /* Under QEMU as root: rvrun's starting limits, then uid 1000 for this thread. */
        setlim(RLIMIT_NOFILE, 1024, 4096);
        setlim(RLIMIT_NPROC, 65536, 65536);
        if (syscall(SYS_setgroups, 0, NULL) || syscall(SYS_setgid, 1000) || syscall(SYS_setuid, 1000)) {
            printf("cannot drop to uid 1000\n");
            return 1;
        }
    }
    printf("uid %d\n", (int)getuid());
    getlim("NOFILE", RLIMIT_NOFILE);
    getlim("NPROC", RLIMIT_NPROC);
    nofile();
    nproc();
    return 0;
}
