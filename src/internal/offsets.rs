//! `connect-offsets` (spec §4): source-connector offset keys `["<connector>",{partition}]` and
//! values `{offset}` as Java's internal `JsonConverter` writes them, the format check of
//! `OffsetUtils.validateFormat`, and `OffsetState`, the latest offset per exact key bytes.
//!
//! Identity is the key's byte string, so a writer must reproduce Java's bytes (field order,
//! number formatting) or reuse the bytes it read; `OffsetState::key_for` does the latter.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::json;
use super::{CodecError, Store};
use crate::connect::types::JsonMap;

/// The record key for a source partition: `["<connector>",{…}]`, compact, the partition's
/// fields in their own order (Java writes its `Map`'s iteration order).
pub fn encode_key(connector: &str, partition: &JsonMap) -> Vec<u8> {
    let mut out = vec![b'['];
    json::write_str(&mut out, connector);
    out.push(b',');
    json::write_map(&mut out, partition);
    out.push(b']');
    out
}

/// Decodes a key into (connector, partition). `Ok(None)` for the keys Java's
/// `OffsetUtils.processPartitionKey` skips: anything but a two-element `[String, Map]` list,
/// including `[name, null]`. Bytes that are not JSON are an error.
pub fn decode_key(bytes: &[u8]) -> Result<Option<(String, JsonMap)>, CodecError> {
    let value = json::parse(bytes).map_err(|problem| {
        CodecError::keyed(Store::OffsetTopic, &String::from_utf8_lossy(bytes), problem)
    })?;
    let Value::Array(items) = value else {
        return Ok(None);
    };
    Ok(match <[Value; 2]>::try_from(items) {
        Ok([Value::String(connector), Value::Object(partition)]) => Some((connector, partition)),
        _ => None,
    })
}

/// The record value for an offset; `None` (a Kafka tombstone) deletes the partition's offset.
pub fn encode_value(offset: Option<&JsonMap>) -> Option<Vec<u8>> {
    offset.map(|map| {
        let mut out = Vec::new();
        json::write_map(&mut out, map);
        out
    })
}

/// Decodes a value as Java's offset reader does: a tombstone or JSON `null` is no offset,
/// anything else must be a map that passes [`validate_format`].
pub fn decode_value(bytes: Option<&[u8]>) -> Result<Option<JsonMap>, CodecError> {
    let Some(bytes) = bytes else {
        return Ok(None);
    };
    let fail = |problem: String| CodecError::unkeyed(Store::OffsetTopic, problem);
    match json::parse(bytes).map_err(fail)? {
        Value::Null => Ok(None),
        Value::Object(map) => {
            validate_format(&map)?;
            Ok(Some(map))
        }
        _ => Err(fail("Offsets must be specified as a Map".to_owned())),
    }
}

/// `OffsetUtils.validateFormat`, which Java applies to both partitions and offsets before
/// writing them: values must be null or primitive (string, number, boolean), never a nested
/// map or list. The message is Java's, with Connect's schema type names.
pub fn validate_format(map: &JsonMap) -> Result<(), CodecError> {
    for (field, value) in map {
        let kind = match value {
            Value::Object(_) => "MAP",
            Value::Array(_) => "ARRAY",
            _ => continue,
        };
        return Err(CodecError::unkeyed(
            Store::OffsetTopic,
            format!(
                "Offsets may only contain primitive types as values, but field {field} contains {kind}"
            ),
        ));
    }
    Ok(())
}

/// The latest offset per exact key bytes, as Java's `KafkaOffsetBackingStore` keeps them.
/// Two keys that differ only in field order are two entries here, as in Java.
#[derive(Debug, Clone, Default)]
pub struct OffsetState {
    entries: BTreeMap<Vec<u8>, Vec<u8>>,
}

impl OffsetState {
    pub fn new() -> OffsetState {
        OffsetState::default()
    }

    /// Applies the next record of the log: a value replaces, a tombstone removes.
    pub fn apply(&mut self, key: &[u8], value: Option<&[u8]>) {
        match value {
            Some(value) => {
                self.entries.insert(key.to_vec(), value.to_vec());
            }
            None => {
                self.entries.remove(key);
            }
        }
    }

    /// The latest value for these exact key bytes.
    pub fn get(&self, key: &[u8]) -> Option<&[u8]> {
        self.entries.get(key).map(Vec::as_slice)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every (key, value) pair, in key byte order, including keys no connector owns.
    pub fn entries(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        self.entries
            .iter()
            .map(|(k, v)| (k.as_slice(), v.as_slice()))
    }

    /// Every live partition whose key decodes as `[connector, {partition}]`, in key byte
    /// order (which groups them by connector). Each keeps its original key bytes.
    pub fn partitions(&self) -> impl Iterator<Item = SourcePartition<'_>> {
        self.entries.iter().filter_map(|(key, value)| {
            let (connector, partition) = decode_key(key).ok()??;
            Some(SourcePartition {
                connector,
                partition,
                key,
                value,
            })
        })
    }

    /// The live partitions of one connector.
    pub fn partitions_of<'a>(
        &'a self,
        connector: &'a str,
    ) -> impl Iterator<Item = SourcePartition<'a>> + 'a {
        self.partitions().filter(move |p| p.connector == connector)
    }

    /// Connectors that have at least one live partition.
    pub fn connectors(&self) -> BTreeSet<String> {
        self.partitions().map(|p| p.connector).collect()
    }

    /// The key to write for a partition's new offset (or tombstone): the bytes already in the
    /// topic for an equal partition (same fields and values, in any order), so the record
    /// replaces that one; otherwise a fresh encoding. If several keys match, the first in byte
    /// order wins.
    pub fn key_for(&self, connector: &str, partition: &JsonMap) -> Vec<u8> {
        self.partitions_of(connector)
            .find(|p| p.partition == *partition)
            .map(|p| p.key.to_vec())
            .unwrap_or_else(|| encode_key(connector, partition))
    }
}

/// One connector's source partition and its latest raw offset.
#[derive(Debug, Clone, PartialEq)]
pub struct SourcePartition<'a> {
    pub connector: String,
    pub partition: JsonMap,
    /// The key bytes as read from the topic; reuse them to rewrite this partition.
    pub key: &'a [u8],
    pub value: &'a [u8],
}

impl SourcePartition<'_> {
    /// The decoded offset; `None` when the stored value is JSON `null`.
    pub fn offset(&self) -> Result<Option<JsonMap>, CodecError> {
        decode_value(Some(self.value)).map_err(|e| CodecError {
            key: Some(String::from_utf8_lossy(self.key).into_owned()),
            ..e
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::internal::murmur2::partition_for_key;

    fn map(json: &str) -> JsonMap {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn worked_example_golden() {
        let key = encode_key("local-file-source", &map(r#"{"filename":"test.txt"}"#));
        assert_eq!(key, br#"["local-file-source",{"filename":"test.txt"}]"#);
        assert_eq!(key.len(), 45);
        let value = encode_value(Some(&map(r#"{"position":30}"#))).unwrap();
        assert_eq!(value, br#"{"position":30}"#);
        assert_eq!(value.len(), 15);
        assert_eq!(partition_for_key(&key, 25), Some(10));

        let (connector, partition) = decode_key(&key).unwrap().unwrap();
        assert_eq!(connector, "local-file-source");
        assert_eq!(partition, map(r#"{"filename":"test.txt"}"#));
        assert_eq!(decode_value(Some(&value)).unwrap().unwrap()["position"], 30);
    }

    #[test]
    fn numbers_are_written_as_java_longs_and_doubles() {
        let value = encode_value(Some(&map(
            r#"{"a":30,"b":1.5,"c":1.0,"d":1e2,"e":-7,"f":0.0001,"g":true,"h":null,"i":"s"}"#,
        )))
        .unwrap();
        assert_eq!(
            String::from_utf8(value).unwrap(),
            r#"{"a":30,"b":1.5,"c":1.0,"d":100.0,"e":-7,"f":1.0E-4,"g":true,"h":null,"i":"s"}"#
        );
    }

    #[test]
    fn partition_fields_keep_their_order() {
        // Whatever order the map has is the order written (spec §4.2: Java's HashMap puts
        // kafka_partition before kafka_topic).
        let key = encode_key("c", &map(r#"{"kafka_partition":0,"kafka_topic":"t"}"#));
        assert_eq!(key, br#"["c",{"kafka_partition":0,"kafka_topic":"t"}]"#);
        assert_eq!(encode_key("c\"q", &JsonMap::new()), br#"["c\"q",{}]"#);
    }

    #[test]
    fn keys_java_ignores_decode_to_none() {
        for key in [
            r#"["c",null]"#,
            r#"["c"]"#,
            r#"["c",{},1]"#,
            r#"[1,{}]"#,
            r#"["c",[1]]"#,
            r#"{"c":{}}"#,
            r#""c""#,
            "null",
        ] {
            assert_eq!(decode_key(key.as_bytes()).unwrap(), None, "{key}");
        }
        let e = decode_key(b"\xffnot json").unwrap_err().to_string();
        assert!(
            e.starts_with("offsets topic, key \"\u{fffd}not json\": not JSON"),
            "{e}"
        );
    }

    #[test]
    fn values_decode_like_the_offset_reader() {
        assert_eq!(decode_value(None).unwrap(), None);
        assert_eq!(decode_value(Some(b"null")).unwrap(), None);
        assert_eq!(encode_value(None), None);
        let e = decode_value(Some(b"[1]")).unwrap_err().to_string();
        assert_eq!(e, "offsets topic: Offsets must be specified as a Map");
        let e = decode_value(Some(br#"{"pos":{"x":1}}"#))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "offsets topic: Offsets may only contain primitive types as values, but field pos contains MAP"
        );
    }

    #[test]
    fn validate_format_allows_primitives_and_nulls_only() {
        assert!(validate_format(&map(r#"{"a":1,"b":1.5,"c":"s","d":false,"e":null}"#)).is_ok());
        let e = validate_format(&map(r#"{"a":1,"list":[1]}"#)).unwrap_err();
        assert_eq!(
            e.problem,
            "Offsets may only contain primitive types as values, but field list contains ARRAY"
        );
    }

    #[test]
    fn state_keeps_latest_per_exact_key_bytes() {
        let mut state = OffsetState::new();
        let k1 = br#"["c",{"a":1,"b":2}]"#;
        let k2 = br#"["c",{"b":2,"a":1}]"#;
        state.apply(k1, Some(br#"{"pos":1}"#));
        state.apply(k1, Some(br#"{"pos":2}"#));
        state.apply(k2, Some(br#"{"pos":9}"#));
        assert_eq!(state.len(), 2);
        assert_eq!(state.get(k1), Some(&br#"{"pos":2}"#[..]));
        state.apply(k2, None);
        assert_eq!(state.get(k2), None);
        assert_eq!(state.len(), 1);
        state.apply(b"not json", Some(b"x"));
        assert_eq!(state.entries().count(), 2);
        assert_eq!(state.partitions().count(), 1);
    }

    #[test]
    fn partitions_are_listed_per_connector_with_their_key_bytes() {
        let mut state = OffsetState::new();
        state.apply(br#"["b",{"f":"x"}]"#, Some(br#"{"pos":1}"#));
        state.apply(br#"["a",{"f":"y"}]"#, Some(b"null"));
        state.apply(br#"["a",null]"#, Some(br#"{"pos":3}"#));
        assert_eq!(
            state.connectors().into_iter().collect::<Vec<_>>(),
            ["a", "b"]
        );
        let b: Vec<_> = state.partitions_of("b").collect();
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].key, br#"["b",{"f":"x"}]"#);
        assert_eq!(b[0].offset().unwrap(), Some(map(r#"{"pos":1}"#)));
        let a: Vec<_> = state.partitions_of("a").collect();
        assert_eq!(a[0].offset().unwrap(), None);

        state.apply(br#"["b",{"f":"z"}]"#, Some(b"[]"));
        let bad = state
            .partitions_of("b")
            .find(|p| p.partition["f"] == "z")
            .unwrap();
        let e = bad.offset().unwrap_err().to_string();
        assert!(
            e.starts_with(r#"offsets topic, key "[\"b\",{\"f\":\"z\"}]""#),
            "{e}"
        );
    }

    #[test]
    fn rewrites_reuse_the_key_bytes_java_wrote() {
        let mut state = OffsetState::new();
        let java_key = br#"["sink",{"kafka_partition":0,"kafka_topic":"t"}]"#;
        state.apply(java_key, Some(br#"{"kafka_offset":5}"#));
        // Same partition, fields in another order: the existing bytes win.
        let ours = map(r#"{"kafka_topic":"t","kafka_partition":0}"#);
        assert_eq!(state.key_for("sink", &ours), java_key);
        // A different value is a different partition, and so is 0.0 for 0 (a Double is not
        // equal to a Long in Java either).
        let other = map(r#"{"kafka_topic":"t","kafka_partition":1}"#);
        assert_eq!(
            state.key_for("sink", &other),
            br#"["sink",{"kafka_topic":"t","kafka_partition":1}]"#
        );
        let double = map(r#"{"kafka_partition":0.0,"kafka_topic":"t"}"#);
        assert_eq!(
            state.key_for("sink", &double),
            br#"["sink",{"kafka_partition":0.0,"kafka_topic":"t"}]"#
        );
        assert_eq!(
            state.key_for("other", &ours),
            br#"["other",{"kafka_topic":"t","kafka_partition":0}]"#
        );
    }
}
