// prctl: thread names (PR_SET_NAME/PR_GET_NAME, /proc/self/comm and /proc/self/task/TID/comm),
// the parent-death signal, dumpable, keepcaps, no_new_privs, the capability bounding set,
// timer slack (per thread, inherited by new threads), THP disable, PR_SET_VMA and unknown
// options, with their error paths. Each line names a call and its result or errno.
//
// With the argument "linux" it also runs the checks where qemu-riscv64 differs from Linux
// (rvrun follows Linux; tests/machine.rs checks these lines):
//   the initial name: Linux names the process after its program file (basename, 15 bytes),
//     under QEMU the host thread keeps QEMU's own name;
//   PR_SET_NAME reads at most 15 bytes and stops at the NUL: a short string at the end of
//     the last mapped page is fine under Linux, QEMU reads 16 bytes and fails with EFAULT;
//   PR_SET_PDEATHSIG 64 (SIGRTMAX, valid under Linux): QEMU cannot map it to a host signal
//     and answers EINVAL;
//   PR_GET/SET_THP_DISABLE: QEMU answers EINVAL;
//   PR_SET_VMA_ANON_NAME: QEMU answers EINVAL; Linux names anonymous mappings and
//     /proc/self/maps shows them as [anon:NAME].
// Left out entirely: PR_CAPBSET_READ of capabilities a container's bounding set may lack (the
// guest is an ordinary uid 1000 process whose bounding set is full).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "show.h"

#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#define PR_SET_VMA_ANON_NAME 0
#endif

static long pr(long opt, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5) {
    return syscall(SYS_prctl, opt, a2, a3, a4, a5);
}

static void show_name(const char *what) {
    unsigned char buf[20];
    memset(buf, 0xee, sizeof buf);
    long r = pr(PR_GET_NAME, (unsigned long)buf, 0, 0, 0);
    if (r < 0) {
        show(what, r);
        return;
    }
    printf("%s: %ld \"", what, r);
    for (int i = 0; i < 20; i++)
        printf(buf[i] >= 0x20 && buf[i] < 0x7f ? "%c" : "\\x%02x", buf[i]);
    printf("\"\n");
}

// Prints a /proc comm file's whole contents (or the open's errno).
static void show_file(const char *what, const char *path) {
    char buf[64];
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        show(what, fd);
        return;
    }
    long n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n < 0) {
        show(what, n);
        return;
    }
    buf[n] = 0;
    printf("%s: %ld \"", what, n);
    for (char *c = buf; *c; c++)
        printf(*c == '\n' ? "\\n" : "%c", *c);
    printf("\"\n");
}

static void show_task_comm(const char *what, long tid) {
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%ld/comm", tid);
    show_file(what, path);
}

static pthread_barrier_t named, checked;
static long worker_tid;

static void *worker(void *arg) {
    (void)arg;
    worker_tid = syscall(SYS_gettid);
    int sig = -1;
    pr(PR_GET_PDEATHSIG, (unsigned long)&sig, 0, 0, 0);
    printf("thread get pdeathsig: %d\n", sig);
    show("thread get timerslack (inherited)", pr(PR_GET_TIMERSLACK, 0, 0, 0, 0));
    show("thread set timerslack 7", pr(PR_SET_TIMERSLACK, 7, 0, 0, 0));
    show("thread get timerslack", pr(PR_GET_TIMERSLACK, 0, 0, 0, 0));
    show("thread set timerslack 0 (back to its default)", pr(PR_SET_TIMERSLACK, 0, 0, 0, 0));
    show("thread get timerslack", pr(PR_GET_TIMERSLACK, 0, 0, 0, 0));
    show("thread get keepcaps (inherited)", pr(PR_GET_KEEPCAPS, 0, 0, 0, 0));
    show("thread get no_new_privs (inherited)", pr(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
    show_name("thread name before");
    show("thread set name", pr(PR_SET_NAME, (unsigned long)"worker-1", 0, 0, 0));
    show_name("thread name");
    show_file("thread /proc/thread-self/comm", "/proc/thread-self/comm");
    pthread_barrier_wait(&named);
    pthread_barrier_wait(&checked);
    return NULL;
}

static void names(void) {
    show("set name \"abc\"", pr(PR_SET_NAME, (unsigned long)"abc", 0, 0, 0));
    show_name("get name");
    show_file("/proc/self/comm", "/proc/self/comm");
    show_task_comm("/proc/self/task/TID/comm", syscall(SYS_gettid));
    show("set name of 20 bytes", pr(PR_SET_NAME, (unsigned long)"0123456789abcdefghij", 0, 0, 0));
    show_name("get name (truncated to 15)");
    show_file("/proc/self/comm", "/proc/self/comm");
    show("set name \"x\" (rest padded with NULs)", pr(PR_SET_NAME, (unsigned long)"x", 0, 0, 0));
    show_name("get name");
    show("set name \"\"", pr(PR_SET_NAME, (unsigned long)"", 0, 0, 0));
    show_name("get name");
    show_file("/proc/self/comm", "/proc/self/comm");
    show("set name NULL", pr(PR_SET_NAME, 0, 0, 0, 0));
    show("get name NULL", pr(PR_GET_NAME, 0, 0, 0, 0));
    show("set name bad pointer", pr(PR_SET_NAME, 8, 0, 0, 0));
    show("set name \"main\"", pr(PR_SET_NAME, (unsigned long)"main", 0, 0, 0));
}

static void pdeathsig(void) {
    int sig = -1;
    show("get pdeathsig", pr(PR_GET_PDEATHSIG, (unsigned long)&sig, 0, 0, 0));
    printf("pdeathsig: %d\n", sig);
    show("set pdeathsig 9", pr(PR_SET_PDEATHSIG, 9, 0, 0, 0));
    pr(PR_GET_PDEATHSIG, (unsigned long)&sig, 0, 0, 0);
    printf("pdeathsig: %d\n", sig);
    show("set pdeathsig 34", pr(PR_SET_PDEATHSIG, 34, 0, 0, 0));
    pr(PR_GET_PDEATHSIG, (unsigned long)&sig, 0, 0, 0);
    printf("pdeathsig: %d\n", sig);
    show("set pdeathsig 65", pr(PR_SET_PDEATHSIG, 65, 0, 0, 0));
    show("set pdeathsig -1", pr(PR_SET_PDEATHSIG, -1UL, 0, 0, 0));
    pr(PR_GET_PDEATHSIG, (unsigned long)&sig, 0, 0, 0);
    printf("pdeathsig: %d\n", sig);
    show("get pdeathsig NULL", pr(PR_GET_PDEATHSIG, 0, 0, 0, 0));
    show("set pdeathsig 0", pr(PR_SET_PDEATHSIG, 0, 0, 0, 0));
}

static void flags(void) {
    show("get dumpable", pr(PR_GET_DUMPABLE, 0, 0, 0, 0));
    show("set dumpable 2", pr(PR_SET_DUMPABLE, 2, 0, 0, 0));
    show("set dumpable 3", pr(PR_SET_DUMPABLE, 3, 0, 0, 0));
    show("set dumpable 0", pr(PR_SET_DUMPABLE, 0, 0, 0, 0));
    show("get dumpable", pr(PR_GET_DUMPABLE, 0, 0, 0, 0));
    show("set dumpable 1", pr(PR_SET_DUMPABLE, 1, 0, 0, 0));
    show("get dumpable", pr(PR_GET_DUMPABLE, 0, 0, 0, 0));

    show("get keepcaps", pr(PR_GET_KEEPCAPS, 0, 0, 0, 0));
    show("set keepcaps 2", pr(PR_SET_KEEPCAPS, 2, 0, 0, 0));
    show("set keepcaps 1", pr(PR_SET_KEEPCAPS, 1, 0, 0, 0));
    show("get keepcaps", pr(PR_GET_KEEPCAPS, 0, 0, 0, 0));

    show("get no_new_privs", pr(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
    show("get no_new_privs arg2=1", pr(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0));
    show("get no_new_privs arg5=1", pr(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 1));
    show("set no_new_privs 0", pr(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0));
    show("set no_new_privs 2", pr(PR_SET_NO_NEW_PRIVS, 2, 0, 0, 0));
    show("set no_new_privs 1 arg3=1", pr(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0));
    show("set no_new_privs 1", pr(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
    show("get no_new_privs", pr(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
    show("set no_new_privs 1 again", pr(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));

    // CAP_CHOWN, CAP_KILL, CAP_SETPCAP, CAP_SYS_ADMIN, CAP_CHECKPOINT_RESTORE (the last).
    int caps[] = {0, 5, 8, 21, 40};
    for (unsigned i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        char what[48];
        snprintf(what, sizeof what, "capbset read %d", caps[i]);
        show(what, pr(PR_CAPBSET_READ, caps[i], 0, 0, 0));
    }
    show("capbset read 41", pr(PR_CAPBSET_READ, 41, 0, 0, 0));
    show("capbset read 64", pr(PR_CAPBSET_READ, 64, 0, 0, 0));
    show("capbset read -1", pr(PR_CAPBSET_READ, -1UL, 0, 0, 0));

    show("get timerslack", pr(PR_GET_TIMERSLACK, 0, 0, 0, 0));
    show("set timerslack 1000", pr(PR_SET_TIMERSLACK, 1000, 0, 0, 0));
    show("get timerslack", pr(PR_GET_TIMERSLACK, 0, 0, 0, 0));
    show("set timerslack 0", pr(PR_SET_TIMERSLACK, 0, 0, 0, 0));
    show("get timerslack", pr(PR_GET_TIMERSLACK, 0, 0, 0, 0));
    show("set timerslack 2000", pr(PR_SET_TIMERSLACK, 2000, 0, 0, 0));

    show("unknown option 0", pr(0, 0, 0, 0, 0));
    show("unknown option 1000", pr(1000, 0, 0, 0, 0));
    show("unknown option -1", pr(-1, 0, 0, 0, 0));
    show("unknown option 0x7fffffff", pr(0x7fffffff, 0, 0, 0, 0));
}

static void threads(void) {
    pthread_t t;
    pthread_barrier_init(&named, NULL, 2);
    pthread_barrier_init(&checked, NULL, 2);
    pr(PR_SET_PDEATHSIG, 15, 0, 0, 0);
    pthread_create(&t, NULL, worker, NULL);
    pthread_barrier_wait(&named);
    show_name("main name after the thread named itself");
    show_file("main /proc/self/comm", "/proc/self/comm");
    show_task_comm("main reads the thread's comm", worker_tid);
    show("main get timerslack", pr(PR_GET_TIMERSLACK, 0, 0, 0, 0));
    pthread_barrier_wait(&checked);
    pthread_join(t, NULL);
    pr(PR_SET_PDEATHSIG, 0, 0, 0, 0);
}

// The checks where QEMU differs from Linux (see the header).
static void linux_only(void) {
    show_name("initial name");
    show_file("initial /proc/self/comm", "/proc/self/comm");

    long page = sysconf(_SC_PAGESIZE);
    char *m = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(m + page, page);
    memcpy(m + page - 3, "ab", 3);
    show("set name ending at the last mapped byte", pr(PR_SET_NAME, (unsigned long)(m + page - 3), 0, 0, 0));
    show_name("get name");
    memcpy(m + page - 2, "cd", 2);
    show("set name running into an unmapped page", pr(PR_SET_NAME, (unsigned long)(m + page - 2), 0, 0, 0));
    memset(m + page - 15, 'z', 15);
    show("set name of 15 bytes ending at the page end", pr(PR_SET_NAME, (unsigned long)(m + page - 15), 0, 0, 0));
    show_name("get name");

    show("get thp_disable", pr(PR_GET_THP_DISABLE, 0, 0, 0, 0));
    show("get thp_disable arg2=1", pr(PR_GET_THP_DISABLE, 1, 0, 0, 0));
    show("set thp_disable arg4=1", pr(PR_SET_THP_DISABLE, 1, 0, 1, 0));
    show("set thp_disable 5", pr(PR_SET_THP_DISABLE, 5, 0, 0, 0));
    show("get thp_disable", pr(PR_GET_THP_DISABLE, 0, 0, 0, 0));
    show("set thp_disable 0", pr(PR_SET_THP_DISABLE, 0, 0, 0, 0));
    show("get thp_disable", pr(PR_GET_THP_DISABLE, 0, 0, 0, 0));

    int sig = -1;
    show("set pdeathsig 64", pr(PR_SET_PDEATHSIG, 64, 0, 0, 0));
    pr(PR_GET_PDEATHSIG, (unsigned long)&sig, 0, 0, 0);
    printf("pdeathsig: %d\n", sig);
    pr(PR_SET_PDEATHSIG, 0, 0, 0, 0);

    char *a = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unsigned long v = (unsigned long)a;
    show("name pages 1-2", pr(PR_SET_VMA, PR_SET_VMA_ANON_NAME, v + page, 2 * page, (unsigned long)"my buffer"));
    show("name with '$'", pr(PR_SET_VMA, PR_SET_VMA_ANON_NAME, v, page, (unsigned long)"a$b"));
    show("name with '\\n'", pr(PR_SET_VMA, PR_SET_VMA_ANON_NAME, v, page, (unsigned long)"a\nb"));
    char longname[100];
    memset(longname, 'n', sizeof longname);
    longname[79] = 0;
    show("name of 79 bytes", pr(PR_SET_VMA, PR_SET_VMA_ANON_NAME, v + 3 * page, page, (unsigned long)longname));
    longname[79] = 'n';
    longname[80] = 0;
    show("name of 80 bytes", pr(PR_SET_VMA, PR_SET_VMA_ANON_NAME, v, page, (unsigned long)longname));
    show("name bad pointer", pr(PR_SET_VMA, PR_SET_VMA_ANON_NAME, v, page, 8));
    show("name unaligned start", pr(PR_SET_VMA, PR_SET_VMA_ANON_NAME, v + 1, page, (unsigned long)"x"));
    show("name length 0", pr(PR_SET_VMA, PR_SET_VMA_ANON_NAME, v, 0, (unsigned long)"x"));
    show("name wrapping range", pr(PR_SET_VMA, PR_SET_VMA_ANON_NAME, v, -page, (unsigned long)"x"));
    show("name bad option", pr(PR_SET_VMA, 1, v, page, (unsigned long)"x"));
    show("name unmapped range", pr(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)m + page, page, (unsigned long)"x"));
    show("name NULL clears page 2", pr(PR_SET_VMA, PR_SET_VMA_ANON_NAME, v + 2 * page, page, 0));
    int fd = open("/proc/self/exe", O_RDONLY);
    char *f = mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, 0);
    show("name a file mapping", pr(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)f, page, (unsigned long)"x"));
    close(fd);

    char line[512];
    FILE *maps = fopen("/proc/self/maps", "r");
    int named = 0;
    while (maps && fgets(line, sizeof line, maps)) {
        char *tag = strstr(line, "[anon:");
        if (!tag)
            continue;
        unsigned long lo, hi;
        sscanf(line, "%lx-%lx", &lo, &hi);
        printf("maps: +%ld pages, %ld pages: %s", (long)(lo - v) / page, (long)(hi - lo) / page, tag);
        named++;
    }
    if (maps)
        fclose(maps);
    printf("named mappings: %d\n", named);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 1 && strcmp(argv[1], "linux") == 0) {
        linux_only();
        return 0;
    }
    names();
    pdeathsig();
    flags();
    threads();
    return 0;
}
