//! Path resolution, as Linux's `namei` does it: absolute paths start at `/`, relative ones at
//! the cwd or a directory fd; `.` and `..` (the root is its own parent); symlinks are
//! followed in the middle of a path and, when asked, in the last component (at most
//! [`MAX_SYMLINKS`] per lookup, else ELOOP); every directory passed through needs search
//! permission (EACCES); a component longer than [`NAME_MAX`] is ENAMETOOLONG.

use super::Vfs;
use super::inode::{Ino, Node};
use crate::abi::Errno;
use crate::abi::{fcntl::*, limits::*};

/// How a symlink in the last component is treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LastLink {
    /// Followed.
    Follow,
    /// Not followed, unless the path ends with `/` (`O_NOFOLLOW`, `AT_SYMLINK_NOFOLLOW`).
    NoFollow,
    /// Never followed: operations on the name itself (mkdir, unlink, rename, symlink...).
    Never,
}

impl LastLink {
    /// `Follow` or `NoFollow`, as a syscall's AT_SYMLINK_NOFOLLOW flag says.
    pub fn follow_if(follow: bool) -> LastLink {
        if follow {
            LastLink::Follow
        } else {
            LastLink::NoFollow
        }
    }
}

/// The kind of the last component.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Last {
    /// An ordinary name.
    Normal,
    /// `.`
    Dot,
    /// `..`
    DotDot,
    /// The path was `/` (or only slashes).
    Root,
}

/// A path resolved up to its last component.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The directory holding the last component.
    pub parent: Ino,
    /// The last component.
    pub name: Vec<u8>,
    /// Its kind.
    pub last: Last,
    /// The inode it names, if it exists.
    pub ino: Option<Ino>,
    /// The path ended with `/`.
    pub trailing_slash: bool,
}

impl Vfs {
    /// Where a lookup of `path` relative to `dirfd` starts: `/` for an absolute path, the
    /// cwd for [`AT_FDCWD`], else the directory `dirfd` refers to (EBADF when it is not open,
    /// ENOTDIR when it is not a directory and `path` is not empty).
    pub(crate) fn start_dir(&self, dirfd: i32, path: &[u8]) -> Result<Ino, Errno> {
        if path.first() == Some(&b'/') {
            return Ok(self.root);
        }
        if dirfd == AT_FDCWD {
            return Ok(self.cwd);
        }
        let ino = self.file(dirfd)?.ino;
        if !path.is_empty() && !self.inodes.get(ino).is_dir() {
            return Err(Errno::ENOTDIR);
        }
        Ok(ino)
    }

    /// Resolves `path` relative to `dirfd` up to its last component. ENOENT for an empty
    /// path; ENAMETOOLONG for a path of [`PATH_MAX`] bytes or more.
    pub(crate) fn resolve_at(
        &self,
        dirfd: i32,
        path: &[u8],
        link: LastLink,
    ) -> Result<Resolved, Errno> {
        if path.is_empty() {
            return Err(Errno::ENOENT);
        }
        if path.len() >= PATH_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        let start = self.start_dir(dirfd, path)?;
        let mut links = 0;
        self.walk(start, path, link, &mut links)
    }

    /// Resolves `path` to an existing inode: ENOENT when it does not exist, ENOTDIR when the
    /// path ends with `/` and names a non-directory. With `empty_path` (`AT_EMPTY_PATH`) an
    /// empty path names `dirfd` itself (the cwd for `AT_FDCWD`).
    pub(crate) fn lookup_at(
        &self,
        dirfd: i32,
        path: &[u8],
        link: LastLink,
        empty_path: bool,
    ) -> Result<Ino, Errno> {
        if path.is_empty() && empty_path {
            return self.start_dir(dirfd, path);
        }
        let r = self.resolve_at(dirfd, path, link)?;
        let ino = r.ino.ok_or(Errno::ENOENT)?;
        if r.trailing_slash && !self.inodes.get(ino).is_dir() {
            return Err(Errno::ENOTDIR);
        }
        Ok(ino)
    }

    /// Walks `path` from `start` (or `/` when absolute). `links` counts the symlinks followed
    /// so far in this lookup.
    fn walk(
        &self,
        start: Ino,
        path: &[u8],
        link: LastLink,
        links: &mut u32,
    ) -> Result<Resolved, Errno> {
        let mut cur = if path.first() == Some(&b'/') {
            self.root
        } else {
            start
        };
        let trailing = path.last() == Some(&b'/');
        let comps: Vec<&[u8]> = path
            .split(|&b| b == b'/')
            .filter(|c| !c.is_empty())
            .collect();
        if comps.is_empty() {
            return Ok(Resolved {
                parent: cur,
                name: b"/".to_vec(),
                last: Last::Root,
                ino: Some(cur),
                trailing_slash: trailing,
            });
        }
        for (i, comp) in comps.iter().enumerate() {
            let dir_inode = self.inodes.get(cur);
            let dir = dir_inode.dir().ok_or(Errno::ENOTDIR)?;
            dir_inode.check_access(X_OK)?;
            if comp.len() > NAME_MAX {
                return Err(Errno::ENAMETOOLONG);
            }
            let (next, last) = match *comp {
                b"." => (Some(cur), Last::Dot),
                b".." => (Some(dir.parent), Last::DotDot),
                name => (dir.get(name), Last::Normal),
            };
            if i + 1 == comps.len() {
                let follow = match link {
                    LastLink::Follow => true,
                    LastLink::NoFollow => trailing,
                    LastLink::Never => false,
                };
                if let Some(ino) = next
                    && follow
                    && let Node::Symlink(target) = &self.inodes.get(ino).node
                {
                    let mut r = self.follow_link(cur, target, links)?;
                    r.trailing_slash |= trailing;
                    return Ok(r);
                }
                return Ok(Resolved {
                    parent: cur,
                    name: comp.to_vec(),
                    last,
                    ino: next,
                    trailing_slash: trailing,
                });
            }
            let ino = next.ok_or(Errno::ENOENT)?;
            cur = match &self.inodes.get(ino).node {
                Node::Symlink(target) => self
                    .follow_link(cur, target, links)?
                    .ino
                    .ok_or(Errno::ENOENT)?,
                _ => ino,
            };
        }
        unreachable!("the loop returns at the last component")
    }

    /// Resolves a symlink's `target` from the directory holding the link.
    fn follow_link(&self, dir: Ino, target: &[u8], links: &mut u32) -> Result<Resolved, Errno> {
        *links += 1;
        if *links > MAX_SYMLINKS {
            return Err(Errno::ELOOP);
        }
        if target.is_empty() {
            return Err(Errno::ENOENT);
        }
        self.walk(dir, target, LastLink::Follow, links)
    }

    /// The absolute path of directory `ino`, built from its parents' entries; ENOENT when it
    /// (or a parent) was removed.
    pub(crate) fn dir_path(&self, mut ino: Ino) -> Result<Vec<u8>, Errno> {
        let mut parts: Vec<&[u8]> = Vec::new();
        while ino != self.root {
            let i = self.inodes.get(ino);
            if i.nlink == 0 {
                return Err(Errno::ENOENT);
            }
            let parent = i.dir().ok_or(Errno::ENOTDIR)?.parent;
            let name = self
                .inodes
                .get(parent)
                .dir()
                .and_then(|d| d.name_of(ino))
                .ok_or(Errno::ENOENT)?;
            parts.push(name);
            ino = parent;
        }
        if parts.is_empty() {
            return Ok(b"/".to_vec());
        }
        let mut out = Vec::new();
        for p in parts.iter().rev() {
            out.push(b'/');
            out.extend_from_slice(p);
        }
        Ok(out)
    }
}
