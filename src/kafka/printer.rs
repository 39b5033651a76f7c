//! Turns one consumed message into output bytes: a `-f` format, the `-J` envelope, or kct's
//! `--jq` filter over the envelope. Shared by `-C` and `-G`.

use crate::kafka::options::KcatOptions;
use crate::kafka::output::Output;
use crate::kafka::KafkaError;
use crate::record::format::Format;
use crate::record::jq::JqFilter;
use crate::record::json::{write_envelope, Encoding};
use crate::record::MessageView;

pub enum Printer {
    Format {
        format: Format,
        null_str: bool,
    },
    Json {
        encoding: Encoding,
        trailer: Vec<u8>,
    },
    Jq {
        filter: JqFilter,
        encoding: Encoding,
        delim: Vec<u8>,
        envelope: Vec<u8>,
    },
}

impl Printer {
    pub fn from_options(opts: &KcatOptions) -> Result<Printer, KafkaError> {
        if let Some(src) = &opts.jq {
            let filter = JqFilter::compile(src).map_err(|e| KafkaError::Config(e.to_string()))?;
            return Ok(Printer::Jq {
                filter,
                encoding: opts.encoding,
                delim: opts.delim.clone(),
                envelope: Vec::with_capacity(4096),
            });
        }
        let format = Format::for_consumer(
            opts.format.as_deref().map(str::as_bytes),
            opts.json,
            opts.key_delim.as_deref(),
            &opts.delim,
        )
        .map_err(|e| KafkaError::Config(e.to_string()))?;
        if opts.json {
            return Ok(Printer::Json {
                encoding: opts.encoding,
                trailer: format.first_literal().to_vec(),
            });
        }
        Ok(Printer::Format {
            format,
            null_str: opts.null_str,
        })
    }

    /// Appends the message's output to `out`; an error is a per-message formatting failure.
    pub fn print(&mut self, msg: &MessageView<'_>, out: &mut Vec<u8>) -> Result<(), String> {
        match self {
            Printer::Format { format, null_str } => {
                format.write(msg, *null_str, out);
                Ok(())
            }
            Printer::Json { encoding, trailer } => {
                write_envelope(msg, *encoding, out);
                out.extend_from_slice(trailer);
                Ok(())
            }
            Printer::Jq {
                filter,
                encoding,
                delim,
                envelope,
            } => {
                envelope.clear();
                write_envelope(msg, *encoding, envelope);
                filter
                    .apply(envelope, delim, out)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }
        }
    }
}

/// Prints messages into the output buffer and counts them against `-c`; shared by `-C` and `-G`.
pub struct Emitter {
    printer: Printer,
    pub out: Output,
    remaining: Option<u64>,
    continue_on_error: bool,
    /// Size, topic, partition and offset of the last message written, for kcat's write-error text.
    last: (usize, String, i32, i64),
}

impl Emitter {
    pub fn new(opts: &KcatOptions) -> Result<Emitter, KafkaError> {
        Ok(Emitter {
            printer: Printer::from_options(opts)?,
            out: Output::new(opts.unbuffered),
            remaining: opts.count,
            continue_on_error: opts.continue_on_error,
            last: (0, String::new(), 0, 0),
        })
    }

    /// Prints one message; `Ok(true)` once `-c` messages have been printed.
    pub fn emit(&mut self, msg: &MessageView<'_>) -> Result<bool, KafkaError> {
        let before = self.out.buf().len();
        if let Err(reason) = self.printer.print(msg, self.out.buf()) {
            self.out.buf().truncate(before);
            let text = format!(
                "Failed to format message in {} [{}] at offset {}: {reason}",
                msg.topic, msg.partition, msg.offset
            );
            if self.continue_on_error {
                crate::say!("% ERROR: {text}");
                return Ok(false);
            }
            return Err(KafkaError::Kafka(format!("{text}: terminating")));
        }
        self.last.0 = self.out.buf().len() - before;
        if self.last.1 != msg.topic {
            self.last.1 = msg.topic.to_string();
        }
        self.last.2 = msg.partition;
        self.last.3 = msg.offset;
        self.out.message_done().map_err(|e| self.write_error(&e))?;
        Ok(match self.remaining.as_mut() {
            Some(left) => {
                *left = left.saturating_sub(1);
                *left == 0
            }
            None => false,
        })
    }

    pub fn flush(&mut self) -> Result<(), KafkaError> {
        self.out.flush().map_err(|e| self.write_error(&e))
    }

    fn write_error(&self, e: &std::io::Error) -> KafkaError {
        let (len, topic, p, o) = &self.last;
        KafkaError::Kafka(format!(
            "Write error for message of {len} bytes in {topic} [{p}] at offset {o}: {}",
            crate::io_error::io_error_text(e)
        ))
    }
}
