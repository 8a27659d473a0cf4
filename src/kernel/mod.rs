//! The kernel rvrun gives its guest: the process and its threads, the deterministic
//! scheduler, signals, timers and the syscall handlers, on top of guest memory ([`crate::mem`])
//! and the in-memory filesystem ([`crate::vfs`]). Linux numbers come from [`crate::abi`].

pub mod census;
pub mod process;
pub mod procfs;
pub mod sched;
pub mod signal;
pub mod syscalls;
pub mod timers;
pub mod uaccess;
