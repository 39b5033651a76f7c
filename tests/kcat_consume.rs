//! Differential tests of `-C` (simple consumer): the same command through kcat 1.7.1 and kct
//! on the same broker, stdout bytes and exit code identical.

mod common;

use common::*;
use std::process::Output;
use std::sync::OnceLock;

const T0: i64 = 1_700_000_000_000;

/// One partition of records covering NULL vs empty keys/values/header values, duplicate
/// headers, non-ASCII UTF-8, characters JSON must escape and `%` in data.
fn fmt_topic() -> &'static str {
    static T: OnceLock<String> = OnceLock::new();
    T.get_or_init(|| {
        let t = new_topic("fmt", 1);
        produce(
            &t,
            &[
                Rec::kv(0, "k1", "hello")
                    .header("h1", Some(b"v1"))
                    .header("h2", None)
                    .header("h3", Some(b""))
                    .header("h1", Some(b"dup"))
                    .ts(T0 + 1),
                Rec::v(0, "no key").ts(T0 + 2),
                Rec::kv(0, "", "empty key").ts(T0 + 3),
                Rec::new(0).key("k-null-value").ts(T0 + 4),
                Rec::kv(0, "k-empty-value", "").ts(T0 + 5),
                Rec::new(0).ts(T0 + 6),
                Rec::kv(0, "ü-ключ-🔑", "héllo wörld ✓")
                    .header("ü", Some("✓".as_bytes()))
                    .ts(T0 + 7),
                Rec::kv(0, "a:b", "%s literal % percent \\n").ts(T0 + 8),
                Rec::kv(
                    0,
                    "json",
                    "quote\" back\\ nl\n tab\t cr\r bs\x08 ff\x0c ctl\x01\x1f del\x7f slash/ </x>",
                )
                .header("q\"h", Some(b"a,b=c"))
                .ts(T0 + 9),
                Rec::kv(0, "long", "x".repeat(3000)).ts(T0 + 10),
            ],
        );
        t
    })
}

/// One partition with bytes that are not UTF-8.
fn bin_topic() -> &'static str {
    static T: OnceLock<String> = OnceLock::new();
    T.get_or_init(|| {
        let t = new_topic("bin", 1);
        produce(
            &t,
            &[
                Rec::kv(0, b"\xff\x00k", b"\x00\x01\xfe\xff bin\n")
                    .header("hb", Some(b"\xc3\x28"))
                    .ts(T0),
                Rec::kv(0, "ok", "valid").ts(T0 + 1),
                Rec::kv(0, b"k\xe2\x82", b"truncated \xe2\x82").ts(T0 + 2),
            ],
        );
        t
    })
}

/// Three partitions of five records each: key `k{i}`, value `p{p}-{i}`, ts `T0 + i*1000`.
fn offs_topic() -> &'static str {
    static T: OnceLock<String> = OnceLock::new();
    T.get_or_init(|| {
        let t = new_topic("offs", 3);
        let mut recs = Vec::new();
        for p in 0..3 {
            for i in 0..5i64 {
                recs.push(Rec::kv(p, format!("k{i}"), format!("p{p}-{i}")).ts(T0 + i * 1000));
            }
        }
        produce(&t, &recs);
        t
    })
}

fn fmt_args<'a>(topic: &str, f: &'a str, extra: &[&'a str]) -> Vec<String> {
    let mut e: Vec<&str> = vec!["-f", f];
    e.extend_from_slice(extra);
    consume_args(topic, &e)
}

#[test]
fn format_tokens() {
    let t = fmt_topic();
    let mut c = Checks::succeeding();
    let formats = [
        "%s\n",
        "%S\n",
        "%R%s",
        "%k\n",
        "%K\n",
        "%T\n",
        "%h\n",
        "%t\n",
        "%p\n",
        "%o\n",
        "%%\n",
        "%t|%p|%o|%T|%K|%k|%S|%s|%h|%%\n",
        "%o,",
        "literal only\n",
        "%k%s%h",
    ];
    for f in formats {
        c.same(&format!("-f {f:?}"), &fmt_args(t, f, &[]), b"");
        c.same(&format!("-f {f:?} -Z"), &fmt_args(t, f, &["-Z"]), b"");
    }
    c.finish();
}

#[test]
fn format_tokens_binary() {
    let t = bin_topic();
    let mut c = Checks::succeeding();
    for f in ["%s\n", "%k\n", "%R%s", "%K %S %h\n", "%k|%s|%h|%o\n"] {
        c.same(&format!("-f {f:?}"), &fmt_args(t, f, &[]), b"");
    }
    c.finish();
}

#[test]
fn format_escapes() {
    let t = fmt_topic();
    let mut c = Checks::succeeding();
    let formats = [
        r"[\n]%o",
        r"[\t]%o\n",
        r"[\r]%o\n",
        r"[\x41]\n",
        r"[\x41B]\n",
        r"[\x4142]\n",
        r"[\xff]\n",
        r"[\xAB]\n",
        r"[\x7e]\n",
        r"[\65]\n",
        r"[\065]\n",
        r"[\012]",
        r"[\0x41]\n",
        r"[\q]\n",
        r"[\\]\n",
        r"%o[\0]tail\n%p\n",
        r"%k\t%s\r\n",
    ];
    for f in formats {
        c.same(&format!("-f {f}"), &fmt_args(t, f, &[]), b"");
    }
    c.finish();
    // `\%` yields a `%` that then starts a token: `%]` is an unsupported formatter.
    let mut e = Checks::new();
    e.same("-f [\\%]%o", &fmt_args(t, r"[\%]%o\n", &[]), b"");
    e.finish();
}

#[test]
fn default_formats_with_delimiters() {
    let t = fmt_topic();
    let mut c = Checks::succeeding();
    // The default format is built in a 64-byte buffer: "%k" + 59 + "%s" loses the "\n".
    let long_key = "K".repeat(59);
    let cases: Vec<Vec<&str>> = vec![
        vec![],
        vec!["-Z"],
        vec!["-K", ":"],
        vec!["-K", ":", "-Z"],
        vec!["-K", "::"],
        vec!["-K", r"\t"],
        vec!["-K", r"\x3a"],
        vec!["-D", r"\r\n"],
        vec!["-D", "|||"],
        vec!["-D", "—§—"],
        vec!["-K", "→", "-D", "¶\n"],
        vec!["-K", "%p="],
        vec!["-K", "=", "-D", "%o\n"],
        vec!["-D", "%%"],
        vec!["-D", r"\x00"],
        vec!["-K", &long_key],
        vec!["-O", "-K", ":"],
    ];
    for extra in cases {
        c.same(&format!("{extra:?}"), &consume_args(t, &extra), b"");
    }
    c.finish();
    // 60 bytes: the cut leaves "%k" + 60 + "%", and kcat fails with "Empty formatter".
    let mut e = Checks::new();
    let longer = "K".repeat(60);
    e.same("-K <60 bytes>", &consume_args(t, &["-K", &longer]), b"");
    e.finish();
}

#[test]
fn json_envelope() {
    let t = fmt_topic();
    let mut c = Checks::succeeding();
    let cases: Vec<Vec<&str>> = vec![
        vec!["-J"],
        vec!["-J", "-Z"],
        vec!["-J", "-D", "|"],
        vec!["-J", "-K", ":"],
        vec!["-J", "-f", "--%o--\n"],
    ];
    for extra in cases {
        c.same(&format!("{extra:?}"), &consume_args(t, &extra), b"");
    }
    // The envelope itself: headers array with NULL/empty/duplicates, NULL vs empty.
    let p = both(&consume_args(t, &["-J"]), b"");
    let lines = json_lines(&p.kct.stdout);
    c.check("kct -J record 0", lines.len() == 10, || {
        format!("expected 10 JSON lines, got {}", lines.len())
    });
    if lines.len() == 10 {
        let l0 = &lines[0];
        c.check(
            "kct -J headers array",
            l0["headers"] == serde_json::json!(["h1", "v1", "h2", null, "h3", "", "h1", "dup"]),
            || format!("got {}", l0["headers"]),
        );
        c.check(
            "kct -J null vs empty",
            lines[1]["key"].is_null()
                && lines[2]["key"] == ""
                && lines[3]["payload"].is_null()
                && lines[4]["payload"] == "",
            || format!("got {:?}", &lines[1..5]),
        );
    }
    c.finish();
}

#[test]
fn json_invalid_utf8_is_valid_json_in_kct() {
    // Deliberate difference: kcat writes raw bytes (invalid JSON); kct writes valid JSON.
    let t = bin_topic();
    let p = both(&consume_args(t, &["-J"]), b"");
    assert_eq!(code(&p.kcat), 0);
    assert_eq!(code(&p.kct), 0, "kct stderr: {}", show(&p.kct.stderr));
    let kcat_lines: Vec<&[u8]> = p.kcat.stdout.split(|&c| c == b'\n').collect();
    assert!(
        serde_json::from_slice::<serde_json::Value>(kcat_lines[0]).is_err(),
        "oracle sanity: kcat's line should be invalid JSON"
    );
    let lines: Vec<&[u8]> = p
        .kct
        .stdout
        .split(|&c| c == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(lines.len(), 3, "kct stdout: {}", show(&p.kct.stdout));
    for (i, l) in lines.iter().enumerate() {
        let v: serde_json::Value = serde_json::from_slice(l)
            .unwrap_or_else(|e| panic!("kct line {i} is not valid JSON ({e}): {}", show(l)));
        assert_eq!(v["offset"], i as i64);
        assert_eq!(v["partition"], 0);
    }
    // The valid record is byte-identical to kcat's.
    assert_eq!(
        show(lines[1]),
        show(kcat_lines[1]),
        "valid UTF-8 record differs"
    );
}

#[test]
fn offset_forms_across_partitions() {
    let t = offs_topic();
    let f = "%p %o %T %k %s\n";
    let mut c = Checks::succeeding();
    let s_at = |ms: i64| format!("s@{}", T0 + ms);
    let e_at = |ms: i64| format!("e@{}", T0 + ms);
    let (s2000, s2500, s99, e2000, e0, s1000, e3000) = (
        s_at(2000),
        s_at(2500),
        s_at(99_000),
        e_at(2000),
        e_at(0),
        s_at(1000),
        e_at(3000),
    );
    let cases: Vec<Vec<&str>> = vec![
        vec![],
        vec!["-o", "beginning"],
        vec!["-o", "end"],
        vec!["-o", "0"],
        vec!["-o", "3"],
        vec!["-o", "5"],
        // Not `-o 7` (past the end): kcat itself never finishes against tansu 0.6.0 there.
        vec!["-o", "-2"],
        vec!["-o", "-1"],
        vec!["-o", "-10"],
        vec!["-o", &s2000],
        vec!["-o", &s2500],
        vec!["-o", &s99],
        vec!["-o", &e2000],
        vec!["-o", &e0],
        vec!["-o", &s1000, "-o", &e3000],
        vec!["-o", "s@0"],
        vec!["-o", "earliest"],
        vec!["-o", "3", "-p", "1"],
        vec!["-o", "-2", "-p", "2"],
    ];
    for extra in cases {
        let mut e = vec!["-f", f];
        e.extend_from_slice(&extra);
        c.same_sorted(&format!("{extra:?}"), &consume_args(t, &e), b"");
    }
    c.finish();
}

#[test]
fn offset_stored_with_group() {
    // kcat's simple consumer commits each partition's end offset for its group when it stops, so
    // each tool gets its own group with the same committed offsets.
    let t = offs_topic();
    let mut c = Checks::succeeding();
    for (label, commits, partition) in [
        ("committed", &[(0, 2), (1, 3), (2, 4)][..], None),
        ("no commits", &[][..], None),
        ("committed -p 1", &[(0, 2), (1, 3), (2, 4)][..], Some("1")),
    ] {
        let groups = [unique_topic("grp-kcat"), unique_topic("grp-kct")];
        let runs: Vec<[Output; 2]> = (0..2)
            .map(|_| {
                [0, 1].map(|tool| {
                    if !commits.is_empty() && !has_run(&groups[tool]) {
                        commit_offsets(&groups[tool], t, commits);
                    }
                    let gid = format!("group.id={}", groups[tool]);
                    let mut extra = vec!["-f", "%p %o %s\n", "-o", "stored", "-X", &gid];
                    if let Some(p) = partition {
                        extra.extend(["-p", p]);
                    }
                    let args = consume_args(t, &extra);
                    mark_run(&groups[tool]);
                    if tool == 0 {
                        kcat(&args, b"")
                    } else {
                        kct(&args, b"")
                    }
                })
            })
            .collect();
        for (round, [a, b]) in runs.iter().enumerate() {
            let label = format!("{label}, run {}", round + 1);
            c.check(
                &label,
                code(a) == 0 && code(b) == 0 && sorted_lines(&a.stdout) == sorted_lines(&b.stdout),
                || {
                    format!(
                        "kcat exit {} stdout {}\nkct exit {} stdout {}",
                        code(a),
                        show(&a.stdout),
                        code(b),
                        show(&b.stdout)
                    )
                },
            );
        }
        // The second run resumes where the first one committed: nothing left to print.
        c.check(
            &format!("{label}: second run is empty"),
            runs[1][1].stdout.is_empty(),
            || show(&runs[1][1].stdout),
        );
    }
    c.finish();
}

thread_local! {
    static RUN_GROUPS: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn has_run(group: &str) -> bool {
    RUN_GROUPS.with(|g| g.borrow().iter().any(|x| x == group))
}

fn mark_run(group: &str) {
    RUN_GROUPS.with(|g| g.borrow_mut().push(group.to_string()));
}

#[test]
fn count_across_partitions() {
    let t = offs_topic();
    let mut c = Checks::succeeding();
    for n in ["1", "4", "15", "100"] {
        let args = consume_args(t, &["-f", "%p %o %s\n", "-c", n]);
        let p = both(&args, b"");
        let lines = |o: &std::process::Output| sorted_lines(&o.stdout).len();
        c.check(
            &format!("-c {n}: line count and exit code"),
            lines(&p.kcat) == lines(&p.kct) && code(&p.kcat) == code(&p.kct),
            || {
                format!(
                    "kcat {} lines exit {}, kct {} lines exit {}\nkct stdout: {}",
                    lines(&p.kcat),
                    code(&p.kcat),
                    lines(&p.kct),
                    code(&p.kct),
                    show(&p.kct.stdout)
                )
            },
        );
        // Every printed line is a real record.
        let all = sorted_lines(&kcat(&consume_args(t, &["-f", "%p %o %s\n"]), b"").stdout);
        c.check(
            &format!("-c {n}: kct prints real records"),
            sorted_lines(&p.kct.stdout).iter().all(|l| all.contains(l)),
            || format!("kct stdout: {}", show(&p.kct.stdout)),
        );
    }
    // Within one partition the order is fixed, so the output must be identical.
    c.same(
        "-c 3 -p 1",
        &consume_args(t, &["-f", "%p %o %s\n", "-c", "3", "-p", "1"]),
        b"",
    );
    // -c without -e on a partition that has enough records: stops by count.
    let mut args: Vec<String> = ["-b", b(), "-C", "-t", t, "-p", "0", "-c", "2", "-f", "%o\n"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.extend(FAST.iter().map(|s| s.to_string()));
    c.same("-c 2 without -e", &args, b"");
    c.finish();
}

#[test]
fn eof_with_empty_partitions() {
    let t = new_topic("sparse", 4);
    produce(
        &t,
        &[
            Rec::kv(2, "a", "one").ts(T0),
            Rec::kv(2, "b", "two").ts(T0 + 1),
        ],
    );
    let empty = new_topic("empty", 3);
    let mut c = Checks::succeeding();
    c.same(
        "data in one of four partitions",
        &consume_args(&t, &[]),
        b"",
    );
    c.same(
        "data in one of four partitions -J",
        &consume_args(&t, &["-J"]),
        b"",
    );
    c.same("empty partition -p 0", &consume_args(&t, &["-p", "0"]), b"");
    c.same("empty topic", &consume_args(&empty, &[]), b"");
    c.same(
        "empty topic -o end",
        &consume_args(&empty, &["-o", "end"]),
        b"",
    );
    c.finish();
}

#[test]
fn partition_selection() {
    let t = offs_topic();
    let mut c = Checks::succeeding();
    for p in ["0", "1", "2"] {
        c.same(
            &format!("-p {p}"),
            &consume_args(t, &["-p", p, "-f", "%p %o %k %s\n"]),
            b"",
        );
    }
    c.same_sorted("-p -1", &consume_args(t, &["-p", "-1"]), b"");
    c.finish();
    let mut e = Checks::new();
    e.same(
        "-p 7 (no such partition)",
        &consume_args(t, &["-p", "7"]),
        b"",
    );
    e.finish();
}

#[test]
fn unknown_topic() {
    let p = both(&consume_args(&unique_topic("nosuch"), &["-m", "2"]), b"");
    if let Some(m) = p.exact_mismatch() {
        panic!("{m}");
    }
    assert_eq!(code(&p.kct), 1);
    assert!(
        show(&p.kct.stderr).contains("% ERROR:"),
        "kct stderr: {}",
        show(&p.kct.stderr)
    );
}

#[test]
fn broken_pipe() {
    let t = new_topic("pipe", 1);
    let recs: Vec<Rec> = (0..20_000)
        .map(|i| Rec::v(0, format!("{i:06} {}", "y".repeat(93))))
        .collect();
    produce(&t, &recs);
    let script = |bin: &str, env: &str| {
        format!(
            "{env} \"${bin}\" -b {} -C -t {t} -e -X fetch.wait.max.ms=5 | head -n 1; \
             echo \"status=${{PIPESTATUS[0]}}\"",
            b()
        )
    };
    let kcat_run = sh(&script("KCAT_BIN", "LD_LIBRARY_PATH=\"$PEER_LIB\""));
    let kct_run = sh(&script("KCT_BIN", ""));
    let first = format!("000000 {}\n", "y".repeat(93));
    assert!(
        show(&kcat_run.stdout).starts_with(&show(first.as_bytes())),
        "oracle: {}",
        show(&kcat_run.stdout)
    );
    assert_eq!(
        show(&kct_run.stdout),
        show(&kcat_run.stdout),
        "first line and exit status of kct | head -1 (kcat stderr: {}; kct stderr: {})",
        show(&kcat_run.stderr),
        show(&kct_run.stderr)
    );
    let err = String::from_utf8_lossy(&kct_run.stderr);
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "kct panicked on a closed pipe: {err}"
    );
}
