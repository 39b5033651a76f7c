//! Network work off the UI thread: a thread with its own tokio runtime takes [`Request`]s,
//! runs each as a task against `kct::connect`, and sends the [`Reply`] back on the event
//! channel. A slow or broken cluster therefore only delays replies, never a frame.

use std::collections::BTreeSet;
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::time::Duration;

use indexmap::IndexMap;
use kct::config::context::Target;
use kct::connect::client::{Capabilities, ClientOptions, Config, ConnectClient, ExpandedConnector};
use kct::connect::ops::{self, TaskSelection};
use kct::connect::types::{ConfigKeyInfo, ConnectorOffsets, PluginInfo, ServerInfo};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

use super::edit::EditJob;
use super::event::Event;
use super::kafka::{self, BrowseControl, BrowseUpdate, Inspected, Internal};
use kct::internal::offset_reset::{ModifyError, ModifyReport};
use kct::kafka::browse::{BrowseSpec, TopicSummary};

/// What the UI asks for.
#[derive(Debug)]
pub enum Request {
    Server,
    Connectors,
    Config(String),
    Topics(String),
    Offsets(String),
    Plugins,
    PluginConfig(String),
    /// Reachability and version of a context (its own short-lived client).
    Probe(String, Box<Target>),
    Mutate(Mutation),
    /// The current config and its secret keys, for the editor.
    EditStart(String),
    /// Validate a draft (edited or from a file) and find whether it creates or updates.
    Check(Box<Draft>),
    /// Read a connector file (JSON or properties), then check it as [`Request::Check`] does.
    CheckFile(String),
    /// Read an internal topic through the inspector (with every record when `history`).
    Inspect {
        kind: Internal,
        history: bool,
    },
    /// Plan a write to the offsets topic (a dry run).
    TopicPlan(TopicWrite),
    /// The Kafka topics with their partitions.
    KafkaTopics,
    /// Start browse session `id` (it runs until `control.stop`).
    Browse(u64, BrowseSpec, Arc<BrowseControl>),
}

/// Every change the console can make.
#[derive(Debug, Clone, PartialEq)]
pub enum Mutation {
    Pause(String),
    Resume(String),
    Stop(String),
    Restart(String, TaskSelection),
    RestartTask(String, i32),
    Delete(String),
    ResetOffsets(String),
    /// Records written to the offsets topic: tombstones for every offset of the connector,
    /// or new offsets for some of its source partitions.
    TopicWrite(TopicWrite),
    SetLogger {
        logger: String,
        level: String,
    },
    Apply {
        name: String,
        config: Config,
        create: bool,
    },
}

impl Mutation {
    /// What will happen, in words, for the confirmation.
    pub fn describe(&self) -> String {
        match self {
            Mutation::Pause(n) => format!("pause connector {n}"),
            Mutation::Resume(n) => format!("resume connector {n}"),
            Mutation::Stop(n) => format!("stop connector {n} (tasks shut down, config kept)"),
            Mutation::Restart(n, TaskSelection::None) => {
                format!("restart connector {n} only, not its tasks")
            }
            Mutation::Restart(n, TaskSelection::All) => {
                format!("restart connector {n} and all its tasks")
            }
            Mutation::Restart(n, TaskSelection::Failed) => {
                format!("restart the failed instances of connector {n} (connector and/or tasks)")
            }
            Mutation::RestartTask(n, t) => format!("restart task {t} of connector {n}"),
            Mutation::Delete(n) => {
                format!("delete connector {n} (config and tasks removed, offsets kept)")
            }
            Mutation::ResetOffsets(n) => {
                format!("reset all offsets of connector {n} (DELETE …/offsets)")
            }
            Mutation::TopicWrite(w) => w.describe(),
            Mutation::SetLogger { logger, level } => {
                format!("set logger {logger} to {level} on the worker that answers")
            }
            Mutation::Apply {
                name, create: true, ..
            } => format!("create connector {name}"),
            Mutation::Apply { name, .. } => format!("replace the config of connector {name}"),
        }
    }
}

/// A write to the offsets topic, as `DELETE …/offsets` (no `patch`) or `PATCH …/offsets` (a
/// KIP-875 body) do inside a worker.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicWrite {
    pub name: String,
    /// Plan and write even though the status topic says the connector runs.
    pub force: bool,
    pub patch: Option<ConnectorOffsets>,
}

impl TopicWrite {
    pub fn reset(name: &str) -> TopicWrite {
        TopicWrite {
            name: name.to_string(),
            force: false,
            patch: None,
        }
    }

    pub fn describe(&self) -> String {
        let forced = if self.force {
            ", forced past its running status"
        } else {
            ""
        };
        match &self.patch {
            None => format!(
                "reset all offsets of connector {} through the offsets topic (tombstones){forced}",
                self.name
            ),
            Some(p) => format!(
                "set {} offset(s) of connector {} through the offsets topic{forced}",
                p.offsets.len(),
                self.name
            ),
        }
    }
}

/// A connector config on its way from an editor or a file to the cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub name: String,
    pub config: Config,
    /// The cluster's config when the connector exists (filled by [`Request::Check`]).
    pub current: Option<Config>,
    pub secrets: BTreeSet<String>,
    /// The editing round it came from, to reopen the editor with the errors as notes;
    /// `None` for files.
    pub edit: Option<EditJob>,
}

/// A connector config as shown: secrets masked.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigView {
    pub config: Config,
}

type R<T> = Result<T, String>;

/// The answers, each carrying what it is about.
#[derive(Debug)]
pub enum Reply {
    Server(R<ServerInfo>),
    Connectors(R<IndexMap<String, ExpandedConnector>>),
    Config(String, R<ConfigView>),
    Topics(String, R<Vec<String>>),
    Offsets(String, R<ConnectorOffsets>),
    Plugins(R<Vec<PluginInfo>>),
    PluginConfig(String, R<Vec<ConfigKeyInfo>>),
    Probe(String, R<ServerInfo>),
    /// A mutation's result: what was asked and what came of it.
    Done(Mutation, R<String>),
    EditReady(String, R<(Config, BTreeSet<String>)>),
    /// A request that failed before it reached the cluster (a connector file unreadable).
    Failed(String),
    /// A checked draft and the validation errors (none: ready to apply).
    Checked(Box<Draft>, R<Vec<String>>),
    /// Offsets read from the offsets topic (the cluster has no `GET …/offsets`).
    TopicOffsets(String, R<ConnectorOffsets>),
    /// Records read so far of an internal topic, and the total.
    InspectProgress(Internal, u64, u64),
    Inspected(Internal, R<Box<Inspected>>),
    /// A write's plan (dry run), for the confirmation.
    TopicPlan(TopicWrite, Result<ModifyReport, ModifyError>),
    KafkaTopics(R<Vec<TopicSummary>>),
    Browse(u64, BrowseUpdate),
}

/// The UI's handle on the jobs thread.
#[derive(Debug, Clone)]
pub struct Jobs {
    tx: UnboundedSender<Command>,
    /// What a detached handle was asked (tests).
    #[cfg(test)]
    rx: Option<Arc<std::sync::Mutex<UnboundedReceiver<Command>>>>,
}

#[derive(Debug)]
enum Command {
    /// Talk to another cluster from now on.
    Switch(Box<Target>),
    /// Run a request asked in an epoch (the UI's count of cluster switches).
    Run(u64, Request),
}

impl Jobs {
    /// Starts the jobs thread for `target`; replies go to `events`.
    pub fn start(target: Target, events: Sender<Event>) -> Jobs {
        let (tx, rx) = unbounded_channel();
        let run = move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            match rt {
                Ok(rt) => rt.block_on(serve(target, rx, events)),
                Err(e) => {
                    let _ = events.send(Event::Job(0, Reply::Server(Err(e.to_string()))));
                }
            }
        };
        let _ = std::thread::Builder::new()
            .name("kct-tui-jobs".into())
            .spawn(run);
        Jobs {
            tx,
            #[cfg(test)]
            rx: None,
        }
    }

    /// A handle whose requests go nowhere (tests).
    #[cfg(test)]
    pub fn detached() -> Jobs {
        let (tx, rx) = unbounded_channel();
        Jobs {
            tx,
            rx: Some(Arc::new(std::sync::Mutex::new(rx))),
        }
    }

    /// The requests sent since the last call (detached handles only; tests).
    #[cfg(test)]
    pub fn sent(&self) -> Vec<Request> {
        let mut out = Vec::new();
        if let Some(rx) = &self.rx {
            let mut rx = rx.lock().unwrap();
            while let Ok(c) = rx.try_recv() {
                if let Command::Run(_, r) = c {
                    out.push(r);
                }
            }
        }
        out
    }

    pub fn send(&self, epoch: u64, request: Request) {
        let _ = self.tx.send(Command::Run(epoch, request));
    }

    pub fn switch(&self, target: Target) {
        let _ = self.tx.send(Command::Switch(Box::new(target)));
    }
}

/// The client of the current cluster and its capabilities, probed once.
struct Session {
    target: Target,
    client: R<ConnectClient>,
    caps: tokio::sync::OnceCell<Capabilities>,
}

impl Session {
    fn new(target: &Target, options: ClientOptions) -> Session {
        Session {
            target: target.clone(),
            client: ConnectClient::new(target, options).map_err(|e| e.to_string()),
            caps: tokio::sync::OnceCell::new(),
        }
    }

    fn client(&self) -> R<&ConnectClient> {
        self.client.as_ref().map_err(Clone::clone)
    }

    async fn caps(&self) -> R<Capabilities> {
        let client = self.client()?;
        self.caps
            .get_or_try_init(|| async {
                client
                    .capabilities()
                    .await
                    .map(|(_, c)| c)
                    .map_err(|e| e.to_string())
            })
            .await
            .copied()
    }
}

fn options() -> ClientOptions {
    ClientOptions {
        connect_timeout: Duration::from_secs(3),
        request_timeout: Duration::from_secs(20),
        retry_conflicts_for: Duration::from_secs(10),
    }
}

async fn serve(target: Target, mut rx: UnboundedReceiver<Command>, events: Sender<Event>) {
    let mut session = Arc::new(Session::new(&target, options()));
    while let Some(command) = rx.recv().await {
        let (epoch, request) = match command {
            Command::Switch(t) => {
                session = Arc::new(Session::new(&t, options()));
                continue;
            }
            Command::Run(epoch, request) => (epoch, request),
        };
        if let Request::Browse(id, spec, control) = request {
            let t = session.target.clone();
            kafka::spawn_browse(t, id, spec, control, events.clone(), epoch);
            continue;
        }
        let (s, ev) = (session.clone(), events.clone());
        tokio::spawn(async move {
            let reply = run(&s, request, &ev, epoch).await;
            let _ = ev.send(Event::Job(epoch, reply));
        });
    }
}

/// Runs blocking Kafka work off the runtime.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
    failed: impl FnOnce(String) -> T,
) -> T {
    match tokio::task::spawn_blocking(f).await {
        Ok(t) => t,
        Err(e) => failed(format!("the Kafka job failed: {e}")),
    }
}

async fn run(s: &Session, request: Request, events: &Sender<Event>, epoch: u64) -> Reply {
    let text = |e: kct::connect::client::ClientError| e.to_string();
    match request {
        Request::Server => Reply::Server(server(s).await),
        Request::Connectors => Reply::Connectors(connectors(s).await),
        Request::Config(n) => {
            let r = config_view(s, &n).await;
            Reply::Config(n, r)
        }
        Request::Topics(n) => {
            let r = async { s.client()?.topics(&n).await.map_err(text) }.await;
            Reply::Topics(n, r)
        }
        Request::Offsets(n) => {
            // Without KIP-875 the offsets come from the offsets topic, as the inspector reads it.
            if matches!(s.caps().await, Ok(c) if !c.stop) {
                let (t, name) = (s.target.clone(), n.clone());
                let r = blocking(move || kafka::topic_offsets(&t, &name), Err).await;
                return Reply::TopicOffsets(n, r);
            }
            let r = async { s.client()?.offsets(&n).await.map_err(text) }.await;
            Reply::Offsets(n, r)
        }
        Request::Inspect { kind, history } => {
            let (t, ev) = (s.target.clone(), events.clone());
            let r = blocking(
                move || {
                    let mut progress = |done, total| {
                        let _ =
                            ev.send(Event::Job(epoch, Reply::InspectProgress(kind, done, total)));
                    };
                    kafka::inspect(&t, kind, history, &mut progress).map(Box::new)
                },
                Err,
            )
            .await;
            Reply::Inspected(kind, r)
        }
        Request::TopicPlan(w) => {
            let (t, w2) = (s.target.clone(), w.clone());
            let r = blocking(
                move || kafka::plan_write(&t, &w2),
                |e| Err(ModifyError::Io(e)),
            )
            .await;
            Reply::TopicPlan(w, r)
        }
        Request::KafkaTopics => {
            let t = s.target.clone();
            Reply::KafkaTopics(blocking(move || kafka::topics(&t), Err).await)
        }
        Request::Browse(id, ..) => Reply::Browse(id, BrowseUpdate::Error("not started".into())),
        Request::Plugins => {
            Reply::Plugins(async { s.client()?.plugins(true).await.map_err(text) }.await)
        }
        Request::PluginConfig(c) => {
            let r = async { s.client()?.plugin_config(&c).await.map_err(text) }.await;
            Reply::PluginConfig(c, r)
        }
        Request::Probe(name, target) => {
            let opts = ClientOptions {
                connect_timeout: Duration::from_secs(2),
                request_timeout: Duration::from_secs(5),
                retry_conflicts_for: Duration::ZERO,
            };
            let r = match ConnectClient::new(&target, opts) {
                Ok(c) => c.server_info().await.map_err(text),
                Err(e) => Err(e.to_string()),
            };
            Reply::Probe(name, r)
        }
        Request::Mutate(m) => {
            let r = mutate(s, &m).await;
            Reply::Done(m, r)
        }
        Request::EditStart(n) => {
            let r = edit_start(s, &n).await;
            Reply::EditReady(n, r)
        }
        Request::Check(mut d) => {
            let r = check(s, &mut d).await;
            Reply::Checked(d, r)
        }
        Request::CheckFile(path) => {
            let p = path.clone();
            match blocking(move || draft_from_file(&p), Err).await {
                Ok(d) => {
                    let mut d = Box::new(d);
                    let r = check(s, &mut d).await;
                    Reply::Checked(d, r)
                }
                Err(e) => Reply::Failed(e),
            }
        }
    }
}

async fn server(s: &Session) -> R<ServerInfo> {
    let info = s.client()?.server_info().await.map_err(|e| e.to_string())?;
    let _ = s.caps.set(Capabilities::of_version(&info.version));
    Ok(info)
}

async fn connectors(s: &Session) -> R<IndexMap<String, ExpandedConnector>> {
    let caps = s.caps().await?;
    s.client()?
        .connectors_expanded(caps)
        .await
        .map_err(|e| e.to_string())
}

/// The keys to mask: PASSWORD-type definitions of the plugin (from the plugin's config
/// endpoint where there is one), plus secret-looking names.
async fn secrets_of(s: &Session, config: &Config) -> BTreeSet<String> {
    let class = config.get("connector.class").cloned().flatten();
    let defs = match (s.client(), class, s.caps().await) {
        (Ok(c), Some(class), Ok(caps)) if caps.plugin_config => {
            c.plugin_config(&class).await.unwrap_or_default()
        }
        (Ok(c), Some(_), _) => match c.validate(config).await {
            Ok(r) => r.configs.into_iter().filter_map(|c| c.definition).collect(),
            Err(_) => Vec::new(),
        },
        _ => Vec::new(),
    };
    ops::secret_keys(config, &defs)
}

async fn config_view(s: &Session, name: &str) -> R<ConfigView> {
    let config = s.client()?.config(name).await.map_err(|e| e.to_string())?;
    let secrets = secrets_of(s, &config).await;
    Ok(ConfigView {
        config: ops::masked(&config, &secrets),
    })
}

async fn edit_start(s: &Session, name: &str) -> R<(Config, BTreeSet<String>)> {
    let config = s.client()?.config(name).await.map_err(|e| e.to_string())?;
    let secrets = secrets_of(s, &config).await;
    Ok((config, secrets))
}

/// Fills in the current config, restores hidden secrets, validates; the errors, if any.
async fn check(s: &Session, d: &mut Draft) -> R<Vec<String>> {
    let client = s.client()?;
    d.current = match client.config(&d.name).await {
        Ok(c) => Some(c),
        Err(e) if e.status() == Some(404) => None,
        Err(e) => return Err(e.to_string()),
    };
    if let Err(e) = ops::restore_hidden(&mut d.config, d.current.as_ref()) {
        return Ok(vec![e]);
    }
    d.config.insert("name".into(), Some(d.name.clone()));
    let report = client
        .validate(&d.config)
        .await
        .map_err(|e| e.to_string())?;
    d.secrets = ops::report_secret_keys(&report, &d.config, d.current.as_ref());
    Ok(ops::validation_errors(&report))
}

async fn mutate(s: &Session, m: &Mutation) -> R<String> {
    // The offsets topic path needs Kafka only, not a Connect worker.
    if let Mutation::TopicWrite(w) = m {
        let (t, w) = (s.target.clone(), w.clone());
        return blocking(
            move || kafka::write(&t, &w, false),
            |e| Err(ModifyError::Io(e)),
        )
        .await
        .map(|r| kafka::reset_summary(&r))
        .map_err(|e| e.to_string());
    }
    let c = s.client()?;
    let e = |e: kct::connect::client::ClientError| e.to_string();
    match m {
        Mutation::Pause(n) => c.pause(n).await.map(|_| format!("paused {n}")).map_err(e),
        Mutation::Resume(n) => c.resume(n).await.map(|_| format!("resumed {n}")).map_err(e),
        Mutation::Stop(n) => c.stop(n).await.map(|_| format!("stopped {n}")).map_err(e),
        Mutation::Restart(n, sel) => {
            let caps = s.caps().await?;
            let out = ops::restart(c, caps, n, *sel).await.map_err(e)?;
            Ok(if out.restarted.is_empty() {
                format!("{n}: nothing to restart")
            } else {
                format!("restarted {}", out.restarted.join(", "))
            })
        }
        Mutation::RestartTask(n, t) => c
            .restart_task(n, *t)
            .await
            .map(|_| format!("restarted {n}/{t}"))
            .map_err(e),
        Mutation::Delete(n) => c.delete(n).await.map(|_| format!("deleted {n}")).map_err(e),
        Mutation::ResetOffsets(n) => c.reset_offsets(n).await.map(|m| m.message).map_err(e),
        Mutation::TopicWrite(_) => Err("the offsets topic path runs above".into()),
        Mutation::SetLogger { logger, level } => c
            .set_logger(logger, level, false)
            .await
            .map(|changed| format!("{logger} set to {level} ({} loggers)", changed.len()))
            .map_err(e),
        Mutation::Apply {
            name,
            config,
            create: true,
        } => c
            .create(name, config, None)
            .await
            .map(|_| format!("created {name}"))
            .map_err(e),
        Mutation::Apply { name, config, .. } => c
            .put_config(name, config)
            .await
            .map(|_| format!("configured {name}"))
            .map_err(e),
    }
}

/// A draft from a connector file (JSON or properties; `~/` expanded).
pub fn draft_from_file(path: &str) -> Result<Draft, String> {
    if path.is_empty() {
        return Err("give the path of a connector file (JSON or .properties)".into());
    }
    let full = match path.strip_prefix("~/") {
        Some(rest) => dirs::home_dir().unwrap_or_default().join(rest),
        None => path.into(),
    };
    let text = std::fs::read_to_string(&full).map_err(|e| {
        format!(
            "cannot read {}: {}",
            full.display(),
            kct::io_error::io_error_text(&e)
        )
    })?;
    let m = ops::parse_manifest(path, &text)?;
    Ok(Draft {
        name: m.name,
        config: m.config,
        current: None,
        secrets: Default::default(),
        edit: None,
    })
}
