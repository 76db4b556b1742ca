//! Records as Kafka stores them: the v2 record format inside record batches.
//!
//! A batch's records are kept as Kafka writes them on disk (length, attributes, timestamp
//! delta, offset delta, key, value, headers, all zigzag varints), so sizes, compression
//! ratios and `segment.bytes` / `retention.bytes` behave as in Kafka.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use crate::compression::CompressionType;
use crate::error::Error;

/// The size of a v2 record batch header on disk.
pub const BATCH_HEADER_BYTES: usize = 61;

/// A record header: a string key and optional bytes, as in Kafka.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Header {
    /// The header key.
    pub key: String,
    /// The header value; `None` is Kafka's null.
    pub value: Option<Vec<u8>>,
}

impl Header {
    /// A header with a value.
    pub fn new(key: impl Into<String>, value: impl Into<Vec<u8>>) -> Self {
        Self {
            key: key.into(),
            value: Some(value.into()),
        }
    }
}

/// Where a record's timestamp came from (`message.timestamp.type`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TimestampType {
    /// Set by the producer (or the producer's clock).
    #[default]
    CreateTime,
    /// Overwritten by the broker when the batch is appended.
    LogAppendTime,
}

impl TimestampType {
    /// Kafka's name: `CreateTime` or `LogAppendTime`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::CreateTime => "CreateTime",
            Self::LogAppendTime => "LogAppendTime",
        }
    }
}

/// A record to produce. Fields left `None` are chosen by the producer.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProducerRecord<'a> {
    /// The topic to write to.
    pub topic: &'a str,
    /// An explicit partition; otherwise the partitioner picks one.
    pub partition: Option<u32>,
    /// The key; `None` is a null key.
    pub key: Option<&'a [u8]>,
    /// The value; `None` is a tombstone.
    pub value: Option<&'a [u8]>,
    /// Headers, in order.
    pub headers: &'a [Header],
    /// The create time; the producer uses the simulated clock when `None`.
    pub timestamp: Option<i64>,
}

impl<'a> ProducerRecord<'a> {
    /// A record for `topic` with a null key, a null value and no headers.
    pub fn new(topic: &'a str) -> Self {
        Self {
            topic,
            ..Self::default()
        }
    }

    /// Sets the key.
    pub fn key(mut self, key: &'a [u8]) -> Self {
        self.key = Some(key);
        self
    }

    /// Sets the value.
    pub fn value(mut self, value: &'a [u8]) -> Self {
        self.value = Some(value);
        self
    }

    /// Sets an explicit partition.
    pub fn partition(mut self, partition: u32) -> Self {
        self.partition = Some(partition);
        self
    }

    /// Sets the headers.
    pub fn headers(mut self, headers: &'a [Header]) -> Self {
        self.headers = headers;
        self
    }

    /// Sets the create time.
    pub fn timestamp(mut self, timestamp: i64) -> Self {
        self.timestamp = Some(timestamp);
        self
    }
}

/// A consumed record, with the accessors of confluent-kafka's `Message`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub(crate) topic: Arc<str>,
    pub(crate) partition: u32,
    pub(crate) offset: i64,
    pub(crate) key: Option<Vec<u8>>,
    pub(crate) value: Option<Vec<u8>>,
    pub(crate) headers: Vec<Header>,
    pub(crate) timestamp: i64,
    pub(crate) timestamp_type: TimestampType,
    pub(crate) error: Option<Error>,
}

impl Message {
    /// The topic.
    pub fn topic(&self) -> &str {
        &self.topic
    }
    /// The partition.
    pub fn partition(&self) -> u32 {
        self.partition
    }
    /// The offset, or -1 on an error message.
    pub fn offset(&self) -> i64 {
        self.offset
    }
    /// The key, `None` for a null key.
    pub fn key(&self) -> Option<&[u8]> {
        self.key.as_deref()
    }
    /// The value, `None` for a tombstone.
    pub fn value(&self) -> Option<&[u8]> {
        self.value.as_deref()
    }
    /// The headers, in order.
    pub fn headers(&self) -> &[Header] {
        &self.headers
    }
    /// The timestamp and its type, as confluent-kafka returns it.
    pub fn timestamp(&self) -> (TimestampType, i64) {
        (self.timestamp_type, self.timestamp)
    }
    /// The error this message carries instead of a record, if any.
    pub fn error(&self) -> Option<&Error> {
        self.error.as_ref()
    }

    pub(crate) fn error_for(topic: Arc<str>, partition: u32, error: Error) -> Self {
        Self {
            topic,
            partition,
            offset: -1,
            key: None,
            value: None,
            headers: Vec::new(),
            timestamp: -1,
            timestamp_type: TimestampType::CreateTime,
            error: Some(error),
        }
    }
}

/// A producer sequence moved by `n` (either way), wrapping from `i32::MAX` to 0 as Kafka's
/// `DefaultRecordBatch.incrementSequence` does.
pub(crate) fn sequence_add(seq: i32, n: i64) -> i32 {
    (i64::from(seq) + n).rem_euclid(i64::from(i32::MAX) + 1) as i32
}

/// Who wrote a batch, for idempotence: Kafka's producer id, epoch and base sequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ProducerIdentity {
    /// The producer id, or -1 for a producer without idempotence.
    pub producer_id: i64,
    /// The producer epoch.
    pub epoch: i16,
    /// The sequence number of the batch's first record.
    pub base_sequence: i32,
}

impl ProducerIdentity {
    /// A batch from a producer without idempotence.
    pub const NONE: ProducerIdentity = ProducerIdentity {
        producer_id: -1,
        epoch: -1,
        base_sequence: -1,
    };
}

/// Builds a record batch: records are encoded in Kafka's v2 format as they are added.
#[derive(Clone, Debug)]
pub struct RecordBatchBuilder {
    base_timestamp: i64,
    max_timestamp: i64,
    count: u32,
    tombstones: u32,
    records: Vec<u8>,
}

impl RecordBatchBuilder {
    /// Heap bytes its records' buffer holds.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.records.capacity()
    }

    /// An empty batch whose timestamp deltas are relative to `base_timestamp`.
    pub fn new(base_timestamp: i64) -> Self {
        Self {
            base_timestamp,
            max_timestamp: base_timestamp,
            count: 0,
            tombstones: 0,
            records: Vec::new(),
        }
    }

    /// An empty batch with room for `bytes` of records.
    pub fn with_capacity(base_timestamp: i64, bytes: usize) -> Self {
        let mut batch = Self::new(base_timestamp);
        batch.records.reserve_exact(bytes);
        batch
    }

    /// Appends a record; its offset delta is its index in the batch.
    #[inline]
    pub fn push(
        &mut self,
        key: Option<&[u8]>,
        value: Option<&[u8]>,
        headers: &[Header],
        timestamp: i64,
    ) {
        // With no limit there is always room.
        let _ = self.try_push(key, value, headers, timestamp, usize::MAX);
    }

    /// Appends a record if the batch stays within `limit` bytes or is empty (Kafka's
    /// `hasRoomFor`: the exact v2 size, and always room for a first record).
    #[inline]
    pub fn try_push(
        &mut self,
        key: Option<&[u8]>,
        value: Option<&[u8]>,
        headers: &[Header],
        timestamp: i64,
        limit: usize,
    ) -> bool {
        let ts_delta = timestamp.wrapping_sub(self.base_timestamp);
        let body_len = record_body_len(ts_delta, self.count, key, value, headers);
        let size = varint_len(body_len as i64) + body_len;
        if self.count > 0 && self.size_in_bytes().saturating_add(size) > limit {
            return false;
        }
        self.write(body_len, ts_delta, key, value, headers, timestamp);
        true
    }

    #[inline]
    fn write(
        &mut self,
        body_len: usize,
        ts_delta: i64,
        key: Option<&[u8]>,
        value: Option<&[u8]>,
        headers: &[Header],
        timestamp: i64,
    ) {
        let out = &mut self.records;
        out.reserve(body_len + 5);
        // The varints before the key, and the value's length, are gathered on the stack and
        // copied at once: far fewer capacity checks than a push per byte.
        let mut head = Varints::default();
        head.put(body_len as i64);
        head.bytes[head.len] = 0; // attributes: unused in v2 records
        head.len += 1;
        head.put(ts_delta);
        head.put(i64::from(self.count));
        head.put(key.map_or(-1, |k| k.len() as i64));
        out.extend_from_slice(head.as_slice());
        out.extend_from_slice(key.unwrap_or_default());
        let mut length = Varints::default();
        length.put(value.map_or(-1, |v| v.len() as i64));
        out.extend_from_slice(length.as_slice());
        out.extend_from_slice(value.unwrap_or_default());
        write_varint(out, headers.len() as i64);
        for h in headers {
            write_bytes(out, Some(h.key.as_bytes()));
            write_bytes(out, h.value.as_deref());
        }
        self.max_timestamp = self.max_timestamp.max(timestamp);
        self.count += 1;
        self.tombstones += u32::from(value.is_none());
    }

    /// The batch's size on disk, uncompressed: header plus encoded records.
    pub fn size_in_bytes(&self) -> usize {
        BATCH_HEADER_BYTES + self.records.len()
    }

    /// How many records it holds.
    pub fn len(&self) -> u32 {
        self.count
    }

    /// Whether it holds no records.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Finishes the batch, compressing it with `compression` to learn its size on disk.
    ///
    /// The log keeps records uncompressed for fast reads; the compressed size is what Kafka
    /// would store and send, and it is what `segment.bytes` and `retention.bytes` count.
    pub fn build(
        self,
        producer: ProducerIdentity,
        compression: CompressionType,
    ) -> Result<RecordBatch, Error> {
        let payload = match compression {
            CompressionType::None => self.records.len(),
            codec => crate::compression::compress(codec, &self.records)?.len(),
        };
        Ok(RecordBatch {
            base_timestamp: self.base_timestamp,
            max_timestamp: self.max_timestamp,
            count: self.count,
            tombstones: self.tombstones,
            records: self.records,
            producer,
            compression,
            size_in_bytes: (BATCH_HEADER_BYTES + payload) as u32,
            transactional: false,
        })
    }
}

/// A finished record batch, ready to append to a partition log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordBatch {
    pub(crate) base_timestamp: i64,
    pub(crate) max_timestamp: i64,
    pub(crate) count: u32,
    pub(crate) tombstones: u32,
    pub(crate) records: Vec<u8>,
    pub(crate) producer: ProducerIdentity,
    pub(crate) compression: CompressionType,
    pub(crate) size_in_bytes: u32,
    /// Written inside a transaction (the batch attribute's transactional bit).
    pub(crate) transactional: bool,
}

impl RecordBatch {
    /// How many records it holds.
    pub fn len(&self) -> u32 {
        self.count
    }
    /// Whether it holds no records.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
    /// Its size on disk: the 61-byte header plus the (compressed) records.
    pub fn size_in_bytes(&self) -> u32 {
        self.size_in_bytes
    }
    /// Its size uncompressed: the header plus the encoded records.
    pub fn uncompressed_bytes(&self) -> u32 {
        (BATCH_HEADER_BYTES + self.records.len()) as u32
    }
    /// The codec it was compressed with.
    pub fn compression(&self) -> CompressionType {
        self.compression
    }
    /// Who wrote it.
    pub fn producer(&self) -> ProducerIdentity {
        self.producer
    }
    /// The largest record timestamp.
    pub fn max_timestamp(&self) -> i64 {
        self.max_timestamp
    }
    /// The encoded records, in Kafka's v2 record format.
    pub fn records_bytes(&self) -> &[u8] {
        &self.records
    }
}

/// One record decoded from a batch, borrowing its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawRecord<'a> {
    /// Offset relative to the batch's base offset.
    pub offset_delta: u32,
    /// Timestamp relative to the batch's base timestamp.
    pub timestamp_delta: i64,
    /// The key.
    pub key: Option<&'a [u8]>,
    /// The value.
    pub value: Option<&'a [u8]>,
    /// How many headers follow.
    pub header_count: u32,
    /// The encoded headers.
    pub headers: &'a [u8],
    /// The whole encoded record, length prefix included.
    pub encoded: &'a [u8],
}

impl RawRecord<'_> {
    /// Decodes the headers.
    pub fn headers(&self) -> Vec<Header> {
        let mut out = Vec::with_capacity(self.header_count as usize);
        let mut pos = 0;
        for _ in 0..self.header_count {
            let Some((key, p)) = read_bytes(self.headers, pos) else {
                break;
            };
            let Some((value, p)) = read_bytes(self.headers, p) else {
                break;
            };
            pos = p;
            out.push(Header {
                key: String::from_utf8_lossy(key.unwrap_or_default()).into_owned(),
                value: value.map(<[u8]>::to_vec),
            });
        }
        out
    }
}

/// Decodes the record starting at `pos` of `buf`; returns it and the position after it.
///
/// Returns `None` on malformed input rather than panicking.
#[inline]
pub fn decode_record(buf: &[u8], pos: usize) -> Option<(RawRecord<'_>, usize)> {
    let (len, body_start) = read_varint(buf, pos)?;
    let end = body_start.checked_add(usize::try_from(len).ok()?)?;
    let body = buf.get(body_start..end)?;
    let (ts_delta, p) = read_varint(body, 1)?;
    let (offset_delta, p) = read_varint(body, p)?;
    let (key, p) = read_bytes(body, p)?;
    let (value, p) = read_bytes(body, p)?;
    let (header_count, p) = read_varint(body, p)?;
    Some((
        RawRecord {
            offset_delta: u32::try_from(offset_delta).ok()?,
            timestamp_delta: ts_delta,
            key,
            value,
            header_count: u32::try_from(header_count).ok()?,
            headers: body.get(p..)?,
            encoded: buf.get(pos..end)?,
        },
        end,
    ))
}

#[inline]
fn record_body_len(
    ts_delta: i64,
    offset_delta: u32,
    key: Option<&[u8]>,
    value: Option<&[u8]>,
    headers: &[Header],
) -> usize {
    let mut n = 1 + varint_len(ts_delta) + varint_len(i64::from(offset_delta));
    n += bytes_len(key) + bytes_len(value) + varint_len(headers.len() as i64);
    for h in headers {
        n += bytes_len(Some(h.key.as_bytes())) + bytes_len(h.value.as_deref());
    }
    n
}

/// The size of one encoded v2 record, length prefix included.
#[inline]
pub fn record_size(
    ts_delta: i64,
    offset_delta: u32,
    key: Option<&[u8]>,
    value: Option<&[u8]>,
    headers: &[Header],
) -> usize {
    let body = record_body_len(ts_delta, offset_delta, key, value, headers);
    varint_len(body as i64) + body
}

/// An upper bound of a record's encoded size, without computing varints (Kafka's
/// `estimateSizeInBytesUpperBound`): every varint is counted at its largest.
#[inline]
pub fn record_size_upper_bound(
    key: Option<&[u8]>,
    value: Option<&[u8]>,
    headers: &[Header],
) -> usize {
    let fields = |b: Option<&[u8]>| 5 + b.map_or(0, <[u8]>::len);
    let header_bytes: usize = headers
        .iter()
        .map(|h| 10 + h.key.len() + h.value.as_ref().map_or(0, Vec::len))
        .sum();
    5 + 1 + 10 + 5 + fields(key) + fields(value) + 5 + header_bytes
}

#[inline]
fn bytes_len(b: Option<&[u8]>) -> usize {
    match b {
        None => 1,
        Some(b) => varint_len(b.len() as i64) + b.len(),
    }
}

/// Up to six varints (at most ten bytes each) gathered on the stack.
struct Varints {
    bytes: [u8; 64],
    len: usize,
}

impl Default for Varints {
    fn default() -> Self {
        Self {
            bytes: [0; 64],
            len: 0,
        }
    }
}

impl Varints {
    #[inline]
    fn put(&mut self, v: i64) {
        let mut z = ((v << 1) ^ (v >> 63)) as u64;
        while z >= 0x80 {
            self.bytes[self.len] = (z as u8) | 0x80;
            self.len += 1;
            z >>= 7;
        }
        self.bytes[self.len] = z as u8;
        self.len += 1;
    }

    fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

#[inline]
fn write_bytes(out: &mut Vec<u8>, b: Option<&[u8]>) {
    match b {
        None => write_varint(out, -1),
        Some(b) => {
            write_varint(out, b.len() as i64);
            out.extend_from_slice(b);
        }
    }
}

#[inline]
fn read_bytes(buf: &[u8], pos: usize) -> Option<(Option<&[u8]>, usize)> {
    let (len, p) = read_varint(buf, pos)?;
    if len < 0 {
        return Some((None, p));
    }
    let end = p.checked_add(usize::try_from(len).ok()?)?;
    Some((Some(buf.get(p..end)?), end))
}

/// Writes a zigzag varint, as Kafka's `ByteUtils.writeVarlong`.
#[inline]
fn write_varint(out: &mut Vec<u8>, v: i64) {
    let mut z = ((v << 1) ^ (v >> 63)) as u64;
    while z >= 0x80 {
        out.push((z as u8) | 0x80);
        z >>= 7;
    }
    out.push(z as u8);
}

#[inline]
fn varint_len(v: i64) -> usize {
    let z = ((v << 1) ^ (v >> 63)) as u64;
    (64 - (z | 1).leading_zeros() as usize).div_ceil(7)
}

#[inline]
fn read_varint(buf: &[u8], pos: usize) -> Option<(i64, usize)> {
    let first = *buf.get(pos)?;
    if first < 0x80 {
        let z = i64::from(first);
        return Some(((z >> 1) ^ -(z & 1), pos + 1));
    }
    // Two bytes: record lengths of 64 to 8191 bytes, the common case.
    if let Some(&second) = buf.get(pos + 1).filter(|&&b| b < 0x80) {
        let z = i64::from(first & 0x7f) | (i64::from(second) << 7);
        return Some(((z >> 1) ^ -(z & 1), pos + 2));
    }
    read_long_varint(buf, pos)
}

/// Varints of three bytes or more, out of line so that [`read_varint`] stays small.
#[cold]
#[inline(never)]
fn read_long_varint(buf: &[u8], mut pos: usize) -> Option<(i64, usize)> {
    let mut z: u64 = 0;
    let mut shift = 0;
    loop {
        let b = *buf.get(pos)?;
        pos += 1;
        z |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return Some((((z >> 1) as i64) ^ -((z & 1) as i64), pos));
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use alloc::vec;

    #[test]
    fn varints_round_trip_and_match_kafka_sizes() {
        for v in [0i64, 1, -1, 63, -64, 64, 300, -300, i64::MAX, i64::MIN] {
            let mut out = Vec::new();
            write_varint(&mut out, v);
            assert_eq!(out.len(), varint_len(v), "{v}");
            assert_eq!(read_varint(&out, 0), Some((v, out.len())));
        }
        // Kafka's zigzag: 0 -> 0x00, -1 -> 0x01, 1 -> 0x02, 64 -> two bytes.
        let mut out = Vec::new();
        write_varint(&mut out, -1);
        write_varint(&mut out, 1);
        assert_eq!(out, vec![0x01, 0x02]);
        assert_eq!(varint_len(64), 2);
    }

    #[test]
    fn a_batch_decodes_to_what_was_pushed() {
        let headers = vec![
            Header::new("h", "v"),
            Header {
                key: "n".into(),
                value: None,
            },
        ];
        let mut b = RecordBatchBuilder::new(1000);
        b.push(Some(b"k"), Some(b"hello"), &headers, 1005);
        b.push(None, None, &[], 999);
        let size_before = b.size_in_bytes();
        // An 8-byte record (1 key byte, null value) fits a limit exactly 8 bytes larger.
        assert!(!b
            .clone()
            .try_push(Some(b"x"), None, &[], 1000, size_before + 7));
        let mut fits = b.clone();
        assert!(fits.try_push(Some(b"x"), None, &[], 1000, size_before + 8));
        assert_eq!(fits.size_in_bytes(), size_before + 8);
        assert!(
            RecordBatchBuilder::new(0).try_push(None, Some(&[0; 100]), &[], 0, 1),
            "a first record always fits"
        );
        let batch = b
            .build(ProducerIdentity::NONE, CompressionType::None)
            .unwrap();
        assert_eq!(batch.max_timestamp(), 1005);
        let (r0, p) = decode_record(batch.records_bytes(), 0).unwrap();
        assert_eq!((r0.offset_delta, r0.timestamp_delta), (0, 5));
        assert_eq!((r0.key, r0.value), (Some(&b"k"[..]), Some(&b"hello"[..])));
        assert_eq!(r0.headers(), headers);
        assert_eq!(
            r0.encoded.len(),
            record_size(5, 0, Some(b"k"), Some(b"hello"), &headers)
        );
        let (r1, end) = decode_record(batch.records_bytes(), p).unwrap();
        assert_eq!(
            (r1.offset_delta, r1.timestamp_delta, r1.key, r1.value),
            (1, -1, None, None)
        );
        assert_eq!(end, batch.records_bytes().len());
        assert_eq!(batch.size_in_bytes() as usize, BATCH_HEADER_BYTES + end);
    }

    #[test]
    fn malformed_bytes_decode_to_none_without_panicking() {
        for bad in [&[][..], &[0x80], &[0x10, 0], &[0x7f; 3], &[0xff; 12]] {
            assert!(decode_record(bad, 0).is_none());
        }
        assert!(decode_record(&[2, 0, 0], 5).is_none());
    }
}
