//! `kct connect VERB RESOURCE [NAME…]`: the clap definition, resource aliases and the session
//! (client, cluster capabilities, output form) every verb runs in.

mod apply;
mod get;
mod lifecycle;
mod offsets;

use clap::{Arg, ArgAction, ArgMatches, Command};
use kct::config::context::Target;
use kct::connect::client::{Capabilities, ClientOptions, ConnectClient};

use crate::output::{self, CliError, Output};
use crate::target;

/// The resources of `kct connect`, with kubectl-style aliases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Connectors,
    Tasks,
    Plugins,
    Offsets,
    Loggers,
    Topics,
}

impl Resource {
    fn parse(s: &str) -> Result<Resource, CliError> {
        Ok(match s {
            "connectors" | "connector" | "cn" => Resource::Connectors,
            "tasks" | "task" => Resource::Tasks,
            "plugins" | "plugin" | "connector-plugins" => Resource::Plugins,
            "offsets" | "offset" => Resource::Offsets,
            "loggers" | "logger" => Resource::Loggers,
            "topics" | "topic" => Resource::Topics,
            other => {
                return Err(CliError::usage(format!(
                    "unknown resource {other:?}; use connectors (connector, cn), tasks, plugins, offsets, loggers or topics"
                )))
            }
        })
    }
}

/// A command's connection to the cluster.
pub struct Session {
    pub client: ConnectClient,
    pub target: Target,
    pub out: Output,
    rt: tokio::runtime::Runtime,
    caps: std::cell::Cell<Option<Capabilities>>,
}

impl Session {
    fn open(m: &ArgMatches) -> Result<Session, CliError> {
        let target = target::resolve(m)?;
        let out = Output::from_matches(m)?;
        let mut options = ClientOptions::default();
        if let Some(t) = m.get_one::<String>("request-timeout") {
            options.request_timeout = parse_timeout(t)?;
            options.retry_conflicts_for = options.retry_conflicts_for.min(options.request_timeout);
        }
        let client = ConnectClient::new(&target, options)?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| CliError::error(format!("cannot start the async runtime: {e}")))?;
        Ok(Session {
            client,
            target,
            out,
            rt,
            caps: std::cell::Cell::new(None),
        })
    }

    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    /// What the cluster supports (one `GET /` per command).
    pub fn caps(&self) -> Result<Capabilities, CliError> {
        if let Some(c) = self.caps.get() {
            return Ok(c);
        }
        let (_, caps) = self.block_on(self.client.capabilities())?;
        self.caps.set(Some(caps));
        Ok(caps)
    }

    /// Every connector name in the cluster.
    pub fn connector_names(&self) -> Result<Vec<String>, CliError> {
        Ok(self.block_on(self.client.connector_names())?)
    }
}

/// `--request-timeout`: `30s`, `2m`, or plain seconds.
fn parse_timeout(t: &str) -> Result<std::time::Duration, CliError> {
    let d = match t.parse::<f64>() {
        Ok(secs) if secs > 0.0 && secs.is_finite() => Ok(std::time::Duration::from_secs_f64(secs)),
        Ok(_) => Err("must be positive".to_string()),
        Err(_) => humantime::parse_duration(t).map_err(|e| e.to_string()),
    };
    d.map_err(|e| CliError::usage(format!("--request-timeout {t:?}: {e}; e.g. 30s or 2m")))
}

fn resource_arg() -> Arg {
    Arg::new("resource").required(true).value_name("RESOURCE")
}

fn names_arg() -> Arg {
    Arg::new("names").num_args(0..).value_name("NAME")
}

fn regex_arg() -> Arg {
    Arg::new("regex")
        .short('e')
        .long("regex")
        .value_name("REGEX")
        .help("Select the connectors whose names match REGEX")
}

fn yes_arg() -> Arg {
    Arg::new("yes")
        .short('y')
        .long("yes")
        .action(ArgAction::SetTrue)
        .help("Do not ask for confirmation")
}

fn via_arg() -> Arg {
    Arg::new("via")
        .long("via")
        .value_parser(["rest", "topic"])
        .help("Offsets through the REST API (KIP-875) or the connect-offsets topic [default: rest when the cluster has it]")
}

fn stop_arg() -> Arg {
    Arg::new("stop")
        .long("stop")
        .action(ArgAction::SetTrue)
        .help("Stop the connector first (KIP-875 needs STOPPED) and restore its state after")
}

fn verb(name: &'static str, about: &'static str) -> Command {
    Command::new(name).about(about).arg(resource_arg())
}

pub fn command() -> Command {
    let mut cmd = Command::new("connect")
        .about("Manage Kafka Connect clusters over the REST API")
        .long_about(
            "Manage Kafka Connect clusters over the REST API. Resources: connectors (connector, cn), \
             tasks, plugins, offsets, loggers, topics. The cluster comes from --connect, else \
             --context / KCT_CONTEXT / the config file's current context (see `kct config`), else \
             http://localhost:8083. Exit codes: 0 ok, 1 error, 2 usage.",
        )
        .subcommand_required(true)
        .arg_required_else_help(true);
    for a in target::args() {
        cmd = cmd.arg(a);
    }
    for a in output::args() {
        cmd = cmd.arg(a.global(true));
    }
    cmd = cmd.arg(
        Arg::new("request-timeout")
            .long("request-timeout")
            .value_name("DURATION")
            .global(true)
            .help("How long to wait for each answer (e.g. 10s) [default: 95s]"),
    );
    cmd.subcommand(
        verb(
            "get",
            "List connectors, plugins, loggers; show a connector's tasks, offsets or topics",
        )
        .arg(names_arg())
        .arg(regex_arg())
        .arg(via_arg())
        .arg(
            Arg::new("all")
                .long("all")
                .action(ArgAction::SetTrue)
                .help("plugins: also transformations, predicates and converters"),
        )
        .arg(show_secrets_arg()),
    )
    .subcommand(
        verb(
            "describe",
            "Show a connector (status, tasks, traces, config) or a plugin's config definitions",
        )
        .arg(Arg::new("name").required(true).value_name("NAME"))
        .arg(show_secrets_arg()),
    )
    .subcommand(apply::apply_command())
    .subcommand(apply::edit_command())
    .subcommand(apply::patch_command())
    .subcommand(lifecycle::command("pause", "Pause connectors"))
    .subcommand(lifecycle::command(
        "resume",
        "Resume connectors (also out of STOPPED)",
    ))
    .subcommand(lifecycle::command(
        "stop",
        "Stop connectors (KIP-875): no tasks, offsets can be changed",
    ))
    .subcommand(lifecycle::command("delete", "Delete connectors").arg(yes_arg()))
    .subcommand(lifecycle::restart_command())
    .subcommand(offsets::reset_command())
    .subcommand(
        Command::new("set")
            .about("Set a logger's level: set logger LEVEL NAME")
            .arg(resource_arg())
            .arg(Arg::new("level").required(true).value_name("LEVEL"))
            .arg(Arg::new("name").required(true).value_name("LOGGER"))
            .arg(
                Arg::new("scope")
                    .long("scope")
                    .value_parser(["worker", "cluster"])
                    .help("worker (default) or cluster (3.7+)"),
            ),
    )
}

fn show_secrets_arg() -> Arg {
    Arg::new("show-secrets")
        .long("show-secrets")
        .action(ArgAction::SetTrue)
        .help("Show password-type config values instead of [hidden]")
}

pub fn run(m: &ArgMatches) -> i32 {
    output::finish("connect", dispatch(m))
}

fn dispatch(m: &ArgMatches) -> Result<(), CliError> {
    let Some((verb, sub)) = m.subcommand() else {
        return Err(CliError::usage("missing verb; see `kct connect --help`"));
    };
    // `apply` has no RESOURCE argument, and `restart --all-failed` needs none.
    let given = sub
        .try_get_one::<String>("resource")
        .ok()
        .flatten()
        .map(String::as_str);
    let resource = Resource::parse(given.unwrap_or(""));
    let s = Session::open(sub)?;
    match verb {
        "get" => get::get(&s, resource?, sub),
        "describe" => get::describe(&s, resource?, sub),
        "apply" => apply::apply(&s, sub),
        "edit" => apply::edit(&s, expect(resource?, Resource::Connectors, "edit")?, sub),
        "patch" => match resource? {
            Resource::Connectors => apply::patch(&s, sub),
            Resource::Offsets => offsets::patch(&s, sub),
            _ => Err(CliError::usage(
                "patch takes connector NAME or offsets NAME",
            )),
        },
        "restart" => lifecycle::restart(&s, sub),
        "reset" => match resource? {
            Resource::Offsets => offsets::reset(&s, sub),
            Resource::Topics => lifecycle::reset_topics(&s, sub),
            _ => Err(CliError::usage("reset takes offsets NAME or topics NAME")),
        },
        "set" => {
            expect(resource?, Resource::Loggers, "set")?;
            lifecycle::set_logger(&s, sub)
        }
        lifecycle_verb => {
            expect(resource?, Resource::Connectors, lifecycle_verb)?;
            lifecycle::bulk(&s, lifecycle_verb, sub)
        }
    }
}

fn expect(r: Resource, want: Resource, verb: &str) -> Result<Resource, CliError> {
    if r == want {
        Ok(r)
    } else {
        Err(CliError::usage(format!(
            "{verb} works on {}",
            match want {
                Resource::Connectors => "connectors",
                Resource::Loggers => "loggers",
                _ => "that resource",
            }
        )))
    }
}

/// The NAMEs given and the compiled `-e REGEX`.
pub fn names_and_regex(m: &ArgMatches) -> Result<(Vec<String>, Option<regex::Regex>), CliError> {
    let names: Vec<String> = m
        .get_many::<String>("names")
        .map(|v| v.cloned().collect())
        .unwrap_or_default();
    let regex = match m.get_one::<String>("regex") {
        Some(r) => Some(
            regex::Regex::new(r)
                .map_err(|e| CliError::usage(format!("-e {r:?}: invalid regex: {e}")))?,
        ),
        None => None,
    };
    Ok((names, regex))
}

/// The offsets-writing flags shared by `patch offsets` and `reset offsets`.
fn offsets_write_args() -> [Arg; 5] {
    [
        via_arg(),
        stop_arg(),
        Arg::new("dry-run")
            .long("dry-run")
            .action(ArgAction::SetTrue)
            .help("Show what would be written; change nothing"),
        Arg::new("force")
            .long("force")
            .action(ArgAction::SetTrue)
            .help("--via topic: write even while the connector appears to run"),
        yes_arg(),
    ]
}

/// The connectors a bulk verb works on: the names given plus those matching `-e`. Names that
/// do not exist are kept, so the verb reports Connect's own 404 for each.
pub fn selected(s: &Session, m: &ArgMatches) -> Result<Vec<String>, CliError> {
    let (names, regex) = names_and_regex(m)?;
    let all = if regex.is_some() {
        s.connector_names()?
    } else {
        Vec::new()
    };
    let picked = kct::connect::ops::select(&all, &names, regex.as_ref());
    if picked.is_empty() {
        return Err(if regex.is_some() {
            CliError::error("no connector matches the regex")
        } else {
            CliError::usage("name at least one connector, or select them with -e REGEX")
        });
    }
    Ok(picked)
}

/// The one NAME of commands that take exactly one.
pub fn one_name(m: &ArgMatches) -> Result<String, CliError> {
    let names: Vec<&String> = m
        .get_many::<String>("names")
        .into_iter()
        .flatten()
        .collect();
    match names.as_slice() {
        [n] => Ok((*n).clone()),
        [] => Err(CliError::usage("name the connector")),
        _ => Err(CliError::usage("this command takes one connector name")),
    }
}

/// Asks `question` on the terminal; without a terminal, only `--yes` proceeds.
pub fn confirm(question: &str, yes: bool) -> Result<bool, CliError> {
    use std::io::{BufRead, IsTerminal, Write};
    if yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::error(
            "not applied: stdin is not a terminal to confirm on; pass --yes",
        ));
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}
