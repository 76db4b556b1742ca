//! The transaction coordinator's work: `initTransactions()` with fencing, partitions and
//! offsets added to a transaction, commit and abort, and `transaction.timeout.ms`. The
//! markers themselves are written by [`super::txn_markers`].

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use litemap::LiteMap;

use super::{Cluster, ConsumerHandle, CoordinatorKind, ProducerHandle};
use crate::consumer::{TopicPartition, UnstableOffsets};
use crate::error::{err, Error, Result};
use crate::log::Marker;
use crate::producer::{fenced, Producer, TxnGate};
use crate::sorted_set::SortedSet;
use crate::time::SimTime;
use crate::txn::{ClientState, InitTransactions, TransactionMetadata, TransactionState};

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

    /// The producer's id and state, and whether the coordinator knows a newer epoch for
    /// the id (or the client is fenced already).
    fn fencing(&self, h: ProducerHandle) -> Result<(String, ClientState, bool)> {
        let id = self.transactional_id(h)?;
        let p = self.producer(h)?;
        let (pid, epoch) = p.identity();
        let state = p.txn.state;
        let stale = self
            .transactions
            .get(&id)
            .is_some_and(|m| m.producer_id != pid || m.epoch > epoch);
        let initializing = matches!(
            state,
            ClientState::Uninitialized | ClientState::Initializing
        );
        let fenced = state == ClientState::Fenced || (!initializing && stale);
        Ok((id, state, fenced))
    }

    /// Fails with `PRODUCER_FENCED` (and fences the client for good) when the coordinator
    /// knows a newer epoch for its id; else returns the id and the client's state.
    fn check_fenced(&mut self, h: ProducerHandle) -> Result<(String, ClientState)> {
        let (id, state, is_fenced) = self.fencing(h)?;
        if is_fenced {
            self.producer_mut(h)?.txn.state = ClientState::Fenced;
            return Err(fenced());
        }
        Ok((id, state))
    }

    /// Whether `commitTransaction()` gets past the checks it makes before it flushes: past
    /// them it has changed state, even when it then fails (a batch still in flight).
    pub(crate) fn commit_would_flush(&self, h: ProducerHandle) -> bool {
        matches!(self.fencing(h), Ok((id, ClientState::InTransaction, false))
            if self.coordinator(CoordinatorKind::Transaction, &id).is_some())
    }

    fn transition_error(id: &str, from: ClientState, to: &str) -> Error {
        err!(
            IllegalState,
            "TransactionalId {id}: Invalid transition attempted from state {} to state {to}",
            from.name()
        )
    }

    /// `CONCURRENT_TRANSACTIONS`: the id's last transaction is still writing its markers.
    fn concurrent_transactions(&self, id: &str) -> Error {
        let Some(m) = self.transactions.get(id) else {
            return err!(ConcurrentTransactions, "TransactionalId {id} is busy");
        };
        let waiting: Vec<String> = m
            .partitions
            .iter()
            .map(|(t, p)| alloc::format!("{t}-{p}"))
            .collect();
        if waiting.is_empty() {
            return err!(
                ConcurrentTransactions,
                "TransactionalId {id} is {} and its initTransactions() is still waiting; move the clock and try again",
                m.state.name()
            );
        }
        err!(
            ConcurrentTransactions,
            "TransactionalId {id} is {}: its markers are not yet written and replicated on {} (a partition without a leader, or followers still to fetch); move the clock and try again",
            m.state.name(),
            waiting.join(", ")
        )
    }

    /// `initTransactions()`: the coordinator bumps the epoch (fencing older producers with
    /// this id) and hands out the producer id. An open transaction is aborted first, with an
    /// epoch of its own, and the call waits (`INITIALIZING`) until its markers are written; a
    /// transaction still writing its markers is `CONCURRENT_TRANSACTIONS`.
    pub fn init_transactions(&mut self, h: ProducerHandle) -> Result<InitTransactions> {
        let (id, state) = self.check_fenced(h)?;
        match state {
            ClientState::Uninitialized => {}
            ClientState::Initializing => return Err(self.concurrent_transactions(&id)),
            _ => return Err(Self::transition_error(&id, state, "INITIALIZING")),
        }
        self.find_coordinator(CoordinatorKind::Transaction, &id)?;
        let Some(m) = self.transactions.get(&id) else {
            let timeout_ms = self.producer(h)?.config().transaction_timeout_ms;
            let (producer_id, _) = self.producer(h)?.identity();
            self.transactions.insert(
                id,
                TransactionMetadata {
                    producer_id,
                    epoch: 0,
                    state: TransactionState::Empty,
                    partitions: SortedSet::new(),
                    written: LiteMap::new(),
                    offsets: Vec::new(),
                    started: self.now,
                    timeout_ms,
                },
            );
            let p = self.producer_mut(h)?;
            p.set_identity(producer_id, 0);
            p.txn.state = ClientState::Ready;
            return Ok(InitTransactions::Ready);
        };
        match m.state {
            TransactionState::PrepareCommit | TransactionState::PrepareAbort => {
                return Err(self.concurrent_transactions(&id))
            }
            TransactionState::Ongoing => {
                // Kafka fences and aborts first; the client's retry bumps the epoch again.
                self.fence(&id);
            }
            _ => {}
        }
        self.producer_mut(h)?.txn.state = ClientState::Initializing;
        self.complete_init(h.0 as usize);
        match self.producer(h)?.txn.state {
            ClientState::Initializing => {
                let partitions = self
                    .transactions
                    .get(&id)
                    .map(|m| m.partitions.iter().cloned().collect())
                    .unwrap_or_default();
                Ok(InitTransactions::AwaitingAbort { partitions })
            }
            _ => Ok(InitTransactions::Ready),
        }
    }

    /// Completes the `initTransactions()` of producer `i` if its id's coordinator is
    /// available and done with the last transaction: the epoch goes up and older producers
    /// are fenced.
    fn complete_init(&mut self, i: usize) {
        let Some(p) = self.producers.get(i).and_then(Option::as_ref) else {
            return;
        };
        let (ClientState::Initializing, Some(id)) = (p.txn.state, &p.config().transactional_id)
        else {
            return;
        };
        let id = id.clone();
        let timeout_ms = p.config().transaction_timeout_ms;
        if self
            .coordinator(CoordinatorKind::Transaction, &id)
            .is_none()
        {
            return;
        }
        let Some(m) = self.transactions.get_mut(&id) else {
            return;
        };
        if !matches!(
            m.state,
            TransactionState::Empty
                | TransactionState::CompleteCommit
                | TransactionState::CompleteAbort
        ) {
            return;
        }
        let bump_from = p.txn.bump_from;
        if bump_from.is_some_and(|e| e != m.epoch) {
            // Another instance of the id moved the epoch on: this one is fenced.
            if let Some(p) = self.producers.get_mut(i).and_then(Option::as_mut) {
                p.txn.state = ClientState::Fenced;
                p.txn.bump_from = None;
            }
            return;
        }
        m.epoch = m.epoch.saturating_add(1);
        m.state = TransactionState::Empty;
        m.timeout_ms = timeout_ms;
        let (producer_id, epoch) = (m.producer_id, m.epoch);
        if let Some(p) = self.producers.get_mut(i).and_then(Option::as_mut) {
            p.set_identity(producer_id, epoch);
            p.txn.state = ClientState::Ready;
            p.txn.bump_from = None;
        }
        self.fence_stale_producers(&id);
    }

    /// Completes every `initTransactions()` that was waiting.
    pub(super) fn complete_inits(&mut self) {
        for i in 0..self.producers.len() {
            let waiting = self.producers[i]
                .as_ref()
                .is_some_and(|p| p.txn.state == ClientState::Initializing);
            if waiting {
                self.complete_init(i);
            }
        }
    }

    /// `beginTransaction()`: the client's alone; the coordinator hears of the transaction
    /// when it adds its first partition or offsets.
    pub fn begin_transaction(&mut self, h: ProducerHandle) -> Result<()> {
        let (id, state) = self.check_fenced(h)?;
        if state != ClientState::Ready {
            return Err(Self::transition_error(&id, state, "IN_TRANSACTION"));
        }
        let p = self.producer_mut(h)?;
        p.txn.state = ClientState::InTransaction;
        p.txn.partitions.clear();
        p.txn.error = None;
        Ok(())
    }

    /// The coordinator's side of AddPartitionsToTxn and AddOffsetsToTxn: `Ongoing` from now
    /// (the transaction timeout counts from here), or `CONCURRENT_TRANSACTIONS` while the last
    /// transaction is still writing its markers.
    fn add_to_transaction(&mut self, id: &str, partitions: &[TopicPartition]) -> Result<()> {
        if self.coordinator(CoordinatorKind::Transaction, id).is_none() {
            return Err(err!(
                CoordinatorNotAvailable,
                "The coordinator of {id} is not available"
            ));
        }
        let now = self.now;
        let Some(m) = self.transactions.get_mut(id) else {
            return Err(err!(InvalidTxnState, "{id} has no transaction"));
        };
        match m.state {
            TransactionState::PrepareCommit | TransactionState::PrepareAbort => {
                return Err(self.concurrent_transactions(id))
            }
            TransactionState::Ongoing => {}
            _ => {
                m.state = TransactionState::Ongoing;
                m.started = now;
                m.partitions.clear();
                m.written.clear();
                m.offsets.clear();
            }
        }
        m.partitions.extend(partitions.iter().cloned());
        Ok(())
    }

    /// Adds the partitions producer `i`'s transaction has batches for to the transaction,
    /// before any of them is sent (AddPartitionsToTxn); they wait while the coordinator is
    /// away or busy.
    pub(super) fn add_partitions_to_txn(&mut self, i: usize) {
        let Some(p) = self.producers.get(i).and_then(Option::as_ref) else {
            return;
        };
        let (ClientState::InTransaction, Some(id)) = (p.txn.state, &p.config().transactional_id)
        else {
            return;
        };
        let (pid, epoch) = p.identity();
        let Some(m) = self.transactions.get(id) else {
            return;
        };
        if m.producer_id != pid || m.epoch != epoch {
            return;
        }
        let added = &m.partitions;
        let ongoing = m.state == TransactionState::Ongoing;
        let new: Vec<TopicPartition> = p
            .txn
            .partitions
            .iter()
            .filter(|tp| !ongoing || !added.contains(*tp))
            .cloned()
            .collect();
        if !new.is_empty() {
            let id = id.clone();
            let _ = self.add_to_transaction(&id, &new);
        }
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
        if self.transactions.get(&id).is_some_and(|m| {
            matches!(
                m.state,
                TransactionState::PrepareCommit | TransactionState::PrepareAbort
            )
        }) {
            return Err(self.concurrent_transactions(&id));
        }
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
        self.add_to_transaction(&id, &[])?;
        if let Some(m) = self.transactions.get_mut(&id) {
            for (tp, offset) in &positions {
                m.offsets.retain(|(g, t, _)| !(*g == group && t == tp));
                m.offsets.push((group.clone(), tp.clone(), *offset));
            }
        }
        Ok(positions)
    }

    /// `commitTransaction()`: flushes, then ends the transaction with COMMIT; it returns once
    /// the decision is the coordinator's (`PrepareCommit`), and the markers follow. Batches
    /// still in flight (a lost response, a partition not yet added) make it time out for
    /// now: move the clock and call it again, as with Java's `TimeoutException`.
    pub fn commit_transaction(&mut self, h: ProducerHandle) -> Result<()> {
        let (id, state) = self.check_fenced(h)?;
        if state != ClientState::InTransaction {
            return Err(Self::transition_error(&id, state, "COMMITTING_TRANSACTION"));
        }
        self.find_coordinator(CoordinatorKind::Transaction, &id)?;
        self.flush(h)?;
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
        self.end_transaction(h, &id, Marker::Commit);
        Ok(())
    }

    /// `abortTransaction()`: unsent records fail, ABORT markers go to every partition the
    /// transaction added, and its offsets are not committed.
    pub fn abort_transaction(&mut self, h: ProducerHandle) -> Result<()> {
        let (id, state) = self.check_fenced(h)?;
        if state != ClientState::InTransaction {
            return Err(Self::transition_error(&id, state, "ABORTING_TRANSACTION"));
        }
        self.find_coordinator(CoordinatorKind::Transaction, &id)?;
        let aborted = err!(
            TransactionAborted,
            "Failing batch since transaction was aborted"
        );
        self.producer_mut(h)?.fail_pending(&aborted);
        self.end_transaction(h, &id, Marker::Abort);
        let p = self.producer_mut(h)?;
        if core::mem::take(&mut p.txn.epoch_bump_needed) {
            // KIP-360: InitProducerId with the current epoch, once the abort is complete.
            p.txn.bump_from = Some(p.identity().1);
            p.txn.state = ClientState::Initializing;
            self.complete_init(h.0 as usize);
        }
        Ok(())
    }

    /// EndTxn: a transaction that added partitions or offsets moves to `PrepareCommit` or
    /// `PrepareAbort` and its markers go out; one that added nothing ends in the client.
    fn end_transaction(&mut self, h: ProducerHandle, id: &str, marker: Marker) {
        let ours = self.producer(h).map(|p| p.identity()).ok();
        let open = self.transactions.get(id).is_some_and(|m| {
            m.state == TransactionState::Ongoing && ours == Some((m.producer_id, m.epoch))
        });
        if open {
            self.prepare_end(id, marker);
        }
        if let Ok(p) = self.producer_mut(h) {
            p.txn.state = ClientState::Ready;
        }
    }

    /// The coordinator's decision: `PrepareCommit` or `PrepareAbort`, then the markers.
    fn prepare_end(&mut self, id: &str, marker: Marker) {
        let Some(m) = self.transactions.get_mut(id) else {
            return;
        };
        m.written.clear();
        m.state = match marker {
            Marker::Commit => TransactionState::PrepareCommit,
            Marker::Abort => {
                m.offsets.clear();
                TransactionState::PrepareAbort
            }
        };
        self.write_markers();
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

    /// The group offsets open or committing transactions will commit (KIP-447).
    pub(super) fn unstable_offsets(&self) -> UnstableOffsets {
        self.transactions
            .values()
            .filter(|m| {
                matches!(
                    m.state,
                    TransactionState::Ongoing | TransactionState::PrepareCommit
                )
            })
            .flat_map(|m| &m.offsets)
            .map(|(g, (t, p), _)| (g.clone(), t.clone(), *p))
            .collect()
    }

    /// When the next open transaction times out.
    pub(super) fn transaction_deadlines(&self) -> impl Iterator<Item = SimTime> + '_ {
        self.transactions
            .values()
            .filter(|m| m.state == TransactionState::Ongoing)
            .map(|m| m.started + m.timeout_ms)
    }

    /// `transaction.timeout.ms`: the coordinator (when it is available) aborts an expired
    /// transaction with a bumped epoch, so its producer is fenced.
    pub(super) fn expire_transactions(&mut self) {
        let now = self.now;
        // Runs at every clock step: nothing to do unless one is due.
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
            if self
                .coordinator(CoordinatorKind::Transaction, &id)
                .is_some()
            {
                self.fence(&id);
            }
        }
    }

    /// Fences every producer of `id`: the epoch goes up, and an open transaction is aborted
    /// with markers of the new epoch (so the partitions refuse the old one).
    fn fence(&mut self, id: &str) {
        let Some(m) = self.transactions.get_mut(id) else {
            return;
        };
        m.epoch = m.epoch.saturating_add(1);
        let ongoing = m.state == TransactionState::Ongoing;
        self.fence_stale_producers(id);
        if ongoing {
            self.prepare_end(id, Marker::Abort);
        }
    }

    /// Producers of `id` with an older epoch (or another producer id) are fenced: their
    /// unsent records fail, as their next request to the coordinator or a partition would.
    fn fence_stale_producers(&mut self, id: &str) {
        let Some(m) = self.transactions.get(id) else {
            return;
        };
        let (pid, epoch) = (m.producer_id, m.epoch);
        let e = fenced();
        for p in self.producers.iter_mut().flatten() {
            let stale = p.identity().0 != pid || p.identity().1 < epoch;
            let ours = p.config().transactional_id.as_deref() == Some(id);
            let initializing = matches!(
                p.txn.state,
                ClientState::Uninitialized | ClientState::Initializing
            );
            if ours && stale && !initializing {
                p.txn.state = ClientState::Fenced;
                p.fail_pending(&e);
            }
        }
    }
}

/// Which of `p`'s transactional batches may go out: those of partitions its transaction
/// added.
pub(super) fn transaction_gate<'a>(
    p: &Producer,
    transactions: &'a BTreeMap<String, TransactionMetadata>,
) -> TxnGate<'a> {
    let Some(id) = &p.config().transactional_id else {
        return TxnGate::Open;
    };
    let (pid, epoch) = p.identity();
    TxnGate::Added(
        transactions
            .get(id)
            .filter(|m| {
                m.state == TransactionState::Ongoing && m.producer_id == pid && m.epoch == epoch
            })
            .map(|m| &m.partitions),
    )
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::super::{coordinator_partition, ClusterConfig};
    use super::*;
    use crate::error::ErrorCode;
    use crate::log::IsolationLevel;
    use crate::producer::ProducerEvent;
    use crate::record::ProducerRecord;

    fn cluster(brokers: usize) -> Cluster {
        let mut c = Cluster::new(ClusterConfig {
            seed: 1,
            ..ClusterConfig::default()
        });
        c.set_brokers(brokers, None).unwrap();
        c
    }

    /// Stops every replica of the partition of `__transaction_state` that coordinates `id`.
    fn stop_coordinator(c: &mut Cluster, id: &str) -> Vec<i32> {
        let replicas = c.internal[CoordinatorKind::Transaction.topic()].partitions
            [coordinator_partition(id) as usize]
            .replicas
            .clone();
        for &b in &replicas {
            c.stop_broker(b).unwrap();
        }
        assert_eq!(c.coordinator(CoordinatorKind::Transaction, id), None);
        replicas
    }

    #[test]
    fn a_partition_joins_the_transaction_before_anything_is_sent_to_it() {
        let mut c = cluster(4);
        let tx = c
            .create_producer("tx", &[("transactional.id", "x"), ("linger.ms", "0")])
            .unwrap();
        c.init_transactions(tx).unwrap();
        let stopped = stop_coordinator(&mut c, "x");
        // On the one broker left.
        c.create_replicated_topic("d", 1, Some(1), &[]).unwrap();
        c.begin_transaction(tx).unwrap();
        c.produce(tx, &ProducerRecord::new("d").value(b"held"))
            .unwrap();
        c.tick(1_000).unwrap();
        // No coordinator to add d-0: the batch waits in the producer.
        assert_eq!(c.producer(tx).unwrap().in_flight(), 1);
        assert_eq!(
            c.topic("d").unwrap().partitions()[0].log.log_end_offset(),
            0
        );
        assert!(c.describe_transaction("x").unwrap().partitions.is_empty());
        for b in stopped {
            let _ = c.start_broker(b);
        }
        let m = c.describe_transaction("x").unwrap();
        assert_eq!(m.state, TransactionState::Ongoing);
        assert!(m.partitions.contains(&("d".into(), 0)));
        assert_eq!(
            c.topic("d").unwrap().partitions()[0].log.log_end_offset(),
            1
        );
    }

    #[test]
    fn a_producer_closed_without_a_coordinator_leaves_its_transaction_to_time_out() {
        let mut c = cluster(4);
        c.create_replicated_topic("d", 1, Some(1), &[]).unwrap();
        let tx = c
            .create_producer("tx", &[("transactional.id", "x"), ("linger.ms", "0")])
            .unwrap();
        c.init_transactions(tx).unwrap();
        c.begin_transaction(tx).unwrap();
        c.produce(tx, &ProducerRecord::new("d").value(b"open"))
            .unwrap();
        c.tick(1_000).unwrap();
        let stopped = stop_coordinator(&mut c, "x");
        c.close_producer(tx).unwrap();
        for b in stopped {
            let _ = c.start_broker(b);
        }
        let lso = |c: &Cluster| {
            c.topic("d").unwrap().partitions()[0]
                .log
                .last_stable_offset()
        };
        assert_eq!(lso(&c), 0, "the open transaction holds the LSO");
        c.tick(60_000).unwrap();
        assert_eq!(
            c.describe_transaction("x").unwrap().state,
            TransactionState::CompleteAbort
        );
        assert_eq!(lso(&c), 2, "the ABORT marker ended it");
    }

    #[test]
    fn close_reports_every_send_it_could_not_complete() {
        let mut c = cluster(3);
        c.create_replicated_topic("b", 1, Some(3), &[]).unwrap();
        let p = c.create_producer("p", &[("linger.ms", "0")]).unwrap();
        c.produce(p, &ProducerRecord::new("b").value(b"v")).unwrap();
        c.tick(0).unwrap();
        // Written by the leader, waiting for the followers (acks=all).
        assert_eq!(c.producer(p).unwrap().in_flight(), 1);
        let events = c.close_producer(p).unwrap();
        let reports: Vec<_> = events
            .iter()
            .filter_map(ProducerEvent::as_delivery)
            .collect();
        assert_eq!(reports.len(), 1);
        let e = reports[0].error.as_ref().expect("a forced close fails it");
        assert_eq!(e.code, ErrorCode::KafkaException);
        assert_eq!(e.message, "Producer is closed forcefully.");
    }

    #[test]
    fn an_abort_after_a_lost_sequence_gets_a_new_epoch_from_the_coordinator() {
        let mut c = cluster(1);
        c.create_topic("t", 1, &[]).unwrap();
        let tx = c
            .create_producer(
                "tx",
                &[
                    ("transactional.id", "x"),
                    ("linger.ms", "0"),
                    ("request.timeout.ms", "1000"),
                    ("delivery.timeout.ms", "1500"),
                ],
            )
            .unwrap();
        c.init_transactions(tx).unwrap();
        c.begin_transaction(tx).unwrap();
        // Both responses are lost and the batch expires: the broker holds a batch the
        // producer counts as failed, so its sequences are in doubt.
        c.lose_acks(tx, 2).unwrap();
        c.produce(tx, &ProducerRecord::new("t").value(b"a"))
            .unwrap();
        c.tick(3_000).unwrap();
        assert_eq!(
            c.commit_transaction(tx).unwrap_err().code,
            ErrorCode::InvalidTxnState
        );
        c.abort_transaction(tx).unwrap();
        assert_eq!(
            c.producer(tx).unwrap().identity().1,
            1,
            "KIP-360: epoch 0 → 1"
        );
        c.begin_transaction(tx).unwrap();
        c.produce(tx, &ProducerRecord::new("t").value(b"b"))
            .unwrap();
        c.commit_transaction(tx).unwrap();
        let log = &c.topic("t").unwrap().partitions()[0].log;
        let read = log
            .fetch(0, 10, usize::MAX, IsolationLevel::ReadCommitted)
            .unwrap();
        let values: Vec<_> = read.records.iter().map(|r| r.value).collect();
        assert_eq!(values, [Some(&b"b"[..])]);
    }
}
