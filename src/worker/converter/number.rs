//! The fixed-width converters (`org.apache.kafka.connect.converters.{Short,Integer,Long,Float,
//! Double,Boolean}Converter`): big-endian bytes, as Kafka's own serializers write them.

use super::Converter;
use crate::worker::data::{DataError, Schema, SchemaAndValue, SchemaRef, Type, Value};

/// One of the fixed-width converters; `kind` is Int16, Int32, Int64, Float32, Float64 or Boolean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrimitiveConverter {
    kind: Type,
}

impl PrimitiveConverter {
    pub(crate) fn new(kind: Type) -> PrimitiveConverter {
        PrimitiveConverter { kind }
    }

    /// Java's names for the type and its deserializer, and the byte width.
    fn names(self) -> (&'static str, &'static str, usize) {
        match self.kind {
            Type::Int16 => ("short", "ShortDeserializer", 2),
            Type::Int32 => ("integer", "IntegerDeserializer", 4),
            Type::Int64 => ("long", "LongDeserializer", 8),
            Type::Float32 => ("float", "FloatDeserializer", 4),
            Type::Float64 => ("double", "DoubleDeserializer", 8),
            _ => ("boolean", "BooleanDeserializer", 1),
        }
    }

    fn schema(self) -> SchemaRef {
        match self.kind {
            Type::Int16 => Schema::optional_int16(),
            Type::Int32 => Schema::optional_int32(),
            Type::Int64 => Schema::optional_int64(),
            Type::Float32 => Schema::optional_float32(),
            Type::Float64 => Schema::optional_float64(),
            _ => Schema::optional_boolean(),
        }
    }

    fn decode(self, b: &[u8]) -> Result<Value, String> {
        let (_, deserializer, width) = self.names();
        if b.len() != width {
            return Err(format!(
                "Size of data received by {deserializer} is not {width}"
            ));
        }
        Ok(match self.kind {
            Type::Int16 => Value::Int16(i16::from_be_bytes([b[0], b[1]])),
            Type::Int32 => Value::Int32(i32::from_be_bytes([b[0], b[1], b[2], b[3]])),
            Type::Int64 => Value::Int64(i64::from_be_bytes([
                b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
            ])),
            Type::Float32 => Value::Float32(f32::from_be_bytes([b[0], b[1], b[2], b[3]])),
            Type::Float64 => Value::Float64(f64::from_be_bytes([
                b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
            ])),
            _ => match b[0] {
                0 => Value::Boolean(false),
                1 => Value::Boolean(true),
                other => {
                    return Err(format!(
                        "Unexpected byte received by BooleanDeserializer: {other}"
                    ))
                }
            },
        })
    }
}

impl Converter for PrimitiveConverter {
    /// The value must be exactly this converter's type, as Java's cast; the schema is ignored.
    fn from_connect(
        &self,
        _topic: &str,
        _schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, DataError> {
        let bytes = match (self.kind, value) {
            (_, Value::Null) => return Ok(None),
            (Type::Int16, Value::Int16(n)) => n.to_be_bytes().to_vec(),
            (Type::Int32, Value::Int32(n)) => n.to_be_bytes().to_vec(),
            (Type::Int64, Value::Int64(n)) => n.to_be_bytes().to_vec(),
            (Type::Float32, Value::Float32(f)) => f.to_be_bytes().to_vec(),
            (Type::Float64, Value::Float64(f)) => f.to_be_bytes().to_vec(),
            (Type::Boolean, Value::Boolean(b)) => vec![u8::from(*b)],
            (_, other) => {
                return Err(DataError::invalid(format!(
                    "Failed to serialize to {} (was {})",
                    self.names().0,
                    other.type_name()
                )))
            }
        };
        Ok(Some(bytes))
    }

    fn to_connect(&self, _topic: &str, bytes: Option<&[u8]>) -> Result<SchemaAndValue, DataError> {
        let value = match bytes {
            None => Value::Null,
            Some(b) => self.decode(b).map_err(|e| {
                DataError::invalid(format!("Failed to deserialize {}: {e}", self.names().0))
            })?,
        };
        Ok(SchemaAndValue::new(Some(self.schema()), value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_big_endian() {
        let cases = [
            (Type::Int16, Value::Int16(-2), vec![0xff, 0xfe]),
            (Type::Int32, Value::Int32(258), vec![0, 0, 1, 2]),
            (Type::Int64, Value::Int64(1), vec![0, 0, 0, 0, 0, 0, 0, 1]),
            (Type::Float32, Value::Float32(1.0), vec![0x3f, 0x80, 0, 0]),
            (
                Type::Float64,
                Value::Float64(-2.0),
                vec![0xc0, 0, 0, 0, 0, 0, 0, 0],
            ),
            (Type::Boolean, Value::Boolean(true), vec![1]),
        ];
        for (kind, value, bytes) in cases {
            let c = PrimitiveConverter::new(kind);
            assert_eq!(
                c.from_connect("t", None, &value).unwrap(),
                Some(bytes.clone())
            );
            let back = c.to_connect("t", Some(&bytes)).unwrap();
            assert_eq!(back.value, value);
            assert_eq!(
                back.schema.map(|s| (s.kind, s.optional)),
                Some((kind, true))
            );
        }
    }

    #[test]
    fn errors_name_the_type_as_java() {
        let c = PrimitiveConverter::new(Type::Int32);
        let err = c.from_connect("t", None, &Value::Int64(1)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Failed to serialize to integer (was int64)"
        );
        let err = c.to_connect("t", Some(&[1, 2])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Failed to deserialize integer: Size of data received by IntegerDeserializer is not 4"
        );
        let err = PrimitiveConverter::new(Type::Boolean)
            .to_connect("t", Some(&[2]))
            .unwrap_err();
        assert!(err
            .to_string()
            .ends_with("Unexpected byte received by BooleanDeserializer: 2"));
        assert_eq!(c.from_connect("t", None, &Value::Null).unwrap(), None);
        assert_eq!(c.to_connect("t", None).unwrap().value, Value::Null);
    }
}
