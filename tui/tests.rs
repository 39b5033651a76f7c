//! Snapshot tests of every view at 80×24 and 160×45 from fixed data (TestBackend + insta),
//! with loading, empty and error states, the overlays, read-only mode and each theme. The
//! app is driven as in real use: background replies and keys through `update`.

use std::collections::BTreeMap;
use std::time::Duration;

use indexmap::IndexMap;
use kct::config::context::{ConfigFile, Overrides};
use kct::connect::client::ExpandedConnector;
use kct::connect::types::{ConfigKeyInfo, ConnectorOffsets, PluginInfo, ServerInfo};
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use serde_json::json;

use super::app::App;
use super::event::Event;
use super::jobs::{ConfigView, Jobs, Reply};
use super::keymap::Keymap;
use super::store::{ContextRow, Loaded, Store};
use super::theme::{Theme, BUILT_IN};
use super::ui;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 45)];

const TRACE: &str = "org.apache.kafka.connect.errors.ConnectException: Exiting WorkerSinkTask due to unrecoverable exception.\n\tat org.apache.kafka.connect.runtime.WorkerSinkTask.deliverMessages(WorkerSinkTask.java:611)\n\tat org.apache.kafka.connect.runtime.WorkerSinkTask.poll(WorkerSinkTask.java:333)\nCaused by: software.amazon.awssdk.services.s3.model.S3Exception: Access Denied (403)\n\tat software.amazon.awssdk.core.Response.handle(Response.java:88)";

fn task(id: i32, state: &str, worker: &str, trace: Option<&str>) -> serde_json::Value {
    let mut t = json!({"id": id, "state": state, "worker_id": worker});
    if let Some(tr) = trace {
        t["trace"] = json!(tr);
    }
    t
}

fn connector(
    name: &str,
    kind: &str,
    class: &str,
    state: &str,
    tasks: Vec<serde_json::Value>,
    extra: serde_json::Value,
) -> (String, serde_json::Value) {
    let mut config = json!({"connector.class": class, "name": name, "tasks.max": tasks.len().max(1).to_string()});
    for (k, v) in extra.as_object().into_iter().flatten() {
        config[k] = v.clone();
    }
    let ids: Vec<_> = tasks
        .iter()
        .map(|t| json!({"connector": name, "task": t["id"]}))
        .collect();
    let value = json!({
        "status": {"name": name, "connector": {"state": state, "worker_id": "10.0.1.7:8083"}, "tasks": tasks, "type": kind},
        "info": {"name": name, "config": config, "tasks": ids, "type": kind},
    });
    (name.to_string(), value)
}

fn fixture() -> IndexMap<String, ExpandedConnector> {
    let (w7, w8, w9) = ("10.0.1.7:8083", "10.0.1.8:8083", "10.0.1.9:8083");
    let all = vec![
        connector(
            "orders-jdbc-source",
            "source",
            "io.confluent.connect.jdbc.JdbcSourceConnector",
            "RUNNING",
            (0..4).map(|i| task(i, "RUNNING", [w7, w8][i as usize % 2], None)).collect(),
            json!({"topic.prefix": "shop.", "connection.password": "s3cret"}),
        ),
        connector(
            "orders-es-sink",
            "sink",
            "io.confluent.connect.elasticsearch.ElasticsearchSinkConnector",
            "RUNNING",
            vec![
                task(0, "RUNNING", w8, None),
                task(1, "RUNNING", w8, None),
                task(2, "FAILED", w9, Some("java.net.ConnectException: Connection refused\nCaused by: java.io.IOException: es down")),
            ],
            json!({"topics": "orders,refunds", "connection.password": "${file:/secrets.properties:es}", "ssl.keystore.password": "changeit"}),
        ),
        connector(
            "orders-s3-archive-with-a-rather-long-name-for-the-list",
            "sink",
            "io.confluent.connect.s3.S3SinkConnector",
            "FAILED",
            vec![task(0, "FAILED", w7, Some(TRACE)), task(1, "FAILED", w7, Some(TRACE))],
            json!({"topics": "orders"}),
        ),
        connector(
            "orders-dedupe-mirror",
            "source",
            "org.apache.kafka.connect.mirror.MirrorSourceConnector",
            "PAUSED",
            vec![task(0, "PAUSED", w9, None)],
            json!({"topics": "a,b,c"}),
        ),
        connector(
            "legacy-file-source",
            "source",
            "org.apache.kafka.connect.file.FileStreamSourceConnector",
            "STOPPED",
            vec![],
            json!({"topic": "legacy"}),
        ),
        connector(
            "inventory-cdc",
            "source",
            "io.debezium.connector.postgresql.PostgresConnector",
            "RUNNING",
            vec![task(0, "UNASSIGNED", "", None), task(1, "RESTARTING", w8, None)],
            json!({}),
        ),
    ];
    let map: serde_json::Map<String, serde_json::Value> = all.into_iter().collect();
    let mut parsed: IndexMap<String, ExpandedConnector> =
        serde_json::from_value(serde_json::Value::Object(map)).unwrap();
    parsed.sort_keys();
    parsed
}

fn contexts() -> Vec<ContextRow> {
    let file: ConfigFile = toml::from_str(
        "current-context = \"prod-eu\"\n[contexts.prod-eu]\nconnect = [\"http://10.0.1.7:8083\"]\n[contexts.staging]\nconnect = [\"http://staging:8083\"]\n[contexts.dev]\nconnect = [\"http://localhost:8083\"]\n",
    )
    .unwrap();
    file.contexts
        .keys()
        .map(|n| ContextRow {
            name: n.clone(),
            target: file
                .resolve(&Overrides {
                    context: Some(n.clone()),
                    ..Overrides::default()
                })
                .map_err(|e| e.to_string()),
            probe: Loaded::default(),
        })
        .collect()
}

fn app_with(theme: &str, readonly: bool) -> App {
    let store = Store {
        context: "prod-eu".into(),
        url: "http://10.0.1.7:8083".into(),
        contexts: contexts(),
        ..Store::default()
    };
    let keymap = Keymap::new(&BTreeMap::new()).unwrap();
    let theme = Theme::load(theme, None).unwrap();
    let mut app = App::new(
        store,
        theme,
        keymap,
        readonly,
        Duration::from_secs(2),
        Jobs::detached(),
    );
    app.clock = || "14:02:11".to_string();
    app
}

/// An app that has heard back from a cluster with the fixture's connectors.
fn loaded(theme: &str) -> App {
    let mut app = app_with(theme, false);
    reply(&mut app, Reply::Server(Ok(server())));
    reply(&mut app, Reply::Connectors(Ok(fixture())));
    app
}

fn server() -> ServerInfo {
    ServerInfo {
        version: "3.7.1".into(),
        commit: "abc".into(),
        kafka_cluster_id: None,
    }
}

fn reply(app: &mut App, r: Reply) {
    app.update(Event::Job(0, r));
}

fn keys(app: &mut App, keys: &str) {
    for c in keys.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn press(app: &mut App, code: KeyCode) {
    app.update(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

/// Filters the connectors with `/text`, then opens the first match.
fn open_by_filter(app: &mut App, text: &str) {
    keys(app, "/");
    keys(app, text);
    press(app, KeyCode::Enter);
    press(app, KeyCode::Enter);
}

fn render(app: &App, w: u16, h: u16) -> String {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| ui::draw(f, app)).unwrap();
    term.backend().to_string()
}

/// Snapshots `app` at both sizes as `<name>_<w>x<h>`.
fn snap(name: &str, app: &App) {
    for (w, h) in SIZES {
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), render(app, w, h));
    }
}

#[test]
fn connectors_view() {
    let app = loaded("dark");
    snap("connectors", &app);
}

#[test]
fn connectors_sorted_filtered_and_marked() {
    let mut app = loaded("dark");
    keys(&mut app, "oooO");
    snap("connectors_sorted_by_state_desc", &app);
    let mut app = loaded("dark");
    keys(&mut app, "/orders");
    snap("connectors_filter_typing", &app);
    press(&mut app, KeyCode::Enter);
    keys(&mut app, " j ");
    snap("connectors_filtered_marked", &app);
    keys(&mut app, "p");
    snap("confirm_bulk_pause", &app);
    keys(&mut app, "n");
    keys(&mut app, "R");
    snap("restart_menu", &app);
    keys(&mut app, "f");
    snap("confirm_restart_failed", &app);
}

#[test]
fn connectors_loading_empty_and_error() {
    let app = app_with("dark", false);
    snap("connectors_loading", &app);
    let mut app = app_with("dark", false);
    reply(&mut app, Reply::Server(Ok(server())));
    reply(&mut app, Reply::Connectors(Ok(IndexMap::new())));
    snap("connectors_empty", &app);
    let mut app = app_with("dark", false);
    let refused =
        "cannot reach Kafka Connect at http://10.0.1.7:8083: Connection refused (os error 111)";
    reply(&mut app, Reply::Connectors(Err(refused.into())));
    snap("connectors_unreachable", &app);
    let mut app = loaded("dark");
    let garbage = "GET http://10.0.1.7:8083/connectors?expand=status&expand=info did not answer like Kafka Connect (HTTP 200, HTML: expected value at line 1 column 1); is this a Kafka Connect REST URL?";
    reply(&mut app, Reply::Connectors(Err(garbage.into())));
    snap("connectors_stale_after_error", &app);
}

#[test]
fn connector_detail_tabs() {
    let mut app = loaded("dark");
    keys(&mut app, "G");
    press(&mut app, KeyCode::Enter);
    let name = "orders-s3-archive-with-a-rather-long-name-for-the-list";
    reply(
        &mut app,
        Reply::Topics(name.into(), Ok(vec!["orders".into()])),
    );
    snap("detail_overview_failed", &app);
    press(&mut app, KeyCode::Tab);
    snap("detail_tasks", &app);
    press(&mut app, KeyCode::Enter);
    snap("trace", &app);
    keys(&mut app, "/Caused");
    press(&mut app, KeyCode::Enter);
    snap("trace_filtered", &app);
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "t");
    snap("confirm_restart_task", &app);
    keys(&mut app, "n");
    press(&mut app, KeyCode::Tab);
    snap("detail_config_loading", &app);
    let es = "orders-es-sink";
    let mut app = loaded("dark");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.view().crumb(), "inventory-cdc");
    press(&mut app, KeyCode::Esc);
    open_by_filter(&mut app, "es-sink");
    snap("detail_overview_degraded", &app);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    let config = app.store.connector(es).unwrap().config.clone();
    let secrets = kct::connect::ops::secret_keys(&config, &[]);
    let masked = kct::connect::ops::masked(&config, &secrets);
    reply(
        &mut app,
        Reply::Config(es.into(), Ok(ConfigView { config: masked })),
    );
    snap("detail_config", &app);
    press(&mut app, KeyCode::Tab);
    reply(
        &mut app,
        Reply::Topics(es.into(), Ok(vec!["orders".into(), "refunds".into()])),
    );
    snap("detail_topics", &app);
    press(&mut app, KeyCode::Tab);
    let offsets: ConnectorOffsets = serde_json::from_value(json!({"offsets": [
        {"partition": {"kafka_topic": "orders", "kafka_partition": 0}, "offset": {"kafka_offset": 4711}},
        {"partition": {"kafka_topic": "refunds", "kafka_partition": 0}, "offset": {"kafka_offset": 12}}
    ]}))
    .unwrap();
    reply(&mut app, Reply::Offsets(es.into(), Ok(offsets)));
    snap("detail_offsets", &app);
    reply(
        &mut app,
        Reply::Offsets(es.into(), Err("Not Found (HTTP 404)".into())),
    );
    let mut fresh = loaded("dark");
    open_by_filter(&mut fresh, "es-sink");
    for _ in 0..4 {
        press(&mut fresh, KeyCode::Tab);
    }
    reply(
        &mut fresh,
        Reply::Offsets(es.into(), Err("Not Found (HTTP 404)".into())),
    );
    snap("detail_offsets_error", &fresh);
    keys(&mut fresh, "z");
    snap("confirm_reset_offsets", &fresh);
}

#[test]
fn plugins_workers_contexts() {
    let mut app = loaded("dark");
    app.update(Event::Key(KeyEvent::new(
        KeyCode::Char(':'),
        KeyModifiers::NONE,
    )));
    keys(&mut app, "pl");
    snap("command_bar_completion", &app);
    press(&mut app, KeyCode::Enter);
    snap("plugins_loading", &app);
    let plugins: Vec<PluginInfo> = serde_json::from_value(json!([
        {"class": "io.confluent.connect.jdbc.JdbcSourceConnector", "type": "source", "version": "10.7.4"},
        {"class": "io.confluent.connect.s3.S3SinkConnector", "type": "sink", "version": "10.5.0"},
        {"class": "org.apache.kafka.connect.file.FileStreamSinkConnector", "type": "sink", "version": "3.7.1"}
    ]))
    .unwrap();
    reply(&mut app, Reply::Plugins(Ok(plugins)));
    snap("plugins", &app);
    keys(&mut app, "G");
    press(&mut app, KeyCode::Enter);
    let class = "org.apache.kafka.connect.file.FileStreamSinkConnector";
    let defs: Vec<ConfigKeyInfo> = serde_json::from_value(json!([
        {"name": "file", "type": "STRING", "required": false, "default_value": null, "importance": "HIGH", "documentation": "Destination filename. If not specified, the standard output will be used", "group": null, "order": -1, "width": "NONE", "display_name": "file", "dependents": []},
        {"name": "topics", "type": "LIST", "required": true, "default_value": null, "importance": "HIGH", "documentation": "List of topics to consume", "group": null, "order": -1, "width": "NONE", "display_name": "topics", "dependents": []},
        {"name": "batch.size", "type": "INT", "required": false, "default_value": "2000", "importance": "LOW", "documentation": null, "group": null, "order": -1, "width": "NONE", "display_name": "batch", "dependents": []}
    ]))
    .unwrap();
    reply(&mut app, Reply::PluginConfig(class.into(), Ok(defs)));
    snap("plugin_defs", &app);
    app.update(Event::Key(KeyEvent::new(
        KeyCode::Char(':'),
        KeyModifiers::NONE,
    )));
    keys(&mut app, "workers");
    press(&mut app, KeyCode::Enter);
    snap("workers", &app);
    press(&mut app, KeyCode::Enter);
    snap("worker_tasks", &app);
    app.update(Event::Key(KeyEvent::new(
        KeyCode::Char(':'),
        KeyModifiers::NONE,
    )));
    keys(&mut app, "ctx");
    press(&mut app, KeyCode::Enter);
    reply(&mut app, Reply::Probe("prod-eu".into(), Ok(server())));
    reply(&mut app, Reply::Probe("dev".into(), Err("cannot reach Kafka Connect at http://localhost:8083: Connection refused (os error 111)".into())));
    snap("contexts", &app);
    keys(&mut app, "G");
    press(&mut app, KeyCode::Enter);
    snap("switched_context", &app);
}

#[test]
fn help_readonly_and_small_terminals() {
    let mut app = loaded("dark");
    keys(&mut app, "?");
    snap("help", &app);
    let mut ro = app_with("dark", true);
    reply(&mut ro, Reply::Server(Ok(server())));
    reply(&mut ro, Reply::Connectors(Ok(fixture())));
    keys(&mut ro, "d");
    snap("readonly_refuses", &ro);
    let mut app = loaded("dark");
    for setup in ["", "\n", "\n\t", "?", "R"] {
        for c in setup.chars() {
            match c {
                '\n' => press(&mut app, KeyCode::Enter),
                '\t' => press(&mut app, KeyCode::Tab),
                c => keys(&mut app, &c.to_string()),
            }
        }
        for w in [1, 2, 5, 10, 19, 20, 21, 33, 40, 79, 80] {
            for h in [1, 2, 4, 5, 6, 10, 24] {
                let out = render(&app, w, h);
                assert_eq!(out.lines().count(), h as usize, "{w}x{h} after {setup:?}");
            }
        }
        press(&mut app, KeyCode::Esc);
    }
    let app = loaded("dark");
    insta::assert_snapshot!("tiny_30x8", render(&app, 30, 8));
}

#[test]
fn themes() {
    for (name, _) in BUILT_IN {
        let app = loaded(name);
        let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
        term.draw(|f| ui::draw(f, &app)).unwrap();
        insta::assert_snapshot!(
            format!("theme_{name}"),
            format!("{:?}", term.backend().buffer())
        );
    }
}

#[test]
fn stale_replies_after_a_switch_are_dropped() {
    let mut app = loaded("dark");
    app.update(Event::Key(KeyEvent::new(
        KeyCode::Char(':'),
        KeyModifiers::NONE,
    )));
    keys(&mut app, "ctx staging");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.store.context, "staging");
    assert!(app.store.connectors.data.is_none());
    reply(&mut app, Reply::Connectors(Ok(fixture())));
    assert!(
        app.store.connectors.data.is_none(),
        "a reply of the old cluster"
    );
    app.update(Event::Job(1, Reply::Connectors(Ok(IndexMap::new()))));
    assert_eq!(app.store.connectors.data.as_ref().map(Vec::len), Some(0));
}

#[test]
fn long_trace_lines_wrap_and_their_continuations_are_searchable() {
    let mut app = loaded("dark");
    keys(&mut app, "G");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Enter);
    let out = render(&app, 60, 24);
    // Nothing is cut: the end of the longest lines shows on their continuation rows.
    assert!(
        !out.contains('…') || out.lines().next().unwrap().contains('…'),
        "{out}"
    );
    assert!(
        out.contains("rkerSinkTask due to unrecoverable exception."),
        "{out}"
    );
    assert!(out.contains("Access Denied (403)"), "{out}");
    // `Access Denied` is on the second row of its line at 60 columns: the search finds the
    // line and shows all of its rows.
    keys(&mut app, "/Access Denied");
    press(&mut app, KeyCode::Enter);
    let out = render(&app, 60, 24);
    let body: Vec<&str> = out
        .lines()
        .skip(2)
        .filter(|l| !l.trim_matches(['"', ' ']).is_empty())
        .collect();
    assert!(body[0].contains("Caused by: software.amazon"), "{out}");
    assert!(body[1].contains("Access Denied (403)"), "{out}");
    assert!(!out.contains("WorkerSinkTask.poll"), "{out}");
    // Scrolling moves by rows: at 60x8 (4 rows of text) `G` shows the last row.
    press(&mut app, KeyCode::Esc);
    render(&app, 60, 8);
    keys(&mut app, "G");
    let out = render(&app, 60, 8);
    assert!(out.contains("  java:88)"), "{out}");
    assert!(!out.contains("ConnectException: Exiting"), "{out}");
}

#[test]
fn the_breadcrumb_wins_over_the_refresh_state_on_narrow_terminals() {
    let mut app = loaded("dark");
    keys(&mut app, ":");
    keys(&mut app, "plugins");
    press(&mut app, KeyCode::Enter);
    for w in [100u16, 80, 70, 60, 50, 45] {
        let out = render(&app, w, 10);
        let head = out.lines().next().unwrap();
        assert!(
            head.starts_with("\" kct ▸ prod-eu") && head.contains("▸ plugins"),
            "{w}: {head}"
        );
    }
    let head = |w| render(&app, w, 10).lines().next().unwrap().to_string();
    assert!(
        head(100).contains("⟳ 2s · 14:02:11 · 6 connectors"),
        "{}",
        head(100)
    );
    assert!(head(50).contains("⟳ 2s · 14:02:11") && !head(50).contains("connectors"));
    assert!(
        head(40).contains("⟳ 2s") && !head(40).contains("14:02:11"),
        "{}",
        head(40)
    );
    assert!(!head(28).contains("⟳"), "{}", head(28));
    assert!(head(28).contains("kct ▸ prod-eu ▸ plugins"), "{}", head(28));
    insta::assert_snapshot!("narrow_header_50x8", render(&app, 50, 8));
    let mut ro = app_with("dark", true);
    reply(&mut ro, Reply::Server(Ok(server())));
    reply(&mut ro, Reply::Connectors(Ok(fixture())));
    let out = render(&ro, 44, 8);
    let head = out.lines().next().unwrap();
    assert!(
        head.contains("kct ▸ prod-eu ▸ connectors") && head.contains("ro ⟳ 2s"),
        "{head}"
    );
}

/// What a broken or odd server may answer: connectors without status or info, unknown states,
/// tasks listed twice or with negative ids, empty and control-laden names and traces, wide
/// characters. Every view and tab renders at every size and every key is answered, no panic.
#[test]
fn odd_answers_never_panic() {
    let odd = json!({
        "no-status": {"info": {"name": "no-status", "config": {}, "tasks": [], "type": "source"}},
        "no-info": {"status": {"name": "no-info", "connector": {"state": "DESTROYED", "worker_id": ""},
                                "tasks": [], "type": "unknown"}},
        "": {},
        "ctl\u{1b}[31m\nname\t日本語": {
            "status": {"name": "x", "connector": {"state": "FAILED", "worker_id": "w",
                        "trace": "\n\n\tat \u{0}\r\nCaused by:"},
                       "tasks": [
                           {"id": -1, "state": "FAILED", "worker_id": "w", "trace": ""},
                           {"id": 7, "state": "RUNNING", "worker_id": "w"},
                           {"id": 7, "state": "FAILED", "worker_id": "w", "trace": "Caused by:\nCaused by:"}
                       ], "type": "sink"},
            "info": {"name": "x", "config": {"connector.class": "", "topics": ",,,", "topics.regex": "("},
                     "tasks": [{"connector": "x", "task": 99}], "type": "sink"}
        }
    });
    let parsed: IndexMap<String, ExpandedConnector> = serde_json::from_value(odd).unwrap();
    let mut app = loaded("dark");
    reply(&mut app, Reply::Connectors(Ok(parsed)));
    let sizes = [(1, 1), (20, 5), (33, 7), (80, 24), (200, 50)];
    let draw_all = |app: &App| {
        for (w, h) in sizes {
            render(app, w, h);
        }
    };
    draw_all(&app);
    for row in 0..4 {
        keys(&mut app, "g");
        for _ in 0..row {
            keys(&mut app, "j");
        }
        draw_all(&app);
        press(&mut app, KeyCode::Enter);
        for _ in 0..5 {
            draw_all(&app);
            keys(&mut app, "jGgkt");
            keys(&mut app, "n");
            press(&mut app, KeyCode::Enter);
            draw_all(&app);
            press(&mut app, KeyCode::Esc);
            press(&mut app, KeyCode::Tab);
        }
        reply(
            &mut app,
            Reply::Offsets(String::new(), Ok(ConnectorOffsets { offsets: vec![] })),
        );
        draw_all(&app);
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Esc);
    }
    for resource in [
        "workers", "plugins", "ctx", "offsets", "configs", "status", "topics",
    ] {
        keys(&mut app, ":");
        keys(&mut app, resource);
        press(&mut app, KeyCode::Enter);
        draw_all(&app);
        keys(&mut app, "jjGgh");
        press(&mut app, KeyCode::Enter);
        draw_all(&app);
        press(&mut app, KeyCode::Esc);
    }
    reply(&mut app, Reply::Plugins(Ok(vec![])));
    reply(&mut app, Reply::Connectors(Ok(IndexMap::new())));
    keys(&mut app, ":");
    keys(&mut app, "cn");
    press(&mut app, KeyCode::Enter);
    draw_all(&app);
    keys(&mut app, " pjG");
    draw_all(&app);
}

#[test]
fn create_from_file_reads_the_file_off_the_ui_thread() {
    let mut app = loaded("dark");
    keys(&mut app, "n");
    // A FIFO with no writer would block a read forever: the UI only asks the jobs thread.
    keys(&mut app, "/tmp/no-such-dir/a-fifo.json");
    press(&mut app, KeyCode::Enter);
    let sent = app.jobs_sent();
    assert!(
        matches!(sent.last(), Some(super::jobs::Request::CheckFile(p)) if p == "/tmp/no-such-dir/a-fifo.json"),
        "{sent:?}"
    );
    assert!(app
        .status
        .as_ref()
        .unwrap()
        .text
        .contains("reading and validating"));
    reply(
        &mut app,
        Reply::Failed("cannot read /tmp/no-such-dir/a-fifo.json: not found".into()),
    );
    let status = app.status.clone().unwrap();
    assert!(
        status.error && status.text.contains("cannot read"),
        "{status:?}"
    );
    // An empty answer is refused at once.
    keys(&mut app, "n");
    press(&mut app, KeyCode::Enter);
    assert!(app.jobs_sent().is_empty());
    assert!(app.status.as_ref().unwrap().error);
    // The jobs thread's reader: JSON and properties files, errors in words.
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("c.properties");
    std::fs::write(&f, "name=from-file\nconnector.class=FileStreamSource\n").unwrap();
    let d = super::jobs::draft_from_file(f.to_str().unwrap()).unwrap();
    assert_eq!(d.name, "from-file");
    let e = super::jobs::draft_from_file(dir.path().join("none.json").to_str().unwrap());
    assert!(e.unwrap_err().starts_with("cannot read"));
}

#[path = "tests_kafka.rs"]
mod kafka_views;
