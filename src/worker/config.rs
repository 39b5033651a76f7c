//! The worker's property file (`connect-standalone.properties` / `connect-distributed.properties`
//! keys, spec §5, plus the REST server's TLS and basic-auth settings), and connector files given
//! on the command line (`.properties` or `.json`).

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use super::error::WorkerError;
use crate::connect::types::{ConfigMap, CreateConnectorRequest, TargetState};

/// Reads a Java `.properties` file (ISO-8859-1, `\` escapes and continuations, `=`/`:`/space
/// separators), as `Properties.load` does; later keys win.
pub fn read_properties(path: &Path) -> Result<ConfigMap, WorkerError> {
    let file = std::fs::File::open(path).map_err(|e| {
        WorkerError::Config(format!(
            "{}: {}",
            path.display(),
            crate::io_error::io_error_text(&e)
        ))
    })?;
    let mut map = ConfigMap::new();
    java_properties::PropertiesIter::new(std::io::BufReader::new(file))
        .read_into(|k, v| {
            map.insert(k, v);
        })
        .map_err(|e| WorkerError::Config(format!("{}: {e}", path.display())))?;
    Ok(map)
}

/// A connector given on the command line: a `.properties` file, or JSON in the shape of
/// `POST /connectors` (`{"name":…,"config":{…}}`) or a flat config map.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectorFile {
    pub name: String,
    pub config: ConfigMap,
    pub initial_state: Option<TargetState>,
}

pub fn read_connector_file(path: &Path) -> Result<ConnectorFile, WorkerError> {
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let (config, initial_state) = if is_json {
        read_connector_json(path)?
    } else {
        (read_properties(path)?, None)
    };
    let name = config
        .get("name")
        .filter(|n| !n.trim().is_empty())
        .cloned()
        .ok_or_else(|| {
            WorkerError::Config(format!(
                "{}: connector configuration has no 'name'; add name=<connector name>",
                path.display()
            ))
        })?;
    Ok(ConnectorFile {
        name,
        config,
        initial_state,
    })
}

fn read_connector_json(path: &Path) -> Result<(ConfigMap, Option<TargetState>), WorkerError> {
    let at = |what: String| WorkerError::Config(format!("{}: {what}", path.display()));
    let text = std::fs::read(path).map_err(|e| at(crate::io_error::io_error_text(&e)))?;
    let json: serde_json::Value =
        serde_json::from_slice(&text).map_err(|e| at(format!("not valid JSON: {e}")))?;
    let nested = json.get("config").is_some_and(serde_json::Value::is_object);
    if nested {
        let req: CreateConnectorRequest =
            serde_json::from_value(json).map_err(|e| at(format!("bad connector JSON: {e}")))?;
        let mut config = flatten(req.config.unwrap_or_default());
        if let Some(name) = req.name {
            config.entry("name".into()).or_insert(name);
        }
        let state = match req.initial_state.as_deref() {
            None => None,
            Some(s) => Some(TargetState::from_initial_state(s).ok_or_else(|| {
                at(format!(
                    "initial_state '{s}' is not one of RUNNING, PAUSED, STOPPED"
                ))
            })?),
        };
        Ok((config, state))
    } else {
        let map: IndexMap<String, serde_json::Value> = serde_json::from_value(json)
            .map_err(|_| at("expected a JSON object of connector settings".into()))?;
        let config = map
            .into_iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => (k, s),
                other => (k, other.to_string()),
            })
            .collect();
        Ok((config, None))
    }
}

fn flatten(m: IndexMap<String, Option<String>>) -> ConfigMap {
    m.into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect()
}

/// Where the REST API listens.
#[derive(Debug, Clone, PartialEq)]
pub struct Listener {
    pub https: bool,
    pub host: Option<String>,
    pub port: u16,
}

impl Listener {
    /// The address to bind: a listener without a host binds 127.0.0.1 (not every interface, as
    /// Java's `http://:8083` does: a laptop worker should not be reachable from the network
    /// unless asked).
    pub fn bind_ip(&self) -> Result<IpAddr, WorkerError> {
        match self.host.as_deref() {
            None => Ok(IpAddr::V4(Ipv4Addr::LOCALHOST)),
            Some("localhost") => Ok(IpAddr::V4(Ipv4Addr::LOCALHOST)),
            Some(h) => h.trim_matches(['[', ']']).parse().map_err(|_| {
                WorkerError::Config(format!(
                    "listeners: '{h}' is not an IP address; use an address such as 0.0.0.0 or 127.0.0.1"
                ))
            }),
        }
    }
}

/// A setting whose value must stay out of logs and `Debug` output (an inline private key).
#[derive(Clone, PartialEq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(hidden)")
    }
}

/// Where PEM text comes from, with the worker-file keys that gave it, so that errors name them.
#[derive(Debug, Clone, PartialEq)]
pub enum PemSource {
    /// `ssl.keystore.location` / `ssl.truststore.location`.
    File { key: String, path: PathBuf },
    /// Inline PEM (`ssl.keystore.key` + `ssl.keystore.certificate.chain`, or
    /// `ssl.truststore.certificates`), the values joined.
    Inline { keys: String, pem: Secret },
}

/// Connect's `ssl.client.auth`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    None,
    Requested,
    Required,
}

/// The REST server's TLS settings, as read from the worker file (the files are read at startup).
#[derive(Debug, Clone, PartialEq)]
pub struct RestTls {
    pub keystore: PemSource,
    pub client_auth: ClientAuth,
    /// The CAs of client certificates; present exactly when client auth is not `None`.
    pub truststore: Option<PemSource>,
}

/// Connect's basic-auth REST extension (`JaasBasicAuthFilter`).
pub const BASIC_AUTH_EXTENSION: &str =
    "org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension";

/// kct's own key (Connect has no such key): the JAAS file of the basic-auth extension, for
/// setups without a JVM command line. Connect reads the file from the JVM's
/// `-Djava.security.auth.login.config=` (in `KAFKA_OPTS`), which kct also honours.
pub const BASIC_AUTH_JAAS_FILE_KEY: &str = "rest.basic.auth.jaas.config.file";

/// Present when `rest.extension.classes` lists [`BASIC_AUTH_EXTENSION`].
#[derive(Debug, Clone, PartialEq)]
pub struct BasicAuthSettings {
    /// [`BASIC_AUTH_JAAS_FILE_KEY`]; when unset, `KAFKA_OPTS` is consulted at startup.
    pub jaas_file: Option<PathBuf>,
}

/// Topic-backed storage (the distributed worker's `group.id` and internal topics).
#[derive(Debug, Clone, PartialEq)]
pub struct TopicStorage {
    pub group_id: String,
    pub offset_topic: String,
    pub config_topic: String,
    pub status_topic: String,
    pub offset_partitions: i32,
    pub status_partitions: i32,
    pub replication_factor: [i32; 3],
}

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    pub bootstrap_servers: String,
    pub key_converter: (String, ConfigMap),
    pub value_converter: (String, ConfigMap),
    pub header_converter: (String, ConfigMap),
    pub offset_file: Option<PathBuf>,
    pub topics: Option<TopicStorage>,
    pub offset_flush_interval_ms: u64,
    pub listeners: Vec<Listener>,
    pub advertised_host: Option<String>,
    pub advertised_port: Option<u16>,
    pub topic_tracking_enable: bool,
    pub topic_tracking_allow_reset: bool,
    pub task_shutdown_timeout_ms: u64,
    /// TLS for the `https://` listeners; `None` when every listener is plain HTTP.
    pub rest_tls: Option<RestTls>,
    /// Set when `rest.extension.classes` lists Connect's basic-auth extension.
    pub rest_basic_auth: Option<BasicAuthSettings>,
    /// Kafka client settings for every client (security, timeouts) in Java's names.
    pub client: ConfigMap,
    pub producer: ConfigMap,
    pub consumer: ConfigMap,
    pub admin: ConfigMap,
    /// Lines for the log: unknown keys, keys that have no meaning here.
    pub notes: Vec<String>,
}

const JSON_CONVERTER: &str = "org.apache.kafka.connect.json.JsonConverter";

/// Worker keys Java knows that have no effect in a single kct process (rebalancing, plugin
/// loading, metrics): accepted quietly.
const ACCEPTED: &[&str] = &[
    "offset.flush.timeout.ms",
    "plugin.discovery",
    "config.providers",
    "connector.client.config.override.policy",
    "topic.creation.enable",
    "session.timeout.ms",
    "heartbeat.interval.ms",
    "rebalance.timeout.ms",
    "worker.sync.timeout.ms",
    "worker.unsync.backoff.ms",
    "scheduled.rebalance.max.delay.ms",
    "connect.protocol",
    "exactly.once.source.support",
    "inter.worker.key.generation.algorithm",
    "inter.worker.signature.algorithm",
    "inter.worker.verification.algorithms",
    "inter.worker.key.ttl.ms",
    "request.timeout.ms",
    "metrics.sample.window.ms",
    "metrics.num.samples",
    "metrics.recording.level",
    "metric.reporters",
    "auto.include.jmx.reporter",
    "access.control.allow.origin",
    "access.control.allow.methods",
    "admin.listeners",
    "response.http.headers.config",
    "client.dns.lookup",
    "reconnect.backoff.ms",
    "reconnect.backoff.max.ms",
    "retry.backoff.ms",
    "retry.backoff.max.ms",
    "metadata.max.age.ms",
    "receive.buffer.bytes",
    "send.buffer.bytes",
    "connections.max.idle.ms",
    "config.storage.partitions",
    "internal.key.converter",
    "internal.value.converter",
    "internal.key.converter.schemas.enable",
    "internal.value.converter.schemas.enable",
];

/// Client keys (security and connection) that apply to every Kafka client of the worker.
fn is_client_key(k: &str) -> bool {
    k.starts_with("security.")
        || k.starts_with("ssl.")
        || k.starts_with("sasl.")
        || k == "client.id"
        || k == "socket.connection.setup.timeout.ms"
}

impl WorkerConfig {
    pub fn from_file(path: &Path) -> Result<WorkerConfig, WorkerError> {
        let props = read_properties(path)?;
        WorkerConfig::from_props(&props)
            .map_err(|e| WorkerError::Config(format!("{}: {e}", path.display())))
    }

    pub fn from_props(p: &ConfigMap) -> Result<WorkerConfig, String> {
        let mut notes = Vec::new();
        let get = |k: &str| p.get(k).map(|v| v.trim().to_string());
        let converter = |k: &str, default: &str| {
            let class = get(k).unwrap_or_else(|| default.to_string());
            (class, prefixed(p, &format!("{k}.")))
        };
        let key_converter = converter("key.converter", JSON_CONVERTER);
        let value_converter = converter("value.converter", JSON_CONVERTER);
        let header_converter = converter(
            "header.converter",
            "org.apache.kafka.connect.storage.SimpleHeaderConverter",
        );
        let listeners = listeners(p)?;
        let rest_tls = if listeners.iter().any(|l| l.https) {
            Some(rest_tls(p)?)
        } else {
            None
        };
        let rest_basic_auth = rest_basic_auth(p, &mut notes)?;
        let topics = topic_storage(p)?;
        let offset_file = get("offset.storage.file.filename").map(PathBuf::from);
        if topics.is_none() && offset_file.is_none() {
            notes.push("offset.storage.file.filename is not set: source offsets are kept in memory and lost on exit".into());
        }
        if let Some(path) = get("plugin.path").filter(|v| !v.is_empty()) {
            notes.push(format!("plugin.path={path} is not needed: kct's connectors, converters and transformations are built in"));
        }
        for k in p.keys() {
            if !is_known(k) {
                notes.push(format!("unknown worker setting '{k}' ignored"));
            }
        }
        Ok(WorkerConfig {
            bootstrap_servers: get("bootstrap.servers").unwrap_or_else(|| "localhost:9092".into()),
            key_converter,
            value_converter,
            header_converter,
            offset_file,
            topics,
            offset_flush_interval_ms: number(p, "offset.flush.interval.ms", 60_000)?,
            listeners,
            advertised_host: get("rest.advertised.host.name").filter(|v| !v.is_empty()),
            advertised_port: get("rest.advertised.port")
                .map(|v| {
                    v.parse()
                        .map_err(|_| bad("rest.advertised.port", &v, "a port number"))
                })
                .transpose()?,
            topic_tracking_enable: boolean(p, "topic.tracking.enable", true)?,
            topic_tracking_allow_reset: boolean(p, "topic.tracking.allow.reset", true)?,
            task_shutdown_timeout_ms: number(p, "task.shutdown.graceful.timeout.ms", 5_000)?,
            rest_tls,
            rest_basic_auth,
            client: p
                .iter()
                .filter(|(k, _)| is_client_key(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            producer: prefixed(p, "producer."),
            consumer: prefixed(p, "consumer."),
            admin: prefixed(p, "admin."),
            notes,
        })
    }

    /// `host:port` as other workers and the status topic know this worker.
    pub fn worker_id(&self, bound_port: u16) -> String {
        let l = self.listeners.first();
        let host = self
            .advertised_host
            .clone()
            .or_else(|| l.and_then(|l| l.host.clone()))
            .unwrap_or_else(|| "127.0.0.1".into());
        let port = self.advertised_port.unwrap_or(bound_port);
        format!("{host}:{port}")
    }
}

fn is_known(k: &str) -> bool {
    const EXACT: &[&str] = &[
        "bootstrap.servers",
        "key.converter",
        "value.converter",
        "header.converter",
        "offset.storage.file.filename",
        "offset.flush.interval.ms",
        "listeners",
        "rest.host.name",
        "rest.port",
        "rest.advertised.host.name",
        "rest.advertised.port",
        "rest.advertised.listener",
        "plugin.path",
        "group.id",
        "offset.storage.topic",
        "config.storage.topic",
        "status.storage.topic",
        "offset.storage.partitions",
        "status.storage.partitions",
        "offset.storage.replication.factor",
        "config.storage.replication.factor",
        "status.storage.replication.factor",
        "topic.tracking.enable",
        "topic.tracking.allow.reset",
        "task.shutdown.graceful.timeout.ms",
        "rest.extension.classes",
        BASIC_AUTH_JAAS_FILE_KEY,
    ];
    const PREFIXES: &[&str] = &[
        "key.converter.",
        "value.converter.",
        "header.converter.",
        "producer.",
        "consumer.",
        "admin.",
        "listeners.",
        "config.providers.",
        "metrics.",
    ];
    EXACT.contains(&k)
        || ACCEPTED.contains(&k)
        || is_client_key(k)
        || PREFIXES.iter().any(|p| k.starts_with(p))
}

fn prefixed(p: &ConfigMap, prefix: &str) -> ConfigMap {
    p.iter()
        .filter_map(|(k, v)| Some((k.strip_prefix(prefix)?.to_string(), v.clone())))
        .collect()
}

fn bad(key: &str, value: &str, expected: &str) -> String {
    format!("{key}={value} is not {expected}")
}

fn number<T: std::str::FromStr>(p: &ConfigMap, key: &str, default: T) -> Result<T, String> {
    match p.get(key).map(|v| v.trim()) {
        None | Some("") => Ok(default),
        Some(v) => v.parse().map_err(|_| bad(key, v, "a number")),
    }
}

fn boolean(p: &ConfigMap, key: &str, default: bool) -> Result<bool, String> {
    match p.get(key).map(|v| v.trim().to_ascii_lowercase()) {
        None => Ok(default),
        Some(v) if v == "true" => Ok(true),
        Some(v) if v == "false" => Ok(false),
        Some(v) => Err(bad(key, &v, "true or false")),
    }
}

fn listeners(p: &ConfigMap) -> Result<Vec<Listener>, String> {
    if let Some(list) = p.get("listeners").filter(|v| !v.trim().is_empty()) {
        return list
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(parse_listener)
            .collect();
    }
    // The keys Connect used before 3.0.
    let host = p
        .get("rest.host.name")
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty());
    let port = number(p, "rest.port", 8083u16)?;
    Ok(vec![Listener {
        https: false,
        host,
        port,
    }])
}

fn parse_listener(s: &str) -> Result<Listener, String> {
    let err = || {
        format!("listeners: '{s}' is not a listener URL; use http://HOST:PORT or https://HOST:PORT")
    };
    let (https, rest) = if let Some(r) = s.strip_prefix("http://") {
        (false, r)
    } else if let Some(r) = s.strip_prefix("https://") {
        (true, r)
    } else {
        return Err(err());
    };
    let rest = rest.trim_end_matches('/');
    let (host, port) = rest.rsplit_once(':').ok_or_else(err)?;
    let port = port.parse().map_err(|_| err())?;
    let host = (!host.is_empty()).then(|| host.to_string());
    Ok(Listener { https, host, port })
}

/// Connect's REST server reads its TLS keys with `valuesWithPrefixAllOrNothing`: when any
/// `listeners.https.` key is set, only the prefixed keys count (unset ones take their defaults);
/// otherwise the worker's plain `ssl.*` keys, which the Kafka clients use as well.
const HTTPS_PREFIX: &str = "listeners.https.";

fn rest_tls(p: &ConfigMap) -> Result<RestTls, String> {
    let prefix = if p.keys().any(|k| k.starts_with(HTTPS_PREFIX)) {
        HTTPS_PREFIX
    } else {
        ""
    };
    let keys = SslKeys { p, prefix };
    let keystore = keys.store(&KEYSTORE)?.ok_or_else(|| {
        format!(
            "an https:// listener needs a keystore: set {prefix}ssl.keystore.type=PEM and \
             {prefix}ssl.keystore.location=/path/keystore.pem (private key and certificate chain), \
             or {prefix}ssl.keystore.key and {prefix}ssl.keystore.certificate.chain"
        )
    })?;
    let client_auth = keys.client_auth()?;
    let truststore = match client_auth {
        ClientAuth::None => None,
        _ => Some(keys.store(&TRUSTSTORE)?.ok_or_else(|| {
            format!(
                "{} asks for client certificates, so a truststore is needed: set \
                 {prefix}ssl.truststore.type=PEM and {prefix}ssl.truststore.location=/path/ca.pem \
                 (or {prefix}ssl.truststore.certificates)",
                keys.name("ssl.client.auth")
            )
        })?),
    };
    Ok(RestTls {
        keystore,
        client_auth,
        truststore,
    })
}

/// The keys of one store: `ssl.<what>.type`, `ssl.<what>.location`, and the inline PEM keys.
struct StoreKeys {
    what: &'static str,
    inline: &'static [&'static str],
}

const KEYSTORE: StoreKeys = StoreKeys {
    what: "keystore",
    inline: &["ssl.keystore.key", "ssl.keystore.certificate.chain"],
};

const TRUSTSTORE: StoreKeys = StoreKeys {
    what: "truststore",
    inline: &["ssl.truststore.certificates"],
};

/// The REST TLS keys under the prefix Connect would use.
struct SslKeys<'a> {
    p: &'a ConfigMap,
    prefix: &'static str,
}

impl SslKeys<'_> {
    /// The key as the worker file spells it.
    fn name(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.p
            .get(&self.name(key))
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    fn client_auth(&self) -> Result<ClientAuth, String> {
        let key = self.name("ssl.client.auth");
        match self.get("ssl.client.auth").map(str::to_ascii_lowercase) {
            None => Ok(ClientAuth::None),
            Some(v) => match v.as_str() {
                "none" => Ok(ClientAuth::None),
                "requested" => Ok(ClientAuth::Requested),
                "required" => Ok(ClientAuth::Required),
                _ => Err(bad(&key, &v, "one of required, requested, none")),
            },
        }
    }

    /// The store's PEM source; `None` when neither a location nor inline PEM is set.
    fn store(&self, s: &StoreKeys) -> Result<Option<PemSource>, String> {
        let location_key = format!("ssl.{}.location", s.what);
        let location = self.get(&location_key);
        let inline: Vec<(&str, &str)> = s
            .inline
            .iter()
            .filter_map(|k| Some((*k, self.get(k)?)))
            .collect();
        if location.is_none() && inline.is_empty() {
            return Ok(None);
        }
        self.check_pem_type(s, location.map(|l| (location_key.as_str(), l)))?;
        let inline_names = || -> Vec<String> { s.inline.iter().map(|k| self.name(k)).collect() };
        if let Some(path) = location {
            if !inline.is_empty() {
                return Err(format!(
                    "set either {} or {}, not both",
                    self.name(&location_key),
                    inline_names().join(" and ")
                ));
            }
            return Ok(Some(PemSource::File {
                key: self.name(&location_key),
                path: PathBuf::from(path),
            }));
        }
        if inline.len() < s.inline.len() {
            return Err(format!(
                "inline PEM needs all of {}",
                inline_names().join(" and ")
            ));
        }
        let pem = inline
            .iter()
            .map(|(_, v)| *v)
            .collect::<Vec<_>>()
            .join("\n");
        Ok(Some(PemSource::Inline {
            keys: inline_names().join(" + "),
            pem: Secret(pem),
        }))
    }

    /// kct reads PEM only; Java's default store type is JKS, so an unset type is refused too,
    /// with the commands that convert the store.
    fn check_pem_type(&self, s: &StoreKeys, location: Option<(&str, &str)>) -> Result<(), String> {
        let type_key = self.name(&format!("ssl.{}.type", s.what));
        let (ty, why) = match self.get(&format!("ssl.{}.type", s.what)) {
            Some(t) if t.eq_ignore_ascii_case("PEM") => return Ok(()),
            Some(t) => (t.to_ascii_uppercase(), format!("{type_key}={t}")),
            None => (
                "JKS".to_string(),
                format!("{type_key} is not set, so it is JKS as in Java"),
            ),
        };
        let subject = match location {
            Some((key, path)) => format!("{}={path}", self.name(key)),
            None => format!("the {}", s.what),
        };
        let how = match convert_hint(s.what, &ty) {
            Some(cmd) => format!("convert it ({cmd}) and set {type_key}=PEM"),
            None => format!("use a PEM file and set {type_key}=PEM"),
        };
        Err(format!(
            "{subject}: {why}, and kct reads PEM {}s only; {how}",
            s.what
        ))
    }
}

/// The commands that turn a Java store into PEM.
fn convert_hint(what: &str, store_type: &str) -> Option<&'static str> {
    match (what, store_type) {
        ("keystore", "JKS") => Some(
            "keytool -importkeystore -srckeystore ks.jks -destkeystore ks.p12 -deststoretype PKCS12; \
             openssl pkcs12 -in ks.p12 -nodes -out ks.pem",
        ),
        ("keystore", "PKCS12") => Some("openssl pkcs12 -in ks.p12 -nodes -out ks.pem"),
        ("truststore", "JKS") => Some("keytool -list -rfc -keystore ts.jks > ca.pem"),
        ("truststore", "PKCS12") => Some("openssl pkcs12 -in ts.p12 -nokeys -out ca.pem"),
        _ => None,
    }
}

/// `rest.extension.classes`: kct has Connect's basic-auth extension built in. Any other class
/// is refused rather than ignored: dropping an unknown security extension would quietly open
/// the REST API.
fn rest_basic_auth(
    p: &ConfigMap,
    notes: &mut Vec<String>,
) -> Result<Option<BasicAuthSettings>, String> {
    let classes: Vec<&str> = p
        .get("rest.extension.classes")
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect()
        })
        .unwrap_or_default();
    if let Some(other) = classes.iter().find(|c| **c != BASIC_AUTH_EXTENSION) {
        return Err(format!(
            "rest.extension.classes: {other} is a Java REST extension kct cannot load; \
             the only one kct has is {BASIC_AUTH_EXTENSION}"
        ));
    }
    let jaas_file = p
        .get(BASIC_AUTH_JAAS_FILE_KEY)
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    if classes.is_empty() {
        if jaas_file.is_some() {
            notes.push(format!(
                "{BASIC_AUTH_JAAS_FILE_KEY} has no effect: rest.extension.classes does not list {BASIC_AUTH_EXTENSION}"
            ));
        }
        return Ok(None);
    }
    Ok(Some(BasicAuthSettings { jaas_file }))
}

fn topic_storage(p: &ConfigMap) -> Result<Option<TopicStorage>, String> {
    let get = |k: &str| {
        p.get(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let keys = [
        "group.id",
        "offset.storage.topic",
        "config.storage.topic",
        "status.storage.topic",
    ];
    let present: Vec<&str> = keys.iter().copied().filter(|k| get(k).is_some()).collect();
    if present.is_empty() {
        return Ok(None);
    }
    if present.len() < keys.len() {
        let missing: Vec<&str> = keys
            .iter()
            .copied()
            .filter(|k| !present.contains(k))
            .collect();
        return Err(format!(
            "topic-backed storage needs {} as well (or none of {} for file storage)",
            missing.join(", "),
            keys.join(", ")
        ));
    }
    let rf = |k: &str| number(p, k, 3i32);
    Ok(Some(TopicStorage {
        group_id: get("group.id").unwrap_or_default(),
        offset_topic: get("offset.storage.topic").unwrap_or_default(),
        config_topic: get("config.storage.topic").unwrap_or_default(),
        status_topic: get("status.storage.topic").unwrap_or_default(),
        offset_partitions: number(p, "offset.storage.partitions", 25)?,
        status_partitions: number(p, "status.storage.partitions", 5)?,
        replication_factor: [
            rf("offset.storage.replication.factor")?,
            rf("config.storage.replication.factor")?,
            rf("status.storage.replication.factor")?,
        ],
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(s: &str) -> ConfigMap {
        let mut m = ConfigMap::new();
        java_properties::PropertiesIter::new(s.as_bytes())
            .read_into(|k, v| {
                m.insert(k, v);
            })
            .unwrap();
        m
    }

    #[test]
    fn sample_standalone_file() {
        let c = WorkerConfig::from_props(&props(
            "bootstrap.servers=localhost:9092\n\
             key.converter=org.apache.kafka.connect.json.JsonConverter\n\
             value.converter=org.apache.kafka.connect.json.JsonConverter\n\
             key.converter.schemas.enable=true\n\
             value.converter.schemas.enable=true\n\
             offset.storage.file.filename=/tmp/connect.offsets\n\
             offset.flush.interval.ms=10000\n\
             #plugin.path=\n",
        ))
        .unwrap();
        assert_eq!(c.value_converter.1.get("schemas.enable").unwrap(), "true");
        assert_eq!(c.offset_flush_interval_ms, 10_000);
        assert_eq!(
            c.listeners,
            vec![Listener {
                https: false,
                host: None,
                port: 8083
            }]
        );
        assert!(c.notes.is_empty(), "{:?}", c.notes);
        assert_eq!(c.worker_id(8083), "127.0.0.1:8083");
    }

    #[test]
    fn listeners_old_keys_unknown_keys_and_bad_values() {
        let c = WorkerConfig::from_props(&props(
            "rest.port=9999\nrest.host.name=0.0.0.0\nfoo.bar=1\nplugin.path=/usr/share/java\n",
        ))
        .unwrap();
        assert_eq!(c.listeners[0].port, 9999);
        assert_eq!(c.listeners[0].bind_ip().unwrap().to_string(), "0.0.0.0");
        assert!(c.notes.iter().any(|n| n.contains("'foo.bar'")));
        assert!(c.notes.iter().any(|n| n.contains("plugin.path")));
        let l = WorkerConfig::from_props(&props(
            "listeners=https://127.0.0.1:8443,http://:8083\n\
             ssl.keystore.type=PEM\nssl.keystore.location=/ks.pem",
        ))
        .unwrap()
        .listeners;
        assert!(l[0].https && l[0].port == 8443 && l[1].host.is_none());
        let e = WorkerConfig::from_props(&props("listeners=ftp://x:1")).unwrap_err();
        assert!(e.contains("ftp://x:1"), "{e}");
        let e = WorkerConfig::from_props(&props("offset.flush.interval.ms=soon")).unwrap_err();
        assert_eq!(e, "offset.flush.interval.ms=soon is not a number");
        let e = WorkerConfig::from_props(&props("group.id=g")).unwrap_err();
        assert!(e.contains("offset.storage.topic"), "{e}");
    }

    #[test]
    fn rest_tls_keys_prefixed_or_plain() {
        let http =
            WorkerConfig::from_props(&props("listeners=http://:8083\nssl.keystore.type=JKS"))
                .unwrap();
        assert_eq!(http.rest_tls, None);
        let c = WorkerConfig::from_props(&props(
            "listeners=https://127.0.0.1:8443\n\
             ssl.keystore.type=JKS\nssl.keystore.location=/client.jks\n\
             listeners.https.ssl.keystore.type=pem\n\
             listeners.https.ssl.keystore.location=/rest.pem\n",
        ))
        .unwrap();
        let tls = c.rest_tls.unwrap();
        assert_eq!(
            tls.keystore,
            PemSource::File {
                key: "listeners.https.ssl.keystore.location".into(),
                path: "/rest.pem".into()
            }
        );
        assert_eq!((tls.client_auth, tls.truststore), (ClientAuth::None, None));
        let c = WorkerConfig::from_props(&props(
            "listeners=https://:8443\nssl.keystore.type=PEM\n\
             ssl.keystore.key=-----BEGIN PRIVATE KEY----- \\\n  QUJD -----END PRIVATE KEY-----\n\
             ssl.keystore.certificate.chain=C\nssl.client.auth=REQUIRED\n\
             ssl.truststore.type=PEM\nssl.truststore.certificates=T\n",
        ))
        .unwrap();
        let tls = c.rest_tls.unwrap();
        assert_eq!(tls.client_auth, ClientAuth::Required);
        assert!(
            matches!(&tls.keystore, PemSource::Inline { keys, pem } if keys == "ssl.keystore.key + ssl.keystore.certificate.chain"
                && pem.0 == "-----BEGIN PRIVATE KEY----- QUJD -----END PRIVATE KEY-----\nC")
        );
        assert!(!format!("{tls:?}").contains("QUJD"), "Debug shows the key");
        assert!(matches!(tls.truststore, Some(PemSource::Inline { .. })));
    }

    #[test]
    fn rest_tls_mistakes_name_keys_and_files() {
        let err = |s: &str| WorkerConfig::from_props(&props(s)).unwrap_err();
        let e = err("listeners=https://:8443");
        assert!(
            e.starts_with("an https:// listener needs a keystore: set ssl.keystore.type=PEM"),
            "{e}"
        );
        let e = err("listeners=https://:8443\nlisteners.https.ssl.keystore.location=/ks.jks");
        assert_eq!(
            e,
            "listeners.https.ssl.keystore.location=/ks.jks: listeners.https.ssl.keystore.type is not set, \
             so it is JKS as in Java, and kct reads PEM keystores only; convert it (keytool -importkeystore \
             -srckeystore ks.jks -destkeystore ks.p12 -deststoretype PKCS12; openssl pkcs12 -in ks.p12 -nodes \
             -out ks.pem) and set listeners.https.ssl.keystore.type=PEM"
        );
        let e =
            err("listeners=https://:8443\nssl.keystore.type=PKCS12\nssl.keystore.location=/k.p12");
        assert!(
            e.contains("ssl.keystore.type=PKCS12")
                && e.contains("openssl pkcs12 -in ks.p12 -nodes -out ks.pem"),
            "{e}"
        );
        assert!(!e.contains('\n'));
        let e = err("listeners=https://:8443\nssl.keystore.type=PEM\nssl.keystore.location=/k\nssl.keystore.key=K");
        assert!(e.contains("not both"), "{e}");
        let e = err("listeners=https://:8443\nssl.keystore.type=PEM\nssl.keystore.key=K");
        assert!(e.contains("ssl.keystore.certificate.chain"), "{e}");
        let e = err("listeners=https://:8443\nssl.keystore.type=PEM\nssl.keystore.location=/k\nssl.client.auth=requested");
        assert!(e.contains("ssl.truststore.location"), "{e}");
        let e = err("listeners=https://:8443\nssl.keystore.type=PEM\nssl.keystore.location=/k\nssl.client.auth=maybe");
        assert!(e.contains("ssl.client.auth=maybe"), "{e}");
        let e = err(
            "listeners=https://:8443\nssl.keystore.type=PEM\nssl.keystore.location=/k\n\
                     ssl.client.auth=required\nssl.truststore.location=/t.jks",
        );
        assert!(e.contains("keytool -list -rfc"), "{e}");
    }

    #[test]
    fn rest_extension_classes() {
        let c = WorkerConfig::from_props(&props(&format!(
            "rest.extension.classes={BASIC_AUTH_EXTENSION}\n{BASIC_AUTH_JAAS_FILE_KEY}=/c.jaas"
        )))
        .unwrap();
        assert_eq!(
            c.rest_basic_auth,
            Some(BasicAuthSettings {
                jaas_file: Some("/c.jaas".into())
            })
        );
        assert!(
            !c.notes.iter().any(|n| n.contains("rest.")),
            "{:?}",
            c.notes
        );
        let c = WorkerConfig::from_props(&props(&format!("{BASIC_AUTH_JAAS_FILE_KEY}=/c.jaas")))
            .unwrap();
        assert_eq!(c.rest_basic_auth, None);
        assert!(
            c.notes.iter().any(|n| n.contains("has no effect")),
            "{:?}",
            c.notes
        );
        let e = WorkerConfig::from_props(&props(&format!(
            "rest.extension.classes={BASIC_AUTH_EXTENSION}, com.example.Audit"
        )))
        .unwrap_err();
        assert!(e.contains("com.example.Audit"), "{e}");
    }

    #[test]
    fn connector_files_properties_and_json() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.properties");
        std::fs::write(&p, "name=local-file-source\nconnector.class=FileStreamSource\ntasks.max=1\nfile=test.txt\ntopic=connect-test\n").unwrap();
        let c = read_connector_file(&p).unwrap();
        assert_eq!(c.name, "local-file-source");
        assert_eq!(c.config.get("topic").unwrap(), "connect-test");
        let j = dir.path().join("c.json");
        std::fs::write(&j, r#"{"name":"s","config":{"connector.class":"FileStreamSink","topics":"t"},"initial_state":"paused"}"#).unwrap();
        let c = read_connector_file(&j).unwrap();
        assert_eq!(
            (c.name.as_str(), c.initial_state),
            ("s", Some(TargetState::Paused))
        );
        assert_eq!(c.config.get("name").unwrap(), "s");
        std::fs::write(
            &j,
            r#"{"name":"f","connector.class":"FileStreamSink","tasks.max":2}"#,
        )
        .unwrap();
        assert_eq!(
            read_connector_file(&j)
                .unwrap()
                .config
                .get("tasks.max")
                .unwrap(),
            "2"
        );
        std::fs::write(&j, "{").unwrap();
        let e = read_connector_file(&j).unwrap_err().to_string();
        assert!(e.contains("c.json: not valid JSON"), "{e}");
        std::fs::write(&p, "connector.class=X\n").unwrap();
        assert!(read_connector_file(&p)
            .unwrap_err()
            .to_string()
            .contains("no 'name'"));
    }
}
