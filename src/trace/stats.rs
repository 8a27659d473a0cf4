//! `rvrun trace stats`: what a trace holds, counted: instruction mix, syscalls, threads,
//! switches, signals, memory traffic, and the trace's own size per instruction.

use super::format::{AccessKind, Record};
use super::intmap::IntMap;
use super::reader::{TraceError, TraceReader};
use crate::abi::unistd::syscall_name;
use crate::cpu::disasm::disassemble;
use crate::kernel::process::ExitReason;
use crate::kernel::signal::signal_name;
use crate::mem::MemWrite;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io::Read;

/// The instruction mix, most frequent first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mix {
    /// Instructions by mnemonic.
    pub mnemonics: Vec<(String, u64)>,
    /// Instructions by class (see [`crate::cpu::disasm::class_of`]).
    pub classes: Vec<(&'static str, u64)>,
}

/// Counts over a whole trace.
#[derive(Clone, Debug, Default)]
pub struct TraceStats {
    /// Records, the trailer included.
    pub records: u64,
    /// Records other than instructions, by kind.
    pub kinds: BTreeMap<&'static str, u64>,
    /// Instruction records.
    pub insns: u64,
    /// Instructions by raw encoding (turned into mnemonics when rendered).
    by_raw: IntMap<u32, u64>,
    /// Instructions by thread.
    pub per_thread: IntMap<u64, u64>,
    /// Syscall records by number (a blocked call that is retried counts again).
    pub syscalls: BTreeMap<u64, u64>,
    /// Thread switches.
    pub switches: u64,
    /// Switches away from a thread that exited.
    pub exits: u64,
    /// Signal deliveries by signal.
    pub signals: BTreeMap<u32, u64>,
    /// Loads.
    pub reads: u64,
    /// Stores.
    pub writes: u64,
    /// AMOs.
    pub read_writes: u64,
    /// Bytes the kernel wrote (`write` records).
    pub kernel_bytes: u64,
    /// Bytes the kernel zeroed (`zero` records, the initial image included).
    pub zeroed_bytes: u64,
    /// Bytes the kernel copied.
    pub copied_bytes: u64,
    /// How the run ended, if the trace says.
    pub exit: Option<ExitReason>,
}

impl TraceStats {
    /// Reads every record of `reader`.
    pub fn collect<R: Read>(reader: &mut TraceReader<R>) -> Result<TraceStats, TraceError> {
        let mut s = TraceStats::default();
        while let Some(e) = reader.next_entry()? {
            s.records += 1;
            if !matches!(e.record, Record::Insn(_)) {
                *s.kinds.entry(e.record.kind()).or_default() += 1;
            }
            match &e.record {
                Record::Insn(i) => {
                    s.insns += 1;
                    *s.by_raw.entry(i.raw).or_default() += 1;
                    *s.per_thread.entry(e.tid).or_default() += 1;
                    match i.access.map(|a| a.kind) {
                        Some(AccessKind::Read) => s.reads += 1,
                        Some(AccessKind::Write) => s.writes += 1,
                        Some(AccessKind::ReadWrite) => s.read_writes += 1,
                        None => {}
                    }
                }
                Record::Syscall { nr, .. } => *s.syscalls.entry(*nr).or_default() += 1,
                Record::Mem(MemWrite::Bytes { data, .. }) => {
                    s.kernel_bytes = s.kernel_bytes.saturating_add(data.len() as u64)
                }
                Record::Mem(MemWrite::Zero { len, .. }) => {
                    s.zeroed_bytes = s.zeroed_bytes.saturating_add(*len)
                }
                Record::Mem(MemWrite::Copy { len, .. }) => {
                    s.copied_bytes = s.copied_bytes.saturating_add(*len)
                }
                Record::Switch { exited, .. } => {
                    s.switches += 1;
                    s.exits += u64::from(*exited);
                }
                Record::Signal { sig, .. } => *s.signals.entry(*sig).or_default() += 1,
                Record::Exit(r) => s.exit = Some(r.clone()),
                Record::Regs(_) | Record::End { .. } => {}
            }
        }
        Ok(s)
    }

    /// Instruction counts by mnemonic and by class.
    pub fn mix(&self) -> Mix {
        let mut mnemonics: HashMap<String, u64> = HashMap::new();
        let mut classes: HashMap<&'static str, u64> = HashMap::new();
        for (&raw, &n) in &self.by_raw {
            let d = disassemble(raw, 0);
            *mnemonics.entry(d.mnemonic).or_default() += n;
            *classes.entry(d.class).or_default() += n;
        }
        let mut m: Vec<_> = mnemonics.into_iter().collect();
        m.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut c: Vec<_> = classes.into_iter().collect();
        c.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        Mix {
            mnemonics: m,
            classes: c,
        }
    }

    /// The report: `file_bytes` is the trace file's size; `top` limits the mnemonic list.
    pub fn render(&self, file_bytes: u64, top: usize) -> String {
        let mut s = String::new();
        let pct = |n: u64| 100.0 * n as f64 / self.insns.max(1) as f64;
        let _ = writeln!(s, "instructions: {}", self.insns);
        let _ = writeln!(
            s,
            "trace bytes: {file_bytes} ({:.2} bytes/instruction)",
            file_bytes as f64 / self.insns.max(1) as f64
        );
        let kinds: Vec<String> = std::iter::once(format!("insn {}", self.insns))
            .chain(self.kinds.iter().map(|(k, n)| format!("{k} {n}")))
            .collect();
        let _ = writeln!(s, "records: {} ({})", self.records, kinds.join(", "));
        let per_thread: BTreeMap<_, _> = self.per_thread.iter().collect();
        let threads: Vec<String> = per_thread
            .iter()
            .map(|(t, n)| format!("{t}: {n}"))
            .collect();
        let _ = writeln!(
            s,
            "threads: {} (instructions {})",
            self.per_thread.len(),
            threads.join(", ")
        );
        let _ = writeln!(
            s,
            "switches: {} ({} on thread exit)",
            self.switches, self.exits
        );
        let sigs: Vec<String> = self
            .signals
            .iter()
            .map(|(g, n)| format!("{} x{n}", signal_name(*g)))
            .collect();
        let _ = writeln!(
            s,
            "signals: {}{}",
            self.signals.values().sum::<u64>(),
            if sigs.is_empty() {
                String::new()
            } else {
                format!(" ({})", sigs.join(", "))
            }
        );
        let _ = writeln!(
            s,
            "memory accesses: {} reads, {} writes, {} read-modify-writes",
            self.reads, self.writes, self.read_writes
        );
        let _ = writeln!(
            s,
            "kernel memory writes: {} bytes written, {} zeroed, {} copied",
            self.kernel_bytes, self.zeroed_bytes, self.copied_bytes
        );
        if let Some(r) = &self.exit {
            let _ = writeln!(s, "exit: {r:?}");
        }
        let total: u64 = self.syscalls.values().sum();
        let _ = writeln!(s, "syscalls: {total}");
        let mut calls: Vec<_> = self.syscalls.iter().collect();
        calls.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (nr, n) in calls {
            let _ = writeln!(
                s,
                "  {n:>10}  {} ({nr})",
                syscall_name(*nr).unwrap_or("unknown")
            );
        }
        let Mix { mnemonics, classes } = self.mix();
        let _ = writeln!(s, "instruction classes:");
        for (c, n) in &classes {
            let _ = writeln!(s, "  {n:>12} {:>6.2}%  {c}", pct(*n));
        }
        let _ = writeln!(
            s,
            "mnemonics ({} distinct{}):",
            mnemonics.len(),
            if mnemonics.len() > top {
                format!(", top {top}")
            } else {
                String::new()
            }
        );
        for (m, n) in mnemonics.iter().take(top) {
            let _ = writeln!(s, "  {n:>12} {:>6.2}%  {m}", pct(*n));
        }
        s
    }
}
