//! The consumer without groups: `assign`, `seek`, `position`, `poll`, `pause`/`resume`,
//! `auto.offset.reset`, and committed offsets (manual and auto-commit).

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use litemap::LiteMap;

use crate::error::{err, Result};
use crate::log::{IsolationLevel, PartitionLog};
use crate::sorted_set::SortedSet;
use crate::state_hash::StateHasher;
use crate::time::SimTime;
use crate::topic::Topics;

mod config;
mod fetch;

pub use config::{ConsumerConfig, OffsetReset};

/// A topic-partition.
pub type TopicPartition = (Arc<str>, u32);

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
pub type UnstableOffsets = Vec<(String, Arc<str>, u32)>;

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
    Topics(SortedSet<String>),
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
    pub(crate) topics: SortedSet<String>,
    pub(crate) next_metadata_refresh: SimTime,
    /// A cooperative member gave partitions up and must rejoin.
    pub(crate) rejoin: bool,
}

/// A simulated consumer client. The [`crate::Cluster`] owns it.
#[derive(Clone, Debug)]
pub struct Consumer {
    name: String,
    config: ConsumerConfig,
    assignment: LiteMap<TopicPartition, PartitionState>,
    next_auto_commit: SimTime,
    rotation: usize,
    pub(crate) subscription: Option<Subscription>,
    pub(crate) membership: Membership,
    pub(crate) last_poll: SimTime,
    pub(crate) events: Vec<RebalanceEvent>,
}

impl Consumer {
    /// Heap bytes the consumer holds: its assignment and pending callbacks.
    pub(crate) fn heap_bytes(&self) -> usize {
        use crate::budget::entry;
        entry::CLIENT + self.name.len() + (self.assignment.len() + self.events.len()) * entry::ENTRY
    }

    pub(crate) fn new(name: &str, config: ConsumerConfig, now: SimTime) -> Self {
        let next_auto_commit = now + config.auto_commit_interval_ms;
        Self {
            name: name.into(),
            config,
            assignment: LiteMap::new(),
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
        let new: SortedSet<TopicPartition> = partitions.into_iter().collect();
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
            .iter()
            .filter(|tp| !self.assignment.contains_key(*tp))
            .cloned()
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
        core::mem::take(&mut self.assignment)
            .into_tuple_vec()
            .into_iter()
            .map(|(tp, _)| tp)
            .collect()
    }

    /// Its name in the scenario.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its configs.
    pub fn config(&self) -> &ConsumerConfig {
        &self.config
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
    use crate::record::Message;
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
