//! waitid/wait4 options (linux/wait.h).
//!
//! The constants carry their Linux names; the header documents them.
#![allow(missing_docs)]

pub const WNOHANG: u64 = 1;
pub const WUNTRACED: u64 = 2;
pub const WCONTINUED: u64 = 8;
pub const WALL_FLAGS: u64 = 0xe000_0000; // __WNOTHREAD | __WALL | __WCLONE
