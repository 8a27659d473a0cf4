/* Writes machine code into a mapping, makes it executable, flushes the instruction cache
 * (riscv_flush_icache, as __builtin___clear_cache does), runs it; then rewrites it in place
 * and runs it again. With the argument "flags", also checks riscv_flush_icache's flag
 * validation: Linux answers EINVAL to flags other than SYS_RISCV_FLUSH_ICACHE_LOCAL (QEMU 8
 * does not check them, so that line is not part of the QEMU-recorded case). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_riscv_flush_icache
#define SYS_riscv_flush_icache 259
#endif

/* addi a0, a0, imm; ret */
static void emit_add(uint32_t *p, int imm) {
    p[0] = ((uint32_t)(imm & 0xfff) << 20) | (10 << 15) | (10 << 7) | 0x13;
    p[1] = 0x00008067;
}

typedef long (*fn_t)(long);

int main(int argc, char **argv) {
    uint32_t *code = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED)
        return 1;
    emit_add(code, 5);
    if (mprotect(code, 4096, PROT_READ | PROT_EXEC) != 0)
        return 2;
    __builtin___clear_cache((char *)code, (char *)(code + 2));
    fn_t f = (fn_t)(void *)code;
    printf("first: %ld\n", f(10));

    /* Rewrite in place on an RWX page, flush with the raw syscall, run again. */
    if (mprotect(code, 4096, PROT_READ | PROT_WRITE | PROT_EXEC) != 0)
        return 3;
    for (int i = 1; i <= 3; i++) {
        emit_add(code, 100 * i);
        long r = syscall(SYS_riscv_flush_icache, code, code + 2, 0);
        printf("flush: %ld; run %d: %ld\n", r, i, f(1));
    }
    long r = syscall(SYS_riscv_flush_icache, code, code + 2, 1);
    printf("flush local: %ld\n", r);
    if (argc > 1 && strcmp(argv[1], "flags") == 0) {
        errno = 0;
        r = syscall(SYS_riscv_flush_icache, code, code + 2, 2);
        printf("flush flags 2: %ld %s\n", r, errno == EINVAL ? "EINVAL" : strerror(errno));
    }
    errno = 0;
    r = syscall(SYS_riscv_flush_icache, 0, ~0ul, 0);
    printf("flush everything: %ld\n", r);
    return 0;
}
