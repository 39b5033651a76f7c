//! SpoolDir source connectors, compatible with jcustenborder's kafka-connect-spooldir
//! (`SpoolDirCsvSourceConnector`, `SpoolDirJsonSourceConnector`,
//! `SpoolDirLineDelimitedSourceConnector`): files dropped into `input.path` are claimed with a
//! processing marker, read into records (CSV with a typed or generated schema, JSON lines, plain
//! lines), then moved to `finished.path` (or deleted, or kept) — or to `error.path` with a note
//! of what was wrong. Owns the CSV parser, the JSON form of `key.schema`/`value.schema`, and the
//! `SimpleDateFormat` subset the date settings use.
//!
//! Restart safety: a record's offset is `{"offset": <line>}` under `{"fileName": <name>}`; a
//! file keeps its marker (naming this connector) until its offsets had time to be committed, so
//! a restarted task reclaims its own marked files and skips every line already committed.

use crate::worker::data::calendar::{days_from_civil, days_in_month};
use std::collections::{HashMap, HashSet, VecDeque};
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use regex::Regex;
use serde_json::{json, Value as Json};

use super::{Factory, OffsetReader, PluginDesc, SourceConnector, SourceTask};
use crate::connect::types::{ConfigMap, JsonMap};
use crate::worker::configdef::{
    self, ConfigDef, ConfigType, Default, Importance, Key, Validator, Width,
};
use crate::worker::data::{
    ConnectRecord, Decimal, Header, LogicalType, Schema, SchemaRef, SourceOffset, Struct, Type,
    Value,
};

pub const CSV: PluginDesc = PluginDesc {
    class: "com.github.jcustenborder.kafka.connect.spooldir.SpoolDirCsvSourceConnector",
    task_class: "com.github.jcustenborder.kafka.connect.spooldir.SpoolDirCsvSourceTask",
    config_def: csv_def,
    factory: Factory::Source {
        connector: || Box::new(SpoolDirConnector::new(Format::Csv)),
        task: || Box::new(SpoolDirTask::new(Format::Csv)),
    },
};

pub const JSON: PluginDesc = PluginDesc {
    class: "com.github.jcustenborder.kafka.connect.spooldir.SpoolDirJsonSourceConnector",
    task_class: "com.github.jcustenborder.kafka.connect.spooldir.SpoolDirJsonSourceTask",
    config_def: json_def,
    factory: Factory::Source {
        connector: || Box::new(SpoolDirConnector::new(Format::Json)),
        task: || Box::new(SpoolDirTask::new(Format::Json)),
    },
};

pub const LINE: PluginDesc = PluginDesc {
    class: "com.github.jcustenborder.kafka.connect.spooldir.SpoolDirLineDelimitedSourceConnector",
    task_class: "com.github.jcustenborder.kafka.connect.spooldir.SpoolDirLineDelimitedSourceTask",
    config_def: line_def,
    factory: Factory::Source {
        connector: || Box::new(SpoolDirConnector::new(Format::Line)),
        task: || Box::new(SpoolDirTask::new(Format::Line)),
    },
};

/// How long an idle poll waits at most, so the task loop notices pause and stop.
const IDLE_WAIT: Duration = Duration::from_millis(200);

const MILLIS_PER_DAY: i64 = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

const GENERAL: &str = "General";
const FILE_SYSTEM: &str = "File System";
const TIMESTAMPS: &str = "Timestamps";
const SCHEMA: &str = "Schema";
const SCHEMA_GENERATION: &str = "Schema Generation";
const CSV_GROUP: &str = "csv";

type KeySpec = (&'static str, Key, Validator);

const COMMON_KEYS: [KeySpec; 15] = [
    (GENERAL, Key::new("topic", ConfigType::String, Default::Required, Importance::High,
        "The Kafka topic to write the data to."), Validator::NonEmptyString),
    (GENERAL, Key::new("batch.size", ConfigType::Int, Default::Value("1000"), Importance::Low,
        "The number of records that should be returned with each batch."), Validator::AtLeast(1)),
    (GENERAL, Key::new("empty.poll.wait.ms", ConfigType::Long, Default::Value("500"), Importance::Low,
        "The amount of time to wait before looking for new files when the directory had none."),
        Validator::AtLeast(1)),
    (GENERAL, Key::new("task.index", ConfigType::Int, Default::Value("0"), Importance::Low,
        "Internal setting: which share of the files this task reads. The connector sets it."),
        Validator::AtLeast(0)),
    (GENERAL, Key::new("task.count", ConfigType::Int, Default::Value("1"), Importance::Low,
        "Internal setting: how many tasks share the files. The connector sets it."),
        Validator::AtLeast(1)),
    (FILE_SYSTEM, Key::new("input.path", ConfigType::String, Default::Required, Importance::High,
        "The directory to read files from. It must exist and be writable."),
        Validator::NonEmptyString),
    (FILE_SYSTEM, Key::new("finished.path", ConfigType::String, Default::Value(""), Importance::High,
        "The directory to move files to once processed; required with cleanup.policy=MOVE. It must exist and be writable."),
        Validator::Any),
    (FILE_SYSTEM, Key::new("error.path", ConfigType::String, Default::Required, Importance::High,
        "The directory to move files with errors to, each with a '<file>.error.txt' note of the reason. It must exist and be writable."),
        Validator::NonEmptyString),
    (FILE_SYSTEM, Key::new("input.file.pattern", ConfigType::String, Default::Required, Importance::High,
        "Regular expression the entire file name must match (Java's Matcher.matches())."),
        Validator::NonEmptyString),
    (FILE_SYSTEM, Key::new("halt.on.error", ConfigType::Boolean, Default::Value("true"), Importance::High,
        "Whether the task fails on a bad file (after moving it to error.path) or continues with the next file."),
        Validator::Any),
    (FILE_SYSTEM, Key::new("file.minimum.age.ms", ConfigType::Long, Default::Value("0"), Importance::Low,
        "How long after its last modification a file may be processed."), Validator::AtLeast(0)),
    (FILE_SYSTEM, Key::new("processing.file.extension", ConfigType::String, Default::Value(".PROCESSING"), Importance::Low,
        "Suffix of the marker file created next to a file while it is processed."),
        Validator::NonEmptyString),
    (FILE_SYSTEM, Key::new("cleanup.policy", ConfigType::String, Default::Value("MOVE"), Importance::Medium,
        "What to do with a processed file: MOVE it to finished.path, DELETE it, or leave it (NONE; it is not read again while the task runs, and offsets keep a restart from re-emitting it)."),
        Validator::OneOf(&["NONE", "DELETE", "MOVE"])),
    (FILE_SYSTEM, Key::new("file.buffer.size.bytes", ConfigType::Int, Default::Value("131072"), Importance::Low,
        "The size of the read buffer."), Validator::AtLeast(1)),
    (TIMESTAMPS, Key::new("timestamp.mode", ConfigType::String, Default::Value("PROCESS_TIME"), Importance::Medium,
        "The record timestamp: FIELD reads timestamp.field (a required Timestamp field of value.schema), FILE_TIME uses the file's last modification, PROCESS_TIME leaves it to the producer."),
        Validator::OneOf(&["FIELD", "FILE_TIME", "PROCESS_TIME"])),
];

const SCHEMA_KEYS: [KeySpec; 9] = [
    (SCHEMA, Key::new("key.schema", ConfigType::String, Default::Value(""), Importance::High,
        "The schema of the record key, in the JSON form {\"name\":…,\"type\":\"STRUCT\",\"isOptional\":false,\"fieldSchemas\":{…}}. Key fields are read from the columns (CSV) or object fields (JSON) of the same name. Empty: no key."),
        Validator::Any),
    (SCHEMA, Key::new("value.schema", ConfigType::String, Default::Value(""), Importance::High,
        "The schema of the record value, in the same JSON form. CSV needs it unless schema.generation.enabled=true; JSON without it produces schemaless maps."),
        Validator::Any),
    (SCHEMA_GENERATION, Key::new("schema.generation.enabled", ConfigType::Boolean, Default::Value("false"), Importance::Medium,
        "CSV: without value.schema, make each file's schema from its header (or column01, column02, …): optional string fields."),
        Validator::Any),
    (SCHEMA_GENERATION, Key::new("schema.generation.key.fields", ConfigType::List, Default::Value(""), Importance::Medium,
        "CSV: the columns of the generated key schema."), Validator::Any),
    (SCHEMA_GENERATION, Key::new("schema.generation.key.name", ConfigType::String,
        Default::Value("com.github.jcustenborder.kafka.connect.model.Key"), Importance::Medium,
        "The name of the generated key schema."), Validator::Any),
    (SCHEMA_GENERATION, Key::new("schema.generation.value.name", ConfigType::String,
        Default::Value("com.github.jcustenborder.kafka.connect.model.Value"), Importance::Medium,
        "The name of the generated value schema."), Validator::Any),
    (TIMESTAMPS, Key::new("timestamp.field", ConfigType::String, Default::Value(""), Importance::Medium,
        "The value field holding the record timestamp when timestamp.mode=FIELD."), Validator::Any),
    (TIMESTAMPS, Key::new("parser.timestamp.timezone", ConfigType::String, Default::Value("UTC"), Importance::Low,
        "The time zone of dates without one: UTC, GMT or a fixed offset such as +02:00."), Validator::Any),
    (TIMESTAMPS, Key::new("parser.timestamp.date.formats", ConfigType::List,
        Default::Value("yyyy-MM-dd'T'HH:mm:ss,yyyy-MM-dd' 'HH:mm:ss"), Importance::Low,
        "SimpleDateFormat patterns tried in order for Date, Time and Timestamp fields (ISO forms are tried last)."),
        Validator::Any),
];

const CSV_KEYS: [KeySpec; 7] = [
    (CSV_GROUP, Key::new("csv.skip.lines", ConfigType::Int, Default::Value("0"), Importance::Low,
        "Number of lines to skip at the beginning of the file."), Validator::AtLeast(0)),
    (CSV_GROUP, Key::new("csv.separator.char", ConfigType::String, Default::Value("44"), Importance::Low,
        "The field separator: a character code (44 is ',') or the character itself; \\t for tab."),
        Validator::NonEmptyString),
    (CSV_GROUP, Key::new("csv.quote.char", ConfigType::String, Default::Value("34"), Importance::Low,
        "The quote character, as a code or the character; 0 disables quoting."), Validator::NonEmptyString),
    (CSV_GROUP, Key::new("csv.escape.char", ConfigType::String, Default::Value("92"), Importance::Low,
        "The escape character before a quote or escape character, as a code or the character; 0 disables it."),
        Validator::NonEmptyString),
    (CSV_GROUP, Key::new("csv.null.field.indicator", ConfigType::String, Default::Value("NEITHER"), Importance::Low,
        "Which empty fields are null: EMPTY_SEPARATORS (,,), EMPTY_QUOTES (,\"\",), BOTH or NEITHER."),
        Validator::OneOf(&["NEITHER", "EMPTY_SEPARATORS", "EMPTY_QUOTES", "BOTH"])),
    (CSV_GROUP, Key::new("csv.first.row.as.header", ConfigType::Boolean, Default::Value("false"), Importance::Medium,
        "Whether the first row names the columns; otherwise columns follow the value schema's field order."),
        Validator::Any),
    (CSV_GROUP, Key::new("csv.case.sensitive.field.names", ConfigType::Boolean, Default::Value("false"), Importance::Low,
        "Whether header names must match schema field names in case."), Validator::Any),
];

fn define_all<const N: usize>(mut def: ConfigDef, keys: [KeySpec; N]) -> ConfigDef {
    for (group, key, validator) in keys {
        let name = key.name;
        def = def.define(key, validator, Some(group), Width::None, name);
    }
    def
}

fn line_def() -> ConfigDef {
    define_all(ConfigDef::new(), COMMON_KEYS)
}

fn json_def() -> ConfigDef {
    define_all(line_def(), SCHEMA_KEYS)
}

fn csv_def() -> ConfigDef {
    define_all(json_def(), CSV_KEYS)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Json,
    Line,
}

impl Format {
    fn def(self) -> ConfigDef {
        match self {
            Format::Csv => csv_def(),
            Format::Json => json_def(),
            Format::Line => line_def(),
        }
    }
}

/// Values of a checked config, with the definition's defaults for keys not given.
struct Props<'a> {
    config: &'a ConfigMap,
    def: &'a ConfigDef,
}

impl<'a> Props<'a> {
    fn text(&self, key: &str) -> &'a str {
        if let Some(v) = self.config.get(key) {
            return v;
        }
        match self.def.key(key).map(|k| &k.default) {
            Some(Default::Value(v)) => v,
            _ => "",
        }
    }

    fn number<T: std::str::FromStr>(&self, key: &str) -> Result<T, String> {
        let text = self.text(key).trim();
        text.parse()
            .map_err(|_| format!("Invalid value {text} for configuration {key}"))
    }

    fn flag(&self, key: &str) -> bool {
        self.text(key).trim().eq_ignore_ascii_case("true")
    }

    fn upper(&self, key: &str) -> String {
        self.text(key).trim().to_ascii_uppercase()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cleanup {
    Move,
    Delete,
    Keep,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TimestampMode {
    ProcessTime,
    FileTime,
    /// The index of the value field holding the timestamp.
    Field(usize),
}

/// Everything a task needs, parsed and checked once.
struct Settings {
    topic: String,
    batch_size: usize,
    empty_poll_wait: Duration,
    input: PathBuf,
    finished: Option<PathBuf>,
    error: PathBuf,
    pattern: Regex,
    halt_on_error: bool,
    min_age: Duration,
    marker_ext: String,
    cleanup: Cleanup,
    buffer_size: usize,
    task_index: i64,
    task_count: i64,
    timestamp: TimestampMode,
    /// Written into processing markers: a restarted task reclaims only its connector's files.
    owner: String,
    parsing: Parsing,
}

enum Parsing {
    Csv(Arc<CsvSpec>),
    Json(Arc<JsonSpec>),
    Line,
}

impl Settings {
    fn parse(format: Format, config: &ConfigMap) -> Result<Settings, String> {
        let def = format.def();
        def.check(config)?;
        let p = Props { config, def: &def };
        let cleanup = match p.upper("cleanup.policy").as_str() {
            "NONE" => Cleanup::Keep,
            "DELETE" => Cleanup::Delete,
            _ => Cleanup::Move,
        };
        let input = PathBuf::from(p.text("input.path"));
        let error = PathBuf::from(p.text("error.path"));
        writable_dir("input.path", &input)?;
        writable_dir("error.path", &error)?;
        distinct_dirs(&input, "error.path", &error)?;
        let finished = match cleanup {
            Cleanup::Move => Some(finished_dir(&p, &input)?),
            _ => None,
        };
        let parsing = match format {
            Format::Csv => Parsing::Csv(Arc::new(CsvSpec::parse(&p)?)),
            Format::Json => Parsing::Json(Arc::new(JsonSpec::parse(&p)?)),
            Format::Line => Parsing::Line,
        };
        Ok(Settings {
            topic: p.text("topic").to_string(),
            batch_size: p.number("batch.size")?,
            empty_poll_wait: Duration::from_millis(p.number("empty.poll.wait.ms")?),
            pattern: file_pattern(p.text("input.file.pattern"))?,
            halt_on_error: p.flag("halt.on.error"),
            min_age: Duration::from_millis(p.number("file.minimum.age.ms")?),
            marker_ext: p.text("processing.file.extension").to_string(),
            buffer_size: p.number("file.buffer.size.bytes")?,
            task_index: p.number("task.index")?,
            task_count: p.number("task.count")?,
            timestamp: timestamp_mode(&p, &parsing)?,
            owner: format!("kct:{}", config.get("name").map_or("", String::as_str)),
            input,
            finished,
            error,
            cleanup,
            parsing,
        })
    }

    fn marker(&self, name: &str) -> PathBuf {
        self.input.join(format!("{name}{}", self.marker_ext))
    }

    /// A file this task may read: matches the pattern, is not a marker, and falls in this
    /// task's share (Java's `String.hashCode` of the name, as the original's ByName partitioner).
    fn wants(&self, name: &str) -> bool {
        self.pattern.is_match(name)
            && !name.ends_with(&self.marker_ext)
            && (self.task_count <= 1
                || i64::from(java_hash(name)).abs() % self.task_count == self.task_index)
    }
}

fn finished_dir(p: &Props<'_>, input: &Path) -> Result<PathBuf, String> {
    let text = p.text("finished.path");
    if text.trim().is_empty() {
        return Err("finished.path must be set when cleanup.policy is MOVE".into());
    }
    let dir = PathBuf::from(text);
    writable_dir("finished.path", &dir)?;
    distinct_dirs(input, "finished.path", &dir)?;
    Ok(dir)
}

/// Moving files into the directory they are read from would read them again.
fn distinct_dirs(input: &Path, key: &str, dir: &Path) -> Result<(), String> {
    match (input.canonicalize(), dir.canonicalize()) {
        (Ok(a), Ok(b)) if a == b => Err(format!("{key} must not be input.path")),
        _ => Ok(()),
    }
}

fn file_pattern(text: &str) -> Result<Regex, String> {
    Regex::new(&format!("^(?:{text})$")).map_err(|e| {
        let why = e.to_string();
        let last = why
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        format!(
            "Invalid value {text} for configuration input.file.pattern: {}",
            last.trim()
        )
    })
}

fn timestamp_mode(p: &Props<'_>, parsing: &Parsing) -> Result<TimestampMode, String> {
    match p.upper("timestamp.mode").as_str() {
        "FILE_TIME" => Ok(TimestampMode::FileTime),
        "FIELD" => {
            let field = p.text("timestamp.field").trim();
            if field.is_empty() {
                return Err("When `timestamp.mode` is set to `FIELD`, `timestamp.field` must be set to a timestamp field. Cannot be null or empty.".into());
            }
            let value = match parsing {
                Parsing::Csv(spec) => spec.schemas.value.as_ref(),
                Parsing::Json(spec) => spec.value.as_ref(),
                Parsing::Line => None,
            };
            value
                .and_then(|s| s.field(field))
                .filter(|f| {
                    !f.schema.optional && f.schema.logical_type() == Some(LogicalType::Timestamp)
                })
                .map(|f| TimestampMode::Field(f.index))
                .ok_or_else(|| format!("Field '{field}' must be present in value.schema, be a Timestamp and not be optional (timestamp.mode=FIELD)"))
        }
        _ => Ok(TimestampMode::ProcessTime),
    }
}

/// Distinct probe names, so tasks checking the same directory at once do not collide.
static PROBES: AtomicU64 = AtomicU64::new(0);

/// The original checks its directories by creating a file in them; so does this.
fn writable_dir(key: &str, dir: &Path) -> Result<(), String> {
    if !dir.is_dir() {
        return Err(format!(
            "Directory for '{key}' '{}' does not exist",
            dir.display()
        ));
    }
    let probe = dir.join(format!(
        ".kct-permission-{}-{}.testing",
        std::process::id(),
        PROBES.fetch_add(1, Ordering::Relaxed)
    ));
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .map_err(|e| {
            format!(
                "Directory for '{key}' '{}' is not writable: {e}",
                dir.display()
            )
        })?;
    let _ = fs::remove_file(&probe);
    Ok(())
}

/// Java's `String.hashCode`, over UTF-16 code units.
fn java_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, u| h.wrapping_mul(31).wrapping_add(i32::from(u)))
}

/// The key and value schemas of CSV and JSON files.
struct Schemas {
    key: Option<SchemaRef>,
    value: Option<SchemaRef>,
    generation: Option<Generation>,
}

struct Generation {
    key_fields: Vec<String>,
    key_name: String,
    value_name: String,
}

impl Schemas {
    fn parse(p: &Props<'_>) -> Result<Schemas, String> {
        let generation = p.flag("schema.generation.enabled").then(|| Generation {
            key_fields: configdef::list(p.text("schema.generation.key.fields")),
            key_name: p.text("schema.generation.key.name").to_string(),
            value_name: p.text("schema.generation.value.name").to_string(),
        });
        Ok(Schemas {
            key: struct_setting(p, "key.schema")?,
            value: struct_setting(p, "value.schema")?,
            generation,
        })
    }
}

fn struct_setting(p: &Props<'_>, key: &str) -> Result<Option<SchemaRef>, String> {
    let text = p.text(key);
    if text.trim().is_empty() {
        return Ok(None);
    }
    let json: Json = serde_json::from_str(text)
        .map_err(|e| format!("Could not read schema from '{key}': {e}"))?;
    let schema = schema_from_json(&json, key)?;
    if schema.kind != Type::Struct {
        return Err(format!("'{key}' must be a STRUCT schema"));
    }
    Ok(Some(Arc::new(schema)))
}

struct CsvSpec {
    parser: CsvParser,
    skip_lines: u64,
    header: bool,
    case_sensitive: bool,
    schemas: Schemas,
    dates: Dates,
}

impl CsvSpec {
    fn parse(p: &Props<'_>) -> Result<CsvSpec, String> {
        let schemas = Schemas::parse(p)?;
        if schemas.value.is_none() && schemas.generation.is_none() {
            return Err(
                "'value.schema' must be set if 'schema.generation.enabled' = false.".into(),
            );
        }
        for (key, schema) in [
            ("key.schema", &schemas.key),
            ("value.schema", &schemas.value),
        ] {
            if let Some(f) = schema
                .iter()
                .flat_map(|s| &s.fields)
                .find(|f| !f.schema.kind.is_primitive())
            {
                return Err(format!(
                    "'{key}': field '{}' is a {}; CSV columns hold only primitive and logical types",
                    f.name, f.schema.kind
                ));
            }
        }
        let quote = char_setting(p, "csv.quote.char")?;
        let escape = char_setting(p, "csv.escape.char")?.filter(|e| Some(*e) != quote);
        let separator =
            char_setting(p, "csv.separator.char")?.ok_or("csv.separator.char must not be 0")?;
        let nulls = p.upper("csv.null.field.indicator");
        Ok(CsvSpec {
            parser: CsvParser {
                separator,
                quote,
                // A doubled quote already stands for a quote; the escape is for other pairs.
                escape,
                null_unquoted_empty: nulls == "EMPTY_SEPARATORS" || nulls == "BOTH",
                null_quoted_empty: nulls == "EMPTY_QUOTES" || nulls == "BOTH",
            },
            skip_lines: p.number("csv.skip.lines")?,
            header: p.flag("csv.first.row.as.header"),
            case_sensitive: p.flag("csv.case.sensitive.field.names"),
            schemas,
            dates: Dates::parse(p)?,
        })
    }
}

/// A CSV character setting: the original takes an int code (44); a single character (`,`) and
/// `\t` are accepted too. Code 0 means none.
fn char_setting(p: &Props<'_>, key: &str) -> Result<Option<char>, String> {
    let text = p.text(key);
    let invalid = || {
        format!("Invalid value {text} for configuration {key}: expected a character code such as 44 or a single character")
    };
    if let Ok(code) = text.trim().parse::<u32>() {
        return match code {
            0 => Ok(None),
            c => char::from_u32(c).map(Some).ok_or_else(invalid),
        };
    }
    if text == "\\t" {
        return Ok(Some('\t'));
    }
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok(Some(c)),
        _ => Err(invalid()),
    }
}

struct JsonSpec {
    key: Option<SchemaRef>,
    value: Option<SchemaRef>,
    dates: Dates,
}

impl JsonSpec {
    fn parse(p: &Props<'_>) -> Result<JsonSpec, String> {
        let schemas = Schemas::parse(p)?;
        Ok(JsonSpec {
            key: schemas.key,
            value: schemas.value,
            dates: Dates::parse(p)?,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Connector and task
// ---------------------------------------------------------------------------------------------

struct SpoolDirConnector {
    format: Format,
    config: ConfigMap,
}

impl SpoolDirConnector {
    fn new(format: Format) -> Self {
        SpoolDirConnector {
            format,
            config: ConfigMap::new(),
        }
    }
}

impl SourceConnector for SpoolDirConnector {
    fn start(&mut self, config: &ConfigMap) -> Result<(), String> {
        Settings::parse(self.format, config)?;
        self.config = config.clone();
        Ok(())
    }

    /// Every task scans the directory and reads the files whose name hashes to its index.
    fn task_configs(&self, max_tasks: usize) -> Vec<ConfigMap> {
        super::numbered_task_configs(&self.config, max_tasks, "task.index")
    }

    fn alter_offsets(
        &self,
        _config: &ConfigMap,
        offsets: &[(JsonMap, Option<JsonMap>)],
    ) -> Result<bool, String> {
        for (partition, offset) in offsets {
            if !partition.get("fileName").is_some_and(Json::is_string) {
                return Err(
                    "Partitions must contain the key 'fileName' with the file's name".into(),
                );
            }
            if let Some(o) = offset {
                if o.get("offset").and_then(Json::as_u64).is_none() {
                    return Err("Offsets must be null or contain the key 'offset' with a non-negative integer (the line number)".into());
                }
            }
        }
        Ok(true)
    }
}

struct SpoolDirTask {
    format: Format,
    run: Option<Run>,
}

impl SpoolDirTask {
    fn new(format: Format) -> Self {
        SpoolDirTask { format, run: None }
    }
}

impl SourceTask for SpoolDirTask {
    fn start(&mut self, config: &ConfigMap, offsets: &dyn OffsetReader) -> Result<(), String> {
        let mut run = Run::new(Settings::parse(self.format, config)?);
        run.recover(offsets)?;
        self.run = Some(run);
        Ok(())
    }

    fn poll(&mut self) -> Result<Vec<ConnectRecord>, String> {
        self.run
            .as_mut()
            .ok_or_else(|| "the SpoolDir task was not started".to_string())?
            .poll()
    }

    fn commit(&mut self, committed: &[(JsonMap, JsonMap)]) {
        if let Some(run) = self.run.as_mut() {
            run.commit(committed);
        }
    }

    /// Files being read or waiting for their offsets keep their markers: the next start
    /// reclaims them and resumes after the committed offset.
    fn stop(&mut self) {
        self.run = None;
    }
}

/// A file found in `input.path`; `reclaimed` when its marker is this connector's from before
/// a restart.
struct Candidate {
    name: String,
    reclaimed: bool,
}

/// A file read to its end whose last offset may not be committed yet.
struct Pending {
    name: String,
    /// The offset of its last record.
    last: u64,
    /// Whether this run handed out any of its records (else there is nothing to wait for).
    emitted: bool,
}

/// A running task's state.
struct Run {
    s: Settings,
    /// Committed offsets of files present at start, by file name.
    resume: HashMap<String, u64>,
    queue: VecDeque<Candidate>,
    current: Option<OpenFile>,
    pending: Vec<Pending>,
    /// With cleanup.policy=NONE files stay; these (name, length, mtime) are not read again.
    kept: HashSet<(String, u64, i64)>,
    next_scan: Instant,
    /// A failure to report on the next poll (after the records read before it were returned).
    failure: Option<String>,
}

impl Run {
    fn new(s: Settings) -> Run {
        Run {
            s,
            resume: HashMap::new(),
            queue: VecDeque::new(),
            current: None,
            pending: Vec::new(),
            kept: HashSet::new(),
            next_scan: Instant::now(),
            failure: None,
        }
    }

    /// Reclaims files marked by this connector before a restart (removing markers whose file
    /// is gone), and looks up the committed offsets of the files that may have been read.
    fn recover(&mut self, offsets: &dyn OffsetReader) -> Result<(), String> {
        let names = list_dir(&self.s.input)?;
        let present: HashSet<&str> = names.iter().map(String::as_str).collect();
        let mut reclaimed = Vec::new();
        let ext = self.s.marker_ext.as_str();
        for (marker, base) in names.iter().filter_map(|n| Some((n, n.strip_suffix(ext)?))) {
            if !self.owns_marker(marker) {
                continue;
            }
            if present.contains(base) && self.s.wants(base) {
                reclaimed.push(base.to_string());
            } else if !present.contains(base) {
                let _ = fs::remove_file(self.s.input.join(marker));
            }
        }
        reclaimed.sort();
        for name in names.iter().filter(|n| self.s.wants(n)) {
            let ours = reclaimed.contains(name);
            if !ours && self.s.cleanup != Cleanup::Keep {
                // Without our marker the file is new: an offset under its name belongs to an
                // earlier file of the same name.
                continue;
            }
            if let Some(offset) = offsets.offset(&partition(name)) {
                self.resume
                    .insert(name.clone(), offset_line(name, &offset)?);
            }
        }
        self.queue = reclaimed
            .into_iter()
            .map(|name| Candidate {
                name,
                reclaimed: true,
            })
            .collect();
        Ok(())
    }

    fn owns_marker(&self, marker: &str) -> bool {
        fs::read_to_string(self.s.input.join(marker)).is_ok_and(|c| c.trim() == self.s.owner)
    }

    fn poll(&mut self) -> Result<Vec<ConnectRecord>, String> {
        if let Some(e) = self.failure.take() {
            return Err(e);
        }
        let deadline = Instant::now() + IDLE_WAIT;
        loop {
            if self.current.is_none() && !self.open_next()? {
                self.idle(deadline);
                return Ok(Vec::new());
            }
            let Some(file) = self.current.as_mut() else {
                continue;
            };
            let (records, outcome) = file.read(&self.s);
            match outcome {
                Outcome::More => {}
                Outcome::End => self.finish_current(),
                Outcome::Bad(reason) => {
                    let name = file.name.clone();
                    self.current = None;
                    if let Err(e) = self.reject(&name, &reason) {
                        if records.is_empty() {
                            return Err(e);
                        }
                        self.failure = Some(e);
                    }
                }
            }
            if !records.is_empty() || Instant::now() >= deadline {
                return Ok(records);
            }
        }
    }

    fn idle(&self, deadline: Instant) {
        let now = Instant::now();
        let until = deadline.min(self.next_scan);
        if until > now {
            std::thread::sleep(until - now);
        }
    }

    /// Claims and opens the next file; `false` when there is none (yet).
    fn open_next(&mut self) -> Result<bool, String> {
        loop {
            if self.queue.is_empty() {
                if Instant::now() < self.next_scan {
                    return Ok(false);
                }
                self.scan()?;
            }
            let Some(candidate) = self.queue.pop_front() else {
                return Ok(false);
            };
            if let Some(file) = self.claim(candidate)? {
                self.current = Some(file);
                return Ok(true);
            }
        }
    }

    /// Queues the files ready to read, by name. Files with a marker are someone's already
    /// (ours while read or awaiting cleanup).
    fn scan(&mut self) -> Result<(), String> {
        self.next_scan = Instant::now() + self.s.empty_poll_wait;
        let now = SystemTime::now();
        let mut ready = Vec::new();
        for name in list_dir(&self.s.input)? {
            if !self.s.wants(&name) || self.s.marker(&name).exists() {
                continue;
            }
            let Ok(meta) = fs::metadata(self.s.input.join(&name)) else {
                continue;
            };
            let modified = meta.modified().unwrap_or(UNIX_EPOCH);
            let age = now.duration_since(modified).unwrap_or(Duration::ZERO);
            if !meta.is_file()
                || age < self.s.min_age
                || self
                    .kept
                    .contains(&(name.clone(), meta.len(), epoch_millis(modified)))
            {
                continue;
            }
            ready.push(name);
        }
        ready.sort();
        self.queue.extend(ready.into_iter().map(|name| Candidate {
            name,
            reclaimed: false,
        }));
        Ok(())
    }

    /// Creates the marker (atomically: another task or worker may race for the file) and opens
    /// the file; `None` when someone else has it or it is gone.
    fn claim(&mut self, c: Candidate) -> Result<Option<OpenFile>, String> {
        let path = self.s.input.join(&c.name);
        let marker = self.s.marker(&c.name);
        if !c.reclaimed {
            match OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&marker)
            {
                Ok(mut f) => f.write_all(self.s.owner.as_bytes()).map_err(|e| {
                    format!(
                        "Cannot write the processing marker {}: {e}",
                        marker.display()
                    )
                })?,
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(None),
                Err(e) => {
                    return Err(format!(
                        "Cannot create the processing marker {}: {e}",
                        marker.display()
                    ))
                }
            }
        }
        if !path.is_file() {
            let _ = fs::remove_file(&marker);
            return Ok(None);
        }
        let resume_after = self.resume.remove(&c.name).unwrap_or(0);
        match OpenFile::open(&self.s, &c.name, path, resume_after) {
            Ok(file) => Ok(Some(file)),
            Err(reason) => self.reject(&c.name, &reason).map(|()| None),
        }
    }

    fn finish_current(&mut self) {
        let Some(file) = self.current.take() else {
            return;
        };
        if self.s.cleanup == Cleanup::Keep {
            self.kept
                .insert((file.name.clone(), file.meta.length, file.meta.modified));
        }
        self.pending.push(Pending {
            name: file.name,
            last: file.last_line,
            emitted: file.last_line > file.resume_after,
        });
    }

    /// Moves a bad file to `error.path` with a note of the reason. The error is returned when
    /// the task must stop: `halt.on.error`, or the file could not be moved away.
    fn reject(&mut self, name: &str, reason: &str) -> Result<(), String> {
        let reason = one_line(reason);
        let moved = move_into(&self.s.input.join(name), &self.s.error).map_err(|e| {
            format!(
                "{name}: {reason}; and it could not be moved to {}: {e}",
                self.s.error.display()
            )
        })?;
        let note = moved.with_file_name(format!(
            "{}.error.txt",
            moved.file_name().and_then(|n| n.to_str()).unwrap_or(name)
        ));
        let _ = fs::write(&note, format!("{reason}\n"));
        let _ = fs::remove_file(self.s.marker(name));
        if self.s.halt_on_error {
            return Err(format!(
                "SpoolDir stopped at {name} (moved to {}): {reason}",
                moved.display()
            ));
        }
        Ok(())
    }

    /// Files whose last record's offset is now committed leave `input.path`.
    fn commit(&mut self, committed: &[(JsonMap, JsonMap)]) {
        let done = |p: &Pending| {
            !p.emitted
                || committed.iter().any(|(part, off)| {
                    part.get("fileName").and_then(Json::as_str) == Some(p.name.as_str())
                        && off
                            .get("offset")
                            .and_then(Json::as_u64)
                            .is_some_and(|o| o >= p.last)
                })
        };
        let (ready, waiting): (Vec<Pending>, Vec<Pending>) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(done);
        self.pending = waiting;
        for p in ready {
            if let Err(e) = self.clean(&p.name) {
                self.failure.get_or_insert(e);
            }
        }
    }

    /// Applies `cleanup.policy` to a finished file, then drops its marker.
    fn clean(&self, name: &str) -> Result<(), String> {
        let path = self.s.input.join(name);
        let done = match (self.s.cleanup, &self.s.finished) {
            (Cleanup::Move, Some(dir)) => move_into(&path, dir).map(drop),
            (Cleanup::Delete, _) => fs::remove_file(&path),
            _ => Ok(()),
        };
        match done {
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                Err(format!("Cannot clean up the finished file {name}: {e}"))
            }
            _ => {
                let _ = fs::remove_file(self.s.marker(name));
                Ok(())
            }
        }
    }
}

fn list_dir(dir: &Path) -> Result<Vec<String>, String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("Cannot list {}: {e}", dir.display()))?;
    Ok(entries
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .collect())
}

fn partition(name: &str) -> JsonMap {
    let mut p = JsonMap::new();
    p.insert("fileName".into(), json!(name));
    p
}

fn offset_line(name: &str, offset: &JsonMap) -> Result<u64, String> {
    match offset.get("offset") {
        None => Ok(0),
        Some(v) => v.as_u64().ok_or_else(|| {
            format!("The stored offset of {name} is not a non-negative line number: {v}")
        }),
    }
}

/// Moves a file into `dir` under its name, or `name.1`, `name.2`, … when taken: a file is never
/// overwritten. Falls back to copy and delete across file systems.
fn move_into(src: &Path, dir: &Path) -> io::Result<PathBuf> {
    let name = src
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?
        .to_string_lossy()
        .into_owned();
    let mut target = dir.join(&name);
    let mut n = 0;
    while target.exists() {
        n += 1;
        target = dir.join(format!("{name}.{n}"));
    }
    if fs::rename(src, &target).is_err() {
        fs::copy(src, &target)?;
        fs::remove_file(src)?;
    }
    Ok(target)
}

fn epoch_millis(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

/// Task failure messages are one line.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------------------------------------
// Reading a file
// ---------------------------------------------------------------------------------------------

/// What the file system says about a file, copied into every record's headers as the original
/// does (`file.name`, `file.path`, `file.length`, `file.offset`, `file.last.modified`).
struct FileMeta {
    path: String,
    length: u64,
    modified: i64,
}

enum Outcome {
    More,
    End,
    Bad(String),
}

/// A claimed file being read.
struct OpenFile {
    name: String,
    src: LineSource,
    decoder: Decoder,
    /// Records ending on this line or before were committed by an earlier run.
    resume_after: u64,
    /// The line of the last record handed out (its offset).
    last_line: u64,
    partition: Arc<JsonMap>,
    meta: FileMeta,
    timestamp_schema: SchemaRef,
}

impl OpenFile {
    fn open(s: &Settings, name: &str, path: PathBuf, resume_after: u64) -> Result<Self, String> {
        let file = File::open(&path).map_err(|e| format!("cannot open: {e}"))?;
        let fs_meta = file.metadata().map_err(|e| format!("cannot stat: {e}"))?;
        let absolute = path.canonicalize().unwrap_or(path);
        Ok(OpenFile {
            name: name.to_string(),
            src: LineSource::new(Box::new(BufReader::with_capacity(s.buffer_size, file))),
            decoder: Decoder::new(&s.parsing),
            resume_after,
            last_line: resume_after,
            partition: Arc::new(partition(name)),
            meta: FileMeta {
                path: absolute.to_string_lossy().into_owned(),
                length: fs_meta.len(),
                modified: epoch_millis(fs_meta.modified().unwrap_or(UNIX_EPOCH)),
            },
            timestamp_schema: Arc::new(Schema::timestamp()),
        })
    }

    /// Up to `batch.size` records. A bad row ends the file: the rows before it are returned.
    fn read(&mut self, s: &Settings) -> (Vec<ConnectRecord>, Outcome) {
        let mut out = Vec::new();
        while out.len() < s.batch_size {
            match self.decoder.next(&mut self.src, self.resume_after) {
                Ok(Some(row)) => {
                    self.last_line = row.line;
                    out.push(self.record(row, s));
                }
                Ok(None) => return (out, Outcome::End),
                Err(e) => return (out, Outcome::Bad(e)),
            }
        }
        (out, Outcome::More)
    }

    fn record(&self, row: Row, s: &Settings) -> ConnectRecord {
        let offset = SourceOffset::new("offset", row.line as i64);
        let timestamp = match s.timestamp {
            TimestampMode::ProcessTime => None,
            TimestampMode::FileTime => Some(self.meta.modified),
            TimestampMode::Field(i) => match &row.value {
                Value::Struct(v) => match v.values.get(i) {
                    Some(Value::Int64(ms)) => Some(*ms),
                    _ => None,
                },
                _ => None,
            },
        };
        let mut r = ConnectRecord::new(s.topic.clone(), row.value_schema, row.value)
            .with_key(row.key_schema, row.key)
            .with_source(self.partition.clone(), offset);
        r.timestamp = timestamp;
        r.headers = self.headers(row.line);
        r
    }

    fn headers(&self, line: u64) -> Vec<Header> {
        let long = |n: u64| Value::Int64(i64::try_from(n).unwrap_or(i64::MAX));
        vec![
            Header::new(
                "file.name",
                Some(Schema::string()),
                self.name.clone().into(),
            ),
            Header::new(
                "file.path",
                Some(Schema::string()),
                self.meta.path.clone().into(),
            ),
            Header::new("file.length", Some(Schema::int64()), long(self.meta.length)),
            Header::new("file.offset", Some(Schema::int64()), long(line)),
            Header::new(
                "file.last.modified",
                Some(self.timestamp_schema.clone()),
                Value::Int64(self.meta.modified),
            ),
        ]
    }
}

/// Physical lines of a file, counted: a record's offset is the number of its last line.
struct LineSource {
    input: Box<dyn BufRead + Send>,
    buf: Vec<u8>,
    lines: u64,
}

impl LineSource {
    fn new(input: Box<dyn BufRead + Send>) -> Self {
        LineSource {
            input,
            buf: Vec::new(),
            lines: 0,
        }
    }

    /// The next line without its `\n` or `\r\n` (invalid UTF-8 replaced, a leading BOM
    /// dropped), or `None` at the end.
    fn next_line(&mut self) -> Result<Option<String>, String> {
        self.buf.clear();
        let n = self
            .input
            .read_until(b'\n', &mut self.buf)
            .map_err(|e| format!("read error after line {}: {e}", self.lines))?;
        if n == 0 {
            return Ok(None);
        }
        self.lines += 1;
        if self.buf.last() == Some(&b'\n') {
            self.buf.pop();
            if self.buf.last() == Some(&b'\r') {
                self.buf.pop();
            }
        }
        let text = String::from_utf8_lossy(&self.buf);
        let text = match (self.lines, text.strip_prefix('\u{feff}')) {
            (1, Some(rest)) => rest.to_string(),
            _ => text.into_owned(),
        };
        Ok(Some(text))
    }

    /// The next line after `skip_through`, and its number.
    fn line_after(&mut self, skip_through: u64) -> Result<Option<(String, u64)>, String> {
        while let Some(line) = self.next_line()? {
            if self.lines > skip_through {
                return Ok(Some((line, self.lines)));
            }
        }
        Ok(None)
    }
}

/// One record's key and value, and the line it ends on.
struct Row {
    key_schema: Option<SchemaRef>,
    key: Value,
    value_schema: Option<SchemaRef>,
    value: Value,
    line: u64,
}

enum Decoder {
    Csv(CsvDecoder),
    Json(Arc<JsonSpec>),
    Line,
}

impl Decoder {
    fn new(parsing: &Parsing) -> Decoder {
        match parsing {
            Parsing::Csv(spec) => Decoder::Csv(CsvDecoder {
                spec: spec.clone(),
                layout: None,
                started: false,
            }),
            Parsing::Json(spec) => Decoder::Json(spec.clone()),
            Parsing::Line => Decoder::Line,
        }
    }

    /// The next row after line `skip_through`; errors name the line (and field).
    fn next(&mut self, src: &mut LineSource, skip_through: u64) -> Result<Option<Row>, String> {
        match self {
            Decoder::Csv(d) => d.next(src, skip_through),
            Decoder::Json(spec) => json_row(spec, src, skip_through),
            Decoder::Line => Ok(src.line_after(skip_through)?.map(|(text, line)| Row {
                key_schema: None,
                key: Value::Null,
                value_schema: Some(Schema::string()),
                value: Value::String(text),
                line,
            })),
        }
    }
}

/// One JSON object per line (blank lines skipped), typed by `value.schema` or schemaless.
fn json_row(
    spec: &JsonSpec,
    src: &mut LineSource,
    skip_through: u64,
) -> Result<Option<Row>, String> {
    let (text, line) = loop {
        match src.line_after(skip_through)? {
            None => return Ok(None),
            Some((text, _)) if text.trim().is_empty() => continue,
            Some(found) => break found,
        }
    };
    let at = |e: String| format!("line {line}: {e}");
    let json: Json = serde_json::from_str(&text).map_err(|e| at(format!("not JSON: {e}")))?;
    let Json::Object(object) = json else {
        return Err(at(format!(
            "expected a JSON object, found {}",
            json_kind(&json)
        )));
    };
    let key = match &spec.key {
        Some(s) => Value::Struct(struct_from_json(s, &object, &spec.dates).map_err(at)?),
        None => Value::Null,
    };
    let value = match &spec.value {
        Some(s) => Value::Struct(struct_from_json(s, &object, &spec.dates).map_err(at)?),
        None => schemaless(&Json::Object(object)),
    };
    Ok(Some(Row {
        key_schema: spec.key.clone(),
        key,
        value_schema: spec.value.clone(),
        value,
        line,
    }))
}

/// CSV rows mapped onto the value (and key) schema by the header or by position.
struct CsvDecoder {
    spec: Arc<CsvSpec>,
    layout: Option<Layout>,
    started: bool,
}

impl CsvDecoder {
    fn next(&mut self, src: &mut LineSource, skip_through: u64) -> Result<Option<Row>, String> {
        if !self.started {
            self.started = true;
            self.begin(src)?;
        }
        loop {
            let Some(record) = self.spec.parser.read(src)? else {
                return Ok(None);
            };
            if src.lines <= skip_through {
                continue;
            }
            let layout = match self.layout.take() {
                Some(l) => l,
                None => {
                    let names = (1..=record.fields.len()).map(|i| format!("column{i:02}"));
                    Layout::new(names.collect(), &self.spec)?
                }
            };
            let row = layout.row(&record, src.lines, &self.spec.dates);
            self.layout = Some(layout);
            return row.map(Some);
        }
    }

    /// Skips `csv.skip.lines`, then takes the column names from the header, or the schema's
    /// field order; generated schemas without a header wait for the first row's width.
    fn begin(&mut self, src: &mut LineSource) -> Result<(), String> {
        for _ in 0..self.spec.skip_lines {
            if src.next_line()?.is_none() {
                return Ok(());
            }
        }
        let names: Vec<String> = if self.spec.header {
            match self.spec.parser.read(src)? {
                Some(r) => r
                    .fields
                    .into_iter()
                    .map(Option::unwrap_or_default)
                    .collect(),
                None => return Ok(()),
            }
        } else if let Some(value) = &self.spec.schemas.value {
            value.fields.iter().map(|f| f.name.clone()).collect()
        } else {
            return Ok(());
        };
        self.layout = Some(Layout::new(names, &self.spec)?);
        Ok(())
    }
}

/// Which value and key field each column fills.
struct Layout {
    value: SchemaRef,
    value_fields: Vec<Option<usize>>,
    key: Option<(SchemaRef, Vec<Option<usize>>)>,
}

impl Layout {
    fn new(names: Vec<String>, spec: &CsvSpec) -> Result<Layout, String> {
        let value = match (&spec.schemas.value, &spec.schemas.generation) {
            (Some(v), _) => v.clone(),
            (None, Some(g)) => generated_schema(&g.value_name, &names)?,
            (None, None) => return Err("no value schema".into()),
        };
        let key = match (&spec.schemas.key, &spec.schemas.generation) {
            (Some(k), _) => Some(k.clone()),
            (None, Some(g)) if !g.key_fields.is_empty() => {
                if let Some(missing) = g.key_fields.iter().find(|k| !names.contains(k)) {
                    return Err(format!("key field '{missing}' is not a column"));
                }
                Some(generated_schema(&g.key_name, &g.key_fields)?)
            }
            _ => None,
        };
        let columns = |schema: &Schema| -> Vec<Option<usize>> {
            names
                .iter()
                .map(|n| field_index(schema, n, spec.case_sensitive))
                .collect()
        };
        Ok(Layout {
            value_fields: columns(&value),
            key: key.map(|k| {
                let fields = columns(&k);
                (k, fields)
            }),
            value,
        })
    }

    fn row(&self, record: &CsvRecord, line: u64, dates: &Dates) -> Result<Row, String> {
        let value = fill(&self.value, &self.value_fields, record, dates)?;
        let (key_schema, key) = match &self.key {
            Some((schema, fields)) => (
                Some(schema.clone()),
                Value::Struct(fill(schema, fields, record, dates)?),
            ),
            None => (None, Value::Null),
        };
        Ok(Row {
            key_schema,
            key,
            value_schema: Some(self.value.clone()),
            value: Value::Struct(value),
            line,
        })
    }
}

/// The field a column name selects: an exact match first, then one ignoring case.
fn field_index(schema: &Schema, name: &str, case_sensitive: bool) -> Option<usize> {
    schema.field(name).map(|f| f.index).or_else(|| {
        (!case_sensitive)
            .then(|| {
                schema
                    .fields
                    .iter()
                    .position(|f| f.name.eq_ignore_ascii_case(name))
            })
            .flatten()
    })
}

/// A struct of optional strings, as the original's schema generator makes from a header.
fn generated_schema(name: &str, fields: &[String]) -> Result<SchemaRef, String> {
    let mut b = Schema::struct_builder();
    for f in fields {
        b = b
            .try_field(f.clone(), Schema::optional_string())
            .map_err(|_| format!("the column name '{f}' appears twice"))?;
    }
    Ok(Arc::new(b.build().name(name)))
}

fn fill(
    schema: &SchemaRef,
    columns: &[Option<usize>],
    record: &CsvRecord,
    dates: &Dates,
) -> Result<Struct, String> {
    let line = record.first_line;
    let mut s = Struct::new(schema.clone()).map_err(|e| e.to_string())?;
    for (column, field) in columns.iter().enumerate() {
        let (Some(index), Some(Some(text))) = (field, record.fields.get(column)) else {
            continue;
        };
        let field = &schema.fields[*index];
        s.values[*index] = parse_text(&field.schema, text, dates)
            .map_err(|e| format!("line {line}: field '{}': {e}", field.name))?;
    }
    s.validate().map_err(|e| format!("line {line}: {e}"))?;
    Ok(s)
}

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

/// Splits CSV records: a quote at the start of a field opens a quoted field, in which
/// separators and line breaks are data and a doubled quote is one quote; the escape character
/// makes a following quote or escape character literal (and is kept before anything else).
struct CsvParser {
    separator: char,
    quote: Option<char>,
    escape: Option<char>,
    null_unquoted_empty: bool,
    null_quoted_empty: bool,
}

/// A record's fields (`None` = null by `csv.null.field.indicator`) and the line it starts on.
struct CsvRecord {
    fields: Vec<Option<String>>,
    first_line: u64,
}

#[derive(Default)]
struct Cell {
    text: String,
    quoted: bool,
    in_quotes: bool,
}

impl CsvParser {
    /// The next record; empty lines between records are skipped.
    fn read(&self, src: &mut LineSource) -> Result<Option<CsvRecord>, String> {
        let mut line = loop {
            match src.next_line()? {
                None => return Ok(None),
                Some(l) if l.is_empty() => continue,
                Some(l) => break l,
            }
        };
        let first_line = src.lines;
        let mut fields = Vec::new();
        let mut cell = Cell::default();
        loop {
            self.split(&line, &mut cell, &mut fields);
            if !cell.in_quotes {
                break;
            }
            cell.text.push('\n');
            line = src.next_line()?.ok_or_else(|| {
                format!(
                    "line {first_line}: a quoted field is not closed before the end of the file"
                )
            })?;
        }
        fields.push(self.finish(&mut cell));
        Ok(Some(CsvRecord { fields, first_line }))
    }

    fn split(&self, line: &str, cell: &mut Cell, fields: &mut Vec<Option<String>>) {
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            let next = chars.peek().copied();
            let escapable = next.filter(|n| Some(*n) == self.quote || Some(*n) == self.escape);
            if Some(c) == self.escape && escapable.is_some() {
                cell.text.extend(escapable);
                chars.next();
            } else if cell.in_quotes {
                if Some(c) != self.quote {
                    cell.text.push(c);
                } else if next == self.quote {
                    cell.text.push(c);
                    chars.next();
                } else {
                    cell.in_quotes = false;
                }
            } else if c == self.separator {
                fields.push(self.finish(cell));
            } else if Some(c) == self.quote && !cell.quoted && cell.text.is_empty() {
                cell.in_quotes = true;
                cell.quoted = true;
            } else {
                cell.text.push(c);
            }
        }
    }

    fn finish(&self, cell: &mut Cell) -> Option<String> {
        let cell = std::mem::take(cell);
        let null = cell.text.is_empty()
            && if cell.quoted {
                self.null_quoted_empty
            } else {
                self.null_unquoted_empty
            };
        (!null).then_some(cell.text)
    }
}

// ---------------------------------------------------------------------------------------------
// Values from text and JSON
// ---------------------------------------------------------------------------------------------

/// A CSV field as a value of `schema`. Empty text is null for every type but STRING.
fn parse_text(schema: &Schema, text: &str, dates: &Dates) -> Result<Value, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() && schema.kind != Type::String {
        return Ok(Value::Null);
    }
    let cannot = |why: String| format!("cannot parse '{text}' as {}: {why}", type_label(schema));
    if let Some(logical) = schema.logical_type() {
        return match logical {
            LogicalType::Decimal => parse_decimal(schema, trimmed),
            other => dates.value(other, trimmed),
        }
        .map_err(cannot);
    }
    let number = |r: Result<Value, String>| r.map_err(cannot);
    match schema.kind {
        Type::String => Ok(Value::String(text.to_string())),
        Type::Int8 => number(trimmed.parse().map(Value::Int8).map_err(|e| e.to_string())),
        Type::Int16 => number(trimmed.parse().map(Value::Int16).map_err(|e| e.to_string())),
        Type::Int32 => number(trimmed.parse().map(Value::Int32).map_err(|e| e.to_string())),
        Type::Int64 => number(trimmed.parse().map(Value::Int64).map_err(|e| e.to_string())),
        Type::Float32 => number(
            trimmed
                .parse()
                .map(Value::Float32)
                .map_err(|e| e.to_string()),
        ),
        Type::Float64 => number(
            trimmed
                .parse()
                .map(Value::Float64)
                .map_err(|e| e.to_string()),
        ),
        Type::Boolean if trimmed.eq_ignore_ascii_case("true") => Ok(Value::Boolean(true)),
        Type::Boolean if trimmed.eq_ignore_ascii_case("false") => Ok(Value::Boolean(false)),
        Type::Boolean => Err(cannot("expected true or false".into())),
        Type::Bytes => {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD
                .decode(trimmed)
                .map(Value::Bytes)
                .map_err(|e| cannot(format!("not Base64: {e}")))
        }
        Type::Array | Type::Map | Type::Struct => {
            Err(cannot("text holds only primitive values".into()))
        }
    }
}

/// `INT32`, or the logical type's short name (`Decimal`, `Timestamp`).
fn type_label(schema: &Schema) -> String {
    match schema.logical_type() {
        Some(LogicalType::Decimal) => "Decimal".into(),
        Some(LogicalType::Date) => "Date".into(),
        Some(LogicalType::Time) => "Time".into(),
        Some(LogicalType::Timestamp) => "Timestamp".into(),
        None => schema.kind.to_string(),
    }
}

fn parse_decimal(schema: &Schema, text: &str) -> Result<Value, String> {
    let scale = schema.decimal_scale().map_err(|e| e.to_string())?;
    let d: Decimal = text
        .parse()
        .map_err(|e: crate::worker::data::DataError| e.to_string())?;
    d.rescale(scale)
        .map(Value::Decimal)
        .ok_or_else(|| format!("does not fit scale {scale}"))
}

fn json_kind(j: &Json) -> &'static str {
    match j {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

fn struct_from_json(schema: &SchemaRef, object: &JsonMap, dates: &Dates) -> Result<Struct, String> {
    let mut s = Struct::new(schema.clone()).map_err(|e| e.to_string())?;
    for field in &schema.fields {
        if let Some(j) = object.get(&field.name) {
            s.values[field.index] = json_value(&field.schema, j, dates)
                .map_err(|e| format!("field '{}': {e}", field.name))?;
        }
    }
    s.validate().map_err(|e| e.to_string())?;
    Ok(s)
}

/// A JSON value as a value of `schema`; strings are parsed as CSV text would be, numbers are
/// taken as days, milliseconds or epoch milliseconds for Date, Time and Timestamp.
fn json_value(schema: &Schema, j: &Json, dates: &Dates) -> Result<Value, String> {
    let mismatch = || format!("expected {}, found {}", type_label(schema), json_kind(j));
    match j {
        Json::Null => return Ok(Value::Null),
        Json::String(text) if schema.kind != Type::String || schema.logical_type().is_some() => {
            return parse_text(schema, text, dates)
        }
        _ => {}
    }
    if let (Some(logical), Json::Number(n)) = (schema.logical_type(), j) {
        return match logical {
            LogicalType::Decimal => parse_decimal(schema, &n.to_string()),
            LogicalType::Timestamp => n.as_i64().map(Value::Int64).ok_or_else(mismatch),
            _ => n
                .as_i64()
                .and_then(|v| i32::try_from(v).ok())
                .map(Value::Int32)
                .ok_or_else(mismatch),
        };
    }
    let int = |n: &serde_json::Number| n.as_i64().ok_or_else(mismatch);
    let out_of_range = |_| format!("{j} is out of range for {}", schema.kind);
    Ok(match (schema.kind, j) {
        (Type::String, Json::String(s)) => Value::String(s.clone()),
        (Type::String, other) => Value::String(other.to_string()),
        (Type::Boolean, Json::Bool(b)) => Value::Boolean(*b),
        (Type::Int8, Json::Number(n)) => Value::Int8(int(n)?.try_into().map_err(out_of_range)?),
        (Type::Int16, Json::Number(n)) => Value::Int16(int(n)?.try_into().map_err(out_of_range)?),
        (Type::Int32, Json::Number(n)) => Value::Int32(int(n)?.try_into().map_err(out_of_range)?),
        (Type::Int64, Json::Number(n)) => Value::Int64(int(n)?),
        (Type::Float32, Json::Number(n)) => Value::Float32(n.as_f64().ok_or_else(mismatch)? as f32),
        (Type::Float64, Json::Number(n)) => Value::Float64(n.as_f64().ok_or_else(mismatch)?),
        (Type::Struct, Json::Object(o)) => {
            let inner = Arc::new(schema.clone());
            Value::Struct(struct_from_json(&inner, o, dates)?)
        }
        (Type::Array, Json::Array(items)) => {
            let item = schema.value_schema.as_deref().ok_or_else(mismatch)?;
            Value::Array(
                items
                    .iter()
                    .map(|i| json_value(item, i, dates))
                    .collect::<Result<_, _>>()?,
            )
        }
        (Type::Map, Json::Object(o)) => {
            let (Some(k), Some(v)) = (schema.key_schema.as_deref(), schema.value_schema.as_deref())
            else {
                return Err(mismatch());
            };
            let entries = o
                .iter()
                .map(|(key, value)| Ok((parse_text(k, key, dates)?, json_value(v, value, dates)?)));
            Value::Map(entries.collect::<Result<_, String>>()?)
        }
        _ => return Err(mismatch()),
    })
}

/// A JSON value without a schema: objects become maps with string keys, integers INT64,
/// other numbers FLOAT64.
fn schemaless(j: &Json) -> Value {
    match j {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Boolean(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int64(i),
            None => Value::Float64(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::String(s.clone()),
        Json::Array(items) => Value::Array(items.iter().map(schemaless).collect()),
        Json::Object(o) => Value::Map(
            o.iter()
                .map(|(k, v)| (Value::String(k.clone()), schemaless(v)))
                .collect(),
        ),
    }
}

/// A schema in the JSON form the original reads from `key.schema`/`value.schema`
/// (connect-utils' serialization): `type`, `isOptional`, `name`, `version`, `doc`,
/// `parameters`, `fieldSchemas` (structs, in order), `valueSchema` (arrays, maps),
/// `keySchema` (maps).
fn schema_from_json(j: &Json, at: &str) -> Result<Schema, String> {
    let o = j
        .as_object()
        .ok_or_else(|| format!("{at}: a schema must be a JSON object"))?;
    let type_name = o
        .get("type")
        .and_then(Json::as_str)
        .ok_or_else(|| format!("{at}: \"type\" is missing"))?;
    let kind =
        Type::from_name(type_name).ok_or_else(|| format!("{at}: unknown type \"{type_name}\""))?;
    let inner = |key: &str| -> Result<SchemaRef, String> {
        let j = o
            .get(key)
            .ok_or_else(|| format!("{at}: a {kind} schema needs \"{key}\""))?;
        schema_from_json(j, &format!("{at}.{key}")).map(Arc::new)
    };
    let mut schema = match kind {
        Type::Struct => {
            let mut b = Schema::struct_builder();
            if let Some(fields) = o.get("fieldSchemas").and_then(Json::as_object) {
                for (name, f) in fields {
                    let field = schema_from_json(f, &format!("{at}.{name}"))?;
                    b = b
                        .try_field(name.clone(), field)
                        .map_err(|e| format!("{at}: {e}"))?;
                }
            }
            b.build()
        }
        Type::Array => Schema::array(inner("valueSchema")?),
        Type::Map => Schema::map(inner("keySchema")?, inner("valueSchema")?),
        primitive => Schema::new(primitive),
    };
    if let Some(name) = o.get("name").and_then(Json::as_str) {
        schema = schema.name(name);
    }
    if let Some(v) = o.get("version").and_then(Json::as_i64) {
        schema = schema.version(i32::try_from(v).map_err(|_| format!("{at}: bad version"))?);
    }
    if let Some(doc) = o.get("doc").and_then(Json::as_str) {
        schema = schema.doc(doc);
    }
    for (k, v) in o
        .get("parameters")
        .and_then(Json::as_object)
        .into_iter()
        .flatten()
    {
        let text = v.as_str().map_or_else(|| v.to_string(), str::to_string);
        schema = schema.parameter(k.clone(), text);
    }
    if o.get("isOptional").and_then(Json::as_bool) == Some(true) {
        schema = schema.optional();
    }
    check_logical(&schema, at)?;
    Ok(schema)
}

fn check_logical(schema: &Schema, at: &str) -> Result<(), String> {
    let expected = match schema.logical_type() {
        None => return Ok(()),
        Some(LogicalType::Decimal) => {
            schema.decimal_scale().map_err(|e| format!("{at}: {e}"))?;
            Type::Bytes
        }
        Some(LogicalType::Date | LogicalType::Time) => Type::Int32,
        Some(LogicalType::Timestamp) => Type::Int64,
    };
    if schema.kind != expected {
        return Err(format!(
            "{at}: a {} schema must have type {expected}",
            type_label(schema)
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------

/// The date settings: `parser.timestamp.date.formats` tried in order, then ISO forms, with
/// `parser.timestamp.timezone` for dates that carry no zone.
struct Dates {
    formats: Vec<DateFormat>,
    offset_ms: i64,
    iso_date: Vec<DateFormat>,
    iso_time: Vec<DateFormat>,
    iso_timestamp: Vec<DateFormat>,
}

impl Dates {
    fn parse(p: &Props<'_>) -> Result<Dates, String> {
        let formats = configdef::list(p.text("parser.timestamp.date.formats"))
            .iter()
            .map(|f| DateFormat::compile(f))
            .collect::<Result<_, _>>()
            .map_err(|e| format!("Invalid value for parser.timestamp.date.formats: {e}"))?;
        let zone = p.text("parser.timestamp.timezone");
        let offset_ms = zone_setting(zone).ok_or_else(|| {
            format!("Invalid value {zone} for configuration parser.timestamp.timezone: only UTC, GMT and fixed offsets such as +02:00 are supported")
        })?;
        let iso = |patterns: &[&str]| {
            patterns
                .iter()
                .filter_map(|p| DateFormat::compile(p).ok())
                .collect::<Vec<_>>()
        };
        Ok(Dates {
            formats,
            offset_ms,
            iso_date: iso(&["yyyy-MM-dd"]),
            iso_time: iso(&["HH:mm:ss.SSS", "HH:mm:ss"]),
            iso_timestamp: iso(&["yyyy-MM-dd'T'HH:mm:ss.SSSX", "yyyy-MM-dd'T'HH:mm:ssX"]),
        })
    }

    /// A Date as days (its calendar date, whatever the zone), a Time as milliseconds of the
    /// day, a Timestamp as epoch milliseconds.
    fn value(&self, kind: LogicalType, text: &str) -> Result<Value, String> {
        let iso = match kind {
            LogicalType::Date => &self.iso_date,
            LogicalType::Time => &self.iso_time,
            _ => &self.iso_timestamp,
        };
        let parts = self
            .formats
            .iter()
            .chain(iso)
            .find_map(|f| f.parse(text))
            .ok_or_else(|| {
                let tried: Vec<&str> = self.formats.iter().map(|f| f.pattern.as_str()).collect();
                format!("matches none of the date formats [{}]", tried.join(", "))
            })?;
        Ok(match kind {
            LogicalType::Date => Value::Int32(
                i32::try_from(parts.days()).map_err(|_| "date out of range".to_string())?,
            ),
            LogicalType::Time => Value::Int32(parts.millis_of_day() as i32),
            _ => Value::Int64(parts.epoch_millis(self.offset_ms)),
        })
    }
}

/// `UTC`, `GMT`, `Z`, or a fixed offset (`+02:00`, `GMT-5`); zones with rules are refused.
fn zone_setting(text: &str) -> Option<i64> {
    let text = text.trim();
    if [
        "UTC",
        "GMT",
        "Z",
        "UCT",
        "Etc/UTC",
        "Etc/GMT",
        "Zulu",
        "Universal",
    ]
    .contains(&text)
    {
        return Some(0);
    }
    match zone_prefix(text) {
        Some((offset, "")) => Some(offset),
        _ => None,
    }
}

/// A zone at the start of `text`: `Z`, `UTC`/`GMT` with an optional offset, or `±HH`,
/// `±HHMM`, `±HH:MM` (`±H` after UTC/GMT); its offset in milliseconds and the rest.
fn zone_prefix(text: &str) -> Option<(i64, &str)> {
    if let Some(rest) = text.strip_prefix('Z') {
        return Some((0, rest));
    }
    let (named, text) = match text
        .strip_prefix("UTC")
        .or_else(|| text.strip_prefix("GMT"))
    {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let sign = match text.chars().next() {
        Some('+') => 1,
        Some('-') => -1,
        _ if named => return Some((0, text)),
        _ => return None,
    };
    let text = &text[1..];
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let (hours, minutes, rest) = match digits {
        1 if named => (text[..1].parse::<i64>().ok()?, 0, &text[1..]),
        2 => match text[2..].strip_prefix(':') {
            Some(after)
                if after.len() >= 2 && after.as_bytes()[..2].iter().all(u8::is_ascii_digit) =>
            {
                (
                    text[..2].parse().ok()?,
                    after[..2].parse().ok()?,
                    &after[2..],
                )
            }
            _ => (text[..2].parse().ok()?, 0, &text[2..]),
        },
        4 => (
            text[..2].parse().ok()?,
            text[2..4].parse().ok()?,
            &text[4..],
        ),
        _ => return None,
    };
    if hours > 18 || minutes > 59 {
        return None;
    }
    Some((sign * (hours * 60 + minutes) * 60_000, rest))
}

/// A `SimpleDateFormat` pattern, compiled. Letters: `y M d H h m s S a E Z X z` (`MMM` month
/// names in English); text in single quotes is literal. Parsing is strict: the whole text must
/// match and every field must be in range.
struct DateFormat {
    pattern: String,
    tokens: Vec<DateToken>,
}

enum DateToken {
    Literal(String),
    Field(char, usize),
}

const DATE_LETTERS: &str = "yMdHhmsSaEZXz";
const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// The fields read from a date; unset ones default to 1970-01-01 00:00:00.000.
struct DateParts {
    year: i64,
    month: u32,
    day: u32,
    hour: i64,
    minute: i64,
    second: i64,
    milli: i64,
    twelve_hour: bool,
    pm: bool,
    offset_ms: Option<i64>,
}

impl DateFormat {
    fn compile(pattern: &str) -> Result<DateFormat, String> {
        let mut tokens = Vec::new();
        let mut literal = String::new();
        let mut chars = pattern.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\'' {
                if chars.peek() == Some(&'\'') {
                    chars.next();
                    literal.push('\'');
                    continue;
                }
                loop {
                    match chars.next() {
                        Some('\'') if chars.peek() == Some(&'\'') => {
                            chars.next();
                            literal.push('\'');
                        }
                        Some('\'') => break,
                        Some(q) => literal.push(q),
                        None => return Err(format!("unterminated quote in '{pattern}'")),
                    }
                }
            } else if c.is_ascii_alphabetic() {
                if !DATE_LETTERS.contains(c) {
                    return Err(format!("unsupported letter '{c}' in '{pattern}'"));
                }
                let mut n = 1;
                while chars.peek() == Some(&c) {
                    chars.next();
                    n += 1;
                }
                if !literal.is_empty() {
                    tokens.push(DateToken::Literal(std::mem::take(&mut literal)));
                }
                tokens.push(DateToken::Field(c, n));
            } else {
                literal.push(c);
            }
        }
        if !literal.is_empty() {
            tokens.push(DateToken::Literal(literal));
        }
        Ok(DateFormat {
            pattern: pattern.to_string(),
            tokens,
        })
    }

    fn parse(&self, text: &str) -> Option<DateParts> {
        let mut parts = DateParts {
            year: 1970,
            month: 1,
            day: 1,
            hour: 0,
            minute: 0,
            second: 0,
            milli: 0,
            twelve_hour: false,
            pm: false,
            offset_ms: None,
        };
        let mut rest = text;
        for (i, token) in self.tokens.iter().enumerate() {
            rest = match token {
                DateToken::Literal(l) => rest.strip_prefix(l.as_str())?,
                DateToken::Field(c, n) => {
                    // Adjacent numeric fields (`yyyyMMdd`) take exactly their width.
                    let width = matches!(self.tokens.get(i + 1), Some(DateToken::Field(next, m)) if is_numeric(*next, *m))
                        .then_some(*n);
                    parts.read(*c, *n, width, rest)?
                }
            };
        }
        (rest.is_empty() && parts.valid()).then_some(parts)
    }
}

fn is_numeric(letter: char, count: usize) -> bool {
    "ydHhmsS".contains(letter) || (letter == 'M' && count <= 2)
}

/// Leading digits: exactly `width` of them, or up to nine.
fn digits(text: &str, width: Option<usize>) -> Option<(i64, &str)> {
    let available = text.bytes().take_while(u8::is_ascii_digit).count();
    let len = match width {
        Some(w) if available >= w => w,
        Some(_) => return None,
        None => available.min(9),
    };
    if len == 0 {
        return None;
    }
    Some((text[..len].parse().ok()?, &text[len..]))
}

/// A case-insensitive prefix of `text`, and the rest.
fn strip_word<'t>(text: &'t str, word: &str) -> Option<&'t str> {
    let head = text.get(..word.len())?;
    head.eq_ignore_ascii_case(word).then(|| &text[word.len()..])
}

impl DateParts {
    /// Reads field `letter` (repeated `count` times) from the start of `text`.
    fn read<'t>(
        &mut self,
        letter: char,
        count: usize,
        width: Option<usize>,
        text: &'t str,
    ) -> Option<&'t str> {
        match letter {
            'M' if count >= 3 => {
                let (month, rest) = MONTHS.iter().enumerate().find_map(|(i, name)| {
                    strip_word(text, name)
                        .or_else(|| strip_word(text, &name[..3]))
                        .map(|rest| (i as u32 + 1, rest))
                })?;
                self.month = month;
                Some(rest)
            }
            'E' => {
                let letters = text.bytes().take_while(u8::is_ascii_alphabetic).count();
                (letters > 0).then(|| &text[letters..])
            }
            'a' => {
                if let Some(rest) = strip_word(text, "AM") {
                    self.pm = false;
                    Some(rest)
                } else {
                    self.pm = true;
                    strip_word(text, "PM")
                }
            }
            'Z' | 'X' | 'z' => {
                let (offset, rest) = zone_prefix(text)?;
                self.offset_ms = Some(offset);
                Some(rest)
            }
            _ => {
                let (n, rest) = digits(text, width)?;
                match letter {
                    'y' if count == 2 && text.len() - rest.len() == 2 => self.year = 2000 + n,
                    'y' => self.year = n,
                    'M' => self.month = u32::try_from(n).ok()?,
                    'd' => self.day = u32::try_from(n).ok()?,
                    'H' => self.hour = n,
                    'h' => {
                        self.hour = n;
                        self.twelve_hour = true;
                    }
                    'm' => self.minute = n,
                    's' => self.second = n,
                    _ => self.milli = n,
                }
                Some(rest)
            }
        }
    }

    fn valid(&mut self) -> bool {
        if self.twelve_hour {
            if !(1..=12).contains(&self.hour) {
                return false;
            }
            self.hour = self.hour % 12 + if self.pm { 12 } else { 0 };
        }
        (1..=12).contains(&self.month)
            && self.day >= 1
            && i64::from(self.day) <= days_in_month(self.year, i64::from(self.month))
            && (0..24).contains(&self.hour)
            && (0..60).contains(&self.minute)
            && (0..60).contains(&self.second)
            && (0..1000).contains(&self.milli)
    }

    fn days(&self) -> i64 {
        days_from_civil(self.year, i64::from(self.month), i64::from(self.day))
    }

    fn millis_of_day(&self) -> i64 {
        ((self.hour * 60 + self.minute) * 60 + self.second) * 1000 + self.milli
    }

    fn epoch_millis(&self, default_offset: i64) -> i64 {
        self.days() * MILLIS_PER_DAY + self.millis_of_day()
            - self.offset_ms.unwrap_or(default_offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Offsets as a restarted task finds them, by file name.
    struct Offsets(HashMap<String, u64>);

    impl OffsetReader for Offsets {
        fn offset(&self, p: &JsonMap) -> Option<JsonMap> {
            let line = self.0.get(p.get("fileName")?.as_str()?)?;
            let mut o = JsonMap::new();
            o.insert("offset".into(), json!(line));
            Some(o)
        }
    }

    fn none() -> Offsets {
        Offsets(HashMap::new())
    }

    struct Dirs {
        _root: tempfile::TempDir,
        input: PathBuf,
        finished: PathBuf,
        error: PathBuf,
    }

    fn dirs() -> Dirs {
        let root = tempfile::tempdir().unwrap();
        let [input, finished, error] = ["in", "done", "err"].map(|d| root.path().join(d));
        for d in [&input, &finished, &error] {
            fs::create_dir(d).unwrap();
        }
        Dirs {
            _root: root,
            input,
            finished,
            error,
        }
    }

    fn config(d: &Dirs, extra: &[(&str, &str)]) -> ConfigMap {
        let mut c = ConfigMap::new();
        for (k, v) in [
            ("name", "spool"),
            ("topic", "t"),
            ("input.path", d.input.to_str().unwrap()),
            ("finished.path", d.finished.to_str().unwrap()),
            ("error.path", d.error.to_str().unwrap()),
            ("input.file.pattern", r".*\.csv"),
            ("empty.poll.wait.ms", "10"),
        ]
        .into_iter()
        .chain(extra.iter().copied())
        {
            c.insert(k.into(), v.into());
        }
        c
    }

    const PERSON: &str = r#"{"name":"com.example.Person","type":"STRUCT","isOptional":false,"fieldSchemas":{
        "id":{"type":"INT64","isOptional":false},
        "name":{"type":"STRING","isOptional":true},
        "price":{"name":"org.apache.kafka.connect.data.Decimal","type":"BYTES","version":1,"parameters":{"scale":"2"},"isOptional":true},
        "born":{"name":"org.apache.kafka.connect.data.Date","type":"INT32","version":1,"isOptional":true},
        "seen":{"name":"org.apache.kafka.connect.data.Timestamp","type":"INT64","version":1,"isOptional":true},
        "active":{"type":"BOOLEAN","isOptional":true}}}"#;
    const PERSON_KEY: &str = r#"{"name":"com.example.PersonKey","type":"STRUCT","isOptional":false,"fieldSchemas":{"id":{"type":"INT64","isOptional":false}}}"#;
    const ID_NAME: &str = r#"{"name":"r","type":"STRUCT","fieldSchemas":{"id":{"type":"INT64"},"name":{"type":"STRING","isOptional":true}}}"#;

    fn started(format: Format, c: &ConfigMap, offsets: &Offsets) -> SpoolDirTask {
        let mut t = SpoolDirTask::new(format);
        t.start(c, offsets).unwrap();
        t
    }

    /// The offsets the task loop would report committed after delivering `rs`.
    fn committed(rs: &[ConnectRecord]) -> Vec<(JsonMap, JsonMap)> {
        rs.iter()
            .map(|r| {
                (
                    r.source_partition.as_deref().unwrap().clone(),
                    r.source_offset.unwrap().to_map(),
                )
            })
            .collect()
    }

    fn drain(t: &mut SpoolDirTask) -> Vec<ConnectRecord> {
        let mut out = Vec::new();
        loop {
            let batch = t.poll().unwrap();
            if batch.is_empty() {
                return out;
            }
            out.extend(batch);
        }
    }

    fn get<'r>(r: &'r ConnectRecord, field: &str) -> &'r Value {
        let Value::Struct(s) = &r.value else {
            panic!("not a struct: {:?}", r.value)
        };
        s.get(field).unwrap()
    }

    fn line(r: &ConnectRecord) -> u64 {
        let offset = r.source_offset.unwrap();
        assert_eq!(offset.key, "offset");
        offset.value as u64
    }

    fn write(dir: &Path, name: &str, text: &str) {
        fs::write(dir.join(name), text).unwrap();
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut n = list_dir(dir).unwrap();
        n.sort();
        n
    }

    #[test]
    fn csv_with_header_typed_schema_and_key() {
        let d = dirs();
        write(
            &d.input,
            "a.csv",
            "id,NAME,price,born,seen,active,extra\n1,Ann,12.5,2020-01-31,2020-01-31 10:00:00,TRUE,x\r\n2,,,,,,\n",
        );
        let c = config(
            &d,
            &[
                ("csv.first.row.as.header", "true"),
                ("value.schema", PERSON),
                ("key.schema", PERSON_KEY),
            ],
        );
        let rs = drain(&mut started(Format::Csv, &c, &none()));
        assert_eq!(rs.len(), 2);
        let r = &rs[0];
        assert_eq!(get(r, "id"), &Value::Int64(1));
        assert_eq!(get(r, "name"), &Value::from("Ann"));
        assert_eq!(get(r, "price"), &Value::Decimal(Decimal::new(1250, 2)));
        assert_eq!(get(r, "born"), &Value::Int32(18_292));
        assert_eq!(get(r, "seen"), &Value::Int64(1_580_464_800_000));
        assert_eq!(get(r, "active"), &Value::Boolean(true));
        assert_eq!(
            r.value_schema.as_ref().unwrap().name.as_deref(),
            Some("com.example.Person")
        );
        let Value::Struct(key) = &r.key else { panic!() };
        assert_eq!(key.get("id").unwrap(), &Value::Int64(1));
        assert_eq!(r.source_partition.as_deref().unwrap(), &partition("a.csv"));
        assert_eq!((line(&rs[0]), line(&rs[1])), (2, 3));
        assert_eq!(r.timestamp, None);
        let header = |k: &str| r.headers.iter().find(|h| h.key == k).unwrap().value.clone();
        assert_eq!(header("file.name"), Value::from("a.csv"));
        assert_eq!(header("file.offset"), Value::Int64(2));
        // An empty string stays a string; empty numbers, decimals and dates are null.
        assert_eq!(get(&rs[1], "name"), &Value::from(""));
        assert_eq!(get(&rs[1], "price"), &Value::Null);
        assert_eq!(get(&rs[1], "born"), &Value::Null);
    }

    #[test]
    fn csv_quotes_escapes_and_line_breaks_inside_quotes() {
        let d = dirs();
        let schema = r#"{"type":"STRUCT","fieldSchemas":{"a":{"type":"STRING","isOptional":true},"b":{"type":"STRING","isOptional":true},"c":{"type":"STRING","isOptional":true}}}"#;
        write(
            &d.input,
            "q.csv",
            "\"x;y\";\"line1\r\nline2\";\"say \"\"hi\"\" \\\"there\\\" C:\\tmp\"\n\nplain;\"\";\n",
        );
        let c = config(
            &d,
            &[
                ("value.schema", schema),
                ("csv.separator.char", "59"),
                ("csv.null.field.indicator", "EMPTY_QUOTES"),
            ],
        );
        let rs = drain(&mut started(Format::Csv, &c, &none()));
        assert_eq!(rs.len(), 2);
        assert_eq!(get(&rs[0], "a"), &Value::from("x;y"));
        assert_eq!(get(&rs[0], "b"), &Value::from("line1\nline2"));
        assert_eq!(get(&rs[0], "c"), &Value::from(r#"say "hi" "there" C:\tmp"#));
        // The record spans lines 1-2; the blank line 3 is skipped.
        assert_eq!((line(&rs[0]), line(&rs[1])), (2, 4));
        assert_eq!(get(&rs[1], "a"), &Value::from("plain"));
        assert_eq!(get(&rs[1], "b"), &Value::Null);
        assert_eq!(get(&rs[1], "c"), &Value::from(""));
    }

    #[test]
    fn csv_parser_reports_an_unclosed_quote_and_takes_other_separators() {
        let parser = |sep| CsvParser {
            separator: sep,
            quote: Some('"'),
            escape: None,
            null_unquoted_empty: true,
            null_quoted_empty: false,
        };
        let mut src = LineSource::new(Box::new(io::Cursor::new("a\tb\t\n\"open\nstill\n")));
        let r = parser('\t').read(&mut src).unwrap().unwrap();
        assert_eq!(r.fields, [Some("a".into()), Some("b".into()), None]);
        let e = parser('\t').read(&mut src).err().unwrap();
        assert!(e.contains("line 2") && e.contains("not closed"), "{e}");
    }

    #[test]
    fn a_bad_row_halts_after_the_rows_before_it_and_moves_the_file_with_a_note() {
        let d = dirs();
        write(&d.input, "a.csv", "id,name\n1,a\nx,b\n3,c\n");
        let c = config(
            &d,
            &[
                ("csv.first.row.as.header", "true"),
                ("value.schema", ID_NAME),
            ],
        );
        let mut t = started(Format::Csv, &c, &none());
        let first = t.poll().unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!(get(&first[0], "id"), &Value::Int64(1));
        assert_eq!(names(&d.input), Vec::<String>::new());
        assert_eq!(names(&d.error), ["a.csv", "a.csv.error.txt"]);
        let note = fs::read_to_string(d.error.join("a.csv.error.txt")).unwrap();
        assert!(
            note.contains("line 3: field 'id': cannot parse 'x' as INT64"),
            "{note}"
        );
        let e = t.poll().unwrap_err();
        assert!(
            e.contains("a.csv") && e.contains("line 3") && !e.contains('\n'),
            "{e}"
        );
    }

    #[test]
    fn without_halt_a_bad_file_is_set_aside_and_the_next_one_read() {
        let d = dirs();
        write(&d.input, "a.csv", "1,a\n2,b\n\"3,c\n");
        write(&d.input, "b.csv", "4,d\n");
        let c = config(&d, &[("value.schema", ID_NAME), ("halt.on.error", "false")]);
        let mut t = started(Format::Csv, &c, &none());
        let ids: Vec<Value> = drain(&mut t).iter().map(|r| get(r, "id").clone()).collect();
        assert_eq!(ids, [Value::Int64(1), Value::Int64(2), Value::Int64(4)]);
        assert_eq!(names(&d.error), ["a.csv", "a.csv.error.txt"]);
        let note = fs::read_to_string(d.error.join("a.csv.error.txt")).unwrap();
        assert!(
            note.contains("line 3") && note.contains("not closed"),
            "{note}"
        );
    }

    #[test]
    fn a_required_field_missing_from_a_row_is_an_error() {
        let d = dirs();
        write(&d.input, "a.csv", ",x\n");
        let c = config(&d, &[("value.schema", ID_NAME)]);
        let e = started(Format::Csv, &c, &none()).poll().unwrap_err();
        assert!(e.contains("line 1") && e.contains("\"id\""), "{e}");
    }

    #[test]
    fn a_restart_resumes_after_the_committed_line_of_its_own_files_only() {
        let d = dirs();
        let rows = "id,name\n1,a\n2,b\n3,c\n4,d\n";
        for f in ["a.csv", "b.csv", "c.csv", "d.csv"] {
            write(&d.input, f, rows);
        }
        // a and d were being read by this connector, c by someone else; b is new.
        write(&d.input, "a.csv.PROCESSING", "kct:spool");
        write(&d.input, "d.csv.PROCESSING", "kct:spool");
        write(&d.input, "c.csv.PROCESSING", "");
        write(&d.input, "gone.csv.PROCESSING", "kct:spool");
        let offsets = Offsets(HashMap::from([
            ("a.csv".to_string(), 3),
            ("b.csv".to_string(), 3),
            ("d.csv".to_string(), 5),
        ]));
        let c = config(
            &d,
            &[
                ("csv.first.row.as.header", "true"),
                ("value.schema", ID_NAME),
            ],
        );
        let mut t = started(Format::Csv, &c, &offsets);
        let rs = drain(&mut t);
        let seen: Vec<(String, u64)> = rs
            .iter()
            .map(|r| {
                let p = r.source_partition.as_ref().unwrap();
                (p["fileName"].as_str().unwrap().to_string(), line(r))
            })
            .collect();
        let expect = [
            ("a.csv", 4),
            ("a.csv", 5),
            ("b.csv", 2),
            ("b.csv", 3),
            ("b.csv", 4),
            ("b.csv", 5),
        ];
        assert_eq!(seen, expect.map(|(f, l)| (f.to_string(), l)));
        assert_eq!(get(&rs[0], "id"), &Value::Int64(3));
        assert!(!d.input.join("gone.csv.PROCESSING").exists());
        t.commit(&committed(&rs));
        // d was complete: moved on without a record; c is untouched.
        assert_eq!(names(&d.finished), ["a.csv", "b.csv", "d.csv"]);
        assert_eq!(names(&d.input), ["c.csv", "c.csv.PROCESSING"]);
    }

    #[test]
    fn a_finished_file_keeps_its_marker_until_its_offset_is_committed_then_moves() {
        let d = dirs();
        write(&d.input, "a.csv", "1,a\n");
        let c = config(&d, &[("value.schema", ID_NAME)]);
        let mut t = started(Format::Csv, &c, &none());
        let rs = drain(&mut t);
        assert_eq!(rs.len(), 1);
        let marker = fs::read_to_string(d.input.join("a.csv.PROCESSING")).unwrap();
        assert_eq!(marker, "kct:spool");
        t.commit(&[]);
        assert_eq!(names(&d.input), ["a.csv", "a.csv.PROCESSING"]);
        t.commit(&committed(&rs));
        assert_eq!(names(&d.input), Vec::<String>::new());
        assert_eq!(names(&d.finished), ["a.csv"]);
        // A same-named file later is new data, read from its start.
        write(&d.input, "a.csv", "2,b\n");
        let rs = drain(&mut t);
        assert_eq!(get(&rs[0], "id"), &Value::Int64(2));
        t.commit(&committed(&rs));
        assert_eq!(names(&d.finished), ["a.csv", "a.csv.1"]);
    }

    #[test]
    fn delete_and_none_cleanup_policies() {
        let d = dirs();
        write(&d.input, "a.csv", "1,a\n");
        let c = config(
            &d,
            &[
                ("value.schema", ID_NAME),
                ("cleanup.policy", "DELETE"),
                ("finished.path", ""),
            ],
        );
        let mut t = started(Format::Csv, &c, &none());
        let rs = drain(&mut t);
        assert_eq!(rs.len(), 1);
        t.commit(&committed(&rs));
        assert_eq!(names(&d.input), Vec::<String>::new());

        write(&d.input, "b.csv", "2,b\n");
        let c = config(&d, &[("value.schema", ID_NAME), ("cleanup.policy", "none")]);
        let mut t = started(Format::Csv, &c, &none());
        let rs = drain(&mut t);
        assert_eq!(rs.len(), 1);
        t.commit(&committed(&rs));
        assert_eq!(names(&d.input), ["b.csv"]);
        assert!(drain(&mut t).is_empty(), "a kept file is not read again");
        // After a restart its committed offset keeps it from being emitted again.
        let offsets = Offsets(HashMap::from([("b.csv".to_string(), 1)]));
        assert!(drain(&mut started(Format::Csv, &c, &offsets)).is_empty());
    }

    #[test]
    fn only_whole_name_matches_old_enough_and_unmarked_files_are_read() {
        let d = dirs();
        for f in ["a.csv", "a.csv.bak", "b.txt", "xa.csv.PROCESSING"] {
            write(&d.input, f, "1,a\n");
        }
        let c = config(
            &d,
            &[
                ("value.schema", ID_NAME),
                ("input.file.pattern", r"a.*\.csv|.*\.PROCESSING"),
            ],
        );
        let rs = drain(&mut started(Format::Csv, &c, &none()));
        let files: Vec<&str> = rs
            .iter()
            .map(|r| {
                r.source_partition.as_ref().unwrap()["fileName"]
                    .as_str()
                    .unwrap()
            })
            .collect();
        assert_eq!(files, ["a.csv"]);

        let d = dirs();
        write(&d.input, "a.csv", "1,a\n");
        let c = config(
            &d,
            &[("value.schema", ID_NAME), ("file.minimum.age.ms", "60000")],
        );
        assert!(drain(&mut started(Format::Csv, &c, &none())).is_empty());
    }

    #[test]
    fn tasks_share_the_files_by_name() {
        let d = dirs();
        let all: Vec<String> = (0..12).map(|i| format!("f{i}.csv")).collect();
        for f in &all {
            write(&d.input, f, "1,a\n");
        }
        let base = config(&d, &[("value.schema", ID_NAME)]);
        let mut connector = SpoolDirConnector::new(Format::Csv);
        connector.start(&base).unwrap();
        let configs = connector.task_configs(2);
        assert_eq!(configs[1]["task.index"], "1");
        assert_eq!(configs[1]["task.count"], "2");
        let read: Vec<Vec<String>> = configs
            .iter()
            .map(|c| {
                drain(&mut started(Format::Csv, c, &none()))
                    .iter()
                    .map(|r| {
                        r.source_partition.as_ref().unwrap()["fileName"]
                            .as_str()
                            .unwrap()
                            .to_string()
                    })
                    .collect()
            })
            .collect();
        assert!(!read[0].is_empty() && !read[1].is_empty());
        let mut union = read.concat();
        union.sort();
        let mut expect = all.clone();
        expect.sort();
        assert_eq!(union, expect);
        assert!(read[0].iter().all(|f| !read[1].contains(f)));
    }

    #[test]
    fn generated_schemas_from_the_header_or_column_numbers() {
        let d = dirs();
        write(&d.input, "a.csv", "id,name\n7,x\n");
        let c = config(
            &d,
            &[
                ("csv.first.row.as.header", "true"),
                ("schema.generation.enabled", "true"),
                ("schema.generation.key.fields", "id"),
            ],
        );
        let rs = drain(&mut started(Format::Csv, &c, &none()));
        let schema = rs[0].value_schema.as_ref().unwrap();
        assert_eq!(
            schema.name.as_deref(),
            Some("com.github.jcustenborder.kafka.connect.model.Value")
        );
        let fields: Vec<(&str, Type, bool)> = schema
            .fields
            .iter()
            .map(|f| (f.name.as_str(), f.schema.kind, f.schema.optional))
            .collect();
        assert_eq!(
            fields,
            [("id", Type::String, true), ("name", Type::String, true)]
        );
        let key = rs[0].key_schema.as_ref().unwrap();
        assert_eq!(
            key.name.as_deref(),
            Some("com.github.jcustenborder.kafka.connect.model.Key")
        );
        assert_eq!(get(&rs[0], "id"), &Value::from("7"));

        let d = dirs();
        write(&d.input, "b.csv", "7,x,y\n");
        let c = config(&d, &[("schema.generation.enabled", "true")]);
        let rs = drain(&mut started(Format::Csv, &c, &none()));
        assert_eq!(get(&rs[0], "column03"), &Value::from("y"));
        assert!(rs[0].key.is_null());
    }

    #[test]
    fn json_lines_typed_by_schema_or_schemaless() {
        let d = dirs();
        let schema = r#"{"name":"j","type":"STRUCT","fieldSchemas":{
            "id":{"type":"INT64"},
            "tags":{"type":"ARRAY","isOptional":true,"valueSchema":{"type":"STRING"}},
            "when":{"name":"org.apache.kafka.connect.data.Timestamp","type":"INT64","version":1,"isOptional":true},
            "score":{"type":"FLOAT64","isOptional":true}}}"#;
        write(
            &d.input,
            "a.json",
            "{\"id\":1,\"tags\":[\"x\"],\"when\":\"2020-01-31T10:00:00\",\"other\":true}\n\n{\"id\":\"2\",\"score\":0.5}\n",
        );
        let c = config(
            &d,
            &[
                ("input.file.pattern", r".*\.json"),
                ("value.schema", schema),
            ],
        );
        let rs = drain(&mut started(Format::Json, &c, &none()));
        assert_eq!(rs.len(), 2);
        assert_eq!(get(&rs[0], "tags"), &Value::Array(vec![Value::from("x")]));
        assert_eq!(get(&rs[0], "when"), &Value::Int64(1_580_464_800_000));
        assert_eq!(get(&rs[1], "id"), &Value::Int64(2));
        assert_eq!(get(&rs[1], "score"), &Value::Float64(0.5));
        assert_eq!((line(&rs[0]), line(&rs[1])), (1, 3));

        // A fresh directory: the task above still holds a.json until its offsets are committed.
        let d = dirs();
        write(
            &d.input,
            "b.json",
            "{\"a\":1,\"b\":{\"c\":[true,null]}}\n[1]\n",
        );
        let c = config(
            &d,
            &[
                ("input.file.pattern", r".*\.json"),
                ("halt.on.error", "false"),
            ],
        );
        let rs = drain(&mut started(Format::Json, &c, &none()));
        assert_eq!(rs.len(), 1);
        assert!(rs[0].value_schema.is_none());
        let inner = Value::Map(vec![(
            Value::from("c"),
            Value::Array(vec![Value::Boolean(true), Value::Null]),
        )]);
        assert_eq!(
            rs[0].value,
            Value::Map(vec![
                (Value::from("a"), Value::Int64(1)),
                (Value::from("b"), inner)
            ])
        );
        let note = fs::read_to_string(d.error.join("b.json.error.txt")).unwrap();
        assert!(
            note.contains("line 2: expected a JSON object, found an array"),
            "{note}"
        );
    }

    #[test]
    fn line_delimited_files_give_one_string_per_line() {
        let d = dirs();
        write(&d.input, "a.log", "one\r\n\nthree");
        let c = config(
            &d,
            &[
                ("input.file.pattern", r".*\.log"),
                ("timestamp.mode", "FILE_TIME"),
            ],
        );
        let rs = drain(&mut started(Format::Line, &c, &none()));
        let got: Vec<(Value, u64)> = rs.iter().map(|r| (r.value.clone(), line(r))).collect();
        assert_eq!(
            got,
            [
                (Value::from("one"), 1),
                (Value::from(""), 2),
                (Value::from("three"), 3)
            ]
        );
        assert_eq!(rs[0].value_schema, Some(Schema::string()));
        let mtime = fs::metadata(d.input.join("a.log"))
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(rs[0].timestamp, Some(epoch_millis(mtime)));
    }

    #[test]
    fn line_and_json_files_resume_after_the_committed_line() {
        let d = dirs();
        write(&d.input, "a.log", "one\ntwo\nthree\n");
        write(&d.input, "a.log.PROCESSING", "kct:spool");
        write(&d.input, "b.json", "{\"n\":1}\n\n{\"n\":3}\n{\"n\":4}\n");
        write(&d.input, "b.json.PROCESSING", "kct:spool");
        let offsets = Offsets(HashMap::from([
            ("a.log".to_string(), 1),
            ("b.json".to_string(), 3),
        ]));
        let c = config(&d, &[("input.file.pattern", r".*\.log")]);
        let rs = drain(&mut started(Format::Line, &c, &offsets));
        let got: Vec<(Value, u64)> = rs.iter().map(|r| (r.value.clone(), line(r))).collect();
        assert_eq!(got, [(Value::from("two"), 2), (Value::from("three"), 3)]);
        let c = config(&d, &[("input.file.pattern", r".*\.json")]);
        let rs = drain(&mut started(Format::Json, &c, &offsets));
        assert_eq!(rs.iter().map(line).collect::<Vec<_>>(), [4]);
    }

    #[test]
    fn the_timestamp_can_come_from_a_field() {
        let d = dirs();
        let schema = r#"{"type":"STRUCT","fieldSchemas":{"at":{"name":"org.apache.kafka.connect.data.Timestamp","type":"INT64","version":1}}}"#;
        write(&d.input, "a.csv", "2020-01-31T10:00:00\n");
        let c = config(
            &d,
            &[
                ("value.schema", schema),
                ("timestamp.mode", "FIELD"),
                ("timestamp.field", "at"),
            ],
        );
        let rs = drain(&mut started(Format::Csv, &c, &none()));
        assert_eq!(rs[0].timestamp, Some(1_580_464_800_000));
        let c = config(
            &d,
            &[
                ("value.schema", ID_NAME),
                ("timestamp.mode", "FIELD"),
                ("timestamp.field", "id"),
            ],
        );
        let e = Settings::parse(Format::Csv, &c).err().unwrap();
        assert!(e.contains("'id' must be present"), "{e}");
    }

    #[test]
    fn bad_configs_are_refused_with_the_key_named() {
        let d = dirs();
        let refused = |extra: &[(&str, &str)]| {
            Settings::parse(Format::Csv, &config(&d, extra))
                .err()
                .unwrap_or_default()
        };
        assert!(refused(&[]).contains("'value.schema' must be set"));
        let with = |k, v| refused(&[("value.schema", ID_NAME), (k, v)]);
        assert!(with("input.file.pattern", "(").contains("input.file.pattern"));
        assert!(with("input.path", "/nonexistent/kct").contains("does not exist"));
        assert!(with("finished.path", "").contains("finished.path must be set"));
        assert!(with("csv.separator.char", "ab").contains("csv.separator.char"));
        assert!(with("parser.timestamp.timezone", "Europe/Paris").contains("fixed offsets"));
        assert!(with("parser.timestamp.date.formats", "yyyy-QQ").contains("'Q'"));
        assert!(with("error.path", d.input.to_str().unwrap()).contains("must not be input.path"));
        assert!(refused(&[("value.schema", "{\"type\":\"STRING\"}")]).contains("STRUCT"));
        let nested = r#"{"type":"STRUCT","fieldSchemas":{"a":{"type":"ARRAY","valueSchema":{"type":"STRING"}}}}"#;
        assert!(refused(&[("value.schema", nested)]).contains("primitive"));
        assert!(Settings::parse(Format::Json, &config(&d, &[])).is_ok());
    }

    #[test]
    fn schemas_in_the_original_json_form() {
        let s = schema_from_json(&serde_json::from_str(PERSON).unwrap(), "v").unwrap();
        assert_eq!(s.name.as_deref(), Some("com.example.Person"));
        let names: Vec<&str> = s.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["id", "name", "price", "born", "seen", "active"]);
        assert_eq!(*s.fields[2].schema, Schema::decimal(2).optional());
        assert_eq!(*s.fields[4].schema, Schema::timestamp().optional());
        assert!(!s.fields[0].schema.optional);
        let bad =
            |text: &str| schema_from_json(&serde_json::from_str(text).unwrap(), "v").unwrap_err();
        assert!(bad(r#"{"type":"NUMBER"}"#).contains("unknown type"));
        assert!(
            bad(r#"{"type":"BYTES","name":"org.apache.kafka.connect.data.Decimal"}"#)
                .contains("scale")
        );
        assert!(
            bad(r#"{"type":"STRING","name":"org.apache.kafka.connect.data.Timestamp"}"#)
                .contains("INT64")
        );
        assert!(bad(r#"{"type":"ARRAY"}"#).contains("valueSchema"));
    }

    #[test]
    fn character_settings_take_codes_or_characters() {
        let def = csv_def();
        let ch = |v: &str| {
            let mut c = ConfigMap::new();
            c.insert("csv.quote.char".into(), v.into());
            char_setting(
                &Props {
                    config: &c,
                    def: &def,
                },
                "csv.quote.char",
            )
        };
        assert_eq!(ch("39"), Ok(Some('\'')));
        assert_eq!(ch("'"), Ok(Some('\'')));
        assert_eq!(ch("\\t"), Ok(Some('\t')));
        assert_eq!(ch("0"), Ok(None));
        assert!(ch("xy").is_err());
    }

    #[test]
    fn date_formats_follow_simple_date_format() {
        let f = |p: &str| DateFormat::compile(p).unwrap();
        let ts = |p: &str, t: &str| f(p).parse(t).map(|d| d.epoch_millis(0));
        assert_eq!(
            ts("dd/MM/yyyy HH:mm", "31/01/2020 10:00"),
            Some(1_580_464_800_000)
        );
        assert_eq!(
            ts("yyyyMMddHHmmss", "20200131100000"),
            Some(1_580_464_800_000)
        );
        assert_eq!(
            ts("MMM d, yyyy h:mm a", "jan 31, 2020 10:00 PM"),
            Some(1_580_508_000_000)
        );
        assert_eq!(
            ts("EEE, d MMMM yyyy", "Fri, 31 January 2020"),
            Some(1_580_428_800_000)
        );
        assert_eq!(
            ts("yyyy-MM-dd'T'HH:mm:ssXXX", "2020-01-31T12:00:00+02:00"),
            Some(1_580_464_800_000)
        );
        assert_eq!(
            ts("yyyy-MM-dd'T'HH:mm:ss.SSSZ", "2020-01-31T10:00:00.250-0100"),
            Some(1_580_468_400_250)
        );
        assert_eq!(ts("''yy''", "'20'"), Some(1_577_836_800_000));
        for (p, t) in [
            ("yyyy-MM-dd", "2020-02-30"),
            ("yyyy-MM-dd", "2020-01-31 trailing"),
            ("HH:mm", "24:00"),
            ("h a", "13 PM"),
        ] {
            assert!(f(p).parse(t).is_none(), "{p} {t}");
        }
        assert_eq!(zone_setting("GMT+5"), Some(5 * 3_600_000));
        assert_eq!(zone_setting("-03:30"), Some(-210 * 60_000));
        assert_eq!(zone_setting("Europe/Paris"), None);
        // The default zone applies to timestamps, not to dates or times of day.
        let dates = Dates {
            formats: vec![f("yyyy-MM-dd HH:mm")],
            offset_ms: 3_600_000,
            iso_date: vec![f("yyyy-MM-dd")],
            iso_time: vec![f("HH:mm:ss")],
            iso_timestamp: vec![],
        };
        assert_eq!(
            dates.value(LogicalType::Timestamp, "1970-01-02 01:00"),
            Ok(Value::Int64(86_400_000))
        );
        assert_eq!(
            dates.value(LogicalType::Date, "1970-01-02 00:30"),
            Ok(Value::Int32(1))
        );
        assert_eq!(
            dates.value(LogicalType::Time, "01:00:01"),
            Ok(Value::Int32(3_601_000))
        );
        let e = dates.value(LogicalType::Date, "x").unwrap_err();
        assert!(e.contains("[yyyy-MM-dd HH:mm]"), "{e}");
    }

    #[test]
    fn offsets_a_user_writes_are_checked() {
        let c = SpoolDirConnector::new(Format::Csv);
        let p = partition("a.csv");
        let o = |v: Json| Some(v.as_object().unwrap().clone());
        assert_eq!(
            c.alter_offsets(&ConfigMap::new(), &[(p.clone(), o(json!({"offset": 4})))]),
            Ok(true)
        );
        assert_eq!(
            c.alter_offsets(&ConfigMap::new(), &[(p.clone(), None)]),
            Ok(true)
        );
        assert!(c
            .alter_offsets(&ConfigMap::new(), &[(p, o(json!({"offset": -1})))])
            .is_err());
        let other = json!({"filename": "a.csv"}).as_object().unwrap().clone();
        assert!(c
            .alter_offsets(&ConfigMap::new(), &[(other, None)])
            .is_err());
    }

    #[test]
    fn the_plugins_are_found_by_class_and_alias() {
        for name in [
            "com.github.jcustenborder.kafka.connect.spooldir.SpoolDirCsvSourceConnector",
            "SpoolDirCsvSourceConnector",
            "SpoolDirCsvSource",
            "SpoolDirJsonSource",
            "SpoolDirLineDelimitedSource",
        ] {
            assert!(super::super::find(name).is_some(), "{name}");
        }
    }
}
