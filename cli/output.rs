//! Output of `kct connect`, `kct inspect` and `kct config`: kubectl's `-o table|json|yaml|name`
//! and `--jq FILTER` over the JSON form, plus the one error type those commands exit through.

use clap::{Arg, ArgMatches};
use kct::record::jq::JqFilter;
use serde_json::Value;
use tabled::settings::{Padding, Style};

/// Exit codes of kct's own commands: 0 ok, 1 error, 2 usage.
pub const EXIT_ERROR: i32 = 1;
pub const EXIT_USAGE: i32 = 2;

/// A failure of one of kct's own commands: a one-line message and the exit code.
#[derive(Debug)]
pub struct CliError {
    pub code: i32,
    pub message: String,
}

impl CliError {
    pub fn error(message: impl Into<String>) -> CliError {
        CliError {
            code: EXIT_ERROR,
            message: message.into(),
        }
    }

    pub fn usage(message: impl Into<String>) -> CliError {
        CliError {
            code: EXIT_USAGE,
            message: message.into(),
        }
    }
}

impl<E: std::fmt::Display> From<E> for CliError {
    fn from(e: E) -> CliError {
        CliError::error(e.to_string())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Yaml,
    Name,
}

/// A table: upper-case headers and rows of cells, printed kubectl-style (no borders).
#[derive(Debug, Default)]
pub struct Table {
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: &[&'static str]) -> Table {
        Table {
            headers: headers.to_vec(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn render(&self) -> String {
        let mut b = tabled::builder::Builder::default();
        b.push_record(self.headers.iter().map(|h| h.to_string()));
        for r in &self.rows {
            b.push_record(r.iter().cloned());
        }
        let mut t = b.build();
        t.with(Style::blank()).with(Padding::new(0, 3, 0, 0));
        let mut text: String = t
            .to_string()
            .lines()
            .map(|l| l.trim_end().to_string() + "\n")
            .collect();
        if text.is_empty() {
            text.push('\n');
        }
        text
    }
}

/// The chosen output form.
pub struct Output {
    pub format: Format,
    jq: Option<JqFilter>,
}

/// The `-o` and `--jq` arguments, shared by every command that prints resources.
pub fn args() -> [Arg; 2] {
    [
        Arg::new("output")
            .short('o')
            .long("output")
            .value_name("FORMAT")
            .value_parser(["table", "json", "yaml", "name"])
            .help("Output format [default: table]"),
        Arg::new("jq").long("jq").value_name("FILTER").help(
            "jq filter applied to the JSON form; strings print raw, other values as compact JSON",
        ),
    ]
}

impl Output {
    pub fn from_matches(m: &ArgMatches) -> Result<Output, CliError> {
        let format = match m.get_one::<String>("output").map(String::as_str) {
            Some("json") => Format::Json,
            Some("yaml") => Format::Yaml,
            Some("name") => Format::Name,
            _ => Format::Table,
        };
        let jq = match m.get_one::<String>("jq") {
            Some(f) => Some(JqFilter::compile(f).map_err(|e| CliError::usage(e.to_string()))?),
            None => None,
        };
        Ok(Output { format, jq })
    }

    /// True when the structured (JSON) form is what gets printed.
    pub fn is_structured(&self) -> bool {
        self.jq.is_some() || matches!(self.format, Format::Json | Format::Yaml)
    }

    /// Prints `json` in the chosen form; `table` and `names` are built only when needed.
    pub fn emit(
        &self,
        json: &Value,
        table: impl FnOnce() -> Table,
        names: impl FnOnce() -> Vec<String>,
    ) -> Result<(), CliError> {
        let text = if let Some(jq) = &self.jq {
            run_jq(jq, json)?
        } else {
            match self.format {
                Format::Json => pretty_json(json),
                Format::Yaml => serde_yaml_ng::to_string(json)
                    .map_err(|e| CliError::error(format!("cannot render YAML: {e}")))?,
                Format::Name => names().into_iter().map(|n| n + "\n").collect(),
                Format::Table => table().render(),
            }
        };
        write_stdout(text.as_bytes())
    }
}

pub fn pretty_json(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// Runs `jq` on `json`: each output on its own line, strings raw (as `jq -r`).
fn run_jq(jq: &JqFilter, json: &Value) -> Result<String, CliError> {
    let input = serde_json::to_vec(json)?;
    let mut out = Vec::new();
    jq.apply(&input, b"\n", &mut out)?;
    let mut text = String::new();
    for line in String::from_utf8_lossy(&out).lines() {
        match serde_json::from_str::<Value>(line) {
            Ok(Value::String(s)) => text.push_str(&s),
            _ => text.push_str(line),
        }
        text.push('\n');
    }
    Ok(text)
}

/// Writes to stdout; a closed pipe ends quietly (as `head` expects), other failures are errors.
pub fn write_stdout(bytes: &[u8]) -> Result<(), CliError> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::error(format!(
            "cannot write to stdout: {}",
            kct::io_error::io_error_text(&e)
        ))),
    }
}

/// Exit code for `result`, printing the error as `kct <what>: message`.
pub fn finish(what: &str, result: Result<(), CliError>) -> i32 {
    match result {
        Ok(()) => 0,
        Err(e) => {
            kct::say!("kct {what}: {}", e.message);
            e.code
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_have_no_borders_and_no_trailing_spaces() {
        let mut t = Table::new(&["NAME", "STATE"]);
        t.row(vec!["a-long-name".into(), "RUNNING".into()]);
        t.row(vec!["b".into(), "FAILED".into()]);
        assert_eq!(
            t.render(),
            "NAME           STATE\na-long-name    RUNNING\nb              FAILED\n"
        );
    }

    #[test]
    fn jq_prints_strings_raw_and_values_compact() {
        let jq = JqFilter::compile(".[] | .name, .n").unwrap();
        let v = serde_json::json!([{"name": "a", "n": {"x": 1}}]);
        assert_eq!(run_jq(&jq, &v).unwrap(), "a\n{\"x\":1}\n");
    }
}
