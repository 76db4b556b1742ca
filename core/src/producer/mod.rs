//! The producer: batching per partition, `linger.ms`, partitioners, retries, and
//! idempotence (producer id, epoch and per-partition sequence numbers).

mod accumulator;
mod config;
mod sender;

pub use config::{Acks, ProducerConfig};
pub(crate) use sender::TxnGate;

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use litemap::LiteMap;

use crate::compression::CompressionType;
use crate::consumer::TopicPartition;
use crate::error::{err, Error, ErrorCode};
use crate::record::{ProducerIdentity, RecordBatch, RecordBatchBuilder};
use crate::sorted_set::SortedSet;
use crate::state_hash::StateHasher;
use crate::time::SimTime;
use crate::txn::{ClientState, TxnClient};

/// The outcome of one produced record, drained from the producer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryReport {
    /// The id [`Producer::produce`] returned for the record.
    pub id: u64,
    /// The topic.
    pub topic: Arc<str>,
    /// The partition.
    pub partition: u32,
    /// The offset, or -1 with `acks=0` or on error.
    pub offset: i64,
    /// The record's timestamp (the broker's time under `LogAppendTime`).
    pub timestamp: i64,
    /// Why it failed, if it did.
    pub error: Option<Error>,
}

/// What happened to one batch on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchReport {
    /// The topic.
    pub topic: Arc<str>,
    /// The partition.
    pub partition: u32,
    /// The offset the broker gave its first record (-1 if unknown).
    pub base_offset: i64,
    /// Records in it.
    pub records: u32,
    /// Its size uncompressed (header plus records).
    pub uncompressed_bytes: u32,
    /// Its size on the wire and on disk, after `compression.type`.
    pub size_in_bytes: u32,
    /// The codec.
    pub compression: CompressionType,
    /// 1 for the first send, 2 for the first retry, …
    pub attempt: u32,
    /// The broker already had it: idempotence dropped the retry.
    pub duplicate: bool,
    /// The broker wrote it but the response was lost (an injected fault).
    pub ack_lost: bool,
}

/// An event from a producer, in the order it happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProducerEvent {
    /// A batch was sent.
    BatchSent(BatchReport),
    /// A record's delivery report.
    Delivered(DeliveryReport),
}

impl ProducerEvent {
    /// The delivery report, if this event is one.
    pub fn as_delivery(&self) -> Option<&DeliveryReport> {
        match self {
            Self::Delivered(d) => Some(d),
            Self::BatchSent(_) => None,
        }
    }
}

#[derive(Clone, Debug)]
struct OpenBatch {
    builder: RecordBatchBuilder,
    /// Each record's delivery-report id and create time.
    records: Vec<(u64, i64)>,
    created_at: SimTime,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Stage {
    /// Waiting for a free in-flight slot (or its backoff to pass).
    Queued { not_before: SimTime },
    /// Sent; the response was lost, so it times out at `until`.
    AwaitingResponse { until: SimTime },
    /// Written by the leader of `leader_epoch` with `acks=all`: the response waits until the
    /// high watermark passes `last_offset`, or `until` (`request.timeout.ms`).
    AwaitingReplication {
        until: SimTime,
        leader_epoch: i32,
        base_offset: i64,
        last_offset: i64,
        log_append_time: Option<i64>,
    },
}

#[derive(Clone, Debug)]
struct InFlight {
    topic: Arc<str>,
    partition: u32,
    batch: RecordBatch,
    records: Vec<(u64, i64)>,
    created_at: SimTime,
    attempts: u32,
    /// The broker may hold the batch (a response was lost, or it waited for replication).
    maybe_written: bool,
    stage: Stage,
}

/// A simulated producer client. The [`crate::Cluster`] owns it and moves it along the clock.
#[derive(Clone, Debug)]
pub struct Producer {
    name: String,
    config: ProducerConfig,
    identity: ProducerIdentity,
    /// Per partition: the epoch its batches carry and the next sequence number. After an
    /// epoch bump a partition keeps its old epoch until its batches of that epoch are done.
    sequences: LiteMap<TopicPartition, (i16, i32)>,
    /// Partitions whose sequence is unresolved: a batch the broker may hold failed. New
    /// batches wait until the sent ones are done, then the epoch goes up (KIP-360).
    unresolved: SortedSet<TopicPartition>,
    /// Per partition: the epoch and last sequence of the last acknowledged batch.
    acked: LiteMap<TopicPartition, (i16, i32)>,
    /// Per topic, in name order: each partition's open batch.
    open: Vec<(Arc<str>, LiteMap<u32, OpenBatch>)>,
    queue: VecDeque<InFlight>,
    /// Per topic: the sticky partition, and whether it is still current (KIP-480).
    sticky: LiteMap<Arc<str>, (u32, bool)>,
    round_robin: LiteMap<Arc<str>, u32>,
    events: Vec<ProducerEvent>,
    acks_to_lose: u32,
    next_id: u64,
    flushing: bool,
    pub(crate) txn: TxnClient,
}

impl Producer {
    /// Heap bytes the producer holds: its open batches, the batches sent and not yet
    /// answered, and the reports not yet drained.
    pub(crate) fn heap_bytes(&self) -> usize {
        use crate::budget::entry;
        // A record's id and create time: two 8-byte words on every target.
        let open: usize = self
            .open
            .iter()
            .flat_map(|(_, batches)| batches.values())
            .map(|b| b.builder.heap_bytes() + b.records.len() * 16)
            .sum();
        let sent: usize = self
            .queue
            .iter()
            .map(|f| entry::ENTRY + f.batch.records.capacity() + f.records.len() * 16)
            .sum();
        let entries = self.events.len() + self.sequences.len() + self.acked.len();
        entry::CLIENT + open + sent + entries * entry::ENTRY
    }

    pub(crate) fn new(name: &str, config: ProducerConfig, producer_id: i64) -> Self {
        let identity = if config.enable_idempotence {
            ProducerIdentity {
                producer_id,
                epoch: 0,
                base_sequence: 0,
            }
        } else {
            ProducerIdentity::NONE
        };
        Self {
            name: name.into(),
            config,
            identity,
            sequences: LiteMap::new(),
            unresolved: SortedSet::new(),
            acked: LiteMap::new(),
            open: Vec::new(),
            queue: VecDeque::new(),
            sticky: LiteMap::new(),
            round_robin: LiteMap::new(),
            events: Vec::new(),
            acks_to_lose: 0,
            next_id: 0,
            flushing: false,
            txn: TxnClient::default(),
        }
    }

    /// Its transaction state (`UNINITIALIZED` … for a transactional producer).
    pub fn transaction_state(&self) -> Option<ClientState> {
        self.config
            .transactional_id
            .as_ref()
            .map(|_| self.txn.state)
    }

    /// Takes the producer id and epoch the coordinator gave it; sequences restart at 0.
    pub(crate) fn set_identity(&mut self, producer_id: i64, epoch: i16) {
        self.identity = ProducerIdentity {
            producer_id,
            epoch,
            base_sequence: 0,
        };
        self.sequences.clear();
        self.unresolved.clear();
        self.acked.clear();
    }

    /// Records not yet acknowledged fail with `error` (on `abortTransaction()`, or when the
    /// producer is fenced); the ABORT markers cover any the broker already holds.
    pub(crate) fn fail_pending(&mut self, error: &Error) {
        let e = || error.clone();
        for (topic, parts) in core::mem::take(&mut self.open) {
            for (p, b) in parts {
                for (id, _) in b.records {
                    self.events
                        .push(ProducerEvent::Delivered(failed(id, &topic, p, e())));
                }
            }
        }
        // Latest first, so that each unwritten batch hands its sequences back in turn.
        while let Some(f) = self.queue.pop_back() {
            self.fail(f, e());
        }
        self.txn.error = None;
    }

    /// Its name in the scenario.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its configs.
    pub fn config(&self) -> &ProducerConfig {
        &self.config
    }

    /// Its producer id (-1 without idempotence) and epoch.
    pub fn identity(&self) -> (i64, i16) {
        (self.identity.producer_id, self.identity.epoch)
    }

    /// Records waiting in open batches (not yet sent), per topic-partition.
    pub fn pending(&self) -> Vec<(Arc<str>, u32, u32)> {
        let mut out = Vec::new();
        for (t, parts) in &self.open {
            for (p, b) in parts {
                out.push((t.clone(), *p, b.builder.len()));
            }
        }
        out
    }

    /// Batches sent but not yet acknowledged, or waiting to be sent.
    pub fn in_flight(&self) -> usize {
        self.queue.len()
    }

    /// Whether it has batch or delivery reports waiting to be drained.
    pub fn has_events(&self) -> bool {
        !self.events.is_empty()
    }

    /// Drains its events.
    #[must_use]
    pub fn drain_events(&mut self) -> Vec<ProducerEvent> {
        core::mem::take(&mut self.events)
    }

    /// Fault injection: the broker will write the next `n` batches, but their responses are lost.
    pub fn lose_next_acks(&mut self, n: u32) {
        self.acks_to_lose = self.acks_to_lose.saturating_add(n);
    }

    pub(crate) fn hash_into(&self, h: &mut StateHasher) {
        h.str(&self.name);
        h.i64(self.identity.producer_id);
        h.i64(self.identity.epoch.into());
        h.u64(self.next_id);
        h.u64(self.acks_to_lose.into());
        h.u64(self.txn.state as u64);
        h.u64(u64::from(self.txn.error.is_some()));
        h.u64(u64::from(self.txn.epoch_bump_needed));
        h.i64(self.txn.bump_from.map_or(-1, i64::from));
        for (t, p) in &self.txn.partitions {
            h.str(t);
            h.u64((*p).into());
        }
        for ((t, p), (e, s)) in &self.sequences {
            h.str(t);
            h.u64((*p).into());
            h.i64((*e).into());
            h.i64((*s).into());
        }
        for (t, p) in &self.unresolved {
            h.str(t);
            h.u64((*p).into());
        }
        for ((t, p), (e, s)) in &self.acked {
            h.str(t);
            h.u64((*p).into());
            h.i64((*e).into());
            h.i64((*s).into());
        }
        for (t, parts) in &self.open {
            for (p, b) in parts {
                h.str(t);
                h.u64((*p).into());
                h.u64(b.builder.len().into());
                h.u64(b.created_at.0);
            }
        }
        for f in &self.queue {
            h.str(&f.topic);
            h.u64(f.partition.into());
            h.bytes(f.batch.records_bytes());
            h.u64(f.attempts.into());
        }
    }
}

fn failed(id: u64, topic: &Arc<str>, partition: u32, error: Error) -> DeliveryReport {
    DeliveryReport {
        id,
        topic: topic.clone(),
        partition,
        offset: -1,
        timestamp: -1,
        error: Some(error),
    }
}

/// `PRODUCER_FENCED`, as the Java client words it.
pub(crate) fn fenced() -> Error {
    err!(ProducerFenced, "There is a newer producer with the same transactionalId which fences the current one, or the coordinator aborted the transaction after transaction.timeout.ms")
}

fn is_retriable(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::UnknownTopicOrPartition
            | ErrorCode::RequestTimedOut
            | ErrorCode::NotLeaderOrFollower
            | ErrorCode::NotEnoughReplicas
            | ErrorCode::NotEnoughReplicasAfterAppend
    )
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::record::ProducerRecord;
    use crate::{Cluster, ClusterConfig, ProducerHandle};
    use alloc::string::ToString;
    use alloc::vec;

    fn cluster() -> Cluster {
        Cluster::new(ClusterConfig {
            seed: 3,
            ..ClusterConfig::default()
        })
    }

    fn reports(c: &mut Cluster, p: ProducerHandle) -> Vec<DeliveryReport> {
        c.drain_producer_events(p)
            .unwrap()
            .into_iter()
            .filter_map(|e| e.as_delivery().cloned())
            .collect()
    }

    fn batches(events: &[ProducerEvent]) -> Vec<BatchReport> {
        events
            .iter()
            .filter_map(|e| match e {
                ProducerEvent::BatchSent(b) => Some(b.clone()),
                ProducerEvent::Delivered(_) => None,
            })
            .collect()
    }

    fn values(c: &Cluster, topic: &str, p: u32) -> Vec<String> {
        c.topic(topic).unwrap().partitions()[p as usize]
            .log
            .read_from(0, i64::MAX)
            .map(|r| String::from_utf8_lossy(r.value.unwrap_or_default()).into_owned())
            .collect()
    }

    #[test]
    fn records_wait_for_linger_ms_then_arrive_in_one_batch() {
        let mut c = cluster();
        c.create_topic("t", 1, &[]).unwrap();
        let p = c.create_producer("p", &[("linger.ms", "100")]).unwrap();
        for v in ["a", "b", "c"] {
            c.produce(p, &ProducerRecord::new("t").value(v.as_bytes()))
                .unwrap();
        }
        c.tick(99).unwrap();
        assert!(values(&c, "t", 0).is_empty(), "still lingering");
        assert_eq!(
            c.producer(p).unwrap().pending(),
            vec![(Arc::from("t"), 0, 3)]
        );
        c.tick(1).unwrap();
        assert_eq!(values(&c, "t", 0), ["a", "b", "c"]);
        let events = c.drain_producer_events(p).unwrap();
        let sent = batches(&events);
        assert_eq!(sent.len(), 1);
        assert_eq!((sent[0].records, sent[0].base_offset), (3, 0));
        let offsets: Vec<i64> = events
            .iter()
            .filter_map(|e| e.as_delivery())
            .map(|d| d.offset)
            .collect();
        assert_eq!(offsets, vec![0, 1, 2]);
    }

    #[test]
    fn flush_sends_at_once_and_full_batches_do_not_wait() {
        let mut c = cluster();
        c.create_topic("t", 1, &[]).unwrap();
        let p = c
            .create_producer("p", &[("linger.ms", "10000"), ("batch.size", "200")])
            .unwrap();
        for i in 0..5 {
            c.produce(p, &ProducerRecord::new("t").value(&[i; 50]))
                .unwrap();
        }
        c.run_producer(p).unwrap();
        // 61 + 2 × 56 = 173 fits in 200; a third record would not, so batches of two go out.
        assert_eq!(values(&c, "t", 0).len(), 4);
        c.flush(p).unwrap();
        assert_eq!(values(&c, "t", 0).len(), 5);
        let sent = batches(&c.drain_producer_events(p).unwrap());
        assert_eq!(
            sent.iter().map(|b| b.records).collect::<Vec<_>>(),
            vec![2, 2, 1]
        );
        assert_eq!(c.now(), SimTime::ZERO);
    }

    #[test]
    fn keys_land_where_the_java_client_puts_them() {
        let mut c = cluster();
        c.create_topic("t", 6, &[]).unwrap();
        let p = c.create_producer("p", &[]).unwrap();
        for i in 0..50 {
            let key = alloc::format!("user-{i}");
            c.produce(p, &ProducerRecord::new("t").key(key.as_bytes()).value(b"v"))
                .unwrap();
        }
        c.flush(p).unwrap();
        for part in 0..6 {
            for r in c.topic("t").unwrap().partitions()[part]
                .log
                .read_from(0, i64::MAX)
            {
                assert_eq!(
                    crate::partitioner::partition_for_key(r.key.unwrap(), 6),
                    part as u32
                );
            }
        }
        let explicit = c
            .produce(p, &ProducerRecord::new("t").key(b"user-1").partition(5))
            .unwrap();
        c.flush(p).unwrap();
        let r = reports(&mut c, p);
        assert_eq!(r.iter().find(|d| d.id == explicit).unwrap().partition, 5);
        assert_eq!(
            c.produce(p, &ProducerRecord::new("t").partition(6))
                .unwrap_err()
                .code,
            ErrorCode::UnknownTopicOrPartition
        );
        assert_eq!(
            c.produce(p, &ProducerRecord::new("nope")).unwrap_err().code,
            ErrorCode::UnknownTopicOrPartition
        );
    }

    #[test]
    fn sticky_partitioner_moves_on_when_its_batch_is_done() {
        let mut c = cluster();
        c.create_topic("t", 4, &[]).unwrap();
        let p = c
            .create_producer("p", &[("batch.size", "300"), ("linger.ms", "0")])
            .unwrap();
        let mut per_batch = Vec::new();
        for _ in 0..6 {
            let ids: Vec<u64> = (0..3)
                .map(|_| {
                    c.produce(p, &ProducerRecord::new("t").value(&[1; 40]))
                        .unwrap()
                })
                .collect();
            c.run_producer(p).unwrap();
            let r = reports(&mut c, p);
            let parts: Vec<u32> = ids
                .iter()
                .map(|id| r.iter().find(|d| d.id == *id).unwrap().partition)
                .collect();
            assert!(
                parts.iter().all(|&x| x == parts[0]),
                "one sticky partition per batch: {parts:?}"
            );
            per_batch.push(parts[0]);
        }
        assert!(
            per_batch.windows(2).all(|w| w[0] != w[1]),
            "a new partition after each batch: {per_batch:?}"
        );
    }

    #[test]
    fn round_robin_spreads_even_keyed_records() {
        let mut c = cluster();
        c.create_topic("t", 3, &[]).unwrap();
        let p = c
            .create_producer("p", &[("partitioner", "round_robin")])
            .unwrap();
        for _ in 0..6 {
            c.produce(p, &ProducerRecord::new("t").key(b"same").value(b"v"))
                .unwrap();
        }
        c.flush(p).unwrap();
        let parts: Vec<u32> = reports(&mut c, p).iter().map(|d| d.partition).collect();
        assert_eq!(parts.iter().filter(|&&x| x == 0).count(), 2);
        assert_eq!(parts.iter().filter(|&&x| x == 2).count(), 2);
    }

    fn lost_ack_run(configs: &[(&str, &str)]) -> (Cluster, Vec<DeliveryReport>, Vec<BatchReport>) {
        let mut c = cluster();
        c.create_topic("t", 1, &[]).unwrap();
        let p = c.create_producer("p", configs).unwrap();
        c.lose_acks(p, 1).unwrap();
        c.produce(p, &ProducerRecord::new("t").value(b"once"))
            .unwrap();
        c.flush(p).unwrap();
        c.tick(60_000).unwrap();
        let events = c.drain_producer_events(p).unwrap();
        let delivered = events
            .iter()
            .filter_map(|e| e.as_delivery().cloned())
            .collect();
        (c, delivered, batches(&events))
    }

    #[test]
    fn a_lost_ack_is_retried_and_idempotence_writes_it_once() {
        let (c, delivered, sent) = lost_ack_run(&[]);
        assert_eq!(values(&c, "t", 0), ["once"]);
        assert_eq!(
            sent.iter()
                .map(|b| (b.attempt, b.ack_lost, b.duplicate))
                .collect::<Vec<_>>(),
            vec![(1, true, false), (2, false, true)]
        );
        assert_eq!(
            (
                delivered.len(),
                delivered[0].offset,
                delivered[0].error.is_none()
            ),
            (1, 0, true)
        );
        // The retry goes out after request.timeout.ms (30 s) plus retry.backoff.ms (100 ms).
        let (c, delivered, _) = lost_ack_run(&[("enable.idempotence", "false")]);
        assert_eq!(
            values(&c, "t", 0),
            ["once", "once"],
            "without idempotence the retry is a duplicate"
        );
        assert_eq!(delivered[0].offset, 1);
    }

    #[test]
    fn max_in_flight_holds_later_batches_behind_a_lost_response() {
        for (in_flight, written_before_timeout) in [("1", 1), ("5", 3)] {
            let mut c = cluster();
            c.create_topic("t", 1, &[]).unwrap();
            let p = c
                .create_producer(
                    "p",
                    &[
                        ("max.in.flight.requests.per.connection", in_flight),
                        ("linger.ms", "0"),
                    ],
                )
                .unwrap();
            c.lose_acks(p, 1).unwrap();
            for v in ["a", "b", "c"] {
                c.produce(p, &ProducerRecord::new("t").value(v.as_bytes()))
                    .unwrap();
                c.run_producer(p).unwrap();
            }
            assert_eq!(
                values(&c, "t", 0).len(),
                written_before_timeout,
                "max.in.flight={in_flight}"
            );
            c.tick(31_000).unwrap();
            assert_eq!(
                values(&c, "t", 0),
                ["a", "b", "c"],
                "max.in.flight={in_flight}"
            );
        }
    }

    #[test]
    fn without_retries_a_lost_ack_fails_although_the_record_was_written() {
        let (c, delivered, _) = lost_ack_run(&[("retries", "0"), ("enable.idempotence", "false")]);
        assert_eq!(values(&c, "t", 0), ["once"]);
        assert_eq!(
            delivered[0].error.as_ref().unwrap().code,
            ErrorCode::RequestTimedOut
        );
        let (_, delivered, _) = lost_ack_run(&[
            ("delivery.timeout.ms", "30010"),
            ("request.timeout.ms", "30000"),
            ("linger.ms", "0"),
        ]);
        assert_eq!(
            delivered[0].error.as_ref().unwrap().code,
            ErrorCode::RequestTimedOut,
            "delivery.timeout.ms passed"
        );
    }

    #[test]
    fn acks_zero_reports_offset_minus_one() {
        let mut c = cluster();
        c.create_topic("t", 1, &[]).unwrap();
        let p = c.create_producer("p", &[("acks", "0")]).unwrap();
        c.produce(p, &ProducerRecord::new("t").value(b"v")).unwrap();
        c.flush(p).unwrap();
        assert_eq!(reports(&mut c, p)[0].offset, -1);
        assert_eq!(values(&c, "t", 0), ["v"]);
        assert_eq!(
            c.producer(p).unwrap().identity().0,
            -1,
            "idempotence was dropped: acks is not all"
        );
    }

    #[test]
    fn compression_reports_the_real_compressed_size() {
        for codec in ["gzip", "snappy", "lz4", "zstd"] {
            let mut c = cluster();
            c.create_topic("t", 1, &[]).unwrap();
            let p = c
                .create_producer("p", &[("compression.type", codec)])
                .unwrap();
            for i in 0..100 {
                c.produce(
                    p,
                    &ProducerRecord::new("t").value(
                        alloc::format!("{{\"order\":{i},\"status\":\"shipped\"}}").as_bytes(),
                    ),
                )
                .unwrap();
            }
            c.flush(p).unwrap();
            let sent = batches(&c.drain_producer_events(p).unwrap());
            assert_eq!(sent.len(), 1);
            assert!(
                sent[0].size_in_bytes * 3 < sent[0].uncompressed_bytes,
                "{codec}: {:?}",
                sent[0]
            );
            assert_eq!(
                c.describe_topic("t").unwrap().partitions[0].size_in_bytes,
                u64::from(sent[0].size_in_bytes)
            );
        }
    }

    #[test]
    fn a_compacted_topic_refuses_null_keys_for_the_whole_batch() {
        let mut c = cluster();
        c.create_topic("t", 1, &[("cleanup.policy", "compact")])
            .unwrap();
        let p = c.create_producer("p", &[]).unwrap();
        c.produce(p, &ProducerRecord::new("t").key(b"k").value(b"v"))
            .unwrap();
        c.produce(p, &ProducerRecord::new("t").value(b"no key"))
            .unwrap();
        c.flush(p).unwrap();
        let r = reports(&mut c, p);
        assert!(r
            .iter()
            .all(|d| d.error.as_ref().map(|e| e.code) == Some(ErrorCode::InvalidRecord)));
        assert!(values(&c, "t", 0).is_empty());
    }

    #[test]
    fn a_refused_batch_gives_its_sequence_numbers_to_the_next() {
        let mut c = cluster();
        c.create_topic("t", 1, &[("cleanup.policy", "compact")])
            .unwrap();
        let p = c.create_producer("p", &[("linger.ms", "0")]).unwrap();
        for record in [
            ProducerRecord::new("t").key(b"a").value(b"1"),
            ProducerRecord::new("t").value(b"no key"),
            ProducerRecord::new("t").key(b"b").value(b"2"),
        ] {
            c.produce(p, &record).unwrap();
            c.run_producer(p).unwrap();
        }
        let errors: Vec<Option<ErrorCode>> = reports(&mut c, p)
            .iter()
            .map(|d| d.error.as_ref().map(|e| e.code))
            .collect();
        assert_eq!(errors, vec![None, Some(ErrorCode::InvalidRecord), None]);
        assert_eq!(values(&c, "t", 0), ["1", "2"]);
    }

    #[test]
    fn a_lost_sequence_gives_an_idempotent_producer_a_new_epoch() {
        let mut c = cluster();
        c.set_brokers(2, None).unwrap();
        c.create_replicated_topic("t", 1, Some(2), &[]).unwrap();
        let part = |c: &Cluster| c.topic("t").unwrap().partitions()[0].clone();
        let leader = part(&c).leader;
        let follower = 3 - leader;
        let p = c
            .create_producer(
                "p",
                &[
                    ("linger.ms", "0"),
                    ("request.timeout.ms", "1000"),
                    ("delivery.timeout.ms", "1500"),
                ],
            )
            .unwrap();
        // The follower stops fetching: the leader holds `a` but cannot acknowledge it, and it
        // expires. The producer cannot know whether the broker kept it.
        c.isolate_broker(follower).unwrap();
        c.produce(p, &ProducerRecord::new("t").value(b"a")).unwrap();
        c.tick(3_000).unwrap();
        let failed = reports(&mut c, p);
        assert_eq!(failed.len(), 1);
        assert_eq!(
            failed[0].error.as_ref().unwrap().code,
            ErrorCode::RequestTimedOut
        );
        // The follower, still in the ISR, leads: `a` is gone with the old leader's log.
        c.heal_broker(follower).unwrap();
        c.stop_broker(leader).unwrap();
        assert_eq!(part(&c).leader, follower);
        // Epoch 0 would go on at sequence 1, a gap to a leader that never saw sequence 0
        // (`OUT_OF_ORDER_SEQUENCE_NUMBER` for good); epoch 1 starts at 0 (KIP-360).
        c.produce(p, &ProducerRecord::new("t").value(b"b")).unwrap();
        c.tick(1_000).unwrap();
        let delivered = reports(&mut c, p);
        assert_eq!(delivered.len(), 1);
        assert_eq!(delivered[0].error, None);
        assert_eq!(c.producer(p).unwrap().identity().1, 1);
        assert_eq!(values(&c, "t", 0), ["b"]);
    }

    #[test]
    fn configs_are_checked_like_the_java_client() {
        let bad = [
            (vec![("acks", "2")], "acks"),
            (
                vec![("enable.idempotence", "true"), ("acks", "1")],
                "Must set acks to all",
            ),
            (
                vec![
                    ("enable.idempotence", "true"),
                    ("max.in.flight.requests.per.connection", "6"),
                ],
                "at most 5",
            ),
            (vec![("linger.ms", "200000")], "delivery.timeout.ms"),
            (vec![("compression.type", "brotli")], "compression.type"),
            (
                vec![("bootstrap.servers", "x:9092")],
                "Unknown producer config name: bootstrap.servers",
            ),
        ];
        for (entries, why) in bad {
            let e = ProducerConfig::from_entries(entries.iter().copied()).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidConfig);
            assert!(e.message.contains(why), "{} lacks {why}", e.message);
        }
        let c = ProducerConfig::from_entries([("acks", "1")]).unwrap();
        assert!(
            !c.enable_idempotence,
            "the default idempotence yields to acks=1"
        );
        assert_eq!(
            c.entries().iter().find(|(k, _)| *k == "acks").unwrap().1,
            "1".to_string()
        );
    }

    #[test]
    fn oversized_records_are_refused_before_batching() {
        let mut c = cluster();
        c.create_topic("t", 1, &[]).unwrap();
        let p = c
            .create_producer("p", &[("max.request.size", "1000")])
            .unwrap();
        let e = c
            .produce(p, &ProducerRecord::new("t").value(&[0; 1000]))
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::RecordTooLarge);
        assert!(c.producer(p).unwrap().pending().is_empty());
    }
}
