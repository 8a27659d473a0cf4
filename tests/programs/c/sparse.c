// Sparse files and lazy file mappings. Without arguments: builds a 200 GiB sparse file with
// a few data pages, maps all of it privately and reads and writes a few pages (costs host
// memory only for those), checks that private writes do not reach the file, and checks
// MADV_DONTNEED brings the file's contents back. With "out DIR": also leaves DIR/huge, a 1 TiB
// file with one page of data, for --out-dir and receipts to export and hash.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define GiB (1ULL << 30)

static void die(const char *what) {
    perror(what);
    exit(1);
}

int main(int argc, char **argv) {
    const char *dir = argc > 2 ? argv[2] : "/tmp";
    char path[256];
    snprintf(path, sizeof path, "%s/sparse200g", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) die("open");
    unsigned long long size = 200 * GiB;
    if (ftruncate(fd, size) != 0) die("ftruncate");
    unsigned long long marks[] = {0, 4096 * 7, 100 * GiB + 123, size - 5};
    for (int i = 0; i < 4; i++) {
        char m[6];
        snprintf(m, sizeof m, "M%d!", i);
        if (pwrite(fd, m, 4, marks[i]) != 4) die("pwrite");
    }
    struct stat st;
    fstat(fd, &st);
    printf("size %lld, blocks %s\n", (long long)st.st_size,
           st.st_blocks <= 64 ? "few" : "many");

    // Read-only, so that the mapping is not counted as committed memory (a writable private
    // mapping of 200 GiB would be, and fail with ENOMEM under strict overcommit).
    char *map = mmap(0, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) die("mmap");
    if (mprotect(map + (marks[2] & ~4095ULL), 4096, PROT_READ | PROT_WRITE) != 0)
        die("mprotect");
    for (int i = 0; i < 4; i++) printf("mark %d: %.4s\n", i, map + marks[i]);
    printf("hole reads %d\n", map[50 * GiB]);
    // Private writes change the mapping, not the file.
    memcpy(map + marks[2], "PRIV", 4);
    char back[5] = {0};
    pread(fd, back, 4, marks[2]);
    printf("map %.4s, file %s\n", map + marks[2], back);
    // The file changes after mmap are not required to show; DONTNEED restores the file page.
    madvise(map + (marks[2] & ~4095ULL), 4096, MADV_DONTNEED);
    printf("after DONTNEED %.4s\n", map + marks[2]);
    // Moving the mapping keeps its contents.
    char *moved = mremap(map + 4096 * 7, 4096, 8192, MREMAP_MAYMOVE);
    if (moved == MAP_FAILED) die("mremap");
    printf("moved %.4s, tail %d\n", moved, moved[4096]);
    munmap(map, size);
    close(fd);
    unlink(path);

    if (argc > 2 && strcmp(argv[1], "out") == 0) {
        snprintf(path, sizeof path, "%s/huge", dir);
        fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) die("open huge");
        if (ftruncate(fd, 1ULL << 40) != 0) die("ftruncate huge");
        if (pwrite(fd, "middle", 6, 1ULL << 39) != 6) die("pwrite huge");
        close(fd);
        printf("wrote 1 TiB file\n");
    }
    return 0;
}
