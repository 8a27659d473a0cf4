//! Pipes: a byte buffer of bounded capacity with counts of open read and write ends.
//!
//! In a single-threaded guest a read from an empty pipe whose write end is open (or a write
//! into a full pipe) can never complete; it returns [`VfsError::WouldBlock`] naming the
//! condition to wait for, so a scheduler can park the thread and retry later.

use super::inode::Ino;
use super::params::{PIPE_DEFAULT_SIZE, PIPE_MAX_SIZE};
use super::{Blocked, VfsError, WaitOn};
use crate::abi::Errno;
use crate::abi::limits::PIPE_BUF;
use std::collections::VecDeque;

/// A pipe's buffer and ends.
#[derive(Debug)]
pub struct Pipe {
    buf: VecDeque<u8>,
    capacity: usize,
    /// Open file descriptions reading from it.
    pub readers: u32,
    /// Open file descriptions writing to it.
    pub writers: u32,
    /// Counts reads and writes that moved data (edge-triggered epoll reports each new one).
    pub activity: u64,
    /// Read ends ever opened (`r_counter`: a FIFO writer waiting for a reader wakes when it
    /// moves, even if that reader closed again).
    pub r_counter: u64,
    /// Write ends ever opened (`w_counter`).
    pub w_counter: u64,
}

impl Default for Pipe {
    fn default() -> Self {
        Pipe::new()
    }
}

impl Pipe {
    /// An empty pipe with the default capacity (64 KiB) and no ends open.
    pub fn new() -> Pipe {
        Pipe {
            buf: VecDeque::new(),
            capacity: PIPE_DEFAULT_SIZE,
            readers: 0,
            writers: 0,
            activity: 0,
            r_counter: 0,
            w_counter: 0,
        }
    }

    /// Bytes waiting to be read.
    pub fn available(&self) -> usize {
        self.buf.len()
    }

    /// The capacity (`F_GETPIPE_SZ`).
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Sets the capacity (`F_SETPIPE_SZ`): rounded up to a power-of-two number of pages;
    /// EPERM above the unprivileged limit, EBUSY below the bytes already buffered.
    pub fn set_capacity(&mut self, want: u64) -> Result<usize, Errno> {
        if want > PIPE_MAX_SIZE as u64 {
            return Err(Errno::EPERM);
        }
        let size = (want.max(1) as usize).next_power_of_two().max(4096);
        if size < self.buf.len() {
            return Err(Errno::EBUSY);
        }
        self.capacity = size;
        Ok(size)
    }

    /// Reads up to `max` bytes. Empty pipe: 0 (end of file) when no writer is left, EAGAIN
    /// when `nonblock`, else [`VfsError::WouldBlock`].
    pub fn read(&mut self, ino: Ino, max: usize, nonblock: bool) -> Result<Vec<u8>, VfsError> {
        if max == 0 {
            return Ok(Vec::new());
        }
        if self.buf.is_empty() {
            if self.writers == 0 {
                return Ok(Vec::new());
            }
            if nonblock {
                return Err(Errno::EAGAIN.into());
            }
            return Err(VfsError::WouldBlock(Blocked {
                on: WaitOn::PipeReadable(ino),
                done: 0,
            }));
        }
        let n = max.min(self.buf.len());
        self.activity += 1;
        Ok(self.buf.drain(..n).collect())
    }

    /// Writes `data`. EPIPE when no reader is left (the caller raises SIGPIPE). Writes of at
    /// most [`PIPE_BUF`] bytes are atomic: all or nothing. A larger write stores what fits.
    /// What cannot be stored: EAGAIN when `nonblock` and nothing was stored (else the count
    /// stored), or [`VfsError::WouldBlock`] with the count already stored.
    pub fn write(&mut self, ino: Ino, data: &[u8], nonblock: bool) -> Result<usize, VfsError> {
        if data.is_empty() {
            return Ok(0);
        }
        if self.readers == 0 {
            return Err(Errno::EPIPE.into());
        }
        let space = self.capacity.saturating_sub(self.buf.len());
        let n = if data.len() <= PIPE_BUF {
            if space >= data.len() { data.len() } else { 0 }
        } else {
            space.min(data.len())
        };
        self.buf.extend(&data[..n]);
        if n > 0 {
            self.activity += 1;
        }
        if n == data.len() || (nonblock && n > 0) {
            return Ok(n);
        }
        if nonblock {
            return Err(Errno::EAGAIN.into());
        }
        Err(VfsError::WouldBlock(Blocked {
            on: WaitOn::PipeWritable(ino),
            done: n,
        }))
    }
}
