//! The partition log: segments of record batches, retention and compaction.
//!
//! Records are stored as Kafka stores them: v2 record batches, kept uncompressed in
//! contiguous per-segment buffers. Each segment's batch list (base offset → buffer
//! position) is its offset index, sparse like Kafka's: a read binary-searches it and then
//! scans records within one batch.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::vec::Vec;

use crate::compression::CompressionType;
use crate::config::TopicConfig;
use crate::error::{err, Result};
use crate::record::{
    decode_record, sequence_add, Header, ProducerIdentity, RawRecord, RecordBatch, TimestampType,
    BATCH_HEADER_BYTES,
};
use crate::state_hash::StateHasher;
use crate::time::SimTime;

/// Records are packed into buffers of at most this many bytes (a larger batch gets its own).
const CHUNK_BYTES: usize = 1 << 20;
/// How many recent batches per producer the broker remembers to spot retries (Kafka: 5).
const PRODUCER_BATCH_CACHE: usize = 5;

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

/// What a fetch returned, and where the next fetch starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetched<'a> {
    /// The records.
    pub records: Vec<LogRecord<'a>>,
    /// The next offset to fetch: past skipped markers and aborted records too.
    pub next_offset: i64,
}

/// Metadata of one batch in a segment; the batch list is the segment's offset index.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct BatchMeta {
    base_offset: i64,
    last_offset_delta: u32,
    base_timestamp: i64,
    max_timestamp: i64,
    timestamp_type: TimestampType,
    producer: ProducerIdentity,
    compression: CompressionType,
    records: u32,
    tombstones: u32,
    chunk: u32,
    pos: u32,
    len: u32,
    size_in_bytes: u32,
    /// Written inside a transaction.
    transactional: bool,
    /// A control batch: a transaction marker, never returned as a record.
    marker: Option<Marker>,
}

impl BatchMeta {
    fn last_offset(&self) -> i64 {
        self.base_offset + i64::from(self.last_offset_delta)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
struct Segment {
    base_offset: i64,
    next_offset: i64,
    first_timestamp: i64,
    max_timestamp: i64,
    size_in_bytes: u64,
    chunks: Vec<Vec<u8>>,
    batches: Vec<BatchMeta>,
    /// When the cleaner first cleaned it: tombstones go `delete.retention.ms` after that.
    cleaned_at: Option<SimTime>,
}

impl Segment {
    fn new(base_offset: i64) -> Self {
        Self {
            base_offset,
            next_offset: base_offset,
            first_timestamp: i64::MIN,
            max_timestamp: i64::MIN,
            ..Self::default()
        }
    }

    fn is_empty(&self) -> bool {
        self.batches.is_empty()
    }

    fn records(&self) -> u64 {
        self.batches.iter().map(|b| u64::from(b.records)).sum()
    }

    fn tombstones(&self) -> u64 {
        self.batches.iter().map(|b| u64::from(b.tombstones)).sum()
    }

    fn batch_bytes(&self, b: &BatchMeta) -> &[u8] {
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

    fn push_batch(&mut self, mut meta: BatchMeta, bytes: &[u8]) {
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

    fn heap_bytes(&self) -> usize {
        self.chunks.iter().map(Vec::capacity).sum::<usize>()
            + self.chunks.capacity() * core::mem::size_of::<Vec<u8>>()
            + self.batches.capacity() * core::mem::size_of::<BatchMeta>()
    }
}

/// What the broker remembers of an idempotent producer on one partition.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
struct ProducerState {
    epoch: i16,
    /// (first sequence, last sequence, base offset) of the last few batches.
    recent: VecDeque<(i32, i32, i64)>,
}

/// The result of an append.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AppendInfo {
    /// The offset of the batch's first record.
    pub base_offset: i64,
    /// The offset of its last record.
    pub last_offset: i64,
    /// The broker's time, when the topic uses `LogAppendTime`.
    pub log_append_time: Option<i64>,
    /// True when this was a retry of a batch already written (idempotence caught it).
    pub duplicate: bool,
}

/// What [`PartitionLog::truncate_to`] removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Truncated {
    /// Records (markers included) removed.
    pub records: u64,
    /// The transaction markers among them (the coordinator writes again those it has not
    /// seen replicated).
    pub markers: u64,
}

impl Truncated {
    fn take(&mut self, batches: &[BatchMeta]) {
        for b in batches {
            self.records += u64::from(b.records);
            self.markers += u64::from(b.marker.is_some());
        }
    }
}

/// One record read from the log, borrowing its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogRecord<'a> {
    /// Its offset.
    pub offset: i64,
    /// Its timestamp (the append time under `LogAppendTime`).
    pub timestamp: i64,
    /// Which timestamp it is.
    pub timestamp_type: TimestampType,
    /// The key.
    pub key: Option<&'a [u8]>,
    /// The value; `None` is a tombstone.
    pub value: Option<&'a [u8]>,
    /// The producer that wrote it.
    pub producer: ProducerIdentity,
    /// Whether it was written inside a transaction.
    pub transactional: bool,
    raw: RawRecord<'a>,
}

impl LogRecord<'_> {
    /// Its headers, decoded.
    pub fn headers(&self) -> Vec<Header> {
        self.raw.headers()
    }
    /// Its size in Kafka's record format.
    pub fn size_in_bytes(&self) -> usize {
        self.raw.encoded.len()
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

/// What a retention or cleaner pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CleanupReport {
    /// Segments deleted whole.
    pub segments_deleted: u32,
    /// Records removed (by deletion or compaction).
    pub records_removed: u64,
    /// The log start offset afterwards.
    pub log_start_offset: i64,
}

/// An append-only partition log with Kafka's offsets, segments, retention and compaction.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PartitionLog {
    segments: Vec<Segment>,
    log_start_offset: i64,
    high_watermark: i64,
    first_dirty_offset: i64,
    producers: BTreeMap<i64, ProducerState>,
    /// Open transactions: producer id → the first offset it wrote in the transaction.
    ongoing: BTreeMap<i64, i64>,
    /// Ended transactions whose marker is not yet below the high watermark: (first offset,
    /// marker offset). They hold the last stable offset as open ones do (Kafka's
    /// `unreplicatedTxns`).
    unreplicated: Vec<(i64, i64)>,
    /// The aborted-transaction index.
    aborted: Vec<AbortedTransaction>,
}

impl Default for PartitionLog {
    fn default() -> Self {
        Self::new()
    }
}

impl PartitionLog {
    /// An empty log: offsets start at 0.
    pub fn new() -> Self {
        Self {
            segments: alloc::vec![Segment::new(0)],
            log_start_offset: 0,
            high_watermark: 0,
            first_dirty_offset: 0,
            producers: BTreeMap::new(),
            ongoing: BTreeMap::new(),
            unreplicated: Vec::new(),
            aborted: Vec::new(),
        }
    }

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

    /// The first offset a consumer can read.
    pub fn log_start_offset(&self) -> i64 {
        self.log_start_offset
    }

    /// The offset the next record will get.
    pub fn log_end_offset(&self) -> i64 {
        self.active().next_offset
    }

    /// The offset up to which records are replicated and readable.
    pub fn high_watermark(&self) -> i64 {
        self.high_watermark
    }

    /// Sets the high watermark (kept within the log start and end offsets). Ended
    /// transactions whose marker it passes stop holding the last stable offset.
    pub fn set_high_watermark(&mut self, hw: i64) {
        self.high_watermark = hw.clamp(self.log_start_offset, self.log_end_offset());
        let hw = self.high_watermark;
        self.unreplicated.retain(|&(_, marker)| marker >= hw);
    }

    /// The producer and kind of the transaction marker at `offset`, if one is there.
    pub fn marker_at(&self, offset: i64) -> Option<(ProducerIdentity, Marker)> {
        let s = self.segments.partition_point(|s| s.next_offset <= offset);
        let seg = self.segments.get(s)?;
        let b = seg.batches.partition_point(|b| b.base_offset < offset);
        let batch = seg.batches.get(b).filter(|b| b.base_offset == offset)?;
        Some((batch.producer, batch.marker?))
    }

    /// The earliest readable offset (`OffsetSpec.earliest()`).
    pub fn earliest(&self) -> i64 {
        self.log_start_offset
    }

    /// The latest offset a consumer may read up to (`OffsetSpec.latest()`): the high watermark.
    pub fn latest(&self) -> i64 {
        self.high_watermark
    }

    fn active(&self) -> &Segment {
        // The log always has at least one segment: `new` creates one and nothing removes
        // the last one without rolling a new one first.
        &self.segments[self.segments.len() - 1]
    }

    /// Appends a batch. With a producer id, Kafka's idempotence checks apply: a retried
    /// batch is not written twice, and a sequence gap is `OUT_OF_ORDER_SEQUENCE_NUMBER`.
    pub fn append(
        &mut self,
        batch: &RecordBatch,
        config: &TopicConfig,
        now: SimTime,
    ) -> Result<AppendInfo> {
        if batch.is_empty() {
            return Err(err!(InvalidRecord, "a batch must hold at least one record"));
        }
        if batch.size_in_bytes() > config.max_message_bytes {
            return Err(err!(
                RecordTooLarge,
                "the batch is {} bytes, larger than max.message.bytes={}",
                batch.size_in_bytes(),
                config.max_message_bytes
            ));
        }
        if let Some(duplicate) = self.check_sequence(batch)? {
            return Ok(duplicate);
        }
        let base_offset = self.log_end_offset();
        let (timestamp_type, max_timestamp) = match config.message_timestamp_type {
            TimestampType::CreateTime => (TimestampType::CreateTime, batch.max_timestamp),
            TimestampType::LogAppendTime => (TimestampType::LogAppendTime, now.as_millis()),
        };
        let meta = BatchMeta {
            base_offset,
            last_offset_delta: batch.count - 1,
            base_timestamp: batch.base_timestamp,
            max_timestamp,
            timestamp_type,
            producer: batch.producer,
            compression: batch.compression,
            records: batch.count,
            tombstones: batch.tombstones,
            chunk: 0,
            pos: 0,
            len: 0,
            size_in_bytes: batch.size_in_bytes,
            transactional: batch.transactional,
            marker: None,
        };
        self.maybe_roll(config, max_timestamp, u64::from(batch.size_in_bytes));
        if batch.transactional {
            self.ongoing
                .entry(batch.producer.producer_id)
                .or_insert(base_offset);
        }
        if let Some(seg) = self.segments.last_mut() {
            seg.push_batch(meta, &batch.records);
        }
        let last_offset = base_offset + i64::from(batch.count) - 1;
        self.remember_sequence(batch, base_offset);
        Ok(AppendInfo {
            base_offset,
            last_offset,
            log_append_time: (timestamp_type == TimestampType::LogAppendTime)
                .then_some(max_timestamp),
            duplicate: false,
        })
    }

    /// Kafka's `maybeRoll`: a new segment when this batch would pass `segment.bytes`, or
    /// when its timestamp is `segment.ms` past the segment's first batch.
    fn maybe_roll(&mut self, config: &TopicConfig, batch_max_ts: i64, batch_bytes: u64) {
        let seg = self.active();
        let full = seg.size_in_bytes + batch_bytes > config.segment_bytes;
        let old = batch_max_ts.saturating_sub(seg.first_timestamp) >= config.segment_ms as i64;
        if !seg.is_empty() && (full || old) {
            let base = seg.next_offset;
            self.segments.push(Segment::new(base));
        }
    }

    fn check_sequence(&self, batch: &RecordBatch) -> Result<Option<AppendInfo>> {
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

    fn remember_sequence(&mut self, batch: &RecordBatch, base_offset: i64) {
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

    /// Kafka's `truncateTo`: a replica drops everything from `offset` on, as a follower does
    /// when its log diverged from the new leader's. Producer state, open transactions and the
    /// aborted index are rebuilt from what is left. Returns how many records and markers went.
    pub fn truncate_to(&mut self, offset: i64) -> Truncated {
        let mut out = Truncated::default();
        let offset = offset.max(self.log_start_offset);
        if offset >= self.log_end_offset() {
            return out;
        }
        let keep = self
            .segments
            .partition_point(|s| s.base_offset < offset)
            .max(1);
        for seg in self.segments.drain(keep..) {
            out.take(&seg.batches);
        }
        if let Some(seg) = self.segments.last_mut() {
            let cut = seg.batches.partition_point(|b| b.base_offset < offset);
            out.take(&seg.batches[cut..]);
            seg.batches.truncate(cut);
            seg.next_offset = offset.max(seg.base_offset);
            seg.size_in_bytes = seg.batches.iter().map(|b| u64::from(b.size_in_bytes)).sum();
            seg.first_timestamp = seg.batches.first().map_or(i64::MIN, |b| b.max_timestamp);
            seg.max_timestamp = seg
                .batches
                .iter()
                .map(|b| b.max_timestamp)
                .max()
                .unwrap_or(i64::MIN);
            match seg
                .batches
                .last()
                .map(|b| (b.chunk as usize, (b.pos + b.len) as usize))
            {
                Some((chunk, end)) => {
                    seg.chunks.truncate(chunk + 1);
                    if let Some(c) = seg.chunks.last_mut() {
                        c.truncate(end);
                    }
                }
                None => seg.chunks.clear(),
            }
        }
        self.high_watermark = self.high_watermark.min(offset);
        self.first_dirty_offset = self.first_dirty_offset.min(offset);
        // A transaction whose marker went is open again (rebuilt below).
        self.unreplicated.retain(|&(_, marker)| marker < offset);
        self.aborted.retain(|a| a.last_offset < offset);
        self.rebuild_producer_state(offset);
        out
    }

    /// After a truncation at `offset`: open transactions and each producer's recent batches,
    /// from the batches left.
    fn rebuild_producer_state(&mut self, offset: i64) {
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

    /// The record at `offset`, if the log still holds it.
    pub fn get(&self, offset: i64) -> Option<LogRecord<'_>> {
        self.read_from(offset, i64::MAX)
            .next()
            .filter(|r| r.offset == offset)
    }

    /// Reads up to `max_records` from `offset`, stopping before `max_bytes` unless the first
    /// record alone is larger (Kafka returns at least one record, KIP-74). `read_uncommitted`
    /// reads up to the high watermark; `read_committed` up to the last stable offset and
    /// without aborted transactions' records. Markers are never returned. An offset outside
    /// `[log start, high watermark]` is `OFFSET_OUT_OF_RANGE`.
    pub fn fetch(
        &self,
        offset: i64,
        max_records: usize,
        max_bytes: usize,
        isolation: IsolationLevel,
    ) -> Result<Fetched<'_>> {
        self.check_fetch_offset(offset, self.high_watermark)?;
        let upper = match isolation {
            IsolationLevel::ReadUncommitted => self.high_watermark,
            IsolationLevel::ReadCommitted => self.last_stable_offset(),
        };
        // Only the aborted transactions that overlap this read (Kafka's fetch returns them
        // with the data for the same reason): the index itself only grows.
        let aborted: Vec<&AbortedTransaction> = match isolation {
            IsolationLevel::ReadUncommitted => Vec::new(),
            IsolationLevel::ReadCommitted => self
                .aborted
                .iter()
                .filter(|a| a.last_offset >= offset && a.first_offset < upper)
                .collect(),
        };
        let mut bytes = 0usize;
        let mut records = Vec::new();
        for r in self.read_from(offset, upper) {
            let skip = r.transactional
                && aborted
                    .iter()
                    .any(|a| a.covers(r.producer.producer_id, r.offset));
            if skip {
                continue;
            }
            if records.len() >= max_records
                || (!records.is_empty() && bytes + r.size_in_bytes() > max_bytes)
            {
                return Ok(Fetched {
                    records,
                    next_offset: r.offset,
                });
            }
            bytes += r.size_in_bytes();
            records.push(r);
        }
        Ok(Fetched {
            records,
            next_offset: upper.max(offset),
        })
    }

    /// Checks that a read may start at `offset` with `upper` as its bound.
    pub fn check_fetch_offset(&self, offset: i64, upper: i64) -> Result<()> {
        if offset < self.log_start_offset || offset > upper {
            return Err(err!(
                OffsetOutOfRange,
                "offset {offset} is outside the readable range [{}, {upper}]",
                self.log_start_offset
            ));
        }
        Ok(())
    }

    /// Every record from `offset` up to (not including) `upper`, in offset order.
    pub fn read_from(&self, offset: i64, upper: i64) -> LogIter<'_> {
        let from = offset.max(self.log_start_offset);
        let seg = self.segments.partition_point(|s| s.next_offset <= from);
        let batch = self
            .segments
            .get(seg)
            .map_or(0, |s| s.batches.partition_point(|b| b.last_offset() < from));
        LogIter {
            log: self,
            from,
            upper,
            seg,
            batch,
            pos: 0,
            current: None,
        }
    }

    /// The first offset whose timestamp is at or after `timestamp` (`offsetsForTimes`).
    pub fn offset_for_timestamp(&self, timestamp: i64) -> Option<i64> {
        self.read_from(self.log_start_offset, self.high_watermark)
            .find(|r| r.timestamp >= timestamp)
            .map(|r| r.offset)
    }

    /// `deleteRecords`: moves the log start offset to `before` (at most the high watermark)
    /// and drops the segments wholly below it.
    pub fn delete_records(&mut self, before: i64) -> Result<i64> {
        let before = if before == -1 {
            self.high_watermark
        } else {
            before
        };
        if before < 0 || before > self.high_watermark {
            return Err(err!(
                OffsetOutOfRange,
                "cannot delete records before {before}: the high watermark is {}",
                self.high_watermark
            ));
        }
        if before > self.log_start_offset {
            self.log_start_offset = before;
            self.drop_segments_below_start();
        }
        Ok(self.log_start_offset)
    }

    fn drop_segments_below_start(&mut self) {
        let keep_from = self
            .segments
            .partition_point(|s| s.next_offset <= self.log_start_offset && !s.batches.is_empty());
        let keep_from = keep_from.min(self.segments.len() - 1);
        self.segments.drain(..keep_from);
        self.first_dirty_offset = self.first_dirty_offset.max(self.log_start_offset);
        let low = self.log_start_offset;
        self.aborted.retain(|a| a.last_offset >= low);
    }

    /// The delete policy: drops whole segments past `retention.ms` (by their largest
    /// timestamp) or beyond `retention.bytes`, oldest first, and only below the high
    /// watermark. Like Kafka, it rolls the active segment when all of it is due.
    pub fn apply_retention(&mut self, config: &TopicConfig, now: SimTime) -> CleanupReport {
        let mut report = CleanupReport::default();
        if !config.cleanup_policy.delete {
            report.log_start_offset = self.log_start_offset;
            return report;
        }
        let mut excess = if config.retention_bytes >= 0 {
            self.size_in_bytes() as i64 - config.retention_bytes
        } else {
            0
        };
        let mut deletable = 0;
        for seg in &self.segments {
            let below_hw = seg.next_offset <= self.high_watermark;
            let expired = config.retention_ms >= 0
                && seg.max_timestamp < now.as_millis().saturating_sub(config.retention_ms);
            let too_big = excess - seg.size_in_bytes as i64 >= 0;
            if seg.is_empty() || !below_hw || !(expired || too_big) {
                break;
            }
            if too_big {
                excess -= seg.size_in_bytes as i64;
            }
            deletable += 1;
        }
        if deletable == 0 {
            report.log_start_offset = self.log_start_offset;
            return report;
        }
        if deletable == self.segments.len() {
            let base = self.log_end_offset();
            self.segments.push(Segment::new(base));
        }
        for seg in self.segments.drain(..deletable) {
            report.records_removed += seg.records();
            report.segments_deleted += 1;
        }
        self.log_start_offset = self.log_start_offset.max(self.segments[0].base_offset);
        self.first_dirty_offset = self.first_dirty_offset.max(self.log_start_offset);
        let low = self.log_start_offset;
        self.aborted.retain(|a| a.last_offset >= low);
        report.log_start_offset = self.log_start_offset;
        report
    }

    /// The log cleaner (compact policy). Outside the active segment and the
    /// `min.compaction.lag.ms` window, only the latest record per key survives, offsets are
    /// kept (leaving gaps), and tombstones go once their segment was cleaned at least
    /// `delete.retention.ms` ago (KIP-534's delete horizon). Runs only when the dirty ratio
    /// reaches `min.cleanable.dirty.ratio`, or tombstones are due.
    pub fn compact(&mut self, config: &TopicConfig, now: SimTime) -> CleanupReport {
        let mut report = CleanupReport {
            log_start_offset: self.log_start_offset,
            ..CleanupReport::default()
        };
        if !config.cleanup_policy.compact {
            return report;
        }
        let lag_cutoff = now
            .as_millis()
            .saturating_sub(config.min_compaction_lag_ms as i64);
        // Segments fully below the first uncleanable offset may be cleaned.
        let active = self.segments.len() - 1;
        let cleanable = self.segments[..active]
            .iter()
            .take_while(|s| {
                s.max_timestamp <= lag_cutoff && s.next_offset <= self.last_stable_offset()
            })
            .count();
        if cleanable == 0 {
            return report;
        }
        let first_uncleanable = self.segments[cleanable].base_offset;
        let (mut dirty, mut total) = (0u64, 0u64);
        for s in &self.segments[..cleanable] {
            total += s.size_in_bytes;
            if s.base_offset >= self.first_dirty_offset {
                dirty += s.size_in_bytes;
            }
        }
        let horizon_due = |s: &Segment| {
            s.cleaned_at
                .is_some_and(|t| now - t >= config.delete_retention_ms && s.tombstones() > 0)
        };
        let ratio_met =
            total > 0 && dirty as f64 / total as f64 >= config.min_cleanable_dirty_ratio;
        let tombstones_due = self.segments[..cleanable].iter().any(horizon_due);
        let worth_cleaning = ratio_met && dirty > 0;
        if !(tombstones_due || worth_cleaning) {
            return report;
        }
        // The offset map: the latest offset of each key in the cleanable range.
        let mut latest: BTreeMap<&[u8], i64> = BTreeMap::new();
        for r in self.read_from(self.first_dirty_offset, first_uncleanable) {
            let aborted = r.transactional && self.is_aborted(r.producer.producer_id, r.offset);
            if let (Some(k), false) = (r.key, aborted) {
                latest.insert(k, r.offset);
            }
        }
        let mut cleaned = Vec::with_capacity(cleanable);
        for seg in &self.segments[..cleanable] {
            let drop_tombstones = horizon_due(seg);
            let mut out = Segment::new(seg.base_offset);
            out.cleaned_at = Some(seg.cleaned_at.unwrap_or(now));
            for b in &seg.batches {
                let bytes = seg.batch_bytes(b);
                if b.marker.is_some() {
                    out.push_batch(b.clone(), bytes);
                    continue;
                }
                // The cleaner drops the records of aborted transactions.
                let aborted =
                    |offset| b.transactional && self.is_aborted(b.producer.producer_id, offset);
                let mut kept = Vec::new();
                let (mut records, mut tombstones) = (0u32, 0u32);
                let mut pos = 0;
                while let Some((raw, next)) = decode_record(bytes, pos) {
                    pos = next;
                    let offset = b.base_offset + i64::from(raw.offset_delta);
                    let keep = match raw.key {
                        None => false,
                        Some(k) => latest.get(&k).is_none_or(|&o| o <= offset),
                    } && !(raw.value.is_none() && drop_tombstones)
                        && !aborted(offset);
                    if keep {
                        kept.extend_from_slice(raw.encoded);
                        records += 1;
                        tombstones += u32::from(raw.value.is_none());
                    } else {
                        report.records_removed += 1;
                    }
                }
                if records > 0 {
                    let payload = match b.compression {
                        CompressionType::None => kept.len(),
                        codec => crate::compression::compress(codec, &kept)
                            .map_or(kept.len(), |c| c.len()),
                    };
                    let meta = BatchMeta {
                        records,
                        tombstones,
                        size_in_bytes: (BATCH_HEADER_BYTES + payload) as u32,
                        ..b.clone()
                    };
                    out.push_batch(meta, &kept);
                }
            }
            out.next_offset = seg.next_offset;
            if out.is_empty() {
                report.segments_deleted += 1;
            } else {
                cleaned.push(out);
            }
        }
        self.segments.splice(..cleanable, cleaned);
        self.first_dirty_offset = first_uncleanable;
        report
    }

    /// The latest value of each key, ignoring tombstoned keys: the log read as a table,
    /// as a `read_committed` consumer sees it.
    pub fn table(&self) -> BTreeMap<Vec<u8>, Vec<u8>> {
        let mut table = BTreeMap::new();
        let committed = self
            .read_from(self.log_start_offset, self.last_stable_offset())
            .filter(|r| !(r.transactional && self.is_aborted(r.producer.producer_id, r.offset)));
        for r in committed {
            match (r.key, r.value) {
                (Some(k), Some(v)) => {
                    table.insert(k.to_vec(), v.to_vec());
                }
                (Some(k), None) => {
                    table.remove(k);
                }
                (None, _) => {}
            }
        }
        table
    }

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

    /// Bytes as Kafka would store them: the sum of the segments' sizes.
    pub fn size_in_bytes(&self) -> u64 {
        self.segments.iter().map(|s| s.size_in_bytes).sum()
    }

    /// Records the log holds (compaction and retention remove some).
    pub fn record_count(&self) -> u64 {
        self.segments.iter().map(Segment::records).sum()
    }

    /// Heap bytes this log holds, buffers' spare capacity included.
    pub fn heap_bytes(&self) -> usize {
        self.segments.iter().map(Segment::heap_bytes).sum::<usize>()
            + self.segments.capacity() * core::mem::size_of::<Segment>()
    }

    /// Feeds the log's observable state into `h`.
    pub fn hash_into(&self, h: &mut StateHasher) {
        h.i64(self.log_start_offset);
        h.i64(self.high_watermark);
        h.i64(self.log_end_offset());
        for s in &self.segments {
            h.i64(s.base_offset);
            h.u64(s.size_in_bytes);
            h.u64(s.cleaned_at.map_or(u64::MAX, |t| t.0));
            for b in &s.batches {
                h.i64(b.base_offset);
                h.i64(b.max_timestamp);
                h.i64(b.producer.producer_id);
                h.u64(b.size_in_bytes.into());
                h.u64(u64::from(b.transactional) | (b.marker.map_or(0, |m| m as u64 + 1) << 1));
                h.bytes(s.batch_bytes(b));
            }
        }
        for (pid, first) in &self.ongoing {
            h.i64(*pid);
            h.i64(*first);
        }
        for &(first, marker) in &self.unreplicated {
            h.i64(first);
            h.i64(marker);
        }
        for a in &self.aborted {
            h.i64(a.producer_id);
            h.i64(a.first_offset);
            h.i64(a.last_offset);
        }
        for (pid, st) in &self.producers {
            h.i64(*pid);
            h.i64(st.epoch.into());
            for &(first, last, base) in &st.recent {
                h.i64(first.into());
                h.i64(last.into());
                h.i64(base);
            }
        }
    }
}

/// Iterates records in offset order; see [`PartitionLog::read_from`].
#[derive(Clone, Debug)]
pub struct LogIter<'a> {
    log: &'a PartitionLog,
    from: i64,
    upper: i64,
    seg: usize,
    batch: usize,
    pos: usize,
    current: Option<(&'a BatchMeta, &'a [u8])>,
}

impl<'a> LogIter<'a> {
    /// Moves to the next batch that holds records below `upper`; `false` at the end.
    #[inline(never)]
    fn enter_batch(&mut self) -> bool {
        loop {
            let Some(seg) = self.log.segments.get(self.seg) else {
                return false;
            };
            let Some(b) = seg.batches.get(self.batch) else {
                self.seg += 1;
                self.batch = 0;
                continue;
            };
            if b.base_offset >= self.upper {
                return false;
            }
            if b.marker.is_some() {
                self.batch += 1;
                continue;
            }
            self.pos = 0;
            self.current = Some((b, seg.batch_bytes(b)));
            return true;
        }
    }
}

impl<'a> Iterator for LogIter<'a> {
    type Item = LogRecord<'a>;

    // Small enough to inline (batch changes are out of line), so that a reading loop keeps
    // the record in locals instead of returning it through memory: in wasm, through the
    // stack in linear memory, which made reads twice as slow as native.
    #[inline]
    fn next(&mut self) -> Option<LogRecord<'a>> {
        loop {
            let Some((b, bytes)) = self.current else {
                if !self.enter_batch() {
                    return None;
                }
                continue;
            };
            let Some((raw, next)) = decode_record(bytes, self.pos) else {
                self.batch += 1;
                self.current = None;
                continue;
            };
            self.pos = next;
            let offset = b.base_offset + i64::from(raw.offset_delta);
            if offset >= self.upper {
                return None;
            }
            if offset < self.from {
                continue;
            }
            let timestamp = match b.timestamp_type {
                TimestampType::CreateTime => b.base_timestamp.wrapping_add(raw.timestamp_delta),
                TimestampType::LogAppendTime => b.max_timestamp,
            };
            return Some(LogRecord {
                offset,
                timestamp,
                timestamp_type: b.timestamp_type,
                key: raw.key,
                value: raw.value,
                producer: b.producer,
                transactional: b.transactional,
                raw,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::error::ErrorCode;
    use crate::record::RecordBatchBuilder;
    use alloc::string::ToString;
    use alloc::vec;

    fn batch(
        records: &[(Option<&str>, Option<&str>)],
        ts: i64,
        producer: ProducerIdentity,
    ) -> RecordBatch {
        let mut b = RecordBatchBuilder::new(ts);
        for (k, v) in records {
            b.push(k.map(str::as_bytes), v.map(str::as_bytes), &[], ts);
        }
        b.build(producer, CompressionType::None).unwrap()
    }

    fn kv(log: &PartitionLog) -> Vec<(i64, String)> {
        log.read_from(0, i64::MAX)
            .map(|r| {
                let v = r
                    .value
                    .map_or("∅".into(), |v| String::from_utf8_lossy(v).into_owned());
                (r.offset, v)
            })
            .collect()
    }

    fn append_at(
        log: &mut PartitionLog,
        cfg: &TopicConfig,
        recs: &[(Option<&str>, Option<&str>)],
        ts: i64,
    ) {
        log.append(
            &batch(recs, ts, ProducerIdentity::NONE),
            cfg,
            SimTime(ts as u64),
        )
        .unwrap();
        let leo = log.log_end_offset();
        log.set_high_watermark(leo);
    }

    #[test]
    fn offsets_start_at_zero_and_reads_stop_at_the_high_watermark() {
        let cfg = TopicConfig::default();
        let mut log = PartitionLog::new();
        let info = log
            .append(
                &batch(
                    &[(None, Some("a")), (None, Some("b"))],
                    7,
                    ProducerIdentity::NONE,
                ),
                &cfg,
                SimTime(9),
            )
            .unwrap();
        assert_eq!(
            (info.base_offset, info.last_offset, info.duplicate),
            (0, 1, false)
        );
        assert_eq!((log.log_end_offset(), log.high_watermark()), (2, 0));
        assert!(
            log.fetch(0, 10, 1 << 20, IsolationLevel::ReadUncommitted)
                .unwrap()
                .records
                .is_empty(),
            "nothing is readable above the high watermark"
        );
        log.set_high_watermark(2);
        let got = log
            .fetch(0, 10, 1 << 20, IsolationLevel::ReadUncommitted)
            .unwrap()
            .records;
        assert_eq!(
            got.iter()
                .map(|r| (r.offset, r.value, r.timestamp))
                .collect::<Vec<_>>(),
            vec![(0, Some(&b"a"[..]), 7), (1, Some(&b"b"[..]), 7)]
        );
        assert_eq!(log.get(1).unwrap().value, Some(&b"b"[..]));
        assert!(log.get(2).is_none());
        assert_eq!((log.earliest(), log.latest()), (0, 2));
        assert_eq!(
            log.fetch(3, 10, 100, IsolationLevel::ReadUncommitted)
                .unwrap_err()
                .code,
            ErrorCode::OffsetOutOfRange
        );
        assert!(log
            .fetch(2, 10, 100, IsolationLevel::ReadUncommitted)
            .unwrap()
            .records
            .is_empty());
    }

    #[test]
    fn fetch_respects_record_and_byte_limits_but_returns_at_least_one() {
        let cfg = TopicConfig::default();
        let mut log = PartitionLog::new();
        for i in 0..10 {
            append_at(&mut log, &cfg, &[(None, Some(&"x".repeat(100 + i)))], 0);
        }
        assert_eq!(
            log.fetch(0, 3, 1 << 20, IsolationLevel::ReadUncommitted)
                .unwrap()
                .records
                .len(),
            3
        );
        assert_eq!(
            log.fetch(0, 100, 1, IsolationLevel::ReadUncommitted)
                .unwrap()
                .records
                .len(),
            1,
            "KIP-74: one record even past max bytes"
        );
        assert_eq!(
            log.fetch(5, 100, 250, IsolationLevel::ReadUncommitted)
                .unwrap()
                .records
                .len(),
            2
        );
    }

    #[test]
    fn segments_roll_on_segment_bytes_and_segment_ms() {
        let cfg =
            TopicConfig::from_entries([("segment.bytes", "200"), ("segment.ms", "1000")]).unwrap();
        let mut log = PartitionLog::new();
        for i in 0..4 {
            append_at(&mut log, &cfg, &[(None, Some(&"v".repeat(60)))], i);
        }
        let segs: Vec<_> = log.segments().collect();
        // Each batch is 61 header bytes + a 68-byte record (66-byte body, 2-byte zigzag
        // length) = 129: two never fit in 200.
        let layout: Vec<_> = segs
            .iter()
            .map(|s| (s.base_offset, s.records, s.size_in_bytes))
            .collect();
        assert_eq!(
            layout,
            vec![(0, 1, 129), (1, 1, 129), (2, 1, 129), (3, 1, 129)]
        );
        assert!(segs[3].active && !segs[0].active);
        let cfg = TopicConfig::from_entries([("segment.ms", "1000")]).unwrap();
        let mut log = PartitionLog::new();
        append_at(&mut log, &cfg, &[(None, Some("a"))], 0);
        append_at(&mut log, &cfg, &[(None, Some("b"))], 999);
        append_at(&mut log, &cfg, &[(None, Some("c"))], 1000);
        let bases: Vec<_> = log.segments().map(|s| s.base_offset).collect();
        assert_eq!(bases, vec![0, 2]);
    }

    #[test]
    fn retention_ms_deletes_whole_old_segments_and_moves_the_log_start() {
        let cfg =
            TopicConfig::from_entries([("segment.ms", "100"), ("retention.ms", "1000")]).unwrap();
        let mut log = PartitionLog::new();
        for t in [0, 50, 100, 150, 200] {
            append_at(&mut log, &cfg, &[(None, Some(&t.to_string()))], t);
        }
        // Segments: [0,1] (ts ≤ 50), [2,3] (ts ≤ 150), [4] (ts 200, active).
        let r = log.apply_retention(&cfg, SimTime(1100));
        assert_eq!(
            (r.segments_deleted, r.records_removed, r.log_start_offset),
            (1, 2, 2)
        );
        assert_eq!(
            kv(&log),
            vec![(2, "100".into()), (3, "150".into()), (4, "200".into())]
        );
        assert_eq!(
            log.fetch(1, 10, 100, IsolationLevel::ReadUncommitted)
                .unwrap_err()
                .code,
            ErrorCode::OffsetOutOfRange
        );
        // When everything is due, the active segment is rolled and deleted too, as in Kafka.
        let r = log.apply_retention(&cfg, SimTime(5000));
        assert_eq!((r.segments_deleted, r.log_start_offset), (2, 5));
        assert_eq!(log.log_end_offset(), 5);
        assert!(kv(&log).is_empty());
        let delete_off =
            TopicConfig::from_entries([("cleanup.policy", "compact"), ("retention.ms", "1")])
                .unwrap();
        append_at(&mut log, &delete_off, &[(Some("k"), Some("v"))], 6000);
        assert_eq!(
            log.apply_retention(&delete_off, SimTime(99_999))
                .segments_deleted,
            0
        );
    }

    #[test]
    fn retention_bytes_keeps_the_newest_segments_within_the_limit() {
        let cfg = TopicConfig::from_entries([("segment.bytes", "100"), ("retention.bytes", "150")])
            .unwrap();
        let mut log = PartitionLog::new();
        for i in 0..5 {
            append_at(&mut log, &cfg, &[(None, Some(&"x".repeat(20)))], i);
        }
        // Five one-batch segments of 88 bytes (61 + 27). Kafka deletes the oldest while
        // `size - retention.bytes >= segment size`: 440 - 150 = 290 allows three.
        assert_eq!(log.size_in_bytes(), 440);
        let r = log.apply_retention(&cfg, SimTime(10));
        assert_eq!((r.segments_deleted, r.log_start_offset), (3, 3));
        assert_eq!(log.size_in_bytes(), 176);
        assert_eq!(log.apply_retention(&cfg, SimTime(10)).segments_deleted, 0);
    }

    #[test]
    fn delete_records_moves_the_low_watermark_within_the_high_watermark() {
        let cfg = TopicConfig::from_entries([("segment.bytes", "100")]).unwrap();
        let mut log = PartitionLog::new();
        for i in 0..6 {
            append_at(&mut log, &cfg, &[(None, Some(&i.to_string()))], i);
        }
        assert_eq!(log.delete_records(3).unwrap(), 3);
        assert_eq!(kv(&log).first(), Some(&(3, "3".into())));
        assert_eq!(log.delete_records(1).unwrap(), 3, "never moves back");
        assert_eq!(
            log.delete_records(7).unwrap_err().code,
            ErrorCode::OffsetOutOfRange
        );
        assert_eq!(log.delete_records(-1).unwrap(), 6);
        assert!(kv(&log).is_empty());
    }

    fn compacted(extra: &[(&str, &str)]) -> TopicConfig {
        let mut cfg =
            TopicConfig::from_entries([("cleanup.policy", "compact"), ("segment.bytes", "150")])
                .unwrap();
        for (k, v) in extra {
            cfg.set(k, v).unwrap();
        }
        cfg
    }

    #[test]
    fn compaction_keeps_the_latest_per_key_and_the_offsets() {
        let cfg = compacted(&[]);
        let mut log = PartitionLog::new();
        let writes = [
            ("a", "1"),
            ("b", "1"),
            ("a", "2"),
            ("c", "1"),
            ("b", "2"),
            ("a", "3"),
            ("d", "1"),
        ];
        for (i, (k, v)) in writes.iter().enumerate() {
            append_at(&mut log, &cfg, &[(Some(k), Some(v))], i as i64);
        }
        let table_before = log.table();
        let active_base = log.segments().last().unwrap().base_offset;
        let r = log.compact(&cfg, SimTime(100));
        assert!(r.records_removed > 0);
        assert_eq!(
            log.table(),
            table_before,
            "compaction never changes the table view"
        );
        let offsets: Vec<i64> = log.read_from(0, i64::MAX).map(|r| r.offset).collect();
        // Superseded records below the active segment are gone; the active segment is untouched.
        for (i, (k, _)) in writes.iter().enumerate() {
            let i = i as i64;
            let superseded = writes[i as usize + 1..].iter().any(|(k2, _)| k2 == k);
            let last_key_offset = writes.iter().rposition(|(k2, _)| k2 == k).unwrap() as i64;
            let superseded_below_active =
                superseded && i < active_base && last_key_offset < active_base;
            assert_eq!(
                offsets.contains(&i),
                !superseded_below_active || i >= active_base,
                "offset {i}"
            );
        }
        assert_eq!(log.log_end_offset(), 7);
        assert!(log.segments().any(|s| s.cleaned));
    }

    #[test]
    fn compaction_waits_for_min_compaction_lag_and_the_dirty_ratio() {
        let cfg = compacted(&[("min.compaction.lag.ms", "1000")]);
        let mut log = PartitionLog::new();
        for i in 0..6 {
            append_at(&mut log, &cfg, &[(Some("k"), Some(&i.to_string()))], i);
        }
        assert_eq!(
            log.compact(&cfg, SimTime(500)).records_removed,
            0,
            "within min.compaction.lag.ms"
        );
        assert!(log.compact(&cfg, SimTime(2000)).records_removed > 0);
        assert_eq!(
            log.compact(&cfg, SimTime(3000)).records_removed,
            0,
            "nothing dirty left"
        );
        let lazy = compacted(&[("min.cleanable.dirty.ratio", "1")]);
        let mut log = PartitionLog::new();
        for i in 0..6 {
            append_at(&mut log, &lazy, &[(Some("k"), Some(&i.to_string()))], i);
        }
        assert!(
            log.compact(&lazy, SimTime(10)).records_removed > 0,
            "a fully dirty log meets ratio 1"
        );
    }

    #[test]
    fn tombstones_go_after_delete_retention_ms_from_the_first_clean() {
        let cfg = compacted(&[("delete.retention.ms", "1000")]);
        let mut log = PartitionLog::new();
        append_at(
            &mut log,
            &cfg,
            &[(Some("a"), Some("1")), (Some("b"), Some("1"))],
            0,
        );
        append_at(&mut log, &cfg, &[(Some("a"), None)], 1);
        append_at(
            &mut log,
            &cfg,
            &[(Some("c"), Some("1")), (Some("c"), Some("2"))],
            2,
        );
        append_at(&mut log, &cfg, &[(Some("z"), Some("active"))], 3);
        log.compact(&cfg, SimTime(10));
        let after_first = kv(&log);
        assert!(
            after_first.contains(&(2, "∅".into())),
            "the tombstone stays for now: {after_first:?}"
        );
        assert!(
            !after_first.iter().any(|(o, _)| *o == 0),
            "a=1 is superseded by the tombstone"
        );
        assert_eq!(
            log.compact(&cfg, SimTime(500)).records_removed,
            0,
            "horizon not reached"
        );
        log.compact(&cfg, SimTime(1010));
        assert!(!kv(&log).iter().any(|(_, v)| v == "∅"), "{:?}", kv(&log));
        assert_eq!(log.table().get(&b"b"[..]), Some(&b"1".to_vec()));
        assert_eq!(log.table().get(&b"a"[..]), None);
    }

    #[test]
    fn idempotent_retries_are_written_once_and_gaps_are_refused() {
        let cfg = TopicConfig::default();
        let mut log = PartitionLog::new();
        let id = |seq| ProducerIdentity {
            producer_id: 7,
            epoch: 0,
            base_sequence: seq,
        };
        let first = log
            .append(
                &batch(&[(None, Some("a")), (None, Some("b"))], 0, id(0)),
                &cfg,
                SimTime(0),
            )
            .unwrap();
        let retry = log
            .append(
                &batch(&[(None, Some("a")), (None, Some("b"))], 0, id(0)),
                &cfg,
                SimTime(1),
            )
            .unwrap();
        assert!(retry.duplicate);
        assert_eq!(
            (retry.base_offset, retry.last_offset),
            (first.base_offset, first.last_offset)
        );
        assert_eq!(log.log_end_offset(), 2);
        let gap = log
            .append(&batch(&[(None, Some("d"))], 0, id(3)), &cfg, SimTime(2))
            .unwrap_err();
        assert_eq!(gap.code, ErrorCode::OutOfOrderSequenceNumber);
        assert_eq!(
            log.append(&batch(&[(None, Some("c"))], 0, id(2)), &cfg, SimTime(2))
                .unwrap()
                .base_offset,
            2
        );
        let new_producer = ProducerIdentity {
            producer_id: 8,
            epoch: 0,
            base_sequence: 5,
        };
        assert_eq!(
            log.append(
                &batch(&[(None, Some("x"))], 0, new_producer),
                &cfg,
                SimTime(3)
            )
            .unwrap_err()
            .code,
            ErrorCode::OutOfOrderSequenceNumber
        );
        let bumped = ProducerIdentity {
            producer_id: 7,
            epoch: 1,
            base_sequence: 0,
        };
        log.append(&batch(&[(None, Some("e"))], 0, bumped), &cfg, SimTime(4))
            .unwrap();
        let stale = log
            .append(&batch(&[(None, Some("f"))], 0, id(3)), &cfg, SimTime(5))
            .unwrap_err();
        assert_eq!(stale.code, ErrorCode::InvalidProducerEpoch);
        assert_eq!(sequence_add(i32::MAX, 1), 0, "sequences wrap like Kafka's");
    }

    #[test]
    fn log_append_time_and_max_message_bytes_are_honoured() {
        let cfg = TopicConfig::from_entries([
            ("message.timestamp.type", "LogAppendTime"),
            ("max.message.bytes", "100"),
        ])
        .unwrap();
        let mut log = PartitionLog::new();
        let info = log
            .append(
                &batch(&[(None, Some("a"))], 5, ProducerIdentity::NONE),
                &cfg,
                SimTime(42),
            )
            .unwrap();
        assert_eq!(info.log_append_time, Some(42));
        log.set_high_watermark(1);
        let r = log.get(0).unwrap();
        assert_eq!(
            (r.timestamp, r.timestamp_type),
            (42, TimestampType::LogAppendTime)
        );
        let big = batch(&[(None, Some(&"x".repeat(100)))], 0, ProducerIdentity::NONE);
        assert_eq!(
            log.append(&big, &cfg, SimTime(43)).unwrap_err().code,
            ErrorCode::RecordTooLarge
        );
        assert_eq!(log.log_end_offset(), 1, "a refused batch changes nothing");
        assert_eq!(log.offset_for_timestamp(40), Some(0));
        assert_eq!(log.offset_for_timestamp(43), None);
    }

    #[test]
    fn a_million_records_cost_little_more_than_their_payload() {
        let cfg = TopicConfig::default();
        let mut log = PartitionLog::new();
        let value = [7u8; 100];
        for chunk in 0..(1_000_000 / 150) {
            let mut b = RecordBatchBuilder::new(chunk);
            for _ in 0..150 {
                b.push(None, Some(&value), &[], chunk);
            }
            log.append(
                &b.build(ProducerIdentity::NONE, CompressionType::None)
                    .unwrap(),
                &cfg,
                SimTime(0),
            )
            .unwrap();
        }
        let payload = log.log_end_offset() as usize * 100;
        let ratio = log.heap_bytes() as f64 / payload as f64;
        assert!(
            ratio <= 1.2,
            "heap {} for payload {payload}: {ratio:.3}",
            log.heap_bytes()
        );
    }

    fn txn_append(
        log: &mut PartitionLog,
        cfg: &TopicConfig,
        pid: i64,
        seq: i32,
        key: &str,
        value: &str,
    ) {
        let producer = ProducerIdentity {
            producer_id: pid,
            epoch: 0,
            base_sequence: seq,
        };
        let mut b = batch(&[(Some(key), Some(value))], 1, producer);
        b.transactional = true;
        log.append(&b, cfg, SimTime(1)).unwrap();
        let leo = log.log_end_offset();
        log.set_high_watermark(leo);
    }

    fn marker(log: &mut PartitionLog, cfg: &TopicConfig, pid: i64, m: Marker) -> i64 {
        let producer = ProducerIdentity {
            producer_id: pid,
            epoch: 0,
            base_sequence: -1,
        };
        let offset = log.append_marker(producer, m, cfg, SimTime(2)).unwrap();
        let leo = log.log_end_offset();
        log.set_high_watermark(leo);
        offset
    }

    fn read(log: &PartitionLog, isolation: IsolationLevel) -> (Vec<String>, i64) {
        let f = log
            .fetch(log.log_start_offset(), 100, 1 << 20, isolation)
            .unwrap();
        let values = f
            .records
            .iter()
            .map(|r| String::from_utf8_lossy(r.value.unwrap_or_default()).into_owned())
            .collect();
        (values, f.next_offset)
    }

    #[test]
    fn interleaved_transactions_hold_the_lso_and_aborted_records_are_skipped() {
        let cfg = TopicConfig::default();
        let mut log = PartitionLog::new();
        txn_append(&mut log, &cfg, 1, 0, "a", "p1-first"); // offset 0
        txn_append(&mut log, &cfg, 2, 0, "b", "p2-aborted"); // 1
        txn_append(&mut log, &cfg, 1, 1, "a", "p1-second"); // 2
        assert_eq!((log.last_stable_offset(), log.high_watermark()), (0, 3));
        assert_eq!(read(&log, IsolationLevel::ReadCommitted), (vec![], 0));
        assert_eq!(marker(&mut log, &cfg, 2, Marker::Abort), 3);
        // Producer 1's transaction is still open from offset 0.
        assert_eq!(log.last_stable_offset(), 0);
        assert_eq!(marker(&mut log, &cfg, 1, Marker::Commit), 4);
        assert_eq!(log.last_stable_offset(), 5);
        assert_eq!(
            log.aborted_transactions(),
            &[AbortedTransaction {
                producer_id: 2,
                first_offset: 1,
                last_offset: 3
            }]
        );
        let committed = read(&log, IsolationLevel::ReadCommitted);
        assert_eq!(committed, (vec!["p1-first".into(), "p1-second".into()], 5));
        let all = read(&log, IsolationLevel::ReadUncommitted).0;
        assert_eq!(
            all,
            ["p1-first", "p2-aborted", "p1-second"],
            "markers are never records"
        );
        assert_eq!(
            log.markers(0, 10),
            vec![(3, Marker::Abort), (4, Marker::Commit)]
        );
    }

    #[test]
    fn a_transaction_holds_the_lso_until_its_marker_is_below_the_high_watermark() {
        let cfg = TopicConfig::default();
        let mut log = PartitionLog::new();
        txn_append(&mut log, &cfg, 1, 0, "a", "committed"); // offset 0, replicated
        let producer = ProducerIdentity {
            producer_id: 1,
            epoch: 0,
            base_sequence: -1,
        };
        // The COMMIT marker at 1, on the leader only.
        assert_eq!(
            log.append_marker(producer, Marker::Commit, &cfg, SimTime(2)),
            Ok(1)
        );
        assert_eq!((log.last_stable_offset(), log.high_watermark()), (0, 1));
        assert_eq!(read(&log, IsolationLevel::ReadCommitted), (vec![], 0));
        assert_eq!(log.marker_at(1), Some((producer, Marker::Commit)));
        assert_eq!(log.marker_at(0), None, "a record, not a marker");
        // An election truncates the marker: the transaction is open again.
        log.truncate_to(1);
        assert_eq!(log.last_stable_offset(), 0);
        assert_eq!(log.marker_at(1), None);
        assert_eq!(
            log.append_marker(producer, Marker::Commit, &cfg, SimTime(3)),
            Ok(1)
        );
        log.set_high_watermark(2);
        assert_eq!(log.last_stable_offset(), 2);
        assert_eq!(
            read(&log, IsolationLevel::ReadCommitted),
            (vec!["committed".into()], 2)
        );
    }

    #[test]
    fn an_older_epochs_marker_is_refused() {
        let cfg = TopicConfig::default();
        let mut log = PartitionLog::new();
        let newer = ProducerIdentity {
            producer_id: 1,
            epoch: 3,
            base_sequence: -1,
        };
        log.append_marker(newer, Marker::Abort, &cfg, SimTime(0))
            .unwrap();
        let older = ProducerIdentity { epoch: 2, ..newer };
        let e = log
            .append_marker(older, Marker::Commit, &cfg, SimTime(0))
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidProducerEpoch);
    }

    #[test]
    fn compaction_keeps_markers_and_drops_aborted_records() {
        let cfg = TopicConfig::from_entries([
            ("cleanup.policy", "compact"),
            ("segment.ms", "1"),
            ("min.cleanable.dirty.ratio", "0.01"),
        ])
        .unwrap();
        let mut log = PartitionLog::new();
        txn_append(&mut log, &cfg, 1, 0, "k", "committed"); // 0
        marker(&mut log, &cfg, 1, Marker::Commit); // 1
        txn_append(&mut log, &cfg, 1, 1, "k", "aborted"); // 2
        marker(&mut log, &cfg, 1, Marker::Abort); // 3
                                                  // Roll past the data so that it is cleanable.
        append_at(&mut log, &cfg, &[(Some("z"), Some("later"))], 10);
        append_at(&mut log, &cfg, &[(Some("y"), Some("later"))], 20);
        log.compact(&cfg, SimTime(100));
        assert_eq!(
            log.table().get(&b"k"[..]).map(Vec::as_slice),
            Some(&b"committed"[..])
        );
        assert_eq!(
            log.markers(0, 10),
            vec![(1, Marker::Commit), (3, Marker::Abort)]
        );
    }
}
