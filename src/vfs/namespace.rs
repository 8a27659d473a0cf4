//! Operations on names: open (and create), mkdir, unlink/rmdir, rename, link, symlink,
//! readlink, access, chdir, getcwd, stat by path, truncate by path, chmod.
//!
//! Errors follow Linux, including the order in which it checks them (for example EEXIST
//! before EROFS when creating, EXDEV before EBUSY before EROFS when renaming). A read-only
//! mount gives EROFS for any change inside it, EXDEV for a rename or link across its
//! boundary, and EBUSY for removing or renaming the mount point itself.

use super::Stat;
use super::Vfs;
use super::dir::Dir;
use super::inode::{FileData, FileKind, Ino, Node, Origin};
use super::path::{Last, LastLink, Resolved};
use super::{Device, Stream};
use crate::abi::Errno;
use crate::abi::{fcntl::*, limits::*};

/// The status flags an open file description keeps.
const KEPT_OPEN_FLAGS: u32 = O_ACCMODE
    | O_APPEND
    | O_NONBLOCK
    | O_SYNC
    | O_ASYNC
    | O_DIRECT
    | O_DIRECTORY
    | O_NOFOLLOW
    | O_NOATIME;

impl Vfs {
    /// `openat(dirfd, path, flags, mode)`: returns the new fd (the lowest free one).
    pub fn open(&mut self, dirfd: i32, path: &[u8], flags: u32, mode: u32) -> Result<i32, Errno> {
        // O_PATH ignores every flag but these.
        let flags = if flags & O_PATH != 0 {
            flags & (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        } else {
            flags
        };
        if flags & O_TMPFILE_BIT != 0 {
            if flags & O_TMPFILE != O_TMPFILE
                || flags & O_CREAT != 0
                || flags & O_ACCMODE == O_RDONLY
            {
                return Err(Errno::EINVAL);
            }
        } else if flags & O_CREAT != 0 && flags & O_DIRECTORY != 0 {
            return Err(Errno::EINVAL);
        }
        let fd = self.fds.lowest_free(0)?;
        let cloexec = flags & O_CLOEXEC != 0;
        if flags & O_PATH != 0 {
            let link = if flags & O_NOFOLLOW != 0 {
                LastLink::NoFollow
            } else {
                LastLink::Follow
            };
            let ino = self.lookup_at(dirfd, path, link, false)?;
            if flags & O_DIRECTORY != 0 && !self.inodes.get(ino).is_dir() {
                return Err(Errno::ENOTDIR);
            }
            let file = self.new_file(
                ino,
                O_PATH | O_LARGEFILE | (flags & (O_DIRECTORY | O_NOFOLLOW)),
            );
            self.install_fd(fd, file, cloexec);
            return Ok(fd);
        }
        if flags & O_TMPFILE_BIT != 0 {
            let dir = self.lookup_at(dirfd, path, LastLink::Follow, false)?;
            let d = self.inodes.get(dir);
            if !d.is_dir() {
                return Err(Errno::ENOTDIR);
            }
            if d.nlink == 0 {
                return Err(Errno::ENOENT);
            }
            d.check_write_access(W_OK | X_OK)?;
            let perm = mode & 0o7777 & !self.umask;
            let ino = self
                .inodes
                .add(Node::File(FileData::default()), perm, 0, Origin::Guest);
            let file = self.new_file(ino, (flags & KEPT_OPEN_FLAGS & !O_DIRECTORY) | O_LARGEFILE);
            self.install_fd(fd, file, cloexec);
            return Ok(fd);
        }
        let creat = flags & O_CREAT != 0;
        let excl = creat && flags & O_EXCL != 0;
        let link = if excl {
            LastLink::Never
        } else if flags & O_NOFOLLOW != 0 {
            LastLink::NoFollow
        } else {
            LastLink::Follow
        };
        let r = self.resolve_at(dirfd, path, link)?;
        let mut created = false;
        let ino = if creat {
            if r.last == Last::Normal && r.trailing_slash {
                return Err(Errno::EISDIR);
            }
            match r.ino {
                Some(_) if excl => return Err(Errno::EEXIST),
                Some(ino) if self.inodes.get(ino).is_dir() => return Err(Errno::EISDIR),
                Some(ino) => ino,
                None => {
                    created = true;
                    let perm = mode & 0o7777 & !self.umask;
                    self.create(r.parent, &r.name, Node::File(FileData::default()), perm)?
                }
            }
        } else {
            let ino = r.ino.ok_or(Errno::ENOENT)?;
            if r.trailing_slash && !self.inodes.get(ino).is_dir() {
                return Err(Errno::ENOTDIR);
            }
            ino
        };
        let i = self.inodes.get(ino);
        let kind = i.kind();
        if kind == FileKind::Symlink {
            return Err(Errno::ELOOP);
        }
        if flags & O_DIRECTORY != 0 && kind != FileKind::Directory {
            return Err(Errno::ENOTDIR);
        }
        let acc = flags & O_ACCMODE;
        let trunc = flags & O_TRUNC != 0;
        let read = matches!(acc, O_RDONLY | O_RDWR | O_ACCMODE);
        let write = matches!(acc, O_WRONLY | O_RDWR | O_ACCMODE);
        if !created {
            if kind == FileKind::Directory && (write || trunc) {
                return Err(Errno::EISDIR);
            }
            let want = if read { R_OK } else { 0 } | if write || trunc { W_OK } else { 0 };
            i.check_write_access(want)?;
            if let Node::Device(Device::Host(s)) = i.node
                && ((s == Stream::Stdin && write) || (s != Stream::Stdin && read))
            {
                return Err(Errno::EACCES);
            }
            if i.exec_busy && (write || (trunc && kind == FileKind::Regular)) {
                return Err(Errno::ETXTBSY);
            }
            // A socket's name cannot be opened (no_open).
            if matches!(i.node, Node::SocketName) {
                return Err(Errno::ENXIO);
            }
        }
        if let Node::Pipe(pipe) = &self.inodes.get(ino).node {
            // fifo_open: O_ACCMODE is not an access mode for a FIFO; a non-blocking writer
            // needs a reader already.
            if acc == O_ACCMODE {
                return Err(Errno::EINVAL);
            }
            if acc == O_WRONLY && flags & O_NONBLOCK != 0 && pipe.readers == 0 {
                return Err(Errno::ENXIO);
            }
        }
        if trunc && !created {
            let i = self.inodes.get_mut(ino);
            if let Node::File(d) = &mut i.node {
                d.truncate(0)?;
                i.modified = true;
            }
        }
        let file = self.new_file(ino, (flags & KEPT_OPEN_FLAGS) | O_LARGEFILE);
        self.install_fd(fd, file, cloexec);
        Ok(fd)
    }

    /// Creates `node` as `name` in directory `parent` (already known not to exist). ENOENT
    /// when the directory was removed; EROFS on a read-only mount; EACCES without write and
    /// search permission.
    pub(crate) fn create(
        &mut self,
        parent: Ino,
        name: &[u8],
        node: Node,
        perm: u32,
    ) -> Result<Ino, Errno> {
        self.check_create(parent)?;
        let ino = self.inodes.add(node, perm, 0, Origin::Guest);
        self.link_entry(parent, name, ino);
        Ok(ino)
    }

    /// What creating a name in `parent` needs (`may_create`): ENOENT when the directory was
    /// removed, EROFS on a read-only mount, EACCES without write and search permission.
    pub(super) fn check_create(&self, parent: Ino) -> Result<(), Errno> {
        let p = self.inodes.get(parent);
        if p.nlink == 0 {
            return Err(Errno::ENOENT);
        }
        p.check_write_access(W_OK | X_OK)
    }

    /// Links `ino` as `name` in `parent` and counts the link (a directory also counts as a
    /// link of its parent, through its `..`).
    pub(crate) fn link_entry(&mut self, parent: Ino, name: &[u8], ino: Ino) {
        let is_dir = self.inodes.get(ino).is_dir();
        let p = self.inodes.get_mut(parent);
        let old = p
            .dir_mut()
            .expect("parent is a directory")
            .insert(name, ino);
        debug_assert!(old.is_none(), "link_entry over an existing name");
        if is_dir {
            p.nlink += 1;
            self.inodes.get_mut(ino).nlink = 2;
            if self.inodes.get(ino).dir().expect("directory").parent != parent {
                self.inodes.reparent(ino, parent);
            }
        } else {
            self.inodes.get_mut(ino).nlink += 1;
        }
    }

    /// Unlinks `name` from `parent`, freeing the inode if nothing else uses it.
    pub(crate) fn unlink_entry(&mut self, parent: Ino, name: &[u8]) {
        let p = self.inodes.get_mut(parent);
        let ino = p
            .dir_mut()
            .expect("parent is a directory")
            .remove(name)
            .expect("entry exists");
        if self.inodes.get(ino).is_dir() {
            self.inodes.get_mut(parent).nlink -= 1;
            self.inodes.get_mut(ino).nlink = 0;
        } else {
            self.inodes.get_mut(ino).nlink -= 1;
        }
        self.inodes.free_if_unused(ino);
    }

    /// True when `ino`, linked in `parent`, is the root of a mount (a read-only mount's root
    /// linked from the writable tree).
    fn is_mount_point(&self, parent: Ino, ino: Ino) -> bool {
        self.inodes.get(ino).mount != self.inodes.get(parent).mount
    }

    /// EROFS when names in directory `dir` cannot change (a read-only mount).
    fn check_dir_writable_mount(&self, dir: Ino) -> Result<(), Errno> {
        if self.inodes.get(dir).read_only() {
            Err(Errno::EROFS)
        } else {
            Ok(())
        }
    }

    /// `mkdirat(dirfd, path, mode)`.
    pub fn mkdir(&mut self, dirfd: i32, path: &[u8], mode: u32) -> Result<(), Errno> {
        let r = self.resolve_at(dirfd, path, LastLink::Never)?;
        if r.last != Last::Normal || r.ino.is_some() {
            return Err(Errno::EEXIST);
        }
        let perm = mode & 0o1777 & !self.umask;
        self.create(r.parent, &r.name, Node::Dir(Dir::new(r.parent)), perm)?;
        Ok(())
    }

    /// `unlinkat(dirfd, path, flags)`: removes a non-directory, or with `rmdir` (the
    /// `AT_REMOVEDIR` flag) an empty directory.
    pub fn unlink(&mut self, dirfd: i32, path: &[u8], rmdir: bool) -> Result<(), Errno> {
        let r = self.resolve_at(dirfd, path, LastLink::Never)?;
        if rmdir {
            match r.last {
                Last::DotDot => return Err(Errno::ENOTEMPTY),
                Last::Dot => return Err(Errno::EINVAL),
                Last::Root => return Err(Errno::EBUSY),
                Last::Normal => {}
            }
        } else if r.last != Last::Normal {
            return Err(Errno::EISDIR);
        }
        self.check_dir_writable_mount(r.parent)?;
        let ino = r.ino.ok_or(Errno::ENOENT)?;
        let is_dir = self.inodes.get(ino).is_dir();
        if !rmdir && r.trailing_slash {
            return Err(if is_dir {
                Errno::EISDIR
            } else {
                Errno::ENOTDIR
            });
        }
        self.inodes.get(r.parent).check_access(W_OK | X_OK)?;
        if rmdir && !is_dir {
            return Err(Errno::ENOTDIR);
        }
        if !rmdir && is_dir {
            return Err(Errno::EISDIR);
        }
        if self.is_mount_point(r.parent, ino) {
            return Err(Errno::EBUSY);
        }
        if rmdir && !self.inodes.get(ino).dir().expect("directory").is_empty() {
            return Err(Errno::ENOTEMPTY);
        }
        self.unlink_entry(r.parent, &r.name);
        Ok(())
    }

    /// True when directory `anc` is `ino` or one of its ancestors.
    fn is_ancestor(&self, anc: Ino, mut ino: Ino) -> bool {
        loop {
            if ino == anc {
                return true;
            }
            if ino == self.root {
                return false;
            }
            match self.inodes.get(ino).dir() {
                Some(d) => ino = d.parent,
                None => return false,
            }
        }
    }

    /// `renameat2(olddirfd, old, newdirfd, new, flags)` with flags 0, `RENAME_NOREPLACE` or
    /// `RENAME_EXCHANGE`; EINVAL for other flags (`RENAME_WHITEOUT` is an overlayfs feature
    /// the in-memory filesystem does not have).
    pub fn rename(
        &mut self,
        olddirfd: i32,
        old: &[u8],
        newdirfd: i32,
        new: &[u8],
        flags: u32,
    ) -> Result<(), Errno> {
        let exchange = flags & RENAME_EXCHANGE != 0;
        let noreplace = flags & RENAME_NOREPLACE != 0;
        if flags & !(RENAME_NOREPLACE | RENAME_EXCHANGE) != 0 || (exchange && noreplace) {
            return Err(Errno::EINVAL);
        }
        let ro = self.resolve_at(olddirfd, old, LastLink::Never)?;
        let rn = self.resolve_at(newdirfd, new, LastLink::Never)?;
        if self.inodes.get(ro.parent).mount != self.inodes.get(rn.parent).mount {
            return Err(Errno::EXDEV);
        }
        if ro.last != Last::Normal {
            return Err(Errno::EBUSY);
        }
        if rn.last != Last::Normal {
            return Err(if noreplace {
                Errno::EEXIST
            } else {
                Errno::EBUSY
            });
        }
        self.check_dir_writable_mount(ro.parent)?;
        let src = ro.ino.ok_or(Errno::ENOENT)?;
        if self.inodes.get(rn.parent).nlink == 0 {
            return Err(Errno::ENOENT);
        }
        if noreplace && rn.ino.is_some() {
            return Err(Errno::EEXIST);
        }
        if exchange && rn.ino.is_none() {
            return Err(Errno::ENOENT);
        }
        let src_dir = self.inodes.get(src).is_dir();
        let dst_dir = rn.ino.is_some_and(|i| self.inodes.get(i).is_dir());
        if !src_dir && (ro.trailing_slash || (!exchange && rn.trailing_slash)) {
            return Err(Errno::ENOTDIR);
        }
        if exchange && !dst_dir && rn.trailing_slash {
            return Err(Errno::ENOTDIR);
        }
        if src_dir && self.is_ancestor(src, rn.parent) {
            return Err(Errno::EINVAL);
        }
        if let Some(dst) = rn.ino
            && dst_dir
            && self.is_ancestor(dst, ro.parent)
        {
            return Err(if exchange {
                Errno::EINVAL
            } else {
                Errno::ENOTEMPTY
            });
        }
        if rn.ino == Some(src) {
            return Ok(());
        }
        self.inodes.get(ro.parent).check_access(W_OK | X_OK)?;
        self.inodes.get(rn.parent).check_access(W_OK | X_OK)?;
        if let Some(dst) = rn.ino
            && !exchange
        {
            if src_dir && !dst_dir {
                return Err(Errno::ENOTDIR);
            }
            if !src_dir && dst_dir {
                return Err(Errno::EISDIR);
            }
            if self.is_mount_point(rn.parent, dst) {
                return Err(Errno::EBUSY);
            }
        }
        if self.is_mount_point(ro.parent, src)
            || rn.ino.is_some_and(|d| self.is_mount_point(rn.parent, d))
        {
            return Err(Errno::EBUSY);
        }
        if let Some(dst) = rn.ino
            && !exchange
            && dst_dir
            && !self.inodes.get(dst).dir().expect("directory").is_empty()
        {
            return Err(Errno::ENOTEMPTY);
        }
        if exchange {
            let dst = rn.ino.expect("checked");
            self.move_entry(&ro, &rn, src);
            self.move_entry(&rn, &ro, dst);
            self.mark_moved(dst);
        } else {
            if rn.ino.is_some() {
                self.unlink_entry(rn.parent, &rn.name);
            }
            self.move_entry(&ro, &rn, src);
        }
        self.mark_moved(src);
        Ok(())
    }

    /// Moves the link of `ino` from `from` to `to` (replacing what `to` named), keeping its
    /// link count; a directory changes parents.
    fn move_entry(&mut self, from: &Resolved, to: &Resolved, ino: Ino) {
        let fp = self
            .inodes
            .get_mut(from.parent)
            .dir_mut()
            .expect("directory");
        if fp.get(&from.name) == Some(ino) {
            fp.remove(&from.name);
        }
        self.inodes
            .get_mut(to.parent)
            .dir_mut()
            .expect("directory")
            .insert(&to.name, ino);
        if self.inodes.get(ino).is_dir() && from.parent != to.parent {
            self.inodes.get_mut(from.parent).nlink -= 1;
            self.inodes.get_mut(to.parent).nlink += 1;
            self.inodes.reparent(ino, to.parent);
        }
    }

    /// A regular file moved by a rename counts as changed, so `write_out` writes it at its
    /// new name.
    fn mark_moved(&mut self, ino: Ino) {
        let i = self.inodes.get_mut(ino);
        if matches!(i.node, Node::File(_)) {
            i.modified = true;
        }
    }

    /// `linkat(olddirfd, old, newdirfd, new, flags)`: `follow` is `AT_SYMLINK_FOLLOW`,
    /// `empty_path` is `AT_EMPTY_PATH`.
    pub fn link(
        &mut self,
        olddirfd: i32,
        old: &[u8],
        newdirfd: i32,
        new: &[u8],
        follow: bool,
        empty_path: bool,
    ) -> Result<(), Errno> {
        let link = LastLink::follow_if(follow);
        let src = self.lookup_at(olddirfd, old, link, empty_path)?;
        let rn = self.resolve_at(newdirfd, new, LastLink::Never)?;
        if rn.last != Last::Normal || rn.ino.is_some() {
            return Err(Errno::EEXIST);
        }
        if rn.trailing_slash {
            return Err(Errno::ENOENT);
        }
        let s = self.inodes.get(src);
        if s.mount != self.inodes.get(rn.parent).mount {
            return Err(Errno::EXDEV);
        }
        self.check_dir_writable_mount(rn.parent)?;
        self.inodes.get(rn.parent).check_access(W_OK | X_OK)?;
        if s.is_dir() {
            return Err(Errno::EPERM);
        }
        if matches!(s.node, Node::Pipe(_)) {
            return Err(Errno::ENOENT);
        }
        if s.nlink == 0 || self.inodes.get(rn.parent).nlink == 0 {
            return Err(Errno::ENOENT);
        }
        self.link_entry(rn.parent, &rn.name, src);
        Ok(())
    }

    /// `symlinkat(target, newdirfd, path)`.
    pub fn symlink(&mut self, target: &[u8], newdirfd: i32, path: &[u8]) -> Result<(), Errno> {
        if target.is_empty() {
            return Err(Errno::ENOENT);
        }
        let r = self.resolve_at(newdirfd, path, LastLink::Never)?;
        if r.last != Last::Normal || r.ino.is_some() {
            return Err(Errno::EEXIST);
        }
        if r.trailing_slash {
            return Err(Errno::ENOENT);
        }
        self.create(r.parent, &r.name, Node::Symlink(target.to_vec()), 0o777)?;
        Ok(())
    }

    /// `readlinkat(dirfd, path)`: the target of a symlink. EINVAL when `path` is not a
    /// symlink; an empty path names `dirfd` itself, and then a non-symlink is ENOENT.
    pub fn readlink(&self, dirfd: i32, path: &[u8]) -> Result<Vec<u8>, Errno> {
        let empty = path.is_empty();
        let ino = self.lookup_at(dirfd, path, LastLink::NoFollow, true)?;
        match &self.inodes.get(ino).node {
            Node::Symlink(t) => Ok(t.clone()),
            _ if empty => Err(Errno::ENOENT),
            _ => Err(Errno::EINVAL),
        }
    }

    /// `faccessat2(dirfd, path, mode, flags)`: `mode` is `F_OK` (0) or `R_OK|W_OK|X_OK`
    /// bits; `follow` is the absence of `AT_SYMLINK_NOFOLLOW`, `empty_path` is
    /// `AT_EMPTY_PATH`. EROFS for `W_OK` on a read-only mount.
    pub fn access(
        &self,
        dirfd: i32,
        path: &[u8],
        mode: u32,
        follow: bool,
        empty_path: bool,
    ) -> Result<(), Errno> {
        let link = LastLink::follow_if(follow);
        let ino = self.lookup_at(dirfd, path, link, empty_path)?;
        if mode == 0 {
            return Ok(());
        }
        self.inodes.get(ino).check_write_access(mode & 7)
    }

    /// `newfstatat`/`statx` by path: `follow` is the absence of `AT_SYMLINK_NOFOLLOW`,
    /// `empty_path` is `AT_EMPTY_PATH`.
    pub fn stat_at(
        &self,
        dirfd: i32,
        path: &[u8],
        follow: bool,
        empty_path: bool,
    ) -> Result<Stat, Errno> {
        let link = LastLink::follow_if(follow);
        Ok(self.stat_inode(self.lookup_at(dirfd, path, link, empty_path)?))
    }

    /// `getcwd()`: the absolute path of the cwd; ENOENT when it was removed.
    pub fn getcwd(&self) -> Result<Vec<u8>, Errno> {
        self.dir_path(self.cwd)
    }

    /// Makes `ino` the cwd after checking it is a searchable directory.
    fn set_cwd(&mut self, ino: Ino) -> Result<(), Errno> {
        let i = self.inodes.get(ino);
        if !i.is_dir() {
            return Err(Errno::ENOTDIR);
        }
        i.check_access(X_OK)?;
        self.inodes.hold(ino);
        let old = std::mem::replace(&mut self.cwd, ino);
        self.inodes.release(old);
        Ok(())
    }

    /// `chdir(path)`.
    pub fn chdir(&mut self, path: &[u8]) -> Result<(), Errno> {
        let ino = self.lookup_at(AT_FDCWD, path, LastLink::Follow, false)?;
        self.set_cwd(ino)
    }

    /// `fchdir(fd)` (also with an `O_PATH` fd).
    pub fn fchdir(&mut self, fd: i32) -> Result<(), Errno> {
        let ino = self.file(fd)?.ino;
        self.set_cwd(ino)
    }

    /// `truncate(path, len)`: EISDIR for a directory, EINVAL for another non-regular file,
    /// EROFS/EACCES without write permission, ETXTBSY for the running executable.
    pub fn truncate(&mut self, path: &[u8], len: u64) -> Result<(), Errno> {
        let ino = self.lookup_at(AT_FDCWD, path, LastLink::Follow, false)?;
        let i = self.inodes.get(ino);
        match i.kind() {
            FileKind::Directory => return Err(Errno::EISDIR),
            FileKind::Regular => {}
            _ => return Err(Errno::EINVAL),
        }
        i.check_write_access(W_OK)?;
        if i.exec_busy {
            return Err(Errno::ETXTBSY);
        }
        self.set_size(ino, len)
    }

    /// Sets the size of regular file `ino`; EFBIG beyond the largest file size.
    pub(crate) fn set_size(&mut self, ino: Ino, len: u64) -> Result<(), Errno> {
        if len > MAX_FILE_SIZE {
            return Err(Errno::EFBIG);
        }
        let i = self.inodes.get_mut(ino);
        if let Node::File(d) = &mut i.node {
            d.truncate(len)?;
            i.modified = true;
        }
        Ok(())
    }

    /// `fchmodat(dirfd, path, mode)` (follows symlinks).
    pub fn chmod(&mut self, dirfd: i32, path: &[u8], mode: u32) -> Result<(), Errno> {
        let ino = self.lookup_at(dirfd, path, LastLink::Follow, false)?;
        self.set_perm(ino, mode)
    }

    /// `fchmod(fd, mode)`: EBADF for an `O_PATH` fd.
    pub fn fchmod(&mut self, fd: i32, mode: u32) -> Result<(), Errno> {
        let ino = self.io_file(fd)?.ino;
        self.set_perm(ino, mode)
    }

    pub(super) fn set_perm(&mut self, ino: Ino, mode: u32) -> Result<(), Errno> {
        let i = self.inodes.get_mut(ino);
        if i.read_only()
            && matches!(
                i.kind(),
                FileKind::Regular | FileKind::Directory | FileKind::Symlink
            )
        {
            return Err(Errno::EROFS);
        }
        // shmem: an exec-sealed memfd keeps its execute bits.
        if let Node::File(d) = &i.node
            && d.seals() & F_SEAL_EXEC != 0
            && (i.perm ^ mode) & 0o111 != 0
        {
            return Err(Errno::EPERM);
        }
        i.perm = mode & 0o7777;
        Ok(())
    }
}
