//! Inode metadata changes: timestamps (`utimensat`), ownership (`fchownat`), mode with
//! flags (`fchmodat2`), and making nodes (`mknodat`).
//!
//! Checks and their order follow Linux (fs/utimes.c, fs/open.c, fs/namei.c, fs/attr.c).
//! The guest is uid/gid 1000 without capabilities and owns every file it can reach: it may
//! set any timestamp, keep its own ids, and make FIFOs and regular files but no devices.

use super::Vfs;
use super::inode::{FileData, FileKind, Ino, Node};
use super::path::{Last, LastLink};
use super::pipe::Pipe;
use crate::abi::Errno;
use crate::abi::stat::*;

/// `UTIME_NOW`: set the timestamp to the current time.
pub const UTIME_NOW: i64 = (1 << 30) - 1;
/// `UTIME_OMIT`: leave the timestamp alone.
pub const UTIME_OMIT: i64 = (1 << 30) - 2;
/// `AT_SYMLINK_NOFOLLOW`.
pub const AT_SYMLINK_NOFOLLOW: u32 = 0x100;
/// `AT_EMPTY_PATH`.
pub const AT_EMPTY_PATH: u32 = 0x1000;

/// A timestamp: seconds and nanoseconds.
pub type Timespec = (i64, u32);

/// What a `utimensat` time argument asks for, after `nsec_valid`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeSet {
    /// Set this time.
    At(Timespec),
    /// Set the current time.
    Now,
    /// Leave it alone.
    Omit,
}

impl TimeSet {
    /// Decodes one `struct timespec` of `utimensat`: EINVAL for a nanosecond count outside
    /// 0..=999999999 other than UTIME_NOW and UTIME_OMIT.
    pub fn decode(sec: i64, nsec: i64) -> Result<TimeSet, Errno> {
        match nsec {
            UTIME_NOW => Ok(TimeSet::Now),
            UTIME_OMIT => Ok(TimeSet::Omit),
            0..=999_999_999 => Ok(TimeSet::At((sec, nsec as u32))),
            _ => Err(Errno::EINVAL),
        }
    }
}

/// The uid and gid every guest-visible file belongs to (the guest's own).
const OWNER: u32 = 1000;

impl Vfs {
    /// The inode `utimensat(dirfd, path, _, flags)` acts on: with a path, looked up as
    /// `do_utimes_path` does (flags AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH, else EINVAL);
    /// with none (`path` `None`), `dirfd` itself (`do_utimes_fd`: flags must be 0).
    pub fn utimes_target(&self, dirfd: i32, path: Option<&[u8]>, flags: u32) -> Result<Ino, Errno> {
        match path {
            None => {
                if flags != 0 {
                    return Err(Errno::EINVAL);
                }
                Ok(self.file(dirfd)?.ino)
            }
            Some(path) => {
                if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
                    return Err(Errno::EINVAL);
                }
                let link = if flags & AT_SYMLINK_NOFOLLOW != 0 {
                    LastLink::NoFollow
                } else {
                    LastLink::Follow
                };
                self.lookup_at(dirfd, path, link, flags & AT_EMPTY_PATH != 0)
            }
        }
    }

    /// Sets the access and modification times of `ino` (`vfs_utimes`): `None` is "both
    /// now" (`times` NULL). EROFS on a read-only mount. The change time becomes `now`.
    pub fn set_times(
        &mut self,
        ino: Ino,
        times: Option<[TimeSet; 2]>,
        now: Timespec,
    ) -> Result<(), Errno> {
        let i = self.inodes.get(ino);
        if i.read_only() && !matches!(i.node, Node::Device(_) | Node::Pipe(_)) {
            return Err(Errno::EROFS);
        }
        let [a, m] = times.unwrap_or([TimeSet::Now, TimeSet::Now]);
        let epoch = (self.epoch, 0);
        let i = self.inodes.get_mut(ino);
        let t = i.times.get_or_insert_with(|| Box::new([epoch; 3]));
        for (slot, set) in [(0, a), (1, m)] {
            match set {
                TimeSet::At(ts) => t[slot] = ts,
                TimeSet::Now => t[slot] = now,
                TimeSet::Omit => {}
            }
        }
        t[2] = now;
        Ok(())
    }

    /// The inode `fchownat(dirfd, path, _, _, flags)` or `fchmodat2` acts on (flags
    /// AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH, else EINVAL).
    pub fn attr_target(&self, dirfd: i32, path: &[u8], flags: u32) -> Result<Ino, Errno> {
        if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
            return Err(Errno::EINVAL);
        }
        let link = if flags & AT_SYMLINK_NOFOLLOW != 0 {
            LastLink::NoFollow
        } else {
            LastLink::Follow
        };
        self.lookup_at(dirfd, path, link, flags & AT_EMPTY_PATH != 0)
    }

    /// The inode an fd names for `fchown`/`fchmod` (EBADF for an `O_PATH` fd).
    pub fn io_inode(&self, fd: i32) -> Result<Ino, Errno> {
        Ok(self.io_file(fd)?.ino)
    }

    /// `chown_common` for the guest (uid/gid 1000, no CAP_CHOWN): `u32::MAX` keeps an id;
    /// changing the owner to anyone else, or the group to one the caller is not in, is
    /// EPERM; EROFS on a read-only mount. A non-directory loses its set-user-ID bit and its
    /// set-group-ID bit when group execution is set (`ATTR_KILL_SUID`,
    /// `setattr_should_drop_sgid`).
    pub fn chown(&mut self, ino: Ino, uid: u32, gid: u32, now: Timespec) -> Result<(), Errno> {
        let i = self.inodes.get(ino);
        if i.read_only() && !matches!(i.node, Node::Device(_) | Node::Pipe(_)) {
            return Err(Errno::EROFS);
        }
        let owner = self.stat_inode(ino).uid;
        if (uid != u32::MAX && (uid != OWNER || owner != OWNER))
            || (gid != u32::MAX && (gid != OWNER || owner != OWNER))
        {
            return Err(Errno::EPERM);
        }
        let i = self.inodes.get_mut(ino);
        if i.kind() != FileKind::Directory {
            if i.perm & S_ISUID != 0 {
                i.perm &= !S_ISUID;
            }
            if i.perm & S_ISGID != 0 && i.perm & 0o010 != 0 {
                i.perm &= !S_ISGID;
            }
        }
        let epoch = (self.epoch, 0);
        i.times.get_or_insert_with(|| Box::new([epoch; 3]))[2] = now;
        Ok(())
    }

    /// `fchmodat2`'s mode change: EOPNOTSUPP on a symlink (`notify_change` refuses to
    /// change a symlink's mode), else as `fchmodat`.
    pub fn chmod_inode(&mut self, ino: Ino, mode: u32) -> Result<(), Errno> {
        if self.inodes.get(ino).kind() == FileKind::Symlink {
            return Err(Errno::EOPNOTSUPP);
        }
        self.set_perm(ino, mode)
    }

    /// `mknodat(dirfd, path, mode, dev)` (`do_mknodat`): the type is checked first
    /// (directories EPERM, unknown types EINVAL), then the name (EEXIST, ENOENT, EROFS,
    /// EACCES as for any creation), then the privilege: character and block devices need
    /// CAP_MKNOD (EPERM). FIFOs and regular files are made with `mode & !umask`.
    /// Socket nodes and whiteouts are not provided ([`MknodError::Unsupported`]).
    pub fn mknod(
        &mut self,
        dirfd: i32,
        path: &[u8],
        mode: u32,
        dev: u64,
    ) -> Result<(), MknodError> {
        let kind = mode & S_IFMT;
        match kind {
            0 | S_IFREG | S_IFCHR | S_IFBLK | S_IFIFO | S_IFSOCK => {}
            S_IFDIR => return Err(Errno::EPERM.into()),
            _ => return Err(Errno::EINVAL.into()),
        }
        let r = self.resolve_at(dirfd, path, LastLink::Never)?;
        if r.last != Last::Normal || r.ino.is_some() {
            return Err(Errno::EEXIST.into());
        }
        if r.trailing_slash {
            return Err(Errno::ENOENT.into());
        }
        let perm = mode & 0o7777 & !self.umask;
        let node = match kind {
            S_IFCHR if dev == 0 => return Err(MknodError::Unsupported("whiteout devices")),
            S_IFCHR | S_IFBLK => {
                // filename_create succeeded; vfs_mknod checks the capability after
                // may_create (write access to the directory, EROFS).
                self.check_create(r.parent)?;
                return Err(Errno::EPERM.into());
            }
            S_IFSOCK => return Err(MknodError::Unsupported("socket nodes")),
            S_IFIFO => Node::Pipe(Pipe::new()),
            _ => Node::File(FileData::default()),
        };
        self.create(r.parent, &r.name, node, perm)?;
        Ok(())
    }
}

/// Why `mknodat` made nothing.
#[derive(Debug, PartialEq, Eq)]
pub enum MknodError {
    /// Linux's answer.
    Errno(Errno),
    /// A node kind rvrun does not make (the caller stops the run).
    Unsupported(&'static str),
}

impl From<Errno> for MknodError {
    fn from(e: Errno) -> MknodError {
        MknodError::Errno(e)
    }
}
