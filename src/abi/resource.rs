//! Resource limits (asm-generic/resource.h).
//!
//! The constants carry their Linux names; the header documents them.
#![allow(missing_docs)]

/// RLIM_INFINITY.
pub const INFINITY: u64 = u64::MAX;
/// Number of resources (RLIM_NLIMITS).
pub const RLIM_NLIMITS: usize = 16;
/// RLIMIT_NPROC.
pub const RLIMIT_NPROC: usize = 6;
/// RLIMIT_RSS.
pub const RLIMIT_RSS: usize = 5;
/// RLIMIT_SIGPENDING.
pub const RLIMIT_SIGPENDING: usize = 11;
/// RLIMIT_NOFILE.
pub const RLIMIT_NOFILE: usize = 7;
/// Index of RLIMIT_MEMLOCK (bytes of memory that may be locked).
pub const RLIMIT_MEMLOCK: usize = 8;
