/* mount and umount2 as an unprivileged process sees them: Linux's checks before the
 * permission check (strings, flags, the target's lookup), then EPERM. Run by tests/machine.rs
 * under rvrun only: QEMU passes these calls to the host, where as root they would mount. */
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "show.h"

int main(void) {
    char long_name[5000];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = 0;
    show("mount tmpfs on /tmp", mount("none", "/tmp", "tmpfs", 0, NULL));
    show("mount on a missing dir", mount("none", "/missing", "tmpfs", 0, NULL));
    show("mount MS_NOUSER", mount("none", "/tmp", "tmpfs", 1UL << 31, NULL));
    show("mount bad source", syscall(SYS_mount, (char *)8, "/tmp", "tmpfs", 0, NULL));
    show("mount bad type", syscall(SYS_mount, "none", "/tmp", (char *)8, 0, NULL));
    show("mount bad data", syscall(SYS_mount, "none", "/tmp", "tmpfs", 0, (char *)8));
    show("mount bad target", syscall(SYS_mount, "none", (char *)8, "tmpfs", 0, NULL));
    show("mount long type", mount("none", "/tmp", long_name, 0, NULL));
    show("mount long target", mount("none", long_name, "tmpfs", 0, NULL));
    show("mount bind", mount("/tmp", "/tmp", NULL, MS_BIND, NULL));
    show("umount2 /tmp", umount2("/tmp", 0));
    show("umount2 MNT_FORCE", umount2("/tmp", MNT_FORCE));
    show("umount2 bad flags", umount2("/tmp", 0x10));
    show("umount2 bad flags, missing", umount2("/missing", 0x10));
    show("umount2 missing", umount2("/missing", 0));
    show("umount2 bad target", syscall(SYS_umount2, (char *)8, 0));
    show("umount2 empty", umount2("", 0));
    return 0;
}
