//! Function symbols of a guest program: names for code addresses (`func+0x1c`), for traces
//! and profiles.
//!
//! The table comes from the ELF's `.symtab`: function symbols, plus untyped symbols that
//! point into executable sections (assembly labels such as `_start`). Addresses are shifted
//! by the load bias, so a static-pie's symbols match the pcs it runs at. Rust names are
//! demangled without their hash; C and Go names are used as they are.

use goblin::elf::Elf;
use goblin::elf::section_header::SHF_EXECINSTR;
use goblin::elf::sym::{STB_GLOBAL, STB_WEAK, STT_FUNC, STT_NOTYPE};

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
        let Ok(elf) = Elf::parse(bytes) else {
            return Symbols::default();
        };
        let mut funcs = Vec::new();
        for sym in elf.syms.iter() {
            let typ = sym.st_type();
            if typ != STT_FUNC && typ != STT_NOTYPE {
                continue;
            }
            let Some(section) = elf.section_headers.get(sym.st_shndx) else {
                continue;
            };
            if section.sh_flags & u64::from(SHF_EXECINSTR) == 0 {
                continue;
            }
            let name = match elf.strtab.get_at(sym.st_name) {
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
        Symbols::from_funcs(funcs)
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
    fn rust_names_lose_their_hash() {
        assert_eq!(
            demangle("_ZN4core3fmt5write17h0123456789abcdefE"),
            "core::fmt::write"
        );
        assert_eq!(demangle("main"), "main");
        assert_eq!(demangle("runtime.mallocgc"), "runtime.mallocgc");
    }
}
