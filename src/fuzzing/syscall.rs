//! Fuzz target `syscall`: a tiny guest makes a list of syscalls with arbitrary numbers and
//! arguments, through the same dispatcher and run loop as any program. Calls that block,
//! create threads, take signals or end the run are all fine; rvrun must not panic or hang,
//! and two runs must end the same way.
//!
//! Input layout: a header byte (bits 0..3: number of calls minus one; bit 4: answer unknown
//! syscalls with ENOSYS), then per call a 16-bit number (bit 15 set: a raw 64-bit number
//! follows) and six tagged arguments (see [`arg`]), then the bytes of the guest's scratch
//! area, which pointer arguments point into.

use super::image::{self, PF_R, PF_W, PF_X, Segment, enc, reg};
use super::{Bytes, Capture};
use crate::config::RunConfig;
use crate::kernel::process::{ExitReason, Process};
use crate::mem::GUEST_SPACE;
use crate::vfs::HostStdio;

/// Instructions a run may take (all threads).
pub const MAX_INSNS: u64 = 200_000;
/// Most calls one input makes.
pub const MAX_CALLS: usize = 16;
/// Size of the scratch area (file bytes plus zeros).
pub const SCRATCH_SIZE: u64 = 64 << 10;

const CODE_PAGE: u64 = 0x10000;
const TABLE_PAGE: u64 = 0x100000;
const STRINGS_PAGE: u64 = 0x200000;
const SCRATCH_PAGE: u64 = 0x300000;

/// Paths and names pointer arguments may name.
const STRINGS: [&str; 18] = [
    "/",
    "/tmp",
    "/tmp/f",
    "/dev/null",
    "/dev/zero",
    "/dev/urandom",
    "/proc/self/maps",
    "/proc/self/exe",
    ".",
    "..",
    "",
    "a",
    "/etc/passwd",
    "/proc/self/fd/0",
    "/dev/stdin",
    "/tmp/d/",
    "/proc/self/status",
    "/prog",
];

const INTERESTING: [u64; 16] = [
    0,
    1,
    u64::MAX,
    0x7fff_ffff_ffff_ffff,
    0x8000_0000_0000_0000,
    0xffff_ffff,
    0x8000_0000,
    4096,
    4095,
    1 << 20,
    1 << 32,
    GUEST_SPACE,
    GUEST_SPACE - 1,
    GUEST_SPACE - 4096,
    u64::MAX - 4095,
    0x7fff_ffff,
];

/// Where the parts of the guest landed.
struct Layout {
    code: u64,
    table: u64,
    strings: u64,
    scratch: u64,
}

/// Everything a run shows.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    reason: ExitReason,
    insns: u64,
    syscalls: u64,
    regs: Vec<u64>,
    /// The call table after the run: each call's number slot holds its result.
    table: Option<Vec<u8>>,
    stdout: (Vec<u8>, u64),
    stderr: (Vec<u8>, u64),
}

/// The target body.
pub fn run(data: &[u8]) {
    let first = once(data);
    let second = once(data);
    assert_eq!(first, second, "two runs of the same syscalls differ");
}

/// One argument, by tag: a small int, a u32, a raw u64, a pointer into the scratch area, a
/// path, an fd-like value, an interesting value, or an address of the guest's own parts.
fn arg(b: &mut Bytes, at: &Layout) -> u64 {
    match b.u8() % 8 {
        0 => b.u8() as i8 as i64 as u64,
        1 => b.le::<4>(),
        2 => b.le::<8>(),
        3 => at.scratch + b.le::<2>() % SCRATCH_SIZE,
        4 => {
            let i = b.u8() as usize % STRINGS.len();
            at.strings + STRINGS[..i].iter().map(|s| s.len() as u64 + 1).sum::<u64>()
        }
        5 => [-100i64, 0, 1, 2, 3, 4, 5, 6, -1][b.u8() as usize % 9] as u64,
        6 => INTERESTING[b.u8() as usize % INTERESTING.len()],
        _ => [
            at.code,
            at.code + 12,
            at.table,
            at.scratch + SCRATCH_SIZE,
            at.scratch + SCRATCH_SIZE - 8,
            at.strings,
        ][b.u8() as usize % 6],
    }
}

/// The guest: `for each call: a7, a0..a5 = record; ecall; record[0] = a0`, then
/// `exit_group(0)`.
fn program(data: &[u8]) -> (Vec<u8>, bool, u64, usize) {
    use enc::*;
    use reg::*;
    let mut b = Bytes::new(data);
    let head = b.u8();
    let calls = 1 + (head & 15) as usize;
    let allow_unsupported = head & 0x10 != 0;
    // The records are encoded after the layout is known; read their bytes now.
    let mut specs = Vec::new();
    for _ in 0..calls {
        let nr = b.le::<2>();
        let nr = if nr & 0x8000 != 0 {
            b.le::<8>()
        } else {
            nr % 512
        };
        let start = b.rest();
        // Skip this call's arguments to find the scratch bytes; they are decoded below.
        let dummy = Layout {
            code: 0,
            table: 0,
            strings: 0,
            scratch: 0,
        };
        for _ in 0..6 {
            arg(&mut b, &dummy);
        }
        let used = start.len() - b.rest().len();
        specs.push((nr, &start[..used]));
    }
    let scratch = &b.rest()[..b.rest().len().min(4096)];
    let strings: Vec<u8> = STRINGS
        .iter()
        .flat_map(|s| s.bytes().chain(std::iter::once(0)))
        .collect();
    let table_len = calls * 56;
    let segments = |code: Vec<u8>, table: Vec<u8>| {
        [
            Segment {
                page: CODE_PAGE,
                flags: PF_R | PF_X,
                data: code,
                bss: 0,
            },
            Segment {
                page: TABLE_PAGE,
                flags: PF_R | PF_W,
                data: table,
                bss: 0,
            },
            Segment {
                page: STRINGS_PAGE,
                flags: PF_R,
                data: strings.clone(),
                bss: 0,
            },
            Segment {
                page: SCRATCH_PAGE,
                flags: PF_R | PF_W,
                data: scratch.to_vec(),
                bss: SCRATCH_SIZE - scratch.len() as u64,
            },
        ]
    };
    let code = |table: u64| -> Vec<u8> {
        let mut w = Vec::new();
        w.extend(li(S0, table as i32));
        w.push(addi(S1, ZERO, calls as i32));
        // loop (word 3):
        w.push(beq(S1, ZERO, 13 * 4));
        w.push(ld(A7, S0, 0));
        for i in 0..6 {
            w.push(ld(A0 + i, S0, 8 * (i as i32 + 1)));
        }
        w.push(ECALL);
        w.push(sd(A0, S0, 0));
        w.push(addi(S0, S0, 56));
        w.push(addi(S1, S1, -1));
        w.push(jal(ZERO, -12 * 4));
        // done (word 16):
        w.push(addi(A7, ZERO, 94));
        w.push(addi(A0, ZERO, 0));
        w.push(ECALL);
        w.push(jal(ZERO, -12));
        image::code(&w)
    };
    // First pass: where everything lands (sizes do not depend on the contents).
    let mut addrs = Vec::new();
    image::build(&segments(code(0), vec![0; table_len]), |a| {
        addrs = a.to_vec();
        a[0]
    });
    let at = Layout {
        code: addrs[0],
        table: addrs[1],
        strings: addrs[2],
        scratch: addrs[3],
    };
    let mut table = Vec::with_capacity(table_len);
    for (nr, bytes) in specs {
        table.extend_from_slice(&nr.to_le_bytes());
        let mut b = Bytes::new(bytes);
        for _ in 0..6 {
            table.extend_from_slice(&arg(&mut b, &at).to_le_bytes());
        }
    }
    let elf = image::build(&segments(code(at.table), table), |a| a[0]);
    (elf, allow_unsupported, at.table, table_len)
}

/// How one run of `data` ends, as text (for looking at an input by hand).
pub fn describe(data: &[u8]) -> String {
    format!("{:#?}", once(data))
}

fn once(data: &[u8]) -> Outcome {
    let (elf, allow_unsupported, table_addr, len) = program(data);
    let config = RunConfig {
        argv: vec!["/prog".to_string()],
        max_insns: Some(MAX_INSNS),
        allow_unsupported,
        ..RunConfig::default()
    };
    let mut p = Process::new(&config, "/prog", &elf).expect("the built guest loads");
    let (stdout, stderr) = (Capture::default(), Capture::default());
    p.vfs.set_stdio(HostStdio {
        stdin: Box::new(&b"fuzz input line\n"[..]),
        stdout: Box::new(stdout.clone()),
        stderr: Box::new(stderr.clone()),
    });
    let reason = p.run();
    let table = p
        .mem
        .is_mapped(table_addr, len as u64)
        .then(|| p.mem.peek(table_addr, len).map(<[u8]>::to_vec))
        .flatten();
    Outcome {
        reason,
        insns: p.insns,
        syscalls: p.stats.syscalls,
        regs: p.cpu.x[..32].to_vec(),
        table,
        stdout: stdout.contents(),
        stderr: stderr.contents(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The guest makes the calls it is given, with pointers into its own memory: openat,
    /// write, lseek, read, close on a new file, and every result lands in the table.
    #[test]
    fn the_guest_makes_its_calls() {
        let z: [u8; 2] = [0, 0];
        let mut input = vec![4u8];
        let calls: [(u16, [&[u8]; 6]); 5] = [
            (
                56,
                [&[5, 0], &[4, 2], &[0, 0x42], &[1, 0xa4, 1, 0, 0], &z, &z],
            ),
            (64, [&[5, 4], &[3, 0, 0], &[0, 8], &z, &z, &z]),
            (62, [&[5, 4], &z, &z, &z, &z, &z]),
            (63, [&[5, 4], &[3, 64, 0], &[0, 8], &z, &z, &z]),
            (57, [&[5, 4], &z, &z, &z, &z, &z]),
        ];
        for (nr, args) in calls {
            input.extend_from_slice(&nr.to_le_bytes());
            for a in args {
                input.extend_from_slice(a);
            }
        }
        input.extend_from_slice(b"contents");
        run(&input);
        let o = once(&input);
        assert_eq!(o.reason, ExitReason::Exited(0));
        assert_eq!(o.syscalls, 6);
        let table = o.table.expect("table mapped");
        let results: Vec<u64> = (0..5)
            .map(|i| u64::from_le_bytes(table[i * 56..i * 56 + 8].try_into().unwrap()))
            .collect();
        assert_eq!(results, [3, 8, 0, 8, 0]);
    }
}
