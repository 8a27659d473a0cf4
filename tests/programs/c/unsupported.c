/* Makes a syscall rvrun does not implement (acct, 89), or with the argument `fork` a case of
 * an implemented one that rvrun does not support (clone creating a process): rvrun stops the
 * run naming it, or with --allow-unsupported answers ENOSYS. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

static void show(const char *what, long r) {
    printf("%s: %ld %s\n", what, r, r < 0 ? (errno == ENOSYS ? "ENOSYS" : strerror(errno)) : "OK");
}

int main(int argc, char **argv) {
    printf("before\n");
    fflush(stdout);
    if (argc > 1 && strcmp(argv[1], "fork") == 0) {
        pid_t pid = fork();
        if (pid == 0)
            _exit(0);
        show("fork", pid);
    } else {
        show("acct", syscall(SYS_acct, 0));
    }
    return 0;
}
