//! Small static riscv64 ELF files built in memory, and the few instruction encoders needed
//! to write their code.

/// Segment flag: executable (`PF_X`).
pub const PF_X: u32 = 1;
/// Segment flag: writable (`PF_W`).
pub const PF_W: u32 = 2;
/// Segment flag: readable (`PF_R`).
pub const PF_R: u32 = 4;

/// One `PT_LOAD` segment to build.
pub struct Segment {
    /// Page-aligned guest page the segment's data starts in (its exact address is this
    /// plus the data's file offset modulo the page size, see [`build`]).
    pub page: u64,
    /// `PF_*` flags.
    pub flags: u32,
    /// The file bytes.
    pub data: Vec<u8>,
    /// Extra zero bytes after `data` (bss).
    pub bss: u64,
}

const EHDR_SIZE: usize = 64;
const PHDR_SIZE: usize = 56;
const PAGE: u64 = 4096;

/// Builds an ET_EXEC riscv64 ELF with `segs` and the entry point `entry(addrs)`, where
/// `addrs[i]` is the guest address at which segment `i`'s data lands. The data of each
/// segment follows the previous one in the file (no page padding), so the address is its
/// `page` plus its file offset modulo 4096.
pub fn build(segs: &[Segment], entry: impl FnOnce(&[u64]) -> u64) -> Vec<u8> {
    let mut offset = (EHDR_SIZE + PHDR_SIZE * segs.len()) as u64;
    let mut placed = Vec::new();
    for s in segs {
        placed.push((offset, s.page + offset % PAGE));
        offset += s.data.len() as u64;
    }
    let addrs: Vec<u64> = placed.iter().map(|&(_, a)| a).collect();
    let entry = entry(&addrs);
    let mut out = Vec::new();
    // e_ident: magic, ELFCLASS64, ELFDATA2LSB, EV_CURRENT, ELFOSABI_NONE.
    out.extend_from_slice(b"\x7fELF\x02\x01\x01\x00");
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&2u16.to_le_bytes()); // e_type: ET_EXEC
    out.extend_from_slice(&243u16.to_le_bytes()); // e_machine: EM_RISCV
    out.extend_from_slice(&1u32.to_le_bytes()); // e_version
    out.extend_from_slice(&entry.to_le_bytes());
    out.extend_from_slice(&(EHDR_SIZE as u64).to_le_bytes()); // e_phoff
    out.extend_from_slice(&0u64.to_le_bytes()); // e_shoff
    out.extend_from_slice(&5u32.to_le_bytes()); // e_flags: RVC, double-float ABI
    out.extend_from_slice(&(EHDR_SIZE as u16).to_le_bytes());
    out.extend_from_slice(&(PHDR_SIZE as u16).to_le_bytes());
    out.extend_from_slice(&(segs.len() as u16).to_le_bytes());
    out.extend_from_slice(&64u16.to_le_bytes()); // e_shentsize
    out.extend_from_slice(&0u16.to_le_bytes()); // e_shnum
    out.extend_from_slice(&0u16.to_le_bytes()); // e_shstrndx
    for (s, &(off, addr)) in segs.iter().zip(&placed) {
        out.extend_from_slice(&1u32.to_le_bytes()); // PT_LOAD
        out.extend_from_slice(&s.flags.to_le_bytes());
        out.extend_from_slice(&off.to_le_bytes());
        out.extend_from_slice(&addr.to_le_bytes()); // p_vaddr
        out.extend_from_slice(&addr.to_le_bytes()); // p_paddr
        out.extend_from_slice(&(s.data.len() as u64).to_le_bytes());
        out.extend_from_slice(&(s.data.len() as u64 + s.bss).to_le_bytes());
        out.extend_from_slice(&PAGE.to_le_bytes());
    }
    for s in segs {
        out.extend_from_slice(&s.data);
    }
    out
}

/// Integer register numbers used by the builders.
pub mod reg {
    /// x0.
    pub const ZERO: u32 = 0;
    /// s0 (x8).
    pub const S0: u32 = 8;
    /// s1 (x9).
    pub const S1: u32 = 9;
    /// a0 (x10).
    pub const A0: u32 = 10;
    /// a1 (x11).
    pub const A1: u32 = 11;
    /// a7 (x17).
    pub const A7: u32 = 17;
}

/// Instruction encoders (RV64I base forms).
pub mod enc {
    fn i_type(op: u32, f3: u32, rd: u32, rs1: u32, imm: i32) -> u32 {
        ((imm as u32 & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op
    }

    /// `addi rd, rs1, imm` (imm in -2048..2048).
    pub fn addi(rd: u32, rs1: u32, imm: i32) -> u32 {
        i_type(0x13, 0, rd, rs1, imm)
    }

    /// `ld rd, imm(rs1)`.
    pub fn ld(rd: u32, rs1: u32, imm: i32) -> u32 {
        i_type(0x03, 3, rd, rs1, imm)
    }

    /// `sd rs2, imm(rs1)`.
    pub fn sd(rs2: u32, rs1: u32, imm: i32) -> u32 {
        let imm = imm as u32 & 0xfff;
        ((imm >> 5) << 25) | (rs2 << 20) | (rs1 << 15) | (3 << 12) | ((imm & 31) << 7) | 0x23
    }

    /// `lui rd, imm20`.
    pub fn lui(rd: u32, imm20: u32) -> u32 {
        ((imm20 & 0xfffff) << 12) | (rd << 7) | 0x37
    }

    /// `beq rs1, rs2, off` (off even, in -4096..4096).
    pub fn beq(rs1: u32, rs2: u32, off: i32) -> u32 {
        let o = off as u32;
        (((o >> 12) & 1) << 31)
            | (((o >> 5) & 0x3f) << 25)
            | (rs2 << 20)
            | (rs1 << 15)
            | (((o >> 1) & 0xf) << 8)
            | (((o >> 11) & 1) << 7)
            | 0x63
    }

    /// `jal rd, off` (off even, in -2^20..2^20).
    pub fn jal(rd: u32, off: i32) -> u32 {
        let o = off as u32;
        (((o >> 20) & 1) << 31)
            | (((o >> 1) & 0x3ff) << 21)
            | (((o >> 11) & 1) << 20)
            | (((o >> 12) & 0xff) << 12)
            | (rd << 7)
            | 0x6f
    }

    /// `ecall`.
    pub const ECALL: u32 = 0x73;

    /// `li rd, v` for a `v` that fits in 32 signed bits: `lui` then `addi`.
    pub fn li(rd: u32, v: i32) -> [u32; 2] {
        let lo = (v << 20) >> 20;
        let hi = (v.wrapping_sub(lo) as u32) >> 12;
        [lui(rd, hi), addi(rd, rd, lo)]
    }
}

/// Little-endian bytes of a list of 32-bit instructions.
pub fn code(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

/// A program whose single read-execute segment holds `text` and starts running at its first
/// byte: the smallest input the loader accepts.
pub fn exec_only(text: &[u8]) -> Vec<u8> {
    build(
        &[Segment {
            page: 0x10000,
            flags: PF_R | PF_X,
            data: text.to_vec(),
            bss: 0,
        }],
        |a| a[0],
    )
}

/// `write(1, msg, len); exit_group(status)` as a tiny program (used for seeds).
pub fn hello(msg: &[u8], status: i32) -> Vec<u8> {
    use enc::*;
    use reg::*;
    // The message follows the code (at byte 40) in the same segment; `auipc a1, 0` at
    // byte 8 makes its address pc-relative.
    const A1: u32 = 11;
    const A2: u32 = 12;
    let auipc_a1 = (A1 << 7) | 0x17;
    let words = [
        addi(A7, ZERO, 64),
        addi(A0, ZERO, 1),
        auipc_a1,
        addi(A1, A1, 40 - 8),
        addi(A2, ZERO, msg.len().min(2047) as i32),
        ECALL,
        addi(A7, ZERO, 94),
        addi(A0, ZERO, status),
        ECALL,
    ];
    let mut text = code(&words);
    text.resize(40, 0);
    text.extend_from_slice(msg);
    exec_only(&text)
}
