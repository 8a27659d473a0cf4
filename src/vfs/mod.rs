//! The in-memory filesystem: inodes, open file descriptions, the fd table, pipes and device
//! files. Built once at start-up from the run's configuration; afterwards no host file is
//! touched except the host streams behind fds 0, 1 and 2 and [`Vfs::write_out`].
//!
//! Everything the guest can observe is deterministic: inode numbers count up in creation
//! order, every timestamp is the run's epoch, every file belongs to uid/gid 1000, directory
//! listings are sorted by name, and no fd is ever a terminal.
//!
//! One concern per file: [`inode`] (nodes and metadata), [`dir`] (entries and listing
//! cursors), [`path`] (path resolution), [`fd`] (open file descriptions and the fd table),
//! [`io`] (reading, writing, seeking), [`namespace`] (operations on names: open, mkdir,
//! unlink, rename...), [`pipe`], [`socket`] (AF_UNIX, loopback TCP/UDP and netlink sockets),
//! [`dev`] (device files and host streams), [`mount`] (start-up tree and `write_out`).

pub mod dev;
pub mod dir;
pub mod epoll;
mod epoll_graph;
pub mod eventfd;
pub mod fd;
pub mod inode;
pub mod io;
pub mod memfd;
pub mod meta;
pub mod mount;
pub mod namespace;
pub mod params;
pub mod path;
pub mod pipe;
pub mod proc;
pub mod socket;
pub mod synthetic;
#[cfg(test)]
mod tests;

pub use crate::abi::stat::Stat;
pub use dev::{Device, HostStdio, Stream};
pub use dir::DirEntry;
pub use inode::{FileKind, Ino};

use crate::abi::Errno;
use crate::config::RunConfig;
use crate::mem::CommitLimit;
use fd::{FdTable, FileId, OpenFile};
use inode::{Inodes, Node};
use params::*;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::ControlFlow;
use std::sync::Arc;

/// Why a VFS call did not complete.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VfsError {
    /// Failed with this errno.
    Errno(Errno),
    /// The call must wait for another thread (a read from an empty pipe, a write into a full
    /// one). `done` bytes were already transferred; retry with the rest once `on` may hold.
    WouldBlock(Blocked),
}

/// A call that cannot complete until a condition holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Blocked {
    /// The condition to wait for.
    pub on: WaitOn,
    /// Bytes transferred before blocking.
    pub done: usize,
}

/// A condition a blocked call waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitOn {
    /// The pipe has data, or its last writer closed.
    PipeReadable(Ino),
    /// The pipe has room, or its last reader closed.
    PipeWritable(Ino),
    /// The eventfd counter is non-zero.
    EventFdReadable(Ino),
    /// The eventfd counter has room for the value written.
    EventFdWritable(Ino),
    /// The socket's state changes (data, room, a connection, the peer leaving).
    Socket(Ino),
}

impl std::fmt::Display for WaitOn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WaitOn::PipeReadable(i) => write!(
                f,
                "read from empty pipe (inode {i}) whose write end is open"
            ),
            WaitOn::PipeWritable(i) => {
                write!(f, "write into full pipe (inode {i}) whose read end is open")
            }
            WaitOn::EventFdReadable(i) => write!(f, "read from eventfd (inode {i}) at 0"),
            WaitOn::EventFdWritable(i) => write!(f, "write into full eventfd (inode {i})"),
            WaitOn::Socket(i) => write!(f, "socket (inode {i}) not ready"),
        }
    }
}

impl From<Errno> for VfsError {
    fn from(e: Errno) -> VfsError {
        VfsError::Errno(e)
    }
}

/// What an fd refers to, for other syscall families (mmap, poll, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FdInfo {
    /// The inode.
    pub ino: Ino,
    /// Its kind.
    pub kind: FileKind,
    /// Open for reading.
    pub readable: bool,
    /// Open for writing.
    pub writable: bool,
    /// `O_APPEND`.
    pub append: bool,
    /// `O_NONBLOCK`.
    pub nonblock: bool,
    /// `FD_CLOEXEC`.
    pub cloexec: bool,
    /// Opened with `O_PATH`.
    pub path_only: bool,
    /// File size (0 for non-regular files).
    pub size: u64,
    /// The device, for device files.
    pub device: Option<Device>,
}

/// What an fd maps (see [`Vfs::mmap_source`]).
#[derive(Clone, Debug)]
pub struct MmapSource {
    /// The file's contents; `None` for `/dev/zero`.
    pub contents: Option<Arc<crate::mem::Contents>>,
    /// The name `/proc/self/maps` shows.
    pub name: String,
    /// The fd is open for reading.
    pub readable: bool,
    /// The fd is open for writing.
    pub writable: bool,
    /// The file's `F_SEAL_*` seals.
    pub seals: u32,
}

/// Readiness of an fd, for poll/select/epoll, as Linux's `poll` methods report it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Readiness {
    /// POLLIN: data can be read without blocking (a pipe at end of file reports only
    /// `hangup`).
    pub readable: bool,
    /// POLLOUT: a write would not block.
    pub writable: bool,
    /// POLLHUP: a pipe's read end whose writers are all gone.
    pub hangup: bool,
    /// POLLERR: a pipe's write end whose readers are all gone.
    pub error: bool,
    /// POLLRDHUP: a socket shut for reading (or its peer for writing).
    pub rdhup: bool,
    /// Counts data movements through the file (edge-triggered epoll reports each new one);
    /// 0 for files without such a counter.
    pub activity: u64,
}

impl Readiness {
    /// The event bits Linux reports for this state, for epoll and for poll alike (the POLL*
    /// and EPOLL* values are the same numbers).
    pub fn events(self) -> u32 {
        use crate::abi::eventpoll::{
            EPOLLERR, EPOLLHUP, EPOLLIN, EPOLLOUT, EPOLLRDHUP, EPOLLRDNORM, EPOLLWRNORM,
        };
        let mut m = 0;
        if self.readable {
            m |= EPOLLIN | EPOLLRDNORM;
        }
        if self.writable {
            m |= EPOLLOUT | EPOLLWRNORM;
        }
        if self.hangup {
            m |= EPOLLHUP;
        }
        if self.error {
            m |= EPOLLERR;
        }
        if self.rdhup {
            m |= EPOLLRDHUP;
        }
        m
    }
}

/// The filesystem and fd table of the process.
#[derive(Debug)]
pub struct Vfs {
    inodes: Inodes,
    root: Ino,
    cwd: Ino,
    files: BTreeMap<FileId, OpenFile>,
    next_file: FileId,
    fds: FdTable,
    umask: u32,
    epoch: i64,
    stdio: HostStdio,
    /// Root inode of each read-only mount (mount `i` is at index `i - 1`).
    ro_roots: Vec<Ino>,
    /// Counts changes that can make a blocked call ready (data moved, fds closed or made);
    /// the scheduler wakes threads retrying a syscall when it moves.
    generation: u64,
    /// The guest's memory budget, which file contents the guest writes draw on.
    commit: Arc<CommitLimit>,
    /// Who watches each open file description: the (epoll instance, fd) of every entry
    /// added for it. Entries removed since are skipped when read (see `epoll_graph`).
    epoll_watchers: BTreeMap<FileId, BTreeSet<(Ino, i32)>>,
    /// The descriptions of each epoll instance that was added to an instance. While it is
    /// empty no instance watches another and `EPOLL_CTL_ADD` skips the nesting checks.
    epoll_descriptions: BTreeMap<Ino, BTreeSet<FileId>>,
    /// The inodes of `/proc` that follow the threads (see [`proc`]).
    proc: proc::ProcInodes,
    /// The socket tables (names, ports).
    net: socket::Net,
}

impl Vfs {
    /// The change counter (see the field): equal values mean no blocked call can have become
    /// ready in between.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Notes a change that may make a blocked call ready.
    pub(crate) fn note_change(&mut self) {
        self.generation += 1;
    }

    /// Builds the start-up tree: `/`, `/dev` (null, zero, full, random, urandom, and stdin,
    /// stdout, stderr linked to the host streams), `/tmp` (mode 1777), `/proc/self/exe` (a
    /// symlink to `exe_path`), the executable itself at `exe_path` (a regular file holding
    /// `exe_bytes`; opening it for writing gives ETXTBSY), every `--mount` in order, and the
    /// initial cwd (created if missing). fds 0, 1 and 2 are the host streams.
    pub fn new(config: &RunConfig, exe_path: &str, exe_bytes: &[u8]) -> Result<Vfs, String> {
        let commit = Arc::new(CommitLimit::new(config.max_memory));
        Vfs::with_commit_limit(config, exe_path, exe_bytes, commit)
    }

    /// [`Vfs::new`] with file contents drawing on `commit`, the budget the guest's memory
    /// mappings share.
    pub fn with_commit_limit(
        config: &RunConfig,
        exe_path: &str,
        exe_bytes: &[u8],
        commit: Arc<CommitLimit>,
    ) -> Result<Vfs, String> {
        let mut vfs = Vfs::empty(config.epoch, commit);
        vfs.populate(config, exe_path, exe_bytes)?;
        Ok(vfs)
    }

    /// A tree holding only the root directory, no fds, host stdio.
    fn empty(epoch: u64, commit: Arc<CommitLimit>) -> Vfs {
        let mut inodes = Inodes::new();
        let root = inodes.add(
            Node::Dir(dir::Dir::new(1)),
            0o755,
            0,
            inode::Origin::Builtin,
        );
        debug_assert_eq!(root, 1);
        inodes.get_mut(root).nlink = 2;
        inodes.hold(root); // the cwd
        Vfs {
            inodes,
            root,
            cwd: root,
            files: BTreeMap::new(),
            next_file: 1,
            fds: FdTable::default(),
            umask: 0o022,
            epoch: epoch.min(i64::MAX as u64) as i64,
            stdio: HostStdio::host(),
            ro_roots: Vec::new(),
            generation: 0,
            commit,
            epoll_watchers: BTreeMap::new(),
            epoll_descriptions: BTreeMap::new(),
            proc: proc::ProcInodes::default(),
            net: socket::Net::default(),
        }
    }

    /// Replaces where the host streams read and write (tests, embedders).
    pub fn set_stdio(&mut self, stdio: HostStdio) {
        self.stdio = stdio;
    }

    /// The file-mode creation mask.
    pub fn umask(&self) -> u32 {
        self.umask
    }

    /// `umask(mask)`: sets the mask (low 9 bits), returning the old one.
    pub fn set_umask(&mut self, mask: u32) -> u32 {
        std::mem::replace(&mut self.umask, mask & 0o777)
    }

    /// The metadata of inode `ino`.
    pub fn stat_inode(&self, ino: Ino) -> Stat {
        let i = self.inodes.get(ino);
        let kind = i.kind();
        let pipe_like = matches!(
            i.node,
            Node::Pipe(_) | Node::Device(Device::Host(_)) | Node::Socket(_)
        );
        let anon = matches!(i.node, Node::EventFd(_) | Node::Epoll(_));
        let (rdev, nlink) = match &i.node {
            Node::Device(d) => (d.rdev(), i.nlink.max(1)),
            Node::Pipe(_) | Node::EventFd(_) | Node::Epoll(_) | Node::Socket(_) => ((0, 0), 1),
            _ => ((0, 0), i.nlink),
        };
        let blocks = match &i.node {
            Node::File(f) => f.allocated() / 512,
            _ => 0,
        };
        Stat {
            dev: if anon {
                ANON_DEV
            } else if pipe_like {
                PIPE_DEV
            } else {
                FS_DEV
            },
            ino,
            mode: kind.mode_bits() | i.perm,
            nlink,
            // anon_inodefs' one inode belongs to root.
            uid: if anon { 0 } else { OWNER_ID },
            gid: if anon { 0 } else { OWNER_ID },
            rdev,
            size: i.size(),
            blksize: BLKSIZE,
            blocks,
            times: i.times.as_deref().copied().unwrap_or([(self.epoch, 0); 3]),
            btime: (self.epoch, 0),
            mnt_id: if anon {
                ANON_MNT_ID
            } else if pipe_like {
                PIPE_MNT_ID
            } else {
                FS_MNT_ID + i.mount as u64
            },
            mount_root: ino == self.root || self.ro_roots.contains(&ino),
        }
    }

    /// `fstat(fd)` (also on `O_PATH` fds).
    pub fn fstat(&self, fd: i32) -> Result<Stat, Errno> {
        Ok(self.stat_inode(self.file(fd)?.ino))
    }

    /// What `fd` refers to.
    pub fn fd_info(&self, fd: i32) -> Result<FdInfo, Errno> {
        let slot = self.fds.get(fd)?;
        let f = &self.files[&slot.file];
        let i = self.inodes.get(f.ino);
        Ok(FdInfo {
            ino: f.ino,
            kind: i.kind(),
            readable: f.readable(),
            writable: f.writable(),
            append: f.append(),
            nonblock: f.nonblock(),
            cloexec: slot.cloexec,
            path_only: f.is_path(),
            size: match &i.node {
                Node::File(d) => d.size(),
                _ => 0,
            },
            device: match &i.node {
                Node::Device(d) => Some(*d),
                _ => None,
            },
        })
    }

    /// Readiness of `fd` for poll/select (EBADF for a closed or `O_PATH` fd, which poll
    /// reports as POLLNVAL). Regular files, directories and devices are always readable and
    /// writable (Linux's default poll mask); pipes by their buffer and ends; the host stdin
    /// is always readable (its reads wait on the host, outside guest time) and stdout and
    /// stderr always writable.
    /// eventfds by their counter; epoll instances are readable while an entry is ready.
    pub fn readiness(&self, fd: i32) -> Result<Readiness, Errno> {
        self.readiness_nested(fd, 0, &mut BTreeMap::new())
    }

    /// [`readiness`](Self::readiness) at epoll nesting depth `depth`; `memo` holds the
    /// readability of the epoll instances already looked at during this query.
    pub(crate) fn readiness_nested(
        &self,
        fd: i32,
        depth: u32,
        memo: &mut BTreeMap<Ino, bool>,
    ) -> Result<Readiness, Errno> {
        let f = self.io_file(fd)?;
        let mut r = Readiness::default();
        match &self.inodes.get(f.ino).node {
            Node::EventFd(e) => r = e.readiness(),
            Node::Epoll(e) => r = self.epoll_readiness(f.ino, e, depth, memo),
            Node::Socket(_) => r = self.socket_readiness(f.ino),
            Node::Pipe(p) => {
                r.activity = p.activity;
                if f.readable() {
                    r.readable = p.available() > 0;
                    r.hangup = p.writers == 0;
                }
                if f.writable() {
                    r.writable = p.available() < p.capacity();
                    r.error = p.readers == 0;
                }
            }
            Node::Device(Device::Host(s)) => {
                r.readable = *s == Stream::Stdin;
                r.writable = *s != Stream::Stdin;
            }
            _ => {
                r.readable = true;
                r.writable = true;
            }
        }
        Ok(r)
    }

    /// Up to `len` bytes of regular file `ino` from `offset` (fewer at end of file), without
    /// touching any file offset: for mapping a file into memory. ENODEV for a non-regular
    /// file (what mmap answers).
    pub fn inode_read_at(&self, ino: Ino, offset: u64, len: usize) -> Result<Vec<u8>, Errno> {
        match self.inodes.try_get(ino).map(|i| &i.node) {
            Some(Node::File(d)) => Ok(d.read_at(offset, len)),
            _ => Err(Errno::ENODEV),
        }
    }

    /// What a mapping of `fd` maps: the file's contents (shared with its shared mappings;
    /// a private mapping takes a snapshot), the name `/proc/self/maps` shows, how the fd was
    /// opened and the file's seals; `None` contents for `/dev/zero` (an anonymous mapping).
    /// ENODEV for files that cannot be mapped. The access checks are the caller's (they
    /// depend on the mapping's type).
    pub fn mmap_source(&self, fd: i32) -> Result<MmapSource, Errno> {
        let f = self.io_file(fd)?;
        let i = self.inodes.get(f.ino);
        let (contents, seals) = match &i.node {
            Node::File(d) => (Some(d.contents().clone()), d.seals()),
            Node::Device(Device::Zero) => (None, 0),
            _ => return Err(Errno::ENODEV),
        };
        let name = match (&i.node, self.path_of(f.ino)) {
            (Node::Device(_), _) => "/dev/zero (deleted)".to_string(),
            (Node::File(d), _) if d.memfd.is_some() => {
                let m = d.memfd.as_ref().expect("checked");
                format!("/memfd:{} (deleted)", String::from_utf8_lossy(&m.name))
            }
            (_, Some(p)) => String::from_utf8_lossy(&p).into_owned(),
            (_, None) => "(deleted)".to_string(),
        };
        Ok(MmapSource {
            contents,
            name,
            readable: f.readable(),
            writable: f.writable(),
            seals,
        })
    }

    /// A path naming inode `ino` (the first in name order), if it is linked.
    pub fn path_of(&self, ino: Ino) -> Option<Vec<u8>> {
        if ino == self.root {
            return Some(b"/".to_vec());
        }
        let mut found = None;
        self.for_each_entry(|path, child| {
            if child == ino {
                found = Some(path.to_vec());
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        });
        found
    }

    /// Calls `f` with the absolute path and inode of every entry of the tree, in name order,
    /// each directory before its contents, until `f` breaks. Iterative, so that deep trees
    /// cannot exhaust the host stack.
    pub(crate) fn for_each_entry(&self, mut f: impl FnMut(&[u8], Ino) -> ControlFlow<()>) {
        let mut stack: Vec<(Vec<u8>, Ino)> = vec![(Vec::new(), self.root)];
        while let Some((path, dir)) = stack.pop() {
            let d = self.inodes.get(dir).dir().expect("directory");
            let mut subdirs = Vec::new();
            for (name, child) in d.iter() {
                let mut p = path.clone();
                p.push(b'/');
                p.extend_from_slice(name);
                if f(&p, child).is_break() {
                    return;
                }
                if self.inodes.get(child).is_dir() {
                    subdirs.push((p, child));
                }
            }
            stack.extend(subdirs.into_iter().rev());
        }
    }

    /// Writes `data` into regular file `ino` at `offset` without touching any file offset
    /// (write-back of a shared file mapping). The file grows if needed.
    pub fn inode_write_at(&mut self, ino: Ino, offset: u64, data: &[u8]) -> Result<(), Errno> {
        let Some(i) = self.inodes.try_get(ino) else {
            return Err(Errno::ENODEV);
        };
        if !matches!(i.node, Node::File(_)) {
            return Err(Errno::ENODEV);
        }
        let i = self.inodes.get_mut(ino);
        if let Node::File(d) = &mut i.node {
            d.write_at(offset, data, &self.commit)?;
            i.modified = true;
        }
        Ok(())
    }

    /// Keeps inode `ino` alive while something outside the fd table (a file mapping) uses
    /// it, even after its fds close and its names are unlinked.
    pub fn hold_inode(&mut self, ino: Ino) {
        self.inodes.hold(ino);
    }

    /// Drops a [`hold_inode`](Self::hold_inode) reference.
    pub fn release_inode(&mut self, ino: Ino) {
        self.inodes.release(ino);
    }

    /// The pipe capacity of `fd` (`F_GETPIPE_SZ`); EBADF when it is not a pipe.
    pub fn pipe_capacity(&self, fd: i32) -> Result<usize, Errno> {
        match &self.inodes.get(self.io_file(fd)?.ino).node {
            Node::Pipe(p) => Ok(p.capacity()),
            _ => Err(Errno::EBADF),
        }
    }

    /// Sets the pipe capacity of `fd` (`F_SETPIPE_SZ`), returning the size set.
    pub fn set_pipe_capacity(&mut self, fd: i32, size: u64) -> Result<usize, Errno> {
        let ino = self.io_file(fd)?.ino;
        match &mut self.inodes.get_mut(ino).node {
            Node::Pipe(p) => p.set_capacity(size),
            _ => Err(Errno::EBADF),
        }
    }

    /// Bytes a read of `fd` could return at once (`FIONREAD`): buffered pipe bytes, or for
    /// a regular file the bytes between the offset and the end. ENOTTY for other files.
    pub fn bytes_readable(&self, fd: i32) -> Result<u64, Errno> {
        let f = self.io_file(fd)?;
        match &self.inodes.get(f.ino).node {
            Node::Pipe(p) => Ok(p.available() as u64),
            Node::File(d) => Ok(d.size().saturating_sub(f.offset)),
            Node::Socket(s) => s.bytes_readable(),
            _ => Err(Errno::ENOTTY),
        }
    }
}
