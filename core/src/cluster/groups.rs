//! How consumers take part in their groups: subscribe, join and sync inside `poll`, leave,
//! fall silent, and commit with their generation. The state machine is
//! [`crate::group::coordinator`]; this is the plumbing between it and the clients.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use super::{Cluster, ClusterEvent, ConsumerHandle};
use crate::consumer::{RebalanceEvent, Subscription, TopicPartition};
use crate::error::{err, Result};
use crate::group::assignor::PartitionCounts;
use crate::group::coordinator::{GroupChange, GroupMember, GroupState};
use crate::sorted_set::SortedSet;
use crate::time::SimTime;

/// `describeGroups` plus the group's offsets and lag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupDescription {
    /// The group id.
    pub group: String,
    /// Its state.
    pub state: GroupState,
    /// The chosen assignor.
    pub protocol: Option<String>,
    /// Its generation.
    pub generation: i32,
    /// The member that ran the assignor.
    pub leader: Option<String>,
    /// The members and their partitions.
    pub members: Vec<GroupMemberDescription>,
    /// Every partition the group committed for or owns.
    pub offsets: Vec<GroupOffset>,
}

/// One member in a group description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupMemberDescription {
    /// Its member id.
    pub member_id: String,
    /// Its `client.id`.
    pub client_id: String,
    /// Its partitions.
    pub assignment: Vec<(String, u32)>,
}

/// A partition's offsets for a group, as `kafka-consumer-groups --describe` shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupOffset {
    /// The topic.
    pub topic: String,
    /// The partition.
    pub partition: u32,
    /// The committed offset.
    pub committed: Option<i64>,
    /// The log end offset (the high watermark consumers can reach).
    pub log_end_offset: i64,
    /// `log end offset - committed` (the whole log when nothing is committed).
    pub lag: i64,
    /// The member that owns it.
    pub owner: Option<String>,
}

impl Cluster {
    /// `subscribe(topics)`: the consumer joins its group on its next poll.
    pub fn subscribe(&mut self, h: ConsumerHandle, topics: &[&str]) -> Result<()> {
        let mut set = SortedSet::new();
        set.extend(topics.iter().map(|t| String::from(*t)));
        self.set_subscription(h, Subscription::Topics(set))
    }

    /// `subscribe(Pattern)`: every topic whose whole name matches the regular expression,
    /// looked up again every `metadata.max.age.ms`.
    #[cfg(feature = "std")]
    pub fn subscribe_pattern(&mut self, h: ConsumerHandle, pattern: &str) -> Result<()> {
        let re = regex_lite::Regex::new(pattern)
            .map_err(|e| err!(InvalidRequest, "invalid pattern {pattern}: {e}"))?;
        self.set_subscription(h, Subscription::Pattern(String::from(pattern), re))
    }

    fn set_subscription(&mut self, h: ConsumerHandle, subscription: Subscription) -> Result<()> {
        let c = self.consumer_mut(h)?;
        if c.config().group_id.is_none() {
            return Err(err!(InvalidGroupId, "To use the group management or offset commit APIs, you must provide a valid group.id in the consumer configuration."));
        }
        if c.subscription.is_none() && !c.partitions().is_empty() {
            return Err(err!(
                IllegalState,
                "Subscription to topics, partitions and pattern are mutually exclusive"
            ));
        }
        c.subscription = Some(subscription);
        // Resolve the new subscription at the next poll.
        c.membership.next_metadata_refresh = SimTime::ZERO;
        Ok(())
    }

    /// `unsubscribe()`: revokes the partitions (auto-committing first) and leaves the group.
    pub fn unsubscribe(&mut self, h: ConsumerHandle) -> Result<()> {
        let now = self.now;
        let (c, _, store) = self.consumer_parts(h)?;
        if c.subscription.is_some() && c.config().enable_auto_commit {
            let _ = c.commit(store, None, now);
        }
        self.leave_group(h, "left");
        let c = self.consumer_mut(h)?;
        let revoked = c.clear_assignment();
        if !revoked.is_empty() {
            c.events.push(RebalanceEvent::Revoked(revoked));
        }
        c.subscription = None;
        c.membership = Default::default();
        Ok(())
    }

    /// Drains a consumer's rebalance callbacks.
    pub fn drain_consumer_events(&mut self, h: ConsumerHandle) -> Result<Vec<RebalanceEvent>> {
        Ok(self.consumer_mut(h)?.drain_events())
    }

    fn consumer_mut(&mut self, h: ConsumerHandle) -> Result<&mut crate::consumer::Consumer> {
        Ok(self.consumer_parts(h)?.0)
    }

    fn partition_counts(&self, only: &SortedSet<String>) -> PartitionCounts {
        let mut counts = PartitionCounts::new();
        for (t, topic) in self.topics.iter().filter(|(t, _)| only.contains(&***t)) {
            counts.insert(String::from(&**t), topic.partitions.len() as u32);
        }
        counts
    }

    /// The topics (and partition counts) a subscription resolves to now.
    fn resolve(&self, subscription: &Subscription) -> SortedSet<String> {
        let mut topics = SortedSet::new();
        topics.extend(
            self.topics
                .keys()
                .filter(|t| subscription.matches(t))
                .map(|t| String::from(&**t)),
        );
        topics
    }

    /// The group protocol, run at the start of every poll of a subscribed consumer: notice an
    /// expulsion (partitions lost), rejoin when the group rebalances or the subscription's
    /// topics changed (revoking everything first: eager rebalancing), and take the new
    /// assignment once the group is stable.
    pub(super) fn group_step(&mut self, h: ConsumerHandle) -> Result<()> {
        // A cooperative member that gave partitions up rejoins at once (a second pass).
        if self.group_pass(h)? {
            self.group_pass(h)?;
        }
        Ok(())
    }

    /// One pass of the group protocol; returns whether the member must rejoin right away.
    fn group_pass(&mut self, h: ConsumerHandle) -> Result<bool> {
        let now = self.now;
        let delay = self.config.group_initial_rebalance_delay_ms;
        let (subscription, group_id, refresh_due) = {
            let c = self.consumer(h)?;
            let Some(sub) = c.subscription.clone() else {
                return Ok(false);
            };
            let group = c.config().group_id.clone().unwrap_or_default();
            (sub, group, now >= c.membership.next_metadata_refresh)
        };
        let resolved = if refresh_due {
            Some(self.resolve(&subscription))
        } else {
            None
        };
        let snapshot: Vec<(String, u32)> = resolved
            .as_ref()
            .map(|r| self.partition_counts(r).into_iter().collect())
            .unwrap_or_default();
        let rng_id = {
            let a = self.rng.next_u64();
            let b = self.rng.next_u64();
            alloc::format!(
                "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
                a >> 32,
                (a >> 16) & 0xffff,
                a & 0xffff,
                b >> 48,
                b & 0xffff_ffff_ffff
            )
        };
        let Cluster {
            consumers,
            groups,
            offsets,
            topics,
            events,
            ..
        } = self;
        let c = consumers
            .get_mut(h.0 as usize)
            .and_then(Option::as_mut)
            .ok_or_else(super::consumers::closed_consumer)?;
        let group = groups
            .entry(group_id.clone())
            .or_insert_with(|| crate::group::coordinator::Group::new(&group_id));
        if let Some(id) = c.membership.member_id.clone() {
            if !group.members.contains_key(&id) {
                // Expelled (session or poll timeout): the partitions may already be elsewhere.
                let lost = c.clear_assignment();
                if !lost.is_empty() {
                    c.events.push(RebalanceEvent::Lost(lost));
                }
                c.membership.member_id = None;
                c.membership.generation = 0;
            }
        }
        let mut metadata_changed = false;
        if let Some(resolved) = resolved {
            c.membership.next_metadata_refresh = now + c.config().metadata_max_age_ms;
            let topics_now: SortedSet<String> = resolved;
            let counts: Vec<(String, u32)> = snapshot;
            let known: Vec<(String, u32)> = c
                .membership
                .topics
                .iter()
                .map(|t| {
                    (
                        t.clone(),
                        counts.iter().find(|(n, _)| n == t).map_or(0, |x| x.1),
                    )
                })
                .collect();
            metadata_changed = topics_now != c.membership.topics || known != counts;
            c.membership.topics = topics_now;
        }
        let id = c.membership.member_id.clone();
        let rejoin = match &id {
            None => true,
            Some(id) => {
                group.must_rejoin(id)
                    || metadata_changed
                    || core::mem::take(&mut c.membership.rejoin)
            }
        };
        let mut changes = Vec::new();
        let mut follow_up = false;
        if rejoin {
            if id.is_some() && c.config().enable_auto_commit {
                let _ = c.commit(offsets, None, now);
            }
            // Eager: give up everything before rejoining. Cooperative: keep consuming and
            // report what it owns.
            let owned: Vec<(String, u32)> = if c.is_cooperative() {
                c.partitions()
                    .into_iter()
                    .map(|(t, p)| (String::from(&*t), p))
                    .collect()
            } else {
                let revoked = c.clear_assignment();
                if !revoked.is_empty() {
                    c.events.push(RebalanceEvent::Revoked(revoked));
                }
                Vec::new()
            };
            let member_id =
                id.unwrap_or_else(|| alloc::format!("{}-{rng_id}", c.config().client_id));
            c.membership.member_id = Some(member_id.clone());
            let member = GroupMember {
                member_id,
                client_id: c.config().client_id.clone(),
                protocols: c.config().assignment_strategies.clone(),
                topics: c.membership.topics.clone(),
                assignment: owned,
                joined: true,
                rebalance_timeout_ms: c.config().max_poll_interval_ms,
                session_timeout_ms: c.config().session_timeout_ms,
                silent_since: None,
                instance_id: c.config().group_instance_id.clone(),
                cooperative: c.is_cooperative(),
            };
            let restarted = c.membership.generation == 0
                && group.state == GroupState::Stable
                && group.rejoin_static(&member);
            let joined = if restarted {
                Ok(Vec::new())
            } else {
                group.join(member, now, delay)
            };
            match joined {
                Ok(joined) => changes.extend(joined),
                Err(e) => {
                    c.membership.member_id = None;
                    return Err(e);
                }
            }
            let mut counts = PartitionCounts::new();
            for (t, topic) in topics
                .iter()
                .filter(|(t, _)| group.members.values().any(|m| m.topics.contains(&***t)))
            {
                counts.insert(String::from(&**t), topic.partitions.len() as u32);
            }
            changes.extend(group.advance(now, &counts));
        }
        if let Some(id) = &c.membership.member_id {
            if group.state == GroupState::Stable && c.membership.generation != group.generation {
                if let Some(m) = group.members.get(id) {
                    let parts: Vec<TopicPartition> = m
                        .assignment
                        .iter()
                        .filter_map(|(t, p)| {
                            topics
                                .get_key_value(t.as_str())
                                .map(|(name, _)| (Arc::clone(name), *p))
                        })
                        .collect();
                    let cooperative = c.is_cooperative();
                    if cooperative && c.config().enable_auto_commit {
                        let _ = c.commit(offsets, None, now);
                    }
                    let (revoked, added) = c.update_group_assignment(parts.clone());
                    if !revoked.is_empty() {
                        c.events.push(RebalanceEvent::Revoked(revoked));
                        follow_up = cooperative;
                    }
                    c.events.push(RebalanceEvent::Assigned(if cooperative {
                        added
                    } else {
                        parts
                    }));
                    c.membership.generation = group.generation;
                }
            }
        }
        events.extend(changes.into_iter().map(|change| ClusterEvent::Group {
            group: group_id.clone(),
            change,
        }));
        c.membership.rejoin = follow_up;
        Ok(follow_up)
    }

    /// A commit from a group member must carry the group's current generation
    /// (`CommitFailedException` otherwise).
    pub(super) fn check_generation(&self, h: ConsumerHandle) -> Result<()> {
        let c = self.consumer(h)?;
        if c.subscription.is_none() {
            return Ok(());
        }
        let group_id = c.config().group_id.clone().unwrap_or_default();
        let Some(group) = self.groups.get(&group_id) else {
            return Ok(());
        };
        let known = c
            .membership
            .member_id
            .as_ref()
            .is_some_and(|id| group.members.contains_key(id));
        if !known {
            return Err(err!(UnknownMemberId, "Commit cannot be completed since the consumer is not part of an active group for auto partition assignment; it is likely that the consumer was kicked out of the group."));
        }
        if c.membership.generation != group.generation
            || group.state == GroupState::CompletingRebalance
        {
            return Err(err!(IllegalGeneration, "Commit cannot be completed since the group has already rebalanced and assigned the partitions to another member. This means that the time between subsequent calls to poll() was longer than the configured max.poll.interval.ms, which typically implies that the poll loop is spending too much time message processing."));
        }
        Ok(())
    }

    /// LeaveGroup for a member (on close, unsubscribe, or a missed `max.poll.interval.ms`).
    pub(super) fn leave_group(&mut self, h: ConsumerHandle, reason: &'static str) {
        let now = self.now;
        let Ok(c) = self.consumer(h) else { return };
        if c.config().group_instance_id.is_some() {
            // Static members never send LeaveGroup (close, unsubscribe, a missed poll): the
            // session timeout decides (KIP-345).
            self.go_silent(h);
            return;
        }
        let (Some(group_id), Some(id)) =
            (c.config().group_id.clone(), c.membership.member_id.clone())
        else {
            return;
        };
        if let Some(group) = self.groups.get_mut(&group_id) {
            let changes = group.remove(&id, reason, now);
            self.events
                .extend(changes.into_iter().map(|change| ClusterEvent::Group {
                    group: group_id.clone(),
                    change,
                }));
        }
    }

    /// The member's process died: its heartbeats stop, and the session timeout expels it.
    pub(super) fn go_silent(&mut self, h: ConsumerHandle) {
        let now = self.now;
        let Ok(c) = self.consumer(h) else { return };
        let (Some(group_id), Some(id)) =
            (c.config().group_id.clone(), c.membership.member_id.clone())
        else {
            return;
        };
        if let Some(m) = self
            .groups
            .get_mut(&group_id)
            .and_then(|g| g.members.get_mut(&id))
        {
            m.silent_since = Some(now);
        }
    }

    /// When the coordinator or a member must act next.
    pub(super) fn group_deadlines(&self) -> impl Iterator<Item = SimTime> + '_ {
        let coordinator = self
            .groups
            .values()
            .filter_map(crate::group::coordinator::Group::deadline);
        let polls = self
            .consumers
            .iter()
            .flatten()
            .filter(|c| c.subscription.is_some() && c.membership.member_id.is_some())
            .map(|c| c.last_poll + c.config().max_poll_interval_ms);
        coordinator.chain(polls)
    }

    /// Runs what is due: members that stopped polling leave, sessions expire, rebalances
    /// complete.
    pub(super) fn run_groups(&mut self) {
        let now = self.now;
        let late: Vec<ConsumerHandle> = self
            .consumers
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.as_ref().map(|c| (i, c)))
            .filter(|(_, c)| {
                c.subscription.is_some()
                    && c.membership.member_id.is_some()
                    && now >= c.last_poll + c.config().max_poll_interval_ms
            })
            .map(|(i, _)| ConsumerHandle(i as u32))
            .collect();
        for h in late {
            self.leave_group(h, "max.poll.interval.ms");
        }
        let due: Vec<String> = self
            .groups
            .iter()
            .filter(|(_, g)| g.deadline().is_some_and(|d| d <= now))
            .map(|(id, _)| id.clone())
            .collect();
        for id in due {
            let Some(group) = self.groups.get(&id) else {
                continue;
            };
            let mut wanted = SortedSet::new();
            wanted.extend(
                group
                    .members
                    .values()
                    .flat_map(|m| m.topics.iter().cloned()),
            );
            let counts = self.partition_counts(&wanted);
            if let Some(group) = self.groups.get_mut(&id) {
                let changes = group.advance(now, &counts);
                self.events
                    .extend(changes.into_iter().map(|change| ClusterEvent::Group {
                        group: id.clone(),
                        change,
                    }));
            }
        }
    }

    /// `describeGroups` and the group's offsets and lag, as `kafka-consumer-groups` shows them.
    pub fn describe_group(&self, group_id: &str) -> Result<GroupDescription> {
        let group = self.groups.get(group_id);
        let has_offsets = self.offsets.keys().any(|(g, _, _)| g == group_id);
        if group.is_none() && !has_offsets {
            return Err(err!(
                GroupIdNotFound,
                "Consumer group {group_id} does not exist."
            ));
        }
        let mut owners: BTreeMap<(String, u32), String> = BTreeMap::new();
        let members = group
            .map(|g| {
                g.members
                    .values()
                    .map(|m| {
                        for tp in &m.assignment {
                            owners.insert(tp.clone(), m.member_id.clone());
                        }
                        GroupMemberDescription {
                            member_id: m.member_id.clone(),
                            client_id: m.client_id.clone(),
                            assignment: m.assignment.clone(),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut partitions: BTreeSet<(String, u32)> = BTreeSet::new();
        partitions.extend(owners.keys().cloned());
        partitions.extend(
            self.offsets
                .keys()
                .filter(|(g, _, _)| g == group_id)
                .map(|(_, t, p)| (String::from(&**t), *p)),
        );
        let offsets = partitions
            .into_iter()
            .map(|(topic, partition)| {
                let committed = self.committed_offset(group_id, &topic, partition);
                let log_end_offset = self
                    .topics
                    .get(topic.as_str())
                    .and_then(|t| t.partitions.get(partition as usize))
                    .map_or(0, |p| p.log.high_watermark());
                let start = self
                    .topics
                    .get(topic.as_str())
                    .and_then(|t| t.partitions.get(partition as usize))
                    .map_or(0, |p| p.log.log_start_offset());
                let lag = (log_end_offset - committed.unwrap_or(start)).max(0);
                let owner = owners.get(&(topic.clone(), partition)).cloned();
                GroupOffset {
                    topic,
                    partition,
                    committed,
                    log_end_offset,
                    lag,
                    owner,
                }
            })
            .collect();
        Ok(GroupDescription {
            group: String::from(group_id),
            state: group.map_or(GroupState::Empty, |g| g.state),
            protocol: group.and_then(|g| g.protocol.clone()),
            generation: group.map_or(0, |g| g.generation),
            leader: group.and_then(|g| g.leader.clone()),
            members,
            offsets,
        })
    }

    /// The group ids that exist, sorted.
    pub fn list_groups(&self) -> Vec<&str> {
        self.groups.keys().map(String::as_str).collect()
    }
}

impl GroupChange {
    /// One line for people: `Stable`, or `removed consumer-1-… (session timeout)`.
    pub fn describe(&self) -> String {
        match self {
            GroupChange::State(s) => String::from(s.name()),
            GroupChange::MemberRemoved { member_id, reason } => {
                alloc::format!("removed {member_id} ({reason})")
            }
        }
    }
}

/// Where `reset_offsets` moves a group's committed offsets (`kafka-consumer-groups
/// --reset-offsets`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResetTo {
    /// `--to-earliest`.
    Earliest,
    /// `--to-latest`.
    Latest,
    /// `--to-offset N` (kept within the log).
    Offset(i64),
    /// `--to-datetime`: the first offset at or after a timestamp.
    Timestamp(i64),
    /// `--shift-by N` (kept within the log).
    ShiftBy(i64),
}

impl Cluster {
    /// `kafka-consumer-groups --reset-offsets --execute` for a topic (all partitions, or one).
    /// Like Kafka, only for an inactive group (no members). Returns the new offsets.
    pub fn reset_offsets(
        &mut self,
        group_id: &str,
        topic: &str,
        partition: Option<u32>,
        to: ResetTo,
    ) -> Result<Vec<(TopicPartition, i64)>> {
        if let Some(g) = self.groups.get(group_id).filter(|g| !g.members.is_empty()) {
            return Err(err!(
                InvalidRequest,
                "Assignments can only be reset if the group '{group_id}' is inactive, but the current state is {}.",
                g.state.name()
            ));
        }
        let (name, t) = self.topics.get_key_value(topic).ok_or_else(|| {
            err!(
                UnknownTopicOrPartition,
                "Topic {topic} not present in metadata"
            )
        })?;
        let partitions: Vec<u32> = match partition {
            Some(p) => {
                t.partition(p)?;
                alloc::vec![p]
            }
            None => (0..t.partitions.len() as u32).collect(),
        };
        let mut done = Vec::new();
        for p in partitions {
            let log = &t.partitions[p as usize].log;
            let (start, end) = (log.log_start_offset(), log.high_watermark());
            let current = self.committed_offset(group_id, topic, p);
            let offset = match to {
                ResetTo::Earliest => start,
                ResetTo::Latest => end,
                ResetTo::Offset(o) => o,
                ResetTo::Timestamp(ts) => log.offset_for_timestamp(ts).unwrap_or(end),
                ResetTo::ShiftBy(n) => current.unwrap_or(start).saturating_add(n),
            }
            .clamp(start, end);
            done.push(((Arc::clone(name), p), offset));
        }
        let now = self.now;
        for ((t, p), offset) in &done {
            self.offsets.insert(
                (String::from(group_id), Arc::clone(t), *p),
                crate::consumer::CommittedOffset {
                    offset: *offset,
                    commit_time: now,
                },
            );
        }
        Ok(done)
    }

    /// `kafka-consumer-groups --delete-offsets` for a topic the group does not consume now.
    pub fn delete_offsets(&mut self, group_id: &str, topic: &str) -> Result<usize> {
        if let Some(g) = self.groups.get(group_id) {
            if g.members.values().any(|m| m.topics.contains(topic)) {
                return Err(err!(InvalidRequest, "GROUP_SUBSCRIBED_TO_TOPIC: the group {group_id} is subscribed to {topic}; its offsets cannot be deleted"));
            }
        }
        let before = self.offsets.len();
        self.offsets
            .retain(|(g, t, _), _| !(g == group_id && &**t == topic));
        Ok(before - self.offsets.len())
    }

    /// `kafka-consumer-groups --delete`: a group without members goes Dead, and its
    /// committed offsets with it.
    pub fn delete_group(&mut self, group_id: &str) -> Result<usize> {
        if self
            .groups
            .get(group_id)
            .is_some_and(|g| !g.members.is_empty())
        {
            return Err(err!(NonEmptyGroup, "The group is not empty."));
        }
        let had_group = self.groups.remove(group_id).is_some();
        let before = self.offsets.len();
        self.offsets.retain(|(g, _, _), _| g != group_id);
        let deleted = before - self.offsets.len();
        if !had_group && deleted == 0 {
            return Err(err!(GroupIdNotFound, "The group id does not exist."));
        }
        self.events.push(ClusterEvent::Group {
            group: group_id.into(),
            change: GroupChange::State(GroupState::Dead),
        });
        Ok(deleted)
    }
}
