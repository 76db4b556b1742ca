//! Running a script: each command applied to a [`Cluster`], with its observable output.

use alloc::borrow::Cow;
use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use litemap::LiteMap;

mod admin;
mod budget;
mod clients;
mod clock;
mod connect;
mod consume;
mod describe;
mod description;
mod event;
mod json;
mod output;
mod produce;
mod registry;
mod running;

pub use connect::{ConnectorStatus, TaskStatus};
pub use description::{
    ClientKind, ClusterDescription, ConnectorDescription, Description, ProducerDescription,
    SinkRows,
};
pub use event::{Committer, Event, PolledRecord};
pub use output::{Output, OutputKind};
pub use running::{Progress, Running};

use super::datagen::Source;
use super::{
    BrokerAction, Command, DescribeTarget, PartitionRef, Template, TxnAction, MAX_GENERATE,
    MAX_PLAY_POLLS, MAX_PLAY_STEPS,
};
use crate::cluster::{Cluster, ClusterConfig, ConsumerHandle, CoordinatorKind, ProducerHandle};
use crate::consumer::{Consumer, SeekTo};
use crate::error::{err, Error};
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
    /// Whether the command changed state before it failed (a `generate` stopped by a record
    /// over `max.request.size`, a `txn commit` that timed out after its flush). One that did
    /// not was refused: the state is as it was.
    pub took_effect: bool,
    /// Its outputs: the command's own (with the error) first, then what it caused.
    pub outputs: Vec<Output>,
}

impl Failure {
    /// A command refused before it ran.
    pub(super) fn refused(line: usize, command: &Command, error: Error) -> Self {
        let status = Event::Command {
            command: command.to_string(),
            warnings: Vec::new(),
            error: Some(error.clone()),
        };
        Self {
            error,
            took_effect: false,
            outputs: alloc::vec![Output::new(line, status)],
        }
    }
}

/// Why `execute` stopped: the error, and whether state had changed by then.
#[derive(Clone, Debug)]
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
    /// Reports drained from a producer while a long `generate` runs, reported with the
    /// producer's others when the command ends.
    held: Option<ProducerReports>,
    /// The bytes held as far as the budget knows (see [`crate::budget`]).
    budget: budget::Held,
}

/// A producer's reports as they are output: its batches and the deliveries of other
/// commands' records in order, and its `generate`d records' deliveries counted.
#[derive(Clone, Debug)]
struct ProducerReports {
    producer: String,
    events: Vec<ProducerEvent>,
    delivered: u64,
    failed: u64,
    first_error: Option<Error>,
}

impl ProducerReports {
    fn new(producer: &str) -> Self {
        Self {
            producer: producer.into(),
            events: Vec::new(),
            delivered: 0,
            failed: 0,
            first_error: None,
        }
    }

    /// Counts the deliveries of generated records (ids in one of the `generated` ranges)
    /// and keeps every other report, in order.
    fn take(&mut self, events: Vec<ProducerEvent>, generated: &[(u64, u64)]) {
        for e in events {
            match e {
                ProducerEvent::Delivered(d)
                    if generated.iter().any(|&(a, z)| (a..=z).contains(&d.id)) =>
                {
                    match d.error {
                        None => self.delivered += 1,
                        Some(e) => {
                            self.failed += 1;
                            self.first_error.get_or_insert(e);
                        }
                    }
                }
                other => self.events.push(other),
            }
        }
    }
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
            held: None,
            budget: budget::Held::default(),
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
        let mut running = self.begin(line, command);
        while !self.step(&mut running, u64::MAX) {}
        self.finish(running)
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
        // Each area of the language runs in its own module.
        match command {
            Command::Seed { .. }
            | Command::Broker { .. }
            | Command::Brokers { .. }
            | Command::BrokerChange { .. }
            | Command::CreateTopic { .. }
            | Command::DeleteTopic { .. }
            | Command::AddPartitions { .. }
            | Command::AlterTopic { .. }
            | Command::DeleteRecords { .. }
            | Command::ResetOffsets { .. }
            | Command::DeleteGroup { .. }
            | Command::DeleteOffsets { .. } => self.run_admin(line, command, out),
            Command::Producer { .. }
            | Command::Consumer { .. }
            | Command::Close { .. }
            | Command::Crash { .. }
            | Command::LoseAcks { .. } => self.run_clients(line, command, out),
            // They run in steps (see `running`).
            Command::Generate { .. } | Command::Tick(_) | Command::Play { .. } => Ok(Vec::new()),
            Command::Produce { .. }
            | Command::Flush { .. }
            | Command::Transaction { .. }
            | Command::SendOffsets { .. } => self.run_produce(line, command, out),
            Command::Subscribe { .. }
            | Command::SubscribePattern { .. }
            | Command::Unsubscribe { .. }
            | Command::Assign { .. }
            | Command::Poll { .. }
            | Command::Seek { .. }
            | Command::Commit { .. }
            | Command::Pause { .. }
            | Command::Resume { .. } => self.run_consume(line, command, out),
            Command::DatagenStart { .. } | Command::DatagenStop { .. } => self.run_clock(command),
            Command::SchemaRegister { .. }
            | Command::SchemaCheck { .. }
            | Command::SchemaCompatibility { .. }
            | Command::SchemaDelete { .. } => self.run_registry(line, command, out),
            Command::Describe(target) => {
                out.push(Output::new(line, Event::Describe(self.describe(target)?)));
                Ok(Vec::new())
            }
            Command::ConnectorCreate { name, configs } => {
                self.create_connector(line, name, configs, out)?;
                Ok(Vec::new())
            }
            Command::ConnectorChange { name, action } => {
                self.change_connector(name, *action)?;
                Ok(Vec::new())
            }
        }
    }

    /// Collects every producer's events and the brokers' events.
    fn drain(&mut self, line: usize, out: &mut Vec<Output>) {
        // Only clients with something to report, in name order: producers, then consumers.
        let cluster = &self.cluster;
        let pending: Vec<(String, Client)> = self
            .clients
            .iter()
            .filter(|(n, c)| match c {
                Client::Producer(h) => {
                    cluster.producer(*h).is_ok_and(Producer::has_events)
                        || self.held.as_ref().is_some_and(|held| &held.producer == *n)
                }
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
            out.push(Output::new(line, Event::Cluster(e)));
        }
    }

    fn rebalance_outputs(
        &mut self,
        line: usize,
        name: &str,
        h: ConsumerHandle,
        out: &mut Vec<Output>,
    ) {
        for callback in self.cluster.drain_consumer_events(h).unwrap_or_default() {
            let consumer = name.to_string();
            out.push(Output::new(line, Event::Rebalance { consumer, callback }));
        }
    }

    fn report_producer(
        &mut self,
        line: usize,
        name: &str,
        events: Vec<ProducerEvent>,
        out: &mut Vec<Output>,
    ) {
        let mut reports = self
            .held
            .take_if(|held| held.producer == name)
            .unwrap_or_else(|| ProducerReports::new(name));
        reports.take(events, self.bulk.get(name).map_or(&[], Vec::as_slice));
        for e in reports.events {
            let producer = name.to_string();
            out.push(Output::new(
                line,
                match e {
                    ProducerEvent::BatchSent(batch) => Event::Batch { producer, batch },
                    ProducerEvent::Delivered(report) => Event::Delivery { producer, report },
                },
            ));
        }
        if reports.delivered + reports.failed > 0 {
            out.push(Output::new(
                line,
                Event::Deliveries {
                    producer: name.to_string(),
                    delivered: reports.delivered,
                    failed: reports.failed,
                    error: reports.first_error,
                },
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

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::error::ErrorCode;
    use crate::script::parse;

    fn run(text: &str) -> (Runner, Vec<Output>) {
        let (session, out) = crate::script::Session::run(&parse(text).unwrap());
        (session.runner().clone(), out)
    }

    fn kinds(out: &[Output]) -> Vec<(usize, &str)> {
        out.iter().map(|o| (o.line, o.kind().name())).collect()
    }

    /// A long `generate` takes its producer's reports out as it goes: every batch and the
    /// delivery of an earlier `produce` are still reported, and its own records' deliveries
    /// are counted in summaries, failures with the first error.
    #[test]
    fn a_long_generate_reports_every_batch_and_counts_its_deliveries() {
        let (_, out) = run(r#"topic create t partitions=2
topic create table cleanup.policy=compact
producer p linger.ms=1000 batch.size=1000
produce p t partition=0 value=first
generate p t count=10000 value=v{i}
generate p table count=5000 value=no-key
flush p"#);
        let deliveries: Vec<(u64, bool)> = out
            .iter()
            .filter_map(|o| match &o.event {
                Event::Delivery { report, .. } => Some((report.id, report.error.is_none())),
                _ => None,
            })
            .collect();
        assert_eq!(deliveries, [(0, true)]);
        let summaries: Vec<(usize, u64, u64, Option<ErrorCode>)> = out
            .iter()
            .filter_map(|o| match &o.event {
                Event::Deliveries {
                    delivered,
                    failed,
                    error,
                    ..
                } => Some((o.line, *delivered, *failed, error.as_ref().map(|e| e.code))),
                _ => None,
            })
            .collect();
        let delivered: u64 = summaries.iter().map(|s| s.1).sum();
        let failed: u64 = summaries.iter().map(|s| s.2).sum();
        assert_eq!((delivered, failed), (10_000, 5_000), "{summaries:?}");
        assert!(
            summaries.iter().any(|s| s.0 == 5 && s.1 > 4_096),
            "{summaries:?}"
        );
        assert!(summaries
            .iter()
            .filter(|s| s.2 > 0)
            .all(|s| s.3 == Some(ErrorCode::InvalidRecord)));
        let batched: u32 = out
            .iter()
            .filter_map(|o| match &o.event {
                Event::Batch { batch, .. } if &*batch.topic == "t" => Some(batch.records),
                _ => None,
            })
            .sum();
        assert_eq!(batched, 10_001);
    }

    /// A template without placeholders is rendered once for all records, and draws nothing
    /// from the RNG: the random values after it are those after three plain produces.
    #[test]
    fn a_constant_template_gives_every_record_its_text_and_draws_nothing() {
        let values = |text: &str| -> Vec<Vec<u8>> {
            let (r, _) = run(text);
            let log = &r.cluster().topic("t").unwrap().partitions()[0].log;
            log.read_from(0, i64::MAX)
                .filter_map(|r| r.value.map(<[u8]>::to_vec))
                .collect()
        };
        let head = "topic create t\nproducer p linger.ms=0\n";
        let tail = "generate p t count=2 value={rand:1..1000000000}";
        let generated = values(&alloc::format!(
            "{head}generate p t count=3 value=same\n{tail}"
        ));
        let produced = values(&alloc::format!(
            "{head}produce p t value=same\nproduce p t value=same\nproduce p t value=same\n{tail}"
        ));
        assert_eq!(generated, produced);
        assert_eq!(
            &generated[..3],
            [b"same".to_vec(), b"same".to_vec(), b"same".to_vec()]
        );
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
        let stopped = out.iter().find_map(|o| match &o.event {
            Event::DatagenStopped { source, error } => Some((source.as_str(), error.code)),
            _ => None,
        });
        assert_eq!(stopped, Some(("bad", ErrorCode::SerializationException)));
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
            .filter(|o| matches!(o.kind(), OutputKind::Poll | OutputKind::Record))
            .map(|o| (o.line, o.kind().name()))
            .collect();
        assert_eq!(polls, [(9, "poll"), (10, "poll"), (12, "record")]);
        let e = out
            .iter()
            .find(|o| o.kind() == OutputKind::Poll)
            .and_then(Output::error)
            .unwrap();
        assert_eq!(e.code, ErrorCode::RecordDeserializationException);
        assert!(e
            .message
            .starts_with("Error deserializing key/value for partition t-0 at offset 0."));
        let record = out.iter().find_map(|o| match &o.event {
            Event::Record(r) => Some(r),
            _ => None,
        });
        let record = record.unwrap();
        assert_eq!(
            (record.message.partition(), record.value.as_ref()),
            (1, Some(&(1, "7".to_string())))
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
            .map(|e| e.code.name())
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
        let delivered: u64 = out
            .iter()
            .map(|o| match o.event {
                Event::Deliveries { delivered, .. } => delivered,
                _ => 0,
            })
            .sum();
        assert_eq!(delivered, 2000);
        assert!(
            !out.iter().any(|o| o.kind() == OutputKind::Delivery),
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
        let d = out.last().unwrap().event.to_fields();
        assert_eq!(d["assignment"][0]["topic"], "t");
    }

    #[test]
    fn lost_acks_show_up_as_batches_and_a_retry() {
        let (_, out) = run("topic create t\nproducer p enable.idempotence=false\nfault lose-ack p\nproduce p t value=x\nflush p\ntick 31s\ndescribe topic t");
        let batches: Vec<(bool, u64)> = out
            .iter()
            .filter_map(|o| match &o.event {
                Event::Batch { batch, .. } => Some((batch.ack_lost, u64::from(batch.attempt))),
                _ => None,
            })
            .collect();
        assert_eq!(batches, [(true, 1), (false, 2)]);
        assert_eq!(
            out.last().unwrap().event.to_fields()["partitions"][0]["records"],
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
                .filter(|o| o.kind() == OutputKind::Record)
                .map(Output::to_json)
                .collect()
        };
        let (every, shown) = (records(&out_all), records(&out_limited));
        assert_eq!(every.len(), 50);
        assert_eq!(shown, every[47..].to_vec());
        let polled: Vec<String> = out_limited
            .iter()
            .filter(|o| o.kind() == OutputKind::Polled)
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
