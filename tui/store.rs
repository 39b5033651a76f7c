//! What the console knows about the cluster: the last answers of the jobs thread, kept with
//! their errors (stale data stays visible under an error), and the rows derived from them.

use std::collections::{BTreeMap, HashMap};

use indexmap::IndexMap;
use kct::config::context::Target;
use kct::connect::client::{Config, ExpandedConnector};
use kct::connect::ops::{self, Health};
use kct::connect::types::{
    ConfigKeyInfo, ConnectorOffsets, ConnectorStateInfo, ConnectorType, PluginInfo, ServerInfo,
    State,
};

use super::jobs::ConfigView;
use super::kafka::{BrowseUpdate, Inspected, Internal};
use kct::kafka::browse::{BrowsedRecord, TopicSummary, Window};

/// An answer as last received: the data of the last success and the error of the last
/// failure, if that came later.
#[derive(Debug, Clone)]
pub struct Loaded<T> {
    pub data: Option<T>,
    pub error: Option<String>,
}

impl<T> Default for Loaded<T> {
    fn default() -> Self {
        Loaded {
            data: None,
            error: None,
        }
    }
}

impl<T> Loaded<T> {
    pub fn set(&mut self, r: Result<T, String>) {
        match r {
            Ok(d) => {
                self.data = Some(d);
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
    }
}

/// One connector as the list shows it.
#[derive(Debug, Clone)]
pub struct ConnectorRow {
    pub name: String,
    pub kind: ConnectorType,
    pub class: String,
    pub status: Option<ConnectorStateInfo>,
    pub config: Config,
}

impl ConnectorRow {
    fn of(name: &str, e: &ExpandedConnector) -> ConnectorRow {
        let config = e
            .info
            .as_ref()
            .map(|i| i.config.clone())
            .unwrap_or_default();
        let kind = match (&e.info, &e.status) {
            (Some(i), _) if i.kind != ConnectorType::Unknown => i.kind,
            (_, Some(s)) => s.kind,
            _ => ConnectorType::Unknown,
        };
        ConnectorRow {
            name: name.to_string(),
            kind,
            class: config
                .get("connector.class")
                .cloned()
                .flatten()
                .unwrap_or_default(),
            status: e.status.clone(),
            config,
        }
    }

    pub fn state(&self) -> Option<State> {
        self.status.as_ref().map(|s| s.connector.state)
    }

    pub fn health(&self) -> Option<Health> {
        self.status.as_ref().map(Health::of)
    }

    /// (running, total, failed) tasks.
    pub fn tasks(&self) -> (usize, usize, usize) {
        self.status
            .as_ref()
            .map(ops::task_counts)
            .unwrap_or_default()
    }

    /// The workers running the connector and its tasks, connector's first, once each.
    pub fn workers(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        if let Some(s) = &self.status {
            let ids =
                std::iter::once(&s.connector.worker_id).chain(s.tasks.iter().map(|t| &t.worker_id));
            for w in ids.filter(|w| !w.is_empty()) {
                if !out.contains(&w.as_str()) {
                    out.push(w);
                }
            }
        }
        out
    }

    /// How many topics the config names: sinks' `topics` list, or one `topic` of a source;
    /// `None` when the config does not say (a regex, or a plugin-specific key).
    pub fn configured_topics(&self) -> Option<usize> {
        let get = |k: &str| self.config.get(k).cloned().flatten();
        if let Some(t) = get("topics") {
            return Some(t.split(',').filter(|s| !s.trim().is_empty()).count());
        }
        ["topic", "kafka.topic"]
            .iter()
            .any(|k| get(k).is_some())
            .then_some(1)
    }
}

/// One worker and the load on it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkerRow {
    pub id: String,
    pub connectors: usize,
    pub tasks: usize,
    pub running: usize,
    pub failed: usize,
    /// `connector/task STATE` lines for the worker's detail.
    pub instances: Vec<(String, State)>,
}

/// A configured context: its target (or why it has none) and what probing it found.
#[derive(Debug, Clone)]
pub struct ContextRow {
    pub name: String,
    pub target: Result<Target, String>,
    pub probe: Loaded<ServerInfo>,
}

#[derive(Debug, Default)]
pub struct Store {
    /// The context's name, or `command line` when flags alone named the cluster.
    pub context: String,
    pub url: String,
    pub server: Loaded<ServerInfo>,
    pub connectors: Loaded<Vec<ConnectorRow>>,
    /// Local time of the last good refresh.
    pub refreshed: Option<String>,
    pub configs: HashMap<String, Loaded<ConfigView>>,
    pub topics: HashMap<String, Loaded<Vec<String>>>,
    pub offsets: HashMap<String, Loaded<ConnectorOffsets>>,
    pub plugins: Loaded<Vec<PluginInfo>>,
    pub plugin_defs: HashMap<String, Loaded<Vec<ConfigKeyInfo>>>,
    pub contexts: Vec<ContextRow>,
    /// What the console's last restart of a connector did, and when.
    pub restarts: HashMap<String, String>,
    /// Connectors whose offsets came from the offsets topic (no KIP-875 on the cluster).
    pub offsets_from_topic: std::collections::HashSet<String>,
    /// The internal topics as the inspector read them.
    pub inspect: HashMap<Internal, Inspecting>,
    pub kafka_topics: Loaded<Vec<TopicSummary>>,
    /// The newest browse session's records.
    pub browse: Option<Browsing>,
}

/// An internal topic being read or read: the last result, progress while a read is out.
#[derive(Debug, Default)]
pub struct Inspecting {
    pub loaded: Loaded<Box<Inspected>>,
    /// (records read, records in the topic) of the read under way.
    pub progress: Option<(u64, u64)>,
    /// A read is out.
    pub busy: bool,
    /// Something was written: read again.
    pub stale: bool,
}

/// A record of the browser with its one-line texts (made once, for filtering and drawing).
#[derive(Debug, Clone)]
pub struct Shown {
    pub record: BrowsedRecord,
    pub key: String,
    pub value: String,
}

/// Longest key or value text kept for the list.
const SHOWN_MAX: usize = 400;

fn one_line(bytes: Option<&[u8]>) -> String {
    let Some(b) = bytes else {
        return "NULL".into();
    };
    let text = String::from_utf8_lossy(&b[..b.len().min(SHOWN_MAX * 4)]);
    text.chars()
        .take(SHOWN_MAX)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

impl Shown {
    pub fn of(record: BrowsedRecord) -> Shown {
        Shown {
            key: one_line(record.key.as_deref()),
            value: one_line(record.value.as_deref()),
            record,
        }
    }
}

/// A browse session as the console sees it.
#[derive(Debug)]
pub struct Browsing {
    pub id: u64,
    pub partitions: Option<Vec<i32>>,
    pub records: Window<Shown>,
    /// How many records arrived in all.
    pub received: u64,
    pub caught_up: bool,
    pub error: Option<String>,
}

impl Browsing {
    pub fn new(id: u64, cap: usize) -> Browsing {
        Browsing {
            id,
            partitions: None,
            records: Window::new(cap),
            received: 0,
            caught_up: false,
            error: None,
        }
    }

    pub fn apply(&mut self, u: BrowseUpdate) {
        match u {
            BrowseUpdate::Opened(ps) => {
                self.partitions = Some(ps);
                self.error = None;
            }
            BrowseUpdate::Records(rs, caught_up) => {
                self.received += rs.len() as u64;
                self.records.extend(rs.into_iter().map(Shown::of));
                self.caught_up = caught_up;
                self.error = None;
            }
            BrowseUpdate::CaughtUp => self.caught_up = true,
            BrowseUpdate::Error(e) => self.error = Some(e),
        }
    }
}

impl Store {
    pub fn set_connectors(&mut self, r: Result<IndexMap<String, ExpandedConnector>, String>) {
        self.connectors
            .set(r.map(|map| map.iter().map(|(n, e)| ConnectorRow::of(n, e)).collect()));
    }

    pub fn connector(&self, name: &str) -> Option<&ConnectorRow> {
        self.connectors
            .data
            .as_ref()
            .and_then(|rows| rows.iter().find(|r| r.name == name))
    }

    pub fn connector_rows(&self) -> &[ConnectorRow] {
        self.connectors.data.as_deref().unwrap_or_default()
    }

    /// The workers seen in the statuses, by id.
    pub fn workers(&self) -> Vec<WorkerRow> {
        let mut map: BTreeMap<String, WorkerRow> = BTreeMap::new();
        for c in self.connector_rows() {
            let Some(s) = &c.status else { continue };
            let tasks = s
                .tasks
                .iter()
                .map(|t| (&t.worker_id, format!("{}/{}", c.name, t.id), t.state, true));
            let own = (
                &s.connector.worker_id,
                c.name.clone(),
                s.connector.state,
                false,
            );
            for (w, what, state, task) in std::iter::once(own).chain(tasks) {
                if w.is_empty() {
                    continue;
                }
                let row = map.entry(w.clone()).or_insert_with(|| WorkerRow {
                    id: w.clone(),
                    ..WorkerRow::default()
                });
                if task {
                    row.tasks += 1;
                    row.running += usize::from(state == State::Running);
                    row.failed += usize::from(state == State::Failed);
                } else {
                    row.connectors += 1;
                }
                row.instances.push((what, state));
            }
        }
        map.into_values().collect()
    }

    /// How many connectors are in trouble or held: (failed, degraded, paused, stopped).
    pub fn trouble(&self) -> (usize, usize, usize, usize) {
        let mut out = (0, 0, 0, 0);
        for r in self.connector_rows() {
            match r.health() {
                Some(Health::Unhealthy) => out.0 += 1,
                Some(Health::Degraded) => out.1 += 1,
                Some(Health::Paused) => out.2 += 1,
                Some(Health::Stopped) => out.3 += 1,
                _ => {}
            }
        }
        out
    }
}
