//! Worker tasks (Connect's `WorkerTask`): each source or sink task runs on its own thread,
//! driven by its loop in `source.rs` / `sink.rs`, controlled through `TaskControl` and
//! reporting its state to the herder.

pub mod errors;
pub mod sink;
pub mod source;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::connect::types::{ConfigMap, ConnectorTaskId, State};
use rdkafka::config::ClientConfig;

use crate::worker::clients::{self, Role};
use crate::worker::config::WorkerConfig;
use crate::worker::converter::{self, Converter, HeaderConverter};
use crate::worker::storage::OffsetStore;
use crate::worker::transform::TransformationChain;

/// What a task tells the herder.
pub trait TaskListener: Send + Sync {
    fn state(&self, id: &ConnectorTaskId, state: State, trace: Option<String>);
    /// The task used a topic for the first time (KIP-558 active topics).
    fn topic(&self, id: &ConnectorTaskId, topic: &str);
    fn log(&self, line: String);
}

/// Stop and pause switches shared by the herder and a task thread.
#[derive(Default)]
pub struct TaskControl {
    stop: AtomicBool,
    paused: AtomicBool,
}

impl TaskControl {
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    pub fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    pub fn set_paused(&self, paused: bool) {
        self.paused.store(paused, Ordering::SeqCst);
    }

    pub fn paused(&self) -> bool {
        self.paused.load(Ordering::SeqCst)
    }
}

/// Everything a task thread needs.
pub struct TaskContext {
    pub id: ConnectorTaskId,
    pub worker: Arc<WorkerConfig>,
    pub connector_config: ConfigMap,
    pub task_config: ConfigMap,
    pub offsets: OffsetStore,
    pub control: Arc<TaskControl>,
    pub listener: Arc<dyn TaskListener>,
}

impl TaskContext {
    pub fn fail(&self, trace: String) {
        self.listener
            .log(format!("Task {} failed: {}", self.id, first_line(&trace)));
        self.listener.state(&self.id, State::Failed, Some(trace));
    }

    /// A Kafka client config of this task for `role`: the worker's settings with the
    /// connector's overrides, `client.id` as Connect names it unless set; dropped settings are
    /// logged.
    pub fn client_config(&self, role: Role, client_id: &str) -> ClientConfig {
        let mut notes = Vec::new();
        let mut cc =
            clients::client_config(&self.worker, role, Some(&self.connector_config), &mut notes);
        for n in notes {
            self.listener.log(n);
        }
        if cc.get("client.id").is_none() {
            cc.set("client.id", format!("{client_id}-{}", self.id));
        }
        cc
    }

    /// Class names of the key, value and header converters in use.
    pub fn converter_classes(&self) -> [String; 3] {
        let class = |k: &str, worker: &(String, ConfigMap)| {
            self.connector_config
                .get(k)
                .cloned()
                .unwrap_or_else(|| worker.0.clone())
        };
        [
            class("key.converter", &self.worker.key_converter),
            class("value.converter", &self.worker.value_converter),
            class("header.converter", &self.worker.header_converter),
        ]
    }

    /// The connector's converter if it names one, else the worker's.
    pub fn converter(&self, is_key: bool) -> Result<Box<dyn Converter>, String> {
        let key = if is_key {
            "key.converter"
        } else {
            "value.converter"
        };
        let (class, config) = match self.connector_config.get(key) {
            Some(class) => (
                class.clone(),
                prefixed(&self.connector_config, &format!("{key}.")),
            ),
            None if is_key => self.worker.key_converter.clone(),
            None => self.worker.value_converter.clone(),
        };
        converter::converter(&class, &config, is_key).map_err(|e| e.to_string())
    }

    pub fn header_converter(&self) -> Result<Box<dyn HeaderConverter>, String> {
        let key = "header.converter";
        let (class, config) = match self.connector_config.get(key) {
            Some(class) => (
                class.clone(),
                prefixed(&self.connector_config, "header.converter."),
            ),
            None => self.worker.header_converter.clone(),
        };
        converter::header_converter(&class, &config).map_err(|e| e.to_string())
    }

    /// The connector's `transforms` (with their predicates), in order.
    pub fn transformations(&self) -> Result<TransformationChain, String> {
        TransformationChain::from_config(&self.connector_config)
    }

    /// `errors.tolerance=all`: bad records are skipped instead of failing the task.
    pub fn tolerate_errors(&self) -> bool {
        self.connector_config
            .get("errors.tolerance")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("all"))
    }

    pub fn log_errors(&self) -> bool {
        self.connector_config
            .get("errors.log.enable")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    }
}

pub fn prefixed(config: &ConfigMap, prefix: &str) -> ConfigMap {
    config
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix(prefix)?.to_string(), v.clone())))
        .collect()
}

pub fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

/// What a record passes through between the connector and Kafka: converters and
/// transformations, and the error reporter for records that fail in them.
pub struct Stages {
    pub key_converter: Box<dyn Converter>,
    pub value_converter: Box<dyn Converter>,
    pub header_converter: Box<dyn HeaderConverter>,
    pub transformations: TransformationChain,
    pub errors: errors::ErrorReporter,
    /// Key, value and header converter class names, for error reports.
    pub classes: [String; 3],
}

impl Stages {
    pub fn new(ctx: &TaskContext, sink: bool) -> Result<Self, String> {
        Ok(Stages {
            key_converter: ctx.converter(true)?,
            value_converter: ctx.converter(false)?,
            header_converter: ctx.header_converter()?,
            transformations: ctx.transformations()?,
            errors: errors::ErrorReporter::new(ctx, sink)?,
            classes: ctx.converter_classes(),
        })
    }
}

/// A running task thread.
pub struct TaskHandle {
    pub control: Arc<TaskControl>,
    thread: Option<JoinHandle<()>>,
}

impl TaskHandle {
    pub fn spawn(
        control: Arc<TaskControl>,
        name: String,
        body: impl FnOnce() + Send + 'static,
    ) -> Result<Self, String> {
        let thread = std::thread::Builder::new()
            .name(name)
            .spawn(body)
            .map_err(|e| format!("cannot start a task thread: {e}"))?;
        Ok(TaskHandle {
            control,
            thread: Some(thread),
        })
    }

    /// Asks the task to stop and waits up to `timeout` for it (Connect's
    /// `task.shutdown.graceful.timeout.ms`); a task that does not stop in time is abandoned.
    pub fn stop(mut self, timeout: Duration) -> bool {
        self.control.stop();
        let deadline = Instant::now() + timeout;
        let Some(thread) = self.thread.take() else {
            return true;
        };
        while !thread.is_finished() {
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let _ = thread.join();
        true
    }
}
