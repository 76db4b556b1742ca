//! The transaction index: markers, the aborted-transaction index and the last stable offset.

use alloc::vec::Vec;

use super::segment::BatchMeta;
use super::PartitionLog;
use crate::compression::CompressionType;
use crate::config::TopicConfig;
use crate::error::{err, Result};
use crate::record::{ProducerIdentity, TimestampType};
use crate::time::SimTime;

/// A transaction marker (a control record): how a transaction ended on this partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Marker {
    /// COMMIT: the transaction's records become readable to `read_committed` consumers.
    Commit,
    /// ABORT: `read_committed` consumers skip the transaction's records.
    Abort,
}

impl Marker {
    /// Kafka's name for it.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Commit => "COMMIT",
            Self::Abort => "ABORT",
        }
    }
}

/// Which records a read returns (`isolation.level`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum IsolationLevel {
    /// Everything up to the high watermark, aborted records included (Java's default).
    #[default]
    ReadUncommitted,
    /// Up to the last stable offset, without the records of aborted transactions.
    ReadCommitted,
}

impl IsolationLevel {
    /// Kafka's name for it.
    pub const fn name(self) -> &'static str {
        match self {
            Self::ReadUncommitted => "read_uncommitted",
            Self::ReadCommitted => "read_committed",
        }
    }
}

/// A transaction that ended with an ABORT marker: its producer and offset range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AbortedTransaction {
    /// The producer id.
    pub producer_id: i64,
    /// Its first offset on this partition.
    pub first_offset: i64,
    /// The offset of its ABORT marker.
    pub last_offset: i64,
}

impl AbortedTransaction {
    /// Whether the record `producer_id` wrote at `offset` belongs to this transaction.
    pub fn covers(&self, producer_id: i64, offset: i64) -> bool {
        self.producer_id == producer_id && (self.first_offset..=self.last_offset).contains(&offset)
    }
}

impl PartitionLog {
    /// The last stable offset: below it every transaction has ended and its marker is
    /// replicated. It is the high watermark unless a transaction is open, or ended with a
    /// marker not yet below the high watermark: then that transaction's first offset.
    pub fn last_stable_offset(&self) -> i64 {
        let first_open = self.ongoing.values().copied().min().unwrap_or(i64::MAX);
        let first_unreplicated = self.unreplicated.iter().map(|u| u.0).min();
        first_open
            .min(first_unreplicated.unwrap_or(i64::MAX))
            .min(self.high_watermark)
            .max(self.log_start_offset)
    }

    /// The aborted-transaction index.
    pub fn aborted_transactions(&self) -> &[AbortedTransaction] {
        &self.aborted
    }

    /// Whether the record at `offset`, written by `producer_id` in a transaction, belongs to
    /// an aborted transaction.
    pub fn is_aborted(&self, producer_id: i64, offset: i64) -> bool {
        self.aborted.iter().any(|a| a.covers(producer_id, offset))
    }

    /// The transaction markers in `from..to`.
    pub fn markers(&self, from: i64, to: i64) -> Vec<(i64, Marker)> {
        let first = self.segments.partition_point(|s| s.next_offset <= from);
        self.segments[first..]
            .iter()
            .take_while(|s| s.base_offset < to)
            .flat_map(|s| &s.batches)
            .filter(|b| (from..to).contains(&b.base_offset))
            .filter_map(|b| Some((b.base_offset, b.marker?)))
            .collect()
    }

    /// Writes a transaction marker for `producer` (the coordinator's WriteTxnMarkers): it
    /// takes an offset, ends the producer's open transaction here, and on ABORT enters it
    /// in the aborted-transaction index. An older epoch is `INVALID_PRODUCER_EPOCH`.
    pub fn append_marker(
        &mut self,
        producer: ProducerIdentity,
        marker: Marker,
        config: &TopicConfig,
        now: SimTime,
    ) -> Result<i64> {
        if let Some(state) = self.producers.get(&producer.producer_id) {
            if producer.epoch < state.epoch {
                return Err(err!(
                    InvalidProducerEpoch,
                    "a marker with epoch {} for producer {}, older than the current epoch {}",
                    producer.epoch,
                    producer.producer_id,
                    state.epoch
                ));
            }
        }
        // A control record: key (version 0, type 0 abort / 1 commit), value (version 0,
        // coordinator epoch 0).
        let kind = match marker {
            Marker::Abort => 0u8,
            Marker::Commit => 1,
        };
        let timestamp = now.as_millis();
        let mut builder = crate::record::RecordBatchBuilder::new(timestamp);
        builder.push(
            Some(&[0, 0, 0, kind]),
            Some(&[0, 0, 0, 0, 0, 0]),
            &[],
            timestamp,
        );
        let batch = builder.build(
            ProducerIdentity {
                base_sequence: -1,
                ..producer
            },
            CompressionType::None,
        )?;
        let offset = self.log_end_offset();
        let meta = BatchMeta {
            base_offset: offset,
            last_offset_delta: 0,
            base_timestamp: timestamp,
            max_timestamp: timestamp,
            timestamp_type: TimestampType::CreateTime,
            producer: batch.producer,
            compression: CompressionType::None,
            records: 1,
            tombstones: 0,
            chunk: 0,
            pos: 0,
            len: 0,
            size_in_bytes: batch.size_in_bytes,
            transactional: true,
            marker: Some(marker),
        };
        self.maybe_roll(config, timestamp, u64::from(batch.size_in_bytes));
        if let Some(seg) = self.segments.last_mut() {
            seg.push_batch(meta, &batch.records);
        }
        let state = self.producers.entry(producer.producer_id).or_default();
        if producer.epoch > state.epoch {
            state.epoch = producer.epoch;
            state.recent.clear();
        }
        if let Some(first_offset) = self.ongoing.remove(&producer.producer_id) {
            if offset >= self.high_watermark {
                self.unreplicated.push((first_offset, offset));
            }
            if marker == Marker::Abort {
                self.aborted.push(AbortedTransaction {
                    producer_id: producer.producer_id,
                    first_offset,
                    last_offset: offset,
                });
            }
        }
        Ok(offset)
    }

    /// The producer and kind of the transaction marker at `offset`, if one is there.
    pub fn marker_at(&self, offset: i64) -> Option<(ProducerIdentity, Marker)> {
        let s = self.segments.partition_point(|s| s.next_offset <= offset);
        let seg = self.segments.get(s)?;
        let b = seg.batches.partition_point(|b| b.base_offset < offset);
        let batch = seg.batches.get(b).filter(|b| b.base_offset == offset)?;
        Some((batch.producer, batch.marker?))
    }
}
