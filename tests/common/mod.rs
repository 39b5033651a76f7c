//! Test harness for the differential kcat/kct tests.
//!
//! * One private tansu broker per test binary (started on first use, killed when the test
//!   process ends: by `PR_SET_PDEATHSIG` if the process dies, by an `atexit` hook otherwise).
//! * `kcat(..)` runs the real kcat 1.7.1 against the current librdkafka in `.peer-lib`,
//!   `kct(..)` runs the binary under test; both with a timeout, an empty `$HOME` and no
//!   `KCAT_CONFIG`, so the machine's own kcat configuration cannot leak in.
//! * Topic creation and exact record production through rdkafka, so tests control NULL vs
//!   empty keys, values and header values, partitions and timestamps.
//! * Comparison helpers: identical stdout bytes and exit code, or identical sorted lines for
//!   multi-partition consumption, where kcat interleaves partitions.
//!
//! Nothing here skips: a missing tool fails the test with the command that installs it.
#![allow(dead_code)]

pub mod secure;
pub mod tmux;
pub mod worker;

use std::collections::hash_map::RandomState;
use std::ffi::OsStr;
use std::fmt::Write as _;
use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::pin::pin;
use std::process::{Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;
use std::time::{Duration, Instant};

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::message::{DeliveryResult, Header, OwnedHeaders};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer, ProducerContext};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::ClientContext;

/// Longest any single kcat/kct run may take before it is killed and the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// The consumer option every test passes: tansu 0.6.0 holds each fetch for about half of
/// `fetch.wait.max.ms`, so the default (500 ms) makes every `-e` run slow (see TESTING.md).
pub const FAST: [&str; 2] = ["-X", "fetch.wait.max.ms=5"];

const TANSU_VERSION: &str = "0.6.0";
const INSTALL_ALL: &str = "run `bash scripts/test.sh` (installs everything the tests need)";

// ---------------------------------------------------------------------------------------------
// Tools

pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// The tansu binary: `$PATH` first, then `~/.cargo/bin`.
pub fn tansu_bin() -> PathBuf {
    static TANSU: OnceLock<PathBuf> = OnceLock::new();
    TANSU
        .get_or_init(|| {
            let cargo_bin = std::env::var_os("HOME")
                .map(|h| PathBuf::from(h).join(".cargo/bin/tansu"))
                .filter(|p| p.is_file());
            match find_in_path("tansu").or(cargo_bin) {
                Some(p) => p,
                None => panic!(
                    "tansu {TANSU_VERSION} (the test broker) is not installed: {INSTALL_ALL}, \
                     or `cargo install tansu --version {TANSU_VERSION} --locked --features dynostore,libsql`"
                ),
            }
        })
        .clone()
}

/// The kcat binary (Debian's kcat 1.7.1).
pub fn kcat_bin() -> PathBuf {
    static KCAT: OnceLock<PathBuf> = OnceLock::new();
    KCAT.get_or_init(|| {
        let usr = PathBuf::from("/usr/bin/kcat");
        match Some(usr)
            .filter(|p| p.is_file())
            .or_else(|| find_in_path("kcat"))
        {
            Some(p) => p,
            None => panic!(
                "kcat (the oracle) is not installed: {INSTALL_ALL}, \
                 or `sudo apt-get update && sudo apt-get install -y kcat`"
            ),
        }
    })
    .clone()
}

/// The directory holding the current librdkafka that kcat runs against.
pub fn peer_lib_dir() -> PathBuf {
    let dir = repo_root().join(".peer-lib");
    if !dir.join("librdkafka.so.1").exists() {
        panic!(
            ".peer-lib/librdkafka.so.1 (a current librdkafka for kcat) is missing: {INSTALL_ALL}, \
             or `python3 -m venv .venv-peer && .venv-peer/bin/pip install confluent-kafka && \
             mkdir -p .peer-lib && ln -sf \"$(ls $PWD/.venv-peer/lib/python3*/site-packages/\
             confluent_kafka.libs/librdkafka-*.so.1)\" .peer-lib/librdkafka.so.1` in the repository root"
        );
    }
    dir
}

pub fn kct_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_kct"))
}

/// An empty directory used as `$HOME` for every tool run.
fn empty_home() -> &'static Path {
    static HOME: OnceLock<PathBuf> = OnceLock::new();
    HOME.get_or_init(|| {
        let dir = scratch_dir().join("home");
        std::fs::create_dir_all(&dir).expect("create empty HOME");
        dir
    })
}

/// A per-process scratch directory, removed when the test process exits.
pub fn scratch_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("kct-test-")
            .tempdir()
            .expect("create scratch dir")
            .keep();
        register_cleanup();
        dir
    })
}

// ---------------------------------------------------------------------------------------------
// The broker

pub struct Broker {
    /// `127.0.0.1:PORT`
    pub addr: String,
    pub port: u16,
    /// Process id of the tansu process.
    pub pid: u32,
    /// Its working directory (holds `test.db` and `tansu.log`).
    pub dir: PathBuf,
}

static BROKER_PID: AtomicI32 = AtomicI32::new(0);

extern "C" fn cleanup_at_exit() {
    let pid = BROKER_PID.swap(0, Ordering::SeqCst);
    if pid > 0 {
        // SAFETY: plain kill(2) of the process we started.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
        }
    }
    if let Some(dir) = SCRATCH_FOR_CLEANUP.get() {
        let _ = std::fs::remove_dir_all(dir);
    }
}

static SCRATCH_FOR_CLEANUP: OnceLock<PathBuf> = OnceLock::new();

fn register_cleanup() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        // SAFETY: registering a plain extern "C" function.
        unsafe {
            libc::atexit(cleanup_at_exit);
        }
    });
}

/// The broker of this test binary, started on first use.
pub fn broker() -> &'static Broker {
    static BROKER: OnceLock<Broker> = OnceLock::new();
    BROKER.get_or_init(start_broker)
}

/// `127.0.0.1:PORT` of this test binary's broker.
pub fn b() -> &'static str {
    &broker().addr
}

/// Polls `f` every 50 ms until it holds; fails after `secs` seconds naming `what`.
pub fn wait_until(secs: u64, what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A free loopback port.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind a free loopback port")
        .port()
}

fn start_broker() -> Broker {
    let tansu = tansu_bin();
    let scratch = scratch_dir().to_path_buf();
    let _ = SCRATCH_FOR_CLEANUP.set(scratch.clone());
    let mut last_err = String::new();
    for attempt in 0..3 {
        let dir = scratch.join(format!("tansu-{attempt}"));
        std::fs::create_dir_all(&dir).expect("create broker dir");
        let port = free_port();
        match try_start_broker(&tansu, &dir, port) {
            Ok(broker) => return broker,
            Err(e) => last_err = e,
        }
    }
    panic!("could not start tansu: {last_err}");
}

fn try_start_broker(tansu: &Path, dir: &Path, port: u16) -> Result<Broker, String> {
    let log_path = dir.join("tansu.log");
    let log = std::fs::File::create(&log_path).map_err(|e| e.to_string())?;
    let log2 = log.try_clone().map_err(|e| e.to_string())?;
    let url = format!("tcp://127.0.0.1:{port}");
    let mut cmd = Command::new(tansu);
    cmd.current_dir(dir)
        .args(["broker", "--storage-engine", "sqlite://test.db"])
        .args(["--listener-url", &url, "--advertised-listener-url", &url])
        .arg("--silent")
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log2);
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }

    // The child is spawned by a thread that lives as long as the test process (it waits on the
    // broker), because PR_SET_PDEATHSIG fires when the *thread* that forked the child exits.
    let (pid_tx, pid_rx) = mpsc::channel::<Result<u32, String>>();
    let (exit_tx, exit_rx) = mpsc::channel::<ExitStatus>();
    thread::Builder::new()
        .name(format!("tansu-{port}"))
        .spawn(move || match cmd.spawn() {
            Ok(mut child) => {
                let _ = pid_tx.send(Ok(child.id()));
                if let Ok(status) = child.wait() {
                    let _ = exit_tx.send(status);
                }
                // Keep this thread (the broker's parent) alive for the rest of the process.
                loop {
                    thread::park();
                }
            }
            Err(e) => {
                let _ = pid_tx.send(Err(format!("spawn {}: {e}", tansu_display())));
            }
        })
        .expect("spawn broker thread");
    let pid = pid_rx.recv().map_err(|e| e.to_string())??;
    BROKER_PID.store(pid as i32, Ordering::SeqCst);
    register_cleanup();

    let addr = format!("127.0.0.1:{port}");
    let fail = |why: String| -> String {
        // SAFETY: kill(2) of our own child.
        unsafe {
            libc::kill(pid as i32, libc::SIGKILL);
        }
        BROKER_PID.store(0, Ordering::SeqCst);
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        let tail: String = log
            .lines()
            .rev()
            .take(20)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n");
        format!("tansu on {addr}: {why}; log tail:\n{tail}")
    };

    let deadline = Instant::now() + Duration::from_secs(60);
    let sock: SocketAddr = addr.parse().unwrap();
    loop {
        if let Ok(status) = exit_rx.try_recv() {
            return Err(fail(format!("exited early with {status}")));
        }
        if TcpStream::connect_timeout(&sock, Duration::from_millis(200)).is_ok() {
            break;
        }
        if Instant::now() > deadline {
            return Err(fail("port never accepted connections".into()));
        }
        thread::sleep(Duration::from_millis(50));
    }
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", &addr)
        .set("log_level", "0")
        .create()
        .map_err(|e| fail(format!("rdkafka client: {e}")))?;
    loop {
        match producer
            .client()
            .fetch_metadata(None, Duration::from_secs(5))
        {
            Ok(md) if !md.brokers().is_empty() => break,
            Ok(_) => {}
            Err(e) if Instant::now() > deadline => {
                return Err(fail(format!("metadata request failed: {e}")))
            }
            Err(_) => {}
        }
        if Instant::now() > deadline {
            return Err(fail("metadata listed no brokers".into()));
        }
        thread::sleep(Duration::from_millis(100));
    }
    Ok(Broker {
        addr,
        port,
        pid,
        dir: dir.to_path_buf(),
    })
}

fn tansu_display() -> String {
    tansu_bin().display().to_string()
}

// ---------------------------------------------------------------------------------------------
// Topics and records

/// `prefix-<random hex>`: a topic name no other test uses.
pub fn unique_topic(prefix: &str) -> String {
    let mut h = RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos(),
    );
    format!("{prefix}-{:012x}", h.finish() & 0xffff_ffff_ffff)
}

/// Minimal executor for rdkafka's admin futures (no async runtime in this crate).
pub fn block_on<F: Future>(fut: F) -> F::Output {
    struct ThreadWaker(thread::Thread);
    impl Wake for ThreadWaker {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(ThreadWaker(thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut fut = pin!(fut);
    loop {
        match fut.as_mut().poll(&mut cx) {
            Poll::Ready(v) => return v,
            Poll::Pending => thread::park_timeout(Duration::from_millis(50)),
        }
    }
}

/// Creates `name` with `partitions` partitions and topic `configs`, and waits until its
/// metadata shows every partition with a leader.
pub fn create_topic(name: &str, partitions: i32, configs: &[(&str, &str)]) {
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", b())
        .set("log_level", "0")
        .create()
        .expect("admin client");
    let mut topic = NewTopic::new(name, partitions, TopicReplication::Fixed(1));
    for (k, v) in configs {
        topic = topic.set(k, v);
    }
    let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(10)));
    let res = block_on(admin.create_topics([&topic], &opts)).expect("create_topics request");
    for r in res {
        match r {
            Ok(_) => {}
            Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((t, e)) => panic!("create topic {t}: {e}"),
        }
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(md) = admin
            .inner()
            .fetch_metadata(Some(name), Duration::from_secs(5))
        {
            if let Some(t) = md.topics().iter().find(|t| t.name() == name) {
                if t.error().is_none()
                    && t.partitions().len() == partitions as usize
                    && t.partitions().iter().all(|p| p.leader() >= 0)
                {
                    return;
                }
            }
        }
        if Instant::now() > deadline {
            panic!("topic {name} did not become available within 20 s");
        }
        thread::sleep(Duration::from_millis(50));
    }
}

/// A fresh topic: `unique_topic(prefix)` created with `partitions` partitions.
pub fn new_topic(prefix: &str, partitions: i32) -> String {
    let t = unique_topic(prefix);
    create_topic(&t, partitions, &[]);
    t
}

/// One record to write, with exact control over NULL vs empty.
#[derive(Clone, Debug, Default)]
pub struct Rec {
    pub partition: i32,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub headers: Vec<(String, Option<Vec<u8>>)>,
    pub ts: Option<i64>,
}

impl Rec {
    /// A record for `partition` with NULL key, NULL value, no headers, "now" timestamp.
    pub fn new(partition: i32) -> Rec {
        Rec {
            partition,
            ..Rec::default()
        }
    }
    /// Record with a value (and NULL key).
    pub fn v(partition: i32, value: impl AsRef<[u8]>) -> Rec {
        Rec::new(partition).value(value)
    }
    /// Record with a key and a value.
    pub fn kv(partition: i32, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Rec {
        Rec::new(partition).key(key).value(value)
    }
    pub fn key(mut self, k: impl AsRef<[u8]>) -> Rec {
        self.key = Some(k.as_ref().to_vec());
        self
    }
    pub fn value(mut self, v: impl AsRef<[u8]>) -> Rec {
        self.value = Some(v.as_ref().to_vec());
        self
    }
    /// A header; `None` is a NULL value.
    pub fn header(mut self, name: &str, value: Option<&[u8]>) -> Rec {
        self.headers
            .push((name.to_string(), value.map(|v| v.to_vec())));
        self
    }
    pub fn ts(mut self, ts: i64) -> Rec {
        self.ts = Some(ts);
        self
    }
}

struct DeliveryCheck {
    errors: Mutex<Vec<String>>,
}

impl ClientContext for DeliveryCheck {}

impl ProducerContext for DeliveryCheck {
    type DeliveryOpaque = ();
    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        if let Err((e, _)) = result {
            self.errors.lock().unwrap().push(e.to_string());
        }
    }
}

/// Writes `recs` in order (each to its own partition) and waits until all are delivered.
pub fn produce(topic: &str, recs: &[Rec]) {
    let producer: BaseProducer<DeliveryCheck> = ClientConfig::new()
        .set("bootstrap.servers", b())
        .set("linger.ms", "5")
        .set("log_level", "0")
        .create_with_context(DeliveryCheck {
            errors: Mutex::new(Vec::new()),
        })
        .expect("producer");
    for r in recs {
        let mut rec: BaseRecord<'_, [u8], [u8]> = BaseRecord::to(topic).partition(r.partition);
        if let Some(k) = &r.key {
            rec = rec.key(k.as_slice());
        }
        if let Some(v) = &r.value {
            rec = rec.payload(v.as_slice());
        }
        if let Some(ts) = r.ts {
            rec = rec.timestamp(ts);
        }
        if !r.headers.is_empty() {
            let mut hs = OwnedHeaders::new_with_capacity(r.headers.len());
            for (name, value) in &r.headers {
                hs = hs.insert(Header {
                    key: name.as_str(),
                    value: value.as_deref(),
                });
            }
            rec = rec.headers(hs);
        }
        loop {
            match producer.send(rec) {
                Ok(()) => break,
                Err((e, back)) => {
                    if e.rdkafka_error_code() != Some(RDKafkaErrorCode::QueueFull) {
                        panic!("produce to {topic}: {e}");
                    }
                    rec = back;
                    producer.poll(Duration::from_millis(10));
                }
            }
        }
        producer.poll(Duration::ZERO);
    }
    producer
        .flush(Duration::from_secs(60))
        .expect("flush produced records");
    let errors = producer.context().errors.lock().unwrap();
    assert!(errors.is_empty(), "delivery to {topic} failed: {errors:?}");
}

/// Commits `offsets` (partition, next offset to read) of `topic` for consumer group `group`.
pub fn commit_offsets(group: &str, topic: &str, offsets: &[(i32, i64)]) {
    use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
    use rdkafka::{Offset, TopicPartitionList};
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", b())
        .set("group.id", group)
        .set("enable.auto.commit", "false")
        .set("log_level", "0")
        .create()
        .expect("consumer for commit");
    let mut tpl = TopicPartitionList::new();
    for (p, o) in offsets {
        tpl.add_partition_offset(topic, *p, Offset::Offset(*o))
            .expect("offset list");
    }
    consumer
        .commit(&tpl, CommitMode::Sync)
        .unwrap_or_else(|e| panic!("commit {group} {topic} {offsets:?}: {e}"));
}

/// Java's `murmur2` partitioner (Kafka's `DefaultPartitioner` for keyed records).
pub fn murmur2_partition(key: &[u8], partitions: i32) -> i32 {
    let m: u32 = 0x5bd1_e995;
    let len = key.len();
    let mut h: u32 = 0x9747_b28c ^ (len as u32);
    let chunks = key.chunks_exact(4);
    let tail = chunks.remainder();
    for c in chunks {
        let mut k = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        k = k.wrapping_mul(m);
        k ^= k >> 24;
        k = k.wrapping_mul(m);
        h = h.wrapping_mul(m);
        h ^= k;
    }
    if tail.len() >= 3 {
        h ^= (tail[2] as u32) << 16;
    }
    if tail.len() >= 2 {
        h ^= (tail[1] as u32) << 8;
    }
    if !tail.is_empty() {
        h ^= tail[0] as u32;
        h = h.wrapping_mul(m);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(m);
    h ^= h >> 15;
    ((h & 0x7fff_ffff) % partitions as u32) as i32
}

// ---------------------------------------------------------------------------------------------
// Running kcat and kct

/// Runs `cmd` with `stdin` as its input, killing it after `timeout` (exit status 137 then, and
/// stderr ends with a `[harness: killed after …]` note).
pub fn run_cmd(mut cmd: Command, stdin: &[u8], timeout: Duration) -> Output {
    let what = format!("{cmd:?}");
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Like a shell would: default SIGPIPE disposition (the test harness ignores SIGPIPE and
    // ignored signals survive exec).
    // SAFETY: signal(2) is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
            Ok(())
        });
    }
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {what}: {e}"));
    let mut sin = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    let writer = thread::spawn(move || {
        let _ = sin.write_all(&input);
    });
    let mut sout = child.stdout.take().unwrap();
    let mut serr = child.stderr.take().unwrap();
    let out_reader = thread::spawn(move || {
        let mut v = Vec::new();
        let _ = sout.read_to_end(&mut v);
        v
    });
    let err_reader = thread::spawn(move || {
        let mut v = Vec::new();
        let _ = serr.read_to_end(&mut v);
        v
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait for child") {
            break st;
        }
        if Instant::now() > deadline {
            // Killed: reported through the exit status (137) and a note at the end of stderr,
            // so a comparison shows it as a difference instead of aborting the whole test.
            let _ = child.kill();
            let status = child.wait().expect("wait for killed child");
            let _ = writer.join();
            let stdout = out_reader.join().unwrap_or_default();
            let mut stderr = err_reader.join().unwrap_or_default();
            stderr.extend_from_slice(
                format!("\n[harness: killed after {timeout:?} timeout: {what}]\n").as_bytes(),
            );
            return Output {
                status,
                stdout,
                stderr,
            };
        }
        thread::sleep(Duration::from_millis(3));
    };
    let _ = writer.join();
    Output {
        status,
        stdout: out_reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
    }
}

fn tool_cmd(bin: PathBuf) -> Command {
    let mut cmd = Command::new(bin);
    cmd.env("HOME", empty_home())
        .env_remove("KCAT_CONFIG")
        .env_remove("KAFKACAT_CONFIG");
    cmd
}

/// A `Command` for the oracle: kcat with the current librdkafka.
pub fn kcat_cmd() -> Command {
    let mut cmd = tool_cmd(kcat_bin());
    cmd.env("LD_LIBRARY_PATH", peer_lib_dir());
    cmd
}

/// A `Command` for the binary under test.
pub fn kct_cmd() -> Command {
    tool_cmd(kct_bin())
}

pub fn kcat<S: AsRef<OsStr>>(args: &[S], stdin: &[u8]) -> Output {
    let mut cmd = kcat_cmd();
    cmd.args(args);
    run_cmd(cmd, stdin, TIMEOUT)
}

pub fn kct<S: AsRef<OsStr>>(args: &[S], stdin: &[u8]) -> Output {
    let mut cmd = kct_cmd();
    cmd.args(args);
    run_cmd(cmd, stdin, TIMEOUT)
}

/// Runs `bash -c script` (for pipelines such as `| head -1`) with `$KCAT` and `$KCT` set to a
/// complete command prefix for each tool.
pub fn sh(script: &str) -> Output {
    let mut cmd = Command::new("bash");
    cmd.arg("-c")
        .arg(script)
        .env("HOME", empty_home())
        .env_remove("KCAT_CONFIG")
        .env_remove("KAFKACAT_CONFIG")
        .env("KCAT_BIN", kcat_bin())
        .env("KCT_BIN", kct_bin())
        .env("PEER_LIB", peer_lib_dir());
    run_cmd(cmd, b"", TIMEOUT)
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or_else(|| {
        use std::os::unix::process::ExitStatusExt;
        128 + o.status.signal().unwrap_or(0)
    })
}

// ---------------------------------------------------------------------------------------------
// Comparing

/// Bytes shown with non-printables escaped.
pub fn show(b: &[u8]) -> String {
    b.escape_ascii().to_string()
}

fn show_tail(b: &[u8]) -> String {
    let start = b.len().saturating_sub(1500);
    String::from_utf8_lossy(&b[start..]).into_owned()
}

/// `None` if equal, else a description of the first difference.
pub fn first_difference(kcat: &[u8], kct: &[u8]) -> Option<String> {
    if kcat == kct {
        return None;
    }
    let at = kcat
        .iter()
        .zip(kct.iter())
        .position(|(a, b)| a != b)
        .unwrap_or(kcat.len().min(kct.len()));
    let from = at.saturating_sub(40);
    let to_a = (at + 60).min(kcat.len());
    let to_b = (at + 60).min(kct.len());
    Some(format!(
        "first difference at byte {at} (kcat {} bytes, kct {} bytes)\n  kcat: …{}…\n  kct : …{}…",
        kcat.len(),
        kct.len(),
        show(&kcat[from.min(kcat.len())..to_a]),
        show(&kct[from.min(kct.len())..to_b]),
    ))
}

fn describe_pair(args: &[String], kcat: &Output, kct: &Output) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "args: {}", args.join(" "));
    let _ = writeln!(s, "exit: kcat {} kct {}", code(kcat), code(kct));
    let _ = writeln!(s, "kcat stderr: {}", show_tail(&kcat.stderr).trim_end());
    let _ = writeln!(s, "kct stderr: {}", show_tail(&kct.stderr).trim_end());
    s
}

fn strings<S: AsRef<OsStr>>(args: &[S]) -> Vec<String> {
    args.iter()
        .map(|a| a.as_ref().to_string_lossy().into_owned())
        .collect()
}

/// Both tools' outputs for the same command.
pub struct Pair {
    pub args: Vec<String>,
    pub kcat: Output,
    pub kct: Output,
}

impl Pair {
    /// `None` when stdout bytes and exit code are identical.
    pub fn exact_mismatch(&self) -> Option<String> {
        let d = first_difference(&self.kcat.stdout, &self.kct.stdout);
        if d.is_none() && code(&self.kcat) == code(&self.kct) {
            return None;
        }
        Some(format!(
            "{}{}",
            describe_pair(&self.args, &self.kcat, &self.kct),
            d.map(|d| format!("stdout: {d}\n")).unwrap_or_default()
        ))
    }

    /// `None` when the sorted stdout lines and the exit code are identical.
    pub fn sorted_mismatch(&self) -> Option<String> {
        let a = sorted_lines(&self.kcat.stdout);
        let b = sorted_lines(&self.kct.stdout);
        if a == b && code(&self.kcat) == code(&self.kct) {
            return None;
        }
        let mut s = describe_pair(&self.args, &self.kcat, &self.kct);
        if a != b {
            let _ = writeln!(
                s,
                "sorted stdout lines differ (kcat {} lines, kct {} lines)",
                a.len(),
                b.len()
            );
            let only_a: Vec<_> = a.iter().filter(|l| !b.contains(l)).take(5).collect();
            let only_b: Vec<_> = b.iter().filter(|l| !a.contains(l)).take(5).collect();
            for l in only_a {
                let _ = writeln!(s, "  only kcat: {}", show(l));
            }
            for l in only_b {
                let _ = writeln!(s, "  only kct : {}", show(l));
            }
        }
        Some(s)
    }
}

pub fn sorted_lines(b: &[u8]) -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = b.split(|&c| c == b'\n').map(|l| l.to_vec()).collect();
    if v.last().is_some_and(|l| l.is_empty()) {
        v.pop();
    }
    v.sort();
    v
}

/// Runs the same command through kcat, then kct.
pub fn both<S: AsRef<OsStr>>(args: &[S], stdin: &[u8]) -> Pair {
    let kcat = kcat(args, stdin);
    let kct = kct(args, stdin);
    Pair {
        args: strings(args),
        kcat,
        kct,
    }
}

/// Asserts identical stdout bytes and exit code.
pub fn assert_same<S: AsRef<OsStr>>(args: &[S], stdin: &[u8]) -> Pair {
    let p = both(args, stdin);
    if let Some(m) = p.exact_mismatch() {
        panic!("kcat and kct differ\n{m}");
    }
    p
}

/// Asserts identical exit code and identical stdout lines after sorting (multi-partition reads).
pub fn assert_same_sorted<S: AsRef<OsStr>>(args: &[S], stdin: &[u8]) -> Pair {
    let p = both(args, stdin);
    if let Some(m) = p.sorted_mismatch() {
        panic!("kcat and kct differ\n{m}");
    }
    p
}

/// Collects mismatches over many cases, so one test reports all of them at once.
#[derive(Default)]
pub struct Checks {
    failures: Vec<String>,
    cases: usize,
    oracle_must_succeed: bool,
}

impl Checks {
    pub fn new() -> Checks {
        Checks::default()
    }

    /// Like `new`, and every kcat run must exit 0: the cases are meant to succeed, so two
    /// identical failures must not pass as "same".
    pub fn succeeding() -> Checks {
        Checks {
            oracle_must_succeed: true,
            ..Checks::default()
        }
    }

    fn oracle(&mut self, label: &str, p: &Pair) {
        if self.oracle_must_succeed && code(&p.kcat) != 0 {
            self.failures.push(format!(
                "[{label}] the oracle failed (exit {}), the case is wrong: {}\n{}",
                code(&p.kcat),
                p.args.join(" "),
                show_tail(&p.kcat.stderr)
            ));
        }
    }

    /// Same stdout bytes and exit code.
    pub fn same<S: AsRef<OsStr>>(&mut self, label: &str, args: &[S], stdin: &[u8]) -> Pair {
        self.cases += 1;
        let p = both(args, stdin);
        self.oracle(label, &p);
        if let Some(m) = p.exact_mismatch() {
            self.failures.push(format!("[{label}]\n{m}"));
        }
        p
    }

    /// Same sorted stdout lines and exit code.
    pub fn same_sorted<S: AsRef<OsStr>>(&mut self, label: &str, args: &[S], stdin: &[u8]) -> Pair {
        self.cases += 1;
        let p = both(args, stdin);
        self.oracle(label, &p);
        if let Some(m) = p.sorted_mismatch() {
            self.failures.push(format!("[{label}]\n{m}"));
        }
        p
    }

    /// Records a failure unless `ok`.
    pub fn check(&mut self, label: &str, ok: bool, detail: impl FnOnce() -> String) {
        self.cases += 1;
        if !ok {
            self.failures.push(format!("[{label}]\n{}", detail()));
        }
    }

    /// Records a kcat run of a case that must succeed (for callers that run the tools
    /// themselves).
    pub fn oracle_ok(&mut self, label: &str, kcat: &Output, args: &[String]) {
        let p = Pair {
            args: args.to_vec(),
            kcat: kcat.clone(),
            kct: kcat.clone(),
        };
        self.oracle(label, &p);
    }

    pub fn finish(self) {
        if !self.failures.is_empty() {
            panic!(
                "{} of {} cases differ:\n\n{}",
                self.failures.len(),
                self.cases,
                self.failures.join("\n")
            );
        }
    }
}

/// Consumer arguments: `-b BROKER -C -t TOPIC -e -X fetch.wait.max.ms=5` followed by `extra`.
pub fn consume_args(topic: &str, extra: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = ["-b", b(), "-C", "-t", topic, "-e"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    v.extend(FAST.iter().map(|s| s.to_string()));
    v.extend(extra.iter().map(|s| s.to_string()));
    v
}

/// Parses `-J` consumer output: one JSON object per line.
pub fn json_lines(b: &[u8]) -> Vec<serde_json::Value> {
    b.split(|&c| c == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| {
            serde_json::from_slice(l).unwrap_or_else(|e| panic!("not JSON ({e}): {}", show(l)))
        })
        .collect()
}

/// Parses one line of kcat -J output. kcat writes bytes that are not UTF-8 raw (invalid
/// JSON); such a line is read as Latin-1 instead, which keeps every byte distinguishable.
pub fn json_lenient(line: &[u8]) -> serde_json::Value {
    serde_json::from_slice(line).unwrap_or_else(|_| {
        let latin1: String = line.iter().map(|&c| c as char).collect();
        serde_json::from_str(&latin1)
            .unwrap_or_else(|e| panic!("not JSON even as Latin-1 ({e}): {}", show(line)))
    })
}

/// What kcat -J shows of a topic, normalised for comparing two topics written by two tools:
/// `topic` and `ts` dropped, sorted by partition and offset.
pub fn normalized_records(topic: &str) -> Vec<serde_json::Value> {
    let mut v = records_with_ts(topic);
    for r in &mut v {
        r.as_object_mut().unwrap().remove("ts");
    }
    v
}

/// kcat -J of `topic` (each line parsed leniently), `topic` dropped, sorted by partition and
/// offset; the timestamp is kept.
pub fn records_with_ts(topic: &str) -> Vec<serde_json::Value> {
    let out = kcat(&consume_args(topic, &["-J"]), b"");
    assert_eq!(
        code(&out),
        0,
        "kcat -J on {topic} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut v: Vec<serde_json::Value> = out
        .stdout
        .split(|&c| c == b'\n')
        .filter(|l| !l.is_empty())
        .map(json_lenient)
        .collect();
    for r in &mut v {
        r.as_object_mut().unwrap().remove("topic");
    }
    v.sort_by_key(|r| (r["partition"].as_i64(), r["offset"].as_i64()));
    v
}
