/* waitid and wait4 in a process without children: waitid [linux]
 *
 * The checks of options, `which` and the pid in Linux's order, then ECHILD; neither call
 * writes the rusage or the status.
 *
 * Linux's waitid also writes the siginfo fields it fills (si_signo, si_errno, si_code,
 * si_pid, si_uid, si_status: zeros) when it fails, so a bad siginfo pointer turns any error
 * into EFAULT. QEMU writes the siginfo only on success, so those results are printed only
 * with the argument "linux"; tests/machine.rs checks them. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "show.h"

static void show_x(const char *what, long r) {
    if (r < 0 && errno == ECHILD)
        printf("%s: -1 ECHILD\n", what);
    else
        show(what, r);
}
#define show show_x

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static long raw_waitid(long which, long pid, void *info, long options, void *ru) {
    return syscall(SYS_waitid, which, pid, info, options, ru);
}

static long raw_wait4(long pid, int *status, long options, void *ru) {
    return syscall(SYS_wait4, pid, status, options, ru);
}

// waitid with a siginfo and rusage filled with 0xee; prints the result and which bytes
// of them changed.
static int linux_mode;

static void wid(const char *what, long which, long pid, long options) {
    unsigned char info[128], ru[144];
    memset(info, 0xee, sizeof info);
    memset(ru, 0xee, sizeof ru);
    long r = raw_waitid(which, pid, info, options, ru);
    show(what, r);
    if (linux_mode) {
        printf("  siginfo bytes written:");
        for (int i = 0; i < 128; i++)
            if (info[i] != 0xee)
                printf(" %d", i);
        printf("\n");
    }
    int ru_changed = 0;
    for (int i = 0; i < 144; i++)
        ru_changed |= ru[i] != 0xee;
    printf("  rusage %s\n", ru_changed ? "written" : "untouched");
}

int main(int argc, char **argv) {
    linux_mode = argc > 1 && strcmp(argv[1], "linux") == 0;
    wid("P_ALL WEXITED", P_ALL, 0, WEXITED);
    wid("P_ALL WEXITED|WNOHANG", P_ALL, 0, WEXITED | WNOHANG);
    wid("P_PID self WEXITED|WNOWAIT", P_PID, getpid(), WEXITED | WNOWAIT);
    wid("P_PID 12345 WEXITED", P_PID, 12345, WEXITED);
    wid("P_PID 0", P_PID, 0, WEXITED);
    wid("P_PID -1", P_PID, -1, WEXITED);
    wid("P_PGID 0", P_PGID, 0, WEXITED);
    wid("P_PGID -1", P_PGID, -1, WEXITED);
    wid("P_PIDFD -1", P_PIDFD, -1, WEXITED);
    wid("P_PIDFD closed fd", P_PIDFD, 500, WEXITED);
    wid("P_PIDFD stdout", P_PIDFD, 1, WEXITED);
    wid("P_PIDFD self thread", P_PIDFD, -100, WEXITED);
    wid("P_PIDFD self process", P_PIDFD, -200, WEXITED);
    wid("which 4", 4, 0, WEXITED);
    wid("which -1", -1, 0, WEXITED);
    wid("no options", P_ALL, 0, 0);
    wid("only WNOHANG", P_ALL, 0, WNOHANG);
    wid("WSTOPPED", P_ALL, 0, WSTOPPED);
    wid("WCONTINUED", P_ALL, 0, WCONTINUED);
    wid("unknown option 0x10", P_ALL, 0, WEXITED | 0x10);
    wid("WUNTRACED-only bit is WSTOPPED", P_ALL, 0, WUNTRACED);
    wid("__WALL|__WCLONE|__WNOTHREAD", P_ALL, 0, WEXITED | 0xe0000000L);
    wid("bad which and bad options", 9, 0, 0x10);
    wid("P_PID 0 and bad options", P_PID, 0, 0x10);
    // which and pid are ints: the upper halves are ignored.
    wid("which 1<<32 | P_ALL", 0x100000000L, 0, WEXITED);

    siginfo_t si;
    show("NULL siginfo", raw_waitid(P_ALL, 0, NULL, WEXITED, NULL));
    show("NULL siginfo, bad options", raw_waitid(P_ALL, 0, NULL, 0, NULL));
    show("bad rusage", raw_waitid(P_ALL, 0, &si, WEXITED, (void *)8));
    if (linux_mode) {
        show("bad siginfo", raw_waitid(P_ALL, 0, (void *)8, WEXITED, NULL));
        show("bad siginfo, bad options", raw_waitid(P_ALL, 0, (void *)8, 0, NULL));
        // The fields written end at byte 28: a siginfo running off the end of the mapping
        // after them is fine.
        char *page =
            mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        munmap(page + 4096, 4096);
        show("siginfo crossing into an unmapped page",
             raw_waitid(P_ALL, 0, page + 4096 - 28, WEXITED, NULL));
        show("siginfo cut at byte 20", raw_waitid(P_ALL, 0, page + 4096 - 20, WEXITED, NULL));
    }

    int status = 0x5a5a;
    show("wait4 -1", raw_wait4(-1, &status, 0, NULL));
    printf("  status %#x\n", status);
    show("wait4 0 WNOHANG", raw_wait4(0, &status, WNOHANG, NULL));
    show("wait4 -5", raw_wait4(-5, &status, 0, NULL));
    show("wait4 INT_MIN", raw_wait4(INT_MIN, &status, 0, NULL));
    show("wait4 bad options", raw_wait4(-1, &status, 0x10, NULL));
    show("wait4 WEXITED is unknown", raw_wait4(-1, &status, WEXITED, NULL));
    show("wait4 INT_MIN bad options", raw_wait4(INT_MIN, &status, 0x10, NULL));
    show("wait4 bad status pointer", raw_wait4(-1, (int *)8, 0, (void *)8));
    show("waitpid via wait4 __WALL", raw_wait4(-1, &status, 0x40000000, NULL));
    return 0;
}
