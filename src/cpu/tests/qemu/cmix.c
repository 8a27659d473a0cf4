// Freestanding mix of compiled C (sieve, CRC, quicksort, FP matrix multiply, float
// Mandelbrot, 64/32-bit multiply and divide): prints checksums via write (64), exits via
// exit (93). The CPU tests run it and compare its output with qemu-riscv64's (see gen.sh).
#include <stdint.h>
typedef unsigned long size_t;

static long sys3(long n, long a, long b, long c) {
    register long a0 asm("a0") = a; register long a1 asm("a1") = b; register long a2 asm("a2") = c;
    register long a7 asm("a7") = n;
    asm volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
    return a0;
}
static char obuf[4096]; static int olen;
static void puts_(const char *s) { while (*s) obuf[olen++] = *s++; }
static void hex(const char *name, uint64_t v) {
    puts_(name); puts_(" ");
    for (int i = 60; i >= 0; i -= 4) obuf[olen++] = "0123456789abcdef"[(v >> i) & 15];
    puts_("\n");
}
void *memset(void *d, int c, size_t n) { unsigned char *p = d; while (n--) *p++ = c; return d; }
void *memcpy(void *d, const void *s, size_t n) { unsigned char *p = d; const unsigned char *q = s; while (n--) *p++ = *q++; return d; }

static uint64_t rng = 88172645463325252ull;
static uint64_t xs(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }

#define N_SIEVE 200000
static unsigned char sieve[N_SIEVE];
static uint64_t do_sieve(void) {
    uint64_t c = 0;
    memset(sieve, 1, N_SIEVE);
    for (long i = 2; i < N_SIEVE; i++) if (sieve[i]) { c += i; for (long j = i * 2; j < N_SIEVE; j += i) sieve[j] = 0; }
    return c;
}
static uint32_t crctab[256];
static uint64_t do_crc(void) {
    for (uint32_t i = 0; i < 256; i++) { uint32_t c = i; for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >> 1) : c >> 1; crctab[i] = c; }
    uint32_t crc = ~0u;
    for (long r = 0; r < 2; r++) for (long i = 0; i < N_SIEVE / 4; i++) crc = crctab[(crc ^ sieve[i] ^ i) & 0xff] ^ (crc >> 8);
    return ~crc;
}
#define NS 20000
static int64_t arr[NS];
static void qsort_(int64_t *a, long lo, long hi) {
    while (lo < hi) {
        int64_t p = a[(lo + hi) / 2]; long i = lo, j = hi;
        while (i <= j) { while (a[i] < p) i++; while (a[j] > p) j--; if (i <= j) { int64_t t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; } }
        if (j - lo < hi - i) { qsort_(a, lo, j); lo = i; } else { qsort_(a, i, hi); hi = j; }
    }
}
static uint64_t do_sort(void) {
    for (long i = 0; i < NS; i++) arr[i] = (int64_t)xs();
    qsort_(arr, 0, NS - 1);
    uint64_t h = 0; for (long i = 0; i < NS; i++) h = h * 31 + arr[i];
    for (long i = 1; i < NS; i++) if (arr[i - 1] > arr[i]) return 0;
    return h;
}
#define M 24
static double A[M][M], B[M][M], C[M][M];
static uint64_t do_matmul(void) {
    for (int i = 0; i < M; i++) for (int j = 0; j < M; j++) { A[i][j] = (double)(i * j % 7) / 3.0 - 1.0; B[i][j] = (double)(i + 2 * j) * 0.25; }
    for (int r = 0; r < 3; r++)
    for (int i = 0; i < M; i++) for (int j = 0; j < M; j++) { double s = 0; for (int k = 0; k < M; k++) s += A[i][k] * B[k][j]; C[i][j] = s + C[i][j] * 0.5; }
    union { double d; uint64_t u; } u; double s = 0; for (int i = 0; i < M; i++) s += C[i][i] - C[i][M - 1 - i]; u.d = s; return u.u;
}
static uint64_t do_mandel(void) {
    uint64_t it = 0;
    for (int y = 0; y < 30; y++) for (int x = 0; x < 40; x++) {
        float cr = x / 50.0f - 2.2f, ci = y / 50.0f - 1.2f, zr = 0, zi = 0; int k = 0;
        while (k < 200 && zr * zr + zi * zi < 4.0f) { float t = zr * zr - zi * zi + cr; zi = 2 * zr * zi + ci; zr = t; k++; }
        it += k;
    }
    return it;
}
static uint64_t do_muldiv(void) {
    uint64_t h = 1;
    for (long i = 1; i < 30000; i++) { uint64_t a = xs(), b = xs() >> (i & 63); int32_t c = (int32_t)a, d = (int32_t)(b | 1);
        h ^= a / (b | 1) + a % (b + 1) + (uint64_t)(c / d) + (uint64_t)(c % d) + (uint64_t)((__int128)a * b >> 64) + (uint64_t)(int64_t)(c * d); h = h * 0x9e3779b97f4a7c15ull; }
    return h;
}
__attribute__((section(".text.start"))) void _start(void) {
    hex("sieve", do_sieve());
    hex("crc", do_crc());
    hex("sort", do_sort());
    hex("matmul", do_matmul());
    hex("mandel", do_mandel());
    hex("muldiv", do_muldiv());
    sys3(64, 1, (long)obuf, olen);
    sys3(93, 0, 0, 0);
    for (;;) ;
}
