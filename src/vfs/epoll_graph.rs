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
//! until its file is released). Every walk visits each instance once, or stops at the path
//! limits, so a check costs at most the size of the graph.

use super::Vfs;
use super::fd::FileId;
use super::inode::{Ino, Node};
use std::collections::{BTreeMap, BTreeSet};

/// Most links on a path of epoll instances (Linux's `EP_MAX_NESTS`).
pub const EP_MAX_NESTS: u32 = 4;

/// Linux's `path_limits`: most wakeup paths with `n` links above the first instance that
/// may lead up from one file (paths with none are not limited).
const PATH_LIMITS: [u32; 5] = [1000, 500, 100, 50, 10];

/// Who watches what, among the open epoll instances.
pub struct EpollGraph {
    /// Each instance's entries: (description, the inode it refers to, whether that is an
    /// epoll instance), in fd order.
    entries: BTreeMap<Ino, Vec<(FileId, Ino, bool)>>,
    /// For each description, the instances that watch it (one per entry).
    watchers: BTreeMap<FileId, Vec<Ino>>,
    /// For each epoll instance, its open descriptions.
    descriptions: BTreeMap<Ino, Vec<FileId>>,
}

impl EpollGraph {
    /// The graph of the open epoll instances of `vfs`.
    pub fn new(vfs: &Vfs) -> EpollGraph {
        let mut g = EpollGraph {
            entries: BTreeMap::new(),
            watchers: BTreeMap::new(),
            descriptions: BTreeMap::new(),
        };
        let is_epoll = |ino: Ino| matches!(vfs.inodes.get(ino).node, Node::Epoll(_));
        for (&id, f) in &vfs.files {
            if is_epoll(f.ino) {
                g.descriptions.entry(f.ino).or_default().push(id);
            }
        }
        for &ino in g.descriptions.keys() {
            let Node::Epoll(e) = &vfs.inodes.get(ino).node else {
                continue;
            };
            let list: Vec<(FileId, Ino, bool)> = e
                .interests
                .values()
                .filter_map(|it| {
                    let f = vfs.files.get(&it.file)?;
                    Some((it.file, f.ino, is_epoll(f.ino)))
                })
                .collect();
            for &(id, _, _) in &list {
                g.watchers.entry(id).or_default().push(ino);
            }
            g.entries.insert(ino, list);
        }
        g
    }

    /// The instances watching epoll instance `ino` (one per entry, through any of its
    /// descriptions): Linux's `ep->refs`.
    fn refs(&self, ino: Ino) -> Vec<Ino> {
        self.descriptions
            .get(&ino)
            .into_iter()
            .flatten()
            .flat_map(|id| self.watchers.get(id).into_iter().flatten().copied())
            .collect()
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
        for &(id, target, epoll) in self.entries.get(&ep).into_iter().flatten() {
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

    /// Adds the link "instance `ep` watches description `file`" (made before
    /// [`EpollGraph::paths_ok`] looks, as Linux inserts the entry before its check).
    pub fn add_watch(&mut self, ep: Ino, file: FileId) {
        self.watchers.entry(file).or_default().push(ep);
    }

    /// `reverse_path_check`: whether every file of `files` stays within the path limits.
    pub fn paths_ok(&self, files: &BTreeSet<FileId>) -> bool {
        files.iter().all(|id| {
            let mut count = [0u32; PATH_LIMITS.len()];
            let refs = self.watchers.get(id).cloned().unwrap_or_default();
            self.reverse_paths(&refs, 0, &mut count)
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
