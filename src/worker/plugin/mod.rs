//! Connector plugins: the Connector/Task contracts (Connect's `SourceConnector`,
//! `SourceTask`, `SinkConnector`, `SinkTask`) and the registry of connectors built into kct,
//! found by Java class name or alias as Connect's plugin loader finds them.

pub mod datagen;
pub mod file;
pub mod spooldir;

use crate::connect::types::{ConfigMap, ConnectorType, JsonMap, PluginInfo};
use crate::worker::configdef::ConfigDef;
use crate::worker::data::ConnectRecord;

/// kct reports its connectors with this version, as Connect reports its bundled ones with the
/// Kafka version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Reads committed source offsets (`OffsetStorageReader`).
pub trait OffsetReader {
    fn offset(&self, partition: &JsonMap) -> Option<JsonMap>;
}

pub trait SourceConnector: Send {
    fn start(&mut self, config: &ConfigMap) -> Result<(), String>;
    /// Task configurations for at most `max_tasks` tasks.
    fn task_configs(&self, max_tasks: usize) -> Vec<ConfigMap>;
    fn stop(&mut self) {}
    /// Checks offsets a user asks to write (`PATCH …/offsets`); `Ok(true)` when the
    /// connector keeps no offsets of its own elsewhere.
    fn alter_offsets(
        &self,
        _config: &ConfigMap,
        _offsets: &[(JsonMap, Option<JsonMap>)],
    ) -> Result<bool, String> {
        Ok(false)
    }
}

pub trait SourceTask: Send {
    fn start(&mut self, config: &ConfigMap, offsets: &dyn OffsetReader) -> Result<(), String>;
    /// The next records; an empty batch after a short wait when there is nothing to read, so
    /// the caller can notice pause and stop requests.
    fn poll(&mut self) -> Result<Vec<ConnectRecord>, String>;
    /// Called with the offsets (source partition, offset) just made durable.
    fn commit(&mut self, _committed: &[(JsonMap, JsonMap)]) {}
    fn stop(&mut self) {}
}

pub trait SinkConnector: Send {
    fn start(&mut self, config: &ConfigMap) -> Result<(), String>;
    fn task_configs(&self, max_tasks: usize) -> Vec<ConfigMap>;
    fn stop(&mut self) {}
}

pub trait SinkTask: Send {
    fn start(&mut self, config: &ConfigMap) -> Result<(), String>;
    fn put(&mut self, records: Vec<ConnectRecord>) -> Result<(), String>;
    /// Makes everything `put` so far durable; offsets are committed only after this returns.
    fn flush(&mut self) -> Result<(), String>;
    fn stop(&mut self) {}
}

/// `count` copies of a connector config, each told its task number under `index_key` and the
/// task count under `task.count`, for connectors whose tasks share the work by number.
pub fn numbered_task_configs(
    config: &ConfigMap,
    max_tasks: usize,
    index_key: &str,
) -> Vec<ConfigMap> {
    let count = max_tasks.max(1);
    (0..count)
        .map(|i| {
            let mut c = config.clone();
            c.insert(index_key.into(), i.to_string());
            c.insert("task.count".into(), count.to_string());
            c
        })
        .collect()
}

/// How to build a plugin's connector and tasks.
pub enum Factory {
    Source {
        connector: fn() -> Box<dyn SourceConnector>,
        task: fn() -> Box<dyn SourceTask>,
    },
    Sink {
        connector: fn() -> Box<dyn SinkConnector>,
        task: fn() -> Box<dyn SinkTask>,
    },
}

pub struct PluginDesc {
    pub class: &'static str,
    pub task_class: &'static str,
    /// The plugin's own config keys (the framework's are added by the herder).
    pub config_def: fn() -> ConfigDef,
    pub factory: Factory,
}

impl PluginDesc {
    pub fn kind(&self) -> ConnectorType {
        match self.factory {
            Factory::Source { .. } => ConnectorType::Source,
            Factory::Sink { .. } => ConnectorType::Sink,
        }
    }

    pub fn info(&self) -> PluginInfo {
        PluginInfo {
            class_name: self.class.to_string(),
            kind: self.kind().as_str().to_string(),
            version: Some(VERSION.to_string()),
        }
    }

    /// Connect's aliases: the simple class name, and that name without a `Connector` suffix.
    fn matches(&self, name: &str) -> bool {
        let simple = self.class.rsplit('.').next().unwrap_or(self.class);
        name == self.class || name == simple || simple.strip_suffix("Connector") == Some(name)
    }
}

pub fn all() -> &'static [PluginDesc] {
    static PLUGINS: [PluginDesc; 7] = [
        file::SOURCE,
        file::SINK,
        spooldir::CSV,
        spooldir::JSON,
        spooldir::LINE,
        datagen::DATAGEN,
        datagen::CONFLUENT,
    ];
    &PLUGINS
}

/// The plugin for a `connector.class` value (class name or alias).
pub fn find(name: &str) -> Option<&'static PluginDesc> {
    let name = name.trim();
    all().iter().find(|p| p.matches(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_by_class_and_both_aliases() {
        for n in [
            "org.apache.kafka.connect.file.FileStreamSourceConnector",
            "FileStreamSourceConnector",
            "FileStreamSource",
        ] {
            assert_eq!(find(n).unwrap().kind(), ConnectorType::Source, "{n}");
        }
        assert_eq!(find("FileStreamSink").unwrap().kind(), ConnectorType::Sink);
        assert!(find("FileStream").is_none());
        assert!(find("com.example.Nope").is_none());
    }
}
