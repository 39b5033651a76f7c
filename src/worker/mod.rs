//! The embedded Kafka Connect worker: Herder, Worker, tasks, converters, transformations,
//! storage and the REST API, named after Kafka Connect's own parts. `run` is
//! `connect-standalone.sh`: a worker file, connector files, the REST API, until a signal.

pub mod clients;
pub mod config;
pub mod configdef;
pub mod connector_config;
pub mod converter;
pub mod data;
pub mod error;
pub mod herder;
pub mod listener;
pub mod local;
pub mod loggers;
pub mod plugin;
pub mod rest;
pub mod sink_offsets;
pub mod storage;
pub mod task;
pub mod topics;
pub mod transform;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rdkafka::consumer::{BaseConsumer, Consumer};

use crate::connect::types::PluginInfo;
use crate::internal::configs::ConfigState;
use config::{read_connector_file, WorkerConfig};
use error::WorkerError;
use herder::{Herder, HerderHandle};
use listener::RestSecurity;
use storage::kafka::{KafkaOffsetBackingStore, TopicStores};
use storage::{FileOffsetBackingStore, MemoryOffsetBackingStore, OffsetBackingStore, OffsetStore};

/// The version of kct's built-in plugins.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The version `GET /` reports: the Apache Kafka release whose REST API the worker serves, so
/// clients that probe the version (kcctl, kct connect) use every endpoint it has, then kct's
/// own version as a suffix.
pub const REST_VERSION: &str = concat!("3.9.0-kct-", env!("CARGO_PKG_VERSION"));

/// Converters, header converters, transformations and predicates, for
/// `GET /connector-plugins?connectorsOnly=false`.
pub fn plugins_of_other_kinds() -> Vec<PluginInfo> {
    let info = |class: &str, kind: &str| PluginInfo {
        class_name: class.to_string(),
        kind: kind.to_string(),
        version: Some(VERSION.to_string()),
    };
    let mut out: Vec<PluginInfo> = converter::CONVERTERS
        .iter()
        .map(|c| info(c, "converter"))
        .collect();
    out.extend(
        converter::HEADER_CONVERTERS
            .iter()
            .map(|c| info(c, "header_converter")),
    );
    out.extend(
        transform::transformation_classes()
            .into_iter()
            .map(|c| info(c, "transformation")),
    );
    out.extend(
        transform::predicate_classes()
            .into_iter()
            .map(|c| info(c, "predicate")),
    );
    out
}

pub struct WorkerArgs {
    pub worker_file: PathBuf,
    pub connector_files: Vec<PathBuf>,
}

/// Runs a worker until SIGINT or SIGTERM; then stops the tasks (which commit their offsets)
/// and returns.
/// Runs the worker until SIGINT or SIGTERM.
pub fn run(args: WorkerArgs) -> Result<(), WorkerError> {
    run_until(args, wait_for_signal())
}

/// Runs the worker until `stop` completes (the console of `kct local` stops it when it quits);
/// then stops the tasks, commits their offsets and returns.
pub fn run_until(
    args: WorkerArgs,
    stop: impl std::future::Future<Output = ()>,
) -> Result<(), WorkerError> {
    let worker = Arc::new(WorkerConfig::from_file(&args.worker_file)?);
    for note in &worker.notes {
        crate::say!("WARN {note}");
    }
    let connectors = args
        .connector_files
        .iter()
        .map(|p| read_connector_file(p))
        .collect::<Result<Vec<_>, _>>()?;
    let kafka_opts = std::env::var("KAFKA_OPTS").ok();
    let security = RestSecurity::load(&worker, kafka_opts.as_deref())
        .map_err(|e| WorkerError::Config(format!("{}: {e}", args.worker_file.display())))?;
    let offsets = OffsetStore::new(offset_backing_store(&worker)?);
    let stores = match &worker.topics {
        Some(t) => Some(TopicStores::open(&worker, t).map_err(WorkerError::Kafka)?),
        None => None,
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| WorkerError::Io(format!("cannot start the async runtime: {e}")))?;
    rt.block_on(serve(worker, security, offsets, stores, connectors, stop))
}

fn offset_backing_store(worker: &WorkerConfig) -> Result<Box<dyn OffsetBackingStore>, WorkerError> {
    Ok(match (&worker.topics, &worker.offset_file) {
        (Some(t), _) => {
            Box::new(KafkaOffsetBackingStore::open(worker, t).map_err(WorkerError::Kafka)?)
        }
        (None, Some(path)) => {
            Box::new(FileOffsetBackingStore::open(path.clone()).map_err(WorkerError::Config)?)
        }
        (None, None) => Box::<MemoryOffsetBackingStore>::default(),
    })
}

async fn serve(
    worker: Arc<WorkerConfig>,
    security: RestSecurity,
    offsets: OffsetStore,
    stores: Option<(TopicStores, ConfigState)>,
    connectors: Vec<config::ConnectorFile>,
    stop: impl std::future::Future<Output = ()>,
) -> Result<(), WorkerError> {
    let mut listeners = Vec::new();
    for l in &worker.listeners {
        let addr = SocketAddr::new(l.bind_ip()?, l.port);
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
            WorkerError::Io(format!(
                "cannot listen on {addr}: {}; is another worker running? Set listeners=http://HOST:PORT in the worker file",
                crate::io_error::io_error_text(&e)
            ))
        })?;
        listeners.push((l.https, listener));
    }
    let port = listeners
        .first()
        .and_then(|(_, l)| l.local_addr().ok())
        .map_or(8083, |a| a.port());
    let worker_id = worker.worker_id(port);
    let (handle, herder_thread) = Herder::start(worker.clone(), worker_id.clone(), offsets, stores);
    fetch_cluster_id(&worker, &handle);

    let state = rest::RestState {
        herder: handle.clone(),
        version: REST_VERSION.to_string(),
        commit: option_env!("KCT_COMMIT").unwrap_or("unknown").to_string(),
    };
    let app = security.protect(rest::router(state));
    if let Some(line) = security.auth_summary() {
        crate::say!("INFO {line}");
    }
    let security = Arc::new(security);
    let (stop_tx, _) = tokio::sync::broadcast::channel::<()>(1);
    let mut servers = Vec::new();
    for (https, l) in listeners {
        let addr = l.local_addr().map(|a| a.to_string()).unwrap_or_default();
        let scheme = if https { "https" } else { "http" };
        crate::say!("INFO REST API listening on {scheme}://{addr} (worker id {worker_id})");
        let stop = stop_tx.subscribe();
        let (app, security) = (app.clone(), security.clone());
        servers.push(tokio::spawn(async move {
            security.serve(https, l, app, stop).await
        }));
    }

    // A connector file replaces what the config topic holds under the same name.
    for c in connectors {
        let name = c.name.clone();
        let created = handle
            .call(move |h| h.put_connector(&c.name, c.config, true, c.initial_state))
            .await
            .and_then(|r| r);
        if let Err(e) = created {
            let _ = stop_tx.send(());
            let _ = handle.call(Herder::shutdown).await;
            let _ = herder_thread.join();
            return Err(WorkerError::Config(format!(
                "Failed to create connector {name}: {e}"
            )));
        }
    }

    stop.await;
    crate::say!("INFO Stopping the worker: tasks stop and commit their offsets");
    let _ = stop_tx.send(());
    let _ = handle.call(Herder::shutdown).await;
    let _ = tokio::task::spawn_blocking(move || herder_thread.join()).await;
    for s in servers {
        let _ = tokio::time::timeout(Duration::from_secs(2), s).await;
    }
    crate::say!("INFO Worker stopped");
    Ok(())
}

/// `GET /` reports the Kafka cluster id; the broker may come up after the worker.
fn fetch_cluster_id(worker: &WorkerConfig, handle: &HerderHandle) {
    let mut notes = Vec::new();
    let cc = clients::client_config(worker, clients::Role::Admin, None, &mut notes);
    let handle = handle.clone();
    std::thread::spawn(move || {
        let Ok(consumer) = cc.create::<BaseConsumer>() else {
            return;
        };
        for _ in 0..30 {
            if let Some(id) = consumer.client().fetch_cluster_id(Duration::from_secs(5)) {
                let _ = handle.call_blocking(move |h| h.cluster_id = Some(id));
                return;
            }
        }
    });
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(t) => t,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
