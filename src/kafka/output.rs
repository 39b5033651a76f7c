//! Buffered stdout for consumed messages: one `write` per served batch (or per message with `-u`
//! or on a terminal), so piped output is never held back the way stdio's block buffering held
//! kcat's.

use std::io::{self, IsTerminal, Write};

pub struct Output {
    buf: Vec<u8>,
    /// Flush after every message (`-u`, or stdout is a terminal).
    pub per_message: bool,
    stdout: io::Stdout,
}

/// Above this many buffered bytes the consumer flushes mid-batch.
const HIGH_WATER: usize = 256 * 1024;

impl Output {
    pub fn new(unbuffered: bool) -> Self {
        let stdout = io::stdout();
        Output {
            buf: Vec::with_capacity(HIGH_WATER + 64 * 1024),
            per_message: unbuffered || stdout.is_terminal(),
            stdout,
        }
    }

    pub fn buf(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    /// Flushes if the message just written calls for it.
    pub fn message_done(&mut self) -> io::Result<()> {
        if self.per_message || self.buf.len() >= HIGH_WATER {
            self.flush()
        } else {
            Ok(())
        }
    }

    pub fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let mut lock = self.stdout.lock();
        let res = lock.write_all(&self.buf).and_then(|_| lock.flush());
        self.buf.clear();
        res
    }
}
