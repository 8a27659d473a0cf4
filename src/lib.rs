//! rvrun: a deterministic user-mode runner for static riscv64 Linux programs.
//!
//! The data path: [`loader`] maps an ELF into a [`mem::GuestMemory`] and builds the initial
//! stack; [`cpu`] interprets RV64GC until it traps; [`process::Process`] handles the trap,
//! for `ecall` through the [`syscalls`] table, whose file calls use the in-memory [`vfs`].
//! Every observable effect depends only on the [`config::RunConfig`] and the inputs.

pub mod clock;
pub mod compare;
pub mod config;
pub mod cpu;
pub mod fuzzing;
pub mod hostfile;
pub mod loader;
pub mod mem;
pub mod observe;
pub mod output;
pub mod process;
pub mod profile;
pub mod receipt;
pub mod rng;
pub mod sched;
pub mod signal;
pub mod symbols;
pub mod syscalls;
pub mod timers;
pub mod trace;
pub mod vfs;
