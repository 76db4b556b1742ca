//! Where the group and transaction coordinators live: on the leader of a partition of
//! `__consumer_offsets` or `__transaction_state`, chosen by the Java hash of the group id or
//! `transactional.id`. The internal topics are created at the first lookup, as Kafka creates
//! them at the first FindCoordinator, and fail over with their leaders.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use super::{Cluster, ClusterEvent};
use crate::error::{err, Result};
use crate::partition::{BrokerId, NO_LEADER};
use crate::replication::assign_replicas;
use crate::topic::{Topic, TopicConfig};

/// Partitions of each internal topic (`offsets.topic.num.partitions`,
/// `transaction.state.log.num.partitions`).
pub const INTERNAL_TOPIC_PARTITIONS: u32 = 50;
/// Replicas of each internal topic (`offsets.topic.replication.factor`,
/// `transaction.state.log.replication.factor`), at most one per broker.
pub const INTERNAL_TOPIC_REPLICATION: u32 = 3;

/// Which coordinator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum CoordinatorKind {
    /// The group coordinator (`__consumer_offsets`).
    Group,
    /// The transaction coordinator (`__transaction_state`).
    Transaction,
}

impl CoordinatorKind {
    /// The internal topic it lives on.
    pub fn topic(self) -> &'static str {
        match self {
            Self::Group => "__consumer_offsets",
            Self::Transaction => "__transaction_state",
        }
    }

    /// Lower-case name, as printed.
    pub fn name(self) -> &'static str {
        match self {
            Self::Group => "group",
            Self::Transaction => "transaction",
        }
    }
}

/// Java's `String.hashCode` over UTF-16 code units, then Kafka's `Utils.abs` and modulo: the
/// internal partition of a group id or `transactional.id`.
pub fn coordinator_partition(key: &str) -> u32 {
    let hash = key
        .encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)));
    (hash & 0x7fff_ffff) as u32 % INTERNAL_TOPIC_PARTITIONS
}

impl Cluster {
    /// The broker coordinating `key`, if its internal topic exists and the partition has a
    /// leader (FindCoordinator without creating anything).
    pub fn coordinator(&self, kind: CoordinatorKind, key: &str) -> Option<BrokerId> {
        self.internal
            .get(kind.topic())
            .and_then(|t| t.partitions.get(coordinator_partition(key) as usize))
            .map(|p| p.leader)
            .filter(|&l| l != NO_LEADER)
    }

    /// FindCoordinator: creates the internal topic if needed, then the coordinator of `key`,
    /// or `COORDINATOR_NOT_AVAILABLE`.
    pub(super) fn find_coordinator(
        &mut self,
        kind: CoordinatorKind,
        key: &str,
    ) -> Result<BrokerId> {
        if !self.internal.contains_key(kind.topic()) {
            let alive = self.brokers.iter().filter(|b| b.is_alive()).count() as u32;
            let rf = INTERNAL_TOPIC_REPLICATION.min(alive).max(1);
            let mut rng = self.rng.clone();
            let assignment =
                assign_replicas(&self.brokers, 0..INTERNAL_TOPIC_PARTITIONS, rf, &mut rng)
                    .map_err(|e| err!(CoordinatorNotAvailable, "{}", e.message))?;
            self.rng = rng;
            let topic = Topic::new(kind.topic(), assignment, TopicConfig::default(), self.now);
            self.internal.insert(Arc::from(kind.topic()), topic);
        }
        self.coordinator(kind, key).ok_or_else(|| {
            err!(
                CoordinatorNotAvailable,
                "The coordinator is not available: partition {} of {} has no leader",
                coordinator_partition(key),
                kind.topic()
            )
        })
    }

    /// Every known group's and transactional id's coordinator.
    pub(super) fn coordinators(&self) -> Vec<(CoordinatorKind, String, Option<BrokerId>)> {
        let groups = self.groups.keys().map(|g| (CoordinatorKind::Group, g));
        let txns = self
            .transactions
            .keys()
            .map(|t| (CoordinatorKind::Transaction, t));
        groups
            .chain(txns)
            .map(|(k, key)| (k, key.clone(), self.coordinator(k, key)))
            .collect()
    }

    /// Reports coordinators that moved since `before`. A group's new coordinator loads it
    /// and gives every member a fresh session, as Kafka's does when it loads a group.
    pub(super) fn report_moved_coordinators(
        &mut self,
        before: Vec<(CoordinatorKind, String, Option<BrokerId>)>,
    ) {
        let now = self.now;
        for (kind, key, old) in before {
            let new = self.coordinator(kind, &key);
            if new == old {
                continue;
            }
            if let (CoordinatorKind::Group, Some(group)) = (kind, self.groups.get_mut(&key)) {
                for m in group.members.values_mut() {
                    if m.silent_since.is_some() {
                        m.silent_since = Some(now);
                    }
                }
            }
            self.events.push(ClusterEvent::Coordinator {
                kind,
                key,
                broker: new.unwrap_or(NO_LEADER),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn the_partition_is_javas_hash_code_modulo_fifty() {
        // "group".hashCode() = 98629247 (Java); 98629247 % 50 = 47.
        assert_eq!(coordinator_partition("group"), 47);
        // A negative hash: "polygenelubricants".hashCode() = Integer.MIN_VALUE; & 0x7fffffff = 0.
        assert_eq!(coordinator_partition("polygenelubricants"), 0);
        assert_eq!(coordinator_partition(""), 0);
    }
}
