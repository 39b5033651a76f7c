//! `ReplaceField$Key` / `ReplaceField$Value`: keeps only the `include`d fields (all when empty),
//! drops the `exclude`d ones (exclusion wins) and renames fields with `renames=old:new,…`.

use std::collections::HashMap;

use super::support::{
    copy_basics, field_value, java_list, replace_null_key, require_map, require_struct, Conf,
    ConfigError, SchemaCache, Side, REPLACE_NULL,
};
use super::Transformation;
use crate::worker::configdef::{ConfigDef, ConfigType, Default, Importance, Key, Validator};
use crate::worker::data::{ConnectRecord, Schema, SchemaRef, Struct, Value};

const EXCLUDE: &str = "exclude";
const INCLUDE: &str = "include";
const RENAMES: &str = "renames";
/// The names `exclude` and `include` had before Kafka 2.7; Kafka 4.0 dropped them.
const LEGACY_EXCLUDE: &str = "blacklist";
const LEGACY_INCLUDE: &str = "whitelist";
const PURPOSE: &str = "field replacement";

pub(crate) fn config_def() -> ConfigDef {
    let list = |name, doc| {
        Key::new(
            name,
            ConfigType::List,
            Default::Value(""),
            Importance::Medium,
            doc,
        )
    };
    ConfigDef::new()
        .plain(
            list(
                EXCLUDE,
                "Fields to exclude. This takes precedence over the fields to include.",
            ),
            Validator::Any,
        )
        .plain(
            list(
                INCLUDE,
                "Fields to include. If specified, only these fields will be used.",
            ),
            Validator::Any,
        )
        .plain(list(RENAMES, "Field rename mappings."), Validator::Any)
        .plain(replace_null_key(), Validator::Any)
}

pub(crate) fn build(conf: &Conf, side: Side) -> Result<Box<dyn Transformation>, ConfigError> {
    let given_or_legacy = |key: &str, legacy: &str| match conf.list(key) {
        items if items.is_empty() => conf.list(legacy),
        items => items,
    };
    let renames = parse_renames(&conf.list(RENAMES))
        .map_err(|m| conf.invalid(RENAMES, java_list(&conf.list(RENAMES)), m))?;
    Ok(Box::new(ReplaceField {
        side,
        exclude: given_or_legacy(EXCLUDE, LEGACY_EXCLUDE),
        include: given_or_legacy(INCLUDE, LEGACY_INCLUDE),
        reverse: renames
            .iter()
            .map(|(from, to)| (to.clone(), from.clone()))
            .collect(),
        renames,
        replace_null: conf.boolean(REPLACE_NULL),
        cache: SchemaCache::default(),
    }))
}

fn parse_renames(items: &[String]) -> Result<HashMap<String, String>, String> {
    let mut out = HashMap::new();
    for item in items {
        // Java's split(":") drops trailing empty parts, so "a:" is one part and refused.
        match item.split(':').collect::<Vec<_>>().as_slice() {
            [from, to] if !to.is_empty() => {
                out.insert(from.to_string(), to.to_string());
            }
            _ => return Err(format!("Invalid rename mapping: {item}")),
        }
    }
    Ok(out)
}

struct ReplaceField {
    side: Side,
    exclude: Vec<String>,
    include: Vec<String>,
    renames: HashMap<String, String>,
    reverse: HashMap<String, String>,
    replace_null: bool,
    cache: SchemaCache,
}

impl Transformation for ReplaceField {
    fn apply(&self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>, String> {
        if self.side.value(&record).is_null() {
            return Ok(Some(record));
        }
        let (schema, value) = self.side.take(&mut record);
        let (schema, value) = match schema {
            None => {
                let entries = require_map(value, PURPOSE)?;
                let kept = entries
                    .into_iter()
                    .filter(|(k, _)| k.as_str().is_some_and(|name| self.keeps(name)))
                    .map(|(k, v)| match k {
                        Value::String(name) => (Value::String(self.renamed(&name).to_string()), v),
                        other => (other, v),
                    })
                    .collect();
                (None, Value::Map(kept))
            }
            Some(schema) => {
                let value = require_struct(value, PURPOSE)?;
                let updated = self
                    .cache
                    .get_or_build(&schema, |s| self.updated_schema(s))?;
                (
                    Some(updated.clone()),
                    Value::Struct(self.updated_value(&value, &updated)?),
                )
            }
        };
        self.side.set(&mut record, schema, value);
        Ok(Some(record))
    }
}

impl ReplaceField {
    fn keeps(&self, name: &str) -> bool {
        !self.exclude.iter().any(|e| e == name)
            && (self.include.is_empty() || self.include.iter().any(|i| i == name))
    }

    fn renamed<'n>(&'n self, name: &'n str) -> &'n str {
        self.renames.get(name).map_or(name, String::as_str)
    }

    fn updated_schema(&self, schema: &Schema) -> Result<Schema, String> {
        let mut builder = Schema::struct_builder();
        for field in schema.fields.iter().filter(|f| self.keeps(&f.name)) {
            builder = builder
                .try_field(self.renamed(&field.name).to_string(), field.schema.clone())
                .map_err(|e| e.to_string())?;
        }
        Ok(copy_basics(schema, builder.build()))
    }

    fn updated_value(&self, value: &Struct, updated: &SchemaRef) -> Result<Struct, String> {
        let mut out = Struct::new(updated.clone()).map_err(|e| e.to_string())?;
        for field in &updated.fields {
            let original = self.reverse.get(&field.name).unwrap_or(&field.name);
            let v = value.schema.field(original).map_or(Value::Null, |f| {
                field_value(value, f.index, self.replace_null)
            });
            out.put(&field.name, v).map_err(|e| e.to_string())?;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::transform::registry::test_transform;
    use std::sync::Arc;

    fn replace(props: &[(&str, &str)]) -> Box<dyn Transformation> {
        test_transform(
            "org.apache.kafka.connect.transforms.ReplaceField$Value",
            props,
        )
        .unwrap()
    }

    fn map() -> Value {
        Value::Map(vec![
            (Value::from("a"), Value::Int32(1)),
            (Value::from("b"), Value::Int32(2)),
            (Value::from("c"), Value::Int32(3)),
        ])
    }

    #[test]
    fn schemaless_include_exclude_rename() {
        let t = replace(&[("include", "a,b"), ("exclude", "b"), ("renames", "a:x")]);
        let r = t
            .apply(ConnectRecord::new("t".into(), None, map()))
            .unwrap()
            .unwrap();
        assert_eq!(
            r.value,
            Value::Map(vec![(Value::from("x"), Value::Int32(1))])
        );
        let legacy = replace(&[("blacklist", "a")]);
        let r = legacy
            .apply(ConnectRecord::new("t".into(), None, map()))
            .unwrap()
            .unwrap();
        assert_eq!(
            r.value,
            Value::Map(vec![
                (Value::from("b"), Value::Int32(2)),
                (Value::from("c"), Value::Int32(3))
            ])
        );
        let tombstone = ConnectRecord::new("t".into(), None, Value::Null);
        assert_eq!(
            replace(&[]).apply(tombstone.clone()).unwrap().unwrap(),
            tombstone
        );
    }

    #[test]
    fn with_schema_builds_the_renamed_schema() {
        let schema: SchemaRef = Arc::new(
            Schema::struct_builder()
                .field("a", Schema::int32())
                .field("b", Schema::string())
                .field("c", Schema::optional_int64())
                .build()
                .name("rec")
                .version(2),
        );
        let mut s = Struct::new(schema.clone()).unwrap();
        s.put("a", 1).unwrap().put("b", "x").unwrap();
        let t = test_transform(
            "ReplaceField$Key",
            &[("exclude", "c"), ("renames", "a:id,b:name")],
        )
        .unwrap();
        let r = ConnectRecord::new("t".into(), None, Value::Null)
            .with_key(Some(schema), Value::Struct(s));
        let r = t.apply(r).unwrap().unwrap();
        let out = r.key_schema.unwrap();
        let names: Vec<&str> = out.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["id", "name"]);
        assert_eq!((out.name.as_deref(), out.version), (Some("rec"), Some(2)));
        let Value::Struct(v) = r.key else { panic!() };
        assert_eq!(v.get("id").unwrap(), &Value::Int32(1));
        assert_eq!(v.get("name").unwrap(), &Value::from("x"));
        let err = replace(&[])
            .apply(ConnectRecord::new(
                "t".into(),
                Some(Schema::string()),
                Value::from("s"),
            ))
            .unwrap_err();
        assert!(
            err.starts_with("Only Struct objects supported for [field replacement]"),
            "{err}"
        );
    }

    #[test]
    fn renaming_onto_an_existing_field_fails() {
        let schema: SchemaRef = Arc::new(
            Schema::struct_builder()
                .field("a", Schema::int32())
                .field("b", Schema::int32())
                .build(),
        );
        let mut s = Struct::new(schema.clone()).unwrap();
        s.put("a", 1).unwrap().put("b", 2).unwrap();
        let err = replace(&[("renames", "a:b")])
            .apply(ConnectRecord::new(
                "t".into(),
                Some(schema),
                Value::Struct(s),
            ))
            .unwrap_err();
        assert!(err.contains("field name duplication b"), "{err}");
    }

    #[test]
    fn bad_renames_are_refused() {
        let err = test_transform("ReplaceField$Value", &[("renames", "a:b,c")])
            .err()
            .unwrap();
        assert_eq!(
            err.message,
            "Invalid value [a:b, c] for configuration transforms.t.renames: Invalid rename mapping: c"
        );
        assert!(parse_renames(&["a:b:c".into()]).is_err());
        assert!(parse_renames(&["a:".into()]).is_err());
        assert_eq!(
            parse_renames(&[":b".into()]).unwrap().get(""),
            Some(&"b".to_string())
        );
    }
}
