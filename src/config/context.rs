//! Contexts: the named Connect clusters of `~/.config/kct/config.toml` (kubectl's habit), and
//! the [`Target`] a command runs against once `--context`, `--connect`, `-b` and `KCT_CONTEXT`
//! have had their say. Secrets may live in the file, in an environment variable or behind a
//! command; they are resolved only when a client is built, never printed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The REST URL used when no context and no `--connect` name one: where `connect-standalone.sh`,
/// `connect-distributed.sh` and `kct local` listen.
pub const DEFAULT_CONNECT_URL: &str = "http://localhost:8083";
/// The bootstrap servers used when no context and no `-b` name one.
pub const DEFAULT_BOOTSTRAP: &str = "localhost:9092";
/// Environment variable naming the context to use (below `--context`, above the file's choice).
pub const CONTEXT_ENV: &str = "KCT_CONTEXT";
/// Environment variable overriding the config file's path (tests, several setups).
pub const CONFIG_ENV: &str = "KCT_CONFIG";

#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{path} is not a valid kct config: {reason}")]
    Parse { path: String, reason: String },
    #[error("cannot write {path}: {reason}")]
    Write { path: String, reason: String },
    #[error("no context named {name:?} (known: {known}); `kct config get-contexts` lists them")]
    Unknown { name: String, known: String },
    #[error("context {context}: {reason}")]
    Secret { context: String, reason: String },
    #[error("no config directory on this system; set {CONFIG_ENV} to a file path")]
    NoConfigDir,
}

/// The whole config file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_context: Option<String>,
    /// Console settings (`kct tui`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<String>,
    /// Console key overrides: `[keys.<view>] <action> = "<key>"` (view `global` for keys that
    /// work everywhere); `kct tui`'s `?` screen names the views and actions.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub keys: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub contexts: BTreeMap<String, Context>,
}

/// One Connect cluster and the Kafka cluster behind it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Context {
    /// REST URLs of the cluster's workers; the first that answers is used.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub connect: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bootstrap: Option<String>,
    /// librdkafka (or Java-style) client properties: TLS, SASL, ….
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub kafka: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offsets_topic: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configs_topic: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_topic: Option<String>,
    #[serde(default, skip_serializing_if = "Auth::is_empty")]
    pub auth: Auth,
}

/// REST authentication and TLS settings of a context.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Auth {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Secret::is_none")]
    pub password: Secret,
    #[serde(default, skip_serializing_if = "Secret::is_none")]
    pub token: Secret,
    /// PEM file of the CA that signed the workers' certificates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
    /// PEM file holding the client certificate (and its key, unless `client-key` is given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_cert: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub insecure_skip_tls_verify: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Auth {
    pub fn is_empty(&self) -> bool {
        *self == Auth::default()
    }
}

/// A secret given literally, by environment variable or by a command's output.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Secret {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
}

impl Secret {
    pub fn is_none(&self) -> bool {
        *self == Secret::default()
    }

    /// Where the secret comes from, for listings that must not print it.
    pub fn source(&self) -> Option<String> {
        if self.value.is_some() {
            Some("file".into())
        } else if let Some(env) = &self.env {
            Some(format!("${env}"))
        } else {
            self.command.as_ref().map(|c| format!("$({c})"))
        }
    }

    /// The secret's value: the literal, the variable's value or the command's stdout (without
    /// its trailing newline).
    pub fn resolve(&self, what: &str) -> Result<Option<String>, String> {
        if let Some(v) = &self.value {
            return Ok(Some(v.clone()));
        }
        if let Some(var) = &self.env {
            return std::env::var(var)
                .map(Some)
                .map_err(|_| format!("{what} comes from ${var}, which is not set"));
        }
        let Some(cmd) = &self.command else {
            return Ok(None);
        };
        let out = std::process::Command::new("sh")
            .args(["-c", cmd])
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::inherit())
            .output()
            .map_err(|e| format!("cannot run the {what} command {cmd:?}: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "the {what} command {cmd:?} failed ({})",
                out.status
            ));
        }
        let text = String::from_utf8(out.stdout)
            .map_err(|_| format!("the {what} command {cmd:?} printed non-UTF-8 bytes"))?;
        Ok(Some(text.trim_end_matches(['\n', '\r']).to_string()))
    }
}

/// Names of Connect's internal topics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InternalTopics {
    pub offsets: String,
    pub configs: String,
    pub status: String,
}

impl Default for InternalTopics {
    fn default() -> Self {
        InternalTopics {
            offsets: "connect-offsets".into(),
            configs: "connect-configs".into(),
            status: "connect-status".into(),
        }
    }
}

/// What the command line says about the target, before the config file is consulted.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub context: Option<String>,
    pub connect: Vec<String>,
    pub bootstrap: Option<String>,
    /// `-X name=value` client properties, applied over the context's.
    pub kafka: Vec<(String, String)>,
}

/// The resolved target of a command.
#[derive(Debug, Clone)]
pub struct Target {
    /// The context's name, or `None` when only defaults and flags were used.
    pub context: Option<String>,
    pub connect: Vec<String>,
    pub bootstrap: String,
    pub kafka: Vec<(String, String)>,
    pub topics: InternalTopics,
    pub auth: Auth,
}

impl Target {
    /// The client configuration for the target's Kafka cluster.
    pub fn kafka_config(&self) -> Result<rdkafka::config::ClientConfig, String> {
        let mut cc = rdkafka::config::ClientConfig::new();
        for (k, v) in &self.kafka {
            for (name, value) in super::kcat::java_to_librdkafka(k, v)? {
                cc.set(name, value);
            }
        }
        cc.set("bootstrap.servers", &self.bootstrap);
        Ok(cc)
    }
}

/// The config file's path: `$KCT_CONFIG`, else `<config dir>/kct/config.toml`.
pub fn config_path() -> Result<PathBuf, ContextError> {
    if let Some(p) = std::env::var_os(CONFIG_ENV) {
        return Ok(PathBuf::from(p));
    }
    dirs::config_dir()
        .map(|d| d.join("kct").join("config.toml"))
        .ok_or(ContextError::NoConfigDir)
}

impl ConfigFile {
    /// Reads the file at `path`; a missing file is an empty config.
    pub fn load(path: &Path) -> Result<ConfigFile, ContextError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ConfigFile::default()),
            Err(e) => {
                return Err(ContextError::Read {
                    path: path.display().to_string(),
                    reason: crate::io_error::io_error_text(&e),
                })
            }
        };
        toml::from_str(&text).map_err(|e| ContextError::Parse {
            path: path.display().to_string(),
            reason: one_line(&e.to_string()),
        })
    }

    /// Writes the file (creating its directory), readable by its owner only since it may hold
    /// secrets; written to a temporary file and renamed so a crash never leaves half a file.
    pub fn save(&self, path: &Path) -> Result<(), ContextError> {
        let err = |e: std::io::Error| ContextError::Write {
            path: path.display().to_string(),
            reason: crate::io_error::io_error_text(&e),
        };
        let text = toml::to_string_pretty(self).map_err(|e| ContextError::Write {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
        let tmp = path.with_extension("toml.tmp");
        write_private(&tmp, text.as_bytes()).map_err(err)?;
        std::fs::rename(&tmp, path).map_err(err)
    }

    fn known(&self) -> String {
        if self.contexts.is_empty() {
            "none".into()
        } else {
            self.contexts.keys().cloned().collect::<Vec<_>>().join(", ")
        }
    }

    pub fn context(&self, name: &str) -> Result<&Context, ContextError> {
        self.contexts
            .get(name)
            .ok_or_else(|| ContextError::Unknown {
                name: name.into(),
                known: self.known(),
            })
    }

    /// Resolves the target: `--context`, else `$KCT_CONTEXT`, else the file's current context,
    /// else the defaults; `--connect`, `-b` and `-X` then override the context's values.
    pub fn resolve(&self, overrides: &Overrides) -> Result<Target, ContextError> {
        let env_name = std::env::var(CONTEXT_ENV).ok().filter(|s| !s.is_empty());
        let name = overrides
            .context
            .clone()
            .or(env_name)
            .or_else(|| self.current_context.clone());
        let ctx = match &name {
            Some(n) => self.context(n)?.clone(),
            None => Context::default(),
        };
        let defaults = InternalTopics::default();
        let mut kafka: Vec<(String, String)> = ctx.kafka.into_iter().collect();
        kafka.extend(overrides.kafka.iter().cloned());
        let connect = if !overrides.connect.is_empty() {
            overrides.connect.clone()
        } else if !ctx.connect.is_empty() {
            ctx.connect
        } else {
            vec![DEFAULT_CONNECT_URL.to_string()]
        };
        Ok(Target {
            context: name,
            connect,
            bootstrap: overrides
                .bootstrap
                .clone()
                .or(ctx.bootstrap)
                .unwrap_or_else(|| DEFAULT_BOOTSTRAP.into()),
            kafka,
            topics: InternalTopics {
                offsets: ctx.offsets_topic.unwrap_or(defaults.offsets),
                configs: ctx.configs_topic.unwrap_or(defaults.configs),
                status: ctx.status_topic.unwrap_or(defaults.status),
            },
            auth: ctx.auth,
        })
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
current-context = "prod"

[contexts.prod]
connect = ["https://connect-1:8083", "https://connect-2:8083"]
bootstrap = "kafka:9093"
offsets-topic = "prod-offsets"
kafka = { "security.protocol" = "SASL_SSL", "sasl.mechanism" = "PLAIN" }

[contexts.prod.auth]
username = "admin"
password = { env = "PROD_PW" }
ca-file = "/etc/ca.pem"

[contexts.dev]
connect = ["http://localhost:8083"]
"#;

    fn sample() -> ConfigFile {
        toml::from_str(SAMPLE).unwrap()
    }

    #[test]
    fn parses_contexts_with_defaults_for_topics() {
        let t = sample().resolve(&Overrides::default()).unwrap();
        assert_eq!(t.context.as_deref(), Some("prod"));
        assert_eq!(t.connect.len(), 2);
        assert_eq!(t.bootstrap, "kafka:9093");
        assert_eq!(t.topics.offsets, "prod-offsets");
        assert_eq!(t.topics.configs, "connect-configs");
        assert_eq!(t.auth.username.as_deref(), Some("admin"));
        assert_eq!(t.auth.password.env.as_deref(), Some("PROD_PW"));
    }

    #[test]
    fn flags_override_the_context() {
        let o = Overrides {
            context: Some("dev".into()),
            connect: vec!["http://other:8083".into()],
            bootstrap: Some("b:1".into()),
            kafka: vec![("client.id".into(), "x".into())],
        };
        let t = sample().resolve(&o).unwrap();
        assert_eq!(t.connect, ["http://other:8083"]);
        assert_eq!(t.bootstrap, "b:1");
        assert_eq!(t.kafka, [("client.id".to_string(), "x".to_string())]);
    }

    #[test]
    fn no_file_means_local_defaults() {
        let t = ConfigFile::default()
            .resolve(&Overrides::default())
            .unwrap();
        assert_eq!(t.connect, [DEFAULT_CONNECT_URL]);
        assert_eq!(t.bootstrap, DEFAULT_BOOTSTRAP);
        assert_eq!(t.topics, InternalTopics::default());
    }

    #[test]
    fn unknown_context_names_the_known_ones() {
        let o = Overrides {
            context: Some("qa".into()),
            ..Default::default()
        };
        let e = sample().resolve(&o).unwrap_err().to_string();
        assert!(e.contains("\"qa\"") && e.contains("dev, prod"), "{e}");
    }

    #[test]
    fn unknown_keys_are_rejected_with_the_key() {
        let e = toml::from_str::<ConfigFile>("[contexts.a]\nconect = []\n").unwrap_err();
        assert!(e.to_string().contains("conect"), "{e}");
    }

    #[test]
    fn secrets_from_command_and_literal() {
        let s = Secret {
            command: Some("printf 'pw\\n'".into()),
            ..Default::default()
        };
        assert_eq!(s.resolve("password").unwrap().as_deref(), Some("pw"));
        assert_eq!(s.source().unwrap(), "$(printf 'pw\\n')");
        let f = Secret {
            command: Some("exit 3".into()),
            ..Default::default()
        };
        assert!(f.resolve("password").unwrap_err().contains("failed"));
    }

    #[test]
    fn save_and_load_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/config.toml");
        let c = sample();
        c.save(&path).unwrap();
        assert_eq!(ConfigFile::load(&path).unwrap(), c);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn console_key_overrides_are_a_table_per_view() {
        let f: ConfigFile =
            toml::from_str("theme = \"light\"\n[keys.connectors]\npause = \"P\"\n").unwrap();
        assert_eq!(f.keys["connectors"]["pause"], "P");
        assert!(toml::to_string(&f).unwrap().contains("[keys.connectors]"));
    }
}
