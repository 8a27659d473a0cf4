//! Function symbols of a guest program: names for code addresses (`func+0x1c`), for traces
//! and profiles.
//!
//! The table comes from the ELF's `.symtab`: function symbols, plus untyped symbols that
//! point into executable sections (assembly labels such as `_start`). Addresses are shifted
//! by the load bias, so a static-pie's symbols match the pcs it runs at. Rust names are
//! demangled without their hash; C and Go names are used as they are. The section headers
//! and the symbol table are read by hand with every offset checked against the file: when
//! they are corrupt, symbols are simply absent (the loader never reads them).

/// ELF constants (elf.h).
const SHT_SYMTAB: u32 = 2;
const SHF_EXECINSTR: u64 = 4;
const STT_NOTYPE: u8 = 0;
const STT_FUNC: u8 = 2;
const STB_GLOBAL: u8 = 1;
const STB_WEAK: u8 = 2;
/// sizeof(Elf64_Shdr) and sizeof(Elf64_Sym).
const SHDR_SIZE: usize = 64;
const SYM_SIZE: usize = 24;

/// The fields of a section header the symbol table needs.
#[derive(Clone, Copy)]
struct Section {
    sh_type: u32,
    sh_flags: u64,
    sh_addr: u64,
    sh_offset: u64,
    sh_size: u64,
    sh_link: u32,
}

fn u16_at(b: &[u8], off: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(off..off + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], off: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(off..off + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], off: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(off..off + 8)?.try_into().ok()?))
}

/// `len` bytes of `b` at `off`, when they are all there.
fn bytes_at(b: &[u8], off: u64, len: u64) -> Option<&[u8]> {
    let off = usize::try_from(off).ok()?;
    let len = usize::try_from(len).ok()?;
    b.get(off..)?.get(..len)
}

/// The section headers of a little-endian ELF64 file, or None when the table is absent or
/// does not lie inside the file (every count and offset is checked against the file size).
fn section_headers(b: &[u8]) -> Option<Vec<Section>> {
    if b.get(..6)? != b"\x7fELF\x02\x01" {
        return None;
    }
    let shoff = u64_at(b, 40)?;
    if u16_at(b, 58)? as usize != SHDR_SIZE || shoff == 0 {
        return None;
    }
    let mut count = u64::from(u16_at(b, 60)?);
    if count == 0 {
        // Extended numbering: the count is section 0's sh_size.
        count = u64_at(bytes_at(b, shoff, SHDR_SIZE as u64)?, 32)?;
    }
    let table = bytes_at(b, shoff, count.checked_mul(SHDR_SIZE as u64)?)?;
    Some(
        table
            .chunks_exact(SHDR_SIZE)
            .map(|h| Section {
                sh_type: u32_at(h, 4).unwrap_or(0),
                sh_flags: u64_at(h, 8).unwrap_or(0),
                sh_addr: u64_at(h, 16).unwrap_or(0),
                sh_offset: u64_at(h, 24).unwrap_or(0),
                sh_size: u64_at(h, 32).unwrap_or(0),
                sh_link: u32_at(h, 40).unwrap_or(0),
            })
            .collect(),
    )
}

/// The NUL-terminated UTF-8 string at `off` in `strtab`.
fn name_at(strtab: &[u8], off: u32) -> Option<&str> {
    let s = strtab.get(off as usize..)?;
    let end = s.iter().position(|&c| c == 0)?;
    std::str::from_utf8(&s[..end]).ok()
}

/// The function symbols of one program, sorted by address.
#[derive(Clone, Debug, Default)]
pub struct Symbols {
    funcs: Vec<Func>,
}

#[derive(Clone, Debug)]
struct Func {
    start: u64,
    /// One past the last byte: from the symbol's size, or (size 0) the next symbol's start or
    /// the end of its section.
    end: u64,
    name: String,
    /// False when the symbol has no size: it then ends where the next one starts.
    sized: bool,
    /// Which of several symbols at one address names it (higher wins).
    rank: u8,
}

impl Symbols {
    /// The function symbols of the ELF file `bytes`, moved by `bias` (the load bias of a
    /// static-pie, 0 otherwise). A file that does not parse, or has no symbol table
    /// (stripped), gives an empty table.
    pub fn from_elf(bytes: &[u8], bias: u64) -> Symbols {
        Symbols::from_funcs(funcs_of(bytes, bias).unwrap_or_default())
    }

    /// Sorts, keeps the best-ranked symbol per address, and ends each sizeless symbol at the
    /// next one.
    fn from_funcs(mut funcs: Vec<Func>) -> Symbols {
        funcs.sort_by(|a, b| {
            a.start
                .cmp(&b.start)
                .then(b.rank.cmp(&a.rank))
                .then(a.name.cmp(&b.name))
        });
        funcs.dedup_by_key(|f| f.start);
        for i in 0..funcs.len().saturating_sub(1) {
            let next = funcs[i + 1].start;
            let f = &mut funcs[i];
            if !f.sized && f.end > next {
                f.end = next;
            }
        }
        Symbols { funcs }
    }

    /// The function containing `pc` and the offset of `pc` into it.
    pub fn lookup(&self, pc: u64) -> Option<(&str, u64)> {
        self.function_at(pc)
            .map(|(start, _, name)| (name, pc - start))
    }

    /// The function containing `pc`: its start, its end (exclusive) and its name.
    pub fn function_at(&self, pc: u64) -> Option<(u64, u64, &str)> {
        let i = self.funcs.partition_point(|f| f.start <= pc);
        let f = &self.funcs[i.checked_sub(1)?];
        (pc < f.end).then_some((f.start, f.end, f.name.as_str()))
    }

    /// True when `pc` is the first instruction of a function.
    pub fn is_entry(&self, pc: u64) -> bool {
        self.funcs.binary_search_by_key(&pc, |f| f.start).is_ok()
    }

    /// The address of the function named `name` (the demangled name, as [`lookup`] gives it).
    ///
    /// [`lookup`]: Symbols::lookup
    pub fn address_of(&self, name: &str) -> Option<(u64, u64)> {
        self.funcs
            .iter()
            .find(|f| f.name == name)
            .map(|f| (f.start, f.end))
    }

    /// Number of functions.
    pub fn len(&self) -> usize {
        self.funcs.len()
    }

    /// True when the program has no function symbols (e.g. it is stripped).
    pub fn is_empty(&self) -> bool {
        self.funcs.is_empty()
    }
}

/// The function symbols of `.symtab`, or None when there is no usable symbol table. Read
/// by hand with every offset checked, so that a corrupt section header table or symbol
/// table only means fewer (or no) symbols.
fn funcs_of(bytes: &[u8], bias: u64) -> Option<Vec<Func>> {
    let sections = section_headers(bytes)?;
    let symtab = sections.iter().find(|s| s.sh_type == SHT_SYMTAB)?;
    let strtab = sections.get(symtab.sh_link as usize)?;
    let strtab = bytes_at(bytes, strtab.sh_offset, strtab.sh_size)?;
    let syms = bytes_at(bytes, symtab.sh_offset, symtab.sh_size)?;
    let mut funcs = Vec::new();
    for sym in syms.chunks_exact(SYM_SIZE) {
        let (st_name, st_info) = (u32_at(sym, 0)?, sym[4]);
        let st_shndx = u16_at(sym, 6)?;
        let (st_value, st_size) = (u64_at(sym, 8)?, u64_at(sym, 16)?);
        let typ = st_info & 0xf;
        if typ != STT_FUNC && typ != STT_NOTYPE {
            continue;
        }
        let Some(section) = sections.get(st_shndx as usize) else {
            continue;
        };
        if section.sh_flags & SHF_EXECINSTR == 0 {
            continue;
        }
        let name = match name_at(strtab, st_name) {
            // `$x`/`$d` mark code and data, `.L` names are assembler-local labels.
            Some(n) if !n.is_empty() && !n.starts_with('$') && !n.starts_with(".L") => n,
            _ => continue,
        };
        let bind_rank = match st_info >> 4 {
            STB_GLOBAL => 2,
            STB_WEAK => 1,
            _ => 0,
        };
        let start = st_value.wrapping_add(bias);
        let section_end = section
            .sh_addr
            .wrapping_add(section.sh_size)
            .wrapping_add(bias);
        let end = if st_size > 0 {
            start.wrapping_add(st_size)
        } else {
            section_end
        };
        funcs.push(Func {
            start,
            end,
            sized: st_size > 0,
            name: demangle(name),
            rank: if typ == STT_FUNC { 4 } else { 0 } + bind_rank,
        });
    }
    Some(funcs)
}

/// A Rust symbol's readable name without its hash; any other name unchanged.
fn demangle(name: &str) -> String {
    match rustc_demangle::try_demangle(name) {
        Ok(d) => format!("{d:#}"),
        Err(_) => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn func(start: u64, end: u64, name: &str, rank: u8) -> Func {
        Func {
            start,
            end,
            sized: rank >= 4,
            name: name.to_string(),
            rank,
        }
    }

    #[test]
    fn lookup_finds_the_containing_function() {
        let s = Symbols::from_funcs(vec![
            func(0x2000, 0x2010, "b", 6),
            func(0x1000, 0x1100, "a", 6),
        ]);
        assert_eq!(s.lookup(0x1000), Some(("a", 0)));
        assert_eq!(s.lookup(0x101c), Some(("a", 0x1c)));
        assert_eq!(s.lookup(0x1100), None, "past the end of a sized symbol");
        assert_eq!(s.lookup(0xfff), None);
        assert_eq!(s.function_at(0x200f), Some((0x2000, 0x2010, "b")));
        assert!(s.is_entry(0x2000));
        assert!(!s.is_entry(0x2004));
        assert_eq!(s.address_of("b"), Some((0x2000, 0x2010)));
    }

    #[test]
    fn sizeless_labels_end_at_the_next_symbol_and_functions_win_aliases() {
        let s = Symbols::from_funcs(vec![
            func(0x1000, 0x9000, "_start", 2),
            func(0x1040, 0x1080, "local_alias", 4),
            func(0x1040, 0x1080, "main", 6),
        ]);
        assert_eq!(s.len(), 2);
        assert_eq!(s.lookup(0x103e), Some(("_start", 0x3e)));
        assert_eq!(s.lookup(0x1044), Some(("main", 4)));
    }

    #[test]
    fn symbols_of_a_real_elf_and_of_corrupt_copies() {
        // The test binary itself: a host ELF64 with a symbol table.
        let exe = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let s = Symbols::from_elf(&exe, 0);
        assert!(s.len() > 100, "{} symbols", s.len());
        let (start, _) = s.address_of("main").expect("main is in the table");
        assert_eq!(s.lookup(start), Some(("main", 0)));
        // Garbage in the header fields and in the section header table: fewer or no
        // symbols, never a panic.
        let shoff = u64::from_le_bytes(exe[40..48].try_into().unwrap()) as usize;
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for round in 0..200 {
            let mut bad = exe.clone();
            for _ in 0..16 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let at = if round % 2 == 0 {
                    40 + (seed as usize % 24)
                } else {
                    shoff + (seed as usize % (bad.len() - shoff))
                };
                bad[at] = (seed >> 32) as u8;
            }
            let _ = Symbols::from_elf(&bad, 0x1000);
        }
        assert!(Symbols::from_elf(&exe[..shoff + 10], 0).is_empty());
        assert!(Symbols::from_elf(b"\x7fELF", 0).is_empty());
    }

    #[test]
    fn rust_names_lose_their_hash() {
        assert_eq!(
            demangle("_ZN4core3fmt5write17h0123456789abcdefE"),
            "core::fmt::write"
        );
        assert_eq!(demangle("main"), "main");
        assert_eq!(demangle("runtime.mallocgc"), "runtime.mallocgc");
    }
}
