//! The source task loop (Connect's `WorkerSourceTask`): poll → convert → produce; a record's
//! source offset becomes committable only once the broker acknowledged it and every earlier
//! record of the same source partition (at-least-once), and committed offsets are flushed every
//! `offset.flush.interval.ms` and on stop.

use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};
use std::ffi::{c_void, CString};
use std::ptr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rdkafka::bindings as rd;
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::producer::{BaseProducer, DeliveryResult, Producer, ProducerContext};
use rdkafka::ClientContext;

use super::errors::{Failure, Stage};
use super::{first_line, Stages, TaskContext};
use crate::connect::types::{JsonMap, State};
use crate::worker::clients::{client_config, Role};
use crate::worker::data::{ConnectRecord, SourceOffset};
use crate::worker::plugin::{OffsetReader, SourceTask};
use crate::worker::topics;

/// Delivery reports, collected on the task thread during `poll`.
#[derive(Default)]
struct Acks {
    done: Mutex<Vec<(usize, Result<(), String>)>>,
}

impl ClientContext for Acks {}

impl ProducerContext for Acks {
    type DeliveryOpaque = usize;

    fn delivery(&self, result: &DeliveryResult<'_>, opaque: usize) {
        let r = result.as_ref().map(|_| ()).map_err(|(e, _)| e.to_string());
        self.done
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((opaque, r));
    }
}

/// Connect's `SubmittedRecords`: per source partition, the offsets in send order with their
/// acknowledgement; the committable offset is the last of the acknowledged prefix.
#[derive(Default)]
struct Submitted {
    partitions: Vec<PartitionQueue>,
    index: HashMap<Vec<u8>, usize>,
    /// The partition of the previous submission: sources mostly send runs of one partition.
    last: Option<usize>,
}

struct PartitionQueue {
    partition: Arc<JsonMap>,
    /// Sequence number of the front entry.
    front: u64,
    pending: VecDeque<(SourceOffset, bool)>,
    committable: Option<SourceOffset>,
}

/// Submissions are tagged `partition index << SEQ_BITS | sequence`.
const SEQ_BITS: u32 = 40;

impl Submitted {
    fn submit(&mut self, partition: &Arc<JsonMap>, offset: SourceOffset) -> usize {
        let idx = match self.last {
            Some(i)
                if Arc::ptr_eq(&self.partitions[i].partition, partition)
                    || self.partitions[i].partition == *partition =>
            {
                i
            }
            _ => self.index_of(partition),
        };
        self.last = Some(idx);
        let q = &mut self.partitions[idx];
        let seq = q.front + q.pending.len() as u64;
        q.pending.push_back((offset, false));
        (idx << SEQ_BITS) | (seq as usize & ((1 << SEQ_BITS) - 1))
    }

    fn index_of(&mut self, partition: &Arc<JsonMap>) -> usize {
        let key = serde_json::to_vec(&**partition).unwrap_or_default();
        *self.index.entry(key).or_insert_with(|| {
            self.partitions.push(PartitionQueue {
                partition: partition.clone(),
                front: 0,
                pending: VecDeque::new(),
                committable: None,
            });
            self.partitions.len() - 1
        })
    }

    fn ack(&mut self, tag: usize) {
        let (idx, seq) = (tag >> SEQ_BITS, (tag & ((1 << SEQ_BITS) - 1)) as u64);
        let Some(q) = self.partitions.get_mut(idx) else {
            return;
        };
        if let Some(entry) = seq
            .checked_sub(q.front)
            .and_then(|i| q.pending.get_mut(i as usize))
        {
            entry.1 = true;
        }
        while let Some(&(offset, true)) = q.pending.front() {
            q.pending.pop_front();
            q.front += 1;
            q.committable = Some(offset);
        }
    }

    /// Offsets ready to commit since the last call.
    fn take_committable(&mut self) -> Vec<(JsonMap, Option<JsonMap>)> {
        self.partitions
            .iter_mut()
            .filter_map(|q| Some(((*q.partition).clone(), Some(q.committable.take()?.to_map()))))
            .collect()
    }

    fn outstanding(&self) -> usize {
        self.partitions.iter().map(|q| q.pending.len()).sum()
    }
}

struct Reader<'a>(&'a TaskContext);

impl OffsetReader for Reader<'_> {
    fn offset(&self, partition: &JsonMap) -> Option<JsonMap> {
        self.0.offsets.offset(&self.0.id.connector, partition)
    }
}

struct Loop<'a> {
    ctx: &'a TaskContext,
    /// Topic handles of the topics this task sends to (known to exist); declared before the
    /// producer, whose client they belong to, so they are destroyed first.
    topics: HashMap<String, TopicHandle>,
    /// The topic of the previous record and its handle.
    last_topic: Option<(String, *mut rd::rd_kafka_topic_t)>,
    producer: BaseProducer<Acks>,
    stages: Stages,
    submitted: Submitted,
    flush_interval: Duration,
    last_flush: Instant,
}

/// A librdkafka topic handle: producing on it skips the look-up by name that a produce call
/// with a topic name does for every record.
struct TopicHandle(*mut rd::rd_kafka_topic_t);

impl Drop for TopicHandle {
    fn drop(&mut self) {
        // SAFETY: created by rd_kafka_topic_new and destroyed once, before its client.
        unsafe { rd::rd_kafka_topic_destroy(self.0) }
    }
}

/// A record's headers as a librdkafka header list, destroyed unless librdkafka took it over.
struct NativeHeaders(*mut rd::rd_kafka_headers_t);

impl NativeHeaders {
    fn new(capacity: usize) -> Self {
        // SAFETY: a fresh, empty list.
        NativeHeaders(unsafe { rd::rd_kafka_headers_new(capacity) })
    }

    fn add(&mut self, key: &str, value: Option<&[u8]>) {
        let (ptr, len) = value.map_or((ptr::null(), 0), |v| (v.as_ptr().cast(), v.len()));
        // SAFETY: the list is ours; name and value are copied.
        unsafe {
            rd::rd_kafka_header_add(
                self.0,
                key.as_ptr().cast(),
                key.len() as isize,
                ptr,
                len as isize,
            )
        };
    }
}

impl Drop for NativeHeaders {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: still ours.
            unsafe { rd::rd_kafka_headers_destroy(self.0) }
        }
    }
}

/// A converted record, borrowing what it can from the Connect record.
struct Outgoing<'r> {
    key: Option<Cow<'r, [u8]>>,
    value: Option<Cow<'r, [u8]>>,
    headers: Option<NativeHeaders>,
}

/// Runs a source task to its end; failures are reported to the herder, not returned.
pub fn run(ctx: TaskContext, mut task: Box<dyn SourceTask>) {
    let mut lp = match Loop::new(&ctx) {
        Ok(lp) => lp,
        Err(e) => return ctx.fail(e),
    };
    if let Err(e) = task.start(&ctx.task_config, &Reader(&ctx)) {
        return ctx.fail(e);
    }
    let result = lp.run(task.as_mut());
    let flushed = lp.finish().map(|committed| task.commit(&committed));
    task.stop();
    match result.and(flushed) {
        Ok(()) => {}
        Err(e) => ctx.fail(e),
    }
}

impl<'a> Loop<'a> {
    fn new(ctx: &'a TaskContext) -> Result<Self, String> {
        let cc = ctx.client_config(Role::Producer, "connector-producer");
        let producer: BaseProducer<Acks> = cc
            .create_with_context(Acks::default())
            .map_err(|e| format!("cannot create the producer of task {}: {e}", ctx.id))?;
        Ok(Loop {
            ctx,
            topics: HashMap::new(),
            last_topic: None,
            producer,
            stages: Stages::new(ctx, false)?,
            submitted: Submitted::default(),
            flush_interval: Duration::from_millis(ctx.worker.offset_flush_interval_ms.max(1)),
            last_flush: Instant::now(),
        })
    }

    fn run(&mut self, task: &mut dyn SourceTask) -> Result<(), String> {
        let ctx = self.ctx;
        let mut reported = None;
        while !ctx.control.stopping() {
            let state = if ctx.control.paused() {
                State::Paused
            } else {
                State::Running
            };
            if reported != Some(state) {
                ctx.listener.state(&ctx.id, state, None);
                reported = Some(state);
            }
            let mut idle = true;
            if state == State::Paused {
                std::thread::sleep(Duration::from_millis(50));
            } else {
                let records = task.poll()?;
                idle = records.is_empty();
                for r in records {
                    self.send(r)?;
                }
            }
            self.serve(Duration::ZERO)?;
            // A source that has run dry commits as soon as what it sent is acknowledged,
            // rather than at the next interval after its idle wait.
            let drained = idle && self.settle()?;
            if drained || self.last_flush.elapsed() >= self.flush_interval {
                let committed = self.commit_offsets()?;
                task.commit(&committed);
            }
        }
        Ok(())
    }

    /// Waits, up to the flush interval, for the acknowledgement of every record sent; true when
    /// some were outstanding and all are acknowledged now.
    fn settle(&mut self) -> Result<bool, String> {
        if self.submitted.outstanding() == 0 {
            return Ok(false);
        }
        let deadline = Instant::now() + self.flush_interval;
        while self.submitted.outstanding() > 0 {
            if Instant::now() >= deadline || self.ctx.control.stopping() {
                return Ok(false);
            }
            self.serve(Duration::from_millis(5))?;
        }
        Ok(true)
    }

    /// A record that is not sent (filtered, or skipped by `errors.tolerance=all`) still moves
    /// its partition's offset on, as Connect does.
    fn pass_over(&mut self, position: (Option<Arc<JsonMap>>, Option<SourceOffset>)) {
        if let (Some(p), Some(o)) = position {
            let tag = self.submitted.submit(&p, o);
            self.submitted.ack(tag);
        }
    }

    fn skip_or_fail(
        &mut self,
        topic: &str,
        position: (Option<Arc<JsonMap>>, Option<SourceOffset>),
        failure: Failure,
    ) -> Result<(), String> {
        self.stages
            .errors
            .report_source(self.ctx, topic, &failure)?;
        self.pass_over(position);
        Ok(())
    }

    fn send(&mut self, r: ConnectRecord) -> Result<(), String> {
        let mut r = if self.stages.transformations.is_empty() {
            r
        } else {
            let (topic, position) = (
                r.topic.clone(),
                (r.source_partition.clone(), r.source_offset),
            );
            match self.stages.transformations.apply(r) {
                Ok(Some(r)) => r,
                Ok(None) => {
                    self.pass_over(position);
                    return Ok(());
                }
                Err(e) => {
                    let failure = Failure::new(Stage::Transformation, &e.class, e.message);
                    return self.skip_or_fail(&topic, position, failure);
                }
            }
        };
        let offset = r.source_offset.take();
        let out = match convert(&self.stages, &r) {
            Ok(c) => c,
            Err(e) => {
                let position = (r.source_partition.take(), offset);
                return self.skip_or_fail(&r.topic, position, e);
            }
        };
        let rkt = match self.ensure_topic(&r.topic) {
            Ok(rkt) => rkt,
            // Stopping while the broker was away: the record was never sent, so its offset is
            // not committed and it is read again next time.
            Err(_) if self.ctx.control.stopping() => return Ok(()),
            Err(e) => return Err(e),
        };
        let tag = match (&r.source_partition, offset) {
            (Some(p), Some(o)) => self.submitted.submit(p, o),
            _ => usize::MAX,
        };
        self.produce(rkt, &r, out, tag)
    }

    /// Hands one record to librdkafka (which copies key and value), waiting while its queue is
    /// full.
    fn produce(
        &mut self,
        rkt: *mut rd::rd_kafka_topic_t,
        r: &ConnectRecord,
        mut out: Outgoing<'_>,
        tag: usize,
    ) -> Result<(), String> {
        use rd::rd_kafka_vtype_t as V;
        use rd::rd_kafka_vu_s__bindgen_ty_1 as U;
        fn mem(b: &[u8]) -> U {
            U {
                mem: rd::rd_kafka_vu_s__bindgen_ty_1__bindgen_ty_1 {
                    ptr: b.as_ptr() as *mut c_void,
                    size: b.len(),
                },
            }
        }
        let mut vus = [rd::rd_kafka_vu_t {
            vtype: V::RD_KAFKA_VTYPE_END,
            u: U { i: 0 },
        }; 8];
        let mut n = 0;
        let mut push = |vtype, u| {
            vus[n] = rd::rd_kafka_vu_t { vtype, u };
            n += 1;
        };
        push(V::RD_KAFKA_VTYPE_RKT, U { rkt });
        push(
            V::RD_KAFKA_VTYPE_PARTITION,
            U {
                i32_: r.kafka_partition.unwrap_or(-1),
            },
        );
        push(
            V::RD_KAFKA_VTYPE_MSGFLAGS,
            U {
                i: rd::RD_KAFKA_MSG_F_COPY,
            },
        );
        push(
            V::RD_KAFKA_VTYPE_OPAQUE,
            U {
                ptr: tag as *mut c_void,
            },
        );
        if let Some(v) = &out.value {
            push(V::RD_KAFKA_VTYPE_VALUE, mem(v));
        }
        if let Some(k) = &out.key {
            push(V::RD_KAFKA_VTYPE_KEY, mem(k));
        }
        if let Some(ts) = r.timestamp {
            push(V::RD_KAFKA_VTYPE_TIMESTAMP, U { i64_: ts });
        }
        if let Some(h) = &out.headers {
            push(V::RD_KAFKA_VTYPE_HEADERS, U { headers: h.0 });
        }
        loop {
            // SAFETY: every pointer in the list is valid for the call; F_COPY makes librdkafka
            // copy key and value; the header list becomes librdkafka's on success.
            let error = unsafe {
                rd::rd_kafka_produceva(self.producer.client().native_ptr(), vus.as_ptr(), n)
            };
            if error.is_null() {
                if let Some(h) = out.headers.as_mut() {
                    h.0 = ptr::null_mut();
                }
                return Ok(());
            }
            // SAFETY: a produce error is ours to read and destroy.
            let code: RDKafkaErrorCode = unsafe {
                let code = rd::rd_kafka_error_code(error);
                rd::rd_kafka_error_destroy(error);
                code.into()
            };
            if code != RDKafkaErrorCode::QueueFull {
                return Err(format!(
                    "Failed to send a record to topic {}: {}",
                    r.topic,
                    rdkafka::error::KafkaError::MessageProduction(code)
                ));
            }
            self.serve(Duration::from_millis(100))?;
            if self.ctx.control.stopping() {
                return Ok(());
            }
        }
    }

    /// Makes sure `topic` exists, creating it if needed, and returns its handle. An
    /// unreachable broker is waited for up to a minute (the Java producer's `max.block.ms`)
    /// before the task fails.
    fn ensure_topic(&mut self, topic: &str) -> Result<*mut rd::rd_kafka_topic_t, String> {
        if let Some((name, rkt)) = &self.last_topic {
            if name == topic {
                return Ok(*rkt);
            }
        }
        if let Some(h) = self.topics.get(topic) {
            self.last_topic = Some((topic.to_string(), h.0));
            return Ok(h.0);
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        let exists = loop {
            match topics::exists(self.producer.client(), topic) {
                Ok(exists) => break exists,
                Err(e) if Instant::now() < deadline && !self.ctx.control.stopping() => {
                    self.ctx
                        .listener
                        .log(format!("Task {}: {e} (retrying)", self.ctx.id));
                    std::thread::sleep(Duration::from_secs(1));
                }
                Err(e) => return Err(e),
            }
        };
        if !exists {
            let (partitions, replication) = topics::creation_settings(&self.ctx.connector_config)?;
            let mut notes = Vec::new();
            let admin = client_config(
                &self.ctx.worker,
                Role::Admin,
                Some(&self.ctx.connector_config),
                &mut notes,
            );
            topics::create(&admin, topic, partitions, replication, &[])?;
            self.ctx.listener.log(format!(
                "Created topic {topic} with {partitions} partition(s) for task {}",
                self.ctx.id
            ));
        }
        let name = CString::new(topic).map_err(|_| format!("Invalid topic name {topic:?}"))?;
        // SAFETY: the client is live; a NULL config takes the producer's topic defaults.
        let rkt = unsafe {
            rd::rd_kafka_topic_new(
                self.producer.client().native_ptr(),
                name.as_ptr(),
                ptr::null_mut(),
            )
        };
        if rkt.is_null() {
            return Err(format!("cannot create a handle for topic {topic}"));
        }
        self.ctx.listener.topic(&self.ctx.id, topic);
        self.topics.insert(topic.to_string(), TopicHandle(rkt));
        self.last_topic = Some((topic.to_string(), rkt));
        Ok(rkt)
    }
    /// Serves delivery reports; a failed delivery fails the task unless errors are tolerated.
    fn serve(&mut self, wait: Duration) -> Result<(), String> {
        self.producer.poll(wait);
        let done = std::mem::take(
            &mut *self
                .producer
                .context()
                .done
                .lock()
                .unwrap_or_else(|p| p.into_inner()),
        );
        for (tag, r) in done {
            match r {
                Ok(()) => {}
                Err(e) if self.ctx.tolerate_errors() => {
                    self.ctx.listener.log(format!(
                        "Task {}: a record was not delivered: {e}",
                        self.ctx.id
                    ));
                }
                Err(e) => return Err(format!("Failed to deliver a record: {e}")),
            }
            if tag != usize::MAX {
                self.submitted.ack(tag);
            }
        }
        Ok(())
    }

    /// Commits the committable offsets and returns them.
    fn commit_offsets(&mut self) -> Result<Vec<(JsonMap, JsonMap)>, String> {
        self.last_flush = Instant::now();
        let batch = self.submitted.take_committable();
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        self.ctx
            .offsets
            .write(&self.ctx.id.connector, &batch)
            .map_err(|e| format!("Failed to commit offsets: {e}"))?;
        Ok(batch
            .into_iter()
            .filter_map(|(p, o)| Some((p, o?)))
            .collect())
    }

    /// Waits (bounded) for outstanding acknowledgements, then commits what is committable.
    fn finish(&mut self) -> Result<Vec<(JsonMap, JsonMap)>, String> {
        let deadline = Instant::now()
            + Duration::from_millis(self.ctx.worker.task_shutdown_timeout_ms.max(1000));
        while self.submitted.outstanding() > 0 && Instant::now() < deadline {
            if let Err(e) = self.serve(Duration::from_millis(50)) {
                self.ctx
                    .listener
                    .log(format!("Task {}: {}", self.ctx.id, first_line(&e)));
                break;
            }
        }
        let _ = self.producer.flush(Duration::from_secs(1));
        let _ = self.serve(Duration::ZERO);
        self.commit_offsets()
    }
}

/// Converts a record's key, value and headers; key and value borrow from the record where the
/// converter allows.
fn convert<'r>(stages: &Stages, r: &'r ConnectRecord) -> Result<Outgoing<'r>, Failure> {
    let topic = &r.topic;
    let key = stages
        .key_converter
        .from_connect_ref(topic, r.key_schema.as_deref(), &r.key)
        .map_err(|e| Failure::new(Stage::KeyConverter, &stages.classes[0], e.to_string()))?;
    let value = stages
        .value_converter
        .from_connect_ref(topic, r.value_schema.as_deref(), &r.value)
        .map_err(|e| Failure::new(Stage::ValueConverter, &stages.classes[1], e.to_string()))?;
    let headers = if r.headers.is_empty() {
        None
    } else {
        let mut out = NativeHeaders::new(r.headers.len());
        for h in &r.headers {
            let bytes = stages
                .header_converter
                .from_connect_header(topic, &h.key, h.schema.as_deref(), &h.value)
                .map_err(|e| {
                    Failure::new(
                        Stage::HeaderConverter,
                        &stages.classes[2],
                        format!("header {}: {e}", h.key),
                    )
                })?;
            out.add(&h.key, bytes.as_deref());
        }
        Some(out)
    };
    Ok(Outgoing {
        key,
        value,
        headers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn m(v: serde_json::Value) -> JsonMap {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn only_the_acknowledged_prefix_is_committable() {
        let mut s = Submitted::default();
        let p = Arc::new(m(json!({"filename": "a"})));
        let q = Arc::new(m(json!({"filename": "b"})));
        let t1 = s.submit(&p, SourceOffset::new("position", 1));
        let t2 = s.submit(&p, SourceOffset::new("position", 2));
        let t3 = s.submit(&q, SourceOffset::new("position", 9));
        s.ack(t2);
        assert!(s.take_committable().is_empty());
        s.ack(t3);
        assert_eq!(
            s.take_committable(),
            vec![((*q).clone(), Some(m(json!({"position": 9}))))]
        );
        s.ack(t1);
        assert_eq!(
            s.take_committable(),
            vec![((*p).clone(), Some(m(json!({"position": 2}))))]
        );
        assert_eq!(s.outstanding(), 0);
        assert!(s.take_committable().is_empty());
    }
}
