//! ioctl request numbers (asm-generic/ioctls.h).
//!
//! The constants carry their Linux names; the header documents them.
#![allow(missing_docs)]

pub const TCGETS: u32 = 0x5401;
pub const FIONREAD: u32 = 0x541b;
pub const FIONBIO: u32 = 0x5421;
pub const FIONCLEX: u32 = 0x5450;
pub const FIOCLEX: u32 = 0x5451;
