//! The sink task loop (Connect's `WorkerSinkTask`): the consumer group `connect-<name>` →
//! convert → `put`; every `offset.flush.interval.ms` and on stop the task flushes and only then
//! are the consumed offsets committed, so a crash re-delivers rather than loses.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, RebalanceProtocol};
use rdkafka::error::KafkaError;
use rdkafka::message::{BorrowedMessage, Headers, Message};
use rdkafka::types::RDKafkaRespErr;
use rdkafka::{ClientContext, Offset, TopicPartitionList};

use super::errors::{Failure, Stage};
use super::{Stages, TaskContext};
use crate::connect::types::State;
use crate::worker::clients::Role;
use crate::worker::data::{ConnectRecord, Header};
use crate::worker::plugin::SinkTask;

/// Records handed to `put` at most at once.
const MAX_BATCH: usize = 2000;

/// How often a sink looks for a listed topic that does not exist yet.
const MISSING_TOPIC_CHECK: Duration = Duration::from_millis(200);

/// The consumer group of a sink connector (`consumer.override.group.id` wins).
pub fn group_id(connector: &str, config: &crate::connect::types::ConfigMap) -> String {
    config
        .get("consumer.override.group.id")
        .cloned()
        .unwrap_or_else(|| format!("connect-{connector}"))
}

struct Loop<'a> {
    ctx: &'a TaskContext,
    consumer: BaseConsumer<SinkContext>,
    stages: Stages,
    /// Per topic this task has seen: the next offset to commit per partition, for records put
    /// since the last commit. A topic stays once seen (it is an active topic).
    consumed: HashMap<String, HashMap<i32, i64>>,
    /// The topic of the messages `fill` is taking in a run of one partition.
    run_topic: String,
    last_consumer_error: Option<String>,
    /// The subscription, and until it is made, when to look again whether its listed topics
    /// exist (see `subscribe_when_topics_exist`).
    topics: Vec<String>,
    subscribe_at: Option<Instant>,
    /// The missing topic last reported.
    waiting_for: Option<String>,
    flush_interval: Duration,
    last_flush: Instant,
}

pub fn run(ctx: TaskContext, mut task: Box<dyn SinkTask>) {
    let mut lp = match Loop::new(&ctx) {
        Ok(lp) => lp,
        Err(e) => return ctx.fail(e),
    };
    if let Err(e) = task.start(&ctx.task_config) {
        return ctx.fail(e);
    }
    let result = lp.run(task.as_mut());
    // What was put is flushed and committed even when the loop ended on an error.
    let committed = lp.flush_and_commit(task.as_mut());
    task.stop();
    if let Err(e) = result.and(committed) {
        ctx.fail(e);
    }
}

impl<'a> Loop<'a> {
    fn new(ctx: &'a TaskContext) -> Result<Self, String> {
        let mut cc = ctx.client_config(Role::Consumer, "connector-consumer");
        cc.set(
            "group.id",
            group_id(&ctx.id.connector, &ctx.connector_config),
        );
        cc.set("enable.auto.commit", "false");
        crate::kafka::consumer_defaults(&mut cc);
        // Connect's sink consumers start at the beginning of a topic the group never read.
        if cc.get("auto.offset.reset").is_none() {
            cc.set("auto.offset.reset", "earliest");
        }
        let context = SinkContext {
            reset: reset_offset(cc.get("auto.offset.reset")),
            paused: AtomicBool::new(false),
        };
        let consumer: BaseConsumer<SinkContext> = cc
            .create_with_context(context)
            .map_err(|e| format!("cannot create the consumer of task {}: {e}", ctx.id))?;
        let topics = subscription(&ctx.task_config)?;
        Ok(Loop {
            ctx,
            consumer,
            stages: Stages::new(ctx, true)?,
            consumed: HashMap::new(),
            run_topic: String::new(),
            last_consumer_error: None,
            subscribe_at: Some(Instant::now()),
            waiting_for: None,
            topics,
            flush_interval: Duration::from_millis(ctx.worker.offset_flush_interval_ms.max(1)),
            last_flush: Instant::now(),
        })
    }

    fn run(&mut self, task: &mut dyn SinkTask) -> Result<(), String> {
        let ctx = self.ctx;
        let mut reported = None;
        let mut batch = Vec::with_capacity(MAX_BATCH);
        while !ctx.control.stopping() {
            let paused = ctx.control.paused();
            let state = if paused {
                State::Paused
            } else {
                State::Running
            };
            if reported != Some(state) {
                self.set_paused(paused);
                ctx.listener.state(&ctx.id, state, None);
                reported = Some(state);
            }
            if self.subscribe_at.is_some() {
                self.subscribe_when_topics_exist()?;
            }
            self.fill(&mut batch)?;
            if !batch.is_empty() {
                task.put(std::mem::take(&mut batch))?;
            }
            if self.last_flush.elapsed() >= self.flush_interval {
                self.flush_and_commit(task)?;
            }
        }
        Ok(())
    }

    /// Subscribes once every listed topic exists (a regex at once). Subscribing earlier lets
    /// a topic appear in the middle of the group join; librdkafka then abandons that join, and
    /// tansu keeps the abandoned member, which the assignment then gives the partitions to.
    fn subscribe_when_topics_exist(&mut self) -> Result<(), String> {
        if self.subscribe_at.is_some_and(|at| Instant::now() < at) {
            return Ok(());
        }
        let regex = self.topics.iter().any(|t| t.starts_with('^'));
        if !regex {
            if let Some(missing) = self.topics.iter().find(|t| !self.topic_exists(t)) {
                if self.waiting_for.as_deref() != Some(missing.as_str()) {
                    self.ctx.listener.log(format!(
                        "Task {}: waiting for topic {missing} to exist",
                        self.ctx.id
                    ));
                    self.waiting_for = Some(missing.clone());
                }
                self.subscribe_at = Some(Instant::now() + MISSING_TOPIC_CHECK);
                return Ok(());
            }
        }
        self.subscribe_at = None;
        let refs: Vec<&str> = self.topics.iter().map(String::as_str).collect();
        self.consumer
            .subscribe(&refs)
            .map_err(|e| format!("cannot subscribe to {}: {e}", self.topics.join(",")))
    }

    fn topic_exists(&self, topic: &str) -> bool {
        self.consumer
            .fetch_metadata(Some(topic), Duration::from_secs(5))
            .is_ok_and(|md| {
                md.topics()
                    .iter()
                    .all(|t| t.error().is_none() && !t.partitions().is_empty())
            })
    }

    fn set_paused(&self, paused: bool) {
        self.consumer
            .context()
            .paused
            .store(paused, Ordering::Relaxed);
        if let Ok(assignment) = self.consumer.assignment() {
            let _ = if paused {
                self.consumer.pause(&assignment)
            } else {
                self.consumer.resume(&assignment)
            };
        }
    }

    /// Polls until a batch is full or no message came for a moment.
    fn fill(&mut self, batch: &mut Vec<ConnectRecord>) -> Result<(), String> {
        let mut wait = Duration::from_millis(100);
        // The partition of the previous message (in `run_topic`) and its next offset.
        let mut run: Option<(i32, i64)> = None;
        while batch.len() < MAX_BATCH {
            let Some(msg) = self.consumer.poll(wait) else {
                break;
            };
            wait = Duration::ZERO;
            let msg = match msg {
                Ok(m) => m,
                Err(e) => {
                    self.consumer_error(e)?;
                    break;
                }
            };
            let converted = self.convert(&msg);
            let transformed = if self.stages.transformations.is_empty() {
                converted.map(Some)
            } else {
                converted.and_then(|r| self.transform(r))
            };
            match transformed {
                Ok(Some(r)) => batch.push(r),
                Ok(None) => {}
                Err(failure) => self.stages.errors.report(self.ctx, &msg, &failure)?,
            }
            // Runs of one partition update one position; the map is written when it changes.
            let (topic, partition, next) = (msg.topic(), msg.partition(), msg.offset() + 1);
            match &mut run {
                Some((p, n)) if *p == partition && self.run_topic == topic => *n = next,
                _ => {
                    if let Some((p, n)) = run {
                        record_consumed(&mut self.consumed, &self.run_topic, self.ctx, p, n);
                    }
                    self.run_topic.clear();
                    self.run_topic.push_str(topic);
                    run = Some((partition, next));
                }
            }
        }
        if let Some((p, n)) = run {
            record_consumed(&mut self.consumed, &self.run_topic, self.ctx, p, n);
        }
        Ok(())
    }

    /// librdkafka reports passing conditions (a topic that does not exist yet, a broker that
    /// is away) as errors and recovers by itself: those are logged once, as Connect's consumer
    /// would wait; only fatal errors end the task.
    fn consumer_error(&mut self, e: KafkaError) -> Result<(), String> {
        if let KafkaError::MessageConsumptionFatal(_) = e {
            return Err(format!("Consumer error: {e}"));
        }
        let text = e.to_string();
        if self.last_consumer_error.as_deref() != Some(&text) {
            self.ctx
                .listener
                .log(format!("Task {}: {text} (retrying)", self.ctx.id));
            self.last_consumer_error = Some(text);
        }
        std::thread::sleep(Duration::from_millis(100));
        Ok(())
    }

    fn transform(&self, r: ConnectRecord) -> Result<Option<ConnectRecord>, Failure> {
        self.stages
            .transformations
            .apply(r)
            .map_err(|e| Failure::new(Stage::Transformation, &e.class, e.message))
    }

    fn convert(&self, msg: &BorrowedMessage<'_>) -> Result<ConnectRecord, Failure> {
        let topic = msg.topic();
        let key = self
            .stages
            .key_converter
            .to_connect(topic, msg.key())
            .map_err(|e| {
                Failure::new(Stage::KeyConverter, &self.stages.classes[0], e.to_string())
            })?;
        let value = self
            .stages
            .value_converter
            .to_connect(topic, msg.payload())
            .map_err(|e| {
                Failure::new(
                    Stage::ValueConverter,
                    &self.stages.classes[1],
                    e.to_string(),
                )
            })?;
        let mut headers = Vec::new();
        if let Some(hs) = msg.headers() {
            for h in hs.iter() {
                let sv = self
                    .stages
                    .header_converter
                    .to_connect_header(topic, h.key, h.value)
                    .map_err(|e| {
                        Failure::new(
                            Stage::HeaderConverter,
                            &self.stages.classes[2],
                            format!("header {}: {e}", h.key),
                        )
                    })?;
                headers.push(Header {
                    key: h.key.to_string(),
                    schema: sv.schema,
                    value: sv.value,
                });
            }
        }
        let mut r = ConnectRecord::new(topic.to_string(), value.schema, value.value);
        r.key_schema = key.schema;
        r.key = key.value;
        r.kafka_partition = Some(msg.partition());
        r.kafka_offset = Some(msg.offset());
        r.timestamp = msg.timestamp().to_millis();
        r.headers = headers;
        Ok(r)
    }

    fn flush_and_commit(&mut self, task: &mut dyn SinkTask) -> Result<(), String> {
        self.last_flush = Instant::now();
        if self.consumed.values().all(HashMap::is_empty) {
            return Ok(());
        }
        task.flush()?;
        // Records sent to the dead letter queue are committed as consumed only once it has them.
        self.stages.errors.flush()?;
        let mut tpl = TopicPartitionList::new();
        for (topic, partitions) in &self.consumed {
            for (partition, next) in partitions {
                tpl.add_partition_offset(topic, *partition, Offset::Offset(*next))
                    .map_err(|e| format!("bad offset for {topic}-{partition}: {e}"))?;
            }
        }
        self.consumer
            .commit(&tpl, CommitMode::Sync)
            .map_err(|e| format!("Commit of offsets failed: {e}"))?;
        self.consumed.values_mut().for_each(HashMap::clear);
        Ok(())
    }
}

/// The sink consumer's context: it starts newly assigned partitions itself, at the group's
/// committed offset or, when there is none, where `auto.offset.reset` says. Left to librdkafka,
/// a partition without a committed offset waits a fixed 100 ms before its first offset query.
/// Partitions assigned while the task is paused stay paused.
struct SinkContext {
    /// Where a partition without a committed offset starts; `Invalid` leaves it to librdkafka.
    reset: Offset,
    paused: AtomicBool,
}

impl ClientContext for SinkContext {}

impl ConsumerContext for SinkContext {
    fn rebalance(
        &self,
        consumer: &BaseConsumer<Self>,
        err: RDKafkaRespErr,
        tpl: &mut TopicPartitionList,
    ) {
        let cooperative = matches!(
            consumer.rebalance_protocol(),
            RebalanceProtocol::Cooperative
        );
        // Errors here surface through the consumer's next poll; nothing to add.
        let _ = match err {
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS => {
                self.start_at_committed(consumer, tpl);
                let assigned = if cooperative {
                    consumer.incremental_assign(tpl)
                } else {
                    consumer.assign(tpl)
                };
                if self.paused.load(Ordering::Relaxed) {
                    let _ = consumer.pause(tpl);
                }
                assigned
            }
            _ if cooperative => consumer.incremental_unassign(tpl),
            _ => consumer.unassign(),
        };
    }
}

impl SinkContext {
    fn start_at_committed(&self, consumer: &BaseConsumer<Self>, tpl: &mut TopicPartitionList) {
        if self.reset == Offset::Invalid {
            return;
        }
        // On failure librdkafka looks the committed offsets up itself.
        let Ok(committed) = consumer.committed_offsets(tpl.clone(), Duration::from_secs(2)) else {
            return;
        };
        for e in committed.elements() {
            let start = match e.offset() {
                Offset::Offset(o) => Offset::Offset(o),
                _ => self.reset,
            };
            let _ = tpl.set_partition_offset(e.topic(), e.partition(), start);
        }
    }
}

/// `auto.offset.reset` as a start position (`error` and unknown words: librdkafka decides).
pub(crate) fn reset_offset(setting: Option<&str>) -> Offset {
    match setting {
        Some("earliest" | "smallest" | "beginning") => Offset::Beginning,
        Some("latest" | "largest" | "end") => Offset::End,
        _ => Offset::Invalid,
    }
}

/// Notes `next` as the next offset to commit for `topic`'s `partition`; a topic seen for the
/// first time is reported active.
fn record_consumed(
    consumed: &mut HashMap<String, HashMap<i32, i64>>,
    topic: &str,
    ctx: &TaskContext,
    partition: i32,
    next: i64,
) {
    let partitions = match consumed.get_mut(topic) {
        Some(p) => p,
        None => {
            ctx.listener.topic(&ctx.id, topic);
            consumed.entry(topic.to_string()).or_default()
        }
    };
    partitions.insert(partition, next);
}

/// `topics` (a list) or `topics.regex` (librdkafka takes a regex when it starts with `^`).
pub fn subscription(config: &crate::connect::types::ConfigMap) -> Result<Vec<String>, String> {
    let topics = crate::worker::configdef::list(config.get("topics").map_or("", String::as_str));
    let regex = config
        .get("topics.regex")
        .map(|r| r.trim())
        .filter(|r| !r.is_empty());
    match (topics.is_empty(), regex) {
        (false, None) => Ok(topics),
        (true, Some(r)) => Ok(vec![if r.starts_with('^') {
            r.to_string()
        } else {
            format!("^{r}")
        }]),
        (false, Some(_)) => Err("Must configure one of topics or topics.regex, not both".into()),
        (true, None) => Err("Must configure one of topics or topics.regex".into()),
    }
}
