//! Single message transformations and predicates, Kafka Connect's
//! `org.apache.kafka.connect.transforms`: the two traits, the chain a connector config
//! declares, the `…/config/validate` entries for it, and the plugin listings. Each SMT lives in
//! its own file; `registry` maps Java class names to them.

mod cast;
mod chain;
mod date_format;
mod extract;
mod filter;
mod flatten;
mod headers;
mod hoist;
mod insert;
mod mask;
mod predicates;
mod registry;
mod replace;
mod routers;
mod schema_metadata;
mod support;
mod timestamp;
mod value_to_key;

pub use chain::{validate, TransformError, TransformationChain};

use crate::worker::configdef::ConfigDef;
use crate::worker::data::ConnectRecord;
use registry::PluginKind;

/// A single message transformation.
pub trait Transformation: Send {
    /// `None` = the record is dropped (Filter).
    fn apply(&self, record: ConnectRecord) -> Result<Option<ConnectRecord>, String>;
}

/// A condition that decides whether a transformation applies to a record.
pub trait Predicate: Send {
    fn test(&self, record: &ConnectRecord) -> bool;
}

/// The transformation classes, for `GET /connector-plugins?connectorsOnly=false`.
pub fn transformation_classes() -> Vec<&'static str> {
    registry::classes(PluginKind::Transformation)
}

/// The predicate classes, for `GET /connector-plugins?connectorsOnly=false`.
pub fn predicate_classes() -> Vec<&'static str> {
    registry::classes(PluginKind::Predicate)
}

/// The own keys of a transformation or predicate class, by full or simple name (`RegexRouter`,
/// `Cast$Value`), for `GET /connector-plugins/{plugin}/config`.
pub fn config_def(class: &str) -> Option<ConfigDef> {
    registry::find(class).map(registry::Plugin::config_def)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_listings() {
        assert!(transformation_classes()
            .contains(&"org.apache.kafka.connect.transforms.TimestampRouter"));
        assert_eq!(
            predicate_classes(),
            [
                "org.apache.kafka.connect.transforms.predicates.HasHeaderKey",
                "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone",
                "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
            ]
        );
        let def = config_def("org.apache.kafka.connect.transforms.TimestampRouter").unwrap();
        let names: Vec<&str> = def.keys.iter().map(|k| k.name.as_str()).collect();
        assert_eq!(names, ["topic.format", "timestamp.format"]);
        assert_eq!(config_def("Cast$Key").unwrap().keys[0].name, "spec");
        assert!(config_def("TopicNameMatches").is_some());
        assert!(config_def("Cast").is_none());
    }
}
