//! The guest address space: one host reservation with the guest address mapped at a fixed
//! offset, a per-page permission byte, and the list of mapped regions (for mmap placement,
//! munmap/mprotect and `/proc/self/maps`).
//!
//! Every guest access goes through [`GuestMemory`]: the permission table makes a bad pointer
//! a [`MemFault`] (EFAULT for syscalls, a fault exit for the CPU), never a host crash.

mod regions;

pub use regions::{Region, RegionKind};

use memmap2::{MmapMut, MmapOptions};
use std::fmt;

/// Guest page size (Linux riscv64 uses 4 KiB pages).
pub const PAGE_SIZE: u64 = 4096;
/// log2 of [`PAGE_SIZE`].
pub const PAGE_SHIFT: u32 = 12;
/// Size of the guest address space: the Sv39 user half, 256 GiB. Guest addresses at or above
/// this are never mapped.
pub const GUEST_SPACE: u64 = 1 << 38;

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
    /// R, W and X together.
    pub const RWX: u8 = R | W | X;
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
    Bytes { addr: u64, data: Vec<u8> },
    /// `[addr, addr+len)` now reads as zero (new mappings, `MADV_DONTNEED`).
    Zero { addr: u64, len: u64 },
    /// `len` bytes were copied from `src` to `dst` (mremap moving a mapping).
    Copy { src: u64, dst: u64, len: u64 },
}

/// The guest address space.
pub struct GuestMemory {
    /// Host address of guest address 0.
    base: *mut u8,
    /// Host address of the permission byte of guest page 0.
    perms: *mut u8,
    _space: MmapMut,
    _perm_table: MmapMut,
    regions: regions::RegionMap,
    /// Pages whose cached code was written since the CPU last looked.
    modified_code: Vec<u64>,
    /// The kernel side's writes since the last [`GuestMemory::take_logged_writes`], while
    /// logging is on. Instruction stores are never logged (the CPU's path stays untouched).
    write_log: Option<Vec<MemWrite>>,
}

// Memory is owned by one host thread at a time; the raw pointers point into the owned maps.
unsafe impl Send for GuestMemory {}

impl GuestMemory {
    /// Reserves the whole guest address space. Host memory is committed only for pages the
    /// guest touches.
    pub fn new() -> std::io::Result<GuestMemory> {
        let mut space = MmapOptions::new()
            .len(GUEST_SPACE as usize)
            .no_reserve_swap()
            .map_anon()?;
        let mut perm_table = MmapOptions::new()
            .len((GUEST_SPACE >> PAGE_SHIFT) as usize)
            .no_reserve_swap()
            .map_anon()?;
        Ok(GuestMemory {
            base: space.as_mut_ptr(),
            perms: perm_table.as_mut_ptr(),
            _space: space,
            _perm_table: perm_table,
            regions: regions::RegionMap::default(),
            modified_code: Vec::new(),
            write_log: None,
        })
    }

    /// Starts (or stops) logging the kernel side's writes (see [`MemWrite`]).
    pub fn log_writes(&mut self, on: bool) {
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

    /// Permission byte of the page holding `addr`. `addr` must be below [`GUEST_SPACE`].
    #[inline(always)]
    fn perm_of(&self, addr: u64) -> u8 {
        debug_assert!(addr < GUEST_SPACE);
        // SAFETY: the table has one byte per guest page and addr < GUEST_SPACE.
        unsafe { *self.perms.add((addr >> PAGE_SHIFT) as usize) }
    }

    #[inline(always)]
    fn set_perm(&mut self, page: u64, p: u8) {
        debug_assert!(page < GUEST_SPACE >> PAGE_SHIFT);
        // SAFETY: page indexes the table (checked by callers against GUEST_SPACE).
        unsafe { *self.perms.add(page as usize) = p }
    }

    /// Permission bits of the page holding `addr` (0 when unmapped or out of range).
    pub fn page_perm(&self, addr: u64) -> u8 {
        if addr < GUEST_SPACE {
            self.perm_of(addr)
        } else {
            0
        }
    }

    /// Checks that `[addr, addr+len)` is entirely accessible with `need`; on failure names the
    /// first inaccessible byte.
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
        let end = match addr.checked_add(len) {
            Some(e) if e <= GUEST_SPACE => e,
            _ => {
                let first_bad = addr.max(GUEST_SPACE.min(addr.saturating_add(len)));
                // Find the first page in range that fails, scanning only the in-range part.
                if addr < GUEST_SPACE {
                    self.check_range(addr, GUEST_SPACE - addr, need, access)?;
                }
                return Err(MemFault {
                    addr: first_bad.max(GUEST_SPACE),
                    access,
                    mapped: false,
                });
            }
        };
        let mut page = page_floor(addr);
        while page < end {
            let p = self.perm_of(page);
            if p & need != need {
                return Err(MemFault {
                    addr: page.max(addr),
                    access,
                    mapped: p & perm::RWX != 0,
                });
            }
            page += PAGE_SIZE;
        }
        Ok(())
    }

    /// True when an access of `size` bytes at `addr` stays in one page that has all of `need`
    /// and none of `deny`.
    #[inline(always)]
    fn fast_ok(&self, addr: u64, size: u64, need: u8, deny: u8) -> bool {
        addr < GUEST_SPACE
            && (addr & (PAGE_SIZE - 1)) <= PAGE_SIZE - size
            && self.perm_of(addr) & (need | deny) == need
    }

    /// Loads a little-endian value of `N` bytes.
    #[inline(always)]
    fn load<const N: usize>(&self, addr: u64) -> Result<[u8; N], MemFault> {
        if self.fast_ok(addr, N as u64, perm::R, 0) {
            // SAFETY: the whole access lies in one readable guest page inside the reservation.
            return Ok(unsafe {
                std::ptr::read_unaligned(self.base.add(addr as usize) as *const [u8; N])
            });
        }
        self.load_slow(addr)
    }

    #[inline(never)]
    fn load_slow<const N: usize>(&self, addr: u64) -> Result<[u8; N], MemFault> {
        self.check_range(addr, N as u64, perm::R, Access::Read)?;
        // SAFETY: check_range proved every byte readable and inside the reservation.
        Ok(unsafe { std::ptr::read_unaligned(self.base.add(addr as usize) as *const [u8; N]) })
    }

    /// Stores a value of `N` bytes.
    #[inline(always)]
    fn store<const N: usize>(&mut self, addr: u64, v: [u8; N]) -> Result<(), StoreError> {
        if self.fast_ok(addr, N as u64, perm::W, perm::CODE) {
            // SAFETY: the whole access lies in one writable guest page inside the reservation.
            unsafe { std::ptr::write_unaligned(self.base.add(addr as usize) as *mut [u8; N], v) };
            return Ok(());
        }
        self.store_slow(addr, v)
    }

    #[inline(never)]
    fn store_slow<const N: usize>(&mut self, addr: u64, v: [u8; N]) -> Result<(), StoreError> {
        if let Err(f) = self.check_range(addr, N as u64, perm::W, Access::Write) {
            return Err(StoreError::Fault(f));
        }
        let code = self.note_code_writes(addr, N as u64);
        // SAFETY: check_range proved every byte writable and inside the reservation.
        unsafe { std::ptr::write_unaligned(self.base.add(addr as usize) as *mut [u8; N], v) };
        if code {
            Err(StoreError::CodeModified)
        } else {
            Ok(())
        }
    }

    /// Records the code pages in `[addr, addr+len)` (already checked) as modified and clears
    /// their CODE bit. Returns whether there were any.
    fn note_code_writes(&mut self, addr: u64, len: u64) -> bool {
        let mut any = false;
        let mut page = page_floor(addr);
        while page < addr + len {
            let p = self.perm_of(page);
            if p & perm::CODE != 0 {
                self.set_perm(page >> PAGE_SHIFT, p & !perm::CODE);
                self.modified_code.push(page);
                any = true;
            }
            page += PAGE_SIZE;
        }
        any
    }

    /// Marks the page holding `addr` as holding cached decoded instructions.
    pub fn mark_code_page(&mut self, addr: u64) {
        if addr < GUEST_SPACE {
            let p = self.perm_of(addr);
            self.set_perm(addr >> PAGE_SHIFT, p | perm::CODE);
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
        if self.fast_ok(addr, 2, perm::X, 0) {
            // SAFETY: the parcel lies in one executable page inside the reservation.
            return Ok(u16::from_le(unsafe {
                std::ptr::read_unaligned(self.base.add(addr as usize) as *const u16)
            }));
        }
        self.check_range(addr, 2, perm::X, Access::Exec)?;
        // SAFETY: check_range proved both bytes executable.
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

    /// Copies guest bytes out (syscall use: checks read permission for the whole range).
    pub fn read_bytes(&self, addr: u64, out: &mut [u8]) -> Result<(), MemFault> {
        self.check_range(addr, out.len() as u64, perm::R, Access::Read)?;
        // SAFETY: the whole range is readable guest memory inside the reservation.
        unsafe {
            std::ptr::copy_nonoverlapping(self.base.add(addr as usize), out.as_mut_ptr(), out.len())
        };
        Ok(())
    }

    /// Reads `len` guest bytes into a new vector.
    pub fn read_vec(&self, addr: u64, len: usize) -> Result<Vec<u8>, MemFault> {
        let mut v = vec![0; len];
        self.read_bytes(addr, &mut v)?;
        Ok(v)
    }

    /// Copies bytes into guest memory (syscall use: checks write permission for the whole
    /// range and records modified code pages).
    pub fn write_bytes(&mut self, addr: u64, data: &[u8]) -> Result<(), MemFault> {
        self.check_range(addr, data.len() as u64, perm::W, Access::Write)?;
        self.note_code_writes(addr, data.len() as u64);
        // SAFETY: the whole range is writable guest memory inside the reservation.
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
            // Read up to the end of the current page in one go.
            let chunk = ((page_floor(a) + PAGE_SIZE - a) as usize).min(max - out.len());
            self.check_range(a, 1, perm::R, Access::Read)?;
            // SAFETY: the page holding a is readable, and chunk stays inside it.
            let bytes = unsafe { std::slice::from_raw_parts(self.base.add(a as usize), chunk) };
            if let Some(n) = bytes.iter().position(|&b| b == 0) {
                out.extend_from_slice(&bytes[..n]);
                return Ok(Some(out));
            }
            out.extend_from_slice(bytes);
            a += chunk as u64;
        }
        Ok(None)
    }

    /// Host view of guest bytes, for the loader and for bulk reads. The range must have been
    /// checked readable.
    pub fn slice(&self, addr: u64, len: usize) -> Result<&[u8], MemFault> {
        self.check_range(addr, len as u64, perm::R, Access::Read)?;
        // SAFETY: checked readable and inside the reservation; &self keeps it alive.
        Ok(unsafe { std::slice::from_raw_parts(self.base.add(addr as usize), len) })
    }

    /// Host view of guest bytes ignoring page permissions (state digests of run receipts,
    /// which hash every mapped region, `PROT_NONE` ones included). `None` when the range
    /// does not lie inside the guest space.
    pub fn peek(&self, addr: u64, len: usize) -> Option<&[u8]> {
        let end = addr.checked_add(len as u64)?;
        if end > GUEST_SPACE {
            return None;
        }
        // SAFETY: the range lies inside the reservation (checked above); &self keeps it alive.
        Some(unsafe { std::slice::from_raw_parts(self.base.add(addr as usize), len) })
    }

    /// Writes bytes ignoring page permissions (loader and kernel use, e.g. filling a
    /// read-only segment). The range must lie inside the guest space.
    pub fn poke(&mut self, addr: u64, data: &[u8]) {
        assert!(
            addr.checked_add(data.len() as u64)
                .is_some_and(|e| e <= GUEST_SPACE)
        );
        self.note_code_writes_unchecked(addr, data.len() as u64);
        // SAFETY: the range lies inside the reservation (asserted above).
        unsafe {
            std::ptr::copy_nonoverlapping(data.as_ptr(), self.base.add(addr as usize), data.len())
        };
        self.log_write(|| MemWrite::Bytes {
            addr,
            data: data.to_vec(),
        });
    }

    fn note_code_writes_unchecked(&mut self, addr: u64, len: u64) {
        if len > 0 {
            self.note_code_writes(addr, len);
        }
    }

    // ---- mapping ----

    /// Maps `[addr, addr+len)` (page aligned) with permissions `prot` (perm bits), replacing
    /// whatever was there; the new pages read as zero.
    pub fn map_fixed(&mut self, addr: u64, len: u64, prot: u8, kind: RegionKind) {
        assert!(
            addr.is_multiple_of(PAGE_SIZE)
                && len.is_multiple_of(PAGE_SIZE)
                && addr + len <= GUEST_SPACE
        );
        if len == 0 {
            return;
        }
        self.release(addr, len);
        self.regions.insert(Region {
            start: addr,
            end: addr + len,
            prot,
            kind,
        });
        self.set_range_perm(addr, len, prot);
        self.log_write(|| MemWrite::Zero { addr, len });
    }

    /// Unmaps `[addr, addr+len)` (page aligned): the pages become inaccessible and their host
    /// memory is returned.
    pub fn unmap(&mut self, addr: u64, len: u64) {
        assert!(
            addr.is_multiple_of(PAGE_SIZE)
                && len.is_multiple_of(PAGE_SIZE)
                && addr + len <= GUEST_SPACE
        );
        self.release(addr, len);
    }

    /// Drops regions, permissions and contents in the range.
    fn release(&mut self, addr: u64, len: u64) {
        self.regions.remove(addr, addr + len);
        self.set_range_perm(addr, len, 0);
        // SAFETY: the range is page aligned and inside the reservation; MADV_DONTNEED on a
        // private anonymous mapping makes the pages read back as zero.
        unsafe {
            libc::madvise(
                self.base.add(addr as usize) as *mut libc::c_void,
                len as usize,
                libc::MADV_DONTNEED,
            );
        }
    }

    /// Makes the pages of `[addr, addr+len)` (page aligned) read as zero again, keeping their
    /// mapping and permissions (madvise(MADV_DONTNEED) on private anonymous memory).
    pub fn discard(&mut self, addr: u64, len: u64) {
        assert!(
            addr.is_multiple_of(PAGE_SIZE)
                && len.is_multiple_of(PAGE_SIZE)
                && addr + len <= GUEST_SPACE
        );
        self.note_code_writes_unchecked(addr, len);
        // SAFETY: page aligned range inside the reservation; see `release`.
        unsafe {
            libc::madvise(
                self.base.add(addr as usize) as *mut libc::c_void,
                len as usize,
                libc::MADV_DONTNEED,
            );
        }
        self.log_write(|| MemWrite::Zero { addr, len });
    }

    /// Copies `len` bytes from guest `src` to guest `dst` ignoring permissions (mremap). Both
    /// ranges must lie inside the guest space.
    pub fn copy_within(&mut self, src: u64, dst: u64, len: u64) {
        assert!(src + len <= GUEST_SPACE && dst + len <= GUEST_SPACE);
        self.note_code_writes_unchecked(dst, len);
        // SAFETY: both ranges are inside the reservation; `copy` allows overlap.
        unsafe {
            std::ptr::copy(
                self.base.add(src as usize),
                self.base.add(dst as usize),
                len as usize,
            )
        };
        self.log_write(|| MemWrite::Copy { src, dst, len });
    }

    /// The region containing `addr`, if any.
    pub fn region_at(&self, addr: u64) -> Option<&Region> {
        self.regions.find(addr)
    }

    /// Changes the permissions of `[addr, addr+len)` (page aligned, must be mapped).
    pub fn protect(&mut self, addr: u64, len: u64, prot: u8) {
        assert!(
            addr.is_multiple_of(PAGE_SIZE)
                && len.is_multiple_of(PAGE_SIZE)
                && addr + len <= GUEST_SPACE
        );
        self.regions.set_prot(addr, addr + len, prot);
        self.set_range_perm(addr, len, prot);
    }

    fn set_range_perm(&mut self, addr: u64, len: u64, prot: u8) {
        let mut page = addr;
        while page < addr + len {
            let old = self.perm_of(page);
            if old & perm::CODE != 0 {
                // Cached instructions from this page may no longer be valid (unmapped, or no
                // longer executable).
                self.modified_code.push(page);
            }
            self.set_perm(page >> PAGE_SHIFT, prot & perm::RWX);
            page += PAGE_SIZE;
        }
    }

    /// The mapped regions, in address order.
    pub fn regions(&self) -> impl Iterator<Item = &Region> {
        self.regions.iter()
    }

    /// True when every page of `[addr, addr+len)` is mapped.
    pub fn is_mapped(&self, addr: u64, len: u64) -> bool {
        self.regions.covers(addr, addr + len)
    }

    /// True when no page of `[addr, addr+len)` is mapped.
    pub fn is_free(&self, addr: u64, len: u64) -> bool {
        addr.checked_add(len).is_some_and(|e| e <= GUEST_SPACE)
            && self.regions.is_free(addr, addr + len)
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
        m.map_fixed(0x10000, 2 * PAGE_SIZE, perm::R | perm::W, RegionKind::Anon);
        m.write_bytes(0x10000, b"off").unwrap();
        assert_eq!(m.logged_writes(), 0);
        m.log_writes(true);
        m.write_bytes(0x10010, b"abc").unwrap();
        m.write_u64(0x10020, 7).unwrap();
        m.poke(0x10030, &[1]);
        m.copy_within(0x10010, 0x11000, 3);
        m.discard(0x11000, PAGE_SIZE);
        m.map_fixed(0x20000, PAGE_SIZE, perm::R, RegionKind::Anon);
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
                MemWrite::Copy {
                    src: 0x10010,
                    dst: 0x11000,
                    len: 3
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
}
