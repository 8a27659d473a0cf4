// The machine the guest sees: CPU count and affinity (sysconf, sched_getaffinity and
// sched_setaffinity with their size rules), the CPU files (/proc/cpuinfo,
// /sys/devices/system/cpu/{online,possible,present}, /proc/stat), the user and group
// databases, /etc/hosts, the local time zone, and the /proc/self files.
//
// With the argument "ids" it prints the process's groups, process group, session and
// capabilities. With the arguments "cat PATH" it copies that file to stdout instead; with "users" it looks
// up the user and group databases (the C libraries ask nscd over a unix socket before
// reading /etc/passwd and /etc/group, or when a name is missing there) and the time zone.
//
// Its output describes the machine, so it differs between rvrun (whose machine is fixed by
// --cpus) and QEMU (which shows the host): tests/machine.rs checks the lines under rvrun.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "show.h"

static long getaff(long pid, unsigned long len, void *mask) {
    return syscall(SYS_sched_getaffinity, pid, len, mask);
}

static long setaff(long pid, unsigned long len, void *mask) {
    return syscall(SYS_sched_setaffinity, pid, len, mask);
}

static int bits(const unsigned char *m, long n) {
    int c = 0;
    for (long i = 0; i < n; i++)
        c += __builtin_popcount(m[i]);
    return c;
}

// Prints a file's contents (or the open's errno), each line prefixed with the path.
static void cat(const char *path, int max_lines) {
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("%s: -1 %s\n", path, ename(errno));
        return;
    }
    char line[512];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        if (n++ < max_lines)
            printf("%s: %s", path, line);
    }
    printf("%s: %d lines\n", path, n);
    fclose(f);
}

// Counts the lines of a file that start with `prefix`.
static int count_lines(const char *path, const char *prefix) {
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[512];
    int n = 0;
    while (fgets(line, sizeof line, f))
        n += strncmp(line, prefix, strlen(prefix)) == 0;
    fclose(f);
    return n;
}

static void affinity(void) {
    unsigned char m[256];
    memset(m, 0, sizeof m);
    long r = getaff(0, 128, m);
    printf("getaffinity 128: %ld, %d cpus\n", r, r > 0 ? bits(m, r) : -1);
    memset(m, 0, sizeof m);
    r = getaff(0, 256, m);
    printf("getaffinity 256: %ld, %d cpus\n", r, r > 0 ? bits(m, r) : -1);
    show("getaffinity 8", getaff(0, 8, m));
    show("getaffinity 16", getaff(0, 16, m));
    show("getaffinity 12", getaff(0, 12, m));
    show("getaffinity 0", getaff(0, 0, m));
    show("getaffinity pid 12345", getaff(12345, 128, m));
    show("getaffinity NULL", getaff(0, 128, NULL));
    show("getaffinity own pid", getaff(getpid(), 128, m));

    unsigned char one[128] = {0};
    one[0] = 1;
    show("setaffinity {0}", setaff(0, sizeof one, one));
    memset(m, 0, sizeof m);
    r = getaff(0, 128, m);
    printf("after setaffinity {0}: %ld, %d cpus, mask[0]=%#x\n", r, bits(m, r), m[0]);
    printf("sysconf(_SC_NPROCESSORS_ONLN) with affinity {0}: %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
    unsigned char none[128] = {0};
    show("setaffinity {}", setaff(0, sizeof none, none));
    unsigned char high[128] = {0};
    high[127] = 0x80;
    show("setaffinity {1023}", setaff(0, sizeof high, high));
    show("setaffinity NULL", setaff(0, 128, NULL));
    show("setaffinity pid 12345", setaff(12345, 128, one));
    unsigned char all[128];
    memset(all, 0xff, sizeof all);
    show("setaffinity all (short length 8)", setaff(0, 8, all));
    memset(m, 0, sizeof m);
    r = getaff(0, 128, m);
    printf("after setaffinity all: %ld, %d cpus\n", r, bits(m, r));
    unsigned cpu = 99, node = 99;
    show("getcpu", syscall(SYS_getcpu, &cpu, &node, NULL));
    printf("cpu %u node %u\n", cpu, node);
}

static void files(void) {
    printf("cpuinfo processors: %d\n", count_lines("/proc/cpuinfo", "processor"));
    cat("/proc/cpuinfo", 9);
    cat("/sys/devices/system/cpu/online", 5);
    cat("/sys/devices/system/cpu/possible", 5);
    cat("/sys/devices/system/cpu/present", 5);
    printf("/proc/stat cpu lines: %d\n", count_lines("/proc/stat", "cpu"));
    cat("/proc/version", 5);
    cat("/etc/hosts", 5);
    cat("/proc/self/cgroup", 5);
    cat("/sys/fs/cgroup/cpu.max", 5);
    cat("/proc/self/comm", 5);
    cat("/proc/self/cmdline", 5);
    printf("meminfo MemTotal lines: %d\n", count_lines("/proc/meminfo", "MemTotal:"));
    printf("status Name lines: %d\n", count_lines("/proc/self/status", "Name:\t"));
}

// The process's identity: groups, process group, session, capabilities.
static void ids(void) {
    gid_t g[8];
    show("getgroups 0", getgroups(0, NULL));
    long n = getgroups(8, g);
    show("getgroups 8", n);
    for (long i = 0; i < n; i++)
        printf("group[%ld] = %d\n", i, (int)g[i]);
    show("getgroups -1", syscall(SYS_getgroups, -1, g));
    show("setgroups", syscall(SYS_setgroups, 1, g));
    show("getpgid 0", getpgid(0));
    show("getpgid self", getpgid(getpid()));
    show("getpgid 12345", getpgid(12345));
    show("getsid 0", getsid(0));
    struct { unsigned version; int pid; } hdr = {0x20080522, 0};
    unsigned data[6];
    memset(data, 0xff, sizeof data);
    show("capget v3", syscall(SYS_capget, &hdr, data));
    printf("caps %x %x %x %x %x %x\n", data[0], data[1], data[2], data[3], data[4], data[5]);
    hdr.version = 1;
    show("capget bad version", syscall(SYS_capget, &hdr, data));
    printf("version now %#x\n", hdr.version);
    hdr.version = 1;
    show("capget bad version NULL data", syscall(SYS_capget, &hdr, NULL));
    hdr.version = 0x20080522;
    hdr.pid = 12345;
    show("capget pid 12345", syscall(SYS_capget, &hdr, data));
}

static void users(void) {
    struct passwd *pw = getpwuid(getuid());
    if (pw)
        printf("passwd: %s uid %d gid %d home %s shell %s\n", pw->pw_name, (int)pw->pw_uid, (int)pw->pw_gid,
               pw->pw_dir, pw->pw_shell);
    else
        printf("passwd: none\n");
    pw = getpwnam("root");
    printf("root: %s\n", pw ? pw->pw_dir : "none");
    struct group *gr = getgrgid(getgid());
    printf("group: %s\n", gr ? gr->gr_name : "none");
    const char *home = getenv("HOME");
    printf("HOME: %s\n", home ? home : "(unset)");
    time_t t = 0;
    struct tm tm;
    localtime_r(&t, &tm);
    printf("localtime: %s offset %ld\n", tm.tm_zone, tm.tm_gmtoff);
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "cat") == 0) {
        // Copies one file to stdout as it is (for the /proc/self files).
        int fd = open(argv[2], O_RDONLY);
        char buf[4096];
        long n;
        if (fd < 0)
            return 1;
        while ((n = read(fd, buf, sizeof buf)) > 0)
            fwrite(buf, 1, n, stdout);
        return n < 0;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 2 && strcmp(argv[1], "ids") == 0) {
        ids();
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "users") == 0) {
        users();
        return 0;
    }
    printf("sysconf(_SC_NPROCESSORS_ONLN): %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
    printf("sysconf(_SC_NPROCESSORS_CONF): %ld\n", sysconf(_SC_NPROCESSORS_CONF));
    affinity();
    files();
    return 0;
}
