//! `get` and `describe`: listings and one-resource views, as tables or JSON/YAML.

use std::collections::{BTreeMap, BTreeSet};

use clap::ArgMatches;
use indexmap::IndexMap;
use kct::connect::client::{Config, ExpandedConnector};
use kct::connect::ops::{self, Health};
use kct::connect::types::{ConfigKeyInfo, ConnectorStateInfo};
use serde_json::{json, Value};

use super::{one_name, Resource, Session};
use crate::output::{CliError, Table};

pub fn get(s: &Session, r: Resource, m: &ArgMatches) -> Result<(), CliError> {
    match r {
        Resource::Connectors => get_connectors(s, m),
        Resource::Plugins => get_plugins(s, m.get_flag("all")),
        Resource::Loggers => get_loggers(s),
        Resource::Tasks => get_tasks(s, &one_name(m)?),
        Resource::Topics => get_topics(s, &one_name(m)?),
        Resource::Offsets => super::offsets::get(s, m),
    }
}

pub fn describe(s: &Session, r: Resource, m: &ArgMatches) -> Result<(), CliError> {
    let name = m.get_one::<String>("name").cloned().unwrap_or_default();
    match r {
        Resource::Connectors => describe_connector(s, &name, m.get_flag("show-secrets")),
        Resource::Plugins => describe_plugin(s, &name),
        _ => Err(CliError::usage(
            "describe works on connector NAME or plugin NAME",
        )),
    }
}

fn get_connectors(s: &Session, m: &ArgMatches) -> Result<(), CliError> {
    let caps = s.caps()?;
    let mut all = s.block_on(s.client.connectors_expanded(caps))?;
    let wanted = wanted_names(m, &all)?;
    if let Some(w) = &wanted {
        all.retain(|name, _| w.contains(name));
        if let Some(missing) = w.iter().find(|n| !all.contains_key(*n)) {
            return Err(CliError::error(format!("Connector {missing} not found")));
        }
    }
    let show = m.get_flag("show-secrets");
    let json = if s.out.is_structured() {
        let defs = plugin_defs(
            s,
            all.values()
                .filter_map(|c| c.info.as_ref())
                .map(|i| class_of(&i.config)),
        );
        Value::Array(
            all.iter()
                .map(|(n, c)| connector_json(n, c, &defs, show))
                .collect(),
        )
    } else {
        Value::Null
    };
    s.out.emit(
        &json,
        || connectors_table(&all),
        || all.keys().cloned().collect(),
    )
}

/// The names `get connectors` is limited to: those given and those matching `-e`.
fn wanted_names(
    m: &ArgMatches,
    all: &IndexMap<String, ExpandedConnector>,
) -> Result<Option<BTreeSet<String>>, CliError> {
    let (names, regex) = super::names_and_regex(m)?;
    if names.is_empty() && regex.is_none() {
        return Ok(None);
    }
    let keys: Vec<String> = all.keys().cloned().collect();
    Ok(Some(
        ops::select(&keys, &names, regex.as_ref())
            .into_iter()
            .collect(),
    ))
}

fn class_of(config: &IndexMap<String, Option<String>>) -> String {
    config
        .get("connector.class")
        .cloned()
        .flatten()
        .unwrap_or_default()
}

/// Config definitions per connector class (for PASSWORD types); classes the cluster cannot
/// describe (older than 3.2, removed plugins) get none and fall back to name rules.
fn plugin_defs(
    s: &Session,
    classes: impl Iterator<Item = String>,
) -> BTreeMap<String, Vec<ConfigKeyInfo>> {
    let plugin_config = s.caps().map(|c| c.plugin_config).unwrap_or(false);
    let mut out = BTreeMap::new();
    for class in classes.collect::<BTreeSet<_>>() {
        let defs = if plugin_config && !class.is_empty() {
            s.block_on(s.client.plugin_config(&class))
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        out.insert(class, defs);
    }
    out
}

fn masked_config(config: &Config, defs: &[ConfigKeyInfo], show: bool) -> Config {
    if show {
        return config.clone();
    }
    ops::masked(config, &ops::secret_keys(config, defs))
}

fn connector_json(
    name: &str,
    c: &ExpandedConnector,
    defs: &BTreeMap<String, Vec<ConfigKeyInfo>>,
    show: bool,
) -> Value {
    let mut v = json!({ "name": name });
    if let Some(st) = &c.status {
        v["type"] = json!(st.kind.as_str());
        v["health"] = json!(Health::of(st).as_str());
    }
    if let Some(info) = &c.info {
        let class = class_of(&info.config);
        let d = defs.get(&class).map(Vec::as_slice).unwrap_or_default();
        let mut info = info.clone();
        info.config = masked_config(&info.config, d, show);
        v["info"] = serde_json::to_value(info).unwrap_or(Value::Null);
    }
    if let Some(st) = &c.status {
        v["status"] = serde_json::to_value(st).unwrap_or(Value::Null);
    }
    v
}

fn connectors_table(all: &IndexMap<String, ExpandedConnector>) -> Table {
    let mut t = Table::new(&[
        "NAME", "TYPE", "STATE", "TASKS", "HEALTH", "CLASS", "WORKER",
    ]);
    for (name, c) in all {
        let class = c
            .info
            .as_ref()
            .map(|i| class_of(&i.config))
            .unwrap_or_default();
        let (kind, state, tasks, health, worker) = match &c.status {
            Some(st) => {
                let (run, total, _) = ops::task_counts(st);
                (
                    st.kind.as_str().to_string(),
                    st.connector.state.as_str().to_string(),
                    format!("{run}/{total}"),
                    Health::of(st).as_str().to_string(),
                    workers(st),
                )
            }
            None => Default::default(),
        };
        t.row(vec![
            name.clone(),
            kind,
            state,
            tasks,
            health,
            ops::short_class(&class).to_string(),
            worker,
        ]);
    }
    t
}

/// The worker(s) of a connector and its tasks.
fn workers(st: &ConnectorStateInfo) -> String {
    let mut w: BTreeSet<&str> = BTreeSet::new();
    w.insert(&st.connector.worker_id);
    w.extend(st.tasks.iter().map(|t| t.worker_id.as_str()));
    w.into_iter().collect::<Vec<_>>().join(",")
}

fn get_plugins(s: &Session, all: bool) -> Result<(), CliError> {
    let plugins = s.block_on(s.client.plugins(!all))?;
    s.out.emit(
        &serde_json::to_value(&plugins)?,
        || {
            let mut t = Table::new(&["CLASS", "TYPE", "VERSION"]);
            for p in &plugins {
                t.row(vec![
                    p.class_name.clone(),
                    p.kind.clone(),
                    p.version.clone().unwrap_or_default(),
                ]);
            }
            t
        },
        || plugins.iter().map(|p| p.class_name.clone()).collect(),
    )
}

fn get_loggers(s: &Session) -> Result<(), CliError> {
    let loggers = s.block_on(s.client.loggers())?;
    s.out.emit(
        &serde_json::to_value(&loggers)?,
        || {
            let mut t = Table::new(&["LOGGER", "LEVEL", "LAST MODIFIED"]);
            for (name, l) in &loggers {
                t.row(vec![
                    name.clone(),
                    l.level.clone(),
                    l.last_modified.map(millis_text).unwrap_or_default(),
                ]);
            }
            t
        },
        || loggers.keys().cloned().collect(),
    )
}

fn millis_text(ms: i64) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms.max(0) as u64);
    humantime::format_rfc3339_seconds(t).to_string()
}

fn get_tasks(s: &Session, name: &str) -> Result<(), CliError> {
    let st = s.block_on(s.client.status(name))?;
    s.out.emit(
        &serde_json::to_value(&st.tasks)?,
        || {
            let mut t = Table::new(&["ID", "STATE", "WORKER", "TRACE"]);
            for task in &st.tasks {
                t.row(vec![
                    format!("{name}/{}", task.id),
                    task.state.as_str().into(),
                    task.worker_id.clone(),
                    first_line(task.trace.as_deref()),
                ]);
            }
            t
        },
        || {
            st.tasks
                .iter()
                .map(|t| format!("{name}/{}", t.id))
                .collect()
        },
    )
}

fn first_line(trace: Option<&str>) -> String {
    let line = trace.and_then(|t| t.lines().next()).unwrap_or("");
    if line.chars().count() > 80 {
        line.chars().take(79).collect::<String>() + "…"
    } else {
        line.to_string()
    }
}

fn get_topics(s: &Session, name: &str) -> Result<(), CliError> {
    let topics = s.block_on(s.client.topics(name))?;
    s.out.emit(
        &json!({ name: { "topics": topics } }),
        || {
            let mut t = Table::new(&["TOPIC"]);
            for topic in &topics {
                t.row(vec![topic.clone()]);
            }
            t
        },
        || topics.clone(),
    )
}

fn describe_connector(s: &Session, name: &str, show: bool) -> Result<(), CliError> {
    let info = s.block_on(s.client.connector(name))?;
    let status = s.block_on(s.client.status(name))?;
    let topics = s.block_on(s.client.topics(name)).unwrap_or_default();
    let class = class_of(&info.config);
    let defs = plugin_defs(s, std::iter::once(class.clone()));
    let config = masked_config(
        &info.config,
        defs.get(&class).map(Vec::as_slice).unwrap_or_default(),
        show,
    );
    let health = Health::of(&status);
    let json = json!({
        "name": name,
        "type": info.kind.as_str(),
        "class": class,
        "health": health.as_str(),
        "status": status,
        "config": config,
        "topics": topics,
    });
    if s.out.is_structured() {
        return s.out.emit(&json, Table::default, || vec![name.to_string()]);
    }
    if s.out.format == crate::output::Format::Name {
        return crate::output::write_stdout(format!("{name}\n").as_bytes());
    }
    let mut text = String::new();
    let field = |text: &mut String, k: &str, v: &str| text.push_str(&format!("{k:<10}{v}\n"));
    field(&mut text, "Name:", name);
    field(&mut text, "Type:", info.kind.as_str());
    field(&mut text, "Class:", &class);
    field(&mut text, "State:", status.connector.state.as_str());
    field(&mut text, "Worker:", &status.connector.worker_id);
    field(&mut text, "Health:", health.as_str());
    field(
        &mut text,
        "Topics:",
        &if topics.is_empty() {
            "<none>".to_string()
        } else {
            topics.join(", ")
        },
    );
    text.push_str("Tasks:\n");
    if status.tasks.is_empty() {
        text.push_str("  <none>\n");
    } else {
        let mut t = Table::new(&["ID", "STATE", "WORKER"]);
        for task in &status.tasks {
            t.row(vec![
                task.id.to_string(),
                task.state.as_str().into(),
                task.worker_id.clone(),
            ]);
        }
        for line in t.render().lines() {
            text.push_str(&format!("  {line}\n"));
        }
    }
    text.push_str("Config:\n");
    let width = config.keys().map(|k| k.len()).max().unwrap_or(0);
    let mut keys: Vec<&String> = config.keys().collect();
    keys.sort();
    for k in keys {
        let v = config[k].as_deref().unwrap_or("null");
        text.push_str(&format!("  {k:<width$} = {v}\n"));
    }
    let traces: Vec<(String, &str)> =
        std::iter::once(("connector".to_string(), status.connector.trace.as_deref()))
            .chain(
                status
                    .tasks
                    .iter()
                    .map(|t| (format!("task {}", t.id), t.trace.as_deref())),
            )
            .filter_map(|(who, tr)| tr.filter(|t| !t.is_empty()).map(|t| (who, t)))
            .collect();
    if !traces.is_empty() {
        text.push_str("Traces:\n");
        for (who, trace) in traces {
            text.push_str(&format!("  {who}:\n"));
            for line in trace.lines() {
                text.push_str(&format!("    {line}\n"));
            }
        }
    }
    crate::output::write_stdout(text.as_bytes())
}

fn describe_plugin(s: &Session, name: &str) -> Result<(), CliError> {
    let defs = s.block_on(s.client.plugin_config(name))?;
    s.out.emit(
        &serde_json::to_value(&defs)?,
        || {
            let mut t = Table::new(&[
                "NAME",
                "TYPE",
                "REQUIRED",
                "DEFAULT",
                "IMPORTANCE",
                "DOCUMENTATION",
            ]);
            for d in &defs {
                t.row(vec![
                    d.name.clone(),
                    d.kind.clone(),
                    d.required.to_string(),
                    d.default_value.clone().unwrap_or_default(),
                    d.importance.clone(),
                    first_line(d.documentation.as_deref()),
                ]);
            }
            t
        },
        || defs.iter().map(|d| d.name.clone()).collect(),
    )
}
