//! The predicates of `org.apache.kafka.connect.transforms.predicates`: `TopicNameMatches`
//! (the whole topic name matches a regex), `HasHeaderKey` and `RecordIsTombstone`.

use regex::Regex;

use super::support::{full_match_regex, Conf, ConfigError};
use super::Predicate;
use crate::worker::configdef::{ConfigDef, ConfigType, Default, Importance, Key, Validator};
use crate::worker::data::ConnectRecord;

const PATTERN: &str = "pattern";
const NAME: &str = "name";

pub(crate) fn topic_name_matches_def() -> ConfigDef {
    ConfigDef::new().plain(
        Key::new(
            PATTERN,
            ConfigType::String,
            Default::Required,
            Importance::Medium,
            "A Java regular expression for matching against the name of a record's topic.",
        ),
        Validator::NonEmptyString,
    )
}

pub(crate) fn build_topic_name_matches(conf: &Conf) -> Result<Box<dyn Predicate>, ConfigError> {
    let pattern = conf.string(PATTERN).unwrap_or_default();
    let regex = full_match_regex(&pattern).map_err(|why| conf.invalid(PATTERN, &pattern, why))?;
    Ok(Box::new(TopicNameMatches { regex }))
}

struct TopicNameMatches {
    regex: Regex,
}

impl Predicate for TopicNameMatches {
    fn test(&self, record: &ConnectRecord) -> bool {
        self.regex.is_match(&record.topic)
    }
}

pub(crate) fn has_header_key_def() -> ConfigDef {
    ConfigDef::new().plain(
        Key::new(
            NAME,
            ConfigType::String,
            Default::Required,
            Importance::Medium,
            "The header name.",
        ),
        Validator::NonEmptyString,
    )
}

pub(crate) fn build_has_header_key(conf: &Conf) -> Result<Box<dyn Predicate>, ConfigError> {
    Ok(Box::new(HasHeaderKey {
        name: conf.string(NAME).unwrap_or_default(),
    }))
}

struct HasHeaderKey {
    name: String,
}

impl Predicate for HasHeaderKey {
    fn test(&self, record: &ConnectRecord) -> bool {
        record.headers.iter().any(|h| h.key == self.name)
    }
}

pub(crate) fn record_is_tombstone_def() -> ConfigDef {
    ConfigDef::new()
}

pub(crate) struct RecordIsTombstone;

impl Predicate for RecordIsTombstone {
    fn test(&self, record: &ConnectRecord) -> bool {
        record.value.is_null()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::data::{Header, Value};
    use crate::worker::transform::registry::test_predicate;

    fn record(topic: &str) -> ConnectRecord {
        ConnectRecord::new(topic.into(), None, Value::from("v"))
    }

    #[test]
    fn topic_name_matches_the_whole_name() {
        let p = test_predicate(
            "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
            &[("pattern", "orders-.*")],
        )
        .unwrap();
        assert!(p.test(&record("orders-eu")));
        assert!(!p.test(&record("old-orders-eu")));
        let err = test_predicate("TopicNameMatches", &[("pattern", "(")])
            .err()
            .unwrap();
        assert!(err.message.starts_with(
            "Invalid value ( for configuration transforms.t.pattern: Invalid regex: "
        ));
        let err = test_predicate("TopicNameMatches", &[("pattern", "")])
            .err()
            .unwrap();
        assert!(
            err.message.ends_with("String must be non-empty"),
            "{}",
            err.message
        );
    }

    #[test]
    fn has_header_key_looks_at_names() {
        let p = test_predicate("HasHeaderKey", &[("name", "trace")]).unwrap();
        let mut r = record("t");
        assert!(!p.test(&r));
        r.headers.push(Header::new("trace", None, Value::Null));
        assert!(p.test(&r));
        assert!(test_predicate("HasHeaderKey", &[]).is_err());
    }

    #[test]
    fn record_is_tombstone_checks_the_value() {
        let p = test_predicate(
            "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone",
            &[],
        )
        .unwrap();
        assert!(!p.test(&record("t")));
        assert!(p.test(&ConnectRecord::new("t".into(), None, Value::Null)));
    }
}
