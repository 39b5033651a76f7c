//! `org.apache.kafka.connect.converters.ByteArrayConverter`: bytes pass through unchanged.

use std::borrow::Cow;

use super::Converter;
use crate::worker::data::{DataError, Schema, SchemaAndValue, Type, Value};

#[derive(Debug, Clone, Copy, Default)]
pub struct ByteArrayConverter;

impl Converter for ByteArrayConverter {
    fn from_connect(
        &self,
        _topic: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, DataError> {
        if let Some(schema) = schema.filter(|s| s.kind != Type::Bytes) {
            return Err(DataError::invalid(format!(
                "Invalid schema type for ByteArrayConverter: {}",
                schema.kind
            )));
        }
        match value {
            Value::Null => Ok(None),
            Value::Bytes(b) => Ok(Some(b.clone())),
            other => Err(DataError::invalid(format!(
                "ByteArrayConverter is not compatible with objects of type {}",
                other.type_name()
            ))),
        }
    }

    fn from_connect_ref<'v>(
        &self,
        topic: &str,
        schema: Option<&Schema>,
        value: &'v Value,
    ) -> Result<Option<Cow<'v, [u8]>>, DataError> {
        match value {
            Value::Bytes(b) if schema.is_none_or(|s| s.kind == Type::Bytes) => {
                Ok(Some(Cow::Borrowed(b)))
            }
            _ => Ok(self.from_connect(topic, schema, value)?.map(Cow::Owned)),
        }
    }

    fn to_connect(&self, _topic: &str, bytes: Option<&[u8]>) -> Result<SchemaAndValue, DataError> {
        let value = bytes.map_or(Value::Null, |b| Value::Bytes(b.to_vec()));
        Ok(SchemaAndValue::new(Some(Schema::optional_bytes()), value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::data::Decimal;

    #[test]
    fn passes_bytes_through() {
        let c = ByteArrayConverter;
        assert_eq!(
            c.from_connect("t", Some(&Schema::bytes()), &Value::Bytes(vec![1, 2]))
                .unwrap(),
            Some(vec![1, 2])
        );
        assert_eq!(c.from_connect("t", None, &Value::Null).unwrap(), None);
        let back = c.to_connect("t", Some(&[7])).unwrap();
        assert_eq!(
            back,
            SchemaAndValue::new(Some(Schema::optional_bytes()), Value::Bytes(vec![7]))
        );
        assert_eq!(c.to_connect("t", None).unwrap().value, Value::Null);
    }

    #[test]
    fn refuses_other_schemas_and_values() {
        let c = ByteArrayConverter;
        let err = c
            .from_connect("t", Some(&Schema::string()), &Value::from("x"))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid schema type for ByteArrayConverter: STRING"
        );
        let err = c.from_connect("t", None, &Value::from("x")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ByteArrayConverter is not compatible with objects of type string"
        );
        let decimal = Value::Decimal(Decimal::new(1, 0));
        assert!(c
            .from_connect("t", Some(&Schema::decimal(0)), &decimal)
            .is_err());
    }
}
