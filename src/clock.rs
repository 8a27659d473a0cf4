//! Virtual time: derived from the retired-instruction count, never from the host clock.

/// The guest's clocks. `now` = epoch + (instructions + slept) / rate.
#[derive(Clone, Debug)]
pub struct Clock {
    epoch_ns: u128,
    hz: u64,
    /// Virtual nanoseconds added by sleeps (they advance time without retiring instructions).
    slept_ns: u128,
}

impl Clock {
    /// A clock starting at `epoch_secs` that advances one second per `hz` instructions.
    pub fn new(epoch_secs: u64, hz: u64) -> Clock {
        Clock {
            epoch_ns: epoch_secs as u128 * 1_000_000_000,
            hz: hz.max(1),
            slept_ns: 0,
        }
    }

    /// Nanoseconds since boot (CLOCK_MONOTONIC) after `instret` retired instructions.
    pub fn monotonic_ns(&self, instret: u64) -> u128 {
        instret as u128 * 1_000_000_000 / self.hz as u128 + self.slept_ns
    }

    /// The epoch the clock started at, in whole seconds (`btime` of `/proc/stat`).
    pub fn epoch_secs(&self) -> u64 {
        (self.epoch_ns / 1_000_000_000) as u64
    }

    /// Nanoseconds since the Unix epoch (CLOCK_REALTIME).
    pub fn realtime_ns(&self, instret: u64) -> u128 {
        self.epoch_ns + self.monotonic_ns(instret)
    }

    /// Advances time by `ns` without retiring instructions (sleep).
    pub fn advance(&mut self, ns: u128) {
        self.slept_ns += ns;
    }

    /// Instructions per virtual second.
    pub fn hz(&self) -> u64 {
        self.hz
    }

    /// Clock resolution in nanoseconds (at least 1).
    pub fn resolution_ns(&self) -> u64 {
        (1_000_000_000 / self.hz).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_follows_instructions_and_sleep() {
        let mut c = Clock::new(10, 1_000_000);
        assert_eq!(c.realtime_ns(0), 10_000_000_000);
        assert_eq!(c.monotonic_ns(1_000_000), 1_000_000_000);
        c.advance(5);
        assert_eq!(c.monotonic_ns(0), 5);
    }
}
