//! `statfs`/`fstatfs`: which file system an inode is on and what it reports.
//!
//! The guest's tree presents the file systems `/proc/self/mountinfo` lists: the root file
//! system (tmpfs-like, holding `/dev` and `/tmp`), procfs at `/proc`, sysfs at `/sys`
//! (read-only) and cgroup2 at `/sys/fs/cgroup` (read-only); each read-only `--mount` is a
//! read-only mount of the root file system's kind. Pipes, sockets and eventfd/epoll
//! instances are on Linux's internal pipefs, sockfs and anon_inodefs, memfds on its
//! internal shm mount. Nothing comes from the host:
//!
//! - The root file system and read-only mounts report `TMPFS_MAGIC`, and a size of the
//!   guest's memory budget (`--max-memory`, as tmpfs is sized from memory), with the bytes
//!   the guest has not committed (mappings and file contents) free; as many inodes as
//!   blocks, less the inodes in use. Memfds' unsized internal mount reports no counts.
//! - procfs, sysfs, cgroup2, pipefs, sockfs and anon_inodefs answer as Linux's
//!   `simple_statfs`: only the magic, a 4096-byte block size, the 255-byte name limit and
//!   the fsid.
//! - `f_fsid` is derived from the device number `stat` reports for the inode, as
//!   `simple_statfs` derives it from the super block's.
//! - `f_flags` is `ST_VALID` with the flags of the mount (`calculate_f_flags`): `relatime`
//!   for every mount the guest sees, `nosuid,nodev,noexec` on `/proc`, `/sys` and
//!   `/sys/fs/cgroup`, `ST_RDONLY` on read-only ones; internal mounts have none.

use super::Vfs;
use super::dev::Device;
use super::inode::{Ino, Node, Origin, TreeFs};
use super::path::LastLink;
use crate::abi::Errno;
use crate::abi::fcntl::AT_FDCWD;
use crate::abi::limits::NAME_MAX;
use crate::abi::statfs::*;

/// The page size: every file system's block size.
const BLOCK: u64 = 4096;

/// `f_fsid` of the file system with device number `dev`, as `simple_statfs` derives it
/// (`u64_to_fsid(huge_encode_dev(s_dev))`).
fn fsid((major, minor): (u32, u32)) -> [u32; 2] {
    let v = (minor as u64 & 0xff) | ((major as u64) << 8) | ((minor as u64 & !0xff) << 12);
    [v as u32, (v >> 32) as u32]
}

/// The `simple_statfs` answer of a pseudo file system with magic `fs_type` on device `dev`.
fn simple(fs_type: u64, dev: (u32, u32), flags: u64) -> StatFs {
    StatFs {
        fs_type,
        bsize: BLOCK,
        fsid: fsid(dev),
        namelen: NAME_MAX as u64,
        frsize: BLOCK,
        flags: ST_VALID | flags,
        ..StatFs::default()
    }
}

impl Vfs {
    /// `statfs(path)`: the file system holding what `path` names (symlinks followed).
    pub fn statfs_at(&self, path: &[u8]) -> Result<StatFs, Errno> {
        let ino = self.lookup_at(AT_FDCWD, path, LastLink::Follow, false)?;
        Ok(self.statfs_inode(ino))
    }

    /// `fstatfs(fd)` (also on `O_PATH` fds): the file system holding the file `fd` refers to.
    pub fn fstatfs(&self, fd: i32) -> Result<StatFs, Errno> {
        Ok(self.statfs_inode(self.file(fd)?.ino))
    }

    /// What `statfs` reports for the file system holding inode `ino` (see the module).
    pub fn statfs_inode(&self, ino: Ino) -> StatFs {
        const PSEUDO: u64 = ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_RELATIME;
        let i = self.inodes.get(ino);
        let dev = self.stat_inode(ino).dev;
        match &i.node {
            Node::Pipe(_) if i.origin != Origin::Guest => return simple(PIPEFS_MAGIC, dev, 0),
            Node::Device(Device::Host(_)) => return simple(PIPEFS_MAGIC, dev, 0),
            Node::Socket(_) => return simple(SOCKFS_MAGIC, dev, 0),
            Node::EventFd(_) | Node::Epoll(_) => return simple(ANON_INODE_FS_MAGIC, dev, 0),
            // The internal shm mount has no size limit (`SB_KERNMOUNT`): no counts.
            Node::File(f) if f.memfd.is_some() => return simple(TMPFS_MAGIC, dev, 0),
            _ => {}
        }
        match i.fs {
            TreeFs::Proc => simple(PROC_SUPER_MAGIC, dev, PSEUDO),
            TreeFs::Sys => simple(SYSFS_MAGIC, dev, PSEUDO | ST_RDONLY),
            TreeFs::Cgroup => simple(CGROUP2_SUPER_MAGIC, dev, PSEUDO | ST_RDONLY),
            TreeFs::Root if i.mount != 0 => self.tmpfs(dev, ST_RELATIME | ST_RDONLY),
            TreeFs::Root => self.tmpfs(dev, ST_RELATIME),
        }
    }

    /// The root file system's answer (also read-only mounts'), with mount flags `flags`.
    fn tmpfs(&self, dev: (u32, u32), flags: u64) -> StatFs {
        let blocks = self.commit.cap() / BLOCK;
        let free = self.commit.cap().saturating_sub(self.commit.used()) / BLOCK;
        StatFs {
            fs_type: TMPFS_MAGIC,
            bsize: BLOCK,
            blocks,
            bfree: free,
            bavail: free,
            files: blocks,
            ffree: blocks.saturating_sub(self.inodes.live() as u64),
            fsid: fsid(dev),
            namelen: NAME_MAX as u64,
            frsize: BLOCK,
            flags: ST_VALID | flags,
        }
    }
}
