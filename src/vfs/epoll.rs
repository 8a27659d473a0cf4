//! epoll instances and eventfd creation: the anonymous-inode files of event polling.
//!
//! An epoll instance keeps an interest list keyed by fd number (so that what it reports is
//! ordered by fd, deterministically). Each entry remembers the open file description it was
//! added for: once that fd is closed or names another description, the entry is dropped, as
//! Linux drops it when the description is released. Readiness comes from
//! [`Vfs::readiness`]: level-triggered entries report while ready; `EPOLLET` entries report
//! when a requested event appears or the file saw new activity (data moved) since the last
//! report; `EPOLLONESHOT` entries are disabled after one report until `EPOLL_CTL_MOD`.
//!
//! Epoll instances may watch epoll instances, but never in a cycle nor along a path of more
//! than `EP_MAX_NESTS` links: `EPOLL_CTL_ADD` refuses such a link with ELOOP, as Linux's
//! `ep_loop_check` does. For that check an entry links to the instance its description
//! refers to for as long as that description is open (as Linux keeps an entry until its
//! file is released), a superset of what readiness looks at, so the graph that readiness
//! walks is acyclic and shallow too; each walk also remembers the instances it has seen.

use super::epoll_graph::EpollGraph;
use super::eventfd::EventFd;
use super::fd::FileId;
use super::inode::{Node, Origin};
use super::{Readiness, Vfs};
use crate::abi::Errno;
use crate::abi::eventpoll::*;
use crate::abi::fcntl::*;
use std::collections::{BTreeMap, BTreeSet};

/// The events `EPOLLEXCLUSIVE` may be combined with.
const EXCLUSIVE_OK: u32 = EPOLLIN
    | EPOLLOUT
    | EPOLLERR
    | EPOLLHUP
    | EPOLLWAKEUP
    | EPOLLET
    | EPOLLEXCLUSIVE
    | EPOLLRDNORM
    | EPOLLWRNORM
    | 0x80
    | 0x200;

/// How deep readiness looks into nested instances: as deep as the nesting checks let them
/// nest (a guard only).
const MAX_NESTING: u32 = super::epoll_graph::EP_MAX_NESTS;

/// One entry of an interest list.
#[derive(Clone, Debug)]
pub struct Interest {
    /// Requested events and flags (always including `EPOLLERR | EPOLLHUP`).
    pub events: u32,
    /// The user data reported with the events.
    pub data: u64,
    /// The open file description the fd named when it was added.
    pub file: FileId,
    /// `EPOLLONESHOT` entry that has reported: silent until re-armed.
    pub disarmed: bool,
    /// Events reported last (edge-triggered entries).
    pub last_mask: u32,
    /// The file's activity counter at the last report (edge-triggered entries).
    pub last_activity: u64,
}

/// An epoll instance.
#[derive(Debug, Default)]
pub struct Epoll {
    /// The interest list by fd number.
    pub interests: BTreeMap<i32, Interest>,
}

impl Vfs {
    /// `eventfd2(init, flags)`: a new eventfd (read-write). `flags` may hold `EFD_CLOEXEC`,
    /// `EFD_NONBLOCK` and `EFD_SEMAPHORE`; EINVAL for anything else.
    pub fn eventfd(&mut self, init: u32, flags: u32) -> Result<i32, Errno> {
        if flags & !(O_CLOEXEC | O_NONBLOCK | EFD_SEMAPHORE) != 0 {
            return Err(Errno::EINVAL);
        }
        let node = Node::EventFd(EventFd::new(init as u64, flags & EFD_SEMAPHORE != 0));
        self.new_anon(node, O_RDWR | (flags & O_NONBLOCK), flags & O_CLOEXEC != 0)
    }

    /// `epoll_create1(flags)`: a new epoll instance; `flags` may hold `EPOLL_CLOEXEC`.
    pub fn epoll_create(&mut self, flags: u32) -> Result<i32, Errno> {
        if flags & !O_CLOEXEC != 0 {
            return Err(Errno::EINVAL);
        }
        self.new_anon(
            Node::Epoll(Epoll::default()),
            O_RDWR,
            flags & O_CLOEXEC != 0,
        )
    }

    /// Installs an anonymous-inode file at the lowest free fd.
    fn new_anon(&mut self, node: Node, flags: u32, cloexec: bool) -> Result<i32, Errno> {
        let fd = self.fds.lowest_free(0)?;
        self.note_change();
        let ino = self.inodes.add(node, 0o600, 0, Origin::Builtin);
        let file = self.new_file(ino, flags);
        self.install_fd(fd, file, cloexec);
        Ok(fd)
    }

    /// The epoll inode behind `epfd`: EBADF when closed, EINVAL when not an epoll fd.
    fn epoll_ino(&self, epfd: i32) -> Result<super::Ino, Errno> {
        let ino = self.io_file(epfd)?.ino;
        match self.inodes.get(ino).node {
            Node::Epoll(_) => Ok(ino),
            _ => Err(Errno::EINVAL),
        }
    }

    fn epoll_mut(&mut self, ino: super::Ino) -> &mut Epoll {
        match &mut self.inodes.get_mut(ino).node {
            Node::Epoll(e) => e,
            _ => unreachable!("checked epoll inode"),
        }
    }

    /// `epoll_ctl(epfd, op, fd, events, data)`, with Linux's checks in its order: EBADF for
    /// either fd, EPERM when `fd` cannot be polled (regular files, directories, `/dev/null`,
    /// `/dev/zero`, `/dev/full`), EINVAL for a bad `EPOLLEXCLUSIVE` use, `fd == epfd` or an
    /// `epfd` that is not an epoll instance, then EEXIST (add) or ENOENT (mod, del), and
    /// EINVAL for an unknown `op`.
    pub fn epoll_ctl(
        &mut self,
        epfd: i32,
        op: u32,
        fd: i32,
        events: u32,
        data: u64,
    ) -> Result<(), Errno> {
        self.io_file(epfd)?;
        let target = self.io_file(fd)?;
        let target_ino = target.ino;
        let pollable = match &self.inodes.get(target_ino).node {
            Node::File(_) | Node::Dir(_) | Node::Symlink(_) | Node::Proc(_) => false,
            Node::Device(d) => {
                use super::Device;
                matches!(d, Device::Random | Device::Urandom | Device::Host(_))
            }
            Node::Pipe(_) | Node::EventFd(_) | Node::Epoll(_) | Node::Socket(_) => true,
            Node::SocketName => false,
        };
        if !pollable {
            return Err(Errno::EPERM);
        }
        let has_event = op == EPOLL_CTL_ADD || op == EPOLL_CTL_MOD;
        if has_event
            && events & EPOLLEXCLUSIVE != 0
            && (op == EPOLL_CTL_MOD
                || events & !EXCLUSIVE_OK != 0
                || matches!(self.inodes.get(target_ino).node, Node::Epoll(_)))
        {
            return Err(Errno::EINVAL);
        }
        let ino = self.epoll_ino(epfd)?;
        if epfd == fd || ino == target_ino {
            return Err(Errno::EINVAL);
        }
        let file = self.fds.get(fd)?.file;
        // Linux's nesting checks, when an instance is to watch an instance or is watched
        // itself: the loop check before the entry is looked up (ELOOP before EEXIST), the
        // wakeup path limits when it is inserted (EINVAL).
        let target_is_epoll = matches!(self.inodes.get(target_ino).node, Node::Epoll(_));
        let mut path_check = None;
        if op == EPOLL_CTL_ADD && (target_is_epoll || !self.epoll_descriptions.is_empty()) {
            let graph = EpollGraph::new(self);
            let mut files = BTreeSet::new();
            if target_is_epoll {
                if !graph.link_allowed(ino, target_ino, &mut files) {
                    return Err(Errno::ELOOP);
                }
                path_check = Some(files);
            } else if graph.is_watched(ino) {
                files.insert(file);
                path_check = Some(files);
            }
        }
        let live = |e: &Epoll| e.interests.get(&fd).is_some_and(|i| i.file == file);
        let present = live(self.epoll_mut(ino));
        if let Some(files) = path_check
            && !present
            && !EpollGraph::new(self).paths_ok(ino, file, &files)
        {
            return Err(Errno::EINVAL);
        }
        let events = (events & !EPOLLWAKEUP) | EPOLLERR | EPOLLHUP;
        self.note_change();
        let ep = self.epoll_mut(ino);
        match op {
            EPOLL_CTL_ADD if present => Err(Errno::EEXIST),
            EPOLL_CTL_ADD => {
                self.epoll_watchers
                    .entry(file)
                    .or_default()
                    .insert((ino, fd));
                if target_is_epoll {
                    self.epoll_descriptions
                        .entry(target_ino)
                        .or_default()
                        .insert(file);
                }
                let ep = self.epoll_mut(ino);
                ep.interests.insert(
                    fd,
                    Interest {
                        events,
                        data,
                        file,
                        disarmed: false,
                        last_mask: 0,
                        last_activity: 0,
                    },
                );
                Ok(())
            }
            EPOLL_CTL_MOD | EPOLL_CTL_DEL if !present => Err(Errno::ENOENT),
            EPOLL_CTL_MOD => {
                let i = ep.interests.get_mut(&fd).expect("present");
                if i.events & EPOLLEXCLUSIVE != 0 {
                    return Err(Errno::EINVAL);
                }
                i.events = events;
                i.data = data;
                i.disarmed = false;
                i.last_mask = 0;
                Ok(())
            }
            EPOLL_CTL_DEL => {
                ep.interests.remove(&fd);
                if let Some(set) = self.epoll_watchers.get_mut(&file) {
                    set.remove(&(ino, fd));
                }
                Ok(())
            }
            _ => Err(Errno::EINVAL),
        }
    }

    /// Validates `epfd` for `epoll_pwait`: EBADF when closed, EINVAL when not epoll.
    pub fn check_epoll(&self, epfd: i32) -> Result<(), Errno> {
        self.epoll_ino(epfd).map(|_| ())
    }

    /// The events `epfd` reports now, at most `max`, in fd order, as (events, data); updates
    /// the edge-triggered and one-shot state of what it reports.
    pub fn epoll_collect(&mut self, epfd: i32, max: usize) -> Result<Vec<(u32, u64)>, Errno> {
        let ino = self.epoll_ino(epfd)?;
        let mut interests = std::mem::take(&mut self.epoll_mut(ino).interests);
        let mut out = Vec::new();
        let mut memo = BTreeMap::new();
        interests.retain(|&fd, it| {
            let Ok(slot) = self.fds.get(fd) else {
                return false;
            };
            if slot.file != it.file {
                return false;
            }
            if out.len() >= max || it.disarmed {
                return true;
            }
            let Ok(r) = self.readiness_nested(fd, 1, &mut memo) else {
                return true;
            };
            let mask = r.events() & it.events;
            if mask == 0 {
                it.last_mask = 0;
                return true;
            }
            if it.events & EPOLLET != 0
                && mask & !it.last_mask == 0
                && r.activity == it.last_activity
            {
                return true;
            }
            it.last_mask = mask;
            it.last_activity = r.activity;
            if it.events & EPOLLONESHOT != 0 {
                it.disarmed = true;
            }
            out.push((mask, it.data));
            true
        });
        self.epoll_mut(ino).interests = interests;
        Ok(out)
    }

    /// Readiness of epoll instance `ino` (`e`): readable while some entry is ready (level
    /// view). `memo` keeps the answer for each instance seen during one query, so a query
    /// costs at most one look at each entry however the instances share each other.
    pub(crate) fn epoll_readiness(
        &self,
        ino: super::Ino,
        e: &Epoll,
        depth: u32,
        memo: &mut BTreeMap<super::Ino, bool>,
    ) -> Readiness {
        let readable = match memo.get(&ino) {
            Some(&r) => r,
            None => {
                // Not ready while being looked at: a cycle (kept out by the loop check)
                // would end here.
                memo.insert(ino, false);
                let r = depth <= MAX_NESTING
                    && e.interests.iter().any(|(&fd, it)| {
                        !it.disarmed
                            && self.fds.get(fd).is_ok_and(|s| s.file == it.file)
                            && self
                                .readiness_nested(fd, depth + 1, memo)
                                .is_ok_and(|r| r.events() & it.events != 0)
                    });
                memo.insert(ino, r);
                r
            }
        };
        Readiness {
            readable,
            ..Readiness::default()
        }
    }
}
