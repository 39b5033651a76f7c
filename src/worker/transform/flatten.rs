//! `Flatten$Key` / `Flatten$Value`: nested structs (or maps) become top-level fields named
//! `parent<delimiter>child`; a field under an optional parent becomes optional, and a parent's
//! default supplies the children's defaults, as Java builds the flattened schema.

use std::sync::Arc;

use super::support::{
    copy_basics, java_class, map_put, require_map, require_struct, Conf, ConfigError, SchemaCache,
    Side,
};
use super::Transformation;
use crate::worker::configdef::{ConfigDef, ConfigType, Default, Importance, Key, Validator};
use crate::worker::data::{ConnectRecord, Schema, SchemaRef, Struct, StructBuilder, Type, Value};

const DELIMITER: &str = "delimiter";
const PURPOSE: &str = "flattening";

pub(crate) fn config_def() -> ConfigDef {
    ConfigDef::new().plain(
        Key::new(
            DELIMITER,
            ConfigType::String,
            Default::Value("."),
            Importance::Medium,
            "Delimiter to insert between field names from the input record when generating field names for the output record",
        ),
        Validator::Any,
    )
}

pub(crate) fn build(conf: &Conf, side: Side) -> Result<Box<dyn Transformation>, ConfigError> {
    Ok(Box::new(Flatten {
        side,
        delimiter: conf.string(DELIMITER).unwrap_or_default(),
        cache: SchemaCache::default(),
    }))
}

struct Flatten {
    side: Side,
    delimiter: String,
    cache: SchemaCache,
}

impl Transformation for Flatten {
    fn apply(&self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>, String> {
        let (schema, value) = self.side.take(&mut record);
        let (schema, value) = match schema {
            None if value.is_null() => (None, value),
            None => {
                let mut out = Vec::new();
                self.flatten_map(require_map(value, PURPOSE)?, "", &mut out)?;
                (None, Value::Map(out))
            }
            // A tombstone of a non-struct schema has nothing to flatten.
            Some(schema) if schema.kind != Type::Struct && value.is_null() => (Some(schema), value),
            Some(schema) => {
                let value = match value {
                    Value::Null => None,
                    other => Some(require_struct(other, PURPOSE)?),
                };
                let updated = self.cache.get_or_build(&schema, |s| self.flat_schema(s))?;
                let value = match value {
                    Some(s) => Value::Struct(self.flat_struct(&s, &updated)?),
                    None => Value::Null,
                };
                (Some(updated), value)
            }
        };
        self.side.set(&mut record, schema, value);
        Ok(Some(record))
    }
}

impl Flatten {
    fn name(&self, prefix: &str, field: &str) -> String {
        if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}{}{field}", self.delimiter)
        }
    }

    fn flatten_map(
        &self,
        entries: Vec<(Value, Value)>,
        prefix: &str,
        out: &mut Vec<(Value, Value)>,
    ) -> Result<(), String> {
        for (key, value) in entries {
            let key = match key {
                Value::String(s) => s,
                other => other.to_string(),
            };
            let name = self.name(prefix, &key);
            match value {
                Value::Map(inner) => self.flatten_map(inner, &name, out)?,
                Value::Decimal(_) => {
                    return Err(format!(
                        "Flatten transformation was passed a value of type class {} which is not supported by Connect's data API",
                        java_class(&value)
                    ))
                }
                Value::Struct(_) => {
                    return Err(format!(
                        "Flatten transformation does not support class {} for record without schemas (for field {name}).",
                        java_class(&value)
                    ))
                }
                other => map_put(out, &name, other),
            }
        }
        Ok(())
    }

    fn flat_schema(&self, schema: &Schema) -> Result<Schema, String> {
        let parent_default = match &schema.default {
            Some(Value::Struct(s)) => Some(s),
            _ => None,
        };
        let builder = self.add_fields(
            Schema::struct_builder(),
            schema,
            "",
            schema.optional,
            parent_default,
        )?;
        let mut out = copy_basics(schema, builder.build());
        // Java leaves the flattened schema required; a null value of an optional schema must stay valid.
        out.optional = schema.optional;
        Ok(out)
    }

    fn add_fields(
        &self,
        mut builder: StructBuilder,
        schema: &Schema,
        prefix: &str,
        optional: bool,
        parent_default: Option<&Struct>,
    ) -> Result<StructBuilder, String> {
        for field in &schema.fields {
            let name = self.name(prefix, &field.name);
            let field_optional = optional || field.schema.optional;
            let default = field.schema.default.clone().or_else(|| {
                parent_default
                    .and_then(|d| d.values.get(field.index).cloned())
                    .filter(|v| !v.is_null())
            });
            builder = match field.schema.kind {
                Type::Struct => {
                    let nested_default = match &default {
                        Some(Value::Struct(s)) => Some(s),
                        _ => None,
                    };
                    self.add_fields(
                        builder,
                        &field.schema,
                        &name,
                        field_optional,
                        nested_default,
                    )?
                }
                _ => {
                    let flat = flat_field_schema(&field.schema, field_optional, default)?;
                    builder
                        .try_field(name, Arc::new(flat))
                        .map_err(|e| e.to_string())?
                }
            };
        }
        Ok(builder)
    }

    fn flat_struct(&self, value: &Struct, schema: &SchemaRef) -> Result<Struct, String> {
        let mut out = Struct::new(schema.clone()).map_err(|e| e.to_string())?;
        self.fill(value, "", &mut out)?;
        Ok(out)
    }

    fn fill(&self, value: &Struct, prefix: &str, out: &mut Struct) -> Result<(), String> {
        for field in &value.schema.fields {
            let name = self.name(prefix, &field.name);
            let v = value.get(&field.name).cloned().unwrap_or(Value::Null);
            match (field.schema.kind, v) {
                (Type::Struct, Value::Struct(inner)) => self.fill(&inner, &name, out)?,
                // A null nested struct leaves its flattened fields null.
                (Type::Struct, Value::Null) => {}
                (_, v) => {
                    out.put(&name, v).map_err(|e| e.to_string())?;
                }
            }
        }
        Ok(())
    }
}

/// The field's schema with everything but optionality and default kept (Java's
/// `copySchemaBasics` plus array items and map keys and values).
fn flat_field_schema(
    schema: &Schema,
    optional: bool,
    default: Option<Value>,
) -> Result<Schema, String> {
    let mut out = schema.clone();
    out.optional = optional;
    out.default = None;
    match default {
        Some(d) => out.default_value(d).map_err(|e| e.to_string()),
        None => Ok(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::transform::registry::test_transform;

    fn flatten(props: &[(&str, &str)]) -> Box<dyn Transformation> {
        test_transform("org.apache.kafka.connect.transforms.Flatten$Value", props).unwrap()
    }

    #[test]
    fn schemaless_maps_flatten_with_the_delimiter() {
        let inner = Value::Map(vec![
            (Value::from("b"), Value::Int32(1)),
            (
                Value::from("c"),
                Value::Map(vec![(Value::from("d"), Value::Null)]),
            ),
        ]);
        let map = Value::Map(vec![
            (Value::from("a"), inner),
            (Value::from("e"), Value::Array(vec![Value::Int32(2)])),
        ]);
        let r = flatten(&[("delimiter", "_")])
            .apply(ConnectRecord::new("t".into(), None, map))
            .unwrap()
            .unwrap();
        assert_eq!(
            r.value,
            Value::Map(vec![
                (Value::from("a_b"), Value::Int32(1)),
                (Value::from("a_c_d"), Value::Null),
                (Value::from("e"), Value::Array(vec![Value::Int32(2)])),
            ])
        );
        let tombstone = flatten(&[])
            .apply(ConnectRecord::new("t".into(), None, Value::Null))
            .unwrap()
            .unwrap();
        assert_eq!(tombstone.value, Value::Null);
        let err = flatten(&[])
            .apply(ConnectRecord::new("t".into(), None, Value::Int32(1)))
            .unwrap_err();
        assert!(err.contains("[flattening]"), "{err}");
    }

    #[test]
    fn structs_flatten_with_optionality_and_defaults_from_parents() {
        let inner: SchemaRef = Arc::new(
            Schema::struct_builder()
                .field("b", Schema::int32())
                .field("c", Schema::map(Schema::string(), Schema::int64()))
                .build()
                .optional(),
        );
        let outer: SchemaRef = Arc::new(
            Schema::struct_builder()
                .field("a", inner.clone())
                .field("d", Schema::string())
                .build()
                .name("rec"),
        );
        let mut a = Struct::new(inner.clone()).unwrap();
        a.put("b", 5).unwrap().put("c", Value::Map(vec![])).unwrap();
        let mut s = Struct::new(outer.clone()).unwrap();
        s.put("a", a).unwrap().put("d", "x").unwrap();
        let r = flatten(&[])
            .apply(ConnectRecord::new(
                "t".into(),
                Some(outer.clone()),
                Value::Struct(s),
            ))
            .unwrap()
            .unwrap();
        let schema = r.value_schema.unwrap();
        let names: Vec<&str> = schema.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["a.b", "a.c", "d"]);
        assert!(
            schema.field("a.b").unwrap().schema.optional,
            "optional because a is"
        );
        assert_eq!(schema.field("a.c").unwrap().schema.kind, Type::Map);
        assert_eq!(
            schema.field("a.c").unwrap().schema.value_schema,
            Some(Schema::int64())
        );
        assert!(!schema.field("d").unwrap().schema.optional);
        assert_eq!(schema.name.as_deref(), Some("rec"));
        let Value::Struct(v) = r.value else { panic!() };
        assert_eq!(v.get("a.b").unwrap(), &Value::Int32(5));
        assert_eq!(v.get("d").unwrap(), &Value::from("x"));

        // A null nested struct leaves its fields null.
        let mut s = Struct::new(outer.clone()).unwrap();
        s.put("d", "y").unwrap();
        let r = flatten(&[])
            .apply(ConnectRecord::new(
                "t".into(),
                Some(outer),
                Value::Struct(s),
            ))
            .unwrap()
            .unwrap();
        let Value::Struct(v) = r.value else { panic!() };
        assert_eq!(v.get("a.b").unwrap(), &Value::Null);
    }

    #[test]
    fn parent_defaults_become_field_defaults() {
        let inner = Schema::struct_builder().field("b", Schema::int32()).build();
        let mut default = Struct::new(Arc::new(inner.clone())).unwrap();
        default.put("b", 42).unwrap();
        let inner: SchemaRef = Arc::new(inner.default_value(Value::Struct(default)).unwrap());
        let outer: SchemaRef = Arc::new(Schema::struct_builder().field("a", inner).build());
        let s = Struct::new(outer.clone()).unwrap();
        let r = flatten(&[])
            .apply(ConnectRecord::new(
                "t".into(),
                Some(outer),
                Value::Struct(s),
            ))
            .unwrap()
            .unwrap();
        let schema = r.value_schema.unwrap();
        assert_eq!(
            schema.field("a.b").unwrap().schema.default,
            Some(Value::Int32(42))
        );
    }

    #[test]
    fn name_clashes_and_key_side() {
        let inner: SchemaRef =
            Arc::new(Schema::struct_builder().field("b", Schema::int32()).build());
        let outer: SchemaRef = Arc::new(
            Schema::struct_builder()
                .field("a", inner.clone())
                .field("a.b", Schema::int32())
                .build(),
        );
        let mut a = Struct::new(inner).unwrap();
        a.put("b", 1).unwrap();
        let mut s = Struct::new(outer.clone()).unwrap();
        s.put("a", a).unwrap().put("a.b", 2).unwrap();
        let key = test_transform("Flatten$Key", &[]).unwrap();
        let r = ConnectRecord::new("t".into(), None, Value::Null)
            .with_key(Some(outer), Value::Struct(s));
        let err = key.apply(r).unwrap_err();
        assert!(err.contains("field name duplication a.b"), "{err}");
    }
}
