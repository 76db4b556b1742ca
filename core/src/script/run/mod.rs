//! Running a script: each command applied to a [`Cluster`], with its observable output.

use alloc::borrow::Cow;
use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use litemap::LiteMap;

use serde_json::{Map, Value as Json};

mod connect;
mod json;
mod output;

use json::{obj, IntoJson};

pub use connect::{ConnectorStatus, TaskStatus};
pub use output::{Output, OutputKind};

use super::datagen::Source;
use super::{
    BrokerAction, Command, DescribeTarget, PartitionRef, Template, TxnAction, MAX_GENERATE,
    MAX_PLAY_POLLS, MAX_PLAY_STEPS,
};
use crate::cluster::{
    Cluster, ClusterConfig, ClusterEvent, ConsumerHandle, CoordinatorKind, ProducerHandle,
};
use crate::consumer::{Consumer, RebalanceEvent, SeekTo};
use crate::error::{err, Error};
use crate::partition::ReplicaChange;
use crate::producer::{Producer, ProducerEvent};
use crate::rand::Rng;
use crate::record::{Header, Message, ProducerRecord};
use crate::registry::serdes::Serdes;
use crate::registry::{topic_subject, wire, SchemaRegistry};
use crate::time::SimTime;
use crate::txn::InitTransactions;

/// A command that failed, with Kafka's error.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// What Kafka reports.
    pub error: Error,
    /// Whether the command changed state before it failed (a `generate` stopped by a full
    /// buffer, a `txn commit` that timed out after its flush). One that did not was refused:
    /// the state is as it was.
    pub took_effect: bool,
    /// Its outputs: the command's own (with the error) first, then what it caused.
    pub outputs: Vec<Output>,
}

impl Failure {
    /// A command refused before it ran.
    pub(super) fn refused(line: usize, command: &Command, error: Error) -> Self {
        let status = obj!({ "command": command.to_string(), "error": error_json(&error) });
        Self {
            error,
            took_effect: false,
            outputs: alloc::vec![Output::new(line, OutputKind::Command, status)],
        }
    }
}

/// Why `execute` stopped: the error, and whether state had changed by then.
struct Stop {
    error: Error,
    took_effect: bool,
}

impl From<Error> for Stop {
    fn from(error: Error) -> Self {
        Self {
            error,
            took_effect: false,
        }
    }
}

impl Stop {
    /// An error raised after the command had already changed state.
    fn after_effects(error: Error) -> Self {
        Self {
            error,
            took_effect: true,
        }
    }
}

/// A record's key and value as a deserializer read them: schema id and JSON text.
type Decoded = [Option<(u32, String)>; 2];

#[derive(Clone, Copy, Debug)]
enum Client {
    Producer(ProducerHandle),
    Consumer(ConsumerHandle),
}

/// Applies commands to a fresh cluster, one at a time, and reports what each did.
///
/// An error in one command is reported as that command's output and changes nothing else;
/// the run goes on.
#[derive(Clone, Debug)]
pub struct Runner {
    config: ClusterConfig,
    cluster: Cluster,
    started: bool,
    clients: BTreeMap<String, Client>,
    /// Per producer, id ranges that came from `generate`: reported as one summary.
    bulk: LiteMap<String, Vec<(u64, u64)>>,
    /// Datagen sources by name.
    sources: LiteMap<String, Source>,
    /// At most this many `record` outputs per poll (the last ones); `None`: all.
    records_per_poll: Option<usize>,
    rng: Rng,
    /// The schema registry.
    registry: SchemaRegistry,
    /// Clients' serializer and deserializer configs, by client name.
    serdes: LiteMap<String, Serdes>,
    /// Kafka Connect connectors by name.
    connectors: LiteMap<String, connect::Connector>,
}

impl Default for Runner {
    fn default() -> Self {
        Self::new()
    }
}

impl Runner {
    /// A runner over a fresh cluster with seed 0.
    pub fn new() -> Self {
        let config = ClusterConfig::default();
        Self {
            cluster: Cluster::new(config.clone()),
            config,
            started: false,
            clients: BTreeMap::new(),
            bulk: LiteMap::new(),
            sources: LiteMap::new(),
            records_per_poll: None,
            rng: Rng::new(0),
            registry: SchemaRegistry::default(),
            serdes: LiteMap::new(),
            connectors: LiteMap::new(),
        }
    }

    /// Reports at most the last `n` records of each poll (a view that shows only the
    /// latest records need not pay for the rest); a poll that returns more also reports a
    /// `polled` output with its count. The cluster's state is the same either way.
    pub fn limit_records_per_poll(&mut self, n: Option<usize>) {
        self.records_per_poll = n;
    }

    /// The records `generate` would render next from these templates, without drawing
    /// from the runner's randomness.
    pub fn preview(
        &self,
        key: Option<&Template>,
        value: Option<&Template>,
        count: u64,
    ) -> Vec<(Option<String>, Option<String>)> {
        let mut rng = self.rng.clone();
        let (mut k, mut v) = (String::new(), String::new());
        (0..count)
            .map(|i| {
                let key = key.map(|t| {
                    t.render(i, &mut rng, &mut k);
                    k.clone()
                });
                let value = value.map(|t| {
                    t.render(i, &mut rng, &mut v);
                    v.clone()
                });
                (key, value)
            })
            .collect()
    }

    /// The simulated cluster.
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// The schema registry.
    pub fn registry(&self) -> &SchemaRegistry {
        &self.registry
    }

    /// A client's serializer or deserializer configs (none: bytes as given).
    pub fn serdes(&self, client: &str) -> Serdes {
        self.serdes.get(client).copied().unwrap_or_default()
    }

    /// Runs a transaction call; returns why `initTransactions()` waits, if it does.
    fn transaction(
        &mut self,
        h: ProducerHandle,
        action: TxnAction,
    ) -> Result<Option<String>, Error> {
        match action {
            TxnAction::Init => {
                if let InitTransactions::AwaitingAbort { partitions } =
                    self.cluster.init_transactions(h)?
                {
                    let on: Vec<String> = partitions
                        .iter()
                        .map(|(t, p)| alloc::format!("{t}-{p}"))
                        .collect();
                    return Ok(Some(alloc::format!(
                        "initTransactions() waits (INITIALIZING): the coordinator is aborting the open transaction of this transactional.id, and its ABORT markers on {} are not yet replicated; move the clock",
                        on.join(", ")
                    )));
                }
            }
            TxnAction::Begin => self.cluster.begin_transaction(h)?,
            TxnAction::Commit => self.cluster.commit_transaction(h)?,
            TxnAction::Abort => self.cluster.abort_transaction(h)?,
        }
        Ok(None)
    }

    /// Queues `count` records rendered from the templates; `sent` gets the first and last
    /// ids queued, also when a record is refused partway.
    #[allow(clippy::too_many_arguments)]
    fn generate(
        &mut self,
        h: ProducerHandle,
        producer: &str,
        topic: &str,
        count: u64,
        key: &Option<super::Template>,
        value: &Option<super::Template>,
        partition: Option<u32>,
        sent: &mut Option<(u64, u64)>,
    ) -> Result<(), Error> {
        let serdes = self.serdes(producer);
        let (mut k, mut v) = (String::new(), String::new());
        for i in 0..count {
            if let Some(t) = key {
                t.render(i, &mut self.rng, &mut k);
            }
            if let Some(t) = value {
                t.render(i, &mut self.rng, &mut v);
            }
            let record = ProducerRecord {
                topic,
                partition,
                key: key.as_ref().map(|_| k.as_bytes()),
                value: value.as_ref().map(|_| v.as_bytes()),
                headers: &[],
                timestamp: None,
            };
            let id = self.send(h, serdes, &record)?;
            let first = sent.map_or(id, |(first, _)| first);
            *sent = Some((first, id));
        }
        Ok(())
    }

    /// `send()`: the record's key and value through the producer's serializers, then into
    /// its accumulator. The one way records are sent: `produce`, `generate`, datagen sources
    /// and Connect's source tasks (whose converter has already written the bytes, so their
    /// producers' serializers are byte arrays, [`Serdes::default`]).
    fn send(
        &mut self,
        h: ProducerHandle,
        serdes: Serdes,
        record: &ProducerRecord<'_>,
    ) -> Result<u64, Error> {
        let key = self.serialize(serdes, record.topic, true, record.key)?;
        let value = self.serialize(serdes, record.topic, false, record.value)?;
        let serialized = ProducerRecord {
            key: key.as_deref(),
            value: value.as_deref(),
            ..*record
        };
        self.cluster.produce(h, &serialized)
    }

    /// `serialize()` for one part of a record: through the JSON Schema serializer when the
    /// producer has one for it, else the bytes as written.
    fn serialize<'b>(
        &self,
        serdes: Serdes,
        topic: &str,
        is_key: bool,
        bytes: Option<&'b [u8]>,
    ) -> Result<Option<Cow<'b, [u8]>>, Error> {
        match (bytes, if is_key { serdes.key } else { serdes.value }) {
            (Some(b), true) => {
                let text = core::str::from_utf8(b).map_err(|_| {
                    err!(
                        SerializationException,
                        "Error serializing JSON message: the bytes are not UTF-8"
                    )
                })?;
                let subject = topic_subject(topic, is_key);
                wire::serialize(
                    &self.registry,
                    &subject,
                    serdes.schema_id,
                    text,
                    serdes.validate,
                )
                .map(|b| Some(Cow::Owned(b)))
            }
            (bytes, _) => Ok(bytes.map(Cow::Borrowed)),
        }
    }

    /// The names of the live clients and whether each is a producer.
    pub fn clients(&self) -> impl Iterator<Item = (&str, bool)> {
        self.clients
            .iter()
            .map(|(n, c)| (n.as_str(), matches!(c, Client::Producer(_))))
    }

    /// A producer's handle by name.
    pub fn producer(&self, name: &str) -> Option<ProducerHandle> {
        match self.clients.get(name) {
            Some(Client::Producer(h)) => Some(*h),
            _ => None,
        }
    }

    /// A consumer's handle by name.
    pub fn consumer(&self, name: &str) -> Option<ConsumerHandle> {
        match self.clients.get(name) {
            Some(Client::Consumer(h)) => Some(*h),
            _ => None,
        }
    }

    /// Applies one command; returns its outputs: first the command's own result, then
    /// what happened because of it (deliveries, records, retention, …).
    ///
    /// A refused command changes nothing: no clock step, no drained event, and its
    /// [`Failure`] says it took no effect.
    pub fn apply(&mut self, line: usize, command: &Command) -> Result<Vec<Output>, Failure> {
        let mut out = Vec::new();
        let result = self.execute(line, command, &mut out);
        let mut status = obj!({ "command": command.to_string() });
        let failure = match result {
            Ok(warnings) => {
                if !warnings.is_empty() {
                    status["warnings"] = warnings.into_json();
                }
                None
            }
            Err(Stop { error, took_effect }) => {
                status["error"] = error_json(&error);
                Some((error, took_effect))
            }
        };
        out.insert(0, Output::new(line, OutputKind::Command, status));
        let took_effect = failure.as_ref().is_none_or(|(_, took)| *took);
        if took_effect {
            self.started |= !matches!(command, Command::Seed(_) | Command::Broker(_));
            let now = self.cluster.now();
            // A zero-length step runs no periodic broker work, so it is always within the bound.
            let _ = self.cluster.advance_to(now);
            self.drain(line, &mut out);
        }
        match failure {
            None => Ok(out),
            Some((error, took_effect)) => Err(Failure {
                error,
                took_effect,
                outputs: out,
            }),
        }
    }

    fn producer_handle(&self, name: &str) -> Result<ProducerHandle, Error> {
        self.producer(name)
            .ok_or_else(|| err!(InvalidRequest, "there is no producer named {name}"))
    }

    fn consumer_handle(&self, name: &str) -> Result<ConsumerHandle, Error> {
        self.consumer(name)
            .ok_or_else(|| err!(InvalidRequest, "there is no consumer named {name}"))
    }

    fn free_name(&self, name: &str) -> Result<(), Error> {
        let live = match self.clients.get(name) {
            Some(Client::Producer(h)) => self.cluster.producer(*h).is_ok(),
            Some(Client::Consumer(h)) => self.cluster.consumer(*h).is_ok(),
            None => false,
        };
        if live {
            return Err(err!(
                InvalidRequest,
                "a client named {name} is running; close or crash it first"
            ));
        }
        Ok(())
    }

    fn execute(
        &mut self,
        line: usize,
        command: &Command,
        out: &mut Vec<Output>,
    ) -> Result<Vec<String>, Stop> {
        let header = matches!(command, Command::Seed(_) | Command::Broker(_));
        if header && self.started {
            return Err(err!(
                InvalidRequest,
                "`seed` and `broker` must come before every other command"
            )
            .into());
        }
        let c = &mut self.cluster;
        match command {
            Command::Seed(seed) => {
                self.config.seed = *seed;
                self.rng = Rng::new(seed ^ 0x5EED_7E57_0000_0001);
                self.cluster = Cluster::new(self.config.clone());
            }
            Command::Broker(configs) => {
                let mut config = self.config.clone();
                for (k, v) in configs {
                    config.set(k, v)?;
                }
                self.config = config;
                self.cluster = Cluster::new(self.config.clone());
            }
            Command::Brokers { count, racks } => {
                let racks: Option<Vec<&str>> = racks
                    .as_ref()
                    .map(|r| r.iter().map(String::as_str).collect());
                c.set_brokers(*count, racks.as_deref())?
            }
            Command::BrokerChange { broker, action } => match action {
                BrokerAction::Stop => c.stop_broker(*broker)?,
                BrokerAction::Start => c.start_broker(*broker)?,
                BrokerAction::Isolate => c.isolate_broker(*broker)?,
                BrokerAction::Heal => c.heal_broker(*broker)?,
            },
            Command::CreateTopic {
                name,
                partitions,
                replication_factor,
                configs,
            } => {
                return Ok(c.create_replicated_topic(
                    name,
                    *partitions,
                    *replication_factor,
                    &pairs(configs),
                )?);
            }
            Command::DeleteTopic(name) => c.delete_topic(name)?,
            Command::AddPartitions { name, total } => c.add_partitions(name, *total)?,
            Command::AlterTopic { name, configs } => {
                c.alter_topic_configs(name, &pairs(configs))?
            }
            Command::DeleteRecords {
                partition: (t, p),
                before,
            } => {
                let low = c.delete_records(t, *p, *before)?;
                out.push(Output::new(
                    line,
                    OutputKind::LowWatermark,
                    obj!({ "topic": t, "partition": p, "offset": low }),
                ));
            }
            Command::Producer { name, configs } => {
                self.free_name(name)?;
                let (serdes, configs) = Serdes::split(configs, true)?;
                let h = self.cluster.create_producer(name, &pairs(&configs))?;
                self.clients.insert(name.clone(), Client::Producer(h));
                self.serdes.insert(name.clone(), serdes);
                self.bulk.remove(name);
            }
            Command::Consumer { name, configs } => {
                self.free_name(name)?;
                let (serdes, configs) = Serdes::split(configs, false)?;
                let h = self.cluster.create_consumer(name, &pairs(&configs))?;
                self.clients.insert(name.clone(), Client::Consumer(h));
                self.serdes.insert(name.clone(), serdes);
            }
            Command::Produce {
                producer,
                topic,
                key,
                value,
                partition,
                timestamp,
                headers,
            } => {
                let h = self.producer_handle(producer)?;
                let (key, value) = (
                    key.as_ref().and_then(super::Value::bytes),
                    value.as_ref().and_then(super::Value::bytes),
                );
                let headers: Vec<Header> = headers
                    .iter()
                    .map(|(k, v)| Header {
                        key: k.clone(),
                        value: v.bytes(),
                    })
                    .collect();
                let record = ProducerRecord {
                    topic,
                    partition: *partition,
                    key: key.as_deref(),
                    value: value.as_deref(),
                    headers: &headers,
                    timestamp: *timestamp,
                };
                let id = self.send(h, self.serdes(producer), &record)?;
                out.push(Output::new(
                    line,
                    OutputKind::Queued,
                    obj!({ "producer": producer, "id": id }),
                ));
            }
            Command::Generate {
                producer,
                topic,
                count,
                key,
                value,
                partition,
            } => {
                let h = self.producer_handle(producer)?;
                if *count > MAX_GENERATE {
                    return Err(err!(
                        PolicyViolation,
                        "count {count} is over the limit of {MAX_GENERATE} records per generate"
                    )
                    .into());
                }
                let (mut sent, rng) = (None, self.rng.clone());
                let result = self.generate(
                    h, producer, topic, *count, key, value, *partition, &mut sent,
                );
                if let Some(ids) = sent {
                    self.bulk.entry(producer.clone()).or_default().push(ids);
                }
                // The records queued before one was refused stay queued, as after Java's
                // send() loop threw.
                if let Err(e) = result {
                    if sent.is_some() {
                        return Err(Stop::after_effects(e));
                    }
                    // Nothing was queued: the templates' random draws are undone too.
                    self.rng = rng;
                    return Err(e.into());
                }
            }
            Command::Flush(p) => {
                let h = self.producer_handle(p)?;
                self.cluster.flush(h)?;
            }
            Command::Subscribe { consumer, topics } => {
                let h = self.consumer_handle(consumer)?;
                let topics: Vec<&str> = topics.iter().map(String::as_str).collect();
                self.cluster.subscribe(h, &topics)?;
            }
            Command::SubscribePattern { consumer, pattern } => {
                let h = self.consumer_handle(consumer)?;
                #[cfg(feature = "std")]
                self.cluster.subscribe_pattern(h, pattern)?;
                #[cfg(not(feature = "std"))]
                return Err(err!(InvalidRequest, "subscribe {consumer} pattern={pattern}: pattern subscriptions need logplay-core's `std` feature ({h:?})").into());
            }
            Command::Unsubscribe(consumer) => {
                let h = self.consumer_handle(consumer)?;
                self.cluster.unsubscribe(h)?;
            }
            Command::Assign {
                consumer,
                partitions,
            } => {
                let h = self.consumer_handle(consumer)?;
                self.cluster.assign(h, &refs(partitions))?;
            }
            Command::Poll(name) => {
                let h = self.consumer_handle(name)?;
                self.cluster.consumer(h)?.check_pollable()?;
                // Past that check, poll() has looked up its coordinator and taken part in
                // its group before it throws (NoOffsetForPartitionException, …).
                self.poll_into(line, name, h, out)
                    .map_err(Stop::after_effects)?;
            }
            Command::Seek {
                consumer,
                partition: (t, p),
                to,
            } => {
                let h = self.consumer_handle(consumer)?;
                self.cluster.seek(h, t, *p, *to)?;
            }
            Command::Commit {
                consumer,
                offsets,
                asynchronous,
            } => {
                let h = self.consumer_handle(consumer)?;
                let explicit: Vec<(&str, u32, i64)> = offsets
                    .iter()
                    .map(|((t, p), o)| (t.as_str(), *p, *o))
                    .collect();
                let result = self
                    .cluster
                    .commit(h, (!offsets.is_empty()).then_some(explicit.as_slice()));
                let done = match result {
                    // commitAsync(): the callback gets the exception; the call returned.
                    Err(e) if *asynchronous => {
                        out.push(Output::new(
                            line,
                            OutputKind::CommitCallback,
                            obj!({ "consumer": consumer, "error": error_json(&e) }),
                        ));
                        Vec::new()
                    }
                    result => result?,
                };
                for ((t, p), o) in done {
                    out.push(Output::new(
                        line,
                        OutputKind::Committed,
                        obj!({ "consumer": consumer, "topic": &*t, "partition": p, "offset": o }),
                    ));
                }
            }
            Command::Pause {
                consumer,
                partitions,
            }
            | Command::Resume {
                consumer,
                partitions,
            } => {
                let h = self.consumer_handle(consumer)?;
                let pause = matches!(command, Command::Pause { .. });
                for (i, (t, p)) in partitions.iter().enumerate() {
                    let result = if pause {
                        self.cluster.pause(h, t, *p)
                    } else {
                        self.cluster.resume(h, t, *p)
                    };
                    // Java's pause(partitions) throws at the first unassigned partition,
                    // after pausing those before it.
                    result.map_err(|e| match i {
                        0 => Stop::from(e),
                        _ => Stop::after_effects(e),
                    })?;
                }
            }
            Command::Close(name) => match self.clients.get(name) {
                Some(Client::Producer(h)) => {
                    let events = self.cluster.close_producer(*h)?;
                    self.report_producer(line, name, events, out);
                }
                Some(Client::Consumer(h)) => self.cluster.close_consumer(*h)?,
                None => return Err(err!(InvalidRequest, "there is no client named {name}").into()),
            },
            Command::ResetOffsets {
                group,
                topic,
                partition,
                to,
            } => {
                for ((t, p), offset) in self.cluster.reset_offsets(group, topic, *partition, *to)? {
                    out.push(Output::new(
                        line,
                        OutputKind::Committed,
                        obj!({ "group": group, "topic": &*t, "partition": p, "offset": offset }),
                    ));
                }
            }
            Command::DeleteGroup(group) => {
                let deleted = self.cluster.delete_group(group)?;
                out.push(Output::new(
                    line,
                    OutputKind::OffsetsDeleted,
                    obj!({ "group": group, "partitions": deleted }),
                ));
            }
            Command::DeleteOffsets { group, topic } => {
                let deleted = self.cluster.delete_offsets(group, topic)?;
                out.push(Output::new(
                    line,
                    OutputKind::OffsetsDeleted,
                    obj!({ "group": group, "topic": topic, "partitions": deleted }),
                ));
            }
            Command::Tick(ms) => {
                self.cluster.tick(*ms)?;
                out.push(Output::new(
                    line,
                    OutputKind::Clock,
                    obj!({ "now": self.cluster.now().0 }),
                ));
            }
            Command::LoseAcks { producer, count } => {
                let h = self.producer_handle(producer)?;
                self.cluster.lose_acks(h, *count)?;
            }
            Command::Crash(name) => match self.clients.get(name).copied() {
                Some(Client::Producer(h)) => self.cluster.crash_producer(h)?,
                Some(Client::Consumer(h)) => self.cluster.crash_consumer(h)?,
                None if self.crash_connector(name)? => {}
                None => {
                    return Err(err!(
                        InvalidRequest,
                        "there is no client or connector named {name}"
                    )
                    .into())
                }
            },
            Command::Describe(target) => out.push(Output::new(
                line,
                OutputKind::Describe,
                self.describe(target)?,
            )),
            Command::DatagenStart {
                name,
                producer,
                topic,
                rate,
                key,
                value,
                partition,
            } => {
                self.producer_handle(producer)?;
                let partitions = self.cluster.topic(topic)?.partitions().len();
                if partition.is_some_and(|p| p as usize >= partitions) {
                    return Err(err!(
                        UnknownTopicOrPartition,
                        "{topic} has {partitions} partitions"
                    )
                    .into());
                }
                if self.sources.contains_key(name) {
                    return Err(err!(
                        InvalidRequest,
                        "a datagen source named {name} is running; stop it first"
                    )
                    .into());
                }
                let source = Source::new(
                    producer.clone(),
                    topic.clone(),
                    *rate,
                    key.clone(),
                    value.clone(),
                    *partition,
                    self.cluster.now(),
                );
                self.sources.insert(name.clone(), source);
            }
            Command::DatagenStop(name) => {
                if self.sources.remove(name).is_none() {
                    return Err(
                        err!(InvalidRequest, "there is no datagen source named {name}").into(),
                    );
                }
            }
            Command::Play { duration, step } => self.play(line, *duration, *step, out)?,
            Command::SchemaRegister { subject, schema } => {
                let r = self.registry.register(subject, schema)?;
                out.push(Output::new(
                    line,
                    OutputKind::Schema,
                    obj!({ "subject": subject, "id": r.id, "version": r.version, "new": r.new }),
                ));
            }
            Command::SchemaCheck { subject, schema } => {
                let reasons = self.registry.test_compatibility(subject, schema)?;
                out.push(Output::new(
                    line,
                    OutputKind::Compatibility,
                    obj!({ "subject": subject, "level": self.registry.effective_compatibility(subject).name(),
                            "is_compatible": reasons.is_empty(), "messages": reasons }),
                ));
            }
            Command::SchemaCompatibility { subject, level } => {
                self.registry.set_compatibility(subject.as_deref(), *level)
            }
            Command::SchemaDelete(subject) => {
                let versions = self.registry.delete_subject(subject)?;
                out.push(Output::new(
                    line,
                    OutputKind::SchemaDeleted,
                    obj!({ "subject": subject, "versions": versions }),
                ));
            }
            Command::ConnectorCreate { name, configs } => {
                self.create_connector(line, name, configs, out)?
            }
            Command::ConnectorChange { name, action } => self.change_connector(name, *action)?,
            Command::Transaction { producer, action } => {
                let h = self.producer_handle(producer)?;
                let state = |r: &Self| r.cluster.producer(h).ok()?.transaction_state();
                let before = state(self);
                let flushes = *action == TxnAction::Commit && self.cluster.commit_would_flush(h);
                match self.transaction(h, *action) {
                    Ok(Some(waits)) => return Ok(alloc::vec![waits]),
                    Ok(None) => {}
                    // A commit that flushed and then timed out, or a client fenced by the
                    // coordinator's answer, has changed state.
                    Err(e) if flushes || state(self) != before => {
                        return Err(Stop::after_effects(e))
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            Command::SendOffsets { producer, consumer } => {
                let (p, c) = (
                    self.producer_handle(producer)?,
                    self.consumer_handle(consumer)?,
                );
                for ((t, part), offset) in self.cluster.send_offsets_to_transaction(p, c)? {
                    out.push(Output::new(
                        line,
                        OutputKind::OffsetsInTransaction,
                        obj!({ "producer": producer, "topic": &*t, "partition": part, "offset": offset }),
                    ));
                }
            }
        }
        Ok(Vec::new())
    }

    /// `poll`: rebalance callbacks first (they run inside poll()), then the records.
    fn poll_into(
        &mut self,
        line: usize,
        name: &str,
        h: ConsumerHandle,
        out: &mut Vec<Output>,
    ) -> Result<(), Error> {
        let messages = self.cluster.poll(h)?;
        self.rebalance_outputs(line, name, h, out);
        let serdes = self.serdes(name);
        let polled = if serdes.any() {
            match self.deserialize_polled(h, &serdes, messages)? {
                Ok(polled) => polled,
                // poll() threw; the command did its work (the group, the fetch) and the
                // application got the exception, as a `poll` output.
                Err(e) => {
                    out.push(Output::new(
                        line,
                        OutputKind::Poll,
                        obj!({ "consumer": name, "error": error_json(&e) }),
                    ));
                    return Ok(());
                }
            }
        } else {
            messages.into_iter().map(|m| (m, [None, None])).collect()
        };
        let shown = self.records_per_poll.unwrap_or(usize::MAX);
        if polled.len() > shown {
            out.push(Output::new(
                line,
                OutputKind::Polled,
                obj!({ "consumer": name, "records": polled.len(), "shown": shown }),
            ));
        }
        for (m, decoded) in &polled[polled.len().saturating_sub(shown)..] {
            let mut record = message_json(name, m);
            for (field, part) in ["key", "value"].into_iter().zip(decoded) {
                if let Some((id, text)) = part {
                    record[field] = text.into_json();
                    record[alloc::format!("{field}_schema_id")] = id.into_json();
                }
            }
            out.push(Output::new(line, OutputKind::Record, record));
        }
        Ok(())
    }

    /// `deserialize()` over a poll's records, as the Java consumer does it: a record that
    /// does not deserialize stops its partition there, the position staying at it. When it
    /// is the first record of its partition in this poll, `poll()` throws
    /// `RECORD_DESERIALIZATION_EXCEPTION` (the inner `Err`) and every partition goes back to
    /// where the poll started; otherwise the records before it are returned and the next
    /// poll throws.
    fn deserialize_polled(
        &mut self,
        h: ConsumerHandle,
        serdes: &Serdes,
        messages: Vec<Message>,
    ) -> Result<Result<Vec<(Message, Decoded)>, Error>, Error> {
        let mut first: BTreeMap<(String, u32), i64> = BTreeMap::new();
        let mut stopped: BTreeMap<(String, u32), i64> = BTreeMap::new();
        let mut failure = None;
        let mut kept = Vec::with_capacity(messages.len());
        for m in messages {
            let tp = (m.topic().to_string(), m.partition());
            let head = *first.entry(tp.clone()).or_insert(m.offset()) == m.offset();
            if stopped.contains_key(&tp) {
                continue;
            }
            match self.deserialize(serdes, &m) {
                Ok(decoded) => kept.push((m, decoded)),
                Err(cause) => {
                    if head && failure.is_none() {
                        failure = Some((tp.clone(), m.offset(), cause));
                    }
                    stopped.insert(tp, m.offset());
                }
            }
        }
        let (rewind, result) = match failure {
            Some(((t, p), offset, cause)) => (
                first,
                Err(err!(
                    RecordDeserializationException,
                    "Error deserializing key/value for partition {t}-{p} at offset {offset}. If needed, please seek past the record to continue consumption. ({})",
                    cause.message
                )),
            ),
            None => (stopped, Ok(kept)),
        };
        for ((t, p), offset) in rewind {
            self.cluster.seek(h, &t, p, SeekTo::Offset(offset))?;
        }
        Ok(result)
    }

    /// The key and value through the consumer's JSON Schema deserializers: each its schema
    /// id and JSON text (`None`: not deserialized).
    fn deserialize(&self, serdes: &Serdes, m: &Message) -> Result<Decoded, Error> {
        let mut decoded = [None, None];
        for (slot, (on, bytes)) in decoded
            .iter_mut()
            .zip([(serdes.key, m.key()), (serdes.value, m.value())])
        {
            if let Some(bytes) = bytes.filter(|_| on) {
                *slot = Some(wire::deserialize(&self.registry, bytes, serdes.validate)?);
            }
        }
        Ok(decoded)
    }

    /// The datagen sources by name.
    pub fn sources(&self) -> impl Iterator<Item = (&str, &str, &str, u64)> {
        self.sources
            .iter()
            .map(|(n, s)| (n.as_str(), s.producer.as_str(), s.topic.as_str(), s.rate))
    }

    /// `play`: the whole span is checked first, so a refused play changes nothing.
    fn play(
        &mut self,
        line: usize,
        duration: u64,
        step: u64,
        out: &mut Vec<Output>,
    ) -> Result<(), Error> {
        let step = step.max(1);
        if duration.div_ceil(step) > MAX_PLAY_STEPS {
            return Err(err!(
                PolicyViolation,
                "play may take at most {MAX_PLAY_STEPS} steps; use a longer step"
            ));
        }
        let end = SimTime(self.cluster.now().0.saturating_add(duration));
        self.cluster.check_advance(end)?;
        let records: u128 = self
            .sources
            .values()
            .map(|s| s.rate)
            .chain(self.connectors.values().map(connect::Connector::rate))
            .map(|rate| u128::from(rate) * u128::from(duration) / 1_000)
            .sum();
        if records > u128::from(MAX_GENERATE) {
            return Err(err!(
                PolicyViolation,
                "the datagen sources would produce {records} records in this play; the limit is {MAX_GENERATE}"
            ));
        }
        let consumers = self
            .clients
            .values()
            .filter(|c| matches!(c, Client::Consumer(h) if self.cluster.consumer(*h).is_ok()))
            .count() as u64;
        let polls = duration.div_ceil(step).saturating_mul(consumers);
        if polls > MAX_PLAY_POLLS {
            return Err(err!(
                PolicyViolation,
                "this play would poll {consumers} consumers {} times each; the limit is {MAX_PLAY_POLLS} polls per play (play in shorter spans or longer steps)",
                duration.div_ceil(step)
            ));
        }
        while self.cluster.now() < end {
            let next = SimTime(self.cluster.now().0.saturating_add(step).min(end.0));
            self.cluster.advance_to(next)?;
            self.run_sources(line, out);
            self.run_connectors(line, out);
            let pollers: Vec<(String, ConsumerHandle)> = self
                .clients
                .iter()
                .filter_map(|(n, c)| match c {
                    Client::Consumer(h) => Some((n.clone(), *h)),
                    Client::Producer(_) => None,
                })
                .filter(|(_, h)| {
                    self.cluster
                        .consumer(*h)
                        .is_ok_and(|c| c.subscription().is_some() || !c.partitions().is_empty())
                })
                .collect();
            for (name, h) in pollers {
                if let Err(e) = self.poll_into(line, &name, h, out) {
                    out.push(Output::new(
                        line,
                        OutputKind::Poll,
                        obj!({ "consumer": name, "error": error_json(&e) }),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Every source produces what is due now; a source whose producer or topic is gone
    /// stops, with its error reported.
    fn run_sources(&mut self, line: usize, out: &mut Vec<Output>) {
        let now = self.cluster.now();
        let (mut k, mut v) = (String::new(), String::new());
        let mut sources = core::mem::take(&mut self.sources);
        let mut stopped = Vec::new();
        for (name, source) in sources.iter_mut() {
            let due = source.due(now);
            let producer = match self.clients.get(&source.producer) {
                Some(Client::Producer(h)) => Ok(*h),
                _ => Err(err!(
                    InvalidRequest,
                    "there is no producer named {}",
                    source.producer
                )),
            };
            for _ in 0..due {
                source.next_record(&mut self.rng, &mut k, &mut v);
                let sent = producer.clone().and_then(|h| {
                    let record = ProducerRecord {
                        topic: &source.topic,
                        partition: source.partition,
                        key: source.key.as_ref().map(|_| k.as_bytes()),
                        value: source.value.as_ref().map(|_| v.as_bytes()),
                        headers: &[],
                        timestamp: None,
                    };
                    self.send(h, self.serdes(&source.producer), &record)
                });
                match sent {
                    Ok(id) => {
                        let ranges = self.bulk.entry(source.producer.clone()).or_default();
                        match ranges.last_mut() {
                            Some(last) if last.1 + 1 == id => last.1 = id,
                            _ => ranges.push((id, id)),
                        }
                    }
                    Err(e) => {
                        out.push(Output::new(
                            line,
                            OutputKind::Datagen,
                            obj!({ "source": name, "stopped": true, "error": error_json(&e) }),
                        ));
                        stopped.push(name.clone());
                        break;
                    }
                }
            }
        }
        sources.retain(|name, _| !stopped.contains(name));
        self.sources = sources;
    }

    /// What `describe` shows of `target`, as JSON.
    pub fn describe(&self, target: &DescribeTarget) -> Result<Json, Error> {
        let c = &self.cluster;
        Ok(match target {
            DescribeTarget::Topic(name) => {
                let d = c.describe_topic(name)?;
                let partitions: Vec<Json> = d
                    .partitions
                    .iter()
                    .map(|p| {
                        let segments: Vec<Json> = p
                            .segments
                            .iter()
                            .map(|s| obj!({ "base_offset": s.base_offset, "next_offset": s.next_offset, "records": s.records, "tombstones": s.tombstones, "size_in_bytes": s.size_in_bytes, "active": s.active, "cleaned": s.cleaned }))
                            .collect();
                        obj!({ "partition": p.partition, "leader": p.leader, "leader_epoch": p.leader_epoch, "replicas": &p.replicas, "isr": &p.isr,
                                "replica_log_end_offsets": &p.replica_log_end_offsets,
                                "log_start_offset": p.log_start_offset, "high_watermark": p.high_watermark, "last_stable_offset": p.last_stable_offset,
                                "log_end_offset": p.log_end_offset, "records": p.records, "size_in_bytes": p.size_in_bytes, "segments": segments })
                    })
                    .collect();
                let mut configs = Map::new();
                configs.extend(
                    d.config_overrides
                        .iter()
                        .map(|(k, v)| (k.clone(), v.into_json())),
                );
                obj!({ "topic": d.name, "configs": configs, "partitions": partitions })
            }
            DescribeTarget::Consumer(name) => {
                let h = self.consumer_handle(name)?;
                let consumer = c.consumer(h)?;
                let assignment: Vec<Json> = c
                    .assignment(h)?
                    .iter()
                    .map(|a| obj!({ "topic": &*a.topic, "partition": a.partition, "position": a.position, "committed": a.committed, "high_watermark": a.high_watermark, "last_stable_offset": a.last_stable_offset, "lag": a.lag, "paused": a.paused }))
                    .collect();
                obj!({ "consumer": name, "configs": entries_json(consumer.config().entries()), "assignment": assignment })
            }
            DescribeTarget::Producer(name) => {
                let p = c.producer(self.producer_handle(name)?)?;
                let (id, epoch) = p.identity();
                let pending: Vec<Json> = p
                    .pending()
                    .iter()
                    .map(|(t, part, n)| obj!({ "topic": &**t, "partition": part, "records": n }))
                    .collect();
                let state = p.transaction_state().map(|s| s.name());
                obj!({ "producer": name, "producer_id": id, "epoch": epoch, "transaction_state": state, "configs": entries_json(p.config().entries()), "pending": pending, "in_flight": p.in_flight() })
            }
            DescribeTarget::Group(group) => {
                let d = c.describe_group(group)?;
                let members: Vec<Json> = d
                    .members
                    .iter()
                    .map(|m| obj!({ "member_id": &m.member_id, "client_id": &m.client_id, "assignment": m.assignment.iter().map(|(t, p)| alloc::format!("{t}:{p}")).collect::<Vec<_>>() }))
                    .collect();
                let offsets: Vec<Json> = d
                    .offsets
                    .iter()
                    .map(|o| obj!({ "topic": &o.topic, "partition": o.partition, "committed": o.committed, "log_end_offset": o.log_end_offset, "lag": o.lag, "owner": &o.owner }))
                    .collect();
                let coordinator = c.coordinator(CoordinatorKind::Group, &d.group);
                obj!({ "group": d.group, "coordinator": coordinator, "state": d.state.name(), "protocol": d.protocol, "generation": d.generation, "leader": d.leader, "members": members, "offsets": offsets })
            }
            DescribeTarget::Cluster => {
                let clients: Vec<Json> = self
                    .clients
                    .iter()
                    .filter(|(_, h)| match h {
                        Client::Producer(h) => c.producer(*h).is_ok(),
                        Client::Consumer(h) => c.consumer(*h).is_ok(),
                    })
                    .map(|(n, h)| obj!({ "name": n, "kind": if matches!(h, Client::Producer(_)) { "producer" } else { "consumer" } }))
                    .collect();
                let brokers: Vec<Json> = c
                    .brokers()
                    .iter()
                    .map(|b| obj!({ "id": b.id, "rack": &b.rack, "state": b.state.name() }))
                    .collect();
                obj!({ "now": c.now().0, "seed": c.config().seed, "brokers": brokers, "topics": c.list_topics(), "clients": clients, "state_hash": alloc::format!("{:016x}", c.state_hash()) })
            }
            DescribeTarget::Transaction(id) => {
                let m = c.describe_transaction(id)?;
                let partitions: Vec<String> = m
                    .partitions
                    .iter()
                    .map(|(t, p)| alloc::format!("{t}:{p}"))
                    .collect();
                let coordinator = c.coordinator(CoordinatorKind::Transaction, id);
                obj!({ "transactional_id": id, "coordinator": coordinator, "producer_id": m.producer_id, "producer_epoch": m.epoch, "state": m.state.name(),
                        "transaction_timeout_ms": m.timeout_ms, "start_time_ms": m.start_time_ms(), "partitions": partitions })
            }
            DescribeTarget::Subject(subject) => {
                let r = &self.registry;
                let s = r
                    .subjects()
                    .find(|(n, _)| n == subject)
                    .map(|(_, s)| s)
                    .ok_or_else(|| {
                        err!(
                            SubjectNotFound,
                            "Subject '{subject}' not found.; error code: 40401"
                        )
                    })?;
                let versions: Vec<Json> = s
                    .versions
                    .iter()
                    .enumerate()
                    .map(|(v, id)| obj!({ "version": v + 1, "id": id, "schema": r.schema(*id).map(|x| x.text.as_str()) }))
                    .collect();
                obj!({ "subject": subject, "compatibility": r.effective_compatibility(subject).name(), "versions": versions })
            }
            DescribeTarget::Connector(name) => self.describe_connector(name)?,
        })
    }

    /// Collects every producer's events and the brokers' events.
    fn drain(&mut self, line: usize, out: &mut Vec<Output>) {
        // Only clients with something to report, in name order: producers, then consumers.
        let cluster = &self.cluster;
        let pending: Vec<(String, Client)> = self
            .clients
            .iter()
            .filter(|(_, c)| match c {
                Client::Producer(h) => cluster.producer(*h).is_ok_and(Producer::has_events),
                Client::Consumer(h) => cluster.consumer(*h).is_ok_and(Consumer::has_events),
            })
            .map(|(n, c)| (n.clone(), *c))
            .collect();
        for (name, c) in &pending {
            if let Client::Producer(h) = c {
                if let Ok(events) = self.cluster.drain_producer_events(*h) {
                    self.report_producer(line, name, events, out);
                }
            }
        }
        for (name, c) in &pending {
            if let Client::Consumer(h) = c {
                self.rebalance_outputs(line, name, *h, out);
            }
        }
        for e in self.cluster.drain_events() {
            let (kind, topic, partition, report) = match &e {
                ClusterEvent::Retention {
                    topic,
                    partition,
                    report,
                } => (OutputKind::Retention, topic, partition, report),
                ClusterEvent::Compaction {
                    topic,
                    partition,
                    report,
                } => (OutputKind::Compaction, topic, partition, report),
                ClusterEvent::Group { group, change } => {
                    out.push(Output::new(
                        line,
                        OutputKind::Group,
                        obj!({ "group": group, "change": change.describe() }),
                    ));
                    continue;
                }
                ClusterEvent::Coordinator { kind, key, broker } => {
                    out.push(Output::new(
                        line,
                        OutputKind::Coordinator,
                        obj!({ "kind": kind.name(), "key": key, "broker": broker }),
                    ));
                    continue;
                }
                ClusterEvent::Broker { broker, state } => {
                    out.push(Output::new(
                        line,
                        OutputKind::Broker,
                        obj!({ "broker": broker, "state": state.name() }),
                    ));
                    continue;
                }
                ClusterEvent::Replica {
                    topic,
                    partition,
                    change,
                } => {
                    out.push(replica_output(line, topic, *partition, change));
                    continue;
                }
            };
            out.push(Output::new(
                line,
                kind,
                obj!({ "topic": &**topic, "partition": partition, "segments_deleted": report.segments_deleted,
                        "records_removed": report.records_removed, "log_start_offset": report.log_start_offset }),
            ));
        }
    }

    fn rebalance_outputs(
        &mut self,
        line: usize,
        name: &str,
        h: ConsumerHandle,
        out: &mut Vec<Output>,
    ) {
        for e in self.cluster.drain_consumer_events(h).unwrap_or_default() {
            let (callback, partitions) = match &e {
                RebalanceEvent::Revoked(p) => ("revoked", p),
                RebalanceEvent::Assigned(p) => ("assigned", p),
                RebalanceEvent::Lost(p) => ("lost", p),
            };
            let partitions: Vec<String> = partitions
                .iter()
                .map(|(t, p)| alloc::format!("{t}:{p}"))
                .collect();
            out.push(Output::new(
                line,
                OutputKind::Rebalance,
                obj!({ "consumer": name, "callback": callback, "partitions": partitions }),
            ));
        }
    }

    fn report_producer(
        &mut self,
        line: usize,
        name: &str,
        events: Vec<ProducerEvent>,
        out: &mut Vec<Output>,
    ) {
        let bulk = self.bulk.get(name).cloned().unwrap_or_default();
        let (mut delivered, mut failed) = (0u64, 0u64);
        let mut first_error = None;
        for e in events {
            match e {
                ProducerEvent::BatchSent(b) => out.push(Output::new(
                    line,
                    OutputKind::Batch,
                    obj!({ "producer": name, "topic": &*b.topic, "partition": b.partition, "base_offset": b.base_offset,
                            "records": b.records, "uncompressed_bytes": b.uncompressed_bytes, "size_in_bytes": b.size_in_bytes,
                            "compression": b.compression.name(), "attempt": b.attempt, "duplicate": b.duplicate, "ack_lost": b.ack_lost }),
                )),
                ProducerEvent::Delivered(d) if bulk.iter().any(|&(a, z)| (a..=z).contains(&d.id)) => match d.error {
                    None => delivered += 1,
                    Some(e) => {
                        failed += 1;
                        first_error.get_or_insert(e);
                    }
                },
                ProducerEvent::Delivered(d) => out.push(Output::new(
                    line,
                    OutputKind::Delivery,
                    obj!({ "producer": name, "id": d.id, "topic": &*d.topic, "partition": d.partition, "offset": d.offset,
                            "timestamp": d.timestamp, "error": d.error.as_ref().map_or(Json::Null, error_json) }),
                )),
            }
        }
        if delivered + failed > 0 {
            out.push(Output::new(
                line,
                OutputKind::Deliveries,
                obj!({ "producer": name, "delivered": delivered, "failed": failed, "error": first_error.as_ref().map_or(Json::Null, error_json) }),
            ));
        }
    }
}

fn pairs(configs: &[(String, String)]) -> Vec<(&str, &str)> {
    configs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

fn refs(partitions: &[PartitionRef]) -> Vec<(&str, u32)> {
    partitions.iter().map(|(t, p)| (t.as_str(), *p)).collect()
}

fn entries_json(entries: Vec<(&'static str, String)>) -> Json {
    let mut object = Map::new();
    object.extend(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.into_json())),
    );
    Json::Object(object)
}

fn error_json(e: &Error) -> Json {
    obj!({ "code": e.code.name(), "message": &e.message })
}

/// Bytes as JSON: text when UTF-8, else `{"hex": "…"}`; null for none.
fn bytes_json(bytes: Option<&[u8]>) -> Json {
    match bytes {
        None => Json::Null,
        Some(b) => match core::str::from_utf8(b) {
            Ok(s) => s.into_json(),
            Err(_) => {
                obj!({ "hex": b.iter().map(|b| alloc::format!("{b:02x}")).collect::<String>() })
            }
        },
    }
}

fn message_json(consumer: &str, m: &Message) -> Json {
    let headers: Vec<Json> = m
        .headers()
        .iter()
        .map(|h| {
            Json::Array(alloc::vec![
                (&h.key).into_json(),
                bytes_json(h.value.as_deref())
            ])
        })
        .collect();
    let (ts_type, ts) = m.timestamp();
    obj!({ "consumer": consumer, "topic": m.topic(), "partition": m.partition(), "offset": m.offset(),
            "key": bytes_json(m.key()), "value": bytes_json(m.value()), "headers": headers,
            "timestamp": ts, "timestamp_type": ts_type.name(), "error": m.error().map_or(Json::Null, error_json) })
}

/// A replication change as an output: `leader`, `isr` or `truncated`.
fn replica_output(line: usize, topic: &str, partition: u32, change: &ReplicaChange) -> Output {
    match change {
        ReplicaChange::LeaderElected {
            leader,
            leader_epoch,
            unclean,
            records_truncated,
        } => Output::new(
            line,
            OutputKind::Leader,
            obj!({ "topic": topic, "partition": partition, "leader": leader, "leader_epoch": leader_epoch,
                    "unclean": unclean, "records_truncated": records_truncated }),
        ),
        ReplicaChange::Isr { isr, reason } => Output::new(
            line,
            OutputKind::Isr,
            obj!({ "topic": topic, "partition": partition, "isr": isr, "reason": reason }),
        ),
        ReplicaChange::Truncated { broker, from, to } => Output::new(
            line,
            OutputKind::Truncated,
            obj!({ "topic": topic, "partition": partition, "broker": broker, "from": from, "to": to }),
        ),
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::script::parse;

    fn run(text: &str) -> (Runner, Vec<Output>) {
        let (session, out) = crate::script::Session::run(&parse(text).unwrap());
        (session.runner().clone(), out)
    }

    fn kinds(out: &[Output]) -> Vec<(usize, &str)> {
        out.iter().map(|o| (o.line, o.kind.name())).collect()
    }

    /// `generate` and datagen sources go through the producer's serializer too; a source
    /// whose record does not serialize stops.
    #[test]
    fn generated_records_are_serialized_like_produced_ones() {
        let (r, out) = run(r#"topic create t
schema register t-value {"type":"object","required":["n"]}
producer p value.serializer=KafkaJsonSchemaSerializer linger.ms=0
generate p t count=3 value={"n":{i}}
datagen start good p t rate=10 value={"n":{i}}
datagen start bad p t rate=10 value=plain-{i}
play 1s"#);
        let log = &r.cluster().topic("t").unwrap().partitions()[0].log;
        let values: Vec<&[u8]> = log.read_from(0, i64::MAX).filter_map(|r| r.value).collect();
        assert_eq!(values.len(), 13);
        assert!(values.iter().all(|v| v.starts_with(&[0, 0, 0, 0, 1, b'{'])));
        let stopped = out.iter().find(|o| o.kind == OutputKind::Datagen).unwrap();
        assert_eq!(stopped.fields["source"], "bad");
        assert_eq!(stopped.fields["error"]["code"], "SERIALIZATION_EXCEPTION");
    }

    /// A poison pill at the head of one partition: poll() throws and consumes nothing, on
    /// any partition, until the application seeks past it.
    #[test]
    fn a_record_that_does_not_deserialize_stops_the_consumer_until_it_seeks_past() {
        let (r, out) = run(r#"topic create t partitions=2
schema register t-value {"type":"integer"}
producer p value.serializer=KafkaJsonSchemaSerializer json.fail.invalid.schema=false linger.ms=0
produce p t partition=0 value="\"bad\""
produce p t partition=1 value=7
tick 1ms
consumer c value.deserializer=KafkaJsonSchemaDeserializer auto.offset.reset=earliest
assign c t:0 t:1
poll c
poll c
seek c t:0 1
poll c"#);
        let polls: Vec<(usize, &str)> = out
            .iter()
            .filter(|o| matches!(o.kind, OutputKind::Poll | OutputKind::Record))
            .map(|o| (o.line, o.kind.name()))
            .collect();
        assert_eq!(polls, [(9, "poll"), (10, "poll"), (12, "record")]);
        let e = out
            .iter()
            .find(|o| o.kind == OutputKind::Poll)
            .and_then(Output::error)
            .unwrap();
        assert_eq!(e["code"], "RECORD_DESERIALIZATION_EXCEPTION");
        assert!(e["message"]
            .as_str()
            .unwrap()
            .starts_with("Error deserializing key/value for partition t-0 at offset 0."));
        let record = out.iter().find(|o| o.kind == OutputKind::Record).unwrap();
        assert_eq!(
            (
                record.fields["partition"].as_u64(),
                record.fields["value"].as_str()
            ),
            (Some(1), Some("7"))
        );
        let positions: Vec<Option<i64>> = r
            .cluster()
            .assignment(r.consumer("c").unwrap())
            .unwrap()
            .iter()
            .map(|a| a.position)
            .collect();
        assert_eq!(positions, [Some(1), Some(1)]);
    }

    #[test]
    fn outputs_follow_the_commands_that_caused_them() {
        let (_, out) = run("topic create t partitions=1\nproducer p\nproduce p t key=k value=v\ntick 5ms\nconsumer c auto.offset.reset=earliest\nassign c t:0\npoll c");
        assert_eq!(
            kinds(&out),
            [
                (1, "command"),
                (2, "command"),
                (3, "command"),
                (3, "queued"),
                (4, "command"),
                (4, "clock"),
                (4, "batch"),
                (4, "delivery"),
                (5, "command"),
                (6, "command"),
                (7, "command"),
                (7, "record")
            ]
        );
        let record = out.last().unwrap().to_json();
        assert_eq!(
            record,
            r#"{"line":7,"type":"record","consumer":"c","error":null,"headers":[],"key":"k","offset":0,"partition":0,"timestamp":0,"timestamp_type":"CreateTime","topic":"t","value":"v"}"#
        );
    }

    #[test]
    fn an_error_is_reported_and_changes_nothing() {
        let (runner, out) = run("topic create t\ntopic create t partitions=0\ntopic config t retention.ms=5 cleanup.policy=nope\nproduce ghost t\npoll c");
        let errors: Vec<&str> = out
            .iter()
            .filter_map(|o| o.error())
            .map(|e| e["code"].as_str().unwrap_or(""))
            .collect();
        assert_eq!(
            errors,
            [
                "TOPIC_ALREADY_EXISTS",
                "INVALID_CONFIG",
                "INVALID_REQUEST",
                "INVALID_REQUEST"
            ]
        );
        let t = runner.cluster().topic("t").unwrap();
        assert_eq!(
            t.config().retention_ms,
            604_800_000,
            "a failed config change is all or nothing"
        );
    }

    #[test]
    fn generate_summarises_deliveries_and_is_seeded() {
        let script = "seed 9\ntopic create t partitions=4\nproducer p linger.ms=0\ngenerate p t count=2000 key=k{i%7} value={\"n\":{rand:1..1000}}\nflush p";
        let (a, out) = run(script);
        let summary: Vec<&Output> = out
            .iter()
            .filter(|o| o.kind == OutputKind::Deliveries)
            .collect();
        let delivered: u64 = summary
            .iter()
            .map(|o| o.fields["delivered"].as_u64().unwrap())
            .sum();
        assert_eq!(delivered, 2000);
        assert!(
            !out.iter().any(|o| o.kind == OutputKind::Delivery),
            "no per-record lines for generated records"
        );
        let (b, _) = run(script);
        assert_eq!(a.cluster().state_hash(), b.cluster().state_hash());
        let (c, _) = run(&script.replace("seed 9", "seed 10"));
        assert_ne!(a.cluster().state_hash(), c.cluster().state_hash());
    }

    #[test]
    fn crashed_clients_can_be_restarted_under_the_same_name() {
        let (_, out) = run("topic create t\nconsumer c group.id=g\nconsumer c\nfault crash c\nconsumer c group.id=g\nassign c t:0\ndescribe consumer c");
        let errors: Vec<usize> = out
            .iter()
            .filter(|o| o.error().is_some())
            .map(|o| o.line)
            .collect();
        assert_eq!(errors, [3]);
        let d = out.last().unwrap();
        assert_eq!(d.fields["assignment"][0]["topic"], "t");
    }

    #[test]
    fn lost_acks_show_up_as_batches_and_a_retry() {
        let (_, out) = run("topic create t\nproducer p enable.idempotence=false\nfault lose-ack p\nproduce p t value=x\nflush p\ntick 31s\ndescribe topic t");
        let batches: Vec<(bool, u64)> = out
            .iter()
            .filter(|o| o.kind == OutputKind::Batch)
            .map(|o| {
                (
                    o.fields["ack_lost"].as_bool().unwrap(),
                    o.fields["attempt"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(batches, [(true, 1), (false, 2)]);
        assert_eq!(
            out.last().unwrap().fields["partitions"][0]["records"],
            2,
            "written twice without idempotence"
        );
    }

    #[test]
    fn limiting_record_outputs_keeps_the_last_records_and_the_same_state() {
        let script = parse(
            "topic create t partitions=2\nproducer p linger.ms=0\ngenerate p t count=50 key=k{i}\n\
             tick 1ms\nconsumer c auto.offset.reset=earliest\nassign c t:0 t:1\npoll c\nplay 300ms",
        )
        .unwrap_or_default();
        let (all, mut limited) = (Runner::new(), Runner::new());
        let mut all = all;
        limited.limit_records_per_poll(Some(3));
        let (mut out_all, mut out_limited) = (Vec::new(), Vec::new());
        for (line, c) in &script.commands {
            out_all.extend(all.apply(*line, c).unwrap_or_else(|f| f.outputs));
            out_limited.extend(limited.apply(*line, c).unwrap_or_else(|f| f.outputs));
        }
        assert_eq!(all.cluster().state_hash(), limited.cluster().state_hash());
        let records = |out: &[Output]| -> Vec<String> {
            out.iter()
                .filter(|o| o.kind == OutputKind::Record)
                .map(Output::to_json)
                .collect()
        };
        let (every, shown) = (records(&out_all), records(&out_limited));
        assert_eq!(every.len(), 50);
        assert_eq!(shown, every[47..].to_vec());
        let polled: Vec<String> = out_limited
            .iter()
            .filter(|o| o.kind == OutputKind::Polled)
            .map(Output::to_json)
            .collect();
        assert_eq!(
            polled,
            vec![r#"{"line":7,"type":"polled","consumer":"c","records":50,"shown":3}"#.to_string()]
        );
    }

    #[test]
    fn a_play_that_would_poll_too_often_is_refused_before_anything_changes() {
        let mut text = String::from("topic create t\n");
        for i in 0..60 {
            text.push_str(&alloc::format!("consumer c{i}\nassign c{i} t:0\n"));
        }
        let (mut runner, _) = run(&text);
        let before = runner.cluster().state_hash();
        let play = Command::Play {
            duration: 100_000,
            step: 1,
        };
        let refused = runner.apply(999, &play).unwrap_err();
        assert_eq!(refused.error.code, crate::error::ErrorCode::PolicyViolation);
        assert!(!refused.took_effect);
        assert_eq!(runner.cluster().state_hash(), before);
    }
}
