//! What the front ends derive from Connect's answers: a connector's health, its config with
//! secrets masked, the diff between two configs, connector manifests read from files, and the
//! restart that falls back to per-task calls on clusters without KIP-745.

use std::collections::BTreeSet;

use indexmap::IndexMap;

use super::client::{Capabilities, ClientError, Config, ConnectClient, RestartRequest};
use super::types::{ConfigInfos, ConfigKeyInfo, ConnectorStateInfo, State};
use crate::config::mask;

/// The value shown in place of a secret.
pub const HIDDEN: &str = "[hidden]";

/// A connector's health, derived from its own state and its tasks'.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Health {
    Healthy,
    Degraded,
    Unhealthy,
    Paused,
    Stopped,
    Restarting,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Healthy => "HEALTHY",
            Health::Degraded => "DEGRADED",
            Health::Unhealthy => "UNHEALTHY",
            Health::Paused => "PAUSED",
            Health::Stopped => "STOPPED",
            Health::Restarting => "RESTARTING",
        }
    }

    /// STOPPED and PAUSED are what the operator asked for; RESTARTING is transient; a failed or
    /// unassigned connector, or every task down, is UNHEALTHY; some tasks down is DEGRADED.
    pub fn of(status: &ConnectorStateInfo) -> Health {
        let c = status.connector.state;
        let tasks = &status.tasks;
        let down = |s: State| matches!(s, State::Failed | State::Unassigned);
        if c == State::Stopped {
            return Health::Stopped;
        }
        if c == State::Restarting || tasks.iter().any(|t| t.state == State::Restarting) {
            return Health::Restarting;
        }
        if down(c) || (!tasks.is_empty() && tasks.iter().all(|t| down(t.state))) {
            return Health::Unhealthy;
        }
        if tasks.iter().any(|t| down(t.state)) {
            return Health::Degraded;
        }
        if c == State::Paused || tasks.iter().any(|t| t.state == State::Paused) {
            return Health::Paused;
        }
        Health::Healthy
    }
}

/// Counts of a status's tasks: (running, total, failed).
pub fn task_counts(status: &ConnectorStateInfo) -> (usize, usize, usize) {
    let running = status
        .tasks
        .iter()
        .filter(|t| t.state == State::Running)
        .count();
    let failed = status
        .tasks
        .iter()
        .filter(|t| t.state == State::Failed)
        .count();
    (running, status.tasks.len(), failed)
}

/// The keys to mask in a connector's config: PASSWORD-type keys of its plugin's definitions
/// plus keys whose names say they are secret.
pub fn secret_keys(config: &Config, defs: &[ConfigKeyInfo]) -> BTreeSet<String> {
    let mut keys: BTreeSet<String> = defs
        .iter()
        .filter(|d| d.kind.eq_ignore_ascii_case("PASSWORD"))
        .map(|d| d.name.clone())
        .collect();
    keys.extend(config.keys().filter(|k| mask::is_secret(k)).cloned());
    keys
}

/// `config` with the values of `secrets` replaced by [`HIDDEN`], except config-provider
/// references (`${vault:path:key}`), which are not secret and tell where the secret lives.
pub fn masked(config: &Config, secrets: &BTreeSet<String>) -> Config {
    config
        .iter()
        .map(|(k, v)| {
            let v = match v {
                Some(v)
                    if secrets.contains(k) && !v.is_empty() && !mask::is_provider_reference(v) =>
                {
                    Some(HIDDEN.to_string())
                }
                other => other.clone(),
            };
            (k.clone(), v)
        })
        .collect()
}

/// One changed key of a config diff.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Change {
    pub key: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// The changes from `old` to `new`, sorted by key; `name` is ignored and secrets show as
/// [`HIDDEN`] on both sides.
pub fn diff(old: &Config, new: &Config, secrets: &BTreeSet<String>) -> Vec<Change> {
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let show = |k: &str, v: Option<&String>| {
        v.map(|v| {
            if secrets.contains(k) && !mask::is_provider_reference(v) {
                HIDDEN.to_string()
            } else {
                v.clone()
            }
        })
    };
    keys.into_iter()
        .filter(|k| k.as_str() != "name")
        .filter_map(|k| {
            let o = old.get(k).cloned().flatten();
            let n = new.get(k).cloned().flatten();
            (o != n).then(|| Change {
                key: k.clone(),
                old: show(k, o.as_ref()),
                new: show(k, n.as_ref()),
            })
        })
        .collect()
}

/// Replaces [`HIDDEN`] values in `new` (a config that went through a masked listing) with the
/// cluster's current ones, so re-applying an exported config never overwrites a secret with
/// the mask. A hidden value with nothing to restore it from is an error naming the key.
pub fn restore_hidden(new: &mut Config, current: Option<&Config>) -> Result<(), String> {
    for (k, v) in new.iter_mut() {
        if v.as_deref() == Some(HIDDEN) {
            match current.and_then(|c| c.get(k)).cloned().flatten() {
                Some(real) => *v = Some(real),
                None => {
                    return Err(format!(
                    "{k} is {HIDDEN} and the connector has no value to keep; give the real value"
                ))
                }
            }
        }
    }
    Ok(())
}

/// A connector as written in a file for `apply`: JSON as POSTed to `/connectors`
/// (`{"name":…,"config":{…}}`), a flat JSON config with `name`, or a `.properties` file.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    pub name: String,
    pub config: Config,
    pub initial_state: Option<String>,
}

/// Parses `text` (from `origin`, named in errors) as JSON when it starts with `{`, else as Java
/// properties.
pub fn parse_manifest(origin: &str, text: &str) -> Result<Manifest, String> {
    if text.trim_start().starts_with('{') {
        parse_json_manifest(origin, text)
    } else {
        parse_properties_manifest(origin, text)
    }
}

fn parse_json_manifest(origin: &str, text: &str) -> Result<Manifest, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("{origin}: invalid JSON: {e}"))?;
    let obj = value
        .as_object()
        .ok_or_else(|| format!("{origin}: expected a JSON object"))?;
    let (config_value, outer_name, initial_state) = match obj.get("config") {
        Some(c) if c.is_object() => (
            c,
            obj.get("name").and_then(|n| n.as_str()).map(str::to_string),
            obj.get("initial_state")
                .and_then(|s| s.as_str())
                .map(str::to_string),
        ),
        _ => (&value, None, None),
    };
    let mut config = Config::new();
    for (k, v) in config_value.as_object().into_iter().flatten() {
        let v = match v {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Null => None,
            serde_json::Value::Number(_) | serde_json::Value::Bool(_) => Some(v.to_string()),
            _ => {
                return Err(format!(
                    "{origin}: config value of {k:?} must be a string, number or boolean"
                ))
            }
        };
        config.insert(k.clone(), v);
    }
    let name = outer_name
        .or_else(|| config.get("name").cloned().flatten())
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| format!("{origin}: no connector name; add \"name\""))?;
    Ok(Manifest {
        name,
        config,
        initial_state,
    })
}

fn parse_properties_manifest(origin: &str, text: &str) -> Result<Manifest, String> {
    let mut config = Config::new();
    java_properties::PropertiesIter::new(std::io::Cursor::new(text.as_bytes()))
        .read_into(|k, v| {
            config.insert(k, Some(v));
        })
        .map_err(|e| format!("{origin}: {e}"))?;
    if config.is_empty() {
        return Err(format!(
            "{origin}: no configuration found; expected JSON or a .properties file"
        ));
    }
    let name = config
        .get("name")
        .cloned()
        .flatten()
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| format!("{origin}: no connector name; add name=<connector name>"))?;
    Ok(Manifest {
        name,
        config,
        initial_state: None,
    })
}

/// Which tasks a connector restart includes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskSelection {
    None,
    All,
    Failed,
}

/// What a restart did: the instances restarted, as `name` and `name/ID`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RestartOutcome {
    pub restarted: Vec<String>,
}

/// Restarts connector `name` and the selected tasks: one KIP-745 call when the cluster has it,
/// else the connector call plus one call per selected task (what KIP-745 does on the server).
pub async fn restart(
    client: &ConnectClient,
    caps: Capabilities,
    name: &str,
    tasks: TaskSelection,
) -> Result<RestartOutcome, ClientError> {
    let mut out = RestartOutcome::default();
    if caps.restart_tasks && tasks != TaskSelection::None {
        let req = RestartRequest {
            include_tasks: true,
            only_failed: tasks == TaskSelection::Failed,
        };
        if let Some(st) = client.restart(name, req).await? {
            if st.connector.state == State::Restarting {
                out.restarted.push(name.to_string());
            }
            out.restarted.extend(
                st.tasks
                    .iter()
                    .filter(|t| t.state == State::Restarting)
                    .map(|t| format!("{name}/{}", t.id)),
            );
        }
        return Ok(out);
    }
    let status = client.status(name).await?;
    let failed_only = tasks == TaskSelection::Failed;
    if !failed_only || status.connector.state == State::Failed {
        client
            .restart(
                name,
                RestartRequest {
                    include_tasks: false,
                    only_failed: false,
                },
            )
            .await?;
        out.restarted.push(name.to_string());
    }
    if tasks != TaskSelection::None {
        for t in &status.tasks {
            if !failed_only || t.state == State::Failed {
                client.restart_task(name, t.id).await?;
                out.restarted.push(format!("{name}/{}", t.id));
            }
        }
    }
    Ok(out)
}

/// Connectors of `names` that exist, and those of `all` matching `regex`, in order, once each.
pub fn select(all: &[String], names: &[String], regex: Option<&regex::Regex>) -> Vec<String> {
    let mut out: IndexMap<String, ()> = IndexMap::new();
    for n in names {
        out.insert(n.clone(), ());
    }
    if let Some(re) = regex {
        for n in all.iter().filter(|n| re.is_match(n)) {
            out.insert(n.clone(), ());
        }
    }
    out.into_keys().collect()
}

/// PASSWORD-type keys according to a validation answer, plus secret-looking names of the new
/// and (when given) the old config.
pub fn report_secret_keys(
    report: &ConfigInfos,
    new: &Config,
    old: Option<&Config>,
) -> BTreeSet<String> {
    let defs: Vec<ConfigKeyInfo> = report
        .configs
        .iter()
        .filter_map(|c| c.definition.clone())
        .collect();
    let mut keys = secret_keys(new, &defs);
    if let Some(o) = old {
        keys.extend(secret_keys(o, &defs));
    }
    keys
}

/// The errors of a validation answer as `key: message` lines.
pub fn validation_errors(report: &ConfigInfos) -> Vec<String> {
    report
        .configs
        .iter()
        .filter_map(|c| c.value.as_ref())
        .flat_map(|v| v.errors.iter().map(move |e| format!("{}: {e}", v.name)))
        .collect()
}

/// An edited config file without kct's notes: lines starting with `//` (the header and the
/// errors of the previous attempt) are not JSON.
pub fn strip_notes(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The config of connector `name` as edited in `body` (JSON or properties, with or without
/// `name`): the name must stay, and [`HIDDEN`] values take `current`'s.
pub fn parse_edited(name: &str, body: &str, current: &Config) -> Result<Config, String> {
    let origin = "the edited config";
    let mut man = parse_manifest(origin, body).or_else(|e| {
        if e.contains("no connector name") {
            parse_manifest(origin, &with_name(body, name))
        } else {
            Err(e)
        }
    })?;
    if man.name != name {
        return Err(format!(
            "the name must stay {name:?} (rename by creating a new connector)"
        ));
    }
    restore_hidden(&mut man.config, Some(current))?;
    man.config.insert("name".into(), Some(name.to_string()));
    Ok(man.config)
}

fn with_name(body: &str, name: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(mut o)) => {
            o.insert("name".into(), serde_json::Value::String(name.into()));
            serde_json::Value::Object(o).to_string()
        }
        _ => body.to_string(),
    }
}

/// A new-connector manifest for plugin `class`: `connector.class`, `tasks.max` and every
/// required key of `defs` (with its default, else empty), as JSON for an editor.
pub fn template(name: &str, class: &str, defs: &[ConfigKeyInfo]) -> String {
    let mut config = serde_json::Map::new();
    config.insert("connector.class".into(), class.into());
    config.insert("tasks.max".into(), "1".into());
    for d in defs.iter().filter(|d| d.required && d.name != "name") {
        let v = d.default_value.clone().unwrap_or_default();
        config.entry(d.name.clone()).or_insert(v.into());
    }
    let manifest = serde_json::json!({ "name": name, "config": config });
    serde_json::to_string_pretty(&manifest).unwrap_or_default() + "\n"
}

/// A Java stack trace folded to what an operator reads first: its first line and, when there
/// is one, the root cause (the `Caused by:` nearest the bottom).
pub fn fold_trace(trace: &str) -> Vec<String> {
    let mut lines = trace.lines().filter(|l| !l.trim().is_empty());
    let mut out: Vec<String> = lines
        .next()
        .map(|l| l.trim_end().to_string())
        .into_iter()
        .collect();
    if let Some(cause) = trace
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with("Caused by:"))
    {
        out.push(cause.trim().to_string());
    }
    out
}

/// A connector class without its package and `Connector` suffix: `JdbcSource` for
/// `io.confluent.connect.jdbc.JdbcSourceConnector`.
pub fn short_class(class: &str) -> &str {
    let simple = class.rsplit('.').next().unwrap_or(class);
    match simple.strip_suffix("Connector") {
        Some(s) if !s.is_empty() => s,
        _ => simple,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connect::types::{ConnectorState, ConnectorType, TaskState};

    fn status(c: State, tasks: &[State]) -> ConnectorStateInfo {
        ConnectorStateInfo {
            name: "c".into(),
            connector: ConnectorState {
                state: c,
                worker_id: "w".into(),
                trace: None,
            },
            tasks: tasks
                .iter()
                .enumerate()
                .map(|(i, s)| TaskState {
                    id: i as i32,
                    state: *s,
                    worker_id: "w".into(),
                    trace: None,
                })
                .collect(),
            kind: ConnectorType::Source,
        }
    }

    #[test]
    fn health_rules() {
        use State::*;
        assert_eq!(
            Health::of(&status(Running, &[Running, Running])),
            Health::Healthy
        );
        assert_eq!(
            Health::of(&status(Running, &[Running, Failed])),
            Health::Degraded
        );
        assert_eq!(
            Health::of(&status(Running, &[Failed, Failed])),
            Health::Unhealthy
        );
        assert_eq!(Health::of(&status(Failed, &[])), Health::Unhealthy);
        assert_eq!(Health::of(&status(Paused, &[Paused])), Health::Paused);
        assert_eq!(Health::of(&status(Stopped, &[])), Health::Stopped);
        assert_eq!(
            Health::of(&status(Running, &[Restarting])),
            Health::Restarting
        );
        assert_eq!(task_counts(&status(Running, &[Running, Failed])), (1, 2, 1));
    }

    fn cfg(pairs: &[(&str, &str)]) -> Config {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Some(v.to_string())))
            .collect()
    }

    #[test]
    fn masking_keeps_provider_references() {
        let c = cfg(&[
            ("connection.password", "s3cret"),
            ("api.token", "tok"),
            ("db.pass", "${vault:secret/db:pw}"),
            ("topic", "t"),
        ]);
        let defs = vec![ConfigKeyInfo {
            name: "api.token".into(),
            kind: "PASSWORD".into(),
            required: false,
            default_value: None,
            importance: "HIGH".into(),
            documentation: None,
            group: None,
            order: -1,
            width: "NONE".into(),
            display_name: "api.token".into(),
            dependents: vec![],
        }];
        let mut secrets = secret_keys(&c, &defs);
        secrets.insert("db.pass".into());
        let m = masked(&c, &secrets);
        assert_eq!(m["connection.password"].as_deref(), Some(HIDDEN));
        assert_eq!(m["api.token"].as_deref(), Some(HIDDEN));
        assert_eq!(m["db.pass"].as_deref(), Some("${vault:secret/db:pw}"));
        assert_eq!(m["topic"].as_deref(), Some("t"));
    }

    #[test]
    fn diff_ignores_name_and_hides_secrets() {
        let old = cfg(&[
            ("name", "a"),
            ("topic", "t1"),
            ("x.password", "p1"),
            ("gone", "1"),
        ]);
        let new = cfg(&[
            ("name", "b"),
            ("topic", "t2"),
            ("x.password", "p2"),
            ("added", "2"),
        ]);
        let secrets = secret_keys(&old, &[]);
        let d = diff(&old, &new, &secrets);
        let keys: Vec<&str> = d.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["added", "gone", "topic", "x.password"]);
        assert_eq!(d[3].old.as_deref(), Some(HIDDEN));
        assert_eq!(d[1].new, None);
    }

    #[test]
    fn hidden_values_are_restored_from_the_cluster() {
        let current = cfg(&[("x.password", "real")]);
        let mut new = cfg(&[("x.password", HIDDEN)]);
        restore_hidden(&mut new, Some(&current)).unwrap();
        assert_eq!(new["x.password"].as_deref(), Some("real"));
        let mut fresh = cfg(&[("y.password", HIDDEN)]);
        assert!(restore_hidden(&mut fresh, None)
            .unwrap_err()
            .contains("y.password"));
    }

    #[test]
    fn manifests_in_every_shape() {
        let m = parse_manifest(
            "a.json",
            r#"{"name":"n","config":{"tasks.max":1,"topic":"t"},"initial_state":"PAUSED"}"#,
        )
        .unwrap();
        assert_eq!(m.name, "n");
        assert_eq!(m.config["tasks.max"].as_deref(), Some("1"));
        assert_eq!(m.initial_state.as_deref(), Some("PAUSED"));
        let flat = parse_manifest("b.json", r#"{"name":"f","topic":"t"}"#).unwrap();
        assert_eq!(flat.name, "f");
        let p = parse_manifest("c.properties", "name=p\ntopic = t\n# c\n").unwrap();
        assert_eq!(p.config["topic"].as_deref(), Some("t"));
        assert!(parse_manifest("d.json", "{\"topic\":\"t\"}")
            .unwrap_err()
            .contains("no connector name"));
        assert!(parse_manifest("e.json", "{oops")
            .unwrap_err()
            .contains("invalid JSON"));
    }

    #[test]
    fn selection_by_name_and_regex() {
        let all: Vec<String> = ["jdbc-a", "jdbc-b", "file"].map(String::from).to_vec();
        let re = regex::Regex::new("^jdbc-").unwrap();
        assert_eq!(
            select(&all, &["file".into()], Some(&re)),
            ["file", "jdbc-a", "jdbc-b"]
        );
    }

    #[test]
    fn edited_configs_keep_name_and_secrets() {
        let current = cfg(&[("name", "c"), ("x.password", "real"), ("topic", "t")]);
        let body = "// note\n{\"topic\":\"t2\",\"x.password\":\"[hidden]\"}";
        let new = parse_edited("c", &strip_notes(body), &current).unwrap();
        assert_eq!(new["x.password"].as_deref(), Some("real"));
        assert_eq!(new["topic"].as_deref(), Some("t2"));
        assert_eq!(new["name"].as_deref(), Some("c"));
        assert!(parse_edited("c", "{\"name\":\"d\"}", &current)
            .unwrap_err()
            .contains("must stay"));
    }

    #[test]
    fn templates_traces_and_short_classes() {
        let mut d = ConfigKeyInfo {
            name: "file".into(),
            kind: "STRING".into(),
            required: true,
            default_value: None,
            importance: "HIGH".into(),
            documentation: None,
            group: None,
            order: 0,
            width: "NONE".into(),
            display_name: "file".into(),
            dependents: vec![],
        };
        let opt = ConfigKeyInfo {
            name: "batch".into(),
            required: false,
            ..d.clone()
        };
        d.default_value = Some("/tmp/x".into());
        let t = template("new", "a.b.FileSink", &[d, opt]);
        let m = parse_manifest("t", &t).unwrap();
        assert_eq!(m.name, "new");
        assert_eq!(m.config["file"].as_deref(), Some("/tmp/x"));
        assert!(!m.config.contains_key("batch"));
        let trace = "org.x.ConnectException: boom\n\tat a.b(C.java:1)\nCaused by: java.io.IOException: io\n\tat d\nCaused by: java.net.ConnectException: refused\n\tat e";
        assert_eq!(
            fold_trace(trace),
            [
                "org.x.ConnectException: boom",
                "Caused by: java.net.ConnectException: refused"
            ]
        );
        assert_eq!(
            short_class("io.confluent.connect.jdbc.JdbcSourceConnector"),
            "JdbcSource"
        );
        assert_eq!(short_class("Connector"), "Connector");
    }
}
