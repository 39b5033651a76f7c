//! kcat's `-L` (metadata, plus kct's `--offsets` watermarks) and `-Q` (offsets for timestamps).

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;

use crate::kafka::events::ErrText;
use crate::kafka::events::Events;
use crate::kafka::metadata::{
    render_json, render_query_json, render_query_text, render_text, QueryResult, Watermarks,
};
use crate::kafka::native::Handle;
use crate::kafka::options::KcatOptions;
use crate::kafka::{client_config, KafkaError};

pub fn run_list(opts: &KcatOptions, events: Arc<Events>) -> Result<(), KafkaError> {
    // A producer handle, as kcat uses: it asks for cluster metadata as soon as it connects, so
    // the answer names a real broker rather than the bootstrap connection.
    let handle = Handle::producer(&client_config(opts), events)?;
    let topic = opts.topic.as_deref().map(|t| handle.topic(t)).transpose()?;
    let md = handle.metadata(topic.as_ref(), opts.metadata_timeout_ms).map_err(|e| {
        KafkaError::Kafka(format!(
            "Failed to acquire metadata: {} (Are the brokers reachable? Also try increasing the metadata timeout with -m <timeout>?)",
            ErrText(e)
        ))
    })?;
    let marks: Option<Watermarks> = opts.list_offsets.then(|| {
        md.topics
            .iter()
            .map(|t| {
                t.partitions
                    .iter()
                    .map(|p| {
                        handle
                            .watermarks(&t.name, p.id, opts.metadata_timeout_ms)
                            .ok()
                    })
                    .collect()
            })
            .collect()
    });
    let query = opts.topic.as_deref();
    let bytes = if opts.json {
        render_json(&md, query, marks.as_ref())
    } else {
        render_text(&md, query, marks.as_ref()).into_bytes()
    };
    write_stdout(&bytes)
}

pub fn run_query(opts: &KcatOptions, events: Arc<Events>) -> Result<(), KafkaError> {
    let handle = Handle::consumer(&client_config(opts), events)?;
    let mut by_topic: BTreeMap<&str, Vec<(i32, i64)>> = BTreeMap::new();
    for q in &opts.queries {
        by_topic
            .entry(q.topic.as_str())
            .or_default()
            .push((q.partition, q.timestamp));
    }
    let mut results = Vec::new();
    for (topic, asks) in by_topic {
        let found = handle
            .offsets_for_times(topic, &asks, opts.metadata_timeout_ms)
            .map_err(|e| KafkaError::Kafka(format!("offsets_for_times failed: {}", ErrText(e))))?;
        results.extend(
            found
                .into_iter()
                .map(|(partition, offset, error)| QueryResult {
                    topic: topic.to_string(),
                    partition,
                    offset,
                    error,
                }),
        );
    }
    let bytes = if opts.json {
        render_query_json(&results)
    } else {
        render_query_text(&results).into_bytes()
    };
    write_stdout(&bytes)
}

fn write_stdout(bytes: &[u8]) -> Result<(), KafkaError> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes).and_then(|_| out.flush()).map_err(|e| {
        KafkaError::Kafka(format!(
            "Write error: {}",
            crate::io_error::io_error_text(&e)
        ))
    })
}
