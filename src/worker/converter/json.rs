//! `org.apache.kafka.connect.json.JsonConverter`: Connect data ⇄ JSON, with the
//! `{"schema":…,"payload":…}` envelope when `schemas.enable=true`, byte for byte as Java writes
//! it (spec §6). Also the schemaless helpers the worker's internal topics use.

use std::sync::Arc;

use base64::Engine;
use indexmap::IndexMap;
use serde_json::Value as SerdeJson;

use super::json_text::Json;
use super::{bool_config, invalid, Converter, ConverterError};
use crate::worker::data::{
    DataError, Decimal, LogicalType, Schema, SchemaAndValue, SchemaRef, Struct, Type, Value,
};

/// How Decimal values are written (`decimal.format`); reading accepts both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecimalFormat {
    /// Base64 of the unscaled value's bytes (`"AJw="`).
    Base64,
    /// A JSON number (`1.56`).
    Numeric,
}

/// The JsonConverter and its settings; `Default` is Java's defaults (schemas on, Base64
/// decimals, nulls replaced by defaults).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonConverter {
    pub schemas_enable: bool,
    pub decimal_format: DecimalFormat,
    pub replace_null_with_default: bool,
}

impl Default for JsonConverter {
    fn default() -> JsonConverter {
        JsonConverter {
            schemas_enable: true,
            decimal_format: DecimalFormat::Base64,
            replace_null_with_default: true,
        }
    }
}

const ENVELOPE_ERROR: &str = "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.";

impl JsonConverter {
    /// Reads `schemas.enable`, `decimal.format`, `replace.null.with.default`; checks
    /// `schemas.cache.size` (schemas are not cached here) and ignores other keys, as Java.
    pub fn from_config(config: &IndexMap<String, String>) -> Result<JsonConverter, ConverterError> {
        let decimal_format = match config.get("decimal.format").map(|v| (v, v.trim())) {
            None => DecimalFormat::Base64,
            Some((_, v)) if v.eq_ignore_ascii_case("BASE64") => DecimalFormat::Base64,
            Some((_, v)) if v.eq_ignore_ascii_case("NUMERIC") => DecimalFormat::Numeric,
            Some((raw, _)) => {
                return Err(invalid(
                    "decimal.format",
                    raw,
                    "String must be one of (case insensitive): BASE64, NUMERIC",
                ))
            }
        };
        if let Some(raw) = config.get("schemas.cache.size") {
            if raw.trim().parse::<i32>().is_err() {
                return Err(invalid(
                    "schemas.cache.size",
                    raw,
                    "Not a number of type INT",
                ));
            }
        }
        Ok(JsonConverter {
            schemas_enable: bool_config(config, "schemas.enable", true)?,
            decimal_format,
            replace_null_with_default: bool_config(config, "replace.null.with.default", true)?,
        })
    }

    /// A schemaless converter with Java's other defaults, as the worker's internal topics use.
    fn schemaless() -> JsonConverter {
        JsonConverter {
            schemas_enable: false,
            ..JsonConverter::default()
        }
    }

    // ---- Connect → JSON ----

    fn connect_to_json(&self, schema: Option<&Schema>, value: &Value) -> Result<Json, DataError> {
        if value.is_null() {
            return self.null_to_json(schema);
        }
        if let Some((schema, logical)) = schema.and_then(|s| Some((s, s.logical_type()?))) {
            return self.logical_to_json(schema, logical, value);
        }
        let kind = match schema {
            Some(s) => s.kind,
            None => value.schema_type().ok_or_else(|| {
                DataError::invalid(format!(
                    "{} values need a schema to be converted to JSON",
                    value.type_name()
                ))
            })?,
        };
        Ok(match (kind, value) {
            (Type::Int8, Value::Int8(n)) => Json::Int(i64::from(*n)),
            (Type::Int16, Value::Int16(n)) => Json::Int(i64::from(*n)),
            (Type::Int32, Value::Int32(n)) => Json::Int(i64::from(*n)),
            (Type::Int64, Value::Int64(n)) => Json::Int(*n),
            (Type::Float32, Value::Float32(f)) => Json::Float(*f),
            (Type::Float64, Value::Float64(f)) => Json::Double(*f),
            (Type::Boolean, Value::Boolean(b)) => Json::Bool(*b),
            (Type::String, Value::String(s)) => Json::Str(s.clone()),
            (Type::Bytes, Value::Bytes(b)) => Json::Str(base64_encode(b)),
            (Type::Array, Value::Array(items)) => {
                let item_schema = schema.and_then(|s| s.value_schema.as_deref());
                let items = items
                    .iter()
                    .map(|item| self.connect_to_json(item_schema, item));
                Json::Array(items.collect::<Result<_, _>>()?)
            }
            (Type::Map, Value::Map(entries)) => self.map_to_json(schema, entries)?,
            (Type::Struct, Value::Struct(s)) => self.struct_to_json(schema, s)?,
            (kind, other) => {
                return Err(DataError::invalid(format!(
                    "Invalid type for {kind}: {}",
                    other.type_name()
                )))
            }
        })
    }

    fn null_to_json(&self, schema: Option<&Schema>) -> Result<Json, DataError> {
        let Some(schema) = schema else {
            return Ok(Json::Null);
        };
        match &schema.default {
            Some(default) if self.replace_null_with_default => {
                self.connect_to_json(Some(schema), default)
            }
            _ if schema.optional => Ok(Json::Null),
            _ => Err(DataError::invalid(
                "Conversion error: null value for field that is required and has no default value",
            )),
        }
    }

    fn logical_to_json(
        &self,
        schema: &Schema,
        logical: LogicalType,
        value: &Value,
    ) -> Result<Json, DataError> {
        let wrong = |expected: &str| {
            DataError::invalid(format!(
                "Invalid type for {logical:?}, expected {expected} but was {}",
                value.type_name()
            ))
        };
        match (logical, value) {
            (LogicalType::Decimal, Value::Decimal(d)) => match self.decimal_format {
                DecimalFormat::Numeric => Ok(Json::Decimal(*d)),
                DecimalFormat::Base64 => Ok(Json::Str(base64_encode(
                    &at_schema_scale(schema, d)?.to_bytes(),
                ))),
            },
            (LogicalType::Decimal, _) => Err(wrong("decimal")),
            (LogicalType::Date | LogicalType::Time, Value::Int32(n)) => {
                Ok(Json::Int(i64::from(*n)))
            }
            (LogicalType::Date | LogicalType::Time, _) => Err(wrong("int32")),
            (LogicalType::Timestamp, Value::Int64(n)) => Ok(Json::Int(*n)),
            (LogicalType::Timestamp, _) => Err(wrong("int64")),
        }
    }

    /// String keys (by schema, or schemaless when every key is a string) make an object;
    /// any other keys an array of `[key, value]` pairs.
    fn map_to_json(
        &self,
        schema: Option<&Schema>,
        entries: &[(Value, Value)],
    ) -> Result<Json, DataError> {
        let key_schema = schema.and_then(|s| s.key_schema.as_deref());
        let value_schema = schema.and_then(|s| s.value_schema.as_deref());
        let object_mode = match key_schema {
            Some(k) => k.kind == Type::String,
            None => entries.iter().all(|(k, _)| matches!(k, Value::String(_))),
        };
        if object_mode {
            let mut fields = IndexMap::with_capacity(entries.len());
            for (k, v) in entries {
                let key = self.connect_to_json(key_schema, k)?.as_text();
                fields.insert(key, self.connect_to_json(value_schema, v)?);
            }
            return Ok(Json::Object(fields));
        }
        let pairs = entries.iter().map(|(k, v)| {
            Ok(Json::Array(vec![
                self.connect_to_json(key_schema, k)?,
                self.connect_to_json(value_schema, v)?,
            ]))
        });
        Ok(Json::Array(pairs.collect::<Result<_, DataError>>()?))
    }

    fn struct_to_json(&self, schema: Option<&Schema>, s: &Struct) -> Result<Json, DataError> {
        let same =
            schema.is_some_and(|schema| std::ptr::eq(&*s.schema, schema) || *s.schema == *schema);
        if !same {
            return Err(DataError::invalid("Mismatching schema."));
        }
        let mut fields = IndexMap::with_capacity(s.values.len());
        for (field, value) in s.schema.fields.iter().zip(&s.values) {
            fields.insert(
                field.name.clone(),
                self.connect_to_json(Some(&field.schema), value)?,
            );
        }
        Ok(Json::Object(fields))
    }

    /// Java's `asJsonSchema`, in Java's field order.
    fn schema_to_json(&self, schema: &Schema) -> Result<Json, DataError> {
        let mut obj = IndexMap::new();
        obj.insert(
            "type".to_string(),
            Json::Str(json_type_name(schema.kind).to_string()),
        );
        let nested = |s: &Option<SchemaRef>| match s {
            Some(s) => self.schema_to_json(s),
            None => Ok(Json::Null),
        };
        match schema.kind {
            Type::Array => {
                obj.insert("items".into(), nested(&schema.value_schema)?);
            }
            Type::Map => {
                obj.insert("keys".into(), nested(&schema.key_schema)?);
                obj.insert("values".into(), nested(&schema.value_schema)?);
            }
            Type::Struct => {
                let fields = schema.fields.iter().map(|field| {
                    let mut json = self.schema_to_json(&field.schema)?;
                    if let Json::Object(o) = &mut json {
                        o.insert("field".into(), Json::Str(field.name.clone()));
                    }
                    Ok(json)
                });
                obj.insert(
                    "fields".into(),
                    Json::Array(fields.collect::<Result<_, DataError>>()?),
                );
            }
            _ => {}
        }
        obj.insert("optional".into(), Json::Bool(schema.optional));
        if let Some(name) = &schema.name {
            obj.insert("name".into(), Json::Str(name.clone()));
        }
        if let Some(version) = schema.version {
            obj.insert("version".into(), Json::Int(i64::from(version)));
        }
        if let Some(doc) = &schema.doc {
            obj.insert("doc".into(), Json::Str(doc.clone()));
        }
        if let Some(params) = &schema.parameters {
            let params = params
                .iter()
                .map(|(k, v)| (k.clone(), Json::Str(v.clone())));
            obj.insert("parameters".into(), Json::Object(params.collect()));
        }
        if let Some(default) = &schema.default {
            obj.insert(
                "default".into(),
                self.connect_to_json(Some(schema), default)?,
            );
        }
        Ok(Json::Object(obj))
    }

    // ---- JSON → Connect ----

    /// `json` is `None` when a struct field is missing, which reads as null.
    fn json_to_connect(
        &self,
        schema: Option<&SchemaRef>,
        json: Option<&SerdeJson>,
    ) -> Result<Value, DataError> {
        let json = json.filter(|j| !j.is_null());
        let Some(schema) = schema else {
            return Ok(json.map_or(Value::Null, schemaless_from_json));
        };
        let Some(json) = json else {
            return match &schema.default {
                Some(default) if self.replace_null_with_default => Ok(default.clone()),
                _ if schema.optional => Ok(Value::Null),
                _ => Err(DataError::invalid(format!(
                    "Invalid null value for required {} field",
                    schema.kind
                ))),
            };
        };
        if let Some(logical) = schema.logical_type() {
            return logical_from_json(schema, logical, json);
        }
        let mismatch = || type_mismatch(schema.kind, json);
        Ok(match schema.kind {
            Type::Int8 => Value::Int8(integer(schema.kind, json)?),
            Type::Int16 => Value::Int16(integer(schema.kind, json)?),
            Type::Int32 => Value::Int32(integer(schema.kind, json)?),
            Type::Int64 => Value::Int64(integer(schema.kind, json)?),
            // A double narrowed to float, as Jackson's floatValue().
            Type::Float32 => Value::Float32(floating(json).ok_or_else(mismatch)? as f32),
            Type::Float64 => Value::Float64(floating(json).ok_or_else(mismatch)?),
            Type::Boolean => Value::Boolean(json.as_bool().ok_or_else(mismatch)?),
            Type::String => Value::String(json.as_str().ok_or_else(mismatch)?.to_string()),
            Type::Bytes => {
                let text = json.as_str().ok_or_else(mismatch)?;
                Value::Bytes(
                    base64_decode(text).ok_or_else(|| DataError::invalid("Invalid bytes field"))?,
                )
            }
            Type::Array => {
                let items = json.as_array().ok_or_else(mismatch)?;
                let items = items
                    .iter()
                    .map(|item| self.json_to_connect(schema.value_schema.as_ref(), Some(item)));
                Value::Array(items.collect::<Result<_, _>>()?)
            }
            Type::Map => self.map_from_json(schema, json)?,
            Type::Struct => self.struct_from_json(schema, json)?,
        })
    }

    fn map_from_json(&self, schema: &Schema, json: &SerdeJson) -> Result<Value, DataError> {
        let (key_schema, value_schema) = (schema.key_schema.as_ref(), schema.value_schema.as_ref());
        // Without a key schema (as Java's schemaless maps) keys are object field names.
        if key_schema.map_or(Type::String, |k| k.kind) == Type::String {
            let obj = json.as_object().ok_or_else(|| {
                DataError::invalid(format!(
                    "Maps with string fields should be encoded as JSON objects, but found {}",
                    node_type(json)
                ))
            })?;
            let entries = obj.iter().map(|(k, v)| {
                Ok((
                    Value::String(k.clone()),
                    self.json_to_connect(value_schema, Some(v))?,
                ))
            });
            return Ok(Value::Map(entries.collect::<Result<_, DataError>>()?));
        }
        let pairs = json.as_array().ok_or_else(|| {
            DataError::invalid(format!(
                "Maps with non-string fields should be encoded as JSON array of tuples, but found {}",
                node_type(json)
            ))
        })?;
        let entries = pairs
            .iter()
            .map(|pair| match pair.as_array().map(Vec::as_slice) {
                Some([k, v]) => Ok((
                    self.json_to_connect(key_schema, Some(k))?,
                    self.json_to_connect(value_schema, Some(v))?,
                )),
                Some(other) => Err(DataError::invalid(format!(
                    "Found invalid map entry, expected length 2 but found :{}",
                    other.len()
                ))),
                None => Err(DataError::invalid(format!(
                    "Found invalid map entry instead of array tuple: {}",
                    node_type(pair)
                ))),
            });
        Ok(Value::Map(entries.collect::<Result<_, DataError>>()?))
    }

    fn struct_from_json(&self, schema: &SchemaRef, json: &SerdeJson) -> Result<Value, DataError> {
        let obj = json.as_object().ok_or_else(|| {
            DataError::invalid(format!(
                "Structs should be encoded as JSON objects, but found {}",
                node_type(json)
            ))
        })?;
        let values = schema
            .fields
            .iter()
            .map(|field| self.json_to_connect(Some(&field.schema), obj.get(&field.name)));
        Ok(Value::Struct(Struct {
            schema: schema.clone(),
            values: values.collect::<Result<_, _>>()?,
        }))
    }

    /// Java's `asConnectSchema`; JSON `null` is no schema. Unlike Java, `null` item, key or
    /// value schemas are accepted (Java writes them for arrays and maps without one).
    fn schema_from_json(&self, json: &SerdeJson) -> Result<Option<Schema>, DataError> {
        if json.is_null() {
            return Ok(None);
        }
        let obj = json.as_object();
        let field = |name: &str| obj.and_then(|o| o.get(name));
        let type_name = field("type")
            .and_then(SerdeJson::as_str)
            .ok_or_else(|| DataError::invalid("Schema must contain 'type' field"))?;
        let nested = |name: &str, missing: &str| -> Result<Option<SchemaRef>, DataError> {
            let json = field(name).ok_or_else(|| DataError::invalid(missing))?;
            Ok(self.schema_from_json(json)?.map(Arc::new))
        };
        let mut schema = match type_name {
            "array" => Schema {
                value_schema: nested("items", "Array schema did not specify the element type")?,
                ..Schema::new(Type::Array)
            },
            "map" => Schema {
                key_schema: nested("keys", "Map schema did not specify the key type")?,
                value_schema: nested("values", "Map schema did not specify the value type")?,
                ..Schema::new(Type::Map)
            },
            "struct" => self.struct_schema_from_json(field("fields"))?,
            name => Schema::new(
                primitive_from_json_name(name)
                    .ok_or_else(|| DataError::invalid(format!("Unknown schema type: {name}")))?,
            ),
        };
        schema.optional = field("optional").and_then(SerdeJson::as_bool) == Some(true);
        schema.name = field("name")
            .and_then(SerdeJson::as_str)
            .map(str::to_string);
        // Java's intValue() of an integral node.
        schema.version = field("version")
            .and_then(SerdeJson::as_i64)
            .map(|v| v as i32);
        schema.doc = field("doc").and_then(SerdeJson::as_str).map(str::to_string);
        if let Some(params) = field("parameters").and_then(SerdeJson::as_object) {
            for (k, v) in params {
                let v = v.as_str().ok_or_else(|| {
                    DataError::invalid("Schema parameters must have string values.")
                })?;
                schema = schema.parameter(k.clone(), v);
            }
        }
        if let Some(default) = field("default") {
            let so_far = Arc::new(schema.clone());
            let value = self.json_to_connect(Some(&so_far), Some(default))?;
            schema = schema.default_value(value)?;
        }
        Ok(Some(schema))
    }

    fn struct_schema_from_json(&self, fields: Option<&SerdeJson>) -> Result<Schema, DataError> {
        let fields = fields.and_then(SerdeJson::as_array).ok_or_else(|| {
            DataError::invalid("Struct schema's \"fields\" argument is not an array.")
        })?;
        let mut builder = Schema::struct_builder();
        for field in fields {
            let name = field
                .get("field")
                .and_then(SerdeJson::as_str)
                .ok_or_else(|| {
                    DataError::invalid("Struct schema's field name not specified properly")
                })?;
            let schema = self
                .schema_from_json(field)?
                .ok_or_else(|| DataError::invalid("Struct schema's field schema is null"))?;
            builder = builder.try_field(name, schema)?;
        }
        Ok(builder.build())
    }
}

impl Converter for JsonConverter {
    fn from_connect(
        &self,
        _topic: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, DataError> {
        if schema.is_none() && value.is_null() {
            return Ok(None);
        }
        let payload = self.connect_to_json(schema, value)?;
        let json = if self.schemas_enable {
            let schema_json = match schema {
                Some(s) => self.schema_to_json(s)?,
                None => Json::Null,
            };
            let mut envelope = IndexMap::with_capacity(2);
            envelope.insert("schema".to_string(), schema_json);
            envelope.insert("payload".to_string(), payload);
            Json::Object(envelope)
        } else {
            payload
        };
        let mut out = Vec::new();
        json.write(&mut out);
        Ok(Some(out))
    }

    fn to_connect(&self, _topic: &str, bytes: Option<&[u8]>) -> Result<SchemaAndValue, DataError> {
        let Some(bytes) = bytes else {
            return Ok(SchemaAndValue::NULL);
        };
        let json = parse_json(bytes)?;
        if !self.schemas_enable {
            return Ok(SchemaAndValue::new(
                None,
                self.json_to_connect(None, json.as_ref())?,
            ));
        }
        let envelope = json
            .as_ref()
            .and_then(SerdeJson::as_object)
            .filter(|o| o.len() == 2 && o.contains_key("schema") && o.contains_key("payload"))
            .ok_or_else(|| DataError::invalid(ENVELOPE_ERROR))?;
        let schema = self.schema_from_json(&envelope["schema"])?.map(Arc::new);
        let value = self.json_to_connect(schema.as_ref(), envelope.get("payload"))?;
        Ok(SchemaAndValue::new(schema, value))
    }
}

/// The first JSON value in `bytes`, `None` when there is none; as Jackson's `readTree`,
/// anything after it is ignored.
fn parse_json(bytes: &[u8]) -> Result<Option<SerdeJson>, DataError> {
    let mut values = serde_json::Deserializer::from_slice(bytes).into_iter::<SerdeJson>();
    values.next().transpose().map_err(|e| {
        DataError::invalid(format!(
            "Converting byte[] to Kafka Connect data failed due to serialization error: {e}"
        ))
    })
}

/// Schemaless JSON → Connect: integers are int64, other numbers float64, objects maps.
fn schemaless_from_json(json: &SerdeJson) -> Value {
    match json {
        SerdeJson::Null => Value::Null,
        SerdeJson::Bool(b) => Value::Boolean(*b),
        SerdeJson::Number(n) => match n.as_i64() {
            Some(i) => Value::Int64(i),
            // Beyond i64 (Jackson's BigInteger) or fractional.
            None => Value::Float64(n.as_f64().unwrap_or(f64::NAN)),
        },
        SerdeJson::String(s) => Value::String(s.clone()),
        SerdeJson::Array(items) => Value::Array(items.iter().map(schemaless_from_json).collect()),
        SerdeJson::Object(obj) => Value::Map(
            obj.iter()
                .map(|(k, v)| (Value::String(k.clone()), schemaless_from_json(v)))
                .collect(),
        ),
    }
}

fn logical_from_json(
    schema: &Schema,
    logical: LogicalType,
    json: &SerdeJson,
) -> Result<Value, DataError> {
    let wrong = |expected: &str| {
        DataError::invalid(format!(
            "Invalid type for {logical:?}, underlying representation should be {expected} but was {}",
            node_type(json)
        ))
    };
    match logical {
        LogicalType::Decimal => decimal_from_json(schema, json).map(Value::Decimal),
        LogicalType::Date | LogicalType::Time => json
            .as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .map(Value::Int32)
            .ok_or_else(|| wrong("integer")),
        LogicalType::Timestamp => json
            .as_i64()
            .map(Value::Int64)
            .ok_or_else(|| wrong("integral")),
    }
}

/// A number (at the schema's scale when that is exact) or Base64 bytes.
fn decimal_from_json(schema: &Schema, json: &SerdeJson) -> Result<Decimal, DataError> {
    match json {
        SerdeJson::Number(n) => {
            let d: Decimal = n.to_string().parse()?;
            let scaled = schema.decimal_scale().ok().and_then(|scale| d.rescale(scale));
            Ok(scaled.unwrap_or(d))
        }
        SerdeJson::String(text) => {
            let bytes = base64_decode(text).ok_or_else(|| DataError::invalid("Invalid bytes for Decimal field"))?;
            Decimal::from_bytes(&bytes, schema.decimal_scale()?)
        }
        other => Err(DataError::invalid(format!(
            "Invalid type for Decimal, underlying representation should be numeric or bytes but was {}",
            node_type(other)
        ))),
    }
}

/// Writing checks the scale as Java's `Decimal.fromLogical`, but first rescales when exact.
fn at_schema_scale(schema: &Schema, d: &Decimal) -> Result<Decimal, DataError> {
    let scale = schema.decimal_scale()?;
    d.rescale(scale).ok_or_else(|| {
        DataError::invalid(format!(
            "Decimal value has mismatching scale. Expected scale: {scale}, got: {}",
            d.scale
        ))
    })
}

/// An integer of the schema's width; unlike Java, which truncates, anything else is an error.
fn integer<T: TryFrom<i64>>(kind: Type, json: &SerdeJson) -> Result<T, DataError> {
    let n = json.as_i64().ok_or_else(|| type_mismatch(kind, json))?;
    T::try_from(n)
        .map_err(|_| DataError::invalid(format!("JSON number {n} is out of range for {kind}")))
}

/// Any number, or the names Jackson writes for non-finite floats.
fn floating(json: &SerdeJson) -> Option<f64> {
    match json {
        SerdeJson::Number(n) => n.as_f64(),
        SerdeJson::String(s) => match s.as_str() {
            "NaN" => Some(f64::NAN),
            "Infinity" => Some(f64::INFINITY),
            "-Infinity" => Some(f64::NEG_INFINITY),
            _ => None,
        },
        _ => None,
    }
}

/// Unlike Java, which reads a mismatched node as 0, false or null, a payload that does not fit
/// its schema is an error.
fn type_mismatch(kind: Type, json: &SerdeJson) -> DataError {
    let mut text = json.to_string();
    if text.len() > 60 {
        let cut = (0..=57)
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        text.truncate(cut);
        text.push_str("...");
    }
    DataError::invalid(format!(
        "Invalid JSON {} for a {kind} schema: {text}",
        node_type(json)
    ))
}

/// Jackson's `JsonNodeType` names, as Java's messages print them.
fn node_type(json: &SerdeJson) -> &'static str {
    match json {
        SerdeJson::Null => "NULL",
        SerdeJson::Bool(_) => "BOOLEAN",
        SerdeJson::Number(_) => "NUMBER",
        SerdeJson::String(_) => "STRING",
        SerdeJson::Array(_) => "ARRAY",
        SerdeJson::Object(_) => "OBJECT",
    }
}

/// JsonSchema's type names: `float`/`double` for the floating types.
fn json_type_name(kind: Type) -> &'static str {
    match kind {
        Type::Float32 => "float",
        Type::Float64 => "double",
        other => other.name(),
    }
}

fn primitive_from_json_name(name: &str) -> Option<Type> {
    match name {
        "float" => Some(Type::Float32),
        "double" => Some(Type::Float64),
        "float32" | "float64" => None,
        other => Type::from_name(other).filter(|t| t.is_primitive() && t.name() == other),
    }
}

fn base64_encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Standard alphabet; padding optional.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    use base64::engine::{
        general_purpose::GeneralPurpose, general_purpose::GeneralPurposeConfig, DecodePaddingMode,
    };
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    LENIENT.decode(text).ok()
}

/// Connect data → schemaless JSON, as JsonConverter with `schemas.enable=false` builds it
/// (Base64 decimals, defaults for nulls). Floats and decimals become the nearest double.
pub fn to_json_value(schema: Option<&Schema>, value: &Value) -> Result<SerdeJson, DataError> {
    Ok(JsonConverter::schemaless()
        .connect_to_json(schema, value)?
        .into_serde())
}

/// Connect data → the exact bytes Java's schemaless JsonConverter writes; `None` for a null
/// value without a schema (a tombstone).
pub fn to_json_bytes(schema: Option<&Schema>, value: &Value) -> Result<Option<Vec<u8>>, DataError> {
    JsonConverter::schemaless().from_connect("", schema, value)
}

/// JSON → Connect data: with a schema, as JsonConverter reads a payload; without one, integers
/// are int64, other numbers float64 and objects maps with string keys.
pub fn from_json_value(schema: Option<&SchemaRef>, json: &SerdeJson) -> Result<Value, DataError> {
    JsonConverter::schemaless().json_to_connect(schema, Some(json))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::data::{DATE_NAME, DECIMAL_NAME};
    use serde_json::json;

    fn write(c: &JsonConverter, schema: Option<&Schema>, value: &Value) -> String {
        let bytes = c
            .from_connect("t", schema, value)
            .unwrap()
            .expect("not a tombstone");
        String::from_utf8(bytes).unwrap()
    }

    fn read(c: &JsonConverter, text: &str) -> Result<SchemaAndValue, DataError> {
        c.to_connect("t", Some(text.as_bytes()))
    }

    fn schemaless() -> JsonConverter {
        JsonConverter::schemaless()
    }

    #[test]
    fn decimal_golden_bytes_from_the_spec() {
        let c = JsonConverter::default();
        let value = Value::Decimal(Decimal::new(156, 2));
        assert_eq!(
            write(&c, Some(&Schema::decimal(2)), &value),
            r#"{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}},"payload":"AJw="}"#
        );
        // The spec's (and Java test's) input form, without "optional".
        let sv = read(&c, r#"{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}},"payload":"AJw="}"#).unwrap();
        assert_eq!(sv.value, value);
        assert_eq!(sv.schema.as_deref(), Some(&Schema::decimal(2)));
    }

    #[test]
    fn decimal_numeric_format_writes_bigdecimal_text_and_both_forms_read() {
        let c = JsonConverter {
            decimal_format: DecimalFormat::Numeric,
            ..JsonConverter::default()
        };
        let text = write(
            &c,
            Some(&Schema::decimal(2)),
            &Value::Decimal(Decimal::new(150, 2)),
        );
        assert!(text.ends_with(r#""payload":1.50}"#), "{text}");
        let sv = read(&c, r#"{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"}},"payload":1.5}"#).unwrap();
        assert_eq!(sv.value, Value::Decimal(Decimal::new(150, 2)));
        let sv = read(&c, r#"{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"}},"payload":"AJw="}"#).unwrap();
        assert_eq!(sv.value, Value::Decimal(Decimal::new(156, 2)));
    }

    #[test]
    fn decimal_scale_mismatch_is_an_error_unless_exact() {
        let c = JsonConverter::default();
        let exact = write(
            &c,
            Some(&Schema::decimal(2)),
            &Value::Decimal(Decimal::new(15, 1)),
        );
        assert!(exact.ends_with(r#""payload":"AJY="}"#), "{exact}");
        let err = c
            .from_connect(
                "t",
                Some(&Schema::decimal(0)),
                &Value::Decimal(Decimal::new(15, 1)),
            )
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Decimal value has mismatching scale. Expected scale: 0, got: 1"
        );
    }

    #[test]
    fn struct_golden_bytes_from_the_spec() {
        let c = JsonConverter::default();
        let schema: SchemaRef = Arc::new(
            Schema::struct_builder()
                .field("field1", Schema::boolean())
                .field("field2", Schema::string())
                .build(),
        );
        let mut s = Struct::new(schema.clone()).unwrap();
        s.put("field1", true)
            .unwrap()
            .put("field2", "string2")
            .unwrap();
        let golden = r#"{"schema":{"type":"struct","fields":[{"type":"boolean","optional":false,"field":"field1"},{"type":"string","optional":false,"field":"field2"}],"optional":false},"payload":{"field1":true,"field2":"string2"}}"#;
        assert_eq!(write(&c, Some(&schema), &Value::Struct(s.clone())), golden);
        let sv = read(&c, golden).unwrap();
        assert_eq!(sv.schema, Some(schema));
        assert_eq!(sv.value, Value::Struct(s));
    }

    #[test]
    fn int_keyed_map_is_an_array_of_pairs() {
        let c = JsonConverter::default();
        let schema = Schema::map(Schema::int32(), Schema::int32());
        let value = Value::Map(vec![
            (Value::Int32(1), Value::Int32(12)),
            (Value::Int32(2), Value::Int32(15)),
        ]);
        assert_eq!(
            write(&c, Some(&schema), &value),
            r#"{"schema":{"type":"map","keys":{"type":"int32","optional":false},"values":{"type":"int32","optional":false},"optional":false},"payload":[[1,12],[2,15]]}"#
        );
        let sv = read(&c, r#"{"schema":{"type":"map","keys":{"type":"int32"},"values":{"type":"int32"}},"payload":[[1,12],[2,15]]}"#).unwrap();
        assert_eq!(sv.value, value);
        assert_eq!(sv.schema.as_deref(), Some(&schema));
    }

    #[test]
    fn string_keyed_maps_are_objects_and_schemaless_mixed_keys_are_pairs() {
        let c = schemaless();
        let strings = Value::Map(vec![
            (Value::from("a"), Value::Int64(1)),
            (Value::from("b"), Value::Null),
        ]);
        assert_eq!(write(&c, None, &strings), r#"{"a":1,"b":null}"#);
        let mixed = Value::Map(vec![
            (Value::from("a"), Value::Int64(1)),
            (Value::Int64(2), Value::Int64(3)),
        ]);
        assert_eq!(write(&c, None, &mixed), r#"[["a",1],[2,3]]"#);
    }

    #[test]
    fn date_time_timestamp_golden_bytes() {
        let c = JsonConverter::default();
        let cases = [
            (
                Schema::date(),
                Value::Int32(10_000),
                "int32",
                "Date",
                "10000",
            ),
            (
                Schema::time(),
                Value::Int32(14_400_000),
                "int32",
                "Time",
                "14400000",
            ),
            (
                Schema::timestamp(),
                Value::Int64(4_000_000_000),
                "int64",
                "Timestamp",
                "4000000000",
            ),
        ];
        for (schema, value, base, name, payload) in cases {
            let golden = format!(
                r#"{{"schema":{{"type":"{base}","optional":false,"name":"org.apache.kafka.connect.data.{name}","version":1}},"payload":{payload}}}"#
            );
            assert_eq!(write(&c, Some(&schema), &value), golden);
            let sv = read(&c, &golden).unwrap();
            assert_eq!((sv.schema.as_deref(), sv.value), (Some(&schema), value));
        }
        let err = read(&c, r#"{"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Date"},"payload":"x"}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid type for Date, underlying representation should be integer but was STRING"
        );
        let err = c
            .from_connect("t", Some(&Schema::date()), &Value::Int64(1))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid type for Date, expected int32 but was int64"
        );
    }

    #[test]
    fn schema_metadata_is_written_in_java_order() {
        let c = JsonConverter::default();
        let inner = Schema::new(Type::Int32)
            .optional()
            .name("n")
            .version(2)
            .doc("d")
            .parameter("p", "v")
            .default_value(Value::Int32(7))
            .unwrap();
        let schema = Schema::struct_builder()
            .field("f", inner)
            .build()
            .name("outer");
        let mut s = Struct::new(Arc::new(schema.clone())).unwrap();
        s.put("f", 1).unwrap();
        assert_eq!(
            write(&c, Some(&schema), &Value::Struct(s)),
            r#"{"schema":{"type":"struct","fields":[{"type":"int32","optional":true,"name":"n","version":2,"doc":"d","parameters":{"p":"v"},"default":7,"field":"f"}],"optional":false,"name":"outer"},"payload":{"f":1}}"#
        );
        let arr = Schema::array(Schema::optional_float32());
        assert_eq!(
            write(
                &c,
                Some(&arr),
                &Value::Array(vec![Value::Float32(0.1), Value::Null])
            ),
            r#"{"schema":{"type":"array","items":{"type":"float","optional":true},"optional":false},"payload":[0.1,null]}"#
        );
    }

    #[test]
    fn primitive_payloads_round_trip_with_java_type_names() {
        let c = JsonConverter::default();
        let cases = [
            (
                Schema::boolean(),
                Value::Boolean(true),
                r#""boolean""#,
                "true",
            ),
            (Schema::int8(), Value::Int8(-8), r#""int8""#, "-8"),
            (Schema::int16(), Value::Int16(300), r#""int16""#, "300"),
            (
                Schema::int64(),
                Value::Int64(1 << 40),
                r#""int64""#,
                "1099511627776",
            ),
            (Schema::float32(), Value::Float32(2.5), r#""float""#, "2.5"),
            (Schema::float64(), Value::Float64(1.0), r#""double""#, "1.0"),
            (
                Schema::bytes(),
                Value::Bytes(b"hi".to_vec()),
                r#""bytes""#,
                r#""aGk=""#,
            ),
            (
                Schema::string(),
                Value::from("x\"y"),
                r#""string""#,
                r#""x\"y""#,
            ),
        ];
        for (schema, value, type_json, payload) in cases {
            let golden = format!(
                r#"{{"schema":{{"type":{type_json},"optional":false}},"payload":{payload}}}"#
            );
            assert_eq!(write(&c, Some(&schema), &value), golden);
            let sv = read(&c, &golden).unwrap();
            assert_eq!((sv.schema, sv.value), (Some(schema), value));
        }
    }

    #[test]
    fn nulls_follow_optionality_and_defaults() {
        let c = JsonConverter::default();
        assert_eq!(c.from_connect("t", None, &Value::Null).unwrap(), None);
        assert_eq!(
            write(&c, Some(&Schema::optional_string()), &Value::Null),
            r#"{"schema":{"type":"string","optional":true},"payload":null}"#
        );
        let with_default = Schema::new(Type::Int32)
            .optional()
            .default_value(Value::Int32(42))
            .unwrap();
        assert_eq!(
            write(&c, Some(&with_default), &Value::Null),
            r#"{"schema":{"type":"int32","optional":true,"default":42},"payload":42}"#
        );
        let keep_nulls = JsonConverter {
            replace_null_with_default: false,
            ..JsonConverter::default()
        };
        assert!(
            write(&keep_nulls, Some(&with_default), &Value::Null).ends_with(r#""payload":null}"#)
        );
        let read_back = read(
            &c,
            r#"{"schema":{"type":"int32","optional":true,"default":42},"payload":null}"#,
        )
        .unwrap();
        assert_eq!(read_back.value, Value::Int32(42));
        let read_null = read(
            &keep_nulls,
            r#"{"schema":{"type":"int32","optional":true,"default":42},"payload":null}"#,
        );
        assert_eq!(read_null.unwrap().value, Value::Null);
        // Schemaless with an optional schema writes JSON null, not a tombstone (as Java).
        assert_eq!(
            write(
                &schemaless(),
                Some(&Schema::optional_string()),
                &Value::Null
            ),
            "null"
        );
        assert_eq!(c.to_connect("t", None).unwrap(), SchemaAndValue::NULL);
    }

    #[test]
    fn required_nulls_are_errors_both_ways() {
        let c = JsonConverter::default();
        let err = c
            .from_connect("t", Some(&Schema::string()), &Value::Null)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Conversion error: null value for field that is required and has no default value"
        );
        let err = read(&c, r#"{"schema":{"type":"int32"},"payload":null}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid null value for required INT32 field"
        );
        let missing_field = r#"{"schema":{"type":"struct","fields":[{"type":"string","optional":false,"field":"a"}]},"payload":{}}"#;
        assert_eq!(
            read(&c, missing_field).unwrap_err().to_string(),
            "Invalid null value for required STRING field"
        );
    }

    #[test]
    fn envelope_must_have_exactly_schema_and_payload() {
        let c = JsonConverter::default();
        for text in [
            r#"{"payload":1}"#,
            r#"{"schema":null}"#,
            r#"{"schema":null,"payload":1,"x":2}"#,
            "1",
            "[]",
            "",
        ] {
            let err = read(&c, text).unwrap_err().to_string();
            assert_eq!(err, ENVELOPE_ERROR, "{text}");
            assert!(err.contains("set schemas.enable=false"));
        }
        let sv = read(&c, r#"{"schema":null,"payload":{"a":[1,2.5]}}"#).unwrap();
        assert_eq!(sv.schema, None);
        let nested = Value::Array(vec![Value::Int64(1), Value::Float64(2.5)]);
        assert_eq!(sv.value, Value::Map(vec![(Value::from("a"), nested)]));
    }

    #[test]
    fn payloads_of_the_wrong_type_are_errors() {
        let c = JsonConverter::default();
        let cases = [
            (r#"{"schema":{"type":"int32"},"payload":"abc"}"#, r#"Invalid JSON STRING for a INT32 schema: "abc""#),
            (r#"{"schema":{"type":"int8"},"payload":300}"#, "JSON number 300 is out of range for INT8"),
            (r#"{"schema":{"type":"int64"},"payload":1.5}"#, "Invalid JSON NUMBER for a INT64 schema: 1.5"),
            (r#"{"schema":{"type":"boolean"},"payload":1}"#, "Invalid JSON NUMBER for a BOOLEAN schema: 1"),
            (r#"{"schema":{"type":"string"},"payload":{"a":1}}"#, r#"Invalid JSON OBJECT for a STRING schema: {"a":1}"#),
            (r#"{"schema":{"type":"bytes"},"payload":"!!"}"#, "Invalid bytes field"),
            (r#"{"schema":{"type":"struct","fields":[]},"payload":[]}"#, "Structs should be encoded as JSON objects, but found ARRAY"),
            (r#"{"schema":{"type":"map","keys":{"type":"string"},"values":{"type":"int32"}},"payload":[]}"#, "Maps with string fields should be encoded as JSON objects, but found ARRAY"),
            (r#"{"schema":{"type":"map","keys":{"type":"int32"},"values":{"type":"int32"}},"payload":[[1]]}"#, "Found invalid map entry, expected length 2 but found :1"),
            (r#"{"schema":{"type":"nope"},"payload":1}"#, "Unknown schema type: nope"),
            (r#"{"schema":{"type":"float32"},"payload":1}"#, "Unknown schema type: float32"),
            (r#"{"schema":{"optional":true},"payload":1}"#, "Schema must contain 'type' field"),
            (r#"{"schema":{"type":"array"},"payload":[]}"#, "Array schema did not specify the element type"),
            (r#"{"schema":{"type":"int32","parameters":{"a":1}},"payload":1}"#, "Schema parameters must have string values."),
            ("{\"schema\":null,\"payload\":", "Converting byte[] to Kafka Connect data failed due to serialization error: EOF while parsing a value at line 1 column 25"),
        ];
        for (text, message) in cases {
            assert_eq!(read(&c, text).unwrap_err().to_string(), message, "{text}");
        }
    }

    #[test]
    fn values_of_the_wrong_variant_are_errors_on_write() {
        let c = JsonConverter::default();
        let err = c
            .from_connect("t", Some(&Schema::int32()), &Value::from("x"))
            .unwrap_err();
        assert_eq!(err.to_string(), "Invalid type for INT32: string");
        let schema: SchemaRef =
            Arc::new(Schema::struct_builder().field("a", Schema::int32()).build());
        let s = Struct::new(schema).unwrap();
        let err = c.from_connect("t", None, &Value::Struct(s)).unwrap_err();
        assert_eq!(err.to_string(), "Mismatching schema.");
        let err = c
            .from_connect("t", None, &Value::Decimal(Decimal::new(1, 0)))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "decimal values need a schema to be converted to JSON"
        );
    }

    #[test]
    fn schemaless_round_trips() {
        let c = schemaless();
        assert_eq!(write(&c, None, &Value::Float64(1.0)), "1.0");
        assert_eq!(write(&c, None, &Value::Float32(1.0e10)), "1.0E10");
        assert_eq!(write(&c, None, &Value::Bytes(vec![0, 0x9c])), r#""AJw=""#);
        let text = r#"{"name":"x","n":5,"f":0.25,"list":[true,null,"s"],"obj":{"k":-1}}"#;
        let sv = read(&c, text).unwrap();
        assert_eq!(sv.schema, None);
        assert_eq!(write(&c, None, &sv.value), text);
        let Value::Map(entries) = &sv.value else {
            panic!("not a map")
        };
        assert_eq!(entries[1], (Value::from("n"), Value::Int64(5)));
        assert_eq!(entries[2], (Value::from("f"), Value::Float64(0.25)));
        // Empty input is null; anything after the first value is ignored, as Jackson.
        assert_eq!(read(&c, "").unwrap(), SchemaAndValue::NULL);
        assert_eq!(read(&c, "7 trailing").unwrap().value, Value::Int64(7));
        // An envelope is just a map when schemas are off.
        assert!(matches!(
            read(&c, r#"{"schema":null,"payload":1}"#).unwrap().value,
            Value::Map(_)
        ));
    }

    #[test]
    fn nested_schemas_survive_a_round_trip() {
        let c = JsonConverter::default();
        let address: SchemaRef = Arc::new(
            Schema::struct_builder()
                .field("street", Schema::optional_string())
                .field("tags", Schema::array(Schema::string()))
                .build()
                .optional(),
        );
        let schema: SchemaRef = Arc::new(
            Schema::struct_builder()
                .field("id", Schema::int64())
                .field("at", Schema::timestamp())
                .field("price", Schema::decimal(3).optional())
                .field("address", address.clone())
                .field(
                    "scores",
                    Schema::map(Schema::string(), Schema::optional_float64()),
                )
                .build()
                .name("com.example.Order")
                .version(3),
        );
        let mut addr = Struct::new(address).unwrap();
        addr.put("tags", Value::Array(vec![Value::from("a")]))
            .unwrap();
        let mut order = Struct::new(schema.clone()).unwrap();
        order
            .put("id", 9i64)
            .unwrap()
            .put("at", 1_700_000_000_000i64)
            .unwrap()
            .put("price", Decimal::new(-12_345, 3))
            .unwrap()
            .put("address", addr)
            .unwrap()
            .put(
                "scores",
                Value::Map(vec![(Value::from("x"), Value::Float64(0.5))]),
            )
            .unwrap();
        let bytes = c
            .from_connect("t", Some(&schema), &Value::Struct(order.clone()))
            .unwrap()
            .unwrap();
        let sv = c.to_connect("t", Some(&bytes)).unwrap();
        assert_eq!(sv.schema, Some(schema));
        assert_eq!(sv.value, Value::Struct(order));
    }

    #[test]
    fn struct_defaults_in_schemas_are_read() {
        let c = JsonConverter::default();
        let text = r#"{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"default":3,"field":"a"}],"optional":false},"payload":{}}"#;
        let sv = read(&c, text).unwrap();
        let Value::Struct(s) = sv.value else {
            panic!("not a struct")
        };
        assert_eq!(s.values, vec![Value::Int32(3)]);
        assert_eq!(
            write(&c, sv.schema.as_deref(), &Value::Struct(s)),
            text.replace("{}", r#"{"a":3}"#)
        );
    }

    #[test]
    fn config_keys_are_read_and_checked() {
        let config = |pairs: &[(&str, &str)]| -> IndexMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let c = JsonConverter::from_config(&config(&[
            ("schemas.enable", "false"),
            ("decimal.format", "numeric"),
            ("replace.null.with.default", "false"),
            ("schemas.cache.size", "10"),
            ("unknown.key", "ignored"),
        ]))
        .unwrap();
        assert_eq!(
            c,
            JsonConverter {
                schemas_enable: false,
                decimal_format: DecimalFormat::Numeric,
                replace_null_with_default: false
            }
        );
        assert_eq!(
            JsonConverter::from_config(&config(&[])).unwrap(),
            JsonConverter::default()
        );
        let err = JsonConverter::from_config(&config(&[("decimal.format", "hex")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid value hex for configuration decimal.format: String must be one of (case insensitive): BASE64, NUMERIC"
        );
        assert!(JsonConverter::from_config(&config(&[("schemas.cache.size", "many")])).is_err());
    }

    #[test]
    fn helpers_for_internal_topics() {
        let value = Value::Map(vec![(Value::from("position"), Value::Int64(12))]);
        assert_eq!(
            to_json_value(None, &value).unwrap(),
            json!({"position": 12})
        );
        assert_eq!(
            to_json_bytes(None, &value).unwrap(),
            Some(br#"{"position":12}"#.to_vec())
        );
        assert_eq!(to_json_bytes(None, &Value::Null).unwrap(), None);
        assert_eq!(
            from_json_value(None, &json!({"position": 12})).unwrap(),
            value
        );
        let schema: SchemaRef = Arc::new(
            Schema::struct_builder()
                .field("state", Schema::string())
                .build(),
        );
        let back = from_json_value(Some(&schema), &json!({"state": "RUNNING"})).unwrap();
        let Value::Struct(s) = &back else {
            panic!("not a struct")
        };
        assert_eq!(s.get("state").unwrap(), &Value::from("RUNNING"));
        assert_eq!(
            to_json_value(Some(&schema), &back).unwrap(),
            json!({"state": "RUNNING"})
        );
        assert_eq!(
            to_json_value(None, &Value::Float32(0.1)).unwrap(),
            json!(0.1)
        );
        assert_eq!(DECIMAL_NAME.rsplit('.').next(), Some("Decimal"));
        assert_eq!(DATE_NAME.rsplit('.').next(), Some("Date"));
    }
}
