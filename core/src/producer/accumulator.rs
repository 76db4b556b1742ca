//! The record accumulator: a batch per partition, the partitioner, and when a batch is ready.

use alloc::sync::Arc;
use core::cmp::Ordering;
use litemap::LiteMap;

use super::{failed, fenced, InFlight, OpenBatch, Producer, ProducerEvent, Stage};
use crate::error::{err, Result};
use crate::partitioner::Partitioner;
use crate::rand::Rng;
use crate::record::{sequence_add, ProducerRecord, RecordBatchBuilder};
use crate::time::SimTime;
use crate::topic::Topics;
use crate::txn::ClientState;

impl Producer {
    /// `send()`: picks the partition and adds the record to its batch. Returns the id its
    /// delivery report will carry. Nothing is sent until the batch is ready.
    pub(crate) fn produce(
        &mut self,
        topics: &Topics,
        record: &ProducerRecord<'_>,
        rng: &mut Rng,
        now: SimTime,
    ) -> Result<u64> {
        if self.config.transactional_id.is_some() {
            match (self.txn.state, &self.txn.error) {
                (ClientState::InTransaction, None) => {}
                (ClientState::InTransaction, Some(e)) => return Err(err!(InvalidTxnState, "Cannot perform send because at least one previous transactional request has failed with errors ({}); abort the transaction", e.code.name())),
                (ClientState::Fenced, _) => return Err(fenced()),
                (state, _) => return Err(err!(IllegalState, "Cannot call send in state {}: call beginTransaction() first", state.name())),
            }
        }
        let Some((topic_name, topic)) = topics.get_key_value(record.topic) else {
            return Err(err!(
                UnknownTopicOrPartition,
                "Topic {} not present in metadata",
                record.topic
            ));
        };
        let count = topic.partitions.len() as u32;
        let partition = match record.partition {
            Some(p) if p < count => p,
            Some(p) => {
                return Err(err!(
                UnknownTopicOrPartition,
                "Partition {p} of topic {} with partition count {count} is not present in metadata",
                record.topic
            ))
            }
            None => self.choose_partition(topic_name, record.key, count, rng),
        };
        let timestamp = record.timestamp.unwrap_or(now.as_millis());
        // Like Kafka's accumulator, sizes are checked with an upper bound of the record's size.
        let upper =
            crate::record::record_size_upper_bound(record.key, record.value, record.headers);
        if upper + crate::record::BATCH_HEADER_BYTES > self.config.max_request_size as usize {
            return Err(err!(
                RecordTooLarge,
                "The message is {} bytes when serialized which is larger than {}, which is the value of the max.request.size configuration.",
                upper + crate::record::BATCH_HEADER_BYTES,
                self.config.max_request_size
            ));
        }
        let batch_size = self.config.batch_size as usize;
        let id = self.next_id;
        // The common case: an open batch for this partition with room for the record.
        let slot = self.open_slot(topic_name);
        if let Some((_, parts)) = slot.ok().and_then(|i| self.open.get_mut(i)) {
            if let Some(b) = parts.get_mut(&partition) {
                if b.builder.try_push(
                    record.key,
                    record.value,
                    record.headers,
                    timestamp,
                    batch_size,
                ) {
                    b.records.push((id, timestamp));
                    self.next_id += 1;
                    return Ok(id);
                }
                if let Some(full) = parts.remove(&partition) {
                    self.close_batch(topic_name.clone(), partition, full, now);
                }
            }
        }
        let mut builder =
            RecordBatchBuilder::with_capacity(timestamp, batch_size.clamp(upper, 1 << 20));
        builder.push(record.key, record.value, record.headers, timestamp);
        let batch = OpenBatch {
            builder,
            records: alloc::vec![(id, timestamp)],
            created_at: now,
        };
        let i = self.open_slot(topic_name).unwrap_or_else(|i| {
            self.open.insert(i, (topic_name.clone(), LiteMap::new()));
            i
        });
        if let Some((_, parts)) = self.open.get_mut(i) {
            parts.insert(partition, batch);
        }
        self.next_id += 1;
        Ok(id)
    }

    /// Where `topic` is, or would go, among the open batches.
    fn open_slot(&self, topic: &Arc<str>) -> Result<usize, usize> {
        self.open.binary_search_by(|(t, _)| topic_order(t, topic))
    }

    fn choose_partition(
        &mut self,
        topic: &Arc<str>,
        key: Option<&[u8]>,
        count: u32,
        rng: &mut Rng,
    ) -> u32 {
        if let Some(p) = self.config.partitioner.partition_for(key, count) {
            return p;
        }
        match self.config.partitioner {
            Partitioner::RoundRobin => {
                let next = self.round_robin.entry(topic.clone()).or_insert(0);
                let p = *next % count;
                *next = next.wrapping_add(1);
                p
            }
            Partitioner::Sticky => match self.sticky.get_by(|t| topic_order(t, topic)) {
                Some(&(p, true)) if p < count => p,
                previous => {
                    // KIP-480: a new sticky partition, different from the last when possible.
                    let mut p = rng.below(u64::from(count)) as u32;
                    if let Some(&(prev, _)) = previous {
                        if count > 1 && p == prev {
                            p = (p + 1 + rng.below(u64::from(count - 1)) as u32) % count;
                        }
                    }
                    self.sticky.insert(topic.clone(), (p, true));
                    p
                }
            },
            _ => rng.below(u64::from(count)) as u32,
        }
    }

    /// Closes a batch: it gets its sequence numbers and joins the send queue.
    pub(super) fn close_batch(
        &mut self,
        topic: Arc<str>,
        partition: u32,
        b: OpenBatch,
        now: SimTime,
    ) {
        if let Some(sticky) = self.sticky.get_mut(&topic).filter(|s| s.0 == partition) {
            // KIP-480: the sticky partition moves on once its batch is done.
            sticky.1 = false;
        }
        let mut identity = self.identity;
        let key = (topic.clone(), partition);
        if identity.producer_id >= 0 {
            let (epoch, next) = match self.sequences.get(&key) {
                Some(&(e, n)) if e == identity.epoch || self.has_unfinished(&key) => (e, n),
                _ => (identity.epoch, 0),
            };
            identity.epoch = epoch;
            identity.base_sequence = next;
        }
        let count = b.builder.len();
        match b.builder.build(identity, self.config.compression) {
            Ok(mut batch) => {
                if self.txn.state == ClientState::InTransaction {
                    batch.transactional = true;
                    self.txn.partitions.insert(key.clone());
                }
                if identity.producer_id >= 0 {
                    let next = sequence_add(identity.base_sequence, i64::from(count));
                    self.sequences.insert(key, (identity.epoch, next));
                }
                self.queue.push_back(InFlight {
                    topic,
                    partition,
                    batch,
                    records: b.records,
                    created_at: b.created_at,
                    attempts: 0,
                    maybe_written: false,
                    stage: Stage::Queued { not_before: now },
                })
            }
            Err(e) => {
                for (id, _) in b.records {
                    self.events.push(ProducerEvent::Delivered(failed(
                        id,
                        &topic,
                        partition,
                        e.clone(),
                    )));
                }
            }
        }
    }

    /// Whether a closed batch waits to be sent now (a full batch goes out at once, as Kafka's
    /// sender thread sends it without waiting for `linger.ms`).
    pub(crate) fn has_sendable(&self, now: SimTime) -> bool {
        self.queue
            .iter()
            .any(|f| matches!(f.stage, Stage::Queued { not_before } if now >= not_before))
    }

    /// `flush()`: every open batch is ready now.
    pub(crate) fn request_flush(&mut self) {
        self.flushing = true;
    }

    /// The next time this producer has something to do, if any.
    pub(crate) fn next_deadline(&self) -> Option<SimTime> {
        let linger = self
            .open
            .iter()
            .flat_map(|(_, parts)| parts.values())
            .map(|b| {
                if self.flushing {
                    b.created_at
                } else {
                    b.created_at + self.config.linger_ms
                }
            })
            .min();
        let queued = self.queue.iter().map(|f| match f.stage {
            Stage::Queued { not_before } => not_before,
            Stage::AwaitingResponse { until } | Stage::AwaitingReplication { until, .. } => until,
        });
        linger.into_iter().chain(queued).min()
    }
}

/// Topic names in order, found by pointer first: the producer's maps hold the cluster's own
/// `Arc` of each name, so a record's lookups need not compare the names' bytes.
fn topic_order(a: &Arc<str>, b: &Arc<str>) -> Ordering {
    if Arc::ptr_eq(a, b) {
        Ordering::Equal
    } else {
        (**a).cmp(&**b)
    }
}
