//! Unit tests of the tree, path resolution, fds, pipes, mounts and their error cases.

use super::params::*;
use super::*;
use crate::abi::{fcntl::*, limits::*, stat::*};
use crate::config::{Mount, RunConfig};
use crate::rng::GuestRng;
use std::cell::RefCell;
use std::io::{Read, Write};
use std::rc::Rc;

const EXE: &str = "/bin/prog";

fn vfs_with(config: &RunConfig) -> Vfs {
    let mut v = Vfs::new(config, EXE, b"\x7fELF-bytes").expect("tree builds");
    v.set_stdio(HostStdio {
        stdin: Box::new(std::io::empty()),
        stdout: Box::new(Vec::new()),
        stderr: Box::new(Vec::new()),
    });
    v
}

fn vfs() -> Vfs {
    vfs_with(&RunConfig::default())
}

fn rng() -> GuestRng {
    GuestRng::new(7)
}

/// A `Write` whose bytes the test can read afterwards.
#[derive(Clone, Default)]
struct Shared(Rc<RefCell<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A `Read` that hands out one byte per call (a slow host pipe).
struct Trickle(Vec<u8>, usize);

impl Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.1 >= self.0.len() || buf.is_empty() {
            return Ok(0);
        }
        buf[0] = self.0[self.1];
        self.1 += 1;
        Ok(1)
    }
}

fn create(v: &mut Vfs, path: &str, data: &[u8]) {
    let fd = v
        .open(
            AT_FDCWD,
            path.as_bytes(),
            O_CREAT | O_WRONLY | O_TRUNC,
            0o644,
        )
        .unwrap();
    assert_eq!(v.write(fd, data).unwrap(), data.len());
    v.close(fd).unwrap();
}

fn read_all(v: &mut Vfs, path: &str) -> Vec<u8> {
    let fd = v.open(AT_FDCWD, path.as_bytes(), O_RDONLY, 0).unwrap();
    let data = v.read(fd, 1 << 20, &mut rng()).unwrap();
    v.close(fd).unwrap();
    data
}

fn names(v: &mut Vfs, path: &str) -> Vec<String> {
    let fd = v
        .open(AT_FDCWD, path.as_bytes(), O_RDONLY | O_DIRECTORY, 0)
        .unwrap();
    let mut out = Vec::new();
    v.getdents(fd, |e| {
        out.push(String::from_utf8(e.name.clone()).unwrap());
        true
    })
    .unwrap();
    v.close(fd).unwrap();
    out
}

fn err<T: std::fmt::Debug>(r: Result<T, Errno>) -> Errno {
    r.expect_err("expected an error")
}

#[test]
fn startup_tree() {
    let mut v = vfs();
    for p in [
        "/dev/null",
        "/dev/zero",
        "/dev/full",
        "/dev/random",
        "/dev/urandom",
        "/tmp",
        "/proc/self/exe",
        EXE,
    ] {
        assert!(v.lookup_path(p).is_some(), "{p} exists");
    }
    let tmp = v.stat_at(AT_FDCWD, b"/tmp", true, false).unwrap();
    assert_eq!(tmp.mode, S_IFDIR | 0o1777);
    assert_eq!((tmp.uid, tmp.gid), (1000, 1000));
    assert_eq!(tmp.times, [(crate::config::DEFAULT_EPOCH as i64, 0); 3]);
    assert_eq!(
        v.readlink(AT_FDCWD, b"/proc/self/exe").unwrap(),
        EXE.as_bytes()
    );
    assert_eq!(read_all(&mut v, "/proc/self/exe"), b"\x7fELF-bytes");
    let null = v.stat_at(AT_FDCWD, b"/dev/null", true, false).unwrap();
    assert_eq!((null.mode, null.rdev), (S_IFCHR | 0o666, (1, 3)));
    // The running executable cannot be written.
    assert_eq!(
        err(v.open(AT_FDCWD, EXE.as_bytes(), O_WRONLY, 0)),
        Errno::ETXTBSY
    );
    assert_eq!(err(v.truncate(EXE.as_bytes(), 0)), Errno::ETXTBSY);
    assert_eq!(v.getcwd().unwrap(), b"/");
    assert_eq!(v.open_fds(), vec![0, 1, 2]);
}

#[test]
fn inode_numbers_are_deterministic() {
    let a = vfs();
    let b = vfs();
    for p in ["/", "/dev/null", "/tmp", EXE] {
        assert_eq!(
            a.stat_at(AT_FDCWD, p.as_bytes(), true, false),
            b.stat_at(AT_FDCWD, p.as_bytes(), true, false)
        );
    }
    assert_eq!(a.stat_at(AT_FDCWD, b"/", true, false).unwrap().ino, 1);
}

#[test]
fn stdio_streams() {
    let mut v = vfs();
    let out = Shared::default();
    let err_ = Shared::default();
    v.set_stdio(HostStdio {
        stdin: Box::new(Trickle(b"hello world".to_vec(), 0)),
        stdout: Box::new(out.clone()),
        stderr: Box::new(err_.clone()),
    });
    // Reads fill the buffer however the host delivers the bytes.
    assert_eq!(v.read(0, 5, &mut rng()).unwrap(), b"hello");
    assert_eq!(v.read(0, 100, &mut rng()).unwrap(), b" world");
    assert_eq!(v.read(0, 100, &mut rng()).unwrap(), b"");
    assert_eq!(v.write(1, b"out").unwrap(), 3);
    assert_eq!(v.write(2, b"err").unwrap(), 3);
    assert_eq!(&*out.0.borrow(), b"out");
    assert_eq!(&*err_.0.borrow(), b"err");
    // Fixed metadata, no seeking, wrong direction is EBADF.
    let st = v.fstat(1).unwrap();
    assert_eq!(st.mode, S_IFIFO | 0o600);
    assert_eq!(v.lseek(1, 0, SEEK_SET), Err(Errno::ESPIPE));
    assert_eq!(v.check_io(0, io::IoKind::Write), Err(Errno::EBADF));
    assert_eq!(v.check_io(1, io::IoKind::Read), Err(Errno::EBADF));
    assert_eq!(v.check_io(1, io::IoKind::PWrite), Err(Errno::ESPIPE));
    // /dev/stdout reaches the same stream.
    let fd = v.open(AT_FDCWD, b"/dev/stdout", O_WRONLY, 0).unwrap();
    v.write(fd, b"!").unwrap();
    assert_eq!(&*out.0.borrow(), b"out!");
    assert_eq!(
        err(v.open(AT_FDCWD, b"/dev/stdout", O_RDONLY, 0)),
        Errno::EACCES
    );
}

#[test]
fn read_write_seek() {
    let mut v = vfs();
    let fd = v
        .open(AT_FDCWD, b"/tmp/f", O_CREAT | O_RDWR | O_EXCL, 0o666)
        .unwrap();
    assert_eq!(fd, 3);
    assert_eq!(
        v.fstat(fd).unwrap().mode,
        S_IFREG | 0o644,
        "umask 022 applies"
    );
    assert_eq!(v.write(fd, b"hello world").unwrap(), 11);
    assert_eq!(v.lseek(fd, 0, SEEK_CUR).unwrap(), 11);
    assert_eq!(v.lseek(fd, -5, SEEK_END).unwrap(), 6);
    assert_eq!(v.read(fd, 100, &mut rng()).unwrap(), b"world");
    assert_eq!(v.pread(fd, 5, 0, &mut rng()).unwrap(), b"hello");
    assert_eq!(v.pwrite(fd, b"HELLO", 0).unwrap(), 5);
    assert_eq!(v.lseek(fd, 0, SEEK_CUR).unwrap(), 11);
    assert_eq!(v.lseek(fd, -1, SEEK_SET), Err(Errno::EINVAL));
    assert_eq!(v.lseek(fd, 0, 9), Err(Errno::EINVAL));
    assert_eq!(v.lseek(fd, 20, SEEK_SET).unwrap(), 20);
    v.write(fd, b"!").unwrap();
    assert_eq!(
        v.pread(fd, 100, 0, &mut rng()).unwrap(),
        b"HELLO world\0\0\0\0\0\0\0\0\0!"
    );
    assert_eq!(v.lseek(fd, 3, SEEK_DATA).unwrap(), 3);
    assert_eq!(v.lseek(fd, 3, SEEK_HOLE).unwrap(), 21);
    assert_eq!(v.lseek(fd, 21, SEEK_DATA), Err(Errno::ENXIO));
    // A large ftruncate stores nothing but reads as zeros.
    v.ftruncate(fd, 1 << 40).unwrap();
    let st = v.fstat(fd).unwrap();
    assert_eq!(st.size, 1 << 40);
    assert_eq!(v.pread(fd, 4, (1 << 40) - 2, &mut rng()).unwrap(), b"\0\0");
    v.ftruncate(fd, 5).unwrap();
    assert_eq!(v.fstat(fd).unwrap().blocks, 8);
    assert_eq!(v.pread(fd, 100, 0, &mut rng()).unwrap(), b"HELLO");
    // A write far past the end stores one page; the pages between are a hole.
    assert_eq!(v.pwrite(fd, b"x", 1 << 40), Ok(1));
    assert_eq!(v.fstat(fd).unwrap().blocks, 16);
    assert_eq!(v.lseek(fd, 3, SEEK_HOLE).unwrap(), 4096);
    assert_eq!(v.lseek(fd, 5000, SEEK_DATA).unwrap(), 1 << 40);
    assert_eq!(v.lseek(fd, 1 << 40, SEEK_HOLE).unwrap(), (1 << 40) + 1);
    v.ftruncate(fd, 5).unwrap();
    assert_eq!(v.fstat(fd).unwrap().blocks, 8);
    v.close(fd).unwrap();
    assert_eq!(v.close(fd), Err(Errno::EBADF));

    // O_APPEND writes at the end whatever the offset; O_TRUNC empties.
    let fd = v.open(AT_FDCWD, b"/tmp/f", O_WRONLY | O_APPEND, 0).unwrap();
    v.lseek(fd, 0, SEEK_SET).unwrap();
    v.write(fd, b"++").unwrap();
    assert_eq!(v.lseek(fd, 0, SEEK_CUR).unwrap(), 7);
    assert_eq!(v.check_io(fd, io::IoKind::Read), Err(Errno::EBADF));
    assert_eq!(
        v.status_flags(fd).unwrap(),
        O_WRONLY | O_APPEND | O_LARGEFILE
    );
    v.close(fd).unwrap();
    assert_eq!(read_all(&mut v, "/tmp/f"), b"HELLO++");
    let fd = v.open(AT_FDCWD, b"/tmp/f", O_RDONLY | O_TRUNC, 0).unwrap();
    assert_eq!(v.fstat(fd).unwrap().size, 0);
    assert_eq!(
        v.ftruncate(fd, 0),
        Err(Errno::EINVAL),
        "not open for writing"
    );
}

#[test]
fn open_errors() {
    let mut v = vfs();
    create(&mut v, "/tmp/f", b"x");
    assert_eq!(
        err(v.open(AT_FDCWD, b"/tmp/f", O_CREAT | O_EXCL | O_RDWR, 0o600)),
        Errno::EEXIST
    );
    assert_eq!(
        err(v.open(AT_FDCWD, b"/tmp/nope", O_RDONLY, 0)),
        Errno::ENOENT
    );
    assert_eq!(
        err(v.open(AT_FDCWD, b"/tmp/nope/x", O_RDONLY, 0)),
        Errno::ENOENT
    );
    assert_eq!(
        err(v.open(AT_FDCWD, b"/tmp/f/x", O_RDONLY, 0)),
        Errno::ENOTDIR
    );
    assert_eq!(
        err(v.open(AT_FDCWD, b"/tmp/f/", O_RDONLY, 0)),
        Errno::ENOTDIR
    );
    assert_eq!(
        err(v.open(AT_FDCWD, b"/tmp/f/", O_CREAT | O_RDONLY, 0)),
        Errno::EISDIR
    );
    assert_eq!(
        err(v.open(AT_FDCWD, b"/tmp/f", O_RDONLY | O_DIRECTORY, 0)),
        Errno::ENOTDIR
    );
    assert_eq!(err(v.open(AT_FDCWD, b"/tmp", O_RDWR, 0)), Errno::EISDIR);
    assert_eq!(
        err(v.open(AT_FDCWD, b"/tmp", O_RDONLY | O_TRUNC, 0)),
        Errno::EISDIR
    );
    assert_eq!(
        err(v.open(AT_FDCWD, b"/tmp", O_CREAT | O_RDONLY, 0)),
        Errno::EISDIR
    );
    assert_eq!(
        err(v.open(AT_FDCWD, b"/tmp/x", O_CREAT | O_DIRECTORY, 0)),
        Errno::EINVAL
    );
    assert_eq!(err(v.open(AT_FDCWD, b"", O_RDONLY, 0)), Errno::ENOENT);
    assert_eq!(err(v.open(99, b"x", O_RDONLY, 0)), Errno::EBADF);
    assert_eq!(err(v.open(0, b"x", O_RDONLY, 0)), Errno::ENOTDIR);
    assert!(
        v.open(99, b"/tmp/f", O_RDONLY, 0).is_ok(),
        "dirfd ignored for absolute paths"
    );
    let long = vec![b'a'; 256];
    assert_eq!(
        err(v.open(AT_FDCWD, &long, O_RDONLY, 0)),
        Errno::ENAMETOOLONG
    );
    assert_eq!(
        err(v.open(AT_FDCWD, &long[..255], O_RDONLY, 0)),
        Errno::ENOENT
    );
    let path: Vec<u8> = b"/".repeat(PATH_MAX);
    assert_eq!(
        err(v.open(AT_FDCWD, &path, O_RDONLY, 0)),
        Errno::ENAMETOOLONG
    );
    assert!(v.open(AT_FDCWD, &path[..PATH_MAX - 1], O_RDONLY, 0).is_ok());
    // Permissions: the guest owns every file, so the owner bits apply.
    v.chmod(AT_FDCWD, b"/tmp/f", 0o400).unwrap();
    assert_eq!(err(v.open(AT_FDCWD, b"/tmp/f", O_WRONLY, 0)), Errno::EACCES);
    assert_eq!(
        v.access(AT_FDCWD, b"/tmp/f", W_OK, true, false),
        Err(Errno::EACCES)
    );
    assert_eq!(v.access(AT_FDCWD, b"/tmp/f", R_OK, true, false), Ok(()));
    v.mkdir(AT_FDCWD, b"/tmp/locked", 0o600).unwrap();
    assert_eq!(
        err(v.open(AT_FDCWD, b"/tmp/locked/x", O_RDONLY, 0)),
        Errno::EACCES
    );
    // A newly created file opens whatever its mode.
    assert!(
        v.open(AT_FDCWD, b"/tmp/ro", O_CREAT | O_RDWR, 0o444)
            .is_ok()
    );
}

#[test]
fn fd_allocation_and_dup() {
    let mut v = vfs();
    let a = v.open(AT_FDCWD, b"/dev/null", O_RDONLY, 0).unwrap();
    let b = v.open(AT_FDCWD, b"/dev/null", O_RDONLY, 0).unwrap();
    assert_eq!((a, b), (3, 4));
    v.close(a).unwrap();
    assert_eq!(v.dup(b).unwrap(), 3, "lowest free fd");
    assert_eq!(v.dup3(b, b, 0), Err(Errno::EINVAL));
    assert_eq!(v.dup3(b, 10, O_RDWR), Err(Errno::EINVAL));
    assert_eq!(v.dup3(99, 10, 0), Err(Errno::EBADF));
    assert_eq!(v.dup3(b, NOFILE_LIMIT, 0), Err(Errno::EBADF));
    assert_eq!(v.dup3(b, 10, O_CLOEXEC).unwrap(), 10);
    assert_eq!(v.fd_flags(10).unwrap(), 1);
    assert_eq!(v.dup_min(b, 5, false).unwrap(), 5);
    assert_eq!(v.dup_min(b, NOFILE_LIMIT as u32, false), Err(Errno::EINVAL));
    // Dup'ed fds share the offset.
    create(&mut v, "/tmp/f", b"abcdef");
    let f = v.open(AT_FDCWD, b"/tmp/f", O_RDONLY, 0).unwrap();
    let g = v.dup(f).unwrap();
    v.read(f, 2, &mut rng()).unwrap();
    assert_eq!(v.read(g, 2, &mut rng()).unwrap(), b"cd");
    assert!(v.same_description(f, g).unwrap());
    // close_range and close-on-exec.
    v.close_range(3, 5, true);
    assert_eq!(v.fd_flags(3).unwrap(), 1);
    v.close_on_exec();
    assert!(v.fstat(3).is_err() && v.fstat(10).is_err() && v.fstat(0).is_ok());
    v.close_range(0, u32::MAX, false);
    assert!(v.open_fds().is_empty());
    // EMFILE when the table is full.
    for i in 0..NOFILE_LIMIT {
        assert_eq!(v.open(AT_FDCWD, b"/dev/null", O_RDONLY, 0).unwrap(), i);
    }
    assert_eq!(
        err(v.open(AT_FDCWD, b"/dev/null", O_RDONLY, 0)),
        Errno::EMFILE
    );
    assert_eq!(v.pipe(0), Err(Errno::EMFILE));
}

#[test]
fn symlinks() {
    let mut v = vfs();
    create(&mut v, "/tmp/target", b"data");
    v.symlink(b"target", AT_FDCWD, b"/tmp/l1").unwrap();
    v.symlink(b"/tmp/l1", AT_FDCWD, b"/tmp/l2").unwrap();
    v.symlink(b"nowhere", AT_FDCWD, b"/tmp/dangle").unwrap();
    v.symlink(b"/tmp", AT_FDCWD, b"/tmp/dirlink").unwrap();
    assert_eq!(read_all(&mut v, "/tmp/l2"), b"data");
    assert_eq!(read_all(&mut v, "/tmp/dirlink/dirlink/target"), b"data");
    assert_eq!(
        v.stat_at(AT_FDCWD, b"/tmp/l2", false, false).unwrap().mode,
        S_IFLNK | 0o777
    );
    assert_eq!(
        v.stat_at(AT_FDCWD, b"/tmp/l2", false, false).unwrap().size,
        7
    );
    assert_eq!(
        v.stat_at(AT_FDCWD, b"/tmp/l2", true, false).unwrap().mode,
        S_IFREG | 0o644
    );
    assert_eq!(
        v.stat_at(AT_FDCWD, b"/tmp/dirlink/", false, false)
            .unwrap()
            .mode,
        S_IFDIR | 0o1777
    );
    assert_eq!(
        err(v.stat_at(AT_FDCWD, b"/tmp/l1/", true, false)),
        Errno::ENOTDIR
    );
    assert_eq!(
        err(v.open(AT_FDCWD, b"/tmp/l1", O_RDONLY | O_NOFOLLOW, 0)),
        Errno::ELOOP
    );
    assert_eq!(
        err(v.open(AT_FDCWD, b"/tmp/dangle", O_RDONLY, 0)),
        Errno::ENOENT
    );
    assert_eq!(
        err(v.open(AT_FDCWD, b"/tmp/dangle", O_CREAT | O_EXCL | O_WRONLY, 0o600)),
        Errno::EEXIST
    );
    // O_CREAT through a dangling symlink creates its target.
    let fd = v
        .open(AT_FDCWD, b"/tmp/dangle", O_CREAT | O_WRONLY, 0o600)
        .unwrap();
    v.close(fd).unwrap();
    assert!(v.lookup_path("/tmp/nowhere").is_some());
    // O_PATH|O_NOFOLLOW opens the link itself.
    let fd = v
        .open(AT_FDCWD, b"/tmp/l1", O_PATH | O_NOFOLLOW, 0)
        .unwrap();
    assert_eq!(v.fstat(fd).unwrap().mode & S_IFMT, S_IFLNK);
    assert_eq!(v.readlink(fd, b"").unwrap(), b"target");
    assert_eq!(v.check_io(fd, io::IoKind::Read), Err(Errno::EBADF));
    assert_eq!(err(v.readlink(AT_FDCWD, b"/tmp/target")), Errno::EINVAL);
    assert_eq!(err(v.readlink(AT_FDCWD, b"")), Errno::ENOENT);
    // ELOOP after 40 links.
    v.symlink(b"target", AT_FDCWD, b"/tmp/c0").unwrap();
    for i in 1..=40 {
        v.symlink(
            format!("c{}", i - 1).as_bytes(),
            AT_FDCWD,
            format!("/tmp/c{i}").as_bytes(),
        )
        .unwrap();
    }
    assert!(
        v.stat_at(AT_FDCWD, b"/tmp/c39", true, false).is_ok(),
        "40 links are fine"
    );
    assert_eq!(
        err(v.stat_at(AT_FDCWD, b"/tmp/c40", true, false)),
        Errno::ELOOP
    );
    v.symlink(b"self", AT_FDCWD, b"/tmp/self").unwrap();
    assert_eq!(
        err(v.stat_at(AT_FDCWD, b"/tmp/self/x", true, false)),
        Errno::ELOOP
    );
    v.symlink(b"", AT_FDCWD, b"/tmp/empty").unwrap_err();
    // Names ops never follow the last link.
    assert_eq!(v.mkdir(AT_FDCWD, b"/tmp/dangle", 0o755), Err(Errno::EEXIST));
    assert_eq!(
        v.unlink(AT_FDCWD, b"/tmp/dirlink/", true),
        Err(Errno::ENOTDIR)
    );
    assert_eq!(
        v.unlink(AT_FDCWD, b"/tmp/dirlink/", false),
        Err(Errno::ENOTDIR)
    );
    v.unlink(AT_FDCWD, b"/tmp/dirlink", false).unwrap();
    assert!(v.lookup_path("/tmp").is_some());
}

#[test]
fn dot_dot_and_cwd() {
    let mut v = vfs();
    v.mkdir(AT_FDCWD, b"/tmp/a", 0o755).unwrap();
    v.mkdir(AT_FDCWD, b"/tmp/a/b", 0o755).unwrap();
    v.chdir(b"/tmp/a/b").unwrap();
    assert_eq!(v.getcwd().unwrap(), b"/tmp/a/b");
    create(&mut v, "../f", b"1");
    assert!(v.lookup_path("/tmp/a/f").is_some());
    assert_eq!(
        v.stat_at(AT_FDCWD, b"/../../tmp", true, false).unwrap().ino,
        v.lookup_path("/tmp").unwrap()
    );
    assert_eq!(
        v.stat_at(AT_FDCWD, b".", true, false).unwrap().ino,
        v.lookup_path("/tmp/a/b").unwrap()
    );
    v.chdir(b"..").unwrap();
    assert_eq!(v.getcwd().unwrap(), b"/tmp/a");
    assert_eq!(v.chdir(b"f"), Err(Errno::ENOTDIR));
    let fd = v.open(AT_FDCWD, b"b", O_PATH, 0).unwrap();
    v.fchdir(fd).unwrap();
    // The cwd can be removed; getcwd then fails but the directory lives on.
    v.unlink(AT_FDCWD, b"/tmp/a/b", true).unwrap();
    assert_eq!(v.getcwd(), Err(Errno::ENOENT));
    assert_eq!(v.stat_at(AT_FDCWD, b".", true, false).unwrap().nlink, 0);
    assert_eq!(
        err(v.open(AT_FDCWD, b"new", O_CREAT | O_WRONLY, 0o644)),
        Errno::ENOENT
    );
    assert_eq!(v.mkdir(AT_FDCWD, b"sub", 0o755), Err(Errno::ENOENT));
    v.chdir(b"/").unwrap();
}

#[test]
fn mkdir_unlink_rmdir() {
    let mut v = vfs();
    v.mkdir(AT_FDCWD, b"/tmp/d", 0o777).unwrap();
    assert_eq!(v.mkdir(AT_FDCWD, b"/tmp/d", 0o777), Err(Errno::EEXIST));
    assert_eq!(v.mkdir(AT_FDCWD, b"/tmp/d/.", 0o777), Err(Errno::EEXIST));
    assert_eq!(v.mkdir(AT_FDCWD, b"/", 0o777), Err(Errno::EEXIST));
    v.mkdir(AT_FDCWD, b"/tmp/d/e/", 0o700).unwrap();
    let d = v.stat_at(AT_FDCWD, b"/tmp/d", true, false).unwrap();
    assert_eq!((d.mode, d.nlink, d.size), (S_IFDIR | 0o755, 3, 60));
    assert_eq!(v.unlink(AT_FDCWD, b"/tmp/d", true), Err(Errno::ENOTEMPTY));
    assert_eq!(v.unlink(AT_FDCWD, b"/tmp/d/e/.", true), Err(Errno::EINVAL));
    assert_eq!(
        v.unlink(AT_FDCWD, b"/tmp/d/e/..", true),
        Err(Errno::ENOTEMPTY)
    );
    assert_eq!(v.unlink(AT_FDCWD, b"/", true), Err(Errno::EBUSY));
    assert_eq!(v.unlink(AT_FDCWD, b"/tmp/d", false), Err(Errno::EISDIR));
    assert_eq!(v.unlink(AT_FDCWD, b"/tmp/d/.", false), Err(Errno::EISDIR));
    assert_eq!(v.unlink(AT_FDCWD, b"/tmp/nope", false), Err(Errno::ENOENT));
    assert_eq!(v.unlink(AT_FDCWD, b"/tmp/nope", true), Err(Errno::ENOENT));
    create(&mut v, "/tmp/d/f", b"x");
    assert_eq!(v.unlink(AT_FDCWD, b"/tmp/d/f", true), Err(Errno::ENOTDIR));
    assert_eq!(v.unlink(AT_FDCWD, b"/tmp/d/f/", false), Err(Errno::ENOTDIR));
    v.unlink(AT_FDCWD, b"/tmp/d/e", true).unwrap();
    assert_eq!(
        v.stat_at(AT_FDCWD, b"/tmp/d", true, false).unwrap().nlink,
        2
    );
    // An unlinked file stays readable through its fd, then is freed.
    let live = v.inodes.live();
    let fd = v.open(AT_FDCWD, b"/tmp/d/f", O_RDWR, 0).unwrap();
    v.unlink(AT_FDCWD, b"/tmp/d/f", false).unwrap();
    assert_eq!(v.fstat(fd).unwrap().nlink, 0);
    assert_eq!(v.read(fd, 10, &mut rng()).unwrap(), b"x");
    assert_eq!(v.inodes.live(), live);
    v.close(fd).unwrap();
    assert_eq!(v.inodes.live(), live - 1);
    // Hard links.
    create(&mut v, "/tmp/h1", b"same");
    v.link(AT_FDCWD, b"/tmp/h1", AT_FDCWD, b"/tmp/h2", false, false)
        .unwrap();
    assert_eq!(
        v.stat_at(AT_FDCWD, b"/tmp/h2", true, false).unwrap().nlink,
        2
    );
    assert_eq!(
        v.link(AT_FDCWD, b"/tmp/d", AT_FDCWD, b"/tmp/h3", false, false),
        Err(Errno::EPERM)
    );
    assert_eq!(
        v.link(AT_FDCWD, b"/tmp/h1", AT_FDCWD, b"/tmp/h2", false, false),
        Err(Errno::EEXIST)
    );
    assert_eq!(
        v.link(AT_FDCWD, b"/tmp/h1", AT_FDCWD, b"/tmp/h9/", false, false),
        Err(Errno::ENOENT)
    );
}

#[test]
fn renames() {
    let mut v = vfs();
    create(&mut v, "/tmp/a", b"A");
    create(&mut v, "/tmp/b", b"B");
    v.mkdir(AT_FDCWD, b"/tmp/d", 0o755).unwrap();
    v.mkdir(AT_FDCWD, b"/tmp/d/sub", 0o755).unwrap();
    v.mkdir(AT_FDCWD, b"/tmp/empty", 0o755).unwrap();
    assert_eq!(
        v.rename(AT_FDCWD, b"/tmp/a", AT_FDCWD, b"/tmp/d", 0),
        Err(Errno::EISDIR)
    );
    assert_eq!(
        v.rename(AT_FDCWD, b"/tmp/d", AT_FDCWD, b"/tmp/a", 0),
        Err(Errno::ENOTDIR)
    );
    assert_eq!(
        v.rename(AT_FDCWD, b"/tmp/d", AT_FDCWD, b"/tmp/d/sub/x", 0),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        v.rename(AT_FDCWD, b"/tmp/d/sub", AT_FDCWD, b"/tmp/d", 0),
        Err(Errno::ENOTEMPTY)
    );
    assert_eq!(
        v.rename(AT_FDCWD, b"/tmp/empty", AT_FDCWD, b"/tmp/d", 0),
        Err(Errno::ENOTEMPTY)
    );
    assert_eq!(
        v.rename(AT_FDCWD, b"/tmp/d/.", AT_FDCWD, b"/tmp/x", 0),
        Err(Errno::EBUSY)
    );
    assert_eq!(
        v.rename(AT_FDCWD, b"/tmp/a", AT_FDCWD, b"/tmp/..", RENAME_NOREPLACE),
        Err(Errno::EEXIST)
    );
    assert_eq!(
        v.rename(AT_FDCWD, b"/tmp/nope", AT_FDCWD, b"/tmp/x", 0),
        Err(Errno::ENOENT)
    );
    assert_eq!(
        v.rename(AT_FDCWD, b"/tmp/a/", AT_FDCWD, b"/tmp/x", 0),
        Err(Errno::ENOTDIR)
    );
    assert_eq!(
        v.rename(AT_FDCWD, b"/tmp/a", AT_FDCWD, b"/tmp/b", RENAME_NOREPLACE),
        Err(Errno::EEXIST)
    );
    assert_eq!(
        v.rename(AT_FDCWD, b"/tmp/a", AT_FDCWD, b"/tmp/b", 3),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        v.rename(AT_FDCWD, b"/tmp/a", AT_FDCWD, b"/tmp/b", RENAME_WHITEOUT),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        v.rename(AT_FDCWD, b"/tmp/a", AT_FDCWD, b"/tmp/zz", RENAME_EXCHANGE),
        Err(Errno::ENOENT)
    );
    // Replace a file.
    v.rename(AT_FDCWD, b"/tmp/a", AT_FDCWD, b"/tmp/b", 0)
        .unwrap();
    assert!(v.lookup_path("/tmp/a").is_none());
    assert_eq!(read_all(&mut v, "/tmp/b"), b"A");
    // Move a directory: link counts follow.
    v.rename(AT_FDCWD, b"/tmp/d/sub", AT_FDCWD, b"/tmp/empty/sub2", 0)
        .unwrap();
    assert_eq!(
        v.stat_at(AT_FDCWD, b"/tmp/d", true, false).unwrap().nlink,
        2
    );
    assert_eq!(
        v.stat_at(AT_FDCWD, b"/tmp/empty", true, false)
            .unwrap()
            .nlink,
        3
    );
    v.chdir(b"/tmp/empty/sub2").unwrap();
    assert_eq!(v.getcwd().unwrap(), b"/tmp/empty/sub2");
    // Replace an empty directory.
    v.rename(AT_FDCWD, b"/tmp/empty", AT_FDCWD, b"/tmp/d", 0)
        .unwrap();
    assert_eq!(v.getcwd().unwrap(), b"/tmp/d/sub2");
    // Exchange a file and a directory.
    v.rename(AT_FDCWD, b"/tmp/b", AT_FDCWD, b"/tmp/d", RENAME_EXCHANGE)
        .unwrap();
    assert_eq!(read_all(&mut v, "/tmp/d"), b"A");
    assert_eq!(v.getcwd().unwrap(), b"/tmp/b/sub2");
    // Same file: nothing happens.
    v.link(AT_FDCWD, b"/tmp/d", AT_FDCWD, b"/tmp/d2", false, false)
        .unwrap();
    v.rename(AT_FDCWD, b"/tmp/d", AT_FDCWD, b"/tmp/d2", 0)
        .unwrap();
    assert!(v.lookup_path("/tmp/d").is_some());
    v.chdir(b"/").unwrap();
}

#[test]
fn directory_listing() {
    let mut v = vfs();
    v.mkdir(AT_FDCWD, b"/tmp/l", 0o755).unwrap();
    for n in ["c", "a", "b", "e", "d"] {
        create(&mut v, &format!("/tmp/l/{n}"), b"");
    }
    v.mkdir(AT_FDCWD, b"/tmp/l/z", 0o755).unwrap();
    assert_eq!(
        names(&mut v, "/tmp/l"),
        [".", "..", "a", "b", "c", "d", "e", "z"]
    );
    let fd = v
        .open(AT_FDCWD, b"/tmp/l", O_RDONLY | O_DIRECTORY, 0)
        .unwrap();
    let mut got = Vec::new();
    v.getdents(fd, |e| {
        got.push(e.clone());
        got.len() < 4
    })
    .unwrap();
    assert_eq!(got.len(), 4, "the refused entry is not consumed");
    assert_eq!(got[2].name, b"a");
    assert_eq!(got[2].next_offset, 3);
    assert_eq!(got[2].dtype, DT_REG);
    assert_eq!(got[1].ino, v.lookup_path("/tmp").unwrap());
    // Changes during the listing: removed entries are skipped, new ones wait for a rewind.
    v.unlink(AT_FDCWD, b"/tmp/l/c", false).unwrap();
    create(&mut v, "/tmp/l/bb", b"");
    let mut rest = Vec::new();
    v.getdents(fd, |e| {
        rest.push(String::from_utf8(e.name.clone()).unwrap());
        true
    })
    .unwrap();
    assert_eq!(rest, ["b", "d", "e", "z"]);
    let mut more = 0;
    v.getdents(fd, |_| {
        more += 1;
        true
    })
    .unwrap();
    assert_eq!(more, 0, "end of directory");
    // Seek to a cookie, and rewind.
    assert_eq!(v.lseek(fd, 3, SEEK_SET).unwrap(), 3);
    let mut after = Vec::new();
    v.getdents(fd, |e| {
        after.push(String::from_utf8(e.name.clone()).unwrap());
        true
    })
    .unwrap();
    assert_eq!(after, ["b", "d", "e", "z"]);
    assert_eq!(v.lseek(fd, 0, SEEK_END), Err(Errno::EINVAL));
    v.lseek(fd, 0, SEEK_SET).unwrap();
    let mut all = 0;
    v.getdents(fd, |_| {
        all += 1;
        true
    })
    .unwrap();
    assert_eq!(all, 8);
    assert_eq!(v.check_io(fd, io::IoKind::Read), Err(Errno::EISDIR));
    assert_eq!(v.getdents(1, |_| true), Err(Errno::ENOTDIR));
    assert_eq!(v.getdents(99, |_| true), Err(Errno::EBADF));
    // A removed directory cannot be listed (ENOENT, as Linux's iterate_dir says).
    let fd2 = v
        .open(AT_FDCWD, b"/tmp/l/z", O_RDONLY | O_DIRECTORY, 0)
        .unwrap();
    v.unlink(AT_FDCWD, b"/tmp/l/z", true).unwrap();
    assert_eq!(v.getdents(fd2, |_| true), Err(Errno::ENOENT));
}

#[test]
fn pipes() {
    let mut v = vfs();
    let (r, w) = v.pipe(0).unwrap();
    assert_eq!((r, w), (3, 4));
    assert_eq!(v.fstat(r).unwrap().mode, S_IFIFO | 0o600);
    assert_eq!(v.status_flags(w).unwrap(), O_WRONLY);
    assert_eq!(v.write(w, b"abc").unwrap(), 3);
    assert_eq!(v.read(r, 2, &mut rng()).unwrap(), b"ab");
    assert_eq!(v.read(r, 10, &mut rng()).unwrap(), b"c");
    // Blocking read on an empty pipe with a writer: a distinct, reusable condition.
    let ino = v.fd_info(r).unwrap().ino;
    assert_eq!(
        v.read(r, 10, &mut rng()),
        Err(VfsError::WouldBlock(Blocked {
            on: WaitOn::PipeReadable(ino),
            done: 0
        }))
    );
    assert_eq!(
        v.readiness(r).unwrap(),
        Readiness {
            readable: false,
            writable: false,
            hangup: false,
            error: false,
            rdhup: false,
            activity: 3,
        }
    );
    v.set_nonblock(r, true).unwrap();
    assert_eq!(
        v.read(r, 10, &mut rng()),
        Err(VfsError::Errno(Errno::EAGAIN))
    );
    // Fill the pipe: 64 KiB, then small writes are all or nothing.
    let big = vec![7u8; 70000];
    assert_eq!(
        v.write(w, &big),
        Err(VfsError::WouldBlock(Blocked {
            on: WaitOn::PipeWritable(ino),
            done: 65536
        }))
    );
    assert_eq!(v.bytes_readable(r).unwrap(), 65536);
    assert_eq!(
        v.write(w, b"x"),
        Err(VfsError::WouldBlock(Blocked {
            on: WaitOn::PipeWritable(ino),
            done: 0
        }))
    );
    v.set_status_flags(w, O_NONBLOCK).unwrap();
    assert_eq!(v.write(w, b"x"), Err(VfsError::Errno(Errno::EAGAIN)));
    assert_eq!(v.read(r, 65530, &mut rng()).unwrap().len(), 65530);
    assert_eq!(
        v.write(w, &big).unwrap(),
        65530,
        "a large nonblocking write stores what fits"
    );
    assert_eq!(v.write(w, b"abc"), Err(VfsError::Errno(Errno::EAGAIN)));
    // Capacity.
    assert_eq!(v.pipe_capacity(r).unwrap(), 65536);
    assert_eq!(v.set_pipe_capacity(r, 4096), Err(Errno::EBUSY));
    assert_eq!(v.set_pipe_capacity(r, 1 << 21), Err(Errno::EPERM));
    assert_eq!(v.set_pipe_capacity(r, 100_000).unwrap(), 131072);
    assert_eq!(v.pipe_capacity(0), Err(Errno::EBADF));
    // Close the writer: the rest drains, then end of file.
    let w2 = v.dup(w).unwrap();
    v.close(w).unwrap();
    assert!(
        !v.readiness(r).unwrap().hangup,
        "a dup'ed write end is still open"
    );
    v.close(w2).unwrap();
    assert_eq!(v.read(r, 1 << 20, &mut rng()).unwrap().len(), 65536);
    assert_eq!(v.read(r, 10, &mut rng()).unwrap(), b"");
    assert!(v.readiness(r).unwrap().hangup);
    // Close the reader: EPIPE.
    let (r, w) = v.pipe(O_CLOEXEC | O_NONBLOCK).unwrap();
    assert_eq!(v.fd_flags(r).unwrap(), 1);
    v.close(r).unwrap();
    assert_eq!(v.write(w, b"x"), Err(VfsError::Errno(Errno::EPIPE)));
    assert_eq!(v.write(w, b""), Ok(0));
    assert!(v.readiness(w).unwrap().error);
    assert_eq!(v.lseek(w, 0, SEEK_CUR), Err(Errno::ESPIPE));
    assert_eq!(
        v.lseek(w, 0, 99),
        Err(Errno::EINVAL),
        "whence is checked first"
    );
    assert_eq!(v.check_io(w, io::IoKind::PWrite), Err(Errno::ESPIPE));
    assert_eq!(v.fsync(w), Err(Errno::EINVAL));
    let live = v.inodes.live();
    v.close(w).unwrap();
    assert_eq!(
        v.inodes.live(),
        live - 1,
        "the pipe is freed with its last end"
    );
    assert_eq!(v.pipe(O_DIRECT), Err(Errno::EINVAL));
}

#[test]
fn devices() {
    let mut v = vfs();
    let z = v.open(AT_FDCWD, b"/dev/zero", O_RDWR, 0).unwrap();
    assert_eq!(v.read(z, 4, &mut rng()).unwrap(), [0; 4]);
    assert_eq!(v.write(z, b"ignored").unwrap(), 7);
    assert_eq!(v.lseek(z, 100, SEEK_SET).unwrap(), 0);
    assert_eq!(v.lseek(z, 0, 99), Err(Errno::EINVAL));
    assert_eq!(
        v.readiness(z).unwrap(),
        Readiness {
            readable: true,
            writable: true,
            ..Readiness::default()
        }
    );
    let n = v.open(AT_FDCWD, b"/dev/null", O_RDWR, 0).unwrap();
    assert_eq!(v.read(n, 4, &mut rng()).unwrap(), b"");
    let f = v.open(AT_FDCWD, b"/dev/full", O_RDWR, 0).unwrap();
    assert_eq!(v.write(f, b"x"), Err(VfsError::Errno(Errno::ENOSPC)));
    // /dev/urandom draws from the seeded stream.
    let u = v.open(AT_FDCWD, b"/dev/urandom", O_RDONLY, 0).unwrap();
    let a = v.read(u, 16, &mut GuestRng::new(1)).unwrap();
    let b = v.read(u, 16, &mut GuestRng::new(1)).unwrap();
    let c = v.read(u, 16, &mut GuestRng::new(2)).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert_eq!(v.fsync(u), Err(Errno::EINVAL));
    assert_eq!(v.ftruncate(z, 0), Err(Errno::EINVAL));
    assert_eq!(v.mmap_source(n).unwrap_err(), Errno::ENODEV);
    assert!(v.mmap_source(z).unwrap().contents.is_none());
}

#[test]
fn mmap_source_checks() {
    let mut v = vfs();
    create(&mut v, "/tmp/m", b"0123456789");
    let r = v.open(AT_FDCWD, b"/tmp/m", O_RDONLY, 0).unwrap();
    let src = v.mmap_source(r).unwrap();
    let head = src.contents.expect("file contents").lock().read_at(0, 12);
    assert_eq!(
        (&head[..], src.name.as_str()),
        (&b"0123456789"[..], "/tmp/m")
    );
    assert!(src.readable && !src.writable);
    let w = v.open(AT_FDCWD, b"/tmp/m", O_WRONLY, 0).unwrap();
    let src = v.mmap_source(w).unwrap();
    assert!(!src.readable && src.writable);
    let d = v.open(AT_FDCWD, b"/tmp", O_RDONLY, 0).unwrap();
    assert_eq!(v.mmap_source(d).unwrap_err(), Errno::ENODEV);
    v.unlink(AT_FDCWD, b"/tmp/m", false).unwrap();
    assert_eq!(v.mmap_source(r).unwrap().name, "(deleted)");
}

#[test]
fn memfds_are_unlinked_files_with_seals() {
    let mut v = vfs();
    let fd = v.memfd_create(b"name", 0, 0o777, true).unwrap();
    assert_eq!(v.memfd_link(fd).unwrap(), b"/memfd:name (deleted)");
    assert_eq!(v.fstat(fd).unwrap().mode & 0o7777, 0o777);
    assert_eq!(v.seals(fd), Ok(0));
    assert_eq!(v.write(fd, b"0123456789"), Ok(10));
    assert_eq!(v.add_seals(fd, 0x40, false), Err(Errno::EINVAL));
    assert_eq!(v.add_seals(fd, F_SEAL_WRITE, true), Err(Errno::EBUSY));
    v.add_seals(fd, F_SEAL_SHRINK | F_SEAL_GROW, false).unwrap();
    assert_eq!(v.ftruncate(fd, 5), Err(Errno::EPERM));
    assert_eq!(v.ftruncate(fd, 50), Err(Errno::EPERM));
    // Grow-sealed: page-sized pieces that stay inside the size, as shmem's write_begin.
    assert_eq!(v.pwrite(fd, b"abcdef", 7), Err(Errno::EPERM));
    v.ftruncate(fd, 10).unwrap();
    assert_eq!(v.pwrite(fd, b"x", 10), Err(Errno::EPERM));
    v.add_seals(fd, F_SEAL_WRITE | F_SEAL_SEAL, false).unwrap();
    assert_eq!(v.pwrite(fd, b"x", 0), Err(Errno::EPERM));
    assert_eq!(v.add_seals(fd, 0, false), Err(Errno::EPERM));
    assert_eq!(
        v.seals(fd),
        Ok(F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL)
    );
    let plain = v.open(AT_FDCWD, b"/tmp", O_RDONLY, 0).unwrap();
    assert_eq!(v.seals(plain), Err(Errno::EINVAL));
    // An exec-sealed memfd keeps its execute bits.
    let x = v.memfd_create(b"x", F_SEAL_EXEC, 0o666, false).unwrap();
    assert_eq!(v.fchmod(x, 0o755), Err(Errno::EPERM));
    v.fchmod(x, 0o600).unwrap();
}

#[test]
fn file_writes_stop_at_the_memory_cap() {
    let config = RunConfig {
        max_memory: 3 * 4096,
        ..RunConfig::default()
    };
    let mut v = vfs_with(&config);
    let fd = v
        .open(AT_FDCWD, b"/tmp/f", O_CREAT | O_RDWR, 0o644)
        .unwrap();
    // Sparse: a size of 1 TiB costs nothing.
    v.ftruncate(fd, 1 << 40).unwrap();
    // Two pages fit; of the next two only one does: a short write.
    assert_eq!(v.pwrite(fd, &[1; 8192], 0), Ok(8192));
    assert_eq!(
        v.pwrite(fd, &[2; 8192], 8192),
        Ok(4096),
        "short write at the cap"
    );
    assert_eq!(v.pwrite(fd, b"x", 1 << 30), Err(Errno::ENOSPC));
    // Rewriting pages already stored needs no more room.
    assert_eq!(v.pwrite(fd, &[3; 100], 10), Ok(100));
    // Truncating gives the room back.
    v.ftruncate(fd, 4096).unwrap();
    assert_eq!(v.pwrite(fd, &[4; 8192], 1 << 30), Ok(8192));
    // Unlinking and closing frees it too.
    v.close(fd).unwrap();
    v.unlink(AT_FDCWD, b"/tmp/f", false).unwrap();
    let fd = v
        .open(AT_FDCWD, b"/tmp/g", O_CREAT | O_RDWR, 0o644)
        .unwrap();
    assert_eq!(v.pwrite(fd, &[5; 3 * 4096], 0), Ok(3 * 4096));
}

fn host_tree() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(t.path().join("data/sub")).unwrap();
    std::fs::write(t.path().join("data/b.txt"), b"bee").unwrap();
    std::fs::write(t.path().join("data/a.txt"), b"ay").unwrap();
    std::fs::write(t.path().join("data/sub/c.txt"), b"sea").unwrap();
    std::os::unix::fs::symlink("a.txt", t.path().join("data/link")).unwrap();
    std::fs::write(t.path().join("single.json"), b"{}").unwrap();
    t
}

fn mount(host: &std::path::Path, guest: &str, read_only: bool) -> Mount {
    Mount {
        host: host.to_path_buf(),
        guest: guest.to_string(),
        read_only,
    }
}

#[test]
fn mounts_and_write_out() {
    let t = host_tree();
    let config = RunConfig {
        mounts: vec![
            mount(&t.path().join("data"), "/work/data", false),
            mount(&t.path().join("single.json"), "/in/x.json", true),
            mount(&t.path().join("data"), "/ro", true),
        ],
        cwd: "/work".to_string(),
        ..RunConfig::default()
    };
    let mut v = vfs_with(&config);
    assert_eq!(v.getcwd().unwrap(), b"/work");
    assert_eq!(
        names(&mut v, "data"),
        [".", "..", "a.txt", "b.txt", "link", "sub"]
    );
    assert_eq!(read_all(&mut v, "data/link"), b"ay");
    assert_eq!(read_all(&mut v, "/in/x.json"), b"{}");
    assert_eq!(read_all(&mut v, "/ro/sub/c.txt"), b"sea");
    assert_eq!(
        v.stat_at(AT_FDCWD, b"/ro/a.txt", true, false).unwrap().mode,
        S_IFREG | 0o644
    );
    // Read-only mounts.
    assert_eq!(
        err(v.open(AT_FDCWD, b"/ro/a.txt", O_WRONLY, 0)),
        Errno::EROFS
    );
    assert_eq!(
        err(v.open(AT_FDCWD, b"/in/x.json", O_RDWR, 0)),
        Errno::EROFS
    );
    assert_eq!(
        err(v.open(AT_FDCWD, b"/ro/new", O_CREAT | O_WRONLY, 0o644)),
        Errno::EROFS
    );
    assert_eq!(
        err(v.open(AT_FDCWD, b"/ro/a.txt", O_CREAT | O_EXCL | O_WRONLY, 0o644)),
        Errno::EEXIST
    );
    assert!(
        v.open(AT_FDCWD, b"/ro/a.txt", O_CREAT | O_RDONLY, 0o644)
            .is_ok()
    );
    assert_eq!(v.mkdir(AT_FDCWD, b"/ro/new", 0o755), Err(Errno::EROFS));
    assert_eq!(v.mkdir(AT_FDCWD, b"/ro/sub", 0o755), Err(Errno::EEXIST));
    assert_eq!(v.unlink(AT_FDCWD, b"/ro/a.txt", false), Err(Errno::EROFS));
    assert_eq!(v.unlink(AT_FDCWD, b"/ro/sub", true), Err(Errno::EROFS));
    assert_eq!(v.unlink(AT_FDCWD, b"/in/x.json", false), Err(Errno::EBUSY));
    assert_eq!(v.unlink(AT_FDCWD, b"/ro", true), Err(Errno::EBUSY));
    assert_eq!(
        v.rename(AT_FDCWD, b"/ro/a.txt", AT_FDCWD, b"/tmp/a", 0),
        Err(Errno::EXDEV)
    );
    assert_eq!(
        v.rename(AT_FDCWD, b"/tmp", AT_FDCWD, b"/ro/t", 0),
        Err(Errno::EXDEV)
    );
    assert_eq!(
        v.rename(AT_FDCWD, b"/ro/a.txt", AT_FDCWD, b"/ro/z", 0),
        Err(Errno::EROFS)
    );
    assert_eq!(
        v.rename(AT_FDCWD, b"/in/x.json", AT_FDCWD, b"/in/y.json", 0),
        Err(Errno::EBUSY)
    );
    assert_eq!(
        v.link(AT_FDCWD, b"/ro/a.txt", AT_FDCWD, b"/tmp/a", false, false),
        Err(Errno::EXDEV)
    );
    assert_eq!(v.truncate(b"/ro/a.txt", 0), Err(Errno::EROFS));
    assert_eq!(
        v.access(AT_FDCWD, b"/ro/a.txt", W_OK, true, false),
        Err(Errno::EROFS)
    );
    assert_eq!(v.chmod(AT_FDCWD, b"/ro/a.txt", 0o600), Err(Errno::EROFS));
    assert!(v.stat_at(AT_FDCWD, b"/ro", true, false).unwrap().mount_root);
    // Writable mount: change one file, add one, leave the rest.
    create(&mut v, "data/b.txt", b"BEE");
    v.mkdir(AT_FDCWD, b"data/newdir", 0o755).unwrap();
    create(&mut v, "data/newdir/n.txt", b"new");
    v.mkdir(AT_FDCWD, b"/tmp/emptydir", 0o755).unwrap();
    create(&mut v, "/tmp/out.txt", b"out");
    create(&mut v, "/tmp/gone", b"x");
    v.unlink(AT_FDCWD, b"/tmp/gone", false).unwrap();
    v.rename(AT_FDCWD, b"data/a.txt", AT_FDCWD, b"/tmp/moved.txt", 0)
        .unwrap();
    let out = tempfile::tempdir().unwrap();
    v.write_out(out.path()).unwrap();
    let o = out.path();
    assert_eq!(std::fs::read(o.join("work/data/b.txt")).unwrap(), b"BEE");
    assert_eq!(
        std::fs::read(o.join("work/data/newdir/n.txt")).unwrap(),
        b"new"
    );
    assert_eq!(std::fs::read(o.join("tmp/out.txt")).unwrap(), b"out");
    assert_eq!(std::fs::read(o.join("tmp/moved.txt")).unwrap(), b"ay");
    assert!(o.join("tmp/emptydir").is_dir());
    assert!(!o.join("tmp/gone").exists());
    assert!(
        !o.join("work/data/sub").exists(),
        "unchanged mounted files are not written"
    );
    assert!(!o.join("ro").exists());
    assert!(!o.join("bin/prog").exists());
    assert!(!o.join("dev").exists());
    // The host is untouched.
    assert_eq!(std::fs::read(t.path().join("data/b.txt")).unwrap(), b"bee");
}

#[test]
fn mount_errors() {
    let t = host_tree();
    let bad = RunConfig {
        mounts: vec![mount(&t.path().join("missing"), "/x", false)],
        ..RunConfig::default()
    };
    let e = Vfs::new(&bad, EXE, b"").unwrap_err();
    assert!(
        e.contains("missing") && e.contains("cannot read host path"),
        "{e}"
    );
    let bad = RunConfig {
        mounts: vec![mount(&t.path().join("single.json"), "/", false)],
        ..RunConfig::default()
    };
    assert!(Vfs::new(&bad, EXE, b"").is_err());
    let bad = RunConfig {
        mounts: vec![mount(&t.path().join("data"), "/a/../b", false)],
        ..RunConfig::default()
    };
    assert!(Vfs::new(&bad, EXE, b"").unwrap_err().contains(".."));
    // A file in the way of the cwd.
    let bad = RunConfig {
        mounts: vec![mount(&t.path().join("single.json"), "/w", false)],
        cwd: "/w/x".to_string(),
        ..RunConfig::default()
    };
    assert!(Vfs::new(&bad, EXE, b"").unwrap_err().contains("cwd"));
    // A cwd that does not exist is an error, never created.
    let bad = RunConfig {
        cwd: "/no/such/dir".to_string(),
        ..RunConfig::default()
    };
    let e = Vfs::new(&bad, EXE, b"").unwrap_err();
    assert!(e.contains("--cwd /no/such/dir: no such directory"), "{e}");
    let bad = RunConfig {
        cwd: "/dev/null".to_string(),
        ..RunConfig::default()
    };
    let e = Vfs::new(&bad, EXE, b"").unwrap_err();
    assert!(e.contains("not a directory"), "{e}");
    // Existing directories: built in, or reached through a mounted symlink.
    let ok = RunConfig {
        mounts: vec![mount(&t.path().join("data"), "/d", false)],
        cwd: "/tmp".to_string(),
        ..RunConfig::default()
    };
    assert_eq!(vfs_with(&ok).getcwd().unwrap(), b"/tmp");
    // Mounting the directory holding the program: the exe stays a file there.
    let ok = RunConfig {
        mounts: vec![mount(&t.path().join("data"), "/bin", false)],
        ..RunConfig::default()
    };
    let mut v = vfs_with(&ok);
    assert_eq!(read_all(&mut v, EXE), b"\x7fELF-bytes");
    assert_eq!(read_all(&mut v, "/bin/a.txt"), b"ay");
    // Mounting onto / merges.
    let ok = RunConfig {
        mounts: vec![mount(&t.path().join("data"), "/", false)],
        ..RunConfig::default()
    };
    let mut v = vfs_with(&ok);
    assert_eq!(read_all(&mut v, "/a.txt"), b"ay");
    assert!(v.lookup_path("/tmp").is_some());
}

#[test]
fn mounts_skip_special_files_and_refuse_oversized_ones() {
    let t = host_tree();
    let c = std::ffi::CString::new(t.path().join("data/fifo").to_str().unwrap()).unwrap();
    // SAFETY: c is a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    // A FIFO inside a mounted directory is skipped (not opened: that would wait).
    let ok = RunConfig {
        mounts: vec![mount(&t.path().join("data"), "/d", false)],
        ..RunConfig::default()
    };
    let mut v = vfs_with(&ok);
    assert_eq!(
        names(&mut v, "/d"),
        [".", "..", "a.txt", "b.txt", "link", "sub"]
    );
    // Named by --mount itself: an error.
    let bad = RunConfig {
        mounts: vec![mount(&t.path().join("data/fifo"), "/f", false)],
        ..RunConfig::default()
    };
    assert!(Vfs::new(&bad, EXE, b"").is_err());
    let bad = RunConfig {
        mounts: vec![mount(std::path::Path::new("/dev/zero"), "/z", false)],
        ..RunConfig::default()
    };
    assert!(Vfs::new(&bad, EXE, b"").is_err());
    // A sparse file past the per-file limit is refused before it is read.
    let big = t.path().join("data/sub/big");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(crate::hostfile::MAX_MOUNT_FILE + 1)
        .unwrap();
    let e = Vfs::new(&ok, EXE, b"").unwrap_err();
    assert!(e.contains("big") && e.contains("more than"), "{e}");
}

#[test]
fn fcntl_flags_and_path_fds() {
    let mut v = vfs();
    create(&mut v, "/tmp/f", b"x");
    let fd = v
        .open(
            AT_FDCWD,
            b"/tmp/f",
            O_RDWR | O_CLOEXEC | O_SYNC | O_CREAT | O_TRUNC,
            0,
        )
        .unwrap();
    assert_eq!(v.status_flags(fd).unwrap(), O_RDWR | O_SYNC | O_LARGEFILE);
    assert_eq!(v.fd_flags(fd).unwrap(), 1);
    v.set_status_flags(fd, O_APPEND | O_NONBLOCK | O_RDONLY | O_TRUNC)
        .unwrap();
    assert_eq!(
        v.status_flags(fd).unwrap(),
        O_RDWR | O_SYNC | O_LARGEFILE | O_APPEND | O_NONBLOCK
    );
    assert_eq!(v.set_status_flags(0, O_DIRECT), Err(Errno::EINVAL));
    v.set_fd_flags(fd, 0).unwrap();
    assert_eq!(v.fd_flags(fd).unwrap(), 0);
    let p = v
        .open(
            AT_FDCWD,
            b"/tmp",
            O_PATH | O_CREAT | O_RDWR | O_DIRECTORY,
            0,
        )
        .unwrap();
    assert_eq!(
        v.status_flags(p).unwrap(),
        O_PATH | O_DIRECTORY | O_LARGEFILE
    );
    assert_eq!(v.set_status_flags(p, 0), Err(Errno::EBADF));
    assert_eq!(v.lseek(p, 0, SEEK_SET), Err(Errno::EBADF));
    assert_eq!(v.fsync(p), Err(Errno::EBADF));
    assert_eq!(v.fchmod(p, 0o700), Err(Errno::EBADF));
    assert!(v.fstat(p).is_ok());
    assert_eq!(read_all(&mut v, "/tmp/f"), b"");
    let st = v.stat_at(p, b"f", true, false).unwrap();
    assert_eq!(st.ino, v.lookup_path("/tmp/f").unwrap());
    assert_eq!(
        v.stat_at(p, b"", true, true).unwrap().ino,
        v.lookup_path("/tmp").unwrap()
    );
    assert_eq!(v.stat_at(p, b"", true, false), Err(Errno::ENOENT));
    // O_TMPFILE: an unnamed file.
    let t = v
        .open(AT_FDCWD, b"/tmp", O_TMPFILE | O_RDWR, 0o600)
        .unwrap();
    assert_eq!(v.write(t, b"tmp").unwrap(), 3);
    assert_eq!(v.fstat(t).unwrap().nlink, 0);
    assert_eq!(
        err(v.open(AT_FDCWD, b"/tmp", O_TMPFILE | O_RDONLY, 0)),
        Errno::EINVAL
    );
    assert_eq!(
        err(v.open(AT_FDCWD, b"/tmp/f", O_TMPFILE | O_RDWR, 0)),
        Errno::ENOTDIR
    );
}

#[test]
fn removed_directories_keep_their_parent() {
    let mut v = vfs();
    let live = v.inodes.live();
    v.mkdir(AT_FDCWD, b"/tmp/a", 0o755).unwrap();
    v.mkdir(AT_FDCWD, b"/tmp/a/b", 0o755).unwrap();
    v.chdir(b"/tmp/a/b").unwrap();
    v.unlink(AT_FDCWD, b"/tmp/a/b", true).unwrap();
    v.unlink(AT_FDCWD, b"/tmp/a", true).unwrap();
    // `..` of the removed cwd is the removed parent, still there.
    let up = v.stat_at(AT_FDCWD, b"..", true, false).unwrap();
    assert_eq!((up.nlink, up.mode & S_IFMT), (0, S_IFDIR));
    let fd = v.open(AT_FDCWD, b"..", O_RDONLY | O_DIRECTORY, 0).unwrap();
    assert_eq!(v.getdents(fd, |_| true), Err(Errno::ENOENT));
    v.close(fd).unwrap();
    assert_eq!(v.inodes.live(), live + 2);
    v.chdir(b"/").unwrap();
    assert_eq!(v.inodes.live(), live, "both freed once the cwd moves");
}

#[test]
fn deep_trees_do_not_exhaust_the_stack() {
    let mut v = vfs();
    v.chdir(b"/tmp").unwrap();
    for _ in 0..5_000 {
        v.mkdir(AT_FDCWD, b"d", 0o755).unwrap();
        v.chdir(b"d").unwrap();
    }
    create(&mut v, "leaf", b"deep");
    let fd = v.open(AT_FDCWD, b"leaf", O_RDONLY, 0).unwrap();
    let name = v.mmap_source(fd).unwrap().name;
    assert_eq!(name.len(), "/tmp".len() + 5_000 * 2 + "/leaf".len());
    assert_eq!(v.getcwd().unwrap().len(), 4 + 5_000 * 2);
    let out = tempfile::tempdir().unwrap();
    // Host paths that deep exceed PATH_MAX; what matters is no crash.
    let _ = v.write_out(out.path());
}

#[test]
fn epoll_drops_closed_fds_and_reports_edges() {
    use crate::abi::eventpoll::{EPOLL_CTL_ADD, EPOLLET, EPOLLIN};
    let mut v = vfs();
    let ep = v.epoll_create(0).unwrap();
    let efd = v.eventfd(0, 0).unwrap();
    v.epoll_ctl(ep, EPOLL_CTL_ADD, efd, EPOLLIN | EPOLLET, 9)
        .unwrap();
    assert_eq!(v.epoll_collect(ep, 8).unwrap(), vec![]);
    v.write(efd, &1u64.to_le_bytes()).unwrap();
    assert_eq!(v.epoll_collect(ep, 8).unwrap(), vec![(EPOLLIN, 9)]);
    // Edge-triggered: nothing new, nothing reported.
    assert_eq!(v.epoll_collect(ep, 8).unwrap(), vec![]);
    assert!(v.readiness(ep).unwrap().readable);
    // Closing the fd drops the entry, even if the number is reused.
    v.close(efd).unwrap();
    let p = v.eventfd(5, 0).unwrap();
    assert_eq!(p, efd);
    assert_eq!(v.epoll_collect(ep, 8).unwrap(), vec![]);
    assert!(!v.readiness(ep).unwrap().readable);
    assert_eq!(v.fstat(ep).unwrap().mode, 0o600);
}

#[test]
fn fd_limit_follows_rlimit_nofile() {
    let mut v = vfs();
    v.set_fd_limit(8);
    for fd in 3..8 {
        assert_eq!(v.open(AT_FDCWD, b"/dev/null", O_RDONLY, 0).unwrap(), fd);
    }
    assert_eq!(
        err(v.open(AT_FDCWD, b"/dev/null", O_RDONLY, 0)),
        Errno::EMFILE
    );
    assert_eq!(v.dup3(3, 8, 0), Err(Errno::EBADF));
    assert_eq!(v.dup_min(3, 8, false), Err(Errno::EINVAL));
    assert_eq!(v.dup_min(3, u32::MAX, false), Err(Errno::EINVAL));
    // Raising the limit lets more fds open, up to nr_open.
    v.set_fd_limit(u64::MAX);
    assert_eq!(v.fd_limit(), 1 << 20);
    assert_eq!(v.dup3(3, (1 << 20) - 1, 0), Ok((1 << 20) - 1));
    assert_eq!(v.dup3(3, 1 << 20, 0), Err(Errno::EBADF));
    // Lowering it keeps the open fds; new ones come from below it.
    v.set_fd_limit(4);
    assert!(v.fstat((1 << 20) - 1).is_ok());
    assert_eq!(v.pipe(0), Err(Errno::EMFILE));
    v.close(3).unwrap();
    assert_eq!(v.pipe(0), Err(Errno::EMFILE), "a pipe needs two free fds");
    assert_eq!(v.dup(4), Ok(3));
}

#[test]
fn fd_table_size_grows_as_linux_sizes_it() {
    let mut v = vfs();
    assert_eq!(v.fd_table_size(), 64);
    v.dup3(0, 63, 0).unwrap();
    assert_eq!(v.fd_table_size(), 64);
    v.dup3(0, 64, 0).unwrap();
    assert_eq!(v.fd_table_size(), 128);
    // A failed dup2 (bad old fd) still grows the table, as Linux expands before looking.
    assert_eq!(v.dup3(77, 300, 0), Err(Errno::EBADF));
    assert_eq!(v.fd_table_size(), 512);
    v.close_range(0, u32::MAX, false);
    assert_eq!(v.fd_table_size(), 512, "the table never shrinks");
}

#[test]
fn epoll_links_last_as_long_as_their_description() {
    use crate::abi::eventpoll::{EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLLIN};
    let mut v = vfs();
    let add = |v: &mut Vfs, ep: i32, fd: i32| v.epoll_ctl(ep, EPOLL_CTL_ADD, fd, EPOLLIN, 0);
    let a = v.epoll_create(0).unwrap();
    let b = v.epoll_create(0).unwrap();
    add(&mut v, a, b).unwrap();
    assert_eq!(add(&mut v, b, a), Err(Errno::ELOOP));
    // A watches B's description, not the fd: closing the fd while a dup keeps the
    // description open keeps the link (as Linux keeps the entry until the file is released).
    let b2 = v.dup(b).unwrap();
    v.close(b).unwrap();
    assert_eq!(add(&mut v, b2, a), Err(Errno::ELOOP));
    v.close(b2).unwrap();
    let c = v.epoll_create(0).unwrap();
    add(&mut v, c, a).unwrap();
    // DEL removes the link.
    let d = v.epoll_create(0).unwrap();
    add(&mut v, a, d).unwrap();
    assert_eq!(add(&mut v, d, c), Err(Errno::ELOOP));
    v.epoll_ctl(a, EPOLL_CTL_DEL, d, 0, 0).unwrap();
    add(&mut v, d, c).unwrap();
}

#[test]
fn epoll_wakeup_paths_are_limited() {
    use crate::abi::eventpoll::{EPOLL_CTL_ADD, EPOLLIN};
    let mut v = vfs();
    let add = |v: &mut Vfs, ep: i32, fd: i32| v.epoll_ctl(ep, EPOLL_CTL_ADD, fd, EPOLLIN, 0);
    let (r, _w) = v.pipe(0).unwrap();
    // Eleven instances watch the pipe; each is watched by a chain of four more: adding the
    // chains' tops makes paths of four links, at most ten of which may lead up from one file.
    let mut tops = Vec::new();
    for _ in 0..11 {
        let mut e = v.epoll_create(0).unwrap();
        add(&mut v, e, r).unwrap();
        for _ in 0..3 {
            let up = v.epoll_create(0).unwrap();
            add(&mut v, up, e).unwrap();
            e = up;
        }
        tops.push(e);
    }
    let results: Vec<_> = tops
        .iter()
        .map(|&t| {
            let top = v.epoll_create(0).unwrap();
            add(&mut v, top, t)
        })
        .collect();
    assert_eq!(results[..10], vec![Ok(()); 10]);
    assert_eq!(results[10], Err(Errno::EINVAL));
}
