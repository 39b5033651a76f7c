//! `kct local`: a whole pipeline on a laptop. Uses the broker given, or the one answering on
//! 127.0.0.1:9092, or starts tansu (SQLite storage under the user data directory); writes a
//! worker file and the example connectors there (a file pipeline and a SpoolDir CSV source);
//! then runs the worker until a signal.

use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::error::WorkerError;
use super::{run, WorkerArgs};

pub const DEFAULT_BROKER: &str = "127.0.0.1:9092";
const TANSU_INSTALL: &str =
    "cargo install tansu --version 0.6.0 --locked --features dynostore,libsql";

pub struct LocalArgs {
    /// A broker to use instead of a local one.
    pub bootstrap: Option<String>,
    /// Where the worker's files live (default: the user data directory's `kct/local`).
    pub dir: Option<PathBuf>,
    /// REST listener port.
    pub port: u16,
}

/// A tansu this command started; stopped when dropped.
struct OwnBroker(Child);

impl Drop for OwnBroker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What `kct local` prepared: the worker to run and where everything is.
pub struct Local {
    pub worker: WorkerArgs,
    pub dir: PathBuf,
    pub port: u16,
    /// The lines that say where the broker, the REST API and the example files are.
    pub summary: String,
    /// The tansu this command started, stopped when `Local` is dropped.
    _broker: Option<OwnBroker>,
}

/// Finds or starts the broker and writes the worker file and the example pipeline.
pub fn prepare(args: LocalArgs) -> Result<Local, WorkerError> {
    let dir = match args.dir {
        Some(d) => d,
        None => dirs::data_dir()
            .ok_or_else(|| WorkerError::Config("no user data directory; pass --dir DIR".into()))?
            .join("kct")
            .join("local"),
    };
    create_dir(&dir)?;
    let (bootstrap, broker) = match args.bootstrap {
        Some(b) => (b, None),
        None if answers(DEFAULT_BROKER) => (DEFAULT_BROKER.to_string(), None),
        None => (DEFAULT_BROKER.to_string(), Some(start_tansu(&dir)?)),
    };
    let files = write_files(&dir, &bootstrap, args.port)?;
    let summary = format!(
        "kct local\n  broker      {bootstrap}{}\n  REST API    http://127.0.0.1:{}\n  worker file {}\n  connectors  {}\n  input       {} (append lines: they flow to topic connect-test)\n  output      {}\n  CSV files   {} (dropped files flow to topic csv-example)",
        if broker.is_some() { " (tansu, started by kct local)" } else { "" },
        args.port,
        files.worker.display(),
        files.connectors.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "),
        dir.join("input.txt").display(),
        dir.join("output.txt").display(),
        dir.join("spooldir").join("input").display(),
    );
    Ok(Local {
        worker: WorkerArgs {
            worker_file: files.worker,
            connector_files: files.connectors,
        },
        dir,
        port: args.port,
        summary,
        _broker: broker,
    })
}

/// `kct local` without the console: the worker in the foreground until Ctrl-C.
pub fn run_local(args: LocalArgs) -> Result<(), WorkerError> {
    let local = prepare(args)?;
    crate::say!("{}\nStop with Ctrl-C.", local.summary);
    run(local.worker)
}

fn create_dir(dir: &Path) -> Result<(), WorkerError> {
    std::fs::create_dir_all(dir).map_err(|e| {
        WorkerError::Io(format!(
            "{}: {}",
            dir.display(),
            crate::io_error::io_error_text(&e)
        ))
    })
}

fn answers(addr: &str) -> bool {
    addr.parse::<SocketAddr>()
        .ok()
        .is_some_and(|a| TcpStream::connect_timeout(&a, Duration::from_millis(300)).is_ok())
}

fn start_tansu(dir: &Path) -> Result<OwnBroker, WorkerError> {
    let url = format!("tcp://{DEFAULT_BROKER}");
    let log = std::fs::File::create(dir.join("tansu.log"))
        .map_err(|e| WorkerError::Io(format!("{}: {e}", dir.join("tansu.log").display())))?;
    let child = Command::new("tansu")
        .args(["broker", "--storage-engine", "sqlite://tansu.db", "--listener-url", &url])
        .args(["--advertised-listener-url", &url, "--silent"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => WorkerError::Config(format!(
                "no broker answers on {DEFAULT_BROKER} and tansu is not installed: install it with `{TANSU_INSTALL}`, or pass --bootstrap HOST:PORT"
            )),
            _ => WorkerError::Io(format!("cannot start tansu: {e}")),
        })?;
    let mut broker = OwnBroker(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !answers(DEFAULT_BROKER) {
        if let Ok(Some(status)) = broker.0.try_wait() {
            return Err(WorkerError::Kafka(format!(
                "tansu exited ({status}); see {}",
                dir.join("tansu.log").display()
            )));
        }
        if Instant::now() > deadline {
            return Err(WorkerError::Kafka(format!(
                "tansu did not answer on {DEFAULT_BROKER} within 30 s; see {}",
                dir.join("tansu.log").display()
            )));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(broker)
}

struct Files {
    worker: PathBuf,
    connectors: Vec<PathBuf>,
}

/// The worker file and the example pipeline (file → topic → file), written once and kept: a
/// user's edits survive the next `kct local`.
fn write_files(dir: &Path, bootstrap: &str, port: u16) -> Result<Files, WorkerError> {
    let worker = dir.join("connect-standalone.properties");
    let worker_text = format!(
        "# Written by kct local; the same keys work with connect-standalone.sh.\n\
         bootstrap.servers={bootstrap}\n\
         key.converter=org.apache.kafka.connect.storage.StringConverter\n\
         value.converter=org.apache.kafka.connect.json.JsonConverter\n\
         value.converter.schemas.enable=false\n\
         offset.storage.file.filename={}\n\
         offset.flush.interval.ms=1000\n\
         listeners=http://127.0.0.1:{port}\n",
        dir.join("connect.offsets").display()
    );
    // The broker and port may change from run to run: the worker file follows them.
    write(&worker, &worker_text, true)?;
    let input = dir.join("input.txt");
    write(&input, "hello from kct local\n", false)?;
    let source = dir.join("local-file-source.properties");
    write(
        &source,
        &format!(
            "name=local-file-source\nconnector.class=FileStreamSource\ntasks.max=1\nfile={}\ntopic=connect-test\n",
            input.display()
        ),
        false,
    )?;
    let sink = dir.join("local-file-sink.properties");
    write(
        &sink,
        &format!(
            "name=local-file-sink\nconnector.class=FileStreamSink\ntasks.max=1\nfile={}\ntopics=connect-test\n",
            dir.join("output.txt").display()
        ),
        false,
    )?;
    let csv = write_spooldir_example(dir)?;
    Ok(Files {
        worker,
        connectors: vec![source, sink, csv],
    })
}

/// A SpoolDir CSV source: CSV files dropped into `spooldir/input` become records of topic
/// `csv-example` and move to `spooldir/finished` (bad ones to `spooldir/error`).
fn write_spooldir_example(dir: &Path) -> Result<PathBuf, WorkerError> {
    let spool = dir.join("spooldir");
    let first_time = !spool.exists();
    for d in ["input", "finished", "error"] {
        create_dir(&spool.join(d))?;
    }
    if first_time {
        write(
            &spool.join("input").join("example.csv"),
            "id,name,city\n1,Ada,London\n2,Grace,Arlington\n",
            false,
        )?;
    }
    let path = dir.join("local-csv-source.properties");
    write(
        &path,
        &format!(
            "name=local-csv-source\n\
             connector.class=com.github.jcustenborder.kafka.connect.spooldir.SpoolDirCsvSourceConnector\n\
             input.path={}\nfinished.path={}\nerror.path={}\ninput.file.pattern=.*\\\\.csv\n\
             topic=csv-example\ncsv.first.row.as.header=true\nschema.generation.enabled=true\n",
            spool.join("input").display(),
            spool.join("finished").display(),
            spool.join("error").display()
        ),
        false,
    )?;
    Ok(path)
}

fn write(path: &Path, text: &str, replace: bool) -> Result<(), WorkerError> {
    if !replace && path.exists() {
        return Ok(());
    }
    std::fs::write(path, text).map_err(|e| {
        WorkerError::Io(format!(
            "{}: {}",
            path.display(),
            crate::io_error::io_error_text(&e)
        ))
    })
}
