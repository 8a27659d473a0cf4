/* Clocks: clock_gettime REALTIME / MONOTONIC / process CPU time, gettimeofday, time(),
 * nanosleep, and the broken-down UTC date. Under rvrun time is virtual (derived from the
 * instruction count, --epoch and --clock-hz), so the output is reproducible; under QEMU it
 * is the host's clock (a determinism-only case, no expected output). */
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

static void show(const char *name, clockid_t id)
{
    struct timespec ts;
    if (clock_gettime(id, &ts) == 0)
        printf("%-26s %lld.%09ld\n", name, (long long)ts.tv_sec, ts.tv_nsec);
    else
        printf("%-26s failed\n", name);
}

int main(void)
{
    show("CLOCK_REALTIME", CLOCK_REALTIME);
    show("CLOCK_MONOTONIC", CLOCK_MONOTONIC);
    show("CLOCK_PROCESS_CPUTIME_ID", CLOCK_PROCESS_CPUTIME_ID);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    printf("%-26s %lld.%06ld\n", "gettimeofday", (long long)tv.tv_sec, (long)tv.tv_usec);
    time_t now = time(NULL);
    printf("%-26s %lld\n", "time", (long long)now);
    struct tm tm;
    gmtime_r(&now, &tm);
    char date[64];
    strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC (%A)", &tm);
    printf("%-26s %s\n", "gmtime", date);

    struct timespec a, b, req = {0, 2000000};
    clock_gettime(CLOCK_MONOTONIC, &a);
    int rc = nanosleep(&req, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long long ns = (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
    printf("nanosleep(2ms) rc=%d, monotonic advanced %lld ns (>= 2ms: %d)\n", rc, ns, ns >= 2000000);
    struct timespec res;
    clock_getres(CLOCK_MONOTONIC, &res);
    printf("clock_getres(MONOTONIC) %lld.%09ld\n", (long long)res.tv_sec, res.tv_nsec);
    return 0;
}
