//! kcat's client-configuration rules: `-X prop=val`, `-F file`, `$KCAT_CONFIG`, the default
//! `~/.config/kcat.conf`, the Java-properties shims, and `-X dump` / `-X list`.

use std::ffi::{CStr, CString};
use std::io::Write;
use std::path::{Path, PathBuf};

use rdkafka::bindings as rd;
use rdkafka::config::ClientConfig;

use crate::config::mask::mask_property;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// `-X foo` without `=`; kcat prints this without the `ERROR:` prefix.
    #[error("Expected -X property=value, not {0}, use -X list to display available properties")]
    MissingEquals(String),
    /// librdkafka refused a property; the text is librdkafka's own.
    #[error("{0}")]
    Rejected(String),
    #[error("{path}:{line}: expected property=value")]
    Syntax { path: String, line: usize },
    #[error("Failed to open {path}: {reason}")]
    Open { path: String, reason: String },
    #[error("Java JAAS configuration is not supported, see https://github.com/confluentinc/librdkafka/wiki/Using-SASL-with-librdkafka for more information.")]
    Jaas,
    #[error("This build of kct lacks Avro/Schema-Registry support")]
    SchemaRegistry,
    /// A problem on one line of a configuration file, located as kcat does.
    #[error("{path}:{line}: {error}")]
    InFile {
        path: String,
        line: usize,
        error: Box<ConfigError>,
    },
}

/// Properties in the order they were given; a later setting of the same name wins.
#[derive(Debug, Default, Clone)]
pub struct KcatConfig {
    props: Vec<(String, String)>,
    /// A `-F` file was read: `$KCAT_CONFIG` and the default files are skipped.
    file_read: bool,
    /// `-F -` or `-F none`: only the default files are skipped.
    search_disabled: bool,
    /// Notices for stderr with the verbosity they need (file names read, deprecations).
    pub notices: Vec<(i32, String)>,
}

impl KcatConfig {
    /// `-X prop=val`.
    pub fn set_arg(&mut self, arg: &str) -> Result<(), ConfigError> {
        let Some((name, value)) = arg.split_once('=') else {
            return Err(ConfigError::MissingEquals(arg.to_string()));
        };
        self.set(name, value)
    }

    /// Sets one property, checked against librdkafka at once so the error names it.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), ConfigError> {
        let name = check(name, value)?;
        self.put(name, value);
        Ok(())
    }

    fn put(&mut self, name: &str, value: &str) {
        self.props.retain(|(n, _)| n != name);
        self.props.push((name.to_string(), value.to_string()));
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.props
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// `-F file`: read in place; `-F -` and `-F none` only disable the default files.
    pub fn read_arg_file(&mut self, path: &str) -> Result<(), ConfigError> {
        if path == "-" || path == "none" {
            self.search_disabled = true;
            return Ok(());
        }
        self.file_read = true;
        self.extend(read_file(Path::new(path))?);
        Ok(())
    }

    /// Adds properties `read_file` has already checked.
    fn extend(&mut self, props: Vec<(String, String)>) {
        for (name, value) in props {
            self.put(&name, &value);
        }
    }

    /// Reads `$KCAT_CONFIG` (or the deprecated `$KAFKACAT_CONFIG`) or else the default file, unless
    /// `-F` was given. Unlike kcat, what these files say never overrides `-X` on the command line.
    pub fn load_defaults(&mut self, home: Option<&Path>) -> Result<(), ConfigError> {
        if self.file_read {
            return Ok(());
        }
        let home = if self.search_disabled { None } else { home };
        let file = match default_file(home, &mut self.notices) {
            Some(file) => file,
            None => return Ok(()),
        };
        let command_line = std::mem::take(&mut self.props);
        self.extend(read_file(&file)?);
        for (name, value) in command_line {
            self.put(&name, &value);
        }
        Ok(())
    }

    pub fn has_brokers(&self) -> bool {
        self.contains("bootstrap.servers") || self.contains("metadata.broker.list")
    }

    pub fn client_config(&self) -> ClientConfig {
        let mut cc = ClientConfig::new();
        for (name, value) in &self.props {
            cc.set(name, value);
        }
        cc
    }

    /// `-X dump`: librdkafka's view of every property, secrets masked (kcat printed them).
    pub fn dump(&self, out: &mut impl Write) -> Result<(), ConfigError> {
        let native = self
            .client_config()
            .create_native_config()
            .map_err(|e| ConfigError::Rejected(e.to_string()))?;
        // SAFETY: `native` owns a valid rd_kafka_conf_t for the duration of these calls; the dumped
        // arrays are freed with rd_kafka_conf_dump_free as librdkafka requires.
        unsafe {
            let conf = native.ptr();
            let mut cnt = 0usize;
            let arr = rd::rd_kafka_conf_dump(conf, &mut cnt);
            let _ = writeln!(out, "# Global config");
            write_pairs(out, arr, cnt);
            rd::rd_kafka_conf_dump_free(arr, cnt);

            let mut topic_conf = rd::rd_kafka_conf_get_default_topic_conf(conf);
            let own_topic_conf = topic_conf.is_null();
            if own_topic_conf {
                topic_conf = rd::rd_kafka_topic_conf_new();
            }
            let arr = rd::rd_kafka_topic_conf_dump(topic_conf, &mut cnt);
            let _ = writeln!(out, "\n# Topic config");
            write_pairs(out, arr, cnt);
            rd::rd_kafka_conf_dump_free(arr, cnt);
            if own_topic_conf {
                rd::rd_kafka_topic_conf_destroy(topic_conf);
            }
        }
        let _ = writeln!(out);
        Ok(())
    }
}

/// `-X list`: librdkafka's own property table, written to stdout.
pub fn print_property_list() {
    let _ = std::io::stdout().flush();
    // SAFETY: fd 1 stays open for the process; the FILE is flushed and not closed, so the fd
    // remains usable afterwards.
    unsafe {
        let mode = CString::new("w").expect("static mode string");
        let fp = libc::fdopen(1, mode.as_ptr());
        if !fp.is_null() {
            rd::rd_kafka_conf_properties_show(fp);
            libc::fflush(fp);
        }
    }
}

/// # Safety
/// `arr` must hold `cnt` valid C strings, as returned by rd_kafka_conf_dump.
unsafe fn write_pairs(out: &mut impl Write, arr: *mut *const libc::c_char, cnt: usize) {
    for i in (0..cnt).step_by(2) {
        let name = CStr::from_ptr(*arr.add(i)).to_string_lossy();
        let value = CStr::from_ptr(*arr.add(i + 1)).to_string_lossy();
        let _ = writeln!(out, "{} = {}", name, mask_property(&name, &value));
    }
}

/// Checks one property against librdkafka; returns the name to set (`topic.` stripped: the
/// global configuration falls through to the default topic configuration).
fn check<'a>(name: &'a str, value: &str) -> Result<&'a str, ConfigError> {
    if name.starts_with("schema.registry.") {
        return Err(ConfigError::SchemaRegistry);
    }
    let name = name.strip_prefix("topic.").unwrap_or(name);
    validate(name, value)?;
    Ok(name)
}

fn validate(name: &str, value: &str) -> Result<(), ConfigError> {
    let mut cc = ClientConfig::new();
    cc.set(name, value);
    match cc.create_native_config() {
        Ok(_) => Ok(()),
        Err(rdkafka::error::KafkaError::ClientConfig(_, desc, _, _)) => {
            Err(ConfigError::Rejected(desc))
        }
        Err(e) => Err(ConfigError::Rejected(e.to_string())),
    }
}

/// Which file kcat would read when no `-F` file was given, with its notices: `$KCAT_CONFIG`
/// (said at verbosity 1), else the default files (said at `-v -v`).
fn default_file(home: Option<&Path>, notices: &mut Vec<(i32, String)>) -> Option<PathBuf> {
    let reading = |path: &Path| format!("% Reading configuration from file {}", path.display());
    if let Some(path) = std::env::var_os("KCAT_CONFIG").filter(|v| !v.is_empty()) {
        let path = PathBuf::from(path);
        notices.push((1, reading(&path)));
        return Some(path);
    }
    if let Some(path) = std::env::var_os("KAFKACAT_CONFIG").filter(|v| !v.is_empty()) {
        let path = PathBuf::from(path);
        notices.push((1, "% KAFKACAT_CONFIG is deprecated!".into()));
        notices.push((1, "% Rename KAFKACAT_CONFIG to KCAT_CONFIG".into()));
        notices.push((1, reading(&path)));
        return Some(path);
    }
    let dir = home?.join(".config");
    let kcat = dir.join("kcat.conf");
    if kcat.is_file() {
        notices.push((3, reading(&kcat)));
        return Some(kcat);
    }
    let old = dir.join("kafkacat.conf");
    if old.is_file() {
        notices.push((
            1,
            "% Configuration filename kafkacat.conf is deprecated!".into(),
        ));
        notices.push((
            1,
            format!("% Rename {} to {}", old.display(), kcat.display()),
        ));
        notices.push((3, reading(&old)));
        return Some(old);
    }
    None
}

/// Reads a kcat configuration file: `name=value` lines, `#` comments, Java `\:`/`\=` escapes.
/// Every property is checked against librdkafka; errors name the file and line, as kcat's do.
pub fn read_file(path: &Path) -> Result<Vec<(String, String)>, ConfigError> {
    let text = std::fs::read(path).map_err(|e| ConfigError::Open {
        path: path.display().to_string(),
        reason: crate::io_error::io_error_text(&e),
    })?;
    let text = String::from_utf8_lossy(&text);
    let mut props = Vec::new();
    for (idx, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((name, value)) = line.split_once('=') else {
            return Err(ConfigError::Syntax {
                path: path.display().to_string(),
                line: idx + 1,
            });
        };
        let value = value.replace("\\:", ":").replace("\\=", "=");
        let at_line = |error| ConfigError::InFile {
            path: path.display().to_string(),
            line: idx + 1,
            error: Box::new(error),
        };
        let pairs = match java_shim(name, &value).map_err(at_line)? {
            Shim::Keep => vec![(name.to_string(), value)],
            Shim::Drop => vec![],
            Shim::Replace(pairs) => pairs,
        };
        for (name, value) in pairs {
            let name = check(&name, &value).map_err(at_line)?.to_string();
            props.push((name, value));
        }
    }
    Ok(props)
}

/// A Java client property as librdkafka properties: translated by the shims, then checked by
/// librdkafka. For clients built from Java configuration files (the worker's).
pub fn java_to_librdkafka(name: &str, value: &str) -> Result<Vec<(String, String)>, String> {
    let pairs = match java_shim(name, value).map_err(|e| e.to_string())? {
        Shim::Keep => vec![(name.to_string(), value.to_string())],
        Shim::Drop => Vec::new(),
        Shim::Replace(pairs) => pairs,
    };
    for (n, v) in &pairs {
        validate(n, v).map_err(|e| e.to_string())?;
    }
    Ok(pairs)
}

enum Shim {
    Keep,
    Drop,
    Replace(Vec<(String, String)>),
}

/// Java client properties that librdkafka does not know, translated where possible.
fn java_shim(name: &str, value: &str) -> Result<Shim, ConfigError> {
    match name {
        "ssl.endpoint.identification.algorithm" => Ok(Shim::Drop),
        "sasl.jaas.config" => {
            let login_module = value.split_whitespace().next().unwrap_or("");
            // kcat only knew PLAIN; SCRAM's JAAS line carries the same username/password pair.
            if !(login_module.ends_with("PlainLoginModule")
                || login_module.ends_with("ScramLoginModule"))
            {
                return Err(ConfigError::Jaas);
            }
            let user = jaas_option(value, "username").ok_or(ConfigError::Jaas)?;
            let pass = jaas_option(value, "password").ok_or(ConfigError::Jaas)?;
            Ok(Shim::Replace(vec![
                ("sasl.username".into(), user),
                ("sasl.password".into(), pass),
            ]))
        }
        _ => Ok(Shim::Keep),
    }
}

fn jaas_option(jaas: &str, key: &str) -> Option<String> {
    let pattern = format!("{key}=\"");
    let start = jaas.find(&pattern)? + pattern.len();
    let end = jaas[start..].find('"')? + start;
    Some(jaas[start..end].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn x_without_equals_is_an_error() {
        let mut c = KcatConfig::default();
        assert_eq!(
            c.set_arg("foo").unwrap_err().to_string(),
            "Expected -X property=value, not foo, use -X list to display available properties"
        );
    }

    #[test]
    fn unknown_property_uses_librdkafka_text() {
        let mut c = KcatConfig::default();
        let e = c.set_arg("foo.bar=1").unwrap_err().to_string();
        assert_eq!(e, "No such configuration property: \"foo.bar\"");
    }

    #[test]
    fn topic_prefix_is_stripped_and_later_wins() {
        let mut c = KcatConfig::default();
        c.set_arg("topic.partitioner=murmur2").unwrap();
        c.set_arg("client.id=a").unwrap();
        c.set_arg("client.id=b").unwrap();
        assert_eq!(c.get("partitioner"), Some("murmur2"));
        assert_eq!(c.get("client.id"), Some("b"));
    }

    #[test]
    fn file_parsing_and_shims() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "c.properties",
            "# comment\n  client.id=x#kept  \nssl.endpoint.identification.algorithm=https\n\
             sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";\n\
             bootstrap.servers=h\\:9092\n",
        );
        let props = read_file(&p).unwrap();
        assert_eq!(
            props,
            vec![
                ("client.id".into(), "x#kept".into()),
                ("sasl.username".into(), "u".into()),
                ("sasl.password".into(), "p".into()),
                ("bootstrap.servers".into(), "h:9092".into()),
            ]
        );
    }

    #[test]
    fn file_syntax_error_names_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "c", "client.id=b\nnonsense\n");
        let e = read_file(&p).unwrap_err().to_string();
        assert!(e.ends_with(":2: expected property=value"), "{e}");
    }

    #[test]
    fn file_property_errors_name_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "c", "# x\nclient.id=b\nno.such.property=1\n");
        let e = read_file(&p).unwrap_err().to_string();
        assert!(
            e.ends_with("c:3: No such configuration property: \"no.such.property\""),
            "{e}"
        );
    }

    #[test]
    fn other_jaas_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "c",
            "sasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required;\n",
        );
        let e = read_file(&p).unwrap_err();
        assert!(
            matches!(&e, ConfigError::InFile { line: 1, error, .. } if **error == ConfigError::Jaas),
            "{e}"
        );
    }

    #[test]
    fn default_file_does_not_override_command_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".config")).unwrap();
        write(
            &dir.path().join(".config"),
            "kcat.conf",
            "client.id=fromfile\nsocket.timeout.ms=1234\n",
        );
        let mut c = KcatConfig::default();
        c.set_arg("client.id=fromX").unwrap();
        c.load_defaults(Some(dir.path())).unwrap();
        assert_eq!(c.get("client.id"), Some("fromX"));
        assert_eq!(c.get("socket.timeout.ms"), Some("1234"));
    }

    #[test]
    fn dump_masks_secrets() {
        let mut c = KcatConfig::default();
        c.set_arg("sasl.password=hunter2").unwrap();
        let mut out = Vec::new();
        c.dump(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("# Global config\n"));
        assert!(text.contains("\n# Topic config\n"));
        assert!(!text.contains("hunter2"));
        assert!(text.contains("sasl.password = [hidden]"));
    }
}
