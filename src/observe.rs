//! Watching a whole run: every instruction (through [`cpu::Observer`]) plus the events that
//! happen between instructions: syscalls, thread switches and signal deliveries. Traces and
//! profiles are [`RunObserver`]s; [`crate::process::Process::run_observed`] feeds them.
//!
//! Events are collected by the kernel side into [`Process::events`] only while someone
//! observes (the field is `None` otherwise), and handed over after each trap is handled, in
//! the order they happened.

use crate::cpu::{self, Unobserved};
use crate::process::Process;

/// Something that happened outside a single instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunEvent {
    /// Thread `tid` made syscall `nr`. `result` is `None` when the call did not complete
    /// here: it blocked (the thread retries it when woken, its `ecall` retiring again) or
    /// switched threads, or ended the process.
    Syscall {
        tid: u64,
        nr: u64,
        args: [u64; 6],
        result: Option<u64>,
    },
    /// The running thread changed from `from` to `to` (`from` has exited when `exited`).
    Switch { from: u64, to: u64, exited: bool },
    /// Thread `tid` entered its handler for signal `sig`; the frame is at `frame` and the
    /// handler starts at `handler`.
    Signal {
        tid: u64,
        sig: u32,
        handler: u64,
        frame: u64,
    },
}

/// An observer of a whole run.
pub trait RunObserver: cpu::Observer {
    /// `event` happened; `process` shows the state after it.
    fn event(&mut self, process: &Process, event: &RunEvent);
}

impl RunObserver for Unobserved {
    #[inline(always)]
    fn event(&mut self, _: &Process, _: &RunEvent) {}
}

impl Process {
    /// Records `event` for the observer, when there is one.
    #[inline]
    pub fn note_event(&mut self, event: impl FnOnce() -> RunEvent) {
        if let Some(events) = self.events.as_mut() {
            events.push(event());
        }
    }
}
