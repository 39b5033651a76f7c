//! `MaskField$Key` / `MaskField$Value`: replaces fields with their type's zero value (`false`,
//! `0`, `""`, empty list or map, the epoch for dates) or with the `replacement` literal, which
//! must parse as the field's type (numbers and strings only).

use super::cast::java_float_text;
use super::headers::non_empty_list;
use super::support::{
    field_value, java_class, map_get, map_put, replace_null_key, require_map, require_struct, Conf,
    ConfigError, Side, REPLACE_NULL,
};
use super::Transformation;
use crate::worker::configdef::{ConfigDef, ConfigType, Default, Importance, Key, Validator};
use crate::worker::data::{ConnectRecord, Decimal, Schema, Struct, Value};

const FIELDS: &str = "fields";
const REPLACEMENT: &str = "replacement";
const PURPOSE: &str = "mask fields";

pub(crate) fn config_def() -> ConfigDef {
    ConfigDef::new()
        .plain(
            Key::new(FIELDS, ConfigType::List, Default::Required, Importance::High, "Names of fields to mask."),
            Validator::Any,
        )
        .plain(
            Key::new(
                REPLACEMENT,
                ConfigType::String,
                Default::Null,
                Importance::Low,
                "Custom value replacement, that will be applied to all 'fields' values (numeric or non-empty string values only).",
            ),
            Validator::NonEmptyString,
        )
        .plain(replace_null_key(), Validator::Any)
}

pub(crate) fn build(conf: &Conf, side: Side) -> Result<Box<dyn Transformation>, ConfigError> {
    Ok(Box::new(MaskField {
        side,
        fields: non_empty_list(conf, FIELDS)?,
        replacement: conf.string(REPLACEMENT),
        replace_null: conf.boolean(REPLACE_NULL),
    }))
}

struct MaskField {
    side: Side,
    fields: Vec<String>,
    replacement: Option<String>,
    replace_null: bool,
}

impl Transformation for MaskField {
    fn apply(&self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>, String> {
        let (schema, value) = self.side.take(&mut record);
        let value = match &schema {
            None => {
                let original = require_map(value, PURPOSE)?;
                let mut updated = original.clone();
                // As Java, a field the map lacks is written as null.
                for name in &self.fields {
                    let masked =
                        self.masked(map_get(&original, name).unwrap_or(&Value::Null), None)?;
                    map_put(&mut updated, name, masked);
                }
                Value::Map(updated)
            }
            Some(_) => Value::Struct(self.mask_struct(&require_struct(value, PURPOSE)?)?),
        };
        self.side.set(&mut record, schema, value);
        Ok(Some(record))
    }
}

impl MaskField {
    fn mask_struct(&self, value: &Struct) -> Result<Struct, String> {
        let mut out = Struct::new(value.schema.clone()).map_err(|e| e.to_string())?;
        for (index, field) in value.schema.fields.iter().enumerate() {
            let original = field_value(value, index, self.replace_null);
            let v = if self.fields.contains(&field.name) {
                self.masked(&original, Some(&field.schema))?
            } else {
                original
            };
            out.put(&field.name, v).map_err(|e| e.to_string())?;
        }
        Ok(out)
    }

    fn masked(&self, value: &Value, schema: Option<&Schema>) -> Result<Value, String> {
        if value.is_null() {
            return Ok(Value::Null);
        }
        match &self.replacement {
            None => zero(value),
            Some(r) => replace(value, schema, r),
        }
    }
}

/// Java's `PRIMITIVE_VALUE_MAPPING`, plus empty lists and maps.
fn zero(value: &Value) -> Result<Value, String> {
    Ok(match value {
        Value::Boolean(_) => Value::Boolean(false),
        Value::Int8(_) => Value::Int8(0),
        Value::Int16(_) => Value::Int16(0),
        Value::Int32(_) => Value::Int32(0),
        Value::Int64(_) => Value::Int64(0),
        Value::Float32(_) => Value::Float32(0.0),
        Value::Float64(_) => Value::Float64(0.0),
        Value::String(_) => Value::String(String::new()),
        // Zero at the value's own scale, so it still fits a Decimal schema.
        Value::Decimal(d) => Value::Decimal(Decimal::new(0, d.scale)),
        Value::Array(_) => Value::Array(Vec::new()),
        Value::Map(_) => Value::Map(Vec::new()),
        other => {
            return Err(format!(
                "Cannot mask value of type: class {}",
                java_class(other)
            ))
        }
    })
}

/// Java's `REPLACEMENT_MAPPING_FUNC`: the literal parsed as the value's type.
fn replace(value: &Value, schema: Option<&Schema>, replacement: &str) -> Result<Value, String> {
    let unsupported =
        |class: &str| format!("Cannot mask value of type class {class} with custom replacement.");
    if schema.and_then(Schema::logical_type).is_some() && !matches!(value, Value::Decimal(_)) {
        return Err(unsupported("java.util.Date"));
    }
    let not_a_number =
        || format!("Unable to convert {replacement} (class java.lang.String) to number");
    let parsed = match value {
        Value::String(_) => Some(Value::String(replacement.to_string())),
        Value::Int8(_) => replacement.parse().ok().map(Value::Int8),
        Value::Int16(_) => replacement.parse().ok().map(Value::Int16),
        Value::Int32(_) => replacement.parse().ok().map(Value::Int32),
        Value::Int64(_) => replacement.parse().ok().map(Value::Int64),
        Value::Float32(_) => java_float_text(replacement)
            .and_then(|t| t.parse().ok())
            .map(Value::Float32),
        Value::Float64(_) => java_float_text(replacement)
            .and_then(|t| t.parse().ok())
            .map(Value::Float64),
        Value::Decimal(d) => {
            let parsed: Decimal = replacement.parse().map_err(|_| not_a_number())?;
            let rescaled = parsed.rescale(d.scale).ok_or_else(|| {
                format!(
                    "Replacement {replacement} does not fit the field's decimal scale {}",
                    d.scale
                )
            })?;
            Some(Value::Decimal(rescaled))
        }
        other => return Err(unsupported(java_class(other))),
    };
    parsed.ok_or_else(not_a_number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::data::SchemaRef;
    use crate::worker::transform::registry::test_transform;
    use std::sync::Arc;

    fn mask(props: &[(&str, &str)]) -> Box<dyn Transformation> {
        test_transform("org.apache.kafka.connect.transforms.MaskField$Value", props).unwrap()
    }

    fn schema() -> SchemaRef {
        Arc::new(
            Schema::struct_builder()
                .field("i", Schema::int32())
                .field("s", Schema::string())
                .field("b", Schema::boolean())
                .field("d", Schema::decimal(2))
                .field("ts", Schema::timestamp())
                .field("l", Schema::array(Schema::int32()))
                .field("keep", Schema::string())
                .build(),
        )
    }

    fn value() -> Struct {
        let mut s = Struct::new(schema()).unwrap();
        s.put("i", 5)
            .unwrap()
            .put("s", "secret")
            .unwrap()
            .put("b", true)
            .unwrap();
        s.put("d", Decimal::new(1234, 2))
            .unwrap()
            .put("ts", 99i64)
            .unwrap();
        s.put("l", Value::Array(vec![Value::Int32(1)]))
            .unwrap()
            .put("keep", "k")
            .unwrap();
        s
    }

    #[test]
    fn with_schema_masks_with_zero_values() {
        let t = mask(&[("fields", "i,s,b,d,ts,l")]);
        let r = t
            .apply(ConnectRecord::new(
                "t".into(),
                Some(schema()),
                Value::Struct(value()),
            ))
            .unwrap()
            .unwrap();
        let Value::Struct(v) = r.value else { panic!() };
        assert_eq!(v.get("i").unwrap(), &Value::Int32(0));
        assert_eq!(v.get("s").unwrap(), &Value::from(""));
        assert_eq!(v.get("b").unwrap(), &Value::Boolean(false));
        assert_eq!(v.get("d").unwrap(), &Value::Decimal(Decimal::new(0, 2)));
        assert_eq!(v.get("ts").unwrap(), &Value::Int64(0));
        assert_eq!(v.get("l").unwrap(), &Value::Array(vec![]));
        assert_eq!(v.get("keep").unwrap(), &Value::from("k"));
    }

    #[test]
    fn with_schema_masks_with_a_replacement() {
        let t = mask(&[("fields", "i,s,d"), ("replacement", "12")]);
        let r = t
            .apply(ConnectRecord::new(
                "t".into(),
                Some(schema()),
                Value::Struct(value()),
            ))
            .unwrap()
            .unwrap();
        let Value::Struct(v) = r.value else { panic!() };
        assert_eq!(v.get("i").unwrap(), &Value::Int32(12));
        assert_eq!(v.get("s").unwrap(), &Value::from("12"));
        assert_eq!(v.get("d").unwrap(), &Value::Decimal(Decimal::new(1200, 2)));
        let err = mask(&[("fields", "b"), ("replacement", "x")])
            .apply(ConnectRecord::new(
                "t".into(),
                Some(schema()),
                Value::Struct(value()),
            ))
            .unwrap_err();
        assert_eq!(
            err,
            "Cannot mask value of type class java.lang.Boolean with custom replacement."
        );
        let err = mask(&[("fields", "ts"), ("replacement", "1")])
            .apply(ConnectRecord::new(
                "t".into(),
                Some(schema()),
                Value::Struct(value()),
            ))
            .unwrap_err();
        assert!(err.contains("java.util.Date"), "{err}");
        let err = mask(&[("fields", "i"), ("replacement", "abc")])
            .apply(ConnectRecord::new(
                "t".into(),
                Some(schema()),
                Value::Struct(value()),
            ))
            .unwrap_err();
        assert_eq!(
            err,
            "Unable to convert abc (class java.lang.String) to number"
        );
    }

    #[test]
    fn schemaless_masks_map_entries() {
        let map = Value::Map(vec![
            (Value::from("a"), Value::Float64(1.5)),
            (
                Value::from("m"),
                Value::Map(vec![(Value::from("x"), Value::Int32(1))]),
            ),
        ]);
        let r = mask(&[("fields", "a,m,z")])
            .apply(ConnectRecord::new("t".into(), None, map))
            .unwrap()
            .unwrap();
        assert_eq!(
            r.value,
            Value::Map(vec![
                (Value::from("a"), Value::Float64(0.0)),
                (Value::from("m"), Value::Map(vec![])),
                (Value::from("z"), Value::Null),
            ])
        );
        let bytes = Value::Map(vec![(Value::from("a"), Value::Bytes(vec![1]))]);
        let err = mask(&[("fields", "a")])
            .apply(ConnectRecord::new("t".into(), None, bytes))
            .unwrap_err();
        assert_eq!(err, "Cannot mask value of type: class [B");
        let key = test_transform("MaskField$Key", &[("fields", "k")]).unwrap();
        let r = ConnectRecord::new("t".into(), None, Value::Null)
            .with_key(None, Value::Map(vec![(Value::from("k"), Value::Int64(9))]));
        assert_eq!(
            key.apply(r).unwrap().unwrap().key,
            Value::Map(vec![(Value::from("k"), Value::Int64(0))])
        );
    }

    #[test]
    fn config_errors() {
        let err = test_transform("MaskField$Value", &[("fields", "")])
            .err()
            .unwrap();
        assert!(err.message.ends_with("Empty list"));
        let err = test_transform("MaskField$Value", &[("fields", "a"), ("replacement", "")])
            .err()
            .unwrap();
        assert!(
            err.message.ends_with("String must be non-empty"),
            "{}",
            err.message
        );
    }
}
