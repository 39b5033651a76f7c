//! Differential tests of `-P` (producer): kcat writes to one topic, kct to a twin topic with
//! the same partition count, from the same input. Their stdout (`-T` tee) and exit codes must
//! be identical, and so must what kcat -J reads back from the two topics (topic name and
//! timestamp aside): partitions, offsets, keys, values and headers, NULL vs empty.

mod common;

use common::*;
use std::path::PathBuf;

/// Runs `-P` through both tools into twin topics and records every difference in `c`.
fn produce_both(c: &mut Checks, label: &str, partitions: i32, extra: &[&str], stdin: &[u8]) {
    produce_both_args(c, label, partitions, extra, extra, stdin)
}

/// Like `produce_both`, with different options for kcat and kct (for kct's deliberate fixes).
fn produce_both_args(
    c: &mut Checks,
    label: &str,
    partitions: i32,
    kcat_extra: &[&str],
    kct_extra: &[&str],
    stdin: &[u8],
) {
    let extra = kct_extra;
    let ta = new_topic("pa", partitions);
    let tb = new_topic("pb", partitions);
    let args = |t: &str, extra: &[&str]| {
        let mut v: Vec<String> = ["-b", b(), "-P", "-t", t]
            .iter()
            .map(|s| s.to_string())
            .collect();
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    let p = Pair {
        args: args(&ta, kcat_extra),
        kcat: kcat(&args(&ta, kcat_extra), stdin),
        kct: kct(&args(&tb, kct_extra), stdin),
    };
    c.oracle_ok(label, &p.kcat, &p.args);
    if let Some(m) = p.exact_mismatch() {
        c.check(&format!("{label}: stdout/exit"), false, || m);
    }
    let ra = normalized_records(&ta);
    let rb = normalized_records(&tb);
    c.check(&format!("{label}: records written"), ra == rb, || {
        let show_all = |v: &[serde_json::Value]| {
            v.iter()
                .map(|r| format!("    {r}"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        format!(
            "args: {}\nstdin: {}\nkct exit {} stderr: {}\n  kcat wrote ({}):\n{}\n  kct wrote ({}):\n{}",
            extra.join(" "),
            show(stdin),
            code(&p.kct),
            show(&p.kct.stderr),
            ra.len(),
            show_all(&ra),
            rb.len(),
            show_all(&rb)
        )
    });
}

fn write_file(name: &str, content: &[u8]) -> String {
    let dir = scratch_dir().join("files");
    std::fs::create_dir_all(&dir).unwrap();
    let path: PathBuf = dir.join(format!("{}-{name}", unique_topic("f")));
    std::fs::write(&path, content).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn produce_lines_and_keys() {
    let mut c = Checks::succeeding();
    produce_both(&mut c, "plain lines", 1, &[], b"a\nb\n\nc");
    produce_both(&mut c, "CRLF input", 1, &[], b"a\r\nb\r\n");
    produce_both(&mut c, "empty stdin", 1, &[], b"");
    produce_both(
        &mut c,
        "-K:",
        1,
        &["-K", ":"],
        b"k1:v1\nnokey\n:emptykey\nk2:\nk3:v:3\n:\n",
    );
    produce_both(
        &mut c,
        "-K: -Z",
        1,
        &["-K", ":", "-Z"],
        b"k1:v1\nnokey\n:emptykey\nk2:\nk3:v:3\n:\n",
    );
    produce_both(&mut c, "-Z without -K", 1, &["-Z"], b"a\n\nb\n");
    produce_both(
        &mut c,
        "-k with -K",
        1,
        &["-k", "fixed", "-K", ":"],
        b"a:b\nnodelim\n:v\n",
    );
    produce_both(&mut c, "-k", 1, &["-k", "fixed"], b"x\ny\n");
    produce_both(
        &mut c,
        "-H",
        1,
        &[
            "-H", "a=1", "-H", "b", "-H", "c=", "-H", "a=2", "-H", "eq=x=y",
        ],
        b"m1\nm2\n",
    );
    produce_both(
        &mut c,
        "non-UTF-8 bytes",
        1,
        &["-K", ":"],
        b"\xff\x00:\xfe\x01\n",
    );
    let big = format!("{}\n{}", "x".repeat(5000), "y".repeat(3000));
    produce_both(&mut c, "records > 1 KiB", 1, &[], big.as_bytes());
    c.finish();
}

#[test]
fn produce_delimiters() {
    let mut c = Checks::succeeding();
    produce_both(
        &mut c,
        "multi-byte -K/-D -Z (kcat tests/0002-delim.sh)",
        1,
        &["-K", ";KeyDel;", "-D", ":MyDilemma:", "-Z"],
        b"Key1;KeyDel;Value1:MyDilemma::MyDilemma:;KeyDel;Value2:MyDilemma:Key3;KeyDel;:MyDilemma:Value4",
    );
    produce_both(
        &mut c,
        "UTF-8 delimiters",
        1,
        &["-D", "¶", "-K", "→"],
        "k→v¶x→y¶z".as_bytes(),
    );
    // Deliberate kct fix: `-D '\r'` is CR (kcat 1.7 splits on the two bytes backslash, r), so
    // kct's `\r` is compared with kcat's `\x0d`.
    produce_both_args(
        &mut c,
        r"-D '\r' (kct) = -D '\x0d' (kcat)",
        1,
        &["-D", r"\x0d"],
        &["-D", r"\r"],
        b"a\rb\\rc\r",
    );
    produce_both_args(
        &mut c,
        r"-K '\r\n' (kct) = -K '\x0d\n' (kcat)",
        1,
        &["-K", r"\x0d\n"],
        &["-K", r"\r\n"],
        b"k\r\nv\nno key\n",
    );
    produce_both(&mut c, r"-D '\x0d'", 1, &["-D", r"\x0d"], b"a\rb\rc");
    produce_both(&mut c, r"-D '\t'", 1, &["-D", r"\t"], b"a\tb\t\tc");
    produce_both(
        &mut c,
        r"-D '\x4142' (low byte)",
        1,
        &["-D", r"\x4142"],
        b"aBbBc",
    );
    produce_both(&mut c, "-D ';;'", 1, &["-D", ";;"], b"a;;b;c;;;;d;;");
    c.finish();
}

#[test]
fn produce_tee_count_partition() {
    let mut c = Checks::succeeding();
    produce_both(&mut c, "-T -K:", 1, &["-T", "-K", ":"], b"k1:v1\n\nk2:\n");
    produce_both(&mut c, "-T", 1, &["-T"], b"a\nb\n");
    produce_both(&mut c, "-T -D ;", 1, &["-T", "-D", ";"], b"a;b;;c");
    produce_both(&mut c, "-c 2", 1, &["-c", "2"], b"1\n2\n3\n4\n");
    produce_both(&mut c, "-c 2 -T", 1, &["-c", "2", "-T"], b"1\n2\n3\n4\n");
    produce_both(&mut c, "-p 1", 3, &["-p", "1", "-K", ":"], b"a:1\nb:2\n");
    produce_both(
        &mut c,
        "keyed, default partitioner",
        3,
        &["-K", ":"],
        b"a:1\nb:2\nc:3\nd:4\ne:5\nf:6\n",
    );
    produce_both(
        &mut c,
        "keyed, murmur2_random",
        5,
        &["-K", ":", "-X", "topic.partitioner=murmur2_random"],
        b"a:1\nb:2\nc:3\nd:4\ne:5\nf:6\n",
    );
    produce_both(&mut c, "-z gzip", 1, &["-z", "gzip"], b"c1\nc2\n");
    produce_both(&mut c, "-z zstd", 1, &["-z", "zstd"], b"c1\nc2\n");
    c.finish();
}

#[test]
fn produce_files() {
    let mut c = Checks::succeeding();
    let lines = write_file("lines", b"x\ny\n\nz");
    let kv = write_file("kv", b"k:v\nnokey\n");
    let one = write_file("one", b"one\ntwo\n");
    let empty = write_file("empty", b"");
    let binary = write_file("binary", b"\x00\xff\x01");
    produce_both(&mut c, "-l file", 1, &["-l", &lines], b"ignored\n");
    produce_both(&mut c, "-l -K: file", 1, &["-l", "-K", ":", &kv], b"");
    produce_both(
        &mut c,
        "files, one message each, empty skipped",
        1,
        &[&one, &empty, &binary],
        b"ignored\n",
    );
    produce_both(
        &mut c,
        "files with -k",
        1,
        &["-k", "kk", &one, &binary],
        b"",
    );
    produce_both(&mut c, "files with -T", 1, &["-T", &one, &binary], b"");
    c.finish();

    let mut e = Checks::new();
    produce_both(
        &mut e,
        "-l with two files (error)",
        1,
        &["-l", &one, &binary],
        b"",
    );
    produce_both(
        &mut e,
        "missing file (error)",
        1,
        &["/nonexistent/kct-test-file"],
        b"",
    );
    produce_both(&mut e, "only an empty file", 1, &[&empty], b"");
    e.finish();
}

#[test]
fn produce_errors() {
    let mut c = Checks::new();
    produce_both(&mut c, "-D '' (empty delimiter)", 1, &["-D", ""], b"a\n");
    produce_both(&mut c, r"-D '\x00'", 1, &["-D", r"\x00"], b"a\n");
    produce_both(&mut c, "-H =x", 1, &["-H", "=x"], b"a\n");
    produce_both(&mut c, "-s in producer", 1, &["-s", "value=i"], b"a\n");
    produce_both(&mut c, "-z bogus", 1, &["-z", "bogus"], b"a\n");
    produce_both(&mut c, "-p 9 (no such partition)", 1, &["-p", "9"], b"a\n");
    c.finish();
}
