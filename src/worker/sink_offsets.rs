//! A sink connector's offsets (KIP-875): the committed offsets of its consumer group,
//! read, altered and reset through the group itself. Blocking calls: run them off the async
//! runtime.

use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::{Offset, TopicPartitionList};
use serde_json::json;

use super::clients::{client_config, Role};
use super::config::WorkerConfig;
use super::error::ConnectError;
use super::task::sink::{group_id, reset_offset, subscription};
use crate::connect::types::{ConfigMap, ConnectorOffset, ConnectorOffsets, JsonMap};

const TIMEOUT: Duration = Duration::from_secs(10);

/// A consumer in the connector's group, and whether the connector's own consumer starts a
/// partition without a committed offset at its end (`auto.offset.reset` latest).
fn consumer(
    worker: &WorkerConfig,
    name: &str,
    config: &ConfigMap,
) -> Result<(BaseConsumer, bool), ConnectError> {
    let mut notes = Vec::new();
    let mut cc = client_config(worker, Role::Consumer, Some(config), &mut notes);
    cc.set("group.id", group_id(name, config));
    cc.set("enable.auto.commit", "false");
    let from_end = reset_offset(cc.get("auto.offset.reset")) == Offset::End;
    let c = cc.create().map_err(|e| {
        ConnectError::internal(format!(
            "cannot create a consumer for the offsets of {name}: {e}"
        ))
    })?;
    Ok((c, from_end))
}

/// Every partition of the connector's topics (`topics`, or the topics matching `topics.regex`).
fn partitions(c: &BaseConsumer, config: &ConfigMap) -> Result<TopicPartitionList, ConnectError> {
    let wanted = subscription(config).map_err(ConnectError::bad_request)?;
    let md = c
        .fetch_metadata(None, TIMEOUT)
        .map_err(|e| ConnectError::internal(format!("cannot read cluster metadata: {e}")))?;
    let regex = match wanted.first().filter(|w| w.starts_with('^')) {
        Some(r) => Some(
            regex::Regex::new(r)
                .map_err(|e| ConnectError::bad_request(format!("topics.regex: {e}")))?,
        ),
        None => None,
    };
    let mut tpl = TopicPartitionList::new();
    for t in md.topics() {
        let matches = match &regex {
            Some(r) => r.is_match(t.name()),
            None => wanted.iter().any(|w| w == t.name()),
        };
        if matches {
            for p in t.partitions() {
                tpl.add_partition(t.name(), p.id());
            }
        }
    }
    Ok(tpl)
}

pub fn get(
    worker: &WorkerConfig,
    name: &str,
    config: &ConfigMap,
) -> Result<ConnectorOffsets, ConnectError> {
    let (c, _) = consumer(worker, name, config)?;
    let tpl = partitions(&c, config)?;
    let committed = c.committed_offsets(tpl, TIMEOUT).map_err(|e| {
        ConnectError::internal(format!(
            "cannot read the offsets of group {}: {e}",
            group_id(name, config)
        ))
    })?;
    let mut offsets = Vec::new();
    for e in committed.elements() {
        if let Offset::Offset(o) = e.offset() {
            offsets.push(ConnectorOffset {
                partition: map(json!({"kafka_topic": e.topic(), "kafka_partition": e.partition()})),
                offset: Some(map(json!({"kafka_offset": o}))),
            });
        }
    }
    Ok(ConnectorOffsets { offsets })
}

fn map(v: serde_json::Value) -> JsonMap {
    v.as_object().cloned().unwrap_or_default()
}

/// One partition's new offset, as `SinkUtils.parseSinkConnectorOffsets` accepts it (numbers or
/// numeric strings).
fn parse(
    partition: &JsonMap,
    offset: Option<&JsonMap>,
) -> Result<(String, i32, Option<i64>), ConnectError> {
    let bad = ConnectError::bad_request;
    let topic = partition
        .get("kafka_topic")
        .and_then(|t| t.as_str())
        .ok_or_else(|| bad("Kafka topic names must be valid strings and may not be null"))?;
    let number = |v: &serde_json::Value| {
        v.as_i64()
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
    };
    let p = partition
        .get("kafka_partition")
        .and_then(number)
        .ok_or_else(|| bad("Kafka partitions must be valid numbers and may not be null"))?;
    let o = match offset {
        None => None,
        Some(o) => Some(
            o.get("kafka_offset")
                .and_then(number)
                .ok_or_else(|| bad("Kafka offsets must be valid numbers and may not be null"))?,
        ),
    };
    Ok((topic.to_string(), p as i32, o))
}

/// Commits the given offsets for the (stopped) connector's group. A `null` offset commits where
/// the sink's consumer would start once the group's offset was deleted, as Connect does it: the
/// partition's start, or its end when the connector's consumer has `auto.offset.reset=latest`.
/// (Deleting one partition's group offset needs the OffsetDelete API, which not every
/// Kafka-protocol broker has; the next run reads from the same record either way.)
pub fn alter(
    worker: &WorkerConfig,
    name: &str,
    config: &ConfigMap,
    offsets: &[(JsonMap, Option<JsonMap>)],
) -> Result<(), ConnectError> {
    let (c, from_end) = consumer(worker, name, config)?;
    let mut tpl = TopicPartitionList::new();
    for (p, o) in offsets {
        let (topic, partition, offset) = parse(p, o.as_ref())?;
        let offset = match offset {
            Some(o) => o,
            None => {
                let (low, high) = c
                    .fetch_watermarks(&topic, partition, TIMEOUT)
                    .map_err(|e| {
                        ConnectError::internal(format!(
                            "cannot read the offsets of {topic}-{partition}: {e}"
                        ))
                    })?;
                if from_end {
                    high
                } else {
                    low
                }
            }
        };
        tpl.add_partition_offset(&topic, partition, Offset::Offset(offset))
            .map_err(|e| {
                ConnectError::bad_request(format!("bad offset for {topic}-{partition}: {e}"))
            })?;
    }
    c.commit(&tpl, CommitMode::Sync).map_err(|e| {
        ConnectError::internal(format!(
            "cannot alter the offsets of group {}: {e}",
            group_id(name, config)
        ))
    })
}

/// Deletes the connector's consumer group (`DELETE …/offsets` of a sink).
pub fn reset(worker: &WorkerConfig, name: &str, config: &ConfigMap) -> Result<(), ConnectError> {
    let group = group_id(name, config);
    let mut notes = Vec::new();
    let cc = client_config(worker, Role::Admin, Some(config), &mut notes);
    let admin: AdminClient<DefaultClientContext> = cc
        .create()
        .map_err(|e| ConnectError::internal(format!("cannot create an admin client: {e}")))?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .map_err(|e| ConnectError::internal(e.to_string()))?;
    let results = rt
        .block_on(admin.delete_groups(
            &[&group],
            &AdminOptions::new().operation_timeout(Some(TIMEOUT)),
        ))
        .map_err(|e| ConnectError::internal(format!("cannot delete group {group}: {e}")))?;
    for r in results {
        match r {
            Ok(_) => {}
            // A group that never committed is already as reset as it gets.
            Err((_, rdkafka::types::RDKafkaErrorCode::GroupIdNotFound)) => {}
            Err((g, code)) => {
                return Err(ConnectError::internal(format!(
                    "cannot delete group {g}: {code}"
                )))
            }
        }
    }
    Ok(())
}
