//! The REST API (Connect's `ConnectorsResource`, `ConnectorPluginsResource`, `RootResource`,
//! `LoggingResource`, spec §1): axum routes that turn requests into herder jobs and answers
//! with Connect's status codes, bodies and error shape.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::Router;
use indexmap::IndexMap;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::connector_config;
use super::error::ConnectError;
use super::herder::{offsets_message, HerderHandle};
use super::plugin;
use super::sink_offsets;
use crate::connect::types::*;

#[derive(Clone)]
pub struct RestState {
    pub herder: HerderHandle,
    pub version: String,
    pub commit: String,
}

type Answer = Result<Response, ConnectError>;

impl IntoResponse for ConnectError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        json(status, &self.body())
    }
}

fn json<T: Serialize>(status: StatusCode, body: &T) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut r = (status, bytes).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

fn ok<T: Serialize>(body: &T) -> Answer {
    Ok(json(StatusCode::OK, body))
}

fn empty(status: StatusCode) -> Answer {
    Ok(status.into_response())
}

/// Parses a request body; Connect answers a body Jackson cannot read with 500 and the parser's
/// message, and so does kct (with serde's message, which names line and column).
fn body<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, ConnectError> {
    serde_json::from_slice(bytes)
        .map_err(|e| ConnectError::internal(format!("Cannot deserialize the request body: {e}")))
}

pub fn router(state: RestState) -> Router {
    Router::new()
        .route("/", get(root))
        .route("/health", get(health))
        .route("/connectors", get(list_connectors).post(create_connector))
        .route(
            "/connectors/{name}",
            get(get_connector).delete(delete_connector),
        )
        .route(
            "/connectors/{name}/config",
            get(get_config).put(put_config).patch(patch_config),
        )
        .route("/connectors/{name}/status", get(status))
        .route("/connectors/{name}/tasks", get(tasks))
        .route("/connectors/{name}/tasks-config", get(tasks_config))
        .route("/connectors/{name}/tasks/{task}/status", get(task_status))
        .route(
            "/connectors/{name}/tasks/{task}/restart",
            axum::routing::post(restart_task),
        )
        .route("/connectors/{name}/restart", axum::routing::post(restart))
        .route("/connectors/{name}/pause", put(pause))
        .route("/connectors/{name}/resume", put(resume))
        .route("/connectors/{name}/stop", put(stop))
        .route("/connectors/{name}/topics", get(topics))
        .route("/connectors/{name}/topics/reset", put(reset_topics))
        .route(
            "/connectors/{name}/offsets",
            get(get_offsets).patch(alter_offsets).delete(reset_offsets),
        )
        .route("/connector-plugins", get(plugins))
        .route("/connector-plugins/{plugin}/config", get(plugin_config))
        .route("/connector-plugins/{plugin}/config/validate", put(validate))
        .route("/admin/loggers", get(loggers))
        .route("/admin/loggers/{logger}", get(logger).put(set_logger))
        .fallback(not_found)
        .with_state(state)
}

async fn not_found() -> Response {
    ConnectError::not_found("HTTP 404 Not Found").into_response()
}

async fn root(State(s): State<RestState>) -> Answer {
    let cluster = s.herder.call(|h| h.cluster_id.clone()).await?;
    ok(&ServerInfo {
        version: s.version.clone(),
        commit: s.commit.clone(),
        kafka_cluster_id: cluster,
    })
}

async fn health(State(s): State<RestState>) -> Answer {
    s.herder.call(|_| ()).await?;
    ok(&WorkerStatus {
        status: "healthy".into(),
        message: "Worker has completed startup and is ready to handle requests.".into(),
    })
}

async fn list_connectors(State(s): State<RestState>, RawQuery(q): RawQuery) -> Answer {
    let expand: Vec<String> = url_pairs(q.as_deref())
        .into_iter()
        .filter(|(k, _)| k == "expand")
        .map(|(_, v)| v)
        .collect();
    if expand.is_empty() {
        return ok(&s.herder.call(|h| h.connector_names()).await?);
    }
    let (status, info) = (
        expand.iter().any(|e| e == "status"),
        expand.iter().any(|e| e == "info"),
    );
    let all = s
        .herder
        .call(move |h| {
            let mut out: IndexMap<String, serde_json::Map<String, serde_json::Value>> =
                IndexMap::new();
            for name in h.connector_names() {
                let mut entry = serde_json::Map::new();
                if status {
                    let Ok(st) = h.status(&name) else { continue };
                    entry.insert(
                        "status".into(),
                        serde_json::to_value(st).unwrap_or_default(),
                    );
                }
                if info {
                    let Ok(i) = h.connector_info(&name) else {
                        continue;
                    };
                    entry.insert("info".into(), serde_json::to_value(i).unwrap_or_default());
                }
                out.insert(name, entry);
            }
            out
        })
        .await?;
    ok(&all)
}

/// Query pairs in order, repeated keys kept (`expand=status&expand=info`).
fn url_pairs(q: Option<&str>) -> Vec<(String, String)> {
    q.unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = match bytes.get(i..i + 3) {
            Some([b'%', h, l]) => hex(*h).zip(hex(*l)).map(|(h, l)| h << 4 | l),
            _ => None,
        };
        match (escaped, bytes[i]) {
            (Some(b), _) => {
                out.push(b);
                i += 3;
                continue;
            }
            (None, b'+') => out.push(b' '),
            (None, b) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn flat(config: IndexMap<String, Option<String>>) -> ConfigMap {
    config
        .into_iter()
        .filter_map(|(k, v)| Some((k, v?)))
        .collect()
}

/// Connect's name check: `config.name`, when given, must match the request's name.
fn check_name(config: &ConfigMap, name: &str) -> Result<(), ConnectError> {
    match config.get("name") {
        Some(n) if n != name => Err(ConnectError::bad_request(format!(
            "Connector name configuration ({n}) doesn't match connector name in the URL ({name})"
        ))),
        _ => Ok(()),
    }
}

fn created(name: &str, info: &ConnectorInfo) -> Response {
    let mut r = json(StatusCode::CREATED, info);
    if let Ok(loc) = HeaderValue::from_str(&format!("/connectors/{}", encode_path(name))) {
        r.headers_mut().insert(header::LOCATION, loc);
    }
    r
}

fn encode_path(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn create_connector(State(s): State<RestState>, bytes: Bytes) -> Answer {
    let req: CreateConnectorRequest = body(&bytes)?;
    let name = req.name.unwrap_or_default().trim().to_string();
    let config = flat(req.config.unwrap_or_default());
    check_name(&config, &name)?;
    if name.is_empty() {
        return Err(ConnectError::bad_request(
            "Connector configuration is invalid and contains the following 1 error(s):\nInvalid value  for configuration name: String must be non-empty\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`",
        ));
    }
    let initial = match req.initial_state.as_deref() {
        None => None,
        Some(v) => Some(TargetState::from_initial_state(v).ok_or_else(|| {
            ConnectError::internal(format!(
                "Cannot deserialize value of type `InitialState` from String \"{v}\": not one of the values accepted for Enum class: [RUNNING, PAUSED, STOPPED]"
            ))
        })?),
    };
    let n = name.clone();
    let c = s
        .herder
        .call(move |h| h.put_connector(&n, config, false, initial))
        .await??;
    Ok(created(&name, &c.info))
}

async fn get_connector(State(s): State<RestState>, Path(name): Path<String>) -> Answer {
    ok(&s.herder.call(move |h| h.connector_info(&name)).await??)
}

async fn get_config(State(s): State<RestState>, Path(name): Path<String>) -> Answer {
    ok(&s.herder.call(move |h| h.connector_config(&name)).await??)
}

async fn put_config(State(s): State<RestState>, Path(name): Path<String>, bytes: Bytes) -> Answer {
    let config = flat(body::<IndexMap<String, Option<String>>>(&bytes)?);
    check_name(&config, &name)?;
    let n = name.clone();
    let c = s
        .herder
        .call(move |h| h.put_connector(&n, config, true, None))
        .await??;
    if c.created {
        Ok(created(&name, &c.info))
    } else {
        ok(&c.info)
    }
}

async fn patch_config(
    State(s): State<RestState>,
    Path(name): Path<String>,
    bytes: Bytes,
) -> Answer {
    let patch: IndexMap<String, Option<String>> = body(&bytes)?;
    if let Some(Some(n)) = patch.get("name") {
        if *n != name {
            return Err(ConnectError::bad_request(format!(
                "Connector name configuration ({n}) doesn't match connector name in the URL ({name})"
            )));
        }
    }
    ok(&s
        .herder
        .call(move |h| h.patch_connector(&name, patch))
        .await??)
}

async fn delete_connector(State(s): State<RestState>, Path(name): Path<String>) -> Answer {
    s.herder.call(move |h| h.delete_connector(&name)).await??;
    empty(StatusCode::NO_CONTENT)
}

async fn status(State(s): State<RestState>, Path(name): Path<String>) -> Answer {
    ok(&s.herder.call(move |h| h.status(&name)).await??)
}

async fn tasks(State(s): State<RestState>, Path(name): Path<String>) -> Answer {
    ok(&s.herder.call(move |h| h.task_infos(&name)).await??)
}

async fn tasks_config(State(s): State<RestState>, Path(name): Path<String>) -> Answer {
    let infos = s.herder.call(move |h| h.task_infos(&name)).await??;
    let map: IndexMap<String, IndexMap<String, Option<String>>> = infos
        .into_iter()
        .map(|t| (t.id.to_string(), t.config))
        .collect();
    ok(&map)
}

fn task_number(name: &str, task: &str) -> Result<i32, ConnectError> {
    task.parse()
        .map_err(|_| ConnectError::not_found(format!("Unknown task: {name}-{task}")))
}

async fn task_status(
    State(s): State<RestState>,
    Path((name, task)): Path<(String, String)>,
) -> Answer {
    let t = task_number(&name, &task)?;
    ok(&s.herder.call(move |h| h.task_status(&name, t)).await??)
}

async fn restart_task(
    State(s): State<RestState>,
    Path((name, task)): Path<(String, String)>,
) -> Answer {
    let t = task_number(&name, &task)?;
    s.herder.call(move |h| h.restart_task(&name, t)).await??;
    empty(StatusCode::NO_CONTENT)
}

fn flag(q: &HashMap<String, String>, key: &str) -> bool {
    q.get(key).is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

async fn restart(
    State(s): State<RestState>,
    Path(name): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    let (include_tasks, only_failed) = (flag(&q, "includeTasks"), flag(&q, "onlyFailed"));
    if !include_tasks && !only_failed {
        s.herder.call(move |h| h.restart_connector(&name)).await??;
        return empty(StatusCode::NO_CONTENT);
    }
    let info = s
        .herder
        .call(move |h| h.restart_plan(&name, include_tasks, only_failed))
        .await??;
    Ok(json(StatusCode::ACCEPTED, &info))
}

async fn pause(State(s): State<RestState>, Path(name): Path<String>) -> Answer {
    s.herder.call(move |h| h.pause(&name)).await??;
    empty(StatusCode::ACCEPTED)
}

async fn resume(State(s): State<RestState>, Path(name): Path<String>) -> Answer {
    s.herder.call(move |h| h.resume(&name)).await??;
    empty(StatusCode::ACCEPTED)
}

async fn stop(State(s): State<RestState>, Path(name): Path<String>) -> Answer {
    s.herder.call(move |h| h.stop(&name)).await??;
    empty(StatusCode::NO_CONTENT)
}

async fn topics(State(s): State<RestState>, Path(name): Path<String>) -> Answer {
    let n = name.clone();
    let (enabled, list) = s
        .herder
        .call(move |h| (h.worker().topic_tracking_enable, h.active_topics(&n)))
        .await?;
    if !enabled {
        return Err(ConnectError::new(403, "Topic tracking is disabled."));
    }
    let mut out = IndexMap::new();
    out.insert(name, ActiveTopicsInfo { topics: list });
    ok(&out)
}

async fn reset_topics(State(s): State<RestState>, Path(name): Path<String>) -> Answer {
    s.herder
        .call(move |h| {
            let w = h.worker();
            if !w.topic_tracking_enable {
                return Err(ConnectError::new(403, "Topic tracking is disabled."));
            }
            if !w.topic_tracking_allow_reset {
                return Err(ConnectError::new(403, "Topic tracking reset is disabled."));
            }
            h.reset_active_topics(&name)
        })
        .await??;
    empty(StatusCode::ACCEPTED)
}

async fn get_offsets(State(s): State<RestState>, Path(name): Path<String>) -> Answer {
    let n = name.clone();
    let (kind, config, worker) = s
        .herder
        .call(move |h| -> Result<_, ConnectError> {
            Ok((h.connector_type(&n)?, h.connector_config(&n)?, h.worker()))
        })
        .await??;
    if kind == ConnectorType::Sink {
        let offsets = blocking(move || sink_offsets::get(&worker, &name, &config)).await?;
        return ok(&offsets);
    }
    ok(&s.herder.call(move |h| h.source_offsets(&name)).await??)
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ConnectError> + Send + 'static,
) -> Result<T, ConnectError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ConnectError::internal(format!("offsets request failed: {e}")))?
}

async fn alter_offsets(
    State(s): State<RestState>,
    Path(name): Path<String>,
    bytes: Bytes,
) -> Answer {
    let req: serde_json::Value = body(&bytes)?;
    let offsets = parse_offsets(&req)?;
    let n = name.clone();
    let kind = s.herder.call(move |h| h.connector_type(&n)).await??;
    if kind == ConnectorType::Sink {
        let n = name.clone();
        let config = s.herder.call(move |h| h.sink_offsets_target(&n)).await??;
        let worker = s.herder.call(|h| h.worker()).await?;
        blocking(move || sink_offsets::alter(&worker, &name, &config, &offsets)).await?;
        return ok(&offsets_message(false, "altered"));
    }
    ok(&s
        .herder
        .call(move |h| h.alter_source_offsets(&name, offsets))
        .await??)
}

/// `{"offsets":[{"partition":{…},"offset":{…}|null}…]}`, with Connect's 400 for an empty list
/// and its Jackson-style 500 for a body of the wrong shape.
fn parse_offsets(req: &serde_json::Value) -> Result<Vec<(JsonMap, Option<JsonMap>)>, ConnectError> {
    let shape = || {
        ConnectError::internal("Cannot deserialize the request body: expected {\"offsets\":[{\"partition\":{…},\"offset\":{…}}]}")
    };
    let obj = req.as_object().ok_or_else(shape)?;
    if let Some(k) = obj.keys().find(|k| *k != "offsets") {
        return Err(ConnectError::internal(format!("Unrecognized field \"{k}\" (class org.apache.kafka.connect.runtime.rest.entities.ConnectorOffsets), not marked as ignorable")));
    }
    let list = match obj.get("offsets") {
        None | Some(serde_json::Value::Null) => Vec::new(),
        Some(serde_json::Value::Array(a)) => a.clone(),
        Some(_) => return Err(shape()),
    };
    if list.is_empty() {
        return Err(ConnectError::bad_request(
            "Partitions / offsets need to be provided for an alter offsets request",
        ));
    }
    list.into_iter()
        .map(|e| {
            let o: ConnectorOffset = serde_json::from_value(e).map_err(|e| {
                ConnectError::internal(format!("Cannot deserialize the request body: {e}"))
            })?;
            Ok((o.partition, o.offset))
        })
        .collect()
}

async fn reset_offsets(State(s): State<RestState>, Path(name): Path<String>) -> Answer {
    let n = name.clone();
    let kind = s.herder.call(move |h| h.connector_type(&n)).await??;
    if kind == ConnectorType::Sink {
        let n = name.clone();
        let config = s.herder.call(move |h| h.sink_offsets_target(&n)).await??;
        let worker = s.herder.call(|h| h.worker()).await?;
        blocking(move || sink_offsets::reset(&worker, &name, &config)).await?;
        return ok(&offsets_message(false, "reset"));
    }
    ok(&s
        .herder
        .call(move |h| h.reset_source_offsets(&name))
        .await??)
}

async fn plugins(Query(q): Query<HashMap<String, String>>) -> Answer {
    let connectors_only = q
        .get("connectorsOnly")
        .is_none_or(|v| !v.eq_ignore_ascii_case("false"));
    let mut out: Vec<PluginInfo> = plugin::all().iter().map(plugin::PluginDesc::info).collect();
    if !connectors_only {
        out.extend(super::plugins_of_other_kinds());
    }
    ok(&out)
}

/// A connector's keys (the framework's merged with its own), or a transformation's or
/// predicate's own keys.
async fn plugin_config(Path(name): Path<String>) -> Answer {
    if let Some(p) = plugin::find(&name) {
        return ok(&connector_config::definition(p).key_infos());
    }
    let def = super::transform::config_def(&name)
        .ok_or_else(|| ConnectError::not_found(format!("Unknown plugin {name}.")))?;
    ok(&def.key_infos())
}

async fn validate(Path(name): Path<String>, bytes: Bytes) -> Answer {
    let config = flat(body::<IndexMap<String, Option<String>>>(&bytes)?);
    let class = config.get("connector.class").cloned().ok_or_else(|| {
        ConnectError::bad_request(format!(
            "Connector config {} contains no connector type",
            connector_config::render(&config)
        ))
    })?;
    let strip = |s: &str| s.strip_suffix("Connector").unwrap_or(s).to_string();
    if !strip(&class).ends_with(&strip(&name)) {
        return Err(ConnectError::bad_request(format!(
            "Included connector type {class} does not match request type {name}"
        )));
    }
    let p = connector_config::plugin_for(&config).map_err(ConnectError::bad_request)?;
    ok(&connector_config::validate(p, &class, &config))
}

async fn loggers(State(s): State<RestState>) -> Answer {
    ok(&s.herder.call(|h| h.loggers.all()).await?)
}

async fn logger(State(s): State<RestState>, Path(name): Path<String>) -> Answer {
    let n = name.clone();
    let level = s.herder.call(move |h| h.loggers.level(&n)).await?;
    ok(&level.ok_or_else(|| ConnectError::not_found(format!("Logger {name} not found.")))?)
}

async fn set_logger(
    State(s): State<RestState>,
    Path(name): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    bytes: Bytes,
) -> Answer {
    let req: serde_json::Value = body(&bytes)?;
    let level = req
        .get("level")
        .and_then(|l| l.as_str())
        .map(str::to_string)
        .ok_or_else(|| ConnectError::bad_request("The request body must specify a log level"))?;
    let cluster = q
        .get("scope")
        .is_some_and(|v| v.eq_ignore_ascii_case("cluster"));
    let changed = s
        .herder
        .call(move |h| h.loggers.set_level(&name, &level))
        .await?
        .map_err(ConnectError::not_found)?;
    if cluster {
        // One worker is the whole cluster: the level is applied here, and Connect answers 204.
        return empty(StatusCode::NO_CONTENT);
    }
    ok(&changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_pairs_keep_repeats_and_decode() {
        assert_eq!(
            url_pairs(Some("expand=status&expand=info&x=a%20b+c")),
            [
                ("expand".into(), "status".into()),
                ("expand".into(), "info".into()),
                ("x".into(), "a b c".into())
            ]
        );
        assert_eq!(decode("%zz%4"), "%zz%4");
    }

    #[test]
    fn offsets_bodies() {
        let ok = parse_offsets(
            &serde_json::json!({"offsets":[{"partition":{"filename":"a"},"offset":null}]}),
        )
        .unwrap();
        assert_eq!(ok.len(), 1);
        assert_eq!(
            parse_offsets(&serde_json::json!({"offsets":[]}))
                .unwrap_err()
                .status,
            400
        );
        assert_eq!(
            parse_offsets(&serde_json::json!({"key":[]}))
                .unwrap_err()
                .status,
            500
        );
        assert_eq!(
            parse_offsets(&serde_json::json!([])).unwrap_err().status,
            500
        );
    }
}
