//! Fuzz target `elf`: the input is a program file. It is loaded and run as `rvrun run`
//! does ([`Process::new`], then [`Process::run`]) for at most [`MAX_INSNS`] instructions,
//! with stdin empty and stdout/stderr captured. Two runs must end the same way.

use super::Capture;
use crate::config::RunConfig;
use crate::kernel::process::{ExitReason, Process};
use crate::vfs::dev::HostStdio;

/// Instructions a fuzzed program may run.
pub const MAX_INSNS: u64 = 1_000_000;

/// Everything a run of the program shows.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    /// The loader refused it (or the filesystem could not be set up).
    Refused(String),
    /// It ran.
    Ran {
        reason: ExitReason,
        insns: u64,
        pc: u64,
        regs: Vec<u64>,
        stdout: (Vec<u8>, u64),
        stderr: (Vec<u8>, u64),
    },
}

/// The target body.
pub fn run(data: &[u8]) {
    let first = once(data);
    let second = once(data);
    assert_eq!(first, second, "two runs of the same program differ");
}

/// How one run of `data` ends, as text (for looking at an input by hand).
pub fn describe(data: &[u8]) -> String {
    format!("{:#?}", once(data))
}

fn once(data: &[u8]) -> Outcome {
    let config = RunConfig {
        argv: vec!["/prog".to_string(), "arg".to_string()],
        env: vec!["HOME=/".to_string()],
        max_insns: Some(MAX_INSNS),
        ..RunConfig::default()
    };
    let mut p = match Process::new(&config, "/prog", data) {
        Ok(p) => p,
        Err(e) => return Outcome::Refused(e),
    };
    let (stdout, stderr) = (Capture::default(), Capture::default());
    p.vfs.set_stdio(HostStdio {
        stdin: Box::new(std::io::empty()),
        stdout: Box::new(stdout.clone()),
        stderr: Box::new(stderr.clone()),
    });
    let reason = p.run();
    Outcome::Ran {
        reason,
        insns: p.insns,
        pc: p.cpu.pc,
        regs: p.cpu.x[..32].to_vec(),
        stdout: stdout.contents(),
        stderr: stderr.contents(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzzing::image;

    /// The target runs what it loads: the tiny hello program writes and exits.
    #[test]
    fn runs_a_tiny_program() {
        match once(&image::hello(b"hi\n", 3)) {
            Outcome::Ran { reason, stdout, .. } => {
                assert_eq!(reason, ExitReason::Exited(3));
                assert_eq!(stdout, (b"hi\n".to_vec(), 3));
            }
            o => panic!("{o:?}"),
        }
        assert!(matches!(once(b"\x7fELF"), Outcome::Refused(_)));
    }
}
