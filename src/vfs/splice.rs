//! `splice` and `tee`: moving bytes between a pipe and another file without a user buffer,
//! with the checks and blocking rules of Linux's fs/splice.c.
//!
//! rvrun's pipes are byte buffers, so a splice copies; it never loses bytes: the side that
//! may refuse them is asked first (the free space of a pipe being filled), or the bytes
//! are taken out of a pipe only once the other side has accepted them. A splice that cannot
//! start blocks like a pipe read or write ([`VfsError::WouldBlock`], the call runs again
//! when woken), or gives EAGAIN when non-blocking (`SPLICE_F_NONBLOCK`, or `O_NONBLOCK` on
//! the pipe, as Linux folds it in).

use super::inode::{Ino, Node};
use super::{Blocked, Device, Vfs, VfsError, WaitOn};
use crate::abi::Errno;
use crate::abi::limits::MAX_RW_COUNT;
use crate::abi::socket::MSG_DONTWAIT;
use crate::rng::GuestRng;

/// `SPLICE_F_NONBLOCK`.
pub const SPLICE_F_NONBLOCK: u32 = 2;
/// Every `SPLICE_F_*` flag (MOVE, NONBLOCK, MORE, GIFT).
pub const SPLICE_F_ALL: u32 = 0xf;

/// What a splice did: the bytes moved, and the offsets after them (for the offsets the
/// caller passed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spliced {
    /// Bytes moved.
    pub n: usize,
    /// The input offset after the bytes read, when one was given.
    pub off_in: Option<i64>,
    /// The output offset after the bytes written, when one was given.
    pub off_out: Option<i64>,
}

impl Vfs {
    /// EBADF unless `fd` is open (and not `O_PATH`): the `fdget` of splice and tee.
    pub fn io_file_checked(&self, fd: i32) -> Result<(), Errno> {
        self.io_file(fd).map(|_| ())
    }

    /// The pipe (or FIFO) `fd` refers to, if it is one.
    pub fn pipe_of(&self, fd: i32) -> Option<Ino> {
        let f = self.io_file(fd).ok()?;
        matches!(self.inodes.get(f.ino).node, Node::Pipe(_)).then_some(f.ino)
    }

    fn pipe_ref(&self, ino: Ino) -> &super::pipe::Pipe {
        match &self.inodes.get(ino).node {
            Node::Pipe(p) => p,
            _ => unreachable!("a pipe inode"),
        }
    }

    fn pipe_mut(&mut self, ino: Ino) -> &mut super::pipe::Pipe {
        match &mut self.inodes.get_mut(ino).node {
            Node::Pipe(p) => p,
            _ => unreachable!("a pipe inode"),
        }
    }

    /// Linux's `ipipe_prep` (and the wait in `splice_from_pipe_next`): Ok(true) when the
    /// pipe has bytes, Ok(false) at end of file (empty, no writer), else EAGAIN or a wait.
    fn wait_for_data(&self, ino: Ino, nonblock: bool) -> Result<bool, VfsError> {
        let p = self.pipe_ref(ino);
        if p.available() > 0 {
            return Ok(true);
        }
        if p.writers == 0 {
            return Ok(false);
        }
        if nonblock {
            return Err(Errno::EAGAIN.into());
        }
        Err(VfsError::WouldBlock(Blocked {
            on: WaitOn::PipeReadable(ino),
            done: 0,
        }))
    }

    /// Linux's `wait_for_space`/`opipe_prep`: the free bytes of a pipe to fill; EPIPE (the
    /// caller raises SIGPIPE) without a reader, EAGAIN or a wait when it is full.
    fn wait_for_space(&self, ino: Ino, nonblock: bool) -> Result<usize, VfsError> {
        let p = self.pipe_ref(ino);
        if p.readers == 0 {
            return Err(Errno::EPIPE.into());
        }
        match p.space() {
            0 if nonblock => Err(Errno::EAGAIN.into()),
            0 => Err(VfsError::WouldBlock(Blocked {
                on: WaitOn::PipeWritable(ino),
                done: 0,
            })),
            n => Ok(n),
        }
    }

    /// `splice` once the fds are known open, offsets are not given for pipes and have been
    /// read (`do_splice`): EBADF unless `fd_in` is readable and `fd_out` writable; between
    /// two pipes (EINVAL for the same one), from a pipe to a file, socket or device, or from
    /// one of those to a pipe; EINVAL when neither is a pipe, for an offset on a file that
    /// has none (a socket) or a negative one, for an `O_APPEND` output, and for files that
    /// cannot be spliced (directories, eventfds, epoll instances).
    /// Each end is an fd and the offset given for it, if any.
    pub fn splice(
        &mut self,
        (fd_in, off_in): (i32, Option<i64>),
        (fd_out, off_out): (i32, Option<i64>),
        len: usize,
        flags: u32,
        rng: &mut GuestRng,
    ) -> Result<Spliced, VfsError> {
        let (fi, fo) = (self.io_file(fd_in)?, self.io_file(fd_out)?);
        if !fi.readable() || !fo.writable() {
            return Err(Errno::EBADF.into());
        }
        let (in_nb, out_nb, out_append) = (fi.nonblock(), fo.nonblock(), fo.append());
        let (in_off, out_off) = (fi.offset, fo.offset);
        let len = len.min(MAX_RW_COUNT);
        let mut nonblock = flags & SPLICE_F_NONBLOCK != 0;
        let done = |n| Spliced {
            n,
            off_in: None,
            off_out: None,
        };
        self.note_change();
        match (self.pipe_of(fd_in), self.pipe_of(fd_out)) {
            (Some(a), Some(b)) => {
                if a == b {
                    return Err(Errno::EINVAL.into());
                }
                nonblock |= in_nb || out_nb;
                Ok(done(self.pipe_to_pipe(a, b, len, nonblock, true)?))
            }
            (Some(a), None) => {
                let out_ino = self.io_file(fd_out)?.ino;
                let seekable = matches!(self.inodes.get(out_ino).node, Node::File(_));
                if off_out.is_some() && !seekable {
                    return Err(Errno::EINVAL.into());
                }
                if out_append {
                    return Err(Errno::EINVAL.into());
                }
                let pos = off_out.unwrap_or(out_off as i64);
                if pos < 0 {
                    return Err(Errno::EINVAL.into());
                }
                nonblock |= in_nb;
                let n = self.pipe_to_file(a, fd_out, out_ino, off_out, len, nonblock)?;
                Ok(Spliced {
                    n,
                    off_in: None,
                    off_out: off_out.map(|o| o + n as i64),
                })
            }
            (None, Some(b)) => {
                let in_ino = self.io_file(fd_in)?.ino;
                let positional =
                    matches!(self.inodes.get(in_ino).node, Node::File(_) | Node::Proc(_));
                if off_in.is_some() && !positional {
                    return Err(Errno::EINVAL.into());
                }
                let pos = off_in.unwrap_or(in_off as i64);
                if pos < 0 {
                    return Err(Errno::EINVAL.into());
                }
                nonblock |= out_nb;
                let space = self.wait_for_space(b, nonblock)?;
                let max = len.min(space);
                let data = self.splice_read(fd_in, in_ino, pos as u64, max, nonblock, rng)?;
                let n = data.len();
                self.pipe_mut(b).push(&data);
                if off_in.is_none() && positional {
                    self.file_mut(fd_in)?.offset = pos as u64 + n as u64;
                }
                Ok(Spliced {
                    n,
                    off_in: off_in.map(|o| o + n as i64),
                    off_out: None,
                })
            }
            (None, None) => Err(Errno::EINVAL.into()),
        }
    }

    /// `tee`: copies up to `len` bytes from pipe `fd_in` to pipe `fd_out`, leaving them in
    /// `fd_in`. EBADF unless `fd_in` is readable and `fd_out` writable, EINVAL unless both
    /// are pipes and not the same one; waits as splice between pipes does.
    pub fn tee(
        &mut self,
        fd_in: i32,
        fd_out: i32,
        len: usize,
        flags: u32,
    ) -> Result<usize, VfsError> {
        let (fi, fo) = (self.io_file(fd_in)?, self.io_file(fd_out)?);
        if !fi.readable() || !fo.writable() {
            return Err(Errno::EBADF.into());
        }
        let nonblock = flags & SPLICE_F_NONBLOCK != 0 || fi.nonblock() || fo.nonblock();
        match (self.pipe_of(fd_in), self.pipe_of(fd_out)) {
            (Some(a), Some(b)) if a != b => {
                self.note_change();
                self.pipe_to_pipe(a, b, len.min(MAX_RW_COUNT), nonblock, false)
            }
            _ => Err(Errno::EINVAL.into()),
        }
    }

    /// Between two pipes (`splice_pipe_to_pipe`, `link_pipe`): wait for input (end of file
    /// still checks the output), then for output room (EPIPE without a reader); moves
    /// (`consume`) or copies what both allow.
    fn pipe_to_pipe(
        &mut self,
        a: Ino,
        b: Ino,
        len: usize,
        nonblock: bool,
        consume: bool,
    ) -> Result<usize, VfsError> {
        let has_data = self.wait_for_data(a, nonblock)?;
        let space = self.wait_for_space(b, nonblock)?;
        if !has_data {
            return Ok(0);
        }
        let data = self.pipe_ref(a).peek(len.min(space));
        self.pipe_mut(b).push(&data);
        if consume {
            self.pipe_mut(a).consume(data.len());
        }
        Ok(data.len())
    }

    /// From pipe `a` to the file, socket or device `fd_out` (inode `out`), at `off` or the
    /// file offset: waits for input, hands the bytes to the output, and takes out of the
    /// pipe what it accepted.
    fn pipe_to_file(
        &mut self,
        a: Ino,
        fd_out: i32,
        out: Ino,
        off: Option<i64>,
        len: usize,
        nonblock: bool,
    ) -> Result<usize, VfsError> {
        let supported = match &self.inodes.get(out).node {
            Node::File(_) | Node::Socket(_) => true,
            Node::Device(d) => !matches!(d, Device::Zero),
            _ => false,
        };
        if !supported {
            return Err(Errno::EINVAL.into());
        }
        if !self.wait_for_data(a, nonblock)? {
            return Ok(0);
        }
        let data = self.pipe_ref(a).peek(len);
        let n = if self.is_socket(fd_out) {
            // The socket's own O_NONBLOCK decides whether a full buffer waits; a transfer
            // stopped part way returns what was sent.
            match self.sock_send(fd_out, &data, None, 0, &[]) {
                Err(VfsError::WouldBlock(b)) if b.done > 0 => b.done,
                r => r?,
            }
        } else if let Some(o) = off {
            self.pwrite(fd_out, &data, o as u64)?
        } else {
            self.write(fd_out, &data)?
        };
        self.pipe_mut(a).consume(n);
        Ok(n)
    }

    /// Up to `max` bytes of what `fd_in` (inode `ino`, not a pipe) gives at `pos`
    /// (`do_splice_read`): files and generated files at the position, sockets as a receive
    /// (EAGAIN or a wait when empty), devices as a read; EINVAL for what cannot be spliced.
    fn splice_read(
        &mut self,
        fd_in: i32,
        ino: Ino,
        pos: u64,
        max: usize,
        nonblock: bool,
        rng: &mut GuestRng,
    ) -> Result<Vec<u8>, VfsError> {
        match &self.inodes.get(ino).node {
            Node::File(_) | Node::Proc(_) => Ok(self.pread(fd_in, max, pos, rng)?),
            &Node::Device(d) => Ok(d.read(max, &mut self.stdio, rng)),
            Node::Socket(_) => {
                let flags = if nonblock { MSG_DONTWAIT } else { 0 };
                let r = self.sock_recv(fd_in, max, flags)?;
                self.drop_received(r.rights);
                Ok(r.data)
            }
            _ => Err(Errno::EINVAL.into()),
        }
    }
}
