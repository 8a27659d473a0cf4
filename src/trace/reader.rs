//! Reading a trace file: the preamble and header, then one record at a time from a bounded
//! buffer, checking the trailer's counts and checksum at the end.

use super::decode::{DecodeError, Decoder};
use super::format::*;
use sha2::{Digest, Sha256};
use std::fmt;
use std::io::{self, Read};
use std::path::Path;

/// Bytes asked of the file at a time (and enough for any record but a large write).
const CHUNK: usize = 1 << 20;
/// A record other than a memory write or an exit message is never longer than this.
const MAX_SMALL_RECORD: usize = 1024;
/// The longest JSON header accepted (a real one holds argv, env and input digests: far less).
pub const MAX_HEADER: usize = 64 << 20;

/// Why a trace cannot be read.
#[derive(Debug)]
pub enum TraceError {
    /// The file could not be read.
    Io(io::Error),
    /// The file does not start with the trace magic (its first bytes, up to 8).
    NotATrace(Vec<u8>),
    /// A version this rvrun does not read.
    Version(u32),
    /// The JSON header does not parse.
    Header(String),
    /// A record does not decode.
    Malformed {
        /// Byte offset of the record.
        offset: u64,
        /// What is wrong.
        message: String,
    },
    /// The file ends before the trailer.
    Truncated {
        /// Byte offset where it ends.
        offset: u64,
    },
    /// The trailer does not match what precedes it.
    Corrupt(String),
}

impl fmt::Display for TraceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TraceError::Io(e) => write!(f, "{e}"),
            TraceError::NotATrace(start) => write!(
                f,
                "not an rvrun trace (it starts with \"{}\", not \"{}\")",
                start.escape_ascii(),
                MAGIC.escape_ascii()
            ),
            TraceError::Version(v) => write!(
                f,
                "trace format version {v}; this rvrun reads version {VERSION}"
            ),
            TraceError::Header(m) => write!(f, "bad trace header: {m}"),
            TraceError::Malformed { offset, message } => {
                write!(f, "malformed record at byte {offset}: {message}")
            }
            TraceError::Truncated { offset } => write!(
                f,
                "truncated at byte {offset}: the trace ends without its trailer (was the run interrupted?)"
            ),
            TraceError::Corrupt(m) => write!(f, "corrupt trace: {m}"),
        }
    }
}

impl std::error::Error for TraceError {}

impl From<io::Error> for TraceError {
    fn from(e: io::Error) -> TraceError {
        TraceError::Io(e)
    }
}

/// One record and where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Its index among all records (0-based).
    pub index: u64,
    /// Instruction records before it (for an instruction: its own 0-based index).
    pub insn: u64,
    /// The thread running when it was recorded (for a switch: the one switched from).
    pub tid: u64,
    /// Byte offset in the file.
    pub offset: u64,
    /// The record.
    pub record: Record,
}

/// The file's bytes: a buffer of what has not been consumed yet, and the SHA-256 of what
/// has.
struct Source<R: Read> {
    src: R,
    buf: Vec<u8>,
    /// Next unread byte of `buf`.
    pos: usize,
    /// End of the valid bytes of `buf`.
    len: usize,
    /// File offset of `buf[0]`.
    base: u64,
    /// `buf[..hashed]` has been fed to `hasher`.
    hashed: usize,
    hasher: Sha256,
    eof: bool,
}

impl<R: Read> Source<R> {
    fn new(src: R) -> Source<R> {
        Source {
            src,
            buf: vec![0; CHUNK],
            pos: 0,
            len: 0,
            base: 0,
            hashed: 0,
            hasher: Sha256::new(),
            eof: false,
        }
    }

    /// The unread bytes in the buffer.
    fn unread(&self) -> &[u8] {
        &self.buf[self.pos..self.len]
    }

    /// File offset of the next unread byte.
    fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Makes at least `n` unread bytes available, unless the file ends first. The buffer grows
    /// with the bytes actually read (at most doubling), never to `n` up front: a length field
    /// claiming gigabytes costs nothing unless the file really has them.
    fn fill(&mut self, n: usize) -> io::Result<()> {
        while self.len - self.pos < n && !self.eof {
            if self.pos > 0 {
                // Drop what has been read (after hashing it) to make room.
                self.hasher.update(&self.buf[self.hashed..self.pos]);
                self.buf.copy_within(self.pos..self.len, 0);
                self.base += self.pos as u64;
                self.len -= self.pos;
                self.pos = 0;
                self.hashed = 0;
            }
            let want = self.len + CHUNK;
            if self.buf.len() < want {
                self.buf
                    .resize(want.max(self.buf.len().saturating_mul(2)), 0);
            }
            match self.src.read(&mut self.buf[self.len..]) {
                Ok(0) => self.eof = true,
                Ok(k) => self.len += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Takes exactly `n` bytes.
    fn take(&mut self, n: usize) -> Result<&[u8], TraceError> {
        self.fill(n)?;
        if self.len - self.pos < n {
            return Err(TraceError::Truncated {
                offset: self.base + self.len as u64,
            });
        }
        self.pos += n;
        Ok(&self.buf[self.pos - n..self.pos])
    }

    /// The SHA-256 of every byte consumed so far.
    fn digest(&mut self) -> [u8; 32] {
        self.hasher.update(&self.buf[self.hashed..self.pos]);
        self.hashed = self.pos;
        self.hasher.clone().finalize().into()
    }
}

/// A trace being read.
pub struct TraceReader<R: Read> {
    input: Source<R>,
    header: Header,
    dec: Decoder,
    /// The trailer has been read (or an error returned): no more records.
    done: bool,
}

impl TraceReader<std::fs::File> {
    /// Opens the trace at `path` and reads its header.
    pub fn open(path: &Path) -> Result<Self, TraceError> {
        TraceReader::new(std::fs::File::open(path)?)
    }
}

impl<R: Read> TraceReader<R> {
    /// Reads the preamble and header from `src`.
    pub fn new(src: R) -> Result<Self, TraceError> {
        let mut input = Source::new(src);
        input.fill(16)?;
        if input.unread().get(..8) != Some(&MAGIC[..]) {
            let start = &input.unread()[..input.unread().len().min(8)];
            return Err(TraceError::NotATrace(start.to_vec()));
        }
        let pre = input.take(16)?;
        let version = u32::from_le_bytes(pre[8..12].try_into().expect("4 bytes"));
        let json_len = u32::from_le_bytes(pre[12..16].try_into().expect("4 bytes")) as usize;
        if version != VERSION {
            return Err(TraceError::Version(version));
        }
        if json_len > MAX_HEADER {
            return Err(TraceError::Header(format!(
                "header of {json_len} bytes (at most {MAX_HEADER})"
            )));
        }
        let header: Header = serde_json::from_slice(input.take(json_len)?)
            .map_err(|e| TraceError::Header(e.to_string()))?;
        if header.format != FORMAT {
            return Err(TraceError::Header(format!(
                "format '{}', expected '{FORMAT}'",
                header.format
            )));
        }
        Ok(TraceReader {
            input,
            dec: Decoder::new(header.start.tid),
            header,
            done: false,
        })
    }

    /// The trace's header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Records and instruction records read so far.
    pub fn counts(&self) -> (u64, u64) {
        (self.dec.state().records, self.dec.state().insns)
    }

    /// The next record, `None` after the trailer.
    pub fn next_entry(&mut self) -> Result<Option<Entry>, TraceError> {
        if self.done {
            return Ok(None);
        }
        let result = self.read_entry();
        self.done = !matches!(&result, Ok(Some(e)) if !matches!(e.record, Record::End { .. }));
        result
    }

    fn read_entry(&mut self) -> Result<Option<Entry>, TraceError> {
        let mut need = MAX_SMALL_RECORD;
        loop {
            self.input.fill(need)?;
            let offset = self.input.offset();
            if self.input.unread().is_empty() {
                return Err(TraceError::Truncated { offset });
            }
            let st = self.dec.state();
            let (index, insn, tid) = (st.records, st.insns, st.tid);
            match self.dec.decode(self.input.unread()) {
                Ok((record, n)) => {
                    self.input.pos += n;
                    if let Record::End { insns, records } = record {
                        self.check_trailer(insns, records, index, insn)?;
                    }
                    return Ok(Some(Entry {
                        index,
                        insn,
                        tid,
                        offset,
                        record,
                    }));
                }
                Err(DecodeError::Truncated(n))
                    if !self.input.eof && n > self.input.unread().len() =>
                {
                    need = n;
                }
                Err(DecodeError::Truncated(_)) => return Err(TraceError::Truncated { offset }),
                Err(DecodeError::Malformed(message)) => {
                    return Err(TraceError::Malformed { offset, message });
                }
            }
        }
    }

    /// Checks the trailer just read against the records before it, then the checksum that
    /// follows it, and that nothing comes after.
    fn check_trailer(
        &mut self,
        insns: u64,
        records: u64,
        seen_records: u64,
        seen_insns: u64,
    ) -> Result<(), TraceError> {
        if (insns, records) != (seen_insns, seen_records) {
            return Err(TraceError::Corrupt(format!(
                "the trailer counts {insns} instructions in {records} records, the file has \
                 {seen_insns} in {seen_records}"
            )));
        }
        let digest = self.input.digest();
        if self.input.take(32)? != digest {
            return Err(TraceError::Corrupt(
                "SHA-256 checksum mismatch: the file was changed or damaged".into(),
            ));
        }
        self.input.fill(1)?;
        if !self.input.unread().is_empty() {
            return Err(TraceError::Corrupt("bytes after the trailer".into()));
        }
        Ok(())
    }
}

impl<R: Read> Iterator for TraceReader<R> {
    type Item = Result<Entry, TraceError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_entry().transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A preamble: magic, version, and a header length.
    fn preamble(json_len: u32) -> Vec<u8> {
        let mut b = MAGIC.to_vec();
        b.extend_from_slice(&VERSION.to_le_bytes());
        b.extend_from_slice(&json_len.to_le_bytes());
        b
    }

    #[test]
    fn a_huge_header_length_is_refused_without_allocating_it() {
        let err = TraceReader::new(&preamble(u32::MAX)[..]).err().unwrap();
        assert!(
            err.to_string().contains("header of 4294967295 bytes"),
            "{err}"
        );
        // Under the cap but longer than the file: truncated, after reading what is there.
        let mut f = preamble(MAX_HEADER as u32);
        f.extend_from_slice(b"{}");
        let err = TraceReader::new(&f[..]).err().unwrap();
        assert!(matches!(err, TraceError::Truncated { .. }), "{err}");
    }

    #[test]
    fn the_buffer_grows_with_the_data_not_the_claim() {
        let mut src = Source::new(&b"0123456789"[..]);
        src.fill(1 << 40).unwrap();
        assert_eq!(src.unread(), b"0123456789");
        assert!(src.buf.len() <= 2 * CHUNK, "{}", src.buf.len());
    }

    #[test]
    fn bad_magic_is_shown_escaped() {
        let err = TraceReader::new(&b"\x1b[2J\0\xffjunk and more"[..])
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains(r"\x1b[2J\x00\xffju"), "{err}");
        assert!(!err.contains('\x1b'), "{err}");
    }

    /// A header or record that claims far more bytes than the file has costs no more
    /// buffer than the file (found by fuzzing: the reader used to size its buffer by the
    /// claim, a 2 GiB allocation for a 336-byte file).
    #[test]
    fn a_huge_length_claim_allocates_nothing() {
        let data = include_bytes!("../../fuzz/regressions/trace/huge-record-buffer");
        // Refused (its header claims more than the cap, or more than the file holds).
        assert!(TraceReader::new(&data[..]).is_err());
        let mut src = Source::new(&data[..]);
        assert!(matches!(
            src.take(usize::MAX / 2),
            Err(TraceError::Truncated { offset }) if offset == data.len() as u64
        ));
        assert!(src.buf.len() <= data.len() + 2 * CHUNK, "{}", src.buf.len());
    }
}
