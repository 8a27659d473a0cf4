//! Residency and locking of the guest's pages: `mincore`, the mlock family and
//! `MADV_POPULATE_*`. A page is resident when the guest touched it since it was mapped or
//! discarded ([`perm::TOUCHED`]), or when its file holds the page: a function of what the
//! guest did, never of host paging.

use super::regions::lock;
use super::{GUEST_SPACE, GuestMemory, MapError, PAGE_SIZE, Region, page_span, perm};

/// Why pages could not be populated (mlock, MADV_POPULATE_*).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PopulateError {
    /// Part of the range is not mapped.
    Unmapped,
    /// A page cannot be faulted in: a `PROT_NONE` mapping, or a shared mapping's page past
    /// the end of its file (Linux's EFAULT from get_user_pages).
    Fault,
}

impl GuestMemory {
    /// The residency bytes (1 resident, 0 not) of up to `max` pages from the page-aligned
    /// `addr`, within the one mapping holding `addr` (Linux's `do_mincore`); `None` when
    /// nothing is mapped at `addr`. At most `max` entries: the caller bounds the work.
    pub fn residency(&self, addr: u64, max: u64) -> Option<Vec<u8>> {
        let r = self.regions.find(addr)?;
        let pages = ((r.end - addr) / PAGE_SIZE).min(max);
        let mut out = Vec::with_capacity(pages as usize);
        for i in 0..pages {
            let page = addr + i * PAGE_SIZE;
            out.push(self.page_resident(r, page) as u8);
        }
        Some(out)
    }

    /// True when `page` of `r` is resident.
    fn page_resident(&self, r: &Region, page: u64) -> bool {
        if self.perm_of(page) & perm::TOUCHED != 0 {
            return true;
        }
        if let Some((contents, index)) = r.shared_page(page) {
            let state = contents.lock();
            return index < state.page_count() && state.page(index).is_some();
        }
        r.file_page(page)
            .is_some_and(|(store, index)| store.get(index).is_some())
    }

    /// Marks the pages of `[addr, end)` (page aligned, mapped) resident as a fault would,
    /// mapping by mapping (Linux's `__mm_populate`): `ONFAULT`-locked mappings are skipped
    /// when `for_lock`; a `PROT_NONE` mapping, or a shared page past its file's end, stops
    /// with [`PopulateError::Fault`]; a gap with [`PopulateError::Unmapped`].
    pub fn populate_range(
        &mut self,
        addr: u64,
        end: u64,
        for_lock: bool,
    ) -> Result<(), PopulateError> {
        let end = end.min(GUEST_SPACE);
        let regions: Vec<(u64, u64, u8, u8, Option<u64>)> = self
            .regions
            .within(addr, end)
            .map(|r| {
                let s = r.start.max(addr);
                // The first page past the end of a shared mapping's file.
                let eof = r.shared_page(s).map(|(c, i)| {
                    let count = c.lock().page_count();
                    s + count.saturating_sub(i).saturating_mul(PAGE_SIZE)
                });
                (s, r.end.min(end), r.prot, r.lock, eof)
            })
            .collect();
        let mut at = addr;
        for (s, e, prot, flags, eof) in regions {
            if s > at {
                return Err(PopulateError::Unmapped);
            }
            at = e;
            if for_lock && flags & lock::ONFAULT != 0 {
                continue;
            }
            if prot & perm::RWX == 0 {
                return Err(PopulateError::Fault);
            }
            let stop = eof.map_or(e, |x| x.min(e));
            let mut page = s;
            while page < stop {
                let p = self.perm_of(page);
                self.set_perm(page, p | perm::TOUCHED);
                page += PAGE_SIZE;
            }
            if stop < e {
                return Err(PopulateError::Fault);
            }
        }
        if at < end {
            return Err(PopulateError::Unmapped);
        }
        Ok(())
    }

    /// Faults in every mapping that can be (mlockall's `mm_populate(0, TASK_SIZE)`,
    /// errors ignored).
    pub fn populate_range_all(&mut self) {
        let all: Vec<(u64, u64)> = self.regions.iter().map(|r| (r.start, r.end)).collect();
        for (s, e) in all {
            let _ = self.populate_range(s, e, true);
        }
    }

    /// Pages of all mappings (Linux's `total_vm`).
    pub fn total_pages(&self) -> u64 {
        self.regions
            .iter()
            .map(|r| (r.end - r.start) / PAGE_SIZE)
            .sum()
    }

    /// Locked pages (Linux's `locked_vm`).
    pub fn locked_pages(&self) -> u64 {
        self.regions
            .iter()
            .filter(|r| r.lock & lock::LOCKED != 0)
            .map(|r| (r.end - r.start) / PAGE_SIZE)
            .sum()
    }

    /// Locked pages inside `[addr, end)`.
    pub fn locked_pages_in(&self, addr: u64, end: u64) -> u64 {
        self.regions
            .within(addr, end)
            .filter(|r| r.lock & lock::LOCKED != 0)
            .map(|r| (r.end.min(end) - r.start.max(addr)) / PAGE_SIZE)
            .sum()
    }

    /// True when some mapping in `[addr, end)` is locked.
    pub fn any_locked(&self, addr: u64, end: u64) -> bool {
        self.regions
            .within(addr, end)
            .any(|r| r.lock & lock::LOCKED != 0)
    }

    /// Sets the lock flags of the mappings of `[addr, addr+len)` (page aligned) as Linux's
    /// `apply_vma_lock_flags` does: from the mapping holding `addr` through the adjacent
    /// ones; a gap (or nothing at `addr`) is [`MapError::NoMemory`], with the mappings
    /// before the gap changed.
    pub fn set_lock(&mut self, addr: u64, len: u64, flags: u8) -> Result<(), MapError> {
        let end = page_span(addr, len)?;
        if len == 0 {
            return Ok(());
        }
        let mut at = addr;
        let mut covered = addr;
        for r in self.regions.within(addr, end) {
            if r.start > at {
                break;
            }
            at = r.end;
            covered = r.end.min(end);
        }
        if covered > addr {
            self.check_splits(addr, covered)?;
            self.regions.set_lock(addr, covered, flags);
        }
        if covered < end {
            return Err(MapError::NoMemory);
        }
        Ok(())
    }

    /// Sets the lock flags of every mapping (mlockall's MCL_CURRENT, munlockall).
    pub fn set_lock_all(&mut self, flags: u8) {
        let all: Vec<(u64, u64)> = self.regions.iter().map(|r| (r.start, r.end)).collect();
        for (s, e) in all {
            self.regions.set_lock(s, e, flags);
        }
    }

    /// The lock flags new mappings get (mlockall's MCL_FUTURE).
    pub fn future_lock(&self) -> u8 {
        self.def_lock
    }

    /// Sets the lock flags new mappings get.
    pub fn set_future_lock(&mut self, flags: u8) {
        self.def_lock = flags;
    }
}
