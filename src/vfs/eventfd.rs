//! eventfd objects (`eventfd2`): a 64-bit counter read and written 8 bytes at a time.
//!
//! A write adds to the counter (EAGAIN or blocking when it would reach `u64::MAX`); a read
//! returns the counter and resets it, or, in semaphore mode, returns 1 and decrements it
//! (EAGAIN or blocking while it is 0). The fd is readable while the counter is non-zero and
//! writable while one more can be added.

use super::inode::Ino;
use super::{Blocked, Readiness, VfsError, WaitOn};
use crate::abi::Errno;

/// The largest value the counter can hold.
const MAX: u64 = u64::MAX - 1;

/// An eventfd's counter and mode.
#[derive(Debug)]
pub struct EventFd {
    /// The counter.
    pub count: u64,
    /// `EFD_SEMAPHORE`: reads take 1 at a time.
    pub semaphore: bool,
    /// Counts reads and writes (edge-triggered epoll reports each new one).
    pub activity: u64,
}

impl EventFd {
    /// A counter starting at `init`.
    pub fn new(init: u64, semaphore: bool) -> EventFd {
        EventFd {
            count: init,
            semaphore,
            activity: 0,
        }
    }

    /// `read(max)`: EINVAL for a buffer under 8 bytes; the value as 8 little-endian bytes.
    pub fn read(&mut self, ino: Ino, max: usize, nonblock: bool) -> Result<Vec<u8>, VfsError> {
        if max < 8 {
            return Err(Errno::EINVAL.into());
        }
        if self.count == 0 {
            if nonblock {
                return Err(Errno::EAGAIN.into());
            }
            return Err(VfsError::WouldBlock(Blocked {
                on: WaitOn::EventFdReadable(ino),
                done: 0,
            }));
        }
        let v = if self.semaphore { 1 } else { self.count };
        self.count -= v;
        self.activity += 1;
        Ok(v.to_le_bytes().to_vec())
    }

    /// `write(data)`: EINVAL for under 8 bytes or the value `u64::MAX`; adds the value.
    pub fn write(&mut self, ino: Ino, data: &[u8], nonblock: bool) -> Result<usize, VfsError> {
        let Some(bytes) = data.get(..8) else {
            return Err(Errno::EINVAL.into());
        };
        let v = u64::from_le_bytes(bytes.try_into().expect("8 bytes"));
        if v == u64::MAX {
            return Err(Errno::EINVAL.into());
        }
        if MAX - self.count < v {
            if nonblock {
                return Err(Errno::EAGAIN.into());
            }
            return Err(VfsError::WouldBlock(Blocked {
                on: WaitOn::EventFdWritable(ino),
                done: 0,
            }));
        }
        self.count += v;
        self.activity += 1;
        Ok(8)
    }

    /// Readable while non-zero, writable while below the maximum.
    pub fn readiness(&self) -> Readiness {
        Readiness {
            readable: self.count > 0,
            writable: self.count < MAX,
            activity: self.activity,
            ..Readiness::default()
        }
    }
}
