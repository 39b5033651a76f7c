//! Differential tests of `-L` (metadata) and `-Q` (offsets for times).

mod common;

use common::*;
use std::sync::Mutex;

/// `-L` without `-t` lists every topic of the broker: tests of this binary that create topics
/// hold this lock, so the listing cannot change between the kcat run and the kct run.
static TOPICS: Mutex<()> = Mutex::new(());

const T0: i64 = 1_650_000_000_000;

fn lock() -> std::sync::MutexGuard<'static, ()> {
    TOPICS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Parses `-L -J`/`-Q -J` output; the answering broker is dropped (see `same_but_origin`).
fn parse_json(label: &str, tool: &str, out: &[u8]) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_slice(out)
        .unwrap_or_else(|e| panic!("{label}: {tool} output is not JSON ({e}): {}", show(out)));
    if let Some(o) = v.as_object_mut() {
        o.remove("originating_broker");
    }
    v
}

#[test]
fn list_one_topic_text() {
    let _g = lock();
    let t = new_topic("meta", 3);
    let mut c = Checks::succeeding();
    let nosuch = unique_topic("nosuch");
    for (label, args) in [
        ("-L -t T", vec!["-b", b(), "-L", "-t", &t]),
        ("-L -t T -m 3", vec!["-b", b(), "-L", "-t", &t, "-m", "3"]),
        ("-L -t nosuch", vec!["-b", b(), "-L", "-t", &nosuch]),
        ("-L -t '' (brokers only)", vec!["-b", b(), "-L", "-t", ""]),
    ] {
        same_but_origin(&mut c, label, &args);
    }
    c.finish();
}

/// Compares `-L` text with the answering broker masked: librdkafka (kcat's as well as kct's)
/// asks whichever connection is up first, the bootstrap one or the broker learned from it, so
/// "(from broker …)" varies from run to run for either tool.
fn same_but_origin(c: &mut Checks, label: &str, args: &[&str]) {
    let p = both(args, b"");
    c.oracle_ok(label, &p.kcat, &p.args);
    let (a, k) = (mask_origin(&p.kcat.stdout), mask_origin(&p.kct.stdout));
    c.check(label, a == k && code(&p.kcat) == code(&p.kct), || {
        format!(
            "exit kcat {} kct {}\n{}",
            code(&p.kcat),
            code(&p.kct),
            first_difference(&a, &k).unwrap_or_default()
        )
    });
}

fn mask_origin(out: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(out);
    let Some((first, rest)) = text.split_once('\n') else {
        return out.to_vec();
    };
    let first = match first.find(" (from broker ") {
        Some(i) => format!("{} (from broker ?):", &first[..i]),
        None => first.to_string(),
    };
    format!("{first}\n{rest}").into_bytes()
}

#[test]
fn list_all_topics_text() {
    let _g = lock();
    new_topic("meta-all-a", 1);
    new_topic("meta-all-b", 2);
    let mut p = both(&["-b", b(), "-L"], b"");
    p.kcat.stdout = mask_origin(&p.kcat.stdout);
    p.kct.stdout = mask_origin(&p.kct.stdout);
    if let Some(m) = p.exact_mismatch() {
        // Tell apart an ordering difference (tansu may list topics in any order) from a real one.
        let hint = if p.sorted_mismatch().is_none() {
            "(same lines in a different order)"
        } else {
            "(different content)"
        };
        panic!("-L differs {hint}\n{m}");
    }
}

#[test]
fn list_json() {
    let _g = lock();
    let t = new_topic("meta-json", 2);
    let mut c = Checks::new();
    for (label, args) in [
        ("-L -J", vec!["-b", b(), "-L", "-J"]),
        ("-L -J -t T", vec!["-b", b(), "-L", "-J", "-t", &t]),
    ] {
        let p = both(&args, b"");
        let a = parse_json(label, "kcat", &p.kcat.stdout);
        let k = parse_json(label, "kct", &p.kct.stdout);
        c.check(&format!("{label}: same JSON"), a == k, || {
            format!("kcat: {a}\nkct : {k}")
        });
        c.check(
            &format!("{label}: exit code"),
            code(&p.kcat) == code(&p.kct),
            || format!("kcat {} kct {}", code(&p.kcat), code(&p.kct)),
        );
        c.check(
            &format!("{label}: no trailing newline"),
            p.kct.stdout.last() != Some(&b'\n'),
            || "kct ends -L -J output with a newline; kcat does not".into(),
        );
    }
    c.finish();
}

fn query_topic() -> String {
    let _g = lock();
    let t = new_topic("query", 3);
    let mut recs = Vec::new();
    for p in 0..2 {
        for i in 0..4i64 {
            recs.push(Rec::kv(p, "k", format!("v{i}")).ts(T0 + i * 1000));
        }
    }
    produce(&t, &recs);
    t
}

#[test]
fn query_offsets_text() {
    let t = query_topic();
    let q = |p: i32, ts: i64| format!("{t}:{p}:{ts}");
    let mut c = Checks::new();
    let (a, b1, c1, d, e, f, g) = (
        q(0, T0 + 1500),
        q(1, T0),
        q(0, T0 + 99_000),
        q(2, T0),
        q(1, -1),
        q(1, -2),
        format!("{t}:0x1:{}", T0 + 1000),
    );
    c.same("one partition", &["-b", b(), "-Q", "-t", &a], b"");
    c.same(
        "two partitions, sorted output",
        &["-b", b(), "-Q", "-t", &b1, "-t", &a],
        b"",
    );
    c.same(
        "ts after the last message",
        &["-b", b(), "-Q", "-t", &c1],
        b"",
    );
    c.same("empty partition", &["-b", b(), "-Q", "-t", &d], b"");
    c.same("ts -1 (end)", &["-b", b(), "-Q", "-t", &e], b"");
    c.same("ts -2 (beginning)", &["-b", b(), "-Q", "-t", &f], b"");
    c.same("hex partition", &["-b", b(), "-Q", "-t", &g], b"");
    c.same(
        "nonexistent partition",
        &["-b", b(), "-Q", "-t", &q(9, T0)],
        b"",
    );
    c.same("-Q without -t (error)", &["-b", b(), "-Q"], b"");
    c.same(
        "-Q -t without partition (error)",
        &["-b", b(), "-Q", "-t", &t],
        b"",
    );
    c.finish();
}

#[test]
fn query_target_before_q() {
    // Deliberate kct difference: `-t T:P:TS -Q` works like `-Q -t T:P:TS`; kcat 1.7 parses
    // `-t` before it knows the mode and fails with a usage error.
    let t = query_topic();
    let target = format!("{t}:0:{}", T0 + 1500);
    let oracle = kcat(&["-b", b(), "-Q", "-t", &target], b"");
    let late = kct(&["-b", b(), "-t", &target, "-Q"], b"");
    assert_eq!(code(&oracle), 0, "{}", show(&oracle.stderr));
    assert_eq!(
        (code(&late), show(&late.stdout)),
        (0, show(&oracle.stdout)),
        "kct -t T:P:TS -Q vs kcat -Q -t T:P:TS; kct stderr: {}",
        show(&late.stderr)
    );
    let kcat_late = kcat(&["-b", b(), "-t", &target, "-Q"], b"");
    assert_eq!(code(&kcat_late), 1, "oracle: kcat rejects -t before -Q");
}

#[test]
fn query_offsets_json() {
    let t = query_topic();
    let (a, b1) = (format!("{t}:0:{}", T0 + 1500), format!("{t}:1:{T0}"));
    let args = ["-b", b(), "-Q", "-J", "-t", &a, "-t", &b1];
    let p = both(&args, b"");
    let x = parse_json("-Q -J", "kcat", &p.kcat.stdout);
    let y = parse_json("-Q -J", "kct", &p.kct.stdout);
    assert_eq!(x, y, "-Q -J differs\nkcat: {x}\nkct : {y}");
    assert_eq!(code(&p.kcat), code(&p.kct));
    assert_ne!(
        p.kct.stdout.last(),
        Some(&b'\n'),
        "kcat prints no trailing newline after -Q -J"
    );
}
