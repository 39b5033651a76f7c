//! `org.apache.kafka.connect.storage.StringConverter`: any value as its Java `toString()` text
//! in `converter.encoding` (UTF-8 by default); bytes read back as an optional string.

use std::borrow::Cow;

use indexmap::IndexMap;

use super::{invalid, Converter, ConverterError};
use crate::worker::data::{DataError, Schema, SchemaAndValue, Value};

/// The character sets Java guarantees, which are the ones supported here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    Utf8,
    UsAscii,
    Latin1,
    /// Java's `UTF-16`: writes a big-endian BOM, reads either BOM (big-endian without one).
    Utf16,
    Utf16Be,
    Utf16Le,
}

impl Charset {
    /// A Java charset name or alias, in any case (`UTF-8`, `utf8`, `ISO-8859-1`, `latin1`, …).
    pub fn from_java_name(name: &str) -> Option<Charset> {
        let key: String = name
            .trim()
            .chars()
            .filter(|c| !matches!(c, '-' | '_'))
            .collect::<String>()
            .to_ascii_uppercase();
        Some(match key.as_str() {
            "UTF8" | "UNICODE11UTF8" => Charset::Utf8,
            "USASCII" | "ASCII" | "US" | "ASCII7" | "646" => Charset::UsAscii,
            "ISO88591" | "LATIN1" | "L1" | "88591" | "CP819" | "IBM819" | "ISOLATIN1" => {
                Charset::Latin1
            }
            "UTF16" | "UNICODE" => Charset::Utf16,
            "UTF16BE" | "UNICODEBIGUNMARKED" | "XUTF16BE" => Charset::Utf16Be,
            "UTF16LE" | "UNICODELITTLEUNMARKED" | "XUTF16LE" => Charset::Utf16Le,
            _ => return None,
        })
    }

    /// Unmappable characters become `?`, as Java's `String.getBytes`.
    pub fn encode(self, text: &str) -> Vec<u8> {
        match self {
            Charset::Utf8 => text.as_bytes().to_vec(),
            Charset::UsAscii => text
                .chars()
                .map(|c| if c.is_ascii() { c as u8 } else { b'?' })
                .collect(),
            Charset::Latin1 => text
                .chars()
                .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
                .collect(),
            Charset::Utf16 => [0xfe, 0xff]
                .into_iter()
                .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
                .collect(),
            Charset::Utf16Be => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
            Charset::Utf16Le => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        }
    }

    /// Malformed input becomes U+FFFD, as Java's `new String(bytes, charset)`.
    pub fn decode(self, bytes: &[u8]) -> String {
        match self {
            // Valid UTF-8 (the usual case) is checked by the word-at-a-time validator and
            // copied; only malformed input takes the slower replacing decoder.
            Charset::Utf8 => match std::str::from_utf8(bytes) {
                Ok(text) => text.to_owned(),
                Err(_) => String::from_utf8_lossy(bytes).into_owned(),
            },
            Charset::UsAscii => bytes
                .iter()
                .map(|&b| {
                    if b.is_ascii() {
                        char::from(b)
                    } else {
                        char::REPLACEMENT_CHARACTER
                    }
                })
                .collect(),
            Charset::Latin1 => bytes.iter().map(|&b| char::from(b)).collect(),
            Charset::Utf16 => match bytes {
                [0xff, 0xfe, rest @ ..] => decode_utf16(rest, u16::from_le_bytes),
                [0xfe, 0xff, rest @ ..] => decode_utf16(rest, u16::from_be_bytes),
                _ => decode_utf16(bytes, u16::from_be_bytes),
            },
            Charset::Utf16Be => decode_utf16(bytes, u16::from_be_bytes),
            Charset::Utf16Le => decode_utf16(bytes, u16::from_le_bytes),
        }
    }
}

fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    let chunks = bytes.chunks_exact(2);
    let odd = !chunks.remainder().is_empty();
    let units = chunks.map(|c| unit([c[0], c[1]]));
    let mut text: String = char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    if odd {
        text.push(char::REPLACEMENT_CHARACTER);
    }
    text
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StringConverter {
    pub charset: Charset,
}

impl StringConverter {
    /// `converter.encoding`, overridden (as by Java's StringSerializer) by
    /// `key.serializer.encoding` / `value.serializer.encoding`.
    pub fn from_config(
        config: &IndexMap<String, String>,
        is_key: bool,
    ) -> Result<StringConverter, ConverterError> {
        let specific = if is_key {
            "key.serializer.encoding"
        } else {
            "value.serializer.encoding"
        };
        let (key, name) = [specific, "converter.encoding"]
            .into_iter()
            .find_map(|k| config.get(k).map(|v| (k, v.as_str())))
            .unwrap_or(("converter.encoding", "UTF-8"));
        let charset = Charset::from_java_name(name).ok_or_else(|| {
            invalid(
                key,
                name,
                "unsupported encoding; supported: UTF-8, US-ASCII, ISO-8859-1, UTF-16, UTF-16BE, UTF-16LE",
            )
        })?;
        Ok(StringConverter { charset })
    }
}

impl Converter for StringConverter {
    fn from_connect(
        &self,
        _topic: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, DataError> {
        match value {
            Value::Null => Ok(None),
            // The common case, without the detour through a Java string form.
            Value::String(s) => Ok(Some(self.charset.encode(s))),
            _ => Ok(Some(self.charset.encode(&value.to_java_string(schema)))),
        }
    }

    fn from_connect_ref<'v>(
        &self,
        topic: &str,
        schema: Option<&Schema>,
        value: &'v Value,
    ) -> Result<Option<Cow<'v, [u8]>>, DataError> {
        match value {
            Value::String(s) if self.charset == Charset::Utf8 => {
                Ok(Some(Cow::Borrowed(s.as_bytes())))
            }
            _ => Ok(self.from_connect(topic, schema, value)?.map(Cow::Owned)),
        }
    }

    /// Always the optional string schema, even for a null record, as Java.
    fn to_connect(&self, _topic: &str, bytes: Option<&[u8]>) -> Result<SchemaAndValue, DataError> {
        let value = bytes.map_or(Value::Null, |b| Value::String(self.charset.decode(b)));
        Ok(SchemaAndValue::new(Some(Schema::optional_string()), value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::data::{Decimal, Schema};

    fn utf8() -> StringConverter {
        StringConverter::from_config(&IndexMap::new(), false).unwrap()
    }

    #[test]
    fn writes_java_to_string() {
        let c = utf8();
        let out = |v: Value| {
            c.from_connect("t", None, &v)
                .unwrap()
                .map(|b| String::from_utf8(b).unwrap())
        };
        assert_eq!(out(Value::from("héllo")).as_deref(), Some("héllo"));
        assert_eq!(out(Value::Float64(1.0)).as_deref(), Some("1.0"));
        assert_eq!(
            out(Value::Decimal(Decimal::new(156, 2))).as_deref(),
            Some("1.56")
        );
        assert_eq!(
            out(Value::Array(vec![Value::Int32(1), Value::Int32(2)])).as_deref(),
            Some("[1, 2]")
        );
        assert_eq!(out(Value::Null), None);
    }

    #[test]
    fn reads_an_optional_string() {
        let c = utf8();
        let sv = c.to_connect("t", Some("ü".as_bytes())).unwrap();
        assert_eq!(
            sv,
            SchemaAndValue::new(Some(Schema::optional_string()), Value::from("ü"))
        );
        let null = c.to_connect("t", None).unwrap();
        assert_eq!(
            null,
            SchemaAndValue::new(Some(Schema::optional_string()), Value::Null)
        );
    }

    #[test]
    fn honours_the_encoding_settings() {
        let config: IndexMap<String, String> =
            [("converter.encoding".to_string(), "ISO-8859-1".to_string())].into();
        let latin1 = StringConverter::from_config(&config, false).unwrap();
        assert_eq!(
            latin1.from_connect("t", None, &Value::from("é€")).unwrap(),
            Some(vec![0xe9, b'?'])
        );
        assert_eq!(
            latin1.to_connect("t", Some(&[0xe9])).unwrap().value,
            Value::from("é")
        );
        let mut config = config;
        config.insert("key.serializer.encoding".into(), "UTF-16".into());
        let utf16 = StringConverter::from_config(&config, true).unwrap();
        assert_eq!(
            utf16.from_connect("t", None, &Value::from("A")).unwrap(),
            Some(vec![0xfe, 0xff, 0, b'A'])
        );
        assert_eq!(
            utf16
                .to_connect("t", Some(&[0xff, 0xfe, b'A', 0]))
                .unwrap()
                .value,
            Value::from("A")
        );
        config.insert("converter.encoding".into(), "EBCDIC".into());
        let err = StringConverter::from_config(&config, false)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("Invalid value EBCDIC for configuration converter.encoding"),
            "{err}"
        );
    }

    #[test]
    fn malformed_input_decodes_to_replacement_characters() {
        assert_eq!(Charset::UsAscii.decode(&[b'a', 0x80]), "a\u{fffd}");
        assert_eq!(Charset::Utf16Be.decode(&[0, b'a', 0]), "a\u{fffd}");
        assert_eq!(Charset::Utf8.decode(&[0xff]), "\u{fffd}");
    }
}
