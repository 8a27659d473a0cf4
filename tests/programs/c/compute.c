/* Integer compute: sorting, FNV-1a, SHA-256, CRC-32, a prime sieve, arbitrary-precision
 * factorial and Fibonacci, 128-bit arithmetic and RISC-V division corner cases. Each part
 * prints a result, and a final checksum folds everything together. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t checksum = 14695981039346656037ULL;

static void fold(uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        checksum ^= (v >> (8 * i)) & 0xff;
        checksum *= 1099511628211ULL;
    }
}

static uint32_t lcg_state = 12345;
static uint32_t lcg(void)
{
    lcg_state = lcg_state * 1103515245u + 12345u;
    return lcg_state;
}

static uint64_t fnv1a(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}

/* ---- sorting ---- */
static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void merge_sort(int64_t *a, int64_t *tmp, size_t n)
{
    if (n < 2)
        return;
    size_t m = n / 2;
    merge_sort(a, tmp, m);
    merge_sort(a + m, tmp, n - m);
    size_t i = 0, j = m, k = 0;
    while (i < m && j < n)
        tmp[k++] = a[j] < a[i] ? a[j++] : a[i++];
    while (i < m)
        tmp[k++] = a[i++];
    while (j < n)
        tmp[k++] = a[j++];
    memcpy(a, tmp, n * sizeof *a);
}

static void test_sort(void)
{
    enum { N = 100000 };
    uint32_t *u = malloc(N * sizeof *u);
    int64_t *s = malloc(N * sizeof *s), *tmp = malloc(N * sizeof *tmp);
    for (int i = 0; i < N; i++) {
        u[i] = lcg();
        s[i] = (int64_t)(((uint64_t)lcg() << 32) | lcg());
    }
    qsort(u, N, sizeof *u, cmp_u32);
    merge_sort(s, tmp, N);
    int ok = 1;
    for (int i = 1; i < N; i++)
        if (u[i - 1] > u[i] || s[i - 1] > s[i])
            ok = 0;
    uint64_t hu = fnv1a(u, N * sizeof *u), hs = fnv1a(s, N * sizeof *s);
    printf("sort: sorted=%d min=%u max=%u median=%u fnv=%016llx\n", ok, u[0], u[N - 1], u[N / 2],
           (unsigned long long)hu);
    printf("msort: min=%lld max=%lld fnv=%016llx\n", (long long)s[0], (long long)s[N - 1],
           (unsigned long long)hs);
    fold(hu);
    fold(hs);
    free(u);
    free(s);
    free(tmp);
}

/* ---- SHA-256 ---- */
static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(uint32_t h[8], const unsigned char *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K256[i] + w[i];
        uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

static void sha256(const void *data, size_t len, unsigned char out[32])
{
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    const unsigned char *p = data;
    size_t i = 0;
    for (; i + 64 <= len; i += 64)
        sha256_block(h, p + i);
    unsigned char last[128] = {0};
    size_t rem = len - i;
    memcpy(last, p + i, rem);
    last[rem] = 0x80;
    size_t total = rem + 9 <= 64 ? 64 : 128;
    uint64_t bits = (uint64_t)len * 8;
    for (int k = 0; k < 8; k++)
        last[total - 1 - k] = (unsigned char)(bits >> (8 * k));
    sha256_block(h, last);
    if (total == 128)
        sha256_block(h, last + 64);
    for (int k = 0; k < 8; k++) {
        out[4 * k] = h[k] >> 24; out[4 * k + 1] = h[k] >> 16; out[4 * k + 2] = h[k] >> 8; out[4 * k + 3] = h[k];
    }
}

static void print_hex(const char *label, const unsigned char *p, size_t n)
{
    printf("%s", label);
    for (size_t i = 0; i < n; i++)
        printf("%02x", p[i]);
    printf("\n");
}

static void test_sha256(void)
{
    unsigned char d[32];
    sha256("abc", 3, d);
    print_hex("sha256(abc)=", d, 32);
    sha256("", 0, d);
    print_hex("sha256()=", d, 32);
    size_t n = 1 << 20;
    unsigned char *buf = malloc(n);
    for (size_t i = 0; i < n; i++)
        buf[i] = (unsigned char)(i * 31 + (i >> 8));
    sha256(buf, n, d);
    print_hex("sha256(1MiB)=", d, 32);
    fold(fnv1a(d, 32));

    /* ---- CRC-32 (reflected, poly 0xEDB88320) over the same buffer ---- */
    uint32_t table[256];
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++)
        crc = table[(crc ^ buf[i]) & 0xff] ^ (crc >> 8);
    crc ^= 0xFFFFFFFFu;
    uint32_t crc_check = 0xFFFFFFFFu;
    for (const char *s = "123456789"; *s; s++)
        crc_check = table[(crc_check ^ (unsigned char)*s) & 0xff] ^ (crc_check >> 8);
    printf("crc32(123456789)=%08x crc32(1MiB)=%08x\n", crc_check ^ 0xFFFFFFFFu, crc);
    fold(crc);
    free(buf);
}

/* ---- arbitrary precision: little-endian base-1e9 limbs ---- */
typedef struct {
    uint32_t *d;
    size_t n, cap;
} big;

static void big_push(big *b, uint32_t v)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 8;
        b->d = realloc(b->d, b->cap * sizeof *b->d);
    }
    b->d[b->n++] = v;
}

static void big_mul_small(big *b, uint32_t m)
{
    uint64_t carry = 0;
    for (size_t i = 0; i < b->n; i++) {
        uint64_t v = (uint64_t)b->d[i] * m + carry;
        b->d[i] = v % 1000000000u;
        carry = v / 1000000000u;
    }
    while (carry) {
        big_push(b, carry % 1000000000u);
        carry /= 1000000000u;
    }
}

static void big_add(big *r, const big *a, const big *b)
{
    r->n = 0;
    uint32_t carry = 0;
    for (size_t i = 0; i < a->n || i < b->n || carry; i++) {
        uint32_t v = carry + (i < a->n ? a->d[i] : 0) + (i < b->n ? b->d[i] : 0);
        carry = v >= 1000000000u;
        big_push(r, carry ? v - 1000000000u : v);
    }
}

/* Returns a malloc'd decimal string. */
static char *big_str(const big *b)
{
    char *s = malloc(b->n * 9 + 2), *p = s;
    p += sprintf(p, "%u", b->n ? b->d[b->n - 1] : 0);
    for (size_t i = b->n - 1; i-- > 0;)
        p += sprintf(p, "%09u", b->d[i]);
    return s;
}

static void test_bignum(void)
{
    big f = {0};
    big_push(&f, 1);
    for (uint32_t i = 2; i <= 500; i++)
        big_mul_small(&f, i);
    char *s = big_str(&f);
    unsigned digit_sum = 0;
    for (char *p = s; *p; p++)
        digit_sum += *p - '0';
    printf("500! has %zu digits, digit sum %u\n500! = %s\n", strlen(s), digit_sum, s);
    fold(fnv1a(s, strlen(s)));
    free(s);

    big a = {0}, b = {0}, c = {0};
    big_push(&a, 0);
    big_push(&b, 1);
    for (int i = 2; i <= 1000; i++) {
        big_add(&c, &a, &b);
        big t = a; a = b; b = c; c = t;
    }
    s = big_str(&b);
    printf("fib(1000) = %s\n", s);
    fold(fnv1a(s, strlen(s)));
    free(s);
    free(f.d); free(a.d); free(b.d); free(c.d);
}

static void test_sieve(void)
{
    enum { N = 2000000 };
    unsigned char *comp = calloc(N + 1, 1);
    unsigned count = 0;
    uint64_t sum = 0;
    for (uint64_t i = 2; i <= N; i++) {
        if (comp[i])
            continue;
        count++;
        sum += i;
        for (uint64_t j = i * i; j <= N; j += i)
            comp[j] = 1;
    }
    printf("primes <= %d: %u, sum %llu\n", N, count, (unsigned long long)sum);
    fold(count);
    fold(sum);
    free(comp);
}

/* ---- 128-bit and division corner cases ---- */
static void test_arith(void)
{
    volatile uint64_t x = 0xfedcba9876543210ULL, y = 0x0123456789abcdefULL;
    unsigned __int128 p = (unsigned __int128)x * y;
    __int128 sp = (__int128)(int64_t)x * (int64_t)y;
    printf("u128 mul: %016llx%016llx\n", (unsigned long long)(p >> 64), (unsigned long long)p);
    printf("s128 mul: %016llx%016llx\n", (unsigned long long)((unsigned __int128)sp >> 64), (unsigned long long)sp);
    unsigned __int128 q = p / 1000000007u;
    printf("u128 div: %016llx%016llx rem %llu\n", (unsigned long long)(q >> 64), (unsigned long long)q,
           (unsigned long long)(p % 1000000007u));
    fold((uint64_t)p ^ (uint64_t)(p >> 64));

    /* RISC-V defines these instead of trapping; C calls them undefined, so use asm. */
    int64_t a = -0x7fffffffffffffffLL - 1, m1 = -1, zero = 0, seven = 7, r1, r2, r3, r4;
    uint64_t r5, r6;
    __asm__ volatile("div %0, %1, %2" : "=r"(r1) : "r"(a), "r"(m1));
    __asm__ volatile("rem %0, %1, %2" : "=r"(r2) : "r"(a), "r"(m1));
    __asm__ volatile("div %0, %1, %2" : "=r"(r3) : "r"(seven), "r"(zero));
    __asm__ volatile("rem %0, %1, %2" : "=r"(r4) : "r"(seven), "r"(zero));
    __asm__ volatile("divu %0, %1, %2" : "=r"(r5) : "r"(seven), "r"(zero));
    __asm__ volatile("remu %0, %1, %2" : "=r"(r6) : "r"(seven), "r"(zero));
    printf("min/-1=%lld min%%-1=%lld 7/0=%lld 7%%0=%lld 7/0u=%llx 7%%0u=%llu\n", (long long)r1, (long long)r2,
           (long long)r3, (long long)r4, (unsigned long long)r5, (unsigned long long)r6);
    int64_t w1, w2;
    int32_t i32min = -0x7fffffff - 1;
    __asm__ volatile("divw %0, %1, %2" : "=r"(w1) : "r"((int64_t)i32min), "r"(m1));
    __asm__ volatile("remuw %0, %1, %2" : "=r"(w2) : "r"((int64_t)-5), "r"(zero));
    printf("divw min/-1=%lld remuw -5%%0=%lld\n", (long long)w1, (long long)w2);
    int64_t hi;
    __asm__ volatile("mulh %0, %1, %2" : "=r"(hi) : "r"(a), "r"(m1));
    uint64_t hsu;
    __asm__ volatile("mulhsu %0, %1, %2" : "=r"(hsu) : "r"(m1), "r"((uint64_t)-1));
    printf("mulh=%lld mulhsu=%llx\n", (long long)hi, (unsigned long long)hsu);

    volatile uint64_t bits = 0x00f0000000001000ULL;
    printf("popcount=%d clz=%d ctz=%d bswap=%016llx\n", __builtin_popcountll(bits), __builtin_clzll(bits),
           __builtin_ctzll(bits), (unsigned long long)__builtin_bswap64(bits));
    volatile int32_t sh = -12345;
    printf("sra=%d srl=%u sll=%d\n", sh >> 3, (uint32_t)sh >> 3, (int32_t)((uint32_t)sh << 7));
    fold(r1 ^ r2 ^ r3 ^ r4 ^ r5 ^ r6 ^ w1 ^ w2 ^ hi ^ hsu);
}

int main(void)
{
    test_sort();
    test_sha256();
    test_bignum();
    test_sieve();
    test_arith();
    printf("checksum %016llx\n", (unsigned long long)checksum);
    return 0;
}
