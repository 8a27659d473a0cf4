//! The interpreter: runs decoded blocks until an exit or the end of the budget.
//!
//! The hot path per block is one direct-mapped lookup, then one `match` per instruction. The
//! budget is checked per block (a block runs only as far as the budget allows), so the loop
//! over instructions carries no counter besides its index. A block that branches or jumps back
//! to its own start runs again without leaving the loop. Architectural state is only changed
//! by instructions that complete: a faulting or illegal instruction leaves `cpu` as it was,
//! with `pc` pointing at it.
//!
//! Rare instructions (CSR, atomics, F/D arithmetic) run out of line so the integer loop keeps
//! its registers. Tracing and profiling come in as a type parameter of `run` (monomorphised,
//! free when off), never as a runtime flag tested per instruction.

use super::cache::{Block, DecodeCache};
use super::csr;
use super::fpu::{self, Rm};
use super::insn::{Insn, Op, RM_DYN};
use super::observe::{Observer, Step};
use super::{Cpu, Exit};
use crate::mem::{GuestMemory, MemFault, StoreError};

/// How a block run ended (besides the count of retired instructions). Fieldless, so the
/// common case is one compare; an exit's details go to the caller's `Exit` slot.
#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    /// Continue at `cpu.pc`.
    Next,
    /// A store hit a page holding cached code: drop the modified pages, then continue.
    CodeModified,
    /// `fence.i` retired: drop all decoded code, then continue.
    FenceI,
    /// Return the stored `Exit` to the caller.
    Exit,
}

/// See [`super::run_observed`]. With an inactive observer this is the plain block loop; an
/// active one makes every block run one instruction at a time so it can watch each.
pub fn run<O: Observer>(
    cpu: &mut Cpu,
    mem: &mut GuestMemory,
    cache: &mut DecodeCache,
    budget: u64,
    observer: &mut O,
) -> Exit {
    // Syscalls, munmap, mprotect and other harts may have changed code since the last run.
    if mem.has_modified_code() {
        cache.invalidate_pages(&mem.take_modified_code_pages());
    }
    let mut remaining = budget;
    let mut exit = Exit::BudgetExhausted;
    loop {
        if remaining == 0 {
            return Exit::BudgetExhausted;
        }
        let block = match cache.get(cpu.pc, mem) {
            Ok(b) => b,
            Err(fault) => return Exit::Fault { pc: cpu.pc, fault },
        };
        let (retired, end) = if O::ACTIVE {
            // step_block keeps cpu.instret current after every instruction.
            step_block(cpu, mem, block, remaining, &mut exit, observer)
        } else {
            let (retired, end) = exec_block(cpu, mem, block, 0, remaining, &mut exit);
            cpu.instret = cpu.instret.wrapping_add(retired);
            (retired, end)
        };
        remaining -= retired;
        if end != End::Next {
            match end {
                End::CodeModified => cache.invalidate_pages(&mem.take_modified_code_pages()),
                End::FenceI => cache.invalidate_all(),
                _ => return exit,
            }
        }
    }
}

/// Runs `block` (which starts at `cpu.pc`) one instruction at a time for an active observer,
/// for as long as execution goes on in order through it and the budget lasts. `cpu.instret`
/// counts each instruction as it retires, so that a counter CSR read later in the block
/// (rdcycle, rdinstret, rdtime) sees what the block loop would give it.
fn step_block<O: Observer>(
    cpu: &mut Cpu,
    mem: &mut GuestMemory,
    block: &Block,
    budget: u64,
    exit: &mut Exit,
    observer: &mut O,
) -> (u64, End) {
    let mut retired = 0;
    let mut i = 0;
    while retired < budget && i < block.insns.len() {
        let pc = pc_at(block, i);
        let next = next_pc(block, i);
        let step = Step {
            pc,
            len: (next - pc) as u8,
            insn: &block.insns[i],
        };
        observer.before(cpu, &step);
        let (n, end) = exec_block(cpu, mem, block, i, 1, exit);
        if n == 0 {
            return (retired, end);
        }
        retired += 1;
        observer.retired(cpu, mem, &step);
        cpu.instret = cpu.instret.wrapping_add(1);
        if end != End::Next || cpu.pc != next {
            return (retired, end);
        }
        i += 1;
    }
    (retired, End::Next)
}

/// The address of the instruction after instruction `i` of `block`.
#[inline(always)]
fn next_pc(block: &Block, i: usize) -> u64 {
    match block.insns.get(i + 1) {
        Some(n) => block.pc + n.pc_off as u64,
        None => block.end_pc,
    }
}

/// The address of instruction `i` of `block`.
#[inline(always)]
fn pc_at(block: &Block, i: usize) -> u64 {
    block.pc + block.insns[i].pc_off as u64
}

/// A trap raised by instruction `i`: it does not retire and `cpu.pc` points at it.
#[cold]
#[inline(never)]
fn trap(
    cpu: &mut Cpu,
    block: &Block,
    i: usize,
    exit: &mut Exit,
    make: impl FnOnce(u64) -> Exit,
) -> (usize, End) {
    let pc = pc_at(block, i);
    cpu.pc = pc;
    *exit = make(pc);
    (i, End::Exit)
}

/// Exit for a load, store or AMO fault at instruction `i`.
#[cold]
#[inline(never)]
fn fault(cpu: &mut Cpu, block: &Block, i: usize, exit: &mut Exit, f: MemFault) -> (usize, End) {
    trap(cpu, block, i, exit, |pc| Exit::Fault { pc, fault: f })
}

/// Exit for an illegal instruction at `i` (reserved encoding, or an invalid dynamic rounding
/// mode). The raw bits are fetched again from memory, which still holds them: any write to
/// the page would have dropped this block.
#[cold]
#[inline(never)]
fn illegal(
    cpu: &mut Cpu,
    mem: &GuestMemory,
    block: &Block,
    i: usize,
    exit: &mut Exit,
) -> (usize, End) {
    let insn = &block.insns[i];
    let raw = if insn.op == Op::Illegal {
        insn.imm as u32
    } else {
        let pc = pc_at(block, i);
        let lo = mem.fetch_u16(pc).unwrap_or(0) as u32;
        let hi = if lo & 3 == 3 {
            mem.fetch_u16(pc + 2).unwrap_or(0) as u32
        } else {
            0
        };
        lo | hi << 16
    };
    trap(cpu, block, i, exit, |pc| Exit::Illegal { pc, raw })
}

/// Handles a store's error at instruction `i`: a fault exits (not retired); a write to a code
/// page retired the store, so continue after it once the stale decodes are gone.
#[cold]
#[inline(never)]
fn store_error(
    cpu: &mut Cpu,
    block: &Block,
    i: usize,
    exit: &mut Exit,
    e: StoreError,
) -> (usize, End) {
    match e {
        StoreError::Fault(f) => fault(cpu, block, i, exit, f),
        StoreError::CodeModified => code_modified(cpu, block, i),
    }
}

/// Instruction `i` retired after writing to a page holding cached code.
#[cold]
#[inline(never)]
fn code_modified(cpu: &mut Cpu, block: &Block, i: usize) -> (usize, End) {
    cpu.pc = next_pc(block, i);
    (i + 1, End::CodeModified)
}

/// The rounding mode for an FP instruction whose `rm` field is `rm`, or `None` when it is
/// illegal (dynamic with `frm` holding 5..=7).
#[inline(always)]
fn rounding(rm: u8, frm: u32) -> Option<Rm> {
    Rm::from_bits(if rm == RM_DYN { frm } else { rm as u32 })
}

/// Zbb `orc.b`: each byte becomes 0xff if it was nonzero, else 0x00.
#[inline(always)]
const fn orc_b(v: u64) -> u64 {
    // High bit of each byte set iff the byte is nonzero (no carries cross bytes: the low
    // seven bits plus 0x7f stay below 0x100).
    let low = v & 0x7f7f_7f7f_7f7f_7f7f;
    let nonzero = ((low + 0x7f7f_7f7f_7f7f_7f7f) | v) & 0x8080_8080_8080_8080;
    (nonzero >> 7) * 0xff
}

/// Sign-extends a 32-bit result to 64 bits.
#[inline(always)]
const fn sext32(v: u32) -> u64 {
    v as i32 as i64 as u64
}

/// Runs `block` from instruction `start` (`cpu.pc` is its address) for at most `budget`
/// instructions, stopping early at a taken branch, a jump, a trap or a fault. A taken branch
/// back to the block's own start (a one-block loop) runs the block again right here, without
/// a lookup. Returns the number of instructions retired and why it stopped; `cpu.pc` is set
/// to where execution continues (or to the trapping instruction, whose details go to
/// `exit`). The plain run loop always starts at 0, a constant the compiler folds away.
#[inline(always)]
fn exec_block(
    cpu: &mut Cpu,
    mem: &mut GuestMemory,
    block: &Block,
    start: usize,
    budget: u64,
    exit: &mut Exit,
) -> (u64, End) {
    // Instructions retired by earlier passes through this block.
    let mut base: u64 = 0;
    // Where this pass starts: `start` in the first, the block's start after a loop back.
    let mut first = start;
    'pass: loop {
        let limit = first + (budget - base).min((block.insns.len() - first) as u64) as usize;
        let insns = &block.insns[first..limit];
        for (k, insn) in insns.iter().enumerate() {
            let i = first + k;
            // Returns from the block, counting earlier passes; `n` is the index of the first
            // instruction that did not retire.
            macro_rules! done {
                ($e:expr) => {{
                    let (n, end): (usize, End) = $e;
                    return (base + (n - first) as u64, end);
                }};
            }
            // Fields are read inside each arm (not hoisted here) so that LLVM keeps them in
            // registers rather than spilling a full set per instruction. Integer destinations
            // may be the x0 sink (slot 32); sources and FP registers are < 32.
            macro_rules! rd {
                () => {
                    (insn.rd as usize & 63)
                };
            }
            macro_rules! frd {
                () => {
                    (insn.rd as usize & 31)
                };
            }
            macro_rules! rs1 {
                () => {
                    (insn.rs1 as usize & 31)
                };
            }
            macro_rules! rs2 {
                () => {
                    (insn.rs2 as usize & 31)
                };
            }
            macro_rules! imm {
                () => {
                    (insn.imm as u64)
                };
            }
            let x = &mut cpu.x;

            // Effective address of a load or store.
            macro_rules! ea {
                () => {
                    x[rs1!()].wrapping_add(imm!())
                };
            }
            macro_rules! load {
                ($read:ident, $conv:expr) => {
                    match mem.$read(ea!()) {
                        Ok(v) => x[rd!()] = $conv(v),
                        Err(f) => done!(fault(cpu, block, i, exit, f)),
                    }
                };
            }
            macro_rules! store {
                ($write:ident, $v:expr) => {
                    if let Err(e) = mem.$write(ea!(), $v) {
                        done!(store_error(cpu, block, i, exit, e))
                    }
                };
            }
            macro_rules! branch {
                ($cond:expr) => {
                    if $cond {
                        if imm!() == block.pc {
                            base += (i + 1 - first) as u64;
                            first = 0;
                            continue 'pass;
                        }
                        cpu.pc = imm!();
                        done!((i + 1, End::Next));
                    }
                };
            }

            match insn.op {
                Op::Li => x[rd!()] = imm!(),
                Op::Addi => x[rd!()] = x[rs1!()].wrapping_add(imm!()),
                Op::Slti => x[rd!()] = ((x[rs1!()] as i64) < insn.imm) as u64,
                Op::Sltiu => x[rd!()] = (x[rs1!()] < imm!()) as u64,
                Op::Xori => x[rd!()] = x[rs1!()] ^ imm!(),
                Op::Ori => x[rd!()] = x[rs1!()] | imm!(),
                Op::Andi => x[rd!()] = x[rs1!()] & imm!(),
                Op::Slli => x[rd!()] = x[rs1!()] << (imm!() & 63),
                Op::Srli => x[rd!()] = x[rs1!()] >> (imm!() & 63),
                Op::Srai => x[rd!()] = ((x[rs1!()] as i64) >> (imm!() & 63)) as u64,
                Op::Addiw => x[rd!()] = sext32((x[rs1!()] as u32).wrapping_add(imm!() as u32)),
                Op::Slliw => x[rd!()] = sext32((x[rs1!()] as u32) << (imm!() & 31)),
                Op::Srliw => x[rd!()] = sext32((x[rs1!()] as u32) >> (imm!() & 31)),
                Op::Sraiw => x[rd!()] = ((x[rs1!()] as i32) >> (imm!() & 31)) as i64 as u64,
                Op::Add => x[rd!()] = x[rs1!()].wrapping_add(x[rs2!()]),
                Op::Sub => x[rd!()] = x[rs1!()].wrapping_sub(x[rs2!()]),
                Op::Sll => x[rd!()] = x[rs1!()] << (x[rs2!()] & 63),
                Op::Slt => x[rd!()] = ((x[rs1!()] as i64) < (x[rs2!()] as i64)) as u64,
                Op::Sltu => x[rd!()] = (x[rs1!()] < x[rs2!()]) as u64,
                Op::Xor => x[rd!()] = x[rs1!()] ^ x[rs2!()],
                Op::Srl => x[rd!()] = x[rs1!()] >> (x[rs2!()] & 63),
                Op::Sra => x[rd!()] = ((x[rs1!()] as i64) >> (x[rs2!()] & 63)) as u64,
                Op::Or => x[rd!()] = x[rs1!()] | x[rs2!()],
                Op::And => x[rd!()] = x[rs1!()] & x[rs2!()],
                Op::Addw => x[rd!()] = sext32((x[rs1!()] as u32).wrapping_add(x[rs2!()] as u32)),
                Op::Subw => x[rd!()] = sext32((x[rs1!()] as u32).wrapping_sub(x[rs2!()] as u32)),
                Op::Sllw => x[rd!()] = sext32((x[rs1!()] as u32) << (x[rs2!()] & 31)),
                Op::Srlw => x[rd!()] = sext32((x[rs1!()] as u32) >> (x[rs2!()] & 31)),
                Op::Sraw => x[rd!()] = ((x[rs1!()] as i32) >> (x[rs2!()] & 31)) as i64 as u64,

                Op::Lb => load!(read_u8, |v: u8| v as i8 as i64 as u64),
                Op::Lh => load!(read_u16, |v: u16| v as i16 as i64 as u64),
                Op::Lw => load!(read_u32, sext32),
                Op::Ld => load!(read_u64, |v: u64| v),
                Op::Lbu => load!(read_u8, |v: u8| v as u64),
                Op::Lhu => load!(read_u16, |v: u16| v as u64),
                Op::Lwu => load!(read_u32, |v: u32| v as u64),
                Op::Sb => store!(write_u8, x[rs2!()] as u8),
                Op::Sh => store!(write_u16, x[rs2!()] as u16),
                Op::Sw => store!(write_u32, x[rs2!()] as u32),
                Op::Sd => store!(write_u64, x[rs2!()]),

                Op::Beq => branch!(x[rs1!()] == x[rs2!()]),
                Op::Bne => branch!(x[rs1!()] != x[rs2!()]),
                Op::Blt => branch!((x[rs1!()] as i64) < (x[rs2!()] as i64)),
                Op::Bge => branch!((x[rs1!()] as i64) >= (x[rs2!()] as i64)),
                Op::Bltu => branch!(x[rs1!()] < x[rs2!()]),
                Op::Bgeu => branch!(x[rs1!()] >= x[rs2!()]),
                // jal and jalr always end their block, so the link is the block's end.
                Op::Jal => {
                    x[rd!()] = block.end_pc;
                    if imm!() == block.pc {
                        base += (i + 1 - first) as u64;
                        first = 0;
                        continue 'pass;
                    }
                    cpu.pc = imm!();
                    done!((i + 1, End::Next));
                }
                Op::Jalr => {
                    // Target first: rd may equal rs1.
                    let target = x[rs1!()].wrapping_add(imm!()) & !1;
                    x[rd!()] = block.end_pc;
                    cpu.pc = target;
                    done!((i + 1, End::Next));
                }
                Op::Nop => {}
                Op::FenceI => {
                    cpu.pc = block.end_pc;
                    done!((i + 1, End::FenceI));
                }
                Op::Ecall => {
                    cpu.pc = pc_at(block, i);
                    // A trap into the kernel breaks any LR/SC sequence.
                    cpu.reservation = None;
                    *exit = Exit::Ecall;
                    done!((i + 1, End::Exit));
                }
                Op::Ebreak => {
                    cpu.pc = pc_at(block, i);
                    *exit = Exit::Ebreak;
                    done!((i + 1, End::Exit));
                }
                Op::Illegal => done!(illegal(cpu, mem, block, i, exit)),

                Op::Mul => x[rd!()] = x[rs1!()].wrapping_mul(x[rs2!()]),
                Op::Mulh => {
                    x[rd!()] = ((x[rs1!()] as i64 as i128 * x[rs2!()] as i64 as i128) >> 64) as u64
                }
                // |signed| <= 2^63 and unsigned < 2^64, so the product fits in i128.
                Op::Mulhsu => {
                    x[rd!()] =
                        ((x[rs1!()] as i64 as i128).wrapping_mul(x[rs2!()] as i128) >> 64) as u64
                }
                Op::Mulhu => x[rd!()] = ((x[rs1!()] as u128 * x[rs2!()] as u128) >> 64) as u64,
                Op::Div => {
                    let (a, b) = (x[rs1!()] as i64, x[rs2!()] as i64);
                    // Division by zero gives -1; i64::MIN / -1 overflows to i64::MIN.
                    x[rd!()] = if b == 0 {
                        u64::MAX
                    } else {
                        a.wrapping_div(b) as u64
                    };
                }
                Op::Divu => {
                    let (a, b) = (x[rs1!()], x[rs2!()]);
                    x[rd!()] = a.checked_div(b).unwrap_or(u64::MAX);
                }
                Op::Rem => {
                    let (a, b) = (x[rs1!()] as i64, x[rs2!()] as i64);
                    // Remainder by zero gives the dividend; i64::MIN % -1 is 0.
                    x[rd!()] = if b == 0 {
                        a as u64
                    } else {
                        a.wrapping_rem(b) as u64
                    };
                }
                Op::Remu => {
                    let (a, b) = (x[rs1!()], x[rs2!()]);
                    x[rd!()] = if b == 0 { a } else { a % b };
                }
                Op::Mulw => x[rd!()] = sext32((x[rs1!()] as u32).wrapping_mul(x[rs2!()] as u32)),
                Op::Divw => {
                    let (a, b) = (x[rs1!()] as i32, x[rs2!()] as i32);
                    x[rd!()] = if b == 0 {
                        u64::MAX
                    } else {
                        a.wrapping_div(b) as i64 as u64
                    };
                }
                Op::Divuw => {
                    let (a, b) = (x[rs1!()] as u32, x[rs2!()] as u32);
                    x[rd!()] = a.checked_div(b).map_or(u64::MAX, sext32);
                }
                Op::Remw => {
                    let (a, b) = (x[rs1!()] as i32, x[rs2!()] as i32);
                    x[rd!()] = if b == 0 {
                        a as i64 as u64
                    } else {
                        a.wrapping_rem(b) as i64 as u64
                    };
                }
                Op::Remuw => {
                    let (a, b) = (x[rs1!()] as u32, x[rs2!()] as u32);
                    x[rd!()] = sext32(if b == 0 { a } else { a % b });
                }

                // ---- Zba, Zbb, Zbs, Zicond: one host operation each, so inline ----
                Op::AddUw => x[rd!()] = (x[rs1!()] as u32 as u64).wrapping_add(x[rs2!()]),
                Op::Sh1add => x[rd!()] = (x[rs1!()] << 1).wrapping_add(x[rs2!()]),
                Op::Sh2add => x[rd!()] = (x[rs1!()] << 2).wrapping_add(x[rs2!()]),
                Op::Sh3add => x[rd!()] = (x[rs1!()] << 3).wrapping_add(x[rs2!()]),
                Op::Sh1addUw => x[rd!()] = ((x[rs1!()] as u32 as u64) << 1).wrapping_add(x[rs2!()]),
                Op::Sh2addUw => x[rd!()] = ((x[rs1!()] as u32 as u64) << 2).wrapping_add(x[rs2!()]),
                Op::Sh3addUw => x[rd!()] = ((x[rs1!()] as u32 as u64) << 3).wrapping_add(x[rs2!()]),
                Op::SlliUw => x[rd!()] = (x[rs1!()] as u32 as u64) << (imm!() & 63),
                Op::Andn => x[rd!()] = x[rs1!()] & !x[rs2!()],
                Op::Orn => x[rd!()] = x[rs1!()] | !x[rs2!()],
                Op::Xnor => x[rd!()] = !(x[rs1!()] ^ x[rs2!()]),
                Op::Clz => x[rd!()] = x[rs1!()].leading_zeros() as u64,
                Op::Clzw => x[rd!()] = (x[rs1!()] as u32).leading_zeros() as u64,
                Op::Ctz => x[rd!()] = x[rs1!()].trailing_zeros() as u64,
                Op::Ctzw => x[rd!()] = (x[rs1!()] as u32).trailing_zeros() as u64,
                Op::Cpop => x[rd!()] = x[rs1!()].count_ones() as u64,
                Op::Cpopw => x[rd!()] = (x[rs1!()] as u32).count_ones() as u64,
                Op::Max => x[rd!()] = (x[rs1!()] as i64).max(x[rs2!()] as i64) as u64,
                Op::Maxu => x[rd!()] = x[rs1!()].max(x[rs2!()]),
                Op::Min => x[rd!()] = (x[rs1!()] as i64).min(x[rs2!()] as i64) as u64,
                Op::Minu => x[rd!()] = x[rs1!()].min(x[rs2!()]),
                Op::SextB => x[rd!()] = x[rs1!()] as i8 as i64 as u64,
                Op::SextH => x[rd!()] = x[rs1!()] as i16 as i64 as u64,
                Op::ZextH => x[rd!()] = x[rs1!()] as u16 as u64,
                Op::Rol => x[rd!()] = x[rs1!()].rotate_left(x[rs2!()] as u32 & 63),
                Op::Rolw => {
                    x[rd!()] = sext32((x[rs1!()] as u32).rotate_left(x[rs2!()] as u32 & 31))
                }
                Op::Ror => x[rd!()] = x[rs1!()].rotate_right(x[rs2!()] as u32 & 63),
                Op::Rorw => {
                    x[rd!()] = sext32((x[rs1!()] as u32).rotate_right(x[rs2!()] as u32 & 31))
                }
                Op::Rori => x[rd!()] = x[rs1!()].rotate_right(imm!() as u32 & 63),
                Op::Roriw => x[rd!()] = sext32((x[rs1!()] as u32).rotate_right(imm!() as u32 & 31)),
                Op::OrcB => x[rd!()] = orc_b(x[rs1!()]),
                Op::Rev8 => x[rd!()] = x[rs1!()].swap_bytes(),
                Op::Bclr => x[rd!()] = x[rs1!()] & !(1 << (x[rs2!()] & 63)),
                Op::Bclri => x[rd!()] = x[rs1!()] & !(1 << (imm!() & 63)),
                Op::Bext => x[rd!()] = (x[rs1!()] >> (x[rs2!()] & 63)) & 1,
                Op::Bexti => x[rd!()] = (x[rs1!()] >> (imm!() & 63)) & 1,
                Op::Binv => x[rd!()] = x[rs1!()] ^ (1 << (x[rs2!()] & 63)),
                Op::Binvi => x[rd!()] = x[rs1!()] ^ (1 << (imm!() & 63)),
                Op::Bset => x[rd!()] = x[rs1!()] | (1 << (x[rs2!()] & 63)),
                Op::Bseti => x[rd!()] = x[rs1!()] | (1 << (imm!() & 63)),
                Op::CzeroEqz => x[rd!()] = if x[rs2!()] == 0 { 0 } else { x[rs1!()] },
                Op::CzeroNez => x[rd!()] = if x[rs2!()] != 0 { 0 } else { x[rs1!()] },

                Op::Csrrw | Op::Csrrs | Op::Csrrc | Op::Csrrwi | Op::Csrrsi | Op::Csrrci => {
                    exec_csr(cpu, insn, base + (i - first) as u64)
                }

                Op::LrW
                | Op::LrD
                | Op::ScW
                | Op::ScD
                | Op::AmoswapW
                | Op::AmoaddW
                | Op::AmoxorW
                | Op::AmoandW
                | Op::AmoorW
                | Op::AmominW
                | Op::AmomaxW
                | Op::AmominuW
                | Op::AmomaxuW
                | Op::AmoswapD
                | Op::AmoaddD
                | Op::AmoxorD
                | Op::AmoandD
                | Op::AmoorD
                | Op::AmominD
                | Op::AmomaxD
                | Op::AmominuD
                | Op::AmomaxuD => match exec_atomic(cpu, mem, insn) {
                    Ok(false) => {}
                    Ok(true) => done!(code_modified(cpu, block, i)),
                    Err(AtomicTrap::Fault(f)) => done!(fault(cpu, block, i, exit, f)),
                    Err(AtomicTrap::Misaligned(addr)) => {
                        done!(trap(cpu, block, i, exit, |pc| Exit::MisalignedAtomic {
                            pc,
                            addr
                        }))
                    }
                },

                // ---- F and D: loads and stores move raw bits (flw NaN-boxes) ----
                Op::Flw => match mem.read_u32(ea!()) {
                    Ok(v) => cpu.f[frd!()] = fpu::box_f32(v),
                    Err(f) => done!(fault(cpu, block, i, exit, f)),
                },
                Op::Fld => match mem.read_u64(ea!()) {
                    Ok(v) => cpu.f[frd!()] = v,
                    Err(f) => done!(fault(cpu, block, i, exit, f)),
                },
                Op::Fsw => store!(write_u32, cpu.f[rs2!()] as u32),
                Op::Fsd => store!(write_u64, cpu.f[rs2!()]),
                // Listed in full so that the match is exhaustive: no range check before the jump.
                Op::FaddS
                | Op::FsubS
                | Op::FmulS
                | Op::FdivS
                | Op::FsqrtS
                | Op::FminS
                | Op::FmaxS
                | Op::FmaddS
                | Op::FmsubS
                | Op::FnmsubS
                | Op::FnmaddS
                | Op::FsgnjS
                | Op::FsgnjnS
                | Op::FsgnjxS
                | Op::FeqS
                | Op::FltS
                | Op::FleS
                | Op::FclassS
                | Op::FmvXW
                | Op::FmvWX
                | Op::FcvtWS
                | Op::FcvtWuS
                | Op::FcvtLS
                | Op::FcvtLuS
                | Op::FcvtSW
                | Op::FcvtSWu
                | Op::FcvtSL
                | Op::FcvtSLu
                | Op::FaddD
                | Op::FsubD
                | Op::FmulD
                | Op::FdivD
                | Op::FsqrtD
                | Op::FminD
                | Op::FmaxD
                | Op::FmaddD
                | Op::FmsubD
                | Op::FnmsubD
                | Op::FnmaddD
                | Op::FsgnjD
                | Op::FsgnjnD
                | Op::FsgnjxD
                | Op::FeqD
                | Op::FltD
                | Op::FleD
                | Op::FclassD
                | Op::FmvXD
                | Op::FmvDX
                | Op::FcvtWD
                | Op::FcvtWuD
                | Op::FcvtLD
                | Op::FcvtLuD
                | Op::FcvtDW
                | Op::FcvtDWu
                | Op::FcvtDL
                | Op::FcvtDLu
                | Op::FcvtSD
                | Op::FcvtDS => {
                    if !exec_fp(cpu, insn) {
                        done!(illegal(cpu, mem, block, i, exit))
                    }
                }
            }
        }
        cpu.pc = match block.insns.get(limit) {
            Some(n) => block.pc + n.pc_off as u64,
            None => block.end_pc,
        };
        return (base + (limit - first) as u64, End::Next);
    }
}

/// Executes a CSR instruction (legality was checked at decode). `cpu.instret + before`
/// instructions have retired before it.
#[inline(never)]
fn exec_csr(cpu: &mut Cpu, insn: &Insn, before: u64) {
    let num = insn.imm as u32;
    let src = match insn.op {
        Op::Csrrw | Op::Csrrs | Op::Csrrc => cpu.x[insn.rs1 as usize & 31],
        _ => insn.rs1 as u64,
    };
    let old = csr::read(cpu, num, cpu.instret.wrapping_add(before));
    match insn.op {
        Op::Csrrw | Op::Csrrwi => csr::write(cpu, num, src),
        // With a zero source field these do not write at all (no write side effects).
        Op::Csrrs | Op::Csrrsi if insn.rs1 != 0 => csr::write(cpu, num, old | src),
        Op::Csrrc | Op::Csrrci if insn.rs1 != 0 => csr::write(cpu, num, old & !src),
        _ => {}
    }
    cpu.x[insn.rd as usize & 63] = old;
}

/// Why an atomic instruction did not complete.
enum AtomicTrap {
    Fault(MemFault),
    Misaligned(u64),
}

/// Executes an LR, SC or AMO. Returns whether its store hit a page holding cached code. On
/// error nothing was changed.
#[inline(never)]
fn exec_atomic(cpu: &mut Cpu, mem: &mut GuestMemory, insn: &Insn) -> Result<bool, AtomicTrap> {
    use Op::*;
    let addr = cpu.x[insn.rs1 as usize & 31];
    let src = cpu.x[insn.rs2 as usize & 31];
    let rd = insn.rd as usize & 63;
    let word = matches!(
        insn.op,
        LrW | ScW
            | AmoswapW
            | AmoaddW
            | AmoxorW
            | AmoandW
            | AmoorW
            | AmominW
            | AmomaxW
            | AmominuW
            | AmomaxuW
    );
    if addr & if word { 3 } else { 7 } != 0 {
        return Err(AtomicTrap::Misaligned(addr));
    }
    let load = |mem: &GuestMemory| {
        if word {
            mem.read_u32(addr).map(sext32)
        } else {
            mem.read_u64(addr)
        }
    };
    // A store's outcome: Ok(code page hit?).
    let store = |mem: &mut GuestMemory, v: u64| {
        let r = if word {
            mem.write_u32(addr, v as u32)
        } else {
            mem.write_u64(addr, v)
        };
        match r {
            Ok(()) => Ok(false),
            Err(StoreError::CodeModified) => Ok(true),
            Err(StoreError::Fault(f)) => Err(AtomicTrap::Fault(f)),
        }
    };
    match insn.op {
        LrW | LrD => {
            cpu.x[rd] = load(mem).map_err(AtomicTrap::Fault)?;
            cpu.reservation = Some(addr);
            Ok(false)
        }
        ScW | ScD => {
            // Only a matching reservation lets the store happen; sc always gives it up.
            let ok = cpu.reservation == Some(addr);
            let code = if ok { store(mem, src)? } else { false };
            cpu.reservation = None;
            cpu.x[rd] = !ok as u64;
            Ok(code)
        }
        _ => {
            // Both widths compute on sign-extended 64-bit values: for W ops the low 32 bits
            // of the result are the same, and signed/unsigned order on sign-extended 32-bit
            // values matches their 32-bit order.
            let old = load(mem).map_err(AtomicTrap::Fault)?;
            let new = match insn.op {
                AmoswapW | AmoswapD => src,
                AmoaddW | AmoaddD => old.wrapping_add(src),
                AmoxorW | AmoxorD => old ^ src,
                AmoandW | AmoandD => old & src,
                AmoorW | AmoorD => old | src,
                AmominW => (old as i64).min(src as i32 as i64) as u64,
                AmomaxW => (old as i64).max(src as i32 as i64) as u64,
                AmominuW => (old as u32).min(src as u32) as u64,
                AmomaxuW => (old as u32).max(src as u32) as u64,
                AmominD => (old as i64).min(src as i64) as u64,
                AmomaxD => (old as i64).max(src as i64) as u64,
                AmominuD => old.min(src),
                _ => old.max(src),
            };
            let code = store(mem, new)?;
            cpu.x[rd] = old;
            Ok(code)
        }
    }
}

/// Executes an F or D computational instruction. Returns false when the rounding mode is
/// illegal (dynamic, with `frm` holding a reserved value); nothing is changed then. Out of
/// line: FP work dwarfs a call, and keeping it apart keeps the integer loop's registers free.
#[inline(never)]
fn exec_fp(cpu: &mut Cpu, insn: &Insn) -> bool {
    use fpu::{box_f32, unbox_f32};
    let rd = insn.rd as usize & 63;
    let frd = insn.rd as usize & 31;
    let (rs1, rs2, rs3) = (
        insn.rs1 as usize & 31,
        insn.rs2 as usize & 31,
        insn.rs3 as usize & 31,
    );
    let Some(rm) = rounding(insn.rm, cpu.frm) else {
        return false;
    };
    let fl = &mut cpu.fflags;
    let f = &mut cpu.f;
    let x = &mut cpu.x;
    // Single-precision operands are unboxed (an improperly boxed value reads as the canonical
    // NaN); results are boxed.
    let (s1, s2, s3) = (unbox_f32(f[rs1]), unbox_f32(f[rs2]), unbox_f32(f[rs3]));
    let (d1, d2, d3) = (f[rs1], f[rs2], f[rs3]);
    match insn.op {
        Op::FaddS => f[frd] = box_f32(fpu::f32_add(s1, s2, rm, fl)),
        Op::FsubS => f[frd] = box_f32(fpu::f32_sub(s1, s2, rm, fl)),
        Op::FmulS => f[frd] = box_f32(fpu::f32_mul(s1, s2, rm, fl)),
        Op::FdivS => f[frd] = box_f32(fpu::f32_div(s1, s2, rm, fl)),
        Op::FsqrtS => f[frd] = box_f32(fpu::f32_sqrt(s1, rm, fl)),
        Op::FminS => f[frd] = box_f32(fpu::f32_min(s1, s2, fl)),
        Op::FmaxS => f[frd] = box_f32(fpu::f32_max(s1, s2, fl)),
        Op::FmaddS => f[frd] = box_f32(fpu::f32_fmadd(s1, s2, s3, rm, fl)),
        Op::FmsubS => f[frd] = box_f32(fpu::f32_fmsub(s1, s2, s3, rm, fl)),
        Op::FnmsubS => f[frd] = box_f32(fpu::f32_fnmsub(s1, s2, s3, rm, fl)),
        Op::FnmaddS => f[frd] = box_f32(fpu::f32_fnmadd(s1, s2, s3, rm, fl)),
        Op::FsgnjS => f[frd] = box_f32(fpu::f32_sgnj(s1, s2)),
        Op::FsgnjnS => f[frd] = box_f32(fpu::f32_sgnjn(s1, s2)),
        Op::FsgnjxS => f[frd] = box_f32(fpu::f32_sgnjx(s1, s2)),
        Op::FeqS => x[rd] = fpu::f32_eq(s1, s2, fl) as u64,
        Op::FltS => x[rd] = fpu::f32_lt(s1, s2, fl) as u64,
        Op::FleS => x[rd] = fpu::f32_le(s1, s2, fl) as u64,
        Op::FclassS => x[rd] = fpu::f32_classify(s1),
        // fmv.x.w moves the raw low 32 bits (no unboxing), sign-extended.
        Op::FmvXW => x[rd] = sext32(d1 as u32),
        Op::FmvWX => f[frd] = box_f32(x[rs1] as u32),
        Op::FcvtWS => x[rd] = fpu::f32_to_i32(s1, rm, fl),
        Op::FcvtWuS => x[rd] = fpu::f32_to_u32(s1, rm, fl),
        Op::FcvtLS => x[rd] = fpu::f32_to_i64(s1, rm, fl),
        Op::FcvtLuS => x[rd] = fpu::f32_to_u64(s1, rm, fl),
        Op::FcvtSW => f[frd] = box_f32(fpu::i32_to_f32(x[rs1] as i32, rm, fl)),
        Op::FcvtSWu => f[frd] = box_f32(fpu::u32_to_f32(x[rs1] as u32, rm, fl)),
        Op::FcvtSL => f[frd] = box_f32(fpu::i64_to_f32(x[rs1] as i64, rm, fl)),
        Op::FcvtSLu => f[frd] = box_f32(fpu::u64_to_f32(x[rs1], rm, fl)),

        Op::FaddD => f[frd] = fpu::f64_add(d1, d2, rm, fl),
        Op::FsubD => f[frd] = fpu::f64_sub(d1, d2, rm, fl),
        Op::FmulD => f[frd] = fpu::f64_mul(d1, d2, rm, fl),
        Op::FdivD => f[frd] = fpu::f64_div(d1, d2, rm, fl),
        Op::FsqrtD => f[frd] = fpu::f64_sqrt(d1, rm, fl),
        Op::FminD => f[frd] = fpu::f64_min(d1, d2, fl),
        Op::FmaxD => f[frd] = fpu::f64_max(d1, d2, fl),
        Op::FmaddD => f[frd] = fpu::f64_fmadd(d1, d2, d3, rm, fl),
        Op::FmsubD => f[frd] = fpu::f64_fmsub(d1, d2, d3, rm, fl),
        Op::FnmsubD => f[frd] = fpu::f64_fnmsub(d1, d2, d3, rm, fl),
        Op::FnmaddD => f[frd] = fpu::f64_fnmadd(d1, d2, d3, rm, fl),
        Op::FsgnjD => f[frd] = fpu::f64_sgnj(d1, d2),
        Op::FsgnjnD => f[frd] = fpu::f64_sgnjn(d1, d2),
        Op::FsgnjxD => f[frd] = fpu::f64_sgnjx(d1, d2),
        Op::FeqD => x[rd] = fpu::f64_eq(d1, d2, fl) as u64,
        Op::FltD => x[rd] = fpu::f64_lt(d1, d2, fl) as u64,
        Op::FleD => x[rd] = fpu::f64_le(d1, d2, fl) as u64,
        Op::FclassD => x[rd] = fpu::f64_classify(d1),
        Op::FmvXD => x[rd] = d1,
        Op::FmvDX => f[frd] = x[rs1],
        Op::FcvtWD => x[rd] = fpu::f64_to_i32(d1, rm, fl),
        Op::FcvtWuD => x[rd] = fpu::f64_to_u32(d1, rm, fl),
        Op::FcvtLD => x[rd] = fpu::f64_to_i64(d1, rm, fl),
        Op::FcvtLuD => x[rd] = fpu::f64_to_u64(d1, rm, fl),
        Op::FcvtDW => f[frd] = fpu::i32_to_f64(x[rs1] as i32, rm, fl),
        Op::FcvtDWu => f[frd] = fpu::u32_to_f64(x[rs1] as u32, rm, fl),
        Op::FcvtDL => f[frd] = fpu::i64_to_f64(x[rs1] as i64, rm, fl),
        Op::FcvtDLu => f[frd] = fpu::u64_to_f64(x[rs1], rm, fl),
        Op::FcvtSD => f[frd] = box_f32(fpu::f64_to_f32(d1, rm, fl)),
        Op::FcvtDS => f[frd] = fpu::f32_to_f64(s1, fl),
        // Every other op is handled by the caller.
        _ => {}
    }
    true
}
