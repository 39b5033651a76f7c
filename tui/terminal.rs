//! The terminal's modes: raw, alternate screen and mouse on entry, and always off again on
//! exit, on error (a guard) and on panic (a hook); suspended around the editor.

use std::io::{stdout, Stdout};

use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::cursor::Show;
use ratatui::crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::Terminal;

pub type Term = Terminal<CrosstermBackend<Stdout>>;

fn on() -> std::io::Result<()> {
    enable_raw_mode()?;
    execute!(stdout(), EnterAlternateScreen, EnableMouseCapture)
}

fn off() {
    let _ = disable_raw_mode();
    let _ = execute!(stdout(), DisableMouseCapture, LeaveAlternateScreen, Show);
}

/// Restores the terminal when dropped.
pub struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        off();
    }
}

/// Enters the console's modes; the returned guard leaves them. A panic leaves them too,
/// before the panic message prints.
pub fn enter() -> std::io::Result<(Term, Restore)> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        off();
        previous(info);
    }));
    on()?;
    let guard = Restore;
    let mut term = Terminal::new(CrosstermBackend::new(stdout()))?;
    term.clear()?;
    Ok((term, guard))
}

/// Runs `f` (an editor) on the normal screen, then takes the terminal back.
pub fn suspended<T>(term: &mut Term, f: impl FnOnce() -> T) -> std::io::Result<T> {
    off();
    let out = f();
    on()?;
    term.clear()?;
    Ok(out)
}
