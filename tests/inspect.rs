//! `kct inspect`: the internal topics as a real `kct worker` writes them (Java's bytes), every
//! anomaly planted with real records, undecodable records, the output forms, and the offsets
//! topic path (reset, patch, dry run, refusal while running) checked by what the FileStreamSource
//! connector does after it.

mod common;

use std::process::Output;
use std::time::{Duration, Instant};

use common::worker::{topic_lines, Worker};
use common::*;
use serde_json::{json, Value};

/// Unique internal topic names and the worker properties that use them.
struct Cluster {
    configs: String,
    offsets: String,
    status: String,
    extra: String,
}

impl Cluster {
    fn new(prefix: &str) -> Cluster {
        let configs = unique_topic(&format!("{prefix}-configs"));
        let offsets = unique_topic(&format!("{prefix}-offsets"));
        let status = unique_topic(&format!("{prefix}-status"));
        let extra = format!(
            "group.id={prefix}\nconfig.storage.topic={configs}\noffset.storage.topic={offsets}\nstatus.storage.topic={status}\n\
             config.storage.replication.factor=1\noffset.storage.replication.factor=1\nstatus.storage.replication.factor=1\n"
        );
        Cluster {
            configs,
            offsets,
            status,
            extra,
        }
    }

    /// The topics, created as Connect creates them (for records produced by hand).
    fn create(prefix: &str) -> Cluster {
        let c = Cluster::new(prefix);
        create_topic(&c.configs, 1, &[("cleanup.policy", "compact")]);
        create_topic(&c.offsets, 25, &[("cleanup.policy", "compact")]);
        create_topic(&c.status, 5, &[("cleanup.policy", "compact")]);
        c
    }

    /// `kct inspect ARGS` against this cluster.
    fn inspect(&self, args: &[&str]) -> Output {
        self.inspect_stdin(args, b"")
    }

    fn inspect_stdin(&self, args: &[&str], stdin: &[u8]) -> Output {
        let mut all: Vec<&str> = vec!["inspect"];
        all.extend_from_slice(args);
        all.extend_from_slice(&[
            "-b",
            b(),
            "--offsets-topic",
            &self.offsets,
            "--configs-topic",
            &self.configs,
            "--status-topic",
            &self.status,
            "-X",
            "fetch.wait.max.ms=5",
        ]);
        kct(&all, stdin)
    }

    /// `kct inspect ARGS -o json`, which must succeed.
    fn json(&self, args: &[&str]) -> Value {
        let mut a = args.to_vec();
        a.extend_from_slice(&["-o", "json"]);
        let o = self.inspect(&a);
        assert_eq!(code(&o), 0, "{args:?}: {}", show(&o.stderr));
        serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {}", show(&o.stdout)))
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Polls `check` on `kct inspect ARGS -o json` until it holds (workers write asynchronously).
fn wait_json(c: &Cluster, args: &[&str], secs: u64, check: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let v = c.json(args);
        if check(&v) {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "inspect {args:?} never satisfied the check; last: {v:#}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn kinds(v: &Value) -> Vec<String> {
    v["anomalies"]
        .as_array()
        .unwrap_or_else(|| panic!("no anomalies array in {v}"))
        .iter()
        .map(|a| a["kind"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn source_config(input: &std::path::Path, topic: &str) -> serde_json::Value {
    json!({"connector.class": "FileStreamSource", "file": input.to_str().unwrap(), "topic": topic})
}

/// A worker with a FileStreamSource `src` that has read `lines` (each 2 bytes) of its file.
fn worker_with_source(c: &Cluster, lines: &str) -> (Worker, String, std::path::PathBuf) {
    let w = Worker::start(&c.extra, &[]);
    let topic = new_topic("inspect-data", 1);
    let input = w.dir.join("in.txt");
    std::fs::write(&input, lines).unwrap();
    w.create("src", &source_config(&input, &topic));
    let size = lines.len() as u64;
    w.wait_for("/connectors/src/offsets", 30, |o| {
        o["offsets"][0]["offset"]["position"] == size
    });
    (w, topic, input)
}

#[test]
fn latest_view_and_history_of_what_a_worker_wrote() {
    let c = Cluster::new("insp-view");
    let (w, topic, input) = worker_with_source(&c, "a\nb\n");
    // A second batch, so the offsets topic holds more than one record for the key.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&input)
        .and_then(|mut f| std::io::Write::write_all(&mut f, b"c\n"))
        .unwrap();
    w.wait_for("/connectors/src/offsets", 30, |o| {
        o["offsets"][0]["offset"]["position"] == 6
    });

    let key = format!(r#"["src",{{"filename":"{}"}}]"#, input.display());
    let v = wait_json(&c, &["offsets"], 20, |v| {
        v["offsets"][0]["offset"]["position"] == 6
    });
    assert_eq!(kinds(&v), Vec::<String>::new(), "{v:#}");
    let offsets = v["offsets"].as_array().unwrap();
    assert_eq!(offsets.len(), 1, "{v:#}");
    let e = &offsets[0];
    assert_eq!(e["connector"], "src");
    assert_eq!(e["partition"], json!({"filename": input.to_str().unwrap()}));
    assert_eq!(e["key"], key.as_str());
    assert_eq!(e["kafka_partition"], murmur2_partition(key.as_bytes(), 25));
    assert!(e["timestamp"].as_i64().unwrap() > 1_600_000_000_000, "{e}");

    // --history: every record, with partition, offset and timestamp, oldest first.
    let h = c.json(&["offsets", "--history"]);
    let records = h["records"].as_array().unwrap();
    assert!(records.len() >= 2, "{h:#}");
    let positions: Vec<i64> = records
        .iter()
        .map(|r| r["value"]["position"].as_i64().unwrap())
        .collect();
    assert_eq!(positions.last(), Some(&6), "{h:#}");
    assert!(positions.windows(2).all(|p| p[0] <= p[1]), "{positions:?}");
    for r in records {
        assert_eq!(r["partition"], murmur2_partition(key.as_bytes(), 25));
        assert_eq!(r["kind"], "offset");
        assert_eq!(r["connector"], "src");
        assert!(r["offset"].is_i64() && r["timestamp"].is_i64(), "{r}");
    }

    // configs: connector, STARTED, one committed task with its class.
    let v = c.json(&["configs"]);
    assert_eq!(kinds(&v), Vec::<String>::new(), "{v:#}");
    let conn = &v["connectors"][0];
    assert_eq!(conn["name"], "src");
    assert_eq!(conn["target_state"], "STARTED");
    assert_eq!(conn["task_count"], 1);
    assert_eq!(conn["config"]["connector.class"], "FileStreamSource");
    assert_eq!(
        conn["tasks"][0]["config"]["task.class"],
        "org.apache.kafka.connect.file.FileStreamSourceTask"
    );
    let h = c.json(&["configs", "--history"]);
    let kinds_seen: Vec<&str> = h["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    for k in ["connector", "task", "commit"] {
        assert!(kinds_seen.contains(&k), "{k} not in {kinds_seen:?}");
    }

    // status: RUNNING connector and task, worker id, generation, the active topic.
    let v = c.json(&["status"]);
    let s = &v["connectors"][0];
    assert_eq!(s["name"], "src");
    assert_eq!(s["connector"]["state"], "RUNNING");
    assert_eq!(s["connector"]["trace"], Value::Null);
    assert!(s["connector"]["worker_id"]
        .as_str()
        .unwrap()
        .starts_with("127.0.0.1:"));
    assert!(s["connector"]["generation"].is_i64(), "{s}");
    assert_eq!(s["tasks"][0]["id"], 0);
    assert_eq!(s["tasks"][0]["state"], "RUNNING");
    assert_eq!(s["topics"][0]["name"], topic.as_str());

    // Output forms: table, yaml, --jq, name; --connector filters.
    let o = c.inspect(&["offsets"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let table = stdout(&o);
    let mut lines = table.lines();
    let header: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["CONNECTOR", "PARTITION", "OFFSET", "AT"]);
    let row = lines.next().unwrap();
    assert!(row.starts_with("src "), "{table}");
    assert!(row.contains(r#"{"position":6}"#), "{table}");
    assert!(!table.contains("ANOMALY"), "{table}");
    let o = c.inspect(&["status", "-o", "yaml"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let y: Value = serde_yaml_ng::from_slice(&o.stdout).unwrap();
    assert_eq!(y["connectors"][0]["connector"]["state"], "RUNNING");
    let o = c.inspect(&["offsets", "--jq", ".offsets[].offset.position"]);
    assert_eq!(
        (code(&o), stdout(&o).as_str()),
        (0, "6\n"),
        "{}",
        stderr(&o)
    );
    let o = c.inspect(&["configs", "--jq", ".connectors[].target_state"]);
    assert_eq!(stdout(&o), "STARTED\n", "{}", stderr(&o));
    let o = c.inspect(&["configs", "-o", "name"]);
    assert_eq!(stdout(&o), "src\n");
    let o = c.inspect(&["status"]);
    assert!(stdout(&o).contains("RUNNING"), "{}", stdout(&o));
    let v = c.json(&["offsets", "--connector", "nobody"]);
    assert_eq!(v["offsets"], json!([]));
    let v = c.json(&["configs", "--history", "--connector", "nobody"]);
    assert_eq!(v["records"], json!([]));

    // Stop: the configs view follows the target state (state.v2), the status view STOPPED.
    assert_eq!(w.call("PUT", "/connectors/src/stop", None).0, 204);
    let v = c.json(&["configs"]);
    assert_eq!(v["connectors"][0]["target_state"], "STOPPED");
    assert_eq!(v["connectors"][0]["task_count"], 0);
    let v = wait_json(&c, &["status"], 20, |v| {
        v["connectors"][0]["connector"]["state"] == "STOPPED"
    });
    assert_eq!(v["connectors"][0]["tasks"], json!([]), "{v:#}");
}

/// Java's partition for a key of one of the internal topics.
fn p(key: &str, partitions: i32) -> i32 {
    murmur2_partition(key.as_bytes(), partitions)
}

#[test]
fn anomalies_planted_with_real_records() {
    let c = Cluster::create("insp-anom");
    produce(
        &c.configs,
        &[
            Rec::kv(
                0,
                "connector-live",
                r#"{"properties":{"connector.class":"FileStreamSource","name":"live"}}"#,
            ),
            Rec::kv(0, "task-live-0", r#"{"properties":{"task.class":"T"}}"#),
            Rec::kv(0, "commit-live", r#"{"tasks":1}"#),
            Rec::kv(
                0,
                "target-state-live",
                r#"{"state":"PAUSED","state.v2":"PAUSED"}"#,
            ),
            // A task config that never got its commit.
            Rec::kv(0, "connector-half", r#"{"properties":{"name":"half"}}"#),
            Rec::kv(0, "task-half-0", r#"{"properties":{"task.class":"T"}}"#),
            // A commit announcing two tasks with only one written.
            Rec::kv(0, "connector-inc", r#"{"properties":{"name":"inc"}}"#),
            Rec::kv(0, "task-inc-0", r#"{"properties":{"task.class":"T"}}"#),
            Rec::kv(0, "commit-inc", r#"{"tasks":2}"#),
            // A deleted connector: tombstones for its config and target state.
            Rec::kv(0, "connector-gone", r#"{"properties":{"name":"gone"}}"#),
            Rec::new(0).key("connector-gone"),
            Rec::new(0).key("target-state-gone"),
            // Undecodable.
            Rec::kv(0, "commit-broken", "{not json"),
            Rec::kv(
                0,
                "restart-connector-live",
                r#"{"include-tasks":true,"only-failed":false}"#,
            ),
        ],
    );
    let live_a = r#"["live",{"f":"a"}]"#;
    let ab = r#"["live",{"a":1,"b":2}]"#;
    let ba = r#"["live",{"b":2,"a":1}]"#;
    let t = r#"["live",{"f":"t"}]"#;
    let gone = r#"["gone",{"f":"x"}]"#;
    let bad_value = r#"["live",{"f":"bad"}]"#;
    produce(
        &c.offsets,
        &[
            Rec::kv(p(live_a, 25), live_a, r#"{"position":1}"#),
            Rec::kv(p(live_a, 25), live_a, r#"{"position":2}"#),
            Rec::kv(p(gone, 25), gone, r#"{"position":9}"#),
            Rec::kv(p(ab, 25), ab, r#"{"o":1}"#),
            Rec::kv(p(ba, 25), ba, r#"{"o":2}"#),
            Rec::kv(p(t, 25), t, r#"{"position":5}"#),
            // The tombstone meant for `t`, in the wrong partition: it deletes nothing.
            Rec::new((p(t, 25) + 1) % 25).key(t),
            Rec::kv(3, b"\xffgarbage".as_slice(), "x"),
            Rec::kv(4, bad_value, "[1]"),
            Rec::v(5, "no key at all"),
        ],
    );
    produce(
        &c.status,
        &[
            Rec::kv(
                p("status-connector-live", 5),
                "status-connector-live",
                r#"{"state":"PAUSED","trace":null,"worker_id":"w1:8083","generation":7}"#,
            ),
            Rec::kv(
                p("status-task-live-0", 5),
                "status-task-live-0",
                r#"{"state":"FAILED","trace":"org.apache.kafka.connect.errors.ConnectException: boom\n\tat X.y(X.java:1)","worker_id":"w1:8083","generation":8}"#,
            ),
            Rec::kv(
                p("status-topic-data:connector-live", 5),
                "status-topic-data:connector-live",
                r#"{"topic":{"name":"data","connector":"live","task":0,"discoverTimestamp":1700000000000}}"#,
            ),
            Rec::kv(0, "status-connector-weird", "[]"),
        ],
    );

    // offsets
    let v = c.json(&["offsets"]);
    let mut k = kinds(&v);
    k.sort();
    assert_eq!(
        k,
        [
            "duplicate-partition-key",
            "misplaced-tombstone",
            "orphan-offsets",
            "undecodable",
            "undecodable",
            "undecodable"
        ],
        "{v:#}"
    );
    let find = |kind: &str| {
        v["anomalies"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["kind"] == kind)
            .cloned()
            .collect::<Vec<Value>>()
    };
    let orphan = &find("orphan-offsets")[0];
    assert_eq!(orphan["connector"], "gone");
    assert_eq!(orphan["records"][0]["key"], gone);
    let dup = &find("duplicate-partition-key")[0];
    assert_eq!(dup["connector"], "live");
    let dup_keys: Vec<&str> = dup["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert_eq!(dup_keys, [ab, ba]);
    let mis = &find("misplaced-tombstone")[0];
    let mis_parts: Vec<i64> = mis["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["partition"].as_i64().unwrap())
        .collect();
    let mut want = vec![p(t, 25) as i64, ((p(t, 25) + 1) % 25) as i64];
    want.sort();
    assert_eq!(mis_parts, want, "{mis}");
    let undecodable: Vec<String> = find("undecodable")
        .iter()
        .map(|a| format!("{} {}", a["records"][0]["key"], a["value"]))
        .collect();
    assert!(
        undecodable.iter().any(|u| u.contains(r#"\\xffgarbage"#)),
        "{undecodable:?}"
    );
    assert!(
        undecodable.iter().any(|u| u.starts_with("null ")),
        "{undecodable:?}"
    );
    // The latest view: live/a at position 2; the undecodable ones shown raw.
    let live: Vec<&Value> = v["offsets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["key"] == live_a)
        .collect();
    assert_eq!(live[0]["offset"], json!({"position": 2}));
    let raw = v["offsets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["key"] == bad_value)
        .unwrap();
    assert_eq!(raw["offset"], "[1]");
    assert!(raw["error"].as_str().unwrap().contains("Map"), "{raw}");
    // The table shows the view, then the anomalies.
    let o = c.inspect(&["offsets"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let table = stdout(&o);
    for s in [
        "ANOMALY",
        "orphan-offsets",
        "misplaced-tombstone",
        "duplicate-partition-key",
        "undecodable",
    ] {
        assert!(table.contains(s), "{s} missing:\n{table}");
    }
    // Filtered: only live's anomalies.
    let v = c.json(&["offsets", "--connector", "live"]);
    let mut k = kinds(&v);
    k.sort();
    assert_eq!(
        k,
        [
            "duplicate-partition-key",
            "misplaced-tombstone",
            "undecodable"
        ],
        "{v:#}"
    );
    // History shows every record, tombstones and keyless ones included.
    let h = c.json(&["offsets", "--history"]);
    assert_eq!(h["records"].as_array().unwrap().len(), 10, "{h:#}");
    assert!(h["records"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["tombstone"] == true && r["key"] == t));

    // configs
    let v = c.json(&["configs"]);
    let mut k = kinds(&v);
    k.sort();
    assert_eq!(
        k,
        [
            "inconsistent-task-configs",
            "uncommitted-task-configs",
            "undecodable"
        ],
        "{v:#}"
    );
    let names: Vec<&str> = v["connectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["half", "inc", "live"]);
    assert_eq!(v["connectors"][2]["target_state"], "PAUSED");
    assert_eq!(v["connectors"][2]["restart_request"]["include-tasks"], true);
    assert_eq!(v["connectors"][1]["inconsistent"], true);
    assert_eq!(v["connectors"][1]["tasks"], json!([]));
    let h = c.json(&["configs", "--history"]);
    let recs = h["records"].as_array().unwrap();
    assert_eq!(recs.len(), 14);
    assert!(recs
        .iter()
        .any(|r| r["kind"] == "target-state" && r["tombstone"] == true));
    assert!(recs
        .iter()
        .any(|r| r["kind"] == "restart-request" && r["connector"] == "live"));
    assert!(recs
        .iter()
        .any(|r| r["kind"] == "undecodable" && r["value"] == "{not json"));

    // status: traces and generations; the undecodable one reported.
    let v = c.json(&["status"]);
    assert_eq!(kinds(&v), ["undecodable"], "{v:#}");
    let live = &v["connectors"][0];
    assert_eq!(live["connector"]["generation"], 7);
    assert_eq!(live["connector"]["state"], "PAUSED");
    assert_eq!(live["tasks"][0]["state"], "FAILED");
    assert_eq!(live["tasks"][0]["generation"], 8);
    assert!(live["tasks"][0]["trace"]
        .as_str()
        .unwrap()
        .contains("\n\tat X.y"));
    assert_eq!(live["topics"][0]["discover_timestamp"], 1700000000000i64);
    let o = c.inspect(&["status"]);
    let table = stdout(&o);
    assert!(
        table.contains("org.apache.kafka.connect.errors.ConnectException: boom"),
        "{table}"
    );
    assert!(
        !table.contains("X.java"),
        "only the trace's first line:\n{table}"
    );
}

/// The data topic's values (the JsonConverter envelope's payload), in order.
fn data(topic: &str) -> Vec<String> {
    topic_lines(topic, "%s\n")
        .iter()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}"));
            v["payload"].as_str().unwrap_or_default().to_string()
        })
        .collect()
}

#[test]
fn reset_through_the_topic_makes_the_source_read_its_file_again() {
    let c = Cluster::new("insp-reset");
    let (mut w, topic, input) = worker_with_source(&c, "a\nb\nc\n");
    let key = format!(r#"["src",{{"filename":"{}"}}]"#, input.display());
    let wait_data = |n: usize| {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let d = data(&topic);
            if d.len() >= n {
                return d;
            }
            assert!(Instant::now() < deadline, "only {d:?} in {topic}");
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    assert_eq!(wait_data(3), ["a", "b", "c"]);
    wait_json(&c, &["status"], 20, |v| {
        v["connectors"][0]["tasks"][0]["state"] == "RUNNING"
    });
    let records_before = c.json(&["offsets", "--history"])["records"]
        .as_array()
        .unwrap()
        .len();

    // Running: refused, nothing written.
    let o = c.inspect(&["reset-offsets", "src"]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    let err = stderr(&o);
    assert!(
        err.starts_with(
            "kct inspect reset-offsets: src appears to be running (connector RUNNING on 127.0.0.1:"
        ),
        "{err}"
    );
    assert!(err.contains("--force"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");

    // Dry run: the record it would write, and nothing written.
    let v = c.json(&["reset-offsets", "src", "--dry-run"]);
    assert_eq!(v["dry_run"], true);
    assert_eq!(v["verified"], false);
    let r = &v["records"][0];
    assert_eq!(r["key"], key.as_str());
    assert_eq!(r["partition"], murmur2_partition(key.as_bytes(), 25));
    assert_eq!(r["value"], Value::Null);
    assert_eq!(r["previous"], json!({"position": 6}));
    assert_eq!(r["existing_key"], true);
    let o = c.inspect(&["reset-offsets", "src", "--dry-run"]);
    assert!(
        stderr(&o).contains("dry run: would write 1 record(s)"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).starts_with("PARTITION"), "{}", stdout(&o));
    assert_eq!(
        c.json(&["offsets", "--history"])["records"]
            .as_array()
            .unwrap()
            .len(),
        records_before
    );

    // Stop the connector (STOPPED in the status topic): the reset goes through.
    assert_eq!(w.call("PUT", "/connectors/src/stop", None).0, 204);
    wait_json(&c, &["status"], 20, |v| {
        v["connectors"][0]["connector"]["state"] == "STOPPED"
    });
    let o = c.inspect(&["reset-offsets", "src"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("wrote 1 record(s)") && stderr(&o).contains("read them back"),
        "{}",
        stderr(&o)
    );
    let v = c.json(&["offsets"]);
    assert_eq!(v["offsets"], json!([]), "{v:#}");
    let h = c.json(&["offsets", "--history"]);
    let last = h["records"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["tombstone"].clone(), last["key"].clone()),
        (json!(true), json!(key))
    );
    assert_eq!(last["partition"], murmur2_partition(key.as_bytes(), 25));

    // A restarted worker loads the (empty) offsets; resumed, the source reads the file again.
    assert!(w.stop().success());
    w.launch(&[]);
    assert_eq!(w.call("PUT", "/connectors/src/resume", None).0, 202);
    assert_eq!(wait_data(6), ["a", "b", "c", "a", "b", "c"]);
    w.wait_for("/connectors/src/offsets", 30, |o| {
        o["offsets"][0]["offset"]["position"] == 6
    });
}

#[test]
fn patch_through_the_topic_with_the_worker_down_and_force() {
    let c = Cluster::new("insp-patch");
    let (mut w, topic, input) = worker_with_source(&c, "a\nb\nc\n");
    let deadline = Instant::now() + Duration::from_secs(30);
    while data(&topic).len() < 3 {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(100));
    }
    let body = format!(
        r#"{{"offsets":[{{"partition":{{"filename":"{}"}},"offset":{{"position":2}}}}]}}"#,
        input.display()
    );
    let file = w.dir.join("offsets.json");
    std::fs::write(&file, &body).unwrap();
    let file = file.to_str().unwrap().to_string();

    // Running: refused; -f from stdin parses too.
    let o = c.inspect_stdin(&["patch-offsets", "src", "-f", "-"], body.as_bytes());
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("appears to be running"),
        "{}",
        stderr(&o)
    );

    // The worker goes down. Java's worker writes UNASSIGNED as it shuts down, which lets the
    // path write; a status left at RUNNING keeps refusing, and --force writes anyway.
    assert!(w.stop().success());
    let st = c.json(&["status"]);
    let left_running = st["connectors"][0]["connector"]["state"] == "RUNNING";
    let o = c.inspect(&["patch-offsets", "src", "-f", &file]);
    if left_running {
        assert_eq!(code(&o), 1, "{st:#}");
        assert!(
            stderr(&o).contains("appears to be running"),
            "{}",
            stderr(&o)
        );
    } else {
        assert_eq!(code(&o), 0, "{st:#}\n{}", stderr(&o));
    }
    let o = c.inspect(&["patch-offsets", "src", "-f", &file, "--force", "-o", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["verified"], true);
    assert_eq!(v["forced_past"].is_array(), left_running, "{v:#}");
    let r = &v["records"][0];
    assert_eq!(r["value"], r#"{"position":2}"#);
    assert_eq!(r["existing_key"], true);
    let previous = if left_running { 6 } else { 2 };
    assert_eq!(r["previous"], json!({ "position": previous }));
    let view = c.json(&["offsets", "--connector", "src"]);
    assert_eq!(view["offsets"][0]["offset"], json!({"position": 2}));

    // Restarted, the source continues after the first line.
    w.launch(&[]);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let d = data(&topic);
        if d.len() >= 5 {
            assert_eq!(d, ["a", "b", "c", "b", "c"]);
            break;
        }
        assert!(Instant::now() < deadline, "{d:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn errors_are_one_line_and_bounded() {
    let c = Cluster::create("insp-err");
    // Missing topics.
    let o = kct(
        &[
            "inspect",
            "offsets",
            "-b",
            b(),
            "--offsets-topic",
            "no-such-offsets-topic",
        ],
        b"",
    );
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.starts_with(
            "kct inspect offsets: topic no-such-offsets-topic does not exist on 127.0.0.1:"
        ),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    let o = kct(&["inspect", "status", "-b", b()], b"");
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("topic connect-status does not exist"),
        "{}",
        stderr(&o)
    );
    let o = kct(&["inspect", "reset-offsets", "x", "-b", b()], b"");
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("does not exist"), "{}", stderr(&o));

    // An unreachable broker: an error naming it, well within the harness's timeout.
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let t0 = Instant::now();
    let o = kct(&["inspect", "configs", "-b", &addr], b"");
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(t0.elapsed() < Duration::from_secs(20), "{:?}", t0.elapsed());
    let err = stderr(&o);
    assert!(
        err.starts_with(&format!(
            "kct inspect configs: cannot reach Kafka at {addr} within 10 s"
        )),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");

    // Usage errors exit 2.
    for args in [
        vec!["inspect", "offsets", "--bogus"],
        vec!["inspect", "offsets", "-o", "xml"],
        vec!["inspect", "patch-offsets", "src"],
        vec!["inspect", "reset-offsets"],
        vec!["inspect"],
        vec!["inspect", "offsets", "-X", "novalue"],
    ] {
        let o = kct(&args, b"");
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
    }
    // A bad body is an error, and nothing is written.
    let o = c.inspect_stdin(&["patch-offsets", "src", "-f", "-"], b"{\"offsets\":5}");
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("is not a KIP-875 offsets body"),
        "{}",
        stderr(&o)
    );
    let o = c.inspect_stdin(&["patch-offsets", "src", "-f", "-"], br#"{"offsets":[]}"#);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("Partitions / offsets need to be provided"),
        "{}",
        stderr(&o)
    );
    let o = c.inspect_stdin(
        &["patch-offsets", "src", "-f", "-"],
        br#"{"offsets":[{"partition":{"f":"x"},"offset":{"p":[1]}}]}"#,
    );
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("primitive types"), "{}", stderr(&o));
    assert_eq!(c.json(&["offsets", "--history"])["records"], json!([]));
    let o = c.inspect(&["patch-offsets", "src", "-f", "/nonexistent/offsets.json"]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("cannot read /nonexistent/offsets.json"),
        "{}",
        stderr(&o)
    );
    // An empty cluster: empty views, exit 0.
    let v = c.json(&["offsets"]);
    assert_eq!(v["offsets"], json!([]));
    let v = c.json(&["configs"]);
    assert_eq!(v["connectors"], json!([]));
}
