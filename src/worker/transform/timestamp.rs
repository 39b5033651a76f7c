//! `TimestampConverter$Key` / `TimestampConverter$Value`: converts the whole key/value or one
//! field between `string` (SimpleDateFormat `format`), `unix` (int64 at `unix.precision`) and
//! the logical `Date`, `Time` and `Timestamp`. Every conversion goes through epoch
//! milliseconds, as Java's goes through `java.util.Date`. Without a schema there is no
//! `java.util.Date`, so Date, Time and Timestamp results are int64 epoch milliseconds.

use std::sync::Arc;

use super::date_format::{DateFormat, MILLIS_PER_DAY};
use super::support::{
    copy_basics, field_value, java_class, map_get, map_put, replace_null_key, require_map,
    require_struct, Conf, ConfigError, SchemaCache, Side, REPLACE_NULL,
};
use super::Transformation;
use crate::worker::configdef::{ConfigDef, ConfigType, Default, Importance, Key, Validator};
use crate::worker::data::{ConnectRecord, LogicalType, Schema, SchemaRef, Struct, Type, Value};

const FIELD: &str = "field";
const TARGET: &str = "target.type";
const FORMAT: &str = "format";
const PRECISION: &str = "unix.precision";
const PURPOSE: &str = "converting timestamp formats";

const TYPES: [&str; 5] = ["string", "unix", "Date", "Time", "Timestamp"];
const PRECISIONS: [&str; 4] = ["seconds", "milliseconds", "microseconds", "nanoseconds"];

pub(crate) fn config_def() -> ConfigDef {
    ConfigDef::new()
        .plain(
            Key::new(
                FIELD,
                ConfigType::String,
                Default::Value(""),
                Importance::High,
                "The field containing the timestamp, or empty if the entire value is a timestamp",
            ),
            Validator::Any,
        )
        .plain(
            Key::new(
                TARGET,
                ConfigType::String,
                Default::Required,
                Importance::High,
                "The desired timestamp representation: string, unix, Date, Time, or Timestamp",
            ),
            Validator::OneOf(&TYPES),
        )
        .plain(
            Key::new(
                FORMAT,
                ConfigType::String,
                Default::Value(""),
                Importance::Medium,
                "A SimpleDateFormat-compatible format for the timestamp. Used to generate the output when type=string or used to parse the input if the input is a string.",
            ),
            Validator::Any,
        )
        .plain(
            Key::new(
                PRECISION,
                ConfigType::String,
                Default::Value("milliseconds"),
                Importance::Low,
                "The desired Unix precision for the timestamp: seconds, milliseconds, microseconds, or nanoseconds. Used to generate the output when type=unix or used to parse the input if the input is a Long. Note: This SMT will cause precision loss during conversions from, and to, values with sub-millisecond components.",
            ),
            Validator::OneOf(&PRECISIONS),
        )
        .plain(replace_null_key(), Validator::Any)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    String,
    Unix,
    Date,
    Time,
    Timestamp,
}

impl Kind {
    /// Java compares the type names case-sensitively.
    fn from_config(name: &str) -> Option<Kind> {
        Some(match name {
            "string" => Kind::String,
            "unix" => Kind::Unix,
            "Date" => Kind::Date,
            "Time" => Kind::Time,
            "Timestamp" => Kind::Timestamp,
            _ => return None,
        })
    }

    /// Java's `timestampTypeFromSchema`.
    fn of_schema(schema: &Schema) -> Result<Kind, String> {
        match (schema.logical_type(), schema.kind) {
            (Some(LogicalType::Timestamp), _) => Ok(Kind::Timestamp),
            (Some(LogicalType::Date), _) => Ok(Kind::Date),
            (Some(LogicalType::Time), _) => Ok(Kind::Time),
            (_, Type::String) => Ok(Kind::String),
            (_, Type::Int64) => Ok(Kind::Unix),
            _ => Err(format!(
                "Schema {schema} does not correspond to a known timestamp type format"
            )),
        }
    }

    /// Java's `inferTimestampType` for schemaless values.
    fn of_value(value: &Value) -> Result<Kind, String> {
        match value {
            Value::Int64(_) => Ok(Kind::Unix),
            Value::String(_) => Ok(Kind::String),
            other => Err(format!(
                "TimestampConverter does not support class {} objects as timestamps",
                java_class(other)
            )),
        }
    }

    fn schema(self, optional: bool) -> SchemaRef {
        let schema = match self {
            Kind::String => Schema::new(Type::String),
            Kind::Unix => Schema::new(Type::Int64),
            Kind::Date => Schema::date(),
            Kind::Time => Schema::time(),
            Kind::Timestamp => Schema::timestamp(),
        };
        Arc::new(if optional { schema.optional() } else { schema })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Precision {
    Seconds,
    Millis,
    Micros,
    Nanos,
}

impl Precision {
    fn to_millis(self, n: i64) -> i64 {
        match self {
            Precision::Seconds => n.saturating_mul(1000),
            Precision::Millis => n,
            Precision::Micros => n / 1000,
            Precision::Nanos => n / 1_000_000,
        }
    }

    fn of_millis(self, ms: i64) -> i64 {
        match self {
            Precision::Seconds => ms / 1000,
            Precision::Millis => ms,
            Precision::Micros => ms.saturating_mul(1000),
            Precision::Nanos => ms.saturating_mul(1_000_000),
        }
    }
}

pub(crate) fn build(conf: &Conf, side: Side) -> Result<Box<dyn Transformation>, ConfigError> {
    let target_name = conf.string(TARGET).unwrap_or_default();
    let target = Kind::from_config(&target_name).ok_or_else(|| {
        conf.invalid(
            TARGET,
            &target_name,
            format!("String must be one of: {}", TYPES.join(", ")),
        )
    })?;
    let pattern = conf.string(FORMAT).unwrap_or_default();
    let format = if pattern.is_empty() {
        None
    } else {
        Some(DateFormat::new(&pattern).map_err(|why| {
            conf.error(
                FORMAT,
                format!("TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: {pattern} ({why})"),
            )
        })?)
    };
    if target == Kind::String && format.is_none() {
        return Err(conf.error(
            FORMAT,
            format!(
                "TimestampConverter requires format option to be specified when using string timestamps; set {}",
                conf.full(FORMAT)
            ),
        ));
    }
    let precision = match conf
        .string(PRECISION)
        .unwrap_or_default()
        .to_ascii_lowercase()
        .as_str()
    {
        "seconds" => Precision::Seconds,
        "microseconds" => Precision::Micros,
        "nanoseconds" => Precision::Nanos,
        _ => Precision::Millis,
    };
    Ok(Box::new(TimestampConverter {
        side,
        field: conf.string(FIELD).unwrap_or_default(),
        target,
        format,
        precision,
        replace_null: conf.boolean(REPLACE_NULL),
        cache: SchemaCache::default(),
    }))
}

struct TimestampConverter {
    side: Side,
    /// Empty: the whole key/value.
    field: String,
    target: Kind,
    format: Option<DateFormat>,
    precision: Precision,
    replace_null: bool,
    cache: SchemaCache,
}

impl Transformation for TimestampConverter {
    fn apply(&self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>, String> {
        let (schema, value) = self.side.take(&mut record);
        let (schema, value) = match schema {
            None => (None, self.schemaless(value)?),
            Some(schema) if self.field.is_empty() => {
                let source = Kind::of_schema(&schema)?;
                let converted = self.convert(&value, source, true)?;
                (Some(self.target.schema(schema.optional)), converted)
            }
            Some(schema) => {
                let value = match value {
                    Value::Null => None,
                    other => Some(require_struct(other, PURPOSE)?),
                };
                let updated = self
                    .cache
                    .get_or_build(&schema, |s| self.struct_schema(s))?;
                let value = match value {
                    Some(s) => {
                        Value::Struct(self.convert_struct(&s, &updated, self.replace_null)?)
                    }
                    None => Value::Null,
                };
                (Some(updated), value)
            }
        };
        self.side.set(&mut record, schema, value);
        Ok(Some(record))
    }
}

impl TimestampConverter {
    fn schemaless(&self, value: Value) -> Result<Value, String> {
        if value.is_null() || self.field.is_empty() {
            return self.convert_inferred(&value);
        }
        let mut entries = require_map(value, PURPOSE)?;
        // As Java, a field the map lacks is written as null.
        let converted =
            self.convert_inferred(map_get(&entries, &self.field).unwrap_or(&Value::Null))?;
        map_put(&mut entries, &self.field, converted);
        Ok(Value::Map(entries))
    }

    fn convert_inferred(&self, value: &Value) -> Result<Value, String> {
        if value.is_null() {
            return Ok(Value::Null);
        }
        self.convert(value, Kind::of_value(value)?, false)
    }

    fn struct_schema(&self, schema: &Schema) -> Result<Schema, String> {
        let mut builder = Schema::struct_builder();
        for field in &schema.fields {
            let field_schema = if field.name == self.field {
                self.target.schema(field.schema.optional)
            } else {
                field.schema.clone()
            };
            builder = builder.field(field.name.clone(), field_schema);
        }
        let mut out = copy_basics(schema, builder.build());
        out.optional = schema.optional;
        let Some(Value::Struct(default)) = &schema.default else {
            return Ok(out);
        };
        let converted = self.convert_struct(default, &Arc::new(out.clone()), true)?;
        out.default_value(Value::Struct(converted))
            .map_err(|e| e.to_string())
    }

    fn convert_struct(
        &self,
        value: &Struct,
        updated: &SchemaRef,
        replace_null: bool,
    ) -> Result<Struct, String> {
        let mut out = Struct::new(updated.clone()).map_err(|e| e.to_string())?;
        for (index, field) in value.schema.fields.iter().enumerate() {
            let original = field_value(value, index, replace_null);
            let v = if field.name == self.field {
                self.convert(&original, Kind::of_schema(&field.schema)?, true)?
            } else {
                original
            };
            out.put(&field.name, v).map_err(|e| e.to_string())?;
        }
        Ok(out)
    }

    /// `source` → epoch milliseconds → the target type; null stays null.
    fn convert(&self, value: &Value, source: Kind, with_schema: bool) -> Result<Value, String> {
        if value.is_null() {
            return Ok(Value::Null);
        }
        let millis = self.to_millis(value, source)?;
        self.to_target(millis, with_schema)
    }

    fn to_millis(&self, value: &Value, source: Kind) -> Result<i64, String> {
        let found = || format!("class {}", java_class(value));
        match (source, value) {
            (Kind::String, Value::String(s)) => {
                let format = self.format.as_ref().ok_or(
                    "TimestampConverter requires format option to be specified when using string timestamps",
                )?;
                format.parse(s).ok_or_else(|| {
                    format!(
                        "Could not parse timestamp: value ({s}) does not match pattern ({})",
                        format.pattern()
                    )
                })
            }
            (Kind::String, _) => Err(format!(
                "Expected string timestamp to be a String, but found {}",
                found()
            )),
            (Kind::Unix, Value::Int64(n)) => Ok(self.precision.to_millis(*n)),
            (Kind::Unix, _) => Err(format!(
                "Expected Unix timestamp to be a Long, but found {}",
                found()
            )),
            (Kind::Date, Value::Int32(days)) => Ok(i64::from(*days) * MILLIS_PER_DAY),
            (Kind::Time, Value::Int32(ms)) => Ok(i64::from(*ms)),
            (Kind::Timestamp, Value::Int64(ms)) => Ok(*ms),
            (kind, _) => Err(format!(
                "Expected {kind:?} to be a java.util.Date, but found {}",
                found()
            )),
        }
    }

    fn to_target(&self, millis: i64, with_schema: bool) -> Result<Value, String> {
        Ok(match self.target {
            // Only a string target can lack a format here, and build() refuses that.
            Kind::String => Value::String(
                self.format
                    .as_ref()
                    .map(|f| f.format(millis))
                    .unwrap_or_default(),
            ),
            Kind::Unix => Value::Int64(self.precision.of_millis(millis)),
            Kind::Timestamp => Value::Int64(millis),
            Kind::Date if with_schema => {
                let days = millis.div_euclid(MILLIS_PER_DAY);
                Value::Int32(
                    i32::try_from(days)
                        .map_err(|_| format!("Timestamp {millis} is out of range for Date"))?,
                )
            }
            Kind::Date => Value::Int64(millis - millis.rem_euclid(MILLIS_PER_DAY)),
            // Under a day's milliseconds, so it fits an int32.
            Kind::Time if with_schema => Value::Int32(millis.rem_euclid(MILLIS_PER_DAY) as i32),
            Kind::Time => Value::Int64(millis.rem_euclid(MILLIS_PER_DAY)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::transform::registry::test_transform;

    const T: i64 = 1_704_453_296_789; // 2024-01-05T11:14:56.789Z
    const DAY: i32 = 19_727;

    fn converter(props: &[(&str, &str)]) -> Box<dyn Transformation> {
        test_transform(
            "org.apache.kafka.connect.transforms.TimestampConverter$Value",
            props,
        )
        .unwrap()
    }

    fn whole(
        props: &[(&str, &str)],
        schema: Option<SchemaRef>,
        value: Value,
    ) -> Result<ConnectRecord, String> {
        converter(props)
            .apply(ConnectRecord::new("t".into(), schema, value))
            .map(Option::unwrap)
    }

    #[test]
    fn whole_value_with_schema_between_all_types() {
        let ts = Some(Arc::new(Schema::timestamp()));
        let r = whole(&[("target.type", "Date")], ts.clone(), Value::Int64(T)).unwrap();
        assert_eq!(
            (r.value, r.value_schema.unwrap().logical_type()),
            (Value::Int32(DAY), Some(LogicalType::Date))
        );
        let r = whole(&[("target.type", "Time")], ts.clone(), Value::Int64(T)).unwrap();
        assert_eq!(r.value, Value::Int32(40_496_789));
        let r = whole(
            &[("target.type", "unix"), ("unix.precision", "seconds")],
            ts.clone(),
            Value::Int64(T),
        )
        .unwrap();
        assert_eq!(
            (r.value, r.value_schema.unwrap().kind),
            (Value::Int64(T / 1000), Type::Int64)
        );
        let fmt = [
            ("target.type", "string"),
            ("format", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"),
        ];
        let r = whole(&fmt, ts, Value::Int64(T)).unwrap();
        assert_eq!(r.value, Value::from("2024-01-05T11:14:56.789Z"));
        let back = [
            ("target.type", "Timestamp"),
            ("format", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"),
        ];
        let r = whole(&back, Some(Schema::optional_string()), r.value).unwrap();
        let schema = r.value_schema.unwrap();
        assert_eq!(
            (r.value, schema.logical_type(), schema.optional),
            (Value::Int64(T), Some(LogicalType::Timestamp), true)
        );
        let r = whole(
            &[
                ("target.type", "Timestamp"),
                ("unix.precision", "microseconds"),
            ],
            Some(Schema::int64()),
            Value::Int64(T * 1000 + 999),
        )
        .unwrap();
        assert_eq!(r.value, Value::Int64(T));
        let r = whole(
            &[("target.type", "Timestamp")],
            Some(Arc::new(Schema::date())),
            Value::Int32(DAY),
        )
        .unwrap();
        assert_eq!(r.value, Value::Int64(i64::from(DAY) * MILLIS_PER_DAY));
        let r = whole(
            &[("target.type", "unix")],
            Some(Arc::new(Schema::timestamp().optional())),
            Value::Null,
        )
        .unwrap();
        assert_eq!(r.value, Value::Null);
    }

    #[test]
    fn field_with_schema_updates_only_that_field() {
        let schema: SchemaRef = Arc::new(
            Schema::struct_builder()
                .field("at", Schema::int64())
                .field("other", Schema::string())
                .build()
                .name("rec"),
        );
        let mut s = Struct::new(schema.clone()).unwrap();
        s.put("at", T).unwrap().put("other", "x").unwrap();
        let t = converter(&[("target.type", "Timestamp"), ("field", "at")]);
        let r = t
            .apply(ConnectRecord::new(
                "t".into(),
                Some(schema),
                Value::Struct(s),
            ))
            .unwrap()
            .unwrap();
        let out = r.value_schema.unwrap();
        assert_eq!(
            out.field("at").unwrap().schema.logical_type(),
            Some(LogicalType::Timestamp)
        );
        assert_eq!(out.name.as_deref(), Some("rec"));
        let Value::Struct(v) = r.value else { panic!() };
        assert_eq!(v.get("at").unwrap(), &Value::Int64(T));
        assert_eq!(v.get("other").unwrap(), &Value::from("x"));
    }

    #[test]
    fn schemaless_infers_the_source_type() {
        let r = whole(&[("target.type", "Date")], None, Value::Int64(T)).unwrap();
        assert_eq!(r.value, Value::Int64(i64::from(DAY) * MILLIS_PER_DAY));
        let r = whole(
            &[("target.type", "unix"), ("format", "yyyy-MM-dd")],
            None,
            Value::from("2024-01-05"),
        )
        .unwrap();
        assert_eq!(r.value, Value::Int64(i64::from(DAY) * MILLIS_PER_DAY));
        let map = Value::Map(vec![(Value::from("at"), Value::Int64(T))]);
        let r = whole(
            &[
                ("target.type", "string"),
                ("format", "yyyyMMdd"),
                ("field", "at"),
            ],
            None,
            map,
        )
        .unwrap();
        assert_eq!(
            r.value,
            Value::Map(vec![(Value::from("at"), Value::from("20240105"))])
        );
        let err = whole(&[("target.type", "unix")], None, Value::Int32(1)).unwrap_err();
        assert_eq!(
            err,
            "TimestampConverter does not support class java.lang.Integer objects as timestamps"
        );
        let key = test_transform("TimestampConverter$Key", &[("target.type", "unix")]).unwrap();
        let r = ConnectRecord::new("t".into(), None, Value::Null).with_key(None, Value::Int64(5));
        assert_eq!(key.apply(r).unwrap().unwrap().key, Value::Int64(5));
    }

    #[test]
    fn runtime_errors() {
        let fmt = [("target.type", "unix"), ("format", "yyyy-MM-dd")];
        let err = whole(&fmt, Some(Schema::string()), Value::from("05/01/2024")).unwrap_err();
        assert_eq!(
            err,
            "Could not parse timestamp: value (05/01/2024) does not match pattern (yyyy-MM-dd)"
        );
        let err = whole(
            &[("target.type", "unix")],
            Some(Schema::int32()),
            Value::Int32(1),
        )
        .unwrap_err();
        assert_eq!(
            err,
            "Schema Schema{INT32} does not correspond to a known timestamp type format"
        );
        let err = whole(
            &[("target.type", "unix")],
            Some(Schema::string()),
            Value::from("x"),
        )
        .unwrap_err();
        assert!(err.contains("requires format option"), "{err}");
        let err = whole(
            &[("target.type", "Date")],
            Some(Schema::int64()),
            Value::Int32(1),
        )
        .unwrap_err();
        assert_eq!(
            err,
            "Expected Unix timestamp to be a Long, but found class java.lang.Integer"
        );
    }

    #[test]
    fn config_errors() {
        let err = |props: &[(&str, &str)]| {
            test_transform("TimestampConverter$Value", props)
                .err()
                .unwrap()
        };
        assert!(err(&[]).message.contains("\"transforms.t.target.type\""));
        let e = err(&[("target.type", "date")]);
        assert_eq!(
            e.message,
            "Invalid value date for configuration transforms.t.target.type: String must be one of: string, unix, Date, Time, Timestamp"
        );
        let e = err(&[("target.type", "string")]);
        assert_eq!(e.key.as_deref(), Some("transforms.t.format"));
        let e = err(&[("target.type", "string"), ("format", "yyyy-bb")]);
        assert!(
            e.message.contains("Illegal pattern character 'b'"),
            "{}",
            e.message
        );
        let e = err(&[("target.type", "unix"), ("unix.precision", "hours")]);
        assert!(e
            .message
            .starts_with("Invalid value hours for configuration transforms.t.unix.precision"));
    }
}
