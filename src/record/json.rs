//! The consumer's `-J` envelope: yajl-compatible string escaping (but always
//! valid UTF-8, a kct fix), the per-message object in kcat's field order,
//! kct's `--encoding` for binary keys, payloads and header values, and the
//! integer writer shared with `-f`, `-L -J` and `-Q -J`.

use base64::Engine as _;
use memchr::memchr;

use super::{MessageView, TimestampType};

/// How keys, payloads and header values appear in `-J` (kct's `--encoding`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    /// The raw bytes as a JSON string, as kcat does.
    #[default]
    Text,
    /// Standard base64 with padding.
    Base64,
    /// Lowercase hex.
    Hex,
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";
const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

/// For each byte: 0 if it is copied as is, else the letter after the
/// backslash (`u` meaning `\u00XX`). This is yajl's `yajl_string_encode`
/// with `/` left alone (kcat never sets `yajl_gen_escape_solidus`); bytes
/// from 0x7f up are not escaped.
const ESCAPES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b'u';
        b += 1;
    }
    table[b'\n' as usize] = b'n';
    table[b'\t' as usize] = b't';
    table[b'\r' as usize] = b'r';
    table[0x08] = b'b';
    table[0x0c] = b'f';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// Appends `bytes` as a JSON string, escaped the way yajl escapes it.
///
/// yajl (as kcat uses it) copies bytes from 0x80 up without checking them,
/// so invalid UTF-8 made kcat's line invalid JSON. kct instead replaces each
/// maximal invalid sequence with U+FFFD, the rule of
/// `String::from_utf8_lossy`; valid UTF-8 is copied unchanged.
pub fn write_json_string(bytes: &[u8], out: &mut Vec<u8>) {
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // ASCII needs no UTF-8 check, and keys and payloads are mostly ASCII: escape it in one pass
    // and validate only from the first byte above 0x7f on.
    let ascii_end = first_special(bytes, 0, true);
    write_escaped(&bytes[..ascii_end], out);
    if ascii_end < bytes.len() {
        for chunk in bytes[ascii_end..].utf8_chunks() {
            write_escaped(chunk.valid().as_bytes(), out);
            if !chunk.invalid().is_empty() {
                out.extend_from_slice("\u{FFFD}".as_bytes());
            }
        }
    }
    out.push(b'"');
}

/// The escaping loop: copies runs that need no escape in one go.
fn write_escaped(s: &[u8], out: &mut Vec<u8>) {
    let mut run = 0;
    loop {
        let i = first_special(s, run, false);
        if i == s.len() {
            break;
        }
        let b = s[i];
        out.extend_from_slice(&s[run..i]);
        match ESCAPES[usize::from(b)] {
            b'u' => {
                out.extend_from_slice(b"\\u00");
                out.push(HEX_UPPER[usize::from(b >> 4)]);
                out.push(HEX_UPPER[usize::from(b & 0xf)]);
            }
            esc => {
                out.push(b'\\');
                out.push(esc);
            }
        }
        run = i + 1;
    }
    out.extend_from_slice(&s[run..]);
}

/// Index of the first byte from `from` on that JSON must escape (or, with `stop_at_high`, that
/// is above 0x7f); `s.len()` if there is none. Eight bytes are tested at a time, since almost
/// all bytes of a typical payload need nothing.
fn first_special(s: &[u8], from: usize, stop_at_high: bool) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    let mut i = from;
    while i + 8 <= s.len() {
        let w = u64::from_le_bytes(s[i..i + 8].try_into().expect("8 bytes"));
        let control = w.wrapping_sub(ONES * 0x20) & !w & HIGHS;
        let quote = has_zero(w ^ (ONES * u64::from(b'"')));
        let backslash = has_zero(w ^ (ONES * u64::from(b'\\')));
        let high = if stop_at_high { w & HIGHS } else { 0 };
        if control | quote | backslash | high != 0 {
            break;
        }
        i += 8;
    }
    while i < s.len() {
        let b = s[i];
        if ESCAPES[usize::from(b)] != 0 || (stop_at_high && b >= 0x80) {
            return i;
        }
        i += 1;
    }
    s.len()
}

/// Appends `v` in decimal (what yajl's `%lld` and C's `PRId64` print),
/// without allocating.
pub fn write_i64(v: i64, out: &mut Vec<u8>) {
    let mut digits = [0u8; 20]; // u64::MAX has 20 digits
    let mut at = digits.len();
    let mut n = v.unsigned_abs();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&digits[at..]);
}

/// Appends a key, payload or header value: `null` for NULL, else a string
/// in the chosen encoding (an empty value is `""` in every encoding).
fn write_value(value: Option<&[u8]>, enc: Encoding, out: &mut Vec<u8>) {
    let Some(bytes) = value else {
        out.extend_from_slice(b"null");
        return;
    };
    match enc {
        Encoding::Text => write_json_string(bytes, out),
        Encoding::Base64 => {
            let engine = base64::engine::general_purpose::STANDARD;
            out.push(b'"');
            let start = out.len();
            // Encode straight into `out` instead of into a new String.
            let len = base64::encoded_len(bytes.len(), true).expect("length fits in usize");
            out.resize(start + len, 0);
            let written = engine
                .encode_slice(bytes, &mut out[start..])
                .expect("buffer sized by encoded_len");
            out.truncate(start + written);
            out.push(b'"');
        }
        Encoding::Hex => {
            out.reserve(bytes.len() * 2 + 2);
            out.push(b'"');
            for &b in bytes {
                out.push(HEX_LOWER[usize::from(b >> 4)]);
                out.push(HEX_LOWER[usize::from(b & 0xf)]);
            }
            out.push(b'"');
        }
    }
}

/// Appends one message as kcat's compact `-J` object, without the trailing
/// delimiter (the caller writes `Format::first_literal`). Field order:
/// topic, partition, offset, tstype and ts (both left out when the
/// timestamp is not available), broker, headers (a flat name,value array,
/// left out when there are none), key, payload.
pub fn write_envelope(msg: &MessageView, enc: Encoding, out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"topic\":");
    write_json_string(msg.topic.as_bytes(), out);
    out.extend_from_slice(b",\"partition\":");
    write_i64(i64::from(msg.partition), out);
    out.extend_from_slice(b",\"offset\":");
    write_i64(msg.offset, out);
    let tstype: &[u8] = match msg.timestamp_type {
        TimestampType::NotAvailable => b"",
        TimestampType::CreateTime => b",\"tstype\":\"create\",\"ts\":",
        TimestampType::LogAppendTime => b",\"tstype\":\"logappend\",\"ts\":",
    };
    if !tstype.is_empty() {
        out.extend_from_slice(tstype);
        write_i64(msg.timestamp, out);
    }
    out.extend_from_slice(b",\"broker\":");
    write_i64(i64::from(msg.broker), out);
    let count = msg.headers.count();
    if count > 0 {
        out.extend_from_slice(b",\"headers\":[");
        for i in 0..count {
            let (name, value) = msg.headers.get(i);
            if i > 0 {
                out.push(b',');
            }
            // kcat passes the name to yajl with strlen(): it ends at a NUL.
            // Names are never encoded: they are meant to be text.
            write_json_string(&name[..memchr(0, name).unwrap_or(name.len())], out);
            out.push(b',');
            write_value(value, enc, out);
        }
        out.push(b']');
    }
    out.extend_from_slice(b",\"key\":");
    write_value(msg.key, enc, out);
    out.extend_from_slice(b",\"payload\":");
    write_value(msg.payload, enc, out);
    out.push(b'}');
}

/// Owned headers for the tests of this module and its siblings.
#[cfg(test)]
pub(crate) mod test_support {
    use crate::record::HeaderList;

    pub(crate) struct Headers(pub(crate) Vec<(Vec<u8>, Option<Vec<u8>>)>);

    impl Headers {
        pub(crate) fn new<N: AsRef<[u8]>, V: AsRef<[u8]>>(items: &[(N, Option<V>)]) -> Headers {
            Headers(
                items
                    .iter()
                    .map(|(n, v)| (n.as_ref().to_vec(), v.as_ref().map(|v| v.as_ref().to_vec())))
                    .collect(),
            )
        }
    }

    impl HeaderList for Headers {
        fn count(&self) -> usize {
            self.0.len()
        }
        fn get(&self, i: usize) -> (&[u8], Option<&[u8]>) {
            let (name, value) = &self.0[i];
            (name, value.as_deref())
        }
    }
}

#[cfg(test)]
mod tests {
    /// Byte-at-a-time escaping, to check the eight-bytes-at-a-time scan against.
    fn reference(bytes: &[u8]) -> Vec<u8> {
        let mut out = vec![b'"'];
        for chunk in bytes.utf8_chunks() {
            for &b in chunk.valid().as_bytes() {
                match super::ESCAPES[usize::from(b)] {
                    0 => out.push(b),
                    b'u' => out.extend_from_slice(format!("\\u00{b:02X}").as_bytes()),
                    esc => out.extend_from_slice(&[b'\\', esc]),
                }
            }
            if !chunk.invalid().is_empty() {
                out.extend_from_slice("\u{FFFD}".as_bytes());
            }
        }
        out.push(b'"');
        out
    }

    #[test]
    fn word_scan_agrees_with_byte_scan_at_every_position() {
        let specials: [&[u8]; 8] = [
            b"\"",
            b"\\",
            b"\n",
            b"\x01",
            b"\x1f",
            b"\x7f",
            "é".as_bytes(),
            b"\xff",
        ];
        for len in 0..24 {
            for at in 0..=len {
                for special in specials {
                    let mut input = vec![b'a'; len];
                    input.splice(at..at, special.iter().copied());
                    let mut out = Vec::new();
                    super::write_json_string(&input, &mut out);
                    assert_eq!(out, reference(&input), "{input:?}");
                }
            }
        }
    }

    use super::test_support::Headers;
    use super::*;

    fn js(bytes: &[u8]) -> String {
        let mut out = Vec::new();
        write_json_string(bytes, &mut out);
        String::from_utf8(out).expect("always valid UTF-8")
    }

    #[test]
    fn escapes_like_yajl() {
        assert_eq!(js(b""), r#""""#);
        assert_eq!(js(b"plain text"), r#""plain text""#);
        assert_eq!(js(b"q\"b\\s/"), r#""q\"b\\s/""#);
        assert_eq!(js(b"\n\t\r\x08\x0c"), r#""\n\t\r\b\f""#);
        assert_eq!(js(b"\x00\x01\x1b\x1f"), r#""\u0000\u0001\u001B\u001F""#);
        assert_eq!(js(b"\x7f"), "\"\x7f\"");
        assert_eq!(js("é€😀".as_bytes()), "\"é€😀\"");
    }

    #[test]
    fn invalid_utf8_becomes_replacement_chars() {
        assert_eq!(js(b"a\xffb"), "\"a\u{FFFD}b\"");
        // One U+FFFD per maximal invalid subsequence, like from_utf8_lossy.
        for input in [
            &b"\xf0\x9f\x98"[..],
            b"\xe2\x82x\xff\xfe",
            b"\xed\xa0\x80",
            b"\xc0\xaf",
            b"ok\xf4\x90\x80\x80\n",
        ] {
            let expected = serde_json::to_string(&String::from_utf8_lossy(input)).unwrap();
            assert_eq!(js(input), expected, "{input:?}");
        }
    }

    #[test]
    fn output_always_parses_back() {
        let all: Vec<u8> = (0..=255).collect();
        let out = js(&all);
        let back: String = serde_json::from_str(&out).unwrap();
        assert_eq!(back, String::from_utf8_lossy(&all));
    }

    #[test]
    fn integers() {
        for v in [0, 7, -1, 10, -1001, 1_795_308_498_123, i64::MIN, i64::MAX] {
            let mut out = b"x".to_vec();
            write_i64(v, &mut out);
            assert_eq!(out, format!("x{v}").as_bytes());
        }
    }

    fn envelope(msg: &MessageView, enc: Encoding) -> String {
        let mut out = Vec::new();
        write_envelope(msg, enc, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn kcat_readme_example() {
        let headers = Headers::new(&[
            ("header1", Some("header value")),
            ("nullheader", None),
            ("emptyheader", Some("")),
            ("header1", Some("duplicateIsOk")),
        ]);
        let msg = MessageView {
            topic: "test",
            partition: 0,
            offset: 4,
            timestamp_type: TimestampType::CreateTime,
            timestamp: 1_603_987_358_147,
            broker: 1,
            key: None,
            payload: Some(b"toto"),
            headers: &headers,
        };
        assert_eq!(
            envelope(&msg, Encoding::Text),
            r#"{"topic":"test","partition":0,"offset":4,"tstype":"create","ts":1603987358147,"broker":1,"headers":["header1","header value","nullheader",null,"emptyheader","","header1","duplicateIsOk"],"key":null,"payload":"toto"}"#
        );
    }

    #[test]
    fn optional_fields() {
        let none = Headers(Vec::new());
        let mut msg = MessageView {
            topic: "t",
            partition: 2,
            offset: 0,
            timestamp_type: TimestampType::NotAvailable,
            timestamp: -1,
            broker: -1,
            key: Some(b""),
            payload: None,
            headers: &none,
        };
        assert_eq!(
            envelope(&msg, Encoding::Text),
            r#"{"topic":"t","partition":2,"offset":0,"broker":-1,"key":"","payload":null}"#
        );
        msg.timestamp_type = TimestampType::LogAppendTime;
        msg.timestamp = 5;
        assert_eq!(
            envelope(&msg, Encoding::Base64),
            r#"{"topic":"t","partition":2,"offset":0,"tstype":"logappend","ts":5,"broker":-1,"key":"","payload":null}"#
        );
    }

    #[test]
    fn binary_encodings() {
        let headers = Headers::new(&[(&b"bin"[..], Some(&b"\x00\xff"[..])), (b"n\0x", None)]);
        let msg = MessageView {
            topic: "t",
            partition: 0,
            offset: 1,
            timestamp_type: TimestampType::NotAvailable,
            timestamp: -1,
            broker: 0,
            key: Some(b"\xde\xad\xbe\xef"),
            payload: Some(b"hello!?"),
            headers: &headers,
        };
        assert_eq!(
            envelope(&msg, Encoding::Hex),
            r#"{"topic":"t","partition":0,"offset":1,"broker":0,"headers":["bin","00ff","n",null],"key":"deadbeef","payload":"68656c6c6f213f"}"#
        );
        assert_eq!(
            envelope(&msg, Encoding::Base64),
            r#"{"topic":"t","partition":0,"offset":1,"broker":0,"headers":["bin","AP8=","n",null],"key":"3q2+7w==","payload":"aGVsbG8hPw=="}"#
        );
        // 0xde 0xad is valid (U+07AD); 0xbe and the cut-off 0xef are not.
        assert_eq!(
            envelope(&msg, Encoding::Text),
            "{\"topic\":\"t\",\"partition\":0,\"offset\":1,\"broker\":0,\
             \"headers\":[\"bin\",\"\\u0000\u{FFFD}\",\"n\",null],\
             \"key\":\"\u{7AD}\u{FFFD}\u{FFFD}\",\"payload\":\"hello!?\"}"
        );
    }
}
