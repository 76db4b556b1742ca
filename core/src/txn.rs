//! Transactions (KIP-98): the coordinator's view of each `transactional.id`, and the
//! producer's side of the protocol.
//!
//! A transactional producer calls `initTransactions()` once (which fences any older
//! producer with its id), then `beginTransaction()`, sends, optionally
//! `sendOffsetsToTransaction()`, and `commitTransaction()` or `abortTransaction()`. Ending
//! a transaction writes a COMMIT or ABORT marker to every partition it added; consumers with
//! `isolation.level=read_committed` read only up to the last stable offset and skip
//! aborted records.
//!
//! The coordinator answers `commitTransaction()` once the decision is durable
//! (`PrepareCommit`); it then writes the markers with `acks=all`, retrying while a partition
//! has no leader or too few in-sync replicas, and completes (`CompleteCommit`) once every
//! marker is replicated. Until then `initTransactions()` for the id gets
//! `CONCURRENT_TRANSACTIONS`, and the next transaction's sends wait.

use litemap::LiteMap;

use crate::sorted_set::SortedSet;
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
    /// A transaction is open: it has added a partition or offsets.
    Ongoing,
    /// Committed: the COMMIT markers are being written.
    PrepareCommit,
    /// Aborting: the ABORT markers are being written.
    PrepareAbort,
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
            Self::PrepareCommit => "PrepareCommit",
            Self::PrepareAbort => "PrepareAbort",
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
    /// While `Ongoing`, the partitions the transaction added (AddPartitionsToTxn); while
    /// ending, those whose marker is not yet written and replicated.
    pub partitions: SortedSet<TopicPartition>,
    /// Markers written but not yet replicated: the leader epoch and offset of each.
    pub written: LiteMap<TopicPartition, (i32, i64)>,
    /// Offsets sent to the open transaction: (group, partition, offset). On commit they
    /// are committed once the group's coordinator is available.
    pub offsets: Vec<(String, TopicPartition, i64)>,
    /// When the open transaction added its first partition or offsets.
    pub started: SimTime,
    /// `transaction.timeout.ms`.
    pub timeout_ms: u64,
}

/// What `initTransactions()` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InitTransactions {
    /// The producer is `READY`.
    Ready,
    /// The coordinator is aborting the id's open transaction: the producer is
    /// `INITIALIZING` until the ABORT markers on these partitions are written and replicated.
    AwaitingAbort {
        /// The partitions still waiting for their marker.
        partitions: Vec<TopicPartition>,
    },
}

impl TransactionMetadata {
    /// When the current or last transaction started, as `kafka-transactions.sh` shows it:
    /// -1 while none has since `initTransactions()`.
    pub fn start_time_ms(&self) -> i64 {
        if self.state == TransactionState::Empty {
            -1
        } else {
            self.started.as_millis()
        }
    }
}

/// The producer's side, as Java's `TransactionManager` tracks it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ClientState {
    /// `initTransactions()` not called yet.
    #[default]
    Uninitialized,
    /// `initTransactions()` waits for the coordinator to abort the id's open transaction.
    Initializing,
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
            Self::Initializing => "INITIALIZING",
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
    pub partitions: SortedSet<TopicPartition>,
    /// The first error inside the transaction: it can only be aborted now.
    pub error: Option<Error>,
    /// A batch the broker may hold failed, or a sequence went missing: after the abort the
    /// producer gets a new epoch from the coordinator, so its sequences start afresh
    /// (KIP-360).
    pub epoch_bump_needed: bool,
    /// While `INITIALIZING` for such a bump: the epoch it bumps from (an id that moved on
    /// meanwhile fences it).
    pub bump_from: Option<i16>,
}
