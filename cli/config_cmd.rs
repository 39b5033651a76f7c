//! `kct config`: kubectl's context verbs over `~/.config/kct/config.toml`.

use clap::{Arg, ArgAction, ArgMatches, Command};
use kct::config::context::{config_path, ConfigFile, Context, Secret};
use serde_json::json;

use crate::output::{self, CliError, Output, Table};

pub fn command() -> Command {
    let secret_args = |name: &'static str, what: &'static str| {
        [
            Arg::new(name)
                .long(name)
                .value_name("VALUE")
                .help(format!("{what}, stored in the file")),
            Arg::new(format!("{name}-env"))
                .long(format!("{name}-env"))
                .value_name("VAR")
                .help(format!("{what} from this environment variable")),
            Arg::new(format!("{name}-command"))
                .long(format!("{name}-command"))
                .value_name("CMD")
                .help(format!("{what} printed by this shell command")),
        ]
    };
    let mut set = Command::new("set-context")
        .about("Create or update a context (only the given settings change)")
        .arg(Arg::new("name").required(true).value_name("NAME"))
        .arg(
            Arg::new("connect")
                .long("connect")
                .value_name("URL")
                .action(ArgAction::Append)
                .help("Connect REST URL (repeatable; replaces the list)"),
        )
        .arg(
            Arg::new("bootstrap")
                .short('b')
                .long("bootstrap")
                .value_name("HOST:PORT"),
        )
        .arg(
            Arg::new("property")
                .short('X')
                .value_name("NAME=VALUE")
                .action(ArgAction::Append)
                .help("Kafka client property (TLS, SASL, …); NAME= removes it"),
        )
        .arg(
            Arg::new("offsets-topic")
                .long("offsets-topic")
                .value_name("TOPIC"),
        )
        .arg(
            Arg::new("configs-topic")
                .long("configs-topic")
                .value_name("TOPIC"),
        )
        .arg(
            Arg::new("status-topic")
                .long("status-topic")
                .value_name("TOPIC"),
        )
        .arg(
            Arg::new("username")
                .long("username")
                .value_name("USER")
                .help("REST basic auth user"),
        )
        .arg(
            Arg::new("ca-file")
                .long("ca-file")
                .value_name("PEM")
                .help("CA of the workers' certificates"),
        )
        .arg(
            Arg::new("client-cert")
                .long("client-cert")
                .value_name("PEM")
                .help("TLS client certificate (and key)"),
        )
        .arg(
            Arg::new("client-key")
                .long("client-key")
                .value_name("PEM")
                .help("TLS client key, if not in --client-cert"),
        )
        .arg(
            Arg::new("insecure-skip-tls-verify")
                .long("insecure-skip-tls-verify")
                .value_parser(clap::value_parser!(bool))
                .value_name("BOOL"),
        )
        .arg(
            Arg::new("use")
                .long("use")
                .action(ArgAction::SetTrue)
                .help("Also make it the current context"),
        );
    for a in secret_args("password", "REST basic auth password") {
        set = set.arg(a);
    }
    for a in secret_args("token", "REST bearer token") {
        set = set.arg(a);
    }
    let mut get = Command::new("get-contexts").about("List the contexts");
    for a in output::args() {
        get = get.arg(a);
    }
    Command::new("config")
        .about("Manage contexts (Connect clusters) in the config file [env: KCT_CONFIG]")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(set)
        .subcommand(
            Command::new("use-context")
                .about("Make NAME the current context")
                .arg(Arg::new("name").required(true).value_name("NAME")),
        )
        .subcommand(get)
        .subcommand(Command::new("current-context").about("Print the current context"))
        .subcommand(
            Command::new("delete-context")
                .about("Delete a context")
                .arg(Arg::new("name").required(true).value_name("NAME")),
        )
        .subcommand(Command::new("path").about("Print the config file's path"))
}

pub fn run(m: &ArgMatches) -> i32 {
    output::finish("config", dispatch(m))
}

fn dispatch(m: &ArgMatches) -> Result<(), CliError> {
    let path = config_path()?;
    let mut file = ConfigFile::load(&path)?;
    let name = |sub: &ArgMatches| sub.get_one::<String>("name").cloned().unwrap_or_default();
    match m.subcommand() {
        Some(("set-context", sub)) => {
            let n = name(sub);
            let created = !file.contexts.contains_key(&n);
            let ctx = file.contexts.entry(n.clone()).or_default();
            update_context(ctx, sub)?;
            if sub.get_flag("use") || file.current_context.is_none() {
                file.current_context = Some(n.clone());
            }
            file.save(&path)?;
            say(&format!(
                "Context \"{n}\" {}.",
                if created { "created" } else { "modified" }
            ))
        }
        Some(("use-context", sub)) => {
            let n = name(sub);
            file.context(&n)?;
            file.current_context = Some(n.clone());
            file.save(&path)?;
            say(&format!("Switched to context \"{n}\"."))
        }
        Some(("delete-context", sub)) => {
            let n = name(sub);
            file.context(&n)?;
            file.contexts.remove(&n);
            if file.current_context.as_deref() == Some(n.as_str()) {
                file.current_context = None;
            }
            file.save(&path)?;
            say(&format!("Deleted context \"{n}\" from {}.", path.display()))
        }
        Some(("current-context", _)) => match &file.current_context {
            Some(c) => say(c),
            None => Err(CliError::error(
                "no current context; `kct config use-context NAME` sets one",
            )),
        },
        Some(("path", _)) => say(&path.display().to_string()),
        Some(("get-contexts", sub)) => get_contexts(&file, &Output::from_matches(sub)?),
        _ => Err(CliError::usage("see `kct config --help`")),
    }
}

fn say(line: &str) -> Result<(), CliError> {
    output::write_stdout(format!("{line}\n").as_bytes())
}

fn update_context(ctx: &mut Context, m: &ArgMatches) -> Result<(), CliError> {
    let s = |k: &str| m.get_one::<String>(k).cloned();
    if let Some(urls) = m.get_many::<String>("connect") {
        ctx.connect = urls.cloned().collect();
    }
    if let Some(b) = s("bootstrap") {
        ctx.bootstrap = Some(b);
    }
    for p in m.get_many::<String>("property").into_iter().flatten() {
        let (k, v) = p
            .split_once('=')
            .ok_or_else(|| CliError::usage(format!("-X {p}: expected NAME=VALUE")))?;
        if v.is_empty() {
            ctx.kafka.remove(k);
        } else {
            ctx.kafka.insert(k.to_string(), v.to_string());
        }
    }
    set_opt(&mut ctx.offsets_topic, s("offsets-topic"));
    set_opt(&mut ctx.configs_topic, s("configs-topic"));
    set_opt(&mut ctx.status_topic, s("status-topic"));
    set_opt(&mut ctx.auth.username, s("username"));
    if let Some(p) = s("ca-file") {
        ctx.auth.ca_file = Some(p.into());
    }
    if let Some(p) = s("client-cert") {
        ctx.auth.client_cert = Some(p.into());
    }
    if let Some(p) = s("client-key") {
        ctx.auth.client_key = Some(p.into());
    }
    if let Some(b) = m.get_one::<bool>("insecure-skip-tls-verify") {
        ctx.auth.insecure_skip_tls_verify = *b;
    }
    update_secret(&mut ctx.auth.password, m, "password");
    update_secret(&mut ctx.auth.token, m, "token");
    for u in &ctx.connect {
        if !(u.starts_with("http://") || u.starts_with("https://")) {
            return Err(CliError::usage(format!(
                "--connect {u}: must start with http:// or https://"
            )));
        }
    }
    Ok(())
}

fn set_opt(slot: &mut Option<String>, v: Option<String>) {
    if let Some(v) = v {
        *slot = (!v.is_empty()).then_some(v);
    }
}

/// A secret given in any of its three forms replaces the old one entirely.
fn update_secret(secret: &mut Secret, m: &ArgMatches, name: &str) {
    let get = |suffix: &str| m.get_one::<String>(&format!("{name}{suffix}")).cloned();
    let new = Secret {
        value: get(""),
        env: get("-env"),
        command: get("-command"),
    };
    if !new.is_none() {
        *secret = new;
    }
}

fn get_contexts(file: &ConfigFile, out: &Output) -> Result<(), CliError> {
    let current = file.current_context.as_deref();
    let rows: Vec<serde_json::Value> = file
        .contexts
        .iter()
        .map(|(n, c)| {
            json!({
                "name": n,
                "current": current == Some(n.as_str()),
                "connect": c.connect,
                "bootstrap": c.bootstrap,
                "auth": auth_text(c),
            })
        })
        .collect();
    out.emit(
        &serde_json::Value::Array(rows),
        || {
            let mut t = Table::new(&["CURRENT", "NAME", "CONNECT", "BOOTSTRAP", "AUTH"]);
            for (n, c) in &file.contexts {
                t.row(vec![
                    if current == Some(n.as_str()) {
                        "*".into()
                    } else {
                        String::new()
                    },
                    n.clone(),
                    c.connect.join(","),
                    c.bootstrap.clone().unwrap_or_default(),
                    auth_text(c),
                ]);
            }
            t
        },
        || file.contexts.keys().cloned().collect(),
    )
}

/// How a context authenticates, without its secrets.
fn auth_text(c: &Context) -> String {
    let a = &c.auth;
    let mut parts = Vec::new();
    if let Some(u) = &a.username {
        let from = a
            .password
            .source()
            .map(|s| format!(" (password: {s})"))
            .unwrap_or_default();
        parts.push(format!("basic {u}{from}"));
    }
    if let Some(s) = a.token.source() {
        parts.push(format!("bearer (token: {s})"));
    }
    if a.client_cert.is_some() {
        parts.push("client-cert".into());
    }
    if a.ca_file.is_some() {
        parts.push("ca-file".into());
    }
    parts.join(", ")
}
