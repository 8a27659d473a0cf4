/* splice and tee: splice DIR (a writable scratch directory)
 *
 * Between pipes, files, sockets (AF_UNIX stream and TCP on loopback) and devices: what
 * moves, the offsets (given ones are updated, otherwise the file position moves), tee
 * leaving the bytes in place, the errors in Linux's order (zero length first for splice,
 * unknown flags first for tee; EBADF; ESPIPE for offsets on pipes; EFAULT for offsets;
 * EBADF for the access modes; EINVAL when neither end is a pipe, for the same pipe, an
 * offset on a socket, O_APPEND, a negative offset, an end that cannot splice), EAGAIN for
 * SPLICE_F_NONBLOCK and O_NONBLOCK pipes, 0 at end of file, EPIPE (with SIGPIPE) without a
 * reader, and blocking splices that another thread completes. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "show.h"

static void show_x(const char *what, long r) {
    const char *n = NULL;
    if (r < 0) {
        switch (errno) {
        case ESPIPE: n = "ESPIPE"; break;
        case EPIPE: n = "EPIPE"; break;
        }
    }
    if (n)
        printf("%s: -1 %s\n", what, n);
    else
        show(what, r);
}
#define show show_x

static long sp(int in, long long *offin, int out, long long *offout, size_t len, unsigned flags) {
    return syscall(SYS_splice, in, offin, out, offout, len, flags);
}

static long te(int in, int out, size_t len, unsigned flags) {
    return syscall(SYS_tee, in, out, len, flags);
}

// Reads what is in pipe/socket fd (non-blocking) and prints it.
static void drain(const char *what, int fd) {
    char buf[256];
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    long n = read(fd, buf, sizeof buf - 1);
    fcntl(fd, F_SETFL, fl);
    if (n < 0) {
        printf("%s holds: nothing (%s)\n", what, errno == EAGAIN ? "EAGAIN" : "error");
        return;
    }
    buf[n] = 0;
    printf("%s holds: \"%s\"\n", what, buf);
}

static int late_fd;
static const char *late_data;

static void *late_writer(void *arg) {
    (void)arg;
    usleep(20000);
    write(late_fd, late_data, strlen(late_data));
    return NULL;
}

static void file_contents(const char *what, int fd) {
    char buf[256];
    long n = pread(fd, buf, sizeof buf - 1, 0);
    buf[n < 0 ? 0 : n] = 0;
    printf("%s: \"%s\" (position %ld)\n", what, buf, (long)lseek(fd, 0, SEEK_CUR));
}

int main(int argc, char **argv) {
    if (argc < 2)
        return 2;
    setvbuf(stdout, NULL, _IONBF, 0);
    signal(SIGPIPE, SIG_IGN);
    char path[4096];
    snprintf(path, sizeof path, "%s/splice-file", argv[1]);
    int f = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    write(f, "0123456789abcdef", 16);
    lseek(f, 2, SEEK_SET);
    int p[2], q[2];
    pipe(p);
    pipe(q);
    long long off;

    // Order of checks.
    show("len 0, bad fds, bad flags", sp(-1, NULL, -1, NULL, 0, 0x100));
    show("bad flags", sp(p[0], NULL, q[1], NULL, 1, 0x10));
    show("bad fd_in", sp(-1, NULL, q[1], NULL, 1, 0));
    show("bad fd_out", sp(p[0], NULL, 99, NULL, 1, 0));
    int opath = open(path, O_PATH);
    show("O_PATH fd_in", sp(opath, NULL, q[1], NULL, 1, 0));
    off = 0;
    show("offset on the input pipe", sp(p[0], &off, f, NULL, 1, 0));
    show("offset on the output pipe", sp(f, NULL, q[1], &off, 1, 0));
    show("offset on a pipe, bad fd_out", sp(p[0], &off, 99, NULL, 1, 0));
    show("bad offset pointer", sp(f, (long long *)8, q[1], NULL, 1, 0));
    int wo = open(path, O_WRONLY);
    show("bad offset pointer on a write-only input", sp(wo, (long long *)8, q[1], NULL, 1, 0));
    show("write-only input", sp(wo, NULL, q[1], NULL, 1, 0));
    show("pipe write end as input", sp(p[1], NULL, q[1], NULL, 1, 0));
    show("pipe read end as output", sp(p[0], NULL, q[0], NULL, 1, 0));
    show("file to file", sp(f, NULL, wo, NULL, 1, 0));
    show("same pipe", sp(p[0], NULL, p[1], NULL, 1, 0));
    int ap = open(path, O_WRONLY | O_APPEND);
    show("O_APPEND output", sp(p[0], NULL, ap, NULL, 1, 0));
    off = -1;
    show("negative input offset", sp(f, &off, q[1], NULL, 1, 0));
    show("negative output offset", sp(p[0], NULL, f, &off, 1, 0));
    int efd = eventfd(0, 0);
    show("eventfd output", sp(p[0], NULL, efd, NULL, 1, 0));
    show("eventfd input", sp(efd, NULL, q[1], NULL, 8, 0));

    // Nothing to move.
    show("empty pipe, SPLICE_F_NONBLOCK", sp(p[0], NULL, f, NULL, 4, 2));
    show("empty pipe to pipe, SPLICE_F_NONBLOCK", sp(p[0], NULL, q[1], NULL, 4, 2));
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    show("empty O_NONBLOCK pipe", sp(p[0], NULL, f, NULL, 4, 0));
    fcntl(p[0], F_SETFL, 0);
    show("tee empty pipe, SPLICE_F_NONBLOCK", te(p[0], q[1], 4, 2));

    // File to pipe.
    off = 4;
    show("file at offset 4 to pipe, 3 bytes", sp(f, &off, p[1], NULL, 3, 0));
    printf("offset now %lld, position %ld\n", off, (long)lseek(f, 0, SEEK_CUR));
    show("file at its position to pipe, 2 bytes", sp(f, NULL, p[1], NULL, 2, 0));
    printf("position now %ld\n", (long)lseek(f, 0, SEEK_CUR));
    // tee copies, splice moves.
    show("tee 3 bytes", te(p[0], q[1], 3, 0));
    drain("q after tee", q[0]);
    show("pipe to pipe, 100 bytes", sp(p[0], NULL, q[1], NULL, 100, 0));
    drain("p after splice", p[0]);
    drain("q after splice", q[0]);
    // Pipe to file.
    write(p[1], "XYZ", 3);
    off = 10;
    show("pipe to file at offset 10", sp(p[0], NULL, f, &off, 100, 0));
    printf("offset now %lld\n", off);
    write(p[1], "uv", 2);
    show("pipe to file at its position", sp(p[0], NULL, f, NULL, 1, 0));
    file_contents("file", f);
    drain("p after pipe to file", p[0]);
    show("file at the end to pipe", sp(f, (off = 16, &off), p[1], NULL, 5, 0));
    // Devices.
    int zero = open("/dev/zero", O_RDONLY), null = open("/dev/null", O_WRONLY);
    show("/dev/zero to pipe", sp(zero, NULL, p[1], NULL, 5, 0));
    show("pipe to /dev/null", sp(p[0], NULL, null, NULL, 100, 0));
    drain("p after /dev/null", p[0]);

    // End of file: no writer left.
    int r[2];
    pipe(r);
    write(r[1], "end", 3);
    close(r[1]);
    show("pipe with data, writer gone", sp(r[0], NULL, f, (off = 0, &off), 10, 0));
    show("empty pipe, writer gone", sp(r[0], NULL, f, NULL, 10, 0));
    show("empty pipe, writer gone, to pipe", sp(r[0], NULL, q[1], NULL, 10, 0));
    show("tee empty pipe, writer gone", te(r[0], q[1], 10, 0));
    close(r[0]);

    // No reader: EPIPE.
    pipe(r);
    close(r[0]);
    show("file to pipe without reader", sp(f, (off = 0, &off), r[1], NULL, 4, 0));
    write(p[1], "a", 1);
    show("pipe to pipe without reader", sp(p[0], NULL, r[1], NULL, 4, 0));
    show("tee to pipe without reader", te(p[0], r[1], 4, 0));
    close(r[1]);
    drain("p", p[0]);

    // A full pipe.
    pipe(r);
    fcntl(r[1], F_SETFL, O_NONBLOCK);
    char big[65536];
    memset(big, 'x', sizeof big);
    printf("filled: %ld\n", (long)write(r[1], big, sizeof big));
    show("file to full O_NONBLOCK pipe", sp(f, (off = 0, &off), r[1], NULL, 4, 0));
    fcntl(r[1], F_SETFL, 0);
    show("file to full pipe, SPLICE_F_NONBLOCK", sp(f, (off = 0, &off), r[1], NULL, 4, 2));
    // (Linux counts a pipe's room in pages: reading less than a page frees none.)
    read(r[0], big, 4096);
    show("file to pipe with a page free, 16 asked", sp(f, (off = 0, &off), r[1], NULL, 16, 0));
    close(r[0]);
    close(r[1]);

    // Unix stream sockets.
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    write(sv[1], "from socket", 11);
    show("socket to pipe", sp(sv[0], NULL, p[1], NULL, 100, 0));
    show("empty socket to pipe, SPLICE_F_NONBLOCK", sp(sv[0], NULL, p[1], NULL, 100, 2));
    off = 0;
    show("socket with an offset", sp(sv[0], &off, p[1], NULL, 100, 0));
    show("pipe to socket with an offset", sp(p[0], NULL, sv[1], &off, 100, 0));
    show("pipe to socket", sp(p[0], NULL, sv[1], NULL, 100, 0));
    drain("peer socket", sv[0]);
    shutdown(sv[1], SHUT_WR);
    show("socket at end of file to pipe", sp(sv[0], NULL, p[1], NULL, 100, 0));
    close(sv[0]);
    write(p[1], "zz", 2);
    show("pipe to socket whose peer is gone", sp(p[0], NULL, sv[1], NULL, 100, 0));
    drain("p", p[0]);
    close(sv[1]);

    // TCP on loopback.
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bind(ls, (struct sockaddr *)&a, sizeof a);
    socklen_t al = sizeof a;
    getsockname(ls, (struct sockaddr *)&a, &al);
    listen(ls, 1);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    connect(c, (struct sockaddr *)&a, sizeof a);
    int s = accept(ls, NULL, NULL);
    write(c, "tcp bytes", 9);
    show("tcp to pipe", sp(s, NULL, p[1], NULL, 100, 1));
    show("pipe to tcp", sp(p[0], NULL, s, NULL, 100, 1));
    drain("tcp peer", c);
    fcntl(s, F_SETFL, O_NONBLOCK);
    show("empty O_NONBLOCK tcp to pipe", sp(s, NULL, p[1], NULL, 100, 0));
    close(c);
    close(s);
    close(ls);

    // Blocking splices another thread completes.
    pthread_t t;
    late_fd = p[1];
    late_data = "late";
    pthread_create(&t, NULL, late_writer, NULL);
    show("blocking pipe to file", sp(p[0], NULL, f, (off = 0, &off), 100, 0));
    pthread_join(t, NULL);
    file_contents("file", f);
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    late_fd = sv[1];
    late_data = "late socket";
    pthread_create(&t, NULL, late_writer, NULL);
    show("blocking socket to pipe", sp(sv[0], NULL, p[1], NULL, 100, 0));
    pthread_join(t, NULL);
    drain("p", p[0]);
    late_fd = p[1];
    late_data = "late tee";
    pthread_create(&t, NULL, late_writer, NULL);
    show("blocking tee", te(p[0], q[1], 100, 0));
    pthread_join(t, NULL);
    drain("q", q[0]);
    drain("p", p[0]);

    // tee checks its flags before the length.
    show("tee len 0, bad flags", te(-1, -1, 0, 0x100));
    show("tee len 0, bad fds", te(-1, -1, 0, 0));
    show("tee bad fd", te(p[0], 99, 1, 0));
    show("tee same pipe", te(p[0], p[1], 1, 0));
    show("tee file", te(f, q[1], 1, 0));
    show("tee write end as input", te(p[1], q[1], 1, 0));
    unlink(path);
    return 0;
}
