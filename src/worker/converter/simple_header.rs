//! `org.apache.kafka.connect.storage.SimpleHeaderConverter`, the default header converter:
//! values as `Values`' string forms in UTF-8, read back with their schema inferred.

use super::HeaderConverter;
use crate::worker::data::{
    convert_to_string, parse_string, DataError, Schema, SchemaAndValue, Value,
};

#[derive(Debug, Clone, Copy, Default)]
pub struct SimpleHeaderConverter;

impl HeaderConverter for SimpleHeaderConverter {
    fn from_connect_header(
        &self,
        _topic: &str,
        _key: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, DataError> {
        Ok(convert_to_string(schema, value).map(String::into_bytes))
    }

    /// Unlike Java, which decodes invalid UTF-8 with replacement characters, such a header is
    /// kept as bytes (Java's own fallback when parsing fails).
    fn to_connect_header(
        &self,
        _topic: &str,
        _key: &str,
        bytes: Option<&[u8]>,
    ) -> Result<SchemaAndValue, DataError> {
        let Some(bytes) = bytes else {
            return Ok(SchemaAndValue::NULL);
        };
        Ok(match std::str::from_utf8(bytes) {
            Ok(text) => parse_string(text),
            Err(_) => SchemaAndValue::new(Some(Schema::bytes()), Value::Bytes(bytes.to_vec())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::data::Type;

    fn round_trip(schema: Option<&Schema>, value: &Value) -> (Vec<u8>, SchemaAndValue) {
        let c = SimpleHeaderConverter;
        let bytes = c
            .from_connect_header("t", "h", schema, value)
            .unwrap()
            .unwrap();
        let back = c.to_connect_header("t", "h", Some(&bytes)).unwrap();
        (bytes, back)
    }

    #[test]
    fn strings_are_raw_utf8_and_numbers_come_back_typed() {
        let (bytes, back) = round_trip(Some(&Schema::string()), &Value::from("héllo wörld"));
        assert_eq!(bytes, "héllo wörld".as_bytes());
        assert_eq!(back.value, Value::from("héllo wörld"));
        let (bytes, back) = round_trip(Some(&Schema::int64()), &Value::Int64(42));
        assert_eq!(bytes, b"42");
        assert_eq!(
            (back.schema.map(|s| s.kind), back.value),
            (Some(Type::Int8), Value::Int8(42))
        );
        let (bytes, back) = round_trip(Some(&Schema::timestamp()), &Value::Int64(4_000_000_000));
        assert_eq!(bytes, b"1970-02-16T07:06:40.000Z");
        assert_eq!(back.value, Value::Int64(4_000_000_000));
    }

    #[test]
    fn null_empty_and_binary_headers() {
        let c = SimpleHeaderConverter;
        assert_eq!(
            c.from_connect_header("t", "h", None, &Value::Null).unwrap(),
            None
        );
        assert_eq!(
            c.to_connect_header("t", "h", None).unwrap(),
            SchemaAndValue::NULL
        );
        let empty = c.to_connect_header("t", "h", Some(b"")).unwrap();
        assert_eq!(
            empty,
            SchemaAndValue::new(Some(Schema::string()), Value::from(""))
        );
        let binary = c.to_connect_header("t", "h", Some(&[0xff, 0x00])).unwrap();
        assert_eq!(binary.value, Value::Bytes(vec![0xff, 0x00]));
    }
}
