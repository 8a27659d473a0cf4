//! Replays the fuzz corpus without libFuzzer: every file under `fuzz/corpus/<target>/`
//! (seeds and the inputs fuzzing kept) and `fuzz/regressions/<target>/` (inputs that once
//! made rvrun panic, hang or abort) goes through the target's body in
//! [`rvrun::fuzzing`]. Any panic fails the test, naming the input.
//!
//! `cargo test --release --test fuzz_corpus -- --ignored write_seeds` regenerates the
//! built-in seeds (`seed-*` files); see the README's "Fuzzing" section.

use rvrun::fuzzing::image::{self, PF_R, PF_W, PF_X, Segment, enc, reg};
use rvrun::fuzzing::{TARGETS, Target};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The files of `dir`, sorted (none when it does not exist).
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect(),
        Err(_) => Vec::new(),
    };
    v.sort();
    v
}

/// Runs every input of `target` under `base` (`corpus/` and `regressions/`); returns how
/// many ran and which panicked.
fn replay_in(base: &Path, target: &Target) -> (usize, Vec<String>) {
    let mut ran = 0;
    let mut failed = Vec::new();
    for kind in ["corpus", "regressions"] {
        for path in files(&base.join(kind).join(target.name)) {
            let data = std::fs::read(&path).expect("read corpus file");
            ran += 1;
            if catch_unwind(AssertUnwindSafe(|| (target.run)(&data))).is_err() {
                failed.push(path.display().to_string());
            }
        }
    }
    (ran, failed)
}

fn replay(target: &Target) {
    let (ran, failed) = replay_in(&fuzz_dir(), target);
    assert!(ran > 0, "no corpus for fuzz target {}", target.name);
    assert!(
        failed.is_empty(),
        "fuzz target {}: {} of {ran} inputs panic:\n{}",
        target.name,
        failed.len(),
        failed.join("\n")
    );
}

fn target(name: &str) -> &'static Target {
    TARGETS
        .iter()
        .find(|t| t.name == name)
        .expect("known target")
}

#[test]
fn replay_elf() {
    replay(target("elf"));
}

#[test]
fn replay_insn() {
    replay(target("insn"));
}

#[test]
fn replay_syscall() {
    replay(target("syscall"));
}

#[test]
fn replay_trace() {
    replay(target("trace"));
}

/// Every target has a test above.
#[test]
fn every_target_is_replayed() {
    let names: Vec<&str> = TARGETS.iter().map(|t| t.name).collect();
    assert_eq!(names, ["elf", "insn", "syscall", "trace"]);
}

/// A regression input that panics is reported (the replay cannot pass vacuously).
#[test]
fn a_panicking_input_fails_the_replay() {
    let dir = tempfile::tempdir().unwrap();
    for (kind, name, data) in [("corpus", "a", "fine"), ("regressions", "b", "boom")] {
        let d = dir.path().join(kind).join("t");
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join(name), data).unwrap();
    }
    let t = Target {
        name: "t",
        run: |d| assert!(d != b"boom", "boom"),
    };
    let (ran, failed) = replay_in(dir.path(), &t);
    assert_eq!(ran, 2);
    assert_eq!(failed.len(), 1);
    assert!(failed[0].ends_with("regressions/t/b"), "{failed:?}");
}

// ---- seeds ----

fn write(target: &str, name: &str, data: &[u8]) {
    let dir = fuzz_dir().join("corpus").join(target);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("seed-{name}")), data).unwrap();
}

/// One call of the `syscall` target: its number and six (tag, payload) arguments.
type Call<'a> = (u16, [(u8, &'a [u8]); 6]);

/// The `syscall` target's input for `calls`.
fn syscall_input(flags: u8, calls: &[Call], scratch: &[u8]) -> Vec<u8> {
    let mut v = vec![(calls.len() as u8 - 1) | flags];
    for (nr, args) in calls {
        v.extend_from_slice(&nr.to_le_bytes());
        for (tag, payload) in args {
            v.push(*tag);
            v.extend_from_slice(payload);
        }
    }
    v.extend_from_slice(scratch);
    v
}

/// Writes the built-in seeds into `fuzz/corpus/`.
#[test]
#[ignore]
fn write_seeds() {
    use enc::*;
    use reg::*;
    // elf: tiny programs.
    write("elf", "hello", &image::hello(b"hello\n", 3));
    let spin = image::code(&[addi(A0, A0, 1), jal(ZERO, -4)]);
    write("elf", "spin", &image::exec_only(&spin));
    let bss = image::build(
        &[
            Segment {
                page: 0x10000,
                flags: PF_R | PF_X,
                data: image::code(&[
                    li(S0, 0x20000)[0],
                    li(S0, 0x20000)[1],
                    sd(S0, S0, 8),
                    ld(A0, S0, 8),
                    addi(A7, ZERO, 93),
                    ECALL,
                ]),
                bss: 0,
            },
            Segment {
                page: 0x20000,
                flags: PF_R | PF_W,
                data: b"data".to_vec(),
                bss: 3 << 12,
            },
        ],
        |a| a[0],
    );
    write("elf", "bss", &bss);

    // insn: header (flags, fcsr, 14 register choices) then code.
    let header = |flags: u8| {
        let mut h = vec![flags, 0];
        h.extend(0u8..14);
        h
    };
    let mut loop_ = header(0x30);
    loop_.extend(image::code(&[
        addi(A0, ZERO, 100),
        addi(A0, A0, -1),
        sd(A0, S0, 0),
        ld(A1, S0, 0),
        beq(A0, ZERO, 8),
        jal(ZERO, -16),
        ECALL,
        0x0010_0073, // ebreak
    ]));
    write("insn", "loop", &loop_);
    let mut smc = header(0x01);
    smc.extend(image::code(&[
        // auipc a1, 0; sw zero, 8(a1) overwrites the next-next instruction.
        (11 << 7) | 0x17,
        (2 << 12) | (11 << 15) | (8 << 7) | 0x23,
        addi(A0, ZERO, 1),
        addi(A0, A0, 2),
    ]));
    write("insn", "self-modifying", &smc);
    // Instructions from real programs' code, if the guests are built.
    if let Ok(guests) = std::env::var("RVRUN_GUESTS") {
        for (prog, off) in [("c-musl/float", 0x1000), ("c-musl/threads", 0x2000)] {
            if let Ok(bytes) = std::fs::read(Path::new(&guests).join(prog)) {
                let mut s = header(0x10);
                s.extend_from_slice(&bytes[off..off + 1024]);
                write("insn", &prog.replace('/', "-"), &s);
            }
        }
    }

    // syscall: (tag, payload) arguments: 0 small int, 3 scratch pointer, 4 string, 5 fd.
    let z: (u8, &[u8]) = (0, &[0]);
    write(
        "syscall",
        "write",
        &syscall_input(
            0,
            &[(64, [(5, &[2]), (3, &[0, 0]), (0, &[5]), z, z, z])],
            b"hello",
        ),
    );
    write(
        "syscall",
        "open-read-write",
        &syscall_input(
            0,
            &[
                // openat(AT_FDCWD, "/tmp/f", O_CREAT|O_RDWR, 0644)
                (
                    56,
                    [
                        (5, &[0]),
                        (4, &[2]),
                        (0, &[0x42]),
                        (1, &[0xa4, 1, 0, 0]),
                        z,
                        z,
                    ],
                ),
                // write(3, scratch, 8)
                (64, [(5, &[4]), (3, &[0, 0]), (0, &[8]), z, z, z]),
                // lseek(3, 0, SEEK_SET)
                (62, [(5, &[4]), z, z, z, z, z]),
                // read(3, scratch+64, 8)
                (63, [(5, &[4]), (3, &[64, 0]), (0, &[8]), z, z, z]),
                // getdents64(AT_FDCWD-ish fd 3) and close(3)
                (61, [(5, &[4]), (3, &[0, 1]), (0, &[100]), z, z, z]),
                (57, [(5, &[4]), z, z, z, z, z]),
            ],
            b"contents",
        ),
    );
    write(
        "syscall",
        "mm",
        &syscall_input(
            0x10,
            &[
                // mmap(0, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
                (
                    222,
                    [
                        z,
                        (1, &[0, 0x20, 0, 0]),
                        (0, &[3]),
                        (0, &[0x22]),
                        (5, &[8]),
                        z,
                    ],
                ),
                (214, [z, z, z, z, z, z]),
                (226, [(7, &[3]), (1, &[0, 0x10, 0, 0]), (0, &[1]), z, z, z]),
                (215, [(7, &[3]), (1, &[0, 0x10, 0, 0]), z, z, z, z]),
            ],
            b"",
        ),
    );
    write(
        "syscall",
        "threads-signals",
        &syscall_input(
            0,
            &[
                // clone(CLONE_VM|CLONE_THREAD|CLONE_SIGHAND, stack)
                (220, [(1, &[0, 0x0f, 0x01, 0]), (7, &[4]), z, z, z, z]),
                (124, [z, z, z, z, z, z]),
                // rt_sigaction(SIGUSR1, scratch, 0, 8)
                (134, [(0, &[10]), (3, &[0, 0]), z, (0, &[8]), z, z]),
                (129, [(1, &[0xe8, 3, 0, 0]), (0, &[10]), z, z, z, z]),
                // pipe2(scratch+128) then read from the empty pipe (blocks)
                (59, [(3, &[128, 0]), z, z, z, z, z]),
                (63, [(5, &[4]), (3, &[0, 2]), (0, &[4]), z, z, z]),
            ],
            b"",
        ),
    );
    write(
        "syscall",
        "time-random",
        &syscall_input(
            0,
            &[
                (113, [(0, &[1]), (3, &[0, 0]), z, z, z, z]),
                (278, [(3, &[16, 0]), (0, &[16]), z, z, z, z]),
                (101, [(3, &[0, 0]), (3, &[32, 0]), z, z, z, z]),
                (160, [(3, &[0, 1]), z, z, z, z, z]),
            ],
            &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0],
        ),
    );
}
