//! Loads a static riscv64 ELF (ET_EXEC or static-pie ET_DYN) into guest memory and lays out
//! the Linux initial stack (argc, argv, envp, auxv).

mod elf;
pub mod layout;
mod stack;

use crate::mem::{GuestMemory, MapError};
use crate::rng::GuestRng;
use std::fmt;

/// Why a file cannot be loaded. Each says what is wrong in one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// Not an ELF file at all.
    NotElf,
    /// An ELF file for another machine or class.
    WrongArch(String),
    /// Needs a dynamic loader.
    Dynamic(String),
    /// An ELF type rvrun cannot run (relocatable object, core dump...).
    WrongType(String),
    /// Structurally broken.
    Malformed(String),
    /// argv/envp do not fit on the stack.
    TooBig,
    /// A segment or the stack could not be mapped (outside the address space, or past
    /// `--max-memory`).
    Map(MapError),
}

impl From<MapError> for LoadError {
    fn from(e: MapError) -> LoadError {
        LoadError::Map(e)
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::NotElf => write!(f, "not an ELF file"),
            LoadError::WrongArch(s) => write!(
                f,
                "not a riscv64 program ({s}); rvrun runs 64-bit RISC-V Linux binaries"
            ),
            LoadError::Dynamic(interp) => write!(
                f,
                "dynamically linked (interpreter {interp}); rvrun runs static binaries: link with -static \
                 (or build a static-pie)"
            ),
            LoadError::WrongType(s) => {
                write!(f, "{s}; rvrun runs executables (ET_EXEC or static-pie)")
            }
            LoadError::Malformed(s) => write!(f, "malformed ELF file: {s}"),
            LoadError::TooBig => write!(
                f,
                "arguments and environment do not fit on the initial stack"
            ),
            LoadError::Map(e) => write!(f, "cannot map the program: {e}"),
        }
    }
}

impl std::error::Error for LoadError {}

/// What the loader produced.
#[derive(Clone, Debug)]
pub struct LoadedImage {
    /// Entry point (with the load bias applied).
    pub entry: u64,
    /// Initial stack pointer (points at argc).
    pub initial_sp: u64,
    /// Where the heap starts (page-aligned end of the highest segment).
    pub brk_start: u64,
    /// Load bias (0 for ET_EXEC, [`layout::PIE_BASE`] for static-pie).
    pub bias: u64,
    /// Guest address of the program headers (AT_PHDR).
    pub phdr: u64,
    /// The absolute guest path of the program (`/proc/self/exe` points there).
    pub exe_path: String,
    /// The argument strings on the initial stack: `[arg_start, arg_end)`
    /// (`/proc/self/cmdline`).
    pub arg_start: u64,
    /// One past the last argument string's NUL.
    pub arg_end: u64,
    /// The environment strings: `[env_start, env_end)` (`/proc/self/environ`).
    pub env_start: u64,
    /// One past the last environment string's NUL.
    pub env_end: u64,
}

/// Loads `program` and builds the initial stack. `exe_name` is the program as named on the
/// command line (AT_EXECFN); `argv` includes argv[0].
pub fn load(
    mem: &mut GuestMemory,
    program: &[u8],
    exe_name: &str,
    argv: &[String],
    env: &[String],
    rng: &mut GuestRng,
) -> Result<LoadedImage, LoadError> {
    let seg = elf::map_segments(mem, program)?;
    map_sigreturn_trampoline(mem)?;
    let mut random = [0u8; 16];
    rng.fill(&mut random);
    let sp = stack::build(mem, &seg, exe_name, argv, env, &random)?;
    // The strings lie below the execfn string at the top: argv's, then env's.
    let strings = |v: &[String]| v.iter().map(|s| s.len() as u64 + 1).sum::<u64>();
    let env_end = layout::STACK_TOP - 8 - (exe_name.len() as u64 + 1);
    let env_start = env_end - strings(env);
    let arg_start = env_start - strings(argv);
    Ok(LoadedImage {
        arg_start,
        arg_end: env_start,
        env_start,
        env_end,
        entry: seg.entry,
        initial_sp: sp,
        brk_start: seg.brk_start,
        bias: seg.bias,
        phdr: seg.phdr,
        exe_path: guest_exe_path(exe_name),
    })
}

/// Maps the page signal handlers return through: `li a7, 139` (rt_sigreturn); `ecall`.
fn map_sigreturn_trampoline(mem: &mut GuestMemory) -> Result<(), MapError> {
    use crate::mem::{PAGE_SIZE, RegionKind, perm};
    const LI_A7_139: u32 = 0x08b0_0893;
    const ECALL: u32 = 0x0000_0073;
    let at = layout::SIGRETURN_TRAMPOLINE;
    mem.map_fixed(
        at,
        PAGE_SIZE,
        perm::R | perm::X,
        RegionKind::Special("[sigreturn]"),
    )?;
    let code: Vec<u8> = [LI_A7_139, ECALL]
        .iter()
        .flat_map(|w| w.to_le_bytes())
        .collect();
    mem.poke(at, &code)
}

/// The guest path of the program: the path as given, made absolute against `/` (the default
/// guest cwd), so that `open(argv[0])` finds the program.
pub fn guest_exe_path(exe_name: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in exe_name.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    format!("/{}", parts.join("/"))
}

/// Checks that `program` is something rvrun can load, without loading it.
pub fn check(program: &[u8]) -> Result<(), LoadError> {
    elf::parse(program).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exe_paths_are_absolute() {
        assert_eq!(guest_exe_path("build/x/../y/prog"), "/build/y/prog");
        assert_eq!(guest_exe_path("/abs/prog"), "/abs/prog");
        assert_eq!(guest_exe_path("./prog"), "/prog");
    }

    #[test]
    fn rejects_non_elf() {
        assert_eq!(check(b"#!/bin/sh\necho hi\n"), Err(LoadError::NotElf));
        assert_eq!(check(b""), Err(LoadError::NotElf));
    }
}
