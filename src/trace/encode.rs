//! Records to bytes: the writing half of the record codec (layout in `docs/trace.md`).

use super::codec::{put_svarint, put_uvarint, zigzag};
use super::format::*;
use crate::kernel::process::ExitReason;
use crate::mem::MemWrite;

/// Entries of the cache of raw instructions already written, by pc.
const RAW_SEEN: usize = 1 << 14;

/// The longest instruction record: tag, pc delta, raw word, register and value delta,
/// address delta, value read, value written.
const MAX_INSN_RECORD: usize = 1 + 10 + 4 + 1 + 10 + 10 + 10 + 10;

/// An instruction record being built in place.
struct Scratch<'a> {
    b: &'a mut [u8],
    n: usize,
}

impl Scratch<'_> {
    #[inline(always)]
    fn uvarint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.b[self.n] = v as u8 | 0x80;
            self.n += 1;
            v >>= 7;
        }
        self.b[self.n] = v as u8;
        self.n += 1;
    }

    #[inline(always)]
    fn svarint(&mut self, v: i64) {
        self.uvarint(zigzag(v));
    }

    #[inline(always)]
    fn bytes(&mut self, b: &[u8]) {
        self.b[self.n..self.n + b.len()].copy_from_slice(b);
        self.n += b.len();
    }
}

/// Encodes records, keeping the state their deltas are relative to.
pub struct Encoder {
    state: CodecState,
    /// Direct-mapped by pc: the raw word of the last instruction record written at that pc.
    /// A record may leave its raw word out when its slot says the reader already has it; a
    /// slot another pc took over just costs the bytes again.
    raw_seen: Vec<(u64, u32)>,
}

impl Encoder {
    /// An encoder for a trace whose initial thread is `tid`.
    pub fn new(tid: u64) -> Encoder {
        Encoder {
            state: CodecState::new(tid),
            // No instruction has an odd pc: the empty slot matches nothing.
            raw_seen: vec![(1, 0); RAW_SEEN],
        }
    }

    /// The codec state (the registers the reader knows, the counts so far).
    pub fn state(&self) -> &CodecState {
        &self.state
    }

    /// Appends the instruction record `r` to `buf`.
    #[inline]
    pub fn insn(&mut self, buf: &mut Vec<u8>, r: &InsnRecord) {
        // Room for the longest record is made at once (a fixed-size copy, no capacity check
        // per byte); the unused tail is cut off at the end.
        let at = buf.len();
        buf.extend_from_slice(&[0; MAX_INSN_RECORD]);
        let mut out = Scratch {
            b: &mut buf[at..],
            n: 1,
        };
        let st = &mut self.state;
        let mut tag = 0u8;
        if r.pc != st.next_pc {
            tag |= INSN_JUMP;
            out.svarint(r.pc.wrapping_sub(st.next_pc) as i64);
        }
        let slot = &mut self.raw_seen[(r.pc >> 1) as usize & (RAW_SEEN - 1)];
        if *slot != (r.pc, r.raw) {
            tag |= INSN_RAW;
            *slot = (r.pc, r.raw);
            out.bytes(&r.raw.to_le_bytes()[..r.size() as usize]);
        }
        if let Some((reg, v)) = r.dest {
            tag |= INSN_DEST;
            out.bytes(&[reg]);
            let old = st.regs[reg as usize & (REGS - 1)];
            out.svarint(v.wrapping_sub(old) as i64);
        }
        if let Some(a) = &r.access {
            tag |= (a.kind as u8) << INSN_ACCESS_SHIFT | a.width.trailing_zeros() as u8;
            out.svarint(a.addr.wrapping_sub(st.last_addr) as i64);
            if a.kind.reads() && r.dest.is_none() {
                out.uvarint(a.read);
            }
            if a.kind.writes() {
                out.uvarint(a.written);
            }
        }
        out.b[0] = tag;
        let n = out.n;
        buf.truncate(at + n);
        st.records += 1;
        st.apply_insn(r);
    }

    /// Appends `record` (of any kind) to `buf`.
    pub fn record(&mut self, buf: &mut Vec<u8>, record: &Record) {
        match record {
            Record::Insn(r) => return self.insn(buf, r),
            Record::Syscall { nr, args, result } => {
                buf.push(if result.is_some() {
                    TAG_SYSCALL
                } else {
                    TAG_SYSCALL_PENDING
                });
                put_uvarint(buf, *nr);
                for &a in args {
                    put_uvarint(buf, a);
                }
                if let Some(r) = result {
                    put_svarint(buf, *r as i64);
                }
            }
            Record::Mem(MemWrite::Bytes { addr, data }) => {
                self.write_header(buf, *addr, data.len() as u64);
                buf.extend_from_slice(data);
                return;
            }
            Record::Mem(MemWrite::Zero { addr, len }) => {
                buf.push(TAG_ZERO);
                put_uvarint(buf, *addr);
                put_uvarint(buf, *len);
            }
            Record::Mem(MemWrite::Copy { src, dst, len }) => {
                buf.push(TAG_COPY);
                put_uvarint(buf, *src);
                put_uvarint(buf, *dst);
                put_uvarint(buf, *len);
            }
            Record::Switch { from, to, exited } => {
                buf.push(if *exited {
                    TAG_SWITCH_EXITED
                } else {
                    TAG_SWITCH
                });
                put_uvarint(buf, *from);
                put_uvarint(buf, *to);
            }
            Record::Signal {
                sig,
                handler,
                frame,
            } => {
                buf.push(TAG_SIGNAL);
                put_uvarint(buf, u64::from(*sig));
                put_uvarint(buf, *handler);
                put_uvarint(buf, *frame);
            }
            Record::Regs(regs) => {
                buf.push(TAG_REGS);
                put_uvarint(buf, regs.len() as u64);
                for &(r, v) in regs {
                    buf.push(r);
                    let old = self.state.regs[r as usize & (REGS - 1)];
                    put_svarint(buf, v.wrapping_sub(old) as i64);
                }
            }
            Record::Exit(reason) => {
                buf.push(TAG_EXIT);
                match reason {
                    ExitReason::Exited(code) => {
                        buf.push(0);
                        put_svarint(buf, i64::from(*code));
                    }
                    ExitReason::Signaled(sig) => {
                        buf.push(1);
                        put_uvarint(buf, u64::from(*sig));
                    }
                    ExitReason::Stopped(msg) => {
                        buf.push(2);
                        put_uvarint(buf, msg.len() as u64);
                        buf.extend_from_slice(msg.as_bytes());
                    }
                }
            }
            Record::End { insns, records } => {
                buf.push(TAG_END);
                put_uvarint(buf, *insns);
                put_uvarint(buf, *records);
            }
        }
        self.state.apply(record);
    }

    /// Appends the start of a `Write` record of `len` bytes at `addr` and counts the record;
    /// the caller appends (or streams) the bytes right after.
    pub fn write_header(&mut self, buf: &mut Vec<u8>, addr: u64, len: u64) {
        buf.push(TAG_WRITE);
        put_uvarint(buf, addr);
        put_uvarint(buf, len);
        self.state.records += 1;
    }
}
