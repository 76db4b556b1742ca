//! The simulated cluster: topics, clients, committed offsets and the clock that moves them.

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;

use crate::consumer::{
    AssignedPartition, Consumer, ConsumerConfig, OffsetStore, SeekTo, TopicPartition,
};
use crate::error::{err, Result};
use crate::group::coordinator::{Group, GroupChange};
use crate::log::{CleanupReport, SegmentInfo};
use crate::partition::{BrokerId, ReplicaChange};
use crate::producer::{Producer, ProducerConfig, ProducerEvent};
use crate::rand::Rng;
use crate::record::{Message, ProducerRecord};
use crate::replication::{assign_replicas, Broker, BrokerState, MAX_BROKERS};
use crate::state_hash::StateHasher;
use crate::time::SimTime;
use crate::topic::{
    check_partition_count, topic_names_collide, validate_topic_name, Topic, TopicConfig, Topics,
};
use crate::txn::TransactionMetadata;

/// The most partitions the whole cluster may hold.
pub const MAX_TOTAL_PARTITIONS: u64 = 100_000;
/// The most clients (producers plus consumers) a cluster may hold.
pub const MAX_CLIENTS: usize = 20_000;
/// The most partition passes (retention checks plus cleaner passes, times partitions) one
/// clock step may run.
pub const MAX_BROKER_WORK: u64 = 20_000_000;

/// Cluster-wide settings: the seed and the broker configs the simulation uses.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ClusterConfig {
    /// The seed of all randomness (sticky and random partitioners, …).
    pub seed: u64,
    /// `log.retention.check.interval.ms` (Kafka's default: 300000).
    pub log_retention_check_interval_ms: u64,
    /// `log.cleaner.backoff.ms`: how often the log cleaner looks for work (default 15000).
    pub log_cleaner_backoff_ms: u64,
    /// `group.initial.rebalance.delay.ms`: a new group waits this long for more members
    /// before its first rebalance completes (default 3000).
    pub group_initial_rebalance_delay_ms: u64,
    /// `default.replication.factor`: for topics created without one (default 1).
    pub default_replication_factor: u32,
    /// `replica.lag.time.max.ms`: a follower that has not caught up for this long leaves the
    /// ISR (default 30000).
    pub replica_lag_time_max_ms: u64,
    /// `replica.fetch.wait.max.ms`: followers fetch from their leaders at this pace
    /// (default 500).
    pub replica_fetch_wait_max_ms: u64,
    /// `auto.leader.rebalance.enable`: the controller moves leadership back to each
    /// partition's preferred replica (default true).
    pub auto_leader_rebalance_enable: bool,
    /// `leader.imbalance.check.interval.seconds`: how long after leadership leaves a
    /// preferred replica the controller tries to move it back (default 300).
    pub leader_imbalance_check_interval_seconds: u64,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        Self {
            seed: 0,
            log_retention_check_interval_ms: 300_000,
            log_cleaner_backoff_ms: 15_000,
            group_initial_rebalance_delay_ms: 3_000,
            default_replication_factor: 1,
            replica_lag_time_max_ms: 30_000,
            replica_fetch_wait_max_ms: 500,
            auto_leader_rebalance_enable: true,
            leader_imbalance_check_interval_seconds: 300,
        }
    }
}

impl ClusterConfig {
    /// Sets a broker config by Kafka's key.
    pub fn set(&mut self, key: &str, value: &str) -> Result<()> {
        match key {
            "log.retention.check.interval.ms" => {
                self.log_retention_check_interval_ms =
                    crate::config::parse_u64(key, value, 1, i64::MAX as u64)?
            }
            "log.cleaner.backoff.ms" => {
                self.log_cleaner_backoff_ms =
                    crate::config::parse_u64(key, value, 1, i64::MAX as u64)?
            }
            "group.initial.rebalance.delay.ms" => {
                self.group_initial_rebalance_delay_ms =
                    crate::config::parse_u64(key, value, 0, i32::MAX as u64)?
            }
            "default.replication.factor" => {
                self.default_replication_factor =
                    crate::config::parse_u64(key, value, 1, MAX_BROKERS as u64)? as u32
            }
            "replica.lag.time.max.ms" => {
                self.replica_lag_time_max_ms =
                    crate::config::parse_u64(key, value, 1, i64::MAX as u64)?
            }
            "replica.fetch.wait.max.ms" => {
                self.replica_fetch_wait_max_ms =
                    crate::config::parse_u64(key, value, 1, i32::MAX as u64)?
            }
            "auto.leader.rebalance.enable" => {
                self.auto_leader_rebalance_enable = crate::config::parse_bool(key, value)?
            }
            "leader.imbalance.check.interval.seconds" => {
                self.leader_imbalance_check_interval_seconds =
                    crate::config::parse_u64(key, value, 1, i64::MAX as u64 / 1000)?
            }
            _ => return Err(crate::config::unknown_key("broker", key)),
        }
        Ok(())
    }
}

/// A handle to a producer in a [`Cluster`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProducerHandle(u32);

/// A handle to a consumer in a [`Cluster`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConsumerHandle(u32);

mod brokers;
mod coordinators;
mod groups;
mod txn;
mod txn_markers;

pub use coordinators::{coordinator_partition, CoordinatorKind};
pub use groups::{GroupDescription, GroupMemberDescription, GroupOffset, ResetTo};

/// What the brokers did on their own, drained with [`Cluster::drain_events`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClusterEvent {
    /// The delete policy removed segments.
    Retention {
        /// The topic.
        topic: Arc<str>,
        /// The partition.
        partition: u32,
        /// What was removed.
        report: CleanupReport,
    },
    /// A group changed state, or lost a member.
    Group {
        /// The group id.
        group: String,
        /// What changed.
        change: GroupChange,
    },
    /// Replication changed a partition: a leader election, an ISR change, a truncation.
    Replica {
        /// The topic.
        topic: Arc<str>,
        /// The partition.
        partition: u32,
        /// What changed.
        change: ReplicaChange,
    },
    /// A group's or transactional id's coordinator moved (-1: none is available).
    Coordinator {
        /// Which coordinator.
        kind: CoordinatorKind,
        /// The group id or `transactional.id`.
        key: String,
        /// The broker now coordinating it.
        broker: BrokerId,
    },
    /// A broker stopped, started, was cut off or healed.
    Broker {
        /// The broker.
        broker: BrokerId,
        /// Its new state.
        state: BrokerState,
    },
    /// The log cleaner compacted a partition.
    Compaction {
        /// The topic.
        topic: Arc<str>,
        /// The partition.
        partition: u32,
        /// What was removed.
        report: CleanupReport,
    },
}

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

/// A deterministic, sans-IO Kafka cluster on a simulated clock.
///
/// Inputs are method calls; time moves only through [`Cluster::advance_to`] and
/// [`Cluster::tick`]. Outputs are drained events and read-only views.
#[derive(Clone, Debug)]
pub struct Cluster {
    config: ClusterConfig,
    now: SimTime,
    rng: Rng,
    topics: Topics,
    producers: Vec<Option<Producer>>,
    consumers: Vec<Option<Consumer>>,
    offsets: OffsetStore,
    next_producer_id: i64,
    next_retention_check: SimTime,
    next_cleaner_run: SimTime,
    events: Vec<ClusterEvent>,
    groups: BTreeMap<String, Group>,
    /// The transaction coordinator's state, by `transactional.id`.
    transactions: BTreeMap<String, TransactionMetadata>,
    brokers: Vec<Broker>,
    /// `__consumer_offsets` and `__transaction_state`, once a coordinator was looked up.
    internal: Topics,
    next_replica_fetch: Option<SimTime>,
    next_isr_check: Option<SimTime>,
    /// When the controller next moves leaders back to their preferred replicas.
    next_leader_balance: Option<SimTime>,
}

impl Cluster {
    /// A cluster with no topics, at time zero.
    pub fn new(config: ClusterConfig) -> Self {
        Self {
            rng: Rng::new(config.seed),
            next_retention_check: SimTime(config.log_retention_check_interval_ms),
            next_cleaner_run: SimTime(config.log_cleaner_backoff_ms),
            config,
            now: SimTime::ZERO,
            topics: BTreeMap::new(),
            producers: Vec::new(),
            consumers: Vec::new(),
            offsets: BTreeMap::new(),
            next_producer_id: 1000,
            events: Vec::new(),
            groups: BTreeMap::new(),
            transactions: BTreeMap::new(),
            brokers: alloc::vec![Broker {
                id: 1,
                rack: None,
                state: BrokerState::Running,
            }],
            internal: BTreeMap::new(),
            next_replica_fetch: None,
            next_isr_check: None,
            next_leader_balance: None,
        }
    }

    /// The cluster's settings.
    pub fn config(&self) -> &ClusterConfig {
        &self.config
    }

    /// The simulated time now.
    pub fn now(&self) -> SimTime {
        self.now
    }

    // ---- time ---------------------------------------------------------------------------

    /// The next time something is due (a batch's linger, a retry, retention, the cleaner).
    #[must_use]
    pub fn poll_timeout(&self) -> Option<SimTime> {
        let clients = self
            .producers
            .iter()
            .flatten()
            .filter_map(Producer::next_deadline);
        let brokers = [self.next_retention_check, self.next_cleaner_run]
            .into_iter()
            .chain(self.next_leader_balance)
            .chain(self.replication_deadlines());
        let groups = self.group_deadlines();
        clients
            .chain(brokers)
            .chain(groups)
            .chain(self.transaction_deadlines())
            .filter(|&t| t > self.now)
            .min()
    }

    /// Moves the clock forward by `ms`, running everything that falls due on the way.
    pub fn tick(&mut self, ms: u64) -> Result<()> {
        self.advance_to(self.now + ms)
    }

    /// Moves the clock to `to` (never backwards), running every deadline in time order.
    ///
    /// The brokers' periodic work (retention checks, cleaner passes, leader balancing, each over
    /// every partition) is bounded: a step that would take more than [`MAX_BROKER_WORK`] partition
    /// passes is refused with `POLICY_VIOLATION` before anything changes.
    pub fn advance_to(&mut self, to: SimTime) -> Result<()> {
        self.check_advance(to)?;
        self.run_due();
        while let Some(t) = self.poll_timeout().filter(|&t| t <= to) {
            self.now = t;
            self.run_due();
        }
        if to > self.now {
            self.now = to;
            self.run_due();
        }
        Ok(())
    }

    /// Whether [`Cluster::advance_to`] may move the clock to `to` (in one step or many): the
    /// `POLICY_VIOLATION` it would refuse with, if any.
    pub fn check_advance(&self, to: SimTime) -> Result<()> {
        let span = to - self.now;
        let mut passes = span / self.config.log_retention_check_interval_ms.max(1)
            + span / self.config.log_cleaner_backoff_ms.max(1);
        if self.config.auto_leader_rebalance_enable && self.brokers.len() > 1 {
            passes += span / (self.config.leader_imbalance_check_interval_seconds * 1000).max(1);
        }
        let partitions: u64 = self
            .topics
            .values()
            .map(|t| t.partitions.len() as u64)
            .sum();
        if passes.saturating_mul(partitions.max(1)) > MAX_BROKER_WORK {
            return Err(err!(
                PolicyViolation,
                "moving the clock by {span} ms would run the brokers' retention and cleaner passes {passes} times over {partitions} partitions; logplay's limit is {MAX_BROKER_WORK} partition passes per step (move the clock in smaller steps, or raise log.retention.check.interval.ms / log.cleaner.backoff.ms)"
            ));
        }
        Ok(())
    }

    fn run_due(&mut self) {
        let now = self.now;
        self.run_replication();
        self.run_leader_balance();
        self.write_markers();
        self.complete_inits();
        for i in 0..self.producers.len() {
            self.drive_producer(i);
        }
        self.expire_transactions();
        if now >= self.next_retention_check {
            self.next_retention_check = now + self.config.log_retention_check_interval_ms;
            self.for_each_log(|log, config, now| (log.apply_retention(config, now), true));
        }
        if now >= self.next_cleaner_run {
            self.next_cleaner_run = now + self.config.log_cleaner_backoff_ms;
            self.for_each_log(|log, config, now| (log.compact(config, now), false));
        }
        self.run_groups();
        self.schedule_replication();
        self.schedule_leader_balance();
    }

    fn for_each_log(
        &mut self,
        mut f: impl FnMut(&mut crate::log::PartitionLog, &TopicConfig, SimTime) -> (CleanupReport, bool),
    ) {
        for (name, topic) in &mut self.topics {
            for (i, p) in topic.partitions.iter_mut().enumerate() {
                let (report, retention) = f(&mut p.log, &topic.config, self.now);
                if report.records_removed == 0 && report.segments_deleted == 0 {
                    continue;
                }
                let (topic, partition) = (name.clone(), i as u32);
                self.events.push(if retention {
                    ClusterEvent::Retention {
                        topic,
                        partition,
                        report,
                    }
                } else {
                    ClusterEvent::Compaction {
                        topic,
                        partition,
                        report,
                    }
                });
            }
        }
    }

    /// Drains what the brokers did on their own (retention, compaction).
    #[must_use]
    pub fn drain_events(&mut self) -> Vec<ClusterEvent> {
        core::mem::take(&mut self.events)
    }

    // ---- admin ----------------------------------------------------------------------------

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
        if total + adding > MAX_TOTAL_PARTITIONS {
            return Err(err!(
                PolicyViolation,
                "the cluster would hold {} partitions; logplay's limit is {MAX_TOTAL_PARTITIONS}",
                total + adding
            ));
        }
        Ok(())
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

    // ---- producers ------------------------------------------------------------------------

    /// Creates a producer named `name` with Kafka configs; an idempotent one gets a producer id.
    pub fn create_producer(
        &mut self,
        name: &str,
        configs: &[(&str, &str)],
    ) -> Result<ProducerHandle> {
        let mut config = ProducerConfig::from_entries(configs.iter().copied())?;
        if config.client_id.is_empty() {
            config.client_id = name.to_string();
        }
        self.check_client_limit()?;
        let id = self.next_producer_id;
        self.next_producer_id += 1;
        self.producers.push(Some(Producer::new(name, config, id)));
        Ok(ProducerHandle((self.producers.len() - 1) as u32))
    }

    fn check_client_limit(&self) -> Result<()> {
        let live =
            self.producers.iter().flatten().count() + self.consumers.iter().flatten().count();
        if live >= MAX_CLIENTS {
            return Err(err!(
                PolicyViolation,
                "logplay's limit of {MAX_CLIENTS} clients is reached"
            ));
        }
        Ok(())
    }

    /// A producer, or `ILLEGAL_STATE` if it was closed.
    pub fn producer(&self, h: ProducerHandle) -> Result<&Producer> {
        self.producers
            .get(h.0 as usize)
            .and_then(Option::as_ref)
            .ok_or_else(closed_producer)
    }

    fn producer_mut(&mut self, h: ProducerHandle) -> Result<&mut Producer> {
        self.producers
            .get_mut(h.0 as usize)
            .and_then(Option::as_mut)
            .ok_or_else(closed_producer)
    }

    /// `send()`: queues the record in its partition's batch and returns the id its delivery
    /// report will carry. The batch goes out when `linger.ms` passes, it fills, or on flush.
    pub fn produce(&mut self, h: ProducerHandle, record: &ProducerRecord<'_>) -> Result<u64> {
        let (now, topics) = (self.now, &self.topics);
        let producer = self
            .producers
            .get_mut(h.0 as usize)
            .and_then(Option::as_mut)
            .ok_or_else(closed_producer)?;
        let id = producer.produce(topics, record, &mut self.rng, now)?;
        if producer.has_sendable(now) {
            self.drive_producer(h.0 as usize);
        }
        Ok(id)
    }

    /// Lets the producer send what is due now, without moving the clock.
    pub fn run_producer(&mut self, h: ProducerHandle) -> Result<()> {
        self.producer(h)?;
        self.drive_producer(h.0 as usize);
        Ok(())
    }

    /// Producer `i` sends what it may now: its transaction first adds the partitions it
    /// has batches for (again once the run closed batches for new ones).
    fn drive_producer(&mut self, i: usize) {
        let added = |c: &Self| {
            c.producers
                .get(i)
                .and_then(Option::as_ref)
                .map_or(0, |p| p.txn.partitions.len())
        };
        let before = added(self);
        self.run_producer_once(i);
        if added(self) != before {
            self.run_producer_once(i);
        }
    }

    fn run_producer_once(&mut self, i: usize) {
        self.add_partitions_to_txn(i);
        let Self {
            producers,
            transactions,
            topics,
            now,
            ..
        } = self;
        if let Some(p) = producers.get_mut(i).and_then(Option::as_mut) {
            let gate = txn::transaction_gate(p, transactions);
            p.run(topics, *now, gate);
        }
    }

    /// `flush()`: sends every open batch now. Batches whose response is lost are retried on
    /// the clock, so they complete only as time passes.
    pub fn flush(&mut self, h: ProducerHandle) -> Result<()> {
        self.producer_mut(h)?.request_flush();
        self.run_producer(h)
    }

    /// Drains a producer's events (batches sent, delivery reports).
    pub fn drain_producer_events(&mut self, h: ProducerHandle) -> Result<Vec<ProducerEvent>> {
        Ok(self.producer_mut(h)?.drain_events())
    }

    /// Fault injection: the next `n` produce responses to this producer are lost.
    pub fn lose_acks(&mut self, h: ProducerHandle, n: u32) -> Result<()> {
        self.producer_mut(h)?.lose_next_acks(n);
        Ok(())
    }

    /// `close()`: an open transaction is aborted, everything is flushed, and what could not
    /// complete now (a batch awaiting its response or its replicas, a partition without a
    /// leader) fails as Java's forced close fails it: every send gets a delivery report.
    pub fn close_producer(&mut self, h: ProducerHandle) -> Result<Vec<ProducerEvent>> {
        if self.producer(h)?.txn.state == crate::txn::ClientState::InTransaction {
            // A fenced producer's abort fails, and so does one with no coordinator: the
            // coordinator ends the transaction anyway, after transaction.timeout.ms.
            let _ = self.abort_transaction(h);
        }
        self.flush(h)?;
        let forced = err!(KafkaException, "Producer is closed forcefully.");
        self.producer_mut(h)?.fail_pending(&forced);
        let events = self.drain_producer_events(h)?;
        self.producers[h.0 as usize] = None;
        Ok(events)
    }

    /// Fault injection: the producer process dies; unsent records are lost. An open
    /// transaction stays open until `transaction.timeout.ms` or a new `initTransactions()`.
    pub fn crash_producer(&mut self, h: ProducerHandle) -> Result<()> {
        self.producer(h)?;
        self.producers[h.0 as usize] = None;
        Ok(())
    }

    // ---- consumers ------------------------------------------------------------------------

    /// Creates a consumer named `name` with Kafka configs.
    pub fn create_consumer(
        &mut self,
        name: &str,
        configs: &[(&str, &str)],
    ) -> Result<ConsumerHandle> {
        let mut config = ConsumerConfig::from_entries(configs.iter().copied())?;
        if config.client_id.is_empty() {
            config.client_id = name.to_string();
        }
        self.check_client_limit()?;
        self.consumers
            .push(Some(Consumer::new(name, config, self.now)));
        Ok(ConsumerHandle((self.consumers.len() - 1) as u32))
    }

    /// A consumer, or `ILLEGAL_STATE` if it was closed.
    pub fn consumer(&self, h: ConsumerHandle) -> Result<&Consumer> {
        self.consumers
            .get(h.0 as usize)
            .and_then(Option::as_ref)
            .ok_or_else(closed_consumer)
    }

    fn consumer_parts(
        &mut self,
        h: ConsumerHandle,
    ) -> Result<(&mut Consumer, &Topics, &mut OffsetStore)> {
        let c = self
            .consumers
            .get_mut(h.0 as usize)
            .and_then(Option::as_mut)
            .ok_or_else(closed_consumer)?;
        Ok((c, &self.topics, &mut self.offsets))
    }

    /// `assign()`: reads exactly these partitions, without a group.
    pub fn assign(&mut self, h: ConsumerHandle, partitions: &[(&str, u32)]) -> Result<()> {
        let (c, topics, _) = self.consumer_parts(h)?;
        c.assign(topics, partitions)
    }

    /// `seek()`, `seekToBeginning()`, `seekToEnd()`, or to a timestamp.
    pub fn seek(
        &mut self,
        h: ConsumerHandle,
        topic: &str,
        partition: u32,
        to: SeekTo,
    ) -> Result<()> {
        let (c, topics, _) = self.consumer_parts(h)?;
        c.seek(topics, topic, partition, to)
    }

    /// `position()`: the next offset it will read.
    pub fn position(&mut self, h: ConsumerHandle, topic: &str, partition: u32) -> Result<i64> {
        let unstable = self.unstable_offsets();
        let (c, topics, offsets) = self.consumer_parts(h)?;
        c.position(topics, offsets, &unstable, topic, partition)
    }

    /// `pause()`.
    pub fn pause(&mut self, h: ConsumerHandle, topic: &str, partition: u32) -> Result<()> {
        self.consumer_parts(h)?.0.set_paused(topic, partition, true)
    }

    /// `resume()`.
    pub fn resume(&mut self, h: ConsumerHandle, topic: &str, partition: u32) -> Result<()> {
        self.consumer_parts(h)?
            .0
            .set_paused(topic, partition, false)
    }

    /// `poll()`: records from the assigned partitions, up to `max.poll.records`.
    pub fn poll(&mut self, h: ConsumerHandle) -> Result<Vec<Message>> {
        let now = self.now;
        let consumer = self.consumer(h)?;
        consumer.check_pollable()?;
        let group = consumer.config().group_id.clone();
        let coordinator = match &group {
            Some(g) => self.find_coordinator(CoordinatorKind::Group, g).is_ok(),
            None => true,
        };
        if coordinator {
            self.group_step(h)?;
        }
        let unstable = self.unstable_offsets();
        let (c, topics, offsets) = self.consumer_parts(h)?;
        c.poll(topics, coordinator.then_some(offsets), &unstable, now)
    }

    /// `commitSync()`: the given offsets, or every current position. Returns what was committed.
    pub fn commit(
        &mut self,
        h: ConsumerHandle,
        offsets: Option<&[(&str, u32, i64)]>,
    ) -> Result<Vec<(TopicPartition, i64)>> {
        let now = self.now;
        let explicit = match offsets {
            None => None,
            Some(list) => {
                let mut v = Vec::with_capacity(list.len());
                for &(t, p, o) in list {
                    let (name, topic) = self
                        .topics
                        .get_key_value(t)
                        .ok_or_else(|| unknown_topic(t))?;
                    topic.partition(p)?;
                    if o < 0 {
                        return Err(err!(
                            InvalidRequest,
                            "cannot commit a negative offset ({o}) for {t}-{p}"
                        ));
                    }
                    v.push(((name.clone(), p), o));
                }
                Some(v)
            }
        };
        let (c, _, _) = self.consumer_parts(h)?;
        if c.config().group_id.is_none() {
            return Err(err!(InvalidGroupId, "To use the group management or offset commit APIs, you must provide a valid group.id in the consumer configuration."));
        }
        // commitSync() with nothing to commit sends nothing, so it cannot fail.
        if explicit
            .as_ref()
            .map_or(c.positions().is_empty(), Vec::is_empty)
        {
            return Ok(Vec::new());
        }
        if let Some(g) = c.config().group_id.clone() {
            self.find_coordinator(CoordinatorKind::Group, &g)?;
        }
        self.check_generation(h)?;
        let (c, _, store) = self.consumer_parts(h)?;
        c.commit(store, explicit, now)
    }

    /// `committed()`: the offset its group committed for a partition.
    pub fn committed(&self, h: ConsumerHandle, topic: &str, partition: u32) -> Result<Option<i64>> {
        let c = self.consumer(h)?;
        let group = c
            .config()
            .group_id
            .as_ref()
            .ok_or_else(|| err!(InvalidGroupId, "committed() needs a group.id"))?;
        Ok(self.committed_offset(group, topic, partition))
    }

    /// The offset a group committed for a partition.
    pub fn committed_offset(&self, group: &str, topic: &str, partition: u32) -> Option<i64> {
        self.offsets
            .iter()
            .find(|((g, t, p), _)| g == group && &**t == topic && *p == partition)
            .map(|(_, c)| c.offset)
    }

    /// The consumer's assignment with positions, committed offsets and lag.
    pub fn assignment(&self, h: ConsumerHandle) -> Result<Vec<AssignedPartition>> {
        Ok(self.consumer(h)?.assignment(&self.topics, &self.offsets))
    }

    /// `close()`: commits the positions if auto-commit is on, then closes.
    pub fn close_consumer(&mut self, h: ConsumerHandle) -> Result<()> {
        let now = self.now;
        let (c, _, store) = self.consumer_parts(h)?;
        if c.config().enable_auto_commit {
            c.commit(store, None, now)?;
        }
        self.leave_group(h, "left");
        self.consumers[h.0 as usize] = None;
        Ok(())
    }

    /// Fault injection: the consumer process dies; nothing more is committed.
    pub fn crash_consumer(&mut self, h: ConsumerHandle) -> Result<()> {
        self.consumer(h)?;
        self.go_silent(h);
        self.consumers[h.0 as usize] = None;
        Ok(())
    }

    // ---- determinism ----------------------------------------------------------------------

    /// A stable hash of everything observable: the same inputs give the same hash, natively
    /// and in wasm.
    pub fn state_hash(&self) -> u64 {
        let mut h = StateHasher::default();
        h.u64(self.now.0);
        h.u64(self.rng.clone().next_u64());
        for b in &self.brokers {
            h.i64(b.id.into());
            h.str(b.rack.as_deref().unwrap_or_default());
            h.str(b.state.name());
        }
        for t in self.topics.values().chain(self.internal.values()) {
            t.hash_into(&mut h);
        }
        for p in self.producers.iter().flatten() {
            p.hash_into(&mut h);
        }
        for c in self.consumers.iter().flatten() {
            c.hash_into(&mut h);
        }
        for g in self.groups.values() {
            h.str(&g.id);
            h.str(g.state.name());
            h.i64(g.generation.into());
            for m in g.members.values() {
                h.str(&m.member_id);
                for (t, p) in &m.assignment {
                    h.str(t);
                    h.u64((*p).into());
                }
            }
        }
        for ((g, t, p), c) in &self.offsets {
            h.str(g);
            h.str(t);
            h.u64((*p).into());
            h.i64(c.offset);
            h.u64(c.commit_time.0);
        }
        for (id, m) in &self.transactions {
            h.str(id);
            h.i64(m.producer_id);
            h.i64(m.epoch.into());
            h.str(m.state.name());
            h.u64(m.started.0);
            for (t, p) in &m.partitions {
                h.str(t);
                h.u64((*p).into());
            }
            for ((t, p), (e, o)) in &m.written {
                h.str(t);
                h.u64((*p).into());
                h.i64((*e).into());
                h.i64(*o);
            }
            for (g, (t, p), o) in &m.offsets {
                h.str(g);
                h.str(t);
                h.u64((*p).into());
                h.i64(*o);
            }
            h.u64(m.timeout_ms);
        }
        h.finish()
    }
}

fn unknown_topic(name: &str) -> crate::error::Error {
    err!(
        UnknownTopicOrPartition,
        "This server does not host this topic: {name}"
    )
}

fn closed_producer() -> crate::error::Error {
    err!(
        IllegalState,
        "Cannot perform operation after producer has been closed"
    )
}

fn closed_consumer() -> crate::error::Error {
    err!(IllegalState, "This consumer has already been closed.")
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn topics_are_created_checked_grown_and_deleted_as_in_kafka() {
        let mut c = Cluster::new(ClusterConfig::default());
        assert!(c
            .create_topic("orders", 3, &[("retention.ms", "1000")])
            .unwrap()
            .is_empty());
        assert_eq!(
            c.create_topic("my.topic", 1, &[]).unwrap().len(),
            1,
            "a metric-name warning"
        );
        let fail = |c: &mut Cluster, name: &str, n: u32, cfg: &[(&str, &str)]| {
            c.create_topic(name, n, cfg).unwrap_err().code
        };
        assert_eq!(
            fail(&mut c, "orders", 1, &[]),
            ErrorCode::TopicAlreadyExists
        );
        assert_eq!(
            fail(&mut c, "my_topic", 1, &[]),
            ErrorCode::InvalidTopicException
        );
        assert_eq!(
            fail(&mut c, "bad name", 1, &[]),
            ErrorCode::InvalidTopicException
        );
        assert_eq!(fail(&mut c, "zero", 0, &[]), ErrorCode::InvalidPartitions);
        assert_eq!(
            fail(&mut c, "huge", 1_000_000_000, &[]),
            ErrorCode::InvalidPartitions
        );
        assert_eq!(
            fail(&mut c, "cfg", 1, &[("retention.hours", "1")]),
            ErrorCode::InvalidConfig
        );
        assert_eq!(
            c.list_topics(),
            vec!["my.topic", "orders"],
            "failed creates change nothing"
        );
        c.add_partitions("orders", 5).unwrap();
        let d = c.describe_topic("orders").unwrap();
        assert_eq!(d.partitions.len(), 5);
        assert_eq!(
            d.config_overrides,
            vec![("retention.ms".into(), "1000".into())]
        );
        assert_eq!(
            (d.partitions[4].leader, d.partitions[4].isr.clone()),
            (1, vec![1])
        );
        c.alter_topic_configs("orders", &[("cleanup.policy", "compact")])
            .unwrap();
        let bad = c.alter_topic_configs(
            "orders",
            &[("retention.ms", "5"), ("cleanup.policy", "nope")],
        );
        assert_eq!(bad.unwrap_err().code, ErrorCode::InvalidConfig);
        let config = c.topic("orders").unwrap().config();
        assert_eq!(config.get("cleanup.policy").as_deref(), Some("compact"));
        assert_eq!(config.retention_ms, 1000, "all or nothing");
        c.delete_topic("orders").unwrap();
        assert_eq!(
            c.delete_topic("orders").unwrap_err().code,
            ErrorCode::UnknownTopicOrPartition
        );
        assert_eq!(
            c.describe_topic("orders").unwrap_err().code,
            ErrorCode::UnknownTopicOrPartition
        );
    }

    #[test]
    fn the_cluster_wide_partition_limit_holds() {
        let mut c = Cluster::new(ClusterConfig::default());
        for i in 0..10 {
            c.create_topic(&alloc::format!("t{i}"), 10_000, &[])
                .unwrap();
        }
        assert_eq!(
            c.create_topic("one-more", 1, &[]).unwrap_err().code,
            ErrorCode::PolicyViolation
        );
        assert_eq!(
            c.add_partitions("t0", 10_000).unwrap_err().code,
            ErrorCode::InvalidPartitions
        );
    }

    #[test]
    fn retention_and_the_cleaner_run_on_the_brokers_schedule() {
        let mut cfg = ClusterConfig::default();
        cfg.set("log.retention.check.interval.ms", "1000").unwrap();
        cfg.set("log.cleaner.backoff.ms", "500").unwrap();
        assert_eq!(
            cfg.set("log.dirs", "/tmp").unwrap_err().code,
            ErrorCode::InvalidConfig
        );
        let mut c = Cluster::new(cfg);
        c.create_topic("logs", 1, &[("retention.ms", "100"), ("segment.ms", "10")])
            .unwrap();
        c.create_topic(
            "table",
            1,
            &[("cleanup.policy", "compact"), ("segment.ms", "10")],
        )
        .unwrap();
        let p = c.create_producer("p", &[("linger.ms", "0")]).unwrap();
        for i in 0..5u8 {
            c.produce(p, &ProducerRecord::new("logs").value(&[i]))
                .unwrap();
            c.produce(p, &ProducerRecord::new("table").key(b"k").value(&[i]))
                .unwrap();
            c.tick(20).unwrap();
        }
        assert_eq!(c.poll_timeout(), Some(SimTime(500)));
        c.advance_to(SimTime(999)).unwrap();
        let events = c.drain_events();
        assert!(
            matches!(events.as_slice(), [ClusterEvent::Compaction { report, .. }] if report.records_removed == 3),
            "{events:?}"
        );
        c.tick(1).unwrap();
        let events = c.drain_events();
        assert!(events.iter().any(|e| matches!(e, ClusterEvent::Retention { report, .. } if report.segments_deleted == 5)), "{events:?}");
        assert_eq!(
            c.describe_topic("logs").unwrap().partitions[0].log_start_offset,
            5
        );
    }

    /// Three brokers, balancing every 10 s if `balancing`, and topic `t` with one partition
    /// on all three; returns its preferred replica too.
    fn three_replicas(balancing: &str) -> (Cluster, BrokerId) {
        let mut cfg = ClusterConfig::default();
        cfg.set("auto.leader.rebalance.enable", balancing).unwrap();
        cfg.set("leader.imbalance.check.interval.seconds", "10")
            .unwrap();
        let mut c = Cluster::new(cfg);
        c.set_brokers(3, None).unwrap();
        c.create_replicated_topic("t", 1, Some(3), &[]).unwrap();
        let preferred = c.topic("t").unwrap().partitions()[0].replicas[0];
        (c, preferred)
    }

    #[test]
    fn the_controller_moves_leaders_back_to_their_preferred_replicas_on_its_schedule() {
        let leader = |c: &Cluster| c.topic("t").unwrap().partitions()[0].leader;
        let run = |balancing: &str| {
            let (mut c, preferred) = three_replicas(balancing);
            c.stop_broker(preferred).unwrap();
            let failover = leader(&c);
            assert_ne!(failover, preferred);
            c.start_broker(preferred).unwrap();
            c.tick(9_999).unwrap();
            assert_eq!(leader(&c), failover, "not before the interval");
            c.tick(1).unwrap();
            (c, preferred, failover)
        };
        let (c, preferred, _) = run("true");
        assert_eq!(leader(&c), preferred);
        assert_eq!(c.topic("t").unwrap().partitions()[0].leader_epoch, 2);
        let (mut c, _, failover) = run("false");
        c.tick(3_600_000).unwrap();
        assert_eq!(leader(&c), failover, "disabled: the leadership stays");
        for (key, value) in [
            ("auto.leader.rebalance.enable", "yes"),
            ("leader.imbalance.check.interval.seconds", "0"),
            ("leader.imbalance.per.broker.percentage", "10"),
        ] {
            let e = ClusterConfig::default().set(key, value).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidConfig, "{key}={value}");
        }
    }

    #[test]
    fn a_preferred_replica_out_of_the_isr_does_not_take_the_leadership() {
        let (mut c, preferred) = three_replicas("true");
        c.stop_broker(preferred).unwrap();
        c.tick(60_000).unwrap();
        let p = &c.topic("t").unwrap().partitions()[0];
        assert_ne!(p.leader, preferred, "a stopped broker leads nothing");
        assert!(!p.isr.contains(&preferred));
        // The controller kept checking: once back in the ISR, it leads within an interval.
        c.start_broker(preferred).unwrap();
        c.tick(11_000).unwrap();
        assert_eq!(c.topic("t").unwrap().partitions()[0].leader, preferred);
    }

    #[test]
    fn a_clock_step_with_unbounded_broker_work_is_refused_and_changes_nothing() {
        let mut cfg = ClusterConfig::default();
        cfg.set("log.retention.check.interval.ms", "1").unwrap();
        let mut c = Cluster::new(cfg);
        c.create_topic("t", 100, &[]).unwrap();
        let before = c.state_hash();
        let e = c.tick(30 * 86_400_000).unwrap_err();
        assert_eq!(e.code, ErrorCode::PolicyViolation);
        assert!(e.message.contains("smaller steps"), "{e}");
        assert_eq!((c.now(), c.state_hash()), (SimTime::ZERO, before));
        c.tick(60_000).unwrap();
        assert_eq!(c.now(), SimTime(60_000));
    }

    #[test]
    fn the_same_calls_give_the_same_state_hash() {
        let run = |seed| {
            let mut c = Cluster::new(ClusterConfig {
                seed,
                ..ClusterConfig::default()
            });
            c.create_topic("t", 4, &[]).unwrap();
            let p = c.create_producer("p", &[]).unwrap();
            for i in 0..100u32 {
                c.produce(p, &ProducerRecord::new("t").value(&i.to_le_bytes()))
                    .unwrap();
                c.tick(1).unwrap();
            }
            c.state_hash()
        };
        assert_eq!(run(1), run(1));
        assert_ne!(run(1), run(2), "the seed drives the sticky partitioner");
    }

    #[test]
    fn closed_clients_refuse_calls_with_illegal_state() {
        let mut c = Cluster::new(ClusterConfig::default());
        c.create_topic("t", 1, &[]).unwrap();
        let p = c.create_producer("p", &[]).unwrap();
        c.produce(p, &ProducerRecord::new("t").value(b"v")).unwrap();
        let events = c.close_producer(p).unwrap();
        assert_eq!(
            events.iter().filter(|e| e.as_delivery().is_some()).count(),
            1,
            "close flushes"
        );
        assert_eq!(
            c.produce(p, &ProducerRecord::new("t")).unwrap_err().code,
            ErrorCode::IllegalState
        );
        assert_eq!(
            c.crash_producer(p).unwrap_err().code,
            ErrorCode::IllegalState
        );
    }
}
