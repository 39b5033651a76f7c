//! `kct inspect`: Connect's internal topics read straight from Kafka. `offsets`, `configs` and
//! `status` show what a worker would load (or every record with `--history`) and the anomalies
//! found; `reset-offsets` and `patch-offsets` are the offsets topic path. The logic lives in
//! `kct::internal::{inspect, offset_reset}`; this file parses flags and renders.

use std::cell::Cell;
use std::io::IsTerminal;

use clap::{Arg, ArgAction, ArgMatches, Command};
use indicatif::{ProgressBar, ProgressStyle};
use kct::config::context::Target;
use kct::connect::types::ConnectorOffsets;
use kct::internal::inspect::{
    history_record, offsets_listing, record_connector, status_view, Anomaly, ConfigsReader,
    HistoryRecord, LatestLog, LogRecord, OffsetRow, TopicIo, Which,
};
use kct::internal::offset_reset::{self, ModifyError, ModifyOptions, ModifyReport, Topics};
use kct::kafka::topic_read::KafkaTopics;
use serde_json::{json, Value};

use crate::output::{self, finish, write_stdout, CliError, Format, Output, Table};
use crate::target;

/// Topics with at least this many records get a progress bar (on a terminal).
const PROGRESS_MIN: u64 = 50_000;
/// Longest value shown in a table cell; JSON and YAML show everything.
const CELL_MAX: usize = 100;

pub fn command() -> Command {
    let topic_args = [
        ("offsets-topic", "offset.storage.topic"),
        ("configs-topic", "config.storage.topic"),
        ("status-topic", "status.storage.topic"),
    ]
    .map(|(name, prop)| {
        Arg::new(name)
            .long(name)
            .value_name("TOPIC")
            .global(true)
            .help(format!(
                "The cluster's {prop}, instead of the context's (default connect-{})",
                name.trim_end_matches("-topic")
            ))
    });
    let connector = || {
        Arg::new("connector")
            .long("connector")
            .value_name("NAME")
            .help("Only this connector's records")
    };
    let history = || {
        Arg::new("history")
            .long("history")
            .action(ArgAction::SetTrue)
            .help("Every record with its partition, offset and timestamp, not only the latest per key")
    };
    let view = |name: &'static str, about: &'static str| {
        Command::new(name)
            .about(about)
            .arg(connector())
            .arg(history())
            .args(output::args())
    };
    let write_flags = || {
        [
            Arg::new("dry-run")
                .long("dry-run")
                .action(ArgAction::SetTrue)
                .help("Show the records that would be written (key bytes, partition, value); write nothing"),
            Arg::new("force")
                .long("force")
                .action(ArgAction::SetTrue)
                .help("Write even though the status topic says the connector is running"),
        ]
    };
    let name_arg = || {
        Arg::new("name")
            .required(true)
            .value_name("CONNECTOR")
            .help("The source connector")
    };
    Command::new("inspect")
        .about("Read Connect's internal topics from Kafka: latest view, history, anomalies; reset or patch source offsets through the offsets topic")
        .subcommand_required(true)
        .args(target::args())
        .args(topic_args)
        .subcommand(view(
            "offsets",
            "Source offsets (connect-offsets): the latest per key a worker would load, orphans, duplicate keys, misplaced tombstones",
        ))
        .subcommand(view(
            "configs",
            "Connector and task configs, target states, commits (connect-configs); task configs without a commit",
        ))
        .subcommand(view(
            "status",
            "Connector and task statuses with traces and generations, active topics (connect-status)",
        ))
        .subcommand(
            Command::new("reset-offsets")
                .about("Delete a source connector's offsets by writing tombstones to the offsets topic (stop the connector first)")
                .arg(name_arg())
                .args(write_flags())
                .args(output::args()),
        )
        .subcommand(
            Command::new("patch-offsets")
                .about("Alter a source connector's offsets by writing to the offsets topic; FILE is a KIP-875 body {\"offsets\":[{\"partition\":{…},\"offset\":{…}|null}]}")
                .arg(name_arg())
                .arg(
                    Arg::new("file")
                        .short('f')
                        .long("file")
                        .required(true)
                        .value_name("FILE")
                        .help("The offsets body (- for stdin)"),
                )
                .args(write_flags())
                .args(output::args()),
        )
}

pub fn run(m: &ArgMatches) -> i32 {
    let Some((name, sub)) = m.subcommand() else {
        return finish("inspect", Err(CliError::usage("a subcommand is required")));
    };
    let result = match name {
        "offsets" => run_offsets(sub),
        "configs" => run_configs(sub),
        "status" => run_status(sub),
        "reset-offsets" | "patch-offsets" => run_modify(name, sub),
        other => Err(CliError::usage(format!("unknown subcommand {other}"))),
    };
    finish(&format!("inspect {name}"), result)
}

/// The cluster and its internal topic names.
fn cluster(m: &ArgMatches) -> Result<(KafkaTopics, Target), CliError> {
    let mut target = target::resolve(m)?;
    for (flag, slot) in [
        ("offsets-topic", &mut target.topics.offsets),
        ("configs-topic", &mut target.topics.configs),
        ("status-topic", &mut target.topics.status),
    ] {
        if let Some(t) = m.get_one::<String>(flag) {
            if t.is_empty() {
                return Err(CliError::usage(format!("--{flag} needs a topic name")));
            }
            *slot = t.clone();
        }
    }
    let config = target.kafka_config().map_err(CliError::usage)?;
    Ok((KafkaTopics::new(config, &target.bootstrap), target))
}

/// Reads `topic` with a progress bar on stderr when it is a terminal and the topic is big.
fn read(
    io: &KafkaTopics,
    topic: &str,
    visit: &mut dyn FnMut(&LogRecord<'_>),
) -> Result<kct::internal::inspect::ReadStats, CliError> {
    read_expecting(io, topic, &Cell::new(0), visit)
}

/// [`read`], telling `expected` how many records the topic holds before the first one.
fn read_expecting(
    io: &KafkaTopics,
    topic: &str,
    expected: &Cell<u64>,
    visit: &mut dyn FnMut(&LogRecord<'_>),
) -> Result<kct::internal::inspect::ReadStats, CliError> {
    let terminal = std::io::stderr().is_terminal();
    let mut bar: Option<ProgressBar> = None;
    let mut progress = |done: u64, total: u64| {
        if done == 0 {
            expected.set(total);
        }
        if !terminal || total < PROGRESS_MIN {
            return;
        }
        let b = bar.get_or_insert_with(|| {
            let b = ProgressBar::new(total);
            if let Ok(style) = ProgressStyle::with_template(
                "{msg} [{bar:30}] {human_pos}/{human_len} records ({per_sec}, {eta})",
            ) {
                b.set_style(style.progress_chars("=> "));
            }
            b.set_message(format!("reading {topic}"));
            b
        });
        b.set_length(total);
        b.set_position(done);
    };
    let stats = io.read(topic, &mut progress, visit);
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok(stats?)
}

fn filter(m: &ArgMatches) -> Option<&str> {
    m.get_one::<String>("connector").map(String::as_str)
}

/// Reads a whole topic for `--history`: every record (of the connector, with a filter) decoded,
/// plus the latest-per-key log the anomalies come from.
fn read_history(
    io: &KafkaTopics,
    topic: &str,
    which: Which,
    filter: Option<&str>,
    mut also: impl FnMut(&LogRecord<'_>),
) -> Result<Vec<HistoryRecord>, CliError> {
    let mut history = Vec::new();
    read(io, topic, &mut |r| {
        also(r);
        if filter.is_none() || r.key.and_then(|k| record_connector(which, k)).as_deref() == filter {
            history.push(history_record(which, r));
        }
    })?;
    history.sort_by_key(|h| (h.partition, h.offset));
    Ok(history)
}

// ---------------------------------------------------------------------------------------------
// offsets

fn run_offsets(m: &ArgMatches) -> Result<(), CliError> {
    let out = Output::from_matches(m)?;
    let (io, target) = cluster(m)?;
    let topic = target.topics.offsets.clone();
    let filter = filter(m);
    let mut log = LatestLog::new();
    // The config topic (for orphans) is read alongside: a second consumer costs little, waiting
    // for it after the offsets topic costs a fixed round of fetches.
    let (history, configs) = std::thread::scope(|scope| {
        let configs = scope.spawn(|| {
            let mut reader = ConfigsReader::new();
            io.read(&target.topics.configs, &mut |_, _| {}, &mut |r| {
                reader.apply(r)
            })
            .map(|_| reader)
        });
        let history = if m.get_flag("history") {
            read_history(&io, &topic, Which::Offsets, filter, |r| log.apply(r)).map(Some)
        } else {
            // Room for every record up front: a big log is not copied as it grows.
            let expected = Cell::new(0);
            read_expecting(&io, &topic, &expected, &mut |r| {
                if expected.get() > 0 {
                    let bytes = r.key.map_or(0, <[u8]>::len) + r.value.map_or(0, <[u8]>::len);
                    log.reserve(expected.replace(0), bytes);
                }
                log.apply(r)
            })
            .map(|_| None)
        };
        let configs = configs
            .join()
            .unwrap_or_else(|_| Err("the config topic reader failed".to_owned()));
        (history, configs)
    });
    let history = history?;
    // Without the config topic the view is still worth showing.
    let configs = match configs {
        Ok(c) => Some(c),
        Err(e) => {
            kct::say!("kct inspect offsets: orphaned offsets not checked: {e}");
            None
        }
    };
    let listing = offsets_listing(&log, configs.as_ref().map(|c| &c.state), filter);
    if let Some(h) = history {
        return emit_history(&out, &topic, &h, &listing.anomalies);
    }
    if m.get_one::<String>("jq").is_some() {
        // jq needs the whole document as one value.
        let json = serde_json::to_value(listing.document(&topic))?;
        return out.emit(&json, Table::default, Vec::new);
    }
    // Millions of keys: printed straight from the listing, never as one value or string.
    match out.format {
        Format::Json => write_streamed(|w| listing.write_json(&topic, w)),
        Format::Yaml => write_streamed(|w| {
            serde_yaml_ng::to_writer(w, &listing.document(&topic))
                .map_err(|e| std::io::Error::other(format!("cannot render YAML: {e}")))
        }),
        Format::Name => write_streamed(|w| {
            let mut last: Option<&str> = None;
            for c in listing.rows().filter_map(|r| r.connector) {
                if last != Some(c) {
                    w.write_all(c.as_bytes())?;
                    w.write_all(b"\n")?;
                    last = Some(c);
                }
            }
            Ok(())
        }),
        Format::Table => {
            let row = |r: OffsetRow<'_>| -> [String; 4] {
                [
                    r.connector.unwrap_or("-").to_owned(),
                    match r.partition {
                        Some(p) => p.into_owned(),
                        None => cell(r.key),
                    },
                    cell(&r.offset),
                    format!("{}@{}", r.kafka_partition, r.kafka_offset),
                ]
            };
            const HEADERS: [&str; 4] = ["CONNECTOR", "PARTITION", "OFFSET", "AT"];
            let anomalies =
                (!listing.anomalies.is_empty()).then(|| anomaly_table(&listing.anomalies));
            write_streamed(|w| {
                if !write_ascii_table(w, &HEADERS, || listing.rows().map(row))? {
                    let mut t = Table::new(&HEADERS);
                    for r in listing.rows() {
                        t.row(row(r).into());
                    }
                    w.write_all(t.render().as_bytes())?;
                }
                if let Some(a) = &anomalies {
                    w.write_all(b"\n")?;
                    w.write_all(a.render().as_bytes())?;
                }
                Ok(())
            })
        }
    }
}

/// Runs `write` on a buffered stdout; a closed pipe ends quietly (as `head` expects).
fn write_streamed(
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), CliError> {
    use std::io::Write;
    /// Tells stdout's own failures from the renderer's.
    struct Sink<W> {
        inner: W,
        failed: Option<std::io::Error>,
    }
    impl<W: Write> Sink<W> {
        fn note<T>(&mut self, r: std::io::Result<T>) -> std::io::Result<T> {
            r.inspect_err(|e| self.failed = Some(std::io::Error::new(e.kind(), e.to_string())))
        }
    }
    impl<W: Write> Write for Sink<W> {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let r = self.inner.write(buf);
            self.note(r)
        }
        fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
            let r = self.inner.write_all(buf);
            self.note(r)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            let r = self.inner.flush();
            self.note(r)
        }
    }
    let mut out = Sink {
        inner: std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock()),
        failed: None,
    };
    let result = write(&mut out).and_then(|()| out.flush());
    match (result, out.failed) {
        (Ok(()), _) => Ok(()),
        (Err(_), Some(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        (Err(_), Some(e)) => Err(CliError::error(format!(
            "cannot write to stdout: {}",
            kct::io_error::io_error_text(&e)
        ))),
        (Err(e), None) => Err(CliError::error(e.to_string())),
    }
}

/// Writes what [`Table::render`] gives for these rows when every cell is printable ASCII
/// (one byte, one column), without holding the rows: widths in a first pass, lines in a
/// second. `false`, and nothing written, when some cell is not.
fn write_ascii_table<const N: usize, I: Iterator<Item = [String; N]>>(
    w: &mut dyn std::io::Write,
    headers: &[&str; N],
    rows: impl Fn() -> I,
) -> std::io::Result<bool> {
    let printable = |s: &str| s.bytes().all(|b| (0x20..0x7f).contains(&b));
    let mut widths = headers.map(str::len);
    if !headers.iter().all(|h| printable(h)) {
        return Ok(false);
    }
    for r in rows() {
        for (w, c) in widths.iter_mut().zip(&r) {
            if !printable(c) {
                return Ok(false);
            }
            *w = (*w).max(c.len());
        }
    }
    let mut line = String::new();
    let put = |line: &mut String, cells: &mut dyn Iterator<Item = &str>| {
        line.clear();
        for (i, (c, width)) in cells.zip(widths).enumerate() {
            if i > 0 {
                line.push(' ');
            }
            line.push_str(c);
            // Each cell is padded to its column's width plus 3 spaces of right padding.
            line.extend(std::iter::repeat_n(' ', width - c.len() + 3));
        }
        line.truncate(line.trim_end().len());
        line.push('\n');
    };
    put(&mut line, &mut headers.iter().copied());
    w.write_all(line.as_bytes())?;
    for r in rows() {
        put(&mut line, &mut r.iter().map(String::as_str));
        w.write_all(line.as_bytes())?;
    }
    Ok(true)
}

// ---------------------------------------------------------------------------------------------
// configs

fn run_configs(m: &ArgMatches) -> Result<(), CliError> {
    let out = Output::from_matches(m)?;
    let (io, target) = cluster(m)?;
    let topic = target.topics.configs.clone();
    let filter = filter(m);
    let mut reader = ConfigsReader::new();
    if m.get_flag("history") {
        let h = read_history(&io, &topic, Which::Configs, filter, |r| reader.apply(r))?;
        return emit_history(&out, &topic, &h, &reader.view(filter).anomalies);
    }
    read(&io, &topic, &mut |r| reader.apply(r))?;
    let view = reader.view(filter);
    let mut json = serde_json::to_value(&view)?;
    if let Value::Object(map) = &mut json {
        map.shift_insert(0, "topic".into(), Value::String(topic));
    }
    emit_view(
        &out,
        &json,
        || {
            let mut t = Table::new(&["CONNECTOR", "TARGET-STATE", "TASKS", "CLASS"]);
            for c in &view.connectors {
                t.row(vec![
                    c.name.clone(),
                    c.target_state.into(),
                    c.tasks_text(),
                    c.class(),
                ]);
            }
            t
        },
        || view.connectors.iter().map(|c| c.name.clone()).collect(),
        &view.anomalies,
    )
}

// ---------------------------------------------------------------------------------------------
// status

fn run_status(m: &ArgMatches) -> Result<(), CliError> {
    let out = Output::from_matches(m)?;
    let (io, target) = cluster(m)?;
    let topic = target.topics.status.clone();
    let filter = filter(m);
    let mut log = LatestLog::new();
    if m.get_flag("history") {
        let h = read_history(&io, &topic, Which::Status, filter, |r| log.apply(r))?;
        return emit_history(&out, &topic, &h, &status_view(&log, filter).anomalies);
    }
    read(&io, &topic, &mut |r| log.apply(r))?;
    let view = status_view(&log, filter);
    let json = json!({"topic": topic, "connectors": view.connectors, "anomalies": view.anomalies});
    emit_view(
        &out,
        &json,
        || {
            let mut t = Table::new(&[
                "CONNECTOR",
                "TASK",
                "STATE",
                "WORKER",
                "GENERATION",
                "TOPICS",
                "TRACE",
            ]);
            let trace = |t: &Option<String>| {
                t.as_deref()
                    .and_then(|t| t.lines().next())
                    .map(cell)
                    .unwrap_or_default()
            };
            for c in &view.connectors {
                let topics: Vec<&str> = c.topics.iter().map(|t| t.name.as_str()).collect();
                match &c.connector {
                    Some(s) => t.row(vec![
                        c.name.clone(),
                        "-".into(),
                        s.state.into(),
                        s.worker_id.clone(),
                        s.generation.to_string(),
                        topics.join(","),
                        trace(&s.trace),
                    ]),
                    None => t.row(vec![
                        c.name.clone(),
                        "-".into(),
                        "-".into(),
                        "-".into(),
                        "-".into(),
                        topics.join(","),
                        String::new(),
                    ]),
                }
                for task in &c.tasks {
                    t.row(vec![
                        c.name.clone(),
                        task.id.to_string(),
                        task.status.state.into(),
                        task.status.worker_id.clone(),
                        task.status.generation.to_string(),
                        String::new(),
                        trace(&task.status.trace),
                    ]);
                }
            }
            t
        },
        || view.connectors.iter().map(|c| c.name.clone()).collect(),
        &view.anomalies,
    )
}

// ---------------------------------------------------------------------------------------------
// rendering

fn compact(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// One line, at most [`CELL_MAX`] characters.
fn cell(s: &str) -> String {
    let one_line: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.chars().count() > CELL_MAX {
        let cut: String = one_line.chars().take(CELL_MAX - 1).collect();
        cut + "…"
    } else {
        one_line
    }
}

fn anomaly_table(anomalies: &[Anomaly]) -> Table {
    let mut t = Table::new(&["ANOMALY", "CONNECTOR", "RECORDS", "DETAIL"]);
    for a in anomalies {
        let kind = serde_json::to_value(a.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let records: Vec<String> = a
            .records
            .iter()
            .map(|r| format!("{}@{}", r.partition, r.offset))
            .collect();
        t.row(vec![
            kind,
            a.connector.clone().unwrap_or_else(|| "-".into()),
            records.join(","),
            a.message.replace(['\n', '\t'], " "),
        ]);
    }
    t
}

/// The view in the chosen form; in table form the anomalies follow in their own table.
fn emit_view(
    out: &Output,
    json: &Value,
    table: impl FnOnce() -> Table,
    names: impl FnOnce() -> Vec<String>,
    anomalies: &[Anomaly],
) -> Result<(), CliError> {
    if out.is_structured() || out.format != Format::Table {
        return out.emit(json, table, names);
    }
    let mut text = table().render();
    if !anomalies.is_empty() {
        text.push('\n');
        text.push_str(&anomaly_table(anomalies).render());
    }
    write_stdout(text.as_bytes())
}

fn emit_history(
    out: &Output,
    topic: &str,
    history: &[HistoryRecord],
    anomalies: &[Anomaly],
) -> Result<(), CliError> {
    let json = json!({"topic": topic, "records": history, "anomalies": anomalies});
    emit_view(
        out,
        &json,
        || {
            let mut t = Table::new(&["PARTITION", "OFFSET", "TIMESTAMP", "KIND", "KEY", "VALUE"]);
            for h in history {
                let value = if h.tombstone {
                    "NULL".to_owned()
                } else {
                    match &h.value {
                        Value::String(s) => cell(s),
                        v => cell(&compact(v)),
                    }
                };
                t.row(vec![
                    h.partition.to_string(),
                    h.offset.to_string(),
                    h.timestamp.map(|t| t.to_string()).unwrap_or_default(),
                    h.kind.into(),
                    h.key.as_deref().map(cell).unwrap_or_else(|| "NULL".into()),
                    value,
                ]);
            }
            t
        },
        || history.iter().filter_map(|h| h.key.clone()).collect(),
        anomalies,
    )
}

// ---------------------------------------------------------------------------------------------
// reset-offsets, patch-offsets

fn read_body(path: &str) -> Result<ConnectorOffsets, CliError> {
    let text = if path == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|e| CliError::error(format!("cannot read stdin: {e}")))?;
        s
    } else {
        std::fs::read_to_string(path).map_err(|e| {
            CliError::error(format!(
                "cannot read {path}: {}",
                kct::io_error::io_error_text(&e)
            ))
        })?
    };
    serde_json::from_str(&text).map_err(|e| {
        CliError::error(format!(
            "{path} is not a KIP-875 offsets body ({{\"offsets\":[{{\"partition\":{{…}},\"offset\":{{…}}|null}}]}}): {e}"
        ))
    })
}

fn run_modify(action: &str, m: &ArgMatches) -> Result<(), CliError> {
    let out = Output::from_matches(m)?;
    let name = m
        .get_one::<String>("name")
        .cloned()
        .ok_or_else(|| CliError::usage("a connector name is required"))?;
    let opts = ModifyOptions {
        dry_run: m.get_flag("dry-run"),
        force: m.get_flag("force"),
    };
    let body = if action == "patch-offsets" {
        let file = m
            .get_one::<String>("file")
            .ok_or_else(|| CliError::usage("-f FILE is required"))?;
        Some(read_body(file)?)
    } else {
        None
    };
    let (io, target) = cluster(m)?;
    let topics = Topics {
        offsets: &target.topics.offsets,
        status: &target.topics.status,
    };
    let io: &dyn TopicIo = &io;
    let report = match &body {
        Some(body) => offset_reset::patch_offsets(io, topics, &name, body, opts),
        None => offset_reset::reset_offsets(io, topics, &name, opts),
    }
    .map_err(|e| match e {
        ModifyError::BadRequest(msg) => CliError::error(format!("invalid offsets: {msg}")),
        other => CliError::error(other.to_string()),
    })?;
    let json = serde_json::to_value(&report)?;
    if !out.is_structured() {
        kct::say!("{}", summary(&report));
    }
    out.emit(
        &json,
        || {
            let mut t = Table::new(&["PARTITION", "KEY", "VALUE", "PREVIOUS"]);
            for r in &report.records {
                t.row(vec![
                    r.partition.to_string(),
                    cell(&r.key),
                    r.value
                        .as_deref()
                        .map(cell)
                        .unwrap_or_else(|| "NULL".into()),
                    cell(&compact(&r.previous)),
                ]);
            }
            t
        },
        || report.records.iter().map(|r| r.key.clone()).collect(),
    )
}

fn summary(r: &ModifyReport) -> String {
    let forced = if r.forced_past.is_empty() {
        String::new()
    } else {
        format!(" (forced past: {})", r.forced_past.join(", "))
    };
    if r.dry_run {
        format!(
            "dry run: would write {} record(s) to {} for {}; nothing written",
            r.records.len(),
            r.topic,
            r.connector
        )
    } else if r.records.is_empty() {
        format!(
            "{} has no offsets in {}; nothing written",
            r.connector, r.topic
        )
    } else {
        format!(
            "wrote {} record(s) to {} for {} and read them back{forced}",
            r.records.len(),
            r.topic,
            r.connector
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_tables_match_tabled() {
        let cells = [
            "",
            "a",
            "conn-0",
            "{\"file\":\"f-0\"}",
            "x y  ",
            " lead",
            "12@345",
            "-",
        ];
        let headers = ["CONNECTOR", "PARTITION", "OFFSET", "AT"];
        for n in [0usize, 1, 2, 7, 40] {
            let rows: Vec<[String; 4]> = (0..n)
                .map(|i| {
                    std::array::from_fn(|c| {
                        cells[(i * 3 + c * 5 + i / 3) % cells.len()].repeat(1 + (i + c) % 3)
                    })
                })
                .collect();
            let mut t = Table::new(&headers);
            for r in &rows {
                t.row(r.to_vec());
            }
            let mut out = Vec::new();
            assert!(write_ascii_table(&mut out, &headers, || rows.iter().cloned()).unwrap());
            assert_eq!(String::from_utf8(out).unwrap(), t.render(), "{n} rows");
        }
        let odd = [["é".to_owned(), String::new(), String::new(), String::new()]];
        let mut out = Vec::new();
        assert!(!write_ascii_table(&mut out, &headers, || odd.iter().cloned()).unwrap());
        assert!(out.is_empty());
    }
}
