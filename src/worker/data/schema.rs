//! Schemas: `Type`, `Schema`, `Field` and the builders (Java's `Schema`, `ConnectSchema`,
//! `SchemaBuilder`). Schemas are plain values compared structurally, as `ConnectSchema.equals`.

use std::fmt;
use std::sync::{Arc, LazyLock};

use indexmap::IndexMap;

use super::{validate_value, DataError, Value};

/// Schemas are shared between records, structs and converters.
pub type SchemaRef = Arc<Schema>;

/// Java's `Schema.Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Type {
    Int8,
    Int16,
    Int32,
    Int64,
    Float32,
    Float64,
    Boolean,
    String,
    Bytes,
    Array,
    Map,
    Struct,
}

impl Type {
    pub const ALL: [Type; 12] = [
        Type::Int8,
        Type::Int16,
        Type::Int32,
        Type::Int64,
        Type::Float32,
        Type::Float64,
        Type::Boolean,
        Type::String,
        Type::Bytes,
        Type::Array,
        Type::Map,
        Type::Struct,
    ];

    /// The lower-case name, as Java's `Type.getName()` (`int32`, `float64`, …), which is also
    /// how configurations such as the Cast SMT's spell types.
    pub fn name(self) -> &'static str {
        match self {
            Type::Int8 => "int8",
            Type::Int16 => "int16",
            Type::Int32 => "int32",
            Type::Int64 => "int64",
            Type::Float32 => "float32",
            Type::Float64 => "float64",
            Type::Boolean => "boolean",
            Type::String => "string",
            Type::Bytes => "bytes",
            Type::Array => "array",
            Type::Map => "map",
            Type::Struct => "struct",
        }
    }

    /// Parses a type name in any case (`INT32`, `int32`).
    pub fn from_name(name: &str) -> Option<Type> {
        Type::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(name))
    }

    pub fn is_primitive(self) -> bool {
        !matches!(self, Type::Array | Type::Map | Type::Struct)
    }
}

/// The Java enum constant (`INT32`), which is what Java's messages print.
impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name().to_ascii_uppercase())
    }
}

/// A Connect schema. Build one with [`Schema::new`] and the chained setters, with
/// [`Schema::struct_builder`], [`Schema::array`] or [`Schema::map`]; the shared primitive
/// schemas come from [`Schema::string`], [`Schema::optional_string`] and their siblings.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    pub kind: Type,
    pub optional: bool,
    pub default: Option<Value>,
    pub name: Option<String>,
    pub version: Option<i32>,
    pub doc: Option<String>,
    pub parameters: Option<IndexMap<String, String>>,
    /// Struct fields, in order.
    pub fields: Vec<Field>,
    /// Map keys.
    pub key_schema: Option<SchemaRef>,
    /// Map values and array items.
    pub value_schema: Option<SchemaRef>,
}

/// A struct field: its name, position and schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    pub index: usize,
    pub schema: SchemaRef,
}

impl Field {
    pub fn new(name: impl Into<String>, index: usize, schema: SchemaRef) -> Field {
        Field {
            name: name.into(),
            index,
            schema,
        }
    }
}

impl Schema {
    /// A required schema of `kind` with nothing else set.
    pub fn new(kind: Type) -> Schema {
        Schema {
            kind,
            optional: false,
            default: None,
            name: None,
            version: None,
            doc: None,
            parameters: None,
            fields: Vec::new(),
            key_schema: None,
            value_schema: None,
        }
    }

    pub fn optional(mut self) -> Schema {
        self.optional = true;
        self
    }

    pub fn required(mut self) -> Schema {
        self.optional = false;
        self
    }

    pub fn name(mut self, name: impl Into<String>) -> Schema {
        self.name = Some(name.into());
        self
    }

    pub fn version(mut self, version: i32) -> Schema {
        self.version = Some(version);
        self
    }

    pub fn doc(mut self, doc: impl Into<String>) -> Schema {
        self.doc = Some(doc.into());
        self
    }

    /// Adds a parameter; parameters keep their insertion order, as Java's `LinkedHashMap`.
    pub fn parameter(mut self, key: impl Into<String>, value: impl Into<String>) -> Schema {
        self.parameters
            .get_or_insert_with(IndexMap::new)
            .insert(key.into(), value.into());
        self
    }

    /// Sets the default after checking that it fits the schema as built so far, so set it
    /// last. A `Null` default means none.
    pub fn default_value(mut self, value: Value) -> Result<Schema, DataError> {
        if value.is_null() {
            self.default = None;
            return Ok(self);
        }
        validate_value(&self, &value)
            .map_err(|e| DataError::invalid(format!("Invalid default value: {e}")))?;
        self.default = Some(value);
        Ok(self)
    }

    /// An array of `items`.
    pub fn array(items: impl Into<SchemaRef>) -> Schema {
        Schema {
            value_schema: Some(items.into()),
            ..Schema::new(Type::Array)
        }
    }

    /// A map from `keys` to `values`.
    pub fn map(keys: impl Into<SchemaRef>, values: impl Into<SchemaRef>) -> Schema {
        Schema {
            key_schema: Some(keys.into()),
            value_schema: Some(values.into()),
            ..Schema::new(Type::Map)
        }
    }

    /// Starts a struct schema; `build()` returns a [`Schema`] that takes the other setters.
    pub fn struct_builder() -> StructBuilder {
        StructBuilder { fields: Vec::new() }
    }

    /// The struct field called `name`; `None` for other names and for non-struct schemas.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// Java's `ConnectSchema.toString()`: `Schema{name:TYPE}` or `Schema{TYPE}`.
impl fmt::Display for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "Schema{{{name}:{}}}", self.kind),
            None => write!(f, "Schema{{{}}}", self.kind),
        }
    }
}

/// Collects struct fields; field indexes follow the order of the calls.
#[derive(Debug, Clone)]
pub struct StructBuilder {
    fields: Vec<Field>,
}

impl StructBuilder {
    /// Adds a field. Schemas written in code use this; a repeated name replaces the earlier
    /// field's schema in place. Names that come from user input go through [`Self::try_field`].
    pub fn field(mut self, name: impl Into<String>, schema: impl Into<SchemaRef>) -> StructBuilder {
        let name = name.into();
        let schema = schema.into();
        match self.fields.iter_mut().find(|f| f.name == name) {
            Some(existing) => existing.schema = schema,
            None => {
                let index = self.fields.len();
                self.fields.push(Field::new(name, index, schema));
            }
        }
        self
    }

    /// Adds a field, refusing a name that is already there (as Java's `SchemaBuilder.field`).
    pub fn try_field(
        self,
        name: impl Into<String>,
        schema: impl Into<SchemaRef>,
    ) -> Result<StructBuilder, DataError> {
        let name = name.into();
        if self.fields.iter().any(|f| f.name == name) {
            return Err(DataError::invalid(format!(
                "Cannot create field because of field name duplication {name}"
            )));
        }
        Ok(self.field(name, schema))
    }

    pub fn build(self) -> Schema {
        Schema {
            fields: self.fields,
            ..Schema::new(Type::Struct)
        }
    }
}

/// The shared primitive schemas (Java's `Schema.STRING_SCHEMA`, `Schema.OPTIONAL_STRING_SCHEMA`, …):
/// each call hands out the same `Arc`.
macro_rules! shared_primitives {
    ($($required:ident, $optional:ident => $kind:ident;)*) => {
        impl Schema {
            $(
                pub fn $required() -> SchemaRef {
                    static SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| Arc::new(Schema::new(Type::$kind)));
                    SCHEMA.clone()
                }
                pub fn $optional() -> SchemaRef {
                    static SCHEMA: LazyLock<SchemaRef> =
                        LazyLock::new(|| Arc::new(Schema::new(Type::$kind).optional()));
                    SCHEMA.clone()
                }
            )*
        }
    };
}

shared_primitives! {
    int8, optional_int8 => Int8;
    int16, optional_int16 => Int16;
    int32, optional_int32 => Int32;
    int64, optional_int64 => Int64;
    float32, optional_float32 => Float32;
    float64, optional_float64 => Float64;
    boolean, optional_boolean => Boolean;
    string, optional_string => String;
    bytes, optional_bytes => Bytes;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_round_trip_in_any_case() {
        for t in Type::ALL {
            assert_eq!(Type::from_name(t.name()), Some(t));
            assert_eq!(Type::from_name(&t.to_string()), Some(t));
        }
        assert_eq!(Type::Float32.to_string(), "FLOAT32");
        assert_eq!(Type::from_name("float"), None);
    }

    #[test]
    fn struct_builder_indexes_fields_and_try_field_refuses_duplicates() {
        let s = Schema::struct_builder()
            .field("a", Schema::int32())
            .field("b", Schema::string())
            .build()
            .optional()
            .name("rec");
        assert_eq!(s.kind, Type::Struct);
        assert!(s.optional);
        assert_eq!(s.field("b").map(|f| f.index), Some(1));
        assert!(s.field("c").is_none());
        let dup = Schema::struct_builder()
            .field("a", Schema::int32())
            .try_field("a", Schema::string());
        assert!(dup.unwrap_err().to_string().contains("duplication a"));
    }

    #[test]
    fn shared_primitives_are_shared_and_distinct_by_optionality() {
        assert!(Arc::ptr_eq(&Schema::string(), &Schema::string()));
        assert!(!Schema::string().optional);
        assert!(Schema::optional_string().optional);
        assert_eq!(Schema::optional_int64().kind, Type::Int64);
    }

    #[test]
    fn default_value_is_checked_against_the_schema() {
        let ok = Schema::new(Type::Int32)
            .default_value(Value::Int32(7))
            .unwrap();
        assert_eq!(ok.default, Some(Value::Int32(7)));
        let err = Schema::new(Type::Int32)
            .default_value(Value::String("x".into()))
            .unwrap_err();
        assert!(
            err.to_string().starts_with("Invalid default value: "),
            "{err}"
        );
    }

    #[test]
    fn parameters_keep_insertion_order_and_display_matches_java() {
        let s = Schema::new(Type::Bytes)
            .name("n")
            .parameter("z", "1")
            .parameter("a", "2");
        let keys: Vec<_> = s.parameters.as_ref().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["z", "a"]);
        assert_eq!(s.to_string(), "Schema{n:BYTES}");
        assert_eq!(Schema::new(Type::Int8).to_string(), "Schema{INT8}");
    }
}
