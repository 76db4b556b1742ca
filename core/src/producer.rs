//! The producer: batching per partition, `linger.ms`, partitioners, retries, and
//! idempotence (producer id, epoch and per-partition sequence numbers).

use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use litemap::LiteMap;

use crate::compression::CompressionType;
use crate::config::{parse_bool, parse_u64, unknown_key};
use crate::consumer::TopicPartition;
use crate::error::{err, Error, ErrorCode, Result};
use crate::partitioner::Partitioner;
use crate::rand::Rng;
use crate::record::{
    decode_record, sequence_add, ProducerIdentity, ProducerRecord, RecordBatch, RecordBatchBuilder,
};
use crate::state_hash::StateHasher;
use crate::time::SimTime;
use crate::topic::{Topic, Topics};
use crate::txn::{ClientState, TxnClient};

/// `acks`: how many replicas must have a record before the producer counts it as sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Acks {
    /// `acks=0`: fire and forget; delivery reports carry offset -1.
    Zero,
    /// `acks=1`: the leader has it.
    Leader,
    /// `acks=all` (or -1): every in-sync replica has it.
    #[default]
    All,
}

impl Acks {
    /// Kafka's spelling.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Zero => "0",
            Self::Leader => "1",
            Self::All => "all",
        }
    }
}

/// Producer configs, by Kafka's keys, with the Java client's defaults (Kafka 4).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProducerConfig {
    /// `client.id`.
    pub client_id: String,
    /// `acks` (default all).
    pub acks: Acks,
    /// `batch.size` in bytes (default 16384).
    pub batch_size: u32,
    /// `linger.ms` (default 5, as in Kafka 4).
    pub linger_ms: u64,
    /// `compression.type` (default none).
    pub compression: CompressionType,
    /// `retries` (default 2147483647).
    pub retries: u32,
    /// `retry.backoff.ms` (default 100).
    pub retry_backoff_ms: u64,
    /// `delivery.timeout.ms` (default 120000).
    pub delivery_timeout_ms: u64,
    /// `request.timeout.ms` (default 30000).
    pub request_timeout_ms: u64,
    /// `enable.idempotence` (default true).
    pub enable_idempotence: bool,
    /// `max.in.flight.requests.per.connection` (default 5).
    pub max_in_flight: u32,
    /// `max.request.size` (default 1048576).
    pub max_request_size: u32,
    /// `partitioner` (default sticky: the Java client's built-in behaviour).
    pub partitioner: Partitioner,
    /// `transactional.id`: makes the producer transactional.
    pub transactional_id: Option<String>,
    /// `transaction.timeout.ms` (default 60000): the coordinator aborts a longer transaction.
    pub transaction_timeout_ms: u64,
}

impl Default for ProducerConfig {
    fn default() -> Self {
        Self {
            client_id: String::new(),
            acks: Acks::All,
            batch_size: 16_384,
            linger_ms: 5,
            compression: CompressionType::None,
            retries: i32::MAX as u32,
            retry_backoff_ms: 100,
            delivery_timeout_ms: 120_000,
            request_timeout_ms: 30_000,
            enable_idempotence: true,
            max_in_flight: 5,
            max_request_size: 1_048_576,
            partitioner: Partitioner::Sticky,
            transactional_id: None,
            transaction_timeout_ms: 60_000,
        }
    }
}

impl ProducerConfig {
    /// Defaults overridden by `entries`, checked as the Java client checks them.
    ///
    /// An explicit `enable.idempotence=true` that conflicts with `acks`, `retries` or
    /// `max.in.flight.requests.per.connection` is an error; the default one is dropped.
    pub fn from_entries<'a>(entries: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self> {
        let mut c = Self::default();
        let mut explicit_idempotence = false;
        for (key, v) in entries {
            match key {
                "client.id" => c.client_id = v.into(),
                "acks" => {
                    c.acks = match v.trim() {
                        "0" => Acks::Zero,
                        "1" => Acks::Leader,
                        "all" | "-1" => Acks::All,
                        _ => return Err(err!(InvalidConfig, "Invalid value {v} for configuration acks: String must be one of: all, -1, 0, 1")),
                    }
                }
                "batch.size" => c.batch_size = parse_u64(key, v, 0, i32::MAX as u64)? as u32,
                "linger.ms" => c.linger_ms = parse_u64(key, v, 0, i32::MAX as u64)?,
                "compression.type" => {
                    c.compression = CompressionType::parse(v.trim()).ok_or_else(|| {
                        err!(InvalidConfig, "Invalid value {v} for configuration compression.type: String must be one of: none, gzip, snappy, lz4, zstd")
                    })?
                }
                "retries" => c.retries = parse_u64(key, v, 0, i32::MAX as u64)? as u32,
                "retry.backoff.ms" => c.retry_backoff_ms = parse_u64(key, v, 0, i64::MAX as u64)?,
                "delivery.timeout.ms" => c.delivery_timeout_ms = parse_u64(key, v, 0, i32::MAX as u64)?,
                "request.timeout.ms" => c.request_timeout_ms = parse_u64(key, v, 0, i32::MAX as u64)?,
                "enable.idempotence" => {
                    c.enable_idempotence = parse_bool(key, v)?;
                    explicit_idempotence = true;
                }
                "max.in.flight.requests.per.connection" => c.max_in_flight = parse_u64(key, v, 1, i32::MAX as u64)? as u32,
                "max.request.size" => c.max_request_size = parse_u64(key, v, 0, i32::MAX as u64)? as u32,
                "partitioner" => c.partitioner = Partitioner::parse(v.trim())?,
                "transactional.id" => c.transactional_id = Some(v.trim().into()).filter(|t: &String| !t.is_empty()),
                "transaction.timeout.ms" => c.transaction_timeout_ms = parse_u64(key, v, 1, 900_000)?,
                _ => return Err(unknown_key("producer", key)),
            }
        }
        if c.transactional_id.is_some() {
            if explicit_idempotence && !c.enable_idempotence {
                return Err(err!(
                    InvalidConfig,
                    "Cannot set a transactional.id without also enabling idempotence."
                ));
            }
            // A transactional producer is idempotent: conflicts are errors, not downgrades.
            c.enable_idempotence = true;
            explicit_idempotence = true;
        }
        if c.enable_idempotence {
            let conflict = if c.acks != Acks::All {
                Some("Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.")
            } else if c.max_in_flight > 5 {
                Some("Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer.")
            } else if c.retries == 0 {
                Some("Must set retries to non-zero when using the idempotent producer.")
            } else {
                None
            };
            match conflict {
                Some(why) if explicit_idempotence => {
                    return Err(Error::new(ErrorCode::InvalidConfig, why))
                }
                Some(_) => c.enable_idempotence = false,
                None => {}
            }
        }
        if c.delivery_timeout_ms < c.linger_ms + c.request_timeout_ms {
            return Err(err!(
                InvalidConfig,
                "delivery.timeout.ms should be equal to or larger than linger.ms + request.timeout.ms"
            ));
        }
        Ok(c)
    }

    /// Every config as `(key, value)`, for describe output.
    pub fn entries(&self) -> Vec<(&'static str, String)> {
        use alloc::string::ToString;
        alloc::vec![
            ("acks", self.acks.name().into()),
            ("batch.size", self.batch_size.to_string()),
            ("client.id", self.client_id.clone()),
            ("compression.type", self.compression.name().into()),
            ("delivery.timeout.ms", self.delivery_timeout_ms.to_string()),
            ("enable.idempotence", self.enable_idempotence.to_string()),
            ("linger.ms", self.linger_ms.to_string()),
            (
                "max.in.flight.requests.per.connection",
                self.max_in_flight.to_string()
            ),
            ("max.request.size", self.max_request_size.to_string()),
            ("partitioner", self.partitioner.name().into()),
            ("request.timeout.ms", self.request_timeout_ms.to_string()),
            ("retries", self.retries.to_string()),
            ("retry.backoff.ms", self.retry_backoff_ms.to_string()),
            (
                "transaction.timeout.ms",
                self.transaction_timeout_ms.to_string()
            ),
            (
                "transactional.id",
                self.transactional_id.clone().unwrap_or_default()
            ),
        ]
    }
}

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
    sequences: BTreeMap<TopicPartition, (i16, i32)>,
    /// Partitions whose sequence is unresolved: a batch the broker may hold failed. New
    /// batches wait until the sent ones are done, then the epoch goes up (KIP-360).
    unresolved: BTreeSet<TopicPartition>,
    /// Per partition: the epoch and last sequence of the last acknowledged batch.
    acked: BTreeMap<TopicPartition, (i16, i32)>,
    open: BTreeMap<Arc<str>, BTreeMap<u32, OpenBatch>>,
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
            sequences: BTreeMap::new(),
            unresolved: BTreeSet::new(),
            acked: BTreeMap::new(),
            open: BTreeMap::new(),
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
        if let Some(b) = self
            .open
            .get_mut(record.topic)
            .and_then(|parts| parts.get_mut(&partition))
        {
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
            if let Some(full) = self
                .open
                .get_mut(record.topic)
                .and_then(|parts| parts.remove(&partition))
            {
                self.close_batch(topic_name.clone(), partition, full, now);
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
        self.open
            .entry(topic_name.clone())
            .or_default()
            .insert(partition, batch);
        self.next_id += 1;
        Ok(id)
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
            Partitioner::Sticky => match self.sticky.get(topic) {
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
    fn close_batch(&mut self, topic: Arc<str>, partition: u32, b: OpenBatch, now: SimTime) {
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

    /// Whether a batch of this partition is in the send queue.
    fn has_unfinished(&self, tp: &TopicPartition) -> bool {
        self.queue
            .iter()
            .any(|f| f.partition == tp.1 && f.topic == tp.0)
    }

    /// Whether this producer bumps its own epoch when a sequence is lost (an idempotent
    /// producer outside transactions; a transactional one gets its epoch from the
    /// coordinator).
    fn bumps_own_epoch(&self) -> bool {
        self.identity.producer_id >= 0 && self.config.transactional_id.is_none()
    }

    /// KIP-360: the producer moves to a new epoch, and the partition's waiting batches are
    /// numbered again from sequence 0 with it, so the broker starts the partition afresh
    /// (Java's `bumpIdempotentProducerEpoch` and `startSequencesAtBeginning`). Batches
    /// awaiting a response keep their epoch.
    fn bump_epoch_for(&mut self, tp: &TopicPartition) {
        self.identity.epoch = self.identity.epoch.wrapping_add(1).max(0);
        let epoch = self.identity.epoch;
        let mut next = 0;
        for f in self.queue.iter_mut().filter(|f| {
            f.partition == tp.1 && f.topic == tp.0 && matches!(f.stage, Stage::Queued { .. })
        }) {
            f.batch.producer.epoch = epoch;
            f.batch.producer.base_sequence = next;
            next = sequence_add(next, i64::from(f.batch.len()));
        }
        self.sequences.insert(tp.clone(), (epoch, next));
        self.unresolved.remove(tp);
    }

    /// An unresolved partition whose sent batches are all done gets a new epoch.
    fn resolve_sequences(&mut self) {
        let resolvable: Vec<TopicPartition> = self
            .unresolved
            .iter()
            .filter(|tp| {
                !self
                    .queue
                    .iter()
                    .any(|f| f.partition == tp.1 && f.topic == tp.0 && f.attempts > 0)
            })
            .cloned()
            .collect();
        for tp in resolvable {
            self.bump_epoch_for(&tp);
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
            .values()
            .flat_map(BTreeMap::values)
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

    /// Moves the producer to `now`: closes lingered batches, sends what it may, handles
    /// responses and timeouts. The broker side is `topics`; `gate` says which transactional
    /// batches may go.
    pub(crate) fn run(&mut self, topics: &mut Topics, now: SimTime, gate: TxnGate<'_>) {
        let linger = self.config.linger_ms;
        let flushing = core::mem::take(&mut self.flushing);
        let mut ready = Vec::new();
        for (topic, parts) in &mut self.open {
            let due: Vec<u32> = parts
                .iter()
                .filter(|(_, b)| flushing || now >= b.created_at + linger)
                .map(|(p, _)| *p)
                .collect();
            for p in due {
                if let Some(b) = parts.remove(&p) {
                    ready.push((topic.clone(), p, b));
                }
            }
        }
        self.open.retain(|_, parts| !parts.is_empty());
        for (topic, p, b) in ready {
            self.close_batch(topic, p, b, now);
        }
        self.complete_replicated(topics, now);
        self.expire_and_time_out(now);
        self.resolve_sequences();
        self.send_ready(topics, now, &gate);
    }

    /// Answers the `acks=all` requests whose records the ISR now holds, and fails those whose
    /// leader changed (`NOT_LEADER_OR_FOLLOWER`) or that waited `request.timeout.ms`.
    fn complete_replicated(&mut self, topics: &Topics, now: SimTime) {
        let mut i = 0;
        while i < self.queue.len() {
            let f = &self.queue[i];
            let Stage::AwaitingReplication {
                until,
                leader_epoch,
                base_offset,
                last_offset,
                log_append_time,
            } = f.stage
            else {
                i += 1;
                continue;
            };
            let topic = topics.get(&f.topic);
            let part = topic.and_then(|t| t.partitions.get(f.partition as usize));
            let outcome = match (topic, part) {
                (Some(t), Some(p)) if p.leader_epoch == leader_epoch => {
                    if p.log.high_watermark() > last_offset {
                        if (p.isr.len() as u32) < t.config.min_insync_replicas {
                            Some(Err(err!(NotEnoughReplicasAfterAppend, "Messages are written to the log, but to fewer in-sync replicas than required: ISR {:?}, min.insync.replicas={}", p.isr, t.config.min_insync_replicas)))
                        } else {
                            Some(Ok(()))
                        }
                    } else if now >= until {
                        Some(Err(err!(RequestTimedOut, "the leader of {}-{} did not get acks from the ISR within request.timeout.ms", f.topic, f.partition)))
                    } else {
                        None
                    }
                }
                _ => Some(Err(err!(
                    NotLeaderOrFollower,
                    "the leader of {}-{} changed before the ISR had the batch",
                    f.topic,
                    f.partition
                ))),
            };
            match outcome {
                None => i += 1,
                Some(Ok(())) => {
                    if let Some(f) = self.queue.remove(i) {
                        self.succeed(f, base_offset, log_append_time);
                    }
                }
                Some(Err(e)) => {
                    if !self.retry_or_fail(i, e, now) {
                        i += 1;
                    }
                }
            }
        }
    }

    /// A retriable error with retries and delivery time left queues the batch again after
    /// `retry.backoff.ms`; anything else fails it. Returns whether it left the queue.
    fn retry_or_fail(&mut self, i: usize, e: Error, now: SimTime) -> bool {
        let Some(f) = self.queue.get_mut(i) else {
            return false;
        };
        let expired = now - f.created_at >= self.config.delivery_timeout_ms;
        if is_retriable(e.code) && f.attempts <= self.config.retries && !expired {
            f.stage = Stage::Queued {
                not_before: now + self.config.retry_backoff_ms,
            };
            return false;
        }
        if let Some(f) = self.queue.remove(i) {
            self.fail(f, e);
        }
        true
    }

    fn expire_and_time_out(&mut self, now: SimTime) {
        let mut i = 0;
        while i < self.queue.len() {
            let f = &mut self.queue[i];
            let expired = now - f.created_at >= self.config.delivery_timeout_ms;
            let timed_out = matches!(f.stage, Stage::AwaitingResponse { until } if now >= until);
            if timed_out && f.attempts <= self.config.retries && !expired {
                f.stage = Stage::Queued {
                    not_before: now + self.config.retry_backoff_ms,
                };
            } else if timed_out || (expired && matches!(f.stage, Stage::Queued { .. })) {
                if let Some(f) = self.queue.remove(i) {
                    let e = err!(
                        RequestTimedOut,
                        "Expiring {} record(s) for {}-{}: {} ms has passed since batch creation",
                        f.records.len(),
                        f.topic,
                        f.partition,
                        now - f.created_at
                    );
                    self.fail(f, e);
                }
                continue;
            }
            i += 1;
        }
    }

    fn send_ready(&mut self, topics: &mut Topics, now: SimTime, gate: &TxnGate<'_>) {
        let mut awaiting = self
            .queue
            .iter()
            .filter(|f| !matches!(f.stage, Stage::Queued { .. }))
            .count() as u32;
        let bumps_own_epoch = self.bumps_own_epoch();
        // The broker spots retries among a producer's last five batches only: an idempotent
        // producer keeps at most five sent and unacknowledged per partition.
        let mut unacked: LiteMap<TopicPartition, usize> = LiteMap::new();
        if self.identity.producer_id >= 0 {
            for f in self.queue.iter().filter(|f| f.attempts > 0) {
                *unacked.entry((f.topic.clone(), f.partition)).or_default() += 1;
            }
        }
        let mut i = 0;
        while i < self.queue.len() {
            let f = &self.queue[i];
            let sendable = matches!(f.stage, Stage::Queued { not_before } if now >= not_before);
            let first_send = f.attempts == 0;
            let tp = (f.topic.clone(), f.partition);
            let held = (f.batch.transactional && !gate.allows(&f.topic, f.partition))
                || (first_send && self.unresolved.contains(&tp))
                || (first_send
                    && f.batch.producer.producer_id >= 0
                    && unacked.get(&tp).copied().unwrap_or(0) >= PRODUCER_BATCH_CACHE);
            if !sendable || held {
                i += 1;
                continue;
            }
            if awaiting >= self.config.max_in_flight {
                break;
            }
            if first_send && f.batch.producer.producer_id >= 0 {
                *unacked.entry(tp).or_default() += 1;
            }
            let f = &mut self.queue[i];
            f.attempts += 1;
            let acks_all = self.config.acks == Acks::All;
            let result = append_to_broker(topics, &f.topic, f.partition, &f.batch, acks_all, now);
            let report = |f: &InFlight, base_offset: i64, duplicate: bool, ack_lost: bool| {
                ProducerEvent::BatchSent(BatchReport {
                    topic: f.topic.clone(),
                    partition: f.partition,
                    base_offset,
                    records: f.batch.len(),
                    uncompressed_bytes: f.batch.uncompressed_bytes(),
                    size_in_bytes: f.batch.size_in_bytes(),
                    compression: f.batch.compression(),
                    attempt: f.attempts,
                    duplicate,
                    ack_lost,
                })
            };
            if self.config.acks == Acks::Zero {
                let base = result.as_ref().map_or(-1, |r| r.0.base_offset);
                self.events.push(report(f, base, false, false));
                if let Some(f) = self.queue.remove(i) {
                    self.succeed(f, -1, None);
                }
                continue;
            }
            if self.acks_to_lose > 0 {
                self.acks_to_lose -= 1;
                let base = result.as_ref().map_or(-1, |r| r.0.base_offset);
                self.events.push(report(f, base, false, true));
                f.stage = Stage::AwaitingResponse {
                    until: now + self.config.request_timeout_ms,
                };
                f.maybe_written = true;
                awaiting += 1;
                i += 1;
                continue;
            }
            match result {
                Ok((info, _)) if info.hw_reached || !acks_all => {
                    self.events
                        .push(report(f, info.base_offset, info.duplicate, false));
                    if let Some(f) = self.queue.remove(i) {
                        self.succeed(f, info.base_offset, info.log_append_time);
                    }
                }
                Ok((info, leader_epoch)) => {
                    self.events
                        .push(report(f, info.base_offset, info.duplicate, false));
                    f.maybe_written = true;
                    f.stage = Stage::AwaitingReplication {
                        until: now + self.config.request_timeout_ms,
                        leader_epoch,
                        base_offset: info.base_offset,
                        last_offset: info.last_offset,
                        log_append_time: info.log_append_time,
                    };
                    awaiting += 1;
                    i += 1;
                }
                Err(e)
                    if e.code == ErrorCode::OutOfOrderSequenceNumber
                        && bumps_own_epoch
                        && now - f.created_at < self.config.delivery_timeout_ms =>
                {
                    // KIP-360: retried; when it is the next batch after the last acknowledged
                    // one, the broker lost what came before, and a new epoch starts the
                    // partition afresh.
                    let tp = (f.topic.clone(), f.partition);
                    let next = self
                        .acked
                        .get(&tp)
                        .filter(|(epoch, _)| *epoch == f.batch.producer.epoch)
                        .map_or(0, |(_, last)| sequence_add(*last, 1));
                    let gap = f.batch.producer.base_sequence == next;
                    f.stage = Stage::Queued {
                        not_before: now + self.config.retry_backoff_ms,
                    };
                    if gap && !self.unresolved.contains(&tp) {
                        self.bump_epoch_for(&tp);
                    }
                    i += 1;
                }
                Err(e) => {
                    if !self.retry_or_fail(i, e, now) {
                        i += 1;
                    }
                }
            }
        }
    }

    fn succeed(&mut self, f: InFlight, base_offset: i64, log_append_time: Option<i64>) {
        let p = f.batch.producer;
        if p.producer_id >= 0 {
            let last = sequence_add(p.base_sequence, i64::from(f.batch.len()) - 1);
            self.acked
                .insert((f.topic.clone(), f.partition), (p.epoch, last));
        }
        self.events.reserve(f.records.len());
        for (i, (id, create_time)) in f.records.into_iter().enumerate() {
            let offset = if base_offset < 0 {
                -1
            } else {
                base_offset + i as i64
            };
            self.events.push(ProducerEvent::Delivered(DeliveryReport {
                id,
                topic: f.topic.clone(),
                partition: f.partition,
                offset,
                timestamp: log_append_time.unwrap_or(create_time),
                error: None,
            }));
        }
    }

    /// Fails a batch's records. When the broker surely does not hold the batch, later
    /// batches of its partition take over its sequence numbers, as the Java client's
    /// `TransactionManager.adjustSequencesDueToFailedBatch` does; otherwise every later
    /// batch would be refused with `OUT_OF_ORDER_SEQUENCE_NUMBER`.
    fn fail(&mut self, f: InFlight, e: Error) {
        if f.batch.transactional && self.txn.state == ClientState::InTransaction {
            self.txn.error.get_or_insert_with(|| e.clone());
            // A batch the broker may or may not hold (an abort fails those too), or a
            // missing sequence, leaves the partition's sequence in doubt. A fenced producer
            // gets no new epoch.
            self.txn.epoch_bump_needed |= e.code != ErrorCode::ProducerFenced
                && (f.maybe_written || e.code == ErrorCode::OutOfOrderSequenceNumber);
        }
        let p = f.batch.producer;
        let key = (f.topic.clone(), f.partition);
        if p.producer_id >= 0 && !f.maybe_written {
            let n = i64::from(f.batch.len());
            if let Some((epoch, seq)) = self.sequences.get_mut(&key) {
                if *epoch == p.epoch {
                    *seq = sequence_add(*seq, -n);
                }
            }
            for later in self.queue.iter_mut().filter(|g| {
                g.topic == f.topic
                    && g.partition == f.partition
                    && g.batch.producer.epoch == p.epoch
            }) {
                if later.batch.producer.base_sequence > p.base_sequence {
                    later.batch.producer.base_sequence =
                        sequence_add(later.batch.producer.base_sequence, -n);
                }
            }
        } else if f.maybe_written && self.bumps_own_epoch() {
            // The broker may hold it or not: the partition's sequence is unresolved.
            self.unresolved.insert(key);
        }
        for (id, _) in f.records {
            self.events.push(ProducerEvent::Delivered(failed(
                id,
                &f.topic,
                f.partition,
                e.clone(),
            )));
        }
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

/// How many recent batches per producer and partition the broker remembers to spot retries
/// (Kafka's `NUM_BATCHES_TO_RETAIN`).
const PRODUCER_BATCH_CACHE: usize = 5;

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

/// Which transactional batches the sender may send: the coordinator's side of
/// AddPartitionsToTxn.
#[derive(Clone, Copy, Debug)]
pub(crate) enum TxnGate<'a> {
    /// Not transactional: every batch.
    Open,
    /// The partitions the producer's transaction added; `None` while it has added none (a
    /// coordinator away or still ending the last transaction adds none).
    Added(Option<&'a BTreeSet<TopicPartition>>),
}

impl TxnGate<'_> {
    fn allows(&self, topic: &Arc<str>, partition: u32) -> bool {
        match self {
            Self::Open => true,
            Self::Added(added) => added.is_some_and(|a| a.contains(&(topic.clone(), partition))),
        }
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

/// What the leader answered to an append.
struct Appended {
    base_offset: i64,
    last_offset: i64,
    log_append_time: Option<i64>,
    duplicate: bool,
    /// The high watermark is already past the batch (the ISR is the leader alone, or the
    /// retried batch was replicated before).
    hw_reached: bool,
}

/// The broker's side of a produce request: the leader checks it leads and, for `acks=all`,
/// that the ISR is large enough; it appends and advances its high watermark. Returns what it
/// appended and its leader epoch.
fn append_to_broker(
    topics: &mut Topics,
    topic: &str,
    partition: u32,
    batch: &RecordBatch,
    acks_all: bool,
    now: SimTime,
) -> Result<(Appended, i32)> {
    let t = topics.get_mut(topic).ok_or_else(|| {
        err!(
            UnknownTopicOrPartition,
            "This server does not host this topic-partition: {topic}-{partition}"
        )
    })?;
    if t.config.cleanup_policy.compact && has_null_key(batch) {
        return Err(err!(InvalidRecord, "Compacted topic cannot accept message without key in topic partition {topic}-{partition}."));
    }
    let Topic {
        config, partitions, ..
    } = t;
    let p = partitions
        .get_mut(partition as usize)
        .ok_or_else(|| crate::topic::unknown_partition(topic, partition))?;
    p.check_produce(topic, acks_all, config)?;
    let info = p.log.append(batch, config, now)?;
    p.advance_high_watermark();
    let appended = Appended {
        base_offset: info.base_offset,
        last_offset: info.last_offset,
        log_append_time: info.log_append_time,
        duplicate: info.duplicate,
        hw_reached: p.log.high_watermark() > info.last_offset,
    };
    Ok((appended, p.leader_epoch))
}

fn has_null_key(batch: &RecordBatch) -> bool {
    let bytes = batch.records_bytes();
    let mut pos = 0;
    while let Some((raw, next)) = decode_record(bytes, pos) {
        if raw.key.is_none() {
            return true;
        }
        pos = next;
    }
    false
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

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
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
