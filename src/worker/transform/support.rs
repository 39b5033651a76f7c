//! What the transformations share: the key/value side a `$Key`/`$Value` class works on, the
//! configuration view a transformation is built from, Java's `Requirements` checks and class
//! names for messages, schemaless map access, `SchemaUtil.copySchemaBasics`, the
//! `replace.null.with.default` field read, and the small schema cache Java keeps per instance.

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;

use crate::connect::types::ConfigMap;
use crate::worker::configdef::{self, ConfigDef, ConfigType, Default, Importance, Key};
use crate::worker::data::{ConnectRecord, Schema, SchemaRef, Struct, Value};

/// The record part a `$Key` or `$Value` transformation works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Key,
    Value,
}

impl Side {
    pub fn value(self, record: &ConnectRecord) -> &Value {
        match self {
            Side::Key => &record.key,
            Side::Value => &record.value,
        }
    }

    /// Moves the schema and value out of the record, leaving no schema and a null value.
    pub fn take(self, record: &mut ConnectRecord) -> (Option<SchemaRef>, Value) {
        match self {
            Side::Key => (
                record.key_schema.take(),
                std::mem::replace(&mut record.key, Value::Null),
            ),
            Side::Value => (
                record.value_schema.take(),
                std::mem::replace(&mut record.value, Value::Null),
            ),
        }
    }

    pub fn set(self, record: &mut ConnectRecord, schema: Option<SchemaRef>, value: Value) {
        match self {
            Side::Key => {
                record.key_schema = schema;
                record.key = value;
            }
            Side::Value => {
                record.value_schema = schema;
                record.value = value;
            }
        }
    }
}

/// A configuration problem: the message, in Java's wording where there is one, and the full
/// key it is about (`transforms.a.spec`), if any.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ConfigError {
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// One transformation's or predicate's settings inside a connector config: the keys under
/// `prefix` (`transforms.<alias>.`), read with the defaults of `def`, whose key names carry
/// the prefix too. Values are read as Java's `ConfigDef.parseType` does: strings trimmed,
/// lists split on commas.
pub(crate) struct Conf<'a> {
    prefix: &'a str,
    def: &'a ConfigDef,
    props: &'a ConfigMap,
}

impl<'a> Conf<'a> {
    pub fn new(prefix: &'a str, def: &'a ConfigDef, props: &'a ConfigMap) -> Conf<'a> {
        Conf { prefix, def, props }
    }

    /// The full name of `key` (`transforms.<alias>.<key>`).
    pub fn full(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    fn raw(&self, key: &str) -> Option<&str> {
        let full = self.full(key);
        if let Some(v) = self.props.get(&full) {
            return Some(v);
        }
        match self.def.key(&full).map(|k| &k.default) {
            Some(Default::Value(v)) => Some(v),
            _ => None,
        }
    }

    /// The trimmed value, or the default; `None` when neither is set.
    pub fn string(&self, key: &str) -> Option<String> {
        self.raw(key).map(|v| v.trim().to_string())
    }

    pub fn list(&self, key: &str) -> Vec<String> {
        self.raw(key).map(configdef::list).unwrap_or_default()
    }

    /// Anything but `true` (in any case) is false; `ConfigDef::check` has refused bad values.
    pub fn boolean(&self, key: &str) -> bool {
        self.raw(key)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    }

    pub fn int(&self, key: &str) -> Option<i32> {
        self.raw(key).and_then(|v| v.trim().parse().ok())
    }

    /// Java's `ConfigException(name, value, message)`.
    pub fn invalid(
        &self,
        key: &str,
        value: impl fmt::Display,
        why: impl fmt::Display,
    ) -> ConfigError {
        let full = self.full(key);
        ConfigError {
            message: format!("Invalid value {value} for configuration {full}: {why}"),
            key: Some(full),
        }
    }

    /// A message about `key` that does not follow the `Invalid value` form.
    pub fn error(&self, key: &str, message: impl Into<String>) -> ConfigError {
        ConfigError {
            key: Some(self.full(key)),
            message: message.into(),
        }
    }
}

/// Java prints lists as `[a, b]` in `ConfigException`s.
pub(crate) fn java_list(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
}

/// The key several transformations gained in Kafka 3.9 (KIP-1040).
pub(crate) const REPLACE_NULL: &str = "replace.null.with.default";

pub(crate) fn replace_null_key() -> Key {
    Key::new(
        REPLACE_NULL,
        ConfigType::Boolean,
        Default::Value("true"),
        Importance::Medium,
        "Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.",
    )
}

/// The Java class a value would have, for messages that print `getClass().getName()`.
pub(crate) fn java_class(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Boolean(_) => "java.lang.Boolean",
        Value::Int8(_) => "java.lang.Byte",
        Value::Int16(_) => "java.lang.Short",
        Value::Int32(_) => "java.lang.Integer",
        Value::Int64(_) => "java.lang.Long",
        Value::Float32(_) => "java.lang.Float",
        Value::Float64(_) => "java.lang.Double",
        Value::String(_) => "java.lang.String",
        Value::Bytes(_) => "[B",
        Value::Array(_) => "java.util.ArrayList",
        Value::Map(_) => "java.util.HashMap",
        Value::Struct(_) => "org.apache.kafka.connect.data.Struct",
        Value::Decimal(_) => "java.math.BigDecimal",
    }
}

/// Java's `Requirements.requireMap`.
pub(crate) fn require_map(value: Value, purpose: &str) -> Result<Vec<(Value, Value)>, String> {
    match value {
        Value::Map(entries) => Ok(entries),
        other => Err(not_a_map(&other, purpose)),
    }
}

/// [`require_map`] for a value that stays where it is.
pub(crate) fn as_map<'v>(value: &'v Value, purpose: &str) -> Result<&'v [(Value, Value)], String> {
    match value {
        Value::Map(entries) => Ok(entries),
        other => Err(not_a_map(other, purpose)),
    }
}

fn not_a_map(found: &Value, purpose: &str) -> String {
    format!(
        "Only Map objects supported in absence of schema for [{purpose}], found: {}",
        java_class(found)
    )
}

/// Java's `Requirements.requireStruct`.
pub(crate) fn require_struct(value: Value, purpose: &str) -> Result<Struct, String> {
    match value {
        Value::Struct(s) => Ok(s),
        other => Err(not_a_struct(&other, purpose)),
    }
}

/// [`require_struct`] for a value that stays where it is.
pub(crate) fn as_struct<'v>(value: &'v Value, purpose: &str) -> Result<&'v Struct, String> {
    match value {
        Value::Struct(s) => Ok(s),
        other => Err(not_a_struct(other, purpose)),
    }
}

fn not_a_struct(found: &Value, purpose: &str) -> String {
    format!(
        "Only Struct objects supported for [{purpose}], found: {}",
        java_class(found)
    )
}

/// Java's `Requirements.requireSinkRecord`: only sink records carry a Kafka offset.
pub(crate) fn require_sink_offset(record: &ConnectRecord, purpose: &str) -> Result<i64, String> {
    record.kafka_offset.ok_or_else(|| {
        format!("Only SinkRecord supported for [{purpose}], found: org.apache.kafka.connect.source.SourceRecord")
    })
}

/// Schemaless maps are keyed by strings.
pub(crate) fn map_get<'m>(entries: &'m [(Value, Value)], name: &str) -> Option<&'m Value> {
    entries
        .iter()
        .find(|(k, _)| k.as_str() == Some(name))
        .map(|(_, v)| v)
}

/// Replaces the entry in place, or appends it, as a `LinkedHashMap.put`.
pub(crate) fn map_put(entries: &mut Vec<(Value, Value)>, name: &str, value: Value) {
    match entries.iter_mut().find(|(k, _)| k.as_str() == Some(name)) {
        Some(entry) => entry.1 = value,
        None => entries.push((Value::String(name.to_string()), value)),
    }
}

pub(crate) fn map_remove(entries: &mut Vec<(Value, Value)>, name: &str) {
    entries.retain(|(k, _)| k.as_str() != Some(name));
}

/// A struct field's value by position; with `replace_null`, a null reads as the field's
/// default (Java's `Struct.get` against `getWithoutDefault`).
pub(crate) fn field_value(s: &Struct, index: usize, replace_null: bool) -> Value {
    let value = s.values.get(index).cloned().unwrap_or(Value::Null);
    if replace_null && value.is_null() {
        if let Some(default) = s
            .schema
            .fields
            .get(index)
            .and_then(|f| f.schema.default.clone())
        {
            return default;
        }
    }
    value
}

/// Java's `SchemaUtil.copySchemaBasics(source, builder)`: name, version, doc and parameters,
/// but not optionality or the default.
pub(crate) fn copy_basics(from: &Schema, mut to: Schema) -> Schema {
    to.name.clone_from(&from.name);
    to.version = from.version;
    to.doc.clone_from(&from.doc);
    to.parameters.clone_from(&from.parameters);
    to
}

/// Builds a struct of `schema` from `(field name, value)` pairs, checking each value as Java's
/// `Struct.put` does.
pub(crate) fn build_struct(
    schema: &SchemaRef,
    values: impl IntoIterator<Item = (String, Value)>,
) -> Result<Struct, String> {
    let mut out = Struct::new(schema.clone()).map_err(|e| e.to_string())?;
    for (name, value) in values {
        out.put(&name, value).map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// Java keeps the last 16 schema translations per transformation; sharing the translated
/// `Arc` also lets converters downstream recognise a schema they have seen.
#[derive(Default)]
pub(crate) struct SchemaCache {
    entries: RefCell<Vec<(SchemaRef, SchemaRef)>>,
}

const SCHEMA_CACHE_SIZE: usize = 16;

impl SchemaCache {
    pub fn get_or_build(
        &self,
        schema: &SchemaRef,
        build: impl FnOnce(&Schema) -> Result<Schema, String>,
    ) -> Result<SchemaRef, String> {
        let hit = self
            .entries
            .borrow()
            .iter()
            .find(|(from, _)| Arc::ptr_eq(from, schema) || **from == **schema)
            .map(|(_, to)| to.clone());
        if let Some(hit) = hit {
            return Ok(hit);
        }
        let built = Arc::new(build(schema)?);
        let mut entries = self.entries.borrow_mut();
        if entries.len() >= SCHEMA_CACHE_SIZE {
            entries.remove(0);
        }
        entries.push((schema.clone(), built.clone()));
        Ok(built)
    }
}

/// Rust's regex errors span several lines with a caret diagram; the last line says what is wrong.
pub(crate) fn regex_error_text(e: &regex::Error) -> String {
    let text = e.to_string();
    text.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .to_string()
}

/// Java's `Matcher.matches()`: the whole text must match.
pub(crate) fn full_match_regex(pattern: &str) -> Result<regex::Regex, String> {
    regex::Regex::new(&format!("^(?:{pattern})$"))
        .map_err(|e| format!("Invalid regex: {}", regex_error_text(&e)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::data::Type;

    #[test]
    fn side_moves_schema_and_value() {
        let mut r = ConnectRecord::new("t".into(), Some(Schema::string()), Value::from("v"))
            .with_key(Some(Schema::int32()), Value::Int32(1));
        let (schema, value) = Side::Key.take(&mut r);
        assert_eq!(
            (schema.map(|s| s.kind), value),
            (Some(Type::Int32), Value::Int32(1))
        );
        assert!(r.key.is_null() && r.key_schema.is_none());
        Side::Value.set(&mut r, None, Value::Int64(2));
        assert_eq!(Side::Value.value(&r), &Value::Int64(2));
        assert!(r.value_schema.is_none());
    }

    #[test]
    fn requirements_name_java_classes() {
        let err = require_map(Value::from("x"), "p").unwrap_err();
        assert_eq!(
            err,
            "Only Map objects supported in absence of schema for [p], found: java.lang.String"
        );
        let err = require_struct(Value::Null, "q").unwrap_err();
        assert_eq!(err, "Only Struct objects supported for [q], found: null");
        let r = ConnectRecord::new("t".into(), None, Value::Null);
        assert!(require_sink_offset(&r, "x")
            .unwrap_err()
            .contains("SourceRecord"));
    }

    #[test]
    fn map_helpers_keep_order() {
        let mut m = vec![(Value::from("a"), Value::Int32(1))];
        map_put(&mut m, "b", Value::Int32(2));
        map_put(&mut m, "a", Value::Int32(3));
        assert_eq!(map_get(&m, "a"), Some(&Value::Int32(3)));
        assert_eq!(m[1].0, Value::from("b"));
        map_remove(&mut m, "a");
        assert_eq!(m.len(), 1);
        assert_eq!(map_get(&m, "a"), None);
    }

    #[test]
    fn field_value_reads_defaults_only_when_asked() {
        let schema: SchemaRef = Arc::new(
            Schema::struct_builder()
                .field(
                    "a",
                    Schema::new(Type::Int32)
                        .optional()
                        .default_value(Value::Int32(7))
                        .unwrap(),
                )
                .build(),
        );
        let s = Struct::new(schema).unwrap();
        assert_eq!(field_value(&s, 0, true), Value::Int32(7));
        assert_eq!(field_value(&s, 0, false), Value::Null);
        assert_eq!(field_value(&s, 5, true), Value::Null);
    }

    #[test]
    fn cache_returns_the_same_arc_for_equal_schemas() {
        let cache = SchemaCache::default();
        let a: SchemaRef = Arc::new(Schema::new(Type::Int32));
        let b: SchemaRef = Arc::new(Schema::new(Type::Int32));
        let first = cache
            .get_or_build(&a, |s| Ok(s.clone().optional()))
            .unwrap();
        let second = cache
            .get_or_build(&b, |_| Err("not called".into()))
            .unwrap();
        assert!(Arc::ptr_eq(&first, &second));
        assert!(cache
            .get_or_build(&Schema::string(), |_| Err("boom".into()))
            .is_err());
    }

    #[test]
    fn regex_errors_are_one_line() {
        let err = full_match_regex("a(").unwrap_err();
        assert!(
            err.starts_with("Invalid regex: ") && !err.contains('\n'),
            "{err}"
        );
        assert!(full_match_regex("a|ab").unwrap().is_match("ab"));
        assert!(!full_match_regex("a").unwrap().is_match("ab"));
    }

    #[test]
    fn conf_reads_values_defaults_and_formats_errors() {
        let def = ConfigDef::new().plain(
            Key::new(
                "x",
                ConfigType::List,
                Default::Value("a, b"),
                Importance::Low,
                "d",
            ),
            configdef::Validator::Any,
        );
        let def = crate::worker::transform::registry::prefixed(&def, "transforms.t.");
        let mut props = ConfigMap::new();
        props.insert("transforms.t.flag".into(), " TRUE ".into());
        props.insert("transforms.t.n".into(), "5".into());
        let conf = Conf::new("transforms.t.", &def, &props);
        assert_eq!(conf.list("x"), ["a", "b"]);
        assert!(conf.boolean("flag"));
        assert_eq!(conf.int("n"), Some(5));
        assert_eq!(conf.string("missing"), None);
        let e = conf.invalid("x", "v", "why");
        assert_eq!(
            e.message,
            "Invalid value v for configuration transforms.t.x: why"
        );
        assert_eq!(e.key.as_deref(), Some("transforms.t.x"));
    }
}
