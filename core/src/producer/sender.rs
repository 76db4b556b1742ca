//! The sender: in-flight batches, acknowledgements, retries, timeouts and sequence numbers.

use alloc::sync::Arc;
use alloc::vec::Vec;

use litemap::LiteMap;

use super::{
    failed, is_retriable, Acks, BatchReport, DeliveryReport, InFlight, Producer, ProducerEvent,
    Stage,
};
use crate::consumer::TopicPartition;
use crate::error::{err, Error, ErrorCode};
use crate::log::PRODUCER_BATCH_CACHE;
use crate::record::sequence_add;
use crate::sorted_set::SortedSet;
use crate::time::SimTime;
use crate::topic::{Topic, Topics};
use crate::txn::ClientState;

/// Which transactional batches the sender may send: the coordinator's side of
/// AddPartitionsToTxn.
#[derive(Clone, Copy, Debug)]
pub(crate) enum TxnGate<'a> {
    /// Not transactional: every batch.
    Open,
    /// The partitions the producer's transaction added; `None` while it has added none (a
    /// coordinator away or still ending the last transaction adds none).
    Added(Option<&'a SortedSet<TopicPartition>>),
}

impl TxnGate<'_> {
    fn allows(&self, topic: &Arc<str>, partition: u32) -> bool {
        match self {
            Self::Open => true,
            Self::Added(added) => added.is_some_and(|a| a.contains(&(topic.clone(), partition))),
        }
    }
}

impl Producer {
    /// Moves the producer to `now`: closes lingered batches, sends what it may, handles
    /// responses and timeouts. The broker side is `topics`; `gate` says which transactional
    /// batches may go.
    pub(crate) fn run(&mut self, topics: &mut Topics, now: SimTime, gate: TxnGate<'_>) {
        let linger = self.config.linger_ms;
        let flushing = core::mem::take(&mut self.flushing);
        let mut ready = Vec::new();
        for (topic, parts) in &mut self.open {
            let due: Vec<u32> = parts
                .iter()
                .filter(|(_, b)| flushing || now >= b.created_at + linger)
                .map(|(p, _)| *p)
                .collect();
            for p in due {
                if let Some(b) = parts.remove(&p) {
                    ready.push((topic.clone(), p, b));
                }
            }
        }
        self.open.retain(|(_, parts)| !parts.is_empty());
        for (topic, p, b) in ready {
            self.close_batch(topic, p, b, now);
        }
        self.complete_replicated(topics, now);
        self.expire_and_time_out(now);
        self.resolve_sequences();
        self.send_ready(topics, now, &gate);
    }

    /// Answers the `acks=all` requests whose records the ISR now holds, and fails those whose
    /// leader changed (`NOT_LEADER_OR_FOLLOWER`) or that waited `request.timeout.ms`.
    fn complete_replicated(&mut self, topics: &Topics, now: SimTime) {
        let mut i = 0;
        while i < self.queue.len() {
            let f = &self.queue[i];
            let Stage::AwaitingReplication {
                until,
                leader_epoch,
                base_offset,
                last_offset,
                log_append_time,
            } = f.stage
            else {
                i += 1;
                continue;
            };
            let topic = topics.get(&f.topic);
            let part = topic.and_then(|t| t.partitions.get(f.partition as usize));
            let outcome = match (topic, part) {
                (Some(t), Some(p)) if p.leader_epoch == leader_epoch => {
                    if p.log.high_watermark() > last_offset {
                        if (p.isr.len() as u32) < t.config.min_insync_replicas {
                            Some(Err(err!(NotEnoughReplicasAfterAppend, "Messages are written to the log, but to fewer in-sync replicas than required: ISR {:?}, min.insync.replicas={}", p.isr, t.config.min_insync_replicas)))
                        } else {
                            Some(Ok(()))
                        }
                    } else if now >= until {
                        Some(Err(err!(RequestTimedOut, "the leader of {}-{} did not get acks from the ISR within request.timeout.ms", f.topic, f.partition)))
                    } else {
                        None
                    }
                }
                _ => Some(Err(err!(
                    NotLeaderOrFollower,
                    "the leader of {}-{} changed before the ISR had the batch",
                    f.topic,
                    f.partition
                ))),
            };
            match outcome {
                None => i += 1,
                Some(Ok(())) => {
                    if let Some(f) = self.queue.remove(i) {
                        self.succeed(f, base_offset, log_append_time);
                    }
                }
                Some(Err(e)) => {
                    if !self.retry_or_fail(i, e, now) {
                        i += 1;
                    }
                }
            }
        }
    }

    /// A retriable error with retries and delivery time left queues the batch again after
    /// `retry.backoff.ms`; anything else fails it. Returns whether it left the queue.
    fn retry_or_fail(&mut self, i: usize, e: Error, now: SimTime) -> bool {
        let Some(f) = self.queue.get_mut(i) else {
            return false;
        };
        let expired = now - f.created_at >= self.config.delivery_timeout_ms;
        if is_retriable(e.code) && f.attempts <= self.config.retries && !expired {
            f.stage = Stage::Queued {
                not_before: now + self.config.retry_backoff_ms,
            };
            return false;
        }
        if let Some(f) = self.queue.remove(i) {
            self.fail(f, e);
        }
        true
    }

    fn expire_and_time_out(&mut self, now: SimTime) {
        let mut i = 0;
        while i < self.queue.len() {
            let f = &mut self.queue[i];
            let expired = now - f.created_at >= self.config.delivery_timeout_ms;
            let timed_out = matches!(f.stage, Stage::AwaitingResponse { until } if now >= until);
            if timed_out && f.attempts <= self.config.retries && !expired {
                f.stage = Stage::Queued {
                    not_before: now + self.config.retry_backoff_ms,
                };
            } else if timed_out || (expired && matches!(f.stage, Stage::Queued { .. })) {
                if let Some(f) = self.queue.remove(i) {
                    let e = err!(
                        RequestTimedOut,
                        "Expiring {} record(s) for {}-{}: {} ms has passed since batch creation",
                        f.records.len(),
                        f.topic,
                        f.partition,
                        now - f.created_at
                    );
                    self.fail(f, e);
                }
                continue;
            }
            i += 1;
        }
    }

    fn send_ready(&mut self, topics: &mut Topics, now: SimTime, gate: &TxnGate<'_>) {
        let mut awaiting = self
            .queue
            .iter()
            .filter(|f| !matches!(f.stage, Stage::Queued { .. }))
            .count() as u32;
        let bumps_own_epoch = self.bumps_own_epoch();
        // The broker spots retries among a producer's last five batches only: an idempotent
        // producer keeps at most five sent and unacknowledged per partition.
        let mut unacked: LiteMap<TopicPartition, usize> = LiteMap::new();
        if self.identity.producer_id >= 0 {
            for f in self.queue.iter().filter(|f| f.attempts > 0) {
                *unacked.entry((f.topic.clone(), f.partition)).or_default() += 1;
            }
        }
        let mut i = 0;
        while i < self.queue.len() {
            let f = &self.queue[i];
            let sendable = matches!(f.stage, Stage::Queued { not_before } if now >= not_before);
            let first_send = f.attempts == 0;
            let tp = (f.topic.clone(), f.partition);
            let held = (f.batch.transactional && !gate.allows(&f.topic, f.partition))
                || (first_send && self.unresolved.contains(&tp))
                || (first_send
                    && f.batch.producer.producer_id >= 0
                    && unacked.get(&tp).copied().unwrap_or(0) >= PRODUCER_BATCH_CACHE);
            if !sendable || held {
                i += 1;
                continue;
            }
            if awaiting >= self.config.max_in_flight {
                break;
            }
            if first_send && f.batch.producer.producer_id >= 0 {
                *unacked.entry(tp).or_default() += 1;
            }
            let f = &mut self.queue[i];
            f.attempts += 1;
            let acks_all = self.config.acks == Acks::All;
            let result = topics
                .get_mut(&*f.topic)
                .ok_or_else(|| crate::topic::unknown_partition(&f.topic, f.partition))
                .and_then(|t| {
                    let Topic {
                        config, partitions, ..
                    } = t;
                    partitions
                        .get_mut(f.partition as usize)
                        .ok_or_else(|| crate::topic::unknown_partition(&f.topic, f.partition))?
                        .append_produce(&f.topic, f.partition, &f.batch, acks_all, config, now)
                });
            let report = |f: &InFlight, base_offset: i64, duplicate: bool, ack_lost: bool| {
                ProducerEvent::BatchSent(BatchReport {
                    topic: f.topic.clone(),
                    partition: f.partition,
                    base_offset,
                    records: f.batch.len(),
                    uncompressed_bytes: f.batch.uncompressed_bytes(),
                    size_in_bytes: f.batch.size_in_bytes(),
                    compression: f.batch.compression(),
                    attempt: f.attempts,
                    duplicate,
                    ack_lost,
                })
            };
            if self.config.acks == Acks::Zero {
                let base = result.as_ref().map_or(-1, |r| r.append.base_offset);
                self.events.push(report(f, base, false, false));
                if let Some(f) = self.queue.remove(i) {
                    self.succeed(f, -1, None);
                }
                continue;
            }
            if self.acks_to_lose > 0 {
                self.acks_to_lose -= 1;
                let base = result.as_ref().map_or(-1, |r| r.append.base_offset);
                self.events.push(report(f, base, false, true));
                f.stage = Stage::AwaitingResponse {
                    until: now + self.config.request_timeout_ms,
                };
                f.maybe_written = true;
                awaiting += 1;
                i += 1;
                continue;
            }
            match result {
                Ok(info) if info.hw_reached || !acks_all => {
                    self.events.push(report(
                        f,
                        info.append.base_offset,
                        info.append.duplicate,
                        false,
                    ));
                    if let Some(f) = self.queue.remove(i) {
                        self.succeed(f, info.append.base_offset, info.append.log_append_time);
                    }
                }
                Ok(info) => {
                    self.events.push(report(
                        f,
                        info.append.base_offset,
                        info.append.duplicate,
                        false,
                    ));
                    f.maybe_written = true;
                    f.stage = Stage::AwaitingReplication {
                        until: now + self.config.request_timeout_ms,
                        leader_epoch: info.leader_epoch,
                        base_offset: info.append.base_offset,
                        last_offset: info.append.last_offset,
                        log_append_time: info.append.log_append_time,
                    };
                    awaiting += 1;
                    i += 1;
                }
                Err(e)
                    if e.code == ErrorCode::OutOfOrderSequenceNumber
                        && bumps_own_epoch
                        && now - f.created_at < self.config.delivery_timeout_ms =>
                {
                    // KIP-360: retried; when it is the next batch after the last acknowledged
                    // one, the broker lost what came before, and a new epoch starts the
                    // partition afresh.
                    let tp = (f.topic.clone(), f.partition);
                    let next = self
                        .acked
                        .get(&tp)
                        .filter(|(epoch, _)| *epoch == f.batch.producer.epoch)
                        .map_or(0, |(_, last)| sequence_add(*last, 1));
                    let gap = f.batch.producer.base_sequence == next;
                    f.stage = Stage::Queued {
                        not_before: now + self.config.retry_backoff_ms,
                    };
                    if gap && !self.unresolved.contains(&tp) {
                        self.bump_epoch_for(&tp);
                    }
                    i += 1;
                }
                Err(e) => {
                    if !self.retry_or_fail(i, e, now) {
                        i += 1;
                    }
                }
            }
        }
    }

    fn succeed(&mut self, f: InFlight, base_offset: i64, log_append_time: Option<i64>) {
        let p = f.batch.producer;
        if p.producer_id >= 0 {
            let last = sequence_add(p.base_sequence, i64::from(f.batch.len()) - 1);
            self.acked
                .insert((f.topic.clone(), f.partition), (p.epoch, last));
        }
        self.events.reserve(f.records.len());
        for (i, (id, create_time)) in f.records.into_iter().enumerate() {
            let offset = if base_offset < 0 {
                -1
            } else {
                base_offset + i as i64
            };
            self.events.push(ProducerEvent::Delivered(DeliveryReport {
                id,
                topic: f.topic.clone(),
                partition: f.partition,
                offset,
                timestamp: log_append_time.unwrap_or(create_time),
                error: None,
            }));
        }
    }

    /// Fails a batch's records. When the broker surely does not hold the batch, later
    /// batches of its partition take over its sequence numbers, as the Java client's
    /// `TransactionManager.adjustSequencesDueToFailedBatch` does; otherwise every later
    /// batch would be refused with `OUT_OF_ORDER_SEQUENCE_NUMBER`.
    pub(super) fn fail(&mut self, f: InFlight, e: Error) {
        if f.batch.transactional && self.txn.state == ClientState::InTransaction {
            self.txn.error.get_or_insert_with(|| e.clone());
            // A batch the broker may or may not hold (an abort fails those too), or a
            // missing sequence, leaves the partition's sequence in doubt. A fenced producer
            // gets no new epoch.
            self.txn.epoch_bump_needed |= e.code != ErrorCode::ProducerFenced
                && (f.maybe_written || e.code == ErrorCode::OutOfOrderSequenceNumber);
        }
        let p = f.batch.producer;
        let key = (f.topic.clone(), f.partition);
        if p.producer_id >= 0 && !f.maybe_written {
            let n = i64::from(f.batch.len());
            if let Some((epoch, seq)) = self.sequences.get_mut(&key) {
                if *epoch == p.epoch {
                    *seq = sequence_add(*seq, -n);
                }
            }
            for later in self.queue.iter_mut().filter(|g| {
                g.topic == f.topic
                    && g.partition == f.partition
                    && g.batch.producer.epoch == p.epoch
            }) {
                if later.batch.producer.base_sequence > p.base_sequence {
                    later.batch.producer.base_sequence =
                        sequence_add(later.batch.producer.base_sequence, -n);
                }
            }
        } else if f.maybe_written && self.bumps_own_epoch() {
            // The broker may hold it or not: the partition's sequence is unresolved.
            self.unresolved.insert(key);
        }
        for (id, _) in f.records {
            self.events.push(ProducerEvent::Delivered(failed(
                id,
                &f.topic,
                f.partition,
                e.clone(),
            )));
        }
    }

    /// Whether a batch of this partition is in the send queue.
    pub(super) fn has_unfinished(&self, tp: &TopicPartition) -> bool {
        self.queue
            .iter()
            .any(|f| f.partition == tp.1 && f.topic == tp.0)
    }

    /// Whether this producer bumps its own epoch when a sequence is lost (an idempotent
    /// producer outside transactions; a transactional one gets its epoch from the
    /// coordinator).
    fn bumps_own_epoch(&self) -> bool {
        self.identity.producer_id >= 0 && self.config.transactional_id.is_none()
    }

    /// KIP-360: the producer moves to a new epoch, and the partition's waiting batches are
    /// numbered again from sequence 0 with it, so the broker starts the partition afresh
    /// (Java's `bumpIdempotentProducerEpoch` and `startSequencesAtBeginning`). Batches
    /// awaiting a response keep their epoch.
    fn bump_epoch_for(&mut self, tp: &TopicPartition) {
        self.identity.epoch = self.identity.epoch.wrapping_add(1).max(0);
        let epoch = self.identity.epoch;
        let mut next = 0;
        for f in self.queue.iter_mut().filter(|f| {
            f.partition == tp.1 && f.topic == tp.0 && matches!(f.stage, Stage::Queued { .. })
        }) {
            f.batch.producer.epoch = epoch;
            f.batch.producer.base_sequence = next;
            next = sequence_add(next, i64::from(f.batch.len()));
        }
        self.sequences.insert(tp.clone(), (epoch, next));
        self.unresolved.remove(tp);
    }

    /// An unresolved partition whose sent batches are all done gets a new epoch.
    fn resolve_sequences(&mut self) {
        let resolvable: Vec<TopicPartition> = self
            .unresolved
            .iter()
            .filter(|tp| {
                !self
                    .queue
                    .iter()
                    .any(|f| f.partition == tp.1 && f.topic == tp.0 && f.attempts > 0)
            })
            .cloned()
            .collect();
        for tp in resolvable {
            self.bump_epoch_for(&tp);
        }
    }
}
