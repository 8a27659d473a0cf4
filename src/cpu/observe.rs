//! Watching execution one instruction at a time: the hook that traces and profiles use.
//!
//! [`super::run_observed`] takes an [`Observer`] as a type parameter. With [`Unobserved`]
//! (`ACTIVE = false`) it compiles to the plain block loop, so a run that neither traces nor
//! profiles pays nothing. An active observer makes the loop step one instruction at a time
//! and calls [`Observer::before`] and [`Observer::retired`] around each one; it learns what
//! the instruction did through [`Step`], which knows the ISA so observers need not.

use super::Cpu;
use super::insn::{Insn, Op, X_SINK};
use crate::mem::GuestMemory;

/// Something that watches every retired instruction.
pub trait Observer {
    /// False only for [`Unobserved`]: the run loop then skips stepping altogether.
    const ACTIVE: bool = true;

    /// The instruction `step` is about to run; `cpu` holds the state before it.
    fn before(&mut self, cpu: &Cpu, step: &Step);

    /// `step` retired; `cpu` and `mem` hold the state after it. Not called for an
    /// instruction that trapped (a fault, an illegal encoding) since it did not retire.
    /// An `ecall` retires before its syscall runs: `cpu.pc` still points at it.
    fn retired(&mut self, cpu: &Cpu, mem: &GuestMemory, step: &Step);
}

/// The observer of a run nobody watches.
pub struct Unobserved;

impl Observer for Unobserved {
    const ACTIVE: bool = false;
    #[inline(always)]
    fn before(&mut self, _: &Cpu, _: &Step) {}
    #[inline(always)]
    fn retired(&mut self, _: &Cpu, _: &GuestMemory, _: &Step) {}
}

/// Two observers watching the same run (a trace and a profile), each seeing every step.
impl<A: Observer, B: Observer> Observer for (A, B) {
    const ACTIVE: bool = A::ACTIVE || B::ACTIVE;
    #[inline(always)]
    fn before(&mut self, cpu: &Cpu, step: &Step) {
        self.0.before(cpu, step);
        self.1.before(cpu, step);
    }
    #[inline(always)]
    fn retired(&mut self, cpu: &Cpu, mem: &GuestMemory, step: &Step) {
        self.0.retired(cpu, mem, step);
        self.1.retired(cpu, mem, step);
    }
}

impl<T: Observer> Observer for &mut T {
    const ACTIVE: bool = T::ACTIVE;
    #[inline(always)]
    fn before(&mut self, cpu: &Cpu, step: &Step) {
        (**self).before(cpu, step);
    }
    #[inline(always)]
    fn retired(&mut self, cpu: &Cpu, mem: &GuestMemory, step: &Step) {
        (**self).retired(cpu, mem, step);
    }
}

/// One instruction as it runs: where it is, how long it is, and what it is.
pub struct Step<'a> {
    /// Address of the instruction.
    pub pc: u64,
    /// Its length in bytes: 2 (compressed) or 4.
    pub len: u8,
    pub(super) insn: &'a Insn,
}

/// A register an instruction writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dest {
    /// Integer register x1..x31 (writes to x0 are not destinations).
    X(u8),
    /// Floating-point register f0..f31 (the raw 64-bit, NaN-boxed contents).
    F(u8),
}

/// What kind of memory access an instruction makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessKind {
    /// A load: the value read is the destination's new value (sign/zero extended).
    Load,
    /// A store of the source register's low `width` bytes.
    Store,
    /// `lr`: a load that also sets a reservation.
    LoadReserved,
    /// `sc`: stores only when the destination reads 0 afterwards.
    StoreConditional,
    /// An AMO: reads the old value into the destination and stores the combined value.
    Amo,
}

/// The memory access an instruction is about to make.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Access {
    /// Load, store or AMO.
    pub kind: AccessKind,
    /// The effective address.
    pub addr: u64,
    /// 1, 2, 4 or 8 bytes.
    pub width: u8,
}

/// A control transfer through `jal` or `jalr`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Jump {
    /// The link register (0 when the jump does not link).
    pub rd: u8,
    /// The base register of a `jalr`, `None` for a `jal`.
    pub rs1: Option<u8>,
    /// Where it goes.
    pub target: u64,
}

impl Step<'_> {
    /// The raw encoding as it sits in memory: a 16-bit parcel in the low half for a
    /// compressed instruction. Read from `mem`, which still holds the instruction (any write
    /// to its page would have dropped the decoded copy the step came from).
    pub fn raw(&self, mem: &GuestMemory) -> u32 {
        // It was fetched, so it is mapped: no permission check needed.
        match mem.peek(self.pc, self.len as usize) {
            Some(&[a, b]) => u32::from(u16::from_le_bytes([a, b])),
            Some(&[a, b, c, d]) => u32::from_le_bytes([a, b, c, d]),
            _ => 0,
        }
    }

    /// The address of the next instruction in program order.
    pub fn fall_through(&self) -> u64 {
        self.pc.wrapping_add(self.len as u64)
    }

    /// The register this instruction writes, if any.
    pub fn dest(&self) -> Option<Dest> {
        let rd = self.insn.rd;
        if writes_f(self.insn.op) {
            return Some(Dest::F(rd & 31));
        }
        if writes_x(self.insn.op) && rd != X_SINK && rd != 0 {
            return Some(Dest::X(rd));
        }
        None
    }

    /// The memory access this instruction makes, given the state `cpu` before it runs.
    pub fn access(&self, cpu: &Cpu) -> Option<Access> {
        use AccessKind::*;
        let (kind, width) = match self.insn.op {
            Op::Lb | Op::Lbu => (Load, 1),
            Op::Lh | Op::Lhu => (Load, 2),
            Op::Lw | Op::Lwu | Op::Flw => (Load, 4),
            Op::Ld | Op::Fld => (Load, 8),
            Op::Sb => (Store, 1),
            Op::Sh => (Store, 2),
            Op::Sw | Op::Fsw => (Store, 4),
            Op::Sd | Op::Fsd => (Store, 8),
            Op::LrW => (LoadReserved, 4),
            Op::LrD => (LoadReserved, 8),
            Op::ScW => (StoreConditional, 4),
            Op::ScD => (StoreConditional, 8),
            op if is_amo(op) => (Amo, if amo_is_word(op) { 4 } else { 8 }),
            _ => return None,
        };
        let base = cpu.x[self.insn.rs1 as usize & 31];
        let addr = match kind {
            Load | Store => base.wrapping_add(self.insn.imm as u64),
            _ => base,
        };
        Some(Access { kind, addr, width })
    }

    /// The jump this instruction makes, given the state `cpu` before it runs.
    pub fn jump(&self, cpu: &Cpu) -> Option<Jump> {
        let rd = if self.insn.rd == X_SINK {
            0
        } else {
            self.insn.rd
        };
        match self.insn.op {
            Op::Jal => Some(Jump {
                rd,
                rs1: None,
                target: self.insn.imm as u64,
            }),
            Op::Jalr => Some(Jump {
                rd,
                rs1: Some(self.insn.rs1),
                target: cpu.x[self.insn.rs1 as usize & 31].wrapping_add(self.insn.imm as u64) & !1,
            }),
            _ => None,
        }
    }

    /// The value this instruction wrote to its integer destination, from the state `cpu`
    /// after it retired. Also when the destination is x0: its writes land in a sink slot, so
    /// a load or AMO into x0 still shows the value read, and an `sc` whether it stored (0).
    pub fn x_result(&self, cpu: &Cpu) -> u64 {
        cpu.x[self.insn.rd as usize & 63]
    }

    /// True for `ecall`.
    pub fn is_ecall(&self) -> bool {
        self.insn.op == Op::Ecall
    }
}

const fn is_amo(op: Op) -> bool {
    matches!(
        op,
        Op::AmoswapW
            | Op::AmoaddW
            | Op::AmoxorW
            | Op::AmoandW
            | Op::AmoorW
            | Op::AmominW
            | Op::AmomaxW
            | Op::AmominuW
            | Op::AmomaxuW
            | Op::AmoswapD
            | Op::AmoaddD
            | Op::AmoxorD
            | Op::AmoandD
            | Op::AmoorD
            | Op::AmominD
            | Op::AmomaxD
            | Op::AmominuD
            | Op::AmomaxuD
    )
}

const fn amo_is_word(op: Op) -> bool {
    matches!(
        op,
        Op::AmoswapW
            | Op::AmoaddW
            | Op::AmoxorW
            | Op::AmoandW
            | Op::AmoorW
            | Op::AmominW
            | Op::AmomaxW
            | Op::AmominuW
            | Op::AmomaxuW
    )
}

/// Operations whose `rd` names a floating-point register.
pub(super) const fn writes_f(op: Op) -> bool {
    use Op::*;
    matches!(
        op,
        Flw | FaddS
            | FsubS
            | FmulS
            | FdivS
            | FsqrtS
            | FminS
            | FmaxS
            | FmaddS
            | FmsubS
            | FnmsubS
            | FnmaddS
            | FsgnjS
            | FsgnjnS
            | FsgnjxS
            | FmvWX
            | FcvtSW
            | FcvtSWu
            | FcvtSL
            | FcvtSLu
            | Fld
            | FaddD
            | FsubD
            | FmulD
            | FdivD
            | FsqrtD
            | FminD
            | FmaxD
            | FmaddD
            | FmsubD
            | FnmsubD
            | FnmaddD
            | FsgnjD
            | FsgnjnD
            | FsgnjxD
            | FmvDX
            | FcvtDW
            | FcvtDWu
            | FcvtDL
            | FcvtDLu
            | FcvtSD
            | FcvtDS
    )
}

/// Operations with no destination register at all (stores, branches, system instructions).
/// Everything else that is not [`writes_f`] writes an integer `rd`.
const fn writes_x(op: Op) -> bool {
    use Op::*;
    !writes_f(op)
        && !matches!(
            op,
            Sb | Sh
                | Sw
                | Sd
                | Fsw
                | Fsd
                | Beq
                | Bne
                | Blt
                | Bge
                | Bltu
                | Bgeu
                | Nop
                | FenceI
                | Ecall
                | Ebreak
                | Illegal
        )
}
