//! Open flags, `*at` flags, seek modes, rename flags and access modes (asm-generic/fcntl.h,
//! linux/fcntl.h, linux/fs.h), as riscv64 uses them.

/// Open for reading only.
pub const O_RDONLY: u32 = 0;
/// Open for writing only.
pub const O_WRONLY: u32 = 0o1;
/// Open for reading and writing.
pub const O_RDWR: u32 = 0o2;
/// Mask of the access mode.
pub const O_ACCMODE: u32 = 0o3;
/// Create the file if it does not exist.
pub const O_CREAT: u32 = 0o100;
/// With `O_CREAT`: fail with EEXIST if the file exists.
pub const O_EXCL: u32 = 0o200;
/// Do not make a terminal the controlling terminal.
pub const O_NOCTTY: u32 = 0o400;
/// Truncate a regular file to length 0.
pub const O_TRUNC: u32 = 0o1000;
/// Every write appends.
pub const O_APPEND: u32 = 0o2000;
/// Reads and writes never block (EAGAIN instead).
pub const O_NONBLOCK: u32 = 0o4000;
/// Synchronised data writes.
pub const O_DSYNC: u32 = 0o10000;
/// Signal-driven I/O.
pub const O_ASYNC: u32 = 0o20000;
/// Direct I/O (packet mode for pipes).
pub const O_DIRECT: u32 = 0o40000;
/// Large file offsets; the kernel sets it on every `open` of a 64-bit process.
pub const O_LARGEFILE: u32 = 0o100000;
/// Fail with ENOTDIR unless the path names a directory.
pub const O_DIRECTORY: u32 = 0o200000;
/// Fail with ELOOP if the last component is a symlink.
pub const O_NOFOLLOW: u32 = 0o400000;
/// Do not update the access time.
pub const O_NOATIME: u32 = 0o1000000;
/// Close the fd on exec.
pub const O_CLOEXEC: u32 = 0o2000000;
/// Synchronised writes (includes `O_DSYNC`).
pub const O_SYNC: u32 = 0o4010000;
/// A handle on the path only: no reads or writes.
pub const O_PATH: u32 = 0o10000000;
/// The bit of `O_TMPFILE` besides `O_DIRECTORY`.
pub const O_TMPFILE_BIT: u32 = 0o20000000;
/// An unnamed regular file in the given directory.
pub const O_TMPFILE: u32 = O_TMPFILE_BIT | O_DIRECTORY;

/// The status flags `F_SETFL` may change.
pub const SETFL_MASK: u32 = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;

/// `dirfd` value meaning the current directory.
pub const AT_FDCWD: i32 = -100;
/// Do not follow a symlink in the last component.
pub const AT_SYMLINK_NOFOLLOW: u32 = 0x100;
/// unlinkat: remove a directory.
pub const AT_REMOVEDIR: u32 = 0x200;
/// faccessat2: check with the effective ids.
pub const AT_EACCESS: u32 = 0x200;
/// linkat: follow a symlink in the last component of the old path.
pub const AT_SYMLINK_FOLLOW: u32 = 0x400;
/// Do not trigger automounts (no effect in rvrun).
pub const AT_NO_AUTOMOUNT: u32 = 0x800;
/// An empty path means the file `dirfd` refers to.
pub const AT_EMPTY_PATH: u32 = 0x1000;
/// statx: the sync-type bits.
pub const AT_STATX_SYNC_TYPE: u32 = 0x6000;

/// Seek to an absolute offset.
pub const SEEK_SET: u32 = 0;
/// Seek relative to the current offset.
pub const SEEK_CUR: u32 = 1;
/// Seek relative to the end.
pub const SEEK_END: u32 = 2;
/// Seek to the next data at or after the offset.
pub const SEEK_DATA: u32 = 3;
/// Seek to the next hole at or after the offset.
pub const SEEK_HOLE: u32 = 4;

/// `renameat2`: fail with EEXIST if the new path exists.
pub const RENAME_NOREPLACE: u32 = 1;
/// `renameat2`: swap the two paths.
pub const RENAME_EXCHANGE: u32 = 2;
/// `renameat2`: leave a whiteout (overlayfs; not supported).
pub const RENAME_WHITEOUT: u32 = 4;

/// `access` mode: read permission.
pub const R_OK: u32 = 4;
/// `access` mode: write permission.
pub const W_OK: u32 = 2;
/// `access` mode: execute/search permission.
pub const X_OK: u32 = 1;

/// fcntl: duplicate to the lowest free fd at or above the argument.
pub const F_DUPFD: u32 = 0;
/// fcntl: read the fd flags (FD_CLOEXEC).
pub const F_GETFD: u32 = 1;
/// fcntl: set the fd flags.
pub const F_SETFD: u32 = 2;
/// fcntl: read the file status flags.
pub const F_GETFL: u32 = 3;
/// fcntl: set the file status flags in `SETFL_MASK`.
pub const F_SETFL: u32 = 4;
/// fcntl: test a POSIX record lock.
pub const F_GETLK: u32 = 5;
/// fcntl: take or release a POSIX record lock without waiting.
pub const F_SETLK: u32 = 6;
/// fcntl: take a POSIX record lock, waiting.
pub const F_SETLKW: u32 = 7;
/// fcntl: test an open-file-description lock.
pub const F_OFD_GETLK: u32 = 36;
/// fcntl: take or release an open-file-description lock without waiting.
pub const F_OFD_SETLK: u32 = 37;
/// fcntl: take an open-file-description lock, waiting.
pub const F_OFD_SETLKW: u32 = 38;
/// fcntl: whether the argument fd refers to the same open file.
pub const F_DUPFD_QUERY: u32 = 1027;
/// fcntl: F_DUPFD with FD_CLOEXEC set on the new fd.
pub const F_DUPFD_CLOEXEC: u32 = 1030;
/// fcntl: set a pipe's capacity.
pub const F_SETPIPE_SZ: u32 = 1031;
/// fcntl: read a pipe's capacity.
pub const F_GETPIPE_SZ: u32 = 1032;
/// fcntl: add seals to a memfd.
pub const F_ADD_SEALS: u32 = 1033;
/// fcntl: read a memfd's seals.
pub const F_GET_SEALS: u32 = 1034;
// Seals.
/// Seal: no more seals may be added.
pub const F_SEAL_SEAL: u32 = 0x0001;
/// Seal: the file may not shrink.
pub const F_SEAL_SHRINK: u32 = 0x0002;
/// Seal: the file may not grow.
pub const F_SEAL_GROW: u32 = 0x0004;
/// Seal: the contents may not change (no writable shared mapping may exist).
pub const F_SEAL_WRITE: u32 = 0x0008;
/// Seal: no new write access (existing writable mappings keep working).
pub const F_SEAL_FUTURE_WRITE: u32 = 0x0010;
/// Seal: the execute bits may not change.
pub const F_SEAL_EXEC: u32 = 0x0020;
/// Every seal Linux knows.
pub const F_ALL_SEALS: u32 =
    F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE | F_SEAL_EXEC;
// Lock types.
/// `l_type`: a read lock.
pub const F_RDLCK: i16 = 0;
/// `l_type`: a write lock.
pub const F_WRLCK: i16 = 1;
/// `l_type`: unlock.
pub const F_UNLCK: i16 = 2;

/// posix_fadvise advice values.
pub const POSIX_FADV_NOREUSE: u64 = 5;
