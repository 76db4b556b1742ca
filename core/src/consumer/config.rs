//! The consumer's configuration: `group.id`, `auto.offset.reset`, polling and commits.

use alloc::string::String;
use alloc::vec::Vec;

use crate::config::{parse_bool, parse_u64, unknown_key};
use crate::error::{err, Result};
use crate::log::IsolationLevel;

/// `auto.offset.reset`: where to start when there is no valid position.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum OffsetReset {
    /// The log start offset.
    Earliest,
    /// The high watermark (Java's default).
    #[default]
    Latest,
    /// No reset: poll fails with `NoOffsetForPartitionException`.
    None,
}

impl OffsetReset {
    /// Kafka's spelling.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Earliest => "earliest",
            Self::Latest => "latest",
            Self::None => "none",
        }
    }
}

/// Consumer configs, by Kafka's keys, with the Java client's defaults.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ConsumerConfig {
    /// `client.id`.
    pub client_id: String,
    /// `group.id`: needed to commit offsets.
    pub group_id: Option<String>,
    /// `group.instance.id`: makes the member static (KIP-345).
    pub group_instance_id: Option<String>,
    /// `auto.offset.reset` (default latest).
    pub auto_offset_reset: OffsetReset,
    /// `isolation.level`: the Java client's default, `read_uncommitted` (librdkafka's is
    /// `read_committed`).
    pub isolation_level: IsolationLevel,
    /// `enable.auto.commit` (default true when there is a group id).
    pub enable_auto_commit: bool,
    /// `auto.commit.interval.ms` (default 5000).
    pub auto_commit_interval_ms: u64,
    /// `max.poll.records` (default 500).
    pub max_poll_records: u32,
    /// `fetch.max.bytes` (default 52428800).
    pub fetch_max_bytes: u32,
    /// `max.partition.fetch.bytes` (default 1048576).
    pub max_partition_fetch_bytes: u32,
    /// `session.timeout.ms` (default 45000): silence before the coordinator expels a member.
    pub session_timeout_ms: u64,
    /// `heartbeat.interval.ms` (default 3000).
    pub heartbeat_interval_ms: u64,
    /// `max.poll.interval.ms` (default 300000): a member that does not poll this long leaves.
    pub max_poll_interval_ms: u64,
    /// `partition.assignment.strategy`, most preferred first (default `range,cooperative-sticky`).
    pub assignment_strategies: Vec<String>,
    /// `metadata.max.age.ms` (default 300000): how often a pattern subscription looks for topics.
    pub metadata_max_age_ms: u64,
}

impl Default for ConsumerConfig {
    fn default() -> Self {
        Self {
            client_id: String::new(),
            group_id: None,
            group_instance_id: None,
            auto_offset_reset: OffsetReset::Latest,
            isolation_level: IsolationLevel::ReadUncommitted,
            enable_auto_commit: false,
            auto_commit_interval_ms: 5_000,
            max_poll_records: 500,
            fetch_max_bytes: 52_428_800,
            max_partition_fetch_bytes: 1_048_576,
            session_timeout_ms: 45_000,
            heartbeat_interval_ms: 3_000,
            max_poll_interval_ms: 300_000,
            assignment_strategies: alloc::vec!["range".into(), "cooperative-sticky".into()],
            metadata_max_age_ms: 300_000,
        }
    }
}

/// Kafka's assignor names, also accepted as the Java class names.
fn assignor_name(value: &str) -> Option<&'static str> {
    let short = value.trim().rsplit('.').next().unwrap_or_default();
    Some(match short {
        "range" | "RangeAssignor" => "range",
        "roundrobin" | "RoundRobinAssignor" => "roundrobin",
        "sticky" | "StickyAssignor" => "sticky",
        "cooperative-sticky" | "CooperativeStickyAssignor" => "cooperative-sticky",
        _ => return None,
    })
}

impl ConsumerConfig {
    /// Defaults overridden by `entries`, checked as the Java client checks them.
    pub fn from_entries<'a>(entries: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self> {
        let mut c = Self::default();
        let mut auto_commit = None;
        for (key, v) in entries {
            match key {
                "client.id" => c.client_id = v.into(),
                "group.id" => c.group_id = Some(v.trim().into()).filter(|g: &String| !g.is_empty()),
                "group.instance.id" => c.group_instance_id = Some(v.trim().into()).filter(|g: &String| !g.is_empty()),
                "auto.offset.reset" => {
                    c.auto_offset_reset = match v.trim() {
                        "earliest" => OffsetReset::Earliest,
                        "latest" => OffsetReset::Latest,
                        "none" => OffsetReset::None,
                        _ => return Err(err!(InvalidConfig, "Invalid value {v} for configuration auto.offset.reset: String must be one of: latest, earliest, none")),
                    }
                }
                "isolation.level" => {
                    c.isolation_level = match v.trim() {
                        "read_uncommitted" => IsolationLevel::ReadUncommitted,
                        "read_committed" => IsolationLevel::ReadCommitted,
                        _ => return Err(err!(InvalidConfig, "Invalid value {v} for configuration isolation.level: String must be one of: read_committed, read_uncommitted")),
                    }
                }
                "enable.auto.commit" => auto_commit = Some(parse_bool(key, v)?),
                "auto.commit.interval.ms" => c.auto_commit_interval_ms = parse_u64(key, v, 0, i32::MAX as u64)?,
                "max.poll.records" => c.max_poll_records = parse_u64(key, v, 1, i32::MAX as u64)? as u32,
                "fetch.max.bytes" => c.fetch_max_bytes = parse_u64(key, v, 0, i32::MAX as u64)? as u32,
                "max.partition.fetch.bytes" => c.max_partition_fetch_bytes = parse_u64(key, v, 0, i32::MAX as u64)? as u32,
                "session.timeout.ms" => c.session_timeout_ms = parse_u64(key, v, 1, i32::MAX as u64)?,
                "heartbeat.interval.ms" => c.heartbeat_interval_ms = parse_u64(key, v, 1, i32::MAX as u64)?,
                "max.poll.interval.ms" => c.max_poll_interval_ms = parse_u64(key, v, 1, i32::MAX as u64)?,
                "metadata.max.age.ms" => c.metadata_max_age_ms = parse_u64(key, v, 0, i64::MAX as u64)?,
                "partition.assignment.strategy" => c.assignment_strategies = parse_strategies(v)?,
                _ => return Err(unknown_key("consumer", key)),
            }
        }
        c.enable_auto_commit = match (auto_commit, &c.group_id) {
            (Some(true), None) => {
                return Err(err!(
                InvalidConfig,
                "enable.auto.commit cannot be set to true when default group id (null) is used."
            ))
            }
            (Some(v), _) => v,
            (None, group) => group.is_some(),
        };
        Ok(c)
    }

    /// Every config as `(key, value)`, for describe output.
    pub fn entries(&self) -> Vec<(&'static str, String)> {
        use alloc::string::ToString;
        alloc::vec![
            (
                "auto.commit.interval.ms",
                self.auto_commit_interval_ms.to_string()
            ),
            ("auto.offset.reset", self.auto_offset_reset.name().into()),
            ("client.id", self.client_id.clone()),
            ("enable.auto.commit", self.enable_auto_commit.to_string()),
            ("fetch.max.bytes", self.fetch_max_bytes.to_string()),
            ("group.id", self.group_id.clone().unwrap_or_default()),
            ("isolation.level", self.isolation_level.name().into()),
            (
                "group.instance.id",
                self.group_instance_id.clone().unwrap_or_default()
            ),
            (
                "max.partition.fetch.bytes",
                self.max_partition_fetch_bytes.to_string()
            ),
            (
                "max.poll.interval.ms",
                self.max_poll_interval_ms.to_string()
            ),
            ("max.poll.records", self.max_poll_records.to_string()),
            (
                "partition.assignment.strategy",
                self.assignment_strategies.join(",")
            ),
            ("session.timeout.ms", self.session_timeout_ms.to_string()),
        ]
    }
}

fn parse_strategies(v: &str) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for part in v.split(',').filter(|p| !p.trim().is_empty()) {
        let name = assignor_name(part).ok_or_else(|| {
            err!(InvalidConfig, "Invalid value {v} for configuration partition.assignment.strategy: unknown assignor {part}")
        })?;
        names.push(String::from(name));
    }
    match names.first() {
        None => Err(err!(
            InvalidConfig,
            "partition.assignment.strategy must list at least one assignor"
        )),
        Some(first)
            if !crate::group::coordinator::SUPPORTED_ASSIGNORS.contains(&first.as_str()) =>
        {
            Err(err!(
            InvalidConfig,
            "partition.assignment.strategy={first}: logplay implements range, roundrobin, sticky and cooperative-sticky"
        ))
        }
        Some(_) => Ok(names),
    }
}
