/* futex's corners as Linux's do_futex has them: `op` is an int (the upper half of the
 * register is ignored), unknown commands are ENOSYS (even with a misaligned address, which
 * is only looked at for known commands), FUTEX_CLOCK_REALTIME goes only with the absolute
 * waits. */
#include <errno.h>
#include <linux/futex.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static uint32_t word[2];

static const char *errname(int e) {
    switch (e) {
    case ENOSYS: return "ENOSYS";
    case EINVAL: return "EINVAL";
    case EAGAIN: return "EAGAIN";
    case ETIMEDOUT: return "ETIMEDOUT";
    default: return strerror(e);
    }
}

static void show(const char *what, long r) {
    printf("%-36s %ld %s\n", what, r, r < 0 ? errname(errno) : "");
}

static long fx(void *addr, unsigned long op, unsigned long val, unsigned long timeout) {
    errno = 0;
    long r = syscall(SYS_futex, addr, op, val, timeout, 0, 0);
    return r < 0 ? -1 : r;
}

int main(void) {
    char *base = (char *)word;
    show("wake", fx(word, FUTEX_WAKE, 1, 0));
    show("wake, upper op bits set", fx(word, FUTEX_WAKE | (0xdeadul << 32), 1, 0));
    show("wait, value differs, upper bits", fx(word, FUTEX_WAIT | (1ul << 63), 1, 0));
    show("command 2 (FUTEX_FD, removed)", fx(word, 2, 0, 0));
    show("command 14", fx(word, 14, 0, 0));
    show("command 0x7f, private", fx(word, 0x7f | FUTEX_PRIVATE_FLAG, 0, 0));
    show("command 14, misaligned", fx(base + 1, 14, 0, 0));
    show("wake, misaligned", fx(base + 1, FUTEX_WAKE, 1, 0));
    show("wake | CLOCK_REALTIME", fx(word, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, 0));
    show("wait | CLOCK_REALTIME", fx(word, FUTEX_WAIT | FUTEX_CLOCK_REALTIME, 1, 0));
    show("wait_bitset | CLOCK_REALTIME, differs",
         fx(word, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 1, 0));
    return 0;
}
