//! The built-in transformation and predicate classes: their Java names, config definitions and
//! builders, how a configured class name (full, or the simple name after the package) resolves
//! to one of them, and how one is configured from a connector config.

use super::support::{Conf, ConfigError, Side};
use super::{
    cast, extract, filter, flatten, headers, hoist, insert, mask, predicates, replace, routers,
    schema_metadata, timestamp, value_to_key, Predicate, Transformation,
};
use crate::connect::types::ConfigMap;
use crate::worker::configdef::{
    ConfigDef, ConfigKey, ConfigType, Default, Importance, Key, Validator,
};

type KeyedBuilder = fn(&Conf, Side) -> Result<Box<dyn Transformation>, ConfigError>;
type RecordBuilder = fn(&Conf) -> Result<Box<dyn Transformation>, ConfigError>;
type PredicateBuilder = fn(&Conf) -> Result<Box<dyn Predicate>, ConfigError>;

/// How a class makes its instances.
pub(crate) enum Maker {
    /// A `$Key` or `$Value` transformation.
    Keyed(KeyedBuilder, Side),
    /// A transformation of the whole record.
    Record(RecordBuilder),
    Predicate(PredicateBuilder),
}

/// Transformations or predicates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PluginKind {
    Transformation,
    Predicate,
}

impl PluginKind {
    /// The Java interface name, as Connect's messages use it.
    pub fn word(self) -> &'static str {
        match self {
            PluginKind::Transformation => "Transformation",
            PluginKind::Predicate => "Predicate",
        }
    }
}

pub(crate) struct Plugin {
    pub class: &'static str,
    def: fn() -> ConfigDef,
    maker: Maker,
}

impl Plugin {
    pub fn kind(&self) -> PluginKind {
        match self.maker {
            Maker::Predicate(_) => PluginKind::Predicate,
            _ => PluginKind::Transformation,
        }
    }

    /// The name after the package (`RegexRouter`, `Cast$Value`).
    fn simple_name(&self) -> &'static str {
        self.class.rsplit('.').next().unwrap_or(self.class)
    }

    pub fn config_def(&self) -> ConfigDef {
        (self.def)()
    }

    /// Every key this class takes inside a connector config, named with `prefix` and in the
    /// order Connect's `ConfigDef.embed` lists them: the implicit `predicate` and `negate` of
    /// a transformation with the class's own keys, required keys first, then by importance and
    /// name.
    pub fn embedded_def(&self, prefix: &str) -> ConfigDef {
        let own = self.config_def();
        let all = match self.kind() {
            PluginKind::Transformation => implicit_transform_keys().merge(&own),
            PluginKind::Predicate => own,
        };
        let mut keys = all.keys;
        keys.sort_by(|a, b| {
            let required = |k: &ConfigKey| k.default != Default::Required;
            let rank = |k: &ConfigKey| match k.importance {
                Importance::High => 0,
                Importance::Medium => 1,
                Importance::Low => 2,
            };
            (required(a), rank(a), &a.name).cmp(&(required(b), rank(b), &b.name))
        });
        prefixed(&ConfigDef { keys }, prefix)
    }

    /// Checks the keys under `prefix` and builds the transformation.
    pub fn transformation(
        &self,
        prefix: &str,
        config: &ConfigMap,
    ) -> Result<Box<dyn Transformation>, ConfigError> {
        let def = self.embedded_def(prefix);
        check(&def, config)?;
        let conf = Conf::new(prefix, &def, config);
        match self.maker {
            Maker::Keyed(build, side) => build(&conf, side),
            Maker::Record(build) => build(&conf),
            Maker::Predicate(_) => Err(not_a(
                PluginKind::Transformation,
                self.class,
                &format!("{prefix}type"),
            )),
        }
    }

    /// Checks the keys under `prefix` and builds the predicate.
    pub fn predicate(
        &self,
        prefix: &str,
        config: &ConfigMap,
    ) -> Result<Box<dyn Predicate>, ConfigError> {
        let def = self.embedded_def(prefix);
        check(&def, config)?;
        let conf = Conf::new(prefix, &def, config);
        match self.maker {
            Maker::Predicate(build) => build(&conf),
            _ => Err(not_a(
                PluginKind::Predicate,
                self.class,
                &format!("{prefix}type"),
            )),
        }
    }
}

/// The keys every transformation takes besides its own (Connect's `PredicatedTransformation`).
fn implicit_transform_keys() -> ConfigDef {
    ConfigDef::new()
        .plain(
            Key::new(
                "predicate",
                ConfigType::String,
                Default::Value(""),
                Importance::Medium,
                "The alias of a predicate used to determine whether to apply this transformation.",
            ),
            Validator::Any,
        )
        .plain(
            Key::new(
                "negate",
                ConfigType::Boolean,
                Default::Value("false"),
                Importance::Medium,
                "Whether the configured predicate should be negated.",
            ),
            Validator::Any,
        )
}

/// `def` with every key renamed to `prefix` + name; display names stay, as in Java's `embed`.
pub(crate) fn prefixed(def: &ConfigDef, prefix: &str) -> ConfigDef {
    let keys = def
        .keys
        .iter()
        .map(|k| ConfigKey {
            name: format!("{prefix}{}", k.name),
            ..k.clone()
        })
        .collect();
    ConfigDef { keys }
}

/// The first problem `def` finds in `config`, with the key it is about.
fn check(def: &ConfigDef, config: &ConfigMap) -> Result<(), ConfigError> {
    for info in def.validate(config) {
        let (Some(definition), Some(value)) = (info.definition, info.value) else {
            continue;
        };
        if let Some(message) = value.errors.into_iter().next() {
            return Err(ConfigError {
                key: Some(definition.name),
                message,
            });
        }
    }
    Ok(())
}

fn not_a(kind: PluginKind, class: &str, key: &str) -> ConfigError {
    ConfigError {
        key: Some(key.to_string()),
        message: format!(
            "Invalid value class {class} for configuration {key}: Not a {}",
            kind.word()
        ),
    }
}

const TRANSFORMS_PACKAGE: &str = "org.apache.kafka.connect.transforms.";

static PLUGINS: &[Plugin] = &[
    keyed(
        "org.apache.kafka.connect.transforms.Cast$Key",
        cast::config_def,
        cast::build,
        Side::Key,
    ),
    keyed(
        "org.apache.kafka.connect.transforms.Cast$Value",
        cast::config_def,
        cast::build,
        Side::Value,
    ),
    record(
        "org.apache.kafka.connect.transforms.DropHeaders",
        headers::drop_headers_def,
        headers::build_drop_headers,
    ),
    keyed(
        "org.apache.kafka.connect.transforms.ExtractField$Key",
        extract::config_def,
        extract::build,
        Side::Key,
    ),
    keyed(
        "org.apache.kafka.connect.transforms.ExtractField$Value",
        extract::config_def,
        extract::build,
        Side::Value,
    ),
    record(
        "org.apache.kafka.connect.transforms.Filter",
        filter::config_def,
        |_| Ok(Box::new(filter::Filter)),
    ),
    keyed(
        "org.apache.kafka.connect.transforms.Flatten$Key",
        flatten::config_def,
        flatten::build,
        Side::Key,
    ),
    keyed(
        "org.apache.kafka.connect.transforms.Flatten$Value",
        flatten::config_def,
        flatten::build,
        Side::Value,
    ),
    keyed(
        "org.apache.kafka.connect.transforms.HeaderFrom$Key",
        headers::header_from_def,
        headers::build_header_from,
        Side::Key,
    ),
    keyed(
        "org.apache.kafka.connect.transforms.HeaderFrom$Value",
        headers::header_from_def,
        headers::build_header_from,
        Side::Value,
    ),
    keyed(
        "org.apache.kafka.connect.transforms.HoistField$Key",
        hoist::config_def,
        hoist::build,
        Side::Key,
    ),
    keyed(
        "org.apache.kafka.connect.transforms.HoistField$Value",
        hoist::config_def,
        hoist::build,
        Side::Value,
    ),
    keyed(
        "org.apache.kafka.connect.transforms.InsertField$Key",
        insert::config_def,
        insert::build,
        Side::Key,
    ),
    keyed(
        "org.apache.kafka.connect.transforms.InsertField$Value",
        insert::config_def,
        insert::build,
        Side::Value,
    ),
    record(
        "org.apache.kafka.connect.transforms.InsertHeader",
        headers::insert_header_def,
        headers::build_insert_header,
    ),
    keyed(
        "org.apache.kafka.connect.transforms.MaskField$Key",
        mask::config_def,
        mask::build,
        Side::Key,
    ),
    keyed(
        "org.apache.kafka.connect.transforms.MaskField$Value",
        mask::config_def,
        mask::build,
        Side::Value,
    ),
    record(
        "org.apache.kafka.connect.transforms.RegexRouter",
        routers::regex_router_def,
        routers::build_regex_router,
    ),
    keyed(
        "org.apache.kafka.connect.transforms.ReplaceField$Key",
        replace::config_def,
        replace::build,
        Side::Key,
    ),
    keyed(
        "org.apache.kafka.connect.transforms.ReplaceField$Value",
        replace::config_def,
        replace::build,
        Side::Value,
    ),
    keyed(
        "org.apache.kafka.connect.transforms.SetSchemaMetadata$Key",
        schema_metadata::config_def,
        schema_metadata::build,
        Side::Key,
    ),
    keyed(
        "org.apache.kafka.connect.transforms.SetSchemaMetadata$Value",
        schema_metadata::config_def,
        schema_metadata::build,
        Side::Value,
    ),
    keyed(
        "org.apache.kafka.connect.transforms.TimestampConverter$Key",
        timestamp::config_def,
        timestamp::build,
        Side::Key,
    ),
    keyed(
        "org.apache.kafka.connect.transforms.TimestampConverter$Value",
        timestamp::config_def,
        timestamp::build,
        Side::Value,
    ),
    record(
        "org.apache.kafka.connect.transforms.TimestampRouter",
        routers::timestamp_router_def,
        routers::build_timestamp_router,
    ),
    record(
        "org.apache.kafka.connect.transforms.ValueToKey",
        value_to_key::config_def,
        value_to_key::build,
    ),
    predicate(
        "org.apache.kafka.connect.transforms.predicates.HasHeaderKey",
        predicates::has_header_key_def,
        predicates::build_has_header_key,
    ),
    predicate(
        "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone",
        predicates::record_is_tombstone_def,
        |_| Ok(Box::new(predicates::RecordIsTombstone)),
    ),
    predicate(
        "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
        predicates::topic_name_matches_def,
        predicates::build_topic_name_matches,
    ),
];

const fn keyed(
    class: &'static str,
    def: fn() -> ConfigDef,
    build: KeyedBuilder,
    side: Side,
) -> Plugin {
    Plugin {
        class,
        def,
        maker: Maker::Keyed(build, side),
    }
}

const fn record(class: &'static str, def: fn() -> ConfigDef, build: RecordBuilder) -> Plugin {
    Plugin {
        class,
        def,
        maker: Maker::Record(build),
    }
}

const fn predicate(class: &'static str, def: fn() -> ConfigDef, build: PredicateBuilder) -> Plugin {
    Plugin {
        class,
        def,
        maker: Maker::Predicate(build),
    }
}

pub(crate) fn classes(kind: PluginKind) -> Vec<&'static str> {
    PLUGINS
        .iter()
        .filter(|p| p.kind() == kind)
        .map(|p| p.class)
        .collect()
}

/// A class by full or simple name, of either kind.
pub(crate) fn find(name: &str) -> Option<&'static Plugin> {
    let name = name.trim();
    PLUGINS
        .iter()
        .find(|p| p.class == name || p.simple_name() == name)
}

/// The class `value` names for the `type` key `key`, or Connect's error for it: missing,
/// unknown, abstract (`Cast` without `$Key`/`$Value`) or of the other kind.
pub(crate) fn resolve(
    kind: PluginKind,
    key: &str,
    value: Option<&str>,
) -> Result<&'static Plugin, ConfigError> {
    let error = |message: String| ConfigError {
        key: Some(key.to_string()),
        message,
    };
    let Some(name) = value.map(str::trim) else {
        return Err(error(format!(
            "Missing required configuration \"{key}\" which has no default value."
        )));
    };
    if let Some(plugin) = find(name) {
        if plugin.kind() != kind {
            return Err(not_a(kind, plugin.class, key));
        }
        return Ok(plugin);
    }
    let base = if name.contains('.') {
        name.to_string()
    } else {
        format!("{TRANSFORMS_PACKAGE}{name}")
    };
    let variants: Vec<&str> = PLUGINS
        .iter()
        .filter(|p| {
            p.class
                .strip_prefix(base.as_str())
                .is_some_and(|rest| rest == "$Key" || rest == "$Value")
        })
        .map(|p| p.class)
        .collect();
    if variants.is_empty() {
        return Err(error(format!(
            "Invalid value {name} for configuration {key}: Class {name} could not be found."
        )));
    }
    let message = match kind {
        PluginKind::Transformation => format!(
            "Transformation is abstract and cannot be created. Did you mean {}?",
            variants.join(", ")
        ),
        PluginKind::Predicate => "Not a Predicate".to_string(),
    };
    Err(error(format!(
        "Invalid value class {base} for configuration {key}: {message}"
    )))
}

#[cfg(test)]
pub(crate) fn test_config(props: &[(&str, &str)]) -> ConfigMap {
    props
        .iter()
        .map(|(k, v)| (format!("transforms.t.{k}"), v.to_string()))
        .collect()
}

/// Builds `class` from `props` given without their `transforms.t.` prefix.
#[cfg(test)]
pub(crate) fn test_transform(
    class: &str,
    props: &[(&str, &str)],
) -> Result<Box<dyn Transformation>, ConfigError> {
    let plugin = find(class).ok_or_else(|| ConfigError {
        key: None,
        message: format!("no class {class}"),
    })?;
    plugin.transformation("transforms.t.", &test_config(props))
}

#[cfg(test)]
pub(crate) fn test_predicate(
    class: &str,
    props: &[(&str, &str)],
) -> Result<Box<dyn Predicate>, ConfigError> {
    let plugin = find(class).ok_or_else(|| ConfigError {
        key: None,
        message: format!("no class {class}"),
    })?;
    plugin.predicate("transforms.t.", &test_config(props))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_the_sixteen_smts_and_three_predicates() {
        let transforms = classes(PluginKind::Transformation);
        assert_eq!(transforms.len(), 26);
        let smts: std::collections::BTreeSet<&str> = transforms
            .iter()
            .map(|c| {
                c.trim_start_matches(TRANSFORMS_PACKAGE)
                    .split('$')
                    .next()
                    .unwrap_or("")
            })
            .collect();
        assert_eq!(smts.len(), 16);
        assert!(transforms.contains(&"org.apache.kafka.connect.transforms.Cast$Value"));
        assert_eq!(classes(PluginKind::Predicate).len(), 3);
    }

    #[test]
    fn resolves_full_and_simple_names() {
        let key = "transforms.a.type";
        let full = resolve(
            PluginKind::Transformation,
            key,
            Some(" org.apache.kafka.connect.transforms.RegexRouter "),
        );
        assert_eq!(
            full.map(|p| p.class).ok(),
            Some("org.apache.kafka.connect.transforms.RegexRouter")
        );
        let simple = resolve(PluginKind::Transformation, key, Some("InsertField$Value"));
        assert_eq!(
            simple.map(|p| p.class).ok(),
            Some("org.apache.kafka.connect.transforms.InsertField$Value")
        );
        let predicate = resolve(
            PluginKind::Predicate,
            "predicates.p.type",
            Some("TopicNameMatches"),
        );
        assert!(predicate.is_ok());
    }

    #[test]
    fn resolution_errors_follow_connect() {
        let key = "transforms.a.type";
        let err = |kind, value| resolve(kind, key, value).err().unwrap().message;
        assert_eq!(
            err(PluginKind::Transformation, None),
            "Missing required configuration \"transforms.a.type\" which has no default value."
        );
        assert_eq!(
            err(PluginKind::Transformation, Some("com.acme.Nope")),
            "Invalid value com.acme.Nope for configuration transforms.a.type: Class com.acme.Nope could not be found."
        );
        assert_eq!(
            err(PluginKind::Transformation, Some("Cast")),
            "Invalid value class org.apache.kafka.connect.transforms.Cast for configuration transforms.a.type: Transformation is abstract and cannot be created. Did you mean org.apache.kafka.connect.transforms.Cast$Key, org.apache.kafka.connect.transforms.Cast$Value?"
        );
        assert_eq!(
            err(PluginKind::Transformation, Some("HasHeaderKey")),
            "Invalid value class org.apache.kafka.connect.transforms.predicates.HasHeaderKey for configuration transforms.a.type: Not a Transformation"
        );
        assert!(err(PluginKind::Predicate, Some("Filter")).ends_with("Not a Predicate"));
    }

    #[test]
    fn embedded_keys_are_prefixed_and_sorted_like_connect() {
        let plugin = find("Cast$Value").unwrap();
        let names: Vec<String> = plugin
            .embedded_def("transforms.c.")
            .keys
            .into_iter()
            .map(|k| k.name)
            .collect();
        assert_eq!(
            names,
            [
                "transforms.c.spec",
                "transforms.c.negate",
                "transforms.c.predicate",
                "transforms.c.replace.null.with.default"
            ]
        );
        let def = plugin.embedded_def("transforms.c.");
        assert_eq!(def.keys[0].display_name, "spec");
        // Required before higher importance: `field` is MEDIUM, `field.syntax.version` HIGH.
        let extract = find("ExtractField$Value").unwrap().embedded_def("");
        let names: Vec<&str> = extract.keys.iter().map(|k| k.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "field",
                "field.syntax.version",
                "negate",
                "predicate",
                "replace.null.with.default"
            ]
        );
        let predicate = find("HasHeaderKey").unwrap().embedded_def("predicates.p.");
        assert_eq!(predicate.keys.len(), 1);
    }

    #[test]
    fn implicit_keys_are_checked() {
        let err = test_transform("Filter", &[("negate", "maybe")])
            .err()
            .unwrap();
        assert_eq!(
            err.message,
            "Invalid value maybe for configuration transforms.t.negate: Expected value to be either true or false"
        );
        assert!(test_transform("Filter", &[("negate", "true"), ("predicate", "p")]).is_ok());
    }
}
