/* statfs and fstatfs: statfs [DIR [rvrun]]
 *
 * Prints, for the file systems whose answer Linux fixes, the magic number, block size,
 * fragment size, name limit and (for the pseudo file systems, answered by simple_statfs)
 * the block and inode counts (not the fsid, derived from device numbers): /proc and files in it, /sys, a pipe, a socket, an eventfd,
 * an epoll instance, a memfd. Then the errors in Linux's order: the path is read and
 * resolved before the buffer is written. DIR is a writable scratch directory for a symlink
 * loop (its own file system is the host's under QEMU, so nothing of it is printed).
 *
 * QEMU passes statfs to the host kernel, whose mount flags and /dev, /tmp and / file systems
 * depend on the machine; with "rvrun" after DIR the program also prints every field for
 * rvrun's own file systems, which tests/machine.rs checks. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "show.h"

static void show_x(const char *what, long r) {
    if (r < 0 && errno == ENOTDIR)
        printf("%s: -1 ENOTDIR\n", what);
    else
        show(what, r);
}
#define show show_x

// The fields every Linux gives a file system of this kind.
static void fixed(const char *what, const struct statfs *s, int counts) {
    printf("%s: type %#lx bsize %ld frsize %ld namelen %ld", what, (long)s->f_type,
           (long)s->f_bsize, (long)s->f_frsize, (long)s->f_namelen);
    if (counts)
        printf(" blocks %lu bfree %lu bavail %lu files %lu ffree %lu",
               (unsigned long)s->f_blocks, (unsigned long)s->f_bfree,
               (unsigned long)s->f_bavail, (unsigned long)s->f_files,
               (unsigned long)s->f_ffree);
    printf("\n");
}

// Every field, and the flags.
static void all(const char *what, const struct statfs *s) {
    printf("all %s: type %#lx bsize %ld blocks %lu bfree %lu files %lu ffree %lu fsid %d,%d "
           "namelen %ld frsize %ld flags %#lx\n",
           what, (long)s->f_type, (long)s->f_bsize, (unsigned long)s->f_blocks,
           (unsigned long)s->f_bfree, (unsigned long)s->f_files,
           (unsigned long)s->f_ffree, s->f_fsid.__val[0], s->f_fsid.__val[1],
           (long)s->f_namelen, (long)s->f_frsize, (long)s->f_flags);
    if (s->f_bavail != s->f_bfree)
        printf("%s: bavail %lu differs from bfree\n", what, (unsigned long)s->f_bavail);
}

static long raw_statfs(const char *path, void *buf) { return syscall(SYS_statfs, path, buf); }
static long raw_fstatfs(long fd, void *buf) { return syscall(SYS_fstatfs, fd, buf); }

static void by_fd(const char *what, int fd, int counts) {
    struct statfs s;
    memset(&s, 0xee, sizeof s);
    long r = raw_fstatfs(fd, &s);
    if (r < 0)
        show(what, r);
    else
        fixed(what, &s, counts);
}

static void by_path(const char *path, int counts) {
    struct statfs s;
    memset(&s, 0xee, sizeof s);
    long r = raw_statfs(path, &s);
    if (r < 0)
        show(path, r);
    else
        fixed(path, &s, counts);
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : NULL;
    struct statfs s;

    by_path("/proc", 1);
    by_path("/proc/self", 1);
    by_path("/proc/self/status", 1);
    by_path("/proc/version", 1);
    by_path("/sys", 1);
    by_path("/sys/devices/system/cpu/online", 1);

    // (QEMU emulates /proc/self/stat with a file of its own; status is the kernel's.)
    int fd = open("/proc/self/status", O_RDONLY);
    by_fd("fstatfs /proc/self/status", fd, 1);
    close(fd);
    fd = open("/proc", O_PATH | O_DIRECTORY);
    by_fd("fstatfs O_PATH /proc", fd, 1);
    close(fd);

    int p[2];
    pipe(p);
    by_fd("fstatfs pipe read end", p[0], 1);
    by_fd("fstatfs pipe write end", p[1], 1);
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    by_fd("fstatfs socket", sv[0], 1);
    int efd = eventfd(0, 0);
    by_fd("fstatfs eventfd", efd, 1);
    int ep = epoll_create1(0);
    by_fd("fstatfs epoll", ep, 1);
    int mfd = syscall(SYS_memfd_create, "statfs", 0);
    by_fd("fstatfs memfd", mfd, 0);

    // Errors: the path first (read, then resolved), then the buffer.
    show("statfs NULL path", raw_statfs(NULL, &s));
    show("statfs NULL path, bad buffer", raw_statfs(NULL, (void *)8));
    show("statfs empty path", raw_statfs("", &s));
    show("statfs missing", raw_statfs("/no/such/file", &s));
    show("statfs missing, bad buffer", raw_statfs("/no/such/file", (void *)8));
    show("statfs through a file", raw_statfs("/proc/version/x", &s));
    show("statfs bad buffer", raw_statfs("/proc", (void *)8));
    show("statfs NULL buffer", raw_statfs("/proc", NULL));
    char longname[300];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    show("statfs name too long", raw_statfs(longname, &s));
    show("fstatfs -1", raw_fstatfs(-1, &s));
    show("fstatfs closed fd", raw_fstatfs(500, &s));
    show("fstatfs closed fd, bad buffer", raw_fstatfs(500, (void *)8));
    show("fstatfs bad buffer", raw_fstatfs(p[0], (void *)8));
    show("fstatfs fd as unsigned", raw_fstatfs(0x100000000L + p[0], &s));
    if (dir) {
        char a[4096], b[4096];
        snprintf(a, sizeof a, "%s/statfs-loop-a", dir);
        snprintf(b, sizeof b, "%s/statfs-loop-b", dir);
        symlink(b, a);
        symlink(a, b);
        show("statfs symlink loop", raw_statfs(a, &s));
        snprintf(b, sizeof b, "%s/.", dir);
        show("statfs scratch dir", raw_statfs(b, &s));
        unlink(a);
        snprintf(b, sizeof b, "%s/statfs-loop-b", dir);
        unlink(b);
    }

    if (argc > 2 && strcmp(argv[2], "rvrun") == 0) {
        const char *paths[] = {"/",   "/tmp", "/dev",           "/dev/null",
                               "/etc/passwd", "/proc", "/sys", "/sys/fs/cgroup",
                               "/sys/fs/cgroup/cpu.max", "/proc/self/task", "/ro"};
        for (unsigned i = 0; i < sizeof paths / sizeof *paths; i++) {
            memset(&s, 0xee, sizeof s);
            long r = raw_statfs(paths[i], &s);
            if (r < 0)
                show(paths[i], r);
            else
                all(paths[i], &s);
        }
        int fds[] = {p[0], sv[0], efd, ep, mfd, 1};
        const char *names[] = {"pipe", "socket", "eventfd", "epoll", "memfd", "stdout"};
        for (unsigned i = 0; i < 6; i++) {
            memset(&s, 0xee, sizeof s);
            raw_fstatfs(fds[i], &s);
            all(names[i], &s);
        }
    }
    return 0;
}
