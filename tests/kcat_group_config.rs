//! Differential tests of `-G` (balanced consumer groups), configuration files (`-F`,
//! `$KCAT_CONFIG`, `~/.config/kcat.conf`, the Java-properties shims), transactions and the
//! general flags `-E -q -v -u`: the same command through kcat 1.7.1 and kct, compared where the
//! output is deterministic, and kct's deliberate differences asserted explicitly.

mod common;

use common::*;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const T0: i64 = 1_600_000_000_000;
const GROUP_FMT: &str = "%t %p %o %k %s\n";

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn error_lines(o: &Output) -> Vec<String> {
    text(&o.stderr)
        .lines()
        .filter(|l| l.starts_with("% ERROR:"))
        .map(str::to_string)
        .collect()
}

fn describe(p: &Pair) -> String {
    format!(
        "args: {}\nkcat exit {} stdout {}\nkcat stderr {}\nkct exit {} stdout {}\nkct stderr {}",
        p.args.join(" "),
        code(&p.kcat),
        show(&p.kcat.stdout),
        text(&p.kcat.stderr),
        code(&p.kct),
        show(&p.kct.stdout),
        text(&p.kct.stderr)
    )
}

// ---------------------------------------------------------------------------------------------
// -G

/// `-b B -G group <subscription> -X fetch.wait.max.ms=5 -f FMT` + extra.
fn group_args(group: &str, subscription: &[&str], extra: &[&str]) -> Vec<String> {
    let mut v = strs(&["-b", b(), "-G", group]);
    v.extend(strs(subscription));
    v.extend(strs(&FAST));
    v.extend(strs(&["-f", GROUP_FMT]));
    v.extend(strs(extra));
    v
}

/// Runs the same `-G` command through both tools, each with its own fresh group id.
fn both_grouped(subscription: &[&str], extra: &[&str]) -> Pair {
    let (ga, gb) = (unique_topic("grp-kcat"), unique_topic("grp-kct"));
    let args = group_args(&ga, subscription, extra);
    Pair {
        kcat: kcat(&args, b""),
        kct: kct(&group_args(&gb, subscription, extra), b""),
        args,
    }
}

/// Two topics `<prefix>-a` (2 partitions) and `<prefix>-b` (3 partitions) with records in
/// every partition; returns the prefix.
fn two_topics() -> String {
    let prefix = unique_topic("gsub");
    for (name, parts) in [("a", 2), ("b", 3)] {
        let t = format!("{prefix}-{name}");
        create_topic(&t, parts, &[]);
        let mut recs = Vec::new();
        for p in 0..parts {
            for i in 0..3i64 {
                recs.push(Rec::kv(p, format!("k{i}"), format!("{name}{p}-{i}")).ts(T0 + i));
            }
        }
        produce(&t, &recs);
    }
    prefix
}

#[test]
fn group_subscriptions() {
    let prefix = two_topics();
    let (ta, tb) = (format!("{prefix}-a"), format!("{prefix}-b"));
    let regex = format!("^{prefix}-.*");
    let mut c = Checks::succeeding();
    for (label, subscription) in [
        ("one topic", vec![ta.as_str()]),
        ("two topics", vec![ta.as_str(), tb.as_str()]),
        ("^regex", vec![regex.as_str()]),
    ] {
        for extra in [
            vec!["-e", "-o", "beginning"],
            // With -J the first literal of -f follows each object: a newline keeps one per line.
            vec!["-e", "-o", "beginning", "-J", "-f", "\\n"],
        ] {
            let p = both_grouped(&subscription, &extra);
            let l = format!("{label} {extra:?}");
            c.oracle_ok(&l, &p.kcat, &p.args);
            c.check(
                &format!("{l}: oracle read something"),
                !p.kcat.stdout.is_empty(),
                || describe(&p),
            );
            if let Some(m) = p.sorted_mismatch() {
                c.check(&l, false, || m);
            }
        }
    }
    c.finish();
}

#[test]
fn group_eof_messages() {
    // README: the EOF messages on stderr are kcat's, `: exiting` on the last one included.
    let prefix = two_topics();
    let ta = format!("{prefix}-a");
    let p = both_grouped(&[&ta], &["-e", "-o", "beginning"]);
    let eof = |o: &Output| -> (Vec<String>, usize) {
        let lines: Vec<String> = text(&o.stderr)
            .lines()
            .filter(|l| l.starts_with("% Reached end of topic"))
            .map(str::to_string)
            .collect();
        let exiting = lines.iter().filter(|l| l.ends_with(": exiting")).count();
        let mut bare: Vec<String> = lines
            .iter()
            .map(|l| l.trim_end_matches(": exiting").to_string())
            .collect();
        bare.sort();
        (bare, exiting)
    };
    let (a, ax) = eof(&p.kcat);
    let (k, kx) = eof(&p.kct);
    assert_eq!(code(&p.kcat), 0, "{}", describe(&p));
    assert_eq!(ax, 1, "oracle: one `: exiting` line\n{}", describe(&p));
    assert!(
        a == k && kx == ax,
        "`% Reached end of topic` lines differ\nkcat: {a:?} ({ax} with `: exiting`)\n\
         kct : {k:?} ({kx} with `: exiting`)\nkct stderr:\n{}",
        text(&p.kct.stderr)
    );
}

#[test]
fn group_count() {
    let t = new_topic("gcount", 1);
    let recs: Vec<Rec> = (0..5)
        .map(|i| Rec::kv(0, format!("k{i}"), format!("v{i}")).ts(T0 + i))
        .collect();
    produce(&t, &recs);
    let mut c = Checks::succeeding();
    for extra in [
        vec!["-c", "2", "-o", "beginning"],
        vec!["-c", "3", "-e", "-o", "beginning"],
        vec!["-c", "9", "-e", "-o", "beginning"],
        vec!["-c", "1", "-e", "-o", "beginning", "-J"],
    ] {
        let p = both_grouped(&[&t], &extra);
        let l = format!("-G -c {extra:?}");
        c.oracle_ok(&l, &p.kcat, &p.args);
        if let Some(m) = p.exact_mismatch() {
            c.check(&l, false, || m);
        }
    }
    c.finish();
}

#[test]
fn group_commits_offsets() {
    let t = new_topic("gcommit", 2);
    produce(
        &t,
        &[
            Rec::kv(0, "a", "0-0").ts(T0),
            Rec::kv(1, "b", "1-0").ts(T0 + 1),
            Rec::kv(1, "c", "1-1").ts(T0 + 2),
        ],
    );
    let groups = [unique_topic("gc-kcat"), unique_topic("gc-kct")];
    let run = |tool: usize, extra: &[&str]| {
        let args = group_args(&groups[tool], &[&t], extra);
        if tool == 0 {
            kcat(&args, b"")
        } else {
            kct(&args, b"")
        }
    };
    let mut c = Checks::succeeding();
    let round = |c: &mut Checks, label: &str, extra: &[&str], want_empty: bool| {
        let p = Pair {
            args: group_args("<group>", &[&t], extra),
            kcat: run(0, extra),
            kct: run(1, extra),
        };
        c.oracle_ok(label, &p.kcat, &p.args);
        c.check(
            &format!(
                "{label}: oracle output {}",
                if want_empty { "empty" } else { "not empty" }
            ),
            p.kcat.stdout.is_empty() == want_empty,
            || describe(&p),
        );
        if let Some(m) = p.sorted_mismatch() {
            c.check(label, false, || m);
        }
    };
    round(
        &mut c,
        "first run, -o beginning",
        &["-e", "-o", "beginning"],
        false,
    );
    // The group committed its position: a second run from the default offsets reads nothing.
    round(&mut c, "second run, committed offsets", &["-e"], true);
    // New records: only they are read.
    produce(
        &t,
        &[
            Rec::kv(0, "d", "0-1").ts(T0 + 3),
            Rec::kv(1, "e", "1-2").ts(T0 + 4),
        ],
    );
    round(&mut c, "third run, only the new records", &["-e"], false);
    round(&mut c, "fourth run, nothing new", &["-e"], true);
    c.finish();
}

// ---------------------------------------------------------------------------------------------
// Configuration files

fn conf_dir() -> PathBuf {
    let d = scratch_dir().join(unique_topic("conf"));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(path: &Path, content: &str) -> String {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(path, content).unwrap();
    path.to_string_lossy().into_owned()
}

/// A `$HOME` whose `.config/<name>` holds `content`.
fn home_with(name: &str, content: &str) -> PathBuf {
    let home = conf_dir();
    write(&home.join(".config").join(name), content);
    home
}

/// Runs `args` through both tools with extra environment (`HOME`, `KCAT_CONFIG`, ...).
fn both_env(args: &[String], env: &[(&str, &OsStr)]) -> Pair {
    let run = |mut cmd: Command| {
        cmd.args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        run_cmd(cmd, b"", TIMEOUT)
    };
    Pair {
        args: args.to_vec(),
        kcat: run(kcat_cmd()),
        kct: run(kct_cmd()),
    }
}

/// A one-partition topic with three records, and the consumer arguments without `-b`.
fn conf_topic() -> (String, Vec<String>) {
    let t = new_topic("conf", 1);
    produce(
        &t,
        &[
            Rec::kv(0, "k1", "v1").ts(T0),
            Rec::v(0, "v2").ts(T0 + 1),
            Rec::kv(0, "k3", "").ts(T0 + 2),
        ],
    );
    let mut args = strs(&["-C", "-t", &t, "-e", "-f", "%o %k %s\n"]);
    args.extend(strs(&FAST));
    (t, args)
}

fn same_env(c: &mut Checks, label: &str, args: &[String], env: &[(&str, &OsStr)]) -> Pair {
    let p = both_env(args, env);
    if let Some(m) = p.exact_mismatch() {
        c.check(label, false, || m);
    } else {
        c.check(label, true, String::new);
    }
    p
}

fn with_args(base: &[String], before: &[&str]) -> Vec<String> {
    let mut v = strs(before);
    v.extend(base.iter().cloned());
    v
}

#[test]
fn config_files_provide_brokers() {
    let (_t, consume) = conf_topic();
    let conf = format!(
        "bootstrap.servers={}\n# a comment\n\nclient.id=fromfile\n",
        b()
    );
    let file = write(&conf_dir().join("a.conf"), &conf);
    let empty = conf_dir();
    let mut c = Checks::succeeding();

    let p = same_env(&mut c, "-F file", &with_args(&consume, &["-F", &file]), &[]);
    c.oracle_ok("-F file", &p.kcat, &p.args);
    c.check("-F file: oracle read", !p.kcat.stdout.is_empty(), || {
        describe(&p)
    });

    let p = same_env(
        &mut c,
        "KCAT_CONFIG",
        &consume,
        &[("KCAT_CONFIG", OsStr::new(&file))],
    );
    c.oracle_ok("KCAT_CONFIG", &p.kcat, &p.args);

    let home = home_with("kcat.conf", &conf);
    let p = same_env(
        &mut c,
        "$HOME/.config/kcat.conf",
        &consume,
        &[("HOME", home.as_os_str())],
    );
    c.oracle_ok("$HOME/.config/kcat.conf", &p.kcat, &p.args);

    // -F wins over $KCAT_CONFIG (which here points to a missing file).
    let p = same_env(
        &mut c,
        "-F with a broken KCAT_CONFIG",
        &with_args(&consume, &["-F", &file]),
        &[("KCAT_CONFIG", OsStr::new("/nonexistent/kct-test.conf"))],
    );
    c.oracle_ok("-F with a broken KCAT_CONFIG", &p.kcat, &p.args);

    // KCAT_CONFIG wins over the default file (which here has no brokers).
    let home_nobrokers = home_with("kcat.conf", "client.id=x\n");
    let p = same_env(
        &mut c,
        "KCAT_CONFIG over kcat.conf",
        &consume,
        &[
            ("KCAT_CONFIG", OsStr::new(&file)),
            ("HOME", home_nobrokers.as_os_str()),
        ],
    );
    c.oracle_ok("KCAT_CONFIG over kcat.conf", &p.kcat, &p.args);

    // The deprecated name still works, with a notice on stderr.
    let old_home = home_with("kafkacat.conf", &conf);
    let p = same_env(
        &mut c,
        "$HOME/.config/kafkacat.conf",
        &consume,
        &[("HOME", old_home.as_os_str())],
    );
    c.oracle_ok("$HOME/.config/kafkacat.conf", &p.kcat, &p.args);
    let notice = "% Configuration filename kafkacat.conf is deprecated!";
    for (tool, o) in [("kcat", &p.kcat), ("kct", &p.kct)] {
        c.check(
            &format!("kafkacat.conf: {tool} prints the deprecation notice"),
            text(&o.stderr).lines().any(|l| l == notice),
            || text(&o.stderr),
        );
    }

    // An empty $HOME and no -b: both fail the same way.
    let mut e = Checks::new();
    same_env(
        &mut e,
        "no config at all",
        &consume,
        &[("HOME", empty.as_os_str())],
    );
    c.finish();
    e.finish();
}

#[test]
fn config_file_disabled_by_dash() {
    let (_t, consume) = conf_topic();
    let conf = format!("bootstrap.servers={}\n", b());
    let home = home_with("kcat.conf", &conf);
    let file = write(&conf_dir().join("k.conf"), &conf);
    let mut c = Checks::new();
    // `-F -` (and `-F none`) switch off the search for ~/.config/kcat.conf: no brokers.
    for dash in ["-", "none"] {
        let label = format!("-F {dash} with kcat.conf");
        let p = same_env(
            &mut c,
            &label,
            &with_args(&consume, &["-F", dash]),
            &[("HOME", home.as_os_str())],
        );
        c.check(&format!("{label}: -b missing"), code(&p.kcat) == 1, || {
            describe(&p)
        });
        c.check(
            &format!("{label}: kct says -b is missing"),
            text(&p.kct.stderr).contains("-b <broker,..> missing"),
            || describe(&p),
        );
    }
    // kcat 1.7 still reads $KCAT_CONFIG after `-F -` (only a file actually read disables it).
    let p = same_env(
        &mut c,
        "-F - with KCAT_CONFIG",
        &with_args(&consume, &["-F", "-"]),
        &[("KCAT_CONFIG", OsStr::new(&file))],
    );
    c.check(
        "-F - with KCAT_CONFIG: oracle reads it",
        code(&p.kcat) == 0,
        || describe(&p),
    );
    // `-F -` and then -b: consumes normally.
    let p = same_env(
        &mut c,
        "-F - -b",
        &with_args(&consume, &["-F", "-", "-b", b()]),
        &[("HOME", home.as_os_str())],
    );
    c.check("-F - -b: oracle ok", code(&p.kcat) == 0, || describe(&p));
    c.finish();
}

#[test]
fn config_file_parse_errors() {
    let (_t, consume) = conf_topic();
    let dir = conf_dir();
    let with_b = format!("bootstrap.servers={}\n", b());
    let mut c = Checks::new();
    for (label, content) in [
        ("`nonsense` line", format!("{with_b}nonsense\n")),
        ("unknown property", format!("{with_b}no.such.property=1\n")),
        ("bad value", format!("{with_b}fetch.wait.max.ms=abc\n")),
        (
            "unsupported JAAS module",
            format!(
                "{with_b}sasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required;\n"
            ),
        ),
    ] {
        let file = write(&dir.join(format!("{}.conf", unique_topic("bad"))), &content);
        for (how, args, env) in [
            ("-F", with_args(&consume, &["-F", &file]), vec![]),
            (
                "KCAT_CONFIG",
                consume.clone(),
                vec![("KCAT_CONFIG", OsStr::new(&file))],
            ),
        ] {
            let l = format!("{label} ({how})");
            let p = same_env(&mut c, &l, &args, &env);
            c.check(
                &format!("{l}: exit 1"),
                code(&p.kct) == 1 && code(&p.kcat) == 1,
                || describe(&p),
            );
            // README: every `% ERROR:` line kcat prints has the same text.
            let (a, k) = (error_lines(&p.kcat), error_lines(&p.kct));
            c.check(
                &format!("{l}: same `% ERROR:` lines"),
                !a.is_empty() && a == k,
                || format!("kcat: {a:?}\nkct : {k:?}"),
            );
        }
    }
    let missing = dir.join("missing.conf").to_string_lossy().into_owned();
    let p = same_env(
        &mut c,
        "-F missing file",
        &with_args(&consume, &["-F", &missing]),
        &[],
    );
    let (a, k) = (error_lines(&p.kcat), error_lines(&p.kct));
    c.check(
        "-F missing file: same `% ERROR:` lines",
        !a.is_empty() && a == k,
        || format!("kcat: {a:?}\nkct : {k:?}"),
    );
    c.finish();
}

/// The `name = value` lines of `-X dump` for `names`.
fn dump_lines(out: &[u8], names: &[&str]) -> Vec<String> {
    text(out)
        .lines()
        .filter(|l| l.split_once(" = ").is_some_and(|(n, _)| names.contains(&n)))
        .map(str::to_string)
        .collect()
}

#[test]
fn config_file_java_properties() {
    let (_t, consume) = conf_topic();
    let dir = conf_dir();
    let file = write(
        &dir.join("java.properties"),
        &format!(
            "bootstrap.servers={}\nclient.id=a\\:b\\=c\n\
             sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required \
             username=\"u\" password=\"s3cr3t-pw\";\n\
             ssl.endpoint.identification.algorithm=https\n",
            b().replace(':', "\\:")
        ),
    );
    let mut c = Checks::new();
    // `\:` unescaped: the broker address works.
    let p = same_env(
        &mut c,
        "\\: in bootstrap.servers",
        &with_args(&consume, &["-F", &file]),
        &[],
    );
    c.check(
        "\\: in bootstrap.servers: oracle ok",
        code(&p.kcat) == 0,
        || describe(&p),
    );

    let p = both_env(&strs(&["-F", &file, "-X", "dump"]), &[]);
    let names = [
        "client.id",
        "sasl.username",
        "metadata.broker.list",
        "bootstrap.servers",
    ];
    let (a, k) = (
        dump_lines(&p.kcat.stdout, &names),
        dump_lines(&p.kct.stdout, &names),
    );
    c.check(
        "-X dump: client.id unescaped, brokers, sasl.username as kcat",
        code(&p.kct) == 0 && a == k && a.contains(&"client.id = a:b=c".to_string()),
        || {
            format!(
                "kcat: {a:?}\nkct : {k:?}\nkct exit {} stderr {}",
                code(&p.kct),
                text(&p.kct.stderr)
            )
        },
    );
    // kcat maps sasl.jaas.config to sasl.username/sasl.password and prints the password; kct
    // maps it the same way and masks it.
    let kcat_dump = text(&p.kcat.stdout);
    let kct_dump = text(&p.kct.stdout);
    c.check(
        "oracle: kcat shows sasl.username = u and the password",
        kcat_dump.lines().any(|l| l == "sasl.username = u")
            && kcat_dump.lines().any(|l| l == "sasl.password = s3cr3t-pw"),
        || kcat_dump.clone(),
    );
    c.check(
        "kct: sasl.username = u, password masked",
        kct_dump.lines().any(|l| l == "sasl.username = u")
            && kct_dump.lines().any(|l| l == "sasl.password = [hidden]")
            && !kct_dump.contains("s3cr3t-pw"),
        || kct_dump.clone(),
    );
    c.finish();
}

#[test]
fn config_precedence() {
    let dir = conf_dir();
    let file = write(&dir.join("p.conf"), "client.id=fromfile\n");
    let home = home_with("kcat.conf", "client.id=fromfile\n");
    let client_id = |o: &Output| dump_lines(&o.stdout, &["client.id"]);
    let mut c = Checks::new();

    // -F applies in command-line order with -X: the same in both tools.
    for (label, args) in [
        (
            "-F then -X",
            strs(&["-F", &file, "-X", "client.id=fromX", "-X", "dump"]),
        ),
        (
            "-X then -F",
            strs(&["-X", "client.id=fromX", "-F", &file, "-X", "dump"]),
        ),
    ] {
        let p = both_env(&args, &[]);
        c.check(
            label,
            code(&p.kct) == 0 && client_id(&p.kct) == client_id(&p.kcat),
            || format!("kcat {:?}\nkct {:?}", client_id(&p.kcat), client_id(&p.kct)),
        );
    }

    // Deliberate difference: -X on the command line wins over $KCAT_CONFIG and kcat.conf
    // (kcat lets the file override it).
    let args = strs(&["-X", "client.id=fromX", "-X", "dump"]);
    for (label, env) in [
        ("KCAT_CONFIG", vec![("KCAT_CONFIG", OsStr::new(&file))]),
        ("kcat.conf", vec![("HOME", home.as_os_str())]),
    ] {
        let p = both_env(&args, &env);
        c.check(
            &format!("{label}: oracle lets the file win"),
            client_id(&p.kcat) == vec!["client.id = fromfile".to_string()],
            || format!("kcat {:?}", client_id(&p.kcat)),
        );
        c.check(
            &format!("{label}: kct lets -X win"),
            code(&p.kct) == 0 && client_id(&p.kct) == vec!["client.id = fromX".to_string()],
            || {
                format!(
                    "kct exit {} {:?} {}",
                    code(&p.kct),
                    client_id(&p.kct),
                    text(&p.kct.stderr)
                )
            },
        );
        // Properties only in the file still apply.
        let p = both_env(&strs(&["-X", "dump"]), &env);
        c.check(
            &format!("{label}: file alone"),
            client_id(&p.kct) == vec!["client.id = fromfile".to_string()]
                && client_id(&p.kcat) == client_id(&p.kct),
            || format!("kcat {:?}\nkct {:?}", client_id(&p.kcat), client_id(&p.kct)),
        );
    }
    c.finish();
}

// ---------------------------------------------------------------------------------------------
// Transactions

#[test]
fn transactional_producer() {
    // tansu 0.6.0 cannot commit (EndTxn is not served): both tools must fail the same way, and
    // promptly (the harness kills runs after 30 s).
    let mut c = Checks::new();
    for extra in [vec!["-m", "2"], vec!["-m", "2", "-K", ":"]] {
        let (ta, tb) = (new_topic("txn-kcat", 1), new_topic("txn-kct", 1));
        let args = |t: &str, id: &str| {
            let mut v = strs(&["-b", b(), "-P", "-t", t, "-X"]);
            v.push(format!("transactional.id={id}"));
            v.extend(strs(&extra));
            v
        };
        let p = Pair {
            args: args(&ta, "t-kcat"),
            kcat: kcat(&args(&ta, &unique_topic("t1")), b"a:1\nb:2\n"),
            kct: kct(&args(&tb, &unique_topic("t1")), b"a:1\nb:2\n"),
        };
        let l = format!("transactional.id {extra:?}");
        if let Some(m) = p.exact_mismatch() {
            c.check(&l, false, || m);
        }
        c.check(
            &format!("{l}: kct announces the transactional producer"),
            text(&p.kct.stderr)
                .lines()
                .any(|x| x == "% Using transactional producer"),
            || text(&p.kct.stderr),
        );
        c.check(
            &format!("{l}: no hang"),
            !text(&p.kct.stderr).contains("[harness: killed"),
            || text(&p.kct.stderr),
        );
        let (a, k) = (error_lines(&p.kcat), error_lines(&p.kct));
        c.check(&format!("{l}: same `% ERROR:` lines"), a == k, || {
            format!("kcat: {a:?}\nkct : {k:?}")
        });
    }
    c.finish();
}

// ---------------------------------------------------------------------------------------------
// -E -q -v -u

fn flags_topic() -> String {
    let t = new_topic("flags", 3);
    let mut recs = Vec::new();
    for p in 0..3 {
        for i in 0..3i64 {
            recs.push(Rec::kv(p, format!("k{i}"), format!("p{p}-{i}")).ts(T0 + i));
        }
    }
    produce(&t, &recs);
    t
}

#[test]
fn quiet() {
    let t = flags_topic();
    let mut c = Checks::succeeding();
    let reached = |o: &Output| text(&o.stderr).contains("% Reached end");
    for extra in [vec!["-q"], vec!["-q", "-J"], vec!["-v", "-q"]] {
        let p = c.same_sorted(&format!("-C {extra:?}"), &consume_args(&t, &extra), b"");
        c.check(
            &format!("-C {extra:?}: no EOF lines"),
            !reached(&p.kct),
            || text(&p.kct.stderr),
        );
        c.check(
            &format!("-C {extra:?}: oracle has none"),
            !reached(&p.kcat),
            || text(&p.kcat.stderr),
        );
    }
    // Without -q the EOF lines are there (so the check above means something).
    let p = c.same_sorted("-C (not quiet)", &consume_args(&t, &[]), b"");
    c.check(
        "-C: EOF lines without -q",
        reached(&p.kct) && reached(&p.kcat),
        || describe(&p),
    );
    // -G -q.
    let p = both_grouped(&[&t], &["-e", "-o", "beginning", "-q"]);
    c.oracle_ok("-G -q", &p.kcat, &p.args);
    if let Some(m) = p.sorted_mismatch() {
        c.check("-G -q", false, || m);
    }
    c.check(
        "-G -q: no EOF or rebalance lines",
        p.kct.stderr.is_empty(),
        || text(&p.kct.stderr),
    );
    // -P -q: nothing on stderr in a clean run.
    let tq = new_topic("flags-pq", 1);
    let out = kct(&["-b", b(), "-P", "-t", &tq, "-q"], b"a\nb\n");
    c.check(
        "-P -q: silent",
        code(&out) == 0 && out.stderr.is_empty(),
        || text(&out.stderr),
    );
    c.finish();
}

#[test]
fn verbose_delivery_reports() {
    let mut c = Checks::succeeding();
    let delivered = |o: &Output| -> Vec<String> {
        let mut v: Vec<String> = text(&o.stderr)
            .lines()
            .filter(|l| l.starts_with("% Message delivered"))
            .map(str::to_string)
            .collect();
        v.sort();
        v
    };
    for (extra, want) in [
        (vec!["-v"], 0),
        (vec!["-vv"], 3),
        (vec!["-v", "-v"], 3),
        (vec!["-v", "-v", "-v"], 3),
        (vec!["-q", "-vv"], 0),
        (vec!["-vv", "-q"], 0),
    ] {
        let (ta, tb) = (new_topic("verb-kcat", 1), new_topic("verb-kct", 1));
        let args = |t: &str| {
            let mut v = strs(&["-b", b(), "-P", "-t", t]);
            v.extend(strs(&extra));
            v
        };
        let p = Pair {
            args: args(&ta),
            kcat: kcat(&args(&ta), b"a\nb\nc\n"),
            kct: kct(&args(&tb), b"a\nb\nc\n"),
        };
        let l = format!("-P {extra:?}");
        c.oracle_ok(&l, &p.kcat, &p.args);
        if let Some(m) = p.exact_mismatch() {
            c.check(&l, false, || m);
        }
        let (a, k) = (delivered(&p.kcat), delivered(&p.kct));
        c.check(
            &format!("{l}: oracle prints {want} delivery reports"),
            a.len() == want,
            || format!("{a:?}"),
        );
        c.check(&format!("{l}: same delivery reports"), a == k, || {
            format!("kcat: {a:?}\nkct : {k:?}")
        });
    }
    c.finish();
}

#[test]
fn unbuffered() {
    let t = flags_topic();
    let mut c = Checks::succeeding();
    for extra in [
        vec!["-u"],
        vec!["-u", "-J"],
        vec!["-u", "-K", ":"],
        vec!["-u", "-p", "1"],
    ] {
        c.same_sorted(&format!("-C {extra:?}"), &consume_args(&t, &extra), b"");
    }
    c.same(
        "-C -u -p 2 exact",
        &consume_args(&t, &["-u", "-p", "2", "-f", "%o %s\n"]),
        b"",
    );
    let p = both_grouped(&[&t], &["-e", "-o", "beginning", "-u"]);
    c.oracle_ok("-G -u", &p.kcat, &p.args);
    if let Some(m) = p.sorted_mismatch() {
        c.check("-G -u", false, || m);
    }
    c.finish();
}

#[test]
fn continue_on_error() {
    let t = flags_topic();
    let mut c = Checks::new();
    // Consumer: -E does not turn a fatal setup error into success.
    c.same(
        "-C -p 7 -E",
        &consume_args(&t, &["-p", "7", "-E", "-m", "2"]),
        b"",
    );
    c.same(
        "-C -E (clean run)",
        &consume_args(&t, &["-E", "-p", "1"]),
        b"",
    );
    // Producer: an input record larger than message.max.bytes is fatal for both, -E or not.
    let big = format!("small1\n{}\nsmall2\n", "x".repeat(3000));
    for extra in [vec![], vec!["-E"]] {
        let (ta, tb) = (new_topic("cont-kcat", 1), new_topic("cont-kct", 1));
        let args = |tp: &str| {
            let mut v = strs(&["-b", b(), "-P", "-t", tp, "-X", "message.max.bytes=1000"]);
            v.extend(strs(&extra));
            v
        };
        let p = Pair {
            args: args(&ta),
            kcat: kcat(&args(&ta), big.as_bytes()),
            kct: kct(&args(&tb), big.as_bytes()),
        };
        let l = format!("-P too large {extra:?}");
        // kcat 1.7.1 sometimes crashes (SIGSEGV, exit 139) while tearing down after this error;
        // the exit it means is 1.
        let kcat_exit = if code(&p.kcat) == 139 {
            1
        } else {
            code(&p.kcat)
        };
        c.check(
            &format!("{l}: same stdout and exit code"),
            p.kcat.stdout == p.kct.stdout && kcat_exit == code(&p.kct),
            || p.exact_mismatch().unwrap_or_default(),
        );
        let (a, k) = (error_lines(&p.kcat), error_lines(&p.kct));
        c.check(
            &format!("{l}: same `% ERROR:` lines"),
            !a.is_empty() && a == k,
            || format!("kcat: {a:?}\nkct : {k:?}"),
        );
        // Deliberate difference: kcat may drop the records read before the fatal one (whether
        // they left its queue is a race), kct always delivers them, and nothing after it.
        let rb = normalized_records(&tb);
        let payloads: Vec<_> = rb.iter().map(|r| r["payload"].clone()).collect();
        c.check(
            &format!("{l}: kct delivers the records before the bad one"),
            payloads == vec![serde_json::json!("small1")],
            || format!("kct wrote {rb:?}"),
        );
    }
    c.finish();
}
