//! The consumer's `-f` format: kcat's compiler for format strings (tokens,
//! backslash escapes, token limit, error texts), the formats kcat builds
//! itself when `-f` is absent (from `-D`/`-K`, or for `-J`), and the writer
//! that renders one message into a caller-provided buffer.

use std::io::Write as _;
use std::time::{Duration, UNIX_EPOCH};

use memchr::memchr;
use thiserror::Error;

use super::delim::strtoul;
use super::json::write_i64;
use super::MessageView;

/// kcat's `KC_FMT_MAX_SIZE`: literal runs and fields together.
const MAX_TOKENS: usize = 128;

/// kcat's `-Z` replacement for an empty or NULL key or payload.
const NULL_STR: &[u8] = b"NULL";

/// First instant humantime can no longer format (year 10000), in ms.
const RFC3339_END_MS: i64 = 253_402_300_800_000;

/// A format string kcat would refuse; the texts are kcat's.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FormatError {
    #[error("Unsupported formatter: %{0}")]
    Unsupported(char),
    #[error("Empty formatter")]
    Empty,
    #[error("Too many formatters & strings (KC_FMT_MAX_SIZE=128)")]
    TooMany,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// Bytes printed as they are; may be empty (it still counts as a token).
    Literal(Box<[u8]>),
    /// `%s`
    Payload,
    /// `%S`
    PayloadLen,
    /// `%R`
    PayloadLenBinary,
    /// `%k`
    Key,
    /// `%K`
    KeyLen,
    /// `%T`
    Timestamp,
    /// `%F` (kct): RFC 3339 UTC with milliseconds.
    TimestampRfc3339,
    /// `%h`
    Headers,
    /// `%t`
    Topic,
    /// `%p`
    Partition,
    /// `%o`
    Offset,
}

/// A compiled `-f` format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Format {
    tokens: Vec<Token>,
}

impl Format {
    /// Compiles a format string (kcat's `fmt_parse`).
    pub fn parse(fmt: &str) -> Result<Format, FormatError> {
        Format::parse_bytes(fmt.as_bytes())
    }

    /// Compiles a format string given as bytes; delimiters can be non-UTF-8.
    ///
    /// Like kcat, the text between two `%` tokens is one literal token, so
    /// escapes never reach across a `%`: `\%s` is a backslash, then `%s`.
    pub fn parse_bytes(fmt: &[u8]) -> Result<Format, FormatError> {
        // kcat gets a C string: it ends at the first NUL.
        let mut rest = &fmt[..memchr(0, fmt).unwrap_or(fmt.len())];
        let mut tokens = Vec::new();
        let mut push = |token| {
            if tokens.len() == MAX_TOKENS {
                return Err(FormatError::TooMany);
            }
            tokens.push(token);
            Ok(())
        };
        while !rest.is_empty() {
            let Some(pct) = memchr(b'%', rest) else {
                push(Token::Literal(unescape(rest)))?;
                break;
            };
            if pct > 0 {
                push(Token::Literal(unescape(&rest[..pct])))?;
            }
            let token = match rest.get(pct + 1) {
                None => return Err(FormatError::Empty),
                Some(b's') => Token::Payload,
                Some(b'S') => Token::PayloadLen,
                Some(b'R') => Token::PayloadLenBinary,
                Some(b'k') => Token::Key,
                Some(b'K') => Token::KeyLen,
                Some(b'T') => Token::Timestamp,
                Some(b'F') => Token::TimestampRfc3339,
                Some(b'h') => Token::Headers,
                Some(b't') => Token::Topic,
                Some(b'p') => Token::Partition,
                Some(b'o') => Token::Offset,
                // kcat adds `%%` as a literal token of its own.
                Some(b'%') => Token::Literal(Box::new(*b"%")),
                Some(_) => return Err(FormatError::Unsupported(first_char(&rest[pct + 1..]))),
            };
            push(token)?;
            rest = &rest[pct + 2..];
        }
        Ok(Format { tokens })
    }

    /// kcat's format when `-f` is absent and `-J` is not given: `%s<delim>`,
    /// or `%k<keydelim>%s<delim>` with `-K`. kcat builds it with `snprintf`
    /// into a 64-byte buffer, so it is cut at 63 bytes (possibly inside an
    /// escape, or right after a `%`), and then compiles it like `-f`: a `%`
    /// or a backslash escape inside a delimiter is interpreted again. The
    /// delimiters are `parse_delim` output.
    pub fn default_for(key_delim: Option<&[u8]>, delim: &[u8]) -> Result<Format, FormatError> {
        let mut fmt = Vec::with_capacity(64);
        if let Some(key_delim) = key_delim {
            fmt.extend_from_slice(b"%k");
            fmt.extend_from_slice(c_str(key_delim));
        }
        fmt.extend_from_slice(b"%s");
        fmt.extend_from_slice(c_str(delim));
        fmt.truncate(63);
        Format::parse_bytes(&fmt)
    }

    /// The consumer's format exactly as kcat chooses it: `-f` wins; with
    /// `-J` and no `-f` the delimiter itself is compiled as a format (whose
    /// first literal then follows each JSON object, see [`first_literal`]);
    /// otherwise [`default_for`].
    ///
    /// [`first_literal`]: Format::first_literal
    /// [`default_for`]: Format::default_for
    pub fn for_consumer(
        user_fmt: Option<&[u8]>,
        json: bool,
        key_delim: Option<&[u8]>,
        delim: &[u8],
    ) -> Result<Format, FormatError> {
        match user_fmt {
            Some(fmt) => Format::parse_bytes(fmt),
            None if json => Format::parse_bytes(delim),
            None => Format::default_for(key_delim, delim),
        }
    }

    /// What kcat writes after each `-J` object: the first token if it is a
    /// literal, else nothing. With `-J -f 'x%sy'` that is `x`; with
    /// `-J -f '%s'` nothing at all.
    pub fn first_literal(&self) -> &[u8] {
        match self.tokens.first() {
            Some(Token::Literal(bytes)) => bytes,
            _ => &[],
        }
    }

    /// Appends one formatted message to `out`. `null_str` is `-Z`.
    pub fn write(&self, msg: &MessageView, null_str: bool, out: &mut Vec<u8>) {
        for token in &self.tokens {
            match token {
                Token::Literal(bytes) => out.extend_from_slice(bytes),
                Token::Payload => write_data(msg.payload, null_str, out),
                Token::Key => write_data(msg.key, null_str, out),
                Token::PayloadLen => write_i64(data_len(msg.payload), out),
                Token::KeyLen => write_i64(data_len(msg.key), out),
                Token::PayloadLenBinary => {
                    // kcat: htonl((uint32_t)len), -1 for NULL; lengths past
                    // 2^31 wrap just as the C cast does.
                    let len = data_len(msg.payload) as i32;
                    out.extend_from_slice(&len.to_be_bytes());
                }
                Token::Timestamp => write_i64(msg.timestamp, out),
                Token::TimestampRfc3339 => write_rfc3339(msg.timestamp, out),
                Token::Headers => write_headers(msg, out),
                Token::Topic => out.extend_from_slice(msg.topic.as_bytes()),
                Token::Partition => write_i64(i64::from(msg.partition), out),
                Token::Offset => write_i64(msg.offset, out),
            }
        }
    }
}

/// `%s`/`%k`: kcat tests the length, not the pointer, so with `-Z` an empty
/// value prints `NULL` just like a NULL one; without `-Z` both print nothing.
fn write_data(data: Option<&[u8]>, null_str: bool, out: &mut Vec<u8>) {
    match data {
        Some(bytes) if !bytes.is_empty() => out.extend_from_slice(bytes),
        _ if null_str => out.extend_from_slice(NULL_STR),
        _ => {}
    }
}

/// `%S`/`%K`/`%R`: the length, or -1 for NULL (here empty is not NULL).
fn data_len(data: Option<&[u8]>) -> i64 {
    data.map_or(-1, |bytes| bytes.len() as i64)
}

/// `%h`: `name=value` joined by commas, no escaping. kcat prints both with
/// `%s`/`%.*s`, so each stops at its first NUL byte. A NULL value prints
/// `NULL` (with or without `-Z`), an empty one nothing.
fn write_headers(msg: &MessageView, out: &mut Vec<u8>) {
    for i in 0..msg.headers.count() {
        let (name, value) = msg.headers.get(i);
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(c_str(name));
        out.push(b'=');
        match value {
            Some(value) => out.extend_from_slice(c_str(value)),
            None => out.extend_from_slice(NULL_STR),
        }
    }
}

/// `%F`: e.g. `2026-11-22T00:48:18.123Z`. Timestamps humantime cannot show
/// (before 1970, which includes "not available" -1, or after year 9999) are
/// printed as the plain number, as `%T` would.
fn write_rfc3339(ts: i64, out: &mut Vec<u8>) {
    if (0..RFC3339_END_MS).contains(&ts) {
        let time = UNIX_EPOCH + Duration::from_millis(ts as u64);
        // Writing into a Vec cannot fail, and the range check above keeps
        // humantime's formatter from refusing the value.
        if write!(out, "{}", humantime::format_rfc3339_millis(time)).is_ok() {
            return;
        }
    }
    write_i64(ts, out);
}

/// The bytes a C `%s` would print: up to the first NUL.
fn c_str(bytes: &[u8]) -> &[u8] {
    &bytes[..memchr(0, bytes).unwrap_or(bytes.len())]
}

/// The character starting at `bytes`, for the error message.
fn first_char(bytes: &[u8]) -> char {
    let head = &bytes[..bytes.len().min(4)];
    String::from_utf8_lossy(head)
        .chars()
        .next()
        .unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// Backslash escapes in one literal run, exactly as kcat's `fmt_add` does:
///
/// * `\n`, `\t`, `\r` are LF, TAB, CR.
/// * `\x` is hex only if the next byte is a *decimal* digit: then strtoul
///   (base 16) eats every hex digit and the value is cut to a byte, so
///   `\x41B` is 0x1b and `\x0x41` is `A`. Otherwise the `\x` is dropped and
///   that byte is copied: `\xff` is `ff`, `\xAB` is `AB`.
/// * `\` plus a decimal digit is strtoul with base 0, cut to a byte: `\65`
///   is `A`, `\065` (octal) is `5`, `\0x41` (hex) is `A`.
/// * `\` plus anything else is that byte (`\\` is `\`); a `\` that ends the
///   run is kept.
/// * The result ends at its first NUL (kcat takes its length with strlen),
///   so `\0` or a trailing `\x` cut the literal short and `-f` can never
///   print a NUL byte.
fn unescape(run: &[u8]) -> Box<[u8]> {
    let mut out = Vec::with_capacity(run.len());
    let mut i = 0;
    while i < run.len() {
        let c = run[i];
        i += 1;
        if c != b'\\' || i == run.len() {
            out.push(c);
            continue;
        }
        let escaped = run[i];
        i += 1;
        i = match escaped {
            b'n' => push_at(&mut out, b'\n', i),
            b't' => push_at(&mut out, b'\t', i),
            b'r' => push_at(&mut out, b'\r', i),
            b'x' => number_or_byte(run, i, 16, &mut out),
            _ => number_or_byte(run, i - 1, 0, &mut out),
        };
    }
    if let Some(nul) = memchr(0, &out) {
        out.truncate(nul);
    }
    out.into_boxed_slice()
}

fn push_at(out: &mut Vec<u8>, byte: u8, next: usize) -> usize {
    out.push(byte);
    next
}

/// kcat's shared tail for `\x` and `\<other>`: a number if `run[at]` is a
/// decimal digit, else that byte copied. Returns where scanning resumes.
fn number_or_byte(run: &[u8], at: usize, base: u32, out: &mut Vec<u8>) -> usize {
    match run.get(at) {
        Some(c) if c.is_ascii_digit() => {
            let (value, used) = strtoul(&run[at..], base);
            out.push(value as u8);
            at + used
        }
        Some(&c) => push_at(out, c, at + 1),
        // `\x` at the very end: kcat copies the terminating NUL, which ends
        // the literal here.
        None => push_at(out, 0, at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::json::test_support::Headers;
    use crate::record::TimestampType;

    fn lit(fmt: &str) -> Vec<u8> {
        let f = Format::parse(fmt).unwrap();
        assert_eq!(f.tokens.len(), 1, "{fmt}");
        f.first_literal().to_vec()
    }

    fn render(fmt: &Format, msg: &MessageView, null_str: bool) -> Vec<u8> {
        let mut out = Vec::new();
        fmt.write(msg, null_str, &mut out);
        out
    }

    static NO_HEADERS: Headers = Headers(Vec::new());

    fn msg<'a>(key: Option<&'a [u8]>, payload: Option<&'a [u8]>) -> MessageView<'a> {
        MessageView {
            topic: "test",
            partition: 3,
            offset: 42,
            timestamp_type: TimestampType::CreateTime,
            timestamp: 1_795_308_498_123,
            broker: 1,
            key,
            payload,
            headers: &NO_HEADERS,
        }
    }

    #[test]
    fn simple_escapes() {
        assert_eq!(lit("a\\nb\\tc\\rd"), b"a\nb\tc\rd");
        assert_eq!(lit("\\\\"), b"\\");
        assert_eq!(lit("\\q"), b"q");
        assert_eq!(lit("\\\""), b"\"");
        // A backslash that ends the run stays.
        assert_eq!(lit("ab\\"), b"ab\\");
    }

    #[test]
    fn hex_escape_quirks() {
        assert_eq!(lit("\\x41"), b"A");
        // All hex digits are eaten, then cut to a byte.
        assert_eq!(lit("\\x41B"), [0x1b]);
        assert_eq!(lit("\\x4142z"), b"Bz");
        // The first byte after \x must be a decimal digit.
        assert_eq!(lit("\\xff"), b"ff");
        assert_eq!(lit("\\xAB"), b"AB");
        assert_eq!(lit("\\xq"), b"q");
        // strtoul(base 16) accepts a 0x prefix.
        assert_eq!(lit("\\x0x41"), b"A");
        // Overflow saturates at ULONG_MAX, whose low byte is 0xff.
        assert_eq!(lit("\\x11111111111111111111"), [0xff]);
    }

    #[test]
    fn digit_escapes_are_strtoul_base_0() {
        assert_eq!(lit("\\65"), b"A");
        assert_eq!(lit("\\065"), b"5");
        assert_eq!(lit("\\012"), b"\n");
        assert_eq!(lit("\\0x41"), b"A");
        assert_eq!(lit("\\321"), [65]); // 321 & 0xff
        assert_eq!(lit("\\65a"), b"Aa");
        assert_eq!(lit("\\659"), [147]); // 659 & 0xff
        assert_eq!(lit("\\0779"), b"?9");
    }

    #[test]
    fn nul_truncates_the_literal() {
        assert_eq!(lit("ab\\0cd"), b"ab");
        assert_eq!(lit("\\0"), b"");
        assert_eq!(lit("ab\\x00!cd"), b"ab");
        assert_eq!(lit("ab\\x00cd"), b"ab\xcd");
        assert_eq!(lit("ab\\256cd"), b"ab");
        assert_eq!(lit("ab\\x"), b"ab");
        // Only the run is cut; later tokens still print.
        let f = Format::parse("a\\0b%oc").unwrap();
        assert_eq!(render(&f, &msg(None, None), false), b"a42c");
        // The format string itself is a C string.
        assert_eq!(Format::parse_bytes(b"x\0%q").unwrap().tokens.len(), 1);
    }

    #[test]
    fn escapes_do_not_cross_tokens() {
        let f = Format::parse("\\%s").unwrap();
        assert_eq!(render(&f, &msg(None, Some(b"v")), false), b"\\v");
        let f = Format::parse("%%\\n").unwrap();
        assert_eq!(f.tokens.len(), 2);
        assert_eq!(render(&f, &msg(None, None), false), b"%\n");
    }

    #[test]
    fn errors_carry_kcat_texts() {
        let e = Format::parse("%s %x").unwrap_err();
        assert_eq!(e.to_string(), "Unsupported formatter: %x");
        assert_eq!(
            Format::parse("%é").unwrap_err().to_string(),
            "Unsupported formatter: %é"
        );
        assert_eq!(
            Format::parse("abc%").unwrap_err().to_string(),
            "Empty formatter"
        );
        assert_eq!(
            Format::parse(&"%o".repeat(129)).unwrap_err().to_string(),
            "Too many formatters & strings (KC_FMT_MAX_SIZE=128)"
        );
        assert!(Format::parse(&"%o".repeat(128)).is_ok());
        // Literal runs count: 64 × ("x" + "%o") is 128 tokens, one more is not.
        assert!(Format::parse(&"x%o".repeat(64)).is_ok());
        assert_eq!(
            Format::parse(&format!("{}y", "x%o".repeat(64))).unwrap_err(),
            FormatError::TooMany
        );
        // Errors come in the order kcat meets them.
        assert_eq!(
            Format::parse(&format!("{}%x", "%o".repeat(128))).unwrap_err(),
            FormatError::Unsupported('x')
        );
        assert_eq!(
            Format::parse(&format!("{}%o", "%o".repeat(128))).unwrap_err(),
            FormatError::TooMany
        );
    }

    #[test]
    fn writes_every_field() {
        let f = Format::parse("%t|%p|%o|%T|%k|%K|%s|%S|%%").unwrap();
        let m = msg(Some(b"key"), Some(b"value"));
        assert_eq!(
            render(&f, &m, false),
            b"test|3|42|1795308498123|key|3|value|5|%"
        );
        let mut m = msg(None, None);
        m.partition = -1;
        m.offset = -1001;
        m.timestamp = -1;
        assert_eq!(render(&f, &m, false), b"test|-1|-1001|-1||-1||-1|%");
    }

    #[test]
    fn null_str_applies_to_null_and_empty() {
        let f = Format::parse("%k:%s:%K:%S").unwrap();
        assert_eq!(render(&f, &msg(None, None), true), b"NULL:NULL:-1:-1");
        assert_eq!(
            render(&f, &msg(Some(b""), Some(b"")), true),
            b"NULL:NULL:0:0"
        );
        assert_eq!(render(&f, &msg(Some(b""), Some(b"")), false), b"::0:0");
        assert_eq!(render(&f, &msg(Some(b"k"), Some(b"v")), true), b"k:v:1:1");
    }

    #[test]
    fn binary_length_is_big_endian_i32() {
        let f = Format::parse("%R%s").unwrap();
        assert_eq!(
            render(&f, &msg(None, Some(b"abc")), false),
            b"\0\0\0\x03abc"
        );
        assert_eq!(render(&f, &msg(None, None), false), b"\xff\xff\xff\xff");
        assert_eq!(render(&f, &msg(None, Some(b"")), false), b"\0\0\0\0");
    }

    #[test]
    fn headers() {
        let f = Format::parse("[%h]").unwrap();
        let list = Headers::new(&[
            ("a", Some("1")),
            ("n", None),
            ("e", Some("")),
            ("a", Some("x,y=z")),
            ("nu\0l", Some("v\0w")),
        ]);
        let mut m = msg(None, None);
        m.headers = &list;
        assert_eq!(render(&f, &m, false), b"[a=1,n=NULL,e=,a=x,y=z,nu=v]");
        assert_eq!(render(&f, &msg(None, None), true), b"[]");
    }

    #[test]
    fn rfc3339_timestamp() {
        let f = Format::parse("%F").unwrap();
        let mut m = msg(None, None);
        assert_eq!(render(&f, &m, false), b"2026-11-22T00:48:18.123Z");
        m.timestamp = 0;
        assert_eq!(render(&f, &m, false), b"1970-01-01T00:00:00.000Z");
        m.timestamp = -1;
        assert_eq!(render(&f, &m, false), b"-1");
        m.timestamp = i64::MAX;
        assert_eq!(render(&f, &m, false), i64::MAX.to_string().as_bytes());
    }

    #[test]
    fn default_formats() {
        let m = msg(Some(b"k"), Some(b"v"));
        let f = Format::default_for(None, b"\n").unwrap();
        assert_eq!(render(&f, &m, false), b"v\n");
        let f = Format::default_for(Some(b":"), b"\n").unwrap();
        assert_eq!(render(&f, &m, false), b"k:v\n");
        // The delimiters go through the format compiler again: escapes and
        // `%` tokens inside them are interpreted.
        let f = Format::default_for(Some(b"\\r%o"), b"%p\\x41").unwrap();
        assert_eq!(render(&f, &m, false), b"k\r42v3A");
        assert_eq!(
            Format::default_for(None, b"%").unwrap_err(),
            FormatError::Empty
        );
        assert_eq!(
            Format::default_for(None, b"%z").unwrap_err(),
            FormatError::Unsupported('z')
        );
        // Non-UTF-8 delimiters pass through.
        let f = Format::default_for(None, &[0xff, 0xfe]).unwrap();
        assert_eq!(render(&f, &m, false), b"v\xff\xfe");
    }

    #[test]
    fn default_format_is_cut_at_63_bytes() {
        let m = msg(Some(b"k"), Some(b"v"));
        let long = vec![b'-'; 100];
        let f = Format::default_for(None, &long).unwrap();
        let out = render(&f, &m, false);
        assert_eq!(out.len(), 1 + 61);
        let f = Format::default_for(Some(&long), b"\n").unwrap();
        // "%k" + 61 dashes; "%s\n" never makes it.
        assert_eq!(render(&f, &m, false), [b"k", &long[..61]].concat());
        // Cut right after a `%`.
        let mut d = vec![b'-'; 60];
        d.extend_from_slice(b"%s");
        assert_eq!(
            Format::default_for(None, &d).unwrap_err(),
            FormatError::Empty
        );
    }

    #[test]
    fn consumer_format_selection() {
        let m = msg(Some(b"k"), Some(b"v"));
        let f = Format::for_consumer(Some(b"%k"), true, Some(b":"), b"\n").unwrap();
        assert_eq!(render(&f, &m, false), b"k");
        assert_eq!(f.first_literal(), b"");
        let f = Format::for_consumer(None, true, Some(b":"), b"\\r\n").unwrap();
        assert_eq!(f.first_literal(), b"\r\n");
        let f = Format::for_consumer(None, false, Some(b":"), b"\n").unwrap();
        assert_eq!(render(&f, &m, false), b"k:v\n");
    }

    #[test]
    fn first_literal_is_only_the_first_token() {
        assert_eq!(Format::parse("x%sy").unwrap().first_literal(), b"x");
        assert_eq!(Format::parse("%sy").unwrap().first_literal(), b"");
        assert_eq!(Format::parse("%%y").unwrap().first_literal(), b"%");
        // An emptied literal is still the first token.
        assert_eq!(Format::parse("\\0%%").unwrap().first_literal(), b"");
        assert_eq!(Format::parse("").unwrap().first_literal(), b"");
    }
}
