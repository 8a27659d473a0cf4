//! rvrun: a deterministic user-mode runner for static riscv64 Linux programs.
//!
//! The data path: [`loader`] maps an ELF into a [`mem::GuestMemory`] and builds the initial
//! stack; [`cpu`] interprets RV64GC until it traps; [`kernel::process::Process`] handles the trap,
//! for `ecall` through the [`kernel::syscalls`] table, whose file calls use the in-memory [`vfs`].
//! Every observable effect depends only on the [`config::RunConfig`] and the inputs.

pub mod abi;
pub mod clock;
pub mod compare;
pub mod config;
pub mod cpu;
pub mod fuzzing;
pub mod hostfile;
pub mod kernel;
pub mod loader;
pub mod mem;
pub mod observe;
pub mod output;
pub mod profile;
pub mod receipt;
pub mod rng;
pub mod symbols;
pub mod trace;
pub mod vfs;
