/* Shared mappings and the memory syscalls around them, as an unprivileged Linux process
 * meets them: MAP_SHARED file mappings kept coherent with read/write both ways and across
 * aliases, msync, ftruncate under a mapping (SIGBUS past the end), MAP_SHARED|MAP_ANONYMOUS
 * shared between threads and duplicated by mremap, memfd_create and its seals, mincore,
 * the mlock family under RLIMIT_MEMLOCK, and madvise. Each line names a call and its result
 * or errno.
 *
 * rvrun's guest is uid 1000 without capabilities. Under QEMU run as root, the program first
 * sets the RLIMIT_MEMLOCK rvrun starts with and then drops to uid/gid 1000 itself (raw
 * syscalls, changing only the calling thread, the only guest thread then), so that the host
 * kernel applies the unprivileged rules. argv[1] is a writable scratch directory. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "show.h"

#define PG 4096UL

#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#define MFD_ALLOW_SEALING 0x0002U
#endif
#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#define MFD_EXEC 0x0010U
#endif
#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#define F_GET_SEALS 1034
#define F_SEAL_SEAL 0x0001
#define F_SEAL_SHRINK 0x0002
#define F_SEAL_GROW 0x0004
#define F_SEAL_WRITE 0x0008
#endif
#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 0x01
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MADV_DONTNEED_LOCKED
#define MADV_DONTNEED_LOCKED 24
#endif

/* Set by a second argument "linux": also the checks where qemu-riscv64 differs from Linux
 * (QEMU's mremap refuses old_len 0, which Linux takes as "duplicate a shared mapping"). */
static int linux_only;

static sigjmp_buf probe_jmp;
static volatile int probe_sig, probe_code;
static void *volatile probe_addr;

static void on_fault(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    probe_sig = sig;
    probe_code = si->si_code;
    probe_addr = si->si_addr;
    siglongjmp(probe_jmp, 1);
}

/* Reads (or writes) one byte at p; prints the byte or the signal that stopped it. */
static void probe(const char *what, volatile char *p, int write, char v) {
    if (sigsetjmp(probe_jmp, 1) == 0) {
        if (write) {
            *p = v;
            printf("%s: wrote\n", what);
        } else {
            char c = *p;
            printf("%s: 0x%02x\n", what, (unsigned char)c);
        }
        return;
    }
    printf("%s: signal %s code %d at %s\n", what,
           probe_sig == SIGBUS ? "SIGBUS" : probe_sig == SIGSEGV ? "SIGSEGV" : "other",
           probe_code, probe_addr == (void *)p ? "the byte" : "elsewhere");
}

static void show_bytes(const char *what, const char *p, size_t n) {
    printf("%s: \"", what);
    for (size_t i = 0; i < n; i++)
        putchar(p[i] >= 32 && p[i] < 127 ? p[i] : '.');
    printf("\"\n");
}

static void show_pread(const char *what, int fd, size_t n, off_t off) {
    char buf[64] = {0};
    ssize_t r = pread(fd, buf, n, off);
    if (r < 0) {
        printf("%s: -1 %s\n", what, ename(errno));
        return;
    }
    printf("%s: %zd ", what, r);
    show_bytes("bytes", buf, (size_t)r);
}

static void show_size(const char *what, int fd) {
    struct stat st;
    if (fstat(fd, &st) != 0) {
        printf("%s: -1 %s\n", what, ename(errno));
        return;
    }
    printf("%s: size %lld\n", what, (long long)st.st_size);
}

static void show_ptr(const char *what, void *p) {
    if (p == MAP_FAILED)
        printf("%s: -1 %s\n", what, ename(errno));
    else
        printf("%s: ok\n", what);
}

static void show_mincore(const char *what, void *p, size_t len) {
    unsigned char v[16];
    memset(v, 7, sizeof v);
    long r = mincore(p, len, v);
    if (r != 0) {
        printf("%s: -1 %s\n", what, ename(errno));
        return;
    }
    printf("%s:", what);
    for (size_t i = 0; i < (len + PG - 1) / PG && i < sizeof v; i++)
        printf(" %d", v[i] & 1);
    printf("\n");
}

/* A mapping of exactly `pages` pages between two PROT_NONE guard pages (so that it cannot
 * merge with a neighbour into a range the host backs with a huge page). */
static char *guarded(size_t pages, int prot) {
    char *g = mmap(NULL, (pages + 2) * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (g == MAP_FAILED)
        return NULL;
    if (mprotect(g + PG, pages * PG, prot) != 0)
        return NULL;
    return g + PG;
}

/* An address with nothing mapped there. */
static void *unmapped(void) {
    void *p = mmap(NULL, PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(p, PG);
    return p;
}

static void shared_file(const char *dir) {
    char path[256];
    snprintf(path, sizeof path, "%s/shmap.dat", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    show("open rw", fd < 0 ? -1 : 0);
    show("ftruncate 3 pages", ftruncate(fd, 3 * PG));
    /* Placed with a hole after it. */
    char *res = mmap(NULL, 8 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *a = mmap(res + 2 * PG, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
    show_ptr("mmap shared rw", a);
    munmap(res + 5 * PG, 3 * PG);
    munmap(res, 2 * PG);
    memcpy(a, "hello", 5);
    show_pread("pread after store", fd, 5, 0);
    show_size("fstat", fd);
    show("pwrite WORLD at 4096", pwrite(fd, "WORLD", 5, PG));
    show_bytes("mapping after pwrite", a + PG, 5);
    show("lseek 10", lseek(fd, 10, SEEK_SET));
    show("write xyz", write(fd, "xyz", 3));
    show_bytes("mapping after write", a + 8, 6);
    /* Two aliases of the same pages, and a third at a page offset. */
    char *b = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *c = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, PG);
    show_ptr("mmap alias", b);
    show_ptr("mmap alias at offset 4096", c);
    a[1] = 'E';
    show_bytes("alias sees store", b, 5);
    b[2] = 'L';
    c[0] = 'w';
    show_bytes("first sees alias store", a, 5);
    show_bytes("first sees offset alias", a + PG, 5);
    show_bytes("offset alias sees", c, 5);
    /* Reading the file into one of its own mappings. */
    show("pread into alias", pread(fd, b + 100, 5, PG));
    show_bytes("first after pread into alias", a + 100, 5);
    show("write from mapping", pwrite(fd, a, 5, 200));
    show_bytes("mapping at 200", a + 200, 5);
    /* msync: Linux's checks. */
    show("msync MS_SYNC", msync(a, 3 * PG, MS_SYNC));
    show("msync MS_ASYNC|MS_INVALIDATE", msync(a, PG, MS_ASYNC | MS_INVALIDATE));
    show("msync len 0", msync(a, 0, MS_SYNC));
    show("msync MS_ASYNC|MS_SYNC", msync(a, PG, MS_ASYNC | MS_SYNC));
    show("msync bad flag", msync(a, PG, 8));
    show("msync unaligned", msync(a + 1, PG, MS_SYNC));
    show("msync len 2^64-1", msync(a, (size_t)-1, MS_ASYNC));
    show("msync unmapped", msync(unmapped(), PG, MS_ASYNC));
    show("msync starting in a hole", msync(a - PG, 2 * PG, MS_ASYNC));
    show("msync MS_SYNC starting in a hole", msync(a - PG, 2 * PG, MS_SYNC));
    show("msync past the end", msync(a, 5 * PG, MS_ASYNC));
    show("msync at 2^47-2^32", msync((void *)0x7fff00000000UL, PG, MS_ASYNC));
    show("msync at 2^64-4096", msync((void *)-PG, PG, MS_ASYNC));
    show("msync unaligned len", msync(a, 1, MS_SYNC));
    /* munmap, then the file still has the data. */
    show("munmap alias", munmap(b, 2 * PG));
    show("munmap offset alias", munmap(c, PG));
    a[3] = 'P';
    show("msync after store", msync(a, PG, MS_SYNC));
    show("munmap first", munmap(a, 3 * PG));
    show_pread("pread after munmap", fd, 5, 0);
    show_pread("pread 4096 after munmap", fd, 5, PG);
    /* Write permission checks. */
    int ro = open(path, O_RDONLY);
    char *r = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0);
    show_ptr("mmap shared rw of read-only fd", r);
    r = mmap(NULL, PG, PROT_READ, MAP_SHARED, ro, 0);
    show_ptr("mmap shared ro of read-only fd", r);
    show("mprotect rw of that", mprotect(r, PG, PROT_READ | PROT_WRITE));
    show_bytes("read-only shared mapping", r, 5);
    show("pwrite while mapped read-only", pwrite(fd, "Z", 1, 0));
    show_bytes("read-only mapping sees it", r, 5);
    char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
    show_ptr("mmap private rw of read-only fd", p);
    p[0] = 'q';
    show_bytes("private copy", p, 5);
    show_pread("file unchanged by private store", fd, 5, 0);
    munmap(p, PG);
    int wo = open(path, O_WRONLY);
    show_ptr("mmap shared of write-only fd", mmap(NULL, PG, PROT_WRITE, MAP_SHARED, wo, 0));
    int ap = open(path, O_RDWR | O_APPEND);
    show_ptr("mmap shared rw of O_APPEND fd", mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ap, 0));
    close(wo);
    close(ap);
    munmap(r, PG);
    close(ro);
    /* mprotect of a shared mapping, and stores through a read-only one. */
    a = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    show("mprotect read-only", mprotect(a, PG, PROT_READ));
    probe("store to read-only shared page", a, 1, 'x');
    show("mprotect rw again", mprotect(a, PG, PROT_READ | PROT_WRITE));
    probe("store after mprotect rw", a + 4, 1, 'O');
    show_pread("file after store", fd, 5, 0);
    /* ftruncate under the mapping: pages past the end give SIGBUS. */
    show("ftruncate 100", ftruncate(fd, 100));
    probe("read byte 99", a + 99, 0, 0);
    probe("read byte 100 (same page, past the end)", a + 100, 0, 0);
    probe("store byte 200 (same page, past the end)", a + 200, 1, 'T');
    show_size("fstat after store past the end", fd);
    show_pread("pread 190", fd, 20, 190);
    probe("read second page", a + PG, 0, 0);
    probe("store second page", a + PG + 1, 1, 'x');
    show("ftruncate 3 pages again", ftruncate(fd, 3 * PG));
    probe("read second page after growing", a + PG, 0, 0);
    probe("read byte 200 after growing", a + 200, 0, 0);
    /* mremap of a shared mapping: moving keeps it shared, growing maps more of the file. */
    char *m = mremap(a, 3 * PG, 2 * PG, 0);
    show_ptr("mremap shrink", m);
    char *spot = mmap(NULL, 8 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    m = mremap(a, 2 * PG, 3 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, spot + 4 * PG);
    show_ptr("mremap move and grow", m);
    m[5] = '!';
    show_pread("file after store through moved mapping", fd, 6, 0);
    show("pwrite third page", pwrite(fd, "third", 5, 2 * PG));
    show_bytes("grown page", m + 2 * PG, 5);
    if (linux_only) {
        char *dup = mremap(m, 0, PG, MREMAP_MAYMOVE);
        show_ptr("mremap old_len 0 of shared file mapping", dup);
        if (dup != MAP_FAILED) {
            dup[0] = 'D';
            show_bytes("duplicate shares", m, 6);
            munmap(dup, PG);
        }
    }
    munmap(m, 3 * PG);
    munmap(spot, 8 * PG);
    /* mmap past the end of the file. */
    show("ftruncate 10", ftruncate(fd, 10));
    m = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd, 0);
    show_ptr("mmap 2 pages of a 10 byte file", m);
    probe("read page 0 byte 50", m + 50, 0, 0);
    probe("read page 1", m + PG, 0, 0);
    show("pwrite at 6000 grows the file", pwrite(fd, "g", 1, 6000));
    probe("read page 1 after growing", m + 6000, 0, 0);
    munmap(m, 2 * PG);
    show("mmap shared offset not aligned", (long)mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 1));
    close(fd);
    unlink(path);
}

static char *shared_anon;

static void *writer(void *arg) {
    (void)arg;
    strcpy(shared_anon, "from thread");
    return NULL;
}

static void shared_anonymous(void) {
    shared_anon = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    show_ptr("mmap shared anonymous", shared_anon);
    pthread_t t;
    pthread_create(&t, NULL, writer, NULL);
    pthread_join(t, NULL);
    show_bytes("main sees thread's store", shared_anon, 11);
    char *d = shared_anon;
    if (linux_only) {
        d = mremap(shared_anon, 0, PG, MREMAP_MAYMOVE);
        show_ptr("mremap old_len 0 duplicates", d);
        if (d == MAP_FAILED)
            return;
        d[0] = 'F';
        show_bytes("original sees duplicate's store", shared_anon, 11);
    }
    show("madvise DONTNEED shared", madvise(shared_anon, PG, MADV_DONTNEED));
    show_bytes("after DONTNEED (shared: kept)", d, 11);
    if (linux_only) {
        /* (QEMU answers MADV_REMOVE 0 without passing it on.) */
        show("madvise REMOVE shared", madvise(shared_anon, PG, MADV_REMOVE));
        show_bytes("after REMOVE (zeroed)", d, 4);
        shared_anon[0] = 'r';
        show_bytes("after REMOVE and store", d, 2);
    }
    if (d != shared_anon)
        munmap(d, PG);
    /* Growing a shared anonymous mapping: its object keeps its size, so the new page
     * gives SIGBUS. */
    char *g = mremap(shared_anon, PG, 2 * PG, MREMAP_MAYMOVE);
    show_ptr("mremap grow shared anonymous", g);
    probe("read first page", g, 0, 0);
    probe("read grown page", g + PG, 0, 0);
    munmap(g, 2 * PG);
    char *pa = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    pa[0] = 'p';
    if (linux_only)
        show_ptr("mremap old_len 0 of private", mremap(pa, 0, PG, MREMAP_MAYMOVE));
    if (linux_only)
        show("madvise REMOVE private", madvise(pa, PG, MADV_REMOVE));
    show("madvise DONTNEED private", madvise(pa, PG, MADV_DONTNEED));
    probe("private after DONTNEED", pa, 0, 0);
    munmap(pa, PG);
}

static void memfd(void) {
    show("memfd_create bad flag", syscall(SYS_memfd_create, "x", 0x100));
    show("memfd_create EXEC|NOEXEC_SEAL", syscall(SYS_memfd_create, "x", MFD_EXEC | MFD_NOEXEC_SEAL));
    show("memfd_create NULL name", syscall(SYS_memfd_create, NULL, 0));
    char name[300];
    memset(name, 'n', sizeof name);
    name[249] = 0;
    int fd = syscall(SYS_memfd_create, name, 0);
    show("memfd_create 249-byte name", fd < 0 ? -1 : 0);
    close(fd);
    name[249] = 'n';
    name[250] = 0;
    show("memfd_create 250-byte name", syscall(SYS_memfd_create, name, 0));
    fd = syscall(SYS_memfd_create, "plain", 0);
    show("memfd_create plain", fd < 0 ? -1 : 0);
    struct stat st;
    fstat(fd, &st);
    printf("plain: mode 0%o size %lld nlink %d\n", st.st_mode, (long long)st.st_size, (int)st.st_nlink);
    show("plain F_GETFD", fcntl(fd, F_GETFD));
    show("plain F_GET_SEALS", fcntl(fd, F_GET_SEALS));
    show("plain F_ADD_SEALS", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
    close(fd);
    fd = syscall(SYS_memfd_create, "noexec", MFD_NOEXEC_SEAL);
    fstat(fd, &st);
    printf("noexec: mode 0%o\n", st.st_mode);
    show("noexec F_GET_SEALS", fcntl(fd, F_GET_SEALS));
    show("noexec fchmod 0755", fchmod(fd, 0755));
    close(fd);

    fd = syscall(SYS_memfd_create, "shmap", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    show("memfd_create CLOEXEC|ALLOW_SEALING", fd < 0 ? -1 : 0);
    show("F_GETFD", fcntl(fd, F_GETFD));
    show("F_GET_SEALS", fcntl(fd, F_GET_SEALS));
    show("write", write(fd, "memfd data", 10));
    show("ftruncate 2 pages", ftruncate(fd, 2 * PG));
    char *m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    show_ptr("mmap shared rw", m);
    show_bytes("mapping", m, 10);
    m[0] = 'M';
    show_pread("pread", fd, 10, 0);
    show("F_ADD_SEALS unknown bit", fcntl(fd, F_ADD_SEALS, 0x40));
    show("F_ADD_SEALS WRITE while mapped writable", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
    show("F_ADD_SEALS SHRINK|GROW", fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW));
    show("F_GET_SEALS", fcntl(fd, F_GET_SEALS));
    show("ftruncate smaller", ftruncate(fd, PG));
    show("ftruncate larger", ftruncate(fd, 3 * PG));
    show("ftruncate same", ftruncate(fd, 2 * PG));
    show("pwrite inside", pwrite(fd, "in", 2, 100));
    show("pwrite across the end", pwrite(fd, "across", 6, 2 * PG - 3));
    show("pwrite past the end", pwrite(fd, "past", 4, 2 * PG));
    show("munmap", munmap(m, 2 * PG));
    show("F_ADD_SEALS FUTURE_WRITE", fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE));
    show("pwrite after FUTURE_WRITE", pwrite(fd, "x", 1, 0));
    show_ptr("mmap shared rw after FUTURE_WRITE", mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
    m = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);
    show_ptr("mmap shared ro after FUTURE_WRITE", m);
    show("mprotect rw of it", mprotect(m, PG, PROT_READ | PROT_WRITE));
    munmap(m, PG);
    m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    show_ptr("mmap private rw after FUTURE_WRITE", m);
    m[1] = 'p';
    show_pread("file after private store", fd, 4, 0);
    munmap(m, PG);
    show("F_ADD_SEALS WRITE", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
    show("F_ADD_SEALS SEAL", fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL));
    show("F_GET_SEALS", fcntl(fd, F_GET_SEALS));
    show("F_ADD_SEALS after SEAL", fcntl(fd, F_ADD_SEALS, F_SEAL_EXEC));
    show("F_ADD_SEALS 0 after SEAL", fcntl(fd, F_ADD_SEALS, 0));
    close(fd);

    /* Write-sealing with a read-only shared mapping of a writable fd: still busy. */
    fd = syscall(SYS_memfd_create, "busy", MFD_ALLOW_SEALING);
    ftruncate(fd, PG);
    m = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);
    show("F_ADD_SEALS WRITE with read-only shared mapping", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
    munmap(m, PG);
    m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    show("F_ADD_SEALS WRITE with private mapping", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
    munmap(m, PG);
    /* A writable mapping made before FUTURE_WRITE keeps working. */
    close(fd);
    fd = syscall(SYS_memfd_create, "future", MFD_ALLOW_SEALING);
    ftruncate(fd, PG);
    m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    show("F_ADD_SEALS FUTURE_WRITE while mapped", fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE));
    probe("store through earlier mapping", m, 1, 'e');
    show_pread("file", fd, 1, 0);
    munmap(m, PG);
    close(fd);
}

static void mincore_checks(void) {
    char *p = guarded(4, PROT_READ | PROT_WRITE);
    show_mincore("mincore fresh", p, 4 * PG);
    p[0] = 1;
    (void)*(volatile char *)(p + 2 * PG);
    show_mincore("mincore after write page 0, read page 2", p, 4 * PG);
    show_mincore("mincore unaligned length", p, 2 * PG + 1);
    show_mincore("mincore length 0", p, 0);
    show("mincore unaligned start", mincore(p + 1, PG, (unsigned char *)p));
    show("mincore unmapped", mincore(unmapped(), PG, (unsigned char *)p));
    show("mincore into guard page", mincore(p, 5 * PG, (unsigned char *)p + 100));
    show("mincore starting in guard page", mincore(p - PG, PG, (unsigned char *)p + 100));
    show("mincore vector unmapped", mincore(p, PG, (unsigned char *)8));
    show("mincore vector read-only", mincore(p, PG, (unsigned char *)"constant"));
    show("mincore length 2^64-4096", mincore(p, (size_t)-PG, (unsigned char *)p + 100));
    show("mincore vector near 2^64", mincore(p, PG, (unsigned char *)-2));
    show("mincore start near 2^64", mincore((void *)-PG, PG, (unsigned char *)p + 100));
    show("madvise DONTNEED page 0", madvise(p, PG, MADV_DONTNEED));
    show_mincore("mincore after DONTNEED", p, 4 * PG);
    if (linux_only) {
        /* (QEMU answers most madvise advice with 0 without passing it on.) */
        show("madvise POPULATE_WRITE pages 1-2", madvise(p + PG, 2 * PG, MADV_POPULATE_WRITE));
        show_mincore("mincore after POPULATE_WRITE", p, 4 * PG);
    }
    munmap(p - PG, 6 * PG);
}

static long setlim(int res, unsigned long cur, unsigned long max) {
    struct rlimit rl = {cur, max};
    return setrlimit(res, &rl);
}

static void mlocks(void) {
    struct rlimit rl;
    getrlimit(RLIMIT_MEMLOCK, &rl);
    printf("RLIMIT_MEMLOCK: %lu %lu\n", (unsigned long)rl.rlim_cur, (unsigned long)rl.rlim_max);
    show("setrlimit MEMLOCK 8 pages", setlim(RLIMIT_MEMLOCK, 8 * PG, rl.rlim_max));
    char *p = guarded(12, PROT_READ | PROT_WRITE);
    show("mlock 4 pages", mlock(p, 4 * PG));
    show_mincore("mincore after mlock", p, 6 * PG);
    show("mlock unaligned inside", mlock(p + 1, 1));
    show("mlock 9 pages (4 locked)", mlock(p, 9 * PG));
    show("mlock 8 pages (4 locked)", mlock(p, 8 * PG));
    show("mlock 9th page", mlock(p + 8 * PG, PG));
    show("munlock 2 pages", munlock(p + 6 * PG, 2 * PG));
    show("mlock 9th page again", mlock(p + 8 * PG, PG));
    show("mlock length 0", mlock(p + 10 * PG, 0));
    show("mlock length that rounds to 0", mlock(p + 10 * PG, (size_t)-PG + 1));
    show("mlock length 2^64-8192", mlock(p, (size_t)-2 * PG));
    show("mlock unmapped", mlock(unmapped(), PG));
    show("mlock at 2^47-2^32", mlock((void *)0x7fff00000000UL, PG));
    show("munlock at 2^64-4096", munlock((void *)-PG, PG));
    show("mlock into guard page", munlock(p, 13 * PG) == 0 ? mlock(p + 11 * PG, 2 * PG) : -2);
    show("munlock all 12", munlock(p, 12 * PG));
    show("munlock unmapped", munlock(unmapped(), PG));
    show("munlock into guard page", munlock(p, 13 * PG));
    show("mlock 2 pages", mlock(p + 10 * PG, 2 * PG));
    show("msync INVALIDATE of locked", msync(p + 10 * PG, PG, MS_INVALIDATE));
    show("msync ASYNC of locked", msync(p + 10 * PG, PG, MS_ASYNC));
    show("munlock", munlock(p + 10 * PG, 2 * PG));
    if (linux_only) {
        /* (QEMU has no mlock2, and zaps DONTNEED pages itself.) */
        show("madvise DONTNEED to drop", madvise(p + 10 * PG, 2 * PG, MADV_DONTNEED));
        show("mlock2 bad flags", syscall(SYS_mlock2, p, PG, 2));
        show("mlock2 ONFAULT 2 pages", syscall(SYS_mlock2, p + 10 * PG, 2 * PG, MLOCK_ONFAULT));
        show_mincore("mincore after mlock2 ONFAULT", p + 10 * PG, 2 * PG);
        p[11 * PG] = 1;
        show_mincore("mincore after touching one", p + 10 * PG, 2 * PG);
        show("madvise DONTNEED of locked", madvise(p + 11 * PG, PG, MADV_DONTNEED));
        show("madvise DONTNEED_LOCKED of locked", madvise(p + 11 * PG, PG, MADV_DONTNEED_LOCKED));
        show_mincore("mincore after DONTNEED_LOCKED", p + 10 * PG, 2 * PG);
        show("munlock", munlock(p + 10 * PG, 2 * PG));
    }
    char *none = guarded(2, PROT_NONE);
    show("mlock PROT_NONE", mlock(none, PG));
    show("munlock PROT_NONE", munlock(none, PG));
    show("mlockall 0", mlockall(0));
    show("mlockall ONFAULT alone", mlockall(MCL_ONFAULT));
    show("mlockall unknown bit", mlockall(8));
    show("mlockall CURRENT over the limit", mlockall(MCL_CURRENT));
    show("munlockall", munlockall());
    show("setrlimit MEMLOCK 0", setlim(RLIMIT_MEMLOCK, 0, rl.rlim_max));
    show("mlock at limit 0", mlock(p, PG));
    if (linux_only)
        show("mlock2 bad flags at limit 0", syscall(SYS_mlock2, p, PG, 2));
    show("mlockall at limit 0", mlockall(MCL_CURRENT));
    show("munlock at limit 0", munlock(p, PG));
    show("munlockall at limit 0", munlockall());
    show("setrlimit MEMLOCK back", setlim(RLIMIT_MEMLOCK, rl.rlim_cur, rl.rlim_max));
    munmap(none - PG, 4 * PG);
    munmap(p - PG, 14 * PG);
}

static void madvises(void) {
    char *p = guarded(2, PROT_READ | PROT_WRITE);
    show("madvise unaligned", madvise(p + 1, PG, MADV_NORMAL));
    show("madvise length 2^64-1", madvise(p, (size_t)-1, MADV_NORMAL));
    show("madvise length 0 unaligned", madvise(p + 1, 0, MADV_NORMAL));
    if (!linux_only) {
        /* (QEMU answers most madvise advice with 0 without passing it on.) */
        munmap(p - PG, 4 * PG);
        return;
    }
    int bad[] = {5, 6, 7, 26, 99, 104, -1};
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char what[64];
        snprintf(what, sizeof what, "madvise %d", bad[i]);
        show(what, madvise(p, PG, bad[i]));
    }
    int ok[] = {MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTFORK,
                MADV_DOFORK, MADV_DONTDUMP, MADV_DODUMP, MADV_COLD, MADV_PAGEOUT, MADV_FREE};
    for (unsigned i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char what[64];
        snprintf(what, sizeof what, "madvise %d", ok[i]);
        show(what, madvise(p, PG, ok[i]));
    }
    show("madvise HWPOISON unprivileged", madvise(p, PG, 100));
    show("madvise unmapped", madvise(unmapped(), PG, MADV_NORMAL));
    munmap(p - PG, 4 * PG);
}

/* process_vm_readv/writev on the program itself (QEMU has neither). */
static void process_vm(void) {
    char a[16] = "remote data", b[16];
    memset(b, '-', sizeof b);
    struct iovec l[2] = {{b, 4}, {b + 8, 8}}, r[2] = {{a, 11}, {unmapped(), 8}};
    long pid = getpid();
    show("process_vm_readv", syscall(SYS_process_vm_readv, pid, l, 2, r, 1, 0));
    show_bytes("local", b, 16);
    b[0] = 'R';
    show("process_vm_writev", syscall(SYS_process_vm_writev, pid, l, 1, r, 1, 0));
    show_bytes("remote", a, 11);
    show("process_vm_readv into a fault", syscall(SYS_process_vm_readv, pid, l, 2, r, 2, 0));
    show("process_vm_readv from a fault", syscall(SYS_process_vm_readv, pid, l, 2, r + 1, 1, 0));
    show("process_vm_readv flags 1", syscall(SYS_process_vm_readv, pid, l, 2, r, 1, 1));
    show("process_vm_readv other pid", syscall(SYS_process_vm_readv, 999999L, l, 2, r, 1, 0));
    show("process_vm_readv 1025 iovecs", syscall(SYS_process_vm_readv, pid, l, 1025L, r, 1, 0));
    struct iovec neg = {b, (size_t)-1};
    show("process_vm_readv negative length", syscall(SYS_process_vm_readv, pid, &neg, 1, r, 1, 0));
    show("process_vm_writev nothing", syscall(SYS_process_vm_writev, pid, l, 0, r, 1, 0));
}

/* /proc/self/maps flags and names of shared mappings, and VmLck (rvrun's own files). */
static void procfs(void) {
    char *sa = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int fd = syscall(SYS_memfd_create, "procfs", 0);
    ftruncate(fd, 2 * PG);
    char *m = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, PG);
    show("mlock shared anonymous page", mlock(sa, PG));
    static char buf[65536];
    int f = open("/proc/self/maps", O_RDONLY);
    long n = read(f, buf, sizeof buf - 1);
    close(f);
    buf[n > 0 ? n : 0] = 0;
    for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n"))
        if (strstr(l, "memfd:procfs") || strstr(l, "/dev/zero"))
            printf("maps: %.4s %.8s %s\n", strchr(l, ' ') + 1, strchr(l, ' ') + 6,
                   strstr(l, "/memfd") ? strstr(l, "/memfd") : strstr(l, "/dev/zero"));
    f = open("/proc/self/status", O_RDONLY);
    n = read(f, buf, sizeof buf - 1);
    close(f);
    buf[n > 0 ? n : 0] = 0;
    char *v = strstr(buf, "VmLck:");
    if (v)
        printf("%.*s\n", (int)strcspn(v, "\n"), v);
    munlock(sa, PG);
    munmap(sa, PG);
    munmap(m, PG);
    close(fd);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        printf("usage: shmap DIR\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    linux_only = argc > 2 && strcmp(argv[2], "linux") == 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);
    /* (The scratch directory under QEMU belongs to root: the files come first.) */
    shared_file(argv[1]);
    shared_anonymous();
    memfd();
    if (getuid() == 0) {
        /* Under QEMU as root: rvrun's starting limit, then uid 1000 for this thread. */
        setlim(RLIMIT_MEMLOCK, 8 << 20, 8 << 20);
        if (syscall(SYS_setgroups, 0, NULL) || syscall(SYS_setgid, 1000) || syscall(SYS_setuid, 1000)) {
            printf("cannot drop to uid 1000\n");
            return 1;
        }
    }
    printf("uid %d\n", (int)getuid());
    mincore_checks();
    mlocks();
    madvises();
    if (linux_only) {
        process_vm();
        procfs();
    }
    return 0;
}
