/* Syscall error paths. Each line names the call and the errno it produced, by symbolic
 * name (strerror text differs between libcs). The bad-pointer cases go through syscall()
 * so no libc wrapper touches the pointer first. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static const char *errname(int e)
{
    switch (e) {
    case 0: return "OK";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ESRCH: return "ESRCH";
    case EINTR: return "EINTR";
    case EIO: return "EIO";
    case EBADF: return "EBADF";
    case ECHILD: return "ECHILD";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case EXDEV: return "EXDEV";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EINVAL: return "EINVAL";
    case EMFILE: return "EMFILE";
    case ENOTTY: return "ENOTTY";
    case EFBIG: return "EFBIG";
    case ENOSPC: return "ENOSPC";
    case ESPIPE: return "ESPIPE";
    case EROFS: return "EROFS";
    case EPIPE: return "EPIPE";
    case ERANGE: return "ERANGE";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOSYS: return "ENOSYS";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ELOOP: return "ELOOP";
    default: return "E?";
    }
}

/* Prints "label: rc=R errno=NAME"; the result is normalised to -1/0/positive so that no
 * host-specific number (an fd, a count) leaks in. */
static void report(const char *label, long rc)
{
    int e = rc < 0 ? errno : 0;
    printf("%-40s %s %s\n", label, rc < 0 ? "-1" : rc == 0 ? "0" : ">0", errname(e));
}

#define TRY(label, expr)        \
    do {                        \
        errno = 0;              \
        long rc_ = (long)(expr); \
        report(label, rc_);     \
    } while (0)

int main(void)
{
    int p[2];
    if (pipe(p) != 0) {
        printf("pipe failed: %s\n", errname(errno));
        return 1;
    }
    if (write(p[1], "abc", 3) != 3)
        return 1;

    TRY("read(pipe, (void*)1, 3)", syscall(SYS_read, p[0], (void *)1, 3));
    TRY("write(pipe, (void*)1, 3)", syscall(SYS_write, p[1], (void *)1, 3));
    TRY("openat(AT_FDCWD, (char*)1)", syscall(SYS_openat, AT_FDCWD, (char *)1, O_RDONLY));
    TRY("fstat(0, (void*)8)", syscall(SYS_fstat, 0, (void *)8));
    TRY("clock_gettime(MONOTONIC, (void*)8)", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (void *)8));
    TRY("pipe2((int*)8, 0)", syscall(SYS_pipe2, (int *)8, 0));

    TRY("open(/no-such-file-rvrun)", open("/no-such-file-rvrun", O_RDONLY));
    TRY("open(/no-such-dir-rvrun/x, O_CREAT)", open("/no-such-dir-rvrun/x", O_CREAT | O_WRONLY, 0644));
    struct stat st;
    TRY("stat(/no-such-file-rvrun)", stat("/no-such-file-rvrun", &st));
    TRY("unlink(/no-such-file-rvrun)", unlink("/no-such-file-rvrun"));
    TRY("open(\"\")", open("", O_RDONLY));

    int fd = open("/dev/null", O_RDONLY);
    report("open(/dev/null)", fd < 0 ? -1 : 1);
    TRY("close(fd)", close(fd));
    char buf[16];
    TRY("read(closed fd)", read(fd, buf, sizeof buf));
    TRY("close(closed fd)", close(fd));
    TRY("close(-1)", close(-1));
    TRY("write(-1)", write(-1, "x", 1));
    TRY("fstat(12345)", fstat(12345, &st));
    TRY("fcntl(12345, F_GETFD)", fcntl(12345, F_GETFD));
    TRY("dup(-1)", dup(-1));
    TRY("lseek(-1)", lseek(-1, 0, SEEK_SET));

    fd = open("/dev/null", O_RDONLY);
    TRY("write(O_RDONLY fd)", write(fd, "x", 1));
    TRY("lseek(whence=99)", lseek(fd, 0, 99));
    close(fd);

    TRY("open(/dev/null/x)", open("/dev/null/x", O_RDONLY));
    TRY("stat(/dev/null/x)", stat("/dev/null/x", &st));
    TRY("chdir(/dev/null)", chdir("/dev/null"));
    TRY("opendir-style open(/dev/null, O_DIRECTORY)", open("/dev/null", O_RDONLY | O_DIRECTORY));
    TRY("open(/, O_WRONLY)", open("/", O_WRONLY));
    TRY("open(/tmp, O_RDWR)", open("/tmp", O_RDWR));
    fd = open("/", O_RDONLY | O_DIRECTORY);
    TRY("read(directory fd)", read(fd, buf, sizeof buf));
    close(fd);
    TRY("open(/dev/null, O_CREAT|O_EXCL)", open("/dev/null", O_CREAT | O_EXCL | O_WRONLY, 0644));
    TRY("mkdir(/tmp)", mkdir("/tmp", 0755));
    TRY("mkdir(/)", mkdir("/", 0755));
    TRY("rmdir(/dev/null)", rmdir("/dev/null"));

    /* TCGETS on things that are not terminals */
    struct termios t;
    fd = open("/proc/self/exe", O_RDONLY);
    report("open(/proc/self/exe)", fd < 0 ? -1 : 1);
    TRY("ioctl(regular file, TCGETS)", ioctl(fd, TCGETS, &t));
    TRY("lseek(regular file, -1, SEEK_SET)", lseek(fd, -1, SEEK_SET));
    TRY("isatty(regular file)", isatty(fd) ? 1 : -1);
    close(fd);
    TRY("ioctl(pipe, TCGETS)", ioctl(p[0], TCGETS, &t));
    TRY("lseek(pipe)", lseek(p[0], 0, SEEK_CUR));
    fd = open("/dev/null", O_RDWR);
    TRY("ioctl(/dev/null, TCGETS)", ioctl(fd, TCGETS, &t));
    close(fd);

    char longname[5000];
    memset(longname, 'a', sizeof longname - 1);
    longname[0] = '/';
    longname[sizeof longname - 1] = 0;
    TRY("open(5000-char path)", open(longname, O_RDONLY));

    char small[1];
    TRY("getcwd(buf, 1)", getcwd(small, sizeof small) ? 1 : -1);
    TRY("wait4(-1) without children", wait4(-1, NULL, 0, NULL));
    TRY("mmap(len 0)", mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED ? -1 : 1);
    TRY("mmap(bad fd)", mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 12345, 0) == MAP_FAILED ? -1 : 1);
    TRY("kill(0x7ffffff0, 0)", kill(0x7ffffff0, 0));
    TRY("rt_sigaction(SIGKILL)", signal(SIGKILL, SIG_IGN) == SIG_ERR ? -1 : 1);

    /* A pipe whose read end is closed: EPIPE once SIGPIPE is ignored. */
    signal(SIGPIPE, SIG_IGN);
    close(p[0]);
    TRY("write(pipe without reader)", write(p[1], "x", 1));
    close(p[1]);
    return 0;
}
