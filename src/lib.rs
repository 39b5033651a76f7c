//! kct library: everything that is not a front end.
pub mod config;
pub mod connect;
pub mod internal;
pub mod io_error;
pub mod kafka;
pub mod record;
pub mod worker;
