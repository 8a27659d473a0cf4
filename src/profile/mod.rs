//! Profiles: how many instructions each call stack retired.
//!
//! [`Profiler`] watches a run ([`RunObserver`]) and keeps a shadow call stack per thread,
//! maintained from the calls and returns the code makes (the RISC-V psABI link-register
//! conventions, see docs/profile.md). Every retired instruction is counted to the current
//! stack, whose innermost frame is the function containing the instruction. Stacks live in a
//! [`tree::CallTree`], so counting is one increment of the current node's counter. The
//! result, a [`Profile`], is written as folded stacks ([`folded`]) or pprof ([`pprof`]).

mod folded;
mod functions;
mod pprof;
mod suspended;
mod tree;

use crate::cpu::observe::{Jump, Step};
use crate::cpu::{self, Cpu};
use crate::kernel::process::Process;
use crate::mem::GuestMemory;
use crate::observe::{RunEvent, RunObserver};
use crate::symbols::Symbols;
use functions::{ELIDED, FuncId, FuncKind, Functions};
use std::collections::BTreeMap;
use suspended::Suspended;
use tree::{CallTree, NodeId, ROOT};

/// Frames deeper than this are counted under the frame at this depth, behind a `[...]`
/// frame, so that runaway recursion keeps the profile readable.
pub const MAX_DEPTH: usize = 1024;

/// The return address registers of the psABI: `ra` (x1) and the alternate link `t0` (x5).
const RA: u8 = 1;
const T0: u8 = 5;
const SP: usize = 2;
/// rt_sigreturn: ends a signal handler.
const SYS_RT_SIGRETURN: u64 = 139;

/// One frame of a shadow stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame {
    /// The function called.
    func: FuncId,
    /// The stack from the thread's first frame to this one.
    node: NodeId,
    /// The caller's stack pointer at the call: a return from this frame restores it.
    sp: u64,
}

/// Where the current instruction is counted, valid while the pc stays in
/// `[start, start + len)`: the range of one function, so most instructions need no lookup.
#[derive(Clone, Copy, Debug)]
struct Leaf {
    start: u64,
    len: u64,
    func: FuncId,
    node: NodeId,
}

impl Leaf {
    /// Covers nothing: the next instruction looks its function up.
    const NONE: Leaf = Leaf {
        start: 0,
        len: 0,
        func: 0,
        node: ROOT,
    };

    #[inline(always)]
    fn covers(&self, pc: u64) -> bool {
        pc.wrapping_sub(self.start) < self.len
    }
}

/// Counts retired instructions per call stack, per thread. Feed it a run with
/// [`Process::run_observed`], then take the [`Profile`] with [`Profiler::finish`].
pub struct Profiler {
    /// The program's path in the guest.
    program: String,
    funcs: Functions,
    tree: CallTree,
    /// The running thread and its stack.
    tid: u64,
    stack: Vec<Frame>,
    /// The stacks of the other threads, by tid.
    parked: BTreeMap<u64, Vec<Frame>>,
    suspended: Suspended,
    leaf: Leaf,
}

impl Profiler {
    /// A profiler for `program` (its guest path), with these symbols, whose first thread is
    /// `tid`.
    pub fn new(program: &str, symbols: Symbols, tid: u64) -> Profiler {
        Profiler {
            program: program.to_string(),
            funcs: Functions::new(symbols),
            tree: CallTree::default(),
            tid,
            stack: Vec::new(),
            parked: BTreeMap::new(),
            suspended: Suspended::default(),
            leaf: Leaf::NONE,
        }
    }

    /// A profiler for `process`, which was loaded from the ELF file `program`.
    pub fn for_process(program: &[u8], process: &Process) -> Profiler {
        Profiler::new(
            &process.image.exe_path,
            Symbols::from_elf(program, process.image.bias),
            process.tid(),
        )
    }

    /// The profile of what ran.
    pub fn finish(self) -> Profile {
        Profile {
            program: self.program,
            funcs: self.funcs,
            tree: self.tree,
        }
    }

    /// The pc left the current leaf's range: find the function it is in now.
    #[cold]
    fn enter(&mut self, pc: u64) {
        let placed = self.funcs.at(pc);
        let node = match self.stack.last() {
            // A thread's first instruction, or code no frame holds: its stack starts here.
            None => push_frame(&mut self.tree, &mut self.stack, placed.func, 0),
            Some(top) if top.func == placed.func => top.node,
            // Code that continued into another symbol without a call: counted to that symbol,
            // under the frame it came from.
            Some(top) => self.tree.child(top.node, placed.func),
        };
        self.leaf = Leaf {
            start: placed.start,
            len: placed.end - placed.start,
            func: placed.func,
            node,
        };
    }

    /// A `jal`/`jalr` retired and went to `target`; `sp` is the stack pointer now.
    fn jump(&mut self, jump: Jump, target: u64, sp: u64) {
        let link = |r: u8| r == RA || r == T0;
        if link(jump.rd) {
            self.call(target, sp);
        } else if jump.rs1.is_some_and(link) {
            self.ret(target, sp);
        } else if !self.leaf.covers(target) {
            if self.funcs.is_entry(target) {
                self.tail_call(target);
            } else {
                self.jump_out(target);
            }
        }
    }

    /// Code that fell into another symbol becomes a frame of its own before it calls.
    fn promote_leaf(&mut self, sp: u64) {
        if let Some(top) = self.stack.last()
            && self.leaf.len != 0
            && self.leaf.node != top.node
        {
            self.stack.push(Frame {
                func: self.leaf.func,
                node: self.leaf.node,
                sp,
            });
        }
    }

    fn call(&mut self, target: u64, sp: u64) {
        self.promote_leaf(sp);
        let placed = self.funcs.at(target);
        let node = push_frame(&mut self.tree, &mut self.stack, placed.func, sp);
        self.leaf = Leaf {
            start: placed.start,
            len: placed.end - placed.start,
            func: placed.func,
            node,
        };
    }

    /// A jump without link to another function's entry: the callee takes the place of the
    /// function jumping.
    fn tail_call(&mut self, target: u64) {
        let placed = self.funcs.at(target);
        let leaf_is_top = self.stack.last().is_some_and(|t| t.node == self.leaf.node);
        let node = if leaf_is_top {
            let top = self.stack.last_mut().expect("checked");
            let node = self.tree.child(self.tree.parent(top.node), placed.func);
            top.func = placed.func;
            top.node = node;
            node
        } else {
            // From code that fell into another symbol, which had no frame: the callee is
            // counted where that code was, above the top frame.
            let top = self.stack.last().map_or(ROOT, |t| t.node);
            self.tree.child(top, placed.func)
        };
        self.leaf = Leaf {
            start: placed.start,
            len: placed.end - placed.start,
            func: placed.func,
            node,
        };
    }

    /// A jump through `ra` or `t0` without link.
    fn ret(&mut self, target: u64, sp: u64) {
        let n = self.stack.len();
        let returns_to_caller = n >= 2 && self.funcs.contains(self.stack[n - 2].func, target);
        if self.leaf.covers(target) && !(returns_to_caller && self.stack[n - 1].sp == sp) {
            // An indirect jump within the function that happens to use t0 (a return to an
            // outer call of a recursive function restores the caller's sp).
            return;
        }
        if returns_to_caller {
            self.stack.pop();
            let caller = self.stack[n - 2];
            self.leaf = match self.funcs.range(caller.func) {
                Some((start, end)) => Leaf {
                    start,
                    len: end - start,
                    func: caller.func,
                    node: caller.node,
                },
                None => Leaf::NONE,
            };
            return;
        }
        self.leaf = Leaf::NONE;
        // The return lands where the caller's frame does not: the code unwound several
        // frames (longjmp, exceptions) or switched stacks (coroutines, goroutines). Keep
        // the stack left, in case the code returns to it later.
        let current = std::mem::take(&mut self.stack);
        if let Some(resumed) = self.suspended.resume(sp, target, &self.funcs) {
            self.stack = resumed;
        } else if let Some(i) = (0..n.saturating_sub(2))
            .rev()
            .find(|&i| self.funcs.contains(current[i].func, target))
        {
            self.stack = current[..=i].to_vec();
        }
        // Otherwise the stack stays empty and restarts at the target's function.
        self.suspended.suspend(current);
    }

    /// A jump without link out of the current function, not to an entry: back into a frame
    /// further out (the end of a longjmp-like unwind or of an injected call), or on into
    /// code that is counted where it is, under the current stack.
    fn jump_out(&mut self, target: u64) {
        if let Some(i) = (0..self.stack.len())
            .rev()
            .find(|&i| self.funcs.contains(self.stack[i].func, target))
        {
            self.stack.truncate(i + 1);
        }
        self.leaf = Leaf::NONE;
    }

    /// The stack of thread `tid`.
    fn stack_of(&mut self, tid: u64) -> &mut Vec<Frame> {
        if tid == self.tid {
            &mut self.stack
        } else {
            self.parked.entry(tid).or_default()
        }
    }

    /// Thread `tid` entered the handler at `handler` for signal `sig`, its frame at `frame`.
    fn signal(&mut self, tid: u64, sig: u32, handler: u64, frame: u64) {
        if tid == self.tid {
            self.promote_leaf(frame);
        }
        let delivery = self.funcs.signal(sig);
        let handler = self.funcs.at(handler).func;
        let mut stack = std::mem::take(self.stack_of(tid));
        push_frame(&mut self.tree, &mut stack, delivery, frame);
        push_frame(&mut self.tree, &mut stack, handler, frame);
        *self.stack_of(tid) = stack;
        self.leaf = Leaf::NONE;
    }

    /// Thread `tid` returned from a signal handler: back to the frames it interrupted.
    fn sigreturn(&mut self, tid: u64) {
        let mut stack = std::mem::take(self.stack_of(tid));
        if let Some(i) = stack.iter().rposition(|f| self.funcs.is_signal(f.func)) {
            stack.truncate(i);
        }
        *self.stack_of(tid) = stack;
        self.leaf = Leaf::NONE;
    }

    fn switch(&mut self, from: u64, to: u64, exited: bool) {
        debug_assert_eq!(from, self.tid);
        let stack = std::mem::take(&mut self.stack);
        if !exited {
            self.parked.insert(from, stack);
        }
        // A thread not seen before starts its stack at its first instruction.
        self.stack = self.parked.remove(&to).unwrap_or_default();
        self.tid = to;
        self.leaf = Leaf::NONE;
    }
}

/// Pushes a frame of `func` onto `stack`, returning its node. Past [`MAX_DEPTH`] frames the
/// node hangs under a `[...]` node below the frame at the limit.
fn push_frame(tree: &mut CallTree, stack: &mut Vec<Frame>, func: FuncId, sp: u64) -> NodeId {
    let parent = match stack.len() {
        0 => ROOT,
        n if n < MAX_DEPTH => stack[n - 1].node,
        _ => tree.child(stack[MAX_DEPTH - 1].node, ELIDED),
    };
    let node = tree.child(parent, func);
    stack.push(Frame { func, node, sp });
    node
}

impl cpu::Observer for Profiler {
    #[inline(always)]
    fn before(&mut self, _: &Cpu, _: &Step) {}

    #[inline(always)]
    fn retired(&mut self, cpu: &Cpu, _: &GuestMemory, step: &Step) {
        if !self.leaf.covers(step.pc) {
            self.enter(step.pc);
        }
        self.tree.counts[self.leaf.node as usize] += 1;
        // Only the link and base registers are taken from `jump`: its target was computed
        // from the registers before the instruction, which the link may have overwritten.
        // Where the jump went is where the pc is now.
        if let Some(jump) = step.jump(cpu) {
            self.jump(jump, cpu.pc, cpu.x[SP]);
        }
    }
}

impl RunObserver for Profiler {
    fn event(&mut self, _: &Process, event: &RunEvent) {
        match *event {
            RunEvent::Switch { from, to, exited } => self.switch(from, to, exited),
            RunEvent::Signal {
                tid,
                sig,
                handler,
                frame,
            } => self.signal(tid, sig, handler, frame),
            RunEvent::Syscall {
                tid,
                nr: SYS_RT_SIGRETURN,
                ..
            } => self.sigreturn(tid),
            RunEvent::Syscall { .. } => {}
        }
    }
}

/// A finished profile: instructions per call stack.
pub struct Profile {
    program: String,
    funcs: Functions,
    tree: CallTree,
}

/// How a profile is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProfileFormat {
    /// `frame;frame;frame count` lines, as flamegraph tools read them.
    Folded,
    /// gzipped profile.proto, as `go tool pprof` reads it.
    Pprof,
}

impl ProfileFormat {
    /// Parses a `--profile-format` value.
    pub fn parse(s: &str) -> Result<ProfileFormat, String> {
        match s {
            "folded" => Ok(ProfileFormat::Folded),
            "pprof" => Ok(ProfileFormat::Pprof),
            _ => Err(format!("unknown profile format {s:?} (folded or pprof)")),
        }
    }
}

impl Profile {
    /// All instructions counted: every instruction the run retired.
    pub fn total(&self) -> u64 {
        self.tree.total()
    }

    /// The profile in `format`.
    pub fn encode(&self, format: ProfileFormat) -> Vec<u8> {
        match format {
            ProfileFormat::Folded => folded::encode(self).into_bytes(),
            ProfileFormat::Pprof => pprof::encode(self),
        }
    }

    /// Every stack that retired instructions (function ids, outermost first) and its count.
    fn stacks(&self) -> impl Iterator<Item = (Vec<FuncId>, u64)> + '_ {
        self.tree
            .counted()
            .map(|(node, count)| (self.tree.path(node), count))
    }

    fn name(&self, func: FuncId) -> String {
        self.funcs.name(func)
    }

    fn kind(&self, func: FuncId) -> &FuncKind {
        self.funcs.kind(func)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_past_the_depth_limit_hang_below_an_elided_marker() {
        let mut tree = CallTree::default();
        let mut stack = Vec::new();
        let mut last = ROOT;
        for depth in 0..MAX_DEPTH + 10 {
            last = push_frame(&mut tree, &mut stack, 100 + depth as FuncId, 0);
        }
        assert_eq!(
            stack.len(),
            MAX_DEPTH + 10,
            "every frame is kept for its return"
        );
        let path = tree.path(last);
        assert_eq!(path.len(), MAX_DEPTH + 2);
        assert_eq!(path[MAX_DEPTH - 1], 100 + MAX_DEPTH as FuncId - 1);
        assert_eq!(path[MAX_DEPTH], ELIDED);
        assert_eq!(path[MAX_DEPTH + 1], 100 + MAX_DEPTH as FuncId + 9);
    }
}
