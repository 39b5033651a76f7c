//! `:ctx`: the contexts of the config file with their reachability and Connect version;
//! Enter switches the console to one.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{DrawCx, Effect, ListState, Resource, View};
use crate::tui::jobs::Request;
use crate::tui::keymap::Action;
use crate::tui::store::{ContextRow, Store};
use crate::tui::theme::{Role, Theme};
use crate::tui::widgets::{self, Col};

pub const RESOURCE: Resource = Resource {
    name: "ctx",
    aliases: &["contexts", "context"],
    about: "configured clusters; enter switches",
    open,
};

fn open() -> Box<dyn View> {
    Box::new(ContextsView::default())
}

const COLS: [Col; 3] = [
    Col::fill("CONTEXT", 10, 1),
    Col::fill("CONNECT URL", 16, 2),
    Col::fill("STATUS", 16, 2),
];

#[derive(Default)]
pub struct ContextsView {
    list: ListState,
}

/// What probing a context found, and its style.
fn reach(c: &ContextRow, t: &Theme) -> (String, Style) {
    match (&c.target, &c.probe.data, &c.probe.error) {
        (Err(e), ..) => (e.clone(), t.style(Role::Error)),
        (_, _, Some(e)) => (format!("unreachable: {e}"), t.style(Role::Error)),
        (_, Some(info), None) => (format!("connect {}", info.version), t.style(Role::Ok)),
        _ => ("probing…".into(), t.style(Role::Muted)),
    }
}

impl View for ContextsView {
    fn scope(&self) -> &'static str {
        "contexts"
    }

    fn crumb(&self) -> String {
        "contexts".into()
    }

    fn requests(&self, store: &Store) -> Vec<Request> {
        store
            .contexts
            .iter()
            .filter_map(|c| {
                let t = c.target.as_ref().ok()?;
                Some(Request::Probe(c.name.clone(), Box::new(t.clone())))
            })
            .collect()
    }

    fn draw(&self, f: &mut Frame, area: Rect, cx: &DrawCx) {
        let t = cx.theme;
        if cx.store.contexts.is_empty() {
            let text =
                "no contexts configured; `kct config set-context NAME --connect URL` adds one";
            f.render_widget(
                Paragraph::new(Line::styled(text, t.style(Role::Muted))),
                area,
            );
            return;
        }
        let rows: Vec<widgets::Row> = cx
            .store
            .contexts
            .iter()
            .map(|c| {
                let current = c.name == cx.store.context;
                let url = c
                    .target
                    .as_ref()
                    .map(|t| t.connect.join(","))
                    .unwrap_or_default();
                let name = if current {
                    format!("{} (current)", c.name)
                } else {
                    c.name.clone()
                };
                let (status, style) = reach(c, t);
                widgets::Row {
                    marked: current,
                    cells: vec![
                        (name, t.style(Role::Text)),
                        (url, t.style(Role::Text)),
                        (status, style),
                    ],
                }
            })
            .collect();
        widgets::table(f, area, t, &COLS, &rows, &self.list, None);
    }

    fn handle(&mut self, action: Action, store: &Store) -> Vec<Effect> {
        let n = store.contexts.len();
        if self.list.navigate(action, n) {
            return Vec::new();
        }
        match (action, self.list.selected_in(n)) {
            (Action::Open, Some(i)) => vec![Effect::SwitchContext(store.contexts[i].name.clone())],
            _ => Vec::new(),
        }
    }
}
