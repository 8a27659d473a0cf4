//! Inodes: the nodes of the in-memory tree, their metadata, and the table that owns them.
//!
//! Inode numbers are handed out in creation order and never reused, so they are a pure
//! function of what the run did. An inode lives while a directory entry links it or an open
//! file description, the cwd or a [`hold`](Inodes::hold) refers to it.

use super::dev::Device;
use super::dir::Dir;
use super::flags::*;
use super::pipe::Pipe;
use crate::syscalls::Errno;
use std::collections::BTreeMap;

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
        }
    }
}

/// The bytes of a regular file. `data` holds the first bytes; between `data.len()` and `size`
/// the file reads as zeros (what `ftruncate` to a larger size leaves), so growing a file
/// costs nothing until it is written.
#[derive(Clone, Debug, Default)]
pub struct FileData {
    data: Vec<u8>,
    size: u64,
}

impl FileData {
    /// A file holding `bytes`.
    pub fn new(bytes: Vec<u8>) -> FileData {
        FileData {
            size: bytes.len() as u64,
            data: bytes,
        }
    }

    /// The file size.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Up to `max` bytes from `offset` (fewer at the end of the file).
    pub fn read_at(&self, offset: u64, max: usize) -> Vec<u8> {
        if offset >= self.size {
            return Vec::new();
        }
        let n = (self.size - offset).min(max as u64) as usize;
        let mut out = vec![0; n];
        let stored = self.data.len() as u64;
        if offset < stored {
            let m = ((stored - offset) as usize).min(n);
            out[..m].copy_from_slice(&self.data[offset as usize..offset as usize + m]);
        }
        out
    }

    /// Writes `bytes` at `offset`, growing the file. ENOSPC past [`MAX_FILE_DATA`].
    pub fn write_at(&mut self, offset: u64, bytes: &[u8]) -> Result<(), Errno> {
        if bytes.is_empty() {
            return Ok(());
        }
        let end = offset.checked_add(bytes.len() as u64).ok_or(Errno::EFBIG)?;
        if end > MAX_FILE_SIZE {
            return Err(Errno::EFBIG);
        }
        if end > MAX_FILE_DATA {
            return Err(Errno::ENOSPC);
        }
        if self.data.len() < end as usize {
            self.data.resize(end as usize, 0);
        }
        self.data[offset as usize..end as usize].copy_from_slice(bytes);
        self.size = self.size.max(end);
        Ok(())
    }

    /// Sets the size: shrinking drops bytes, growing adds zeros.
    pub fn truncate(&mut self, len: u64) {
        if (len as usize) < self.data.len() {
            self.data.truncate(len as usize);
            self.data.shrink_to_fit();
        }
        self.size = len;
    }

    /// The whole contents (zero tail included).
    pub fn to_vec(&self) -> Vec<u8> {
        self.read_at(0, self.size as usize)
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
}

impl Inode {
    /// The file kind.
    pub fn kind(&self) -> FileKind {
        match &self.node {
            Node::File(_) => FileKind::Regular,
            Node::Dir(_) => FileKind::Directory,
            Node::Symlink(_) => FileKind::Symlink,
            Node::Device(d) => d.kind(),
            Node::Pipe(_) => FileKind::Fifo,
            Node::EventFd(_) | Node::Epoll(_) => FileKind::Anon,
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
            Node::Device(_) | Node::Pipe(_) | Node::EventFd(_) | Node::Epoll(_) => 0,
        }
    }
}

/// Metadata of a file, as `stat` and `statx` report it. Every timestamp is the run's epoch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stat {
    /// Device holding the file (major, minor).
    pub dev: (u32, u32),
    /// Inode number.
    pub ino: u64,
    /// File type and permission bits.
    pub mode: u32,
    /// Hard links.
    pub nlink: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// Device number of a device file (major, minor).
    pub rdev: (u32, u32),
    /// Size in bytes.
    pub size: u64,
    /// Preferred I/O size.
    pub blksize: u32,
    /// 512-byte blocks allocated.
    pub blocks: u64,
    /// Access, modification, status change and birth time: (seconds, nanoseconds).
    pub time: (i64, u32),
    /// Mount id (statx).
    pub mnt_id: u64,
    /// The root of a mount (statx `STATX_ATTR_MOUNT_ROOT`).
    pub mount_root: bool,
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
