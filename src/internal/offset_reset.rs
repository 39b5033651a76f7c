//! The offsets topic path: resetting or altering a source connector's offsets by writing to
//! `connect-offsets` directly, as `DELETE`/`PATCH …/offsets` (KIP-875) do inside a worker, for
//! clusters where the REST API cannot (older workers, a worker that is down).
//!
//! Records reuse the exact key bytes already in the topic and go to the partition those records
//! live in, so they replace them under compaction; keys never written before are serialized as
//! Java would and partitioned with murmur2 (spec §4.2, §4.4). Nothing is written while the
//! status topic says the connector or one of its tasks runs, unless forced; after writing, the
//! topic is read again to check that a worker would now load what was written.

use serde::Serialize;
use serde_json::Value;

use super::inspect::{raw_text, status_state, LatestLog, LogRecord, TopicIo, WriteRecord};
use super::murmur2::partition_for_key;
use super::offsets::{decode_key, decode_value, encode_key, encode_value, validate_format};
use super::status::StatusState;
use crate::connect::types::{ConnectorOffsets, JsonMap, State};

/// What to do besides planning.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ModifyOptions {
    /// Plan only: read the topics, write nothing.
    pub dry_run: bool,
    /// Write even when the status topic says the connector is running.
    pub force: bool,
}

/// The internal topics the path reads and writes.
#[derive(Debug, Clone, Copy)]
pub struct Topics<'a> {
    pub offsets: &'a str,
    pub status: &'a str,
}

/// One record the path writes (or, dry, would write).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedRecord {
    pub partition: i32,
    /// The key bytes, as text.
    pub key: String,
    /// The value bytes as text; `null` for a tombstone.
    pub value: Option<String>,
    /// The source partition the record is about.
    pub source_partition: JsonMap,
    /// The offset the topic holds now for this key in this partition (`null` when none).
    pub previous: Value,
    /// True when the key bytes were read from the topic, false when serialized afresh (and the
    /// partition chosen with murmur2).
    pub existing_key: bool,
    #[serde(skip)]
    pub record: WriteRecord,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModifyReport {
    pub connector: String,
    /// `reset` or `patch`.
    pub action: &'static str,
    pub topic: String,
    pub dry_run: bool,
    /// Statuses that looked running and were overridden by `force`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub forced_past: Vec<String>,
    pub records: Vec<PlannedRecord>,
    /// The topic was read back and holds what was written (always false for a dry run).
    pub verified: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModifyError {
    #[error("{connector} appears to be running ({}); stop it first (`PUT /connectors/{connector}/stop`, or stop its workers) or pass --force", .states.join(", "))]
    Running {
        connector: String,
        states: Vec<String>,
    },
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Io(String),
    #[error("verification failed: {0}")]
    Verify(String),
}

/// Statuses that mean a worker holds the connector's offsets in memory and would write them
/// again: running, paused (Java refuses PAUSED too) or restarting. UNASSIGNED is what a worker
/// writes when it shuts down cleanly; STOPPED and FAILED run nothing.
pub fn running_states(status: &StatusState, connector: &str) -> Vec<String> {
    let live = |s: State| matches!(s, State::Running | State::Paused | State::Restarting);
    let mut out = Vec::new();
    if let Some(s) = status.connector(connector).filter(|s| live(s.state)) {
        out.push(format!("connector {} on {}", s.state, s.worker_id));
    }
    for (task, s) in status.tasks(connector) {
        if live(s.state) {
            out.push(format!("task {task} {} on {}", s.state, s.worker_id));
        }
    }
    out
}

/// Tombstones for every live source partition of `connector`, in every partition it lives in.
pub fn plan_reset(log: &LatestLog, connector: &str) -> Vec<PlannedRecord> {
    let mut out = Vec::new();
    for latest in log.entries() {
        let Ok(Some((name, partition))) = decode_key(latest.key) else {
            continue;
        };
        if name != connector {
            continue;
        }
        for slot in latest.slots().filter(|s| s.value.is_some()) {
            out.push(planned(
                latest.key,
                slot.partition,
                None,
                partition.clone(),
                slot.value,
                true,
            ));
        }
    }
    sort(&mut out);
    out
}

/// The records for a KIP-875 `PATCH` body: for each partition, the new offset (or a tombstone
/// for `null`) under every key byte string the topic already holds for it, in the partition
/// that key lives in; a partition never seen gets Java's key bytes on murmur2's partition.
pub fn plan_patch(
    log: &LatestLog,
    connector: &str,
    partitions: i32,
    body: &ConnectorOffsets,
) -> Result<Vec<PlannedRecord>, ModifyError> {
    if body.offsets.is_empty() {
        return Err(ModifyError::BadRequest(
            "Partitions / offsets need to be provided for an alter offsets request".to_owned(),
        ));
    }
    for o in &body.offsets {
        validate_format(&o.partition).map_err(|e| ModifyError::BadRequest(e.problem))?;
        if let Some(offset) = &o.offset {
            validate_format(offset).map_err(|e| ModifyError::BadRequest(e.problem))?;
        }
    }
    // The live keys of the connector, decoded once.
    let existing: Vec<(JsonMap, super::inspect::Latest<'_>)> = log
        .entries()
        .filter_map(|l| match decode_key(l.key) {
            Ok(Some((name, p))) if name == connector => Some((p, l)),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for o in &body.offsets {
        let value = encode_value(o.offset.as_ref());
        let matches: Vec<&super::inspect::Latest<'_>> = existing
            .iter()
            .filter(|(p, l)| *p == o.partition && l.slots().any(|s| s.value.is_some()))
            .map(|(_, l)| l)
            .collect();
        if matches.is_empty() {
            let key = encode_key(connector, &o.partition);
            let partition = partition_for_key(&key, partitions).ok_or_else(|| {
                ModifyError::Io(format!("the offsets topic has {partitions} partitions"))
            })?;
            // A key in the topic only as a tombstone: its old value is what that holds.
            out.push(planned(
                &key,
                partition,
                value.clone(),
                o.partition.clone(),
                None,
                false,
            ));
            continue;
        }
        for latest in matches {
            // The new value where a worker reads the key from; tombstones where other
            // partitions still hold a copy, so one value remains.
            for slot in latest.slots().filter(|s| s.value.is_some()) {
                let v = if slot.partition == latest.winner.partition || o.offset.is_none() {
                    value.clone()
                } else {
                    None
                };
                out.push(planned(
                    latest.key,
                    slot.partition,
                    v,
                    o.partition.clone(),
                    slot.value,
                    true,
                ));
            }
            if latest.winner.value.is_none() {
                // The newest record is a (misplaced) tombstone: write the value where it is.
                if let Some(v) = &value {
                    out.push(planned(
                        latest.key,
                        latest.winner.partition,
                        Some(v.clone()),
                        o.partition.clone(),
                        None,
                        true,
                    ));
                }
            }
        }
    }
    sort(&mut out);
    out.dedup_by(|a, b| a.record == b.record);
    Ok(out)
}

fn planned(
    key: &[u8],
    partition: i32,
    value: Option<Vec<u8>>,
    source_partition: JsonMap,
    previous: Option<&[u8]>,
    existing_key: bool,
) -> PlannedRecord {
    let previous = match previous.map(|v| decode_value(Some(v))) {
        None | Some(Ok(None)) => Value::Null,
        Some(Ok(Some(m))) => Value::Object(m),
        Some(Err(_)) => Value::String(raw_text(previous.unwrap_or_default())),
    };
    PlannedRecord {
        partition,
        key: raw_text(key),
        value: value.as_deref().map(raw_text),
        source_partition,
        previous,
        existing_key,
        record: WriteRecord {
            partition,
            key: key.to_vec(),
            value,
        },
    }
}

fn sort(records: &mut [PlannedRecord]) {
    records.sort_by(|a, b| (&a.record.key, a.partition).cmp(&(&b.record.key, b.partition)));
}

/// Whether the topic, read again, holds each planned record as the latest of its key in its
/// partition.
pub fn verify(log: &LatestLog, plan: &[PlannedRecord]) -> Result<(), String> {
    for p in plan {
        let found = log
            .get(&p.record.key)
            .and_then(|l| l.slots().find(|s| s.partition == p.partition))
            .map(|s| s.value);
        let ok = match (&p.record.value, &found) {
            (None, None) => true,
            (want, Some(got)) => want.as_deref() == *got,
            (Some(_), None) => false,
        };
        if !ok {
            return Err(format!(
                "key {} in partition {} holds {} instead of {}",
                p.key,
                p.partition,
                match &found {
                    Some(Some(v)) => raw_text(v),
                    Some(None) => "a tombstone".to_owned(),
                    None => "nothing".to_owned(),
                },
                p.value.as_deref().unwrap_or("a tombstone")
            ));
        }
    }
    Ok(())
}

/// A cheap test that a key cannot belong to `connector`, to skip decoding most keys of other
/// connectors: the name (when it needs no JSON escaping) must appear in the key bytes.
fn may_belong(key: &[u8], connector: &str) -> bool {
    let plain = connector
        .bytes()
        .all(|b| b >= 0x20 && b != b'"' && b != b'\\' && b < 0x7f);
    !plain || memchr::memmem::find(key, connector.as_bytes()).is_some()
}

/// Reads the offsets topic, keeping only `connector`'s keys.
pub fn read_connector_offsets(
    io: &dyn TopicIo,
    topic: &str,
    connector: &str,
) -> Result<LatestLog, String> {
    let mut log = LatestLog::new();
    io.read(topic, &mut |_, _| {}, &mut |r: &LogRecord<'_>| {
        let Some(key) = r.key else { return };
        if may_belong(key, connector)
            && matches!(decode_key(key), Ok(Some((ref name, _))) if name == connector)
        {
            log.apply(r);
        }
    })?;
    Ok(log)
}

/// Reads the status topic: the latest status per key.
pub fn read_status(io: &dyn TopicIo, topic: &str) -> Result<StatusState, String> {
    let mut log = LatestLog::new();
    io.read(topic, &mut |_, _| {}, &mut |r| log.apply(r))?;
    Ok(status_state(&log).0)
}

/// `DELETE …/offsets` through the topic: tombstones for every source partition of `connector`.
pub fn reset_offsets(
    io: &dyn TopicIo,
    topics: Topics<'_>,
    connector: &str,
    opts: ModifyOptions,
) -> Result<ModifyReport, ModifyError> {
    run(io, topics, connector, opts, "reset", |log, _| {
        Ok(plan_reset(log, connector))
    })
}

/// `PATCH …/offsets` through the topic, with a KIP-875 body.
pub fn patch_offsets(
    io: &dyn TopicIo,
    topics: Topics<'_>,
    connector: &str,
    body: &ConnectorOffsets,
    opts: ModifyOptions,
) -> Result<ModifyReport, ModifyError> {
    run(io, topics, connector, opts, "patch", |log, partitions| {
        plan_patch(log, connector, partitions, body)
    })
}

fn run(
    io: &dyn TopicIo,
    topics: Topics<'_>,
    connector: &str,
    opts: ModifyOptions,
    action: &'static str,
    plan: impl FnOnce(&LatestLog, i32) -> Result<Vec<PlannedRecord>, ModifyError>,
) -> Result<ModifyReport, ModifyError> {
    let partitions = io
        .partition_count(topics.offsets)
        .map_err(ModifyError::Io)?;
    let status = read_status(io, topics.status).map_err(ModifyError::Io)?;
    let running = running_states(&status, connector);
    if !running.is_empty() && !opts.force && !opts.dry_run {
        return Err(ModifyError::Running {
            connector: connector.to_owned(),
            states: running,
        });
    }
    let log = read_connector_offsets(io, topics.offsets, connector).map_err(ModifyError::Io)?;
    let records = plan(&log, partitions)?;
    let mut report = ModifyReport {
        connector: connector.to_owned(),
        action,
        topic: topics.offsets.to_owned(),
        dry_run: opts.dry_run,
        forced_past: if opts.force { running } else { Vec::new() },
        records,
        verified: false,
    };
    if opts.dry_run || report.records.is_empty() {
        report.verified = !opts.dry_run;
        return Ok(report);
    }
    let batch: Vec<WriteRecord> = report.records.iter().map(|r| r.record.clone()).collect();
    io.write(topics.offsets, &batch).map_err(ModifyError::Io)?;
    let after = read_connector_offsets(io, topics.offsets, connector).map_err(ModifyError::Io)?;
    verify(&after, &report.records).map_err(ModifyError::Verify)?;
    report.verified = true;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::collections::BTreeMap;

    use super::*;
    use crate::connect::types::ConnectorOffset;
    use crate::internal::inspect::{OwnedRecord, ReadStats};

    /// An in-memory cluster: topic → partitions → records.
    #[derive(Default)]
    struct Fake {
        topics: RefCell<BTreeMap<String, Vec<Vec<OwnedRecord>>>>,
        writes: RefCell<usize>,
        /// Drop writes silently, to see verification fail.
        lose_writes: bool,
    }

    impl Fake {
        fn topic(&self, name: &str, partitions: usize) {
            self.topics
                .borrow_mut()
                .insert(name.into(), vec![Vec::new(); partitions]);
        }

        fn put(&self, topic: &str, partition: i32, key: &str, value: Option<&str>) {
            let mut t = self.topics.borrow_mut();
            let p = &mut t.get_mut(topic).unwrap()[partition as usize];
            p.push(OwnedRecord {
                partition,
                offset: p.len() as i64,
                timestamp: Some(p.len() as i64),
                key: Some(key.as_bytes().to_vec()),
                value: value.map(|v| v.as_bytes().to_vec()),
            });
        }
    }

    impl TopicIo for Fake {
        fn partition_count(&self, topic: &str) -> Result<i32, String> {
            self.topics
                .borrow()
                .get(topic)
                .map(|p| p.len() as i32)
                .ok_or_else(|| format!("topic {topic} does not exist"))
        }

        fn read(
            &self,
            topic: &str,
            _: &mut dyn FnMut(u64, u64),
            visit: &mut dyn FnMut(&LogRecord<'_>),
        ) -> Result<ReadStats, String> {
            let t = self.topics.borrow();
            let parts = t.get(topic).ok_or("missing")?;
            let mut stats = ReadStats {
                partitions: parts.len() as i32,
                records: 0,
            };
            for p in parts {
                for r in p {
                    visit(&r.borrow());
                    stats.records += 1;
                }
            }
            Ok(stats)
        }

        fn write(&self, topic: &str, records: &[WriteRecord]) -> Result<(), String> {
            *self.writes.borrow_mut() += records.len();
            if self.lose_writes {
                return Ok(());
            }
            for r in records {
                let key = String::from_utf8(r.key.clone()).unwrap();
                let value = r
                    .value
                    .as_ref()
                    .map(|v| String::from_utf8(v.clone()).unwrap());
                self.put(topic, r.partition, &key, value.as_deref());
            }
            Ok(())
        }
    }

    const T: Topics<'static> = Topics {
        offsets: "o",
        status: "s",
    };

    fn cluster() -> Fake {
        let f = Fake::default();
        f.topic("o", 25);
        f.topic("s", 5);
        f
    }

    fn body(json: &str) -> ConnectorOffsets {
        serde_json::from_str(json).unwrap()
    }

    fn latest_value(f: &Fake, key: &str, partition: i32) -> Option<Option<String>> {
        let t = f.topics.borrow();
        t["o"][partition as usize]
            .iter()
            .rev()
            .find(|r| r.key.as_deref() == Some(key.as_bytes()))
            .map(|r| {
                r.value
                    .as_ref()
                    .map(|v| String::from_utf8(v.clone()).unwrap())
            })
    }

    #[test]
    fn reset_tombstones_every_key_where_it_lives() {
        let f = cluster();
        // A Java worker's key on its murmur2 partition, one written elsewhere by some other
        // tool, another connector's key, and a key already deleted.
        let k1 = r#"["src",{"filename":"a"}]"#;
        let k2 = r#"["src", {"filename":"b"}]"#;
        f.put("o", 10, k1, Some(r#"{"position":30}"#));
        f.put("o", 3, k2, Some(r#"{"position":1}"#));
        f.put(
            "o",
            4,
            r#"["other",{"filename":"a"}]"#,
            Some(r#"{"position":9}"#),
        );
        f.put("o", 5, r#"["src",{"filename":"c"}]"#, None);
        f.put(
            "s",
            0,
            "status-connector-src",
            Some(r#"{"state":"UNASSIGNED","trace":null,"worker_id":"w:1","generation":1}"#),
        );

        let dry = reset_offsets(
            &f,
            T,
            "src",
            ModifyOptions {
                dry_run: true,
                force: false,
            },
        )
        .unwrap();
        assert_eq!(*f.writes.borrow(), 0);
        assert!(!dry.verified);
        let planned: Vec<(i32, &str, Option<&str>)> = dry
            .records
            .iter()
            .map(|r| (r.partition, r.key.as_str(), r.value.as_deref()))
            .collect();
        assert_eq!(planned, [(3, k2, None), (10, k1, None)]);
        assert_eq!(dry.records[1].previous, serde_json::json!({"position": 30}));
        assert!(dry.records.iter().all(|r| r.existing_key));

        let done = reset_offsets(&f, T, "src", ModifyOptions::default()).unwrap();
        assert!(done.verified);
        assert_eq!(latest_value(&f, k1, 10), Some(None));
        assert_eq!(latest_value(&f, k2, 3), Some(None));
        assert_eq!(
            latest_value(&f, r#"["other",{"filename":"a"}]"#, 4),
            Some(Some(r#"{"position":9}"#.into()))
        );
        // Nothing left: a second reset writes nothing.
        let again = reset_offsets(&f, T, "src", ModifyOptions::default()).unwrap();
        assert!(again.records.is_empty());
    }

    #[test]
    fn refuses_while_running_unless_forced() {
        let f = cluster();
        f.put(
            "o",
            10,
            r#"["src",{"filename":"a"}]"#,
            Some(r#"{"position":30}"#),
        );
        f.put(
            "s",
            0,
            "status-connector-src",
            Some(r#"{"state":"RUNNING","trace":null,"worker_id":"w:1","generation":1}"#),
        );
        f.put(
            "s",
            1,
            "status-task-src-0",
            Some(r#"{"state":"PAUSED","trace":null,"worker_id":"w:2","generation":1}"#),
        );
        let e = reset_offsets(&f, T, "src", ModifyOptions::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "src appears to be running (connector RUNNING on w:1, task 0 PAUSED on w:2); stop it first (`PUT /connectors/src/stop`, or stop its workers) or pass --force"
        );
        assert_eq!(*f.writes.borrow(), 0);
        // A dry run still shows the plan.
        assert_eq!(
            reset_offsets(
                &f,
                T,
                "src",
                ModifyOptions {
                    dry_run: true,
                    force: false
                }
            )
            .unwrap()
            .records
            .len(),
            1
        );
        let forced = reset_offsets(
            &f,
            T,
            "src",
            ModifyOptions {
                dry_run: false,
                force: true,
            },
        )
        .unwrap();
        assert_eq!(forced.forced_past.len(), 2);
        assert_eq!(*f.writes.borrow(), 1);
        // STOPPED, FAILED, UNASSIGNED and tombstoned statuses do not block.
        f.put(
            "s",
            0,
            "status-connector-src",
            Some(r#"{"state":"STOPPED","trace":null,"worker_id":"w:1","generation":2}"#),
        );
        f.put("s", 1, "status-task-src-0", None);
        assert!(reset_offsets(&f, T, "src", ModifyOptions::default()).is_ok());
    }

    #[test]
    fn patch_reuses_java_key_bytes_and_partitions_new_keys_with_murmur2() {
        let f = cluster();
        // Java's HashMap order, on a partition murmur2 would not pick for our order.
        let java = r#"["src",{"kafka_partition":0,"kafka_topic":"t"}]"#;
        f.put("o", 17, java, Some(r#"{"kafka_offset":5}"#));
        let b = body(
            r#"{"offsets":[
                {"partition":{"kafka_topic":"t","kafka_partition":0},"offset":{"kafka_offset":42}},
                {"partition":{"filename":"test.txt"},"offset":{"position":30}}
            ]}"#,
        );
        let r = patch_offsets(
            &f,
            T,
            "local-file-source",
            &b,
            ModifyOptions {
                dry_run: true,
                force: false,
            },
        )
        .unwrap();
        // Another connector's key is not reused.
        assert!(r.records.iter().all(|r| !r.existing_key));
        let r = patch_offsets(&f, T, "src", &b, ModifyOptions::default()).unwrap();
        assert!(r.verified);
        assert_eq!(
            latest_value(&f, java, 17),
            Some(Some(r#"{"kafka_offset":42}"#.into()))
        );
        // The spec's worked example: partition 10 of 25.
        let fresh = r#"["src",{"filename":"test.txt"}]"#;
        let rec = r.records.iter().find(|r| r.key == fresh).unwrap();
        assert!(!rec.existing_key);
        assert_eq!(
            rec.partition,
            partition_for_key(fresh.as_bytes(), 25).unwrap()
        );
        assert_eq!(
            latest_value(&f, fresh, rec.partition),
            Some(Some(r#"{"position":30}"#.into()))
        );
        let wk = r#"["local-file-source",{"filename":"test.txt"}]"#;
        let b =
            body(r#"{"offsets":[{"partition":{"filename":"test.txt"},"offset":{"position":30}}]}"#);
        let r = patch_offsets(&f, T, "local-file-source", &b, ModifyOptions::default()).unwrap();
        assert_eq!(
            (r.records[0].key.as_str(), r.records[0].partition),
            (wk, 10)
        );

        // null resets one partition.
        let b = body(
            r#"{"offsets":[{"partition":{"kafka_partition":0,"kafka_topic":"t"},"offset":null}]}"#,
        );
        patch_offsets(&f, T, "src", &b, ModifyOptions::default()).unwrap();
        assert_eq!(latest_value(&f, java, 17), Some(None));
    }

    #[test]
    fn patch_writes_every_key_form_and_clears_split_copies() {
        let f = cluster();
        let a = r#"["s",{"x":1,"y":2}]"#;
        let b = r#"["s",{"y":2,"x":1}]"#;
        f.put("o", 1, a, Some(r#"{"p":1}"#));
        f.put("o", 2, b, Some(r#"{"p":2}"#));
        f.put("o", 3, b, Some(r#"{"p":3}"#));
        let r = patch_offsets(
            &f,
            T,
            "s",
            &body(r#"{"offsets":[{"partition":{"x":1,"y":2},"offset":{"p":9}}]}"#),
            ModifyOptions::default(),
        )
        .unwrap();
        let planned: Vec<(i32, &str, Option<&str>)> = r
            .records
            .iter()
            .map(|r| (r.partition, r.key.as_str(), r.value.as_deref()))
            .collect();
        // The copy of b in partition 2 is older than the one in 3: tombstoned.
        assert_eq!(
            planned,
            [
                (1, a, Some(r#"{"p":9}"#)),
                (2, b, None),
                (3, b, Some(r#"{"p":9}"#))
            ]
        );
    }

    #[test]
    fn bad_bodies_and_failed_writes_are_errors() {
        let f = cluster();
        let e = patch_offsets(
            &f,
            T,
            "s",
            &body(r#"{"offsets":[]}"#),
            ModifyOptions::default(),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "Partitions / offsets need to be provided for an alter offsets request"
        );
        let nested = ConnectorOffsets {
            offsets: vec![ConnectorOffset {
                partition: serde_json::from_str(r#"{"f":"x"}"#).unwrap(),
                offset: Some(serde_json::from_str(r#"{"p":{"deep":1}}"#).unwrap()),
            }],
        };
        let e = patch_offsets(&f, T, "s", &nested, ModifyOptions::default()).unwrap_err();
        assert!(matches!(e, ModifyError::BadRequest(_)), "{e}");
        assert_eq!(*f.writes.borrow(), 0);

        let lossy = Fake {
            lose_writes: true,
            ..cluster()
        };
        lossy.put("o", 0, r#"["s",{"f":"x"}]"#, Some("{}"));
        let e = reset_offsets(&lossy, T, "s", ModifyOptions::default()).unwrap_err();
        assert!(matches!(e, ModifyError::Verify(_)), "{e}");

        let empty = Fake::default();
        let e = reset_offsets(&empty, T, "s", ModifyOptions::default()).unwrap_err();
        assert_eq!(e, ModifyError::Io("topic o does not exist".into()));
    }

    #[test]
    fn prefilter_never_hides_a_connectors_key() {
        assert!(may_belong(br#"["src",{}]"#, "src"));
        assert!(!may_belong(br#"["other",{}]"#, "src"));
        // Names that JSON escapes cannot be prefiltered.
        assert!(may_belong(br#"["a\"b",{}]"#, "a\"b"));
        assert!(may_belong(br#"["\u00e9",{}]"#, "é"));
    }
}
