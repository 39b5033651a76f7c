//! Themes: semantic roles (title, border, selection, the Connect states, …) mapped to styles,
//! read from `themes/*.toml` (compiled in) or `<config dir>/kct/themes/NAME.toml`, with
//! `inherits` between files and `NO_COLOR` choosing `mono`.

use std::collections::BTreeMap;
use std::path::Path;

use kct::connect::ops::Health;
use kct::connect::types::State;
use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

/// A theme without styles, for work that needs a theme but shows nothing.
impl Default for Theme {
    fn default() -> Self {
        Theme {
            styles: [Style::default(); ROLES.len()],
        }
    }
}

/// The built-in themes, by name.
pub const BUILT_IN: [(&str, &str); 4] = [
    ("dark", include_str!("../themes/dark.toml")),
    ("light", include_str!("../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../themes/high-contrast.toml"),
    ),
    ("mono", include_str!("../themes/mono.toml")),
];

/// What a style is used for; themes name these in `[roles]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Text,
    Title,
    Border,
    Header,
    Selection,
    Marked,
    Muted,
    Error,
    Warning,
    Ok,
    Key,
    Running,
    Paused,
    Stopped,
    Failed,
    Unassigned,
    Restarting,
}

const ROLES: [(Role, &str); 17] = [
    (Role::Text, "text"),
    (Role::Title, "title"),
    (Role::Border, "border"),
    (Role::Header, "header"),
    (Role::Selection, "selection"),
    (Role::Marked, "marked"),
    (Role::Muted, "muted"),
    (Role::Error, "error"),
    (Role::Warning, "warning"),
    (Role::Ok, "ok"),
    (Role::Key, "key"),
    (Role::Running, "running"),
    (Role::Paused, "paused"),
    (Role::Stopped, "stopped"),
    (Role::Failed, "failed"),
    (Role::Unassigned, "unassigned"),
    (Role::Restarting, "restarting"),
];

#[derive(Debug, Clone)]
pub struct Theme {
    styles: [Style; ROLES.len()],
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    inherits: Option<String>,
    #[serde(default)]
    roles: BTreeMap<String, StyleDef>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct StyleDef {
    fg: Option<String>,
    bg: Option<String>,
    #[serde(default)]
    bold: bool,
    #[serde(default)]
    dim: bool,
    #[serde(default)]
    italic: bool,
    #[serde(default)]
    underlined: bool,
    #[serde(default)]
    reversed: bool,
}

impl Theme {
    /// The theme to use: `--theme`, else `NO_COLOR` (mono), else the config file's, else dark.
    pub fn choose(
        flag: Option<&str>,
        configured: Option<&str>,
        user_dir: Option<&Path>,
    ) -> Result<Theme, String> {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let name = match (flag, no_color) {
            (Some(n), _) => n,
            (None, true) => "mono",
            (None, false) => configured.unwrap_or("dark"),
        };
        Theme::load(name, user_dir)
    }

    /// Theme `name`: the user's file when there is one, else the built-in.
    pub fn load(name: &str, user_dir: Option<&Path>) -> Result<Theme, String> {
        let mut roles = BTreeMap::new();
        let mut next = Some(name.to_string());
        let mut depth = 0;
        while let Some(n) = next {
            depth += 1;
            if depth > 8 {
                return Err(format!("theme {name}: `inherits` goes round in a circle"));
            }
            let (origin, text) = source(&n, user_dir)?;
            let file: ThemeFile =
                toml::from_str(&text).map_err(|e| format!("theme {origin}: {}", one_line(&e)))?;
            for (role, def) in file.roles {
                roles.entry(role).or_insert((origin.clone(), def));
            }
            next = file.inherits;
        }
        let mut styles = [Style::default(); ROLES.len()];
        for (role, (origin, def)) in &roles {
            let i = ROLES
                .iter()
                .position(|(_, n)| n == role)
                .ok_or_else(|| format!("theme {origin}: unknown role {role:?}"))?;
            styles[i] = def
                .style()
                .map_err(|e| format!("theme {origin}: {role}: {e}"))?;
        }
        Ok(Theme { styles })
    }

    pub fn style(&self, role: Role) -> Style {
        let i = ROLES.iter().position(|(r, _)| *r == role).unwrap_or(0);
        self.styles[i]
    }

    /// The style of a connector or task state: the same everywhere it shows.
    pub fn state(&self, s: State) -> Style {
        self.style(match s {
            State::Running => Role::Running,
            State::Paused => Role::Paused,
            State::Stopped | State::Destroyed => Role::Stopped,
            State::Failed => Role::Failed,
            State::Unassigned => Role::Unassigned,
            State::Restarting => Role::Restarting,
        })
    }

    /// Health uses the state colours: DEGRADED is a warning, UNHEALTHY a failure.
    pub fn health(&self, h: Health) -> Style {
        self.style(match h {
            Health::Healthy => Role::Running,
            Health::Degraded => Role::Warning,
            Health::Unhealthy => Role::Failed,
            Health::Paused => Role::Paused,
            Health::Stopped => Role::Stopped,
            Health::Restarting => Role::Restarting,
        })
    }
}

/// A theme file's origin (for errors) and text.
fn source(name: &str, user_dir: Option<&Path>) -> Result<(String, String), String> {
    if let Some(dir) = user_dir {
        let path = dir.join(format!("{name}.toml"));
        match std::fs::read_to_string(&path) {
            Ok(t) => return Ok((path.display().to_string(), t)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        }
    }
    BUILT_IN
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(n, t)| (format!("{n} (built in)"), t.to_string()))
        .ok_or_else(|| {
            let known: Vec<&str> = BUILT_IN.iter().map(|(n, _)| *n).collect();
            format!(
                "no theme named {name:?} (built in: {}; or add {name}.toml to the themes directory)",
                known.join(", ")
            )
        })
}

impl StyleDef {
    fn style(&self) -> Result<Style, String> {
        let mut s = Style::new();
        if let Some(c) = &self.fg {
            s = s.fg(color(c)?);
        }
        if let Some(c) = &self.bg {
            s = s.bg(color(c)?);
        }
        let flags = [
            (self.bold, Modifier::BOLD),
            (self.dim, Modifier::DIM),
            (self.italic, Modifier::ITALIC),
            (self.underlined, Modifier::UNDERLINED),
            (self.reversed, Modifier::REVERSED),
        ];
        for (on, m) in flags {
            if on {
                s = s.add_modifier(m);
            }
        }
        Ok(s)
    }
}

fn color(s: &str) -> Result<Color, String> {
    s.parse::<Color>()
        .map_err(|_| format!("{s:?} is not a colour (a name, #rrggbb or 0-255)"))
}

fn one_line(e: &toml::de::Error) -> String {
    e.to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_ins_load_and_state_colours_follow_the_spec() {
        for (name, _) in BUILT_IN {
            Theme::load(name, None).unwrap();
        }
        let dark = Theme::load("dark", None).unwrap();
        assert_eq!(dark.state(State::Running).fg, Some(Color::Green));
        assert_eq!(dark.state(State::Paused).fg, Some(Color::Yellow));
        assert_eq!(dark.state(State::Failed).fg, Some(Color::Red));
        assert_eq!(dark.state(State::Unassigned).fg, Some(Color::Blue));
        let mono = Theme::load("mono", None).unwrap();
        assert!(ROLES
            .iter()
            .all(|(r, _)| mono.style(*r).fg.is_none() && mono.style(*r).bg.is_none()));
    }

    #[test]
    fn user_themes_inherit_and_errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("mine.toml"),
            "inherits = \"dark\"\n[roles]\nfailed = { fg = \"#ff0000\" }\n",
        )
        .unwrap();
        let t = Theme::load("mine", Some(dir.path())).unwrap();
        assert_eq!(t.state(State::Failed).fg, Some(Color::Rgb(255, 0, 0)));
        assert_eq!(t.state(State::Running).fg, Some(Color::Green));
        std::fs::write(
            dir.path().join("bad.toml"),
            "[roles]\nfailure = { fg = \"red\" }\n",
        )
        .unwrap();
        let e = Theme::load("bad", Some(dir.path())).unwrap_err();
        assert!(e.contains("bad.toml") && e.contains("unknown role"), "{e}");
        std::fs::write(dir.path().join("loop.toml"), "inherits = \"loop\"\n").unwrap();
        assert!(Theme::load("loop", Some(dir.path()))
            .unwrap_err()
            .contains("circle"));
        assert!(Theme::load("nope", None).unwrap_err().contains("built in"));
    }
}
