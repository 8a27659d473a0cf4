//! The trace file format, version 1 (specified byte for byte in `docs/trace.md`): the
//! preamble and header, the record tags and flags, the decoded record types, and the state
//! both ends keep so that values can be written as small deltas.

use crate::kernel::process::ExitReason;
use crate::mem::MemWrite;
use crate::receipt::{HostInfo, Inputs};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The first 8 bytes of every trace file.
pub const MAGIC: [u8; 8] = *b"RVTRACE\0";
/// The format version this rvrun writes and reads (a little-endian u32 after the magic).
pub const VERSION: u32 = 1;
/// The header's `format` field.
pub const FORMAT: &str = "rvrun-trace/1";

/// Tags 0x00..=0x7f are instruction records; the bits below say which fields follow.
pub const INSN_MAX_TAG: u8 = 0x7f;
/// The pc is not the fall-through of the previous instruction record: a signed delta follows.
pub const INSN_JUMP: u8 = 0x40;
/// The raw instruction bytes follow (otherwise: as in the last record at this pc).
pub const INSN_RAW: u8 = 0x20;
/// A destination register and the delta of its value follow.
pub const INSN_DEST: u8 = 0x10;
/// Bits 3..2: the memory access kind ([`AccessKind`], 0 for none).
pub const INSN_ACCESS_SHIFT: u8 = 2;
/// Bits 1..0: log2 of the access width in bytes.
pub const INSN_WIDTH_MASK: u8 = 0x03;

/// A syscall that completed: number, six arguments, result.
pub const TAG_SYSCALL: u8 = 0x80;
/// A syscall with no result here (it blocked, switched threads or ended the process).
pub const TAG_SYSCALL_PENDING: u8 = 0x81;
/// The kernel wrote bytes into guest memory.
pub const TAG_WRITE: u8 = 0x82;
/// The kernel made a range read as zero.
pub const TAG_ZERO: u8 = 0x83;
/// The kernel copied a range.
pub const TAG_COPY: u8 = 0x84;
/// The running thread changed.
pub const TAG_SWITCH: u8 = 0x85;
/// The running thread changed because the previous one exited.
pub const TAG_SWITCH_EXITED: u8 = 0x86;
/// A signal handler was entered.
pub const TAG_SIGNAL: u8 = 0x87;
/// Registers of the running thread that the kernel changed.
pub const TAG_REGS: u8 = 0x88;
/// How the run ended.
pub const TAG_EXIT: u8 = 0x89;
/// The trailer: counts and the checksum of the file.
pub const TAG_END: u8 = 0x8a;

/// Register numbering in records: 1..=31 are x1..x31, 32..=63 are f0..f31.
pub type Reg = u8;
/// Number of register slots in the codec state (index 0, x0, is never used).
pub const REGS: usize = 64;
/// The record number of f0.
pub const F0: Reg = 32;
/// The slot of a0, which a completed syscall's result sets.
const A0: usize = 10;

/// The JSON header: what the run depended on, and where it started.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// Always [`FORMAT`].
    pub format: String,
    /// The rvrun version that wrote the trace.
    pub rvrun_version: String,
    /// The run's inputs, exactly as a run receipt names them (docs/receipts.md).
    pub inputs: Inputs,
    /// The initial process state.
    pub start: Start,
    /// Host paths (informational: where the program file was).
    pub host: HostInfo,
}

/// Where the run starts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Start {
    /// The thread id of the initial thread.
    pub tid: u64,
    /// Entry point (load bias applied).
    pub entry: u64,
    /// Load bias of the program (0 for ET_EXEC, the static-pie base otherwise).
    pub load_bias: u64,
    /// Initial stack pointer.
    pub sp: u64,
}

/// What a memory access did, in a record's tag bits 3..2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum AccessKind {
    /// A load or `lr`.
    Read = 1,
    /// A store, or an `sc` that stored.
    Write = 2,
    /// An AMO: reads the old value and writes the new one.
    ReadWrite = 3,
}

impl AccessKind {
    /// The kind with tag bits `bits` (1..=3).
    pub fn from_bits(bits: u8) -> Option<AccessKind> {
        match bits {
            1 => Some(AccessKind::Read),
            2 => Some(AccessKind::Write),
            3 => Some(AccessKind::ReadWrite),
            _ => None,
        }
    }

    /// True when the access reads memory.
    pub fn reads(self) -> bool {
        self != AccessKind::Write
    }

    /// True when the access writes memory.
    pub fn writes(self) -> bool {
        self != AccessKind::Read
    }
}

/// One data memory access of an instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemAccess {
    /// Load, store or AMO.
    pub kind: AccessKind,
    /// The effective address.
    pub addr: u64,
    /// 1, 2, 4 or 8 bytes.
    pub width: u8,
    /// The `width` bytes read, as a little-endian number (0 when the access does not read).
    pub read: u64,
    /// The `width` bytes written (0 when the access does not write).
    pub written: u64,
}

/// A retired instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InsnRecord {
    /// Its address.
    pub pc: u64,
    /// The encoding as in memory: a 16-bit parcel in the low half for a compressed one.
    pub raw: u32,
    /// The register written and its new value.
    pub dest: Option<(Reg, u64)>,
    /// Its data memory access, if any.
    pub access: Option<MemAccess>,
}

impl InsnRecord {
    /// The instruction's length in bytes (2 for compressed).
    pub fn size(&self) -> u64 {
        if self.raw & 3 == 3 { 4 } else { 2 }
    }
}

/// One decoded record, with absolute values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    /// A retired instruction.
    Insn(InsnRecord),
    /// Syscall `nr` of the running thread; `result` is what a0 received (`None`: pending).
    Syscall {
        /// Syscall number.
        nr: u64,
        /// a0..a5.
        args: [u64; 6],
        /// What a0 received, if the call completed.
        result: Option<u64>,
    },
    /// A write the kernel made to guest memory.
    Mem(MemWrite),
    /// The running thread changed (`from` has exited when `exited`).
    Switch {
        /// The thread that ran.
        from: u64,
        /// The thread that runs now.
        to: u64,
        /// `from` has exited.
        exited: bool,
    },
    /// The running thread entered the handler of signal `sig` with its frame at `frame`.
    Signal {
        /// Signal number.
        sig: u32,
        /// Handler address.
        handler: u64,
        /// Signal frame address.
        frame: u64,
    },
    /// New values of registers of the running thread, set by the kernel.
    Regs(Vec<(Reg, u64)>),
    /// How the run ended.
    Exit(ExitReason),
    /// The trailer: instruction records and records (all kinds, before this one) in the file.
    End {
        /// Instruction records in the file.
        insns: u64,
        /// Records of every kind before this one.
        records: u64,
    },
}

impl Record {
    /// A short name of the record's kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Record::Insn(_) => "insn",
            Record::Syscall { .. } => "syscall",
            Record::Mem(MemWrite::Bytes { .. }) => "write",
            Record::Mem(MemWrite::Zero { .. }) => "zero",
            Record::Mem(MemWrite::Copy { .. }) => "copy",
            Record::Switch { .. } => "switch",
            Record::Signal { .. } => "signal",
            Record::Regs(_) => "regs",
            Record::Exit(_) => "exit",
            Record::End { .. } => "end",
        }
    }
}

/// The state writer and reader both keep: what the deltas of the next record are relative
/// to. Every record updates it the same way on both ends ([`CodecState::apply`]).
#[derive(Clone, Debug)]
pub struct CodecState {
    /// The fall-through of the last instruction record (0 at the start).
    pub next_pc: u64,
    /// The address of the last memory access (0 at the start).
    pub last_addr: u64,
    /// The running thread.
    pub tid: u64,
    /// The running thread's registers as the trace has told them so far.
    pub regs: [u64; REGS],
    /// The same for the other threads.
    parked: HashMap<u64, [u64; REGS]>,
    /// Records so far.
    pub records: u64,
    /// Instruction records so far.
    pub insns: u64,
}

impl CodecState {
    /// The state at the start of a trace whose initial thread is `tid`.
    pub fn new(tid: u64) -> CodecState {
        CodecState {
            next_pc: 0,
            last_addr: 0,
            tid,
            regs: [0; REGS],
            parked: HashMap::new(),
            records: 0,
            insns: 0,
        }
    }

    /// Updates the state for `record`, which has just been written or read.
    #[inline]
    pub fn apply(&mut self, record: &Record) {
        self.records += 1;
        match record {
            Record::Insn(i) => self.apply_insn(i),
            Record::Switch { from, to, exited } => {
                debug_assert_eq!(*from, self.tid);
                let incoming = self.parked.remove(to).unwrap_or([0; REGS]);
                let outgoing = std::mem::replace(&mut self.regs, incoming);
                if !exited {
                    self.parked.insert(*from, outgoing);
                }
                self.tid = *to;
            }
            // The result is what a0 holds when the guest resumes.
            Record::Syscall {
                result: Some(v), ..
            } => self.regs[A0] = *v,
            Record::Regs(regs) => {
                for &(r, v) in regs {
                    self.regs[r as usize & (REGS - 1)] = v;
                }
            }
            _ => {}
        }
    }

    /// [`CodecState::apply`] for an instruction record, without counting it as a record.
    #[inline(always)]
    pub(super) fn apply_insn(&mut self, i: &InsnRecord) {
        self.insns += 1;
        self.next_pc = i.pc.wrapping_add(i.size());
        if let Some(a) = &i.access {
            self.last_addr = a.addr;
        }
        if let Some((r, v)) = i.dest {
            self.regs[r as usize & (REGS - 1)] = v;
        }
    }
}

/// The mask of the low `width` bytes.
#[inline]
pub const fn width_mask(width: u8) -> u64 {
    if width >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * width as u32)) - 1
    }
}

/// The ABI name of record register `r`.
pub fn reg_name(r: Reg) -> &'static str {
    if r >= F0 {
        crate::cpu::disasm::f_name(r - F0)
    } else {
        crate::cpu::disasm::x_name(r)
    }
}
