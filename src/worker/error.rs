//! The worker's error value: an HTTP status plus Java's message, so the herder's answers map
//! one to one onto Connect's `{"error_code":…,"message":…}` bodies.

use crate::connect::types::ErrorMessage;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ConnectError {
    pub status: u16,
    pub message: String,
}

impl ConnectError {
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        ConnectError {
            status,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(409, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(500, message)
    }

    pub fn body(&self) -> ErrorMessage {
        ErrorMessage {
            error_code: self.status,
            message: self.message.clone(),
        }
    }
}

/// Errors that stop the worker from starting: bad files, bad settings, a port in use.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error("{0}")]
    Config(String),
    #[error("{0}")]
    Kafka(String),
    #[error("{0}")]
    Io(String),
}
