//! ELF validation and PT_LOAD segment mapping, as Linux's `load_elf_binary` does them.
//!
//! Only the ELF header and the program headers are read (goblin decodes them):
//! section headers, symbol tables and everything else in the file play no part in loading
//! (a program with a corrupt section header table runs, as under Linux). The checks come in
//! Linux's order: magic, `e_type`, machine and class (`elf_check_arch`), the program header
//! table (`load_elf_phdrs`: entry size, count, in the file), `PT_INTERP`, `PT_GNU_STACK`,
//! then each `PT_LOAD` as it is mapped, then the entry point. Every count and offset is
//! checked here before goblin reads anything.
//!
//! The bss costs nothing: pages past a segment's file bytes are fresh mappings, which read as
//! zero without host memory behind them. Only the part of a page that an earlier segment had
//! already mapped is zeroed explicitly (Linux's `padzero`).

use super::LoadError;
use super::layout::PIE_BASE;
use crate::mem::{GUEST_SPACE, GuestMemory, PAGE_SIZE, RegionKind, page_ceil, page_floor, perm};
use goblin::container::{Container, Ctx, Endian};
use goblin::elf::header::{
    EI_CLASS, EI_DATA, ELFCLASS64, ELFDATA2LSB, ELFMAG, EM_RISCV, ET_CORE, ET_DYN, ET_EXEC,
    ET_NONE, ET_REL, SELFMAG,
};
use goblin::elf::program_header::{
    PF_R, PF_W, PF_X, PT_GNU_STACK, PT_INTERP, PT_LOAD, ProgramHeader,
};
use goblin::elf64::header::{Header, SIZEOF_EHDR as EHDR_SIZE};
// `sizeof(Elf64_Phdr)`: the only `e_phentsize` Linux accepts.
use goblin::elf64::program_header::SIZEOF_PHDR as PHDR_SIZE;

/// How goblin reads the program headers: ELF64, little-endian.
const ELF64_LE: Ctx = Ctx {
    container: Container::Big,
    le: Endian::Little,
};
/// Linux's `ELF_MIN_ALIGN` (the page size): the program header table may not be larger.
const ELF_MIN_ALIGN: usize = PAGE_SIZE as usize;
/// Linux's `PATH_MAX`: the longest `PT_INTERP` string.
const PATH_MAX: u64 = 4096;
/// Linux's `TASK_SIZE` for riscv64 (Sv39): addresses at or above it are `BAD_ADDR`.
const TASK_SIZE: u64 = GUEST_SPACE;

/// A validated program: its header and its program headers.
#[derive(Clone, Debug)]
pub struct Elf {
    /// The ELF header (`e_type` is ET_EXEC or ET_DYN).
    pub header: Header,
    /// The program headers, in file order.
    pub phdrs: Vec<ProgramHeader>,
    /// A `PT_GNU_STACK` header asked for an executable stack.
    pub exec_stack: bool,
}

/// The facts about a mapped program that the stack and the process need.
pub struct Segments {
    pub entry: u64,
    pub bias: u64,
    pub phdr: u64,
    pub phent: u64,
    pub phnum: u64,
    pub brk_start: u64,
    /// Map the initial stack executable (`PT_GNU_STACK` with PF_X).
    pub exec_stack: bool,
}

/// `len` bytes of the file at `off`, or None when they are not all in the file.
fn file_bytes(program: &[u8], off: u64, len: u64) -> Option<&[u8]> {
    let start = usize::try_from(off).ok()?;
    let len = usize::try_from(len).ok()?;
    program.get(start..)?.get(..len)
}

/// Parses and validates the ELF header and program headers: riscv64, little-endian,
/// executable, static. Nothing else in the file is read.
pub fn parse(program: &[u8]) -> Result<Elf, LoadError> {
    if program.get(..SELFMAG) != Some(&ELFMAG[..]) {
        return Err(LoadError::NotElf);
    }
    // Linux reads the header from a zero-filled buffer; a file too short to hold one is
    // refused here with its own message instead.
    let Some(ehdr) = program.first_chunk::<EHDR_SIZE>() else {
        return Err(LoadError::Malformed(format!(
            "truncated ELF header ({} bytes, an ELF64 header has {EHDR_SIZE})",
            program.len()
        )));
    };
    // Linux reads the header as an Elf64_Ehdr in its own (little-endian) byte order and
    // looks at the class only after `e_type`. goblin decodes in the byte order `EI_DATA`
    // names, so it is given a copy that names little-endian; the file's own class and byte
    // order are checked below, where Linux checks them.
    let mut le_copy = *ehdr;
    le_copy[EI_DATA] = ELFDATA2LSB;
    let header =
        Header::parse(&le_copy).map_err(|e| LoadError::Malformed(format!("ELF header: {e}")))?;
    if header.e_type != ET_EXEC && header.e_type != ET_DYN {
        return Err(LoadError::WrongType(format!(
            "ELF type {}",
            match header.e_type {
                ET_NONE => "ET_NONE".to_string(),
                ET_REL => "ET_REL".to_string(),
                ET_CORE => "ET_CORE".to_string(),
                t => format!("0x{t:x}"),
            }
        )));
    }
    // elf_check_arch: machine and class (rvrun also needs little-endian data).
    if ehdr[EI_CLASS] != ELFCLASS64 {
        return Err(LoadError::WrongArch("not a 64-bit ELF".into()));
    }
    if ehdr[EI_DATA] != ELFDATA2LSB {
        return Err(LoadError::WrongArch("big-endian ELF".into()));
    }
    if header.e_machine != EM_RISCV {
        return Err(LoadError::WrongArch(format!(
            "machine {}",
            header.e_machine
        )));
    }
    let phdrs = read_phdrs(program, &header)?;
    // PT_INTERP: the first one decides (Linux stops at it).
    if let Some(ph) = phdrs.iter().find(|ph| ph.p_type == PT_INTERP) {
        if ph.p_filesz > PATH_MAX || ph.p_filesz < 2 {
            return Err(LoadError::Malformed(format!(
                "PT_INTERP of {} bytes (Linux: ENOEXEC)",
                ph.p_filesz
            )));
        }
        let Some(name) = file_bytes(program, ph.p_offset, ph.p_filesz) else {
            return Err(LoadError::Malformed(
                "PT_INTERP lies past the end of the file (Linux: EIO)".into(),
            ));
        };
        let Some((&0, path)) = name.split_last() else {
            return Err(LoadError::Malformed(
                "PT_INTERP is not NUL-terminated (Linux: ENOEXEC)".into(),
            ));
        };
        return Err(LoadError::Dynamic(path.escape_ascii().to_string()));
    }
    let exec_stack = phdrs
        .iter()
        .find(|ph| ph.p_type == PT_GNU_STACK)
        .is_some_and(|ph| ph.p_flags & PF_X != 0);
    if !phdrs.iter().any(|ph| ph.p_type == PT_LOAD) {
        return Err(LoadError::Malformed("no loadable segments".into()));
    }
    Ok(Elf {
        header,
        phdrs,
        exec_stack,
    })
}

/// Linux's `load_elf_phdrs`: entries of exactly `sizeof(Elf64_Phdr)`, at least one, the table
/// at most a page, all of it inside the file. goblin decodes only the checked table.
fn read_phdrs(program: &[u8], h: &Header) -> Result<Vec<ProgramHeader>, LoadError> {
    if h.e_phentsize as usize != PHDR_SIZE {
        return Err(LoadError::Malformed(format!(
            "e_phentsize {} is not {PHDR_SIZE} (Linux: ENOEXEC)",
            h.e_phentsize
        )));
    }
    let count = h.e_phnum as usize;
    let size = PHDR_SIZE * count;
    if size == 0 || size > ELF_MIN_ALIGN {
        return Err(LoadError::Malformed(format!(
            "{count} program headers (Linux accepts 1 to {}: ENOEXEC)",
            ELF_MIN_ALIGN / PHDR_SIZE
        )));
    }
    let Some(table) = file_bytes(program, h.e_phoff, size as u64) else {
        return Err(LoadError::Malformed(
            "the program header table lies past the end of the file (Linux: EIO)".into(),
        ));
    };
    ProgramHeader::parse(table, 0, count, ELF64_LE)
        .map_err(|e| LoadError::Malformed(format!("program headers: {e}")))
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

/// Maps every PT_LOAD segment with its permissions and copies its file bytes; the bss reads
/// as zero without being written.
pub fn map_segments(mem: &mut GuestMemory, program: &[u8]) -> Result<Segments, LoadError> {
    let elf = parse(program)?;
    let bias = if elf.header.e_type == ET_DYN {
        PIE_BASE
    } else {
        0
    };
    let mut brk_start = 0;
    let mut phdr = 0;
    for ph in elf.phdrs.iter().filter(|ph| ph.p_type == PT_LOAD) {
        map_segment(mem, program, ph, bias)?;
        // The segment holding the program header table gives AT_PHDR (the last one wins,
        // as in Linux).
        if ph.p_offset <= elf.header.e_phoff && elf.header.e_phoff - ph.p_offset < ph.p_filesz {
            phdr = (elf.header.e_phoff - ph.p_offset)
                .wrapping_add(ph.p_vaddr)
                .wrapping_add(bias);
        }
        // map_segment checked that the segment ends inside the task size.
        brk_start = brk_start.max(page_ceil(ph.p_vaddr.wrapping_add(bias) + ph.p_memsz));
    }
    let entry = elf.header.e_entry.wrapping_add(bias);
    if entry >= TASK_SIZE {
        return Err(LoadError::Malformed(format!(
            "entry point 0x{entry:x} is outside the address space (Linux: EINVAL)"
        )));
    }
    Ok(Segments {
        entry,
        bias,
        phdr,
        phent: PHDR_SIZE as u64,
        phnum: elf.header.e_phnum as u64,
        brk_start,
        exec_stack: elf.exec_stack,
    })
}

/// Maps one PT_LOAD segment. Checks what Linux's `elf_map` (through mmap) and the task size
/// check after it refuse.
fn map_segment(
    mem: &mut GuestMemory,
    program: &[u8],
    ph: &ProgramHeader,
    bias: u64,
) -> Result<(), LoadError> {
    let page_off = ph.p_vaddr % PAGE_SIZE;
    // elf_map maps the file from p_offset - page_off: mmap wants that page aligned.
    // (Linux adds in unsigned long: a hostile p_filesz wraps rather than overflows.)
    if ph.p_filesz.wrapping_add(page_off) > 0 && ph.p_offset % PAGE_SIZE != page_off {
        return Err(LoadError::Malformed(format!(
            "segment at 0x{:x} has file offset 0x{:x}, not congruent to its address modulo \
             the page size (Linux: EINVAL)",
            ph.p_vaddr, ph.p_offset
        )));
    }
    let start = ph.p_vaddr.wrapping_add(bias);
    if start >= TASK_SIZE
        || ph.p_filesz > ph.p_memsz
        || ph.p_memsz > TASK_SIZE
        || TASK_SIZE - ph.p_memsz < start
    {
        return Err(LoadError::Malformed(format!(
            "segment at 0x{:x} (file size 0x{:x}, memory size 0x{:x}) does not fit the \
             address space (Linux: EINVAL)",
            ph.p_vaddr, ph.p_filesz, ph.p_memsz
        )));
    }
    if ph.p_memsz == 0 {
        return Ok(());
    }
    if start < PAGE_SIZE {
        // Linux refuses to map below mmap_min_addr.
        return Err(LoadError::Malformed(format!(
            "segment at 0x{start:x} lies in the first page (Linux: EPERM)"
        )));
    }
    // Linux maps file pages past the end of the file (touching them raises SIGBUS); rvrun
    // refuses such a file up front.
    let Some(file) = file_bytes(program, ph.p_offset, ph.p_filesz) else {
        return Err(LoadError::Malformed(format!(
            "segment at 0x{:x} extends past the end of the file",
            ph.p_vaddr
        )));
    };
    let end = start + ph.p_memsz;
    let (lo, hi) = (page_floor(start), page_ceil(end));
    let prot = prot_of(ph.p_flags);
    // Pages an earlier segment mapped keep its contents and get both permissions; the others
    // are fresh (zero) pages. Work is per region, never per page.
    let shared: Vec<(u64, u64, u8)> = mem
        .regions()
        .filter(|r| r.end > lo && r.start < hi)
        .map(|r| (r.start.max(lo), r.end.min(hi), r.prot))
        .collect();
    let mut at = lo;
    for &(s, e, old) in &shared {
        if at < s {
            mem.map_fixed(at, s - at, prot, RegionKind::Image)?;
        }
        mem.protect(s, e - s, old | prot)?;
        at = e;
    }
    if at < hi {
        mem.map_fixed(at, hi - at, prot, RegionKind::Image)?;
    }
    mem.poke(start, file)?;
    // Zero the bss where it falls on pages that were already mapped (padzero); fresh pages
    // already read as zero. Whole pages are discarded, partial ones written.
    let bss = start + file.len() as u64;
    for &(s, e, _) in &shared {
        let (a, b) = (s.max(bss), e.min(end));
        if a >= b {
            continue;
        }
        let head_end = page_ceil(a).min(b);
        let tail_start = page_floor(b).max(head_end);
        zero(mem, a, head_end)?;
        zero(mem, tail_start, b)?;
        if head_end < tail_start {
            mem.discard(head_end, tail_start - head_end)?;
        }
    }
    Ok(())
}

/// Writes zeros over `[a, b)`, which lies within one page.
fn zero(mem: &mut GuestMemory, a: u64, b: u64) -> Result<(), LoadError> {
    let len = b.saturating_sub(a).min(PAGE_SIZE) as usize;
    if len > 0 {
        mem.poke(a, &[0; PAGE_SIZE as usize][..len])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal riscv64 ET_EXEC: one PT_LOAD of `code` at 0x10000 + header, entry at it.
    fn tiny(code: &[u8], memsz: u64) -> Vec<u8> {
        let mut f = vec![0u8; EHDR_SIZE + PHDR_SIZE];
        f[..4].copy_from_slice(b"\x7fELF");
        f[4] = ELFCLASS64;
        f[5] = ELFDATA2LSB;
        f[6] = 1;
        f[16..18].copy_from_slice(&ET_EXEC.to_le_bytes());
        f[18..20].copy_from_slice(&EM_RISCV.to_le_bytes());
        let entry = 0x10000 + (EHDR_SIZE + PHDR_SIZE) as u64;
        f[24..32].copy_from_slice(&entry.to_le_bytes());
        f[32..40].copy_from_slice(&(EHDR_SIZE as u64).to_le_bytes());
        f[52..54].copy_from_slice(&(EHDR_SIZE as u16).to_le_bytes());
        f[54..56].copy_from_slice(&(PHDR_SIZE as u16).to_le_bytes());
        f[56..58].copy_from_slice(&1u16.to_le_bytes());
        let filesz = (EHDR_SIZE + PHDR_SIZE + code.len()) as u64;
        let ph = EHDR_SIZE;
        f[ph..ph + 4].copy_from_slice(&PT_LOAD.to_le_bytes());
        f[ph + 4..ph + 8].copy_from_slice(&(PF_R | PF_W | PF_X).to_le_bytes());
        f[ph + 16..ph + 24].copy_from_slice(&0x10000u64.to_le_bytes());
        f[ph + 32..ph + 40].copy_from_slice(&filesz.to_le_bytes());
        f[ph + 40..ph + 48].copy_from_slice(&memsz.max(filesz).to_le_bytes());
        f.extend_from_slice(code);
        f
    }

    fn msg(program: &[u8]) -> String {
        match parse(program) {
            Ok(_) => "ok".into(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn a_minimal_program_parses_and_maps() {
        let f = tiny(&[0x73, 0, 0, 0], 0);
        let mut mem = GuestMemory::new().unwrap();
        let seg = map_segments(&mut mem, &f).unwrap();
        assert_eq!(seg.entry, 0x10000 + 120);
        assert_eq!(
            seg.phdr,
            0x10000 + 64,
            "AT_PHDR from the segment holding it"
        );
        assert_eq!(seg.phent, 56);
        assert_eq!(seg.brk_start, 0x11000);
        assert_eq!(mem.peek(0x10000 + 120, 4), Some(&[0x73, 0, 0, 0][..]));
    }

    #[test]
    fn the_checks_come_in_linux_order() {
        let good = tiny(&[0; 4], 0);
        // A bad type is reported before a bad machine.
        let mut f = good.clone();
        f[16] = 1;
        f[18] = 62;
        assert!(msg(&f).contains("ET_REL"), "{}", msg(&f));
        // A bad machine before a bad phentsize.
        let mut f = good.clone();
        f[18] = 62;
        f[54] = 64;
        assert!(msg(&f).contains("machine 62"), "{}", msg(&f));
        let mut f = good.clone();
        f[54] = 64;
        assert!(msg(&f).contains("e_phentsize 64"), "{}", msg(&f));
        let mut f = good.clone();
        f[56] = 0;
        assert!(msg(&f).contains("0 program headers"), "{}", msg(&f));
        let mut f = good.clone();
        f[56..58].copy_from_slice(&74u16.to_le_bytes());
        assert!(msg(&f).contains("74 program headers"), "{}", msg(&f));
        let mut f = good.clone();
        f[32..40].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(msg(&f).contains("past the end"), "{}", msg(&f));
    }

    #[test]
    fn the_header_is_read_little_endian_whatever_ei_data_says() {
        // Linux reads e_type in its own byte order before it looks at class or data: a
        // big-endian (or unknown-endian) ET_REL is refused as ET_REL, not as type 0x100.
        for data in [2, 7] {
            let mut f = tiny(&[0; 4], 0);
            f[5] = data;
            f[16] = 1;
            assert!(msg(&f).contains("ET_REL"), "{}", msg(&f));
            f[16] = 2;
            assert!(msg(&f).contains("big-endian ELF"), "{}", msg(&f));
        }
        let mut f = tiny(&[0; 4], 0);
        f[4] = 1;
        f[5] = 2;
        assert!(msg(&f).contains("not a 64-bit ELF"), "{}", msg(&f));
    }

    #[test]
    fn section_headers_play_no_part() {
        let mut f = tiny(&[0; 4], 0);
        // e_shoff, e_shentsize, e_shnum, e_shstrndx: garbage.
        f[40..48].copy_from_slice(&u64::MAX.to_le_bytes());
        f[58..64].copy_from_slice(&[0xff; 6]);
        assert_eq!(msg(&f), "ok");
    }

    #[test]
    fn interpreter_names_are_checked_and_escaped() {
        let mut f = tiny(&[0; 4], 0);
        let name = b"/lib/ld\x1b[31m.so\0";
        let off = f.len() as u64;
        f.extend_from_slice(name);
        // Turn the only header into a PT_INTERP (no PT_LOAD needed: INTERP is checked first).
        f[64..68].copy_from_slice(&PT_INTERP.to_le_bytes());
        f[72..80].copy_from_slice(&off.to_le_bytes());
        f[96..104].copy_from_slice(&(name.len() as u64).to_le_bytes());
        let m = msg(&f);
        assert!(m.contains(r"/lib/ld\x1b[31m.so"), "{m}");
        assert!(!m.contains('\x1b'));
        f[96..104].copy_from_slice(&(name.len() as u64 - 1).to_le_bytes());
        assert!(msg(&f).contains("not NUL-terminated"));
        f[96..104].copy_from_slice(&1u64.to_le_bytes());
        assert!(msg(&f).contains("PT_INTERP of 1 bytes"));
    }

    #[test]
    fn segment_checks_follow_linux() {
        let mut mem = GuestMemory::new().unwrap();
        // p_filesz > p_memsz.
        let mut f = tiny(&[0; 4], 0);
        f[104..112].copy_from_slice(&1u64.to_le_bytes());
        let e = map_segments(&mut mem, &f).err().unwrap().to_string();
        assert!(e.contains("EINVAL"), "{e}");
        // A segment reaching past the task size.
        let mut f = tiny(&[0; 4], 0);
        f[104..112].copy_from_slice(&u64::MAX.to_le_bytes());
        let e = map_segments(&mut mem, &f).err().unwrap().to_string();
        assert!(e.contains("EINVAL"), "{e}");
        // File offset not congruent with the address.
        let mut f = tiny(&[0; 4], 0);
        f[72..80].copy_from_slice(&8u64.to_le_bytes());
        let e = map_segments(&mut mem, &f).err().unwrap().to_string();
        assert!(e.contains("congruent"), "{e}");
    }

    #[test]
    fn corrupt_headers_are_errors_never_panics() {
        // Random bytes over the ELF header and the program headers of a two-segment file.
        let mut base = tiny(&[0x73, 0, 0, 0], 0x3000);
        base[56] = 2;
        let ph2: Vec<u8> = base[64..120].to_vec();
        base.splice(120..120, ph2);
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..400 {
            let mut f = base.clone();
            for _ in 0..1 + seed % 6 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let at = 16 + (seed as usize % (176 - 16));
                f[at] = (seed >> 40) as u8;
                if seed & 1 == 0 {
                    // Large values where the offsets and sizes live.
                    f[at | 7] = 0xff;
                }
            }
            let mut mem = GuestMemory::new().unwrap();
            let _ = map_segments(&mut mem, &f);
        }
    }

    #[test]
    fn overlapping_huge_segments_cost_little() {
        // 20 program headers, each a 16 GiB all-bss segment over the same range: the work
        // is per region, not per page (page by page, it would be 80 million region updates).
        let mut f = tiny(&[0x73, 0, 0, 0], 16 << 30);
        let ph: Vec<u8> = f[64..120].to_vec();
        f[56] = 20;
        let code = f.split_off(120);
        for _ in 1..20 {
            f.extend_from_slice(&ph);
        }
        f.extend_from_slice(&code);
        let t = std::time::Instant::now();
        let mut mem = GuestMemory::new().unwrap();
        // The entry and file size no longer match the layout; only the cost matters here.
        let _ = map_segments(&mut mem, &f);
        assert!(t.elapsed().as_secs_f64() < 10.0, "{:?}", t.elapsed());
    }

    #[test]
    fn bss_is_mapped_lazily_and_reads_zero() {
        // 1 GiB of bss: mapping it must not touch it (this would take seconds and a GiB
        // otherwise).
        let f = tiny(&[1, 2, 3, 4], 1 << 30);
        let mut mem = GuestMemory::new().unwrap();
        let t = std::time::Instant::now();
        let seg = map_segments(&mut mem, &f).unwrap();
        assert!(t.elapsed().as_millis() < 500, "{:?}", t.elapsed());
        assert_eq!(seg.brk_start, 0x10000 + (1 << 30));
        assert_eq!(mem.peek(0x10000 + 120, 5), Some(&[1, 2, 3, 4, 0][..]));
        assert_eq!(mem.peek(0x10000 + (1 << 30) - 8, 8), Some(&[0; 8][..]));
    }

    #[test]
    fn bss_on_a_page_shared_with_an_earlier_segment_is_zeroed() {
        // Two segments on one page: the first's file bytes cover the whole page, the second
        // (later in the page) is all bss and must read as zero.
        let mut f = tiny(&[0xaa; 200], 0);
        f[56] = 2;
        let mut ph2 = f[64..120].to_vec();
        ph2[16..24].copy_from_slice(&0x10100u64.to_le_bytes());
        ph2[8..16].copy_from_slice(&0x100u64.to_le_bytes());
        ph2[32..40].copy_from_slice(&0u64.to_le_bytes());
        ph2[40..48].copy_from_slice(&0x20u64.to_le_bytes());
        f.splice(120..120, ph2);
        // The code moved by one header: fix the first segment's size and the entry.
        let filesz = f.len() as u64;
        f[96..104].copy_from_slice(&filesz.to_le_bytes());
        f[104..112].copy_from_slice(&filesz.to_le_bytes());
        let mut mem = GuestMemory::new().unwrap();
        map_segments(&mut mem, &f).unwrap();
        assert_eq!(mem.peek(0x100f8, 8), Some(&[0xaa; 8][..]));
        assert_eq!(mem.peek(0x10100, 0x20), Some(&[0; 0x20][..]));
        assert_eq!(mem.peek(0x10120, 8), Some(&[0xaa; 8][..]));
    }
}
