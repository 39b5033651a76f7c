//! `kct::kafka::browse` (the console's message browser) against the private tansu broker:
//! topics and partitions from metadata, start positions (beginning, one partition, `-N`, a time,
//! the end), owned records with key, value, headers and timestamps, the `-J` envelope, errors
//! for a missing topic and partition.

mod common;

use std::time::{Duration, Instant};

use common::*;
use kct::kafka::browse::{list_topics, BrowseSpec, BrowsedRecord, Browser, Start};
use rdkafka::config::ClientConfig;

fn config() -> ClientConfig {
    let mut cc = ClientConfig::new();
    cc.set("bootstrap.servers", b());
    cc.set("fetch.wait.max.ms", "5");
    cc.set("log_level", "0");
    cc
}

/// Reads until `n` records arrived (or 20 s passed).
fn read(spec: BrowseSpec, n: usize) -> Vec<BrowsedRecord> {
    let mut browser = Browser::open(&config(), b(), &spec).expect("open");
    let until = Instant::now() + Duration::from_secs(20);
    let mut out = Vec::new();
    while out.len() < n && Instant::now() < until {
        out.extend(
            browser
                .poll(1000, Duration::from_millis(200))
                .expect("poll"),
        );
    }
    out.sort_by_key(|r| (r.partition, r.offset));
    out
}

fn spec(topic: &str, partition: Option<i32>, start: Start) -> BrowseSpec {
    BrowseSpec {
        topic: topic.into(),
        partition,
        start,
    }
}

#[test]
fn browses_from_each_start_position() {
    let topic = unique_topic("browse");
    create_topic(&topic, 3, &[]);
    let base = 1_700_000_000_000;
    let recs: Vec<Rec> = (0..12)
        .map(|i| {
            Rec::kv(i % 3, format!("k{i}"), format!(r#"{{"n":{i}}}"#))
                .header("h", Some(b"v"))
                .ts(base + i64::from(i) * 1000)
        })
        .collect();
    produce(&topic, &recs);

    let topics = list_topics(&config(), b()).expect("topics");
    let t = topics.iter().find(|t| t.name == topic).expect("listed");
    assert_eq!((t.partitions, t.error.as_deref()), (3, None));

    let all = read(spec(&topic, None, Start::Beginning), 12);
    assert_eq!(all.len(), 12);
    let first = &all[0];
    assert_eq!((first.partition, first.offset), (0, 0));
    assert_eq!(first.key.as_deref(), Some(&b"k0"[..]));
    assert_eq!(first.value.as_deref(), Some(&br#"{"n":0}"#[..]));
    assert_eq!(first.headers, vec![(b"h".to_vec(), Some(b"v".to_vec()))]);
    assert_eq!(first.time(), Some(base));
    let envelope = String::from_utf8(first.envelope()).unwrap();
    assert!(
        envelope.starts_with(&format!(
            r#"{{"topic":"{topic}","partition":0,"offset":0,"tstype":"create","ts":{base},"broker":"#
        )),
        "{envelope}"
    );
    assert!(envelope.ends_with(r#""headers":["h","v"],"key":"k0","payload":"{\"n\":0}"}"#));
    assert!(first.pretty().contains("\"payload\": {\n    \"n\": 0\n  }"));

    let one = read(spec(&topic, Some(1), Start::Beginning), 4);
    assert!(one.iter().all(|r| r.partition == 1) && one.len() == 4);

    let tail = read(spec(&topic, None, Start::Tail(1)), 3);
    let keys: Vec<&[u8]> = tail.iter().filter_map(|r| r.key.as_deref()).collect();
    assert_eq!(keys, [&b"k9"[..], b"k10", b"k11"]);

    // From the time of record 8 on: records 8 to 11, whatever their partition.
    let later = read(spec(&topic, None, Start::Time(base + 8000)), 4);
    let mut ns: Vec<i64> = later.iter().map(|r| r.timestamp - base).collect();
    ns.sort_unstable();
    assert_eq!(ns, [8000, 9000, 10_000, 11_000]);

    // From the end: nothing until something new arrives, then that.
    let mut end = Browser::open(&config(), b(), &spec(&topic, Some(2), Start::End)).unwrap();
    let mut caught_up = false;
    let until = Instant::now() + Duration::from_secs(10);
    while !caught_up && Instant::now() < until {
        assert!(end
            .poll(100, Duration::from_millis(100))
            .unwrap()
            .is_empty());
        caught_up = end.caught_up();
    }
    assert!(caught_up, "never at the end");
    produce(&topic, &[Rec::kv(2, "new", "fresh")]);
    let until = Instant::now() + Duration::from_secs(10);
    let mut fresh = Vec::new();
    while fresh.is_empty() && Instant::now() < until {
        fresh = end.poll(100, Duration::from_millis(100)).unwrap();
    }
    assert_eq!(fresh.len(), 1);
    assert_eq!(fresh[0].value.as_deref(), Some(&b"fresh"[..]));
}

#[test]
fn missing_topics_and_partitions_are_named() {
    let topic = unique_topic("browse-missing");
    let e = Browser::open(&config(), b(), &spec(&topic, None, Start::Beginning))
        .err()
        .expect("a missing topic");
    assert!(e.contains(&format!("topic {topic} does not exist")), "{e}");
    create_topic(&topic, 2, &[]);
    let e = Browser::open(&config(), b(), &spec(&topic, Some(5), Start::Beginning))
        .err()
        .expect("a missing partition");
    assert_eq!(
        e,
        format!("topic {topic} has no partition 5 (it has 2: 0..1)")
    );
}
