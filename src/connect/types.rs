//! Kafka Connect's REST entities, with the JSON field names and order Java's Jackson writes
//! (spec `connect.md` §1.2). The worker serves these and the client reads them: one definition
//! each, so the two cannot drift apart. Parsing ignores fields it does not know.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// A connector configuration: Java sends `null` values in some places, so values are optional
/// when read; the worker only ever stores strings.
pub type ConfigMap = IndexMap<String, String>;

/// `ConnectorType`, lower-cased by Jackson.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConnectorType {
    Source,
    Sink,
    #[serde(other)]
    Unknown,
}

impl ConnectorType {
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectorType::Source => "source",
            ConnectorType::Sink => "sink",
            ConnectorType::Unknown => "unknown",
        }
    }
}

/// `AbstractStatus.State`. `Destroyed` is never shown over REST: in the status topic it is a
/// tombstone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum State {
    Unassigned,
    Running,
    Paused,
    Failed,
    Restarting,
    Stopped,
    Destroyed,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Unassigned => "UNASSIGNED",
            State::Running => "RUNNING",
            State::Paused => "PAUSED",
            State::Failed => "FAILED",
            State::Restarting => "RESTARTING",
            State::Stopped => "STOPPED",
            State::Destroyed => "DESTROYED",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        Some(match s {
            "UNASSIGNED" => State::Unassigned,
            "RUNNING" => State::Running,
            "PAUSED" => State::Paused,
            "FAILED" => State::Failed,
            "RESTARTING" => State::Restarting,
            "STOPPED" => State::Stopped,
            "DESTROYED" => State::Destroyed,
            _ => return None,
        })
    }
}

impl std::fmt::Display for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a connector is asked to be (`TargetState`); `initial_state` on create uses the REST
/// names RUNNING/PAUSED/STOPPED for the same three.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TargetState {
    Started,
    Paused,
    Stopped,
}

impl TargetState {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetState::Started => "STARTED",
            TargetState::Paused => "PAUSED",
            TargetState::Stopped => "STOPPED",
        }
    }

    pub fn parse(s: &str) -> Option<TargetState> {
        match s {
            "STARTED" => Some(TargetState::Started),
            "PAUSED" => Some(TargetState::Paused),
            "STOPPED" => Some(TargetState::Stopped),
            _ => None,
        }
    }

    /// `initial_state` of a create request (case-insensitive, as Jackson's enum reader there).
    pub fn from_initial_state(s: &str) -> Option<TargetState> {
        match s.to_ascii_uppercase().as_str() {
            "RUNNING" => Some(TargetState::Started),
            "PAUSED" => Some(TargetState::Paused),
            "STOPPED" => Some(TargetState::Stopped),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ConnectorTaskId {
    pub connector: String,
    pub task: i32,
}

impl std::fmt::Display for ConnectorTaskId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.connector, self.task)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectorInfo {
    pub name: String,
    pub config: IndexMap<String, Option<String>>,
    pub tasks: Vec<ConnectorTaskId>,
    #[serde(rename = "type", default = "unknown_type")]
    pub kind: ConnectorType,
}

fn unknown_type() -> ConnectorType {
    ConnectorType::Unknown
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskInfo {
    pub id: ConnectorTaskId,
    pub config: IndexMap<String, Option<String>>,
}

/// The `connector` part of a status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectorState {
    pub state: State,
    pub worker_id: String,
    #[serde(default, skip_serializing_if = "is_empty_trace")]
    pub trace: Option<String>,
}

/// One task of a status, and the body of `GET …/tasks/{t}/status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskState {
    pub id: i32,
    pub state: State,
    pub worker_id: String,
    #[serde(default, skip_serializing_if = "is_empty_trace")]
    pub trace: Option<String>,
}

fn is_empty_trace(t: &Option<String>) -> bool {
    t.as_deref().is_none_or(str::is_empty)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectorStateInfo {
    pub name: String,
    pub connector: ConnectorState,
    pub tasks: Vec<TaskState>,
    #[serde(rename = "type", default = "unknown_type")]
    pub kind: ConnectorType,
}

/// `GET /`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerInfo {
    pub version: String,
    pub commit: String,
    pub kafka_cluster_id: Option<String>,
}

/// `GET /health`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerStatus {
    pub status: String,
    pub message: String,
}

/// One entry of `GET /connector-plugins`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PluginInfo {
    #[serde(rename = "class")]
    pub class_name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// A config key's definition (`ConfigKeyInfo`). Java writes `order` but reads `order_in_group`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigKeyInfo {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub required: bool,
    pub default_value: Option<String>,
    pub importance: String,
    pub documentation: Option<String>,
    pub group: Option<String>,
    #[serde(alias = "order_in_group")]
    pub order: i32,
    pub width: String,
    pub display_name: String,
    pub dependents: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigValueInfo {
    pub name: String,
    pub value: Option<String>,
    pub recommended_values: Vec<String>,
    pub errors: Vec<String>,
    pub visible: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigInfo {
    pub definition: Option<ConfigKeyInfo>,
    pub value: Option<ConfigValueInfo>,
}

/// The answer of `PUT /connector-plugins/{p}/config/validate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigInfos {
    pub name: String,
    pub error_count: usize,
    pub groups: Vec<String>,
    pub configs: Vec<ConfigInfo>,
}

/// A source partition or offset: JSON objects with primitive values, in the order the
/// connector gave them (the order is part of the offset's identity in `connect-offsets`).
pub type JsonMap = serde_json::Map<String, serde_json::Value>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectorOffset {
    pub partition: JsonMap,
    pub offset: Option<JsonMap>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectorOffsets {
    pub offsets: Vec<ConnectorOffset>,
}

/// `{"message":"…"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub message: String,
}

/// Every non-2xx answer of Connect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorMessage {
    pub error_code: u16,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoggerLevel {
    pub level: String,
    pub last_modified: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActiveTopicsInfo {
    pub topics: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateConnectorRequest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub config: Option<IndexMap<String, Option<String>>>,
    #[serde(default)]
    pub initial_state: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_leaves_out_empty_trace_and_keeps_java_field_order() {
        let s = ConnectorStateInfo {
            name: "c".into(),
            connector: ConnectorState {
                state: State::Running,
                worker_id: "h:8083".into(),
                trace: None,
            },
            tasks: vec![TaskState {
                id: 0,
                state: State::Failed,
                worker_id: "h:8083".into(),
                trace: Some("boom".into()),
            }],
            kind: ConnectorType::Source,
        };
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"name":"c","connector":{"state":"RUNNING","worker_id":"h:8083"},"tasks":[{"id":0,"state":"FAILED","worker_id":"h:8083","trace":"boom"}],"type":"source"}"#
        );
    }

    #[test]
    fn config_key_info_reads_both_order_spellings_and_unknown_fields() {
        let j = r#"{"name":"topic","type":"STRING","required":true,"default_value":null,"importance":"HIGH","documentation":"d","group":null,"order_in_group":-1,"width":"NONE","display_name":"topic","dependents":[],"new_field":1}"#;
        let k: ConfigKeyInfo = serde_json::from_str(j).unwrap();
        assert_eq!(k.order, -1);
        assert!(serde_json::to_string(&k).unwrap().contains(r#""order":-1"#));
    }

    #[test]
    fn plugin_info_leaves_out_undefined_version() {
        let p = PluginInfo {
            class_name: "org.apache.kafka.connect.file.FileStreamSinkConnector".into(),
            kind: "sink".into(),
            version: None,
        };
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"class":"org.apache.kafka.connect.file.FileStreamSinkConnector","type":"sink"}"#
        );
    }

    #[test]
    fn unknown_connector_type_and_state_round_trip() {
        let i: ConnectorInfo =
            serde_json::from_str(r#"{"name":"c","config":{"a":null},"tasks":[],"type":"weird"}"#)
                .unwrap();
        assert_eq!(i.kind, ConnectorType::Unknown);
        assert_eq!(State::parse("STOPPED"), Some(State::Stopped));
        assert_eq!(
            TargetState::from_initial_state("paused"),
            Some(TargetState::Paused)
        );
    }
}
