//! Retention and the log cleaner: deleting records and segments, and compaction.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::segment::{BatchMeta, Segment};
use super::PartitionLog;
use crate::compression::CompressionType;
use crate::config::TopicConfig;
use crate::error::{err, Result};
use crate::record::{decode_record, BATCH_HEADER_BYTES};
use crate::time::SimTime;

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

impl PartitionLog {
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
}
