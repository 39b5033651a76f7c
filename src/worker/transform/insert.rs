//! `InsertField$Key` / `InsertField$Value`: adds the record's topic, partition, offset (sink
//! records only), timestamp and a static string as fields. A field name ending in `!` makes the
//! new schema field required, `?` (the default) optional.

use std::sync::Arc;

use super::support::{
    copy_basics, field_value, map_put, replace_null_key, require_map, require_sink_offset,
    require_struct, Conf, ConfigError, SchemaCache, Side, REPLACE_NULL,
};
use super::Transformation;
use crate::worker::configdef::{ConfigDef, ConfigType, Default, Importance, Key, Validator};
use crate::worker::data::{ConnectRecord, Schema, SchemaRef, Struct, Value};

const PURPOSE: &str = "field insertion";

const TOPIC: &str = "topic.field";
const PARTITION: &str = "partition.field";
const OFFSET: &str = "offset.field";
const TIMESTAMP: &str = "timestamp.field";
const STATIC: &str = "static.field";
const STATIC_VALUE: &str = "static.value";

pub(crate) fn config_def() -> ConfigDef {
    let key = |name, doc| {
        Key::new(
            name,
            ConfigType::String,
            Default::Null,
            Importance::Medium,
            doc,
        )
    };
    ConfigDef::new()
        .plain(key(TOPIC, "Field name for Kafka topic.\nSuffix with '!' to make this a required field, or '?' to keep it optional (the default)."), Validator::Any)
        .plain(key(PARTITION, "Field name for Kafka partition.\nSuffix with '!' to make this a required field, or '?' to keep it optional (the default)."), Validator::Any)
        .plain(key(OFFSET, "Field name for Kafka offset - only applicable to sink connectors.\nSuffix with '!' to make this a required field, or '?' to keep it optional (the default)."), Validator::Any)
        .plain(key(TIMESTAMP, "Field name for record timestamp.\nSuffix with '!' to make this a required field, or '?' to keep it optional (the default)."), Validator::Any)
        .plain(key(STATIC, "Field name for static data field.\nSuffix with '!' to make this a required field, or '?' to keep it optional (the default)."), Validator::Any)
        .plain(key(STATIC_VALUE, "Static field value, if field name configured."), Validator::Any)
        .plain(replace_null_key(), Validator::Any)
}

/// A field to insert: its name and whether its schema is optional.
#[derive(Debug, Clone, PartialEq)]
struct Insertion {
    name: String,
    optional: bool,
}

impl Insertion {
    fn parse(spec: Option<String>) -> Option<Insertion> {
        let spec = spec?;
        let (name, optional) = match (spec.strip_suffix('?'), spec.strip_suffix('!')) {
            (Some(name), _) => (name, true),
            (_, Some(name)) => (name, false),
            _ => (spec.as_str(), true),
        };
        Some(Insertion {
            name: name.to_string(),
            optional,
        })
    }
}

pub(crate) fn build(conf: &Conf, side: Side) -> Result<Box<dyn Transformation>, ConfigError> {
    Ok(Box::new(InsertField {
        side,
        topic: Insertion::parse(conf.string(TOPIC)),
        partition: Insertion::parse(conf.string(PARTITION)),
        offset: Insertion::parse(conf.string(OFFSET)),
        timestamp: Insertion::parse(conf.string(TIMESTAMP)),
        static_field: Insertion::parse(conf.string(STATIC)),
        static_value: conf.string(STATIC_VALUE),
        replace_null: conf.boolean(REPLACE_NULL),
        cache: SchemaCache::default(),
    }))
}

struct InsertField {
    side: Side,
    topic: Option<Insertion>,
    partition: Option<Insertion>,
    offset: Option<Insertion>,
    timestamp: Option<Insertion>,
    static_field: Option<Insertion>,
    static_value: Option<String>,
    replace_null: bool,
    cache: SchemaCache,
}

impl Transformation for InsertField {
    fn apply(&self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>, String> {
        // Tombstones pass through untouched.
        if self.side.value(&record).is_null() {
            return Ok(Some(record));
        }
        let inserted = self.insertions(&record)?;
        let (schema, value) = self.side.take(&mut record);
        let (schema, value) = match schema {
            None => {
                let mut entries = require_map(value, PURPOSE)?;
                for (name, v) in inserted {
                    map_put(&mut entries, name, v);
                }
                (None, Value::Map(entries))
            }
            Some(schema) => {
                let value = require_struct(value, PURPOSE)?;
                let updated = self
                    .cache
                    .get_or_build(&schema, |s| self.updated_schema(s))?;
                let out = self.copy_and_insert(&value, &updated, inserted)?;
                (Some(updated), Value::Struct(out))
            }
        };
        self.side.set(&mut record, schema, value);
        Ok(Some(record))
    }
}

impl InsertField {
    /// The (field, value) pairs this record gets; fields whose data the record lacks (no
    /// partition, no timestamp) are left out, as Java does.
    fn insertions(&self, record: &ConnectRecord) -> Result<Vec<(&str, Value)>, String> {
        let mut out = Vec::new();
        if let Some(f) = &self.topic {
            out.push((f.name.as_str(), Value::String(record.topic.clone())));
        }
        if let (Some(f), Some(p)) = (&self.partition, record.kafka_partition) {
            out.push((f.name.as_str(), Value::Int32(p)));
        }
        if let Some(f) = &self.offset {
            out.push((
                f.name.as_str(),
                Value::Int64(require_sink_offset(record, PURPOSE)?),
            ));
        }
        if let (Some(f), Some(ts)) = (&self.timestamp, record.timestamp) {
            out.push((f.name.as_str(), Value::Int64(ts)));
        }
        if let (Some(f), Some(v)) = (&self.static_field, &self.static_value) {
            out.push((f.name.as_str(), Value::String(v.clone())));
        }
        Ok(out)
    }

    fn updated_schema(&self, schema: &Schema) -> Result<Schema, String> {
        let mut builder = Schema::struct_builder();
        for field in &schema.fields {
            builder = builder.field(field.name.clone(), field.schema.clone());
        }
        let added: [(&Option<Insertion>, SchemaFor); 5] = [
            (&self.topic, string_schema),
            (&self.partition, int32_schema),
            (&self.offset, int64_schema),
            (&self.timestamp, timestamp_schema),
            (&self.static_field, string_schema),
        ];
        for (insertion, schema_of) in added {
            if let Some(f) = insertion {
                builder = builder
                    .try_field(f.name.clone(), schema_of(f.optional))
                    .map_err(|e| e.to_string())?;
            }
        }
        Ok(copy_basics(schema, builder.build()))
    }

    fn copy_and_insert(
        &self,
        value: &Struct,
        updated: &SchemaRef,
        inserted: Vec<(&str, Value)>,
    ) -> Result<Struct, String> {
        let mut out = Struct::new(updated.clone()).map_err(|e| e.to_string())?;
        for (index, field) in value.schema.fields.iter().enumerate() {
            out.put(&field.name, field_value(value, index, self.replace_null))
                .map_err(|e| e.to_string())?;
        }
        for (name, v) in inserted {
            out.put(name, v).map_err(|e| e.to_string())?;
        }
        Ok(out)
    }
}

/// The schema of an inserted field, optional or required.
type SchemaFor = fn(bool) -> SchemaRef;

fn string_schema(optional: bool) -> SchemaRef {
    if optional {
        Schema::optional_string()
    } else {
        Schema::string()
    }
}

fn int32_schema(optional: bool) -> SchemaRef {
    if optional {
        Schema::optional_int32()
    } else {
        Schema::int32()
    }
}

fn int64_schema(optional: bool) -> SchemaRef {
    if optional {
        Schema::optional_int64()
    } else {
        Schema::int64()
    }
}

fn timestamp_schema(optional: bool) -> SchemaRef {
    let schema = Schema::timestamp();
    Arc::new(if optional { schema.optional() } else { schema })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::transform::registry::test_transform;

    fn insert(props: &[(&str, &str)]) -> Box<dyn Transformation> {
        test_transform(
            "org.apache.kafka.connect.transforms.InsertField$Value",
            props,
        )
        .unwrap()
    }

    fn sink_record(schema: Option<SchemaRef>, value: Value) -> ConnectRecord {
        let mut r = ConnectRecord::new("orders".into(), schema, value);
        r.kafka_partition = Some(3);
        r.kafka_offset = Some(42);
        r.timestamp = Some(1000);
        r
    }

    const ALL: [(&str, &str); 6] = [
        ("topic.field", "t!"),
        ("partition.field", "p?"),
        ("offset.field", "o"),
        ("timestamp.field", "ts"),
        ("static.field", "s"),
        ("static.value", "hello"),
    ];

    #[test]
    fn schemaless_inserts_record_metadata() {
        let map = Value::Map(vec![(Value::from("a"), Value::Int32(1))]);
        let r = insert(&ALL).apply(sink_record(None, map)).unwrap().unwrap();
        assert_eq!(
            r.value,
            Value::Map(vec![
                (Value::from("a"), Value::Int32(1)),
                (Value::from("t"), Value::from("orders")),
                (Value::from("p"), Value::Int32(3)),
                (Value::from("o"), Value::Int64(42)),
                (Value::from("ts"), Value::Int64(1000)),
                (Value::from("s"), Value::from("hello")),
            ])
        );
    }

    #[test]
    fn with_schema_adds_fields_with_their_optionality() {
        let schema: SchemaRef = Arc::new(
            Schema::struct_builder()
                .field("a", Schema::int32())
                .build()
                .name("rec"),
        );
        let mut s = Struct::new(schema.clone()).unwrap();
        s.put("a", 1).unwrap();
        let r = insert(&ALL)
            .apply(sink_record(Some(schema), Value::Struct(s)))
            .unwrap()
            .unwrap();
        let out = r.value_schema.unwrap();
        assert_eq!(out.name.as_deref(), Some("rec"));
        assert_eq!(out.field("t").unwrap().schema, Schema::string());
        assert_eq!(out.field("p").unwrap().schema, Schema::optional_int32());
        assert_eq!(out.field("o").unwrap().schema, Schema::optional_int64());
        assert_eq!(
            *out.field("ts").unwrap().schema,
            Schema::timestamp().optional()
        );
        let Value::Struct(v) = r.value else { panic!() };
        assert_eq!(v.get("ts").unwrap(), &Value::Int64(1000));
        assert_eq!(v.get("s").unwrap(), &Value::from("hello"));
        assert_eq!(v.get("a").unwrap(), &Value::Int32(1));
    }

    #[test]
    fn offsets_need_sink_records_and_tombstones_pass() {
        let t = insert(&[("offset.field", "o")]);
        let mut source = ConnectRecord::new("t".into(), None, Value::Map(vec![]));
        assert!(t
            .apply(source.clone())
            .unwrap_err()
            .contains("Only SinkRecord supported for [field insertion]"));
        source.value = Value::Null;
        assert_eq!(t.apply(source.clone()).unwrap().unwrap(), source);
        let err = insert(&[("topic.field", "t")])
            .apply(ConnectRecord::new("t".into(), None, Value::from("x")))
            .unwrap_err();
        assert!(err.starts_with("Only Map objects supported"), "{err}");
    }

    #[test]
    fn key_side_and_name_clash() {
        let schema: SchemaRef = Arc::new(
            Schema::struct_builder()
                .field("topic", Schema::string())
                .build(),
        );
        let mut s = Struct::new(schema.clone()).unwrap();
        s.put("topic", "x").unwrap();
        let t = test_transform("InsertField$Key", &[("topic.field", "topic")]).unwrap();
        let r = ConnectRecord::new("t".into(), None, Value::Null)
            .with_key(Some(schema), Value::Struct(s));
        let err = t.apply(r).unwrap_err();
        assert!(err.contains("duplication topic"), "{err}");
    }
}
