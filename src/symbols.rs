//! Function symbols of a guest program: names for code addresses (`func+0x1c`), for traces
//! and profiles.
//!
//! The table comes from the ELF's `.symtab`: function symbols, plus untyped symbols that
//! point into executable sections (assembly labels such as `_start`). Addresses are shifted
//! by the load bias, so a static-pie's symbols match the pcs it runs at. Rust names are
//! demangled without their hash; C and Go names are used as they are. goblin decodes the
//! section headers, the symbol table and the string table, each only after its offset and
//! size were checked against the file: when they are corrupt, symbols are simply absent (the
//! loader never reads them).

use goblin::container::{Container, Ctx, Endian};
use goblin::elf::header::{EI_CLASS, EI_DATA, ELFCLASS64, ELFDATA2LSB, ELFMAG, SELFMAG};
use goblin::elf::section_header::{SHF_EXECINSTR, SHT_SYMTAB, SectionHeader};
use goblin::elf::sym::{STB_GLOBAL, STB_WEAK, STT_FUNC, STT_NOTYPE, Symtab};
use goblin::elf64::header::Header;
use goblin::elf64::section_header::SIZEOF_SHDR;
use goblin::elf64::sym::SIZEOF_SYM;
use goblin::strtab::Strtab;

/// How goblin reads the tables: ELF64, little-endian.
const ELF64_LE: Ctx = Ctx {
    container: Container::Big,
    le: Endian::Little,
};

/// `len` bytes of `b` at `off`, when they are all there.
fn bytes_at(b: &[u8], off: u64, len: u64) -> Option<&[u8]> {
    let off = usize::try_from(off).ok()?;
    let len = usize::try_from(len).ok()?;
    b.get(off..)?.get(..len)
}

/// The section headers of a little-endian ELF64 file, or None when the table is absent or
/// does not lie inside the file (every count and offset is checked against the file size
/// before goblin reads the table).
fn section_headers(b: &[u8]) -> Option<Vec<SectionHeader>> {
    let h = Header::parse(b).ok()?;
    if h.e_ident[..SELFMAG] != ELFMAG[..]
        || h.e_ident[EI_CLASS] != ELFCLASS64
        || h.e_ident[EI_DATA] != ELFDATA2LSB
        || h.e_shentsize as usize != SIZEOF_SHDR
        || h.e_shoff == 0
    {
        return None;
    }
    // The first `count` section headers, when they all lie inside the file.
    let table = |count: u64| {
        let bytes = bytes_at(b, h.e_shoff, count.checked_mul(SIZEOF_SHDR as u64)?)?;
        SectionHeader::parse_from(bytes, 0, usize::try_from(count).ok()?, ELF64_LE).ok()
    };
    let count = match h.e_shnum {
        // Extended numbering: the count is section 0's sh_size.
        0 => table(1)?.first()?.sh_size,
        n => u64::from(n),
    };
    if count == 0 {
        // No sections (goblin would take a count of 0 as extended numbering again).
        return None;
    }
    table(count)
}

/// The UTF-8 name at `off` in `strtab`, when it is NUL-terminated inside the table.
/// `Strtab::get` reads just that one string; `Strtab::parse` (for `get_at`) would index
/// every string of the table first (a vector entry per string) and refuse the whole table
/// for one name that is not UTF-8.
#[allow(deprecated)]
fn name_at<'a>(strtab: &Strtab<'a>, off: usize) -> Option<&'a str> {
    strtab.get(off)?.ok()
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

/// The function symbols of `.symtab`, or None when there is no usable symbol table. Every
/// table is checked to lie inside the file before goblin reads it, so that a corrupt section
/// header table or symbol table only means fewer (or no) symbols.
fn funcs_of(bytes: &[u8], bias: u64) -> Option<Vec<Func>> {
    let sections = section_headers(bytes)?;
    let symtab = sections.iter().find(|s| s.sh_type == SHT_SYMTAB)?;
    let strtab = sections.get(symtab.sh_link as usize)?;
    let strtab = bytes_at(bytes, strtab.sh_offset, strtab.sh_size)?;
    // Names must end inside the table: cut it after its last NUL.
    let strtab = Strtab::new(&strtab[..=strtab.iter().rposition(|&c| c == 0)?], 0);
    let syms = bytes_at(bytes, symtab.sh_offset, symtab.sh_size)?;
    let syms = Symtab::parse(syms, 0, syms.len() / SIZEOF_SYM, ELF64_LE).ok()?;
    let mut funcs = Vec::new();
    for sym in syms.iter() {
        let typ = sym.st_type();
        if typ != STT_FUNC && typ != STT_NOTYPE {
            continue;
        }
        let Some(section) = sections.get(sym.st_shndx) else {
            continue;
        };
        if section.sh_flags & u64::from(SHF_EXECINSTR) == 0 {
            continue;
        }
        let name = match name_at(&strtab, sym.st_name) {
            // `$x`/`$d` mark code and data, `.L` names are assembler-local labels.
            Some(n) if !n.is_empty() && !n.starts_with('$') && !n.starts_with(".L") => n,
            _ => continue,
        };
        let bind_rank = match sym.st_bind() {
            STB_GLOBAL => 2,
            STB_WEAK => 1,
            _ => 0,
        };
        let start = sym.st_value.wrapping_add(bias);
        let section_end = section
            .sh_addr
            .wrapping_add(section.sh_size)
            .wrapping_add(bias);
        let end = if sym.st_size > 0 {
            start.wrapping_add(sym.st_size)
        } else {
            section_end
        };
        funcs.push(Func {
            start,
            end,
            sized: sym.st_size > 0,
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

    /// A function whose name the test below finds in its own binary's symbol table
    /// (`no_mangle` keeps the name whole and the symbol present in release builds too).
    #[unsafe(no_mangle)]
    #[inline(never)]
    extern "C" fn a_name_that_is_not_utf8_costs_only_its_own_symbol_marker() {}

    #[test]
    fn a_name_that_is_not_utf8_costs_only_its_own_symbol() {
        std::hint::black_box(
            a_name_that_is_not_utf8_costs_only_its_own_symbol_marker as extern "C" fn(),
        );
        let mut exe = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let before = Symbols::from_elf(&exe, 0);
        let sections = section_headers(&exe).unwrap();
        let symtab = sections.iter().find(|s| s.sh_type == SHT_SYMTAB).unwrap();
        let strtab = &sections[symtab.sh_link as usize];
        let (off, len) = (strtab.sh_offset as usize, strtab.sh_size as usize);
        let name = b"a_name_that_is_not_utf8_costs_only_its_own_symbol_marker\0";
        let at = exe[off..off + len]
            .windows(name.len())
            .position(|w| w == name)
            .unwrap();
        exe[off + at] = 0xff;
        let after = Symbols::from_elf(&exe, 0);
        assert_eq!(after.len(), before.len() - 1);
        assert!(after.address_of("main").is_some());
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
