/* The kernel's bounds on work a call can ask for: bounds DIR (a writable scratch directory)
 *
 * Symlink chains and loops (ELOOP after 40 links in one lookup, however they nest), renames
 * of a directory into its own subtree, iovec counts (UIO_MAXIOV), readlink sizes, path and
 * name lengths, deep directory trees. Each line names a call and its result or errno. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "show.h"

int main(int argc, char **argv) {
    if (argc < 2 || chdir(argv[1]) != 0) {
        printf("usage: bounds DIR\n");
        return 1;
    }
    char name[64], target[64], line[128];
    /* A chain: c0 -> file, c(i) -> c(i-1). Opening c(n) follows n+1 links. */
    close(open("file", O_CREAT | O_WRONLY, 0600));
    symlink("file", "c0");
    for (int i = 1; i <= 41; i++) {
        snprintf(name, sizeof name, "c%d", i);
        snprintf(target, sizeof target, "c%d", i - 1);
        symlink(target, name);
    }
    for (int i = 38; i <= 41; i++) {
        snprintf(name, sizeof name, "c%d", i);
        snprintf(line, sizeof line, "open chain of %d links", i + 1);
        int fd = open(name, O_RDONLY);
        show(line, fd);
        if (fd >= 0)
            close(fd);
    }
    symlink("self", "self");
    show("open self-loop", open("self", O_RDONLY));
    show("stat through self-loop dir", stat("self/x", &(struct stat){0}));
    show("lstat self-loop", lstat("self", &(struct stat){0}));
    symlink("pong", "ping");
    symlink("ping", "pong");
    show("open ping-pong", open("ping", O_RDONLY));
    /* Links whose targets name links several times: each follow counts. */
    mkdir("d", 0700);
    symlink(".", "d/dot");
    show("open d/dot x 20 then file", open("d/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/../file", O_RDONLY));
    show("open d/dot x 41", open("d/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot/dot", O_RDONLY));
    /* d/ten follows 11 links (itself and ten dots): three of them fit in 40, four do not. */
    symlink("dot/dot/dot/dot/dot/dot/dot/dot/dot/dot", "d/ten");
    symlink("d/ten/ten/ten", "three");
    symlink("d/ten/ten/ten/ten", "four");
    show("stat three (1 + 3 x 11 links)", stat("three", &(struct stat){0}));
    show("stat four (1 + 4 x 11 links)", stat("four", &(struct stat){0}));

    /* Renames into their own subtree. */
    mkdir("a", 0700);
    mkdir("a/b", 0700);
    mkdir("a/b/c", 0700);
    show("rename a into a/b/c", rename("a", "a/b/c/a"));
    show("rename a onto a/b", rename("a", "a/b"));
    show("rename a/b/c onto a", rename("a/b/c", "a"));
    show("rename a/b onto a/b/c", rename("a/b", "a/b/c"));
    show("rename a to a", rename("a", "a"));

    /* iovec counts. */
    int fd = open("io", O_CREAT | O_RDWR | O_TRUNC, 0600);
    static struct iovec iov[1025];
    static char byte[1025];
    for (int i = 0; i < 1025; i++) {
        iov[i].iov_base = &byte[i];
        iov[i].iov_len = 1;
    }
    show("writev 1024 iovecs", writev(fd, iov, 1024));
    show("writev 1025 iovecs", writev(fd, iov, 1025));
    volatile int minus_one = -1; /* (volatile: no compiler warning) */
    show("writev -1 iovecs", writev(fd, iov, minus_one));
    lseek(fd, 0, SEEK_SET);
    show("readv 1024 iovecs", readv(fd, iov, 1024));
    show("readv 1025 iovecs", readv(fd, iov, 1025));
    show("preadv 1025 iovecs", preadv(fd, iov, 1025, 0));
    close(fd);

    /* readlink sizes. */
    char buf[8];
    show("readlink size 0", readlink("c0", buf, 0));
    show("readlink size 2", readlink("c0", buf, 2));
    /* (a negative size is EINVAL under Linux too; QEMU answers EFAULT, so it is left out) */

    /* Path and name lengths. */
    static char path[8192];
    memset(path, 'n', 256);
    path[256] = 0;
    show("open name of 256", open(path, O_RDONLY));
    path[255] = 0;
    show("open name of 255", open(path, O_RDONLY));
    for (int i = 0; i < 4095; i++)
        path[i] = i % 2 ? '/' : '.';
    path[4094] = '.';
    path[4095] = 0;
    show("stat path of 4095", stat(path, &(struct stat){0}));
    path[4095] = '/';
    path[4096] = 0;
    show("stat path of 4096", stat(path, &(struct stat){0}));

    /* A deep tree, made and walked one level at a time. */
    int depth = 0, dfd = open(".", O_RDONLY | O_DIRECTORY);
    mkdir("deep", 0700);
    int cur = openat(dfd, "deep", O_RDONLY | O_DIRECTORY);
    for (depth = 0; depth < 1500; depth++) {
        if (mkdirat(cur, "x", 0700) != 0)
            break;
        int next = openat(cur, "x", O_RDONLY | O_DIRECTORY);
        close(cur);
        cur = next;
    }
    close(cur);
    printf("deep tree: %d levels\n", depth);
    char *deep = malloc(4 * 1500 + 8);
    strcpy(deep, "deep");
    for (int i = 0; i < 1500; i++)
        strcat(deep, "/x");
    show("stat 1500 levels", stat(deep, &(struct stat){0}));
    deep[2000 * 0 + 4 + 2 * 1000] = 0;
    show("stat 1000 levels", stat(deep, &(struct stat){0}));
    return 0;
}
