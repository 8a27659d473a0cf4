//! Decoder: one raw instruction (32-bit, or a 16-bit parcel via [`super::compressed`]) at a
//! known pc into an [`Insn`]. Runs once per instruction per decode-cache fill, so clarity wins
//! over speed here.
//!
//! Every encoding outside RV64IMAFDC + Zicsr + Zifencei + Zba + Zbb + Zbs + Zicond decodes to
//! [`Op::Illegal`]; the reason is available through [`decode_checked`] for error messages.
//! Hints (`pause`, the Zicbop prefetches, which are `ori x0, ...`, and other writes to x0)
//! decode to [`Op::Nop`].

use super::compressed;
use super::csr;
use super::insn::{Insn, Op, RM_DYN, X_SINK};

/// Result of decoding: the instruction, or why the encoding is illegal.
pub type Decoded = Result<Insn, &'static str>;

/// Decodes the instruction `raw` found at `pc`: a 32-bit instruction, or a 16-bit parcel in the
/// low half when its low two bits are not `11`. Illegal encodings give [`Op::Illegal`] carrying
/// the raw bits.
pub fn decode(raw: u32, pc: u64) -> Insn {
    decode_checked(raw, pc).unwrap_or_else(|_| Insn::illegal(raw_bits(raw)))
}

/// The raw bits an illegal-instruction report should show: the parcel alone for a 16-bit
/// instruction.
fn raw_bits(raw: u32) -> u32 {
    if raw & 3 == 3 { raw } else { raw & 0xffff }
}

/// Length in bytes of the instruction whose first parcel is `lo`.
pub const fn insn_len(lo: u16) -> u64 {
    if lo & 3 == 3 { 4 } else { 2 }
}

/// Like [`decode`], but says why an encoding is illegal.
pub fn decode_checked(raw: u32, pc: u64) -> Decoded {
    if raw & 3 != 3 {
        let c = raw as u16;
        let wide = compressed::expand(c)?;
        return decode32(wide, pc);
    }
    decode32(raw, pc)
}

/// A human-readable reason why `raw` (a 32-bit instruction, or a 16-bit parcel in the low
/// half) is an illegal instruction, for the kernel's "stopped at" message.
pub fn describe_illegal(raw: u32) -> String {
    let (kind, width) = if raw & 3 == 3 {
        ("instruction", 8)
    } else {
        ("compressed instruction", 4)
    };
    match decode_checked(raw, 0) {
        Err(why) => format!("illegal {kind} 0x{raw:0width$x}: {why}"),
        Ok(i) if i.rm == RM_DYN => {
            format!("illegal {kind} 0x{raw:0width$x}: dynamic rounding mode while frm is invalid")
        }
        Ok(_) => format!("illegal {kind} 0x{raw:0width$x}"),
    }
}

/// Integer destination register: x0 becomes the write sink.
const fn xd(r: u32) -> u8 {
    if r == 0 { X_SINK } else { r as u8 }
}

const fn rd(raw: u32) -> u32 {
    (raw >> 7) & 31
}
const fn rs1(raw: u32) -> u32 {
    (raw >> 15) & 31
}
const fn rs2(raw: u32) -> u32 {
    (raw >> 20) & 31
}
const fn rs3(raw: u32) -> u32 {
    raw >> 27
}
const fn funct3(raw: u32) -> u32 {
    (raw >> 12) & 7
}
const fn funct7(raw: u32) -> u32 {
    raw >> 25
}
const fn imm_i(raw: u32) -> i64 {
    (raw as i32 >> 20) as i64
}
const fn imm_s(raw: u32) -> i64 {
    (((raw as i32 >> 25) << 5) | ((raw >> 7) & 0x1f) as i32) as i64
}
const fn imm_b(raw: u32) -> i64 {
    let v = ((raw as i32 >> 31) << 12) as u32
        | ((raw >> 7) & 1) << 11
        | ((raw >> 25) & 0x3f) << 5
        | ((raw >> 8) & 0xf) << 1;
    v as i32 as i64
}
const fn imm_u(raw: u32) -> i64 {
    (raw & 0xffff_f000) as i32 as i64
}
const fn imm_j(raw: u32) -> i64 {
    let v = ((raw as i32 >> 31) << 20) as u32
        | ((raw >> 12) & 0xff) << 12
        | ((raw >> 20) & 1) << 11
        | ((raw >> 21) & 0x3ff) << 1;
    v as i32 as i64
}

/// Integer register-register or register-immediate op writing `rd`; writes to x0 (hints and
/// nops) have no effect at all, so they become [`Op::Nop`].
fn int_op(op: Op, raw: u32, rs2: u32, imm: i64) -> Insn {
    if rd(raw) == 0 {
        return Insn::new(Op::Nop, 0, 0, 0, 0);
    }
    Insn::new(op, rd(raw) as u8, rs1(raw) as u8, rs2 as u8, imm)
}

/// Instruction with an integer destination that must still execute when rd is x0 (loads can
/// fault, CSR and atomic ops have side effects, FP compares raise flags).
fn xop(op: Op, raw: u32, imm: i64) -> Insn {
    Insn::new(op, xd(rd(raw)), rs1(raw) as u8, rs2(raw) as u8, imm)
}

/// Instruction whose operands and destination are all taken verbatim (FP destinations, stores,
/// branches).
fn plain(op: Op, raw: u32, imm: i64) -> Insn {
    Insn::new(op, rd(raw) as u8, rs1(raw) as u8, rs2(raw) as u8, imm)
}

/// Checks a rounding-mode field: 0..=4 static, 7 dynamic, 5 and 6 reserved.
fn rounding(raw: u32) -> Result<u8, &'static str> {
    match funct3(raw) {
        r @ 0..=4 => Ok(r as u8),
        7 => Ok(RM_DYN),
        _ => Err("reserved rounding mode"),
    }
}

/// FP op with a rounding mode.
fn fp_rm(op: Op, raw: u32, int_dest: bool) -> Decoded {
    let mut i = if int_dest {
        xop(op, raw, 0)
    } else {
        plain(op, raw, 0)
    };
    i.rm = rounding(raw)?;
    Ok(i)
}

/// Decodes a 32-bit instruction.
pub fn decode32(raw: u32, pc: u64) -> Decoded {
    let f3 = funct3(raw);
    let f7 = funct7(raw);
    Ok(match raw & 0x7f {
        0x37 => {
            if rd(raw) == 0 {
                Insn::new(Op::Nop, 0, 0, 0, 0)
            } else {
                Insn::new(Op::Li, rd(raw) as u8, 0, 0, imm_u(raw))
            }
        }
        0x17 => {
            if rd(raw) == 0 {
                Insn::new(Op::Nop, 0, 0, 0, 0)
            } else {
                Insn::new(
                    Op::Li,
                    rd(raw) as u8,
                    0,
                    0,
                    pc.wrapping_add(imm_u(raw) as u64) as i64,
                )
            }
        }
        0x6f => xop(Op::Jal, raw, pc.wrapping_add(imm_j(raw) as u64) as i64),
        0x67 => match f3 {
            0 => xop(Op::Jalr, raw, imm_i(raw)),
            _ => return Err("jalr with nonzero funct3"),
        },
        0x63 => {
            let op = match f3 {
                0 => Op::Beq,
                1 => Op::Bne,
                4 => Op::Blt,
                5 => Op::Bge,
                6 => Op::Bltu,
                7 => Op::Bgeu,
                _ => return Err("reserved branch funct3"),
            };
            plain(op, raw, pc.wrapping_add(imm_b(raw) as u64) as i64)
        }
        0x03 => {
            let op = match f3 {
                0 => Op::Lb,
                1 => Op::Lh,
                2 => Op::Lw,
                3 => Op::Ld,
                4 => Op::Lbu,
                5 => Op::Lhu,
                6 => Op::Lwu,
                _ => return Err("reserved load width"),
            };
            xop(op, raw, imm_i(raw))
        }
        0x23 => {
            let op = match f3 {
                0 => Op::Sb,
                1 => Op::Sh,
                2 => Op::Sw,
                3 => Op::Sd,
                _ => return Err("reserved store width"),
            };
            plain(op, raw, imm_s(raw))
        }
        0x13 => {
            let imm = imm_i(raw);
            match f3 {
                0 if rs1(raw) == 0 => int_op(Op::Li, raw, 0, imm),
                0 => int_op(Op::Addi, raw, 0, imm),
                2 => int_op(Op::Slti, raw, 0, imm),
                3 => int_op(Op::Sltiu, raw, 0, imm),
                4 => int_op(Op::Xori, raw, 0, imm),
                6 => int_op(Op::Ori, raw, 0, imm),
                7 => int_op(Op::Andi, raw, 0, imm),
                1 if raw >> 26 == 0 => int_op(Op::Slli, raw, 0, imm & 63),
                5 if raw >> 26 == 0 => int_op(Op::Srli, raw, 0, imm & 63),
                5 if raw >> 26 == 0x10 => int_op(Op::Srai, raw, 0, imm & 63),
                _ => return decode_bitmanip_imm(raw),
            }
        }
        0x1b => {
            let imm = imm_i(raw);
            match (f3, f7) {
                (0, _) => int_op(Op::Addiw, raw, 0, imm),
                (1, 0) => int_op(Op::Slliw, raw, 0, imm & 31),
                (5, 0) => int_op(Op::Srliw, raw, 0, imm & 31),
                (5, 0x20) => int_op(Op::Sraiw, raw, 0, imm & 31),
                // Zba slli.uw: imm[11:6] = 000010, 6-bit shift amount.
                (1, _) if raw >> 26 == 0x02 => int_op(Op::SlliUw, raw, 0, imm & 63),
                // Zbb clzw/ctzw/cpopw (rs2 field selects) and roriw.
                (1, 0x30) => match rs2(raw) {
                    0 => int_op(Op::Clzw, raw, 0, 0),
                    1 => int_op(Op::Ctzw, raw, 0, 0),
                    2 => int_op(Op::Cpopw, raw, 0, 0),
                    _ => return Err("reserved Zbb OP-IMM-32 encoding"),
                },
                (5, 0x30) => int_op(Op::Roriw, raw, 0, imm & 31),
                _ => return Err("reserved OP-IMM-32 encoding"),
            }
        }
        0x33 => {
            let op = match (f7, f3) {
                (0, 0) => Op::Add,
                (0x20, 0) => Op::Sub,
                (0, 1) => Op::Sll,
                (0, 2) => Op::Slt,
                (0, 3) => Op::Sltu,
                (0, 4) => Op::Xor,
                (0, 5) => Op::Srl,
                (0x20, 5) => Op::Sra,
                (0, 6) => Op::Or,
                (0, 7) => Op::And,
                (1, 0) => Op::Mul,
                (1, 1) => Op::Mulh,
                (1, 2) => Op::Mulhsu,
                (1, 3) => Op::Mulhu,
                (1, 4) => Op::Div,
                (1, 5) => Op::Divu,
                (1, 6) => Op::Rem,
                (1, 7) => Op::Remu,
                // Zba
                (0x10, 2) => Op::Sh1add,
                (0x10, 4) => Op::Sh2add,
                (0x10, 6) => Op::Sh3add,
                // Zbb
                (0x20, 7) => Op::Andn,
                (0x20, 6) => Op::Orn,
                (0x20, 4) => Op::Xnor,
                (0x05, 4) => Op::Min,
                (0x05, 5) => Op::Minu,
                (0x05, 6) => Op::Max,
                (0x05, 7) => Op::Maxu,
                (0x30, 1) => Op::Rol,
                (0x30, 5) => Op::Ror,
                // Zbs
                (0x24, 1) => Op::Bclr,
                (0x24, 5) => Op::Bext,
                (0x34, 1) => Op::Binv,
                (0x14, 1) => Op::Bset,
                // Zicond
                (0x07, 5) => Op::CzeroEqz,
                (0x07, 7) => Op::CzeroNez,
                _ => {
                    return Err(
                        "OP encoding outside RV64IM + Zba/Zbb/Zbs/Zicond (vector, crypto, ... are \
                         not supported)",
                    );
                }
            };
            int_op(op, raw, rs2(raw), 0)
        }
        0x3b => {
            let op = match (f7, f3) {
                (0, 0) => Op::Addw,
                (0x20, 0) => Op::Subw,
                (0, 1) => Op::Sllw,
                (0, 5) => Op::Srlw,
                (0x20, 5) => Op::Sraw,
                (1, 0) => Op::Mulw,
                (1, 4) => Op::Divw,
                (1, 5) => Op::Divuw,
                (1, 6) => Op::Remw,
                (1, 7) => Op::Remuw,
                (0x04, 0) => Op::AddUw,
                // zext.h is the rs2 = 0 case of the (RV32-only) pack encoding.
                (0x04, 4) if rs2(raw) == 0 => Op::ZextH,
                (0x10, 2) => Op::Sh1addUw,
                (0x10, 4) => Op::Sh2addUw,
                (0x10, 6) => Op::Sh3addUw,
                (0x30, 1) => Op::Rolw,
                (0x30, 5) => Op::Rorw,
                _ => return Err("OP-32 encoding outside RV64IM + Zba/Zbb"),
            };
            int_op(op, raw, rs2(raw), 0)
        }
        0x0f => match f3 {
            // fence (any fm/pred/succ, including pause and fence.tso) orders nothing here.
            0 => Insn::new(Op::Nop, 0, 0, 0, 0),
            1 => Insn::new(Op::FenceI, 0, 0, 0, 0),
            _ => return Err("reserved MISC-MEM encoding"),
        },
        0x73 => return decode_system(raw),
        0x2f => return decode_amo(raw),
        0x07 => match f3 {
            2 => plain(Op::Flw, raw, imm_i(raw)),
            3 => plain(Op::Fld, raw, imm_i(raw)),
            _ => return Err("unsupported FP load width"),
        },
        0x27 => match f3 {
            2 => plain(Op::Fsw, raw, imm_s(raw)),
            3 => plain(Op::Fsd, raw, imm_s(raw)),
            _ => return Err("unsupported FP store width"),
        },
        0x43 | 0x47 | 0x4b | 0x4f => {
            let double = match f7 & 3 {
                0 => false,
                1 => true,
                _ => return Err("unsupported FP format"),
            };
            let op = match (raw & 0x7f, double) {
                (0x43, false) => Op::FmaddS,
                (0x47, false) => Op::FmsubS,
                (0x4b, false) => Op::FnmsubS,
                (0x4f, false) => Op::FnmaddS,
                (0x43, true) => Op::FmaddD,
                (0x47, true) => Op::FmsubD,
                (0x4b, true) => Op::FnmsubD,
                _ => Op::FnmaddD,
            };
            let mut i = fp_rm(op, raw, false)?;
            i.rs3 = rs3(raw) as u8;
            i
        }
        0x53 => return decode_op_fp(raw),
        _ => {
            return Err(
                "unsupported major opcode (vector, custom or longer-than-32-bit encodings)",
            );
        }
    })
}

/// OP-IMM encodings beyond RV64I's shifts: the Zbb unary ops and `rori`, the Zbs `*i` ops.
/// `imm[11:6]` (bits 31:26) selects the family; the shift amount or bit index is 6 bits.
fn decode_bitmanip_imm(raw: u32) -> Decoded {
    let sh = (raw >> 20) as i64 & 63;
    Ok(match (funct3(raw), raw >> 26) {
        (1, 0x18) => match (raw >> 20) & 0x3f {
            0 => int_op(Op::Clz, raw, 0, 0),
            1 => int_op(Op::Ctz, raw, 0, 0),
            2 => int_op(Op::Cpop, raw, 0, 0),
            4 => int_op(Op::SextB, raw, 0, 0),
            5 => int_op(Op::SextH, raw, 0, 0),
            _ => return Err("reserved Zbb unary OP-IMM encoding"),
        },
        (5, 0x18) => int_op(Op::Rori, raw, 0, sh),
        // orc.b and rev8 (RV64) are single fixed imm[11:0] encodings.
        (5, _) if raw >> 20 == 0x287 => int_op(Op::OrcB, raw, 0, 0),
        (5, _) if raw >> 20 == 0x6b8 => int_op(Op::Rev8, raw, 0, 0),
        (1, 0x12) => int_op(Op::Bclri, raw, 0, sh),
        (5, 0x12) => int_op(Op::Bexti, raw, 0, sh),
        (1, 0x1a) => int_op(Op::Binvi, raw, 0, sh),
        (1, 0x0a) => int_op(Op::Bseti, raw, 0, sh),
        _ => return Err("OP-IMM encoding outside RV64I + Zbb/Zbs"),
    })
}

fn decode_system(raw: u32) -> Decoded {
    let f3 = funct3(raw);
    if f3 == 0 {
        return match raw {
            0x0000_0073 => Ok(Insn::new(Op::Ecall, 0, 0, 0, 0)),
            0x0010_0073 => Ok(Insn::new(Op::Ebreak, 0, 0, 0, 0)),
            _ => Err("privileged or reserved SYSTEM instruction"),
        };
    }
    let op = match f3 {
        1 => Op::Csrrw,
        2 => Op::Csrrs,
        3 => Op::Csrrc,
        5 => Op::Csrrwi,
        6 => Op::Csrrsi,
        7 => Op::Csrrci,
        _ => return Err("reserved SYSTEM funct3"),
    };
    let num = raw >> 20;
    // csrrw(i) always writes; csrrs/csrrc(i) write only when the source field is nonzero.
    let writes = matches!(op, Op::Csrrw | Op::Csrrwi) || rs1(raw) != 0;
    csr::check_access(num, writes)?;
    Ok(xop(op, raw, num as i64))
}

fn decode_amo(raw: u32) -> Decoded {
    let double = match funct3(raw) {
        2 => false,
        3 => true,
        _ => return Err("unsupported AMO width"),
    };
    use Op::*;
    let (w, d) = match raw >> 27 {
        0x02 if rs2(raw) != 0 => return Err("lr with nonzero rs2"),
        0x02 => (LrW, LrD),
        0x03 => (ScW, ScD),
        0x01 => (AmoswapW, AmoswapD),
        0x00 => (AmoaddW, AmoaddD),
        0x04 => (AmoxorW, AmoxorD),
        0x0c => (AmoandW, AmoandD),
        0x08 => (AmoorW, AmoorD),
        0x10 => (AmominW, AmominD),
        0x14 => (AmomaxW, AmomaxD),
        0x18 => (AmominuW, AmominuD),
        0x1c => (AmomaxuW, AmomaxuD),
        _ => return Err("unknown AMO"),
    };
    Ok(xop(if double { d } else { w }, raw, 0))
}

fn decode_op_fp(raw: u32) -> Decoded {
    use Op::*;
    let f3 = funct3(raw);
    let r2 = rs2(raw);
    // funct7 low two bits are the format: 0 = S, 1 = D (H and Q are not supported).
    let double = match funct7(raw) & 3 {
        0 => false,
        1 => true,
        _ => return Err("unsupported FP format"),
    };
    let pick = |s: Op, d: Op| if double { d } else { s };
    match funct7(raw) >> 2 {
        0x00 => fp_rm(pick(FaddS, FaddD), raw, false),
        0x01 => fp_rm(pick(FsubS, FsubD), raw, false),
        0x02 => fp_rm(pick(FmulS, FmulD), raw, false),
        0x03 => fp_rm(pick(FdivS, FdivD), raw, false),
        0x0b if r2 == 0 => fp_rm(pick(FsqrtS, FsqrtD), raw, false),
        0x04 => match f3 {
            0 => Ok(plain(pick(FsgnjS, FsgnjD), raw, 0)),
            1 => Ok(plain(pick(FsgnjnS, FsgnjnD), raw, 0)),
            2 => Ok(plain(pick(FsgnjxS, FsgnjxD), raw, 0)),
            _ => Err("reserved sign-injection funct3"),
        },
        0x05 => match f3 {
            0 => Ok(plain(pick(FminS, FminD), raw, 0)),
            1 => Ok(plain(pick(FmaxS, FmaxD), raw, 0)),
            _ => Err("reserved min/max funct3"),
        },
        // fcvt.s.d (funct7 0x20, rs2 = 1) and fcvt.d.s (funct7 0x21, rs2 = 0).
        0x08 if !double && r2 == 1 => fp_rm(FcvtSD, raw, false),
        0x08 if double && r2 == 0 => fp_rm(FcvtDS, raw, false),
        0x14 => match f3 {
            0 => Ok(xop(pick(FleS, FleD), raw, 0)),
            1 => Ok(xop(pick(FltS, FltD), raw, 0)),
            2 => Ok(xop(pick(FeqS, FeqD), raw, 0)),
            _ => Err("reserved FP compare funct3"),
        },
        0x18 => {
            let op = match r2 {
                0 => pick(FcvtWS, FcvtWD),
                1 => pick(FcvtWuS, FcvtWuD),
                2 => pick(FcvtLS, FcvtLD),
                3 => pick(FcvtLuS, FcvtLuD),
                _ => return Err("reserved FP-to-integer conversion"),
            };
            fp_rm(op, raw, true)
        }
        0x1a => {
            let op = match r2 {
                0 => pick(FcvtSW, FcvtDW),
                1 => pick(FcvtSWu, FcvtDWu),
                2 => pick(FcvtSL, FcvtDL),
                3 => pick(FcvtSLu, FcvtDLu),
                _ => return Err("reserved integer-to-FP conversion"),
            };
            fp_rm(op, raw, false)
        }
        0x1c if r2 == 0 && f3 == 0 => Ok(xop(pick(FmvXW, FmvXD), raw, 0)),
        0x1c if r2 == 0 && f3 == 1 => Ok(xop(pick(FclassS, FclassD), raw, 0)),
        0x1e if r2 == 0 && f3 == 0 => Ok(plain(pick(FmvWX, FmvDX), raw, 0)),
        _ => Err("unsupported OP-FP encoding"),
    }
}
