/* Epoll instances watching epoll instances: where Linux refuses a link with ELOOP (cycles,
 * paths longer than EP_MAX_NESTS = 4 links, looked at downwards and upwards), the order of
 * epoll_ctl's checks, and readiness through nested instances. Each line names a call and
 * its result or errno. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "show.h"

/* epoll_ctl(ep, ADD, fd, EPOLLIN) */
static long add(int ep, int fd) {
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (unsigned)fd};
    return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static int newep(void) {
    return epoll_create1(EPOLL_CLOEXEC);
}

static void closeall(int *e, int n) {
    for (int i = 0; i < n; i++)
        close(e[i]);
}

int main(void) {
    char line[96];
    int e[8];

    /* A chain grown upwards: e[i+1] watches e[i]. Link k makes a path of k links. */
    for (int i = 0; i < 8; i++)
        e[i] = newep();
    for (int i = 0; i < 7; i++) {
        snprintf(line, sizeof line, "chain up: link %d (e%d watches e%d)", i + 1, i + 1, i);
        show(line, add(e[i + 1], e[i]));
    }
    closeall(e, 8);

    /* A chain grown downwards: e[i] watches e[i+1], added from the top. */
    for (int i = 0; i < 8; i++)
        e[i] = newep();
    for (int i = 0; i < 7; i++) {
        snprintf(line, sizeof line, "chain down: link %d (e%d watches e%d)", i + 1, i, i + 1);
        show(line, add(e[i], e[i + 1]));
    }
    closeall(e, 8);

    /* Two chains of two links joined in the middle: 2 + 1 + 2 = 5 links. Then 2 + 1 + 1. */
    for (int i = 0; i < 6; i++)
        e[i] = newep();
    show("join: e0 watches e1", add(e[0], e[1]));
    show("join: e1 watches e2", add(e[1], e[2]));
    show("join: e3 watches e4", add(e[3], e[4]));
    show("join: e4 watches e5", add(e[4], e[5]));
    show("join: e2 watches e3 (5 links)", add(e[2], e[3]));
    show("join: e2 watches e4 (4 links)", add(e[2], e[4]));
    closeall(e, 6);

    /* Cycles. */
    for (int i = 0; i < 4; i++)
        e[i] = newep();
    show("self: e0 watches e0", add(e[0], e[0]));
    show("cycle: e0 watches e1", add(e[0], e[1]));
    show("cycle: e1 watches e0", add(e[1], e[0]));
    show("cycle: e1 watches e2", add(e[1], e[2]));
    show("cycle: e2 watches e0", add(e[2], e[0]));
    show("cycle: e2 watches e1", add(e[2], e[1]));
    show("again: e0 watches e1 (EEXIST after the loop check)", add(e[0], e[1]));
    int d = dup(e[1]);
    show("dup: e0 watches dup of e1", add(e[0], d));
    show("dup: dup of e1 watches e0", add(d, e[0]));
    /* A diamond: two paths to one instance is no loop. */
    show("diamond: e0 watches e3", add(e[0], e[3]));
    show("diamond: e2 watches e3", add(e[2], e[3]));
    show("diamond: e3 watches e0", add(e[3], e[0]));
    show("del then re-add: e0 stops watching e1",
         epoll_ctl(e[0], EPOLL_CTL_DEL, e[1], NULL));
    show("del then re-add: e1 watches e0 (e0 still watches dup of e1)", add(e[1], e[0]));
    closeall(e, 4);
    close(d);

    /* Order of checks. */
    int ep = newep(), ep2 = newep();
    int file = open("/proc/self/exe", O_RDONLY);
    int p[2];
    pipe(p);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE};
    show("bad epfd, regular file", epoll_ctl(999, EPOLL_CTL_ADD, file, &ev));
    show("bad fd", epoll_ctl(ep, EPOLL_CTL_ADD, 999, &ev));
    show("regular file target, epfd not epoll", epoll_ctl(p[0], EPOLL_CTL_ADD, file, &ev));
    show("pipe target, epfd not epoll", epoll_ctl(p[0], EPOLL_CTL_ADD, p[1], &ev));
    show("EPOLLEXCLUSIVE on epoll target", epoll_ctl(ep, EPOLL_CTL_ADD, ep2, &ev));
    add(ep2, ep);
    show("EPOLLEXCLUSIVE on epoll target that loops", epoll_ctl(ep, EPOLL_CTL_ADD, ep2, &ev));
    show("loop with bad op", epoll_ctl(ep, 99, ep2, &ev));
    show("loop with MOD", epoll_ctl(ep, EPOLL_CTL_MOD, ep2, &(struct epoll_event){.events = EPOLLIN}));
    close(ep);
    close(ep2);
    close(file);

    /* Readiness through four levels: data in a pipe wakes the top. */
    for (int i = 0; i < 5; i++)
        e[i] = newep();
    show("ready: e4 watches pipe", add(e[4], p[0]));
    for (int i = 3; i >= 0; i--) {
        snprintf(line, sizeof line, "ready: e%d watches e%d", i, i + 1);
        show(line, add(e[i], e[i + 1]));
    }
    struct epoll_event out[4];
    show("ready: top before write", epoll_wait(e[0], out, 4, 0));
    write(p[1], "x", 1);
    show("ready: top after write", epoll_wait(e[0], out, 4, 0));
    printf("  events 0x%x data %llu\n", out[0].events, (unsigned long long)out[0].data.u64);
    struct pollfd pf = {.fd = e[0], .events = POLLIN};
    show("ready: poll top", poll(&pf, 1, 0));
    printf("  revents 0x%x\n", pf.revents);
    closeall(e, 5);

    /* Wide sharing: 3 levels of 60 instances, each watching every one of the next level,
     * all over one pipe. A walk that does not remember what it saw looks 60^3 times. */
    enum { W = 60 };
    int lv[3][W];
    for (int l = 0; l < 3; l++)
        for (int i = 0; i < W; i++)
            lv[l][i] = newep();
    int fails = 0;
    for (int i = 0; i < W; i++)
        fails += add(lv[2][i], p[0]) != 0;
    for (int l = 1; l >= 0; l--)
        for (int i = 0; i < W; i++)
            for (int j = 0; j < W; j++)
                fails += add(lv[l][i], lv[l + 1][j]) != 0;
    int top = newep();
    for (int i = 0; i < W; i++)
        fails += add(top, lv[0][i]) != 0;
    printf("wide: %d failed links\n", fails);
    char c;
    read(p[0], &c, 1);
    show("wide: top with nothing ready", epoll_wait(top, out, 4, 0));
    write(p[1], "y", 1);
    show("wide: top with the pipe ready", epoll_wait(top, out, 4, 0));
    show("wide: one more level on top (4 links)", add(newep(), top));
    return 0;
}
