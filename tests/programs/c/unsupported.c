/* Makes a syscall rvrun does not implement (acct, 89): rvrun stops the run naming it, or with
 * --allow-unsupported answers ENOSYS. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(void) {
    printf("before\n");
    fflush(stdout);
    long r = syscall(SYS_acct, 0);
    printf("acct: %ld %s\n", r, r < 0 ? (errno == ENOSYS ? "ENOSYS" : strerror(errno)) : "OK");
    return 0;
}
