//! The `kct` binary: kcat mode when the first argument is a flag, kct's own commands otherwise.

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod c_heap;
mod commands;
mod config_cmd;
mod connect;
mod inspect;
mod kcat_args;
mod local_console;
mod offsets_topic;
mod output;
mod signals;
mod target;
#[path = "../tui/mod.rs"]
mod tui;
mod version;

use std::io::Write;
use std::sync::Arc;

use kct::kafka::events::Events;
use kct::kafka::options::{KcatOptions, Mode};
use kct::kafka::{consume, group, produce, query, KafkaError};

use kcat_args::{ArgError, Parsed};

// kct's own allocations come from mimalloc (v2); with glibc, the C libraries' heap is in
// `c_heap` (elsewhere it is the system's malloc).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    // kcat's Docker habit: `kcat kcat -V` drops the repeated program name.
    if matches!(args.first().map(String::as_str), Some("kcat" | "kafkacat")) {
        args.remove(0);
    }
    // `kct` alone on a terminal opens the console; without a terminal it stays kcat's usage.
    if args.is_empty() && tui::on_terminal() {
        args.push("tui".into());
    }
    let code = if is_kcat_mode(&args) {
        run_kcat(&args)
    } else {
        commands::run(args)
    };
    std::process::exit(code);
}

/// kcat mode: any argument list that starts with a single-dash flag, or no arguments at all
/// (when not on a terminal: see `main`).
fn is_kcat_mode(args: &[String]) -> bool {
    match args.first() {
        None => true,
        Some(a) => a.starts_with('-') && !matches!(a.as_str(), "--help" | "--version" | "-help"),
    }
}

fn run_kcat(args: &[String]) -> i32 {
    match kcat_args::parse(args) {
        Ok(Parsed::Version) => print_stdout(&version::version_block()),
        Ok(Parsed::Usage) => print_stdout(&version::usage()),
        Ok(Parsed::PropertyList) => {
            kct::config::kcat::print_property_list();
            0
        }
        Ok(Parsed::Dump(opts)) => {
            let mut out = std::io::stdout().lock();
            match opts.config.dump(&mut out) {
                Ok(()) => 0,
                Err(e) => fail(&format!("% ERROR: {e}")),
            }
        }
        Ok(Parsed::Run(opts)) => run_mode(&opts),
        Err(ArgError::Usage(reason)) => {
            kct::say!("Error: {reason}\n\n{}", version::usage().trim_end());
            1
        }
        Err(ArgError::Fatal(msg)) => fail(&msg),
    }
}

fn run_mode(opts: &KcatOptions) -> i32 {
    signals::install();
    // Only JSON output keeps the consuming thread busy while librdkafka parses the next fetch;
    // everything else runs leaner on glibc's malloc (see c_heap).
    let prints_json = opts.json || opts.jq.is_some();
    if !(prints_json && matches!(opts.mode, Mode::Consume | Mode::Group(_))) {
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        c_heap::use_glibc();
    }
    let events = Arc::new(Events::new(opts.verbosity, opts.continue_on_error));
    let stop = &signals::STOP;
    let result = match &opts.mode {
        Mode::Consume => consume::run(opts, events, stop),
        Mode::Produce => produce::run(opts, events, stop),
        Mode::Group(_) => group::run(opts, events, stop),
        Mode::List => query::run_list(opts, events),
        Mode::Query => query::run_query(opts, events),
    };
    match result {
        Ok(()) => 0,
        Err(KafkaError::Usage(reason)) => {
            kct::say!("Error: {reason}\n\n{}", version::usage().trim_end());
            1
        }
        Err(KafkaError::Config(msg) | KafkaError::Kafka(msg)) => fail(&format!("% ERROR: {msg}")),
    }
}

fn print_stdout(text: &str) -> i32 {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}

fn fail(msg: &str) -> i32 {
    kct::say!("{msg}");
    1
}
