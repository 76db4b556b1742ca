//! Reading the log: records by offset, fetches and the record iterator.

use alloc::vec::Vec;

use super::segment::BatchMeta;
use super::{AbortedTransaction, IsolationLevel, PartitionLog};
use crate::error::{err, Result};
use crate::record::{decode_record, Header, ProducerIdentity, RawRecord, TimestampType};

/// What a fetch returned, and where the next fetch starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetched<'a> {
    /// The records.
    pub records: Vec<LogRecord<'a>>,
    /// The next offset to fetch: past skipped markers and aborted records too.
    pub next_offset: i64,
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

impl PartitionLog {
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
