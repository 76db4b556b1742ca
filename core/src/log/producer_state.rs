//! What the broker remembers of each idempotent producer: its epoch and recent batches.

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use super::{AppendInfo, PartitionLog};
use crate::error::{err, Result};
use crate::record::{sequence_add, RecordBatch};

/// How many recent batches per producer and partition the broker remembers to spot retries
/// (Kafka's `NUM_BATCHES_TO_RETAIN`).
pub(crate) const PRODUCER_BATCH_CACHE: usize = 5;

/// What the broker remembers of an idempotent producer on one partition.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(super) struct ProducerState {
    pub(super) epoch: i16,
    /// (first sequence, last sequence, base offset) of the last few batches.
    pub(super) recent: VecDeque<(i32, i32, i64)>,
}

impl PartitionLog {
    pub(super) fn check_sequence(&self, batch: &RecordBatch) -> Result<Option<AppendInfo>> {
        let p = batch.producer;
        if p.producer_id < 0 {
            return Ok(None);
        }
        let first = p.base_sequence;
        let last = sequence_add(first, i64::from(batch.count) - 1);
        let Some(state) = self.producers.get(&p.producer_id) else {
            if first != 0 {
                return Err(err!(
                    OutOfOrderSequenceNumber,
                    "producer {} is new to this partition; its first sequence must be 0, got {first}",
                    p.producer_id
                ));
            }
            return Ok(None);
        };
        if p.epoch < state.epoch {
            return Err(err!(
                InvalidProducerEpoch,
                "producer {} has epoch {}, older than the current epoch {}",
                p.producer_id,
                p.epoch,
                state.epoch
            ));
        }
        if p.epoch > state.epoch {
            if first != 0 {
                return Err(err!(
                    OutOfOrderSequenceNumber,
                    "a new epoch {} of producer {} must start at sequence 0, got {first}",
                    p.epoch,
                    p.producer_id
                ));
            }
            return Ok(None);
        }
        if let Some(&(_, _, base)) = state.recent.iter().find(|r| r.0 == first && r.1 == last) {
            return Ok(Some(AppendInfo {
                base_offset: base,
                last_offset: base + i64::from(batch.count) - 1,
                log_append_time: None,
                duplicate: true,
            }));
        }
        let expected = state.recent.back().map_or(0, |r| sequence_add(r.1, 1));
        if first != expected {
            return Err(err!(
                OutOfOrderSequenceNumber,
                "producer {} sent sequence {first}, but the broker expected {expected}",
                p.producer_id
            ));
        }
        Ok(None)
    }

    pub(super) fn remember_sequence(&mut self, batch: &RecordBatch, base_offset: i64) {
        let p = batch.producer;
        if p.producer_id < 0 {
            return;
        }
        let state = self.producers.entry(p.producer_id).or_default();
        if p.epoch != state.epoch {
            state.epoch = p.epoch;
            state.recent.clear();
        }
        let last = sequence_add(p.base_sequence, i64::from(batch.count) - 1);
        state.recent.push_back((p.base_sequence, last, base_offset));
        if state.recent.len() > PRODUCER_BATCH_CACHE {
            state.recent.pop_front();
        }
    }

    /// After a truncation at `offset`: open transactions and each producer's recent batches,
    /// from the batches left.
    pub(super) fn rebuild_producer_state(&mut self, offset: i64) {
        let first_kept = self
            .segments
            .iter()
            .flat_map(|s| &s.batches)
            .next()
            .map_or(offset, |b| b.base_offset);
        self.ongoing.retain(|_, first| *first < first_kept);
        let mut affected = Vec::new();
        for (pid, state) in &mut self.producers {
            let before = state.recent.len();
            state.recent.retain(|r| r.2 < offset);
            if state.recent.len() != before {
                affected.push(*pid);
            }
        }
        for b in self.segments.iter().flat_map(|s| &s.batches) {
            let pid = b.producer.producer_id;
            if b.transactional {
                if b.marker.is_some() {
                    self.ongoing.remove(&pid);
                } else {
                    self.ongoing.entry(pid).or_insert(b.base_offset);
                }
            }
            if b.marker.is_some() || !affected.contains(&pid) {
                continue;
            }
            if let Some(state) = self.producers.get_mut(&pid) {
                if b.producer.epoch == state.epoch
                    && state.recent.iter().all(|r| r.2 != b.base_offset)
                {
                    let last =
                        sequence_add(b.producer.base_sequence, i64::from(b.last_offset_delta));
                    state
                        .recent
                        .push_back((b.producer.base_sequence, last, b.base_offset));
                    if state.recent.len() > PRODUCER_BATCH_CACHE {
                        state.recent.pop_front();
                    }
                }
            }
        }
    }
}
