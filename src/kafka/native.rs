//! A librdkafka handle used directly through its C API, for what the rdkafka crate does not wrap:
//! the simple (group-less) consumer that feeds every partition into one queue and serves it with
//! a callback, as kcat's `-C` does. That path is kct's hot loop, so it avoids per-message
//! allocation and event objects.

use std::cell::Cell;
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::mem::ManuallyDrop;
use std::ptr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rdkafka::bindings as rd;
use rdkafka::config::ClientConfig;
use rdkafka::error::RDKafkaErrorCode;

use crate::kafka::events::ErrText;
use crate::kafka::events::Events;
use crate::kafka::metadata::{BrokerInfo, ClusterMetadata, PartitionInfo, TopicInfo};
use crate::kafka::KafkaError;
use crate::record::{HeaderList, MessageView, TimestampType};

/// An `rd_kafka_t` of consumer type with kcat's error, log and rebalance callbacks.
pub struct Handle {
    rk: *mut rd::rd_kafka_t,
    // Boxed so its address, registered as librdkafka's opaque, never moves.
    callbacks: Box<Callbacks>,
}

/// What librdkafka's callbacks reach through the opaque pointer.
struct Callbacks {
    events: Arc<Events>,
    group: Option<GroupSettings>,
    assignment: Mutex<Vec<(String, i32)>>,
    /// Producer delivery reports: delivered, failed.
    failed: AtomicU64,
}

/// The kind of client, as `rd_kafka_new` wants it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Consumer,
    Producer,
}

/// `-G` settings the rebalance callback applies.
pub struct GroupSettings {
    pub group: String,
    /// kcat's `-o` overrides committed offsets on every assignment.
    pub offset: Option<i64>,
}

impl Handle {
    pub fn consumer(config: &ClientConfig, events: Arc<Events>) -> Result<Handle, KafkaError> {
        Self::create(Kind::Consumer, config, events, None)
    }

    /// A producer whose delivery reports are counted (see `deliveries`).
    pub fn producer(config: &ClientConfig, events: Arc<Events>) -> Result<Handle, KafkaError> {
        Self::create(Kind::Producer, config, events, None)
    }

    /// A balanced consumer in group `settings.group` (kcat's `-G`).
    pub fn group_consumer(
        config: &ClientConfig,
        events: Arc<Events>,
        settings: GroupSettings,
    ) -> Result<Handle, KafkaError> {
        let mut config = config.clone();
        config.set("group.id", &settings.group);
        let handle = Self::create(Kind::Consumer, &config, events, Some(settings))?;
        // SAFETY: rk is valid; routes the main queue (errors, rebalances) to consumer_poll.
        unsafe { rd::rd_kafka_poll_set_consumer(handle.rk) };
        Ok(handle)
    }

    fn create(
        kind: Kind,
        config: &ClientConfig,
        events: Arc<Events>,
        group: Option<GroupSettings>,
    ) -> Result<Handle, KafkaError> {
        let mut config = config.clone();
        // As kcat does: librdkafka wakes its threads with this signal on destroy instead of
        // waiting for their poll timeouts, which otherwise adds ~50 ms to every run.
        if config.get("internal.termination.signal").is_none() {
            config.set("internal.termination.signal", libc::SIGIO.to_string());
        }
        // librdkafka waits reconnect.backoff.ms/2 between attempts to open a connection to a newly
        // learned broker (50 ms by default), which a short-lived command pays right at start-up,
        // e.g. for the first metadata request after bootstrap. 22 ms gives its 11 ms floor; the
        // backoff still grows exponentially for brokers that stay down.
        if config.get("reconnect.backoff.ms").is_none() {
            config.set("reconnect.backoff.ms", "22");
        }
        let native = config
            .create_native_config()
            .map_err(|e| KafkaError::Config(config_error_text(e)))?;
        let is_group = group.is_some();
        let callbacks = Box::new(Callbacks {
            events,
            group,
            assignment: Mutex::new(Vec::new()),
            failed: AtomicU64::new(0),
        });
        let conf = native.ptr();
        // SAFETY: conf is valid; on success rd_kafka_new takes ownership of it, so the Rust
        // wrapper must not destroy it (ManuallyDrop). The opaque points into a Box that lives as
        // long as the handle.
        unsafe {
            rd::rd_kafka_conf_set_opaque(conf, &*callbacks as *const Callbacks as *mut c_void);
            rd::rd_kafka_conf_set_error_cb(conf, Some(error_cb));
            rd::rd_kafka_conf_set_log_cb(conf, Some(log_cb));
            if is_group {
                rd::rd_kafka_conf_set_rebalance_cb(conf, Some(rebalance_cb));
            }
            if kind == Kind::Producer {
                rd::rd_kafka_conf_set_dr_msg_cb(conf, Some(delivery_cb));
            }
            let native = ManuallyDrop::new(native);
            let mut errstr = [0 as c_char; 512];
            let rk = rd::rd_kafka_new(
                match kind {
                    Kind::Consumer => rd::rd_kafka_type_t::RD_KAFKA_CONSUMER,
                    Kind::Producer => rd::rd_kafka_type_t::RD_KAFKA_PRODUCER,
                },
                native.ptr(),
                errstr.as_mut_ptr(),
                errstr.len(),
            );
            if rk.is_null() {
                let msg = CStr::from_ptr(errstr.as_ptr())
                    .to_string_lossy()
                    .into_owned();
                return Err(KafkaError::Config(msg));
            }
            if callbacks.events.verbosity == 0 {
                rd::rd_kafka_set_log_level(rk, 0);
            }
            Ok(Handle { rk, callbacks })
        }
    }

    /// Number of partitions currently assigned to this group member.
    pub fn assignment_len(&self) -> usize {
        self.callbacks
            .assignment
            .lock()
            .map(|a| a.len())
            .unwrap_or(0)
    }

    /// Subscribes to topics; names starting with `^` are regular expressions (librdkafka's rule).
    pub fn subscribe(&self, topics: &[String]) -> Result<(), RDKafkaErrorCode> {
        // SAFETY: the list is built, passed and destroyed here.
        unsafe {
            let list = rd::rd_kafka_topic_partition_list_new(topics.len() as c_int);
            for t in topics {
                if let Ok(c) = CString::new(t.as_str()) {
                    rd::rd_kafka_topic_partition_list_add(list, c.as_ptr(), -1);
                }
            }
            let err = rd::rd_kafka_subscribe(self.rk, list);
            rd::rd_kafka_topic_partition_list_destroy(list);
            if err != rd::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
                return Err(err.into());
            }
        }
        Ok(())
    }

    /// One `rd_kafka_consumer_poll`: a message, an EOF or an error goes to `sink`.
    pub fn consumer_poll<S: MessageSink>(&self, timeout_ms: i32, sink: &mut S) -> bool {
        // SAFETY: the message is dispatched and destroyed before returning.
        unsafe {
            let msg = rd::rd_kafka_consumer_poll(self.rk, timeout_ms);
            if msg.is_null() {
                return false;
            }
            dispatch(msg, sink);
            rd::rd_kafka_message_destroy(msg);
        }
        true
    }

    /// Leaves the group, committing offsets (librdkafka's default auto-commit).
    pub fn consumer_close(&self) {
        // SAFETY: rk is a consumer handle.
        unsafe {
            rd::rd_kafka_consumer_close(self.rk);
        }
    }

    /// Serves error, log and delivery-report callbacks, waiting up to `timeout_ms` for one.
    pub fn poll(&self, timeout_ms: i32) {
        // SAFETY: rk is valid for the handle's life.
        unsafe {
            rd::rd_kafka_poll(self.rk, timeout_ms);
        }
    }

    /// `rd_kafka_produceva` with the given argument list.
    pub fn produce(&self, args: &[rd::rd_kafka_vu_t]) -> Result<(), RDKafkaErrorCode> {
        // SAFETY: the caller built `args` from pointers valid for this call.
        unsafe {
            let err = rd::rd_kafka_produceva(self.rk, args.as_ptr(), args.len());
            if err.is_null() {
                return Ok(());
            }
            let code = rd::rd_kafka_error_code(err);
            rd::rd_kafka_error_destroy(err);
            Err(code.into())
        }
    }

    /// Messages and requests not yet acknowledged.
    pub fn outq_len(&self) -> i32 {
        // SAFETY: rk is valid.
        unsafe { rd::rd_kafka_outq_len(self.rk) }
    }

    /// Messages whose delivery failed so far.
    pub fn failed_deliveries(&self) -> u64 {
        self.callbacks.failed.load(Ordering::Relaxed)
    }

    /// One step of a producer transaction, bounded by `timeout_ms` where librdkafka takes one.
    pub fn transaction(&self, step: TxnStep, timeout_ms: u64) -> Result<(), String> {
        let t = timeout_ms as c_int;
        // SAFETY: rk is a producer; the returned error object is destroyed here.
        unsafe {
            let err = match step {
                TxnStep::Init => rd::rd_kafka_init_transactions(self.rk, t),
                TxnStep::Begin => rd::rd_kafka_begin_transaction(self.rk),
                TxnStep::Commit => rd::rd_kafka_commit_transaction(self.rk, t),
                TxnStep::Abort => rd::rd_kafka_abort_transaction(self.rk, t),
            };
            if err.is_null() {
                return Ok(());
            }
            let text = CStr::from_ptr(rd::rd_kafka_error_string(err))
                .to_string_lossy()
                .into_owned();
            rd::rd_kafka_error_destroy(err);
            Err(text)
        }
    }

    /// Cluster metadata: one topic, or every topic when `topic` is `None`.
    pub fn metadata(
        &self,
        topic: Option<&Topic>,
        timeout_ms: u64,
    ) -> Result<ClusterMetadata, RDKafkaErrorCode> {
        let mut md: *const rd::rd_kafka_metadata = ptr::null();
        let (all, rkt) = match topic {
            Some(t) => (0, t.rkt),
            None => (1, ptr::null_mut()),
        };
        // SAFETY: the topic handle belongs to this client; md is freed below.
        unsafe {
            let err = rd::rd_kafka_metadata(self.rk, all, rkt, &mut md, timeout_ms as c_int);
            if err != rd::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
                return Err(err.into());
            }
            let mut out = read_metadata(md);
            rd::rd_kafka_metadata_destroy(md);
            out.controller_id = rd::rd_kafka_controllerid(self.rk, 0);
            Ok(out)
        }
    }

    /// Low and high watermarks of one partition, asked of its leader.
    pub fn watermarks(
        &self,
        topic: &str,
        partition: i32,
        timeout_ms: u64,
    ) -> Result<(i64, i64), RDKafkaErrorCode> {
        let cname = CString::new(topic).map_err(|_| RDKafkaErrorCode::InvalidArgument)?;
        let (mut low, mut high) = (0i64, 0i64);
        // SAFETY: plain out-parameters.
        let err = unsafe {
            rd::rd_kafka_query_watermark_offsets(
                self.rk,
                cname.as_ptr(),
                partition,
                &mut low,
                &mut high,
                timeout_ms as c_int,
            )
        };
        if err != rd::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
            return Err(err.into());
        }
        Ok((low, high))
    }

    pub fn topic(&self, name: &str) -> Result<Topic, KafkaError> {
        let cname =
            CString::new(name).map_err(|_| KafkaError::Usage("topic name contains NUL".into()))?;
        // SAFETY: rk is valid; a NULL conf takes the default topic configuration.
        let rkt = unsafe { rd::rd_kafka_topic_new(self.rk, cname.as_ptr(), ptr::null_mut()) };
        if rkt.is_null() {
            return Err(KafkaError::Kafka(format!("Failed to create topic {name}")));
        }
        Ok(Topic { rkt })
    }

    pub fn queue(&self) -> Queue {
        // SAFETY: rk is valid.
        Queue {
            rkqu: unsafe { rd::rd_kafka_queue_new(self.rk) },
        }
    }

    /// Offsets for timestamps, one per partition of `topic`; `-1` where no message is that late.
    pub fn offsets_for_times(
        &self,
        topic: &str,
        partitions: &[(i32, i64)],
        timeout_ms: u64,
    ) -> Result<Vec<(i32, i64, Option<RDKafkaErrorCode>)>, RDKafkaErrorCode> {
        let cname = CString::new(topic).map_err(|_| RDKafkaErrorCode::InvalidArgument)?;
        // SAFETY: the list is created, read and destroyed here.
        unsafe {
            let list = rd::rd_kafka_topic_partition_list_new(partitions.len() as c_int);
            for &(p, ts) in partitions {
                let tp = rd::rd_kafka_topic_partition_list_add(list, cname.as_ptr(), p);
                (*tp).offset = ts;
            }
            let err = rd::rd_kafka_offsets_for_times(self.rk, list, timeout_ms as c_int);
            let mut out = Vec::with_capacity(partitions.len());
            if err == rd::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
                for i in 0..(*list).cnt as usize {
                    let tp = &*(*list).elems.add(i);
                    let e = (tp.err != rd::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR)
                        .then(|| tp.err.into());
                    out.push((tp.partition, tp.offset, e));
                }
            }
            rd::rd_kafka_topic_partition_list_destroy(list);
            if err != rd::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
                return Err(err.into());
            }
            Ok(out)
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        // SAFETY: topics and queues borrow nothing from here and are destroyed before the handle
        // by their owners (the consumer drops them first).
        unsafe { rd::rd_kafka_destroy(self.rk) }
    }
}

pub struct Topic {
    rkt: *mut rd::rd_kafka_topic_t,
}

/// The steps of kcat's `-X transactional.id` producer.
#[derive(Clone, Copy, Debug)]
pub enum TxnStep {
    Init,
    Begin,
    Commit,
    Abort,
}

impl Topic {
    /// The raw handle, for `rd_kafka_produceva`'s `RD_KAFKA_VTYPE_RKT`.
    pub fn raw(&self) -> *mut rd::rd_kafka_topic_t {
        self.rkt
    }

    pub fn start(
        &self,
        partition: i32,
        offset: i64,
        queue: &Queue,
    ) -> Result<(), RDKafkaErrorCode> {
        // SAFETY: topic and queue belong to the same live client.
        let rc =
            unsafe { rd::rd_kafka_consume_start_queue(self.rkt, partition, offset, queue.rkqu) };
        if rc == -1 {
            // SAFETY: reads the thread-local last error.
            return Err(unsafe { rd::rd_kafka_last_error() }.into());
        }
        Ok(())
    }

    /// Marks `offset` as processed, so the simple consumer commits `offset + 1` for its group
    /// when the partition stops (kcat does this at every partition end).
    pub fn store_offset(&self, partition: i32, offset: i64) {
        // SAFETY: rkt is valid; storing is a local operation.
        unsafe {
            rd::rd_kafka_offset_store(self.rkt, partition, offset);
        }
    }

    pub fn stop(&self, partition: i32) {
        // SAFETY: as above.
        unsafe {
            rd::rd_kafka_consume_stop(self.rkt, partition);
        }
    }
}

impl Drop for Topic {
    fn drop(&mut self) {
        // SAFETY: rkt was returned by rd_kafka_topic_new.
        unsafe { rd::rd_kafka_topic_destroy(self.rkt) }
    }
}

pub struct Queue {
    rkqu: *mut rd::rd_kafka_queue_t,
}

/// What the consume loop does with each message or EOF; implemented by the kcat consumer.
pub trait MessageSink {
    fn message(&mut self, msg: &MessageView<'_>);
    fn partition_eof(&mut self, topic: &str, partition: i32, offset: i64);
    /// A consumer error, already worded as kcat words it (`Topic T [p] error: …`).
    fn error(&mut self, text: &str);
}

/// kcat's text for a consumer error: librdkafka's reason, or the code's text when it gave none.
unsafe fn error_text(m: &rd::rd_kafka_message_t, topic: Option<&str>) -> String {
    let reason = message_text(m);
    let detail = if reason.is_empty() {
        ErrText(m.err.into()).to_string()
    } else {
        reason
    };
    match topic {
        Some(t) => format!("Topic {t} [{}] error: {detail}", m.partition),
        None => format!("Consumer error: {detail}"),
    }
}

impl Queue {
    /// Waits up to `timeout_ms` for the first message, then hands everything queued to `sink`.
    pub fn serve<S: MessageSink>(&self, timeout_ms: i32, sink: &mut S) -> usize {
        // SAFETY: the callback receives `sink` back through the opaque pointer, only during this
        // call, on this thread.
        let n = unsafe {
            rd::rd_kafka_consume_callback_queue(
                self.rkqu,
                timeout_ms,
                Some(consume_cb::<S>),
                sink as *mut S as *mut c_void,
            )
        };
        n.max(0) as usize
    }
}

impl Drop for Queue {
    fn drop(&mut self) {
        // SAFETY: rkqu was returned by rd_kafka_queue_new.
        unsafe { rd::rd_kafka_queue_destroy(self.rkqu) }
    }
}

/// Headers of a message, read in place from librdkafka. librdkafka parses a message's headers
/// on request, so they are asked for only when a format or `-J` reads them.
struct NativeHeaders {
    msg: *mut rd::rd_kafka_message_t,
    parsed: Cell<Option<*mut rd::rd_kafka_headers_t>>,
}

impl NativeHeaders {
    /// The parsed list, or null when the message has none.
    fn list(&self) -> *mut rd::rd_kafka_headers_t {
        if let Some(h) = self.parsed.get() {
            return h;
        }
        let mut h: *mut rd::rd_kafka_headers_t = ptr::null_mut();
        // SAFETY: the message outlives this view; librdkafka keeps the list with the message.
        let err = unsafe { rd::rd_kafka_message_headers(self.msg, &mut h) };
        if err != rd::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
            h = ptr::null_mut();
        }
        self.parsed.set(Some(h));
        h
    }
}

impl HeaderList for NativeHeaders {
    fn count(&self) -> usize {
        let h = self.list();
        if h.is_null() {
            return 0;
        }
        // SAFETY: non-null headers of a message that outlives this view.
        unsafe { rd::rd_kafka_header_cnt(h) }
    }

    fn get(&self, i: usize) -> (&[u8], Option<&[u8]>) {
        let mut name: *const c_char = ptr::null();
        let mut value: *const c_void = ptr::null();
        let mut size = 0usize;
        // SAFETY: i < count(); the pointers stay valid while the message lives.
        unsafe {
            rd::rd_kafka_header_get_all(self.list(), i, &mut name, &mut value, &mut size);
            let name = if name.is_null() {
                &[][..]
            } else {
                CStr::from_ptr(name).to_bytes()
            };
            let value =
                (!value.is_null()).then(|| std::slice::from_raw_parts(value as *const u8, size));
            (name, value)
        }
    }
}

unsafe extern "C" fn consume_cb<S: MessageSink>(
    msg: *mut rd::rd_kafka_message_t,
    opaque: *mut c_void,
) {
    dispatch(msg, &mut *(opaque as *mut S));
}

/// Hands one librdkafka message to `sink` as a borrowed view.
///
/// # Safety
/// `msg` must be a valid message for the duration of the call.
unsafe fn dispatch<S: MessageSink>(msg: *mut rd::rd_kafka_message_t, sink: &mut S) {
    let m = &*msg;
    if m.rkt.is_null() {
        // A consumer-level error without a topic (e.g. from the group coordinator).
        if m.err != rd::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
            sink.error(&error_text(m, None));
        }
        return;
    }
    let topic = CStr::from_ptr(rd::rd_kafka_topic_name(m.rkt));
    let topic = std::str::from_utf8_unchecked(topic.to_bytes());
    if m.err != rd::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
        if m.err == rd::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR__PARTITION_EOF {
            sink.partition_eof(topic, m.partition, m.offset);
        } else {
            sink.error(&error_text(m, Some(topic)));
        }
        return;
    }
    let mut tstype = rd::rd_kafka_timestamp_type_t::RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
    let timestamp = rd::rd_kafka_message_timestamp(msg, &mut tstype);
    let timestamp_type = match tstype {
        rd::rd_kafka_timestamp_type_t::RD_KAFKA_TIMESTAMP_CREATE_TIME => TimestampType::CreateTime,
        rd::rd_kafka_timestamp_type_t::RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME => {
            TimestampType::LogAppendTime
        }
        _ => TimestampType::NotAvailable,
    };
    let headers = NativeHeaders {
        msg,
        parsed: Cell::new(None),
    };
    let view = MessageView {
        topic,
        partition: m.partition,
        offset: m.offset,
        timestamp_type,
        timestamp,
        broker: rd::rd_kafka_message_broker_id(msg),
        key: bytes(m.key, m.key_len),
        payload: bytes(m.payload, m.len),
        headers: &headers,
    };
    sink.message(&view);
}

/// The error string librdkafka puts in an error message's payload.
unsafe fn message_text(m: &rd::rd_kafka_message_t) -> String {
    match bytes(m.payload, m.len) {
        Some(b) => String::from_utf8_lossy(b).into_owned(),
        None => String::new(),
    }
}

unsafe fn bytes<'a>(p: *mut c_void, len: usize) -> Option<&'a [u8]> {
    if p.is_null() {
        None
    } else {
        Some(std::slice::from_raw_parts(p as *const u8, len))
    }
}

unsafe extern "C" fn delivery_cb(
    rk: *mut rd::rd_kafka_t,
    msg: *const rd::rd_kafka_message_t,
    opaque: *mut c_void,
) {
    let cb = &*(opaque as *const Callbacks);
    let m = &*msg;
    if m.err == rd::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
        if cb.events.verbosity >= 3 {
            let broker = rd::rd_kafka_message_broker_id(msg);
            crate::say!(
                "% Message delivered to partition {} (offset {}) on broker {broker}",
                m.partition,
                m.offset
            );
        }
    } else {
        cb.failed.fetch_add(1, Ordering::Relaxed);
        let code: RDKafkaErrorCode = m.err.into();
        crate::say!("% Delivery failed for message: {}", ErrText(code));
    }
    let _ = rk;
}

unsafe extern "C" fn error_cb(
    _rk: *mut rd::rd_kafka_t,
    err: c_int,
    reason: *const c_char,
    opaque: *mut c_void,
) {
    let events = &(*(opaque as *const Callbacks)).events;
    let reason = CStr::from_ptr(reason).to_string_lossy();
    let code: RDKafkaErrorCode = rd::rd_kafka_resp_err_t::try_from(err)
        .map(Into::into)
        .unwrap_or(RDKafkaErrorCode::Fail);
    events.on_error(code, &reason);
}

unsafe extern "C" fn log_cb(
    rk: *const rd::rd_kafka_t,
    level: c_int,
    fac: *const c_char,
    buf: *const c_char,
) {
    let opaque = rd::rd_kafka_opaque(rk);
    if opaque.is_null() {
        return;
    }
    let events = &(*(opaque as *const Callbacks)).events;
    let name = CStr::from_ptr(rd::rd_kafka_name(rk)).to_string_lossy();
    events.on_log(
        level,
        &CStr::from_ptr(fac).to_string_lossy(),
        &name,
        &CStr::from_ptr(buf).to_string_lossy(),
    );
}

unsafe extern "C" fn rebalance_cb(
    rk: *mut rd::rd_kafka_t,
    err: rd::rd_kafka_resp_err_t,
    partitions: *mut rd::rd_kafka_topic_partition_list_t,
    opaque: *mut c_void,
) {
    let cb = &*(opaque as *const Callbacks);
    let Some(settings) = cb.group.as_ref() else {
        return;
    };
    let cooperative =
        CStr::from_ptr(rd::rd_kafka_rebalance_protocol(rk)).to_bytes() == b"COOPERATIVE";
    let list = &mut *partitions;
    let elems: &mut [rd::rd_kafka_topic_partition_t] = if list.cnt > 0 {
        std::slice::from_raw_parts_mut(list.elems, list.cnt as usize)
    } else {
        &mut []
    };
    let names: Vec<(String, i32)> = elems
        .iter()
        .map(|e| {
            (
                CStr::from_ptr(e.topic).to_string_lossy().into_owned(),
                e.partition,
            )
        })
        .collect();
    let shown = names
        .iter()
        .map(|(t, p)| format!("{t} [{p}]"))
        .collect::<Vec<_>>()
        .join(", ");
    let member = rd::rd_kafka_memberid(rk);
    let member_text = if member.is_null() {
        String::new()
    } else {
        CStr::from_ptr(member).to_string_lossy().into_owned()
    };
    if !member.is_null() {
        rd::rd_kafka_mem_free(rk, member as *mut c_void);
    }
    let mut assignment = cb.assignment.lock().unwrap_or_else(|e| e.into_inner());
    match err {
        rd::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS => {
            if let Some(offset) = settings.offset {
                for e in elems.iter_mut() {
                    e.offset = offset;
                }
            }
            cb.events.info(format_args!(
                "% Group {} rebalanced (memberid {member_text}): assigned: {shown}",
                settings.group
            ));
            if cooperative {
                let e = rd::rd_kafka_incremental_assign(rk, partitions);
                if !e.is_null() {
                    rd::rd_kafka_error_destroy(e);
                }
            } else {
                assignment.clear();
                rd::rd_kafka_assign(rk, partitions);
            }
            assignment.extend(names);
        }
        rd::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS => {
            cb.events.info(format_args!(
                "% Group {} rebalanced (memberid {member_text}): revoked: {shown}",
                settings.group
            ));
            if cooperative {
                let e = rd::rd_kafka_incremental_unassign(rk, partitions);
                if !e.is_null() {
                    rd::rd_kafka_error_destroy(e);
                }
                assignment.retain(|a| !names.contains(a));
            } else {
                rd::rd_kafka_assign(rk, ptr::null());
                assignment.clear();
            }
        }
        other => {
            let code: RDKafkaErrorCode = other.into();
            crate::say!(
                "% ERROR: Group {} rebalance failed: {}",
                settings.group,
                ErrText(code)
            );
            rd::rd_kafka_assign(rk, ptr::null());
            assignment.clear();
        }
    }
}

/// Converts a raw `rd_kafka_metadata` into owned data.
///
/// # Safety
/// `md` must be a valid metadata pointer returned by rd_kafka_metadata.
pub unsafe fn read_metadata(md: *const rd::rd_kafka_metadata) -> ClusterMetadata {
    let md = &*md;
    let cstr = |p: *const c_char| {
        if p.is_null() {
            String::new()
        } else {
            CStr::from_ptr(p).to_string_lossy().into_owned()
        }
    };
    let err = |e: rd::rd_kafka_resp_err_t| {
        (e != rd::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR)
            .then(|| RDKafkaErrorCode::from(e))
    };
    let brokers = (0..md.broker_cnt.max(0) as usize)
        .map(|i| {
            let b = &*md.brokers.add(i);
            BrokerInfo {
                id: b.id,
                host: cstr(b.host),
                port: b.port,
            }
        })
        .collect();
    let topics = (0..md.topic_cnt.max(0) as usize)
        .map(|i| {
            let t = &*md.topics.add(i);
            let partitions = (0..t.partition_cnt.max(0) as usize)
                .map(|j| {
                    let p = &*t.partitions.add(j);
                    PartitionInfo {
                        id: p.id,
                        leader: p.leader,
                        replicas: ids(p.replicas, p.replica_cnt),
                        isrs: ids(p.isrs, p.isr_cnt),
                        error: err(p.err),
                    }
                })
                .collect();
            TopicInfo {
                name: cstr(t.topic),
                partitions,
                error: err(t.err),
            }
        })
        .collect();
    ClusterMetadata {
        orig_broker_id: md.orig_broker_id,
        orig_broker_name: cstr(md.orig_broker_name),
        controller_id: -1,
        brokers,
        topics,
    }
}

unsafe fn ids(p: *const i32, cnt: c_int) -> Vec<i32> {
    if p.is_null() || cnt <= 0 {
        return Vec::new();
    }
    std::slice::from_raw_parts(p, cnt as usize).to_vec()
}

fn config_error_text(e: rdkafka::error::KafkaError) -> String {
    match e {
        rdkafka::error::KafkaError::ClientConfig(_, desc, _, _) => desc,
        other => other.to_string(),
    }
}
