//! Time structs and clock ids (linux/time_types.h, linux/time.h).

use super::{Errno, Writer};

/// Nanoseconds in a second.
pub const NSEC_PER_SEC: u128 = 1_000_000_000;

/// `struct timespec` (16 bytes: tv_sec, tv_nsec).
pub fn timespec(ns: u128) -> Writer {
    let mut w = Writer::new();
    w.i64((ns / NSEC_PER_SEC) as i64)
        .i64((ns % NSEC_PER_SEC) as i64);
    w
}

/// The nanoseconds a guest `struct timespec` {`sec`, `nsec`} stands for; EINVAL for a
/// negative or out-of-range field.
pub fn timespec_ns(sec: i64, nsec: i64) -> Result<u128, Errno> {
    if sec < 0 || !(0..NSEC_PER_SEC as i64).contains(&nsec) {
        return Err(Errno::EINVAL);
    }
    Ok(sec as u128 * NSEC_PER_SEC + nsec as u128)
}

/// clock_nanosleep: the time is absolute.
pub const TIMER_ABSTIME: u64 = 1;
