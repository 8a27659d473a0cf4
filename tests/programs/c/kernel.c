/* Drives the process, memory, signal, time and misc syscall families through their success
 * and error paths with raw syscalls, printing only what Linux and rvrun must agree on (no
 * pids, times or addresses). Expected output comes from qemu-riscv64.
 *
 * Left out because qemu-riscv64 itself differs from Linux there (rvrun follows Linux):
 * set_robust_list with a bad size (Linux EINVAL, QEMU ENOSYS), madvise with an unknown advice
 * (Linux EINVAL, QEMU 0), nanosleep with a bad pointer (Linux EFAULT, QEMU sleeps). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static const char *ename(int e) {
    switch (e) {
    case EPERM: return "EPERM";
    case ESRCH: return "ESRCH";
    case EFAULT: return "EFAULT";
    case EINVAL: return "EINVAL";
    case ENOMEM: return "ENOMEM";
    case EEXIST: return "EEXIST";
    case ENOSYS: return "ENOSYS";
    case ECHILD: return "ECHILD";
    default: return "E?";
    }
}

/* Prints the raw result of a syscall: a value, or -1 and the errno name. */
static void show(const char *what, long r) {
    if (r < 0)
        printf("%-44s -1 %s\n", what, ename(errno));
    else
        printf("%-44s ok\n", what);
}
#define SYS(what, ...) show(what, syscall(__VA_ARGS__))

static void *const BAD = (void *)1;

int main(void) {
    /* ids */
    printf("getpid==gettid %d\n", (long)getpid() == syscall(SYS_gettid));
    printf("uid==euid %d gid==egid %d\n", getuid() == geteuid(), getgid() == getegid());
    printf("getppid>0 %d\n", getppid() > 0);
    SYS("set_tid_address", SYS_set_tid_address, NULL);
    SYS("wait4 no children", SYS_wait4, -1, NULL, 0, NULL);
    SYS("wait4 bad options", SYS_wait4, -1, NULL, 0x100, NULL);

    struct utsname u;
    SYS("uname", SYS_uname, &u);
    printf("sysname %s machine %s\n", u.sysname, u.machine);
    SYS("uname EFAULT", SYS_uname, BAD);

    /* resource limits */
    struct rlimit rl;
    SYS("prlimit64 get NOFILE", SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &rl);
    printf("nofile cur<=max %d\n", rl.rlim_cur <= rl.rlim_max);
    SYS("prlimit64 bad resource", SYS_prlimit64, 0, 99, NULL, &rl);
    SYS("prlimit64 bad pid", SYS_prlimit64, 0x7ffffff0, RLIMIT_NOFILE, NULL, &rl);
    SYS("prlimit64 EFAULT", SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, BAD);
    struct rlimit lower = {rl.rlim_cur / 2, rl.rlim_max};
    SYS("prlimit64 lower soft", SYS_prlimit64, 0, RLIMIT_NOFILE, &lower, NULL);
    struct rlimit inverted = {10, 5};
    SYS("prlimit64 cur>max", SYS_prlimit64, 0, RLIMIT_NOFILE, &inverted, NULL);
    SYS("getrlimit STACK", SYS_getrlimit, RLIMIT_STACK, &rl);
    printf("stack limit 8MiB %d\n", rl.rlim_cur == 8 << 20);
    struct rlimit stack = rl;
    SYS("setrlimit STACK same", SYS_setrlimit, RLIMIT_STACK, &stack);

    /* brk */
    uintptr_t b0 = syscall(SYS_brk, 0);
    uintptr_t b1 = syscall(SYS_brk, b0 + 100000);
    printf("brk grows %d\n", b1 == b0 + 100000);
    memset((void *)b0, 0xab, 100000);
    printf("brk shrink %d\n", (uintptr_t)syscall(SYS_brk, b0) == b0);
    printf("brk below start %d\n", (uintptr_t)syscall(SYS_brk, 4096) == b0);

    /* mmap family */
    SYS("mmap len 0", SYS_mmap, NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    SYS("mmap no type", SYS_mmap, NULL, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0);
    SYS("mmap unaligned offset", SYS_mmap, NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 7);
    SYS("mmap bad fd", SYS_mmap, NULL, 4096, PROT_READ, MAP_PRIVATE, 99, 0);
    char *m = (char *)syscall(SYS_mmap, NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("mmap zeroed %d\n", m[0] == 0 && m[3 * 4096 - 1] == 0);
    memset(m, 'x', 3 * 4096);
    SYS("mmap FIXED_NOREPLACE over it", SYS_mmap, m, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    char *f = (char *)syscall(SYS_mmap, m + 4096, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("MAP_FIXED replaces %d zero %d neighbours kept %d\n", f == m + 4096, f[0] == 0, m[0] == 'x' && m[8192] == 'x');
    SYS("madvise DONTNEED", SYS_madvise, m, 4096, MADV_DONTNEED);
    printf("DONTNEED zeroes %d\n", m[0] == 0 && m[4095] == 0);
    SYS("madvise unaligned", SYS_madvise, m + 1, 4096, MADV_NORMAL);
    SYS("mprotect read-only", SYS_mprotect, m, 4096, PROT_READ);
    SYS("read into read-only page", SYS_read, 0, m, 1);
    SYS("mprotect unaligned", SYS_mprotect, m + 1, 4096, PROT_READ);
    SYS("mprotect bad prot", SYS_mprotect, m, 4096, 0x100);
    m[8192] = 'y';
    char *r = (char *)syscall(SYS_mremap, m + 8192, 4096, 64 * 4096, MREMAP_MAYMOVE);
    printf("mremap grow keeps data %d\n", r != MAP_FAILED && r[0] == 'y' && r[64 * 4096 - 1] == 0);
    SYS("mremap bad flags", SYS_mremap, r, 4096, 8192, 0x80);
    SYS("mremap FIXED without MAYMOVE", SYS_mremap, r, 4096, 8192, MREMAP_FIXED, m);
    SYS("mremap shrink", SYS_mremap, r, 64 * 4096, 4096, 0);
    SYS("munmap", SYS_munmap, r, 4096);
    SYS("munmap unaligned", SYS_munmap, (char *)r + 1, 4096);
    SYS("munmap len 0", SYS_munmap, r, 0);
    SYS("munmap unmapped (ok)", SYS_munmap, r, 4096);
    SYS("mremap unmapped", SYS_mremap, r, 4096, 8192, MREMAP_MAYMOVE);
    SYS("mprotect unmapped", SYS_mprotect, r, 4096, PROT_READ);

    /* signals */
    struct { void *handler; unsigned long flags; uint64_t mask; } sa = {0}, old;
    SYS("rt_sigaction get SIGINT", SYS_rt_sigaction, SIGINT, NULL, &old, 8);
    printf("SIGINT default %d\n", old.handler == SIG_DFL);
    sa.handler = SIG_IGN;
    SYS("rt_sigaction ignore SIGUSR1", SYS_rt_sigaction, SIGUSR1, &sa, NULL, 8);
    SYS("rt_sigaction read back", SYS_rt_sigaction, SIGUSR1, NULL, &old, 8);
    printf("SIGUSR1 ignored %d\n", old.handler == SIG_IGN);
    SYS("rt_sigaction SIGKILL", SYS_rt_sigaction, SIGKILL, &sa, NULL, 8);
    SYS("rt_sigaction signal 0", SYS_rt_sigaction, 0, NULL, &old, 8);
    SYS("rt_sigaction signal 65", SYS_rt_sigaction, 65, NULL, &old, 8);
    SYS("rt_sigaction bad sigsetsize", SYS_rt_sigaction, SIGINT, NULL, &old, 4);
    SYS("rt_sigaction EFAULT", SYS_rt_sigaction, SIGINT, BAD, NULL, 8);
    SYS("kill self SIGUSR1 (ignored)", SYS_kill, getpid(), SIGUSR1);
    SYS("kill self 0", SYS_kill, getpid(), 0);
    SYS("kill bad signal", SYS_kill, getpid(), 99);
    SYS("kill no such pid", SYS_kill, 0x7ffffff0, 0);
    SYS("tgkill wrong tid", SYS_tgkill, getpid(), 0x7ffffff0, 0);
    SYS("tgkill bad tgid", SYS_tgkill, -5, 1, 0);
    SYS("tkill self 0", SYS_tkill, syscall(SYS_gettid), 0);
    uint64_t set = 1ull << (SIGUSR2 - 1), oset;
    SYS("rt_sigprocmask block USR2", SYS_rt_sigprocmask, SIG_BLOCK, &set, &oset, 8);
    SYS("rt_sigprocmask bad how", SYS_rt_sigprocmask, 7, &set, NULL, 8);
    SYS("rt_sigprocmask get", SYS_rt_sigprocmask, SIG_SETMASK, NULL, &oset, 8);
    printf("USR2 blocked %d\n", (int)((oset >> (SIGUSR2 - 1)) & 1));
    uint64_t all = ~0ull;
    SYS("rt_sigprocmask block all", SYS_rt_sigprocmask, SIG_SETMASK, &all, NULL, 8);
    SYS("rt_sigprocmask get", SYS_rt_sigprocmask, SIG_SETMASK, NULL, &oset, 8);
    printf("KILL/STOP never blocked %d\n", ((oset >> (SIGKILL - 1)) & 1) == 0 && ((oset >> (SIGSTOP - 1)) & 1) == 0);
    uint64_t none = 0;
    SYS("rt_sigprocmask unblock all", SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, 8);
    static char altstack[16384];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0}, oss;
    SYS("sigaltstack get", SYS_sigaltstack, NULL, &oss);
    printf("altstack initially disabled %d\n", oss.ss_flags == SS_DISABLE);
    SYS("sigaltstack set", SYS_sigaltstack, &ss, NULL);
    SYS("sigaltstack get", SYS_sigaltstack, NULL, &oss);
    printf("altstack size %zu flags %d\n", oss.ss_size, oss.ss_flags);
    ss.ss_size = 100;
    SYS("sigaltstack too small", SYS_sigaltstack, &ss, NULL);
    ss.ss_flags = 12345;
    SYS("sigaltstack bad flags", SYS_sigaltstack, &ss, NULL);

    /* time */
    struct timespec ts, ts2;
    SYS("clock_gettime MONOTONIC", SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
    SYS("clock_gettime bad clock", SYS_clock_gettime, 12345, &ts);
    SYS("clock_gettime EFAULT", SYS_clock_gettime, CLOCK_REALTIME, BAD);
    SYS("clock_getres REALTIME", SYS_clock_getres, CLOCK_REALTIME, &ts);
    printf("resolution <= 1ms %d\n", ts.tv_sec == 0 && ts.tv_nsec <= 1000000);
    SYS("clock_getres NULL", SYS_clock_getres, CLOCK_MONOTONIC, NULL);
    SYS("gettimeofday", SYS_gettimeofday, &ts2, NULL);
    struct timespec req = {0, 1000000};
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
    SYS("nanosleep 1ms", SYS_nanosleep, &req, NULL);
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts2);
    long slept = (ts2.tv_sec - ts.tv_sec) * 1000000000L + (ts2.tv_nsec - ts.tv_nsec);
    printf("monotonic advanced >= 1ms %d\n", slept >= 1000000);
    struct timespec bad = {0, 1000000000};
    SYS("nanosleep bad nsec", SYS_nanosleep, &bad, NULL);
    SYS("clock_nanosleep abs in past", SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &req, NULL);
    SYS("clock_nanosleep bad clock", SYS_clock_nanosleep, 12345, 0, &req, NULL);

    /* misc */
    unsigned char buf[32];
    printf("getrandom returns %ld\n", syscall(SYS_getrandom, buf, sizeof buf, 0));
    SYS("getrandom bad flags", SYS_getrandom, buf, sizeof buf, 0x80);
    SYS("getrandom EFAULT", SYS_getrandom, BAD, 16, 0);
    SYS("sched_yield", SYS_sched_yield);
    uint64_t mask[2];
    long n = syscall(SYS_sched_getaffinity, 0, sizeof mask, mask);
    printf("sched_getaffinity >0 %d cpu0 %d\n", n > 0, (int)(mask[0] & 1));
    SYS("sched_getaffinity len 3", SYS_sched_getaffinity, 0, 3, mask);
    SYS("sched_getaffinity EFAULT", SYS_sched_getaffinity, 0, sizeof mask, BAD);
    long q = syscall(SYS_membarrier, 0, 0, 0);
    printf("membarrier query has GLOBAL %d\n", q > 0 && (q & 1));
    SYS("membarrier bad flags", SYS_membarrier, 0, 99, 0);
    struct { int64_t key; uint64_t value; } probe[3] = {{3, 0}, {4, 0}, {9999, 0}};
    SYS("riscv_hwprobe", 258, probe, 3, 0, NULL, 0);
    printf("hwprobe base IMA %d FD %d C %d unknown key %lld\n", (int)(probe[0].value & 1), (int)(probe[1].value & 1),
           (int)((probe[1].value >> 1) & 1), (long long)probe[2].key);
    SYS("riscv_hwprobe bad flags", 258, probe, 1, 0, NULL, 4);
    SYS("rseq (ENOSYS by design in rvrun)", SYS_rseq, NULL, 0, 0, 0);
    return 0;
}
