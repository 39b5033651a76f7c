//! Java's `Values` string forms, which SimpleHeaderConverter puts on the wire:
//! [`convert_to_string`] writes them and [`parse_string`] reads them back, inferring a schema
//! (`true` → boolean, `12` → int8, `1.5` → float32, `[1,2]` → array, `{"a":1}` → map,
//! ISO-8601 dates and times → the logical types, anything else → string).

use std::fmt::Write;
use std::sync::Arc;

use super::decimal::LogicalType;
use super::java_text::{
    iso8601, java_double_to_string, java_float_to_string, parse_temporal, Temporal,
};
use super::value::base64_std;
use super::{DataError, Decimal, Schema, SchemaAndValue, SchemaRef, Type, Value};

/// `Values.convertToString`: `None` for null, otherwise the value's text, with strings and
/// bytes quoted only inside arrays, maps and structs.
pub fn convert_to_string(schema: Option<&Schema>, value: &Value) -> Option<String> {
    if value.is_null() {
        return None;
    }
    let mut out = String::new();
    append(&mut out, schema, value, false);
    Some(out)
}

fn append(out: &mut String, schema: Option<&Schema>, value: &Value, embedded: bool) {
    let logical = schema.and_then(Schema::logical_type);
    match value {
        Value::Null => out.push_str("null"),
        Value::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int32(days) if logical == Some(LogicalType::Date) => {
            out.push_str(&iso8601(i64::from(*days) * 86_400_000))
        }
        Value::Int32(ms) if logical == Some(LogicalType::Time) => {
            out.push_str(&iso8601(i64::from(*ms)))
        }
        Value::Int64(ms) if logical == Some(LogicalType::Timestamp) => out.push_str(&iso8601(*ms)),
        Value::Int8(n) => push_display(out, n),
        Value::Int16(n) => push_display(out, n),
        Value::Int32(n) => push_display(out, n),
        Value::Int64(n) => push_display(out, n),
        Value::Float32(v) => out.push_str(&java_float_to_string(*v)),
        Value::Float64(v) => out.push_str(&java_double_to_string(*v)),
        Value::Decimal(d) => push_display(out, d),
        Value::String(s) if embedded => push_quoted(out, s),
        Value::String(s) => out.push_str(s),
        Value::Bytes(b) if embedded => push_quoted(out, &base64_std(b)),
        Value::Bytes(b) => out.push_str(&base64_std(b)),
        Value::Array(items) => {
            let item_schema = schema.and_then(|s| s.value_schema.as_deref());
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                append(out, item_schema, item, true);
            }
            out.push(']');
        }
        Value::Map(entries) => {
            let key_schema = schema.and_then(|s| s.key_schema.as_deref());
            let value_schema = schema.and_then(|s| s.value_schema.as_deref());
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                append(out, key_schema, k, true);
                out.push(':');
                append(out, value_schema, v, true);
            }
            out.push('}');
        }
        Value::Struct(s) => {
            out.push('{');
            for (i, field) in s.schema.fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_quoted(out, &field.name);
                out.push(':');
                let v = s.get(&field.name).unwrap_or(&Value::Null);
                append(out, Some(&field.schema), v, true);
            }
            out.push('}');
        }
    }
}

fn push_display(out: &mut String, v: &impl std::fmt::Display) {
    // Writing into a String cannot fail.
    let _ = write!(out, "{v}");
}

/// Java escapes only backslashes and double quotes here.
fn push_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        if c == '\\' || c == '"' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

/// `Values.parseString`: the value and inferred schema of a string written by
/// [`convert_to_string`]. Text that is not a complete literal, number, date, array or map is
/// a string, so this never fails; `null` is the null value without a schema.
pub fn parse_string(text: &str) -> SchemaAndValue {
    if text.is_empty() {
        return SchemaAndValue::new(Some(Schema::string()), Value::String(String::new()));
    }
    let mut parser = Parser::new(text);
    match parser.parse(false) {
        // Unlike Java, trailing text (as in `5,6`) makes the whole input a string.
        Ok(Some(parsed)) if parser.at_end() => parsed,
        _ => SchemaAndValue::new(Some(Schema::string()), Value::String(text.to_string())),
    }
}

/// Java's `Values.Parser`: tokens split at unescaped `: , { } [ ] "`, with a cursor that can
/// rewind.
struct Parser<'a> {
    src: &'a str,
    tokens: Vec<(usize, usize)>,
    pos: usize,
    depth: usize,
}

/// Header values come from anywhere; deeper nesting is read as a string rather than risk
/// the stack.
const MAX_NESTING: usize = 64;

/// Java's `String.trim()`: anything up to and including the space.
fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

impl<'a> Parser<'a> {
    fn new(src: &'a str) -> Parser<'a> {
        let mut tokens = Vec::new();
        let (mut start, mut escaped) = (0, false);
        for (i, c) in src.char_indices() {
            match c {
                '\\' => escaped = !escaped,
                ':' | ',' | '{' | '}' | '[' | ']' | '"' if !escaped => {
                    if start < i {
                        tokens.push((start, i));
                    }
                    tokens.push((i, i + 1));
                    start = i + 1;
                }
                _ => escaped = false,
            }
        }
        if start < src.len() {
            tokens.push((start, src.len()));
        }
        Parser {
            src,
            tokens,
            pos: 0,
            depth: 0,
        }
    }

    fn token(&self, i: usize) -> &'a str {
        let (start, end) = self.tokens[i];
        &self.src[start..end]
    }

    fn has_next(&self) -> bool {
        self.pos < self.tokens.len()
    }

    fn at_end(&self) -> bool {
        (self.pos..self.tokens.len()).all(|i| java_trim(self.token(i)).is_empty())
    }

    fn next(&mut self) -> &'a str {
        let t = self.token(self.pos);
        self.pos += 1;
        t
    }

    fn previous(&self) -> Option<&'a str> {
        self.pos.checked_sub(1).map(|i| self.token(i))
    }

    /// Consumes the next token if, trimmed, it is `expected`. As Java, whitespace-only tokens
    /// before it are dropped either way, unless one is the last token.
    fn can_consume(&mut self, expected: &str) -> bool {
        while self.pos + 1 < self.tokens.len() && java_trim(self.token(self.pos)).is_empty() {
            self.pos += 1;
        }
        if self.has_next() && java_trim(self.token(self.pos)) == expected {
            self.pos += 1;
            return true;
        }
        false
    }

    /// A literal (`null`, `true`, `false`) counts at the top level only if nothing follows.
    fn can_consume_literal(&mut self, literal: &str, embedded: bool) -> bool {
        let start = self.pos;
        if self.can_consume(literal) && (embedded || !self.has_next()) {
            return true;
        }
        self.pos = start;
        false
    }

    fn fail(&self, message: &str) -> DataError {
        DataError::invalid(format!("{message}{}", self.src))
    }

    /// `Ok(None)` when the input is used up.
    fn parse(&mut self, embedded: bool) -> Result<Option<SchemaAndValue>, DataError> {
        if !self.has_next() {
            return Ok(None);
        }
        if embedded && self.can_consume("\"") {
            return Ok(Some(self.quoted()));
        }
        if self.can_consume_literal("null", embedded) {
            return Ok(Some(SchemaAndValue::NULL));
        }
        for (literal, b) in [("true", true), ("false", false)] {
            if self.can_consume_literal(literal, embedded) {
                return Ok(Some(SchemaAndValue::new(
                    Some(Schema::boolean()),
                    Value::Boolean(b),
                )));
            }
        }
        let start = self.pos;
        let container = if self.can_consume("[") {
            Some(self.nested(Parser::array))
        } else if self.can_consume("{") {
            Some(self.nested(Parser::map))
        } else {
            None
        };
        match container {
            Some(Ok(parsed)) => return Ok(Some(parsed)),
            // A malformed array or map is reread below as a plain token.
            Some(Err(_)) => self.pos = start,
            None => {}
        }
        if !self.has_next() {
            return Ok(None);
        }
        self.scalar(embedded).map(Some)
    }

    fn nested(
        &mut self,
        container: fn(&mut Parser<'a>) -> Result<SchemaAndValue, DataError>,
    ) -> Result<SchemaAndValue, DataError> {
        if self.depth == MAX_NESTING {
            return Err(DataError::invalid("Values are nested too deeply"));
        }
        self.depth += 1;
        let parsed = container(self);
        self.depth -= 1;
        parsed
    }

    fn quoted(&mut self) -> SchemaAndValue {
        let mut raw = String::new();
        while self.has_next() && !self.can_consume("\"") {
            raw.push_str(self.next());
        }
        let content = unescape(&raw);
        match temporal(&content) {
            Some(parsed) => parsed,
            None => SchemaAndValue::new(Some(Schema::string()), Value::String(content)),
        }
    }

    fn scalar(&mut self, embedded: bool) -> Result<SchemaAndValue, DataError> {
        let raw = self.next();
        let token = java_trim(raw);
        if token.is_empty() {
            return Ok(SchemaAndValue::new(
                Some(Schema::string()),
                Value::String(raw.to_string()),
            ));
        }
        let first = token.chars().next().unwrap_or(' ');
        if first.is_ascii_digit() {
            // A time or timestamp spans five tokens, its unescaped colons being delimiters.
            if self.pos + 4 <= self.tokens.len() {
                let end = self.tokens[self.pos + 3].1;
                let joined = format!("{token}{}", &self.src[self.tokens[self.pos].0..end]);
                if let Some(parsed) = temporal(&joined) {
                    self.pos += 4;
                    return Ok(parsed);
                }
            }
            if let Some(parsed) = temporal(token) {
                return Ok(parsed);
            }
        }
        if first.is_ascii_digit() || first == '+' || first == '-' {
            if let Some(parsed) = number(token) {
                return Ok(parsed);
            }
        }
        if embedded {
            return Err(DataError::invalid("Failed to parse embedded value"));
        }
        Ok(SchemaAndValue::new(
            Some(Schema::string()),
            Value::String(self.src.to_string()),
        ))
    }

    fn array(&mut self) -> Result<SchemaAndValue, DataError> {
        let mut items = Vec::new();
        let mut common = Common::default();
        while self.has_next() {
            if self.can_consume("]") {
                let item_schema = common.schema();
                let items = align(items, item_schema.as_deref());
                let schema = Schema {
                    value_schema: item_schema,
                    ..Schema::new(Type::Array)
                };
                return Ok(SchemaAndValue::new(
                    Some(Arc::new(schema)),
                    Value::Array(items),
                ));
            }
            if self.can_consume(",") {
                return Err(self.fail("Unable to parse an empty array element: "));
            }
            let item = self.parse(true)?.unwrap_or(SchemaAndValue::NULL);
            common.merge(item.schema.as_ref());
            items.push(item.value);
            let mark = self.pos;
            if self.can_consume("]") {
                self.pos = mark;
            } else if !self.can_consume(",") {
                return Err(DataError::invalid("Array elements missing ',' delimiter"));
            }
        }
        if self.previous() == Some(",") {
            return Err(self.fail("Array is missing element after ',': "));
        }
        Err(self.fail("Array is missing terminating ']': "))
    }

    fn map(&mut self) -> Result<SchemaAndValue, DataError> {
        let mut entries = Vec::new();
        let (mut keys, mut values) = (Common::default(), Common::default());
        while self.has_next() {
            if self.can_consume("}") {
                let (key_schema, value_schema) = (keys.schema(), values.schema());
                let entries = entries
                    .into_iter()
                    .map(|(k, v)| {
                        (
                            cast(k, key_schema.as_deref()),
                            cast(v, value_schema.as_deref()),
                        )
                    })
                    .collect();
                let schema = Schema {
                    key_schema,
                    value_schema,
                    ..Schema::new(Type::Map)
                };
                return Ok(SchemaAndValue::new(
                    Some(Arc::new(schema)),
                    Value::Map(entries),
                ));
            }
            if self.can_consume(",") {
                return Err(self.fail("Unable to parse a map entry with no key or value: "));
            }
            let key = self.parse(true)?.filter(|k| !k.value.is_null());
            let key = key.ok_or_else(|| self.fail("Map entry may not have a null key: "))?;
            if !self.can_consume(":") {
                return Err(self.fail("Map entry is missing ':' in "));
            }
            let value = self.parse(true)?.unwrap_or(SchemaAndValue::NULL);
            keys.merge(key.schema.as_ref());
            values.merge(value.schema.as_ref());
            entries.push((key.value, value.value));
            self.can_consume(",");
        }
        if self.previous() == Some(",") {
            return Err(self.fail("Map is missing element after ',': "));
        }
        Err(self.fail("Map is missing terminating '}': "))
    }
}

/// Undoes [`push_quoted`]'s escaping (Java keeps the backslashes; dropping them makes strings
/// with quotes round-trip).
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            c => out.push(c),
        }
    }
    out
}

fn temporal(text: &str) -> Option<SchemaAndValue> {
    let text = text.replace("\\:", ":");
    let (schema, value) = match parse_temporal(&text)? {
        Temporal::Date(days) => (Schema::date(), Value::Int32(days)),
        Temporal::Time(ms) => (Schema::time(), Value::Int32(ms)),
        Temporal::Timestamp(ms) => (Schema::timestamp(), Value::Int64(ms)),
    };
    Some(SchemaAndValue::new(Some(Arc::new(schema)), value))
}

/// Java's order: the smallest integer type that holds the number exactly; else, for numbers
/// written with a fraction or exponent, float32 then float64 when finite; else a Decimal.
fn number(token: &str) -> Option<SchemaAndValue> {
    let decimal: Decimal = token.parse().ok()?;
    if let Some(integral) = decimal.rescale(0).map(|d| d.unscaled) {
        let int = if let Ok(n) = i8::try_from(integral) {
            Some((Schema::int8(), Value::Int8(n)))
        } else if let Ok(n) = i16::try_from(integral) {
            Some((Schema::int16(), Value::Int16(n)))
        } else if let Ok(n) = i32::try_from(integral) {
            Some((Schema::int32(), Value::Int32(n)))
        } else {
            i64::try_from(integral)
                .ok()
                .map(|n| (Schema::int64(), Value::Int64(n)))
        };
        if let Some((schema, value)) = int {
            return Some(SchemaAndValue::new(Some(schema), value));
        }
    }
    if decimal.scale != 0 {
        if let Some(f) = token.parse::<f32>().ok().filter(|f| f.is_finite()) {
            return Some(SchemaAndValue::new(
                Some(Schema::float32()),
                Value::Float32(f),
            ));
        }
        if let Some(f) = token.parse::<f64>().ok().filter(|f| f.is_finite()) {
            return Some(SchemaAndValue::new(
                Some(Schema::float64()),
                Value::Float64(f),
            ));
        }
    }
    let schema = Arc::new(Schema::decimal(decimal.scale));
    Some(SchemaAndValue::new(Some(schema), Value::Decimal(decimal)))
}

/// The one schema a sequence of parsed items shares; numbers widen to the wider type
/// (int8 < int16 < int32 < int64 < float32 < float64), anything else must match exactly.
#[derive(Default)]
struct Common {
    schema: Option<SchemaRef>,
    mixed: bool,
    nullable: bool,
}

impl Common {
    fn merge(&mut self, schema: Option<&SchemaRef>) {
        let Some(new) = schema else {
            self.nullable = true;
            return;
        };
        self.schema = match self.schema.take() {
            None if !self.mixed => Some(new.clone()),
            None => None,
            Some(known) if known == *new => Some(known),
            Some(known) => match (numeric_rank(known.kind), numeric_rank(new.kind)) {
                (Some(a), Some(b)) if known.name.is_none() && new.name.is_none() => {
                    Some(if b > a { new.clone() } else { known })
                }
                _ => None,
            },
        };
        self.mixed |= self.schema.is_none();
    }

    /// `None` when the items disagree or are all null: the container then has no item schema.
    fn schema(&self) -> Option<SchemaRef> {
        let schema = self.schema.as_ref()?;
        if self.nullable && !schema.optional {
            return Some(Arc::new((**schema).clone().optional()));
        }
        Some(schema.clone())
    }
}

fn numeric_rank(kind: Type) -> Option<u8> {
    match kind {
        Type::Int8 => Some(0),
        Type::Int16 => Some(1),
        Type::Int32 => Some(2),
        Type::Int64 => Some(3),
        Type::Float32 => Some(4),
        Type::Float64 => Some(5),
        _ => None,
    }
}

fn align(items: Vec<Value>, schema: Option<&Schema>) -> Vec<Value> {
    items.into_iter().map(|v| cast(v, schema)).collect()
}

/// Widens a parsed number to the common schema's type; other values stay as they are.
fn cast(value: Value, schema: Option<&Schema>) -> Value {
    let target = match schema {
        Some(s) if s.name.is_none() => s.kind,
        _ => return value,
    };
    let n = match &value {
        Value::Int8(n) => i64::from(*n),
        Value::Int16(n) => i64::from(*n),
        Value::Int32(n) => i64::from(*n),
        Value::Int64(n) => *n,
        Value::Float32(f) if target == Type::Float64 => return Value::Float64(f64::from(*f)),
        _ => return value,
    };
    // Only widening reaches here, so these casts never lose anything.
    match target {
        Type::Int8 => Value::Int8(n as i8),
        Type::Int16 => Value::Int16(n as i16),
        Type::Int32 => Value::Int32(n as i32),
        Type::Int64 => Value::Int64(n),
        Type::Float32 => Value::Float32(n as f32),
        Type::Float64 => Value::Float64(n as f64),
        _ => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::data::Struct;

    fn parsed(text: &str) -> (Option<Schema>, Value) {
        let sv = parse_string(text);
        (sv.schema.map(|s| (*s).clone()), sv.value)
    }

    #[test]
    fn scalars_get_the_narrowest_schema() {
        assert_eq!(
            parsed("true"),
            (Some(Schema::new(Type::Boolean)), Value::Boolean(true))
        );
        assert_eq!(
            parsed("12"),
            (Some(Schema::new(Type::Int8)), Value::Int8(12))
        );
        assert_eq!(
            parsed("1.0"),
            (Some(Schema::new(Type::Int8)), Value::Int8(1))
        );
        assert_eq!(
            parsed("300"),
            (Some(Schema::new(Type::Int16)), Value::Int16(300))
        );
        assert_eq!(
            parsed("-70000"),
            (Some(Schema::new(Type::Int32)), Value::Int32(-70000))
        );
        assert_eq!(parsed("5000000000").1, Value::Int64(5_000_000_000));
        assert_eq!(
            parsed("1.5"),
            (Some(Schema::new(Type::Float32)), Value::Float32(1.5))
        );
        assert_eq!(parsed("1e300").1, Value::Float64(1e300));
        let (schema, value) = parsed("99999999999999999999");
        assert_eq!(schema.unwrap().decimal_scale().unwrap(), 0);
        assert_eq!(
            value,
            Value::Decimal(Decimal::new(99_999_999_999_999_999_999, 0))
        );
        assert_eq!(parse_string("null"), SchemaAndValue::NULL);
    }

    #[test]
    fn anything_else_is_the_original_string() {
        for text in [
            "hello world",
            "true}",
            "5,6",
            "[1,2",
            "{\"a\" 1}",
            "1 apple",
            "\"q\"",
            "  ",
        ] {
            assert_eq!(
                parsed(text),
                (Some(Schema::new(Type::String)), Value::from(text)),
                "{text}"
            );
        }
        assert_eq!(
            parsed(""),
            (Some(Schema::new(Type::String)), Value::from(""))
        );
    }

    #[test]
    fn deep_nesting_is_a_string() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(parsed(&deep).1, Value::String(deep.clone()));
        let ok = format!("{}1{}", "[".repeat(10), "]".repeat(10));
        assert!(matches!(parsed(&ok).1, Value::Array(_)));
    }

    #[test]
    fn temporal_literals_become_logical_types() {
        assert_eq!(
            parsed("1997-05-19"),
            (Some(Schema::date()), Value::Int32(10_000))
        );
        assert_eq!(
            parsed("04:00:00.000Z"),
            (Some(Schema::time()), Value::Int32(14_400_000))
        );
        assert_eq!(
            parsed("1970-02-16T07:06:40.000Z"),
            (Some(Schema::timestamp()), Value::Int64(4_000_000_000))
        );
    }

    #[test]
    fn arrays_widen_numbers_and_allow_nulls() {
        let (schema, value) = parsed("[1, 300, null]");
        assert_eq!(schema.unwrap(), Schema::array(Schema::optional_int16()));
        assert_eq!(
            value,
            Value::Array(vec![Value::Int16(1), Value::Int16(300), Value::Null])
        );
        let (schema, value) = parsed("[\"a\",1]");
        assert_eq!(schema.unwrap().value_schema, None);
        assert_eq!(value, Value::Array(vec![Value::from("a"), Value::Int8(1)]));
        assert_eq!(parsed("[]").1, Value::Array(vec![]));
    }

    #[test]
    fn maps_parse_with_quoted_keys_and_nested_values() {
        let (schema, value) = parsed("{\"a\":[1,2],\"b\":[3]}");
        let schema = schema.unwrap();
        assert_eq!(
            schema.key_schema.as_deref(),
            Some(&Schema::new(Type::String))
        );
        assert_eq!(
            schema.value_schema.as_deref(),
            Some(&Schema::array(Schema::int8()))
        );
        let Value::Map(entries) = value else {
            panic!("not a map")
        };
        assert_eq!(
            entries[1],
            (Value::from("b"), Value::Array(vec![Value::Int8(3)]))
        );
    }

    #[test]
    fn convert_to_string_round_trips_through_parse_string() {
        let values = [
            (
                Schema::array(Schema::string()),
                Value::Array(vec![Value::from("a,\"b\""), Value::from("c\\")]),
            ),
            (
                Schema::map(Schema::string(), Schema::int8()),
                Value::Map(vec![(Value::from("k:1"), Value::Int8(1))]),
            ),
            (Schema::date(), Value::Int32(10_000)),
            (Schema::new(Type::Float32), Value::Float32(2.5)),
        ];
        for (schema, value) in values {
            let text = convert_to_string(Some(&schema), &value).unwrap();
            let back = parse_string(&text);
            assert_eq!(back.value, value, "{text}");
            assert_eq!(back.schema.as_deref(), Some(&schema), "{text}");
        }
    }

    #[test]
    fn convert_to_string_matches_java_forms() {
        let s = Arc::new(
            Schema::struct_builder()
                .field("a", Schema::int32())
                .field("b", Schema::optional_string())
                .build(),
        );
        let mut st = Struct::new(s.clone()).unwrap();
        st.put("a", 1).unwrap();
        assert_eq!(
            convert_to_string(Some(&s), &Value::Struct(st)).unwrap(),
            "{\"a\":1,\"b\":null}"
        );
        assert_eq!(
            convert_to_string(None, &Value::from("plain")).unwrap(),
            "plain"
        );
        assert_eq!(
            convert_to_string(None, &Value::Bytes(vec![0, 0x9c])).unwrap(),
            "AJw="
        );
        assert_eq!(
            convert_to_string(None, &Value::Float32(1.0e10)).unwrap(),
            "1.0E10"
        );
        assert_eq!(
            convert_to_string(Some(&Schema::timestamp()), &Value::Int64(4_000_000_000)).unwrap(),
            "1970-02-16T07:06:40.000Z"
        );
        assert_eq!(convert_to_string(None, &Value::Null), None);
    }
}
