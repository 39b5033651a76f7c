//! The chain a connector config declares (`transforms=a,b`, `transforms.a.type=…`,
//! `transforms.a.predicate=p`, `transforms.a.negate=true`, `predicates=p`,
//! `predicates.p.type=…`), and the validation entries `…/config/validate` adds for it, one
//! group per alias, as Connect's `ConnectorConfig.enrich` does.

use std::fmt;

use super::registry::{self, Plugin, PluginKind};
use super::support::ConfigError;
use super::{Predicate, Transformation};
use crate::connect::types::{ConfigInfo, ConfigKeyInfo, ConfigMap, ConfigValueInfo};
use crate::worker::configdef::list;
use crate::worker::data::ConnectRecord;

const TRANSFORMS: &str = "transforms";
const PREDICATES: &str = "predicates";

impl PluginKind {
    /// The connector key that lists the aliases, and prefixes their settings.
    fn aliases_key(self) -> &'static str {
        match self {
            PluginKind::Transformation => TRANSFORMS,
            PluginKind::Predicate => PREDICATES,
        }
    }
}

/// One configured transformation, with the predicate that gates it.
struct Step {
    alias: String,
    class: &'static str,
    transform: Box<dyn Transformation>,
    predicate: Option<Box<dyn Predicate>>,
    negate: bool,
}

impl Step {
    fn apply(&self, record: ConnectRecord) -> Result<Option<ConnectRecord>, String> {
        if let Some(p) = &self.predicate {
            if p.test(&record) == self.negate {
                return Ok(Some(record));
            }
        }
        self.transform.apply(record)
    }
}

/// A transformation that failed on a record: which one, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Transformation '{alias}' ({class}) failed: {message}")]
pub struct TransformError {
    pub alias: String,
    pub class: String,
    pub message: String,
}

/// The transformations of one connector, applied in order to every record.
#[derive(Default)]
pub struct TransformationChain {
    steps: Vec<Step>,
}

impl fmt::Debug for TransformationChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(
                self.steps
                    .iter()
                    .map(|s| format!("{}={}", s.alias, s.class)),
            )
            .finish()
    }
}

impl TransformationChain {
    /// Builds the chain; the error is one line naming the alias, the key and what to change.
    pub fn from_config(config: &ConfigMap) -> Result<TransformationChain, String> {
        let transforms = aliases(config, PluginKind::Transformation)?;
        let predicates = aliases(config, PluginKind::Predicate)?;
        // Declared predicates are checked even when no transformation uses them yet.
        for alias in &predicates {
            build_predicate(config, alias)?;
        }
        let steps = transforms
            .iter()
            .map(|alias| build_step(config, alias, &predicates))
            .collect::<Result<_, _>>()?;
        Ok(TransformationChain { steps })
    }

    /// `None` when a transformation dropped the record.
    pub fn apply(
        &self,
        mut record: ConnectRecord,
    ) -> Result<Option<ConnectRecord>, TransformError> {
        for step in &self.steps {
            match step.apply(record) {
                Ok(Some(next)) => record = next,
                Ok(None) => return Ok(None),
                Err(message) => {
                    return Err(TransformError {
                        alias: step.alias.clone(),
                        class: step.class.to_string(),
                        message,
                    })
                }
            }
        }
        Ok(Some(record))
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }
}

/// The aliases a list key names; Connect refuses duplicates.
fn aliases(config: &ConfigMap, kind: PluginKind) -> Result<Vec<String>, String> {
    let key = kind.aliases_key();
    let raw = config.get(key).map_or("", String::as_str);
    let items = list(raw);
    for (i, alias) in items.iter().enumerate() {
        if items[..i].contains(alias) {
            return Err(format!(
                "Invalid value {raw} for configuration {key}: Duplicate alias provided. ('{alias}' appears twice)"
            ));
        }
    }
    Ok(items)
}

/// Connect's distinct aliases, in order, for validation (duplicates are reported elsewhere).
fn unique_aliases(config: &ConfigMap, kind: PluginKind) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for alias in list(config.get(kind.aliases_key()).map_or("", String::as_str)) {
        if !out.contains(&alias) {
            out.push(alias);
        }
    }
    out
}

fn prefix(kind: PluginKind, alias: &str) -> String {
    format!("{}.{alias}.", kind.aliases_key())
}

/// `Transformation 'a': <message> (check <key>)`, or the same for a predicate.
fn describe(kind: PluginKind, alias: &str, e: &ConfigError) -> String {
    let hint = match &e.key {
        Some(key) if !e.message.contains(key.as_str()) => format!(" (check {key})"),
        _ => String::new(),
    };
    format!("{} '{alias}': {}{hint}", kind.word(), e.message)
}

fn resolve(kind: PluginKind, config: &ConfigMap, alias: &str) -> Result<&'static Plugin, String> {
    let key = format!("{}type", prefix(kind, alias));
    registry::resolve(kind, &key, config.get(&key).map(String::as_str)).map_err(|e| {
        let example = match kind {
            PluginKind::Transformation => "org.apache.kafka.connect.transforms.RegexRouter",
            PluginKind::Predicate => "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
        };
        format!(
            "{}; set {key} to a class GET /connector-plugins?connectorsOnly=false lists, e.g. {example}",
            describe(kind, alias, &e)
        )
    })
}

fn build_predicate(config: &ConfigMap, alias: &str) -> Result<Box<dyn Predicate>, String> {
    let kind = PluginKind::Predicate;
    let plugin = resolve(kind, config, alias)?;
    plugin
        .predicate(&prefix(kind, alias), config)
        .map_err(|e| describe(kind, alias, &e))
}

fn build_step(config: &ConfigMap, alias: &str, predicates: &[String]) -> Result<Step, String> {
    let kind = PluginKind::Transformation;
    let plugin = resolve(kind, config, alias)?;
    let prefix = prefix(kind, alias);
    if let Some(e) = negate_without_predicate(config, &prefix) {
        return Err(describe(kind, alias, &e));
    }
    let transform = plugin
        .transformation(&prefix, config)
        .map_err(|e| describe(kind, alias, &e))?;
    let predicate = match predicate_alias(config, &prefix) {
        None => None,
        Some(p) => {
            if let Some(e) = unknown_predicate(&prefix, p, predicates) {
                return Err(describe(kind, alias, &e));
            }
            Some(build_predicate(config, p)?)
        }
    };
    let negate = config
        .get(&format!("{prefix}negate"))
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    Ok(Step {
        alias: alias.to_string(),
        class: plugin.class,
        transform,
        predicate,
        negate,
    })
}

fn predicate_alias<'c>(config: &'c ConfigMap, prefix: &str) -> Option<&'c str> {
    config
        .get(&format!("{prefix}predicate"))
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
}

/// Connect's check that `negate` comes with a `predicate`.
fn negate_without_predicate(config: &ConfigMap, prefix: &str) -> Option<ConfigError> {
    let negate = format!("{prefix}negate");
    let predicate = format!("{prefix}predicate");
    (config.contains_key(&negate) && !config.contains_key(&predicate)).then(|| ConfigError {
        message: format!(
            "Config '{negate}' was provided but there is no config '{predicate}' defining a predicate to be negated."
        ),
        key: Some(negate),
    })
}

fn unknown_predicate(prefix: &str, alias: &str, predicates: &[String]) -> Option<ConfigError> {
    let key = format!("{prefix}predicate");
    (!predicates.iter().any(|p| p == alias)).then(|| ConfigError {
        message: format!(
            "Invalid value {alias} for configuration {key}: no predicate '{alias}' is listed in predicates; add it there and set predicates.{alias}.type"
        ),
        key: Some(key),
    })
}

/// The `…/config/validate` groups and entries for the configured transforms and predicates.
pub fn validate(config: &ConfigMap) -> (Vec<String>, Vec<ConfigInfo>) {
    let predicates = unique_aliases(config, PluginKind::Predicate);
    let mut groups = Vec::new();
    let mut infos = Vec::new();
    for (kind, group_prefix) in [
        (PluginKind::Transformation, "Transforms"),
        (PluginKind::Predicate, "Predicates"),
    ] {
        for alias in unique_aliases(config, kind) {
            let group = format!("{group_prefix}: {alias}");
            infos.extend(alias_entries(kind, &alias, &group, config, &predicates));
            groups.push(group);
        }
    }
    (groups, infos)
}

fn alias_entries(
    kind: PluginKind,
    alias: &str,
    group: &str,
    config: &ConfigMap,
    predicates: &[String],
) -> Vec<ConfigInfo> {
    let prefix = prefix(kind, alias);
    let type_key = format!("{prefix}type");
    let resolved = registry::resolve(kind, &type_key, config.get(&type_key).map(String::as_str));
    let mut type_entry = type_info(
        kind,
        alias,
        group,
        &type_key,
        resolved.as_ref().ok().map(|p| p.class),
    );
    let plugin = match resolved {
        Ok(plugin) => plugin,
        Err(e) => {
            add_error(&mut type_entry, e.message);
            return vec![type_entry];
        }
    };
    if kind == PluginKind::Transformation {
        if let Some(e) = negate_without_predicate(config, &prefix) {
            add_error(&mut type_entry, e.message);
        }
    }
    let mut entries = plugin.embedded_def(&prefix).validate(config);
    for (i, entry) in entries.iter_mut().enumerate() {
        if let Some(d) = entry.definition.as_mut() {
            d.group = Some(group.to_string());
            d.order = i as i32 + 1;
        }
    }
    if kind == PluginKind::Transformation {
        if let Some(e) =
            predicate_alias(config, &prefix).and_then(|p| unknown_predicate(&prefix, p, predicates))
        {
            attach(&mut type_entry, &mut entries, e);
        }
    }
    if !entries.iter().any(has_errors) {
        let built = match kind {
            PluginKind::Transformation => plugin.transformation(&prefix, config).err(),
            PluginKind::Predicate => plugin.predicate(&prefix, config).err(),
        };
        if let Some(e) = built {
            attach(&mut type_entry, &mut entries, e);
        }
    }
    let mut out = vec![type_entry];
    out.extend(entries);
    out
}

/// The `type` entry Connect defines for every alias.
fn type_info(
    kind: PluginKind,
    alias: &str,
    group: &str,
    key: &str,
    class: Option<&str>,
) -> ConfigInfo {
    let word = kind.word();
    ConfigInfo {
        definition: Some(ConfigKeyInfo {
            name: key.to_string(),
            kind: "CLASS".to_string(),
            required: true,
            default_value: None,
            importance: "HIGH".to_string(),
            documentation: Some(format!("Class for the '{alias}' {}.", word.to_lowercase())),
            group: Some(group.to_string()),
            order: 0,
            width: "LONG".to_string(),
            display_name: format!("{word} type for {alias}"),
            dependents: Vec::new(),
        }),
        value: Some(ConfigValueInfo {
            name: key.to_string(),
            value: class.map(str::to_string),
            recommended_values: registry::classes(kind)
                .into_iter()
                .map(str::to_string)
                .collect(),
            errors: Vec::new(),
            visible: true,
        }),
    }
}

fn has_errors(info: &ConfigInfo) -> bool {
    info.value.as_ref().is_some_and(|v| !v.errors.is_empty())
}

fn add_error(info: &mut ConfigInfo, message: String) {
    if let Some(v) = info.value.as_mut() {
        v.errors.push(message);
    }
}

/// Puts the error on the entry of its key, else on the `type` entry.
fn attach(type_entry: &mut ConfigInfo, entries: &mut [ConfigInfo], e: ConfigError) {
    let target = e.key.as_ref().and_then(|key| {
        entries
            .iter_mut()
            .find(|i| i.definition.as_ref().is_some_and(|d| &d.name == key))
    });
    match target {
        Some(info) => add_error(info, e.message),
        None => add_error(type_entry, e.message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::data::{Header, Value};

    fn config(pairs: &[(&str, &str)]) -> ConfigMap {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn record(topic: &str) -> ConnectRecord {
        ConnectRecord::new(topic.into(), None, Value::from("v"))
    }

    #[test]
    fn empty_config_is_an_empty_chain() {
        let chain = TransformationChain::from_config(&ConfigMap::new()).unwrap();
        assert!(chain.is_empty());
        assert_eq!(chain.apply(record("t")).unwrap().unwrap().topic, "t");
        assert!(TransformationChain::default().is_empty());
    }

    #[test]
    fn applies_in_order_and_stops_at_a_drop() {
        let c = config(&[
            ("transforms", "route, tag"),
            ("transforms.route.type", "RegexRouter"),
            ("transforms.route.regex", "(.*)"),
            ("transforms.route.replacement", "$1-x"),
            (
                "transforms.tag.type",
                "org.apache.kafka.connect.transforms.InsertHeader",
            ),
            ("transforms.tag.header", "h"),
            ("transforms.tag.value.literal", "v"),
        ]);
        let chain = TransformationChain::from_config(&c).unwrap();
        assert!(!chain.is_empty());
        assert_eq!(format!("{chain:?}"), "[\"route=org.apache.kafka.connect.transforms.RegexRouter\", \"tag=org.apache.kafka.connect.transforms.InsertHeader\"]");
        let out = chain.apply(record("a")).unwrap().unwrap();
        assert_eq!(out.topic, "a-x");
        assert_eq!(
            out.headers,
            vec![Header::new(
                "h",
                Some(crate::worker::data::Schema::string()),
                Value::from("v")
            )]
        );
    }

    #[test]
    fn predicates_gate_transformations_and_negate_flips_them() {
        let mut pairs = vec![
            ("transforms", "drop"),
            ("transforms.drop.type", "Filter"),
            ("transforms.drop.predicate", "isTest"),
            ("predicates", "isTest"),
            (
                "predicates.isTest.type",
                "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
            ),
            ("predicates.isTest.pattern", "test-.*"),
        ];
        let chain = TransformationChain::from_config(&config(&pairs)).unwrap();
        assert!(chain.apply(record("test-1")).unwrap().is_none());
        assert!(chain.apply(record("prod-1")).unwrap().is_some());
        pairs.push(("transforms.drop.negate", "true"));
        let chain = TransformationChain::from_config(&config(&pairs)).unwrap();
        assert!(chain.apply(record("test-1")).unwrap().is_some());
        assert!(chain.apply(record("prod-1")).unwrap().is_none());
    }

    #[test]
    fn apply_errors_name_the_alias() {
        let c = config(&[
            ("transforms", "c"),
            ("transforms.c.type", "Cast$Value"),
            ("transforms.c.spec", "a:int8"),
        ]);
        let err = TransformationChain::from_config(&c)
            .unwrap()
            .apply(record("t"))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Transformation 'c' (org.apache.kafka.connect.transforms.Cast$Value) failed: Only Map objects supported in absence of schema for [cast types], found: java.lang.String"
        );
    }

    fn from_config_err(pairs: &[(&str, &str)]) -> String {
        TransformationChain::from_config(&config(pairs))
            .err()
            .unwrap()
    }

    #[test]
    fn config_errors_are_one_line_with_the_alias_and_key() {
        let err = from_config_err(&[("transforms", "a")]);
        assert!(
            err.starts_with(
                "Transformation 'a': Missing required configuration \"transforms.a.type\""
            ),
            "{err}"
        );
        assert!(err.contains("set transforms.a.type to a class"), "{err}");
        let err = from_config_err(&[("transforms", "a"), ("transforms.a.type", "Nope")]);
        assert!(err.contains("Class Nope could not be found."), "{err}");
        let err = from_config_err(&[
            ("transforms", "c"),
            ("transforms.c.type", "Cast$Value"),
            ("transforms.c.spec", ""),
        ]);
        assert_eq!(err, "Transformation 'c': Must specify at least one field to cast. (check transforms.c.spec)");
        let err = from_config_err(&[("transforms", "a,a"), ("transforms.a.type", "Filter")]);
        assert!(err.contains("Duplicate alias provided."), "{err}");
        let err = from_config_err(&[
            ("transforms", "a"),
            ("transforms.a.type", "Filter"),
            ("transforms.a.negate", "true"),
        ]);
        assert!(
            err.starts_with("Transformation 'a': Config 'transforms.a.negate' was provided"),
            "{err}"
        );
        let err = from_config_err(&[
            ("transforms", "a"),
            ("transforms.a.type", "Filter"),
            ("transforms.a.predicate", "p"),
        ]);
        assert!(
            err.contains("no predicate 'p' is listed in predicates"),
            "{err}"
        );
        let err = from_config_err(&[
            ("predicates", "p"),
            ("predicates.p.type", "TopicNameMatches"),
        ]);
        assert!(
            err.starts_with(
                "Predicate 'p': Missing required configuration \"predicates.p.pattern\""
            ),
            "{err}"
        );
        assert!(!err.contains('\n'));
    }

    fn entry<'i>(infos: &'i [ConfigInfo], name: &str) -> &'i ConfigInfo {
        infos
            .iter()
            .find(|i| i.definition.as_ref().is_some_and(|d| d.name == name))
            .unwrap_or_else(|| panic!("no entry {name}"))
    }

    fn errors(info: &ConfigInfo) -> Vec<String> {
        info.value
            .as_ref()
            .map(|v| v.errors.clone())
            .unwrap_or_default()
    }

    #[test]
    fn validate_reports_groups_and_prefixed_keys() {
        let c = config(&[
            ("transforms", "cast,bad"),
            ("transforms.cast.type", "Cast$Value"),
            ("transforms.cast.spec", "a:int99"),
            ("transforms.bad.type", "com.acme.Nope"),
            ("predicates", "p"),
            ("predicates.p.type", "RecordIsTombstone"),
        ]);
        let (groups, infos) = validate(&c);
        assert_eq!(
            groups,
            ["Transforms: cast", "Transforms: bad", "Predicates: p"]
        );
        let type_entry = entry(&infos, "transforms.cast.type");
        let d = type_entry.definition.as_ref().unwrap();
        assert_eq!(
            (d.kind.as_str(), d.order, d.width.as_str()),
            ("CLASS", 0, "LONG")
        );
        assert_eq!(d.display_name, "Transformation type for cast");
        assert_eq!(
            d.documentation.as_deref(),
            Some("Class for the 'cast' transformation.")
        );
        let v = type_entry.value.as_ref().unwrap();
        assert_eq!(
            v.value.as_deref(),
            Some("org.apache.kafka.connect.transforms.Cast$Value")
        );
        assert!(v
            .recommended_values
            .iter()
            .any(|c| c.ends_with("RegexRouter")));
        let spec = entry(&infos, "transforms.cast.spec");
        let d = spec.definition.as_ref().unwrap();
        assert_eq!(
            (d.group.as_deref(), d.order, d.display_name.as_str()),
            (Some("Transforms: cast"), 1, "spec")
        );
        assert_eq!(errors(spec), ["Invalid type found in casting spec: int99"]);
        assert_eq!(
            errors(entry(&infos, "transforms.bad.type")),
            ["Invalid value com.acme.Nope for configuration transforms.bad.type: Class com.acme.Nope could not be found."]
        );
        assert!(infos
            .iter()
            .all(|i| i.definition.as_ref().unwrap().name != "transforms.bad.negate"));
        let p = entry(&infos, "predicates.p.type");
        assert_eq!(
            p.definition.as_ref().unwrap().display_name,
            "Predicate type for p"
        );
        assert!(errors(p).is_empty());
        let negate = entry(&infos, "transforms.cast.negate");
        assert_eq!(
            negate.value.as_ref().unwrap().value.as_deref(),
            Some("false")
        );
    }

    #[test]
    fn validate_reports_missing_keys_and_predicate_wiring() {
        let c = config(&[
            ("transforms", "r,f"),
            ("transforms.r.type", "RegexRouter"),
            ("transforms.r.regex", "x"),
            ("transforms.f.type", "Filter"),
            ("transforms.f.predicate", "nope"),
            ("transforms.f.negate", "yes"),
        ]);
        let (_, infos) = validate(&c);
        assert_eq!(
            errors(entry(&infos, "transforms.r.replacement")),
            ["Missing required configuration \"transforms.r.replacement\" which has no default value."]
        );
        assert!(errors(entry(&infos, "transforms.f.predicate"))[0].contains("no predicate 'nope'"));
        assert!(errors(entry(&infos, "transforms.f.negate"))[0]
            .contains("Expected value to be either true or false"));
        let (_, infos) = validate(&config(&[
            ("transforms", "f"),
            ("transforms.f.type", "Filter"),
            ("transforms.f.negate", "true"),
        ]));
        assert!(errors(entry(&infos, "transforms.f.type"))[0]
            .starts_with("Config 'transforms.f.negate' was provided"));
        let (groups, infos) = validate(&config(&[("transforms", "x")]));
        assert_eq!(groups, ["Transforms: x"]);
        assert_eq!(infos.len(), 1);
        assert!(errors(&infos[0])[0].starts_with("Missing required configuration"));
    }
}
