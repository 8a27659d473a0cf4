//! The `rvrun trace` subcommands: `dump`, `stats` and `diff`.

use super::diff::diff;
use super::dump::{Filter, dump};
use super::reader::{TraceError, TraceReader};
use super::render::Renderer;
use super::stats::TraceStats;
use clap::{Args, Subcommand};
use std::io::{self, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Exit status for errors (unreadable trace, bad usage), as for the rest of rvrun.
const ERROR: u8 = 125;

/// `rvrun trace` subcommands.
#[derive(Subcommand)]
pub enum TraceCommand {
    /// Print a trace as text: one line per record, with function names and disassembly.
    Dump(DumpArgs),
    /// Count what a trace holds: instruction mix, syscalls, threads, switches, signals, size.
    Stats(StatsArgs),
    /// Find the first record where two traces differ, naming the field
    /// (exit 0: identical, 1: they differ; 125: error).
    Diff(DiffArgs),
}

/// Options of `rvrun trace dump`.
#[derive(Args)]
pub struct DumpArgs {
    /// Take symbols from this program file (default: the path recorded in the trace).
    #[arg(long, value_name = "PATH")]
    program: Option<PathBuf>,
    /// Only records with these indexes: `A..B` (B excluded), `A..`, `..B` or one index.
    #[arg(long, value_name = "A..B", value_parser = parse_range)]
    records: Option<Range<u64>>,
    /// Only these instructions (by 0-based index) and the events between them.
    #[arg(long, value_name = "A..B", value_parser = parse_range)]
    insns: Option<Range<u64>>,
    /// Only records of this thread.
    #[arg(long, value_name = "TID")]
    tid: Option<u64>,
    /// Only instructions at this address or in this range (`0x1000..0x1100`).
    #[arg(long, value_name = "PC|LO..HI", value_parser = parse_range)]
    pc: Option<Range<u64>>,
    /// Only instructions in this function (its name as the dump shows it).
    #[arg(long, value_name = "NAME", conflicts_with = "pc")]
    symbol: Option<String>,
    /// Only records other than instructions (syscalls, writes, switches, signals...).
    #[arg(long)]
    events: bool,
    /// Stop after printing this many records.
    #[arg(long, value_name = "N")]
    limit: Option<u64>,
    /// The trace file.
    trace: PathBuf,
}

/// Options of `rvrun trace stats`.
#[derive(Args)]
pub struct StatsArgs {
    /// List this many mnemonics (most frequent first).
    #[arg(long, value_name = "N", default_value_t = 40)]
    top: usize,
    /// The trace file.
    trace: PathBuf,
}

/// Options of `rvrun trace diff`.
#[derive(Args)]
pub struct DiffArgs {
    /// Show this many identical records before the first difference.
    #[arg(long, value_name = "N", default_value_t = 5)]
    context: usize,
    /// Take symbols from this program file (default: the path recorded in the first trace).
    #[arg(long, value_name = "PATH")]
    program: Option<PathBuf>,
    /// The first trace.
    a: PathBuf,
    /// The second trace.
    b: PathBuf,
}

/// Runs a `trace` subcommand; returns the exit status.
pub fn main(command: TraceCommand) -> u8 {
    let result = match command {
        TraceCommand::Dump(a) => run_dump(a),
        TraceCommand::Stats(a) => run_stats(a),
        TraceCommand::Diff(a) => run_diff(a),
    };
    match result {
        Ok(status) => status,
        Err(msg) => {
            crate::output::message(&format!("rvrun: trace: {msg}"));
            ERROR
        }
    }
}

fn open(path: &Path) -> Result<TraceReader<std::fs::File>, String> {
    TraceReader::open(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// An error while dumping: a closed pipe (`| head`) ends the output quietly, another write
/// error is reported as such (see [`crate::output`]); else the trace is at fault.
fn output_error(e: TraceError, trace: &Path, wrote: bool) -> Result<u8, String> {
    match e {
        TraceError::Io(e) if wrote => Ok(crate::output::stdout_failed(&e, 0)),
        e => Err(format!("{}: {e}", trace.display())),
    }
}

fn run_dump(a: DumpArgs) -> Result<u8, String> {
    let mut reader = open(&a.trace)?;
    let (renderer, warning) = Renderer::for_trace(reader.header(), a.program.as_deref());
    if let Some(w) = warning {
        crate::output::message(&format!("rvrun: trace dump: {w}"));
    }
    let pcs = match &a.symbol {
        Some(name) => {
            let (start, end) = renderer
                .symbols()
                .address_of(name)
                .ok_or_else(|| format!("no function named '{name}' in the program's symbols"))?;
            Some(start..end)
        }
        None => a.pc,
    };
    let filter = Filter {
        records: a.records,
        insns: a.insns,
        tid: a.tid,
        pcs,
        events_only: a.events,
        limit: a.limit,
    };
    let mut out = WriteWatch {
        inner: io::BufWriter::with_capacity(1 << 16, io::stdout().lock()),
        failed: false,
    };
    match dump(&mut reader, &renderer, &filter, &mut out).and_then(|_| Ok(out.flush()?)) {
        Ok(()) => Ok(0),
        Err(e) => output_error(e, &a.trace, out.failed),
    }
}

/// A writer that remembers whether a write failed, to tell output errors from the trace's.
struct WriteWatch<W: Write> {
    inner: W,
    failed: bool,
}

impl<W: Write> Write for WriteWatch<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let r = self.inner.write(buf);
        self.failed |= r.is_err();
        r
    }

    fn flush(&mut self) -> io::Result<()> {
        let r = self.inner.flush();
        self.failed |= r.is_err();
        r
    }
}

fn run_stats(a: StatsArgs) -> Result<u8, String> {
    let mut reader = open(&a.trace)?;
    let stats =
        TraceStats::collect(&mut reader).map_err(|e| format!("{}: {e}", a.trace.display()))?;
    let bytes = std::fs::metadata(&a.trace).map(|m| m.len()).unwrap_or(0);
    let h = reader.header();
    let text = format!(
        "trace: {} (program {}, argv {:?})\n{}",
        a.trace.display(),
        h.host.program.escape_debug(),
        h.inputs.argv,
        stats.render(bytes, a.top)
    );
    Ok(crate::output::stdout_then(&text, 0))
}

fn run_diff(a: DiffArgs) -> Result<u8, String> {
    let mut x = open(&a.a)?;
    let mut y = open(&a.b)?;
    let names = [a.a.to_string_lossy(), a.b.to_string_lossy()];
    let names = [names[0].as_ref(), names[1].as_ref()];
    let inputs = crate::receipt::compare_inputs(&x.header().inputs, &y.header().inputs);
    let mut text = String::new();
    if !inputs.is_empty() {
        text += &format!(
            "the runs' inputs differ (\"recorded\" is {}, \"now\" is {}):\n",
            names[0], names[1]
        );
        for d in &inputs {
            text += &format!("  {d}\n");
        }
    }
    let (renderer, warning) = Renderer::for_trace(x.header(), a.program.as_deref());
    if let Some(w) = warning {
        crate::output::message(&format!("rvrun: trace diff: {w}"));
    }
    let status = match diff(&mut x, &mut y, names, a.context)? {
        None => {
            let (records, insns) = x.counts();
            text += &format!("traces are identical: {records} records, {insns} instructions\n");
            0
        }
        Some(d) => {
            text += &d.render(&renderer, names);
            1
        }
    };
    Ok(crate::output::stdout_then(&text, status))
}

/// `A..B`, `A..`, `..B` or `A` (meaning `A..A+1`); decimal or `0x` hex.
fn parse_range(s: &str) -> Result<Range<u64>, String> {
    let num = |t: &str| -> Result<u64, String> {
        let t = t.trim();
        match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
            Some(h) => u64::from_str_radix(h, 16),
            None => t.parse(),
        }
        .map_err(|_| format!("'{t}' is not a number"))
    };
    match s.split_once("..") {
        Some((lo, hi)) => {
            let lo = if lo.is_empty() { 0 } else { num(lo)? };
            let hi = if hi.is_empty() { u64::MAX } else { num(hi)? };
            if lo > hi {
                return Err(format!("empty range {s}"));
            }
            Ok(lo..hi)
        }
        None => {
            let v = num(s)?;
            Ok(v..v.saturating_add(1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn ranges_parse() {
        assert_eq!(parse_range("5"), Ok(5..6));
        assert_eq!(parse_range("10..20"), Ok(10..20));
        assert_eq!(parse_range("0x1000..0x1010"), Ok(0x1000..0x1010));
        assert_eq!(parse_range("7.."), Ok(7..u64::MAX));
        assert_eq!(parse_range("..7"), Ok(0..7));
        assert!(parse_range("9..3").is_err());
        assert!(parse_range("x").is_err());
    }
}
