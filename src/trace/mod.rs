//! Instruction traces: `rvrun run --trace FILE` records every retired instruction (pc, raw
//! encoding, the register it wrote, the memory it accessed), every syscall with the bytes
//! the kernel wrote into guest memory, every thread switch and signal delivery, so that the
//! trace alone replays the run's effects. `rvrun trace dump|stats|diff` read it back.
//!
//! The format (specified in `docs/trace.md`): a preamble and a JSON header naming the run's
//! inputs as a receipt does, the initial memory image, then a stream of records, each a tag
//! byte and varint fields, with values as deltas against state both ends keep
//! ([`format::CodecState`]), and a trailer with counts and a SHA-256 of the file.
//!
//! - [`codec`]: varints; [`format`]: tags, record types, header, codec state;
//! - [`encode`] / [`decode`]: records to bytes and back; [`intmap`]: fast integer maps;
//! - [`writer`]: the run observer that writes a trace; [`reader`]: streaming reads;
//! - [`render`], [`dump`], [`stats`], [`diff`], [`cli`]: the tools.

pub mod cli;
pub mod codec;
pub mod decode;
pub mod diff;
pub mod dump;
pub mod encode;
pub mod format;
pub mod intmap;
pub mod reader;
pub mod render;
pub mod stats;
pub mod writer;

pub use format::{Header, Record};
pub use reader::{Entry, TraceError, TraceReader};
pub use writer::{TraceSummary, TraceWriter};
