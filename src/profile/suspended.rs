//! Shadow stacks set aside when code switched stacks, so that returning to one of their
//! frames later restores its callers.
//!
//! User-level context switches (Go's goroutine scheduler, coroutines, `swapcontext`) leave
//! one stack by a jump that looks like a return to code the current shadow stack does not
//! hold, and come back the same way much later. A frame is recognised by the stack pointer
//! its caller had when calling it: a return that lands with exactly that `sp` in the
//! caller's function is a return from that frame.

use super::Frame;
use super::functions::{FuncId, Functions};
use std::collections::{BTreeMap, HashMap};

/// How many set-aside stacks are kept; the oldest go first.
const CAPACITY: usize = 4096;

#[derive(Default)]
pub struct Suspended {
    stacks: BTreeMap<u64, Vec<Frame>>,
    /// Caller's sp of a frame -> (stack, index of the frame). The newest stack wins a tie.
    by_sp: HashMap<u64, (u64, usize)>,
    next: u64,
}

impl Suspended {
    /// Sets `stack` aside.
    pub fn suspend(&mut self, stack: Vec<Frame>) {
        if stack.len() < 2 {
            return; // Returning from its only frame leads nowhere known.
        }
        let id = self.next;
        self.next += 1;
        for (i, frame) in stack.iter().enumerate().skip(1) {
            self.by_sp.insert(frame.sp, (id, i));
        }
        self.stacks.insert(id, stack);
        if self.stacks.len() > CAPACITY {
            let (old, stack) = self.stacks.pop_first().expect("over capacity");
            self.forget(old, &stack);
        }
    }

    /// The stack a return to `target` with stack pointer `sp` goes back into, taken out and
    /// cut to the caller's frame; `None` when no set-aside frame matches.
    pub fn resume(&mut self, sp: u64, target: u64, funcs: &Functions) -> Option<Vec<Frame>> {
        let &(id, i) = self.by_sp.get(&sp)?;
        let stack = self.stacks.get(&id)?;
        let caller: FuncId = stack[i - 1].func;
        if stack[i].sp != sp || !funcs.contains(caller, target) {
            return None;
        }
        let mut stack = self.stacks.remove(&id).expect("looked up");
        self.forget(id, &stack);
        stack.truncate(i);
        Some(stack)
    }

    fn forget(&mut self, id: u64, stack: &[Frame]) {
        for frame in stack {
            if self.by_sp.get(&frame.sp).is_some_and(|&(s, _)| s == id) {
                self.by_sp.remove(&frame.sp);
            }
        }
    }
}
