//! Resource limits and the cost of big guests: thread creation stays linear in the number
//! of threads. Uses guests built by `make programs` (RVRUN_GUESTS).

mod common;

use common::{Finished, guest, run_limited};
use std::process::Command;

fn rvrun(args: &[&str]) -> Finished {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rvrun"));
    cmd.args(args);
    run_limited(cmd, 300).unwrap_or_else(|e| panic!("rvrun {args:?}: {e}"))
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs `spawn MODE N 16` (with `--stats`) and returns (host seconds, guest instructions),
/// the best of two runs.
fn spawn(flavour: &str, mode: &str, n: u64) -> (f64, u64) {
    let prog = guest(&format!("{flavour}/spawn"));
    let n_arg = n.to_string();
    let mut best: Option<(f64, u64)> = None;
    for _ in 0..2 {
        let o = rvrun(&["run", "--stats", &prog, mode, &n_arg, "16"]);
        assert_eq!(
            o.status,
            0,
            "{flavour} spawn {mode} {n}: {}",
            text(&o.stderr)
        );
        assert!(
            text(&o.stdout).contains(&format!("{mode} {n}: sum ")),
            "{}",
            text(&o.stdout)
        );
        let insns = text(&o.stderr)
            .lines()
            .find_map(|l| l.strip_prefix("instructions: ")?.trim().parse().ok())
            .expect("--stats prints the instruction count");
        if best.is_none_or(|(s, _)| o.secs < s) {
            best = Some((o.secs, insns));
        }
    }
    best.expect("two runs")
}

/// Creating 6 to 8 times as many threads costs 6 to 8 times as much: the host time per guest
/// instruction (the guest's own work can grow faster than the thread count, e.g. a condition
/// variable's waiter list) stays flat between 5000 and 30000-40000 threads, whether they are
/// joined one by one or all alive at once. A scheduler or placement search that walks every
/// thread or mapping per step made the larger run about 8 times slower per instruction.
#[test]
fn thread_creation_is_linear() {
    // Threads alive at once stop short of 32765: each holds two mappings (its stack and the
    // guard page below it), and an address space holds at most 65530 (vm.max_map_count),
    // as under Linux.
    for (flavour, mode, big) in [
        ("c-musl", "join", 40000),
        ("c-musl", "alive", 30000),
        ("c-glibc", "alive", 30000),
    ] {
        let (small_secs, small_insns) = spawn(flavour, mode, 5000);
        let (big_secs, big_insns) = spawn(flavour, mode, big);
        // Process start-up is a floor that would make the small run look slow: take it off.
        let floor = 0.01;
        let per_small = (small_secs - floor).max(0.001) / small_insns as f64;
        let per_big = (big_secs - floor).max(0.001) / big_insns as f64;
        let ratio = per_big / per_small;
        eprintln!(
            "{flavour} {mode}: 5000 threads {small_secs:.2} s ({small_insns} insns), \
             {big} threads {big_secs:.2} s ({big_insns} insns): ratio {ratio:.2}"
        );
        assert!(
            ratio < 3.0,
            "{flavour} {mode}: host time per instruction grew {ratio:.1}x from 5000 to {big} threads"
        );
        assert!(
            big_secs < 60.0,
            "{flavour} {mode}: {big} threads took {big_secs:.1} s"
        );
    }
}
