//! Text for instructions: mnemonic, operands and a coarse class, for trace dumps and
//! instruction-mix statistics. Built on the decoder, so it names exactly what rvrun executes:
//! compressed instructions appear as their 32-bit expansions, hints as `nop`.

use super::compressed;
use super::decode::decode;
use super::insn::{Insn, Op, X_SINK};
use super::observe::writes_f;
use std::fmt;

/// One instruction as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disassembly {
    /// The ISA mnemonic (`addi`, `amoswap.w`, `fcvt.d.l`).
    pub mnemonic: String,
    /// The operands, assembler style (`a0, 16(sp)`); branch and jump targets are absolute.
    pub operands: String,
    /// What kind of instruction it is (see [`class_of`]).
    pub class: &'static str,
}

impl fmt::Display for Disassembly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.operands.is_empty() {
            f.write_str(&self.mnemonic)
        } else {
            write!(f, "{} {}", self.mnemonic, self.operands)
        }
    }
}

/// ABI name of integer register `i` (the x0 write sink is `zero` too).
pub fn x_name(i: u8) -> &'static str {
    const NAMES: [&str; 32] = [
        "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4",
        "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
        "t5", "t6",
    ];
    NAMES.get(i as usize).copied().unwrap_or("zero")
}

/// ABI name of floating-point register `i`.
pub fn f_name(i: u8) -> &'static str {
    const NAMES: [&str; 32] = [
        "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1", "fa2",
        "fa3", "fa4", "fa5", "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9",
        "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
    ];
    NAMES[i as usize & 31]
}

/// Disassembles `raw` (a 32-bit instruction, or a 16-bit parcel in the low half) at `pc`.
pub fn disassemble(raw: u32, pc: u64) -> Disassembly {
    let insn = decode(raw, pc);
    let wide = if raw & 3 == 3 {
        Some(raw)
    } else {
        compressed::expand(raw as u16).ok()
    };
    let mnemonic = mnemonic_of(&insn, wide);
    let operands = if insn.op == Op::Illegal {
        format!("0x{:x}", insn.imm as u32)
    } else {
        operands_of(&insn, wide)
    };
    Disassembly {
        mnemonic,
        operands,
        class: class_of(insn.op),
    }
}

/// The mnemonic: the operation's name split at its capitals (`FcvtSWu` is `fcvt.s.wu`), with
/// `lui`, `auipc` and `fence` told apart from what they decode to.
fn mnemonic_of(insn: &Insn, wide: Option<u32>) -> String {
    let opcode = wide.map_or(0, |w| w & 0x7f);
    match (insn.op, opcode) {
        (Op::Li, 0x37) => return "lui".into(),
        (Op::Li, 0x17) => return "auipc".into(),
        (Op::Nop, 0x0f) => return "fence".into(),
        _ => {}
    }
    let name = format!("{:?}", insn.op);
    let mut out = String::with_capacity(name.len() + 2);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('.');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

fn operands_of(insn: &Insn, wide: Option<u32>) -> String {
    use Op::*;
    let op = insn.op;
    let rd = if writes_f(op) {
        f_name(insn.rd)
    } else {
        x_name(insn.rd)
    };
    let rs1 = if reads_f_rs1(op) {
        f_name(insn.rs1)
    } else {
        x_name(insn.rs1)
    };
    let rs2 = if reads_f_rs2(op) {
        f_name(insn.rs2)
    } else {
        x_name(insn.rs2)
    };
    let imm = insn.imm;
    match op {
        Nop | FenceI | Ecall | Ebreak | Illegal => String::new(),
        Li => match wide.map(|w| (w & 0x7f, w >> 12)) {
            Some((0x37 | 0x17, upper)) => format!("{rd}, 0x{upper:x}"),
            _ => format!("{rd}, {imm}"),
        },
        Lb | Lh | Lw | Ld | Lbu | Lhu | Lwu | Flw | Fld | Jalr => format!("{rd}, {imm}({rs1})"),
        Sb | Sh | Sw | Sd | Fsw | Fsd => format!("{rs2}, {imm}({rs1})"),
        Beq | Bne | Blt | Bge | Bltu | Bgeu => format!("{rs1}, {rs2}, 0x{imm:x}"),
        Jal => format!("{rd}, 0x{imm:x}"),
        Csrrw | Csrrs | Csrrc => format!("{rd}, 0x{imm:x}, {rs1}"),
        Csrrwi | Csrrsi | Csrrci => format!("{rd}, 0x{imm:x}, {}", insn.rs1),
        LrW | LrD => format!("{rd}, ({rs1})"),
        ScW | ScD => format!("{rd}, {rs2}, ({rs1})"),
        FmaddS | FmsubS | FnmsubS | FnmaddS | FmaddD | FmsubD | FnmsubD | FnmaddD => {
            format!("{rd}, {rs1}, {rs2}, {}", f_name(insn.rs3))
        }
        op if is_amo(op) => format!("{rd}, {rs2}, ({rs1})"),
        op if has_imm(op) => format!("{rd}, {rs1}, {imm}"),
        op if is_unary(op) => format!("{rd}, {rs1}"),
        _ => format!("{rd}, {rs1}, {rs2}"),
    }
}

/// The class of an operation, for instruction-mix statistics: `int`, `muldiv`, `load`,
/// `store`, `branch`, `jump`, `atomic`, `fp-load`, `fp-store`, `fp`, `csr`, `system` or
/// `illegal`.
pub fn class_of(op: Op) -> &'static str {
    use Op::*;
    match op {
        Lb | Lh | Lw | Ld | Lbu | Lhu | Lwu => "load",
        Sb | Sh | Sw | Sd => "store",
        Flw | Fld => "fp-load",
        Fsw | Fsd => "fp-store",
        Beq | Bne | Blt | Bge | Bltu | Bgeu => "branch",
        Jal | Jalr => "jump",
        Mul | Mulh | Mulhsu | Mulhu | Div | Divu | Rem | Remu | Mulw | Divw | Divuw | Remw
        | Remuw => "muldiv",
        Csrrw | Csrrs | Csrrc | Csrrwi | Csrrsi | Csrrci => "csr",
        LrW | ScW | LrD | ScD => "atomic",
        Nop | FenceI | Ecall | Ebreak => "system",
        Illegal => "illegal",
        op if is_amo(op) => "atomic",
        op if is_fp(op) => "fp",
        _ => "int",
    }
}

fn is_fp(op: Op) -> bool {
    (Op::Flw as u8..=Op::FcvtDS as u8).contains(&(op as u8))
}

fn is_amo(op: Op) -> bool {
    (Op::AmoswapW as u8..=Op::AmomaxuD as u8).contains(&(op as u8))
        && !matches!(op, Op::LrD | Op::ScD)
}

/// FP operations whose rs1 is an FP register (not a base address or an integer source).
fn reads_f_rs1(op: Op) -> bool {
    use Op::*;
    is_fp(op)
        && !matches!(
            op,
            Flw | Fld
                | Fsw
                | Fsd
                | FmvWX
                | FmvDX
                | FcvtSW
                | FcvtSWu
                | FcvtSL
                | FcvtSLu
                | FcvtDW
                | FcvtDWu
                | FcvtDL
                | FcvtDLu
        )
}

/// Operations whose rs2 is an FP register.
fn reads_f_rs2(op: Op) -> bool {
    is_fp(op) && !matches!(op, Op::Flw | Op::Fld)
}

/// Register-immediate operations (`rd, rs1, imm`).
fn has_imm(op: Op) -> bool {
    use Op::*;
    matches!(
        op,
        Addi | Slti
            | Sltiu
            | Xori
            | Ori
            | Andi
            | Slli
            | Srli
            | Srai
            | Addiw
            | Slliw
            | Srliw
            | Sraiw
            | SlliUw
            | Rori
            | Roriw
            | Bclri
            | Bexti
            | Binvi
            | Bseti
    )
}

/// One-source operations (`rd, rs1`).
fn is_unary(op: Op) -> bool {
    use Op::*;
    matches!(
        op,
        FsqrtS
            | FsqrtD
            | FclassS
            | FclassD
            | FmvXW
            | FmvWX
            | FmvXD
            | FmvDX
            | FcvtWS
            | FcvtWuS
            | FcvtLS
            | FcvtLuS
            | FcvtSW
            | FcvtSWu
            | FcvtSL
            | FcvtSLu
            | FcvtWD
            | FcvtWuD
            | FcvtLD
            | FcvtLuD
            | FcvtDW
            | FcvtDWu
            | FcvtDL
            | FcvtDLu
            | FcvtSD
            | FcvtDS
            | Clz
            | Clzw
            | Ctz
            | Ctzw
            | Cpop
            | Cpopw
            | SextB
            | SextH
            | ZextH
            | OrcB
            | Rev8
    )
}

// The x0 write sink must print as `zero`.
const _: () = assert!(X_SINK == 32);

#[cfg(test)]
mod tests {
    use super::*;

    fn dis(raw: u32, pc: u64) -> String {
        disassemble(raw, pc).to_string()
    }

    #[test]
    fn common_instructions() {
        assert_eq!(dis(0x0000_0517, 0x1000), "auipc a0, 0x0");
        assert_eq!(dis(0x0000_1537, 0), "lui a0, 0x1");
        assert_eq!(dis(0x0101_3503, 0), "ld a0, 16(sp)");
        assert_eq!(dis(0x00b1_3423, 0), "sd a1, 8(sp)");
        assert_eq!(dis(0xfe05_0ee3, 0x1000), "beq a0, zero, 0xffc");
        assert_eq!(dis(0x0000_0073, 0), "ecall");
        assert_eq!(dis(0x02a0_0893, 0), "li a7, 42");
        assert_eq!(dis(0x00b5_0533, 0), "add a0, a0, a1");
        assert_eq!(dis(0x0000_8067, 0), "jalr zero, 0(ra)");
        // c.addi a0, 1 expands to addi a0, a0, 1.
        assert_eq!(dis(0x0505, 0), "addi a0, a0, 1");
        assert_eq!(disassemble(0x0505, 0).class, "int");
    }

    #[test]
    fn extension_mnemonics() {
        // amoadd.w a0, a1, (a2)
        assert_eq!(dis(0x00b6_252f, 0), "amoadd.w a0, a1, (a2)");
        // fcvt.d.l fa0, a0
        assert_eq!(dis(0xd225_7553, 0), "fcvt.d.l fa0, a0");
        // fadd.d fa0, fa1, fa2 (rm = dyn)
        assert_eq!(dis(0x02c5_f553, 0), "fadd.d fa0, fa1, fa2");
        // lr.d a0, (a1)
        assert_eq!(dis(0x1005_b52f, 0), "lr.d a0, (a1)");
        assert_eq!(disassemble(0x1005_b52f, 0).class, "atomic");
        assert_eq!(disassemble(0x0000_0000, 0).mnemonic, "illegal");
    }
}
