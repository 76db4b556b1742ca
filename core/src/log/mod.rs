//! The partition log: segments of record batches, retention and compaction.
//!
//! Records are stored as Kafka stores them: v2 record batches, kept uncompressed in
//! contiguous per-segment buffers. Each segment's batch list (base offset → buffer
//! position) is its offset index, sparse like Kafka's: a read binary-searches it and then
//! scans records within one batch.

mod cleaner;
mod producer_state;
mod read;
mod segment;
mod txn_index;

pub use cleaner::CleanupReport;
pub(crate) use producer_state::PRODUCER_BATCH_CACHE;
pub use read::{Fetched, LogIter, LogRecord};
#[cfg(all(test, target_pointer_width = "64"))]
pub(crate) use segment::assert_entry_sizes;
pub use segment::SegmentInfo;
pub use txn_index::{AbortedTransaction, IsolationLevel, Marker};

use alloc::vec::Vec;
use litemap::LiteMap;

use crate::config::TopicConfig;
use crate::error::{err, Result};
use crate::record::{RecordBatch, TimestampType};
use crate::state_hash::StateHasher;
use crate::time::SimTime;
use producer_state::ProducerState;
use segment::{BatchMeta, Segment};

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

/// An append-only partition log with Kafka's offsets, segments, retention and compaction.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PartitionLog {
    segments: Vec<Segment>,
    log_start_offset: i64,
    high_watermark: i64,
    first_dirty_offset: i64,
    producers: LiteMap<i64, ProducerState>,
    /// Open transactions: producer id → the first offset it wrote in the transaction.
    ongoing: LiteMap<i64, i64>,
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
            producers: LiteMap::new(),
            ongoing: LiteMap::new(),
            unreplicated: Vec::new(),
            aborted: Vec::new(),
        }
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

    /// Bytes as Kafka would store them: the sum of the segments' sizes.
    pub fn size_in_bytes(&self) -> u64 {
        self.segments.iter().map(|s| s.size_in_bytes).sum()
    }

    /// Records the log holds (compaction and retention remove some).
    pub fn record_count(&self) -> u64 {
        self.segments.iter().map(Segment::records).sum()
    }

    /// Heap bytes this log holds, buffers' spare capacity included (see
    /// [`crate::budget`]: each index entry and segment counted at its 64-bit size or more).
    pub fn heap_bytes(&self) -> usize {
        self.segments.iter().map(Segment::heap_bytes).sum::<usize>()
            + (self.producers.len()
                + self.ongoing.len()
                + self.unreplicated.len()
                + self.aborted.len())
                * crate::budget::entry::ENTRY
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

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::compression::CompressionType;
    use crate::error::ErrorCode;
    use crate::record::RecordBatchBuilder;
    use crate::record::{sequence_add, ProducerIdentity};
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
