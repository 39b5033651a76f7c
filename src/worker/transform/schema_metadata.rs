//! `SetSchemaMetadata$Key` / `SetSchemaMetadata$Value`: sets the schema's name and/or version;
//! a struct value is rebuilt on the renamed schema so it keeps matching it.

use std::sync::Arc;

use super::support::{
    build_struct, field_value, replace_null_key, Conf, ConfigError, Side, REPLACE_NULL,
};
use super::Transformation;
use crate::worker::configdef::{ConfigDef, ConfigType, Default, Importance, Key, Validator};
use crate::worker::data::{ConnectRecord, SchemaRef, Value};

const NAME: &str = "schema.name";
const VERSION: &str = "schema.version";

pub(crate) fn config_def() -> ConfigDef {
    ConfigDef::new()
        .plain(
            Key::new(
                NAME,
                ConfigType::String,
                Default::Null,
                Importance::High,
                "Schema name to set.",
            ),
            Validator::Any,
        )
        .plain(
            Key::new(
                VERSION,
                ConfigType::Int,
                Default::Null,
                Importance::High,
                "Schema version to set.",
            ),
            Validator::Any,
        )
        .plain(replace_null_key(), Validator::Any)
}

pub(crate) fn build(conf: &Conf, side: Side) -> Result<Box<dyn Transformation>, ConfigError> {
    let name = conf.string(NAME);
    let version = conf.int(VERSION);
    if name.is_none() && version.is_none() {
        return Err(conf.error(
            NAME,
            format!(
                "Neither schema name nor version configured; set {} or {}",
                conf.full(NAME),
                conf.full(VERSION)
            ),
        ));
    }
    Ok(Box::new(SetSchemaMetadata {
        side,
        name,
        version,
        replace_null: conf.boolean(REPLACE_NULL),
    }))
}

struct SetSchemaMetadata {
    side: Side,
    name: Option<String>,
    version: Option<i32>,
    replace_null: bool,
}

impl Transformation for SetSchemaMetadata {
    fn apply(&self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>, String> {
        let (schema, value) = self.side.take(&mut record);
        let schema = schema.ok_or("Schema required for [updating schema metadata]")?;
        let mut updated = (*schema).clone();
        if let Some(name) = &self.name {
            updated.name = Some(name.clone());
        }
        if let Some(version) = self.version {
            updated.version = Some(version);
        }
        let updated: SchemaRef = Arc::new(updated);
        let value = match value {
            Value::Struct(s) => {
                let values = s
                    .schema
                    .fields
                    .iter()
                    .enumerate()
                    .map(|(i, f)| (f.name.clone(), field_value(&s, i, self.replace_null)));
                Value::Struct(build_struct(&updated, values)?)
            }
            other => other,
        };
        self.side.set(&mut record, Some(updated), value);
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::data::{Schema, Struct, Type};
    use crate::worker::transform::registry::test_transform;

    #[test]
    fn renames_struct_schemas_and_rebuilds_the_value() {
        let schema: SchemaRef = Arc::new(
            Schema::struct_builder()
                .field("a", Schema::int32())
                .build()
                .name("old")
                .version(1)
                .doc("d"),
        );
        let mut s = Struct::new(schema.clone()).unwrap();
        s.put("a", 1).unwrap();
        let t = test_transform(
            "org.apache.kafka.connect.transforms.SetSchemaMetadata$Value",
            &[("schema.name", "new"), ("schema.version", "3")],
        )
        .unwrap();
        let r = t
            .apply(ConnectRecord::new(
                "t".into(),
                Some(schema),
                Value::Struct(s),
            ))
            .unwrap()
            .unwrap();
        let out = r.value_schema.unwrap();
        assert_eq!(
            (out.name.as_deref(), out.version, out.doc.as_deref()),
            (Some("new"), Some(3), Some("d"))
        );
        let Value::Struct(v) = r.value else { panic!() };
        assert!(Arc::ptr_eq(&v.schema, &out));
        assert_eq!(v.get("a").unwrap(), &Value::Int32(1));
    }

    #[test]
    fn primitives_keep_their_value_and_schemaless_fails() {
        let t = test_transform("SetSchemaMetadata$Key", &[("schema.version", "7")]).unwrap();
        let r = ConnectRecord::new("t".into(), None, Value::Null)
            .with_key(Some(Schema::optional_string()), Value::from("k"));
        let r = t.apply(r).unwrap().unwrap();
        let key_schema = r.key_schema.unwrap();
        assert_eq!(
            (key_schema.kind, key_schema.version, key_schema.optional),
            (Type::String, Some(7), true)
        );
        assert_eq!(r.key, Value::from("k"));
        let err = t
            .apply(
                ConnectRecord::new("t".into(), None, Value::Null).with_key(None, Value::from("k")),
            )
            .unwrap_err();
        assert_eq!(err, "Schema required for [updating schema metadata]");
    }

    #[test]
    fn needs_a_name_or_a_version() {
        let err = test_transform("SetSchemaMetadata$Value", &[])
            .err()
            .unwrap();
        assert!(
            err.message
                .starts_with("Neither schema name nor version configured"),
            "{}",
            err.message
        );
        let err = test_transform("SetSchemaMetadata$Value", &[("schema.version", "x")])
            .err()
            .unwrap();
        assert!(
            err.message.ends_with("Not a number of type INT"),
            "{}",
            err.message
        );
    }
}
