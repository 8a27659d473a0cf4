/* Heap: many small mallocs (brk-backed in glibc, brk/mmap in musl), large allocations that
 * the allocators serve with mmap, realloc growth (mremap) and free (munmap), then the raw
 * brk, mmap, mremap, mprotect and munmap syscalls. Only contents and checksums are printed,
 * never addresses. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}

static unsigned char pattern(size_t i, unsigned seed)
{
    return (unsigned char)(i * 7 + seed + (i >> 12));
}

static void fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = pattern(i, seed);
}

/* Big blocks: write every 251st byte (a prime, so the offsets wander within pages) to keep
 * the run short under an emulator while still touching every page. */
static void fill_sparse(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i += 251)
        p[i] = pattern(i, seed);
}

static int check_sparse(const unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i += 251)
        if (p[i] != pattern(i, seed))
            return 0;
    return 1;
}

/* Checks p[from..to) against the pattern fill(p, ..., seed) wrote. */
static int check_range(const unsigned char *p, size_t from, size_t to, unsigned seed)
{
    for (size_t i = from; i < to; i++)
        if (p[i] != pattern(i, seed))
            return 0;
    return 1;
}

static int check(const unsigned char *p, size_t n, unsigned seed)
{
    return check_range(p, 0, n, seed);
}

/* The raw brk syscall: grow by 1 MiB, touch it, give it back. Done before the allocator
 * has grown the heap much, and restored exactly, so malloc's view stays valid. */
static void test_raw_brk(void)
{
    long cur = syscall(SYS_brk, 0);
    long want = cur + (1 << 20);
    long got = syscall(SYS_brk, want);
    printf("brk grow 1MiB: %s\n", got == want ? "ok" : "failed");
    if (got == want) {
        memset((void *)cur, 0x5a, 1 << 20);
        printf("brk memory: %s\n", ((unsigned char *)cur)[(1 << 20) - 1] == 0x5a ? "writable" : "bad");
        got = syscall(SYS_brk, cur);
        printf("brk shrink: %s\n", got == cur ? "ok" : "failed");
    }
}

static void test_small(void)
{
    enum { N = 50000 };
    unsigned char **v = malloc(N * sizeof *v);
    uint64_t h = 14695981039346656037ULL;
    size_t total = 0;
    for (int i = 0; i < N; i++) {
        size_t sz = 1 + (i * 37) % 200;
        v[i] = malloc(sz);
        fill(v[i], sz, i);
        total += sz;
    }
    /* free every other one, then reallocate them with different sizes */
    for (int i = 0; i < N; i += 2)
        free(v[i]);
    for (int i = 0; i < N; i += 2) {
        size_t sz = 1 + (i * 13) % 300;
        v[i] = malloc(sz);
        fill(v[i], sz, i + 1);
    }
    int ok = 1;
    for (int i = 0; i < N; i++) {
        size_t sz = i % 2 ? 1 + (i * 37) % 200 : 1 + (i * 13) % 300;
        ok &= check(v[i], sz, i % 2 ? i : i + 1);
        h = fnv(h, v[i], sz);
        free(v[i]);
    }
    free(v);
    printf("small: %d allocations, %zu bytes first round, intact=%d hash=%016llx\n", N, total, ok,
           (unsigned long long)h);
}

static void test_large(void)
{
    size_t sz = 48u << 20;
    unsigned char *p = malloc(sz);
    if (!p) {
        printf("malloc 48MiB failed\n");
        return;
    }
    fill_sparse(p, sz, 1);
    printf("malloc 48MiB: intact=%d\n", check_sparse(p, sz, 1));

    /* realloc growth in steps: glibc and musl move big chunks with mremap */
    size_t n = 1 << 20;
    unsigned char *r = malloc(n);
    fill_sparse(r, n, 2);
    int ok = 1;
    while (n < (64u << 20)) {
        size_t m = n * 2;
        r = realloc(r, m);
        if (!r) {
            printf("realloc to %zu failed\n", m);
            return;
        }
        ok &= check_sparse(r, n, 2);
        fill_sparse(r, m, 2);
        n = m;
    }
    printf("realloc grown to %zu MiB: intact=%d\n", n >> 20, ok & check_sparse(r, n, 2));
    r = realloc(r, 4096);
    printf("realloc shrunk to 4096: intact=%d\n", check_sparse(r, 4096, 2));
    free(r);
    free(p);

    void *c = calloc(16u << 20, 1);
    size_t zero = 1;
    for (size_t i = 0; i < (16u << 20); i += 4093)
        zero &= ((unsigned char *)c)[i] == 0;
    printf("calloc 16MiB zeroed=%zu\n", zero);
    free(c);

    /* many mid-size blocks, some above the mmap threshold */
    uint64_t h = 14695981039346656037ULL;
    for (int round = 0; round < 3; round++) {
        unsigned char *b[40];
        for (int i = 0; i < 40; i++) {
            size_t s = (size_t)(i + 1) * 37 * 1024;
            b[i] = malloc(s);
            fill_sparse(b[i], s, i + round);
        }
        for (int i = 39; i >= 0; i--) {
            size_t s = (size_t)(i + 1) * 37 * 1024;
            for (size_t k = 0; k < s; k += 251)
                h = fnv(h, b[i] + k, 1);
            free(b[i]);
        }
    }
    printf("mid-size rounds hash=%016llx\n", (unsigned long long)h);
}

static void test_raw_mmap(void)
{
    size_t pg = (size_t)sysconf(_SC_PAGESIZE);
    printf("page size %zu\n", pg);
    size_t n = 1 << 20;
    unsigned char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        printf("mmap failed errno=%d\n", errno);
        return;
    }
    int zero = 1;
    for (size_t i = 0; i < n; i += pg)
        zero &= p[i] == 0;
    fill(p, n, 3);
    printf("mmap 1MiB: zeroed=%d\n", zero);

    unsigned char *q = mremap(p, n, 8 * n, MREMAP_MAYMOVE);
    if (q == MAP_FAILED) {
        printf("mremap grow failed errno=%d\n", errno);
        return;
    }
    int tail_zero = 1;
    for (size_t i = n; i < 8 * n; i += pg)
        tail_zero &= q[i] == 0;
    printf("mremap grow to 8MiB: old data intact=%d new tail zeroed=%d\n", check(q, n, 3), tail_zero);
    fill(q, 8 * n, 4);

    unsigned char *s = mremap(q, 8 * n, 2 * n, 0);
    printf("mremap shrink in place: %s intact=%d\n", s == q ? "same address" : "moved", check(s, 2 * n, 4));

    /* unmap a hole in the middle; the rest must stay */
    printf("munmap middle page: %d\n", munmap(s + 4 * pg, pg));
    printf("pages around the hole intact=%d,%d\n", check_range(s, 0, 4 * pg, 4),
           check_range(s, 5 * pg, 2 * n, 4));

    /* MAP_FIXED over an existing mapping replaces it with zeros */
    void *f = mmap(s + 8 * pg, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("MAP_FIXED remap: %s zero=%d\n", f == s + 8 * pg ? "at requested address" : "elsewhere",
           s[8 * pg] == 0 && s[10 * pg - 1] == 0);

    printf("mprotect read-only: %d\n", mprotect(s, pg, PROT_READ));
    printf("read after mprotect: %d\n", s[100] == (unsigned char)(100 * 7 + 4));
    printf("munmap all: %d\n", munmap(s, 2 * n));

    /* errors */
    errno = 0;
    void *bad = mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("mmap len 0: %s errno=%s\n", bad == MAP_FAILED ? "MAP_FAILED" : "mapped", errno == EINVAL ? "EINVAL" : "?");
    errno = 0;
    int rc = munmap((void *)((uintptr_t)s + 1), pg);
    printf("munmap unaligned: %d errno=%s\n", rc, errno == EINVAL ? "EINVAL" : "?");
}

int main(void)
{
    test_raw_brk();
    test_small();
    test_large();
    test_raw_mmap();
    printf("done\n");
    return 0;
}
