// Maps and unmaps a 200 GiB PROT_NONE reservation, and unmaps a 64 GiB range holding
// nothing, a thousand times each: kernel work must follow what is mapped, not the size of
// the range asked for, or these few instructions keep the host busy for minutes.
#include <stdio.h>
#include <sys/mman.h>

int main(void) {
    for (int i = 0; i < 1000; i++) {
        char *p = mmap(0, 200UL << 30, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                       -1, 0);
        if (p == MAP_FAILED) {
            perror("mmap");
            return 1;
        }
        if (munmap(p, 200UL << 30) != 0 || munmap((void *)0x100000000UL, 64UL << 30) != 0) {
            perror("munmap");
            return 1;
        }
    }
    puts("1000 rounds");
    return 0;
}
