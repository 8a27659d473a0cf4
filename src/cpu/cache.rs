//! The decoded-instruction cache: guest code decoded once into blocks, looked up by pc.
//!
//! A block is a run of instructions starting at one pc, inside one guest page (an instruction
//! straddling the page end is its last), ending after a jump, `ecall`, `ebreak`, `fence.i` or
//! an illegal encoding, or at [`MAX_BLOCK`] instructions. Conditional branches do not end a
//! block: a taken branch leaves it early, a not-taken one falls through inside it.
//!
//! Lookup is a direct-mapped table in front of a hash map. Every page a block was decoded from
//! is marked as a code page in guest memory, so a write to it is reported (see
//! [`GuestMemory::take_modified_code_pages`]) and the page's blocks are dropped.

use super::decode;
use super::insn::Insn;
use crate::mem::{GuestMemory, MemFault, PAGE_SIZE, page_floor};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Most instructions in one block: bounds decode work wasted on a block entered only to leave
/// at an early branch.
pub const MAX_BLOCK: usize = 64;

/// Entries in the direct-mapped lookup table (a power of two).
const FAST_SIZE: usize = 1 << 13;

/// No second page.
const NO_PAGE: u64 = u64::MAX;

/// A decoded block.
pub struct Block {
    /// Guest address of the first instruction.
    pub pc: u64,
    /// Guest address just past the last instruction (where execution falls through to, and
    /// the return address a final `jal`/`jalr` links).
    pub end_pc: u64,
    /// The instructions, each knowing its offset from `pc`.
    pub insns: Box<[Insn]>,
    /// The pages the instructions came from: the start page and, when the last instruction
    /// straddles a page end, the next one (else [`NO_PAGE`]).
    pages: [u64; 2],
    /// False once dropped; the slot then sits in the free list.
    live: bool,
}

#[derive(Clone, Copy)]
struct FastEntry {
    pc: u64,
    id: u32,
}

/// Multiplicative hash for guest addresses (keys are not attacker-chosen in any way that
/// matters: a slow lookup only costs the guest time).
#[derive(Default)]
struct PcHasher(u64);

impl Hasher for PcHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ b as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (v ^ (v >> 29)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

type PcMap<V> = HashMap<u64, V, BuildHasherDefault<PcHasher>>;

/// Decoded guest code, shared by every hart (guest thread) of one address space.
pub struct DecodeCache {
    /// Fixed size, so indexing with a masked pc needs no bounds check.
    fast: Box<[FastEntry; FAST_SIZE]>,
    blocks: Vec<Block>,
    free: Vec<u32>,
    by_pc: PcMap<u32>,
    by_page: PcMap<Vec<u32>>,
}

impl Default for DecodeCache {
    fn default() -> Self {
        Self::new()
    }
}

#[inline(always)]
fn fast_index(pc: u64) -> usize {
    (pc >> 1) as usize & (FAST_SIZE - 1)
}

/// The empty entry for slot `slot`. Its tag is a pc that belongs to the *next* slot, so no
/// lookup (which only compares against the slot its pc hashes to) can ever match it, whatever
/// the pc: even u64::MAX or an odd address set by the kernel.
fn empty_entry(slot: usize) -> FastEntry {
    FastEntry {
        pc: (((slot + 1) & (FAST_SIZE - 1)) as u64) << 1,
        id: 0,
    }
}

/// A fresh table of empty entries.
fn empty_table() -> Box<[FastEntry; FAST_SIZE]> {
    let table: Box<[FastEntry]> = (0..FAST_SIZE).map(empty_entry).collect();
    table
        .try_into()
        .unwrap_or_else(|_| unreachable!("the table has FAST_SIZE entries"))
}

impl DecodeCache {
    /// An empty cache.
    pub fn new() -> Self {
        DecodeCache {
            fast: empty_table(),
            blocks: Vec::new(),
            free: Vec::new(),
            by_pc: PcMap::default(),
            by_page: PcMap::default(),
        }
    }

    /// Drops every decoded instruction (`fence.i`, `execve`).
    pub fn invalidate_all(&mut self) {
        self.fast = empty_table();
        self.blocks.clear();
        self.free.clear();
        self.by_pc.clear();
        self.by_page.clear();
    }

    /// Drops the blocks decoded from any of `pages` (page-aligned guest addresses).
    pub fn invalidate_pages(&mut self, pages: &[u64]) {
        for &page in pages {
            if let Some(ids) = self.by_page.remove(&page) {
                for id in ids {
                    self.remove_block(id, page);
                }
            }
        }
    }

    /// Drops the blocks decoded from any page overlapping `[start, end)` (riscv_flush_icache).
    /// The work is bounded by the number of code pages held, whatever the range.
    pub fn invalidate_range(&mut self, start: u64, end: u64) {
        let lo = page_floor(start);
        let pages: Vec<u64> = self
            .by_page
            .keys()
            .copied()
            .filter(|&p| p >= lo && p < end)
            .collect();
        self.invalidate_pages(&pages);
    }

    /// Number of live blocks (for tests and statistics).
    pub fn block_count(&self) -> usize {
        self.blocks.len() - self.free.len()
    }

    /// Removes block `id`, reached through `page`'s list (already taken out of the map).
    fn remove_block(&mut self, id: u32, page: u64) {
        let b = &mut self.blocks[id as usize];
        if !b.live {
            return;
        }
        b.live = false;
        b.insns = Box::new([]);
        let (pc, pages) = (b.pc, b.pages);
        // A straddling block is also listed under its other page; unlist it there.
        for other in pages {
            if other != page
                && other != NO_PAGE
                && let Some(list) = self.by_page.get_mut(&other)
            {
                list.retain(|&i| i != id);
            }
        }
        if self.by_pc.get(&pc) == Some(&id) {
            self.by_pc.remove(&pc);
        }
        let slot = fast_index(pc);
        if self.fast[slot].pc == pc {
            self.fast[slot] = empty_entry(slot);
        }
        self.free.push(id);
    }

    /// The block starting at `pc`, decoding it first if needed. Fails only when the first
    /// instruction cannot be fetched.
    #[inline(always)]
    pub fn get(&mut self, pc: u64, mem: &mut GuestMemory) -> Result<&Block, MemFault> {
        let e = self.fast[fast_index(pc)];
        let id = if e.pc == pc {
            e.id
        } else {
            self.get_slow(pc, mem)?
        };
        Ok(&self.blocks[id as usize])
    }

    #[inline(never)]
    fn get_slow(&mut self, pc: u64, mem: &mut GuestMemory) -> Result<u32, MemFault> {
        let id = match self.by_pc.get(&pc) {
            Some(&id) => id,
            None => self.build(pc, mem)?,
        };
        self.fast[fast_index(pc)] = FastEntry { pc, id };
        Ok(id)
    }

    /// Decodes the block at `pc` and registers it.
    fn build(&mut self, pc: u64, mem: &mut GuestMemory) -> Result<u32, MemFault> {
        let page = page_floor(pc);
        let mut insns = Vec::with_capacity(16);
        let mut cur = pc;
        let mut pages = [page, NO_PAGE];
        loop {
            let raw = match fetch(mem, cur) {
                Ok(raw) => raw,
                // The first instruction's fault is the caller's; a later one ends the block
                // before it, so it faults (with the right pc) when reached.
                Err(f) if insns.is_empty() => return Err(f),
                Err(_) => break,
            };
            let mut insn = decode::decode(raw, cur);
            insn.pc_off = (cur - pc) as u16;
            insns.push(insn);
            let len = decode::insn_len(raw as u16);
            if page_floor(cur + len - 1) != page {
                pages[1] = page + PAGE_SIZE;
            }
            cur += len;
            if insn.op.ends_block() || insns.len() >= MAX_BLOCK || page_floor(cur) != page {
                break;
            }
        }
        for p in pages {
            if p != NO_PAGE {
                mem.mark_code_page(p);
            }
        }
        let block = Block {
            pc,
            end_pc: cur,
            insns: insns.into_boxed_slice(),
            pages,
            live: true,
        };
        let id = match self.free.pop() {
            Some(id) => {
                self.blocks[id as usize] = block;
                id
            }
            None => {
                self.blocks.push(block);
                (self.blocks.len() - 1) as u32
            }
        };
        for p in pages {
            if p != NO_PAGE {
                self.by_page.entry(p).or_default().push(id);
            }
        }
        self.by_pc.insert(pc, id);
        Ok(id)
    }
}

/// Fetches the instruction at `pc`: one parcel, or two for a 32-bit instruction.
fn fetch(mem: &GuestMemory, pc: u64) -> Result<u32, MemFault> {
    let lo = mem.fetch_u16(pc)?;
    if lo & 3 != 3 {
        return Ok(lo as u32);
    }
    let hi = mem.fetch_u16(pc.wrapping_add(2))?;
    Ok(lo as u32 | (hi as u32) << 16)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mem::{RegionKind, perm};

    #[test]
    fn invalidate_range_drops_the_pages_it_overlaps() {
        let mut mem = GuestMemory::new().unwrap();
        mem.map_fixed(0x10000, 3 * PAGE_SIZE, perm::R | perm::X, RegionKind::Image)
            .unwrap();
        // `ecall` (ends a block) at the start of each page.
        for page in 0..3 {
            mem.poke(0x10000 + page * PAGE_SIZE, &0x73u32.to_le_bytes())
                .unwrap();
        }
        let mut cache = DecodeCache::new();
        for page in 0..3 {
            cache.get(0x10000 + page * PAGE_SIZE, &mut mem).unwrap();
        }
        assert_eq!(cache.block_count(), 3);
        // A range starting inside the second page and ending inside it.
        cache.invalidate_range(0x11010, 0x11020);
        assert_eq!(cache.block_count(), 2);
        // An empty range (end before start) drops nothing.
        cache.invalidate_range(0x12000, 0x10000);
        assert_eq!(cache.block_count(), 2);
        // The whole address space: bounded by the pages held, not the range.
        cache.invalidate_range(0, u64::MAX);
        assert_eq!(cache.block_count(), 0);
        // Dropped blocks are decoded again.
        cache.get(0x11000, &mut mem).unwrap();
        assert_eq!(cache.block_count(), 1);
    }
}
