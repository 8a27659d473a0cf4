/* Zba/Zbb/Zbs/Zicond probe: compiled with those extensions enabled (see the Makefile), the
 * compiler emits them for the idioms below; orc.b and czero.* come from inline asm (.insn,
 * because gcc 12's assembler does not know Zicond). Every result is printed, so the output
 * compared with qemu-riscv64 covers each instruction on edge values. */
#include <stdint.h>
#include <stdio.h>

static const uint64_t V[] = {
    0, 1, 2, 0x7f, 0x80, 0xff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff,
    0x100000000, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff,
    0x0123456789abcdef, 0xfedcba9876543210, 0x00ff00ff00ff0000, 63, 64, 31, 32,
};
#define N (sizeof V / sizeof V[0])

static uint64_t h = 0xcbf29ce484222325;
static void out(const char *name, uint64_t v) {
    printf("%s %016llx\n", name, (unsigned long long)v);
    h = (h ^ v) * 0x100000001b3;
}

/* Two-operand results: one FNV-1a hash per operation over all second operands (keeps the
 * expected output small). */
#define OPS2 27
static uint64_t acc[OPS2];
static const char *acc_name[OPS2];
static unsigned acc_n;
static void mix(const char *name, uint64_t v) {
    acc_name[acc_n] = name;
    acc[acc_n] = (acc[acc_n] ^ v) * 0x100000001b3;
    acc_n++;
}

__attribute__((noinline)) static uint64_t orc_b(uint64_t x) {
    uint64_t r;
    __asm__("orc.b %0, %1" : "=r"(r) : "r"(x));
    return r;
}
__attribute__((noinline)) static uint64_t czero_eqz(uint64_t a, uint64_t c) {
    uint64_t r;
    __asm__(".insn r 0x33, 5, 7, %0, %1, %2" : "=r"(r) : "r"(a), "r"(c));
    return r;
}
__attribute__((noinline)) static uint64_t czero_nez(uint64_t a, uint64_t c) {
    uint64_t r;
    __asm__(".insn r 0x33, 7, 7, %0, %1, %2" : "=r"(r) : "r"(a), "r"(c));
    return r;
}
/* Selects that clang turns into czero with Zicond. */
__attribute__((noinline)) static uint64_t select(uint64_t c, uint64_t a, uint64_t b) {
    return c ? a : b;
}
__attribute__((noinline)) static uint64_t rol(uint64_t x, unsigned n) {
    return (x << (n & 63)) | (x >> (-n & 63));
}
__attribute__((noinline)) static uint64_t ror(uint64_t x, unsigned n) {
    return (x >> (n & 63)) | (x << (-n & 63));
}
__attribute__((noinline)) static uint32_t rolw(uint32_t x, unsigned n) {
    return (x << (n & 31)) | (x >> (-n & 31));
}
__attribute__((noinline)) static uint64_t index16(const uint16_t *p, uint64_t i) { return (uint64_t)(uintptr_t)&p[i]; }
__attribute__((noinline)) static uint64_t index32(const uint32_t *p, uint64_t i) { return (uint64_t)(uintptr_t)&p[i]; }
__attribute__((noinline)) static uint64_t index64u(const uint64_t *p, uint32_t i) { return (uint64_t)(uintptr_t)&p[i]; }
__attribute__((noinline)) static uint64_t adduw(uint64_t a, uint32_t b) { return a + (uint64_t)b; }
__attribute__((noinline)) static uint64_t slliuw(uint32_t b) { return (uint64_t)b << 5; }

int main(void) {
    for (unsigned i = 0; i < N; i++) {
        uint64_t a = V[i];
        uint32_t w = (uint32_t)a;
        printf("-- %016llx\n", (unsigned long long)a);
        out("clz", a ? (uint64_t)__builtin_clzll(a) : 64);
        out("ctz", a ? (uint64_t)__builtin_ctzll(a) : 64);
        out("cpop", (uint64_t)__builtin_popcountll(a));
        out("clzw", w ? (uint64_t)__builtin_clz(w) : 32);
        out("ctzw", w ? (uint64_t)__builtin_ctz(w) : 32);
        out("cpopw", (uint64_t)__builtin_popcount(w));
        out("rev8", __builtin_bswap64(a));
        out("orc.b", orc_b(a));
        out("sext.b", (uint64_t)(int64_t)(int8_t)a);
        out("sext.h", (uint64_t)(int64_t)(int16_t)a);
        out("zext.h", (uint64_t)(uint16_t)a);
        out("zext.w", (uint64_t)w);
        out("slli.uw", slliuw(w));
        for (unsigned k = 0; k < OPS2; k++)
            acc[k] = 0xcbf29ce484222325;
        for (unsigned j = 0; j < N; j++) {
            uint64_t b = V[j];
            acc_n = 0;
            unsigned n = (unsigned)b;
            mix("rol", rol(a, n));
            mix("ror", ror(a, n));
            mix("rori13", ror(a, 13));
            mix("rolw", (uint64_t)(int64_t)(int32_t)rolw(w, n));
            mix("andn", a & ~b);
            mix("orn", a | ~b);
            mix("xnor", ~(a ^ b));
            mix("min", (uint64_t)((int64_t)a < (int64_t)b ? a : b));
            mix("max", (uint64_t)((int64_t)a > (int64_t)b ? a : b));
            mix("minu", a < b ? a : b);
            mix("maxu", a > b ? a : b);
            mix("sh1add", index16((const uint16_t *)(uintptr_t)b, a));
            mix("sh2add", index32((const uint32_t *)(uintptr_t)b, a));
            mix("sh3add.uw", index64u((const uint64_t *)(uintptr_t)b, w));
            mix("add.uw", adduw(b, w));
            mix("bset", a | (1ull << (n & 63)));
            mix("bclr", a & ~(1ull << (n & 63)));
            mix("binv", a ^ (1ull << (n & 63)));
            mix("bext", (a >> (n & 63)) & 1);
            mix("bseti", a | (1ull << 37));
            mix("bclri", a & ~(1ull << 63));
            mix("binvi", a ^ (1ull << 5));
            mix("bexti", (a >> 40) & 1);
            mix("czero.eqz", czero_eqz(a, b));
            mix("czero.nez", czero_nez(a, b));
            mix("select", select(b, a, ~a));
        }
        for (unsigned k = 0; k < acc_n; k++)
            out(acc_name[k], acc[k]);
    }
    printf("hash %016llx\n", (unsigned long long)h);
    return 0;
}
