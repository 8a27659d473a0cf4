//! Resource limits (asm-generic/resource.h).
//!
//! The constants carry their Linux names; the header documents them.
#![allow(missing_docs)]

/// RLIM_INFINITY.
pub const INFINITY: u64 = u64::MAX;
/// Number of resources (RLIM_NLIMITS).
pub const RLIM_NLIMITS: usize = 16;
/// RLIMIT_NPROC.
pub const RLIMIT_NPROC: usize = 6;
/// RLIMIT_RSS.
pub const RLIMIT_RSS: usize = 5;
/// RLIMIT_SIGPENDING.
pub const RLIMIT_SIGPENDING: usize = 11;
/// RLIMIT_NOFILE.
pub const RLIMIT_NOFILE: usize = 7;
/// Index of RLIMIT_MEMLOCK (bytes of memory that may be locked).
pub const RLIMIT_MEMLOCK: usize = 8;

/// getrusage: the calling process (all its threads).
pub const RUSAGE_SELF: i32 = 0;
/// getrusage: the waited-for children of the process.
pub const RUSAGE_CHILDREN: i32 = -1;
/// getrusage: the calling thread.
pub const RUSAGE_THREAD: i32 = 1;

/// What `struct rusage` reports (the fields rvrun fills; the rest are zero, as Linux leaves
/// `ru_ixrss`, `ru_idrss`, `ru_isrss`, `ru_nswap`, `ru_msgsnd`, `ru_msgrcv`, `ru_nsignals`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rusage {
    /// User CPU time in ns (written as a `struct timeval`, truncated to µs).
    pub utime_ns: u128,
    /// System CPU time in ns.
    pub stime_ns: u128,
    /// Peak resident set size in KiB.
    pub maxrss_kib: u64,
    /// Minor page faults.
    pub minflt: u64,
    /// Major page faults.
    pub majflt: u64,
    /// Voluntary context switches.
    pub nvcsw: u64,
    /// Involuntary context switches.
    pub nivcsw: u64,
}

/// The guest image of `struct rusage` (144 bytes): two `struct timeval`s, then fourteen
/// longs (maxrss, ixrss, idrss, isrss, minflt, majflt, nswap, inblock, oublock, msgsnd,
/// msgrcv, nsignals, nvcsw, nivcsw).
pub fn rusage(r: &Rusage) -> super::Writer {
    let mut w = super::Writer::new();
    for ns in [r.utime_ns, r.stime_ns] {
        w.i64((ns / 1_000_000_000) as i64)
            .i64((ns % 1_000_000_000 / 1000) as i64);
    }
    w.u64(r.maxrss_kib).zeros(24).u64(r.minflt).u64(r.majflt);
    w.zeros(8 * 6).u64(r.nvcsw).u64(r.nivcsw);
    debug_assert_eq!(w.as_bytes().len(), 144);
    w
}
