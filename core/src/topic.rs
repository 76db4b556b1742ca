//! Topics: names, configs with Kafka's keys, and partitions.

use alloc::sync::Arc;
use alloc::vec::Vec;

use crate::budget::entry;
pub use crate::config::{CleanupPolicy, TopicConfig, TOPIC_CONFIG_KEYS};
use crate::error::{err, Error, Result};
use crate::partition::{BrokerId, Partition};
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

/// The cluster's topics by name.
pub(crate) type Topics = alloc::collections::BTreeMap<Arc<str>, Topic>;

/// A topic: a name, configs and partitions.
#[derive(Clone, Debug, PartialEq)]
pub struct Topic {
    pub(crate) name: Arc<str>,
    pub(crate) config: TopicConfig,
    pub(crate) partitions: Vec<Partition>,
}

impl Topic {
    /// Heap bytes a new, empty partition with `replicas` replicas takes.
    pub(crate) fn empty_partition_bytes(replicas: u32) -> u64 {
        (entry::PARTITION + crate::log::PartitionLog::new().heap_bytes()) as u64
            + u64::from(replicas) * entry::REPLICA as u64
    }

    /// Heap bytes its partitions hold: their logs and replica lists.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.partitions
            .iter()
            .map(|p| entry::PARTITION + p.log.heap_bytes() + p.replicas.len() * entry::REPLICA)
            .sum()
    }

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
