//! Connect's data model, the Rust form of `org.apache.kafka.connect.data`: schemas and their
//! builders, values and structs, the logical types (Decimal, Date, Time, Timestamp), value
//! validation, schema inference, `Values`' string forms, and the record that flows between
//! tasks, transformations and converters.

pub(crate) mod calendar;
mod decimal;
mod java_text;
mod record;
mod schema;
mod validate;
mod value;
mod values;

pub use decimal::{
    Decimal, LogicalType, DATE_NAME, DECIMAL_NAME, DECIMAL_SCALE, TIMESTAMP_NAME, TIME_NAME,
};
pub use java_text::{java_double_to_string, java_float_to_string};
pub use record::{ConnectRecord, SourceOffset};
pub use schema::{Field, Schema, SchemaRef, StructBuilder, Type};
pub use validate::{infer_schema, validate_value};
pub use value::{Header, SchemaAndValue, Struct, Value};
pub use values::{convert_to_string, parse_string};

/// A value that does not fit its schema, or data that cannot be converted (Java's `DataException`).
/// Messages follow Java's texts where they are useful, one line each.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DataError {
    /// A null where the schema requires a value.
    #[error("Invalid value: null used for required {location}, schema type: {kind}")]
    RequiredNull { location: String, kind: Type },
    /// A value whose variant does not match the schema type.
    #[error("Invalid value for schema{} with type {kind}: {found} for {location}", schema_name.as_ref().map(|n| format!(" \"{n}\"")).unwrap_or_default())]
    WrongType {
        schema_name: Option<String>,
        kind: Type,
        found: &'static str,
        location: String,
    },
    /// `Struct::get`/`put` with a name the schema does not have.
    #[error("{0} is not a valid field name")]
    UnknownField(String),
    /// A struct whose schema is not the one expected.
    #[error("Struct schemas do not match.")]
    StructSchemaMismatch,
    /// Anything else: conversion and parsing failures.
    #[error("{0}")]
    Invalid(String),
}

impl DataError {
    pub(crate) fn invalid(message: impl Into<String>) -> DataError {
        DataError::Invalid(message.into())
    }
}
