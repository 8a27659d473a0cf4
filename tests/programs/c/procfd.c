// /proc/self/fd and /proc/self/fdinfo: link targets (files, unlinked files, directories,
// pipes, sockets, eventfd, epoll, memfd), the permission bits of the links, following them
// to the open file (stat, reopen of a deleted file and of a pipe), the listing in
// increasing fd order, fdinfo's pos and flags lines, and ENOENT/ELOOP/ENXIO. Paths and
// inode numbers are printed only as comparisons, fds only relative to the first one this
// program opens (QEMU holds fds of its own).
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "show.h"

static char link_buf[PATH_MAX + 32];

static const char *link_of(int fd) {
    char p[64];
    snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(p, link_buf, sizeof link_buf - 1);
    if (n < 0)
        return NULL;
    link_buf[n] = 0;
    return link_buf;
}

// The link names "PREFIX:[INO]" with INO fstat's inode number.
static void pseudo(const char *what, int fd, const char *prefix) {
    struct stat st;
    fstat(fd, &st);
    char want[64];
    snprintf(want, sizeof want, "%s:[%lu]", prefix, (unsigned long)st.st_ino);
    const char *l = link_of(fd);
    printf("%s link matches: %d\n", what, l && strcmp(l, want) == 0);
}

static void link_mode(const char *what, int fd) {
    char p[64];
    struct stat st, fst, lst;
    snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
    show("lstat", lstat(p, &lst));
    printf("%s lstat: link %d mode %o\n", what, S_ISLNK(lst.st_mode), lst.st_mode & 07777);
    fstat(fd, &fst);
    show("stat", stat(p, &st));
    printf("%s stat follows: %d\n", what, st.st_ino == fst.st_ino && st.st_dev == fst.st_dev &&
                                               (st.st_mode & S_IFMT) == (fst.st_mode & S_IFMT));
}

// Prints fdinfo's pos and flags lines, and whether ino equals fstat's.
static void fdinfo(const char *what, int fd) {
    char p[64], buf[512];
    snprintf(p, sizeof p, "/proc/self/fdinfo/%d", fd);
    int f = open(p, O_RDONLY);
    if (f < 0) {
        show(what, -1);
        return;
    }
    ssize_t n = read(f, buf, sizeof buf - 1);
    close(f);
    buf[n < 0 ? 0 : n] = 0;
    struct stat st;
    fstat(fd, &st);
    char *line = strtok(buf, "\n");
    int has_mnt = 0, ino_ok = 0;
    while (line) {
        if (!strncmp(line, "pos:", 4) || !strncmp(line, "flags:", 6))
            printf("%s %s\n", what, line);
        if (!strncmp(line, "mnt_id:\t", 8))
            has_mnt = 1;
        if (!strncmp(line, "ino:\t", 5))
            ino_ok = strtoul(line + 5, NULL, 10) == st.st_ino;
        line = strtok(NULL, "\n");
    }
    printf("%s mnt_id line: %d ino matches: %d\n", what, has_mnt, ino_ok);
}

// Which of the fds in `fds` (named by `names`, -1 for none) the listing shows, and
// whether it lists ".", "..", then links in increasing fd order.
static void listing(const int *fds, const char *const *names, int n) {
    DIR *d = opendir("/proc/self/fd");
    if (!d) {
        show("opendir", -1);
        return;
    }
    int last = -1, ascending = 1, dots = 0;
    char seen[32] = {0};
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) {
            dots++;
            if (last >= 0)
                ascending = 0;
            continue;
        }
        int fd = atoi(e->d_name);
        if (fd <= last || e->d_type != DT_LNK)
            ascending = 0;
        last = fd;
        for (int i = 0; i < n; i++)
            if (fds[i] == fd)
                seen[i] = 1;
    }
    closedir(d);
    printf("listing: dots %d ascending %d ours:", dots, ascending);
    for (int i = 0; i < n; i++)
        if (seen[i])
            printf(" %s", names[i]);
    printf("\n");
}

int main(int argc, char **argv) {
    if (argc < 2)
        return 2;
    char tmp[PATH_MAX], path[PATH_MAX + 16], want[PATH_MAX + 32];
    if (!realpath(argv[1], tmp))
        return 3;
    snprintf(path, sizeof path, "%s/procfd-a", tmp);
    unlink(path);

    int a = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    write(a, "hello, deleted file\n", 20);
    const char *l = link_of(a);
    printf("file link is its path: %d\n", l && strcmp(l, path) == 0);
    link_mode("rdwr", a);
    int r = open(path, O_RDONLY);
    link_mode("rdonly", r);
    int w = open(path, O_WRONLY | O_CLOEXEC);
    link_mode("wronly", w);

    lseek(a, 5, SEEK_SET);
    fdinfo("rdwr", a);
    fdinfo("rdonly", r);
    fdinfo("wronly-cloexec", w);

    int d = open(tmp, O_RDONLY | O_DIRECTORY);
    l = link_of(d);
    printf("dir link is its path: %d\n", l && strcmp(l, tmp) == 0);
    char through[64];
    snprintf(through, sizeof through, "/proc/self/fd/%d/procfd-a", d);
    struct stat st1, st2;
    show("stat through dir link", stat(through, &st1));
    fstat(a, &st2);
    printf("same file: %d\n", st1.st_ino == st2.st_ino);

    const char *const names[] = {"a", "r", "w", "d", "pipe0", "pipe1", "sock0", "sock1",
                                 "eventfd", "epoll", "memfd"};
    int fds[11] = {a, r, w, d, -1, -1, -1, -1, -1, -1, -1};
    listing(fds, names, 11);

    // Unlinked: the link says so, and still reaches the file.
    show("unlink", unlink(path));
    snprintf(want, sizeof want, "%s (deleted)", path);
    l = link_of(a);
    printf("deleted link: %d\n", l && strcmp(l, want) == 0);
    char p[64];
    snprintf(p, sizeof p, "/proc/self/fd/%d", a);
    int re = open(p, O_RDONLY);
    show("reopen deleted", re >= 0 ? 0 : -1);
    char buf[64] = {0};
    show("read reopened", read(re, buf, sizeof buf - 1));
    printf("offset is its own: %s", buf);
    close(re);
    show("stat deleted nlink", stat(p, &st1) == 0 ? (long)st1.st_nlink : -1);
    show("open nofollow", open(p, O_RDONLY | O_NOFOLLOW));
    show("open nofollow|path", open(p, O_PATH | O_NOFOLLOW) >= 0 ? 0 : -1);

    // Pipe: opening the link opens the pipe again, as a FIFO.
    int pp[2];
    pipe(pp);
    pseudo("pipe read end", pp[0], "pipe");
    pseudo("pipe write end", pp[1], "pipe");
    link_mode("pipe read end", pp[0]);
    link_mode("pipe write end", pp[1]);
    fdinfo("pipe read end", pp[0]);
    snprintf(p, sizeof p, "/proc/self/fd/%d", pp[1]);
    int pw = open(p, O_WRONLY);
    show("reopen pipe for writing", pw >= 0 ? 0 : -1);
    show("write reopened pipe", write(pw, "through the link\n", 17));
    memset(buf, 0, sizeof buf);
    show("read pipe", read(pp[0], buf, sizeof buf - 1));
    printf("pipe data: %s", buf);
    close(pw);

    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    pseudo("socket", sv[0], "socket");
    snprintf(p, sizeof p, "/proc/self/fd/%d", sv[0]);
    int so = open(p, O_RDWR);
    printf("open socket link: %d %s\n", so, so < 0 && errno == ENXIO ? "ENXIO" : "other");

    int ev = eventfd(0, EFD_CLOEXEC);
    l = link_of(ev);
    printf("eventfd: %s\n", l ? l : "-");
    int ep = epoll_create1(0);
    l = link_of(ep);
    printf("epoll: %s\n", l ? l : "-");
    int mf = memfd_create("procfd", 0);
    l = link_of(mf);
    printf("memfd: %s\n", l ? l : "-");

    int more[] = {pp[0], pp[1], sv[0], sv[1], ev, ep, mf};
    memcpy(fds + 4, more, sizeof more);
    listing(fds, names, 11);
    close(r);
    close(w);
    close(sv[1]);
    // The listing's own directory fd takes r's number again.
    listing(fds, names, 11);

    snprintf(p, sizeof p, "/proc/self/fd/%d", r);
    show("readlink closed", readlink(p, buf, sizeof buf));
    show("stat closed", stat(p, &st1));
    snprintf(p, sizeof p, "/proc/self/fdinfo/%d", r);
    show("fdinfo closed", open(p, O_RDONLY));
    show("readlink not a number", readlink("/proc/self/fd/x", buf, sizeof buf));
    return 0;
}
