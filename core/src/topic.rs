//! Topics: names, configs with Kafka's keys, and partitions.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;

use crate::error::{err, Error, Result};
use crate::log::PartitionLog;
use crate::record::TimestampType;
use crate::replication::ReplicaState;
use crate::state_hash::StateHasher;
use crate::time::SimTime;

/// The most partitions one topic may have here.
pub const MAX_PARTITIONS_PER_TOPIC: u32 = 10_000;
/// The longest legal topic name (Kafka's limit).
pub const MAX_TOPIC_NAME_LEN: usize = 249;

/// Checks a topic name against Kafka's rules; the messages are Kafka's.
pub fn validate_topic_name(name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(err!(
            InvalidTopicException,
            "Topic name is illegal, it can't be empty"
        ));
    }
    if name == "." || name == ".." {
        return Err(err!(
            InvalidTopicException,
            "Topic name cannot be \".\" or \"..\""
        ));
    }
    if name.len() > MAX_TOPIC_NAME_LEN {
        return Err(err!(
            InvalidTopicException,
            "Topic name is illegal, it can't be longer than {MAX_TOPIC_NAME_LEN} characters, topic name: {name}"
        ));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    {
        return Err(err!(
            InvalidTopicException,
            "Topic name \"{name}\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'"
        ));
    }
    Ok(())
}

/// Whether two names collide in metric names (`.` and `_` are the same there).
pub fn topic_names_collide(a: &str, b: &str) -> bool {
    a != b
        && a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .all(|(x, y)| x == y || (b"._".contains(&x) && b"._".contains(&y)))
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

/// The cluster's topics by name.
pub(crate) type Topics = alloc::collections::BTreeMap<Arc<str>, Topic>;

/// A broker's id.
pub type BrokerId = i32;

/// One partition of a topic: its log and where it lives.
#[derive(Clone, Debug, PartialEq)]
pub struct Partition {
    /// The leader's log.
    pub log: PartitionLog,
    /// The broker leading it, or [`crate::replication::NO_LEADER`] (offline).
    pub leader: BrokerId,
    /// Its replicas, the preferred leader first.
    pub replicas: Vec<BrokerId>,
    /// Its in-sync replicas.
    pub isr: Vec<BrokerId>,
    /// The leader epoch.
    pub leader_epoch: i32,
    /// What the leader knows of each replica, in the order of `replicas`.
    pub replica_states: Vec<ReplicaState>,
}

impl Partition {
    fn new(replicas: Vec<BrokerId>, now: SimTime) -> Self {
        let state = ReplicaState {
            log_end_offset: 0,
            diverged_at: None,
            last_caught_up: now,
        };
        Self {
            log: PartitionLog::new(),
            leader: replicas
                .first()
                .copied()
                .unwrap_or(crate::replication::NO_LEADER),
            isr: replicas.clone(),
            replica_states: alloc::vec![state; replicas.len()],
            replicas,
            leader_epoch: 0,
        }
    }
}

/// A topic: a name, configs and partitions.
#[derive(Clone, Debug, PartialEq)]
pub struct Topic {
    pub(crate) name: Arc<str>,
    pub(crate) config: TopicConfig,
    pub(crate) partitions: Vec<Partition>,
}

impl Topic {
    /// A topic whose partition `i` has the replicas `assignment[i]`.
    pub(crate) fn new(
        name: &str,
        assignment: Vec<Vec<BrokerId>>,
        config: TopicConfig,
        now: SimTime,
    ) -> Self {
        Self {
            name: Arc::from(name),
            config,
            partitions: assignment
                .into_iter()
                .map(|r| Partition::new(r, now))
                .collect(),
        }
    }

    /// Its replication factor.
    pub fn replication_factor(&self) -> usize {
        self.partitions.first().map_or(0, |p| p.replicas.len())
    }

    /// The topic's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its configs.
    pub fn config(&self) -> &TopicConfig {
        &self.config
    }

    /// Its partitions, by index.
    pub fn partitions(&self) -> &[Partition] {
        &self.partitions
    }

    /// One partition, or `UNKNOWN_TOPIC_OR_PARTITION`.
    pub fn partition(&self, p: u32) -> Result<&Partition> {
        self.partitions
            .get(p as usize)
            .ok_or_else(|| unknown_partition(&self.name, p))
    }

    pub(crate) fn partition_mut(&mut self, p: u32) -> Result<&mut Partition> {
        let name = &self.name;
        self.partitions
            .get_mut(p as usize)
            .ok_or_else(|| unknown_partition(name, p))
    }

    /// Checks that the topic may grow to `total` partitions.
    pub(crate) fn check_new_partition_count(&self, total: u32) -> Result<()> {
        let current = self.partitions.len() as u32;
        if total == current {
            return Err(err!(
                InvalidPartitions,
                "Topic already has {current} partitions."
            ));
        }
        if total < current {
            return Err(err!(
                InvalidPartitions,
                "Topic currently has {current} partitions, which is higher than the requested {total}."
            ));
        }
        check_partition_count(total)
    }

    /// Adds partitions with these replicas (checked with `check_new_partition_count`).
    pub(crate) fn add_partitions(&mut self, assignment: Vec<Vec<BrokerId>>, now: SimTime) {
        self.partitions
            .extend(assignment.into_iter().map(|r| Partition::new(r, now)));
    }

    pub(crate) fn hash_into(&self, h: &mut StateHasher) {
        h.str(&self.name);
        self.config.hash_into(h);
        for p in &self.partitions {
            h.i64(p.leader.into());
            h.i64(p.leader_epoch.into());
            p.hash_replication(h);
            p.log.hash_into(h);
        }
    }
}

pub(crate) fn check_partition_count(n: u32) -> Result<()> {
    if n == 0 {
        return Err(err!(
            InvalidPartitions,
            "Number of partitions must be larger than 0."
        ));
    }
    if n > MAX_PARTITIONS_PER_TOPIC {
        return Err(err!(
            InvalidPartitions,
            "Number of partitions {n} is more than logplay's limit of {MAX_PARTITIONS_PER_TOPIC} per topic."
        ));
    }
    Ok(())
}

pub(crate) fn unknown_partition(topic: &str, p: u32) -> Error {
    err!(
        UnknownTopicOrPartition,
        "This server does not host this topic-partition: {topic}-{p}"
    )
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn topic_names_follow_kafkas_rules() {
        for ok in ["orders", "a.b_c-D9", "..a", &"x".repeat(249)] {
            assert_eq!(validate_topic_name(ok), Ok(()), "{ok}");
        }
        for bad in ["", ".", "..", "a b", "tö", "<script>", &"x".repeat(250)] {
            let e = validate_topic_name(bad).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidTopicException, "{bad}");
        }
        assert!(topic_names_collide("a.b", "a_b"));
        assert!(!topic_names_collide("a.b", "a.b"));
        assert!(!topic_names_collide("a.b", "a-b"));
    }

    #[test]
    fn configs_take_kafkas_keys_and_refuse_the_rest() {
        let c = TopicConfig::from_entries([
            ("cleanup.policy", "compact,delete"),
            ("retention.ms", "-1"),
        ])
        .unwrap();
        assert_eq!(
            c.cleanup_policy,
            CleanupPolicy {
                delete: true,
                compact: true
            }
        );
        assert_eq!(c.retention_ms, -1);
        assert_eq!(c.get("cleanup.policy").as_deref(), Some("compact,delete"));
        assert_eq!(c.get("segment.bytes").as_deref(), Some("1073741824"));
        assert_eq!(c.overrides().len(), 2);
        let unknown = TopicConfig::from_entries([("retention.hours", "1")]).unwrap_err();
        assert_eq!(unknown.code, ErrorCode::InvalidConfig);
        assert_eq!(
            unknown.message,
            "Unknown topic config name: retention.hours"
        );
        for (k, v) in [
            ("retention.ms", "soon"),
            ("retention.ms", "-2"),
            ("segment.bytes", "10"),
            ("cleanup.policy", "forever"),
            ("min.cleanable.dirty.ratio", "2"),
            ("message.timestamp.type", "Now"),
        ] {
            let e = TopicConfig::from_entries([(k, v)]).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidConfig, "{k}={v}");
            assert!(e.message.contains(k), "{}", e.message);
        }
    }

    #[test]
    fn dirty_ratio_reads_the_forms_java_reads() {
        for (text, ratio) in [
            ("0.5", 0.5),
            (".25", 0.25),
            ("1.", 1.0),
            ("+0.75", 0.75),
            ("5e-1", 0.5),
            ("0", 0.0),
            (" 1 ", 1.0),
        ] {
            let c = TopicConfig::from_entries([("min.cleanable.dirty.ratio", text)]).unwrap();
            assert_eq!(c.min_cleanable_dirty_ratio, ratio, "{text}");
        }
        for (text, why) in [
            ("half", "Not a number of type DOUBLE"),
            ("", "Not a number of type DOUBLE"),
            (".", "Not a number of type DOUBLE"),
            ("-.5", "Value must be in the range [0, 1]"),
            ("1.5", "Value must be in the range [0, 1]"),
        ] {
            let e = TopicConfig::from_entries([("min.cleanable.dirty.ratio", text)]).unwrap_err();
            assert!(e.message.ends_with(why), "{text}: {}", e.message);
        }
    }

    #[test]
    fn partitions_only_grow_within_the_limit() {
        let one = |n: usize| alloc::vec![alloc::vec![1]; n];
        let mut t = Topic::new("t", one(2), TopicConfig::default(), SimTime::ZERO);
        assert_eq!(
            t.check_new_partition_count(2).unwrap_err().code,
            ErrorCode::InvalidPartitions
        );
        assert_eq!(
            t.check_new_partition_count(1).unwrap_err().code,
            ErrorCode::InvalidPartitions
        );
        t.check_new_partition_count(5).unwrap();
        t.add_partitions(one(3), SimTime::ZERO);
        assert_eq!(t.partitions().len(), 5);
        assert!(t
            .check_new_partition_count(MAX_PARTITIONS_PER_TOPIC + 1)
            .is_err());
        assert_eq!(
            t.partition(5).unwrap_err().code,
            ErrorCode::UnknownTopicOrPartition
        );
        assert!(check_partition_count(0).is_err());
    }
}
