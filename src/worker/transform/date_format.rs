//! The `java.text.SimpleDateFormat` patterns TimestampConverter and TimestampRouter take,
//! always in UTC (as both SMTs set), with the proleptic Gregorian calendar arithmetic behind
//! them. Supported letters: `G y M L d D E u a H k K h m s S z Z X` and quoted text; parsing
//! is lenient like Java's (out-of-range fields roll over, trailing text is ignored).

use crate::worker::data::calendar::{civil_from_days, days_from_civil};
use std::time::{SystemTime, UNIX_EPOCH};

pub(crate) const MILLIS_PER_DAY: i64 = 86_400_000;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
/// Monday first, as `u` numbers them.
const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

const SUPPORTED_LETTERS: &str = "GyMLdDEuaHkKhmsSzZX";
/// Letters Java knows whose week-based calendar rules are not implemented here.
const UNSUPPORTED_LETTERS: &str = "YwWF";

#[derive(Debug, Clone, PartialEq)]
enum Item {
    Text(String),
    Field(char, usize),
}

impl Item {
    fn is_numeric(&self) -> bool {
        match self {
            Item::Field('M' | 'L', n) => *n < 3,
            Item::Field(c, _) => "ydDuHkKhmsS".contains(*c),
            Item::Text(_) => false,
        }
    }
}

/// A compiled pattern.
#[derive(Debug, Clone)]
pub(crate) struct DateFormat {
    pattern: String,
    items: Vec<Item>,
}

impl DateFormat {
    /// Compiles `pattern`; errors read like Java's `IllegalArgumentException`s.
    pub fn new(pattern: &str) -> Result<DateFormat, String> {
        let mut items = Vec::new();
        let mut chars = pattern.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\'' {
                let text = quoted(&mut chars)?;
                push_text(&mut items, &text);
            } else if c.is_ascii_alphabetic() {
                let mut count = 1;
                while chars.peek() == Some(&c) {
                    chars.next();
                    count += 1;
                }
                items.push(field(c, count)?);
            } else {
                push_text(&mut items, &c.to_string());
            }
        }
        Ok(DateFormat {
            pattern: pattern.to_string(),
            items,
        })
    }

    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// Formats epoch milliseconds in UTC.
    pub fn format(&self, millis: i64) -> String {
        let t = Broken::from_millis(millis);
        let mut out = String::new();
        for item in &self.items {
            match item {
                Item::Text(text) => out.push_str(text),
                Item::Field(c, n) => format_field(&mut out, &t, *c, *n),
            }
        }
        out
    }

    /// Parses `text` to epoch milliseconds; `None` when it does not match the pattern.
    pub fn parse(&self, text: &str) -> Option<i64> {
        let mut fields = Parsed::default();
        let mut rest = text;
        for (i, item) in self.items.iter().enumerate() {
            rest = match item {
                Item::Text(t) => rest.strip_prefix(t.as_str())?,
                Item::Field(c, n) => {
                    let abutting = self.items.get(i + 1).is_some_and(Item::is_numeric);
                    fields.parse_field(rest, *c, *n, abutting)?
                }
            };
        }
        fields.to_millis()
    }
}

/// The text of a quoted section after its opening quote; `''` is a literal quote, both
/// inside and outside quotes.
fn quoted(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<String, String> {
    if chars.peek() == Some(&'\'') {
        chars.next();
        return Ok("'".to_string());
    }
    let mut text = String::new();
    loop {
        match chars.next() {
            None => return Err("Unterminated quote".to_string()),
            Some('\'') if chars.peek() == Some(&'\'') => {
                chars.next();
                text.push('\'');
            }
            Some('\'') => return Ok(text),
            Some(other) => text.push(other),
        }
    }
}

fn field(c: char, count: usize) -> Result<Item, String> {
    if UNSUPPORTED_LETTERS.contains(c) {
        return Err(format!(
            "pattern letter '{c}' (week-based calendar) is not supported; use y, M, d and the other letters of {SUPPORTED_LETTERS}"
        ));
    }
    if !SUPPORTED_LETTERS.contains(c) {
        return Err(format!("Illegal pattern character '{c}'"));
    }
    if c == 'X' && count > 3 {
        return Err(format!("invalid ISO 8601 format: length={count}"));
    }
    Ok(Item::Field(c, count))
}

fn push_text(items: &mut Vec<Item>, text: &str) {
    if let Some(Item::Text(last)) = items.last_mut() {
        last.push_str(text);
    } else {
        items.push(Item::Text(text.to_string()));
    }
}

/// An instant broken into UTC calendar fields.
struct Broken {
    year: i64,
    month: i64,
    day: i64,
    day_of_year: i64,
    /// 1 = Monday … 7 = Sunday.
    weekday: i64,
    hour: i64,
    minute: i64,
    second: i64,
    milli: i64,
}

impl Broken {
    fn from_millis(millis: i64) -> Broken {
        let days = millis.div_euclid(MILLIS_PER_DAY);
        let of_day = millis.rem_euclid(MILLIS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        Broken {
            year,
            month,
            day,
            day_of_year: days - days_from_civil(year, 1, 1) + 1,
            // 1970-01-01 was a Thursday.
            weekday: (days + 3).rem_euclid(7) + 1,
            hour: of_day / 3_600_000,
            minute: of_day / 60_000 % 60,
            second: of_day / 1000 % 60,
            milli: of_day % 1000,
        }
    }
}

fn format_field(out: &mut String, t: &Broken, c: char, n: usize) {
    let name = |names: &[&str], index: i64| {
        let full = names
            .get(usize::try_from(index).unwrap_or(0))
            .copied()
            .unwrap_or("");
        if n >= 4 {
            full.to_string()
        } else {
            full.chars().take(3).collect()
        }
    };
    let text = match c {
        'G' => (if t.year > 0 { "AD" } else { "BC" }).to_string(),
        'y' => {
            // Java prints the year of the era; `yy` keeps two digits.
            let year = if t.year > 0 { t.year } else { 1 - t.year };
            if n == 2 {
                pad(year % 100, 2)
            } else {
                pad(year, n)
            }
        }
        'M' | 'L' if n >= 3 => name(&MONTHS, t.month - 1),
        'M' | 'L' => pad(t.month, n),
        'd' => pad(t.day, n),
        'D' => pad(t.day_of_year, n),
        'E' => name(&WEEKDAYS, t.weekday - 1),
        'u' => pad(t.weekday, n),
        'a' => (if t.hour < 12 { "AM" } else { "PM" }).to_string(),
        'H' => pad(t.hour, n),
        'k' => pad(if t.hour == 0 { 24 } else { t.hour }, n),
        'K' => pad(t.hour % 12, n),
        'h' => pad(if t.hour % 12 == 0 { 12 } else { t.hour % 12 }, n),
        'm' => pad(t.minute, n),
        's' => pad(t.second, n),
        'S' => pad(t.milli, n),
        'z' if n >= 4 => "Coordinated Universal Time".to_string(),
        'z' => "UTC".to_string(),
        'Z' => "+0000".to_string(),
        // Only 'X' is left: ISO 8601 writes UTC as Z.
        _ => "Z".to_string(),
    };
    out.push_str(&text);
}

fn pad(value: i64, width: usize) -> String {
    format!("{value:0width$}")
}

/// Fields read so far; unset ones take the epoch's (1970-01-01 00:00:00.000 UTC).
#[derive(Default)]
struct Parsed {
    year: Option<i64>,
    month: Option<i64>,
    day: Option<i64>,
    day_of_year: Option<i64>,
    hour_of_day: Option<i64>,
    /// 0–11 from `h` or `K`, combined with `a`.
    hour_of_half: Option<i64>,
    pm: bool,
    minute: i64,
    second: i64,
    milli: i64,
    offset_millis: i64,
}

impl Parsed {
    /// Reads one field at the start of `text` and returns the rest.
    fn parse_field<'t>(
        &mut self,
        text: &'t str,
        c: char,
        n: usize,
        abutting: bool,
    ) -> Option<&'t str> {
        match c {
            'M' | 'L' if n >= 3 => {
                let (index, rest) = match_name(text, &MONTHS)?;
                self.month = Some(index + 1);
                Some(rest)
            }
            'E' => match_name(text, &WEEKDAYS).map(|(_, rest)| rest),
            'a' => {
                let (index, rest) = match_name(text, &["AM", "PM"])?;
                self.pm = index == 1;
                Some(rest)
            }
            'G' => match_name(text, &["AD", "BC"]).map(|(_, rest)| rest),
            'z' | 'Z' | 'X' => {
                let (offset, rest) = parse_offset(text)?;
                self.offset_millis = offset;
                Some(rest)
            }
            _ => {
                // Abutting numeric fields (yyyyMMdd) take exactly their width.
                let (value, digits, rest) = number(text, if abutting { n } else { usize::MAX })?;
                self.set_number(c, n, value, digits);
                Some(rest)
            }
        }
    }

    fn set_number(&mut self, c: char, n: usize, value: i64, digits: usize) {
        match c {
            'y' if n <= 2 && digits == 2 => self.year = Some(two_digit_year(value)),
            'y' => self.year = Some(value),
            'M' | 'L' => self.month = Some(value),
            'd' => self.day = Some(value),
            'D' => self.day_of_year = Some(value),
            'H' => self.hour_of_day = Some(value),
            'k' => self.hour_of_day = Some(if value == 24 { 0 } else { value }),
            'K' => self.hour_of_half = Some(value),
            'h' => self.hour_of_half = Some(if value == 12 { 0 } else { value }),
            'm' => self.minute = value,
            's' => self.second = value,
            'S' => self.milli = value,
            // 'u' (day of week) does not move the date when the date is given.
            _ => {}
        }
    }

    fn to_millis(&self) -> Option<i64> {
        let year = self.year.unwrap_or(1970);
        let days = match (self.day_of_year, self.month, self.day) {
            (Some(doy), None, None) => days_from_civil(year, 1, 1).checked_add(doy - 1)?,
            _ => {
                // Lenient: month 13 is January of the next year, day 32 runs into the next month.
                let month0 = self.month.unwrap_or(1) - 1;
                let y = year.checked_add(month0.div_euclid(12))?;
                let first = days_from_civil(y, month0.rem_euclid(12) + 1, 1);
                first.checked_add(self.day.unwrap_or(1) - 1)?
            }
        };
        let hour = match self.hour_of_half {
            Some(h) => h + if self.pm { 12 } else { 0 },
            None => self.hour_of_day.unwrap_or(0),
        };
        let time = hour * 3_600_000 + self.minute * 60_000 + self.second * 1000 + self.milli;
        days.checked_mul(MILLIS_PER_DAY)?
            .checked_add(time)?
            .checked_sub(self.offset_millis)
    }
}

/// Digits at the start of `text`, at most `max` of them; Java's calendar fields are ints.
fn number(text: &str, max: usize) -> Option<(i64, usize, &str)> {
    let digits = text
        .bytes()
        .take(max)
        .take_while(u8::is_ascii_digit)
        .count();
    if digits == 0 {
        return None;
    }
    let value: i64 = text[..digits].parse().ok()?;
    if value > i64::from(i32::MAX) {
        return None;
    }
    Some((value, digits, &text[digits..]))
}

/// Java reads a two-digit year into the century that starts 80 years before now.
fn two_digit_year(value: i64) -> i64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(0));
    let start = civil_from_days(now.div_euclid(MILLIS_PER_DAY)).0 - 80;
    let century = start / 100 * 100;
    value + century + if value < start % 100 { 100 } else { 0 }
}

/// Matches a full or three-letter name, ignoring case; returns its index and the rest.
fn match_name<'t>(text: &'t str, names: &[&str]) -> Option<(i64, &'t str)> {
    let starts = |prefix: &str| {
        text.get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    for (i, name) in names.iter().enumerate() {
        if starts(name) {
            return Some((i as i64, &text[name.len()..]));
        }
    }
    for (i, name) in names.iter().enumerate() {
        let short = name.get(..3).unwrap_or(name);
        if starts(short) {
            return Some((i as i64, &text[short.len()..]));
        }
    }
    None
}

/// `Z`, `UTC`, `GMT`, `GMT+01:00`, `+01`, `+0100`, `+01:00`: the offset in milliseconds.
fn parse_offset(text: &str) -> Option<(i64, &str)> {
    if let Some(rest) = text.strip_prefix('Z') {
        return Some((0, rest));
    }
    if let Some(rest) = text.strip_prefix("UTC") {
        return Some((0, rest));
    }
    if let Some(rest) = text.strip_prefix("GMT") {
        return Some(signed_offset(rest).unwrap_or((0, rest)));
    }
    signed_offset(text)
}

fn signed_offset(text: &str) -> Option<(i64, &str)> {
    let sign = match text.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (hours, _, rest) = number(&text[1..], 2)?;
    let rest_after_colon = rest.strip_prefix(':').unwrap_or(rest);
    let (minutes, rest) = match number(rest_after_colon, 2) {
        Some((m, 2, after)) => (m, after),
        _ => (0, rest),
    };
    Some((sign * (hours * 3_600_000 + minutes * 60_000), rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_704_453_296_789; // 2024-01-05T11:14:56.789Z, a Friday

    #[test]
    fn calendar_round_trips() {
        for days in [-719_468, -1, 0, 1, 10_000, 19_727, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{days}");
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(10_000), (1997, 5, 19));
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn formats_common_patterns() {
        let f = |p: &str| DateFormat::new(p).unwrap().format(T);
        assert_eq!(f("yyyyMMdd"), "20240105");
        assert_eq!(
            f("yyyy-MM-dd'T'HH:mm:ss.SSSZ"),
            "2024-01-05T11:14:56.789+0000"
        );
        assert_eq!(
            f("yyyy-MM-dd'T'HH:mm:ss.SSSXXX"),
            "2024-01-05T11:14:56.789Z"
        );
        assert_eq!(f("EEE, d MMM yy hh:mm a z"), "Fri, 5 Jan 24 11:14 AM UTC");
        assert_eq!(f("EEEE MMMM D u G"), "Friday January 5 5 AD");
        assert_eq!(f("''yy'' 'o''clock' k K"), "'24' o'clock 11 11");
        assert_eq!(DateFormat::new("HH:mm").unwrap().format(-1), "23:59");
    }

    #[test]
    fn parses_what_it_formats() {
        for p in [
            "yyyyMMdd",
            "yyyy-MM-dd'T'HH:mm:ss.SSSZ",
            "yyyy-MM-dd HH:mm:ss.SSSXXX",
            "EEE, d MMM yyyy hh:mm:ss.SSS a",
            "yyyy-MM-dd'T'HH:mm:ss.SSSz",
        ] {
            let f = DateFormat::new(p).unwrap();
            let text = f.format(T);
            let expected = if p == "yyyyMMdd" {
                T - T.rem_euclid(MILLIS_PER_DAY)
            } else {
                T
            };
            assert_eq!(f.parse(&text), Some(expected), "{p}: {text}");
        }
    }

    #[test]
    fn parsing_is_lenient_like_java() {
        let f = DateFormat::new("yyyy-MM-dd").unwrap();
        assert_eq!(f.parse("2017-1-5"), f.parse("2017-01-05"));
        assert_eq!(f.parse("2017-13-01"), f.parse("2018-01-01"));
        assert_eq!(f.parse("2017-01-05 and more"), f.parse("2017-01-05"));
        assert_eq!(f.parse("2017/01/05"), None);
        assert_eq!(f.parse(""), None);
        let with_offset = DateFormat::new("yyyy-MM-dd HH:mmXXX").unwrap();
        assert_eq!(with_offset.parse("1970-01-01 01:00+01:00"), Some(0));
        assert_eq!(with_offset.parse("1970-01-01 00:00-0130"), Some(5_400_000));
        let twelve = DateFormat::new("hh:mm a").unwrap();
        assert_eq!(twelve.parse("12:30 AM"), Some(30 * 60_000));
        assert_eq!(twelve.parse("12:30 pm"), Some(750 * 60_000));
        assert_eq!(DateFormat::new("kk").unwrap().parse("24"), Some(0));
        let month = DateFormat::new("dd MMM yyyy").unwrap();
        assert_eq!(month.parse("01 FEBRUARY 1970"), Some(31 * MILLIS_PER_DAY));
        assert_eq!(
            DateFormat::new("yyyy")
                .unwrap()
                .parse("99999999999999999999"),
            None
        );
    }

    #[test]
    fn two_digit_years_land_near_now() {
        let y = DateFormat::new("yy").unwrap().parse("24").unwrap();
        assert_eq!(civil_from_days(y.div_euclid(MILLIS_PER_DAY)).0, 2024);
    }

    #[test]
    fn bad_patterns_are_refused() {
        assert_eq!(
            DateFormat::new("yyyy-MM-dd'T").unwrap_err(),
            "Unterminated quote"
        );
        assert_eq!(
            DateFormat::new("yyyy-bb").unwrap_err(),
            "Illegal pattern character 'b'"
        );
        assert!(DateFormat::new("YYYY")
            .unwrap_err()
            .contains("not supported"));
        assert!(DateFormat::new("XXXX").unwrap_err().contains("length=4"));
        assert_eq!(DateFormat::new("HH").unwrap().pattern(), "HH");
    }
}
