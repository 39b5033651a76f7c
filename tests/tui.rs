//! `kct tui` end to end: the real binary in a real terminal (tmux) against a real `kct worker`
//! and broker. The tests read the screen as a person would and check the cluster through the
//! REST API; every console is left with `q` and must exit 0 with the terminal restored
//! (normal screen, cursor shown, no mouse reporting, canonical mode and echo back on).

mod common;

use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use common::tmux::{line_with, sh_quote, Tmux};
use common::worker::Worker;
use common::*;
use serde_json::{json, Value};

/// A `kct tui` running in tmux, wrapped in a shell that records its exit code and terminal
/// modes afterwards, then keeps the pane open.
struct Console {
    tmux: Tmux,
    dir: PathBuf,
}

/// `prefix-xxxxxx`: short enough for the NAME column at 80 columns, unique enough per test.
fn short_name(prefix: &str) -> String {
    let t = unique_topic(prefix);
    t[..t.len() - 6].to_string()
}

impl Console {
    /// `kct tui --connect URL ARGS…` in a `cols`×`rows` terminal, with a private (absent)
    /// config file so the machine's contexts cannot leak in.
    fn open(url: &str, cols: u16, rows: u16, args: &[&str]) -> Console {
        let mut all = vec!["--connect", url];
        all.extend_from_slice(args);
        Console::with_config("", cols, rows, &all)
    }

    /// `kct tui ARGS…` with a private config file holding `config` (TOML; none when empty).
    fn with_config(config: &str, cols: u16, rows: u16, args: &[&str]) -> Console {
        let mut all = vec!["tui"];
        all.extend_from_slice(args);
        Console::kct(config, cols, rows, &all, &[])
    }

    /// `kct ARGS…` (a command that opens the console) with a private config file holding
    /// `config` and `env` added to the environment.
    fn kct(config: &str, cols: u16, rows: u16, args: &[&str], env: &[(&str, &str)]) -> Console {
        let dir = scratch_dir().join(unique_topic("tui"));
        std::fs::create_dir_all(&dir).expect("console dir");
        if !config.is_empty() {
            std::fs::write(dir.join("kct.toml"), config).expect("kct.toml");
        }
        let mut line = vec![sh_quote(kct_bin().to_str().unwrap())];
        line.extend(args.iter().map(|a| sh_quote(a)));
        let d = |f: &str| sh_quote(dir.join(f).to_str().unwrap());
        let script = format!(
            "unset KCT_CONTEXT NO_COLOR\n\
             export KCT_CONFIG={cfg}\n\
             {cmd} 2> {err}\n\
             echo \"exit=$?\" > {exit}.tmp && mv {exit}.tmp {exit}\n\
             printf 'after the console\\n'\n\
             stty -a > {stty} 2>&1\n\
             sleep 120\n",
            cfg = d("kct.toml"),
            cmd = line.join(" "),
            err = d("stderr"),
            exit = d("exit"),
            stty = d("stty"),
        );
        let run = dir.join("run.sh");
        std::fs::write(&run, script).expect("run.sh");
        let tmux = Tmux::start(
            cols,
            rows,
            &format!("sh {}", sh_quote(run.to_str().unwrap())),
            env,
        );
        Console { tmux, dir }
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(self.dir.join("stderr")).unwrap_or_default()
    }

    /// The exit line (`exit=N`) once the console has ended.
    fn exit_line(&self, secs: u64) -> String {
        let path = self.dir.join("exit");
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Ok(s) = std::fs::read_to_string(&path) {
                return s.trim().to_string();
            }
            if Instant::now() > deadline {
                panic!(
                    "kct tui did not exit within {secs} s; stderr: {}\nlast screen:\n{}",
                    self.stderr(),
                    self.tmux.screen()
                );
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// Fails when the console has ended (crashed) on its own.
    #[track_caller]
    fn running(&self) {
        if let Ok(exit) = std::fs::read_to_string(self.dir.join("exit")) {
            panic!(
                "kct tui ended by itself ({}); stderr: {}\nscreen:\n{}",
                exit.trim(),
                self.stderr(),
                self.tmux.screen()
            );
        }
    }

    /// After the console was asked to quit: exit code 0 and a clean terminal.
    #[track_caller]
    fn exits_clean(&self) {
        let exit = self.exit_line(10);
        assert_eq!(
            exit,
            "exit=0",
            "stderr: {}\nscreen:\n{}",
            self.stderr(),
            self.tmux.screen()
        );
        let screen = self.tmux.wait_for(&["after the console"], 10);
        assert!(
            !screen.contains(" kct ▸"),
            "the console's screen is still visible after exit:\n{screen}"
        );
        let modes = self
            .tmux
            .display("#{alternate_on} #{cursor_flag} #{mouse_any_flag}");
        assert_eq!(
            modes, "0 1 0",
            "alternate screen, cursor shown, mouse reporting after exit (want 0 1 0)"
        );
        let stty = std::fs::read_to_string(self.dir.join("stty")).unwrap_or_default();
        let words: Vec<&str> = stty.split([' ', ';', '\n']).collect();
        for mode in ["icanon", "echo", "icrnl"] {
            assert!(
                words.contains(&mode),
                "the terminal is left without {mode} (still raw):\n{stty}"
            );
        }
        let err = self.stderr();
        assert!(!err.contains("panicked"), "kct tui panicked:\n{err}");
    }

    /// `q`, then [`Console::exits_clean`].
    #[track_caller]
    fn quit(&self) {
        self.tmux.keys(&["q"]);
        self.exits_clean();
    }
}

impl std::ops::Deref for Console {
    type Target = Tmux;
    fn deref(&self) -> &Tmux {
        &self.tmux
    }
}

// ---------------------------------------------------------------------------------------------
// Connectors

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn create(w: &Worker, name: &str, config: Value) {
    let body = json!({"name": name, "config": config}).to_string();
    let (code, v) = w.call("POST", "/connectors", Some(&body));
    assert_eq!(code, 201, "create {name}: {v}\n{}", w.log());
}

/// A FileStreamSource reading a two-line file into a new topic, with a password to mask.
fn source(w: &Worker, name: &str) -> String {
    let input = write(&w.dir, &format!("{name}.txt"), "one\ntwo\n");
    let topic = unique_topic(name);
    create(
        w,
        name,
        json!({"connector.class": "FileStreamSource", "tasks.max": "1",
               "file": input.to_str().unwrap(), "topic": topic,
               "db.password": "s3cret-value"}),
    );
    topic
}

/// A FileStreamSink whose output directory does not exist: its task fails. Creating the
/// returned directory lets a restart succeed.
fn failing_sink(w: &Worker, name: &str) -> PathBuf {
    let topic = unique_topic(name);
    create_topic(&topic, 1, &[]);
    let missing = w.dir.join(format!("{name}-missing"));
    create(
        w,
        name,
        json!({"connector.class": "FileStreamSink", "tasks.max": "1", "topics": topic,
               "file": missing.join("out.txt").to_str().unwrap()}),
    );
    w.wait_for(&format!("/connectors/{name}/status"), 30, |s| {
        s["tasks"][0]["state"] == "FAILED"
    });
    missing
}

/// Waits until the connector and all its tasks are in `state` (REST).
fn wait_state(w: &Worker, name: &str, state: &str) {
    w.wait_for(&format!("/connectors/{name}/status"), 30, |s| {
        s["connector"]["state"] == state
            && s["tasks"]
                .as_array()
                .is_some_and(|t| !t.is_empty() && t.iter().all(|t| t["state"] == state))
    });
}

fn rest_state(w: &Worker, name: &str) -> (String, Vec<String>) {
    let (_, v) = w.get(&format!("/connectors/{name}/status"));
    let tasks = v["tasks"]
        .as_array()
        .map(|ts| {
            ts.iter()
                .map(|t| t["state"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default();
    (
        v["connector"]["state"].as_str().unwrap_or("").to_string(),
        tasks,
    )
}

/// The table row whose first cell is `name`: the line starts with the selection sign `▶`,
/// the mark `●` or a blank, then the name.
fn row<'a>(screen: &'a str, name: &str) -> Option<&'a str> {
    screen.lines().find(|l| {
        let mut chars = l.chars();
        matches!(chars.next(), Some('▶' | '●' | ' '))
            && chars.as_str().split(' ').next() == Some(name)
    })
}

/// Whether the table row of `name` shows every one of `cells`.
fn row_shows(screen: &str, name: &str, cells: &[&str]) -> bool {
    row(screen, name).is_some_and(|l| {
        let words: Vec<&str> = l.split_whitespace().collect();
        cells.iter().all(|c| words.contains(c))
    })
}

/// Waits until the row of `name` shows every one of `cells`.
#[track_caller]
fn wait_row(c: &Console, name: &str, cells: &[&str], secs: u64) -> String {
    c.wait_until(&format!("row {name} with {cells:?}"), secs, |s| {
        row_shows(s, name, cells)
    })
}

// ---------------------------------------------------------------------------------------------
// Tests

#[test]
fn connectors_appear_with_their_states_and_slash_filters() {
    let w = Worker::start("", &[]);
    let good = short_name("good");
    let broken = short_name("broken");
    let paused = short_name("paused");
    source(&w, &good);
    failing_sink(&w, &broken);
    source(&w, &paused);
    wait_state(&w, &paused, "RUNNING");
    assert_eq!(
        w.call("PUT", &format!("/connectors/{paused}/pause"), None)
            .0,
        202
    );
    wait_state(&w, &paused, "PAUSED");
    wait_state(&w, &good, "RUNNING");

    let c = Console::open(&w.url, 160, 45, &["--refresh", "1"]);
    let s = c.wait_for(
        &[
            " kct ▸ command line (connect ",
            "▸ connectors",
            "3 connectors",
        ],
        15,
    );
    assert!(s.contains("NAME") && s.contains("HEALTH"), "{s}");
    let s = c.wait_until("the three rows with their states", 15, |s| {
        row_shows(
            s,
            &good,
            &["source", "FileStreamSource", "RUNNING", "1/1", "HEALTHY"],
        ) && row_shows(
            s,
            &broken,
            &["sink", "FileStreamSink", "RUNNING", "0/1", "1", "UNHEALTHY"],
        ) && row_shows(s, &paused, &["PAUSED", "0/1"])
    });
    assert!(
        s.contains("1 UNHEALTHY · 1 PAUSED"),
        "summary line missing:\n{s}"
    );

    // `/` filters as it is typed; enter keeps the filter, esc clears it.
    c.keys(&["/"]);
    c.text(&broken);
    let s = c.wait_gone(&[&good, &paused], 5);
    assert!(s.contains(&format!("/{broken}")), "{s}");
    assert!(row_shows(&s, &broken, &["UNHEALTHY"]), "{s}");
    c.keys(&["Enter"]);
    c.keys(&["j"]);
    let s = c.screen();
    assert!(
        !s.contains(&good) && s.contains(&broken),
        "enter keeps the filter:\n{s}"
    );
    c.keys(&["Escape"]);
    c.wait_for(&[&good, &broken, &paused], 5);

    // A regex, case-insensitive.
    c.keys(&["/"]);
    c.text("^(GOOD|paused)-");
    let s = c.wait_gone(&[&broken], 5);
    assert!(s.contains(&good) && s.contains(&paused), "{s}");
    c.keys(&["Escape"]);
    let s = c.wait_for(&[&good, &broken, &paused], 5);
    assert!(!s.contains("/^(GOOD"), "esc clears the filter:\n{s}");

    // Nothing matches: said so.
    c.keys(&["/"]);
    c.text("zzz-nothing");
    c.wait_for(&["no connector matches /zzz-nothing"], 5);
    c.keys(&["Escape"]);
    c.wait_for(&[&good], 5);
    c.quit();
}

#[test]
fn pause_asks_first_then_shows_paused_in_the_ui_and_the_rest_status() {
    let w = Worker::start("", &[]);
    let keep = short_name("keep");
    let target = short_name("target");
    source(&w, &keep);
    source(&w, &target);
    wait_state(&w, &keep, "RUNNING");
    wait_state(&w, &target, "RUNNING");

    let c = Console::open(&w.url, 160, 45, &["--refresh", "1"]);
    c.wait_until("both rows RUNNING", 15, |s| {
        row_shows(s, &keep, &["RUNNING", "HEALTHY"]) && row_shows(s, &target, &["RUNNING"])
    });
    c.keys(&["/"]);
    c.text(&target);
    c.keys(&["Enter"]);
    c.wait_gone(&[&keep], 5);

    // The confirmation says what will happen; `n` changes nothing.
    c.keys(&["p"]);
    c.wait_for(
        &[
            "Confirm",
            &format!("• pause connector {target}"),
            "<y/enter> proceed",
            "<n/esc> cancel",
        ],
        5,
    );
    c.keys(&["n"]);
    let s = c.wait_for(&["cancelled; nothing changed"], 5);
    assert!(
        !s.contains("<y/enter>"),
        "the confirmation stays open:\n{s}"
    );
    thread::sleep(Duration::from_millis(300));
    assert_eq!(rest_state(&w, &target).0, "RUNNING");

    // `p` then `y`: sent, done, and PAUSED on the screen and in the REST status.
    c.keys(&["p"]);
    c.wait_for(&[&format!("• pause connector {target}")], 5);
    c.keys(&["y"]);
    c.wait_for(&[&format!("✓ paused {target}")], 10);
    wait_state(&w, &target, "PAUSED");
    wait_row(&c, &target, &["PAUSED", "0/1"], 10);
    c.keys(&["Escape"]);
    let s = c.wait_until("both rows, one PAUSED", 10, |s| {
        row_shows(s, &keep, &["RUNNING", "HEALTHY"]) && row_shows(s, &target, &["PAUSED"])
    });
    assert!(s.contains("1 PAUSED"), "{s}");
    assert_eq!(
        rest_state(&w, &keep),
        ("RUNNING".to_string(), vec!["RUNNING".to_string()]),
        "only the selected connector was paused"
    );

    // Resume through the UI too, so the state change is seen both ways.
    c.keys(&["/"]);
    c.text(&target);
    c.keys(&["Enter", "r"]);
    c.wait_for(&[&format!("• resume connector {target}")], 5);
    c.keys(&["Enter"]);
    wait_state(&w, &target, "RUNNING");
    wait_row(&c, &target, &["RUNNING", "1/1", "HEALTHY"], 10);
    c.quit();
}

#[test]
fn restart_failed_brings_back_a_failed_task() {
    let w = Worker::start("", &[]);
    let broken = short_name("broken");
    let fine = short_name("fine");
    source(&w, &fine);
    let missing = failing_sink(&w, &broken);
    wait_state(&w, &fine, "RUNNING");

    let c = Console::open(&w.url, 160, 45, &["--refresh", "1"]);
    wait_row(&c, &broken, &["0/1", "1", "UNHEALTHY"], 15);
    wait_row(&c, &fine, &["HEALTHY"], 5);

    // With the directory there, a restart can succeed; Connect does not restart by itself.
    std::fs::create_dir_all(&missing).unwrap();
    thread::sleep(Duration::from_millis(500));
    assert_eq!(rest_state(&w, &broken).1, ["FAILED"]);

    c.keys(&["/"]);
    c.text(&broken);
    c.keys(&["Enter"]);
    c.wait_gone(&[&fine], 5);
    c.keys(&["f"]);
    c.wait_for(
        &[&format!(
            "• restart the failed instances of connector {broken}"
        )],
        5,
    );
    c.keys(&["y"]);
    c.wait_for(&[&format!("✓ restarted {broken}/0")], 15);
    wait_state(&w, &broken, "RUNNING");
    wait_row(&c, &broken, &["RUNNING", "1/1", "0", "HEALTHY"], 10);
    assert_eq!(rest_state(&w, &fine).0, "RUNNING");

    // The detail view remembers the console's restart.
    c.keys(&["Enter"]);
    let s = c.wait_until("the restart in the overview", 5, |s| {
        line_with(s, "last restart").is_some_and(|l| l.contains(&format!("✓ restarted {broken}/0")))
    });
    assert!(
        line_with(&s, "health").is_some_and(|l| l.contains("HEALTHY")),
        "{s}"
    );
    c.quit();
}

#[test]
fn detail_tabs_and_the_trace_view() {
    let w = Worker::start("", &[]);
    let broken = short_name("broken");
    let good = short_name("good");
    let topic = source(&w, &good);
    failing_sink(&w, &broken);
    wait_state(&w, &good, "RUNNING");
    // The source has read both lines (8 bytes) and flushed its offset.
    w.wait_for(&format!("/connectors/{good}/offsets"), 30, |v| {
        v["offsets"][0]["offset"]["position"] == 8
    });

    let c = Console::open(&w.url, 160, 45, &[]);
    wait_row(&c, &broken, &["UNHEALTHY"], 15);
    c.keys(&["/"]);
    c.text(&broken);
    c.keys(&["Enter"]);
    c.wait_gone(&[&good], 5);

    // Overview: states, health, the failed task's trace folded.
    c.keys(&["Enter"]);
    let s = c.wait_for(
        &[
            &format!("▸ connectors ▸ {broken}"),
            "Overview  Tasks  Config  Topics  Offsets",
            "┌ task 0 · FAILED",
            "Couldn't find or create file",
            "└ Tasks tab, enter: full trace",
        ],
        5,
    );
    let health = line_with(&s, "health").unwrap_or("");
    assert!(
        health.contains("UNHEALTHY (1 of 1 tasks down)"),
        "{health}\n{s}"
    );
    assert!(
        line_with(&s, "class").is_some_and(|l| l.contains("FileStreamSink")),
        "{s}"
    );

    // Tasks: one row per task, FAILED with the first line of its trace.
    c.keys(&["Tab"]);
    let s = c.wait_for(&["ID", "STATE", "TRACE"], 5);
    assert!(
        line_with(&s, "FAILED").is_some_and(|l| l.contains("Couldn't find or create")),
        "{s}"
    );

    // Enter: the full trace, searchable with `/`; esc goes back.
    c.keys(&["Enter"]);
    let s = c.wait_for(&[&format!("▸ {broken} ▸ task 0 trace")], 5);
    // (Long lines wrap at the terminal's width, so the path and the OS error show.)
    assert!(
        s.contains("No such file or directory") && s.contains(&format!("{broken}-missing/out.txt")),
        "the trace:\n{s}"
    );
    c.keys(&["/"]);
    c.text("nothing-like-this");
    c.wait_gone(&["No such file or directory"], 5);
    c.keys(&["Escape"]);
    c.wait_for(&["No such file or directory"], 5);
    c.keys(&["Escape"]);
    let s = c.wait_gone(&["task 0 trace"], 5);
    assert!(s.contains("TRACE"), "back on the Tasks tab:\n{s}");

    // Back to the list, then the source's Config, Topics and Offsets tabs.
    c.keys(&["Escape"]);
    c.wait_for(&["NAME", "HEALTH"], 5);
    c.keys(&["Escape"]);
    c.wait_for(&[&good, &broken], 5);
    c.keys(&["/"]);
    c.text(&good);
    c.keys(&["Enter"]);
    c.wait_gone(&[&broken], 5);
    c.keys(&["Enter"]);
    let s = c.wait_for(&[&format!("▸ connectors ▸ {good}"), "state"], 5);
    assert!(
        line_with(&s, "health").is_some_and(|l| l.contains("HEALTHY")),
        "{s}"
    );
    c.keys(&["Tab", "Tab"]);
    let s = c.wait_for(&["KEY", "VALUE", "connector.class", "db.password"], 10);
    assert!(
        line_with(&s, "db.password").is_some_and(|l| l.contains("[hidden]")),
        "the password is masked:\n{s}"
    );
    assert!(!s.contains("s3cret-value"), "the secret shows:\n{s}");
    assert!(
        line_with(&s, "connector.class").is_some_and(|l| l.contains("FileStreamSource")),
        "{s}"
    );
    c.keys(&["Tab"]);
    let s = c.wait_for(&["TOPIC", &topic], 10);
    assert!(!s.contains("db.password"), "{s}");
    c.keys(&["Tab"]);
    let s = c.wait_for(&["PARTITION", "OFFSET", "{\"position\":8}"], 10);
    assert!(
        line_with(&s, "{\"position\":8}").is_some_and(|l| l.contains("{\"filename\":")),
        "{s}"
    );
    // backtab goes the other way, and wraps from Overview to Offsets.
    c.keys(&["BTab"]);
    c.wait_for(&["TOPIC", &topic], 5);
    c.keys(&["l"]);
    c.wait_for(&["{\"position\":8}"], 5);
    c.keys(&["l"]);
    let s = c.wait_for(&["last restart"], 5);
    assert!(!s.contains("PARTITION"), "{s}");
    c.quit();
}

#[test]
fn question_mark_lists_the_keys_of_each_view() {
    let w = Worker::start("", &[]);
    let name = short_name("help");
    source(&w, &name);
    let c = Console::open(&w.url, 160, 45, &[]);
    wait_row(&c, &name, &["RUNNING"], 15);

    c.keys(&["?"]);
    let s = c.wait_for(
        &["help · esc to close", "connectors keys", "global keys"],
        5,
    );
    for (key, desc, action) in [
        ("p", "pause", "pause"),
        ("f", "restart failed", "restart-failed"),
        ("/", "filter (substring or regex)", "filter"),
        ("q ctrl-c", "quit", "quit"),
    ] {
        assert!(
            s.lines().any(|l| {
                let w: Vec<&str> = l.split_whitespace().collect();
                let joined = w.join(" ");
                joined.contains(&format!("{key} {desc} {action}"))
            }),
            "help lacks {key} / {desc} / {action}:\n{s}"
        );
    }
    // The list scrolls to the commands.
    c.keys(&["G"]);
    c.wait_for(&["commands (:)", ":plugins", ":q :quit"], 5);
    c.keys(&["Escape"]);
    let s = c.wait_gone(&["help · esc to close"], 5);
    assert!(row_shows(&s, &name, &["RUNNING"]), "{s}");

    // In the detail view `?` lists that view's keys.
    c.keys(&["Enter"]);
    c.wait_for(&[&format!("▸ connectors ▸ {name}")], 5);
    c.keys(&["?"]);
    let s = c.wait_for(&["connector keys", "next tab", "restart task"], 5);
    assert!(!s.contains("connectors keys"), "{s}");
    c.keys(&["?"]);
    c.wait_gone(&["connector keys"], 5);

    // `:help` too.
    c.keys(&[":"]);
    c.text("help");
    c.keys(&["Enter"]);
    c.wait_for(&["help · esc to close"], 5);
    c.keys(&["q"]);
    c.wait_gone(&["help · esc to close"], 5);
    c.quit();
}

#[test]
fn colon_q_and_ctrl_c_exit_clean_too() {
    // No cluster is needed to leave.
    let url = format!("http://127.0.0.1:{}", free_port());
    let c = Console::open(&url, 100, 30, &[]);
    c.wait_for(&[" kct ▸ command line"], 10);
    c.keys(&[":"]);
    c.text("q");
    c.keys(&["Enter"]);
    c.exits_clean();

    let c = Console::open(&url, 100, 30, &[]);
    c.wait_for(&[" kct ▸ command line"], 10);
    c.keys(&["C-c"]);
    c.exits_clean();
}

#[test]
fn renders_at_80x24_and_through_resizes() {
    let w = Worker::start("", &[]);
    let a = short_name("sz-a");
    let b = short_name("sz-b");
    source(&w, &a);
    failing_sink(&w, &b);
    let c = Console::open(&w.url, 80, 24, &["--refresh", "1"]);
    let s = wait_row(&c, &a, &["RUNNING", "HEALTHY"], 15);
    assert!(row_shows(&s, &b, &["UNHEALTHY"]), "{s}");
    assert_eq!(c.display("#{pane_width}x#{pane_height}"), "80x24");
    assert!(
        s.lines().all(|l| l.chars().count() <= 80),
        "a line wider than the terminal:\n{s}"
    );
    assert!(s.lines().last().unwrap_or("").contains("<enter>"), "{s}");

    // Through sizes down to too small and back, in the list, the detail view and with help
    // open; the console keeps drawing and answering.
    let sizes = [(40, 12), (20, 5), (10, 3), (1, 1), (200, 60), (80, 24)];
    let screens: [(&str, Vec<&str>); 3] = [
        ("list", vec![]),
        ("detail", vec!["Enter"]),
        ("help", vec!["?"]),
    ];
    for (what, keys) in screens {
        if !keys.is_empty() {
            c.keys(&keys);
        }
        for (cols, rows) in sizes {
            c.resize(cols, rows);
            // A fresh frame, not what tmux kept of the last one: below 20x5 it says the
            // terminal is too small; from there the key hints are on the bottom row (tmux
            // crops a shrinking screen from the bottom, a growing one gets blank rows); at
            // 80 columns and more the breadcrumb shows.
            c.wait_until(&format!("{what} drawn at {cols}x{rows}"), 10, |s| {
                let shown = c.display("#{pane_width}x#{pane_height}");
                let bottom = s.split('\n').nth(rows as usize - 1).unwrap_or("");
                shown == format!("{cols}x{rows}")
                    && match (cols, rows) {
                        (c, r) if c < 20 || r < 5 => c < 5 || s.starts_with("kct: "),
                        (c, _) => bottom.starts_with(" <") && (c < 80 || s.contains(" kct ▸")),
                    }
            });
            c.running();
        }
        c.wait_until(&format!("the {what} back at 80x24"), 10, |s| match what {
            "list" => row_shows(s, &a, &["HEALTHY"]),
            "detail" => s.contains("Overview") && s.contains("health"),
            _ => s.contains("help · esc to close") && s.contains("global keys"),
        });
    }
    c.keys(&["Escape"]);
    c.wait_gone(&["help · esc to close"], 5);
    c.keys(&["Escape"]);
    c.wait_for(&["NAME", &a, &b], 5);
    c.resize(20, 5);
    c.wait_until("the list at 20x5", 10, |s| {
        s.contains("NAME") && s.contains("<enter>")
    });
    c.resize(80, 24);
    c.wait_for(&[&a, &b], 10);
    c.quit();
}

#[test]
fn a_cluster_that_is_down_shows_the_error_in_place_and_keys_still_work() {
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let c = Console::open(&url, 120, 30, &["--refresh", "1"]);
    let s = c.wait_for(
        &[
            &format!("cannot load connectors: cannot reach Kafka Connect at {url}"),
            "⚠ retry every",
        ],
        15,
    );
    assert!(
        s.contains(&format!("({url})")),
        "the header names the URL:\n{s}"
    );

    // Keys are answered at once, whatever the network does.
    let t = Instant::now();
    c.keys(&["?"]);
    c.wait_for(&["help · esc to close"], 3);
    c.keys(&["Escape"]);
    c.wait_gone(&["help · esc to close"], 3);
    c.keys(&[":"]);
    c.text("plugins");
    c.keys(&["Enter"]);
    c.wait_for(&["▸ plugins", "cannot load"], 5);
    c.keys(&[":"]);
    c.text("cn");
    c.keys(&["Enter"]);
    c.wait_for(&["▸ connectors", "cannot load connectors"], 5);
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    c.quit();
}

#[test]
fn a_worker_that_goes_away_leaves_the_last_rows_and_the_error() {
    let mut w = Worker::start("", &[]);
    let name = short_name("gone");
    source(&w, &name);
    wait_state(&w, &name, "RUNNING");
    let c = Console::open(&w.url, 160, 45, &["--refresh", "1"]);
    wait_row(&c, &name, &["RUNNING", "HEALTHY"], 15);
    w.kill9();
    let s = c.wait_for(&["⚠ cannot reach Kafka Connect", "⚠ retry every"], 15);
    assert!(
        row_shows(&s, &name, &["RUNNING"]),
        "the last rows stay visible:\n{s}"
    );
    c.keys(&["/"]);
    c.text("no-such-row");
    c.wait_for(&["no connector matches /no-such-row"], 3);
    c.keys(&["Escape"]);
    c.wait_for(&[&name], 3);
    c.keys(&["Enter"]);
    c.wait_for(&[&format!("▸ connectors ▸ {name}"), "Overview"], 3);
    c.quit();
}

// ---------------------------------------------------------------------------------------------
// Kafka-side views: the inspector of Connect's internal topics and the message browser

/// A worker keeping its configs, offsets and statuses in topics of its own, and the config
/// file of a context `e2e` that names that worker, the broker and those topics.
fn topic_backed_worker(prefix: &str) -> (Worker, String) {
    let t = [
        unique_topic(&format!("{prefix}-configs")),
        unique_topic(&format!("{prefix}-offsets")),
        unique_topic(&format!("{prefix}-status")),
    ];
    let extra = format!(
        "group.id={prefix}\nconfig.storage.topic={}\noffset.storage.topic={}\n\
         status.storage.topic={}\nconfig.storage.replication.factor=1\n\
         offset.storage.replication.factor=1\nstatus.storage.replication.factor=1\n",
        t[0], t[1], t[2]
    );
    let w = Worker::start(&extra, &[]);
    let config = format!(
        "current-context = \"e2e\"\n\n[contexts.e2e]\nconnect = [\"{}\"]\nbootstrap = \"{}\"\n\
         configs-topic = \"{}\"\noffsets-topic = \"{}\"\nstatus-topic = \"{}\"\n\
         kafka = {{ \"fetch.wait.max.ms\" = \"5\" }}\n",
        w.url,
        b(),
        t[0],
        t[1],
        t[2]
    );
    (w, config)
}

#[test]
fn colon_offsets_shows_the_inspector_of_the_offsets_topic() {
    let (w, config) = topic_backed_worker(&short_name("insp"));
    let name = short_name("src");
    source(&w, &name);
    wait_state(&w, &name, "RUNNING");
    w.wait_for(&format!("/connectors/{name}/offsets"), 30, |v| {
        v["offsets"][0]["offset"]["position"] == 8
    });

    let c = Console::with_config(&config, 160, 45, &[]);
    c.wait_for(&[" kct ▸ e2e", "▸ connectors"], 15);
    wait_row(&c, &name, &["RUNNING"], 15);
    c.keys(&[":"]);
    c.text("offsets");
    c.keys(&["Enter"]);
    let offsets_topic = config
        .lines()
        .find_map(|l| l.strip_prefix("offsets-topic = "))
        .unwrap()
        .trim_matches('"')
        .to_string();
    let s = c.wait_until("the source's offset read from the offsets topic", 20, |s| {
        s.contains(&offsets_topic)
            && line_with(s, &name).is_some_and(|l| l.contains("(RUNNING)"))
            && line_with(s, "{\"position\":8}").is_some_and(|l| l.contains("\"filename\""))
    });
    assert!(
        line_with(&s, " kct ▸").is_some_and(|l| l.contains("offsets")),
        "{s}"
    );
    assert!(s.contains("latest view"), "{s}");
    // `h`: every record, not only the latest per key.
    c.keys(&["h"]);
    let s = c.wait_until("the history", 10, |s| {
        s.contains("· history ·") && s.contains("KIND") && s.contains("{\"position\":8}")
    });
    assert!(
        line_with(&s, "{\"position\":8}")
            .is_some_and(|l| l.contains("offset") && l.contains(&name)),
        "{s}"
    );
    c.quit();
}

#[test]
fn the_message_browser_tails_a_topic_with_a_jq_filter() {
    let (_w, config) = topic_backed_worker(&short_name("brw"));
    let topic = new_topic("browse", 1);
    let rec = |n: u32, color: &str| {
        Rec::kv(
            0,
            format!("k{n}"),
            format!("{{\"n\":{n},\"color\":\"{color}\"}}"),
        )
    };
    produce(&topic, &[rec(1, "red"), rec(2, "blue"), rec(3, "red")]);

    let c = Console::with_config(&config, 160, 45, &[]);
    c.wait_for(&[" kct ▸ e2e"], 15);
    c.keys(&[":"]);
    c.text("topics");
    c.keys(&["Enter"]);
    c.wait_for(&["▸ topics", &topic], 20);
    c.keys(&["/"]);
    c.text(&topic);
    c.keys(&["Enter"]);
    c.wait_until("the topic alone", 5, |s| {
        row(s, &topic).is_some() && !s.contains("-configs-")
    });
    c.keys(&["Enter"]);
    let s = c.wait_for(&[&format!("▸ {topic}"), "\"color\":\"blue\"", "k3"], 20);
    assert!(s.contains("k1") && s.contains("k2"), "{s}");

    // Live tail, and a jq filter applied as it is typed.
    c.keys(&["f"]);
    c.wait_for(&["● live tail"], 5);
    c.keys(&["J"]);
    c.text(".payload | fromjson | select(.color == \"red\") | .n");
    c.keys(&["Enter"]);
    let s = c.wait_until("only the red records", 10, |s| {
        s.contains("JQ OUTPUT") && s.contains("k1") && s.contains("k3") && !s.contains("k2")
    });
    assert!(!s.contains("blue"), "{s}");
    produce(&topic, &[rec(4, "blue"), rec(5, "red")]);
    let s = c.wait_for(&["k5"], 15);
    assert!(!s.contains("k4"), "the jq filter drops blue records:\n{s}");
    assert!(
        line_with(&s, "k5").is_some_and(|l| l.trim_end().ends_with(" 5")),
        "the jq output (.n) of the new record:\n{s}"
    );
    c.quit();
}

/// The topic a context of [`topic_backed_worker`] names for `key` (`offsets-topic`, …).
fn context_topic(config: &str, key: &str) -> String {
    config
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key} = ")))
        .unwrap_or_else(|| panic!("no {key} in\n{config}"))
        .trim_matches('"')
        .to_string()
}

/// `:NAME` typed into the command bar.
fn open_resource(c: &Console, name: &str) {
    c.keys(&[":"]);
    c.text(name);
    c.keys(&["Enter"]);
}

#[test]
fn colon_configs_and_colon_status_read_the_workers_topics() {
    let (w, config) = topic_backed_worker(&short_name("cfst"));
    let name = short_name("src");
    source(&w, &name);
    wait_state(&w, &name, "RUNNING");
    let configs_topic = context_topic(&config, "configs-topic");
    let status_topic = context_topic(&config, "status-topic");

    let c = Console::with_config(&config, 160, 45, &[]);
    c.wait_for(&[" kct ▸ e2e"], 15);
    open_resource(&c, "configs");
    let s = c.wait_until("the connector in the config topic", 20, |s| {
        s.contains(&configs_topic) && row_shows(s, &name, &["STARTED", "1", "FileStreamSource"])
    });
    assert!(
        line_with(&s, " kct ▸").is_some_and(|l| l.contains("▸ configs") && !l.contains(":configs")),
        "{s}"
    );
    // Enter: the record in full, the password masked.
    c.keys(&["Enter"]);
    let s = c.wait_for(&[&format!("{name} in {configs_topic}"), "db.password"], 5);
    assert!(
        line_with(&s, "db.password").is_some_and(|l| l.contains("[hidden]")),
        "{s}"
    );
    assert!(!s.contains("s3cret-value"), "the secret shows:\n{s}");
    c.keys(&["Escape"]);

    open_resource(&c, "status");
    let s = c.wait_until("the connector and its task in the status topic", 20, |s| {
        s.contains(&status_topic)
            && row_shows(s, &name, &["RUNNING"])
            && line_with(s, "task 0").is_some_and(|l| l.contains("RUNNING"))
    });
    assert!(
        row(&s, &name).is_some_and(|l| l.contains("127.0.0.1:")),
        "the worker id:\n{s}"
    );

    // A change made elsewhere shows after `r` (read the topic again).
    assert_eq!(
        w.call("PUT", &format!("/connectors/{name}/pause"), None).0,
        202
    );
    wait_state(&w, &name, "PAUSED");
    c.keys(&["r"]);
    c.wait_until("PAUSED in the status topic", 15, |s| {
        row_shows(s, &name, &["PAUSED"])
            && line_with(s, "task 0").is_some_and(|l| l.contains("PAUSED"))
    });
    open_resource(&c, "configs");
    c.keys(&["r"]);
    c.wait_until("the PAUSED target state", 15, |s| {
        row_shows(s, &name, &["PAUSED", "FileStreamSource"])
    });
    c.quit();
}

#[test]
fn x_in_colon_offsets_resets_a_stopped_source_through_the_offsets_topic() {
    let (w, config) = topic_backed_worker(&short_name("rst"));
    let name = short_name("src");
    let topic = source(&w, &name);
    wait_state(&w, &name, "RUNNING");
    w.wait_for(&format!("/connectors/{name}/offsets"), 30, |v| {
        v["offsets"][0]["offset"]["position"] == 8
    });
    let offsets_topic = context_topic(&config, "offsets-topic");

    let c = Console::with_config(&config, 160, 45, &[]);
    c.wait_for(&[" kct ▸ e2e"], 15);
    open_resource(&c, "offsets");
    let s = c.wait_until("the source's offset", 20, |s| {
        line_with(s, "{\"position\":8}").is_some_and(|l| l.contains("\"filename\""))
    });
    // The P column of the entry: the partition the record lives in.
    let entry = line_with(&s, "{\"position\":8}").unwrap().to_string();

    // Running: the plan says so and offers to plan past it; `n` leaves it.
    c.keys(&["x"]);
    c.wait_for(&[&format!("{name} appears to be running"), "(force)"], 15);
    c.keys(&["n"]);
    c.wait_for(&["cancelled; nothing changed"], 5);

    // Stopped through REST first, then `x`: every record shown before writing.
    // (Connect answers 204 to a stop.)
    assert_eq!(
        w.call("PUT", &format!("/connectors/{name}/stop"), None).0,
        204
    );
    w.wait_for(&format!("/connectors/{name}/status"), 20, |s| {
        s["connector"]["state"] == "STOPPED"
    });
    c.keys(&["x"]);
    let s = c.wait_for(
        &[
            &format!("Reset offsets of {name} through {offsets_topic}?"),
            "Writes 1 tombstone(s)",
            "value NULL (tombstone) · now {\"position\":8}",
            &format!("key [\"{name}\",{{\"filename\":"),
        ],
        15,
    );
    let line = line_with(&s, "• partition ").unwrap_or("");
    let p: String = line
        .split("• partition ")
        .nth(1)
        .unwrap_or("")
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    assert!(
        !p.is_empty() && entry.split_whitespace().any(|w| w == p),
        "the confirmation's partition ({p}) is the entry's ({entry}):\n{s}"
    );
    c.keys(&["y"]);
    c.wait_for(
        &[&format!(
            "✓ wrote 1 tombstone(s) to {offsets_topic} for {name} and read them back"
        )],
        20,
    );
    // The worker catches up with the topic: no offsets through REST either.
    w.wait_for(&format!("/connectors/{name}/offsets"), 20, |v| {
        v["offsets"].as_array().is_some_and(|a| a.is_empty())
    });
    // The inspector reads the topic again and the entry is gone.
    c.wait_gone(&["{\"position\":8}"], 15);

    // Resumed, the source reads its file from the start again.
    assert_eq!(
        w.call("PUT", &format!("/connectors/{name}/resume"), None).0,
        202
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let lines = common::worker::topic_lines(&topic, "%s\n");
        if lines.len() >= 4 {
            assert_eq!(lines.len(), 4, "{lines:?}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the source did not re-read its file: {lines:?}\n{}",
            w.log()
        );
        thread::sleep(Duration::from_millis(300));
    }
    c.quit();
}

#[test]
fn space_marks_two_rows_and_p_pauses_both_after_one_confirmation() {
    let w = Worker::start("", &[]);
    let (a, b2, keep) = (short_name("mka"), short_name("mkb"), short_name("mkc"));
    for n in [&a, &b2, &keep] {
        source(&w, n);
    }
    for n in [&a, &b2, &keep] {
        wait_state(&w, n, "RUNNING");
    }
    let c = Console::open(&w.url, 160, 45, &["--refresh", "1"]);
    c.wait_until("three RUNNING rows", 15, |s| {
        [&a, &b2, &keep]
            .iter()
            .all(|n| row_shows(s, n, &["RUNNING"]))
    });
    // Sorted by name: the first two rows are a and b; space marks and moves down.
    c.keys(&["Space", "Space"]);
    c.wait_until("two marked rows", 5, |s| {
        row(s, &a).is_some_and(|l| l.starts_with('●'))
            && row(s, &b2).is_some_and(|l| l.starts_with('●'))
            && row(s, &keep).is_some_and(|l| !l.starts_with('●'))
    });
    c.keys(&["p"]);
    let s = c.wait_for(
        &[
            "Confirm 2 changes",
            &format!("• pause connector {a}"),
            &format!("• pause connector {b2}"),
        ],
        5,
    );
    assert!(
        !s.contains(&format!("• pause connector {keep}")),
        "an unmarked row in the confirmation:\n{s}"
    );
    c.keys(&["y"]);
    wait_state(&w, &a, "PAUSED");
    wait_state(&w, &b2, "PAUSED");
    c.wait_until("both rows PAUSED", 10, |s| {
        row_shows(s, &a, &["PAUSED"]) && row_shows(s, &b2, &["PAUSED"])
    });
    assert_eq!(rest_state(&w, &keep).0, "RUNNING");
    c.quit();
}

#[test]
fn e_edits_the_config_in_the_editor_then_confirms_the_diff() {
    let w = Worker::start("", &[]);
    let name = short_name("edit");
    let input = write(&w.dir, &format!("{name}.txt"), "one\n");
    create(
        &w,
        &name,
        json!({"connector.class": "FileStreamSource", "tasks.max": "1",
               "file": input.to_str().unwrap(), "topic": unique_topic(&name),
               "db.password": "s3cret-value", "x.note": "before"}),
    );
    wait_state(&w, &name, "RUNNING");
    // An editor that shows itself, then changes one value.
    let editor = write(
        &w.dir,
        "editor.sh",
        "#!/bin/sh\necho 'the scripted editor runs'\nsleep 1\n\
         sed -i 's/\"before\"/\"after\"/' \"$1\"\n",
    );
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let editor = editor.to_str().unwrap();
    let c = Console::kct(
        "",
        160,
        45,
        &["tui", "--connect", &w.url],
        &[("VISUAL", editor), ("EDITOR", editor)],
    );
    wait_row(&c, &name, &["RUNNING"], 15);
    c.keys(&["e"]);
    // The console steps aside while the editor runs.
    let s = c.wait_for(&["the scripted editor runs"], 10);
    assert!(!s.contains(" kct ▸"), "the console still shows:\n{s}");
    let s = c.wait_for(&["Apply 1 change(s)?", "x.note = before → after"], 15);
    assert!(!s.contains("s3cret-value"), "{s}");
    assert_eq!(
        w.get(&format!("/connectors/{name}/config")).1["x.note"],
        "before",
        "applied before the confirmation"
    );
    c.keys(&["y"]);
    c.wait_for(&[&format!("✓ configured {name}")], 10);
    let (_, config) = w.get(&format!("/connectors/{name}/config"));
    assert_eq!(config["x.note"], "after", "{config}");
    assert_eq!(
        config["db.password"], "s3cret-value",
        "the masked secret is kept"
    );
    c.quit();
}

#[test]
fn kct_local_opens_the_console_and_q_stops_its_worker() {
    let dir = scratch_dir().join(unique_topic("local"));
    let port = free_port().to_string();
    let c = Console::kct(
        "",
        160,
        45,
        &[
            "local",
            "--dir",
            dir.to_str().unwrap(),
            "--port",
            &port,
            "--bootstrap",
            b(),
        ],
        &[],
    );
    c.wait_for(&["(connect ", "▸ connectors"], 30);
    c.wait_until("the three example connectors RUNNING", 30, |s| {
        ["local-file-source", "local-file-sink", "local-csv-source"]
            .iter()
            .all(|n| row_shows(s, n, &["RUNNING"]))
    });
    c.quit();
    let s = c.screen();
    assert!(
        s.contains("kct local") && s.contains("worker log"),
        "the summary after the console:\n{s}"
    );
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port.parse::<u16>().unwrap())).is_err(),
        "the worker still answers on {port} after q"
    );
}
