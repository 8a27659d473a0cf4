//! waitid/wait4 options (linux/wait.h).
//!
//! The constants carry their Linux names; the header documents them.
#![allow(missing_docs)]

pub const WNOHANG: u64 = 1;
pub const WUNTRACED: u64 = 2;
pub const WCONTINUED: u64 = 8;
pub const WALL_FLAGS: u64 = 0xe000_0000; // __WNOTHREAD | __WALL | __WCLONE
pub const WSTOPPED: u64 = 2;
pub const WEXITED: u64 = 4;
pub const WNOWAIT: u64 = 0x0100_0000;

/// waitid `which` values.
pub const P_ALL: i32 = 0;
pub const P_PID: i32 = 1;
pub const P_PGID: i32 = 2;
pub const P_PIDFD: i32 = 3;
