//! The frame: breadcrumb and refresh state, the filter/summary line, the top view, the status
//! line and the key hints (from the keymap), then any overlay. Drawing reads the state only.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

use super::app::App;
use super::overlay::{self, Overlay};
use super::theme::Role;
use super::views::DrawCx;
use super::widgets;

/// The smallest terminal the layout works in.
const MIN: (u16, u16) = (20, 5);

pub fn draw(f: &mut Frame, app: &App) {
    let area = f.area();
    let t = &app.theme;
    f.render_widget(Block::default().style(t.style(Role::Text)), area);
    if area.width < MIN.0 || area.height < MIN.1 {
        let line = Line::styled(
            widgets::fit("kct: terminal too small", area.width as usize),
            t.style(Role::Warning),
        );
        f.render_widget(Paragraph::new(line), area);
        return;
    }
    let [head, sub, body, status, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let cx = DrawCx {
        store: &app.store,
        theme: t,
    };
    let (left, right) = header(app, head.width as usize);
    split_line(f, head, left, right);
    split_line(f, sub, filter_line(app), app.view().summary(&cx));
    app.view().draw(f, body, &cx);
    f.render_widget(Paragraph::new(status_line(app)), status);
    f.render_widget(
        Paragraph::new(widgets::fit_line(hint_line(app), hints.width as usize)),
        hints,
    );
    if let Some(ov) = &app.overlay {
        overlay::draw(f, area, t, ov, &app.keymap, app.view().scope());
    }
}

/// `left` and `right` on one line; the right side wins when both do not fit.
fn split_line(f: &mut Frame, area: Rect, left: Vec<Span<'static>>, right: Vec<Span<'static>>) {
    let right = widgets::fit_line(Line::from(right), area.width as usize);
    let rw = right.width() as u16;
    let lw = area.width.saturating_sub(rw + 1);
    let left = widgets::fit_line(Line::from(left), lw as usize);
    f.render_widget(Paragraph::new(left), Rect { width: lw, ..area });
    f.render_widget(
        Paragraph::new(right).right_aligned(),
        Rect {
            x: area.x + area.width - rw,
            width: rw,
            ..area
        },
    );
}

/// ` kct ▸ prod (connect 3.7.1, 3 workers) ▸ connectors ▸ orders`; `compact` leaves out the
/// part in parentheses.
fn crumbs(app: &App, compact: bool) -> Vec<Span<'static>> {
    let t = &app.theme;
    let s = &app.store;
    let sep = || Span::styled(" ▸ ", t.style(Role::Muted));
    let mut spans = vec![
        Span::styled(" kct", t.style(Role::Title)),
        sep(),
        Span::styled(s.context.clone(), t.style(Role::Title)),
    ];
    let about = match (&s.server.data, s.connectors.data.is_some()) {
        (Some(info), true) => {
            let n = s.workers().len();
            let plural = if n == 1 { "" } else { "s" };
            format!(" (connect {}, {n} worker{plural})", info.version)
        }
        (Some(info), false) => format!(" (connect {})", info.version),
        (None, _) => format!(" ({})", s.url),
    };
    if !compact {
        spans.push(Span::styled(about, t.style(Role::Muted)));
    }
    for v in &app.views {
        spans.push(sep());
        spans.push(Span::styled(v.crumb(), t.style(Role::Title)));
    }
    spans
}

/// The breadcrumb and the refresh state for a line of `width` cells. The breadcrumb wins: it
/// first loses its part in parentheses, then the refresh state loses detail, then goes.
fn header(app: &App, width: usize) -> (Vec<Span<'static>>, Vec<Span<'static>>) {
    let w = |spans: &Vec<Span<'static>>| Line::from(spans.clone()).width();
    let full = crumbs(app, false);
    let compact = crumbs(app, true);
    for detail in [Detail::Full, Detail::NoCount, Detail::Short] {
        let right = refresh_state(app, detail);
        // One cell between the two sides.
        let room = width.saturating_sub(w(&right) + 1);
        if detail == Detail::Full && w(&full) <= room {
            return (full, right);
        }
        if w(&compact) <= room {
            return (compact, right);
        }
    }
    (compact, Vec::new())
}

/// How much the refresh state says.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Detail {
    /// `⟳ 2s · 14:02:11 · 41 connectors`
    Full,
    /// `⟳ 2s · 14:02:11`
    NoCount,
    /// `⟳ 2s` (or `⏸`, `⚠ 8s`), `ro` when read-only.
    Short,
}

/// `⟳ 2s · 14:02:11 · 41 connectors`, or the pause, or the back-off after failures, with as
/// much detail as asked.
fn refresh_state(app: &App, detail: Detail) -> Vec<Span<'static>> {
    let t = &app.theme;
    let s = &app.store;
    let mut spans = Vec::new();
    let r = &app.refresh;
    if detail == Detail::Short {
        if app.readonly {
            spans.push(Span::styled("ro ", t.style(Role::Warning)));
        }
        spans.push(if r.paused {
            Span::styled("⏸ ", t.style(Role::Warning))
        } else if r.failures > 0 {
            Span::styled(format!("⚠ {}s ", r.delay().as_secs()), t.style(Role::Error))
        } else {
            Span::raw(format!("⟳ {}s ", r.interval.as_secs()))
        });
        return spans;
    }
    if app.readonly {
        spans.push(Span::styled("read-only · ", t.style(Role::Warning)));
    }
    if r.paused {
        spans.push(Span::styled("⏸ paused", t.style(Role::Warning)));
    } else if r.failures > 0 {
        spans.push(Span::styled(
            format!("⚠ retry every {}s", r.delay().as_secs()),
            t.style(Role::Error),
        ));
    } else {
        spans.push(Span::raw(format!("⟳ {}s", r.interval.as_secs())));
    }
    let at = s.refreshed.clone().unwrap_or_else(|| "--:--:--".into());
    spans.push(Span::styled(format!(" · {at}"), t.style(Role::Muted)));
    if detail == Detail::NoCount {
        spans.push(Span::raw(" "));
    } else if let Some(rows) = &s.connectors.data {
        spans.push(Span::raw(format!(" · {} connectors ", rows.len())));
    } else {
        spans.push(Span::raw(" "));
    }
    spans
}

/// The `/` filter (or the `:` input while typing) and the last refresh error.
fn filter_line(app: &App) -> Vec<Span<'static>> {
    let t = &app.theme;
    let filter = app
        .view()
        .filter()
        .map(|f| f.text().to_string())
        .unwrap_or_default();
    let mut spans = match &app.overlay {
        Some(Overlay::Command(input)) => {
            overlay::input_line(t, ':', input, overlay::complete(input)).spans
        }
        Some(Overlay::Filter) => overlay::input_line(t, '/', &filter, None).spans,
        Some(Overlay::Input) => match app.view().live_input() {
            Some((label, text)) => vec![
                Span::styled(format!("{label} "), t.style(Role::Key)),
                Span::raw(text.to_string()),
                Span::styled("▏", t.style(Role::Key)),
            ],
            None => vec![Span::raw(" ")],
        },
        _ if !filter.is_empty() => vec![Span::styled(format!(" /{filter}"), t.style(Role::Key))],
        _ => vec![Span::raw(" ")],
    };
    if let Some(e) = &app.store.connectors.error {
        spans.push(Span::styled(format!("  ⚠ {e}"), t.style(Role::Error)));
    }
    spans
}

fn status_line(app: &App) -> Line<'static> {
    let t = &app.theme;
    match &app.status {
        Some(s) => {
            let role = if s.error { Role::Error } else { Role::Ok };
            Line::from(vec![
                Span::styled(format!(" {} ", s.at), t.style(Role::Muted)),
                Span::styled(s.text.clone(), t.style(role)),
            ])
        }
        None => Line::raw(""),
    }
}

/// `<enter> describe  <p> pause …`: the view's hint keys, then the global ones.
fn hint_line(app: &App) -> Line<'static> {
    let t = &app.theme;
    let mut spans = vec![Span::raw(" ")];
    for b in app.keymap.hints(app.view().scope()) {
        if app.readonly && b.action.mutates() {
            continue;
        }
        spans.push(Span::styled(format!("<{}>", b.key), t.style(Role::Key)));
        spans.push(Span::styled(
            format!(" {}  ", b.desc.split(" (").next().unwrap_or(b.desc)),
            t.style(Role::Muted),
        ));
    }
    Line::from(spans)
}
