//! kcat's `-P`: stdin, a `-l` file or whole files become messages (`-D`, `-K`, `-k`, `-H`, `-Z`,
//! `-T`, `-c`, `-p`), optionally in one transaction; kct adds `-J` input and `--partitioner`.
//! Messages are handed to librdkafka with `rd_kafka_produceva` on a pre-created topic handle, so
//! nothing is allocated per message; delivery reports are counted through the rdkafka crate.

use std::ffi::{c_void, CString};
use std::io::{self, Read, Write};
use std::ptr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use rdkafka::bindings as rd;
use rdkafka::error::RDKafkaErrorCode;

use crate::io_error::io_error_text;
use crate::kafka::events::{ErrText, Events};
use crate::kafka::native::{Handle, Topic, TxnStep};
use crate::kafka::options::{KcatOptions, Partitioner};
use crate::kafka::{client_config, KafkaError};
use crate::record::json_in::parse_envelope;
use crate::record::split::{KeySplitter, RecordReader};

/// One message's parts, borrowed from the input buffer.
struct Outgoing<'a> {
    partition: i32,
    key: Option<&'a [u8]>,
    value: Option<&'a [u8]>,
    headers: &'a [(CString, Option<Vec<u8>>)],
    timestamp: Option<i64>,
}

struct Sender<'a> {
    producer: Handle,
    topic: Topic,
    fixed_headers: Vec<(CString, Option<Vec<u8>>)>,
    /// Reused for every message: building the argument list allocates and clears nothing.
    vus: Box<VuList>,
    events: Arc<Events>,
    stop: &'a AtomicBool,
    sent: u64,
}

/// Messages between two serving rounds of librdkafka's callbacks.
const SERVE_EVERY: u64 = 64;

impl Sender<'_> {
    fn send(&mut self, msg: &Outgoing<'_>) -> Result<(), KafkaError> {
        let vus = &mut self.vus;
        vus.len = 0;
        let mut push = |vtype, u| vus.push(vtype, u);
        use rd::rd_kafka_vtype_t as V;
        use rd::rd_kafka_vu_s__bindgen_ty_1 as U;
        push(
            V::RD_KAFKA_VTYPE_RKT,
            U {
                rkt: self.topic.raw(),
            },
        );
        push(
            V::RD_KAFKA_VTYPE_PARTITION,
            U {
                i32_: msg.partition,
            },
        );
        push(
            V::RD_KAFKA_VTYPE_MSGFLAGS,
            U {
                i: rd::RD_KAFKA_MSG_F_COPY,
            },
        );
        if let Some(v) = msg.value {
            push(V::RD_KAFKA_VTYPE_VALUE, U { mem: mem(v) });
        }
        if let Some(k) = msg.key {
            push(V::RD_KAFKA_VTYPE_KEY, U { mem: mem(k) });
        }
        if let Some(ts) = msg.timestamp {
            push(V::RD_KAFKA_VTYPE_TIMESTAMP, U { i64_: ts });
        }
        let header_count = self.fixed_headers.len() + msg.headers.len();
        // Few headers travel inline; many are collected in a header list librdkafka takes over.
        let mut list: *mut rd::rd_kafka_headers_t = ptr::null_mut();
        if header_count <= VU_CAPACITY - 6 {
            for (name, value) in self.fixed_headers.iter().chain(msg.headers) {
                push(
                    V::RD_KAFKA_VTYPE_HEADER,
                    U {
                        header: header(name, value.as_deref()),
                    },
                );
            }
        } else {
            // SAFETY: a fresh list, filled with copies; ownership passes to librdkafka on success.
            unsafe {
                list = rd::rd_kafka_headers_new(header_count);
                for (name, value) in self.fixed_headers.iter().chain(msg.headers) {
                    let h = header(name, value.as_deref());
                    rd::rd_kafka_header_add(list, h.name, -1, h.val, h.size);
                }
            }
            push(V::RD_KAFKA_VTYPE_HEADERS, U { headers: list });
        }
        loop {
            // Every pointer in the list is valid for this call; F_COPY makes librdkafka copy key
            // and value; headers are copied (inline) or owned by librdkafka after success (list).
            let code = match self.producer.produce(&self.vus.items[..self.vus.len]) {
                Ok(()) => break,
                Err(code) => code,
            };
            if code == RDKafkaErrorCode::QueueFull {
                self.producer.poll(100);
                self.check()?;
                continue;
            }
            if !list.is_null() {
                // SAFETY: not taken over on failure.
                unsafe { rd::rd_kafka_headers_destroy(list) };
            }
            let len = msg.value.map_or(0, <[u8]>::len);
            return Err(KafkaError::Kafka(format!(
                "Failed to produce message ({len} bytes): {}",
                ErrText(code)
            )));
        }
        // Serving callbacks every few messages keeps librdkafka's report queue, and so memory,
        // small; every message (as kcat does) costs a lock round for nothing.
        self.sent = self.sent.wrapping_add(1);
        if self.sent % SERVE_EVERY == 0 {
            self.producer.poll(0);
        }
        self.check()
    }

    /// Fatal errors from callbacks (all brokers down) end the run, as kcat's do.
    fn check(&self) -> Result<(), KafkaError> {
        match self.events.take_fatal() {
            Some(f) => Err(KafkaError::Kafka(f)),
            None => Ok(()),
        }
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Waits for every delivery report, serving callbacks; fatal errors and signals end the wait.
    fn drain(&self) -> Result<(), KafkaError> {
        while self.producer.outq_len() > 0 && !self.events.fatal_seen() {
            self.producer.poll(50);
            self.check()?;
            if self.stopped() {
                break;
            }
        }
        Ok(())
    }
}

const VU_CAPACITY: usize = 40;

/// The argument list of one `rd_kafka_produceva` call, on the stack.
struct VuList {
    items: [rd::rd_kafka_vu_t; VU_CAPACITY],
    len: usize,
}

impl VuList {
    fn new() -> Self {
        // SAFETY: rd_kafka_vu_t is plain C data; only the first `len` entries are ever read.
        VuList {
            items: unsafe { std::mem::zeroed() },
            len: 0,
        }
    }

    fn push(&mut self, vtype: rd::rd_kafka_vtype_t, u: rd::rd_kafka_vu_s__bindgen_ty_1) {
        if self.len < VU_CAPACITY {
            self.items[self.len] = rd::rd_kafka_vu_t { vtype, u };
            self.len += 1;
        }
    }
}

fn mem(b: &[u8]) -> rd::rd_kafka_vu_s__bindgen_ty_1__bindgen_ty_1 {
    rd::rd_kafka_vu_s__bindgen_ty_1__bindgen_ty_1 {
        ptr: b.as_ptr() as *mut c_void,
        size: b.len(),
    }
}

fn header(name: &CString, value: Option<&[u8]>) -> rd::rd_kafka_vu_s__bindgen_ty_1__bindgen_ty_2 {
    let (val, size) = match value {
        Some(v) => (v.as_ptr() as *const c_void, v.len() as isize),
        None => (ptr::null(), 0),
    };
    rd::rd_kafka_vu_s__bindgen_ty_1__bindgen_ty_2 {
        name: name.as_ptr(),
        val,
        size,
    }
}

pub fn run(opts: &KcatOptions, events: Arc<Events>, stop: &AtomicBool) -> Result<(), KafkaError> {
    let topic = opts.topic.clone().unwrap_or_default();
    if opts.delim.is_empty() {
        return Err(KafkaError::Config(
            "Message delimiter -D must not be empty when producing".into(),
        ));
    }
    if opts.line_mode && opts.positional.len() != 1 {
        return Err(KafkaError::Config(
            "Only one file allowed for line mode (-l)".into(),
        ));
    }
    let mut cc = client_config(opts);
    if opts.partitioner == Partitioner::Murmur2 {
        cc.set("partitioner", "murmur2_random");
    }
    // A CLI needs fewer messages in flight than librdkafka's default of 100000: 20000 keeps the
    // broker as busy (10000 stalls on acknowledgements) at a fifth of the memory.
    if cc.get("queue.buffering.max.messages").is_none() {
        cc.set("queue.buffering.max.messages", "20000");
    }

    warn_internal_topic(opts, cc.get("partitioner"), &events);
    let max_size: usize = cc
        .get("message.max.bytes")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let transactional = cc.get("transactional.id").is_some();

    let producer = Handle::producer(&cc, events.clone())?;
    let topic = producer.topic(&topic)?;
    let fixed_headers = opts
        .headers
        .iter()
        .map(|(n, v)| Ok((c_name(n)?, v.clone())))
        .collect::<Result<Vec<_>, KafkaError>>()?;
    let mut sender = Sender {
        producer,
        topic,
        fixed_headers,
        vus: Box::new(VuList::new()),
        events: events.clone(),
        stop,
        sent: 0,
    };
    let timeout = opts.metadata_timeout_ms;

    if transactional {
        events.info("% Using transactional producer");
        sender
            .producer
            .transaction(TxnStep::Init, timeout)
            .map_err(|e| KafkaError::Kafka(format!("init_transactions(): {e}")))?;
        sender
            .producer
            .transaction(TxnStep::Begin, timeout)
            .map_err(|e| KafkaError::Kafka(format!("begin_transaction(): {e}")))?;
    }

    let mut tee = io::BufWriter::with_capacity(64 * 1024, io::stdout().lock());
    let fed = feed(opts, &mut sender, &mut tee, max_size);
    let tee_flushed = tee.flush();

    if sender.stopped() && transactional {
        events.info("% Aborting transaction due to termination signal");
        let _ = sender.producer.transaction(TxnStep::Abort, timeout);
        return fed;
    }
    if let Err(e) = fed {
        // What was read before a bad record is delivered, not dropped (kcat dropped it); in a
        // transaction it is aborted instead, so nothing of the batch lands.
        if transactional {
            let _ = sender.producer.transaction(TxnStep::Abort, timeout);
        } else {
            let _ = sender.drain();
        }
        return Err(e);
    }
    tee_flushed.map_err(|e| KafkaError::Kafka(format!("Write error: {}", io_error_text(&e))))?;
    if transactional {
        events.info("% Committing transaction");
        sender
            .producer
            .transaction(TxnStep::Commit, timeout)
            .map_err(|e| KafkaError::Kafka(format!("commit_transaction(): {e}")))?;
        events.info("% Transaction successfully committed");
    }
    sender.drain()?;
    let failed = sender.producer.failed_deliveries();
    if failed > 0 {
        return Err(KafkaError::Kafka(format!(
            "{failed} message(s) were not delivered"
        )));
    }
    Ok(())
}

/// Reads every input and sends its messages; stops early at `-c` or a signal.
fn feed(
    opts: &KcatOptions,
    sender: &mut Sender<'_>,
    tee: &mut impl Write,
    max_size: usize,
) -> Result<(), KafkaError> {
    let mut remaining = opts.count;
    if !opts.positional.is_empty() && !opts.line_mode {
        return send_files(opts, sender, &mut remaining, max_size);
    }
    let input: Box<dyn Read> = match opts.positional.first() {
        Some(path) => Box::new(std::fs::File::open(path).map_err(|e| {
            KafkaError::Kafka(format!("Cannot open {path}: {}", io_error_text(&e)))
        })?),
        None => Box::new(io::stdin().lock()),
    };
    let input = Interruptible {
        inner: input,
        stop: sender.stop,
    };
    let mut reader = RecordReader::new(input, opts.delim.clone(), max_size);
    let key_splitter = opts.key_delim.as_deref().map(KeySplitter::new);
    let mut line_no = 0u64;
    loop {
        if remaining == Some(0) || sender.stopped() {
            return Ok(());
        }
        let record = match reader.next_record() {
            Ok(Some(r)) => r,
            Ok(None) => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                return Err(KafkaError::Kafka(e.to_string()))
            }
            Err(e) => {
                return Err(KafkaError::Kafka(format!(
                    "Unable to read message: {}",
                    io_error_text(&e)
                )))
            }
        };
        line_no += 1;
        // kcat drops empty records before anything else, -Z or not.
        if record.is_empty() {
            continue;
        }
        if opts.tee {
            tee.write_all(record)
                .map_err(|e| KafkaError::Kafka(format!("Write error: {}", io_error_text(&e))))?;
        }
        if opts.json {
            send_envelope(opts, sender, record, line_no)?;
        } else {
            let msg = split_record(opts, key_splitter.as_ref(), record);
            sender.send(&msg)?;
        }
        if let Some(left) = remaining.as_mut() {
            *left -= 1;
        }
    }
}

/// `-K`, `-k` and `-Z` applied to one input record.
fn split_record<'a>(
    opts: &'a KcatOptions,
    key_splitter: Option<&KeySplitter>,
    record: &'a [u8],
) -> Outgoing<'a> {
    let (key, value) = match key_splitter.and_then(|k| k.split(record)) {
        Some((k, v)) => {
            let null_if_empty = |b: &'a [u8]| {
                if opts.null_str && b.is_empty() {
                    None
                } else {
                    Some(b)
                }
            };
            (null_if_empty(k), null_if_empty(v))
        }
        None => (opts.fixed_key.as_deref(), Some(record)),
    };
    Outgoing {
        partition: opts.partition,
        key,
        value,
        headers: &[],
        timestamp: None,
    }
}

fn send_envelope(
    opts: &KcatOptions,
    sender: &mut Sender<'_>,
    line: &[u8],
    line_no: u64,
) -> Result<(), KafkaError> {
    let rec = match parse_envelope(line, opts.encoding) {
        Ok(rec) => rec,
        Err(e) if opts.continue_on_error => {
            crate::say!("% ERROR: input record {line_no}: {e}");
            return Ok(());
        }
        Err(e) => {
            return Err(KafkaError::Kafka(format!(
                "input record {line_no}: {e} (the records before it were produced, none after it)"
            )))
        }
    };
    let headers = rec
        .headers
        .iter()
        .map(|(n, v)| Ok((c_name(n)?, v.clone())))
        .collect::<Result<Vec<_>, KafkaError>>()?;
    let partition = if opts.partition != -1 {
        opts.partition
    } else {
        rec.partition.unwrap_or(-1)
    };
    sender.send(&Outgoing {
        partition,
        key: rec.key.as_deref().or(opts.fixed_key.as_deref()),
        value: rec.payload.as_deref(),
        headers: &headers,
        timestamp: rec.timestamp,
    })
}

/// Positional files without `-l`: each non-empty file is one message.
fn send_files(
    opts: &KcatOptions,
    sender: &mut Sender<'_>,
    remaining: &mut Option<u64>,
    max_size: usize,
) -> Result<(), KafkaError> {
    let mut good = 0;
    for path in &opts.positional {
        if *remaining == Some(0) || sender.stopped() {
            break;
        }
        // librdkafka would refuse it anyway; don't read a huge file into memory first.
        if let Ok(meta) = std::fs::metadata(path) {
            if meta.is_file() && meta.len() > max_size as u64 {
                return Err(KafkaError::Kafka(format!(
                    "Failed to produce message ({} bytes): {}",
                    meta.len(),
                    ErrText(RDKafkaErrorCode::MessageSizeTooLarge)
                )));
            }
        }
        let data = match std::fs::read(path) {
            Ok(d) => d,
            Err(e) => {
                crate::say!("% ERROR: Failed to open {path}: {}", io_error_text(&e));
                continue;
            }
        };
        good += 1;
        if data.is_empty() {
            continue;
        }
        sender.send(&Outgoing {
            partition: opts.partition,
            key: opts.fixed_key.as_deref(),
            value: Some(&data),
            headers: &[],
            timestamp: None,
        })?;
        if let Some(left) = remaining.as_mut() {
            *left -= 1;
        }
    }
    if good == 0 {
        return Err(KafkaError::Kafka("No files could be read".into()));
    }
    Ok(())
}

/// Reads from `inner`; a read interrupted by a stop signal reads as end of input, so a producer
/// blocked on a terminal stops at Ctrl-C.
struct Interruptible<'a, R> {
    inner: R,
    stop: &'a AtomicBool,
}

impl<R: Read> Read for Interruptible<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.inner.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                    if self.stop.load(Ordering::Relaxed) {
                        return Ok(0);
                    }
                }
                other => return other,
            }
        }
    }
}

fn c_name(name: &[u8]) -> Result<CString, KafkaError> {
    CString::new(name.to_vec())
        .map_err(|_| KafkaError::Usage("header name contains a NUL byte".into()))
}

/// Keyed records to Connect's offsets or status topic land on the wrong partition unless they are
/// partitioned as Java does; say so before anything is sent.
fn warn_internal_topic(opts: &KcatOptions, partitioner: Option<&str>, events: &Events) {
    let topic = opts.topic.as_deref().unwrap_or_default();
    let internal = topic.contains("connect-offsets") || topic.contains("connect-status");
    let keyed = opts.key_delim.is_some() || opts.fixed_key.is_some() || opts.json;
    let java_compatible = partitioner.is_some_and(|p| p.starts_with("murmur2"));
    if internal && keyed && opts.partition == -1 && !java_compatible && events.verbosity >= 1 {
        crate::say!(
            "% WARNING: keyed records to Kafka Connect's internal topic {topic} are partitioned with \
             librdkafka's {} hash, not Java's murmur2: Connect may never see them. Give -p <partition \
             of the original record> or --partitioner murmur2",
            partitioner.unwrap_or("consistent_random")
        );
    }
}
