//! Codecs for Connect's internal topics (`connect-configs`, `connect-status`,
//! `connect-offsets`), the Java-compatible partitioner, the standalone offsets file, and the
//! inspector's views and offsets topic path on top of them.
//!
//! Everything here is pure (bytes in, values out) and writes the exact bytes the Java worker
//! writes, so records land on the same compacted keys and partitions (spec `connect.md` §2–§4).
//! The one seam to Kafka is the `inspect::TopicIo` trait, implemented in `kafka::topic_read`.

pub mod configs;
pub mod inspect;
pub(crate) mod json;
pub mod murmur2;
pub mod offset_file;
pub mod offset_reset;
pub mod offsets;
pub mod status;

use std::fmt;

use thiserror::Error;

/// Which of Connect's internal stores a record or file belongs to; named in every error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    ConfigTopic,
    StatusTopic,
    OffsetTopic,
    OffsetFile,
}

impl fmt::Display for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Store::ConfigTopic => "config topic",
            Store::StatusTopic => "status topic",
            Store::OffsetTopic => "offsets topic",
            Store::OffsetFile => "standalone offsets file",
        })
    }
}

/// A record or file that Java's reader would reject or skip. The message is one line: the
/// store, the record key when there is one (quoted, so odd bytes stay visible), the problem.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{store}{}: {problem}", key_label(.key.as_deref()))]
pub struct CodecError {
    pub store: Store,
    pub key: Option<String>,
    pub problem: String,
}

impl CodecError {
    pub(crate) fn keyed(store: Store, key: &str, problem: impl Into<String>) -> CodecError {
        CodecError {
            store,
            key: Some(key.to_owned()),
            problem: problem.into(),
        }
    }

    pub(crate) fn unkeyed(store: Store, problem: impl Into<String>) -> CodecError {
        CodecError {
            store,
            key: None,
            problem: problem.into(),
        }
    }
}

/// Java's `String.split("-")`, which both topics use to take task keys apart: like
/// `str::split`, minus the trailing empty strings.
fn java_split_dash(s: &str) -> Vec<&str> {
    let mut parts: Vec<&str> = s.split('-').collect();
    // Without a dash Java returns the string itself, even when empty.
    if parts.len() > 1 {
        while parts.last() == Some(&"") {
            parts.pop();
        }
    }
    parts
}

fn key_label(key: Option<&str>) -> String {
    key.map(|k| format!(", key {k:?}")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_names_store_key_and_problem_on_one_line() {
        let e = CodecError::keyed(Store::ConfigTopic, "commit-a\nb", "\"tasks\" is missing");
        assert_eq!(
            e.to_string(),
            r#"config topic, key "commit-a\nb": "tasks" is missing"#
        );
        let e = CodecError::unkeyed(Store::OffsetFile, "not a Java serialization stream");
        assert_eq!(
            e.to_string(),
            "standalone offsets file: not a Java serialization stream"
        );
    }

    #[test]
    fn split_drops_trailing_empty_parts_like_java() {
        assert_eq!(java_split_dash("task-a--0--"), ["task", "a", "", "0"]);
        assert_eq!(java_split_dash("-"), Vec::<&str>::new());
        assert_eq!(java_split_dash(""), [""]);
        assert_eq!(java_split_dash("task"), ["task"]);
    }
}
