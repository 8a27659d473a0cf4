//! The contents of a regular file (or of a shared anonymous mapping): a sparse page store
//! and a size, shared between the file and every `MAP_SHARED` mapping of it.
//!
//! There is one copy of the data. The file reads and writes it directly; a shared mapping
//! keeps a view of it in the guest reservation, kept coherent both ways:
//! - a store through a mapping writes through to the contents (and to the other mappings
//!   of the same pages) before the store completes, so `read` sees it at once;
//! - a change made through the file (write, truncate) bumps the contents' version and logs
//!   the pages it changed; before the guest runs again the address space re-reads those
//!   pages in its mappings (see [`GuestMemory::sync_shared`](super::GuestMemory::sync_shared)).
//!
//! Pages the guest creates are charged to the memory commitment (`--max-memory`); the charge
//! is returned when the contents go (the file is deleted and no mapping is left).

use super::PAGE_SIZE;
use super::commit::CommitLimit;
use super::pages::{Page, PageStore};
use std::sync::{Arc, Mutex, MutexGuard};

/// How many page ranges a contents' change log keeps; a mapping that fell further behind
/// re-reads all its pages.
const CHANGE_LOG: usize = 32;

/// Why a write to the contents did not happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContentsError {
    /// The end would pass the largest file size (EFBIG).
    TooBig,
    /// The memory commitment is used up (ENOSPC; SIGBUS for a store through a mapping).
    NoSpace,
}

/// The data of a file; see the module documentation.
#[derive(Debug, Default)]
pub struct Contents {
    state: Mutex<State>,
}

/// The contents, locked.
#[derive(Debug, Default)]
pub struct State {
    pages: Arc<PageStore>,
    size: u64,
    /// The budget written pages are charged to, once there is one.
    limit: Option<Arc<CommitLimit>>,
    /// Bytes charged to `limit`.
    charged: u64,
    /// Counts changes made other than through a mapping.
    version: u64,
    /// `(version, first page, end page)` of the latest such changes.
    changes: Vec<(u64, u64, u64)>,
    /// Pages are not charged one by one (a shared anonymous mapping, charged whole).
    prepaid: bool,
}

impl Drop for State {
    fn drop(&mut self) {
        if let Some(l) = &self.limit {
            l.release(self.charged);
        }
    }
}

impl Contents {
    /// Contents holding `bytes` (input files: not charged to the guest's commitment).
    pub fn new(bytes: &[u8]) -> Contents {
        let mut pages = PageStore::default();
        pages.write(0, bytes);
        Contents {
            state: Mutex::new(State::with(Arc::new(pages), bytes.len() as u64, false)),
        }
    }

    /// Empty contents of `size` bytes, all hole, whose pages are not charged (a shared
    /// anonymous mapping, charged as a whole when mapped).
    pub fn zeroed(size: u64) -> Contents {
        Contents {
            state: Mutex::new(State::with(Arc::default(), size, true)),
        }
    }

    /// Locks the contents (one host thread runs everything: never contended).
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl State {
    fn with(pages: Arc<PageStore>, size: u64, prepaid: bool) -> State {
        State {
            pages,
            size,
            limit: None,
            charged: 0,
            version: 0,
            changes: Vec::new(),
            prepaid,
        }
    }

    /// The size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The pages (shared until either side changes): a private mapping's snapshot.
    pub fn snapshot(&self) -> Arc<PageStore> {
        self.pages.clone()
    }

    /// The pages.
    pub fn pages(&self) -> &PageStore {
        &self.pages
    }

    /// Number of pages past which a mapping's access is a bus error: the pages holding
    /// some byte below the size.
    pub fn page_count(&self) -> u64 {
        self.size.div_ceil(PAGE_SIZE)
    }

    /// The version: equal values mean no change was made other than through a mapping.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The page range `[first, end)` changed since version `seen`, or `None` when the log
    /// does not reach back that far (everything may have changed).
    pub fn changed_since(&self, seen: u64) -> Option<(u64, u64)> {
        if seen == self.version {
            return Some((0, 0));
        }
        let newer: Vec<&(u64, u64, u64)> = self.changes.iter().filter(|c| c.0 > seen).collect();
        if newer.len() as u64 != self.version - seen {
            return None;
        }
        let first = newer.iter().map(|c| c.1).min()?;
        let end = newer.iter().map(|c| c.2).max()?;
        Some((first, end))
    }

    /// Records a change of pages `[first, end)` made other than through a mapping.
    fn note_change(&mut self, first: u64, end: u64) {
        self.version += 1;
        if self.changes.len() == CHANGE_LOG {
            self.changes.remove(0);
        }
        self.changes.push((self.version, first, end));
    }

    /// Up to `max` bytes from `offset` (fewer at the end).
    pub fn read_at(&self, offset: u64, max: usize) -> Vec<u8> {
        if offset >= self.size {
            return Vec::new();
        }
        let n = (self.size - offset).min(max as u64) as usize;
        let mut out = vec![0; n];
        self.pages.read(offset, &mut out);
        out
    }

    /// Charges `bytes` to the budget (`limit` becomes the budget if there is none yet).
    fn charge(&mut self, bytes: u64, limit: &Arc<CommitLimit>) -> bool {
        let l = self.limit.get_or_insert_with(|| limit.clone());
        if l.try_charge(bytes) {
            self.charged += bytes;
            true
        } else {
            false
        }
    }

    /// Returns the charge of `pages` dropped pages.
    fn release(&mut self, pages: u64) {
        if self.prepaid {
            return;
        }
        let freed = pages.saturating_mul(PAGE_SIZE).min(self.charged);
        self.charged -= freed;
        if let Some(l) = &self.limit {
            l.release(freed);
        }
    }

    /// Zeroes the bytes past the size in the last page: growing the file must show zeros
    /// there, whatever a mapping stored past the end.
    fn zero_tail(&mut self) {
        let (index, within) = (self.size / PAGE_SIZE, (self.size % PAGE_SIZE) as usize);
        if within != 0 && self.pages.get(index).is_some() {
            let (page, _) = Arc::make_mut(&mut self.pages).get_mut(index);
            page[within..].fill(0);
        }
    }

    /// Writes `bytes` at `offset`, growing the size; new pages are charged to `limit` (or
    /// to the budget the contents already have). Returns how many bytes were written: all,
    /// or (when the budget runs out part way) the leading bytes whose pages fit.
    /// `max_size` is the largest size allowed.
    pub fn write_at(
        &mut self,
        offset: u64,
        bytes: &[u8],
        limit: &Arc<CommitLimit>,
        max_size: u64,
    ) -> Result<usize, ContentsError> {
        if bytes.is_empty() {
            return Ok(0);
        }
        let end = offset
            .checked_add(bytes.len() as u64)
            .filter(|&e| e <= max_size)
            .ok_or(ContentsError::TooBig)?;
        if offset > self.size {
            self.zero_tail();
        }
        let (first, last) = (offset / PAGE_SIZE, end.div_ceil(PAGE_SIZE));
        let new_pages = (last - first) - self.pages.count(first..last);
        let mut n = bytes.len();
        if self.charge(new_pages * PAGE_SIZE, limit) {
            Arc::make_mut(&mut self.pages).write(offset, bytes);
        } else {
            // Write page by page until the budget runs out, as a filesystem that fills up.
            n = 0;
            while n < bytes.len() {
                let at = offset + n as u64;
                let chunk = ((PAGE_SIZE - at % PAGE_SIZE) as usize).min(bytes.len() - n);
                if self.pages.get(at / PAGE_SIZE).is_none() && !self.charge(PAGE_SIZE, limit) {
                    break;
                }
                Arc::make_mut(&mut self.pages).write(at, &bytes[n..n + chunk]);
                n += chunk;
            }
            if n == 0 {
                return Err(ContentsError::NoSpace);
            }
        }
        let old_pages = self.page_count();
        self.size = self.size.max(offset + n as u64);
        let from = first.min(old_pages.saturating_sub(1));
        self.note_change(from, last.max(self.page_count()));
        Ok(n)
    }

    /// Sets the size: shrinking drops the pages past it (and zeroes the rest of the last
    /// one), growing adds a hole.
    pub fn truncate(&mut self, len: u64) {
        let old_pages = self.page_count();
        if len < self.size {
            let pages = Arc::make_mut(&mut self.pages);
            let dropped = pages.drop_from(len.div_ceil(PAGE_SIZE));
            self.release(dropped);
            self.size = len;
            self.zero_tail();
        } else if len > self.size {
            self.zero_tail();
        }
        let from = (len.min(self.size) / PAGE_SIZE).min(old_pages.saturating_sub(1));
        self.size = len;
        self.note_change(from, old_pages.max(self.page_count()));
    }

    /// Makes `[offset, offset+len)` a hole (dropping whole pages, zeroing partial ones);
    /// the size stays.
    pub fn punch_hole(&mut self, offset: u64, len: u64) {
        let end = offset.saturating_add(len).min(self.size);
        if offset >= end {
            return;
        }
        let (first_full, end_full) = (offset.div_ceil(PAGE_SIZE), end / PAGE_SIZE);
        let pages = Arc::make_mut(&mut self.pages);
        let dropped = pages.remove_range(first_full..end_full.max(first_full));
        // Partial pages at either edge.
        for (from, to) in [
            (offset, end.min(first_full * PAGE_SIZE)),
            (end_full * PAGE_SIZE, end),
        ] {
            if from < to && pages.get(from / PAGE_SIZE).is_some() {
                let (page, _) = pages.get_mut(from / PAGE_SIZE);
                page[(from % PAGE_SIZE) as usize..((to - 1) % PAGE_SIZE) as usize + 1].fill(0);
            }
        }
        self.release(dropped);
        self.note_change(offset / PAGE_SIZE, end.div_ceil(PAGE_SIZE));
    }

    /// Writes `bytes` into page `index` at byte `within` for a store through a mapping,
    /// creating (and charging) the page if it was a hole. Not logged as a change: the
    /// address space updates its own views.
    pub fn store(
        &mut self,
        index: u64,
        within: usize,
        bytes: &[u8],
        limit: &Arc<CommitLimit>,
    ) -> Result<(), ContentsError> {
        if self.pages.get(index).is_none() && !self.prepaid && !self.charge(PAGE_SIZE, limit) {
            return Err(ContentsError::NoSpace);
        }
        let (page, _) = Arc::make_mut(&mut self.pages).get_mut(index);
        page[within..within + bytes.len()].copy_from_slice(bytes);
        Ok(())
    }

    /// The page `index` (None for a hole).
    pub fn page(&self, index: u64) -> Option<&Page> {
        self.pages.get(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_log_the_pages_they_change() {
        let limit = Arc::new(CommitLimit::new(64 * PAGE_SIZE));
        let c = Contents::default();
        let mut s = c.lock();
        assert_eq!(s.changed_since(0), Some((0, 0)));
        assert_eq!(s.write_at(5000, b"abc", &limit, u64::MAX), Ok(3));
        assert_eq!(s.size(), 5003);
        assert_eq!(s.changed_since(0), Some((0, 2)));
        s.truncate(100);
        assert_eq!(s.changed_since(1), Some((0, 2)));
        assert_eq!(limit.used(), 0, "the dropped page was returned");
        for _ in 0..CHANGE_LOG + 1 {
            s.write_at(0, b"x", &limit, u64::MAX).unwrap();
        }
        assert_eq!(s.changed_since(0), None, "the log no longer reaches back");
        assert_eq!(
            s.write_at(u64::MAX - 1, b"xyz", &limit, u64::MAX),
            Err(ContentsError::TooBig)
        );
    }

    #[test]
    fn growing_zeroes_what_a_mapping_stored_past_the_end() {
        let limit = Arc::new(CommitLimit::unlimited());
        let c = Contents::default();
        let mut s = c.lock();
        s.write_at(0, b"0123456789", &limit, u64::MAX).unwrap();
        s.store(0, 20, b"past", &limit).unwrap();
        assert_eq!(s.read_at(0, 100).len(), 10);
        s.truncate(30);
        assert_eq!(&s.read_at(0, 30)[10..], &[0; 20]);
        s.store(0, 40, b"again", &limit).unwrap();
        s.write_at(50, b"w", &limit, u64::MAX).unwrap();
        assert_eq!(&s.read_at(30, 21)[..], &[&[0u8; 20][..], b"w"].concat()[..]);
    }

    #[test]
    fn stores_charge_new_pages_and_fail_past_the_cap() {
        let limit = Arc::new(CommitLimit::new(2 * PAGE_SIZE));
        let c = Contents::new(&[]);
        {
            let mut s = c.lock();
            s.truncate(10 * PAGE_SIZE);
            s.store(0, 0, b"a", &limit).unwrap();
            s.store(0, 1, b"b", &limit).unwrap();
            s.store(3, 0, b"c", &limit).unwrap();
            assert_eq!(s.store(4, 0, b"d", &limit), Err(ContentsError::NoSpace));
            assert_eq!(s.read_at(0, 2), b"ab");
            s.punch_hole(0, 4 * PAGE_SIZE);
            assert_eq!(limit.used(), 0);
            s.store(4, 0, b"d", &limit).unwrap();
        }
        drop(c);
        assert_eq!(limit.used(), 0, "dropped contents return their pages");
    }
}
