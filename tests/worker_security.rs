//! `kct worker` REST security against a real broker, over real TLS: HTTPS listeners from
//! Connect's PEM keystore keys (file and inline, `listeners.https.` and plain `ssl.*`), client
//! certificates, the refusal of Java keystores, and Connect's basic-auth REST extension with
//! its JAAS and credentials files (from the worker file and from `KAFKA_OPTS`).
//!
//! Certificates are made here with the `openssl` command line; without it the tests fail with
//! the command that installs it.

mod common;

use std::path::Path;
use std::process::Output;

use common::secure::*;
use common::worker::Worker;
use common::*;
use serde_json::Value;

fn https_url(w: &Worker, path: &str) -> String {
    format!("https://127.0.0.1:{}{path}", w.port)
}

fn json(r: reqwest::blocking::Response) -> (u16, Option<String>, Value) {
    let status = r.status().as_u16();
    let challenge = r
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_string());
    let text = r.text().unwrap();
    let v = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    (status, challenge, v)
}

/// `kct worker` that must refuse to start: its exit code and stderr.
fn start_fails(w: &Worker, env: &[(&str, &str)]) -> (i32, String) {
    let mut cmd = kct_cmd();
    cmd.arg("worker")
        .arg(&w.worker_file)
        .current_dir(&w.dir)
        .env_remove("KAFKA_OPTS")
        .envs(env.iter().copied());
    let out: Output = run_cmd(cmd, b"", TIMEOUT);
    (
        code(&out),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn https_listener_with_a_pem_keystore_file() {
    let w = Worker::prepare("");
    let (crt, key) = self_signed(&w.dir, "server");
    let ks = pem_keystore(&w.dir, &crt, &key);
    let extra = format!(
        "listeners=https://127.0.0.1:{}\n\
         listeners.https.ssl.keystore.type=PEM\n\
         listeners.https.ssl.keystore.location={}\n",
        w.port,
        ks.display()
    );
    std::fs::write(&w.worker_file, read(&w.worker_file) + &extra).unwrap();
    let mut run = Running::start(&w, &[]);
    let client = https_client(&crt, None);
    let r = run.wait_answer(|| client.get(https_url(&w, "/")).send());
    let (status, _, root) = json(r);
    assert_eq!(status, 200, "{root}");
    assert!(root["version"].is_string(), "{root}");
    let log = run.log();
    assert!(
        log.contains(&format!(
            "REST API listening on https://127.0.0.1:{}",
            w.port
        )),
        "{log}"
    );
    assert!(
        log.contains(&format!("worker id 127.0.0.1:{}", w.port)),
        "{log}"
    );

    // Plain HTTP on the TLS port gets no REST answer.
    let plain = http_client()
        .get(format!("http://127.0.0.1:{}/", w.port))
        .send();
    assert!(
        plain.as_ref().map_or(true, |r| !r.status().is_success()),
        "plain HTTP was answered: {plain:?}"
    );
    // A client that does not trust this certificate fails the handshake.
    let (other, _) = self_signed(&w.dir, "other");
    let untrusted = https_client(&other, None).get(https_url(&w, "/")).send();
    assert!(untrusted.is_err(), "{untrusted:?}");
    // The REST API works as over HTTP.
    let (status, _, names) = json(client.get(https_url(&w, "/connectors")).send().unwrap());
    assert_eq!((status, names), (200, serde_json::json!([])));
}

#[test]
fn client_certificates_when_required() {
    let w = Worker::prepare("");
    let (crt, key) = self_signed(&w.dir, "server");
    let (client_crt, client_key) = self_signed(&w.dir, "client");
    let ks = pem_keystore(&w.dir, &crt, &key);
    let extra = format!(
        "listeners=https://127.0.0.1:{}\n\
         ssl.keystore.type=PEM\nssl.keystore.location={}\n\
         ssl.client.auth=required\n\
         ssl.truststore.type=PEM\nssl.truststore.location={}\n",
        w.port,
        ks.display(),
        client_crt.display()
    );
    std::fs::write(&w.worker_file, read(&w.worker_file) + &extra).unwrap();
    let mut run = Running::start(&w, &[]);
    let with_cert = https_client(&crt, Some((&client_crt, &client_key)));
    let r = run.wait_answer(|| with_cert.get(https_url(&w, "/")).send());
    assert_eq!(r.status().as_u16(), 200);
    let without = https_client(&crt, None).get(https_url(&w, "/")).send();
    assert!(
        without.is_err(),
        "answered without a client certificate: {without:?}"
    );
    // A certificate the truststore does not hold is refused too.
    let (stranger_crt, stranger_key) = self_signed(&w.dir, "stranger");
    let stranger = https_client(&crt, Some((&stranger_crt, &stranger_key)))
        .get(https_url(&w, "/"))
        .send();
    assert!(
        stranger.is_err(),
        "answered a stranger's certificate: {stranger:?}"
    );
}

#[test]
fn java_keystores_and_missing_keystores_stop_the_worker() {
    let w = Worker::prepare("");
    let jks = w.dir.join("keystore.jks");
    std::fs::write(&jks, b"\xfe\xed\xfe\xed").unwrap();
    let base = read(&w.worker_file);
    let extra = format!(
        "listeners=https://127.0.0.1:{}\nssl.keystore.type=JKS\nssl.keystore.location={}\nssl.keystore.password=changeit\n",
        w.port,
        jks.display()
    );
    std::fs::write(&w.worker_file, base.clone() + &extra).unwrap();
    let (code, err) = start_fails(&w, &[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err}");
    for part in [
        w.worker_file.to_str().unwrap(),
        &format!("ssl.keystore.location={}", jks.display()),
        "ssl.keystore.type=JKS",
        "openssl pkcs12 -in ks.p12 -nodes -out ks.pem",
        "set ssl.keystore.type=PEM",
    ] {
        assert!(err.contains(part), "{part:?} missing from: {err}");
    }
    assert!(!err.contains("changeit"), "{err}");

    let https_only = format!("listeners=https://127.0.0.1:{}\n", w.port);
    std::fs::write(&w.worker_file, base.clone() + &https_only).unwrap();
    let (code, err) = start_fails(&w, &[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err}");
    assert!(
        err.contains("needs a keystore") && err.contains("ssl.keystore.location"),
        "{err}"
    );

    let missing = w.dir.join("nowhere.pem");
    let extra = format!(
        "listeners=https://127.0.0.1:{}\nssl.keystore.type=PEM\nssl.keystore.location={}\n",
        w.port,
        missing.display()
    );
    std::fs::write(&w.worker_file, base + &extra).unwrap();
    let (code, err) = start_fails(&w, &[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err}");
    assert!(
        err.contains(&format!("ssl.keystore.location={}", missing.display())),
        "{err}"
    );
}

#[test]
fn basic_auth_from_the_worker_file() {
    let w = Worker::prepare("");
    let jaas = jaas_files(&w.dir, "# users\nalice: s3cret\nbob=builder\n");
    let extra = format!(
        "rest.extension.classes={BASIC_AUTH}\nrest.basic.auth.jaas.config.file={}\n",
        jaas.display()
    );
    std::fs::write(&w.worker_file, read(&w.worker_file) + &extra).unwrap();
    let mut run = Running::start(&w, &[]);
    let client = http_client();
    let url = format!("{}/connectors", w.url);

    let (status, challenge, body) = json(run.wait_answer(|| client.get(&url).send()));
    assert_eq!(status, 401, "{body}");
    assert_eq!(challenge.as_deref(), Some("Basic realm=\"kct\""));
    assert_eq!(body["error_code"], 401, "{body}");
    assert!(body["message"].is_string(), "{body}");
    assert_eq!(body.as_object().unwrap().len(), 2, "{body}");

    let wrong = client
        .get(&url)
        .basic_auth("alice", Some("guess"))
        .send()
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 401);
    let nobody = client
        .get(&url)
        .basic_auth("mallory", Some("s3cret"))
        .send()
        .unwrap();
    assert_eq!(nobody.status().as_u16(), 401);
    let post = client.post(&url).body("{}").send().unwrap();
    assert_eq!(post.status().as_u16(), 401);

    for (user, password) in [("alice", "s3cret"), ("bob", "builder")] {
        let r = client
            .get(&url)
            .basic_auth(user, Some(password))
            .send()
            .unwrap();
        let (status, _, names) = json(r);
        assert_eq!((status, names), (200, serde_json::json!([])), "{user}");
    }
    let log = run.log();
    assert!(log.contains("basic auth: 2 user(s)"), "{log}");
    assert!(!log.contains("s3cret") && !log.contains("builder"), "{log}");
}

#[test]
fn basic_auth_file_mistakes_stop_the_worker() {
    let w = Worker::prepare("");
    let base = read(&w.worker_file) + &format!("rest.extension.classes={BASIC_AUTH}\n");
    std::fs::write(&w.worker_file, &base).unwrap();
    let (code, err) = start_fails(&w, &[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("-Djava.security.auth.login.config="), "{err}");

    let missing = w.dir.join("missing.jaas");
    let opts = format!(
        "-Xmx256m -Djava.security.auth.login.config={}",
        missing.display()
    );
    let (code, err) = start_fails(&w, &[("KAFKA_OPTS", &opts)]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err}");
    assert!(
        err.contains(&format!("JAAS file {}", missing.display())),
        "{err}"
    );

    let jaas = jaas_files(&w.dir, "");
    std::fs::remove_file(w.dir.join("credentials.properties")).unwrap();
    let opts = format!("-Djava.security.auth.login.config={}", jaas.display());
    let (code, err) = start_fails(&w, &[("KAFKA_OPTS", &opts)]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err}");
    let creds = w.dir.join("credentials.properties");
    assert!(
        err.contains(&format!("credentials file {}", creds.display())),
        "{err}"
    );
}

#[test]
fn https_and_basic_auth_together_from_kafka_opts_and_inline_pem() {
    let w = Worker::prepare("");
    let (crt, key) = self_signed(&w.dir, "server");
    // Inline PEM with `\` continuations, as Kafka's docs write it: one line per property.
    let inline = |p: &Path| read(p).trim_end().replace('\n', " \\\n  ");
    let extra = format!(
        "listeners=https://127.0.0.1:{}\n\
         ssl.keystore.type=PEM\n\
         ssl.keystore.key={}\n\
         ssl.keystore.certificate.chain={}\n\
         rest.extension.classes={BASIC_AUTH}\n",
        w.port,
        inline(&key),
        inline(&crt)
    );
    std::fs::write(&w.worker_file, read(&w.worker_file) + &extra).unwrap();
    let jaas = jaas_files(&w.dir, "admin: pa55 word\n");
    let opts = format!(
        "-Xms64m -Djava.security.auth.login.config={}",
        jaas.display()
    );
    let mut run = Running::start(&w, &[("KAFKA_OPTS", &opts)]);
    let client = https_client(&crt, None);
    let (status, challenge, body) = json(run.wait_answer(|| client.get(https_url(&w, "/")).send()));
    assert_eq!(
        (status, challenge.as_deref()),
        (401, Some("Basic realm=\"kct\"")),
        "{body}"
    );
    assert_eq!(body["error_code"], 401, "{body}");
    let wrong = client
        .get(https_url(&w, "/"))
        .basic_auth("admin", Some("pa55"))
        .send()
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 401);
    let r = client
        .get(https_url(&w, "/"))
        .basic_auth("admin", Some("pa55 word"))
        .send()
        .unwrap();
    let (status, _, root) = json(r);
    assert_eq!(status, 200, "{root}");
    assert!(root["version"].is_string(), "{root}");
    let plain = http_client()
        .get(format!("http://127.0.0.1:{}/", w.port))
        .basic_auth("admin", Some("pa55 word"))
        .send();
    assert!(
        plain.as_ref().map_or(true, |r| !r.status().is_success()),
        "plain HTTP was answered: {plain:?}"
    );
}
