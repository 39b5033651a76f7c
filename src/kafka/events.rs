//! What kcat does with librdkafka's error and log callbacks: `% ERROR:` lines, `%N|…` log lines,
//! and the "all brokers down: terminating" rule that `-E` turns off.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use rdkafka::error::RDKafkaErrorCode;

/// Shared by every client of one kct run; the run loop checks `take_fatal` after each poll.
#[derive(Debug)]
pub struct Events {
    pub verbosity: i32,
    pub continue_on_error: bool,
    fatal: Mutex<Option<String>>,
    has_fatal: AtomicBool,
    /// Properties kct sets on its own, whose deprecation warnings would only confuse.
    own_properties: Mutex<Vec<&'static str>>,
}

impl Events {
    pub fn new(verbosity: i32, continue_on_error: bool) -> Self {
        Events {
            verbosity,
            continue_on_error,
            fatal: Mutex::new(None),
            has_fatal: AtomicBool::new(false),
            own_properties: Mutex::new(Vec::new()),
        }
    }

    /// An error reported by librdkafka's error callback.
    pub fn on_error(&self, code: RDKafkaErrorCode, reason: &str) {
        let terminal = matches!(code, RDKafkaErrorCode::AllBrokersDown) || is_fatal(code);
        let text = format!("{}: {reason}", ErrText(code));
        if terminal && !self.continue_on_error {
            self.set_fatal(format!("{text}: terminating"));
        } else {
            crate::say!("% ERROR: {text}");
        }
    }

    /// Records a fatal error; the first one wins.
    pub fn set_fatal(&self, message: String) {
        let mut slot = self.fatal.lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_none() {
            *slot = Some(message);
            self.has_fatal.store(true, Ordering::Release);
        }
    }

    /// True once any fatal error was recorded, even after it was taken.
    pub fn fatal_seen(&self) -> bool {
        self.has_fatal.load(Ordering::Acquire)
    }

    pub fn take_fatal(&self) -> Option<String> {
        if !self.has_fatal.load(Ordering::Acquire) {
            return None;
        }
        self.fatal.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    /// A librdkafka log line, in librdkafka's own stderr shape `%LEVEL|SECONDS|FAC|NAME| MSG`.
    pub fn on_log(&self, level: i32, fac: &str, name: &str, msg: &str) {
        // `-q` silences librdkafka's logs too, as kcat does after creating the handle.
        if self.verbosity == 0 && level > 3 {
            return;
        }
        if fac == "CONFWARN" && self.is_own_property_warning(msg) {
            return;
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        crate::say!(
            "%{}|{}.{:03}|{}|{}| {}",
            level,
            now.as_secs(),
            now.subsec_millis(),
            fac,
            name,
            msg
        );
    }

    /// Hides librdkafka's configuration warnings about `property`, which kct set itself.
    pub fn own_property(&self, property: &'static str) {
        self.own_properties
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(property);
    }

    fn is_own_property_warning(&self, msg: &str) -> bool {
        let own = self
            .own_properties
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        own.iter()
            .any(|p| msg.contains(&format!("property {p} is")))
    }

    pub fn info(&self, msg: impl std::fmt::Display) {
        if self.verbosity >= 1 {
            crate::say!("{msg}");
        }
    }
}

/// `eprintln!` that never panics: a closed stderr must not abort kct, least of all inside one
/// of librdkafka's callbacks, where a panic cannot unwind.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

fn is_fatal(code: RDKafkaErrorCode) -> bool {
    matches!(code, RDKafkaErrorCode::Fatal)
}

/// librdkafka's own text for an error code (`rd_kafka_err2str`), as kcat prints it, e.g.
/// `Local: Broker transport failure`.
pub struct ErrText(pub RDKafkaErrorCode);

impl std::fmt::Display for ErrText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match rdkafka::bindings::rd_kafka_resp_err_t::try_from(self.0 as i32) {
            // SAFETY: rd_kafka_err2str returns a static string for every code.
            Ok(raw) => f.write_str(
                &unsafe { std::ffi::CStr::from_ptr(rdkafka::bindings::rd_kafka_err2str(raw)) }
                    .to_string_lossy(),
            ),
            Err(_) => write!(f, "{:?}", self.0),
        }
    }
}
