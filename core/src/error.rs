//! Kafka's errors, by the names Kafka gives them.

use alloc::string::String;
use core::fmt;

/// A Kafka error code, named as in Kafka's `Errors` enum (`UNKNOWN_TOPIC_OR_PARTITION`, …).
///
/// Client-side exceptions that have no wire code (`NoOffsetForPartitionException`,
/// `IllegalStateException`, `ConfigException`) map to the name Kafka's clients use for them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The fetch offset is below the log start offset or past the log end offset.
    OffsetOutOfRange,
    /// The topic or partition does not exist.
    UnknownTopicOrPartition,
    /// The request timed out (`TimeoutException`), e.g. a batch past `delivery.timeout.ms`.
    RequestTimedOut,
    /// A record or batch is larger than `max.message.bytes` / `max.request.size`.
    RecordTooLarge,
    /// The topic name is not legal (`InvalidTopicException`).
    InvalidTopicException,
    /// The group id is missing or invalid.
    InvalidGroupId,
    /// The timestamp is not valid.
    InvalidTimestamp,
    /// A topic with this name already exists.
    TopicAlreadyExists,
    /// The partition count is out of range, or not larger than the current one.
    InvalidPartitions,
    /// The replication factor is out of range.
    InvalidReplicationFactor,
    /// A config key is unknown or a value is invalid (`ConfigException` on clients).
    InvalidConfig,
    /// The request is malformed or not allowed in this state.
    InvalidRequest,
    /// The broker got a sequence number that does not follow the last one it wrote.
    OutOfOrderSequenceNumber,
    /// The producer's epoch is older than the one the broker knows.
    InvalidProducerEpoch,
    /// The record is not valid for this topic (e.g. a null key on a compacted topic).
    InvalidRecord,
    /// No committed offset and `auto.offset.reset=none` (`NoOffsetForPartitionException`).
    NoOffsetForPartition,
    /// A client was used in a state that does not allow the call (`IllegalStateException`).
    IllegalState,
    /// A limit of the simulation was reached (documented per limit); nothing was changed.
    PolicyViolation,
    /// The group rebalanced since this member's generation (`CommitFailedException`).
    IllegalGeneration,
    /// The coordinator does not know this member (it was removed from the group).
    UnknownMemberId,
    /// The group is rebalancing.
    RebalanceInProgress,
    /// The member's assignors share none with the group's members.
    InconsistentGroupProtocol,
    /// A newer producer with the same `transactional.id` exists, or the coordinator
    /// expired this producer's transaction.
    ProducerFenced,
    /// The call does not fit the transaction's state (Java's `IllegalStateException` for
    /// transactional calls, or the coordinator's `INVALID_TXN_STATE`).
    InvalidTxnState,
    /// The record was not sent: its transaction was aborted (Java's
    /// `TransactionAbortedException`).
    TransactionAborted,
    /// The group has active members, so it cannot be deleted.
    NonEmptyGroup,
    /// The group does not exist.
    GroupIdNotFound,
    /// `NOT_LEADER_OR_FOLLOWER` (6): the broker does not lead the partition (retriable).
    NotLeaderOrFollower,
    /// `BROKER_NOT_AVAILABLE` (8).
    BrokerNotAvailable,
    /// `COORDINATOR_NOT_AVAILABLE` (15): the coordinator's partition has no leader.
    CoordinatorNotAvailable,
    /// `CONCURRENT_TRANSACTIONS` (51): the coordinator is still completing the id's previous
    /// transaction (writing its markers); the same call succeeds once it is done.
    ConcurrentTransactions,
    /// `UNSTABLE_OFFSET_COMMIT` (88): a transaction will commit the offset a
    /// `read_committed` consumer asked for; it waits.
    UnstableOffsetCommit,
    /// `NOT_ENOUGH_REPLICAS` (19): fewer in-sync replicas than `min.insync.replicas`.
    NotEnoughReplicas,
    /// `NOT_ENOUGH_REPLICAS_AFTER_APPEND` (20): written, but the ISR shrank below
    /// `min.insync.replicas` before it was replicated.
    NotEnoughReplicasAfterAppend,
    /// The schema registry refused a schema that breaks the subject's compatibility level
    /// (HTTP 409).
    IncompatibleSchema,
    /// The schema registry cannot read the schema (error code 42201).
    InvalidSchema,
    /// The schema registry has no such subject (error code 40401).
    SubjectNotFound,
    /// The schema registry keeps a subject that another subject's schema references
    /// (error code 42206).
    ReferenceExists,
    /// A serializer or deserializer failed (Kafka's `SerializationException`), e.g. a record
    /// that does not validate against its schema.
    SerializationException,
    /// Java's generic `KafkaException`: for a send that a closing producer could not
    /// complete, `Producer is closed forcefully.`
    KafkaException,
    /// `poll()` met a record it cannot deserialize (Java's `RecordDeserializationException`):
    /// the position stays at it until the application seeks past it.
    RecordDeserializationException,
}

impl ErrorCode {
    /// Kafka's name for the error, e.g. `UNKNOWN_TOPIC_OR_PARTITION`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::OffsetOutOfRange => "OFFSET_OUT_OF_RANGE",
            Self::UnknownTopicOrPartition => "UNKNOWN_TOPIC_OR_PARTITION",
            Self::RequestTimedOut => "REQUEST_TIMED_OUT",
            Self::RecordTooLarge => "MESSAGE_TOO_LARGE",
            Self::InvalidTopicException => "INVALID_TOPIC_EXCEPTION",
            Self::InvalidGroupId => "INVALID_GROUP_ID",
            Self::InvalidTimestamp => "INVALID_TIMESTAMP",
            Self::TopicAlreadyExists => "TOPIC_ALREADY_EXISTS",
            Self::InvalidPartitions => "INVALID_PARTITIONS",
            Self::InvalidReplicationFactor => "INVALID_REPLICATION_FACTOR",
            Self::InvalidConfig => "INVALID_CONFIG",
            Self::InvalidRequest => "INVALID_REQUEST",
            Self::OutOfOrderSequenceNumber => "OUT_OF_ORDER_SEQUENCE_NUMBER",
            Self::InvalidProducerEpoch => "INVALID_PRODUCER_EPOCH",
            Self::InvalidRecord => "INVALID_RECORD",
            Self::NoOffsetForPartition => "NO_OFFSET_FOR_PARTITION",
            Self::IllegalState => "ILLEGAL_STATE",
            Self::PolicyViolation => "POLICY_VIOLATION",
            Self::IllegalGeneration => "ILLEGAL_GENERATION",
            Self::UnknownMemberId => "UNKNOWN_MEMBER_ID",
            Self::RebalanceInProgress => "REBALANCE_IN_PROGRESS",
            Self::InconsistentGroupProtocol => "INCONSISTENT_GROUP_PROTOCOL",
            Self::ProducerFenced => "PRODUCER_FENCED",
            Self::InvalidTxnState => "INVALID_TXN_STATE",
            Self::TransactionAborted => "TRANSACTION_ABORTED",
            Self::NonEmptyGroup => "NON_EMPTY_GROUP",
            Self::GroupIdNotFound => "GROUP_ID_NOT_FOUND",
            Self::NotLeaderOrFollower => "NOT_LEADER_OR_FOLLOWER",
            Self::BrokerNotAvailable => "BROKER_NOT_AVAILABLE",
            Self::CoordinatorNotAvailable => "COORDINATOR_NOT_AVAILABLE",
            Self::ConcurrentTransactions => "CONCURRENT_TRANSACTIONS",
            Self::UnstableOffsetCommit => "UNSTABLE_OFFSET_COMMIT",
            Self::NotEnoughReplicas => "NOT_ENOUGH_REPLICAS",
            Self::NotEnoughReplicasAfterAppend => "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
            Self::IncompatibleSchema => "INCOMPATIBLE_SCHEMA",
            Self::InvalidSchema => "INVALID_SCHEMA",
            Self::SubjectNotFound => "SUBJECT_NOT_FOUND",
            Self::ReferenceExists => "REFERENCE_EXISTS",
            Self::SerializationException => "SERIALIZATION_EXCEPTION",
            Self::KafkaException => "KAFKA_EXCEPTION",
            Self::RecordDeserializationException => "RECORD_DESERIALIZATION_EXCEPTION",
        }
    }

    /// Kafka's numeric error code, or -1 for client-side exceptions without one.
    pub const fn code(self) -> i16 {
        match self {
            Self::OffsetOutOfRange => 1,
            Self::UnknownTopicOrPartition => 3,
            Self::RequestTimedOut => 7,
            Self::RecordTooLarge => 10,
            Self::InvalidTopicException => 17,
            Self::IllegalGeneration => 22,
            Self::InconsistentGroupProtocol => 23,
            Self::InvalidGroupId => 24,
            Self::UnknownMemberId => 25,
            Self::RebalanceInProgress => 27,
            Self::InvalidTimestamp => 32,
            Self::TopicAlreadyExists => 36,
            Self::InvalidPartitions => 37,
            Self::InvalidReplicationFactor => 38,
            Self::InvalidConfig => 40,
            Self::InvalidRequest => 42,
            Self::PolicyViolation => 44,
            Self::OutOfOrderSequenceNumber => 45,
            Self::InvalidProducerEpoch => 47,
            Self::InvalidTxnState => 48,
            Self::InvalidRecord => 87,
            Self::NonEmptyGroup => 68,
            Self::GroupIdNotFound => 69,
            Self::NotLeaderOrFollower => 6,
            Self::BrokerNotAvailable => 8,
            Self::CoordinatorNotAvailable => 15,
            Self::ConcurrentTransactions => 51,
            Self::UnstableOffsetCommit => 88,
            Self::NotEnoughReplicas => 19,
            Self::NotEnoughReplicasAfterAppend => 20,
            Self::ProducerFenced => 90,
            Self::NoOffsetForPartition
            | Self::IllegalState
            | Self::TransactionAborted
            | Self::IncompatibleSchema
            | Self::InvalidSchema
            | Self::SubjectNotFound
            | Self::ReferenceExists
            | Self::SerializationException
            | Self::KafkaException
            | Self::RecordDeserializationException => -1,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An error with its Kafka code and a message a person can act on.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Error {
    /// Which Kafka error this is.
    pub code: ErrorCode,
    /// What went wrong, in words.
    pub message: String,
}

impl Error {
    /// An error with `code` and `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.name(), self.message)
    }
}

impl core::error::Error for Error {}

/// `Result` with logplay's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// Builds an [`Error`] with `format!` arguments: `err!(InvalidConfig, "bad {}", x)`.
macro_rules! err {
    ($code:ident, $($arg:tt)*) => {
        $crate::error::Error::new($crate::error::ErrorCode::$code, alloc::format!($($arg)*))
    };
}
pub(crate) use err;
