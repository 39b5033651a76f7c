//! The logical types (Java's `Decimal`, `Date`, `Time`, `Timestamp`): their schema names and
//! builders, and the `Decimal` value with its byte form (`BigInteger.toByteArray()`) and its
//! text form (`BigDecimal.toString()`).

use std::fmt;
use std::str::FromStr;

use super::{DataError, Schema, Type};

pub const DECIMAL_NAME: &str = "org.apache.kafka.connect.data.Decimal";
/// The Decimal schema parameter that holds the scale, as a decimal string.
pub const DECIMAL_SCALE: &str = "scale";
pub const DATE_NAME: &str = "org.apache.kafka.connect.data.Date";
pub const TIME_NAME: &str = "org.apache.kafka.connect.data.Time";
pub const TIMESTAMP_NAME: &str = "org.apache.kafka.connect.data.Timestamp";

/// Which logical type a schema names. Date and Time values are carried as `Value::Int32`
/// (days since the epoch, milliseconds of the day), Timestamp as `Value::Int64` (epoch ms),
/// Decimal as `Value::Decimal`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogicalType {
    Decimal,
    Date,
    Time,
    Timestamp,
}

impl Schema {
    /// Java's `Decimal.builder(scale)`: bytes, the Decimal name, version 1, parameter `scale`.
    pub fn decimal(scale: i32) -> Schema {
        Schema::new(Type::Bytes)
            .name(DECIMAL_NAME)
            .parameter(DECIMAL_SCALE, scale.to_string())
            .version(1)
    }

    /// Java's `Date.builder()`: int32 days since 1970-01-01, version 1.
    pub fn date() -> Schema {
        Schema::new(Type::Int32).name(DATE_NAME).version(1)
    }

    /// Java's `Time.builder()`: int32 milliseconds since midnight, version 1.
    pub fn time() -> Schema {
        Schema::new(Type::Int32).name(TIME_NAME).version(1)
    }

    /// Java's `Timestamp.builder()`: int64 milliseconds since the epoch, version 1.
    pub fn timestamp() -> Schema {
        Schema::new(Type::Int64).name(TIMESTAMP_NAME).version(1)
    }

    /// The logical type this schema's name selects (Java looks logical types up by name only).
    pub fn logical_type(&self) -> Option<LogicalType> {
        match self.name.as_deref()? {
            DECIMAL_NAME => Some(LogicalType::Decimal),
            DATE_NAME => Some(LogicalType::Date),
            TIME_NAME => Some(LogicalType::Time),
            TIMESTAMP_NAME => Some(LogicalType::Timestamp),
            _ => None,
        }
    }

    /// The `scale` parameter of a Decimal schema.
    pub fn decimal_scale(&self) -> Result<i32, DataError> {
        let text = self
            .parameters
            .as_ref()
            .and_then(|p| p.get(DECIMAL_SCALE))
            .ok_or_else(|| {
                DataError::invalid("Invalid Decimal schema: scale parameter not found.")
            })?;
        text.parse().map_err(|_| {
            DataError::invalid(format!(
                "Invalid scale parameter found in Decimal schema: {text}"
            ))
        })
    }
}

/// An arbitrary-precision decimal limited to a 128-bit unscaled value: `unscaled × 10^-scale`.
/// Equality includes the scale, as `BigDecimal.equals` (1.5 ≠ 1.50).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Decimal {
    pub unscaled: i128,
    pub scale: i32,
}

impl Decimal {
    pub fn new(unscaled: i128, scale: i32) -> Decimal {
        Decimal { unscaled, scale }
    }

    /// Big-endian two's complement in the fewest bytes, at least one (`BigInteger.toByteArray()`).
    pub fn to_bytes(&self) -> Vec<u8> {
        let all = self.unscaled.to_be_bytes();
        let sign_byte = if self.unscaled < 0 { 0xff } else { 0x00 };
        // Drop leading sign bytes while the next byte still carries the sign in its top bit.
        let mut start = 0;
        while start < all.len() - 1
            && all[start] == sign_byte
            && (all[start + 1] & 0x80) == (sign_byte & 0x80)
        {
            start += 1;
        }
        all[start..].to_vec()
    }

    /// The inverse of [`Decimal::to_bytes`] (`Decimal.toLogical`).
    pub fn from_bytes(bytes: &[u8], scale: i32) -> Result<Decimal, DataError> {
        let Some(&first) = bytes.first() else {
            return Err(DataError::invalid("Invalid Decimal bytes: empty"));
        };
        let sign_byte = if first & 0x80 != 0 { 0xff } else { 0x00 };
        let (extra, tail) = bytes.split_at(bytes.len().saturating_sub(16));
        let mut buf = [sign_byte; 16];
        buf[16 - tail.len()..].copy_from_slice(tail);
        let unscaled = i128::from_be_bytes(buf);
        // Leading bytes beyond 16 may only repeat the sign, and must not flip it.
        if extra.iter().any(|&b| b != sign_byte) || (unscaled < 0) != (sign_byte == 0xff) {
            return Err(DataError::invalid(format!(
                "Decimal value of {} bytes is larger than 128 bits",
                bytes.len()
            )));
        }
        Ok(Decimal::new(unscaled, scale))
    }

    /// The same number at `scale`, if that loses nothing and fits.
    pub fn rescale(&self, scale: i32) -> Option<Decimal> {
        let diff = i64::from(scale) - i64::from(self.scale);
        let factor = 10i128.checked_pow(u32::try_from(diff.unsigned_abs()).ok()?)?;
        let unscaled = if diff >= 0 {
            self.unscaled.checked_mul(factor)?
        } else if self.unscaled % factor == 0 {
            self.unscaled / factor
        } else {
            return None;
        };
        Some(Decimal::new(unscaled, scale))
    }
}

/// `BigDecimal.toString()`: plain when the scale is non-negative and the adjusted exponent is at
/// least -6, otherwise scientific (`1.56E+4`, `1E-7`).
impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.unscaled.unsigned_abs().to_string();
        let sign = if self.unscaled < 0 { "-" } else { "" };
        let scale = i64::from(self.scale);
        let len = digits.len() as i64;
        let adjusted = len - 1 - scale;
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        if scale > 0 && adjusted >= -6 {
            return if len > scale {
                let (int, frac) = digits.split_at((len - scale) as usize);
                write!(f, "{sign}{int}.{frac}")
            } else {
                let zeros = "0".repeat((scale - len) as usize);
                write!(f, "{sign}0.{zeros}{digits}")
            };
        }
        let (first, rest) = digits.split_at(1);
        write!(f, "{sign}{first}")?;
        if !rest.is_empty() {
            write!(f, ".{rest}")?;
        }
        match adjusted {
            0 => Ok(()),
            a if a > 0 => write!(f, "E+{a}"),
            a => write!(f, "E{a}"),
        }
    }
}

/// Java's `new BigDecimal(String)` grammar: optional sign, digits with an optional point,
/// optional exponent; the scale is the digits after the point minus the exponent.
impl FromStr for Decimal {
    type Err = DataError;

    fn from_str(text: &str) -> Result<Decimal, DataError> {
        let bad = || DataError::invalid(format!("Invalid decimal number: {text}"));
        let (mantissa, exponent) = match text.find(['e', 'E']) {
            Some(at) => (
                &text[..at],
                parse_exponent(&text[at + 1..]).ok_or_else(bad)?,
            ),
            None => (text, 0),
        };
        let (negative, unsigned) = match mantissa.as_bytes().first() {
            Some(b'-') => (true, &mantissa[1..]),
            Some(b'+') => (false, &mantissa[1..]),
            _ => (false, mantissa),
        };
        let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if int.len() + frac.len() == 0 || !all_digits(int) || !all_digits(frac) {
            return Err(bad());
        }
        let mut unscaled: i128 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            unscaled = unscaled
                .checked_mul(10)
                .and_then(|u| u.checked_add(i128::from(b - b'0')))
                .ok_or_else(|| {
                    DataError::invalid(format!("Decimal {text} has more than 38 digits"))
                })?;
        }
        let scale = i64::try_from(frac.len()).map_err(|_| bad())? - exponent;
        let scale = i32::try_from(scale).map_err(|_| bad())?;
        Ok(Decimal::new(
            if negative { -unscaled } else { unscaled },
            scale,
        ))
    }
}

fn parse_exponent(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_minimal_twos_complement_like_biginteger() {
        let cases: [(i128, &[u8]); 7] = [
            (0, &[0x00]),
            (156, &[0x00, 0x9c]),
            (127, &[0x7f]),
            (128, &[0x00, 0x80]),
            (-1, &[0xff]),
            (-128, &[0x80]),
            (-129, &[0xff, 0x7f]),
        ];
        for (n, bytes) in cases {
            assert_eq!(Decimal::new(n, 2).to_bytes(), bytes, "{n}");
            assert_eq!(Decimal::from_bytes(bytes, 2).unwrap(), Decimal::new(n, 2));
        }
        let max = Decimal::new(i128::MAX, 0);
        assert_eq!(Decimal::from_bytes(&max.to_bytes(), 0).unwrap(), max);
    }

    #[test]
    fn from_bytes_refuses_empty_and_oversized_values() {
        assert!(Decimal::from_bytes(&[], 0).is_err());
        let mut wide = vec![0x00, 0x00];
        wide.extend([0x01; 16]);
        assert_eq!(
            Decimal::from_bytes(&wide, 0).unwrap().to_bytes(),
            vec![0x01; 16]
        );
        let mut too_wide = vec![0x01];
        too_wide.extend([0x00; 16]);
        assert!(Decimal::from_bytes(&too_wide, 0).is_err());
    }

    #[test]
    fn display_matches_bigdecimal_to_string() {
        let cases = [
            (156, 2, "1.56"),
            (-156, 2, "-1.56"),
            (5, 3, "0.005"),
            (150, 2, "1.50"),
            (156, -2, "1.56E+4"),
            (0, -2, "0E+2"),
            (1, 7, "1E-7"),
            (123, 8, "0.00000123"),
            (123, 9, "1.23E-7"),
            (42, 0, "42"),
        ];
        for (unscaled, scale, text) in cases {
            assert_eq!(Decimal::new(unscaled, scale).to_string(), text);
        }
    }

    #[test]
    fn parses_bigdecimal_grammar() {
        assert_eq!("1.56".parse::<Decimal>().unwrap(), Decimal::new(156, 2));
        assert_eq!("-0.50".parse::<Decimal>().unwrap(), Decimal::new(-50, 2));
        assert_eq!("1e3".parse::<Decimal>().unwrap(), Decimal::new(1, -3));
        assert_eq!("+1.5E-2".parse::<Decimal>().unwrap(), Decimal::new(15, 3));
        assert_eq!("7.".parse::<Decimal>().unwrap(), Decimal::new(7, 0));
        for bad in ["", "-", ".", "1.2.3", "1e", "abc", "1e+", "NaN"] {
            assert!(bad.parse::<Decimal>().is_err(), "{bad}");
        }
    }

    #[test]
    fn rescale_only_when_exact() {
        let d = Decimal::new(15, 1);
        assert_eq!(d.rescale(3), Some(Decimal::new(1500, 3)));
        assert_eq!(Decimal::new(1500, 3).rescale(1), Some(d));
        assert_eq!(Decimal::new(1501, 3).rescale(1), None);
    }

    #[test]
    fn logical_schemas_follow_java() {
        let d = Schema::decimal(2);
        assert_eq!(d.logical_type(), Some(LogicalType::Decimal));
        assert_eq!(d.decimal_scale().unwrap(), 2);
        assert_eq!(d.version, Some(1));
        assert_eq!(Schema::date().kind, Type::Int32);
        assert_eq!(Schema::time().logical_type(), Some(LogicalType::Time));
        assert_eq!(Schema::timestamp().kind, Type::Int64);
        assert!(Schema::new(Type::Bytes)
            .name(DECIMAL_NAME)
            .decimal_scale()
            .is_err());
        assert!(Schema::new(Type::Bytes)
            .parameter("scale", "x")
            .decimal_scale()
            .is_err());
    }
}
