//! ELF validation (goblin) and PT_LOAD segment mapping.

use super::LoadError;
use super::layout::PIE_BASE;
use crate::mem::{GUEST_SPACE, GuestMemory, PAGE_SIZE, RegionKind, page_ceil, page_floor, perm};
use goblin::elf::Elf;
use goblin::elf::header::{ELFCLASS64, ELFDATA2LSB, EM_RISCV, ET_DYN, ET_EXEC};
use goblin::elf::program_header::{PF_R, PF_W, PF_X, PT_INTERP, PT_LOAD, PT_PHDR};

/// The facts about a mapped program that the stack and the process need.
pub struct Segments {
    pub entry: u64,
    pub bias: u64,
    pub phdr: u64,
    pub phent: u64,
    pub phnum: u64,
    pub brk_start: u64,
}

/// Parses and validates the ELF header: riscv64, little-endian, executable, static.
pub fn parse(program: &[u8]) -> Result<Elf<'_>, LoadError> {
    if program.len() < 4 || &program[..4] != b"\x7fELF" {
        return Err(LoadError::NotElf);
    }
    if program.len() < 6 {
        return Err(LoadError::Malformed("truncated header".into()));
    }
    if program[4] != ELFCLASS64 {
        return Err(LoadError::WrongArch("32-bit ELF".into()));
    }
    if program[5] != ELFDATA2LSB {
        return Err(LoadError::WrongArch("big-endian ELF".into()));
    }
    let elf = Elf::parse(program).map_err(|e| LoadError::Malformed(e.to_string()))?;
    if elf.header.e_machine != EM_RISCV {
        let m = goblin::elf::header::machine_to_str(elf.header.e_machine);
        return Err(LoadError::WrongArch(format!("machine {m}")));
    }
    match elf.header.e_type {
        ET_EXEC | ET_DYN => {}
        t => {
            let s = goblin::elf::header::et_to_str(t);
            return Err(LoadError::WrongType(format!("ELF type {s}")));
        }
    }
    if let Some(ph) = elf.program_headers.iter().find(|ph| ph.p_type == PT_INTERP) {
        let interp = ph
            .p_offset
            .checked_add(ph.p_filesz)
            .and_then(|end| program.get(ph.p_offset as usize..end as usize))
            .map(|b| {
                String::from_utf8_lossy(b)
                    .trim_end_matches('\0')
                    .to_string()
            })
            .unwrap_or_else(|| "?".into());
        return Err(LoadError::Dynamic(interp));
    }
    if !elf.program_headers.iter().any(|ph| ph.p_type == PT_LOAD) {
        return Err(LoadError::Malformed("no loadable segments".into()));
    }
    Ok(elf)
}

fn prot_of(flags: u32) -> u8 {
    let mut p = 0;
    if flags & PF_R != 0 {
        p |= perm::R;
    }
    if flags & PF_W != 0 {
        p |= perm::W;
    }
    if flags & PF_X != 0 {
        p |= perm::X;
    }
    p
}

/// Maps every PT_LOAD segment with its permissions, copies the file bytes and zeroes the bss.
pub fn map_segments(mem: &mut GuestMemory, program: &[u8]) -> Result<Segments, LoadError> {
    let elf = parse(program)?;
    let bias = if elf.header.e_type == ET_DYN {
        PIE_BASE
    } else {
        0
    };
    let mut brk_start = 0;
    let mut phdr = None;
    for ph in elf.program_headers.iter().filter(|ph| ph.p_type == PT_LOAD) {
        if ph.p_memsz == 0 {
            continue;
        }
        if ph.p_filesz > ph.p_memsz {
            return Err(LoadError::Malformed(
                "segment file size exceeds its memory size".into(),
            ));
        }
        let file = program
            .get(ph.p_offset as usize..)
            .and_then(|s| s.get(..ph.p_filesz as usize))
            .ok_or_else(|| {
                LoadError::Malformed("segment extends past the end of the file".into())
            })?;
        let start = ph.p_vaddr.checked_add(bias);
        let end = start.and_then(|s| s.checked_add(ph.p_memsz));
        let (start, end) = match (start, end) {
            (Some(s), Some(e)) if s >= PAGE_SIZE && e <= GUEST_SPACE => (s, e),
            _ => {
                return Err(LoadError::Malformed(format!(
                    "segment at 0x{:x} is outside the address space",
                    ph.p_vaddr
                )));
            }
        };
        let (lo, hi) = (page_floor(start), page_ceil(end));
        let prot = prot_of(ph.p_flags);
        // Pages shared with an earlier segment keep its contents and get both permissions.
        // Work goes by runs of mapped or unmapped pages, not page by page, so a huge
        // segment costs no more than a small one.
        let mut page = lo;
        while page < hi {
            match mem.region_at(page) {
                Some(r) => {
                    let (run_end, old) = (r.end.min(hi), r.prot);
                    mem.protect(page, run_end - page, old | prot);
                    page = run_end;
                }
                None => {
                    let run_end = mem
                        .regions()
                        .map(|r| r.start)
                        .find(|&s| s > page)
                        .map_or(hi, |s| s.min(hi));
                    mem.map_fixed(page, run_end - page, prot, RegionKind::Image);
                    page = run_end;
                }
            }
        }
        mem.poke(start, file);
        // The bss reads as zero: clear the rest of the page the file bytes end in, then
        // drop whatever the following pages held (fresh ones are zero already). Nothing is
        // allocated or touched in proportion to the bss size.
        let file_end = start + file.len() as u64;
        let tail_end = end.min(page_ceil(file_end));
        const ZEROS: [u8; PAGE_SIZE as usize] = [0; PAGE_SIZE as usize];
        mem.poke(file_end, &ZEROS[..(tail_end - file_end) as usize]);
        if page_ceil(file_end) < hi {
            mem.discard(page_ceil(file_end), hi - page_ceil(file_end));
        }
        if elf.header.e_phoff >= ph.p_offset && elf.header.e_phoff - ph.p_offset < ph.p_filesz {
            phdr.get_or_insert(start + (elf.header.e_phoff - ph.p_offset));
        }
        brk_start = brk_start.max(hi);
    }
    if let Some(ph) = elf.program_headers.iter().find(|ph| ph.p_type == PT_PHDR) {
        phdr = Some(ph.p_vaddr.wrapping_add(bias));
    }
    Ok(Segments {
        entry: elf.header.e_entry.wrapping_add(bias),
        bias,
        phdr: phdr.unwrap_or(0),
        phent: elf.header.e_phentsize as u64,
        phnum: elf.header.e_phnum as u64,
        brk_start,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzzing::image::{self, PF_R, PF_W, PF_X, Segment};

    /// A 64 GiB bss costs neither a 64 GiB buffer nor a page-by-page walk, reads as zero,
    /// and leaves the file bytes of a page it shares with the segment before it alone.
    #[test]
    fn huge_bss_is_neither_allocated_nor_walked() {
        let bss = 64u64 << 30;
        let elf = image::build(
            &[
                Segment {
                    page: 0x10000,
                    flags: PF_R | PF_X,
                    data: vec![0x13; 64],
                    bss: 0,
                },
                Segment {
                    page: 0x10000,
                    flags: PF_R | PF_W,
                    data: b"data".to_vec(),
                    bss,
                },
            ],
            |a| a[0],
        );
        let mut mem = GuestMemory::new().unwrap();
        let started = std::time::Instant::now();
        let seg = map_segments(&mut mem, &elf).unwrap();
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{:?}",
            started.elapsed()
        );
        let data = 0x10000 + 64 + 2 * 56 + 64;
        assert_eq!(mem.slice(data, 4).unwrap(), b"data");
        // The code before it shares the page and keeps its bytes and gains write permission.
        assert_eq!(mem.read_u8(0x10000 + 64 + 2 * 56).unwrap(), 0x13);
        assert_eq!(mem.page_perm(0x10000) & perm::RWX, perm::RWX);
        for off in [4, 4096, 1 << 20, bss - 1] {
            assert_eq!(
                mem.read_u8(data + off).unwrap(),
                0,
                "bss byte at +0x{off:x}"
            );
        }
        assert_eq!(seg.brk_start, page_ceil(data + 4 + bss));
    }

    /// A PT_INTERP whose offset plus size overflows is reported, not a panic.
    #[test]
    fn interp_range_overflow() {
        let mut elf = image::exec_only(&[0x13, 0, 0, 0]);
        // Turn the one program header into PT_INTERP at offset u64::MAX.
        let ph = 64;
        elf[ph..ph + 4].copy_from_slice(&3u32.to_le_bytes());
        elf[ph + 8..ph + 16].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(matches!(parse(&elf), Err(LoadError::Dynamic(s)) if s == "?"));
    }
}
