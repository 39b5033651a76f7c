//! Editing in `$VISUAL`/`$EDITOR` as `kct connect edit` does: the config (secrets masked) or a
//! plugin template goes to a temporary file, the editor runs while the console is suspended,
//! and what comes back is parsed into a [`Draft`] for validation, diff and apply.

use std::collections::BTreeSet;

use kct::connect::client::Config;
use kct::connect::ops;
use kct::connect::types::ConfigKeyInfo;

use super::jobs::Draft;

/// One editing round: what to open and what it is about.
#[derive(Debug, Clone, PartialEq)]
pub struct EditJob {
    /// The connector edited; `None` for a new one.
    pub name: Option<String>,
    pub current: Option<Config>,
    pub secrets: BTreeSet<String>,
    /// The body as first shown: getting it back unchanged means "cancel".
    pub original: String,
    /// The file's text: header, notes of the last attempt, body.
    pub text: String,
}

/// What came back from the editor.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    Cancelled,
    /// Not even parseable: the body and why.
    Invalid(String, Vec<String>),
    Ready(Box<Draft>),
}

impl EditJob {
    /// Editing connector `name`'s `current` config.
    pub fn existing(name: &str, current: Config, secrets: BTreeSet<String>) -> EditJob {
        let shown = ops::masked(&current, &secrets);
        let body = serde_json::to_string_pretty(&shown).unwrap_or_default() + "\n";
        let header = format!(
            "// Editing connector {name}. Lines starting with // are ignored; {} keeps the current secret.\n",
            ops::HIDDEN
        );
        EditJob {
            name: Some(name.to_string()),
            current: Some(current),
            secrets,
            text: header + &body,
            original: body,
        }
    }

    /// A new connector of plugin `class`, its required keys filled with defaults.
    pub fn template(class: &str, defs: &[ConfigKeyInfo]) -> EditJob {
        let name = format!("new-{}", ops::short_class(class).to_lowercase());
        let body = ops::template(&name, class, defs);
        let mut header = format!(
            "// New {class} connector: set the name and the values; lines starting with // are ignored.\n"
        );
        for d in defs.iter().filter(|d| d.required) {
            let doc = d
                .documentation
                .as_deref()
                .unwrap_or("")
                .lines()
                .next()
                .unwrap_or("");
            header.push_str(&format!("// {} (required, {}): {doc}\n", d.name, d.kind));
        }
        EditJob {
            name: None,
            current: None,
            secrets: BTreeSet::new(),
            text: header + &body,
            original: body,
        }
    }

    /// The same job reopened on `body` with `problems` as notes at the top.
    pub fn again(&self, body: &str, problems: &[String]) -> EditJob {
        let header: String = self
            .text
            .lines()
            .take_while(|l| l.starts_with("// ") && !l.starts_with("// error:"))
            .map(|l| format!("{l}\n"))
            .collect();
        let notes: String = problems
            .iter()
            .map(|p| format!("// error: {p}\n"))
            .collect();
        EditJob {
            text: header + &notes + body.trim_end() + "\n",
            ..self.clone()
        }
    }

    /// Reads what the user saved.
    pub fn outcome(&self, edited: &str) -> Outcome {
        let body = ops::strip_notes(edited);
        if body.trim().is_empty() || body.trim() == self.original.trim() {
            return Outcome::Cancelled;
        }
        let parsed = match (&self.name, &self.current) {
            (Some(n), Some(cur)) => ops::parse_edited(n, &body, cur).map(|c| (n.clone(), c)),
            _ => ops::parse_manifest("the new connector", &body).map(|m| (m.name, m.config)),
        };
        match parsed {
            Ok((name, config)) => Outcome::Ready(Box::new(Draft {
                name,
                config,
                current: self.current.clone(),
                secrets: self.secrets.clone(),
                edit: Some(self.again(&body, &[])),
            })),
            Err(e) => Outcome::Invalid(body, vec![e]),
        }
    }
}

/// The editor command: `$VISUAL`, else `$EDITOR`, else `vi`.
fn editor() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "vi".into())
}

/// Writes the job's text to a temporary file, runs the editor on it through the shell (so
/// `EDITOR="code --wait"` works) and returns what was saved.
pub fn run_editor(job: &EditJob) -> Result<String, String> {
    let dir = std::env::temp_dir().join(format!("kct-tui-edit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let stem: String = job
        .name
        .as_deref()
        .unwrap_or("new-connector")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let path = dir.join(format!("{stem}.json"));
    let result = (|| {
        std::fs::write(&path, &job.text)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        let ed = editor();
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{ed} \"$1\""))
            .arg("sh")
            .arg(&path)
            .status()
            .map_err(|e| format!("cannot run editor {ed:?}: {e}"))?;
        if !status.success() {
            return Err(format!(
                "editor {ed:?} exited with {status}; nothing applied"
            ));
        }
        std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(pairs: &[(&str, &str)]) -> Config {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Some(v.to_string())))
            .collect()
    }

    #[test]
    fn edits_parse_cancel_and_reopen_with_notes() {
        let current = cfg(&[("name", "c"), ("db.password", "pw"), ("topic", "t")]);
        let secrets = ops::secret_keys(&current, &[]);
        let job = EditJob::existing("c", current, secrets);
        assert!(job.text.contains("[hidden]") && !job.text.contains("\"pw\""));
        assert_eq!(job.outcome(&job.text), Outcome::Cancelled);
        let changed = job.text.replace("\"t\"", "\"t2\"");
        let Outcome::Ready(d) = job.outcome(&changed) else {
            panic!("not ready")
        };
        assert_eq!(d.config["db.password"].as_deref(), Some("pw"));
        assert_eq!(d.config["topic"].as_deref(), Some("t2"));
        let Outcome::Invalid(body, errs) = job.outcome("{oops") else {
            panic!("not invalid")
        };
        let again = job.again(&body, &errs);
        assert!(again.text.starts_with("// Editing connector c."));
        assert!(again
            .text
            .contains("// error: the edited config: invalid JSON"));
        assert!(again
            .again(&body, &[])
            .text
            .lines()
            .all(|l| !l.contains("error:")));
    }
}
