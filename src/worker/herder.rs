//! The Herder (Connect's `StandaloneHerder`): one actor thread that owns every connector's
//! configuration, target state, task configurations and status, and starts and stops
//! connectors and task threads. REST handlers and task threads talk to it only through jobs
//! sent to its queue, so its state needs no locks.

use std::collections::{BTreeMap, HashMap};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use indexmap::{IndexMap, IndexSet};

use super::config::WorkerConfig;
use super::connector_config::{self, plugin_for};
use super::error::ConnectError;
use super::plugin::{Factory, PluginDesc, SinkConnector, SourceConnector};
use super::storage::kafka::TopicStores;
use super::storage::OffsetStore;
use super::task::{self, TaskContext, TaskControl, TaskHandle, TaskListener};
use crate::connect::types::*;
use crate::internal::configs::ConfigState;
use crate::internal::status::{Status as StatusValue, StatusRecord, TopicStatus};

pub type Job = Box<dyn FnOnce(&mut Herder) + Send>;

/// A status as last written to the status topic: state and trace.
type Shown = (State, Option<String>);

/// The way in to the herder, for REST handlers and tasks.
#[derive(Clone)]
pub struct HerderHandle {
    tx: mpsc::Sender<Job>,
}

impl HerderHandle {
    /// Runs `f` on the herder and waits for its answer.
    pub async fn call<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Herder) -> R + Send + 'static,
    ) -> Result<R, ConnectError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.send(move |h| {
            let _ = tx.send(f(h));
        })?;
        rx.await
            .map_err(|_| ConnectError::internal("The worker is shutting down"))
    }

    /// `call` for threads outside the async runtime.
    pub fn call_blocking<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Herder) -> R + Send + 'static,
    ) -> Result<R, ConnectError> {
        let (tx, rx) = mpsc::channel();
        self.send(move |h| {
            let _ = tx.send(f(h));
        })?;
        rx.recv()
            .map_err(|_| ConnectError::internal("The worker is shutting down"))
    }

    fn send(&self, f: impl FnOnce(&mut Herder) + Send + 'static) -> Result<(), ConnectError> {
        self.tx
            .send(Box::new(f))
            .map_err(|_| ConnectError::internal("The worker is shutting down"))
    }
}

/// Task events become jobs on the herder's queue.
struct Listener {
    handle: HerderHandle,
}

impl TaskListener for Listener {
    fn state(&self, id: &ConnectorTaskId, state: State, trace: Option<String>) {
        let id = id.clone();
        let _ = self
            .handle
            .send(move |h| h.on_task_state(&id, state, trace));
    }

    fn topic(&self, id: &ConnectorTaskId, topic: &str) {
        let (name, topic) = (id.connector.clone(), topic.to_string());
        let _ = self.handle.send(move |h| {
            h.on_topic(&name, &topic);
        });
    }

    fn log(&self, line: String) {
        crate::say!("{line}");
    }
}

#[derive(Debug, Clone)]
struct Status {
    state: State,
    trace: Option<String>,
}

impl Status {
    fn new(state: State) -> Self {
        Status { state, trace: None }
    }
}

enum Instance {
    Source(Box<dyn SourceConnector>),
    Sink(Box<dyn SinkConnector>),
}

impl Instance {
    fn stop(&mut self) {
        match self {
            Instance::Source(c) => c.stop(),
            Instance::Sink(c) => c.stop(),
        }
    }
}

struct Connector {
    config: ConfigMap,
    plugin: &'static PluginDesc,
    target: TargetState,
    instance: Option<Instance>,
    status: Status,
    task_configs: Vec<ConfigMap>,
    tasks: BTreeMap<i32, TaskHandle>,
    task_status: BTreeMap<i32, Status>,
    topics: IndexSet<String>,
}

impl Connector {
    fn new(config: ConfigMap, plugin: &'static PluginDesc, target: TargetState) -> Self {
        Connector {
            config,
            plugin,
            target,
            instance: None,
            status: Status::new(State::Unassigned),
            task_configs: Vec::new(),
            tasks: BTreeMap::new(),
            task_status: BTreeMap::new(),
            topics: IndexSet::new(),
        }
    }
}

pub struct Herder {
    worker: Arc<WorkerConfig>,
    worker_id: String,
    offsets: OffsetStore,
    connectors: IndexMap<String, Connector>,
    handle: HerderHandle,
    listener: Arc<Listener>,
    generation: i32,
    pub cluster_id: Option<String>,
    pub loggers: super::loggers::Loggers,
    stopping: bool,
    /// The config and status topics, when the worker has topic-backed storage.
    stores: Option<TopicStores>,
    /// The status last written per status key, so only changes are written.
    published: HashMap<String, Shown>,
}

/// What `PUT …/config` and `POST /connectors` did.
pub struct Created {
    pub created: bool,
    pub info: ConnectorInfo,
}

impl Herder {
    /// Starts the herder's thread; jobs run there in the order they were sent.
    pub fn start(
        worker: Arc<WorkerConfig>,
        worker_id: String,
        offsets: OffsetStore,
        stores: Option<(TopicStores, ConfigState)>,
    ) -> (HerderHandle, std::thread::JoinHandle<()>) {
        let (tx, rx) = mpsc::channel::<Job>();
        let handle = HerderHandle { tx };
        let listener = Arc::new(Listener {
            handle: handle.clone(),
        });
        let mut herder = Herder {
            worker,
            worker_id,
            offsets,
            connectors: IndexMap::new(),
            handle: handle.clone(),
            listener,
            generation: 0,
            cluster_id: None,
            loggers: super::loggers::Loggers::default(),
            stopping: false,
            stores: None,
            published: HashMap::new(),
        };
        let thread = std::thread::Builder::new()
            .name("herder".into())
            .spawn(move || {
                if let Some((stores, state)) = stores {
                    herder.stores = Some(stores);
                    herder.restore(&state);
                }
                while let Ok(job) = rx.recv() {
                    job(&mut herder);
                    if herder.stopping {
                        break;
                    }
                }
            })
            .expect("the herder thread starts");
        (handle, thread)
    }

    pub fn worker_id(&self) -> &str {
        &self.worker_id
    }

    /// Starts the connectors the config topic holds, in their target states: what another
    /// worker (Java's or kct's) left there.
    fn restore(&mut self, state: &ConfigState) {
        for view in state.connectors() {
            let config: ConfigMap = view
                .config
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.clone()?)))
                .collect();
            let plugin = match plugin_for(&config) {
                Ok(p) => p,
                Err(e) => {
                    self.log(format!(
                        "Connector {} from the config topic is skipped: {e}",
                        view.name
                    ));
                    continue;
                }
            };
            self.connectors.insert(
                view.name.to_string(),
                Connector::new(config, plugin, view.target_state),
            );
            self.log(format!(
                "Restored connector {} ({}) from the config topic",
                view.name,
                view.target_state.as_str()
            ));
            self.start_connector(view.name);
            self.publish_status(view.name);
        }
    }

    /// Runs `write` against the topic stores, when there are any.
    fn persist(
        &self,
        write: impl FnOnce(&TopicStores) -> Result<(), String>,
    ) -> Result<(), ConnectError> {
        match &self.stores {
            Some(s) => write(s).map_err(ConnectError::internal),
            None => Ok(()),
        }
    }

    /// Writes the statuses of `name` that changed since they were last written (and tombstones
    /// for tasks that are gone) to the status topic.
    fn publish_status(&mut self, name: &str) {
        if self.stores.is_none() {
            return;
        }
        let mut current: Vec<(String, StatusRecord, Option<Shown>)> = Vec::new();
        let status = |s: &Status| StatusValue {
            state: s.state,
            trace: s.trace.clone(),
            worker_id: self.worker_id.clone(),
            generation: self.generation,
        };
        if let Some(c) = self.connectors.get(name) {
            current.push((
                format!("status-connector-{name}"),
                StatusRecord::Connector {
                    name: name.into(),
                    status: Some(status(&c.status)),
                },
                Some((c.status.state, c.status.trace.clone())),
            ));
            for (t, s) in &c.task_status {
                let id = ConnectorTaskId {
                    connector: name.into(),
                    task: *t,
                };
                current.push((
                    format!("status-task-{id}"),
                    StatusRecord::Task {
                        id,
                        status: Some(status(s)),
                    },
                    Some((s.state, s.trace.clone())),
                ));
            }
        }
        // Statuses written before that no longer exist become tombstones (DESTROYED).
        let prefix_c = format!("status-connector-{name}");
        let prefix_t = format!("status-task-{name}-");
        let gone: Vec<String> = self
            .published
            .keys()
            .filter(|k| {
                **k == prefix_c
                    || k.strip_prefix(&prefix_t)
                        .is_some_and(|n| n.parse::<i32>().is_ok())
            })
            .filter(|k| !current.iter().any(|(ck, _, _)| ck == *k))
            .cloned()
            .collect();
        for k in gone {
            let record = match k.strip_prefix(&prefix_t).and_then(|n| n.parse().ok()) {
                Some(task) => StatusRecord::Task {
                    id: ConnectorTaskId {
                        connector: name.into(),
                        task,
                    },
                    status: None,
                },
                None => StatusRecord::Connector {
                    name: name.into(),
                    status: None,
                },
            };
            current.push((k, record, None));
        }
        let changed: Vec<(String, StatusRecord, Option<Shown>)> = current
            .into_iter()
            .filter(|(k, _, v)| self.published.get(k) != v.as_ref())
            .collect();
        if changed.is_empty() {
            return;
        }
        let records: Vec<StatusRecord> = changed.iter().map(|(_, r, _)| r.clone()).collect();
        if let Err(e) = self.persist(|s| s.put_status(&records)) {
            self.log(format!("Cannot write the status of {name}: {e}"));
            return;
        }
        for (k, _, v) in changed {
            match v {
                Some(v) => self.published.insert(k, v),
                None => self.published.remove(&k),
            };
        }
    }

    fn on_topic(&mut self, name: &str, topic: &str) {
        let Some(c) = self.connectors.get_mut(name) else {
            return;
        };
        if !c.topics.insert(topic.to_string()) {
            return;
        }
        let record = StatusRecord::Topic {
            topic: topic.into(),
            connector: name.into(),
            status: Some(TopicStatus {
                name: topic.into(),
                connector: name.into(),
                task: 0,
                discover_timestamp: now_ms(),
            }),
        };
        if let Err(e) = self.persist(|s| s.put_status(&[record])) {
            self.log(format!("Cannot record topic {topic} of {name}: {e}"));
        }
    }

    /// Stops every connector and task (offsets are flushed by the tasks), then the herder.
    /// As Java's `onShutdown`, every status becomes UNASSIGNED in the status topic: nothing
    /// runs them any more (tools that edit `connect-offsets` rely on it).
    pub fn shutdown(&mut self) {
        let names: Vec<String> = self.connectors.keys().cloned().collect();
        for name in names {
            let task_ids: Vec<i32> = self
                .connectors
                .get(&name)
                .map(|c| c.task_status.keys().copied().collect())
                .unwrap_or_default();
            self.stop_tasks(&name);
            if let Some(c) = self.connectors.get_mut(&name) {
                if let Some(mut i) = c.instance.take() {
                    i.stop();
                }
                c.status = Status::new(State::Unassigned);
                for id in task_ids {
                    c.task_status.insert(id, Status::new(State::Unassigned));
                }
            }
            self.publish_status(&name);
        }
        self.stopping = true;
    }

    fn get(&self, name: &str) -> Result<&Connector, ConnectError> {
        self.connectors
            .get(name)
            .ok_or_else(|| ConnectError::not_found(format!("Connector {name} not found")))
    }

    pub fn connector_names(&self) -> Vec<String> {
        self.connectors.keys().cloned().collect()
    }

    pub fn connector_info(&self, name: &str) -> Result<ConnectorInfo, ConnectError> {
        let c = self.get(name)?;
        Ok(ConnectorInfo {
            name: name.to_string(),
            config: c
                .config
                .iter()
                .map(|(k, v)| (k.clone(), Some(v.clone())))
                .collect(),
            tasks: (0..c.task_configs.len() as i32)
                .map(|task| ConnectorTaskId {
                    connector: name.to_string(),
                    task,
                })
                .collect(),
            kind: c.plugin.kind(),
        })
    }

    pub fn connector_config(&self, name: &str) -> Result<ConfigMap, ConnectError> {
        Ok(self.get(name)?.config.clone())
    }

    pub fn task_infos(&self, name: &str) -> Result<Vec<TaskInfo>, ConnectError> {
        let c = self.get(name)?;
        Ok(c.task_configs
            .iter()
            .enumerate()
            .map(|(i, cfg)| TaskInfo {
                id: ConnectorTaskId {
                    connector: name.to_string(),
                    task: i as i32,
                },
                config: cfg
                    .iter()
                    .map(|(k, v)| (k.clone(), Some(v.clone())))
                    .collect(),
            })
            .collect())
    }

    pub fn status(&self, name: &str) -> Result<ConnectorStateInfo, ConnectError> {
        let c = self.connectors.get(name).ok_or_else(|| {
            ConnectError::not_found(format!("No status found for connector {name}"))
        })?;
        Ok(ConnectorStateInfo {
            name: name.to_string(),
            connector: ConnectorState {
                state: c.status.state,
                worker_id: self.worker_id.clone(),
                trace: c.status.trace.clone(),
            },
            tasks: c
                .task_status
                .iter()
                .map(|(id, s)| self.task_state(*id, s))
                .collect(),
            kind: c.plugin.kind(),
        })
    }

    fn task_state(&self, id: i32, s: &Status) -> TaskState {
        TaskState {
            id,
            state: s.state,
            worker_id: self.worker_id.clone(),
            trace: s.trace.clone(),
        }
    }

    pub fn task_status(&self, name: &str, task: i32) -> Result<TaskState, ConnectError> {
        self.connectors
            .get(name)
            .and_then(|c| c.task_status.get(&task))
            .map(|s| self.task_state(task, s))
            .ok_or_else(|| {
                ConnectError::not_found(format!("No status found for task {name}-{task}"))
            })
    }

    pub fn active_topics(&self, name: &str) -> Vec<String> {
        self.connectors
            .get(name)
            .map(|c| c.topics.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// `PUT …/topics/reset`: tombstones for the connector's topic records. Like Connect, an
    /// unknown connector simply has none.
    pub fn reset_active_topics(&mut self, name: &str) -> Result<(), ConnectError> {
        let topics: Vec<String> = match self.connectors.get_mut(name) {
            Some(c) => c.topics.drain(..).collect(),
            None => return Ok(()),
        };
        let records: Vec<StatusRecord> = topics
            .into_iter()
            .map(|topic| StatusRecord::Topic {
                topic,
                connector: name.into(),
                status: None,
            })
            .collect();
        self.persist(|s| s.put_status(&records))
    }

    /// Validates a config as `POST /connectors` does and answers Connect's 400 when invalid.
    fn check_config(config: &ConfigMap) -> Result<&'static PluginDesc, ConnectError> {
        let plugin = plugin_for(config).map_err(ConnectError::bad_request)?;
        let class = config.get("connector.class").map_or("", String::as_str);
        let infos = connector_config::validate(plugin, class, config);
        let errors = connector_config::errors(&infos);
        if errors.is_empty() {
            return Ok(plugin);
        }
        Err(ConnectError::bad_request(format!(
            "Connector configuration is invalid and contains the following {} error(s):\n{}\nYou can also find the above list of errors at the endpoint `/connector-plugins/{{connectorType}}/config/validate`",
            errors.len(),
            errors.join("\n")
        )))
    }

    /// Creates or replaces a connector (`POST /connectors`, `PUT …/config`).
    pub fn put_connector(
        &mut self,
        name: &str,
        mut config: ConfigMap,
        allow_replace: bool,
        initial_state: Option<TargetState>,
    ) -> Result<Created, ConnectError> {
        config.insert("name".into(), name.to_string());
        let plugin = Self::check_config(&config)?;
        let exists = self.connectors.contains_key(name);
        if exists && !allow_replace {
            return Err(ConnectError::conflict(format!(
                "Connector {name} already exists"
            )));
        }
        let target = if exists {
            self.connectors[name].target
        } else {
            initial_state.unwrap_or(TargetState::Started)
        };
        let written_target = if exists { None } else { initial_state };
        self.persist(|s| s.put_connector(name, &config, written_target))?;
        let topics = if exists {
            self.stop_tasks(name);
            self.stop_instance(name);
            std::mem::take(&mut self.connectors[name].topics)
        } else {
            IndexSet::new()
        };
        let mut entry = Connector::new(config, plugin, target);
        entry.topics = topics;
        self.connectors.insert(name.to_string(), entry);
        self.log(format!(
            "{} connector {name}",
            if exists { "Reconfigured" } else { "Created" }
        ));
        self.start_connector(name);
        self.publish_status(name);
        Ok(Created {
            created: !exists,
            info: self.connector_info(name)?,
        })
    }

    /// Applies `PATCH …/config`: keys with `null` are removed, others set.
    pub fn patch_connector(
        &mut self,
        name: &str,
        patch: IndexMap<String, Option<String>>,
    ) -> Result<ConnectorInfo, ConnectError> {
        let mut config = self.get(name)?.config.clone();
        for (k, v) in patch {
            match v {
                Some(v) => config.insert(k, v),
                None => config.shift_remove(&k),
            };
        }
        Ok(self.put_connector(name, config, true, None)?.info)
    }

    pub fn delete_connector(&mut self, name: &str) -> Result<(), ConnectError> {
        self.get(name)?;
        self.persist(|s| s.remove_connector(name))?;
        self.stop_tasks(name);
        self.stop_instance(name);
        self.connectors.shift_remove(name);
        self.publish_status(name);
        self.log(format!("Deleted connector {name}"));
        Ok(())
    }

    fn start_connector(&mut self, name: &str) {
        let Some(c) = self.connectors.get_mut(name) else {
            return;
        };
        match instantiate(c.plugin, &c.config) {
            Err(e) => {
                c.status = failed(&e);
                self.log(format!("Connector {name} failed to start: {e}"));
            }
            Ok(instance) => {
                c.instance = Some(instance);
                c.status = Status::new(running_state(c.target));
                if c.target != TargetState::Stopped {
                    self.reconfigure_tasks(name);
                }
            }
        }
    }

    fn stop_instance(&mut self, name: &str) {
        if let Some(c) = self.connectors.get_mut(name) {
            if let Some(mut i) = c.instance.take() {
                i.stop();
            }
        }
    }

    /// Asks the connector for task configs (Connect adds `task.class`, and `topics`/`topics.regex`
    /// for sinks) and starts that many tasks.
    fn reconfigure_tasks(&mut self, name: &str) {
        let Some(c) = self.connectors.get(name) else {
            return;
        };
        let max: usize = c
            .config
            .get("tasks.max")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(1);
        let mut configs = match &c.instance {
            Some(Instance::Source(i)) => i.task_configs(max),
            Some(Instance::Sink(i)) => i.task_configs(max),
            None => Vec::new(),
        };
        configs.truncate(max);
        for cfg in &mut configs {
            cfg.insert("task.class".into(), c.plugin.task_class.to_string());
            if c.plugin.kind() == ConnectorType::Sink {
                for k in ["topics", "topics.regex"] {
                    if let Some(v) = c.config.get(k) {
                        cfg.insert(k.into(), v.clone());
                    }
                }
            }
        }
        self.generation += 1;
        if let Err(e) = self.persist(|s| s.put_task_configs(name, &configs)) {
            self.log(format!("Cannot write the task configs of {name}: {e}"));
        }
        if let Some(c) = self.connectors.get_mut(name) {
            c.task_configs = configs;
        }
        let n = self.connectors[name].task_configs.len() as i32;
        for t in 0..n {
            self.start_task(name, t);
        }
    }

    fn start_task(&mut self, name: &str, index: i32) {
        let Some(c) = self.connectors.get_mut(name) else {
            return;
        };
        let Some(task_config) = c.task_configs.get(index as usize).cloned() else {
            return;
        };
        let id = ConnectorTaskId {
            connector: name.to_string(),
            task: index,
        };
        // Offsets written meanwhile by another worker or a tool are what the task starts from.
        if let Err(e) = self.offsets.read_to_end() {
            crate::say!("WARN {id}: cannot catch up with the offsets topic: {e}");
        }
        let Some(c) = self.connectors.get_mut(name) else {
            return;
        };
        let control = Arc::new(TaskControl::default());
        control.set_paused(c.target == TargetState::Paused);
        let ctx = TaskContext {
            id: id.clone(),
            worker: self.worker.clone(),
            connector_config: c.config.clone(),
            task_config,
            offsets: self.offsets.clone(),
            control: control.clone(),
            listener: self.listener.clone(),
        };
        let body: Box<dyn FnOnce() + Send> = match c.plugin.factory {
            Factory::Source { task, .. } => Box::new(move || task::source::run(ctx, task())),
            Factory::Sink { task, .. } => Box::new(move || task::sink::run(ctx, task())),
        };
        c.task_status.insert(index, Status::new(State::Unassigned));
        match TaskHandle::spawn(control, format!("task-{id}"), body) {
            Ok(h) => {
                c.tasks.insert(index, h);
            }
            Err(e) => {
                c.task_status.insert(index, failed(&e));
            }
        }
    }

    fn stop_task(&mut self, name: &str, index: i32) {
        let timeout = Duration::from_millis(self.worker.task_shutdown_timeout_ms);
        let Some(handle) = self
            .connectors
            .get_mut(name)
            .and_then(|c| c.tasks.remove(&index))
        else {
            return;
        };
        if !handle.stop(timeout) {
            self.log(format!(
                "Graceful stop of task {name}-{index} failed: it did not stop within {} ms",
                timeout.as_millis()
            ));
        }
    }

    fn stop_tasks(&mut self, name: &str) {
        let ids: Vec<i32> = self
            .connectors
            .get(name)
            .map(|c| c.tasks.keys().copied().collect())
            .unwrap_or_default();
        // Ask all to stop first, so they wind down together.
        if let Some(c) = self.connectors.get(name) {
            for h in c.tasks.values() {
                h.control.stop();
            }
        }
        for id in ids {
            self.stop_task(name, id);
        }
        // Task events queued by the stopped threads must not bring old states back.
        if let Some(c) = self.connectors.get_mut(name) {
            c.task_status.clear();
        }
    }

    fn on_task_state(&mut self, id: &ConnectorTaskId, state: State, trace: Option<String>) {
        let Some(c) = self.connectors.get_mut(&id.connector) else {
            return;
        };
        // Only a task that is still running may report.
        if !c.tasks.contains_key(&id.task) {
            return;
        }
        c.task_status.insert(id.task, Status { state, trace });
        self.publish_status(&id.connector);
    }

    fn unknown(name: &str) -> ConnectError {
        ConnectError::not_found(format!("Unknown connector {name}"))
    }

    pub fn pause(&mut self, name: &str) -> Result<(), ConnectError> {
        if !self.connectors.contains_key(name) {
            return Err(Self::unknown(name));
        }
        self.persist(|s| s.put_target_state(name, TargetState::Paused))?;
        let c = &mut self.connectors[name];
        // A stopped connector stays stopped (no tasks) until it is resumed.
        let stopped = c.target == TargetState::Stopped;
        c.target = TargetState::Paused;
        if !stopped {
            if c.status.state == State::Running {
                c.status = Status::new(State::Paused);
            }
            for h in c.tasks.values() {
                h.control.set_paused(true);
            }
        }
        self.publish_status(name);
        Ok(())
    }

    /// Resumes a paused connector, or starts a stopped one again.
    pub fn resume(&mut self, name: &str) -> Result<(), ConnectError> {
        if !self.connectors.contains_key(name) {
            return Err(Self::unknown(name));
        }
        self.persist(|s| s.put_target_state(name, TargetState::Started))?;
        let c = &mut self.connectors[name];
        let was_stopped = c.instance.is_none() || c.status.state == State::Stopped;
        c.target = TargetState::Started;
        if was_stopped {
            self.stop_instance(name);
            self.start_connector(name);
        } else {
            if c.status.state == State::Paused {
                c.status = Status::new(State::Running);
            }
            for h in c.tasks.values() {
                h.control.set_paused(false);
            }
        }
        self.publish_status(name);
        Ok(())
    }

    /// `PUT …/stop`: no tasks (an empty task-config set), then target state STOPPED.
    pub fn stop(&mut self, name: &str) -> Result<(), ConnectError> {
        self.get(name)?;
        self.persist(|s| {
            s.put_task_configs(name, &[])?;
            s.put_target_state(name, TargetState::Stopped)
        })?;
        self.stop_tasks(name);
        self.stop_instance(name);
        if let Some(c) = self.connectors.get_mut(name) {
            c.task_configs.clear();
            c.target = TargetState::Stopped;
            c.status = Status::new(State::Stopped);
        }
        self.publish_status(name);
        self.log(format!("Stopped connector {name}"));
        Ok(())
    }

    /// Plain `POST …/restart`: the Connector instance only (tasks keep running; a connector
    /// that had none, because it had failed, gets them now).
    pub fn restart_connector(&mut self, name: &str) -> Result<(), ConnectError> {
        if !self.connectors.contains_key(name) {
            return Err(ConnectError::not_found(format!(
                "Unknown connector: {name}"
            )));
        }
        self.stop_instance(name);
        let had_tasks = !self.connectors[name].tasks.is_empty();
        if had_tasks {
            let c = &mut self.connectors[name];
            match instantiate(c.plugin, &c.config) {
                Ok(i) => {
                    c.instance = Some(i);
                    c.status = Status::new(running_state(c.target));
                }
                Err(e) => c.status = failed(&e),
            }
        } else {
            self.start_connector(name);
        }
        self.publish_status(name);
        Ok(())
    }

    /// `POST …/restart?includeTasks=…&onlyFailed=…` (KIP-745): answers with RESTARTING for what
    /// will restart, and restarts it right after the answer.
    pub fn restart_plan(
        &mut self,
        name: &str,
        include_tasks: bool,
        only_failed: bool,
    ) -> Result<ConnectorStateInfo, ConnectError> {
        let mut info = self.status(name).map_err(|_| {
            ConnectError::not_found(format!("Status for connector {name} not found"))
        })?;
        let restart_connector = !only_failed || info.connector.state == State::Failed;
        if restart_connector {
            info.connector.state = State::Restarting;
            info.connector.trace = None;
        }
        let mut tasks = Vec::new();
        for t in &mut info.tasks {
            if include_tasks && (!only_failed || t.state == State::Failed) {
                t.state = State::Restarting;
                t.trace = None;
                tasks.push(t.id);
            }
        }
        let name = name.to_string();
        let _ = self.handle.send(move |h| {
            if restart_connector {
                let _ = h.restart_connector(&name);
            }
            for t in tasks {
                let _ = h.restart_task(&name, t);
            }
        });
        Ok(info)
    }

    pub fn restart_task(&mut self, name: &str, task: i32) -> Result<(), ConnectError> {
        let c = self
            .connectors
            .get(name)
            .ok_or_else(|| ConnectError::not_found(format!("Unknown connector: {name}")))?;
        if task < 0 || task as usize >= c.task_configs.len() {
            return Err(ConnectError::not_found(format!(
                "Unknown task: {name}-{task}"
            )));
        }
        self.stop_task(name, task);
        self.start_task(name, task);
        self.publish_status(name);
        Ok(())
    }

    fn is_stopped_without_tasks(&self, name: &str) -> Result<(), ConnectError> {
        let c = self.get(name)?;
        if c.target == TargetState::Stopped && c.tasks.is_empty() {
            return Ok(());
        }
        Err(ConnectError::bad_request(format!(
            "Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/{name}/stop' endpoint"
        )))
    }

    pub fn connector_type(&self, name: &str) -> Result<ConnectorType, ConnectError> {
        Ok(self.get(name)?.plugin.kind())
    }

    /// Source offsets from the offset store (sink offsets come from the consumer group; see
    /// `sink_offsets`).
    pub fn source_offsets(&self, name: &str) -> Result<ConnectorOffsets, ConnectError> {
        self.get(name)?;
        self.offsets
            .read_to_end()
            .map_err(|e| ConnectError::internal(format!("cannot read the offsets: {e}")))?;
        Ok(ConnectorOffsets {
            offsets: self
                .offsets
                .connector_offsets(name)
                .into_iter()
                .map(|(partition, offset)| ConnectorOffset { partition, offset })
                .collect(),
        })
    }

    /// `PATCH …/offsets` for a source connector; `None` offsets reset a partition.
    pub fn alter_source_offsets(
        &mut self,
        name: &str,
        offsets: Vec<(JsonMap, Option<JsonMap>)>,
    ) -> Result<Message, ConnectError> {
        self.is_stopped_without_tasks(name)?;
        let c = self.get(name)?;
        for (p, o) in &offsets {
            crate::internal::offsets::validate_format(p)
                .map_err(|e| ConnectError::bad_request(e.problem))?;
            if let Some(o) = o {
                crate::internal::offsets::validate_format(o)
                    .map_err(|e| ConnectError::bad_request(e.problem))?;
            }
        }
        let managed_only = match c.plugin.factory {
            Factory::Source { connector, .. } => connector()
                .alter_offsets(&c.config, &offsets)
                .map_err(ConnectError::internal)?,
            Factory::Sink { .. } => false,
        };
        self.offsets
            .write(name, &offsets)
            .map_err(ConnectError::internal)?;
        Ok(offsets_message(managed_only, "altered"))
    }

    pub fn reset_source_offsets(&mut self, name: &str) -> Result<Message, ConnectError> {
        self.is_stopped_without_tasks(name)?;
        let resets: Vec<(JsonMap, Option<JsonMap>)> = self
            .offsets
            .connector_offsets(name)
            .into_iter()
            .map(|(p, _)| (p, None))
            .collect();
        let c = self.get(name)?;
        let managed_only = match c.plugin.factory {
            Factory::Source { connector, .. } => connector()
                .alter_offsets(&c.config, &resets)
                .map_err(ConnectError::internal)?,
            Factory::Sink { .. } => false,
        };
        self.offsets
            .write(name, &resets)
            .map_err(ConnectError::internal)?;
        Ok(offsets_message(managed_only, "reset"))
    }

    /// Checks a sink offsets change may run, and returns the connector config for it.
    pub fn sink_offsets_target(&self, name: &str) -> Result<ConfigMap, ConnectError> {
        self.is_stopped_without_tasks(name)?;
        Ok(self.get(name)?.config.clone())
    }

    pub fn worker(&self) -> Arc<WorkerConfig> {
        self.worker.clone()
    }

    fn log(&self, line: String) {
        crate::say!("[{}] INFO {line}", timestamp());
    }
}

fn instantiate(plugin: &PluginDesc, config: &ConfigMap) -> Result<Instance, String> {
    match plugin.factory {
        Factory::Source { connector, .. } => {
            let mut i = connector();
            i.start(config).map(|_| Instance::Source(i))
        }
        Factory::Sink { connector, .. } => {
            let mut i = connector();
            i.start(config).map(|_| Instance::Sink(i))
        }
    }
}

/// The state a started connector shows for its target state.
fn running_state(target: TargetState) -> State {
    match target {
        TargetState::Started => State::Running,
        TargetState::Paused => State::Paused,
        TargetState::Stopped => State::Stopped,
    }
}

fn failed(message: &str) -> Status {
    Status {
        state: State::Failed,
        trace: Some(trace("ConnectException", message)),
    }
}

/// Connect's answer to an offsets change; `managed_only` when the connector keeps no offsets of
/// its own elsewhere.
pub fn offsets_message(managed_only: bool, verb: &str) -> Message {
    Message {
        message: if managed_only {
            format!("The offsets for this connector have been {verb} successfully")
        } else {
            format!("The Connect framework-managed offsets for this connector have been {verb} successfully. However, if this connector manages offsets externally, they will need to be manually {verb} in the system that the connector uses.")
        },
    }
}

/// A `trace` for the status API in the shape of a Java exception's first line.
pub fn trace(exception: &str, message: &str) -> String {
    format!("org.apache.kafka.connect.errors.{exception}: {message}")
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn timestamp() -> String {
    humantime::format_rfc3339_millis(UNIX_EPOCH + Duration::from_millis(now_ms() as u64))
        .to_string()
}
