//! The framework's connector settings (Connect's `ConnectorConfig`, `SourceConnectorConfig`,
//! `SinkConnectorConfig`): the keys every connector takes besides its own, in Connect's groups,
//! and the validation `POST /connectors` and `…/config/validate` run.

use crate::connect::types::{ConfigInfo, ConfigInfos, ConfigMap, ConnectorType};
use crate::worker::configdef::{
    ConfigDef, ConfigType as T, Default as D, Importance as I, Key, Validator as V, Width as W,
};
use crate::worker::plugin::{self, PluginDesc};
use crate::worker::transform;

const COMMON: Option<&str> = Some("Common");
const TRANSFORMS: Option<&str> = Some("Transforms");
const PREDICATES: Option<&str> = Some("Predicates");
const ERRORS: Option<&str> = Some("Error Handling");
const TOPIC_CREATION: Option<&str> = Some("Topic Creation");
const EXACTLY_ONCE: Option<&str> = Some("Exactly Once Support");
const OFFSETS_TOPIC: Option<&str> = Some("offsets.topic");

fn common() -> ConfigDef {
    ConfigDef::new()
        .define(
            Key::new("name", T::String, D::Required, I::High, "Globally unique name to use for this connector."),
            V::Name,
            COMMON,
            W::Medium,
            "Connector name",
        )
        .define(
            Key::new("connector.class", T::String, D::Required, I::High, "Name or alias of the class for this connector."),
            V::Any,
            COMMON,
            W::Long,
            "Connector class",
        )
        .define(
            Key::new("tasks.max", T::Int, D::Value("1"), I::High, "Maximum number of tasks to use for this connector."),
            V::AtLeast(1),
            COMMON,
            W::Short,
            "Tasks max",
        )
        .define(
            Key::new("tasks.max.enforce", T::Boolean, D::Value("true"), I::Low, "(Deprecated) Whether to enforce that the tasks.max property is respected by the connector."),
            V::Any,
            COMMON,
            W::Short,
            "Enforce tasks max",
        )
        .define(
            Key::new("key.converter", T::Class, D::Null, I::Low, "Converter class for the keys of this connector's records; the worker's when unset."),
            V::Any,
            COMMON,
            W::Short,
            "Key converter class",
        )
        .define(
            Key::new("value.converter", T::Class, D::Null, I::Low, "Converter class for the values of this connector's records; the worker's when unset."),
            V::Any,
            COMMON,
            W::Short,
            "Value converter class",
        )
        .define(
            Key::new("header.converter", T::Class, D::Null, I::Low, "HeaderConverter class for this connector's record headers; the worker's when unset."),
            V::Any,
            COMMON,
            W::Short,
            "Header converter class",
        )
        .define(
            Key::new("config.action.reload", T::String, D::Value("restart"), I::Low, "What to do when an external configuration provider changes: none or restart."),
            V::OneOf(&["none", "restart"]),
            COMMON,
            W::Medium,
            "Reload Action",
        )
        .define(
            Key::new("transforms", T::List, D::Value(""), I::Low, "Aliases for the transformations to apply to records."),
            V::Any,
            TRANSFORMS,
            W::Long,
            "Transforms",
        )
        .define(
            Key::new("predicates", T::List, D::Value(""), I::Low, "Aliases for the predicates used by transformations."),
            V::Any,
            PREDICATES,
            W::Long,
            "Predicates",
        )
        .define(
            Key::new("errors.retry.timeout", T::Long, D::Value("0"), I::Medium, "Maximum duration in milliseconds that a failed operation is retried; -1 retries forever."),
            V::Any,
            ERRORS,
            W::Medium,
            "Retry Timeout for Errors",
        )
        .define(
            Key::new("errors.retry.delay.max.ms", T::Long, D::Value("60000"), I::Medium, "Maximum delay in milliseconds between consecutive retries."),
            V::Any,
            ERRORS,
            W::Medium,
            "Maximum Delay Between Retries for Errors",
        )
        .define(
            Key::new("errors.tolerance", T::String, D::Value("none"), I::Medium, "none fails the task on the first error; all skips problematic records."),
            V::OneOf(&["none", "all"]),
            ERRORS,
            W::Short,
            "Error Tolerance",
        )
        .define(
            Key::new("errors.log.enable", T::Boolean, D::Value("false"), I::Medium, "Log each error and the failed operation."),
            V::Any,
            ERRORS,
            W::Short,
            "Log Errors",
        )
        .define(
            Key::new("errors.log.include.messages", T::Boolean, D::Value("false"), I::Medium, "Include the failed record in the log."),
            V::Any,
            ERRORS,
            W::Short,
            "Log Error Details",
        )
}

fn sink() -> ConfigDef {
    common()
        .define(
            Key::new(
                "topics",
                T::List,
                D::Value(""),
                I::High,
                "Topics to consume; use this or topics.regex.",
            ),
            V::Any,
            COMMON,
            W::Long,
            "Topics",
        )
        .define(
            Key::new(
                "topics.regex",
                T::String,
                D::Value(""),
                I::High,
                "Regular expression of the topics to consume; use this or topics.",
            ),
            V::Any,
            COMMON,
            W::Long,
            "Topics regex",
        )
        .define(
            Key::new(
                "errors.deadletterqueue.topic.name",
                T::String,
                D::Value(""),
                I::Medium,
                "Topic that receives records that failed in the sink (dead letter queue).",
            ),
            V::Any,
            ERRORS,
            W::Medium,
            "Dead Letter Queue Topic Name",
        )
        .define(
            Key::new(
                "errors.deadletterqueue.topic.replication.factor",
                T::Short,
                D::Value("3"),
                I::Medium,
                "Replication factor of the dead letter queue topic when it is created.",
            ),
            V::Any,
            ERRORS,
            W::Medium,
            "Dead Letter Queue Topic Replication Factor",
        )
        .define(
            Key::new(
                "errors.deadletterqueue.context.headers.enable",
                T::Boolean,
                D::Value("false"),
                I::Medium,
                "Add __connect.errors.* headers with the error's context to dead-lettered records.",
            ),
            V::Any,
            ERRORS,
            W::Medium,
            "Enable Error Context Headers",
        )
}

fn source() -> ConfigDef {
    common()
        .define(
            Key::new(
                "topic.creation.groups",
                T::List,
                D::Value(""),
                I::Low,
                "Groups of configurations for topics created by source connectors.",
            ),
            V::Any,
            TOPIC_CREATION,
            W::Long,
            "Topic Creation Groups",
        )
        .define(
            Key::new(
                "exactly.once.support",
                T::String,
                D::Value("requested"),
                I::Medium,
                "Whether exactly-once delivery is required (required) or only requested.",
            ),
            V::OneOf(&["requested", "required"]),
            EXACTLY_ONCE,
            W::Short,
            "Exactly once support",
        )
        .define(
            Key::new(
                "transaction.boundary",
                T::String,
                D::Value("poll"),
                I::Medium,
                "Transaction boundaries for exactly-once source: poll, interval or connector.",
            ),
            V::OneOf(&["poll", "interval", "connector"]),
            EXACTLY_ONCE,
            W::Short,
            "Transaction Boundary",
        )
        .define(
            Key::new(
                "transaction.boundary.interval.ms",
                T::Long,
                D::Null,
                I::Low,
                "Interval of transaction commits when transaction.boundary is interval.",
            ),
            V::Any,
            EXACTLY_ONCE,
            W::Short,
            "Transaction boundary interval",
        )
        .define(
            Key::new(
                "offsets.storage.topic",
                T::String,
                D::Null,
                I::Low,
                "A separate offsets topic for this connector.",
            ),
            V::Any,
            OFFSETS_TOPIC,
            W::Long,
            "Offsets topic",
        )
}

/// The framework's definition merged with the plugin's own keys (the plugin's win).
pub fn definition(plugin: &PluginDesc) -> ConfigDef {
    let framework = match plugin.kind() {
        ConnectorType::Sink => sink(),
        _ => source(),
    };
    framework.merge(&(plugin.config_def)())
}

/// `ConfigInfos` for a connector config, as `…/config/validate` answers it.
pub fn validate(plugin: &PluginDesc, class_as_given: &str, config: &ConfigMap) -> ConfigInfos {
    let def = definition(plugin);
    let mut configs = def.validate(config);
    if plugin.kind() == ConnectorType::Sink {
        sink_topics_errors(config, &mut configs);
    }
    let mut groups = def.groups();
    let (transform_groups, transform_configs) = transform::validate(config);
    groups.extend(transform_groups);
    configs.extend(transform_configs);
    let error_count = configs
        .iter()
        .filter_map(|c| c.value.as_ref())
        .map(|v| v.errors.len())
        .sum();
    ConfigInfos {
        name: class_as_given.to_string(),
        error_count,
        groups,
        configs,
    }
}

/// `SinkConnectorConfig.validate`: exactly one of `topics` and `topics.regex`.
fn sink_topics_errors(config: &ConfigMap, configs: &mut [ConfigInfo]) {
    let set = |k: &str| config.get(k).is_some_and(|v| !v.trim().is_empty());
    let msg = match (set("topics"), set("topics.regex")) {
        (true, true) => "Must configure one of topics or topics.regex, not both",
        (false, false) => "Must configure one of topics or topics.regex",
        _ => return,
    };
    for c in configs.iter_mut() {
        if let Some(v) = c
            .value
            .as_mut()
            .filter(|v| v.name == "topics" || v.name == "topics.regex")
        {
            v.errors.push(msg.to_string());
        }
    }
}

/// Every error message of a validation, for the 400 answer of create/update.
pub fn errors(infos: &ConfigInfos) -> Vec<String> {
    infos
        .configs
        .iter()
        .filter_map(|c| c.value.as_ref())
        .flat_map(|v| v.errors.iter().cloned())
        .collect()
}

/// The plugin named by `connector.class`, or Connect's error for a missing or unknown class.
pub fn plugin_for(config: &ConfigMap) -> Result<&'static PluginDesc, String> {
    let class = config.get("connector.class").ok_or_else(|| {
        format!(
            "Connector config {} contains no connector type",
            render(config)
        )
    })?;
    plugin::find(class).ok_or_else(|| {
        let names: Vec<&str> = plugin::all().iter().map(|p| p.class).collect();
        format!(
            "Failed to find any class that implements Connector and which name matches {class}, available connectors are: {}",
            names.join(", ")
        )
    })
}

/// A config map as Java's `Map.toString` shows it: `{k=v, k2=v2}`.
pub fn render(config: &ConfigMap) -> String {
    let inner: Vec<String> = config.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{{{}}}", inner.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(pairs: &[(&str, &str)]) -> ConfigMap {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn file_source_validation_matches_connects_shape() {
        let c = cfg(&[("connector.class", "FileStreamSource"), ("name", "s")]);
        let p = plugin_for(&c).unwrap();
        let infos = validate(p, "FileStreamSource", &c);
        assert_eq!(infos.name, "FileStreamSource");
        assert_eq!(
            infos.groups,
            [
                "Common",
                "Transforms",
                "Predicates",
                "Error Handling",
                "Topic Creation",
                "Exactly Once Support",
                "offsets.topic"
            ]
        );
        assert_eq!(
            errors(&infos),
            ["Missing required configuration \"topic\" which has no default value."]
        );
        assert_eq!(infos.error_count, 1);
        let topic = infos
            .configs
            .iter()
            .find(|c| c.definition.as_ref().unwrap().name == "topic")
            .unwrap();
        assert_eq!(topic.definition.as_ref().unwrap().group, None);
        assert_eq!(topic.definition.as_ref().unwrap().order, -1);
    }

    #[test]
    fn sink_needs_exactly_one_of_topics_and_regex_and_unknown_class_is_named() {
        let c = cfg(&[("connector.class", "FileStreamSink"), ("name", "k")]);
        let infos = validate(plugin_for(&c).unwrap(), "FileStreamSink", &c);
        assert_eq!(infos.error_count, 2);
        let e = plugin_for(&cfg(&[("connector.class", "com.x.Nope")]))
            .err()
            .unwrap();
        assert!(e.starts_with("Failed to find any class that implements Connector and which name matches com.x.Nope"), "{e}");
        let e = plugin_for(&cfg(&[("name", "x")])).err().unwrap();
        assert_eq!(e, "Connector config {name=x} contains no connector type");
    }
}
