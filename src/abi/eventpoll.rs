//! epoll event bits and control operations (linux/eventpoll.h), eventfd flags
//! (linux/eventfd.h).
//!
//! The constants carry their Linux names; the header documents them.
#![allow(missing_docs)]

/// `EPOLLIN`.
pub const EPOLLIN: u32 = 0x1;
/// `EPOLLOUT`.
pub const EPOLLOUT: u32 = 0x4;
/// `EPOLLERR`.
pub const EPOLLERR: u32 = 0x8;
/// `EPOLLHUP`.
pub const EPOLLHUP: u32 = 0x10;
/// `EPOLLRDNORM`.
pub const EPOLLRDNORM: u32 = 0x40;
/// `EPOLLWRNORM`.
pub const EPOLLWRNORM: u32 = 0x100;
/// `EPOLLRDHUP`.
pub const EPOLLRDHUP: u32 = 0x2000;
/// `EPOLLEXCLUSIVE`.
pub const EPOLLEXCLUSIVE: u32 = 1 << 28;
/// `EPOLLWAKEUP` (needs CAP_BLOCK_SUSPEND: silently dropped, as Linux does without it).
pub const EPOLLWAKEUP: u32 = 1 << 29;
/// `EPOLLONESHOT`.
pub const EPOLLONESHOT: u32 = 1 << 30;
/// `EPOLLET`.
pub const EPOLLET: u32 = 1 << 31;

/// `EPOLL_CTL_ADD`.
pub const EPOLL_CTL_ADD: u32 = 1;
/// `EPOLL_CTL_DEL`.
pub const EPOLL_CTL_DEL: u32 = 2;
/// `EPOLL_CTL_MOD`.
pub const EPOLL_CTL_MOD: u32 = 3;

/// `EFD_SEMAPHORE`.
pub const EFD_SEMAPHORE: u32 = 1;
