//! Interval timers (setitimer/getitimer): ITIMER_REAL counts virtual monotonic time and
//! raises SIGALRM, ITIMER_VIRTUAL and ITIMER_PROF count the process's CPU time (its retired
//! instructions at `--clock-hz`) and raise SIGVTALRM and SIGPROF. A timer fires at the exact
//! instruction where its clock reaches the deadline: the run loop never runs past it.

use crate::kernel::process::Process;

/// `which` value: wall-clock (here virtual-clock) time, SIGALRM.
pub const ITIMER_REAL: usize = 0;
/// `which` value: user CPU time (retired instructions), SIGVTALRM.
pub const ITIMER_VIRTUAL: usize = 1;
/// `which` value: user and system CPU time (retired instructions), SIGPROF.
pub const ITIMER_PROF: usize = 2;

/// The signal each timer raises.
const SIGNALS: [u32; 3] = [14, 26, 27]; // SIGALRM, SIGVTALRM, SIGPROF

/// One interval timer, in nanoseconds of its clock.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ITimer {
    /// When it next fires; `None` when disarmed.
    pub deadline: Option<u128>,
    /// The period it re-arms with after firing (0: one shot).
    pub interval: u128,
}

impl Process {
    /// Now on the clock timer `which` counts.
    pub fn itimer_now(&self, which: usize) -> u128 {
        if which == ITIMER_REAL {
            self.monotonic_ns()
        } else {
            self.insns as u128 * 1_000_000_000 / self.clock_hz() as u128
        }
    }

    /// Instructions the process may retire before the next timer is due (0: one is due now);
    /// `None` when no timer is armed.
    pub fn insns_until_timer(&self) -> Option<u64> {
        let hz = self.clock_hz() as u128;
        (0..3)
            .filter_map(|which| {
                let deadline = self.itimers[which].deadline?;
                let left = deadline.saturating_sub(self.itimer_now(which));
                // The first instruction count whose time reaches the deadline.
                Some((left * hz).div_ceil(1_000_000_000).min(u64::MAX as u128) as u64)
            })
            .min()
    }

    /// The ITIMER_REAL deadline on the monotonic clock: the one timer that runs while every
    /// thread waits.
    pub fn real_timer_deadline(&self) -> Option<u128> {
        self.itimers[ITIMER_REAL].deadline
    }

    /// Fires every timer that is due: re-arms it (periodic timers skip the periods that
    /// passed, as coalesced signals would) and returns the signals to raise.
    pub fn take_due_timers(&mut self) -> Vec<u32> {
        let mut due = Vec::new();
        for (which, &sig) in SIGNALS.iter().enumerate() {
            let now = self.itimer_now(which);
            let t = &mut self.itimers[which];
            let Some(deadline) = t.deadline else { continue };
            if deadline > now {
                continue;
            }
            t.deadline = ((now - deadline).checked_div(t.interval))
                .map(|passed| deadline + (passed + 1) * t.interval);
            due.push(sig);
        }
        due
    }

    /// Fires the due timers while the running thread runs: each signal goes to the process.
    pub fn fire_due_timers(&mut self) {
        for sig in self.take_due_timers() {
            self.sig.pending |= 1 << (sig - 1);
            self.signal_sent(sig, None);
        }
        if self.exit.is_none() && self.has_deliverable_signal() {
            self.act_on_pending_signals();
        }
    }
}
