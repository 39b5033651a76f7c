//! The source task loop (Connect's `WorkerSourceTask`): poll → convert → produce; a record's
//! source offset becomes committable only once the broker acknowledged it and every earlier
//! record of the same source partition (at-least-once), and committed offsets are flushed every
//! `offset.flush.interval.ms` and on stop.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{BaseProducer, BaseRecord, DeliveryResult, Producer, ProducerContext};
use rdkafka::ClientContext;

use super::errors::{Failure, Stage};
use super::{first_line, Stages, TaskContext};
use crate::connect::types::{JsonMap, State};
use crate::worker::clients::{client_config, Role};
use crate::worker::data::ConnectRecord;
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
    partition: JsonMap,
    /// Sequence number of the front entry.
    front: u64,
    pending: VecDeque<(JsonMap, bool)>,
    committable: Option<JsonMap>,
}

/// Submissions are tagged `partition index << SEQ_BITS | sequence`.
const SEQ_BITS: u32 = 40;

impl Submitted {
    fn submit(&mut self, partition: &JsonMap, offset: JsonMap) -> usize {
        let idx = match self.last {
            Some(i) if self.partitions[i].partition == *partition => i,
            _ => self.index_of(partition),
        };
        self.last = Some(idx);
        let q = &mut self.partitions[idx];
        let seq = q.front + q.pending.len() as u64;
        q.pending.push_back((offset, false));
        (idx << SEQ_BITS) | (seq as usize & ((1 << SEQ_BITS) - 1))
    }

    fn index_of(&mut self, partition: &JsonMap) -> usize {
        let key = serde_json::to_vec(partition).unwrap_or_default();
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
        while q.pending.front().is_some_and(|e| e.1) {
            let (offset, _) = q.pending.pop_front().unwrap_or_default();
            q.front += 1;
            q.committable = Some(offset);
        }
    }

    /// Offsets ready to commit since the last call.
    fn take_committable(&mut self) -> Vec<(JsonMap, Option<JsonMap>)> {
        self.partitions
            .iter_mut()
            .filter_map(|q| Some((q.partition.clone(), Some(q.committable.take()?))))
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
    producer: BaseProducer<Acks>,
    stages: Stages,
    submitted: Submitted,
    known_topics: HashSet<String>,
    /// The topic of the previous record, known to exist.
    last_topic: String,
    flush_interval: Duration,
    last_flush: Instant,
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
            producer,
            stages: Stages::new(ctx, false)?,
            submitted: Submitted::default(),
            known_topics: HashSet::new(),
            last_topic: String::new(),
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
            if state == State::Paused {
                std::thread::sleep(Duration::from_millis(50));
            } else {
                let records = task.poll()?;
                for r in records {
                    self.send(r)?;
                }
            }
            self.serve(Duration::ZERO)?;
            if self.last_flush.elapsed() >= self.flush_interval {
                let committed = self.commit_offsets()?;
                task.commit(&committed);
            }
        }
        Ok(())
    }

    /// A record that is not sent (filtered, or skipped by `errors.tolerance=all`) still moves
    /// its partition's offset on, as Connect does.
    fn pass_over(&mut self, position: (Option<JsonMap>, Option<JsonMap>)) {
        if let (Some(p), Some(o)) = position {
            let tag = self.submitted.submit(&p, o);
            self.submitted.ack(tag);
        }
    }

    fn skip_or_fail(
        &mut self,
        topic: &str,
        position: (Option<JsonMap>, Option<JsonMap>),
        failure: Failure,
    ) -> Result<(), String> {
        self.stages
            .errors
            .report_source(self.ctx, topic, &failure)?;
        self.pass_over(position);
        Ok(())
    }

    fn send(&mut self, r: ConnectRecord) -> Result<(), String> {
        let r = if self.stages.transformations.is_empty() {
            r
        } else {
            let (topic, position) = (
                r.topic.clone(),
                (r.source_partition.clone(), r.source_offset.clone()),
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
        let topic = r.topic.clone();
        let (key, value, headers) = match self.convert(&r) {
            Ok(c) => c,
            Err(e) => {
                let position = (r.source_partition.clone(), r.source_offset.clone());
                return self.skip_or_fail(&topic, position, e);
            }
        };
        if let Err(e) = self.ensure_topic(&topic) {
            // Stopping while the broker was away: the record was never sent, so its offset is
            // not committed and it is read again next time.
            if self.ctx.control.stopping() {
                return Ok(());
            }
            return Err(e);
        }
        let tag = match (&r.source_partition, r.source_offset.clone()) {
            (Some(p), Some(o)) => self.submitted.submit(p, o),
            _ => usize::MAX,
        };
        let mut record = BaseRecord::with_opaque_to(&topic, tag);
        if let Some(k) = &key {
            record = record.key(k);
        }
        if let Some(v) = &value {
            record = record.payload(v);
        }
        if let Some(p) = r.kafka_partition {
            record = record.partition(p);
        }
        if let Some(ts) = r.timestamp {
            record = record.timestamp(ts);
        }
        if let Some(h) = headers {
            record = record.headers(h);
        }
        loop {
            match self.producer.send(record) {
                Ok(()) => return Ok(()),
                Err((
                    rdkafka::error::KafkaError::MessageProduction(
                        rdkafka::types::RDKafkaErrorCode::QueueFull,
                    ),
                    back,
                )) => {
                    record = back;
                    self.serve(Duration::from_millis(100))?;
                    if self.ctx.control.stopping() {
                        return Ok(());
                    }
                }
                Err((e, _)) => {
                    return Err(format!("Failed to send a record to topic {topic}: {e}"))
                }
            }
        }
    }

    #[allow(clippy::type_complexity)]
    fn convert(
        &self,
        r: &ConnectRecord,
    ) -> Result<(Option<Vec<u8>>, Option<Vec<u8>>, Option<OwnedHeaders>), Failure> {
        let topic = &r.topic;
        let key = self
            .stages
            .key_converter
            .from_connect(topic, r.key_schema.as_deref(), &r.key)
            .map_err(|e| {
                Failure::new(Stage::KeyConverter, &self.stages.classes[0], e.to_string())
            })?;
        let value = self
            .stages
            .value_converter
            .from_connect(topic, r.value_schema.as_deref(), &r.value)
            .map_err(|e| {
                Failure::new(
                    Stage::ValueConverter,
                    &self.stages.classes[1],
                    e.to_string(),
                )
            })?;
        let headers = if r.headers.is_empty() {
            None
        } else {
            let mut out = OwnedHeaders::new_with_capacity(r.headers.len());
            for h in &r.headers {
                let bytes = self
                    .stages
                    .header_converter
                    .from_connect_header(topic, &h.key, h.schema.as_deref(), &h.value)
                    .map_err(|e| {
                        Failure::new(
                            Stage::HeaderConverter,
                            &self.stages.classes[2],
                            format!("header {}: {e}", h.key),
                        )
                    })?;
                out = out.insert(Header {
                    key: &h.key,
                    value: bytes.as_deref(),
                });
            }
            Some(out)
        };
        Ok((key, value, headers))
    }

    /// Makes sure `topic` exists, creating it if needed. An unreachable broker is waited for
    /// up to a minute (the Java producer's `max.block.ms`) before the task fails.
    fn ensure_topic(&mut self, topic: &str) -> Result<(), String> {
        if self.last_topic == topic || self.known_topics.contains(topic) {
            if self.last_topic != topic {
                self.last_topic = topic.to_string();
            }
            return Ok(());
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
        self.ctx.listener.topic(&self.ctx.id, topic);
        self.known_topics.insert(topic.to_string());
        self.last_topic = topic.to_string();
        Ok(())
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
        let p = m(json!({"filename": "a"}));
        let q = m(json!({"filename": "b"}));
        let t1 = s.submit(&p, m(json!({"position": 1})));
        let t2 = s.submit(&p, m(json!({"position": 2})));
        let t3 = s.submit(&q, m(json!({"position": 9})));
        s.ack(t2);
        assert!(s.take_committable().is_empty());
        s.ack(t3);
        assert_eq!(
            s.take_committable(),
            vec![(q.clone(), Some(m(json!({"position": 9}))))]
        );
        s.ack(t1);
        assert_eq!(
            s.take_committable(),
            vec![(p, Some(m(json!({"position": 2}))))]
        );
        assert_eq!(s.outstanding(), 0);
        assert!(s.take_committable().is_empty());
    }
}
