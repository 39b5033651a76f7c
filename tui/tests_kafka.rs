//! Snapshots of the Kafka views (the inspector's `:offsets`, `:configs`, `:status`, `:topics`
//! and the message browser) at 80×24 and 160×45, from fixed data: the internal topics are
//! records in memory read through the inspector library itself (anomalies planted as real
//! records), the browser's records are built by hand. Loading with progress, empty, error and
//! anomaly states, the reset's confirmations and the jq filter's compile error included.

use std::collections::HashMap;
use std::sync::Arc;

use kct::config::context::{Auth, InternalTopics, Target};
use kct::internal::inspect::{LogRecord, OwnedRecord, ReadStats, TopicIo, WriteRecord};
use kct::internal::offset_reset::{self, ModifyError, ModifyOptions, Topics};
use kct::kafka::browse::{BrowsedRecord, TopicSummary};
use kct::record::TimestampType;
use ratatui::crossterm::event::KeyCode;

use super::*;
use crate::tui::jobs::{Mutation, Request, TopicWrite};
use crate::tui::kafka::{self, BrowseUpdate, Internal};

/// Internal topics in memory: (topic, partition count, records in log order).
struct Mem(HashMap<String, (i32, Vec<OwnedRecord>)>);

impl TopicIo for Mem {
    fn partition_count(&self, topic: &str) -> Result<i32, String> {
        self.0
            .get(topic)
            .map(|t| t.0)
            .ok_or_else(|| format!("topic {topic} does not exist on 10.0.1.7:9092"))
    }

    fn read(
        &self,
        topic: &str,
        progress: &mut dyn FnMut(u64, u64),
        visit: &mut dyn FnMut(&LogRecord<'_>),
    ) -> Result<ReadStats, String> {
        let (partitions, records) = self
            .0
            .get(topic)
            .ok_or_else(|| format!("topic {topic} does not exist on 10.0.1.7:9092"))?;
        for r in records {
            visit(&r.borrow());
        }
        progress(records.len() as u64, records.len() as u64);
        Ok(ReadStats {
            partitions: *partitions,
            records: records.len() as u64,
        })
    }

    fn write(&self, _: &str, _: &[WriteRecord]) -> Result<(), String> {
        Ok(())
    }
}

const T0: i64 = 1_741_000_000_000;

fn rec(partition: i32, offset: i64, key: &str, value: Option<&str>) -> OwnedRecord {
    OwnedRecord {
        partition,
        offset,
        timestamp: Some(T0 + offset * 61_000),
        key: Some(key.as_bytes().to_vec()),
        value: value.map(|v| v.as_bytes().to_vec()),
    }
}

fn target() -> Target {
    Target {
        context: Some("prod-eu".into()),
        connect: vec!["http://10.0.1.7:8083".into()],
        bootstrap: "10.0.1.7:9092".into(),
        kafka: Vec::new(),
        topics: InternalTopics {
            offsets: "connect-offsets".into(),
            configs: "connect-configs".into(),
            status: "connect-status".into(),
        },
        auth: Auth::default(),
    }
}

/// A cluster's internal topics with one of each anomaly.
fn cluster() -> Mem {
    let jdbc = |t: &str| format!(r#"["orders-jdbc-source",{{"protocol":"1","table":"{t}"}}]"#);
    let offsets = vec![
        rec(
            14,
            1_204_300,
            &jdbc("shop.orders"),
            Some(r#"{"incrementing":982000}"#),
        ),
        rec(
            14,
            1_204_311,
            &jdbc("shop.orders"),
            Some(r#"{"incrementing":982331}"#),
        ),
        rec(
            3,
            1_203_987,
            &jdbc("shop.refunds"),
            Some(r#"{"incrementing":1201}"#),
        ),
        // The same source partition with the fields the other way round.
        rec(
            7,
            1_100_000,
            r#"["orders-jdbc-source",{"table":"shop.orders","protocol":"1"}]"#,
            Some(r#"{"incrementing":1}"#),
        ),
        rec(
            10,
            12,
            r#"["legacy-file-source",{"filename":"/data/in/orders.csv"}]"#,
            Some(r#"{"position":88211}"#),
        ),
        // A tombstone that missed its record's partition.
        rec(
            2,
            40,
            r#"["inventory-cdc",{"server":"pg1"}]"#,
            Some(r#"{"lsn":7788}"#),
        ),
        rec(5, 41, r#"["inventory-cdc",{"server":"pg1"}]"#, None),
        rec(0, 99, "not-a-connect-key", Some("\u{1}\u{2}binary")),
    ];
    let configs = vec![
        rec(
            0,
            0,
            "connector-orders-jdbc-source",
            Some(
                r#"{"properties":{"connector.class":"io.confluent.connect.jdbc.JdbcSourceConnector","name":"orders-jdbc-source","tasks.max":"1","connection.password":"s3cret"}}"#,
            ),
        ),
        rec(
            0,
            1,
            "task-orders-jdbc-source-0",
            Some(
                r#"{"properties":{"connector.class":"io.confluent.connect.jdbc.JdbcSourceConnector","task.class":"io.confluent.connect.jdbc.source.JdbcSourceTask","connection.password":"s3cret"}}"#,
            ),
        ),
        rec(0, 2, "commit-orders-jdbc-source", Some(r#"{"tasks":1}"#)),
        rec(
            0,
            3,
            "connector-inventory-cdc",
            Some(
                r#"{"properties":{"connector.class":"io.debezium.connector.postgresql.PostgresConnector","name":"inventory-cdc"}}"#,
            ),
        ),
        rec(
            0,
            4,
            "target-state-inventory-cdc",
            Some(r#"{"state":"PAUSED"}"#),
        ),
        rec(
            0,
            5,
            "task-inventory-cdc-0",
            Some(
                r#"{"properties":{"task.class":"io.debezium.connector.postgresql.PostgresConnectorTask"}}"#,
            ),
        ),
    ];
    let status = vec![
        rec(
            0,
            0,
            "status-connector-orders-jdbc-source",
            Some(r#"{"state":"RUNNING","trace":null,"worker_id":"10.0.1.7:8083","generation":3}"#),
        ),
        rec(
            1,
            0,
            "status-task-orders-jdbc-source-0",
            Some(
                r#"{"state":"FAILED","trace":"org.apache.kafka.connect.errors.ConnectException: table shop.orders is gone\n\tat io.confluent.connect.jdbc.source.JdbcSourceTask.poll(JdbcSourceTask.java:412)","worker_id":"10.0.1.8:8083","generation":3}"#,
            ),
        ),
        rec(
            2,
            0,
            "status-topic-shop.orders:connector-orders-jdbc-source",
            Some(
                r#"{"topic":{"name":"shop.orders","connector":"orders-jdbc-source","task":0,"discoverTimestamp":1741000000000}}"#,
            ),
        ),
        rec(3, 0, "status-connector-inventory-cdc", Some("{broken")),
    ];
    let mut m = HashMap::new();
    m.insert("connect-offsets".to_string(), (25, offsets));
    m.insert("connect-configs".to_string(), (1, configs));
    m.insert("connect-status".to_string(), (5, status));
    Mem(m)
}

fn read(kind: Internal, history: bool) -> Reply {
    let r = kafka::inspect_io(&cluster(), &target(), kind, history, &mut |_, _| {});
    Reply::Inspected(kind, r.map(Box::new))
}

fn command(app: &mut App, text: &str) {
    keys(app, ":");
    keys(app, text);
    press(app, KeyCode::Enter);
}

#[test]
fn offsets_inspector() {
    let mut app = loaded("dark");
    command(&mut app, "offsets");
    snap("offsets_reading", &app);
    reply(
        &mut app,
        Reply::InspectProgress(Internal::Offsets, 524_288, 1_204_331),
    );
    snap("offsets_progress", &app);
    reply(&mut app, read(Internal::Offsets, false));
    snap("offsets_anomalies", &app);
    // Fold the first connector, then open a record raw.
    press(&mut app, KeyCode::Enter);
    snap("offsets_folded", &app);
    press(&mut app, KeyCode::Enter);
    keys(&mut app, "jjj");
    press(&mut app, KeyCode::Enter);
    snap("offsets_raw_record", &app);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "h");
    snap("offsets_history_reading", &app);
    reply(&mut app, read(Internal::Offsets, true));
    snap("offsets_history", &app);
    keys(&mut app, "/refunds");
    press(&mut app, KeyCode::Enter);
    snap("offsets_history_filtered", &app);
}

#[test]
fn offsets_reset_through_the_topic() {
    let mut app = loaded("dark");
    command(&mut app, "offsets");
    reply(&mut app, read(Internal::Offsets, false));
    keys(&mut app, "Gx");
    snap("offsets_reset_planning", &app);
    let running = ModifyError::Running {
        connector: "orders-jdbc-source".into(),
        states: vec![
            "connector RUNNING on 10.0.1.7:8083".into(),
            "task 0 RUNNING on 10.0.1.8:8083".into(),
        ],
    };
    reply(
        &mut app,
        Reply::TopicPlan(TopicWrite::reset("orders-jdbc-source"), Err(running)),
    );
    snap("offsets_reset_running", &app);
    keys(&mut app, "y");
    let topics = Topics {
        offsets: "connect-offsets",
        status: "connect-status",
    };
    let plan = offset_reset::reset_offsets(
        &cluster(),
        topics,
        "orders-jdbc-source",
        ModifyOptions {
            dry_run: true,
            force: true,
        },
    );
    reply(
        &mut app,
        Reply::TopicPlan(
            TopicWrite {
                force: true,
                ..TopicWrite::reset("orders-jdbc-source")
            },
            plan,
        ),
    );
    snap("offsets_reset_confirm", &app);
    keys(&mut app, "y");
    reply(
        &mut app,
        Reply::Done(
            crate::tui::jobs::Mutation::TopicWrite(TopicWrite {
                force: true,
                ..TopicWrite::reset("orders-jdbc-source")
            }),
            Ok(
                "wrote 3 tombstone(s) to connect-offsets for orders-jdbc-source and read them back"
                    .into(),
            ),
        ),
    );
    assert!(app.store.inspect[&Internal::Offsets].stale);
    snap("offsets_reset_done", &app);
    let mut ro = app_with("dark", true);
    reply(&mut ro, Reply::Connectors(Ok(fixture())));
    command(&mut ro, "offsets");
    reply(&mut ro, read(Internal::Offsets, false));
    keys(&mut ro, "jx");
    snap("offsets_readonly", &ro);
}

#[test]
fn offsets_set_one_offset_through_the_topic() {
    let mut app = loaded("dark");
    command(&mut app, "offsets");
    reply(&mut app, read(Internal::Offsets, false));
    // The group line first: `o` wants a source partition.
    keys(&mut app, "o");
    assert!(app.overlay.is_none());
    assert!(app
        .status
        .as_ref()
        .unwrap()
        .text
        .contains("select a source partition"));
    // An undecodable key has no source partition to set.
    keys(&mut app, "jo");
    let status = app.status.clone().unwrap();
    assert!(
        status.error && status.text.contains("does not decode"),
        "{status:?}"
    );
    assert!(app.overlay.is_none());
    // The entry of legacy-file-source (the groups are sorted by name).
    keys(&mut app, "jjjjjo");
    snap("offsets_set_prompt", &app);
    // A bad answer is an error, and nothing is asked of Kafka.
    keys(&mut app, "x");
    press(&mut app, KeyCode::Enter);
    let status = app.status.clone().unwrap();
    assert!(
        status.error && status.text.contains("is not an offset"),
        "{status:?}"
    );
    assert!(app.overlay.is_none());
    keys(&mut app, "o");
    press_n(&mut app, KeyCode::Backspace, 40);
    keys(&mut app, r#"{"position":42}"#);
    press(&mut app, KeyCode::Enter);
    let sent = app.jobs_sent();
    let Some(Request::TopicPlan(w)) = sent.last() else {
        panic!("no plan asked for: {sent:?}");
    };
    let want: kct::connect::types::ConnectorOffsets = serde_json::from_value(serde_json::json!(
        {"offsets": [{"partition": {"filename": "/data/in/orders.csv"}, "offset": {"position": 42}}]}
    ))
    .unwrap();
    assert_eq!(w.name, "legacy-file-source");
    assert_eq!(w.patch.as_ref(), Some(&want));
    assert!(!w.force);
    // The plan, as the jobs thread makes it (a dry run through the same library).
    let plan = kafka::write_io(&cluster(), &target(), w, true);
    let w = w.clone();
    reply(&mut app, Reply::TopicPlan(w.clone(), plan));
    snap("offsets_set_confirm", &app);
    let out = render(&app, 160, 45);
    for text in [
        "Set the offset of legacy-file-source through connect-offsets?",
        r#"source partition {"filename":"/data/in/orders.csv"}"#,
        "partition 10",
        r#"key ["legacy-file-source",{"filename":"/data/in/orders.csv"}]"#,
        r#"now   {"position":88211}"#,
        r#"value {"position":42}"#,
    ] {
        assert!(out.contains(text), "{text}:\n{out}");
    }
    keys(&mut app, "y");
    let sent = app.jobs_sent();
    assert!(
        matches!(sent.last(), Some(Request::Mutate(Mutation::TopicWrite(x))) if *x == w),
        "{sent:?}"
    );
    reply(
        &mut app,
        Reply::Done(
            Mutation::TopicWrite(w.clone()),
            Ok("wrote 1 offset record(s) to connect-offsets for legacy-file-source and read them back".into()),
        ),
    );
    assert!(app.store.inspect[&Internal::Offsets].stale);

    // A running connector: stop it first, or plan past it (the same body, forced).
    let running = ModifyError::Running {
        connector: "legacy-file-source".into(),
        states: vec!["connector RUNNING on 10.0.1.7:8083".into()],
    };
    reply(&mut app, Reply::TopicPlan(w.clone(), Err(running)));
    snap("offsets_set_running", &app);
    keys(&mut app, "y");
    let sent = app.jobs_sent();
    assert!(
        matches!(sent.last(), Some(Request::TopicPlan(x)) if x.force && x.patch == w.patch),
        "{sent:?}"
    );

    // null removes the offset: a tombstone under the same key bytes.
    keys(&mut app, "o");
    press_n(&mut app, KeyCode::Backspace, 40);
    keys(&mut app, "null");
    press(&mut app, KeyCode::Enter);
    let sent = app.jobs_sent();
    let Some(Request::TopicPlan(w)) = sent.last() else {
        panic!("{sent:?}");
    };
    assert_eq!(w.patch.as_ref().unwrap().offsets[0].offset, None);
    let plan = kafka::write_io(&cluster(), &target(), w, true).unwrap();
    assert_eq!(plan.records.len(), 1);
    assert_eq!(plan.records[0].value, None);
    assert_eq!(plan.records[0].partition, 10);

    // --readonly refuses it.
    let mut ro = app_with("dark", true);
    reply(&mut ro, Reply::Connectors(Ok(fixture())));
    command(&mut ro, "offsets");
    reply(&mut ro, read(Internal::Offsets, false));
    keys(&mut ro, "jo");
    assert!(ro.overlay.is_none());
    let status = ro.status.clone().unwrap();
    assert!(
        status.error && status.text.contains("read-only: set-offset"),
        "{status:?}"
    );
}

fn press_n(app: &mut App, code: KeyCode, n: usize) {
    for _ in 0..n {
        press(app, code);
    }
}

#[test]
fn inspector_errors_and_empty() {
    let mut app = loaded("dark");
    command(&mut app, "offsets");
    let missing = "topic connect-offsets does not exist on 10.0.1.7:9092; name the Connect cluster's internal topics with --offsets-topic/--configs-topic/--status-topic or the context's offsets-topic/configs-topic/status-topic";
    reply(
        &mut app,
        Reply::Inspected(Internal::Offsets, Err(missing.into())),
    );
    snap("offsets_missing_topic", &app);
    command(&mut app, "status");
    let down = "cannot reach Kafka at 10.0.1.7:9092 within 10 s (Meta data fetch error: BrokerTransportFailure (Local: Broker transport failure)); check -b or the context's bootstrap";
    reply(
        &mut app,
        Reply::Inspected(Internal::Status, Err(down.into())),
    );
    snap("status_unreachable", &app);
    let mut empty = loaded("dark");
    command(&mut empty, "configs");
    let none = Mem(HashMap::from([(
        "connect-configs".to_string(),
        (1, Vec::new()),
    )]));
    let r = kafka::inspect_io(&none, &target(), Internal::Configs, false, &mut |_, _| {});
    reply(
        &mut empty,
        Reply::Inspected(Internal::Configs, r.map(Box::new)),
    );
    snap("configs_empty", &empty);
}

#[test]
fn configs_and_status_inspectors() {
    let mut app = loaded("dark");
    command(&mut app, "configs");
    reply(&mut app, read(Internal::Configs, false));
    snap("configs_latest", &app);
    keys(&mut app, "jj");
    press(&mut app, KeyCode::Enter);
    snap("configs_entry_masked", &app);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "h");
    reply(&mut app, read(Internal::Configs, true));
    snap("configs_history", &app);
    command(&mut app, "status");
    reply(&mut app, read(Internal::Status, false));
    snap("status_latest", &app);
    keys(&mut app, "j");
    press(&mut app, KeyCode::Enter);
    snap("status_task_trace", &app);
}

fn record(partition: i32, offset: i64, key: Option<&str>, value: Option<&str>) -> BrowsedRecord {
    BrowsedRecord {
        topic: Arc::from("orders"),
        partition,
        offset,
        timestamp_type: TimestampType::CreateTime,
        timestamp: T0 + offset * 1000,
        broker: 1,
        key: key.map(|k| k.as_bytes().to_vec()),
        value: value.map(|v| v.as_bytes().to_vec()),
        headers: vec![(b"traceparent".to_vec(), Some(b"00-4bf9-01".to_vec()))],
    }
}

fn records() -> Vec<BrowsedRecord> {
    (0..30)
        .map(|i| {
            let value = format!(
                r#"{{"id":{i},"customer":"c-{}","total":{}.{:02},"status":"{}"}}"#,
                100 + i % 7,
                10 + i * 3,
                i * 7 % 100,
                ["NEW", "PAID", "SHIPPED"][i as usize % 3]
            );
            let key = format!("order-{i}");
            record(i as i32 % 3, 1000 + i / 3, Some(&key), Some(&value))
        })
        .chain([
            record(1, 2000, None, None),
            record(2, 2001, Some("k"), Some("plain text, not json")),
        ])
        .collect()
}

fn topics() -> Vec<TopicSummary> {
    let t = |name: &str, partitions, error: Option<&str>| TopicSummary {
        name: name.into(),
        partitions,
        replicas: 3,
        error: error.map(str::to_string),
    };
    vec![
        t("__consumer_offsets", 50, None),
        t("connect-configs", 1, None),
        t("connect-offsets", 25, None),
        t("connect-status", 5, None),
        t("orders", 3, None),
        t("refunds", 6, Some("Broker: Leader not available")),
    ]
}

fn session(app: &App) -> u64 {
    app.store.browse.as_ref().expect("a browse session").id
}

#[test]
fn topics_and_the_browser() {
    let mut app = loaded("dark");
    command(&mut app, "topics");
    snap("topics_loading", &app);
    reply(&mut app, Reply::KafkaTopics(Ok(topics())));
    snap("topics", &app);
    keys(&mut app, "/ord");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    snap("browse_opening", &app);
    let id = session(&app);
    reply(
        &mut app,
        Reply::Browse(id, BrowseUpdate::Opened(vec![0, 1, 2])),
    );
    reply(
        &mut app,
        Reply::Browse(id, BrowseUpdate::Records(records(), true)),
    );
    snap("browse_records", &app);
    keys(&mut app, "G");
    press(&mut app, KeyCode::Enter);
    snap("browse_detail_text", &app);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "g");
    press(&mut app, KeyCode::Enter);
    snap("browse_detail_json", &app);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "J");
    keys(
        &mut app,
        "select(.payload | fromjson? | .status == \"PAID\") | .payload | fromjson | .total",
    );
    snap("browse_jq", &app);
    keys(&mut app, " |");
    snap("browse_jq_compile_error", &app);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "f");
    reply(
        &mut app,
        Reply::Browse(
            id,
            BrowseUpdate::Error("Broker: Not leader for partition".into()),
        ),
    );
    snap("browse_tail_with_error", &app);
}

#[test]
fn browser_errors_and_empty() {
    let mut app = loaded("dark");
    command(&mut app, "topics");
    let down = "cannot reach Kafka at 10.0.1.7:9092 within 10 s (Meta data fetch error: BrokerTransportFailure (Local: Broker transport failure)); check -b or the context's bootstrap";
    reply(&mut app, Reply::KafkaTopics(Err(down.into())));
    snap("topics_unreachable", &app);
    reply(&mut app, Reply::KafkaTopics(Ok(topics())));
    keys(&mut app, "/orders");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    let id = session(&app);
    reply(
        &mut app,
        Reply::Browse(id, BrowseUpdate::Opened(vec![0, 1, 2])),
    );
    reply(&mut app, Reply::Browse(id, BrowseUpdate::CaughtUp));
    snap("browse_empty", &app);
    keys(&mut app, "p");
    keys(&mut app, "7");
    press(&mut app, KeyCode::Enter);
    let id = session(&app);
    reply(
        &mut app,
        Reply::Browse(
            id,
            BrowseUpdate::Error("topic orders has no partition 7 (it has 3: 0..2)".into()),
        ),
    );
    snap("browse_no_such_partition", &app);
    keys(&mut app, "s");
    keys(&mut app, "yesterday");
    press(&mut app, KeyCode::Enter);
    snap("browse_bad_start", &app);
    assert_error_status(&app, "yesterday");
    keys(&mut app, "p");
    keys(&mut app, "x");
    press(&mut app, KeyCode::Enter);
    assert_error_status(&app, "\"x\" is not a partition");
}

/// The status line says `text`, in the theme's error colour.
#[track_caller]
fn assert_error_status(app: &App, text: &str) {
    let status = app.status.as_ref().expect("a status line");
    assert!(status.error && status.text.contains(text), "{status:?}");
    let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
    term.draw(|f| ui::draw(f, app)).unwrap();
    let buf = term.backend().buffer();
    let row = 22;
    let line: String = (0..80).map(|x| buf[(x, row)].symbol()).collect();
    let at = line.find(&text[..3]).unwrap_or_else(|| panic!("{line}"));
    let x = line[..at].chars().count() as u16;
    let want = app.theme.style(crate::tui::theme::Role::Error).fg;
    assert_eq!(buf[(x, row)].fg, want.unwrap_or_default(), "{line}");
}

#[test]
fn detail_offsets_from_the_topic_without_kip_875() {
    let mut app = loaded("dark");
    open_by_filter(&mut app, "orders-jdbc");
    for _ in 0..4 {
        press(&mut app, KeyCode::Tab);
    }
    let offsets = kafka::topic_offsets_io(&cluster(), &target(), "orders-jdbc-source");
    reply(
        &mut app,
        Reply::TopicOffsets("orders-jdbc-source".into(), offsets),
    );
    snap("detail_offsets_from_topic", &app);
}
