//! rvrun's own output (reports, listings, messages), written so that a failing stream never
//! panics as `println!` and `eprintln!` do. A failed write to stdout is reported in one line
//! on stderr and makes the exit status 125; a closed pipe (`| head`) ends the output quietly
//! and keeps the command's status, as the reader has simply gone away. A failed write to
//! stderr is ignored: there is nowhere left to report it.

use std::io::{self, Write};

/// Exit status for rvrun's own errors.
pub const ERROR_STATUS: u8 = 125;

/// Writes all of `text` to stdout and flushes it.
pub fn stdout(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// Writes `text` to stderr. A failure is ignored: nothing is left to report it on.
pub fn stderr(text: &str) {
    let mut err = io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
}

/// Writes one message line (`text` and a newline) to stderr, ignoring failure.
pub fn message(text: &str) {
    stderr(&format!("{text}\n"));
}

/// The exit status after writing to stdout failed with `e`, for a command that would
/// otherwise exit with `status`: on a closed pipe `status`, silently; else 125, after one
/// line on stderr.
pub fn stdout_failed(e: &io::Error, status: u8) -> u8 {
    if e.kind() == io::ErrorKind::BrokenPipe {
        return status;
    }
    message(&format!("rvrun: cannot write to stdout: {e}"));
    ERROR_STATUS
}

/// Writes `text` to stdout and returns `status`, or what [`stdout_failed`] says when the
/// write fails.
pub fn stdout_then(text: &str, status: u8) -> u8 {
    match stdout(text) {
        Ok(()) => status,
        Err(e) => stdout_failed(&e, status),
    }
}
