//! Fuzz target `trace`: arbitrary bytes read as a whole trace file (header, records,
//! trailer; every record rendered as `rvrun trace dump` would, then statistics as `rvrun
//! trace stats` would), and as a bare record stream fed to the record decoder. Two passes
//! must produce the same text.

use crate::symbols::Symbols;
use crate::trace::decode::Decoder;
use crate::trace::render::Renderer;
use crate::trace::stats::TraceStats;
use crate::trace::{Entry, TraceReader};

/// Records read from one input at most.
pub const MAX_RECORDS: usize = 100_000;

/// The target body.
pub fn run(data: &[u8]) {
    let first = once(data);
    let second = once(data);
    assert_eq!(first, second, "two reads of the same trace differ");
}

fn once(data: &[u8]) -> Vec<String> {
    let renderer = Renderer::new(Symbols::default());
    let mut out = Vec::new();
    match TraceReader::new(data) {
        Ok(mut reader) => {
            out.push(format!("{:?}", reader.header()));
            for _ in 0..MAX_RECORDS {
                match reader.next_entry() {
                    Ok(Some(e)) => out.push(renderer.line(&e)),
                    Ok(None) => break,
                    Err(e) => {
                        out.push(e.to_string());
                        break;
                    }
                }
            }
            out.push(format!("{:?}", reader.counts()));
        }
        Err(e) => out.push(e.to_string()),
    }
    if let Ok(mut reader) = TraceReader::new(data) {
        match TraceStats::collect(&mut reader) {
            Ok(stats) => out.push(stats.render(data.len() as u64, 5)),
            Err(e) => out.push(e.to_string()),
        }
    }
    // The same bytes as records right after a header.
    let mut dec = Decoder::new(1000);
    let mut at = 0;
    for index in 0..MAX_RECORDS as u64 {
        let st = dec.state();
        let (insn, tid) = (st.insns, st.tid);
        match dec.decode(&data[at..]) {
            Ok((record, n)) => {
                assert!(
                    n > 0 && n <= data.len() - at,
                    "decoder consumed {n} of {} bytes",
                    data.len() - at
                );
                let e = Entry {
                    index,
                    insn,
                    tid,
                    offset: at as u64,
                    record,
                };
                out.push(renderer.line(&e));
                at += n;
            }
            Err(e) => {
                out.push(format!("{e:?}"));
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Garbage is reported, not read as records.
    #[test]
    fn garbage_is_an_error() {
        let out = once(b"not a trace at all");
        assert!(out[0].starts_with("not an rvrun trace"), "{}", out[0]);
        run(b"not a trace at all");
    }
}
