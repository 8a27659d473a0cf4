//! `struct statfs` (asm-generic/statfs.h, 64-bit: every `__statfs_word` is 8 bytes), the
//! `ST_*` mount flags of `f_flags` (linux/statfs.h) and the file system magic numbers of
//! `f_type` (linux/magic.h).

use super::Writer;

/// tmpfs (also devtmpfs and the internal shm mount behind memfds).
pub const TMPFS_MAGIC: u64 = 0x0102_1994;
/// procfs.
pub const PROC_SUPER_MAGIC: u64 = 0x9fa0;
/// sysfs.
pub const SYSFS_MAGIC: u64 = 0x6265_6572;
/// cgroup v2.
pub const CGROUP2_SUPER_MAGIC: u64 = 0x6367_7270;
/// pipefs (pipes).
pub const PIPEFS_MAGIC: u64 = 0x5049_5045;
/// sockfs (sockets).
pub const SOCKFS_MAGIC: u64 = 0x534f_434b;
/// anon_inodefs (eventfd, epoll).
pub const ANON_INODE_FS_MAGIC: u64 = 0x0904_1934;

/// Mounted read-only.
pub const ST_RDONLY: u64 = 0x0001;
/// set-user-ID and set-group-ID bits ignored.
pub const ST_NOSUID: u64 = 0x0002;
/// Device files not openable.
pub const ST_NODEV: u64 = 0x0004;
/// Programs not executable.
pub const ST_NOEXEC: u64 = 0x0008;
/// `f_flags` is valid (always set by Linux's `calculate_f_flags`).
pub const ST_VALID: u64 = 0x0020;
/// Access times updated relative to modification times.
pub const ST_RELATIME: u64 = 0x1000;

/// What `statfs`/`fstatfs` report, field by field (`struct kstatfs`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatFs {
    /// `f_type`: the file system's magic number.
    pub fs_type: u64,
    /// `f_bsize`: the optimal transfer block size.
    pub bsize: u64,
    /// `f_blocks`: size in `f_frsize` units.
    pub blocks: u64,
    /// `f_bfree`: free blocks.
    pub bfree: u64,
    /// `f_bavail`: free blocks available to an unprivileged user.
    pub bavail: u64,
    /// `f_files`: inodes.
    pub files: u64,
    /// `f_ffree`: free inodes.
    pub ffree: u64,
    /// `f_fsid`: the two words of the file system id.
    pub fsid: [u32; 2],
    /// `f_namelen`: the longest file name.
    pub namelen: u64,
    /// `f_frsize`: the fragment size.
    pub frsize: u64,
    /// `f_flags`: `ST_*` mount flags.
    pub flags: u64,
}

/// Size of `struct statfs` on riscv64.
pub const STATFS_SIZE: usize = 120;

/// The guest image of `struct statfs`: eleven words (the fsid two 32-bit halves), then
/// `f_spare[4]` zeroed.
pub fn statfs(s: &StatFs) -> Writer {
    let mut w = Writer::new();
    w.u64(s.fs_type).u64(s.bsize).u64(s.blocks).u64(s.bfree);
    w.u64(s.bavail).u64(s.files).u64(s.ffree);
    w.u32(s.fsid[0]).u32(s.fsid[1]);
    w.u64(s.namelen).u64(s.frsize).u64(s.flags).zeros(32);
    debug_assert_eq!(w.as_bytes().len(), STATFS_SIZE);
    w
}
