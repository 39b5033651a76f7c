//! The Kafka side of the jobs thread: Connect's internal topics read through the inspector
//! (`kct::internal::inspect` over `kct::kafka::topic_read`, as `kct inspect` does) with
//! progress, the offsets topic path's reset (a dry run for the plan, then the write), the topic
//! list and browse sessions (`kct::kafka::browse`). Everything here blocks; the jobs thread runs
//! it on blocking threads so neither its runtime nor the UI waits on Kafka.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::time::Duration;

use kct::config::context::Target;
use kct::connect::types::{ConnectorOffset, ConnectorOffsets};
use kct::internal::inspect::{
    history_record, offsets_view, status_view, ConfigsReader, ConfigsView, HistoryRecord,
    LatestLog, LogRecord, OffsetsView, OwnedRecord, StatusView, TopicIo, Which,
};
use kct::internal::offset_reset::{self, ModifyError, ModifyOptions, ModifyReport, Topics};
use kct::kafka::browse::{self, BrowseSpec, BrowsedRecord, Browser, TopicSummary};
use kct::kafka::topic_read::KafkaTopics;

use super::event::Event;
use super::jobs::{Reply, TopicWrite};

/// The most history records kept (the newest); the rest are only counted.
pub const HISTORY_MAX: usize = 100_000;
/// How many records a browse session keeps.
pub const BROWSE_WINDOW: usize = browse::DEFAULT_WINDOW;

/// One of Connect's internal topics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Internal {
    Offsets,
    Configs,
    Status,
}

impl Internal {
    pub fn which(self) -> Which {
        match self {
            Internal::Offsets => Which::Offsets,
            Internal::Configs => Which::Configs,
            Internal::Status => Which::Status,
        }
    }

    /// The target's topic for it.
    pub fn topic(self, t: &Target) -> &str {
        match self {
            Internal::Offsets => &t.topics.offsets,
            Internal::Configs => &t.topics.configs,
            Internal::Status => &t.topics.status,
        }
    }
}

/// Every record of a topic (the newest [`HISTORY_MAX`]), in partition and offset order.
#[derive(Debug, Clone, Default)]
pub struct History {
    pub records: Vec<HistoryRecord>,
    /// How many records the topic had.
    pub total: u64,
}

/// What the inspector found in an internal topic.
#[derive(Debug, Clone)]
pub struct Inspected {
    pub topic: String,
    pub partitions: i32,
    pub records: u64,
    /// Present when asked for (`h`).
    pub history: Option<History>,
    pub body: Body,
}

#[derive(Debug, Clone)]
pub enum Body {
    Offsets {
        view: OffsetsView,
        /// The record behind each of `view.offsets`, for `enter`.
        raw: Vec<Option<OwnedRecord>>,
        /// The connectors of the config topic, or why it could not be read (orphans are then
        /// not checked).
        configs: Result<BTreeSet<String>, String>,
    },
    Configs(ConfigsView),
    Status(StatusView),
}

fn topics_io(target: &Target) -> Result<KafkaTopics, String> {
    Ok(KafkaTopics::new(target.kafka_config()?, &target.bootstrap))
}

/// Keeps the newest history records while a topic is read.
struct HistoryBuf {
    on: bool,
    which: Which,
    records: VecDeque<HistoryRecord>,
    total: u64,
}

impl HistoryBuf {
    fn new(on: bool, which: Which) -> HistoryBuf {
        HistoryBuf {
            on,
            which,
            records: VecDeque::new(),
            total: 0,
        }
    }

    fn push(&mut self, r: &LogRecord<'_>) {
        if !self.on {
            return;
        }
        self.total += 1;
        if self.records.len() == HISTORY_MAX {
            self.records.pop_front();
        }
        self.records.push_back(history_record(self.which, r));
    }

    fn finish(self) -> Option<History> {
        self.on.then(|| {
            let mut records: Vec<HistoryRecord> = self.records.into();
            records.sort_by_key(|h| (h.partition, h.offset));
            History {
                records,
                total: self.total,
            }
        })
    }
}

/// Reads internal topic `kind` to its end (with its history when asked), reporting progress.
pub fn inspect(
    target: &Target,
    kind: Internal,
    history: bool,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Inspected, String> {
    inspect_io(&topics_io(target)?, target, kind, history, progress)
}

/// [`inspect`] through any [`TopicIo`] (the tests' is in memory).
pub fn inspect_io(
    io: &(dyn TopicIo + Sync),
    target: &Target,
    kind: Internal,
    history: bool,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Inspected, String> {
    let topic = kind.topic(target).to_string();
    let mut hist = HistoryBuf::new(history, kind.which());
    match kind {
        Internal::Offsets => {
            let mut log = LatestLog::new();
            // The config topic (for orphans) is read alongside, as `kct inspect offsets` does.
            let (stats, configs) = std::thread::scope(|scope| {
                let configs = scope.spawn(|| {
                    let mut reader = ConfigsReader::new();
                    io.read(&target.topics.configs, &mut |_, _| {}, &mut |r| {
                        reader.apply(r)
                    })
                    .map(|_| reader)
                });
                let stats = io.read(&topic, progress, &mut |r| {
                    log.apply(r);
                    hist.push(r);
                });
                let configs = configs
                    .join()
                    .unwrap_or_else(|_| Err("the config topic reader failed".to_owned()));
                (stats, configs)
            });
            let stats = stats?;
            let view = offsets_view(&log, configs.as_ref().ok().map(|c| &c.state), None);
            let raw = raw_records(&log, &view);
            let configs = configs.map(|c| {
                c.view(None)
                    .connectors
                    .into_iter()
                    .map(|c| c.name)
                    .collect()
            });
            Ok(Inspected {
                topic,
                partitions: stats.partitions,
                records: stats.records,
                history: hist.finish(),
                body: Body::Offsets { view, raw, configs },
            })
        }
        Internal::Configs => {
            let mut reader = ConfigsReader::new();
            let stats = io.read(&topic, progress, &mut |r| {
                reader.apply(r);
                hist.push(r);
            })?;
            Ok(Inspected {
                topic,
                partitions: stats.partitions,
                records: stats.records,
                history: hist.finish(),
                body: Body::Configs(reader.view(None)),
            })
        }
        Internal::Status => {
            let mut log = LatestLog::new();
            let stats = io.read(&topic, progress, &mut |r| {
                log.apply(r);
                hist.push(r);
            })?;
            Ok(Inspected {
                topic,
                partitions: stats.partitions,
                records: stats.records,
                history: hist.finish(),
                body: Body::Status(status_view(&log, None)),
            })
        }
    }
}

/// The record each offset entry was read from (its key bytes, partition and value as stored).
// `as_deref` keeps this independent of how `Slot` holds its value (owned or borrowed).
#[allow(clippy::needless_option_as_deref)]
fn raw_records(log: &LatestLog, view: &OffsetsView) -> Vec<Option<OwnedRecord>> {
    let wanted: BTreeSet<(i32, i64)> = view
        .offsets
        .iter()
        .map(|e| (e.kafka_partition, e.kafka_offset))
        .collect();
    let mut at: HashMap<(i32, i64), OwnedRecord> = HashMap::new();
    for l in log.entries() {
        let w = &l.winner;
        if wanted.contains(&(w.partition, w.offset)) {
            at.insert(
                (w.partition, w.offset),
                OwnedRecord {
                    partition: w.partition,
                    offset: w.offset,
                    timestamp: w.timestamp,
                    key: Some(l.key.to_vec()),
                    value: w.value.as_deref().map(<[u8]>::to_vec),
                },
            );
        }
    }
    view.offsets
        .iter()
        .map(|e| at.remove(&(e.kafka_partition, e.kafka_offset)))
        .collect()
}

/// One connector's offsets read from the offsets topic, shaped as `GET …/offsets` answers (for
/// clusters without KIP-875).
pub fn topic_offsets(target: &Target, connector: &str) -> Result<ConnectorOffsets, String> {
    topic_offsets_io(&topics_io(target)?, target, connector)
}

pub fn topic_offsets_io(
    io: &dyn TopicIo,
    target: &Target,
    connector: &str,
) -> Result<ConnectorOffsets, String> {
    let mut log = LatestLog::new();
    io.read(&target.topics.offsets, &mut |_, _| {}, &mut |r| {
        log.apply(r)
    })?;
    let view = offsets_view(&log, None, Some(connector));
    Ok(ConnectorOffsets {
        offsets: view
            .offsets
            .into_iter()
            .filter_map(|e| {
                Some(ConnectorOffset {
                    partition: e.partition?,
                    offset: e.offset.as_object().cloned(),
                })
            })
            .collect(),
    })
}

/// Writes `w` to the offsets topic (a reset, or the offsets of a KIP-875 body); `dry_run`
/// only plans.
pub fn write(target: &Target, w: &TopicWrite, dry_run: bool) -> Result<ModifyReport, ModifyError> {
    let io = topics_io(target).map_err(ModifyError::Io)?;
    write_io(&io, target, w, dry_run)
}

/// [`write`] through any [`TopicIo`].
pub fn write_io(
    io: &dyn TopicIo,
    target: &Target,
    w: &TopicWrite,
    dry_run: bool,
) -> Result<ModifyReport, ModifyError> {
    let topics = Topics {
        offsets: &target.topics.offsets,
        status: &target.topics.status,
    };
    let opts = ModifyOptions {
        dry_run,
        force: w.force,
    };
    match &w.patch {
        None => offset_reset::reset_offsets(io, topics, &w.name, opts),
        Some(body) => offset_reset::patch_offsets(io, topics, &w.name, body, opts),
    }
}

/// The plan of a write (a dry run); unless `force`, a connector the status topic says runs is
/// refused first, as the write would be.
pub fn plan_write(target: &Target, w: &TopicWrite) -> Result<ModifyReport, ModifyError> {
    let (connector, force) = (w.name.as_str(), w.force);
    if !force {
        let io = topics_io(target).map_err(ModifyError::Io)?;
        let status =
            offset_reset::read_status(&io, &target.topics.status).map_err(ModifyError::Io)?;
        let states = offset_reset::running_states(&status, connector);
        if !states.is_empty() {
            return Err(ModifyError::Running {
                connector: connector.to_owned(),
                states,
            });
        }
    }
    write(target, w, true)
}

/// What a written reset did, in words.
pub fn reset_summary(r: &ModifyReport) -> String {
    if r.records.is_empty() {
        return format!(
            "{} has no offsets in {}; nothing written",
            r.connector, r.topic
        );
    }
    let forced = if r.forced_past.is_empty() {
        String::new()
    } else {
        format!(" (forced past: {})", r.forced_past.join(", "))
    };
    let what = if r.action == "reset" {
        "tombstone(s)"
    } else {
        "offset record(s)"
    };
    format!(
        "wrote {} {what} to {} for {} and read them back{forced}",
        r.records.len(),
        r.topic,
        r.connector
    )
}

pub fn topics(target: &Target) -> Result<Vec<TopicSummary>, String> {
    browse::list_topics(&target.kafka_config()?, &target.bootstrap)
}

/// Shared between a browse view and its session thread.
#[derive(Debug, Default)]
pub struct BrowseControl {
    /// The view is gone: the session ends.
    pub stop: AtomicBool,
    /// Keep reading past a full window and at the end (live tail).
    pub tail: AtomicBool,
}

/// What a browse session reports.
#[derive(Debug)]
pub enum BrowseUpdate {
    /// Assigned; the partitions being read.
    Opened(Vec<i32>),
    /// New records, and whether every partition is now at its end.
    Records(Vec<BrowsedRecord>, bool),
    /// Every partition at its end (nothing new came).
    CaughtUp,
    /// Could not open, or a read error (the session goes on unless it could not open).
    Error(String),
}

/// Starts a session thread for `spec`; updates go out as `Reply::Browse(id, …)` until the
/// control says stop or the UI is gone. Without tail, reading pauses once the window is full.
pub fn spawn_browse(
    target: Target,
    id: u64,
    spec: BrowseSpec,
    control: Arc<BrowseControl>,
    events: Sender<Event>,
    epoch: u64,
) {
    let run = move || {
        let send = |u: BrowseUpdate| events.send(Event::Job(epoch, Reply::Browse(id, u))).is_ok();
        let config = match target.kafka_config() {
            Ok(c) => c,
            Err(e) => {
                send(BrowseUpdate::Error(e));
                return;
            }
        };
        let mut browser = match Browser::open(&config, &target.bootstrap, &spec) {
            Ok(b) => b,
            Err(e) => {
                send(BrowseUpdate::Error(e));
                return;
            }
        };
        if !send(BrowseUpdate::Opened(browser.partitions().to_vec())) {
            return;
        }
        let mut read = 0usize;
        let mut told_caught_up = false;
        let mut last_error: Option<String> = None;
        while !control.stop.load(Ordering::Relaxed) {
            let tail = control.tail.load(Ordering::Relaxed);
            if !tail && read >= BROWSE_WINDOW {
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
            let room = if tail {
                2000
            } else {
                (BROWSE_WINDOW - read).min(2000)
            };
            match browser.poll(room, Duration::from_millis(150)) {
                Ok(records) if records.is_empty() => {
                    if browser.caught_up() && !told_caught_up {
                        told_caught_up = true;
                        if !send(BrowseUpdate::CaughtUp) {
                            return;
                        }
                    }
                }
                Ok(records) => {
                    read += records.len();
                    told_caught_up = browser.caught_up();
                    last_error = None;
                    if !send(BrowseUpdate::Records(records, told_caught_up)) {
                        return;
                    }
                }
                Err(e) => {
                    if last_error.as_deref() != Some(e.as_str())
                        && !send(BrowseUpdate::Error(e.clone()))
                    {
                        return;
                    }
                    last_error = Some(e);
                    std::thread::sleep(Duration::from_millis(200));
                }
            }
        }
    };
    let _ = std::thread::Builder::new()
        .name("kct-tui-browse".into())
        .spawn(run);
}
