//! The console's state and its one `update(event)`: keys go to the overlay, else through the
//! keymap to the app or the top view; views answer with [`Effect`]s; background replies land
//! in the [`Store`]. Nothing here waits: network work is a [`Request`] to the jobs thread.

use std::time::{Duration, Instant};

use kct::config::context::Target;
use kct::connect::ops::{self, Change};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};
use ratatui::text::{Line, Span};

use super::edit::{EditJob, Outcome};
use super::event::Event;
use super::jobs::{Draft, Jobs, Mutation, Reply, Request, TopicWrite};
use super::kafka::{Internal, BROWSE_WINDOW};
use super::keymap::{Action, Key, Keymap};
use super::overlay::{self, Confirm, OnYes, Overlay, Prompt, PromptFor};
use super::store::Browsing;
use super::store::Store;
use super::theme::{Role, Theme};
use super::views::{self, connectors, Effect, ListState, View};
use super::widgets::clock;
use kct::internal::offset_reset::{ModifyError, ModifyReport};

/// The refresh intervals `+` and `-` step through.
const INTERVALS: [u64; 7] = [1, 2, 5, 10, 15, 30, 60];
/// The longest wait between retries of a failing cluster.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// A line of the status bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub text: String,
    pub at: String,
    pub error: bool,
}

/// Live refresh: the interval, pause, and the back-off after failures.
#[derive(Debug)]
pub struct Refresh {
    pub interval: Duration,
    pub paused: bool,
    pub failures: u32,
    in_flight: bool,
    due: Instant,
}

impl Refresh {
    fn new(interval: Duration) -> Refresh {
        Refresh {
            interval,
            paused: false,
            failures: 0,
            in_flight: false,
            due: Instant::now(),
        }
    }

    /// The wait before the next refresh: the interval, doubled per failure up to 30 s.
    pub fn delay(&self) -> Duration {
        let factor = 1u32 << self.failures.min(5);
        (self.interval * factor).min(MAX_BACKOFF.max(self.interval))
    }
}

pub struct App {
    pub store: Store,
    pub theme: Theme,
    pub keymap: Keymap,
    pub readonly: bool,
    pub views: Vec<Box<dyn View>>,
    pub overlay: Option<Overlay>,
    pub status: Option<Status>,
    pub refresh: Refresh,
    pub quit: bool,
    /// An editing round for the main loop to run with the terminal suspended.
    pub suspend: Option<EditJob>,
    jobs: Jobs,
    /// Counts cluster switches; replies of an older epoch are dropped.
    epoch: u64,
    /// A plugin whose template waits for its config definitions.
    pending_template: Option<String>,
    /// The local time for the status line and the refresh stamp (fixed in tests).
    pub clock: fn() -> String,
}

impl App {
    pub fn new(
        store: Store,
        theme: Theme,
        keymap: Keymap,
        readonly: bool,
        interval: Duration,
        jobs: Jobs,
    ) -> App {
        App {
            store,
            theme,
            keymap,
            readonly,
            views: vec![connectors::open()],
            overlay: None,
            status: None,
            refresh: Refresh::new(interval),
            quit: false,
            suspend: None,
            jobs,
            epoch: 0,
            pending_template: None,
            clock,
        }
    }

    /// The first requests: the server's version and the first refresh.
    pub fn start(&mut self) {
        self.send(Request::Server);
        self.refresh_now();
    }

    /// The requests sent to the jobs thread since the last call (tests).
    #[cfg(test)]
    pub fn jobs_sent(&self) -> Vec<Request> {
        self.jobs.sent()
    }

    pub fn view(&self) -> &dyn View {
        self.views
            .last()
            .map(|v| v.as_ref())
            .expect("the stack is never empty")
    }

    /// Handles one event; `true` when something visible changed.
    pub fn update(&mut self, event: Event) -> bool {
        match event {
            Event::Key(k) => {
                self.on_key(k);
                true
            }
            Event::Mouse(m) => self.on_mouse(m),
            Event::Resize => true,
            Event::Tick => {
                if !self.refresh.paused && Instant::now() >= self.refresh.due {
                    self.refresh_now();
                }
                false
            }
            Event::Job(epoch, reply) => {
                if epoch != self.epoch && !matches!(reply, Reply::Probe(..)) {
                    return false;
                }
                self.on_reply(reply);
                true
            }
        }
    }

    fn send(&mut self, r: Request) {
        // What is asked of Kafka shows as under way at once (and is not asked twice).
        match &r {
            Request::Inspect { kind, .. } => {
                let e = self.store.inspect.entry(*kind).or_default();
                e.busy = true;
                e.stale = false;
            }
            Request::Browse(id, ..) => self.store.browse = Some(Browsing::new(*id, BROWSE_WINDOW)),
            _ => {}
        }
        self.jobs.send(self.epoch, r);
    }

    fn info(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            at: (self.clock)(),
            error: false,
        });
    }

    fn error(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            at: (self.clock)(),
            error: true,
        });
    }

    /// Asks for the connector list and the top view's data, unless a refresh is under way.
    fn refresh_now(&mut self) {
        if !self.refresh.in_flight {
            self.refresh.in_flight = true;
            self.send(Request::Connectors);
        }
        if self.store.server.data.is_none() {
            self.send(Request::Server);
        }
        for r in self.view().requests(&self.store) {
            self.send(r);
        }
    }

    /// The top view, to change.
    fn top(&mut self) -> &mut Box<dyn View> {
        self.views.last_mut().expect("the stack is never empty")
    }

    fn on_mouse(&mut self, m: MouseEvent) -> bool {
        let action = match m.kind {
            MouseEventKind::ScrollUp => Action::Up,
            MouseEventKind::ScrollDown => Action::Down,
            _ => return false,
        };
        match &mut self.overlay {
            Some(Overlay::Help(list)) => {
                list.navigate(action, usize::MAX);
            }
            Some(_) => {}
            None => self.dispatch(action),
        }
        true
    }

    fn on_key(&mut self, k: KeyEvent) {
        if let Some(ov) = self.overlay.take() {
            if let Some(keep) = self.overlay_key(ov, k) {
                self.overlay = Some(keep);
            }
            return;
        }
        if let Some(action) = self.keymap.lookup(self.view().scope(), Key::from_event(&k)) {
            self.dispatch(action);
        }
    }

    /// Keys while an overlay is open; returns the overlay when it stays open.
    fn overlay_key(&mut self, ov: Overlay, k: KeyEvent) -> Option<Overlay> {
        match ov {
            Overlay::Confirm(c) => match k.code {
                KeyCode::Char('y' | 'Y') | KeyCode::Enter => {
                    self.confirmed(c.on_yes);
                    None
                }
                KeyCode::Char('n' | 'N') | KeyCode::Esc => {
                    self.info("cancelled; nothing changed");
                    None
                }
                _ => Some(Overlay::Confirm(c)),
            },
            Overlay::Menu(mut m) => match k.code {
                KeyCode::Esc => None,
                KeyCode::Char(ch) => match m.items.iter().position(|(c, ..)| *c == ch) {
                    Some(i) => Some(Overlay::Confirm(m.items.swap_remove(i).2)),
                    None => Some(Overlay::Menu(m)),
                },
                _ => Some(Overlay::Menu(m)),
            },
            Overlay::Prompt(mut p) => match k.code {
                KeyCode::Esc => None,
                KeyCode::Enter => {
                    self.prompted(p);
                    None
                }
                _ => {
                    edit_text(&mut p.input, &k);
                    Some(Overlay::Prompt(p))
                }
            },
            Overlay::Command(mut s) => match k.code {
                KeyCode::Esc => None,
                KeyCode::Enter => {
                    self.command(&s);
                    None
                }
                KeyCode::Tab => {
                    if let Some(c) = overlay::complete(&s) {
                        s = c.to_string();
                    }
                    Some(Overlay::Command(s))
                }
                _ => {
                    edit_text(&mut s, &k);
                    Some(Overlay::Command(s))
                }
            },
            Overlay::Filter => self.filter_key(k),
            Overlay::Input => {
                let mut text = self.view().live_input()?.1.to_string();
                match k.code {
                    KeyCode::Enter => return None,
                    KeyCode::Esc => text.clear(),
                    _ => edit_text(&mut text, &k),
                }
                self.top().set_live_input(text);
                (k.code != KeyCode::Esc).then_some(Overlay::Input)
            }
            Overlay::Help(mut list) => {
                let action = self.keymap.lookup("help", Key::from_event(&k));
                match action {
                    Some(Action::Back | Action::Help | Action::Quit) => None,
                    Some(a) => {
                        let len =
                            overlay::help_lines(&self.theme, &self.keymap, self.view().scope())
                                .len();
                        list.navigate(a, len);
                        Some(Overlay::Help(list))
                    }
                    None => Some(Overlay::Help(list)),
                }
            }
        }
    }

    /// Typing a `/` filter: it applies as it is typed; enter keeps it, esc clears it.
    fn filter_key(&mut self, k: KeyEvent) -> Option<Overlay> {
        let view = self.views.last_mut().expect("the stack is never empty");
        match k.code {
            KeyCode::Enter => return None,
            KeyCode::Up | KeyCode::Down => {
                let a = if k.code == KeyCode::Up {
                    Action::Up
                } else {
                    Action::Down
                };
                let effects = view.handle(a, &self.store);
                self.apply(effects);
                return Some(Overlay::Filter);
            }
            _ => {}
        }
        let filter = view.filter_mut()?;
        if k.code == KeyCode::Esc {
            filter.set(String::new());
            return None;
        }
        let mut text = filter.text().to_string();
        edit_text(&mut text, &k);
        filter.set(text);
        Some(Overlay::Filter)
    }

    fn dispatch(&mut self, action: Action) {
        match action {
            Action::Quit => self.quit = true,
            Action::Back => self.back(),
            Action::Help => self.overlay = Some(Overlay::Help(ListState::default())),
            Action::Command => self.overlay = Some(Overlay::Command(String::new())),
            Action::Filter => {
                if self.views.last_mut().and_then(|v| v.filter_mut()).is_some() {
                    self.overlay = Some(Overlay::Filter);
                }
            }
            Action::Refresh => {
                self.refresh_now();
                self.info("refreshing");
            }
            Action::ToggleRefresh => {
                self.refresh.paused = !self.refresh.paused;
                let word = if self.refresh.paused {
                    "paused"
                } else {
                    "resumed"
                };
                self.info(format!("live refresh {word}"));
            }
            Action::Faster | Action::Slower => self.step_interval(action == Action::Faster),
            a if a.mutates() && self.readonly => self.error(format!(
                "read-only: {} is disabled (the console was started with --readonly)",
                a.name()
            )),
            a => {
                let view = self.views.last_mut().expect("the stack is never empty");
                let effects = view.handle(a, &self.store);
                self.apply(effects);
            }
        }
    }

    fn step_interval(&mut self, faster: bool) {
        let now = self.refresh.interval.as_secs();
        let next = if faster {
            INTERVALS.iter().rev().find(|s| **s < now)
        } else {
            INTERVALS.iter().find(|s| **s > now)
        };
        if let Some(s) = next {
            self.refresh.interval = Duration::from_secs(*s);
        }
        self.info(format!(
            "refresh every {}s",
            self.refresh.interval.as_secs()
        ));
    }

    /// `esc`: clears the filter first, then goes back.
    fn back(&mut self) {
        let view = self.views.last_mut().expect("the stack is never empty");
        if let Some(f) = view.filter_mut().filter(|f| !f.text().is_empty()) {
            f.set(String::new());
        } else if self.views.len() > 1 {
            self.views.pop();
        }
    }

    fn push(&mut self, view: Box<dyn View>) {
        for r in view.requests(&self.store) {
            self.send(r);
        }
        self.views.push(view);
    }

    fn apply(&mut self, effects: Vec<Effect>) {
        for e in effects {
            match e {
                Effect::Push(v) => self.push(v),
                Effect::Request(r) => self.send(r),
                Effect::Confirm(c) => self.overlay = Some(Overlay::Confirm(c)),
                Effect::Menu(m) => self.overlay = Some(Overlay::Menu(m)),
                Effect::Prompt(p) => self.overlay = Some(Overlay::Prompt(p)),
                Effect::Info(s) => self.info(s),
                Effect::Error(s) => self.error(s),
                Effect::Edit(name) => {
                    self.info(format!("opening {name} in the editor…"));
                    self.send(Request::EditStart(name));
                }
                Effect::Template(class) => self.template(class),
                Effect::SwitchContext(name) => self.switch(&name),
                Effect::LiveInput => self.overlay = Some(Overlay::Input),
            }
        }
    }

    fn template(&mut self, class: String) {
        match self
            .store
            .plugin_defs
            .get(&class)
            .and_then(|l| l.data.as_ref())
        {
            Some(defs) => self.suspend = Some(EditJob::template(&class, defs)),
            None => {
                self.info(format!("loading the config definitions of {class}…"));
                self.send(Request::PluginConfig(class.clone()));
                self.pending_template = Some(class);
            }
        }
    }

    /// `:` commands: a resource (replaces the stack, as k9s does), `ctx NAME`, `help`, `q`.
    fn command(&mut self, input: &str) {
        let mut words = input.split_whitespace();
        let Some(first) = words.next() else { return };
        let arg = words.next();
        let word = match views::resource(first) {
            Some(_) => first,
            None => overlay::complete(first).unwrap_or(first),
        };
        match (word, arg) {
            ("q" | "quit", _) => self.quit = true,
            ("help", _) => self.overlay = Some(Overlay::Help(ListState::default())),
            ("ctx" | "context" | "contexts", Some(name)) => self.switch(name),
            (w, _) => match views::resource(w) {
                Some(r) => {
                    self.views.clear();
                    self.push((r.open)());
                }
                None => self.error(format!(
                    "unknown command :{first}; try :connectors, :plugins, :workers or :ctx"
                )),
            },
        }
    }

    fn confirmed(&mut self, on_yes: OnYes) {
        match on_yes {
            OnYes::Mutate(ms) => {
                let n = ms.len();
                let first = ms.first().map(Mutation::describe).unwrap_or_default();
                for m in ms {
                    self.send(Request::Mutate(m));
                }
                if n == 1 {
                    self.info(format!("sent: {first}"));
                } else {
                    self.info(format!("sent {n} requests"));
                }
            }
            OnYes::Reedit(job) => self.suspend = Some(job),
            OnYes::Request(r, note) => {
                self.send(*r);
                self.info(note);
            }
        }
    }

    fn prompted(&mut self, p: Prompt) {
        let input = p.input.trim().to_string();
        match p.purpose {
            // The file is read on the jobs thread: a path can be slow (a network mount, a FIFO).
            PromptFor::CreateFromFile if input.is_empty() => {
                self.error("give the path of a connector file (JSON or .properties)")
            }
            PromptFor::CreateFromFile => {
                self.info(format!("reading and validating {input}…"));
                self.send(Request::CheckFile(input));
            }
            PromptFor::SetLogger => {
                let parts: Vec<&str> = input.split_whitespace().collect();
                match parts.as_slice() {
                    [logger, level] => {
                        let m = Mutation::SetLogger {
                            logger: logger.to_string(),
                            level: level.to_uppercase(),
                        };
                        self.overlay = Some(Overlay::Confirm(Confirm::mutations(vec![m])));
                    }
                    _ => {
                        self.error("give a logger and a level, e.g. org.apache.kafka.connect DEBUG")
                    }
                }
            }
            purpose => {
                let store = &self.store;
                let view = self.views.last_mut().expect("the stack is never empty");
                let effects = view.answer(purpose, &input, store);
                self.apply(effects);
            }
        }
    }

    /// Switches to context `name`: a new client, an empty store, the connectors view.
    fn switch(&mut self, name: &str) {
        let target: Option<Result<Target, String>> = self
            .store
            .contexts
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.target.clone());
        let target = match target {
            Some(Ok(t)) => t,
            Some(Err(e)) => return self.error(format!("context {name}: {e}")),
            None => return self.error(format!("no context named {name}; :ctx lists them")),
        };
        self.epoch += 1;
        self.jobs.switch(target.clone());
        let contexts = std::mem::take(&mut self.store.contexts);
        self.store = Store {
            context: name.to_string(),
            url: target.connect.first().cloned().unwrap_or_default(),
            contexts,
            ..Store::default()
        };
        self.refresh = Refresh {
            interval: self.refresh.interval,
            paused: self.refresh.paused,
            ..Refresh::new(self.refresh.interval)
        };
        self.views = vec![connectors::open()];
        self.start();
        self.info(format!("switched to context {name}"));
    }

    fn on_reply(&mut self, reply: Reply) {
        let s = &mut self.store;
        match reply {
            Reply::Server(r) => s.server.set(r),
            Reply::Connectors(r) => {
                let ok = r.is_ok();
                s.set_connectors(r);
                self.refresh.in_flight = false;
                if ok {
                    self.refresh.failures = 0;
                    self.store.refreshed = Some((self.clock)());
                } else {
                    self.refresh.failures += 1;
                }
                self.refresh.due = Instant::now() + self.refresh.delay();
            }
            Reply::Config(n, r) => s.configs.entry(n).or_default().set(r),
            Reply::Topics(n, r) => s.topics.entry(n).or_default().set(r),
            Reply::Offsets(n, r) => s.offsets.entry(n).or_default().set(r),
            Reply::Plugins(r) => s.plugins.set(r),
            Reply::PluginConfig(class, r) => {
                let ok = r.is_ok();
                s.plugin_defs.entry(class.clone()).or_default().set(r);
                if self.pending_template.as_deref() == Some(class.as_str()) {
                    self.pending_template = None;
                    if ok {
                        self.template(class);
                    } else {
                        self.error(format!("cannot load the config definitions of {class}"));
                    }
                }
            }
            Reply::Probe(name, r) => {
                if let Some(c) = s.contexts.iter_mut().find(|c| c.name == name) {
                    c.probe.set(r);
                }
            }
            Reply::Done(m, r) => self.done(m, r),
            Reply::EditReady(name, r) => match r {
                Ok((current, secrets)) => {
                    self.suspend = Some(EditJob::existing(&name, current, secrets));
                }
                Err(e) => self.error(format!("cannot edit {name}: {e}")),
            },
            Reply::Checked(d, r) => self.checked(*d, r),
            Reply::Failed(e) => self.error(e),
            Reply::TopicOffsets(n, r) => {
                s.offsets_from_topic.insert(n.clone());
                s.offsets.entry(n).or_default().set(r);
            }
            Reply::InspectProgress(kind, done, total) => {
                let e = s.inspect.entry(kind).or_default();
                if e.busy {
                    e.progress = Some((done, total));
                }
            }
            Reply::Inspected(kind, r) => {
                let e = s.inspect.entry(kind).or_default();
                e.busy = false;
                e.progress = None;
                e.loaded.set(r);
            }
            Reply::TopicPlan(w, r) => self.topic_plan(w, r),
            Reply::KafkaTopics(r) => s.kafka_topics.set(r),
            Reply::Browse(id, u) => {
                if let Some(b) = s.browse.as_mut().filter(|b| b.id == id) {
                    b.apply(u);
                }
            }
        }
    }

    /// A write's plan (a reset or a new offset): nothing to do, the records to confirm, or a
    /// running connector to stop first (or to plan past).
    fn topic_plan(&mut self, w: TopicWrite, r: Result<ModifyReport, ModifyError>) {
        let name = w.name.clone();
        let what = if w.patch.is_some() {
            "setting the offset"
        } else {
            "the reset"
        };
        match r {
            Ok(plan) if plan.records.is_empty() => self.info(format!(
                "{name} has no offsets in {}; nothing to reset",
                plan.topic
            )),
            Ok(plan) => self.overlay = Some(Overlay::Confirm(write_confirm(&plan, w))),
            Err(ModifyError::Running { states, .. }) => {
                let mut lines = vec![Line::raw(format!(
                    "The status topic says {name} runs: {}.",
                    states.join(", ")
                ))];
                lines.push(Line::raw(
                    "A worker that runs it holds its offsets and writes them back.",
                ));
                lines.push(Line::raw(format!(
                    "Stop it first (s in :connectors), or plan {what} anyway (force)?"
                )));
                self.overlay = Some(Overlay::Confirm(Confirm {
                    title: format!("{name} appears to be running"),
                    lines,
                    on_yes: OnYes::Request(
                        Box::new(Request::TopicPlan(TopicWrite { force: true, ..w })),
                        format!("planning {what} past the running status…"),
                    ),
                }));
            }
            Err(e) => self.error(format!("cannot plan {what} of {name}: {e}")),
        }
    }

    /// A mutation's result in the status line; restarts are also remembered per connector.
    fn done(&mut self, m: Mutation, r: Result<String, String>) {
        let name = match &m {
            Mutation::Restart(n, _) | Mutation::RestartTask(n, _) => Some(n.clone()),
            _ => None,
        };
        let line = match &r {
            Ok(msg) => format!("✓ {msg}"),
            Err(e) => format!("✗ {}: {e}", m.describe()),
        };
        if matches!(m, Mutation::TopicWrite(_)) {
            if let Some(e) = self.store.inspect.get_mut(&Internal::Offsets) {
                e.stale = true;
            }
        }
        if let Some(n) = name {
            self.store
                .restarts
                .insert(n, format!("{} {line}", (self.clock)()));
        }
        match r {
            Ok(_) => self.info(line),
            Err(_) => self.error(line),
        }
        self.refresh.due = Instant::now();
    }

    /// After the editor: cancelled, unparsable (offer to edit again) or on to validation.
    pub fn edited(&mut self, job: EditJob, result: Result<String, String>) {
        let text = match result {
            Ok(t) => t,
            Err(e) => return self.error(e),
        };
        match job.outcome(&text) {
            Outcome::Cancelled => self.info("edit cancelled; no changes made"),
            Outcome::Invalid(body, problems) => {
                self.overlay = Some(Overlay::Confirm(edit_again(
                    &job.again(&body, &problems),
                    &problems,
                )));
            }
            Outcome::Ready(d) => {
                self.info(format!("validating {}…", d.name));
                self.send(Request::Check(d));
            }
        }
    }

    /// A validated draft: errors (edit again), no change, or the diff to confirm.
    fn checked(&mut self, d: Draft, r: Result<Vec<String>, String>) {
        let problems = match r {
            Ok(p) => p,
            Err(e) => return self.error(format!("cannot validate {}: {e}", d.name)),
        };
        if !problems.is_empty() {
            match &d.edit {
                Some(job) => {
                    let body = ops::strip_notes(&job.text);
                    let again = job.again(&body, &problems);
                    self.overlay = Some(Overlay::Confirm(edit_again(&again, &problems)));
                }
                None => self.error(format!(
                    "{}: {} problem(s), nothing applied: {}",
                    d.name,
                    problems.len(),
                    problems.join("; ")
                )),
            }
            return;
        }
        let Some(current) = &d.current else {
            let keys = d.config.len();
            let m = Mutation::Apply {
                name: d.name.clone(),
                config: d.config,
                create: true,
            };
            let mut c = Confirm::mutations(vec![m]);
            c.lines
                .push(Line::raw(format!("  with {keys} config keys (valid)")));
            self.overlay = Some(Overlay::Confirm(c));
            return;
        };
        let changes = ops::diff(current, &d.config, &d.secrets);
        if changes.is_empty() {
            return self.info(format!("{}: unchanged", d.name));
        }
        let mut lines = vec![Line::raw(format!(
            "Replace the config of connector {}:",
            d.name
        ))];
        lines.extend(changes.iter().map(|c| diff_line(&self.theme, c)));
        self.overlay = Some(Overlay::Confirm(Confirm {
            title: format!("Apply {} change(s)?", changes.len()),
            lines,
            on_yes: OnYes::Mutate(vec![Mutation::Apply {
                name: d.name,
                config: d.config,
                create: false,
            }]),
        }));
    }
}

/// The confirmation of a write to the offsets topic (a reset or a new offset): every record it
/// writes, with its partition, exact key bytes and value.
fn write_confirm(plan: &ModifyReport, w: TopicWrite) -> Confirm {
    const KEY_WIDTH: usize = 64;
    let head = match &w.patch {
        None => format!(
            "Writes {} tombstone(s) to {}: the same partition, same key bytes.",
            plan.records.len(),
            plan.topic
        ),
        Some(_) if plan.records.iter().all(|r| r.existing_key) => format!(
            "Writes {} record(s) to {}: the same partition, same key bytes.",
            plan.records.len(),
            plan.topic
        ),
        Some(_) => format!("Writes {} record(s) to {}:", plan.records.len(), plan.topic),
    };
    let mut lines = vec![Line::raw(head), Line::raw("")];
    for r in &plan.records {
        if w.patch.is_some() {
            let sp = serde_json::to_string(&r.source_partition).unwrap_or_default();
            lines.push(Line::raw(format!("• source partition {sp}")));
            let fresh = if r.existing_key {
                ""
            } else {
                " (a new key: Java's bytes, murmur2's partition)"
            };
            lines.push(Line::raw(format!("  partition {}{fresh}", r.partition)));
        }
        let value = r.value.clone().unwrap_or_else(|| "NULL (tombstone)".into());
        let was = serde_json::to_string(&r.previous).unwrap_or_default();
        if w.patch.is_none() {
            lines.push(Line::raw(format!(
                "• partition {} · value {value} · now {was}",
                r.partition
            )));
        }
        // The key in full, however long: it is what gets written.
        let chars: Vec<char> = r.key.chars().collect();
        for (i, chunk) in chars.chunks(KEY_WIDTH).enumerate() {
            let head = if i == 0 { "  key " } else { "      " };
            lines.push(Line::raw(format!(
                "{head}{}",
                chunk.iter().collect::<String>()
            )));
        }
        if w.patch.is_some() {
            lines.push(Line::raw(format!("  now   {was}")));
            lines.push(Line::raw(format!("  value {value}")));
        }
    }
    let verb = if w.patch.is_some() {
        "Set the offset"
    } else {
        "Reset offsets"
    };
    Confirm {
        title: format!("{verb} of {} through {}?", plan.connector, plan.topic),
        lines,
        on_yes: OnYes::Mutate(vec![Mutation::TopicWrite(w)]),
    }
}

fn edit_again(job: &EditJob, problems: &[String]) -> Confirm {
    let mut lines: Vec<Line> = problems
        .iter()
        .map(|p| Line::raw(format!("• {p}")))
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::raw(
        "Edit again? (the errors are noted at the top of the file)",
    ));
    Confirm {
        title: "The config is not valid".into(),
        lines,
        on_yes: OnYes::Reedit(job.clone()),
    }
}

fn diff_line(theme: &Theme, c: &Change) -> Line<'static> {
    let (sign, text, role) = match (&c.old, &c.new) {
        (None, Some(n)) => ("+", format!("{} = {n}", c.key), Role::Ok),
        (Some(o), None) => ("-", format!("{} = {o}", c.key), Role::Error),
        (Some(o), Some(n)) if o == n => ("~", format!("{} = {n} (changed)", c.key), Role::Warning),
        (Some(o), Some(n)) => ("~", format!("{} = {o} → {n}", c.key), Role::Warning),
        (None, None) => ("~", c.key.clone(), Role::Muted),
    };
    Line::from(vec![
        Span::styled(format!("  {sign} "), theme.style(role)),
        Span::raw(text),
    ])
}

/// Line editing for prompts: characters, backspace, ctrl-u.
fn edit_text(s: &mut String, k: &KeyEvent) {
    match k.code {
        KeyCode::Char('u') if k.modifiers.contains(KeyModifiers::CONTROL) => s.clear(),
        KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => s.push(c),
        KeyCode::Backspace => {
            s.pop();
        }
        _ => {}
    }
}
