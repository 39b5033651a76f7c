//! `ConnectRecord`: the record source tasks produce, sink tasks receive and transformations
//! rewrite (Java's `ConnectRecord`, `SourceRecord` and `SinkRecord` in one type).

use std::sync::Arc;

use serde_json::{Map, Value as Json};

use super::{Header, SchemaRef, Value};

#[derive(Debug, Clone, PartialEq)]
pub struct ConnectRecord {
    pub topic: String,
    pub kafka_partition: Option<i32>,
    pub key_schema: Option<SchemaRef>,
    pub key: Value,
    pub value_schema: Option<SchemaRef>,
    pub value: Value,
    pub timestamp: Option<i64>,
    pub headers: Vec<Header>,
    /// Sink records: the record's offset in its partition.
    pub kafka_offset: Option<i64>,
    /// Source records: where the record came from, as the offset store keys it. Shared, as a
    /// source sends many records of one partition.
    pub source_partition: Option<Arc<Map<String, Json>>>,
    /// Source records: how far the source has been read, stored once the record is acknowledged.
    pub source_offset: Option<SourceOffset>,
}

/// A source record's offset: one counter under one key, the shape every built-in source uses
/// (`{"position": 1234}`, `{"offset": 7}`, `{"iteration": 3}`). It becomes Connect's JSON map
/// only when it is stored: building a map per record cost more than reading the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceOffset {
    pub key: &'static str,
    pub value: i64,
}

impl SourceOffset {
    pub fn new(key: &'static str, value: i64) -> SourceOffset {
        SourceOffset { key, value }
    }

    /// The offset as the offset store keeps it.
    pub fn to_map(self) -> Map<String, Json> {
        let mut map = Map::with_capacity(1);
        map.insert(self.key.to_string(), Json::from(self.value));
        map
    }
}

impl ConnectRecord {
    /// A record for `topic` with only a value: no key, partition, timestamp, headers or offsets.
    pub fn new(topic: String, value_schema: Option<SchemaRef>, value: Value) -> ConnectRecord {
        ConnectRecord {
            topic,
            kafka_partition: None,
            key_schema: None,
            key: Value::Null,
            value_schema,
            value,
            timestamp: None,
            headers: Vec::new(),
            kafka_offset: None,
            source_partition: None,
            source_offset: None,
        }
    }

    pub fn with_key(mut self, key_schema: Option<SchemaRef>, key: Value) -> ConnectRecord {
        self.key_schema = key_schema;
        self.key = key;
        self
    }

    /// Attaches the source partition and offset of a source record.
    pub fn with_source(
        mut self,
        partition: impl Into<Arc<Map<String, Json>>>,
        offset: SourceOffset,
    ) -> ConnectRecord {
        self.source_partition = Some(partition.into());
        self.source_offset = Some(offset);
        self
    }

    /// A null value: the record deletes its key in a compacted topic.
    pub fn is_tombstone(&self) -> bool {
        self.value.is_null()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::data::Schema;
    use serde_json::json;

    #[test]
    fn builds_source_records() {
        let Json::Object(partition) = json!({"filename": "a.txt"}) else {
            unreachable!()
        };
        let r = ConnectRecord::new("t".into(), Some(Schema::string()), Value::from("line"))
            .with_key(Some(Schema::int32()), Value::Int32(4))
            .with_source(partition.clone(), SourceOffset::new("position", 12));
        assert_eq!(r.key, Value::Int32(4));
        assert_eq!(r.source_partition.as_deref(), Some(&partition));
        assert_eq!(
            Json::Object(r.source_offset.unwrap().to_map()),
            json!({"position": 12})
        );
        assert!(!r.is_tombstone());
        assert!(ConnectRecord::new("t".into(), None, Value::Null).is_tombstone());
    }
}
