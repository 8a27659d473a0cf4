//! The syscall census: which calls a run made, with the sub-command of the multiplexed ones
//! (ioctl requests, fcntl commands, prctl options, futex operations, socket families and
//! option levels), how often, and how they ended.
//!
//! `rvrun run --census FILE` merges a run's census into FILE, so one file can collect every
//! run of a whole test suite (`make census`). The file is tab-separated text, one line per
//! (syscall, sub-command): `name  sub  calls  outcomes`, where outcomes lists `ok`, errno
//! names and `unsupported` with their counts, e.g. `openat  -  1200  ok=1100,ENOENT=100`.

use crate::abi::Errno;
use crate::kernel::syscalls::Args;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{Read, Seek, Write};

/// How one call ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It returned a value.
    Ok,
    /// It returned `-errno`.
    Err(Errno),
    /// rvrun does not implement it (the run stopped, or ENOSYS with `--allow-unsupported`).
    Unsupported,
}

/// Calls and outcomes of one (syscall, sub-command).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Tally {
    calls: u64,
    outcomes: BTreeMap<String, u64>,
}

/// A census being collected, or read back from a census file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Census {
    rows: BTreeMap<(String, String), Tally>,
}

/// The sub-command that tells apart the uses of a multiplexed call, if `name` is one.
fn sub_command(name: &str, a: &Args) -> Option<String> {
    Some(match name {
        "ioctl" => format!("0x{:x}", a.uint(1)),
        "fcntl" => a.uint(1).to_string(),
        "prctl" => a.int(0).to_string(),
        "futex" => (a.uint(1) & 127).to_string(),
        "socket" | "socketpair" => format!("{}/{}", a.int(0), a.int(1) & 0xf),
        "setsockopt" | "getsockopt" => format!("{}/{}", a.int(1), a.int(2)),
        "madvise" => a.int(2).to_string(),
        _ => return None,
    })
}

impl Census {
    /// An empty census.
    pub fn new() -> Census {
        Census::default()
    }

    /// Counts one call.
    pub fn record(&mut self, name: &str, args: &Args, outcome: Outcome) {
        let sub = sub_command(name, args).unwrap_or_else(|| "-".into());
        let t = self.rows.entry((name.to_string(), sub)).or_default();
        t.calls += 1;
        let key = match outcome {
            Outcome::Ok => "ok",
            Outcome::Err(e) => e.name(),
            Outcome::Unsupported => "unsupported",
        };
        *t.outcomes.entry(key.to_string()).or_default() += 1;
    }

    /// Adds another census's counts to this one.
    pub fn merge(&mut self, other: &Census) {
        for (k, t) in &other.rows {
            let mine = self.rows.entry(k.clone()).or_default();
            mine.calls += t.calls;
            for (o, n) in &t.outcomes {
                *mine.outcomes.entry(o.clone()).or_default() += n;
            }
        }
    }

    /// Parses a census file's text.
    pub fn parse(text: &str) -> Result<Census, String> {
        let mut c = Census::new();
        for (i, line) in text.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = || format!("census line {}: {line:?}", i + 1);
            let f: Vec<&str> = line.split('\t').collect();
            let [name, sub, calls, outcomes] = f[..] else {
                return Err(bad());
            };
            let mut t = Tally {
                calls: calls.parse().map_err(|_| bad())?,
                outcomes: BTreeMap::new(),
            };
            for o in outcomes.split(',').filter(|o| !o.is_empty()) {
                let (k, n) = o.split_once('=').ok_or_else(bad)?;
                t.outcomes
                    .insert(k.to_string(), n.parse().map_err(|_| bad())?);
            }
            c.rows.insert((name.to_string(), sub.to_string()), t);
        }
        Ok(c)
    }

    /// The census as file text (sorted by syscall and sub-command).
    pub fn render(&self) -> String {
        let mut out = String::from("# syscall\tsub-command\tcalls\toutcomes\n");
        for ((name, sub), t) in &self.rows {
            let outcomes: Vec<String> =
                t.outcomes.iter().map(|(k, n)| format!("{k}={n}")).collect();
            let _ = writeln!(out, "{name}\t{sub}\t{}\t{}", t.calls, outcomes.join(","));
        }
        out
    }

    /// Merges this census into the file at `path` (created if missing). The file is locked
    /// while it is read and rewritten, so concurrent runs may share one file.
    pub fn merge_into_file(&self, path: &std::path::Path) -> Result<(), String> {
        let err = |e: std::io::Error| format!("census file {}: {e}", path.display());
        let mut f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(err)?;
        let _lock = FileLock::exclusive(&f).map_err(err)?;
        let mut text = String::new();
        f.read_to_string(&mut text).map_err(err)?;
        let mut all = Census::parse(&text)?;
        all.merge(self);
        f.set_len(0).map_err(err)?;
        f.rewind().map_err(err)?;
        f.write_all(all.render().as_bytes()).map_err(err)
    }
}

/// An exclusive `flock` on an open file, released when dropped (or when the file closes).
struct FileLock(std::os::fd::RawFd);

impl FileLock {
    fn exclusive(f: &std::fs::File) -> std::io::Result<FileLock> {
        use std::os::fd::AsRawFd;
        let fd = f.as_raw_fd();
        // SAFETY: flock takes an fd and flags only; `fd` is open for the caller's borrow.
        if unsafe { libc::flock(fd, libc::LOCK_EX) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(FileLock(fd))
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        // SAFETY: flock takes an fd and flags only; the lock is dropped before the file
        // (declared after it in `merge_into_file`), and a closed fd would only give EBADF.
        unsafe { libc::flock(self.0, libc::LOCK_UN) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_sub_commands_and_round_trips_through_text() {
        let mut c = Census::new();
        c.record(
            "ioctl",
            &Args([1, 0x5401, 0, 0, 0, 0]),
            Outcome::Err(Errno::ENOTTY),
        );
        c.record("ioctl", &Args([1, 0x5401, 0, 0, 0, 0]), Outcome::Ok);
        c.record("read", &Args([0; 6]), Outcome::Ok);
        c.record("prctl", &Args([15, 0, 0, 0, 0, 0]), Outcome::Unsupported);
        let text = c.render();
        assert!(text.contains("ioctl\t0x5401\t2\tENOTTY=1,ok=1\n"), "{text}");
        assert!(text.contains("prctl\t15\t1\tunsupported=1\n"), "{text}");
        assert!(text.contains("read\t-\t1\tok=1\n"), "{text}");
        let back = Census::parse(&text).unwrap();
        assert_eq!(back, c);
        let mut twice = back.clone();
        twice.merge(&c);
        assert!(twice.render().contains("ioctl\t0x5401\t4\tENOTTY=2,ok=2\n"));
    }

    #[test]
    fn merging_into_a_file_accumulates() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("census.tsv");
        let mut c = Census::new();
        c.record("getpid", &Args([0; 6]), Outcome::Ok);
        c.merge_into_file(&path).unwrap();
        c.merge_into_file(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("getpid\t-\t2\tok=2\n"), "{text}");
        assert!(Census::parse("getpid\tx\n").is_err());
    }
}
