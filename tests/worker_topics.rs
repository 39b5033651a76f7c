//! `kct worker` with topic-backed storage: the internal topics hold Java's exact bytes on
//! Java's partitions (murmur2), a restarted worker picks up what is there, and records written
//! the way a Java worker writes them are understood.

mod common;

use common::worker::{topic_lines, Worker};
use common::*;
use serde_json::json;

/// Records of `topic` as (partition, key, value) with `NULL` for a tombstone.
fn records(topic: &str) -> Vec<(i32, String, String)> {
    topic_lines(topic, "%p\t%k\t%s\n")
        .iter()
        .map(|l| {
            let mut f = l.splitn(3, '\t');
            let p = f.next().and_then(|p| p.parse().ok()).expect("a partition");
            let (k, v) = (f.next().expect("a key"), f.next().expect("a value"));
            (p, k.to_string(), v.to_string())
        })
        .collect()
}

fn storage(prefix: &str) -> (String, [String; 3]) {
    let t = [
        unique_topic(&format!("{prefix}-configs")),
        unique_topic(&format!("{prefix}-offsets")),
        unique_topic(&format!("{prefix}-status")),
    ];
    let extra = format!(
        "group.id={prefix}\nconfig.storage.topic={}\noffset.storage.topic={}\nstatus.storage.topic={}\n\
         config.storage.replication.factor=1\noffset.storage.replication.factor=1\nstatus.storage.replication.factor=1\n",
        t[0], t[1], t[2]
    );
    (extra, t)
}

#[test]
fn internal_topics_hold_javas_bytes_and_survive_a_restart() {
    let (extra, [configs, offsets, status]) = storage("kct-cluster");
    let mut w = Worker::start(&extra, &[]);
    let topic = new_topic("topic-backed", 1);
    let input = w.dir.join("in.txt");
    std::fs::write(&input, "x\ny\n").unwrap();
    let cfg = json!({"connector.class": "FileStreamSource", "file": input.to_str().unwrap(), "topic": topic});
    w.create("src", &cfg);
    w.wait_for("/connectors/src/offsets", 20, |o| {
        o["offsets"][0]["offset"]["position"] == 4
    });

    // connect-configs: one partition; connector, task, commit in Java's shapes.
    let c = records(&configs);
    let find = |key: &str| {
        c.iter()
            .find(|r| r.1 == key)
            .unwrap_or_else(|| panic!("no {key} in {c:?}"))
            .clone()
    };
    let conn: serde_json::Value = serde_json::from_str(&find("connector-src").2).unwrap();
    assert_eq!(conn["properties"]["connector.class"], "FileStreamSource");
    assert_eq!(conn["properties"]["name"], "src");
    let task: serde_json::Value = serde_json::from_str(&find("task-src-0").2).unwrap();
    assert_eq!(
        task["properties"]["task.class"],
        "org.apache.kafka.connect.file.FileStreamSourceTask"
    );
    assert_eq!(find("commit-src").2, r#"{"tasks":1}"#);
    assert!(c.iter().all(|r| r.0 == 0));

    // connect-offsets: Java's key bytes on murmur2's partition of 25.
    let key = format!(r#"["src",{{"filename":"{}"}}]"#, input.display());
    let o = records(&offsets);
    let last = o
        .iter()
        .rev()
        .find(|r| r.1 == key)
        .unwrap_or_else(|| panic!("no {key} in {o:?}"));
    assert_eq!(last.2, r#"{"position":4}"#);
    assert_eq!(last.0, murmur2_partition(key.as_bytes(), 25));

    // connect-status: status-connector-src on murmur2's partition of 5, trace written as null.
    let s = records(&status);
    let st = s
        .iter()
        .rev()
        .find(|r| r.1 == "status-connector-src")
        .unwrap_or_else(|| panic!("{s:?}"));
    assert_eq!(st.0, murmur2_partition(b"status-connector-src", 5));
    let v: serde_json::Value = serde_json::from_str(&st.2).unwrap();
    assert_eq!(v["state"], "RUNNING");
    assert!(
        st.2.starts_with(r#"{"state":"RUNNING","trace":null,"worker_id":"127.0.0.1:"#),
        "{}",
        st.2
    );
    assert!(s
        .iter()
        .any(|r| r.1 == format!("status-topic-{topic}:connector-src")));

    // Stop: an empty task set, then STOPPED written so that old workers read PAUSED.
    assert_eq!(w.call("PUT", "/connectors/src/stop", None).0, 204);
    let c = records(&configs);
    let tail: Vec<&(i32, String, String)> = c.iter().rev().take(2).collect();
    assert_eq!(
        (tail[1].1.as_str(), tail[1].2.as_str()),
        ("commit-src", r#"{"tasks":0}"#)
    );
    assert_eq!(
        (tail[0].1.as_str(), tail[0].2.as_str()),
        (
            "target-state-src",
            r#"{"state":"PAUSED","state.v2":"STOPPED"}"#
        )
    );

    // A new worker on the same topics finds the connector, still stopped, and its offsets.
    assert!(w.stop().success());
    w.launch(&[]);
    let st = w.wait_for("/connectors/src/status", 20, |s| {
        s["connector"]["state"] == "STOPPED"
    });
    assert_eq!(st["tasks"], json!([]));
    let (_, off) = w.get("/connectors/src/offsets");
    assert_eq!(off["offsets"][0]["offset"], json!({"position": 4}));

    // Delete: tombstones for connector-src and target-state-src.
    assert_eq!(w.call("DELETE", "/connectors/src", None).0, 204);
    let c = records(&configs);
    let tail: Vec<(String, String)> = c
        .iter()
        .rev()
        .take(2)
        .map(|r| (r.1.clone(), r.2.clone()))
        .collect();
    assert!(
        tail.contains(&("connector-src".into(), "NULL".into())),
        "{tail:?}"
    );
    assert!(
        tail.contains(&("target-state-src".into(), "NULL".into())),
        "{tail:?}"
    );
}

#[test]
fn a_config_topic_written_as_java_writes_it_is_picked_up() {
    let (extra, [configs, _, _]) = storage("java-cluster");
    create_topic(&configs, 1, &[("cleanup.policy", "compact")]);
    let sink_file = scratch_dir().join(unique_topic("java-sink"));
    let topic = new_topic("java-in", 1);
    let props = format!(
        r#"{{"properties":{{"connector.class":"org.apache.kafka.connect.file.FileStreamSinkConnector","file":"{}","tasks.max":"1","name":"from-java","topics":"{topic}"}}}}"#,
        sink_file.display()
    );
    let input = format!(
        "target-state-from-java#{{\"state\":\"PAUSED\",\"state.v2\":\"PAUSED\"}}\nconnector-from-java#{props}\n"
    );
    let o = kct(
        &["-b", b(), "-t", &configs, "-P", "-K#", "-p", "0"],
        input.as_bytes(),
    );
    assert_eq!(code(&o), 0, "{}", show(&o.stderr));
    let w = Worker::start(&extra, &[]);
    let st = w.wait_for("/connectors/from-java/status", 20, |s| {
        s["tasks"][0]["state"] == "PAUSED"
    });
    assert_eq!(st["connector"]["state"], "PAUSED");
    assert_eq!(st["type"], "sink");
    assert_eq!(w.call("PUT", "/connectors/from-java/resume", None).0, 202);
    w.wait_for("/connectors/from-java/status", 20, |s| {
        s["tasks"][0]["state"] == "RUNNING"
    });
}

#[test]
fn a_sink_started_before_its_topic_exists_reads_it_once_created() {
    let w = Worker::start(
        "value.converter=org.apache.kafka.connect.storage.StringConverter\n",
        &[],
    );
    let topic = unique_topic("later");
    let out = w.dir.join("out.txt");
    let sink = json!({"connector.class": "FileStreamSink", "file": out.to_str().unwrap(), "topics": topic});
    w.create("sink", &sink);
    w.wait_for("/connectors/sink/status", 10, |s| {
        s["tasks"][0]["state"] == "RUNNING"
    });
    wait_until(10, "the task to say what it waits for", || {
        w.log()
            .contains(&format!("Task sink-0: waiting for topic {topic} to exist"))
    });
    create_topic(&topic, 1, &[]);
    let o = kct(&["-b", b(), "-t", &topic, "-P"], b"a\nb\n");
    assert_eq!(code(&o), 0, "{}", show(&o.stderr));
    wait_until(15, "the records in the file", || {
        std::fs::read_to_string(&out).unwrap_or_default() == "a\nb\n"
    });
}
