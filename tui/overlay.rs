//! What sits over the views and takes the keys first: the confirmation that says exactly what
//! will happen, the choice menu (restart…), text prompts, the `:` command bar, the `/` filter
//! input and the `?` help; their state and their drawing.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Padding, Paragraph};
use ratatui::Frame;

use super::edit::EditJob;
use super::jobs::{Mutation, Request};
use super::keymap::Keymap;
use super::theme::{Role, Theme};
use super::views::{ListState, RESOURCES};
use super::widgets;

/// What `y` runs.
pub enum OnYes {
    Mutate(Vec<Mutation>),
    /// Reopen the editor (with the errors as notes).
    Reedit(EditJob),
    /// Ask for something more (a reset's plan past a running status), with a status note.
    Request(Box<Request>, String),
}

pub struct Confirm {
    pub title: String,
    pub lines: Vec<Line<'static>>,
    pub on_yes: OnYes,
}

impl Confirm {
    /// A confirmation for `ms`, one line per change, in words.
    pub fn mutations(ms: Vec<Mutation>) -> Confirm {
        let title = match ms.len() {
            1 => "Confirm".to_string(),
            n => format!("Confirm {n} changes"),
        };
        let lines = ms
            .iter()
            .map(|m| Line::raw(format!("• {}", m.describe())))
            .collect();
        Confirm {
            title,
            lines,
            on_yes: OnYes::Mutate(ms),
        }
    }
}

/// A choice between several confirmations (`R`: connector / all tasks / only failed).
pub struct Menu {
    pub title: String,
    pub items: Vec<(char, String, Confirm)>,
}

/// What a prompt's answer is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptFor {
    CreateFromFile,
    SetLogger,
    /// The browser's start position.
    BrowseStart,
    /// The browser's partition (or all).
    BrowsePartition,
    /// The new offset (JSON) of the inspector's selected source partition.
    SetOffset,
}

pub struct Prompt {
    pub label: String,
    pub hint: String,
    pub input: String,
    pub purpose: PromptFor,
}

pub enum Overlay {
    Help(ListState),
    Command(String),
    Filter,
    /// The top view's live input (the browser's jq filter) takes the keys.
    Input,
    Confirm(Confirm),
    Menu(Menu),
    Prompt(Prompt),
}

/// The `:` words: resources, their aliases and the built-in commands.
pub fn command_words() -> Vec<&'static str> {
    let mut words: Vec<&'static str> = RESOURCES
        .iter()
        .flat_map(|r| std::iter::once(r.name).chain(r.aliases.iter().copied()))
        .collect();
    words.extend(["help", "quit", "q"]);
    words
}

/// The first word that completes `input`, if `input` is a prefix of one.
pub fn complete(input: &str) -> Option<&'static str> {
    if input.is_empty() || input.contains(' ') {
        return None;
    }
    command_words().into_iter().find(|w| w.starts_with(input))
}

/// A centred box of at most `w`×`h` cells inside `area`.
fn popup(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width.saturating_sub(2)).max(1);
    let h = h.min(area.height.saturating_sub(2)).max(1);
    Rect {
        x: area.x + (area.width.saturating_sub(w)) / 2,
        y: area.y + (area.height.saturating_sub(h)) / 2,
        width: w,
        height: h,
    }
}

fn boxed(f: &mut Frame, area: Rect, theme: &Theme, title: &str, lines: Vec<Line<'static>>) {
    let block = Block::bordered()
        .padding(Padding::horizontal(1))
        .border_type(BorderType::Rounded)
        .border_style(theme.style(Role::Border))
        .title(Span::styled(format!(" {title} "), theme.style(Role::Title)));
    let inner = block.inner(area);
    f.render_widget(Clear, area);
    f.render_widget(block, area);
    let lines = lines
        .into_iter()
        .map(|l| widgets::fit_line(l, inner.width as usize))
        .collect::<Vec<_>>();
    f.render_widget(Paragraph::new(lines).style(theme.style(Role::Text)), inner);
}

fn answer_line(theme: &Theme, choices: &[(&str, &str)]) -> Line<'static> {
    let mut spans = Vec::new();
    for (k, d) in choices {
        spans.push(Span::styled(format!("<{k}>"), theme.style(Role::Key)));
        spans.push(Span::styled(format!(" {d}  "), theme.style(Role::Muted)));
    }
    Line::from(spans)
}

/// Draws the overlay boxes (the command and filter inputs draw in the header instead).
pub fn draw(
    f: &mut Frame,
    area: Rect,
    theme: &Theme,
    overlay: &Overlay,
    keymap: &Keymap,
    scope: &str,
) {
    match overlay {
        Overlay::Confirm(c) => {
            let mut lines = c.lines.clone();
            let room = area.height.saturating_sub(6) as usize;
            if lines.len() > room {
                let more = lines.len() - room + 1;
                lines.truncate(room.saturating_sub(1));
                lines.push(Line::styled(
                    format!("… and {more} more"),
                    theme.style(Role::Muted),
                ));
            }
            lines.push(Line::raw(""));
            lines.push(answer_line(
                theme,
                &[("y/enter", "proceed"), ("n/esc", "cancel")],
            ));
            let w = lines.iter().map(Line::width).max().unwrap_or(20) as u16 + 6;
            let r = popup(area, w.max(40), lines.len() as u16 + 2);
            boxed(f, r, theme, &c.title, lines);
        }
        Overlay::Menu(m) => {
            let mut lines: Vec<Line> = m
                .items
                .iter()
                .map(|(k, label, _)| {
                    Line::from(vec![
                        Span::styled(format!("<{k}> "), theme.style(Role::Key)),
                        Span::raw(label.clone()),
                    ])
                })
                .collect();
            lines.push(Line::raw(""));
            lines.push(answer_line(theme, &[("esc", "cancel")]));
            let w = lines.iter().map(Line::width).max().unwrap_or(20) as u16 + 6;
            let r = popup(area, w, lines.len() as u16 + 2);
            boxed(f, r, theme, &m.title, lines);
        }
        Overlay::Prompt(p) => {
            let lines = vec![
                Line::styled(p.hint.clone(), theme.style(Role::Muted)),
                Line::from(vec![
                    Span::styled("> ", theme.style(Role::Key)),
                    Span::raw(p.input.clone()),
                    Span::styled("▏", theme.style(Role::Key)),
                ]),
                Line::raw(""),
                answer_line(theme, &[("enter", "ok"), ("esc", "cancel")]),
            ];
            let r = popup(area, 72, 6);
            boxed(f, r, theme, &p.label, lines);
        }
        Overlay::Help(list) => {
            let lines = help_lines(theme, keymap, scope);
            let r = popup(area, 78, area.height);
            let inner_h = r.height.saturating_sub(2) as usize;
            let window = list.window(lines.len(), inner_h);
            let shown = lines
                .into_iter()
                .skip(window.start)
                .take(window.len())
                .collect();
            boxed(f, r, theme, "help · esc to close", shown);
        }
        Overlay::Command(_) | Overlay::Filter | Overlay::Input => {}
    }
}

/// The `?` screen: the view's keys, the global keys and the `:` resources, from the tables.
pub fn help_lines(theme: &Theme, keymap: &Keymap, scope: &str) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut section = "";
    let bindings: Vec<_> = keymap.help(scope).collect();
    for (i, b) in bindings.iter().enumerate() {
        let seen = bindings[..i]
            .iter()
            .any(|o| o.scope == b.scope && o.action == b.action);
        if seen {
            continue;
        }
        if b.scope != section {
            section = b.scope;
            if !lines.is_empty() {
                lines.push(Line::raw(""));
            }
            lines.push(Line::styled(
                format!("{section} keys"),
                theme.style(Role::Header),
            ));
        }
        let keys: Vec<String> = bindings[i..]
            .iter()
            .filter(|o| o.scope == b.scope && o.action == b.action)
            .map(|o| o.key.to_string())
            .collect();
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<14}", keys.join(" ")), theme.style(Role::Key)),
            Span::raw(format!("{:<38}", b.desc)),
            Span::styled(b.action.name().to_string(), theme.style(Role::Muted)),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("commands (:)", theme.style(Role::Header)));
    for r in RESOURCES {
        let names = std::iter::once(r.name)
            .chain(r.aliases.iter().copied())
            .map(|n| format!(":{n}"))
            .collect::<Vec<_>>()
            .join(" ");
        lines.push(Line::from(vec![
            Span::styled(format!("  {names:<28}"), theme.style(Role::Key)),
            Span::raw(r.about.to_string()),
        ]));
    }
    lines.push(Line::from(vec![
        Span::styled(format!("  {:<28}", ":ctx NAME"), theme.style(Role::Key)),
        Span::raw("switch to context NAME"),
    ]));
    lines.push(Line::from(vec![
        Span::styled(format!("  {:<28}", ":q :quit"), theme.style(Role::Key)),
        Span::raw("quit"),
    ]));
    lines
}

/// The input line that replaces the filter line while typing `:` or `/`.
pub fn input_line(
    theme: &Theme,
    prefix: char,
    text: &str,
    completion: Option<&str>,
) -> Line<'static> {
    let mut spans = vec![
        Span::styled(prefix.to_string(), theme.style(Role::Key)),
        Span::raw(text.to_string()),
    ];
    if let Some(rest) = completion.and_then(|c| c.strip_prefix(text)) {
        spans.push(Span::styled(rest.to_string(), theme.style(Role::Muted)));
    }
    spans.push(Span::styled("▏", theme.style(Role::Key)));
    Line::from(spans).style(Style::default())
}
