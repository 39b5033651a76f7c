//! Converters between Connect data and record bytes (Java's `Converter` and `HeaderConverter`),
//! and the factory that builds the built-in ones from their Java class names and configs.

mod bytes;
mod json;
mod json_text;
mod number;
mod simple_header;
mod string;

use std::borrow::Cow;

use indexmap::IndexMap;

use crate::worker::data::{DataError, Schema, SchemaAndValue, Type, Value};

pub use bytes::ByteArrayConverter;
pub use json::{from_json_value, to_json_bytes, to_json_value, DecimalFormat, JsonConverter};
pub use number::PrimitiveConverter;
pub use simple_header::SimpleHeaderConverter;
pub use string::{Charset, StringConverter};

/// Record keys and values ⇄ bytes. The method names are Java's (`fromConnectData`, …), hence
/// `from_*` taking `self`.
#[allow(clippy::wrong_self_convention)]
pub trait Converter: Send + Sync {
    /// `None` is a null record (a tombstone).
    fn from_connect(
        &self,
        topic: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, DataError>;
    /// `from_connect`, borrowing the value's own bytes where they already are the record's
    /// bytes (a UTF-8 string, raw bytes), so the hot path copies nothing.
    fn from_connect_ref<'v>(
        &self,
        topic: &str,
        schema: Option<&Schema>,
        value: &'v Value,
    ) -> Result<Option<Cow<'v, [u8]>>, DataError> {
        Ok(self.from_connect(topic, schema, value)?.map(Cow::Owned))
    }
    fn to_connect(&self, topic: &str, bytes: Option<&[u8]>) -> Result<SchemaAndValue, DataError>;
}

/// Record headers ⇄ bytes.
#[allow(clippy::wrong_self_convention)]
pub trait HeaderConverter: Send + Sync {
    fn from_connect_header(
        &self,
        topic: &str,
        key: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, DataError>;
    fn to_connect_header(
        &self,
        topic: &str,
        key: &str,
        bytes: Option<&[u8]>,
    ) -> Result<SchemaAndValue, DataError>;
}

/// A converter that cannot be built from its class name and config.
#[derive(Debug, thiserror::Error)]
pub enum ConverterError {
    #[error("Converter class {class} is not available; the built-in ones are: {}", known.join(", "))]
    UnknownClass {
        class: String,
        known: &'static [&'static str],
    },
    /// Java's `ConfigException` text.
    #[error("Invalid value {value} for configuration {key}: {reason}")]
    InvalidConfig {
        key: String,
        value: String,
        reason: String,
    },
}

const JSON: &str = "org.apache.kafka.connect.json.JsonConverter";
const STRING: &str = "org.apache.kafka.connect.storage.StringConverter";
const BYTE_ARRAY: &str = "org.apache.kafka.connect.converters.ByteArrayConverter";
const BOOLEAN: &str = "org.apache.kafka.connect.converters.BooleanConverter";
const SHORT: &str = "org.apache.kafka.connect.converters.ShortConverter";
const INTEGER: &str = "org.apache.kafka.connect.converters.IntegerConverter";
const LONG: &str = "org.apache.kafka.connect.converters.LongConverter";
const FLOAT: &str = "org.apache.kafka.connect.converters.FloatConverter";
const DOUBLE: &str = "org.apache.kafka.connect.converters.DoubleConverter";
const SIMPLE_HEADER: &str = "org.apache.kafka.connect.storage.SimpleHeaderConverter";

/// Java class names of the built-in converters (for `GET /connector-plugins?connectorsOnly=false`).
pub const CONVERTERS: &[&str] = &[
    JSON, STRING, BYTE_ARRAY, BOOLEAN, SHORT, INTEGER, LONG, FLOAT, DOUBLE,
];

/// Java class names of the built-in header converters; every converter above is one too, as in Java.
pub const HEADER_CONVERTERS: &[&str] = &[
    SIMPLE_HEADER,
    JSON,
    STRING,
    BYTE_ARRAY,
    BOOLEAN,
    SHORT,
    INTEGER,
    LONG,
    FLOAT,
    DOUBLE,
];

/// Builds a converter from its Java class name, its simple name (`JsonConverter`) or Connect's
/// alias without the suffix (`Json`), and its own config keys (already stripped of the
/// `key.converter.` / `value.converter.` prefix).
pub fn converter(
    class: &str,
    config: &IndexMap<String, String>,
    is_key: bool,
) -> Result<Box<dyn Converter>, ConverterError> {
    let class = resolve(class, CONVERTERS, "Converter")?;
    build(class, config, is_key)
}

/// Builds a header converter the same way (`SimpleHeaderConverter`'s alias is `Simple`).
pub fn header_converter(
    class: &str,
    config: &IndexMap<String, String>,
) -> Result<Box<dyn HeaderConverter>, ConverterError> {
    let class = resolve(class, HEADER_CONVERTERS, "HeaderConverter")?;
    if class == SIMPLE_HEADER {
        return Ok(Box::new(SimpleHeaderConverter));
    }
    Ok(Box::new(AsHeaderConverter(build(class, config, false)?)))
}

fn resolve(
    class: &str,
    known: &'static [&'static str],
    suffix: &str,
) -> Result<&'static str, ConverterError> {
    let wanted = class.trim();
    known
        .iter()
        .copied()
        .find(|full| {
            let simple = full.rsplit('.').next().unwrap_or(full);
            wanted == *full || wanted == simple || simple.strip_suffix(suffix) == Some(wanted)
        })
        .ok_or_else(|| ConverterError::UnknownClass {
            class: wanted.to_string(),
            known,
        })
}

fn build(
    class: &str,
    config: &IndexMap<String, String>,
    is_key: bool,
) -> Result<Box<dyn Converter>, ConverterError> {
    Ok(match class {
        JSON => Box::new(JsonConverter::from_config(config)?),
        STRING => Box::new(StringConverter::from_config(config, is_key)?),
        BYTE_ARRAY => Box::new(ByteArrayConverter),
        BOOLEAN => Box::new(PrimitiveConverter::new(Type::Boolean)),
        SHORT => Box::new(PrimitiveConverter::new(Type::Int16)),
        INTEGER => Box::new(PrimitiveConverter::new(Type::Int32)),
        LONG => Box::new(PrimitiveConverter::new(Type::Int64)),
        FLOAT => Box::new(PrimitiveConverter::new(Type::Float32)),
        // `resolve` only returns names from CONVERTERS, so this is DOUBLE.
        _ => Box::new(PrimitiveConverter::new(Type::Float64)),
    })
}

/// Java's converters are their own header converters, ignoring the header key.
struct AsHeaderConverter(Box<dyn Converter>);

impl HeaderConverter for AsHeaderConverter {
    fn from_connect_header(
        &self,
        topic: &str,
        _key: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, DataError> {
        self.0.from_connect(topic, schema, value)
    }

    fn to_connect_header(
        &self,
        topic: &str,
        _key: &str,
        bytes: Option<&[u8]>,
    ) -> Result<SchemaAndValue, DataError> {
        self.0.to_connect(topic, bytes)
    }
}

/// A BOOLEAN config value, parsed as Java's `ConfigDef` does.
fn bool_config(
    config: &IndexMap<String, String>,
    key: &str,
    default: bool,
) -> Result<bool, ConverterError> {
    let Some(raw) = config.get(key) else {
        return Ok(default);
    };
    match raw.trim() {
        t if t.eq_ignore_ascii_case("true") => Ok(true),
        t if t.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(invalid(
            key,
            raw,
            "Expected value to be either true or false",
        )),
    }
}

fn invalid(key: &str, value: &str, reason: &str) -> ConverterError {
    ConverterError::InvalidConfig {
        key: key.to_string(),
        value: value.to_string(),
        reason: reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> IndexMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn resolves_full_simple_and_alias_names() {
        for name in [JSON, "JsonConverter", "Json", " JsonConverter "] {
            let c = converter(name, &config(&[("schemas.enable", "false")]), false).unwrap();
            assert_eq!(
                c.from_connect("t", None, &Value::Int64(1)).unwrap(),
                Some(b"1".to_vec())
            );
        }
        let c = converter("Integer", &config(&[]), true).unwrap();
        assert_eq!(
            c.from_connect("t", None, &Value::Int32(1)).unwrap(),
            Some(vec![0, 0, 0, 1])
        );
        assert!(header_converter("Simple", &config(&[])).is_ok());
        assert!(header_converter("StringConverter", &config(&[])).is_ok());
    }

    #[test]
    fn unknown_class_names_the_class_and_the_built_in_ones() {
        let err = converter(
            "io.confluent.connect.avro.AvroConverter",
            &config(&[]),
            false,
        )
        .err()
        .unwrap()
        .to_string();
        assert!(
            err.contains("io.confluent.connect.avro.AvroConverter"),
            "{err}"
        );
        assert!(err.contains(JSON) && err.contains(BYTE_ARRAY), "{err}");
        assert!(!err.contains(SIMPLE_HEADER), "{err}");
        // SimpleHeaderConverter is not a record converter.
        assert!(converter("SimpleHeaderConverter", &config(&[]), false).is_err());
    }

    #[test]
    fn boolean_configs_parse_as_java() {
        let bad = converter("Json", &config(&[("schemas.enable", "yes")]), false)
            .err()
            .unwrap();
        assert_eq!(
            bad.to_string(),
            "Invalid value yes for configuration schemas.enable: Expected value to be either true or false"
        );
        assert!(converter("Json", &config(&[("schemas.enable", " FALSE ")]), false).is_ok());
    }

    #[test]
    fn converters_serve_as_header_converters() {
        let h = header_converter(STRING, &config(&[])).unwrap();
        let bytes = h
            .from_connect_header("t", "k", None, &Value::Int32(5))
            .unwrap();
        assert_eq!(bytes, Some(b"5".to_vec()));
        let back = h.to_connect_header("t", "k", Some(b"x")).unwrap();
        assert_eq!(back.value, Value::from("x"));
    }

    #[test]
    fn lists_are_class_names() {
        assert!(CONVERTERS
            .iter()
            .all(|c| c.starts_with("org.apache.kafka.connect.")));
        assert_eq!(HEADER_CONVERTERS[0], SIMPLE_HEADER);
        assert_eq!(HEADER_CONVERTERS.len(), CONVERTERS.len() + 1);
    }
}
