//! kcat's `-C`: the group-less consumer. Every partition (or `-p`) is started at its `-o` offset on
//! one queue; messages are formatted into a buffer that is written once per served batch.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::kafka::events::ErrText;
use crate::kafka::events::Events;
use crate::kafka::native::{Handle, MessageSink, Topic};
use crate::kafka::options::{KcatOptions, StartOffset};
use crate::kafka::printer::Emitter;
use crate::kafka::{client_config, consumer_defaults, logical, KafkaError};
use crate::record::MessageView;

/// How long one wait for messages may block before signals and callbacks are looked at again.
const SERVE_TIMEOUT_MS: i32 = 100;

pub fn run(opts: &KcatOptions, events: Arc<Events>, stop: &AtomicBool) -> Result<(), KafkaError> {
    let topic_name = opts.topic.as_deref().unwrap_or_default();
    let emitter = Emitter::new(opts)?;
    let mut cc = client_config(opts);
    cc.set("enable.partition.eof", "true");
    consumer_defaults(&mut cc);
    // No periodic commits from the simple consumer (kcat forces this too); partition ends are
    // still committed for a group, see `store_offsets`.
    if cc.get("auto.commit.enable").is_none() {
        cc.set("auto.commit.enable", "false");
        events.own_property("auto.commit.enable");
    }
    let handle = Handle::consumer(&cc, events.clone())?;
    let topic = handle.topic(topic_name)?;
    let partitions = partitions_to_read(&handle, &topic, topic_name, opts)?;
    let starts = start_offsets(&handle, topic_name, &partitions, opts)?;

    let queue = handle.queue();
    for (&p, &offset) in partitions.iter().zip(&starts) {
        topic.start(p, offset, &queue).map_err(|e| {
            KafkaError::Kafka(format!(
                "Failed to start consuming topic {topic_name} [{p}]: {}",
                ErrText(e)
            ))
        })?;
    }

    // With a group id, kcat's simple consumer stores each partition's end offset, which
    // librdkafka commits when the partition stops: the next `-o stored` run starts there.
    let store_offsets = cc.get("group.id").is_some();
    let mut state = ConsumeState::new(opts, &partitions, &events, emitter);
    let result = loop {
        queue.serve(SERVE_TIMEOUT_MS, &mut state);
        handle.poll(0);
        if let Some(fatal) = events.take_fatal() {
            break Err(KafkaError::Kafka(fatal));
        }
        if let Some(err) = state.failure.take() {
            break Err(err);
        }
        if let Err(e) = state.emitter.flush() {
            break Err(e);
        }
        for (p, offset) in state.eof_offsets.drain(..) {
            if store_offsets {
                topic.store_offset(p, offset - 1);
            }
        }
        stop_finished(&topic, &mut state);
        if state.done || stop.load(Ordering::Relaxed) {
            break Ok(());
        }
    };
    // Output already formatted is written even when the run ends on an error.
    let flushed = state.emitter.flush();
    for part in &state.parts {
        if !part.stop_sent {
            topic.stop(part.id);
        }
    }
    result.and(flushed)
}

fn partitions_to_read(
    handle: &Handle,
    topic: &Topic,
    name: &str,
    opts: &KcatOptions,
) -> Result<Vec<i32>, KafkaError> {
    let md = handle
        .metadata(Some(topic), opts.metadata_timeout_ms)
        .map_err(|e| {
            KafkaError::Kafka(format!(
                "Failed to query metadata for topic {name}: {}",
                ErrText(e)
            ))
        })?;
    let Some(t) = md.topics.iter().find(|t| t.name == name) else {
        return Err(KafkaError::Kafka(format!(
            "No such topic in cluster: {name}"
        )));
    };
    if let Some(e) = t.error {
        return Err(KafkaError::Kafka(format!(
            "Topic {name} error: {}",
            ErrText(e)
        )));
    }
    if t.partitions.is_empty() {
        return Err(KafkaError::Kafka(format!("Topic {name} has no partitions")));
    }
    let mut ids: Vec<i32> = t.partitions.iter().map(|p| p.id).collect();
    ids.sort_unstable();
    if opts.partition == -1 {
        return Ok(ids);
    }
    if !ids.contains(&opts.partition) {
        return Err(KafkaError::Kafka(format!(
            "Topic {name} (with partitions 0..{}): partition {} does not exist",
            ids.len() as i32 - 1,
            opts.partition
        )));
    }
    Ok(vec![opts.partition])
}

fn start_offsets(
    handle: &Handle,
    topic: &str,
    partitions: &[i32],
    opts: &KcatOptions,
) -> Result<Vec<i64>, KafkaError> {
    if let Some(ts) = opts.start_ts {
        let asks: Vec<(i32, i64)> = partitions.iter().map(|&p| (p, ts)).collect();
        let found = handle
            .offsets_for_times(topic, &asks, opts.metadata_timeout_ms)
            .map_err(|e| {
                KafkaError::Kafka(format!(
                    "Failed to query offsets for timestamp {ts}: {}",
                    ErrText(e)
                ))
            })?;
        return partitions
            .iter()
            .map(|p| match found.iter().find(|(fp, _, _)| fp == p) {
                Some((_, _, Some(e))) => Err(KafkaError::Kafka(format!(
                    "Failed to query offsets for timestamp {ts} on {topic} [{p}]: {}",
                    ErrText(*e)
                ))),
                Some((_, offset, None)) => Ok(*offset),
                None => Ok(logical::END),
            })
            .collect();
    }
    let offset = logical_offset(opts.offset.unwrap_or(StartOffset::Beginning));
    Ok(vec![offset; partitions.len()])
}

/// librdkafka's number for a `-o` form.
pub fn logical_offset(offset: StartOffset) -> i64 {
    match offset {
        StartOffset::Beginning => logical::BEGINNING,
        StartOffset::End => logical::END,
        StartOffset::Stored => logical::STORED,
        StartOffset::Absolute(n) => n,
        StartOffset::Tail(n) => logical::TAIL_BASE - n,
    }
}

/// Sends `consume_stop` for partitions that finished during the last batch (not from inside
/// librdkafka's callback).
fn stop_finished(topic: &Topic, state: &mut ConsumeState<'_>) {
    for part in state.parts.iter_mut() {
        if part.stopped && !part.stop_sent {
            topic.stop(part.id);
            part.stop_sent = true;
        }
    }
}

struct PartState {
    id: i32,
    stopped: bool,
    stop_sent: bool,
    at_eof: bool,
}

struct ConsumeState<'a> {
    parts: Vec<PartState>,
    emitter: Emitter,
    events: &'a Events,
    exit_eof: bool,
    end_ts: Option<i64>,
    stopped_count: usize,
    done: bool,
    failure: Option<KafkaError>,
    /// Partition ends seen in the last batch: (partition, end offset).
    eof_offsets: Vec<(i32, i64)>,
}

impl<'a> ConsumeState<'a> {
    fn new(opts: &KcatOptions, partitions: &[i32], events: &'a Events, emitter: Emitter) -> Self {
        ConsumeState {
            parts: partitions
                .iter()
                .map(|&id| PartState {
                    id,
                    stopped: false,
                    stop_sent: false,
                    at_eof: false,
                })
                .collect(),
            emitter,
            events,
            exit_eof: opts.exit_eof,
            end_ts: opts.end_ts,
            stopped_count: 0,
            done: false,
            failure: None,
            eof_offsets: Vec::new(),
        }
    }

    fn part(&mut self, partition: i32) -> Option<&mut PartState> {
        self.parts.iter_mut().find(|p| p.id == partition)
    }

    fn stop_partition(&mut self, partition: i32) {
        if let Some(p) = self.part(partition) {
            if !p.stopped {
                p.stopped = true;
                self.stopped_count += 1;
                if self.stopped_count == self.parts.len() {
                    self.done = true;
                }
            }
        }
    }
}

impl MessageSink for ConsumeState<'_> {
    fn message(&mut self, msg: &MessageView<'_>) {
        if self.done || self.failure.is_some() {
            return;
        }
        match self.part(msg.partition) {
            Some(p) if !p.stopped => p.at_eof = false,
            _ => return,
        }
        if let Some(end) = self.end_ts {
            if msg.timestamp >= end {
                self.stop_partition(msg.partition);
                return;
            }
        }
        match self.emitter.emit(msg) {
            Ok(limit_reached) => self.done |= limit_reached,
            Err(e) => self.failure = Some(e),
        }
    }

    fn partition_eof(&mut self, topic: &str, partition: i32, offset: i64) {
        let exit_eof = self.exit_eof;
        let Some(p) = self.part(partition) else {
            return;
        };
        if p.stopped || p.at_eof {
            return;
        }
        p.at_eof = true;
        self.eof_offsets.push((partition, offset));
        if exit_eof {
            self.stop_partition(partition);
        }
        let suffix = if self.done { ": exiting" } else { "" };
        self.events.info(format_args!(
            "% Reached end of topic {topic} [{partition}] at offset {offset}{suffix}"
        ));
    }

    fn error(&mut self, text: &str) {
        self.failure = Some(KafkaError::Kafka(text.to_string()));
    }
}
