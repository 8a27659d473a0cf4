//! Everything a run depends on. A run is a pure function of this value, the program and
//! the contents of the mounted files and stdin.

use std::path::PathBuf;

/// Default virtual start time: 2024-01-01T00:00:00Z.
pub const DEFAULT_EPOCH: u64 = 1_704_067_200;
/// The latest start time rvrun accepts: Linux's `TIME_SETTOD_SEC_MAX` (KTIME_SEC_MAX less 30
/// years of uptime, early 2232), the latest time settimeofday can set, so that the guest's
/// clocks stay inside Linux's 64-bit nanosecond time for any run.
pub const MAX_EPOCH: u64 = (i64::MAX / 1_000_000_000) as u64 - 30 * 365 * 24 * 3600;
/// Default virtual clock rate: one retired instruction is one nanosecond.
pub const DEFAULT_CLOCK_HZ: u64 = 1_000_000_000;

/// A host file or directory copied into the guest filesystem at start-up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount {
    /// Path on the host.
    pub host: PathBuf,
    /// Absolute path in the guest.
    pub guest: String,
    /// The guest may not modify it.
    pub read_only: bool,
}

impl Mount {
    /// Parses `HOST_PATH:GUEST_PATH[:ro]`.
    pub fn parse(s: &str) -> Result<Mount, String> {
        let (rest, read_only) = match s.strip_suffix(":ro") {
            Some(r) => (r, true),
            None => (s.strip_suffix(":rw").unwrap_or(s), false),
        };
        let (host, guest) = rest
            .rsplit_once(':')
            .ok_or_else(|| format!("mount '{s}' is not HOST_PATH:GUEST_PATH[:ro]"))?;
        if host.is_empty() || !guest.starts_with('/') {
            return Err(format!(
                "mount '{s}': the guest path must be absolute and the host path non-empty"
            ));
        }
        Ok(Mount {
            host: PathBuf::from(host),
            guest: guest.to_string(),
            read_only,
        })
    }
}

/// Parses a size: a number of bytes, or a number followed by K, M, G or T (powers of 1024,
/// with an optional `iB`/`B`). Zero and sizes that do not fit 64 bits are refused.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let t = t
        .strip_suffix("iB")
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(t);
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, suffix) = t.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("'{s}' is not a size (e.g. 512M, 8G)"))?;
    let shift = match suffix.to_ascii_uppercase().as_str() {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        _ => return Err(format!("'{s}': unknown size suffix (use K, M, G or T)")),
    };
    let bytes = n
        .checked_mul(1u64 << shift)
        .ok_or_else(|| format!("'{s}' is too large"))?;
    if bytes == 0 {
        return Err("the size must be more than zero".to_string());
    }
    Ok(bytes)
}

/// The inputs of one run besides the program file.
#[derive(Clone, Debug)]
pub struct RunConfig {
    /// argv, including argv[0].
    pub argv: Vec<String>,
    /// The guest environment, `KEY=VALUE` strings, in the order given.
    pub env: Vec<String>,
    /// Seed of the one random stream (getrandom, /dev/urandom, AT_RANDOM).
    pub seed: u64,
    /// Virtual time at the first instruction, in seconds since the Unix epoch.
    pub epoch: u64,
    /// Retired instructions per virtual second.
    pub clock_hz: u64,
    /// Host files copied into the guest filesystem.
    pub mounts: Vec<Mount>,
    /// The guest's initial working directory.
    pub cwd: String,
    /// Where files the guest created or changed are written after it exits.
    pub out_dir: Option<PathBuf>,
    /// Stop after this many instructions (exit status 125).
    pub max_insns: Option<u64>,
    /// Cap on the guest's memory commitment in bytes: writable mappings, brk and the
    /// filesystem's contents (`--max-memory`).
    pub max_memory: u64,
    /// Answer unknown syscalls with ENOSYS instead of stopping.
    pub allow_unsupported: bool,
    /// Instructions a thread runs before the scheduler switches to the next one.
    pub quantum: u64,
    /// CPUs (harts) the guest's machine has (`--cpus`); one guest thread runs at a time
    /// whatever the number.
    pub cpus: u32,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            argv: Vec::new(),
            env: Vec::new(),
            seed: 0,
            epoch: DEFAULT_EPOCH,
            clock_hz: DEFAULT_CLOCK_HZ,
            mounts: Vec::new(),
            cwd: "/".to_string(),
            out_dir: None,
            max_insns: None,
            max_memory: crate::mem::DEFAULT_MAX_MEMORY,
            allow_unsupported: false,
            quantum: crate::kernel::sched::DEFAULT_QUANTUM,
            cpus: 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_parsing() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("8G"), Ok(8 << 30));
        assert_eq!(parse_size("512MiB"), Ok(512 << 20));
        assert_eq!(parse_size("1k"), Ok(1024));
        assert_eq!(parse_size("2TB"), Ok(2 << 40));
        assert!(parse_size("0").is_err());
        assert!(parse_size("17179869184T").is_err());
        assert!(parse_size("8X").is_err());
        assert!(parse_size("").is_err());
        assert!(parse_size("-1").is_err());
    }

    #[test]
    fn mount_parsing() {
        let m = Mount::parse("data/x.json:/in/x.json:ro").unwrap();
        assert_eq!(
            (m.host.to_str().unwrap(), m.guest.as_str(), m.read_only),
            ("data/x.json", "/in/x.json", true)
        );
        let m = Mount::parse("d:/d").unwrap();
        assert!(!m.read_only);
        assert!(Mount::parse("nocolon").is_err());
        assert!(Mount::parse("a:relative").is_err());
    }
}
