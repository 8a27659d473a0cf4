//! RV64C: expansion of a 16-bit parcel into the equivalent 32-bit instruction, as the ISA
//! manual defines every compressed instruction. The 32-bit decoder then does the rest, so
//! both forms share one set of semantics.
//!
//! Reserved encodings (c.addi4spn with a zero immediate, c.lui/c.addi16sp with a zero
//! immediate, c.lwsp/c.ldsp to x0, c.jr with x0, c.addiw to x0, the reserved quadrant slots)
//! are errors. HINT encodings expand to their base instruction with rd = x0 or a zero
//! shift/immediate, which is a no-op.

/// `bits(c, hi, lo)`: the field `c[hi:lo]`.
const fn bits(c: u32, hi: u32, lo: u32) -> u32 {
    (c >> lo) & ((1 << (hi - lo + 1)) - 1)
}

/// Sign-extends the low `n` bits of `v`.
const fn sext(v: u32, n: u32) -> i32 {
    ((v << (32 - n)) as i32) >> (32 - n)
}

/// A "prime" register field (3 bits naming x8..x15 / f8..f15).
const fn creg(field: u32) -> u32 {
    field + 8
}

const fn enc_r(opcode: u32, rd: u32, f3: u32, rs1: u32, rs2: u32, f7: u32) -> u32 {
    (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opcode
}

const fn enc_i(opcode: u32, rd: u32, f3: u32, rs1: u32, imm: i32) -> u32 {
    (((imm as u32) & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opcode
}

const fn enc_s(opcode: u32, f3: u32, rs1: u32, rs2: u32, imm: i32) -> u32 {
    let imm = imm as u32;
    (((imm >> 5) & 0x7f) << 25)
        | (rs2 << 20)
        | (rs1 << 15)
        | (f3 << 12)
        | ((imm & 0x1f) << 7)
        | opcode
}

const fn enc_b(f3: u32, rs1: u32, rs2: u32, imm: i32) -> u32 {
    let imm = imm as u32;
    (((imm >> 12) & 1) << 31)
        | (((imm >> 5) & 0x3f) << 25)
        | (rs2 << 20)
        | (rs1 << 15)
        | (f3 << 12)
        | (((imm >> 1) & 0xf) << 8)
        | (((imm >> 11) & 1) << 7)
        | 0x63
}

const fn enc_j(rd: u32, imm: i32) -> u32 {
    let imm = imm as u32;
    (((imm >> 20) & 1) << 31)
        | (((imm >> 1) & 0x3ff) << 21)
        | (((imm >> 11) & 1) << 20)
        | (((imm >> 12) & 0xff) << 12)
        | (rd << 7)
        | 0x6f
}

const OP_IMM: u32 = 0x13;
const OP_IMM_32: u32 = 0x1b;
const OP: u32 = 0x33;
const OP_32: u32 = 0x3b;
const LOAD: u32 = 0x03;
const STORE: u32 = 0x23;
const LOAD_FP: u32 = 0x07;
const STORE_FP: u32 = 0x27;
const JALR: u32 = 0x67;

/// Expands the compressed instruction `c` (its low two bits are not `11`) into the 32-bit
/// instruction it stands for, or says why it is reserved.
pub fn expand(c: u16) -> Result<u32, &'static str> {
    let c = c as u32;
    let f3 = bits(c, 15, 13);
    // Fields shared by several formats.
    let rd_full = bits(c, 11, 7);
    let rs2_full = bits(c, 6, 2);
    let rdp = creg(bits(c, 4, 2)); // rd' / rs2' in CIW, CL, CS formats
    let rs1p = creg(bits(c, 9, 7)); // rs1' / rd' in CL, CS, CB, CA formats
    let imm6 = sext((bits(c, 12, 12) << 5) | bits(c, 6, 2), 6);
    let shamt6 = (bits(c, 12, 12) << 5) | bits(c, 6, 2);
    match (c & 3, f3) {
        // ---- quadrant 0 ----
        (0, 0) => {
            let imm = (bits(c, 12, 11) << 4)
                | (bits(c, 10, 7) << 6)
                | (bits(c, 6, 6) << 2)
                | (bits(c, 5, 5) << 3);
            if imm == 0 {
                return Err("c.addi4spn with zero immediate (includes the all-zero parcel)");
            }
            Ok(enc_i(OP_IMM, rdp, 0, 2, imm as i32))
        }
        (0, 1) => Ok(enc_i(LOAD_FP, rdp, 3, rs1p, cl_d_offset(c))),
        (0, 2) => Ok(enc_i(LOAD, rdp, 2, rs1p, cl_w_offset(c))),
        (0, 3) => Ok(enc_i(LOAD, rdp, 3, rs1p, cl_d_offset(c))),
        (0, 4) => Err("reserved compressed encoding (quadrant 0, funct3 100)"),
        (0, 5) => Ok(enc_s(STORE_FP, 3, rs1p, rdp, cl_d_offset(c))),
        (0, 6) => Ok(enc_s(STORE, 2, rs1p, rdp, cl_w_offset(c))),
        (0, 7) => Ok(enc_s(STORE, 3, rs1p, rdp, cl_d_offset(c))),
        // ---- quadrant 1 ----
        (1, 0) => Ok(enc_i(OP_IMM, rd_full, 0, rd_full, imm6)), // c.addi / c.nop / hints
        (1, 1) => {
            if rd_full == 0 {
                return Err("c.addiw with rd = x0");
            }
            Ok(enc_i(OP_IMM_32, rd_full, 0, rd_full, imm6))
        }
        (1, 2) => Ok(enc_i(OP_IMM, rd_full, 0, 0, imm6)), // c.li
        (1, 3) => {
            if bits(c, 12, 12) == 0 && bits(c, 6, 2) == 0 {
                return Err("c.lui/c.addi16sp with zero immediate");
            }
            if rd_full == 2 {
                let imm = (bits(c, 12, 12) << 9)
                    | (bits(c, 6, 6) << 4)
                    | (bits(c, 5, 5) << 6)
                    | (bits(c, 4, 3) << 7)
                    | (bits(c, 2, 2) << 5);
                Ok(enc_i(OP_IMM, 2, 0, 2, sext(imm, 10)))
            } else {
                // lui rd, imm6 << 12 (sign-extended from bit 17).
                Ok(((imm6 as u32) << 12) | (rd_full << 7) | 0x37)
            }
        }
        (1, 4) => match bits(c, 11, 10) {
            0 => Ok(enc_i(OP_IMM, rs1p, 5, rs1p, shamt6 as i32)),
            1 => Ok(enc_i(OP_IMM, rs1p, 5, rs1p, (0x400 | shamt6) as i32)),
            2 => Ok(enc_i(OP_IMM, rs1p, 7, rs1p, imm6)),
            _ => {
                let (word, f2) = (bits(c, 12, 12), bits(c, 6, 5));
                match (word, f2) {
                    (0, 0) => Ok(enc_r(OP, rs1p, 0, rs1p, rdp, 0x20)), // c.sub
                    (0, 1) => Ok(enc_r(OP, rs1p, 4, rs1p, rdp, 0)),    // c.xor
                    (0, 2) => Ok(enc_r(OP, rs1p, 6, rs1p, rdp, 0)),    // c.or
                    (0, 3) => Ok(enc_r(OP, rs1p, 7, rs1p, rdp, 0)),    // c.and
                    (1, 0) => Ok(enc_r(OP_32, rs1p, 0, rs1p, rdp, 0x20)), // c.subw
                    (1, 1) => Ok(enc_r(OP_32, rs1p, 0, rs1p, rdp, 0)), // c.addw
                    _ => Err("reserved compressed arithmetic encoding"),
                }
            }
        },
        (1, 5) => {
            let imm = (bits(c, 12, 12) << 11)
                | (bits(c, 11, 11) << 4)
                | (bits(c, 10, 9) << 8)
                | (bits(c, 8, 8) << 10)
                | (bits(c, 7, 7) << 6)
                | (bits(c, 6, 6) << 7)
                | (bits(c, 5, 3) << 1)
                | (bits(c, 2, 2) << 5);
            Ok(enc_j(0, sext(imm, 12)))
        }
        (1, 6) | (1, 7) => {
            let imm = (bits(c, 12, 12) << 8)
                | (bits(c, 11, 10) << 3)
                | (bits(c, 6, 5) << 6)
                | (bits(c, 4, 3) << 1)
                | (bits(c, 2, 2) << 5);
            Ok(enc_b(f3 - 6, rs1p, 0, sext(imm, 9)))
        }
        // ---- quadrant 2 ----
        (2, 0) => Ok(enc_i(OP_IMM, rd_full, 1, rd_full, shamt6 as i32)), // c.slli
        (2, 1) => Ok(enc_i(LOAD_FP, rd_full, 3, 2, sp_d_load_offset(c))),
        (2, 2) => {
            if rd_full == 0 {
                return Err("c.lwsp with rd = x0");
            }
            let imm = (bits(c, 12, 12) << 5) | (bits(c, 6, 4) << 2) | (bits(c, 3, 2) << 6);
            Ok(enc_i(LOAD, rd_full, 2, 2, imm as i32))
        }
        (2, 3) => {
            if rd_full == 0 {
                return Err("c.ldsp with rd = x0");
            }
            Ok(enc_i(LOAD, rd_full, 3, 2, sp_d_load_offset(c)))
        }
        (2, 4) => match (bits(c, 12, 12), rd_full, rs2_full) {
            (0, 0, 0) => Err("c.jr with rs1 = x0"),
            (0, rs1, 0) => Ok(enc_i(JALR, 0, 0, rs1, 0)), // c.jr
            (0, rd, rs2) => Ok(enc_r(OP, rd, 0, 0, rs2, 0)), // c.mv
            (_, 0, 0) => Ok(0x0010_0073),                 // c.ebreak
            (_, rs1, 0) => Ok(enc_i(JALR, 1, 0, rs1, 0)), // c.jalr
            (_, rd, rs2) => Ok(enc_r(OP, rd, 0, rd, rs2, 0)), // c.add
        },
        (2, 5) => Ok(enc_s(STORE_FP, 3, 2, rs2_full, sp_d_store_offset(c))),
        (2, 6) => {
            let imm = (bits(c, 12, 9) << 2) | (bits(c, 8, 7) << 6);
            Ok(enc_s(STORE, 2, 2, rs2_full, imm as i32))
        }
        (2, 7) => Ok(enc_s(STORE, 3, 2, rs2_full, sp_d_store_offset(c))),
        _ => Err("not a compressed instruction"),
    }
}

/// Offset of c.lw / c.sw: uimm[5:3] = c[12:10], uimm[2] = c[6], uimm[6] = c[5].
const fn cl_w_offset(c: u32) -> i32 {
    ((bits(c, 12, 10) << 3) | (bits(c, 6, 6) << 2) | (bits(c, 5, 5) << 6)) as i32
}

/// Offset of c.ld / c.sd / c.fld / c.fsd: uimm[5:3] = c[12:10], uimm[7:6] = c[6:5].
const fn cl_d_offset(c: u32) -> i32 {
    ((bits(c, 12, 10) << 3) | (bits(c, 6, 5) << 6)) as i32
}

/// Offset of c.ldsp / c.fldsp: uimm[5] = c[12], uimm[4:3] = c[6:5], uimm[8:6] = c[4:2].
const fn sp_d_load_offset(c: u32) -> i32 {
    ((bits(c, 12, 12) << 5) | (bits(c, 6, 5) << 3) | (bits(c, 4, 2) << 6)) as i32
}

/// Offset of c.sdsp / c.fsdsp: uimm[5:3] = c[12:10], uimm[8:6] = c[9:7].
const fn sp_d_store_offset(c: u32) -> i32 {
    ((bits(c, 12, 10) << 3) | (bits(c, 9, 7) << 6)) as i32
}
