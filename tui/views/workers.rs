//! `:workers`: the workers seen in the connectors' statuses and the load on each; Enter lists
//! the connectors and tasks a worker runs.

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::text::TextView;
use super::{placeholder, DrawCx, Effect, ListState, Resource, View};
use crate::tui::keymap::Action;
use crate::tui::store::Store;
use crate::tui::theme::Role;
use crate::tui::widgets::{self, Col};

pub const RESOURCE: Resource = Resource {
    name: "workers",
    aliases: &["wk", "worker"],
    about: "workers and the connectors and tasks on each",
    open,
};

fn open() -> Box<dyn View> {
    Box::new(WorkersView::default())
}

const COLS: [Col; 5] = [
    Col::fill("WORKER", 16, 1),
    Col::fixed("CONNECTORS", 10).right(),
    Col::fixed("TASKS", 5).right(),
    Col::fixed("RUNNING", 7).right(),
    Col::fixed("FAILED", 6).right(),
];

#[derive(Default)]
pub struct WorkersView {
    list: ListState,
}

impl View for WorkersView {
    fn scope(&self) -> &'static str {
        "workers"
    }

    fn crumb(&self) -> String {
        "workers".into()
    }

    fn draw(&self, f: &mut Frame, area: Rect, cx: &DrawCx) {
        let t = cx.theme;
        if cx.store.connectors.data.is_none() {
            let line = Line::styled(
                placeholder(&cx.store.connectors, "the workers"),
                t.style(Role::Muted),
            );
            f.render_widget(Paragraph::new(line), area);
            return;
        }
        let rows: Vec<widgets::Row> = cx
            .store
            .workers()
            .into_iter()
            .map(|w| {
                let failed = if w.failed > 0 {
                    t.style(Role::Failed)
                } else {
                    t.style(Role::Muted)
                };
                widgets::Row {
                    marked: false,
                    cells: vec![
                        (w.id, t.style(Role::Text)),
                        (w.connectors.to_string(), t.style(Role::Text)),
                        (w.tasks.to_string(), t.style(Role::Text)),
                        (w.running.to_string(), t.style(Role::Running)),
                        (w.failed.to_string(), failed),
                    ],
                }
            })
            .collect();
        widgets::table(f, area, t, &COLS, &rows, &self.list, None);
    }

    fn handle(&mut self, action: Action, store: &Store) -> Vec<Effect> {
        let workers = store.workers();
        if self.list.navigate(action, workers.len()) {
            return Vec::new();
        }
        match (action, self.list.selected_in(workers.len())) {
            (Action::Open, Some(i)) => {
                let w = &workers[i];
                let lines = w
                    .instances
                    .iter()
                    .map(|(what, s)| format!("{what:<48} {s}"))
                    .collect();
                vec![Effect::Push(TextView::open(w.id.clone(), lines))]
            }
            _ => Vec::new(),
        }
    }
}
