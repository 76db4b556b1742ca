//! The group coordinator's state machine (Kafka's classic protocol, eager rebalances).
//!
//! Empty → PreparingRebalance → CompletingRebalance → Stable, and Dead when deleted. A join
//! starts a rebalance; it completes when every member has rejoined (a new group first waits
//! `group.initial.rebalance.delay.ms`), or when the rebalance timeout removes the members
//! that did not. Then the generation goes up, the protocol is chosen by Kafka's vote, and the
//! leader's assignor hands out the partitions.

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use litemap::LiteMap;

use super::assignor::{self, Member, Partition, PartitionCounts};
use crate::error::{err, Result};
use crate::sorted_set::SortedSet;
use crate::time::SimTime;

/// The assignors logplay implements, by Kafka's protocol names.
pub const SUPPORTED_ASSIGNORS: [&str; 4] = ["range", "roundrobin", "sticky", "cooperative-sticky"];

/// A group's state, by Kafka's names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GroupState {
    /// No members.
    Empty,
    /// Waiting for members to (re)join.
    PreparingRebalance,
    /// Waiting for the leader's assignment.
    CompletingRebalance,
    /// Members hold their assignment.
    Stable,
    /// The group was deleted.
    Dead,
}

impl GroupState {
    /// Kafka's name for the state.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Empty => "Empty",
            Self::PreparingRebalance => "PreparingRebalance",
            Self::CompletingRebalance => "CompletingRebalance",
            Self::Stable => "Stable",
            Self::Dead => "Dead",
        }
    }
}

/// One member as the coordinator sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupMember {
    /// Its member id.
    pub member_id: String,
    /// Its `client.id`.
    pub client_id: String,
    /// Its `partition.assignment.strategy`, most preferred first.
    pub protocols: Vec<String>,
    /// The topics it subscribes to (a pattern resolved against the topics that exist).
    pub topics: SortedSet<String>,
    /// Its partitions in the current generation.
    pub assignment: Vec<Partition>,
    /// Whether it has joined the rebalance in progress.
    pub joined: bool,
    /// Its rebalance timeout (`max.poll.interval.ms`).
    pub rebalance_timeout_ms: u64,
    /// Its `session.timeout.ms`.
    pub session_timeout_ms: u64,
    /// When its heartbeats stopped (its process died), if they did.
    pub silent_since: Option<SimTime>,
    /// Its `group.instance.id`, for a static member.
    pub instance_id: Option<String>,
    /// Whether it rebalances cooperatively, keeping its partitions while it rejoins.
    pub cooperative: bool,
}

/// A consumer group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// The group id.
    pub id: String,
    /// Its state.
    pub state: GroupState,
    /// The generation: +1 per completed rebalance.
    pub generation: i32,
    /// The assignor the members agreed on.
    pub protocol: Option<String>,
    /// The member that ran the assignor.
    pub leader: Option<String>,
    /// The members, by member id.
    pub members: BTreeMap<String, GroupMember>,
    /// When the join phase of the rebalance in progress ends at the latest.
    pub rebalance_deadline: Option<SimTime>,
    /// A new group waits this long for more members (`group.initial.rebalance.delay.ms`).
    pub initial_delay_until: Option<SimTime>,
    /// How many members support each protocol (Kafka's `supportedProtocols`), so that a
    /// join is checked without scanning every member.
    protocol_counts: LiteMap<String, usize>,
}

/// A change the coordinator made, for the consumers and the views.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupChange {
    /// The group moved to a state.
    State(GroupState),
    /// A member was removed, and why.
    MemberRemoved {
        /// Its member id.
        member_id: String,
        /// `session timeout`, `rebalance timeout` or `left`.
        reason: &'static str,
    },
}

impl Group {
    /// Heap bytes the group holds: its members, their subscriptions and assignments.
    pub(crate) fn heap_bytes(&self) -> usize {
        use crate::budget::entry;
        let member = |m: &GroupMember| {
            entry::MEMBER
                + m.member_id.len()
                + m.client_id.len()
                + m.protocols
                    .iter()
                    .map(|p| entry::ENTRY + p.len())
                    .sum::<usize>()
                + m.topics
                    .iter()
                    .map(|t| entry::ENTRY + t.len())
                    .sum::<usize>()
                + m.assignment.len() * entry::ENTRY
        };
        entry::MEMBER + self.id.len() + self.members.values().map(member).sum::<usize>()
    }

    /// An empty group.
    pub fn new(id: &str) -> Self {
        Self {
            id: id.into(),
            state: GroupState::Empty,
            generation: 0,
            protocol: None,
            leader: None,
            members: BTreeMap::new(),
            rebalance_deadline: None,
            initial_delay_until: None,
            protocol_counts: LiteMap::new(),
        }
    }

    fn insert_member(&mut self, member: GroupMember) {
        self.remove_member(&member.member_id.clone());
        for p in &member.protocols {
            *self.protocol_counts.entry(p.clone()).or_default() += 1;
        }
        self.members.insert(member.member_id.clone(), member);
    }

    fn remove_member(&mut self, member_id: &str) -> Option<GroupMember> {
        let member = self.members.remove(member_id)?;
        for p in &member.protocols {
            if let Some(n) = self.protocol_counts.get_mut(p) {
                *n -= 1;
                if *n == 0 {
                    self.protocol_counts.remove(p);
                }
            }
        }
        Some(member)
    }

    /// A static member restarting (KIP-345): if its `group.instance.id` is known, the new
    /// member id takes over the old one's place and assignment without a rebalance. Returns
    /// whether it did.
    pub fn rejoin_static(&mut self, member: &GroupMember) -> bool {
        let Some(instance) = &member.instance_id else {
            return false;
        };
        let Some(old_id) = self
            .members
            .values()
            .find(|m| m.instance_id.as_ref() == Some(instance))
            .map(|m| m.member_id.clone())
        else {
            return false;
        };
        let Some(old) = self.remove_member(&old_id) else {
            return false;
        };
        let mut new = member.clone();
        new.assignment = old.assignment;
        new.joined = old.joined;
        if self.leader.as_deref() == Some(old_id.as_str()) {
            self.leader = Some(new.member_id.clone());
        }
        self.insert_member(new);
        true
    }

    /// JoinGroup: adds or updates a member; the first join of a rebalance starts it. A member
    /// whose assignors share none with the other members' is refused
    /// (`INCONSISTENT_GROUP_PROTOCOL`).
    pub fn join(
        &mut self,
        mut member: GroupMember,
        now: SimTime,
        initial_delay_ms: u64,
    ) -> Result<Vec<GroupChange>> {
        let previous = self.members.get(&member.member_id);
        let others = self.members.len() - usize::from(previous.is_some());
        let supported_by_all_others = |p: &String| {
            let mine = previous.is_some_and(|m| m.protocols.contains(p));
            self.protocol_counts.get(p).copied().unwrap_or(0) - usize::from(mine) == others
        };
        if others > 0 && !member.protocols.iter().any(supported_by_all_others) {
            return Err(err!(
                InconsistentGroupProtocol,
                "The group member's supported protocols ({}) are incompatible with those of existing members",
                member.protocols.join(",")
            ));
        }
        let mut changes = Vec::new();
        let was_empty = self.members.is_empty();
        member.joined = true;
        if let Some(previous) = self.members.get(&member.member_id) {
            // A rejoining member reports what it owned (the sticky assignors' user data).
            member.assignment = previous.assignment.clone();
        }
        let id = member.member_id.clone();
        if self.leader.is_none() {
            self.leader = Some(id.clone());
        }
        self.insert_member(member);
        if self.state != GroupState::PreparingRebalance {
            self.start_rebalance(
                now,
                was_empty.then_some(initial_delay_ms),
                Some(&id),
                &mut changes,
            );
        }
        Ok(changes)
    }

    /// Every member but `joiner` must rejoin within the rebalance timeout.
    fn start_rebalance(
        &mut self,
        now: SimTime,
        initial_delay_ms: Option<u64>,
        joiner: Option<&str>,
        changes: &mut Vec<GroupChange>,
    ) {
        for m in self.members.values_mut() {
            m.joined = Some(m.member_id.as_str()) == joiner;
        }
        let timeout = self
            .members
            .values()
            .map(|m| m.rebalance_timeout_ms)
            .max()
            .unwrap_or(0);
        self.rebalance_deadline = Some(now + timeout);
        self.initial_delay_until = initial_delay_ms.map(|d| now + d);
        self.state = GroupState::PreparingRebalance;
        changes.push(GroupChange::State(self.state));
    }

    /// Whether a member must rejoin: a rebalance is in progress and it has not joined it.
    pub fn must_rejoin(&self, member_id: &str) -> bool {
        self.state == GroupState::PreparingRebalance
            && self.members.get(member_id).is_some_and(|m| !m.joined)
    }

    /// LeaveGroup, or the coordinator expelling a member.
    pub fn remove(
        &mut self,
        member_id: &str,
        reason: &'static str,
        now: SimTime,
    ) -> Vec<GroupChange> {
        let mut changes = Vec::new();
        if self.remove_member(member_id).is_none() {
            return changes;
        }
        changes.push(GroupChange::MemberRemoved {
            member_id: member_id.into(),
            reason,
        });
        if self.leader.as_deref() == Some(member_id) {
            self.leader = self.members.keys().next().cloned();
        }
        if self.members.is_empty() {
            self.state = GroupState::Empty;
            self.rebalance_deadline = None;
            self.initial_delay_until = None;
            changes.push(GroupChange::State(self.state));
        } else if self.state != GroupState::PreparingRebalance {
            self.start_rebalance(now, None, None, &mut changes);
        }
        changes
    }

    /// The next time the coordinator must act on this group.
    pub fn deadline(&self) -> Option<SimTime> {
        let session = self
            .members
            .values()
            .filter_map(|m| m.silent_since.map(|t| t + m.session_timeout_ms))
            .min();
        let join_done = self
            .members
            .values()
            .all(|m| m.joined)
            .then_some(self.initial_delay_until)
            .flatten();
        self.rebalance_deadline
            .into_iter()
            .chain(session)
            .chain(join_done)
            .min()
    }

    /// Expels members whose session timed out, and completes the join phase once every
    /// member joined (and a new group's initial delay passed) or its time is up.
    /// `partitions` is the partition count of every topic.
    pub fn advance(&mut self, now: SimTime, partitions: &PartitionCounts) -> Vec<GroupChange> {
        let mut changes = Vec::new();
        let expired: Vec<String> = self
            .members
            .values()
            .filter(|m| {
                m.silent_since
                    .is_some_and(|t| now >= t + m.session_timeout_ms)
            })
            .map(|m| m.member_id.clone())
            .collect();
        for id in expired {
            changes.extend(self.remove(&id, "session timeout", now));
        }
        if self.state != GroupState::PreparingRebalance {
            return changes;
        }
        let all_joined = self.members.values().all(|m| m.joined);
        let delay_over = self.initial_delay_until.is_none_or(|t| now >= t);
        let timed_out = self.rebalance_deadline.is_some_and(|d| now >= d);
        if !(all_joined && delay_over || timed_out) {
            return changes;
        }
        let stragglers: Vec<String> = self
            .members
            .values()
            .filter(|m| !m.joined)
            .map(|m| m.member_id.clone())
            .collect();
        for id in stragglers {
            self.remove_member(&id);
            changes.push(GroupChange::MemberRemoved {
                member_id: id,
                reason: "rebalance timeout",
            });
        }
        self.rebalance_deadline = None;
        self.initial_delay_until = None;
        if self.members.is_empty() {
            self.state = GroupState::Empty;
            changes.push(GroupChange::State(self.state));
            return changes;
        }
        self.complete_rebalance(partitions);
        changes.push(GroupChange::State(GroupState::CompletingRebalance));
        changes.push(GroupChange::State(GroupState::Stable));
        changes
    }

    /// The join phase is over: a new generation, the protocol vote, the leader's assignment.
    fn complete_rebalance(&mut self, partitions: &PartitionCounts) {
        self.generation += 1;
        if !self
            .leader
            .as_ref()
            .is_some_and(|l| self.members.contains_key(l))
        {
            self.leader = self.members.keys().next().cloned();
        }
        let protocol = select_protocol(self.members.values());
        let members: Vec<Member> = self
            .members
            .values()
            .map(|m| Member {
                member_id: m.member_id.clone(),
                group_instance_id: m.instance_id.clone(),
                topics: m.topics.clone(),
                owned: m.assignment.clone(),
            })
            .collect();
        let mut owners: BTreeMap<Partition, String> = BTreeMap::new();
        owners.extend(
            self.members
                .values()
                .filter(|m| m.cooperative)
                .flat_map(|m| {
                    m.assignment
                        .iter()
                        .map(|p| (p.clone(), m.member_id.clone()))
                }),
        );
        let assignment = match protocol.as_deref() {
            Some("roundrobin") => assignor::roundrobin(partitions, &members),
            Some("sticky") => assignor::sticky(partitions, &members),
            Some("cooperative-sticky") => {
                // KIP-429: a partition moves in two steps. Its owner first gives it up (this
                // rebalance), then it is handed out (the follow-up rebalance).
                let mut target = assignor::sticky(partitions, &members);
                for (id, parts) in target.iter_mut() {
                    parts.retain(|p| owners.get(p).is_none_or(|owner| owner == id));
                }
                target
            }
            _ => assignor::range(partitions, &members),
        };
        for (id, parts) in assignment {
            if let Some(m) = self.members.get_mut(&id) {
                m.assignment = parts;
            }
        }
        self.protocol = protocol;
        self.state = GroupState::Stable;
    }
}

/// Kafka's protocol selection: the candidates are the protocols every member supports; each
/// member votes for its most preferred candidate; the most votes win (ties: the earliest in
/// the leader's list, which logplay uses to stay deterministic).
fn select_protocol<'a>(members: impl Iterator<Item = &'a GroupMember> + Clone) -> Option<String> {
    let mut all = members.clone();
    let first = all.next()?;
    let candidates: Vec<&String> = first
        .protocols
        .iter()
        .filter(|p| all.clone().all(|m| m.protocols.contains(p)))
        .collect();
    let mut votes: LiteMap<&String, usize> = LiteMap::new();
    for m in members {
        if let Some(choice) = m.protocols.iter().find(|p| candidates.contains(p)) {
            *votes.entry(choice).or_default() += 1;
        }
    }
    let best = votes.values().copied().max()?;
    candidates
        .into_iter()
        .find(|c| votes.get(c) == Some(&best))
        .map(ToString::to_string)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use alloc::vec;

    fn member(id: &str, protocols: &[&str], topics: &[&str]) -> GroupMember {
        GroupMember {
            member_id: id.into(),
            client_id: id.into(),
            protocols: protocols.iter().map(|p| String::from(*p)).collect(),
            topics: topics.iter().map(|t| String::from(*t)).collect(),
            assignment: Vec::new(),
            joined: true,
            rebalance_timeout_ms: 300_000,
            session_timeout_ms: 45_000,
            silent_since: None,
            instance_id: None,
            cooperative: false,
        }
    }

    fn counts() -> PartitionCounts {
        [(String::from("t"), 5u32)].into_iter().collect()
    }

    #[test]
    fn a_new_group_waits_the_initial_delay_then_every_partition_has_one_owner() {
        let mut g = Group::new("g");
        assert_eq!(
            g.join(member("m1", &["range"], &["t"]), SimTime(0), 3_000)
                .unwrap(),
            vec![GroupChange::State(GroupState::PreparingRebalance)]
        );
        assert!(g
            .join(member("m2", &["range"], &["t"]), SimTime(10), 3_000)
            .unwrap()
            .is_empty());
        let odd = g
            .join(member("m9", &["roundrobin"], &["t"]), SimTime(20), 3_000)
            .unwrap_err();
        assert_eq!(odd.code, crate::error::ErrorCode::InconsistentGroupProtocol);
        assert!(
            !g.members.contains_key("m9"),
            "a refused join changes nothing"
        );
        assert!(
            g.advance(SimTime(2_999), &counts()).is_empty(),
            "still in the initial delay"
        );
        assert_eq!(g.deadline(), Some(SimTime(3_000)));
        g.advance(SimTime(3_000), &counts());
        assert_eq!(
            (g.state, g.generation, g.protocol.as_deref()),
            (GroupState::Stable, 1, Some("range"))
        );
        let mut owned: Vec<&Partition> = g.members.values().flat_map(|m| &m.assignment).collect();
        owned.sort();
        assert_eq!(owned.len(), 5);
        owned.dedup();
        assert_eq!(owned.len(), 5, "no partition has two owners");
        assert_eq!(
            g.members["m1"].assignment.len(),
            3,
            "range gives the first member the extra partition"
        );
    }

    #[test]
    fn members_that_do_not_rejoin_in_time_are_removed() {
        let mut g = Group::new("g");
        g.join(member("m1", &["range"], &["t"]), SimTime(0), 0)
            .unwrap();
        g.join(member("m2", &["range"], &["t"]), SimTime(0), 0)
            .unwrap();
        g.advance(SimTime(0), &counts());
        assert_eq!(g.generation, 1);
        g.join(member("m3", &["range"], &["t"]), SimTime(100), 0)
            .unwrap();
        assert!(g.must_rejoin("m1") && g.must_rejoin("m2") && !g.must_rejoin("m3"));
        g.join(member("m1", &["range"], &["t"]), SimTime(200), 0)
            .unwrap();
        assert!(
            g.advance(SimTime(1_000), &counts()).is_empty(),
            "m2 still has time"
        );
        let changes = g.advance(SimTime(300_100), &counts());
        assert!(changes.contains(&GroupChange::MemberRemoved {
            member_id: "m2".into(),
            reason: "rebalance timeout"
        }));
        assert_eq!(
            (g.state, g.generation, g.members.len()),
            (GroupState::Stable, 2, 2)
        );
    }

    #[test]
    fn silent_members_are_expelled_after_the_session_timeout() {
        let mut g = Group::new("g");
        g.join(member("m1", &["range"], &["t"]), SimTime(0), 0)
            .unwrap();
        g.join(member("m2", &["range"], &["t"]), SimTime(0), 0)
            .unwrap();
        g.advance(SimTime(0), &counts());
        if let Some(m) = g.members.get_mut("m2") {
            m.silent_since = Some(SimTime(1_000));
        }
        assert_eq!(g.deadline(), Some(SimTime(46_000)));
        assert!(g.advance(SimTime(45_999), &counts()).is_empty());
        let changes = g.advance(SimTime(46_000), &counts());
        assert_eq!(
            changes[0],
            GroupChange::MemberRemoved {
                member_id: "m2".into(),
                reason: "session timeout"
            }
        );
        assert_eq!(g.state, GroupState::PreparingRebalance);
        let changes = g.remove("m1", "left", SimTime(46_001));
        assert_eq!(changes.last(), Some(&GroupChange::State(GroupState::Empty)));
    }

    #[test]
    fn the_protocol_is_the_most_voted_one_all_members_support() {
        let m = |p: &[&str]| member("x", p, &["t"]);
        let pick = |ms: &[GroupMember]| select_protocol(ms.iter());
        assert_eq!(
            pick(&[
                m(&["range", "roundrobin"]),
                m(&["roundrobin", "range"]),
                m(&["roundrobin"])
            ])
            .as_deref(),
            Some("roundrobin")
        );
        assert_eq!(
            pick(&[
                m(&["range", "cooperative-sticky"]),
                m(&["roundrobin", "range"])
            ])
            .as_deref(),
            Some("range")
        );
        assert_eq!(pick(&[m(&["range"]), m(&["roundrobin"])]), None);
    }
}
