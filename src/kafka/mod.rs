//! kcat mode over librdkafka: the simple consumer (`-C`), the producer (`-P`), the balanced
//! consumer (`-G`), metadata (`-L`) and offsets for timestamps (`-Q`).

pub mod browse;
pub mod consume;
pub mod events;
pub mod group;
pub mod metadata;
pub mod native;
pub mod options;
pub mod output;
pub mod printer;
pub mod produce;
pub mod query;
pub mod topic_read;

/// Why a kcat-mode run failed. Every variant exits 1, as kcat does.
#[derive(Debug, thiserror::Error)]
pub enum KafkaError {
    /// A command-line problem: printed as `Error: …` followed by the usage text.
    #[error("{0}")]
    Usage(String),
    /// Bad configuration: printed as `% ERROR: …`.
    #[error("{0}")]
    Config(String),
    /// Anything that failed while talking to Kafka or writing output: `% ERROR: …`.
    #[error("{0}")]
    Kafka(String),
}

/// librdkafka's `RD_KAFKA_OFFSET_*` logical offsets.
pub mod logical {
    pub const BEGINNING: i64 = -2;
    pub const END: i64 = -1;
    pub const STORED: i64 = -1000;
    pub const TAIL_BASE: i64 = -2000;
}

/// The client configuration for a run: config files and `-X` in their order, then `-b`, which
/// kcat applies after everything else.
pub fn client_config(opts: &options::KcatOptions) -> rdkafka::config::ClientConfig {
    let mut cc = opts.config.client_config();
    if let Some(brokers) = &opts.brokers {
        cc.set("bootstrap.servers", brokers);
        cc.remove("metadata.broker.list");
    }
    cc
}

/// Settings kct's consumers use unless the user chose otherwise. librdkafka pauses fetching for
/// `fetch.queue.backoff.ms` (1 s by default) whenever its prefetch queue is full, which stalls a
/// consumer that formats slower than the network delivers; a short pause keeps it streaming.
pub fn consumer_defaults(cc: &mut rdkafka::config::ClientConfig) {
    if cc.get("fetch.queue.backoff.ms").is_none() {
        cc.set("fetch.queue.backoff.ms", "10");
    }
}

/// A producer context that keeps the errors of failed deliveries, for writers that flush and
/// then report what did not arrive (the worker's internal topics, the offsets topic path).
#[derive(Default)]
pub struct DeliveryFailures(std::sync::Mutex<Vec<String>>);

impl DeliveryFailures {
    /// The errors collected since the last call.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

impl rdkafka::ClientContext for DeliveryFailures {}

impl rdkafka::producer::ProducerContext for DeliveryFailures {
    type DeliveryOpaque = ();

    fn delivery(&self, result: &rdkafka::producer::DeliveryResult<'_>, _: ()) {
        if let Err((e, _)) = result {
            self.0
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(e.to_string());
        }
    }
}
