//! FileStreamSource and FileStreamSink (`org.apache.kafka.connect.file.*`, spec §7.1): lines of
//! a file (or stdin) into a topic, and records of topics appended to a file (or stdout).

use std::fs::File;
use std::io::{self, BufRead, BufReader, Seek, SeekFrom, Write};
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::{
    Factory, OffsetReader, PluginDesc, SinkConnector, SinkTask, SourceConnector, SourceTask,
};
use crate::connect::types::{ConfigMap, JsonMap};
use crate::worker::configdef::{ConfigDef, ConfigType, Default, Importance, Key, Validator};
use crate::worker::data::{ConnectRecord, Schema, SourceOffset, Value};

pub const SOURCE: PluginDesc = PluginDesc {
    class: "org.apache.kafka.connect.file.FileStreamSourceConnector",
    task_class: "org.apache.kafka.connect.file.FileStreamSourceTask",
    config_def: source_def,
    factory: Factory::Source {
        connector: || Box::new(FileStreamSourceConnector::default()),
        task: || Box::new(FileStreamSourceTask::default()),
    },
};

pub const SINK: PluginDesc = PluginDesc {
    class: "org.apache.kafka.connect.file.FileStreamSinkConnector",
    task_class: "org.apache.kafka.connect.file.FileStreamSinkTask",
    config_def: sink_def,
    factory: Factory::Sink {
        connector: || Box::new(FileStreamSinkConnector::default()),
        task: || Box::new(FileStreamSinkTask::default()),
    },
};

fn source_def() -> ConfigDef {
    ConfigDef::new()
        .plain(
            Key::new(
                "file",
                ConfigType::String,
                Default::Null,
                Importance::High,
                "Source filename. If not specified, the standard input will be used",
            ),
            Validator::Any,
        )
        .plain(
            Key::new(
                "topic",
                ConfigType::String,
                Default::Required,
                Importance::High,
                "The topic to publish data to",
            ),
            Validator::NonEmptyString,
        )
        .plain(
            Key::new(
                "batch.size",
                ConfigType::Int,
                Default::Value("2000"),
                Importance::Low,
                "The maximum number of records the source task can read from the file each time it is polled",
            ),
            Validator::AtLeast(1),
        )
}

fn sink_def() -> ConfigDef {
    ConfigDef::new().plain(
        Key::new(
            "file",
            ConfigType::String,
            Default::Null,
            Importance::High,
            "Destination filename. If not specified, the standard output will be used",
        ),
        Validator::Any,
    )
}

/// `file` unset or empty means stdin/stdout.
fn file_setting(config: &ConfigMap) -> Option<String> {
    config.get("file").filter(|f| !f.is_empty()).cloned()
}

#[derive(Default)]
struct FileStreamSourceConnector {
    config: ConfigMap,
}

impl SourceConnector for FileStreamSourceConnector {
    fn start(&mut self, config: &ConfigMap) -> Result<(), String> {
        source_def().check(config)?;
        self.config = config.clone();
        Ok(())
    }

    /// Always one task: a file has one reader.
    fn task_configs(&self, _max_tasks: usize) -> Vec<ConfigMap> {
        vec![self.config.clone()]
    }

    fn alter_offsets(
        &self,
        config: &ConfigMap,
        offsets: &[(JsonMap, Option<JsonMap>)],
    ) -> Result<bool, String> {
        if file_setting(config).is_none() {
            return Err("Offsets cannot be modified if the 'file' configuration is unspecified. This is because stdin is used for input and offsets are not tracked.".into());
        }
        for (partition, offset) in offsets {
            if !partition.contains_key("filename") {
                return Err("Partitions must contain the key 'filename'".into());
            }
            if let Some(o) = offset {
                match o.get("position") {
                    Some(p) if p.as_i64().is_some_and(|p| p >= 0) => {}
                    Some(_) => return Err("The value for the 'position' key in the offset is expected to be a non-negative integer".into()),
                    None => return Err("Offset objects should either be null or contain the key 'position'".into()),
                }
            }
        }
        Ok(true)
    }
}

/// How long an empty poll waits before it returns, so the task loop sees pause and stop.
const IDLE_WAIT: Duration = Duration::from_millis(200);

#[derive(Default)]
struct FileStreamSourceTask {
    file: Option<String>,
    topic: String,
    batch_size: usize,
    reader: Option<Box<dyn BufRead + Send>>,
    /// Byte position after the last line handed out.
    position: u64,
    /// A line read without its terminator yet (the writer has not finished it).
    partial: Vec<u8>,
    /// `partial` ended in a `\r` that was the last byte read: a `\n` may follow.
    after_cr: bool,
    partition: Arc<JsonMap>,
    /// The previous poll found nothing new: the next empty one waits before it returns.
    idle: bool,
}

impl FileStreamSourceTask {
    fn open(&mut self) -> io::Result<()> {
        let Some(path) = &self.file else {
            self.reader = Some(Box::new(BufReader::new(io::stdin())));
            return Ok(());
        };
        let mut f = File::open(path)?;
        f.seek(SeekFrom::Start(self.position))?;
        self.reader = Some(Box::new(BufReader::with_capacity(256 * 1024, f)));
        Ok(())
    }

    /// A record of a line that ends where the file has been read to (`position`).
    fn record(&self, text: String) -> ConnectRecord {
        let mut r = ConnectRecord::new(
            self.topic.clone(),
            Some(Schema::string()),
            Value::String(text),
        );
        if self.file.is_some() {
            r.source_partition = Some(self.partition.clone());
            r.source_offset = Some(SourceOffset::new("position", self.position as i64));
        }
        r
    }

    /// Reads complete lines (`\n`, `\r` or `\r\n`) until `batch_size` or the end of the data.
    /// A `\r` at the end of the data waits for the next byte, as Connect's reader does: only
    /// then is it known whether the terminator is one byte or two.
    fn read_lines(&mut self) -> io::Result<Vec<ConnectRecord>> {
        let mut out = Vec::with_capacity(self.batch_size.min(4096));
        while out.len() < self.batch_size {
            let Some(reader) = self.reader.as_mut() else {
                break;
            };
            let buf = reader.fill_buf()?;
            if buf.is_empty() {
                break;
            }
            if self.after_cr {
                self.after_cr = false;
                let crlf = buf[0] == b'\n';
                if crlf {
                    reader.consume(1);
                }
                out.push(self.take_line(1 + usize::from(crlf)));
                continue;
            }
            match memchr::memchr2(b'\n', b'\r', buf) {
                Some(i) if buf[i] == b'\r' && i + 1 == buf.len() => {
                    self.partial.extend_from_slice(&buf[..i]);
                    reader.consume(i + 1);
                    self.after_cr = true;
                }
                Some(i) => {
                    let crlf = buf[i] == b'\r' && buf[i + 1] == b'\n';
                    let terminator = 1 + usize::from(crlf);
                    if self.partial.is_empty() {
                        // The whole line is in the buffer: no detour through `partial`.
                        let text = text(&buf[..i]);
                        reader.consume(i + terminator);
                        self.position += (i + terminator) as u64;
                        out.push(self.record(text));
                    } else {
                        self.partial.extend_from_slice(&buf[..i]);
                        reader.consume(i + terminator);
                        out.push(self.take_line(terminator));
                    }
                }
                None => {
                    let n = buf.len();
                    self.partial.extend_from_slice(buf);
                    reader.consume(n);
                }
            }
        }
        Ok(out)
    }

    /// The buffered line as a record; the offset moves past it and its terminator.
    fn take_line(&mut self, terminator: usize) -> ConnectRecord {
        self.position += (self.partial.len() + terminator) as u64;
        let r = self.record(text(&self.partial));
        self.partial.clear();
        r
    }
}

/// A line as text; malformed UTF-8 becomes U+FFFD, as Java's reader does.
fn text(line: &[u8]) -> String {
    match std::str::from_utf8(line) {
        Ok(s) => s.to_owned(),
        Err(_) => String::from_utf8_lossy(line).into_owned(),
    }
}

impl SourceTask for FileStreamSourceTask {
    fn start(&mut self, config: &ConfigMap, offsets: &dyn OffsetReader) -> Result<(), String> {
        source_def().check(config)?;
        self.file = file_setting(config);
        self.topic = config.get("topic").cloned().unwrap_or_default();
        self.batch_size = config
            .get("batch.size")
            .and_then(|b| b.trim().parse().ok())
            .unwrap_or(2000);
        if let Some(f) = &self.file {
            let mut partition = JsonMap::new();
            partition.insert("filename".into(), json!(f));
            self.partition = Arc::new(partition);
            if let Some(offset) = offsets.offset(&self.partition) {
                self.position = match offset.get("position") {
                    Some(p) => p.as_u64().ok_or_else(|| {
                        format!(
                            "Offset position is the incorrect type: {p} is not a non-negative long"
                        )
                    })?,
                    None => 0,
                };
            }
        }
        Ok(())
    }

    fn poll(&mut self) -> Result<Vec<ConnectRecord>, String> {
        if self.reader.is_none() {
            if let Err(e) = self.open() {
                // Connect waits for a file that does not exist yet.
                if e.kind() == io::ErrorKind::NotFound {
                    std::thread::sleep(IDLE_WAIT);
                    return Ok(Vec::new());
                }
                let path = self.file.as_deref().unwrap_or("stdin");
                return Err(format!("Couldn't find or open file {path}: {e}"));
            }
        }
        let lines = self.read_lines().map_err(|e| {
            let path = self.file.as_deref().unwrap_or("stdin");
            format!("Error while reading from {path}: {e}")
        })?;
        // The first empty poll after records returns at once, so the worker can see the last
        // ones acknowledged and commit them without waiting out an idle pause.
        if lines.is_empty() && std::mem::replace(&mut self.idle, true) {
            std::thread::sleep(IDLE_WAIT);
        }
        if !lines.is_empty() {
            self.idle = false;
        }
        Ok(lines)
    }

    fn stop(&mut self) {
        self.reader = None;
    }
}

#[derive(Default)]
struct FileStreamSinkConnector {
    config: ConfigMap,
}

impl SinkConnector for FileStreamSinkConnector {
    fn start(&mut self, config: &ConfigMap) -> Result<(), String> {
        sink_def().check(config)?;
        self.config = config.clone();
        Ok(())
    }

    fn task_configs(&self, max_tasks: usize) -> Vec<ConfigMap> {
        vec![self.config.clone(); max_tasks.max(1)]
    }
}

#[derive(Default)]
struct FileStreamSinkTask {
    out: Option<Box<dyn Write + Send>>,
    line: Vec<u8>,
}

impl SinkTask for FileStreamSinkTask {
    fn start(&mut self, config: &ConfigMap) -> Result<(), String> {
        self.out = Some(match file_setting(config) {
            None => Box::new(io::BufWriter::new(io::stdout())),
            Some(path) => {
                let f = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&path)
                    .map_err(|e| {
                        format!("Couldn't find or create file '{path}' for FileStreamSinkTask: {e}")
                    })?;
                Box::new(io::BufWriter::with_capacity(256 * 1024, f))
            }
        });
        Ok(())
    }

    fn put(&mut self, records: Vec<ConnectRecord>) -> Result<(), String> {
        let out = self
            .out
            .as_mut()
            .ok_or("FileStreamSinkTask is not started")?;
        let write_error = |e: io::Error| format!("Error writing to the sink file: {e}");
        for r in &records {
            // `PrintStream.println(Object)`: the value's `String.valueOf`.
            self.line.clear();
            match &r.value {
                Value::String(s) => self.line.extend_from_slice(s.as_bytes()),
                v => self
                    .line
                    .extend_from_slice(v.to_java_string(r.value_schema.as_deref()).as_bytes()),
            }
            self.line.push(b'\n');
            out.write_all(&self.line).map_err(write_error)?;
        }
        // Java's `PrintStream` hands every line to the file at once; one write per batch keeps
        // the lines as current without a system call per line.
        out.flush().map_err(write_error)
    }

    fn flush(&mut self) -> Result<(), String> {
        match self.out.as_mut() {
            Some(out) => out
                .flush()
                .map_err(|e| format!("Error flushing the sink file: {e}")),
            None => Ok(()),
        }
    }

    fn stop(&mut self) {
        let _ = self.flush();
        self.out = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Offsets(Option<JsonMap>);
    impl OffsetReader for Offsets {
        fn offset(&self, _p: &JsonMap) -> Option<JsonMap> {
            self.0.clone()
        }
    }

    fn config(file: &str) -> ConfigMap {
        let mut c = ConfigMap::new();
        c.insert("file".into(), file.into());
        c.insert("topic".into(), "t".into());
        c.insert("batch.size".into(), "2".into());
        c
    }

    fn values(rs: &[ConnectRecord]) -> Vec<(String, i64)> {
        rs.iter()
            .map(|r| {
                let Value::String(s) = &r.value else { panic!() };
                let offset = r.source_offset.unwrap();
                assert_eq!(offset.key, "position");
                (s.clone(), offset.value)
            })
            .collect()
    }

    #[test]
    fn source_reads_every_line_ending_in_batches_and_resumes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.txt");
        std::fs::write(&path, "a\nbb\r\nc\rd").unwrap();
        let p = path.to_str().unwrap();
        let mut t = FileStreamSourceTask::default();
        t.start(&config(p), &Offsets(None)).unwrap();
        assert_eq!(
            values(&t.poll().unwrap()),
            [("a".into(), 2), ("bb".into(), 6)]
        );
        assert_eq!(values(&t.poll().unwrap()), [("c".into(), 8)]);
        // "d" has no terminator yet: it waits until the writer ends the line.
        assert!(t.poll().unwrap().is_empty());
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"e\n")
            .unwrap();
        assert_eq!(values(&t.poll().unwrap()), [("de".into(), 11)]);
        let r = &t.poll().unwrap_or_default();
        assert!(r.is_empty());

        let mut again = FileStreamSourceTask::default();
        let mut off = JsonMap::new();
        off.insert("position".into(), json!(6));
        again.start(&config(p), &Offsets(Some(off))).unwrap();
        assert_eq!(
            values(&again.poll().unwrap()),
            [("c".into(), 8), ("de".into(), 11)]
        );
    }

    #[test]
    fn source_rejects_a_bad_offset_and_config() {
        let mut t = FileStreamSourceTask::default();
        let mut off = JsonMap::new();
        off.insert("position".into(), json!("x"));
        let e = t
            .start(&config("/nonexistent"), &Offsets(Some(off)))
            .unwrap_err();
        assert!(e.contains("incorrect type"), "{e}");
        let mut c = config("f");
        c.shift_remove("topic");
        assert!(FileStreamSourceTask::default()
            .start(&c, &Offsets(None))
            .unwrap_err()
            .contains("\"topic\""));
    }

    #[test]
    fn sink_appends_java_strings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        let mut c = ConfigMap::new();
        c.insert("file".into(), path.to_str().unwrap().into());
        let mut t = FileStreamSinkTask::default();
        t.start(&c).unwrap();
        let rec = |v| ConnectRecord::new("t".into(), None, v);
        t.put(vec![
            rec(Value::String("hi".into())),
            rec(Value::Null),
            rec(Value::Float64(1.0)),
            rec(Value::Array(vec![Value::Int64(1), Value::Int64(2)])),
            rec(Value::Map(vec![(
                Value::String("k".into()),
                Value::Boolean(true),
            )])),
        ])
        .unwrap();
        t.flush().unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "hi\nnull\n1.0\n[1, 2]\n{k=true}\n"
        );
    }
}
