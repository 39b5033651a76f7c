//! Logger levels behind `/admin/loggers` (Connect's `Loggers`): levels set per namespace, a
//! namespace's effective level from its closest set ancestor, and when each was last changed.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::connect::types::LoggerLevel;

pub const LEVELS: &[&str] = &["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "OFF"];

/// Namespaces kct's worker logs under, so `GET /admin/loggers/{name}` knows them.
const KNOWN: &[&str] = &[
    "org.apache.kafka.connect",
    "org.apache.kafka.connect.runtime",
    "org.apache.kafka.connect.runtime.WorkerSourceTask",
    "org.apache.kafka.connect.runtime.WorkerSinkTask",
    "org.apache.kafka.connect.runtime.standalone.StandaloneHerder",
    "org.apache.kafka.connect.file",
];

pub struct Loggers {
    /// Explicitly set levels, with when (epoch ms; None for the start-up root level).
    set: BTreeMap<String, (String, Option<i64>)>,
}

impl Default for Loggers {
    fn default() -> Self {
        let mut set = BTreeMap::new();
        set.insert("root".to_string(), ("INFO".to_string(), None));
        Loggers { set }
    }
}

impl Loggers {
    /// Every explicitly set logger, root included, sorted by name.
    pub fn all(&self) -> BTreeMap<String, LoggerLevel> {
        self.set
            .iter()
            .map(|(k, (level, at))| {
                (
                    k.clone(),
                    LoggerLevel {
                        level: level.clone(),
                        last_modified: *at,
                    },
                )
            })
            .collect()
    }

    /// A logger's level; None for a namespace this worker has never heard of.
    pub fn level(&self, name: &str) -> Option<LoggerLevel> {
        if let Some((level, at)) = self.set.get(name) {
            return Some(LoggerLevel {
                level: level.clone(),
                last_modified: *at,
            });
        }
        let known = KNOWN
            .iter()
            .any(|k| *k == name || k.starts_with(&format!("{name}.")));
        if !known {
            return None;
        }
        Some(LoggerLevel {
            level: self.effective(name),
            last_modified: None,
        })
    }

    fn effective(&self, name: &str) -> String {
        let mut ns = name;
        loop {
            if let Some((level, _)) = self.set.get(ns) {
                return level.clone();
            }
            match ns.rfind('.') {
                Some(i) => ns = &ns[..i],
                None => return self.set["root"].0.clone(),
            }
        }
    }

    /// Sets `namespace` and its children; returns the changed logger names, sorted.
    pub fn set_level(&mut self, namespace: &str, level: &str) -> Result<Vec<String>, String> {
        let level = level.to_ascii_uppercase();
        if !LEVELS.contains(&level.as_str()) {
            return Err(format!("invalid log level '{level}'."));
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        let mut changed: Vec<String> = KNOWN
            .iter()
            .filter(|k| **k == namespace || k.starts_with(&format!("{namespace}.")))
            .map(|k| k.to_string())
            .collect();
        if !changed.iter().any(|c| c == namespace) {
            changed.push(namespace.to_string());
        }
        for name in &changed {
            self.set.insert(name.clone(), (level.clone(), Some(now)));
        }
        changed.sort();
        Ok(changed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_inherit_and_change_with_children() {
        let mut l = Loggers::default();
        assert_eq!(l.level("org.apache.kafka.connect").unwrap().level, "INFO");
        assert!(l.level("com.nope").is_none());
        let changed = l
            .set_level("org.apache.kafka.connect.runtime", "debug")
            .unwrap();
        assert_eq!(changed[0], "org.apache.kafka.connect.runtime");
        assert!(changed.len() >= 3);
        let lv = l
            .level("org.apache.kafka.connect.runtime.WorkerSinkTask")
            .unwrap();
        assert_eq!(lv.level, "DEBUG");
        assert!(lv.last_modified.is_some());
        assert_eq!(l.all()["root"].last_modified, None);
        assert_eq!(
            l.set_level("x", "LOUD").unwrap_err(),
            "invalid log level 'LOUD'."
        );
    }
}
