//! Drawing pieces the views share: a table that sizes its columns to the width it gets and
//! truncates with an ellipsis, scrollable lines, the width-aware `fit`, and the local clock.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::theme::{Role, Theme};
use super::views::{ListState, Scroll};

/// Display width of `s` in terminal cells.
pub fn width(s: &str) -> usize {
    Span::raw(s).width()
}

/// `s` cut to `w` cells, ending in `…` when it was longer.
pub fn fit(s: &str, w: usize) -> String {
    if width(s) <= w {
        return s.to_string();
    }
    if w == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    let mut buf = [0u8; 4];
    for c in s.chars() {
        let cw = width(c.encode_utf8(&mut buf));
        if used + cw > w - 1 {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push('…');
    out
}

/// `s` fitted to `w` cells and padded to exactly `w`, left or right aligned.
pub fn pad(s: &str, w: usize, right: bool) -> String {
    let f = fit(s, w);
    let gap = " ".repeat(w.saturating_sub(width(&f)));
    if right {
        gap + &f
    } else {
        f + &gap
    }
}

/// The local time as `HH:MM:SS`.
pub fn clock() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as libc::time_t)
        .unwrap_or(0);
    // SAFETY: localtime_r writes only into the `tm` we pass; both pointers are valid.
    let tm = unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        libc::localtime_r(&now, &mut tm);
        tm
    };
    format!("{:02}:{:02}:{:02}", tm.tm_hour, tm.tm_min, tm.tm_sec)
}

/// A record time, epoch milliseconds, as `MM-DD HH:MM:SS` in local time (UTC in tests, so
/// that snapshots do not depend on the machine's zone); `-` when there is none.
pub fn when(ms: Option<i64>) -> String {
    let Some(ms) = ms.filter(|m| *m >= 0) else {
        return "-".into();
    };
    let secs = (ms / 1000) as libc::time_t;
    // SAFETY: localtime_r/gmtime_r write only into the `tm` we pass; both pointers are valid.
    let tm = unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if cfg!(test) {
            libc::gmtime_r(&secs, &mut tm);
        } else {
            libc::localtime_r(&secs, &mut tm);
        }
        tm
    };
    format!(
        "{:02}-{:02} {:02}:{:02}:{:02}",
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    )
}

/// How a column takes its width.
#[derive(Debug, Clone, Copy)]
pub enum Width {
    /// Exactly this many cells.
    Fixed(u16),
    /// A share (the weight) of what the fixed columns leave, at least `min`.
    Fill { min: u16, weight: u16 },
}

#[derive(Debug, Clone, Copy)]
pub struct Col {
    pub title: &'static str,
    pub width: Width,
    pub right: bool,
}

impl Col {
    pub const fn fixed(title: &'static str, w: u16) -> Col {
        Col {
            title,
            width: Width::Fixed(w),
            right: false,
        }
    }

    pub const fn fill(title: &'static str, min: u16, weight: u16) -> Col {
        Col {
            title,
            width: Width::Fill { min, weight },
            right: false,
        }
    }

    pub const fn right(mut self) -> Col {
        self.right = true;
        self
    }
}

/// The widths of `cols` in `total` cells with one-cell gaps; columns that do not fit at their
/// minimum are left out (width 0) from the right.
pub fn widths(cols: &[Col], total: u16) -> Vec<u16> {
    let min = |c: &Col| match c.width {
        Width::Fixed(w) => w,
        Width::Fill { min, .. } => min,
    };
    let mut shown = cols.len();
    while shown > 1 {
        let need: u16 = cols[..shown].iter().map(min).sum::<u16>() + shown as u16 - 1;
        if need <= total {
            break;
        }
        shown -= 1;
    }
    let gaps = shown.saturating_sub(1) as u16;
    let fixed: u16 = cols[..shown]
        .iter()
        .filter_map(|c| match c.width {
            Width::Fixed(w) => Some(w),
            Width::Fill { .. } => None,
        })
        .sum();
    let weights: u16 = cols[..shown]
        .iter()
        .map(|c| match c.width {
            Width::Fill { weight, .. } => weight,
            Width::Fixed(_) => 0,
        })
        .sum();
    let mut spare = total.saturating_sub(fixed + gaps);
    let mut out = vec![0; cols.len()];
    let fills: Vec<usize> = (0..shown)
        .filter(|i| matches!(cols[*i].width, Width::Fill { .. }))
        .collect();
    for (k, &i) in fills.iter().enumerate() {
        let Width::Fill { min, weight } = cols[i].width else {
            continue;
        };
        let share = if k + 1 == fills.len() {
            spare
        } else {
            (u32::from(total.saturating_sub(fixed + gaps)) * u32::from(weight)
                / u32::from(weights.max(1))) as u16
        };
        let w = share.max(min).min(spare);
        out[i] = w;
        spare -= w;
    }
    for i in 0..shown {
        if let Width::Fixed(w) = cols[i].width {
            out[i] = w;
        }
    }
    out
}

/// A table row: the cells (text and style) and whether the row is marked.
pub struct Row {
    pub cells: Vec<(String, Style)>,
    pub marked: bool,
}

/// Draws a header line (with `▲`/`▼` on the `sort` column) and the rows that fit, keeping
/// `list`'s selection in view. The first cell of each line is the mark column.
pub fn table(
    f: &mut Frame,
    area: Rect,
    theme: &Theme,
    cols: &[Col],
    rows: &[Row],
    list: &ListState,
    sort: Option<(usize, bool)>,
) {
    if area.height == 0 || area.width < 2 {
        return;
    }
    let ws = widths(cols, area.width - 1);
    let line = |cells: Vec<(String, Style)>, mark: Span<'static>, base: Style| {
        let mut spans = vec![mark];
        let mut first = true;
        for ((text, style), (col, w)) in cells.into_iter().zip(cols.iter().zip(&ws)) {
            if *w == 0 {
                continue;
            }
            if !first {
                spans.push(Span::styled(" ", base));
            }
            first = false;
            spans.push(Span::styled(
                pad(&text, *w as usize, col.right),
                base.patch(style),
            ));
        }
        Line::from(spans).style(base)
    };
    let header: Vec<(String, Style)> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let arrow = match sort {
                Some((col, false)) if col == i => " ▲",
                Some((col, true)) if col == i => " ▼",
                _ => "",
            };
            (format!("{}{arrow}", c.title), Style::default())
        })
        .collect();
    let mut lines = vec![line(header, Span::raw(" "), theme.style(Role::Header))];
    let height = area.height as usize - 1;
    let window = list.window(rows.len(), height);
    for i in window {
        let r = &rows[i];
        let selected = Some(i) == list.selected_in(rows.len());
        let base = if selected {
            theme.style(Role::Selection)
        } else {
            theme.style(Role::Text)
        };
        let mark = if r.marked {
            Span::styled("●", base.patch(theme.style(Role::Marked)))
        } else if selected {
            Span::styled("▶", base)
        } else {
            Span::raw(" ")
        };
        let cells = if selected {
            // The selection's colours win over the cells' own, except for text attributes.
            r.cells
                .iter()
                .map(|(t, s)| (t.clone(), Style::default().add_modifier(s.add_modifier)))
                .collect()
        } else {
            r.cells.clone()
        };
        lines.push(line(cells, mark, base));
    }
    f.render_widget(Paragraph::new(lines), area);
}

/// Draws the part of `lines` that `scroll` shows, each cut to the width.
pub fn scroll_text(f: &mut Frame, area: Rect, lines: Vec<Line<'static>>, scroll: &Scroll) {
    let window = scroll.window(lines.len(), area.height as usize);
    let shown: Vec<Line> = lines
        .into_iter()
        .skip(window.start)
        .take(window.len())
        .map(|l| fit_line(l, area.width as usize))
        .collect();
    f.render_widget(Paragraph::new(shown), area);
}

/// `s` in rows of at most `w` cells, cut anywhere (traces have few spaces worth breaking at);
/// rows after the first start with `indent` spaces, unless the width leaves no room for them.
pub fn wrap(s: &str, w: usize, indent: usize) -> Vec<String> {
    if w == 0 || width(s) <= w {
        return vec![s.to_string()];
    }
    let indent = if w > indent * 4 { indent } else { 0 };
    let mut rows = Vec::new();
    let mut row = String::new();
    let mut used = 0;
    let mut buf = [0u8; 4];
    for c in s.chars() {
        let cw = width(c.encode_utf8(&mut buf));
        if used + cw > w && used > indent {
            rows.push(std::mem::take(&mut row));
            row.push_str(&" ".repeat(indent));
            used = indent;
        }
        row.push(c);
        used += cw;
    }
    rows.push(row);
    rows
}

/// A line cut to `w` cells with an ellipsis.
pub fn fit_line(line: Line<'static>, w: usize) -> Line<'static> {
    if line.width() <= w {
        return line;
    }
    let mut spans = Vec::new();
    let mut left = w;
    for s in line.spans {
        let sw = s.width();
        if sw < left {
            left -= sw;
            spans.push(s);
        } else {
            spans.push(Span::styled(fit(&s.content, left), s.style));
            break;
        }
    }
    Line::from(spans).style(line.style)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_cuts_with_an_ellipsis() {
        assert_eq!(fit("orders-jdbc-source", 8), "orders-…");
        assert_eq!(fit("abc", 3), "abc");
        assert_eq!(fit("abc", 0), "");
        assert_eq!(pad("ab", 4, true), "  ab");
    }

    #[test]
    fn wrap_cuts_at_the_width_and_indents_continuations() {
        assert_eq!(wrap("abcdefghij", 4, 0), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("abcdefghijklmn", 10, 2), ["abcdefghij", "  klmn"]);
        assert_eq!(wrap("short", 10, 2), ["short"]);
        assert_eq!(wrap("", 10, 2), [""]);
        assert_eq!(wrap("abc", 0, 2), ["abc"]);
        // Wide characters never straddle the edge; a cell too narrow for one still moves on.
        assert_eq!(wrap("日本語", 4, 0), ["日本", "語"]);
        assert_eq!(wrap("日本", 1, 0), ["日", "本"]);
        for row in wrap(&"x".repeat(1000), 37, 2) {
            assert!(width(&row) <= 37);
        }
    }

    #[test]
    fn columns_share_the_width_and_drop_from_the_right() {
        let cols = [
            Col::fill("A", 5, 2),
            Col::fixed("B", 4),
            Col::fill("C", 5, 1),
        ];
        let w = widths(&cols, 30);
        assert_eq!(w.iter().sum::<u16>() + 2, 30);
        assert_eq!(w[1], 4);
        let narrow = widths(&cols, 12);
        assert_eq!(narrow, [7, 4, 0]);
    }
}
