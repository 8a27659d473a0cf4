// Syscalls given hostile pointers and lengths: zero-length buffers at wild (unaligned, out of
// range) addresses, ranges that run past the end of the address space or wrap around 2^64,
// and mapping calls whose ranges overflow. Each line prints the raw result and errno; the
// run must end normally (nothing may reach or crash the host).
//
// With the argument "linux" it also runs the calls where qemu-riscv64 differs from Linux
// (rvrun follows Linux; tests/containment.rs checks these lines):
//   readv whose second iovec leaves the address space: Linux checks every iovec with
//     access_ok before reading (EFAULT), QEMU reads the first one (8);
//   readv with a zero-length iovec at an address past the user address space: Linux EFAULT
//     (access_ok), QEMU 0;
//   mremap of an unmapped range: Linux EFAULT (no mapping at the address), QEMU ENOMEM.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define WILD ((uintptr_t)0x7fffffffffffffffULL)
#define TOP ((uintptr_t)0xffffffffffffffffULL)

static void show(const char *what, long r) {
    if (r < 0)
        printf("%-34s %ld errno %d\n", what, r, errno);
    else
        printf("%-34s %ld\n", what, r);
}
#define SYS(what, ...) (errno = 0, show(what, syscall(__VA_ARGS__)))

int main(int argc, char **argv) {
    int zero = open("/dev/zero", O_RDONLY);
    int p[2];
    if (zero < 0 || pipe(p) != 0) return 1;
    write(p[1], "abc", 3);

    // Zero lengths touch nothing, wherever they point.
    SYS("read zero len wild", SYS_read, zero, WILD, 0);
    SYS("read zero len unaligned low", SYS_read, zero, 0x13, 0);
    SYS("write zero len wild", SYS_write, p[1], WILD, 0);
    SYS("getrandom zero len wild", SYS_getrandom, WILD, 0, 0);
    struct iovec iv[2] = {{(void *)0x7fff0, 0}, {(void *)0x11, 0}};
    SYS("readv zero-length iovecs", SYS_readv, p[0], iv, 2);
    SYS("writev zero-length iovecs", SYS_writev, p[1], iv, 2);
    struct timespec ts0 = {0, 0};
    SYS("ppoll nfds 0 wild fds", SYS_ppoll, WILD, 0, &ts0, 0, 8);
    SYS("pread zero len wild", SYS_pread64, zero, WILD, 0, 0);
    SYS("readlinkat size 0", SYS_readlinkat, AT_FDCWD, "/proc/self/exe", WILD, 0);
    SYS("getcwd size 0", SYS_getcwd, WILD, 0);

    // Ranges that leave the address space or wrap around.
    char *page = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    SYS("read past 2^64", SYS_read, zero, TOP - 15, 32);
    SYS("write past 2^64", SYS_write, p[1], TOP - 15, 32);
    SYS("read wild len 1", SYS_read, zero, WILD, 1);
    SYS("read at 2^38-16", SYS_read, zero, (1ULL << 38) - 16, 32);
    SYS("read into page then unmapped", SYS_read, zero, page + 4090, 100);
    SYS("getrandom wrapping", SYS_getrandom, TOP - 3, 8, 0);
    struct iovec huge[2] = {{page, 8}, {page, (size_t)-1}};
    SYS("readv total overflows", SYS_readv, zero, huge, 2);
    SYS("ppoll fds wrap", SYS_ppoll, TOP - 7, 2, &ts0, 0, 8);
    SYS("clock_gettime wild", SYS_clock_gettime, CLOCK_REALTIME, WILD);
    SYS("pipe2 wrapping", SYS_pipe2, TOP - 3, 0);
    SYS("rt_sigaction wild old", SYS_rt_sigaction, SIGUSR1, 0, WILD, 8);

    // Mapping calls whose ranges overflow.
    SYS("mmap fixed wrapping", SYS_mmap, TOP - 4095, 8192, PROT_READ,
        MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    SYS("mmap length 2^64-4096", SYS_mmap, 0, TOP - 4095, PROT_READ,
        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    SYS("munmap wrapping", SYS_munmap, TOP - 4095, 8192);
    SYS("mprotect wrapping", SYS_mprotect, TOP - 4095, 8192, PROT_READ);
    SYS("madvise wrapping", SYS_madvise, TOP - 4095, 8192, MADV_DONTNEED);
    SYS("mremap new length huge", SYS_mremap, page, 4096, TOP - 4095, MREMAP_MAYMOVE, 0);

    if (argc > 1 && strcmp(argv[1], "linux") == 0) {
        struct iovec bad[2] = {{page, 8}, {(void *)(TOP - 3), 8}};
        SYS("readv second iovec wraps", SYS_readv, zero, bad, 2);
        struct iovec wild[2] = {{page, 8}, {(void *)WILD, 0}};
        SYS("readv zero-length iovec wild", SYS_readv, zero, wild, 2);
        SYS("mremap old wrapping", SYS_mremap, TOP - 4095, 8192, 4096, 0, 0);
    }

    // The page is still fine after all of that.
    page[0] = 'x';
    printf("page ok %c\n", page[0]);
    return 0;
}
