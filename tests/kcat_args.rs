//! Command-line errors and failure modes: both tools must exit with the same code and the same
//! (usually empty) stdout. stderr differs between the tools (librdkafka's own lines), so it is
//! only checked for the message that matters.

mod common;

use common::*;
use std::ffi::OsStr;

/// Runs both, requires identical stdout and exit code, and that kct's stderr contains each of
/// `needles` (which are checked against kcat's stderr too, so they stay honest).
fn same_error<S: AsRef<OsStr>>(
    c: &mut Checks,
    label: &str,
    args: &[S],
    stdin: &[u8],
    needles: &[&str],
) {
    let p = c.same(label, args, stdin);
    let kcat_err = String::from_utf8_lossy(&p.kcat.stderr);
    let kct_err = String::from_utf8_lossy(&p.kct.stderr);
    for n in needles {
        c.check(
            &format!("{label}: oracle stderr has {n:?}"),
            kcat_err.contains(n),
            || format!("kcat stderr: {kcat_err}"),
        );
        c.check(
            &format!("{label}: kct stderr has {n:?}"),
            kct_err.contains(n),
            || format!("kct stderr: {kct_err}"),
        );
    }
    c.check(
        &format!("{label}: no panic"),
        !kct_err.contains("panicked"),
        || format!("kct stderr: {kct_err}"),
    );
}

#[test]
fn usage_errors() {
    let mut c = Checks::new();
    let t = "whatever";
    same_error(
        &mut c,
        "unknown flag -Y",
        &["-b", b(), "-C", "-t", t, "-Y"],
        b"",
        &["Error: unknown argument", "Usage: "],
    );
    same_error(
        &mut c,
        "unknown flag -N",
        &["-N"],
        b"",
        &["Error: unknown argument", "Usage: "],
    );
    same_error(
        &mut c,
        "missing argument to -t",
        &["-b", b(), "-C", "-t"],
        b"",
        &["Usage: "],
    );
    same_error(
        &mut c,
        "missing -b",
        &["-C", "-t", t],
        b"",
        &["-b <broker,..> missing"],
    );
    same_error(
        &mut c,
        "missing -t",
        &["-b", b(), "-C"],
        b"",
        &["-t <topic> missing"],
    );
    same_error(
        &mut c,
        "positional args in -C",
        &["-b", b(), "-C", "-t", t, "extra"],
        b"",
        &["file/topic list only allowed in producer(-P)/kafkaconsumer(-G) mode"],
    );
    c.finish();
}

#[test]
fn bad_config_properties() {
    let mut c = Checks::new();
    let t = new_topic("args", 1);
    same_error(
        &mut c,
        "-X without =",
        &["-b", b(), "-C", "-t", &t, "-e", "-X", "foo"],
        b"",
        &["% Expected -X property=value, not foo, use -X list to display available properties"],
    );
    same_error(
        &mut c,
        "-X unknown property",
        &["-b", b(), "-C", "-t", &t, "-e", "-X", "foo.bar=1"],
        b"",
        &["% ERROR: No such configuration property: \"foo.bar\""],
    );
    same_error(
        &mut c,
        "-X bad value",
        &[
            "-b",
            b(),
            "-C",
            "-t",
            &t,
            "-e",
            "-X",
            "fetch.wait.max.ms=abc",
        ],
        b"",
        &["% ERROR: "],
    );
    same_error(
        &mut c,
        "-X unknown property in -P",
        &["-b", b(), "-P", "-t", &t, "-X", "foo.bar=1"],
        b"x\n",
        &["% ERROR: No such configuration property: \"foo.bar\""],
    );
    c.finish();
}

#[test]
fn bad_format_strings() {
    let mut c = Checks::new();
    let t = new_topic("args-fmt", 1);
    produce(&t, &[Rec::kv(0, "k", "v")]);
    for (f, msg) in [
        ("%x", "% ERROR: Unsupported formatter: %x"),
        ("a%", "% ERROR: Empty formatter"),
        ("%s %Q", "% ERROR: Unsupported formatter: %Q"),
    ] {
        same_error(
            &mut c,
            &format!("-f {f:?}"),
            &consume_args(&t, &["-f", f]),
            b"",
            &[msg],
        );
    }
    let too_many = "%o".repeat(130);
    same_error(
        &mut c,
        "-f with 130 tokens",
        &consume_args(&t, &["-f", &too_many]),
        b"",
        &["Too many formatters"],
    );
    c.finish();
}

#[test]
fn unreachable_broker() {
    let mut c = Checks::new();
    let down = "127.0.0.1:1";
    same_error(
        &mut c,
        "-L",
        &["-b", down, "-L", "-m", "1"],
        b"",
        &["% ERROR: Failed to acquire metadata"],
    );
    same_error(
        &mut c,
        "-C",
        &["-b", down, "-C", "-t", "foo", "-m", "1"],
        b"",
        &["% ERROR: Failed to query metadata for topic foo"],
    );
    same_error(
        &mut c,
        "-Q",
        &["-b", down, "-Q", "-t", "foo:0:1000", "-m", "1"],
        b"",
        &["% ERROR: "],
    );
    same_error(
        &mut c,
        "-P",
        &["-b", down, "-P", "-t", "foo", "-m", "1"],
        b"hello\n",
        &["% ERROR: "],
    );
    c.finish();
}

#[test]
fn last_mode_flag_wins() {
    let t = new_topic("args-mode", 1);
    produce(&t, &[Rec::v(0, "only")]);
    let mut args = vec!["-b", b(), "-L", "-P", "-C", "-t", &t, "-e"];
    args.extend(FAST);
    assert_same(&args, b"");
}
