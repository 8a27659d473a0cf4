//! The Linux constants the VFS interprets (riscv64 uses the asm-generic values): open flags,
//! `*at` flags, file types, seek modes, limits and device numbers.

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

/// File-type mask of `st_mode`.
pub const S_IFMT: u32 = 0o170000;
/// Socket.
pub const S_IFSOCK: u32 = 0o140000;
/// Symbolic link.
pub const S_IFLNK: u32 = 0o120000;
/// Regular file.
pub const S_IFREG: u32 = 0o100000;
/// Block device.
pub const S_IFBLK: u32 = 0o060000;
/// Directory.
pub const S_IFDIR: u32 = 0o040000;
/// Character device.
pub const S_IFCHR: u32 = 0o020000;
/// FIFO (pipe).
pub const S_IFIFO: u32 = 0o010000;
/// Sticky bit: in a directory, only the owner may remove or rename entries.
pub const S_ISVTX: u32 = 0o1000;

/// `d_type` of an unknown file.
pub const DT_UNKNOWN: u8 = 0;
/// `d_type` of a FIFO.
pub const DT_FIFO: u8 = 1;
/// `d_type` of a character device.
pub const DT_CHR: u8 = 2;
/// `d_type` of a directory.
pub const DT_DIR: u8 = 4;
/// `d_type` of a regular file.
pub const DT_REG: u8 = 8;
/// `d_type` of a symlink.
pub const DT_LNK: u8 = 10;

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

/// Longest path, including the terminating NUL.
pub const PATH_MAX: usize = 4096;
/// Longest path component.
pub const NAME_MAX: usize = 255;
/// Most symlinks one lookup follows before ELOOP.
pub const MAX_SYMLINKS: u32 = 40;
/// The default soft RLIMIT_NOFILE: fds are below this until the guest raises it.
pub const NOFILE_LIMIT: i32 = 1024;
/// Writes of at most this many bytes to a pipe are atomic.
pub const PIPE_BUF: usize = 4096;
/// Default pipe capacity (16 pages).
pub const PIPE_DEFAULT_SIZE: usize = 65536;
/// Largest pipe capacity an unprivileged process may set (`/proc/sys/fs/pipe-max-size`).
pub const PIPE_MAX_SIZE: usize = 1 << 20;
/// Largest count one read or write transfers (`MAX_RW_COUNT`).
pub const MAX_RW_COUNT: usize = 0x7fff_f000;
/// Largest file size (`MAX_LFS_FILESIZE`).
pub const MAX_FILE_SIZE: u64 = i64::MAX as u64;
/// Preferred I/O size reported in `st_blksize`.
pub const BLKSIZE: u32 = 4096;

/// The uid and gid of every file (the guest's own ids).
pub const OWNER_ID: u32 = 1000;

/// `makedev` as the kernel encodes it in `st_dev`/`st_rdev` (new_encode_dev).
pub const fn encode_dev(major: u32, minor: u32) -> u64 {
    (minor as u64 & 0xff) | ((major as u64) << 8) | ((minor as u64 & !0xff) << 12)
}

/// Device (major, minor) of the in-memory filesystem (an anonymous device, like tmpfs).
pub const FS_DEV: (u32, u32) = (0, 32);
/// Device (major, minor) of pipes and of the host streams (pipefs).
pub const PIPE_DEV: (u32, u32) = (0, 15);
/// Device (major, minor) of eventfds and epoll instances (anon_inodefs).
pub const ANON_DEV: (u32, u32) = (0, 14);
/// Mount id of anon_inodefs, for `statx`.
pub const ANON_MNT_ID: u64 = 13;
/// Mount id of the in-memory filesystem, for `statx`.
pub const FS_MNT_ID: u64 = 25;
/// Mount id of pipefs, for `statx`.
pub const PIPE_MNT_ID: u64 = 14;
