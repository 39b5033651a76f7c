//! `:topics`: the Kafka cluster's topics with their partitions (metadata from the target's
//! bootstrap); `enter` opens the message browser on one.

use std::cell::Cell;

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::{DrawCx, Effect, Filter, ListState, Resource, View};
use crate::tui::jobs::Request;
use crate::tui::keymap::Action;
use crate::tui::store::Store;
use crate::tui::theme::Role;
use crate::tui::widgets::{self, Col};
use kct::kafka::browse::TopicSummary;

pub const RESOURCE: Resource = Resource {
    name: "topics",
    aliases: &["tp", "kafka-topics"],
    about: "Kafka topics with their partitions; enter browses messages",
    open,
};

fn open() -> Box<dyn View> {
    Box::new(TopicsView::default())
}

const COLS: [Col; 4] = [
    Col::fill("TOPIC", 16, 3),
    Col::fixed("PARTITIONS", 10).right(),
    Col::fixed("REPLICAS", 8).right(),
    Col::fill("PROBLEM", 8, 1),
];

#[derive(Default)]
pub struct TopicsView {
    list: ListState,
    filter: Filter,
    asked: Cell<bool>,
}

impl TopicsView {
    fn topics<'a>(&self, store: &'a Store) -> Vec<&'a TopicSummary> {
        store
            .kafka_topics
            .data
            .iter()
            .flatten()
            .filter(|t| self.filter.matches(&t.name))
            .collect()
    }
}

impl View for TopicsView {
    fn scope(&self) -> &'static str {
        "topics"
    }

    fn crumb(&self) -> String {
        "topics".into()
    }

    fn requests(&self, store: &Store) -> Vec<Request> {
        if store.kafka_topics.data.is_some() || self.asked.replace(true) {
            return Vec::new();
        }
        vec![Request::KafkaTopics]
    }

    fn filter(&self) -> Option<&Filter> {
        Some(&self.filter)
    }

    fn filter_mut(&mut self) -> Option<&mut Filter> {
        Some(&mut self.filter)
    }

    fn summary(&self, cx: &DrawCx) -> Vec<ratatui::text::Span<'static>> {
        match &cx.store.kafka_topics.data {
            Some(ts) => vec![ratatui::text::Span::styled(
                format!("{} topics ", ts.len()),
                cx.theme.style(Role::Muted),
            )],
            None => Vec::new(),
        }
    }

    fn draw(&self, f: &mut Frame, area: Rect, cx: &DrawCx) {
        let t = cx.theme;
        let l = &cx.store.kafka_topics;
        if l.data.is_none() {
            let (text, role) = match &l.error {
                Some(e) => (format!("cannot list the topics: {e}"), Role::Error),
                None => ("listing the topics…".to_string(), Role::Muted),
            };
            f.render_widget(
                Paragraph::new(Line::styled(text, t.style(role))).wrap(Wrap { trim: true }),
                area,
            );
            return;
        }
        let rows: Vec<widgets::Row> = self
            .topics(cx.store)
            .into_iter()
            .map(|tp| {
                let muted = tp.name.starts_with("__");
                let name_style = if muted {
                    t.style(Role::Muted)
                } else {
                    t.style(Role::Text)
                };
                widgets::Row {
                    marked: false,
                    cells: vec![
                        (tp.name.clone(), name_style),
                        (tp.partitions.to_string(), t.style(Role::Text)),
                        (tp.replicas.to_string(), t.style(Role::Muted)),
                        (tp.error.clone().unwrap_or_default(), t.style(Role::Error)),
                    ],
                }
            })
            .collect();
        if rows.is_empty() {
            let [head, body] = ratatui::layout::Layout::vertical([1, 1]).areas(area);
            widgets::table(f, head, t, &COLS, &[], &self.list, None);
            f.render_widget(
                Paragraph::new(Line::styled("no topics", t.style(Role::Muted))),
                body,
            );
            return;
        }
        widgets::table(f, area, t, &COLS, &rows, &self.list, None);
    }

    fn handle(&mut self, action: Action, store: &Store) -> Vec<Effect> {
        let topics = self.topics(store);
        if self.list.navigate(action, topics.len()) {
            return Vec::new();
        }
        match action {
            Action::Open => match self.list.selected_in(topics.len()) {
                Some(i) => vec![Effect::Push(super::browse::open(topics[i].name.clone()))],
                None => Vec::new(),
            },
            Action::Reload => vec![
                Effect::Request(Request::KafkaTopics),
                Effect::Info("listing the topics…".into()),
            ],
            _ => Vec::new(),
        }
    }
}
