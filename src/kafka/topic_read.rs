//! Reading a topic from its beginning to its end (the high watermark when the read starts) and
//! writing keyed records to chosen partitions: the Kafka side of the internal-topics inspector
//! and of the offsets topic path ([`crate::internal::inspect::TopicIo`]).
//!
//! One `BaseConsumer` assigned to every partition from its beginning; records are handed to the
//! caller borrowed from librdkafka's buffers, so reading allocates nothing per record. A
//! partition is done at librdkafka's end-of-partition event, which comes from the fetch
//! responses' high watermark: it covers logs ending in transaction markers, and brokers whose
//! ListOffsets answer lags (tansu's memory storage counts a batch as one offset there). The
//! watermarks are only used for the progress total. Every wait is bounded.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::message::{Message, Timestamp};
use rdkafka::producer::{BaseProducer, BaseRecord, DeliveryResult, Producer, ProducerContext};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::{ClientContext, Offset, TopicPartitionList};

use crate::internal::inspect::{LogRecord, ReadStats, TopicIo, WriteRecord};

/// How long reaching the cluster (metadata, watermarks) may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a read may go without receiving a record before it gives up.
const STALL_TIMEOUT: Duration = Duration::from_secs(30);
/// How often `progress` is called, in records.
const PROGRESS_EVERY: u64 = 8192;

/// A Kafka cluster's internal topics, read and written with the target's client settings.
pub struct KafkaTopics {
    config: ClientConfig,
    bootstrap: String,
}

impl KafkaTopics {
    /// `config` holds `bootstrap.servers` and any security settings; `bootstrap` names the
    /// cluster in messages.
    pub fn new(config: ClientConfig, bootstrap: &str) -> KafkaTopics {
        KafkaTopics {
            config,
            bootstrap: bootstrap.to_owned(),
        }
    }

    fn consumer(&self) -> Result<BaseConsumer, String> {
        let mut cc = self.config.clone();
        cc.set("enable.auto.commit", "false");
        cc.set("enable.auto.offset.store", "false");
        cc.set("enable.partition.eof", "true");
        cc.set("allow.auto.create.topics", "false");
        // A group id is needed by librdkafka's consumer, never used: nothing is committed.
        if cc.get("group.id").is_none() {
            cc.set("group.id", "kct-inspect");
        }
        if cc.get("fetch.wait.max.ms").is_none() {
            // Only partitions already at their end wait; no reason to hold fetches long.
            cc.set("fetch.wait.max.ms", "100");
        }
        super::consumer_defaults(&mut cc);
        cc.create()
            .map_err(|e| format!("cannot create a Kafka consumer for {}: {e}", self.bootstrap))
    }

    /// The topic's partition ids, sorted; a clear error when the cluster cannot be reached or
    /// has no such topic.
    fn partitions(&self, consumer: &BaseConsumer, topic: &str) -> Result<Vec<i32>, String> {
        let md = consumer
            .fetch_metadata(Some(topic), CONNECT_TIMEOUT)
            .map_err(|e| {
                format!(
                    "cannot reach Kafka at {} within {} s ({e}); check -b or the context's bootstrap",
                    self.bootstrap,
                    CONNECT_TIMEOUT.as_secs()
                )
            })?;
        let t = md.topics().iter().find(|t| t.name() == topic);
        let missing = || {
            format!(
                "topic {topic} does not exist on {}; name the Connect cluster's internal topics with --offsets-topic/--configs-topic/--status-topic or the context's offsets-topic/configs-topic/status-topic",
                self.bootstrap
            )
        };
        let Some(t) = t else {
            return Err(missing());
        };
        match t.error().map(RDKafkaErrorCode::from) {
            None => {}
            Some(RDKafkaErrorCode::UnknownTopicOrPartition) => return Err(missing()),
            Some(e) => return Err(format!("topic {topic} on {}: {e}", self.bootstrap)),
        }
        if t.partitions().is_empty() {
            return Err(missing());
        }
        let mut ids: Vec<i32> = t.partitions().iter().map(|p| p.id()).collect();
        ids.sort_unstable();
        Ok(ids)
    }

    fn producer(&self) -> Result<BaseProducer<Deliveries>, String> {
        let mut pc = self.config.clone();
        for (k, v) in [
            ("linger.ms", "5"),
            ("message.timeout.ms", "30000"),
            ("enable.idempotence", "false"),
        ] {
            if pc.get(k).is_none() {
                pc.set(k, v);
            }
        }
        pc.create_with_context(Deliveries::default())
            .map_err(|e| format!("cannot create a Kafka producer for {}: {e}", self.bootstrap))
    }
}

#[derive(Default)]
struct Deliveries(Mutex<Vec<String>>);

impl ClientContext for Deliveries {}

impl ProducerContext for Deliveries {
    type DeliveryOpaque = ();

    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        if let Err((e, _)) = result {
            self.0
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(e.to_string());
        }
    }
}

impl TopicIo for KafkaTopics {
    fn partition_count(&self, topic: &str) -> Result<i32, String> {
        let consumer = self.consumer()?;
        Ok(self.partitions(&consumer, topic)?.len() as i32)
    }

    fn read(
        &self,
        topic: &str,
        progress: &mut dyn FnMut(u64, u64),
        visit: &mut dyn FnMut(&LogRecord<'_>),
    ) -> Result<ReadStats, String> {
        let consumer = self.consumer()?;
        let ids = self.partitions(&consumer, topic)?;
        let mut stats = ReadStats {
            partitions: ids.len() as i32,
            records: 0,
        };
        // Partitions leave when librdkafka reports their end.
        let mut pending: HashSet<i32> = HashSet::new();
        let mut tpl = TopicPartitionList::new();
        let mut total: u64 = 0;
        for &p in &ids {
            let (low, high) = consumer
                .fetch_watermarks(topic, p, CONNECT_TIMEOUT)
                .map_err(|e| {
                    format!(
                        "cannot read the offsets of {topic} [{p}] on {} within {} s: {e}",
                        self.bootstrap,
                        CONNECT_TIMEOUT.as_secs()
                    )
                })?;
            total += high.saturating_sub(low).max(0) as u64;
            pending.insert(p);
            tpl.add_partition_offset(topic, p, Offset::Beginning)
                .map_err(|e| format!("cannot read {topic} [{p}]: {e}"))?;
        }
        progress(0, total);
        consumer
            .assign(&tpl)
            .map_err(|e| format!("cannot read {topic} on {}: {e}", self.bootstrap))?;
        // Since when nothing arrived; read the clock only while idle (it costs per record).
        let mut idle_since: Option<Instant> = None;
        let mut last_error: Option<String> = None;
        while !pending.is_empty() {
            // A non-blocking poll first: with a timeout, every poll reads the clock twice.
            let polled = match consumer.poll(Duration::ZERO) {
                None => consumer.poll(Duration::from_millis(200)),
                some => some,
            };
            match polled {
                Some(Ok(m)) => {
                    idle_since = None;
                    let timestamp = match m.timestamp() {
                        Timestamp::NotAvailable => None,
                        Timestamp::CreateTime(t) | Timestamp::LogAppendTime(t) => Some(t),
                    };
                    visit(&LogRecord {
                        partition: m.partition(),
                        offset: m.offset(),
                        timestamp,
                        key: m.key(),
                        value: m.payload(),
                    });
                    stats.records += 1;
                    if stats.records % PROGRESS_EVERY == 0 {
                        progress(stats.records, total.max(stats.records));
                    }
                }
                Some(Err(KafkaError::PartitionEOF(p))) => {
                    idle_since = None;
                    pending.remove(&p);
                }
                Some(Err(e)) => {
                    // Transient trouble (a broker restarting) is retried until the stall limit.
                    last_error = Some(e.to_string());
                    idle_since.get_or_insert_with(Instant::now);
                }
                None => {
                    idle_since.get_or_insert_with(Instant::now);
                }
            }
            if idle_since.is_some_and(|t| t.elapsed() > STALL_TIMEOUT) {
                return Err(format!(
                    "reading {topic} on {} stalled: no record for {} s with {} partition(s) not read to their end{}",
                    self.bootstrap,
                    STALL_TIMEOUT.as_secs(),
                    pending.len(),
                    last_error.map(|e| format!(" (last error: {e})")).unwrap_or_default()
                ));
            }
        }
        progress(stats.records, total.max(stats.records));
        Ok(stats)
    }

    fn write(&self, topic: &str, records: &[WriteRecord]) -> Result<(), String> {
        let consumer = self.consumer()?;
        let ids = self.partitions(&consumer, topic)?;
        if let Some(r) = records.iter().find(|r| !ids.contains(&r.partition)) {
            return Err(format!(
                "topic {topic} has no partition {} (it has {})",
                r.partition,
                ids.len()
            ));
        }
        let producer = self.producer()?;
        for r in records {
            let mut record: BaseRecord<'_, [u8], [u8], ()> = BaseRecord::to(topic)
                .key(r.key.as_slice())
                .partition(r.partition);
            if let Some(v) = &r.value {
                record = record.payload(v.as_slice());
            }
            loop {
                match producer.send(record) {
                    Ok(()) => break,
                    Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                        record = back;
                        producer.poll(Duration::from_millis(20));
                    }
                    Err((e, _)) => return Err(format!("cannot write to {topic}: {e}")),
                }
            }
        }
        producer
            .flush(Duration::from_secs(40))
            .map_err(|e| format!("cannot write to {topic} on {}: {e}", self.bootstrap))?;
        let failures = std::mem::take(
            &mut *producer
                .context()
                .0
                .lock()
                .unwrap_or_else(|p| p.into_inner()),
        );
        match failures.first() {
            Some(e) => Err(format!(
                "cannot write to {topic} on {}: {e} ({} of {} records failed)",
                self.bootstrap,
                failures.len(),
                records.len()
            )),
            None => Ok(()),
        }
    }
}
