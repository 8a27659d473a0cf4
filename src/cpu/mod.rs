//! The RV64IMAFDC (+ Zicsr, Zifencei, Zba, Zbb, Zbs, Zicond) user-mode CPU. It knows nothing
//! about Linux: [`run`] executes guest instructions until one needs the kernel (`ecall`, `ebreak`), faults, is
//! illegal, or the instruction budget is spent, and says which in an [`Exit`].
//!
//! Execution is deterministic: the counters read the retired-instruction count, FP follows
//! the ISA bit for bit (see [`fpu`]), and nothing depends on host timing.

mod cache;
mod compressed;
mod csr;
mod decode;
pub mod disasm;
mod exec;
pub mod fpu;
mod insn;
pub mod observe;
pub mod regs;

#[cfg(test)]
mod tests;

pub use cache::DecodeCache;
pub use decode::describe_illegal;
pub use observe::{Observer, Unobserved};

use crate::mem::{GuestMemory, MemFault};

/// Number of slots in [`Cpu::x`]: x0..x31, the x0 write sink (slot 32), and padding so a
/// register index masked to 6 bits is always in bounds.
pub const X_SLOTS: usize = 64;

/// The architectural state of one hart (one guest thread). (`==` compares every slot of `x`,
/// the write sink included.)
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cpu {
    /// Integer registers. `x[0]` always reads 0; `x[1..32]` are x1..x31. Slot 32 absorbs
    /// writes to x0 and slots 33.. are unused; neither is architectural state.
    pub x: [u64; X_SLOTS],
    /// FP registers as raw bits (single-precision values NaN-boxed).
    pub f: [u64; 32],
    /// Program counter.
    pub pc: u64,
    /// Accrued FP exception flags (`fflags`, 5 bits).
    pub fflags: u32,
    /// Dynamic rounding mode (`frm`, 3 bits; values 5..=7 make dynamic-rm instructions
    /// illegal).
    pub frm: u32,
    /// Address reserved by the last `lr`, until an `sc`, an `ecall`, or a thread switch.
    pub reservation: Option<u64>,
    /// Instructions retired by this hart (what `cycle`, `time` and `instret` read).
    pub instret: u64,
}

impl Cpu {
    /// A hart with all registers zero, starting at `pc`.
    pub fn new(pc: u64) -> Cpu {
        Cpu {
            x: [0; X_SLOTS],
            f: [0; 32],
            pc,
            fflags: 0,
            frm: 0,
            reservation: None,
            instret: 0,
        }
    }

    /// Integer register `i` (0..32); x0 reads 0.
    #[inline]
    pub fn reg(&self, i: usize) -> u64 {
        if i == 0 || i >= 32 { 0 } else { self.x[i] }
    }

    /// Sets integer register `i` (0..32); writes to x0 (and out-of-range indices) are ignored.
    #[inline]
    pub fn set_reg(&mut self, i: usize, v: u64) {
        if i != 0 && i < 32 {
            self.x[i] = v;
        }
    }

    /// The `fcsr` CSR: `frm << 5 | fflags`.
    #[inline]
    pub fn fcsr(&self) -> u32 {
        (self.frm << 5) | self.fflags
    }

    /// Sets `fcsr` (e.g. from a signal frame); bits above the 8 defined ones are dropped.
    #[inline]
    pub fn set_fcsr(&mut self, v: u32) {
        self.fflags = v & 0x1f;
        self.frm = (v >> 5) & 7;
    }
}

/// Why [`run`] returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// `ecall` retired; `cpu.pc` is its address (the kernel resumes at `pc + 4`).
    Ecall,
    /// `ebreak` (or `c.ebreak`) retired; `cpu.pc` is its address.
    Ebreak,
    /// A load, store, AMO or instruction fetch at `pc` faulted; it did not retire.
    Fault {
        /// Address of the faulting instruction.
        pc: u64,
        /// The failed access.
        fault: MemFault,
    },
    /// An LR, SC or AMO at `pc` used an address not aligned to its size (the kernel sends
    /// SIGBUS); it did not retire.
    MisalignedAtomic {
        /// Address of the instruction.
        pc: u64,
        /// The misaligned data address.
        addr: u64,
    },
    /// The instruction at `pc` is illegal (see [`describe_illegal`]); it did not retire.
    Illegal {
        /// Address of the instruction.
        pc: u64,
        /// Its raw bits (16-bit parcels in the low half).
        raw: u32,
    },
    /// `budget` instructions retired without any other exit.
    BudgetExhausted,
}

/// Runs `cpu` until an exit, or until `budget` instructions have retired (then
/// [`Exit::BudgetExhausted`]). Never retires more than `budget` instructions; `cpu.instret`
/// grows by exactly the number retired.
///
/// `cache` must only ever be used with this `mem` (one cache per address space); harts that
/// share the address space share the cache.
pub fn run(cpu: &mut Cpu, mem: &mut GuestMemory, cache: &mut DecodeCache, budget: u64) -> Exit {
    exec::run(cpu, mem, cache, budget, &mut Unobserved)
}

/// [`run`], showing every instruction to `observer` (see [`observe`]).
pub fn run_observed<O: Observer>(
    cpu: &mut Cpu,
    mem: &mut GuestMemory,
    cache: &mut DecodeCache,
    budget: u64,
    observer: &mut O,
) -> Exit {
    exec::run(cpu, mem, cache, budget, observer)
}
