//! The header transformations of KIP-145: `DropHeaders`, `InsertHeader` (a literal parsed as
//! `Values.parseString` does) and `HeaderFrom$Key` / `HeaderFrom$Value` (copy or move fields
//! into headers).

use super::support::{
    copy_basics, field_value, java_list, map_get, map_remove, replace_null_key, require_map,
    require_struct, Conf, ConfigError, SchemaCache, Side, REPLACE_NULL,
};
use super::Transformation;
use crate::worker::configdef::{ConfigDef, ConfigType, Default, Importance, Key, Validator};
use crate::worker::data::{parse_string, ConnectRecord, Header, Schema, SchemaRef, Struct, Value};

const HEADERS: &str = "headers";
const FIELDS: &str = "fields";
const OPERATION: &str = "operation";
const HEADER: &str = "header";
const LITERAL: &str = "value.literal";

/// A required list that must not be empty (Java's `NonEmptyListValidator`).
pub(crate) fn non_empty_list(conf: &Conf, key: &str) -> Result<Vec<String>, ConfigError> {
    let items = conf.list(key);
    if items.is_empty() {
        return Err(conf.invalid(key, java_list(&items), "Empty list"));
    }
    Ok(items)
}

pub(crate) fn drop_headers_def() -> ConfigDef {
    ConfigDef::new().plain(
        Key::new(
            HEADERS,
            ConfigType::List,
            Default::Required,
            Importance::High,
            "The name of the headers to be removed.",
        ),
        Validator::Any,
    )
}

pub(crate) fn build_drop_headers(conf: &Conf) -> Result<Box<dyn Transformation>, ConfigError> {
    Ok(Box::new(DropHeaders {
        names: non_empty_list(conf, HEADERS)?,
    }))
}

struct DropHeaders {
    names: Vec<String>,
}

impl Transformation for DropHeaders {
    fn apply(&self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>, String> {
        record.headers.retain(|h| !self.names.contains(&h.key));
        Ok(Some(record))
    }
}

pub(crate) fn insert_header_def() -> ConfigDef {
    ConfigDef::new()
        .plain(
            Key::new(
                HEADER,
                ConfigType::String,
                Default::Required,
                Importance::High,
                "The name of the header.",
            ),
            Validator::Any,
        )
        .plain(
            Key::new(
                LITERAL,
                ConfigType::String,
                Default::Required,
                Importance::High,
                "The literal value that is to be set as the header value on all records.",
            ),
            Validator::Any,
        )
}

pub(crate) fn build_insert_header(conf: &Conf) -> Result<Box<dyn Transformation>, ConfigError> {
    let literal = parse_string(&conf.string(LITERAL).unwrap_or_default());
    Ok(Box::new(InsertHeader {
        header: conf.string(HEADER).unwrap_or_default(),
        schema: literal.schema,
        value: literal.value,
    }))
}

struct InsertHeader {
    header: String,
    schema: Option<SchemaRef>,
    value: Value,
}

impl Transformation for InsertHeader {
    fn apply(&self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>, String> {
        record.headers.push(Header::new(
            self.header.clone(),
            self.schema.clone(),
            self.value.clone(),
        ));
        Ok(Some(record))
    }
}

pub(crate) fn header_from_def() -> ConfigDef {
    ConfigDef::new()
        .plain(
            Key::new(
                FIELDS,
                ConfigType::List,
                Default::Required,
                Importance::High,
                "Field names in the record whose values are to be copied or moved to headers.",
            ),
            Validator::Any,
        )
        .plain(
            Key::new(
                HEADERS,
                ConfigType::List,
                Default::Required,
                Importance::High,
                "Header names, in the same order as the field names listed in the fields configuration property.",
            ),
            Validator::Any,
        )
        .plain(
            Key::new(
                OPERATION,
                ConfigType::String,
                Default::Required,
                Importance::High,
                "Either move if the fields are to be moved to the headers (removed from the key/value), or copy if the fields are to be copied to the headers (retained in the key/value).",
            ),
            Validator::OneOf(&["move", "copy"]),
        )
        .plain(replace_null_key(), Validator::Any)
}

pub(crate) fn build_header_from(
    conf: &Conf,
    side: Side,
) -> Result<Box<dyn Transformation>, ConfigError> {
    let fields = non_empty_list(conf, FIELDS)?;
    let headers = non_empty_list(conf, HEADERS)?;
    if fields.len() != headers.len() {
        return Err(conf.error(
            HEADERS,
            format!(
                "'{FIELDS}' config must have the same number of elements as '{HEADERS}' config."
            ),
        ));
    }
    let moving = conf
        .string(OPERATION)
        .is_some_and(|o| o.eq_ignore_ascii_case("move"));
    Ok(Box::new(HeaderFrom {
        side,
        pairs: fields.into_iter().zip(headers).collect(),
        moving,
        replace_null: conf.boolean(REPLACE_NULL),
        cache: SchemaCache::default(),
    }))
}

struct HeaderFrom {
    side: Side,
    /// (field, header) pairs.
    pairs: Vec<(String, String)>,
    moving: bool,
    replace_null: bool,
    cache: SchemaCache,
}

impl Transformation for HeaderFrom {
    fn apply(&self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>, String> {
        let purpose = if self.moving {
            "header move"
        } else {
            "header copy"
        };
        let (schema, value) = self.side.take(&mut record);
        let (schema, value) = match schema {
            None => {
                let mut entries = require_map(value, purpose)?;
                for (field, header) in &self.pairs {
                    let v = map_get(&entries, field).cloned().unwrap_or(Value::Null);
                    record.headers.push(Header::new(header.clone(), None, v));
                }
                if self.moving {
                    for (field, _) in &self.pairs {
                        map_remove(&mut entries, field);
                    }
                }
                (None, Value::Map(entries))
            }
            Some(schema) => {
                let value = require_struct(value, purpose)?;
                for (field, header) in &self.pairs {
                    let f = schema
                        .field(field)
                        .ok_or_else(|| format!("{field} is not a valid field name"))?;
                    let v = value.schema.field(field).map_or(Value::Null, |vf| {
                        field_value(&value, vf.index, self.replace_null)
                    });
                    record
                        .headers
                        .push(Header::new(header.clone(), Some(f.schema.clone()), v));
                }
                if self.moving {
                    let updated = self
                        .cache
                        .get_or_build(&schema, |s| Ok(self.without_fields(s)))?;
                    let moved = self.remaining(&value, &updated)?;
                    (Some(updated), Value::Struct(moved))
                } else {
                    (Some(schema), Value::Struct(value))
                }
            }
        };
        self.side.set(&mut record, schema, value);
        Ok(Some(record))
    }
}

impl HeaderFrom {
    fn moves(&self, name: &str) -> bool {
        self.pairs.iter().any(|(f, _)| f == name)
    }

    fn without_fields(&self, schema: &Schema) -> Schema {
        let mut builder = Schema::struct_builder();
        for field in schema.fields.iter().filter(|f| !self.moves(&f.name)) {
            builder = builder.field(field.name.clone(), field.schema.clone());
        }
        copy_basics(schema, builder.build())
    }

    fn remaining(&self, value: &Struct, updated: &SchemaRef) -> Result<Struct, String> {
        let mut out = Struct::new(updated.clone()).map_err(|e| e.to_string())?;
        for field in &updated.fields {
            let v = value.schema.field(&field.name).map_or(Value::Null, |vf| {
                field_value(value, vf.index, self.replace_null)
            });
            out.put(&field.name, v).map_err(|e| e.to_string())?;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::data::Type;
    use crate::worker::transform::registry::test_transform;
    use std::sync::Arc;

    fn record_with_headers() -> ConnectRecord {
        let mut r = ConnectRecord::new("t".into(), None, Value::Null);
        r.headers = vec![
            Header::new("a", None, Value::Int32(1)),
            Header::new("b", None, Value::Int32(2)),
            Header::new("a", None, Value::Int32(3)),
        ];
        r
    }

    #[test]
    fn drop_headers_removes_every_header_of_the_names() {
        let t = test_transform(
            "org.apache.kafka.connect.transforms.DropHeaders",
            &[("headers", "a, c")],
        )
        .unwrap();
        let r = t.apply(record_with_headers()).unwrap().unwrap();
        assert_eq!(r.headers, vec![Header::new("b", None, Value::Int32(2))]);
        let err = test_transform("DropHeaders", &[("headers", "")])
            .err()
            .unwrap();
        assert_eq!(
            err.message,
            "Invalid value [] for configuration transforms.t.headers: Empty list"
        );
    }

    #[test]
    fn insert_header_parses_the_literal() {
        let t = test_transform(
            "InsertHeader",
            &[("header", "h"), ("value.literal", " 42 ")],
        )
        .unwrap();
        let r = t
            .apply(ConnectRecord::new("t".into(), None, Value::Null))
            .unwrap()
            .unwrap();
        let h = &r.headers[0];
        assert_eq!((h.key.as_str(), &h.value), ("h", &Value::Int8(42)));
        assert_eq!(h.schema.as_ref().map(|s| s.kind), Some(Type::Int8));
        let t = test_transform(
            "InsertHeader",
            &[("header", "h"), ("value.literal", "hello world")],
        )
        .unwrap();
        let r = t
            .apply(ConnectRecord::new("t".into(), None, Value::Null))
            .unwrap()
            .unwrap();
        assert_eq!(r.headers[0].value, Value::from("hello world"));
        let err = test_transform("InsertHeader", &[("header", "h")])
            .err()
            .unwrap();
        assert!(err.message.contains("\"transforms.t.value.literal\""));
    }

    fn header_from(op: &str) -> Box<dyn Transformation> {
        test_transform(
            "org.apache.kafka.connect.transforms.HeaderFrom$Value",
            &[("fields", "a,b"), ("headers", "ha,hb"), ("operation", op)],
        )
        .unwrap()
    }

    #[test]
    fn header_from_schemaless_copy_and_move() {
        let map = Value::Map(vec![
            (Value::from("a"), Value::Int32(1)),
            (Value::from("c"), Value::Int32(3)),
        ]);
        let r = header_from("copy")
            .apply(ConnectRecord::new("t".into(), None, map.clone()))
            .unwrap()
            .unwrap();
        assert_eq!(r.value, map);
        assert_eq!(r.headers[0], Header::new("ha", None, Value::Int32(1)));
        assert_eq!(r.headers[1], Header::new("hb", None, Value::Null));
        let r = header_from("move")
            .apply(ConnectRecord::new("t".into(), None, map))
            .unwrap()
            .unwrap();
        assert_eq!(
            r.value,
            Value::Map(vec![(Value::from("c"), Value::Int32(3))])
        );
        let err = header_from("move")
            .apply(ConnectRecord::new("t".into(), None, Value::Null))
            .unwrap_err();
        assert_eq!(
            err,
            "Only Map objects supported in absence of schema for [header move], found: null"
        );
    }

    #[test]
    fn header_from_with_schema() {
        let schema: SchemaRef = Arc::new(
            Schema::struct_builder()
                .field("a", Schema::int32())
                .field("b", Schema::optional_string())
                .field("c", Schema::int64())
                .build()
                .name("rec"),
        );
        let mut s = Struct::new(schema.clone()).unwrap();
        s.put("a", 1).unwrap().put("c", 3i64).unwrap();
        let r = header_from("move")
            .apply(ConnectRecord::new(
                "t".into(),
                Some(schema.clone()),
                Value::Struct(s.clone()),
            ))
            .unwrap()
            .unwrap();
        let out = r.value_schema.unwrap();
        assert_eq!(out.fields.len(), 1);
        assert_eq!(out.name.as_deref(), Some("rec"));
        assert_eq!(
            r.headers[0],
            Header::new("ha", Some(Schema::int32()), Value::Int32(1))
        );
        assert_eq!(
            r.headers[1],
            Header::new("hb", Some(Schema::optional_string()), Value::Null)
        );
        let Value::Struct(v) = r.value else { panic!() };
        assert_eq!(v.get("c").unwrap(), &Value::Int64(3));
        let r = header_from("copy")
            .apply(ConnectRecord::new(
                "t".into(),
                Some(schema.clone()),
                Value::Struct(s.clone()),
            ))
            .unwrap()
            .unwrap();
        assert!(Arc::ptr_eq(r.value_schema.as_ref().unwrap(), &schema));
        let missing = test_transform(
            "HeaderFrom$Value",
            &[("fields", "zz"), ("headers", "h"), ("operation", "copy")],
        )
        .unwrap()
        .apply(ConnectRecord::new(
            "t".into(),
            Some(schema),
            Value::Struct(s),
        ))
        .unwrap_err();
        assert_eq!(missing, "zz is not a valid field name");
    }

    #[test]
    fn header_from_config_errors() {
        let err = test_transform(
            "HeaderFrom$Key",
            &[("fields", "a,b"), ("headers", "h"), ("operation", "copy")],
        )
        .err()
        .unwrap();
        assert_eq!(
            err.message,
            "'fields' config must have the same number of elements as 'headers' config."
        );
        let err = test_transform(
            "HeaderFrom$Key",
            &[("fields", "a"), ("headers", "h"), ("operation", "swap")],
        )
        .err()
        .unwrap();
        assert!(err
            .message
            .starts_with("Invalid value swap for configuration transforms.t.operation"));
    }
}
