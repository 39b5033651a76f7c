//! The view stack's parts: the [`View`] trait every screen implements, the [`Effect`]s a view
//! asks the app for, the `:` resources, and the list and filter state the views share.
//!
//! Adding a view: one file here implementing [`View`], one line in [`RESOURCES`] when `:`
//! should open it, and its keys in `keymap.rs` under the view's scope.

pub mod browse;
pub mod connector;
pub mod connectors;
pub mod contexts;
pub mod inspect;
pub mod plugin;
pub mod plugins;
pub mod text;
pub mod topics;
pub mod workers;

use std::cell::Cell;
use std::ops::Range;

use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::Frame;
use regex::Regex;

use super::jobs::Request;
use super::keymap::Action;
use super::overlay::{Confirm, Menu, Prompt, PromptFor};
use super::store::Store;
use super::theme::Theme;

/// What a view gets to draw with.
pub struct DrawCx<'a> {
    pub store: &'a Store,
    pub theme: &'a Theme,
}

/// What a view asks of the app in answer to an action.
pub enum Effect {
    Push(Box<dyn View>),
    Request(Request),
    Confirm(Confirm),
    Menu(Menu),
    Prompt(Prompt),
    /// A message for the status line.
    Info(String),
    /// A failure for the status line (in the theme's error colour).
    Error(String),
    /// Edit connector NAME's config in the user's editor.
    Edit(String),
    /// Create a connector from plugin CLASS's required config.
    Template(String),
    SwitchContext(String),
    /// Let the view's live input take the keys.
    LiveInput,
}

/// One screen of the stack.
pub trait View {
    /// The keymap scope of the view's own keys (`global` keys work everywhere).
    fn scope(&self) -> &'static str;
    /// The view's breadcrumb.
    fn crumb(&self) -> String;
    fn draw(&self, f: &mut Frame, area: Rect, cx: &DrawCx);
    /// Handles an action of the view's scope, or a global navigation action.
    fn handle(&mut self, action: Action, store: &Store) -> Vec<Effect>;
    /// What the view needs fetched, on opening and at every refresh.
    fn requests(&self, _store: &Store) -> Vec<Request> {
        Vec::new()
    }
    /// The view's `/` filter, when it has one.
    fn filter(&self) -> Option<&Filter> {
        None
    }
    fn filter_mut(&mut self) -> Option<&mut Filter> {
        None
    }
    /// The right-hand side of the line under the breadcrumb.
    fn summary(&self, _cx: &DrawCx) -> Vec<Span<'static>> {
        Vec::new()
    }
    /// The answer to a prompt the view asked for.
    fn answer(&mut self, _purpose: PromptFor, _input: &str, _store: &Store) -> Vec<Effect> {
        Vec::new()
    }
    /// A second input applied as it is typed (the browser's jq filter): its label and text.
    fn live_input(&self) -> Option<(&'static str, &str)> {
        None
    }
    fn set_live_input(&mut self, _text: String) {}
}

/// A `:` resource: a name, its aliases and the view it opens.
pub struct Resource {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub about: &'static str,
    pub open: fn() -> Box<dyn View>,
}

/// Everything `:` can open.
pub const RESOURCES: &[Resource] = &[
    connectors::RESOURCE,
    plugins::RESOURCE,
    workers::RESOURCE,
    contexts::RESOURCE,
    inspect::OFFSETS,
    inspect::CONFIGS,
    inspect::STATUS,
    topics::RESOURCE,
];

/// The resource named `word` (a name or an alias).
pub fn resource(word: &str) -> Option<&'static Resource> {
    RESOURCES
        .iter()
        .find(|r| r.name == word || r.aliases.contains(&word))
}

/// A selection in a list of `len` items and the scroll window that keeps it visible.
#[derive(Debug, Default)]
pub struct ListState {
    selected: usize,
    offset: Cell<usize>,
    page: Cell<usize>,
}

impl ListState {
    /// Applies a navigation action; `false` when it is not one.
    pub fn navigate(&mut self, action: Action, len: usize) -> bool {
        let page = self.page.get().max(1);
        let last = len.saturating_sub(1);
        let cur = self.selected.min(last);
        self.selected = match action {
            Action::Up => cur.saturating_sub(1),
            Action::Down => (cur + 1).min(last),
            Action::Top => 0,
            Action::Bottom => last,
            Action::PageUp => cur.saturating_sub(page),
            Action::PageDown => (cur + page).min(last),
            _ => return false,
        };
        true
    }

    pub fn selected_in(&self, len: usize) -> Option<usize> {
        (len > 0).then(|| self.selected.min(len - 1))
    }

    /// The rows to show in `height` lines, scrolled so the selection is visible.
    pub fn window(&self, len: usize, height: usize) -> Range<usize> {
        self.page.set(height.saturating_sub(1));
        if height == 0 || len == 0 {
            return 0..0;
        }
        let sel = self.selected.min(len - 1);
        let mut off = self.offset.get().min(len.saturating_sub(height));
        if sel < off {
            off = sel;
        } else if sel >= off + height {
            off = sel + 1 - height;
        }
        self.offset.set(off);
        off..(off + height).min(len)
    }
}

/// Scrolling of a text: the top line, kept so the last page stays full.
#[derive(Debug, Default)]
pub struct Scroll {
    top: usize,
    max: Cell<usize>,
    page: Cell<usize>,
}

impl Scroll {
    /// Applies a navigation action; `false` when it is not one.
    pub fn navigate(&mut self, action: Action) -> bool {
        let (max, page) = (self.max.get(), self.page.get().max(1));
        let top = self.top.min(max);
        self.top = match action {
            Action::Up => top.saturating_sub(1),
            Action::Down => (top + 1).min(max),
            Action::Top => 0,
            Action::Bottom => max,
            Action::PageUp => top.saturating_sub(page),
            Action::PageDown => (top + page).min(max),
            _ => return false,
        };
        true
    }

    /// The lines to show of `len` in `height` rows.
    pub fn window(&self, len: usize, height: usize) -> Range<usize> {
        let max = len.saturating_sub(height);
        self.max.set(max);
        self.page.set(height.saturating_sub(1));
        let top = self.top.min(max);
        top..(top + height).min(len)
    }
}

/// A `/` filter: a case-insensitive regex when the text is one, else a substring.
#[derive(Debug, Default)]
pub struct Filter {
    text: String,
    regex: Option<Regex>,
}

impl Filter {
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn set(&mut self, text: String) {
        self.regex = regex::RegexBuilder::new(&text)
            .case_insensitive(true)
            .build()
            .ok();
        self.text = text;
    }

    pub fn matches(&self, s: &str) -> bool {
        if self.text.is_empty() {
            return true;
        }
        match &self.regex {
            Some(re) => re.is_match(s),
            None => s.to_lowercase().contains(&self.text.to_lowercase()),
        }
    }
}

/// The line shown where a view has nothing to show yet or any more.
pub fn placeholder<T>(loaded: &super::store::Loaded<T>, what: &str) -> String {
    match &loaded.error {
        Some(e) => format!("cannot load {what}: {e}"),
        None => format!("loading {what}…"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_follows_the_selection() {
        let mut l = ListState::default();
        assert_eq!(l.window(100, 10), 0..10);
        for _ in 0..15 {
            l.navigate(Action::Down, 100);
        }
        assert_eq!(l.window(100, 10), 6..16);
        l.navigate(Action::Bottom, 100);
        assert_eq!(l.window(100, 10), 90..100);
        l.navigate(Action::PageUp, 100);
        assert_eq!(l.selected_in(100), Some(90));
        assert_eq!(l.selected_in(5), Some(4));
    }

    #[test]
    fn filters_take_regexes_and_substrings() {
        let mut f = Filter::default();
        f.set("^ord".into());
        assert!(f.matches("Orders") && !f.matches("xorders"));
        f.set("a(b".into());
        assert!(f.matches("xa(by"));
    }
}
