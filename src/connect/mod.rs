//! Kafka Connect's REST API: the entity types shared by the worker's server and the client, and
//! the client itself.
pub mod client;
pub mod ops;
pub mod types;
