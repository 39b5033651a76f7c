//! kct's `-P -J`: reads one `-J` envelope (the inverse of
//! `json::write_envelope`) into the parts of a message to produce.

use base64::Engine as _;
use serde_json::Value;
use thiserror::Error;

use super::json::Encoding;

/// A header as read back: name and value (`None` is a NULL value).
pub type InputHeader = (Vec<u8>, Option<Vec<u8>>);

/// What one input line asks to produce. Fields absent from the line are
/// `None` (key, payload: a NULL), or empty (headers).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InputRecord {
    /// `"partition"`, as given (no check against the topic).
    pub partition: Option<i32>,
    pub key: Option<Vec<u8>>,
    pub payload: Option<Vec<u8>>,
    pub headers: Vec<InputHeader>,
    /// `"ts"`, in milliseconds since the epoch.
    pub timestamp: Option<i64>,
}

/// Why a line is not a usable envelope; displayed as one line.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("invalid -J input record: {0}")]
pub struct JsonInError(String);

fn invalid(what: impl Into<String>) -> JsonInError {
    JsonInError(what.into())
}

/// Parses one envelope. The field order does not matter; `topic`,
/// `offset`, `tstype`, `broker` and unknown fields are ignored, so
/// consumer output can be fed back as it is. With `Base64` or `Hex`, the
/// key, payload and header values are decoded (header names never are).
pub fn parse_envelope(line: &[u8], enc: Encoding) -> Result<InputRecord, JsonInError> {
    let value: Value = serde_json::from_slice(line).map_err(|e| invalid(e.to_string()))?;
    let Value::Object(fields) = value else {
        return Err(invalid("expected a JSON object"));
    };
    let mut record = InputRecord::default();
    for (name, value) in fields {
        match name.as_str() {
            "partition" => record.partition = Some(partition(value)?),
            "ts" => record.timestamp = Some(timestamp(value)?),
            "key" => record.key = data("\"key\"", value, enc)?,
            "payload" => record.payload = data("\"payload\"", value, enc)?,
            "headers" => record.headers = headers(value, enc)?,
            _ => {}
        }
    }
    Ok(record)
}

fn partition(value: Value) -> Result<i32, JsonInError> {
    value
        .as_i64()
        .and_then(|p| i32::try_from(p).ok())
        .ok_or_else(|| invalid("\"partition\" must be a 32-bit integer"))
}

fn timestamp(value: Value) -> Result<i64, JsonInError> {
    value
        .as_i64()
        .ok_or_else(|| invalid("\"ts\" must be an integer (milliseconds since the epoch)"))
}

/// A key, payload or header value: a string, or null for NULL. `what`
/// names the field in errors.
fn data(what: &str, value: Value, enc: Encoding) -> Result<Option<Vec<u8>>, JsonInError> {
    let text = match value {
        Value::Null => return Ok(None),
        Value::String(text) => text,
        _ => return Err(invalid(format!("{what} must be a string or null"))),
    };
    match enc {
        Encoding::Text => Ok(Some(text.into_bytes())),
        Encoding::Base64 => base64::engine::general_purpose::STANDARD
            .decode(&text)
            .map(Some)
            .map_err(|e| invalid(format!("{what} is not valid base64: {e}"))),
        Encoding::Hex => hex::decode(&text)
            .map(Some)
            .map_err(|e| invalid(format!("{what} is not valid hex: {e}"))),
    }
}

/// `"headers"`: the flat `[name, value, name, value, ...]` array `-J`
/// writes; `null` is taken as no headers.
fn headers(value: Value, enc: Encoding) -> Result<Vec<InputHeader>, JsonInError> {
    let items = match value {
        Value::Null => return Ok(Vec::new()),
        Value::Array(items) if items.len() % 2 == 0 => items,
        _ => return Err(invalid("\"headers\" must be an array of name,value pairs")),
    };
    let mut headers = Vec::with_capacity(items.len() / 2);
    let mut items = items.into_iter().enumerate();
    while let (Some((i, name)), Some((j, value))) = (items.next(), items.next()) {
        let Value::String(name) = name else {
            return Err(invalid(format!(
                "\"headers\"[{i}] must be a header name string"
            )));
        };
        let value = data(&format!("\"headers\"[{j}] (value of {name:?})"), value, enc)?;
        headers.push((name.into_bytes(), value));
    }
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::json::test_support::Headers;
    use crate::record::json::write_envelope;
    use crate::record::{MessageView, TimestampType};

    fn err(line: &str, enc: Encoding) -> String {
        parse_envelope(line.as_bytes(), enc)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn reads_kcat_output() {
        let line = br#"{"topic":"test","partition":0,"offset":4,"tstype":"create","ts":1603987358147,"broker":1,"headers":["header1","header value","nullheader",null,"emptyheader","","header1","duplicateIsOk"],"key":null,"payload":"toto"}"#;
        let rec = parse_envelope(line, Encoding::Text).unwrap();
        assert_eq!(
            rec,
            InputRecord {
                partition: Some(0),
                key: None,
                payload: Some(b"toto".to_vec()),
                headers: vec![
                    (b"header1".to_vec(), Some(b"header value".to_vec())),
                    (b"nullheader".to_vec(), None),
                    (b"emptyheader".to_vec(), Some(Vec::new())),
                    (b"header1".to_vec(), Some(b"duplicateIsOk".to_vec())),
                ],
                timestamp: Some(1_603_987_358_147),
            }
        );
    }

    #[test]
    fn minimal_and_reordered() {
        assert_eq!(
            parse_envelope(b"{}", Encoding::Text).unwrap(),
            InputRecord::default()
        );
        let rec = parse_envelope(
            br#" {"payload":"","extra":[1,{}],"key":"k","headers":null} "#,
            Encoding::Text,
        )
        .unwrap();
        assert_eq!(rec.key.as_deref(), Some(&b"k"[..]));
        assert_eq!(rec.payload.as_deref(), Some(&b""[..]));
        assert!(rec.headers.is_empty());
        assert_eq!(rec.partition, None);
    }

    #[test]
    fn errors_are_one_line_and_name_the_problem() {
        let t = Encoding::Text;
        assert!(err("{", t).starts_with("invalid -J input record: "));
        assert_eq!(
            err("[1]", t),
            "invalid -J input record: expected a JSON object"
        );
        assert_eq!(
            err(r#"{"headers":["a"]}"#, t),
            "invalid -J input record: \"headers\" must be an array of name,value pairs"
        );
        assert_eq!(
            err(r#"{"headers":{"a":"b"}}"#, t),
            "invalid -J input record: \"headers\" must be an array of name,value pairs"
        );
        assert_eq!(
            err(r#"{"headers":[1,"b"]}"#, t),
            "invalid -J input record: \"headers\"[0] must be a header name string"
        );
        assert_eq!(
            err(r#"{"headers":["a","b","c",2]}"#, t),
            "invalid -J input record: \"headers\"[3] (value of \"c\") must be a string or null"
        );
        assert_eq!(
            err(r#"{"key":1}"#, t),
            "invalid -J input record: \"key\" must be a string or null"
        );
        assert_eq!(
            err(r#"{"partition":"0"}"#, t),
            "invalid -J input record: \"partition\" must be a 32-bit integer"
        );
        assert_eq!(
            err(r#"{"partition":4294967296}"#, t),
            "invalid -J input record: \"partition\" must be a 32-bit integer"
        );
        assert!(err(r#"{"ts":1.5}"#, t).contains("\"ts\" must be an integer"));
        let e = err(r#"{"payload":"!!"}"#, Encoding::Base64);
        assert!(e.starts_with("invalid -J input record: \"payload\" is not valid base64"));
        let e = err(r#"{"key":"abc"}"#, Encoding::Hex);
        assert!(e.starts_with("invalid -J input record: \"key\" is not valid hex"));
        let e = err(r#"{"headers":["h","zz"]}"#, Encoding::Hex);
        assert!(e.contains("\"headers\"[1] (value of \"h\") is not valid hex"));
        for e in [err("{\n\"key\":", t), e] {
            assert!(!e.contains('\n'), "{e}");
        }
    }

    fn round_trip(key: &[u8], payload: &[u8], headers: &Headers, enc: Encoding) {
        let msg = MessageView {
            topic: "topic",
            partition: 7,
            offset: 99,
            timestamp_type: TimestampType::CreateTime,
            timestamp: 1_700_000_000_000,
            broker: 2,
            key: Some(key),
            payload: Some(payload),
            headers,
        };
        let mut line = Vec::new();
        write_envelope(&msg, enc, &mut line);
        let rec = parse_envelope(&line, enc).unwrap();
        assert_eq!(rec.partition, Some(7));
        assert_eq!(rec.timestamp, Some(1_700_000_000_000));
        assert_eq!(rec.key.as_deref(), Some(key));
        assert_eq!(rec.payload.as_deref(), Some(payload));
        assert_eq!(rec.headers, headers.0);
    }

    #[test]
    fn binary_round_trips_with_base64_and_hex() {
        let all: Vec<u8> = (0..=255).rev().collect();
        let headers = Headers::new(&[
            (&b"bin"[..], Some(&all[..])),
            (b"null", None),
            (b"empty", Some(&b""[..])),
        ]);
        for enc in [Encoding::Base64, Encoding::Hex] {
            round_trip(&all, b"\xff\x00\xfe", &headers, enc);
            round_trip(b"", b"", &Headers(Vec::new()), enc);
        }
    }

    #[test]
    fn utf8_round_trips_as_text() {
        let headers = Headers::new(&[("h\"1", Some("v\\/\n")), ("h2", None)]);
        round_trip(
            "ключ\t\"q\"".as_bytes(),
            "{\"json\": [1, 2]}\u{7f}\u{1}😀".as_bytes(),
            &headers,
            Encoding::Text,
        );
    }

    #[test]
    fn nulls_round_trip() {
        let none = Headers(Vec::new());
        let msg = MessageView {
            topic: "t",
            partition: 0,
            offset: 0,
            timestamp_type: TimestampType::NotAvailable,
            timestamp: -1,
            broker: -1,
            key: None,
            payload: None,
            headers: &none,
        };
        for enc in [Encoding::Text, Encoding::Base64, Encoding::Hex] {
            let mut line = Vec::new();
            write_envelope(&msg, enc, &mut line);
            let rec = parse_envelope(&line, enc).unwrap();
            assert_eq!(
                rec,
                InputRecord {
                    partition: Some(0),
                    ..InputRecord::default()
                }
            );
        }
    }
}
