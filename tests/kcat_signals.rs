//! SIGINT and SIGTERM end kcat-mode runs gracefully (exit 0, output flushed), as they do kcat's:
//! a consumer tailing a topic, and a producer blocked on an open stdin.

mod common;

use common::*;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Sends `signal` to `child` and waits (bounded) for it to exit; returns its exit code.
fn signal_and_wait(child: &mut Child, signal: i32) -> Option<i32> {
    // SAFETY: plain kill(2) on a child we started.
    unsafe { libc::kill(child.id() as i32, signal) };
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().expect("wait") {
            return status.code();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    None
}

fn tail(mut cmd: Command, topic: &str) -> (Option<i32>, String, String) {
    // -u: kcat's stdout is block-buffered on a pipe otherwise (kct's is flushed per batch).
    let mut child = cmd
        .args([
            "-b",
            b(),
            "-C",
            "-u",
            "-t",
            topic,
            "-X",
            "fetch.wait.max.ms=5",
            "-f",
            "%s\\n",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let out = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    // Keeps reading after the first line, so the pipe stays open until the tool exits.
    std::thread::spawn(move || {
        let mut reader = BufReader::new(out);
        let mut first = String::new();
        let _ = reader.read_line(&mut first);
        let _ = tx.send(first);
        let _ = std::io::copy(&mut reader, &mut std::io::sink());
    });
    let first = rx.recv_timeout(Duration::from_secs(15)).unwrap_or_default();
    let code = signal_and_wait(&mut child, libc::SIGINT);
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut e, &mut err);
    }
    (code, first, err)
}

#[test]
fn sigint_ends_a_tailing_consumer_with_exit_0() {
    let t = new_topic("sig-tail", 2);
    produce(&t, &[Rec::v(0, "one"), Rec::v(1, "two")]);
    let (kcat_code, kcat_first, kcat_err) = tail(kcat_cmd(), &t);
    let (kct_code, kct_first, kct_err) = tail(kct_cmd(), &t);
    assert_eq!(kcat_code, Some(0), "kcat after SIGINT: {kcat_err}");
    assert_eq!(kct_code, Some(0), "kct after SIGINT: {kct_err}");
    assert!(
        !kct_first.is_empty() && !kcat_first.is_empty(),
        "both printed a message before the signal: kcat {kcat_first:?}, kct {kct_first:?}"
    );
}

fn blocked_producer(mut cmd: Command, topic: &str, signal: i32) -> Option<i32> {
    let mut child = cmd
        .args(["-b", b(), "-P", "-t", topic])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(b"before-signal\n").expect("write");
    stdin.flush().expect("flush");
    // Let the line be read and sent while stdin stays open.
    std::thread::sleep(Duration::from_millis(800));
    let code = signal_and_wait(&mut child, signal);
    drop(stdin);
    code
}

#[test]
fn signals_end_a_producer_blocked_on_stdin_with_exit_0() {
    for (name, signal) in [("SIGINT", libc::SIGINT), ("SIGTERM", libc::SIGTERM)] {
        let t = new_topic("sig-prod", 1);
        let code = blocked_producer(kct_cmd(), &t, signal);
        assert_eq!(code, Some(0), "kct -P after {name}");
        let read = kcat(&consume_args(&t, &["-f", "%s\\n"]), b"");
        assert_eq!(
            show(&read.stdout),
            "before-signal\\n",
            "the line read before {name} was delivered"
        );
    }
}
