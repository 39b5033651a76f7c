//! The message browser, kcat inside the console: one topic, all partitions or one, from a
//! start position (beginning, end, an offset, `-N`, a time); the newest records in a bounded
//! window, a live tail that follows new records, `/` over keys and values, a jq filter applied
//! as it is typed (its compile error shown inline), and `enter` for a record as kcat's `-J`
//! envelope with key and value pretty-printed. The consumer polls on its own thread
//! (`kafka::spawn_browse`); this view only reads what the store received.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use kct::kafka::browse::{BrowseSpec, Start};
use kct::record::jq::{JqError, JqFilter};
use ratatui::layout::{Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::inspect::thousands;
use super::text::TextView;
use super::{DrawCx, Effect, Filter, ListState, View};
use crate::tui::jobs::Request;
use crate::tui::kafka::{BrowseControl, BROWSE_WINDOW};
use crate::tui::keymap::Action;
use crate::tui::overlay::{Prompt, PromptFor};
use crate::tui::store::{Browsing, Shown, Store};
use crate::tui::theme::{Role, Theme};
use crate::tui::widgets::{self, Col};

/// Session ids, so that replies of an abandoned session are told apart.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

pub fn open(topic: String) -> Box<dyn View> {
    Box::new(BrowseView::new(BrowseSpec {
        topic,
        partition: None,
        start: Start::Beginning,
    }))
}

const COLS: [Col; 5] = [
    Col::fixed("P", 3).right(),
    Col::fixed("OFFSET", 9).right(),
    Col::fixed("WHEN", 14),
    Col::fill("KEY", 8, 1),
    Col::fill("VALUE", 16, 3),
];

const JQ_COLS: [Col; 5] = [
    Col::fixed("P", 3).right(),
    Col::fixed("OFFSET", 9).right(),
    Col::fixed("WHEN", 14),
    Col::fill("KEY", 8, 1),
    Col::fill("JQ OUTPUT", 16, 3),
];

/// What the jq filter made of a record: its outputs (none: the record is left out) or the
/// error it raised.
type JqOut = Result<Vec<String>, String>;

pub struct BrowseView {
    spec: BrowseSpec,
    id: u64,
    control: Arc<BrowseControl>,
    list: ListState,
    /// Keep reading and keep the newest in view.
    tail: bool,
    /// The selection sticks to the newest record (tail, until the user moves away).
    follow: bool,
    filter: Filter,
    jq_text: String,
    jq: Option<JqFilter>,
    jq_error: Option<String>,
    /// Outputs per (partition, offset) for the current filter.
    jq_cache: RefCell<HashMap<(i32, i64), JqOut>>,
}

impl Drop for BrowseView {
    fn drop(&mut self) {
        self.control.stop.store(true, Ordering::Relaxed);
    }
}

fn jq_message(e: &JqError) -> String {
    let s = e.to_string();
    s.strip_prefix("--jq: ").unwrap_or(&s).to_string()
}

impl BrowseView {
    pub fn new(spec: BrowseSpec) -> BrowseView {
        BrowseView {
            spec,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            control: Arc::new(BrowseControl::default()),
            list: ListState::default(),
            tail: false,
            follow: false,
            filter: Filter::default(),
            jq_text: String::new(),
            jq: None,
            jq_error: None,
            jq_cache: RefCell::new(HashMap::new()),
        }
    }

    fn session<'a>(&self, store: &'a Store) -> Option<&'a Browsing> {
        store.browse.as_ref().filter(|b| b.id == self.id)
    }

    /// Ends the session and starts another with the current spec.
    fn restart(&mut self) -> Vec<Effect> {
        self.control.stop.store(true, Ordering::Relaxed);
        self.control = Arc::new(BrowseControl::default());
        self.control.tail.store(self.tail, Ordering::Relaxed);
        self.id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        self.list = ListState::default();
        self.follow = self.tail;
        self.jq_cache.borrow_mut().clear();
        vec![Effect::Request(self.request())]
    }

    fn request(&self) -> Request {
        Request::Browse(self.id, self.spec.clone(), self.control.clone())
    }

    fn jq_of(&self, s: &Shown) -> JqOut {
        let Some(jq) = &self.jq else {
            return Ok(Vec::new());
        };
        let key = (s.record.partition, s.record.offset);
        let mut cache = self.jq_cache.borrow_mut();
        if cache.len() > 4 * BROWSE_WINDOW {
            cache.clear();
        }
        cache
            .entry(key)
            .or_insert_with(|| {
                let mut out = Vec::new();
                jq.apply(&s.record.envelope(), b"\n", &mut out)
                    .map(|_| {
                        String::from_utf8_lossy(&out)
                            .lines()
                            .map(str::to_string)
                            .collect()
                    })
                    .map_err(|e| jq_message(&e))
            })
            .clone()
    }

    /// The records that pass the `/` filter and the jq filter, with what jq made of them.
    fn visible<'a>(&self, store: &'a Store) -> Vec<(&'a Shown, JqOut)> {
        let Some(b) = self.session(store) else {
            return Vec::new();
        };
        b.records
            .iter()
            .filter(|s| self.filter.matches(&s.key) || self.filter.matches(&s.value))
            .filter_map(|s| {
                let out = self.jq_of(s);
                match &out {
                    Ok(v) if v.is_empty() && self.jq.is_some() => None,
                    _ => Some((s, out)),
                }
            })
            .collect()
    }

    fn selected<'a>(&self, store: &'a Store) -> Option<(&'a Shown, JqOut)> {
        let mut rows = self.visible(store);
        let i = if self.follow {
            rows.len().checked_sub(1)?
        } else {
            self.list.selected_in(rows.len())?
        };
        Some(rows.swap_remove(i))
    }

    fn set_tail(&mut self, on: bool) {
        self.tail = on;
        self.follow = on;
        self.control.tail.store(on, Ordering::Relaxed);
    }

    fn where_line(&self) -> String {
        let part = match self.spec.partition {
            None => "all partitions".to_string(),
            Some(p) => format!("partition {p}"),
        };
        format!(
            "{} · {part} · {}",
            self.spec.topic,
            self.spec.start.describe()
        )
    }

    fn row(&self, s: &Shown, out: &JqOut, t: &Theme) -> widgets::Row {
        let r = &s.record;
        let (value, style): (String, Style) = match (&self.jq, out) {
            (None, _) => {
                let style = if r.value.is_none() {
                    t.style(Role::Muted)
                } else {
                    t.style(Role::Text)
                };
                (s.value.clone(), style)
            }
            (Some(_), Ok(v)) => (v.join(" "), t.style(Role::Text)),
            (Some(_), Err(e)) => (format!("⚠ {e}"), t.style(Role::Error)),
        };
        let key_style = if r.key.is_none() {
            t.style(Role::Muted)
        } else {
            t.style(Role::Key)
        };
        widgets::Row {
            marked: false,
            cells: vec![
                (r.partition.to_string(), t.style(Role::Text)),
                (r.offset.to_string(), t.style(Role::Text)),
                (widgets::when(r.time()), t.style(Role::Muted)),
                (s.key.clone(), key_style),
                (value, style),
            ],
        }
    }
}

impl View for BrowseView {
    fn scope(&self) -> &'static str {
        "browse"
    }

    fn crumb(&self) -> String {
        self.spec.topic.clone()
    }

    fn requests(&self, store: &Store) -> Vec<Request> {
        if store.browse.as_ref().is_some_and(|b| b.id == self.id) {
            return Vec::new();
        }
        vec![self.request()]
    }

    fn filter(&self) -> Option<&Filter> {
        Some(&self.filter)
    }

    fn filter_mut(&mut self) -> Option<&mut Filter> {
        Some(&mut self.filter)
    }

    fn live_input(&self) -> Option<(&'static str, &str)> {
        Some(("jq", &self.jq_text))
    }

    fn set_live_input(&mut self, text: String) {
        self.jq_cache.borrow_mut().clear();
        self.list = ListState::default();
        self.jq_text = text;
        if self.jq_text.trim().is_empty() {
            self.jq = None;
            self.jq_error = None;
            return;
        }
        match JqFilter::compile(&self.jq_text) {
            Ok(f) => {
                self.jq = Some(f);
                self.jq_error = None;
            }
            Err(e) => {
                self.jq = None;
                self.jq_error = Some(jq_message(&e));
            }
        }
    }

    fn summary(&self, cx: &DrawCx) -> Vec<Span<'static>> {
        let t = cx.theme;
        let mut spans = vec![Span::styled(
            format!("{} · ", self.where_line()),
            t.style(Role::Muted),
        )];
        if let Some(b) = self.session(cx.store) {
            let kept = if b.records.dropped() > 0 {
                format!(" (newest {} kept)", thousands(b.records.len() as u64))
            } else {
                String::new()
            };
            spans.push(Span::styled(
                format!("{} records{kept} · ", thousands(b.received)),
                t.style(Role::Muted),
            ));
            if !self.tail && b.received >= BROWSE_WINDOW as u64 {
                spans.push(Span::styled(
                    "window full, <f> to tail · ",
                    t.style(Role::Warning),
                ));
            } else if b.caught_up && !self.tail {
                spans.push(Span::styled("at the end · ", t.style(Role::Muted)));
            }
        }
        if self.tail {
            spans.push(Span::styled("● live tail ", t.style(Role::Ok)));
        } else {
            spans.push(Span::styled("<f> live tail ", t.style(Role::Key)));
        }
        spans
    }

    fn draw(&self, f: &mut Frame, area: Rect, cx: &DrawCx) {
        let t = cx.theme;
        let mut area = area;
        let jq_lines = match (&self.jq_error, self.jq_text.is_empty()) {
            (Some(_), _) => 2,
            (None, false) => 1,
            (None, true) => 0,
        };
        if jq_lines > 0 && area.height > jq_lines + 1 {
            let [top, rest] = Layout::vertical([
                ratatui::layout::Constraint::Length(jq_lines),
                ratatui::layout::Constraint::Min(1),
            ])
            .areas(area);
            let mut lines = vec![Line::from(vec![
                Span::styled(" jq ", t.style(Role::Key)),
                Span::raw(self.jq_text.clone()),
            ])];
            if let Some(e) = &self.jq_error {
                lines.push(Line::styled(format!(" ⚠ {e}"), t.style(Role::Error)));
            }
            let w = top.width as usize;
            let lines: Vec<Line> = lines.into_iter().map(|l| widgets::fit_line(l, w)).collect();
            f.render_widget(Paragraph::new(lines), top);
            area = rest;
        }
        let Some(b) = self.session(cx.store) else {
            let line = Line::styled(
                format!("opening {}…", self.where_line()),
                t.style(Role::Muted),
            );
            f.render_widget(Paragraph::new(line), area);
            return;
        };
        if b.partitions.is_none() || b.error.is_some() && b.records.is_empty() {
            let (text, role) = match &b.error {
                Some(e) => (
                    format!("cannot browse {}: {e}", self.spec.topic),
                    Role::Error,
                ),
                None => (format!("opening {}…", self.where_line()), Role::Muted),
            };
            f.render_widget(
                Paragraph::new(Line::styled(text, t.style(role))).wrap(Wrap { trim: true }),
                area,
            );
            return;
        }
        let cols = if self.jq.is_some() { &JQ_COLS } else { &COLS };
        let visible = self.visible(cx.store);
        let rows: Vec<widgets::Row> = visible.iter().map(|(s, o)| self.row(s, o, t)).collect();
        let mut body = area;
        if let Some(e) = &b.error {
            let [top, rest] = Layout::vertical([
                ratatui::layout::Constraint::Length(1),
                ratatui::layout::Constraint::Min(1),
            ])
            .areas(area);
            f.render_widget(
                Paragraph::new(Line::styled(format!("⚠ {e}"), t.style(Role::Error))),
                top,
            );
            body = rest;
        }
        if rows.is_empty() {
            let [head, msg] = Layout::vertical([1, 1]).areas(body);
            widgets::table(f, head, t, cols, &[], &self.list, None);
            let text = if !b.records.is_empty() {
                "no record matches the filters"
            } else if b.caught_up {
                "no records (yet): <f> tails the topic, <s> starts elsewhere"
            } else {
                "waiting for records…"
            };
            f.render_widget(
                Paragraph::new(Line::styled(text, t.style(Role::Muted))),
                msg,
            );
            return;
        }
        if self.follow {
            let mut newest = ListState::default();
            newest.navigate(Action::Bottom, rows.len());
            widgets::table(f, body, t, cols, &rows, &newest, None);
        } else {
            widgets::table(f, body, t, cols, &rows, &self.list, None);
        }
    }

    fn handle(&mut self, action: Action, store: &Store) -> Vec<Effect> {
        let len = self.visible(store).len();
        if matches!(
            action,
            Action::Up
                | Action::Down
                | Action::Top
                | Action::Bottom
                | Action::PageUp
                | Action::PageDown
        ) {
            if self.follow {
                self.list.navigate(Action::Bottom, len);
            }
            self.list.navigate(action, len);
            // Back at the newest record while tailing: follow again.
            self.follow = self.tail && self.list.selected_in(len) == len.checked_sub(1);
            return Vec::new();
        }
        match action {
            Action::Open => match self.selected(store) {
                Some((s, out)) => {
                    let r = &s.record;
                    let mut lines: Vec<String> = r.pretty().lines().map(str::to_string).collect();
                    if self.jq.is_some() {
                        lines.push(String::new());
                        lines.push(format!("jq {}:", self.jq_text));
                        match out {
                            Ok(v) => lines.extend(v),
                            Err(e) => lines.push(format!("⚠ {e}")),
                        }
                    }
                    vec![Effect::Push(TextView::open(
                        format!("{} {}@{}", r.topic, r.partition, r.offset),
                        lines,
                    ))]
                }
                None => Vec::new(),
            },
            Action::Follow => {
                self.set_tail(!self.tail);
                let word = if self.tail {
                    "on: reading on and following the newest"
                } else {
                    "off"
                };
                vec![Effect::Info(format!("live tail {word}"))]
            }
            Action::StartAt => vec![Effect::Prompt(Prompt {
                label: "Start at".into(),
                hint: "beginning, end, an offset (1234), -N (the last N of each partition), @EPOCH-MS, 2025-03-02T14:00:00Z or 5m ago".into(),
                input: String::new(),
                purpose: PromptFor::BrowseStart,
            })],
            Action::Partition => vec![Effect::Prompt(Prompt {
                label: "Partition".into(),
                hint: format!(
                    "a partition number, or all{}",
                    self.session(store)
                        .and_then(|b| b.partitions.as_ref())
                        .map(|p| format!(" (reading {} now)", p.len()))
                        .unwrap_or_default()
                ),
                input: String::new(),
                purpose: PromptFor::BrowsePartition,
            })],
            Action::Jq => vec![Effect::LiveInput],
            _ => Vec::new(),
        }
    }

    fn answer(&mut self, purpose: PromptFor, input: &str, _store: &Store) -> Vec<Effect> {
        match purpose {
            PromptFor::BrowseStart => match Start::parse(input) {
                Ok(start) => {
                    self.spec.start = start;
                    if start == Start::End && !self.tail {
                        // Only new records come from the end: keep them coming.
                        self.set_tail(true);
                    }
                    let mut e = self.restart();
                    e.push(Effect::Info(format!("reading {}", self.where_line())));
                    e
                }
                Err(e) => vec![Effect::Error(e)],
            },
            PromptFor::BrowsePartition => {
                let input = input.trim();
                let partition = match input {
                    "" | "all" | "*" | "-1" => None,
                    n => match n.parse::<i32>() {
                        Ok(p) if p >= 0 => Some(p),
                        _ => {
                            return vec![Effect::Error(format!(
                                "{n:?} is not a partition: give a number, or all"
                            ))]
                        }
                    },
                };
                self.spec.partition = partition;
                let mut e = self.restart();
                e.push(Effect::Info(format!("reading {}", self.where_line())));
                e
            }
            _ => Vec::new(),
        }
    }
}
