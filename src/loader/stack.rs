//! The initial process stack, laid out as Linux's `create_elf_tables` does: strings at the
//! top (the program name highest, then the environment, then the arguments), 16 AT_RANDOM
//! bytes, then argc, argv[], NULL, envp[], NULL and the auxiliary vector, 16-byte aligned.

use super::LoadError;
use super::elf::Segments;
use super::layout::{STACK_SIZE, STACK_TOP};
use crate::abi::auxv::*;
use crate::kernel::process::GUEST_UID;
use crate::mem::{GuestMemory, PAGE_SIZE, RegionKind, perm};

/// AT_HWCAP: one bit per single-letter ISA extension implemented (asm/hwcap.h): I, M, A, F,
/// D and C.
const HWCAP: u64 = isa_bits(b"imafdc");

const fn isa_bits(letters: &[u8]) -> u64 {
    let mut bits = 0;
    let mut i = 0;
    while i < letters.len() {
        bits |= 1 << (letters[i] - b'a');
        i += 1;
    }
    bits
}

/// Maps the stack, writes everything onto it and returns the initial sp.
pub fn build(
    mem: &mut GuestMemory,
    seg: &Segments,
    exe_name: &str,
    argv: &[String],
    env: &[String],
    random: &[u8; 16],
) -> Result<u64, LoadError> {
    let strings: usize =
        argv.iter().chain(env).map(|s| s.len() + 1).sum::<usize>() + exe_name.len() + 1;
    // Leave at least a page of stack for the program itself, as Linux's E2BIG check does.
    if strings as u64 + (argv.len() + env.len()) as u64 * 8 + 4096 > STACK_SIZE / 4 {
        return Err(LoadError::TooBig);
    }
    mem.map_fixed(
        STACK_TOP - STACK_SIZE,
        STACK_SIZE,
        if seg.exec_stack {
            perm::R | perm::W | perm::X
        } else {
            perm::R | perm::W
        },
        RegionKind::Stack,
    )?;

    let mut p = STACK_TOP - 8;
    let mut push_str = |mem: &mut GuestMemory, s: &str| -> Result<u64, LoadError> {
        p -= s.len() as u64 + 1;
        mem.poke(p, s.as_bytes())?;
        mem.poke(p + s.len() as u64, &[0])?;
        Ok(p)
    };
    let execfn = push_str(mem, exe_name)?;
    // Strings are pushed last to first, so that they lie in order in memory.
    let mut env_ptrs = env
        .iter()
        .rev()
        .map(|s| push_str(mem, s))
        .collect::<Result<Vec<u64>, _>>()?;
    env_ptrs.reverse();
    let mut arg_ptrs = argv
        .iter()
        .rev()
        .map(|s| push_str(mem, s))
        .collect::<Result<Vec<u64>, _>>()?;
    arg_ptrs.reverse();

    p &= !15;
    p -= 16;
    let random_at = p;
    mem.poke(random_at, random)?;

    let auxv: [(u64, u64); 17] = [
        (at::HWCAP, HWCAP),
        (at::PAGESZ, PAGE_SIZE),
        (at::CLKTCK, CLK_TCK),
        (at::PHDR, seg.phdr),
        (at::PHENT, seg.phent),
        (at::PHNUM, seg.phnum),
        (at::BASE, 0),
        (at::FLAGS, 0),
        (at::ENTRY, seg.entry),
        (at::UID, GUEST_UID),
        (at::EUID, GUEST_UID),
        (at::GID, GUEST_UID),
        (at::EGID, GUEST_UID),
        (at::SECURE, 0),
        (at::RANDOM, random_at),
        (at::EXECFN, execfn),
        (at::NULL, 0),
    ];
    let words = 1 + arg_ptrs.len() + 1 + env_ptrs.len() + 1 + 2 * auxv.len();
    let sp = (p - words as u64 * 8) & !15;
    let mut w: Vec<u64> = Vec::with_capacity(words);
    w.push(arg_ptrs.len() as u64);
    w.extend(&arg_ptrs);
    w.push(0);
    w.extend(&env_ptrs);
    w.push(0);
    for (k, v) in auxv {
        w.push(k);
        w.push(v);
    }
    let bytes: Vec<u8> = w.iter().flat_map(|v| v.to_le_bytes()).collect();
    mem.poke(sp, &bytes)?;
    Ok(sp)
}
