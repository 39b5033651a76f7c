//! Delimiter parsing for `-D` and `-K` (kcat's `parse_delim`), plus the C
//! `strtoul` number scanner that both this parser and the `-f` escape parser
//! in `format.rs` are built on.

use thiserror::Error;

/// `-D`/`-K` with a `\x` that has no hex digits after it (kcat: fatal).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("Delimiter {rest} expects hex number")]
pub struct DelimError {
    /// The delimiter from the offending `\x` on, as kcat prints it.
    pub rest: String,
}

/// Parses a `-D`/`-K` argument the way kcat does, plus `\r` (a kct fix: kcat
/// 1.7 lists `\r` in its help but splits on the two literal bytes).
///
/// kcat does not scan left to right. It repeatedly rewrites the *first*
/// remaining `\n` until none is left, then the first `\t`, and so on, and
/// starts over after every rewrite. A rewritten `\x5c` (a backslash) can
/// therefore form a new escape with the byte after it: `\x5cn` is a newline.
/// Any other backslash stays as it is, and there is no escape for a
/// backslash itself. The result ends at its first NUL like a C string, so
/// `\x00` gives an empty delimiter.
pub fn parse_delim(arg: impl AsRef<[u8]>) -> Result<Vec<u8>, DelimError> {
    let arg = arg.as_ref();
    // argv strings are C strings: nothing after a NUL is ever seen.
    let mut s = arg[..memchr::memchr(0, arg).unwrap_or(arg.len())].to_vec();
    loop {
        let (at, byte, skip) = if let Some(t) = find(&s, b"\\n") {
            (t, b'\n', 1)
        } else if let Some(t) = find(&s, b"\\t") {
            (t, b'\t', 1)
        } else if let Some(t) = find(&s, b"\\r") {
            (t, b'\r', 1)
        } else if let Some(t) = find(&s, b"\\x") {
            let (value, used) = strtoul(&s[t + 2..], 16);
            if used == 0 {
                return Err(DelimError {
                    rest: String::from_utf8_lossy(&s[t..]).into_owned(),
                });
            }
            // kcat keeps only the low byte of however many digits it read.
            (t, value as u8, 1 + used)
        } else {
            return Ok(s);
        };
        if byte == 0 {
            // C string semantics: a NUL ends the delimiter for good.
            s.truncate(at);
            return Ok(s);
        }
        s[at] = byte;
        s.drain(at + 1..at + 1 + skip);
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

/// C `strtoul(s, &end, base)` for base 16 or base 0, as glibc does it:
/// leading white space, an optional sign, an optional `0x` prefix (base 16,
/// or base 0 where it selects hex; a leading `0` alone selects octal), then
/// digits. Returns the value and how many bytes were consumed (0 when no
/// digits were found). Overflow saturates to `u64::MAX` (`ULONG_MAX` on
/// LP64), and `-` negates modulo 2^64, as C does.
pub(crate) fn strtoul(s: &[u8], base: u32) -> (u64, usize) {
    let mut i = 0;
    // C isspace() in the "C" locale.
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        i += 1;
    }
    let negative = s.get(i) == Some(&b'-');
    if matches!(s.get(i), Some(b'-' | b'+')) {
        i += 1;
    }
    let has_hex_prefix = s.get(i) == Some(&b'0')
        && matches!(s.get(i + 1), Some(b'x' | b'X'))
        && s.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
    let radix = match base {
        16 | 0 if has_hex_prefix => {
            // "0x" only counts as a prefix when a hex digit follows; "0xg"
            // reads as the number 0 followed by "xg".
            i += 2;
            16
        }
        0 if s.get(i) == Some(&b'0') => 8,
        0 => 10,
        b => b,
    };
    let digits_start = i;
    let mut value: u64 = 0;
    let mut overflow = false;
    while let Some(d) = s.get(i).and_then(|&c| (c as char).to_digit(radix)) {
        match value
            .checked_mul(u64::from(radix))
            .and_then(|v| v.checked_add(u64::from(d)))
        {
            Some(v) => value = v,
            None => overflow = true,
        }
        i += 1;
    }
    if i == digits_start {
        return (0, 0);
    }
    let value = if overflow {
        u64::MAX
    } else if negative {
        value.wrapping_neg()
    } else {
        value
    };
    (value, i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Vec<u8> {
        parse_delim(s).unwrap()
    }

    #[test]
    fn plain_and_simple_escapes() {
        assert_eq!(p(""), b"");
        assert_eq!(p(":MyDilemma:"), b":MyDilemma:");
        assert_eq!(p("\\n"), b"\n");
        assert_eq!(p("\\t"), b"\t");
        assert_eq!(p("a\\nb\\tc\\n"), b"a\nb\tc\n");
    }

    #[test]
    fn carriage_return_is_a_kct_fix() {
        // kcat 1.7 would split on the two bytes `\` `r`.
        assert_eq!(p("\\r"), b"\r");
        assert_eq!(p("\\r\\n"), b"\r\n");
    }

    #[test]
    fn hex_consumes_all_digits_and_keeps_low_byte() {
        assert_eq!(p("\\x0d"), b"\r");
        assert_eq!(p("\\x41"), b"A");
        assert_eq!(p("\\x4142"), b"B");
        assert_eq!(p("\\xff"), [0xff]);
        assert_eq!(p("\\x41g"), b"Ag");
        // More digits than fit in 64 bits: strtoul saturates to ULONG_MAX.
        assert_eq!(p("\\x41414141414141414141"), [0xff]);
        // strtoul's own syntax: a "0x" prefix, a sign, leading blanks.
        assert_eq!(p("\\x0x41"), b"A");
        assert_eq!(p("\\x-1"), [0xff]);
        assert_eq!(p("\\x 41"), b"A");
    }

    #[test]
    fn nul_ends_the_delimiter() {
        assert_eq!(p("\\x00"), b"");
        assert_eq!(p("a\\x00zb"), b"a");
        // b is a hex digit: this is 0x00b.
        assert_eq!(p("a\\x00b"), b"a\x0b");
        assert_eq!(p("a\\x100zb"), b"a");
        // "0xg": strtoul reads the 0 and stops at the x.
        assert_eq!(p("a\\x0xg"), b"a");
        assert_eq!(parse_delim(b"ab\0cd").unwrap(), b"ab");
    }

    #[test]
    fn other_backslashes_stay_literal() {
        assert_eq!(p("\\"), b"\\");
        assert_eq!(p("\\\\"), b"\\\\");
        assert_eq!(p("\\q"), b"\\q");
        assert_eq!(p("a\\"), b"a\\");
        // `\\n`: the first `\n` found starts at the second backslash.
        assert_eq!(p("\\\\n"), b"\\\n");
    }

    #[test]
    fn rewrites_are_rescanned() {
        // \x5c is a backslash, which then pairs with the following n.
        assert_eq!(p("\\x5cn"), b"\n");
        assert_eq!(p("\\x5cx41"), b"A");
        // All `\n` go before any `\x`: `\x\n41` becomes `\x<LF>41`, and
        // strtoul skips the LF as leading white space.
        assert_eq!(p("\\x\\n41"), b"A");
        // `\\x6e`: \x6e is "n", which pairs with the backslash before it.
        assert_eq!(p("\\\\x6e"), b"\n");
    }

    #[test]
    fn hex_without_digits_is_an_error() {
        let e = parse_delim("ab\\xzz").unwrap_err();
        assert_eq!(e.to_string(), "Delimiter \\xzz expects hex number");
        assert!(parse_delim("\\x").is_err());
        assert!(parse_delim("\\x-").is_err());
    }

    #[test]
    fn strtoul_bases() {
        assert_eq!(strtoul(b"65", 0), (65, 2));
        assert_eq!(strtoul(b"065", 0), (0o65, 3));
        assert_eq!(strtoul(b"09", 0), (0, 1));
        assert_eq!(strtoul(b"0x41z", 0), (0x41, 4));
        assert_eq!(strtoul(b"0x", 0), (0, 1));
        assert_eq!(strtoul(b"4142", 16), (0x4142, 4));
        assert_eq!(strtoul(b"zz", 16), (0, 0));
        assert_eq!(strtoul(b"99999999999999999999999", 0).0, u64::MAX);
    }
}
