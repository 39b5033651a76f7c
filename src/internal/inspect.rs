//! The internal-topics inspector's logic: what a worker would load from `connect-offsets`,
//! `connect-configs` and `connect-status` (the latest record per key), every record with its
//! position (history), and the anomalies that make a cluster behave oddly: undecodable records,
//! offsets of deleted connectors, one source partition under several key byte strings,
//! tombstones that miss their record's partition, task configs that were never committed.
//!
//! Pure: records come in through [`LogRecord`] (the Kafka side is `kafka::topic_read`), views
//! and anomalies go out as serializable values. [`TopicIo`] is the seam the offsets topic path
//! (`offset_reset`) reads and writes through.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::Value;

use super::configs::{ConfigRecord, ConfigState};
use super::offsets::{decode_key, decode_value};
use super::status::{Status, StatusRecord, StatusState};
use crate::connect::types::JsonMap;

/// One record of a topic as read, borrowed from the client's buffer.
#[derive(Debug, Clone, Copy)]
pub struct LogRecord<'a> {
    pub partition: i32,
    pub offset: i64,
    /// Epoch milliseconds, when the broker gave one.
    pub timestamp: Option<i64>,
    pub key: Option<&'a [u8]>,
    /// `None` is a tombstone.
    pub value: Option<&'a [u8]>,
}

/// An owned [`LogRecord`], kept for `--history` and for records shown raw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedRecord {
    pub partition: i32,
    pub offset: i64,
    pub timestamp: Option<i64>,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
}

impl OwnedRecord {
    pub fn of(r: &LogRecord<'_>) -> OwnedRecord {
        OwnedRecord {
            partition: r.partition,
            offset: r.offset,
            timestamp: r.timestamp,
            key: r.key.map(<[u8]>::to_vec),
            value: r.value.map(<[u8]>::to_vec),
        }
    }

    pub fn borrow(&self) -> LogRecord<'_> {
        LogRecord {
            partition: self.partition,
            offset: self.offset,
            timestamp: self.timestamp,
            key: self.key.as_deref(),
            value: self.value.as_deref(),
        }
    }
}

/// A record to write: its key, the partition it must go to, its value (`None`, a tombstone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteRecord {
    pub partition: i32,
    pub key: Vec<u8>,
    pub value: Option<Vec<u8>>,
}

/// What reading a topic to its end saw.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadStats {
    pub partitions: i32,
    pub records: u64,
}

/// Reading and writing a Connect internal topic. Errors are one-line messages that name the
/// topic and the cluster.
pub trait TopicIo {
    /// The topic's partition count; an error when the topic does not exist.
    fn partition_count(&self, topic: &str) -> Result<i32, String>;

    /// Every record from the beginning of each partition up to its end when the read started,
    /// in log order within a partition. `progress(done, total)` is called now and then.
    fn read(
        &self,
        topic: &str,
        progress: &mut dyn FnMut(u64, u64),
        visit: &mut dyn FnMut(&LogRecord<'_>),
    ) -> Result<ReadStats, String>;

    /// Writes `records` to their partitions and waits until the broker acknowledged them all.
    fn write(&self, topic: &str, records: &[WriteRecord]) -> Result<(), String>;
}

/// Bytes as text: the string itself when it is UTF-8, else with non-printables escaped.
pub fn raw_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => bytes.escape_ascii().to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Latest record per key

/// The latest record of one key in one partition, borrowed from its [`LatestLog`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot<'a> {
    pub partition: i32,
    pub offset: i64,
    pub timestamp: Option<i64>,
    /// Arrival order, to break timestamp ties between partitions.
    seq: u64,
    /// `None` is a tombstone.
    pub value: Option<&'a [u8]>,
}

/// Marks a tombstone in [`SlotRec::value_len`].
const TOMBSTONE: u32 = u32::MAX;

/// A slot as stored: its value lives in the log's arena.
#[derive(Debug, Clone, Copy)]
struct SlotRec {
    offset: i64,
    timestamp: i64,
    seq: u64,
    value_at: usize,
    value_len: u32,
    /// Bytes reserved at `value_at`: a later value that fits is written over this one.
    value_cap: u32,
    partition: i32,
    has_timestamp: bool,
}

/// One key: its bytes in the arena and its slot in the first partition it was seen in. A key
/// almost always lives in one partition; `more` indexes the other partitions' slots otherwise.
#[derive(Debug, Clone, Copy)]
struct KeyRec {
    key_at: usize,
    key_len: u32,
    /// 1 + index into `LatestLog::more`; 0 for none.
    more: u32,
    first: SlotRec,
}

/// The latest record per exact key bytes and partition: what compaction keeps, and all a
/// worker's reader ends up with. A key normally lives in the one partition the producer's
/// partitioner picked; a key seen in several partitions is an anomaly reported by the views.
///
/// Compact, for topics of millions of keys: key and value bytes live in one arena, keys in a
/// vector in arrival order, found through an open-addressing table of indexes. Updating a key
/// writes over its value when the new one fits, so a topic of many updates to few keys is read
/// without allocating per record.
#[derive(Debug, Default)]
pub struct LatestLog {
    arena: Vec<u8>,
    keys: Vec<KeyRec>,
    more: Vec<Vec<SlotRec>>,
    /// Buckets of `hash << 32 | 1 + index into keys`, 0 when empty, where `hash` is the
    /// key's 32-bit hash, whose low bits are the home bucket; the length is a power of two
    /// (or 0). Keys are compared only when the hashes match.
    table: Vec<u64>,
    /// Records without a key: Java's readers skip them.
    keyless: Vec<OwnedRecord>,
    seq: u64,
}

/// How many keyless records are kept to be shown; the rest are only counted.
const KEYLESS_KEPT: usize = 100;

/// A 32-bit hash of a key (multiply-rotate per 8 bytes, then murmur3's finalizer).
fn hash_key(bytes: &[u8]) -> u32 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut h = (bytes.len() as u64) ^ 0x243f_6a88_85a3_08d3;
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        let w = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
        h = (h ^ w).wrapping_mul(K).rotate_left(29);
    }
    let tail = words.remainder();
    if !tail.is_empty() {
        let mut w = [0u8; 8];
        w[..tail.len()].copy_from_slice(tail);
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(K).rotate_left(29);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    ((h ^ (h >> 33)) >> 32) as u32
}

impl LatestLog {
    pub fn new() -> LatestLog {
        LatestLog::default()
    }

    /// Makes room for `records` more records of about `record_bytes` bytes each (key and
    /// value), when their number is known: fewer reallocations of a big log. Memory is only
    /// reserved, not touched, so a topic of few keys costs no more.
    pub fn reserve(&mut self, records: u64, record_bytes: usize) {
        let records = records.min(1 << 26) as usize;
        self.keys.reserve(records);
        self.arena
            .reserve(records.saturating_mul(record_bytes).min(1 << 28));
    }

    /// Applies the next record.
    pub fn apply(&mut self, r: &LogRecord<'_>) {
        self.seq += 1;
        let Some(key) = r.key else {
            if self.keyless.len() < KEYLESS_KEPT {
                self.keyless.push(OwnedRecord::of(r));
            }
            return;
        };
        let hash = hash_key(key);
        match self.find(key, hash) {
            Some(i) => {
                let first = self.keys[i].first;
                if first.partition == r.partition {
                    let mut slot = first;
                    self.update(&mut slot, r);
                    self.keys[i].first = slot;
                    return;
                }
                let more = self.keys[i].more as usize;
                if more == 0 {
                    self.more.push(Vec::new());
                    self.keys[i].more = self.more.len() as u32;
                }
                let more = self.keys[i].more as usize - 1;
                match self.more[more]
                    .iter()
                    .position(|s| s.partition == r.partition)
                {
                    Some(j) => {
                        let mut slot = self.more[more][j];
                        self.update(&mut slot, r);
                        self.more[more][j] = slot;
                    }
                    None => {
                        let slot = self.fresh(r);
                        self.more[more].push(slot);
                    }
                }
            }
            None => {
                let key_at = self.arena.len();
                self.arena.extend_from_slice(key);
                let first = self.fresh(r);
                self.keys.push(KeyRec {
                    key_at,
                    key_len: key.len() as u32,
                    more: 0,
                    first,
                });
                self.index(hash, self.keys.len() - 1);
            }
        }
    }

    /// The index of `key` in `keys`.
    fn find(&self, key: &[u8], hash: u32) -> Option<usize> {
        if self.table.is_empty() {
            return None;
        }
        let mask = self.table.len() - 1;
        let mut b = hash as usize & mask;
        loop {
            let bucket = self.table[b];
            if bucket == 0 {
                return None;
            }
            if (bucket >> 32) as u32 == hash {
                let i = (bucket as u32 - 1) as usize;
                if self.key_bytes(&self.keys[i]) == key {
                    return Some(i);
                }
            }
            b = (b + 1) & mask;
        }
    }

    /// Enters `keys[i]` in the table, growing it to stay at most half full.
    fn index(&mut self, hash: u32, i: usize) {
        if self.keys.len() * 2 > self.table.len() {
            let size = (self.table.len() * 2).max(1024);
            let old = std::mem::replace(&mut self.table, vec![0; size]);
            for bucket in old.into_iter().filter(|&b| b != 0) {
                self.place(bucket);
            }
        }
        self.place(u64::from(hash) << 32 | (i as u64 + 1));
    }

    fn place(&mut self, bucket: u64) {
        let mask = self.table.len() - 1;
        let mut b = (bucket >> 32) as usize & mask;
        while self.table[b] != 0 {
            b = (b + 1) & mask;
        }
        self.table[b] = bucket;
    }

    fn fresh(&mut self, r: &LogRecord<'_>) -> SlotRec {
        let mut slot = SlotRec {
            offset: 0,
            timestamp: 0,
            seq: 0,
            value_at: 0,
            value_len: TOMBSTONE,
            value_cap: 0,
            partition: r.partition,
            has_timestamp: false,
        };
        self.update(&mut slot, r);
        slot
    }

    fn update(&mut self, slot: &mut SlotRec, r: &LogRecord<'_>) {
        slot.offset = r.offset;
        slot.timestamp = r.timestamp.unwrap_or(0);
        slot.has_timestamp = r.timestamp.is_some();
        slot.seq = self.seq;
        let Some(v) = r.value else {
            slot.value_len = TOMBSTONE;
            return;
        };
        // Values beyond 4 GiB cannot come from Kafka; the length is kept as u32.
        let len = v.len() as u32;
        if len <= slot.value_cap && slot.value_cap > 0 {
            self.arena[slot.value_at..slot.value_at + v.len()].copy_from_slice(v);
        } else {
            // A first value takes what it needs; a value that outgrew its place gets room to
            // grow, so a key's arena use stays within a small multiple of its largest value.
            let cap = if slot.value_cap == 0 {
                len
            } else {
                len.saturating_add(len / 2).max(len.saturating_add(8))
            };
            slot.value_at = self.arena.len();
            self.arena.extend_from_slice(v);
            self.arena
                .resize(self.arena.len() + (cap - len) as usize, 0);
            slot.value_cap = cap;
        }
        slot.value_len = len;
    }

    fn key_bytes(&self, k: &KeyRec) -> &[u8] {
        &self.arena[k.key_at..k.key_at + k.key_len as usize]
    }

    fn slot(&self, s: &SlotRec) -> Slot<'_> {
        Slot {
            partition: s.partition,
            offset: s.offset,
            timestamp: s.has_timestamp.then_some(s.timestamp),
            seq: s.seq,
            value: (s.value_len != TOMBSTONE)
                .then(|| &self.arena[s.value_at..s.value_at + s.value_len as usize]),
        }
    }

    fn latest(&self, k: &KeyRec) -> Latest<'_> {
        let first = self.slot(&k.first);
        let more: &[SlotRec] = match k.more {
            0 => &[],
            m => &self.more[m as usize - 1],
        };
        let mut winner = first;
        for s in more {
            let s = self.slot(s);
            if (s.timestamp.unwrap_or(i64::MIN), s.seq)
                > (winner.timestamp.unwrap_or(i64::MIN), winner.seq)
            {
                winner = s;
            }
        }
        Latest {
            key: self.key_bytes(k),
            winner,
            first,
            more,
            log: self,
        }
    }

    /// Every key, in the order first seen, with the record a reader ends up with (the latest
    /// by timestamp, then by arrival, when the key lives in several partitions) and the other
    /// partitions' records.
    pub fn entries(&self) -> impl Iterator<Item = Latest<'_>> {
        self.keys.iter().map(|k| self.latest(k))
    }

    /// The latest records of these exact key bytes.
    pub fn get(&self, key: &[u8]) -> Option<Latest<'_>> {
        self.find(key, hash_key(key))
            .map(|i| self.latest(&self.keys[i]))
    }

    /// Keyless records (the first [`KEYLESS_KEPT`]).
    pub fn keyless(&self) -> &[OwnedRecord] {
        &self.keyless
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// One key of a [`LatestLog`].
#[derive(Debug, Clone, Copy)]
pub struct Latest<'a> {
    pub key: &'a [u8],
    pub winner: Slot<'a>,
    first: Slot<'a>,
    more: &'a [SlotRec],
    log: &'a LatestLog,
}

impl<'a> Latest<'a> {
    /// `None` when the latest record is a tombstone.
    pub fn value(&self) -> Option<&'a [u8]> {
        self.winner.value
    }

    /// Every partition's latest record for the key, `winner` included, in the order the
    /// partitions were first seen.
    pub fn slots(&self) -> impl Iterator<Item = Slot<'a>> + 'a {
        let log = self.log;
        std::iter::once(self.first).chain(self.more.iter().map(move |s| log.slot(s)))
    }

    /// How many partitions hold the key.
    pub fn partition_count(&self) -> usize {
        1 + self.more.len()
    }

    fn record(&self) -> LogRecord<'a> {
        LogRecord {
            partition: self.winner.partition,
            offset: self.winner.offset,
            timestamp: self.winner.timestamp,
            key: Some(self.key),
            value: self.winner.value,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Anomalies

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AnomalyKind {
    /// A record Java's reader would skip or choke on; shown raw.
    Undecodable,
    /// Source offsets of a connector the config topic does not have.
    OrphanOffsets,
    /// One source partition of a connector under several key byte strings (field order,
    /// spacing, …): each is a separate compacted key, and the task reads only one of them.
    DuplicatePartitionKey,
    /// A tombstone in another partition than the record it is meant to delete, which survives
    /// compaction there.
    MisplacedTombstone,
    /// A key with live records in several partitions: which one a worker ends up with depends
    /// on read order.
    KeyInSeveralPartitions,
    /// `task-` records not followed by a `commit-`: a worker ignores them.
    UncommittedTaskConfigs,
    /// A `commit-` whose task configs are not all there: a worker marks the connector
    /// inconsistent and runs no tasks.
    InconsistentTaskConfigs,
}

/// Where in a topic a record sits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordRef {
    pub partition: i32,
    pub offset: i64,
    pub key: Option<String>,
}

impl RecordRef {
    fn of(r: &LogRecord<'_>) -> RecordRef {
        RecordRef {
            partition: r.partition,
            offset: r.offset,
            key: r.key.map(raw_text),
        }
    }

    fn at(key: &[u8], slot: &Slot<'_>) -> RecordRef {
        RecordRef {
            partition: slot.partition,
            offset: slot.offset,
            key: Some(raw_text(key)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Anomaly {
    pub kind: AnomalyKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connector: Option<String>,
    pub message: String,
    pub records: Vec<RecordRef>,
    /// For undecodable records: the value as read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl Anomaly {
    fn undecodable(r: &LogRecord<'_>, problem: impl Into<String>) -> Anomaly {
        Anomaly {
            kind: AnomalyKind::Undecodable,
            connector: None,
            message: problem.into(),
            records: vec![RecordRef::of(r)],
            value: r.value.map(raw_text),
        }
    }
}

/// Misplaced tombstones and keys live in several partitions, for one key.
fn partition_anomaly(latest: &Latest<'_>, connector: Option<&str>) -> Option<Anomaly> {
    if latest.partition_count() < 2 {
        return None;
    }
    let live: Vec<Slot<'_>> = latest.slots().filter(|s| s.value.is_some()).collect();
    let dead: Vec<Slot<'_>> = latest.slots().filter(|s| s.value.is_none()).collect();
    let key = raw_text(latest.key);
    let place = |s: &[Slot<'_>]| {
        s.iter()
            .map(|s| format!("{}@{}", s.partition, s.offset))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (kind, message) = if live.is_empty() {
        return None;
    } else if !dead.is_empty() {
        (
            AnomalyKind::MisplacedTombstone,
            format!(
                "key {key}: tombstone at {} does not delete the record at {} (compaction is per partition; the value survives)",
                place(&dead),
                place(&live)
            ),
        )
    } else {
        (
            AnomalyKind::KeyInSeveralPartitions,
            format!(
                "key {key} has live records in partitions {}; a worker keeps whichever it reads last",
                place(&live)
            ),
        )
    };
    let mut records: Vec<RecordRef> = latest
        .slots()
        .map(|s| RecordRef::at(latest.key, &s))
        .collect();
    records.sort_by_key(|r| (r.partition, r.offset));
    Some(Anomaly {
        kind,
        connector: connector.map(str::to_owned),
        message,
        records,
        value: None,
    })
}

fn sort_anomalies(anomalies: &mut [Anomaly]) {
    anomalies.sort_by(|a, b| {
        (a.kind, &a.connector, &a.records).cmp(&(b.kind, &b.connector, &b.records))
    });
}

// Records refs compare by position for a stable output order.
impl PartialOrd for RecordRef {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for RecordRef {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.partition, self.offset, &self.key).cmp(&(other.partition, other.offset, &other.key))
    }
}

// ---------------------------------------------------------------------------------------------
// connect-offsets

/// One key's latest offset, as a worker would load it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OffsetEntry {
    /// `None` for keys Java does not read as `[connector, {partition}]`.
    pub connector: Option<String>,
    pub partition: Option<JsonMap>,
    /// The decoded offset (`null` for a JSON null); the raw value when undecodable.
    pub offset: Value,
    /// The exact key bytes (as text).
    pub key: String,
    pub kafka_partition: i32,
    pub kafka_offset: i64,
    pub timestamp: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OffsetsView {
    pub offsets: Vec<OffsetEntry>,
    pub anomalies: Vec<Anomaly>,
}

/// The offsets view: live keys (tombstoned ones are gone, as for a worker), filtered by
/// connector, with anomalies. `connectors` are the connectors of the config topic, when it
/// could be read (orphans are reported only then).
pub fn offsets_view(
    log: &LatestLog,
    connectors: Option<&ConfigState>,
    filter: Option<&str>,
) -> OffsetsView {
    offsets_listing(log, connectors, filter).into_view()
}

/// The offsets view borrowed from its log, for topics of millions of keys: entries whose key
/// and value are in the form Java writes (`["<connector>",{…}]`, `{…}` of strings without
/// escapes, integers, booleans and nulls, no spaces) stay the bytes read and are printed from
/// them; the others are decoded into an [`OffsetEntry`]. Prints the same bytes as the
/// [`OffsetsView`] it stands for (see [`OffsetsListing::write_json`] and
/// [`OffsetsListing::document`]).
#[derive(Debug)]
pub struct OffsetsListing<'a> {
    log: &'a LatestLog,
    /// The entries in view order, 8 bytes each.
    order: Vec<Listed>,
    decoded: Vec<OffsetEntry>,
    pub anomalies: Vec<Anomaly>,
}

/// An entry of a listing: a key of the log in Java's form, with the length of its connector
/// name, or an index into `decoded`.
#[derive(Debug, Clone, Copy)]
struct Listed {
    index: u32,
    connector_len: u32,
}

/// `Listed::connector_len` of a decoded entry.
const DECODED: u32 = u32::MAX;

/// An entry in Java's form: `key` is `["<connector>",{partition}]` and `value` is `{…}` or
/// `null`, both in serde_json's compact form (see [`flat_object`]).
/// The bytes are UTF-8 (checked when listed).
#[derive(Debug, Clone, Copy)]
struct RawEntry<'a> {
    connector: &'a [u8],
    key: &'a [u8],
    value: &'a [u8],
    kafka_partition: i32,
    kafka_offset: i64,
    timestamp: Option<i64>,
}

impl<'a> RawEntry<'a> {
    /// The `{partition}` of the key `["<connector>",{partition}]`.
    fn partition(&self) -> &'a [u8] {
        &self.key[self.connector.len() + 4..self.key.len() - 1]
    }
}

/// Bytes checked to be UTF-8 as text.
fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or_default()
}

#[derive(Debug, Clone, Copy)]
enum Entry<'a> {
    Raw(RawEntry<'a>),
    Decoded(&'a OffsetEntry),
}

impl<'a> Entry<'a> {
    fn connector(&self) -> Option<&'a [u8]> {
        match self {
            Entry::Raw(r) => Some(r.connector),
            Entry::Decoded(e) => e.connector.as_ref().map(|c| c.as_bytes()),
        }
    }

    fn key(&self) -> &'a [u8] {
        match self {
            Entry::Raw(r) => r.key,
            Entry::Decoded(e) => e.key.as_bytes(),
        }
    }

    fn position(&self) -> (i32, i64) {
        match self {
            Entry::Raw(r) => (r.kafka_partition, r.kafka_offset),
            Entry::Decoded(e) => (e.kafka_partition, e.kafka_offset),
        }
    }

    fn to_owned_entry(self) -> OffsetEntry {
        match self {
            Entry::Raw(r) => OffsetEntry {
                connector: Some(text(r.connector).to_owned()),
                partition: match serde_json::from_slice(r.partition()) {
                    Ok(Value::Object(p)) => Some(p),
                    _ => None,
                },
                offset: serde_json::from_slice(r.value).unwrap_or(Value::Null),
                key: text(r.key).to_owned(),
                kafka_partition: r.kafka_partition,
                kafka_offset: r.kafka_offset,
                timestamp: r.timestamp,
                error: None,
            },
            Entry::Decoded(e) => e.clone(),
        }
    }
}

/// One row of the offsets view, for a table.
#[derive(Debug, Clone, PartialEq)]
pub struct OffsetRow<'a> {
    pub connector: Option<&'a str>,
    /// The source partition as compact JSON; `None` for keys Java does not read.
    pub partition: Option<Cow<'a, str>>,
    /// A string offset as itself (the raw value of an undecodable one), any other as compact
    /// JSON.
    pub offset: Cow<'a, str>,
    /// The exact key bytes (as text).
    pub key: &'a str,
    pub kafka_partition: i32,
    pub kafka_offset: i64,
}

impl<'a> OffsetsListing<'a> {
    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    fn entry(&self, l: Listed) -> Entry<'_> {
        if l.connector_len == DECODED {
            Entry::Decoded(&self.decoded[l.index as usize])
        } else {
            Entry::Raw(raw_at(self.log, l))
        }
    }

    fn entries(&self) -> impl Iterator<Item = Entry<'_>> {
        self.order.iter().map(|&l| self.entry(l))
    }

    /// The rows in view order.
    pub fn rows(&self) -> impl Iterator<Item = OffsetRow<'_>> {
        self.entries().map(|e| match e {
            Entry::Raw(r) => OffsetRow {
                connector: Some(text(r.connector)),
                partition: Some(Cow::Borrowed(text(r.partition()))),
                offset: Cow::Borrowed(text(r.value)),
                key: text(r.key),
                kafka_partition: r.kafka_partition,
                kafka_offset: r.kafka_offset,
            },
            Entry::Decoded(e) => OffsetRow {
                connector: e.connector.as_deref(),
                partition: e
                    .partition
                    .as_ref()
                    .map(|p| Cow::Owned(serde_json::to_string(p).unwrap_or_default())),
                offset: match &e.offset {
                    Value::String(s) => Cow::Borrowed(s.as_str()),
                    v => Cow::Owned(serde_json::to_string(v).unwrap_or_default()),
                },
                key: &e.key,
                kafka_partition: e.kafka_partition,
                kafka_offset: e.kafka_offset,
            },
        })
    }

    /// The owned view.
    pub fn into_view(self) -> OffsetsView {
        OffsetsView {
            offsets: self.entries().map(Entry::to_owned_entry).collect(),
            anomalies: self.anomalies,
        }
    }

    /// `{"topic", "offsets", "anomalies"}` for any serde serializer: the same as serializing
    /// `json!({"topic": topic, "offsets": view.offsets, "anomalies": view.anomalies})`.
    pub fn document<'b>(&'b self, topic: &'b str) -> OffsetsDocument<'b, 'a> {
        OffsetsDocument {
            topic,
            listing: self,
        }
    }

    /// Writes [`OffsetsListing::document`] as `serde_json::to_writer_pretty` does, and a
    /// newline: entries in Java's form go straight from their bytes to the output, formatted
    /// by up to [`WRITERS`] threads.
    pub fn write_json(&self, topic: &str, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        let mut buf: Vec<u8> = Vec::new();
        buf.extend_from_slice(b"{\n  \"topic\": ");
        serde_json::to_writer(&mut buf, topic).map_err(std::io::Error::other)?;
        buf.extend_from_slice(b",\n  \"offsets\": [");
        w.write_all(&buf)?;
        self.write_entries(w)?;
        buf.clear();
        if !self.order.is_empty() {
            buf.extend_from_slice(b"\n  ");
        }
        buf.extend_from_slice(b"],\n  \"anomalies\": ");
        let mut scratch = Vec::new();
        serde_json::to_writer_pretty(&mut scratch, &self.anomalies)
            .map_err(std::io::Error::other)?;
        indent_into(&mut buf, &scratch, b"\n  ");
        buf.extend_from_slice(b"\n}\n");
        w.write_all(&buf)?;
        w.flush()
    }

    /// The entries of the offsets list, each after `\n` (the first) or `,\n`.
    fn write_entries(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        use std::sync::mpsc;
        let chunks: Vec<&[Listed]> = self.order.chunks(WRITE_CHUNK).collect();
        let threads = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .min(WRITERS);
        let (mut buf, mut scratch) = (Vec::new(), Vec::new());
        if threads < 2 || chunks.len() < 2 * threads {
            for (i, chunk) in chunks.iter().enumerate() {
                buf.clear();
                self.write_chunk(i == 0, chunk, &mut buf, &mut scratch)?;
                w.write_all(&buf)?;
            }
            return Ok(());
        }
        // Thread t formats chunks t, t + threads, …; this one writes them in order. Buffers go
        // back to their thread to be reused.
        std::thread::scope(|scope| {
            let mut lanes = Vec::with_capacity(threads);
            for t in 0..threads {
                let (done_tx, done_rx) = mpsc::sync_channel::<std::io::Result<Vec<u8>>>(2);
                let (free_tx, free_rx) = mpsc::channel::<Vec<u8>>();
                lanes.push((done_rx, free_tx));
                let chunks = &chunks;
                scope.spawn(move || {
                    let mut scratch = Vec::new();
                    for i in (t..chunks.len()).step_by(threads) {
                        let mut buf = free_rx.try_recv().unwrap_or_default();
                        buf.clear();
                        let result = self
                            .write_chunk(i == 0, chunks[i], &mut buf, &mut scratch)
                            .map(|()| buf);
                        if done_tx.send(result).is_err() {
                            return;
                        }
                    }
                });
            }
            for i in 0..chunks.len() {
                let (done, free) = &lanes[i % threads];
                let buf = done
                    .recv()
                    .map_err(|_| std::io::Error::other("a formatting thread failed"))??;
                w.write_all(&buf)?;
                let _ = free.send(buf);
            }
            Ok(())
        })
    }

    fn write_chunk(
        &self,
        first: bool,
        chunk: &[Listed],
        buf: &mut Vec<u8>,
        scratch: &mut Vec<u8>,
    ) -> std::io::Result<()> {
        for (j, &l) in chunk.iter().enumerate() {
            buf.extend_from_slice(if first && j == 0 {
                b"\n    "
            } else {
                b",\n    "
            });
            match self.entry(l) {
                Entry::Raw(r) => write_raw_pretty(buf, &r),
                Entry::Decoded(e) => {
                    scratch.clear();
                    serde_json::to_writer_pretty(&mut *scratch, e)
                        .map_err(std::io::Error::other)?;
                    indent_into(buf, scratch, b"\n    ");
                }
            }
        }
        Ok(())
    }
}

/// Entries formatted at a time by one thread of [`OffsetsListing::write_json`].
const WRITE_CHUNK: usize = 4096;
/// At most this many threads format the offsets list.
const WRITERS: usize = 4;

/// A raw entry as serde_json's pretty printer writes an [`OffsetEntry`] in the offsets list.
fn write_raw_pretty(buf: &mut Vec<u8>, r: &RawEntry<'_>) {
    buf.extend_from_slice(b"{\n      \"connector\": \"");
    buf.extend_from_slice(r.connector);
    buf.extend_from_slice(b"\",\n      \"partition\": ");
    write_flat_pretty(buf, r.partition(), 6);
    buf.extend_from_slice(b",\n      \"offset\": ");
    write_flat_pretty(buf, r.value, 6);
    buf.extend_from_slice(b",\n      \"key\": \"");
    // Raw keys hold no backslash or control character: quotes are the only characters to
    // escape.
    let mut from = 0;
    for (i, &b) in r.key.iter().enumerate() {
        if b == b'"' {
            buf.extend_from_slice(&r.key[from..i]);
            buf.extend_from_slice(b"\\\"");
            from = i + 1;
        }
    }
    buf.extend_from_slice(&r.key[from..]);
    buf.extend_from_slice(b"\",\n      \"kafka_partition\": ");
    write_int(buf, i64::from(r.kafka_partition));
    buf.extend_from_slice(b",\n      \"kafka_offset\": ");
    write_int(buf, r.kafka_offset);
    buf.extend_from_slice(b",\n      \"timestamp\": ");
    match r.timestamp {
        Some(t) => write_int(buf, t),
        None => buf.extend_from_slice(b"null"),
    }
    buf.extend_from_slice(b"\n    }");
}

/// Copies pretty-printed JSON, its lines after the first indented (`newline` is `\n` and the
/// indentation): JSON strings hold no raw newline, so every one is the printer's.
fn indent_into(buf: &mut Vec<u8>, pretty: &[u8], newline: &[u8]) {
    let mut rest = pretty;
    while let Some(n) = memchr::memchr(b'\n', rest) {
        buf.extend_from_slice(&rest[..n]);
        buf.extend_from_slice(newline);
        rest = &rest[n + 1..];
    }
    buf.extend_from_slice(rest);
}

fn write_int(buf: &mut Vec<u8>, n: i64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut u = n.unsigned_abs();
    while u >= 100 {
        let pair = (u % 100) as usize * 2;
        u /= 100;
        i -= 2;
        digits[i..i + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    if u >= 10 {
        let pair = u as usize * 2;
        i -= 2;
        digits[i..i + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    } else {
        i -= 1;
        digits[i] = b'0' + u as u8;
    }
    if n < 0 {
        buf.push(b'-');
    }
    buf.extend_from_slice(&digits[i..]);
}

/// "00" to "99".
const DIGIT_PAIRS: [u8; 200] = {
    let mut t = [0u8; 200];
    let mut i = 0;
    while i < 100 {
        t[2 * i] = b'0' + (i / 10) as u8;
        t[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    t
};

/// A flat object (or `null`) as serde_json's pretty printer writes it at `indent` spaces: a
/// line per field. The object was checked to be flat, so its structure is its `"`, `:` and `,`.
fn write_flat_pretty(buf: &mut Vec<u8>, flat: &[u8], indent: usize) {
    const SPACES: &[u8] = b"                                ";
    if flat == b"null" || flat == b"{}" {
        buf.extend_from_slice(flat);
        return;
    }
    let field_indent = &SPACES[..indent + 2];
    buf.extend_from_slice(b"{\n");
    buf.extend_from_slice(field_indent);
    let end = flat.len() - 1;
    let (mut from, mut i) = (1, 1);
    while i < end {
        match flat[i] {
            b'"' => {
                i += 1;
                while flat[i] != b'"' {
                    i += 1;
                }
            }
            b':' => {
                buf.extend_from_slice(&flat[from..i]);
                buf.extend_from_slice(b": ");
                from = i + 1;
            }
            b',' => {
                buf.extend_from_slice(&flat[from..i]);
                buf.extend_from_slice(b",\n");
                buf.extend_from_slice(field_indent);
                from = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    buf.extend_from_slice(&flat[from..end]);
    buf.push(b'\n');
    buf.extend_from_slice(&SPACES[..indent]);
    buf.push(b'}');
}

/// [`OffsetsListing::document`].
/// [`OffsetsListing::document`].
pub struct OffsetsDocument<'b, 'a> {
    topic: &'b str,
    listing: &'b OffsetsListing<'a>,
}

impl Serialize for OffsetsDocument<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("topic", self.topic)?;
        m.serialize_entry("offsets", &Entries(self.listing))?;
        m.serialize_entry("anomalies", &self.listing.anomalies)?;
        m.end()
    }
}

struct Entries<'b, 'a>(&'b OffsetsListing<'a>);

impl Serialize for Entries<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.entries())
    }
}

impl Serialize for Entry<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        match self {
            Entry::Raw(r) => {
                let mut st = s.serialize_struct("OffsetEntry", 7)?;
                st.serialize_field("connector", &Some(text(r.connector)))?;
                st.serialize_field("partition", &Some(Flat(text(r.partition()))))?;
                st.serialize_field("offset", &Flat(text(r.value)))?;
                st.serialize_field("key", text(r.key))?;
                st.serialize_field("kafka_partition", &r.kafka_partition)?;
                st.serialize_field("kafka_offset", &r.kafka_offset)?;
                st.serialize_field("timestamp", &r.timestamp)?;
                st.end()
            }
            Entry::Decoded(e) => e.serialize(s),
        }
    }
}

/// A flat object or `null` in serde_json's compact form, serialized as the `Value` it parses to.
struct Flat<'a>(&'a str);

impl Serialize for Flat<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        if self.0 == "null" {
            return s.serialize_unit();
        }
        let flat = self.0.as_bytes();
        let mut m = s.serialize_map(Some(flat_fields(flat).count()))?;
        for (name, value) in flat_fields(flat) {
            m.serialize_entry(text(name), &Scalar(text(value)))?;
        }
        m.end()
    }
}

/// A scalar of a flat object, serialized as the `Value` serde_json parses it to.
struct Scalar<'a>(&'a str);

impl Serialize for Scalar<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let t = self.0;
        match t.as_bytes().first() {
            Some(b'"') => s.serialize_str(&t[1..t.len() - 1]),
            Some(b't') => s.serialize_bool(true),
            Some(b'f') => s.serialize_bool(false),
            Some(b'n') => s.serialize_unit(),
            Some(b'-') => s.serialize_i64(t.parse().unwrap_or_default()),
            _ => s.serialize_u64(t.parse().unwrap_or_default()),
        }
    }
}

// Java's form, read without a JSON parser. "Flat" objects are `{"name":scalar,…}` without
// whitespace, with distinct names, where a scalar is a string without escapes or control
// characters, an integer of at most 18 digits without leading zeros (and not `-0`), `true`,
// `false` or `null`: exactly what serde_json prints for the `Value` it parses such text to.

/// The end of the string starting at `b[i] == '"'`, past its closing quote; `None` when it
/// holds an escape, a control character or bytes that are not UTF-8.
fn scan_string(b: &[u8], i: usize) -> Option<usize> {
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let mut j = i + 1;
    let mut ascii = true;
    loop {
        let c = *b.get(j)?;
        if c == b'"' {
            break;
        }
        if c == b'\\' || c < 0x20 {
            return None;
        }
        ascii &= c < 0x80;
        j += 1;
    }
    // Bytes of multi-byte UTF-8 sequences are all 0x80 or more: the quote found is the end.
    if !ascii && std::str::from_utf8(&b[i + 1..j]).is_err() {
        return None;
    }
    Some(j + 1)
}

/// The end of the scalar starting at `b[i]`.
fn scan_scalar(b: &[u8], i: usize) -> Option<usize> {
    match *b.get(i)? {
        b'"' => scan_string(b, i),
        b't' if b[i..].starts_with(b"true") => Some(i + 4),
        b'f' if b[i..].starts_with(b"false") => Some(i + 5),
        b'n' if b[i..].starts_with(b"null") => Some(i + 4),
        _ => {
            let start = i + usize::from(b[i] == b'-');
            let digits = b[start..].iter().take_while(|c| c.is_ascii_digit()).count();
            let end = start + digits;
            let ok = match digits {
                0 => false,
                1 => !(b[start] == b'0' && start > i),
                2..=18 => b[start] != b'0',
                _ => false,
            };
            ok.then_some(end)
        }
    }
}

/// The end of the flat object starting at `b[i] == '{'`, and whether its names ascend (which
/// makes it the canonical form [`canonical`] would give).
fn flat_object(b: &[u8], i: usize) -> Option<(usize, bool)> {
    if b.get(i) != Some(&b'{') {
        return None;
    }
    if b.get(i + 1) == Some(&b'}') {
        return Some((i + 2, true));
    }
    let mut previous: &[u8] = &[];
    let mut ascending = true;
    let mut at = i + 1;
    let end = loop {
        let name_end = scan_string(b, at)?;
        let name = &b[at + 1..name_end - 1];
        if at > i + 1 && name <= previous {
            ascending = false;
        }
        previous = name;
        if b.get(name_end) != Some(&b':') {
            return None;
        }
        at = scan_scalar(b, name_end + 1)?;
        match b.get(at) {
            Some(b',') => at += 1,
            Some(b'}') => break at + 1,
            _ => return None,
        }
    };
    // Duplicate names collapse into one in a parsed map: not flat. Ascending names are
    // distinct.
    if !ascending {
        let mut names: Vec<&[u8]> = flat_fields(&b[i..end]).map(|(n, _)| n).collect();
        names.sort_unstable();
        if names.windows(2).any(|w| w[0] == w[1]) {
            return None;
        }
    }
    Some((end, ascending))
}

/// A raw offsets key `["<connector>",{partition}]`: the length of the connector name, and
/// whether the partition is in canonical form. A raw key is UTF-8.
fn raw_key(b: &[u8]) -> Option<(usize, bool)> {
    if !b.starts_with(b"[\"") {
        return None;
    }
    let name_end = scan_string(b, 1)?;
    if b.get(name_end) != Some(&b',') {
        return None;
    }
    let (end, ascending) = flat_object(b, name_end + 1)?;
    (end + 1 == b.len() && b[end] == b']').then_some((name_end - 3, ascending))
}

/// Whether a value is `null` or a flat object, and nothing else (and so UTF-8).
fn raw_value(value: &[u8]) -> bool {
    value == b"null" || flat_object(value, 0).is_some_and(|(end, _)| end == value.len())
}

/// The fields of a flat object (which must be one): raw names and raw scalars.
fn flat_fields(b: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    let mut at = 1;
    std::iter::from_fn(move || {
        if at >= b.len() || b[at] != b'"' {
            return None;
        }
        let name_end = scan_string(b, at)?;
        let value_end = scan_scalar(b, name_end + 1)?;
        let field = (&b[at + 1..name_end - 1], &b[name_end + 1..value_end]);
        at = value_end + 1;
        Some(field)
    })
}

/// The canonical form of a flat object (see [`canonical`]): its fields sorted by name.
fn flat_canonical(flat: &[u8]) -> String {
    let mut fields: Vec<(&str, &str)> =
        flat_fields(flat).map(|(n, v)| (text(n), text(v))).collect();
    fields.sort_unstable();
    let mut out = String::with_capacity(flat.len());
    out.push('{');
    for (i, (name, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        out.push_str(name);
        out.push_str("\":");
        out.push_str(value);
    }
    out.push('}');
    out
}

type KeyAt<'a> = (&'a [u8], i32, i64);

/// The offsets listing (see [`OffsetsListing`]); [`offsets_view`] is its owned form.
pub fn offsets_listing<'a>(
    log: &'a LatestLog,
    connectors: Option<&ConfigState>,
    filter: Option<&str>,
) -> OffsetsListing<'a> {
    build_listing(log, connectors, filter, true)
}

/// `keep_raw`: keep entries in Java's form as bytes (off in tests, to compare with decoding
/// every entry).
fn build_listing<'a>(
    log: &'a LatestLog,
    connectors: Option<&ConfigState>,
    filter: Option<&str>,
    keep_raw: bool,
) -> OffsetsListing<'a> {
    let mut order: Vec<Listed> = Vec::with_capacity(log.len());
    let mut decoded: Vec<OffsetEntry> = Vec::new();
    let mut anomalies = Vec::new();
    // Duplicate partition keys: (connector, canonical partition) → keys with a live offset,
    // for keys not in canonical form. A group of two or more keys holds at most one in
    // canonical form (that one's bytes follow from the pair), so the raw canonical keys
    // (`canonical_raw`, indexes into `order`) need looking up only when this is not empty.
    let mut logical: HashMap<String, HashMap<String, Vec<KeyAt<'a>>>> = HashMap::new();
    let mut canonical_raw: Vec<usize> = Vec::new();
    let mut decode = |entry: OffsetEntry| {
        decoded.push(entry);
        Listed {
            index: decoded.len() as u32 - 1,
            connector_len: DECODED,
        }
    };
    for r in log.keyless() {
        if filter.is_none() {
            anomalies.push(Anomaly::undecodable(
                &r.borrow(),
                "a record without a key (Java's offset reader skips it)",
            ));
        }
    }
    for (index, latest) in log.entries().enumerate() {
        let raw = if keep_raw { raw_key(latest.key) } else { None };
        let decoded = match raw {
            Some(_) => None,
            None => Some(decode_key(latest.key)),
        };
        let connector = match (raw, &decoded) {
            (Some((len, _)), _) => Some(text(&latest.key[2..2 + len])),
            (None, Some(Ok(Some((c, _))))) => Some(c.as_str()),
            _ => None,
        };
        if filter.is_some() && connector != filter {
            continue;
        }
        if let Some(a) = partition_anomaly(&latest, connector) {
            anomalies.push(a);
        }
        let Some(value) = latest.value() else {
            continue;
        };
        if let (Some((len, ascending)), Some(connector)) = (raw, connector) {
            if raw_value(value) {
                if ascending {
                    canonical_raw.push(order.len());
                } else {
                    let key = latest.key;
                    logical
                        .entry(connector.to_owned())
                        .or_default()
                        .entry(flat_canonical(&key[len + 4..key.len() - 1]))
                        .or_default()
                        .push((key, latest.winner.partition, latest.winner.offset));
                }
                order.push(Listed {
                    index: index as u32,
                    connector_len: len as u32,
                });
                continue;
            }
        }
        let record = latest.record();
        let decoded = decoded.unwrap_or_else(|| decode_key(latest.key));
        let (connector, partition) = match decoded {
            Ok(Some((c, p))) => (c, p),
            Ok(None) => {
                anomalies.push(Anomaly::undecodable(
                    &record,
                    "the key is not a [\"<connector>\",{…}] list; Java's offset reader ignores it",
                ));
                order.push(decode(raw_entry(&latest, value, None)));
                continue;
            }
            Err(e) => {
                anomalies.push(Anomaly::undecodable(&record, e.problem.clone()));
                order.push(decode(raw_entry(&latest, value, Some(e.problem))));
                continue;
            }
        };
        let offset = match decode_value(Some(value)) {
            Ok(o) => o.map(Value::Object).unwrap_or(Value::Null),
            Err(e) => {
                let mut a = Anomaly::undecodable(&record, e.problem.clone());
                a.connector = Some(connector.clone());
                anomalies.push(a);
                let mut entry = raw_entry(&latest, value, Some(e.problem));
                entry.connector = Some(connector);
                entry.partition = Some(partition);
                order.push(decode(entry));
                continue;
            }
        };
        logical
            .entry(connector.clone())
            .or_default()
            .entry(canonical(&partition))
            .or_default()
            .push((latest.key, latest.winner.partition, latest.winner.offset));
        order.push(decode(OffsetEntry {
            connector: Some(connector),
            partition: Some(partition),
            offset,
            key: raw_text(latest.key),
            kafka_partition: latest.winner.partition,
            kafka_offset: latest.winner.offset,
            timestamp: latest.winner.timestamp,
            error: None,
        }));
    }
    if !logical.is_empty() {
        for &i in &canonical_raw {
            let r = raw_at(log, order[i]);
            if let Some(keys) = logical
                .get_mut(text(r.connector))
                .and_then(|m| m.get_mut(text(r.partition())))
            {
                keys.push((r.key, r.kafka_partition, r.kafka_offset));
            }
        }
    }
    for (connector, partitions) in logical {
        for (partition, mut keys) in partitions {
            if keys.len() < 2 {
                continue;
            }
            keys.sort_by(|a, b| a.0.cmp(b.0));
            let records: Vec<RecordRef> = keys
                .iter()
                .map(|&(k, partition, offset)| RecordRef {
                    partition,
                    offset,
                    key: Some(raw_text(k)),
                })
                .collect();
            anomalies.push(Anomaly {
                kind: AnomalyKind::DuplicatePartitionKey,
                message: format!(
                    "source partition {partition} of {connector} is stored under {} different key byte strings ({}); each is a separate compacted key and the task reads only the one it serializes",
                    keys.len(),
                    keys.iter()
                        .map(|&(k, p, o)| format!("{} at {p}@{o}", raw_text(k)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                connector: Some(connector.clone()),
                records,
                value: None,
            });
        }
    }
    drop(canonical_raw);
    let mut listing = OffsetsListing {
        log,
        order,
        decoded,
        anomalies: Vec::new(),
    };
    listing.sort();
    if let Some(configs) = connectors {
        // Entries are grouped by connector now: one look-up per connector.
        let mut orphans: Vec<(&str, Vec<RecordRef>)> = Vec::new();
        let mut last: Option<(&[u8], bool)> = None;
        for e in listing.entries() {
            let Some(c) = e.connector() else {
                continue;
            };
            let orphan = match last {
                Some((l, orphan)) if l == c => orphan,
                _ => {
                    let orphan = configs.connector(text(c)).is_none();
                    last = Some((c, orphan));
                    if orphan {
                        orphans.push((text(c), Vec::new()));
                    }
                    orphan
                }
            };
            if orphan {
                let (partition, offset) = e.position();
                if let Some((_, records)) = orphans.last_mut() {
                    records.push(RecordRef {
                        partition,
                        offset,
                        key: Some(text(e.key()).to_owned()),
                    });
                }
            }
        }
        for (connector, records) in orphans {
            anomalies.push(Anomaly {
                kind: AnomalyKind::OrphanOffsets,
                connector: Some(connector.to_owned()),
                message: format!(
                    "{} source partition(s) of {connector}, which the config topic does not have (deleted, or another cluster's)",
                    records.len()
                ),
                records,
                value: None,
            });
        }
    }
    sort_anomalies(&mut anomalies);
    listing.anomalies = anomalies;
    listing
}

/// The raw entry `l` stands for (which must be one).
fn raw_at(log: &LatestLog, l: Listed) -> RawEntry<'_> {
    let k = &log.keys[l.index as usize];
    let key = log.key_bytes(k);
    let winner = match k.more {
        0 => log.slot(&k.first),
        _ => log.latest(k).winner,
    };
    RawEntry {
        connector: &key[2..2 + l.connector_len as usize],
        key,
        value: winner.value.unwrap_or_default(),
        kafka_partition: winner.partition,
        kafka_offset: winner.offset,
        timestamp: winner.timestamp,
    }
}

impl OffsetsListing<'_> {
    /// Sorts by (connector, key text, Kafka partition) with few string comparisons: entries
    /// are bucketed by connector, and within a connector compared first by 16 bytes of their
    /// key past the prefix all its keys share.
    fn sort(&mut self) {
        if self.order.len() < 2 {
            return;
        }
        // Connector ids in order of appearance (0 for none), each with its count and the
        // longest prefix its keys share (as a first key and a length).
        let mut ids: HashMap<&[u8], u32, BuildKeyHasher> = HashMap::default();
        let mut names: Vec<&[u8]> = vec![&[]];
        let mut counts: Vec<usize> = vec![0];
        let mut shared: Vec<(&[u8], usize)> = vec![(&[], usize::MAX)];
        let mut of: Vec<u32> = Vec::with_capacity(self.order.len());
        let mut last: Option<(&[u8], u32)> = None;
        for e in self.entries() {
            let id = match e.connector() {
                None => 0,
                Some(c) => match last {
                    Some((l, id)) if l == c => id,
                    _ => {
                        let id = *ids.entry(c).or_insert_with(|| {
                            names.push(c);
                            counts.push(0);
                            shared.push((&[], usize::MAX));
                            names.len() as u32 - 1
                        });
                        last = Some((c, id));
                        id
                    }
                },
            };
            of.push(id);
            counts[id as usize] += 1;
            let key = e.key();
            let (first, n) = &mut shared[id as usize];
            if *n == usize::MAX {
                (*first, *n) = (key, key.len());
            } else {
                *n = first[..*n]
                    .iter()
                    .zip(key)
                    .take_while(|(a, b)| a == b)
                    .count();
            }
        }
        // Buckets in connector name order, no connector first.
        let mut by_name: Vec<usize> = (1..names.len()).collect();
        by_name.sort_unstable_by_key(|&id| names[id]);
        let mut start = vec![0usize; names.len()];
        let mut at = counts[0];
        for &id in &by_name {
            start[id] = at;
            at += counts[id];
        }
        let bounds: Vec<usize> = std::iter::once(0)
            .chain(std::iter::once(counts[0]))
            .chain(by_name.iter().map(|&id| start[id] + counts[id]))
            .collect();
        #[derive(Clone, Copy)]
        struct Item {
            prefix: [u64; 2],
            at: u32,
        }
        let mut items = vec![
            Item {
                prefix: [0; 2],
                at: 0,
            };
            self.order.len()
        ];
        for (i, (e, &id)) in self.entries().zip(&of).enumerate() {
            let rest = &e.key()[shared[id as usize].1..];
            let mut p = [0u8; 16];
            let n = rest.len().min(16);
            p[..n].copy_from_slice(&rest[..n]);
            let (hi, lo) = p.split_at(8);
            items[start[id as usize]] = Item {
                prefix: [
                    u64::from_be_bytes(hi.try_into().unwrap_or_default()),
                    u64::from_be_bytes(lo.try_into().unwrap_or_default()),
                ],
                at: i as u32,
            };
            start[id as usize] += 1;
        }
        drop(of);
        for w in bounds.windows(2) {
            items[w[0]..w[1]].sort_unstable_by(|a, b| {
                a.prefix.cmp(&b.prefix).then_with(|| {
                    let x = self.entry(self.order[a.at as usize]);
                    let y = self.entry(self.order[b.at as usize]);
                    (x.key(), x.position().0).cmp(&(y.key(), y.position().0))
                })
            });
        }
        let order: Vec<Listed> = items.iter().map(|i| self.order[i.at as usize]).collect();
        self.order = order;
    }
}

/// Hashes byte strings with [`hash_key`], for maps looked up once per record.
#[derive(Default)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0 = self.0.rotate_left(32) ^ u64::from(hash_key(bytes));
    }
}

type BuildKeyHasher = std::hash::BuildHasherDefault<KeyHasher>;

fn raw_entry(latest: &Latest<'_>, value: &[u8], error: Option<String>) -> OffsetEntry {
    OffsetEntry {
        connector: None,
        partition: None,
        offset: Value::String(raw_text(value)),
        key: raw_text(latest.key),
        kafka_partition: latest.winner.partition,
        kafka_offset: latest.winner.offset,
        timestamp: latest.winner.timestamp,
        error: Some(error.unwrap_or_else(|| "key ignored by Java".to_owned())),
    }
}

/// A partition map with its fields sorted: equal for keys that differ only in field order
/// or spacing, different for `1` and `1.0` (a Long and a Double differ in Java too).
fn canonical(partition: &JsonMap) -> String {
    let sorted: BTreeMap<&String, &Value> = partition.iter().collect();
    serde_json::to_string(&sorted).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// History (every record)

/// One record with its position and its decoded form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryRecord {
    pub partition: i32,
    pub offset: i64,
    pub timestamp: Option<i64>,
    pub key: Option<String>,
    /// The value as JSON when it parses, else as text; `null` for a tombstone.
    pub value: Value,
    pub tombstone: bool,
    /// The record kind (`offset`, `connector`, `task`, `commit`, `target-state`, `status`, …).
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connector: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Which internal topic records come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Offsets,
    Configs,
    Status,
}

/// The connector a record is about, if its key says (cheap: no value decoding).
pub fn record_connector(which: Which, key: &[u8]) -> Option<String> {
    match which {
        Which::Offsets => decode_key(key).ok().flatten().map(|(c, _)| c),
        Which::Configs => ConfigRecord::decode(key, None)
            .ok()
            .and_then(|r| r.connector_name().map(str::to_owned)),
        Which::Status => match StatusRecord::decode(key, None).ok()? {
            StatusRecord::Connector { name, .. } => Some(name),
            StatusRecord::Task { id, .. } => Some(id.connector),
            StatusRecord::Topic { connector, .. } => Some(connector),
            StatusRecord::Unknown { .. } => None,
        },
    }
}

/// One record for `--history`.
pub fn history_record(which: Which, r: &LogRecord<'_>) -> HistoryRecord {
    let key = r.key.unwrap_or_default();
    let (kind, connector, error) = match which {
        Which::Offsets => match (decode_key(key), decode_value(r.value)) {
            (Ok(Some((c, _))), Ok(_)) => ("offset", Some(c), None),
            (Ok(Some((c, _))), Err(e)) => ("offset", Some(c), Some(e.problem)),
            (Ok(None), _) => ("ignored", None, Some("key ignored by Java".to_owned())),
            (Err(e), _) => ("undecodable", None, Some(e.problem)),
        },
        Which::Configs => match ConfigRecord::decode(key, r.value) {
            Ok(rec) => (
                config_kind(&rec),
                rec.connector_name().map(str::to_owned),
                None,
            ),
            Err(e) => ("undecodable", None, Some(e.problem)),
        },
        Which::Status => match StatusRecord::decode(key, r.value) {
            Ok(StatusRecord::Connector { name, .. }) => ("connector-status", Some(name), None),
            Ok(StatusRecord::Task { id, .. }) => ("task-status", Some(id.connector), None),
            Ok(StatusRecord::Topic { connector, .. }) => ("topic", Some(connector), None),
            Ok(StatusRecord::Unknown { .. }) => ("unknown", None, None),
            Err(e) => ("undecodable", None, Some(e.problem)),
        },
    };
    let error = match (r.key, error) {
        (None, _) => Some("a record without a key".to_owned()),
        (_, e) => e,
    };
    let mut value = match r.value {
        None => Value::Null,
        Some(v) => serde_json::from_slice(v).unwrap_or_else(|_| Value::String(raw_text(v))),
    };
    if which == Which::Configs && kind == "session-key" {
        mask_session_key(&mut value);
    }
    HistoryRecord {
        partition: r.partition,
        offset: r.offset,
        timestamp: r.timestamp,
        key: r.key.map(raw_text),
        value,
        tombstone: r.value.is_none(),
        kind,
        connector,
        error,
    }
}

fn config_kind(r: &ConfigRecord) -> &'static str {
    match r {
        ConfigRecord::Connector { .. } => "connector",
        ConfigRecord::TargetState { .. } => "target-state",
        ConfigRecord::Task { .. } => "task",
        ConfigRecord::Commit { .. } => "commit",
        ConfigRecord::RestartRequest { .. } => "restart-request",
        ConfigRecord::TasksFencing { .. } => "tasks-fencing",
        ConfigRecord::SessionKey { .. } => "session-key",
        ConfigRecord::LoggerLevel { .. } => "logger-level",
        ConfigRecord::Unknown { .. } => "unknown",
    }
}

/// The session key signs worker-to-worker requests: never printed.
fn mask_session_key(value: &mut Value) {
    if let Some(k) = value.get_mut("key") {
        *k = Value::String("(hidden)".to_owned());
    }
}

// ---------------------------------------------------------------------------------------------
// connect-configs

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskConfigEntry {
    pub task: i32,
    pub config: super::configs::Properties,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConnectorConfigEntry {
    pub name: String,
    /// From the config topic's `target-state-` (`state.v2` when present).
    pub target_state: &'static str,
    pub config: super::configs::Properties,
    /// From the last `commit-`; `null` before any.
    pub task_count: Option<u32>,
    pub inconsistent: bool,
    pub tasks: Vec<TaskConfigEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart_request: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fencing_task_count: Option<u32>,
}

impl ConnectorConfigEntry {
    /// The connector's `connector.class` ("" when missing).
    pub fn class(&self) -> String {
        self.config
            .get("connector.class")
            .cloned()
            .flatten()
            .unwrap_or_default()
    }

    /// The committed task count as shown in listings: `-` before any `commit-`, and a note when
    /// the committed configs are not all there.
    pub fn tasks_text(&self) -> String {
        match (self.task_count, self.inconsistent) {
            (None, _) => "-".to_owned(),
            (Some(n), false) => n.to_string(),
            (Some(n), true) => format!("{n} (inconsistent)"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigsView {
    pub connectors: Vec<ConnectorConfigEntry>,
    /// Target states of connectors without a config (written first on create, or left behind).
    pub target_states_without_config: BTreeMap<String, &'static str>,
    pub logger_levels: BTreeMap<String, String>,
    /// `{algorithm, creation-timestamp}` of the latest session key; the key itself is hidden.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_key: Option<Value>,
    pub anomalies: Vec<Anomaly>,
}

/// Replays the config topic in log order (it has one partition) the way a worker does.
#[derive(Debug, Default)]
pub struct ConfigsReader {
    pub state: ConfigState,
    anomalies: Vec<Anomaly>,
    target_names: BTreeMap<String, ()>,
    session_key: Option<Value>,
    /// connector → (task, position) of task configs not yet committed.
    pending: HashMap<String, Vec<(i32, RecordRef)>>,
    last_commit: HashMap<String, RecordRef>,
}

impl ConfigsReader {
    pub fn new() -> ConfigsReader {
        ConfigsReader::default()
    }

    pub fn apply(&mut self, r: &LogRecord<'_>) {
        let Some(key) = r.key else {
            self.anomalies.push(Anomaly::undecodable(
                r,
                "a record without a key (Java's config reader skips it)",
            ));
            return;
        };
        let record = match ConfigRecord::decode(key, r.value) {
            Ok(record) => record,
            Err(e) => {
                let mut a = Anomaly::undecodable(r, e.problem);
                a.connector = record_connector(Which::Configs, key);
                self.anomalies.push(a);
                return;
            }
        };
        match &record {
            ConfigRecord::TargetState { name, .. } => {
                self.target_names.insert(name.clone(), ());
            }
            ConfigRecord::Task {
                id,
                properties: Some(_),
            } => self
                .pending
                .entry(id.connector.clone())
                .or_default()
                .push((id.task, RecordRef::of(r))),
            ConfigRecord::Commit {
                name,
                tasks: Some(_),
            } => {
                self.pending.remove(name);
                self.last_commit.insert(name.clone(), RecordRef::of(r));
            }
            ConfigRecord::Connector {
                name,
                properties: None,
            } => {
                self.pending.remove(name);
            }
            ConfigRecord::SessionKey {
                algorithm,
                creation_timestamp,
                ..
            } => {
                self.session_key = Some(serde_json::json!({
                    "algorithm": algorithm,
                    "creation-timestamp": creation_timestamp,
                }));
            }
            _ => {}
        }
        self.state.apply(record, Some(r.offset));
    }

    /// The view, filtered by connector, with anomalies.
    pub fn view(&self, filter: Option<&str>) -> ConfigsView {
        let wanted = |name: &str| filter.is_none_or(|f| f == name);
        let mut anomalies: Vec<Anomaly> = self
            .anomalies
            .iter()
            .filter(|a| filter.is_none() || a.connector.as_deref() == filter)
            .cloned()
            .collect();
        let mut connectors = Vec::new();
        for c in self.state.connectors().filter(|c| wanted(c.name)) {
            if c.inconsistent {
                anomalies.push(Anomaly {
                    kind: AnomalyKind::InconsistentTaskConfigs,
                    connector: Some(c.name.to_owned()),
                    message: format!(
                        "commit-{} announces {} task(s) but not all their task configs were written before it; a worker runs no tasks for {}",
                        c.name,
                        c.task_count.unwrap_or(0),
                        c.name
                    ),
                    records: self.last_commit.get(c.name).cloned().into_iter().collect(),
                    value: None,
                });
            }
            let restart = self.state.restart_requests().get(c.name).map(|r| {
                serde_json::json!({
                    "include-tasks": r.include_tasks,
                    "only-failed": r.only_failed,
                    "offset": r.offset,
                })
            });
            connectors.push(ConnectorConfigEntry {
                name: c.name.to_owned(),
                target_state: c.target_state.as_str(),
                config: c.config.clone(),
                task_count: c.task_count,
                inconsistent: c.inconsistent,
                tasks: c
                    .tasks()
                    .into_iter()
                    .map(|(id, config)| TaskConfigEntry {
                        task: id.task,
                        config: config.clone(),
                    })
                    .collect(),
                restart_request: restart,
                fencing_task_count: self.state.fencing_task_count(c.name),
            });
        }
        for (name, tasks) in &self.pending {
            if !wanted(name) || tasks.is_empty() {
                continue;
            }
            let mut ids: Vec<i32> = tasks.iter().map(|(t, _)| *t).collect();
            ids.sort_unstable();
            ids.dedup();
            anomalies.push(Anomaly {
                kind: AnomalyKind::UncommittedTaskConfigs,
                connector: Some(name.clone()),
                message: format!(
                    "task config(s) {} of {name} have no commit-{name} after them; a worker ignores them until one arrives",
                    ids.iter().map(|t| format!("task-{name}-{t}")).collect::<Vec<_>>().join(", ")
                ),
                records: tasks.iter().map(|(_, r)| r.clone()).collect(),
                value: None,
            });
        }
        let target_states_without_config = self
            .target_names
            .keys()
            .filter(|n| wanted(n) && self.state.connector(n).is_none())
            .filter_map(|n| Some((n.clone(), self.state.target_state(n)?.as_str())))
            .collect();
        sort_anomalies(&mut anomalies);
        ConfigsView {
            connectors,
            target_states_without_config,
            logger_levels: if filter.is_none() {
                self.state.logger_levels().clone()
            } else {
                BTreeMap::new()
            },
            session_key: self.session_key.clone().filter(|_| filter.is_none()),
            anomalies,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// connect-status

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusEntry {
    pub state: &'static str,
    pub trace: Option<String>,
    pub worker_id: String,
    pub generation: i32,
}

impl StatusEntry {
    fn of(s: &Status) -> StatusEntry {
        StatusEntry {
            state: s.state.as_str(),
            trace: s.trace.clone(),
            worker_id: s.worker_id.clone(),
            generation: s.generation,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskStatusEntry {
    pub id: i32,
    #[serde(flatten)]
    pub status: StatusEntry,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicEntry {
    pub name: String,
    pub task: i32,
    pub discover_timestamp: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConnectorStatusEntry {
    pub name: String,
    pub connector: Option<StatusEntry>,
    pub tasks: Vec<TaskStatusEntry>,
    pub topics: Vec<TopicEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusView {
    pub connectors: Vec<ConnectorStatusEntry>,
    pub anomalies: Vec<Anomaly>,
}

/// The latest status per key, decoded as a worker's status store caches them.
pub fn status_state(log: &LatestLog) -> (StatusState, Vec<Anomaly>) {
    let mut state = StatusState::new();
    let mut anomalies = Vec::new();
    for r in log.keyless() {
        anomalies.push(Anomaly::undecodable(
            &r.borrow(),
            "a record without a key (Java's status reader skips it)",
        ));
    }
    let mut latest: Vec<Latest<'_>> = log.entries().collect();
    // Log order within a key does not matter (one record each); a stable order does.
    latest.sort_by(|a, b| a.key.cmp(b.key));
    for l in latest {
        let connector = record_connector(Which::Status, l.key);
        if let Some(a) = partition_anomaly(&l, connector.as_deref()) {
            anomalies.push(a);
        }
        match StatusRecord::decode(l.key, l.value()) {
            Ok(r) => state.apply(r),
            Err(e) => {
                let mut a = Anomaly::undecodable(&l.record(), e.problem);
                a.connector = connector;
                anomalies.push(a);
            }
        }
    }
    (state, anomalies)
}

pub fn status_view(log: &LatestLog, filter: Option<&str>) -> StatusView {
    let (state, anomalies) = status_state(log);
    let mut anomalies: Vec<Anomaly> = anomalies
        .into_iter()
        .filter(|a| filter.is_none() || a.connector.as_deref() == filter)
        .collect();
    let mut names: Vec<String> = state.connectors().map(|(n, _)| n.to_owned()).collect();
    names.extend(state.task_connectors().map(str::to_owned));
    names.extend(state.topic_connectors().map(str::to_owned));
    names.sort();
    names.dedup();
    let connectors = names
        .into_iter()
        .filter(|n| filter.is_none_or(|f| f == n))
        .map(|name| ConnectorStatusEntry {
            connector: state.connector(&name).map(StatusEntry::of),
            tasks: state
                .tasks(&name)
                .map(|(id, s)| TaskStatusEntry {
                    id,
                    status: StatusEntry::of(s),
                })
                .collect(),
            topics: state
                .topics(&name)
                .map(|t| TopicEntry {
                    name: t.name.clone(),
                    task: t.task,
                    discover_timestamp: t.discover_timestamp,
                })
                .collect(),
            name,
        })
        .collect();
    sort_anomalies(&mut anomalies);
    StatusView {
        connectors,
        anomalies,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec<'a>(p: i32, o: i64, ts: i64, key: &'a str, value: Option<&'a str>) -> LogRecord<'a> {
        LogRecord {
            partition: p,
            offset: o,
            timestamp: Some(ts),
            key: Some(key.as_bytes()),
            value: value.map(str::as_bytes),
        }
    }

    fn log(records: &[LogRecord<'_>]) -> LatestLog {
        let mut l = LatestLog::new();
        for r in records {
            l.apply(r);
        }
        l
    }

    fn configs(records: &[(&str, Option<&str>)]) -> ConfigsReader {
        let mut c = ConfigsReader::new();
        for (i, (k, v)) in records.iter().enumerate() {
            c.apply(&rec(0, i as i64, 1, k, *v));
        }
        c
    }

    fn kinds(a: &[Anomaly]) -> Vec<AnomalyKind> {
        a.iter().map(|a| a.kind).collect()
    }

    #[test]
    fn latest_offsets_drop_tombstones_and_keep_the_last_value() {
        let k = r#"["src",{"filename":"a.txt"}]"#;
        let k2 = r#"["src",{"filename":"b.txt"}]"#;
        let l = log(&[
            rec(3, 0, 1, k, Some(r#"{"position":1}"#)),
            rec(3, 1, 2, k, Some(r#"{"position":7}"#)),
            rec(4, 0, 1, k2, Some(r#"{"position":3}"#)),
            rec(4, 1, 2, k2, None),
        ]);
        let c = configs(&[("connector-src", Some(r#"{"properties":{"a":"b"}}"#))]);
        let v = offsets_view(&l, Some(&c.state), None);
        assert_eq!(v.anomalies, vec![]);
        assert_eq!(v.offsets.len(), 1);
        let e = &v.offsets[0];
        assert_eq!(e.connector.as_deref(), Some("src"));
        assert_eq!(e.offset, serde_json::json!({"position": 7}));
        assert_eq!((e.kafka_partition, e.kafka_offset), (3, 1));
        assert_eq!(e.key, k);
    }

    #[test]
    fn updates_reuse_buffers() {
        let mut l = LatestLog::new();
        let k = r#"["c",{"f":1}]"#;
        l.apply(&rec(0, 0, 1, k, Some(r#"{"position":100000}"#)));
        let before = l.arena.len();
        l.apply(&rec(0, 1, 2, k, Some(r#"{"position":2}"#)));
        l.apply(&rec(0, 2, 3, k, None));
        l.apply(&rec(0, 3, 4, k, Some(r#"{"position":3}"#)));
        assert_eq!(l.arena.len(), before);
        assert_eq!(l.len(), 1);
        let latest = l.get(k.as_bytes()).unwrap();
        assert_eq!(latest.value(), Some(&br#"{"position":3}"#[..]));
        assert_eq!(latest.winner.offset, 3);
        // A longer value moves once, with room to grow in place.
        l.apply(&rec(0, 4, 5, k, Some(r#"{"position":1000000}"#)));
        let grown = l.arena.len();
        l.apply(&rec(0, 5, 6, k, Some(r#"{"position":10000000}"#)));
        assert_eq!(l.arena.len(), grown);
        assert_eq!(
            l.get(k.as_bytes()).unwrap().value(),
            Some(&br#"{"position":10000000}"#[..])
        );
    }

    #[test]
    fn many_keys_are_all_found() {
        let mut l = LatestLog::new();
        let keys: Vec<String> = (0..5000).map(|i| format!(r#"["c",{{"f":{i}}}]"#)).collect();
        for (i, k) in keys.iter().enumerate() {
            l.apply(&rec((i % 7) as i32, i as i64, 1, k, Some("{}")));
        }
        for (i, k) in keys.iter().enumerate() {
            l.apply(&rec(
                (i % 7) as i32,
                10_000 + i as i64,
                2,
                k,
                Some(r#"{"p":1}"#),
            ));
        }
        assert_eq!(l.len(), keys.len());
        for (i, k) in keys.iter().enumerate() {
            let latest = l.get(k.as_bytes()).unwrap();
            assert_eq!(latest.partition_count(), 1);
            assert_eq!(latest.winner.offset, 10_000 + i as i64);
        }
        assert!(l.get(b"nope").is_none());
        // Insertion order.
        assert!(l
            .entries()
            .map(|e| e.key)
            .eq(keys.iter().map(|k| k.as_bytes())));
    }

    /// A log with every kind of offsets key and value: Java's form (raw), and everything the
    /// raw path must leave to the decoder.
    fn mixed_log() -> LatestLog {
        let keys_values: &[(&str, Option<&str>)] = &[
            (r#"["a",{"file":"f-1"}]"#, Some(r#"{"position":1}"#)),
            (r#"["a",{"file":"f-2"}]"#, Some("null")),
            (r#"["a",{}]"#, Some("{}")),
            (
                r#"["a",{"b":true,"a":-5,"c":null}]"#,
                Some(r#"{"z":false,"y":"s p"}"#),
            ),
            (r#"["a",{"a":-5,"b":true,"c":null}]"#, Some(r#"{"o":1}"#)),
            (r#"["a", {"a":-5,"b":true,"c":null}]"#, Some(r#"{"o":2}"#)),
            (
                r#"["a",{"kafka_partition":0,"kafka_topic":"t"}]"#,
                Some(r#"{"kafka_offset":9}"#),
            ),
            (
                r#"["a",{"kafka_topic":"t","kafka_partition":0}]"#,
                Some(r#"{"kafka_offset":8}"#),
            ),
            (
                r#"["a",{"kafka_topic":"t","kafka_partition":0.0}]"#,
                Some(r#"{"o":1.5}"#),
            ),
            (r#"["a",{"n":123456789012345678901}]"#, Some(r#"{"o":-0}"#)),
            (r#"["a",{"n":007}]"#, Some(r#"{"o":1}"#)),
            (
                r#"["a",{"q":"x\"y","r":"\u00e9"}]"#,
                Some(r#"{"o":"a\nb"}"#),
            ),
            (r#"["a",{"d":1,"d":2}]"#, Some(r#"{"o":1,"o":2}"#)),
            (r#"["a",{"e":1}]  "#, Some(r#"{"o":1} x"#)),
            (r#"["a",{"f":"é😀"}]"#, Some(r#"{"o":"ü"}"#)),
            (r#"["a",{"g":1}]"#, Some(r#"{"o":{"nested":1}}"#)),
            (r#"["a",{"h":1}]"#, Some("[1,2]")),
            (r#"["a",{"i":1}]"#, Some("not json")),
            (r#"["a\"q",{"f":1}]"#, Some(r#"{"o":1}"#)),
            (r#"["a!",{"f":1}]"#, Some(r#"{"o":1}"#)),
            (r#"["a ",{"f":1}]"#, Some(r#"{"o":1}"#)),
            (r#"["b",{"f":1}]"#, Some(r#"{"o":1}"#)),
            (r#"["b",{"f":2}]"#, None),
            (r#"["c",null]"#, Some(r#"{"o":1}"#)),
            (r#"{"a":1}"#, Some(r#"{"o":1}"#)),
            ("\u{1}not json", Some("x")),
            (r#"["z",{"f":1}]"#, Some(r#"{"o":1}"#)),
            (r#"["",{"":""}]"#, Some(r#"{"":""}"#)),
        ];
        let mut l = LatestLog::new();
        for (i, (k, v)) in keys_values.iter().enumerate() {
            l.apply(&rec((i % 5) as i32, i as i64, 1, k, *v));
        }
        // A key in two partitions, a misplaced tombstone, records without timestamps, one
        // without a key, bytes that are not UTF-8.
        l.apply(&rec(7, 100, 5, r#"["b",{"f":1}]"#, Some(r#"{"o":3}"#)));
        l.apply(&rec(8, 0, 9, r#"["z",{"f":1}]"#, None));
        l.apply(&LogRecord {
            partition: 3,
            offset: 7,
            timestamp: None,
            key: Some(br#"["n",{"t":1}]"#),
            value: Some(br#"{"o":1}"#),
        });
        l.apply(&LogRecord {
            partition: 3,
            offset: 8,
            timestamp: None,
            key: None,
            value: Some(b"\xff"),
        });
        l.apply(&LogRecord {
            partition: 3,
            offset: 9,
            timestamp: Some(3),
            key: Some(b"[\"w\",{\"f\":\"\xff\"}]"),
            value: Some(br#"{"o":1}"#),
        });
        l.apply(&LogRecord {
            partition: 3,
            offset: 10,
            timestamp: Some(3),
            key: Some(br#"["w",{"f":1}]"#),
            value: Some(b"{\"o\":\"\xfe\"}"),
        });
        // Many raw keys, sorted by more than their first bytes.
        for i in 0..300 {
            let k = format!(r#"["m",{{"file":"/var/data/long/path/{}"}}]"#, 1000 - i);
            l.apply(&rec(i % 25, i as i64, 1, &k, Some(r#"{"position":1}"#)));
        }
        l
    }

    #[test]
    fn the_raw_path_prints_what_decoding_every_entry_prints() {
        let l = mixed_log();
        let c = configs(&[
            ("connector-a", Some(r#"{"properties":{}}"#)),
            ("connector-m", Some(r#"{"properties":{}}"#)),
        ]);
        for (connectors, filter) in [
            (Some(&c.state), None),
            (None, None),
            (Some(&c.state), Some("a")),
            (Some(&c.state), Some("b")),
            (None, Some("nope")),
        ] {
            let fast = build_listing(&l, connectors, filter, true);
            let slow = build_listing(&l, connectors, filter, false);
            let rows_fast: Vec<OffsetRow<'_>> = fast.rows().collect();
            let rows_slow: Vec<OffsetRow<'_>> = slow.rows().collect();
            assert_eq!(rows_fast, rows_slow);
            let mut json = Vec::new();
            fast.write_json("connect-\"offsets", &mut json).unwrap();
            let yaml = serde_yaml_ng::to_string(&fast.document("t")).unwrap();
            let value = serde_json::to_value(fast.document("t")).unwrap();
            let view = slow.into_view();
            if filter.is_none() {
                assert!(view.offsets.iter().any(|e| e.error.is_none()));
                assert!(view.anomalies.len() > 5, "{:?}", kinds(&view.anomalies));
            }
            let expected = serde_json::json!({
                "topic": "connect-\"offsets",
                "offsets": view.offsets,
                "anomalies": view.anomalies,
            });
            let pretty = serde_json::to_string_pretty(&expected).unwrap() + "\n";
            assert_eq!(String::from_utf8(json).unwrap(), pretty);
            let expected = serde_json::json!({
                "topic": "t",
                "offsets": view.offsets,
                "anomalies": view.anomalies,
            });
            assert_eq!(value, expected);
            assert_eq!(yaml, serde_yaml_ng::to_string(&expected).unwrap());
            assert_eq!(fast.into_view(), view);
        }
        let v = offsets_view(&l, Some(&c.state), None);
        let count = |k| v.anomalies.iter().filter(|a| a.kind == k).count();
        assert_eq!(count(AnomalyKind::Undecodable), 10);
        assert_eq!(count(AnomalyKind::OrphanOffsets), 7);
        assert_eq!(count(AnomalyKind::DuplicatePartitionKey), 2);
        assert_eq!(count(AnomalyKind::MisplacedTombstone), 1);
        assert_eq!(count(AnomalyKind::KeyInSeveralPartitions), 1);
    }

    #[test]
    fn many_entries_are_written_in_order_by_several_threads() {
        let mut l = mixed_log();
        for i in 0..(5 * WRITE_CHUNK + 17) {
            let k = format!(r#"["c{}",{{"file":"f-{i}"}}]"#, i % 7);
            l.apply(&rec(
                (i % 25) as i32,
                i as i64,
                1,
                &k,
                Some(r#"{"position":1}"#),
            ));
        }
        let listing = offsets_listing(&l, None, None);
        let mut json = Vec::new();
        listing.write_json("t", &mut json).unwrap();
        let view = listing.into_view();
        let expected = serde_json::json!({
            "topic": "t",
            "offsets": view.offsets,
            "anomalies": view.anomalies,
        });
        let pretty = serde_json::to_string_pretty(&expected).unwrap() + "\n";
        assert!(String::from_utf8(json).unwrap() == pretty);
    }

    #[test]
    fn raw_forms_are_exactly_what_serde_json_prints() {
        for (key, raw) in [
            (r#"["c",{"a":1,"b":"x"}]"#, Some((1, true))),
            (r#"["c",{"b":1,"a":"x"}]"#, Some((1, false))),
            (r#"["cé",{}]"#, Some((3, true))),
            (r#"["c",{"a":-0}]"#, None),
            (r#"["c",{"a":0}]"#, Some((1, true))),
            (r#"["c",{"a":1.0}]"#, None),
            (r#"["c",{"a":1e3}]"#, None),
            (r#"["c",{"a":"\n"}]"#, None),
            (r#"["c",{"a":[1]}]"#, None),
            (r#"["c",{"a":1}] "#, None),
            (r#"["c",{"a":1},1]"#, None),
            (r#"["c",{"a":1,"a":1}]"#, None),
            (r#"["c",{"b":1,"a":1,"b":1}]"#, None),
            (r#"["c",{"a":tru}]"#, None),
            (r#"["c",{"a":1,}]"#, None),
            (r#"["c",{"a":999999999999999999}]"#, Some((1, true))),
            (r#"["c",{"a":9999999999999999999}]"#, None),
        ] {
            assert_eq!(raw_key(key.as_bytes()), raw, "{key}");
            if let Some((c, _)) = raw {
                let p = &key[c + 4..key.len() - 1];
                let parsed: JsonMap = serde_json::from_str(p).unwrap();
                assert_eq!(flat_canonical(p.as_bytes()), canonical(&parsed), "{key}");
                assert_eq!(serde_json::to_string(&parsed).unwrap(), p, "{key}");
            }
        }
        let many: Vec<String> = (0..20).map(|i| format!(r#""k{i:02}":{i}"#)).collect();
        assert!(raw_value(format!("{{{}}}", many.join(",")).as_bytes()));
        let mut shuffled: Vec<String> = many.into_iter().rev().collect();
        assert!(raw_value(format!("{{{}}}", shuffled.join(",")).as_bytes()));
        shuffled.push(shuffled[7].clone());
        assert!(!raw_value(format!("{{{}}}", shuffled.join(",")).as_bytes()));
        assert!(!raw_value(b"{\"a\":\"\xff\"}"));
        assert!(raw_value(r#"{"a":"é","b":1}"#.as_bytes()));
        for n in [
            0,
            7,
            10,
            99,
            100,
            101,
            12_345,
            -1,
            -10,
            -99_999,
            i64::MAX,
            i64::MIN,
        ] {
            let mut out = Vec::new();
            write_int(&mut out, n);
            assert_eq!(String::from_utf8(out).unwrap(), n.to_string());
        }
    }

    #[test]
    fn orphans_and_filters() {
        let l = log(&[
            rec(0, 0, 1, r#"["gone",{"f":"x"}]"#, Some(r#"{"p":1}"#)),
            rec(1, 0, 1, r#"["here",{"f":"x"}]"#, Some(r#"{"p":1}"#)),
        ]);
        let c = configs(&[("connector-here", Some(r#"{"properties":{}}"#))]);
        let v = offsets_view(&l, Some(&c.state), None);
        assert_eq!(kinds(&v.anomalies), [AnomalyKind::OrphanOffsets]);
        assert_eq!(v.anomalies[0].connector.as_deref(), Some("gone"));
        // Without the config topic, nothing can be called an orphan.
        assert!(offsets_view(&l, None, None).anomalies.is_empty());
        let v = offsets_view(&l, Some(&c.state), Some("here"));
        assert_eq!(v.offsets.len(), 1);
        assert!(v.anomalies.is_empty());
    }

    #[test]
    fn one_partition_under_two_key_orders() {
        let l = log(&[
            rec(
                0,
                0,
                1,
                r#"["s",{"kafka_topic":"t","kafka_partition":0}]"#,
                Some(r#"{"o":1}"#),
            ),
            rec(
                7,
                0,
                2,
                r#"["s",{"kafka_partition":0,"kafka_topic":"t"}]"#,
                Some(r#"{"o":2}"#),
            ),
            rec(
                8,
                0,
                2,
                r#"["s",{"kafka_partition":0.0,"kafka_topic":"t"}]"#,
                Some(r#"{"o":2}"#),
            ),
        ]);
        let v = offsets_view(&l, None, None);
        assert_eq!(kinds(&v.anomalies), [AnomalyKind::DuplicatePartitionKey]);
        let a = &v.anomalies[0];
        assert_eq!(a.records.len(), 2);
        assert_eq!(
            (a.records[0].partition, a.records[1].partition),
            (7, 0),
            "{a:?}"
        );
    }

    #[test]
    fn a_tombstone_in_the_wrong_partition_does_not_delete() {
        let k = r#"["s",{"f":"x"}]"#;
        // The tombstone has the later timestamp, so the view shows the key gone, but the value
        // in partition 2 survives compaction.
        let l = log(&[rec(2, 5, 1, k, Some(r#"{"p":1}"#)), rec(9, 0, 2, k, None)]);
        let v = offsets_view(&l, None, None);
        assert_eq!(kinds(&v.anomalies), [AnomalyKind::MisplacedTombstone]);
        assert!(v.anomalies[0].message.contains("9@0"), "{:?}", v.anomalies);
        assert!(v.anomalies[0].message.contains("2@5"), "{:?}", v.anomalies);
        assert!(v.offsets.is_empty());
        // Read in the other order, the same anomaly; the later timestamp still wins.
        let l = log(&[rec(9, 0, 2, k, None), rec(2, 5, 1, k, Some(r#"{"p":1}"#))]);
        let v = offsets_view(&l, None, None);
        assert_eq!(kinds(&v.anomalies), [AnomalyKind::MisplacedTombstone]);
        assert!(v.offsets.is_empty());
        // Two live values in two partitions.
        let l = log(&[rec(2, 5, 1, k, Some("{}")), rec(9, 0, 2, k, Some("{}"))]);
        let v = offsets_view(&l, None, None);
        assert_eq!(kinds(&v.anomalies), [AnomalyKind::KeyInSeveralPartitions]);
        assert_eq!(v.offsets[0].kafka_partition, 9);
    }

    #[test]
    fn undecodable_offsets_are_shown_raw() {
        let mut l = log(&[
            rec(0, 0, 1, "\u{1}not json", Some("x")),
            rec(0, 1, 1, r#"{"a":1}"#, Some(r#"{"p":1}"#)),
            rec(0, 2, 1, r#"["c",{"f":1}]"#, Some("[1,2]")),
        ]);
        l.apply(&LogRecord {
            partition: 1,
            offset: 0,
            timestamp: None,
            key: None,
            value: Some(b"\xff"),
        });
        let v = offsets_view(&l, None, None);
        assert_eq!(kinds(&v.anomalies), [AnomalyKind::Undecodable; 4]);
        assert_eq!(v.offsets.len(), 3);
        let bad = v
            .offsets
            .iter()
            .find(|e| e.connector.as_deref() == Some("c"))
            .unwrap();
        assert_eq!(bad.offset, Value::String("[1,2]".into()));
        assert!(bad.error.as_deref().unwrap().contains("Map"), "{bad:?}");
        let keyless = v
            .anomalies
            .iter()
            .find(|a| a.records[0].key.is_none())
            .unwrap();
        assert_eq!(keyless.value.as_deref(), Some("\\xff"));
    }

    #[test]
    fn configs_view_and_its_anomalies() {
        let c = configs(&[
            (
                "target-state-a",
                Some(r#"{"state":"PAUSED","state.v2":"STOPPED"}"#),
            ),
            (
                "connector-a",
                Some(r#"{"properties":{"connector.class":"X"}}"#),
            ),
            ("task-a-0", Some(r#"{"properties":{"task.class":"T"}}"#)),
            ("commit-a", Some(r#"{"tasks":1}"#)),
            ("connector-b", Some(r#"{"properties":{}}"#)),
            ("task-b-0", Some(r#"{"properties":{}}"#)),
            ("connector-c", Some(r#"{"properties":{}}"#)),
            ("commit-c", Some(r#"{"tasks":2}"#)),
            (
                "session-key",
                Some(r#"{"key":"c2VjcmV0","algorithm":"HmacSHA256","creation-timestamp":5}"#),
            ),
            ("commit-z", Some("not json")),
            ("target-state-d", Some(r#"{"state":"PAUSED"}"#)),
        ]);
        let v = c.view(None);
        assert_eq!(
            v.connectors
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>(),
            ["a", "b", "c"]
        );
        let a = &v.connectors[0];
        assert_eq!(a.target_state, "STOPPED");
        assert_eq!(a.tasks.len(), 1);
        assert_eq!(a.tasks[0].config["task.class"].as_deref(), Some("T"));
        assert_eq!(
            kinds(&v.anomalies),
            [
                AnomalyKind::Undecodable,
                AnomalyKind::UncommittedTaskConfigs,
                AnomalyKind::InconsistentTaskConfigs
            ]
        );
        assert_eq!(v.anomalies[1].connector.as_deref(), Some("b"));
        assert_eq!(v.anomalies[0].connector.as_deref(), Some("z"));
        assert_eq!(v.target_states_without_config["d"], "PAUSED");
        let json = serde_json::to_string(&v).unwrap();
        assert!(!json.contains("c2VjcmV0"), "{json}");
        assert!(json.contains("HmacSHA256"));
        let only_b = c.view(Some("b"));
        assert_eq!(only_b.connectors.len(), 1);
        assert_eq!(
            kinds(&only_b.anomalies),
            [AnomalyKind::UncommittedTaskConfigs]
        );
        // A later commit clears the pending task config.
        let mut c = c;
        c.apply(&rec(0, 99, 1, "commit-b", Some(r#"{"tasks":1}"#)));
        assert!(c.view(Some("b")).anomalies.is_empty());
    }

    #[test]
    fn status_view_with_traces_generations_topics_and_tombstones() {
        let l = log(&[
            rec(
                0,
                0,
                1,
                "status-connector-a",
                Some(r#"{"state":"RUNNING","trace":null,"worker_id":"w:1","generation":3}"#),
            ),
            rec(
                1,
                0,
                1,
                "status-task-a-0",
                Some(
                    r#"{"state":"FAILED","trace":"java.lang.Oops\n\tat X","worker_id":"w:1","generation":4}"#,
                ),
            ),
            rec(
                1,
                1,
                1,
                "status-task-a-1",
                Some(r#"{"state":"RUNNING","trace":null,"worker_id":"w:1","generation":4}"#),
            ),
            rec(1, 2, 2, "status-task-a-1", None),
            rec(
                2,
                0,
                1,
                "status-topic-t:connector-a",
                Some(r#"{"topic":{"name":"t","connector":"a","task":0,"discoverTimestamp":9}}"#),
            ),
            rec(3, 0, 1, "status-connector-b", Some("{oops")),
        ]);
        let v = status_view(&l, None);
        assert_eq!(kinds(&v.anomalies), [AnomalyKind::Undecodable]);
        assert_eq!(v.anomalies[0].connector.as_deref(), Some("b"));
        assert_eq!(v.connectors.len(), 1);
        let a = &v.connectors[0];
        assert_eq!(a.connector.as_ref().unwrap().generation, 3);
        assert_eq!(a.tasks.len(), 1);
        assert_eq!(
            a.tasks[0].status.trace.as_deref(),
            Some("java.lang.Oops\n\tat X")
        );
        assert_eq!(a.topics[0].discover_timestamp, 9);
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(json["connectors"][0]["tasks"][0]["state"], "FAILED");
        assert_eq!(json["connectors"][0]["tasks"][0]["id"], 0);
    }

    #[test]
    fn history_decodes_every_kind() {
        let h = history_record(
            Which::Configs,
            &rec(0, 4, 7, "commit-x", Some(r#"{"tasks":2}"#)),
        );
        assert_eq!(
            (h.kind, h.connector.as_deref(), h.tombstone),
            ("commit", Some("x"), false)
        );
        assert_eq!(h.value, serde_json::json!({"tasks": 2}));
        let h = history_record(Which::Configs, &rec(0, 5, 7, "target-state-x", None));
        assert_eq!((h.kind, h.tombstone), ("target-state", true));
        let h = history_record(Which::Offsets, &rec(3, 1, 7, r#"["x",{"f":1}]"#, None));
        assert_eq!((h.kind, h.connector.as_deref()), ("offset", Some("x")));
        let h = history_record(Which::Offsets, &rec(3, 1, 7, "zz", Some("q")));
        assert_eq!(h.kind, "undecodable");
        assert_eq!(h.value, Value::String("q".into()));
        let h = history_record(Which::Status, &rec(0, 0, 0, "status-task-my-conn-3", None));
        assert_eq!(
            (h.kind, h.connector.as_deref()),
            ("task-status", Some("my-conn"))
        );
        let h = history_record(
            Which::Configs,
            &rec(
                0,
                0,
                0,
                "session-key",
                Some(r#"{"key":"c2VjcmV0","algorithm":"A","creation-timestamp":1}"#),
            ),
        );
        assert_eq!(h.value["key"], "(hidden)");
    }
}
