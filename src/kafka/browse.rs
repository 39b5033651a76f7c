//! The message browser's Kafka side (kcat inside the console): the topics and their partitions
//! from metadata, a consumer assigned to chosen partitions at a start position (beginning, end,
//! an offset, kcat's `-o -N`, a time through offsets-for-times), records handed out owned with
//! topic, partition, offset, timestamp, key, value and headers, and a bounded [`Window`] that
//! keeps the newest N of them. The detail of a record is kcat's `-J` envelope
//! ([`crate::record::json::write_envelope`]) with key and value pretty-printed.
//!
//! Blocking by design: the caller polls from a thread of its own (the console's jobs side).

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::message::{Headers, Message, Timestamp};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::{Offset, TopicPartitionList};
use serde_json::Value;

use crate::record::json::{write_envelope, Encoding};
use crate::record::{HeaderList, MessageView, TimestampType};

/// How long reaching the cluster (metadata, offsets for times) may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How many records a browser keeps by default.
pub const DEFAULT_WINDOW: usize = 10_000;

/// A topic as `:topics` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicSummary {
    pub name: String,
    pub partitions: i32,
    /// The largest replica count among the partitions.
    pub replicas: usize,
    /// The metadata's error for the topic, in words.
    pub error: Option<String>,
}

/// Where reading starts in each partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    Beginning,
    /// Only records produced from now on.
    End,
    /// An absolute offset (a partition whose log starts later starts at its beginning).
    Offset(i64),
    /// kcat's `-o -N`: N records before the end of each partition.
    Tail(i64),
    /// The first record at or after this time (epoch ms), through offsets-for-times.
    Time(i64),
}

impl Start {
    /// `beginning`, `end`, `1234` (offset), `-10` (the last 10 of each partition);
    /// times: epoch milliseconds after `@` (`@1700000000000`), an RFC 3339 time
    /// (`2025-03-02T14:00:00Z`, `2025-03-02 14:00:00`), or an age (`5m`, `2h ago`).
    pub fn parse(text: &str) -> Result<Start, String> {
        Start::parse_at(text, now_ms())
    }

    /// [`Start::parse`] with "now" given (ages count back from it).
    pub fn parse_at(text: &str, now_ms: i64) -> Result<Start, String> {
        let s = text.trim();
        let bad = || {
            format!(
                "{s:?} is not a start: beginning, end, an offset (1234), -N (the last N), @EPOCH-MS, a time (2025-03-02T14:00:00Z) or an age (5m ago)"
            )
        };
        match s {
            "" => return Err(bad()),
            "b" | "beginning" | "begin" | "start" => return Ok(Start::Beginning),
            "e" | "end" => return Ok(Start::End),
            _ => {}
        }
        if let Some(ms) = s.strip_prefix('@') {
            return ms.trim().parse().map(Start::Time).map_err(|_| bad());
        }
        if let Ok(n) = s.parse::<i64>() {
            return Ok(if n < 0 {
                Start::Tail(-n)
            } else {
                Start::Offset(n)
            });
        }
        if let Ok(t) = humantime::parse_rfc3339_weak(s) {
            let ms = t
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_millis() as i64)
                .map_err(|_| bad())?;
            return Ok(Start::Time(ms));
        }
        let age = s.strip_suffix("ago").unwrap_or(s).trim();
        let age = age.strip_prefix('-').unwrap_or(age);
        match humantime::parse_duration(age) {
            Ok(d) => Ok(Start::Time(now_ms - d.as_millis() as i64)),
            Err(_) => Err(bad()),
        }
    }

    /// In words, for titles: `from the beginning`, `from offset 1234`, ….
    pub fn describe(&self) -> String {
        match self {
            Start::Beginning => "from the beginning".into(),
            Start::End => "from the end".into(),
            Start::Offset(n) => format!("from offset {n}"),
            Start::Tail(n) => format!("the last {n} of each partition"),
            Start::Time(ms) => format!("from {}", rfc3339(*ms)),
        }
    }

    fn offset(self) -> Offset {
        match self {
            Start::Beginning => Offset::Beginning,
            Start::End => Offset::End,
            Start::Offset(n) => Offset::Offset(n),
            Start::Tail(n) => Offset::OffsetTail(n),
            // Resolved through offsets-for-times before assigning.
            Start::Time(_) => Offset::End,
        }
    }
}

/// What to browse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowseSpec {
    pub topic: String,
    /// `None`: every partition.
    pub partition: Option<i32>,
    pub start: Start,
}

/// One record, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowsedRecord {
    pub topic: Arc<str>,
    pub partition: i32,
    pub offset: i64,
    pub timestamp_type: TimestampType,
    /// Epoch milliseconds; `-1` when not available.
    pub timestamp: i64,
    /// The broker it was fetched from, `-1` if unknown.
    pub broker: i32,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    /// Name and value (`None`: a NULL value) of each header, in order.
    pub headers: Vec<(Vec<u8>, Option<Vec<u8>>)>,
}

struct OwnedHeaders<'a>(&'a [(Vec<u8>, Option<Vec<u8>>)]);

impl HeaderList for OwnedHeaders<'_> {
    fn count(&self) -> usize {
        self.0.len()
    }

    fn get(&self, i: usize) -> (&[u8], Option<&[u8]>) {
        let (n, v) = &self.0[i];
        (n, v.as_deref())
    }
}

impl BrowsedRecord {
    /// The record as kcat's compact `-J` envelope (text encoding, as kcat).
    pub fn envelope(&self) -> Vec<u8> {
        let headers = OwnedHeaders(&self.headers);
        let view = MessageView {
            topic: &self.topic,
            partition: self.partition,
            offset: self.offset,
            timestamp_type: self.timestamp_type,
            timestamp: self.timestamp,
            broker: self.broker,
            key: self.key.as_deref(),
            payload: self.value.as_deref(),
            headers: &headers,
        };
        let mut out = Vec::with_capacity(64 + self.value.as_ref().map_or(0, Vec::len));
        write_envelope(&view, Encoding::Text, &mut out);
        out
    }

    /// The envelope pretty-printed, with key and payload shown as JSON when they parse as
    /// JSON (a string that holds JSON becomes the JSON itself).
    pub fn pretty(&self) -> String {
        pretty_envelope(&self.envelope())
    }

    /// The timestamp when there is one.
    pub fn time(&self) -> Option<i64> {
        (self.timestamp_type != TimestampType::NotAvailable && self.timestamp >= 0)
            .then_some(self.timestamp)
    }
}

/// A `-J` envelope pretty-printed, `key` and `payload` parsed as JSON where they are JSON.
pub fn pretty_envelope(envelope: &[u8]) -> String {
    let Ok(mut v) = serde_json::from_slice::<Value>(envelope) else {
        return String::from_utf8_lossy(envelope).into_owned();
    };
    for field in ["key", "payload"] {
        let parsed = v
            .get(field)
            .and_then(Value::as_str)
            .and_then(|s| serde_json::from_str::<Value>(s).ok())
            // A bare number or word stays the string it was.
            .filter(|p| p.is_object() || p.is_array());
        if let (Some(p), Some(slot)) = (parsed, v.get_mut(field)) {
            *slot = p;
        }
    }
    serde_json::to_string_pretty(&v).unwrap_or_default()
}

/// The newest `cap` items: pushing beyond the capacity drops the oldest.
#[derive(Debug, Clone)]
pub struct Window<T = BrowsedRecord> {
    cap: usize,
    items: VecDeque<T>,
    /// How many items were dropped to stay within the capacity.
    dropped: u64,
}

impl<T> Window<T> {
    pub fn new(cap: usize) -> Window<T> {
        Window {
            cap: cap.max(1),
            items: VecDeque::new(),
            dropped: 0,
        }
    }

    pub fn push(&mut self, item: T) {
        if self.items.len() == self.cap {
            self.items.pop_front();
            self.dropped += 1;
        }
        self.items.push_back(item);
    }

    pub fn extend(&mut self, items: impl IntoIterator<Item = T>) {
        for i in items {
            self.push(i);
        }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn is_full(&self) -> bool {
        self.items.len() == self.cap
    }

    pub fn capacity(&self) -> usize {
        self.cap
    }

    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    pub fn get(&self, i: usize) -> Option<&T> {
        self.items.get(i)
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator {
        self.items.iter()
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.items.iter_mut()
    }

    pub fn clear(&mut self) {
        self.items.clear();
        self.dropped = 0;
    }
}

/// The topics of the cluster with their partition counts, sorted by name.
pub fn list_topics(config: &ClientConfig, bootstrap: &str) -> Result<Vec<TopicSummary>, String> {
    let consumer = consumer(config, bootstrap)?;
    let md = consumer
        .fetch_metadata(None, CONNECT_TIMEOUT)
        .map_err(|e| unreachable(bootstrap, &e))?;
    let mut out: Vec<TopicSummary> = md
        .topics()
        .iter()
        .map(|t| TopicSummary {
            name: t.name().to_owned(),
            partitions: t.partitions().len() as i32,
            replicas: t
                .partitions()
                .iter()
                .map(|p| p.replicas().len())
                .max()
                .unwrap_or(0),
            error: t.error().map(|e| RDKafkaErrorCode::from(e).to_string()),
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

fn unreachable(bootstrap: &str, e: &KafkaError) -> String {
    format!(
        "cannot reach Kafka at {bootstrap} within {} s ({e}); check -b or the context's bootstrap",
        CONNECT_TIMEOUT.as_secs()
    )
}

fn consumer(config: &ClientConfig, bootstrap: &str) -> Result<BaseConsumer, String> {
    let mut cc = config.clone();
    cc.set("enable.auto.commit", "false");
    cc.set("enable.auto.offset.store", "false");
    cc.set("enable.partition.eof", "true");
    cc.set("allow.auto.create.topics", "false");
    // librdkafka's consumer wants a group id; nothing is ever committed with it.
    if cc.get("group.id").is_none() {
        cc.set("group.id", "kct-browse");
    }
    if cc.get("fetch.wait.max.ms").is_none() {
        // A tail that waits on an idle topic should not hold new records back long.
        cc.set("fetch.wait.max.ms", "100");
    }
    if cc.get("queued.max.messages.kbytes").is_none() {
        // What librdkafka prefetches while the console does not ask for more.
        cc.set("queued.max.messages.kbytes", "16384");
    }
    super::consumer_defaults(&mut cc);
    cc.create()
        .map_err(|e| format!("cannot create a Kafka consumer for {bootstrap}: {e}"))
}

/// A consumer on one topic's chosen partitions.
pub struct Browser {
    consumer: BaseConsumer,
    topic: Arc<str>,
    partitions: Vec<i32>,
    /// Partitions at their end (cleared by the next record of the partition).
    at_end: HashSet<i32>,
}

impl Browser {
    /// Looks the topic up, resolves the start in every chosen partition and assigns them.
    pub fn open(
        config: &ClientConfig,
        bootstrap: &str,
        spec: &BrowseSpec,
    ) -> Result<Browser, String> {
        let consumer = consumer(config, bootstrap)?;
        let topic = spec.topic.as_str();
        let md = consumer
            .fetch_metadata(Some(topic), CONNECT_TIMEOUT)
            .map_err(|e| unreachable(bootstrap, &e))?;
        let missing = || format!("topic {topic} does not exist on {bootstrap}");
        let t = md
            .topics()
            .iter()
            .find(|t| t.name() == topic)
            .ok_or_else(missing)?;
        match t.error().map(RDKafkaErrorCode::from) {
            None => {}
            Some(RDKafkaErrorCode::UnknownTopicOrPartition) => return Err(missing()),
            Some(e) => return Err(format!("topic {topic} on {bootstrap}: {e}")),
        }
        let mut ids: Vec<i32> = t.partitions().iter().map(|p| p.id()).collect();
        ids.sort_unstable();
        if ids.is_empty() {
            return Err(missing());
        }
        let partitions = choose_partitions(topic, &ids, spec.partition)?;
        let offsets = match spec.start {
            Start::Time(ms) => times_to_offsets(&consumer, topic, &partitions, ms)?,
            other => vec![other.offset(); partitions.len()],
        };
        let mut tpl = TopicPartitionList::new();
        for (&p, &o) in partitions.iter().zip(&offsets) {
            tpl.add_partition_offset(topic, p, o)
                .map_err(|e| format!("cannot read {topic} [{p}]: {e}"))?;
        }
        consumer
            .assign(&tpl)
            .map_err(|e| format!("cannot read {topic} on {bootstrap}: {e}"))?;
        Ok(Browser {
            consumer,
            topic: Arc::from(topic),
            partitions,
            at_end: HashSet::new(),
        })
    }

    /// The partitions being read.
    pub fn partitions(&self) -> &[i32] {
        &self.partitions
    }

    /// Whether every partition is at its end (until more records arrive).
    pub fn caught_up(&self) -> bool {
        self.at_end.len() == self.partitions.len()
    }

    /// Records until `max` are there or `wait` has passed (returning early once caught up).
    /// Errors are librdkafka's, in words; most are transient (a broker restarting) and the
    /// browser may be polled again.
    pub fn poll(&mut self, max: usize, wait: Duration) -> Result<Vec<BrowsedRecord>, String> {
        let until = Instant::now() + wait;
        let mut out = Vec::new();
        while out.len() < max {
            let left = until.saturating_duration_since(Instant::now());
            let polled = match self.consumer.poll(Duration::ZERO) {
                None if left.is_zero() || (self.caught_up() && !out.is_empty()) => break,
                None => self.consumer.poll(left.min(Duration::from_millis(50))),
                some => some,
            };
            match polled {
                Some(Ok(m)) => {
                    self.at_end.remove(&m.partition());
                    out.push(self.owned(&m));
                }
                Some(Err(KafkaError::PartitionEOF(p))) => {
                    self.at_end.insert(p);
                }
                Some(Err(e)) if out.is_empty() => return Err(e.to_string()),
                Some(Err(_)) => break,
                None => {}
            }
        }
        Ok(out)
    }

    fn owned(&self, m: &rdkafka::message::BorrowedMessage<'_>) -> BrowsedRecord {
        let (timestamp_type, timestamp) = match m.timestamp() {
            Timestamp::NotAvailable => (TimestampType::NotAvailable, -1),
            Timestamp::CreateTime(t) => (TimestampType::CreateTime, t),
            Timestamp::LogAppendTime(t) => (TimestampType::LogAppendTime, t),
        };
        let headers = m
            .headers()
            .map(|hs| {
                hs.iter()
                    .map(|h| (h.key.as_bytes().to_vec(), h.value.map(<[u8]>::to_vec)))
                    .collect()
            })
            .unwrap_or_default();
        // SAFETY: `m.ptr()` is the live librdkafka message `m` borrows; the call only reads it.
        let broker = unsafe { rdkafka::bindings::rd_kafka_message_broker_id(m.ptr()) };
        BrowsedRecord {
            topic: self.topic.clone(),
            partition: m.partition(),
            offset: m.offset(),
            timestamp_type,
            timestamp,
            broker,
            key: m.key().map(<[u8]>::to_vec),
            value: m.payload().map(<[u8]>::to_vec),
            headers,
        }
    }
}

/// `wanted` among the topic's partitions `ids`, or all of them.
pub fn choose_partitions(
    topic: &str,
    ids: &[i32],
    wanted: Option<i32>,
) -> Result<Vec<i32>, String> {
    match wanted {
        None => Ok(ids.to_vec()),
        Some(p) if ids.contains(&p) => Ok(vec![p]),
        Some(p) => Err(format!(
            "topic {topic} has no partition {p} (it has {}: 0..{})",
            ids.len(),
            ids.len() as i32 - 1
        )),
    }
}

/// Each partition's first offset at or after `ms`; the end where there is none.
fn times_to_offsets(
    consumer: &BaseConsumer,
    topic: &str,
    partitions: &[i32],
    ms: i64,
) -> Result<Vec<Offset>, String> {
    let mut ask = TopicPartitionList::new();
    for &p in partitions {
        ask.add_partition_offset(topic, p, Offset::Offset(ms))
            .map_err(|e| format!("cannot ask for offsets of {topic} [{p}]: {e}"))?;
    }
    let found = consumer
        .offsets_for_times(ask, CONNECT_TIMEOUT)
        .map_err(|e| format!("cannot find the offsets of {topic} at {}: {e}", rfc3339(ms)))?;
    partitions
        .iter()
        .map(|&p| match found.find_partition(topic, p) {
            Some(e) => match e.error() {
                Err(err) => Err(format!(
                    "cannot find the offset of {topic} [{p}] at {}: {err}",
                    rfc3339(ms)
                )),
                // A time after the last record: librdkafka answers -1 (the end).
                Ok(()) => Ok(match e.offset() {
                    Offset::Offset(o) if o >= 0 => Offset::Offset(o),
                    _ => Offset::End,
                }),
            },
            None => Ok(Offset::End),
        })
        .collect()
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn rfc3339(ms: i64) -> String {
    if !(0..253_402_300_800_000).contains(&ms) {
        return format!("@{ms}");
    }
    humantime::format_rfc3339_millis(UNIX_EPOCH + Duration::from_millis(ms as u64)).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_parse_like_kcat_and_times() {
        let now = 1_700_000_000_000;
        assert_eq!(Start::parse_at("beginning", now), Ok(Start::Beginning));
        assert_eq!(Start::parse_at(" end ", now), Ok(Start::End));
        assert_eq!(Start::parse_at("1234", now), Ok(Start::Offset(1234)));
        assert_eq!(Start::parse_at("-10", now), Ok(Start::Tail(10)));
        assert_eq!(
            Start::parse_at("@1600000000000", now),
            Ok(Start::Time(1_600_000_000_000))
        );
        assert_eq!(
            Start::parse_at("2023-11-14T22:13:20Z", now),
            Ok(Start::Time(1_700_000_000_000))
        );
        assert_eq!(
            Start::parse_at("2023-11-14 22:13:20", now),
            Ok(Start::Time(1_700_000_000_000))
        );
        assert_eq!(
            Start::parse_at("5m ago", now),
            Ok(Start::Time(now - 300_000))
        );
        assert_eq!(Start::parse_at("2h", now), Ok(Start::Time(now - 7_200_000)));
        let e = Start::parse_at("yesterday-ish", now).unwrap_err();
        assert!(e.contains("not a start"), "{e}");
        assert!(Start::parse_at("", now).is_err());
        assert_eq!(Start::Tail(5).describe(), "the last 5 of each partition");
        assert_eq!(
            Start::Time(1_700_000_000_000).describe(),
            "from 2023-11-14T22:13:20.000Z"
        );
    }

    #[test]
    fn the_window_keeps_the_newest() {
        let mut w = Window::new(3);
        w.extend(1..=5);
        assert_eq!(w.iter().copied().collect::<Vec<_>>(), [3, 4, 5]);
        assert_eq!((w.len(), w.dropped(), w.is_full()), (3, 2, true));
        assert_eq!(w.get(0), Some(&3));
        w.clear();
        assert!(w.is_empty() && w.dropped() == 0);
        assert_eq!(Window::<u8>::new(0).capacity(), 1);
    }

    #[test]
    fn partitions_are_all_or_one_that_exists() {
        assert_eq!(choose_partitions("t", &[0, 1, 2], None), Ok(vec![0, 1, 2]));
        assert_eq!(choose_partitions("t", &[0, 1, 2], Some(1)), Ok(vec![1]));
        let e = choose_partitions("t", &[0, 1, 2], Some(7)).unwrap_err();
        assert_eq!(e, "topic t has no partition 7 (it has 3: 0..2)");
    }

    fn record(key: Option<&[u8]>, value: Option<&[u8]>) -> BrowsedRecord {
        BrowsedRecord {
            topic: Arc::from("orders"),
            partition: 2,
            offset: 41,
            timestamp_type: TimestampType::CreateTime,
            timestamp: 1_700_000_000_000,
            broker: 1,
            key: key.map(<[u8]>::to_vec),
            value: value.map(<[u8]>::to_vec),
            headers: vec![
                (b"trace".to_vec(), Some(b"abc".to_vec())),
                (b"n".to_vec(), None),
            ],
        }
    }

    #[test]
    fn the_detail_is_the_kcat_envelope_pretty() {
        let r = record(Some(b"k1"), Some(br#"{"id":7,"items":[1,2]}"#));
        assert_eq!(
            String::from_utf8(r.envelope()).unwrap(),
            r#"{"topic":"orders","partition":2,"offset":41,"tstype":"create","ts":1700000000000,"broker":1,"headers":["trace","abc","n",null],"key":"k1","payload":"{\"id\":7,\"items\":[1,2]}"}"#
        );
        let pretty = r.pretty();
        assert!(
            pretty.contains("\"payload\": {\n    \"id\": 7,"),
            "{pretty}"
        );
        assert!(pretty.contains("\"key\": \"k1\""), "{pretty}");
        // Field order is kcat's.
        let topic = pretty.find("\"topic\"").unwrap();
        assert!(topic < pretty.find("\"key\"").unwrap());
        let plain = record(None, Some(b"42"));
        let p = plain.pretty();
        assert!(
            p.contains("\"key\": null") && p.contains("\"payload\": \"42\""),
            "{p}"
        );
        assert_eq!(plain.time(), Some(1_700_000_000_000));
        let mut none = plain.clone();
        none.timestamp_type = TimestampType::NotAvailable;
        assert_eq!(none.time(), None);
        assert!(!String::from_utf8(none.envelope())
            .unwrap()
            .contains("tstype"));
    }
}
