//! Client configuration: contexts (`config.toml`), kcat's `-X`/`-F`/`KCAT_CONFIG` rules and secret masking.

pub mod context;
pub mod kcat;
pub mod mask;
