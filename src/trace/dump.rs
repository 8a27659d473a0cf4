//! `rvrun trace dump`: a trace as text, one line per record, optionally narrowed to a range
//! of records or instructions, a thread, or code addresses.

use super::format::Record;
use super::reader::{Entry, TraceError, TraceReader};
use super::render::Renderer;
use std::io::{self, Read, Write};
use std::ops::Range;

/// Which records to show. Empty fields select everything.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Record indexes.
    pub records: Option<Range<u64>>,
    /// Instruction indexes (events between selected instructions are shown too).
    pub insns: Option<Range<u64>>,
    /// Only this thread's records.
    pub tid: Option<u64>,
    /// Only instructions whose pc is in this range.
    pub pcs: Option<Range<u64>>,
    /// Only records other than instructions.
    pub events_only: bool,
    /// Stop after this many lines.
    pub limit: Option<u64>,
}

impl Filter {
    /// True when `e` is selected.
    pub fn selects(&self, e: &Entry) -> bool {
        let insn = match &e.record {
            Record::Insn(i) => Some(i),
            _ => None,
        };
        self.records.as_ref().is_none_or(|r| r.contains(&e.index))
            && self.insns.as_ref().is_none_or(|r| r.contains(&e.insn))
            && self.tid.is_none_or(|t| t == e.tid)
            && self
                .pcs
                .as_ref()
                .is_none_or(|r| insn.is_some_and(|i| r.contains(&i.pc)))
            && !(self.events_only && insn.is_some())
    }

    /// True when no record from `e` on can be selected.
    fn past_end(&self, e: &Entry) -> bool {
        self.records.as_ref().is_some_and(|r| e.index >= r.end)
            || self.insns.as_ref().is_some_and(|r| e.insn >= r.end)
    }
}

/// Writes the header as comment lines, then every selected record of `reader` to `out`.
/// Returns the number of records shown.
pub fn dump<R: Read>(
    reader: &mut TraceReader<R>,
    renderer: &Renderer,
    filter: &Filter,
    out: &mut impl Write,
) -> Result<u64, TraceError> {
    write_header(reader, out)?;
    writeln!(out, "#   record     insn   tid  what")?;
    let mut shown = 0;
    while let Some(e) = reader.next_entry()? {
        if filter.past_end(&e) || filter.limit.is_some_and(|l| shown >= l) {
            break;
        }
        if filter.selects(&e) {
            writeln!(out, "{}", renderer.line(&e))?;
            shown += 1;
        }
    }
    Ok(shown)
}

fn write_header<R: Read>(reader: &TraceReader<R>, out: &mut impl Write) -> io::Result<()> {
    let h = reader.header();
    let i = &h.inputs;
    writeln!(
        out,
        "# rvrun trace ({}), written by rvrun {}",
        h.format, h.rvrun_version
    )?;
    writeln!(
        out,
        "# program {} (sha256 {}, {} bytes), entry 0x{:x}, load bias 0x{:x}",
        h.host.program, i.program.sha256, i.program.size, h.start.entry, h.start.load_bias
    )?;
    writeln!(out, "# argv {:?} env {:?} cwd {}", i.argv, i.env, i.cwd)?;
    writeln!(
        out,
        "# seed {} epoch {} clock-hz {} quantum {} stdin sha256 {} ({} bytes)",
        i.seed,
        i.epoch,
        i.clock_hz,
        i.quantum.unwrap_or(crate::kernel::sched::DEFAULT_QUANTUM),
        i.stdin.sha256,
        i.stdin.size
    )?;
    for m in &i.mounts {
        writeln!(
            out,
            "# mount {}{} ({} entries)",
            m.guest,
            if m.read_only { " read-only" } else { "" },
            m.entries.len()
        )?;
    }
    Ok(())
}
