//! Inodes: the nodes of the in-memory tree, their metadata, and the table that owns them.
//!
//! Inode numbers are handed out in creation order and never reused, so they are a pure
//! function of what the run did. An inode lives while a directory entry links it or an open
//! file description, the cwd or a [`hold`](Inodes::hold) refers to it.

use super::dev::Device;
use super::dir::Dir;
use super::pipe::Pipe;
use crate::abi::Errno;
use crate::abi::{fcntl::*, limits::*, stat::*};
use crate::mem::{CommitLimit, Contents, ContentsError, PAGE_SIZE, PageStore};
use std::collections::BTreeMap;
use std::sync::Arc;

/// An inode number.
pub type Ino = u64;

/// What kind of file an inode is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A regular file.
    Regular,
    /// A directory.
    Directory,
    /// A symbolic link.
    Symlink,
    /// A character device (`/dev/null`...).
    CharDevice,
    /// A pipe, or one of the host streams behind fds 0, 1 and 2.
    Fifo,
    /// An anonymous inode (eventfd, epoll): no file type bits in `st_mode`.
    Anon,
    /// A socket, or the file system name of a bound AF_UNIX socket.
    Socket,
}

impl FileKind {
    /// The `S_IF*` bits of `st_mode`.
    pub fn mode_bits(self) -> u32 {
        match self {
            FileKind::Regular => S_IFREG,
            FileKind::Directory => S_IFDIR,
            FileKind::Symlink => S_IFLNK,
            FileKind::CharDevice => S_IFCHR,
            FileKind::Fifo => S_IFIFO,
            FileKind::Anon => 0,
            FileKind::Socket => S_IFSOCK,
        }
    }

    /// The `d_type` of a directory entry.
    pub fn dirent_type(self) -> u8 {
        match self {
            FileKind::Regular => DT_REG,
            FileKind::Directory => DT_DIR,
            FileKind::Symlink => DT_LNK,
            FileKind::CharDevice => DT_CHR,
            FileKind::Fifo => DT_FIFO,
            FileKind::Anon => 0,
            FileKind::Socket => DT_SOCK,
        }
    }
}

/// The bytes of a regular file: shared [`Contents`] (a sparse page store and a size, also
/// mapped by the file's `MAP_SHARED` mappings), and for a memfd its name and seals. Pages
/// never written are holes that read as zero and cost nothing, so `ftruncate` to 200 GiB or
/// a write at a large offset commits only the pages written. Pages the guest creates are
/// charged to the guest's memory commitment (`--max-memory`); past it writes fail with
/// ENOSPC.
#[derive(Debug, Default)]
pub struct FileData {
    contents: Arc<Contents>,
    /// The memfd this file is, if it is one.
    pub memfd: Option<Memfd>,
}

/// What a memfd adds to a file: its name and its seals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Memfd {
    /// The name given to `memfd_create` (without the `memfd:` prefix).
    pub name: Vec<u8>,
    /// `F_SEAL_*` bits.
    pub seals: u32,
}

/// The data extents of a file below its size (see [`FileData::extents`]).
pub struct Extents {
    pages: Arc<PageStore>,
    size: u64,
}

impl Extents {
    /// `(offset, bytes)` for each page that holds data (the last one cut at the size), in
    /// order. Everything else is a hole.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &[u8])> {
        let size = self.size;
        self.pages
            .range(0..size.div_ceil(PAGE_SIZE))
            .map(move |(i, p)| {
                let off = i * PAGE_SIZE;
                (off, &p[..((size - off).min(PAGE_SIZE)) as usize])
            })
    }
}

impl FileData {
    /// A file holding `bytes` (input files: not charged to the guest's commitment).
    pub fn new(bytes: &[u8]) -> FileData {
        FileData {
            contents: Arc::new(Contents::new(bytes)),
            memfd: None,
        }
    }

    /// The contents, shared with the file's shared mappings.
    pub fn contents(&self) -> &Arc<Contents> {
        &self.contents
    }

    /// The file size.
    pub fn size(&self) -> u64 {
        self.contents.lock().size()
    }

    /// Bytes of storage the file uses (its data pages).
    pub fn allocated(&self) -> u64 {
        self.contents.lock().pages().len() * PAGE_SIZE
    }

    /// True when some page below the size is a hole.
    pub fn is_sparse(&self) -> bool {
        let c = self.contents.lock();
        c.pages().len() < c.size().div_ceil(PAGE_SIZE)
    }

    /// A snapshot of the file's pages (shared until either side changes), for private
    /// mappings.
    pub fn snapshot(&self) -> Arc<PageStore> {
        self.contents.lock().snapshot()
    }

    /// Up to `max` bytes from `offset` (fewer at the end of the file).
    pub fn read_at(&self, offset: u64, max: usize) -> Vec<u8> {
        self.contents.lock().read_at(offset, max)
    }

    /// The data extents below the size (a snapshot: iterate with [`Extents::iter`]).
    pub fn extents(&self) -> Extents {
        let c = self.contents.lock();
        Extents {
            pages: c.snapshot(),
            size: c.size(),
        }
    }

    /// `SEEK_DATA` from `offset` (below the size): `offset` itself when its page holds data,
    /// else the start of the next page that does; `None` when only holes follow.
    pub fn seek_data(&self, offset: u64) -> Option<u64> {
        let c = self.contents.lock();
        let first = offset / PAGE_SIZE;
        let (index, _) = c
            .pages()
            .range(first..c.size().div_ceil(PAGE_SIZE))
            .next()?;
        Some(offset.max(index * PAGE_SIZE))
    }

    /// `SEEK_HOLE` from `offset` (below the size): the start of the first hole at or after
    /// it, or the size when data runs to the end (the end of a file counts as a hole).
    pub fn seek_hole(&self, offset: u64) -> Option<u64> {
        let c = self.contents.lock();
        let mut index = offset / PAGE_SIZE;
        for (i, _) in c.pages().range(index..c.size().div_ceil(PAGE_SIZE)) {
            if i != index {
                break;
            }
            index += 1;
        }
        Some(offset.max(index * PAGE_SIZE).min(c.size()))
    }

    /// The seals (0 for a file that is not a memfd).
    pub fn seals(&self) -> u32 {
        self.memfd.as_ref().map_or(0, |m| m.seals)
    }

    /// Writes `bytes` at `offset`, growing the file; new pages are charged to `limit`.
    /// Returns how many bytes were written: all of them, or (when the budget runs out part
    /// way) the leading bytes whose pages fit; ENOSPC when not even the first page fits.
    /// A write-sealed memfd gives EPERM, and a grow-sealed one writes only the leading
    /// pieces (page by page, as shmem does) that stay inside the size.
    pub fn write_at(
        &mut self,
        offset: u64,
        bytes: &[u8],
        limit: &Arc<CommitLimit>,
    ) -> Result<usize, Errno> {
        if bytes.is_empty() {
            return Ok(0);
        }
        let seals = self.seals();
        if seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE) != 0 {
            return Err(Errno::EPERM);
        }
        let mut c = self.contents.lock();
        let mut bytes = bytes;
        if seals & F_SEAL_GROW != 0 {
            let size = c.size();
            let mut n = 0usize;
            while n < bytes.len() {
                let at = offset.saturating_add(n as u64);
                let chunk = ((PAGE_SIZE - at % PAGE_SIZE) as usize).min(bytes.len() - n);
                if at.saturating_add(chunk as u64) > size {
                    break;
                }
                n += chunk;
            }
            if n == 0 {
                return Err(Errno::EPERM);
            }
            bytes = &bytes[..n];
        }
        c.write_at(offset, bytes, limit, MAX_FILE_SIZE)
            .map_err(|e| match e {
                ContentsError::TooBig => Errno::EFBIG,
                ContentsError::NoSpace => Errno::ENOSPC,
            })
    }

    /// Sets the size: shrinking drops the pages past it (and zeroes the rest of the last
    /// one), growing adds a hole. EPERM when a memfd's seals forbid it.
    pub fn truncate(&mut self, len: u64) -> Result<(), Errno> {
        let seals = self.seals();
        let mut c = self.contents.lock();
        if (len < c.size() && seals & F_SEAL_SHRINK != 0)
            || (len > c.size() && seals & F_SEAL_GROW != 0)
        {
            return Err(Errno::EPERM);
        }
        if len != c.size() {
            c.truncate(len);
        }
        Ok(())
    }

    /// The whole contents (holes as zeros). Only for files known to be small.
    pub fn to_vec(&self) -> Vec<u8> {
        let c = self.contents.lock();
        c.read_at(0, c.size().min(usize::MAX as u64) as usize)
    }
}

/// The contents of an inode.
#[derive(Debug)]
pub enum Node {
    /// A regular file.
    File(FileData),
    /// A directory.
    Dir(Dir),
    /// A symlink and its target.
    Symlink(Vec<u8>),
    /// A device file or host stream.
    Device(Device),
    /// A pipe.
    Pipe(Pipe),
    /// An eventfd.
    EventFd(super::eventfd::EventFd),
    /// An epoll instance.
    Epoll(super::epoll::Epoll),
    /// A file whose contents the kernel generates when it is opened (`/proc`).
    Proc(super::synthetic::ProcKind),
    /// A socket.
    Socket(Box<super::socket::Socket>),
    /// The file system name of a bound AF_UNIX socket (`bind` makes it; the socket it
    /// names is in the socket tables).
    SocketName,
}

/// Where an inode came from; decides what [`Vfs::write_out`](super::Vfs::write_out) writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Made by rvrun at start-up (`/`, `/tmp`, `/dev/*`, the executable, parents of mounts).
    Builtin,
    /// Copied from a `--mount`.
    Mounted,
    /// Created by the guest.
    Guest,
}

/// One inode.
#[derive(Debug)]
pub struct Inode {
    /// Its number.
    pub ino: Ino,
    /// Its contents.
    pub node: Node,
    /// Permission bits (`0o7777`).
    pub perm: u32,
    /// Number of directory entries linking it (for a directory: 2 + subdirectories).
    pub nlink: u32,
    /// 0 for the writable tree, else the index (from 1) of the read-only mount holding it.
    pub mount: u32,
    /// Where it came from.
    pub origin: Origin,
    /// Its contents changed after start-up (or it was moved).
    pub modified: bool,
    /// It is the running executable: opening it for writing gives ETXTBSY.
    pub exec_busy: bool,
    /// Open file descriptions, cwd and holds referring to it.
    pub refs: u32,
    /// Access, modification and change times once something set them (`utimensat`,
    /// `fchown`); until then all three are the run's epoch.
    pub times: Option<Box<[(i64, u32); 3]>>,
}

impl Inode {
    /// The file kind.
    pub fn kind(&self) -> FileKind {
        match &self.node {
            Node::File(_) | Node::Proc(_) => FileKind::Regular,
            Node::Dir(_) => FileKind::Directory,
            Node::Symlink(_) => FileKind::Symlink,
            Node::Device(d) => d.kind(),
            Node::Pipe(_) => FileKind::Fifo,
            Node::EventFd(_) | Node::Epoll(_) => FileKind::Anon,
            Node::Socket(_) | Node::SocketName => FileKind::Socket,
        }
    }

    /// True for a directory.
    pub fn is_dir(&self) -> bool {
        matches!(self.node, Node::Dir(_))
    }

    /// The directory, if it is one.
    pub fn dir(&self) -> Option<&Dir> {
        match &self.node {
            Node::Dir(d) => Some(d),
            _ => None,
        }
    }

    /// The directory, mutably, if it is one.
    pub fn dir_mut(&mut self) -> Option<&mut Dir> {
        match &mut self.node {
            Node::Dir(d) => Some(d),
            _ => None,
        }
    }

    /// On a read-only mount.
    pub fn read_only(&self) -> bool {
        self.mount != 0
    }

    /// Checks `want` (`R_OK|W_OK|X_OK` bits) against the owner permission bits: the guest
    /// owns every file, so the owner bits are the ones that apply. EACCES when one is missing.
    pub fn check_access(&self, want: u32) -> Result<(), Errno> {
        let owner = (self.perm >> 6) & 7;
        if owner & want == want {
            Ok(())
        } else {
            Err(Errno::EACCES)
        }
    }

    /// Like [`check_access`](Self::check_access), but a write to a file on a read-only mount
    /// is EROFS (regular files, directories and symlinks; devices stay writable).
    pub fn check_write_access(&self, want: u32) -> Result<(), Errno> {
        if want & W_OK != 0
            && self.read_only()
            && matches!(
                self.kind(),
                FileKind::Regular | FileKind::Directory | FileKind::Symlink
            )
        {
            return Err(Errno::EROFS);
        }
        self.check_access(want)
    }

    /// The size `stat` reports.
    pub fn size(&self) -> u64 {
        match &self.node {
            Node::File(f) => f.size(),
            // tmpfs: 20 bytes per entry, counting `.` and `..`.
            Node::Dir(d) => 40 + 20 * d.len() as u64,
            Node::Symlink(t) => t.len() as u64,
            Node::Device(_)
            | Node::Pipe(_)
            | Node::EventFd(_)
            | Node::Epoll(_)
            | Node::Proc(_)
            | Node::Socket(_)
            | Node::SocketName => 0,
        }
    }
}

/// The inode table.
#[derive(Debug, Default)]
pub struct Inodes {
    map: BTreeMap<Ino, Inode>,
    next: Ino,
}

impl Inodes {
    /// An empty table; the first inode gets number 1.
    pub fn new() -> Inodes {
        Inodes {
            map: BTreeMap::new(),
            next: 1,
        }
    }

    /// Adds an inode with nlink 0 and no references; returns its number. A directory holds
    /// a reference on its parent (as a dentry does), so that `..` of a removed directory
    /// still resolves.
    pub fn add(&mut self, node: Node, perm: u32, mount: u32, origin: Origin) -> Ino {
        let ino = self.next;
        self.next += 1;
        if let Node::Dir(d) = &node
            && d.parent != ino
        {
            self.hold(d.parent);
        }
        let inode = Inode {
            ino,
            node,
            perm: perm & 0o7777,
            nlink: 0,
            mount,
            origin,
            modified: false,
            exec_busy: false,
            refs: 0,
            times: None,
        };
        self.map.insert(ino, inode);
        ino
    }

    /// The inode `ino`. Panics if it was freed: callers only use numbers they hold.
    pub fn get(&self, ino: Ino) -> &Inode {
        self.map.get(&ino).expect("inode in use")
    }

    /// The inode `ino`, mutably.
    pub fn get_mut(&mut self, ino: Ino) -> &mut Inode {
        self.map.get_mut(&ino).expect("inode in use")
    }

    /// The inode, if it still exists.
    pub fn try_get(&self, ino: Ino) -> Option<&Inode> {
        self.map.get(&ino)
    }

    /// The inode `ino` mutably, if it exists.
    pub fn try_get_mut(&mut self, ino: Ino) -> Option<&mut Inode> {
        self.map.get_mut(&ino)
    }

    /// Adds a reference (an open file description, the cwd, a hold).
    pub fn hold(&mut self, ino: Ino) {
        self.get_mut(ino).refs += 1;
    }

    /// Drops a reference, freeing the inode when nothing links or refers to it.
    pub fn release(&mut self, ino: Ino) {
        let i = self.get_mut(ino);
        i.refs -= 1;
        self.free_if_unused(ino);
    }

    /// Frees the inode when it has no links and no references.
    pub fn free_if_unused(&mut self, ino: Ino) {
        let mut next = Some(ino);
        while let Some(ino) = next.take() {
            let i = self.get(ino);
            if i.nlink != 0 || i.refs != 0 {
                break;
            }
            if let Some(Node::Dir(d)) = self.map.remove(&ino).map(|i| i.node)
                && d.parent != ino
            {
                // Drop the directory's reference on its parent (iteratively: trees can be
                // deep).
                self.get_mut(d.parent).refs -= 1;
                next = Some(d.parent);
            }
        }
    }

    /// Moves directory `ino` under `new_parent`, moving its parent reference.
    pub fn reparent(&mut self, ino: Ino, new_parent: Ino) {
        self.hold(new_parent);
        let d = self.get_mut(ino).dir_mut().expect("directory");
        let old = std::mem::replace(&mut d.parent, new_parent);
        self.release(old);
    }

    /// Number of live inodes (tests).
    #[cfg(test)]
    pub fn live(&self) -> usize {
        self.map.len()
    }
}
