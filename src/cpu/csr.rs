//! The user-level CSRs rvrun implements: the FP control/status registers and the three
//! counters. Legality is decided at decode time (the CSR number and whether the instruction
//! writes are both static), so execution never fails here.

use super::Cpu;

/// Accrued FP exception flags (NV DZ OF UF NX), 5 bits.
pub const FFLAGS: u32 = 0x001;
/// Dynamic rounding mode, 3 bits.
pub const FRM: u32 = 0x002;
/// `frm << 5 | fflags`.
pub const FCSR: u32 = 0x003;
/// Cycle counter: rvrun's deterministic clock is the retired-instruction count.
pub const CYCLE: u32 = 0xc00;
/// Timer: also the retired-instruction count.
pub const TIME: u32 = 0xc01;
/// Retired-instruction counter.
pub const INSTRET: u32 = 0xc02;

/// Checks that CSR `num` exists and, when the instruction writes it, that it is writable.
pub fn check_access(num: u32, writes: bool) -> Result<(), &'static str> {
    match num {
        FFLAGS | FRM | FCSR => Ok(()),
        CYCLE | TIME | INSTRET if writes => Err("write to a read-only counter CSR"),
        CYCLE | TIME | INSTRET => Ok(()),
        _ => Err("unsupported CSR"),
    }
}

/// Reads CSR `num` (already checked to exist). `instret` is the count of instructions retired
/// before the reading one.
#[inline]
pub fn read(cpu: &Cpu, num: u32, instret: u64) -> u64 {
    match num {
        FFLAGS => cpu.fflags as u64,
        FRM => cpu.frm as u64,
        FCSR => cpu.fcsr() as u64,
        TIME => instret.wrapping_add(cpu.time_offset),
        _ => instret,
    }
}

/// Writes CSR `num` (already checked writable); bits beyond the field are dropped.
#[inline]
pub fn write(cpu: &mut Cpu, num: u32, v: u64) {
    match num {
        FFLAGS => cpu.fflags = v as u32 & 0x1f,
        FRM => cpu.frm = v as u32 & 7,
        FCSR => cpu.set_fcsr(v as u32),
        _ => {}
    }
}
