//! rvrun's own VFS parameters: default limits, ownership, and the device and mount numbers
//! its file kinds report.

/// The default soft RLIMIT_NOFILE: fds are below this until the guest raises it.
pub const NOFILE_LIMIT: i32 = 1024;
/// Default pipe capacity (16 pages).
pub const PIPE_DEFAULT_SIZE: usize = 65536;
/// Largest pipe capacity an unprivileged process may set (`/proc/sys/fs/pipe-max-size`).
pub const PIPE_MAX_SIZE: usize = 1 << 20;
/// Preferred I/O size reported in `st_blksize`.
pub const BLKSIZE: u32 = 4096;

/// The uid and gid of every file (the guest's own ids).
pub const OWNER_ID: u32 = 1000;

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
