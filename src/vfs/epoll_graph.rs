//! The checks Linux makes before an epoll instance may watch a file, so that wakeups
//! through nested epoll instances stay bounded (`fs/eventpoll.c`):
//!
//! - `ep_loop_check`: an instance may not watch an instance that reaches it (a cycle), nor
//!   make a path of more than `EP_MAX_NESTS` links (the longest path below the watched
//!   instance plus one plus the longest path above the watching one): ELOOP.
//! - `reverse_path_check`: once an instance is nested, or watches an instance, every
//!   ordinary file below the new link may have at most `PATH_LIMITS[n]` wakeup paths of
//!   `n` links up to an instance nobody watches, and none longer than `EP_MAX_NESTS`:
//!   EINVAL.
//!
//! A link exists while its entry's open file description is open (Linux keeps an entry
//! until its file is released). The downward walks visit each instance below the new link
//! once, the upward ones each instance above it once, and the path count stops at the path
//! limits: a check costs the part of the graph around the new link, not all of it.

use super::Vfs;
use super::fd::FileId;
use super::inode::{Ino, Node};
use std::collections::{BTreeMap, BTreeSet};

/// Most links on a path of epoll instances (Linux's `EP_MAX_NESTS`).
pub const EP_MAX_NESTS: u32 = 4;

/// Linux's `path_limits`: most wakeup paths with `n` links above the first instance that
/// may lead up from one file (paths with none are not limited).
const PATH_LIMITS: [u32; 5] = [1000, 500, 100, 50, 10];

/// Who watches what, among the open epoll instances: a view of the [`Vfs`], whose reverse
/// index (`epoll_watchers`, `epoll_descriptions`) says who watches a description. An entry
/// counts while its instance still has it and its description is open.
pub struct EpollGraph<'a> {
    vfs: &'a Vfs,
    /// A link about to be made ("instance watches description"), counted as made.
    pending: Option<(Ino, FileId)>,
}

impl<'a> EpollGraph<'a> {
    /// The graph of the open epoll instances of `vfs`.
    pub fn new(vfs: &'a Vfs) -> EpollGraph<'a> {
        EpollGraph { vfs, pending: None }
    }

    fn is_epoll(&self, ino: Ino) -> bool {
        matches!(
            self.vfs.inodes.try_get(ino).map(|i| &i.node),
            Some(Node::Epoll(_))
        )
    }

    /// Instance `ino`'s entries: (description, the inode it refers to, whether that is an
    /// epoll instance), in fd order.
    fn entries(&self, ino: Ino) -> Vec<(FileId, Ino, bool)> {
        let Some(Node::Epoll(e)) = self.vfs.inodes.try_get(ino).map(|i| &i.node) else {
            return Vec::new();
        };
        e.interests
            .values()
            .filter_map(|it| {
                let f = self.vfs.files.get(&it.file)?;
                Some((it.file, f.ino, self.is_epoll(f.ino)))
            })
            .collect()
    }

    /// The instances watching description `file` (one per entry).
    fn watchers(&self, file: FileId) -> Vec<Ino> {
        if !self.vfs.files.contains_key(&file) {
            return Vec::new();
        }
        let mut out: Vec<Ino> = self
            .vfs
            .epoll_watchers
            .get(&file)
            .into_iter()
            .flatten()
            .filter(|&&(ep, fd)| {
                matches!(
                    self.vfs.inodes.try_get(ep).map(|i| &i.node),
                    Some(Node::Epoll(e)) if e.interests.get(&fd).is_some_and(|it| it.file == file)
                )
            })
            .map(|&(ep, _)| ep)
            .collect();
        if let Some((ep, f)) = self.pending
            && f == file
        {
            out.push(ep);
        }
        out
    }

    /// The instances watching epoll instance `ino` (one per entry, through any of its
    /// descriptions): Linux's `ep->refs`.
    fn refs(&self, ino: Ino) -> Vec<Ino> {
        let mut descs: BTreeSet<FileId> = self
            .vfs
            .epoll_descriptions
            .get(&ino)
            .cloned()
            .unwrap_or_default();
        if let Some((_, f)) = self.pending
            && self.vfs.files.get(&f).is_some_and(|d| d.ino == ino)
        {
            descs.insert(f);
        }
        descs.into_iter().flat_map(|d| self.watchers(d)).collect()
    }

    /// True when some instance watches epoll instance `ino` (Linux's `file->f_ep`).
    pub fn is_watched(&self, ino: Ino) -> bool {
        !self.refs(ino).is_empty()
    }

    /// `ep_loop_check(into, to)`: whether instance `into` may watch instance `to`. The
    /// ordinary files below `to` go to `files` (for [`EpollGraph::paths_ok`]).
    pub fn link_allowed(&self, into: Ino, to: Ino, files: &mut BTreeSet<FileId>) -> bool {
        let mut memo = BTreeMap::new();
        let below = self.loop_check_down(to, 0, into, &mut memo, files);
        if below > EP_MAX_NESTS {
            return false;
        }
        let above = self.loop_check_up(into, 0, &mut memo);
        below + 1 + above <= EP_MAX_NESTS
    }

    /// `ep_loop_check_proc`: the longest path below `ep` (which is `depth` links below the
    /// new link), or more than `EP_MAX_NESTS` when `into` is below it or it goes too deep.
    fn loop_check_down(
        &self,
        ep: Ino,
        depth: u32,
        into: Ino,
        memo: &mut BTreeMap<Ino, u32>,
        files: &mut BTreeSet<FileId>,
    ) -> u32 {
        if let Some(&d) = memo.get(&ep) {
            return d;
        }
        memo.insert(ep, 0);
        let mut result = 0;
        for (id, target, epoll) in self.entries(ep) {
            if !epoll {
                files.insert(id);
                continue;
            }
            result = if target == into || depth > EP_MAX_NESTS {
                EP_MAX_NESTS + 1
            } else {
                result.max(self.loop_check_down(target, depth + 1, into, memo, files) + 1)
            };
            if result > EP_MAX_NESTS {
                break;
            }
        }
        memo.insert(ep, result);
        result
    }

    /// `ep_get_upwards_depth_proc`: the longest path of instances watching `ep`. Capped
    /// past `EP_MAX_NESTS` (which refuses the link anyway), so it ends on any graph.
    fn loop_check_up(&self, ep: Ino, depth: u32, memo: &mut BTreeMap<Ino, u32>) -> u32 {
        if let Some(&d) = memo.get(&ep) {
            return d;
        }
        if depth > EP_MAX_NESTS {
            return EP_MAX_NESTS + 1;
        }
        memo.insert(ep, 0);
        let mut result = 0;
        for p in self.refs(ep) {
            result = result.max(self.loop_check_up(p, depth + 1, memo) + 1);
        }
        memo.insert(ep, result);
        result
    }

    /// `reverse_path_check`: whether every file of `files` stays within the path limits
    /// once instance `ep` watches description `file` (Linux inserts the entry, then checks).
    pub fn paths_ok(mut self, ep: Ino, file: FileId, files: &BTreeSet<FileId>) -> bool {
        self.pending = Some((ep, file));
        files.iter().all(|&id| {
            let mut count = [0u32; PATH_LIMITS.len()];
            self.reverse_paths(&self.watchers(id), 0, &mut count)
        })
    }

    /// `reverse_path_check_proc`: counts the paths up from the entries `refs` (at `depth`
    /// links); false once a count passes its limit or a path is too long. Each path counted
    /// is one step towards a limit, so the walk is bounded by the limits' sum.
    fn reverse_paths(&self, refs: &[Ino], depth: u32, count: &mut [u32; 5]) -> bool {
        if depth > EP_MAX_NESTS {
            return false;
        }
        for &ep in refs {
            let up = self.refs(ep);
            let ok = if up.is_empty() {
                let d = depth as usize;
                if d == 0 {
                    true
                } else {
                    count[d] += 1;
                    count[d] <= PATH_LIMITS[d]
                }
            } else {
                self.reverse_paths(&up, depth + 1, count)
            };
            if !ok {
                return false;
            }
        }
        true
    }
}
