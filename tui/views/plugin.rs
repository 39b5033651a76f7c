//! One plugin's config definitions (`GET /connector-plugins/{class}/config`): name, type,
//! required, default, importance; Enter shows a key's documentation, `c` a new connector.

use kct::connect::types::ConfigKeyInfo;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::text::TextView;
use super::{placeholder, DrawCx, Effect, Filter, ListState, View};
use crate::tui::jobs::Request;
use crate::tui::keymap::Action;
use crate::tui::store::{Loaded, Store};
use crate::tui::theme::Role;
use crate::tui::widgets::{self, Col};

pub fn open(class: String) -> Box<dyn View> {
    Box::new(PluginView {
        class,
        list: ListState::default(),
        filter: Filter::default(),
    })
}

const COLS: [Col; 5] = [
    Col::fill("NAME", 16, 2),
    Col::fixed("TYPE", 8),
    Col::fixed("REQ", 3),
    Col::fill("DEFAULT", 8, 1),
    Col::fixed("IMPORTANCE", 10),
];

pub struct PluginView {
    class: String,
    list: ListState,
    filter: Filter,
}

impl PluginView {
    fn defs<'a>(&self, store: &'a Store) -> Vec<&'a ConfigKeyInfo> {
        store
            .plugin_defs
            .get(&self.class)
            .and_then(|l| l.data.as_ref())
            .into_iter()
            .flatten()
            .filter(|d| self.filter.matches(&d.name))
            .collect()
    }
}

impl View for PluginView {
    fn scope(&self) -> &'static str {
        "plugin"
    }

    fn crumb(&self) -> String {
        kct::connect::ops::short_class(&self.class).to_string()
    }

    fn requests(&self, _store: &Store) -> Vec<Request> {
        vec![Request::PluginConfig(self.class.clone())]
    }

    fn filter(&self) -> Option<&Filter> {
        Some(&self.filter)
    }

    fn filter_mut(&mut self) -> Option<&mut Filter> {
        Some(&mut self.filter)
    }

    fn draw(&self, f: &mut Frame, area: Rect, cx: &DrawCx) {
        let t = cx.theme;
        let loaded = cx.store.plugin_defs.get(&self.class);
        if loaded.and_then(|l| l.data.as_ref()).is_none() {
            let l = loaded.cloned().unwrap_or_else(Loaded::default);
            let role = if l.error.is_some() {
                Role::Error
            } else {
                Role::Muted
            };
            let line = Line::styled(placeholder(&l, "the config definitions"), t.style(role));
            f.render_widget(Paragraph::new(line), area);
            return;
        }
        let rows: Vec<widgets::Row> = self
            .defs(cx.store)
            .into_iter()
            .map(|d| {
                let req = if d.required {
                    ("yes", t.style(Role::Warning))
                } else {
                    ("", t.style(Role::Text))
                };
                widgets::Row {
                    marked: false,
                    cells: vec![
                        (d.name.clone(), t.style(Role::Key)),
                        (d.kind.clone(), t.style(Role::Text)),
                        (req.0.into(), req.1),
                        (
                            d.default_value.clone().unwrap_or_default(),
                            t.style(Role::Muted),
                        ),
                        (d.importance.clone(), t.style(Role::Text)),
                    ],
                }
            })
            .collect();
        widgets::table(f, area, t, &COLS, &rows, &self.list, None);
    }

    fn handle(&mut self, action: Action, store: &Store) -> Vec<Effect> {
        let defs = self.defs(store);
        if self.list.navigate(action, defs.len()) {
            return Vec::new();
        }
        match action {
            Action::Create => vec![Effect::Template(self.class.clone())],
            Action::Open => match self.list.selected_in(defs.len()).map(|i| defs[i]) {
                Some(d) => {
                    let mut lines = vec![
                        format!("{} ({}, importance {})", d.name, d.kind, d.importance),
                        format!("default: {}", d.default_value.as_deref().unwrap_or("none")),
                        String::new(),
                    ];
                    lines.extend(
                        d.documentation
                            .as_deref()
                            .unwrap_or("no documentation")
                            .lines()
                            .map(str::to_string),
                    );
                    vec![Effect::Push(TextView::open(d.name.clone(), lines))]
                }
                None => Vec::new(),
            },
            _ => Vec::new(),
        }
    }
}
