//! kct's clap command: `--help`, `--version`, `connect`, `config`, `tui`, `worker`, `local`,
//! `completions` and `man`. kcat-mode flags come from
//! the flag table in `kcat_args.rs`, so help, completions and the man page list exactly what the
//! parser accepts.

use clap::{Arg, ArgAction, Command};

use crate::kcat_args::{FLAGS, LONG_FLAGS};

pub fn command() -> Command {
    let mut cmd = Command::new("kct")
        .version(env!("CARGO_PKG_VERSION"))
        .about("kcat-compatible Kafka CLI for Kafka Connect operators")
        .long_about(
            "kct is a drop-in for kcat 1.7: the same flags, output bytes and exit codes \
             (`kct -b host -t topic -C -J`, `-P -Z -K# -p 17`, `-L`, `-Q`, `-G`), faster, and with \
             --jq, binary-safe JSON, JSON input and Java-compatible partitioning. \
             Any first argument starting with a single `-` is kcat mode; `kct -h` prints kcat-style usage.",
        )
        // kcat's -h and -V are kcat-mode flags below: clap keeps only the long forms.
        .disable_help_flag(true)
        .disable_version_flag(true)
        .arg(Arg::new("help").long("help").action(ArgAction::Help).help("Print help"))
        .arg(
            Arg::new("version")
                .long("version")
                .action(ArgAction::Version)
                .help("Print version"),
        )
        .subcommand(
            Command::new("completions")
                .about("Print a shell completion script")
                .arg(Arg::new("shell").required(true).value_parser(["bash", "zsh", "fish"])),
        )
        .subcommand(Command::new("man").about("Print the man page (roff)"))
        .subcommand(crate::inspect::command())
        .subcommand(crate::connect::command())
        .subcommand(crate::config_cmd::command())
        .subcommand(crate::tui::command())
        .subcommand(
            Command::new("local")
                .about("Run a worker with an example pipeline on this machine, with a broker")
                .long_about(
                    "Uses --bootstrap if given, else the broker on 127.0.0.1:9092, else starts tansu \
                     (SQLite storage in the data directory). Writes a worker file and an example \
                     pipeline (input.txt → FileStreamSource → topic connect-test → FileStreamSink → \
                     output.txt) to the data directory and runs the worker with its REST API on \
                     127.0.0.1:8083. On a terminal the console opens on it (the worker's log goes \
                     to worker.log in the data directory) and quitting the console stops the \
                     worker; otherwise (or with --no-tui) the worker runs until Ctrl-C.",
                )
                .arg(Arg::new("bootstrap").long("bootstrap").value_name("HOST:PORT").help("Broker to use"))
                .arg(
                    Arg::new("dir")
                        .long("dir")
                        .value_name("DIR")
                        .value_parser(clap::value_parser!(std::path::PathBuf))
                        .help("Where the worker's files live [default: <data dir>/kct/local]"),
                )
                .arg(
                    Arg::new("port")
                        .long("port")
                        .value_name("PORT")
                        .default_value("8083")
                        .value_parser(clap::value_parser!(u16))
                        .help("REST API port on 127.0.0.1"),
                )
                .arg(
                    Arg::new("no-tui")
                        .long("no-tui")
                        .action(ArgAction::SetTrue)
                        .help("Run the worker in the foreground (log on stderr) instead of opening the console"),
                ),
        )
        .subcommand(
            Command::new("worker")
                .about("Run a Kafka Connect worker, as connect-standalone.sh does")
                .long_about(
                    "Runs a Kafka Connect-compatible worker: the same worker and connector files as \
                     connect-standalone.sh (connector files may be .properties or .json), the same REST \
                     API (on 127.0.0.1:8083 unless `listeners` says otherwise), offsets in the same \
                     file format. SIGINT or SIGTERM stops the tasks, commits offsets and exits 0.",
                )
                .arg(
                    Arg::new("worker")
                        .required(true)
                        .value_name("WORKER.properties")
                        .value_parser(clap::value_parser!(std::path::PathBuf)),
                )
                .arg(
                    Arg::new("connectors")
                        .num_args(0..)
                        .value_name("CONNECTOR.properties|CONNECTOR.json")
                        .value_parser(clap::value_parser!(std::path::PathBuf)),
                ),
        );
    // The root disables clap's help flag (kcat owns -h there) and clap passes that on to every
    // subcommand; their users expect `kct connect get -h` and `--help` to work as anywhere else.
    cmd = cmd.mut_subcommands(|sub| {
        sub.disable_help_flag(true).arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .global(true)
                .action(ArgAction::Help)
                .help("Print help"),
        )
    });
    for f in FLAGS {
        let mut arg = Arg::new(f.short.to_string()).short(f.short).help(f.help);
        arg = match f.value {
            Some(v) => arg.value_name(v).action(ArgAction::Append),
            None => arg.action(ArgAction::Count),
        };
        if f.short == 'V' || f.short == 'h' {
            arg = arg.action(ArgAction::SetTrue);
        }
        cmd = cmd.arg(arg);
    }
    for f in LONG_FLAGS {
        let mut arg = Arg::new(f.name).long(f.name).help(f.help);
        arg = match f.value {
            Some(v) => arg.value_name(v),
            None => arg.action(ArgAction::SetTrue),
        };
        cmd = cmd.arg(arg);
    }
    cmd.arg(
        Arg::new("files")
            .num_args(0..)
            .value_name("FILE|TOPIC")
            .help("Files (-P) or topics (-G)"),
    )
}

/// Runs the clap face: `--help`, `--version`, `completions SHELL`, `man`.
pub fn run(args: Vec<String>) -> i32 {
    let mut cmd = command();
    let matches = match cmd
        .clone()
        .try_get_matches_from(std::iter::once("kct".to_string()).chain(args))
    {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    match matches.subcommand() {
        Some(("completions", sub)) => {
            let shell = match sub.get_one::<String>("shell").map(String::as_str) {
                Some("zsh") => clap_complete::Shell::Zsh,
                Some("fish") => clap_complete::Shell::Fish,
                _ => clap_complete::Shell::Bash,
            };
            // Generated into memory first: clap_complete panics when its writer fails.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cmd, "kct", &mut script);
            write_out("the completion script", &script)
        }
        Some(("worker", sub)) => run_worker(sub),
        Some(("inspect", sub)) => crate::inspect::run(sub),
        Some(("connect", sub)) => crate::connect::run(sub),
        Some(("config", sub)) => crate::config_cmd::run(sub),
        Some(("tui", sub)) => crate::tui::run(sub),
        Some(("local", sub)) => run_local(sub),
        Some(("man", _)) => {
            let mut page = Vec::new();
            match clap_mangen::Man::new(cmd).render(&mut page) {
                Ok(()) => write_out("the man page", &page),
                Err(e) => {
                    kct::say!("kct: cannot render the man page: {e}");
                    1
                }
            }
        }
        _ => {
            let _ = cmd.print_long_help();
            0
        }
    }
}

fn run_local(sub: &clap::ArgMatches) -> i32 {
    let args = kct::worker::local::LocalArgs {
        bootstrap: sub.get_one::<String>("bootstrap").cloned(),
        dir: sub.get_one::<std::path::PathBuf>("dir").cloned(),
        port: sub.get_one::<u16>("port").copied().unwrap_or(8083),
    };
    if !sub.get_flag("no-tui") && crate::tui::on_terminal() {
        return crate::local_console::run(args);
    }
    match kct::worker::local::run_local(args) {
        Ok(()) => 0,
        Err(e) => {
            kct::say!("kct local: {e}");
            1
        }
    }
}

fn run_worker(sub: &clap::ArgMatches) -> i32 {
    let args = kct::worker::WorkerArgs {
        worker_file: sub
            .get_one::<std::path::PathBuf>("worker")
            .cloned()
            .unwrap_or_default(),
        connector_files: sub
            .get_many::<std::path::PathBuf>("connectors")
            .map(|v| v.cloned().collect())
            .unwrap_or_default(),
    };
    match kct::worker::run(args) {
        Ok(()) => 0,
        Err(e) => {
            kct::say!("kct worker: {e}");
            1
        }
    }
}

/// Writes `bytes` to stdout; a closed pipe or full disk is a one-line error and exit 1.
fn write_out(what: &str, bytes: &[u8]) -> i32 {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Ok(()) => 0,
        Err(e) => {
            kct::say!(
                "kct: cannot write {what}: {}",
                kct::io_error::io_error_text(&e)
            );
            1
        }
    }
}
