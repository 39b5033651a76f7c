//! `ExtractField$Key` / `ExtractField$Value`: replaces the key/value with one of its fields,
//! and the field paths it takes (`field.syntax.version`: V1 = a top-level name, V2 = dotted
//! nested paths with backticks around names that contain dots, KIP-821).

use super::support::{
    field_value, java_class, map_get, replace_null_key, require_map, require_struct, Conf,
    ConfigError, Side, REPLACE_NULL,
};
use super::Transformation;
use crate::worker::configdef::{ConfigDef, ConfigType, Default, Importance, Key, Validator};
use crate::worker::data::{ConnectRecord, Schema, SchemaRef, Struct, Value};

const FIELD: &str = "field";
const SYNTAX: &str = "field.syntax.version";
const PURPOSE: &str = "field extraction";

pub(crate) fn config_def() -> ConfigDef {
    ConfigDef::new()
        .plain(
            Key::new(FIELD, ConfigType::String, Default::Required, Importance::Medium, "Field name to extract."),
            Validator::Any,
        )
        .plain(replace_null_key(), Validator::Any)
        .plain(
            Key::new(
                SYNTAX,
                ConfigType::String,
                Default::Value("V1"),
                Importance::High,
                "Defines the version of the syntax to access fields. If set to V1, then the field paths are limited to access the elements at the root level of the struct or map. If set to V2, the syntax will support accessing nested elements. To access nested elements, dotted notation is used. If dots are already included in the field name, then backtick pairs can be used to wrap field names containing dots. E.g. to access the subfield baz from a field named \"foo.bar\" in a struct/map the following format can be used to access its elements: \"`foo.bar`.baz\".",
            ),
            Validator::OneOf(&["V1", "V2"]),
        )
}

pub(crate) fn build(conf: &Conf, side: Side) -> Result<Box<dyn Transformation>, ConfigError> {
    let text = conf.string(FIELD).unwrap_or_default();
    let v2 = conf
        .string(SYNTAX)
        .is_some_and(|v| v.eq_ignore_ascii_case("V2"));
    let path = FieldPath::parse(&text, v2).map_err(|m| conf.error(FIELD, m))?;
    Ok(Box::new(ExtractField {
        side,
        path,
        replace_null: conf.boolean(REPLACE_NULL),
    }))
}

/// A path to a (possibly nested) field: one or more steps.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FieldPath {
    text: String,
    steps: Vec<String>,
}

impl FieldPath {
    pub fn parse(text: &str, v2: bool) -> Result<FieldPath, String> {
        let steps = if v2 {
            v2_steps(text)?
        } else {
            vec![text.to_string()]
        };
        Ok(FieldPath {
            text: text.to_string(),
            steps: if steps.is_empty() {
                vec![String::new()]
            } else {
                steps
            },
        })
    }

    fn parents(&self) -> &[String] {
        &self.steps[..self.steps.len() - 1]
    }

    fn last(&self) -> &str {
        &self.steps[self.steps.len() - 1]
    }

    /// The field's schema; `None` when a step is missing or crosses a non-struct.
    pub fn field_schema<'s>(&self, schema: &'s Schema) -> Option<&'s SchemaRef> {
        let mut current = schema;
        for step in self.parents() {
            current = &current.field(step)?.schema;
        }
        current.field(self.last()).map(|f| &f.schema)
    }

    /// The value at the path; null when a step is missing or a parent is null.
    pub fn value_in_struct(&self, root: &Struct, replace_null: bool) -> Result<Value, String> {
        let mut current = root;
        let mut holder;
        for step in self.parents() {
            let Some(field) = current.schema.field(step) else {
                return Ok(Value::Null);
            };
            holder = match field_value(current, field.index, replace_null) {
                Value::Struct(s) => s,
                Value::Null => return Ok(Value::Null),
                other => return Err(nested_error("Only Struct objects supported for", &other)),
            };
            current = &holder;
        }
        Ok(match current.schema.field(self.last()) {
            Some(field) => field_value(current, field.index, replace_null),
            None => Value::Null,
        })
    }

    pub fn value_in_map(&self, root: &[(Value, Value)]) -> Result<Value, String> {
        let mut current = root;
        for step in self.parents() {
            current = match map_get(current, step) {
                Some(Value::Map(entries)) => entries,
                None | Some(Value::Null) => return Ok(Value::Null),
                Some(other) => {
                    return Err(nested_error(
                        "Only Map objects supported in absence of schema for",
                        other,
                    ))
                }
            };
        }
        Ok(map_get(current, self.last())
            .cloned()
            .unwrap_or(Value::Null))
    }
}

fn nested_error(what: &str, found: &Value) -> String {
    format!("{what} [nested field access], found: {}", java_class(found))
}

/// V2 paths: steps split at dots; a step that starts with a backtick runs to the next backtick
/// followed by a dot (or ending the path), and `` \` `` before such a backtick keeps it in the name.
fn v2_steps(path: &str) -> Result<Vec<String>, String> {
    let mut steps = Vec::new();
    let mut i = 0;
    while i < path.len() {
        if !path[i..].starts_with('`') {
            match path[i..].find('.') {
                Some(dot) => {
                    steps.push(path[i..i + dot].to_string());
                    i += dot + 1;
                }
                None => {
                    steps.push(path[i..].to_string());
                    i = path.len();
                }
            }
            continue;
        }
        let (step, next) = quoted_step(path, i)?;
        steps.push(step);
        i = next;
    }
    if path.ends_with('.') {
        steps.push(String::new());
    }
    Ok(steps)
}

/// The backtick-quoted step opening at `open`, and where the next step starts.
fn quoted_step(path: &str, open: usize) -> Result<(String, usize), String> {
    let incomplete = || {
        format!(
            "Incomplete backtick pair in path: [{path}], consider adding a backslash before backtick at position {open} to escape it"
        )
    };
    let mut step = String::new();
    let mut start = open + 1;
    let mut search = start;
    loop {
        let close = search + path[search..].find('`').ok_or_else(incomplete)?;
        let escaped = path[..close].ends_with('\\');
        if close + 1 >= path.len() {
            if escaped {
                return Err(incomplete());
            }
            step.push_str(&path[start..close]);
            return Ok((step, close + 1));
        }
        if !path[close + 1..].starts_with('.') {
            search = close + 1;
            continue;
        }
        if escaped {
            step.push_str(&path[start..close - 1]);
            step.push('`');
            start = close + 1;
            search = start;
            continue;
        }
        step.push_str(&path[start..close]);
        return Ok((step, close + 2));
    }
}

struct ExtractField {
    side: Side,
    path: FieldPath,
    replace_null: bool,
}

impl Transformation for ExtractField {
    fn apply(&self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>, String> {
        let (schema, value) = self.side.take(&mut record);
        let (schema, value) = match schema {
            None => {
                let value = match value {
                    Value::Null => Value::Null,
                    other => self.path.value_in_map(&require_map(other, PURPOSE)?)?,
                };
                (None, value)
            }
            Some(schema) => {
                let value = match value {
                    Value::Null => None,
                    other => Some(require_struct(other, PURPOSE)?),
                };
                let field_schema = self
                    .path
                    .field_schema(&schema)
                    .ok_or_else(|| format!("Unknown field: {}", self.path.text))?
                    .clone();
                let value = match value {
                    Some(s) => self.path.value_in_struct(&s, self.replace_null)?,
                    None => Value::Null,
                };
                (Some(field_schema), value)
            }
        };
        self.side.set(&mut record, schema, value);
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::data::Type;
    use crate::worker::transform::registry::test_transform;
    use std::sync::Arc;

    fn steps(path: &str) -> Vec<String> {
        FieldPath::parse(path, true).unwrap().steps
    }

    #[test]
    fn v2_paths_split_at_dots_and_honour_backticks() {
        assert_eq!(steps("a.b.c"), ["a", "b", "c"]);
        assert_eq!(steps("`a.b`.c"), ["a.b", "c"]);
        assert_eq!(steps("a.`b.c`"), ["a", "b.c"]);
        assert_eq!(steps("`a`b`.c"), ["a`b", "c"]);
        assert_eq!(steps("`a\\`.b`.c"), ["a`.b", "c"]);
        assert_eq!(steps("a."), ["a", ""]);
        assert_eq!(steps(""), [""]);
        assert_eq!(FieldPath::parse("a.b", false).unwrap().steps, ["a.b"]);
        let err = FieldPath::parse("`a.b", true).unwrap_err();
        assert_eq!(
            err,
            "Incomplete backtick pair in path: [`a.b], consider adding a backslash before backtick at position 0 to escape it"
        );
    }

    fn nested() -> (SchemaRef, Struct) {
        let inner: SchemaRef = Arc::new(
            Schema::struct_builder()
                .field(
                    "b",
                    Schema::new(Type::Int32)
                        .optional()
                        .default_value(Value::Int32(9))
                        .unwrap(),
                )
                .build()
                .optional(),
        );
        let outer: SchemaRef = Arc::new(
            Schema::struct_builder()
                .field("a", inner.clone())
                .field("x.y", Schema::string())
                .build(),
        );
        let mut s = Struct::new(outer.clone()).unwrap();
        s.put("a", Struct::new(inner).unwrap())
            .unwrap()
            .put("x.y", "dotted")
            .unwrap();
        (outer, s)
    }

    fn extract(props: &[(&str, &str)], r: ConnectRecord) -> Result<ConnectRecord, String> {
        let t = test_transform(
            "org.apache.kafka.connect.transforms.ExtractField$Value",
            props,
        )
        .unwrap();
        t.apply(r).map(Option::unwrap)
    }

    #[test]
    fn with_schema_v1_and_v2() {
        let (schema, s) = nested();
        let r = ConnectRecord::new("t".into(), Some(schema.clone()), Value::Struct(s.clone()));
        let out = extract(&[("field", "x.y")], r.clone()).unwrap();
        assert_eq!(
            (out.value, out.value_schema.unwrap().kind),
            (Value::from("dotted"), Type::String)
        );
        let out = extract(
            &[("field", "a.b"), ("field.syntax.version", "v2")],
            r.clone(),
        )
        .unwrap();
        assert_eq!(out.value, Value::Int32(9));
        let raw = [
            ("field", "a.b"),
            ("field.syntax.version", "V2"),
            ("replace.null.with.default", "false"),
        ];
        assert_eq!(extract(&raw, r.clone()).unwrap().value, Value::Null);
        let err = extract(&[("field", "a.b")], r).unwrap_err();
        assert_eq!(err, "Unknown field: a.b");
        let tombstone = ConnectRecord::new("t".into(), Some(schema), Value::Null);
        let out = extract(&[("field", "x.y")], tombstone).unwrap();
        assert_eq!(
            (out.value, out.value_schema.unwrap().kind),
            (Value::Null, Type::String)
        );
    }

    #[test]
    fn schemaless_v1_and_v2() {
        let inner = Value::Map(vec![(Value::from("b"), Value::Int64(1))]);
        let map = Value::Map(vec![
            (Value::from("a"), inner),
            (Value::from("s"), Value::from("x")),
        ]);
        let r = ConnectRecord::new("t".into(), None, map);
        let out = extract(
            &[("field", "a.b"), ("field.syntax.version", "V2")],
            r.clone(),
        )
        .unwrap();
        assert_eq!(out.value, Value::Int64(1));
        assert_eq!(
            extract(&[("field", "missing")], r.clone()).unwrap().value,
            Value::Null
        );
        let err = extract(&[("field", "s.b"), ("field.syntax.version", "V2")], r).unwrap_err();
        assert!(
            err.ends_with("[nested field access], found: java.lang.String"),
            "{err}"
        );
        let err = extract(
            &[("field", "a")],
            ConnectRecord::new("t".into(), None, Value::Int32(1)),
        )
        .unwrap_err();
        assert!(err.contains("[field extraction]"), "{err}");
        let key = test_transform("ExtractField$Key", &[("field", "id")]).unwrap();
        let keyed = ConnectRecord::new("t".into(), None, Value::Null)
            .with_key(None, Value::Map(vec![(Value::from("id"), Value::Int32(3))]));
        assert_eq!(key.apply(keyed).unwrap().unwrap().key, Value::Int32(3));
    }

    #[test]
    fn config_errors() {
        let err = test_transform("ExtractField$Value", &[]).err().unwrap();
        assert!(
            err.message.contains("\"transforms.t.field\""),
            "{}",
            err.message
        );
        let err = test_transform(
            "ExtractField$Value",
            &[("field", "a"), ("field.syntax.version", "V3")],
        )
        .err()
        .unwrap();
        assert!(err
            .message
            .starts_with("Invalid value V3 for configuration transforms.t.field.syntax.version"));
        let err = test_transform(
            "ExtractField$Value",
            &[("field", "`a"), ("field.syntax.version", "V2")],
        )
        .err()
        .unwrap();
        assert_eq!(err.key.as_deref(), Some("transforms.t.field"));
    }
}
