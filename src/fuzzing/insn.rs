//! Fuzz target `insn`: raw instruction words run three ways, which must end in the same
//! state (registers, FP registers, `fcsr`, pc, reservation, retired count, exit, memory):
//!
//! - as decoded blocks ([`cpu::run`] with the whole budget);
//! - stepped one instruction at a time under an active observer ([`cpu::run_observed`]),
//!   which also checks what [`Step`] says about each instruction against what it did;
//! - one instruction per call ([`cpu::run`] with a budget of 1).
//!
//! Input layout: a flags byte, an `fcsr` byte, 14 bytes choosing the initial register
//! values, then the code (at most one page), which is also copied into the data pages.
//! Flags bit 0 makes the code page writable (self-modifying code); bits 4..7 pick the
//! budget chunk of the block run. An `ecall` continues at the next instruction with the
//! registers unchanged; any other trap ends the run, as does [`MAX_INSNS`].

use super::Bytes;
use crate::cpu::observe::{AccessKind, Observer, Step};
use crate::cpu::{self, Cpu, DecodeCache, Exit};
use crate::mem::{GuestMemory, PAGE_SIZE, RegionKind, perm};

/// Instructions one run may retire.
pub const MAX_INSNS: u64 = 5_000;
/// Where the code is mapped.
pub const CODE: u64 = 0x10000;
/// Two read-write data pages (registers s0..a5 point into them), then a read-only one.
pub const DATA: u64 = 0x20000;

const INTERESTING: [u64; 16] = [
    0,
    1,
    2,
    u64::MAX,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    0x7fff_ffff_ffff_ffff,
    0x8000_0000_0000_0000,
    CODE,
    DATA + 0x1ffc,
    DATA + 0x2ff9,
    DATA - 8,
    1 << 38,
    31,
    0xfff,
];

const F_INTERESTING: [u64; 12] = [
    0,
    0x8000_0000_0000_0000,
    0x3ff0_0000_0000_0000, // 1.0
    0x7ff8_0000_0000_0000, // qNaN
    0x7ff0_0000_0000_0001, // sNaN
    0x7ff0_0000_0000_0000, // inf
    0x0000_0000_0000_0001, // denormal
    0xffff_ffff_3f80_0000, // boxed 1.0f
    0xffff_ffff_7fc0_0000, // boxed qNaN f
    0xffff_ffff_7f80_0001, // boxed sNaN f
    0x0000_0000_3f80_0000, // badly boxed 1.0f
    0x43e0_0000_0000_0000, // 2^63
];

/// How the code is run.
#[derive(Clone, Copy, Debug)]
enum Mode {
    /// Blocks with this budget per call.
    Blocks(u64),
    /// Stepped under an observer.
    Observed,
}

/// The state a run ends in.
#[derive(Debug, PartialEq, Eq)]
struct End {
    x: Vec<u64>,
    f: [u64; 32],
    pc: u64,
    fcsr: u32,
    reservation: Option<u64>,
    instret: u64,
    exit: Exit,
    ecalls: u64,
    memory: Vec<u8>,
}

/// The target body.
pub fn run(data: &[u8]) {
    let mut b = Bytes::new(data);
    let flags = b.u8();
    let chunk = 1 + u64::from(flags >> 4) * 97;
    let blocks = once(data, Mode::Blocks(MAX_INSNS));
    let again = once(data, Mode::Blocks(MAX_INSNS));
    assert_eq!(blocks, again, "two block runs of the same code differ");
    let chunked = once(data, Mode::Blocks(chunk));
    assert_eq!(
        blocks, chunked,
        "block run with budget {chunk} per call differs"
    );
    let single = once(data, Mode::Blocks(1));
    assert_eq!(
        blocks, single,
        "one instruction per call differs from blocks"
    );
    let observed = once(data, Mode::Observed);
    assert_eq!(
        blocks, observed,
        "stepping under an observer differs from blocks"
    );
}

fn once(data: &[u8], mode: Mode) -> End {
    let mut b = Bytes::new(data);
    let flags = b.u8();
    let fcsr = b.u8();
    let choice: Vec<u8> = (0..14).map(|_| b.u8()).collect();
    let code = &b.rest()[..b.rest().len().min(PAGE_SIZE as usize)];

    let mut mem = GuestMemory::new().expect("reserve guest memory");
    let code_perm = if flags & 1 != 0 {
        perm::RWX
    } else {
        perm::R | perm::X
    };
    // Fixed, in-range mappings of an unlimited address space: these cannot fail.
    mem.map_fixed(CODE, PAGE_SIZE, code_perm, RegionKind::Anon)
        .expect("code page");
    mem.poke(CODE, code).expect("code bytes");
    mem.map_fixed(DATA, 2 * PAGE_SIZE, perm::R | perm::W, RegionKind::Anon)
        .expect("data pages");
    mem.map_fixed(DATA + 2 * PAGE_SIZE, PAGE_SIZE, perm::R, RegionKind::Anon)
        .expect("read-only page");
    for (i, chunk) in data.chunks(64).take(48).enumerate() {
        mem.poke(DATA + 64 * i as u64 + 3, chunk)
            .expect("data bytes");
    }

    let mut cpu = Cpu::new(CODE);
    for i in 1..32 {
        let c = choice[i % 14] as usize;
        let v = if (8..16).contains(&i) && c & 0x80 == 0 {
            DATA + ((c as u64 * 61) & 0x1fff)
        } else {
            INTERESTING[(c + i) % INTERESTING.len()]
        };
        cpu.set_reg(i, v);
    }
    for i in 0..32 {
        cpu.f[i] = F_INTERESTING[(choice[i % 14] as usize / 3 + i) % F_INTERESTING.len()];
    }
    cpu.set_fcsr(u32::from(fcsr));

    let mut cache = DecodeCache::new();
    let mut observer = Checker::default();
    let mut ecalls = 0;
    let exit = loop {
        let left = MAX_INSNS - cpu.instret;
        if left == 0 {
            break Exit::BudgetExhausted;
        }
        let exit = match mode {
            Mode::Blocks(n) => cpu::run(&mut cpu, &mut mem, &mut cache, n.min(left)),
            Mode::Observed => {
                cpu::run_observed(&mut cpu, &mut mem, &mut cache, left, &mut observer)
            }
        };
        match exit {
            Exit::BudgetExhausted => {}
            Exit::Ecall => {
                ecalls += 1;
                cpu.pc = cpu.pc.wrapping_add(4);
            }
            other => break other,
        }
    };
    let mut memory = Vec::new();
    for (addr, len) in [(CODE, PAGE_SIZE), (DATA, 3 * PAGE_SIZE)] {
        memory.extend_from_slice(mem.peek(addr, len as usize).expect("mapped above"));
    }
    End {
        x: cpu.x[..32].to_vec(),
        f: cpu.f,
        pc: cpu.pc,
        fcsr: cpu.fcsr(),
        reservation: cpu.reservation,
        instret: cpu.instret,
        exit,
        ecalls,
        memory,
    }
}

/// An active observer that checks [`Step`]'s description of each instruction against its
/// effect: a jump lands where [`Step::jump`] said, the destination register holds
/// [`Step::x_result`], and the raw bits match the instruction's length.
#[derive(Default)]
struct Checker {
    jump: Option<u64>,
    /// The instruction writes memory (and may overwrite itself).
    stores: bool,
}

impl Observer for Checker {
    fn before(&mut self, cpu: &Cpu, step: &Step) {
        self.jump = step.jump(cpu).map(|j| j.target);
        self.stores = false;
        if let Some(a) = step.access(cpu) {
            assert!(matches!(a.width, 1 | 2 | 4 | 8), "access width {}", a.width);
            self.stores = !matches!(a.kind, AccessKind::Load | AccessKind::LoadReserved);
        }
        assert!(matches!(step.len, 2 | 4), "instruction length {}", step.len);
    }

    fn retired(&mut self, cpu: &Cpu, mem: &GuestMemory, step: &Step) {
        if let Some(target) = self.jump.take() {
            assert_eq!(cpu.pc, target, "jump at 0x{:x} went elsewhere", step.pc);
        }
        let raw = step.raw(mem);
        if self.stores {
            // A store may have overwritten the instruction itself.
        } else if step.len == 2 {
            assert!(raw <= 0xffff && raw & 3 != 3, "compressed raw 0x{raw:x}");
        } else {
            assert_eq!(raw & 3, 3, "32-bit raw 0x{raw:x}");
        }
        if let Some(cpu::observe::Dest::X(rd)) = step.dest() {
            assert_eq!(step.x_result(cpu), cpu.reg(rd as usize));
        }
        let _ = (step.fall_through(), step.is_ecall());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzzing::image::{code, enc::*, reg::*};

    fn input(flags: u8, words: &[u32]) -> Vec<u8> {
        let mut v = vec![flags, 0];
        v.extend(0u8..14);
        v.extend(code(words));
        v
    }

    /// A loop with loads, stores and an ecall runs to its ebreak the same way on every path,
    /// and the compared state holds its effects.
    #[test]
    fn paths_agree_on_a_loop() {
        let data = input(
            0x30,
            &[
                addi(A0, ZERO, 100),
                addi(A0, A0, -1),
                sd(A0, S0, 0),
                ld(A1, S0, 0),
                beq(A0, ZERO, 8),
                jal(ZERO, -16),
                ECALL,
                0x0010_0073, // ebreak
            ],
        );
        run(&data);
        let end = once(&data, Mode::Blocks(MAX_INSNS));
        assert_eq!(end.exit, Exit::Ebreak);
        // addi, 100 rounds of five (the last without its jal), ecall, ebreak (which retires).
        assert_eq!((end.ecalls, end.instret), (1, 1 + 5 * 100 - 1 + 1 + 1));
    }

    /// A difference between two runs would be seen: self-modifying code changes the state.
    #[test]
    fn state_includes_memory_and_registers() {
        let plain = input(0x01, &[addi(A0, ZERO, 1), addi(A0, A0, 2), 0x0010_0073]);
        // sw zero, 4(pc) first: the second instruction becomes 0 (illegal).
        let smc = input(
            0x01,
            &[
                (A1 << 7) | 0x17,
                (2 << 12) | (A1 << 15) | (8 << 7) | 0x23,
                addi(A0, A0, 2),
            ],
        );
        run(&smc);
        let a = once(&plain, Mode::Blocks(MAX_INSNS));
        let b = once(&smc, Mode::Blocks(MAX_INSNS));
        assert_eq!(a.x[A0 as usize], 3);
        assert!(matches!(b.exit, Exit::Illegal { pc, .. } if pc == CODE + 8));
        assert_ne!(a.memory, b.memory);
    }
}
