//! `ValueToKey`: replaces the key with a struct (with a schema) or map (without) of some of
//! the value's fields.

use super::headers::non_empty_list;
use super::support::{
    as_map, as_struct, field_value, map_get, replace_null_key, Conf, ConfigError, SchemaCache,
    REPLACE_NULL,
};
use super::Transformation;
use crate::worker::configdef::{ConfigDef, ConfigType, Default, Importance, Key, Validator};
use crate::worker::data::{ConnectRecord, Schema, Struct, Value};

const FIELDS: &str = "fields";
const PURPOSE: &str = "copying fields from value to key";

pub(crate) fn config_def() -> ConfigDef {
    ConfigDef::new()
        .plain(
            Key::new(
                FIELDS,
                ConfigType::List,
                Default::Required,
                Importance::High,
                "Field names on the record value to extract as the record key.",
            ),
            Validator::Any,
        )
        .plain(replace_null_key(), Validator::Any)
}

pub(crate) fn build(conf: &Conf) -> Result<Box<dyn Transformation>, ConfigError> {
    Ok(Box::new(ValueToKey {
        fields: non_empty_list(conf, FIELDS)?,
        replace_null: conf.boolean(REPLACE_NULL),
        cache: SchemaCache::default(),
    }))
}

struct ValueToKey {
    fields: Vec<String>,
    replace_null: bool,
    cache: SchemaCache,
}

impl Transformation for ValueToKey {
    fn apply(&self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>, String> {
        let (key_schema, key) = match &record.value_schema {
            None => {
                let value = as_map(&record.value, PURPOSE)?;
                let key = self
                    .fields
                    .iter()
                    .map(|f| {
                        (
                            Value::String(f.clone()),
                            map_get(value, f).cloned().unwrap_or(Value::Null),
                        )
                    })
                    .collect();
                (None, Value::Map(key))
            }
            Some(schema) => {
                let value = as_struct(&record.value, PURPOSE)?;
                let key_schema = self.cache.get_or_build(schema, |s| {
                    let mut builder = Schema::struct_builder();
                    for name in &self.fields {
                        let field = s
                            .field(name)
                            .ok_or_else(|| format!("Field does not exist: {name}"))?;
                        builder = builder.field(name.clone(), field.schema.clone());
                    }
                    Ok(builder.build())
                })?;
                let mut key = Struct::new(key_schema.clone()).map_err(|e| e.to_string())?;
                for name in &self.fields {
                    let v = value.schema.field(name).map_or(Value::Null, |f| {
                        field_value(value, f.index, self.replace_null)
                    });
                    key.put(name, v).map_err(|e| e.to_string())?;
                }
                (Some(key_schema), Value::Struct(key))
            }
        };
        record.key_schema = key_schema;
        record.key = key;
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::data::{SchemaRef, Type};
    use crate::worker::transform::registry::test_transform;
    use std::sync::Arc;

    fn value_to_key(fields: &str) -> Box<dyn Transformation> {
        test_transform(
            "org.apache.kafka.connect.transforms.ValueToKey",
            &[("fields", fields)],
        )
        .unwrap()
    }

    #[test]
    fn schemaless_builds_a_map_key() {
        let map = Value::Map(vec![
            (Value::from("a"), Value::Int32(1)),
            (Value::from("b"), Value::Int32(2)),
        ]);
        let r = value_to_key("b,c")
            .apply(ConnectRecord::new("t".into(), None, map.clone()))
            .unwrap()
            .unwrap();
        assert_eq!(
            r.key,
            Value::Map(vec![
                (Value::from("b"), Value::Int32(2)),
                (Value::from("c"), Value::Null)
            ])
        );
        assert_eq!(r.value, map);
        let err = value_to_key("a")
            .apply(ConnectRecord::new("t".into(), None, Value::Null))
            .unwrap_err();
        assert!(
            err.ends_with("[copying fields from value to key], found: null"),
            "{err}"
        );
    }

    #[test]
    fn with_schema_builds_a_struct_key() {
        let schema: SchemaRef = Arc::new(
            Schema::struct_builder()
                .field("id", Schema::int64())
                .field("name", Schema::string())
                .build(),
        );
        let mut s = Struct::new(schema.clone()).unwrap();
        s.put("id", 5i64).unwrap().put("name", "n").unwrap();
        let r = value_to_key("id")
            .apply(ConnectRecord::new(
                "t".into(),
                Some(schema.clone()),
                Value::Struct(s.clone()),
            ))
            .unwrap()
            .unwrap();
        let key_schema = r.key_schema.unwrap();
        assert_eq!(key_schema.fields.len(), 1);
        assert_eq!(key_schema.field("id").unwrap().schema.kind, Type::Int64);
        let Value::Struct(k) = r.key else { panic!() };
        assert_eq!(k.get("id").unwrap(), &Value::Int64(5));
        let err = value_to_key("nope")
            .apply(ConnectRecord::new(
                "t".into(),
                Some(schema),
                Value::Struct(s),
            ))
            .unwrap_err();
        assert_eq!(err, "Field does not exist: nope");
    }

    #[test]
    fn fields_must_not_be_empty() {
        let err = test_transform("ValueToKey", &[("fields", "")])
            .err()
            .unwrap();
        assert_eq!(
            err.message,
            "Invalid value [] for configuration transforms.t.fields: Empty list"
        );
    }
}
