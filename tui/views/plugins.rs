//! `:plugins`: the connector plugins installed on the cluster; Enter shows a plugin's config
//! definitions, `c` starts a new connector from its required fields.

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{placeholder, DrawCx, Effect, Filter, ListState, Resource, View};
use crate::tui::jobs::Request;
use crate::tui::keymap::Action;
use crate::tui::store::Store;
use crate::tui::theme::Role;
use crate::tui::widgets::{self, Col};

pub const RESOURCE: Resource = Resource {
    name: "plugins",
    aliases: &["pl", "plugin", "connector-plugins"],
    about: "connector plugins: classes, types, versions",
    open,
};

fn open() -> Box<dyn View> {
    Box::new(PluginsView::default())
}

const COLS: [Col; 3] = [
    Col::fill("CLASS", 20, 1),
    Col::fixed("TYPE", 6),
    Col::fixed("VERSION", 14),
];

#[derive(Default)]
pub struct PluginsView {
    list: ListState,
    filter: Filter,
}

impl PluginsView {
    fn classes(&self, store: &Store) -> Vec<(String, String, String)> {
        store
            .plugins
            .data
            .iter()
            .flatten()
            .filter(|p| self.filter.matches(&p.class_name))
            .map(|p| {
                let v = p.version.clone().unwrap_or_else(|| "-".into());
                (p.class_name.clone(), p.kind.clone(), v)
            })
            .collect()
    }

    fn selected(&self, store: &Store) -> Option<String> {
        let rows = self.classes(store);
        self.list.selected_in(rows.len()).map(|i| rows[i].0.clone())
    }
}

impl View for PluginsView {
    fn scope(&self) -> &'static str {
        "plugins"
    }

    fn crumb(&self) -> String {
        "plugins".into()
    }

    fn requests(&self, _store: &Store) -> Vec<Request> {
        vec![Request::Plugins]
    }

    fn filter(&self) -> Option<&Filter> {
        Some(&self.filter)
    }

    fn filter_mut(&mut self) -> Option<&mut Filter> {
        Some(&mut self.filter)
    }

    fn draw(&self, f: &mut Frame, area: Rect, cx: &DrawCx) {
        let t = cx.theme;
        if cx.store.plugins.data.is_none() {
            let role = if cx.store.plugins.error.is_some() {
                Role::Error
            } else {
                Role::Muted
            };
            let line = Line::styled(placeholder(&cx.store.plugins, "the plugins"), t.style(role));
            f.render_widget(Paragraph::new(line), area);
            return;
        }
        let rows: Vec<widgets::Row> = self
            .classes(cx.store)
            .into_iter()
            .map(|(class, kind, version)| widgets::Row {
                marked: false,
                cells: vec![
                    (class, t.style(Role::Text)),
                    (kind, t.style(Role::Text)),
                    (version, t.style(Role::Muted)),
                ],
            })
            .collect();
        widgets::table(f, area, t, &COLS, &rows, &self.list, None);
    }

    fn handle(&mut self, action: Action, store: &Store) -> Vec<Effect> {
        if self.list.navigate(action, self.classes(store).len()) {
            return Vec::new();
        }
        let Some(class) = self.selected(store) else {
            return Vec::new();
        };
        match action {
            Action::Open => vec![Effect::Push(super::plugin::open(class))],
            Action::Create => vec![Effect::Template(class)],
            _ => Vec::new(),
        }
    }
}
