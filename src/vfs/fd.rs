//! Open file descriptions and the fd table.
//!
//! An open file description ([`OpenFile`]) holds the offset and the status flags; `dup`
//! and friends make several fds share one. The fd table maps fd numbers to descriptions,
//! with `FD_CLOEXEC` kept per fd; new fds take the lowest free number below the soft
//! `RLIMIT_NOFILE` (EMFILE past it). Lowering the limit leaves the fds above it open.

use super::inode::{Ino, Node};
use super::params::*;
use super::{Vfs, pipe::Pipe};
use crate::abi::Errno;
use crate::abi::fcntl::*;

/// Identifies an open file description.
pub type FileId = u64;

/// An open file description.
#[derive(Debug)]
pub struct OpenFile {
    /// The inode it reads and writes.
    pub ino: Ino,
    /// Access mode and status flags, as `F_GETFL` reports them.
    pub flags: u32,
    /// File offset (for directories: the listing cursor, see [`super::dir`]).
    pub offset: u64,
    /// Directory listing snapshot (names), taken when a listing starts at offset 0.
    pub snapshot: Option<Vec<Vec<u8>>>,
    /// Number of fds referring to it.
    pub refs: u32,
    /// The contents of a generated file (`/proc`), rendered when it was opened.
    pub content: Option<std::sync::Arc<[u8]>>,
}

impl OpenFile {
    /// Opened with `O_PATH`: no I/O.
    pub fn is_path(&self) -> bool {
        self.flags & O_PATH != 0
    }

    /// Reads are allowed.
    pub fn readable(&self) -> bool {
        !self.is_path() && matches!(self.flags & O_ACCMODE, O_RDONLY | O_RDWR)
    }

    /// Writes are allowed.
    pub fn writable(&self) -> bool {
        !self.is_path() && matches!(self.flags & O_ACCMODE, O_WRONLY | O_RDWR)
    }

    /// `O_NONBLOCK` is set.
    pub fn nonblock(&self) -> bool {
        self.flags & O_NONBLOCK != 0
    }

    /// `O_APPEND` is set.
    pub fn append(&self) -> bool {
        self.flags & O_APPEND != 0
    }
}

/// One fd: its description and its close-on-exec flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FdSlot {
    /// The open file description.
    pub file: FileId,
    /// `FD_CLOEXEC`.
    pub cloexec: bool,
}

/// Slots of a new fd table (Linux's `NR_OPEN_DEFAULT`, `BITS_PER_LONG`).
const NR_OPEN_DEFAULT: u32 = 64;
/// Most fds a table can ever hold (`/proc/sys/fs/nr_open`): the ceiling of RLIMIT_NOFILE.
pub const NR_OPEN: u32 = 1 << 20;

/// The fd table.
#[derive(Debug)]
pub struct FdTable {
    slots: Vec<Option<FdSlot>>,
    /// The soft RLIMIT_NOFILE: new fds are below it.
    limit: u32,
    /// The size Linux's table would have grown to (`fdt->max_fds`): 64, then multiples of
    /// 128 slots rounded to a power of two as higher fds are used; it never shrinks.
    /// `select` looks at no fd at or above it.
    max_fds: u32,
}

impl Default for FdTable {
    fn default() -> FdTable {
        FdTable {
            slots: Vec::new(),
            limit: NOFILE_LIMIT as u32,
            max_fds: NR_OPEN_DEFAULT,
        }
    }
}

impl FdTable {
    /// The soft RLIMIT_NOFILE the table allocates below.
    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// Sets the soft RLIMIT_NOFILE (at most [`NR_OPEN`]); open fds above it stay open.
    pub fn set_limit(&mut self, limit: u64) {
        self.limit = limit.min(NR_OPEN as u64) as u32;
    }

    /// Linux's `fdt->max_fds`: the fd table size (see the field).
    pub fn max_fds(&self) -> u32 {
        self.max_fds
    }

    /// Grows [`FdTable::max_fds`] to hold fd `fd`, as Linux's `expand_fdtable` sizes it.
    fn expand(&mut self, fd: u32) {
        if fd < self.max_fds {
            return;
        }
        // struct file pointers per KiB: tables grow in KiB-sized steps, a power of two of them.
        const PER_KIB: u32 = 1024 / 8;
        let nr = (fd / PER_KIB + 1)
            .next_power_of_two()
            .saturating_mul(PER_KIB);
        self.max_fds = nr.min(NR_OPEN).max(self.max_fds);
    }

    /// The slot of `fd`; EBADF when it is not open.
    pub fn get(&self, fd: i32) -> Result<FdSlot, Errno> {
        usize::try_from(fd)
            .ok()
            .and_then(|i| self.slots.get(i).copied().flatten())
            .ok_or(Errno::EBADF)
    }

    /// The slot of `fd`, mutably.
    pub fn get_mut(&mut self, fd: i32) -> Result<&mut FdSlot, Errno> {
        usize::try_from(fd)
            .ok()
            .and_then(|i| self.slots.get_mut(i))
            .and_then(|s| s.as_mut())
            .ok_or(Errno::EBADF)
    }

    /// The lowest free fd at or above `min`; EMFILE when none is below the limit.
    pub fn lowest_free(&self, min: i32) -> Result<i32, Errno> {
        let min = min.max(0) as usize;
        let end = (self.limit as usize).min(self.slots.len());
        let fd = (min..end)
            .find(|&fd| self.slots[fd].is_none())
            .unwrap_or(self.slots.len().max(min));
        if fd < self.limit as usize {
            Ok(fd as i32)
        } else {
            Err(Errno::EMFILE)
        }
    }

    /// Puts `slot` at `fd` (below [`NR_OPEN`]), returning what was there.
    pub fn install(&mut self, fd: i32, slot: FdSlot) -> Option<FdSlot> {
        let i = fd as usize;
        self.expand(fd as u32);
        if self.slots.len() <= i {
            self.slots.resize(i + 1, None);
        }
        self.slots[i].replace(slot)
    }

    /// Removes `fd`, returning its slot.
    pub fn remove(&mut self, fd: i32) -> Option<FdSlot> {
        let s = self.slots.get_mut(usize::try_from(fd).ok()?)?.take();
        while self.slots.last().is_some_and(|s| s.is_none()) {
            self.slots.pop();
        }
        s
    }

    /// The open fds in increasing order.
    pub fn open_fds(&self) -> Vec<i32> {
        (0..self.slots.len())
            .filter(|&i| self.slots[i].is_some())
            .map(|i| i as i32)
            .collect()
    }
}

impl Vfs {
    /// The open file description behind `fd`; EBADF when `fd` is not open.
    pub(crate) fn file(&self, fd: i32) -> Result<&OpenFile, Errno> {
        let id = self.fds.get(fd)?.file;
        Ok(&self.files[&id])
    }

    /// The open file description behind `fd`, mutably.
    pub(crate) fn file_mut(&mut self, fd: i32) -> Result<&mut OpenFile, Errno> {
        let id = self.fds.get(fd)?.file;
        Ok(self
            .files
            .get_mut(&id)
            .expect("fd refers to a live description"))
    }

    /// Like [`file`](Self::file) but EBADF for an `O_PATH` fd (what `fdget` refuses).
    pub(crate) fn io_file(&self, fd: i32) -> Result<&OpenFile, Errno> {
        let f = self.file(fd)?;
        if f.is_path() {
            Err(Errno::EBADF)
        } else {
            Ok(f)
        }
    }

    /// Creates an open file description for `ino` with `flags` (no fd yet, no references).
    pub(crate) fn new_file(&mut self, ino: Ino, flags: u32) -> FileId {
        let id = self.next_file;
        self.next_file += 1;
        self.inodes.hold(ino);
        let f = OpenFile {
            ino,
            flags,
            offset: 0,
            snapshot: None,
            refs: 0,
            content: None,
        };
        if let Node::Pipe(p) = &mut self.inodes.get_mut(ino).node {
            if f.readable() {
                p.readers += 1;
                p.r_counter += 1;
            }
            if f.writable() {
                p.writers += 1;
                p.w_counter += 1;
            }
            // A FIFO open may be what another thread's open waits for.
            self.generation += 1;
        }
        self.files.insert(id, f);
        id
    }

    /// Installs `file` at `fd`, closing what was there.
    pub(crate) fn install_fd(&mut self, fd: i32, file: FileId, cloexec: bool) {
        self.files.get_mut(&file).expect("live description").refs += 1;
        if let Some(old) = self.fds.install(fd, FdSlot { file, cloexec }) {
            // Replacing an fd may close a pipe end that a blocked thread waits on.
            self.note_change();
            self.drop_file_ref(old.file);
        }
    }

    /// Drops one fd's reference to a description; the last one closes it.
    pub(crate) fn drop_file_ref(&mut self, id: FileId) {
        let f = self.files.get_mut(&id).expect("live description");
        f.refs -= 1;
        if f.refs > 0 {
            return;
        }
        let f = self.files.remove(&id).expect("live description");
        // Its epoll entries end with it (Linux's eventpoll_release).
        self.epoll_watchers.remove(&id);
        if let Some(set) = self.epoll_descriptions.get_mut(&f.ino) {
            set.remove(&id);
            if set.is_empty() {
                self.epoll_descriptions.remove(&f.ino);
            }
        }
        if let Node::Pipe(p) = &mut self.inodes.get_mut(f.ino).node {
            if f.readable() {
                p.readers -= 1;
            }
            if f.writable() {
                p.writers -= 1;
            }
        }
        if matches!(self.inodes.get(f.ino).node, Node::Socket(_)) {
            self.socket_release(f.ino);
        }
        self.inodes.release(f.ino);
    }

    /// `close(fd)`.
    pub fn close(&mut self, fd: i32) -> Result<(), Errno> {
        self.note_change();
        let slot = self.fds.remove(fd).ok_or(Errno::EBADF)?;
        self.drop_file_ref(slot.file);
        Ok(())
    }

    /// `close_range(first, last, flags)`: closes the open fds in `first..=last`, or with
    /// `cloexec` only marks them close-on-exec.
    pub fn close_range(&mut self, first: u32, last: u32, cloexec: bool) {
        self.note_change();
        for fd in self.fds.open_fds() {
            if (fd as u32) < first || fd as u32 > last {
                continue;
            }
            if cloexec {
                self.fds.get_mut(fd).expect("open fd").cloexec = true;
            } else {
                let _ = self.close(fd);
            }
        }
    }

    /// Closes every fd marked close-on-exec (for `execve`).
    pub fn close_on_exec(&mut self) {
        for fd in self.fds.open_fds() {
            if self.fds.get(fd).is_ok_and(|s| s.cloexec) {
                let _ = self.close(fd);
            }
        }
    }

    /// `dup(fd)`: the lowest free fd shares `fd`'s description; EMFILE when none is free.
    pub fn dup(&mut self, fd: i32) -> Result<i32, Errno> {
        self.dup_min(fd, 0, false)
    }

    /// `fcntl(fd, F_DUPFD[_CLOEXEC], min)`: like `dup` but at or above `min`; EINVAL when
    /// `min` is not below the soft RLIMIT_NOFILE.
    pub fn dup_min(&mut self, fd: i32, min: u32, cloexec: bool) -> Result<i32, Errno> {
        let file = self.fds.get(fd)?.file;
        if min >= self.fds.limit() {
            return Err(Errno::EINVAL);
        }
        let new = self.fds.lowest_free(min as i32)?;
        self.install_fd(new, file, cloexec);
        Ok(new)
    }

    /// `dup3(old, new, flags)` (`dup2` when `flags` is 0 and `old != new`): `new` refers to
    /// `old`'s description, closing what `new` was. EINVAL for flags other than `O_CLOEXEC`
    /// or `old == new`; EBADF for a `new` at or above the soft RLIMIT_NOFILE (or negative),
    /// then for a bad `old` (the table has grown to hold `new` by then, as in Linux).
    pub fn dup3(&mut self, old: i32, new: i32, flags: u32) -> Result<i32, Errno> {
        if flags & !O_CLOEXEC != 0 || old == new {
            return Err(Errno::EINVAL);
        }
        if new as u32 >= self.fds.limit() {
            return Err(Errno::EBADF);
        }
        self.fds.expand(new as u32);
        let file = self.fds.get(old)?.file;
        self.install_fd(new, file, flags & O_CLOEXEC != 0);
        Ok(new)
    }

    /// `F_DUPFD_QUERY`: whether `a` and `b` share one open file description (EBADF when
    /// either is not open).
    pub fn same_description(&self, a: i32, b: i32) -> Result<bool, Errno> {
        Ok(self.fds.get(a)?.file == self.fds.get(b)?.file)
    }

    /// `F_GETFD`: `FD_CLOEXEC` (1) or 0.
    pub fn fd_flags(&self, fd: i32) -> Result<u32, Errno> {
        Ok(self.fds.get(fd)?.cloexec as u32)
    }

    /// `F_SETFD`: sets `FD_CLOEXEC` from bit 0 of `flags`.
    pub fn set_fd_flags(&mut self, fd: i32, flags: u32) -> Result<(), Errno> {
        self.fds.get_mut(fd)?.cloexec = flags & 1 != 0;
        Ok(())
    }

    /// `F_GETFL`: access mode and status flags.
    pub fn status_flags(&self, fd: i32) -> Result<u32, Errno> {
        Ok(self.file(fd)?.flags)
    }

    /// `F_SETFL`: changes `O_APPEND`, `O_NONBLOCK`, `O_ASYNC`, `O_DIRECT` and `O_NOATIME`;
    /// other bits are ignored. EBADF on an `O_PATH` fd; EINVAL for `O_DIRECT` on anything
    /// but a regular file (as on tmpfs, which accepts it for files).
    pub fn set_status_flags(&mut self, fd: i32, flags: u32) -> Result<(), Errno> {
        let ino = self.io_file(fd)?.ino;
        if flags & O_DIRECT != 0 && !matches!(self.inodes.get(ino).node, Node::File(_)) {
            return Err(Errno::EINVAL);
        }
        let f = self.file_mut(fd)?;
        f.flags = (f.flags & !SETFL_MASK) | (flags & SETFL_MASK);
        Ok(())
    }

    /// Sets or clears `O_NONBLOCK` (`ioctl(FIONBIO)`).
    pub fn set_nonblock(&mut self, fd: i32, on: bool) -> Result<(), Errno> {
        let f = self.file_mut(fd)?;
        if on {
            f.flags |= O_NONBLOCK;
        } else {
            f.flags &= !O_NONBLOCK;
        }
        Ok(())
    }

    /// `pipe2`: a new pipe's read and write fds (the two lowest free). `flags` may hold
    /// `O_CLOEXEC` and `O_NONBLOCK`; EINVAL for anything else (`O_DIRECT` packet mode is
    /// not supported). EMFILE when two fds are not free.
    pub fn pipe(&mut self, flags: u32) -> Result<(i32, i32), Errno> {
        self.note_change();
        if flags & !(O_CLOEXEC | O_NONBLOCK) != 0 {
            return Err(Errno::EINVAL);
        }
        let r = self.fds.lowest_free(0)?;
        let w = self.fds.lowest_free(r + 1)?;
        let ino = self.inodes.add(
            Node::Pipe(Pipe::new()),
            0o600,
            0,
            super::inode::Origin::Builtin,
        );
        let nb = flags & O_NONBLOCK;
        let rf = self.new_file(ino, O_RDONLY | nb);
        let wf = self.new_file(ino, O_WRONLY | nb);
        let cloexec = flags & O_CLOEXEC != 0;
        self.install_fd(r, rf, cloexec);
        self.install_fd(w, wf, cloexec);
        Ok((r, w))
    }

    /// The open fds in increasing order.
    pub fn open_fds(&self) -> Vec<i32> {
        self.fds.open_fds()
    }

    /// The soft RLIMIT_NOFILE: new fds are below it.
    pub fn fd_limit(&self) -> u32 {
        self.fds.limit()
    }

    /// Sets the soft RLIMIT_NOFILE (`setrlimit`); fds already open above it stay open.
    pub fn set_fd_limit(&mut self, limit: u64) {
        self.fds.set_limit(limit);
    }

    /// The fd table's size as Linux's `fdt->max_fds` (what `select` clamps `nfds` to).
    pub fn fd_table_size(&self) -> u32 {
        self.fds.max_fds()
    }
}
