//! Differential ISA tester: random instruction sequences run under rvrun and under
//! qemu-riscv64 in the same guest harness (`tests/programs/asm/isa-harness.S`); the register
//! and memory dumps must be identical, bit for bit.
//!
//! Each sequence starts from a random register file and scratch memory (biased to edge
//! values), runs a body of random instructions (RV64 I, M, A, F, D, C, Zba, Zbb, Zbs, Zicond,
//! Zicsr on fflags/frm/fcsr, Zifencei, hints) and dumps x0..x31, f0..f31 (raw bits), fcsr and
//! its scratch memory. Many sequences go into one blob, run by one process per emulator.
//! Control flow only goes forward, so every sequence ends; `x31` holds the sequence's state
//! address and is never written, and every memory access is computed from it, so nothing
//! outside the sequence's own state is touched. A class of mutated encodings probes the
//! illegal-instruction boundary: the harness counts SIGILLs per sequence and skips the
//! instruction, and QEMU runs with a CPU restricted to rvrun's extensions ([`QEMU_CPU`]).
//!
//! Where QEMU deviates from the ISA manual the generator avoids the case (never copying the
//! deviation into rvrun), with a comment at the spot: `sc` to a misaligned address with no
//! matching reservation fails quietly under QEMU 10.0 instead of raising address-misaligned
//! (see [`Gen::atomic`]).
//!
//! - `cargo test --release` runs [`FIXED_SEEDS`] sequences and replays every case in
//!   `tests/isa_diff/regressions.txt`.
//! - `make fuzz-isa SEEDS=A-B` or `FUZZ_SECONDS=N` runs the ignored `fuzz` test: an open-ended
//!   campaign that, on a mismatch, shrinks the sequence (delta debugging over instructions,
//!   then over the initial state) and prints both dumps side by side plus a regression line.
//!
//! Needs `RVRUN_GUESTS` (the built guests, for `asm/isa-harness`) and `qemu-riscv64`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const RVRUN: &str = env!("CARGO_BIN_EXE_rvrun");

// The harness maps the blob at the fixed address 0x1_0000_0000 (see isa-harness.S), so
// pc-relative values agree between emulators.
const MAGIC: u64 = u64::from_le_bytes(*b"RVISADIF");
const HEADER: usize = 64;

/// Sequences checked by `cargo test`: seeds `0..FIXED_SEEDS`, in batches of [`BATCH`].
const FIXED_SEEDS: u64 = 6000;
/// Sequences per emulator launch.
const BATCH: usize = 500;
/// Instructions (items) per sequence body.
const BODY_ITEMS: usize = 48;

// ---- Layout of one sequence's state record (offsets from the record start) ----
// x31 points at SCRATCH; every other part is addressed from it with a 12-bit offset.
const C_INT: usize = 0; // 32 integer constants (edge values) for reloads
const C_FP: usize = 256; // 32 FP constants
const INIT_X: usize = 512; // x0..x31 (x0 and x31 unused)
const INIT_F: usize = 768;
const INIT_FCSR: usize = 1024;
const PAD: usize = 1032; // target of the reservation-clearing sc (never reserved)
const SCRATCH: usize = 1040;
const SCRATCH_LEN: usize = 256;
const DUMP_X: usize = SCRATCH + SCRATCH_LEN;
const DUMP_F: usize = DUMP_X + 256;
const DUMP_FCSR: usize = DUMP_F + 256;
/// Illegal-instruction traps counted by the harness's SIGILL handler (at x31 + 776, which
/// isa-harness.S hard-codes as TRAPS).
const TRAPS: usize = DUMP_FCSR + 8;
const RECORD: usize = TRAPS + 8;
/// The part of a record compared between emulators: scratch memory, dumps, trap count.
const COMPARED: std::ops::Range<usize> = SCRATCH..RECORD;
const _: () = assert!(TRAPS - SCRATCH == 776);

/// QEMU's CPU: exactly the extensions rvrun implements (its default, `max`, has many more,
/// which would make encodings rvrun rightly rejects legal).
const QEMU_CPU: &str = "rv64i,m=true,a=true,f=true,d=true,c=true,zicsr=true,zifencei=true,\
                        zba=true,zbb=true,zbs=true,zicond=true,zihintpause=true";

/// Offset of record part `part` relative to x31.
fn rel(part: usize) -> i32 {
    part as i32 - SCRATCH as i32
}

const X_NAMES: [&str; 32] = [
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4",
    "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
    "t5", "t6",
];

// ================================================================================================
// Random numbers and edge values
// ================================================================================================

/// SplitMix64: tiny, and the same sequence for a seed on every machine and version.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x2545_f491_4f6c_dd1d) ^ 0x15a0_d1ff_0000_0001)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }
    fn pick<T: Copy>(&mut self, v: &[T]) -> T {
        v[self.below(v.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// An integer biased to the edges: 0, ±1, INT_MIN/MAX at 64 and 32 bits, shift amounts
/// around 31/32/63/64, single bits, conversion bounds, random.
fn edge_int(r: &mut Rng) -> u64 {
    if r.chance(35) {
        return r.next();
    }
    let bit = 1u64 << r.below(64);
    let choices = [
        0,
        1,
        2,
        u64::MAX,
        u64::MAX - 1,
        1 << 63,
        (1 << 63) - 1,
        0x8000_0000,
        0x7fff_ffff,
        0xffff_ffff_8000_0000,
        0xffff_ffff,
        0x1_0000_0000,
        31,
        32,
        63,
        64,
        65,
        127,
        0x80,
        0xff,
        0xffff,
        0x8000,
        bit,
        !bit,
        r.next() & 0xff,
        r.next() & 0xffff_ffff,
        r.next() << 32,
        r.next() & 0x0101_0101_0101_0101,
        r.next() & 0xff00_ff00_00ff_00ff,
    ];
    r.pick(&choices)
}

/// A 32-bit float pattern biased to the edges: ±0, ±inf, quiet and signalling NaNs with
/// payloads, subnormals, ±1, integer-conversion bounds, values near rounding ties.
fn edge_f32(r: &mut Rng) -> u32 {
    if r.chance(25) {
        return r.next() as u32;
    }
    let sign = if r.chance(50) { 0x8000_0000 } else { 0 };
    let payload = r.next() as u32 & 0x3f_ffff;
    let choices = [
        0,
        0x7f80_0000,
        0x7fc0_0000,
        0x7fc0_0000 | payload,
        0x7f80_0000 | payload.max(1),
        1,
        0x7f_ffff,
        0x80_0000,
        r.next() as u32 & 0x7f_ffff,
        0x3f80_0000,
        0x3f00_0000,
        0x3fc0_0000,
        0x4f00_0000,
        0x4effffff,
        0x5f00_0000,
        0x5effffff,
        0x4f80_0000,
        0x4b00_0000,
        0x4b00_0001,
        0x7f7f_ffff,
        // exponents near 0..2^64 with random mantissas
        (r.range(0x70, 0xc0) as u32) << 23 | (r.next() as u32 & 0x7f_ffff),
    ];
    sign | r.pick(&choices)
}

/// A 64-bit float pattern biased to the edges (see [`edge_f32`]).
fn edge_f64(r: &mut Rng) -> u64 {
    if r.chance(20) {
        return r.next();
    }
    let sign = if r.chance(50) { 1 << 63 } else { 0 };
    let payload = r.next() & 0x7_ffff_ffff_ffff;
    let choices = [
        0,
        0x7ff0_0000_0000_0000,
        0x7ff8_0000_0000_0000,
        0x7ff8_0000_0000_0000 | payload,
        0x7ff0_0000_0000_0000 | payload.max(1),
        1,
        0x000f_ffff_ffff_ffff,
        0x0010_0000_0000_0000,
        r.next() & 0x000f_ffff_ffff_ffff,
        0x3ff0_0000_0000_0000,
        0x3fe0_0000_0000_0000,
        0x3ff8_0000_0000_0000,
        0x41df_ffff_ffc0_0000, // i32::MAX
        0x41e0_0000_0000_0000, // 2^31
        0x41ef_ffff_ffe0_0000, // u32::MAX
        0x41f0_0000_0000_0000, // 2^32
        0x43e0_0000_0000_0000, // 2^63
        0x43df_ffff_ffff_ffff,
        0x43f0_0000_0000_0000, // 2^64
        0x4330_0000_0000_0000,
        0x4330_0000_0000_0001,
        0x7fef_ffff_ffff_ffff,
        0x3690_0000_0000_0000, // rounds to an f32 subnormal
        0x47ef_ffff_e000_0000, // f32::MAX rounding edge
        (r.range(0x3c0, 0x440) as u64) << 52 | (r.next() & 0xf_ffff_ffff_ffff),
    ];
    sign | r.pick(&choices)
}

/// An FP register value: a double, a NaN-boxed single, or an improperly boxed single.
fn edge_freg(r: &mut Rng) -> u64 {
    match r.below(10) {
        0..=4 => edge_f64(r),
        5..=8 => 0xffff_ffff_0000_0000 | edge_f32(r) as u64,
        _ => (r.next() & 0xffff_fffe_0000_0000) | edge_f32(r) as u64,
    }
}

// ================================================================================================
// Encoders
// ================================================================================================

fn enc_r(op: u32, rd: u32, f3: u32, rs1: u32, rs2: u32, f7: u32) -> u32 {
    f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op
}
fn enc_i(op: u32, rd: u32, f3: u32, rs1: u32, imm: i32) -> u32 {
    ((imm as u32) & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op
}
fn enc_s(op: u32, f3: u32, rs1: u32, rs2: u32, imm: i32) -> u32 {
    let i = imm as u32;
    ((i >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (i & 0x1f) << 7 | op
}
fn enc_b(f3: u32, rs1: u32, rs2: u32, off: i32) -> u32 {
    let i = off as u32;
    ((i >> 12) & 1) << 31
        | ((i >> 5) & 0x3f) << 25
        | rs2 << 20
        | rs1 << 15
        | f3 << 12
        | ((i >> 1) & 0xf) << 8
        | ((i >> 11) & 1) << 7
        | 0x63
}
fn enc_j(rd: u32, off: i32) -> u32 {
    let i = off as u32;
    ((i >> 20) & 1) << 31
        | ((i >> 1) & 0x3ff) << 21
        | ((i >> 11) & 1) << 20
        | ((i >> 12) & 0xff) << 12
        | rd << 7
        | 0x6f
}
fn enc_r4(op: u32, rd: u32, rm: u32, rs1: u32, rs2: u32, rs3: u32, fmt: u32) -> u32 {
    rs3 << 27 | fmt << 25 | rs2 << 20 | rs1 << 15 | rm << 12 | rd << 7 | op
}
/// `addi rd, rs1, imm`.
fn addi(rd: u32, rs1: u32, imm: i32) -> u32 {
    enc_i(0x13, rd, 0, rs1, imm)
}
fn bit(v: u32, n: u32) -> u32 {
    (v >> n) & 1
}
fn bits(v: u32, hi: u32, lo: u32) -> u32 {
    (v >> lo) & ((1 << (hi - lo + 1)) - 1)
}
/// c.beqz/c.bnez rs1' (x8..x15), byte offset.
fn enc_cb(bnez: bool, rs1: u32, off: i32) -> u16 {
    let o = off as u32;
    let f3 = if bnez { 7 } else { 6 };
    (f3 << 13
        | bit(o, 8) << 12
        | bits(o, 4, 3) << 10
        | (rs1 - 8) << 7
        | bits(o, 7, 6) << 5
        | bits(o, 2, 1) << 3
        | bit(o, 5) << 2
        | 1) as u16
}
fn enc_cj(off: i32) -> u16 {
    let o = off as u32;
    (5 << 13
        | bit(o, 11) << 12
        | bit(o, 4) << 11
        | bits(o, 9, 8) << 9
        | bit(o, 10) << 8
        | bit(o, 6) << 7
        | bit(o, 7) << 6
        | bits(o, 3, 1) << 3
        | bit(o, 5) << 2
        | 1) as u16
}

// ================================================================================================
// Sequences
// ================================================================================================

/// One machine-code parcel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Word {
    W(u32),
    H(u16),
}

impl Word {
    fn len(self) -> usize {
        match self {
            Word::W(_) => 4,
            Word::H(_) => 2,
        }
    }
}

/// A forward control transfer that skips the next `skip` items (its target is resolved at
/// layout, so dropping items while shrinking keeps it valid).
#[derive(Clone, Copy, Debug)]
enum Jump {
    Branch {
        f3: u32,
        rs1: u32,
        rs2: u32,
    },
    CBranch {
        bnez: bool,
        rs1: u32,
    },
    Jal {
        rd: u32,
    },
    CJ,
    /// `auipc tmp, 0; jalr rd, off(tmp)`.
    Jalr {
        tmp: u32,
        rd: u32,
    },
    /// `auipc tmp, 0; addi tmp, tmp, off; c.jr tmp` or `c.jalr tmp`.
    CJalr {
        tmp: u32,
        link: bool,
    },
}

impl Jump {
    fn len(self) -> usize {
        match self {
            Jump::Branch { .. } | Jump::Jal { .. } => 4,
            Jump::CBranch { .. } | Jump::CJ => 2,
            Jump::Jalr { .. } => 8,
            Jump::CJalr { .. } => 10,
        }
    }
    /// The parcels of this jump at `pc` going to `target` (both offsets in the blob).
    fn encode(self, pc: usize, target: usize) -> Vec<Word> {
        let off = target as i32 - pc as i32;
        match self {
            Jump::Branch { f3, rs1, rs2 } => vec![Word::W(enc_b(f3, rs1, rs2, off))],
            Jump::CBranch { bnez, rs1 } => vec![Word::H(enc_cb(bnez, rs1, off))],
            Jump::Jal { rd } => vec![Word::W(enc_j(rd, off))],
            Jump::CJ => vec![Word::H(enc_cj(off))],
            Jump::Jalr { tmp, rd } => vec![
                Word::W(0x17 | tmp << 7),
                // Odd offset: jalr clears bit 0 of the target.
                Word::W(enc_i(0x67, rd, 0, tmp, off | 1)),
            ],
            Jump::CJalr { tmp, link } => vec![
                Word::W(0x17 | tmp << 7),
                Word::W(addi(tmp, tmp, off)),
                Word::H((0x8002 | u32::from(link) << 12 | tmp << 7) as u16),
            ],
        }
    }
}

/// One unit of a sequence body: straight-line parcels, or a forward jump.
#[derive(Clone, Debug)]
enum Item {
    Code(Vec<Word>),
    Jump(Jump, usize),
}

impl Item {
    fn len(&self) -> usize {
        match self {
            Item::Code(w) => w.iter().map(|w| w.len()).sum(),
            Item::Jump(j, _) => j.len(),
        }
    }
}

/// A sequence: its initial state record (dump area zero) and its body.
#[derive(Clone, Debug)]
struct Sequence {
    /// The state record: constants, initial registers, fcsr, scratch memory.
    init: Vec<u8>,
    body: Vec<Item>,
}

fn put64(buf: &mut [u8], at: usize, v: u64) {
    buf[at..at + 8].copy_from_slice(&v.to_le_bytes());
}
fn get64(buf: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(buf[at..at + 8].try_into().unwrap())
}

/// Generates instruction bodies. Integer destinations and sources come from x0..x30 (x31 is
/// the state pointer).
struct Gen<'a> {
    r: &'a mut Rng,
}

const OP: u32 = 0x33;
const OP32: u32 = 0x3b;
const OPIMM: u32 = 0x13;
const OPIMM32: u32 = 0x1b;
const OPFP: u32 = 0x53;
/// fflags, frm, fcsr.
const FCSRS: [u32; 3] = [1, 2, 3];

impl Gen<'_> {
    fn x(&mut self) -> u32 {
        self.r.below(31) as u32
    }
    /// A register x1..x30 (for temporaries that must hold an address).
    fn tmp(&mut self) -> u32 {
        1 + self.r.below(30) as u32
    }
    fn f(&mut self) -> u32 {
        self.r.below(32) as u32
    }
    /// A rounding-mode field: static 0..=4 or dynamic (7).
    fn rm(&mut self) -> u32 {
        self.r.pick(&[0, 1, 2, 3, 4, 7, 7, 7])
    }
    /// A valid fcsr value (frm 0..=4), possibly with junk above bit 7 (ignored by writes).
    fn fcsr_value(&mut self) -> u32 {
        let v = self.r.below(5) as u32 * 32 + self.r.below(32) as u32;
        if self.r.chance(20) {
            v | (self.r.below(8) as u32) << 8
        } else {
            v
        }
    }
    /// A scratch offset for an access of `size` bytes, aligned to `align`.
    fn scratch_off(&mut self, size: usize, align: usize) -> i32 {
        (self.r.below(((SCRATCH_LEN - size) / align + 1) as u64) as usize * align) as i32
    }

    /// A scratch offset for `size` bytes, mostly aligned, sometimes misaligned.
    fn scratch_any(&mut self, size: usize) -> i32 {
        let align = if self.r.chance(60) { size } else { 1 };
        self.scratch_off(size, align)
    }

    fn one(w: u32) -> Item {
        Item::Code(vec![Word::W(w)])
    }

    fn item(&mut self) -> Item {
        let c = self.r.below(100);
        match c {
            0..=13 => self.int_rr(),
            14..=21 => self.int_imm(),
            22..=29 => self.bitmanip(),
            30..=37 => self.mem_access(),
            38..=41 => self.atomic(),
            42..=59 => self.fp(),
            60..=63 => self.fp_mem(),
            64..=66 => self.csr(),
            67..=79 => self.compressed(),
            80..=87 => self.jump(),
            88..=93 => self.reload(),
            94..=96 => self.mutant(),
            _ => self.hint(),
        }
    }

    fn int_rr(&mut self) -> Item {
        // (opcode, funct3, funct7): RV64I and M.
        const OPS: [(u32, u32, u32); 28] = [
            (OP, 0, 0),
            (OP, 0, 0x20),
            (OP, 1, 0),
            (OP, 2, 0),
            (OP, 3, 0),
            (OP, 4, 0),
            (OP, 5, 0),
            (OP, 5, 0x20),
            (OP, 6, 0),
            (OP, 7, 0),
            (OP32, 0, 0),
            (OP32, 0, 0x20),
            (OP32, 1, 0),
            (OP32, 5, 0),
            (OP32, 5, 0x20),
            (OP, 0, 1),
            (OP, 1, 1),
            (OP, 2, 1),
            (OP, 3, 1),
            (OP, 4, 1),
            (OP, 5, 1),
            (OP, 6, 1),
            (OP, 7, 1),
            (OP32, 0, 1),
            (OP32, 4, 1),
            (OP32, 5, 1),
            (OP32, 6, 1),
            (OP32, 7, 1),
        ];
        let (op, f3, f7) = self.r.pick(&OPS);
        Self::one(enc_r(op, self.x(), f3, self.x(), self.x(), f7))
    }

    fn int_imm(&mut self) -> Item {
        let rd = self.x();
        let rs1 = self.x();
        let imm = if self.r.chance(50) {
            self.r.range(-2048, 2047) as i32
        } else {
            self.r.pick(&[0, 1, -1, 2047, -2048, 31, 32, 63])
        };
        Self::one(match self.r.below(13) {
            0 => enc_i(OPIMM, rd, 0, rs1, imm),
            1 => enc_i(OPIMM, rd, 2, rs1, imm),
            2 => enc_i(OPIMM, rd, 3, rs1, imm),
            3 => enc_i(OPIMM, rd, 4, rs1, imm),
            4 => enc_i(OPIMM, rd, 6, rs1, imm),
            5 => enc_i(OPIMM, rd, 7, rs1, imm),
            6 => enc_i(OPIMM32, rd, 0, rs1, imm),
            7 => {
                let (f3, hi) = self.r.pick(&[(1, 0), (5, 0), (5, 0x400)]);
                enc_i(
                    OPIMM,
                    rd,
                    f3,
                    rs1,
                    hi | self.r.pick(&[0, 1, 31, 32, 63, 62]),
                )
            }
            8 => enc_i(
                OPIMM,
                rd,
                self.r.pick(&[1, 5]),
                rs1,
                self.r.below(64) as i32,
            ),
            9 => {
                let (f3, hi) = self.r.pick(&[(1, 0), (5, 0), (5, 0x400)]);
                enc_i(OPIMM32, rd, f3, rs1, hi | self.r.below(32) as i32)
            }
            10 => 0x37 | rd << 7 | (self.r.next() as u32 & 0xffff_f000),
            11 => 0x17 | rd << 7 | (self.r.next() as u32 & 0xffff_f000),
            _ => enc_i(OPIMM, rd, 0, 0, imm), // li
        })
    }

    fn bitmanip(&mut self) -> Item {
        let (rd, rs1, rs2) = (self.x(), self.x(), self.x());
        // (opcode, funct3, funct7) for the register forms.
        const RR: [(u32, u32, u32); 27] = [
            (OP32, 0, 0x04), // add.uw
            (OP, 2, 0x10),   // sh1add
            (OP, 4, 0x10),   // sh2add
            (OP, 6, 0x10),   // sh3add
            (OP32, 2, 0x10), // sh1add.uw
            (OP32, 4, 0x10), // sh2add.uw
            (OP32, 6, 0x10), // sh3add.uw
            (OP, 7, 0x20),   // andn
            (OP, 6, 0x20),   // orn
            (OP, 4, 0x20),   // xnor
            (OP, 4, 0x05),   // min
            (OP, 5, 0x05),   // minu
            (OP, 6, 0x05),   // max
            (OP, 7, 0x05),   // maxu
            (OP, 1, 0x30),   // rol
            (OP, 5, 0x30),   // ror
            (OP32, 1, 0x30), // rolw
            (OP32, 5, 0x30), // rorw
            (OP, 1, 0x24),   // bclr
            (OP, 5, 0x24),   // bext
            (OP, 1, 0x34),   // binv
            (OP, 1, 0x14),   // bset
            (OP, 5, 0x07),   // czero.eqz
            (OP, 7, 0x07),   // czero.nez
            (OP, 5, 0x07),   // (czero weighted up: Go and compilers emit them for selects)
            (OP, 7, 0x07),
            (OP32, 4, 0x04), // zext.h (rs2 forced to 0 below)
        ];
        let any = self.r.below(64) as u32;
        let sh = self.r.pick(&[0, 1, 31, 32, 63, any]);
        Self::one(match self.r.below(3) {
            0 | 1 => {
                let (op, f3, f7) = self.r.pick(&RR);
                let rs2 = if (op, f3, f7) == (OP32, 4, 0x04) {
                    0
                } else {
                    rs2
                };
                enc_r(op, rd, f3, rs1, rs2, f7)
            }
            _ => match self.r.below(13) {
                // clz ctz cpop sext.b sext.h
                0 => enc_i(OPIMM, rd, 1, rs1, 0x600 | self.r.pick(&[0, 1, 2, 4, 5])),
                1 => enc_i(OPIMM32, rd, 1, rs1, 0x600 | self.r.pick(&[0, 1, 2])),
                2 => enc_i(OPIMM, rd, 5, rs1, 0x600 | sh as i32), // rori
                3 => enc_i(OPIMM32, rd, 5, rs1, 0x600 | (sh & 31) as i32), // roriw
                4 => enc_i(OPIMM, rd, 5, rs1, 0x287),             // orc.b
                5 => enc_i(OPIMM, rd, 5, rs1, 0x6b8),             // rev8
                6 => enc_i(OPIMM32, rd, 1, rs1, 0x080 | sh as i32), // slli.uw
                7 => enc_i(OPIMM, rd, 1, rs1, 0x480 | sh as i32), // bclri
                8 => enc_i(OPIMM, rd, 5, rs1, 0x480 | sh as i32), // bexti
                9 => enc_i(OPIMM, rd, 1, rs1, 0x680 | sh as i32), // binvi
                10 => enc_i(OPIMM, rd, 1, rs1, 0x280 | sh as i32), // bseti
                _ => enc_r(OP, rd, self.r.pick(&[5, 7]), rs1, rs2, 0x07), // czero
            },
        })
    }

    /// A load or store of any width at any alignment, from x31 directly or through a
    /// temporary base register (so the immediate can be negative).
    fn mem_access(&mut self) -> Item {
        let load = self.r.chance(55);
        let (f3, size) = if load {
            self.r
                .pick(&[(0, 1), (1, 2), (2, 4), (3, 8), (4, 1), (5, 2), (6, 4)])
        } else {
            self.r.pick(&[(0, 1), (1, 2), (2, 4), (3, 8)])
        };
        let align = if self.r.chance(60) { size } else { 1 };
        let off = self.scratch_off(size, align);
        let enc = |base: u32, imm: i32, reg: u32| {
            if load {
                enc_i(0x03, reg, f3, base, imm)
            } else {
                enc_s(0x23, f3, base, reg, imm)
            }
        };
        let reg = self.x();
        if self.r.chance(60) {
            Self::one(enc(31, off, reg))
        } else {
            let t = self.tmp();
            let d = self.r.range(-100, 100) as i32;
            // A store through t of t itself stores the address, which both emulators agree on
            // (fixed mapping), so that is fine too.
            Item::Code(vec![
                Word::W(addi(t, 31, off + d)),
                Word::W(enc(t, -d, reg)),
            ])
        }
    }

    fn fp_mem(&mut self) -> Item {
        let double = self.r.chance(50);
        let size = if double { 8 } else { 4 };
        let align = if self.r.chance(70) { size } else { 1 };
        let f3 = if double { 3 } else { 2 };
        if self.r.chance(30) {
            // Reload an FP constant.
            let k = self.r.below(32) as i32;
            return Self::one(enc_i(0x07, self.f(), f3, 31, rel(C_FP) + 8 * k));
        }
        let off = self.scratch_off(size, align);
        Self::one(if self.r.chance(50) {
            enc_i(0x07, self.f(), f3, 31, off)
        } else {
            enc_s(0x27, f3, 31, self.f(), off)
        })
    }

    /// An AMO (aligned, any ordering bits) or an LR/SC pair with only ALU work between.
    fn atomic(&mut self) -> Item {
        let double = self.r.chance(50);
        let (f3, size) = if double { (3, 8) } else { (2, 4) };
        let t = self.tmp();
        let off = self.scratch_off(size, size);
        let aqrl = self.r.below(4) as u32;
        let mut w = vec![Word::W(addi(t, 31, off))];
        if self.r.chance(65) {
            let f5 = self
                .r
                .pick(&[0x01, 0x00, 0x04, 0x0c, 0x08, 0x10, 0x14, 0x18, 0x1c]);
            w.push(Word::W(enc_r(
                0x2f,
                self.x(),
                f3,
                t,
                self.x(),
                f5 << 2 | aqrl,
            )));
        } else {
            // lr must not overwrite its own address register: an sc through a misaligned
            // address must trap (ISA manual, "Load-Reserved/Store-Conditional": misaligned
            // LR/SC raise address-misaligned or access-fault), which rvrun does (SIGBUS), but
            // QEMU 10.0 only compares the reservation and fails the sc without any alignment
            // check. That is a QEMU deviation, so the generator keeps sc addresses aligned.
            let mut lr_rd = self.x();
            if lr_rd == t {
                lr_rd = 0;
            }
            w.push(Word::W(enc_r(0x2f, lr_rd, f3, t, 0, 0x02 << 2 | aqrl)));
            for _ in 0..self.r.below(3) {
                let mut rd = self.x();
                if rd == t {
                    rd = 0;
                }
                w.push(Word::W(enc_r(OP, rd, 0, self.x(), self.x(), 0)));
            }
            // Mostly the reserved address; sometimes another (the sc must fail).
            let mut sc_base = t;
            if self.r.chance(25) {
                sc_base = self.tmp();
                w.push(Word::W(addi(sc_base, 31, self.scratch_off(size, size))));
            }
            w.push(Word::W(enc_r(
                0x2f,
                self.x(),
                f3,
                sc_base,
                self.x(),
                0x03 << 2 | aqrl,
            )));
        }
        Item::Code(w)
    }

    fn fp(&mut self) -> Item {
        let fmt = self.r.below(2) as u32;
        let (fd, f1, f2, f3r) = (self.f(), self.f(), self.f(), self.f());
        let rm = self.rm();
        let xd = self.x();
        let xs = self.x();
        let f7 = |f5: u32| f5 << 2 | fmt;
        Self::one(match self.r.below(22) {
            0..=3 => enc_r(OPFP, fd, rm, f1, f2, f7(self.r.below(4) as u32)), // add sub mul div
            4 => enc_r(OPFP, fd, rm, f1, 0, f7(0x0b)),                        // sqrt
            5..=7 => {
                let op = self.r.pick(&[0x43, 0x47, 0x4b, 0x4f]);
                enc_r4(op, fd, rm, f1, f2, f3r, fmt)
            }
            8 => enc_r(OPFP, fd, self.r.below(3) as u32, f1, f2, f7(0x04)), // sgnj
            9 => enc_r(OPFP, fd, self.r.below(2) as u32, f1, f2, f7(0x05)), // min max
            10 | 11 => enc_r(OPFP, xd, self.r.below(3) as u32, f1, f2, f7(0x14)), // compares
            12 => enc_r(OPFP, xd, 1, f1, 0, f7(0x1c)),                      // fclass
            13 => enc_r(OPFP, xd, 0, f1, 0, f7(0x1c)),                      // fmv.x.w/d
            14 => enc_r(OPFP, fd, 0, xs, 0, f7(0x1e)),                      // fmv.w/d.x
            15..=17 => enc_r(OPFP, xd, rm, f1, self.r.below(4) as u32, f7(0x18)), // fcvt.int.fp
            18 | 19 => enc_r(OPFP, fd, rm, xs, self.r.below(4) as u32, f7(0x1a)), // fcvt.fp.int
            // fcvt.s.d / fcvt.d.s
            _ => {
                if fmt == 0 {
                    enc_r(OPFP, fd, rm, f1, 1, 0x20)
                } else {
                    enc_r(OPFP, fd, rm, f1, 0, 0x21)
                }
            }
        })
    }

    /// fflags/frm/fcsr accesses. Writes keep frm valid (0..=4) so dynamic-rm instructions
    /// stay legal; reads of cycle/time/instret are left out (they count differently).
    fn csr(&mut self) -> Item {
        let csr = self.r.pick(&FCSRS);
        let rd = self.x();
        let t = self.tmp();
        let v = self.fcsr_value();
        // The value to write, as it must be for `csr`: fflags takes anything.
        let wval = match csr {
            2 => v >> 5,
            _ => v,
        };
        let sys = |f3: u32, src: u32| 0x73 | rd << 7 | f3 << 12 | src << 15 | csr << 20;
        match self.r.below(6) {
            // csrrw from a register holding a valid value
            0 => Item::Code(vec![Word::W(addi(t, 0, wval as i32)), Word::W(sys(1, t))]),
            // csrrs: only fflags bits (a value < 32 sets no frm bits of fcsr)
            1 => {
                let bitsv = if csr == 2 { 0 } else { v & 31 };
                Item::Code(vec![Word::W(addi(t, 0, bitsv as i32)), Word::W(sys(2, t))])
            }
            // csrrc with any register: clearing bits of a valid frm keeps it valid
            2 => Self::one(sys(3, self.x())),
            3 => Self::one(sys(5, if csr == 2 { (v >> 5) & 31 } else { v & 31 })),
            4 => Self::one(sys(6, if csr == 2 { 0 } else { v & 31 })),
            _ => Self::one(sys(7, self.r.below(32) as u32)),
        }
    }

    /// One RVC instruction (with a base-register set-up for loads and stores).
    fn compressed(&mut self) -> Item {
        let rdp = 8 + self.r.below(8) as u32; // x8..x15 / f8..f15
        let rs2p = 8 + self.r.below(8) as u32;
        let rd = 1 + self.r.below(30) as u32; // x1..x30
        let imm6 = self.r.below(64) as u32;
        let h = |v: u32| Word::H(v as u16);
        let ci = |f3: u32, rd: u32, imm: u32, op: u32| {
            h(f3 << 13 | bit(imm, 5) << 12 | rd << 7 | bits(imm, 4, 0) << 2 | op)
        };
        match self.r.below(24) {
            0 => Item::Code(vec![ci(0, rd, imm6, 1)]), // c.addi
            1 => Item::Code(vec![ci(1, rd, imm6, 1)]), // c.addiw
            2 => Item::Code(vec![ci(2, rd, imm6, 1)]), // c.li
            3 => {
                // c.lui: rd not x0/x2, nonzero immediate
                let rd = if rd == 2 { 3 } else { rd };
                Item::Code(vec![ci(3, rd, imm6.max(1), 1)])
            }
            4 => {
                // c.addi16sp
                let imm = (self.r.range(-32, 31) as i32 * 16).max(16) as u32;
                let imm = if self.r.chance(50) {
                    imm.wrapping_neg()
                } else {
                    imm
                };
                Item::Code(vec![h(3 << 13
                    | bit(imm, 9) << 12
                    | 2 << 7
                    | bit(imm, 4) << 6
                    | bit(imm, 6) << 5
                    | bits(imm, 8, 7) << 3
                    | bit(imm, 5) << 2
                    | 1)])
            }
            5 => {
                // c.addi4spn
                let imm = 4 * (1 + self.r.below(255) as u32);
                Item::Code(vec![h(bits(imm, 5, 4) << 11
                    | bits(imm, 9, 6) << 7
                    | bit(imm, 2) << 6
                    | bit(imm, 3) << 5
                    | (rdp - 8) << 2)])
            }
            6 => Item::Code(vec![ci(0, rd, imm6.max(1), 2)]), // c.slli
            7 => {
                // c.srli / c.srai / c.andi
                let f2 = self.r.below(3) as u32;
                let imm = if f2 < 2 { imm6.max(1) } else { imm6 };
                Item::Code(vec![h(4 << 13
                    | bit(imm, 5) << 12
                    | f2 << 10
                    | (rdp - 8) << 7
                    | bits(imm, 4, 0) << 2
                    | 1)])
            }
            8 | 9 => {
                // c.sub c.xor c.or c.and c.subw c.addw
                let w = self.r.below(3) == 0;
                let f2 = if w { self.r.below(2) } else { self.r.below(4) } as u32;
                Item::Code(vec![h(4 << 13
                    | u32::from(w) << 12
                    | 3 << 10
                    | (rdp - 8) << 7
                    | f2 << 5
                    | (rs2p - 8) << 2
                    | 1)])
            }
            10 => Item::Code(vec![h(0x8002
                | rd << 7
                | (1 + self.r.below(30) as u32) << 2)]), // c.mv
            11 => Item::Code(vec![h(0x9002
                | rd << 7
                | (1 + self.r.below(30) as u32) << 2)]), // c.add
            12 => Item::Code(vec![h(1)]), // c.nop
            13..=18 => {
                // c.lw c.ld c.fld c.sw c.sd c.fsd through a base register x8..x15
                let (f3, size, scale_max) = self.r.pick(&[
                    (2, 4, 31),
                    (3, 8, 31),
                    (1, 8, 31),
                    (6, 4, 31),
                    (7, 8, 31),
                    (5, 8, 31),
                ]);
                let base = 8 + self.r.below(8) as u32;
                let off = self.r.below(scale_max + 1) as u32 * size;
                let off = off.min((SCRATCH_LEN - size as usize) as u32) & !(size - 1);
                let total = self.scratch_any(size as usize);
                let base_off = total - off as i32;
                let enc = if size == 4 {
                    bits(off, 5, 3) << 10 | bit(off, 2) << 6 | bit(off, 6) << 5
                } else {
                    bits(off, 5, 3) << 10 | bits(off, 7, 6) << 5
                };
                // A load into its own base, or a store of the base, is fine: the mapping is
                // fixed, so addresses agree between emulators.
                let reg = rs2p;
                Item::Code(vec![
                    Word::W(addi(base, 31, base_off)),
                    h(f3 << 13 | enc | (base - 8) << 7 | (reg - 8) << 2),
                ])
            }
            _ => {
                // c.lwsp c.ldsp c.fldsp c.swsp c.sdsp c.fsdsp through sp
                let kind = self.r.below(6);
                let size: u32 = if kind.is_multiple_of(3) { 4 } else { 8 };
                let off = self.r.below(16) as u32 * size;
                let total = self.scratch_any(size as usize);
                let setup = Word::W(addi(2, 31, total - off as i32));
                let reg = if kind == 2 || kind == 5 { self.f() } else { rd };
                let w = match kind {
                    0 => {
                        2 << 13
                            | bit(off, 5) << 12
                            | reg << 7
                            | bits(off, 4, 2) << 4
                            | bits(off, 7, 6) << 2
                            | 2
                    }
                    1 | 2 => {
                        let f3 = if kind == 1 { 3 } else { 1 };
                        f3 << 13
                            | bit(off, 5) << 12
                            | reg << 7
                            | bits(off, 4, 3) << 5
                            | bits(off, 8, 6) << 2
                            | 2
                    }
                    3 => 6 << 13 | bits(off, 5, 2) << 9 | bits(off, 7, 6) << 7 | reg << 2 | 2,
                    _ => {
                        let f3 = if kind == 4 { 7 } else { 5 };
                        f3 << 13 | bits(off, 5, 3) << 10 | bits(off, 8, 6) << 7 | reg << 2 | 2
                    }
                };
                Item::Code(vec![setup, h(w)])
            }
        }
    }

    fn jump(&mut self) -> Item {
        let skip = self.r.below(4) as usize;
        let j = match self.r.below(10) {
            0..=4 => Jump::Branch {
                f3: self.r.pick(&[0, 1, 4, 5, 6, 7]),
                rs1: self.x(),
                rs2: self.x(),
            },
            5 | 6 => Jump::CBranch {
                bnez: self.r.chance(50),
                rs1: 8 + self.r.below(8) as u32,
            },
            7 => Jump::Jal { rd: self.x() },
            8 => Jump::CJ,
            _ => {
                if self.r.chance(50) {
                    Jump::Jalr {
                        tmp: self.tmp(),
                        rd: self.x(),
                    }
                } else {
                    Jump::CJalr {
                        tmp: self.tmp(),
                        link: self.r.chance(50),
                    }
                }
            }
        };
        Item::Jump(j, skip)
    }

    /// A computational instruction with 1..=3 bits of its function fields (funct3, rs2,
    /// funct7) flipped: often a reserved encoding (or one of an extension rvrun does not
    /// have), which must raise SIGILL exactly when QEMU (restricted to rvrun's extensions)
    /// does. The opcode and rd stay, so no mutant accesses memory, jumps, or writes x31.
    fn mutant(&mut self) -> Item {
        if self.r.chance(25) {
            return self.reserved_compressed();
        }
        let w = loop {
            let it = match self.r.below(4) {
                0 => self.int_rr(),
                1 => self.int_imm(),
                2 => self.bitmanip(),
                _ => self.fp(),
            };
            if let Item::Code(ws) = it
                && let [Word::W(w)] = ws[..]
            {
                break w;
            }
        };
        // An FP op turned into one with an integer destination must not hit x31.
        let mut w = if (w >> 7) & 31 == 31 {
            w & !(1 << 7)
        } else {
            w
        };
        for _ in 0..1 + self.r.below(3) {
            let b = self
                .r
                .pick(&[12, 13, 14, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31]);
            w ^= 1 << b;
        }
        Self::one(w)
    }

    /// A reserved (or HINT) 16-bit encoding that touches no memory: each must be illegal,
    /// or a no-op hint, in both emulators. The 100-1-11-xx-10/11 slots are Zcb's (c.mul and
    /// friends), which neither CPU has.
    fn reserved_compressed(&mut self) -> Item {
        let rdp = self.r.below(8) as u32;
        let rs2p = self.r.below(8) as u32;
        let rd = 1 + self.r.below(30) as u32;
        let w = match self.r.below(9) {
            0 => 0,                                                             // c.unimp (all zero)
            1 => rdp << 2,                                                      // c.addi4spn, imm 0
            2 => 0x6001 | if rd == 2 { 3 } else { rd } << 7,                    // c.lui, imm 0
            3 => 0x6101,                                                        // c.addi16sp, imm 0
            4 => 0x2001 | (self.r.below(64) as u32 & 0x1f) << 2,                // c.addiw to x0
            5 => 0x8002,                                                        // c.jr x0
            6 => 0x9c41 | (self.r.below(2) as u32) << 5 | rdp << 7 | rs2p << 2, // Zcb slots
            7 => 0x0002 | rd << 7,                                              // c.slli by 0: hint
            _ => 0x8001 | (self.r.below(2) as u32) << 10 | rdp << 7, // c.srli/srai by 0: hint
        };
        Item::Code(vec![Word::H(w as u16)])
    }

    /// Reloads an edge value into a register (keeps operands interesting).
    fn reload(&mut self) -> Item {
        let k = self.r.below(32) as i32;
        if self.r.chance(60) {
            Self::one(enc_i(0x03, self.x(), 3, 31, rel(C_INT) + 8 * k))
        } else {
            Self::one(enc_i(0x07, self.f(), 3, 31, rel(C_FP) + 8 * k))
        }
    }

    /// fence, fence.tso, pause, prefetch hints (ori x0), other hints, fence.i.
    fn hint(&mut self) -> Item {
        Self::one(match self.r.below(7) {
            0 => 0x0ff0_000f, // fence rw,rw
            1 => 0x8330_000f, // fence.tso
            2 => 0x0100_000f, // pause
            3 => enc_i(
                OPIMM,
                0,
                6,
                self.x(),
                self.r.pick(&[0, 1, 3]) | (self.r.below(64) as i32) << 5,
            ), // prefetch.i/r/w
            4 => enc_r(OP, 0, 0, self.x(), self.x(), 0), // add x0 hint
            5 => 0x0000_100f, // fence.i
            _ => addi(0, 0, 0), // nop
        })
    }
}

/// Generates the sequence for `seed`.
fn generate(seed: u64) -> Sequence {
    let mut r = Rng::new(seed);
    let mut init = vec![0u8; RECORD];
    for k in 0..32 {
        put64(&mut init, C_INT + 8 * k, edge_int(&mut r));
        put64(&mut init, C_FP + 8 * k, edge_freg(&mut r));
        put64(&mut init, INIT_X + 8 * k, edge_int(&mut r));
        put64(&mut init, INIT_F + 8 * k, edge_freg(&mut r));
    }
    put64(&mut init, INIT_X, 0);
    put64(&mut init, INIT_X + 8 * 31, 0);
    let fcsr = r.below(5) * 32 + r.below(32);
    put64(&mut init, INIT_FCSR, fcsr);
    // Scratch: edge values mixed with FP patterns.
    for k in 0..SCRATCH_LEN / 8 {
        let v = match r.below(3) {
            0 => edge_int(&mut r),
            1 => edge_f64(&mut r),
            _ => (edge_f32(&mut r) as u64) << 32 | edge_f32(&mut r) as u64,
        };
        put64(&mut init, SCRATCH + 8 * k, v);
    }
    let mut g = Gen { r: &mut r };
    let body = (0..BODY_ITEMS).map(|_| g.item()).collect();
    Sequence { init, body }
}

// ================================================================================================
// Blob layout
// ================================================================================================

fn push(code: &mut Vec<u8>, w: Word) {
    match w {
        Word::W(v) => code.extend_from_slice(&v.to_le_bytes()),
        Word::H(v) => code.extend_from_slice(&v.to_le_bytes()),
    }
}

/// Appends `auipc x31, hi; addi x31, x31, lo`, leaving x31 = blob base + `target` (the
/// code's own offset is `code.len()`).
fn la31(code: &mut Vec<u8>, target: usize) {
    let off = target as i64 - code.len() as i64;
    let lo = ((off << 52) >> 52) as i32;
    let hi = ((off - lo as i64) as u32) & 0xffff_f000;
    push(code, Word::W(0x17 | 31 << 7 | hi));
    push(code, Word::W(addi(31, 31, lo)));
}

/// Appends `body` to `code`, resolving each jump to the item it skips to (or the body's end).
fn emit_body(code: &mut Vec<u8>, body: &[Item]) {
    let start = code.len();
    let mut offs = Vec::with_capacity(body.len() + 1);
    let mut at = start;
    for it in body {
        offs.push(at);
        at += it.len();
    }
    offs.push(at);
    for (i, it) in body.iter().enumerate() {
        match it {
            Item::Code(ws) => ws.iter().for_each(|&w| push(code, w)),
            Item::Jump(j, skip) => {
                let target = offs[(i + 1 + skip).min(body.len())];
                for w in j.encode(code.len(), target) {
                    push(code, w);
                }
            }
        }
    }
}

/// The blob for `seqs`: header, code, then one state record per sequence (page aligned, so
/// stores never hit a code page).
fn build_blob(seqs: &[Sequence]) -> Vec<u8> {
    let mut code = vec![0u8; HEADER];
    // The records follow the code, whose exact size is known only at the end: place them
    // after an upper bound of it instead (checked below).
    let bound: usize = HEADER
        + seqs
            .iter()
            .map(|s| 200 + 140 * 4 + s.body.iter().map(Item::len).sum::<usize>())
            .sum::<usize>()
        + 64;
    let data_off = (bound + 4095) & !4095;
    for (n, s) in seqs.iter().enumerate() {
        let rec = data_off + n * RECORD;
        la31(&mut code, rec + SCRATCH);
        // Drop any reservation left by the previous sequence (an sc to the never-reserved
        // pad word always fails), then load FP, fcsr and integer state.
        push(&mut code, Word::W(addi(1, 31, rel(PAD))));
        push(&mut code, Word::W(enc_r(0x2f, 0, 3, 1, 0, 0x03 << 2)));
        for k in 0..32 {
            push(
                &mut code,
                Word::W(enc_i(0x07, k, 3, 31, rel(INIT_F) + 8 * k as i32)),
            );
        }
        push(&mut code, Word::W(enc_i(0x03, 1, 3, 31, rel(INIT_FCSR))));
        push(&mut code, Word::W(0x73 | 1 << 12 | 1 << 15 | 3 << 20)); // fscsr x1
        for k in 1..31 {
            push(
                &mut code,
                Word::W(enc_i(0x03, k, 3, 31, rel(INIT_X) + 8 * k as i32)),
            );
        }
        emit_body(&mut code, &s.body);
        for k in 0..32 {
            push(
                &mut code,
                Word::W(enc_s(0x23, 3, 31, k, rel(DUMP_X) + 8 * k as i32)),
            );
        }
        for k in 0..32 {
            push(
                &mut code,
                Word::W(enc_s(0x27, 3, 31, k, rel(DUMP_F) + 8 * k as i32)),
            );
        }
        push(&mut code, Word::W(0x73 | 1 << 7 | 2 << 12 | 3 << 20)); // frcsr x1
        push(&mut code, Word::W(enc_s(0x23, 3, 31, 1, rel(DUMP_FCSR))));
    }
    // Return to the harness: x1 = *(BASE + 32); jr x1.
    la31(&mut code, 32);
    push(&mut code, Word::W(enc_i(0x03, 1, 3, 31, 0)));
    push(&mut code, Word::W(enc_i(0x67, 0, 0, 1, 0)));
    assert!(code.len() <= data_off, "code bound too small");
    code.resize(data_off, 0);
    for s in seqs {
        code.extend_from_slice(&s.init);
    }
    let data_len = seqs.len() * RECORD;
    put64(&mut code, 0, MAGIC);
    put64(&mut code, 8, HEADER as u64);
    put64(&mut code, 16, data_off as u64);
    put64(&mut code, 24, data_len as u64);
    code
}

// ================================================================================================
// Running
// ================================================================================================

/// What one emulator printed: exit status, stdout (the records), stderr.
#[derive(Debug)]
struct Run {
    status: Option<i32>,
    out: Vec<u8>,
    err: String,
}

fn harness() -> PathBuf {
    let dir = std::env::var_os("RVRUN_GUESTS").unwrap_or_else(|| {
        panic!(
            "RVRUN_GUESTS is not set: it must name the directory of built guest programs \
             (`make test` sets it; or run `make programs` and RVRUN_GUESTS=$PWD/build/guests)"
        )
    });
    let h = Path::new(&dir).join("asm/isa-harness");
    assert!(
        h.is_file(),
        "{} is missing (run `make programs`)",
        h.display()
    );
    h
}

fn run_cmd(cmd: &mut Command) -> Run {
    let o = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    // A guest killed by signal N: rvrun exits with 128 + N, QEMU kills itself with N.
    use std::os::unix::process::ExitStatusExt as _;
    Run {
        status: o.status.code().or(o.status.signal().map(|n| 128 + n)),
        out: o.stdout,
        err: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// Runs `seqs` under rvrun and qemu-riscv64: (rvrun, qemu).
fn run_both(seqs: &[Sequence]) -> (Run, Run) {
    let h = harness();
    let blob = build_blob(seqs);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("blob");
    std::fs::write(&path, &blob).unwrap();
    // ISA_DIFF_KEEP=FILE keeps the first blob run (e.g. to disassemble it with objdump, or
    // rerun it: `qemu-riscv64 -cpu ... isa-harness FILE`).
    if let Some(keep) = std::env::var_os("ISA_DIFF_KEEP")
        && !Path::new(&keep).exists()
    {
        std::fs::write(keep, &blob).unwrap();
    }
    let mount = format!("{}:/blob:ro", path.display());
    let mut rv = Command::new(RVRUN);
    rv.args(["run", "--mount", &mount]).arg(&h).arg("/blob");
    let mut qemu = Command::new("qemu-riscv64");
    qemu.args(["-cpu", QEMU_CPU]).arg(&h).arg(&path);
    // Both at once: two cores.
    std::thread::scope(|s| {
        let a = s.spawn(|| run_cmd(&mut rv));
        let b = run_cmd(&mut qemu);
        (a.join().unwrap(), b)
    })
}

/// Indices of the sequences whose compared parts differ, or `Err` when a run failed as a
/// whole (crash, trap, short output).
fn mismatches(seqs: &[Sequence], rv: &Run, qemu: &Run) -> Result<Vec<usize>, String> {
    let want = seqs.len() * RECORD;
    for (name, r) in [("qemu-riscv64", qemu), ("rvrun", rv)] {
        if r.status != Some(0) || r.out.len() != want {
            return Err(format!(
                "{name} failed: status {:?}, {} of {want} output bytes\n{}",
                r.status,
                r.out.len(),
                r.err
            ));
        }
    }
    Ok((0..seqs.len())
        .filter(|&i| {
            let b = i * RECORD;
            rv.out[b + COMPARED.start..b + COMPARED.end]
                != qemu.out[b + COMPARED.start..b + COMPARED.end]
        })
        .collect())
}

/// True when `seq` alone behaves differently under the two emulators (dumps, or one of the
/// runs failing while the other does not).
fn fails(seq: &Sequence) -> bool {
    let seqs = std::slice::from_ref(seq);
    let (rv, qemu) = run_both(seqs);
    match mismatches(seqs, &rv, &qemu) {
        Ok(m) => !m.is_empty(),
        Err(_) => (rv.status, &rv.out) != (qemu.status, &qemu.out),
    }
}

/// Shrinks a failing sequence: drops chunks of body items (ddmin-style, halving the chunk
/// size), then resets initial-state words to zero, keeping every change that still fails.
fn shrink(mut seq: Sequence) -> Sequence {
    let mut chunk = seq.body.len().div_ceil(2).max(1);
    loop {
        let mut i = 0;
        while i < seq.body.len() {
            let mut cand = seq.clone();
            let end = (i + chunk).min(cand.body.len());
            cand.body.drain(i..end);
            if fails(&cand) {
                seq = cand;
            } else {
                i += chunk;
            }
        }
        if chunk == 1 {
            break;
        }
        chunk = chunk.div_ceil(2);
    }
    // Initial state: registers, fcsr and scratch words not needed for the failure become 0.
    let words: Vec<usize> = (INIT_X / 8..SCRATCH / 8 + SCRATCH_LEN / 8)
        .chain(C_INT / 8..C_FP / 8 + 32)
        .collect();
    for w in words {
        if get64(&seq.init, w * 8) == 0 || w * 8 == PAD {
            continue;
        }
        let mut cand = seq.clone();
        put64(&mut cand.init, w * 8, 0);
        if fails(&cand) {
            seq = cand;
        }
    }
    seq
}

/// The body as flat instruction parcels, jumps resolved as if at offset 0 (jumps are
/// pc-relative, except auipc-based ones whose low offset still matches).
fn body_words(body: &[Item]) -> String {
    let mut code = Vec::new();
    emit_body(&mut code, body);
    let mut s = String::new();
    let mut i = 0;
    while i < code.len() {
        let lo = u16::from_le_bytes([code[i], code[i + 1]]);
        if lo & 3 == 3 {
            let w = u32::from_le_bytes(code[i..i + 4].try_into().unwrap());
            let _ = write!(s, "{w:08x} ");
            i += 4;
        } else {
            let _ = write!(s, "{lo:04x} ");
            i += 2;
        }
    }
    s.trim_end().to_string()
}

/// A side-by-side report of one sequence's two dumps; differences are marked `<<`.
fn report(seq: &Sequence, rv: &[u8], qemu: &[u8]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "body ({} items): {}",
        seq.body.len(),
        body_words(&seq.body)
    );
    let _ = writeln!(
        s,
        "{:>8}  {:>18}  {:>18}   (rows where both are 0 omitted)",
        "", "rvrun", "qemu"
    );
    // Rows where both are zero say nothing; leave them out.
    let mut line = |name: String, at: usize| {
        let (a, b) = (get64(rv, at), get64(qemu, at));
        if a == 0 && b == 0 {
            return;
        }
        let mark = if a != b { "  <<" } else { "" };
        let _ = writeln!(s, "{name:>8}  {a:#018x}  {b:#018x}{mark}");
    };
    for (k, n) in X_NAMES.iter().enumerate() {
        line(format!("x{k}/{n}"), DUMP_X + 8 * k);
    }
    for k in 0..32 {
        line(format!("f{k}"), DUMP_F + 8 * k);
    }
    line("fcsr".into(), DUMP_FCSR);
    line("SIGILLs".into(), TRAPS);
    for k in 0..SCRATCH_LEN / 8 {
        if get64(rv, SCRATCH + 8 * k) != get64(qemu, SCRATCH + 8 * k) {
            line(format!("mem+{:#x}", 8 * k), SCRATCH + 8 * k);
        }
    }
    s
}

/// A regression line for `seq`: nonzero initial words, then the body parcels.
fn regression_line(seq: &Sequence) -> String {
    let mut s = String::new();
    for w in 0..RECORD / 8 {
        let v = get64(&seq.init, w * 8);
        if v != 0 {
            let _ = write!(s, "{:x}={v:x} ", w * 8);
        }
    }
    let _ = write!(s, "| {}", body_words(&seq.body));
    s
}

/// Parses a line written by [`regression_line`].
fn parse_regression(line: &str) -> Sequence {
    let (state, code) = line.split_once('|').expect("regression line without '|'");
    let mut init = vec![0u8; RECORD];
    for kv in state.split_whitespace() {
        let (k, v) = kv.split_once('=').expect("state entry without '='");
        let at = usize::from_str_radix(k, 16).unwrap();
        put64(&mut init, at, u64::from_str_radix(v, 16).unwrap());
    }
    let body = code
        .split_whitespace()
        .map(|w| {
            let v = u32::from_str_radix(w, 16).unwrap();
            Item::Code(vec![if w.len() == 4 {
                Word::H(v as u16)
            } else {
                Word::W(v)
            }])
        })
        .collect();
    Sequence { init, body }
}

/// Runs `seqs` in one batch; on a mismatch, shrinks the first failing sequence and panics
/// with the side-by-side report. Returns the number of illegal-instruction traps taken.
fn check_batch(label: &str, seqs: &[Sequence]) -> u64 {
    let (rv, qemu) = run_both(seqs);
    let bad = match mismatches(seqs, &rv, &qemu) {
        Ok(m) if m.is_empty() => {
            return (0..seqs.len())
                .map(|i| get64(&rv.out, i * RECORD + TRAPS))
                .sum();
        }
        Ok(m) => m[0],
        Err(e) => {
            // A whole-run failure: find the first sequence that fails on its own.
            match seqs.iter().position(fails) {
                Some(i) => i,
                None => {
                    // Only together: find the shortest failing prefix (state carried from
                    // one sequence to the next, or a harness problem).
                    let (mut lo, mut hi) = (1, seqs.len());
                    while lo < hi {
                        let mid = (lo + hi) / 2;
                        let (rv, q) = run_both(&seqs[..mid]);
                        if mismatches(&seqs[..mid], &rv, &q).is_ok_and(|m| m.is_empty()) {
                            lo = mid + 1;
                        } else {
                            hi = mid;
                        }
                    }
                    panic!(
                        "{label}: the first {lo} sequences fail together (none alone): {e}\n\
                         rerun the blob by hand: ISA_DIFF_KEEP=FILE keeps it"
                    )
                }
            }
        }
    };
    let small = shrink(seqs[bad].clone());
    let one = std::slice::from_ref(&small);
    let (rv1, q1) = run_both(one);
    let detail = if rv1.out.len() == RECORD && q1.out.len() == RECORD {
        report(&small, &rv1.out, &q1.out)
    } else {
        format!(
            "body: {}\nrvrun: status {:?}, stderr {}\nqemu: status {:?}, stderr {}",
            body_words(&small.body),
            rv1.status,
            rv1.err,
            q1.status,
            q1.err
        )
    };
    panic!(
        "{label}: sequence {bad} differs between rvrun and qemu-riscv64; shrunk to:\n{detail}\n\
         regression line for tests/isa_diff/regressions.txt:\n{}",
        regression_line(&small)
    );
}

/// Number of instructions in `body` (each parcel group counted per instruction).
fn body_insns(body: &[Item]) -> usize {
    body.iter()
        .map(|it| match it {
            Item::Code(ws) => ws.len(),
            Item::Jump(j, _) => match j {
                Jump::Jalr { .. } => 2,
                Jump::CJalr { .. } => 3,
                _ => 1,
            },
        })
        .sum()
}

fn seqs_for(seeds: std::ops::Range<u64>) -> Vec<Sequence> {
    seeds.map(generate).collect()
}

/// The fixed-seed campaign `cargo test` runs.
#[test]
fn random_sequences_match_qemu() {
    let (mut insns, mut traps) = (0, 0);
    let mut s = 0;
    while s < FIXED_SEEDS {
        let e = (s + BATCH as u64).min(FIXED_SEEDS);
        let seqs = seqs_for(s..e);
        insns += seqs.iter().map(|q| body_insns(&q.body)).sum::<usize>();
        traps += check_batch(&format!("seeds {s}..{e}"), &seqs);
        s = e;
    }
    eprintln!(
        "isa_diff: {FIXED_SEEDS} sequences, {insns} body instructions, {traps} SIGILLs: \
         all identical"
    );
    // Guards the illegal-encoding class (a harness or generator change could lose it).
    assert!(traps > 100, "only {traps} illegal-instruction traps");
}

/// Replays every checked-in regression (sequences that once differed).
#[test]
fn regressions_match_qemu() {
    let text = include_str!("isa_diff/regressions.txt");
    let seqs: Vec<Sequence> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| parse_regression(l.split_once(':').map_or(l, |(_, r)| r)))
        .collect();
    if seqs.is_empty() {
        return;
    }
    let traps = check_batch("regressions", &seqs);
    eprintln!(
        "isa_diff: {} regressions, {traps} SIGILLs: all identical",
        seqs.len()
    );
}

/// The same seeds give the same blob (the fixed-seed campaign and regressions rely on it).
#[test]
fn generator_is_deterministic() {
    let a = build_blob(&seqs_for(7..9));
    let b = build_blob(&seqs_for(7..9));
    assert_eq!(a, b);
}

/// Open-ended campaign for `make fuzz-isa`: seeds `ISA_FUZZ_SEEDS=A-B` (inclusive; default
/// from 1_000_000 on) for at most `ISA_FUZZ_SECONDS` (default: 60 without a seed range,
/// unlimited with one).
#[test]
#[ignore = "open-ended; run by `make fuzz-isa`"]
fn fuzz() {
    let (mut s, end) = match std::env::var("ISA_FUZZ_SEEDS") {
        Ok(r) if !r.is_empty() => {
            let (a, b) = r.split_once('-').unwrap_or((&r, &r));
            (a.parse::<u64>().unwrap(), b.parse::<u64>().unwrap() + 1)
        }
        _ => (1_000_000, u64::MAX),
    };
    // A seed range alone runs to its end; otherwise the budget defaults to a minute.
    let default_secs = if end == u64::MAX { 60 } else { u64::MAX };
    let secs = std::env::var("ISA_FUZZ_SECONDS")
        .ok()
        .filter(|v| !v.is_empty())
        .map_or(default_secs, |v| v.parse().unwrap());
    let deadline = Instant::now().checked_add(Duration::from_secs(secs));
    let start = s;
    let mut traps = 0;
    while s < end && deadline.is_none_or(|d| Instant::now() < d) {
        let e = (s + BATCH as u64).min(end);
        traps += check_batch(&format!("seeds {s}..{e}"), &seqs_for(s..e));
        s = e;
    }
    eprintln!(
        "isa_diff fuzz: seeds {start}..{s} ({} sequences, {traps} SIGILLs) all match",
        s - start
    );
}
