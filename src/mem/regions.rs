//! The list of mapped regions (the guest's VMAs), kept apart from the page permission table:
//! it answers "where is there room" and "what is mapped here" for mmap and /proc/self/maps.

use super::pages::PageStore;
use super::shared::Contents;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What a region was mapped for (shown in `/proc/self/maps`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegionKind {
    /// A segment of the program image.
    Image,
    /// The brk heap.
    Heap,
    /// The main thread's stack.
    Stack,
    /// Anonymous mmap.
    Anon,
    /// A mapping of a file (path as the guest named it, or `/dev/zero (deleted)` and
    /// `/memfd:NAME (deleted)` as Linux shows those); its contents come from the region's
    /// [`FileBacking`] (private) or [`SharedMap`] (shared).
    File(String),
    /// A page rvrun provides (the signal return trampoline).
    Special(&'static str),
}

/// Where the pages of a private file mapping come from: a snapshot of the file's pages taken
/// when it was mapped, and the file offset of the region's first byte.
#[derive(Clone, Debug)]
pub struct FileBacking {
    /// The file's pages.
    pub pages: Arc<PageStore>,
    /// File offset of the region's start, in pages (page units keep the arithmetic far from
    /// overflow whatever offset the guest asked for).
    pub page_offset: u64,
}

impl PartialEq for FileBacking {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.pages, &other.pages) && self.page_offset == other.page_offset
    }
}

impl Eq for FileBacking {}

/// What a shared mapping maps: contents shared with a file (or, for a shared anonymous
/// mapping, with no file), from a page offset.
#[derive(Clone, Debug)]
pub struct SharedMap {
    /// The contents.
    pub contents: Arc<Contents>,
    /// Contents offset of the region's start, in pages.
    pub page_offset: u64,
    /// Linux's VM_MAYWRITE: the mapping may be made writable (its file was opened for
    /// writing and is not write-sealed).
    pub may_write: bool,
    /// A shared anonymous mapping (charged whole when mapped), not a file's.
    pub anonymous: bool,
    /// The contents' version the region's pages were last brought up to date with.
    pub seen: u64,
}

impl PartialEq for SharedMap {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.contents, &other.contents)
            && self.page_offset == other.page_offset
            && self.may_write == other.may_write
            && self.anonymous == other.anonymous
    }
}

impl Eq for SharedMap {}

/// Lock flags of a region (Linux's VM_LOCKED and VM_LOCKONFAULT).
pub mod lock {
    /// Locked (mlock, mlockall).
    pub const LOCKED: u8 = 1;
    /// Locked as pages are touched, not populated now (MLOCK_ONFAULT, MCL_ONFAULT).
    pub const ONFAULT: u8 = 2;
}

/// One mapped range `[start, end)` with uniform permissions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region {
    /// First address.
    pub start: u64,
    /// One past the last address.
    pub end: u64,
    /// Permission bits (`perm::R | W | X`).
    pub prot: u8,
    /// What it is.
    pub kind: RegionKind,
    /// The file contents behind a file mapping.
    pub backing: Option<FileBacking>,
    /// Counted in the commitment (`--max-memory`): the region is, or once was, writable.
    /// A shared file mapping is never charged (its file's pages are).
    pub accounted: bool,
    /// The contents behind a shared mapping.
    pub shared: Option<SharedMap>,
    /// [`lock`] flags.
    pub lock: u8,
    /// The region was accessible (not `PROT_NONE`) at some point since it was mapped, so
    /// its pages' permission bytes may be non-zero.
    pub opened: bool,
    /// The name `prctl(PR_SET_VMA_ANON_NAME)` gave an anonymous region (`[anon:NAME]` in
    /// `/proc/self/maps`).
    pub anon_name: Option<Arc<str>>,
}

impl Region {
    /// A region without file backing.
    pub fn new(start: u64, end: u64, prot: u8, kind: RegionKind) -> Region {
        Region {
            start,
            end,
            prot,
            kind,
            backing: None,
            accounted: false,
            shared: None,
            lock: 0,
            opened: false,
            anon_name: None,
        }
    }

    /// The contents page (index) behind the guest page at `addr` of a shared mapping.
    pub fn shared_page(&self, addr: u64) -> Option<(&Arc<Contents>, u64)> {
        let m = self.shared.as_ref()?;
        Some((
            &m.contents,
            m.page_offset + (addr - self.start) / super::PAGE_SIZE,
        ))
    }

    /// True for a shared mapping of a file (not charged to the commitment).
    pub fn is_shared_file(&self) -> bool {
        self.shared.as_ref().is_some_and(|m| !m.anonymous)
    }

    /// The file page (index in the backing store) behind the guest page at `addr`.
    pub fn file_page(&self, addr: u64) -> Option<(&PageStore, u64)> {
        let b = self.backing.as_ref()?;
        let index = b.page_offset + (addr - self.start) / super::PAGE_SIZE;
        Some((&b.pages, index))
    }
}

/// True when `b` continues `a`: adjacent, and one mapping in all but its address.
fn continues(a: &Region, b: &Region) -> bool {
    a.end == b.start
        && a.prot == b.prot
        && a.kind == b.kind
        && a.accounted == b.accounted
        && a.lock == b.lock
        && match (&a.shared, &b.shared) {
            (None, None) => true,
            (Some(x), Some(y)) => {
                Arc::ptr_eq(&x.contents, &y.contents)
                    && x.may_write == y.may_write
                    && x.anonymous == y.anonymous
                    && x.seen == y.seen
                    && x.page_offset + (a.end - a.start) / super::PAGE_SIZE == y.page_offset
            }
            _ => false,
        }
        && a.anon_name == b.anon_name
        && match (&a.backing, &b.backing) {
            (None, None) => true,
            (Some(x), Some(y)) => {
                Arc::ptr_eq(&x.pages, &y.pages)
                    && x.page_offset + (a.end - a.start) / super::PAGE_SIZE == y.page_offset
            }
            _ => false,
        }
}

/// Why naming a range of regions stopped or was incomplete.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnonNameError {
    /// A region in the range maps a file (Linux: EBADF).
    FileMapping,
    /// Part of the range is not mapped (Linux: ENOMEM).
    Unmapped,
}

/// Non-overlapping regions keyed by start address.
#[derive(Default)]
pub struct RegionMap {
    map: BTreeMap<u64, Region>,
    /// The maximal runs of adjacent regions (start -> end): the free gaps lie between
    /// them, so a placement search steps over a pile of adjacent mappings (thread stacks
    /// and their guard pages) in one step instead of one per region.
    runs: BTreeMap<u64, u64>,
    /// Start keys of the shared mappings, so that the work on them (keeping aliases and
    /// file changes coherent) costs what is shared, not every mapping.
    shared: std::collections::BTreeSet<u64>,
}

impl RegionMap {
    /// The regions in address order.
    pub fn iter(&self) -> impl Iterator<Item = &Region> {
        self.map.values()
    }

    /// The region containing `addr`.
    pub fn find(&self, addr: u64) -> Option<&Region> {
        self.map
            .range(..=addr)
            .next_back()
            .map(|(_, r)| r)
            .filter(|r| r.end > addr)
    }

    /// Number of regions.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Inserts a region, merged with its neighbours where they continue it; the range must
    /// be free (callers remove first).
    pub fn insert(&mut self, r: Region) {
        debug_assert!(self.is_free(r.start, r.end));
        let (start, end) = (r.start, r.end);
        self.add_run(start, end);
        if r.shared.is_some() {
            self.shared.insert(r.start);
        }
        self.map.insert(r.start, r);
        self.coalesce(start, end);
    }

    /// How many regions an operation on `[start, end)` splits in two: the edges that fall
    /// strictly inside a region.
    pub fn splits(&self, start: u64, end: u64) -> usize {
        [start, end]
            .iter()
            .filter(|&&a| self.find(a).is_some_and(|r| r.start < a))
            .count()
    }

    /// Merges the regions touching `[start, end)` with their neighbours where one continues
    /// the other (adjacent, same permissions, kind, accounting and file), as Linux merges
    /// VMAs: the count stays small for heaps grown page by page.
    fn coalesce(&mut self, start: u64, end: u64) {
        let first = self
            .map
            .range(..start)
            .next_back()
            .map_or(start, |(&k, _)| k);
        let mut keys: Vec<u64> = self.map.range(first..=end).map(|(&k, _)| k).collect();
        let mut i = 0;
        while i + 1 < keys.len() {
            let (a, b) = (keys[i], keys[i + 1]);
            if continues(&self.map[&a], &self.map[&b]) {
                let tail = self.map.remove(&b).expect("region key");
                self.shared.remove(&b);
                let head = self.map.get_mut(&a).expect("region key");
                head.end = tail.end;
                head.opened |= tail.opened;
                keys.remove(i + 1);
            } else {
                i += 1;
            }
        }
    }

    /// Marks `[start, end)` (free until now) as occupied in [`RegionMap::runs`], merging it
    /// with the runs that end at `start` and begin at `end`.
    fn add_run(&mut self, mut start: u64, mut end: u64) {
        if start >= end {
            return;
        }
        if let Some((&s, &e)) = self.runs.range(..start).next_back()
            && e == start
        {
            self.runs.remove(&s);
            start = s;
        }
        if let Some(e) = self.runs.remove(&end) {
            end = e;
        }
        self.runs.insert(start, end);
    }

    /// Marks `[start, end)` free in [`RegionMap::runs`], cutting the runs it overlaps.
    fn cut_runs(&mut self, start: u64, end: u64) {
        let mut hit = Vec::new();
        if let Some((&s, &e)) = self.runs.range(..start).next_back()
            && e > start
        {
            hit.push((s, e));
        }
        hit.extend(self.runs.range(start..end).map(|(&s, &e)| (s, e)));
        for (s, e) in hit {
            self.runs.remove(&s);
            if s < start {
                self.runs.insert(s, start);
            }
            if e > end {
                self.runs.insert(end, e);
            }
        }
    }

    /// Regions overlapping `[start, end)`, by start key.
    fn overlapping(&self, start: u64, end: u64) -> Vec<u64> {
        let mut keys = Vec::new();
        if start >= end {
            return keys;
        }
        if let Some((&k, r)) = self.map.range(..start).next_back()
            && r.end > start
        {
            keys.push(k);
        }
        keys.extend(self.map.range(start..end).map(|(&k, _)| k));
        keys
    }

    /// Splits the region containing `addr` (if any) into two at `addr`.
    fn split_at(&mut self, addr: u64) {
        let Some((&k, r)) = self.map.range(..addr).next_back() else {
            return;
        };
        if r.end > addr {
            let mut tail = Region {
                start: addr,
                ..r.clone()
            };
            if let Some(b) = tail.backing.as_mut() {
                b.page_offset += (addr - r.start) / super::PAGE_SIZE;
            }
            if let Some(m) = tail.shared.as_mut() {
                m.page_offset += (addr - r.start) / super::PAGE_SIZE;
            }
            self.map.get_mut(&k).expect("region key").end = addr;
            if tail.shared.is_some() {
                self.shared.insert(addr);
            }
            self.map.insert(addr, tail);
        }
    }

    /// Start keys of the regions inside `[start, end)`, after splitting at both edges.
    fn isolate(&mut self, start: u64, end: u64) -> Vec<u64> {
        self.split_at(start);
        self.split_at(end);
        self.map.range(start..end).map(|(&k, _)| k).collect()
    }

    /// Removes `[start, end)` from all regions, splitting those that straddle its edges.
    /// Returns the removed regions.
    pub fn remove(&mut self, start: u64, end: u64) -> Vec<Region> {
        let removed: Vec<Region> = self
            .isolate(start, end)
            .into_iter()
            .filter_map(|k| {
                self.shared.remove(&k);
                self.map.remove(&k)
            })
            .collect();
        self.cut_runs(start, end);
        removed
    }

    /// Bytes of `[start, end)` in regions not yet counted in the commitment.
    pub fn unaccounted(&self, start: u64, end: u64) -> u64 {
        self.overlapping(start, end)
            .iter()
            .map(|k| &self.map[k])
            .filter(|r| !r.accounted && !r.is_shared_file())
            .map(|r| r.end.min(end) - r.start.max(start))
            .sum()
    }

    /// Marks the regions in `[start, end)` as counted in the commitment.
    pub fn set_accounted(&mut self, start: u64, end: u64) {
        for k in self.isolate(start, end) {
            self.map.get_mut(&k).expect("region key").accounted = true;
        }
        self.coalesce(start, end);
    }

    /// Sets the permissions of `[start, end)`, splitting regions at its edges.
    pub fn set_prot(&mut self, start: u64, end: u64, prot: u8) {
        for k in self.isolate(start, end) {
            let r = self.map.get_mut(&k).expect("region key");
            r.prot = prot;
            r.opened |= prot != 0;
        }
        self.coalesce(start, end);
    }

    /// Sets the [`lock`] flags of `[start, end)`, splitting regions at its edges.
    pub fn set_lock(&mut self, start: u64, end: u64, flags: u8) {
        for k in self.isolate(start, end) {
            self.map.get_mut(&k).expect("region key").lock = flags;
        }
        self.coalesce(start, end);
    }

    /// The regions overlapping `[start, end)`, in address order.
    pub fn within(&self, start: u64, end: u64) -> impl Iterator<Item = &Region> {
        self.overlapping(start, end)
            .into_iter()
            .map(move |k| &self.map[&k])
    }

    /// Calls `f` on each shared mapping, mutably, in address order (it may change their
    /// contents' `seen` version; nothing that merging compares).
    pub fn for_each_shared_mut(&mut self, mut f: impl FnMut(&mut Region)) {
        for k in &self.shared {
            f(self.map.get_mut(k).expect("shared region key"));
        }
    }

    /// The shared mappings, in address order.
    pub fn shared(&self) -> impl Iterator<Item = &Region> {
        self.shared.iter().map(|k| &self.map[k])
    }

    /// Names the regions in `[start, end)` (`madvise_set_anon_name`), in address order:
    /// a file mapping stops the walk ([`AnonNameError::FileMapping`]; the regions before it
    /// keep their new name), and an unmapped part of the range is reported once the rest is
    /// named ([`AnonNameError::Unmapped`]).
    pub fn set_anon_name(
        &mut self,
        start: u64,
        end: u64,
        name: Option<Arc<str>>,
    ) -> Result<(), AnonNameError> {
        let mut at = start;
        let mut result = Ok(());
        for k in self.overlapping(start, end) {
            let r = &self.map[&k];
            if r.start > at {
                result = Err(AnonNameError::Unmapped);
            }
            // Shared anonymous memory is anonymous shmem: it takes a name too.
            let anon_shmem = r.shared.as_ref().is_some_and(|m| m.anonymous);
            if matches!(r.kind, RegionKind::Image | RegionKind::File(_)) && !anon_shmem {
                self.coalesce(start, end);
                return Err(AnonNameError::FileMapping);
            }
            let (lo, hi) = (r.start.max(start), r.end.min(end));
            for key in self.isolate(lo, hi) {
                self.map.get_mut(&key).expect("region key").anon_name = name.clone();
            }
            at = hi;
        }
        if at < end {
            result = Err(AnonNameError::Unmapped);
        }
        self.coalesce(start, end);
        result
    }

    /// True when every address of `[start, end)` is in some region.
    pub fn covers(&self, start: u64, end: u64) -> bool {
        let mut at = start;
        for k in self.overlapping(start, end) {
            let r = &self.map[&k];
            if r.start > at {
                return false;
            }
            at = r.end;
            if at >= end {
                return true;
            }
        }
        at >= end
    }

    /// True when no region overlaps `[start, end)`.
    pub fn is_free(&self, start: u64, end: u64) -> bool {
        self.overlapping(start, end).is_empty()
    }

    /// The highest start `s` with `bottom <= s`, `s + len <= top` and `[s, s+len)` free.
    pub fn find_free_top_down(&self, len: u64, bottom: u64, top: u64) -> Option<u64> {
        let mut hi = top;
        // Walk the runs of adjacent regions downward from `top`, checking the gap above each.
        for (&start, &end) in self.runs.range(..top).rev() {
            if end < hi && hi - end >= len {
                let s = hi - len;
                return (s >= bottom).then_some(s);
            }
            hi = hi.min(start);
            if hi < bottom.saturating_add(len) {
                return None;
            }
        }
        (hi >= bottom && hi - bottom >= len).then(|| hi - len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anon(start: u64, end: u64) -> Region {
        Region::new(start, end, 3, RegionKind::Anon)
    }

    #[test]
    fn remove_splits_and_set_prot_splits() {
        let mut m = RegionMap::default();
        m.insert(anon(0x1000, 0x5000));
        m.remove(0x2000, 0x3000);
        let v: Vec<_> = m.iter().map(|r| (r.start, r.end)).collect();
        assert_eq!(v, vec![(0x1000, 0x2000), (0x3000, 0x5000)]);
        m.set_prot(0x4000, 0x5000, 1);
        let v: Vec<_> = m.iter().map(|r| (r.start, r.end, r.prot)).collect();
        assert_eq!(
            v,
            vec![
                (0x1000, 0x2000, 3),
                (0x3000, 0x4000, 3),
                (0x4000, 0x5000, 1)
            ]
        );
        assert!(m.covers(0x3000, 0x5000));
        assert!(!m.covers(0x1000, 0x4000));
        assert!(m.is_free(0x2000, 0x3000));
    }

    #[test]
    fn neighbours_that_continue_each_other_merge() {
        let mut m = RegionMap::default();
        for page in 0..100 {
            m.insert(anon(0x10000 + page * 0x1000, 0x11000 + page * 0x1000));
        }
        assert_eq!(m.len(), 1, "a heap grown page by page is one region");
        m.set_prot(0x20000, 0x30000, 1);
        assert_eq!(m.len(), 3);
        assert_eq!(m.splits(0x40000, 0x50000), 2);
        assert_eq!(m.splits(0x10000, 0x18000), 1);
        m.set_prot(0x20000, 0x30000, 3);
        assert_eq!(m.len(), 1, "same permissions again: merged back");
        let mut other = Region::new(0x74000, 0x75000, 3, RegionKind::Heap);
        m.insert(other.clone());
        assert_eq!(m.len(), 2, "another kind does not merge");
        other.start = 0x75000;
        other.end = 0x76000;
        other.accounted = true;
        m.insert(other);
        assert_eq!(m.len(), 3, "nor does another accounting");
    }

    #[test]
    fn top_down_placement() {
        let mut m = RegionMap::default();
        m.insert(anon(0x9000, 0xa000));
        assert_eq!(m.find_free_top_down(0x1000, 0, 0xa000), Some(0x8000));
        assert_eq!(m.find_free_top_down(0x2000, 0, 0x10000), Some(0xe000));
        m.insert(anon(0x7000, 0x9000));
        assert_eq!(m.find_free_top_down(0x3000, 0x1000, 0xa000), Some(0x4000));
        assert_eq!(m.find_free_top_down(0x3000, 0x5000, 0xa000), None);
        // A hole made by removing a mapping is found again.
        assert_eq!(m.find_free_top_down(0x1000, 0, 0xa000), Some(0x6000));
        m.insert(anon(0x6000, 0x7000));
        m.remove(0x8000, 0x9000);
        assert_eq!(m.find_free_top_down(0x1000, 0, 0xa000), Some(0x8000));
    }

    /// The index of shared mappings follows inserts, splits, merges and removals.
    #[test]
    fn shared_index_follows_the_regions() {
        let contents = Arc::new(Contents::default());
        let shared = |start: u64, end: u64, page_offset: u64| {
            let mut r = Region::new(start, end, 3, RegionKind::Anon);
            r.shared = Some(SharedMap {
                contents: contents.clone(),
                page_offset,
                may_write: true,
                anonymous: false,
                seen: 0,
            });
            r
        };
        let mut m = RegionMap::default();
        let check = |m: &RegionMap| {
            let want: Vec<u64> = m
                .iter()
                .filter(|r| r.shared.is_some())
                .map(|r| r.start)
                .collect();
            let have: Vec<u64> = m.shared().map(|r| r.start).collect();
            assert_eq!(have, want);
        };
        m.insert(anon(0x1000, 0x3000));
        m.insert(shared(0x3000, 0x6000, 0));
        m.insert(shared(0x6000, 0x7000, 3));
        check(&m);
        assert_eq!(m.shared().count(), 1, "continuing pieces merge");
        m.set_prot(0x4000, 0x5000, 1);
        check(&m);
        assert_eq!(m.shared().count(), 3);
        m.remove(0x3800, 0x4800);
        check(&m);
        m.set_lock(0x1000, 0x7000, lock::LOCKED);
        check(&m);
        m.remove(0x0, 0x10000);
        check(&m);
        assert_eq!(m.shared().count(), 0);
    }

    /// The placement search over runs gives what a walk over every region gives.
    #[test]
    fn runs_agree_with_a_walk_over_every_region() {
        fn walk(m: &RegionMap, len: u64, bottom: u64, top: u64) -> Option<u64> {
            let mut hi = top;
            for r in m
                .iter()
                .filter(|r| r.start < top)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
            {
                if r.end < hi && hi - r.end >= len {
                    let s = hi - len;
                    return (s >= bottom).then_some(s);
                }
                hi = hi.min(r.start);
                if hi < bottom.saturating_add(len) {
                    return None;
                }
            }
            (hi >= bottom && hi - bottom >= len).then(|| hi - len)
        }
        let mut m = RegionMap::default();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for step in 0..3000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let start = (x % 200) * 0x1000;
            let end = start + (1 + (x >> 20) % 8) * 0x1000;
            if x >> 40 & 1 == 0 {
                m.remove(start, end);
            } else if m.is_free(start, end) {
                m.insert(anon(start, end));
            } else {
                m.set_prot(start, end, (step % 3) as u8);
            }
            // Runs are the maximal unions of adjacent regions.
            let mut runs: Vec<(u64, u64)> = Vec::new();
            for r in m.iter() {
                match runs.last_mut() {
                    Some(last) if last.1 == r.start => last.1 = r.end,
                    _ => runs.push((r.start, r.end)),
                }
            }
            assert_eq!(
                m.runs.iter().map(|(&s, &e)| (s, e)).collect::<Vec<_>>(),
                runs
            );
            let len = (1 + (x >> 30) % 6) * 0x1000;
            let (bottom, top) = ((x >> 33) % 50 * 0x1000, 0x100000 - (x >> 36) % 50 * 0x1000);
            assert_eq!(
                m.find_free_top_down(len, bottom, top),
                walk(&m, len, bottom, top)
            );
        }
    }
}
