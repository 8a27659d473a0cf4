//! Writing a trace while the guest runs: a [`RunObserver`] that encodes every retired
//! instruction and every event into a bounded buffer, streamed to the file with a running
//! SHA-256 for the trailer.

use super::encode::Encoder;
use super::format::*;
use crate::cpu::observe::{Access, AccessKind as CpuAccess, Dest, Step};
use crate::cpu::{self, Cpu};
use crate::kernel::process::{ExitReason, Process};
use crate::mem::{GuestMemory, MemWrite};
use crate::observe::{RunEvent, RunObserver};
use crate::receipt::{HostInfo, Inputs};
use sha2::{Digest, Sha256};
use std::io::{self, Write};
use std::path::Path;

/// The buffer is handed to the file when it holds this much.
const BUFFER: usize = 1 << 20;
/// Kernel writes at least this large go to the file without passing through the buffer.
const DIRECT: usize = 64 << 10;

/// What a finished trace holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceSummary {
    /// File size in bytes.
    pub bytes: u64,
    /// Records, the trailer excluded.
    pub records: u64,
    /// Instruction records.
    pub insns: u64,
}

/// Records a run into a trace (see `docs/trace.md`).
pub struct TraceWriter<W: Write> {
    sink: W,
    buf: Vec<u8>,
    /// Every byte handed to `sink` so far.
    hasher: Sha256,
    written: u64,
    /// The first error writing to `sink`; later output is dropped and `finish` reports it.
    error: Option<io::Error>,
    enc: Encoder,
    /// The memory access of the instruction about to run, computed before it runs.
    access: Option<Access>,
    /// The kernel ran since the last instruction: its register changes are still unrecorded.
    regs_stale: bool,
}

/// The header of a trace of `process` (built, not yet run) with these inputs.
pub fn header(inputs: Inputs, host: HostInfo, process: &Process) -> Header {
    Header {
        format: FORMAT.to_string(),
        rvrun_version: env!("CARGO_PKG_VERSION").to_string(),
        inputs,
        start: Start {
            tid: process.tid(),
            entry: process.image.entry,
            load_bias: process.image.bias,
            sp: process.image.initial_sp,
        },
        host,
    }
}

impl TraceWriter<std::fs::File> {
    /// Creates the trace file at `path` and writes its header and the initial memory image.
    pub fn create(path: &Path, header: &Header, process: &Process) -> io::Result<Self> {
        TraceWriter::new(std::fs::File::create(path)?, header, process)
    }
}

impl<W: Write> TraceWriter<W> {
    /// Starts a trace on `sink`: the preamble, the header, then the memory of `process` as
    /// it is before the first instruction (each mapped region zeroed, then its non-zero
    /// pages written).
    pub fn new(sink: W, header: &Header, process: &Process) -> io::Result<Self> {
        let mut w = TraceWriter {
            sink,
            buf: Vec::with_capacity(BUFFER + 4096),
            hasher: Sha256::new(),
            written: 0,
            error: None,
            enc: Encoder::new(header.start.tid),
            access: None,
            regs_stale: true,
        };
        let json = serde_json::to_vec(header).map_err(io::Error::other)?;
        w.buf.extend_from_slice(&MAGIC);
        w.buf.extend_from_slice(&VERSION.to_le_bytes());
        w.buf.extend_from_slice(&(json.len() as u32).to_le_bytes());
        w.buf.extend_from_slice(&json);
        w.initial_memory(&process.mem);
        match w.error.take() {
            Some(e) => Err(e),
            None => Ok(w),
        }
    }

    fn initial_memory(&mut self, mem: &GuestMemory) {
        for region in mem.regions() {
            let (start, end) = (region.start, region.end);
            self.record(&Record::Mem(MemWrite::Zero {
                addr: start,
                len: end - start,
            }));
            // Runs of consecutive non-zero pages, each written as one record.
            let mut run: Option<(u64, Vec<u8>)> = None;
            mem.for_each_data_page(start, end, |page, data| {
                if data.iter().all(|&b| b == 0) {
                    return;
                }
                match &mut run {
                    Some((at, bytes)) if *at + bytes.len() as u64 == page => {
                        bytes.extend_from_slice(data)
                    }
                    _ => {
                        if let Some((at, bytes)) = run.replace((page, data.to_vec())) {
                            self.bytes(at, &bytes);
                        }
                    }
                }
            });
            if let Some((at, bytes)) = run {
                self.bytes(at, &bytes);
            }
        }
    }

    /// Ends the trace: the exit record, the trailer with its checksum, and a flush.
    pub fn finish(mut self, reason: &ExitReason) -> io::Result<TraceSummary> {
        self.record(&Record::Exit(reason.clone()));
        let (insns, records) = (self.enc.state().insns, self.enc.state().records);
        self.record(&Record::End { insns, records });
        self.flush_buf();
        let digest = std::mem::take(&mut self.hasher).finalize();
        self.emit(&digest, false);
        if let Err(e) = self.sink.flush() {
            self.error.get_or_insert(e);
        }
        match self.error.take() {
            Some(e) => Err(e),
            None => Ok(TraceSummary {
                bytes: self.written,
                records,
                insns,
            }),
        }
    }

    fn record(&mut self, r: &Record) {
        self.enc.record(&mut self.buf, r);
        if self.buf.len() >= BUFFER {
            self.flush_buf();
        }
    }

    /// A `Write` record; large data goes straight to the file.
    fn bytes(&mut self, addr: u64, data: &[u8]) {
        self.enc
            .write_header(&mut self.buf, addr, data.len() as u64);
        if data.len() >= DIRECT {
            self.flush_buf();
            self.emit(data, true);
        } else {
            self.buf.extend_from_slice(data);
            if self.buf.len() >= BUFFER {
                self.flush_buf();
            }
        }
    }

    fn flush_buf(&mut self) {
        let buf = std::mem::take(&mut self.buf);
        self.emit(&buf, true);
        self.buf = buf;
        self.buf.clear();
    }

    fn emit(&mut self, bytes: &[u8], hashed: bool) {
        if self.error.is_some() {
            return;
        }
        if hashed {
            self.hasher.update(bytes);
        }
        match self.sink.write_all(bytes) {
            Ok(()) => self.written += bytes.len() as u64,
            Err(e) => self.error = Some(e),
        }
    }

    /// Records the registers of the running thread that differ from what the trace says
    /// (what the kernel changed: syscall results, signal entry and return, a new thread).
    fn sync_regs(&mut self, cpu: &Cpu) {
        self.regs_stale = false;
        let known = &self.enc.state().regs;
        let x = (1..32).map(|r| (r as Reg, cpu.x[r]));
        let f = (0..32).map(|r| (F0 + r as Reg, cpu.f[r]));
        let changed: Vec<(Reg, u64)> = x
            .chain(f)
            .filter(|&(r, v)| known[r as usize] != v)
            .collect();
        if !changed.is_empty() {
            self.record(&Record::Regs(changed));
        }
    }
}

/// The `width` bytes at `addr` as a little-endian number.
fn read_le(mem: &GuestMemory, addr: u64, width: u8) -> u64 {
    let mut b = [0u8; 8];
    if let Some(s) = mem.peek(addr, width as usize) {
        b[..s.len()].copy_from_slice(s);
    }
    u64::from_le_bytes(b)
}

/// The trace's view of an access that just retired.
#[inline]
fn mem_access(
    a: Access,
    cpu: &Cpu,
    mem: &GuestMemory,
    step: &Step,
    dest: Option<(Reg, u64)>,
) -> Option<MemAccess> {
    let mask = width_mask(a.width);
    // What a read returned: the destination's new value, or for x0 the sink's.
    let loaded = || dest.map_or(step.x_result(cpu), |(_, v)| v) & mask;
    let (kind, read, written) = match a.kind {
        CpuAccess::Load | CpuAccess::LoadReserved => (AccessKind::Read, loaded(), 0),
        CpuAccess::Store => (AccessKind::Write, 0, read_le(mem, a.addr, a.width)),
        // A failed sc touches no memory.
        CpuAccess::StoreConditional if step.x_result(cpu) != 0 => return None,
        CpuAccess::StoreConditional => (AccessKind::Write, 0, read_le(mem, a.addr, a.width)),
        CpuAccess::Amo => (
            AccessKind::ReadWrite,
            loaded(),
            read_le(mem, a.addr, a.width),
        ),
    };
    Some(MemAccess {
        kind,
        addr: a.addr,
        width: a.width,
        read,
        written,
    })
}

impl<W: Write> cpu::Observer for TraceWriter<W> {
    #[inline]
    fn before(&mut self, cpu: &Cpu, step: &Step) {
        if self.regs_stale {
            self.sync_regs(cpu);
        }
        self.access = step.access(cpu);
    }

    #[inline]
    fn retired(&mut self, cpu: &Cpu, mem: &GuestMemory, step: &Step) {
        let dest = step.dest().map(|d| match d {
            Dest::X(r) => (r, cpu.x[r as usize]),
            Dest::F(r) => (F0 + r, cpu.f[r as usize]),
        });
        let access = self
            .access
            .and_then(|a| mem_access(a, cpu, mem, step, dest));
        let record = InsnRecord {
            pc: step.pc,
            raw: step.raw(mem),
            dest,
            access,
        };
        self.enc.insn(&mut self.buf, &record);
        if self.buf.len() >= BUFFER {
            self.flush_buf();
        }
    }
}

impl<W: Write> RunObserver for TraceWriter<W> {
    const WANTS_WRITES: bool = true;

    fn event(&mut self, _process: &Process, event: &RunEvent) {
        let record = match *event {
            RunEvent::Syscall {
                tid,
                nr,
                args,
                result,
            } => {
                debug_assert_eq!(tid, self.enc.state().tid);
                Record::Syscall { nr, args, result }
            }
            RunEvent::Switch { from, to, exited } => Record::Switch { from, to, exited },
            RunEvent::Signal {
                tid,
                sig,
                handler,
                frame,
            } => {
                debug_assert_eq!(tid, self.enc.state().tid);
                Record::Signal {
                    sig,
                    handler,
                    frame,
                }
            }
        };
        self.record(&record);
        self.regs_stale = true;
    }

    fn kernel_writes(&mut self, _process: &Process, writes: &[MemWrite]) {
        for w in writes {
            match w {
                MemWrite::Bytes { addr, data } => self.bytes(*addr, data),
                other => self.record(&Record::Mem(other.clone())),
            }
        }
    }
}
