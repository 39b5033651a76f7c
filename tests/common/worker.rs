//! A `kct worker` process for tests: its own port, offsets file and working directory, killed
//! with the test process; REST calls over real HTTP.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{b, code, free_port, kct_bin, kct_cmd, run_cmd, scratch_dir, show, unique_topic};

pub struct Worker {
    child: Option<Child>,
    pub url: String,
    pub port: u16,
    pub dir: PathBuf,
    pub worker_file: PathBuf,
    http: reqwest::blocking::Client,
}

/// The sample `connect-standalone.properties` of Apache Kafka, pointed at the test broker and
/// a private port and offsets file.
pub fn worker_properties(dir: &Path, port: u16, extra: &str) -> String {
    format!(
        "bootstrap.servers={}\n\
         key.converter=org.apache.kafka.connect.json.JsonConverter\n\
         value.converter=org.apache.kafka.connect.json.JsonConverter\n\
         key.converter.schemas.enable=true\n\
         value.converter.schemas.enable=true\n\
         offset.storage.file.filename={}\n\
         offset.flush.interval.ms=500\n\
         listeners=http://127.0.0.1:{port}\n\
         consumer.fetch.wait.max.ms=5\n\
         {extra}\n",
        b(),
        dir.join("connect.offsets").display()
    )
}

impl Worker {
    /// A fresh directory with a worker file; the worker is not started yet.
    pub fn prepare(extra: &str) -> Worker {
        let dir = scratch_dir().join(unique_topic("worker"));
        std::fs::create_dir_all(&dir).expect("worker dir");
        let port = free_port();
        let worker_file = dir.join("connect-standalone.properties");
        std::fs::write(&worker_file, worker_properties(&dir, port, extra)).expect("worker file");
        Worker {
            child: None,
            url: format!("http://127.0.0.1:{port}"),
            port,
            dir,
            worker_file,
            http: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("http client"),
        }
    }

    /// Starts a worker with `connector_files` and waits until its REST API answers.
    pub fn start(extra: &str, connector_files: &[PathBuf]) -> Worker {
        let mut w = Worker::prepare(extra);
        w.launch(connector_files);
        w
    }

    /// Starts the worker and waits until kct itself answers on its port. The port came from
    /// `free_port`, so another test may have bound it in between: then the worker file moves
    /// to a new port and the worker is started again.
    pub fn launch(&mut self, connector_files: &[PathBuf]) {
        for _ in 0..3 {
            match self.try_launch(connector_files) {
                Launch::Up => return,
                Launch::PortTaken => self.move_to_new_port(),
            }
        }
        panic!("kct worker: no free port after 3 tries:\n{}", self.log());
    }

    fn try_launch(&mut self, connector_files: &[PathBuf]) -> Launch {
        let mut cmd = Command::new(kct_bin());
        cmd.arg("worker")
            .arg(&self.worker_file)
            .args(connector_files)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(self.dir.join("worker.out")).expect("log"))
            .stderr(std::fs::File::create(self.dir.join("worker.log")).expect("log"));
        // SAFETY: prctl in the child before exec: the worker dies with the test process.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        self.child = Some(cmd.spawn().expect("spawn kct worker"));
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                self.child = None;
                let log = self.log();
                if log.contains("Address already in use") {
                    return Launch::PortTaken;
                }
                panic!("kct worker exited early with {status}:\n{log}");
            }
            if self.kct_answers() {
                return Launch::Up;
            }
            assert!(
                Instant::now() < deadline,
                "worker REST API did not answer in 20 s:\n{}",
                self.log()
            );
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Whether `GET /` answers with kct's version (not another test's server on this port).
    fn kct_answers(&self) -> bool {
        let Ok(r) = self.http.get(&self.url).send() else {
            return false;
        };
        r.status().is_success()
            && r.json::<Value>()
                .is_ok_and(|v| v["version"].as_str().is_some_and(|s| s.contains("-kct-")))
    }

    fn move_to_new_port(&mut self) {
        let port = free_port();
        let text = std::fs::read_to_string(&self.worker_file).expect("worker file");
        let text = text.replace(
            &format!("127.0.0.1:{}", self.port),
            &format!("127.0.0.1:{port}"),
        );
        std::fs::write(&self.worker_file, text).expect("worker file");
        self.port = port;
        self.url = format!("http://127.0.0.1:{port}");
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("worker.log")).unwrap_or_default()
    }

    /// A request; answers (status, JSON body or Null when empty).
    pub fn call(&self, method: &str, path: &str, body: Option<&str>) -> (u16, Value) {
        let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self.http.request(m, format!("{}{path}", self.url));
        if let Some(b) = body {
            req = req
                .header("Content-Type", "application/json")
                .body(b.to_string());
        }
        let r = req
            .send()
            .unwrap_or_else(|e| panic!("{method} {path}: {e}\n{}", self.log()));
        let status = r.status().as_u16();
        let text = r.text().expect("body");
        let v = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{method} {path}: not JSON ({e}): {text}"))
        };
        (status, v)
    }

    /// Creates connector `name` with `PUT /connectors/{name}/config`; anything but 201 fails
    /// the test with the answer.
    pub fn create(&self, name: &str, config: &Value) {
        let path = format!("/connectors/{name}/config");
        let (code, body) = self.call("PUT", &path, Some(&config.to_string()));
        assert_eq!(code, 201, "PUT {path}: {body}");
    }

    pub fn get(&self, path: &str) -> (u16, Value) {
        self.call("GET", path, None)
    }

    /// Polls `GET path` until `check` holds, or fails after `secs` with the last answer.
    pub fn wait_for(&self, path: &str, secs: u64, check: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let (code, v) = self.get(path);
            if code == 200 && check(&v) {
                return v;
            }
            assert!(
                Instant::now() < deadline,
                "GET {path} never satisfied the check; last answer {code} {v}\n{}",
                self.log()
            );
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGTERM, and the exit status (within 20 s).
    pub fn stop(&mut self) -> ExitStatus {
        let mut child = self.child.take().expect("worker running");
        // SAFETY: plain kill(2) of our child.
        unsafe {
            libc::kill(child.id() as i32, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(s) = child.try_wait().expect("wait") {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "worker did not stop within 20 s of SIGTERM:\n{}",
                self.log()
            );
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGKILL: a crash.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

enum Launch {
    Up,
    PortTaken,
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// The lines kct's kcat mode prints for every record of `topic` with format `-f FORMAT`
/// (`-Z` for NULL); none while the topic does not exist yet (a source creates its topic with
/// its first record).
pub fn topic_lines(topic: &str, format: &str) -> Vec<String> {
    let args = [
        "-b",
        b(),
        "-t",
        topic,
        "-C",
        "-e",
        "-q",
        "-Z",
        "-X",
        "fetch.wait.max.ms=5",
        "-f",
        format,
    ];
    // A whole topic may hold a million records: reading it gets more than one run's timeout.
    let mut cmd = kct_cmd();
    cmd.args(args);
    let o = run_cmd(cmd, b"", Duration::from_secs(180));
    if String::from_utf8_lossy(&o.stderr).contains("Unknown topic or partition") {
        return Vec::new();
    }
    assert_eq!(code(&o), 0, "{}", show(&o.stderr));
    String::from_utf8(o.stdout)
        .expect("UTF-8 records")
        .lines()
        .map(str::to_string)
        .collect()
}
