//! Segments: contiguous buffers of record batches, with the batch list as the offset index.

use alloc::vec::Vec;

use super::{Marker, PartitionLog};
use crate::budget::entry;
use crate::compression::CompressionType;
use crate::record::{ProducerIdentity, TimestampType};
use crate::time::SimTime;

/// Records are packed into buffers of at most this many bytes (a larger batch gets its own).
const CHUNK_BYTES: usize = 1 << 20;

/// Metadata of one batch in a segment; the batch list is the segment's offset index.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct BatchMeta {
    pub(super) base_offset: i64,
    pub(super) last_offset_delta: u32,
    pub(super) base_timestamp: i64,
    pub(super) max_timestamp: i64,
    pub(super) timestamp_type: TimestampType,
    pub(super) producer: ProducerIdentity,
    pub(super) compression: CompressionType,
    pub(super) records: u32,
    pub(super) tombstones: u32,
    pub(super) chunk: u32,
    pub(super) pos: u32,
    pub(super) len: u32,
    pub(super) size_in_bytes: u32,
    /// Written inside a transaction.
    pub(super) transactional: bool,
    /// A control batch: a transaction marker, never returned as a record.
    pub(super) marker: Option<Marker>,
}

/// Checks that [`entry::BATCH`] and [`entry::SEGMENT`] cover a 64-bit build's layout.
#[cfg(all(test, target_pointer_width = "64"))]
pub(crate) fn assert_entry_sizes() {
    assert!(core::mem::size_of::<BatchMeta>() <= entry::BATCH);
    assert!(core::mem::size_of::<Segment>() <= entry::SEGMENT);
}

impl BatchMeta {
    pub(super) fn last_offset(&self) -> i64 {
        self.base_offset + i64::from(self.last_offset_delta)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(super) struct Segment {
    pub(super) base_offset: i64,
    pub(super) next_offset: i64,
    pub(super) first_timestamp: i64,
    pub(super) max_timestamp: i64,
    pub(super) size_in_bytes: u64,
    pub(super) chunks: Vec<Vec<u8>>,
    pub(super) batches: Vec<BatchMeta>,
    /// When the cleaner first cleaned it: tombstones go `delete.retention.ms` after that.
    pub(super) cleaned_at: Option<SimTime>,
}

impl Segment {
    pub(super) fn new(base_offset: i64) -> Self {
        Self {
            base_offset,
            next_offset: base_offset,
            first_timestamp: i64::MIN,
            max_timestamp: i64::MIN,
            ..Self::default()
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.batches.is_empty()
    }

    pub(super) fn records(&self) -> u64 {
        self.batches.iter().map(|b| u64::from(b.records)).sum()
    }

    pub(super) fn tombstones(&self) -> u64 {
        self.batches.iter().map(|b| u64::from(b.tombstones)).sum()
    }

    pub(super) fn batch_bytes(&self, b: &BatchMeta) -> &[u8] {
        let start = b.pos as usize;
        self.chunks
            .get(b.chunk as usize)
            .and_then(|c| c.get(start..start + b.len as usize))
            .unwrap_or_default()
    }

    /// Copies `bytes` into the last buffer, or a new one when it would pass [`CHUNK_BYTES`].
    fn store(&mut self, bytes: &[u8]) -> (u32, u32) {
        let need = bytes.len();
        let fits = self
            .chunks
            .last()
            .is_some_and(|c| c.is_empty() || c.len() + need <= CHUNK_BYTES);
        if !fits {
            // The first buffer grows from small (most partitions hold little); once one is
            // full, the next is allocated whole.
            let whole = if self.chunks.is_empty() {
                0
            } else {
                CHUNK_BYTES.max(need)
            };
            self.chunks.push(Vec::with_capacity(whole));
        }
        let index = self.chunks.len().saturating_sub(1);
        let Some(chunk) = self.chunks.last_mut() else {
            return (0, 0); // unreachable: a chunk was pushed above when there was none
        };
        if chunk.capacity() - chunk.len() < need {
            // Grow by doubling, but never past one chunk: bounds the slack to one buffer.
            let want = (chunk.capacity() * 2).max(chunk.len() + need);
            let cap = want.min(CHUNK_BYTES.max(chunk.len() + need));
            chunk.reserve_exact(cap - chunk.len());
        }
        let pos = chunk.len();
        chunk.extend_from_slice(bytes);
        (index as u32, pos as u32)
    }

    pub(super) fn push_batch(&mut self, mut meta: BatchMeta, bytes: &[u8]) {
        let (chunk, pos) = self.store(bytes);
        meta.chunk = chunk;
        meta.pos = pos;
        meta.len = bytes.len() as u32;
        if self.batches.is_empty() {
            self.first_timestamp = meta.max_timestamp;
        }
        self.max_timestamp = self.max_timestamp.max(meta.max_timestamp);
        self.size_in_bytes += u64::from(meta.size_in_bytes);
        self.next_offset = meta.last_offset() + 1;
        self.batches.push(meta);
    }

    pub(super) fn heap_bytes(&self) -> usize {
        self.chunks.iter().map(Vec::capacity).sum::<usize>()
            + (self.chunks.capacity() + 1) * entry::SEGMENT
            + self.batches.capacity() * entry::BATCH
    }
}

/// A segment as shown to people: where it starts and ends, and how full it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentInfo {
    /// The offset it starts at.
    pub base_offset: i64,
    /// One past the last offset written to it.
    pub next_offset: i64,
    /// Records it still holds (compaction removes some).
    pub records: u64,
    /// Tombstones among them.
    pub tombstones: u64,
    /// Bytes as Kafka stores them (batch headers plus compressed records).
    pub size_in_bytes: u64,
    /// The largest timestamp in it, which `retention.ms` goes by.
    pub max_timestamp: Option<i64>,
    /// Whether it is the active segment (the one being written).
    pub active: bool,
    /// Whether the cleaner has compacted it.
    pub cleaned: bool,
}

impl PartitionLog {
    /// The segments, oldest first.
    pub fn segments(&self) -> impl Iterator<Item = SegmentInfo> + '_ {
        let last = self.segments.len() - 1;
        self.segments
            .iter()
            .enumerate()
            .map(move |(i, s)| SegmentInfo {
                base_offset: s.base_offset,
                next_offset: s.next_offset,
                records: s.records(),
                tombstones: s.tombstones(),
                size_in_bytes: s.size_in_bytes,
                max_timestamp: (!s.is_empty()).then_some(s.max_timestamp),
                active: i == last,
                cleaned: s.cleaned_at.is_some(),
            })
    }
}
