// sockets: AF_UNIX (stream, datagram, seqpacket, socketpair, path and abstract names,
// SCM_RIGHTS, SCM_CREDENTIALS, SO_PEERCRED), TCP over IPv4 and IPv6 and UDP on loopback,
// blocking and non-blocking calls, readiness through poll/select/epoll, shutdown, and the
// errno paths, as Linux gives them.
//
//   sockets SECTION... [DIR]
//
// SECTION is one of errors, pair, unix, tcp, tcp6, udp, poll, threads (all by default), or
// offline (rvrun only); DIR is a scratch
// directory for path names (its last argument when it starts with '/'). Nothing printed
// depends on host-chosen values (ephemeral ports, pids): ports are compared, not printed.
#define _GNU_SOURCE
#include "show.h"
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char *sename(int e) {
    switch (e) {
    case ENOTSOCK: return "ENOTSOCK";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
    case ESOCKTNOSUPPORT: return "ESOCKTNOSUPPORT";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case EPROTOTYPE: return "EPROTOTYPE";
    case ECONNREFUSED: return "ECONNREFUSED";
    case ECONNRESET: return "ECONNRESET";
    case EADDRINUSE: return "EADDRINUSE";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case EINPROGRESS: return "EINPROGRESS";
    case EALREADY: return "EALREADY";
    case EISCONN: return "EISCONN";
    case ENOTCONN: return "ENOTCONN";
    case EPIPE: return "EPIPE";
    case EDESTADDRREQ: return "EDESTADDRREQ";
    case EMSGSIZE: return "EMSGSIZE";
    case ENOPROTOOPT: return "ENOPROTOOPT";
    case ENETUNREACH: return "ENETUNREACH";
    case ENOBUFS: return "ENOBUFS";
    case ENOTDIR: return "ENOTDIR";
    case EACCES: return "EACCES";
    case ESPIPE: return "ESPIPE";
    case ENOMEM: return "ENOMEM";
    default: return ename(e);
    }
}

static void sh(const char *what, long r) {
    if (r < 0)
        printf("%s: -1 %s\n", what, sename(errno));
    else
        printf("%s: %ld\n", what, r);
}

static char dir[200] = "/tmp";

static void sleep_ms(int ms) {
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, 0);
}

// sendmsg without the libc wrapper (musl copies the header and the control data first,
// with its own limits): the hostile cases reach the kernel as given.
static long raw_sendmsg(int fd, const struct msghdr *m, int flags) {
    return syscall(SYS_sendmsg, fd, m, flags);
}

static void showopt(const char *what, int fd, int level, int opt) {
    int v = -1;
    socklen_t len = sizeof v;
    int r = getsockopt(fd, level, opt, &v, &len);
    if (r < 0)
        printf("%s: -1 %s\n", what, sename(errno));
    else
        printf("%s: %d (len %u)\n", what, v, (unsigned)len);
}

static void showrev(const char *what, int fd, short events) {
    struct pollfd pf = {fd, events, 0};
    int n = poll(&pf, 1, 0);
    printf("%s: poll %d revents %#x\n", what, n, (unsigned)pf.revents);
}

static struct sockaddr_in loop4(uint16_t port) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static struct sockaddr_in6 loop6(uint16_t port) {
    struct sockaddr_in6 a;
    memset(&a, 0, sizeof a);
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(port);
    a.sin6_addr = in6addr_loopback;
    return a;
}

static uint16_t port_of(int fd) {
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
        return 0;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

static int ephemeral(uint16_t port) { return port >= 32768 && port <= 60999; }

// Prints a socket address without its port (ports are the host's choice under QEMU).
static void show_addr(const char *what, struct sockaddr_storage *ss, socklen_t len) {
    char buf[INET6_ADDRSTRLEN] = "?";
    if (ss->ss_family == AF_INET) {
        inet_ntop(AF_INET, &((struct sockaddr_in *)ss)->sin_addr, buf, sizeof buf);
        printf("%s: len %u AF_INET %s\n", what, (unsigned)len, buf);
    } else if (ss->ss_family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
        printf("%s: len %u AF_INET6 %s flow %u scope %u\n", what, (unsigned)len, buf,
               (unsigned)a->sin6_flowinfo, (unsigned)a->sin6_scope_id);
    } else if (ss->ss_family == AF_UNIX) {
        struct sockaddr_un *u = (struct sockaddr_un *)ss;
        size_t n = len > 2 ? len - 2 : 0;
        if (n == 0)
            printf("%s: len %u AF_UNIX unnamed\n", what, (unsigned)len);
        else if (u->sun_path[0] == 0)
            printf("%s: len %u AF_UNIX abstract\n", what, (unsigned)len);
        else if (strncmp(u->sun_path, dir, strlen(dir)) == 0)
            // (the length without the scratch directory's, which differs between runs)
            printf("%s: len %u-dir AF_UNIX path %s\n", what, (unsigned)(len - strlen(dir)),
                   u->sun_path + strlen(dir));
        else
            printf("%s: len %u AF_UNIX path ?\n", what, (unsigned)len);
    } else {
        printf("%s: len %u family %d\n", what, (unsigned)len, ss->ss_family);
    }
}

static void names(const char *what, int fd) {
    struct sockaddr_storage ss;
    char w[128];
    memset(&ss, 0xee, sizeof ss);
    socklen_t len = sizeof ss;
    snprintf(w, sizeof w, "%s sockname", what);
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
        sh(w, -1);
    else
        show_addr(w, &ss, len);
    memset(&ss, 0xee, sizeof ss);
    len = sizeof ss;
    snprintf(w, sizeof w, "%s peername", what);
    if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
        sh(w, -1);
    else
        show_addr(w, &ss, len);
}

static struct sockaddr_un unix_addr(const char *name, socklen_t *len) {
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    snprintf(a.sun_path, sizeof a.sun_path, "%s/%s", dir, name);
    *len = offsetof(struct sockaddr_un, sun_path) + strlen(a.sun_path) + 1;
    return a;
}

// ---- errors ----

static void sec_errors(void) {
    puts("== errors");
    sh("socket bad family", socket(12345, SOCK_STREAM, 0));
    sh("socket AF_MAX", socket(46, SOCK_STREAM, 0));
    sh("socket negative family", socket(-1, SOCK_STREAM, 0));
    // (unknown type flags are EINVAL on Linux, but QEMU drops them before the host sees them)
    sh("socket type 0", socket(AF_INET, 0, 0));
    sh("socket tcp proto udp", socket(AF_INET, SOCK_STREAM, IPPROTO_UDP));
    sh("socket udp proto tcp", socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP));
    sh("socket inet seqpacket", socket(AF_INET, SOCK_SEQPACKET, 0));
    sh("socket unix proto 1", socket(AF_UNIX, SOCK_STREAM, 1));
    sh("socket unix raw", socket(AF_UNIX, SOCK_RAW, 0));
    sh("socket inet6 seqpacket", socket(AF_INET6, SOCK_SEQPACKET, 0));
    int sv[2] = {-1, -1};
    sh("socketpair inet", socketpair(AF_INET, SOCK_STREAM, 0, sv));
    sh("socketpair bad family", socketpair(999, SOCK_STREAM, 0, sv));
    sh("socketpair bad pointer", socketpair(AF_UNIX, SOCK_STREAM, 0, (int *)8));

    int p[2];
    pipe(p);
    struct sockaddr_in a = loop4(0);
    sh("bind bad fd", bind(99, (struct sockaddr *)&a, sizeof a));
    sh("bind pipe", bind(p[0], (struct sockaddr *)&a, sizeof a));
    sh("listen pipe", listen(p[0], 1));
    sh("accept pipe", accept(p[0], 0, 0));
    sh("connect pipe", connect(p[0], (struct sockaddr *)&a, sizeof a));
    sh("getsockname pipe", getsockname(p[0], (struct sockaddr *)&a, &(socklen_t){sizeof a}));
    sh("shutdown pipe", shutdown(p[0], SHUT_RD));
    sh("send pipe", send(p[1], "x", 1, 0));
    sh("recv pipe", recv(p[0], &a, 1, MSG_DONTWAIT));
    int one = 1;
    sh("setsockopt pipe", setsockopt(p[0], SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
    sh("getsockopt bad fd", getsockopt(77, SOL_SOCKET, SO_TYPE, &one, &(socklen_t){4}));

    int s = socket(AF_INET, SOCK_STREAM, 0);
    printf("socket: %s\n", s >= 0 ? "ok" : "failed");
    struct stat st;
    fstat(s, &st);
    printf("fstat S_ISSOCK %d mode %o size %lld\n", S_ISSOCK(st.st_mode), st.st_mode & 07777,
           (long long)st.st_size);
    sh("bind addrlen -1", bind(s, (struct sockaddr *)&a, -1));
    sh("bind addrlen 129", bind(s, (struct sockaddr *)&a, 129));
    sh("bind addrlen 8", bind(s, (struct sockaddr *)&a, 8));
    sh("bind bad pointer", bind(s, (struct sockaddr *)16, sizeof a));
    struct sockaddr_in6 a6 = loop6(0);
    sh("bind inet6 on inet", bind(s, (struct sockaddr *)&a6, sizeof a6));
    struct sockaddr_in far = loop4(0);
    far.sin_addr.s_addr = htonl(0x0a000001);
    sh("bind non-local", bind(s, (struct sockaddr *)&far, sizeof far));
    sh("getpeername unconnected", getpeername(s, (struct sockaddr *)&a, &(socklen_t){sizeof a}));
    socklen_t badlen = -1;
    sh("getsockname len -1", getsockname(s, (struct sockaddr *)&a, &badlen));
    sh("getsockname bad len ptr", getsockname(s, (struct sockaddr *)&a, (socklen_t *)8));
    sh("getsockname bad addr", getsockname(s, (struct sockaddr *)8, &(socklen_t){16}));
    socklen_t small = 4;
    memset(&a, 0, sizeof a);
    sh("getsockname short", getsockname(s, (struct sockaddr *)&a, &small));
    printf("short len %u family %d\n", (unsigned)small, a.sin_family);
    sh("accept not listening", accept(s, 0, 0));
    sh("accept4 bad flags", accept4(s, 0, 0, 0x1));
    char c;
    sh("recv unconnected", recv(s, &c, 1, 0));
    sh("send unconnected", send(s, "x", 1, MSG_NOSIGNAL));
    sh("shutdown unconnected", shutdown(s, SHUT_RDWR));
    sh("shutdown bad how", shutdown(s, 3));
    sh("listen", listen(s, 5));
    sh("listen again", listen(s, 10));
    sh("connect listening", connect(s, (struct sockaddr *)&a, sizeof a));
    sh("bind after listen", bind(s, (struct sockaddr *)&a, sizeof a));
    close(s);

    s = socket(AF_INET, SOCK_STREAM, 0);
    sh("setsockopt bad level", setsockopt(s, 12345, 1, &one, sizeof one));
    sh("setsockopt bad opt", setsockopt(s, SOL_SOCKET, 12345, &one, sizeof one));
    sh("setsockopt short", setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, 2));
    sh("setsockopt bad pointer", setsockopt(s, SOL_SOCKET, SO_REUSEADDR, (void *)8, 4));
    sh("getsockopt bad opt", getsockopt(s, SOL_SOCKET, 12345, &one, &(socklen_t){4}));
    socklen_t l = -1;
    sh("getsockopt len -1", getsockopt(s, SOL_SOCKET, SO_TYPE, &one, &l));
    l = 2;
    int v = 0;
    sh("getsockopt len 2", getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &l));
    printf("len 2 value %d len %u\n", v, (unsigned)l);
    sh("getsockopt bad len ptr", getsockopt(s, SOL_SOCKET, SO_TYPE, &v, (socklen_t *)8));
    showopt("SO_TYPE", s, SOL_SOCKET, SO_TYPE);
    showopt("SO_DOMAIN", s, SOL_SOCKET, SO_DOMAIN);
    showopt("SO_PROTOCOL", s, SOL_SOCKET, SO_PROTOCOL);
    showopt("SO_ACCEPTCONN", s, SOL_SOCKET, SO_ACCEPTCONN);
    showopt("SO_ERROR", s, SOL_SOCKET, SO_ERROR);
    showopt("SO_REUSEADDR", s, SOL_SOCKET, SO_REUSEADDR);
    showopt("SO_KEEPALIVE", s, SOL_SOCKET, SO_KEEPALIVE);
    showopt("TCP_NODELAY", s, IPPROTO_TCP, TCP_NODELAY);
    sh("set SO_KEEPALIVE", setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one));
    sh("set TCP_NODELAY", setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one));
    showopt("SO_KEEPALIVE", s, SOL_SOCKET, SO_KEEPALIVE);
    showopt("TCP_NODELAY", s, IPPROTO_TCP, TCP_NODELAY);
    int sz = 8192;
    sh("set SO_SNDBUF", setsockopt(s, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz));
    sh("set SO_RCVBUF", setsockopt(s, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz));
    showopt("SO_SNDBUF", s, SOL_SOCKET, SO_SNDBUF);
    showopt("SO_RCVBUF", s, SOL_SOCKET, SO_RCVBUF);
    sz = 1;
    setsockopt(s, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
    setsockopt(s, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
    showopt("SO_SNDBUF min", s, SOL_SOCKET, SO_SNDBUF);
    showopt("SO_RCVBUF min", s, SOL_SOCKET, SO_RCVBUF);
    showopt("IPV6_V6ONLY on inet", s, IPPROTO_IPV6, IPV6_V6ONLY);
    struct linger lg = {1, 5};
    sh("set SO_LINGER", setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
    memset(&lg, 0, sizeof lg);
    l = sizeof lg;
    sh("get SO_LINGER", getsockopt(s, SOL_SOCKET, SO_LINGER, &lg, &l));
    printf("linger %d %d len %u\n", lg.l_onoff, lg.l_linger, (unsigned)l);
    a = loop4(0);
    sh("sendto tcp unconnected", sendto(s, "x", 1, MSG_NOSIGNAL, (struct sockaddr *)&a, sizeof a));
    sh("read unconnected", read(s, &c, 1));
    sh("lseek socket", lseek(s, 0, SEEK_SET));
    sh("pread socket", pread(s, &c, 1, 0));
    close(s);

    s = socket(AF_INET, SOCK_DGRAM, 0);
    sh("listen udp", listen(s, 1));
    sh("accept udp", accept(s, 0, 0));
    sh("setsockopt tcp on udp", setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one));
    sh("send udp unconnected", send(s, "x", 1, 0));
    sh("recv udp empty", recv(s, &c, 1, MSG_DONTWAIT));
    sh("connect udp short", connect(s, (struct sockaddr *)&a, 4));
    struct sockaddr unspec = {.sa_family = AF_UNSPEC};
    sh("connect udp AF_UNSPEC", connect(s, &unspec, sizeof unspec));
    showopt("udp SO_TYPE", s, SOL_SOCKET, SO_TYPE);
    showopt("udp SO_PROTOCOL", s, SOL_SOCKET, SO_PROTOCOL);
    close(s);

    s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un u;
    memset(&u, 0, sizeof u);
    u.sun_family = AF_UNIX;
    sh("unix bind addrlen 111", bind(s, (struct sockaddr *)&u, 111));
    sh("unix bind addrlen 1", bind(s, (struct sockaddr *)&u, 1));
    u.sun_family = AF_INET;
    sh("unix bind AF_INET", bind(s, (struct sockaddr *)&u, sizeof u));
    u.sun_family = AF_UNIX;
    strcpy(u.sun_path, "/nonexistent/dir/sock");
    sh("unix bind missing dir", bind(s, (struct sockaddr *)&u, sizeof u));
    sh("unix connect missing", connect(s, (struct sockaddr *)&u, sizeof u));
    sh("unix listen unbound", listen(s, 1));
    showopt("unix SO_TYPE", s, SOL_SOCKET, SO_TYPE);
    showopt("unix SO_DOMAIN", s, SOL_SOCKET, SO_DOMAIN);
    showopt("unix SO_SNDBUF", s, SOL_SOCKET, SO_SNDBUF);
    showopt("unix TCP_NODELAY", s, IPPROTO_TCP, TCP_NODELAY);
    names("unix unbound", s);
    close(s);
    close(p[0]);
    close(p[1]);
}

// ---- socketpair ----

static void sec_pair(void) {
    puts("== pair");
    int sv[2];
    sh("socketpair stream", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    printf("fds %d %d\n", sv[0], sv[1]);
    names("pair", sv[0]);
    sh("write", write(sv[0], "hello", 5));
    sh("send", send(sv[0], " world", 6, 0));
    int avail = -1;
    sh("FIONREAD", ioctl(sv[1], FIONREAD, &avail));
    printf("available %d\n", avail);
    char buf[64] = {0};
    sh("recv peek", recv(sv[1], buf, 5, MSG_PEEK));
    printf("peeked '%s'\n", buf);
    memset(buf, 0, sizeof buf);
    sh("read", read(sv[1], buf, sizeof buf));
    printf("read '%s'\n", buf);
    sh("recv empty dontwait", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
    showrev("empty", sv[1], POLLIN | POLLOUT | POLLRDHUP);
    struct iovec iov[3] = {{"ab", 2}, {"", 0}, {"cde", 3}};
    sh("writev", writev(sv[1], iov, 3));
    char x1[2], x2[10];
    struct iovec riov[2] = {{x1, 2}, {x2, 10}};
    sh("readv", readv(sv[0], riov, 2));
    printf("readv '%.2s' '%.3s'\n", x1, x2);
    showopt("SO_TYPE", sv[0], SOL_SOCKET, SO_TYPE);
    showopt("SO_ACCEPTCONN", sv[0], SOL_SOCKET, SO_ACCEPTCONN);
    struct ucred cr;
    socklen_t cl = sizeof cr;
    sh("SO_PEERCRED", getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cr, &cl));
    printf("peercred pid ok %d uid ok %d gid ok %d len %u\n", cr.pid == getpid(), cr.uid == getuid(),
           cr.gid == getgid(), (unsigned)cl);
    sh("shutdown SHUT_WR", shutdown(sv[0], SHUT_WR));
    showrev("after shut wr (peer)", sv[1], POLLIN | POLLOUT | POLLRDHUP);
    showrev("after shut wr (self)", sv[0], POLLIN | POLLOUT | POLLRDHUP);
    sh("read at eof", read(sv[1], buf, sizeof buf));
    sh("write after shut wr", send(sv[0], "x", 1, MSG_NOSIGNAL));
    sh("peer writes back", write(sv[1], "back", 4));
    sh("read back", read(sv[0], buf, sizeof buf));
    sh("close", close(sv[1]));
    showrev("peer closed", sv[0], POLLIN | POLLOUT | POLLRDHUP);
    sh("send to closed peer", send(sv[0], "x", 1, MSG_NOSIGNAL));
    signal(SIGPIPE, SIG_IGN);
    sh("write to closed peer", write(sv[0], "x", 1));
    signal(SIGPIPE, SIG_DFL);
    sh("read from closed peer", read(sv[0], buf, sizeof buf));
    close(sv[0]);

    // nonblocking, cloexec, and a full buffer
    sh("socketpair nonblock cloexec", socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv));
    printf("nonblock %d cloexec %d\n", (fcntl(sv[0], F_GETFL) & O_NONBLOCK) != 0, fcntl(sv[0], F_GETFD));
    static char big[65536];
    long total = 0, n;
    while ((n = write(sv[0], big, sizeof big)) > 0)
        total += n;
    printf("filled: stopped with %s, wrote more than 64k %d\n", sename(errno), total > 65536);
    showrev("full", sv[0], POLLOUT);
    long got = 0;
    while ((n = read(sv[1], big, sizeof big)) > 0)
        got += n;
    printf("drained all %d\n", got == total);
    showrev("drained", sv[0], POLLOUT);
    close(sv[0]);
    close(sv[1]);

    // datagram pairs keep message boundaries
    sh("socketpair dgram", socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    send(sv[0], "one", 3, 0);
    send(sv[0], "three", 5, 0);
    send(sv[0], "", 0, 0);
    memset(buf, 0, sizeof buf);
    sh("recv 2 of 3", recv(sv[1], buf, 2, 0));
    sh("recv trunc", recv(sv[1], buf, 2, MSG_TRUNC));
    sh("recv empty datagram", recv(sv[1], buf, sizeof buf, 0));
    sh("recv none", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
    struct msghdr mh;
    memset(&mh, 0, sizeof mh);
    struct iovec one = {buf, 3};
    mh.msg_iov = &one;
    mh.msg_iovlen = 1;
    send(sv[1], "reverse", 7, 0);
    sh("recvmsg short", recvmsg(sv[0], &mh, 0));
    printf("msg_flags trunc %d namelen %u\n", (mh.msg_flags & MSG_TRUNC) != 0, (unsigned)mh.msg_namelen);
    names("dgram pair", sv[0]);
    close(sv[0]);
    close(sv[1]);

    // seqpacket
    sh("socketpair seqpacket", socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
    send(sv[0], "first", 5, 0);
    send(sv[0], "second", 6, 0);
    memset(buf, 0, sizeof buf);
    sh("seq recv", recv(sv[1], buf, sizeof buf, 0));
    printf("got '%s'\n", buf);
    memset(&mh, 0, sizeof mh);
    mh.msg_iov = &one;
    mh.msg_iovlen = 1;
    sh("seq recvmsg short", recvmsg(sv[1], &mh, 0));
    printf("msg_flags trunc %d\n", (mh.msg_flags & MSG_TRUNC) != 0);
    close(sv[0]);
    sh("seq recv after close", recv(sv[1], buf, sizeof buf, 0));
    sh("seq send after close", send(sv[1], "x", 1, MSG_NOSIGNAL));
    close(sv[1]);

    // SCM_RIGHTS and SCM_CREDENTIALS
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    int p[2];
    pipe(p);
    union {
        struct cmsghdr h;
        char b[CMSG_SPACE(sizeof(int) * 2) + CMSG_SPACE(sizeof(struct ucred))];
    } ctl;
    memset(&ctl, 0, sizeof ctl);
    memset(&mh, 0, sizeof mh);
    struct iovec data = {"F", 1};
    mh.msg_iov = &data;
    mh.msg_iovlen = 1;
    mh.msg_control = ctl.b;
    mh.msg_controllen = CMSG_SPACE(sizeof(int) * 2);
    struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int) * 2);
    int fds[2] = {p[0], p[1]};
    memcpy(CMSG_DATA(cm), fds, sizeof fds);
    sh("sendmsg SCM_RIGHTS", sendmsg(sv[0], &mh, 0));
    close(p[0]);
    close(p[1]);
    memset(&ctl, 0, sizeof ctl);
    memset(&mh, 0, sizeof mh);
    char r1;
    struct iovec rio = {&r1, 1};
    mh.msg_iov = &rio;
    mh.msg_iovlen = 1;
    mh.msg_control = ctl.b;
    mh.msg_controllen = sizeof ctl.b;
    sh("recvmsg SCM_RIGHTS", recvmsg(sv[1], &mh, MSG_CMSG_CLOEXEC));
    cm = CMSG_FIRSTHDR(&mh);
    printf("cmsg level %d type %d len %u controllen %u\n", cm ? cm->cmsg_level : -1, cm ? cm->cmsg_type : -1,
           cm ? (unsigned)cm->cmsg_len : 0, (unsigned)mh.msg_controllen);
    if (cm) {
        memcpy(fds, CMSG_DATA(cm), sizeof fds);
        printf("received fds %d %d cloexec %d\n", fds[0], fds[1], fcntl(fds[0], F_GETFD));
        write(fds[1], "through", 7);
        memset(buf, 0, sizeof buf);
        read(fds[0], buf, sizeof buf);
        printf("pipe via passed fds '%s'\n", buf);
        close(fds[0]);
        close(fds[1]);
    }
    // a bad fd in SCM_RIGHTS
    memset(&mh, 0, sizeof mh);
    memset(&ctl, 0, sizeof ctl);
    mh.msg_iov = &data;
    mh.msg_iovlen = 1;
    mh.msg_control = ctl.b;
    mh.msg_controllen = CMSG_SPACE(sizeof(int));
    cm = CMSG_FIRSTHDR(&mh);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    int bad = 99;
    memcpy(CMSG_DATA(cm), &bad, sizeof bad);
    sh("sendmsg SCM_RIGHTS bad fd", raw_sendmsg(sv[0], &mh, 0));
    // (a cmsg_len below the header is EINVAL on Linux; QEMU drops such a header and sends)
    cm->cmsg_type = 77;
    sh("sendmsg bad cmsg type", raw_sendmsg(sv[0], &mh, 0));
    // (a msg_controllen above INT_MAX is ENOBUFS on Linux; QEMU crashes on it)
    mh.msg_controllen = 0;
    mh.msg_iovlen = 1025;
    sh("sendmsg iovlen 1025", raw_sendmsg(sv[0], &mh, 0));
    mh.msg_iovlen = 1;
    mh.msg_iov = (struct iovec *)8;
    sh("sendmsg bad iov", raw_sendmsg(sv[0], &mh, 0));
    sh("sendmsg bad msghdr", raw_sendmsg(sv[0], (struct msghdr *)8, 0));
    sh("send bad buffer", send(sv[0], (void *)8, 4, 0));
    sh("recv bad buffer", recv(sv[1], (void *)8, 4, 0));
    // credentials
    close(sv[0]);
    close(sv[1]);
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    int on = 1;
    sh("SO_PASSCRED", setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on));
    showopt("SO_PASSCRED", sv[1], SOL_SOCKET, SO_PASSCRED);
    memset(&mh, 0, sizeof mh);
    mh.msg_iov = &data;
    mh.msg_iovlen = 1;
    send(sv[0], "C", 1, 0);
    memset(&ctl, 0, sizeof ctl);
    mh.msg_iov = &rio;
    mh.msg_control = ctl.b;
    mh.msg_controllen = sizeof ctl.b;
    sh("recvmsg with SO_PASSCRED", recvmsg(sv[1], &mh, 0));
    cm = CMSG_FIRSTHDR(&mh);
    if (cm && cm->cmsg_type == SCM_CREDENTIALS) {
        struct ucred uc;
        memcpy(&uc, CMSG_DATA(cm), sizeof uc);
        printf("SCM_CREDENTIALS len %u pid ok %d uid ok %d gid ok %d\n", (unsigned)cm->cmsg_len,
               uc.pid == getpid(), uc.uid == getuid(), uc.gid == getgid());
    } else {
        printf("no credentials\n");
    }
    // sending explicit credentials
    memset(&mh, 0, sizeof mh);
    memset(&ctl, 0, sizeof ctl);
    mh.msg_iov = &data;
    mh.msg_iovlen = 1;
    mh.msg_control = ctl.b;
    mh.msg_controllen = CMSG_SPACE(sizeof(struct ucred));
    cm = CMSG_FIRSTHDR(&mh);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_CREDENTIALS;
    cm->cmsg_len = CMSG_LEN(sizeof(struct ucred));
    struct ucred mine = {getpid(), getuid(), getgid()};
    memcpy(CMSG_DATA(cm), &mine, sizeof mine);
    sh("sendmsg SCM_CREDENTIALS", sendmsg(sv[0], &mh, 0));
    // receive and send timeouts
    struct timeval tv = {0, 20000}, got_tv = {0, 0};
    sh("SO_RCVTIMEO 20ms", setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    socklen_t tl = sizeof got_tv;
    getsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &got_tv, &tl);
    printf("SO_RCVTIMEO %ld.%06ld len %u\n", (long)got_tv.tv_sec, (long)got_tv.tv_usec, (unsigned)tl);
    char tb[8];
    sh("recv times out", recv(sv[0], tb, sizeof tb, 0));
    sh("read times out", read(sv[0], tb, sizeof tb));
    tv.tv_usec = 1000000;
    sh("SO_SNDTIMEO bad usec", setsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv));
    memset(&ctl, 0, sizeof ctl);
    memset(&mh, 0, sizeof mh);
    mh.msg_iov = &rio;
    mh.msg_iovlen = 1;
    mh.msg_control = ctl.b;
    mh.msg_controllen = sizeof ctl.b;
    sh("recvmsg SCM_CREDENTIALS", recvmsg(sv[1], &mh, 0));
    cm = CMSG_FIRSTHDR(&mh);
    if (cm && cm->cmsg_type == SCM_CREDENTIALS) {
        struct ucred uc;
        memcpy(&uc, CMSG_DATA(cm), sizeof uc);
        printf("SCM_CREDENTIALS pid ok %d uid ok %d gid ok %d\n", uc.pid == getpid(), uc.uid == getuid(),
               uc.gid == getgid());
    }
    close(sv[0]);
    close(sv[1]);
}

// ---- unix names ----

static void sec_unix(void) {
    puts("== unix");
    socklen_t len;
    struct sockaddr_un a = unix_addr("srv", &len);
    int srv = socket(AF_UNIX, SOCK_STREAM, 0);
    sh("bind path", bind(srv, (struct sockaddr *)&a, len));
    struct stat st;
    sh("stat bound path", stat(a.sun_path, &st));
    printf("S_ISSOCK %d perm %o\n", S_ISSOCK(st.st_mode), st.st_mode & 0777 & ~0022);
    sh("bind again", bind(srv, (struct sockaddr *)&a, len));
    int other = socket(AF_UNIX, SOCK_STREAM, 0);
    sh("bind taken path", bind(other, (struct sockaddr *)&a, len));
    sh("connect not listening", connect(other, (struct sockaddr *)&a, len));
    sh("listen", listen(srv, 4));
    names("listener", srv);
    showopt("SO_ACCEPTCONN", srv, SOL_SOCKET, SO_ACCEPTCONN);
    showrev("listener idle", srv, POLLIN | POLLOUT);
    fcntl(srv, F_SETFL, O_NONBLOCK);
    sh("accept nonblocking empty", accept4(srv, 0, 0, SOCK_NONBLOCK));
    fcntl(srv, F_SETFL, 0);
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    sh("connect", connect(c, (struct sockaddr *)&a, len));
    sh("connect again", connect(c, (struct sockaddr *)&a, len));
    showrev("listener pending", srv, POLLIN | POLLOUT);
    names("client", c);
    sh("client writes before accept", write(c, "early", 5));
    struct sockaddr_storage peer;
    socklen_t plen = sizeof peer;
    int s = accept4(srv, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC);
    printf("accept4: %s cloexec %d\n", s >= 0 ? "ok" : sename(errno), fcntl(s, F_GETFD));
    show_addr("accepted from", &peer, plen);
    names("accepted", s);
    char buf[64] = {0};
    sh("read early data", read(s, buf, sizeof buf));
    struct ucred cr;
    socklen_t cl = sizeof cr;
    getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cr, &cl);
    printf("peercred pid ok %d uid ok %d\n", cr.pid == getpid(), cr.uid == getuid());
    close(c);
    sh("read after client close", read(s, buf, sizeof buf));
    close(s);
    // a regular file is not a socket; a missing name is ENOENT
    struct sockaddr_un f = unix_addr("file", &len);
    close(open(f.sun_path, O_CREAT | O_WRONLY, 0600));
    c = socket(AF_UNIX, SOCK_STREAM, 0);
    sh("connect regular file", connect(c, (struct sockaddr *)&f, len));
    sh("bind over regular file", bind(c, (struct sockaddr *)&f, len));
    unlink(f.sun_path);
    // a dgram socket cannot connect to a stream one
    int d = socket(AF_UNIX, SOCK_DGRAM, 0);
    a = unix_addr("srv", &len);
    sh("dgram connect to stream", connect(d, (struct sockaddr *)&a, len));
    close(d);
    // after the listener closes the name stays but refuses
    close(srv);
    sh("stat after close", stat(a.sun_path, &st));
    sh("connect closed listener", connect(c, (struct sockaddr *)&a, len));
    sh("unlink", unlink(a.sun_path));
    sh("connect unlinked", connect(c, (struct sockaddr *)&a, len));
    close(c);

    // abstract names
    struct sockaddr_un ab;
    memset(&ab, 0, sizeof ab);
    ab.sun_family = AF_UNIX;
    int nl = snprintf(ab.sun_path + 1, sizeof ab.sun_path - 1, "rvrun-sockets-%d", (int)getpid());
    socklen_t alen = offsetof(struct sockaddr_un, sun_path) + 1 + nl;
    srv = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    sh("bind abstract", bind(srv, (struct sockaddr *)&ab, alen));
    sh("listen abstract", listen(srv, 1));
    other = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    sh("bind abstract taken", bind(other, (struct sockaddr *)&ab, alen));
    sh("connect abstract", connect(other, (struct sockaddr *)&ab, alen));
    s = accept(srv, 0, 0);
    struct sockaddr_storage got;
    socklen_t glen = sizeof got;
    getsockname(s, (struct sockaddr *)&got, &glen);
    printf("accepted sockname same %d len ok %d\n", memcmp(&got, &ab, alen) == 0, glen == alen);
    send(other, "msg1", 4, 0);
    send(other, "msg2!", 5, 0);
    sh("seqpacket recv", recv(s, buf, sizeof buf, 0));
    sh("seqpacket recv", recv(s, buf, sizeof buf, 0));
    sh("connect abstract wrong type", connect(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&ab, alen));
    close(s);
    close(other);
    close(srv);

    // autobind
    int au = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un fam = {.sun_family = AF_UNIX};
    sh("autobind", bind(au, (struct sockaddr *)&fam, sizeof(sa_family_t)));
    glen = sizeof got;
    getsockname(au, (struct sockaddr *)&got, &glen);
    printf("autobind len %u abstract %d\n", (unsigned)glen, ((struct sockaddr_un *)&got)->sun_path[0] == 0);
    close(au);

    // datagram sockets with names
    struct sockaddr_un da = unix_addr("d1", &len), db;
    socklen_t lenb;
    db = unix_addr("d2", &lenb);
    int s1 = socket(AF_UNIX, SOCK_DGRAM, 0), s2 = socket(AF_UNIX, SOCK_DGRAM, 0);
    bind(s1, (struct sockaddr *)&da, len);
    bind(s2, (struct sockaddr *)&db, lenb);
    sh("sendto d2", sendto(s1, "to d2", 5, 0, (struct sockaddr *)&db, lenb));
    sh("send unconnected dgram", send(s1, "x", 1, 0));
    memset(&got, 0, sizeof got);
    glen = sizeof got;
    sh("recvfrom", recvfrom(s2, buf, sizeof buf, 0, (struct sockaddr *)&got, &glen));
    show_addr("from", &got, glen);
    sh("connect d1->d2", connect(s1, (struct sockaddr *)&db, lenb));
    sh("send connected", send(s1, "c", 1, 0));
    names("d1", s1);
    int s3 = socket(AF_UNIX, SOCK_DGRAM, 0);
    sh("third sends to d1 (connected elsewhere)", sendto(s3, "x", 1, 0, (struct sockaddr *)&da, len));
    sh("recv", recv(s2, buf, sizeof buf, 0));
    close(s2);
    sh("send to closed peer", send(s1, "c", 1, 0));
    sh("send again", send(s1, "c", 1, 0));
    unlink(db.sun_path);
    sh("sendto unlinked", sendto(s3, "x", 1, 0, (struct sockaddr *)&db, lenb));
    close(s1);
    close(s3);
    unlink(da.sun_path);
}

// ---- TCP ----

static void tcp_common(int family) {
    int lst = socket(family, SOCK_STREAM, 0);
    struct sockaddr_storage sa;
    socklen_t salen;
    if (family == AF_INET) {
        *(struct sockaddr_in *)&sa = loop4(0);
        salen = sizeof(struct sockaddr_in);
    } else {
        *(struct sockaddr_in6 *)&sa = loop6(0);
        salen = sizeof(struct sockaddr_in6);
    }
    sh("bind port 0", bind(lst, (struct sockaddr *)&sa, salen));
    uint16_t port = port_of(lst);
    printf("bound ephemeral %d\n", ephemeral(port));
    names("bound", lst);
    sh("listen", listen(lst, 2));
    showopt("SO_ACCEPTCONN", lst, SOL_SOCKET, SO_ACCEPTCONN);
    showrev("listener idle", lst, POLLIN | POLLOUT);
    if (family == AF_INET)
        ((struct sockaddr_in *)&sa)->sin_port = htons(port);
    else
        ((struct sockaddr_in6 *)&sa)->sin6_port = htons(port);
    int c = socket(family, SOCK_STREAM, 0);
    showrev("fresh socket", c, POLLIN | POLLOUT);
    sh("connect", connect(c, (struct sockaddr *)&sa, salen));
    sh("connect again", connect(c, (struct sockaddr *)&sa, salen));
    uint16_t cport = port_of(c);
    printf("client ephemeral %d differs %d\n", ephemeral(cport), cport != port);
    names("client", c);
    showrev("listener pending", lst, POLLIN | POLLOUT);
    struct sockaddr_storage peer;
    socklen_t plen = sizeof peer;
    int s = accept(lst, (struct sockaddr *)&peer, &plen);
    printf("accept: %s\n", s >= 0 ? "ok" : sename(errno));
    show_addr("accepted from", &peer, plen);
    uint16_t pport = family == AF_INET ? ntohs(((struct sockaddr_in *)&peer)->sin_port)
                                       : ntohs(((struct sockaddr_in6 *)&peer)->sin6_port);
    printf("peer port is client port %d, accepted local port is listener port %d\n", pport == cport,
           port_of(s) == port);
    names("accepted", s);
    showopt("accepted SO_ACCEPTCONN", s, SOL_SOCKET, SO_ACCEPTCONN);
    showrev("accepted", s, POLLIN | POLLOUT | POLLRDHUP);
    sh("send", send(c, "ping", 4, 0));
    char buf[64] = {0};
    sh("recv", recv(s, buf, sizeof buf, 0));
    printf("got '%s'\n", buf);
    sh("send back", write(s, "pong!", 5));
    sh("recv peek", recv(c, buf, 2, MSG_PEEK));
    sh("recv rest", recv(c, buf, sizeof buf, 0));
    sh("recv dontwait", recv(c, buf, sizeof buf, MSG_DONTWAIT));
    // half close
    sh("shutdown client SHUT_WR", shutdown(c, SHUT_WR));
    showrev("server after half close", s, POLLIN | POLLOUT | POLLRDHUP);
    sh("server reads eof", recv(s, buf, sizeof buf, 0));
    sh("server still writes", send(s, "after", 5, 0));
    sh("client still reads", recv(c, buf, sizeof buf, 0));
    sh("client write after SHUT_WR", send(c, "x", 1, MSG_NOSIGNAL));
    sh("shutdown server SHUT_RDWR", shutdown(s, SHUT_RDWR));
    showrev("client after both", c, POLLIN | POLLOUT | POLLRDHUP);
    sh("client reads eof", recv(c, buf, sizeof buf, 0));
    close(c);
    close(s);

    // peer closed: a write gets the reset, then EPIPE
    c = socket(family, SOCK_STREAM, 0);
    connect(c, (struct sockaddr *)&sa, salen);
    s = accept(lst, 0, 0);
    close(s);
    showrev("peer closed", c, POLLIN | POLLOUT | POLLRDHUP);
    sh("read eof", recv(c, buf, sizeof buf, 0));
    sh("first send after close", send(c, "x", 1, MSG_NOSIGNAL));
    showrev("after reset", c, POLLIN | POLLOUT | POLLRDHUP);
    showopt("SO_ERROR after reset", c, SOL_SOCKET, SO_ERROR);
    sh("second send", send(c, "x", 1, MSG_NOSIGNAL));
    close(c);

    // closing with unread data resets the peer
    c = socket(family, SOCK_STREAM, 0);
    connect(c, (struct sockaddr *)&sa, salen);
    s = accept(lst, 0, 0);
    send(c, "unread", 6, 0);
    sleep_ms(1);
    close(s);
    showrev("reset by peer", c, POLLIN | POLLOUT | POLLRDHUP);
    sh("recv after reset", recv(c, buf, sizeof buf, 0));
    sh("recv again", recv(c, buf, sizeof buf, 0));
    close(c);

    // address in use, SO_REUSEADDR, SO_REUSEPORT
    int d = socket(family, SOCK_STREAM, 0);
    sh("bind listening port", bind(d, (struct sockaddr *)&sa, salen));
    int one = 1;
    setsockopt(d, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sh("bind listening port with SO_REUSEADDR", bind(d, (struct sockaddr *)&sa, salen));
    close(d);
    close(lst);
    // the port is free again once nothing holds it (no TIME_WAIT: the listener never
    // connected anything still alive)
    d = socket(family, SOCK_STREAM, 0);
    setsockopt(d, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sh("bind closed listener's port", bind(d, (struct sockaddr *)&sa, salen));
    close(d);
    int r1 = socket(family, SOCK_STREAM, 0), r2 = socket(family, SOCK_STREAM, 0);
    setsockopt(r1, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    setsockopt(r2, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    sh("reuseport bind 1", bind(r1, (struct sockaddr *)&sa, salen));
    sh("reuseport bind 2", bind(r2, (struct sockaddr *)&sa, salen));
    sh("reuseport listen 1", listen(r1, 1));
    sh("reuseport listen 2", listen(r2, 1));
    close(r1);
    close(r2);

    // a closed port refuses
    c = socket(family, SOCK_STREAM, 0);
    sh("connect closed port", connect(c, (struct sockaddr *)&sa, salen));
    showopt("SO_ERROR", c, SOL_SOCKET, SO_ERROR);
    sh("connect closed port again", connect(c, (struct sockaddr *)&sa, salen));
    close(c);

    // non-blocking connect and accept
    lst = socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (family == AF_INET)
        ((struct sockaddr_in *)&sa)->sin_port = 0;
    else
        ((struct sockaddr_in6 *)&sa)->sin6_port = 0;
    bind(lst, (struct sockaddr *)&sa, salen);
    listen(lst, 8);
    port = port_of(lst);
    if (family == AF_INET)
        ((struct sockaddr_in *)&sa)->sin_port = htons(port);
    else
        ((struct sockaddr_in6 *)&sa)->sin6_port = htons(port);
    sh("accept nonblocking empty", accept(lst, 0, 0));
    c = socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sh("connect nonblocking", connect(c, (struct sockaddr *)&sa, salen));
    struct pollfd pf = {c, POLLOUT, 0};
    sh("poll for connect", poll(&pf, 1, 1000));
    printf("revents %#x\n", (unsigned)pf.revents);
    showopt("SO_ERROR", c, SOL_SOCKET, SO_ERROR);
    sh("connect after completion", connect(c, (struct sockaddr *)&sa, salen));
    pf.fd = lst;
    pf.events = POLLIN;
    sh("poll listener", poll(&pf, 1, 1000));
    s = accept4(lst, 0, 0, SOCK_NONBLOCK);
    printf("accept4: %s nonblock %d\n", s >= 0 ? "ok" : sename(errno), (fcntl(s, F_GETFL) & O_NONBLOCK) != 0);
    sh("recv nonblocking empty", recv(s, buf, sizeof buf, 0));
    close(c);
    close(s);
    // non-blocking connect to a closed port
    int gone = socket(family, SOCK_STREAM, 0);
    if (family == AF_INET)
        ((struct sockaddr_in *)&sa)->sin_port = 0;
    else
        ((struct sockaddr_in6 *)&sa)->sin6_port = 0;
    bind(gone, (struct sockaddr *)&sa, salen);
    port = port_of(gone);
    close(gone);
    if (family == AF_INET)
        ((struct sockaddr_in *)&sa)->sin_port = htons(port);
    else
        ((struct sockaddr_in6 *)&sa)->sin6_port = htons(port);
    c = socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sh("connect nonblocking closed port", connect(c, (struct sockaddr *)&sa, salen));
    pf.fd = c;
    pf.events = POLLIN | POLLOUT | POLLRDHUP;
    sh("poll refused connect", poll(&pf, 1, 1000));
    printf("revents %#x\n", (unsigned)pf.revents);
    showopt("SO_ERROR", c, SOL_SOCKET, SO_ERROR);
    showopt("SO_ERROR again", c, SOL_SOCKET, SO_ERROR);
    close(c);
    close(lst);
}

static void sec_tcp(void) {
    puts("== tcp");
    tcp_common(AF_INET);
    // other loopback addresses and the unspecified address
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = loop4(0);
    a.sin_addr.s_addr = htonl(0x7f000002);
    sh("bind 127.0.0.2", bind(l, (struct sockaddr *)&a, sizeof a));
    names("127.0.0.2", l);
    close(l);
    l = socket(AF_INET, SOCK_STREAM, 0);
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    sh("bind 0.0.0.0", bind(l, (struct sockaddr *)&a, sizeof a));
    listen(l, 1);
    names("any", l);
    a = loop4(port_of(l));
    int c = socket(AF_INET, SOCK_STREAM, 0);
    sh("connect any via 127.0.0.1", connect(c, (struct sockaddr *)&a, sizeof a));
    int s = accept(l, 0, 0);
    names("accepted on any", s);
    close(s);
    close(c);
    close(l);
    // connect without bind to the unspecified address means loopback
    l = socket(AF_INET, SOCK_STREAM, 0);
    a = loop4(0);
    bind(l, (struct sockaddr *)&a, sizeof a);
    listen(l, 1);
    a.sin_port = htons(port_of(l));
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    c = socket(AF_INET, SOCK_STREAM, 0);
    sh("connect 0.0.0.0", connect(c, (struct sockaddr *)&a, sizeof a));
    names("connected to 0.0.0.0", c);
    close(c);
    close(l);
}

static void sec_tcp6(void) {
    puts("== tcp6");
    tcp_common(AF_INET6);
    int l = socket(AF_INET6, SOCK_STREAM, 0);
    showopt("IPV6_V6ONLY", l, IPPROTO_IPV6, IPV6_V6ONLY);
    struct sockaddr_in6 a = loop6(0);
    a.sin6_addr = in6addr_any;
    sh("bind ::", bind(l, (struct sockaddr *)&a, sizeof a));
    listen(l, 2);
    names("any6", l);
    struct sockaddr_in a4 = loop4(port_of(l));
    int c = socket(AF_INET, SOCK_STREAM, 0);
    sh("v4 connect to v6 listener", connect(c, (struct sockaddr *)&a4, sizeof a4));
    int s = accept(l, 0, 0);
    names("accepted v4-mapped", s);
    char buf[8] = {0};
    send(c, "v4", 2, 0);
    sh("recv on mapped", recv(s, buf, sizeof buf, 0));
    close(s);
    close(c);
    // a v6 socket connecting to a v4-mapped address
    int l4 = socket(AF_INET, SOCK_STREAM, 0);
    a4 = loop4(0);
    bind(l4, (struct sockaddr *)&a4, sizeof a4);
    listen(l4, 1);
    struct sockaddr_in6 m = loop6(port_of(l4));
    inet_pton(AF_INET6, "::ffff:127.0.0.1", &m.sin6_addr);
    c = socket(AF_INET6, SOCK_STREAM, 0);
    sh("v6 connect to v4-mapped", connect(c, (struct sockaddr *)&m, sizeof m));
    names("v6 client of v4", c);
    s = accept(l4, 0, 0);
    names("v4 server of v6 client", s);
    close(s);
    close(c);
    close(l4);
    close(l);
    // IPV6_V6ONLY refuses v4
    l = socket(AF_INET6, SOCK_STREAM, 0);
    int one = 1;
    sh("set IPV6_V6ONLY", setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one));
    showopt("IPV6_V6ONLY", l, IPPROTO_IPV6, IPV6_V6ONLY);
    a = loop6(0);
    a.sin6_addr = in6addr_any;
    bind(l, (struct sockaddr *)&a, sizeof a);
    listen(l, 1);
    a4 = loop4(port_of(l));
    c = socket(AF_INET, SOCK_STREAM, 0);
    sh("v4 connect to v6only", connect(c, (struct sockaddr *)&a4, sizeof a4));
    close(c);
    sh("set IPV6_V6ONLY after bind", setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one));
    close(l);
    // short sockaddr_in6 (the old 24-byte layout without scope id)
    l = socket(AF_INET6, SOCK_STREAM, 0);
    a = loop6(0);
    sh("bind 24-byte sockaddr_in6", bind(l, (struct sockaddr *)&a, 24));
    sh("bind 23-byte sockaddr_in6", bind(socket(AF_INET6, SOCK_STREAM, 0), (struct sockaddr *)&a, 23));
    close(l);
}

// ---- UDP ----

static void sec_udp(void) {
    puts("== udp");
    int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in sa = loop4(0), sb = loop4(0);
    sh("bind a", bind(a, (struct sockaddr *)&sa, sizeof sa));
    sh("bind b", bind(b, (struct sockaddr *)&sb, sizeof sb));
    sa.sin_port = htons(port_of(a));
    sb.sin_port = htons(port_of(b));
    showrev("udp idle", a, POLLIN | POLLOUT);
    sh("sendto b", sendto(a, "datagram", 8, 0, (struct sockaddr *)&sb, sizeof sb));
    sh("sendto b empty", sendto(a, "", 0, 0, (struct sockaddr *)&sb, sizeof sb));
    sh("sendto b again", sendto(a, "second", 6, 0, (struct sockaddr *)&sb, sizeof sb));
    showrev("udp pending", b, POLLIN | POLLOUT);
    int avail = -1;
    ioctl(b, FIONREAD, &avail);
    printf("FIONREAD %d\n", avail);
    char buf[64] = {0};
    struct sockaddr_storage from;
    socklen_t fl = sizeof from;
    sh("recvfrom peek", recvfrom(b, buf, 4, MSG_PEEK, (struct sockaddr *)&from, &fl));
    show_addr("from", &from, fl);
    printf("from port is a's %d\n", ntohs(((struct sockaddr_in *)&from)->sin_port) == port_of(a));
    sh("recv trunc", recv(b, buf, 4, MSG_TRUNC));
    sh("recv empty datagram", recv(b, buf, sizeof buf, 0));
    struct msghdr mh;
    memset(&mh, 0, sizeof mh);
    struct iovec io = {buf, 3};
    mh.msg_iov = &io;
    mh.msg_iovlen = 1;
    mh.msg_name = &from;
    mh.msg_namelen = sizeof from;
    sh("recvmsg short", recvmsg(b, &mh, 0));
    printf("msg_flags trunc %d namelen %u\n", (mh.msg_flags & MSG_TRUNC) != 0, (unsigned)mh.msg_namelen);
    sh("recv nothing", recv(b, buf, sizeof buf, MSG_DONTWAIT));
    sh("connect a to b", connect(a, (struct sockaddr *)&sb, sizeof sb));
    names("connected udp", a);
    sh("send connected", send(a, "conn", 4, 0));
    sh("recv", recv(b, buf, sizeof buf, 0));
    // a connected socket only takes datagrams from its peer
    int c = socket(AF_INET, SOCK_DGRAM, 0);
    sh("third sendto a", sendto(c, "stranger", 8, 0, (struct sockaddr *)&sa, sizeof sa));
    printf("third autobound ephemeral %d\n", ephemeral(port_of(c)));
    sh("a recv (filtered)", recv(a, buf, sizeof buf, MSG_DONTWAIT));
    sh("b sendto a", sendto(b, "peer", 4, 0, (struct sockaddr *)&sa, sizeof sa));
    sh("a recv", recv(a, buf, sizeof buf, 0));
    struct sockaddr unspec = {.sa_family = AF_UNSPEC};
    sh("disconnect", connect(a, &unspec, sizeof unspec));
    sh("getpeername after disconnect", getpeername(a, (struct sockaddr *)&from, &fl));
    // sendmmsg / recvmmsg
    struct mmsghdr mm[3];
    struct iovec mio[3] = {{"m1", 2}, {"mm2", 3}, {"mmm3", 4}};
    memset(mm, 0, sizeof mm);
    for (int i = 0; i < 3; i++) {
        mm[i].msg_hdr.msg_iov = &mio[i];
        mm[i].msg_hdr.msg_iovlen = 1;
        mm[i].msg_hdr.msg_name = &sb;
        mm[i].msg_hdr.msg_namelen = sizeof sb;
    }
    sh("sendmmsg", sendmmsg(a, mm, 3, 0));
    printf("msg_len %u %u %u\n", mm[0].msg_len, mm[1].msg_len, mm[2].msg_len);
    char rb[3][8];
    struct iovec rio[3] = {{rb[0], 8}, {rb[1], 8}, {rb[2], 8}};
    memset(mm, 0, sizeof mm);
    for (int i = 0; i < 3; i++) {
        mm[i].msg_hdr.msg_iov = &rio[i];
        mm[i].msg_hdr.msg_iovlen = 1;
    }
    sh("recvmmsg", recvmmsg(b, mm, 3, MSG_DONTWAIT, 0));
    printf("msg_len %u %u %u '%.4s'\n", mm[0].msg_len, mm[1].msg_len, mm[2].msg_len, rb[2]);
    sh("recvmmsg empty", recvmmsg(b, mm, 3, MSG_DONTWAIT, 0));
    // sending to a closed port: the error comes back on a connected socket
    int gone = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in g = loop4(0);
    bind(gone, (struct sockaddr *)&g, sizeof g);
    g.sin_port = htons(port_of(gone));
    close(gone);
    sh("connect to closed port", connect(c, (struct sockaddr *)&g, sizeof g));
    sh("send to closed port", send(c, "x", 1, 0));
    sh("recv after refused", recv(c, buf, sizeof buf, MSG_DONTWAIT));
    sh("recv again", recv(c, buf, sizeof buf, MSG_DONTWAIT));
    // oversized datagram
    static char huge[70000];
    sh("sendto 65507 bytes", sendto(a, huge, 65507, 0, (struct sockaddr *)&sb, sizeof sb));
    sh("sendto 65508 bytes", sendto(a, huge, 65508, 0, (struct sockaddr *)&sb, sizeof sb));
    sh("recv big", recv(b, huge, sizeof huge, 0));
    sh("sendto no address", sendto(a, "x", 1, 0, 0, 0));
    sh("sendto short address", sendto(a, "x", 1, 0, (struct sockaddr *)&sb, 8));
    close(a);
    close(b);
    close(c);
    // IPv6 UDP
    a = socket(AF_INET6, SOCK_DGRAM, 0);
    b = socket(AF_INET6, SOCK_DGRAM, 0);
    struct sockaddr_in6 s6 = loop6(0);
    bind(b, (struct sockaddr *)&s6, sizeof s6);
    s6.sin6_port = htons(port_of(b));
    sh("udp6 sendto", sendto(a, "six", 3, 0, (struct sockaddr *)&s6, sizeof s6));
    fl = sizeof from;
    sh("udp6 recvfrom", recvfrom(b, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl));
    show_addr("udp6 from", &from, fl);
    close(a);
    close(b);
}

// ---- readiness ----

static void sec_poll(void) {
    puts("== poll");
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.u64 = 1};
    sh("epoll_ctl add socket", epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev));
    struct epoll_event out[4];
    sh("epoll_wait idle", epoll_wait(ep, out, 4, 0));
    write(sv[0], "x", 1);
    int n = epoll_wait(ep, out, 4, 0);
    printf("epoll_wait data: %d events %#x\n", n, n > 0 ? out[0].events : 0);
    shutdown(sv[0], SHUT_WR);
    n = epoll_wait(ep, out, 4, 0);
    printf("epoll_wait rdhup: %d events %#x\n", n, n > 0 ? out[0].events : 0);
    fd_set rs, ws;
    FD_ZERO(&rs);
    FD_ZERO(&ws);
    FD_SET(sv[1], &rs);
    FD_SET(sv[0], &ws);
    struct timeval tv = {0, 0};
    sh("select", select(sv[1] + 1, &rs, &ws, 0, &tv));
    printf("readable %d writable %d\n", FD_ISSET(sv[1], &rs), FD_ISSET(sv[0], &ws));
    close(sv[0]);
    n = epoll_wait(ep, out, 4, 0);
    printf("epoll_wait closed: %d events %#x\n", n, n > 0 ? out[0].events : 0);
    close(sv[1]);
    // a listener becomes readable when a connection is waiting; edge-triggered
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = loop4(0);
    bind(l, (struct sockaddr *)&a, sizeof a);
    listen(l, 4);
    a.sin_port = htons(port_of(l));
    ev.events = EPOLLIN | EPOLLET;
    ev.data.u64 = 2;
    epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev);
    sh("epoll_wait listener idle", epoll_wait(ep, out, 4, 0));
    int c = socket(AF_INET, SOCK_STREAM, 0);
    connect(c, (struct sockaddr *)&a, sizeof a);
    n = epoll_wait(ep, out, 4, 0);
    printf("epoll_wait listener: %d events %#x data %llu\n", n, n > 0 ? out[0].events : 0,
           n > 0 ? (unsigned long long)out[0].data.u64 : 0);
    sh("epoll_wait ET again", epoll_wait(ep, out, 4, 0));
    int s = accept(l, 0, 0);
    ev.events = EPOLLOUT | EPOLLIN;
    ev.data.u64 = 3;
    epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
    n = epoll_wait(ep, out, 4, 0);
    printf("epoll_wait accepted: %d events %#x\n", n, n > 0 ? out[0].events : 0);
    close(c);
    n = epoll_wait(ep, out, 4, 0);
    printf("epoll_wait peer closed: %d events %#x\n", n, n > 0 ? out[0].events : 0);
    close(s);
    close(l);
    // udp readiness
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    a = loop4(0);
    bind(u, (struct sockaddr *)&a, sizeof a);
    a.sin_port = htons(port_of(u));
    struct pollfd pf = {u, POLLIN, 0};
    sh("poll udp empty", poll(&pf, 1, 0));
    sendto(u, "self", 4, 0, (struct sockaddr *)&a, sizeof a);
    sh("poll udp", poll(&pf, 1, 0));
    printf("revents %#x\n", (unsigned)pf.revents);
    close(u);
    close(ep);
}

// ---- threads ----

static int g_lst, g_sv[2];
static struct sockaddr_storage g_sa;
static socklen_t g_salen;

static void *acceptor(void *arg) {
    (void)arg;
    int s = accept(g_lst, 0, 0);
    char buf[16] = {0};
    long n = recv(s, buf, 12, MSG_WAITALL);
    send(s, buf, n, 0);
    close(s);
    return (void *)n;
}

static void *late_sender(void *arg) {
    (void)arg;
    sleep_ms(5);
    write(g_sv[1], "late", 4);
    return 0;
}

static void *sink(void *arg) {
    int fd = (int)(intptr_t)arg;
    static char buf[10000];
    long total = 0, n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        total += n;
    return (void *)total;
}

static void *connector(void *arg) {
    (void)arg;
    sleep_ms(5);
    int c = socket(g_sa.ss_family, SOCK_STREAM, 0);
    connect(c, (struct sockaddr *)&g_sa, g_salen);
    return (void *)(intptr_t)c;
}

static void bulk(int wfd, int rfd, const char *what) {
    static char block[300000];
    for (size_t i = 0; i < sizeof block; i++)
        block[i] = (char)(i * 7);
    pthread_t t;
    pthread_create(&t, 0, sink, (void *)(intptr_t)rfd);
    long sent = 0;
    for (int i = 0; i < 10; i++) {
        long n = write(wfd, block, sizeof block);
        if (n > 0)
            sent += n;
    }
    shutdown(wfd, SHUT_WR);
    void *got;
    pthread_join(t, &got);
    printf("%s bulk: sent %ld received %ld\n", what, sent, (long)got);
}

static void sec_threads(void) {
    puts("== threads");
    // a blocking accept and a MSG_WAITALL recv in a thread
    g_lst = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = loop4(0);
    bind(g_lst, (struct sockaddr *)&a, sizeof a);
    listen(g_lst, 1);
    a.sin_port = htons(port_of(g_lst));
    pthread_t t;
    pthread_create(&t, 0, acceptor, 0);
    sleep_ms(5);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    sh("connect to blocked acceptor", connect(c, (struct sockaddr *)&a, sizeof a));
    send(c, "split", 5, 0);
    sleep_ms(2);
    send(c, " in two", 7, 0);
    char buf[32] = {0};
    sh("recv echo (waitall)", recv(c, buf, 12, MSG_WAITALL));
    printf("echo '%s'\n", buf);
    void *r;
    pthread_join(t, &r);
    printf("acceptor got %ld\n", (long)r);
    close(c);
    // a blocking accept woken by a thread's connect
    memcpy(&g_sa, &a, sizeof a);
    g_salen = sizeof a;
    pthread_create(&t, 0, connector, 0);
    int s = accept(g_lst, 0, 0);
    printf("blocking accept: %s\n", s >= 0 ? "ok" : sename(errno));
    pthread_join(t, &r);
    close((int)(intptr_t)r);
    close(s);
    close(g_lst);
    // a blocking read woken by a thread's write
    socketpair(AF_UNIX, SOCK_STREAM, 0, g_sv);
    pthread_create(&t, 0, late_sender, 0);
    memset(buf, 0, sizeof buf);
    sh("blocking read", read(g_sv[0], buf, sizeof buf));
    printf("read '%s'\n", buf);
    pthread_join(t, 0);
    // a blocking poll woken by a thread's write
    pthread_create(&t, 0, late_sender, 0);
    struct pollfd pf = {g_sv[0], POLLIN, 0};
    sh("blocking poll", poll(&pf, 1, -1));
    pthread_join(t, 0);
    read(g_sv[0], buf, sizeof buf);
    // bulk transfers fill the buffers and block the writer
    bulk(g_sv[1], g_sv[0], "unix");
    close(g_sv[0]);
    close(g_sv[1]);
    int l = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 a6 = loop6(0);
    bind(l, (struct sockaddr *)&a6, sizeof a6);
    listen(l, 1);
    a6.sin6_port = htons(port_of(l));
    c = socket(AF_INET6, SOCK_STREAM, 0);
    connect(c, (struct sockaddr *)&a6, sizeof a6);
    s = accept(l, 0, 0);
    bulk(c, s, "tcp6");
    close(c);
    close(s);
    close(l);
}


// ---- rvrun only: a guest with no network beyond itself ----
// (not compared with QEMU, whose host has a network: tests/net.rs checks this output)

static void sec_offline(void) {
    puts("== offline");
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in far = loop4(80);
    far.sin_addr.s_addr = htonl(0x0a000001);
    sh("tcp connect 10.0.0.1", connect(s, (struct sockaddr *)&far, sizeof far));
    sh("tcp bind 10.0.0.1", bind(s, (struct sockaddr *)&far, sizeof far));
    close(s);
    s = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 far6 = loop6(80);
    inet_pton(AF_INET6, "2001:db8::1", &far6.sin6_addr);
    sh("tcp6 connect 2001:db8::1", connect(s, (struct sockaddr *)&far6, sizeof far6));
    close(s);
    s = socket(AF_INET, SOCK_DGRAM, 0);
    far.sin_addr.s_addr = htonl(0x08080808);
    far.sin_port = htons(53);
    sh("udp sendto 8.8.8.8", sendto(s, "q", 1, 0, (struct sockaddr *)&far, sizeof far));
    close(s);
    // ephemeral ports in order
    int a = socket(AF_INET, SOCK_STREAM, 0), b = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in l = loop4(0);
    bind(a, (struct sockaddr *)&l, sizeof l);
    bind(b, (struct sockaddr *)&l, sizeof l);
    printf("ephemeral ports %u %u\n", port_of(a), port_of(b));
    l.sin_port = htons(80);
    sh("bind port 80 unprivileged", bind(socket(AF_INET, SOCK_STREAM, 0), (struct sockaddr *)&l, sizeof l));
    close(a);
    close(b);
    // what QEMU cannot pass through
    sh("socket bad type flags", socket(AF_INET, SOCK_STREAM | 0x10000000, 0));
    sh("socket type 99", socket(AF_INET, 99, 0));
    sh("socket raw", socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    struct msghdr mh;
    memset(&mh, 0, sizeof mh);
    struct iovec io = {"x", 1};
    mh.msg_iov = &io;
    mh.msg_iovlen = 1;
    char ctl[64];
    memset(ctl, 0, sizeof ctl);
    mh.msg_control = ctl;
    mh.msg_controllen = 0x80000000u;
    sh("sendmsg controllen 2^31", raw_sendmsg(sv[0], &mh, 0));
    mh.msg_controllen = sizeof ctl;
    struct cmsghdr *cm = (struct cmsghdr *)ctl;
    cm->cmsg_len = 4;
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    sh("sendmsg cmsg_len 4", raw_sendmsg(sv[0], &mh, 0));
    cm->cmsg_len = 1000;
    sh("sendmsg cmsg_len past the buffer", raw_sendmsg(sv[0], &mh, 0));
    cm->cmsg_len = CMSG_LEN(12);
    cm->cmsg_type = SCM_CREDENTIALS;
    struct ucred forged = {1, getuid(), getgid()};
    memcpy(CMSG_DATA(cm), &forged, sizeof forged);
    mh.msg_controllen = CMSG_SPACE(12);
    sh("sendmsg forged pid", raw_sendmsg(sv[0], &mh, 0));
    close(sv[0]);
    close(sv[1]);
    // the loopback interface through NETLINK_ROUTE
    int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0);
    struct { struct nlmsghdr h; struct rtgenmsg g; } req;
    memset(&req, 0, sizeof req);
    req.h.nlmsg_len = sizeof req;
    req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.h.nlmsg_seq = 1;
    req.g.rtgen_family = AF_UNSPEC;
    struct sockaddr_nl k = {.nl_family = AF_NETLINK};
    for (int type = RTM_GETLINK; type <= RTM_GETADDR; type += RTM_GETADDR - RTM_GETLINK) {
        req.h.nlmsg_type = type;
        sh("netlink sendto", sendto(nl, &req, sizeof req, 0, (struct sockaddr *)&k, sizeof k));
        static char buf[8192];
        for (int done = 0; !done;) {
            int n = recv(nl, buf, sizeof buf, 0);
            if (n <= 0) {
                sh("netlink recv", n);
                break;
            }
            for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
                if (h->nlmsg_type == NLMSG_DONE) {
                    done = 1;
                    break;
                }
                if (h->nlmsg_type == RTM_NEWLINK) {
                    struct ifinfomsg *ifi = NLMSG_DATA(h);
                    const char *name = "?";
                    int len = IFLA_PAYLOAD(h);
                    for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len))
                        if (a->rta_type == IFLA_IFNAME)
                            name = RTA_DATA(a);
                    printf("link %d %s type %d flags %#x\n", ifi->ifi_index, name, ifi->ifi_type, ifi->ifi_flags);
                } else if (h->nlmsg_type == RTM_NEWADDR) {
                    struct ifaddrmsg *ifa = NLMSG_DATA(h);
                    char txt[INET6_ADDRSTRLEN] = "?";
                    int len = IFA_PAYLOAD(h);
                    for (struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len))
                        if (a->rta_type == IFA_ADDRESS)
                            inet_ntop(ifa->ifa_family, RTA_DATA(a), txt, sizeof txt);
                    printf("addr %d %s/%d scope %d\n", ifa->ifa_index, txt, ifa->ifa_prefixlen, ifa->ifa_scope);
                } else {
                    printf("netlink message type %d\n", h->nlmsg_type);
                }
            }
        }
    }
    struct sockaddr_nl me;
    socklen_t ml = sizeof me;
    getsockname(nl, (struct sockaddr *)&me, &ml);
    printf("netlink port id is the pid %d\n", me.nl_pid == (unsigned)getpid());
    close(nl);
}

int main(int argc, char **argv) {
    (void)show;
    setvbuf(stdout, 0, _IONBF, 0);
    if (argc > 1 && argv[argc - 1][0] == '/') {
        snprintf(dir, sizeof dir, "%s", argv[argc - 1]);
        argc--;
    }
    const char *all[] = {"errors", "pair", "unix", "tcp", "tcp6", "udp", "poll", "threads"};
    int nsec = argc > 1 ? argc - 1 : 8;
    for (int i = 0; i < nsec; i++) {
        const char *s = argc > 1 ? argv[i + 1] : all[i];
        if (!strcmp(s, "errors"))
            sec_errors();
        else if (!strcmp(s, "pair"))
            sec_pair();
        else if (!strcmp(s, "unix"))
            sec_unix();
        else if (!strcmp(s, "tcp"))
            sec_tcp();
        else if (!strcmp(s, "tcp6"))
            sec_tcp6();
        else if (!strcmp(s, "udp"))
            sec_udp();
        else if (!strcmp(s, "poll"))
            sec_poll();
        else if (!strcmp(s, "threads"))
            sec_threads();
        else if (!strcmp(s, "offline"))
            sec_offline();
        else {
            printf("unknown section %s\n", s);
            return 2;
        }
    }
    return 0;
}
