//! Lifecycle verbs: pause, resume, stop, delete and restart (connectors, tasks, every failed
//! one), topic resets and logger levels. Bulk verbs report per connector and fail if any did.

use clap::{Arg, ArgAction, ArgMatches, Command};
use kct::connect::ops::{self, TaskSelection};
use kct::connect::types::State;
use serde_json::{json, Value};

use super::{confirm, one_name, selected, Resource, Session};
use crate::output::{CliError, Format, Table};

pub fn command(name: &'static str, about: &'static str) -> Command {
    Command::new(name)
        .about(about)
        .arg(super::resource_arg())
        .arg(super::names_arg())
        .arg(super::regex_arg())
}

pub fn restart_command() -> Command {
    Command::new("restart")
        .about("restart connector NAME… [--tasks all|failed] | restart task NAME/ID | restart --all-failed")
        .arg(Arg::new("resource").value_name("RESOURCE"))
        .arg(super::names_arg())
        .arg(super::regex_arg())
        .arg(
            Arg::new("tasks")
                .long("tasks")
                .value_parser(["all", "failed"])
                .help("Also restart the connector's tasks: all, or only the failed ones (and the connector only if failed)"),
        )
        .arg(
            Arg::new("all-failed")
                .long("all-failed")
                .action(ArgAction::SetTrue)
                .help("Restart every failed connector and task in the cluster"),
        )
}

/// One connector's result in a bulk verb.
struct Outcome {
    name: String,
    ok: bool,
    message: String,
}

/// Prints the outcomes (a line each, or JSON) and fails if any failed.
fn report(s: &Session, outcomes: &[Outcome]) -> Result<(), CliError> {
    let json = Value::Array(
        outcomes
            .iter()
            .map(|o| json!({"name": o.name, "ok": o.ok, "message": o.message}))
            .collect(),
    );
    if s.out.is_structured() {
        s.out.emit(&json, Table::default, Vec::new)?;
    } else {
        let mut text = String::new();
        for o in outcomes {
            if o.ok {
                if s.out.format == Format::Name {
                    text.push_str(&format!("{}\n", o.name));
                } else {
                    text.push_str(&format!("connector/{} {}\n", o.name, o.message));
                }
            } else {
                kct::say!("kct connect: connector/{}: {}", o.name, o.message);
            }
        }
        crate::output::write_stdout(text.as_bytes())?;
    }
    let failed = outcomes.iter().filter(|o| !o.ok).count();
    if failed > 0 {
        return Err(CliError::error(format!(
            "{failed} of {} connector(s) failed",
            outcomes.len()
        )));
    }
    Ok(())
}

pub fn bulk(s: &Session, verb: &str, m: &ArgMatches) -> Result<(), CliError> {
    let names = selected(s, m)?;
    if verb == "delete"
        && !confirm(
            &format!("Delete connector(s) {}?", names.join(", ")),
            m.get_flag("yes"),
        )?
    {
        return Err(CliError::error("nothing deleted"));
    }
    let mut outcomes = Vec::new();
    for name in names {
        let c = &s.client;
        let (result, done) = match verb {
            "pause" => (s.block_on(c.pause(&name)), "paused"),
            "resume" => (s.block_on(c.resume(&name)), "resumed"),
            "stop" => (s.block_on(c.stop(&name)), "stopped"),
            _ => (s.block_on(c.delete(&name)), "deleted"),
        };
        outcomes.push(match result {
            Ok(()) => Outcome {
                name,
                ok: true,
                message: done.into(),
            },
            Err(e) => Outcome {
                name,
                ok: false,
                message: e.to_string(),
            },
        });
    }
    report(s, &outcomes)
}

pub fn restart(s: &Session, m: &ArgMatches) -> Result<(), CliError> {
    if m.get_flag("all-failed") {
        if m.contains_id("names") || m.contains_id("resource") {
            return Err(CliError::usage("--all-failed takes no names"));
        }
        return restart_all_failed(s);
    }
    let resource = m.get_one::<String>("resource").ok_or_else(|| {
        CliError::usage("restart connector NAME…, restart task NAME/ID or restart --all-failed")
    })?;
    match Resource::parse(resource)? {
        Resource::Connectors => restart_connectors(s, m),
        Resource::Tasks => restart_tasks(s, m),
        _ => Err(CliError::usage("restart works on connectors and tasks")),
    }
}

fn selection(m: &ArgMatches) -> TaskSelection {
    match m.get_one::<String>("tasks").map(String::as_str) {
        Some("all") => TaskSelection::All,
        Some("failed") => TaskSelection::Failed,
        _ => TaskSelection::None,
    }
}

fn restart_connectors(s: &Session, m: &ArgMatches) -> Result<(), CliError> {
    let names = selected(s, m)?;
    let caps = s.caps()?;
    let tasks = selection(m);
    let mut outcomes = Vec::new();
    for name in names {
        let r = s.block_on(ops::restart(&s.client, caps, &name, tasks));
        outcomes.push(match r {
            Ok(o) => Outcome {
                message: restarted_text(&o.restarted),
                name,
                ok: true,
            },
            Err(e) => Outcome {
                name,
                ok: false,
                message: e.to_string(),
            },
        });
    }
    report(s, &outcomes)
}

fn restarted_text(list: &[String]) -> String {
    if list.is_empty() {
        "restarted (nothing to restart)".into()
    } else {
        format!("restarted: {}", list.join(", "))
    }
}

/// `NAME/ID` (also `NAME-ID`'s kcctl-like `NAME ID` is not guessed: the slash is required).
fn parse_task(s: &str) -> Result<(String, i32), CliError> {
    s.rsplit_once('/')
        .and_then(|(n, id)| id.parse::<i32>().ok().map(|id| (n.to_string(), id)))
        .filter(|(n, id)| !n.is_empty() && *id >= 0)
        .ok_or_else(|| {
            CliError::usage(format!("task {s:?}: expected CONNECTOR/ID, e.g. my-conn/0"))
        })
}

fn restart_tasks(s: &Session, m: &ArgMatches) -> Result<(), CliError> {
    let tasks: Vec<String> = m
        .get_many::<String>("names")
        .map(|v| v.cloned().collect())
        .unwrap_or_default();
    if tasks.is_empty() {
        return Err(CliError::usage("name the task: restart task CONNECTOR/ID"));
    }
    let parsed: Vec<(String, i32)> = tasks
        .iter()
        .map(|t| parse_task(t))
        .collect::<Result<_, _>>()?;
    let mut outcomes = Vec::new();
    for (name, id) in parsed {
        let label = format!("{name}/{id}");
        outcomes.push(match s.block_on(s.client.restart_task(&name, id)) {
            Ok(()) => Outcome {
                message: format!("restarted: {label}"),
                name,
                ok: true,
            },
            Err(e) => Outcome {
                name,
                ok: false,
                message: format!("{label}: {e}"),
            },
        });
    }
    report(s, &outcomes)
}

/// Every failed connector and task of the cluster: one expanded listing, then one restart per
/// connector with something failed.
fn restart_all_failed(s: &Session) -> Result<(), CliError> {
    let caps = s.caps()?;
    let all = s.block_on(s.client.connectors_expanded(caps))?;
    let mut outcomes = Vec::new();
    for (name, c) in &all {
        let Some(st) = &c.status else { continue };
        let any_failed = st.connector.state == State::Failed
            || st.tasks.iter().any(|t| t.state == State::Failed);
        if !any_failed {
            continue;
        }
        let r = s.block_on(ops::restart(&s.client, caps, name, TaskSelection::Failed));
        outcomes.push(match r {
            Ok(o) => Outcome {
                name: name.clone(),
                ok: true,
                message: restarted_text(&o.restarted),
            },
            Err(e) => Outcome {
                name: name.clone(),
                ok: false,
                message: e.to_string(),
            },
        });
    }
    if outcomes.is_empty() && !s.out.is_structured() {
        kct::say!("kct connect: no failed connectors or tasks");
    }
    report(s, &outcomes)
}

pub fn reset_topics(s: &Session, m: &ArgMatches) -> Result<(), CliError> {
    let name = one_name(m)?;
    s.block_on(s.client.reset_topics(&name))?;
    report(
        s,
        &[Outcome {
            name,
            ok: true,
            message: "active topics reset".into(),
        }],
    )
}

pub fn set_logger(s: &Session, m: &ArgMatches) -> Result<(), CliError> {
    let level = m.get_one::<String>("level").cloned().unwrap_or_default();
    let logger = m.get_one::<String>("name").cloned().unwrap_or_default();
    let cluster = m.get_one::<String>("scope").map(String::as_str) == Some("cluster");
    let changed = s.block_on(
        s.client
            .set_logger(&logger, &level.to_ascii_uppercase(), cluster),
    )?;
    let json = json!({ "logger": logger, "level": level.to_ascii_uppercase(), "scope": if cluster { "cluster" } else { "worker" }, "changed": changed });
    if s.out.is_structured() {
        return s.out.emit(&json, Table::default, Vec::new);
    }
    let text = if cluster {
        format!(
            "logger/{logger} set to {} on every worker\n",
            level.to_ascii_uppercase()
        )
    } else {
        format!(
            "logger/{logger} set to {} ({} logger(s) changed)\n",
            level.to_ascii_uppercase(),
            changed.len()
        )
    };
    crate::output::write_stdout(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_ids_need_a_slash_and_a_number() {
        assert_eq!(parse_task("my/conn/3").unwrap(), ("my/conn".into(), 3));
        assert!(parse_task("conn").is_err());
        assert!(parse_task("conn/x").is_err());
        assert!(parse_task("/1").is_err());
    }
}
