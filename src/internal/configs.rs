//! `connect-configs` (spec §2): every record kind of the config topic, decoded with the rules of
//! Java's `KafkaConfigBackingStore` reader and encoded to the bytes its writer produces, plus
//! `ConfigState`, the view a reader builds by replaying the topic in log order.

use std::collections::{BTreeMap, HashMap, HashSet};

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::json::{self, Object};
use super::{java_split_dash, CodecError, Store};
use crate::connect::types::{ConnectorTaskId, TargetState};

/// A connector's or task's configuration as stored: string values, `null` allowed.
pub type Properties = IndexMap<String, Option<String>>;

// Java tests the prefixes in this order; `tasks-fencing-` and `restart-connector-` are safe
// because neither starts with an earlier prefix.
const TARGET_STATE_PREFIX: &str = "target-state-";
const CONNECTOR_PREFIX: &str = "connector-";
const TASK_PREFIX: &str = "task-";
const COMMIT_PREFIX: &str = "commit-";
const RESTART_PREFIX: &str = "restart-connector-";
const TASKS_FENCING_PREFIX: &str = "tasks-fencing-";
const SESSION_KEY: &str = "session-key";
const LOGGER_CLUSTER_PREFIX: &str = "logger-cluster-";

/// One record of the config topic. `None` payloads are tombstones (a Kafka null value, or the
/// JSON literal `null`, which Java's converter reads the same way).
#[derive(Debug, Clone, PartialEq)]
pub enum ConfigRecord {
    /// `connector-<name>` → `{"properties":{…}}`.
    Connector {
        name: String,
        properties: Option<Properties>,
    },
    /// `target-state-<name>` → `{"state":…,"state.v2":…}`.
    TargetState {
        name: String,
        state: Option<TargetState>,
    },
    /// `task-<name>-<n>` → `{"properties":{…}}`; Java ignores a null one.
    Task {
        id: ConnectorTaskId,
        properties: Option<Properties>,
    },
    /// `commit-<name>` → `{"tasks":N}`; Java ignores a null one.
    Commit { name: String, tasks: Option<u32> },
    /// `restart-connector-<name>` → `{"include-tasks":…,"only-failed":…}` (KIP-745).
    RestartRequest {
        name: String,
        include_tasks: bool,
        only_failed: bool,
    },
    /// `tasks-fencing-<name>` → `{"task-count":N}` (KIP-618).
    TasksFencing { name: String, task_count: u32 },
    /// `session-key` → `{"key":…,"algorithm":…,"creation-timestamp":…}` (KIP-507).
    SessionKey {
        key_base64: String,
        algorithm: String,
        creation_timestamp: i64,
    },
    /// `logger-cluster-<namespace>` → `{"level":…}`.
    LoggerLevel { namespace: String, level: String },
    /// A key Java discards; the value is kept as raw bytes so the record can be shown or
    /// copied unchanged.
    Unknown { key: String, value: Option<Vec<u8>> },
}

impl ConfigRecord {
    /// Decodes one record. Errors are records Java's reader logs and skips (or chokes on).
    /// Keys are read as Java's `StringDeserializer` does: invalid UTF-8 becomes U+FFFD.
    pub fn decode(key: &[u8], value: Option<&[u8]>) -> Result<ConfigRecord, CodecError> {
        let key = String::from_utf8_lossy(key);
        let key = key.as_ref();
        let fail = |problem: String| CodecError::keyed(Store::ConfigTopic, key, problem);
        let object = || value_object(value).map_err(fail);

        if let Some(name) = key.strip_prefix(TARGET_STATE_PREFIX) {
            let state = object()?.map(|m| target_state(&m)).transpose();
            Ok(ConfigRecord::TargetState {
                name: name.to_owned(),
                state: state.map_err(fail)?,
            })
        } else if let Some(name) = key.strip_prefix(CONNECTOR_PREFIX) {
            let properties = object()?.map(|m| properties(&m)).transpose();
            Ok(ConfigRecord::Connector {
                name: name.to_owned(),
                properties: properties.map_err(fail)?,
            })
        } else if key.starts_with(TASK_PREFIX) {
            let id = parse_task_key(key)
                .ok_or_else(|| fail("a task key is task-<connector>-<number>".to_owned()))?;
            let properties = object()?.map(|m| properties(&m)).transpose();
            Ok(ConfigRecord::Task {
                id,
                properties: properties.map_err(fail)?,
            })
        } else if let Some(name) = key.strip_prefix(COMMIT_PREFIX) {
            let tasks = object()?.map(|m| count(&m, "tasks")).transpose();
            Ok(ConfigRecord::Commit {
                name: name.to_owned(),
                tasks: tasks.map_err(fail)?,
            })
        } else if let Some(name) = key.strip_prefix(RESTART_PREFIX) {
            let m = object()?.ok_or_else(|| fail(null_ignored("restart request")))?;
            // Java warns and falls back to `false` for a missing or non-boolean flag.
            let flag = |name: &str| json::field(&m, name).and_then(Value::as_bool) == Some(true);
            Ok(ConfigRecord::RestartRequest {
                name: name.to_owned(),
                include_tasks: flag("include-tasks"),
                only_failed: flag("only-failed"),
            })
        } else if let Some(name) = key.strip_prefix(TASKS_FENCING_PREFIX) {
            let m = object()?.ok_or_else(|| fail(null_ignored("task count record")))?;
            Ok(ConfigRecord::TasksFencing {
                name: name.to_owned(),
                task_count: count(&m, "task-count").map_err(fail)?,
            })
        } else if key == SESSION_KEY {
            let m = object()?.ok_or_else(|| fail(null_ignored("session key")))?;
            session_key(&m).map_err(fail)
        } else if let Some(namespace) = key.strip_prefix(LOGGER_CLUSTER_PREFIX) {
            let m = object()?.ok_or_else(|| fail(null_ignored("logger level")))?;
            Ok(ConfigRecord::LoggerLevel {
                namespace: namespace.to_owned(),
                level: string(&m, "level").map_err(fail)?,
            })
        } else {
            Ok(ConfigRecord::Unknown {
                key: key.to_owned(),
                value: value.map(<[u8]>::to_vec),
            })
        }
    }

    /// The record key, as Java builds it.
    pub fn key(&self) -> String {
        match self {
            ConfigRecord::Connector { name, .. } => format!("{CONNECTOR_PREFIX}{name}"),
            ConfigRecord::TargetState { name, .. } => format!("{TARGET_STATE_PREFIX}{name}"),
            ConfigRecord::Task { id, .. } => {
                format!("{TASK_PREFIX}{}-{}", id.connector, id.task)
            }
            ConfigRecord::Commit { name, .. } => format!("{COMMIT_PREFIX}{name}"),
            ConfigRecord::RestartRequest { name, .. } => format!("{RESTART_PREFIX}{name}"),
            ConfigRecord::TasksFencing { name, .. } => format!("{TASKS_FENCING_PREFIX}{name}"),
            ConfigRecord::SessionKey { .. } => SESSION_KEY.to_owned(),
            ConfigRecord::LoggerLevel { namespace, .. } => {
                format!("{LOGGER_CLUSTER_PREFIX}{namespace}")
            }
            ConfigRecord::Unknown { key, .. } => key.clone(),
        }
    }

    /// The connector a record is about, if any.
    pub fn connector_name(&self) -> Option<&str> {
        match self {
            ConfigRecord::Connector { name, .. }
            | ConfigRecord::TargetState { name, .. }
            | ConfigRecord::Commit { name, .. }
            | ConfigRecord::RestartRequest { name, .. }
            | ConfigRecord::TasksFencing { name, .. } => Some(name),
            ConfigRecord::Task { id, .. } => Some(&id.connector),
            ConfigRecord::SessionKey { .. }
            | ConfigRecord::LoggerLevel { .. }
            | ConfigRecord::Unknown { .. } => None,
        }
    }

    /// Key and value bytes exactly as the Java worker writes them; `None` is a tombstone.
    pub fn encode(&self) -> (Vec<u8>, Option<Vec<u8>>) {
        (self.key().into_bytes(), self.encode_value())
    }

    fn encode_value(&self) -> Option<Vec<u8>> {
        match self {
            ConfigRecord::Connector { properties, .. } | ConfigRecord::Task { properties, .. } => {
                properties.as_ref().map(properties_value)
            }
            ConfigRecord::TargetState { state, .. } => state.map(target_state_value),
            ConfigRecord::Commit { tasks, .. } => {
                tasks.map(|n| Object::new().int("tasks", n.into()).finish())
            }
            ConfigRecord::RestartRequest {
                include_tasks,
                only_failed,
                ..
            } => Some(
                Object::new()
                    .bool("include-tasks", *include_tasks)
                    .bool("only-failed", *only_failed)
                    .finish(),
            ),
            ConfigRecord::TasksFencing { task_count, .. } => Some(
                Object::new()
                    .int("task-count", (*task_count).into())
                    .finish(),
            ),
            ConfigRecord::SessionKey {
                key_base64,
                algorithm,
                creation_timestamp,
            } => Some(
                Object::new()
                    .str("key", key_base64)
                    .str("algorithm", algorithm)
                    .int("creation-timestamp", *creation_timestamp)
                    .finish(),
            ),
            ConfigRecord::LoggerLevel { level, .. } => {
                Some(Object::new().str("level", level).finish())
            }
            ConfigRecord::Unknown { value, .. } => value.clone(),
        }
    }
}

fn properties_value(properties: &Properties) -> Vec<u8> {
    let map = properties
        .iter()
        .fold(Object::new(), |o, (k, v)| o.opt_str(k, v.as_deref()))
        .finish();
    Object::new().raw("properties", &map).finish()
}

/// STOPPED goes out as `"state":"PAUSED"` so that pre-3.5 workers, which only read `state`,
/// at least pause the connector; newer ones read `state.v2`.
fn target_state_value(state: TargetState) -> Vec<u8> {
    let legacy = match state {
        TargetState::Stopped => TargetState::Paused,
        other => other,
    };
    Object::new()
        .str("state", legacy.as_str())
        .str("state.v2", state.as_str())
        .finish()
}

/// The value as a JSON object; `None` for a tombstone or a JSON `null`.
fn value_object(value: Option<&[u8]>) -> Result<Option<Map<String, Value>>, String> {
    let Some(bytes) = value else {
        return Ok(None);
    };
    match json::parse(bytes)? {
        Value::Null => Ok(None),
        Value::Object(map) => Ok(Some(map)),
        other => Err(format!(
            "the value must be a JSON object, found {}",
            json::describe(Some(&other))
        )),
    }
}

fn null_ignored(what: &str) -> String {
    format!("a {what} with a null value (Java ignores it)")
}

/// `task-<connector>-<n>`: Java splits on `-` (dropping trailing empty parts, as
/// `String.split` does), takes the last part as the task number and joins the middle back,
/// so connector names may contain dashes.
fn parse_task_key(key: &str) -> Option<ConnectorTaskId> {
    let parts = java_split_dash(key);
    if parts.len() < 3 {
        return None;
    }
    let task = parts[parts.len() - 1].parse().ok()?;
    Some(ConnectorTaskId {
        connector: parts[1..parts.len() - 1].join("-"),
        task,
    })
}

fn properties(value: &Map<String, Value>) -> Result<Properties, String> {
    let Some(Value::Object(map)) = json::field(value, "properties") else {
        return Err(format!(
            "\"properties\" must be an object, found {}",
            json::describe(json::field(value, "properties"))
        ));
    };
    map.iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k.clone(), Some(s.clone()))),
            Value::Null => Ok((k.clone(), None)),
            other => Err(format!(
                "property {k:?} must be a string or null, found {}",
                json::describe(Some(other))
            )),
        })
        .collect()
}

/// `state.v2` wins when it is a string; otherwise (older writers) `state`.
fn target_state(value: &Map<String, Value>) -> Result<TargetState, String> {
    let name = match json::field(value, "state.v2") {
        Some(Value::String(s)) => s,
        _ => match json::field(value, "state") {
            Some(Value::String(s)) => s,
            other => {
                return Err(format!(
                    "\"state\" must be a string, found {}",
                    json::describe(other)
                ))
            }
        },
    };
    TargetState::parse(name).ok_or_else(|| {
        format!("unknown target state {name:?} (expected STARTED, PAUSED or STOPPED)")
    })
}

/// A task count: Java's `intValue` takes an Integer or a Long and narrows it to an int.
fn count(value: &Map<String, Value>, name: &str) -> Result<u32, String> {
    let field = json::field(value, name);
    let n = field.and_then(json::java_long).ok_or_else(|| {
        format!(
            "{name:?} must be an integer, found {}",
            json::describe(field)
        )
    })?;
    u32::try_from(n as i32).map_err(|_| format!("{name:?} is negative ({})", n as i32))
}

fn string(value: &Map<String, Value>, name: &str) -> Result<String, String> {
    match json::field(value, name) {
        Some(Value::String(s)) => Ok(s.clone()),
        other => Err(format!(
            "{name:?} must be a string, found {}",
            json::describe(other)
        )),
    }
}

/// Java's basic `Base64.getDecoder()`: standard alphabet, padding optional, stray low bits
/// tolerated.
const JAVA_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

fn session_key(value: &Map<String, Value>) -> Result<ConfigRecord, String> {
    let key_base64 = string(value, "key")?;
    JAVA_BASE64
        .decode(&key_base64)
        .map_err(|e| format!("\"key\" is not base64: {e}"))?;
    let algorithm = string(value, "algorithm")?;
    let field = json::field(value, "creation-timestamp");
    let creation_timestamp = field.and_then(json::java_long).ok_or_else(|| {
        format!(
            "\"creation-timestamp\" must be an integer, found {}",
            json::describe(field)
        )
    })?;
    Ok(ConfigRecord::SessionKey {
        key_base64,
        algorithm,
        creation_timestamp,
    })
}

/// A restart request seen in the topic (the latest per connector), with its log position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingRestart {
    pub include_tasks: bool,
    pub only_failed: bool,
    pub offset: Option<i64>,
}

/// What a reader of the config topic knows after applying records in log order, with the
/// rules of Java's reader: task configs wait for their commit, a commit missing any of tasks
/// `0..N-1` marks the connector inconsistent, tombstones remove, unknown keys are ignored.
#[derive(Debug, Clone, Default)]
pub struct ConfigState {
    configs: BTreeMap<String, Properties>,
    /// Kept apart from `configs`: a target state may come before its connector
    /// (`initial_state` on create), and outlives a deleted connector until its own tombstone.
    target_states: HashMap<String, TargetState>,
    task_counts: HashMap<String, u32>,
    task_configs: HashMap<String, BTreeMap<i32, Properties>>,
    /// Task configs read but not yet committed.
    deferred: HashMap<String, BTreeMap<i32, Properties>>,
    inconsistent: HashSet<String>,
    fencing_task_counts: HashMap<String, u32>,
    restart_requests: BTreeMap<String, PendingRestart>,
    logger_levels: BTreeMap<String, String>,
    last_offsets: HashMap<String, i64>,
}

impl ConfigState {
    pub fn new() -> ConfigState {
        ConfigState::default()
    }

    /// Applies the next record of the log; `offset` is its position, if known.
    pub fn apply(&mut self, record: ConfigRecord, offset: Option<i64>) {
        if let (Some(name), Some(offset)) = (record.connector_name(), offset) {
            self.last_offsets.insert(name.to_owned(), offset);
        }
        match record {
            ConfigRecord::Connector {
                name,
                properties: Some(properties),
            } => {
                // Connectors from before target states existed start as STARTED.
                self.target_states
                    .entry(name.clone())
                    .or_insert(TargetState::Started);
                self.configs.insert(name, properties);
            }
            ConfigRecord::Connector {
                name,
                properties: None,
            } => self.remove_connector(&name),
            ConfigRecord::TargetState {
                name,
                state: Some(state),
            } => {
                self.target_states.insert(name, state);
            }
            ConfigRecord::TargetState { name, state: None } => {
                self.target_states.remove(&name);
                // A connector that still has a config always has a target state.
                if self.configs.contains_key(&name) {
                    self.target_states.insert(name, TargetState::Started);
                }
            }
            ConfigRecord::Task {
                id,
                properties: Some(properties),
            } => {
                self.deferred
                    .entry(id.connector)
                    .or_default()
                    .insert(id.task, properties);
            }
            ConfigRecord::Commit {
                name,
                tasks: Some(count),
            } => self.commit(name, count),
            ConfigRecord::RestartRequest {
                name,
                include_tasks,
                only_failed,
            } => {
                let request = PendingRestart {
                    include_tasks,
                    only_failed,
                    offset,
                };
                self.restart_requests.insert(name, request);
            }
            ConfigRecord::TasksFencing { name, task_count } => {
                self.fencing_task_counts.insert(name, task_count);
            }
            ConfigRecord::LoggerLevel { namespace, level } => {
                self.logger_levels.insert(namespace, level);
            }
            // Java ignores null task and commit records and unknown keys; the session key is a
            // secret for worker-to-worker requests that no reader of this view needs.
            ConfigRecord::Task {
                properties: None, ..
            }
            | ConfigRecord::Commit { tasks: None, .. }
            | ConfigRecord::SessionKey { .. }
            | ConfigRecord::Unknown { .. } => {}
        }
    }

    /// A deletion tombstone drops the config and all task state, but not the target state
    /// (it has its own tombstone) nor the inconsistent mark (Java keeps it too).
    fn remove_connector(&mut self, name: &str) {
        self.configs.remove(name);
        self.task_counts.remove(name);
        self.task_configs.remove(name);
        self.deferred.remove(name);
    }

    /// Only ids `0..count-1` are required: after compaction, stale higher ids may still be
    /// buffered, and they do no harm.
    fn commit(&mut self, name: String, count: u32) {
        let deferred = self.deferred.remove(&name).unwrap_or_default();
        let complete = (0..count)
            .all(|task| i32::try_from(task).is_ok_and(|task| deferred.contains_key(&task)));
        if complete {
            self.task_configs
                .entry(name.clone())
                .or_default()
                .extend(deferred);
            self.inconsistent.remove(&name);
        } else {
            self.inconsistent.insert(name.clone());
        }
        self.task_counts.insert(name, count);
    }

    /// Connectors that have a config, by name.
    pub fn connectors(&self) -> impl Iterator<Item = ConnectorView<'_>> {
        self.configs
            .iter()
            .map(|(name, config)| self.view(name, config))
    }

    pub fn connector(&self, name: &str) -> Option<ConnectorView<'_>> {
        let (name, config) = self.configs.get_key_value(name)?;
        Some(self.view(name, config))
    }

    /// Also answers for a connector without a config yet (a target state written first).
    pub fn target_state(&self, name: &str) -> Option<TargetState> {
        self.target_states.get(name).copied()
    }

    /// The latest restart request per connector. Java acts only on requests it reads after
    /// catching up at startup; from the log alone every request looks pending.
    pub fn restart_requests(&self) -> &BTreeMap<String, PendingRestart> {
        &self.restart_requests
    }

    /// Cluster-wide logger levels by namespace.
    pub fn logger_levels(&self) -> &BTreeMap<String, String> {
        &self.logger_levels
    }

    /// The task count of the last zombie fencing (exactly-once source), if any.
    pub fn fencing_task_count(&self, name: &str) -> Option<u32> {
        self.fencing_task_counts.get(name).copied()
    }

    fn view<'a>(&'a self, name: &'a str, config: &'a Properties) -> ConnectorView<'a> {
        ConnectorView {
            name,
            config,
            target_state: self
                .target_states
                .get(name)
                .copied()
                .unwrap_or(TargetState::Started),
            task_count: self.task_counts.get(name).copied(),
            inconsistent: self.inconsistent.contains(name),
            last_offset: self.last_offsets.get(name).copied(),
            task_configs: self.task_configs.get(name),
        }
    }
}

/// One connector as the config topic describes it.
#[derive(Debug, Clone, Copy)]
pub struct ConnectorView<'a> {
    pub name: &'a str,
    pub config: &'a Properties,
    pub target_state: TargetState,
    /// From the last commit, even an inconsistent one; `None` before any commit.
    pub task_count: Option<u32>,
    /// The last commit lacked some task configs; the tasks are unknown until a complete one.
    pub inconsistent: bool,
    /// Log position of the last record about this connector, when offsets were given.
    pub last_offset: Option<i64>,
    task_configs: Option<&'a BTreeMap<i32, Properties>>,
}

impl<'a> ConnectorView<'a> {
    /// The committed tasks `0..task_count-1` with their configs; none while inconsistent.
    pub fn tasks(&self) -> Vec<(ConnectorTaskId, &'a Properties)> {
        let (Some(configs), Some(count), false) =
            (self.task_configs, self.task_count, self.inconsistent)
        else {
            return Vec::new();
        };
        (0..count)
            .map_while(|task| i32::try_from(task).ok())
            .filter_map(|task| {
                let id = ConnectorTaskId {
                    connector: self.name.to_owned(),
                    task,
                };
                configs.get(&task).map(|config| (id, config))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(key: &str, value: Option<&str>) -> ConfigRecord {
        ConfigRecord::decode(key.as_bytes(), value.map(str::as_bytes)).unwrap()
    }

    fn decode_err(key: &str, value: Option<&str>) -> String {
        ConfigRecord::decode(key.as_bytes(), value.map(str::as_bytes))
            .unwrap_err()
            .to_string()
    }

    /// Decoding the spec's bytes and encoding the result gives the same bytes back.
    fn golden(key: &str, value: &str) -> ConfigRecord {
        let record = decode(key, Some(value));
        let (k, v) = record.encode();
        assert_eq!(String::from_utf8(k).unwrap(), key);
        assert_eq!(String::from_utf8(v.unwrap()).unwrap(), value);
        record
    }

    #[test]
    fn connector_config_golden() {
        let record = golden(
            "connector-local-file-source",
            r#"{"properties":{"connector.class":"FileStreamSource","file":"test.txt","tasks.max":"1","name":"local-file-source","topic":"connect-test"}}"#,
        );
        let ConfigRecord::Connector { name, properties } = record else {
            panic!("not a connector record: {record:?}");
        };
        assert_eq!(name, "local-file-source");
        let properties = properties.unwrap();
        let keys: Vec<&str> = properties.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            ["connector.class", "file", "tasks.max", "name", "topic"]
        );
    }

    #[test]
    fn task_config_golden() {
        // The spec elides the tail of this value; the two fields it shows come first.
        let record = golden(
            "task-local-file-source-0",
            r#"{"properties":{"connector.class":"FileStreamSource","task.class":"org.apache.kafka.connect.file.FileStreamSourceTask","file":"test.txt","topic":"connect-test"}}"#,
        );
        let ConfigRecord::Task { id, properties } = record else {
            panic!("not a task record: {record:?}");
        };
        assert_eq!(id.connector, "local-file-source");
        assert_eq!(id.task, 0);
        assert_eq!(
            properties.unwrap()["task.class"].as_deref(),
            Some("org.apache.kafka.connect.file.FileStreamSourceTask")
        );
    }

    #[test]
    fn commit_target_state_restart_golden() {
        assert_eq!(
            golden("commit-local-file-source", r#"{"tasks":1}"#),
            ConfigRecord::Commit {
                name: "local-file-source".into(),
                tasks: Some(1)
            }
        );
        assert_eq!(
            golden(
                "target-state-local-file-source",
                r#"{"state":"PAUSED","state.v2":"STOPPED"}"#
            ),
            ConfigRecord::TargetState {
                name: "local-file-source".into(),
                state: Some(TargetState::Stopped)
            }
        );
        assert_eq!(
            golden(
                "restart-connector-local-file-source",
                r#"{"include-tasks":true,"only-failed":false}"#
            ),
            ConfigRecord::RestartRequest {
                name: "local-file-source".into(),
                include_tasks: true,
                only_failed: false
            }
        );
    }

    #[test]
    fn table_rows_golden() {
        golden(
            "target-state-c",
            r#"{"state":"STARTED","state.v2":"STARTED"}"#,
        );
        golden(
            "target-state-c",
            r#"{"state":"PAUSED","state.v2":"PAUSED"}"#,
        );
        golden("tasks-fencing-c", r#"{"task-count":3}"#);
        golden(
            "session-key",
            r#"{"key":"c2VjcmV0LWtleS1ieXRlcw==","algorithm":"HmacSHA256","creation-timestamp":1700000000000}"#,
        );
        golden(
            "logger-cluster-org.apache.kafka.connect",
            r#"{"level":"DEBUG"}"#,
        );
        golden(
            "connector-c",
            r#"{"properties":{"a":null,"b":"line\nbreak \"quoted\" \u001F"}}"#,
        );
        golden("commit-c", r#"{"tasks":0}"#);
    }

    #[test]
    fn stopped_is_written_as_paused_for_old_workers() {
        let record = ConfigRecord::TargetState {
            name: "c".into(),
            state: Some(TargetState::Stopped),
        };
        assert_eq!(
            record.encode().1.unwrap(),
            br#"{"state":"PAUSED","state.v2":"STOPPED"}"#
        );
    }

    #[test]
    fn target_state_prefers_v2_and_falls_back_to_state() {
        let state = |v: &str| match decode("target-state-c", Some(v)) {
            ConfigRecord::TargetState { state, .. } => state,
            other => panic!("{other:?}"),
        };
        assert_eq!(state(r#"{"state":"PAUSED"}"#), Some(TargetState::Paused));
        assert_eq!(
            state(r#"{"state":"PAUSED","state.v2":7}"#),
            Some(TargetState::Paused)
        );
        assert_eq!(
            state(r#"{"state":"PAUSED","state.v2":null}"#),
            Some(TargetState::Paused)
        );
        assert!(
            decode_err("target-state-c", Some(r#"{"state.v2":"RUNNING"}"#))
                .contains(r#"unknown target state "RUNNING""#)
        );
        assert!(decode_err("target-state-c", Some(r#"{"state.v2":1}"#))
            .contains(r#""state" must be a string, found null"#));
    }

    #[test]
    fn tombstones_and_json_null_decode_to_none() {
        for value in [None, Some("null")] {
            assert_eq!(
                decode("connector-c", value),
                ConfigRecord::Connector {
                    name: "c".into(),
                    properties: None
                }
            );
            assert_eq!(
                decode("target-state-c", value),
                ConfigRecord::TargetState {
                    name: "c".into(),
                    state: None
                }
            );
        }
        let record = decode("connector-c", None);
        assert_eq!(record.encode(), (b"connector-c".to_vec(), None));
    }

    #[test]
    fn task_keys_split_like_java() {
        let id = |key: &str| match decode(key, None) {
            ConfigRecord::Task { id, .. } => (id.connector, id.task),
            other => panic!("{other:?}"),
        };
        assert_eq!(id("task-my-dashed-conn-12"), ("my-dashed-conn".into(), 12));
        assert_eq!(id("task-c-+3"), ("c".into(), 3));
        assert_eq!(id("task--0"), ("".into(), 0));
        for bad in ["task-c", "task-c-x", "task-c-", "task-c-99999999999"] {
            assert!(
                decode_err(bad, None).contains("task-<connector>-<number>"),
                "{bad}"
            );
        }
        // `tasks-fencing-` is not a task key.
        assert!(matches!(
            decode("tasks-fencing-c-0", Some(r#"{"task-count":1}"#)),
            ConfigRecord::TasksFencing { .. }
        ));
    }

    #[test]
    fn integers_are_read_as_int_or_long() {
        let tasks = |v: &str| match decode("commit-c", Some(v)) {
            ConfigRecord::Commit { tasks, .. } => tasks,
            other => panic!("{other:?}"),
        };
        assert_eq!(tasks(r#"{"tasks":2}"#), Some(2));
        // Java narrows a long with `(int)`.
        assert_eq!(tasks(r#"{"tasks":4294967298}"#), Some(2));
        assert!(decode_err("commit-c", Some(r#"{"tasks":"2"}"#))
            .contains(r#""tasks" must be an integer, found a string"#));
        assert!(decode_err("commit-c", Some(r#"{"tasks":2.0}"#)).contains("a decimal number"));
        assert!(decode_err("commit-c", Some(r#"{"tasks":-1}"#)).contains("negative"));
        assert_eq!(tasks("null"), None);
    }

    #[test]
    fn restart_flags_default_to_false_like_java() {
        assert_eq!(
            decode("restart-connector-c", Some(r#"{"include-tasks":"yes"}"#)),
            ConfigRecord::RestartRequest {
                name: "c".into(),
                include_tasks: false,
                only_failed: false
            }
        );
        assert!(decode_err("restart-connector-c", None).contains("Java ignores it"));
    }

    #[test]
    fn malformed_values_are_errors_naming_the_key() {
        let e = decode_err("connector-c", Some("{not json"));
        assert!(
            e.starts_with(r#"config topic, key "connector-c": not JSON"#),
            "{e}"
        );
        assert!(decode_err("connector-c", Some("[1]")).contains("found an array"));
        assert!(decode_err("connector-c", Some(r#"{"properties":1}"#))
            .contains(r#""properties" must be an object, found an integer"#));
        assert!(decode_err("connector-c", Some(r#"{"properties":{"a":1}}"#))
            .contains(r#"property "a" must be a string or null"#));
        assert!(decode_err(
            "session-key",
            Some(r#"{"key":"***","algorithm":"a","creation-timestamp":1}"#)
        )
        .contains("not base64"));
        assert!(decode_err("logger-cluster-x", Some("{}")).contains(r#""level" must be a string"#));
        assert!(decode_err("tasks-fencing-c", None).contains("Java ignores it"));
    }

    #[test]
    fn session_key_base64_may_omit_padding_like_java() {
        assert!(matches!(
            decode(
                "session-key",
                Some(r#"{"key":"YWI","algorithm":"HmacSHA256","creation-timestamp":5}"#)
            ),
            ConfigRecord::SessionKey {
                creation_timestamp: 5,
                ..
            }
        ));
    }

    #[test]
    fn unknown_keys_keep_their_raw_value() {
        let record = decode("mystery", Some("not even json"));
        assert_eq!(
            record,
            ConfigRecord::Unknown {
                key: "mystery".into(),
                value: Some(b"not even json".to_vec())
            }
        );
        assert_eq!(record.encode().1.unwrap(), b"not even json");
    }

    fn apply_all(records: &[(&str, Option<&str>)]) -> ConfigState {
        let mut state = ConfigState::new();
        for (offset, (key, value)) in records.iter().enumerate() {
            state.apply(decode(key, *value), Some(offset as i64));
        }
        state
    }

    const CONFIG: &str = r#"{"properties":{"connector.class":"FileStreamSource"}}"#;

    fn task(n: u8) -> String {
        format!(r#"{{"properties":{{"task.class":"T","n":"{n}"}}}}"#)
    }

    #[test]
    fn create_with_initial_state_then_tasks() {
        let (t0, t1) = (task(0), task(1));
        let state = apply_all(&[
            (
                "target-state-c",
                Some(r#"{"state":"PAUSED","state.v2":"STOPPED"}"#),
            ),
            ("connector-c", Some(CONFIG)),
            ("task-c-0", Some(&t0)),
            ("task-c-1", Some(&t1)),
        ]);
        let c = state.connector("c").unwrap();
        assert_eq!(c.target_state, TargetState::Stopped);
        assert_eq!(c.task_count, None);
        assert!(c.tasks().is_empty(), "tasks wait for their commit");

        let mut state = state;
        state.apply(decode("commit-c", Some(r#"{"tasks":2}"#)), Some(4));
        let c = state.connector("c").unwrap();
        assert_eq!(c.task_count, Some(2));
        assert!(!c.inconsistent);
        assert_eq!(c.last_offset, Some(4));
        let tasks = c.tasks();
        assert_eq!(tasks.len(), 2);
        assert_eq!(tasks[1].0.task, 1);
        assert_eq!(tasks[1].1["n"].as_deref(), Some("1"));
    }

    #[test]
    fn connector_without_target_state_starts() {
        let state = apply_all(&[("connector-c", Some(CONFIG))]);
        assert_eq!(
            state.connector("c").unwrap().target_state,
            TargetState::Started
        );
        assert_eq!(state.target_state("c"), Some(TargetState::Started));
    }

    #[test]
    fn incomplete_commit_marks_inconsistent_until_a_complete_one() {
        let (t0, t1) = (task(0), task(1));
        let mut state = apply_all(&[
            ("connector-c", Some(CONFIG)),
            ("task-c-1", Some(&t1)),
            ("commit-c", Some(r#"{"tasks":2}"#)),
        ]);
        let c = state.connector("c").unwrap();
        assert!(c.inconsistent);
        assert_eq!(c.task_count, Some(2));
        assert!(c.tasks().is_empty());

        // The buffer was cleared by that commit: task 1 must be written again.
        state.apply(decode("task-c-0", Some(&t0)), None);
        state.apply(decode("commit-c", Some(r#"{"tasks":2}"#)), None);
        assert!(state.connector("c").unwrap().inconsistent);

        state.apply(decode("task-c-0", Some(&t0)), None);
        state.apply(decode("task-c-1", Some(&t1)), None);
        state.apply(decode("commit-c", Some(r#"{"tasks":2}"#)), None);
        let c = state.connector("c").unwrap();
        assert!(!c.inconsistent);
        assert_eq!(c.tasks().len(), 2);
    }

    #[test]
    fn compacted_log_with_extra_task_ids_is_consistent() {
        // Java's own example: 2 tasks shrunk to 1, then compaction removed the first task-1.
        let (t1, t2) = (task(1), task(2));
        let state = apply_all(&[
            ("connector-c", Some(CONFIG)),
            ("task-c-1", Some(&t2)),
            ("task-c-0", Some(&t1)),
            ("commit-c", Some(r#"{"tasks":1}"#)),
        ]);
        let c = state.connector("c").unwrap();
        assert!(!c.inconsistent);
        let tasks = c.tasks();
        assert_eq!(tasks.len(), 1);
        assert_eq!(tasks[0].1["n"].as_deref(), Some("1"));
    }

    #[test]
    fn stop_then_delete() {
        let t0 = task(0);
        let mut state = apply_all(&[
            ("connector-c", Some(CONFIG)),
            ("task-c-0", Some(&t0)),
            ("commit-c", Some(r#"{"tasks":1}"#)),
            ("commit-c", Some(r#"{"tasks":0}"#)),
            (
                "target-state-c",
                Some(r#"{"state":"PAUSED","state.v2":"STOPPED"}"#),
            ),
        ]);
        let c = state.connector("c").unwrap();
        assert_eq!(c.task_count, Some(0));
        assert!(c.tasks().is_empty());
        assert_eq!(c.target_state, TargetState::Stopped);

        state.apply(decode("connector-c", None), None);
        assert!(state.connector("c").is_none());
        assert_eq!(state.target_state("c"), Some(TargetState::Stopped));
        state.apply(decode("target-state-c", None), None);
        assert_eq!(state.target_state("c"), None);

        // Task and commit records are not tombstoned; a commit for a deleted connector
        // does not bring it back.
        state.apply(decode("commit-c", Some(r#"{"tasks":1}"#)), None);
        assert_eq!(state.connectors().count(), 0);
    }

    #[test]
    fn target_state_tombstone_with_live_config_resets_to_started() {
        let state = apply_all(&[
            ("connector-c", Some(CONFIG)),
            (
                "target-state-c",
                Some(r#"{"state":"PAUSED","state.v2":"PAUSED"}"#),
            ),
            ("target-state-c", None),
        ]);
        assert_eq!(
            state.connector("c").unwrap().target_state,
            TargetState::Started
        );
    }

    #[test]
    fn recreated_connector_does_not_see_old_tasks() {
        let t0 = task(0);
        let state = apply_all(&[
            ("connector-c", Some(CONFIG)),
            ("task-c-0", Some(&t0)),
            ("commit-c", Some(r#"{"tasks":1}"#)),
            ("connector-c", None),
            ("connector-c", Some(CONFIG)),
        ]);
        let c = state.connector("c").unwrap();
        assert_eq!(c.task_count, None);
        assert!(c.tasks().is_empty());
    }

    #[test]
    fn ignored_records_change_nothing_but_side_tables_fill() {
        let state = apply_all(&[
            ("connector-b", Some(CONFIG)),
            ("connector-a", Some(CONFIG)),
            ("task-a-0", None),
            ("commit-a", None),
            ("mystery", Some("x")),
            (
                "restart-connector-a",
                Some(r#"{"include-tasks":true,"only-failed":true}"#),
            ),
            ("logger-cluster-org.foo", Some(r#"{"level":"TRACE"}"#)),
            ("tasks-fencing-a", Some(r#"{"task-count":2}"#)),
            (
                "session-key",
                Some(r#"{"key":"YQ==","algorithm":"HmacSHA256","creation-timestamp":1}"#),
            ),
        ]);
        let names: Vec<&str> = state.connectors().map(|c| c.name).collect();
        assert_eq!(names, ["a", "b"]);
        let a = state.connector("a").unwrap();
        assert_eq!(a.task_count, None);
        assert_eq!(a.last_offset, Some(7));
        assert_eq!(
            state.restart_requests()["a"],
            PendingRestart {
                include_tasks: true,
                only_failed: true,
                offset: Some(5)
            }
        );
        assert_eq!(state.logger_levels()["org.foo"], "TRACE");
        assert_eq!(state.fencing_task_count("a"), Some(2));
        assert_eq!(state.connector("b").unwrap().last_offset, Some(0));
    }
}
