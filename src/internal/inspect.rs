//! The internal-topics inspector's logic: what a worker would load from `connect-offsets`,
//! `connect-configs` and `connect-status` (the latest record per key), every record with its
//! position (history), and the anomalies that make a cluster behave oddly: undecodable records,
//! offsets of deleted connectors, one source partition under several key byte strings,
//! tombstones that miss their record's partition, task configs that were never committed.
//!
//! Pure: records come in through [`LogRecord`] (the Kafka side is `kafka::topic_read`), views
//! and anomalies go out as serializable values. [`TopicIo`] is the seam the offsets topic path
//! (`offset_reset`) reads and writes through.

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

/// The latest record of one key in one partition.
#[derive(Debug, Clone)]
pub struct Slot {
    pub partition: i32,
    pub offset: i64,
    pub timestamp: Option<i64>,
    /// Arrival order, to break timestamp ties between partitions.
    seq: u64,
    pub value: Option<Vec<u8>>,
}

/// A key almost always lives in one partition; `more` stays empty (and unallocated) then.
#[derive(Debug, Clone)]
struct Slots {
    first: Slot,
    more: Vec<Slot>,
}

impl Slots {
    fn iter(&self) -> impl Iterator<Item = &Slot> {
        std::iter::once(&self.first).chain(self.more.iter())
    }
}

/// The latest record per exact key bytes and partition: what compaction keeps, and all a
/// worker's reader ends up with. A key normally lives in the one partition the producer's
/// partitioner picked; a key seen in several partitions is an anomaly reported by the views.
#[derive(Debug, Default)]
pub struct LatestLog {
    keys: HashMap<Box<[u8]>, Slots>,
    /// Records without a key: Java's readers skip them.
    keyless: Vec<OwnedRecord>,
    seq: u64,
}

/// How many keyless records are kept to be shown; the rest are only counted.
const KEYLESS_KEPT: usize = 100;

impl LatestLog {
    pub fn new() -> LatestLog {
        LatestLog::default()
    }

    /// Applies the next record. Updating a key reuses its buffers, so a topic of many updates to
    /// few keys is read without an allocation per record.
    pub fn apply(&mut self, r: &LogRecord<'_>) {
        self.seq += 1;
        let Some(key) = r.key else {
            if self.keyless.len() < KEYLESS_KEPT {
                self.keyless.push(OwnedRecord::of(r));
            }
            return;
        };
        let fresh = |seq| Slot {
            partition: r.partition,
            offset: r.offset,
            timestamp: r.timestamp,
            seq,
            value: r.value.map(<[u8]>::to_vec),
        };
        match self.keys.get_mut(key) {
            Some(slots) => {
                let slot = if slots.first.partition == r.partition {
                    Some(&mut slots.first)
                } else {
                    slots.more.iter_mut().find(|s| s.partition == r.partition)
                };
                match slot {
                    Some(slot) => {
                        slot.offset = r.offset;
                        slot.timestamp = r.timestamp;
                        slot.seq = self.seq;
                        match (r.value, &mut slot.value) {
                            (Some(v), Some(buf)) => {
                                buf.clear();
                                buf.extend_from_slice(v);
                            }
                            (v, buf) => *buf = v.map(<[u8]>::to_vec),
                        }
                    }
                    None => slots.more.push(fresh(self.seq)),
                }
            }
            None => {
                self.keys.insert(
                    key.into(),
                    Slots {
                        first: fresh(self.seq),
                        more: Vec::new(),
                    },
                );
            }
        }
    }

    /// Every key with the record a reader ends up with (the latest by timestamp, then by
    /// arrival, when the key lives in several partitions) and the other partitions' records.
    pub fn entries(&self) -> impl Iterator<Item = Latest<'_>> {
        self.keys.iter().map(|(key, slots)| {
            let winner = slots
                .iter()
                .max_by_key(|s| (s.timestamp.unwrap_or(i64::MIN), s.seq))
                .unwrap_or(&slots.first);
            Latest {
                key,
                winner,
                slots: slots.iter().collect(),
            }
        })
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
#[derive(Debug, Clone)]
pub struct Latest<'a> {
    pub key: &'a [u8],
    pub winner: &'a Slot,
    /// Every partition's latest record for the key, `winner` included.
    pub slots: Vec<&'a Slot>,
}

impl Latest<'_> {
    /// `None` when the latest record is a tombstone.
    pub fn value(&self) -> Option<&[u8]> {
        self.winner.value.as_deref()
    }

    fn record(&self) -> LogRecord<'_> {
        LogRecord {
            partition: self.winner.partition,
            offset: self.winner.offset,
            timestamp: self.winner.timestamp,
            key: Some(self.key),
            value: self.winner.value.as_deref(),
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

    fn at(key: &[u8], slot: &Slot) -> RecordRef {
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
    if latest.slots.len() < 2 {
        return None;
    }
    let live: Vec<&Slot> = latest
        .slots
        .iter()
        .copied()
        .filter(|s| s.value.is_some())
        .collect();
    let dead: Vec<&Slot> = latest
        .slots
        .iter()
        .copied()
        .filter(|s| s.value.is_none())
        .collect();
    let key = raw_text(latest.key);
    let place = |s: &[&Slot]| {
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
        .slots
        .iter()
        .map(|s| RecordRef::at(latest.key, s))
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
    let mut offsets = Vec::new();
    let mut anomalies = Vec::new();
    // (connector, canonical partition) → key byte strings with a live offset.
    let mut logical: BTreeMap<(String, String), Vec<KeyAt<'_>>> = BTreeMap::new();
    for r in log.keyless() {
        if filter.is_none() {
            anomalies.push(Anomaly::undecodable(
                &r.borrow(),
                "a record without a key (Java's offset reader skips it)",
            ));
        }
    }
    for latest in log.entries() {
        let decoded = decode_key(latest.key);
        let connector = match &decoded {
            Ok(Some((c, _))) => Some(c.as_str()),
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
        let record = latest.record();
        let (connector, partition) = match decoded {
            Ok(Some((c, p))) => (c, p),
            Ok(None) => {
                anomalies.push(Anomaly::undecodable(
                    &record,
                    "the key is not a [\"<connector>\",{…}] list; Java's offset reader ignores it",
                ));
                offsets.push(raw_entry(&latest, value, None));
                continue;
            }
            Err(e) => {
                anomalies.push(Anomaly::undecodable(&record, e.problem.clone()));
                offsets.push(raw_entry(&latest, value, Some(e.problem)));
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
                offsets.push(entry);
                continue;
            }
        };
        logical
            .entry((connector.clone(), canonical(&partition)))
            .or_default()
            .push((latest.key.to_vec(), latest.winner));
        offsets.push(OffsetEntry {
            connector: Some(connector),
            partition: Some(partition),
            offset,
            key: raw_text(latest.key),
            kafka_partition: latest.winner.partition,
            kafka_offset: latest.winner.offset,
            timestamp: latest.winner.timestamp,
            error: None,
        });
    }
    for ((connector, partition), mut keys) in logical {
        if keys.len() < 2 {
            continue;
        }
        keys.sort_by(|a, b| a.0.cmp(&b.0));
        let records: Vec<RecordRef> = keys.iter().map(|(k, s)| RecordRef::at(k, s)).collect();
        anomalies.push(Anomaly {
            kind: AnomalyKind::DuplicatePartitionKey,
            message: format!(
                "source partition {partition} of {connector} is stored under {} different key byte strings ({}); each is a separate compacted key and the task reads only the one it serializes",
                keys.len(),
                keys.iter()
                    .map(|(k, s)| format!("{} at {}@{}", raw_text(k), s.partition, s.offset))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            connector: Some(connector),
            records,
            value: None,
        });
    }
    if let Some(configs) = connectors {
        let mut orphans: BTreeMap<&str, Vec<&OffsetEntry>> = BTreeMap::new();
        for e in &offsets {
            if let Some(c) = &e.connector {
                if configs.connector(c).is_none() {
                    orphans.entry(c).or_default().push(e);
                }
            }
        }
        for (connector, entries) in orphans {
            anomalies.push(Anomaly {
                kind: AnomalyKind::OrphanOffsets,
                connector: Some(connector.to_owned()),
                message: format!(
                    "{} source partition(s) of {connector}, which the config topic does not have (deleted, or another cluster's)",
                    entries.len()
                ),
                records: entries
                    .iter()
                    .map(|e| RecordRef {
                        partition: e.kafka_partition,
                        offset: e.kafka_offset,
                        key: Some(e.key.clone()),
                    })
                    .collect(),
                value: None,
            });
        }
    }
    offsets.sort_by(|a, b| {
        (&a.connector, &a.key, a.kafka_partition).cmp(&(&b.connector, &b.key, b.kafka_partition))
    });
    sort_anomalies(&mut anomalies);
    OffsetsView { offsets, anomalies }
}

/// A key byte string and where its latest record sits.
type KeyAt<'a> = (Vec<u8>, &'a Slot);

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
        let before = l
            .keys
            .get(k.as_bytes())
            .unwrap()
            .first
            .value
            .as_ref()
            .unwrap()
            .as_ptr();
        l.apply(&rec(0, 1, 2, k, Some(r#"{"position":2}"#)));
        let after = l
            .keys
            .get(k.as_bytes())
            .unwrap()
            .first
            .value
            .as_ref()
            .unwrap()
            .as_ptr();
        assert_eq!(before, after);
        assert_eq!(l.len(), 1);
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
