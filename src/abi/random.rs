//! getrandom flags (linux/random.h).
//!
//! The constants carry their Linux names; the header documents them.
#![allow(missing_docs)]

pub const GRND_NONBLOCK: u64 = 1;
pub const GRND_RANDOM: u64 = 2;
pub const GRND_INSECURE: u64 = 4;
