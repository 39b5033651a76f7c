//! Reading a topic from its beginning to its end (the high watermark when the read starts) and
//! writing keyed records to chosen partitions: the Kafka side of the internal-topics inspector
//! and of the offsets topic path ([`crate::internal::inspect::TopicIo`]).
//!
//! One consumer handle, every partition started from its beginning on one queue of librdkafka's
//! simple consumer and served with a callback (as kcat's `-C` does); records are handed to the
//! caller borrowed from librdkafka's buffers, so reading allocates nothing per record. A
//! partition is done at librdkafka's end-of-partition event, which comes from the fetch
//! responses' high watermark: it covers logs ending in transaction markers, and brokers whose
//! ListOffsets answer lags (tansu's memory storage counts a batch as one offset there). The
//! watermarks are only used for the progress total. Every wait is bounded.

use std::collections::HashSet;
use std::ffi::{c_void, CStr, CString};
use std::ptr;
use std::time::{Duration, Instant};

use rdkafka::bindings as rd;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::types::RDKafkaErrorCode;

use crate::internal::inspect::{LogRecord, ReadStats, TopicIo, WriteRecord};
use crate::kafka::events::ErrText;
use crate::kafka::DeliveryFailures;

/// How long reaching the cluster (metadata, watermarks) may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a read may go without receiving a record before it gives up.
const STALL_TIMEOUT: Duration = Duration::from_secs(30);
/// How often `progress` is called, in records.
const PROGRESS_EVERY: u64 = 8192;
/// How long one wait for records may block.
const SERVE_TIMEOUT_MS: i32 = 200;

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
        // The topic-level twin of enable.auto.commit, which the simple consumer obeys.
        cc.set("auto.commit.enable", "false");
        // A group id is needed by librdkafka's consumer, never used: nothing is committed.
        if cc.get("group.id").is_none() {
            cc.set("group.id", "kct-inspect");
        }
        // The simple consumer's prefetch limits apply per partition (librdkafka's defaults,
        // 100,000 messages or 64 MiB each, let a fast broker queue a whole topic in memory).
        for (k, v) in [
            ("queued.min.messages", "10000"),
            ("queued.max.messages.kbytes", "4096"),
        ] {
            if cc.get(k).is_none() {
                cc.set(k, v);
            }
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

    fn producer(&self) -> Result<BaseProducer<DeliveryFailures>, String> {
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
        pc.create_with_context(DeliveryFailures::default())
            .map_err(|e| format!("cannot create a Kafka producer for {}: {e}", self.bootstrap))
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
        }
        progress(0, total);
        let queue = SimpleQueue::start(&consumer, topic, &ids)
            .map_err(|e| format!("cannot read {topic} on {}: {e}", self.bootstrap))?;
        let mut serve = Serve {
            visit,
            // Partitions leave when librdkafka reports their end.
            pending: ids.iter().copied().collect(),
            records: 0,
            error: None,
        };
        // Since when nothing arrived; the clock is read once per served batch.
        let mut idle_since: Option<Instant> = None;
        let mut last_error: Option<String> = None;
        while !serve.pending.is_empty() {
            let (records, pending) = (serve.records, serve.pending.len());
            queue.serve(SERVE_TIMEOUT_MS, &mut serve);
            if let Some(e) = serve.error.take() {
                last_error = Some(e);
            }
            if serve.records / PROGRESS_EVERY != records / PROGRESS_EVERY {
                progress(serve.records, total.max(serve.records));
            }
            if serve.records > records || serve.pending.len() < pending {
                idle_since = None;
                continue;
            }
            // Transient trouble (a broker restarting) is retried until the stall limit; the
            // client's own errors arrive on its main queue.
            if let Some(Err(e)) = consumer.poll(Duration::ZERO) {
                last_error = Some(e.to_string());
            }
            let since = *idle_since.get_or_insert_with(Instant::now);
            if since.elapsed() > STALL_TIMEOUT {
                return Err(format!(
                    "reading {topic} on {} stalled: no record for {} s with {} partition(s) not read to their end{}",
                    self.bootstrap,
                    STALL_TIMEOUT.as_secs(),
                    serve.pending.len(),
                    last_error.map(|e| format!(" (last error: {e})")).unwrap_or_default()
                ));
            }
        }
        progress(serve.records, total.max(serve.records));
        Ok(ReadStats {
            partitions: ids.len() as i32,
            records: serve.records,
        })
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
        let failures = producer.context().take();
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

// ---------------------------------------------------------------------------------------------
// The read loop: librdkafka's simple consumer, as kcat's `-C` (and `kafka::native`) uses it

/// Every partition of a topic started from its beginning on one queue of the consumer's
/// handle, served with a callback: no event object, reference count or clock read per record,
/// which `BaseConsumer::poll` costs. The consumer itself is never assigned anything; its own
/// queue only carries the client's errors. Stops the partitions when dropped.
struct SimpleQueue<'c> {
    /// The handle `rkt` and `rkqu` belong to, kept alive while they are.
    _consumer: &'c BaseConsumer,
    rkt: *mut rd::rd_kafka_topic_t,
    rkqu: *mut rd::rd_kafka_queue_t,
    started: Vec<i32>,
}

impl<'c> SimpleQueue<'c> {
    fn start(consumer: &'c BaseConsumer, topic: &str, ids: &[i32]) -> Result<Self, String> {
        let rk = consumer.client().native_ptr();
        let name = CString::new(topic).map_err(|e| e.to_string())?;
        // SAFETY: rk is the live handle of `consumer`, which outlives this value; the topic and
        // queue are destroyed in drop, after the partitions are stopped.
        let mut queue = unsafe {
            let rkt = rd::rd_kafka_topic_new(rk, name.as_ptr(), ptr::null_mut());
            if rkt.is_null() {
                return Err(ErrText(rd::rd_kafka_last_error().into()).to_string());
            }
            SimpleQueue {
                _consumer: consumer,
                rkt,
                rkqu: rd::rd_kafka_queue_new(rk),
                started: Vec::with_capacity(ids.len()),
            }
        };
        for &p in ids {
            // SAFETY: topic and queue belong to the same live handle.
            let rc = unsafe {
                rd::rd_kafka_consume_start_queue(
                    queue.rkt,
                    p,
                    rd::RD_KAFKA_OFFSET_BEGINNING as i64,
                    queue.rkqu,
                )
            };
            if rc == -1 {
                // SAFETY: reads this thread's last error.
                let e = unsafe { rd::rd_kafka_last_error() };
                return Err(format!("partition {p}: {}", ErrText(e.into())));
            }
            queue.started.push(p);
        }
        Ok(queue)
    }

    /// Waits up to `timeout_ms` for the first record, then hands everything queued to
    /// `serve`.
    fn serve(&self, timeout_ms: i32, serve: &mut Serve<'_>) {
        // SAFETY: the callback gets `serve` back through the opaque pointer, only during this
        // call, on this thread; librdkafka destroys each message after the callback.
        unsafe {
            rd::rd_kafka_consume_callback_queue(
                self.rkqu,
                timeout_ms,
                Some(serve_one),
                serve as *mut Serve<'_> as *mut c_void,
            );
        }
    }
}

impl Drop for SimpleQueue<'_> {
    fn drop(&mut self) {
        // SAFETY: rkt and rkqu were created in `start` on the consumer's handle, which is
        // still alive (borrowed); each started partition is stopped once.
        unsafe {
            for &p in &self.started {
                rd::rd_kafka_consume_stop(self.rkt, p);
            }
            rd::rd_kafka_queue_destroy(self.rkqu);
            rd::rd_kafka_topic_destroy(self.rkt);
        }
    }
}

/// What the serve callback updates.
struct Serve<'v> {
    visit: &'v mut dyn FnMut(&LogRecord<'_>),
    pending: HashSet<i32>,
    records: u64,
    error: Option<String>,
}

unsafe extern "C" fn serve_one(msg: *mut rd::rd_kafka_message_t, opaque: *mut c_void) {
    // SAFETY: `opaque` is the `Serve` passed to rd_kafka_consume_callback_queue by
    // `SimpleQueue::serve`, and `msg` a valid message for the duration of this call.
    let serve = &mut *(opaque as *mut Serve<'_>);
    let m = &*msg;
    match m.err {
        rd::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR => {}
        rd::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR__PARTITION_EOF => {
            serve.pending.remove(&m.partition);
            return;
        }
        err => {
            let text = rd::rd_kafka_message_errstr(msg);
            serve.error = Some(if text.is_null() {
                ErrText(err.into()).to_string()
            } else {
                CStr::from_ptr(text).to_string_lossy().into_owned()
            });
            return;
        }
    }
    let bytes = |p: *mut c_void, len: usize| {
        (!p.is_null()).then(|| std::slice::from_raw_parts(p as *const u8, len))
    };
    let mut kind = rd::rd_kafka_timestamp_type_t::RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
    let timestamp = rd::rd_kafka_message_timestamp(msg, &mut kind);
    (serve.visit)(&LogRecord {
        partition: m.partition,
        offset: m.offset,
        timestamp: (kind != rd::rd_kafka_timestamp_type_t::RD_KAFKA_TIMESTAMP_NOT_AVAILABLE)
            .then_some(timestamp),
        key: bytes(m.key, m.key_len),
        value: bytes(m.payload, m.len),
    });
    serve.records += 1;
}
