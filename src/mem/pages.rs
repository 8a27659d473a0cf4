//! Sparse page stores: the contents of a regular file as a map from page index to page, with
//! holes where nothing was written. Pages are shared by reference count, so a private file
//! mapping can keep a snapshot of a file's pages for the cost of the map, and a write to the
//! file afterwards copies only the page it changes.

use super::PAGE_SIZE;
use std::collections::BTreeMap;
use std::sync::Arc;

/// One page of data.
pub type Page = [u8; PAGE_SIZE as usize];

/// Page index -> page; absent pages read as zero.
#[derive(Clone, Debug, Default)]
pub struct PageStore {
    pages: BTreeMap<u64, Arc<Page>>,
}

impl PageStore {
    /// The page with index `index`, if it holds data.
    pub fn get(&self, index: u64) -> Option<&Page> {
        self.pages.get(&index).map(|p| &**p)
    }

    /// Number of pages that hold data.
    pub fn len(&self) -> u64 {
        self.pages.len() as u64
    }

    /// True when no page holds data.
    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }

    /// The data pages with index in `range`, in order.
    pub fn range(
        &self,
        range: std::ops::Range<u64>,
    ) -> impl DoubleEndedIterator<Item = (u64, &Page)> {
        self.pages.range(range).map(|(&i, p)| (i, &**p))
    }

    /// The page with index `index` for writing, created (zeroed) if it was a hole; copied
    /// first when a snapshot shares it. The second value is true when the page is new.
    pub fn get_mut(&mut self, index: u64) -> (&mut Page, bool) {
        let mut created = false;
        let page = self.pages.entry(index).or_insert_with(|| {
            created = true;
            Arc::new([0; PAGE_SIZE as usize])
        });
        (Arc::make_mut(page), created)
    }

    /// Drops the pages with index in `range`; returns how many were dropped. Costs what
    /// was there, not the length of the range.
    pub fn remove_range(&mut self, range: std::ops::Range<u64>) -> u64 {
        if range.start >= range.end {
            return 0;
        }
        let mut tail = self.pages.split_off(&range.start);
        let mut rest = tail.split_off(&range.end);
        let dropped = tail.len() as u64;
        self.pages.append(&mut rest);
        dropped
    }

    /// Drops every page with index >= `first`; returns how many were dropped.
    pub fn drop_from(&mut self, first: u64) -> u64 {
        let tail = self.pages.split_off(&first);
        tail.len() as u64
    }

    /// Copies `out.len()` bytes starting at byte `offset` into `out` (holes read as zero).
    pub fn read(&self, offset: u64, out: &mut [u8]) {
        let mut done = 0usize;
        while done < out.len() {
            let at = offset + done as u64;
            let (index, within) = (at / PAGE_SIZE, (at % PAGE_SIZE) as usize);
            let n = (PAGE_SIZE as usize - within).min(out.len() - done);
            match self.pages.get(&index) {
                Some(p) => out[done..done + n].copy_from_slice(&p[within..within + n]),
                None => out[done..done + n].fill(0),
            }
            done += n;
        }
    }

    /// Writes `data` at byte `offset`, creating pages as needed; returns how many pages were
    /// created. The caller has checked that `offset + data.len()` does not overflow.
    pub fn write(&mut self, offset: u64, data: &[u8]) -> u64 {
        let mut created = 0;
        let mut done = 0usize;
        while done < data.len() {
            let at = offset + done as u64;
            let (index, within) = (at / PAGE_SIZE, (at % PAGE_SIZE) as usize);
            let n = (PAGE_SIZE as usize - within).min(data.len() - done);
            let (page, new) = self.get_mut(index);
            page[within..within + n].copy_from_slice(&data[done..done + n]);
            created += new as u64;
            done += n;
        }
        created
    }

    /// Number of data pages with index in `range` (pages a write there would not create).
    pub fn count(&self, range: std::ops::Range<u64>) -> u64 {
        self.pages.range(range).count() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holes_read_as_zero_and_snapshots_are_copy_on_write() {
        let mut s = PageStore::default();
        assert_eq!(s.write(PAGE_SIZE * 1_000_000 + 4090, b"0123456789"), 2);
        assert_eq!(s.len(), 2);
        let snap = s.clone();
        assert_eq!(s.write(PAGE_SIZE * 1_000_000 + 4090, b"ab"), 0);
        let mut out = [1u8; 12];
        snap.read(PAGE_SIZE * 1_000_000 + 4089, &mut out);
        assert_eq!(&out, b"\x000123456789\x00");
        s.read(PAGE_SIZE * 1_000_000 + 4089, &mut out);
        assert_eq!(&out, b"\x00ab23456789\x00");
        assert_eq!(s.drop_from(1_000_001), 1);
        assert_eq!(s.count(0..u64::MAX), 1);
    }
}
