//! One connector in detail, in tabs: Overview (states, health, last restart, folded traces),
//! Tasks (Enter opens a full trace), Config (secrets masked, searchable), Topics and Offsets.

use kct::connect::ops::{self, Health};
use kct::connect::types::{ConnectorStateInfo, State};
use ratatui::layout::{Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::connectors::lifecycle;
use super::text::TextView;
use super::{placeholder, DrawCx, Effect, Filter, ListState, Scroll, View};
use crate::tui::jobs::{Mutation, Request};
use crate::tui::keymap::Action;
use crate::tui::overlay::Confirm;
use crate::tui::store::{ConnectorRow, Loaded, Store};
use crate::tui::theme::{Role, Theme};
use crate::tui::widgets::{self, Col};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    Overview,
    Tasks,
    Config,
    Topics,
    Offsets,
}

const TABS: [(Tab, &str); 5] = [
    (Tab::Overview, "Overview"),
    (Tab::Tasks, "Tasks"),
    (Tab::Config, "Config"),
    (Tab::Topics, "Topics"),
    (Tab::Offsets, "Offsets"),
];

pub fn open(name: String) -> Box<dyn View> {
    Box::new(ConnectorView {
        name,
        tab: Tab::Overview,
        list: ListState::default(),
        scroll: Scroll::default(),
        filter: Filter::default(),
    })
}

pub struct ConnectorView {
    name: String,
    tab: Tab,
    list: ListState,
    scroll: Scroll,
    filter: Filter,
}

impl ConnectorView {
    fn request(&self) -> Option<Request> {
        let n = self.name.clone();
        match self.tab {
            Tab::Config => Some(Request::Config(n)),
            Tab::Offsets => Some(Request::Offsets(n)),
            Tab::Topics => Some(Request::Topics(n)),
            Tab::Overview | Tab::Tasks => None,
        }
    }

    fn switch_tab(&mut self, forward: bool) -> Vec<Effect> {
        let i = TABS.iter().position(|(t, _)| *t == self.tab).unwrap_or(0);
        let n = TABS.len();
        self.tab = TABS[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }]
        .0;
        self.list = ListState::default();
        self.scroll = Scroll::default();
        self.request().map(Effect::Request).into_iter().collect()
    }

    fn status<'a>(&self, store: &'a Store) -> Option<&'a ConnectorStateInfo> {
        store.connector(&self.name).and_then(|r| r.status.as_ref())
    }

    /// The lines of the list tabs (config, topics, offsets) after the filter.
    fn list_rows(&self, store: &Store, theme: &Theme) -> Result<Vec<widgets::Row>, String> {
        let row = |cells: Vec<(String, Style)>| widgets::Row {
            cells,
            marked: false,
        };
        let text = theme.style(Role::Text);
        let keep = |s: &str| self.filter.matches(s);
        Ok(match self.tab {
            Tab::Config => loaded(store.configs.get(&self.name), "the config")?
                .config
                .iter()
                .filter(|(k, v)| keep(k) || v.as_deref().is_some_and(keep))
                .map(|(k, v)| {
                    let v = v.clone().unwrap_or_else(|| "null".into());
                    let style = if v == ops::HIDDEN {
                        theme.style(Role::Muted)
                    } else {
                        text
                    };
                    row(vec![(k.clone(), theme.style(Role::Key)), (v, style)])
                })
                .collect(),
            Tab::Topics => loaded(store.topics.get(&self.name), "the active topics")?
                .iter()
                .filter(|t| keep(t))
                .map(|t| row(vec![(t.clone(), text)]))
                .collect(),
            Tab::Offsets => loaded(store.offsets.get(&self.name), "the offsets")?
                .offsets
                .iter()
                .map(|o| {
                    let p = serde_json::Value::Object(o.partition.clone()).to_string();
                    let v = o
                        .offset
                        .clone()
                        .map(|m| serde_json::Value::Object(m).to_string())
                        .unwrap_or_else(|| "null".into());
                    (p, v)
                })
                .filter(|(p, v)| keep(p) || keep(v))
                .map(|(p, v)| row(vec![(p, text), (v, text)]))
                .collect(),
            Tab::Tasks => self
                .status(store)
                .map(|s| {
                    s.tasks
                        .iter()
                        .map(|t| {
                            let first = t
                                .trace
                                .as_deref()
                                .and_then(|tr| tr.lines().next())
                                .unwrap_or("");
                            row(vec![
                                (t.id.to_string(), text),
                                (t.state.as_str().into(), theme.state(t.state)),
                                (t.worker_id.clone(), text),
                                (first.to_string(), theme.style(Role::Muted)),
                            ])
                        })
                        .collect()
                })
                .unwrap_or_default(),
            Tab::Overview => Vec::new(),
        })
    }

    fn columns(&self) -> &'static [Col] {
        const CONFIG: [Col; 2] = [Col::fill("KEY", 16, 2), Col::fill("VALUE", 16, 3)];
        const TOPICS: [Col; 1] = [Col::fill("TOPIC", 10, 1)];
        const OFFSETS: [Col; 2] = [Col::fill("PARTITION", 16, 1), Col::fill("OFFSET", 16, 1)];
        const TASKS: [Col; 4] = [
            Col::fixed("ID", 4).right(),
            Col::fixed("STATE", 10),
            Col::fill("WORKER", 12, 1),
            Col::fill("TRACE", 10, 2),
        ];
        match self.tab {
            Tab::Config => &CONFIG,
            Tab::Topics => &TOPICS,
            Tab::Offsets => &OFFSETS,
            Tab::Tasks | Tab::Overview => &TASKS,
        }
    }

    fn overview(&self, store: &Store, t: &Theme) -> Vec<Line<'static>> {
        let Some(row) = store.connector(&self.name) else {
            return vec![Line::styled(
                placeholder(&store.connectors, &format!("connector {}", self.name))
                    .replace("loading connector", "no connector named"),
                t.style(Role::Muted),
            )];
        };
        let mut lines = facts(row, store, t);
        let Some(s) = &row.status else {
            return lines;
        };
        let traces = std::iter::once((
            format!("connector · {}", s.connector.state),
            &s.connector.worker_id,
            &s.connector.trace,
        ))
        .chain(s.tasks.iter().map(|k| {
            (
                format!("task {} · {}", k.id, k.state),
                &k.worker_id,
                &k.trace,
            )
        }));
        for (what, worker, trace) in traces {
            let Some(trace) = trace.as_deref().filter(|t| !t.is_empty()) else {
                continue;
            };
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                format!("┌ {what} · {worker}"),
                t.state(State::Failed),
            ));
            for l in ops::fold_trace(trace) {
                lines.push(Line::from(vec![
                    Span::styled("│ ", t.style(Role::Border)),
                    Span::raw(l),
                ]));
            }
            lines.push(Line::styled(
                "└ Tasks tab, enter: full trace",
                t.style(Role::Muted),
            ));
        }
        lines
    }
}

fn loaded<'a, T>(l: Option<&'a Loaded<T>>, what: &str) -> Result<&'a T, String> {
    match l {
        Some(Loaded { data: Some(d), .. }) => Ok(d),
        Some(l) => Err(placeholder(l, what)),
        None => Err(format!("loading {what}…")),
    }
}

/// The overview's facts: state, health, class, tasks, topics, last restart.
fn facts(row: &ConnectorRow, store: &Store, t: &Theme) -> Vec<Line<'static>> {
    let label = |s: &str| Span::styled(format!("{s:<14}"), t.style(Role::Muted));
    let (running, total, failed) = row.tasks();
    let mut lines = Vec::new();
    if let Some(s) = &row.status {
        let h = Health::of(s);
        let down = s
            .tasks
            .iter()
            .filter(|k| matches!(k.state, State::Failed | State::Unassigned))
            .count();
        lines.push(Line::from(vec![
            label("state"),
            Span::styled(
                s.connector.state.as_str().to_string(),
                t.state(s.connector.state),
            ),
            Span::raw(format!(" on {}", s.connector.worker_id)),
        ]));
        lines.push(Line::from(vec![
            label("health"),
            Span::styled(h.as_str().to_string(), t.health(h)),
            Span::raw(format!(" ({down} of {total} tasks down)")),
        ]));
    }
    lines.push(Line::from(vec![
        label("type"),
        Span::raw(row.kind.as_str().to_string()),
    ]));
    lines.push(Line::from(vec![
        label("class"),
        Span::raw(row.class.clone()),
    ]));
    let fail_style = if failed > 0 {
        t.state(State::Failed)
    } else {
        t.style(Role::Text)
    };
    lines.push(Line::from(vec![
        label("tasks"),
        Span::raw(format!("{running}/{total} running · ")),
        Span::styled(format!("{failed} failed"), fail_style),
    ]));
    let topics = match store.topics.get(&row.name).and_then(|l| l.data.as_ref()) {
        Some(ts) if ts.is_empty() => "none active".to_string(),
        Some(ts) => format!("{} active: {}", ts.len(), ts.join(", ")),
        None => "…".into(),
    };
    lines.push(Line::from(vec![label("topics"), Span::raw(topics)]));
    let restart = store
        .restarts
        .get(&row.name)
        .cloned()
        .unwrap_or_else(|| "not from this console".into());
    lines.push(Line::from(vec![label("last restart"), Span::raw(restart)]));
    lines
}

impl View for ConnectorView {
    fn scope(&self) -> &'static str {
        "connector"
    }

    fn crumb(&self) -> String {
        self.name.clone()
    }

    fn requests(&self, _store: &Store) -> Vec<Request> {
        let mut out = vec![Request::Topics(self.name.clone())];
        out.extend(self.request().filter(|r| !matches!(r, Request::Topics(_))));
        out
    }

    fn filter(&self) -> Option<&Filter> {
        Some(&self.filter)
    }

    fn filter_mut(&mut self) -> Option<&mut Filter> {
        Some(&mut self.filter)
    }

    fn summary(&self, cx: &DrawCx) -> Vec<Span<'static>> {
        let mut spans = Vec::new();
        for (tab, name) in TABS {
            let style = if tab == self.tab {
                cx.theme.style(Role::Selection)
            } else {
                cx.theme.style(Role::Muted)
            };
            spans.push(Span::styled(format!(" {name} "), style));
        }
        spans
    }

    fn draw(&self, f: &mut Frame, area: Rect, cx: &DrawCx) {
        let t = cx.theme;
        if self.tab == Tab::Overview {
            widgets::scroll_text(f, area, self.overview(cx.store, t), &self.scroll);
            return;
        }
        let mut area = area;
        if self.tab == Tab::Offsets
            && cx.store.offsets_from_topic.contains(&self.name)
            && area.height > 2
        {
            // The cluster has no KIP-875 offsets API: these come from the inspector.
            let [note, rest] = Layout::vertical([
                ratatui::layout::Constraint::Length(1),
                ratatui::layout::Constraint::Min(1),
            ])
            .areas(area);
            let text = "read from the offsets topic (this Connect has no GET …/offsets, KIP-875); :offsets shows them all";
            f.render_widget(
                Paragraph::new(Line::styled(text, t.style(Role::Muted))),
                note,
            );
            area = rest;
        }
        match self.list_rows(cx.store, t) {
            Ok(rows) if rows.is_empty() => {
                let [head, body] = Layout::vertical([1, 1]).areas(area);
                widgets::table(f, head, t, self.columns(), &[], &self.list, None);
                f.render_widget(
                    Paragraph::new(Line::styled("nothing here", t.style(Role::Muted))),
                    body,
                );
            }
            Ok(rows) => widgets::table(f, area, t, self.columns(), &rows, &self.list, None),
            Err(e) => {
                let role = if e.starts_with("cannot") {
                    Role::Error
                } else {
                    Role::Muted
                };
                f.render_widget(
                    Paragraph::new(Line::styled(e, t.style(role)))
                        .wrap(ratatui::widgets::Wrap { trim: true }),
                    area,
                );
            }
        }
    }

    fn handle(&mut self, action: Action, store: &Store) -> Vec<Effect> {
        if self.tab == Tab::Overview {
            if self.scroll.navigate(action) {
                return Vec::new();
            }
        } else {
            let len = self
                .list_rows(store, &Theme::default())
                .map(|r| r.len())
                .unwrap_or(0);
            if self.list.navigate(action, len) {
                return Vec::new();
            }
        }
        let task = || {
            let s = self.status(store)?;
            let i = self.list.selected_in(s.tasks.len())?;
            Some(s.tasks[i].clone())
        };
        match action {
            Action::NextTab => self.switch_tab(true),
            Action::PrevTab => self.switch_tab(false),
            Action::Open if self.tab == Tab::Tasks => match task() {
                Some(k) => match k.trace {
                    Some(trace) => vec![Effect::Push(TextView::open(
                        format!("task {} trace", k.id),
                        trace.lines().map(str::to_string).collect(),
                    ))],
                    None => vec![Effect::Info(format!(
                        "task {} is {} and has no trace",
                        k.id, k.state
                    ))],
                },
                None => Vec::new(),
            },
            Action::RestartTask => match (self.tab, task()) {
                (Tab::Tasks, Some(k)) => {
                    vec![Effect::Confirm(Confirm::mutations(vec![
                        Mutation::RestartTask(self.name.clone(), k.id),
                    ]))]
                }
                _ => vec![Effect::Info("pick a task in the Tasks tab first".into())],
            },
            a => lifecycle(a, vec![self.name.clone()], store),
        }
    }
}
