//! `apply -f`, `edit connector` and `patch connector`: validate, show the config diff, confirm,
//! then create or update. Nothing is changed when validation fails or the user says no.

use std::io::Read;

use clap::{Arg, ArgAction, ArgMatches, Command};
use kct::connect::client::Config;
use kct::connect::ops::{self, Change, Manifest};
use kct::connect::types::ConfigInfos;
use serde_json::json;

use super::{confirm, one_name, Session};
use crate::output::{CliError, Format};

pub fn apply_command() -> Command {
    Command::new("apply")
        .about("Create or update connectors from files (JSON as POSTed, or .properties)")
        .arg(
            Arg::new("file")
                .short('f')
                .long("filename")
                .value_name("FILE")
                .required(true)
                .action(ArgAction::Append)
                .help("Connector file, or - for stdin (repeatable)"),
        )
        .arg(
            Arg::new("dry-run")
                .long("dry-run")
                .action(ArgAction::SetTrue)
                .help("Validate and show the diff; change nothing"),
        )
        .arg(super::yes_arg())
}

pub fn edit_command() -> Command {
    Command::new("edit")
        .about("Edit a connector's config in $VISUAL/$EDITOR, then validate, diff and apply")
        .arg(super::resource_arg())
        .arg(Arg::new("names").required(true).value_name("NAME"))
        .arg(super::yes_arg())
}

pub fn patch_command() -> Command {
    Command::new("patch")
        .about("patch connector NAME --set k=v --remove k | patch offsets NAME -f FILE")
        .arg(super::resource_arg())
        .arg(Arg::new("names").required(true).value_name("NAME"))
        .arg(
            Arg::new("set")
                .long("set")
                .value_name("KEY=VALUE")
                .action(ArgAction::Append)
                .help("Set a config key"),
        )
        .arg(
            Arg::new("remove")
                .long("remove")
                .value_name("KEY")
                .action(ArgAction::Append)
                .help("Remove a config key"),
        )
        .arg(
            Arg::new("file")
                .short('f')
                .long("filename")
                .value_name("FILE")
                .help("offsets: {\"offsets\":[…]} as for PATCH …/offsets, or - for stdin"),
        )
        .args(super::offsets_write_args())
}

/// Reads a file argument, `-` being stdin.
pub fn read_input(path: &str) -> Result<String, CliError> {
    let mut text = String::new();
    if path == "-" {
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| CliError::error(format!("cannot read stdin: {e}")))?;
    } else {
        text = std::fs::read_to_string(path).map_err(|e| {
            CliError::error(format!(
                "cannot read {path}: {}",
                kct::io_error::io_error_text(&e)
            ))
        })?;
    }
    Ok(text)
}

pub fn apply(s: &Session, m: &ArgMatches) -> Result<(), CliError> {
    let files: Vec<&String> = m.get_many::<String>("file").into_iter().flatten().collect();
    // Every file is read and parsed before anything is sent.
    let mut manifests = Vec::new();
    for f in &files {
        let origin = if f.as_str() == "-" {
            "stdin"
        } else {
            f.as_str()
        };
        manifests.push(ops::parse_manifest(origin, &read_input(f)?)?);
    }
    let dry_run = m.get_flag("dry-run");
    let yes = m.get_flag("yes");
    let mut failed = 0;
    for man in manifests {
        if let Err(e) = apply_one(s, man, dry_run, yes) {
            kct::say!("kct connect: {}", e.message);
            failed += 1;
        }
    }
    if failed > 0 {
        return Err(CliError::error(format!(
            "{failed} of {} connector(s) not applied",
            files.len()
        )));
    }
    Ok(())
}

/// The current config of `name`, or `None` when it does not exist.
fn current_config(s: &Session, name: &str) -> Result<Option<Config>, CliError> {
    match s.block_on(s.client.config(name)) {
        Ok(c) => Ok(Some(c)),
        Err(e) if e.status() == Some(404) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

fn apply_one(s: &Session, mut man: Manifest, dry_run: bool, yes: bool) -> Result<(), CliError> {
    let name = man.name.clone();
    let current = current_config(s, &name)?;
    ops::restore_hidden(&mut man.config, current.as_ref())
        .map_err(|e| CliError::error(format!("connector {name}: {e}")))?;
    man.config.insert("name".into(), Some(name.clone()));
    let report = s.block_on(s.client.validate(&man.config))?;
    if report.error_count > 0 {
        print_validation_errors(&name, &report);
        return Err(CliError::error(format!(
            "connector {name}: {} configuration error(s); nothing applied",
            report.error_count
        )));
    }
    let secrets = ops::report_secret_keys(&report, &man.config, current.as_ref());
    let Some(current) = current else {
        if dry_run {
            return say_done(s, &name, "would be created (valid)", &[]);
        }
        s.block_on(
            s.client
                .create(&name, &man.config, man.initial_state.as_deref()),
        )?;
        return say_done(s, &name, "created", &[]);
    };
    let changes = ops::diff(&current, &man.config, &secrets);
    if changes.is_empty() {
        return say_done(s, &name, "unchanged", &[]);
    }
    print_diff(&name, &changes);
    if dry_run {
        return say_done(s, &name, "would be updated (valid)", &changes);
    }
    if !confirm(&format!("Apply these changes to connector {name}?"), yes)? {
        return Err(CliError::error(format!("connector {name}: not applied")));
    }
    s.block_on(s.client.put_config(&name, &man.config))?;
    say_done(s, &name, "configured", &changes)
}

fn print_validation_errors(name: &str, report: &ConfigInfos) {
    kct::say!("connector {name}: validation failed:");
    for e in ops::validation_errors(report) {
        kct::say!("  {e}");
    }
}

fn print_diff(name: &str, changes: &[Change]) {
    let mut text = format!("connector {name}:\n");
    for c in changes {
        match (&c.old, &c.new) {
            (None, Some(n)) => text.push_str(&format!("  + {} = {n}\n", c.key)),
            (Some(o), None) => text.push_str(&format!("  - {} = {o}\n", c.key)),
            (Some(o), Some(n)) if o == n => {
                text.push_str(&format!("  ~ {} = {n} (changed)\n", c.key))
            }
            (Some(o), Some(n)) => text.push_str(&format!("  ~ {} = {o} → {n}\n", c.key)),
            (None, None) => {}
        }
    }
    eprint!("{text}");
}

/// The result line (or JSON object) of one applied connector.
fn say_done(s: &Session, name: &str, what: &str, changes: &[Change]) -> Result<(), CliError> {
    let json = json!({ "name": name, "result": what, "changes": changes });
    if s.out.is_structured() {
        return s.out.emit(&json, Default::default, Vec::new);
    }
    if s.out.format == Format::Name {
        return crate::output::write_stdout(format!("{name}\n").as_bytes());
    }
    crate::output::write_stdout(format!("connector/{name} {what}\n").as_bytes())
}

pub fn patch(s: &Session, m: &ArgMatches) -> Result<(), CliError> {
    let name = one_name(m)?;
    let mut patch = Config::new();
    for kv in m.get_many::<String>("set").into_iter().flatten() {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| CliError::usage(format!("--set {kv}: expected KEY=VALUE")))?;
        patch.insert(k.trim().to_string(), Some(v.to_string()));
    }
    for k in m.get_many::<String>("remove").into_iter().flatten() {
        patch.insert(k.clone(), None);
    }
    if patch.is_empty() {
        return Err(CliError::usage("give --set KEY=VALUE and/or --remove KEY"));
    }
    let current = current_config(s, &name)?
        .ok_or_else(|| CliError::error(format!("Connector {name} not found (HTTP 404)")))?;
    let mut new = current.clone();
    for (k, v) in &patch {
        match v {
            Some(v) => {
                new.insert(k.clone(), Some(v.clone()));
            }
            None => {
                new.shift_remove(k);
            }
        }
    }
    let man = Manifest {
        name,
        config: new,
        initial_state: None,
    };
    apply_one(s, man, m.get_flag("dry-run"), m.get_flag("yes"))
}

/// The editor command: `$VISUAL`, else `$EDITOR`, else `vi`.
fn editor() -> String {
    std::env::var("VISUAL")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .or_else(|| {
            std::env::var("EDITOR")
                .ok()
                .filter(|v| !v.trim().is_empty())
        })
        .unwrap_or_else(|| "vi".into())
}

pub fn edit(s: &Session, _r: super::Resource, m: &ArgMatches) -> Result<(), CliError> {
    let name = one_name(m)?;
    let current = current_config(s, &name)?
        .ok_or_else(|| CliError::error(format!("Connector {name} not found (HTTP 404)")))?;
    let report = s.block_on(s.client.validate(&current)).ok();
    let secrets = match &report {
        Some(r) => ops::report_secret_keys(r, &current, None),
        None => ops::secret_keys(&current, &[]),
    };
    let shown = ops::masked(&current, &secrets);
    let dir = tempfile_dir()?;
    let path = dir.join(format!("{}.json", sanitize(&name)));
    let original = serde_json::to_string_pretty(&shown)? + "\n";
    let header = format!(
        "// Editing connector {name}. Lines starting with // are ignored; [hidden] keeps the current secret.\n"
    );
    let mut text = header.clone() + &original;
    let result = loop {
        std::fs::write(&path, &text)
            .map_err(|e| CliError::error(format!("cannot write {}: {e}", path.display())))?;
        run_editor(&path)?;
        let edited = std::fs::read_to_string(&path)
            .map_err(|e| CliError::error(format!("cannot read {}: {e}", path.display())))?;
        let body = ops::strip_notes(&edited);
        if body.trim() == original.trim() || body.trim().is_empty() {
            break Ok(None);
        }
        let problems = match ops::parse_edited(&name, &body, &current) {
            Ok(cfg) => match s.block_on(s.client.validate(&cfg)) {
                Ok(r) if r.error_count == 0 => break Ok(Some(cfg)),
                Ok(r) => ops::validation_errors(&r),
                Err(e) => break Err(CliError::from(e)),
            },
            Err(e) => vec![e],
        };
        let notes: String = problems
            .iter()
            .map(|p| format!("// error: {p}\n"))
            .collect();
        text = header.clone() + &notes + &body + "\n";
    };
    let _ = std::fs::remove_dir_all(&dir);
    let Some(new) = result? else {
        kct::say!("Edit cancelled, no changes made.");
        return Ok(());
    };
    let changes = ops::diff(&current, &new, &secrets);
    if changes.is_empty() {
        return say_done(s, &name, "unchanged", &[]);
    }
    print_diff(&name, &changes);
    if !confirm(
        &format!("Apply these changes to connector {name}?"),
        m.get_flag("yes"),
    )? {
        return Err(CliError::error(format!("connector {name}: not applied")));
    }
    s.block_on(s.client.put_config(&name, &new))?;
    say_done(s, &name, "configured", &changes)
}

fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn tempfile_dir() -> Result<std::path::PathBuf, CliError> {
    let base = std::env::temp_dir().join(format!("kct-edit-{}", std::process::id()));
    std::fs::create_dir_all(&base)
        .map_err(|e| CliError::error(format!("cannot create {}: {e}", base.display())))?;
    Ok(base)
}

/// Runs the editor through the shell (so `EDITOR="code --wait"` works) on `path`.
fn run_editor(path: &std::path::Path) -> Result<(), CliError> {
    let ed = editor();
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{ed} \"$1\""))
        .arg("sh")
        .arg(path)
        .status()
        .map_err(|e| CliError::error(format!("cannot run editor {ed:?}: {e}")))?;
    if !status.success() {
        return Err(CliError::error(format!(
            "editor {ed:?} exited with {status}; nothing applied"
        )));
    }
    Ok(())
}
