//! The topic routers: `RegexRouter` (a full-match regex and a Java `Matcher` replacement with
//! `$1` / `${name}` references) and `TimestampRouter` (`${topic}` and `${timestamp}` in a topic
//! format, the timestamp written with a SimpleDateFormat pattern in UTC).

use regex::{Captures, Regex};

use super::date_format::DateFormat;
use super::support::{full_match_regex, regex_error_text, Conf, ConfigError};
use super::Transformation;
use crate::worker::configdef::{ConfigDef, ConfigType, Default, Importance, Key, Validator};
use crate::worker::data::ConnectRecord;

const REGEX: &str = "regex";
const REPLACEMENT: &str = "replacement";
const TOPIC_FORMAT: &str = "topic.format";
const TIMESTAMP_FORMAT: &str = "timestamp.format";

pub(crate) fn regex_router_def() -> ConfigDef {
    ConfigDef::new()
        .plain(
            Key::new(
                REGEX,
                ConfigType::String,
                Default::Required,
                Importance::High,
                "Regular expression to use for matching.",
            ),
            Validator::Any,
        )
        .plain(
            Key::new(
                REPLACEMENT,
                ConfigType::String,
                Default::Required,
                Importance::High,
                "Replacement string.",
            ),
            Validator::Any,
        )
}

pub(crate) fn build_regex_router(conf: &Conf) -> Result<Box<dyn Transformation>, ConfigError> {
    let pattern = conf.string(REGEX).unwrap_or_default();
    let invalid = |why| conf.invalid(REGEX, &pattern, why);
    let whole = full_match_regex(&pattern).map_err(invalid)?;
    let first = Regex::new(&pattern)
        .map_err(|e| invalid(format!("Invalid regex: {}", regex_error_text(&e))))?;
    let text = conf.string(REPLACEMENT).unwrap_or_default();
    let replacement =
        Replacement::parse(&text, &first).map_err(|why| conf.invalid(REPLACEMENT, &text, why))?;
    Ok(Box::new(RegexRouter {
        whole,
        first,
        replacement,
    }))
}

struct RegexRouter {
    /// Decides whether the topic is routed (Java's `Matcher.matches()`).
    whole: Regex,
    /// Finds what is replaced: Java's `replaceFirst` searches again, so for a pattern like
    /// `a|ab` on `ab` only the `a` is replaced.
    first: Regex,
    replacement: Replacement,
}

impl Transformation for RegexRouter {
    fn apply(&self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>, String> {
        if !self.whole.is_match(&record.topic) {
            return Ok(Some(record));
        }
        let routed = self.first.captures(&record.topic).map(|captures| {
            let (start, end) = captures.get(0).map_or((0, 0), |m| (m.start(), m.end()));
            let topic = &record.topic;
            format!(
                "{}{}{}",
                &topic[..start],
                self.replacement.expand(&captures),
                &topic[end..]
            )
        });
        if let Some(topic) = routed {
            record.topic = topic;
        }
        Ok(Some(record))
    }
}

/// A parsed `Matcher.appendReplacement` string.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Text(String),
    Group(usize),
    Named(String),
}

#[derive(Debug, Clone, PartialEq)]
struct Replacement {
    pieces: Vec<Piece>,
}

impl Replacement {
    /// Java's rules: `\x` is a literal `x`; `$n` takes as many digits as still name a group;
    /// `${name}` is a named group; anything else after `$` is an error.
    fn parse(text: &str, regex: &Regex) -> Result<Replacement, String> {
        let groups = regex.captures_len() - 1;
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' => literal.push(chars.next().ok_or("character to be escaped is missing")?),
                '$' => {
                    let piece = match chars.peek() {
                        Some('{') => {
                            chars.next();
                            let name: String = chars.by_ref().take_while(|&c| c != '}').collect();
                            if regex.capture_names().flatten().all(|n| n != name) {
                                return Err(format!("No group with name {{{name}}}"));
                            }
                            Piece::Named(name)
                        }
                        Some(d) if d.is_ascii_digit() => {
                            Piece::Group(group_number(&mut chars, groups)?)
                        }
                        _ => return Err("Illegal group reference".to_string()),
                    };
                    if !literal.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut literal)));
                    }
                    pieces.push(piece);
                }
                other => literal.push(other),
            }
        }
        if !literal.is_empty() {
            pieces.push(Piece::Text(literal));
        }
        Ok(Replacement { pieces })
    }

    /// Unmatched groups add nothing, as in Java.
    fn expand(&self, captures: &Captures<'_>) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Group(n) => out.push_str(captures.get(*n).map_or("", |m| m.as_str())),
                Piece::Named(name) => out.push_str(captures.name(name).map_or("", |m| m.as_str())),
            }
        }
        out
    }
}

fn group_number(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    groups: usize,
) -> Result<usize, String> {
    let first = chars.next().and_then(|c| c.to_digit(10)).unwrap_or(0) as usize;
    if first > groups {
        return Err(format!("No group {first}"));
    }
    let mut number = first;
    while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
        let longer = number * 10 + d as usize;
        if longer > groups {
            break;
        }
        number = longer;
        chars.next();
    }
    Ok(number)
}

pub(crate) fn timestamp_router_def() -> ConfigDef {
    ConfigDef::new()
        .plain(
            Key::new(
                TOPIC_FORMAT,
                ConfigType::String,
                Default::Value("${topic}-${timestamp}"),
                Importance::High,
                "Format string which can contain ${topic} and ${timestamp} as placeholders for the topic and timestamp, respectively.",
            ),
            Validator::Any,
        )
        .plain(
            Key::new(
                TIMESTAMP_FORMAT,
                ConfigType::String,
                Default::Value("yyyyMMdd"),
                Importance::High,
                "Format string for the timestamp that is compatible with java.text.SimpleDateFormat.",
            ),
            Validator::Any,
        )
}

pub(crate) fn build_timestamp_router(conf: &Conf) -> Result<Box<dyn Transformation>, ConfigError> {
    let pattern = conf.string(TIMESTAMP_FORMAT).unwrap_or_default();
    let format =
        DateFormat::new(&pattern).map_err(|why| conf.invalid(TIMESTAMP_FORMAT, &pattern, why))?;
    Ok(Box::new(TimestampRouter {
        topic_format: conf.string(TOPIC_FORMAT).unwrap_or_default(),
        format,
    }))
}

struct TimestampRouter {
    topic_format: String,
    format: DateFormat,
}

impl Transformation for TimestampRouter {
    fn apply(&self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>, String> {
        let Some(timestamp) = record.timestamp else {
            return Err(format!(
                "Timestamp missing on record: topic {}, partition {}",
                record.topic,
                record
                    .kafka_partition
                    .map_or("none".to_string(), |p| p.to_string())
            ));
        };
        // Java replaces ${topic} first, then ${timestamp} in the result.
        let with_topic = self.topic_format.replace("${topic}", &record.topic);
        record.topic = with_topic.replace("${timestamp}", &self.format.format(timestamp));
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::data::Value;
    use crate::worker::transform::registry::test_transform;

    fn route(regex: &str, replacement: &str, topic: &str) -> String {
        let t = test_transform(
            "org.apache.kafka.connect.transforms.RegexRouter",
            &[("regex", regex), ("replacement", replacement)],
        )
        .unwrap();
        t.apply(ConnectRecord::new(topic.into(), None, Value::Null))
            .unwrap()
            .unwrap()
            .topic
    }

    #[test]
    fn regex_router_rewrites_whole_matches_only() {
        assert_eq!(route("(.*)-(.*)", "$2_$1", "a-b"), "b_a");
        assert_eq!(
            route("(?<p>[a-z]+)\\.(.*)", "${p}-$2", "db.orders"),
            "db-orders"
        );
        assert_eq!(route("a", "b", "ab"), "ab");
        assert_eq!(route("(a)|(b)", "x$2y", "a"), "xy");
        assert_eq!(route("(a)", "\\$1-$10", "a"), "$1-a0");
        assert_eq!(route("orders", "orders_v2", "orders"), "orders_v2");
        assert_eq!(route("a|ab", "x", "ab"), "xb");
    }

    #[test]
    fn regex_router_config_errors() {
        let err = |regex: &str, replacement: &str| {
            test_transform(
                "RegexRouter",
                &[("regex", regex), ("replacement", replacement)],
            )
            .err()
            .unwrap()
            .message
        };
        assert!(err("(a", "x")
            .starts_with("Invalid value (a for configuration transforms.t.regex: Invalid regex: "));
        assert_eq!(
            err("(a)", "$2"),
            "Invalid value $2 for configuration transforms.t.replacement: No group 2"
        );
        assert!(err("(a)", "$x").ends_with("Illegal group reference"));
        assert!(err("(a)", "${n}").ends_with("No group with name {n}"));
        assert!(err("(a)", "x\\").ends_with("character to be escaped is missing"));
        let missing = test_transform("RegexRouter", &[("regex", "a")])
            .err()
            .unwrap();
        assert!(missing.message.contains("\"transforms.t.replacement\""));
    }

    #[test]
    fn timestamp_router_formats_topic() {
        let t = test_transform("TimestampRouter", &[]).unwrap();
        let mut r = ConnectRecord::new("logs".into(), None, Value::Null);
        r.timestamp = Some(1_704_453_296_789);
        assert_eq!(t.apply(r.clone()).unwrap().unwrap().topic, "logs-20240105");
        let t = test_transform(
            "org.apache.kafka.connect.transforms.TimestampRouter",
            &[
                ("topic.format", "${timestamp}.${topic}"),
                ("timestamp.format", "yyyy-MM-dd'T'HH"),
            ],
        )
        .unwrap();
        assert_eq!(
            t.apply(r.clone()).unwrap().unwrap().topic,
            "2024-01-05T11.logs"
        );
        r.timestamp = None;
        assert!(t
            .apply(r)
            .unwrap_err()
            .starts_with("Timestamp missing on record: topic logs"));
        let err = test_transform("TimestampRouter", &[("timestamp.format", "yyyy'")])
            .err()
            .unwrap();
        assert_eq!(
            err.message,
            "Invalid value yyyy' for configuration transforms.t.timestamp.format: Unterminated quote"
        );
    }
}
