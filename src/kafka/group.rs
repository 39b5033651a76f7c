//! kcat's `-G`: a balanced consumer subscribed to the positional topics (`^regex` allowed), with
//! `-o` overriding committed offsets on every assignment and `-e` ending once every assigned
//! partition is at its end.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::kafka::events::ErrText;
use crate::kafka::events::Events;
use crate::kafka::native::{GroupSettings, Handle, MessageSink};
use crate::kafka::options::{KcatOptions, Mode};
use crate::kafka::printer::Emitter;
use crate::kafka::{client_config, consumer_defaults, KafkaError};
use crate::record::MessageView;

const POLL_TIMEOUT_MS: i32 = 100;

pub fn run(opts: &KcatOptions, events: Arc<Events>, stop: &AtomicBool) -> Result<(), KafkaError> {
    let Mode::Group(group) = &opts.mode else {
        return Err(KafkaError::Usage("-G needs a group id".into()));
    };
    if opts.start_ts.is_some() || opts.end_ts.is_some() {
        return Err(KafkaError::Config(
            "-o ..@ timestamps can't be used with -G mode".into(),
        ));
    }
    let emitter = Emitter::new(opts)?;
    let mut cc = client_config(opts);
    cc.set("enable.partition.eof", "true");
    consumer_defaults(&mut cc);
    let settings = GroupSettings {
        group: group.clone(),
        offset: opts.offset.map(super::consume::logical_offset),
    };
    let handle = Handle::group_consumer(&cc, events.clone(), settings)?;
    events.info("% Waiting for group rebalance");
    handle.subscribe(&opts.positional).map_err(|e| {
        KafkaError::Kafka(format!(
            "Failed to subscribe to {} topics: {}",
            opts.positional.len(),
            ErrText(e)
        ))
    })?;

    let mut sink = GroupSink {
        emitter,
        events: &events,
        at_eof: Vec::new(),
        exit_eof: opts.exit_eof,
        assigned: 0,
        done: false,
        failure: None,
    };
    let result = loop {
        sink.assigned = handle.assignment_len();
        handle.consumer_poll(POLL_TIMEOUT_MS, &mut sink);
        if let Some(fatal) = events.take_fatal() {
            break Err(KafkaError::Kafka(fatal));
        }
        if let Some(e) = sink.failure.take() {
            break Err(e);
        }
        if let Err(e) = sink.emitter.flush() {
            break Err(e);
        }
        if sink.done || stop.load(Ordering::Relaxed) {
            break Ok(());
        }
    };
    let flushed = sink.emitter.flush();
    handle.consumer_close();
    result.and(flushed)
}

struct GroupSink<'a> {
    emitter: Emitter,
    events: &'a Events,
    /// Partitions at their end; few, and searched without allocating per message.
    at_eof: Vec<(String, i32)>,
    exit_eof: bool,
    /// Partitions assigned when the current poll started.
    assigned: usize,
    done: bool,
    failure: Option<KafkaError>,
}

impl GroupSink<'_> {
    fn position_at_eof(&self, topic: &str, partition: i32) -> Option<usize> {
        self.at_eof
            .iter()
            .position(|(t, p)| t == topic && *p == partition)
    }
}

impl MessageSink for GroupSink<'_> {
    fn message(&mut self, msg: &MessageView<'_>) {
        if self.done || self.failure.is_some() {
            return;
        }
        if let Some(i) = self.position_at_eof(msg.topic, msg.partition) {
            self.at_eof.swap_remove(i);
        }
        match self.emitter.emit(msg) {
            Ok(limit) => self.done |= limit,
            Err(e) => self.failure = Some(e),
        }
    }

    fn partition_eof(&mut self, topic: &str, partition: i32, offset: i64) {
        if self.position_at_eof(topic, partition).is_none() {
            self.at_eof.push((topic.to_string(), partition));
        }
        if self.exit_eof && self.assigned > 0 && self.at_eof.len() >= self.assigned {
            self.done = true;
        }
        let suffix = if self.done { ": exiting" } else { "" };
        self.events.info(format_args!(
            "% Reached end of topic {topic} [{partition}] at offset {offset}{suffix}"
        ));
    }

    fn error(&mut self, text: &str) {
        if self.events.continue_on_error {
            crate::say!("% ERROR: {text}");
        } else {
            self.failure = Some(KafkaError::Kafka(text.to_string()));
        }
    }
}
