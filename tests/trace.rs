//! Instruction traces (`rvrun run --trace`) and `rvrun trace dump|stats|diff`, on real guest
//! programs: what the records say, that they replay the run's memory, that equal inputs give
//! byte-identical traces and that `diff` finds where two runs part.
//!
//! Needs the guest binaries: `RVRUN_GUESTS=/abs/path/build/guests` (`make test` sets it).
//! Fails, rather than skips, when they are missing.

mod common;

use common::guest;
use rvrun::mem::MemWrite;
use rvrun::trace::format::{AccessKind, Record};
use rvrun::trace::{Entry, TraceReader};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Runs rvrun with `args` and `stdin` as its stdin.
fn rvrun(args: &[&str], stdin: &[u8]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("stdin");
    std::fs::write(&input, stdin).unwrap();
    Command::new(env!("CARGO_BIN_EXE_rvrun"))
        .args(args)
        .stdin(Stdio::from(std::fs::File::open(&input).unwrap()))
        .output()
        .expect("run rvrun")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs `run --trace DIR/TAG.trace ARGS` and returns the trace's path and rvrun's output.
fn traced(dir: &Path, tag: &str, args: &[&str], stdin: &[u8]) -> (PathBuf, Output) {
    let t = dir.join(format!("{tag}.trace"));
    let mut a = vec!["run", "--trace", t.to_str().unwrap()];
    a.extend_from_slice(args);
    let o = rvrun(&a, stdin);
    assert!(t.is_file(), "no trace written: {}", text(&o.stderr));
    (t, o)
}

fn entries(t: &Path) -> Vec<Entry> {
    TraceReader::open(t)
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

fn trace_cmd(args: &[&str]) -> Output {
    let mut a = vec!["trace"];
    a.extend_from_slice(args);
    rvrun(&a, b"")
}

/// Memory rebuilt from a trace alone: the initial image and kernel writes, plus every
/// instruction's stores. Checks that every instruction's encoding and every value read are
/// what this memory holds, i.e. that the trace is complete.
fn replay_memory(entries: &[Entry]) {
    let mut pages: BTreeMap<u64, Box<[u8; 4096]>> = BTreeMap::new();
    fn get(pages: &BTreeMap<u64, Box<[u8; 4096]>>, a: u64) -> u8 {
        pages.get(&(a >> 12)).map_or(0, |p| p[(a & 4095) as usize])
    }
    fn set(pages: &mut BTreeMap<u64, Box<[u8; 4096]>>, a: u64, v: u8) {
        pages.entry(a >> 12).or_insert_with(|| Box::new([0; 4096]))[(a & 4095) as usize] = v;
    }
    let load = |pages: &BTreeMap<u64, Box<[u8; 4096]>>, a: u64, n: u64| {
        (0..n).fold(0u64, |v, i| v | u64::from(get(pages, a + i)) << (8 * i))
    };
    for e in entries {
        match &e.record {
            Record::Mem(MemWrite::Bytes { addr, data }) => {
                for (i, b) in data.iter().enumerate() {
                    set(&mut pages, addr + i as u64, *b);
                }
            }
            Record::Mem(MemWrite::Zero { addr, len }) => {
                let keys: Vec<u64> = pages
                    .range(addr >> 12..=(addr + len - 1) >> 12)
                    .map(|(k, _)| *k)
                    .collect();
                for k in keys {
                    for a in (k << 12).max(*addr)..((k + 1) << 12).min(addr + len) {
                        set(&mut pages, a, 0);
                    }
                }
            }
            Record::Mem(MemWrite::Copy { src, dst, len }) => {
                let bytes: Vec<u8> = (0..*len).map(|i| get(&pages, src + i)).collect();
                for (i, b) in bytes.iter().enumerate() {
                    set(&mut pages, dst + i as u64, *b);
                }
            }
            Record::Insn(i) => {
                assert_eq!(
                    load(&pages, i.pc, i.size()),
                    u64::from(i.raw),
                    "record {}: the encoding at 0x{:x} is not in memory",
                    e.index,
                    i.pc
                );
                if let Some(a) = i.access {
                    if a.kind.reads() {
                        assert_eq!(
                            load(&pages, a.addr, a.width.into()),
                            a.read,
                            "record {}: value read at 0x{:x}",
                            e.index,
                            a.addr
                        );
                    }
                    if a.kind.writes() {
                        for k in 0..u64::from(a.width) {
                            set(&mut pages, a.addr + k, (a.written >> (8 * k)) as u8);
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

#[test]
fn hello_trace_starts_at_the_entry_and_ends_with_the_exit() {
    let dir = tempfile::tempdir().unwrap();
    let hello = guest("c-musl/hello");
    let (t, o) = traced(dir.path(), "hello", &[&hello], b"");
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), "Hello, world!\n");

    let elf = std::fs::read(&hello).unwrap();
    // e_entry (an ET_EXEC: no load bias).
    let entry = u64::from_le_bytes(elf[24..32].try_into().unwrap());
    let reader = TraceReader::open(&t).unwrap();
    assert_eq!(reader.header().start.entry, entry);
    assert_eq!(reader.header().inputs.argv, vec![hello.clone()]);
    let es = entries(&t);
    let first = es
        .iter()
        .find_map(|e| match &e.record {
            Record::Insn(i) => Some(i),
            _ => None,
        })
        .unwrap();
    assert_eq!(first.pc, entry, "the first instruction is at the ELF entry");
    // The syscalls, in order, with writev's count of bytes.
    let calls: Vec<(u64, Option<u64>)> = es
        .iter()
        .filter_map(|e| match &e.record {
            Record::Syscall { nr, result, .. } => Some((*nr, *result)),
            _ => None,
        })
        .collect();
    assert_eq!(calls.last(), Some(&(94, None)), "exit_group has no result");
    assert!(
        calls.contains(&(66, Some(14))),
        "writev of 14 bytes: {calls:?}"
    );
    assert!(matches!(
        es[es.len() - 2].record,
        Record::Exit(rvrun::kernel::process::ExitReason::Exited(0))
    ));

    // The dump: the first instruction by name, the syscall line, the end.
    let d = trace_cmd(&["dump", t.to_str().unwrap()]);
    assert!(d.status.success(), "{}", text(&d.stderr));
    let out = text(&d.stdout);
    let first_line = out
        .lines()
        .find(|l| l.contains(" <"))
        .expect("an instruction line");
    assert!(
        first_line.contains(&format!("0x{entry:x} <_start+0x0>")),
        "{first_line}"
    );
    assert!(
        out.contains("syscall writev(1, 0x") && out.contains(", 2) = 14"),
        "{out}"
    );
    assert!(out.contains("exit 0\n"));
    assert!(out.lines().last().unwrap().contains("checksum ok"));
}

#[test]
fn read_records_the_bytes_it_stored() {
    let dir = tempfile::tempdir().unwrap();
    let (t, o) = traced(dir.path(), "cat", &[&guest("c-musl/cat")], b"hello trace\n");
    assert!(o.status.success(), "{}", text(&o.stderr));
    let es = entries(&t);
    let at = es
        .iter()
        .position(|e| {
            matches!(
                e.record,
                Record::Syscall {
                    nr: 63,
                    result: Some(12),
                    ..
                }
            )
        })
        .expect("read(0, buf, n) = 12");
    let Record::Syscall { args, .. } = &es[at].record else {
        unreachable!()
    };
    assert_eq!(
        es[at + 1].record,
        Record::Mem(MemWrite::Bytes {
            addr: args[1],
            data: b"hello trace\n".to_vec()
        }),
        "the bytes read follow the syscall"
    );
    let d = trace_cmd(&["dump", "--events", t.to_str().unwrap()]);
    assert!(
        text(&d.stdout).contains(&format!(
            "write 0x{:x} 12 bytes: \"hello trace\\n\"",
            args[1]
        )),
        "{}",
        text(&d.stdout)
    );
}

#[test]
fn stats_count_what_the_run_counted() {
    let dir = tempfile::tempdir().unwrap();
    let (t, o) = traced(
        dir.path(),
        "threads",
        &["--stats", &guest("c-musl/threads")],
        b"",
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let run_stat = |key: &str| -> u64 {
        text(&o.stderr)
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{key}: ")))
            .unwrap_or_else(|| panic!("no {key} in --stats"))
            .parse()
            .unwrap()
    };
    let s = trace_cmd(&["stats", t.to_str().unwrap()]);
    assert!(s.status.success(), "{}", text(&s.stderr));
    let out = text(&s.stdout);
    let stat = |key: &str| -> u64 {
        out.lines()
            .find_map(|l| l.strip_prefix(&format!("{key}: ")))
            .unwrap_or_else(|| panic!("no {key} in: {out}"))
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert_eq!(stat("instructions"), run_stat("instructions"));
    assert_eq!(stat("switches"), run_stat("thread-switches"));
    assert_eq!(stat("syscalls"), run_stat("syscalls"));
    assert_eq!(stat("threads"), 5, "{out}");
    let bytes = std::fs::metadata(&t).unwrap().len();
    assert!(out.contains(&format!("trace bytes: {bytes} (")), "{out}");
    assert!(out.contains("futex (98)"), "{out}");
    assert!(out.contains("  int\n") || out.contains("%  int"), "{out}");
}

#[test]
fn threads_switch_and_replay() {
    let dir = tempfile::tempdir().unwrap();
    let (t, o) = traced(dir.path(), "threads", &[&guest("c-musl/threads")], b"");
    assert!(o.status.success(), "{}", text(&o.stderr));
    let es = entries(&t);
    let switches: Vec<&Entry> = es
        .iter()
        .filter(|e| matches!(e.record, Record::Switch { .. }))
        .collect();
    assert!(switches.len() >= 4, "{} switches", switches.len());
    // A thread that exits: its exit syscall comes before the switch it causes, then the
    // kernel's write of the cleared tid word.
    let exited = es
        .iter()
        .position(|e| matches!(e.record, Record::Switch { exited: true, .. }))
        .expect("a thread exits");
    let before: Vec<&Record> = es[..exited]
        .iter()
        .rev()
        .take(2)
        .map(|e| &e.record)
        .collect();
    assert!(
        matches!(before[0], Record::Mem(MemWrite::Bytes { data, .. }) if data == &[0; 4]),
        "{before:?}"
    );
    assert!(
        matches!(
            before[1],
            Record::Syscall {
                nr: 93,
                result: None,
                ..
            }
        ),
        "{before:?}"
    );
    // Instructions carry the thread that ran them.
    let tids: std::collections::BTreeSet<u64> = es.iter().map(|e| e.tid).collect();
    assert_eq!(tids.len(), 5);
    replay_memory(&es);

    // --tid keeps one thread's records.
    let tid = switches[0].record.clone();
    let Record::Switch { to, .. } = tid else {
        unreachable!()
    };
    let d = trace_cmd(&[
        "dump",
        "--tid",
        &to.to_string(),
        "--limit",
        "200",
        t.to_str().unwrap(),
    ]);
    let lines: Vec<String> = text(&d.stdout)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    assert_eq!(lines.len(), 200);
    assert!(
        lines
            .iter()
            .all(|l| l.split_whitespace().nth(2) == Some(&to.to_string())),
        "{lines:?}"
    );
}

#[test]
fn signals_are_recorded_with_their_frames_and_replay() {
    let dir = tempfile::tempdir().unwrap();
    let (t, o) = traced(dir.path(), "signals", &[&guest("c-musl/signals")], b"");
    assert!(o.status.code().is_some(), "{}", text(&o.stderr));
    let es = entries(&t);
    let at = es
        .iter()
        .position(|e| matches!(e.record, Record::Signal { sig: 10, .. }))
        .expect("a SIGUSR1 delivery");
    let Record::Signal { frame, handler, .. } = es[at].record else {
        unreachable!()
    };
    // The frame's siginfo (starting with the signal number) and ucontext follow.
    match &es[at + 1].record {
        Record::Mem(MemWrite::Bytes { addr, data }) => {
            assert_eq!(*addr, frame);
            assert_eq!(data.len(), 128);
            assert_eq!(data[..4], 10u32.to_le_bytes());
        }
        r => panic!("expected the siginfo write, got {r:?}"),
    }
    // The handler's first instruction is the next instruction record.
    let next = es[at..]
        .iter()
        .find_map(|e| match &e.record {
            Record::Insn(i) => Some(i.pc),
            _ => None,
        })
        .unwrap();
    assert_eq!(next, handler);
    replay_memory(&es);
    let d = trace_cmd(&["dump", "--events", t.to_str().unwrap()]);
    assert!(
        text(&d.stdout).contains("signal SIGUSR1 handler 0x")
            && text(&d.stdout).contains("<on_usr1+0x0>"),
        "{}",
        text(&d.stdout)
    );
}

#[test]
fn go_and_static_pie_traces_replay_and_name_their_symbols() {
    let dir = tempfile::tempdir().unwrap();
    let (t, o) = traced(dir.path(), "go", &[&guest("go/hello")], b"");
    assert!(o.status.success(), "{}", text(&o.stderr));
    replay_memory(&entries(&t));

    let pie = guest("rust-pie/hello");
    let (t, o) = traced(dir.path(), "pie", &[&pie], b"");
    assert!(o.status.success(), "{}", text(&o.stderr));
    let h = TraceReader::open(&t).unwrap().header().clone();
    assert_ne!(h.start.load_bias, 0, "a static-pie is loaded at a bias");
    let d = trace_cmd(&["dump", "--insns", "0..1", t.to_str().unwrap()]);
    let out = text(&d.stdout);
    assert!(
        out.contains(&format!("0x{:x} <_start+0x0>", h.start.entry)),
        "{out}"
    );
    // --symbol selects one function's instructions, named after it.
    let d = trace_cmd(&[
        "dump",
        "--symbol",
        "main",
        "--limit",
        "5",
        t.to_str().unwrap(),
    ]);
    let lines: Vec<String> = text(&d.stdout)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    assert_eq!(lines.len(), 5, "{}", text(&d.stderr));
    assert!(lines.iter().all(|l| l.contains("<main+0x")), "{lines:?}");
}

#[test]
fn same_inputs_give_identical_traces() {
    let dir = tempfile::tempdir().unwrap();
    let g = guest("c-musl/threads");
    let (a, _) = traced(dir.path(), "a", &[&g], b"");
    let (b, _) = traced(dir.path(), "b", &[&g], b"");
    assert_eq!(
        std::fs::read(&a).unwrap(),
        std::fs::read(&b).unwrap(),
        "traces of equal inputs are byte-identical"
    );
    let d = trace_cmd(&["diff", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(d.status.code(), Some(0), "{}", text(&d.stderr));
    assert!(text(&d.stdout).starts_with("traces are identical: "));
}

#[test]
fn diff_finds_where_stdin_changes_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let cat = guest("c-musl/cat");
    let (a, _) = traced(dir.path(), "a", &[&cat], b"hello\n");
    let (b, _) = traced(dir.path(), "b", &[&cat], b"help!\n");
    // The first difference: the bytes `read` stored, in the write record after it.
    let es = entries(&a);
    let read = es
        .iter()
        .position(|e| matches!(e.record, Record::Syscall { nr: 63, .. }))
        .unwrap();
    let d = trace_cmd(&[
        "diff",
        "--context",
        "3",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
    ]);
    assert_eq!(d.status.code(), Some(1), "{}", text(&d.stderr));
    let out = text(&d.stdout);
    assert!(out.contains("input stdin: sha256"), "{out}");
    assert!(
        out.contains(&format!("traces differ at record {} ", read + 1)),
        "{out}"
    );
    assert!(
        out.contains("byte 3 of the kernel write at 0x") && out.contains(": 0x6c vs 0x70"),
        "{out}"
    );
    let after_header: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("traces differ"))
        .collect();
    assert_eq!(after_header.len(), 1 + 3 + 2, "{out}");
    assert!(after_header[3].contains("syscall read(0, "), "{out}");
    assert!(after_header[4].starts_with("A ") && after_header[4].contains("\"hello\\n\""));
    assert!(after_header[5].starts_with("B ") && after_header[5].contains("\"help!\\n\""));
}

#[test]
fn diff_finds_a_different_seed_in_the_initial_stack() {
    let dir = tempfile::tempdir().unwrap();
    let g = guest("c-musl/hello");
    let (a, _) = traced(dir.path(), "a", &[&g], b"");
    let (b, _) = traced(dir.path(), "b", &["--seed", "1", &g], b"");
    let d = trace_cmd(&["diff", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(d.status.code(), Some(1));
    let out = text(&d.stdout);
    // AT_RANDOM's 16 bytes are on the initial stack, before any instruction.
    assert!(out.contains("input seed: 0 recorded, 1 now"), "{out}");
    assert!(
        out.contains("(instruction 0, thread 1000): byte ")
            && out.contains("of the kernel write at 0x3ffffff000"),
        "{out}"
    );
}

#[test]
fn damaged_traces_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (t, _) = traced(dir.path(), "hello", &[&guest("c-musl/hello")], b"");
    let bytes = std::fs::read(&t).unwrap();

    let cut = dir.path().join("cut.trace");
    std::fs::write(&cut, &bytes[..bytes.len() - 100]).unwrap();
    let d = trace_cmd(&["stats", cut.to_str().unwrap()]);
    assert_eq!(d.status.code(), Some(125));
    assert!(text(&d.stderr).contains("truncated"), "{}", text(&d.stderr));

    // One bit flipped in the checksum, one in the initial image's data.
    for at in [bytes.len() - 1, 1000] {
        let mut flipped = bytes.clone();
        flipped[at] ^= 1;
        let bad = dir.path().join("bad.trace");
        std::fs::write(&bad, &flipped).unwrap();
        let d = trace_cmd(&["dump", bad.to_str().unwrap()]);
        assert_eq!(d.status.code(), Some(125));
        assert!(
            text(&d.stderr).contains("checksum mismatch"),
            "{}",
            text(&d.stderr)
        );
    }

    let d = trace_cmd(&["dump", guest("c-musl/hello").as_str()]);
    assert_eq!(d.status.code(), Some(125));
    assert!(
        text(&d.stderr).contains(r#"not an rvrun trace (it starts with "\x7fELF\x02\x01\x01"#),
        "{}",
        text(&d.stderr)
    );

    // A program path that is not a regular file: no symbols (a warning), never a hang.
    let d = trace_cmd(&[
        "dump",
        "--limit",
        "1",
        "--program",
        "/dev/zero",
        t.to_str().unwrap(),
    ]);
    assert_eq!(d.status.code(), Some(0), "{}", text(&d.stderr));
    assert!(
        text(&d.stderr).contains("no symbols: cannot read the program /dev/zero"),
        "{}",
        text(&d.stderr)
    );
}

#[test]
fn loads_stores_and_atomics_carry_their_values() {
    let dir = tempfile::tempdir().unwrap();
    let (t, o) = traced(dir.path(), "rayon", &[&guest("rust-pie/threads")], b"");
    assert!(o.status.success(), "{}", text(&o.stderr));
    let es = entries(&t);
    let mut kinds = [0u64; 3];
    for e in &es {
        if let Record::Insn(i) = &e.record
            && let Some(a) = i.access
        {
            kinds[a.kind as usize - 1] += 1;
            assert!(matches!(a.width, 1 | 2 | 4 | 8));
            if a.kind == AccessKind::Read {
                assert_eq!(a.written, 0);
            }
        }
    }
    assert!(
        kinds.iter().all(|&n| n > 0),
        "reads, writes, AMOs: {kinds:?}"
    );
    replay_memory(&es);
}

#[test]
fn timer_signals_and_interrupted_calls_replay() {
    // Interval timers fire between instructions and interrupted sleeps write the time left:
    // the trace must still hold every byte the kernel wrote.
    let dir = tempfile::tempdir().unwrap();
    for prog in ["c-musl/itimer", "c-glibc/interrupts"] {
        let tag = prog.replace('/', "-");
        let (t, o) = traced(dir.path(), &tag, &[&guest(prog)], b"");
        assert_eq!(o.status.code(), Some(0), "{prog}: {}", text(&o.stderr));
        let es = entries(&t);
        assert!(
            es.iter().any(|e| matches!(e.record, Record::Signal { .. })),
            "{prog}: no signal delivery recorded"
        );
        replay_memory(&es);
    }
}

#[test]
fn trace_output_errors_are_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let (t, _) = traced(dir.path(), "hello", &[&guest("c-musl/hello")], b"");
    let t = t.to_str().unwrap();
    for args in [&["dump", t][..], &["stats", t], &["diff", t, t]] {
        let o = Command::new(env!("CARGO_BIN_EXE_rvrun"))
            .arg("trace")
            .args(args)
            .stdout(
                std::fs::File::options()
                    .write(true)
                    .open("/dev/full")
                    .unwrap(),
            )
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(125), "{args:?}");
        assert_eq!(
            text(&o.stderr),
            "rvrun: cannot write to stdout: No space left on device (os error 28)\n",
            "{args:?}"
        );
    }
}
