//! Error handling of a task (Connect's `RetryWithToleranceOperator` reporters, spec §7.3):
//! a record that fails in a converter or a transformation is logged (`errors.log.enable`) and,
//! for sinks, sent to the dead letter queue with the `__connect.errors.*` context headers;
//! then `errors.tolerance` decides whether the task goes on.

use std::time::Duration;

use rdkafka::message::{Header, Headers, Message, OwnedHeaders};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};

use super::TaskContext;
use crate::worker::clients::{client_config, Role};
use crate::worker::topics;

/// Where in the pipeline a record failed (Connect's `Stage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    KeyConverter,
    ValueConverter,
    HeaderConverter,
    Transformation,
}

impl Stage {
    fn as_str(self) -> &'static str {
        match self {
            Stage::KeyConverter => "KEY_CONVERTER",
            Stage::ValueConverter => "VALUE_CONVERTER",
            Stage::HeaderConverter => "HEADER_CONVERTER",
            Stage::Transformation => "TRANSFORMATION",
        }
    }
}

/// One failed operation on a record.
#[derive(Debug, Clone)]
pub struct Failure {
    pub stage: Stage,
    /// The class that failed (converter or transformation).
    pub class: String,
    pub message: String,
}

impl Failure {
    pub fn new(stage: Stage, class: &str, message: impl Into<String>) -> Self {
        Failure {
            stage,
            class: class.to_string(),
            message: message.into(),
        }
    }

    fn exception(&self) -> &'static str {
        match self.stage {
            Stage::Transformation => "org.apache.kafka.connect.errors.ConnectException",
            _ => "org.apache.kafka.connect.errors.DataException",
        }
    }

    /// The task's failure trace when errors are not tolerated.
    pub fn trace(&self) -> String {
        format!(
            "org.apache.kafka.connect.errors.ConnectException: Tolerance exceeded in error handler\nCaused by: {}: {}\n\tat stage {} ({})",
            self.exception(),
            self.message,
            self.stage.as_str(),
            self.class
        )
    }
}

pub struct DeadLetterQueue {
    topic: String,
    context_headers: bool,
    producer: BaseProducer,
}

pub struct ErrorReporter {
    tolerate: bool,
    log: bool,
    log_messages: bool,
    dlq: Option<DeadLetterQueue>,
}

impl ErrorReporter {
    pub fn new(ctx: &TaskContext, sink: bool) -> Result<Self, String> {
        let get = |k: &str| ctx.connector_config.get(k).map(|v| v.trim().to_string());
        let is_true = |k: &str| get(k).is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let dlq_topic = get("errors.deadletterqueue.topic.name").filter(|t| sink && !t.is_empty());
        let dlq = match dlq_topic {
            None => None,
            Some(topic) => Some(open_dlq(
                ctx,
                &topic,
                is_true("errors.deadletterqueue.context.headers.enable"),
            )?),
        };
        Ok(ErrorReporter {
            tolerate: ctx.tolerate_errors(),
            log: ctx.log_errors(),
            log_messages: is_true("errors.log.include.messages"),
            dlq,
        })
    }

    /// Reports a failed consumed record; `Ok` when the task may go on without it.
    pub fn report(
        &self,
        ctx: &TaskContext,
        msg: &impl Message,
        failure: &Failure,
    ) -> Result<(), String> {
        if self.log {
            let record = if self.log_messages {
                format!(
                    "{{topic='{}', partition={}, offset={}, timestamp={:?}}}",
                    msg.topic(),
                    msg.partition(),
                    msg.offset(),
                    msg.timestamp().to_millis()
                )
            } else {
                format!(
                    "{{topic='{}', partition={}, offset={}}}",
                    msg.topic(),
                    msg.partition(),
                    msg.offset()
                )
            };
            ctx.listener.log(format!(
                "Error encountered in task {}. Executing stage '{}' with class '{}', where consumed record is {record}: {}",
                ctx.id,
                failure.stage.as_str(),
                failure.class,
                failure.message
            ));
        }
        if let Some(dlq) = &self.dlq {
            dlq.send(ctx, msg, failure)?;
        }
        if self.tolerate {
            Ok(())
        } else {
            Err(failure.trace())
        }
    }

    /// Reports a failed source record (log only: dead letter queues are for sinks).
    pub fn report_source(
        &self,
        ctx: &TaskContext,
        topic: &str,
        failure: &Failure,
    ) -> Result<(), String> {
        if self.log {
            ctx.listener.log(format!(
                "Error encountered in task {}. Executing stage '{}' with class '{}' on a record for topic '{topic}': {}",
                ctx.id,
                failure.stage.as_str(),
                failure.class,
                failure.message
            ));
        }
        if self.tolerate {
            Ok(())
        } else {
            Err(failure.trace())
        }
    }

    /// Waits for the dead letter queue's records to be acknowledged.
    pub fn flush(&self) -> Result<(), String> {
        match &self.dlq {
            Some(d) => d
                .producer
                .flush(Duration::from_secs(30))
                .map_err(|e| format!("cannot write to the dead letter queue {}: {e}", d.topic)),
            None => Ok(()),
        }
    }
}

fn open_dlq(
    ctx: &TaskContext,
    topic: &str,
    context_headers: bool,
) -> Result<DeadLetterQueue, String> {
    let mut notes = Vec::new();
    let mut cc = client_config(
        &ctx.worker,
        Role::Producer,
        Some(&ctx.connector_config),
        &mut notes,
    );
    cc.set("client.id", format!("connector-dlq-producer-{}", ctx.id));
    let producer: BaseProducer = cc
        .create()
        .map_err(|e| format!("cannot create the dead letter queue producer: {e}"))?;
    if !topics::exists(producer.client(), topic)? {
        let replication = ctx
            .connector_config
            .get("errors.deadletterqueue.topic.replication.factor")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(3);
        let admin = client_config(
            &ctx.worker,
            Role::Admin,
            Some(&ctx.connector_config),
            &mut notes,
        );
        topics::create(&admin, topic, 1, replication, &[])?;
    }
    Ok(DeadLetterQueue {
        topic: topic.to_string(),
        context_headers,
        producer,
    })
}

impl DeadLetterQueue {
    /// The original record, bytes unchanged, plus the context headers when enabled.
    fn send(&self, ctx: &TaskContext, msg: &impl Message, failure: &Failure) -> Result<(), String> {
        let mut headers = OwnedHeaders::new();
        if let Some(hs) = msg.headers() {
            for h in hs.iter() {
                headers = headers.insert(Header {
                    key: h.key,
                    value: h.value,
                });
            }
        }
        if self.context_headers {
            let context = [
                ("__connect.errors.topic", msg.topic().to_string()),
                ("__connect.errors.partition", msg.partition().to_string()),
                ("__connect.errors.offset", msg.offset().to_string()),
                ("__connect.errors.connector.name", ctx.id.connector.clone()),
                ("__connect.errors.task.id", ctx.id.task.to_string()),
                ("__connect.errors.stage", failure.stage.as_str().to_string()),
                ("__connect.errors.class.name", failure.class.clone()),
                (
                    "__connect.errors.exception.class.name",
                    failure.exception().to_string(),
                ),
                (
                    "__connect.errors.exception.message",
                    failure.message.clone(),
                ),
                ("__connect.errors.exception.stacktrace", failure.trace()),
            ];
            for (k, v) in &context {
                headers = headers.insert(Header {
                    key: k,
                    value: Some(v.as_bytes()),
                });
            }
        }
        let mut record: BaseRecord<'_, [u8], [u8]> = BaseRecord::to(&self.topic).headers(headers);
        if let Some(k) = msg.key() {
            record = record.key(k);
        }
        if let Some(v) = msg.payload() {
            record = record.payload(v);
        }
        if let Some(ts) = msg.timestamp().to_millis() {
            record = record.timestamp(ts);
        }
        self.producer.send(record).map_err(|(e, _)| {
            format!("cannot write to the dead letter queue {}: {e}", self.topic)
        })?;
        self.producer.poll(Duration::ZERO);
        Ok(())
    }
}
