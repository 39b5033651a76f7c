//! The Kafka Connect source-offset reset recipe of kcat.md §4, end to end, through kcat and
//! kct: find the connector's offset record in a 25-partition compacted `connect-offsets`-style
//! topic, then write a tombstone with the same key bytes to the same partition.

mod common;

use common::*;

const PARTITIONS: i32 = 25;
const T0: i64 = 1_565_000_000_000;

const KEY: &str = r#"["connect-file-pulse-quickstart-log4j",{"name":"kafka-connect.log"}]"#;
const OTHERS: [&str; 2] = [
    r#"["jdbc-source",{"protocol":"1","table":"mydb.orders"}]"#,
    r#"["other-connector",{"file":"/var/log/x.log"}]"#,
];

const RECIPE_FORMAT: &str = r"\nKey (%K bytes): %k\n  Value (%S bytes): %s\n  Timestamp: %T\n  Partition: %p\n  Offset: %o\n";

/// A connect-offsets-style topic as Connect writes it: Java default partitioner (murmur2).
fn offsets_topic() -> String {
    let t = unique_topic("connect-offsets");
    create_topic(&t, PARTITIONS, &[("cleanup.policy", "compact")]);
    let mut recs = Vec::new();
    let mut ts = T0;
    for (i, key) in std::iter::once(KEY).chain(OTHERS).enumerate() {
        let p = murmur2_partition(key.as_bytes(), PARTITIONS);
        for n in 0..2 {
            ts += 1000;
            let value = format!(r#"{{"position":{},"rows":{}}}"#, 1000 * (i + 1) + n, n);
            recs.push(Rec::kv(p, key, value).ts(ts));
        }
    }
    produce(&t, &recs);
    t
}

/// Partition of `key` in the output of the recipe's `-f` format.
fn partition_in_recipe_output(out: &[u8], key: &str) -> Option<i32> {
    let text = String::from_utf8_lossy(out);
    let mut lines = text.lines();
    while let Some(l) = lines.next() {
        if l.starts_with("Key (") && l.ends_with(&format!("): {key}")) {
            for l in lines.by_ref() {
                if let Some(p) = l.trim().strip_prefix("Partition: ") {
                    return p.parse().ok();
                }
            }
        }
    }
    None
}

#[test]
fn murmur2_matches_librdkafka() {
    // Sanity of the harness's Java murmur2 against librdkafka's murmur2_random (through kcat).
    let t = new_topic("murmur", PARTITIONS);
    let keys = [KEY, OTHERS[0], OTHERS[1], "a", "ab", "abc", "abcd", "abcde"];
    let input: String = keys.iter().map(|k| format!("{k}#v\n")).collect();
    let args = [
        "-b",
        b(),
        "-P",
        "-t",
        &t,
        "-K#",
        "-X",
        "topic.partitioner=murmur2_random",
    ];
    let out = kcat(&args, input.as_bytes());
    assert_eq!(code(&out), 0, "{}", show(&out.stderr));
    let read = kcat(&consume_args(&t, &["-f", "%p %k\n"]), b"");
    for k in keys {
        let want = format!("{} {k}", murmur2_partition(k.as_bytes(), PARTITIONS));
        assert!(
            String::from_utf8_lossy(&read.stdout)
                .lines()
                .any(|l| l == want),
            "murmur2 of {k}: want {want:?} in {}",
            show(&read.stdout)
        );
    }
}

#[test]
fn connect_offset_reset_recipe() {
    let t = offsets_topic();
    let twin = offsets_topic();
    let expected_p = murmur2_partition(KEY.as_bytes(), PARTITIONS);
    let mut c = Checks::succeeding();

    // Step 2: find the key and the partition.
    c.same_sorted("-C -K# -e", &consume_args(&t, &["-K#"]), b"");
    let p = c.same_sorted("recipe -f", &consume_args(&t, &["-f", RECIPE_FORMAT]), b"");
    assert_eq!(
        partition_in_recipe_output(&p.kcat.stdout, KEY),
        Some(expected_p),
        "oracle: kcat should show the key in its murmur2 partition: {}",
        show(&p.kcat.stdout)
    );
    c.check(
        "kct shows the partition",
        partition_in_recipe_output(&p.kct.stdout, KEY) == Some(expected_p),
        || format!("kct stdout: {}", show(&p.kct.stdout)),
    );

    // Step 3: the tombstone, same key bytes, same partition: kct into `t`, kcat into `twin`.
    let ps = expected_p.to_string();
    let input = format!("{KEY}#\n");
    let tomb = |topic: &str| {
        vec![
            "-b".to_string(),
            b().to_string(),
            "-t".into(),
            topic.into(),
            "-P".into(),
            "-Z".into(),
            "-K#".into(),
            "-p".into(),
            ps.clone(),
        ]
    };
    let by_kcat = kcat(&tomb(&twin), input.as_bytes());
    let by_kct = kct(&tomb(&t), input.as_bytes());
    assert_eq!(code(&by_kcat), 0, "kcat: {}", show(&by_kcat.stderr));
    c.check(
        "tombstone: exit code and stdout",
        code(&by_kct) == 0 && by_kct.stdout == by_kcat.stdout,
        || {
            format!(
                "kct exit {} stdout {} stderr {}",
                code(&by_kct),
                show(&by_kct.stdout),
                show(&by_kct.stderr)
            )
        },
    );

    // Step 4: the tombstone is in the same partition, payload null, written identically.
    let read = kcat(&consume_args(&t, &["-J", "-p", &ps]), b"");
    let recs = json_lines(&read.stdout);
    let last = recs.last().cloned().unwrap_or_default();
    c.check(
        "kct's tombstone: last record of the partition has the key and payload null",
        last["key"] == KEY && last["payload"].is_null() && last["partition"] == expected_p,
        || {
            format!(
                "partition {expected_p} read by kcat -J: {}",
                show(&read.stdout)
            )
        },
    );
    let (a, k) = (normalized_records(&twin), normalized_records(&t));
    c.check(
        "whole topic after the tombstone: kcat-written twin vs kct-written",
        a == k,
        || format!("kcat wrote: {a:?}\nkct wrote: {k:?}"),
    );
    c.same_sorted("-J after the tombstone", &consume_args(&t, &["-J"]), b"");
    c.same_sorted("-K# after the tombstone", &consume_args(&t, &["-K#"]), b"");
    c.same(
        "-Z -K# -p N after the tombstone",
        &consume_args(&t, &["-Z", "-K#", "-p", &ps]),
        b"",
    );
    c.finish();
}

#[test]
fn moving_an_offset_instead_of_resetting() {
    // Debezium FAQ variant: a new JSON value after the delimiter (`-K \| -p N`).
    let t = offsets_topic();
    let twin = offsets_topic();
    let ps = murmur2_partition(KEY.as_bytes(), PARTITIONS).to_string();
    let input = format!("{KEY}|{{\"position\":1,\"rows\":0}}\n");
    let args = |topic: &str| {
        vec![
            "-b".to_string(),
            b().to_string(),
            "-t".into(),
            topic.into(),
            "-P".into(),
            "-K".into(),
            "|".into(),
            "-p".into(),
            ps.clone(),
        ]
    };
    let by_kcat = kcat(&args(&twin), input.as_bytes());
    let by_kct = kct(&args(&t), input.as_bytes());
    assert_eq!(code(&by_kcat), 0, "kcat: {}", show(&by_kcat.stderr));
    assert_eq!(code(&by_kct), 0, "kct: {}", show(&by_kct.stderr));
    let (a, k) = (normalized_records(&twin), normalized_records(&t));
    assert_eq!(a, k, "kcat-written vs kct-written");
}
