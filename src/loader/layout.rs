//! The fixed guest address-space layout. There is no randomisation: the same program gets the
//! same addresses on every run and every machine. Values follow Linux on an Sv39 machine
//! with ASLR off.

use crate::mem::GUEST_SPACE;

/// One past the highest stack address (the top of the Sv39 user half).
pub const STACK_TOP: u64 = GUEST_SPACE;
/// Size of the main thread's stack mapping (the default RLIMIT_STACK, 8 MiB).
pub const STACK_SIZE: u64 = 8 << 20;
/// mmap allocates top-down below this address (Linux: TASK_SIZE minus the 128 MiB minimum gap
/// kept for the stack).
pub const MMAP_TOP: u64 = STACK_TOP - (128 << 20);
/// Lowest address mmap hands out without a hint (Linux's mmap_min_addr is 64 KiB; rvrun keeps
/// low memory for ET_EXEC images).
pub const MMAP_BOTTOM: u64 = 0x1_0000_0000;
/// Where a static-pie (ET_DYN) program is loaded: Linux's ELF_ET_DYN_BASE for Sv39 (two thirds
/// of the user address space), page aligned.
pub const PIE_BASE: u64 = 0x2a_aaaa_a000;
/// The page holding the signal-return trampoline (`li a7, 139; ecall`): riscv64 has no
/// sa_restorer, so Linux returns from handlers through its vDSO; rvrun maps this page instead
/// and points ra at it. It sits just above the mmap area.
pub const SIGRETURN_TRAMPOLINE: u64 = MMAP_TOP;
