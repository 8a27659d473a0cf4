/* File metadata calls: fsmeta DIR (a writable scratch directory)
 *
 * utimensat (explicit times, UTIME_NOW, UTIME_OMIT, AT_SYMLINK_NOFOLLOW, a NULL path with an
 * fd, and the errors), fchmod/fchmodat, fchown/fchownat to the caller's own ids,
 * mknodat of FIFOs and regular files (and what may not be made). Each line names a call and
 * its result or errno; times are printed as what they equal, never as numbers from the
 * clock.
 *
 * With the argument "linux" after DIR it also runs the calls whose result depends on the
 * caller's privileges (QEMU here runs as root, the guest under rvrun is uid 1000 without
 * capabilities), and fchmodat2, which Linux has since 6.6 and QEMU lacks (ENOSYS);
 * tests/machine.rs checks these lines:
 *   chown to another user or to a group the caller is not in: EPERM;
 *   mknod of character and block devices: EPERM. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "show.h"

// show() with the errno names of this program's extra cases (strerror texts differ between
// the C libraries).
static void show_x(const char *what, long r) {
    const char *n = NULL;
    if (r < 0) {
        switch (errno) {
        case ESPIPE: n = "ESPIPE"; break;
        case ENXIO: n = "ENXIO"; break;
        case EOPNOTSUPP: n = "EOPNOTSUPP"; break;
        case ENOSYS: n = "ENOSYS"; break;
        case EROFS: n = "EROFS"; break;
        }
    }
    if (n)
        printf("%s: -1 %s\n", what, n);
    else
        show(what, r);
}
#define show show_x

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

static long utimens(int dirfd, const char *path, const struct timespec *ts, int flags) {
    return syscall(SYS_utimensat, dirfd, path, ts, flags);
}

static void times_of(const char *what, const char *path, int follow) {
    struct stat st;
    int r = follow ? stat(path, &st) : lstat(path, &st);
    if (r < 0) {
        show(what, r);
        return;
    }
    printf("%s: atime %lld.%09ld mtime %lld.%09ld\n", what, (long long)st.st_atim.tv_sec,
           st.st_atim.tv_nsec, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

static int ts_le(struct timespec a, struct timespec b) {
    return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec <= b.tv_nsec);
}

static void utimes_tests(void) {
    int fd = open("f", O_CREAT | O_RDWR, 0644);
    symlink("f", "link");
    struct timespec ts[2] = {{1000000000, 123456789}, {1100000000, 987654321}};
    show("utimensat explicit", utimens(AT_FDCWD, "f", ts, 0));
    times_of("f", "f", 1);
    struct timespec omit_a[2] = {{5, UTIME_OMIT}, {1200000000, 5}};
    show("utimensat atime OMIT", utimens(AT_FDCWD, "f", omit_a, 0));
    times_of("f", "f", 1);
    struct timespec omit_both[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
    show("utimensat both OMIT on a missing path", utimens(AT_FDCWD, "missing", omit_both, 0));
    show("utimensat both OMIT NULL path", utimens(AT_FDCWD, NULL, omit_both, 0));
    show("utimensat missing", utimens(AT_FDCWD, "missing", ts, 0));
    struct timespec bad[2] = {{1, 1000000000}, {1, 0}};
    show("utimensat nsec 1e9", utimens(AT_FDCWD, "f", bad, 0));
    bad[0].tv_nsec = -1;
    show("utimensat nsec -1", utimens(AT_FDCWD, "f", bad, 0));
    show("utimensat bad flags", utimens(AT_FDCWD, "f", ts, 0x8000));
    show("utimensat bad times pointer", utimens(AT_FDCWD, "f", (void *)8, 0));

    struct timespec lts[2] = {{700000000, 7}, {800000000, 8}};
    show("utimensat NOFOLLOW on link", utimens(AT_FDCWD, "link", lts, AT_SYMLINK_NOFOLLOW));
    times_of("link (lstat)", "link", 0);
    times_of("f via link", "link", 1);
    show("utimensat follows link", utimens(AT_FDCWD, "link", lts, 0));
    times_of("f", "f", 1);

    struct timespec fts[2] = {{1300000000, 1}, {1300000000, 2}};
    show("utimensat NULL path fd", utimens(fd, NULL, fts, 0));
    times_of("f", "f", 1);
    show("utimensat NULL path fd NOFOLLOW", utimens(fd, NULL, fts, AT_SYMLINK_NOFOLLOW));
    show("utimensat NULL path bad fd", utimens(99, NULL, fts, 0));
    show("utimensat NULL path AT_FDCWD", utimens(AT_FDCWD, NULL, fts, 0));
    show("utimensat empty path", utimens(AT_FDCWD, "", fts, 0));
    show("utimensat AT_EMPTY_PATH fd", utimens(fd, "", fts, AT_EMPTY_PATH));
    show("futimens", futimens(fd, ts));
    times_of("f", "f", 1);

    struct timespec before, after;
    clock_gettime(CLOCK_REALTIME_COARSE, &before);
    show("utimensat NULL times (now)", utimens(AT_FDCWD, "f", NULL, 0));
    clock_gettime(CLOCK_REALTIME, &after);
    struct stat st;
    stat("f", &st);
    printf("now: atime==mtime %d, in [before, after] %d, ctime in it %d\n",
           st.st_atim.tv_sec == st.st_mtim.tv_sec && st.st_atim.tv_nsec == st.st_mtim.tv_nsec,
           ts_le(before, st.st_mtim) && ts_le(st.st_mtim, after),
           ts_le(before, st.st_ctim) && ts_le(st.st_ctim, after));
    struct timespec now_m[2] = {{1, 1}, {0, UTIME_NOW}};
    show("utimensat mtime NOW", utimens(AT_FDCWD, "f", now_m, 0));
    stat("f", &st);
    printf("atime %lld.%09ld, mtime is now %d\n", (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
           ts_le(before, st.st_mtim));
    close(fd);
}

static void mode_of(const char *what, const char *path) {
    struct stat st;
    int r = lstat(path, &st);
    if (r < 0)
        show(what, r);
    else
        printf("%s: mode %o\n", what, st.st_mode);
}

static void chmod_tests(void) {
    int fd = open("m", O_CREAT | O_RDWR, 0600);
    show("fchmod 0640", fchmod(fd, 0640));
    mode_of("m", "m");
    show("fchmod 07777", fchmod(fd, 07777));
    mode_of("m", "m");
    show("fchmodat 0600", syscall(SYS_fchmodat, AT_FDCWD, "m", 0600));
    mode_of("m", "m");
    show("fchmod bad fd", fchmod(99, 0644));
    close(fd);
}

static void chown_tests(void) {
    int fd = open("o", O_CREAT | O_RDWR, 0644);
    struct stat st;
    fstat(fd, &st);
    printf("owner is the caller: %d %d\n", st.st_uid == getuid(), st.st_gid == getgid());
    show("fchown own ids", fchown(fd, getuid(), getgid()));
    show("fchown -1 -1", fchown(fd, -1, -1));
    show("fchownat own ids", fchownat(AT_FDCWD, "o", getuid(), getgid(), 0));
    symlink("o", "olink");
    show("fchownat NOFOLLOW link", fchownat(AT_FDCWD, "olink", getuid(), -1, AT_SYMLINK_NOFOLLOW));
    show("fchownat AT_EMPTY_PATH fd", fchownat(fd, "", -1, getgid(), AT_EMPTY_PATH));
    show("fchownat bad flags", fchownat(AT_FDCWD, "o", -1, -1, 0x8000));
    show("fchownat missing", fchownat(AT_FDCWD, "missing", -1, -1, 0));
    show("fchown bad fd", fchown(99, -1, -1));
    fchmod(fd, 06755);
    fstat(fd, &st);
    printf("mode before chown: %o\n", st.st_mode);
    show("fchown -1 -1 on a setuid file", fchown(fd, -1, -1));
    fstat(fd, &st);
    printf("mode after chown: %o\n", st.st_mode);
    close(fd);
}

// The other side of the blocking FIFO opens, in a thread; results are printed after the
// join so that the output does not depend on how the threads interleave.
static int side_fd;
static long side_n;
static char side_buf[16];

static void *fifo_reader(void *arg) {
    (void)arg;
    side_fd = open("bfifo", O_RDONLY);
    side_n = read(side_fd, side_buf, sizeof side_buf - 1);
    close(side_fd);
    return NULL;
}

static void *fifo_writer(void *arg) {
    (void)arg;
    side_fd = open("bfifo", O_WRONLY);
    side_n = write(side_fd, "pong", 4);
    close(side_fd);
    return NULL;
}

static void blocking_fifo(void) {
    show("mkfifo bfifo", mkfifo("bfifo", 0600));
    pthread_t t;
    pthread_create(&t, NULL, fifo_reader, NULL);
    int fd = open("bfifo", O_WRONLY);
    show("blocking open for writing", fd >= 0 ? 0 : -1);
    show("write", write(fd, "ping", 4));
    close(fd);
    pthread_join(t, NULL);
    printf("reader thread: open %s, read %ld \"%s\"\n", side_fd >= 0 ? "ok" : "failed", side_n, side_buf);
    pthread_create(&t, NULL, fifo_writer, NULL);
    fd = open("bfifo", O_RDONLY);
    show("blocking open for reading", fd >= 0 ? 0 : -1);
    char buf[16] = {0};
    long n = read(fd, buf, sizeof buf - 1);
    pthread_join(t, NULL);
    printf("read %ld \"%s\", writer thread: open %s, wrote %ld\n", n, buf, side_fd >= 0 ? "ok" : "failed", side_n);
    show("read at EOF", read(fd, buf, sizeof buf));
    close(fd);
}

static void mknod_tests(void) {
    umask(022);
    show("mknodat FIFO", mknodat(AT_FDCWD, "fifo", S_IFIFO | 0666, 0));
    mode_of("fifo", "fifo");
    show("mkfifo existing", mkfifo("fifo", 0600));
    show("mknodat regular", mknodat(AT_FDCWD, "reg", S_IFREG | 0640, 0));
    mode_of("reg", "reg");
    show("mknodat type 0", mknodat(AT_FDCWD, "reg0", 0644, 0));
    mode_of("reg0", "reg0");
    show("mknodat directory", mknodat(AT_FDCWD, "dir", S_IFDIR | 0755, 0));
    show("mknodat bad type", mknodat(AT_FDCWD, "bad", 0170000 | 0644, 0));
    show("mknodat missing parent", mknodat(AT_FDCWD, "no/fifo", S_IFIFO | 0644, 0));
    int fd = open("fifo", O_RDONLY | O_NONBLOCK);
    show("open FIFO O_RDONLY|O_NONBLOCK", fd >= 0 ? 0 : -1);
    int wfd = open("fifo", O_WRONLY | O_NONBLOCK);
    show("open FIFO O_WRONLY|O_NONBLOCK with a reader", wfd >= 0 ? 0 : -1);
    show("write FIFO", write(wfd, "hello", 5));
    char buf[16];
    show("read FIFO", read(fd, buf, sizeof buf));
    close(wfd);
    show("read FIFO after the writer closed", read(fd, buf, sizeof buf));
    close(fd);
    show("open FIFO O_WRONLY|O_NONBLOCK without a reader", open("fifo", O_WRONLY | O_NONBLOCK));
    int rw = open("fifo", O_RDWR);
    show("open FIFO O_RDWR", rw >= 0 ? 0 : -1);
    show("write FIFO O_RDWR", write(rw, "ab", 2));
    show("read FIFO O_RDWR", read(rw, buf, sizeof buf));
    show("lseek FIFO", lseek(rw, 0, SEEK_SET));
    close(rw);
    struct stat st;
    stat("fifo", &st);
    printf("fifo size %lld\n", (long long)st.st_size);
    show("unlink FIFO", unlink("fifo"));
    blocking_fifo();
}

static void privileged(void) {
    int fd = open("p", O_CREAT | O_RDWR, 0644);
    show("fchmod p 0600", fchmod(fd, 0600));
    symlink("p", "plink");
    show("fchmodat2 via link 0604", syscall(SYS_fchmodat2, AT_FDCWD, "plink", 0604, 0));
    mode_of("p", "p");
    show("fchmodat2 NOFOLLOW on link", syscall(SYS_fchmodat2, AT_FDCWD, "plink", 0600, AT_SYMLINK_NOFOLLOW));
    show("fchmodat2 NOFOLLOW on file", syscall(SYS_fchmodat2, AT_FDCWD, "p", 0640, AT_SYMLINK_NOFOLLOW));
    mode_of("p", "p");
    show("fchmodat2 AT_EMPTY_PATH fd", syscall(SYS_fchmodat2, fd, "", 0644, AT_EMPTY_PATH));
    mode_of("p", "p");
    show("fchmodat2 bad flags", syscall(SYS_fchmodat2, AT_FDCWD, "p", 0644, 0x200));
    show("fchmodat2 missing", syscall(SYS_fchmodat2, AT_FDCWD, "missing", 0644, 0));

    show("fchown to another user", fchown(fd, getuid() + 1, -1));
    show("fchown to another group", fchown(fd, -1, getgid() + 1));
    show("fchown to root", fchown(fd, 0, 0));
    show("mknodat char device", mknodat(AT_FDCWD, "cdev", S_IFCHR | 0600, makedev(1, 3)));
    show("mknodat block device", mknodat(AT_FDCWD, "bdev", S_IFBLK | 0600, makedev(8, 0)));
    show("mknodat char device on an existing name", mknodat(AT_FDCWD, "p", S_IFCHR | 0600, makedev(1, 3)));
    close(fd);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2 || chdir(argv[1]) != 0) {
        printf("usage: fsmeta DIR [linux]\n");
        return 1;
    }
    if (argc > 2 && strcmp(argv[2], "linux") == 0) {
        privileged();
        return 0;
    }
    utimes_tests();
    chmod_tests();
    chown_tests();
    mknod_tests();
    return 0;
}
