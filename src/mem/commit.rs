//! The guest's memory commitment and its cap (`--max-memory`): writable private mappings,
//! brk and the in-memory filesystem's contents draw on one budget, as Linux accounts memory
//! under strict overcommit. Past the cap the guest sees ENOMEM (mappings, brk) or ENOSPC
//! (file writes); the host never allocates what the guest was refused.

use std::sync::atomic::{AtomicU64, Ordering};

/// Default cap: 8 GiB. Fixed, never derived from the host, so that where a guest meets
/// ENOMEM is a function of the run's inputs.
pub const DEFAULT_MAX_MEMORY: u64 = 8 << 30;

/// A shared commitment counter with a cap.
#[derive(Debug)]
pub struct CommitLimit {
    cap: u64,
    used: AtomicU64,
}

impl CommitLimit {
    /// A budget of `cap` bytes.
    pub fn new(cap: u64) -> CommitLimit {
        CommitLimit {
            cap,
            used: AtomicU64::new(0),
        }
    }

    /// A budget without a cap (unit tests and tools that build memory by hand).
    pub fn unlimited() -> CommitLimit {
        CommitLimit::new(u64::MAX)
    }

    /// The cap in bytes.
    pub fn cap(&self) -> u64 {
        self.cap
    }

    /// Bytes committed now.
    pub fn used(&self) -> u64 {
        self.used.load(Ordering::Relaxed)
    }

    /// Commits `bytes` if they fit under the cap; false (and nothing committed) otherwise.
    pub fn try_charge(&self, bytes: u64) -> bool {
        self.used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |u| {
                u.checked_add(bytes).filter(|&n| n <= self.cap)
            })
            .is_ok()
    }

    /// Returns `bytes` to the budget.
    pub fn release(&self, bytes: u64) {
        let _ = self
            .used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |u| {
                Some(u.saturating_sub(bytes))
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_stop_at_the_cap() {
        let c = CommitLimit::new(10);
        assert!(c.try_charge(6));
        assert!(!c.try_charge(5));
        assert!(!c.try_charge(u64::MAX));
        assert!(c.try_charge(4));
        c.release(7);
        assert_eq!(c.used(), 3);
        c.release(100);
        assert_eq!(c.used(), 0);
    }
}
