//! The parsed kcat-mode command line: what each flag asked for, before any client exists.

use crate::config::kcat::KcatConfig;
use crate::record::json::Encoding;

/// kcat's modes; `-G` carries the group id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    Consume,
    Produce,
    List,
    Query,
    Group(String),
}

/// Where `-C` starts reading in each partition (`-o`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartOffset {
    Beginning,
    End,
    Stored,
    Absolute(i64),
    /// The last N messages of each partition (`-o -N`).
    Tail(i64),
}

/// One `-Q -t topic:partition:timestamp` target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryTarget {
    pub topic: String,
    pub partition: i32,
    pub timestamp: i64,
}

/// The partitioner kct picks for keyed records when `-p` is not given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Partitioner {
    /// Whatever librdkafka's `partitioner` property says (kcat's behaviour).
    Configured,
    /// Java's default partitioner: murmur2 of the key bytes (`--partitioner murmur2`).
    Murmur2,
}

#[derive(Debug)]
pub struct KcatOptions {
    pub mode: Mode,
    /// True when the mode was picked from stdin being a terminal or not.
    pub mode_auto_selected: bool,
    pub topic: Option<String>,
    /// `-p`; `-1` is "unassigned" as in kcat.
    pub partition: i32,
    pub brokers: Option<String>,
    pub delim: Vec<u8>,
    pub key_delim: Option<Vec<u8>>,
    pub fixed_key: Option<Vec<u8>>,
    pub headers: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    /// `-Z`.
    pub null_str: bool,
    pub count: Option<u64>,
    /// `-m`, in milliseconds.
    pub metadata_timeout_ms: u64,
    pub exit_eof: bool,
    pub format: Option<String>,
    pub json: bool,
    pub unbuffered: bool,
    pub line_mode: bool,
    pub tee: bool,
    pub offset: Option<StartOffset>,
    pub start_ts: Option<i64>,
    pub end_ts: Option<i64>,
    pub verbosity: i32,
    /// `-E`: report non-fatal errors and go on.
    pub continue_on_error: bool,
    pub positional: Vec<String>,
    pub queries: Vec<QueryTarget>,
    pub config: KcatConfig,
    /// kct extras.
    pub jq: Option<String>,
    pub encoding: Encoding,
    pub partitioner: Partitioner,
    pub list_offsets: bool,
}

impl Default for KcatOptions {
    fn default() -> Self {
        KcatOptions {
            mode: Mode::Consume,
            mode_auto_selected: false,
            topic: None,
            partition: -1,
            brokers: None,
            delim: b"\n".to_vec(),
            key_delim: None,
            fixed_key: None,
            headers: Vec::new(),
            null_str: false,
            count: None,
            metadata_timeout_ms: 5000,
            exit_eof: false,
            format: None,
            json: false,
            unbuffered: false,
            line_mode: false,
            tee: false,
            offset: None,
            start_ts: None,
            end_ts: None,
            verbosity: 1,
            continue_on_error: false,
            positional: Vec::new(),
            queries: Vec::new(),
            config: KcatConfig::default(),
            jq: None,
            encoding: Encoding::Text,
            partitioner: Partitioner::Configured,
            list_offsets: false,
        }
    }
}
