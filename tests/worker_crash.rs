//! Crash safety of `kct worker`: `kill -9` in the middle of a 1,000,000-line FileStreamSource
//! and of a FileStreamSink, then a restart. Every line arrives at least once; a source re-sends
//! only what came after its last committed offset.

mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use common::worker::{topic_lines, Worker};
use common::*;
use serde_json::json;

const LINES: usize = 1_000_000;

fn lines_file(dir: &std::path::Path) -> (std::path::PathBuf, u64) {
    let path = dir.join("big.txt");
    let mut text = String::with_capacity(LINES * 100);
    for i in 0..LINES {
        text.push_str(&format!("line-{i:07}-{}\n", "x".repeat(87)));
    }
    std::fs::write(&path, &text).unwrap();
    (path, text.len() as u64)
}

fn position(w: &Worker, name: &str) -> u64 {
    let (code, o) = w.get(&format!("/connectors/{name}/offsets"));
    if code != 200 {
        return 0;
    }
    o["offsets"][0]["offset"]["position"].as_u64().unwrap_or(0)
}

fn wait(w: &Worker, secs: u64, what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !f() {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; worker log:\n{}",
            w.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Every value of `topic` with how often it occurs.
fn counts(topic: &str) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for l in topic_lines(topic, "%s\n") {
        *m.entry(l).or_insert(0) += 1;
    }
    m
}

#[test]
fn kill_9_during_a_large_file_source_loses_nothing_and_repeats_only_uncommitted_lines() {
    let extra = "value.converter=org.apache.kafka.connect.storage.StringConverter\n";
    let mut w = Worker::start(extra, &[]);
    let topic = new_topic("crash-src", 1);
    let (input, size) = lines_file(&w.dir);
    let cfg = json!({"connector.class": "FileStreamSource", "file": input.to_str().unwrap(), "topic": topic});
    w.create("big", &cfg);
    wait(&w, 300, "a fifth of the file committed", || {
        position(&w, "big") > size / 5
    });
    w.kill9();
    // What the offsets file held at the crash: everything after it may come twice.
    let committed = {
        let bytes = std::fs::read(w.dir.join("connect.offsets")).unwrap();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let at = text.rfind("{\"position\":").expect("a committed position");
        let digits: String = text[at + 12..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse::<u64>().unwrap()
    };
    assert!(
        committed > 0 && committed < size,
        "committed {committed} of {size}"
    );
    w.launch(&[]);
    // The connector is not in a config topic (file storage): it is created again, as
    // connect-standalone.sh would be started with its file again.
    w.create("big", &cfg);
    wait(&w, 300, "the whole file committed", || {
        position(&w, "big") == size
    });

    let seen = counts(&topic);
    let first_repeatable = committed as usize / 101;
    for i in 0..LINES {
        let line = format!("line-{i:07}-{}", "x".repeat(87));
        let n = seen.get(&line).copied().unwrap_or(0);
        assert!(n >= 1, "line {i} is missing");
        assert!(
            n == 1 || i >= first_repeatable,
            "line {i} came {n} times but was committed before the crash"
        );
        assert!(n <= 2, "line {i} came {n} times");
    }
}

#[test]
fn kill_9_of_a_sink_then_restart_writes_every_record() {
    let mut w = Worker::start(
        // A short session: the killed worker's group member is dropped after 6 s, not 45 s.
        "value.converter=org.apache.kafka.connect.storage.StringConverter\n\
         consumer.session.timeout.ms=6000\n",
        &[],
    );
    let topic = new_topic("crash-sink", 1);
    let n = 100_000;
    let input: String = (0..n).map(|i| format!("record-{i}\n")).collect();
    let o = kct(&["-b", b(), "-t", &topic, "-P"], input.as_bytes());
    assert_eq!(code(&o), 0, "{}", show(&o.stderr));
    let out = w.dir.join("sink.txt");
    let cfg = json!({"connector.class": "FileStreamSink", "file": out.to_str().unwrap(), "topics": topic});
    w.create("sink", &cfg);
    let lines = |p: &std::path::Path| {
        std::fs::read_to_string(p)
            .map(|s| s.lines().count())
            .unwrap_or(0)
    };
    wait(&w, 300, "part of the topic written", || {
        lines(&out) > n / 10
    });
    w.kill9();
    // A Kafka broker drops the killed member after the session timeout and rebalances the new
    // one in whenever it joins. tansu 0.6 drops it only if its session has already expired
    // when the new member joins; otherwise the new member's assignment keeps the partition for
    // the dead one, and no rebalance follows. Restart after the session timeout.
    std::thread::sleep(Duration::from_millis(6500));
    w.launch(&[]);
    w.create("sink", &cfg);
    let text = || std::fs::read_to_string(&out).unwrap_or_default();
    wait(&w, 300, "every record in the file", || {
        let t = text();
        t.contains(&format!("record-{}\n", n - 1))
    });
    // A kill -9 can cut the last line written before it; the restart appends after the
    // fragment, so records are found as tokens rather than whole lines.
    let t = text();
    let present: std::collections::HashSet<usize> = t
        .split("record-")
        .filter_map(|tok| tok.trim_end_matches('\n').parse().ok())
        .collect();
    for i in 0..n {
        assert!(present.contains(&i), "record-{i} is missing");
    }
}
