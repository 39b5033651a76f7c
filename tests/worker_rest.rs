//! `kct worker` against a real broker over real HTTP: the seeds' curl sessions (FileStream
//! source and sink, pause/resume, delete), the sample property files of `connect-standalone.sh`,
//! offsets across a restart, and Connect's status codes and error bodies.

mod common;

use std::path::PathBuf;

use common::worker::{topic_lines, Worker};
use common::*;
use serde_json::{json, Value};

fn write(dir: &std::path::Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Values of a topic's records (none while it does not exist).
fn topic_values(topic: &str) -> Vec<String> {
    topic_lines(topic, "%s\n")
}

fn envelope(line: &str) -> String {
    json!({"schema": {"type": "string", "optional": false}, "payload": line}).to_string()
}

#[test]
fn file_source_session_as_in_the_quickstart() {
    let w = Worker::start("", &[]);
    let topic = unique_topic("connect-test");
    let input = write(&w.dir, "test.txt", "foo\nbar\n");
    let body = json!({"name": "local-file-source", "config": {
        "connector.class": "FileStreamSource", "tasks.max": "1",
        "file": input.to_str().unwrap(), "topic": topic}});
    let (code, info) = w.call("POST", "/connectors", Some(&body.to_string()));
    assert_eq!(code, 201, "{info}");
    assert_eq!(info["name"], "local-file-source");
    assert_eq!(info["type"], "source");
    assert_eq!(info["config"]["name"], "local-file-source");

    let status = w.wait_for("/connectors/local-file-source/status", 20, |s| {
        s["tasks"][0]["state"] == "RUNNING"
    });
    assert_eq!(status["connector"]["state"], "RUNNING");
    assert_eq!(
        status["connector"]["worker_id"],
        format!("127.0.0.1:{}", w.port)
    );
    assert!(status["connector"].get("trace").is_none());

    wait_until(20, "two records", || topic_values(&topic).len() == 2);
    assert_eq!(topic_values(&topic), [envelope("foo"), envelope("bar")]);

    let (code, names) = w.get("/connectors");
    assert_eq!((code, names), (200, json!(["local-file-source"])));
    let (_, tasks) = w.get("/connectors/local-file-source/tasks");
    assert_eq!(
        tasks[0]["id"],
        json!({"connector": "local-file-source", "task": 0})
    );
    assert_eq!(
        tasks[0]["config"]["task.class"],
        "org.apache.kafka.connect.file.FileStreamSourceTask"
    );
    let (_, topics) = w.get("/connectors/local-file-source/topics");
    assert_eq!(topics, json!({"local-file-source": {"topics": [topic]}}));
    let (_, expanded) = w.get("/connectors?expand=status&expand=info");
    assert_eq!(
        expanded["local-file-source"]["status"]["connector"]["state"],
        "RUNNING"
    );
    assert_eq!(expanded["local-file-source"]["info"]["type"], "source");

    // Offsets: {"filename":…} → {"position": bytes after the last line}.
    wait_until(20, "committed offsets", || {
        w.get("/connectors/local-file-source/offsets").1["offsets"][0]["offset"]["position"] == 8
    });
    let (_, offsets) = w.get("/connectors/local-file-source/offsets");
    assert_eq!(
        offsets["offsets"][0]["partition"],
        json!({"filename": input.to_str().unwrap()})
    );

    let (code, body) = w.call("DELETE", "/connectors/local-file-source", None);
    assert_eq!((code, body), (204, Value::Null));
    let (code, body) = w.get("/connectors/local-file-source");
    assert_eq!(code, 404);
    assert_eq!(
        body,
        json!({"error_code": 404, "message": "Connector local-file-source not found"})
    );
    assert_eq!(w.get("/connectors").1, json!([]));
}

#[test]
fn file_sink_copies_the_source_and_pause_resume_work() {
    let w = Worker::start("", &[]);
    let topic = new_topic("copy", 1);
    let lines: Vec<String> = (0..500).map(|i| format!("line {i}")).collect();
    let input = write(&w.dir, "in.txt", &(lines.join("\n") + "\n"));
    let output = w.dir.join("out.txt");
    let src = json!({"connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
        "file": input.to_str().unwrap(), "topic": topic});
    w.create("src", &src);
    let sink = json!({"connector.class": "FileStreamSink", "tasks.max": "1",
        "file": output.to_str().unwrap(), "topics": topic});
    w.create("sink", &sink);
    wait_until(30, "the copy", || {
        std::fs::read_to_string(&output)
            .map(|s| s.lines().count())
            .unwrap_or(0)
            >= lines.len()
    });
    assert_eq!(
        std::fs::read_to_string(&output).unwrap(),
        lines.join("\n") + "\n"
    );

    assert_eq!(
        w.call("PUT", "/connectors/sink/pause", None),
        (202, Value::Null)
    );
    let s = w.wait_for("/connectors/sink/status", 10, |s| {
        s["tasks"][0]["state"] == "PAUSED"
    });
    assert_eq!(s["connector"]["state"], "PAUSED");
    assert_eq!(
        w.call("PUT", "/connectors/sink/resume", None),
        (202, Value::Null)
    );
    w.wait_for("/connectors/sink/status", 10, |s| {
        s["connector"]["state"] == "RUNNING" && s["tasks"][0]["state"] == "RUNNING"
    });

    // The sink's offsets are its consumer group's.
    let o = w.wait_for("/connectors/sink/offsets", 20, |o| {
        o["offsets"][0]["offset"]["kafka_offset"] == 500
    });
    assert_eq!(
        o["offsets"][0]["partition"],
        json!({"kafka_topic": topic, "kafka_partition": 0})
    );

    // Updating a config answers 200 (not 201) and restarts the tasks.
    let (code, info) = w.call("PUT", "/connectors/sink/config", Some(&sink.to_string()));
    assert_eq!((code, info["name"].clone()), (200, json!("sink")));

    // A `null` offset sends the partition back to where the consumer starts without one: the
    // beginning, or the end for a consumer with auto.offset.reset=latest.
    let forget = json!({"offsets": [{"partition": {"kafka_topic": topic, "kafka_partition": 0}, "offset": null}]}).to_string();
    assert_eq!(w.call("PUT", "/connectors/sink/stop", None).0, 204);
    w.wait_for("/connectors/sink/status", 10, |s| {
        s["connector"]["state"] == "STOPPED"
    });
    let (code, body) = w.call("PATCH", "/connectors/sink/offsets", Some(&forget));
    assert_eq!(code, 200, "{body}");
    assert_eq!(
        w.get("/connectors/sink/offsets").1["offsets"][0]["offset"],
        json!({"kafka_offset": 0})
    );
    let late = json!({"name": "late", "initial_state": "STOPPED", "config": {
        "connector.class": "FileStreamSink", "file": w.dir.join("late.txt").to_str().unwrap(),
        "topics": topic, "consumer.override.auto.offset.reset": "latest"}});
    assert_eq!(
        w.call("POST", "/connectors", Some(&late.to_string())).0,
        201
    );
    let (code, body) = w.call("PATCH", "/connectors/late/offsets", Some(&forget));
    assert_eq!(code, 200, "{body}");
    assert_eq!(
        w.get("/connectors/late/offsets").1["offsets"][0]["offset"],
        json!({"kafka_offset": 500})
    );
}

#[test]
fn sample_property_files_and_offsets_across_a_restart() {
    let mut w = Worker::prepare("");
    let topic = new_topic("standalone", 1);
    let input = write(&w.dir, "test.txt", "a\nb\nc\n");
    let source = write(
        &w.dir,
        "connect-file-source.properties",
        &format!("name=local-file-source\nconnector.class=FileStreamSource\ntasks.max=1\nfile={}\ntopic={topic}\n", input.display()),
    );
    w.launch(std::slice::from_ref(&source));
    w.wait_for("/connectors/local-file-source/status", 20, |s| {
        s["tasks"][0]["state"] == "RUNNING"
    });
    wait_until(20, "three records", || topic_values(&topic).len() == 3);
    assert!(w.stop().success(), "{}", w.log());
    // The offsets file is Java's: a serialized HashMap starting with the stream magic.
    let file = std::fs::read(w.dir.join("connect.offsets")).unwrap();
    assert_eq!(&file[..4], &[0xac, 0xed, 0x00, 0x05]);

    std::fs::write(&input, "a\nb\nc\nd\n").unwrap();
    w.launch(&[source]);
    wait_until(20, "the fourth record", || topic_values(&topic).len() >= 4);
    std::thread::sleep(std::time::Duration::from_millis(700));
    let values = topic_values(&topic);
    assert_eq!(
        values,
        ["a", "b", "c", "d"].map(envelope),
        "no line twice after a graceful restart"
    );
    assert!(w.stop().success());
}

#[test]
fn errors_have_connects_codes_and_shapes() {
    let w = Worker::start("", &[]);
    let topic = new_topic("errors", 1);
    let (code, body) = w.call("POST", "/connectors", Some("{not json"));
    assert_eq!(code, 500);
    assert_eq!(body["error_code"], 500);

    let (code, body) = w.call(
        "POST",
        "/connectors",
        Some(r#"{"name":"x","config":{"connector.class":"com.example.Nope"}}"#),
    );
    assert_eq!(code, 400, "{body}");
    assert!(body["message"].as_str().unwrap().contains("Failed to find any class that implements Connector and which name matches com.example.Nope"));

    let (code, body) = w.call(
        "POST",
        "/connectors",
        Some(r#"{"name":"x","config":{"connector.class":"FileStreamSource"}}"#),
    );
    assert_eq!(code, 400);
    assert_eq!(
        body["message"],
        "Connector configuration is invalid and contains the following 1 error(s):\nMissing required configuration \"topic\" which has no default value.\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`"
    );

    let (code, body) = w.call(
        "PUT",
        "/connectors/a/config",
        Some(r#"{"name":"b","connector.class":"FileStreamSink","topics":"t"}"#),
    );
    assert_eq!(code, 400);
    assert_eq!(
        body["message"],
        "Connector name configuration (b) doesn't match connector name in the URL (a)"
    );

    let ok = json!({"name": "dup", "config": {"connector.class": "FileStreamSink", "topics": topic, "file": w.dir.join("dup.txt").to_str().unwrap()}});
    assert_eq!(w.call("POST", "/connectors", Some(&ok.to_string())).0, 201);
    let (code, body) = w.call("POST", "/connectors", Some(&ok.to_string()));
    assert_eq!(
        (code, body["message"].clone()),
        (409, json!("Connector dup already exists"))
    );

    // Offsets may only change while the connector is STOPPED.
    let patch = json!({"offsets": [{"partition": {"kafka_topic": topic, "kafka_partition": 0}, "offset": {"kafka_offset": 0}}]});
    let (code, body) = w.call("PATCH", "/connectors/dup/offsets", Some(&patch.to_string()));
    assert_eq!(code, 400);
    assert!(body["message"]
        .as_str()
        .unwrap()
        .starts_with("Connectors must be in the STOPPED state"));
    assert_eq!(
        w.call("PUT", "/connectors/dup/stop", None),
        (204, Value::Null)
    );
    let s = w.wait_for("/connectors/dup/status", 10, |s| {
        s["connector"]["state"] == "STOPPED"
    });
    assert_eq!(s["tasks"], json!([]));
    let (code, body) = w.call("PATCH", "/connectors/dup/offsets", Some(&patch.to_string()));
    assert_eq!(code, 200, "{body}");
    let (code, _) = w.call(
        "PATCH",
        "/connectors/dup/offsets",
        Some(r#"{"offsets":[]}"#),
    );
    assert_eq!(code, 400);
    let (code, body) = w.call("DELETE", "/connectors/dup/offsets", None);
    assert_eq!(code, 200, "{body}");

    for (method, path) in [
        ("GET", "/connectors/nope/status"),
        ("PUT", "/connectors/nope/pause"),
        ("POST", "/connectors/nope/restart"),
        ("POST", "/connectors/nope/tasks/0/restart"),
        ("DELETE", "/connectors/nope"),
        ("GET", "/connector-plugins/Nope/config"),
    ] {
        let (code, body) = w.call(method, path, None);
        assert_eq!(code, 404, "{method} {path}: {body}");
        assert_eq!(body["error_code"], 404);
    }
    // The worker still serves after all of that.
    assert_eq!(w.get("/").0, 200);
}

#[test]
fn plugins_validate_root_and_loggers() {
    let w = Worker::start("", &[]);
    let (_, root) = w.get("/");
    assert!(root["version"].is_string() && root["commit"].is_string());
    let (code, health) = w.get("/health");
    assert_eq!((code, health["status"].clone()), (200, json!("healthy")));
    let (_, plugins) = w.get("/connector-plugins");
    let classes: Vec<&str> = plugins
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["class"].as_str().unwrap())
        .collect();
    assert!(classes.contains(&"org.apache.kafka.connect.file.FileStreamSourceConnector"));
    assert!(plugins
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["type"] == "source" || p["type"] == "sink"));
    let (_, all) = w.get("/connector-plugins?connectorsOnly=false");
    assert!(all
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["type"] == "converter"));

    let (code, keys) = w.get("/connector-plugins/FileStreamSource/config");
    assert_eq!(code, 200);
    let topic = keys
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == "topic")
        .unwrap();
    assert_eq!(topic["required"], true);
    assert_eq!(topic["type"], "STRING");

    let (code, v) = w.call(
        "PUT",
        "/connector-plugins/FileStreamSource/config/validate",
        Some(r#"{"connector.class":"FileStreamSource","name":"x"}"#),
    );
    assert_eq!(code, 200);
    assert_eq!(v["name"], "FileStreamSource");
    assert_eq!(v["error_count"], 1);
    assert_eq!(v["groups"][0], "Common");
    let (code, v) = w.call(
        "PUT",
        "/connector-plugins/FileStreamSink/config/validate",
        Some(r#"{"connector.class":"FileStreamSource"}"#),
    );
    assert_eq!(code, 400, "{v}");
    let (code, _) = w.call(
        "PUT",
        "/connector-plugins/FileStreamSink/config/validate",
        Some(r#"{"name":"x"}"#),
    );
    assert_eq!(code, 400);

    let (_, loggers) = w.get("/admin/loggers");
    assert_eq!(
        loggers["root"],
        json!({"level": "INFO", "last_modified": null})
    );
    let (code, changed) = w.call(
        "PUT",
        "/admin/loggers/org.apache.kafka.connect",
        Some(r#"{"level":"DEBUG"}"#),
    );
    assert_eq!(code, 200);
    assert!(changed
        .as_array()
        .unwrap()
        .contains(&json!("org.apache.kafka.connect")));
    let (_, l) = w.get("/admin/loggers/org.apache.kafka.connect.runtime");
    assert_eq!(l["level"], "DEBUG");
    let (code, _) = w.call(
        "PUT",
        "/admin/loggers/org.apache.kafka.connect",
        Some(r#"{"level":"LOUD"}"#),
    );
    assert_eq!(code, 404);
    let (code, _) = w.call(
        "PUT",
        "/admin/loggers/x?scope=cluster",
        Some(r#"{"level":"WARN"}"#),
    );
    assert_eq!(code, 204);
}

#[test]
fn bad_worker_and_connector_files_are_one_line_errors() {
    let dir = scratch_dir().join(unique_topic("badfiles"));
    std::fs::create_dir_all(&dir).unwrap();
    let worker = write(&dir, "w.properties", "offset.flush.interval.ms=soon\n");
    let o = run_cmd(
        {
            let mut c = std::process::Command::new(kct_bin());
            c.arg("worker").arg(&worker);
            c
        },
        b"",
        TIMEOUT,
    );
    assert_eq!(code(&o), 1);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("w.properties: offset.flush.interval.ms=soon is not a number"),
        "{err}"
    );

    let good = write(
        &dir,
        "ok.properties",
        &common::worker::worker_properties(&dir, free_port(), ""),
    );
    let conn = write(&dir, "c.properties", "connector.class=FileStreamSource\n");
    let mut c = std::process::Command::new(kct_bin());
    c.arg("worker").arg(&good).arg(&conn);
    let o = run_cmd(c, b"", TIMEOUT);
    assert_eq!(code(&o), 1);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("c.properties: connector configuration has no 'name'"),
        "{err}"
    );
}

#[test]
fn transformations_shape_records_and_bad_ones_are_reported() {
    let w = Worker::start("", &[]);
    let topic = new_topic("smt-in", 1);
    let routed = format!("{topic}-routed");
    create_topic(&routed, 1, &[]);
    let input = write(&w.dir, "smt.txt", "one\ntwo\n");
    let cfg = json!({
        "connector.class": "FileStreamSource", "file": input.to_str().unwrap(), "topic": topic,
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter.schemas.enable": "false",
        "transforms": "hoist,insert,route",
        "transforms.hoist.type": "org.apache.kafka.connect.transforms.HoistField$Value",
        "transforms.hoist.field": "line",
        "transforms.insert.type": "org.apache.kafka.connect.transforms.InsertField$Value",
        "transforms.insert.static.field": "origin",
        "transforms.insert.static.value": "kct",
        "transforms.route.type": "org.apache.kafka.connect.transforms.RegexRouter",
        "transforms.route.regex": "(.*)",
        "transforms.route.replacement": "$1-routed",
    });
    w.create("smt", &cfg);
    wait_until(20, "two routed records", || {
        topic_values(&routed).len() == 2
    });
    assert_eq!(
        topic_values(&routed),
        [
            r#"{"line":"one","origin":"kct"}"#,
            r#"{"line":"two","origin":"kct"}"#
        ]
    );
    assert!(topic_values(&topic).is_empty());

    let bad = json!({"connector.class": "FileStreamSource", "name": "x", "topic": "t",
        "transforms": "c", "transforms.c.type": "org.apache.kafka.connect.transforms.Nope"});
    let (code, v) = w.call(
        "PUT",
        "/connector-plugins/FileStreamSource/config/validate",
        Some(&bad.to_string()),
    );
    assert_eq!(code, 200);
    assert_eq!(v["error_count"], 1, "{v}");
    assert!(v["groups"]
        .as_array()
        .unwrap()
        .contains(&json!("Transforms: c")));
    let (code, body) = w.call("PUT", "/connectors/x/config", Some(&bad.to_string()));
    assert_eq!(code, 400, "{body}");
    let (code, keys) =
        w.get("/connector-plugins/org.apache.kafka.connect.transforms.RegexRouter/config");
    assert_eq!(code, 200);
    assert!(keys
        .as_array()
        .unwrap()
        .iter()
        .any(|k| k["name"] == "regex"));
}

#[test]
fn bad_records_go_to_the_dead_letter_queue_with_context_headers() {
    let w = Worker::start("", &[]);
    let topic = new_topic("dlq-in", 1);
    let dlq = unique_topic("dlq");
    let good = envelope("fine");
    produce(&topic, &[Rec::v(0, "not json"), Rec::v(0, good.as_bytes())]);
    let out = w.dir.join("dlq-out.txt");
    let cfg = json!({"connector.class": "FileStreamSink", "topics": topic, "file": out.to_str().unwrap(),
        "errors.tolerance": "all", "errors.log.enable": "true",
        "errors.deadletterqueue.topic.name": dlq,
        "errors.deadletterqueue.topic.replication.factor": "1",
        "errors.deadletterqueue.context.headers.enable": "true"});
    w.create("dlq", &cfg);
    wait_until(20, "the good record", || {
        std::fs::read_to_string(&out).is_ok_and(|s| s == "fine\n")
    });
    let mut dead = Vec::new();
    wait_until(20, "the dead letter", || {
        let o = kct(
            &[
                "-b",
                b(),
                "-t",
                &dlq,
                "-C",
                "-e",
                "-q",
                "-J",
                "-X",
                "fetch.wait.max.ms=5",
            ],
            b"",
        );
        dead = String::from_utf8_lossy(&o.stdout)
            .lines()
            .map(str::to_string)
            .collect();
        dead.len() == 1
    });
    let rec: Value = serde_json::from_str(&dead[0]).unwrap();
    assert_eq!(rec["payload"], "not json");
    let headers: Vec<&str> = rec["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap())
        .collect();
    let header = |k: &str| {
        headers
            .iter()
            .position(|h| *h == k)
            .map(|i| headers[i + 1])
            .unwrap_or_else(|| panic!("no {k} in {headers:?}"))
    };
    assert_eq!(header("__connect.errors.topic"), topic);
    assert_eq!(header("__connect.errors.partition"), "0");
    assert_eq!(header("__connect.errors.offset"), "0");
    assert_eq!(header("__connect.errors.connector.name"), "dlq");
    assert_eq!(header("__connect.errors.task.id"), "0");
    assert_eq!(header("__connect.errors.stage"), "VALUE_CONVERTER");
    assert_eq!(
        header("__connect.errors.class.name"),
        "org.apache.kafka.connect.json.JsonConverter"
    );
    assert_eq!(
        header("__connect.errors.exception.class.name"),
        "org.apache.kafka.connect.errors.DataException"
    );
    assert!(
        w.log().contains("Executing stage 'VALUE_CONVERTER'"),
        "{}",
        w.log()
    );

    // Without tolerance the task fails on the bad record, with the reason in its trace.
    let strict = json!({"connector.class": "FileStreamSink", "topics": topic, "file": w.dir.join("strict.txt").to_str().unwrap()});
    assert_eq!(
        w.call(
            "PUT",
            "/connectors/strict/config",
            Some(&strict.to_string())
        )
        .0,
        201
    );
    let s = w.wait_for("/connectors/strict/status", 20, |s| {
        s["tasks"][0]["state"] == "FAILED"
    });
    assert!(
        s["tasks"][0]["trace"]
            .as_str()
            .unwrap()
            .contains("Tolerance exceeded"),
        "{s}"
    );
    assert_eq!(s["connector"]["state"], "RUNNING");
    // A failing task fails alone: the other connector still runs.
    assert_eq!(
        w.get("/connectors/dlq/status").1["tasks"][0]["state"],
        "RUNNING"
    );
}

#[test]
fn spooldir_csv_and_datagen_sources() {
    let w = Worker::start("", &[]);
    let (input, finished, error) = (
        w.dir.join("spool-in"),
        w.dir.join("spool-done"),
        w.dir.join("spool-err"),
    );
    for d in [&input, &finished, &error] {
        std::fs::create_dir_all(d).unwrap();
    }
    std::fs::write(
        input.join("people.csv"),
        "id,name\n1,ada\n2,\"lovelace, countess\"\n",
    )
    .unwrap();
    std::fs::write(input.join("ignored.txt"), "not matched\n").unwrap();
    let topic = unique_topic("spool");
    let cfg = json!({
        "connector.class": "com.github.jcustenborder.kafka.connect.spooldir.SpoolDirCsvSourceConnector",
        "input.path": input.to_str().unwrap(), "finished.path": finished.to_str().unwrap(),
        "error.path": error.to_str().unwrap(), "input.file.pattern": ".*\\.csv",
        "topic": topic, "csv.first.row.as.header": "true", "schema.generation.enabled": "true",
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter.schemas.enable": "false",
    });
    w.create("spool", &cfg);
    wait_until(20, "two CSV records", || topic_values(&topic).len() == 2);
    assert_eq!(
        topic_values(&topic),
        [
            r#"{"id":"1","name":"ada"}"#,
            r#"{"id":"2","name":"lovelace, countess"}"#
        ]
    );
    // Processed files leave input.path once their offsets are committed.
    wait_until(20, "people.csv in finished.path", || {
        finished.join("people.csv").is_file()
    });
    assert!(input.join("ignored.txt").is_file());

    let gen_topic = unique_topic("datagen");
    let cfg = json!({"connector.class": "DataGen", "kafka.topic": gen_topic, "quickstart": "users",
        "iterations": "10", "max.interval": "0", "random.seed": "7"});
    w.create("gen", &cfg);
    wait_until(20, "ten generated users", || {
        topic_values(&gen_topic).len() == 10
    });
    let first: Value = serde_json::from_str(&topic_values(&gen_topic)[0]).unwrap();
    assert!(first["payload"]["userid"].is_string(), "{first}");
    assert_eq!(first["schema"]["name"], "ksql.users");
}

#[test]
fn restarts_answer_as_connect_does() {
    let w = Worker::start("", &[]);
    let topic = new_topic("restart", 1);
    let cfg = json!({"connector.class": "FileStreamSink", "tasks.max": "2", "topics": topic,
        "file": w.dir.join("restart.txt").to_str().unwrap()});
    w.create("r", &cfg);
    w.wait_for("/connectors/r/status", 20, |s| {
        s["tasks"]
            .as_array()
            .is_some_and(|t| t.len() == 2 && t.iter().all(|t| t["state"] == "RUNNING"))
    });
    // Plain restart: the connector only, 204 without a body.
    assert_eq!(
        w.call("POST", "/connectors/r/restart", None),
        (204, Value::Null)
    );
    // KIP-745: 202 with RESTARTING for what will restart.
    let (code, body) = w.call(
        "POST",
        "/connectors/r/restart?includeTasks=true&onlyFailed=false",
        None,
    );
    assert_eq!(code, 202, "{body}");
    assert_eq!(body["connector"]["state"], "RESTARTING");
    assert_eq!(body["tasks"][0]["state"], "RESTARTING");
    assert_eq!(body["tasks"][1]["state"], "RESTARTING");
    // Nothing has failed: onlyFailed restarts nothing.
    w.wait_for("/connectors/r/status", 20, |s| {
        s["tasks"][1]["state"] == "RUNNING"
    });
    let (code, body) = w.call(
        "POST",
        "/connectors/r/restart?includeTasks=true&onlyFailed=true",
        None,
    );
    assert_eq!(code, 202);
    assert_eq!(body["connector"]["state"], "RUNNING");
    assert_eq!(body["tasks"][0]["state"], "RUNNING");
    assert_eq!(
        w.call("POST", "/connectors/r/tasks/1/restart", None),
        (204, Value::Null)
    );
    let (code, body) = w.call("POST", "/connectors/r/tasks/7/restart", None);
    assert_eq!(
        (code, body["message"].clone()),
        (404, json!("Unknown task: r-7"))
    );
    w.wait_for("/connectors/r/status", 20, |s| {
        s["tasks"]
            .as_array()
            .is_some_and(|t| t.len() == 2 && t.iter().all(|t| t["state"] == "RUNNING"))
    });
    let (code, t) = w.get("/connectors/r/tasks/1/status");
    assert_eq!(
        (code, t["id"].clone(), t["state"].clone()),
        (200, json!(1), json!("RUNNING"))
    );
    // PATCH: null removes a key, others are set; always 200.
    let (code, info) = w.call(
        "PATCH",
        "/connectors/r/config",
        Some(r#"{"tasks.max":"1"}"#),
    );
    assert_eq!(code, 200, "{info}");
    assert_eq!(info["config"]["tasks.max"], "1");
    let (code, body) = w.call("PATCH", "/connectors/none/config", Some(r#"{"a":"b"}"#));
    assert_eq!(
        (code, body["message"].clone()),
        (404, json!("Connector none not found"))
    );
}
