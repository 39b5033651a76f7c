//! `connect-status` (spec §3): connector, task and active-topic status records, decoded with
//! the rules of Java's `KafkaStatusBackingStore` reader and encoded to the bytes its writer
//! produces, plus `StatusState`, the latest status per key.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::json::{self, Object};
use super::{java_split_dash, CodecError, Store};
use crate::connect::types::{ConnectorTaskId, State};

const CONNECTOR_PREFIX: &str = "status-connector-";
const TASK_PREFIX: &str = "status-task-";
const TOPIC_PREFIX: &str = "status-topic-";
const TOPIC_SEPARATOR: &str = ":connector-";

/// A connector's or task's status as the worker running it last wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub state: State,
    /// The Java stack trace of a failure; written as `null` when there is none.
    pub trace: Option<String>,
    /// The advertised REST `host:port` of the worker.
    pub worker_id: String,
    /// The herder's group generation when the status was written.
    pub generation: i32,
}

/// A topic a connector's task has used (KIP-558).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicStatus {
    pub name: String,
    pub connector: String,
    pub task: i32,
    /// Epoch milliseconds when the task first saw the topic.
    pub discover_timestamp: i64,
}

/// One record of the status topic; `None` statuses are tombstones (a deleted connector or
/// task, which Java calls `DESTROYED`, or a reset topic).
#[derive(Debug, Clone, PartialEq)]
pub enum StatusRecord {
    /// `status-connector-<name>`.
    Connector {
        name: String,
        status: Option<Status>,
    },
    /// `status-task-<name>-<n>`.
    Task {
        id: ConnectorTaskId,
        status: Option<Status>,
    },
    /// `status-topic-<topic>:connector-<name>`.
    Topic {
        topic: String,
        connector: String,
        status: Option<TopicStatus>,
    },
    /// A key Java discards, with its raw value.
    Unknown { key: String, value: Option<Vec<u8>> },
}

impl StatusRecord {
    /// Decodes one record. Errors are records Java's reader logs and skips. Unlike the config
    /// topic, only a Kafka null is a tombstone here: Java checks the raw bytes, so a JSON
    /// `null` value is an unreadable status.
    pub fn decode(key: &[u8], value: Option<&[u8]>) -> Result<StatusRecord, CodecError> {
        let key = String::from_utf8_lossy(key);
        let key = key.as_ref();
        let fail = |problem: String| CodecError::keyed(Store::StatusTopic, key, problem);

        if let Some(name) = key.strip_prefix(CONNECTOR_PREFIX) {
            if name.is_empty() {
                return Err(fail("the connector name is empty".to_owned()));
            }
            Ok(StatusRecord::Connector {
                name: name.to_owned(),
                status: value.map(status).transpose().map_err(fail)?,
            })
        } else if key.starts_with(TASK_PREFIX) {
            let id = parse_task_key(key)
                .ok_or_else(|| fail("a task key is status-task-<connector>-<number>".to_owned()))?;
            Ok(StatusRecord::Task {
                id,
                status: value.map(status).transpose().map_err(fail)?,
            })
        } else if let Some(rest) = key.strip_prefix(TOPIC_PREFIX) {
            let (topic, connector) = parse_topic_key(rest).map_err(fail)?;
            Ok(StatusRecord::Topic {
                topic: topic.to_owned(),
                connector: connector.to_owned(),
                status: value.map(topic_status).transpose().map_err(fail)?,
            })
        } else {
            Ok(StatusRecord::Unknown {
                key: key.to_owned(),
                value: value.map(<[u8]>::to_vec),
            })
        }
    }

    /// The record key, as Java builds it.
    pub fn key(&self) -> String {
        match self {
            StatusRecord::Connector { name, .. } => format!("{CONNECTOR_PREFIX}{name}"),
            StatusRecord::Task { id, .. } => {
                format!("{TASK_PREFIX}{}-{}", id.connector, id.task)
            }
            StatusRecord::Topic {
                topic, connector, ..
            } => format!("{TOPIC_PREFIX}{topic}{TOPIC_SEPARATOR}{connector}"),
            StatusRecord::Unknown { key, .. } => key.clone(),
        }
    }

    /// Key and value bytes exactly as the Java worker writes them; `None` is a tombstone.
    pub fn encode(&self) -> (Vec<u8>, Option<Vec<u8>>) {
        let value = match self {
            StatusRecord::Connector { status, .. } | StatusRecord::Task { status, .. } => {
                status.as_ref().map(status_value)
            }
            StatusRecord::Topic { status, .. } => status.as_ref().map(topic_status_value),
            StatusRecord::Unknown { value, .. } => value.clone(),
        };
        (self.key().into_bytes(), value)
    }
}

fn status_value(status: &Status) -> Vec<u8> {
    Object::new()
        .str("state", status.state.as_str())
        .opt_str("trace", status.trace.as_deref())
        .str("worker_id", &status.worker_id)
        .int("generation", status.generation.into())
        .finish()
}

/// A map `"topic" → struct`, so the struct sits one level down.
fn topic_status_value(status: &TopicStatus) -> Vec<u8> {
    let inner = Object::new()
        .str("name", &status.name)
        .str("connector", &status.connector)
        .int("task", status.task.into())
        .int("discoverTimestamp", status.discover_timestamp)
        .finish();
    Object::new().raw("topic", &inner).finish()
}

/// `status-task-<connector>-<n>`: split on `-`, at least 4 parts, the last is the task and
/// the middle, joined back, the connector (so names may contain dashes).
fn parse_task_key(key: &str) -> Option<ConnectorTaskId> {
    let parts = java_split_dash(key);
    if parts.len() < 4 {
        return None;
    }
    let task = parts[parts.len() - 1].parse().ok()?;
    Some(ConnectorTaskId {
        connector: parts[2..parts.len() - 1].join("-"),
        task,
    })
}

/// `<topic>:connector-<name>`, split at the first `:` (topic names cannot contain one).
/// Java only skips the separator's length without checking its text; a key whose separator
/// is not `:connector-` was not written by Connect, so it is reported instead.
fn parse_topic_key(rest: &str) -> Result<(&str, &str), String> {
    let colon = rest
        .find(':')
        .ok_or_else(|| "a topic key is status-topic-<topic>:connector-<connector>".to_owned())?;
    let (topic, tail) = rest.split_at(colon);
    let connector = tail
        .strip_prefix(TOPIC_SEPARATOR)
        .ok_or_else(|| "a topic key is status-topic-<topic>:connector-<connector>".to_owned())?;
    if topic.is_empty() {
        return Err("the topic name is empty".to_owned());
    }
    if connector.is_empty() {
        return Err("the connector name is empty".to_owned());
    }
    Ok((topic, connector))
}

fn object(bytes: &[u8]) -> Result<Map<String, Value>, String> {
    match json::parse(bytes)? {
        Value::Object(map) => Ok(map),
        other => Err(format!(
            "the value must be a JSON object, found {}",
            json::describe(Some(&other))
        )),
    }
}

fn status(bytes: &[u8]) -> Result<Status, String> {
    let map = object(bytes)?;
    let state = match json::field(&map, "state") {
        Some(Value::String(s)) => State::parse(s).ok_or_else(|| format!("unknown state {s:?}"))?,
        other => {
            return Err(format!(
                "\"state\" must be a string, found {}",
                json::describe(other)
            ))
        }
    };
    let trace = match json::field(&map, "trace") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => {
            return Err(format!(
                "\"trace\" must be a string or null, found {}",
                json::describe(Some(other))
            ))
        }
    };
    Ok(Status {
        state,
        trace,
        worker_id: string(&map, "worker_id")?,
        // Read as a Long, then `intValue()`.
        generation: long(&map, "generation")? as i32,
    })
}

fn topic_status(bytes: &[u8]) -> Result<TopicStatus, String> {
    let map = object(bytes)?;
    let Some(Value::Object(inner)) = json::field(&map, "topic") else {
        return Err(format!(
            "\"topic\" must be an object, found {}",
            json::describe(json::field(&map, "topic"))
        ));
    };
    Ok(TopicStatus {
        name: string(inner, "name")?,
        connector: string(inner, "connector")?,
        task: long(inner, "task")? as i32,
        discover_timestamp: long(inner, "discoverTimestamp")?,
    })
}

fn string(map: &Map<String, Value>, name: &str) -> Result<String, String> {
    match json::field(map, name) {
        Some(Value::String(s)) => Ok(s.clone()),
        other => Err(format!(
            "{name:?} must be a string, found {}",
            json::describe(other)
        )),
    }
}

fn long(map: &Map<String, Value>, name: &str) -> Result<i64, String> {
    let field = json::field(map, name);
    field.and_then(json::java_long).ok_or_else(|| {
        format!(
            "{name:?} must be an integer, found {}",
            json::describe(field)
        )
    })
}

/// The latest status per connector, task and (connector, topic), as Java's status store
/// caches them.
#[derive(Debug, Clone, Default)]
pub struct StatusState {
    connectors: BTreeMap<String, Status>,
    tasks: BTreeMap<String, BTreeMap<i32, Status>>,
    /// connector → topic → status.
    topics: BTreeMap<String, BTreeMap<String, TopicStatus>>,
}

impl StatusState {
    pub fn new() -> StatusState {
        StatusState::default()
    }

    /// Applies the next record of the log.
    pub fn apply(&mut self, record: StatusRecord) {
        match record {
            StatusRecord::Connector {
                name,
                status: Some(status),
            } => {
                self.connectors.insert(name, status);
            }
            // Java drops the connector's task statuses along with it.
            StatusRecord::Connector { name, status: None } => {
                self.connectors.remove(&name);
                self.tasks.remove(&name);
            }
            StatusRecord::Task {
                id,
                status: Some(status),
            } => self.put_task(id, status),
            StatusRecord::Task { id, status: None } => {
                if let Some(tasks) = self.tasks.get_mut(&id.connector) {
                    tasks.remove(&id.task);
                }
            }
            StatusRecord::Topic {
                topic,
                connector,
                status: Some(status),
            } => {
                self.topics
                    .entry(connector)
                    .or_default()
                    .insert(topic, status);
            }
            StatusRecord::Topic {
                topic,
                connector,
                status: None,
            } => {
                if let Some(topics) = self.topics.get_mut(&connector) {
                    topics.remove(&topic);
                }
            }
            StatusRecord::Unknown { .. } => {}
        }
    }

    /// During a rebalance the worker giving up a task writes UNASSIGNED while the new owner may
    /// already have written RUNNING; an UNASSIGNED from the same or an older generation than a
    /// cached RUNNING is stale and ignored.
    fn put_task(&mut self, id: ConnectorTaskId, status: Status) {
        let tasks = self.tasks.entry(id.connector).or_default();
        let stale = status.state == State::Unassigned
            && tasks.get(&id.task).is_some_and(|current| {
                current.state == State::Running && current.generation >= status.generation
            });
        if !stale {
            tasks.insert(id.task, status);
        }
    }

    /// Connectors with a status, by name.
    pub fn connectors(&self) -> impl Iterator<Item = (&str, &Status)> {
        self.connectors.iter().map(|(name, s)| (name.as_str(), s))
    }

    pub fn connector(&self, name: &str) -> Option<&Status> {
        self.connectors.get(name)
    }

    pub fn task(&self, id: &ConnectorTaskId) -> Option<&Status> {
        self.tasks.get(&id.connector)?.get(&id.task)
    }

    /// A connector's task statuses by task number.
    pub fn tasks(&self, connector: &str) -> impl Iterator<Item = (i32, &Status)> {
        self.tasks
            .get(connector)
            .into_iter()
            .flatten()
            .map(|(task, s)| (*task, s))
    }

    /// Connectors that have at least one task status (possibly without a connector status).
    pub fn task_connectors(&self) -> impl Iterator<Item = &str> {
        self.tasks
            .iter()
            .filter(|(_, t)| !t.is_empty())
            .map(|(name, _)| name.as_str())
    }

    /// Connectors that have at least one active topic recorded.
    pub fn topic_connectors(&self) -> impl Iterator<Item = &str> {
        self.topics
            .iter()
            .filter(|(_, t)| !t.is_empty())
            .map(|(name, _)| name.as_str())
    }

    /// A connector's active topics by name.
    pub fn topics(&self, connector: &str) -> impl Iterator<Item = &TopicStatus> {
        self.topics
            .get(connector)
            .into_iter()
            .flat_map(|t| t.values())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(key: &str, value: Option<&str>) -> StatusRecord {
        StatusRecord::decode(key.as_bytes(), value.map(str::as_bytes)).unwrap()
    }

    fn decode_err(key: &str, value: Option<&str>) -> String {
        StatusRecord::decode(key.as_bytes(), value.map(str::as_bytes))
            .unwrap_err()
            .to_string()
    }

    fn golden(key: &str, value: &str) -> StatusRecord {
        let record = decode(key, Some(value));
        let (k, v) = record.encode();
        assert_eq!(String::from_utf8(k).unwrap(), key);
        assert_eq!(String::from_utf8(v.unwrap()).unwrap(), value);
        record
    }

    fn status(state: State, worker: &str, generation: i32) -> Status {
        Status {
            state,
            trace: None,
            worker_id: worker.into(),
            generation,
        }
    }

    #[test]
    fn spec_examples_golden() {
        assert_eq!(
            golden(
                "status-connector-c",
                r#"{"state":"PAUSED","trace":null,"worker_id":"w1:8083","generation":3}"#
            ),
            StatusRecord::Connector {
                name: "c".into(),
                status: Some(status(State::Paused, "w1:8083", 3))
            }
        );
        assert_eq!(
            golden(
                "status-task-c-0",
                r#"{"state":"PAUSED","trace":null,"worker_id":"w1:8083","generation":3}"#
            ),
            StatusRecord::Task {
                id: ConnectorTaskId {
                    connector: "c".into(),
                    task: 0
                },
                status: Some(status(State::Paused, "w1:8083", 3))
            }
        );
        golden(
            "status-connector-local-file-source",
            r#"{"state":"RUNNING","trace":null,"worker_id":"10.0.0.5:8083","generation":7}"#,
        );
        assert_eq!(
            golden(
                "status-topic-connect-test:connector-local-file-source",
                r#"{"topic":{"name":"connect-test","connector":"local-file-source","task":0,"discoverTimestamp":1700000000000}}"#
            ),
            StatusRecord::Topic {
                topic: "connect-test".into(),
                connector: "local-file-source".into(),
                status: Some(TopicStatus {
                    name: "connect-test".into(),
                    connector: "local-file-source".into(),
                    task: 0,
                    discover_timestamp: 1700000000000
                })
            }
        );
    }

    #[test]
    fn failed_status_writes_the_trace_escaped() {
        let record = StatusRecord::Task {
            id: ConnectorTaskId {
                connector: "c".into(),
                task: 2,
            },
            status: Some(Status {
                trace: Some("org.apache.kafka.connect.errors.ConnectException: boom\n\tat X.y(X.java:1)\u{1b}".into()),
                ..status(State::Failed, "w:8083", 9)
            }),
        };
        let (key, value) = record.encode();
        assert_eq!(key, b"status-task-c-2");
        assert_eq!(
            String::from_utf8(value.unwrap()).unwrap(),
            r#"{"state":"FAILED","trace":"org.apache.kafka.connect.errors.ConnectException: boom\n\tat X.y(X.java:1)\u001B","worker_id":"w:8083","generation":9}"#
        );
        assert_eq!(
            decode(
                "status-task-c-2",
                Some(&String::from_utf8(record.encode().1.unwrap()).unwrap())
            ),
            record
        );
    }

    #[test]
    fn tombstones_are_kafka_nulls_only() {
        assert_eq!(
            decode("status-connector-c", None),
            StatusRecord::Connector {
                name: "c".into(),
                status: None
            }
        );
        assert_eq!(decode("status-connector-c", None).encode().1, None);
        assert!(decode_err("status-connector-c", Some("null")).contains("found null"));
    }

    #[test]
    fn task_keys_need_four_parts() {
        let id = |key: &str| match decode(key, None) {
            StatusRecord::Task { id, .. } => (id.connector, id.task),
            other => panic!("{other:?}"),
        };
        assert_eq!(id("status-task-my-conn-12"), ("my-conn".into(), 12));
        for bad in ["status-task-c", "status-task-c-x", "status-task-"] {
            assert!(
                decode_err(bad, None).contains("status-task-<connector>-<number>"),
                "{bad}"
            );
        }
    }

    #[test]
    fn topic_keys_split_at_the_first_colon() {
        match decode("status-topic-t.1:connector-a:b", None) {
            StatusRecord::Topic {
                topic, connector, ..
            } => assert_eq!((topic.as_str(), connector.as_str()), ("t.1", "a:b")),
            other => panic!("{other:?}"),
        }
        assert!(decode_err("status-topic-t", None).contains("status-topic-<topic>"));
        assert!(decode_err("status-topic-:connector-a", None).contains("topic name is empty"));
        assert!(decode_err("status-topic-t:connector-", None).contains("connector name is empty"));
        assert!(decode_err("status-topic-t:other-a", None).contains("status-topic-<topic>"));
        assert!(decode_err("status-connector-", None).contains("connector name is empty"));
    }

    #[test]
    fn malformed_values_are_errors() {
        let v = |s: &str| decode_err("status-connector-c", Some(s));
        assert!(v(r#"{"state":"BUSY","worker_id":"w","generation":1}"#)
            .contains(r#"unknown state "BUSY""#));
        assert!(v(r#"{"state":"RUNNING","generation":1}"#)
            .contains(r#""worker_id" must be a string, found null"#));
        assert!(v(r#"{"state":"RUNNING","worker_id":"w","generation":"1"}"#)
            .contains(r#""generation" must be an integer"#));
        assert!(
            v(r#"{"state":"RUNNING","worker_id":"w","generation":1,"trace":5}"#)
                .contains(r#""trace" must be a string or null"#)
        );
        assert!(v("[]").contains("found an array"));
        assert!(
            decode_err("status-topic-t:connector-c", Some(r#"{"topic":1}"#))
                .contains(r#""topic" must be an object"#)
        );
        let e = v("{");
        assert!(
            e.starts_with(r#"status topic, key "status-connector-c": not JSON"#),
            "{e}"
        );
    }

    #[test]
    fn unknown_fields_and_keys_are_tolerated() {
        assert_eq!(
            decode(
                "status-connector-c",
                Some(
                    r#"{"state":"RUNNING","trace":null,"worker_id":"w","generation":1,"version":"3.9.0"}"#
                )
            ),
            StatusRecord::Connector {
                name: "c".into(),
                status: Some(status(State::Running, "w", 1))
            }
        );
        assert_eq!(
            decode("status-other", Some("x")),
            StatusRecord::Unknown {
                key: "status-other".into(),
                value: Some(b"x".to_vec())
            }
        );
    }

    fn task_id(n: i32) -> ConnectorTaskId {
        ConnectorTaskId {
            connector: "c".into(),
            task: n,
        }
    }

    fn put(state: &mut StatusState, n: i32, s: Status) {
        state.apply(StatusRecord::Task {
            id: task_id(n),
            status: Some(s),
        });
    }

    #[test]
    fn stale_unassigned_does_not_hide_running() {
        let mut state = StatusState::new();
        put(&mut state, 0, status(State::Running, "w2", 5));
        put(&mut state, 0, status(State::Unassigned, "w1", 5));
        assert_eq!(state.task(&task_id(0)).unwrap().state, State::Running);
        put(&mut state, 0, status(State::Unassigned, "w1", 4));
        assert_eq!(state.task(&task_id(0)).unwrap().state, State::Running);
        put(&mut state, 0, status(State::Unassigned, "w1", 6));
        assert_eq!(state.task(&task_id(0)).unwrap().state, State::Unassigned);
        // Only UNASSIGNED over RUNNING is filtered.
        put(&mut state, 0, status(State::Failed, "w1", 1));
        assert_eq!(state.task(&task_id(0)).unwrap().state, State::Failed);
        put(&mut state, 0, status(State::Unassigned, "w1", 0));
        assert_eq!(state.task(&task_id(0)).unwrap().state, State::Unassigned);
    }

    #[test]
    fn tombstones_remove_and_connector_removal_takes_its_tasks() {
        let mut state = StatusState::new();
        state.apply(decode(
            "status-connector-c",
            Some(r#"{"state":"RUNNING","trace":null,"worker_id":"w","generation":1}"#),
        ));
        put(&mut state, 0, status(State::Running, "w", 1));
        put(&mut state, 1, status(State::Running, "w", 1));
        state.apply(decode("status-task-c-1", None));
        assert_eq!(state.tasks("c").map(|(n, _)| n).collect::<Vec<_>>(), [0]);
        assert_eq!(state.connectors().count(), 1);

        state.apply(decode("status-connector-c", None));
        assert!(state.connector("c").is_none());
        assert_eq!(state.tasks("c").count(), 0);
    }

    #[test]
    fn topics_are_listed_per_connector_and_reset_by_tombstones() {
        let mut state = StatusState::new();
        for topic in ["b", "a"] {
            state.apply(StatusRecord::Topic {
                topic: topic.into(),
                connector: "c".into(),
                status: Some(TopicStatus {
                    name: topic.into(),
                    connector: "c".into(),
                    task: 0,
                    discover_timestamp: 1,
                }),
            });
        }
        let names: Vec<&str> = state.topics("c").map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        state.apply(decode("status-topic-a:connector-c", None));
        assert_eq!(state.topics("c").count(), 1);
        assert_eq!(state.topics("other").count(), 0);
    }
}
