//! `kct -V`: kcat's version block, with kct's version and the bundled librdkafka's.

use std::ffi::{CStr, CString};

use rdkafka::bindings as rd;

pub fn version_block() -> String {
    format!(
        "kct - Apache Kafka producer and consumer tool, kcat-compatible\n\
         https://crates.io/crates/kct\n\
         Copyright (c) 2026, the kct developers\n\
         Version {} (JSON, Transactions, IncrementalAssign, librdkafka {} builtin.features={})\n",
        env!("CARGO_PKG_VERSION"),
        librdkafka_version(),
        builtin_features()
    )
}

pub fn librdkafka_version() -> String {
    // SAFETY: returns a static C string.
    unsafe { CStr::from_ptr(rd::rd_kafka_version_str()) }
        .to_string_lossy()
        .into_owned()
}

fn builtin_features() -> String {
    let name = CString::new("builtin.features").expect("static name");
    let mut buf = [0 as std::ffi::c_char; 512];
    let mut size = buf.len();
    // SAFETY: a fresh configuration is read and destroyed here.
    unsafe {
        let conf = rd::rd_kafka_conf_new();
        let res = rd::rd_kafka_conf_get(conf, name.as_ptr(), buf.as_mut_ptr(), &mut size);
        rd::rd_kafka_conf_destroy(conf);
        if res != rd::rd_kafka_conf_res_t::RD_KAFKA_CONF_OK {
            return String::new();
        }
        CStr::from_ptr(buf.as_ptr()).to_string_lossy().into_owned()
    }
}

pub fn usage() -> String {
    include_str!("usage.txt").replace("{VERSION_BLOCK}", version_block().trim_end())
}
