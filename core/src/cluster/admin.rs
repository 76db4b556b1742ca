//! The admin client's topic operations: create, grow, configure, delete and describe.

use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;

use super::{unknown_topic, Cluster};
use crate::budget::Limit;
use crate::error::{err, Result};
use crate::log::SegmentInfo;
use crate::partition::BrokerId;
use crate::replication::assign_replicas;
use crate::topic::{
    check_partition_count, topic_names_collide, validate_topic_name, Topic, TopicConfig,
};

/// One partition in a topic description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionDescription {
    /// The partition index.
    pub partition: u32,
    /// The leader broker (-1: offline).
    pub leader: BrokerId,
    /// The leader epoch.
    pub leader_epoch: i32,
    /// The replicas.
    pub replicas: Vec<BrokerId>,
    /// The in-sync replicas.
    pub isr: Vec<BrokerId>,
    /// Each replica's log end offset, in the order of `replicas`.
    pub replica_log_end_offsets: Vec<i64>,
    /// The log start offset.
    pub log_start_offset: i64,
    /// The high watermark.
    pub high_watermark: i64,
    /// The last stable offset: below it every transaction has ended.
    pub last_stable_offset: i64,
    /// The log end offset.
    pub log_end_offset: i64,
    /// Records the log holds.
    pub records: u64,
    /// Bytes as Kafka would store them.
    pub size_in_bytes: u64,
    /// The segments, oldest first.
    pub segments: Vec<SegmentInfo>,
}

/// `describeTopics` plus the offsets and segments of each partition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicDescription {
    /// The topic name.
    pub name: String,
    /// Its configs that differ from the defaults.
    pub config_overrides: Vec<(String, String)>,
    /// Its partitions.
    pub partitions: Vec<PartitionDescription>,
}

impl Cluster {
    /// `createTopics` with `default.replication.factor`. Returns warnings (Kafka warns on
    /// names with `.` or `_`).
    pub fn create_topic(
        &mut self,
        name: &str,
        partitions: u32,
        configs: &[(&str, &str)],
    ) -> Result<Vec<String>> {
        self.create_replicated_topic(name, partitions, None, configs)
    }

    /// `createTopics` with a replication factor (`None`: `default.replication.factor`).
    /// Replicas are placed on the live brokers as Kafka places them.
    pub fn create_replicated_topic(
        &mut self,
        name: &str,
        partitions: u32,
        replication_factor: Option<u32>,
        configs: &[(&str, &str)],
    ) -> Result<Vec<String>> {
        validate_topic_name(name)?;
        if self.topics.contains_key(name) {
            return Err(err!(TopicAlreadyExists, "Topic '{name}' already exists."));
        }
        if let Some(other) = self.topics.keys().find(|t| topic_names_collide(t, name)) {
            return Err(err!(
                InvalidTopicException,
                "Topic '{name}' collides with existing topic: {other}"
            ));
        }
        check_partition_count(partitions)?;
        self.check_total_partitions(u64::from(partitions))?;
        let config = TopicConfig::from_entries(configs.iter().copied())?;
        let rf = replication_factor.unwrap_or(self.config.default_replication_factor);
        let mut rng = self.rng.clone();
        let assignment = assign_replicas(&self.brokers, 0..partitions, rf, &mut rng)?;
        self.rng = rng;
        let mut warnings = Vec::new();
        if name.contains(['.', '_']) {
            warnings.push(
                "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both."
                    .to_string(),
            );
        }
        self.topics.insert(
            Arc::from(name),
            Topic::new(name, assignment, config, self.now),
        );
        Ok(warnings)
    }

    fn check_total_partitions(&self, adding: u64) -> Result<()> {
        let total: u64 = self
            .topics
            .values()
            .map(|t| t.partitions.len() as u64)
            .sum();
        Limit::Partitions.check(&self.limits, "this topic change", total, adding)
    }

    /// `deleteTopics`. Committed offsets of the topic go with it.
    pub fn delete_topic(&mut self, name: &str) -> Result<()> {
        self.topics
            .remove(name)
            .ok_or_else(|| unknown_topic(name))?;
        self.offsets.retain(|(_, t, _), _| &**t != name);
        // Its markers need not be written: a topic made anew with the name is another.
        for m in self.transactions.values_mut() {
            m.partitions.retain(|(t, _)| &**t != name);
            m.written.retain(|(t, _), _| &**t != name);
        }
        self.write_markers();
        Ok(())
    }

    /// `createPartitions`: grows the topic to `total` partitions.
    pub fn add_partitions(&mut self, name: &str, total: u32) -> Result<()> {
        let topic = self.topic(name)?;
        let current = topic.partitions.len() as u32;
        topic.check_new_partition_count(total)?;
        self.check_total_partitions(u64::from(total - current))?;
        let rf = topic.replication_factor() as u32;
        let mut rng = self.rng.clone();
        let assignment = assign_replicas(&self.brokers, current..total, rf, &mut rng)?;
        self.rng = rng;
        let now = self.now;
        self.topics
            .get_mut(name)
            .ok_or_else(|| unknown_topic(name))?
            .add_partitions(assignment, now);
        Ok(())
    }

    /// `incrementalAlterConfigs` (SET): all of `configs`, or none if one is invalid.
    pub fn alter_topic_configs(&mut self, name: &str, configs: &[(&str, &str)]) -> Result<()> {
        let topic = self
            .topics
            .get_mut(name)
            .ok_or_else(|| unknown_topic(name))?;
        let mut config = topic.config.clone();
        for (key, value) in configs {
            config.set(key, value)?;
        }
        topic.config = config;
        // KRaft elects at once when unclean election is switched on for an offline partition.
        self.elect_offline_partitions();
        Ok(())
    }

    /// `deleteRecords`: moves a partition's log start offset to `before` (-1: the high
    /// watermark). Returns the new low watermark.
    pub fn delete_records(&mut self, topic: &str, partition: u32, before: i64) -> Result<i64> {
        let t = self
            .topics
            .get_mut(topic)
            .ok_or_else(|| unknown_topic(topic))?;
        t.partition_mut(partition)?.log.delete_records(before)
    }

    /// The topic names, sorted.
    pub fn list_topics(&self) -> Vec<&str> {
        self.topics.keys().map(|k| &**k).collect()
    }

    /// A topic, or `UNKNOWN_TOPIC_OR_PARTITION`.
    pub fn topic(&self, name: &str) -> Result<&Topic> {
        self.topics.get(name).ok_or_else(|| unknown_topic(name))
    }

    /// `describeTopics`, with each partition's offsets and segments.
    pub fn describe_topic(&self, name: &str) -> Result<TopicDescription> {
        let t = self.topic(name)?;
        Ok(TopicDescription {
            name: name.to_string(),
            config_overrides: t.config.overrides().to_vec(),
            partitions: t
                .partitions
                .iter()
                .enumerate()
                .map(|(i, p)| PartitionDescription {
                    partition: i as u32,
                    leader: p.leader,
                    leader_epoch: p.leader_epoch,
                    replicas: p.replicas.clone(),
                    isr: p.isr.clone(),
                    replica_log_end_offsets: (0..p.replicas.len())
                        .map(|i| p.replica_log_end_offset(i))
                        .collect(),
                    log_start_offset: p.log.log_start_offset(),
                    high_watermark: p.log.high_watermark(),
                    last_stable_offset: p.log.last_stable_offset(),
                    log_end_offset: p.log.log_end_offset(),
                    records: p.log.record_count(),
                    size_in_bytes: p.log.size_in_bytes(),
                    segments: p.log.segments().collect(),
                })
                .collect(),
        })
    }
}
