//! The keymap as data: one table of `{scope, key, action, description}` that drives dispatch,
//! the key-hint bar and the `?` help, with the config file's `[keys.<scope>]` overrides.

use std::collections::BTreeMap;
use std::fmt;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Everything a key can ask for. Views interpret the ones that concern them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    Back,
    Help,
    Command,
    Filter,
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    NextTab,
    PrevTab,
    Refresh,
    ToggleRefresh,
    Faster,
    Slower,
    Open,
    Mark,
    SortNext,
    SortReverse,
    Pause,
    Resume,
    Stop,
    Restart,
    RestartFailed,
    RestartTask,
    Delete,
    Edit,
    Create,
    ResetOffsets,
    SetOffset,
    SetLogger,
    History,
    Reload,
    Follow,
    StartAt,
    Partition,
    Jq,
}

/// Action names as written in the config file.
const NAMES: [(Action, &str); 39] = [
    (Action::Quit, "quit"),
    (Action::Back, "back"),
    (Action::Help, "help"),
    (Action::Command, "command"),
    (Action::Filter, "filter"),
    (Action::Up, "up"),
    (Action::Down, "down"),
    (Action::Top, "top"),
    (Action::Bottom, "bottom"),
    (Action::PageUp, "page-up"),
    (Action::PageDown, "page-down"),
    (Action::NextTab, "next-tab"),
    (Action::PrevTab, "prev-tab"),
    (Action::Refresh, "refresh"),
    (Action::ToggleRefresh, "toggle-refresh"),
    (Action::Faster, "faster"),
    (Action::Slower, "slower"),
    (Action::Open, "open"),
    (Action::Mark, "mark"),
    (Action::SortNext, "sort"),
    (Action::SortReverse, "sort-reverse"),
    (Action::Pause, "pause"),
    (Action::Resume, "resume"),
    (Action::Stop, "stop"),
    (Action::Restart, "restart"),
    (Action::RestartFailed, "restart-failed"),
    (Action::RestartTask, "restart-task"),
    (Action::Delete, "delete"),
    (Action::Edit, "edit"),
    (Action::Create, "create"),
    (Action::ResetOffsets, "reset-offsets"),
    (Action::SetOffset, "set-offset"),
    (Action::SetLogger, "set-logger"),
    (Action::History, "history"),
    (Action::Reload, "reload"),
    (Action::Follow, "follow"),
    (Action::StartAt, "start"),
    (Action::Partition, "partition"),
    (Action::Jq, "jq"),
];

impl Action {
    pub fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(a, _)| *a == self)
            .map(|(_, n)| *n)
            .unwrap_or("?")
    }

    fn parse(s: &str) -> Option<Action> {
        NAMES.iter().find(|(_, n)| *n == s).map(|(a, _)| *a)
    }

    /// Actions that change the cluster: refused in `--readonly`.
    pub fn mutates(self) -> bool {
        matches!(
            self,
            Action::Pause
                | Action::Resume
                | Action::Stop
                | Action::Restart
                | Action::RestartFailed
                | Action::RestartTask
                | Action::Delete
                | Action::Edit
                | Action::Create
                | Action::ResetOffsets
                | Action::SetOffset
                | Action::SetLogger
        )
    }
}

/// A key with its modifiers (shift folded into upper-case characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

const NAMED: [(&str, KeyCode); 14] = [
    ("enter", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("space", KeyCode::Char(' ')),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("pgup", KeyCode::PageUp),
    ("pgdn", KeyCode::PageDown),
    ("delete", KeyCode::Delete),
];

impl Key {
    pub fn from_event(e: &KeyEvent) -> Key {
        Key {
            code: e.code,
            ctrl: e.modifiers.contains(KeyModifiers::CONTROL),
        }
    }

    /// `q`, `G`, `?`, `ctrl-c`, `enter`, `pgdn`, `f5`, ….
    pub fn parse(s: &str) -> Result<Key, String> {
        let (ctrl, rest) = match s.strip_prefix("ctrl-") {
            Some(r) => (true, r),
            None => (false, s),
        };
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(c),
            _ => match NAMED.iter().find(|(n, _)| *n == rest) {
                Some((_, c)) => *c,
                None => match rest.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
                    Some(n @ 1..=12) => KeyCode::F(n),
                    _ => {
                        return Err(format!(
                            "{s:?} is not a key (try q, G, ctrl-r, enter, pgdn, f5)"
                        ))
                    }
                },
            },
        };
        Ok(Key { code, ctrl })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "f{n}"),
            code => {
                let name = NAMED.iter().find(|(_, c)| *c == code).map(|(n, _)| *n);
                f.write_str(name.unwrap_or("?"))
            }
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone)]
pub struct Binding {
    /// `global` or a view's scope (`connectors`, `connector`, …).
    pub scope: &'static str,
    pub key: Key,
    pub action: Action,
    pub desc: &'static str,
    /// Shown in the key-hint bar (the rest only in `?`).
    pub hint: bool,
}

/// The default bindings: `(scope, key, action, description, in the hint bar)`.
const DEFAULTS: &[(&str, &str, Action, &str, bool)] = &[
    (
        "global",
        ":",
        Action::Command,
        "command bar (see commands below)",
        true,
    ),
    (
        "global",
        "/",
        Action::Filter,
        "filter (substring or regex)",
        true,
    ),
    ("global", "?", Action::Help, "help", true),
    ("global", "esc", Action::Back, "back / clear filter", false),
    ("global", "q", Action::Quit, "quit", false),
    ("global", "ctrl-c", Action::Quit, "quit", false),
    ("global", "up", Action::Up, "up", false),
    ("global", "k", Action::Up, "up", false),
    ("global", "down", Action::Down, "down", false),
    ("global", "j", Action::Down, "down", false),
    ("global", "g", Action::Top, "top", false),
    ("global", "home", Action::Top, "top", false),
    ("global", "G", Action::Bottom, "bottom", false),
    ("global", "end", Action::Bottom, "bottom", false),
    ("global", "pgup", Action::PageUp, "page up", false),
    ("global", "ctrl-b", Action::PageUp, "page up", false),
    ("global", "pgdn", Action::PageDown, "page down", false),
    ("global", "ctrl-f", Action::PageDown, "page down", false),
    ("global", "ctrl-r", Action::Refresh, "refresh now", false),
    (
        "global",
        "ctrl-p",
        Action::ToggleRefresh,
        "pause/resume live refresh",
        false,
    ),
    ("global", "+", Action::Faster, "refresh faster", false),
    ("global", "-", Action::Slower, "refresh slower", false),
    ("contexts", "enter", Action::Open, "switch to context", true),
    ("connectors", "enter", Action::Open, "describe", true),
    ("connectors", "space", Action::Mark, "mark", true),
    ("connectors", "p", Action::Pause, "pause", true),
    ("connectors", "r", Action::Resume, "resume", true),
    ("connectors", "s", Action::Stop, "stop", true),
    ("connectors", "R", Action::Restart, "restart…", true),
    (
        "connectors",
        "f",
        Action::RestartFailed,
        "restart failed",
        true,
    ),
    ("connectors", "e", Action::Edit, "edit", true),
    ("connectors", "d", Action::Delete, "delete", true),
    ("connectors", "n", Action::Create, "create from file", false),
    (
        "connectors",
        "z",
        Action::ResetOffsets,
        "reset offsets",
        false,
    ),
    (
        "connectors",
        "L",
        Action::SetLogger,
        "set logger level",
        false,
    ),
    (
        "connectors",
        "o",
        Action::SortNext,
        "sort by next column",
        false,
    ),
    (
        "connectors",
        "O",
        Action::SortReverse,
        "reverse sort",
        false,
    ),
    ("connector", "tab", Action::NextTab, "next tab", true),
    ("connector", "right", Action::NextTab, "next tab", false),
    ("connector", "l", Action::NextTab, "next tab", false),
    (
        "connector",
        "backtab",
        Action::PrevTab,
        "previous tab",
        false,
    ),
    ("connector", "left", Action::PrevTab, "previous tab", false),
    ("connector", "h", Action::PrevTab, "previous tab", false),
    (
        "connector",
        "enter",
        Action::Open,
        "full trace (tasks)",
        true,
    ),
    ("connector", "p", Action::Pause, "pause", true),
    ("connector", "r", Action::Resume, "resume", true),
    ("connector", "s", Action::Stop, "stop", true),
    ("connector", "R", Action::Restart, "restart…", true),
    ("connector", "t", Action::RestartTask, "restart task", true),
    ("connector", "e", Action::Edit, "edit", true),
    ("connector", "d", Action::Delete, "delete", true),
    (
        "connector",
        "z",
        Action::ResetOffsets,
        "reset offsets",
        false,
    ),
    (
        "connector",
        "L",
        Action::SetLogger,
        "set logger level",
        false,
    ),
    ("plugins", "enter", Action::Open, "config definitions", true),
    ("plugins", "c", Action::Create, "create from template", true),
    ("plugin", "enter", Action::Open, "documentation", true),
    ("plugin", "c", Action::Create, "create from template", true),
    ("workers", "enter", Action::Open, "tasks of worker", true),
    (
        "offsets",
        "enter",
        Action::Open,
        "raw record (fold a connector)",
        true,
    ),
    (
        "offsets",
        "h",
        Action::History,
        "latest view / history",
        true,
    ),
    (
        "offsets",
        "x",
        Action::ResetOffsets,
        "reset selected (writes tombstones to the same partition, same key bytes)",
        true,
    ),
    (
        "offsets",
        "o",
        Action::SetOffset,
        "set offset (of the selected source partition, through the topic)",
        true,
    ),
    (
        "offsets",
        "r",
        Action::Reload,
        "read the topic again",
        false,
    ),
    ("configs", "enter", Action::Open, "details", true),
    (
        "configs",
        "h",
        Action::History,
        "latest view / history",
        true,
    ),
    (
        "configs",
        "r",
        Action::Reload,
        "read the topic again",
        false,
    ),
    ("status", "enter", Action::Open, "details or trace", true),
    (
        "status",
        "h",
        Action::History,
        "latest view / history",
        true,
    ),
    ("status", "r", Action::Reload, "read the topic again", false),
    ("topics", "enter", Action::Open, "browse messages", true),
    ("topics", "r", Action::Reload, "list again", false),
    ("browse", "enter", Action::Open, "record detail (-J)", true),
    ("browse", "f", Action::Follow, "live tail on/off", true),
    ("browse", "s", Action::StartAt, "start at…", true),
    ("browse", "p", Action::Partition, "partition…", true),
    ("browse", "J", Action::Jq, "jq filter (live)", true),
];

#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Keymap {
    /// The defaults with `overrides` (`scope → action → key`) applied: an override replaces
    /// every default key of that action in that scope.
    pub fn new(overrides: &BTreeMap<String, BTreeMap<String, String>>) -> Result<Keymap, String> {
        let mut bindings: Vec<Binding> = DEFAULTS
            .iter()
            .map(|(scope, key, action, desc, hint)| Binding {
                scope,
                key: Key::parse(key).expect("default keys parse"),
                action: *action,
                desc,
                hint: *hint,
            })
            .collect();
        for (scope, actions) in overrides {
            for (name, key) in actions {
                let action = Action::parse(name)
                    .ok_or_else(|| format!("[keys.{scope}]: unknown action {name:?}"))?;
                let key = Key::parse(key).map_err(|e| format!("[keys.{scope}] {name}: {e}"))?;
                let Some(first) = bindings
                    .iter()
                    .position(|b| b.scope == scope && b.action == action)
                else {
                    return Err(format!(
                        "[keys.{scope}]: no {name:?} there (see ? for each view's actions)"
                    ));
                };
                bindings[first].key = key;
                let keep = &bindings[first].clone();
                bindings.retain(|b| {
                    !(b.scope == keep.scope && b.action == action && b.key != keep.key)
                });
            }
        }
        Ok(Keymap { bindings })
    }

    /// The action of `key` in `scope`, else in `global`.
    pub fn lookup(&self, scope: &str, key: Key) -> Option<Action> {
        let find = |s: &str| {
            self.bindings
                .iter()
                .find(|b| b.scope == s && b.key == key)
                .map(|b| b.action)
        };
        find(scope).or_else(|| find("global"))
    }

    /// The bindings of `scope`, then the global ones: what `?` lists.
    pub fn help<'a>(&'a self, scope: &'a str) -> impl Iterator<Item = &'a Binding> + 'a {
        let own = self.bindings.iter().filter(move |b| b.scope == scope);
        own.chain(self.bindings.iter().filter(|b| b.scope == "global"))
    }

    /// The key-hint bar's entries for `scope`: one key per action, in table order.
    pub fn hints<'a>(&'a self, scope: &'a str) -> Vec<&'a Binding> {
        let mut out: Vec<&Binding> = Vec::new();
        for b in self.help(scope).filter(|b| b.hint) {
            if !out.iter().any(|o| o.action == b.action) {
                out.push(b);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's key table, generated from the defaults: one row per view and action.
    fn markdown(km: &Keymap) -> String {
        let mut out = String::from("| view | keys | action | what it does |\n|---|---|---|---|\n");
        let mut done: Vec<(&str, Action)> = Vec::new();
        for b in &km.bindings {
            if done.contains(&(b.scope, b.action)) {
                continue;
            }
            done.push((b.scope, b.action));
            let keys: Vec<String> = km
                .bindings
                .iter()
                .filter(|o| o.scope == b.scope && o.action == b.action)
                .map(|o| format!("`{}`", o.key))
                .collect();
            let desc = b.desc.replace('|', "\\|");
            out.push_str(&format!(
                "| {} | {} | `{}` | {desc} |\n",
                b.scope,
                keys.join(" "),
                b.action.name()
            ));
        }
        out
    }

    #[test]
    fn the_readme_lists_the_keymap() {
        let table = markdown(&Keymap::new(&BTreeMap::new()).unwrap());
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
            .unwrap_or_default();
        if !readme.contains(&table) {
            panic!("README.md's key table is out of date; paste this:\n{table}");
        }
    }

    #[test]
    fn keys_parse_and_print_back() {
        for s in [
            "q", "G", "?", "ctrl-c", "enter", "space", "pgdn", "f5", "backtab",
        ] {
            assert_eq!(Key::parse(s).unwrap().to_string(), s);
        }
        assert!(Key::parse("hyper-x").is_err());
    }

    #[test]
    fn scope_first_then_global_and_overrides_replace() {
        let km = Keymap::new(&BTreeMap::new()).unwrap();
        let p = Key::parse("p").unwrap();
        assert_eq!(km.lookup("connectors", p), Some(Action::Pause));
        assert_eq!(km.lookup("plugins", p), None);
        assert_eq!(
            km.lookup("plugins", Key::parse("q").unwrap()),
            Some(Action::Quit)
        );
        let mut o = BTreeMap::new();
        o.insert(
            "global".to_string(),
            BTreeMap::from([("down".to_string(), "n".to_string())]),
        );
        let km = Keymap::new(&o).unwrap();
        assert_eq!(km.lookup("text", Key::parse("j").unwrap()), None);
        assert_eq!(
            km.lookup("connectors", Key::parse("n").unwrap()),
            Some(Action::Create)
        );
        assert_eq!(
            km.lookup("plugins", Key::parse("n").unwrap()),
            Some(Action::Down)
        );
        let bad = BTreeMap::from([(
            "global".to_string(),
            BTreeMap::from([("fly".to_string(), "x".to_string())]),
        )]);
        assert!(Keymap::new(&bad).unwrap_err().contains("unknown action"));
    }

    #[test]
    fn hints_come_from_the_table() {
        let km = Keymap::new(&BTreeMap::new()).unwrap();
        let hints: Vec<String> = km
            .hints("connectors")
            .iter()
            .map(|b| b.desc.to_string())
            .collect();
        assert_eq!(hints[0], "describe");
        assert!(hints.contains(&"help".to_string()));
    }
}
