//! The consumer without groups: `assign`, `seek`, `position`, `poll`, `pause`/`resume`,
//! `auto.offset.reset`, and committed offsets (manual and auto-commit).

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use crate::config::{parse_bool, parse_u64, unknown_key};
use crate::error::{err, Result};
use crate::log::{IsolationLevel, PartitionLog};
use crate::record::Message;
use crate::state_hash::StateHasher;
use crate::time::SimTime;
use crate::topic::Topics;

/// A topic-partition.
pub type TopicPartition = (Arc<str>, u32);

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

/// Where a consumer should read from next, as `seek*` calls take it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeekTo {
    /// An offset.
    Offset(i64),
    /// `seekToBeginning`.
    Beginning,
    /// `seekToEnd`.
    End,
    /// The first offset at or after a timestamp (`offsetsForTimes`), else the end.
    Timestamp(i64),
}

/// An offset committed for a group.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CommittedOffset {
    /// The next offset to read.
    pub offset: i64,
    /// When it was committed.
    pub commit_time: SimTime,
}

/// Committed offsets of every group, by (group, topic, partition).
pub type OffsetStore = BTreeMap<(String, Arc<str>, u32), CommittedOffset>;

/// Group offsets that an open or committing transaction will commit (KIP-447): a
/// `read_committed` consumer waits for them instead of reading the older committed offset.
pub type UnstableOffsets = BTreeSet<(String, Arc<str>, u32)>;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
struct PartitionState {
    position: Option<i64>,
    paused: bool,
}

/// One partition of a consumer's assignment, as shown to people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssignedPartition {
    /// The topic.
    pub topic: Arc<str>,
    /// The partition.
    pub partition: u32,
    /// The next offset it will read, once known.
    pub position: Option<i64>,
    /// Whether `pause` holds it.
    pub paused: bool,
    /// The offset its group committed, if any.
    pub committed: Option<i64>,
    /// The partition's high watermark.
    pub high_watermark: i64,
    /// The partition's last stable offset.
    pub last_stable_offset: i64,
    /// The end minus the position (0 until the position is known); the end is the high
    /// watermark, or the last stable offset under `read_committed`.
    pub lag: i64,
}

/// What a consumer subscribed to.
#[derive(Clone, Debug)]
pub enum Subscription {
    /// `subscribe(topics)`.
    Topics(BTreeSet<String>),
    /// `subscribe(pattern)`: topics whose whole name matches.
    #[cfg(feature = "std")]
    Pattern(String, regex_lite::Regex),
}

impl Subscription {
    /// Whether `topic` is in the subscription.
    pub fn matches(&self, topic: &str) -> bool {
        match self {
            Subscription::Topics(t) => t.contains(topic),
            #[cfg(feature = "std")]
            Subscription::Pattern(_, re) => re
                .find(topic)
                .is_some_and(|m| m.start() == 0 && m.end() == topic.len()),
        }
    }

    /// How it is written: the topics, or the pattern.
    pub fn describe(&self) -> String {
        match self {
            Subscription::Topics(t) => t.iter().cloned().collect::<Vec<_>>().join(","),
            #[cfg(feature = "std")]
            Subscription::Pattern(p, _) => p.clone(),
        }
    }
}

/// A rebalance callback, as an event (`ConsumerRebalanceListener`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RebalanceEvent {
    /// `onPartitionsRevoked`.
    Revoked(Vec<TopicPartition>),
    /// `onPartitionsAssigned`.
    Assigned(Vec<TopicPartition>),
    /// `onPartitionsLost`: the member was expelled, its partitions may already be elsewhere.
    Lost(Vec<TopicPartition>),
}

impl RebalanceEvent {
    /// The callback's name: `revoked`, `assigned` or `lost`.
    pub fn callback_name(&self) -> &'static str {
        match self {
            Self::Revoked(_) => "revoked",
            Self::Assigned(_) => "assigned",
            Self::Lost(_) => "lost",
        }
    }

    /// Its partitions.
    pub fn partitions(&self) -> &[TopicPartition] {
        match self {
            Self::Revoked(p) | Self::Assigned(p) | Self::Lost(p) => p,
        }
    }
}

/// A consumer's place in its group.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Membership {
    pub(crate) member_id: Option<String>,
    pub(crate) generation: i32,
    /// The topics the subscription resolved to when it last (re)joined.
    pub(crate) topics: BTreeSet<String>,
    pub(crate) next_metadata_refresh: SimTime,
    /// A cooperative member gave partitions up and must rejoin.
    pub(crate) rejoin: bool,
}

/// A simulated consumer client. The [`crate::Cluster`] owns it.
#[derive(Clone, Debug)]
pub struct Consumer {
    name: String,
    config: ConsumerConfig,
    assignment: BTreeMap<TopicPartition, PartitionState>,
    next_auto_commit: SimTime,
    rotation: usize,
    pub(crate) subscription: Option<Subscription>,
    pub(crate) membership: Membership,
    pub(crate) last_poll: SimTime,
    pub(crate) events: Vec<RebalanceEvent>,
}

impl Consumer {
    pub(crate) fn new(name: &str, config: ConsumerConfig, now: SimTime) -> Self {
        let next_auto_commit = now + config.auto_commit_interval_ms;
        Self {
            name: name.into(),
            config,
            assignment: BTreeMap::new(),
            next_auto_commit,
            rotation: 0,
            subscription: None,
            membership: Membership::default(),
            last_poll: now,
            events: Vec::new(),
        }
    }

    /// The partitions it holds now.
    pub fn partitions(&self) -> Vec<TopicPartition> {
        self.assignment.keys().cloned().collect()
    }

    /// What it subscribed to, if it did.
    pub fn subscription(&self) -> Option<&Subscription> {
        self.subscription.as_ref()
    }

    /// Its member id and generation, once it joined its group.
    pub fn membership(&self) -> (Option<&str>, i32) {
        (
            self.membership.member_id.as_deref(),
            self.membership.generation,
        )
    }

    /// Whether it has rebalance callbacks waiting to be drained.
    pub fn has_events(&self) -> bool {
        !self.events.is_empty()
    }

    /// Drains its rebalance callbacks.
    #[must_use]
    pub fn drain_events(&mut self) -> Vec<RebalanceEvent> {
        core::mem::take(&mut self.events)
    }

    /// Takes the group's assignment: partitions that stay keep their positions, new ones
    /// start without one. Returns (revoked, added).
    pub(crate) fn update_group_assignment(
        &mut self,
        partitions: Vec<TopicPartition>,
    ) -> (Vec<TopicPartition>, Vec<TopicPartition>) {
        let mut new = BTreeSet::new();
        new.extend(partitions);
        let revoked: Vec<TopicPartition> = self
            .assignment
            .keys()
            .filter(|tp| !new.contains(*tp))
            .cloned()
            .collect();
        for tp in &revoked {
            self.assignment.remove(tp);
        }
        let added: Vec<TopicPartition> = new
            .into_iter()
            .filter(|tp| !self.assignment.contains_key(tp))
            .collect();
        for tp in &added {
            self.assignment
                .insert(tp.clone(), PartitionState::default());
        }
        (revoked, added)
    }

    /// Whether it rebalances cooperatively: only when every assignor it lists supports it,
    /// as the Java client decides.
    pub fn is_cooperative(&self) -> bool {
        self.config
            .assignment_strategies
            .iter()
            .all(|s| s == "cooperative-sticky")
    }

    /// Drops every partition (a revocation or a loss), returning them.
    pub(crate) fn clear_assignment(&mut self) -> Vec<TopicPartition> {
        core::mem::take(&mut self.assignment).into_keys().collect()
    }

    /// Its name in the scenario.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its configs.
    pub fn config(&self) -> &ConsumerConfig {
        &self.config
    }

    /// `assign()`: replaces the assignment; positions of partitions kept are kept.
    pub(crate) fn assign(&mut self, topics: &Topics, partitions: &[(&str, u32)]) -> Result<()> {
        if self.subscription.is_some() {
            return Err(err!(
                IllegalState,
                "Subscription to topics, partitions and pattern are mutually exclusive"
            ));
        }
        let mut next = BTreeMap::new();
        for &(topic, p) in partitions {
            let (name, t) = topics.get_key_value(topic).ok_or_else(|| {
                err!(
                    UnknownTopicOrPartition,
                    "Topic {topic} not present in metadata"
                )
            })?;
            t.partition(p)?;
            let tp = (name.clone(), p);
            let state = self.assignment.get(&tp).copied().unwrap_or_default();
            next.insert(tp, state);
        }
        self.assignment = next;
        Ok(())
    }

    fn state_mut(&mut self, topic: &str, p: u32) -> Result<&mut PartitionState> {
        self.assignment
            .iter_mut()
            .find(|((t, q), _)| &**t == topic && *q == p)
            .map(|(_, s)| s)
            .ok_or_else(|| {
                err!(
                    IllegalState,
                    "No current assignment for partition {topic}-{p}"
                )
            })
    }

    /// `seek()` and friends.
    pub(crate) fn seek(&mut self, topics: &Topics, topic: &str, p: u32, to: SeekTo) -> Result<()> {
        let log = &topics
            .get(topic)
            .ok_or_else(|| {
                err!(
                    UnknownTopicOrPartition,
                    "Topic {topic} not present in metadata"
                )
            })?
            .partition(p)?
            .log;
        let offset = match to {
            SeekTo::Offset(o) if o < 0 => {
                return Err(err!(
                    InvalidRequest,
                    "seek offset must not be negative, got {o}"
                ))
            }
            SeekTo::Offset(o) => o,
            SeekTo::Beginning => log.earliest(),
            SeekTo::End => self.end_offset(log),
            SeekTo::Timestamp(ts) => log.offset_for_timestamp(ts).unwrap_or(self.end_offset(log)),
        };
        self.state_mut(topic, p)?.position = Some(offset);
        Ok(())
    }

    /// `pause()` or `resume()`.
    pub(crate) fn set_paused(&mut self, topic: &str, p: u32, paused: bool) -> Result<()> {
        self.state_mut(topic, p)?.paused = paused;
        Ok(())
    }

    /// The current positions, for `commitSync()` with no arguments.
    pub(crate) fn positions(&self) -> Vec<(TopicPartition, i64)> {
        self.assignment
            .iter()
            .filter_map(|(tp, s)| Some((tp.clone(), s.position?)))
            .collect()
    }

    /// `position()`: resolves it first if needed.
    pub(crate) fn position(
        &mut self,
        topics: &Topics,
        offsets: &OffsetStore,
        unstable: &UnstableOffsets,
        topic: &str,
        p: u32,
    ) -> Result<i64> {
        self.state_mut(topic, p)?;
        self.resolve_positions(topics, offsets, unstable)?;
        let waiting = self.waits_for_transaction(unstable, topic, p);
        self.state_mut(topic, p)?.position.ok_or_else(|| {
            if waiting {
                err!(
                    UnstableOffsetCommit,
                    "There are unstable offsets that need to be cleared: a transaction commits {topic}-{p}'s offset; move the clock and try again"
                )
            } else {
                err!(
                    UnknownTopicOrPartition,
                    "Topic {topic} not present in metadata"
                )
            }
        })
    }

    /// Whether a transaction will commit this partition's offset for a `read_committed`
    /// consumer's group (OffsetFetch with `require_stable`).
    fn waits_for_transaction(&self, unstable: &UnstableOffsets, topic: &str, p: u32) -> bool {
        self.config.isolation_level == IsolationLevel::ReadCommitted
            && !unstable.is_empty()
            && self.config.group_id.as_ref().is_some_and(|g| {
                unstable
                    .iter()
                    .any(|(ug, ut, up)| ug == g && &**ut == topic && *up == p)
            })
    }

    /// Gives every partition without a position its committed offset, or applies
    /// `auto.offset.reset`; a `read_committed` consumer leaves one whose offset a transaction
    /// will commit without a position for now.
    fn resolve_positions(
        &mut self,
        topics: &Topics,
        offsets: &OffsetStore,
        unstable: &UnstableOffsets,
    ) -> Result<()> {
        let mut missing = Vec::new();
        let isolation = self.config.isolation_level;
        let waiting: Vec<TopicPartition> = self
            .assignment
            .iter()
            .filter(|((t, p), s)| {
                s.position.is_none() && self.waits_for_transaction(unstable, t, *p)
            })
            .map(|(tp, _)| tp.clone())
            .collect();
        for ((topic, p), state) in &mut self.assignment {
            if state.position.is_some() || waiting.iter().any(|(t, wp)| t == topic && wp == p) {
                continue;
            }
            let Some(part) = topics
                .get(topic)
                .and_then(|t| t.partitions.get(*p as usize))
            else {
                continue;
            };
            let committed = self
                .config
                .group_id
                .as_ref()
                .and_then(|g| offsets.get(&(g.clone(), topic.clone(), *p)))
                .map(|c| c.offset);
            state.position = match (committed, self.config.auto_offset_reset) {
                (Some(o), _) => Some(o),
                (None, OffsetReset::Earliest) => Some(part.log.earliest()),
                (None, OffsetReset::Latest) => Some(end_offset(isolation, &part.log)),
                (None, OffsetReset::None) => {
                    missing.push(alloc::format!("{topic}-{p}"));
                    None
                }
            };
        }
        if !missing.is_empty() {
            return Err(err!(
                NoOffsetForPartition,
                "Undefined offset with no reset policy for partitions: [{}]",
                missing.join(", ")
            ));
        }
        Ok(())
    }

    /// `poll()` without a subscription or an assignment throws `IllegalStateException`
    /// before it does anything.
    pub(crate) fn check_pollable(&self) -> Result<()> {
        if self.assignment.is_empty() && self.subscription.is_none() {
            return Err(err!(
                IllegalState,
                "Consumer is not subscribed to any topics or assigned any partitions"
            ));
        }
        Ok(())
    }

    /// `poll()`: auto-commits if due, then reads up to `max.poll.records` from the
    /// assigned, unpaused partitions, taking turns between them. Without `offsets` (the
    /// group coordinator is unavailable) it neither commits nor looks up committed offsets:
    /// it reads only where it has a position.
    pub(crate) fn poll(
        &mut self,
        topics: &Topics,
        offsets: Option<&mut OffsetStore>,
        unstable: &UnstableOffsets,
        now: SimTime,
    ) -> Result<Vec<Message>> {
        self.check_pollable()?;
        self.last_poll = now;
        if self.assignment.is_empty() {
            return Ok(Vec::new());
        }
        if let Some(offsets) = offsets {
            if self.config.enable_auto_commit && now >= self.next_auto_commit {
                self.commit(offsets, None, now)?;
                self.next_auto_commit = now + self.config.auto_commit_interval_ms;
            }
            self.resolve_positions(topics, offsets, unstable)?;
        }
        let mut out = Vec::new();
        let mut bytes_left = self.config.fetch_max_bytes as usize;
        let n = self.assignment.len();
        let start = self.rotation % n;
        self.rotation = self.rotation.wrapping_add(1);
        let reset = self.config.auto_offset_reset;
        let isolation = self.config.isolation_level;
        let mut turn: Vec<_> = self.assignment.iter_mut().collect();
        turn.rotate_left(start);
        for ((topic, p), state) in turn {
            let records_left = self.config.max_poll_records as usize - out.len();
            if records_left == 0 || bytes_left == 0 {
                break;
            }
            let Some(position) = state.position.filter(|_| !state.paused) else {
                continue;
            };
            // An offline partition has no leader to fetch from: the client retries quietly.
            let Some(part) = topics
                .get(topic)
                .and_then(|t| t.partitions.get(*p as usize))
                .filter(|part| !part.is_offline())
            else {
                continue;
            };
            let log = &part.log;
            let position = if log
                .check_fetch_offset(position, log.high_watermark())
                .is_ok()
            {
                position
            } else {
                match reset {
                    OffsetReset::Earliest => log.earliest(),
                    OffsetReset::Latest => end_offset(isolation, log),
                    OffsetReset::None => {
                        out.push(Message::error_for(
                            topic.clone(),
                            *p,
                            err!(OffsetOutOfRange, "Fetch position {position} is out of range for partition {topic}-{p}"),
                        ));
                        continue;
                    }
                }
            };
            let max_bytes = bytes_left.min(self.config.max_partition_fetch_bytes as usize);
            let fetched = log.fetch(position, records_left, max_bytes, isolation)?;
            for r in &fetched.records {
                bytes_left = bytes_left.saturating_sub(r.size_in_bytes());
                out.push(Message {
                    topic: topic.clone(),
                    partition: *p,
                    offset: r.offset,
                    key: r.key.map(<[u8]>::to_vec),
                    value: r.value.map(<[u8]>::to_vec),
                    headers: r.headers(),
                    timestamp: r.timestamp,
                    timestamp_type: r.timestamp_type,
                    error: None,
                });
            }
            // Past skipped markers, aborted records and compaction gaps too.
            let next = fetched.next_offset;
            state.position = Some(next);
        }
        Ok(out)
    }

    /// `commitSync()`: the given offsets, or the current positions.
    pub(crate) fn commit(
        &self,
        offsets: &mut OffsetStore,
        explicit: Option<Vec<(TopicPartition, i64)>>,
        now: SimTime,
    ) -> Result<Vec<(TopicPartition, i64)>> {
        let Some(group) = &self.config.group_id else {
            return Err(err!(InvalidGroupId, "To use the group management or offset commit APIs, you must provide a valid group.id in the consumer configuration."));
        };
        let to_commit = explicit.unwrap_or_else(|| self.positions());
        for ((t, p), offset) in &to_commit {
            offsets.insert(
                (group.clone(), t.clone(), *p),
                CommittedOffset {
                    offset: *offset,
                    commit_time: now,
                },
            );
        }
        Ok(to_commit)
    }

    /// The end a consumer reads to: the high watermark, or under `read_committed` the last
    /// stable offset. `seekToEnd`, `auto.offset.reset=latest` and lag go by it.
    fn end_offset(&self, log: &PartitionLog) -> i64 {
        end_offset(self.config.isolation_level, log)
    }

    /// The assignment with positions, committed offsets and lag.
    pub(crate) fn assignment(
        &self,
        topics: &Topics,
        offsets: &OffsetStore,
    ) -> Vec<AssignedPartition> {
        self.assignment
            .iter()
            .map(|((t, p), s)| {
                let log = topics
                    .get(t)
                    .and_then(|topic| topic.partitions.get(*p as usize))
                    .map(|part| &part.log);
                let hw = log.map_or(0, PartitionLog::high_watermark);
                let lso = log.map_or(0, PartitionLog::last_stable_offset);
                let end = log.map_or(0, |l| self.end_offset(l));
                let committed = self
                    .config
                    .group_id
                    .as_ref()
                    .and_then(|g| offsets.get(&(g.clone(), t.clone(), *p)))
                    .map(|c| c.offset);
                AssignedPartition {
                    topic: t.clone(),
                    partition: *p,
                    position: s.position,
                    paused: s.paused,
                    committed,
                    high_watermark: hw,
                    last_stable_offset: lso,
                    lag: s.position.map_or(0, |pos| (end - pos).max(0)),
                }
            })
            .collect()
    }

    pub(crate) fn hash_into(&self, h: &mut StateHasher) {
        h.str(&self.name);
        h.u64(self.next_auto_commit.0);
        h.u64(self.rotation as u64);
        for ((t, p), s) in &self.assignment {
            h.str(t);
            h.u64((*p).into());
            h.i64(s.position.unwrap_or(-1));
            h.u64(s.paused.into());
        }
        h.str(
            &self
                .subscription
                .as_ref()
                .map(Subscription::describe)
                .unwrap_or_default(),
        );
        h.str(self.membership.member_id.as_deref().unwrap_or_default());
        h.i64(self.membership.generation.into());
        h.u64(self.last_poll.0);
    }
}

/// Where a consumer with this isolation level reads to.
fn end_offset(isolation: IsolationLevel, log: &PartitionLog) -> i64 {
    match isolation {
        IsolationLevel::ReadUncommitted => log.high_watermark(),
        IsolationLevel::ReadCommitted => log.last_stable_offset(),
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::error::ErrorCode;
    use crate::{Cluster, ClusterConfig, ConsumerHandle, ProducerRecord};
    use alloc::vec;

    /// A topic `t` with `n` records "0".."n-1" in each of `partitions` partitions.
    fn filled(partitions: u32, n: usize, topic_configs: &[(&str, &str)]) -> Cluster {
        let mut c = Cluster::new(ClusterConfig::default());
        c.create_topic("t", partitions, topic_configs).unwrap();
        let p = c.create_producer("p", &[]).unwrap();
        for part in 0..partitions {
            for i in 0..n {
                c.produce(
                    p,
                    &ProducerRecord::new("t")
                        .partition(part)
                        .key(b"k")
                        .value(alloc::format!("{i}").as_bytes()),
                )
                .unwrap();
            }
        }
        c.flush(p).unwrap();
        c
    }

    fn offsets(msgs: &[Message]) -> Vec<(u32, i64)> {
        msgs.iter().map(|m| (m.partition(), m.offset())).collect()
    }

    fn consumer(
        c: &mut Cluster,
        configs: &[(&str, &str)],
        parts: &[(&str, u32)],
    ) -> ConsumerHandle {
        let h = c.create_consumer("c", configs).unwrap();
        c.assign(h, parts).unwrap();
        h
    }

    #[test]
    fn auto_offset_reset_decides_where_a_new_consumer_starts() {
        let mut c = filled(1, 3, &[]);
        let early = consumer(&mut c, &[("auto.offset.reset", "earliest")], &[("t", 0)]);
        assert_eq!(
            offsets(&c.poll(early).unwrap()),
            vec![(0, 0), (0, 1), (0, 2)]
        );
        let late = consumer(&mut c, &[], &[("t", 0)]);
        assert!(c.poll(late).unwrap().is_empty(), "latest is Java's default");
        assert_eq!(c.position(late, "t", 0).unwrap(), 3);
        let strict = consumer(&mut c, &[("auto.offset.reset", "none")], &[("t", 0)]);
        let e = c.poll(strict).unwrap_err();
        assert_eq!(e.code, ErrorCode::NoOffsetForPartition);
        assert!(e.message.contains("t-0"));
    }

    #[test]
    fn poll_takes_turns_between_partitions_within_max_poll_records() {
        let mut c = filled(2, 4, &[]);
        let h = consumer(
            &mut c,
            &[("auto.offset.reset", "earliest"), ("max.poll.records", "3")],
            &[("t", 0), ("t", 1)],
        );
        let first = c.poll(h).unwrap();
        assert_eq!(offsets(&first), vec![(0, 0), (0, 1), (0, 2)]);
        assert_eq!(offsets(&c.poll(h).unwrap()), vec![(1, 0), (1, 1), (1, 2)]);
        assert_eq!(offsets(&c.poll(h).unwrap()), vec![(0, 3), (1, 3)]);
        assert!(c.poll(h).unwrap().is_empty());
        assert_eq!(first[0].value(), Some(&b"0"[..]));
        assert_eq!(first[0].key(), Some(&b"k"[..]));
        assert_eq!(first[0].topic(), "t");
        assert!(first[0].error().is_none());
    }

    #[test]
    fn seek_pause_and_resume_move_and_hold_the_position() {
        let mut c = filled(2, 3, &[]);
        let h = consumer(
            &mut c,
            &[("auto.offset.reset", "earliest")],
            &[("t", 0), ("t", 1)],
        );
        c.seek(h, "t", 0, SeekTo::Offset(2)).unwrap();
        c.pause(h, "t", 1).unwrap();
        assert_eq!(offsets(&c.poll(h).unwrap()), vec![(0, 2)]);
        c.resume(h, "t", 1).unwrap();
        assert_eq!(offsets(&c.poll(h).unwrap()), vec![(1, 0), (1, 1), (1, 2)]);
        c.seek(h, "t", 1, SeekTo::Beginning).unwrap();
        assert_eq!(c.position(h, "t", 1).unwrap(), 0);
        c.seek(h, "t", 1, SeekTo::End).unwrap();
        assert_eq!(c.position(h, "t", 1).unwrap(), 3);
        assert_eq!(
            c.seek(h, "t", 5, SeekTo::Beginning).unwrap_err().code,
            ErrorCode::UnknownTopicOrPartition
        );
        assert_eq!(
            c.seek(h, "t", 0, SeekTo::Offset(-1)).unwrap_err().code,
            ErrorCode::InvalidRequest
        );
        c.assign(h, &[("t", 0)]).unwrap();
        assert_eq!(
            c.pause(h, "t", 1).unwrap_err().code,
            ErrorCode::IllegalState
        );
        assert_eq!(
            c.position(h, "t", 0).unwrap(),
            3,
            "a kept partition keeps its position"
        );
    }

    #[test]
    fn committed_offsets_survive_a_restart_of_the_group() {
        let mut c = filled(1, 5, &[]);
        let g = [
            ("group.id", "g"),
            ("enable.auto.commit", "false"),
            ("auto.offset.reset", "earliest"),
            ("max.poll.records", "2"),
        ];
        let a = consumer(&mut c, &g, &[("t", 0)]);
        c.poll(a).unwrap();
        assert_eq!(c.committed(a, "t", 0).unwrap(), None);
        let done = c.commit(a, None).unwrap();
        assert_eq!(done, vec![((Arc::from("t"), 0), 2)]);
        c.crash_consumer(a).unwrap();
        assert_eq!(c.poll(a).unwrap_err().code, ErrorCode::IllegalState);
        let b = consumer(&mut c, &g, &[("t", 0)]);
        assert_eq!(
            offsets(&c.poll(b).unwrap()),
            vec![(0, 2), (0, 3)],
            "resumes from the commit"
        );
        c.commit(b, Some(&[("t", 0, 1)])).unwrap();
        assert_eq!(c.committed_offset("g", "t", 0), Some(1));
        let lone = consumer(&mut c, &[], &[("t", 0)]);
        assert_eq!(
            c.commit(lone, None).unwrap_err().code,
            ErrorCode::InvalidGroupId
        );
    }

    #[test]
    fn auto_commit_commits_the_previous_polls_on_the_clock() {
        let mut c = filled(1, 4, &[]);
        let h = consumer(
            &mut c,
            &[
                ("group.id", "g"),
                ("auto.offset.reset", "earliest"),
                ("max.poll.records", "1"),
            ],
            &[("t", 0)],
        );
        c.poll(h).unwrap();
        c.tick(4_999).unwrap();
        c.poll(h).unwrap();
        assert_eq!(
            c.committed(h, "t", 0).unwrap(),
            None,
            "auto.commit.interval.ms not reached"
        );
        c.tick(1).unwrap();
        c.poll(h).unwrap();
        assert_eq!(
            c.committed(h, "t", 0).unwrap(),
            Some(2),
            "commits what earlier polls returned"
        );
        c.close_consumer(h).unwrap();
        assert_eq!(
            c.committed_offset("g", "t", 0),
            Some(3),
            "close commits the final position"
        );
        assert_eq!(
            ConsumerConfig::from_entries([("enable.auto.commit", "true")])
                .unwrap_err()
                .code,
            ErrorCode::InvalidConfig
        );
    }

    #[test]
    fn a_position_lost_to_retention_resets_by_policy() {
        let mut c = filled(1, 4, &[("segment.bytes", "100")]);
        let h = consumer(&mut c, &[("auto.offset.reset", "earliest")], &[("t", 0)]);
        c.seek(h, "t", 0, SeekTo::Offset(1)).unwrap();
        c.delete_records("t", 0, 3).unwrap();
        assert_eq!(offsets(&c.poll(h).unwrap()), vec![(0, 3)]);
        let strict = consumer(&mut c, &[("auto.offset.reset", "none")], &[("t", 0)]);
        c.seek(strict, "t", 0, SeekTo::Offset(0)).unwrap();
        let got = c.poll(strict).unwrap();
        assert_eq!(got[0].error().unwrap().code, ErrorCode::OffsetOutOfRange);
        let unassigned = c.create_consumer("x", &[]).unwrap();
        assert_eq!(
            c.poll(unassigned).unwrap_err().code,
            ErrorCode::IllegalState
        );
    }

    #[test]
    fn the_assignment_view_shows_positions_commits_and_lag() {
        let mut c = filled(1, 5, &[]);
        let h = consumer(
            &mut c,
            &[
                ("group.id", "g"),
                ("auto.offset.reset", "earliest"),
                ("max.poll.records", "2"),
            ],
            &[("t", 0)],
        );
        c.poll(h).unwrap();
        c.commit(h, Some(&[("t", 0, 1)])).unwrap();
        let a = &c.assignment(h).unwrap()[0];
        assert_eq!(
            (a.position, a.committed, a.high_watermark, a.lag, a.paused),
            (Some(2), Some(1), 5, 3, false)
        );
    }
}
