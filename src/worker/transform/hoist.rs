//! `HoistField$Key` / `HoistField$Value`: wraps the key/value in a struct (with a schema) or a
//! map (without) that has it as its single field.

use super::support::{Conf, ConfigError, SchemaCache, Side};
use super::Transformation;
use crate::worker::configdef::{ConfigDef, ConfigType, Default, Importance, Key, Validator};
use crate::worker::data::{ConnectRecord, Schema, Struct, Value};

const FIELD: &str = "field";

pub(crate) fn config_def() -> ConfigDef {
    ConfigDef::new().plain(
        Key::new(
            FIELD,
            ConfigType::String,
            Default::Required,
            Importance::Medium,
            "Field name for the single field that will be created in the resulting Struct or Map.",
        ),
        Validator::Any,
    )
}

pub(crate) fn build(conf: &Conf, side: Side) -> Result<Box<dyn Transformation>, ConfigError> {
    Ok(Box::new(HoistField {
        side,
        field: conf.string(FIELD).unwrap_or_default(),
        cache: SchemaCache::default(),
    }))
}

struct HoistField {
    side: Side,
    field: String,
    cache: SchemaCache,
}

impl Transformation for HoistField {
    fn apply(&self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>, String> {
        let (schema, value) = self.side.take(&mut record);
        let (schema, value) = match schema {
            None => (
                None,
                Value::Map(vec![(Value::String(self.field.clone()), value)]),
            ),
            Some(schema) => {
                let updated = self.cache.get_or_build(&schema, |s| {
                    Ok(Schema::struct_builder()
                        .field(self.field.clone(), s.clone())
                        .build())
                })?;
                let mut hoisted = Struct::new(updated.clone()).map_err(|e| e.to_string())?;
                hoisted.put(&self.field, value).map_err(|e| e.to_string())?;
                (Some(updated), Value::Struct(hoisted))
            }
        };
        self.side.set(&mut record, schema, value);
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::data::Type;
    use crate::worker::transform::registry::test_transform;

    #[test]
    fn schemaless_wraps_in_a_map() {
        let t = test_transform(
            "org.apache.kafka.connect.transforms.HoistField$Value",
            &[("field", "line")],
        )
        .unwrap();
        let r = t
            .apply(ConnectRecord::new("t".into(), None, Value::from("x")))
            .unwrap()
            .unwrap();
        assert_eq!(
            r.value,
            Value::Map(vec![(Value::from("line"), Value::from("x"))])
        );
    }

    #[test]
    fn with_schema_wraps_in_a_struct() {
        let t = test_transform("HoistField$Key", &[("field", "id")]).unwrap();
        let r = ConnectRecord::new("t".into(), None, Value::Null)
            .with_key(Some(Schema::int64()), Value::Int64(7));
        let r = t.apply(r).unwrap().unwrap();
        let schema = r.key_schema.unwrap();
        assert_eq!(schema.kind, Type::Struct);
        assert_eq!(schema.field("id").unwrap().schema, Schema::int64());
        let Value::Struct(s) = r.key else { panic!() };
        assert_eq!(s.get("id").unwrap(), &Value::Int64(7));
    }

    #[test]
    fn null_for_a_required_schema_fails_and_field_is_required() {
        let t = test_transform("HoistField$Value", &[("field", "v")]).unwrap();
        let err = t
            .apply(ConnectRecord::new(
                "t".into(),
                Some(Schema::string()),
                Value::Null,
            ))
            .unwrap_err();
        assert!(
            err.starts_with("Invalid value: null used for required field: \"v\""),
            "{err}"
        );
        let err = test_transform("HoistField$Value", &[]).err().unwrap();
        assert!(err.message.contains("\"transforms.t.field\""));
    }
}
