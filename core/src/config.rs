//! Configs given as Kafka's `key=value` pairs: a topic's ([`TopicConfig`]) and the number
//! and boolean parsing every client's configs share.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::error::{err, Error, Result};
use crate::record::TimestampType;
use crate::state_hash::StateHasher;

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

/// `cleanup.policy`: delete, compact, or both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CleanupPolicy {
    /// Old segments are deleted by `retention.ms` / `retention.bytes`.
    pub delete: bool,
    /// The log cleaner keeps the latest record per key.
    pub compact: bool,
}

impl CleanupPolicy {
    fn name(self) -> &'static str {
        match (self.compact, self.delete) {
            (true, true) => "compact,delete",
            (true, false) => "compact",
            _ => "delete",
        }
    }
}

/// A topic's configs, by Kafka's keys, with Kafka's defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct TopicConfig {
    /// `cleanup.policy` (default `delete`).
    pub cleanup_policy: CleanupPolicy,
    /// `retention.ms` (default 7 days; -1 keeps forever).
    pub retention_ms: i64,
    /// `retention.bytes` per partition (default -1: no limit).
    pub retention_bytes: i64,
    /// `segment.bytes` (default 1 GiB).
    pub segment_bytes: u64,
    /// `segment.ms` (default 7 days).
    pub segment_ms: u64,
    /// `min.compaction.lag.ms` (default 0).
    pub min_compaction_lag_ms: u64,
    /// `delete.retention.ms`: how long tombstones stay after cleaning (default 1 day).
    pub delete_retention_ms: u64,
    /// `max.message.bytes`: the largest batch the broker accepts (default 1048588).
    pub max_message_bytes: u32,
    /// `message.timestamp.type` (default `CreateTime`).
    pub message_timestamp_type: TimestampType,
    /// `min.cleanable.dirty.ratio` (default 0.5).
    pub min_cleanable_dirty_ratio: f64,
    /// `min.insync.replicas` (default 1).
    pub min_insync_replicas: u32,
    /// `unclean.leader.election.enable`: elect a replica outside the ISR rather than stay
    /// offline (default false).
    pub unclean_leader_election_enable: bool,
    overrides: Vec<(String, String)>,
}

impl Default for TopicConfig {
    fn default() -> Self {
        Self {
            cleanup_policy: CleanupPolicy {
                delete: true,
                compact: false,
            },
            retention_ms: 604_800_000,
            retention_bytes: -1,
            segment_bytes: 1_073_741_824,
            segment_ms: 604_800_000,
            min_compaction_lag_ms: 0,
            delete_retention_ms: 86_400_000,
            max_message_bytes: 1_048_588,
            message_timestamp_type: TimestampType::CreateTime,
            min_cleanable_dirty_ratio: 0.5,
            min_insync_replicas: 1,
            unclean_leader_election_enable: false,
            overrides: Vec::new(),
        }
    }
}

/// The topic config keys logplay implements, in describe order.
pub const TOPIC_CONFIG_KEYS: [&str; 12] = [
    "cleanup.policy",
    "delete.retention.ms",
    "max.message.bytes",
    "message.timestamp.type",
    "min.cleanable.dirty.ratio",
    "min.compaction.lag.ms",
    "min.insync.replicas",
    "retention.bytes",
    "retention.ms",
    "segment.bytes",
    "segment.ms",
    "unclean.leader.election.enable",
];

impl TopicConfig {
    /// Defaults overridden by `entries`; an unknown key or bad value is `INVALID_CONFIG`.
    pub fn from_entries<'a>(entries: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self> {
        let mut config = Self::default();
        for (k, v) in entries {
            config.set(k, v)?;
        }
        Ok(config)
    }

    /// Sets one config by its Kafka key.
    pub fn set(&mut self, key: &str, value: &str) -> Result<()> {
        let v = value.trim();
        match key {
            "cleanup.policy" => {
                let mut p = CleanupPolicy {
                    delete: false,
                    compact: false,
                };
                for part in v.split(',').map(str::trim) {
                    match part {
                        "delete" => p.delete = true,
                        "compact" => p.compact = true,
                        _ => {
                            return Err(invalid(
                                key,
                                value,
                                "String must be one of: compact, delete",
                            ))
                        }
                    }
                }
                self.cleanup_policy = p;
            }
            "retention.ms" => self.retention_ms = parse_num(key, v, -1, i64::MAX)?,
            "retention.bytes" => self.retention_bytes = parse_num(key, v, -1, i64::MAX)?,
            "segment.bytes" => {
                self.segment_bytes = parse_num(key, v, 14, i64::from(i32::MAX))? as u64
            }
            "segment.ms" => self.segment_ms = parse_num(key, v, 1, i64::MAX)? as u64,
            "min.compaction.lag.ms" => {
                self.min_compaction_lag_ms = parse_num(key, v, 0, i64::MAX)? as u64
            }
            "delete.retention.ms" => {
                self.delete_retention_ms = parse_num(key, v, 0, i64::MAX)? as u64
            }
            "max.message.bytes" => {
                self.max_message_bytes = parse_num(key, v, 0, i64::from(i32::MAX))? as u32
            }
            "min.insync.replicas" => {
                self.min_insync_replicas = parse_num(key, v, 1, i64::from(i32::MAX))? as u32
            }
            "unclean.leader.election.enable" => {
                self.unclean_leader_election_enable = match v {
                    "true" => true,
                    "false" => false,
                    _ => {
                        return Err(invalid(
                            key,
                            value,
                            "Expected value to be either true or false",
                        ))
                    }
                }
            }
            "message.timestamp.type" => {
                self.message_timestamp_type = match v {
                    "CreateTime" => TimestampType::CreateTime,
                    "LogAppendTime" => TimestampType::LogAppendTime,
                    _ => {
                        return Err(invalid(
                            key,
                            value,
                            "String must be one of: CreateTime, LogAppendTime",
                        ))
                    }
                }
            }
            "min.cleanable.dirty.ratio" => {
                let r = parse_double(v)
                    .ok_or_else(|| invalid(key, value, "Not a number of type DOUBLE"))?;
                if !(0.0..=1.0).contains(&r) {
                    return Err(invalid(key, value, "Value must be in the range [0, 1]"));
                }
                self.min_cleanable_dirty_ratio = r;
            }
            _ => return Err(err!(InvalidConfig, "Unknown topic config name: {key}")),
        }
        self.overrides.retain(|(k, _)| k != key);
        let at = self.overrides.partition_point(|(k, _)| k.as_str() < key);
        self.overrides.insert(at, (key.to_string(), v.to_string()));
        Ok(())
    }

    /// The configs set explicitly, by key.
    pub fn overrides(&self) -> &[(String, String)] {
        &self.overrides
    }

    /// The value of `key` as Kafka prints it, or `None` for an unknown key.
    pub fn get(&self, key: &str) -> Option<String> {
        Some(match key {
            "cleanup.policy" => self.cleanup_policy.name().to_string(),
            "retention.ms" => self.retention_ms.to_string(),
            "retention.bytes" => self.retention_bytes.to_string(),
            "segment.bytes" => self.segment_bytes.to_string(),
            "segment.ms" => self.segment_ms.to_string(),
            "min.compaction.lag.ms" => self.min_compaction_lag_ms.to_string(),
            "delete.retention.ms" => self.delete_retention_ms.to_string(),
            "max.message.bytes" => self.max_message_bytes.to_string(),
            "min.insync.replicas" => self.min_insync_replicas.to_string(),
            "unclean.leader.election.enable" => self.unclean_leader_election_enable.to_string(),
            "message.timestamp.type" => self.message_timestamp_type.name().to_string(),
            "min.cleanable.dirty.ratio" => {
                serde_json::Value::from(self.min_cleanable_dirty_ratio).to_string()
            }
            _ => return None,
        })
    }

    /// Feeds the config into `h`.
    pub fn hash_into(&self, h: &mut StateHasher) {
        for key in TOPIC_CONFIG_KEYS {
            h.str(key);
            h.str(&self.get(key).unwrap_or_default());
        }
    }
}

fn invalid(key: &str, value: &str, why: &str) -> Error {
    err!(
        InvalidConfig,
        "Invalid value {value} for configuration {key}: {why}"
    )
}

/// A decimal number as Java's `Double.parseDouble` reads the usual forms (`0.5`, `.5`, `5.`,
/// `+0.5`, `5e-1`), parsed by serde_json once the forms JSON lacks are completed (core's own
/// float parser would add a 10 KB table to the download for this one config).
fn parse_double(v: &str) -> Option<f64> {
    let (sign, digits) = match v.as_bytes().first() {
        Some(b'-') => ("-", &v[1..]),
        Some(b'+') => ("", &v[1..]),
        _ => ("", v),
    };
    if !digits.starts_with(|c: char| c.is_ascii_digit() || c == '.') || digits == "." {
        return None;
    }
    let lead = if digits.starts_with('.') { "0" } else { "" };
    let trail = if digits.ends_with('.') { "0" } else { "" };
    serde_json::from_str(&format!("{sign}{lead}{digits}{trail}")).ok()
}

/// Parses a whole number within `[min, max]`, with Kafka's messages.
pub(crate) fn parse_num(key: &str, v: &str, min: i64, max: i64) -> Result<i64> {
    let n: i64 = v
        .parse()
        .map_err(|_| invalid(key, v, "Not a number of type LONG"))?;
    if n < min {
        return Err(invalid(key, v, &format!("Value must be at least {min}")));
    }
    if n > max {
        return Err(invalid(
            key,
            v,
            &format!("Value must be no more than {max}"),
        ));
    }
    Ok(n)
}
