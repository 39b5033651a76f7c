//! Client configuration: kcat's `-X`/`-F`/`KCAT_CONFIG` rules and secret masking.

pub mod kcat;
pub mod mask;
