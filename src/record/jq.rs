//! `--jq FILTER`: compiles a jq filter once (with jaq's core, std and JSON definitions and
//! native functions) and runs it on each consumed message's JSON envelope, writing every
//! output as compact JSON in the style of `jq -c` (jq's number formatting and string
//! escaping, object keys in insertion order), each followed by the output delimiter.
//!
//! This file owns the filter compilation, its error messages, the per-message evaluation and
//! the compact JSON writer for jaq values. Nothing here talks to Kafka.

use std::io::Write as _;

use jaq_core::load::{self, Arena, File, Loader};
use jaq_core::{compile, data::JustLut, Compiler, Ctx, ValT as _, Vars};
use jaq_json::{Num, Val};

/// Data kind the filters run on: plain jaq-json values, no `input`/`inputs` support.
type Data = JustLut<Val>;

/// Global variable name offered to filters that mention it (like jq's `$ENV`).
const ENV_VAR: &str = "$ENV";

/// Longest excerpt of the filter text quoted in a compile error.
const EXCERPT_MAX: usize = 24;

/// Errors of `--jq`, each rendered on one line.
#[derive(Debug, thiserror::Error)]
pub enum JqError {
    /// The filter text does not lex, parse or compile (reported before any connection).
    #[error("--jq: cannot compile filter {filter:?}: {reason}")]
    Compile { filter: String, reason: String },
    /// The filter failed while running on a message (`error(...)`, type errors, ...).
    #[error("--jq: {0}")]
    Runtime(String),
    /// The document handed to [`JqFilter::apply`] is not one JSON value.
    #[error("--jq: input is not valid JSON: {0}")]
    Input(String),
    /// The filter called `halt`/`halt_error`; jq would exit with this status.
    #[error("--jq: filter halted with exit code {0}")]
    Halt(i32),
}

/// A compiled jq filter, reusable for any number of documents.
pub struct JqFilter {
    filter: jaq_core::Filter<Data>,
    /// Environment snapshot bound to `$ENV`, present only if the filter text mentions `$ENV`.
    env: Option<Vec<(String, String)>>,
}

impl std::fmt::Debug for JqFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JqFilter").finish_non_exhaustive()
    }
}

impl JqFilter {
    /// Parses and compiles `src` with jaq's standard library; errors carry the line:column and
    /// reason jaq reports.
    pub fn compile(src: &str) -> Result<JqFilter, JqError> {
        let fail = |reason: String| JqError::Compile {
            filter: src.to_owned(),
            reason,
        };
        let defs = jaq_core::defs()
            .chain(jaq_std::defs())
            .chain(jaq_json::defs());
        let funs = jaq_core::funs::<Data>()
            .chain(jaq_std::funs::<Data>())
            .chain(jaq_json::funs::<Data>());

        let arena = Arena::default();
        let modules = Loader::new(defs)
            .load(
                &arena,
                File {
                    code: src,
                    path: (),
                },
            )
            .map_err(|errs| fail(describe_load_errors(src, &errs)))?;

        let uses_env = src.contains(ENV_VAR);
        let globals: &[&str] = if uses_env { &[ENV_VAR] } else { &[] };
        let filter = Compiler::default()
            .with_funs(funs)
            .with_global_vars(globals.iter().copied())
            .compile(modules)
            .map_err(|errs| fail(describe_compile_errors(src, &errs)))?;

        let env = uses_env.then(|| {
            std::env::vars_os()
                .map(|(k, v)| {
                    let k = k.to_string_lossy().into_owned();
                    (k, v.to_string_lossy().into_owned())
                })
                .collect()
        });
        Ok(JqFilter { filter, env })
    }

    /// Runs the filter on one JSON document (the bytes of one envelope); appends each output
    /// as compact JSON followed by `delim` to `out`. On a runtime error, returns it and leaves
    /// `out` as it was before the call (truncate back).
    pub fn apply(&self, input: &[u8], delim: &[u8], out: &mut Vec<u8>) -> Result<usize, JqError> {
        let start = out.len();
        let result = self.run(input, delim, out);
        if result.is_err() {
            out.truncate(start);
        }
        result
    }

    fn run(&self, input: &[u8], delim: &[u8], out: &mut Vec<u8>) -> Result<usize, JqError> {
        let value =
            jaq_json::read::parse_single(input).map_err(|e| JqError::Input(e.to_string()))?;
        let vars = match &self.env {
            Some(env) => Vars::new([env_value(env)?]),
            None => Vars::new([]),
        };
        let ctx = Ctx::<Data>::new(&self.filter.lut, vars);
        let mut written = 0;
        for item in self.filter.id.run((ctx, value)) {
            let v = item.map_err(exception)?;
            write_value(&v, out)?;
            out.extend_from_slice(delim);
            written += 1;
        }
        Ok(written)
    }
}

fn env_value(env: &[(String, String)]) -> Result<Val, JqError> {
    let pairs = env
        .iter()
        .map(|(k, v)| (Val::from(k.clone()), Val::from(v.clone())));
    Val::from_map(pairs).map_err(|e| JqError::Runtime(one_line(&e.to_string())))
}

/// Turns a jaq exception (error or halt) into a [`JqError`]; error values that are strings
/// are shown raw, others as JSON with jq's "(not a string)" note.
fn exception(exn: jaq_core::Exn<'_, Val>) -> JqError {
    let exn = match exn.get_halt() {
        Ok(code) => return JqError::Halt(code),
        Err(exn) => exn,
    };
    let err = match exn.get_err() {
        Ok(err) => err,
        Err(other) => return JqError::Runtime(one_line(&format!("internal error: {other:?}"))),
    };
    let message = match err.into_val() {
        Val::TStr(s) => String::from_utf8_lossy(&s).into_owned(),
        v => {
            let mut json = Vec::new();
            let shown = match write_value(&v, &mut json) {
                Ok(()) => String::from_utf8_lossy(&json).into_owned(),
                Err(_) => v.to_string(),
            };
            format!("{shown} (not a string)")
        }
    };
    JqError::Runtime(one_line(&message))
}

/// Escapes control characters so that a message stays on one line.
fn one_line(s: &str) -> String {
    let mut line = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            line.extend(c.escape_default());
        } else {
            line.push(c);
        }
    }
    line
}

// ---------------------------------------------------------------------------------------
// Compile error messages
// ---------------------------------------------------------------------------------------

fn describe_load_errors<P>(src: &str, errs: &load::Errors<&str, P>) -> String {
    let mut parts = Vec::new();
    for (_file, err) in errs {
        match err {
            load::Error::Io(items) => {
                for (path, msg) in items {
                    parts.push(format!(
                        "{}cannot load module {path:?}: {msg}",
                        location(src, path)
                    ));
                }
            }
            load::Error::Lex(items) => {
                for (expect, found) in items {
                    parts.push(format!(
                        "{}expected {}{}",
                        location(src, found),
                        lex_expect(expect),
                        found_excerpt(found)
                    ));
                }
            }
            load::Error::Parse(items) => {
                for (expect, found) in items {
                    parts.push(format!(
                        "{}expected {}{}",
                        location(src, found),
                        parse_expect(expect),
                        found_excerpt(found)
                    ));
                }
            }
        }
    }
    joined(parts)
}

fn describe_compile_errors<P>(src: &str, errs: &compile::Errors<&str, P>) -> String {
    let mut parts = Vec::new();
    for (_file, items) in errs {
        for (name, undefined) in items {
            let what = match undefined {
                compile::Undefined::Filter(arity) => format!("filter {name}/{arity}"),
                other => format!("{} {name}", other.as_str()),
            };
            parts.push(format!("{}undefined {what}", location(src, name)));
        }
    }
    joined(parts)
}

fn joined(parts: Vec<String>) -> String {
    if parts.is_empty() {
        "unknown error".to_owned()
    } else {
        one_line(&parts.join("; "))
    }
}

/// What the lexer expected; unclosed delimiters are named after their opening character.
fn lex_expect(expect: &load::lex::Expect<&str>) -> String {
    use load::lex::Expect;
    match expect {
        Expect::Delim(open) if !matches!(*open, "(" | "[" | "{" | "\"") => {
            format!("closing delimiter for {open:?}")
        }
        other => other.as_str().to_owned(),
    }
}

/// What the parser expected; "nothing" (trailing tokens) is spelled out.
fn parse_expect<'a>(expect: &load::parse::Expect<&'a str>) -> &'a str {
    match expect {
        load::parse::Expect::Nothing => "end of filter",
        other => other.as_str(),
    }
}

/// `line:column: ` of `part` if it is a slice of `src` (jaq reports errors as such slices).
fn location(src: &str, part: &str) -> String {
    let base = src.as_ptr() as usize;
    let at = part.as_ptr() as usize;
    if at < base || at > base + src.len() || !src.is_char_boundary(at - base) {
        return String::new();
    }
    let before = &src[..at - base];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    format!("{line}:{column}: ")
}

/// `, found "..."` (shortened) or `, found end of input`.
fn found_excerpt(found: &str) -> String {
    let found = found.trim_end();
    if found.is_empty() {
        return ", found end of input".to_owned();
    }
    let mut excerpt: String = found.chars().take(EXCERPT_MAX).collect();
    if excerpt.len() < found.len() {
        excerpt.push_str("...");
    }
    format!(", found {excerpt:?}")
}

// ---------------------------------------------------------------------------------------
// Compact JSON writer (jq -c conventions)
// ---------------------------------------------------------------------------------------

fn write_value(v: &Val, out: &mut Vec<u8>) -> Result<(), JqError> {
    match v {
        Val::Null => out.extend_from_slice(b"null"),
        Val::Bool(true) => out.extend_from_slice(b"true"),
        Val::Bool(false) => out.extend_from_slice(b"false"),
        Val::Num(n) => write_num(n, out),
        Val::TStr(s) | Val::BStr(s) => write_str(s, out),
        Val::Arr(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(item, out)?;
            }
            out.push(b']');
        }
        Val::Obj(map) => {
            out.push(b'{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                match k {
                    Val::TStr(s) | Val::BStr(s) => write_str(s, out),
                    other => {
                        return Err(JqError::Runtime(one_line(&format!(
                            "object key {other} is not a string; cannot output it as JSON"
                        ))))
                    }
                }
                out.push(b':');
                write_value(item, out)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

fn write_num(n: &Num, out: &mut Vec<u8>) {
    match n {
        // Writing into a Vec cannot fail.
        Num::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Num::BigInt(i) => {
            let _ = write!(out, "{i}");
        }
        Num::Float(x) => write_f64(*x, out),
        // Decimal literals from the input or the filter are kept as written (as jq 1.7 does)
        // when they are valid JSON numbers.
        Num::Dec(s) if is_json_number(s.as_bytes()) => out.extend_from_slice(s.as_bytes()),
        Num::Dec(s) => write_f64(s.parse().unwrap_or(f64::NAN), out),
    }
}

/// Formats a double like jq: shortest round-trip digits, plain notation unless the decimal
/// point lies 4+ places left of the digits or 16+ places right of them, exponent with sign
/// and at least two digits, NaN as `null`, infinities clamped to the largest finite double.
fn write_f64(x: f64, out: &mut Vec<u8>) {
    if x.is_nan() {
        out.extend_from_slice(b"null");
        return;
    }
    let x = x.clamp(-f64::MAX, f64::MAX);
    if x.is_sign_negative() {
        out.push(b'-');
    }
    // Shortest round-trip representation, e.g. "1.2345e3", "5e-7", "0e0".
    let mut buf = [0u8; 40];
    let len = {
        let mut cursor = &mut buf[..];
        let _ = write!(cursor, "{:e}", x.abs());
        40 - cursor.len()
    };
    let sci = &buf[..len];
    let e_at = sci.iter().position(|&b| b == b'e').unwrap_or(len);
    let exp: i32 = std::str::from_utf8(&sci[(e_at + 1).min(len)..])
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut digits = [0u8; 24];
    let mut nd = 0;
    for &b in sci[..e_at].iter().filter(|b| b.is_ascii_digit()) {
        digits[nd] = b;
        nd += 1;
    }
    let digits = &digits[..nd];
    let nd = nd as i32;
    let decpt = exp + 1;

    if decpt <= -4 || decpt > nd + 15 {
        out.push(digits[0]);
        if nd > 1 {
            out.push(b'.');
            out.extend_from_slice(&digits[1..]);
        }
        out.push(b'e');
        out.push(if exp < 0 { b'-' } else { b'+' });
        let _ = write!(out, "{:02}", exp.unsigned_abs());
    } else if decpt <= 0 {
        out.extend_from_slice(b"0.");
        out.extend(std::iter::repeat_n(b'0', decpt.unsigned_abs() as usize));
        out.extend_from_slice(digits);
    } else if decpt >= nd {
        out.extend_from_slice(digits);
        out.extend(std::iter::repeat_n(b'0', (decpt - nd) as usize));
    } else {
        let point = decpt as usize;
        out.extend_from_slice(&digits[..point]);
        out.push(b'.');
        out.extend_from_slice(&digits[point..]);
    }
}

/// JSON number grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
fn is_json_number(s: &[u8]) -> bool {
    fn digits(s: &[u8]) -> usize {
        s.iter().take_while(|b| b.is_ascii_digit()).count()
    }
    let mut i = usize::from(s.first() == Some(&b'-'));
    match s.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i += digits(&s[i..]),
        _ => return false,
    }
    if s.get(i) == Some(&b'.') {
        let n = digits(&s[i + 1..]);
        if n == 0 {
            return false;
        }
        i += 1 + n;
    }
    if matches!(s.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(s.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let n = digits(&s[i..]);
        if n == 0 {
            return false;
        }
        i += n;
    }
    i == s.len()
}

/// Writes a JSON string like jq: `"` and `\` escaped, control characters (and DEL) as
/// `\b \t \n \f \r` or `\u00xx`, other characters raw; invalid UTF-8 becomes U+FFFD.
fn write_str(s: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    for chunk in s.utf8_chunks() {
        write_escaped(chunk.valid().as_bytes(), out);
        if !chunk.invalid().is_empty() {
            out.extend_from_slice("\u{FFFD}".as_bytes());
        }
    }
    out.push(b'"');
}

fn write_escaped(s: &[u8], out: &mut Vec<u8>) {
    let mut plain_from = 0;
    for (i, &b) in s.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\t' => b"\\t",
            b'\r' => b"\\r",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0x00..=0x1f | 0x7f => b"",
            _ => continue,
        };
        out.extend_from_slice(&s[plain_from..i]);
        if escape.is_empty() {
            let _ = write!(out, "\\u{b:04x}");
        } else {
            out.extend_from_slice(escape);
        }
        plain_from = i + 1;
    }
    out.extend_from_slice(&s[plain_from..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENVELOPE: &str = r#"{"topic":"t","partition":0,"offset":4,"tstype":"create","ts":1603987358147,"broker":1,"key":"a","payload":"toto"}"#;

    fn run(filter: &str, input: &str) -> Result<String, JqError> {
        let f = JqFilter::compile(filter)?;
        let mut out = Vec::new();
        f.apply(input.as_bytes(), b"\n", &mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn identity_is_compact_and_keeps_key_order() {
        assert_eq!(run(".", ENVELOPE).unwrap(), format!("{ENVELOPE}\n"));
        let spaced = "{ \"b\" : [1, 2.5, null, true] , \"a\" : {\"z\":\"\\u00e9\\n\\u0001\"} }";
        assert_eq!(
            run(".", spaced).unwrap(),
            "{\"b\":[1,2.5,null,true],\"a\":{\"z\":\"é\\n\\u0001\"}}\n"
        );
    }

    #[test]
    fn select_outputs_only_matching_messages() {
        let f = JqFilter::compile(r#"select(.key == "a")"#).unwrap();
        let mut out = Vec::new();
        assert_eq!(f.apply(ENVELOPE.as_bytes(), b"\n", &mut out).unwrap(), 1);
        let other = ENVELOPE.replace(r#""key":"a""#, r#""key":null"#);
        assert_eq!(f.apply(other.as_bytes(), b"\n", &mut out).unwrap(), 0);
        assert_eq!(out, format!("{ENVELOPE}\n").into_bytes());
        assert_eq!(run("empty", ENVELOPE).unwrap(), "");
    }

    #[test]
    fn transforms_into_new_object() {
        assert_eq!(
            run("{k: .key, p: .partition}", ENVELOPE).unwrap(),
            "{\"k\":\"a\",\"p\":0}\n"
        );
        assert_eq!(run(".offset + 1", ENVELOPE).unwrap(), "5\n");
    }

    #[test]
    fn multiple_outputs_each_get_delimiter() {
        let f = JqFilter::compile(".key, .payload").unwrap();
        let mut out = b"prev|".to_vec();
        assert_eq!(f.apply(ENVELOPE.as_bytes(), b"|", &mut out).unwrap(), 2);
        assert_eq!(out, b"prev|\"a\"|\"toto\"|");
    }

    #[test]
    fn fromjson_parses_payload() {
        let input = r#"{"key":null,"payload":"{\"x\":{\"y\":[1,\"two\"]},\"n\":1.50}"}"#;
        assert_eq!(
            run(".payload | fromjson | .x", input).unwrap(),
            "{\"y\":[1,\"two\"]}\n"
        );
        assert_eq!(run(".payload | fromjson | .n", input).unwrap(), "1.50\n");
    }

    #[test]
    fn numbers_follow_jq() {
        let got = run(
            "[4/2, 3/2, 1e17*1, 0.00001*1, 0.0001*1, 1e15*1, 123e15*1, 1/3, infinite, -infinite, nan]",
            "null",
        )
        .unwrap();
        assert_eq!(
            got,
            "[2,1.5,1e+17,1e-05,0.0001,1000000000000000,123000000000000000,\
             0.3333333333333333,1.7976931348623157e+308,-1.7976931348623157e+308,null]\n"
        );
        assert_eq!(
            run(".", "[100000000000000000000000, -3, 1e3]").unwrap(),
            "[100000000000000000000000,-3,1e3]\n"
        );
        let mut out = Vec::new();
        write_f64(-0.0, &mut out);
        write_f64(-2.5e-300, &mut out);
        assert_eq!(out, b"-0-2.5e-300");
    }

    #[test]
    fn strings_are_escaped_like_jq() {
        let got = run(r#""q\"b\\s/\t\u007f\u0008\u000c\r""#, "null").unwrap();
        assert_eq!(got, "\"q\\\"b\\\\s/\\t\\u007f\\b\\f\\r\"\n");
        let mut out = Vec::new();
        write_str(b"a\xffb", &mut out);
        assert_eq!(out, "\"a\u{FFFD}b\"".as_bytes());
    }

    #[test]
    fn compile_error_is_one_readable_line() {
        let err = JqFilter::compile(".foo |").unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, JqError::Compile { .. }));
        assert!(
            msg.starts_with("--jq: cannot compile filter \".foo |\": "),
            "{msg}"
        );
        assert!(msg.contains("1:7") && msg.contains("expected"), "{msg}");
        assert!(!msg.contains('\n'));

        let msg = JqFilter::compile("nosuchfn(1)").unwrap_err().to_string();
        assert!(msg.contains("undefined filter nosuchfn/1"), "{msg}");
        let msg = JqFilter::compile("(.a").unwrap_err().to_string();
        assert!(msg.contains("closing parenthesis"), "{msg}");
        let msg = JqFilter::compile(".a ||| .b").unwrap_err().to_string();
        assert!(msg.contains("1:4: expected end of filter"), "{msg}");
    }

    #[test]
    fn runtime_error_leaves_output_untouched() {
        let f = JqFilter::compile(r#".key, error("x")"#).unwrap();
        let mut out = b"kept".to_vec();
        let err = f.apply(ENVELOPE.as_bytes(), b"\n", &mut out).unwrap_err();
        assert_eq!(err.to_string(), "--jq: x");
        assert_eq!(out, b"kept");

        let f = JqFilter::compile(".payload | tonumber").unwrap();
        let err = f.apply(ENVELOPE.as_bytes(), b"\n", &mut out).unwrap_err();
        assert!(matches!(err, JqError::Runtime(_)));
        assert!(err.to_string().starts_with("--jq: "), "{err}");
        assert_eq!(out, b"kept");

        let err = run(r#"error({"a":1})"#, "null").unwrap_err();
        assert_eq!(err.to_string(), "--jq: {\"a\":1} (not a string)");
        assert!(matches!(run("halt", "null"), Err(JqError::Halt(0))));
        assert!(matches!(run(".", "{"), Err(JqError::Input(_))));
    }

    #[test]
    fn env_and_reuse() {
        let f = JqFilter::compile("$ENV | type").unwrap();
        let mut out = Vec::new();
        for _ in 0..3 {
            f.apply(b"null", b"\n", &mut out).unwrap();
        }
        assert_eq!(out, b"\"object\"\n\"object\"\n\"object\"\n");
    }

    #[test]
    fn filter_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<JqFilter>();
    }
}
