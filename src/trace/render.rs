//! Records as text lines, with function names from the traced program's symbol table:
//! what `rvrun trace dump` prints and `rvrun trace diff` shows around a difference.

use super::format::*;
use super::reader::Entry;
use crate::cpu::disasm::disassemble;
use crate::kernel::process::ExitReason;
use crate::kernel::signal::signal_name;
use crate::kernel::syscalls;
use crate::mem::MemWrite;
use crate::symbols::Symbols;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Kernel writes up to this many bytes are shown in full.
const SHOW_BYTES: usize = 64;

/// Turns records into text.
pub struct Renderer {
    symbols: Symbols,
}

impl Renderer {
    /// A renderer naming code through `symbols`.
    pub fn new(symbols: Symbols) -> Renderer {
        Renderer { symbols }
    }

    /// A renderer for a trace with `header`: symbols come from the program file at
    /// `program` or else at the path the header records. Also returns a warning when that
    /// file cannot be read or is not the traced program.
    pub fn for_trace(header: &Header, program: Option<&Path>) -> (Renderer, Option<String>) {
        let path = program.map_or_else(|| PathBuf::from(&header.host.program), Path::to_path_buf);
        // The path comes from the trace file: shown escaped, read only if a sane file.
        let shown = path.to_string_lossy().escape_debug().to_string();
        let bytes = match crate::hostfile::read_regular(&path, crate::hostfile::MAX_PROGRAM) {
            Ok(b) => b,
            Err(e) => {
                let warning = format!(
                    "no symbols: cannot read the program {shown} ({e}); use --program PATH"
                );
                return (Renderer::new(Symbols::default()), Some(warning));
            }
        };
        let warning =
            (crate::receipt::sha256_hex(&bytes) != header.inputs.program.sha256).then(|| {
                format!(
                    "{shown} is not the traced program (its SHA-256 differs): names may be wrong"
                )
            });
        let symbols = Symbols::from_elf(&bytes, header.start.load_bias);
        (Renderer::new(symbols), warning)
    }

    /// The symbol table in use.
    pub fn symbols(&self) -> &Symbols {
        &self.symbols
    }

    /// `name+0x1c` for a code address, or the bare address when no symbol covers it.
    pub fn code_addr(&self, pc: u64) -> String {
        match self.symbols.lookup(pc) {
            Some((name, off)) => format!("{name}+0x{off:x}"),
            None => format!("0x{pc:x}"),
        }
    }

    /// One line for `e`: record index, instruction index, thread, then the record.
    pub fn line(&self, e: &Entry) -> String {
        let mut s = format!("{:>9} {:>9} {:>5}  ", e.index, e.insn, e.tid);
        self.record(&mut s, &e.record);
        s
    }

    fn record(&self, s: &mut String, r: &Record) {
        match r {
            Record::Insn(i) => self.insn(s, i),
            Record::Syscall { nr, args, result } => {
                let row = syscalls::lookup(*nr);
                let name = row
                    .map(|r| r.name)
                    .or_else(|| crate::abi::unistd::syscall_name(*nr))
                    .unwrap_or("unknown");
                let argc = row.map_or(6, |r| r.args.len());
                let args: Vec<String> = args[..argc].iter().map(|a| hex_or_small(*a)).collect();
                let _ = write!(s, "syscall {name}({})", args.join(", "));
                match result {
                    Some(v) => {
                        let _ = write!(s, " = {}", result_text(*v));
                    }
                    None => s.push_str(" = ? (no result here)"),
                }
            }
            Record::Mem(MemWrite::Bytes { addr, data }) => {
                let _ = write!(
                    s,
                    "  write 0x{addr:x} {} bytes: {}",
                    data.len(),
                    bytes_text(data)
                );
            }
            Record::Mem(MemWrite::Zero { addr, len }) => {
                let _ = write!(s, "  zero 0x{addr:x}..0x{:x} ({len} bytes)", addr + len);
            }
            Record::Mem(MemWrite::Copy { src, dst, len }) => {
                let _ = write!(s, "  copy {len} bytes 0x{src:x} -> 0x{dst:x}");
            }
            Record::Switch { from, to, exited } => {
                let _ = write!(s, "switch {from} -> {to}");
                if *exited {
                    s.push_str(" (thread exited)");
                }
            }
            Record::Signal {
                sig,
                handler,
                frame,
            } => {
                let _ = write!(
                    s,
                    "signal {} handler 0x{handler:x} <{}> frame 0x{frame:x}",
                    signal_name(*sig),
                    self.code_addr(*handler)
                );
            }
            Record::Regs(regs) => {
                s.push_str("regs");
                for &(r, v) in regs {
                    let _ = write!(s, " {}=0x{v:x}", reg_name(r));
                }
            }
            Record::Exit(reason) => match reason {
                ExitReason::Exited(c) => {
                    let _ = write!(s, "exit {c}");
                }
                ExitReason::Signaled(sig) => {
                    let _ = write!(s, "killed by {}", signal_name(*sig));
                }
                ExitReason::Stopped(m) => {
                    let _ = write!(s, "stopped: {m}");
                }
            },
            Record::End { insns, records } => {
                let _ = write!(
                    s,
                    "end: {insns} instructions, {records} records, checksum ok"
                );
            }
        }
    }

    fn insn(&self, s: &mut String, i: &InsnRecord) {
        let raw = if i.size() == 4 {
            format!("{:08x}", i.raw)
        } else {
            format!("    {:04x}", i.raw)
        };
        let dis = disassemble(i.raw, i.pc).to_string();
        let _ = write!(
            s,
            "0x{:x} {:<28} {raw}  {dis:<30}",
            i.pc,
            format!("<{}>", self.code_addr(i.pc))
        );
        if let Some((r, v)) = i.dest {
            let _ = write!(s, " {}=0x{v:x}", reg_name(r));
        }
        if let Some(a) = &i.access {
            let w = a.width;
            let at = a.addr;
            let _ = match a.kind {
                AccessKind::Read => write!(s, " [r{w} 0x{at:x}: 0x{:x}]", a.read),
                AccessKind::Write => write!(s, " [w{w} 0x{at:x}: 0x{:x}]", a.written),
                AccessKind::ReadWrite => {
                    write!(s, " [rw{w} 0x{at:x}: 0x{:x} -> 0x{:x}]", a.read, a.written)
                }
            };
        }
    }
}

/// Small numbers in decimal, everything else in hex.
fn hex_or_small(v: u64) -> String {
    let signed = v as i64;
    if (-4096..=4096).contains(&signed) {
        signed.to_string()
    } else {
        format!("0x{v:x}")
    }
}

/// A syscall result: `-errno (ENAME)` for errors.
fn result_text(v: u64) -> String {
    let r = v as i64;
    if (-4095..0).contains(&r) {
        format!("{r} ({})", syscalls::Errno(-r as u16))
    } else {
        hex_or_small(v)
    }
}

/// Bytes as a quoted string when they are text, as hex otherwise; long ones cut short.
fn bytes_text(data: &[u8]) -> String {
    let shown = &data[..data.len().min(SHOW_BYTES)];
    let more = if data.len() > SHOW_BYTES { "..." } else { "" };
    let text = shown
        .iter()
        .all(|&b| b.is_ascii_graphic() || b == b' ' || b == b'\n' || b == b'\t');
    if text && !shown.is_empty() {
        format!("{:?}{more}", String::from_utf8_lossy(shown))
    } else {
        let hex: String = shown.iter().map(|b| format!("{b:02x}")).collect();
        format!("{hex}{more}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_bytes_read_well() {
        assert_eq!(hex_or_small(14), "14");
        assert_eq!(hex_or_small(-100i64 as u64), "-100");
        assert_eq!(hex_or_small(0x3f_ffff_f000), "0x3ffffff000");
        assert_eq!(result_text(-2i64 as u64), "-2 (ENOENT)");
        assert_eq!(bytes_text(b"Hello\n"), "\"Hello\\n\"");
        assert_eq!(bytes_text(&[0, 1, 0xff]), "0001ff");
        assert_eq!(bytes_text(&[b'a'; 70]).len(), 2 + 64 + 3);
    }
}
