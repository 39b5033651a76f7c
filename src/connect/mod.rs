//! Kafka Connect's REST API as data: the entity types shared by the worker's server and the
//! client.
pub mod types;
