//! The decoded-instruction representation the interpreter executes.
//!
//! One [`Insn`] is 16 bytes: an operation byte, register fields, a rounding-mode byte, the
//! instruction's offset inside its block and one 64-bit immediate. Everything the decoder can
//! work out ahead of time is folded in: `lui`/`auipc` become [`Op::Li`] with the final value,
//! branch and jump targets are absolute, and an integer destination of `x0` is redirected to
//! the sink slot [`X_SINK`] so the interpreter never tests for `rd == 0`.

/// Index of the register-file slot that takes writes aimed at `x0` (never read).
pub const X_SINK: u8 = 32;

/// `rm` value meaning "use `frm`" (the dynamic rounding mode).
pub const RM_DYN: u8 = 7;

/// One decoded instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Insn {
    /// What to do.
    pub op: Op,
    /// Destination register (integer destinations of x0 are [`X_SINK`]).
    pub rd: u8,
    /// First source register; the 5-bit immediate of `csrr*i`.
    pub rs1: u8,
    /// Second source register.
    pub rs2: u8,
    /// Third source register (fused multiply-add).
    pub rs3: u8,
    /// Rounding mode: 0..=4 static, [`RM_DYN`] dynamic. 0 for instructions without one.
    pub rm: u8,
    /// Byte offset of this instruction from the start of its block.
    pub pc_off: u16,
    /// Immediate: the value for [`Op::Li`], the absolute target of branches and `jal`, the
    /// offset of loads, stores and `jalr`, the CSR number, the raw bits of [`Op::Illegal`].
    pub imm: i64,
}

// The interpreter streams through these; keep them at 16 bytes.
const _: () = assert!(std::mem::size_of::<Insn>() == 16);

impl Insn {
    /// An instruction with only an operation and immediate; other fields zero.
    pub const fn new(op: Op, rd: u8, rs1: u8, rs2: u8, imm: i64) -> Insn {
        Insn {
            op,
            rd,
            rs1,
            rs2,
            rs3: 0,
            rm: 0,
            pc_off: 0,
            imm,
        }
    }

    /// The illegal instruction whose raw encoding is `raw`.
    pub const fn illegal(raw: u32) -> Insn {
        Insn::new(Op::Illegal, 0, 0, 0, raw as i64)
    }
}

/// Decoded operations. Names follow the ISA mnemonics; `W`/`D` suffixes on atomics and `S`/`D`
/// on floating point name the operand width.
#[allow(missing_docs)]
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    // ---- RV64I ----
    /// `rd = imm` (lui, auipc and `addi rd, x0, imm` after decoding).
    Li,
    Addi,
    Slti,
    Sltiu,
    Xori,
    Ori,
    Andi,
    Slli,
    Srli,
    Srai,
    Addiw,
    Slliw,
    Srliw,
    Sraiw,
    Add,
    Sub,
    Sll,
    Slt,
    Sltu,
    Xor,
    Srl,
    Sra,
    Or,
    And,
    Addw,
    Subw,
    Sllw,
    Srlw,
    Sraw,
    Lb,
    Lh,
    Lw,
    Ld,
    Lbu,
    Lhu,
    Lwu,
    Sb,
    Sh,
    Sw,
    Sd,
    Beq,
    Bne,
    Blt,
    Bge,
    Bltu,
    Bgeu,
    Jal,
    Jalr,
    /// fence, pause and every hint: no architectural effect in a single-hart-at-a-time model.
    Nop,
    FenceI,
    Ecall,
    Ebreak,
    /// Not a valid instruction; `imm` holds the raw bits.
    Illegal,
    // ---- M ----
    Mul,
    Mulh,
    Mulhsu,
    Mulhu,
    Div,
    Divu,
    Rem,
    Remu,
    Mulw,
    Divw,
    Divuw,
    Remw,
    Remuw,
    // ---- Zicsr (imm = CSR number; the *i forms take their value from rs1) ----
    Csrrw,
    Csrrs,
    Csrrc,
    Csrrwi,
    Csrrsi,
    Csrrci,
    // ---- A ----
    LrW,
    ScW,
    AmoswapW,
    AmoaddW,
    AmoxorW,
    AmoandW,
    AmoorW,
    AmominW,
    AmomaxW,
    AmominuW,
    AmomaxuW,
    LrD,
    ScD,
    AmoswapD,
    AmoaddD,
    AmoxorD,
    AmoandD,
    AmoorD,
    AmominD,
    AmomaxD,
    AmominuD,
    AmomaxuD,
    // ---- F ----
    Flw,
    Fsw,
    FaddS,
    FsubS,
    FmulS,
    FdivS,
    FsqrtS,
    FminS,
    FmaxS,
    FmaddS,
    FmsubS,
    FnmsubS,
    FnmaddS,
    FsgnjS,
    FsgnjnS,
    FsgnjxS,
    FeqS,
    FltS,
    FleS,
    FclassS,
    FmvXW,
    FmvWX,
    FcvtWS,
    FcvtWuS,
    FcvtLS,
    FcvtLuS,
    FcvtSW,
    FcvtSWu,
    FcvtSL,
    FcvtSLu,
    // ---- D ----
    Fld,
    Fsd,
    FaddD,
    FsubD,
    FmulD,
    FdivD,
    FsqrtD,
    FminD,
    FmaxD,
    FmaddD,
    FmsubD,
    FnmsubD,
    FnmaddD,
    FsgnjD,
    FsgnjnD,
    FsgnjxD,
    FeqD,
    FltD,
    FleD,
    FclassD,
    FmvXD,
    FmvDX,
    FcvtWD,
    FcvtWuD,
    FcvtLD,
    FcvtLuD,
    FcvtDW,
    FcvtDWu,
    FcvtDL,
    FcvtDLu,
    FcvtSD,
    FcvtDS,
    // ---- Zba (shNadd* add a shifted rs1 to rs2; `.uw` zero-extends rs1's low word) ----
    AddUw,
    Sh1add,
    Sh2add,
    Sh3add,
    Sh1addUw,
    Sh2addUw,
    Sh3addUw,
    /// `imm` = shift amount.
    SlliUw,
    // ---- Zbb ----
    Andn,
    Orn,
    Xnor,
    Clz,
    Clzw,
    Ctz,
    Ctzw,
    Cpop,
    Cpopw,
    Max,
    Maxu,
    Min,
    Minu,
    SextB,
    SextH,
    ZextH,
    Rol,
    Rolw,
    Ror,
    Rorw,
    /// `imm` = rotate amount (as for `roriw`).
    Rori,
    Roriw,
    OrcB,
    Rev8,
    // ---- Zbs (the `*i` forms take the bit index from `imm`) ----
    Bclr,
    Bclri,
    Bext,
    Bexti,
    Binv,
    Binvi,
    Bset,
    Bseti,
    // ---- Zicond ----
    CzeroEqz,
    CzeroNez,
}

impl Op {
    /// True for instructions after which a block must end: unconditional control transfers,
    /// traps to the kernel, `fence.i` and illegal encodings. Conditional branches do not end a
    /// block (a taken branch leaves it early).
    pub const fn ends_block(self) -> bool {
        matches!(
            self,
            Op::Jal | Op::Jalr | Op::Ecall | Op::Ebreak | Op::FenceI | Op::Illegal
        )
    }
}
