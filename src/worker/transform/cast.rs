//! `Cast$Key` / `Cast$Value`: casts the whole key/value, or top-level fields of a struct or
//! map, to another primitive type, with Java's narrowing rules (`Number.byteValue()` and
//! friends), string parsing and string forms.

use std::sync::Arc;

use indexmap::IndexMap;

use super::support::{
    copy_basics, field_value, java_class, map_get, map_put, replace_null_key, require_map,
    require_struct, Conf, ConfigError, SchemaCache, Side, REPLACE_NULL,
};
use super::Transformation;
use crate::worker::configdef::{ConfigDef, ConfigType, Default, Importance, Key, Validator};
use crate::worker::data::{
    convert_to_string, ConnectRecord, Decimal, Schema, SchemaRef, Struct, Type, Value,
};

const SPEC: &str = "spec";
const PURPOSE: &str = "cast types";

const INPUT_TYPES: [Type; 9] = [
    Type::Int8,
    Type::Int16,
    Type::Int32,
    Type::Int64,
    Type::Float32,
    Type::Float64,
    Type::Boolean,
    Type::String,
    Type::Bytes,
];

pub(crate) fn config_def() -> ConfigDef {
    ConfigDef::new()
        .plain(
            Key::new(
                SPEC,
                ConfigType::List,
                Default::Required,
                Importance::High,
                "List of fields and the type to cast them to of the form field1:type,field2:type to cast fields of Maps or Structs. A single type to cast the entire value. Valid types are int8, int16, int32, int64, float32, float64, boolean, and string. Note that binary fields can only be cast to string.",
            ),
            Validator::Any,
        )
        .plain(replace_null_key(), Validator::Any)
}

pub(crate) fn build(conf: &Conf, side: Side) -> Result<Box<dyn Transformation>, ConfigError> {
    let spec = parse_spec(&conf.list(SPEC)).map_err(|m| conf.error(SPEC, m))?;
    Ok(Box::new(Cast {
        side,
        spec,
        replace_null: conf.boolean(REPLACE_NULL),
        cache: SchemaCache::default(),
    }))
}

/// One type for the whole value, or a type per field (a later entry for a field wins).
#[derive(Debug, Clone, PartialEq)]
enum Spec {
    Whole(Type),
    Fields(IndexMap<String, Type>),
}

fn parse_spec(items: &[String]) -> Result<Spec, String> {
    if items.is_empty() {
        return Err("Must specify at least one field to cast.".to_string());
    }
    let mut whole = None;
    let mut fields = IndexMap::new();
    for item in items {
        // Java's String.split drops trailing empty parts: "a:" is a single part.
        let parts: Vec<&str> = item.trim_end_matches(':').split(':').collect();
        match parts.as_slice() {
            [kind] if !item.ends_with(':') => whole = Some(output_type(kind)?),
            [field, kind] => {
                fields.insert(field.trim().to_string(), output_type(kind)?);
            }
            _ => {
                return Err(format!(
                    "Invalid cast mapping: {item}; use field:type or a single type"
                ))
            }
        }
    }
    match whole {
        Some(_) if items.len() > 1 => Err(
            "Cast transformations that specify a type to cast the entire value to may only specify a single cast in their spec"
                .to_string(),
        ),
        Some(kind) => Ok(Spec::Whole(kind)),
        None => Ok(Spec::Fields(fields)),
    }
}

fn output_type(name: &str) -> Result<Type, String> {
    let name = name.trim();
    let kind = Type::from_name(name)
        .ok_or_else(|| format!("Invalid type found in casting spec: {name}"))?;
    if matches!(kind, Type::Bytes | Type::Array | Type::Map | Type::Struct) {
        return Err(format!(
            "Cast transformation does not support casting to {kind}; supported types are [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]"
        ));
    }
    Ok(kind)
}

struct Cast {
    side: Side,
    spec: Spec,
    replace_null: bool,
    cache: SchemaCache,
}

impl Transformation for Cast {
    fn apply(&self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>, String> {
        if self.side.value(&record).is_null() {
            return Ok(Some(record));
        }
        let (schema, value) = self.side.take(&mut record);
        let (schema, value) = match schema {
            None => (None, self.schemaless(value)?),
            Some(schema) => {
                let (schema, value) = self.with_schema(&schema, value)?;
                (Some(schema), value)
            }
        };
        self.side.set(&mut record, schema, value);
        Ok(Some(record))
    }
}

impl Cast {
    fn schemaless(&self, value: Value) -> Result<Value, String> {
        let fields = match &self.spec {
            Spec::Whole(kind) => return cast_value(None, &value, *kind),
            Spec::Fields(fields) => fields,
        };
        let original = require_map(value, PURPOSE)?;
        let mut updated = original.clone();
        // As Java, a field the map lacks is written as null.
        for (name, kind) in fields {
            let cast = cast_value(
                None,
                map_get(&original, name).unwrap_or(&Value::Null),
                *kind,
            )?;
            map_put(&mut updated, name, cast);
        }
        Ok(Value::Map(updated))
    }

    fn with_schema(&self, schema: &SchemaRef, value: Value) -> Result<(SchemaRef, Value), String> {
        let fields = match &self.spec {
            Spec::Whole(kind) => {
                let updated = self
                    .cache
                    .get_or_build(schema, |s| whole_schema(s, *kind))?;
                let cast = cast_value(Some(schema), &value, *kind)?;
                return Ok((updated, cast));
            }
            Spec::Fields(fields) => fields,
        };
        let value = require_struct(value, PURPOSE)?;
        let updated = self
            .cache
            .get_or_build(schema, |s| struct_schema(s, fields))?;
        let cast = cast_struct(&value, &updated, fields, self.replace_null)?;
        Ok((updated, Value::Struct(cast)))
    }
}

/// The schema of a whole-value cast. Java copies the name, version and parameters too; a
/// logical type's name would then claim the new type is a Date or Decimal, so those are dropped.
fn whole_schema(schema: &Schema, kind: Type) -> Result<Schema, String> {
    let mut out = Schema::new(kind);
    if schema.logical_type().is_none() {
        out = copy_basics(schema, out);
    } else {
        out.doc.clone_from(&schema.doc);
    }
    out.optional = schema.optional;
    match &schema.default {
        Some(default) => out
            .default_value(cast_value(Some(schema), default, kind)?)
            .map_err(|e| e.to_string()),
        None => Ok(out),
    }
}

fn struct_schema(schema: &Schema, casts: &IndexMap<String, Type>) -> Result<Schema, String> {
    let mut builder = Schema::struct_builder();
    for field in &schema.fields {
        let field_schema = match casts.get(&field.name) {
            Some(kind) => Arc::new(cast_field_schema(&field.schema, *kind)?),
            None => field.schema.clone(),
        };
        builder = builder.field(field.name.clone(), field_schema);
    }
    let mut out = copy_basics(schema, builder.build());
    out.optional = schema.optional;
    let Some(Value::Struct(default)) = &schema.default else {
        return Ok(out);
    };
    let out = Arc::new(out);
    let default = cast_struct(default, &out, casts, true)?;
    Arc::unwrap_or_clone(out)
        .default_value(Value::Struct(default))
        .map_err(|e| e.to_string())
}

fn cast_field_schema(field: &Schema, kind: Type) -> Result<Schema, String> {
    let mut out = Schema::new(kind);
    out.optional = field.optional;
    match &field.default {
        Some(default) => out
            .default_value(cast_value(Some(field), default, kind)?)
            .map_err(|e| e.to_string()),
        None => Ok(out),
    }
}

fn cast_struct(
    value: &Struct,
    updated: &SchemaRef,
    casts: &IndexMap<String, Type>,
    replace_null: bool,
) -> Result<Struct, String> {
    let mut out = Struct::new(updated.clone()).map_err(|e| e.to_string())?;
    for (index, field) in value.schema.fields.iter().enumerate() {
        let original = field_value(value, index, replace_null);
        let cast = match casts.get(&field.name) {
            Some(kind) => cast_value(Some(&field.schema), &original, *kind)?,
            None => original,
        };
        out.put(&field.name, cast).map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// Java's `castValueToType`: null stays null; the source type (from the schema, else from the
/// value) must be a primitive; then the value converts by its own variant.
fn cast_value(schema: Option<&Schema>, value: &Value, target: Type) -> Result<Value, String> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    let source = match schema {
        Some(s) => s.kind,
        None => value.schema_type().ok_or_else(|| {
            format!(
                "Cast transformation was passed a value of type class {} which is not supported by Connect's data API",
                java_class(value)
            )
        })?,
    };
    if !INPUT_TYPES.contains(&source) {
        return Err(format!(
            "Cast transformation does not support casting from {source}; supported types are [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES]"
        ));
    }
    match target {
        // Values' string forms are Java's: ISO-8601 for logical dates, Base64 for bytes.
        Type::String => Ok(Value::String(
            convert_to_string(schema, value).unwrap_or_default(),
        )),
        Type::Boolean => to_boolean(value),
        numeric => to_number(value, numeric),
    }
}

/// A number as Java's `Number` subclasses hold it.
enum Number {
    Integer(i64),
    Float(f64),
    Decimal(Decimal),
}

fn to_boolean(value: &Value) -> Result<Value, String> {
    if let Value::String(s) = value {
        return Ok(Value::Boolean(s.eq_ignore_ascii_case("true")));
    }
    let truth = match number_of(value)? {
        Number::Integer(n) => n != 0,
        Number::Float(f) => f as i64 != 0,
        Number::Decimal(d) => truncate(&d) != 0,
    };
    Ok(Value::Boolean(truth))
}

fn to_number(value: &Value, target: Type) -> Result<Value, String> {
    if let Value::String(s) = value {
        return parse_number(s, target)
            .ok_or_else(|| format!("Value ({s}) was out of range for requested data type"));
    }
    let n = number_of(value)?;
    // Java narrows through int (byteValue() of a double is (byte)(int)d) and wraps integers.
    let whole = |n: &Number| match n {
        Number::Integer(i) => *i,
        Number::Float(f) => *f as i32 as i64,
        Number::Decimal(d) => truncate(d) as i64,
    };
    Ok(match target {
        Type::Int8 => Value::Int8(whole(&n) as i8),
        Type::Int16 => Value::Int16(whole(&n) as i16),
        Type::Int32 => Value::Int32(whole(&n) as i32),
        Type::Int64 => Value::Int64(match n {
            Number::Integer(i) => i,
            Number::Float(f) => f as i64,
            Number::Decimal(d) => truncate(&d) as i64,
        }),
        Type::Float32 => Value::Float32(as_f64(&n) as f32),
        _ => Value::Float64(as_f64(&n)),
    })
}

fn number_of(value: &Value) -> Result<Number, String> {
    Ok(match value {
        Value::Boolean(b) => Number::Integer(i64::from(*b)),
        Value::Int8(n) => Number::Integer(i64::from(*n)),
        Value::Int16(n) => Number::Integer(i64::from(*n)),
        Value::Int32(n) => Number::Integer(i64::from(*n)),
        Value::Int64(n) => Number::Integer(*n),
        Value::Float32(f) => Number::Float(f64::from(*f)),
        Value::Float64(f) => Number::Float(*f),
        Value::Decimal(d) => Number::Decimal(*d),
        other => {
            return Err(format!(
                "Unexpected type in Cast transformation: class {}",
                java_class(other)
            ))
        }
    })
}

fn as_f64(n: &Number) -> f64 {
    match n {
        Number::Integer(i) => *i as f64,
        Number::Float(f) => *f,
        Number::Decimal(d) => d.to_string().parse().unwrap_or(f64::NAN),
    }
}

/// `BigDecimal.toBigInteger()`: drops the fraction, toward zero.
fn truncate(d: &Decimal) -> i128 {
    match d.scale {
        s if s <= 0 => 10i128
            .checked_pow(s.unsigned_abs())
            .and_then(|f| d.unscaled.checked_mul(f))
            .unwrap_or(0),
        s => 10i128
            .checked_pow(s.unsigned_abs())
            .map_or(0, |f| d.unscaled / f),
    }
}

/// Java's `Byte.parseByte`, …, `Double.parseDouble`.
fn parse_number(s: &str, target: Type) -> Option<Value> {
    Some(match target {
        Type::Int8 => Value::Int8(s.parse().ok()?),
        Type::Int16 => Value::Int16(s.parse().ok()?),
        Type::Int32 => Value::Int32(s.parse().ok()?),
        Type::Int64 => Value::Int64(s.parse().ok()?),
        Type::Float32 => Value::Float32(java_float_text(s)?.parse().ok()?),
        _ => Value::Float64(java_float_text(s)?.parse().ok()?),
    })
}

/// Java's float parsing trims whitespace and accepts a trailing type suffix (`1.5f`, `2d`).
pub(crate) fn java_float_text(s: &str) -> Option<&str> {
    let t = s.trim();
    let t = match t.strip_suffix(['f', 'F', 'd', 'D']) {
        Some(head) if head.ends_with(|c: char| c.is_ascii_digit() || c == '.') => head,
        _ => t,
    };
    (!t.is_empty()).then_some(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::transform::registry::test_transform as build_test;

    fn cast(spec: &str) -> Box<dyn Transformation> {
        build_test(
            "org.apache.kafka.connect.transforms.Cast$Value",
            &[("spec", spec)],
        )
        .unwrap()
    }

    fn value_record(schema: Option<SchemaRef>, value: Value) -> ConnectRecord {
        ConnectRecord::new("t".into(), schema, value)
    }

    fn apply(t: &dyn Transformation, r: ConnectRecord) -> ConnectRecord {
        t.apply(r).unwrap().unwrap()
    }

    #[test]
    fn whole_value_schemaless() {
        let r = apply(&*cast("int8"), value_record(None, Value::Int64(300)));
        assert_eq!(r.value, Value::Int8(44));
        let r = apply(&*cast("float64"), value_record(None, Value::from("1.5")));
        assert_eq!(r.value, Value::Float64(1.5));
        let r = apply(&*cast("boolean"), value_record(None, Value::Float64(0.5)));
        assert_eq!(r.value, Value::Boolean(false));
        let r = apply(&*cast("string"), value_record(None, Value::Float32(1.0)));
        assert_eq!(r.value, Value::from("1.0"));
        let r = apply(&*cast("int32"), value_record(None, Value::Null));
        assert_eq!(r.value, Value::Null);
    }

    #[test]
    fn narrowing_follows_java() {
        assert_eq!(
            to_number(&Value::Float64(1e10), Type::Int8).unwrap(),
            Value::Int8(-1)
        );
        assert_eq!(
            to_number(&Value::Float64(-2.9), Type::Int32).unwrap(),
            Value::Int32(-2)
        );
        assert_eq!(
            to_number(&Value::Float64(1e30), Type::Int64).unwrap(),
            Value::Int64(i64::MAX)
        );
        assert_eq!(
            to_number(&Value::Boolean(true), Type::Float32).unwrap(),
            Value::Float32(1.0)
        );
        let d = Value::Decimal(Decimal::new(-1999, 2));
        assert_eq!(to_number(&d, Type::Int16).unwrap(), Value::Int16(-19));
        assert_eq!(
            to_number(&d, Type::Float64).unwrap(),
            Value::Float64(-19.99)
        );
        assert_eq!(
            to_number(&Value::from("300"), Type::Int8).unwrap_err(),
            "Value (300) was out of range for requested data type"
        );
        assert_eq!(
            to_number(&Value::from(" 2.5f "), Type::Float32).unwrap(),
            Value::Float32(2.5)
        );
    }

    #[test]
    fn fields_schemaless_write_missing_fields_as_null() {
        let map = Value::Map(vec![
            (Value::from("a"), Value::from("12")),
            (Value::from("b"), Value::Int32(1)),
        ]);
        let r = apply(&*cast("a:int32,c:string"), value_record(None, map));
        assert_eq!(
            r.value,
            Value::Map(vec![
                (Value::from("a"), Value::Int32(12)),
                (Value::from("b"), Value::Int32(1)),
                (Value::from("c"), Value::Null),
            ])
        );
        let err = cast("a:int32")
            .apply(value_record(None, Value::from("x")))
            .unwrap_err();
        assert!(
            err.starts_with("Only Map objects supported in absence of schema for [cast types]"),
            "{err}"
        );
    }

    #[test]
    fn fields_with_schema_build_the_new_schema() {
        let schema: SchemaRef = Arc::new(
            Schema::struct_builder()
                .field("a", Schema::optional_int64())
                .field(
                    "b",
                    Schema::new(Type::Float64)
                        .default_value(Value::Float64(2.5))
                        .unwrap(),
                )
                .field("c", Schema::string())
                .build()
                .name("rec")
                .optional(),
        );
        let mut s = Struct::new(schema.clone()).unwrap();
        s.put("a", Value::Int64(7)).unwrap().put("c", "x").unwrap();
        let t = cast("a:string,b:int32");
        let r = apply(
            &*t,
            value_record(Some(schema.clone()), Value::Struct(s.clone())),
        );
        let out = r.value_schema.clone().unwrap();
        assert_eq!(out.name.as_deref(), Some("rec"));
        assert!(out.optional);
        assert_eq!(
            *out.field("a").unwrap().schema,
            Schema::new(Type::String).optional()
        );
        assert_eq!(
            out.field("b").unwrap().schema.default,
            Some(Value::Int32(2))
        );
        let Value::Struct(v) = &r.value else {
            panic!("{:?}", r.value)
        };
        assert_eq!(v.get("a").unwrap(), &Value::from("7"));
        assert_eq!(v.get_without_default("b").unwrap(), &Value::Int32(2));
        assert_eq!(v.get("c").unwrap(), &Value::from("x"));
        // The second record reuses the translated schema.
        let again = apply(&*t, value_record(Some(schema), Value::Struct(s)));
        assert!(Arc::ptr_eq(&out, again.value_schema.as_ref().unwrap()));
    }

    #[test]
    fn replace_null_with_default_false_keeps_nulls() {
        let schema: SchemaRef = Arc::new(
            Schema::struct_builder()
                .field(
                    "b",
                    Schema::new(Type::Int32)
                        .optional()
                        .default_value(Value::Int32(4))
                        .unwrap(),
                )
                .build(),
        );
        let s = Struct::new(schema.clone()).unwrap();
        let t = build_test(
            "Cast$Value",
            &[("spec", "b:int64"), ("replace.null.with.default", "false")],
        )
        .unwrap();
        let r = apply(&*t, value_record(Some(schema), Value::Struct(s)));
        let Value::Struct(v) = &r.value else { panic!() };
        assert_eq!(v.get_without_default("b").unwrap(), &Value::Null);
    }

    #[test]
    fn whole_value_with_schema_and_logical_types() {
        let r = apply(
            &*cast("string"),
            value_record(Some(Arc::new(Schema::date())), Value::Int32(10_000)),
        );
        assert_eq!(r.value, Value::from("1997-05-19"));
        assert_eq!(*r.value_schema.unwrap(), Schema::new(Type::String));
        let r = apply(
            &*cast("string"),
            value_record(Some(Schema::bytes()), Value::Bytes(vec![0, 0x9c])),
        );
        assert_eq!(r.value, Value::from("AJw="));
        let key = build_test("Cast$Key", &[("spec", "int16")]).unwrap();
        let r = key
            .apply(
                value_record(None, Value::Null)
                    .with_key(Some(Schema::optional_int64()), Value::Int64(5)),
            )
            .unwrap()
            .unwrap();
        assert_eq!(
            (r.key, r.key_schema.unwrap().kind),
            (Value::Int16(5), Type::Int16)
        );
    }

    #[test]
    fn unsupported_sources_fail() {
        let err = cast("int32")
            .apply(value_record(Some(Schema::bytes()), Value::Bytes(vec![1])))
            .unwrap_err();
        assert_eq!(err, "Unexpected type in Cast transformation: class [B");
        let nested: SchemaRef =
            Arc::new(Schema::struct_builder().field("x", Schema::int32()).build());
        let mut s = Struct::new(nested.clone()).unwrap();
        s.put("x", 1).unwrap();
        let err = cast("string")
            .apply(value_record(Some(nested), Value::Struct(s)))
            .unwrap_err();
        assert!(
            err.starts_with("Cast transformation does not support casting from STRUCT"),
            "{err}"
        );
    }

    #[test]
    fn bad_specs_are_refused() {
        let err = |spec: &str| parse_spec(&crate::worker::configdef::list(spec)).unwrap_err();
        assert_eq!(err(""), "Must specify at least one field to cast.");
        assert_eq!(err("a:int33"), "Invalid type found in casting spec: int33");
        assert!(err("bytes").starts_with("Cast transformation does not support casting to BYTES"));
        assert!(err("int8,a:int16").contains("may only specify a single cast"));
        assert!(err("a:b:int8").starts_with("Invalid cast mapping: a:b:int8"));
        assert!(err("a:").starts_with("Invalid cast mapping"));
        let missing = build_test("Cast$Value", &[]).err().unwrap();
        assert_eq!(
            missing.message,
            "Missing required configuration \"transforms.t.spec\" which has no default value."
        );
        let bad = build_test("Cast$Value", &[("spec", "a:nope")])
            .err()
            .unwrap();
        assert_eq!(bad.key.as_deref(), Some("transforms.t.spec"));
    }
}
