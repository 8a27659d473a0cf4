//! `rvrun trace diff`: reads two traces in step and finds the first record where they
//! differ, naming the field: the way to find where two runs part.

use super::format::{InsnRecord, MemAccess, Record, reg_name};
use super::reader::{Entry, TraceError, TraceReader};
use super::render::Renderer;
use crate::mem::MemWrite;
use std::collections::VecDeque;
use std::io::Read;

/// Where two traces part.
#[derive(Clone, Debug)]
pub struct Divergence {
    /// Index of the first record that differs.
    pub index: u64,
    /// What differs, e.g. `value of a0: 0x5 vs 0x6`.
    pub what: String,
    /// The first trace's record there (`None`: that trace ended).
    pub a: Option<Entry>,
    /// The second trace's record there.
    pub b: Option<Entry>,
    /// The records before it, identical in both, oldest first.
    pub context: Vec<Entry>,
}

/// Compares `a` and `b` record by record. `None` when every record is identical; otherwise
/// the first difference with up to `context` records before it. An unreadable record is an
/// error, reported with the name of its trace.
pub fn diff<R1: Read, R2: Read>(
    a: &mut TraceReader<R1>,
    b: &mut TraceReader<R2>,
    names: [&str; 2],
    context: usize,
) -> Result<Option<Divergence>, String> {
    let mut recent: VecDeque<Entry> = VecDeque::with_capacity(context + 1);
    loop {
        let x = a
            .next_entry()
            .map_err(|e: TraceError| format!("{}: {e}", names[0]))?;
        let y = b
            .next_entry()
            .map_err(|e: TraceError| format!("{}: {e}", names[1]))?;
        let what = match (&x, &y) {
            (None, None) => return Ok(None),
            (Some(_), None) => Some(format!("{} ends here, {} goes on", names[1], names[0])),
            (None, Some(_)) => Some(format!("{} ends here, {} goes on", names[0], names[1])),
            (Some(x), Some(y)) => difference(x, y),
        };
        if let Some(what) = what {
            let index = x.as_ref().or(y.as_ref()).map_or(0, |e| e.index);
            return Ok(Some(Divergence {
                index,
                what,
                a: x,
                b: y,
                context: recent.into(),
            }));
        }
        if context > 0 {
            if recent.len() == context {
                recent.pop_front();
            }
            recent.push_back(x.expect("both traces have this record"));
        }
    }
}

impl Divergence {
    /// The report: what differs, the context, then the two records.
    pub fn render(&self, renderer: &Renderer, names: [&str; 2]) -> String {
        let at = self.a.as_ref().or(self.b.as_ref());
        let mut s = format!(
            "traces differ at record {} (instruction {}, thread {}): {}\n",
            self.index,
            at.map_or(0, |e| e.insn),
            at.map_or(0, |e| e.tid),
            self.what
        );
        for e in &self.context {
            s.push_str(&format!("  {}\n", renderer.line(e)));
        }
        for (label, e) in [("A", &self.a), ("B", &self.b)] {
            match e {
                Some(e) => s.push_str(&format!("{label} {}\n", renderer.line(e))),
                None => s.push_str(&format!(
                    "{label} (end of {})\n",
                    names[(label == "B") as usize]
                )),
            }
        }
        s
    }
}

/// The first field in which `x` and `y` differ, described.
pub fn difference(x: &Entry, y: &Entry) -> Option<String> {
    let (p, q) = (&x.record, &y.record);
    if p.kind() != q.kind() {
        return Some(format!("record kind: {} vs {}", p.kind(), q.kind()));
    }
    if x.tid != y.tid {
        return Some(format!("thread: {} vs {}", x.tid, y.tid));
    }
    if p == q {
        return None;
    }
    let d = match (p, q) {
        (Record::Insn(i), Record::Insn(j)) => insn_difference(i, j),
        (
            Record::Syscall {
                nr: n1,
                args: a1,
                result: r1,
            },
            Record::Syscall {
                nr: n2,
                args: a2,
                result: r2,
            },
        ) => {
            let name = crate::abi::unistd::syscall_name(*n1).unwrap_or("unknown");
            if n1 != n2 {
                format!("syscall number: {n1} vs {n2}")
            } else if let Some(k) = (0..6).find(|&k| a1[k] != a2[k]) {
                format!("argument {k} of {name}: 0x{:x} vs 0x{:x}", a1[k], a2[k])
            } else {
                format!("result of {name}: {} vs {}", opt_hex(*r1), opt_hex(*r2))
            }
        }
        (Record::Mem(m), Record::Mem(n)) => mem_difference(m, n),
        (Record::Regs(r1), Record::Regs(r2)) => {
            let k = (0..r1.len().max(r2.len()))
                .find(|&k| r1.get(k) != r2.get(k))
                .unwrap_or(0);
            let show = |r: Option<&(u8, u64)>| {
                r.map_or("nothing".to_string(), |(g, v)| {
                    format!("{}=0x{v:x}", reg_name(*g))
                })
            };
            format!(
                "registers set by the kernel: {} vs {}",
                show(r1.get(k)),
                show(r2.get(k))
            )
        }
        _ => format!("{p:?} vs {q:?}"),
    };
    Some(d)
}

fn opt_hex(v: Option<u64>) -> String {
    v.map_or("none".to_string(), |v| format!("0x{v:x}"))
}

fn insn_difference(i: &InsnRecord, j: &InsnRecord) -> String {
    if i.pc != j.pc {
        return format!("pc: 0x{:x} vs 0x{:x}", i.pc, j.pc);
    }
    if i.raw != j.raw {
        return format!("instruction encoding: 0x{:x} vs 0x{:x}", i.raw, j.raw);
    }
    match (i.dest, j.dest) {
        (Some((r, v)), Some((s, w))) if r == s && v != w => {
            return format!("value of {}: 0x{v:x} vs 0x{w:x}", reg_name(r));
        }
        (d, e) if d != e => {
            let show =
                |d: Option<(u8, u64)>| d.map_or("none".into(), |(r, _)| reg_name(r).to_string());
            return format!("destination register: {} vs {}", show(d), show(e));
        }
        _ => {}
    }
    match (i.access, j.access) {
        (Some(a), Some(b)) => access_difference(&a, &b),
        (a, b) => format!(
            "memory access: {} vs {}",
            if a.is_some() { "one" } else { "none" },
            if b.is_some() { "one" } else { "none" }
        ),
    }
}

fn access_difference(a: &MemAccess, b: &MemAccess) -> String {
    if a.kind != b.kind || a.width != b.width {
        format!(
            "memory access: {:?} of {} bytes vs {:?} of {} bytes",
            a.kind, a.width, b.kind, b.width
        )
    } else if a.addr != b.addr {
        format!("access address: 0x{:x} vs 0x{:x}", a.addr, b.addr)
    } else if a.read != b.read {
        format!(
            "value read at 0x{:x}: 0x{:x} vs 0x{:x}",
            a.addr, a.read, b.read
        )
    } else {
        format!(
            "value written at 0x{:x}: 0x{:x} vs 0x{:x}",
            a.addr, a.written, b.written
        )
    }
}

fn mem_difference(m: &MemWrite, n: &MemWrite) -> String {
    match (m, n) {
        (MemWrite::Bytes { addr: a, data: d }, MemWrite::Bytes { addr: b, data: e }) => {
            if a != b {
                format!("address of a kernel write: 0x{a:x} vs 0x{b:x}")
            } else if let Some(k) = d.iter().zip(e).position(|(x, y)| x != y) {
                format!(
                    "byte {k} of the kernel write at 0x{a:x} (address 0x{:x}): 0x{:02x} vs 0x{:02x}",
                    a + k as u64,
                    d[k],
                    e[k]
                )
            } else {
                format!(
                    "length of the kernel write at 0x{a:x}: {} vs {} bytes",
                    d.len(),
                    e.len()
                )
            }
        }
        _ => format!("{m:?} vs {n:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::format::{AccessKind, InsnRecord};

    fn entry(record: Record) -> Entry {
        Entry {
            index: 7,
            insn: 3,
            tid: 1000,
            offset: 0,
            record,
        }
    }

    fn insn(dest: u64, addr: u64) -> Record {
        Record::Insn(InsnRecord {
            pc: 0x1000,
            raw: 0x0101_3503,
            dest: Some((10, dest)),
            access: Some(MemAccess {
                kind: AccessKind::Read,
                addr,
                width: 8,
                read: dest,
                written: 0,
            }),
        })
    }

    #[test]
    fn names_the_first_differing_field() {
        assert_eq!(
            difference(&entry(insn(5, 0x10)), &entry(insn(5, 0x10))),
            None
        );
        assert_eq!(
            difference(&entry(insn(5, 0x10)), &entry(insn(6, 0x10))).unwrap(),
            "value of a0: 0x5 vs 0x6"
        );
        assert_eq!(
            difference(&entry(insn(5, 0x10)), &entry(insn(5, 0x18))).unwrap(),
            "access address: 0x10 vs 0x18"
        );
        let w = |data: &[u8]| {
            entry(Record::Mem(MemWrite::Bytes {
                addr: 0x100,
                data: data.to_vec(),
            }))
        };
        assert_eq!(
            difference(&w(b"hello"), &w(b"help!")).unwrap(),
            "byte 3 of the kernel write at 0x100 (address 0x103): 0x6c vs 0x70"
        );
        let sys = |r| {
            entry(Record::Syscall {
                nr: 63,
                args: [0, 0x100, 5, 0, 0, 0],
                result: Some(r),
            })
        };
        assert_eq!(
            difference(&sys(5), &sys(4)).unwrap(),
            "result of read: 0x5 vs 0x4"
        );
        assert_eq!(
            difference(&sys(5), &w(b"x")).unwrap(),
            "record kind: syscall vs write"
        );
    }
}
