//! `kct connect` and `kct config` end to end: the real binary against a real `kct worker` and
//! broker over real HTTP (and HTTPS with basic auth), plus servers that misbehave (HTML, 409
//! during a "rebalance", no answer, nothing listening).

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use common::secure::*;
use common::worker::{topic_lines, Worker};
use common::*;
use serde_json::{json, Value};

/// `kct` with a private config file (so the machine's contexts cannot leak in).
fn kct_with(cfg: &Path, args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Output {
    let mut cmd = kct_cmd();
    cmd.env("KCT_CONFIG", cfg)
        .env_remove("KCT_CONTEXT")
        .envs(env.iter().copied())
        .args(args);
    run_cmd(cmd, stdin, Duration::from_secs(60))
}

/// `kct connect --connect <worker> ARGS…`.
fn kc(w: &Worker, args: &[&str]) -> Output {
    kc_in(w, args, b"", &[])
}

fn kc_in(w: &Worker, args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Output {
    let mut all = vec!["connect", "--connect", w.url.as_str()];
    all.extend_from_slice(args);
    kct_with(&w.dir.join("kct.toml"), &all, stdin, env)
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[track_caller]
fn ok(o: &Output) -> String {
    assert_eq!(code(o), 0, "stdout:\n{}\nstderr:\n{}", out(o), err(o));
    out(o)
}

#[track_caller]
fn fails(o: &Output, want_code: i32, stderr_has: &str) {
    assert_eq!(
        code(o),
        want_code,
        "stdout:\n{}\nstderr:\n{}",
        out(o),
        err(o)
    );
    assert!(
        err(o).contains(stderr_has),
        "stderr lacks {stderr_has:?}:\n{}",
        err(o)
    );
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// A FileStreamSource manifest reading `input` into `topic`, with one secret and one
/// config-provider reference so masking can be checked.
fn source_json(name: &str, input: &Path, topic: &str) -> String {
    json!({"name": name, "config": {
        "connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
        "tasks.max": "1", "file": input.to_str().unwrap(), "topic": topic,
        "key.converter": "org.apache.kafka.connect.storage.StringConverter",
        "value.converter": "org.apache.kafka.connect.storage.StringConverter",
        "db.password": "s3cret-value", "api.secret": "${file:/etc/kct/secrets.properties:api}"}})
    .to_string()
}

fn state_of(w: &Worker, name: &str) -> String {
    let (_, v) = w.get(&format!("/connectors/{name}/status"));
    v["connector"]["state"].as_str().unwrap_or("").to_string()
}

fn wait_state(w: &Worker, name: &str, state: &str) {
    w.wait_for(&format!("/connectors/{name}/status"), 30, |s| {
        s["connector"]["state"] == state
            && s["tasks"]
                .as_array()
                .is_some_and(|t| t.iter().all(|t| t["state"] == state))
    });
}

#[test]
fn get_and_describe_in_every_output_form_with_secrets_masked() {
    let w = Worker::start("", &[]);
    let input = write(&w.dir, "in.txt", "a\nb\n");
    let topic = unique_topic("cli-get");
    let f = write(&w.dir, "src.json", &source_json("alpha", &input, &topic));
    let applied = ok(&kc(&w, &["apply", "-f", f.to_str().unwrap()]));
    assert_eq!(applied, "connector/alpha created\n");
    wait_state(&w, "alpha", "RUNNING");

    let table = ok(&kc(&w, &["get", "connectors"]));
    let mut lines = table.lines();
    let header: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        ["NAME", "TYPE", "STATE", "TASKS", "HEALTH", "CLASS", "WORKER"]
    );
    let row: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    let worker = format!("127.0.0.1:{}", w.port);
    assert_eq!(
        row,
        [
            "alpha",
            "source",
            "RUNNING",
            "1/1",
            "HEALTHY",
            "FileStreamSource",
            worker.as_str()
        ]
    );

    let j: Value = serde_json::from_str(&ok(&kc(&w, &["get", "cn", "-o", "json"]))).unwrap();
    assert_eq!(j[0]["name"], "alpha");
    assert_eq!(j[0]["health"], "HEALTHY");
    assert_eq!(j[0]["status"]["tasks"][0]["state"], "RUNNING");
    assert_eq!(j[0]["info"]["config"]["db.password"], "[hidden]");
    assert_eq!(
        j[0]["info"]["config"]["api.secret"],
        "${file:/etc/kct/secrets.properties:api}"
    );
    assert_eq!(j[0]["info"]["config"]["topic"], topic.as_str());
    let shown = ok(&kc(
        &w,
        &["get", "connector", "-o", "json", "--show-secrets"],
    ));
    assert!(shown.contains("s3cret-value"), "{shown}");

    let yaml = ok(&kc(&w, &["get", "connectors", "-o", "yaml"]));
    assert!(yaml.contains("- name: alpha\n"), "{yaml}");
    assert!(
        yaml.contains("[hidden]") && !yaml.contains("s3cret"),
        "{yaml}"
    );
    assert_eq!(ok(&kc(&w, &["get", "connectors", "-o", "name"])), "alpha\n");
    assert_eq!(
        ok(&kc(
            &w,
            &[
                "get",
                "connectors",
                "--jq",
                ".[] | .name, .status.tasks[0].id"
            ]
        )),
        "alpha\n0\n"
    );

    w.wait_for("/connectors/alpha/topics", 30, |v| {
        v["alpha"]["topics"][0] == topic.as_str()
    });
    let d = ok(&kc(&w, &["describe", "connector", "alpha"]));
    for want in [
        "Name:     alpha",
        "Type:     source",
        "State:    RUNNING",
        "Health:   HEALTHY",
        "db.password",
        "= [hidden]",
        "${file:/etc/kct/secrets.properties:api}",
        &format!("Topics:   {topic}"),
    ] {
        assert!(d.contains(want), "describe lacks {want:?}:\n{d}");
    }
    assert!(!d.contains("s3cret-value"), "{d}");
    let dj: Value = serde_json::from_str(&ok(&kc(
        &w,
        &["describe", "connector", "alpha", "-o", "json"],
    )))
    .unwrap();
    assert_eq!(dj["health"], "HEALTHY");
    assert_eq!(dj["topics"], json!([topic]));

    let tasks = ok(&kc(&w, &["get", "tasks", "alpha"]));
    assert!(
        tasks.contains("alpha/0") && tasks.contains("RUNNING"),
        "{tasks}"
    );
    assert_eq!(
        ok(&kc(&w, &["get", "topics", "alpha", "-o", "name"])),
        format!("{topic}\n")
    );

    let plugins = ok(&kc(&w, &["get", "plugins"]));
    assert!(
        plugins.contains("org.apache.kafka.connect.file.FileStreamSinkConnector"),
        "{plugins}"
    );
    assert!(!plugins.contains("transformation"), "{plugins}");
    let all = ok(&kc(&w, &["get", "plugins", "--all", "-o", "json"]));
    assert!(all.contains("\"transformation\""), "{all}");
    let defs = ok(&kc(&w, &["describe", "plugin", "FileStreamSource"]));
    assert!(
        defs.lines().any(|l| l.starts_with("topic ")
            || l.starts_with("topic\t")
            || l.split_whitespace().next() == Some("topic")),
        "{defs}"
    );

    fails(
        &kc(&w, &["describe", "connector", "nope"]),
        1,
        "Connector nope not found (HTTP 404)",
    );
    fails(
        &kc(&w, &["get", "widgets"]),
        2,
        "unknown resource \"widgets\"",
    );
    fails(
        &kc(&w, &["get", "cn", "--jq", ".[] |"]),
        2,
        "--jq: cannot compile",
    );
}

#[test]
fn lifecycle_verbs_bulk_and_regex() {
    let w = Worker::start("", &[]);
    for name in ["etl-a", "etl-b", "other"] {
        let input = write(&w.dir, &format!("{name}.txt"), "x\n");
        let f = write(
            &w.dir,
            &format!("{name}.json"),
            &source_json(name, &input, &unique_topic(name)),
        );
        ok(&kc(&w, &["apply", "-f", f.to_str().unwrap()]));
    }
    for name in ["etl-a", "etl-b", "other"] {
        wait_state(&w, name, "RUNNING");
    }
    let paused = ok(&kc(&w, &["pause", "connector", "-e", "^etl-"]));
    assert_eq!(paused, "connector/etl-a paused\nconnector/etl-b paused\n");
    wait_state(&w, "etl-a", "PAUSED");
    wait_state(&w, "etl-b", "PAUSED");
    assert_eq!(state_of(&w, "other"), "RUNNING");
    let t = ok(&kc(&w, &["get", "connectors", "-e", "etl"]));
    assert_eq!(t.lines().filter(|l| l.contains("PAUSED")).count(), 2, "{t}");
    assert!(!t.contains("other"), "{t}");

    ok(&kc(&w, &["resume", "cn", "etl-a", "etl-b"]));
    wait_state(&w, "etl-a", "RUNNING");
    ok(&kc(&w, &["stop", "connector", "etl-b"]));
    w.wait_for("/connectors/etl-b/status", 30, |s| {
        s["connector"]["state"] == "STOPPED"
    });
    ok(&kc(&w, &["resume", "connector", "etl-b"]));
    wait_state(&w, "etl-b", "RUNNING");

    let r = ok(&kc(
        &w,
        &["restart", "connector", "etl-a", "--tasks", "all"],
    ));
    assert!(r.starts_with("connector/etl-a restarted: "), "{r}");
    assert!(r.contains("etl-a/0"), "{r}");
    ok(&kc(&w, &["restart", "task", "etl-a/0"]));
    fails(
        &kc(&w, &["restart", "task", "etl-a"]),
        2,
        "expected CONNECTOR/ID",
    );

    // One unknown name among good ones: the others are done, the run fails and says which.
    let mixed = kc(&w, &["pause", "connector", "etl-a", "ghost"]);
    fails(&mixed, 1, "connector/ghost: ");
    assert_eq!(out(&mixed), "connector/etl-a paused\n");

    let j: Value = serde_json::from_str(&ok(&kc(
        &w,
        &["resume", "connector", "etl-a", "-o", "json"],
    )))
    .unwrap();
    assert_eq!(
        j,
        json!([{"name": "etl-a", "ok": true, "message": "resumed"}])
    );

    fails(&kc(&w, &["delete", "connector", "other"]), 1, "pass --yes");
    assert_eq!(w.get("/connectors/other").0, 200);
    assert_eq!(
        ok(&kc(&w, &["delete", "connector", "other", "--yes"])),
        "connector/other deleted\n"
    );
    assert_eq!(w.get("/connectors/other").0, 404);
    fails(
        &kc(&w, &["pause", "connector"]),
        2,
        "name at least one connector",
    );
    fails(
        &kc(&w, &["pause", "connector", "-e", "^zzz"]),
        1,
        "no connector matches",
    );
}

#[test]
fn restart_all_failed_restarts_only_what_failed() {
    let w = Worker::start("", &[]);
    let input = write(&w.dir, "ok.txt", "x\n");
    let good = write(
        &w.dir,
        "good.json",
        &source_json("good", &input, &unique_topic("good")),
    );
    ok(&kc(&w, &["apply", "-f", good.to_str().unwrap()]));
    // A sink whose output file cannot be opened fails its task.
    let topic = unique_topic("fail-in");
    create_topic(&topic, 1, &[]);
    let bad = json!({"name": "broken", "config": {
        "connector.class": "FileStreamSink", "tasks.max": "1", "topics": topic,
        "file": w.dir.join("no/such/dir/out.txt").to_str().unwrap()}});
    let bad = write(&w.dir, "bad.json", &bad.to_string());
    ok(&kc(&w, &["apply", "-f", bad.to_str().unwrap()]));
    w.wait_for("/connectors/broken/status", 30, |s| {
        s["tasks"][0]["state"] == "FAILED"
    });
    wait_state(&w, "good", "RUNNING");

    let t = ok(&kc(&w, &["get", "connectors"]));
    let broken: Vec<&str> = t
        .lines()
        .find(|l| l.starts_with("broken"))
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(&broken[2..5], ["RUNNING", "0/1", "UNHEALTHY"], "{t}");
    let d = ok(&kc(&w, &["describe", "connector", "broken"]));
    assert!(d.contains("Traces:\n  task 0:\n"), "{d}");

    let r = ok(&kc(&w, &["restart", "--all-failed"]));
    assert_eq!(r, "connector/broken restarted: broken/0\n", "{r}");
}

#[test]
fn apply_validates_diffs_and_confirms() {
    let w = Worker::start("", &[]);
    let input = write(&w.dir, "in.txt", "a\n");
    let topic = unique_topic("cli-apply");
    // Missing required `topic`: nothing is created, the field's error is shown.
    let invalid = json!({"name": "beta", "config": {"connector.class": "FileStreamSource", "file": input.to_str().unwrap()}});
    let f = write(&w.dir, "invalid.json", &invalid.to_string());
    let o = kc(&w, &["apply", "-f", f.to_str().unwrap()]);
    fails(&o, 1, "topic: Missing required configuration \"topic\"");
    assert_eq!(w.get("/connectors/beta").0, 404);

    // A .properties file through stdin creates; dry-run of a change shows the diff only.
    let props = format!(
        "name=beta\nconnector.class=FileStreamSource\nfile={}\ntopic={topic}\nsome.password=pw1\n",
        input.display()
    );
    assert_eq!(
        ok(&kc_in(&w, &["apply", "-f", "-"], props.as_bytes(), &[])),
        "connector/beta created\n"
    );
    let changed = props.replace(&topic, "other-topic").replace("pw1", "pw2") + "batch.size=10\n";
    let f2 = write(&w.dir, "beta.properties", &changed);
    let dry = kc(&w, &["apply", "-f", f2.to_str().unwrap(), "--dry-run"]);
    assert_eq!(
        out(&dry),
        "connector/beta would be updated (valid)\n",
        "{}",
        err(&dry)
    );
    let diff = err(&dry);
    assert!(diff.contains("+ batch.size = 10"), "{diff}");
    assert!(
        diff.contains(&format!("~ topic = {topic} → other-topic")),
        "{diff}"
    );
    assert!(
        diff.contains("~ some.password = [hidden] (changed)"),
        "{diff}"
    );
    assert!(!diff.contains("pw2") && !diff.contains("pw1"), "{diff}");
    let (_, cfg) = w.get("/connectors/beta/config");
    assert_eq!(cfg["topic"], topic.as_str());

    // No terminal and no --yes: refused, unchanged. With --yes: applied.
    fails(
        &kc(&w, &["apply", "-f", f2.to_str().unwrap()]),
        1,
        "pass --yes",
    );
    assert_eq!(w.get("/connectors/beta/config").1["topic"], topic.as_str());
    assert_eq!(
        ok(&kc(&w, &["apply", "-f", f2.to_str().unwrap(), "--yes"])),
        "connector/beta configured\n"
    );
    let (_, cfg) = w.get("/connectors/beta/config");
    assert_eq!(
        (cfg["topic"].as_str(), cfg["some.password"].as_str()),
        (Some("other-topic"), Some("pw2"))
    );

    // A config exported with masked secrets re-applies without overwriting the secret.
    let exported = ok(&kc(
        &w,
        &[
            "describe",
            "connector",
            "beta",
            "-o",
            "json",
            "--jq",
            "{name: .name, config: .config}",
        ],
    ));
    assert!(exported.contains("[hidden]"), "{exported}");
    assert_eq!(
        ok(&kc_in(
            &w,
            &["apply", "-f", "-", "--yes"],
            exported.as_bytes(),
            &[]
        )),
        "connector/beta unchanged\n"
    );
    assert_eq!(w.get("/connectors/beta/config").1["some.password"], "pw2");

    // patch: --set and --remove, with the same validation and diff.
    let p = kc(
        &w,
        &[
            "patch",
            "connector",
            "beta",
            "--set",
            "batch.size=20",
            "--remove",
            "some.password",
            "--yes",
        ],
    );
    assert_eq!(ok(&p), "connector/beta configured\n");
    let (_, cfg) = w.get("/connectors/beta/config");
    assert_eq!(cfg["batch.size"], "20");
    assert!(cfg.get("some.password").is_none(), "{cfg}");
    fails(&kc(&w, &["patch", "connector", "beta"]), 2, "--set");

    fails(
        &kc(
            &w,
            &["apply", "-f", w.dir.join("missing.json").to_str().unwrap()],
        ),
        1,
        "cannot read",
    );
    let bad = write(&w.dir, "bad.json", "{\"name\": \"x\", ");
    fails(
        &kc(&w, &["apply", "-f", bad.to_str().unwrap()]),
        1,
        "invalid JSON",
    );
}

#[test]
fn edit_reopens_on_errors_then_applies() {
    let w = Worker::start("", &[]);
    let input = write(&w.dir, "in.txt", "a\n");
    let topic = unique_topic("cli-edit");
    let f = write(&w.dir, "e.json", &source_json("gamma", &input, &topic));
    ok(&kc(&w, &["apply", "-f", f.to_str().unwrap()]));
    // A scripted editor: the first pass breaks tasks.max, the second (seeing kct's error
    // comment) fixes it and changes the topic. It logs each file it was given.
    let log = w.dir.join("editor.log");
    let editor = write(
        &w.dir,
        "editor.sh",
        &format!(
            "#!/bin/sh\ncat \"$1\" >> {log}\necho ---- >> {log}\n\
             if grep -q '^// error' \"$1\"; then\n\
               sed -i -e 's/\"tasks.max\": \"oops\"/\"tasks.max\": \"1\"/' -e 's/\"topic\": \"[^\"]*\"/\"topic\": \"edited\"/' \"$1\"\n\
             else\n\
               sed -i 's/\"tasks.max\": \"1\"/\"tasks.max\": \"oops\"/' \"$1\"\n\
             fi\n",
            log = log.display()
        ),
    );
    std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let ed = editor.to_str().unwrap();
    let o = kc_in(
        &w,
        &["edit", "connector", "gamma", "--yes"],
        b"",
        &[("EDITOR", ed), ("VISUAL", "")],
    );
    assert_eq!(ok(&o), "connector/gamma configured\n", "{}", err(&o));
    let seen = std::fs::read_to_string(&log).unwrap();
    let passes: Vec<&str> = seen.split("----\n").filter(|p| !p.is_empty()).collect();
    assert_eq!(passes.len(), 2, "{seen}");
    assert!(
        passes[0].contains("\"db.password\": \"[hidden]\""),
        "{}",
        passes[0]
    );
    assert!(passes[1].contains("// error: tasks.max:"), "{}", passes[1]);
    let (_, cfg) = w.get("/connectors/gamma/config");
    assert_eq!(cfg["topic"], "edited");
    assert_eq!(
        cfg["db.password"], "s3cret-value",
        "the mask must not overwrite the secret"
    );
    assert!(
        err(&o).contains(&format!("~ topic = {topic} → edited")),
        "{}",
        err(&o)
    );

    // An editor that changes nothing: cancelled, nothing applied.
    let o = kc_in(
        &w,
        &["edit", "connector", "gamma"],
        b"",
        &[("EDITOR", "true"), ("VISUAL", "")],
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(
        err(&o).contains("Edit cancelled, no changes made."),
        "{}",
        err(&o)
    );
    // A failing editor: nothing applied, exit 1.
    fails(
        &kc_in(
            &w,
            &["edit", "connector", "gamma"],
            b"",
            &[("EDITOR", "false"), ("VISUAL", "")],
        ),
        1,
        "nothing applied",
    );
}

#[test]
fn offsets_get_and_reset_through_the_rest_api() {
    let w = Worker::start("", &[]);
    let input = write(&w.dir, "in.txt", "one\ntwo\nthree\n");
    let topic = unique_topic("cli-offsets");
    let f = write(&w.dir, "o.json", &source_json("delta", &input, &topic));
    ok(&kc(&w, &["apply", "-f", f.to_str().unwrap()]));
    let deadline = Instant::now() + Duration::from_secs(60);
    while topic_lines(&topic, "%s\n").len() < 3 {
        assert!(Instant::now() < deadline, "source never delivered");
        std::thread::sleep(Duration::from_millis(100));
    }
    w.wait_for("/connectors/delta/offsets", 30, |v| {
        v["offsets"][0]["offset"]["position"] == 14
    });
    let table = ok(&kc(&w, &["get", "offsets", "delta"]));
    assert!(table.contains("{\"position\":14}"), "{table}");
    assert!(
        table.contains(&format!("{{\"filename\":\"{}\"}}", input.display())),
        "{table}"
    );

    // Not stopped: Connect's 400, with the hint.
    fails(
        &kc(&w, &["reset", "offsets", "delta", "--yes"]),
        1,
        "or pass --stop",
    );
    let r = kc(&w, &["reset", "offsets", "delta", "--stop", "--yes"]);
    assert_eq!(
        ok(&r),
        "connector/delta: The offsets for this connector have been reset successfully (via REST API (KIP-875))\n"
    );
    assert!(
        err(&r).contains("connector/delta stopped (was RUNNING)"),
        "{}",
        err(&r)
    );
    // Back to RUNNING, the source reads its file again from the start.
    wait_state(&w, "delta", "RUNNING");
    let deadline = Instant::now() + Duration::from_secs(60);
    while topic_lines(&topic, "%s\n").len() < 6 {
        assert!(
            Instant::now() < deadline,
            "source did not re-read its file: {:?}",
            topic_lines(&topic, "%s\n")
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // patch offsets from a file: position 4 skips "one\n".
    ok(&kc(&w, &["stop", "connector", "delta"]));
    w.wait_for("/connectors/delta/status", 30, |s| {
        s["connector"]["state"] == "STOPPED"
    });
    let body = json!({"offsets": [{"partition": {"filename": input.to_str().unwrap()}, "offset": {"position": 4}}]});
    let pf = write(&w.dir, "offsets.json", &body.to_string());
    let p = ok(&kc(
        &w,
        &[
            "patch",
            "offsets",
            "delta",
            "-f",
            pf.to_str().unwrap(),
            "--yes",
        ],
    ));
    assert!(p.contains("altered successfully"), "{p}");
    let (_, got) = w.get("/connectors/delta/offsets");
    assert_eq!(got["offsets"][0]["offset"]["position"], 4);
    let bad = write(&w.dir, "bad-offsets.json", "{\"offsets\": 3}");
    fails(
        &kc(
            &w,
            &[
                "patch",
                "offsets",
                "delta",
                "-f",
                bad.to_str().unwrap(),
                "--yes",
            ],
        ),
        1,
        "expected {\"offsets\"",
    );
}

#[test]
fn loggers_get_and_set() {
    let w = Worker::start("", &[]);
    let set = ok(&kc(
        &w,
        &["set", "logger", "debug", "org.apache.kafka.connect"],
    ));
    assert!(
        set.starts_with("logger/org.apache.kafka.connect set to DEBUG"),
        "{set}"
    );
    let (_, l) = w.get("/admin/loggers/org.apache.kafka.connect");
    assert_eq!(l["level"], "DEBUG");
    let t = ok(&kc(&w, &["get", "loggers"]));
    assert!(
        t.lines()
            .any(|l| l.starts_with("org.apache.kafka.connect ") && l.contains("DEBUG")),
        "{t}"
    );
    fails(
        &kc(&w, &["set", "logger", "LOUD", "x"]),
        1,
        "invalid log level",
    );
}

#[test]
fn contexts_select_the_cluster() {
    let w = Worker::start("", &[]);
    let cfg = w.dir.join("contexts.toml");
    let k = |args: &[&str], env: &[(&str, &str)]| kct_with(&cfg, args, b"", env);
    assert_eq!(
        ok(&k(
            &[
                "config",
                "set-context",
                "dev",
                "--connect",
                &w.url,
                "-b",
                b(),
                "--username",
                "u",
                "--password-env",
                "DEV_PW"
            ],
            &[]
        )),
        "Context \"dev\" created.\n"
    );
    ok(&k(
        &[
            "config",
            "set-context",
            "dead",
            "--connect",
            "http://127.0.0.1:9",
        ],
        &[],
    ));
    assert_eq!(ok(&k(&["config", "current-context"], &[])), "dev\n");
    let list = ok(&k(&["config", "get-contexts"], &[]));
    assert!(
        list.contains("*         dev")
            || list
                .lines()
                .any(|l| l.starts_with('*') && l.contains("dev")),
        "{list}"
    );
    assert!(list.contains("basic u (password: $DEV_PW)"), "{list}");
    let text = std::fs::read_to_string(&cfg).unwrap();
    assert!(text.contains("current-context = \"dev\""), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&cfg).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    // The worker has no auth: the password is resolved (the variable must exist) and sent.
    fails(
        &k(&["connect", "get", "connectors"], &[]),
        1,
        "DEV_PW, which is not set",
    );
    assert_eq!(
        ok(&k(
            &["connect", "get", "connectors", "-o", "json"],
            &[("DEV_PW", "x")]
        )),
        "[]\n"
    );
    let dead = k(
        &["connect", "get", "connectors"],
        &[("KCT_CONTEXT", "dead")],
    );
    fails(&dead, 1, "cannot reach Kafka Connect at http://127.0.0.1:9");
    ok(&k(&["config", "use-context", "dead"], &[]));
    fails(&k(&["connect", "get", "cn"], &[]), 1, "cannot reach");
    assert_eq!(
        ok(&k(
            &["connect", "--context", "dev", "get", "cn", "-o", "json"],
            &[("DEV_PW", "x")]
        )),
        "[]\n"
    );
    fails(
        &k(&["connect", "--context", "qa", "get", "cn"], &[]),
        1,
        "no context named \"qa\" (known: dead, dev)",
    );
    ok(&k(&["config", "delete-context", "dead"], &[]));
    fails(
        &k(&["config", "current-context"], &[]),
        1,
        "no current context",
    );
    std::fs::write(&cfg, "[contexts.x]\nconect = []\n").unwrap();
    fails(
        &k(&["connect", "get", "cn"], &[]),
        1,
        "unknown field `conect`",
    );
}

#[test]
fn https_with_basic_auth_from_a_context() {
    let w = Worker::prepare("");
    let (crt, key) = self_signed(&w.dir, "server");
    let ks = pem_keystore(&w.dir, &crt, &key);
    let jaas = jaas_files(&w.dir, "alice: s3cret\n");
    let extra = format!(
        "listeners=https://127.0.0.1:{}\nlisteners.https.ssl.keystore.type=PEM\n\
         listeners.https.ssl.keystore.location={}\n\
         rest.extension.classes={BASIC_AUTH}\nrest.basic.auth.jaas.config.file={}\n",
        w.port,
        ks.display(),
        jaas.display()
    );
    std::fs::write(
        &w.worker_file,
        std::fs::read_to_string(&w.worker_file).unwrap() + &extra,
    )
    .unwrap();
    let mut run = Running::start(&w, &[]);
    let url = format!("https://127.0.0.1:{}", w.port);
    let probe = reqwest::blocking::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    run.wait_answer(|| probe.get(&url).send());

    let cfg = w.dir.join("tls.toml");
    let k = |args: &[&str]| kct_with(&cfg, args, b"", &[]);
    // Untrusted certificate: a clear TLS error.
    ok(&k(&["config", "set-context", "secure", "--connect", &url]));
    fails(
        &k(&["connect", "get", "connectors"]),
        1,
        "cannot reach Kafka Connect at https://",
    );
    // Trusted, but no credentials: Connect's 401.
    ok(&k(&[
        "config",
        "set-context",
        "secure",
        "--ca-file",
        crt.to_str().unwrap(),
    ]));
    fails(&k(&["connect", "get", "connectors"]), 1, "(HTTP 401)");
    ok(&k(&[
        "config",
        "set-context",
        "secure",
        "--username",
        "alice",
        "--password-command",
        "echo s3cret",
    ]));
    assert_eq!(
        ok(&k(&["connect", "get", "connectors", "-o", "json"])),
        "[]\n"
    );
    let list = ok(&k(&["config", "get-contexts"]));
    assert!(
        !list.contains("s3cret") || list.contains("$(echo s3cret)"),
        "{list}"
    );
    drop(run);
}

/// A one-connection-at-a-time HTTP server that answers with `responses` in turn (the last
/// one repeated); `None` means never answer.
fn broken_server(responses: Vec<Option<String>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut i = 0;
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut r = BufReader::new(s.try_clone().unwrap());
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; len];
            let _ = r.read_exact(&mut body);
            let resp = responses[i.min(responses.len() - 1)].clone();
            i += 1;
            match resp {
                Some(text) => {
                    let _ = s.write_all(text.as_bytes());
                }
                None => {
                    std::thread::sleep(Duration::from_secs(30));
                }
            }
        }
    });
    url
}

fn http(status: &str, ctype: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

#[test]
fn misbehaving_servers_get_one_line_errors() {
    let cfg = scratch_dir()
        .join(unique_topic("broken"))
        .with_extension("toml");
    let k = |url: &str, extra: &[&str]| {
        let mut args = vec!["connect", "--connect", url, "get", "connectors"];
        args.extend_from_slice(extra);
        kct_with(&cfg, &args, b"", &[])
    };
    let root = http(
        "200 OK",
        "application/json",
        r#"{"version":"3.9.0","commit":"abc","kafka_cluster_id":"k"}"#,
    );

    let html = broken_server(vec![Some(http(
        "200 OK",
        "text/html",
        "<!DOCTYPE html><html><body>Login</body></html>",
    ))]);
    let o = k(&html, &[]);
    fails(
        &o,
        1,
        "did not answer like Kafka Connect (HTTP 200, an HTML page",
    );
    assert_eq!(err(&o).lines().count(), 1, "{}", err(&o));

    // 409 twice (a rebalance), then the answer: retried with back-off, succeeds.
    let conflict = http(
        "409 Conflict",
        "application/json",
        r#"{"error_code":409,"message":"Cannot complete request momentarily due to no known leader URL, likely because a rebalance was underway."}"#,
    );
    let expanded = http(
        "200 OK",
        "application/json",
        r#"{"c1":{"status":{"name":"c1","connector":{"state":"RUNNING","worker_id":"w:8083"},"tasks":[],"type":"sink"},"info":{"name":"c1","config":{"connector.class":"x.Y"},"tasks":[],"type":"sink"}}}"#,
    );
    let rebalancing = broken_server(vec![
        Some(root.clone()),
        Some(conflict.clone()),
        Some(conflict),
        Some(expanded),
    ]);
    let o = k(&rebalancing, &["-o", "name"]);
    assert_eq!(ok(&o), "c1\n");

    // No answer: bounded by --request-timeout.
    let silent = broken_server(vec![None]);
    let start = Instant::now();
    fails(
        &k(&silent, &["--request-timeout", "1s"]),
        1,
        "no answer in time",
    );
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "{:?}",
        start.elapsed()
    );

    // Garbage JSON and a 500 with a non-Connect body.
    let garbage = broken_server(vec![
        Some(root.clone()),
        Some(http("200 OK", "application/json", "{\"c1\": [1, 2")),
    ]);
    fails(&k(&garbage, &[]), 1, "did not answer like Kafka Connect");
    let five = broken_server(vec![Some(http(
        "500 Internal Server Error",
        "text/plain",
        "oops",
    ))]);
    fails(&k(&five, &[]), 1, "HTTP 500");

    // Nothing listening; a bad URL; a bad timeout.
    let port = free_port();
    fails(
        &k(&format!("http://127.0.0.1:{port}"), &[]),
        1,
        "Connection refused",
    );
    fails(
        &k("localhost:8083", &[]),
        1,
        "must start with http:// or https://",
    );
    fails(
        &k(&html, &["--request-timeout", "soon"]),
        2,
        "--request-timeout",
    );

    // An old cluster (2.2: no expand): one call per connector, same output.
    let names = http("200 OK", "application/json", r#"["c1"]"#);
    let status = http(
        "200 OK",
        "application/json",
        r#"{"name":"c1","connector":{"state":"RUNNING","worker_id":"w:8083"},"tasks":[{"id":0,"state":"FAILED","worker_id":"w:8083","trace":"x"}],"type":"sink"}"#,
    );
    let info = http(
        "200 OK",
        "application/json",
        r#"{"name":"c1","config":{"connector.class":"x.Y"},"tasks":[{"connector":"c1","task":0}],"type":"sink"}"#,
    );
    let old_root = http(
        "200 OK",
        "application/json",
        r#"{"version":"2.2.1","commit":"abc"}"#,
    );
    let old = broken_server(vec![Some(old_root), Some(names), Some(status), Some(info)]);
    let t = ok(&k(&old, &[]));
    assert!(t.lines().nth(1).unwrap().contains("UNHEALTHY"), "{t}");
}

#[test]
fn offsets_through_the_topic_when_asked() {
    let t = [
        unique_topic("cli-configs"),
        unique_topic("cli-offsets"),
        unique_topic("cli-status"),
    ];
    let extra = format!(
        "group.id={}\nconfig.storage.topic={}\noffset.storage.topic={}\nstatus.storage.topic={}\n\
         config.storage.replication.factor=1\noffset.storage.replication.factor=1\nstatus.storage.replication.factor=1\n",
        unique_topic("cli-group"),
        t[0],
        t[1],
        t[2]
    );
    let mut w = Worker::start(&extra, &[]);
    let input = write(&w.dir, "in.txt", "one\ntwo\n");
    let topic = unique_topic("cli-topic-path");
    let f = write(&w.dir, "src.json", &source_json("src", &input, &topic));
    ok(&kc(&w, &["apply", "-f", f.to_str().unwrap()]));
    w.wait_for("/connectors/src/offsets", 60, |v| {
        v["offsets"][0]["offset"]["position"] == 8
    });
    let topics = ["-b", b(), "-X", "fetch.wait.max.ms=5"];
    fn with<'a>(args: &[&'a str], topics: &[&'a str]) -> Vec<&'a str> {
        let mut v = args.to_vec();
        v.extend_from_slice(topics);
        v
    }
    // The context names the internal topics.
    let cfg = w.dir.join("kct.toml");
    ok(&kct_with(
        &cfg,
        &[
            "config",
            "set-context",
            "local",
            "--connect",
            &w.url,
            "--offsets-topic",
            &t[1],
            "--status-topic",
            &t[2],
            "--configs-topic",
            &t[0],
        ],
        b"",
        &[],
    ));
    let rest = ok(&kc(&w, &["get", "offsets", "src", "-o", "json"]));
    let via_topic = ok(&kc(
        &w,
        &with(
            &["get", "offsets", "src", "--via", "topic", "-o", "json"],
            &topics,
        ),
    ));
    assert_eq!(via_topic, rest);

    // Running: refused. Dry run: shows the tombstone's key bytes and partition, writes nothing.
    fails(
        &kc(
            &w,
            &with(
                &["reset", "offsets", "src", "--via", "topic", "--yes"],
                &topics,
            ),
        ),
        1,
        "appears to be running",
    );
    let dry = kc(
        &w,
        &with(
            &["reset", "offsets", "src", "--via", "topic", "--dry-run"],
            &topics,
        ),
    );
    let key = format!(r#"["src",{{"filename":"{}"}}]"#, input.display());
    let text = ok(&dry);
    assert!(
        text.contains(&format!(
            "{} partition {} (existing key):\n  key   {key}\n  value null (tombstone)\n",
            t[1],
            murmur2_partition(key.as_bytes(), 25)
        )),
        "{text}"
    );
    assert!(
        text.ends_with(&format!(
            "connector/src: dry run, 1 record(s) would be written to {} (via the offsets topic)\n",
            t[1]
        )),
        "{text}"
    );

    // With the worker down the REST API cannot help; the topic path can.
    assert!(w.stop().success());
    let o = kc(
        &w,
        &with(
            &["reset", "offsets", "src", "--via", "topic", "--yes"],
            &topics,
        ),
    );
    assert_eq!(
        ok(&o),
        format!(
            "connector/src: 1 record(s) written to {} and read back (via the offsets topic)\n",
            t[1]
        )
    );
    assert!(err(&o).contains("value null (tombstone)"), "{}", err(&o));
    w.launch(&[]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while topic_lines(&topic, "%s\n").len() < 4 {
        assert!(
            Instant::now() < deadline,
            "source did not re-read: {:?}",
            topic_lines(&topic, "%s\n")
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // With the worker running: --stop stops the connector through REST, the topic path writes,
    // the connector resumes and its task catches up with the topic (as Java's offset reader).
    w.wait_for("/connectors/src/offsets", 60, |v| {
        v["offsets"][0]["offset"]["position"] == 8
    });
    let o = kc(
        &w,
        &with(
            &[
                "reset", "offsets", "src", "--via", "topic", "--stop", "--yes",
            ],
            &topics,
        ),
    );
    assert!(ok(&o).contains("1 record(s) written"), "{}", err(&o));
    assert!(
        err(&o).contains("connector/src stopped (was RUNNING)"),
        "{}",
        err(&o)
    );
    wait_state(&w, "src", "RUNNING");
    let deadline = Instant::now() + Duration::from_secs(60);
    while topic_lines(&topic, "%s\n").len() < 6 {
        assert!(
            Instant::now() < deadline,
            "source did not re-read after a live reset: {:?}",
            topic_lines(&topic, "%s\n")
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn client_certificate_from_a_context() {
    let w = Worker::prepare("");
    let (crt, key) = self_signed(&w.dir, "server");
    let (client_crt, client_key) = self_signed(&w.dir, "client");
    let ks = pem_keystore(&w.dir, &crt, &key);
    let extra = format!(
        "listeners=https://127.0.0.1:{}\nssl.keystore.type=PEM\nssl.keystore.location={}\n\
         ssl.client.auth=required\nssl.truststore.type=PEM\nssl.truststore.location={}\n",
        w.port,
        ks.display(),
        client_crt.display()
    );
    std::fs::write(
        &w.worker_file,
        std::fs::read_to_string(&w.worker_file).unwrap() + &extra,
    )
    .unwrap();
    let run = Running::start(&w, &[]);
    let url = format!("https://127.0.0.1:{}", w.port);
    let cfg = w.dir.join("mtls.toml");
    let k = |args: &[&str]| kct_with(&cfg, args, b"", &[]);
    ok(&k(&[
        "config",
        "set-context",
        "mtls",
        "--connect",
        &url,
        "--ca-file",
        crt.to_str().unwrap(),
    ]));
    // The worker is up once it refuses a client without a certificate.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let o = k(&["connect", "get", "connectors"]);
        if code(&o) == 1 && !err(&o).contains("Connection refused") {
            break;
        }
        assert!(Instant::now() < deadline, "{}\n{}", err(&o), run.log());
        std::thread::sleep(Duration::from_millis(100));
    }
    ok(&k(&[
        "config",
        "set-context",
        "mtls",
        "--client-cert",
        client_crt.to_str().unwrap(),
        "--client-key",
        client_key.to_str().unwrap(),
    ]));
    assert_eq!(
        ok(&k(&["connect", "get", "connectors", "-o", "json"])),
        "[]\n"
    );
    // A file that is not PEM: a one-line setup error naming it.
    ok(&k(&[
        "config",
        "set-context",
        "mtls",
        "--client-key",
        crt.to_str().unwrap(),
    ]));
    fails(&k(&["connect", "get", "connectors"]), 1, "client-cert");
    drop(run);
}

#[test]
fn bearer_tokens_and_basic_credentials_are_sent() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut r = BufReader::new(s.try_clone().unwrap());
            let mut head = String::new();
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                head.push_str(&line);
            }
            let _ = tx.send(head);
            let _ = s.write_all(http("200 OK", "application/json", "[]").as_bytes());
        }
    });
    let cfg = scratch_dir()
        .join(unique_topic("bearer"))
        .with_extension("toml");
    let k = |args: &[&str], env: &[(&str, &str)]| kct_with(&cfg, args, b"", env);
    ok(&k(
        &[
            "config",
            "set-context",
            "t",
            "--connect",
            &url,
            "--token-env",
            "TOKEN",
        ],
        &[],
    ));
    // `plugins` needs no version probe: one request.
    ok(&k(&["connect", "get", "plugins"], &[("TOKEN", "abc.def")]));
    let head = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert!(
        head.to_ascii_lowercase()
            .contains("authorization: bearer abc.def\r\n"),
        "{head}"
    );
    ok(&k(
        &[
            "config",
            "set-context",
            "b",
            "--connect",
            &url,
            "--username",
            "u",
            "--password",
            "p",
        ],
        &[],
    ));
    ok(&k(&["connect", "--context", "b", "get", "plugins"], &[]));
    let head = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    // base64("u:p")
    assert!(
        head.to_ascii_lowercase()
            .contains("authorization: basic dtpw\r\n"),
        "{head}"
    );
    let list = ok(&k(&["config", "get-contexts", "-o", "json"], &[]));
    assert!(
        !list.contains("\"p\"") && list.contains("basic u (password: file)"),
        "{list}"
    );
}
