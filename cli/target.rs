//! The target flags every cluster-facing command shares (`--context`, `--connect`, `-b`, `-X`)
//! and their resolution against the config file.

use clap::{Arg, ArgAction, ArgMatches};
use kct::config::context::{config_path, ConfigFile, Overrides, Target};

use crate::output::CliError;

pub fn args() -> [Arg; 4] {
    [
        Arg::new("context")
            .long("context")
            .value_name("NAME")
            .global(true)
            .help("Context from the config file [env: KCT_CONTEXT]"),
        Arg::new("connect")
            .long("connect")
            .value_name("URL")
            .global(true)
            .action(ArgAction::Append)
            .help("Connect REST URL (repeatable), instead of the context's"),
        Arg::new("bootstrap")
            .short('b')
            .long("bootstrap")
            .value_name("HOST:PORT")
            .global(true)
            .help("Kafka bootstrap servers, instead of the context's"),
        Arg::new("property")
            .short('X')
            .value_name("NAME=VALUE")
            .global(true)
            .action(ArgAction::Append)
            .help("Kafka client property, over the context's"),
    ]
}

/// The target named by the flags in `m` and the config file.
pub fn resolve(m: &ArgMatches) -> Result<Target, CliError> {
    let mut kafka = Vec::new();
    for p in m.get_many::<String>("property").into_iter().flatten() {
        let (k, v) = p
            .split_once('=')
            .ok_or_else(|| CliError::usage(format!("-X {p}: expected NAME=VALUE")))?;
        kafka.push((k.to_string(), v.to_string()));
    }
    let overrides = Overrides {
        context: m.get_one::<String>("context").cloned(),
        connect: m
            .get_many::<String>("connect")
            .map(|v| v.cloned().collect())
            .unwrap_or_default(),
        bootstrap: m.get_one::<String>("bootstrap").cloned(),
        kafka,
    };
    let file = ConfigFile::load(&config_path()?)?;
    Ok(file.resolve(&overrides)?)
}
