//! Pure, I/O-free record handling for kcat mode: the `-f` token compiler, the `-J` envelope,
//! delimiter parsing and the producer's input splitting. Nothing here talks to Kafka.

pub mod delim;
pub mod format;
pub mod jq;
pub mod json;
pub mod json_in;
pub mod split;

/// How a message's timestamp was set (librdkafka's `rd_kafka_timestamp_type_t`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimestampType {
    NotAvailable,
    CreateTime,
    LogAppendTime,
}

/// Headers of one message, read in place (no copy per message).
pub trait HeaderList {
    fn count(&self) -> usize;
    /// Name and value of header `i`; `None` is a NULL value.
    fn get(&self, i: usize) -> (&[u8], Option<&[u8]>);
}

/// One consumed message as the formatters see it; borrowed from the client's buffers.
pub struct MessageView<'a> {
    pub topic: &'a str,
    pub partition: i32,
    pub offset: i64,
    pub timestamp_type: TimestampType,
    /// Milliseconds since the epoch; `-1` when not available.
    pub timestamp: i64,
    /// Broker id the message was fetched from, `-1` if unknown.
    pub broker: i32,
    pub key: Option<&'a [u8]>,
    pub payload: Option<&'a [u8]>,
    pub headers: &'a dyn HeaderList,
}
