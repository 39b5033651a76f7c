//! `KCT_TUI_TRACE=FILE`: a measurement hook for `scripts/bench-tui.sh`. When set, the console
//! appends one line per handled input event to FILE: its kind and the microseconds from its
//! arrival (read from the terminal by the input thread) to the end of the frame drawn for it
//! (or to the end of its handling when it changed nothing), e.g. `key 1234`. Unset, each hook is
//! one initialised-cell check; set or not, the console behaves the same.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

struct Trace {
    file: File,
    arrived: VecDeque<(&'static str, Instant)>,
}

static TRACE: OnceLock<Option<Mutex<Trace>>> = OnceLock::new();

fn trace() -> Option<&'static Mutex<Trace>> {
    TRACE
        .get_or_init(|| {
            let path = std::env::var_os("KCT_TUI_TRACE")?;
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .ok()?;
            let arrived = VecDeque::new();
            Some(Mutex::new(Trace { file, arrived }))
        })
        .as_ref()
}

/// The input thread read an event of `kind` (called before it is sent to the loop).
pub fn arrived(kind: &'static str) {
    if let Some(t) = trace() {
        let now = Instant::now();
        t.lock()
            .unwrap_or_else(|e| e.into_inner())
            .arrived
            .push_back((kind, now));
    }
}

/// The loop is done with the next `handled` input events (their frame is on the terminal).
pub fn done(handled: usize) {
    let Some(t) = trace() else { return };
    let mut t = t.lock().unwrap_or_else(|e| e.into_inner());
    let mut lines = String::new();
    for _ in 0..handled {
        let Some((kind, at)) = t.arrived.pop_front() else {
            break;
        };
        lines += &format!("{kind} {}\n", at.elapsed().as_micros());
    }
    let _ = t.file.write_all(lines.as_bytes());
}
