//! Parsing client configs given as Kafka's `key=value` pairs.

use crate::error::{err, Result};
use crate::topic::parse_num;

/// Parses `true`/`false` as Kafka's BOOLEAN type.
pub(crate) fn parse_bool(key: &str, v: &str) -> Result<bool> {
    match v.trim() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(err!(
            InvalidConfig,
            "Invalid value {v} for configuration {key}: Expected value to be either true or false"
        )),
    }
}

/// Parses a non-negative whole number no larger than `max`.
pub(crate) fn parse_u64(key: &str, v: &str, min: u64, max: u64) -> Result<u64> {
    Ok(parse_num(key, v.trim(), min as i64, max.min(i64::MAX as u64) as i64)? as u64)
}

/// The error for a key a client does not know.
pub(crate) fn unknown_key(client: &str, key: &str) -> crate::error::Error {
    err!(
        InvalidConfig,
        "Unknown {client} config name: {key} (logplay refuses configs it does not implement)"
    )
}
