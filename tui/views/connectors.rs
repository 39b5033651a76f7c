//! The home view: every connector of the cluster with state, tasks, health, workers and topics;
//! sort, filter, marks for bulk actions, and the lifecycle actions shared with the detail view.

use std::collections::BTreeSet;

use kct::connect::ops::{self, Health, TaskSelection};
use kct::connect::types::State;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{placeholder, DrawCx, Effect, Filter, ListState, Resource, View};
use crate::tui::jobs::Mutation;
use crate::tui::keymap::Action;
use crate::tui::overlay::{Confirm, Menu, Prompt, PromptFor};
use crate::tui::store::{ConnectorRow, Store};
use crate::tui::theme::Role;
use crate::tui::widgets::{self, Col};

pub const RESOURCE: Resource = Resource {
    name: "connectors",
    aliases: &["cn", "connector", "conn"],
    about: "connectors with state, tasks and health",
    open,
};

pub fn open() -> Box<dyn View> {
    Box::new(ConnectorsView::default())
}

const COLS: [Col; 9] = [
    Col::fill("NAME", 12, 3),
    Col::fixed("TYPE", 6),
    Col::fill("CLASS", 8, 2),
    Col::fixed("STATE", 10),
    Col::fixed("TASKS", 5).right(),
    Col::fixed("FAIL", 4).right(),
    Col::fixed("HEALTH", 10),
    Col::fill("WORKER", 8, 2),
    Col::fixed("TOPICS", 6).right(),
];

#[derive(Default)]
pub struct ConnectorsView {
    list: ListState,
    filter: Filter,
    /// Sort column (index into the columns) and descending.
    sort: (usize, bool),
    marked: BTreeSet<String>,
}

/// A sortable key of a row for column `col`.
fn sort_key(r: &ConnectorRow, col: usize, store: &Store) -> (i64, String) {
    let (running, total, failed) = r.tasks();
    match col {
        1 => (0, r.kind.as_str().into()),
        2 => (0, ops::short_class(&r.class).into()),
        3 => (0, r.state().map(State::as_str).unwrap_or("").into()),
        4 => (running as i64 - total as i64, String::new()),
        5 => (failed as i64, String::new()),
        6 => (r.health().map(|h| h as i64).unwrap_or(99), String::new()),
        7 => (0, r.workers().first().copied().unwrap_or("").into()),
        8 => (topics_of(r, store).unwrap_or(-1), String::new()),
        _ => (0, String::new()),
    }
}

/// Active topics when known (the detail view loads them), else what the config names.
fn topics_of(r: &ConnectorRow, store: &Store) -> Option<i64> {
    store
        .topics
        .get(&r.name)
        .and_then(|l| l.data.as_ref())
        .map(Vec::len)
        .or_else(|| r.configured_topics())
        .map(|n| n as i64)
}

impl ConnectorsView {
    /// The rows shown: filtered by name or class, sorted (name breaks ties).
    fn rows<'a>(&self, store: &'a Store) -> Vec<&'a ConnectorRow> {
        let mut rows: Vec<&ConnectorRow> = store
            .connector_rows()
            .iter()
            .filter(|r| self.filter.matches(&r.name) || self.filter.matches(&r.class))
            .collect();
        let (col, desc) = self.sort;
        rows.sort_by(|a, b| {
            let o = sort_key(a, col, store)
                .cmp(&sort_key(b, col, store))
                .then_with(|| a.name.cmp(&b.name));
            if desc {
                o.reverse()
            } else {
                o
            }
        });
        rows
    }

    fn selected(&self, store: &Store) -> Option<String> {
        let rows = self.rows(store);
        self.list
            .selected_in(rows.len())
            .map(|i| rows[i].name.clone())
    }

    /// The marked connectors that still exist, else the selected one.
    fn targets(&self, store: &Store) -> Vec<String> {
        let marked: Vec<String> = self
            .marked
            .iter()
            .filter(|n| store.connector(n).is_some())
            .cloned()
            .collect();
        if marked.is_empty() {
            self.selected(store).into_iter().collect()
        } else {
            marked
        }
    }
}

impl View for ConnectorsView {
    fn scope(&self) -> &'static str {
        "connectors"
    }

    fn crumb(&self) -> String {
        "connectors".into()
    }

    fn filter(&self) -> Option<&Filter> {
        Some(&self.filter)
    }

    fn filter_mut(&mut self) -> Option<&mut Filter> {
        Some(&mut self.filter)
    }

    fn summary(&self, cx: &DrawCx) -> Vec<Span<'static>> {
        if cx.store.connectors.data.is_none() {
            return Vec::new();
        }
        let (failed, degraded, paused, stopped) = cx.store.trouble();
        let t = cx.theme;
        let parts = [
            (failed, "UNHEALTHY", t.health(Health::Unhealthy)),
            (degraded, "DEGRADED", t.health(Health::Degraded)),
            (paused, "PAUSED", t.health(Health::Paused)),
            (stopped, "STOPPED", t.health(Health::Stopped)),
        ];
        let mut spans = Vec::new();
        for (n, word, style) in parts.into_iter().filter(|p| p.0 > 0) {
            if !spans.is_empty() {
                spans.push(Span::styled(" · ", t.style(Role::Muted)));
            }
            spans.push(Span::styled(format!("{n} {word}"), style));
        }
        if !self.marked.is_empty() {
            spans.push(Span::styled(
                format!("  {} marked", self.marked.len()),
                t.style(Role::Marked),
            ));
        }
        if spans.is_empty() {
            let n = cx.store.connector_rows().len();
            spans.push(Span::styled(
                format!("all {n} healthy"),
                t.health(Health::Healthy),
            ));
        }
        spans
    }

    fn draw(&self, f: &mut Frame, area: Rect, cx: &DrawCx) {
        let t = cx.theme;
        if cx.store.connectors.data.is_none() {
            let role = if cx.store.connectors.error.is_some() {
                Role::Error
            } else {
                Role::Muted
            };
            let text = placeholder(&cx.store.connectors, "connectors");
            let p = Paragraph::new(Line::styled(text, t.style(role)))
                .wrap(ratatui::widgets::Wrap { trim: true });
            f.render_widget(p, area);
            return;
        }
        let rows = self.rows(cx.store);
        let table_rows: Vec<widgets::Row> = rows
            .iter()
            .map(|r| {
                let (running, total, failed) = r.tasks();
                let state = r.state();
                let health = r.health();
                let workers = r.workers();
                let worker = match workers.len() {
                    0 => "-".to_string(),
                    1 => workers[0].to_string(),
                    n => format!("{} +{}", workers[0], n - 1),
                };
                let topics = topics_of(r, cx.store)
                    .map(|n| n.to_string())
                    .unwrap_or("-".into());
                widgets::Row {
                    marked: self.marked.contains(&r.name),
                    cells: vec![
                        (r.name.clone(), t.style(Role::Text)),
                        (r.kind.as_str().into(), t.style(Role::Text)),
                        (ops::short_class(&r.class).into(), t.style(Role::Text)),
                        (
                            state.map(State::as_str).unwrap_or("?").into(),
                            state.map(|s| t.state(s)).unwrap_or_default(),
                        ),
                        (format!("{running}/{total}"), t.style(Role::Text)),
                        (
                            failed.to_string(),
                            if failed > 0 {
                                t.state(State::Failed)
                            } else {
                                t.style(Role::Muted)
                            },
                        ),
                        (
                            health.map(Health::as_str).unwrap_or("?").into(),
                            health.map(|h| t.health(h)).unwrap_or_default(),
                        ),
                        (worker, t.style(Role::Text)),
                        (topics, t.style(Role::Text)),
                    ],
                }
            })
            .collect();
        if table_rows.is_empty() {
            let text = if self.filter.text().is_empty() {
                "no connectors on this cluster; n creates one from a file, :plugins from a template"
                    .to_string()
            } else {
                format!("no connector matches /{}", self.filter.text())
            };
            let lines = vec![Line::raw(""), Line::styled(text, t.style(Role::Muted))];
            widgets::table(f, area, t, &COLS, &[], &self.list, Some(self.sort));
            let below = Rect {
                y: area.y + 1,
                height: area.height.saturating_sub(1),
                ..area
            };
            f.render_widget(Paragraph::new(lines), below);
            return;
        }
        widgets::table(f, area, t, &COLS, &table_rows, &self.list, Some(self.sort));
    }

    fn handle(&mut self, action: Action, store: &Store) -> Vec<Effect> {
        let len = self.rows(store).len();
        if self.list.navigate(action, len) {
            return Vec::new();
        }
        match action {
            Action::Open => self
                .selected(store)
                .map(|n| Effect::Push(super::connector::open(n)))
                .into_iter()
                .collect(),
            Action::Mark => {
                if let Some(n) = self.selected(store) {
                    if !self.marked.remove(&n) {
                        self.marked.insert(n);
                    }
                    self.list.navigate(Action::Down, len);
                }
                Vec::new()
            }
            Action::SortNext => {
                self.sort = ((self.sort.0 + 1) % COLS.len(), false);
                vec![Effect::Info(format!(
                    "sorted by {}",
                    COLS[self.sort.0].title
                ))]
            }
            Action::SortReverse => {
                self.sort.1 = !self.sort.1;
                Vec::new()
            }
            Action::Create => vec![Effect::Prompt(Prompt {
                label: "Create a connector from a file".into(),
                hint: "path of a JSON (as POSTed to /connectors) or .properties file".into(),
                input: String::new(),
                purpose: PromptFor::CreateFromFile,
            })],
            a => lifecycle(a, self.targets(store), store),
        }
    }
}

/// The lifecycle actions on `names` (the marked connectors or the selected one), each behind
/// a confirmation; edit, stop, reset and logger act on the first name only.
pub fn lifecycle(action: Action, names: Vec<String>, store: &Store) -> Vec<Effect> {
    let Some(first) = names.first().cloned() else {
        return vec![Effect::Info("no connector selected".into())];
    };
    let all =
        |f: fn(String) -> Mutation| Confirm::mutations(names.iter().cloned().map(f).collect());
    let effect = match action {
        Action::Pause => Effect::Confirm(all(Mutation::Pause)),
        Action::Resume => Effect::Confirm(all(Mutation::Resume)),
        Action::Stop => Effect::Confirm(all(Mutation::Stop)),
        Action::Delete => Effect::Confirm(all(Mutation::Delete)),
        Action::RestartFailed => {
            Effect::Confirm(all(|n| Mutation::Restart(n, TaskSelection::Failed)))
        }
        Action::Restart => Effect::Menu(restart_menu(&names)),
        Action::Edit => Effect::Edit(first),
        Action::ResetOffsets => {
            let mut c = Confirm::mutations(vec![Mutation::ResetOffsets(first.clone())]);
            if let Some(s) = store.connector(&first).and_then(ConnectorRow::state) {
                if s != State::Stopped {
                    c.lines.push(Line::raw(format!(
                        "  it is {s} now: Connect refuses until it is stopped (s)"
                    )));
                }
            }
            Effect::Confirm(c)
        }
        Action::SetLogger => Effect::Prompt(Prompt {
            label: "Set a logger level".into(),
            hint: "LOGGER LEVEL, e.g. org.apache.kafka.connect DEBUG (ERROR WARN INFO DEBUG TRACE)"
                .into(),
            input: store
                .connector(&first)
                .map(|r| format!("{} ", r.class))
                .unwrap_or_default(),
            purpose: PromptFor::SetLogger,
        }),
        _ => return Vec::new(),
    };
    vec![effect]
}

/// `R`: restart the connector only, with all its tasks, or only what failed.
pub fn restart_menu(names: &[String]) -> Menu {
    let of = |sel: TaskSelection| {
        Confirm::mutations(
            names
                .iter()
                .map(|n| Mutation::Restart(n.clone(), sel))
                .collect(),
        )
    };
    let who = match names {
        [one] => one.clone(),
        many => format!("{} connectors", many.len()),
    };
    Menu {
        title: format!("Restart {who}"),
        items: vec![
            ('c', "connector only".into(), of(TaskSelection::None)),
            (
                'a',
                "connector and all tasks".into(),
                of(TaskSelection::All),
            ),
            (
                'f',
                "only failed connector/tasks".into(),
                of(TaskSelection::Failed),
            ),
        ],
    }
}
