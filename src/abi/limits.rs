//! Kernel limits the guest can observe (linux/limits.h, linux/namei.h, linux/fs.h).

/// Longest path, including the terminating NUL.
pub const PATH_MAX: usize = 4096;
/// Longest path component.
pub const NAME_MAX: usize = 255;
/// Most symlinks one lookup follows before ELOOP.
pub const MAX_SYMLINKS: u32 = 40;
/// Writes of at most this many bytes to a pipe are atomic.
pub const PIPE_BUF: usize = 4096;
/// Largest count one read or write transfers (`MAX_RW_COUNT`).
pub const MAX_RW_COUNT: usize = 0x7fff_f000;
/// Largest file size (`MAX_LFS_FILESIZE`).
pub const MAX_FILE_SIZE: u64 = i64::MAX as u64;

/// Most iovecs one readv/writev takes (UIO_MAXIOV).
pub const UIO_MAXIOV: u64 = 1024;
