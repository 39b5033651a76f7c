//! The Kafka Connect REST client: every user-facing endpoint of spec §1.3 over `reqwest`, with
//! the context's auth and TLS, fail-over between a cluster's URLs, back-off on 409 (rebalances),
//! Connect's own error messages, and the version probe that tells which newer endpoints exist.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use indexmap::IndexMap;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::types::{
    ConfigInfos, ConfigKeyInfo, ConnectorInfo, ConnectorOffsets, ConnectorStateInfo, LoggerLevel,
    Message, PluginInfo, ServerInfo, TaskInfo, TaskState, WorkerStatus,
};
use crate::config::context::Target;

/// A connector config as sent and received (Java may send `null` values).
pub type Config = IndexMap<String, Option<String>>;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Connect answered with an error: its own message and the status.
    #[error("{message} (HTTP {status})")]
    Connect { status: u16, message: String },
    /// No URL of the cluster could be reached.
    #[error("cannot reach Kafka Connect at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    /// The answer was not what Connect sends: HTML from a proxy, a truncated body, ….
    #[error("{method} {url} did not answer like Kafka Connect ({problem}); is this a Kafka Connect REST URL?")]
    NotConnect {
        method: String,
        url: String,
        problem: String,
    },
    /// The context's settings cannot make a client (bad CA file, missing secret, …).
    #[error("{0}")]
    Setup(String),
}

impl ClientError {
    /// The HTTP status Connect answered with, for errors that have one.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Connect { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// Which optional REST features the cluster has, from the version in `GET /`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// `GET /connectors?expand=…` (2.3, KIP-465).
    pub expand: bool,
    /// `includeTasks`/`onlyFailed` on restart (3.0, KIP-745).
    pub restart_tasks: bool,
    /// `PUT …/stop` and `GET …/offsets` (3.5, KIP-875).
    pub stop: bool,
    /// `PATCH`/`DELETE …/offsets` (3.6, KIP-875).
    pub alter_offsets: bool,
    /// `PATCH …/config` (3.8, KIP-477).
    pub patch_config: bool,
    /// `GET /connector-plugins/{p}/config`, `connectorsOnly` (3.2, KIP-769).
    pub plugin_config: bool,
}

impl Capabilities {
    /// Capabilities of Connect `version` (`3.7.1`, `7.6.0-ccs`, …); an unparsable version is
    /// taken to be a current one.
    pub fn of_version(version: &str) -> Capabilities {
        let mut parts = version
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<u32>().unwrap_or(0));
        let (major, minor) = match (parts.next(), parts.next()) {
            (Some(a), Some(b)) => (a, b),
            _ => (u32::MAX, 0),
        };
        // Confluent Platform versions (7.x) carry Apache Kafka 3.(x-4)… roughly; map them.
        let (major, minor) = if (5..=8).contains(&major) && version.contains("-c") {
            (major - 4, minor)
        } else {
            (major, minor)
        };
        let at_least = |a: u32, b: u32| (major, minor) >= (a, b);
        Capabilities {
            expand: at_least(2, 3),
            restart_tasks: at_least(3, 0),
            stop: at_least(3, 5),
            alter_offsets: at_least(3, 6),
            patch_config: at_least(3, 8),
            plugin_config: at_least(3, 2),
        }
    }
}

/// One connector of `GET /connectors?expand=status&expand=info`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpandedConnector {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ConnectorStateInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub info: Option<ConnectorInfo>,
}

/// How `POST …/restart` is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestartRequest {
    pub include_tasks: bool,
    pub only_failed: bool,
}

/// Timeouts and retry budget of a client.
#[derive(Debug, Clone, Copy)]
pub struct ClientOptions {
    pub connect_timeout: Duration,
    /// Connect's own request timeout is 90 s; a little more lets its 500 arrive.
    pub request_timeout: Duration,
    /// How long 409 answers (rebalance in progress) are retried with back-off.
    pub retry_conflicts_for: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(95),
            retry_conflicts_for: Duration::from_secs(20),
        }
    }
}

enum Credentials {
    None,
    Basic(String, Option<String>),
    Bearer(String),
}

pub struct ConnectClient {
    http: reqwest::Client,
    urls: Vec<String>,
    /// The URL that answered last: later calls start there.
    active: AtomicUsize,
    credentials: Credentials,
    options: ClientOptions,
}

/// A raw answer: status and body bytes.
struct Answer {
    status: StatusCode,
    body: Vec<u8>,
    url: String,
    method: Method,
}

impl ConnectClient {
    /// A client for `target`'s Connect URLs with its auth and TLS settings. Secrets given by
    /// environment variable or command are resolved here.
    pub fn new(target: &Target, options: ClientOptions) -> Result<ConnectClient, ClientError> {
        let ctx = target.context.as_deref().unwrap_or("command line");
        let auth = &target.auth;
        let setup = |what: String| ClientError::Setup(format!("context {ctx}: {what}"));
        let mut builder = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .timeout(options.request_timeout)
            .user_agent(concat!("kct/", env!("CARGO_PKG_VERSION")));
        if let Some(ca) = &auth.ca_file {
            let pem = std::fs::read(ca)
                .map_err(|e| setup(format!("cannot read ca-file {}: {e}", ca.display())))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| setup(format!("ca-file {} is not PEM: {e}", ca.display())))?;
            for c in certs {
                builder = builder.add_root_certificate(c);
            }
        }
        if let Some(cert) = &auth.client_cert {
            let mut pem = std::fs::read(cert)
                .map_err(|e| setup(format!("cannot read client-cert {}: {e}", cert.display())))?;
            if let Some(key) = &auth.client_key {
                let k = std::fs::read(key)
                    .map_err(|e| setup(format!("cannot read client-key {}: {e}", key.display())))?;
                pem.push(b'\n');
                pem.extend_from_slice(&k);
            }
            let id = reqwest::Identity::from_pem(&pem).map_err(|e| {
                setup(format!(
                    "client-cert {} (with its key) is not usable PEM: {e}",
                    cert.display()
                ))
            })?;
            builder = builder.identity(id);
        }
        if auth.insecure_skip_tls_verify {
            builder = builder.danger_accept_invalid_certs(true);
        }
        let password = auth.password.resolve("password").map_err(setup)?;
        let token = auth.token.resolve("token").map_err(setup)?;
        let credentials = match (&auth.username, password, token) {
            (_, _, Some(t)) => Credentials::Bearer(t),
            (Some(u), p, None) => Credentials::Basic(u.clone(), p),
            (None, Some(_), None) => return Err(setup("a password is set but no username".into())),
            (None, None, None) => Credentials::None,
        };
        let http = builder
            .build()
            .map_err(|e| setup(format!("cannot build the HTTP client: {e}")))?;
        let urls: Vec<String> = target
            .connect
            .iter()
            .map(|u| u.trim_end_matches('/').to_string())
            .collect();
        for u in &urls {
            if !(u.starts_with("http://") || u.starts_with("https://")) {
                return Err(setup(format!(
                    "Connect URL {u:?} must start with http:// or https://"
                )));
            }
        }
        if urls.is_empty() {
            return Err(setup("no Connect URL".into()));
        }
        Ok(ConnectClient {
            http,
            urls,
            active: AtomicUsize::new(0),
            credentials,
            options,
        })
    }

    /// The URL the client talks to now.
    pub fn url(&self) -> &str {
        &self.urls[self.active.load(Ordering::Relaxed) % self.urls.len()]
    }

    /// Sends one request, trying the cluster's URLs in turn while they cannot be reached, and
    /// retrying 409s with back-off.
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Answer, ClientError> {
        let start = std::time::Instant::now();
        let mut delay = Duration::from_millis(250);
        loop {
            let answer = self.send_once(method.clone(), path, body).await?;
            let retry = answer.status == StatusCode::CONFLICT
                && start.elapsed() + delay < self.options.retry_conflicts_for
                // Creating an existing connector is a real conflict, not a rebalance.
                && !(method == Method::POST && path == "/connectors");
            if !retry {
                return Ok(answer);
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(2));
        }
    }

    async fn send_once(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Answer, ClientError> {
        let first = self.active.load(Ordering::Relaxed);
        let mut last_err = None;
        for i in 0..self.urls.len() {
            let idx = (first + i) % self.urls.len();
            let url = format!("{}{}", self.urls[idx], path);
            let mut req = self
                .http
                .request(method.clone(), &url)
                .header(reqwest::header::ACCEPT, "application/json");
            req = match &self.credentials {
                Credentials::None => req,
                Credentials::Basic(u, p) => req.basic_auth(u, p.as_ref()),
                Credentials::Bearer(t) => req.bearer_auth(t),
            };
            if let Some(b) = body {
                req = req.json(b);
            }
            match req.send().await {
                Ok(resp) => {
                    self.active.store(idx, Ordering::Relaxed);
                    let status = resp.status();
                    let body = resp.bytes().await.map_err(|e| ClientError::NotConnect {
                        method: method.to_string(),
                        url: url.clone(),
                        problem: format!("the body broke off: {}", error_chain(&e)),
                    })?;
                    return Ok(Answer {
                        status,
                        body: body.to_vec(),
                        url,
                        method: method.clone(),
                    });
                }
                Err(e) => {
                    let reason = if e.is_timeout() {
                        "no answer in time".to_string()
                    } else {
                        root_cause(&e)
                    };
                    last_err = Some(ClientError::Unreachable {
                        url: self.urls[idx].clone(),
                        reason,
                    });
                }
            }
        }
        Err(last_err.expect("at least one URL"))
    }

    /// Sends and decodes a 2xx JSON answer; non-2xx become [`ClientError::Connect`].
    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<T, ClientError> {
        let a = self.checked(method, path, body).await?;
        decode(&a)
    }

    /// Sends and checks the status; the body is returned undecoded.
    async fn checked(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Answer, ClientError> {
        let a = self.send(method, path, body).await?;
        if a.status.is_success() {
            Ok(a)
        } else {
            Err(error_of(&a))
        }
    }

    pub async fn server_info(&self) -> Result<ServerInfo, ClientError> {
        self.call(Method::GET, "/", None).await
    }

    pub async fn capabilities(&self) -> Result<(ServerInfo, Capabilities), ClientError> {
        let info = self.server_info().await?;
        let caps = Capabilities::of_version(&info.version);
        Ok((info, caps))
    }

    /// `GET /health` (3.9+): the status answers 200/503/500 all carry a [`WorkerStatus`].
    pub async fn health(&self) -> Result<WorkerStatus, ClientError> {
        let a = self.send(Method::GET, "/health", None).await?;
        match decode::<WorkerStatus>(&a) {
            Ok(s) => Ok(s),
            Err(_) if !a.status.is_success() => Err(error_of(&a)),
            Err(e) => Err(e),
        }
    }

    pub async fn connector_names(&self) -> Result<Vec<String>, ClientError> {
        let mut names: Vec<String> = self.call(Method::GET, "/connectors", None).await?;
        names.sort();
        Ok(names)
    }

    /// Every connector with its status and info, sorted by name: one `expand` call when the
    /// cluster has it, else one call per connector (connectors deleted meanwhile are left out,
    /// as Connect's own `expand` does).
    pub async fn connectors_expanded(
        &self,
        caps: Capabilities,
    ) -> Result<IndexMap<String, ExpandedConnector>, ClientError> {
        let mut map: IndexMap<String, ExpandedConnector> = if caps.expand {
            self.call(Method::GET, "/connectors?expand=status&expand=info", None)
                .await?
        } else {
            let mut map = IndexMap::new();
            for name in self.connector_names().await? {
                let status = match self.status(&name).await {
                    Ok(s) => Some(s),
                    Err(e) if e.status() == Some(404) => continue,
                    Err(e) => return Err(e),
                };
                let info = match self.connector(&name).await {
                    Ok(i) => Some(i),
                    Err(e) if e.status() == Some(404) => continue,
                    Err(e) => return Err(e),
                };
                map.insert(name, ExpandedConnector { status, info });
            }
            map
        };
        map.sort_keys();
        Ok(map)
    }

    pub async fn connector(&self, name: &str) -> Result<ConnectorInfo, ClientError> {
        self.call(Method::GET, &conn_path(name, ""), None).await
    }

    pub async fn config(&self, name: &str) -> Result<Config, ClientError> {
        self.call(Method::GET, &conn_path(name, "/config"), None)
            .await
    }

    /// `POST /connectors`.
    pub async fn create(
        &self,
        name: &str,
        config: &Config,
        initial_state: Option<&str>,
    ) -> Result<ConnectorInfo, ClientError> {
        let mut body = serde_json::json!({ "name": name, "config": config });
        if let Some(s) = initial_state {
            body["initial_state"] = Value::String(s.to_string());
        }
        self.call(Method::POST, "/connectors", Some(&body)).await
    }

    /// `PUT …/config`: creates or replaces; says which.
    pub async fn put_config(
        &self,
        name: &str,
        config: &Config,
    ) -> Result<(bool, ConnectorInfo), ClientError> {
        let body = serde_json::to_value(config).map_err(|e| ClientError::Setup(e.to_string()))?;
        let a = self
            .checked(Method::PUT, &conn_path(name, "/config"), Some(&body))
            .await?;
        Ok((a.status == StatusCode::CREATED, decode(&a)?))
    }

    /// `PATCH …/config` (3.8+): `None` values remove keys.
    pub async fn patch_config(
        &self,
        name: &str,
        patch: &Config,
    ) -> Result<ConnectorInfo, ClientError> {
        let body = serde_json::to_value(patch).map_err(|e| ClientError::Setup(e.to_string()))?;
        self.call(Method::PATCH, &conn_path(name, "/config"), Some(&body))
            .await
    }

    pub async fn status(&self, name: &str) -> Result<ConnectorStateInfo, ClientError> {
        self.call(Method::GET, &conn_path(name, "/status"), None)
            .await
    }

    pub async fn tasks(&self, name: &str) -> Result<Vec<TaskInfo>, ClientError> {
        self.call(Method::GET, &conn_path(name, "/tasks"), None)
            .await
    }

    pub async fn task_status(&self, name: &str, task: i32) -> Result<TaskState, ClientError> {
        self.call(
            Method::GET,
            &conn_path(name, &format!("/tasks/{task}/status")),
            None,
        )
        .await
    }

    /// `POST …/restart`; the 202 answer's status (instances to restart show RESTARTING), or
    /// `None` for the plain 204 restart.
    pub async fn restart(
        &self,
        name: &str,
        req: RestartRequest,
    ) -> Result<Option<ConnectorStateInfo>, ClientError> {
        let path = conn_path(
            name,
            &format!(
                "/restart?includeTasks={}&onlyFailed={}",
                req.include_tasks, req.only_failed
            ),
        );
        let a = self.checked(Method::POST, &path, None).await?;
        if a.status == StatusCode::ACCEPTED && !a.body.is_empty() {
            Ok(Some(decode(&a)?))
        } else {
            Ok(None)
        }
    }

    pub async fn restart_task(&self, name: &str, task: i32) -> Result<(), ClientError> {
        self.checked(
            Method::POST,
            &conn_path(name, &format!("/tasks/{task}/restart")),
            None,
        )
        .await
        .map(drop)
    }

    pub async fn pause(&self, name: &str) -> Result<(), ClientError> {
        self.checked(Method::PUT, &conn_path(name, "/pause"), None)
            .await
            .map(drop)
    }

    pub async fn resume(&self, name: &str) -> Result<(), ClientError> {
        self.checked(Method::PUT, &conn_path(name, "/resume"), None)
            .await
            .map(drop)
    }

    pub async fn stop(&self, name: &str) -> Result<(), ClientError> {
        self.checked(Method::PUT, &conn_path(name, "/stop"), None)
            .await
            .map(drop)
    }

    pub async fn delete(&self, name: &str) -> Result<(), ClientError> {
        self.checked(Method::DELETE, &conn_path(name, ""), None)
            .await
            .map(drop)
    }

    /// `GET …/topics`: the connector's active topics.
    pub async fn topics(&self, name: &str) -> Result<Vec<String>, ClientError> {
        let map: IndexMap<String, super::types::ActiveTopicsInfo> = self
            .call(Method::GET, &conn_path(name, "/topics"), None)
            .await?;
        Ok(map
            .into_values()
            .next()
            .map(|t| t.topics)
            .unwrap_or_default())
    }

    pub async fn reset_topics(&self, name: &str) -> Result<(), ClientError> {
        self.checked(Method::PUT, &conn_path(name, "/topics/reset"), None)
            .await
            .map(drop)
    }

    pub async fn offsets(&self, name: &str) -> Result<ConnectorOffsets, ClientError> {
        self.call(Method::GET, &conn_path(name, "/offsets"), None)
            .await
    }

    pub async fn alter_offsets(
        &self,
        name: &str,
        offsets: &ConnectorOffsets,
    ) -> Result<Message, ClientError> {
        let body = serde_json::to_value(offsets).map_err(|e| ClientError::Setup(e.to_string()))?;
        self.call(Method::PATCH, &conn_path(name, "/offsets"), Some(&body))
            .await
    }

    pub async fn reset_offsets(&self, name: &str) -> Result<Message, ClientError> {
        self.call(Method::DELETE, &conn_path(name, "/offsets"), None)
            .await
    }

    pub async fn plugins(&self, connectors_only: bool) -> Result<Vec<PluginInfo>, ClientError> {
        let path = if connectors_only {
            "/connector-plugins".to_string()
        } else {
            "/connector-plugins?connectorsOnly=false".to_string()
        };
        self.call(Method::GET, &path, None).await
    }

    pub async fn plugin_config(&self, plugin: &str) -> Result<Vec<ConfigKeyInfo>, ClientError> {
        self.call(
            Method::GET,
            &format!("/connector-plugins/{}/config", segment(plugin)),
            None,
        )
        .await
    }

    /// `PUT /connector-plugins/{class}/config/validate` with the config's own `connector.class`.
    pub async fn validate(&self, config: &Config) -> Result<ConfigInfos, ClientError> {
        let class = config
            .get("connector.class")
            .cloned()
            .flatten()
            .ok_or_else(|| ClientError::Setup("the config has no connector.class".into()))?;
        let body = serde_json::to_value(config).map_err(|e| ClientError::Setup(e.to_string()))?;
        let path = format!("/connector-plugins/{}/config/validate", segment(&class));
        self.call(Method::PUT, &path, Some(&body)).await
    }

    pub async fn loggers(&self) -> Result<IndexMap<String, LoggerLevel>, ClientError> {
        self.call(Method::GET, "/admin/loggers", None).await
    }

    /// `PUT /admin/loggers/{name}`: the loggers changed (worker scope) or an empty list (cluster
    /// scope, 204).
    pub async fn set_logger(
        &self,
        name: &str,
        level: &str,
        cluster: bool,
    ) -> Result<Vec<String>, ClientError> {
        let mut path = format!("/admin/loggers/{}", segment(name));
        if cluster {
            path.push_str("?scope=cluster");
        }
        let body = serde_json::json!({ "level": level });
        let a = self.checked(Method::PUT, &path, Some(&body)).await?;
        if a.body.is_empty() {
            Ok(Vec::new())
        } else {
            decode(&a)
        }
    }
}

fn conn_path(name: &str, rest: &str) -> String {
    format!("/connectors/{}{rest}", segment(name))
}

/// Percent-encodes one path segment (connector names may hold spaces, slashes, …).
fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn decode<T: DeserializeOwned>(a: &Answer) -> Result<T, ClientError> {
    serde_json::from_slice(&a.body).map_err(|e| ClientError::NotConnect {
        method: a.method.to_string(),
        url: a.url.clone(),
        problem: format!("HTTP {}, {}: {e}", a.status.as_u16(), body_kind(&a.body)),
    })
}

/// Connect's error body as [`ClientError::Connect`]; anything else as [`ClientError::NotConnect`].
fn error_of(a: &Answer) -> ClientError {
    #[derive(Deserialize)]
    struct Body {
        message: Option<String>,
    }
    match serde_json::from_slice::<Body>(&a.body) {
        Ok(Body { message: Some(m) }) => ClientError::Connect {
            status: a.status.as_u16(),
            message: m,
        },
        _ if a.status == StatusCode::UNAUTHORIZED || a.status == StatusCode::FORBIDDEN => {
            ClientError::Connect {
                status: a.status.as_u16(),
                message: "not authorized; check the context's username/password or token".into(),
            }
        }
        _ if a.body.is_empty() => ClientError::Connect {
            status: a.status.as_u16(),
            message: format!("{} {} failed", a.method, a.url),
        },
        _ => ClientError::NotConnect {
            method: a.method.to_string(),
            url: a.url.clone(),
            problem: format!("HTTP {}, {}", a.status.as_u16(), body_kind(&a.body)),
        },
    }
}

/// A short description of a body that is not the JSON expected.
fn body_kind(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(200)]);
    let trimmed = text.trim_start().to_ascii_lowercase();
    if trimmed.starts_with("<!doctype html") || trimmed.starts_with("<html") {
        "an HTML page".into()
    } else if body.is_empty() {
        "an empty body".into()
    } else {
        let excerpt: String = text.chars().take(60).collect();
        format!("body {:?}", excerpt.replace('\n', " "))
    }
}

/// The innermost cause of an error: "Connection refused (os error 111)", "invalid peer
/// certificate: UnknownIssuer", … rather than reqwest's wrapping.
fn root_cause(e: &dyn std::error::Error) -> String {
    let mut last = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        last = s.to_string();
        src = s.source();
    }
    last
}

/// An error and its causes on one line (reqwest hides the useful part in `source()`).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        src = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities_follow_the_version() {
        let old = Capabilities::of_version("2.2.1");
        assert!(!old.expand && !old.restart_tasks && !old.stop);
        let c = Capabilities::of_version("3.5.0");
        assert!(c.expand && c.restart_tasks && c.stop && !c.alter_offsets);
        let new = Capabilities::of_version("3.9.0");
        assert!(new.alter_offsets && new.patch_config);
        assert!(Capabilities::of_version("4.1.0").patch_config);
        // Confluent Platform 7.4 ships Kafka 3.4.
        let cp = Capabilities::of_version("7.4.0-ccs");
        assert!(cp.restart_tasks && !cp.stop);
        assert!(Capabilities::of_version("weird").alter_offsets);
    }

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(segment("a b/c"), "a%20b%2Fc");
        assert_eq!(segment("org.Foo$Bar"), "org.Foo%24Bar");
    }

    #[test]
    fn expanded_connectors_parse_javas_shape() {
        let body = r#"{"c1":{"status":{"name":"c1","connector":{"state":"RUNNING","worker_id":"h:8083"},
            "tasks":[{"id":0,"state":"FAILED","worker_id":"h:8083","trace":"boom"}],"type":"source"},
            "info":{"name":"c1","config":{"connector.class":"X","name":"c1"},
            "tasks":[{"connector":"c1","task":0}],"type":"source","extra":1}}}"#;
        let m: IndexMap<String, ExpandedConnector> = serde_json::from_str(body).unwrap();
        let c = &m["c1"];
        assert_eq!(
            c.status.as_ref().unwrap().tasks[0].trace.as_deref(),
            Some("boom")
        );
        assert_eq!(c.info.as_ref().unwrap().tasks.len(), 1);
    }

    /// Bodies as Java writes them (spec §1.2, §1.4), with fields the client does not use.
    #[test]
    fn golden_bodies_from_the_spec_parse() {
        let info: ServerInfo = serde_json::from_str(
            r#"{"version":"3.9.0","commit":"a1b2c3","kafka_cluster_id":"Xq1-abc"}"#,
        )
        .unwrap();
        assert_eq!(
            Capabilities::of_version(&info.version),
            Capabilities::of_version("3.9")
        );
        let st: ConnectorStateInfo = serde_json::from_str(
            r#"{"name":"c","connector":{"state":"RUNNING","worker_id":"h:8083","trace":"…"},
                "tasks":[{"id":0,"state":"RUNNING","worker_id":"h:8083","trace":"…"}],"type":"source"}"#,
        )
        .unwrap();
        assert_eq!(st.tasks[0].worker_id, "h:8083");
        let infos: ConfigInfos = serde_json::from_str(
            r#"{"name":"FileStreamSource","error_count":1,"groups":["Common","Transforms","Predicates","Error Handling","Topic Creation","Exactly Once Support","offsets.topic"],
             "configs":[{"definition":{"name":"topic","type":"STRING","required":true,"default_value":null,"importance":"HIGH",
               "documentation":"The topic to publish data to","group":null,"order":-1,"width":"NONE","display_name":"topic","dependents":[]},
               "value":{"name":"topic","value":null,"recommended_values":[],"errors":["Missing required configuration \"topic\" which has no default value."],"visible":true}}]}"#,
        )
        .unwrap();
        assert_eq!(infos.configs[0].value.as_ref().unwrap().errors.len(), 1);
        let loggers: IndexMap<String, LoggerLevel> = serde_json::from_str(
            r#"{"root":{"level":"INFO","last_modified":null},"org.apache.kafka.connect":{"level":"DEBUG","last_modified":1700000000000}}"#,
        )
        .unwrap();
        assert_eq!(
            loggers["org.apache.kafka.connect"].last_modified,
            Some(1700000000000)
        );
        // Before 3.7 a logger had only its level.
        let old: IndexMap<String, LoggerLevel> =
            serde_json::from_str(r#"{"root":{"level":"INFO"}}"#).unwrap();
        assert_eq!(old["root"].last_modified, None);
        let offsets: ConnectorOffsets = serde_json::from_str(
            r#"{"offsets":[{"partition":{"kafka_topic":"test","kafka_partition":0},"offset":{"kafka_offset":5}},
                {"partition":{"kafka_topic":"test","kafka_partition":1},"offset":null}]}"#,
        )
        .unwrap();
        assert_eq!(offsets.offsets[1].offset, None);
        let tasks: Vec<TaskInfo> = serde_json::from_str(
            r#"[{"id":{"connector":"c","task":0},"config":{"task.class":"X","topic":"t"}}]"#,
        )
        .unwrap();
        assert_eq!(tasks[0].id.task, 0);
        let plugins: Vec<PluginInfo> = serde_json::from_str(
            r#"[{"class":"org.apache.kafka.connect.file.FileStreamSinkConnector","type":"sink","version":"3.9.0"},
                {"class":"x.Y","type":"source"}]"#,
        )
        .unwrap();
        assert_eq!(plugins[1].version, None);
        let health: WorkerStatus = serde_json::from_str(
            r#"{"status":"healthy","message":"Worker has completed startup and is ready to handle requests."}"#,
        )
        .unwrap();
        assert_eq!(health.status, "healthy");
        let topics: IndexMap<String, super::super::types::ActiveTopicsInfo> =
            serde_json::from_str(r#"{"c":{"topics":["t1","t2"]}}"#).unwrap();
        assert_eq!(topics["c"].topics, ["t1", "t2"]);
    }

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status: StatusCode::from_u16(status).unwrap(),
            body: body.as_bytes().to_vec(),
            url: "http://h:8083/connectors".into(),
            method: Method::GET,
        }
    }

    #[test]
    fn errors_carry_connects_message_or_say_what_answered() {
        let e = error_of(&answer(
            404,
            r#"{"error_code":404,"message":"Connector foo not found"}"#,
        ));
        assert_eq!(e.to_string(), "Connector foo not found (HTTP 404)");
        let e = error_of(&answer(502, "<html><body>Bad gateway</body></html>"));
        assert!(e.to_string().contains("an HTML page"), "{e}");
        let e = decode::<Vec<String>>(&answer(200, "<!DOCTYPE html><html>")).unwrap_err();
        assert!(
            e.to_string().contains("is this a Kafka Connect REST URL"),
            "{e}"
        );
    }
}
