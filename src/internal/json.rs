//! The JSON dialect of Connect's internal converter (`JsonConverter`, `schemas.enable=false`,
//! backed by Jackson): how it escapes strings and prints numbers when writing, and how it reads
//! values back. Shared by the three topic codecs so their bytes agree with Java's.

use serde_json::{Map, Number, Value};

/// Parses a record value or key the way Jackson's `readTree` does in Connect: the first JSON
/// value counts and anything after it is not looked at (Jackson's `FAIL_ON_TRAILING_TOKENS` is
/// off by default).
pub(super) fn parse(bytes: &[u8]) -> Result<Value, String> {
    match serde_json::Deserializer::from_slice(bytes)
        .into_iter::<Value>()
        .next()
    {
        Some(Ok(value)) => Ok(value),
        Some(Err(e)) => Err(format!("not JSON: {e}")),
        None => Err("not JSON: no value".to_owned()),
    }
}

/// A field as Java's `Map.get` sees it: a JSON `null` is the same as a missing field.
pub(super) fn field<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    map.get(name).filter(|v| !v.is_null())
}

/// An integer as schemaless `JsonConverter` reads it: a `Long`. Integers beyond the `long`
/// range arrive as `BigInteger` and `longValue()` keeps their low 64 bits, hence the wrap.
pub(super) fn java_long(value: &Value) -> Option<i64> {
    let n = value.as_number()?;
    n.as_i64().or_else(|| n.as_u64().map(|u| u as i64))
}

/// How a JSON value's type is named in error messages.
pub(super) fn describe(value: Option<&Value>) -> &'static str {
    match value {
        None | Some(Value::Null) => "null",
        Some(Value::Bool(_)) => "a boolean",
        Some(Value::Number(n)) if n.is_f64() => "a decimal number",
        Some(Value::Number(_)) => "an integer",
        Some(Value::String(_)) => "a string",
        Some(Value::Array(_)) => "an array",
        Some(Value::Object(_)) => "an object",
    }
}

/// Builds a compact JSON object field by field, in the order the fields are added (which is
/// the Java schema's field order for every struct Connect writes).
pub(super) struct Object {
    out: Vec<u8>,
}

impl Object {
    pub(super) fn new() -> Object {
        Object { out: vec![b'{'] }
    }

    pub(super) fn str(self, name: &str, value: &str) -> Object {
        self.raw_with(name, |out| write_str(out, value))
    }

    /// `null` when absent: `JsonConverter` writes unset optional fields rather than skipping them.
    pub(super) fn opt_str(self, name: &str, value: Option<&str>) -> Object {
        match value {
            Some(v) => self.str(name, v),
            None => self.raw(name, b"null"),
        }
    }

    pub(super) fn int(self, name: &str, value: i64) -> Object {
        self.raw_with(name, |out| {
            out.extend_from_slice(value.to_string().as_bytes())
        })
    }

    pub(super) fn bool(self, name: &str, value: bool) -> Object {
        self.raw(name, if value { b"true" } else { b"false" })
    }

    /// A field whose value is already JSON.
    pub(super) fn raw(self, name: &str, json: &[u8]) -> Object {
        self.raw_with(name, |out| out.extend_from_slice(json))
    }

    pub(super) fn finish(mut self) -> Vec<u8> {
        self.out.push(b'}');
        self.out
    }

    fn raw_with(mut self, name: &str, write_value: impl FnOnce(&mut Vec<u8>)) -> Object {
        if self.out.len() > 1 {
            self.out.push(b',');
        }
        write_str(&mut self.out, name);
        self.out.push(b':');
        write_value(&mut self.out);
        self
    }
}

/// Writes any JSON value compactly, objects in their (insertion) order.
pub(super) fn write_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item);
            }
            out.push(b']');
        }
        Value::Object(map) => write_map(out, map),
    }
}

pub(super) fn write_map(out: &mut Vec<u8>, map: &Map<String, Value>) {
    out.push(b'{');
    for (i, (name, value)) in map.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_str(out, name);
        out.push(b':');
        write_value(out, value);
    }
    out.push(b'}');
}

/// Jackson's escaping: `"` and `\`, the five short escapes, other control characters as
/// `\u00XX` with upper-case hex, and everything else (including non-ASCII) as raw UTF-8.
/// serde_json differs in the hex case, which would change the bytes and so the record's identity.
pub(crate) fn write_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push(b'"');
    for &b in s.as_bytes() {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\r' => out.extend_from_slice(b"\\r"),
            0x00..=0x1f => {
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xf)]);
            }
            _ => out.push(b),
        }
    }
    out.push(b'"');
}

/// Integers as Java prints a `Long`; decimals as `Double.toString`, because schemaless
/// `JsonConverter` reads every decimal as a `Double` and Jackson prints it that way.
fn write_number(out: &mut Vec<u8>, n: &Number) {
    let text = match (n.as_i64(), n.as_u64(), n.as_f64()) {
        (Some(i), _, _) => i.to_string(),
        (None, Some(u), _) => u.to_string(),
        (None, None, Some(f)) => java_double(f),
        // Only reachable with serde_json's arbitrary-precision numbers: keep their text.
        (None, None, None) => n.to_string(),
    };
    out.extend_from_slice(text.as_bytes());
}

/// `Double.toString` (JDK 19+, the shortest-digits algorithm): plain notation with at least one
/// fractional digit for magnitudes in [10^-3, 10^7), otherwise `d.dddE±n`. Older JDKs
/// occasionally print more digits than needed; those bytes cannot be predicted.
fn java_double(d: f64) -> String {
    if d == 0.0 {
        return if d.is_sign_negative() { "-0.0" } else { "0.0" }.to_owned();
    }
    let (digits, exp) = shortest_decimal(d.abs());
    let mut s = String::new();
    if d < 0.0 {
        s.push('-');
    }
    if (-3..7).contains(&exp) {
        push_plain(&mut s, &digits, exp);
    } else {
        push_scientific(&mut s, &digits, exp);
    }
    s
}

/// The significant digits of a positive finite double and the exponent `e` of its first digit
/// (value = d.ddd × 10^e), chosen as Java does: the shortest digits that read back as the same
/// double, the closest of those to it. Rust's `{:e}` already gives that, except that Java, when
/// one digit would do, also considers two digits and takes the closer (`4.9E-324`, not `5E-324`).
fn shortest_decimal(x: f64) -> (String, i32) {
    let (digits, exp) = split_scientific(&format!("{x:e}"));
    if digits.len() == 1 {
        let two = format!("{x:.1e}");
        let (two_digits, two_exp) = split_scientific(&two);
        if !two_digits.ends_with('0') && two.parse::<f64>() == Ok(x) {
            return (two_digits, two_exp);
        }
    }
    (digits, exp)
}

/// Splits Rust's `1.2345e-7` into `("12345", -7)`.
fn split_scientific(s: &str) -> (String, i32) {
    let (mantissa, exp) = s.split_once('e').unwrap_or((s, "0"));
    let digits = mantissa.chars().filter(char::is_ascii_digit).collect();
    (digits, exp.parse().unwrap_or(0))
}

fn push_plain(s: &mut String, digits: &str, exp: i32) {
    if exp < 0 {
        s.push_str("0.");
        s.push_str(&"0".repeat((-exp - 1) as usize));
        s.push_str(digits);
        return;
    }
    let int_len = exp as usize + 1;
    if digits.len() > int_len {
        s.push_str(&digits[..int_len]);
        s.push('.');
        s.push_str(&digits[int_len..]);
    } else {
        s.push_str(digits);
        s.push_str(&"0".repeat(int_len - digits.len()));
        s.push_str(".0");
    }
}

fn push_scientific(s: &mut String, digits: &str, exp: i32) {
    s.push_str(&digits[..1]);
    s.push('.');
    s.push_str(if digits.len() > 1 { &digits[1..] } else { "0" });
    s.push('E');
    s.push_str(&exp.to_string());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(value: &Value) -> String {
        let mut out = Vec::new();
        write_value(&mut out, value);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn doubles_print_as_java_double_to_string() {
        let cases: &[(f64, &str)] = &[
            (1.5, "1.5"),
            (1.0, "1.0"),
            (-2.5, "-2.5"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (100.0, "100.0"),
            (123456.789, "123456.789"),
            (9999999.0, "9999999.0"),
            (1e7, "1.0E7"),
            (12345678.9, "1.23456789E7"),
            (0.001, "0.001"),
            (0.0001, "1.0E-4"),
            (0.00123, "0.00123"),
            (1e23, "1.0E23"),
            (0.1 + 0.2, "0.30000000000000004"),
            (f64::MAX, "1.7976931348623157E308"),
            (f64::MIN_POSITIVE, "2.2250738585072014E-308"),
            (5e-324, "4.9E-324"),
        ];
        for &(d, java) in cases {
            assert_eq!(java_double(d), java, "{d:e}");
        }
    }

    /// A decimal Java wrote must come back as the same text, or a rewritten offset changes
    /// bytes. serde_json's default float parsing is off by one ULP for about 10% of
    /// full-precision values; its `float_roundtrip` feature makes it exact.
    #[test]
    fn decimals_written_by_java_read_back_unchanged() {
        for text in [
            "90.27474764568267",
            "1.8894988582774553E9",
            "3.5019848522533846E-7",
            "1.0715660391465826E-75",
        ] {
            let value = parse(text.as_bytes()).unwrap();
            assert_eq!(written(&value), text);
        }
    }

    #[test]
    fn integers_print_as_java_longs() {
        let v: Value =
            serde_json::from_str(r#"[30,-7,9223372036854775807,18446744073709551615]"#).unwrap();
        assert_eq!(
            written(&v),
            "[30,-7,9223372036854775807,18446744073709551615]"
        );
    }

    #[test]
    fn strings_escape_like_jackson() {
        let v = Value::String("a\"b\\c/d\u{8}\u{c}\n\r\t\u{1}\u{1f}\u{7f}é😀".to_owned());
        assert_eq!(
            written(&v),
            "\"a\\\"b\\\\c/d\\b\\f\\n\\r\\t\\u0001\\u001F\u{7f}é😀\""
        );
    }

    #[test]
    fn objects_keep_insertion_order_and_write_null_fields() {
        let bytes = Object::new()
            .str("z", "1")
            .opt_str("a", None)
            .int("n", -3)
            .bool("b", true)
            .raw("o", b"{}")
            .finish();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            r#"{"z":"1","a":null,"n":-3,"b":true,"o":{}}"#
        );
        assert_eq!(Object::new().finish(), b"{}");
    }

    #[test]
    fn parse_reads_the_first_value_like_jackson() {
        assert_eq!(parse(br#"{"a":1} trailing"#).unwrap()["a"], 1);
        assert!(parse(b"").unwrap_err().starts_with("not JSON"));
        assert!(parse(b"{\"a\":").is_err());
    }

    #[test]
    fn java_long_accepts_integers_only() {
        assert_eq!(java_long(&Value::from(7)), Some(7));
        assert_eq!(java_long(&Value::from(u64::MAX)), Some(-1));
        assert_eq!(java_long(&Value::from(1.0)), None);
        assert_eq!(java_long(&Value::from("1")), None);
    }
}
