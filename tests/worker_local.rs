//! `kct local` against the test broker: it writes its worker file and the example pipeline into
//! its directory, serves the REST API, the example copies input.txt to output.txt, and the
//! SpoolDir example reads its CSV file.

mod common;

use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

#[test]
fn local_runs_the_example_pipeline_end_to_end() {
    let dir = scratch_dir().join(unique_topic("local"));
    std::fs::create_dir_all(&dir).unwrap();
    let port = free_port();
    // The example's topic: the source creates it, the sink waits for it.
    let mut cmd = Command::new(kct_bin());
    cmd.args([
        "local",
        "--bootstrap",
        b(),
        "--port",
        &port.to_string(),
        "--dir",
    ])
    .arg(&dir)
    .stdin(Stdio::null())
    .stdout(Stdio::null())
    .stderr(std::fs::File::create(dir.join("local.log")).unwrap());
    // SAFETY: prctl before exec so the child dies with the test.
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    let mut child = cmd.spawn().unwrap();
    let log = || std::fs::read_to_string(dir.join("local.log")).unwrap_or_default();
    let output = dir.join("output.txt");
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::fs::read_to_string(&output).unwrap_or_default() != "hello from kct local\n" {
        assert!(
            Instant::now() < deadline,
            "the example pipeline did not copy input.txt:\n{}",
            log()
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "kct local exited:\n{}",
            log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // The SpoolDir CSV example: the example file is read and moved to finished/.
    let finished = dir.join("spooldir").join("finished").join("example.csv");
    while !finished.is_file() {
        assert!(
            Instant::now() < deadline,
            "the CSV example was not processed:\n{}",
            log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let body = reqwest::blocking::get(format!("http://127.0.0.1:{port}/connectors"))
        .unwrap()
        .text()
        .unwrap();
    let mut names: Vec<String> = serde_json::from_str(&body).unwrap();
    names.sort();
    assert_eq!(
        names,
        ["local-csv-source", "local-file-sink", "local-file-source"]
    );
    let text = log();
    assert!(
        text.contains(&format!("REST API    http://127.0.0.1:{port}")),
        "{text}"
    );
    assert!(dir.join("connect-standalone.properties").is_file());
    // SAFETY: plain kill(2) of our child.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}\n{}", log());
}
