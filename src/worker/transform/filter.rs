//! `Filter`: drops every record it is applied to; useful only with a predicate.

use super::Transformation;
use crate::worker::configdef::ConfigDef;
use crate::worker::data::ConnectRecord;

pub(crate) fn config_def() -> ConfigDef {
    ConfigDef::new()
}

pub(crate) struct Filter;

impl Transformation for Filter {
    fn apply(&self, _record: ConnectRecord) -> Result<Option<ConnectRecord>, String> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::data::Value;

    #[test]
    fn drops_everything() {
        let r = ConnectRecord::new("t".into(), None, Value::from("x"));
        assert!(Filter.apply(r).unwrap().is_none());
    }
}
