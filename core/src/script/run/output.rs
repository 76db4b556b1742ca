//! What a command reports: [`Output`]s, each of an [`OutputKind`].

use alloc::string::{String, ToString};

use serde_json::Value as Json;

use super::event::Event;
use crate::error::Error;

/// What an output reports; its name is the JSON `type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OutputKind {
    /// A command ran (with its error if it failed).
    Command,
    /// A record waits in its producer's batch.
    Queued,
    /// A producer sent a batch.
    Batch,
    /// A delivery report.
    Delivery,
    /// The delivery reports of a `generate`, as ranges.
    Deliveries,
    /// A poll's summary (its error if it threw).
    Poll,
    /// How many records a poll returned, when not all are shown.
    Polled,
    /// A polled record.
    Record,
    /// An offset committed.
    Committed,
    /// `commitAsync()`'s callback got an error.
    CommitCallback,
    /// A group's offsets were deleted.
    OffsetsDeleted,
    /// A consumer's partitions were revoked or assigned.
    Rebalance,
    /// A group's state changed.
    Group,
    /// A group's or transactional id's coordinator moved.
    Coordinator,
    /// Offsets added to a transaction.
    OffsetsInTransaction,
    /// A broker started, stopped, was isolated or healed.
    Broker,
    /// A partition elected a leader.
    Leader,
    /// A partition's ISR changed.
    Isr,
    /// A returning replica truncated its log.
    Truncated,
    /// `deleteRecords` moved the log start offset.
    LowWatermark,
    /// Retention deleted segments.
    Retention,
    /// The cleaner compacted a log.
    Compaction,
    /// The clock moved.
    Clock,
    /// A `describe`'s answer.
    Describe,
    /// A datagen source stopped.
    Datagen,
    /// A schema registered.
    Schema,
    /// A subject deleted.
    SchemaDeleted,
    /// A compatibility check's answer.
    Compatibility,
    /// A connector's or task's state changed.
    Connector,
}

impl OutputKind {
    /// Every kind, in the order docs/script.md lists them.
    pub const ALL: [Self; 29] = [
        Self::Command,
        Self::Queued,
        Self::Batch,
        Self::Delivery,
        Self::Deliveries,
        Self::Poll,
        Self::Polled,
        Self::Record,
        Self::Committed,
        Self::CommitCallback,
        Self::OffsetsDeleted,
        Self::Rebalance,
        Self::Group,
        Self::Coordinator,
        Self::OffsetsInTransaction,
        Self::Broker,
        Self::Leader,
        Self::Isr,
        Self::Truncated,
        Self::LowWatermark,
        Self::Retention,
        Self::Compaction,
        Self::Clock,
        Self::Describe,
        Self::Datagen,
        Self::Schema,
        Self::SchemaDeleted,
        Self::Compatibility,
        Self::Connector,
    ];

    /// The JSON `type`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Command => "command",
            Self::Queued => "queued",
            Self::Batch => "batch",
            Self::Delivery => "delivery",
            Self::Deliveries => "deliveries",
            Self::Poll => "poll",
            Self::Polled => "polled",
            Self::Record => "record",
            Self::Committed => "committed",
            Self::CommitCallback => "commit_callback",
            Self::OffsetsDeleted => "offsets_deleted",
            Self::Rebalance => "rebalance",
            Self::Group => "group",
            Self::Coordinator => "coordinator",
            Self::OffsetsInTransaction => "offsets_in_transaction",
            Self::Broker => "broker",
            Self::Leader => "leader",
            Self::Isr => "isr",
            Self::Truncated => "truncated",
            Self::LowWatermark => "low_watermark",
            Self::Retention => "retention",
            Self::Compaction => "compaction",
            Self::Clock => "clock",
            Self::Describe => "describe",
            Self::Datagen => "datagen",
            Self::Schema => "schema",
            Self::SchemaDeleted => "schema_deleted",
            Self::Compatibility => "compatibility",
            Self::Connector => "connector",
        }
    }

    /// The kind with this JSON `type`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// One observable result of a command, with the script line of the command it belongs to.
#[derive(Clone, Debug, PartialEq)]
pub struct Output {
    /// The script line of the command it belongs to.
    pub line: usize,
    /// What happened.
    pub event: Event,
}

impl Output {
    pub(super) fn new(line: usize, event: Event) -> Self {
        Self { line, event }
    }

    /// Its kind, which is the JSON `type`.
    pub fn kind(&self) -> OutputKind {
        self.event.kind()
    }

    /// The error it reports, if any.
    pub fn error(&self) -> Option<&Error> {
        self.event.error()
    }

    /// The output as one line of JSON: `{"line":…,"type":…,…}` (confluent-kafka's field
    /// names for records: `topic`, `partition`, `offset`, `key`, `value`, `headers`,
    /// `timestamp`, `timestamp_type`, `error`).
    pub fn to_json(&self) -> String {
        // `line` and `type` lead; the other fields follow in key order.
        let fields = Json::Object(self.event.to_fields()).to_string();
        let rest = fields.strip_prefix('{').unwrap_or("}");
        let sep = if rest == "}" { "" } else { "," };
        alloc::format!(
            "{{\"line\":{},\"type\":\"{}\"{sep}{rest}",
            self.line,
            self.kind().name()
        )
    }
}
