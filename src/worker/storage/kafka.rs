//! Topic-backed storage (Connect's `KafkaBasedLog` and the Kafka offset, config and status
//! stores): the internal topics in Java's byte format, partitioned as Java's producer does, so
//! a Java Connect cluster and a kct worker read each other's connectors, states, task
//! configurations, statuses and source offsets.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::message::Message;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{Offset, TopicPartitionList};

use super::{OffsetBackingStore, OffsetEntries};
use crate::connect::types::{ConfigMap, ConnectorTaskId, TargetState};
use crate::internal::configs::{ConfigRecord, ConfigState};
use crate::internal::murmur2::partition_for_key;
use crate::internal::status::StatusRecord;
use crate::kafka::DeliveryFailures;
use crate::worker::clients::{client_config, Role};
use crate::worker::config::{TopicStorage, WorkerConfig};
use crate::worker::topics;

const TIMEOUT: Duration = Duration::from_secs(30);

/// Key, value (None = tombstone) and offset of one record of an internal topic.
pub type LogRecord = (Vec<u8>, Option<Vec<u8>>, i64);

/// One internal topic: read from the beginning to the end, written synchronously.
pub struct KafkaLog {
    topic: String,
    partitions: i32,
    producer: BaseProducer<DeliveryFailures>,
    consumer: BaseConsumer,
    /// Per partition, the offset after the last record read.
    next: Mutex<HashMap<i32, i64>>,
}

impl KafkaLog {
    /// Opens `topic`, creating it compacted with `partitions` partitions when it is missing.
    pub fn open(
        worker: &WorkerConfig,
        topic: &str,
        partitions: i32,
        replication: i32,
    ) -> Result<Self, String> {
        let mut notes = Vec::new();
        let mut pc = client_config(worker, Role::Producer, None, &mut notes);
        pc.set("client.id", format!("kct-{topic}-producer"));
        let producer: BaseProducer<DeliveryFailures> = pc
            .create_with_context(DeliveryFailures::default())
            .map_err(|e| format!("cannot create a producer for {topic}: {e}"))?;
        let mut cc = client_config(worker, Role::Consumer, None, &mut notes);
        cc.set("enable.auto.commit", "false");
        cc.set("enable.partition.eof", "true");
        cc.set("group.id", format!("kct-{topic}-reader"));
        let consumer: BaseConsumer = cc
            .create()
            .map_err(|e| format!("cannot create a consumer for {topic}: {e}"))?;
        if !topics::exists(producer.client(), topic)? {
            let mut admin = client_config(worker, Role::Admin, None, &mut notes);
            admin.set("client.id", format!("kct-{topic}-admin"));
            topics::create_compacted(&admin, topic, partitions, replication)?;
        }
        let partitions = partition_count(&producer, topic)?;
        Ok(KafkaLog {
            topic: topic.to_string(),
            partitions,
            producer,
            consumer,
            next: Mutex::new(HashMap::new()),
        })
    }

    pub fn partitions(&self) -> i32 {
        self.partitions
    }

    /// The records written since the last call (on the first call, every record from the
    /// beginning), up to the current end, in log order per partition. The end of a partition
    /// is librdkafka's end-of-partition event, not the high watermark: some brokers (tansu's
    /// memory storage) report a watermark below the last record.
    pub fn read_to_end(&self) -> Result<Vec<LogRecord>, String> {
        let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
        let mut tpl = TopicPartitionList::new();
        for p in 0..self.partitions {
            let from = next
                .get(&p)
                .map_or(Offset::Beginning, |o| Offset::Offset(*o));
            tpl.add_partition_offset(&self.topic, p, from)
                .map_err(|e| e.to_string())?;
        }
        self.consumer
            .assign(&tpl)
            .map_err(|e| format!("cannot read {}: {e}", self.topic))?;
        let mut open: HashSet<i32> = (0..self.partitions).collect();
        let mut out = Vec::new();
        let deadline = Instant::now() + TIMEOUT;
        while !open.is_empty() {
            if Instant::now() > deadline {
                return Err(format!(
                    "reading {} to its end took longer than {} s",
                    self.topic,
                    TIMEOUT.as_secs()
                ));
            }
            let msg = match self.consumer.poll(Duration::from_millis(100)) {
                None => continue,
                Some(Err(KafkaError::PartitionEOF(p))) => {
                    open.remove(&p);
                    continue;
                }
                Some(m) => m.map_err(|e| format!("cannot read {}: {e}", self.topic))?,
            };
            next.insert(msg.partition(), msg.offset() + 1);
            out.push((
                msg.key().unwrap_or_default().to_vec(),
                msg.payload().map(<[u8]>::to_vec),
                msg.offset(),
            ));
        }
        let _ = self.consumer.unassign();
        Ok(out)
    }

    /// Writes `batch` and waits until the broker acknowledged all of it. Keys go to Java's
    /// partition for them (murmur2), whatever librdkafka's partitioner would say.
    pub fn send(&self, batch: &[(Vec<u8>, Option<Vec<u8>>)]) -> Result<(), String> {
        for (key, value) in batch {
            let partition = partition_for_key(key, self.partitions).unwrap_or(0);
            let mut record: BaseRecord<'_, [u8], [u8], ()> = BaseRecord::to(&self.topic)
                .key(key.as_slice())
                .partition(partition);
            if let Some(v) = value {
                record = record.payload(v.as_slice());
            }
            let mut record = record;
            loop {
                match self.producer.send(record) {
                    Ok(()) => break,
                    Err((
                        rdkafka::error::KafkaError::MessageProduction(
                            rdkafka::types::RDKafkaErrorCode::QueueFull,
                        ),
                        back,
                    )) => {
                        record = back;
                        self.producer.poll(Duration::from_millis(50));
                    }
                    Err((e, _)) => return Err(format!("cannot write to {}: {e}", self.topic)),
                }
            }
        }
        self.producer
            .flush(TIMEOUT)
            .map_err(|e| format!("cannot write to {}: {e}", self.topic))?;
        let failures = self.producer.context().take();
        match failures.first() {
            Some(e) => Err(format!("cannot write to {}: {e}", self.topic)),
            None => Ok(()),
        }
    }
}

fn partition_count(producer: &BaseProducer<DeliveryFailures>, topic: &str) -> Result<i32, String> {
    let md = producer
        .client()
        .fetch_metadata(Some(topic), TIMEOUT)
        .map_err(|e| format!("cannot read metadata for {topic}: {e}"))?;
    md.topics()
        .iter()
        .find(|t| t.name() == topic)
        .map(|t| t.partitions().len() as i32)
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("topic {topic} has no partitions"))
}

/// `offset.storage.topic`.
pub struct KafkaOffsetBackingStore {
    log: KafkaLog,
    entries: OffsetEntries,
}

impl KafkaOffsetBackingStore {
    pub fn open(worker: &WorkerConfig, t: &TopicStorage) -> Result<Self, String> {
        let log = KafkaLog::open(
            worker,
            &t.offset_topic,
            t.offset_partitions,
            t.replication_factor[0],
        )?;
        let mut store = KafkaOffsetBackingStore {
            log,
            entries: OffsetEntries::new(),
        };
        store.read_to_end()?;
        Ok(store)
    }

    fn apply(&mut self, records: impl IntoIterator<Item = (Vec<u8>, Option<Vec<u8>>)>) {
        for (k, v) in records {
            match v {
                Some(v) => self.entries.insert(k, Some(v)),
                None => self.entries.shift_remove(&k),
            };
        }
    }
}

impl OffsetBackingStore for KafkaOffsetBackingStore {
    fn entries(&self) -> &OffsetEntries {
        &self.entries
    }

    fn set(&mut self, batch: Vec<(Vec<u8>, Option<Vec<u8>>)>) -> Result<(), String> {
        self.log.send(&batch)?;
        self.apply(batch);
        Ok(())
    }

    /// As Java's `KafkaOffsetBackingStore.get`, catches up with the topic: offsets written by
    /// another worker or by a tool (`kct connect reset offsets --via topic`) are seen.
    fn read_to_end(&mut self) -> Result<(), String> {
        let records = self.log.read_to_end()?;
        self.apply(records.into_iter().map(|(k, v, _)| (k, v)));
        Ok(())
    }
}

/// `config.storage.topic` and `status.storage.topic`, written as Connect's leader writes them.
pub struct TopicStores {
    configs: KafkaLog,
    status: KafkaLog,
}

impl TopicStores {
    /// Opens both topics; the config topic must have exactly one partition, as Connect insists.
    pub fn open(worker: &WorkerConfig, t: &TopicStorage) -> Result<(Self, ConfigState), String> {
        let configs = KafkaLog::open(worker, &t.config_topic, 1, t.replication_factor[1])?;
        if configs.partitions() != 1 {
            return Err(format!(
                "Topic '{}' supplied via the 'config.storage.topic' property is required to have a single partition in order to guarantee consistency of connector configurations, but found {} partitions.",
                t.config_topic,
                configs.partitions()
            ));
        }
        let status = KafkaLog::open(
            worker,
            &t.status_topic,
            t.status_partitions,
            t.replication_factor[2],
        )?;
        let mut state = ConfigState::new();
        for (k, v, offset) in configs.read_to_end()? {
            // Records Java's reader would log and skip are skipped here too.
            if let Ok(r) = ConfigRecord::decode(&k, v.as_deref()) {
                state.apply(r, Some(offset));
            }
        }
        Ok((TopicStores { configs, status }, state))
    }

    fn write_configs(&self, records: &[ConfigRecord]) -> Result<(), String> {
        let batch: Vec<_> = records.iter().map(ConfigRecord::encode).collect();
        self.configs.send(&batch)
    }

    /// Create or update: the target state first when one is given, then the config.
    pub fn put_connector(
        &self,
        name: &str,
        config: &ConfigMap,
        target: Option<TargetState>,
    ) -> Result<(), String> {
        let mut records = Vec::new();
        if let Some(state) = target {
            records.push(ConfigRecord::TargetState {
                name: name.into(),
                state: Some(state),
            });
        }
        records.push(ConfigRecord::Connector {
            name: name.into(),
            properties: Some(
                config
                    .iter()
                    .map(|(k, v)| (k.clone(), Some(v.clone())))
                    .collect(),
            ),
        });
        self.write_configs(&records)
    }

    pub fn put_target_state(&self, name: &str, state: TargetState) -> Result<(), String> {
        self.write_configs(&[ConfigRecord::TargetState {
            name: name.into(),
            state: Some(state),
        }])
    }

    /// `task-<c>-0 … task-<c>-(N-1)`, then `commit-<c> {"tasks":N}` once they are written.
    pub fn put_task_configs(&self, name: &str, configs: &[ConfigMap]) -> Result<(), String> {
        let tasks: Vec<ConfigRecord> = configs
            .iter()
            .enumerate()
            .map(|(i, c)| ConfigRecord::Task {
                id: ConnectorTaskId {
                    connector: name.into(),
                    task: i as i32,
                },
                properties: Some(
                    c.iter()
                        .map(|(k, v)| (k.clone(), Some(v.clone())))
                        .collect(),
                ),
            })
            .collect();
        self.write_configs(&tasks)?;
        self.write_configs(&[ConfigRecord::Commit {
            name: name.into(),
            tasks: Some(configs.len() as u32),
        }])
    }

    /// Deletion: tombstones for `connector-<c>` and `target-state-<c>` only, as Connect.
    pub fn remove_connector(&self, name: &str) -> Result<(), String> {
        self.write_configs(&[
            ConfigRecord::Connector {
                name: name.into(),
                properties: None,
            },
            ConfigRecord::TargetState {
                name: name.into(),
                state: None,
            },
        ])
    }

    pub fn put_status(&self, records: &[StatusRecord]) -> Result<(), String> {
        let batch: Vec<_> = records.iter().map(StatusRecord::encode).collect();
        self.status.send(&batch)
    }
}
