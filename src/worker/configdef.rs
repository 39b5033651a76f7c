//! Config definitions (the Rust form of Java's `ConfigDef`): typed keys with defaults,
//! validators, groups and display data, parsed and validated the way Connect's
//! `/config/validate` and `GET /connector-plugins/{p}/config` report them.

use crate::connect::types::{ConfigInfo, ConfigKeyInfo, ConfigMap, ConfigValueInfo};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigType {
    Boolean,
    String,
    Int,
    Short,
    Long,
    Double,
    List,
    Class,
    Password,
}

impl ConfigType {
    pub fn as_str(self) -> &'static str {
        match self {
            ConfigType::Boolean => "BOOLEAN",
            ConfigType::String => "STRING",
            ConfigType::Int => "INT",
            ConfigType::Short => "SHORT",
            ConfigType::Long => "LONG",
            ConfigType::Double => "DOUBLE",
            ConfigType::List => "LIST",
            ConfigType::Class => "CLASS",
            ConfigType::Password => "PASSWORD",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Importance {
    High,
    Medium,
    Low,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    None,
    Short,
    Medium,
    Long,
}

/// What a key's value must satisfy beyond its type.
#[derive(Debug, Clone)]
pub enum Validator {
    Any,
    NonEmptyString,
    /// A connector name: non-empty, no ISO control characters (KIP-212).
    Name,
    AtLeast(i64),
    Between(i64, i64),
    /// One of these strings, compared ignoring case.
    OneOf(&'static [&'static str]),
}

/// A key's default: none (the key is required), null, or a value in its string form.
#[derive(Debug, Clone, PartialEq)]
pub enum Default {
    Required,
    Null,
    Value(&'static str),
}

#[derive(Debug, Clone)]
pub struct ConfigKey {
    pub name: String,
    pub kind: ConfigType,
    pub default: Default,
    pub validator: Validator,
    pub importance: Importance,
    pub documentation: &'static str,
    pub group: Option<&'static str>,
    pub order: i32,
    pub width: Width,
    pub display_name: String,
}

/// An ordered set of keys; `define` numbers keys within their group as Java's `++orderInGroup`.
#[derive(Debug, Clone, Default)]
pub struct ConfigDef {
    pub keys: Vec<ConfigKey>,
}

/// One key's definition, written compactly at the call site.
pub struct Key {
    pub name: &'static str,
    pub kind: ConfigType,
    pub default: Default,
    pub importance: Importance,
    pub doc: &'static str,
}

impl Key {
    pub const fn new(
        name: &'static str,
        kind: ConfigType,
        default: Default,
        importance: Importance,
        doc: &'static str,
    ) -> Key {
        Key {
            name,
            kind,
            default,
            importance,
            doc,
        }
    }
}

impl ConfigDef {
    pub fn new() -> Self {
        ConfigDef::default()
    }

    /// Adds a key in `group` (or none), with a display name and width, as the long form of
    /// Java's `define`.
    pub fn define(
        mut self,
        key: Key,
        validator: Validator,
        group: Option<&'static str>,
        width: Width,
        display_name: &str,
    ) -> Self {
        let order = match group {
            Some(g) => self.keys.iter().filter(|k| k.group == Some(g)).count() as i32 + 1,
            None => -1,
        };
        self.keys.push(ConfigKey {
            name: key.name.to_string(),
            kind: key.kind,
            default: key.default,
            validator,
            importance: key.importance,
            documentation: key.doc,
            group,
            order,
            width,
            display_name: display_name.to_string(),
        });
        self
    }

    /// Adds a key without display information (`group:null`, `order:-1`, width NONE, the
    /// display name is the key).
    pub fn plain(self, key: Key, validator: Validator) -> Self {
        let name = key.name;
        self.define(key, validator, None, Width::None, name)
    }

    /// Keys of `other` are added after these; a key defined here wins (the plugin's own keys
    /// override the framework's, as Connect merges them).
    pub fn merge(mut self, other: &ConfigDef) -> Self {
        for k in &other.keys {
            if let Some(i) = self.keys.iter().position(|x| x.name == k.name) {
                self.keys[i] = k.clone();
            } else {
                self.keys.push(k.clone());
            }
        }
        self
    }

    pub fn key(&self, name: &str) -> Option<&ConfigKey> {
        self.keys.iter().find(|k| k.name == name)
    }

    /// Groups in the order their first key was defined.
    pub fn groups(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for g in self.keys.iter().filter_map(|k| k.group) {
            if !out.iter().any(|x| x == g) {
                out.push(g.to_string());
            }
        }
        out
    }

    pub fn key_infos(&self) -> Vec<ConfigKeyInfo> {
        self.keys.iter().map(ConfigKey::info).collect()
    }

    /// Validates `props` key by key: one `ConfigInfo` per defined key, in definition order.
    pub fn validate(&self, props: &ConfigMap) -> Vec<ConfigInfo> {
        self.keys
            .iter()
            .map(|k| ConfigInfo {
                definition: Some(k.info()),
                value: Some(k.validate(props.get(&k.name).map(String::as_str))),
            })
            .collect()
    }

    /// The first error of `props`, in Java's `ConfigException` wording, for places that refuse
    /// to start (a task's config) rather than report every field.
    pub fn check(&self, props: &ConfigMap) -> Result<(), String> {
        for k in &self.keys {
            if let Some(e) = k
                .validate(props.get(&k.name).map(String::as_str))
                .errors
                .into_iter()
                .next()
            {
                return Err(e);
            }
        }
        Ok(())
    }
}

impl ConfigKey {
    pub fn info(&self) -> ConfigKeyInfo {
        ConfigKeyInfo {
            name: self.name.clone(),
            kind: self.kind.as_str().to_string(),
            required: self.default == Default::Required,
            default_value: match self.default {
                Default::Value(v) => Some(v.to_string()),
                _ => None,
            },
            importance: match self.importance {
                Importance::High => "HIGH",
                Importance::Medium => "MEDIUM",
                Importance::Low => "LOW",
            }
            .to_string(),
            documentation: Some(self.documentation.to_string()),
            group: self.group.map(str::to_string),
            order: self.order,
            width: match self.width {
                Width::None => "NONE",
                Width::Short => "SHORT",
                Width::Medium => "MEDIUM",
                Width::Long => "LONG",
            }
            .to_string(),
            display_name: self.display_name.clone(),
            dependents: Vec::new(),
        }
    }

    fn validate(&self, given: Option<&str>) -> ConfigValueInfo {
        let mut errors = Vec::new();
        let value: Option<String> = match (given, &self.default) {
            (Some(v), _) => Some(v.to_string()),
            (None, Default::Value(v)) => Some(v.to_string()),
            (None, Default::Null) => None,
            (None, Default::Required) => {
                errors.push(format!(
                    "Missing required configuration \"{}\" which has no default value.",
                    self.name
                ));
                None
            }
        };
        if let Some(v) = &value {
            if let Err(e) = self.check_value(v) {
                errors.push(e);
            }
        }
        let shown = match (self.kind, &value) {
            (ConfigType::Password, Some(_)) => Some("[hidden]".to_string()),
            _ => value,
        };
        ConfigValueInfo {
            name: self.name.clone(),
            value: shown,
            recommended_values: Vec::new(),
            errors,
            visible: true,
        }
    }

    fn check_value(&self, v: &str) -> Result<(), String> {
        let invalid =
            |why: &str| format!("Invalid value {v} for configuration {}: {why}", self.name);
        let trimmed = v.trim();
        let number = match self.kind {
            ConfigType::Int => Some(trimmed.parse::<i32>().map(i64::from)),
            ConfigType::Short => Some(trimmed.parse::<i16>().map(i64::from)),
            ConfigType::Long => Some(trimmed.parse::<i64>()),
            _ => None,
        };
        match self.kind {
            ConfigType::Boolean
                if !trimmed.eq_ignore_ascii_case("true")
                    && !trimmed.eq_ignore_ascii_case("false") =>
            {
                return Err(invalid("Expected value to be either true or false"));
            }
            ConfigType::Double if trimmed.parse::<f64>().is_err() => {
                return Err(invalid("Not a number of type DOUBLE"));
            }
            _ => {}
        }
        if let Some(Err(_)) = number {
            return Err(invalid(&format!(
                "Not a number of type {}",
                self.kind.as_str()
            )));
        }
        let n = number.and_then(Result::ok);
        match (&self.validator, n) {
            (Validator::AtLeast(min), Some(n)) if n < *min => {
                Err(invalid(&format!("Value must be at least {min}")))
            }
            (Validator::Between(lo, hi), Some(n)) if n < *lo || n > *hi => Err(invalid(&format!(
                "Value must be no less than {lo} and no more than {hi}"
            ))),
            (Validator::NonEmptyString, _) if v.is_empty() => {
                Err(invalid("String must be non-empty"))
            }
            (Validator::Name, _) if v.trim().is_empty() => Err(invalid("String must be non-empty")),
            (Validator::Name, _) if v.chars().any(char::is_control) => {
                Err(invalid("String must not contain ISO control characters"))
            }
            (Validator::OneOf(allowed), _)
                if !allowed.iter().any(|a| a.eq_ignore_ascii_case(trimmed)) =>
            {
                Err(invalid(&format!(
                    "String must be one of: {}",
                    allowed.join(", ")
                )))
            }
            _ => Ok(()),
        }
    }
}

/// Splits a LIST value as Java does: on commas, trimmed, empty input = empty list.
pub fn list(v: &str) -> Vec<String> {
    if v.trim().is_empty() {
        return Vec::new();
    }
    v.split(',').map(|s| s.trim().to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def() -> ConfigDef {
        ConfigDef::new()
            .define(
                Key::new(
                    "name",
                    ConfigType::String,
                    Default::Required,
                    Importance::High,
                    "n",
                ),
                Validator::Name,
                Some("Common"),
                Width::Medium,
                "Connector name",
            )
            .define(
                Key::new(
                    "tasks.max",
                    ConfigType::Int,
                    Default::Value("1"),
                    Importance::High,
                    "t",
                ),
                Validator::AtLeast(1),
                Some("Common"),
                Width::Short,
                "Tasks max",
            )
            .plain(
                Key::new(
                    "topic",
                    ConfigType::String,
                    Default::Required,
                    Importance::High,
                    "The topic",
                ),
                Validator::NonEmptyString,
            )
            .plain(
                Key::new(
                    "secret",
                    ConfigType::Password,
                    Default::Null,
                    Importance::Low,
                    "s",
                ),
                Validator::Any,
            )
    }

    #[test]
    fn missing_and_invalid_values_use_java_messages() {
        let mut p = ConfigMap::new();
        p.insert("name".into(), "c".into());
        p.insert("tasks.max".into(), "0".into());
        p.insert("secret".into(), "hunter2".into());
        let infos = def().validate(&p);
        let errs: Vec<&String> = infos
            .iter()
            .flat_map(|i| &i.value.as_ref().unwrap().errors)
            .collect();
        assert_eq!(
            errs,
            [
                "Invalid value 0 for configuration tasks.max: Value must be at least 1",
                "Missing required configuration \"topic\" which has no default value."
            ]
        );
        assert_eq!(
            infos[3].value.as_ref().unwrap().value.as_deref(),
            Some("[hidden]")
        );
        p.insert("tasks.max".into(), "x".into());
        assert_eq!(
            def().check(&p).unwrap_err(),
            "Invalid value x for configuration tasks.max: Not a number of type INT"
        );
    }

    #[test]
    fn key_info_shapes_and_group_order() {
        let d = def();
        let k = d.key_infos();
        assert_eq!((k[0].order, k[1].order, k[2].order), (1, 2, -1));
        assert_eq!(k[2].group, None);
        assert_eq!(k[2].display_name, "topic");
        assert_eq!(k[1].default_value.as_deref(), Some("1"));
        assert!(k[0].required && !k[1].required);
        assert_eq!(d.groups(), ["Common"]);
    }
}
