//! Bytes to records: the reading half of the record codec (layout in `docs/trace.md`).

use super::codec::{VarintError, get_uvarint, unzigzag};
use super::format::*;
use super::intmap::IntMap;
use crate::kernel::process::ExitReason;
use crate::mem::MemWrite;

/// Why a record does not decode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// The bytes end inside the record; it needs at least this many.
    Truncated(usize),
    /// Not a valid record.
    Malformed(String),
}

/// Decodes records, keeping the same state as the encoder.
pub struct Decoder {
    state: CodecState,
    /// The raw word of the last instruction record at each pc.
    raw: IntMap<u64, u32>,
}

/// A cursor over the bytes of one record.
struct Bytes<'a> {
    b: &'a [u8],
    at: usize,
}

impl Bytes<'_> {
    fn u8(&mut self) -> Result<u8, DecodeError> {
        let v = *self
            .b
            .get(self.at)
            .ok_or(DecodeError::Truncated(self.at + 1))?;
        self.at += 1;
        Ok(v)
    }

    fn take(&mut self, n: usize) -> Result<&[u8], DecodeError> {
        let end = self
            .at
            .checked_add(n)
            .ok_or_else(|| DecodeError::Malformed("length overflows".into()))?;
        let s = self
            .b
            .get(self.at..end)
            .ok_or(DecodeError::Truncated(end))?;
        self.at = end;
        Ok(s)
    }

    fn uvar(&mut self) -> Result<u64, DecodeError> {
        match get_uvarint(&self.b[self.at..]) {
            Ok((v, n)) => {
                self.at += n;
                Ok(v)
            }
            Err(VarintError::Truncated) => Err(DecodeError::Truncated(self.b.len() + 1)),
            Err(VarintError::Overflow) => {
                Err(DecodeError::Malformed("varint longer than 64 bits".into()))
            }
        }
    }

    fn svar(&mut self) -> Result<i64, DecodeError> {
        self.uvar().map(unzigzag)
    }

    fn reg(&mut self) -> Result<Reg, DecodeError> {
        match self.u8()? {
            r @ 1..=63 => Ok(r),
            r => Err(DecodeError::Malformed(format!("register number {r}"))),
        }
    }
}

/// Kernel writes are always inside the guest address space: a range that is not (or that
/// wraps around 2^64) is malformed.
fn in_guest_space(what: &str, addr: u64, len: u64) -> Result<(), DecodeError> {
    match addr.checked_add(len) {
        Some(end) if end <= crate::mem::GUEST_SPACE => Ok(()),
        _ => Err(DecodeError::Malformed(format!(
            "{what} of {len} bytes at 0x{addr:x} is outside the guest address space"
        ))),
    }
}

impl Decoder {
    /// A decoder for a trace whose initial thread is `tid`.
    pub fn new(tid: u64) -> Decoder {
        Decoder {
            state: CodecState::new(tid),
            raw: IntMap::default(),
        }
    }

    /// The codec state: the running thread, the counts so far.
    pub fn state(&self) -> &CodecState {
        &self.state
    }

    /// Decodes the record at the start of `bytes`: the record and its length. The state only
    /// changes when a whole record decodes.
    pub fn decode(&mut self, bytes: &[u8]) -> Result<(Record, usize), DecodeError> {
        let mut b = Bytes { b: bytes, at: 0 };
        let tag = b.u8()?;
        let record = if tag <= INSN_MAX_TAG {
            Record::Insn(self.insn(tag, &mut b)?)
        } else {
            self.event(tag, &mut b)?
        };
        // Without its encoding, a record's encoding came from the map: nothing changes.
        if let Record::Insn(i) = &record
            && tag & INSN_RAW != 0
        {
            self.raw.insert(i.pc, i.raw);
        }
        self.state.apply(&record);
        Ok((record, b.at))
    }

    fn insn(&self, tag: u8, b: &mut Bytes) -> Result<InsnRecord, DecodeError> {
        let st = &self.state;
        let pc = if tag & INSN_JUMP != 0 {
            st.next_pc.wrapping_add(b.svar()? as u64)
        } else {
            st.next_pc
        };
        let raw = if tag & INSN_RAW != 0 {
            let lo = u16::from_le_bytes(b.take(2)?.try_into().expect("2 bytes"));
            if lo & 3 == 3 {
                let hi = u16::from_le_bytes(b.take(2)?.try_into().expect("2 bytes"));
                u32::from(lo) | u32::from(hi) << 16
            } else {
                u32::from(lo)
            }
        } else {
            *self.raw.get(&pc).ok_or_else(|| {
                DecodeError::Malformed(format!(
                    "instruction at 0x{pc:x} without its encoding, and none seen before"
                ))
            })?
        };
        let dest = if tag & INSN_DEST != 0 {
            let r = b.reg()?;
            let v = st.regs[r as usize].wrapping_add(b.svar()? as u64);
            Some((r, v))
        } else {
            None
        };
        let access = match AccessKind::from_bits((tag >> INSN_ACCESS_SHIFT) & 3) {
            None if tag & INSN_WIDTH_MASK != 0 => {
                return Err(DecodeError::Malformed(format!(
                    "instruction tag 0x{tag:02x}: a width without an access"
                )));
            }
            None => None,
            Some(kind) => {
                let width = 1u8 << (tag & INSN_WIDTH_MASK);
                let addr = st.last_addr.wrapping_add(b.svar()? as u64);
                let read = match (kind.reads(), dest) {
                    (false, _) => 0,
                    (true, Some((_, v))) => v & width_mask(width),
                    (true, None) => b.uvar()?,
                };
                let written = if kind.writes() { b.uvar()? } else { 0 };
                Some(MemAccess {
                    kind,
                    addr,
                    width,
                    read,
                    written,
                })
            }
        };
        Ok(InsnRecord {
            pc,
            raw,
            dest,
            access,
        })
    }

    fn event(&self, tag: u8, b: &mut Bytes) -> Result<Record, DecodeError> {
        Ok(match tag {
            TAG_SYSCALL | TAG_SYSCALL_PENDING => {
                let nr = b.uvar()?;
                let mut args = [0u64; 6];
                for a in &mut args {
                    *a = b.uvar()?;
                }
                let result = if tag == TAG_SYSCALL {
                    Some(b.svar()? as u64)
                } else {
                    None
                };
                Record::Syscall { nr, args, result }
            }
            TAG_WRITE => {
                let addr = b.uvar()?;
                let len = usize::try_from(b.uvar()?)
                    .map_err(|_| DecodeError::Malformed("write length".into()))?;
                in_guest_space("write", addr, len as u64)?;
                let data = b.take(len)?.to_vec();
                Record::Mem(MemWrite::Bytes { addr, data })
            }
            TAG_ZERO => {
                let (addr, len) = (b.uvar()?, b.uvar()?);
                in_guest_space("zero", addr, len)?;
                Record::Mem(MemWrite::Zero { addr, len })
            }
            TAG_COPY => {
                let (src, dst, len) = (b.uvar()?, b.uvar()?, b.uvar()?);
                in_guest_space("copy source", src, len)?;
                in_guest_space("copy destination", dst, len)?;
                Record::Mem(MemWrite::Copy { src, dst, len })
            }
            TAG_SWITCH | TAG_SWITCH_EXITED => {
                let from = b.uvar()?;
                let to = b.uvar()?;
                if from != self.state.tid {
                    return Err(DecodeError::Malformed(format!(
                        "switch from thread {from}, but thread {} is running",
                        self.state.tid
                    )));
                }
                Record::Switch {
                    from,
                    to,
                    exited: tag == TAG_SWITCH_EXITED,
                }
            }
            TAG_SIGNAL => Record::Signal {
                sig: u32::try_from(b.uvar()?)
                    .map_err(|_| DecodeError::Malformed("signal number".into()))?,
                handler: b.uvar()?,
                frame: b.uvar()?,
            },
            TAG_REGS => {
                let n = b.uvar()?;
                if n > REGS as u64 {
                    return Err(DecodeError::Malformed(format!("{n} registers")));
                }
                let mut regs = Vec::with_capacity(n as usize);
                for _ in 0..n {
                    let r = b.reg()?;
                    regs.push((
                        r,
                        self.state.regs[r as usize].wrapping_add(b.svar()? as u64),
                    ));
                }
                Record::Regs(regs)
            }
            TAG_EXIT => Record::Exit(match b.u8()? {
                0 => ExitReason::Exited(
                    i32::try_from(b.svar()?)
                        .map_err(|_| DecodeError::Malformed("exit code".into()))?,
                ),
                1 => ExitReason::Signaled(
                    u32::try_from(b.uvar()?)
                        .map_err(|_| DecodeError::Malformed("signal number".into()))?,
                ),
                2 => {
                    let len = usize::try_from(b.uvar()?)
                        .map_err(|_| DecodeError::Malformed("message length".into()))?;
                    let msg = String::from_utf8_lossy(b.take(len)?).into_owned();
                    ExitReason::Stopped(msg)
                }
                k => return Err(DecodeError::Malformed(format!("exit kind {k}"))),
            }),
            TAG_END => Record::End {
                insns: b.uvar()?,
                records: b.uvar()?,
            },
            _ => {
                return Err(DecodeError::Malformed(format!(
                    "unknown record tag 0x{tag:02x}"
                )));
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::encode::Encoder;
    use super::*;

    fn round_trip(records: &[Record]) -> Vec<u8> {
        let mut enc = Encoder::new(1000);
        let mut buf = Vec::new();
        for r in records {
            enc.record(&mut buf, r);
        }
        let mut dec = Decoder::new(1000);
        let mut at = 0;
        for (i, r) in records.iter().enumerate() {
            let (got, n) = dec.decode(&buf[at..]).expect("decodes");
            assert_eq!(&got, r, "record {i}");
            at += n;
        }
        assert_eq!(at, buf.len());
        assert_eq!(dec.state().records, records.len() as u64);
        assert_eq!(enc.state().records, records.len() as u64);
        buf
    }

    fn insn(pc: u64, raw: u32, dest: Option<(Reg, u64)>, access: Option<MemAccess>) -> Record {
        Record::Insn(InsnRecord {
            pc,
            raw,
            dest,
            access,
        })
    }

    fn access(kind: AccessKind, addr: u64, width: u8, read: u64, written: u64) -> MemAccess {
        MemAccess {
            kind,
            addr,
            width,
            read,
            written,
        }
    }

    #[test]
    fn instruction_records_round_trip() {
        let sp = 0x3f_ffff_fd00u64;
        round_trip(&[
            insn(0x10000, 0x0000_0517, Some((10, 0x10000)), None),
            // Fall-through, compressed.
            insn(0x10004, 0x0505, Some((10, 0x10001)), None),
            // A load into a0: the value read is the low bytes of a0.
            insn(
                0x10006,
                0x0101_3503,
                Some((10, u64::MAX)),
                Some(access(AccessKind::Read, sp, 8, u64::MAX, 0)),
            ),
            // A byte load into x0: the value read is written out.
            insn(
                0x1000a,
                0x0001_0003,
                None,
                Some(access(AccessKind::Read, sp - 3, 1, 0xab, 0)),
            ),
            // A store, then a jump backwards to a pc seen before (raw left out).
            insn(
                0x1000e,
                0x00b1_3423,
                None,
                Some(access(AccessKind::Write, sp + 8, 8, 0, 0xdead_beef)),
            ),
            insn(0x10004, 0x0505, Some((10, 0x10002)), None),
            // An AMO with rd: read from rd (sign-extended word), written value explicit.
            insn(
                0x20000,
                0x00b6_252f,
                Some((10, 0xffff_ffff_8000_0000)),
                Some(access(
                    AccessKind::ReadWrite,
                    0x5000,
                    4,
                    0x8000_0000,
                    0x8000_0001,
                )),
            ),
            // An FP destination.
            insn(
                0x20004,
                0xd225_7553,
                Some((F0 + 10, 4.0f64.to_bits())),
                None,
            ),
            insn(0x20008, 0x0000_0073, None, None),
        ]);
    }

    #[test]
    fn event_records_round_trip() {
        round_trip(&[
            Record::Regs(vec![(2, 0x3f_ffff_fd00), (10, 1)]),
            insn(0x10000, 0x0000_0073, None, None),
            Record::Syscall {
                nr: 64,
                args: [1, 0x2000, 14, 0, 0, 0],
                result: Some(14),
            },
            Record::Syscall {
                nr: 63,
                args: [0, 0x2000, 14, 0, 0, 0],
                result: Some((-11i64) as u64),
            },
            Record::Mem(MemWrite::Bytes {
                addr: 0x2000,
                data: b"Hello, world!\n".to_vec(),
            }),
            Record::Mem(MemWrite::Zero {
                addr: 0x4000_0000,
                len: 1 << 20,
            }),
            Record::Mem(MemWrite::Copy {
                src: 0x4000_0000,
                dst: 0x5000_0000,
                len: 4096,
            }),
            Record::Syscall {
                nr: 98,
                args: [0x3000, 0x80, 1, 0, 0, 0],
                result: None,
            },
            Record::Switch {
                from: 1000,
                to: 1001,
                exited: false,
            },
            Record::Regs(vec![(10, 0), (2, 0x7000)]),
            Record::Signal {
                sig: 10,
                handler: 0x10800,
                frame: 0x6b40,
            },
            Record::Switch {
                from: 1001,
                to: 1000,
                exited: true,
            },
            // Back on thread 1000: its registers are as it left them.
            Record::Regs(vec![(10, 2)]),
            Record::Exit(ExitReason::Exited(-1)),
            Record::Exit(ExitReason::Signaled(11)),
            Record::Exit(ExitReason::Stopped("instruction limit".into())),
            Record::End {
                insns: 1,
                records: 17,
            },
        ]);
    }

    #[test]
    fn deltas_keep_typical_records_small() {
        // A straight-line add whose raw word was seen: tag + rd + one delta byte.
        let mut enc = Encoder::new(1);
        let mut buf = Vec::new();
        let r = InsnRecord {
            pc: 0x1000,
            raw: 0x00b5_0533,
            dest: Some((10, 5)),
            access: None,
        };
        enc.insn(&mut buf, &r);
        assert_eq!(
            buf.len(),
            1 + 2 + 4 + 1 + 1,
            "first time: jump and raw word"
        );
        buf.clear();
        enc.insn(
            &mut buf,
            &InsnRecord {
                pc: 0x1000,
                dest: Some((10, 6)),
                ..r
            },
        );
        // The pc is not the fall-through (0x1004), so it costs a delta byte.
        assert_eq!(buf, [INSN_JUMP | INSN_DEST, 0x07, 10, 0x02]);
    }

    #[test]
    fn truncated_and_malformed_records_are_errors() {
        let mut enc = Encoder::new(1);
        let mut buf = Vec::new();
        enc.record(
            &mut buf,
            &Record::Mem(MemWrite::Bytes {
                addr: 0x10,
                data: vec![1, 2, 3, 4],
            }),
        );
        let mut dec = Decoder::new(1);
        assert!(matches!(
            dec.decode(&buf[..buf.len() - 1]),
            Err(DecodeError::Truncated(_))
        ));
        assert_eq!(dec.state().records, 0, "a failed decode changes nothing");
        assert!(dec.decode(&buf).is_ok());
        assert!(matches!(
            dec.decode(&[0xfe]),
            Err(DecodeError::Malformed(_))
        ));
        // An instruction record without its raw word at a pc never seen.
        assert!(matches!(
            dec.decode(&[0x00]),
            Err(DecodeError::Malformed(_))
        ));
        // A switch away from a thread that is not running.
        assert!(matches!(
            dec.decode(&[TAG_SWITCH, 5, 6]),
            Err(DecodeError::Malformed(_))
        ));
    }

    /// Memory records whose range leaves the guest space (or wraps around 2^64) are
    /// malformed: found by fuzzing, where rendering `addr + len` overflowed.
    #[test]
    fn memory_ranges_outside_the_guest_space_are_malformed() {
        let huge = crate::mem::GUEST_SPACE;
        for r in [
            MemWrite::Zero {
                addr: u64::MAX - 10,
                len: 100,
            },
            MemWrite::Zero {
                addr: 0,
                len: huge + 1,
            },
            MemWrite::Copy {
                src: 0x1000,
                dst: u64::MAX,
                len: 2,
            },
            MemWrite::Copy {
                src: huge,
                dst: 0x1000,
                len: 1,
            },
            MemWrite::Bytes {
                addr: huge - 1,
                data: vec![1, 2],
            },
        ] {
            let mut enc = Encoder::new(1000);
            let mut buf = Vec::new();
            enc.record(&mut buf, &Record::Mem(r.clone()));
            assert!(
                matches!(
                    Decoder::new(1000).decode(&buf),
                    Err(DecodeError::Malformed(_))
                ),
                "{r:?}"
            );
        }
        round_trip(&[Record::Mem(MemWrite::Zero {
            addr: huge - 4096,
            len: 4096,
        })]);
    }
}
