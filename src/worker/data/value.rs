//! Connect values: `Value`, `Struct`, `Header`, `SchemaAndValue`, and `Value`'s `Display`,
//! which is Java's `String.valueOf` of the same data (what FileStreamSink and StringConverter
//! write).

use std::fmt;

use super::decimal::LogicalType;
use super::java_text::{java_date_to_string, java_double_to_string, java_float_to_string};
use super::validate::{validate_at, Location};
use super::{DataError, Decimal, Schema, SchemaRef, Type};

/// A Connect value. Date and Time are `Int32`, Timestamp is `Int64`; the schema's name says
/// which logical type a number is. Maps keep their entries in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Boolean(bool),
    Int8(i8),
    Int16(i16),
    Int32(i32),
    Int64(i64),
    Float32(f32),
    Float64(f64),
    String(String),
    Bytes(Vec<u8>),
    Array(Vec<Value>),
    Map(Vec<(Value, Value)>),
    Struct(Struct),
    Decimal(Decimal),
}

impl Value {
    /// A short name of the variant for messages (`int32`, `string`, `decimal`, `null`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Decimal(_) => "decimal",
            other => other.schema_type().map_or("null", Type::name),
        }
    }

    /// The schema type a value of this variant has without a schema (Java's
    /// `ConnectSchema.schemaType(Class)`); `None` for `Null` and `Decimal`, which need a schema.
    pub fn schema_type(&self) -> Option<Type> {
        Some(match self {
            Value::Null | Value::Decimal(_) => return None,
            Value::Boolean(_) => Type::Boolean,
            Value::Int8(_) => Type::Int8,
            Value::Int16(_) => Type::Int16,
            Value::Int32(_) => Type::Int32,
            Value::Int64(_) => Type::Int64,
            Value::Float32(_) => Type::Float32,
            Value::Float64(_) => Type::Float64,
            Value::String(_) => Type::String,
            Value::Bytes(_) => Type::Bytes,
            Value::Array(_) => Type::Array,
            Value::Map(_) => Type::Map,
            Value::Struct(_) => Type::Struct,
        })
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Java's `String.valueOf` of this value, reading Date/Time/Timestamp from `schema`.
    pub fn to_java_string(&self, schema: Option<&Schema>) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = write_java(&mut out, schema, self);
        out
    }
}

/// Java's `String.valueOf` with no schema: `[a, b]` lists, `{k=v}` maps, `Struct{a=1,b=x}`,
/// Java number forms; bytes, which Java prints as an identity hash, print as Base64.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_java(f, None, self)
    }
}

fn write_java(out: &mut dyn fmt::Write, schema: Option<&Schema>, value: &Value) -> fmt::Result {
    match value {
        Value::Null => out.write_str("null"),
        Value::Boolean(b) => write!(out, "{b}"),
        Value::Int8(n) => write!(out, "{n}"),
        Value::Int16(n) => write!(out, "{n}"),
        Value::Int32(n) => match schema.and_then(Schema::logical_type) {
            Some(LogicalType::Date) => {
                out.write_str(&java_date_to_string(i64::from(*n) * 86_400_000))
            }
            Some(LogicalType::Time) => out.write_str(&java_date_to_string(i64::from(*n))),
            _ => write!(out, "{n}"),
        },
        Value::Int64(n) => match schema.and_then(Schema::logical_type) {
            Some(LogicalType::Timestamp) => out.write_str(&java_date_to_string(*n)),
            _ => write!(out, "{n}"),
        },
        Value::Float32(v) => out.write_str(&java_float_to_string(*v)),
        Value::Float64(v) => out.write_str(&java_double_to_string(*v)),
        Value::String(s) => out.write_str(s),
        Value::Bytes(b) => out.write_str(&base64_std(b)),
        Value::Decimal(d) => write!(out, "{d}"),
        Value::Array(items) => {
            let item_schema = schema.and_then(|s| s.value_schema.as_deref());
            out.write_char('[')?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.write_str(", ")?;
                }
                write_java(out, item_schema, item)?;
            }
            out.write_char(']')
        }
        Value::Map(entries) => {
            let key_schema = schema.and_then(|s| s.key_schema.as_deref());
            let value_schema = schema.and_then(|s| s.value_schema.as_deref());
            out.write_char('{')?;
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.write_str(", ")?;
                }
                write_java(out, key_schema, k)?;
                out.write_char('=')?;
                write_java(out, value_schema, v)?;
            }
            out.write_char('}')
        }
        Value::Struct(s) => {
            // Java's Struct.toString lists only the fields that are set.
            out.write_str("Struct{")?;
            let set = s
                .schema
                .fields
                .iter()
                .zip(&s.values)
                .filter(|(_, v)| !v.is_null());
            for (i, (field, v)) in set.enumerate() {
                if i > 0 {
                    out.write_char(',')?;
                }
                write!(out, "{}=", field.name)?;
                write_java(out, Some(&field.schema), v)?;
            }
            out.write_char('}')
        }
    }
}

pub(crate) fn base64_std(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

macro_rules! value_from {
    ($($t:ty => $variant:ident),* $(,)?) => {
        $(impl From<$t> for Value {
            fn from(v: $t) -> Value {
                Value::$variant(v.into())
            }
        })*
    };
}

value_from! {
    bool => Boolean, i8 => Int8, i16 => Int16, i32 => Int32, i64 => Int64, f32 => Float32, f64 => Float64,
    String => String, &str => String, Vec<u8> => Bytes, Struct => Struct, Decimal => Decimal,
}

/// A struct value: its schema and one value per field, in field order (`Null` = unset).
#[derive(Debug, Clone, PartialEq)]
pub struct Struct {
    pub schema: SchemaRef,
    pub values: Vec<Value>,
}

impl Struct {
    /// An empty struct of a struct schema.
    pub fn new(schema: SchemaRef) -> Result<Struct, DataError> {
        if schema.kind != Type::Struct {
            return Err(DataError::invalid(format!("Not a struct schema: {schema}")));
        }
        let values = vec![Value::Null; schema.fields.len()];
        Ok(Struct { schema, values })
    }

    /// The field's value, or its schema default when unset (Java's `Struct.get`).
    pub fn get(&self, name: &str) -> Result<&Value, DataError> {
        let index = self.index_of(name)?;
        let value = &self.values[index];
        match (&self.schema.fields[index].schema.default, value) {
            (Some(default), Value::Null) => Ok(default),
            _ => Ok(value),
        }
    }

    /// The field's value as set, ignoring defaults.
    pub fn get_without_default(&self, name: &str) -> Result<&Value, DataError> {
        Ok(&self.values[self.index_of(name)?])
    }

    /// Sets a field after checking the value fits the field's schema.
    pub fn put(&mut self, name: &str, value: impl Into<Value>) -> Result<&mut Struct, DataError> {
        let index = self.index_of(name)?;
        let value = value.into();
        let field = &self.schema.fields[index];
        validate_at(&field.schema, &value, &Location::Field(&field.name))?;
        self.values[index] = value;
        Ok(self)
    }

    /// Checks every field: set values must fit, unset ones need an optional schema or a default.
    pub fn validate(&self) -> Result<(), DataError> {
        for (field, value) in self.schema.fields.iter().zip(&self.values) {
            validate_at(&field.schema, value, &Location::Field(&field.name))?;
        }
        Ok(())
    }

    fn index_of(&self, name: &str) -> Result<usize, DataError> {
        self.schema
            .field(name)
            .map(|f| f.index)
            .filter(|&i| i < self.values.len())
            .ok_or_else(|| DataError::UnknownField(name.to_string()))
    }
}

/// A record header as Connect sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    pub key: String,
    pub schema: Option<SchemaRef>,
    pub value: Value,
}

impl Header {
    pub fn new(key: impl Into<String>, schema: Option<SchemaRef>, value: Value) -> Header {
        Header {
            key: key.into(),
            schema,
            value,
        }
    }
}

/// A value with its schema, as converters return them.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaAndValue {
    pub schema: Option<SchemaRef>,
    pub value: Value,
}

impl SchemaAndValue {
    /// No schema, null value (Java's `SchemaAndValue.NULL`).
    pub const NULL: SchemaAndValue = SchemaAndValue {
        schema: None,
        value: Value::Null,
    };

    pub fn new(schema: Option<SchemaRef>, value: Value) -> SchemaAndValue {
        SchemaAndValue { schema, value }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn person() -> SchemaRef {
        Arc::new(
            Schema::struct_builder()
                .field("name", Schema::string())
                .field("age", Schema::optional_int32())
                .field(
                    "score",
                    Schema::new(Type::Int32)
                        .default_value(Value::Int32(5))
                        .unwrap(),
                )
                .build(),
        )
    }

    #[test]
    fn struct_put_checks_name_and_type() {
        let mut s = Struct::new(person()).unwrap();
        s.put("name", "ann").unwrap().put("age", 41).unwrap();
        assert_eq!(s.get("name").unwrap(), &Value::from("ann"));
        assert_eq!(
            s.put("nope", 1).unwrap_err().to_string(),
            "nope is not a valid field name"
        );
        let err = s.put("age", "old").unwrap_err().to_string();
        assert_eq!(
            err,
            "Invalid value for schema with type INT32: string for field: \"age\""
        );
    }

    #[test]
    fn struct_get_falls_back_to_the_default_and_validate_wants_required_fields() {
        let mut s = Struct::new(person()).unwrap();
        assert_eq!(s.get("score").unwrap(), &Value::Int32(5));
        assert_eq!(s.get_without_default("score").unwrap(), &Value::Null);
        let err = s.validate().unwrap_err().to_string();
        assert_eq!(
            err,
            "Invalid value: null used for required field: \"name\", schema type: STRING"
        );
        s.put("name", "bo").unwrap();
        s.validate().unwrap();
    }

    #[test]
    fn struct_new_refuses_other_schemas() {
        assert!(Struct::new(Schema::string()).is_err());
    }

    #[test]
    fn display_is_java_string_value_of() {
        let mut s = Struct::new(person()).unwrap();
        s.put("name", "ann").unwrap();
        assert_eq!(Value::Struct(s).to_string(), "Struct{name=ann}");
        let list = Value::Array(vec![Value::Int64(1), Value::Null, Value::from("x")]);
        assert_eq!(list.to_string(), "[1, null, x]");
        let map = Value::Map(vec![(Value::from("k"), Value::Float64(1.0))]);
        assert_eq!(map.to_string(), "{k=1.0}");
        assert_eq!(Value::Decimal(Decimal::new(156, 2)).to_string(), "1.56");
        assert_eq!(Value::Bytes(vec![0, 0x9c]).to_string(), "AJw=");
    }

    #[test]
    fn logical_values_print_as_java_dates() {
        let v = Value::Int32(10_000);
        assert_eq!(
            v.to_java_string(Some(&Schema::date())),
            "Mon May 19 00:00:00 UTC 1997"
        );
        assert_eq!(v.to_java_string(None), "10000");
        let ts = Value::Int64(0).to_java_string(Some(&Schema::timestamp()));
        assert_eq!(ts, "Thu Jan 01 00:00:00 UTC 1970");
    }

    #[test]
    fn type_names() {
        assert_eq!(Value::Int32(1).type_name(), "int32");
        assert_eq!(Value::Null.type_name(), "null");
        assert_eq!(Value::Decimal(Decimal::new(1, 0)).type_name(), "decimal");
        assert_eq!(Value::Map(vec![]).type_name(), "map");
    }
}
