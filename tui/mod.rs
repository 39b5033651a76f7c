//! `kct tui`: the terminal console, k9s for Kafka Connect. This file owns the command line,
//! the set-up (target, contexts, theme, keys) and the main loop: one event channel fed by the
//! input and jobs threads, `update` per event, a draw only when something changed.

mod app;
mod edit;
mod event;
mod jobs;
mod kafka;
mod keymap;
mod overlay;
mod store;
mod terminal;
mod theme;
mod trace;
mod ui;
mod views;
mod widgets;

#[cfg(test)]
mod tests;

use std::io::IsTerminal;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Arg, ArgAction, ArgMatches, Command};
use kct::config::context::{config_path, ConfigFile, Overrides};

use app::App;
use event::{Event, InputControl};
use jobs::Jobs;
use keymap::Keymap;
use store::{ContextRow, Loaded, Store};
use theme::Theme;

/// How often the loop looks at the clock (refresh due, signals) when nothing happens.
const TICK: Duration = Duration::from_millis(200);

pub fn command() -> Command {
    let mut cmd = Command::new("tui")
        .about("Open the terminal console (also: kct with no arguments on a terminal)")
        .long_about(
            "A k9s-style console for Kafka Connect: connectors with live state, details, \
             traces, config, topics and offsets; pause/resume/stop/restart/delete/edit/create \
             behind confirmations. `:` switches resources, `/` filters, `?` lists the keys.",
        )
        .arg(
            Arg::new("theme")
                .long("theme")
                .value_name("NAME")
                .help("dark, light, high-contrast, mono, or a file in <config dir>/kct/themes"),
        )
        .arg(
            Arg::new("readonly")
                .long("readonly")
                .action(ArgAction::SetTrue)
                .help("Disable every action that changes the cluster"),
        )
        .arg(
            Arg::new("refresh")
                .long("refresh")
                .value_name("SECONDS")
                .default_value("2")
                .value_parser(clap::value_parser!(u64).range(1..=3600))
                .help("Live refresh interval"),
        );
    for a in crate::target::args() {
        cmd = cmd.arg(a);
    }
    cmd
}

/// Whether stdin and stdout are both terminals (`kct` alone opens the console then).
pub fn on_terminal() -> bool {
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

/// What the console starts from, read before the terminal is touched.
struct Setup {
    target: kct::config::context::Target,
    store: Store,
    theme: Theme,
    keymap: Keymap,
    readonly: bool,
    interval: Duration,
}

pub fn run(m: &ArgMatches) -> i32 {
    let setup = match prepare(m) {
        Ok(p) => p,
        Err(e) => {
            kct::say!("kct tui: {e}");
            return 1;
        }
    };
    if !on_terminal() {
        kct::say!("kct tui: stdin and stdout must be a terminal");
        return 1;
    }
    match run_console(setup) {
        Ok(()) => 0,
        Err(e) => {
            kct::say!("kct tui: {e}");
            1
        }
    }
}

/// Everything that can fail before the terminal is touched: target, config file, theme, keys.
fn prepare(m: &ArgMatches) -> Result<Setup, String> {
    let target = crate::target::resolve(m).map_err(|e| e.message)?;
    let path = config_path().map_err(|e| e.to_string())?;
    let file = ConfigFile::load(&path).map_err(|e| e.to_string())?;
    let themes = path.parent().map(|d| d.join("themes"));
    let theme = Theme::choose(
        m.get_one::<String>("theme").map(String::as_str),
        file.theme.as_deref(),
        themes.as_deref(),
    )?;
    let keymap = Keymap::new(&file.keys).map_err(|e| format!("{}: {e}", path.display()))?;
    let store = Store {
        context: target
            .context
            .clone()
            .unwrap_or_else(|| "command line".into()),
        url: target.connect.first().cloned().unwrap_or_default(),
        contexts: contexts(&file),
        ..Store::default()
    };
    Ok(Setup {
        target,
        store,
        theme,
        keymap,
        readonly: m.get_flag("readonly"),
        interval: Duration::from_secs(m.get_one::<u64>("refresh").copied().unwrap_or(2)),
    })
}

/// The config file's contexts, each resolved to its target (or why it cannot be).
fn contexts(file: &ConfigFile) -> Vec<ContextRow> {
    file.contexts
        .keys()
        .map(|name| ContextRow {
            name: name.clone(),
            target: file
                .resolve(&Overrides {
                    context: Some(name.clone()),
                    ..Overrides::default()
                })
                .map_err(|e| e.to_string()),
            probe: Loaded::default(),
        })
        .collect()
}

fn run_console(s: Setup) -> std::io::Result<()> {
    crate::signals::install();
    let (tx, rx) = mpsc::channel();
    let control = Arc::new(InputControl::default());
    let (mut term, restore) = terminal::enter()?;
    event::spawn_input(tx.clone(), control.clone());
    let jobs = Jobs::start(s.target, tx);
    let mut app = App::new(s.store, s.theme, s.keymap, s.readonly, s.interval, jobs);
    app.start();
    let result = main_loop(&mut term, &mut app, &rx, &control);
    drop(restore);
    result
}

fn main_loop(
    term: &mut terminal::Term,
    app: &mut App,
    rx: &Receiver<Event>,
    control: &InputControl,
) -> std::io::Result<()> {
    term.draw(|f| ui::draw(f, app))?;
    let mut last_tick = Instant::now();
    loop {
        let wait = TICK.saturating_sub(last_tick.elapsed());
        // Input events handled in this round, for the `KCT_TUI_TRACE` hook.
        let mut inputs = 0;
        let mut update = |app: &mut App, e: Event| {
            inputs += usize::from(matches!(e, Event::Key(_) | Event::Mouse(_) | Event::Resize));
            app.update(e)
        };
        let mut dirty = match rx.recv_timeout(wait) {
            Ok(e) => update(app, e),
            Err(RecvTimeoutError::Timeout) => false,
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
        };
        // Everything already queued is handled before one draw (yazi's batching).
        while let Ok(e) = rx.try_recv() {
            dirty |= update(app, e);
        }
        if last_tick.elapsed() >= TICK {
            last_tick = Instant::now();
            dirty |= app.update(Event::Tick);
        }
        if app.quit || crate::signals::STOP.load(Ordering::Relaxed) {
            return Ok(());
        }
        if let Some(job) = app.suspend.take() {
            control.pause();
            let result = terminal::suspended(term, || edit::run_editor(&job));
            control.resume();
            app.edited(job, result?);
            dirty = true;
        }
        if dirty {
            term.draw(|f| ui::draw(f, app))?;
        }
        if inputs > 0 {
            trace::done(inputs);
        }
    }
}
