//! Kafka client configurations of the worker's producers, consumers and admin clients: the
//! worker's Java-named settings (`bootstrap.servers`, security keys, `producer.*`,
//! `consumer.*`, `admin.*`) and a connector's `*.override.*`, as librdkafka properties.

use rdkafka::config::ClientConfig;

use super::config::WorkerConfig;
use crate::config::kcat::java_to_librdkafka;
use crate::connect::types::ConfigMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Producer,
    Consumer,
    Admin,
}

impl Role {
    fn override_prefix(self) -> &'static str {
        match self {
            Role::Producer => "producer.override.",
            Role::Consumer => "consumer.override.",
            Role::Admin => "admin.override.",
        }
    }
}

/// Java settings that have no librdkafka counterpart and nothing to translate to: the Java
/// serializers (kct's converters produce bytes) and the Java client's memory knobs.
const JAVA_ONLY: &[&str] = &[
    "key.serializer",
    "value.serializer",
    "key.deserializer",
    "value.deserializer",
    "buffer.memory",
    "max.poll.records",
    "max.block.ms",
    "delivery.timeout.ms",
    "client.dns.lookup",
    "interceptor.classes",
    "metric.reporters",
    "partitioner.class",
    "ssl.truststore.type",
    "ssl.keystore.type",
];

/// A client config for `role`; settings librdkafka does not know are left out and reported in
/// `notes` (never with their values: they may be secrets).
pub fn client_config(
    worker: &WorkerConfig,
    role: Role,
    connector: Option<&ConfigMap>,
    notes: &mut Vec<String>,
) -> ClientConfig {
    let mut cc = ClientConfig::new();
    cc.set("bootstrap.servers", &worker.bootstrap_servers);
    let role_settings = match role {
        Role::Producer => &worker.producer,
        Role::Consumer => &worker.consumer,
        Role::Admin => &worker.admin,
    };
    let overrides: ConfigMap = connector
        .map(|c| {
            c.iter()
                .filter_map(|(k, v)| {
                    Some((k.strip_prefix(role.override_prefix())?.into(), v.clone()))
                })
                .collect()
        })
        .unwrap_or_default();
    for (k, v) in worker.client.iter().chain(role_settings).chain(&overrides) {
        apply(&mut cc, k, v, notes);
    }
    // librdkafka holds a new client's first connection after bootstrap back for half of this
    // (50 ms at its default of 100): every task start would pay it.
    if cc.get("reconnect.backoff.ms").is_none() {
        cc.set("reconnect.backoff.ms", "22");
    }
    cc
}

fn apply(cc: &mut ClientConfig, name: &str, value: &str, notes: &mut Vec<String>) {
    if JAVA_ONLY.contains(&name) {
        return;
    }
    match java_to_librdkafka(name, value) {
        Ok(pairs) => {
            for (n, v) in pairs {
                cc.set(n, v);
            }
        }
        Err(e) => notes.push(format!("client setting '{name}' ignored: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_worker_role_and_connector_overrides() {
        let mut p = ConfigMap::new();
        p.insert("bootstrap.servers".into(), "b:1".into());
        p.insert("security.protocol".into(), "PLAINTEXT".into());
        p.insert("producer.linger.ms".into(), "7".into());
        p.insert("producer.buffer.memory".into(), "1".into());
        p.insert("consumer.bogus.key".into(), "1".into());
        let w = WorkerConfig::from_props(&p).unwrap();
        let mut conn = ConfigMap::new();
        conn.insert("producer.override.linger.ms".into(), "9".into());
        let mut notes = Vec::new();
        let cc = client_config(&w, Role::Producer, Some(&conn), &mut notes);
        assert_eq!(cc.get("linger.ms"), Some("9"));
        assert_eq!(cc.get("security.protocol"), Some("PLAINTEXT"));
        assert_eq!(cc.get("buffer.memory"), None);
        assert_eq!(cc.get("reconnect.backoff.ms"), Some("22"));
        assert!(notes.is_empty(), "{notes:?}");
        let cc = client_config(&w, Role::Consumer, None, &mut notes);
        assert_eq!(cc.get("bootstrap.servers"), Some("b:1"));
        assert_eq!(notes.len(), 1);
        assert!(notes[0].contains("'bogus.key'"), "{notes:?}");
    }
}
