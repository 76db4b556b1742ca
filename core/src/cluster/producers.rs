//! The cluster's producer clients: created, driven on the clock, flushed and closed.

use alloc::string::ToString;
use alloc::vec::Vec;

use super::{Cluster, ProducerHandle};
use crate::budget::Limit;
use crate::error::{err, Result};
use crate::producer::{Producer, ProducerConfig, ProducerEvent};
use crate::record::ProducerRecord;

impl Cluster {
    /// Creates a producer named `name` with Kafka configs; an idempotent one gets a producer id.
    pub fn create_producer(
        &mut self,
        name: &str,
        configs: &[(&str, &str)],
    ) -> Result<ProducerHandle> {
        let mut config = ProducerConfig::from_entries(configs.iter().copied())?;
        if config.client_id.is_empty() {
            config.client_id = name.to_string();
        }
        self.check_client_limit()?;
        let id = self.next_producer_id;
        self.next_producer_id += 1;
        self.producers.push(Some(Producer::new(name, config, id)));
        Ok(ProducerHandle((self.producers.len() - 1) as u32))
    }

    pub(super) fn check_client_limit(&self) -> Result<()> {
        let live =
            self.producers.iter().flatten().count() + self.consumers.iter().flatten().count();
        Limit::Clients.check(&self.limits, "a new client", live as u64, 1)
    }

    /// A producer, or `ILLEGAL_STATE` if it was closed.
    pub fn producer(&self, h: ProducerHandle) -> Result<&Producer> {
        self.producers
            .get(h.0 as usize)
            .and_then(Option::as_ref)
            .ok_or_else(closed_producer)
    }

    pub(super) fn producer_mut(&mut self, h: ProducerHandle) -> Result<&mut Producer> {
        self.producers
            .get_mut(h.0 as usize)
            .and_then(Option::as_mut)
            .ok_or_else(closed_producer)
    }

    /// `send()`: queues the record in its partition's batch and returns the id its delivery
    /// report will carry. The batch goes out when `linger.ms` passes, it fills, or on flush.
    pub fn produce(&mut self, h: ProducerHandle, record: &ProducerRecord<'_>) -> Result<u64> {
        let (now, topics) = (self.now, &self.topics);
        let producer = self
            .producers
            .get_mut(h.0 as usize)
            .and_then(Option::as_mut)
            .ok_or_else(closed_producer)?;
        let id = producer.produce(topics, record, &mut self.rng, now)?;
        if producer.has_sendable(now) {
            self.drive_producer(h.0 as usize);
        }
        Ok(id)
    }

    /// Lets the producer send what is due now, without moving the clock.
    pub fn run_producer(&mut self, h: ProducerHandle) -> Result<()> {
        self.producer(h)?;
        self.drive_producer(h.0 as usize);
        Ok(())
    }

    /// Producer `i` sends what it may now: its transaction first adds the partitions it
    /// has batches for (again once the run closed batches for new ones).
    pub(super) fn drive_producer(&mut self, i: usize) {
        let added = |c: &Self| {
            c.producers
                .get(i)
                .and_then(Option::as_ref)
                .map_or(0, |p| p.txn.partitions.len())
        };
        let before = added(self);
        self.run_producer_once(i);
        if added(self) != before {
            self.run_producer_once(i);
        }
    }

    fn run_producer_once(&mut self, i: usize) {
        self.add_partitions_to_txn(i);
        let Self {
            producers,
            transactions,
            topics,
            now,
            ..
        } = self;
        if let Some(p) = producers.get_mut(i).and_then(Option::as_mut) {
            let gate = super::txn::transaction_gate(p, transactions);
            p.run(topics, *now, gate);
        }
    }

    /// `flush()`: sends every open batch now. Batches whose response is lost are retried on
    /// the clock, so they complete only as time passes.
    pub fn flush(&mut self, h: ProducerHandle) -> Result<()> {
        self.producer_mut(h)?.request_flush();
        self.run_producer(h)
    }

    /// Drains a producer's events (batches sent, delivery reports).
    pub fn drain_producer_events(&mut self, h: ProducerHandle) -> Result<Vec<ProducerEvent>> {
        Ok(self.producer_mut(h)?.drain_events())
    }

    /// Fault injection: the next `n` produce responses to this producer are lost.
    pub fn lose_acks(&mut self, h: ProducerHandle, n: u32) -> Result<()> {
        self.producer_mut(h)?.lose_next_acks(n);
        Ok(())
    }

    /// `close()`: an open transaction is aborted, everything is flushed, and what could not
    /// complete now (a batch awaiting its response or its replicas, a partition without a
    /// leader) fails as Java's forced close fails it: every send gets a delivery report.
    pub fn close_producer(&mut self, h: ProducerHandle) -> Result<Vec<ProducerEvent>> {
        if self.producer(h)?.txn.state == crate::txn::ClientState::InTransaction {
            // A fenced producer's abort fails, and so does one with no coordinator: the
            // coordinator ends the transaction anyway, after transaction.timeout.ms.
            let _ = self.abort_transaction(h);
        }
        self.flush(h)?;
        let forced = err!(KafkaException, "Producer is closed forcefully.");
        self.producer_mut(h)?.fail_pending(&forced);
        let events = self.drain_producer_events(h)?;
        self.producers[h.0 as usize] = None;
        Ok(events)
    }

    /// Fault injection: the producer process dies; unsent records are lost. An open
    /// transaction stays open until `transaction.timeout.ms` or a new `initTransactions()`.
    pub fn crash_producer(&mut self, h: ProducerHandle) -> Result<()> {
        self.producer(h)?;
        self.producers[h.0 as usize] = None;
        Ok(())
    }
}

fn closed_producer() -> crate::error::Error {
    err!(
        IllegalState,
        "Cannot perform operation after producer has been closed"
    )
}
