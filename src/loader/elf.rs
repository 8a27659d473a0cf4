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
        let interp = program
            .get(ph.p_offset as usize..(ph.p_offset + ph.p_filesz) as usize)
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
        let mut page = lo;
        while page < hi {
            let old = mem.page_perm(page) & perm::RWX;
            if old == 0 {
                mem.map_fixed(page, PAGE_SIZE, prot, RegionKind::Image)?;
            } else {
                mem.protect(page, PAGE_SIZE, old | prot)?;
            }
            page += PAGE_SIZE;
        }
        mem.poke(start, file)?;
        mem.poke(
            start + file.len() as u64,
            &vec![0; (ph.p_memsz - ph.p_filesz) as usize],
        )?;
        if elf.header.e_phoff >= ph.p_offset && elf.header.e_phoff < ph.p_offset + ph.p_filesz {
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
