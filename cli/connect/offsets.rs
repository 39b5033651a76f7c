//! Connector offsets: `get offsets`, `patch offsets -f`, `reset offsets`, through the REST API
//! (KIP-875) when the cluster has it, else (or with `--via topic`) through `connect-offsets`.
//! `--stop` stops the connector first and puts it back in its old state afterwards.

use std::time::{Duration, Instant};

use clap::{ArgMatches, Command};
use kct::connect::types::{ConnectorOffsets, State};
use kct::internal::offset_reset::ModifyReport;
use serde_json::json;

use super::{confirm, one_name, Session};
use crate::output::{CliError, Table};

pub fn reset_command() -> Command {
    Command::new("reset")
        .about("reset offsets NAME [--stop] | reset topics NAME")
        .arg(super::resource_arg())
        .arg(super::names_arg())
        .args(super::offsets_write_args())
}

/// Which path offsets go through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    Rest,
    Topic,
}

fn via(s: &Session, m: &ArgMatches, needs_alter: bool) -> Result<Via, CliError> {
    match m.get_one::<String>("via").map(String::as_str) {
        Some("topic") => Ok(Via::Topic),
        Some(_) => Ok(Via::Rest),
        None => {
            let caps = s.caps()?;
            let has = if needs_alter {
                caps.alter_offsets
            } else {
                caps.stop
            };
            Ok(if has { Via::Rest } else { Via::Topic })
        }
    }
}

pub fn get(s: &Session, m: &ArgMatches) -> Result<(), CliError> {
    let name = one_name(m)?;
    let offsets = match via(s, m, false)? {
        Via::Rest => s.block_on(s.client.offsets(&name))?,
        Via::Topic => super::super::offsets_topic::read(&s.target, &name)?,
    };
    print_offsets(s, &offsets)
}

fn print_offsets(s: &Session, offsets: &ConnectorOffsets) -> Result<(), CliError> {
    s.out.emit(
        &serde_json::to_value(offsets)?,
        || {
            let mut t = Table::new(&["PARTITION", "OFFSET"]);
            for o in &offsets.offsets {
                t.row(vec![
                    serde_json::Value::Object(o.partition.clone()).to_string(),
                    o.offset
                        .as_ref()
                        .map(|v| serde_json::Value::Object(v.clone()).to_string())
                        .unwrap_or_else(|| "null".into()),
                ]);
            }
            t
        },
        || {
            offsets
                .offsets
                .iter()
                .map(|o| serde_json::Value::Object(o.partition.clone()).to_string())
                .collect()
        },
    )
}

pub fn patch(s: &Session, m: &ArgMatches) -> Result<(), CliError> {
    let name = one_name(m)?;
    let file = m
        .get_one::<String>("file")
        .ok_or_else(|| CliError::usage("patch offsets NAME -f FILE (or - for stdin)"))?;
    let text = super::apply::read_input(file)?;
    let offsets: ConnectorOffsets = serde_json::from_str(&text).map_err(|e| {
        CliError::error(format!(
            "{file}: expected {{\"offsets\":[{{\"partition\":{{…}},\"offset\":{{…}}|null}}]}}: {e}"
        ))
    })?;
    if offsets.offsets.is_empty() {
        return Err(CliError::error(format!(
            "{file}: the offsets list is empty"
        )));
    }
    change(s, m, &name, Some(offsets))
}

pub fn reset(s: &Session, m: &ArgMatches) -> Result<(), CliError> {
    let name = one_name(m)?;
    change(s, m, &name, None)
}

/// Alters (`Some`) or resets (`None`) the offsets of `name` on the chosen path.
fn change(
    s: &Session,
    m: &ArgMatches,
    name: &str,
    offsets: Option<ConnectorOffsets>,
) -> Result<(), CliError> {
    let dry_run = m.get_flag("dry-run");
    let yes = m.get_flag("yes");
    let stop = m.get_flag("stop");
    let path = via(s, m, true)?;
    if path == Via::Rest && dry_run {
        return Err(CliError::usage(
            "--dry-run shows the records of the topic path; add --via topic",
        ));
    }
    if path == Via::Rest {
        let what = if offsets.is_some() { "Alter" } else { "Reset" };
        if !confirm(&format!("{what} the offsets of connector {name}?"), yes)? {
            return Err(CliError::error("offsets not changed"));
        }
    }
    let restore = if stop && !dry_run {
        stop_for_offsets(s, name)?
    } else {
        None
    };
    let result = match path {
        Via::Topic => change_via_topic(s, m, name, offsets.as_ref()),
        Via::Rest => change_via_rest(s, name, offsets.as_ref()).map_err(|e| {
            if e.status() == Some(400) && !stop && e.to_string().contains("STOPPED") {
                CliError::error(format!("{e}; or pass --stop"))
            } else {
                CliError::from(e)
            }
        }),
    };
    // The old state comes back even when the change failed.
    let restored = restore.map(|prev| restore_state(s, name, prev));
    let changed = result?;
    if let Some(Err(e)) = restored {
        return Err(e);
    }
    match changed {
        Changed::Rest(message) => done(s, name, "rest", &message),
        Changed::Topic(report) => topic_done(s, &report),
    }
}

/// What a path did.
enum Changed {
    /// Connect's message.
    Rest(String),
    Topic(ModifyReport),
}

fn change_via_rest(
    s: &Session,
    name: &str,
    offsets: Option<&ConnectorOffsets>,
) -> Result<Changed, kct::connect::client::ClientError> {
    let message = match offsets {
        Some(o) => s.block_on(s.client.alter_offsets(name, o))?,
        None => s.block_on(s.client.reset_offsets(name))?,
    };
    Ok(Changed::Rest(message.message))
}

/// The topic path: plan, show, confirm, write, verify.
fn change_via_topic(
    s: &Session,
    m: &ArgMatches,
    name: &str,
    offsets: Option<&ConnectorOffsets>,
) -> Result<Changed, CliError> {
    let yes = m.get_flag("yes");
    let report = super::super::offsets_topic::change(
        &s.target,
        name,
        offsets,
        m.get_flag("dry-run"),
        m.get_flag("force"),
        |plan| {
            eprint!("{}", plan_text(plan));
            confirm(&format!("Write these records to {}?", plan.topic), yes)
        },
    )?;
    Ok(Changed::Topic(report))
}

/// The records the topic path writes: partition, exact key bytes and value.
fn plan_text(plan: &ModifyReport) -> String {
    let mut text = String::new();
    for r in &plan.records {
        let key_origin = if r.existing_key {
            "existing key"
        } else {
            "new key, murmur2"
        };
        text.push_str(&format!(
            "{} partition {} ({key_origin}):\n  key   {}\n  value {}\n",
            plan.topic,
            r.partition,
            r.key,
            r.value.as_deref().unwrap_or("null (tombstone)")
        ));
    }
    text
}

fn topic_done(s: &Session, report: &ModifyReport) -> Result<(), CliError> {
    if s.out.is_structured() {
        return s
            .out
            .emit(&serde_json::to_value(report)?, Table::default, Vec::new);
    }
    let n = report.records.len();
    let text = if report.dry_run {
        format!(
            "{}connector/{}: dry run, {n} record(s) would be written to {} (via the offsets topic)\n",
            plan_text(report),
            report.connector,
            report.topic
        )
    } else if n == 0 {
        format!(
            "connector/{}: no offsets in {}; nothing to write (via the offsets topic)\n",
            report.connector, report.topic
        )
    } else {
        format!(
            "connector/{}: {n} record(s) written to {} and read back{} (via the offsets topic)\n",
            report.connector,
            report.topic,
            if report.forced_past.is_empty() {
                ""
            } else {
                ", forced past a running status"
            }
        )
    };
    crate::output::write_stdout(text.as_bytes())
}

fn done(s: &Session, name: &str, path: &str, message: &str) -> Result<(), CliError> {
    let json = json!({ "name": name, "via": path, "message": message });
    if s.out.is_structured() {
        return s.out.emit(&json, Table::default, Vec::new);
    }
    let via = if path == "rest" {
        "REST API (KIP-875)"
    } else {
        "the offsets topic"
    };
    crate::output::write_stdout(format!("connector/{name}: {message} (via {via})\n").as_bytes())
}

/// Stops `name` unless it is STOPPED already and waits until it has no tasks; returns the state
/// to go back to.
fn stop_for_offsets(s: &Session, name: &str) -> Result<Option<State>, CliError> {
    let before = s.block_on(s.client.status(name))?.connector.state;
    if before == State::Stopped {
        return Ok(None);
    }
    s.block_on(s.client.stop(name))?;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let st = s.block_on(s.client.status(name))?;
        if st.connector.state == State::Stopped && st.tasks.is_empty() {
            eprintln!("connector/{name} stopped (was {})", before.as_str());
            return Ok(Some(before));
        }
        if Instant::now() > deadline {
            return Err(CliError::error(format!(
                "connector {name} did not reach STOPPED within 60 s; offsets not changed"
            )));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Puts `name` back: PAUSED stays paused, anything else resumes.
fn restore_state(s: &Session, name: &str, prev: State) -> Result<(), CliError> {
    let r = if prev == State::Paused {
        s.block_on(s.client.pause(name))
    } else {
        s.block_on(s.client.resume(name))
    };
    r.map_err(|e| {
        CliError::error(format!(
            "offsets changed, but connector {name} could not be put back to {}: {e}",
            prev.as_str()
        ))
    })?;
    eprintln!(
        "connector/{name} back to {}",
        if prev == State::Paused {
            "PAUSED"
        } else {
            "RUNNING"
        }
    );
    Ok(())
}
