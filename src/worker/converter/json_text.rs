//! The JSON tree JsonConverter builds before writing, and its writer, which produces Jackson's
//! compact bytes: Java number forms (`1.0`, `1.0E10`, floats at float precision, BigDecimal's
//! `toString`), non-finite floats as strings, and Jackson's string escapes.

use crate::internal::json::write_str;
use indexmap::IndexMap;
use serde_json::Value as SerdeJson;

use crate::worker::data::{java_double_to_string, java_float_to_string, Decimal};

/// Jackson's node kinds, with numbers kept at their Java width so they print as Java does.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    Int(i64),
    Float(f32),
    Double(f64),
    Decimal(Decimal),
    Str(String),
    Array(Vec<Json>),
    Object(IndexMap<String, Json>),
}

impl Json {
    pub fn write(&self, out: &mut Vec<u8>) {
        match self {
            Json::Null => out.extend_from_slice(b"null"),
            Json::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Json::Int(n) => out.extend_from_slice(n.to_string().as_bytes()),
            Json::Float(f) => write_number(out, f.is_finite(), &java_float_to_string(*f)),
            Json::Double(f) => write_number(out, f.is_finite(), &java_double_to_string(*f)),
            Json::Decimal(d) => out.extend_from_slice(d.to_string().as_bytes()),
            Json::Str(s) => write_str(out, s),
            Json::Array(items) => {
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    item.write(out);
                }
                out.push(b']');
            }
            Json::Object(fields) => {
                out.push(b'{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    write_str(out, k);
                    out.push(b':');
                    v.write(out);
                }
                out.push(b'}');
            }
        }
    }

    /// Jackson's `asText()`, which names map keys in object mode.
    pub fn as_text(&self) -> String {
        match self {
            Json::Str(s) => s.clone(),
            Json::Array(_) | Json::Object(_) => String::new(),
            scalar => {
                let mut out = Vec::new();
                scalar.write(&mut out);
                String::from_utf8_lossy(&out).trim_matches('"').to_string()
            }
        }
    }

    /// The same tree as a `serde_json::Value`; numbers that only Java can hold exactly
    /// (floats, decimals) become the nearest double, non-finite ones their Java names.
    pub fn into_serde(self) -> SerdeJson {
        match self {
            Json::Null => SerdeJson::Null,
            Json::Bool(b) => SerdeJson::Bool(b),
            Json::Int(n) => SerdeJson::from(n),
            Json::Float(f) => from_java_text(&java_float_to_string(f)),
            Json::Double(f) => from_java_text(&java_double_to_string(f)),
            Json::Decimal(d) => from_java_text(&d.to_string()),
            Json::Str(s) => SerdeJson::String(s),
            Json::Array(items) => {
                SerdeJson::Array(items.into_iter().map(Json::into_serde).collect())
            }
            Json::Object(fields) => SerdeJson::Object(
                fields
                    .into_iter()
                    .map(|(k, v)| (k, v.into_serde()))
                    .collect(),
            ),
        }
    }
}

/// Java's number text parsed back as a JSON number, or kept as a string (`NaN`, `Infinity`).
fn from_java_text(text: &str) -> SerdeJson {
    text.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .and_then(serde_json::Number::from_f64)
        .map_or_else(|| SerdeJson::String(text.to_string()), SerdeJson::Number)
}

/// Jackson quotes `NaN` and the infinities (`QUOTE_NON_NUMERIC_NUMBERS`).
fn write_number(out: &mut Vec<u8>, finite: bool, text: &str) {
    if finite {
        out.extend_from_slice(text.as_bytes());
    } else {
        write_str(out, text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(j: &Json) -> String {
        let mut out = Vec::new();
        j.write(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn strings_escape_as_jackson() {
        let s = Json::Str("a\"b\\c\n\t\u{1}\u{1f}é/\u{7f}".into());
        assert_eq!(
            text(&s),
            r#""a\"b\\c\n\t\u0001\u001Fé/"#.to_string() + "\u{7f}\""
        );
    }

    #[test]
    fn numbers_print_as_java() {
        let arr = Json::Array(vec![
            Json::Int(-3),
            Json::Double(1.0),
            Json::Float(0.1),
            Json::Double(1e10),
            Json::Decimal(Decimal::new(156, 2)),
            Json::Double(f64::NAN),
            Json::Float(f32::NEG_INFINITY),
        ]);
        assert_eq!(text(&arr), r#"[-3,1.0,0.1,1.0E10,1.56,"NaN","-Infinity"]"#);
    }

    #[test]
    fn objects_keep_order_and_compact_form() {
        let mut fields = IndexMap::new();
        fields.insert("z".to_string(), Json::Null);
        fields.insert("a".to_string(), Json::Bool(true));
        assert_eq!(text(&Json::Object(fields)), r#"{"z":null,"a":true}"#);
    }

    #[test]
    fn serde_form_keeps_float_digits() {
        assert_eq!(Json::Float(0.1).into_serde(), serde_json::json!(0.1));
        assert_eq!(
            Json::Decimal(Decimal::new(156, 2)).into_serde(),
            serde_json::json!(1.56)
        );
        assert_eq!(
            Json::Double(f64::INFINITY).into_serde(),
            serde_json::json!("Infinity")
        );
        assert_eq!(Json::Int(2).as_text(), "2");
        assert_eq!(Json::Double(f64::NAN).as_text(), "NaN");
    }
}
