//! What a command did, as typed values: one [`Event`] per observable result.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use super::description::Description;
use super::output::OutputKind;
use crate::cluster::ClusterEvent;
use crate::consumer::RebalanceEvent;
use crate::error::Error;
use crate::partition::ReplicaChange;
use crate::producer::{BatchReport, DeliveryReport};
use crate::record::Message;
use crate::registry::{Compatibility, Incompatibility, Registered};
use crate::time::SimTime;

/// One observable result of a command.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// A command ran: its canonical text, its warnings, and its error if it failed.
    Command {
        /// The command as the script prints it.
        command: String,
        /// Configs it accepted but that have no effect here.
        warnings: Vec<String>,
        /// Why it failed.
        error: Option<Error>,
    },
    /// A record waits in its producer's batch; `id` is what its delivery report names.
    Queued {
        /// The producer.
        producer: String,
        /// The record's id.
        id: u64,
    },
    /// A producer sent a batch.
    Batch {
        /// The producer.
        producer: String,
        /// What happened to it on the wire.
        batch: BatchReport,
    },
    /// A record's delivery report.
    Delivery {
        /// The producer.
        producer: String,
        /// The report.
        report: DeliveryReport,
    },
    /// The delivery reports of a `generate`'s records, counted.
    Deliveries {
        /// The producer.
        producer: String,
        /// Records acknowledged.
        delivered: u64,
        /// Records that failed.
        failed: u64,
        /// The first failure's error.
        error: Option<Error>,
    },
    /// `poll()` threw.
    PollFailed {
        /// The consumer.
        consumer: String,
        /// What it threw.
        error: Error,
    },
    /// A poll returned more records than are shown.
    Polled {
        /// The consumer.
        consumer: String,
        /// Records returned.
        records: usize,
        /// Records shown (the last ones).
        shown: usize,
    },
    /// A polled record.
    Record(PolledRecord),
    /// An offset committed.
    Committed {
        /// Who committed it.
        by: Committer,
        /// The topic.
        topic: Arc<str>,
        /// The partition.
        partition: u32,
        /// The offset.
        offset: i64,
    },
    /// `commitAsync()`'s callback got an error.
    CommitCallback {
        /// The consumer.
        consumer: String,
        /// The error.
        error: Error,
    },
    /// A group's offsets were deleted (of one topic, or all).
    OffsetsDeleted {
        /// The group id.
        group: String,
        /// The topic, when only its offsets were deleted.
        topic: Option<String>,
        /// How many partitions' offsets went.
        partitions: usize,
    },
    /// A consumer's rebalance callback ran.
    Rebalance {
        /// The consumer.
        consumer: String,
        /// Which callback, with its partitions.
        callback: RebalanceEvent,
    },
    /// What the brokers did on their own: groups, coordinators, brokers, replication,
    /// retention and compaction.
    Cluster(ClusterEvent),
    /// Offsets added to a transaction.
    OffsetsInTransaction {
        /// The producer.
        producer: String,
        /// The topic.
        topic: Arc<str>,
        /// The partition.
        partition: u32,
        /// The offset.
        offset: i64,
    },
    /// `deleteRecords` moved the log start offset.
    LowWatermark {
        /// The topic.
        topic: String,
        /// The partition.
        partition: u32,
        /// The new log start offset.
        offset: i64,
    },
    /// The clock moved.
    Clock {
        /// The time now.
        now: SimTime,
    },
    /// A `describe`'s answer: a document, as `kafka-*.sh --describe` prints one.
    Describe(Description),
    /// A datagen source stopped on an error.
    DatagenStopped {
        /// The source.
        source: String,
        /// Why it stopped.
        error: Error,
    },
    /// A schema registered (or found already registered).
    Schema {
        /// The subject.
        subject: String,
        /// Its id and version.
        registered: Registered,
    },
    /// A subject deleted.
    SchemaDeleted {
        /// The subject.
        subject: String,
        /// The versions it had.
        versions: Vec<u32>,
    },
    /// A compatibility check's answer.
    Compatibility {
        /// The subject.
        subject: String,
        /// The level it was checked at.
        level: Compatibility,
        /// Why the schema is incompatible; `None` when it is compatible.
        incompatibility: Option<Incompatibility>,
    },
    /// A connector started with its tasks.
    ConnectorRunning {
        /// The connector.
        connector: String,
        /// How many tasks it runs.
        tasks: usize,
    },
    /// A connector's task failed.
    TaskFailed {
        /// The connector.
        connector: String,
        /// The task's index.
        task: usize,
        /// Why.
        error: Error,
    },
}

/// Who committed an offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Committer {
    /// A consumer, by name.
    Consumer(String),
    /// `kafka-consumer-groups --reset-offsets`, for this group.
    ResetTool(String),
}

/// A record as the application's `poll()` got it.
#[derive(Clone, Debug, PartialEq)]
pub struct PolledRecord {
    /// The consumer.
    pub consumer: String,
    /// The record.
    pub message: Message,
    /// The key as a schema-registry deserializer read it: schema id and JSON text.
    pub key: Option<(u32, String)>,
    /// The value, likewise.
    pub value: Option<(u32, String)>,
}

impl Event {
    /// Its kind, which is the JSON `type`.
    pub fn kind(&self) -> OutputKind {
        match self {
            Self::Command { .. } => OutputKind::Command,
            Self::Queued { .. } => OutputKind::Queued,
            Self::Batch { .. } => OutputKind::Batch,
            Self::Delivery { .. } => OutputKind::Delivery,
            Self::Deliveries { .. } => OutputKind::Deliveries,
            Self::PollFailed { .. } => OutputKind::Poll,
            Self::Polled { .. } => OutputKind::Polled,
            Self::Record(_) => OutputKind::Record,
            Self::Committed { .. } => OutputKind::Committed,
            Self::CommitCallback { .. } => OutputKind::CommitCallback,
            Self::OffsetsDeleted { .. } => OutputKind::OffsetsDeleted,
            Self::Rebalance { .. } => OutputKind::Rebalance,
            Self::Cluster(e) => match e {
                ClusterEvent::Retention { .. } => OutputKind::Retention,
                ClusterEvent::Compaction { .. } => OutputKind::Compaction,
                ClusterEvent::Group { .. } => OutputKind::Group,
                ClusterEvent::Coordinator { .. } => OutputKind::Coordinator,
                ClusterEvent::Broker { .. } => OutputKind::Broker,
                ClusterEvent::Replica { change, .. } => match change {
                    ReplicaChange::LeaderElected { .. } => OutputKind::Leader,
                    ReplicaChange::Isr { .. } => OutputKind::Isr,
                    ReplicaChange::Truncated { .. } => OutputKind::Truncated,
                },
            },
            Self::OffsetsInTransaction { .. } => OutputKind::OffsetsInTransaction,
            Self::LowWatermark { .. } => OutputKind::LowWatermark,
            Self::Clock { .. } => OutputKind::Clock,
            Self::Describe(_) => OutputKind::Describe,
            Self::DatagenStopped { .. } => OutputKind::Datagen,
            Self::Schema { .. } => OutputKind::Schema,
            Self::SchemaDeleted { .. } => OutputKind::SchemaDeleted,
            Self::Compatibility { .. } => OutputKind::Compatibility,
            Self::ConnectorRunning { .. } | Self::TaskFailed { .. } => OutputKind::Connector,
        }
    }

    /// The error it reports, if any.
    pub fn error(&self) -> Option<&Error> {
        match self {
            Self::Command { error, .. } | Self::Deliveries { error, .. } => error.as_ref(),
            Self::Delivery { report, .. } => report.error.as_ref(),
            Self::Record(r) => r.message.error(),
            Self::PollFailed { error, .. }
            | Self::CommitCallback { error, .. }
            | Self::DatagenStopped { error, .. }
            | Self::TaskFailed { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The client it is about, if one.
    pub fn client(&self) -> Option<&str> {
        match self {
            Self::Queued { producer, .. }
            | Self::Batch { producer, .. }
            | Self::Delivery { producer, .. }
            | Self::Deliveries { producer, .. }
            | Self::OffsetsInTransaction { producer, .. } => Some(producer),
            Self::PollFailed { consumer, .. }
            | Self::Polled { consumer, .. }
            | Self::CommitCallback { consumer, .. }
            | Self::Rebalance { consumer, .. }
            | Self::Committed {
                by: Committer::Consumer(consumer),
                ..
            } => Some(consumer),
            Self::Record(r) => Some(&r.consumer),
            _ => None,
        }
    }
}
