/* getrusage: rusage [rvrun]
 *
 * Prints what Linux fixes: which `who` values are accepted (EINVAL before the buffer is
 * looked at, EFAULT after), the fields Linux always leaves zero, all-zero usage of the
 * children (there are none), CPU time that agrees with CLOCK_PROCESS_CPUTIME_ID (utime +
 * stime between two readings of the clock, to the microsecond) and grows with work, and a
 * peak resident size that grows when memory is touched. (Not its relation to VmHWM: Linux
 * counts resident pages per CPU and the two can disagree by a few pages.)
 *
 * QEMU passes getrusage to the host (host CPU time, QEMU's own memory); with "rvrun" the
 * program also prints rvrun's exact answer (all CPU time is user time, equal to the CPU
 * clock; maxrss equal to VmHWM), which tests/machine.rs checks. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "show.h"

static long raw_getrusage(long who, void *ru) { return syscall(SYS_getrusage, who, ru); }

static long long tv_ns(struct timeval tv) { return tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL; }

static long long cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long vm_hwm_kib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &v) == 1)
            break;
    if (f)
        fclose(f);
    return v;
}

static volatile unsigned long sink;

static void work(long n) {
    for (long i = 0; i < n; i++)
        sink += i * 7;
}

static void zero_fields(const char *what, const struct rusage *r) {
    printf("%s: ixrss %ld idrss %ld isrss %ld nswap %ld msgsnd %ld msgrcv %ld nsignals %ld\n",
           what, r->ru_ixrss, r->ru_idrss, r->ru_isrss, r->ru_nswap, r->ru_msgsnd,
           r->ru_msgrcv, r->ru_nsignals);
}

int main(int argc, char **argv) {
    struct rusage r;
    int rvrun = argc > 1 && strcmp(argv[1], "rvrun") == 0;

    show("RUSAGE_SELF", raw_getrusage(RUSAGE_SELF, &r));
    zero_fields("self", &r);
    show("RUSAGE_THREAD", raw_getrusage(RUSAGE_THREAD, &r));
    zero_fields("thread", &r);
    memset(&r, 0xee, sizeof r);
    show("RUSAGE_CHILDREN", raw_getrusage(RUSAGE_CHILDREN, &r));
    // The kernel's struct is 144 bytes (musl's has reserved words after it).
    static const char zero[144];
    printf("children all zero: %s\n", memcmp(&r, zero, sizeof zero) == 0 ? "yes" : "no");

    long whos[] = {-2, 2, 3, -3, 0x100000000L};
    for (int i = 0; i < 5; i++) {
        char what[64];
        snprintf(what, sizeof what, "who %#lx", whos[i]);
        show(what, raw_getrusage(whos[i], &r));
    }
    show("who -2, bad buffer", raw_getrusage(-2, (void *)8));
    show("RUSAGE_SELF, bad buffer", raw_getrusage(RUSAGE_SELF, (void *)8));
    show("RUSAGE_CHILDREN, NULL buffer", raw_getrusage(RUSAGE_CHILDREN, NULL));

    // CPU time agrees with the process CPU clock.
    work(20000000);
    long long t0 = cpu_ns();
    raw_getrusage(RUSAGE_SELF, &r);
    long long t1 = cpu_ns();
    long long used = tv_ns(r.ru_utime) + tv_ns(r.ru_stime);
    printf("clock before <= utime + stime <= clock after: %s\n",
           t0 - 2000 <= used && used <= t1 ? "yes" : "no");
    work(20000000);
    struct rusage r2;
    raw_getrusage(RUSAGE_SELF, &r2);
    printf("cpu time grew with work: %s\n",
           tv_ns(r2.ru_utime) + tv_ns(r2.ru_stime) > used ? "yes" : "no");

    // The peak resident size grows when 16 MiB are touched, and stays.
    raw_getrusage(RUSAGE_SELF, &r);
    size_t n = 16 << 20;
    volatile char *m = malloc(n);
    for (size_t i = 0; i < n; i += 4096)
        m[i] = 1;
    raw_getrusage(RUSAGE_SELF, &r2);
    printf("maxrss grew by 16 MiB: %s\n", r2.ru_maxrss - r.ru_maxrss >= 16000 ? "yes" : "no");
    free((char *)m);
    struct rusage r3;
    raw_getrusage(RUSAGE_SELF, &r3);
    printf("maxrss kept after free: %s\n", r3.ru_maxrss >= r2.ru_maxrss ? "yes" : "no");

    if (rvrun) {
        long long c0 = cpu_ns();
        raw_getrusage(RUSAGE_THREAD, &r);
        printf("rvrun: stime %ld.%06ld\n", (long)r.ru_stime.tv_sec, (long)r.ru_stime.tv_usec);
        printf("rvrun: utime is the CPU clock: %s\n",
               tv_ns(r.ru_utime) / 1000 >= c0 / 1000 && tv_ns(r.ru_utime) - c0 < 10000 ? "yes" : "no");
        printf("rvrun: maxrss == VmHWM: %s\n", r.ru_maxrss == vm_hwm_kib() ? "yes" : "no");
        printf("rvrun: minflt %ld majflt %ld inblock %ld oublock %ld nvcsw %ld nivcsw %ld\n",
               r.ru_minflt, r.ru_majflt, r.ru_inblock, r.ru_oublock, r.ru_nvcsw, r.ru_nivcsw);
        printf("rvrun: maxrss %ld utime %ld.%06ld\n", r.ru_maxrss, (long)r.ru_utime.tv_sec,
               (long)r.ru_utime.tv_usec);
    }
    return 0;
}
