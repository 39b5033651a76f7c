//! Whether a value fits a schema (Java's `ConnectSchema.validateValue`) and the schema a
//! schemaless value implies (Java's `Values.inferSchema`).

use std::fmt;
use std::sync::Arc;

use super::decimal::LogicalType;
use super::{DataError, Schema, SchemaRef, Value};

/// Where a value sits, for messages; formatted only when an error is built.
pub(crate) enum Location<'a> {
    Value,
    Field(&'a str),
    Element(&'a Location<'a>),
    MapKey(&'a Location<'a>),
    MapValue(&'a Location<'a>),
}

impl fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Value => f.write_str("value"),
            Location::Field(name) => write!(f, "field: \"{name}\""),
            Location::Element(outer) => write!(f, "element of array {outer}"),
            Location::MapKey(outer) => write!(f, "key for map {outer}"),
            Location::MapValue(outer) => write!(f, "value for map {outer}"),
        }
    }
}

/// Checks that `value` fits `schema`: the variant matches the type (a Decimal schema wants
/// `Value::Decimal`), containers fit their item schemas, a struct carries this very schema,
/// and null appears only where the schema is optional or has a default.
pub fn validate_value(schema: &Schema, value: &Value) -> Result<(), DataError> {
    validate_at(schema, value, &Location::Value)
}

pub(crate) fn validate_at(
    schema: &Schema,
    value: &Value,
    location: &Location<'_>,
) -> Result<(), DataError> {
    if value.is_null() {
        if schema.optional || schema.default.is_some() {
            return Ok(());
        }
        return Err(DataError::RequiredNull {
            location: location.to_string(),
            kind: schema.kind,
        });
    }
    if !variant_fits(schema, value) {
        return Err(DataError::WrongType {
            schema_name: schema.name.clone(),
            kind: schema.kind,
            found: value.type_name(),
            location: location.to_string(),
        });
    }
    match value {
        Value::Array(items) => {
            let here = Location::Element(location);
            let item_schema = required_inner(schema.value_schema.as_ref(), &here)?;
            items
                .iter()
                .try_for_each(|item| validate_at(item_schema, item, &here))
        }
        Value::Map(entries) => {
            let key_at = Location::MapKey(location);
            let value_at = Location::MapValue(location);
            let key_schema = required_inner(schema.key_schema.as_ref(), &key_at)?;
            let value_schema = required_inner(schema.value_schema.as_ref(), &value_at)?;
            entries.iter().try_for_each(|(k, v)| {
                validate_at(key_schema, k, &key_at)?;
                validate_at(value_schema, v, &value_at)
            })
        }
        Value::Struct(s) => {
            if !(std::ptr::eq(&*s.schema, schema) || *s.schema == *schema) {
                return Err(DataError::StructSchemaMismatch);
            }
            s.validate()
        }
        _ => Ok(()),
    }
}

fn variant_fits(schema: &Schema, value: &Value) -> bool {
    if schema.logical_type() == Some(LogicalType::Decimal) {
        return matches!(value, Value::Decimal(_));
    }
    value.schema_type() == Some(schema.kind)
}

fn required_inner<'s>(
    schema: Option<&'s SchemaRef>,
    location: &Location<'_>,
) -> Result<&'s Schema, DataError> {
    schema
        .map(|s| &**s)
        .ok_or_else(|| DataError::invalid(format!("No schema defined for {location}")))
}

/// The schema a value implies without one: primitives map to their required schema, a struct
/// to its own, a decimal to a Decimal schema of its scale, and arrays and maps to a container
/// of the one schema all their non-null items share (optional when some are null). Empty
/// containers, all-null ones, mixed ones and `Null` imply nothing.
pub fn infer_schema(value: &Value) -> Option<SchemaRef> {
    match value {
        Value::Null => None,
        Value::Struct(s) => Some(s.schema.clone()),
        Value::Decimal(d) => Some(Arc::new(Schema::decimal(d.scale))),
        Value::Array(items) => Some(Arc::new(Schema::array(common_schema(items.iter())?))),
        Value::Map(entries) => {
            let keys = common_schema(entries.iter().map(|(k, _)| k))?;
            let values = common_schema(entries.iter().map(|(_, v)| v))?;
            Some(Arc::new(Schema::map(keys, values)))
        }
        primitive => primitive.schema_type().map(|t| Arc::new(Schema::new(t))),
    }
}

fn common_schema<'v>(items: impl Iterator<Item = &'v Value>) -> Option<SchemaRef> {
    let mut found: Option<SchemaRef> = None;
    let mut optional = false;
    for item in items {
        if item.is_null() {
            optional = true;
            continue;
        }
        let schema = infer_schema(item)?;
        match &found {
            Some(known) if *known != schema => return None,
            Some(_) => {}
            None => found = Some(schema),
        }
    }
    let found = found?;
    Some(if optional && !found.optional {
        Arc::new((*found).clone().optional())
    } else {
        found
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::data::{Decimal, Struct, Type};

    #[test]
    fn null_needs_optional_or_default() {
        let err = validate_value(&Schema::new(Type::String), &Value::Null).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid value: null used for required value, schema type: STRING"
        );
        validate_value(&Schema::optional_string(), &Value::Null).unwrap();
        let with_default = Schema::new(Type::String)
            .default_value(Value::from("d"))
            .unwrap();
        validate_value(&with_default, &Value::Null).unwrap();
    }

    #[test]
    fn variants_must_match_exactly() {
        validate_value(&Schema::int64(), &Value::Int64(1)).unwrap();
        let err = validate_value(&Schema::int64(), &Value::Int32(1)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid value for schema with type INT64: int32 for value"
        );
        validate_value(&Schema::decimal(2), &Value::Decimal(Decimal::new(1, 2))).unwrap();
        let err = validate_value(&Schema::decimal(2), &Value::Bytes(vec![1])).unwrap_err();
        assert!(err
            .to_string()
            .contains("\"org.apache.kafka.connect.data.Decimal\" with type BYTES: bytes"));
        validate_value(&Schema::date(), &Value::Int32(3)).unwrap();
    }

    #[test]
    fn containers_check_their_items_with_java_locations() {
        let arr = Schema::array(Schema::int32());
        let err =
            validate_value(&arr, &Value::Array(vec![Value::Int32(1), Value::Null])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid value: null used for required element of array value, schema type: INT32"
        );
        let map = Schema::map(Schema::string(), Schema::int32());
        let err = validate_value(&map, &Value::Map(vec![(Value::Int32(1), Value::Int32(1))]))
            .unwrap_err();
        assert!(err.to_string().ends_with("for key for map value"), "{err}");
        let untyped = Schema::new(Type::Array);
        let err = validate_value(&untyped, &Value::Array(vec![])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "No schema defined for element of array value"
        );
    }

    #[test]
    fn structs_must_carry_the_same_schema() {
        let a: SchemaRef = Arc::new(Schema::struct_builder().field("x", Schema::int32()).build());
        let b = Schema::struct_builder().field("y", Schema::int32()).build();
        let mut s = Struct::new(a.clone()).unwrap();
        s.put("x", 1).unwrap();
        validate_value(&a, &Value::Struct(s.clone())).unwrap();
        let err = validate_value(&b, &Value::Struct(s)).unwrap_err();
        assert_eq!(err.to_string(), "Struct schemas do not match.");
    }

    #[test]
    fn inference_follows_values() {
        assert_eq!(infer_schema(&Value::from("x")), Some(Schema::string()));
        assert_eq!(infer_schema(&Value::Null), None);
        let arr = infer_schema(&Value::Array(vec![Value::Int32(1), Value::Null])).unwrap();
        assert_eq!(*arr, Schema::array(Schema::optional_int32()));
        assert_eq!(
            infer_schema(&Value::Array(vec![Value::Int32(1), Value::from("a")])),
            None
        );
        assert_eq!(infer_schema(&Value::Array(vec![])), None);
        let map =
            infer_schema(&Value::Map(vec![(Value::from("k"), Value::Boolean(true))])).unwrap();
        assert_eq!(*map, Schema::map(Schema::string(), Schema::boolean()));
        let dec = infer_schema(&Value::Decimal(Decimal::new(1, 3))).unwrap();
        assert_eq!(dec.decimal_scale().unwrap(), 3);
    }
}
