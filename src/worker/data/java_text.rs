//! Java's text forms that Connect's bytes depend on: `Double.toString`/`Float.toString` (which
//! Jackson also writes), and the UTC date forms of `Values`' ISO-8601 text and
//! `java.util.Date.toString()`.

use super::calendar::{civil_from_days, days_from_civil, days_in_month};

const MILLIS_PER_DAY: i64 = 86_400_000;

/// `Double.toString` (JDK 19+, shortest form): plain for 10^-3 ≤ |v| < 10^7, else `d.dddE±n`;
/// `NaN`, `Infinity`, `-0.0` as Java.
pub fn java_double_to_string(v: f64) -> String {
    if !v.is_finite() || v == 0.0 {
        return special(v.is_nan(), v.is_sign_negative(), v == 0.0);
    }
    let shortest = format!("{v:e}");
    // Java picks the closest of the 2-digit decimals when the shortest has only one digit.
    let two = format!("{v:.1e}");
    let chosen = if digit_count(&shortest) == 1 && two.parse::<f64>() == Ok(v) {
        two
    } else {
        shortest
    };
    layout(&chosen)
}

/// `Float.toString`, with the same rules at `float` precision.
pub fn java_float_to_string(v: f32) -> String {
    if !v.is_finite() || v == 0.0 {
        return special(v.is_nan(), v.is_sign_negative(), v == 0.0);
    }
    let shortest = format!("{v:e}");
    let two = format!("{v:.1e}");
    let chosen = if digit_count(&shortest) == 1 && two.parse::<f32>() == Ok(v) {
        two
    } else {
        shortest
    };
    layout(&chosen)
}

fn special(nan: bool, negative: bool, zero: bool) -> String {
    match (nan, negative, zero) {
        (true, _, _) => "NaN",
        (_, false, true) => "0.0",
        (_, true, true) => "-0.0",
        (_, false, false) => "Infinity",
        (_, true, false) => "-Infinity",
    }
    .to_string()
}

fn digit_count(sci: &str) -> usize {
    let mantissa = sci.split('e').next().unwrap_or("");
    mantissa.bytes().filter(u8::is_ascii_digit).count()
}

/// Lays out Rust's `d.ddde±n` the way Java does.
fn layout(sci: &str) -> String {
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = match digits.trim_end_matches('0') {
        "" => "0",
        d => d,
    };
    if (-3..7).contains(&exp) {
        plain(sign, digits, exp)
    } else {
        let (first, rest) = digits.split_at(1);
        let rest = if rest.is_empty() { "0" } else { rest };
        format!("{sign}{first}.{rest}E{exp}")
    }
}

fn plain(sign: &str, digits: &str, exp: i32) -> String {
    if exp < 0 {
        let zeros = "0".repeat((-exp - 1) as usize);
        return format!("{sign}0.{zeros}{digits}");
    }
    let int_len = exp as usize + 1;
    if digits.len() <= int_len {
        let zeros = "0".repeat(int_len - digits.len());
        format!("{sign}{digits}{zeros}.0")
    } else {
        let (int, frac) = digits.split_at(int_len);
        format!("{sign}{int}.{frac}")
    }
}

/// A UTC calendar instant broken into fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    millis_of_day: i64,
}

impl Civil {
    fn from_epoch_millis(millis: i64) -> Civil {
        let days = millis.div_euclid(MILLIS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month: month as u32,
            day: day as u32,
            millis_of_day: millis.rem_euclid(MILLIS_PER_DAY),
        }
    }

    fn date(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    fn time(&self) -> String {
        let ms = self.millis_of_day;
        format!(
            "{:02}:{:02}:{:02}.{:03}",
            ms / 3_600_000,
            ms / 60_000 % 60,
            ms / 1000 % 60,
            ms % 1000
        )
    }
}

/// `Values`' choice of ISO-8601 form by the instant itself, as Java's `dateFormatFor`:
/// under a day → `HH:mm:ss.SSSZ`, whole days → `yyyy-MM-dd`, else the full timestamp.
pub(crate) fn iso8601(millis: i64) -> String {
    let c = Civil::from_epoch_millis(millis);
    if (0..MILLIS_PER_DAY).contains(&millis) {
        format!("{}Z", c.time())
    } else if millis % MILLIS_PER_DAY == 0 {
        c.date()
    } else {
        format!("{}T{}Z", c.date(), c.time())
    }
}

/// `java.util.Date.toString()` in UTC: `Thu Jan 01 00:00:00 UTC 1970`.
pub(crate) fn java_date_to_string(millis: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let c = Civil::from_epoch_millis(millis);
    let weekday = DAYS[millis.div_euclid(MILLIS_PER_DAY).rem_euclid(7) as usize];
    let time = c.time();
    format!(
        "{weekday} {} {:02} {} UTC {}",
        MONTHS[(c.month - 1) as usize],
        c.day,
        &time[..8],
        c.year
    )
}

/// Parses `Values`' three ISO-8601 forms: `yyyy-MM-dd` (→ days), `HH:mm:ss.SSSZ` (→ ms of day)
/// and `yyyy-MM-ddTHH:mm:ss.SSSZ` (→ epoch ms).
pub(crate) enum Temporal {
    Date(i32),
    Time(i32),
    Timestamp(i64),
}

pub(crate) fn parse_temporal(text: &str) -> Option<Temporal> {
    match text.len() {
        10 => parse_date(text)
            .and_then(|d| i32::try_from(d).ok())
            .map(Temporal::Date),
        13 => parse_time(text).map(|t| Temporal::Time(t as i32)),
        24 => {
            let (date, time) = text.split_once('T')?;
            let millis = parse_date(date)? * MILLIS_PER_DAY + parse_time(time)?;
            Some(Temporal::Timestamp(millis))
        }
        _ => None,
    }
}

fn parse_date(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = number(&text[0..4])?;
    let month = number(&text[5..7])? as u32;
    let day = number(&text[8..10])? as u32;
    let (month, day) = (i64::from(month), i64::from(day));
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

fn parse_time(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 13 || b[2] != b':' || b[5] != b':' || b[8] != b'.' || b[12] != b'Z' {
        return None;
    }
    let (h, m, s, ms) = (
        number(&text[0..2])?,
        number(&text[3..5])?,
        number(&text[6..8])?,
        number(&text[9..12])?,
    );
    if h > 23 || m > 59 || s > 59 {
        return None;
    }
    Some(((h * 60 + m) * 60 + s) * 1000 + ms)
}

fn number(text: &str) -> Option<i64> {
    if text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_format_as_java() {
        let cases = [
            (1.0, "1.0"),
            (-2.5, "-2.5"),
            (0.1, "0.1"),
            (100.0, "100.0"),
            (1234567.0, "1234567.0"),
            (1.0e7, "1.0E7"),
            (12345678.9, "1.23456789E7"),
            (0.001, "0.001"),
            (0.0001, "1.0E-4"),
            (1.5e-10, "1.5E-10"),
            (1e21, "1.0E21"),
            (f64::MAX, "1.7976931348623157E308"),
            (f64::MIN_POSITIVE * f64::EPSILON, "4.9E-324"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
        ];
        for (v, text) in cases {
            assert_eq!(java_double_to_string(v), text, "{v:e}");
        }
    }

    #[test]
    fn floats_format_at_float_precision() {
        assert_eq!(java_float_to_string(0.1), "0.1");
        assert_eq!(java_float_to_string(1.0), "1.0");
        assert_eq!(java_float_to_string(3.4028235e38), "3.4028235E38");
        assert_eq!(java_float_to_string(1.0e-5), "1.0E-5");
        assert_eq!(java_float_to_string(16777216.0), "1.6777216E7");
        assert_eq!(java_float_to_string(1.4e-45), "1.4E-45");
    }

    #[test]
    fn civil_conversions_round_trip() {
        for days in [-719_468, -1, 0, 1, 10_000, 19_723, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(10_000), (1997, 5, 19));
        assert_eq!(days_from_civil(2000, 2, 29), 11_016);
    }

    #[test]
    fn iso_forms_follow_values_date_format_for() {
        assert_eq!(iso8601(14_400_000), "04:00:00.000Z");
        assert_eq!(iso8601(10_000 * MILLIS_PER_DAY), "1997-05-19");
        assert_eq!(iso8601(4_000_000_000), "1970-02-16T07:06:40.000Z");
        assert_eq!(iso8601(-1), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn temporal_parsing_is_strict_about_shape_and_range() {
        assert!(matches!(
            parse_temporal("1997-05-19"),
            Some(Temporal::Date(10_000))
        ));
        assert!(matches!(
            parse_temporal("04:00:00.000Z"),
            Some(Temporal::Time(14_400_000))
        ));
        assert!(matches!(
            parse_temporal("1970-02-16T07:06:40.000Z"),
            Some(Temporal::Timestamp(4_000_000_000))
        ));
        for bad in [
            "1997-02-30",
            "25:00:00.000Z",
            "1997/05/19",
            "1997-05-1x",
            "12345",
        ] {
            assert!(parse_temporal(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn java_date_to_string_is_utc() {
        assert_eq!(java_date_to_string(0), "Thu Jan 01 00:00:00 UTC 1970");
        assert_eq!(
            java_date_to_string(4_000_000_000),
            "Mon Feb 16 07:06:40 UTC 1970"
        );
    }
}
