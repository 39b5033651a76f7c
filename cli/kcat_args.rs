//! kcat's command line, parsed as its getopt string `PCG:LQt:p:b:z:o:eED:K:k:H:Od:qvF:X:c:Tuf:ZlVhs:r:Jm:U`
//! (GNU permutation, combined flags, attached values) plus kct's long options. The flag table is
//! data: it drives parsing here and the help, completions and man page built in `commands.rs`.

use std::io::IsTerminal;

use kct::kafka::options::{KcatOptions, Mode, Partitioner, QueryTarget, StartOffset};
use kct::record::delim::parse_delim;
use kct::record::json::Encoding;

/// One single-letter kcat flag.
pub struct Flag {
    pub short: char,
    /// Name of its argument, if it takes one.
    pub value: Option<&'static str>,
    pub help: &'static str,
}

/// One kct-only long option (kcat has no long options, so these can never clash).
pub struct LongFlag {
    pub name: &'static str,
    pub value: Option<&'static str>,
    pub help: &'static str,
}

pub const FLAGS: &[Flag] = &[
    Flag {
        short: 'C',
        value: None,
        help: "Consume mode",
    },
    Flag {
        short: 'P',
        value: None,
        help: "Produce mode",
    },
    Flag {
        short: 'L',
        value: None,
        help: "Metadata list mode",
    },
    Flag {
        short: 'Q',
        value: None,
        help: "Query offsets by timestamp mode",
    },
    Flag {
        short: 'G',
        value: Some("group-id"),
        help: "Balanced consumer group mode; topics are positional",
    },
    Flag {
        short: 't',
        value: Some("topic"),
        help: "Topic (with -Q: topic:partition:timestamp)",
    },
    Flag {
        short: 'p',
        value: Some("partition"),
        help: "Partition (-1: all when consuming, the partitioner when producing)",
    },
    Flag {
        short: 'b',
        value: Some("brokers"),
        help: "Bootstrap broker(s) (host[:port],...)",
    },
    Flag {
        short: 'D',
        value: Some("delim"),
        help: "Message delimiter (\\n \\t \\r \\xNN)",
    },
    Flag {
        short: 'K',
        value: Some("delim"),
        help: "Key delimiter",
    },
    Flag {
        short: 'k',
        value: Some("key"),
        help: "Fixed key for every produced message",
    },
    Flag {
        short: 'H',
        value: Some("name=value"),
        help: "Header for every produced message (repeatable)",
    },
    Flag {
        short: 'c',
        value: Some("count"),
        help: "Stop after this many messages",
    },
    Flag {
        short: 'm',
        value: Some("seconds"),
        help: "Metadata, offsets-for-times and transaction timeout (default 5)",
    },
    Flag {
        short: 'F',
        value: Some("config-file"),
        help: "Read property=value lines from a file",
    },
    Flag {
        short: 'X',
        value: Some("prop=val"),
        help: "librdkafka property; `list` shows them, `dump` prints the configuration",
    },
    Flag {
        short: 'd',
        value: Some("contexts"),
        help: "librdkafka debug contexts",
    },
    Flag {
        short: 'z',
        value: Some("codec"),
        help: "Compression codec (snappy, gzip, lz4, zstd)",
    },
    Flag {
        short: 'o',
        value: Some("offset"),
        help: "Start offset: beginning, end, stored, N, -N, s@ms, e@ms (also earliest, latest)",
    },
    Flag {
        short: 'f',
        value: Some("format"),
        help: "Output format (%s %S %R %k %K %T %F %h %t %p %o)",
    },
    Flag {
        short: 's',
        value: Some("serdes"),
        help: "Deserializer (not supported by kct)",
    },
    Flag {
        short: 'r',
        value: Some("url"),
        help: "Schema Registry URL (not supported by kct)",
    },
    Flag {
        short: 'e',
        value: None,
        help: "Exit once every partition is at its end",
    },
    Flag {
        short: 'E',
        value: None,
        help: "Do not exit on non-fatal errors",
    },
    Flag {
        short: 'O',
        value: None,
        help: "No-op, as in kcat 1.7",
    },
    Flag {
        short: 'q',
        value: None,
        help: "Quiet",
    },
    Flag {
        short: 'v',
        value: None,
        help: "More verbose (repeatable)",
    },
    Flag {
        short: 'T',
        value: None,
        help: "Producer: echo input records to stdout",
    },
    Flag {
        short: 'u',
        value: None,
        help: "Unbuffered output",
    },
    Flag {
        short: 'Z',
        value: None,
        help: "NULL for empty keys/values",
    },
    Flag {
        short: 'l',
        value: None,
        help: "Producer: read one file as delimited records",
    },
    Flag {
        short: 'J',
        value: None,
        help: "JSON envelope (with -P: read -J envelopes back)",
    },
    Flag {
        short: 'V',
        value: None,
        help: "Print the version block",
    },
    Flag {
        short: 'h',
        value: None,
        help: "Print kcat-style usage",
    },
    Flag {
        short: 'U',
        value: None,
        help: "Run kcat's built-in self tests (accepted, nothing to run)",
    },
];

pub const LONG_FLAGS: &[LongFlag] = &[
    LongFlag {
        name: "jq",
        value: Some("filter"),
        help: "Apply a jq filter to each consumed message's -J envelope",
    },
    LongFlag {
        name: "encoding",
        value: Some("text|base64|hex"),
        help: "Encoding of keys, values and header values in -J (both directions)",
    },
    LongFlag {
        name: "partitioner",
        value: Some("murmur2|default"),
        help: "murmur2: Java-compatible partitioning of keyed records",
    },
    LongFlag {
        name: "offsets",
        value: None,
        help: "With -L: low and high watermark of every partition",
    },
];

/// What the command line asks for.
pub enum Parsed {
    Run(Box<KcatOptions>),
    Version,
    Usage,
    PropertyList,
    Dump(Box<KcatOptions>),
}

/// A rejected command line; both kinds exit 1.
#[derive(Debug)]
pub enum ArgError {
    /// `Error: …` followed by the usage text.
    Usage(String),
    /// A one-line `% …` message.
    Fatal(String),
}

fn fatal(msg: impl Into<String>) -> ArgError {
    ArgError::Fatal(format!("% ERROR: {}", msg.into()))
}

pub fn parse(args: &[String]) -> Result<Parsed, ArgError> {
    let mut o = KcatOptions::default();
    let mut mode: Option<Mode> = None;
    let mut topics: Vec<String> = Vec::new();
    let mut dump = false;
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if arg == "--" {
            o.positional.extend(args[i..].iter().cloned());
            break;
        }
        if let Some(long) = arg.strip_prefix("--") {
            let (name, attached) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let Some(spec) = LONG_FLAGS.iter().find(|f| f.name == name) else {
                return Err(ArgError::Usage(format!("unknown argument --{name}")));
            };
            let value = match (spec.value, attached) {
                (None, None) => None,
                (None, Some(_)) => return Err(ArgError::Usage(format!("--{name} takes no value"))),
                (Some(_), Some(v)) => Some(v),
                (Some(_), None) => {
                    let v = args
                        .get(i)
                        .cloned()
                        .ok_or_else(|| ArgError::Usage(format!("--{name} needs a value")))?;
                    i += 1;
                    Some(v)
                }
            };
            apply_long(&mut o, name, value)?;
            continue;
        }
        if arg.len() < 2 || !arg.starts_with('-') {
            o.positional.push(arg.clone());
            continue;
        }
        let letters: Vec<char> = arg[1..].chars().collect();
        let mut j = 0;
        while j < letters.len() {
            let c = letters[j];
            j += 1;
            let Some(spec) = FLAGS.iter().find(|f| f.short == c) else {
                return Err(ArgError::Usage("unknown argument".into()));
            };
            let value = if spec.value.is_some() {
                let rest: String = letters[j..].iter().collect();
                j = letters.len();
                if !rest.is_empty() {
                    Some(rest)
                } else if let Some(next) = args.get(i) {
                    i += 1;
                    Some(next.clone())
                } else {
                    return Err(ArgError::Usage("unknown argument".into()));
                }
            } else {
                None
            };
            match apply_short(&mut o, &mut mode, &mut topics, &mut dump, c, value)? {
                Some(early) => return Ok(early),
                None => continue,
            }
        }
    }
    finish(o, mode, topics, dump)
}

/// Applies one short flag; some (`-V`, `-h`, `-X list`) end parsing at once, as in kcat.
fn apply_short(
    o: &mut KcatOptions,
    mode: &mut Option<Mode>,
    topics: &mut Vec<String>,
    dump: &mut bool,
    c: char,
    value: Option<String>,
) -> Result<Option<Parsed>, ArgError> {
    let v = value.unwrap_or_default();
    match c {
        'C' => *mode = Some(Mode::Consume),
        'P' => *mode = Some(Mode::Produce),
        'L' => *mode = Some(Mode::List),
        'Q' => *mode = Some(Mode::Query),
        'G' => *mode = Some(Mode::Group(v)),
        't' => topics.push(v),
        'p' => o.partition = parse_int(&v, "-p")? as i32,
        'b' => o.brokers = Some(v),
        'D' => o.delim = delim(&v)?,
        'K' => o.key_delim = Some(delim(&v)?),
        'k' => o.fixed_key = Some(v.into_bytes()),
        'H' => o.headers.push(parse_header(&v)?),
        'c' => o.count = Some(parse_int(&v, "-c")?.max(0) as u64),
        'm' => o.metadata_timeout_ms = parse_seconds(&v)?,
        'F' => o.config.read_arg_file(&v).map_err(|e| fatal(e.to_string()))?,
        'X' => match v.as_str() {
            "list" | "help" => return Ok(Some(Parsed::PropertyList)),
            "dump" => *dump = true,
            _ => o.config.set_arg(&v).map_err(|e| match e {
                kct::config::kcat::ConfigError::MissingEquals(_) => ArgError::Fatal(format!("% {e}")),
                other => fatal(other.to_string()),
            })?,
        },
        'd' => o.config.set("debug", &v).map_err(|e| fatal(e.to_string()))?,
        'z' => o.config.set("compression.codec", &v).map_err(|e| fatal(e.to_string()))?,
        'o' => parse_offset(o, &v)?,
        'f' => o.format = Some(v),
        's' | 'r' => {
            return Err(fatal(format!(
                "-{c} (pack-str and Avro deserializers) is not supported by kct: use -J with --jq, or -f"
            )))
        }
        'e' => o.exit_eof = true,
        'E' => o.continue_on_error = true,
        'O' | 'U' => {}
        'q' => o.verbosity = 0,
        'v' => o.verbosity += 1,
        'T' => o.tee = true,
        'u' => o.unbuffered = true,
        'Z' => o.null_str = true,
        'l' => o.line_mode = true,
        'J' => o.json = true,
        'V' => return Ok(Some(Parsed::Version)),
        'h' => return Ok(Some(Parsed::Usage)),
        _ => return Err(ArgError::Usage("unknown argument".into())),
    }
    Ok(None)
}

fn apply_long(o: &mut KcatOptions, name: &str, value: Option<String>) -> Result<(), ArgError> {
    let v = value.unwrap_or_default();
    match name {
        "jq" => o.jq = Some(v),
        "encoding" => {
            o.encoding = match v.as_str() {
                "text" => Encoding::Text,
                "base64" => Encoding::Base64,
                "hex" => Encoding::Hex,
                _ => {
                    return Err(fatal(format!(
                        "--encoding {v}: expected text, base64 or hex"
                    )))
                }
            }
        }
        "partitioner" => {
            o.partitioner = match v.as_str() {
                "murmur2" | "java" => Partitioner::Murmur2,
                "default" => Partitioner::Configured,
                _ => {
                    return Err(fatal(format!(
                        "--partitioner {v}: expected murmur2 or default"
                    )))
                }
            }
        }
        "offsets" => o.list_offsets = true,
        _ => return Err(ArgError::Usage(format!("unknown argument --{name}"))),
    }
    Ok(())
}

/// Mode selection and the checks kcat makes once all flags are read.
fn finish(
    mut o: KcatOptions,
    mode: Option<Mode>,
    topics: Vec<String>,
    dump: bool,
) -> Result<Parsed, ArgError> {
    o.config
        .load_defaults(dirs::home_dir().as_deref())
        .map_err(|e| fatal(e.to_string()))?;
    for (level, notice) in std::mem::take(&mut o.config.notices) {
        if o.verbosity >= level {
            kct::say!("{notice}");
        }
    }
    if dump {
        return Ok(Parsed::Dump(Box::new(o)));
    }
    let mode = match mode {
        Some(m) => m,
        None => {
            o.mode_auto_selected = true;
            if std::io::stdin().is_terminal() {
                Mode::Consume
            } else {
                Mode::Produce
            }
        }
    };
    if !o.positional.is_empty() && !matches!(mode, Mode::Produce | Mode::Group(_)) {
        return Err(ArgError::Usage(
            "file/topic list only allowed in producer(-P)/kafkaconsumer(-G) mode".into(),
        ));
    }
    if o.brokers.is_none() && !o.config.has_brokers() {
        return Err(ArgError::Usage("-b <broker,..> missing".into()));
    }
    if o.mode_auto_selected && o.verbosity >= 1 {
        let name = if mode == Mode::Consume {
            "Consumer"
        } else {
            "Producer"
        };
        kct::say!("% Auto-selecting {name} mode (use -P or -C to override)");
    }
    match &mode {
        Mode::Query => {
            for t in &topics {
                o.queries.push(parse_query(t)?);
            }
            if o.queries.is_empty() {
                return Err(ArgError::Usage(
                    "-t <topic>:<partition>:<offset_or_timestamp> missing".into(),
                ));
            }
        }
        Mode::Group(_) => {}
        Mode::List => o.topic = topics.last().cloned(),
        Mode::Consume | Mode::Produce => {
            o.topic = topics.last().cloned();
            if o.topic.is_none() {
                return Err(ArgError::Usage("-t <topic> missing".into()));
            }
        }
    }
    o.mode = mode;
    Ok(Parsed::Run(Box::new(o)))
}

fn delim(arg: &str) -> Result<Vec<u8>, ArgError> {
    parse_delim(arg).map_err(|e| fatal(e.to_string()))
}

fn parse_int(v: &str, flag: &str) -> Result<i64, ArgError> {
    v.trim()
        .parse::<i64>()
        .map_err(|_| fatal(format!("{flag} {v}: expected an integer")))
}

fn parse_seconds(v: &str) -> Result<u64, ArgError> {
    match v.trim().parse::<f64>() {
        Ok(s) if s >= 0.0 && s.is_finite() => Ok((s * 1000.0) as u64),
        _ => Err(fatal(format!("-m {v}: expected a number of seconds"))),
    }
}

/// `-H name=value`, `-H name` (NULL value), `-H name=` (empty value).
fn parse_header(v: &str) -> Result<(Vec<u8>, Option<Vec<u8>>), ArgError> {
    let (name, value) = match v.split_once('=') {
        Some((n, val)) => (n, Some(val.as_bytes().to_vec())),
        None => (v, None),
    };
    if name.is_empty() {
        return Err(fatal("Expected -H \"name=value..\" or -H \"name\""));
    }
    Ok((name.as_bytes().to_vec(), value))
}

/// `-o`: kcat's forms plus `earliest`/`latest`; anything else is an error (kcat silently read 0).
fn parse_offset(o: &mut KcatOptions, v: &str) -> Result<(), ArgError> {
    let ts = |s: &str| {
        s.parse::<i64>()
            .map_err(|_| fatal(format!("-o {v}: expected a timestamp in milliseconds")))
    };
    if let Some(rest) = v.strip_prefix("s@") {
        // kcat treats 0 as "not set".
        o.start_ts = Some(ts(rest)?).filter(|&t| t != 0);
        return Ok(());
    }
    if let Some(rest) = v.strip_prefix("e@") {
        o.end_ts = Some(ts(rest)?).filter(|&t| t != 0);
        return Ok(());
    }
    o.offset = Some(match v {
        "beginning" | "earliest" => StartOffset::Beginning,
        "end" | "latest" => StartOffset::End,
        "stored" => StartOffset::Stored,
        _ => match v.parse::<i64>() {
            Ok(n) if n < 0 => StartOffset::Tail(-n),
            Ok(n) => StartOffset::Absolute(n),
            Err(_) => {
                return Err(fatal(format!(
                    "-o {v}: expected beginning, end, stored, earliest, latest, an offset N, -N (last N), s@<ms> or e@<ms>"
                )))
            }
        },
    });
    Ok(())
}

/// `-Q -t topic:partition:timestamp`; numbers as C's strtol with base 0 (hex allowed).
fn parse_query(t: &str) -> Result<QueryTarget, ArgError> {
    let bad = || fatal("-t: expected \"topic:partition:offset_or_timestamp\"");
    let mut parts = t.rsplitn(3, ':');
    let ts = parts.next().ok_or_else(bad)?;
    let partition = parts.next().ok_or_else(bad)?;
    let topic = parts.next().ok_or_else(bad)?;
    if topic.is_empty() {
        return Err(bad());
    }
    Ok(QueryTarget {
        topic: topic.to_string(),
        partition: c_number(partition).ok_or_else(bad)? as i32,
        timestamp: c_number(ts).ok_or_else(bad)?,
    })
}

fn c_number(s: &str) -> Option<i64> {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, s),
    };
    let n = if let Some(hex) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        i64::from_str_radix(hex, 16).ok()?
    } else if digits.len() > 1 && digits.starts_with('0') {
        i64::from_str_radix(&digits[1..], 8).ok()?
    } else {
        digits.parse().ok()?
    };
    Some(if neg { -n } else { n })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> KcatOptions {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        match parse(&args) {
            Ok(Parsed::Run(o)) => *o,
            _ => panic!("expected a run"),
        }
    }

    #[test]
    fn combined_and_attached_flags() {
        let o = run(&[
            "-b",
            "h",
            "-CeJ",
            "-tfoo",
            "-o-10",
            "-K#",
            "-Xclient.id=x",
            "-p",
            "-1",
        ]);
        assert_eq!(o.mode, Mode::Consume);
        assert!(o.exit_eof && o.json);
        assert_eq!(o.topic.as_deref(), Some("foo"));
        assert_eq!(o.offset, Some(StartOffset::Tail(10)));
        assert_eq!(o.key_delim.as_deref(), Some(&b"#"[..]));
        assert_eq!(o.config.get("client.id"), Some("x"));
        assert_eq!(o.partition, -1);
    }

    #[test]
    fn last_mode_wins_and_positional_topics_for_group() {
        let o = run(&["-b", "h", "-L", "-P", "-C", "-t", "x"]);
        assert_eq!(o.mode, Mode::Consume);
        let o = run(&["-b", "h", "-G", "grp", "t1", "^re.*", "-e"]);
        assert_eq!(o.mode, Mode::Group("grp".into()));
        assert_eq!(o.positional, vec!["t1", "^re.*"]);
        assert!(o.exit_eof);
    }

    #[test]
    fn query_targets_in_any_order() {
        let o = run(&["-b", "h", "-t", "foo:0x1:1000", "-Q"]);
        assert_eq!(
            o.queries,
            vec![QueryTarget {
                topic: "foo".into(),
                partition: 1,
                timestamp: 1000
            }]
        );
    }

    #[test]
    fn offsets_and_timestamps() {
        let o = run(&["-b", "h", "-C", "-t", "x", "-o", "s@100", "-o", "e@0"]);
        assert_eq!(o.start_ts, Some(100));
        assert_eq!(o.end_ts, None);
        assert_eq!(
            run(&["-b", "h", "-C", "-t", "x", "-o", "earliest"]).offset,
            Some(StartOffset::Beginning)
        );
        let args: Vec<String> = ["-b", "h", "-C", "-t", "x", "-o", "oldest"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert!(matches!(parse(&args), Err(ArgError::Fatal(_))));
    }

    #[test]
    fn headers() {
        assert_eq!(
            parse_header("a=b").unwrap(),
            (b"a".to_vec(), Some(b"b".to_vec()))
        );
        assert_eq!(parse_header("a").unwrap(), (b"a".to_vec(), None));
        assert_eq!(parse_header("a=").unwrap(), (b"a".to_vec(), Some(vec![])));
        assert!(parse_header("=x").is_err());
    }

    #[test]
    fn usage_errors() {
        let p = |a: &[&str]| parse(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert!(
            matches!(p(&["-b", "h", "-Y"]), Err(ArgError::Usage(m)) if m == "unknown argument")
        );
        assert!(matches!(p(&["-b", "h", "-t"]), Err(ArgError::Usage(_))));
        assert!(
            matches!(p(&["-b", "h", "-C", "-t", "a", "extra"]), Err(ArgError::Usage(m)) if m.starts_with("file/topic list"))
        );
        assert!(
            matches!(p(&["-b", "h", "-Q"]), Err(ArgError::Usage(m)) if m.starts_with("-t <topic>:"))
        );
    }
}
