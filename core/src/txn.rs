//! Transactions (KIP-98): the coordinator's view of each `transactional.id`, and the
//! producer's side of the protocol.
//!
//! A transactional producer calls `initTransactions()` once (which fences any older
//! producer with its id), then `beginTransaction()`, sends, optionally
//! `sendOffsetsToTransaction()`, and `commitTransaction()` or `abortTransaction()`. Ending
//! a transaction writes a COMMIT or ABORT marker to every partition it wrote; consumers with
//! `isolation.level=read_committed` read only up to the last stable offset and skip
//! aborted records.

use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec::Vec;

use crate::consumer::TopicPartition;
use crate::error::Error;
use crate::time::SimTime;

/// A transaction's state at the coordinator, by Kafka's names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TransactionState {
    /// Initialized, no transaction yet.
    Empty,
    /// A transaction is open.
    Ongoing,
    /// The last transaction committed.
    CompleteCommit,
    /// The last transaction aborted.
    CompleteAbort,
}

impl TransactionState {
    /// Kafka's name for it.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Empty => "Empty",
            Self::Ongoing => "Ongoing",
            Self::CompleteCommit => "CompleteCommit",
            Self::CompleteAbort => "CompleteAbort",
        }
    }
}

/// What the transaction coordinator keeps for one `transactional.id`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TransactionMetadata {
    /// The producer id, kept across restarts of the producer.
    pub producer_id: i64,
    /// The epoch: each `initTransactions()` bumps it, fencing older producers.
    pub epoch: i16,
    /// The state.
    pub state: TransactionState,
    /// The partitions the open transaction wrote to.
    pub partitions: BTreeSet<TopicPartition>,
    /// Offsets sent to the open transaction: (group, partition, offset).
    pub offsets: Vec<(String, TopicPartition, i64)>,
    /// When the open transaction began.
    pub started: SimTime,
    /// `transaction.timeout.ms`.
    pub timeout_ms: u64,
}

/// The producer's side, as Java's `TransactionManager` tracks it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ClientState {
    /// `initTransactions()` not called yet.
    #[default]
    Uninitialized,
    /// Between transactions.
    Ready,
    /// Inside a transaction.
    InTransaction,
    /// Fenced by a newer producer with the same id, or by the coordinator: it must close.
    Fenced,
}

impl ClientState {
    /// Java's name for the state.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Uninitialized => "UNINITIALIZED",
            Self::Ready => "READY",
            Self::InTransaction => "IN_TRANSACTION",
            Self::Fenced => "FATAL_ERROR",
        }
    }
}

/// A transactional producer's state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct TxnClient {
    pub state: ClientState,
    /// Partitions this transaction wrote to (AddPartitionsToTxn).
    pub partitions: BTreeSet<TopicPartition>,
    /// The first error inside the transaction: it can only be aborted now.
    pub error: Option<Error>,
}
