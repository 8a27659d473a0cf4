// Meets the memory cap (rvrun --max-memory): maps 16 MiB writable chunks until mmap fails,
// grows the heap with brk until it stops, and writes 1 MiB blocks to a file until the write
// fails. Prints the counts and the errnos; touching every mapped page proves the mappings
// are real. Read-only mappings are not counted, so a large one still succeeds at the end.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MiB (1UL << 20)

int main(void) {
    static char block[MiB];
    memset(block, 'x', sizeof block);
    int chunks = 0;
    void *last = 0;
    for (;;) {
        char *p = mmap(0, 16 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            printf("mmap stopped after %d chunks: errno %d\n", chunks, errno);
            break;
        }
        p[0] = p[16 * MiB - 1] = 1;
        last = p;
        chunks++;
    }
    // Freeing one chunk makes room for one more.
    munmap(last, 16 * MiB);
    char *again = mmap(0, 16 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("after munmap: %s\n", again == MAP_FAILED ? "failed" : "ok");
    munmap(again, 16 * MiB);
    // mprotect making a read-only mapping writable is counted too.
    char *ro = mmap(0, 32 * MiB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("read-only 32 MiB: %s\n", ro == MAP_FAILED ? "failed" : "ok");
    errno = 0;
    int r = mprotect(ro, 32 * MiB, PROT_READ | PROT_WRITE);
    printf("mprotect to writable: %d errno %d\n", r, errno);
    munmap(ro, 32 * MiB);

    // brk: the break stops moving at the cap (the raw call returns the old break).
    long start = syscall(SYS_brk, 0), cur = start;
    for (;;) {
        long next = syscall(SYS_brk, cur + 4 * MiB);
        if (next != cur + (long)(4 * MiB)) break;
        cur = next;
    }
    printf("brk grew by %ld MiB\n", (cur - start) / (long)MiB);
    syscall(SYS_brk, start);

    // Files share the budget: write until the filesystem is full.
    int fd = open("/tmp/fill", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    long written = 0;
    for (;;) {
        ssize_t n = write(fd, block, sizeof block);
        if (n < 0) {
            printf("write stopped after %ld MiB: errno %d\n", written / (long)MiB, errno);
            break;
        }
        written += n;
        if (n < (ssize_t)sizeof block) printf("short write of %zd bytes\n", n);
    }
    // Deleting the file gives the room back to mappings.
    close(fd);
    unlink("/tmp/fill");
    char *big = mmap(0, 16 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("after unlink, 16 MiB mapping: %s\n", big == MAP_FAILED ? "failed" : "ok");
    return 0;
}
