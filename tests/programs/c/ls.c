/* Recursive directory listing of argv[1]: names sorted bytewise, one line per entry with its
 * type and, for regular files, size and an FNV-1a hash of the contents. Directory sizes,
 * modes, times and "." / ".." are left out: they depend on the host file system. */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static uint64_t hash_file(const char *path)
{
    uint64_t h = 14695981039346656037ULL;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    unsigned char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        for (ssize_t i = 0; i < n; i++)
            h = (h ^ buf[i]) * 1099511628211ULL;
    close(fd);
    return h;
}

/* root: the path to open; rel: the same directory relative to argv[1], for printing. */
static void walk(const char *root, const char *rel, int *files, long long *bytes)
{
    DIR *d = opendir(root);
    if (!d) {
        printf("cannot open %s\n", rel[0] ? rel : ".");
        return;
    }
    size_t n = 0, cap = 16;
    char **names = malloc(cap * sizeof *names);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (n == cap)
            names = realloc(names, (cap *= 2) * sizeof *names);
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp);
    for (size_t i = 0; i < n; i++) {
        char path[4096], relpath[4096];
        snprintf(path, sizeof path, "%s/%s", root, names[i]);
        snprintf(relpath, sizeof relpath, "%s%s%s", rel, rel[0] ? "/" : "", names[i]);
        struct stat st;
        if (lstat(path, &st) != 0) {
            printf("?  %s (lstat failed)\n", relpath);
        } else if (S_ISDIR(st.st_mode)) {
            printf("d  %s/\n", relpath);
            walk(path, relpath, files, bytes);
        } else if (S_ISREG(st.st_mode)) {
            printf("f  %s %lld %016llx\n", relpath, (long long)st.st_size, (unsigned long long)hash_file(path));
            (*files)++;
            *bytes += st.st_size;
        } else if (S_ISLNK(st.st_mode)) {
            printf("l  %s\n", relpath);
        } else {
            printf("o  %s\n", relpath);
        }
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: ls DIR\n");
        return 2;
    }
    int files = 0;
    long long bytes = 0;
    walk(argv[1], "", &files, &bytes);
    printf("%d files, %lld bytes\n", files, bytes);
    return 0;
}
