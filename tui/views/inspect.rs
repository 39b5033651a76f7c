//! `:offsets`, `:configs`, `:status`: Connect's internal topics read straight from Kafka by the
//! inspector, grouped by connector, the latest record per key (what a worker would load) or
//! every record (`h`), with the anomalies in words under the connector they concern. Reading a
//! big topic shows its progress. In `:offsets`, `x` resets the selected connector's offsets
//! through the offsets topic (plan first, every record shown before confirming), `o` sets the
//! selected source partition's offset the same way (a KIP-875 body of that one partition), and
//! `enter` shows the raw record as kcat's `-J` envelope.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use kct::connect::ops;
use kct::connect::types::{ConnectorOffset, ConnectorOffsets, JsonMap, State};
use kct::internal::inspect::{raw_text, Anomaly, AnomalyKind, HistoryRecord, OwnedRecord};
use kct::kafka::browse::pretty_envelope;
use kct::record::json::{write_envelope, Encoding};
use kct::record::{HeaderList, MessageView, TimestampType};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Gauge, Paragraph, Wrap};
use ratatui::Frame;
use serde_json::Value;

use super::text::TextView;
use super::{DrawCx, Effect, Filter, ListState, Resource, View};
use crate::tui::jobs::{Request, TopicWrite};
use crate::tui::kafka::{Body, Inspected, Internal, HISTORY_MAX};
use crate::tui::keymap::Action;
use crate::tui::overlay::{Prompt, PromptFor};
use crate::tui::store::{Inspecting, Store};
use crate::tui::theme::{Role, Theme};
use crate::tui::widgets::{self, Col};

pub const OFFSETS: Resource = Resource {
    name: "offsets",
    aliases: &["connect-offsets"],
    about: "source offsets from the offsets topic: latest, history, anomalies, reset",
    open: || open(Internal::Offsets),
};

pub const CONFIGS: Resource = Resource {
    name: "configs",
    aliases: &["connect-configs"],
    about: "connector configs, target states, task commits from the config topic",
    open: || open(Internal::Configs),
};

pub const STATUS: Resource = Resource {
    name: "status",
    aliases: &["connect-status"],
    about: "connector and task statuses from the status topic",
    open: || open(Internal::Status),
};

pub fn open(kind: Internal) -> Box<dyn View> {
    Box::new(InspectView {
        kind,
        history: false,
        list: ListState::default(),
        filter: Filter::default(),
        folded: BTreeSet::new(),
        cache: RefCell::new(None),
        setting: None,
    })
}

pub struct InspectView {
    kind: Internal,
    history: bool,
    list: ListState,
    filter: Filter,
    /// Connectors shown folded (their group line only).
    folded: BTreeSet<String>,
    /// The rows as last computed, and what they were computed from.
    cache: RefCell<Option<(CacheKey, Vec<Row>)>>,
    /// The connector and source partition whose new offset `o` asked for.
    setting: Option<(String, JsonMap)>,
}

/// What the rows depend on: the data (its address), the filter, the folds, the mode, the last
/// refresh of the connector states, and whether they were made with the theme's styles.
type CacheKey = (usize, String, Vec<String>, bool, Option<String>, bool);

/// What a row is, for `enter` and `x`.
#[derive(Debug, Clone)]
enum Target {
    None,
    /// A connector's group line (its name; `None` for keys of no connector).
    Group(Option<String>),
    /// A latest offset entry (index into the view's offsets).
    Offset(usize),
    History(usize),
    ConfigEntry(usize),
    StatusEntry(usize, Option<usize>),
    Anomaly(usize),
}

#[derive(Debug, Clone)]
struct Row {
    target: Target,
    /// The connector the row belongs to.
    connector: Option<String>,
    shape: Shape,
}

#[derive(Debug, Clone)]
enum Shape {
    Cells(Vec<(String, Style)>),
    /// One text across the width.
    Wide(Vec<Span<'static>>),
}

const NO_CONNECTOR: &str = "(no connector)";

fn anomaly_label(kind: AnomalyKind) -> &'static str {
    match kind {
        AnomalyKind::Undecodable => "undecodable",
        AnomalyKind::OrphanOffsets => "orphan",
        AnomalyKind::DuplicatePartitionKey => "key order",
        AnomalyKind::MisplacedTombstone => "misplaced tombstone",
        AnomalyKind::KeyInSeveralPartitions => "key in several partitions",
        AnomalyKind::UncommittedTaskConfigs => "uncommitted task configs",
        AnomalyKind::InconsistentTaskConfigs => "inconsistent task configs",
    }
}

fn compact(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        v => serde_json::to_string(v).unwrap_or_default(),
    }
}

fn state_style(t: &Theme, s: &str) -> Style {
    State::parse(s)
        .map(|s| t.state(s))
        .unwrap_or_else(|| t.style(Role::Muted))
}

struct NoHeaders;

impl HeaderList for NoHeaders {
    fn count(&self) -> usize {
        0
    }
    fn get(&self, _: usize) -> (&[u8], Option<&[u8]>) {
        (&[], None)
    }
}

/// A record of an internal topic as kcat's `-J` envelope, pretty, key and value as JSON.
pub fn raw_envelope(topic: &str, r: &OwnedRecord) -> String {
    let view = MessageView {
        topic,
        partition: r.partition,
        offset: r.offset,
        timestamp_type: if r.timestamp.is_some() {
            TimestampType::CreateTime
        } else {
            TimestampType::NotAvailable
        },
        timestamp: r.timestamp.unwrap_or(-1),
        broker: -1,
        key: r.key.as_deref(),
        payload: r.value.as_deref(),
        headers: &NoHeaders,
    };
    let mut out = Vec::new();
    write_envelope(&view, Encoding::Text, &mut out);
    pretty_envelope(&out)
}

impl InspectView {
    fn slot<'a>(&self, store: &'a Store) -> Option<&'a Inspecting> {
        store.inspect.get(&self.kind)
    }

    fn data<'a>(&self, store: &'a Store) -> Option<&'a Inspected> {
        self.slot(store).and_then(|s| s.loaded.data.as_deref())
    }

    fn request(&self) -> Request {
        Request::Inspect {
            kind: self.kind,
            history: self.history,
        }
    }

    /// The group line of a connector: `▾ name (STATE)`, folded `▸`, orphans marked.
    fn group(
        &self,
        name: Option<&str>,
        extra: &str,
        orphan: bool,
        store: &Store,
        t: &Theme,
    ) -> Row {
        let key = name.unwrap_or(NO_CONNECTOR).to_string();
        let arrow = if self.folded.contains(&key) {
            "▸"
        } else {
            "▾"
        };
        let mut spans = vec![Span::styled(format!("{arrow} {key}"), t.style(Role::Title))];
        if orphan {
            spans.push(Span::styled(
                " (not in connect-configs)  ⚠ orphan",
                t.style(Role::Warning),
            ));
        } else if let Some(s) = name
            .and_then(|n| store.connector(n))
            .and_then(|r| r.state())
        {
            spans.push(Span::raw(" ("));
            spans.push(Span::styled(s.as_str(), t.state(s)));
            spans.push(Span::raw(")"));
        }
        if !extra.is_empty() {
            spans.push(Span::styled(format!("  {extra}"), t.style(Role::Muted)));
        }
        Row {
            target: Target::Group(name.map(str::to_string)),
            connector: name.map(str::to_string),
            shape: Shape::Wide(spans),
        }
    }

    fn anomaly_row(&self, i: usize, a: &Anomaly, t: &Theme) -> Row {
        let mut text = format!("⚠ {}: {}", anomaly_label(a.kind), a.message);
        if let Some(v) = &a.value {
            text.push_str(&format!(" · value {v}"));
        }
        let role = if a.kind == AnomalyKind::Undecodable {
            Role::Error
        } else {
            Role::Warning
        };
        Row {
            target: Target::Anomaly(i),
            connector: a.connector.clone(),
            shape: Shape::Wide(vec![
                Span::raw("  "),
                Span::styled(printable(&text), t.style(role)),
            ]),
        }
    }

    /// The anomalies of `connector` (all of them for `None`), as rows.
    fn anomaly_rows(
        &self,
        anomalies: &[Anomaly],
        connector: Option<&str>,
        skip_orphans: bool,
        t: &Theme,
    ) -> Vec<Row> {
        anomalies
            .iter()
            .enumerate()
            .filter(|(_, a)| a.connector.as_deref() == connector)
            .filter(|(_, a)| !(skip_orphans && a.kind == AnomalyKind::OrphanOffsets))
            .filter(|(_, a)| self.filter.matches(&a.message))
            .map(|(i, a)| self.anomaly_row(i, a, t))
            .collect()
    }

    fn anomalies<'a>(&self, d: &'a Inspected) -> &'a [Anomaly] {
        match &d.body {
            Body::Offsets { view, .. } => &view.anomalies,
            Body::Configs(v) => &v.anomalies,
            Body::Status(v) => &v.anomalies,
        }
    }

    /// Whether `name`'s group is unfolded and passes the filter with `text`.
    fn shows(&self, name: Option<&str>, text: &str) -> bool {
        !self.folded.contains(name.unwrap_or(NO_CONNECTOR))
            && (self.filter.matches(text) || name.is_some_and(|n| self.filter.matches(n)))
    }

    fn rows(&self, store: &Store, t: &Theme) -> Vec<Row> {
        let Some(d) = self.data(store) else {
            return Vec::new();
        };
        if self.history {
            return match &d.history {
                Some(h) => self.history_rows(d, &h.records, store, t),
                None => Vec::new(),
            };
        }
        match &d.body {
            Body::Offsets { view, .. } => {
                let mut groups: BTreeMap<Option<&str>, Vec<usize>> = BTreeMap::new();
                for (i, e) in view.offsets.iter().enumerate() {
                    groups.entry(e.connector.as_deref()).or_default().push(i);
                }
                for a in &view.anomalies {
                    if let Some(c) = a.connector.as_deref() {
                        groups.entry(Some(c)).or_default();
                    }
                }
                let mut rows = Vec::new();
                for (name, entries) in groups {
                    rows.push(self.group(name, "", orphan(d, name), store, t));
                    for i in entries {
                        let e = &view.offsets[i];
                        let partition = e
                            .partition
                            .as_ref()
                            .map(|p| compact(&Value::Object(p.clone())))
                            .unwrap_or_else(|| e.key.clone());
                        let offset = compact(&e.offset);
                        if !self.shows(name, &format!("{partition} {offset}")) {
                            continue;
                        }
                        let offset_cell = match &e.error {
                            Some(err) => (format!("⚠ undecodable: {err}"), t.style(Role::Error)),
                            None => (offset, t.style(Role::Text)),
                        };
                        rows.push(Row {
                            target: Target::Offset(i),
                            connector: name.map(str::to_string),
                            shape: Shape::Cells(vec![
                                (format!("    {partition}"), t.style(Role::Text)),
                                offset_cell,
                                (e.kafka_partition.to_string(), t.style(Role::Text)),
                                (e.kafka_offset.to_string(), t.style(Role::Text)),
                                (widgets::when(e.timestamp), t.style(Role::Muted)),
                            ]),
                        });
                    }
                    if !self.folded.contains(name.unwrap_or(NO_CONNECTOR)) {
                        rows.extend(self.anomaly_rows(&view.anomalies, name, true, t));
                    }
                }
                if !view.offsets.iter().any(|e| e.connector.is_none()) {
                    rows.extend(self.anomaly_rows(&view.anomalies, None, true, t));
                }
                rows
            }
            Body::Configs(v) => {
                let mut rows = Vec::new();
                for (i, c) in v.connectors.iter().enumerate() {
                    let class = c.class();
                    let tasks = c.tasks_text();
                    let text = format!("{} {class}", c.name);
                    if !self.filter.matches(&text) {
                        continue;
                    }
                    rows.push(Row {
                        target: Target::ConfigEntry(i),
                        connector: Some(c.name.clone()),
                        shape: Shape::Cells(vec![
                            (c.name.clone(), t.style(Role::Title)),
                            (c.target_state.to_string(), state_style(t, c.target_state)),
                            (tasks, t.style(Role::Text)),
                            (ops::short_class(&class).to_string(), t.style(Role::Text)),
                        ]),
                    });
                    rows.extend(self.anomaly_rows(&v.anomalies, Some(&c.name), false, t));
                }
                for (name, state) in &v.target_states_without_config {
                    if !self.filter.matches(name) {
                        continue;
                    }
                    rows.push(Row {
                        target: Target::None,
                        connector: Some(name.clone()),
                        shape: Shape::Cells(vec![
                            (name.clone(), t.style(Role::Muted)),
                            (state.to_string(), state_style(t, state)),
                            ("-".into(), t.style(Role::Muted)),
                            (
                                "(a target state without a connector config)".into(),
                                t.style(Role::Muted),
                            ),
                        ]),
                    });
                }
                let known: BTreeSet<&str> = v.connectors.iter().map(|c| c.name.as_str()).collect();
                for (i, a) in v.anomalies.iter().enumerate() {
                    let listed = a.connector.as_deref().is_some_and(|c| known.contains(c));
                    if !listed && self.filter.matches(&a.message) {
                        rows.push(self.anomaly_row(i, a, t));
                    }
                }
                rows
            }
            Body::Status(v) => {
                let mut rows = Vec::new();
                for (i, c) in v.connectors.iter().enumerate() {
                    let topics: Vec<&str> = c.topics.iter().map(|t| t.name.as_str()).collect();
                    if !self
                        .filter
                        .matches(&format!("{} {}", c.name, topics.join(" ")))
                    {
                        continue;
                    }
                    let (state, worker, generation) = match &c.connector {
                        Some(s) => (s.state, s.worker_id.clone(), s.generation.to_string()),
                        None => ("-", "-".into(), "-".into()),
                    };
                    rows.push(Row {
                        target: Target::StatusEntry(i, None),
                        connector: Some(c.name.clone()),
                        shape: Shape::Cells(vec![
                            (c.name.clone(), t.style(Role::Title)),
                            (state.to_string(), state_style(t, state)),
                            (worker, t.style(Role::Text)),
                            (generation, t.style(Role::Muted)),
                            (topics.join(", "), t.style(Role::Text)),
                        ]),
                    });
                    for (k, task) in c.tasks.iter().enumerate() {
                        let s = &task.status;
                        let trace = s
                            .trace
                            .as_deref()
                            .and_then(|t| t.lines().next())
                            .unwrap_or("")
                            .to_string();
                        rows.push(Row {
                            target: Target::StatusEntry(i, Some(k)),
                            connector: Some(c.name.clone()),
                            shape: Shape::Cells(vec![
                                (format!("  task {}", task.id), t.style(Role::Text)),
                                (s.state.to_string(), state_style(t, s.state)),
                                (s.worker_id.clone(), t.style(Role::Text)),
                                (s.generation.to_string(), t.style(Role::Muted)),
                                (trace, t.style(Role::Error)),
                            ]),
                        });
                    }
                    rows.extend(self.anomaly_rows(&v.anomalies, Some(&c.name), false, t));
                }
                let known: BTreeSet<&str> = v.connectors.iter().map(|c| c.name.as_str()).collect();
                for (i, a) in v.anomalies.iter().enumerate() {
                    let listed = a.connector.as_deref().is_some_and(|c| known.contains(c));
                    if !listed && self.filter.matches(&a.message) {
                        rows.push(self.anomaly_row(i, a, t));
                    }
                }
                rows
            }
        }
    }

    fn history_rows(
        &self,
        d: &Inspected,
        records: &[HistoryRecord],
        store: &Store,
        t: &Theme,
    ) -> Vec<Row> {
        let mut groups: BTreeMap<Option<&str>, Vec<usize>> = BTreeMap::new();
        for (i, h) in records.iter().enumerate() {
            groups.entry(h.connector.as_deref()).or_default().push(i);
        }
        let anomalies = self.anomalies(d);
        let mut rows = Vec::new();
        for (name, idx) in groups {
            let extra = format!("{} record(s)", idx.len());
            rows.push(self.group(name, &extra, orphan(d, name), store, t));
            for i in idx {
                let h = &records[i];
                let key = h.key.clone().unwrap_or_else(|| "NULL".into());
                let (value, style) = if h.tombstone {
                    ("NULL (tombstone)".to_string(), t.style(Role::Muted))
                } else {
                    (compact(&h.value), t.style(Role::Text))
                };
                if !self.shows(name, &format!("{key} {value} {}", h.kind)) {
                    continue;
                }
                let (kind, kind_style) = match &h.error {
                    Some(_) => (format!("⚠ {}", h.kind), t.style(Role::Error)),
                    None => (h.kind.to_string(), t.style(Role::Text)),
                };
                rows.push(Row {
                    target: Target::History(i),
                    connector: name.map(str::to_string),
                    shape: Shape::Cells(vec![
                        (h.partition.to_string(), t.style(Role::Text)),
                        (h.offset.to_string(), t.style(Role::Text)),
                        (widgets::when(h.timestamp), t.style(Role::Muted)),
                        (kind, kind_style),
                        (printable(&key), t.style(Role::Text)),
                        (printable(&value), style),
                    ]),
                });
            }
            if !self.folded.contains(name.unwrap_or(NO_CONNECTOR)) {
                rows.extend(self.anomaly_rows(anomalies, name, self.kind == Internal::Offsets, t));
            }
        }
        if !records.iter().any(|h| h.connector.is_none()) {
            rows.extend(self.anomaly_rows(anomalies, None, false, t));
        }
        rows
    }

    fn columns(&self) -> &'static [Col] {
        const OFFSETS: [Col; 5] = [
            Col::fill("CONNECTOR / SOURCE PARTITION", 20, 3),
            Col::fill("OFFSET", 12, 2),
            Col::fixed("P", 3).right(),
            Col::fixed("AT OFFSET", 10).right(),
            Col::fixed("WHEN", 14),
        ];
        const CONFIGS: [Col; 4] = [
            Col::fill("CONNECTOR", 16, 2),
            Col::fixed("TARGET STATE", 12),
            Col::fixed("TASKS", 16),
            Col::fill("CLASS", 10, 2),
        ];
        const STATUS: [Col; 5] = [
            Col::fill("CONNECTOR / TASK", 14, 2),
            Col::fixed("STATE", 10),
            Col::fill("WORKER", 10, 1),
            Col::fixed("GEN", 4).right(),
            Col::fill("TOPICS / TRACE", 10, 3),
        ];
        const HISTORY: [Col; 6] = [
            Col::fixed("P", 3).right(),
            Col::fixed("OFFSET", 9).right(),
            Col::fixed("WHEN", 14),
            Col::fixed("KIND", 16),
            Col::fill("KEY", 12, 3),
            Col::fill("VALUE", 12, 3),
        ];
        if self.history {
            return &HISTORY;
        }
        match self.kind {
            Internal::Offsets => &OFFSETS,
            Internal::Configs => &CONFIGS,
            Internal::Status => &STATUS,
        }
    }

    fn cache_key(&self, store: &Store, styled: bool) -> CacheKey {
        let data = self
            .data(store)
            .map_or(0, |d| d as *const Inspected as usize);
        (
            data,
            self.filter.text().to_string(),
            self.folded.iter().cloned().collect(),
            self.history,
            store.refreshed.clone(),
            styled,
        )
    }

    /// Runs `f` on the rows, computed only when what they depend on changed. The keys take
    /// rows made for a draw; a draw wants styled ones.
    fn with_rows<R>(&self, store: &Store, theme: Option<&Theme>, f: impl FnOnce(&[Row]) -> R) -> R {
        let styled = self.cache_key(store, true);
        let unstyled = self.cache_key(store, false);
        let mut cache = self.cache.borrow_mut();
        let fresh = match (&*cache, theme) {
            (Some((k, _)), Some(_)) => *k == styled,
            (Some((k, _)), None) => *k == styled || *k == unstyled,
            (None, _) => false,
        };
        if !fresh {
            let rows = match theme {
                Some(t) => self.rows(store, t),
                None => self.rows(store, &Theme::default()),
            };
            let key = if theme.is_some() { styled } else { unstyled };
            *cache = Some((key, rows));
        }
        f(cache
            .as_ref()
            .map(|(_, r)| r.as_slice())
            .unwrap_or_default())
    }

    fn selected(&self, store: &Store) -> Option<Row> {
        self.with_rows(store, None, |rows| {
            self.list.selected_in(rows.len()).map(|i| rows[i].clone())
        })
    }

    /// `enter`: fold a group, or show a record or an entry in full.
    fn open_row(&mut self, store: &Store) -> Vec<Effect> {
        let Some(row) = self.selected(store) else {
            return Vec::new();
        };
        let Some(d) = self.data(store) else {
            return Vec::new();
        };
        let (title, text) = match (&row.target, &d.body) {
            (Target::Group(name), _) => {
                let key = name.clone().unwrap_or_else(|| NO_CONNECTOR.into());
                if !self.folded.remove(&key) {
                    self.folded.insert(key);
                }
                return Vec::new();
            }
            (Target::Offset(i), Body::Offsets { view, raw, .. }) => {
                let e = &view.offsets[*i];
                let text = match raw.get(*i).and_then(Option::as_ref) {
                    Some(r) => {
                        let bytes =
                            |b: Option<&[u8]>| b.map(raw_text).unwrap_or_else(|| "NULL".into());
                        format!(
                            "key bytes   {}\nvalue bytes {}\n\n{}",
                            bytes(r.key.as_deref()),
                            bytes(r.value.as_deref()),
                            raw_envelope(&d.topic, r)
                        )
                    }
                    None => pretty(e),
                };
                (
                    format!("{} {}@{}", d.topic, e.kafka_partition, e.kafka_offset),
                    text,
                )
            }
            (Target::History(i), _) => match d.history.as_ref().and_then(|h| h.records.get(*i)) {
                Some(h) => (
                    format!("{} {}@{}", d.topic, h.partition, h.offset),
                    pretty(h),
                ),
                None => return Vec::new(),
            },
            (Target::ConfigEntry(i), Body::Configs(v)) => {
                let mut c = v.connectors[*i].clone();
                let secrets = ops::secret_keys(&c.config, &[]);
                c.config = ops::masked(&c.config, &secrets);
                for task in &mut c.tasks {
                    let secrets = ops::secret_keys(&task.config, &[]);
                    task.config = ops::masked(&task.config, &secrets);
                }
                (format!("{} in {}", c.name, d.topic), pretty(&c))
            }
            (Target::StatusEntry(i, task), Body::Status(v)) => {
                let c = &v.connectors[*i];
                match task.map(|k| &c.tasks[k]) {
                    Some(k) => match &k.status.trace {
                        Some(trace) => (format!("{}/{} trace", c.name, k.id), trace.clone()),
                        None => (format!("{}/{}", c.name, k.id), pretty(k)),
                    },
                    None => match c.connector.as_ref().and_then(|s| s.trace.clone()) {
                        Some(trace) => (format!("{} trace", c.name), trace),
                        None => (c.name.clone(), pretty(c)),
                    },
                }
            }
            (Target::Anomaly(i), _) => match self.anomalies(d).get(*i) {
                Some(a) => (format!("{} anomaly", anomaly_label(a.kind)), pretty(a)),
                None => return Vec::new(),
            },
            _ => return Vec::new(),
        };
        vec![Effect::Push(TextView::open(
            title,
            text.lines().map(str::to_string).collect(),
        ))]
    }

    /// `x`: plan the reset of the selected row's connector.
    fn reset(&self, store: &Store) -> Vec<Effect> {
        if self.kind != Internal::Offsets {
            return vec![Effect::Info(
                "resetting offsets is done from :offsets".into(),
            )];
        }
        match self.selected(store).and_then(|r| r.connector) {
            Some(name) => vec![
                Effect::Request(Request::TopicPlan(TopicWrite::reset(&name))),
                Effect::Info(format!(
                    "planning the reset of {name}: reading the offsets and status topics…"
                )),
            ],
            None => vec![Effect::Info(
                "select a connector's offsets to reset them".into(),
            )],
        }
    }

    /// `o`: ask for the selected source partition's new offset, the current one prefilled.
    fn set_offset(&mut self, store: &Store) -> Vec<Effect> {
        if self.kind != Internal::Offsets {
            return vec![Effect::Info("offsets are set from :offsets".into())];
        }
        let entry = match (self.selected(store).map(|r| r.target), self.data(store)) {
            (Some(Target::Offset(i)), Some(d)) => match &d.body {
                Body::Offsets { view, .. } => view.offsets.get(i),
                _ => None,
            },
            _ => None,
        };
        let Some(e) = entry else {
            let hint = if self.history {
                "in the latest view (h), select"
            } else {
                "select"
            };
            return vec![Effect::Info(format!(
                "{hint} a source partition's offset to set it"
            ))];
        };
        let (Some(name), Some(partition)) = (&e.connector, &e.partition) else {
            return vec![Effect::Error(
                "this record's key does not decode as [connector, partition]: its offset cannot be set; x resets the connector"
                    .into(),
            )];
        };
        self.setting = Some((name.clone(), partition.clone()));
        let current = if e.error.is_some() {
            String::new()
        } else {
            serde_json::to_string(&e.offset).unwrap_or_default()
        };
        let sp = compact(&Value::Object(partition.clone()));
        vec![Effect::Prompt(Prompt {
            label: format!("New offset of {name}"),
            hint: format!("{sp}: a JSON object, or null to remove it"),
            input: current,
            purpose: PromptFor::SetOffset,
        })]
    }

    /// The answer to `o`: a KIP-875 body of that one partition, planned through the topic.
    fn offset_answer(&mut self, input: &str) -> Vec<Effect> {
        let Some((name, partition)) = self.setting.clone() else {
            return Vec::new();
        };
        let offset = match serde_json::from_str::<Value>(input) {
            Ok(Value::Object(m)) => Some(m),
            Ok(Value::Null) => None,
            Ok(_) | Err(_) => {
                return vec![Effect::Error(format!(
                    "{input:?} is not an offset: give a JSON object like {{\"position\":8}}, or null to remove it"
                ))]
            }
        };
        let body = ConnectorOffsets {
            offsets: vec![ConnectorOffset { partition, offset }],
        };
        vec![
            Effect::Request(Request::TopicPlan(TopicWrite {
                name: name.clone(),
                force: false,
                patch: Some(body),
            })),
            Effect::Info(format!(
                "planning the new offset of {name}: reading the offsets and status topics…"
            )),
        ]
    }

    fn draw_placeholder(&self, f: &mut Frame, area: Rect, slot: Option<&Inspecting>, t: &Theme) {
        let topic = match self.kind {
            Internal::Offsets => "the offsets topic",
            Internal::Configs => "the config topic",
            Internal::Status => "the status topic",
        };
        let progress = slot.and_then(|s| s.progress);
        if let (Some((done, total)), true) = (progress, area.height >= 2) {
            let [text, bar] = ratatui::layout::Layout::vertical([1, 1]).areas(area);
            let pct = if total == 0 {
                0.0
            } else {
                (done as f64 / total as f64).min(1.0)
            };
            f.render_widget(
                Paragraph::new(Line::styled(
                    format!(
                        "reading {topic}… {} of {} records",
                        thousands(done),
                        thousands(total)
                    ),
                    t.style(Role::Muted),
                )),
                text,
            );
            let bar = Rect {
                width: bar.width.min(60),
                ..bar
            };
            f.render_widget(
                Gauge::default()
                    .gauge_style(t.style(Role::Key))
                    .ratio(pct)
                    .label(format!("{:.0}%", pct * 100.0)),
                bar,
            );
            return;
        }
        let (text, role) = match slot.and_then(|s| s.loaded.error.as_ref()) {
            Some(e) => (format!("cannot read {topic}: {e}"), Role::Error),
            None => (format!("reading {topic}…"), Role::Muted),
        };
        f.render_widget(
            Paragraph::new(Line::styled(text, t.style(role))).wrap(Wrap { trim: true }),
            area,
        );
    }
}

/// Whether `name` has offsets but no config in the config topic (when that could be read).
fn orphan(d: &Inspected, name: Option<&str>) -> bool {
    match (&d.body, name) {
        (
            Body::Offsets {
                configs: Ok(known), ..
            },
            Some(n),
        ) => !known.contains(n),
        _ => false,
    }
}

/// One line with control characters escaped (values of undecodable records are raw bytes).
fn printable(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\n' | '\t' => " ".to_string(),
            c if c.is_control() => c.escape_default().to_string(),
            c => c.to_string(),
        })
        .collect()
}

fn pretty<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// `1204331` as `1,204,331`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Draws a header and the rows in view: cells in columns, wide rows across.
fn draw_rows(f: &mut Frame, area: Rect, t: &Theme, cols: &[Col], rows: &[Row], list: &ListState) {
    if area.height == 0 || area.width < 2 {
        return;
    }
    let width = area.width as usize - 1;
    let ws = widgets::widths(cols, area.width - 1);
    let cells_line = |cells: &[(String, Style)], base: Style, keep: bool| {
        let mut spans = Vec::new();
        let mut first = true;
        for ((text, style), (col, w)) in cells.iter().zip(cols.iter().zip(&ws)) {
            if *w == 0 {
                continue;
            }
            if !first {
                spans.push(Span::styled(" ", base));
            }
            first = false;
            let style = if keep { base.patch(*style) } else { base };
            spans.push(Span::styled(
                widgets::pad(text, *w as usize, col.right),
                style,
            ));
        }
        spans
    };
    let header: Vec<(String, Style)> = cols
        .iter()
        .map(|c| (c.title.to_string(), Style::default()))
        .collect();
    let mut lines = vec![Line::from(
        std::iter::once(Span::raw(" "))
            .chain(cells_line(&header, t.style(Role::Header), true))
            .collect::<Vec<_>>(),
    )
    .style(t.style(Role::Header))];
    let window = list.window(rows.len(), area.height as usize - 1);
    let selected = list.selected_in(rows.len());
    for i in window {
        let sel = Some(i) == selected;
        let base = if sel {
            t.style(Role::Selection)
        } else {
            t.style(Role::Text)
        };
        let mark = Span::styled(if sel { "▶" } else { " " }, base);
        let spans = match &rows[i].shape {
            Shape::Cells(cells) => cells_line(cells, base, !sel),
            Shape::Wide(spans) => {
                let line = Line::from(
                    spans
                        .iter()
                        .map(|s| {
                            let style = if sel { base } else { base.patch(s.style) };
                            Span::styled(s.content.clone(), style)
                        })
                        .collect::<Vec<_>>(),
                );
                let mut fitted = widgets::fit_line(line, width).spans;
                let used: usize = fitted.iter().map(Span::width).sum();
                fitted.push(Span::styled(" ".repeat(width.saturating_sub(used)), base));
                fitted
            }
        };
        lines.push(Line::from(std::iter::once(mark).chain(spans).collect::<Vec<_>>()).style(base));
    }
    f.render_widget(Paragraph::new(lines), area);
}

impl View for InspectView {
    fn scope(&self) -> &'static str {
        match self.kind {
            Internal::Offsets => "offsets",
            Internal::Configs => "configs",
            Internal::Status => "status",
        }
    }

    fn crumb(&self) -> String {
        self.scope().to_string()
    }

    fn requests(&self, store: &Store) -> Vec<Request> {
        let need = match self.slot(store) {
            None => true,
            Some(s) if s.busy => false,
            Some(s) => {
                s.stale
                    || (s.loaded.data.is_none() && s.loaded.error.is_none())
                    || (self.history && s.loaded.data.as_ref().is_some_and(|d| d.history.is_none()))
            }
        };
        if need {
            vec![self.request()]
        } else {
            Vec::new()
        }
    }

    fn filter(&self) -> Option<&Filter> {
        Some(&self.filter)
    }

    fn filter_mut(&mut self) -> Option<&mut Filter> {
        Some(&mut self.filter)
    }

    fn answer(&mut self, purpose: PromptFor, input: &str, _store: &Store) -> Vec<Effect> {
        match purpose {
            PromptFor::SetOffset => self.offset_answer(input),
            _ => Vec::new(),
        }
    }

    fn summary(&self, cx: &DrawCx) -> Vec<Span<'static>> {
        let t = cx.theme;
        let mut spans = Vec::new();
        if let Some(d) = self.data(cx.store) {
            let n = self.anomalies(d).len();
            let records = match (&d.history, self.history) {
                (Some(h), true) if h.total > HISTORY_MAX as u64 => format!(
                    "{}, {} records, the newest {} shown",
                    d.topic,
                    thousands(d.records),
                    thousands(HISTORY_MAX as u64)
                ),
                _ => format!("{}, {} records", d.topic, thousands(d.records)),
            };
            spans.push(Span::styled(
                format!("{records} in {} partitions · ", d.partitions),
                t.style(Role::Muted),
            ));
            if n > 0 {
                spans.push(Span::styled(
                    format!("⚠ {n} anomal{} · ", if n == 1 { "y" } else { "ies" }),
                    t.style(Role::Warning),
                ));
            }
        }
        if self.slot(cx.store).is_some_and(|s| s.busy) {
            spans.push(Span::styled("reading… · ", t.style(Role::Muted)));
        }
        let mode = if self.history {
            "history · <h> latest view "
        } else {
            "latest view · <h> history "
        };
        spans.push(Span::styled(mode, t.style(Role::Key)));
        spans
    }

    fn draw(&self, f: &mut Frame, area: Rect, cx: &DrawCx) {
        let t = cx.theme;
        let slot = self.slot(cx.store);
        let wanting_history =
            self.history && self.data(cx.store).is_some_and(|d| d.history.is_none());
        if self.data(cx.store).is_none() || wanting_history {
            self.draw_placeholder(f, area, slot, t);
            return;
        }
        self.with_rows(cx.store, Some(t), |rows| self.draw_table(f, area, rows, t));
    }

    fn handle(&mut self, action: Action, store: &Store) -> Vec<Effect> {
        let len = self.with_rows(store, None, <[Row]>::len);
        if self.list.navigate(action, len) {
            return Vec::new();
        }
        match action {
            Action::History => {
                self.history = !self.history;
                self.list = ListState::default();
                self.requests(store)
                    .into_iter()
                    .map(Effect::Request)
                    .collect()
            }
            Action::Reload => {
                if self.slot(store).is_some_and(|s| s.busy) {
                    return vec![Effect::Info("already reading the topic".into())];
                }
                vec![Effect::Request(self.request())]
            }
            Action::Open => self.open_row(store),
            Action::ResetOffsets => self.reset(store),
            Action::SetOffset => self.set_offset(store),
            _ => Vec::new(),
        }
    }
}

impl InspectView {
    fn draw_table(&self, f: &mut Frame, area: Rect, rows: &[Row], t: &Theme) {
        if rows.is_empty() {
            let [head, body] = ratatui::layout::Layout::vertical([1, 1]).areas(area);
            draw_rows(f, head, t, self.columns(), &[], &self.list);
            let text = if self.filter.text().is_empty() {
                "the topic holds nothing to show"
            } else {
                "nothing matches the filter"
            };
            f.render_widget(
                Paragraph::new(Line::styled(text, t.style(Role::Muted))),
                body,
            );
        } else {
            draw_rows(f, area, t, self.columns(), rows, &self.list);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_204_331), "1,204,331");
    }
}
