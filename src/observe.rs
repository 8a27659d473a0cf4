//! Watching a whole run: every instruction (through [`cpu::Observer`]) plus the events that
//! happen between instructions: syscalls, thread switches and signal deliveries. Traces and
//! profiles are [`RunObserver`]s; [`crate::kernel::process::Process::run_observed`] feeds them.
//!
//! Events are collected by the kernel side into [`Process::events`] only while someone
//! observes (the field is `None` otherwise), and handed over after each trap is handled, in
//! the order they began: a syscall comes before a switch or signal its handler caused. An
//! observer that asks for them ([`RunObserver::WANTS_WRITES`]) also gets the memory the
//! kernel wrote for each event (see [`MemWrite`]).

use crate::cpu::{self, Unobserved};
use crate::kernel::process::Process;
use crate::mem::MemWrite;

/// Something that happened outside a single instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunEvent {
    /// Thread `tid` made syscall `nr`. `result` is `None` when the call did not complete
    /// here: it blocked (the thread retries it when woken, its `ecall` retiring again) or
    /// switched threads, or ended the process.
    Syscall {
        /// The calling thread.
        tid: u64,
        /// Syscall number.
        nr: u64,
        /// a0..a5.
        args: [u64; 6],
        /// What a0 received, if the call completed.
        result: Option<u64>,
    },
    /// The running thread changed from `from` to `to` (`from` has exited when `exited`).
    Switch {
        /// The thread that ran.
        from: u64,
        /// The thread that runs now.
        to: u64,
        /// `from` has exited.
        exited: bool,
    },
    /// Thread `tid` entered its handler for signal `sig`; the frame is at `frame` and the
    /// handler starts at `handler`.
    Signal {
        /// The thread that takes the signal.
        tid: u64,
        /// Signal number.
        sig: u32,
        /// Handler address.
        handler: u64,
        /// Signal frame address (the new stack pointer).
        frame: u64,
    },
}

/// An observer of a whole run.
pub trait RunObserver: cpu::Observer {
    /// True when the observer wants [`RunObserver::kernel_writes`]: the kernel side then logs
    /// every write it makes to guest memory, which costs a copy of the bytes.
    const WANTS_WRITES: bool = false;

    /// `event` happened; `process` shows the state after it.
    fn event(&mut self, process: &Process, event: &RunEvent);

    /// The kernel wrote `writes` (in this order) to guest memory for the event last given to
    /// [`RunObserver::event`]: a syscall's results, a signal frame. Only called when
    /// [`RunObserver::WANTS_WRITES`].
    fn kernel_writes(&mut self, _process: &Process, _writes: &[MemWrite]) {}
}

impl RunObserver for Unobserved {
    #[inline(always)]
    fn event(&mut self, _: &Process, _: &RunEvent) {}
}

/// Two observers of one run: both see every event; the kernel logs its writes when either
/// wants them.
impl<A: RunObserver, B: RunObserver> RunObserver for (A, B) {
    const WANTS_WRITES: bool = A::WANTS_WRITES || B::WANTS_WRITES;
    fn event(&mut self, process: &Process, event: &RunEvent) {
        self.0.event(process, event);
        self.1.event(process, event);
    }
    fn kernel_writes(&mut self, process: &Process, writes: &[MemWrite]) {
        if A::WANTS_WRITES {
            self.0.kernel_writes(process, writes);
        }
        if B::WANTS_WRITES {
            self.1.kernel_writes(process, writes);
        }
    }
}

impl<T: RunObserver> RunObserver for &mut T {
    const WANTS_WRITES: bool = T::WANTS_WRITES;
    fn event(&mut self, process: &Process, event: &RunEvent) {
        (**self).event(process, event);
    }
    fn kernel_writes(&mut self, process: &Process, writes: &[MemWrite]) {
        (**self).kernel_writes(process, writes);
    }
}

/// An event waiting to be handed to the observer.
#[derive(Clone, Debug)]
pub struct NotedEvent {
    /// What happened.
    pub event: RunEvent,
    /// The number of logged memory writes that preceded the event: the writes from here to
    /// the next event's mark are this event's.
    pub writes_from: usize,
}

/// Where an event that begins now goes in the queue.
#[derive(Clone, Copy, Debug)]
pub struct EventMark {
    index: usize,
    writes: usize,
}

impl Process {
    /// Records `event` for the observer, when there is one.
    #[inline]
    pub fn note_event(&mut self, event: impl FnOnce() -> RunEvent) {
        let mark = self.event_mark();
        self.note_event_at(mark, event);
    }

    /// Marks the beginning of an event that is noted later, once its outcome is known
    /// (`None` when nobody observes).
    #[inline]
    pub fn event_mark(&self) -> Option<EventMark> {
        self.events.as_ref().map(|q| EventMark {
            index: q.len(),
            writes: self.mem.logged_writes(),
        })
    }

    /// Records `event` where `mark` was taken: before the events that happened since, and
    /// owning the memory writes made since.
    #[inline]
    pub fn note_event_at(&mut self, mark: Option<EventMark>, event: impl FnOnce() -> RunEvent) {
        if let (Some(q), Some(m)) = (self.events.as_mut(), mark) {
            q.insert(
                m.index,
                NotedEvent {
                    event: event(),
                    writes_from: m.writes,
                },
            );
        }
    }
}
