//! Secured workers for tests: certificates made with the `openssl` command line (a missing
//! `openssl` fails the test with how to install it), PEM keystores, the basic-auth JAAS and
//! credentials files of Connect's REST extension, and a worker process that the common harness
//! cannot wait for because it does not answer plain unauthenticated HTTP.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::kct_cmd;
use super::worker::Worker;

pub const BASIC_AUTH: &str =
    "org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension";

/// Runs `openssl` in `dir`; a missing `openssl` fails the test with how to install it.
pub fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run openssl ({e}); install it: sudo apt-get install openssl")
        });
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A self-signed certificate for 127.0.0.1 (an end-entity certificate: CA:FALSE, as rustls
/// wants) and its unencrypted key: `<name>.crt`, `<name>.key`.
pub fn self_signed(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let (crt, key) = (format!("{name}.crt"), format!("{name}.key"));
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &key,
            "-out",
            &crt,
            "-days",
            "2",
            "-subj",
            &format!("/CN={name}"),
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-addext",
            "basicConstraints=critical,CA:FALSE",
        ],
    );
    (dir.join(crt), dir.join(key))
}

/// The key and the certificate in one PEM file, as `ssl.keystore.location` wants.
pub fn pem_keystore(dir: &Path, crt: &Path, key: &Path) -> PathBuf {
    let ks = dir.join("keystore.pem");
    let text = read(key) + &read(crt);
    std::fs::write(&ks, text).unwrap();
    ks
}

pub fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A client that trusts `ca` only (no built-in roots), optionally with a client identity.
pub fn https_client(ca: &Path, identity: Option<(&Path, &Path)>) -> reqwest::blocking::Client {
    let ca = reqwest::Certificate::from_pem(read(ca).as_bytes()).unwrap();
    let mut b = reqwest::blocking::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(ca)
        .timeout(Duration::from_secs(10));
    if let Some((crt, key)) = identity {
        let pem = read(key) + &read(crt);
        b = b.identity(reqwest::Identity::from_pem(pem.as_bytes()).unwrap());
    }
    b.build().unwrap()
}

pub fn http_client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// A `kct worker` started from a prepared `Worker` directory, killed when dropped. The common
/// harness waits for plain unauthenticated HTTP, which a secured worker does not answer.
pub struct Running {
    child: Child,
    log: PathBuf,
}

impl Running {
    pub fn start(w: &Worker, env: &[(&str, &str)]) -> Running {
        let log = w.dir.join("worker.log");
        let mut cmd = kct_cmd();
        cmd.arg("worker")
            .arg(&w.worker_file)
            .current_dir(&w.dir)
            .env_remove("KAFKA_OPTS")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap());
        // SAFETY: prctl in the child before exec: the worker dies with the test process.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        Running {
            child: cmd.spawn().expect("spawn kct worker"),
            log,
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Repeats `send` until the worker answers at all (any status); fails if it exits.
    pub fn wait_answer(
        &mut self,
        send: impl Fn() -> reqwest::Result<reqwest::blocking::Response>,
    ) -> reqwest::blocking::Response {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let last = match send() {
                Ok(r) => return r,
                Err(e) => format!("{e:?}"),
            };
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("kct worker exited early with {status}:\n{}", self.log());
            }
            assert!(
                Instant::now() < deadline,
                "worker did not answer in 20 s (last error {last}):\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A JAAS file and a credentials file in Connect's documented shape; returns the JAAS path.
pub fn jaas_files(dir: &Path, credentials: &str) -> PathBuf {
    let creds = dir.join("credentials.properties");
    std::fs::write(&creds, credentials).unwrap();
    let jaas = dir.join("connect.jaas");
    std::fs::write(
        &jaas,
        format!(
            "KafkaConnect {{\n  org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule required\n  file=\"{}\";\n}};\n",
            creds.display()
        ),
    )
    .unwrap();
    jaas
}
