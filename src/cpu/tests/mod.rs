//! CPU tests: assembled programs (see `snippets.S`, regenerated into `fixtures.rs` by
//! `gen_fixtures.py`) run on a fresh address space until `ecall`, then registers are checked.

mod fixtures;

use super::compressed::expand;
use super::decode::{decode, decode_checked};
use super::insn::{Op, RM_DYN};
use super::*;
use crate::mem::{Access, PAGE_SIZE, RegionKind, page_ceil, perm};
use fixtures::*;

const CODE: u64 = 0x10000;
const DATA: u64 = 0x20000;
const DATA_LEN: u64 = 0x10000;

const PI: u64 = 0x4009_21fb_5444_2d18;

/// One hart on its own address space: code at CODE, a read-write area at DATA.
struct Machine {
    cpu: Cpu,
    mem: GuestMemory,
    cache: DecodeCache,
}

impl Machine {
    fn new(code: &[u8]) -> Machine {
        Machine::with_code_perm(code, perm::R | perm::X)
    }

    fn with_code_perm(code: &[u8], prot: u8) -> Machine {
        let mut mem = GuestMemory::new().unwrap();
        mem.map_fixed(
            CODE,
            page_ceil(code.len() as u64).max(PAGE_SIZE),
            prot,
            RegionKind::Image,
        )
        .unwrap();
        mem.poke(CODE, code).unwrap();
        mem.map_fixed(DATA, DATA_LEN, perm::R | perm::W, RegionKind::Anon)
            .unwrap();
        let mut cpu = Cpu::new(CODE);
        cpu.x[reg("sp")] = DATA + DATA_LEN;
        cpu.x[reg("s0")] = DATA;
        Machine {
            cpu,
            mem,
            cache: DecodeCache::new(),
        }
    }

    fn run(&mut self, budget: u64) -> Exit {
        run(&mut self.cpu, &mut self.mem, &mut self.cache, budget)
    }

    fn run_to_ecall(&mut self) {
        assert_eq!(self.run(10_000_000), Exit::Ecall, "pc = {:#x}", self.cpu.pc);
    }

    /// Register by ABI name.
    fn r(&self, name: &str) -> u64 {
        self.cpu.reg(reg(name))
    }

    fn check(&self, expected: &[(&str, u64)]) {
        for &(name, v) in expected {
            assert_eq!(
                self.r(name),
                v,
                "{name}: got {:#x}, want {v:#x}",
                self.r(name)
            );
        }
    }

    /// The operation of the instruction at `pc`.
    fn op_at(&self, pc: u64) -> Op {
        let lo = self.mem.fetch_u16(pc).unwrap() as u32;
        let hi = if lo & 3 == 3 {
            self.mem.fetch_u16(pc + 2).unwrap() as u32
        } else {
            0
        };
        decode(lo | hi << 16, pc).op
    }
}

fn reg(name: &str) -> usize {
    const NAMES: [&str; 32] = [
        "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4",
        "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
        "t5", "t6",
    ];
    NAMES.iter().position(|&n| n == name).unwrap()
}

const fn s(v: i64) -> u64 {
    v as u64
}

#[test]
fn w_ops_sign_extend() {
    let mut m = Machine::new(ALU_W);
    m.run_to_ecall();
    m.check(&[
        ("a1", 0xffff_ffff_8000_0000),
        ("a3", 0x2345_6789),
        ("a4", 0xffff_ffff_8000_0000),
        ("a5", 0xffff_ffff_8000_0001),
        ("a6", s(-2)),
        ("a7", 0x4000_0000),
        ("s2", 0xffff_ffff_c000_0000),
        ("s3", 0xffff_ffff_8000_0000),
        ("s4", 1),
        ("s5", s(-1)),
        ("s6", 0x2345_6789),
        ("s7", s(-1)),
        ("s8", 1),
    ]);
}

#[test]
fn rv64_alu() {
    let mut m = Machine::new(ALU64);
    m.run_to_ecall();
    m.check(&[
        ("a1", 0xf),
        ("a2", s(-4)),
        ("a3", 0),
        ("a4", s(-16)),
        ("a5", 0x7fff_ffff_ffff_fffc),
        ("a6", s(-4)),
        ("a7", 1),
        ("s2", 0),
        ("s3", 1),
        ("s4", 1),
        ("s5", 1),
        ("s6", 7),
        ("s7", s(-2048)),
        ("s8", 0x7f8),
        ("s9", 0xffff_ffff_8000_0000),
        ("s10", 8),
        ("s11", 0),
        ("t3", s(-1)),
        ("t4", s(-1)),
        ("t5", s(-8)),
    ]);
}

#[test]
fn auipc_and_lui() {
    let mut m = Machine::new(AUIPC);
    m.run_to_ecall();
    m.check(&[
        ("a0", CODE),
        ("a1", CODE + 4 + 0x1000),
        ("a2", CODE + 8 - 0x1000),
        ("a3", s(-4096)),
    ]);
}

#[test]
fn mul_div_edge_cases() {
    let mut m = Machine::new(MULDIV);
    m.run_to_ecall();
    m.check(&[
        ("s2", s(-3)),
        ("s3", s(-1)),
        ("s4", 0x7fff_ffff_ffff_fffc),
        ("s5", 1),
        ("s6", s(-1)),
        ("s7", u64::MAX),
        ("s8", s(-7)),
        ("s9", s(-7)),
        ("s10", 1 << 63),
        ("s11", 0),
        ("t3", 0),
        ("t4", 1 << 62),
        ("t5", 0xffff_ffff_ffff_fffe),
        ("t6", s(-1)),
        ("a2", 1),
        ("a3", s(-14)),
        ("a4", s(-1)),
        ("a5", 1),
        ("a6", 0),
        ("a7", 1 << 63),
    ]);
}

#[test]
fn mul_div_w_edge_cases() {
    let mut m = Machine::new(MULDIVW);
    m.run_to_ecall();
    m.check(&[
        ("s2", s(-3)),
        ("s3", s(-1)),
        ("s4", 0x7fff_fffc),
        ("s5", 1),
        ("s6", s(-1)),
        ("s7", s(-1)),
        ("s8", 5),
        ("s9", s(-7)),
        ("s10", 0xffff_ffff_8000_0000),
        ("s11", 0),
        ("t4", 10),
        ("t5", 0x4000_0000),
        ("t6", s(-2)),
    ]);
}

#[test]
fn loads_stores_and_load_fault() {
    let mut m = Machine::new(LOADSTORE);
    let exit = m.run(1000);
    let Exit::Fault { pc, fault } = exit else {
        panic!("{exit:?}")
    };
    assert_eq!(pc, m.cpu.pc);
    assert_eq!(m.op_at(pc), Op::Lh);
    assert_eq!(fault.addr, DATA - 1);
    assert_eq!(fault.access, Access::Read);
    assert!(!fault.mapped);
    let v = 0x8899_aabb_ccdd_eeff;
    m.check(&[
        ("a0", s(-1)),
        ("a1", 0xff),
        ("a2", 0xffff_ffff_ffff_eeff),
        ("a3", 0xeeff),
        ("a4", 0xffff_ffff_8899_aabb),
        ("a5", 0x8899_aabb),
        ("a6", v),
        ("a7", 0xffff_ffff_bbcc_ddee),
        ("s2", v),
        ("s3", 0xccdd_eeff_eeff_00ff),
        ("s4", v),
        ("s5", 0),
    ]);
    // The faulting load did not retire: resuming faults again at the same place.
    let before = m.cpu.instret;
    assert_eq!(m.run(1000), exit);
    assert_eq!(m.cpu.instret, before);
}

#[test]
fn x0_is_hardwired() {
    let mut m = Machine::new(X0);
    m.run_to_ecall();
    assert_eq!(m.cpu.x[0], 0);
    m.check(&[
        ("zero", 0),
        ("a0", 0),
        ("a1", 7),
        ("a2", 0),
        ("a3", 9),
        ("a4", 9),
    ]);
}

#[test]
fn branches_and_jumps() {
    let mut m = Machine::new(BRANCHES);
    m.run_to_ecall();
    m.check(&[("a0", 106), ("a1", 0), ("a2", 0), ("a3", 0)]);
}

#[test]
fn compressed_execution() {
    let mut m = Machine::new(COMPRESSED);
    m.run_to_ecall();
    m.check(&[
        ("t0", 0),
        ("t1", s(-253952)),
        ("t2", s(-48)),
        ("t3", 1 << 63),
        ("t4", 2),
        ("t5", 0x12),
        ("t6", 2),
        ("s2", 0x18),
        ("s3", 0x18),
        ("s4", s(-5)),
        ("s5", 2),
        ("s6", 1 << 63),
        ("s7", PI),
        ("s8", PI),
        ("s9", 0xff),
        ("s10", 0x10),
        ("s11", 0xffff_ffff_8000_0000),
        ("a7", s(-2)),
        ("a6", 0),
    ]);
}

#[test]
fn compressed_branches() {
    let mut m = Machine::new(CBRANCH);
    m.run_to_ecall();
    m.check(&[("a0", 10)]);
}

#[test]
fn compressed_expansion_matches_assembler() {
    for &(c, w, text) in C_PAIRS {
        assert_eq!(expand(c), Ok(w), "{text}: {c:#06x}");
        assert_eq!(decode(c as u32, CODE), decode(w, CODE), "{text}");
    }
}

#[test]
fn compressed_reserved_encodings_are_illegal() {
    for c in [
        0x0000u16, // c.addi4spn, zero immediate (the all-zero parcel)
        0x001c,    // c.addi4spn a5', zero immediate
        0x8000,    // quadrant 0, funct3 100
        0x2001,    // c.addiw x0
        0x6101,    // c.addi16sp, zero immediate
        0x6501,    // c.lui a0, 0
        0x6001,    // c.lui x0, 0
        0x4002,    // c.lwsp x0
        0x6002,    // c.ldsp x0
        0x8002,    // c.jr x0
        0x9c41,    // reserved CA encodings (c.mulw slot etc.)
        0x9c61,
    ] {
        assert!(expand(c).is_err(), "{c:#06x}");
        assert_eq!(decode(c.into(), CODE).op, Op::Illegal, "{c:#06x}");
        assert_eq!(decode(c.into(), CODE).imm, c as i64);
        let mut m = Machine::new(&c.to_le_bytes());
        assert_eq!(
            m.run(10),
            Exit::Illegal {
                pc: CODE,
                raw: c.into()
            }
        );
        assert_eq!(m.cpu.instret, 0);
    }
    // HINTs are legal and do nothing.
    for c in [
        0x0005u16, 0x4015, 0x6005, 0x802a, 0x902a, 0x0006, 0x0502, 0x8101, 0x0501, 0x0001,
    ] {
        assert!(expand(c).is_ok(), "{c:#06x}");
        let mut code = c.to_le_bytes().to_vec();
        code.extend_from_slice(&0x0000_0073u32.to_le_bytes());
        let mut m = Machine::new(&code);
        let before = m.cpu.clone();
        m.run_to_ecall();
        assert_eq!(m.cpu.x, before.x, "{c:#06x}");
        assert_eq!(m.cpu.instret, 2);
    }
}

#[test]
fn ebreak_and_c_ebreak() {
    let mut m = Machine::new(EBREAKS);
    assert_eq!(m.run(10), Exit::Ebreak);
    assert_eq!((m.cpu.pc, m.cpu.instret), (CODE, 1));
    m.cpu.pc += 2;
    assert_eq!(m.run(10), Exit::Ebreak);
    assert_eq!((m.cpu.pc, m.cpu.instret), (CODE + 2, 2));
}

#[test]
fn csrs() {
    let mut m = Machine::new(CSR);
    m.run_to_ecall();
    m.check(&[
        ("a0", 0),
        ("a1", 3),
        ("a2", 0x65),
        ("a3", 0x65),
        ("a4", 0xff),
        ("a5", 0x1f),
        ("a6", 7),
        ("a7", 0x1f),
        ("s2", 0xe0),
        ("s3", 7),
        ("s4", 7),
        ("s5", 7),
        ("t3", 5),
        ("t4", 0),
        ("t5", 5),
        ("t6", 0xff),
        ("s1", 0xe0),
    ]);
    let n = m.r("s6");
    m.check(&[("s7", n + 1), ("s8", n + 2), ("s9", n + 3), ("s10", n + 4)]);
    assert_eq!(m.cpu.instret, n + 6);
    assert_eq!(m.cpu.fcsr(), 0xe0);
}

#[test]
fn counters_count_across_runs() {
    // rdinstret after the kernel resumed: includes everything retired before.
    let code = [
        0x73, 0x00, 0x00, 0x00, 0x73, 0x25, 0x20, 0xc0, 0x73, 0x00, 0x00, 0x00,
    ]; // ecall; rdinstret a0; ecall
    let mut m = Machine::new(&code);
    m.cpu.instret = 1000;
    m.run_to_ecall();
    m.cpu.pc += 4;
    m.run_to_ecall();
    assert_eq!(m.r("a0"), 1001);
    assert_eq!(m.cpu.instret, 1003);
}

#[test]
fn bitmanip_and_zicond() {
    let mut m = Machine::new(BITMANIP);
    m.run_to_ecall();
    let a0 = 0x0000_ff00_0080_0001u64;
    m.check(&[
        ("s2", 16),
        ("s3", 0),
        ("s4", 10),
        ("s5", 0),
        ("s6", 32),
        ("s7", 31),
        ("s8", 0x0000_ff00_00ff_00ff),
        ("s9", 0x0100_8000_00ff_0000),
        ("s10", 3),
        ("s11", s(-5)),
        ("t3", 0xfffb),
        ("t4", 0x4_0000_0018u64.wrapping_add(a0)),
        ("t5", 0x3_ffff_ffec),
        ("t6", 0xffff_fffbu64 + a0),
        ("a3", 1 << 63),
        ("a4", 0x8000_0003u64.rotate_left(5)),
        ("a5", 0x8000_0003u32.rotate_left(27) as i32 as i64 as u64),
        ("a6", 0xffff_ffff_c000_0001),
        ("a7", 0x8000_0003),
        ("s0", 0x8000_0003),
        ("s1", 1 << 59),
        ("ra", 1),
        ("gp", s(-5)),
        ("tp", 0),
    ]);
}

#[test]
fn illegal_instructions() {
    for word in ILLEGAL_WORDS.chunks(4) {
        let raw = u32::from_le_bytes(word.try_into().unwrap());
        let shown = if raw & 3 == 3 { raw } else { raw & 0xffff };
        assert_eq!(decode(raw, CODE).op, Op::Illegal, "{raw:#010x}");
        let mut m = Machine::new(word);
        let before = m.cpu.clone();
        assert_eq!(
            m.run(10),
            Exit::Illegal {
                pc: CODE,
                raw: shown
            },
            "{raw:#010x}"
        );
        assert_eq!(m.cpu, before);
    }
    assert!(
        describe_illegal(0x3000_2573).contains("unsupported CSR"),
        "{}",
        describe_illegal(0x3000_2573)
    );
    assert!(describe_illegal(0).contains("c.addi4spn"));
    // Counters: reading is fine, any write is illegal.
    assert!(decode_checked(0xc000_2573, 0).is_ok()); // rdcycle a0
    assert!(decode_checked(0xc000_1573, 0).is_err()); // csrrw a0, cycle, x0
}

#[test]
fn floating_point() {
    let mut m = Machine::new(FP);
    m.run_to_ecall();
    let fma = f64::from_bits(PI).mul_add(1.5, 1.5).to_bits();
    m.check(&[
        ("a0", 0xffff_ffff_3fc0_0000),
        ("a1", 0x4040_0000),
        ("a2", 0xffff_ffff_bf80_0000),
        ("a3", 0xffff_ffff_7fc0_0000),
        ("a4", 8),
        ("a5", 0x80),
        ("a6", 3),
        ("a7", 4),
        ("s2", 9),
        ("s3", 0xffff_ffff_3fc0_0000),
        ("s4", PI),
        ("s5", 0x3ff8_0000_0000_0000),
        ("s6", fma),
        ("s7", PI | 1 << 63),
        ("s8", 1),
        ("s9", 0),
        ("t3", 0),
        ("s10", 0),
        ("s11", 0x10),
        ("t4", 0x3fc0_0000),
        ("t5", 0x4049_0fdb),
        ("t6", 0),
    ]);
    assert_eq!(m.cpu.fflags, 0x11);
}

#[test]
fn dynamic_rounding_mode() {
    let mut m = Machine::new(FRM_DYNAMIC);
    let exit = m.run(1000);
    let Exit::Illegal { pc, raw } = exit else {
        panic!("{exit:?}")
    };
    assert_eq!(pc, m.cpu.pc);
    let insn = decode(raw, pc);
    assert_eq!((insn.op, insn.rm), (Op::FcvtWD, RM_DYN));
    m.check(&[("a0", s(-4)), ("a1", s(-3)), ("a2", s(-3)), ("a3", 0)]);
    assert!(describe_illegal(raw).contains("frm"));
    // Fixing frm makes it legal: the kernel could resume.
    m.cpu.frm = 1;
    m.run_to_ecall();
    assert_eq!(m.r("a3"), s(-3));
}

#[test]
fn lr_sc() {
    let mut m = Machine::new(LRSC);
    m.run_to_ecall();
    m.check(&[
        ("a0", 5),
        ("a1", 0),
        ("a2", 1),
        ("a3", 6),
        ("a4", 1),
        ("a5", 1),
        ("a6", 6),
    ]);
    assert_eq!(m.cpu.reservation, None, "ecall drops the reservation");
    m.cpu.pc += 4;
    m.run_to_ecall();
    m.check(&[("s2", 1), ("s3", 6)]);
}

#[test]
fn amos() {
    let mut m = Machine::new(AMO);
    m.run_to_ecall();
    m.check(&[
        ("a1", 0xffff_ffff_8000_0001),
        ("a2", 0xffff_ffff_8000_0001),
        ("a3", 1),
        ("a4", s(-2)),
        ("a5", 1),
        ("a6", 1),
        ("a7", s(-2)),
        ("s2", s(-1)),
        ("s3", s(-2)),
        ("s4", 0xffff_ffff),
        ("s5", 10),
        ("s6", 20),
        ("s7", s(-2)),
        ("s8", s(-2)),
        ("s9", s(-2)),
        ("s10", 1),
        ("s11", 1),
        ("t4", 11),
        ("t5", 1),
        ("t6", s(-1)),
        // amoadd.w a0, a0: rd gets the old memory value (-1), memory gets -1 + 0xffffffff80000000.
        ("a0", s(-1)),
    ]);
    assert_eq!(m.mem.read_u32(DATA).unwrap(), 0x7fff_ffff);
}

#[test]
fn misaligned_atomics_exit() {
    // (encoding, access size): amoadd.w a0, a0, (s0); lr.d a0, (s0); sc.w a0, a0, (s0);
    // amoswap.d a0, a0, (s0); lr.w a0, (s0); sc.d a0, a0, (s0)
    let insns = [
        (0x00a4_252fu32, 4),
        (0x1004_352f, 8),
        (0x18a4_252f, 4),
        (0x08a4_352f, 8),
        (0x1004_252f, 4),
        (0x18a4_352f, 8),
    ];
    for (insn, size) in insns {
        for addr in [DATA + 1, DATA + 2, DATA + 4, DATA + 6, DATA + 8] {
            let mut m = Machine::new(&insn.to_le_bytes());
            m.cpu.x[reg("s0")] = addr;
            m.cpu.x[reg("a0")] = 7;
            m.cpu.reservation = Some(addr);
            let before = m.cpu.clone();
            let exit = m.run(1);
            if addr % size != 0 {
                assert_eq!(
                    exit,
                    Exit::MisalignedAtomic { pc: CODE, addr },
                    "{insn:#x} at {addr:#x}"
                );
                assert_eq!(m.cpu, before, "{insn:#x} at {addr:#x}");
            } else {
                assert_eq!(exit, Exit::BudgetExhausted, "{insn:#x} at {addr:#x}");
                assert_eq!(m.cpu.instret, 1);
            }
        }
    }
}

#[test]
fn store_fault_changes_nothing() {
    // sd a0, 0(s0) with s0 pointing at the read-only code page; then amoadd.w there.
    for insn in [0x00a4_3023u32, 0x00a4_252f] {
        let mut m = Machine::new(&insn.to_le_bytes());
        m.cpu.x[reg("s0")] = CODE;
        m.cpu.x[reg("a0")] = 7;
        let before = m.cpu.clone();
        let exit = m.run(10);
        let Exit::Fault { pc, fault } = exit else {
            panic!("{exit:?}")
        };
        assert_eq!(
            (pc, fault.addr, fault.access, fault.mapped),
            (CODE, CODE, Access::Write, true)
        );
        assert_eq!(m.cpu, before);
        assert_eq!(m.mem.read_u32(CODE).unwrap(), insn);
    }
}

#[test]
fn fetch_faults() {
    // Unmapped pc.
    let mut m = Machine::new(&[0x73, 0, 0, 0]);
    m.cpu.pc = 0x5000_0000;
    let Exit::Fault { pc, fault } = m.run(10) else {
        panic!()
    };
    assert_eq!(
        (pc, fault.addr, fault.access, fault.mapped),
        (0x5000_0000, 0x5000_0000, Access::Exec, false)
    );
    // Mapped but not executable.
    m.cpu.pc = DATA;
    let Exit::Fault { pc, fault } = m.run(10) else {
        panic!()
    };
    assert_eq!(
        (pc, fault.addr, fault.access, fault.mapped),
        (DATA, DATA, Access::Exec, true)
    );
    // Far outside the guest space.
    m.cpu.pc = u64::MAX - 1;
    assert!(matches!(
        m.run(10),
        Exit::Fault {
            pc: 0xffff_ffff_ffff_fffe,
            ..
        }
    ));
    assert_eq!(m.cpu.instret, 0);
}

#[test]
fn instruction_straddling_into_unmapped_page() {
    // c.li a0, 1 at the page's last-but-one parcel, then a 32-bit instruction across the end.
    let mut code = vec![0u8; PAGE_SIZE as usize];
    code[0xffc..0xffe].copy_from_slice(&0x4505u16.to_le_bytes());
    code[0xffe..0x1000].copy_from_slice(&0x0513u16.to_le_bytes());
    let mut m = Machine::new(&code);
    m.cpu.pc = CODE + 0xffc;
    let exit = m.run(10);
    let Exit::Fault { pc, fault } = exit else {
        panic!("{exit:?}")
    };
    assert_eq!(
        (pc, fault.addr, fault.access),
        (CODE + 0xffe, CODE + PAGE_SIZE, Access::Exec)
    );
    assert_eq!((m.r("a0"), m.cpu.instret, m.cpu.pc), (1, 1, CODE + 0xffe));
}

#[test]
fn straddling_instruction_is_invalidated_through_its_second_page() {
    // addi a0, zero, 1 across the page boundary, then ecall.
    let mut code = vec![0u8; 2 * PAGE_SIZE as usize];
    code[0xffe..0x1002].copy_from_slice(&0x0010_0513u32.to_le_bytes());
    code[0x1002..0x1006].copy_from_slice(&0x0000_0073u32.to_le_bytes());
    let mut m = Machine::new(&code);
    m.cpu.pc = CODE + 0xffe;
    m.run_to_ecall();
    assert_eq!(m.r("a0"), 1);
    // Rewrite the immediate, which lives in the second page only.
    m.mem.poke(CODE + 0x1000, &0x02a0u16.to_le_bytes()).unwrap();
    m.cpu.pc = CODE + 0xffe;
    m.run_to_ecall();
    assert_eq!(m.r("a0"), 42);
}

#[test]
fn self_modifying_code_in_the_running_block() {
    let mut m = Machine::with_code_perm(SMC_SAME_BLOCK, perm::RWX);
    m.run_to_ecall();
    assert_eq!(m.r("a0"), 42);
}

#[test]
fn self_modifying_code_in_a_cached_block() {
    let mut m = Machine::with_code_perm(SMC_LOOP, perm::RWX);
    m.run_to_ecall();
    m.check(&[("s1", 43), ("s2", 2)]);
}

#[test]
fn fence_i_and_hints() {
    let mut m = Machine::with_code_perm(FENCE_I, perm::RWX);
    m.run_to_ecall();
    m.check(&[("s1", 1), ("s2", 42)]);
}

#[test]
fn code_changed_by_the_kernel_is_noticed_on_entry() {
    // addi a0, zero, 1; ecall. The "kernel" rewrites it between runs (as a syscall would).
    let mut m = Machine::new(&[0x13, 0x05, 0x10, 0x00, 0x73, 0, 0, 0]);
    m.run_to_ecall();
    assert_eq!(m.r("a0"), 1);
    m.mem.poke(CODE, &0x02a0_0513u32.to_le_bytes()).unwrap();
    m.cpu.pc = CODE;
    m.run_to_ecall();
    assert_eq!(m.r("a0"), 42);
    // mprotect removing X drops the decoded code too: the next fetch faults.
    m.mem.protect(CODE, PAGE_SIZE, perm::R).unwrap();
    m.cpu.pc = CODE;
    assert!(matches!(
        m.run(10),
        Exit::Fault {
            fault: MemFault {
                access: Access::Exec,
                ..
            },
            ..
        }
    ));
}

#[test]
fn budget_is_exact() {
    for code in [LOOP, JLOOP] {
        budget_is_exact_for(code);
    }
}

fn budget_is_exact_for(code: &[u8]) {
    let mut reference = Machine::new(code);
    reference.run_to_ecall();
    let total = reference.cpu.instret;
    assert!(total > 1000);
    for budget in [1, 2, 3, 5, 7, 63, 64, 65, 1000, total - 1, total] {
        let mut m = Machine::new(code);
        loop {
            let before = m.cpu.instret;
            match m.run(budget) {
                Exit::BudgetExhausted => assert_eq!(m.cpu.instret - before, budget),
                Exit::Ecall => {
                    assert!(m.cpu.instret - before <= budget);
                    break;
                }
                e => panic!("{e:?}"),
            }
        }
        assert_eq!(m.cpu, reference.cpu, "budget {budget}");
    }
    // A zero budget does nothing.
    let mut m = Machine::new(code);
    let before = m.cpu.clone();
    assert_eq!(m.run(0), Exit::BudgetExhausted);
    assert_eq!(m.cpu, before);
}

#[test]
fn one_block_loops_count_every_pass() {
    let mut m = Machine::new(JLOOP);
    m.run_to_ecall();
    // li, li, then 300 passes of 4 instructions minus the final j, then ecall.
    assert_eq!(m.cpu.instret, 2 + 300 * 4 - 1 + 1);
    // The last rdinstret ran after 2 + 299 * 4 + 1 instructions.
    assert_eq!(m.r("a2"), 2 + 299 * 4 + 1);
    assert_eq!(m.r("a0"), 300);
}

#[test]
fn harts_share_a_cache() {
    let mut m = Machine::new(LOOP);
    let mut other = Cpu::new(CODE);
    m.run_to_ecall();
    let blocks = m.cache.block_count();
    assert_eq!(
        run(&mut other, &mut m.mem, &mut m.cache, 10_000_000),
        Exit::Ecall
    );
    assert_eq!(m.cache.block_count(), blocks);
    assert_eq!(other.x[10..15], m.cpu.x[10..15]);
}

/// Runs a flat program built by `qemu/gen.sh` (linked at 0x10000) with a two-call kernel
/// (write and exit) and returns what it wrote.
fn run_flat(image: &[u8], budget: u64) -> Vec<u8> {
    let mut mem = GuestMemory::new().unwrap();
    mem.map_fixed(0x10000, 16 << 20, perm::RWX, RegionKind::Image)
        .unwrap();
    mem.poke(0x10000, image).unwrap();
    mem.map_fixed(0x4000_0000, 1 << 20, perm::R | perm::W, RegionKind::Stack)
        .unwrap();
    let mut cpu = Cpu::new(0x10000);
    cpu.x[2] = 0x4000_0000 + (1 << 20);
    let mut cache = DecodeCache::new();
    let mut out = Vec::new();
    loop {
        match run(&mut cpu, &mut mem, &mut cache, budget) {
            Exit::BudgetExhausted => {}
            Exit::Ecall if cpu.x[17] == 64 => {
                out.extend(mem.read_vec(cpu.x[11], cpu.x[12] as usize).unwrap());
                cpu.x[10] = cpu.x[12];
                cpu.pc += 4;
            }
            Exit::Ecall if cpu.x[17] == 93 => return out,
            e => panic!("{e:?} at {:#x}", cpu.pc),
        }
    }
}

/// Random instruction sequences and compiled C give exactly QEMU's registers, FP state,
/// memory and output (fixtures made by `qemu/gen.sh`).
#[test]
fn matches_qemu() {
    let cases: [(&str, &[u8], &[u8]); 4] = [
        (
            "rand1",
            include_bytes!("qemu/rand1.bin"),
            include_bytes!("qemu/rand1.expected"),
        ),
        (
            "rand2",
            include_bytes!("qemu/rand2.bin"),
            include_bytes!("qemu/rand2.expected"),
        ),
        (
            "rand3",
            include_bytes!("qemu/rand3.bin"),
            include_bytes!("qemu/rand3.expected"),
        ),
        (
            "cmix",
            include_bytes!("qemu/cmix.bin"),
            include_bytes!("qemu/cmix.expected"),
        ),
    ];
    for (name, image, expected) in cases {
        // Budgets that slice blocks at every possible point must not change anything.
        for budget in [u64::MAX, 1, 3, 7] {
            if name == "cmix" && budget < 7 {
                continue;
            }
            assert!(
                run_flat(image, budget) == expected,
                "{name}, budget {budget}"
            );
        }
    }
}

#[test]
fn decoder_never_panics() {
    // Every 16-bit parcel, and a spread of 32-bit words.
    for c in 0..=0xffffu32 {
        let _ = decode(c, CODE);
        let _ = describe_illegal(c);
    }
    let mut w: u32 = 0x1234_5678;
    for _ in 0..200_000 {
        w ^= w << 13;
        w ^= w >> 17;
        w ^= w << 5;
        let _ = decode(w | 3, u64::MAX - 2);
    }
}

/// CPU time of this thread, in seconds (wall time would count other processes on a busy
/// machine).
fn thread_cpu_time() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec into the valid, exclusively borrowed `ts`.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// Throughput on tight loops; run with
/// `cargo test --release --lib cpu::tests::bench -- --ignored --nocapture`.
#[test]
#[ignore]
fn bench() {
    for (name, code) in [
        ("alu loop", BENCH),
        ("alu loop, 4x unrolled", BENCH_LONG),
        ("load/store loop", BENCH_MEM),
    ] {
        let mut best = f64::MAX;
        let mut n = 0;
        for _ in 0..3 {
            let mut m = Machine::new(code);
            let t = thread_cpu_time();
            assert_eq!(m.run(u64::MAX), Exit::Ecall);
            best = best.min(thread_cpu_time() - t);
            n = m.cpu.instret;
        }
        println!(
            "{name}: {n} instructions in {best:.3} s CPU = {:.0} MIPS",
            n as f64 / best / 1e6
        );
    }
}

/// Counts what an observer sees, for checking the stepping run loop.
#[derive(Default)]
struct Counting {
    before: u64,
    retired: u64,
    loads: u64,
    stores: u64,
    last_pc: u64,
}

impl Observer for Counting {
    fn before(&mut self, cpu: &Cpu, step: &observe::Step) {
        assert_eq!(cpu.pc, step.pc);
        self.before += 1;
        match step.access(cpu).map(|a| a.kind) {
            Some(observe::AccessKind::Load) => self.loads += 1,
            Some(observe::AccessKind::Store) => self.stores += 1,
            _ => {}
        }
    }
    fn retired(&mut self, _: &Cpu, _: &GuestMemory, step: &observe::Step) {
        self.retired += 1;
        self.last_pc = step.pc;
    }
}

#[test]
fn observed_run_matches_plain_run() {
    for code in [BRANCHES, LOADSTORE, COMPRESSED] {
        let mut plain = Machine::new(code);
        let plain_exit = plain.run(10_000);
        let mut seen = Machine::new(code);
        let mut obs = Counting::default();
        let exit = run_observed(
            &mut seen.cpu,
            &mut seen.mem,
            &mut seen.cache,
            10_000,
            &mut obs,
        );
        assert_eq!(exit, plain_exit);
        assert_eq!(seen.cpu, plain.cpu);
        assert_eq!(obs.retired, seen.cpu.instret);
        // A trapping instruction is seen before it runs but does not retire.
        let trapped = u64::from(!matches!(exit, Exit::Ecall));
        assert_eq!(obs.before, obs.retired + trapped);
    }
    let mut m = Machine::new(LOADSTORE);
    let mut obs = Counting::default();
    run_observed(&mut m.cpu, &mut m.mem, &mut m.cache, 10_000, &mut obs);
    assert!(obs.loads > 0 && obs.stores > 0);
}
