//! The transaction coordinator's work: `initTransactions()` with fencing, begin, offsets,
//! commit and abort (markers on every partition), and `transaction.timeout.ms`.

use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec::Vec;

use super::{Cluster, ConsumerHandle, CoordinatorKind, ProducerHandle};
use crate::consumer::{CommittedOffset, TopicPartition};
use crate::error::{err, Result};
use crate::log::Marker;
use crate::producer::fenced;
use crate::record::ProducerIdentity;
use crate::time::SimTime;
use crate::txn::{ClientState, TransactionMetadata, TransactionState};

impl Cluster {
    /// The producer's `transactional.id`, or Java's error for a non-transactional producer.
    fn transactional_id(&self, h: ProducerHandle) -> Result<String> {
        self.producer(h)?
            .config()
            .transactional_id
            .clone()
            .ok_or_else(|| {
                err!(
                    IllegalState,
                    "Transactional method invoked on a non-transactional producer."
                )
            })
    }

    /// Fails with `PRODUCER_FENCED` (and fences the client for good) when the coordinator
    /// knows a newer epoch for its id; else returns the id and the client's state.
    fn check_fenced(&mut self, h: ProducerHandle) -> Result<(String, ClientState)> {
        let id = self.transactional_id(h)?;
        let p = self.producer(h)?;
        let (pid, epoch) = p.identity();
        let state = p.txn.state;
        let stale = self
            .transactions
            .get(&id)
            .is_some_and(|m| m.producer_id != pid || m.epoch > epoch);
        if state == ClientState::Fenced || (state != ClientState::Uninitialized && stale) {
            self.producer_mut(h)?.txn.state = ClientState::Fenced;
            return Err(fenced());
        }
        Ok((id, state))
    }

    fn transition_error(id: &str, from: ClientState, to: &str) -> crate::error::Error {
        err!(
            IllegalState,
            "TransactionalId {id}: Invalid transition attempted from state {} to state {to}",
            from.name()
        )
    }

    /// `initTransactions()`: the coordinator aborts the id's open transaction if any, bumps
    /// the epoch (fencing older producers with this id) and hands out the producer id.
    pub fn init_transactions(&mut self, h: ProducerHandle) -> Result<()> {
        let (id, state) = self.check_fenced(h)?;
        if state != ClientState::Uninitialized {
            return Err(Self::transition_error(&id, state, "INITIALIZING"));
        }
        self.find_coordinator(CoordinatorKind::Transaction, &id)?;
        let timeout_ms = self.producer(h)?.config().transaction_timeout_ms;
        let (own_id, _) = self.producer(h)?.identity();
        let (producer_id, epoch) = match self.transactions.get(&id).map(|m| m.producer_id) {
            Some(pid) => (pid, self.bump_epoch(&id)),
            None => (own_id, 0),
        };
        self.transactions.insert(
            id,
            TransactionMetadata {
                producer_id,
                epoch,
                state: TransactionState::Empty,
                partitions: BTreeSet::new(),
                offsets: Vec::new(),
                started: self.now,
                timeout_ms,
            },
        );
        let p = self.producer_mut(h)?;
        p.set_identity(producer_id, epoch);
        p.txn.state = ClientState::Ready;
        Ok(())
    }

    /// `beginTransaction()`.
    pub fn begin_transaction(&mut self, h: ProducerHandle) -> Result<()> {
        let (id, state) = self.check_fenced(h)?;
        if state != ClientState::Ready {
            return Err(Self::transition_error(&id, state, "IN_TRANSACTION"));
        }
        let now = self.now;
        if let Some(m) = self.transactions.get_mut(&id) {
            m.state = TransactionState::Ongoing;
            m.started = now;
        }
        let p = self.producer_mut(h)?;
        p.txn.state = ClientState::InTransaction;
        p.txn.partitions.clear();
        p.txn.error = None;
        Ok(())
    }

    /// `sendOffsetsToTransaction(consumer positions, consumer.groupMetadata())`: the
    /// consumer's positions commit with the transaction. A consumer from an older
    /// generation is refused (KIP-447) and the transaction can then only abort.
    pub fn send_offsets_to_transaction(
        &mut self,
        h: ProducerHandle,
        consumer: ConsumerHandle,
    ) -> Result<Vec<(TopicPartition, i64)>> {
        let (id, state) = self.check_fenced(h)?;
        if state != ClientState::InTransaction {
            return Err(err!(
                IllegalState,
                "Cannot send offsets if a transaction is not in progress (currentState= {})",
                state.name()
            ));
        }
        self.find_coordinator(CoordinatorKind::Transaction, &id)?;
        let c = self.consumer(consumer)?;
        let Some(group) = c.config().group_id.clone() else {
            return Err(err!(
                InvalidGroupId,
                "sendOffsetsToTransaction() needs a consumer with a group.id"
            ));
        };
        let positions = c.positions();
        if let Err(e) = self.check_generation(consumer) {
            self.producer_mut(h)?.txn.error.get_or_insert(e.clone());
            return Err(e);
        }
        if let Some(m) = self.transactions.get_mut(&id) {
            for (tp, offset) in &positions {
                m.offsets.retain(|(g, t, _)| !(*g == group && t == tp));
                m.offsets.push((group.clone(), tp.clone(), *offset));
            }
        }
        Ok(positions)
    }

    /// `commitTransaction()`: flushes, then writes COMMIT markers and commits the offsets
    /// sent to the transaction. Batches still in flight (a lost response) make it time out
    /// for now: move the clock and call it again, as with Java's `TimeoutException`.
    pub fn commit_transaction(&mut self, h: ProducerHandle) -> Result<()> {
        let (id, state) = self.check_fenced(h)?;
        if state != ClientState::InTransaction {
            return Err(Self::transition_error(&id, state, "COMMITTING_TRANSACTION"));
        }
        self.find_coordinator(CoordinatorKind::Transaction, &id)?;
        self.flush(h)?;
        self.sync_transactions();
        let p = self.producer(h)?;
        if let Some(e) = &p.txn.error {
            return Err(err!(
                InvalidTxnState,
                "Cannot commit: the transaction hit an error ({}: {}); abort it",
                e.code.name(),
                e.message
            ));
        }
        if p.in_flight() > 0 {
            return Err(err!(
                RequestTimedOut,
                "Timeout expired while committing the transaction: {} batch(es) still in flight; move the clock and commit again",
                p.in_flight()
            ));
        }
        self.end_transaction(&id, Marker::Commit);
        self.producer_mut(h)?.txn.state = ClientState::Ready;
        Ok(())
    }

    /// `abortTransaction()`: unsent records fail, ABORT markers go to every partition the
    /// transaction wrote, and its offsets are not committed.
    pub fn abort_transaction(&mut self, h: ProducerHandle) -> Result<()> {
        let (id, state) = self.check_fenced(h)?;
        if state != ClientState::InTransaction {
            return Err(Self::transition_error(&id, state, "ABORTING_TRANSACTION"));
        }
        self.find_coordinator(CoordinatorKind::Transaction, &id)?;
        self.sync_transactions();
        let aborted = err!(
            TransactionAborted,
            "Failing batch since transaction was aborted"
        );
        self.producer_mut(h)?.fail_pending(&aborted);
        self.end_transaction(&id, Marker::Abort);
        self.producer_mut(h)?.txn.state = ClientState::Ready;
        Ok(())
    }

    /// The coordinator's view of a `transactional.id` (`kafka-transactions --describe`).
    pub fn describe_transaction(&self, id: &str) -> Result<&TransactionMetadata> {
        self.transactions.get(id).ok_or_else(|| {
            err!(
                InvalidRequest,
                "there is no transactional.id {id}: a producer must call initTransactions() first"
            )
        })
    }

    /// Copies the partitions each open transaction wrote into the coordinator's record
    /// (AddPartitionsToTxn), so that it can end them even if the producer dies.
    pub(super) fn sync_transactions(&mut self) {
        for p in self.producers.iter().flatten() {
            let (Some(id), ClientState::InTransaction) =
                (&p.config().transactional_id, p.txn.state)
            else {
                continue;
            };
            if let Some(m) = self
                .transactions
                .get_mut(id)
                .filter(|m| m.epoch == p.identity().1)
            {
                m.partitions.extend(p.txn.partitions.iter().cloned());
            }
        }
    }

    /// Writes the markers, commits the offsets on COMMIT, and records the outcome.
    fn end_transaction(&mut self, id: &str, marker: Marker) {
        let Some(m) = self.transactions.get_mut(id) else {
            return;
        };
        let producer = ProducerIdentity {
            producer_id: m.producer_id,
            epoch: m.epoch,
            base_sequence: -1,
        };
        let partitions = core::mem::take(&mut m.partitions);
        let offsets = core::mem::take(&mut m.offsets);
        m.state = match marker {
            Marker::Commit => TransactionState::CompleteCommit,
            Marker::Abort => TransactionState::CompleteAbort,
        };
        let now = self.now;
        for (t, p) in partitions {
            let Some(topic) = self.topics.get_mut(&t) else {
                continue; // deleted meanwhile: nothing to mark
            };
            let config = &topic.config;
            if let Some(part) = topic.partitions.get_mut(p as usize) {
                // Only an older epoch is refused, and the coordinator holds the newest.
                let _ = part.log.append_marker(producer, marker, config, now);
                part.advance_high_watermark();
            }
        }
        if marker == Marker::Commit {
            for (group, tp, offset) in offsets {
                self.offsets.insert(
                    (group, tp.0, tp.1),
                    CommittedOffset {
                        offset,
                        commit_time: now,
                    },
                );
            }
        }
    }

    /// When the next open transaction times out.
    pub(super) fn transaction_deadlines(&self) -> impl Iterator<Item = SimTime> + '_ {
        self.transactions
            .values()
            .filter(|m| m.state == TransactionState::Ongoing)
            .map(|m| m.started + m.timeout_ms)
    }

    /// `transaction.timeout.ms`: the coordinator aborts an expired transaction and bumps the
    /// epoch, so its producer is fenced.
    pub(super) fn expire_transactions(&mut self) {
        let now = self.now;
        // Runs at every clock step: nothing to do (and nothing to sync) unless one is due.
        if self.transaction_deadlines().all(|d| d > now) {
            return;
        }
        let expired: Vec<String> = self
            .transactions
            .iter()
            .filter(|(_, m)| {
                m.state == TransactionState::Ongoing && now >= m.started + m.timeout_ms
            })
            .map(|(id, _)| id.clone())
            .collect();
        for id in expired {
            self.bump_epoch(&id);
        }
    }

    /// Fences every producer of `id`: the epoch goes up, an open transaction is aborted with
    /// markers of the new epoch (so the partitions refuse the old one), and the older
    /// producers' unsent records fail, as their AddPartitionsToTxn would. Returns the epoch.
    fn bump_epoch(&mut self, id: &str) -> i16 {
        self.sync_transactions();
        let Some(m) = self.transactions.get_mut(id) else {
            return 0;
        };
        m.epoch = m.epoch.saturating_add(1);
        let (pid, epoch, ongoing) = (m.producer_id, m.epoch, m.state == TransactionState::Ongoing);
        if ongoing {
            self.end_transaction(id, Marker::Abort);
        }
        let e = fenced();
        for p in self.producers.iter_mut().flatten() {
            let stale = p.identity().0 != pid || p.identity().1 < epoch;
            let ours = p.config().transactional_id.as_deref() == Some(id);
            if ours && stale && p.txn.state != ClientState::Uninitialized {
                p.txn.state = ClientState::Fenced;
                p.fail_pending(&e);
            }
        }
        epoch
    }
}
