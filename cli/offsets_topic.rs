//! `kct connect … offsets --via topic`: the connector's offsets read from, and written to, the
//! context's `connect-offsets` topic with the inspector's topic path (exact key bytes, the
//! partition the records live in, refusal while running, verification after writing).

use kct::config::context::Target;
use kct::connect::types::{ConnectorOffset, ConnectorOffsets};
use kct::internal::inspect::offsets_view;
use kct::internal::offset_reset::{
    patch_offsets, read_connector_offsets, reset_offsets, ModifyOptions, ModifyReport, Topics,
};
use kct::kafka::topic_read::KafkaTopics;

use crate::output::CliError;

fn topics_io(target: &Target) -> Result<KafkaTopics, CliError> {
    let config = target.kafka_config().map_err(CliError::error)?;
    Ok(KafkaTopics::new(config, &target.bootstrap))
}

/// The connector's offsets as a worker would load them, in the KIP-875 shape.
pub fn read(target: &Target, name: &str) -> Result<ConnectorOffsets, CliError> {
    let io = topics_io(target)?;
    let log = read_connector_offsets(&io, &target.topics.offsets, name).map_err(CliError::error)?;
    let view = offsets_view(&log, None, Some(name));
    let offsets = view
        .offsets
        .into_iter()
        .filter(|e| e.error.is_none())
        .filter_map(|e| {
            let partition = e.partition?;
            let offset = match e.offset {
                serde_json::Value::Object(m) => Some(m),
                _ => None,
            };
            Some(ConnectorOffset { partition, offset })
        })
        .collect();
    Ok(ConnectorOffsets { offsets })
}

/// Resets (`offsets` = `None`) or alters the connector's offsets through the topic. Unless
/// `dry_run`, the planned records are shown and confirmed first.
pub fn change(
    target: &Target,
    name: &str,
    offsets: Option<&ConnectorOffsets>,
    dry_run: bool,
    force: bool,
    confirm: impl FnOnce(&ModifyReport) -> Result<bool, CliError>,
) -> Result<ModifyReport, CliError> {
    let io = topics_io(target)?;
    let topics = Topics {
        offsets: &target.topics.offsets,
        status: &target.topics.status,
    };
    let run = |opts: ModifyOptions| match offsets {
        Some(o) => patch_offsets(&io, topics, name, o, opts),
        None => reset_offsets(&io, topics, name, opts),
    };
    let plan = run(ModifyOptions {
        dry_run: true,
        force,
    })
    .map_err(CliError::from)?;
    if dry_run || plan.records.is_empty() {
        return Ok(plan);
    }
    if !confirm(&plan)? {
        return Err(CliError::error("offsets not changed"));
    }
    run(ModifyOptions {
        dry_run: false,
        force,
    })
    .map_err(CliError::from)
}
