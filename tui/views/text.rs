//! A scrollable, searchable text: a full stack trace, a worker's tasks. Long lines wrap at the
//! width (continuations indented); `/` keeps the lines that match, all of their wrapped rows,
//! and matches a line as a whole, wherever it wraps.

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::Frame;

use super::{DrawCx, Effect, Filter, Scroll, View};
use crate::tui::keymap::Action;
use crate::tui::store::Store;
use crate::tui::theme::Role;
use crate::tui::widgets;

/// The indent of a wrapped line's continuation rows.
const CONTINUATION: usize = 2;

pub struct TextView {
    title: String,
    lines: Vec<String>,
    scroll: Scroll,
    filter: Filter,
}

impl TextView {
    pub fn open(title: String, lines: Vec<String>) -> Box<dyn View> {
        Box::new(TextView {
            title,
            lines,
            scroll: Scroll::default(),
            filter: Filter::default(),
        })
    }
}

impl View for TextView {
    fn scope(&self) -> &'static str {
        "text"
    }

    fn crumb(&self) -> String {
        self.title.clone()
    }

    fn filter(&self) -> Option<&Filter> {
        Some(&self.filter)
    }

    fn filter_mut(&mut self) -> Option<&mut Filter> {
        Some(&mut self.filter)
    }

    fn draw(&self, f: &mut Frame, area: Rect, cx: &DrawCx) {
        let style = cx.theme.style(Role::Text);
        let width = area.width as usize;
        let lines: Vec<Line<'static>> = self
            .lines
            .iter()
            .filter(|l| self.filter.matches(l))
            .flat_map(|l| widgets::wrap(&l.replace('\t', "    "), width, CONTINUATION))
            .map(|row| Line::styled(row, style))
            .collect();
        widgets::scroll_text(f, area, lines, &self.scroll);
    }

    fn handle(&mut self, action: Action, _store: &Store) -> Vec<Effect> {
        self.scroll.navigate(action);
        Vec::new()
    }
}
