//! Reading, writing, seeking, truncating and listing through open file descriptions.

use super::dir::DirEntry;
use super::inode::{FileKind, Node};
use super::{Device, Vfs, VfsError};
use crate::abi::Errno;
use crate::abi::{fcntl::*, limits::*, stat::*};
use crate::rng::GuestRng;

/// Which transfer [`Vfs::check_io`] checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IoKind {
    /// `read`, `readv`.
    Read,
    /// `write`, `writev`.
    Write,
    /// `pread64`, `preadv`.
    PRead,
    /// `pwrite64`, `pwritev`.
    PWrite,
}

impl Vfs {
    /// The checks a transfer on `fd` makes before touching the guest buffer, in Linux's
    /// order: EBADF (not open, `O_PATH`, or not open for that direction), ESPIPE (positional
    /// I/O on a pipe), EISDIR (reading a directory).
    pub fn check_io(&self, fd: i32, kind: IoKind) -> Result<(), Errno> {
        let f = self.io_file(fd)?;
        let node = &self.inodes.get(f.ino).node;
        let positional = matches!(kind, IoKind::PRead | IoKind::PWrite);
        if positional
            && matches!(
                node,
                Node::Pipe(_)
                    | Node::Device(Device::Host(_))
                    | Node::EventFd(_)
                    | Node::Epoll(_)
                    | Node::Socket(_)
            )
        {
            return Err(Errno::ESPIPE);
        }
        let reading = matches!(kind, IoKind::Read | IoKind::PRead);
        if (reading && !f.readable()) || (!reading && !f.writable()) {
            return Err(Errno::EBADF);
        }
        if matches!(node, Node::Dir(_)) {
            return Err(Errno::EISDIR);
        }
        Ok(())
    }

    /// `read(fd, max)`: up to `max` bytes from the file offset, which advances. Devices draw
    /// random bytes from `rng`. See [`VfsError::WouldBlock`] for pipes.
    pub fn read(&mut self, fd: i32, max: usize, rng: &mut GuestRng) -> Result<Vec<u8>, VfsError> {
        self.note_change();
        self.check_io(fd, IoKind::Read)?;
        if self.is_socket(fd) {
            let r = self.sock_recv(fd, max, 0)?;
            // A read takes no control data: passed descriptions are closed.
            self.drop_received(r.rights);
            return Ok(r.data);
        }
        let id = self.fds.get(fd)?.file;
        let f = self.files.get_mut(&id).expect("live description");
        let (ino, nonblock) = (f.ino, f.nonblock());
        match &mut self.inodes.get_mut(ino).node {
            Node::File(d) => {
                let v = d.read_at(f.offset, max);
                f.offset += v.len() as u64;
                Ok(v)
            }
            Node::Proc(_) => {
                let v = proc_read(f.content.as_deref(), f.offset, max);
                f.offset += v.len() as u64;
                Ok(v)
            }
            Node::Device(dev) => Ok(dev.read(max, &mut self.stdio, rng)),
            Node::Pipe(p) => p.read(ino, max, nonblock),
            Node::EventFd(e) => e.read(ino, max, nonblock),
            Node::Socket(_) => unreachable!("sockets are read above"),
            Node::Epoll(_) | Node::SocketName => Err(Errno::EINVAL.into()),
            Node::Dir(_) | Node::Symlink(_) => Err(Errno::EISDIR.into()),
        }
    }

    /// `pread64(fd, max, offset)`: like [`read`](Self::read) at `offset`, leaving the file
    /// offset alone. ESPIPE on pipes and host streams.
    pub fn pread(
        &mut self,
        fd: i32,
        max: usize,
        offset: u64,
        rng: &mut GuestRng,
    ) -> Result<Vec<u8>, Errno> {
        self.check_io(fd, IoKind::PRead)?;
        let f = self.file(fd)?;
        match &self.inodes.get(f.ino).node {
            Node::File(d) => Ok(d.read_at(offset, max)),
            Node::Proc(_) => Ok(proc_read(f.content.as_deref(), offset, max)),
            Node::Device(dev) => Ok(dev.read(max, &mut self.stdio, rng)),
            _ => Err(Errno::ESPIPE),
        }
    }

    /// `write(fd, data)`: writes at the file offset (at the end with `O_APPEND`), which
    /// advances. Pipes: EPIPE without readers (the caller raises SIGPIPE), else see
    /// [`VfsError::WouldBlock`].
    pub fn write(&mut self, fd: i32, data: &[u8]) -> Result<usize, VfsError> {
        self.note_change();
        self.check_io(fd, IoKind::Write)?;
        if self.is_socket(fd) {
            return self.sock_send(fd, data, None, 0, &[]);
        }
        let id = self.fds.get(fd)?.file;
        let f = self.files.get_mut(&id).expect("live description");
        let (ino, nonblock, append) = (f.ino, f.nonblock(), f.append());
        let inode = self.inodes.get_mut(ino);
        match &mut inode.node {
            Node::File(d) => {
                if data.is_empty() {
                    return Ok(0);
                }
                let off = if append { d.size() } else { f.offset };
                let n = d.write_at(off, data, &self.commit)?;
                f.offset = off + n as u64;
                inode.modified = true;
                Ok(n)
            }
            Node::Device(dev) => Ok(dev.write(data, &mut self.stdio)?),
            Node::Pipe(p) => p.write(ino, data, nonblock),
            Node::EventFd(e) => e.write(ino, data, nonblock),
            Node::Socket(_) => unreachable!("sockets are written above"),
            // Writable generated files (comm) are written by the kernel itself.
            Node::Epoll(_) | Node::Proc(_) | Node::SocketName => Err(Errno::EINVAL.into()),
            Node::Dir(_) | Node::Symlink(_) => Err(Errno::EBADF.into()),
        }
    }

    /// `pwrite64(fd, data, offset)`: writes at `offset`, leaving the file offset alone; with
    /// `O_APPEND` Linux appends anyway, and so does rvrun.
    pub fn pwrite(&mut self, fd: i32, data: &[u8], offset: u64) -> Result<usize, Errno> {
        self.note_change();
        self.check_io(fd, IoKind::PWrite)?;
        let f = self.file(fd)?;
        let (ino, append) = (f.ino, f.append());
        let inode = self.inodes.get_mut(ino);
        match &mut inode.node {
            Node::File(d) => {
                if data.is_empty() {
                    return Ok(0);
                }
                let off = if append { d.size() } else { offset };
                let n = d.write_at(off, data, &self.commit)?;
                inode.modified = true;
                Ok(n)
            }
            Node::Device(dev) => dev.write(data, &mut self.stdio),
            _ => Err(Errno::ESPIPE),
        }
    }

    /// `lseek(fd, offset, whence)`: the new offset. Regular files take `SEEK_SET`, `SEEK_CUR`,
    /// `SEEK_END`, `SEEK_DATA` and `SEEK_HOLE` (a file is all data; ENXIO at or past the
    /// end); directories `SEEK_SET` and `SEEK_CUR` (their offsets are listing cookies);
    /// `/dev/null`, `/dev/zero` and `/dev/full` always answer 0 and the random devices keep
    /// their offset, as on Linux, and so do eventfds and epoll fds; pipes and host streams
    /// give ESPIPE. EINVAL for an unknown `whence` (checked first) or a negative result.
    pub fn lseek(&mut self, fd: i32, offset: i64, whence: u32) -> Result<u64, Errno> {
        let f = self.io_file(fd)?;
        if whence > SEEK_HOLE {
            return Err(Errno::EINVAL);
        }
        let (ino, cur) = (f.ino, f.offset);
        let i = self.inodes.get(ino);
        let new = match &i.node {
            Node::Pipe(_) | Node::Device(Device::Host(_)) | Node::Socket(_) => {
                return Err(Errno::ESPIPE);
            }
            Node::SocketName => 0,
            // noop_llseek: the offset stays (0).
            Node::EventFd(_) | Node::Epoll(_) => cur,
            Node::Device(Device::Random | Device::Urandom) => cur,
            Node::Device(_) => 0,
            // seq_lseek: SEEK_SET and SEEK_CUR only.
            Node::Proc(_) => {
                let base = match whence {
                    SEEK_SET => 0,
                    SEEK_CUR => cur as i64,
                    _ => return Err(Errno::EINVAL),
                };
                base.checked_add(offset)
                    .filter(|n| *n >= 0)
                    .ok_or(Errno::EINVAL)? as u64
            }
            Node::Dir(_) => {
                let base = match whence {
                    SEEK_SET => 0,
                    SEEK_CUR => cur as i64,
                    _ => return Err(Errno::EINVAL),
                };
                let new = base
                    .checked_add(offset)
                    .filter(|n| *n >= 0)
                    .ok_or(Errno::EINVAL)? as u64;
                let f = self.file_mut(fd)?;
                if new != f.offset {
                    f.offset = new;
                    if new == 0 {
                        f.snapshot = None;
                    }
                }
                return Ok(new);
            }
            Node::File(d) => {
                let size = d.size() as i64;
                let new = match whence {
                    SEEK_SET => Some(offset),
                    SEEK_CUR => (cur as i64).checked_add(offset),
                    SEEK_END => size.checked_add(offset),
                    SEEK_DATA | SEEK_HOLE => {
                        if offset < 0 || offset >= size {
                            return Err(Errno::ENXIO);
                        }
                        let found = if whence == SEEK_DATA {
                            d.seek_data(offset as u64)
                        } else {
                            d.seek_hole(offset as u64)
                        };
                        Some(found.ok_or(Errno::ENXIO)? as i64)
                    }
                    _ => return Err(Errno::EINVAL),
                };
                new.filter(|n| *n >= 0).ok_or(Errno::EINVAL)? as u64
            }
            Node::Symlink(_) => return Err(Errno::EBADF),
        };
        self.file_mut(fd)?.offset = new;
        Ok(new)
    }

    /// `ftruncate(fd, len)`: EINVAL unless `fd` is a regular file open for writing; EFBIG
    /// beyond the largest file size.
    pub fn ftruncate(&mut self, fd: i32, len: u64) -> Result<(), Errno> {
        let f = self.io_file(fd)?;
        if !f.writable() || self.inodes.get(f.ino).kind() != FileKind::Regular {
            return Err(Errno::EINVAL);
        }
        let ino = f.ino;
        self.set_size(ino, len)
    }

    /// `fsync`/`fdatasync`: nothing to flush for files and directories; EINVAL for pipes
    /// and devices, which have no such operation.
    pub fn fsync(&self, fd: i32) -> Result<(), Errno> {
        let f = self.io_file(fd)?;
        match self.inodes.get(f.ino).kind() {
            FileKind::Regular | FileKind::Directory => Ok(()),
            _ => Err(Errno::EINVAL),
        }
    }

    /// `getdents64`: calls `emit` with the entries from the directory offset on, in listing
    /// order (see [`super::dir`]), until it returns false (no room: that entry is not
    /// consumed) or the listing ends; the offset advances past every accepted entry.
    /// ENOTDIR when `fd` is not a directory, ENOENT when it was removed.
    pub fn getdents(
        &mut self,
        fd: i32,
        mut emit: impl FnMut(&DirEntry) -> bool,
    ) -> Result<(), Errno> {
        let id = self
            .io_file(fd)
            .map(|_| self.fds.get(fd).expect("open").file)?;
        let f = self.files.get_mut(&id).expect("live description");
        let inode = self.inodes.get(f.ino);
        let Some(dir) = inode.dir() else {
            return Err(Errno::ENOTDIR);
        };
        if inode.nlink == 0 {
            return Err(Errno::ENOENT);
        }
        if f.offset == 0 || f.snapshot.is_none() {
            f.snapshot = Some(dir.snapshot());
        }
        let names = f.snapshot.as_ref().expect("taken above");
        loop {
            let pos = f.offset;
            let entry = match pos {
                0 => Some(DirEntry {
                    ino: f.ino,
                    next_offset: 1,
                    dtype: DT_DIR,
                    name: b".".to_vec(),
                }),
                1 => Some(DirEntry {
                    ino: dir.parent,
                    next_offset: 2,
                    dtype: DT_DIR,
                    name: b"..".to_vec(),
                }),
                _ => {
                    let idx = (pos - 2) as usize;
                    let Some(name) = names.get(idx) else {
                        return Ok(());
                    };
                    dir.get(name).map(|ino| DirEntry {
                        ino,
                        next_offset: pos + 1,
                        dtype: self.inodes.get(ino).kind().dirent_type(),
                        name: name.clone(),
                    })
                }
            };
            match entry {
                // Removed since the snapshot: skip it.
                None => f.offset = pos + 1,
                Some(e) => {
                    if !emit(&e) {
                        return Ok(());
                    }
                    f.offset = e.next_offset;
                }
            }
        }
    }

    /// `copy_file_range`: copies up to `len` bytes between regular files, from `off_in`
    /// (else the input's file offset, which advances) to `off_out` (likewise). Returns the
    /// count (0 at end of input). EBADF unless `fd_in` is open for reading and `fd_out` for
    /// writing without `O_APPEND`; EISDIR for directories, EINVAL for other non-regular
    /// files and for overlapping ranges of one file.
    pub fn copy_range(
        &mut self,
        fd_in: i32,
        off_in: Option<u64>,
        fd_out: i32,
        off_out: Option<u64>,
        len: usize,
    ) -> Result<usize, Errno> {
        let (fi, fo) = (self.io_file(fd_in)?, self.io_file(fd_out)?);
        if !fi.readable() || !fo.writable() || fo.append() {
            return Err(Errno::EBADF);
        }
        let (ii, io) = (self.inodes.get(fi.ino), self.inodes.get(fo.ino));
        if ii.is_dir() || io.is_dir() {
            return Err(Errno::EISDIR);
        }
        if ii.kind() != FileKind::Regular || io.kind() != FileKind::Regular {
            return Err(Errno::EINVAL);
        }
        // Generated files live on another superblock (procfs), which has no copy_file_range
        // of its own: EXDEV, as since Linux 5.19.
        if matches!(ii.node, Node::Proc(_)) || matches!(io.node, Node::Proc(_)) {
            return Err(Errno::EXDEV);
        }
        let (ino_in, ino_out) = (fi.ino, fo.ino);
        let src = off_in.unwrap_or(fi.offset);
        let dst = off_out.unwrap_or(fo.offset);
        let len = len.min(MAX_RW_COUNT);
        if ino_in == ino_out
            && src < dst.saturating_add(len as u64)
            && dst < src.saturating_add(len as u64)
        {
            return Err(Errno::EINVAL);
        }
        let data = match &ii.node {
            Node::File(d) => d.read_at(src, len),
            _ => unreachable!("checked regular"),
        };
        let mut n = 0;
        if !data.is_empty() {
            let o = self.inodes.get_mut(ino_out);
            if let Node::File(d) = &mut o.node {
                n = d.write_at(dst, &data, &self.commit)? as u64;
                o.modified = true;
            }
        }
        if off_in.is_none() {
            self.file_mut(fd_in)?.offset = src + n;
        }
        if off_out.is_none() {
            self.file_mut(fd_out)?.offset = dst + n;
        }
        Ok(n as usize)
    }

    /// `sendfile`: copies up to `len` bytes from regular file (or `/dev/zero`) `fd_in`, at
    /// `off_in` or else its file offset (which advances), to any fd open for writing. EBADF
    /// unless `fd_in` is readable and `fd_out` writable; EINVAL for an input that cannot be
    /// mapped or an `O_APPEND` output. Pipes: see [`VfsError::WouldBlock`].
    pub fn sendfile(
        &mut self,
        fd_out: i32,
        fd_in: i32,
        off_in: Option<u64>,
        len: usize,
    ) -> Result<usize, VfsError> {
        let (fi, fo) = (self.io_file(fd_in)?, self.io_file(fd_out)?);
        if !fi.readable() || !fo.writable() {
            return Err(Errno::EBADF.into());
        }
        if fo.append() {
            return Err(Errno::EINVAL.into());
        }
        let src = off_in.unwrap_or(fi.offset);
        let to_socket = self.is_socket(fd_out);
        // A socket takes at most its buffer per call: copy no more than that.
        let len = len.min(if to_socket { 1 << 20 } else { MAX_RW_COUNT });
        let data = match &self.inodes.get(fi.ino).node {
            Node::File(d) => d.read_at(src, len),
            Node::Proc(_) => proc_read(fi.content.as_deref(), src, len),
            Node::Device(Device::Zero) => vec![0; len],
            _ => return Err(Errno::EINVAL.into()),
        };
        let n = if data.is_empty() {
            0
        } else if to_socket {
            // Like a socket write, but a transfer stopped part way by a full buffer returns
            // what was sent (sendfile may return less than asked).
            match self.write(fd_out, &data) {
                Err(VfsError::WouldBlock(b)) if b.done > 0 => b.done,
                r => r?,
            }
        } else {
            self.write(fd_out, &data)?
        };
        if off_in.is_none() {
            self.file_mut(fd_in)?.offset = src + n as u64;
        }
        Ok(n)
    }
}

/// Up to `max` bytes at `offset` of a generated file's contents.
fn proc_read(content: Option<&[u8]>, offset: u64, max: usize) -> Vec<u8> {
    let c = content.unwrap_or(&[]);
    let start = offset.min(c.len() as u64) as usize;
    let end = start + max.min(c.len() - start);
    c[start..end].to_vec()
}
