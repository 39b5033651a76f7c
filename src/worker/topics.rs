//! Topic administration for the worker: creating a source's destination topic when the broker
//! does not have it (as a broker with auto-creation would), with the connector's
//! `topic.creation.default.*` settings, and the compacted internal topics.

use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::{Client, ClientContext, DefaultClientContext};
use rdkafka::config::ClientConfig;
use rdkafka::error::RDKafkaErrorCode;

use crate::connect::types::ConfigMap;

const METADATA_TIMEOUT: Duration = Duration::from_secs(10);

/// Whether the cluster has `topic`.
pub fn exists<C: ClientContext>(client: &Client<C>, topic: &str) -> Result<bool, String> {
    let md = client
        .fetch_metadata(Some(topic), METADATA_TIMEOUT)
        .map_err(|e| format!("cannot read metadata for topic {topic}: {e}"))?;
    Ok(md
        .topics()
        .iter()
        .any(|t| t.name() == topic && t.error().is_none() && !t.partitions().is_empty()))
}

/// Partitions and replication factor for a topic the connector creates.
pub fn creation_settings(connector: &ConfigMap) -> Result<(i32, i32), String> {
    let get = |k: &str, default: i32| -> Result<i32, String> {
        match connector.get(k).map(|v| v.trim()) {
            None | Some("") => Ok(default),
            Some(v) => v.parse().map_err(|_| format!("{k}={v} is not a number")),
        }
    };
    Ok((
        get("topic.creation.default.partitions", 1)?,
        get("topic.creation.default.replication.factor", -1)?,
    ))
}

/// Creates an internal topic: compacted, as Connect creates its own.
pub fn create_compacted(
    admin_config: &ClientConfig,
    topic: &str,
    partitions: i32,
    replication: i32,
) -> Result<(), String> {
    create(
        admin_config,
        topic,
        partitions,
        replication,
        &[("cleanup.policy", "compact")],
    )
}

/// Creates `topic` with topic `configs`; a topic that appeared meanwhile is fine.
pub fn create(
    admin_config: &ClientConfig,
    topic: &str,
    partitions: i32,
    replication: i32,
    configs: &[(&str, &str)],
) -> Result<(), String> {
    let admin: AdminClient<DefaultClientContext> = admin_config
        .create()
        .map_err(|e| format!("cannot create an admin client: {e}"))?;
    let mut new = NewTopic::new(topic, partitions, TopicReplication::Fixed(replication));
    for (k, v) in configs {
        new = new.set(k, v);
    }
    let opts = AdminOptions::new().operation_timeout(Some(METADATA_TIMEOUT));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .map_err(|e| format!("cannot create topic {topic}: {e}"))?;
    let results = rt
        .block_on(admin.create_topics([&new], &opts))
        .map_err(|e| format!("cannot create topic {topic}: {e}"))?;
    for r in results {
        match r {
            Ok(_) => {}
            Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((t, code)) => return Err(format!("cannot create topic {t}: {code}")),
        }
    }
    Ok(())
}
