/* File system round trip inside the writable directory given as argv[1] (the in-memory
 * /tmp under rvrun, a fresh temporary directory under QEMU): mkdir, create, write, read
 * back, append, pread/pwrite, truncate, rename, readdir, unlink, rmdir, relative paths after
 * chdir, and stdio. Prints what it reads back and the sizes stat reports, never a path
 * outside the directory. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *err(void)
{
    switch (errno) {
    case ENOENT: return "ENOENT";
    case EEXIST: return "EEXIST";
    case ENOTEMPTY: return "ENOTEMPTY";
    case EISDIR: return "EISDIR";
    case ENOTDIR: return "ENOTDIR";
    case EBADF: return "EBADF";
    default: return "E?";
    }
}

/* Formats a syscall result as "0" / "-1 ENAME". The errno is read here, after the call, so
 * it is safe to use inside printf's argument list (whose evaluation order is unspecified). */
static const char *res(long rc)
{
    static char bufs[4][32];
    static int next;
    char *b = bufs[next++ % 4];
    if (rc < 0)
        snprintf(b, 32, "-1 %s", err());
    else
        snprintf(b, 32, "%ld", rc);
    return b;
}

static long size_of(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        printf("  stat(%s): %s\n", path, err());
        return -1;
    }
    return (long)st.st_size;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        printf("  opendir(%s): %s\n", dir, err());
        return;
    }
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 64) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp);
    printf("  listing of %s:", dir);
    for (int i = 0; i < n; i++) {
        char path[512];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (stat(path, &st) == 0)
            printf(" %s%s(%lld)", names[i], S_ISDIR(st.st_mode) ? "/" : "", S_ISDIR(st.st_mode) ? 0LL : (long long)st.st_size);
        free(names[i]);
    }
    printf("\n");
}

static void write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w <= 0) {
            printf("  write failed: %s\n", err());
            return;
        }
        c += w;
        n -= w;
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: files DIR\n");
        return 2;
    }
    if (chdir(argv[1]) != 0) {
        printf("chdir: %s\n", err());
        return 1;
    }
    /* From here on everything is relative to the given directory. */
    printf("mkdir vfs: %s\n", res(mkdir("vfs", 0755)));
    printf("mkdir vfs again: %s\n", res(mkdir("vfs", 0755)));
    printf("mkdir vfs/sub: %s\n", res(mkdir("vfs/sub", 0700)));

    int fd = open("vfs/a.txt", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    printf("create vfs/a.txt: %s\n", fd >= 0 ? "ok" : err());
    for (int i = 0; i < 100; i++) {
        char line[64];
        int n = snprintf(line, sizeof line, "line %03d: the quick brown fox\n", i);
        write_all(fd, line, n);
    }
    struct stat st;
    fstat(fd, &st);
    printf("fstat size after writes: %lld regular=%d\n", (long long)st.st_size, S_ISREG(st.st_mode));
    close(fd);
    printf("stat size: %ld\n", size_of("vfs/a.txt"));

    char buf[8192];
    fd = open("vfs/a.txt", O_RDONLY);
    ssize_t n = read(fd, buf, 40);
    printf("read 40: [%.*s]\n", (int)n - 1, buf); /* without the newline */
    printf("lseek cur: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
    printf("lseek end: %lld\n", (long long)lseek(fd, 0, SEEK_END));
    printf("read at end: %zd\n", read(fd, buf, sizeof buf));
    int fd2 = dup(fd);
    lseek(fd, 2900, SEEK_SET);
    n = read(fd2, buf, 20); /* the dup shares the file offset */
    printf("read via dup at 2900: [%.*s]\n", (int)n, buf);
    close(fd2);
    close(fd);

    fd = open("vfs/a.txt", O_WRONLY | O_APPEND);
    lseek(fd, 0, SEEK_SET); /* O_APPEND ignores the offset */
    write_all(fd, "appended\n", 9);
    close(fd);
    printf("size after append: %ld\n", size_of("vfs/a.txt"));

    fd = open("vfs/a.txt", O_RDWR);
    printf("pwrite: %s\n", res(pwrite(fd, "XYZ", 3, 5)));
    n = pread(fd, buf, 12, 0);
    printf("pread 12 at 0: [%.*s] offset still %lld\n", (int)n, buf, (long long)lseek(fd, 0, SEEK_CUR));
    n = pread(fd, buf, 100, size_of("vfs/a.txt") - 9);
    printf("pread tail: [%.*s]\n", (int)n - 1, buf);
    printf("ftruncate 100: %s\n", res(ftruncate(fd, 100)));
    printf("size %ld\n", size_of("vfs/a.txt"));
    printf("ftruncate 5000 (sparse grow): %s\n", res(ftruncate(fd, 5000)));
    printf("size %ld\n", size_of("vfs/a.txt"));
    n = pread(fd, buf, 10, 4990);
    int zeros = 1;
    for (ssize_t i = 0; i < n; i++)
        zeros &= buf[i] == 0;
    printf("grown tail is zeros: %d (%zd bytes)\n", zeros, n);
    close(fd);

    /* A larger file, written in one go and read back in pieces. */
    size_t big = 3u << 20;
    unsigned char *data = malloc(big);
    for (size_t i = 0; i < big; i++)
        data[i] = (unsigned char)(i ^ (i >> 9));
    fd = open("vfs/sub/big.bin", O_CREAT | O_RDWR | O_EXCL, 0600);
    write_all(fd, data, big);
    printf("big file size: %ld\n", size_of("vfs/sub/big.bin"));
    lseek(fd, 0, SEEK_SET);
    uint64_t h = 14695981039346656037ULL, total = 0;
    while ((n = read(fd, buf, 5000)) > 0) {
        for (ssize_t i = 0; i < n; i++)
            h = (h ^ buf[i]) * 1099511628211ULL, total++;
        if (memcmp(buf, data + total - n, n) != 0)
            printf("big file mismatch near %llu\n", (unsigned long long)total);
    }
    printf("big file read back %llu bytes, fnv %016llx\n", (unsigned long long)total, (unsigned long long)h);
    close(fd);
    free(data);
    printf("O_EXCL again: %s\n", res(open("vfs/sub/big.bin", O_CREAT | O_RDWR | O_EXCL, 0600)));

    printf("rename a.txt -> b.txt: %s\n", res(rename("vfs/a.txt", "vfs/b.txt")));
    printf("stat a.txt after rename: %ld\n", size_of("vfs/a.txt"));
    printf("stat b.txt after rename: %ld\n", size_of("vfs/b.txt"));

    FILE *f = fopen("vfs/c.txt", "w");
    fprintf(f, "alpha %d\nbeta %.2f\ngamma %s\n", 42, 3.25, "end");
    fclose(f);
    f = fopen("vfs/c.txt", "r");
    char line[128];
    while (fgets(line, sizeof line, f))
        printf("fgets: %s", line);
    fclose(f);
    /* rename over an existing file replaces it */
    printf("rename c.txt over b.txt: %s\n", res(rename("vfs/c.txt", "vfs/b.txt")));
    printf("b.txt size now %ld\n", size_of("vfs/b.txt"));
    list("vfs");
    list("vfs/sub");

    printf("rmdir non-empty: %s\n", res(rmdir("vfs")));
    printf("unlink dir: %s\n", res(unlink("vfs/sub")));
    printf("unlink b.txt: %s\n", res(unlink("vfs/b.txt")));
    printf("unlink b.txt again: %s\n", res(unlink("vfs/b.txt")));
    printf("unlink big.bin: %s\n", res(unlink("vfs/sub/big.bin")));
    printf("rmdir sub: %s\n", res(rmdir("vfs/sub")));
    list("vfs");
    printf("rmdir vfs: %s\n", res(rmdir("vfs")));
    printf("stat vfs: %ld\n", size_of("vfs"));

    /* An unlinked file stays readable through an open descriptor. */
    fd = open("ghost", O_CREAT | O_RDWR | O_TRUNC, 0644);
    write_all(fd, "boo", 3);
    printf("unlink open file: %s\n", res(unlink("ghost")));
    n = pread(fd, buf, 3, 0);
    printf("read unlinked file: [%.*s]\n", (int)n, buf);
    close(fd);
    return 0;
}
