//! What the brokers do on their own, reported as events.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use super::{Cluster, CoordinatorKind};
use crate::group::coordinator::GroupChange;
use crate::log::CleanupReport;
use crate::partition::{BrokerId, ReplicaChange};
use crate::replication::BrokerState;

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

impl Cluster {
    /// Drains what the brokers did on their own (retention, compaction).
    #[must_use]
    pub fn drain_events(&mut self) -> Vec<ClusterEvent> {
        core::mem::take(&mut self.events)
    }
}
