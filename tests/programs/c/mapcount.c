// Creates one-page mappings that cannot merge (alternating permissions) until mmap fails:
// Linux stops each process at vm.max_map_count (65530) mappings with ENOMEM, whatever the
// mappings cost. Then splitting a mapping with munmap or mprotect fails the same way, and
// unmapping whole mappings (no split) still works.
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>

int main(void) {
    long n = 0;
    char *last = 0, *prev = 0;
    for (;;) {
        char *p = mmap(0, 2 * 4096, (n & 1) ? PROT_READ : PROT_NONE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            printf("mmap failed after %s65000 mappings: errno %d\n", n > 65000 ? "more than " : "fewer than ", errno);
            break;
        }
        prev = last;
        last = p;
        n++;
    }
    errno = 0;
    int r = munmap(last, 4096);
    printf("munmap splitting: %d errno %d\n", r, errno);
    errno = 0;
    r = mprotect(last, 4096, PROT_READ | PROT_WRITE);
    printf("mprotect splitting: %d errno %d\n", r, errno);
    r = munmap(prev, 2 * 4096);
    printf("munmap whole: %d\n", r);
    return 0;
}
