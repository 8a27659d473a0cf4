//! The guest address space: one host reservation with the guest address mapped at a fixed
//! offset, a per-page permission byte, and the list of mapped regions (for mmap placement,
//! munmap/mprotect and `/proc/self/maps`).
//!
//! Every guest access goes through [`GuestMemory`]: the permission table makes a bad pointer
//! a [`MemFault`] (EFAULT for syscalls, a fault exit for the CPU), never a host crash.

mod commit;
mod pages;
mod regions;
mod residency;
mod resident;
mod shared;

pub use commit::{CommitLimit, DEFAULT_MAX_MEMORY};
pub use pages::{Page, PageStore};
pub use regions::{AnonNameError, FileBacking, Region, RegionKind, SharedMap, lock};
pub use residency::PopulateError;
pub use shared::{Contents, ContentsError, State as ContentsState};

use memmap2::{MmapMut, MmapOptions};
use std::cell::Cell;
use std::fmt;
use std::sync::Arc;

/// Guest page size (Linux riscv64 uses 4 KiB pages).
pub const PAGE_SIZE: u64 = 4096;
/// log2 of [`PAGE_SIZE`].
pub const PAGE_SHIFT: u32 = 12;
/// Size of the guest address space: the Sv39 user half, 256 GiB. Guest addresses at or above
/// this are never mapped.
pub const GUEST_SPACE: u64 = 1 << 38;
/// Number of guest pages (entries of the permission table).
const GUEST_PAGES: u64 = GUEST_SPACE >> PAGE_SHIFT;
/// Most mappings one address space holds (Linux's default `vm.max_map_count`); past it mmap,
/// and mprotect or munmap that would split a mapping, fail with ENOMEM.
pub const MAX_MAP_COUNT: usize = 65530;

/// Page permission bits in the permission table.
pub mod perm {
    /// Readable.
    pub const R: u8 = 1;
    /// Writable.
    pub const W: u8 = 2;
    /// Executable.
    pub const X: u8 = 4;
    /// The decode cache holds instructions from this page: a write must invalidate them.
    pub const CODE: u8 = 8;
    /// A page the guest has not touched since it was mapped (or discarded), or whose file
    /// contents must be (re)read: every access takes the slow path, which fills it from the
    /// region's file (a private [`FileBacking`](super::FileBacking) or shared
    /// [`Contents`](super::Contents)) and marks it [`TOUCHED`].
    pub const LAZY: u8 = 16;
    /// A page of a shared mapping: stores take the slow path, which writes them through to
    /// the shared contents.
    pub const SHARED: u8 = 32;
    /// The page was touched since it was mapped or discarded (`mincore` residency): a
    /// function of what the guest did, never of host paging.
    pub const TOUCHED: u8 = 64;
    /// R, W and X together.
    pub const RWX: u8 = R | W | X;
}

/// The end of the guest range `[addr, addr+len)` when it lies inside the guest space (no
/// wrap-around past 2^64, nothing at or above [`GUEST_SPACE`]).
pub const fn span_end(addr: u64, len: u64) -> Option<u64> {
    match addr.checked_add(len) {
        Some(end) if end <= GUEST_SPACE => Some(end),
        _ => None,
    }
}

/// Rounds `v` down to a page boundary.
pub const fn page_floor(v: u64) -> u64 {
    v & !(PAGE_SIZE - 1)
}

/// Rounds `v` up to a page boundary (saturating at the top of the u64 range).
pub const fn page_ceil(v: u64) -> u64 {
    match v.checked_add(PAGE_SIZE - 1) {
        Some(x) => x & !(PAGE_SIZE - 1),
        None => !(PAGE_SIZE - 1),
    }
}

/// What kind of access faulted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// A load.
    Read,
    /// A store (or an AMO).
    Write,
    /// An instruction fetch.
    Exec,
}

/// A guest access that the address space does not allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemFault {
    /// The first guest address that is not accessible.
    pub addr: u64,
    /// The kind of access.
    pub access: Access,
    /// True when the page is mapped but lacks the permission (SEGV_ACCERR), false when it is
    /// not mapped at all (SEGV_MAPERR).
    pub mapped: bool,
}

impl fmt::Display for MemFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.access {
            Access::Read => "read",
            Access::Write => "write",
            Access::Exec => "instruction fetch",
        };
        let why = if self.mapped {
            "permission denied"
        } else {
            "unmapped address"
        };
        write!(f, "{what} at 0x{:x}: {why}", self.addr)
    }
}

/// The result of a store that succeeded but hit a page whose decoded instructions are cached:
/// the caller must drop them (see [`GuestMemory::take_modified_code_pages`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreError {
    /// The store was not performed.
    Fault(MemFault),
    /// The store was performed, and it wrote to a page holding cached code.
    CodeModified,
}

/// A write the kernel side made to guest memory (syscall results, signal frames, mapped or
/// discarded pages), as opposed to a store instruction. Kept while
/// [`GuestMemory::log_writes`] is on, so that a trace can replay a run's memory effects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MemWrite {
    /// `data` was written at `addr`.
    Bytes {
        /// Where.
        addr: u64,
        /// What.
        data: Vec<u8>,
    },
    /// `[addr, addr+len)` now reads as zero (new mappings, `MADV_DONTNEED`).
    Zero {
        /// First byte.
        addr: u64,
        /// Bytes zeroed.
        len: u64,
    },
    /// `len` bytes were copied from `src` to `dst` (mremap moving a mapping).
    Copy {
        /// Source address.
        src: u64,
        /// Destination address.
        dst: u64,
        /// Bytes copied.
        len: u64,
    },
}

/// Why a mapping request could not be carried out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapError {
    /// The range is not page aligned or does not lie inside the guest space.
    BadRange,
    /// The commitment would pass `--max-memory`, or the number of mappings
    /// [`MAX_MAP_COUNT`] (ENOMEM for the guest).
    NoMemory,
}

impl fmt::Display for MapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MapError::BadRange => write!(f, "range outside the guest address space"),
            MapError::NoMemory => write!(f, "the guest memory limit (--max-memory) is reached"),
        }
    }
}

impl std::error::Error for MapError {}

/// The page-aligned range `[addr, addr+len)` inside the guest space, or [`MapError::BadRange`].
fn page_span(addr: u64, len: u64) -> Result<u64, MapError> {
    match span_end(addr, len) {
        Some(end) if addr.is_multiple_of(PAGE_SIZE) && len.is_multiple_of(PAGE_SIZE) => Ok(end),
        _ => Err(MapError::BadRange),
    }
}

/// The guest address space.
pub struct GuestMemory {
    /// Host address of guest address 0; the reservation behind it is [`GUEST_SPACE`] bytes.
    base: *mut u8,
    /// Host address of the permission byte of guest page 0; the table has [`GUEST_PAGES`]
    /// entries.
    perms: *mut u8,
    _space: MmapMut,
    _perm_table: MmapMut,
    regions: regions::RegionMap,
    /// The commitment budget shared with the filesystem (`--max-memory`).
    commit: Arc<CommitLimit>,
    /// Bytes this address space has charged to `commit` (accounted regions).
    committed: u64,
    /// Pages whose cached code was written since the CPU last looked.
    modified_code: Vec<u64>,
    /// The kernel side's writes since the last [`GuestMemory::take_logged_writes`], while
    /// logging is on. Instruction stores are never logged (the CPU's path stays untouched).
    write_log: Option<Vec<MemWrite>>,
    /// Some region may be a shared mapping (else [`GuestMemory::sync_shared`] has nothing
    /// to do).
    any_shared: bool,
    /// The address of the last access refused as a bus error (a shared mapping's page past
    /// the end of its file, or a page its file could not get), for the SIGBUS it raises.
    bus_fault: Cell<Option<u64>>,
    /// Lock flags new mappings get (mlockall's MCL_FUTURE).
    def_lock: u8,
}

// SAFETY: GuestMemory owns its maps; the raw pointers point into them and are only used by
// the one host thread that owns the value at a time.
unsafe impl Send for GuestMemory {}

impl Drop for GuestMemory {
    fn drop(&mut self) {
        self.commit.release(self.committed);
    }
}

impl GuestMemory {
    /// Reserves the whole guest address space with no cap on the commitment. Host memory is
    /// committed only for pages the guest touches.
    pub fn new() -> std::io::Result<GuestMemory> {
        GuestMemory::with_limit(Arc::new(CommitLimit::unlimited()))
    }

    /// Reserves the whole guest address space; writable mappings draw on `commit`.
    pub fn with_limit(commit: Arc<CommitLimit>) -> std::io::Result<GuestMemory> {
        let mut space = MmapOptions::new()
            .len(GUEST_SPACE as usize)
            .no_reserve_swap()
            .map_anon()?;
        let mut perm_table = MmapOptions::new()
            .len(GUEST_PAGES as usize)
            .no_reserve_swap()
            .map_anon()?;
        Ok(GuestMemory {
            base: space.as_mut_ptr(),
            perms: perm_table.as_mut_ptr(),
            _space: space,
            _perm_table: perm_table,
            regions: regions::RegionMap::default(),
            commit,
            committed: 0,
            modified_code: Vec::new(),
            write_log: None,
            any_shared: false,
            bus_fault: Cell::new(None),
            def_lock: 0,
        })
    }

    /// The commitment budget this address space draws on.
    pub fn commit_limit(&self) -> &Arc<CommitLimit> {
        &self.commit
    }

    /// Starts (or stops) logging the kernel side's writes (see [`MemWrite`]). Starting fills
    /// every lazy file page first, so that the log and the memory image say everything the
    /// guest can read.
    pub fn log_writes(&mut self, on: bool) {
        if on {
            self.populate_all();
        }
        self.write_log = on.then(Vec::new);
    }

    /// Number of writes logged since the last [`take_logged_writes`](Self::take_logged_writes).
    pub fn logged_writes(&self) -> usize {
        self.write_log.as_ref().map_or(0, Vec::len)
    }

    /// The writes logged since the last call, oldest first (empty when logging is off).
    pub fn take_logged_writes(&mut self) -> Vec<MemWrite> {
        self.write_log
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    #[inline]
    fn log_write(&mut self, write: impl FnOnce() -> MemWrite) {
        if let Some(log) = self.write_log.as_mut() {
            log.push(write());
        }
    }

    /// Permission byte of the page holding `addr` (0 at or above [`GUEST_SPACE`]).
    #[inline(always)]
    fn perm_of(&self, addr: u64) -> u8 {
        if addr >= GUEST_SPACE {
            return 0;
        }
        // SAFETY: addr < GUEST_SPACE (checked above), so the index is below GUEST_PAGES, the
        // table's length.
        unsafe { *self.perms.add((addr >> PAGE_SHIFT) as usize) }
    }

    /// Sets the permission byte of the page holding `addr` (ignored outside the guest space).
    #[inline(always)]
    fn set_perm(&self, addr: u64, p: u8) {
        if addr >= GUEST_SPACE {
            debug_assert!(false, "permission of 0x{addr:x} outside the guest space");
            return;
        }
        // SAFETY: addr < GUEST_SPACE (checked above), so the index is below GUEST_PAGES. The
        // table is only ever accessed through raw pointers, never through references, so a
        // write through `&self` aliases nothing.
        unsafe { *self.perms.add((addr >> PAGE_SHIFT) as usize) = p }
    }

    /// Permission bits of the page holding `addr` (0 when unmapped or out of range).
    pub fn page_perm(&self, addr: u64) -> u8 {
        self.perm_of(addr) & (perm::RWX | perm::CODE)
    }

    /// Linux's `access_ok`: the range `[addr, addr+len)` lies inside the user address space
    /// (checked before any copy, even for `len` 0, by read, write, readv, getrandom...).
    pub fn access_ok(addr: u64, len: u64) -> bool {
        span_end(addr, len).is_some()
    }

    /// Checks that `[addr, addr+len)` is entirely accessible with `need`; on failure names the
    /// first inaccessible byte. An empty range is always accessible and touches nothing.
    pub fn check_range(
        &self,
        addr: u64,
        len: u64,
        need: u8,
        access: Access,
    ) -> Result<(), MemFault> {
        if len == 0 {
            return Ok(());
        }
        let end = addr.saturating_add(len).min(GUEST_SPACE);
        let mut page = page_floor(addr);
        while page < end {
            let p = self.perm_of(page);
            if p & need != need {
                return Err(MemFault {
                    addr: page.max(addr),
                    access,
                    mapped: self.regions.find(page).is_some(),
                });
            }
            page += PAGE_SIZE;
        }
        if addr.checked_add(len).is_none_or(|e| e > GUEST_SPACE) {
            // Everything inside the guest space was accessible; the first byte past it is not.
            return Err(MemFault {
                addr: addr.max(GUEST_SPACE),
                access,
                mapped: false,
            });
        }
        Ok(())
    }

    /// Checks `[addr, addr+len)` for `need` and fills its lazy pages, so that the host
    /// bytes behind it are the guest's. Returns the range's end.
    fn prepare(&self, addr: u64, len: u64, need: u8, access: Access) -> Result<u64, MemFault> {
        self.check_range(addr, len, need, access)?;
        let end = addr + len; // check_range proved addr + len <= GUEST_SPACE
        let mut page = page_floor(addr);
        while page < end {
            if self.perm_of(page) & perm::LAZY != 0 && !self.populate(page, true) {
                let at = page.max(addr);
                self.bus_fault.set(Some(at));
                return Err(MemFault {
                    addr: at,
                    access,
                    mapped: true,
                });
            }
            page += PAGE_SIZE;
        }
        Ok(end)
    }

    /// Fills the lazy guest page `page` from its file (a shared mapping's contents page, or
    /// zeros for a hole there; a private mapping's file page when it has data). With
    /// `touch` the page becomes an ordinary [`perm::TOUCHED`] page; without (observation),
    /// it stays lazy. False for a shared mapping's page past the end of its contents (a
    /// bus error; nothing changes).
    #[cold]
    fn populate(&self, page: u64, touch: bool) -> bool {
        let p = self.perm_of(page);
        if p & perm::LAZY == 0 {
            return true;
        }
        debug_assert!(page < GUEST_SPACE && page.is_multiple_of(PAGE_SIZE));
        let region = self.regions.find(page);
        if let Some((contents, index)) = region.and_then(|r| r.shared_page(page)) {
            let state = contents.lock();
            if index >= state.page_count() {
                return false;
            }
            match state.page(index) {
                Some(data) => self.fill(page, data),
                None => self.fill(page, &[0; PAGE_SIZE as usize]),
            }
        } else if let Some((store, index)) = region.and_then(|r| r.file_page(page))
            && let Some(data) = store.get(index)
        {
            self.fill(page, data);
        }
        if touch {
            self.set_perm(page, (p & !perm::LAZY) | perm::TOUCHED);
        }
        true
    }

    /// Copies `data` into the host page of the lazy guest page `page`.
    fn fill(&self, page: u64, data: &Page) {
        debug_assert!(self.perm_of(page) & perm::LAZY != 0);
        // SAFETY: `page` is a page-aligned guest address whose permission byte is set, so
        // page < GUEST_SPACE and the whole page lies inside the reservation. A LAZY page is
        // never lent out as a reference (every path that hands out host views calls
        // `prepare` first, which clears LAZY; `peek` and the digest walk read lazy pages
        // only from their files), so writing it through the raw pointer from `&self`
        // aliases no live reference.
        unsafe {
            std::ptr::copy_nonoverlapping(
                data.as_ptr(),
                self.base.add(page as usize),
                PAGE_SIZE as usize,
            )
        };
    }

    /// Fills every lazy page of every file mapping that has data (they stay lazy).
    fn populate_all(&mut self) {
        let pages: Vec<u64> = self
            .regions
            .iter()
            .flat_map(|r| self.file_data_pages(r))
            .collect();
        for page in pages {
            self.populate(page, false);
        }
    }

    /// The guest pages of `r` whose file page holds data.
    fn file_data_pages(&self, r: &Region) -> Vec<u64> {
        let n = (r.end - r.start) / PAGE_SIZE;
        let at = |first: u64, i: u64| r.start + (i - first) * PAGE_SIZE;
        if let Some(m) = &r.shared {
            let state = m.contents.lock();
            let last = (m.page_offset + n).min(state.page_count());
            return state
                .pages()
                .range(m.page_offset..last.max(m.page_offset))
                .map(|(i, _)| at(m.page_offset, i))
                .collect();
        }
        match &r.backing {
            Some(b) => b
                .pages
                .range(b.page_offset..b.page_offset + n)
                .map(|(i, _)| at(b.page_offset, i))
                .collect(),
            None => Vec::new(),
        }
    }

    /// Takes the address of the last access refused as a bus error, if it is `addr` (the
    /// fault the CPU or a syscall reports): the signal is SIGBUS, not SIGSEGV.
    pub fn take_bus_fault(&self, addr: u64) -> bool {
        self.bus_fault.take() == Some(addr)
    }

    /// True when an access of `size` bytes at `addr` stays in one page that has all of `need`
    /// and none of `deny`.
    #[inline(always)]
    fn fast_ok(&self, addr: u64, size: u64, need: u8, deny: u8) -> bool {
        if addr >= GUEST_SPACE || (addr & (PAGE_SIZE - 1)) > PAGE_SIZE - size {
            return false;
        }
        // SAFETY: addr < GUEST_SPACE (checked above), so the index is below GUEST_PAGES,
        // the table's length. (The hot path's own check; perm_of would repeat it.)
        let p = unsafe { *self.perms.add((addr >> PAGE_SHIFT) as usize) };
        p & (need | deny) == need
    }

    /// Loads a little-endian value of `N` bytes.
    #[inline(always)]
    fn load<const N: usize>(&self, addr: u64) -> Result<[u8; N], MemFault> {
        if self.fast_ok(addr, N as u64, perm::R, perm::LAZY) {
            // SAFETY: fast_ok proved addr < GUEST_SPACE and that the N bytes stay in one
            // readable, filled page, so they lie inside the reservation.
            return Ok(unsafe {
                std::ptr::read_unaligned(self.base.add(addr as usize) as *const [u8; N])
            });
        }
        self.load_slow(addr)
    }

    #[inline(never)]
    fn load_slow<const N: usize>(&self, addr: u64) -> Result<[u8; N], MemFault> {
        self.prepare(addr, N as u64, perm::R, Access::Read)?;
        // SAFETY: prepare proved [addr, addr+N) readable and inside the guest space.
        Ok(unsafe { std::ptr::read_unaligned(self.base.add(addr as usize) as *const [u8; N]) })
    }

    /// Stores a value of `N` bytes.
    #[inline(always)]
    fn store<const N: usize>(&mut self, addr: u64, v: [u8; N]) -> Result<(), StoreError> {
        if self.fast_ok(
            addr,
            N as u64,
            perm::W,
            perm::CODE | perm::LAZY | perm::SHARED,
        ) {
            // SAFETY: fast_ok proved addr < GUEST_SPACE and that the N bytes stay in one
            // writable, filled page, so they lie inside the reservation.
            unsafe { std::ptr::write_unaligned(self.base.add(addr as usize) as *mut [u8; N], v) };
            return Ok(());
        }
        self.store_slow(addr, v)
    }

    #[inline(never)]
    fn store_slow<const N: usize>(&mut self, addr: u64, v: [u8; N]) -> Result<(), StoreError> {
        if let Err(f) = self.prepare(addr, N as u64, perm::W, Access::Write) {
            return Err(StoreError::Fault(f));
        }
        if let Err(f) = self.write_through(addr, &v) {
            return Err(StoreError::Fault(f));
        }
        let code = self.note_code_writes(addr, N as u64);
        // SAFETY: prepare proved [addr, addr+N) writable and inside the guest space.
        unsafe { std::ptr::write_unaligned(self.base.add(addr as usize) as *mut [u8; N], v) };
        if code {
            Err(StoreError::CodeModified)
        } else {
            Ok(())
        }
    }

    /// Records the code pages in `[addr, addr+len)` as modified and clears their CODE bit.
    /// Returns whether there were any. Nothing happens for an empty range or for the part of
    /// the range outside the guest space.
    fn note_code_writes(&mut self, addr: u64, len: u64) -> bool {
        if len == 0 {
            return false;
        }
        let end = addr.saturating_add(len).min(GUEST_SPACE);
        let mut any = false;
        let mut page = page_floor(addr);
        while page < end {
            let p = self.perm_of(page);
            if p & perm::CODE != 0 {
                self.set_perm(page, p & !perm::CODE);
                self.modified_code.push(page);
                any = true;
            }
            page += PAGE_SIZE;
        }
        any
    }

    /// Marks the page holding `addr` as holding cached decoded instructions.
    pub fn mark_code_page(&mut self, addr: u64) {
        let p = self.perm_of(addr);
        if p != 0 {
            self.set_perm(addr, p | perm::CODE);
        }
    }

    /// Pages whose cached code was modified (by stores, syscalls, munmap or mprotect) since the
    /// last call; the decode cache must drop what it holds for them.
    pub fn take_modified_code_pages(&mut self) -> Vec<u64> {
        std::mem::take(&mut self.modified_code)
    }

    /// True when [`take_modified_code_pages`](Self::take_modified_code_pages) has pages.
    #[inline(always)]
    pub fn has_modified_code(&self) -> bool {
        !self.modified_code.is_empty()
    }

    /// Fetches a 16-bit instruction parcel (checks execute permission).
    #[inline(always)]
    pub fn fetch_u16(&self, addr: u64) -> Result<u16, MemFault> {
        if self.fast_ok(addr, 2, perm::X, perm::LAZY) {
            // SAFETY: fast_ok proved addr < GUEST_SPACE and both bytes in one executable,
            // filled page inside the reservation.
            return Ok(u16::from_le(unsafe {
                std::ptr::read_unaligned(self.base.add(addr as usize) as *const u16)
            }));
        }
        self.prepare(addr, 2, perm::X, Access::Exec)?;
        // SAFETY: prepare proved both bytes executable and inside the guest space.
        Ok(u16::from_le(unsafe {
            std::ptr::read_unaligned(self.base.add(addr as usize) as *const u16)
        }))
    }

    /// Loads a byte.
    #[inline(always)]
    pub fn read_u8(&self, addr: u64) -> Result<u8, MemFault> {
        self.load::<1>(addr).map(|b| b[0])
    }
    /// Loads a little-endian u16.
    #[inline(always)]
    pub fn read_u16(&self, addr: u64) -> Result<u16, MemFault> {
        self.load::<2>(addr).map(u16::from_le_bytes)
    }
    /// Loads a little-endian u32.
    #[inline(always)]
    pub fn read_u32(&self, addr: u64) -> Result<u32, MemFault> {
        self.load::<4>(addr).map(u32::from_le_bytes)
    }
    /// Loads a little-endian u64.
    #[inline(always)]
    pub fn read_u64(&self, addr: u64) -> Result<u64, MemFault> {
        self.load::<8>(addr).map(u64::from_le_bytes)
    }
    /// Stores a byte.
    #[inline(always)]
    pub fn write_u8(&mut self, addr: u64, v: u8) -> Result<(), StoreError> {
        self.store(addr, [v])
    }
    /// Stores a little-endian u16.
    #[inline(always)]
    pub fn write_u16(&mut self, addr: u64, v: u16) -> Result<(), StoreError> {
        self.store(addr, v.to_le_bytes())
    }
    /// Stores a little-endian u32.
    #[inline(always)]
    pub fn write_u32(&mut self, addr: u64, v: u32) -> Result<(), StoreError> {
        self.store(addr, v.to_le_bytes())
    }
    /// Stores a little-endian u64.
    #[inline(always)]
    pub fn write_u64(&mut self, addr: u64, v: u64) -> Result<(), StoreError> {
        self.store(addr, v.to_le_bytes())
    }

    /// Copies guest bytes out (syscall use: checks read permission for the whole range). An
    /// empty `out` touches nothing, whatever `addr` is.
    pub fn read_bytes(&self, addr: u64, out: &mut [u8]) -> Result<(), MemFault> {
        if out.is_empty() {
            return Ok(());
        }
        self.prepare(addr, out.len() as u64, perm::R, Access::Read)?;
        // SAFETY: prepare proved [addr, addr+len) readable and inside the guest space; `out`
        // is a distinct host buffer.
        unsafe {
            std::ptr::copy_nonoverlapping(self.base.add(addr as usize), out.as_mut_ptr(), out.len())
        };
        Ok(())
    }

    /// Reads `len` guest bytes into a new vector. The range is checked before anything is
    /// allocated.
    pub fn read_vec(&self, addr: u64, len: usize) -> Result<Vec<u8>, MemFault> {
        self.check_range(addr, len as u64, perm::R, Access::Read)?;
        let mut v = vec![0; len];
        self.read_bytes(addr, &mut v)?;
        Ok(v)
    }

    /// Copies bytes into guest memory (syscall use: checks write permission for the whole
    /// range and records modified code pages). Empty `data` touches nothing.
    pub fn write_bytes(&mut self, addr: u64, data: &[u8]) -> Result<(), MemFault> {
        if data.is_empty() {
            return Ok(());
        }
        self.prepare(addr, data.len() as u64, perm::W, Access::Write)?;
        self.write_through(addr, data)?;
        self.note_code_writes(addr, data.len() as u64);
        // SAFETY: prepare proved [addr, addr+len) writable and inside the guest space; `data`
        // is a distinct host buffer.
        unsafe {
            std::ptr::copy_nonoverlapping(data.as_ptr(), self.base.add(addr as usize), data.len())
        };
        self.log_write(|| MemWrite::Bytes {
            addr,
            data: data.to_vec(),
        });
        Ok(())
    }

    /// Reads a NUL-terminated string of at most `max` bytes (without the NUL). Returns
    /// `Ok(None)` when no NUL appears within `max` bytes (ENAMETOOLONG for paths).
    pub fn read_cstr(&self, addr: u64, max: usize) -> Result<Option<Vec<u8>>, MemFault> {
        let mut out = Vec::new();
        let mut a = addr;
        while out.len() < max {
            // Read up to the end of the current page in one go (no overflow near 2^64).
            let chunk = ((PAGE_SIZE - (a & (PAGE_SIZE - 1))) as usize).min(max - out.len());
            let bytes = self.slice(a, chunk)?;
            if let Some(n) = bytes.iter().position(|&b| b == 0) {
                out.extend_from_slice(&bytes[..n]);
                return Ok(Some(out));
            }
            out.extend_from_slice(bytes);
            a = a.wrapping_add(chunk as u64);
        }
        Ok(None)
    }

    /// Host view of readable guest bytes, for bulk reads. Empty for `len` 0.
    pub fn slice(&self, addr: u64, len: usize) -> Result<&[u8], MemFault> {
        if len == 0 {
            return Ok(&[]);
        }
        self.prepare(addr, len as u64, perm::R, Access::Read)?;
        // SAFETY: prepare proved [addr, addr+len) readable, filled and inside the
        // reservation; &self keeps the reservation alive, and `&mut self` methods (the only
        // writers besides `populate`, which skips filled pages) cannot run while it is lent.
        Ok(unsafe { std::slice::from_raw_parts(self.base.add(addr as usize), len) })
    }

    /// Host view of guest bytes ignoring page permissions (state digests of run receipts,
    /// which hash every mapped region, `PROT_NONE` ones included). `None` when the range
    /// does not lie inside the guest space.
    pub fn peek(&self, addr: u64, len: usize) -> Option<&[u8]> {
        let end = span_end(addr, len as u64)?;
        if len == 0 {
            return Some(&[]);
        }
        let mut page = page_floor(addr);
        while page < end {
            self.populate(page, false);
            page += PAGE_SIZE;
        }
        // SAFETY: span_end proved the range inside the reservation, and its lazy pages were
        // filled above; &self keeps it alive.
        Some(unsafe { std::slice::from_raw_parts(self.base.add(addr as usize), len) })
    }

    /// Calls `f(page, bytes)` for every page of `[start, end)` (page aligned, inside the guest
    /// space) that may hold non-zero bytes, in address order, ignoring permissions; the pages
    /// skipped read as zero. Lazy pages are reported with their file contents without being
    /// filled. Cheap for large, mostly untouched ranges.
    pub fn for_each_data_page(&self, start: u64, end: u64, mut f: impl FnMut(u64, &[u8])) {
        let (start, end) = (page_floor(start), page_ceil(end.min(GUEST_SPACE)));
        if start >= end {
            return;
        }
        let residency = resident::Residency::open();
        // Collect first: the lazy pages' file contents come from the regions.
        let mut pages = Vec::new();
        // SAFETY: start < end <= GUEST_SPACE, so the address lies inside the reservation.
        let host = unsafe { self.base.add(start as usize) } as usize;
        residency.for_each_possibly_dirty(host, (end - start) / PAGE_SIZE, |i| {
            pages.push(start + i * PAGE_SIZE)
        });
        for r in self
            .regions
            .iter()
            .filter(|r| r.start < end && r.end > start)
        {
            if r.backing.is_none() && r.shared.is_none() {
                continue;
            }
            let mut page = r.start.max(start);
            while page < r.end.min(end) {
                if self.perm_of(page) & perm::LAZY != 0 {
                    pages.push(page);
                }
                page += PAGE_SIZE;
            }
        }
        pages.sort_unstable();
        pages.dedup();
        for page in pages {
            if self.perm_of(page) & perm::LAZY != 0 {
                let region = self.regions.find(page);
                if let Some((contents, index)) = region.and_then(|r| r.shared_page(page)) {
                    if let Some(data) = contents.lock().page(index) {
                        f(page, data);
                    }
                } else if let Some(data) = region
                    .and_then(|r| r.file_page(page))
                    .and_then(|(s, i)| s.get(i))
                {
                    f(page, data);
                }
                continue;
            }
            // SAFETY: page is page aligned and below GUEST_SPACE (start <= page < end), so the
            // whole page lies inside the reservation; it is not lazy, so nothing fills it
            // while the view is alive.
            f(page, unsafe {
                std::slice::from_raw_parts(self.base.add(page as usize), PAGE_SIZE as usize)
            });
        }
    }

    /// Writes bytes ignoring page permissions (loader and kernel use, e.g. filling a
    /// read-only segment). Fails when the range does not lie inside the guest space.
    pub fn poke(&mut self, addr: u64, data: &[u8]) -> Result<(), MapError> {
        let end = span_end(addr, data.len() as u64).ok_or(MapError::BadRange)?;
        if data.is_empty() {
            return Ok(());
        }
        let mut page = page_floor(addr);
        while page < end {
            self.populate(page, true);
            page += PAGE_SIZE;
        }
        self.write_through(addr, data)
            .map_err(|_| MapError::NoMemory)?;
        self.note_code_writes(addr, data.len() as u64);
        // SAFETY: span_end proved the range inside the reservation; `data` is a host buffer.
        unsafe {
            std::ptr::copy_nonoverlapping(data.as_ptr(), self.base.add(addr as usize), data.len())
        };
        self.log_write(|| MemWrite::Bytes {
            addr,
            data: data.to_vec(),
        });
        Ok(())
    }

    // ---- mapping ----

    /// Maps `[addr, addr+len)` (page aligned) with permissions `prot` (perm bits), replacing
    /// whatever was there; the new pages read as zero. Writable mappings count against the
    /// commitment: past `--max-memory` nothing changes and the result is
    /// [`MapError::NoMemory`].
    pub fn map_fixed(
        &mut self,
        addr: u64,
        len: u64,
        prot: u8,
        kind: RegionKind,
    ) -> Result<(), MapError> {
        self.map_region(Region::new(addr, addr.wrapping_add(len), prot, kind), len)
    }

    /// Maps `[addr, addr+len)` as a private mapping of a file whose pages are `backing`:
    /// pages that hold file data are filled from it when the guest first touches them, holes
    /// read as zero and cost nothing.
    pub fn map_file(
        &mut self,
        addr: u64,
        len: u64,
        prot: u8,
        kind: RegionKind,
        backing: FileBacking,
    ) -> Result<(), MapError> {
        let mut region = Region::new(addr, addr.wrapping_add(len), prot, kind);
        region.backing = Some(backing);
        self.map_region(region, len)?;
        self.log_file_pages(addr);
        Ok(())
    }

    /// Maps `[addr, addr+len)` as a shared mapping of `map.contents`: every page reads what
    /// the contents hold (a bus error past their end), and stores write through to them. A
    /// shared file mapping is not charged to the commitment (the file's pages are, as they
    /// are made); a shared anonymous one is charged whole when writable, like a private one.
    pub fn map_shared(
        &mut self,
        addr: u64,
        len: u64,
        prot: u8,
        kind: RegionKind,
        mut map: SharedMap,
    ) -> Result<(), MapError> {
        map.seen = map.contents.lock().version();
        let mut region = Region::new(addr, addr.wrapping_add(len), prot, kind);
        region.shared = Some(map);
        self.any_shared = true;
        self.map_region(region, len)?;
        self.log_file_pages(addr);
        Ok(())
    }

    /// Observed runs see every byte the guest can read in the log: the file pages of the
    /// region just mapped at `addr`.
    fn log_file_pages(&mut self, addr: u64) {
        if self.write_log.is_none() {
            return;
        }
        let Some(r) = self.regions.find(addr) else {
            return;
        };
        for page in self.file_data_pages(&r.clone()) {
            self.populate(page, false);
            let data = self.peek(page, PAGE_SIZE as usize).unwrap_or(&[]).to_vec();
            self.log_write(|| MemWrite::Bytes { addr: page, data });
        }
    }

    fn map_region(&mut self, region: Region, len: u64) -> Result<(), MapError> {
        let (addr, prot) = (region.start, region.prot);
        let end = page_span(addr, len)?;
        if len == 0 {
            return Ok(());
        }
        if self.regions.len() > MAX_MAP_COUNT {
            return Err(MapError::NoMemory);
        }
        // Charge first, so that a refused mapping leaves the old one in place. A shared
        // file mapping counts as accounted without a charge (its file's pages are charged).
        let shared_file = region.is_shared_file();
        let accounted = prot & perm::W != 0 || shared_file;
        if accounted && !shared_file && !self.charge(len) {
            return Err(MapError::NoMemory);
        }
        self.release(addr, end);
        let extra = if region.shared.is_some() {
            perm::SHARED
        } else {
            0
        };
        self.regions.insert(Region {
            end,
            accounted,
            opened: prot & perm::RWX != 0,
            lock: self.def_lock,
            ..region
        });
        // Released pages have permission 0 already: a PROT_NONE reservation (Go reserves
        // hundreds of GiB that way) costs no walk over its pages.
        if prot & perm::RWX != 0 {
            self.set_range_perm(addr, end, prot | extra, false);
        }
        self.log_write(|| MemWrite::Zero { addr, len });
        Ok(())
    }

    /// Charges `bytes` to the commitment.
    fn charge(&mut self, bytes: u64) -> bool {
        let ok = self.commit.try_charge(bytes);
        if ok {
            self.committed += bytes;
        }
        ok
    }

    /// Returns `bytes` of this address space's commitment.
    fn uncharge(&mut self, bytes: u64) {
        let bytes = bytes.min(self.committed);
        self.committed -= bytes;
        self.commit.release(bytes);
    }

    /// Unmaps `[addr, addr+len)` (page aligned): the pages become inaccessible and their host
    /// memory is returned.
    pub fn unmap(&mut self, addr: u64, len: u64) -> Result<(), MapError> {
        let end = page_span(addr, len)?;
        self.check_splits(addr, end)?;
        self.release(addr, end);
        Ok(())
    }

    /// ENOMEM when splitting the mappings at the edges of `[addr, end)` would pass
    /// [`MAX_MAP_COUNT`].
    fn check_splits(&self, addr: u64, end: u64) -> Result<(), MapError> {
        let splits = self.regions.splits(addr, end);
        if splits > 0 && self.regions.len() + splits > MAX_MAP_COUNT {
            return Err(MapError::NoMemory);
        }
        Ok(())
    }

    /// Drops regions, permissions and contents in `[addr, end)` (checked by the caller with
    /// [`page_span`]). Only the pages of the mappings removed are touched (pages outside
    /// every mapping have permission 0 and no contents already), so unmapping a huge,
    /// mostly empty range costs what was mapped there.
    fn release(&mut self, addr: u64, end: u64) {
        if addr >= end {
            return;
        }
        for r in self.regions.remove(addr, end) {
            if r.accounted && !r.is_shared_file() {
                self.uncharge(r.end - r.start);
            }
            // A region that was never accessible has all-zero permission bytes already (no
            // access, no lazy page, no cached code).
            if r.opened || r.prot & perm::RWX != 0 {
                self.set_range_perm(r.start, r.end, 0, false);
            }
            self.zero_host(r.start, r.end);
        }
    }

    /// Returns the host memory behind `[addr, end)` (page aligned, inside the guest space):
    /// the pages read back as zero.
    fn zero_host(&mut self, addr: u64, end: u64) {
        debug_assert!(page_span(addr, end - addr).is_ok());
        if addr >= end || end > GUEST_SPACE {
            return;
        }
        // SAFETY: addr < end <= GUEST_SPACE (checked above), page aligned: the range lies
        // inside the reservation. MADV_DONTNEED on a private anonymous mapping makes the
        // pages read back as zero; no reference into them is alive (`&mut self`).
        unsafe {
            libc::madvise(
                self.base.add(addr as usize) as *mut libc::c_void,
                (end - addr) as usize,
                libc::MADV_DONTNEED,
            );
        }
    }

    /// Makes the pages of `[addr, addr+len)` (page aligned) read as they did when mapped,
    /// keeping their mapping and permissions (madvise(MADV_DONTNEED): private anonymous
    /// pages read as zero again, private file pages as the file, shared pages as their
    /// contents, which keep what was stored). The pages count as untouched again.
    pub fn discard(&mut self, addr: u64, len: u64) -> Result<(), MapError> {
        let end = page_span(addr, len)?;
        if len == 0 {
            return Ok(());
        }
        self.note_code_writes(addr, len);
        self.zero_host(addr, end);
        self.log_write(|| MemWrite::Zero { addr, len });
        let mut page = addr;
        while page < end {
            let p = self.perm_of(page);
            if p & perm::RWX != 0 {
                self.set_perm(page, (p & (perm::RWX | perm::SHARED)) | perm::LAZY);
            } else if p != 0 {
                self.set_perm(page, 0);
            }
            page += PAGE_SIZE;
        }
        if self.write_log.is_some() {
            let regions: Vec<Region> = self.regions.within(addr, end).cloned().collect();
            for r in regions {
                for page in self.file_data_pages(&r) {
                    if page >= addr && page < end {
                        self.populate(page, false);
                        let data = self.peek(page, PAGE_SIZE as usize).unwrap_or(&[]).to_vec();
                        self.log_write(|| MemWrite::Bytes { addr: page, data });
                    }
                }
            }
        }
        Ok(())
    }

    /// Makes `[addr, addr+len)` of a shared mapping a hole in its contents (MADV_REMOVE):
    /// every mapping of those pages reads zeros. False (nothing done) unless the whole range
    /// lies in shared mappings.
    pub fn remove_shared(&mut self, addr: u64, len: u64) -> Result<bool, MapError> {
        let end = page_span(addr, len)?;
        let regions: Vec<Region> = self.regions.within(addr, end).cloned().collect();
        if !self.regions.covers(addr, end) || regions.iter().any(|r| r.shared.is_none()) {
            return Ok(false);
        }
        for r in regions {
            let (s, e) = (r.start.max(addr), r.end.min(end));
            let (contents, first) = r.shared_page(s).expect("shared region");
            contents
                .lock()
                .punch_hole(first * PAGE_SIZE, (e - s) / PAGE_SIZE * PAGE_SIZE);
        }
        self.sync_shared();
        Ok(true)
    }

    /// Moves the mappings of `[src, src+len)` to `dst` (mremap): each region piece keeps its
    /// kind, permissions, file backing, commitment and contents (lazy pages stay lazy), and
    /// the source range is unmapped. Both ranges must be page aligned, inside the guest space
    /// and disjoint, and the source must be mapped throughout.
    pub fn move_mapping(&mut self, src: u64, dst: u64, len: u64) -> Result<(), MapError> {
        let (src_end, dst_end) = (page_span(src, len)?, page_span(dst, len)?);
        if len == 0 {
            return Ok(());
        }
        if (src < dst_end && dst < src_end) || !self.regions.covers(src, src_end) {
            return Err(MapError::BadRange);
        }
        // The destination's old mappings go; the moved pieces keep their own commitment.
        self.release(dst, dst_end);
        let pieces = self.regions.remove(src, src_end);
        let perms: Vec<u8> = (src..src_end)
            .step_by(PAGE_SIZE as usize)
            .map(|p| self.perm_of(p) & !perm::CODE)
            .collect();
        // Cached code of the source pages is no longer valid at either address.
        self.set_range_perm(src, src_end, 0, false);
        // SAFETY: both ranges were checked by page_span to lie inside the reservation, they
        // are disjoint (checked above), and no reference into guest memory is alive
        // (`&mut self`).
        unsafe {
            std::ptr::copy_nonoverlapping(
                self.base.add(src as usize),
                self.base.add(dst as usize),
                len as usize,
            )
        };
        self.log_write(|| MemWrite::Copy { src, dst, len });
        self.zero_host(src, src_end);
        for piece in pieces {
            let at = dst + (piece.start - src);
            self.regions.insert(Region {
                start: at,
                end: at + (piece.end - piece.start),
                ..piece
            });
        }
        for (i, p) in perms.into_iter().enumerate() {
            self.set_perm(dst + i as u64 * PAGE_SIZE, p);
        }
        Ok(())
    }

    /// Writes a store's bytes at `addr` through to the shared contents behind the pages of
    /// `[addr, addr+data.len())` that are shared (the range was checked by `prepare`), and
    /// into the other mappings of the same contents pages. A page the contents cannot get
    /// (the commitment is used up) is a bus error.
    fn write_through(&mut self, addr: u64, data: &[u8]) -> Result<(), MemFault> {
        let mut done = 0usize;
        while done < data.len() {
            let at = addr + done as u64;
            let within = (at % PAGE_SIZE) as usize;
            let n = (PAGE_SIZE as usize - within).min(data.len() - done);
            let page = page_floor(at);
            if self.perm_of(page) & perm::SHARED != 0 {
                self.write_through_page(page, within, &data[done..done + n])?;
            }
            done += n;
        }
        Ok(())
    }

    /// [`write_through`](Self::write_through) for the bytes in one page.
    #[cold]
    fn write_through_page(
        &mut self,
        page: u64,
        within: usize,
        bytes: &[u8],
    ) -> Result<(), MemFault> {
        let Some((contents, index)) = self
            .regions
            .find(page)
            .and_then(|r| r.shared_page(page))
            .map(|(c, i)| (c.clone(), i))
        else {
            return Ok(());
        };
        let stored = {
            let mut state = contents.lock();
            if index >= state.page_count() {
                Err(())
            } else {
                state
                    .store(index, within, bytes, &self.commit)
                    .map_err(|_| ())
            }
        };
        if stored.is_err() {
            let at = page + within as u64;
            self.bus_fault.set(Some(at));
            return Err(MemFault {
                addr: at,
                access: Access::Write,
                mapped: true,
            });
        }
        // Other mappings of the same contents (aliases): only when something besides this
        // region and the clone above holds the contents (a file, or another region).
        if Arc::strong_count(&contents) > 2 {
            let aliases: Vec<u64> = self
                .regions
                .shared()
                .filter_map(|r| {
                    let m = r.shared.as_ref()?;
                    let pages = (r.end - r.start) / PAGE_SIZE;
                    (Arc::ptr_eq(&m.contents, &contents)
                        && index >= m.page_offset
                        && index - m.page_offset < pages)
                        .then(|| r.start + (index - m.page_offset) * PAGE_SIZE)
                })
                .filter(|&a| a != page)
                .collect();
            for alias in aliases {
                let p = self.perm_of(alias);
                if p & perm::LAZY == 0 && p & perm::RWX != 0 {
                    self.note_code_writes(alias + within as u64, bytes.len() as u64);
                    // SAFETY: `alias` is a page-aligned guest address of a mapped region
                    // (below GUEST_SPACE), `within + bytes.len() <= PAGE_SIZE`; no reference
                    // into guest memory is alive (`&mut self`).
                    unsafe {
                        std::ptr::copy_nonoverlapping(
                            bytes.as_ptr(),
                            self.base.add((alias as usize) + within),
                            bytes.len(),
                        )
                    };
                }
            }
        }
        Ok(())
    }

    /// Brings the shared mappings up to date with what their files changed (write,
    /// truncate...) since they last looked: the pages changed become lazy and are re-read
    /// on their next access (a bus error if past the end). Called before the guest runs
    /// again after a syscall; cheap when nothing is shared.
    pub fn sync_shared(&mut self) {
        if !self.any_shared {
            return;
        }
        let mut stale = Vec::new();
        let mut any = false;
        self.regions.for_each_shared_mut(|r| {
            let Some(m) = r.shared.as_mut() else {
                return;
            };
            any = true;
            let state = m.contents.lock();
            let version = state.version();
            if version == m.seen {
                return;
            }
            let pages = (r.end - r.start) / PAGE_SIZE;
            let (first, end) = state.changed_since(m.seen).unwrap_or((0, u64::MAX));
            drop(state);
            m.seen = version;
            let lo = first.max(m.page_offset);
            let hi = end.min(m.page_offset + pages);
            if lo < hi {
                stale.push((
                    r.start + (lo - m.page_offset) * PAGE_SIZE,
                    r.start + (hi - m.page_offset) * PAGE_SIZE,
                ));
            }
        });
        self.any_shared = any;
        for (s, e) in stale {
            self.note_code_writes(s, e - s);
            let mut page = s;
            while page < e {
                let p = self.perm_of(page);
                if p & perm::RWX != 0 {
                    self.set_perm(page, p | perm::LAZY);
                }
                page += PAGE_SIZE;
            }
        }
    }

    /// Names the anonymous regions in `[start, end)` (see `RegionMap::set_anon_name`).
    pub fn set_anon_name(
        &mut self,
        start: u64,
        end: u64,
        name: Option<std::sync::Arc<str>>,
    ) -> Result<(), AnonNameError> {
        self.regions.set_anon_name(start, end, name)
    }

    /// The region containing `addr`, if any.
    pub fn region_at(&self, addr: u64) -> Option<&Region> {
        self.regions.find(addr)
    }

    /// The regions overlapping `[addr, end)`, in address order.
    pub fn regions_within(&self, addr: u64, end: u64) -> impl Iterator<Item = &Region> {
        self.regions.within(addr, end)
    }

    /// Changes the permissions of `[addr, addr+len)` (page aligned, must be mapped). Making
    /// a region writable for the first time counts it against the commitment
    /// ([`MapError::NoMemory`] past `--max-memory`, nothing changed).
    pub fn protect(&mut self, addr: u64, len: u64, prot: u8) -> Result<(), MapError> {
        let end = page_span(addr, len)?;
        if len == 0 {
            return Ok(());
        }
        self.check_splits(addr, end)?;
        if prot & perm::W != 0 {
            let more = self.regions.unaccounted(addr, end);
            if more > 0 {
                if !self.charge(more) {
                    return Err(MapError::NoMemory);
                }
                self.regions.set_accounted(addr, end);
            }
        }
        self.regions.set_prot(addr, end, prot);
        let pieces: Vec<(u64, u64, bool)> = self
            .regions
            .within(addr, end)
            .map(|r| (r.start.max(addr), r.end.min(end), r.shared.is_some()))
            .collect();
        for (s, e, shared) in pieces {
            let extra = if shared { perm::SHARED } else { 0 };
            self.set_range_perm(s, e, prot | extra, true);
        }
        Ok(())
    }

    /// Sets the permission bytes of `[addr, end)` (page aligned, inside the guest space) for
    /// permissions `prot` (with [`perm::SHARED`] for a shared mapping's pages). A new
    /// mapping's pages (`keep` false) start lazy (untouched); a remapped page (`keep`)
    /// keeps whether it was touched and filled. Inaccessible pages keep only that.
    fn set_range_perm(&mut self, addr: u64, end: u64, prot: u8, keep: bool) {
        let open = prot & perm::RWX != 0;
        let mut page = addr;
        while page < end.min(GUEST_SPACE) {
            let old = self.perm_of(page);
            if old & perm::CODE != 0 {
                // Cached instructions from this page may no longer be valid (unmapped, or no
                // longer executable).
                self.modified_code.push(page);
            }
            let state = if keep {
                let s = old & (perm::TOUCHED | perm::LAZY);
                if old & perm::TOUCHED == 0 {
                    s | perm::LAZY
                } else {
                    s
                }
            } else {
                perm::LAZY
            };
            let new = if open {
                (prot & (perm::RWX | perm::SHARED)) | state
            } else if keep && old & perm::TOUCHED != 0 {
                // Inaccessible, but its contents stay: it stays touched (and filled or not).
                old & (perm::TOUCHED | perm::LAZY)
            } else {
                0
            };
            self.set_perm(page, new);
            page += PAGE_SIZE;
        }
    }

    /// The mapped regions, in address order.
    pub fn regions(&self) -> impl Iterator<Item = &Region> {
        self.regions.iter()
    }

    /// The shared mappings, in address order.
    pub fn shared_regions(&self) -> impl Iterator<Item = &Region> {
        self.regions.shared()
    }

    /// Bytes this address space has committed (accounted regions).
    pub fn committed(&self) -> u64 {
        self.committed
    }

    /// True when every page of `[addr, addr+len)` is mapped.
    pub fn is_mapped(&self, addr: u64, len: u64) -> bool {
        span_end(addr, len).is_some_and(|end| self.regions.covers(addr, end))
    }

    /// True when no page of `[addr, addr+len)` is mapped.
    pub fn is_free(&self, addr: u64, len: u64) -> bool {
        span_end(addr, len).is_some_and(|end| self.regions.is_free(addr, end))
    }

    /// Finds the highest free, page-aligned gap of `len` bytes that ends at or below `top` and
    /// starts at or above `bottom` (top-down placement, as Linux does for mmap).
    pub fn find_free_top_down(&self, len: u64, bottom: u64, top: u64) -> Option<u64> {
        self.regions.find_free_top_down(len, bottom, top)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_writes_are_logged_only_while_on_and_never_stores() {
        let mut m = GuestMemory::new().unwrap();
        m.map_fixed(0x10000, 2 * PAGE_SIZE, perm::R | perm::W, RegionKind::Anon)
            .unwrap();
        m.write_bytes(0x10000, b"off").unwrap();
        assert_eq!(m.logged_writes(), 0);
        m.log_writes(true);
        m.write_bytes(0x10010, b"abc").unwrap();
        m.write_u64(0x10020, 7).unwrap();
        m.poke(0x10030, &[1]).unwrap();
        m.map_fixed(0x30000, PAGE_SIZE, perm::R, RegionKind::Anon)
            .unwrap();
        m.move_mapping(0x30000, 0x40000, PAGE_SIZE).unwrap();
        m.discard(0x11000, PAGE_SIZE).unwrap();
        m.map_fixed(0x20000, PAGE_SIZE, perm::R, RegionKind::Anon)
            .unwrap();
        assert!(
            m.write_bytes(0x20000, b"x").is_err(),
            "read-only: nothing written"
        );
        assert_eq!(
            m.take_logged_writes(),
            vec![
                MemWrite::Bytes {
                    addr: 0x10010,
                    data: b"abc".to_vec()
                },
                MemWrite::Bytes {
                    addr: 0x10030,
                    data: vec![1]
                },
                MemWrite::Zero {
                    addr: 0x30000,
                    len: PAGE_SIZE
                },
                MemWrite::Copy {
                    src: 0x30000,
                    dst: 0x40000,
                    len: PAGE_SIZE
                },
                MemWrite::Zero {
                    addr: 0x11000,
                    len: PAGE_SIZE
                },
                MemWrite::Zero {
                    addr: 0x20000,
                    len: PAGE_SIZE
                },
            ]
        );
        assert_eq!(m.logged_writes(), 0);
        m.log_writes(false);
        m.write_bytes(0x10010, b"abc").unwrap();
        assert!(m.take_logged_writes().is_empty());
    }

    fn rw() -> u8 {
        perm::R | perm::W
    }

    #[test]
    fn zero_length_accesses_touch_nothing_anywhere() {
        let mut m = GuestMemory::new().unwrap();
        m.map_fixed(0x10000, PAGE_SIZE, rw(), RegionKind::Anon)
            .unwrap();
        for addr in [
            0x7fff_ffff_ffff_ffff,
            u64::MAX,
            GUEST_SPACE - 1,
            GUEST_SPACE + 3,
            0x13,
        ] {
            assert_eq!(m.read_bytes(addr, &mut []), Ok(()));
            assert_eq!(m.write_bytes(addr, &[]), Ok(()));
            assert_eq!(m.slice(addr, 0), Ok(&[][..]));
            assert_eq!(m.read_vec(addr, 0), Ok(vec![]));
            assert!(m.check_range(addr, 0, perm::W, Access::Write).is_ok());
        }
        // Out-of-space and wrapping ranges are faults, never host accesses.
        assert!(m.peek(u64::MAX - 2, 8).is_none());
        assert!(m.poke(GUEST_SPACE - 2, &[1, 2, 3]).is_err());
        assert!(m.poke(u64::MAX, &[1]).is_err());
        let f = m.read_bytes(u64::MAX - 3, &mut [0; 8]).unwrap_err();
        assert!(!f.mapped);
        let f = m.write_bytes(GUEST_SPACE - 4, &[0; 8]).unwrap_err();
        assert_eq!(f.addr, GUEST_SPACE - 4);
        assert!(m.read_u64(u64::MAX - 3).is_err());
        assert!(m.fetch_u16(u64::MAX).is_err());
        assert!(m.read_cstr(u64::MAX - 1, 16).is_err());
        assert!(m.read_cstr(u64::MAX - 4095, 4096).is_err());
        // Bad mapping requests change nothing.
        let bad = [
            (GUEST_SPACE, PAGE_SIZE),
            (u64::MAX - PAGE_SIZE + 1, 2 * PAGE_SIZE),
            (0x10001, PAGE_SIZE),
            (0x10000, 5),
        ];
        for (a, l) in bad {
            assert_eq!(
                m.map_fixed(a, l, rw(), RegionKind::Anon),
                Err(MapError::BadRange)
            );
            assert_eq!(m.unmap(a, l), Err(MapError::BadRange));
            assert_eq!(m.protect(a, l, perm::R), Err(MapError::BadRange));
            assert_eq!(m.discard(a, l), Err(MapError::BadRange));
        }
        assert_eq!(m.regions().count(), 1);
        assert!(!m.is_mapped(u64::MAX - PAGE_SIZE + 1, 2 * PAGE_SIZE));
        assert!(!m.is_free(u64::MAX - PAGE_SIZE + 1, 2 * PAGE_SIZE));
        assert!(GuestMemory::access_ok(0x13, 0));
        assert!(GuestMemory::access_ok(GUEST_SPACE, 0));
        assert!(!GuestMemory::access_ok(GUEST_SPACE + 1, 0));
        assert!(!GuestMemory::access_ok(u64::MAX - 3, 8));
    }

    fn file_of(pages: &[(u64, &[u8])]) -> Arc<PageStore> {
        let mut s = PageStore::default();
        for (off, data) in pages {
            s.write(*off, data);
        }
        Arc::new(s)
    }

    #[test]
    fn file_pages_fill_on_first_touch_and_holes_cost_nothing() {
        let mut m = GuestMemory::new().unwrap();
        let file = file_of(&[(0, b"first"), (100 * PAGE_SIZE + 7, b"far")]);
        let backing = FileBacking {
            pages: file,
            page_offset: 0,
        };
        let kind = RegionKind::File("/f".into());
        let base = 0x100_0000;
        m.map_file(base, 1 << 30, perm::R, kind, backing).unwrap();
        assert_eq!(
            m.committed(),
            0,
            "read-only file mappings are not committed"
        );
        // Every page starts untouched (lazy); only the data pages will be filled.
        assert_ne!(m.perm_of(base) & perm::LAZY, 0);
        assert_ne!(m.perm_of(base + PAGE_SIZE) & perm::LAZY, 0);
        let mut seen = Vec::new();
        m.for_each_data_page(base, base + (1 << 30), |p, d| {
            seen.push((p, d[..5].to_vec()))
        });
        assert_eq!(seen.len(), 2, "the digest walk sees exactly the data pages");
        assert_eq!(m.read_u8(base + 1).unwrap(), b'i');
        assert_eq!(m.perm_of(base) & perm::LAZY, 0, "filled");
        let far = base + 100 * PAGE_SIZE + 7;
        assert_eq!(m.slice(far, 3).unwrap(), b"far");
        assert_eq!(m.read_u8(base + 50 * PAGE_SIZE).unwrap(), 0);
        // mprotect keeps lazy pages lazy; writing then fills them first.
        let lazy_far = base + 200 * PAGE_SIZE;
        m.protect(base, 1 << 30, rw()).unwrap();
        assert_eq!(m.committed(), 1 << 30, "made writable: committed");
        m.write_u8(far + 1, b'o').unwrap();
        assert_eq!(m.slice(far, 3).unwrap(), b"for");
        assert_eq!(m.read_u8(lazy_far).unwrap(), 0);
        // DONTNEED brings the file's contents back.
        m.discard(page_floor(far), PAGE_SIZE).unwrap();
        assert_eq!(m.slice(far, 3).unwrap(), b"far");
        // Moving keeps lazy pages lazy, with their file offset.
        m.discard(page_floor(far), PAGE_SIZE).unwrap();
        m.move_mapping(page_floor(far), 0x8000_0000, PAGE_SIZE)
            .unwrap();
        assert_eq!(m.slice(0x8000_0007, 3).unwrap(), b"far");
        assert!(m.read_u8(far).is_err(), "the old place is unmapped");
        m.unmap(base, 1 << 30).unwrap();
        m.unmap(0x8000_0000, PAGE_SIZE).unwrap();
        assert_eq!(m.committed(), 0);
    }

    #[test]
    fn commitment_follows_writable_mappings_and_stops_at_the_cap() {
        let limit = Arc::new(CommitLimit::new(16 * PAGE_SIZE));
        let mut m = GuestMemory::with_limit(limit.clone()).unwrap();
        m.map_fixed(0x10000, 8 * PAGE_SIZE, rw(), RegionKind::Anon)
            .unwrap();
        m.map_fixed(0x40000, 64 * PAGE_SIZE, perm::R, RegionKind::Anon)
            .unwrap();
        assert_eq!(limit.used(), 8 * PAGE_SIZE);
        assert_eq!(
            m.map_fixed(0x100000, 9 * PAGE_SIZE, rw(), RegionKind::Anon),
            Err(MapError::NoMemory)
        );
        assert!(m.is_free(0x100000, 9 * PAGE_SIZE), "nothing mapped");
        // Replacing a mapping with MAP_FIXED keeps its old place when refused.
        assert_eq!(
            m.map_fixed(0x10000, 32 * PAGE_SIZE, rw(), RegionKind::Anon),
            Err(MapError::NoMemory)
        );
        assert!(m.is_mapped(0x10000, 8 * PAGE_SIZE));
        assert_eq!(
            m.protect(0x40000, 9 * PAGE_SIZE, rw()),
            Err(MapError::NoMemory)
        );
        m.protect(0x40000, 8 * PAGE_SIZE, rw()).unwrap();
        assert_eq!(limit.used(), 16 * PAGE_SIZE);
        // Once counted, dropping write and adding it back costs nothing more.
        m.protect(0x40000, 8 * PAGE_SIZE, perm::R).unwrap();
        m.protect(0x40000, 8 * PAGE_SIZE, rw()).unwrap();
        assert_eq!(limit.used(), 16 * PAGE_SIZE);
        m.move_mapping(0x10000, 0x200000, 8 * PAGE_SIZE).unwrap();
        assert_eq!(limit.used(), 16 * PAGE_SIZE, "moving transfers");
        m.unmap(0x200000, 4 * PAGE_SIZE).unwrap();
        assert_eq!(limit.used(), 12 * PAGE_SIZE);
        drop(m);
        assert_eq!(
            limit.used(),
            0,
            "a dropped address space returns everything"
        );
    }
    fn shared_map(contents: &Arc<Contents>, page_offset: u64) -> SharedMap {
        SharedMap {
            contents: contents.clone(),
            page_offset,
            may_write: true,
            anonymous: false,
            seen: 0,
        }
    }

    #[test]
    fn shared_mappings_write_through_and_alias() {
        let limit = Arc::new(CommitLimit::new(64 * PAGE_SIZE));
        let mut m = GuestMemory::with_limit(limit.clone()).unwrap();
        let file = Arc::new(Contents::new(&[]));
        file.lock().write_at(0, b"hello", &limit, u64::MAX).unwrap();
        file.lock().truncate(3 * PAGE_SIZE);
        let kind = || RegionKind::File("/f".into());
        let (a, b, c) = (0x100_0000, 0x200_0000, 0x300_0000);
        m.map_shared(a, 3 * PAGE_SIZE, rw(), kind(), shared_map(&file, 0))
            .unwrap();
        m.map_shared(b, 2 * PAGE_SIZE, rw(), kind(), shared_map(&file, 0))
            .unwrap();
        m.map_shared(c, PAGE_SIZE, rw(), kind(), shared_map(&file, 1))
            .unwrap();
        assert_eq!(m.committed(), 0, "shared file mappings are not charged");
        assert_eq!(m.slice(a, 5).unwrap(), b"hello");
        // Loads fill b's page; a store through a shows there at once, and in the file.
        assert_eq!(m.read_u8(b).unwrap(), b'h');
        m.write_u8(a + 1, b'E').unwrap();
        assert_eq!(m.slice(b, 5).unwrap(), b"hEllo");
        assert_eq!(file.lock().read_at(0, 5), b"hEllo");
        m.write_u32(c, u32::from_le_bytes(*b"wxyz")).unwrap();
        assert_eq!(m.slice(a + PAGE_SIZE, 4).unwrap(), b"wxyz");
        assert_eq!(
            limit.used(),
            2 * PAGE_SIZE,
            "the hole page stored into was charged"
        );
        // A change made through the file shows after the sync.
        file.lock().write_at(2, b"LL", &limit, u64::MAX).unwrap();
        m.sync_shared();
        assert_eq!(m.slice(b, 5).unwrap(), b"hELLo");
        // Shrinking the file: pages past the end are bus errors, the rest reads zeros.
        file.lock().truncate(100);
        m.sync_shared();
        assert_eq!(m.read_u8(a + 99).unwrap(), b'\0');
        let f = m.read_u8(a + PAGE_SIZE).unwrap_err();
        assert!(f.mapped && m.take_bus_fault(a + PAGE_SIZE));
        assert!(m.write_u8(c + 8, 1).is_err());
        assert!(m.take_bus_fault(c + 8));
        // Storing past the end in the last page does not grow the file; growing zeroes it.
        m.write_u8(a + 200, b'T').unwrap();
        assert_eq!(file.lock().size(), 100);
        file.lock().truncate(3 * PAGE_SIZE);
        m.sync_shared();
        assert_eq!(m.read_u8(a + 200).unwrap(), 0);
        assert_eq!(m.read_u8(c).unwrap(), 0);
        // Moving keeps the mapping shared.
        m.move_mapping(a, 0x400_0000, 3 * PAGE_SIZE).unwrap();
        m.write_u8(0x400_0000, b'M').unwrap();
        assert_eq!(m.read_u8(b).unwrap(), b'M');
        m.unmap(0x400_0000, 3 * PAGE_SIZE).unwrap();
        m.unmap(b, 2 * PAGE_SIZE).unwrap();
        m.unmap(c, PAGE_SIZE).unwrap();
        assert_eq!(file.lock().read_at(0, 5), b"MELLo");
    }

    #[test]
    fn residency_is_what_the_guest_touched() {
        let mut m = GuestMemory::new().unwrap();
        let base = 0x10_0000;
        m.map_fixed(base, 4 * PAGE_SIZE, rw(), RegionKind::Anon)
            .unwrap();
        assert_eq!(m.residency(base, 4), Some(vec![0, 0, 0, 0]));
        m.write_u8(base, 1).unwrap();
        m.read_u8(base + 2 * PAGE_SIZE).unwrap();
        assert_eq!(m.residency(base, 16), Some(vec![1, 0, 1, 0]));
        assert_eq!(m.residency(base + PAGE_SIZE, 2), Some(vec![0, 1]));
        assert_eq!(m.residency(base + 4 * PAGE_SIZE, 1), None);
        // Going inaccessible and back keeps touched pages touched (and their data).
        m.protect(base, 4 * PAGE_SIZE, 0).unwrap();
        assert_eq!(m.residency(base, 4), Some(vec![1, 0, 1, 0]));
        m.protect(base, 4 * PAGE_SIZE, rw()).unwrap();
        assert_eq!(m.read_u8(base).unwrap(), 1);
        assert_eq!(m.residency(base, 4), Some(vec![1, 0, 1, 0]));
        m.discard(base, PAGE_SIZE).unwrap();
        assert_eq!(m.residency(base, 4), Some(vec![0, 0, 1, 0]));
        assert_eq!(m.read_u8(base).unwrap(), 0);
        // Observation (receipts, traces) does not touch.
        let _ = m.peek(base + PAGE_SIZE, 8);
        assert_eq!(m.residency(base, 4), Some(vec![1, 0, 1, 0]));
        m.populate_range(base, base + 4 * PAGE_SIZE, false).unwrap();
        assert_eq!(m.residency(base, 4), Some(vec![1, 1, 1, 1]));
        // Unmapped and remapped: untouched again.
        m.unmap(base, 4 * PAGE_SIZE).unwrap();
        m.map_fixed(base, 4 * PAGE_SIZE, 0, RegionKind::Anon)
            .unwrap();
        m.protect(base, 4 * PAGE_SIZE, rw()).unwrap();
        assert_eq!(m.residency(base, 4), Some(vec![0, 0, 0, 0]));
        assert_eq!(
            m.populate_range(base, base + 5 * PAGE_SIZE, false),
            Err(residency::PopulateError::Unmapped)
        );
    }

    #[test]
    fn locks_follow_mappings_and_stop_at_gaps() {
        let mut m = GuestMemory::new().unwrap();
        let base = 0x10_0000;
        m.map_fixed(base, 4 * PAGE_SIZE, rw(), RegionKind::Anon)
            .unwrap();
        m.map_fixed(
            base + 4 * PAGE_SIZE,
            2 * PAGE_SIZE,
            perm::R,
            RegionKind::Anon,
        )
        .unwrap();
        m.set_lock(base + PAGE_SIZE, 4 * PAGE_SIZE, lock::LOCKED)
            .unwrap();
        assert_eq!(m.locked_pages(), 4);
        assert_eq!(m.locked_pages_in(base, base + 2 * PAGE_SIZE), 1);
        // A gap: the mappings before it are locked, and the answer is ENOMEM.
        assert_eq!(
            m.set_lock(base, 8 * PAGE_SIZE, lock::LOCKED),
            Err(MapError::NoMemory)
        );
        assert_eq!(m.locked_pages(), 6);
        assert_eq!(
            m.set_lock(base + 6 * PAGE_SIZE, PAGE_SIZE, lock::LOCKED),
            Err(MapError::NoMemory)
        );
        m.set_lock_all(0);
        assert_eq!(m.locked_pages(), 0);
        assert_eq!(m.regions().count(), 2, "unlocked neighbours merge back");
        m.set_future_lock(lock::LOCKED);
        m.map_fixed(0x40_0000, PAGE_SIZE, rw(), RegionKind::Anon)
            .unwrap();
        assert_eq!(m.locked_pages(), 1);
        assert_eq!(m.total_pages(), 7);
        m.protect(0x40_0000, PAGE_SIZE, 0).unwrap();
        assert_eq!(
            m.populate_range(0x40_0000, 0x40_1000, true),
            Err(residency::PopulateError::Fault)
        );
    }
}
