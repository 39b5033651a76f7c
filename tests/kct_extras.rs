//! kct's options that kcat does not have (README "Beyond kcat" and the deliberate differences),
//! each against the real broker: `--jq`, `-P -J`, `--encoding`, `%F`, `-L --offsets`,
//! `--partitioner murmur2` and the Connect-topic warning, the clap commands, `-X dump` masking,
//! `-o earliest|latest`, and the interactive producer. kcat is used where it can say what the
//! answer must be (reading topics back, the offsets that `-o beginning` gives, ...).

mod common;

use base64::Engine as _;
use common::*;
use serde_json::{json, Value};
use std::io::Write as _;
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::{Child, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

const T0: i64 = 1_700_000_000_000;

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn stderr_lines(o: &Output) -> Vec<String> {
    text(&o.stderr).lines().map(str::to_string).collect()
}

fn no_panic(c: &mut Checks, label: &str, o: &Output) {
    let err = text(&o.stderr);
    c.check(
        &format!("{label}: no panic"),
        !err.contains("panicked") && code(o) != 101,
        || format!("exit {} stderr: {err}", code(o)),
    );
}

/// Parses each non-empty stdout line as JSON (kct's `--jq` and `-J` output must be valid JSON).
fn parse_lines(label: &str, out: &[u8]) -> Result<Vec<Value>, String> {
    out.split(|&c| c == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| {
            serde_json::from_slice(l).map_err(|e| format!("{label}: not JSON ({e}): {}", show(l)))
        })
        .collect()
}

fn show_values(v: &[Value]) -> String {
    v.iter()
        .map(|r| format!("    {r}"))
        .collect::<Vec<_>>()
        .join("\n")
}

// ---------------------------------------------------------------------------------------------
// --jq

/// One partition: keys a, b, a with JSON payloads {"x":1..3}.
fn jq_topic_one() -> String {
    let t = new_topic("jq1", 1);
    produce(
        &t,
        &[
            Rec::kv(0, "a", r#"{"x":1}"#).ts(T0 + 1),
            Rec::kv(0, "b", r#"{"x":2}"#).ts(T0 + 2),
            Rec::kv(0, "a", r#"{"x":3}"#).ts(T0 + 3),
        ],
    );
    t
}

#[test]
fn jq_select_and_transform() {
    let mut c = Checks::new();

    // select over three partitions: exactly kcat's -J envelopes of the matching messages.
    let t3 = new_topic("jq3", 3);
    let mut recs = Vec::new();
    for p in 0..3 {
        for (i, k) in ["a", "b", "c", "a"].iter().enumerate() {
            recs.push(
                Rec::kv(p, k, format!("p{p}-{i}"))
                    .header("h", Some(b"v"))
                    .ts(T0 + i as i64),
            );
        }
    }
    recs.push(Rec::new(1).value("null key").ts(T0 + 9));
    produce(&t3, &recs);
    let oracle = kcat(&consume_args(&t3, &["-J"]), b"");
    assert_eq!(code(&oracle), 0, "oracle: {}", text(&oracle.stderr));
    let mut want: Vec<Value> = json_lines(&oracle.stdout)
        .into_iter()
        .filter(|r| r["key"] == "a")
        .collect();
    want.sort_by_key(|r| (r["partition"].as_i64(), r["offset"].as_i64()));
    let out = kct(&consume_args(&t3, &["--jq", r#"select(.key=="a")"#]), b"");
    match parse_lines("select", &out.stdout) {
        Ok(mut got) => {
            got.sort_by_key(|r| (r["partition"].as_i64(), r["offset"].as_i64()));
            c.check(
                "select(.key==\"a\"): kcat's -J envelopes of the matching messages",
                code(&out) == 0 && got == want,
                || {
                    format!(
                        "exit {} stderr {}\nwant ({}):\n{}\ngot ({}):\n{}",
                        code(&out),
                        text(&out.stderr),
                        want.len(),
                        show_values(&want),
                        got.len(),
                        show_values(&got)
                    )
                },
            );
        }
        Err(e) => c.check("select: JSON output", false, || e),
    }

    // transform: one object per message, across partitions.
    let out = kct(
        &consume_args(&t3, &["--jq", "{k: .key, p: .partition}"]),
        b"",
    );
    let mut want: Vec<String> = json_lines(&oracle.stdout)
        .iter()
        .map(|r| json!({"k": r["key"], "p": r["partition"]}).to_string())
        .collect();
    want.sort();
    let mut got: Vec<String> = text(&out.stdout).lines().map(str::to_string).collect();
    got.sort();
    c.check(
        "{k: .key, p: .partition}: compact JSON per message",
        code(&out) == 0 && got == want,
        || {
            format!(
                "exit {} stderr {}\nwant {want:?}\ngot  {got:?}",
                code(&out),
                text(&out.stderr)
            )
        },
    );

    // Exact bytes on one partition: fromjson, several outputs per message, -D.
    let t1 = jq_topic_one();
    for (label, extra, want) in [
        (
            ".payload | fromjson | .x",
            vec!["--jq", ".payload | fromjson | .x"],
            "1\n2\n3\n",
        ),
        (
            "two outputs per message",
            vec!["--jq", ".key, .offset"],
            "\"a\"\n0\n\"b\"\n1\n\"a\"\n2\n",
        ),
        (
            "-D | after each result",
            vec!["--jq", "{k: .key, p: .partition}", "-D", "|"],
            r#"{"k":"a","p":0}|{"k":"b","p":0}|{"k":"a","p":0}|"#,
        ),
        (
            "-D with several outputs",
            vec!["--jq", ".offset, .key", "-D", ";"],
            r#"0;"a";1;"b";2;"a";"#,
        ),
        (
            "empty output (select none)",
            vec!["--jq", "select(.key == \"zzz\")"],
            "",
        ),
        (
            "select on parsed payload",
            vec!["--jq", "select((.payload | fromjson | .x) >= 2) | .offset"],
            "1\n2\n",
        ),
    ] {
        let out = kct(&consume_args(&t1, &extra), b"");
        c.check(
            label,
            code(&out) == 0 && out.stdout == want.as_bytes(),
            || {
                format!(
                    "args {extra:?}\nexit {} stderr {}\nwant {}\ngot  {}",
                    code(&out),
                    text(&out.stderr),
                    show(want.as_bytes()),
                    show(&out.stdout)
                )
            },
        );
    }
    c.finish();
}

#[test]
fn jq_compile_error_is_reported_before_connecting() {
    let mut c = Checks::new();
    let down = "127.0.0.1:1";
    for (label, args) in [
        (
            "-C",
            strs(&["-b", down, "-C", "-t", "x", "-e", "--jq", ".foo |"]),
        ),
        (
            "-C, --jq first",
            strs(&["--jq", ".foo |", "-b", down, "-C", "-t", "x"]),
        ),
        (
            "-G",
            strs(&["-b", down, "-G", "grp", "x", "-e", "--jq", ".foo |"]),
        ),
    ] {
        let out = kct(&args, b"");
        let lines = stderr_lines(&out);
        let err = text(&out.stderr);
        c.check(
            &format!("{label}: exit 1 with one `% ERROR:` line naming --jq"),
            code(&out) == 1
                && lines.len() == 1
                && lines[0].starts_with("% ERROR:")
                && lines[0].contains("--jq"),
            || format!("exit {} stderr: {err}", code(&out)),
        );
        // Nothing was attempted on the network: no librdkafka connection errors, no metadata
        // timeout message.
        c.check(
            &format!("{label}: no connection attempt"),
            !err.contains("Connection refused")
                && !err.contains("FAIL")
                && !err.contains("metadata")
                && !err.contains("timed out"),
            || format!("stderr: {err}"),
        );
        c.check(
            &format!("{label}: stdout empty"),
            out.stdout.is_empty(),
            || show(&out.stdout),
        );
        no_panic(&mut c, label, &out);
    }
    c.finish();
}

#[test]
fn jq_runtime_error() {
    let t = new_topic("jqrt", 1);
    produce(
        &t,
        &[
            Rec::v(0, "1").ts(T0),
            Rec::v(0, "two").ts(T0 + 1),
            Rec::v(0, "3").ts(T0 + 2),
        ],
    );
    let mut c = Checks::new();
    let out = kct(&consume_args(&t, &["--jq", ".payload | tonumber"]), b"");
    let err = text(&out.stderr);
    c.check(
        "runtime error: exit 1, `% ERROR:` naming --jq",
        code(&out) == 1
            && err
                .lines()
                .any(|l| l.starts_with("% ERROR:") && l.contains("--jq")),
        || {
            format!(
                "exit {} stdout {} stderr {err}",
                code(&out),
                show(&out.stdout)
            )
        },
    );
    c.check(
        "runtime error: stops at the failing message",
        !text(&out.stdout).contains('3'),
        || format!("stdout {}", show(&out.stdout)),
    );
    no_panic(&mut c, "runtime error", &out);

    let out = kct(
        &consume_args(&t, &["--jq", ".payload | tonumber", "-E"]),
        b"",
    );
    let err = text(&out.stderr);
    c.check(
        "runtime error with -E: reported, skipped, the rest printed",
        code(&out) == 0
            && out.stdout == b"1\n3\n"
            && err
                .lines()
                .filter(|l| l.starts_with("% ERROR:") && l.contains("--jq"))
                .count()
                == 1,
        || {
            format!(
                "exit {} stdout {} stderr {err}",
                code(&out),
                show(&out.stdout)
            )
        },
    );
    c.finish();
}

// ---------------------------------------------------------------------------------------------
// -P -J

/// Copies `a` to `b` through `kct -C -J -e | kct -P -J` (a real pipe) and compares what kcat
/// reads from both.
fn copy_and_compare(c: &mut Checks, label: &str, a: &str, b_topic: &str, enc: &[&str]) {
    let enc = enc.join(" ");
    let script = format!(
        "\"$KCT_BIN\" -b {br} -C -J -e -q -X fetch.wait.max.ms=5 -t {a} {enc} \
         | \"$KCT_BIN\" -b {br} -P -J -t {b_topic} {enc}; \
         echo \"status=${{PIPESTATUS[0]}} ${{PIPESTATUS[1]}}\"",
        br = b()
    );
    let out = sh(&script);
    c.check(
        &format!("{label}: both ends of the pipe exit 0"),
        out.stdout == b"status=0 0\n",
        || format!("stdout {} stderr {}", show(&out.stdout), text(&out.stderr)),
    );
    let (ra, rb) = (records_with_ts(a), records_with_ts(b_topic));
    c.check(
        &format!("{label}: kcat -J reads the same records from both topics"),
        !ra.is_empty() && ra == rb,
        || {
            format!(
                "source ({}):\n{}\ncopy ({}):\n{}\npipe stderr: {}",
                ra.len(),
                show_values(&ra),
                rb.len(),
                show_values(&rb),
                text(&out.stderr)
            )
        },
    );
}

#[test]
fn json_producer_round_trip_binary() {
    let a = new_topic("pj-bin-a", 3);
    let b_topic = new_topic("pj-bin-b", 3);
    produce(
        &a,
        &[
            Rec::kv(0, b"\x00\xffk", b"\xfe\x00v\n")
                .header("h1", Some(b"\x00\x01"))
                .header("h2", None)
                .header("h3", Some(b""))
                .header("h1", Some(b"dup"))
                .ts(T0 + 1),
            Rec::new(0).ts(T0 + 2),
            Rec::kv(0, "", "").ts(T0 + 3),
            Rec::kv(1, "k", b"\xc3\x28 invalid utf-8").ts(T0 + 4),
            Rec::new(1).key("null value").ts(T0 + 5),
            Rec::new(2)
                .value("null key")
                .header("only", None)
                .ts(T0 + 6),
            Rec::kv(2, "ü", "✓").ts(1),
            Rec::kv(2, b"\x80", b"\x80").ts(T0 + 8),
        ],
    );
    let mut c = Checks::new();
    copy_and_compare(
        &mut c,
        "--encoding base64",
        &a,
        &b_topic,
        &["--encoding", "base64"],
    );
    let h = new_topic("pj-hex-b", 3);
    copy_and_compare(&mut c, "--encoding hex", &a, &h, &["--encoding", "hex"]);
    c.finish();
}

#[test]
fn json_producer_round_trip_text() {
    let a = new_topic("pj-txt-a", 2);
    let b_topic = new_topic("pj-txt-b", 2);
    produce(
        &a,
        &[
            Rec::kv(0, "k1", "hello")
                .header("h1", Some(b"v1"))
                .header("h2", None)
                .header("h3", Some(b""))
                .header("h1", Some(b"dup"))
                .ts(T0 + 1),
            Rec::new(0).ts(T0 + 2),
            Rec::kv(0, "", "").ts(T0 + 3),
            Rec::kv(1, "ü-ключ-🔑", "héllo wörld ✓").ts(T0 + 4),
            Rec::kv(1, "json", "quote\" back\\ nl\n tab\t ctl\x01 </x>").ts(T0 + 5),
            Rec::new(1).key("k-null-value").ts(T0 + 6),
            Rec::new(1).value(r#"{"x":1}"#).ts(T0 + 7),
            Rec::kv(0, "long", "x".repeat(3000)).ts(T0 + 8),
        ],
    );
    let mut c = Checks::new();
    copy_and_compare(&mut c, "text (no --encoding)", &a, &b_topic, &[]);
    c.finish();
}

#[test]
fn json_producer_bad_line() {
    let input = concat!(
        r#"{"payload":"one","key":"k1"}"#,
        "\n",
        r#"{"payload":"two"}"#,
        "\n",
        "not json\n",
        r#"{"payload":"four"}"#,
        "\n",
    );
    let mut c = Checks::new();

    let t = new_topic("pj-bad", 1);
    let out = kct(&["-b", b(), "-P", "-J", "-t", &t], input.as_bytes());
    let err = text(&out.stderr);
    c.check(
        "bad line: exit 1, `% ERROR:` naming record 3",
        code(&out) == 1
            && err
                .lines()
                .any(|l| l.starts_with("% ERROR:") && l.contains("record 3")),
        || format!("exit {} stderr: {err}", code(&out)),
    );
    let payloads: Vec<Value> = records_with_ts(&t)
        .iter()
        .map(|r| r["payload"].clone())
        .collect();
    c.check(
        "bad line: the records before it are delivered, nothing after it",
        payloads == vec![json!("one"), json!("two")],
        || format!("topic holds {payloads:?}"),
    );
    no_panic(&mut c, "bad line", &out);

    let t = new_topic("pj-bad-e", 1);
    let out = kct(&["-b", b(), "-P", "-J", "-E", "-t", &t], input.as_bytes());
    let err = text(&out.stderr);
    c.check(
        "bad line with -E: reported with its record number",
        err.lines()
            .any(|l| l.starts_with("% ERROR:") && l.contains("record 3")),
        || format!("exit {} stderr: {err}", code(&out)),
    );
    let recs = records_with_ts(&t);
    let got: Vec<(Value, Value)> = recs
        .iter()
        .map(|r| (r["key"].clone(), r["payload"].clone()))
        .collect();
    c.check(
        "bad line with -E: skipped, the rest produced in order, exit 0",
        code(&out) == 0
            && got
                == vec![
                    (json!("k1"), json!("one")),
                    (Value::Null, json!("two")),
                    (Value::Null, json!("four")),
                ],
        || format!("exit {} stderr {err}\ntopic holds {got:?}", code(&out)),
    );

    // Lines that are JSON but not envelopes.
    for (label, line) in [
        ("array", "[1,2]\n"),
        (
            "partition not a number",
            "{\"partition\":\"x\",\"payload\":\"p\"}\n",
        ),
        ("payload a number", "{\"payload\":5}\n"),
    ] {
        let t = new_topic("pj-bad2", 1);
        let out = kct(&["-b", b(), "-P", "-J", "-t", &t], line.as_bytes());
        let err = text(&out.stderr);
        c.check(
            &format!("{label}: exit 1 naming record 1"),
            code(&out) == 1
                && err
                    .lines()
                    .any(|l| l.starts_with("% ERROR:") && l.contains("record 1")),
            || format!("exit {} stderr: {err}", code(&out)),
        );
    }
    c.finish();
}

// ---------------------------------------------------------------------------------------------
// --encoding

#[test]
fn encoding_on_json_consumer() {
    let t = new_topic("enc", 1);
    let recs = [
        Rec::kv(0, b"\x00\xffk", b"\x01\x02\xfe")
            .header("hb", Some(b"\xff\x00"))
            .header("hn", None)
            .header("he", Some(b""))
            .ts(T0),
        Rec::new(0).ts(T0 + 1),
        Rec::kv(0, "", "").ts(T0 + 2),
        Rec::kv(0, "text", "ü✓").ts(T0 + 3),
    ];
    produce(&t, &recs);
    let plain = kct(&consume_args(&t, &["-J"]), b"");
    let mut c = Checks::new();
    type Enc = fn(&[u8]) -> String;
    let b64: Enc = |b| base64::engine::general_purpose::STANDARD.encode(b);
    let hex: Enc = |b| hex::encode(b);
    for (name, enc) in [("base64", b64), ("hex", hex)] {
        let out = kct(&consume_args(&t, &["-J", "--encoding", name]), b"");
        let lines = match parse_lines(name, &out.stdout) {
            Ok(l) => l,
            Err(e) => {
                c.check(&format!("--encoding {name}: JSON"), false, || e);
                continue;
            }
        };
        let want: Vec<(Value, Value, Value)> = recs
            .iter()
            .map(|r| {
                let headers = if r.headers.is_empty() {
                    Value::Null
                } else {
                    Value::Array(
                        r.headers
                            .iter()
                            .flat_map(|(n, v)| {
                                [
                                    json!(n),
                                    v.as_deref().map(enc).map_or(Value::Null, Value::from),
                                ]
                            })
                            .collect(),
                    )
                };
                (
                    r.key.as_deref().map(enc).map_or(Value::Null, Value::from),
                    r.value.as_deref().map(enc).map_or(Value::Null, Value::from),
                    headers,
                )
            })
            .collect();
        let got: Vec<(Value, Value, Value)> = lines
            .iter()
            .map(|l| (l["key"].clone(), l["payload"].clone(), l["headers"].clone()))
            .collect();
        c.check(
            &format!("--encoding {name}: key, payload, header values encoded, NULL is null"),
            code(&out) == 0 && got == want,
            || {
                format!(
                    "exit {} stderr {}\nwant {want:?}\ngot  {got:?}",
                    code(&out),
                    text(&out.stderr)
                )
            },
        );
        // Everything else in the envelope is as without --encoding.
        if let Ok(plain_lines) = parse_lines("plain", &plain.stdout) {
            let strip = |v: &[Value]| -> Vec<Value> {
                v.iter()
                    .map(|r| {
                        let mut r = r.clone();
                        let o = r.as_object_mut().unwrap();
                        for f in ["key", "payload", "headers"] {
                            o.remove(f);
                        }
                        r
                    })
                    .collect()
            };
            c.check(
                &format!("--encoding {name}: other fields unchanged"),
                strip(&lines) == strip(&plain_lines),
                || format!("plain: {plain_lines:?}\n{name}: {lines:?}"),
            );
        }
    }
    let out = kct(&consume_args(&t, &["-J", "--encoding", "text"]), b"");
    c.check(
        "--encoding text is the default",
        code(&out) == 0 && out.stdout == plain.stdout,
        || format!("plain {}\ntext {}", show(&plain.stdout), show(&out.stdout)),
    );
    for bad in [
        consume_args(&t, &["-J", "--encoding", "base32"]),
        strs(&["-b", b(), "-P", "-J", "-t", &t, "--encoding", "utf16"]),
    ] {
        let out = kct(&bad, b"{\"payload\":\"x\"}\n");
        let err = text(&out.stderr);
        c.check(
            &format!("bad --encoding: {}", bad.join(" ")),
            code(&out) == 1
                && err
                    .lines()
                    .any(|l| l.starts_with("% ERROR:") && l.contains("--encoding"))
                && out.stdout.is_empty(),
            || format!("exit {} stderr {err}", code(&out)),
        );
    }
    c.finish();
}

// ---------------------------------------------------------------------------------------------
// %F

#[test]
fn format_rfc3339_timestamp() {
    let t = new_topic("fmtF", 1);
    produce(
        &t,
        &[
            Rec::v(0, "a").ts(1_700_000_000_123),
            Rec::v(0, "b").ts(1_700_000_000_000),
            Rec::v(0, "c").ts(1),
            Rec::v(0, "d").ts(951_782_400_999),
        ],
    );
    let out = kct(&consume_args(&t, &["-f", "%F %T %s\n"]), b"");
    let want = "2023-11-14T22:13:20.123Z 1700000000123 a\n\
                2023-11-14T22:13:20.000Z 1700000000000 b\n\
                1970-01-01T00:00:00.001Z 1 c\n\
                2000-02-29T00:00:00.999Z 951782400999 d\n";
    assert_eq!(
        text(&out.stdout),
        want,
        "kct -f '%F %T %s\\n' (exit {}, stderr {})",
        code(&out),
        text(&out.stderr)
    );
    assert_eq!(code(&out), 0);
    // %F sits among the other tokens like %T does: everything else is kcat's.
    let oracle = kcat(&consume_args(&t, &["-f", "[%T|%s]\n"]), b"");
    let ours = kct(&consume_args(&t, &["-f", "[%F|%s]\n"]), b"");
    let mapped = text(&oracle.stdout)
        .replace("[1700000000123|", "[2023-11-14T22:13:20.123Z|")
        .replace("[1700000000000|", "[2023-11-14T22:13:20.000Z|")
        .replace("[1|", "[1970-01-01T00:00:00.001Z|")
        .replace("[951782400999|", "[2000-02-29T00:00:00.999Z|");
    assert_eq!(text(&ours.stdout), mapped, "%F vs kcat's %T");
}

// ---------------------------------------------------------------------------------------------
// -L --offsets

/// `-L` text with the answering broker masked (it varies between runs of either tool).
fn mask_origin(out: &[u8]) -> String {
    let t = text(out);
    t.lines()
        .map(|l| match l.find(" (from broker ") {
            Some(i) if l.starts_with("Metadata for ") => format!("{} (from broker ?):", &l[..i]),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn list_offsets_watermarks() {
    let t = new_topic("lofs", 3);
    let mut recs = Vec::new();
    for _ in 0..2 {
        recs.push(Rec::v(0, "x"));
    }
    for _ in 0..5 {
        recs.push(Rec::v(2, "y"));
    }
    produce(&t, &recs);
    let highs = [2i64, 0, 5];
    let mut c = Checks::new();

    // Text: kcat's -L lines, each partition line with `, low L, high H` appended.
    let oracle = kcat(&["-b", b(), "-L", "-t", &t], b"");
    assert_eq!(code(&oracle), 0, "oracle: {}", text(&oracle.stderr));
    let out = kct(&["-b", b(), "-L", "-t", &t, "--offsets"], b"");
    let got = mask_origin(&out.stdout);
    let mut want = mask_origin(&oracle.stdout);
    for (p, h) in highs.iter().enumerate() {
        let prefix = format!("    partition {p}, ");
        want = want
            .lines()
            .map(|l| {
                if l.starts_with(&prefix) {
                    format!("{l}, low 0, high {h}")
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
    }
    c.check("-L --offsets text", code(&out) == 0 && got == want, || {
        format!(
            "exit {} stderr {}\nwant:\n{want}\ngot:\n{got}",
            code(&out),
            text(&out.stderr)
        )
    });

    // JSON: kcat's -L -J with "low"/"high" in every partition object.
    let oracle = kcat(&["-b", b(), "-L", "-J", "-t", &t], b"");
    let out = kct(&["-b", b(), "-L", "-J", "-t", &t, "--offsets"], b"");
    let parse = |o: &Output| -> Result<Value, String> {
        let mut v: Value = serde_json::from_slice(&o.stdout)
            .map_err(|e| format!("not JSON ({e}): {}", show(&o.stdout)))?;
        v.as_object_mut().unwrap().remove("originating_broker");
        Ok(v)
    };
    match (parse(&oracle), parse(&out)) {
        (Ok(mut want), Ok(got)) => {
            for p in want["topics"][0]["partitions"].as_array_mut().unwrap() {
                let i = p["partition"].as_u64().unwrap() as usize;
                let o = p.as_object_mut().unwrap();
                o.insert("low".into(), json!(0));
                o.insert("high".into(), json!(highs[i]));
            }
            c.check("-L -J --offsets", code(&out) == 0 && got == want, || {
                format!("want {want}\ngot  {got}")
            });
        }
        (a, k) => c.check("-L -J --offsets parses", false, || {
            format!("kcat {a:?}\nkct {k:?}")
        }),
    }
    c.finish();
}

// ---------------------------------------------------------------------------------------------
// --partitioner murmur2 and the Connect-topic warning

#[test]
fn partitioner_murmur2() {
    const N: i32 = 25;
    let t = new_topic("murmur-kct", N);
    let keys: Vec<String> = [
        r#"["my-connector",{"name":"file.txt"}]"#,
        r#"["jdbc-source",{"protocol":"1","table":"mydb.orders"}]"#,
        "a",
        "ab",
        "abc",
        "abcd",
        "abcde",
        "ü-ключ",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain((0..40).map(|i| format!("key-{i}")))
    .collect();
    let input: String = keys.iter().map(|k| format!("{k}#v\n")).collect();
    let out = kct(
        &["-b", b(), "-P", "-t", &t, "-K#", "--partitioner", "murmur2"],
        input.as_bytes(),
    );
    assert_eq!(code(&out), 0, "kct: {}", text(&out.stderr));
    let read = kcat(&consume_args(&t, &["-f", "%p %k\n"]), b"");
    let got: Vec<String> = text(&read.stdout).lines().map(str::to_string).collect();
    let mut wrong = Vec::new();
    for k in &keys {
        let want = format!("{} {k}", murmur2_partition(k.as_bytes(), N));
        if !got.contains(&want) {
            wrong.push(want);
        }
    }
    assert!(
        wrong.is_empty() && got.len() == keys.len(),
        "records not in their murmur2 partition (want \"partition key\"): {wrong:?}\nread back: {got:?}"
    );
}

#[test]
fn connect_topic_partitioner_warning() {
    let offsets = unique_topic("my-connect-offsets");
    create_topic(&offsets, 25, &[("cleanup.policy", "compact")]);
    let status = unique_topic("connect-status");
    create_topic(&status, 5, &[]);
    let plain = new_topic("not-connect", 5);
    let warned = |o: &Output| {
        text(&o.stderr)
            .lines()
            .any(|l| l.contains("WARNING") && l.contains("murmur2"))
    };
    let mut c = Checks::new();
    for (label, topic, extra, want) in [
        ("connect-offsets, keyed, no -p", &offsets, vec!["-K#"], true),
        ("connect-status, keyed, no -p", &status, vec!["-K#"], true),
        (
            "connect-offsets with -p",
            &offsets,
            vec!["-K#", "-p", "3"],
            false,
        ),
        (
            "connect-offsets with --partitioner murmur2",
            &offsets,
            vec!["-K#", "--partitioner", "murmur2"],
            false,
        ),
        (
            "connect-offsets with -q",
            &offsets,
            vec!["-K#", "-q"],
            false,
        ),
        ("other topic, keyed", &plain, vec!["-K#"], false),
    ] {
        let mut args = strs(&["-b", b(), "-P", "-t", topic]);
        args.extend(strs(&extra));
        let out = kct(&args, b"[\"conn\",{\"f\":1}]#{\"pos\":1}\n");
        c.check(
            &format!(
                "{label}: warning {}",
                if want { "printed" } else { "absent" }
            ),
            code(&out) == 0 && warned(&out) == want && out.stdout.is_empty(),
            || format!("exit {} stderr: {}", code(&out), text(&out.stderr)),
        );
    }
    c.finish();
}

// ---------------------------------------------------------------------------------------------
// kct's own commands, -h, -V

#[test]
fn commands_help_version() {
    let mut c = Checks::new();
    for shell in ["bash", "zsh", "fish"] {
        let out = kct(&["completions", shell], b"");
        c.check(
            &format!("completions {shell}"),
            code(&out) == 0 && text(&out.stdout).contains("kct") && out.stdout.len() > 200,
            || format!("exit {} stderr {}", code(&out), text(&out.stderr)),
        );
        no_panic(&mut c, &format!("completions {shell}"), &out);
    }
    let out = kct(&["completions", "tcsh"], b"");
    c.check("completions tcsh fails", code(&out) != 0, || {
        format!("exit {}", code(&out))
    });
    no_panic(&mut c, "completions tcsh", &out);

    let out = kct(&["man"], b"");
    let man = text(&out.stdout);
    c.check(
        "man: roff with .TH",
        code(&out) == 0 && man.lines().any(|l| l.starts_with(".TH")),
        || {
            format!(
                "exit {} stdout head {}",
                code(&out),
                &man[..man.len().min(300)]
            )
        },
    );
    for flag in ["--jq", "--encoding", "--partitioner", "--offsets"] {
        let f = flag.trim_start_matches('-');
        c.check(&format!("man mentions {flag}"), man.contains(f), || {
            "missing".into()
        });
    }

    let out = kct(&["--help"], b"");
    c.check(
        "--help",
        code(&out) == 0 && text(&out.stdout).contains("kct") && text(&out.stdout).contains("--jq"),
        || format!("exit {} stdout {}", code(&out), text(&out.stdout)),
    );
    // Every subcommand answers -h and --help with its own help (the root's -h is kcat's usage).
    for sub in [
        &["connect"][..],
        &["connect", "get"],
        &["config"],
        &["inspect", "offsets"],
        &["tui"],
        &["local"],
        &["worker"],
        &["completions"],
        &["man"],
    ] {
        for flag in ["-h", "--help"] {
            let args: Vec<&str> = sub.iter().copied().chain([flag]).collect();
            let out = kct(&args, b"");
            let usage = format!("Usage: kct {}", sub.join(" "));
            c.check(
                &format!("kct {} {flag}", sub.join(" ")),
                code(&out) == 0 && text(&out.stdout).contains(&usage) && out.stderr.is_empty(),
                || {
                    format!(
                        "exit {} stdout {} stderr {}",
                        code(&out),
                        text(&out.stdout),
                        text(&out.stderr)
                    )
                },
            );
        }
    }
    let out = kct(&["--version"], b"");
    c.check(
        "--version",
        code(&out) == 0 && text(&out.stdout).starts_with("kct "),
        || format!("exit {} stdout {}", code(&out), text(&out.stdout)),
    );

    let out = kct(&["-h"], b"");
    let oracle = kcat(&["-h"], b"");
    c.check(
        "-h: usage on stdout, exit 0 (as kcat)",
        code(&out) == 0
            && code(&oracle) == 0
            && text(&out.stdout).starts_with("Usage: kct ")
            && text(&out.stdout).contains("--jq")
            && out.stderr.is_empty(),
        || {
            format!(
                "kct exit {} stdout head {} stderr {}",
                code(&out),
                &text(&out.stdout)[..text(&out.stdout).len().min(200)],
                text(&out.stderr)
            )
        },
    );
    let out = kct(&["-V"], b"");
    c.check(
        "-V: a `Version ` line naming librdkafka",
        code(&out) == 0
            && text(&out.stdout)
                .lines()
                .any(|l| l.starts_with("Version ") && l.contains("librdkafka")),
        || format!("exit {} stdout {}", code(&out), text(&out.stdout)),
    );
    c.finish();
}

/// Runs kct with stdout a pipe whose reader is already gone: every write fails with EPIPE.
fn kct_into_closed_pipe(args: &[&str]) -> Output {
    let mut fds = [0i32; 2];
    // SAFETY: pipe(2) into a two-element array.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0, "pipe(2)");
    // SAFETY: both descriptors were just created and are owned here.
    let (reader, writer) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(reader);
    let mut cmd = kct_cmd();
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped());
    let child = cmd.spawn().expect("spawn kct");
    wait_with_timeout(child, TIMEOUT)
}

fn wait_with_timeout(mut child: Child, timeout: Duration) -> Output {
    let deadline = Instant::now() + timeout;
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("collect output");
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            return child.wait_with_output().expect("collect output");
        }
        thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn commands_survive_a_closed_pipe() {
    // `kct completions bash | head -1` and the like: a closed stdout is an error exit, not a
    // panic with a backtrace.
    let mut c = Checks::new();
    for args in [
        vec!["completions", "bash"],
        vec!["completions", "zsh"],
        vec!["completions", "fish"],
        vec!["man"],
        vec!["--help"],
        vec!["-h"],
        vec!["-V"],
    ] {
        let out = kct_into_closed_pipe(&args);
        no_panic(&mut c, &args.join(" "), &out);
    }
    c.finish();
}

// ---------------------------------------------------------------------------------------------
// -X dump, -o

#[test]
fn dump_masks_secrets() {
    let args = [
        "-b",
        b(),
        "-X",
        "sasl.password=hunter2",
        "-X",
        "ssl.key.password=swordfish",
        "-X",
        "client.id=visible",
        "-X",
        "dump",
    ];
    let p = both(&args, b"");
    let (a, k) = (text(&p.kcat.stdout), text(&p.kct.stdout));
    assert!(
        a.contains("sasl.password = hunter2"),
        "oracle: kcat prints the secret: {a}"
    );
    assert_eq!(code(&p.kct), 0, "kct -X dump: {}", text(&p.kct.stderr));
    assert_eq!(code(&p.kcat), 0);
    assert!(
        !k.contains("hunter2") && !k.contains("swordfish"),
        "kct -X dump shows a secret:\n{k}"
    );
    for line in [
        "sasl.password = [hidden]",
        "ssl.key.password = [hidden]",
        "client.id = visible",
        "# Global config",
        "# Topic config",
    ] {
        assert!(
            k.lines().any(|l| l == line),
            "kct -X dump lacks {line:?}:\n{k}"
        );
    }
    // Apart from the masked values (and build-specific lines), the property names are kcat's.
    let names = |s: &str| -> Vec<String> {
        s.lines()
            .filter_map(|l| l.split_once(" = ").map(|(n, _)| n.to_string()))
            .filter(|n| n == "sasl.password" || n == "client.id")
            .collect()
    };
    assert_eq!(names(&a), names(&k));
}

#[test]
fn offset_aliases() {
    let t = new_topic("oalias", 3);
    let mut recs = Vec::new();
    for p in 0..3 {
        for i in 0..4i64 {
            recs.push(Rec::kv(p, format!("k{i}"), format!("p{p}-{i}")).ts(T0 + i));
        }
    }
    produce(&t, &recs);
    let mut c = Checks::new();
    for (ours, theirs, extra) in [
        ("earliest", "beginning", vec![]),
        ("latest", "end", vec![]),
        ("earliest", "beginning", vec!["-p", "1"]),
        ("latest", "end", vec!["-p", "2"]),
        ("earliest", "beginning", vec!["-c", "2", "-p", "0"]),
    ] {
        let mut ka = vec!["-f", "%p %o %k %s\n", "-o", theirs];
        ka.extend(extra.iter().copied());
        let mut kt = vec!["-f", "%p %o %k %s\n", "-o", ours];
        kt.extend(extra.iter().copied());
        let p = Pair {
            args: consume_args(&t, &kt),
            kcat: kcat(&consume_args(&t, &ka), b""),
            kct: kct(&consume_args(&t, &kt), b""),
        };
        c.oracle_ok(&format!("-o {theirs} {extra:?}"), &p.kcat, &p.args);
        if let Some(m) = p.sorted_mismatch() {
            c.check(
                &format!("kct -o {ours} vs kcat -o {theirs} {extra:?}"),
                false,
                || m,
            );
        }
    }
    for bogus in ["bogus", "oldest", "12abc", "s@x"] {
        let out = kct(&consume_args(&t, &["-o", bogus]), b"");
        let err = text(&out.stderr);
        c.check(
            &format!("-o {bogus}: exit 1 with `% ERROR:`"),
            code(&out) == 1
                && out.stdout.is_empty()
                && err
                    .lines()
                    .any(|l| l.starts_with("% ERROR:") && l.contains("-o")),
            || {
                format!(
                    "exit {} stdout {} stderr {err}",
                    code(&out),
                    show(&out.stdout)
                )
            },
        );
    }
    c.finish();
}

// ---------------------------------------------------------------------------------------------
// Interactive producer

/// Kills the child on drop (by its own handle), so a failed assertion leaves nothing running.
struct KillOnDrop(Option<Child>);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn consumed_payloads(topic: &str) -> Vec<String> {
    let out = kcat(&consume_args(topic, &["-q", "-f", "%s\n"]), b"");
    text(&out.stdout).lines().map(str::to_string).collect()
}

fn wait_for_payload(topic: &str, payload: &str, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    loop {
        if consumed_payloads(topic).iter().any(|p| p == payload) {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn interactive_producer_sends_each_line() {
    let t = new_topic("interactive", 1);
    let mut cmd = kct_cmd();
    cmd.args(["-b", b(), "-P", "-t", &t, "-K:"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut guard = KillOnDrop(Some(cmd.spawn().expect("spawn kct -P")));
    let mut stdin = guard.0.as_mut().unwrap().stdin.take().unwrap();

    stdin.write_all(b"k1:first line\n").unwrap();
    stdin.flush().unwrap();
    let first_seen = wait_for_payload(&t, "first line", Duration::from_secs(10));
    // Still running: stdin is open.
    let running = guard.0.as_mut().unwrap().try_wait().unwrap().is_none();

    stdin.write_all(b"k2:second line\n").unwrap();
    stdin.flush().unwrap();
    let second_seen = wait_for_payload(&t, "second line", Duration::from_secs(10));

    drop(stdin);
    let child = guard.0.take().unwrap();
    let out = wait_with_timeout(child, Duration::from_secs(15));
    assert!(
        first_seen && running,
        "the first line was not delivered while stdin stayed open (seen {first_seen}, running \
         {running}); kct stderr after close: {}",
        text(&out.stderr)
    );
    assert!(
        second_seen,
        "the second line was not delivered while stdin stayed open"
    );
    assert_eq!(
        code(&out),
        0,
        "kct -P after stdin closed: {}",
        text(&out.stderr)
    );
    let keys = kcat(&consume_args(&t, &["-q", "-f", "%k=%s\n"]), b"");
    assert_eq!(text(&keys.stdout), "k1=first line\nk2=second line\n");
}
