//! poll event bits (asm-generic/poll.h); epoll's are in [`super::eventpoll`].
//!
//! The constants carry their Linux names; the header documents them.
#![allow(missing_docs)]

pub const POLLERR: u16 = 0x8;
pub const POLLHUP: u16 = 0x10;
pub const POLLNVAL: u16 = 0x20;
