//! What `describe` shows, as typed values: one [`Description`] variant per target, built
//! from the engine's own views.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use crate::cluster::{GroupDescription, TopicDescription};
use crate::connect::sink::Aggregate;
use crate::consumer::AssignedPartition;
use crate::partition::BrokerId;
use crate::registry::json_schema::Policy;
use crate::registry::{Compatibility, SchemaReference};
use crate::replication::Broker;
use crate::time::SimTime;
use crate::txn::{ClientState, TransactionMetadata};

use super::TaskStatus;

/// What `describe TARGET` shows of its target now.
#[derive(Clone, Debug, PartialEq)]
pub enum Description {
    /// `describe topic`: partitions, offsets, segments and config overrides.
    Topic(TopicDescription),
    /// `describe consumer`: configs and the assignment with positions and lag.
    Consumer {
        /// The consumer's name.
        consumer: String,
        /// Its configs.
        configs: Vec<(&'static str, String)>,
        /// Its partitions, with positions, commits and lag.
        assignment: Vec<AssignedPartition>,
    },
    /// `describe producer`: identity, configs and what it holds.
    Producer(ProducerDescription),
    /// `describe group`: members, offsets and lag, and the group coordinator.
    Group {
        /// The group.
        group: GroupDescription,
        /// The broker coordinating it, if one is up.
        coordinator: Option<BrokerId>,
    },
    /// `describe cluster`: the clock, brokers, topics, clients and the state hash.
    Cluster(ClusterDescription),
    /// `describe transaction`: the coordinator's metadata for a `transactional.id`.
    Transaction {
        /// The `transactional.id`.
        transactional_id: String,
        /// The broker coordinating it, if one is up.
        coordinator: Option<BrokerId>,
        /// What the coordinator keeps for it.
        metadata: TransactionMetadata,
    },
    /// `describe subject`: its versions, compatibility level and policy.
    Subject {
        /// The subject.
        subject: String,
        /// Its effective compatibility level.
        compatibility: Compatibility,
        /// Its effective `compatibilityPolicy`.
        policy: Policy,
        /// Its versions, oldest first: schema id, text and references.
        versions: Vec<(u32, Option<String>, Vec<SchemaReference>)>,
    },
    /// `describe connector`: its status, tasks and a sink's rows.
    Connector(ConnectorDescription),
}

/// A producer as `describe producer` shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ProducerDescription {
    /// The producer's name.
    pub producer: String,
    /// Its producer id (-1 without idempotence).
    pub producer_id: i64,
    /// Its epoch.
    pub epoch: i16,
    /// Its transaction state, when it is transactional.
    pub transaction_state: Option<ClientState>,
    /// Its configs.
    pub configs: Vec<(&'static str, String)>,
    /// Records waiting in batches: topic, partition, count.
    pub pending: Vec<(Arc<str>, u32, u32)>,
    /// Batches sent and not yet answered.
    pub in_flight: usize,
}

/// Whether a client is a producer or a consumer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientKind {
    /// A producer.
    Producer,
    /// A consumer.
    Consumer,
}

impl ClientKind {
    /// Its name in the script language.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Producer => "producer",
            Self::Consumer => "consumer",
        }
    }
}

/// The cluster as `describe cluster` shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterDescription {
    /// The simulated time.
    pub now: SimTime,
    /// The seed.
    pub seed: u64,
    /// The brokers.
    pub brokers: Vec<Broker>,
    /// The topics' names.
    pub topics: Vec<String>,
    /// The open clients, by name.
    pub clients: Vec<(String, ClientKind)>,
    /// The state hash.
    pub state_hash: u64,
    /// What the scenario holds, against its limits.
    pub usage: crate::budget::Usage,
    /// What it may hold and do.
    pub limits: crate::budget::Limits,
}

/// A connector as `describe connector` shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ConnectorDescription {
    /// The connector's name.
    pub connector: String,
    /// Connect's class name.
    pub class: &'static str,
    /// A source (or a sink).
    pub source: bool,
    /// `PAUSED` or `RUNNING`.
    pub state: &'static str,
    /// The topics it writes or reads.
    pub topics: Vec<String>,
    /// Its tasks.
    pub tasks: Vec<TaskStatus>,
    /// Records written (source) or read (sink).
    pub records: u64,
    /// Records skipped under `errors.tolerance=all`.
    pub skipped: u64,
    /// Records per simulated second over the last second.
    pub records_per_second: u64,
    /// A sink's rows: how many its view holds, and the first of them.
    pub view: Option<(usize, SinkRows)>,
}

/// The first rows of a sink's view, in key order.
#[derive(Clone, Debug, PartialEq)]
pub enum SinkRows {
    /// A table sink's rows: key and latest value.
    Table(Vec<(String, String)>),
    /// A counter sink's rows: key, count and sum.
    Counts(Vec<(String, Aggregate)>),
}
