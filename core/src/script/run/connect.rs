//! Connectors in a running script: their tasks as clients of the cluster, run at each step
//! of `play`.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use litemap::LiteMap;

use super::description::{ConnectorDescription, SinkRows};
use super::{Event, Output, Runner};
use crate::budget::entry;
use crate::cluster::{ConsumerHandle, ProducerHandle};
use crate::connect::lines::{self, Line};
use crate::connect::sink::View;
use crate::connect::{Class, ConnectorConfig};
use crate::error::{err, Error, Result};
use crate::producer::ProducerEvent;
use crate::record::ProducerRecord;
use crate::registry::serdes::Serdes;
use crate::registry::{topic_subject, wire};
use crate::script::datagen::records_due;
use crate::script::{ConnectorAction, Template};
use crate::time::SimTime;

/// The client a task runs.
#[derive(Clone, Copy, Debug)]
enum TaskClient {
    Producer(ProducerHandle),
    Consumer(ConsumerHandle),
}

/// One task: its client, and for a source where it is (`position`), what Connect has
/// committed (`committed`) and the records still awaiting their acks.
#[derive(Clone, Debug)]
struct Task {
    client: TaskClient,
    failed: Option<String>,
    started: SimTime,
    sent_since_start: u64,
    position: u64,
    committed: u64,
    /// Producer record id → the position it was sent from.
    pending: LiteMap<u64, u64>,
}

/// A connector and its tasks.
#[derive(Clone, Debug)]
pub(crate) struct Connector {
    config: ConnectorConfig,
    paused: bool,
    tasks: Vec<Task>,
    view: Option<View>,
    lines: Vec<Line>,
    templates: (Option<Template>, Option<Template>),
    /// The schema id a source's converter registered (`JsonSchemaConverter`).
    schema_id: Option<u32>,
    next_flush: SimTime,
    records: u64,
    skipped: u64,
    /// `(time, records)` samples over the last second: the throughput.
    window: VecDeque<(u64, u64)>,
}

/// A task's state as Connect's status API shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskStatus {
    /// The task id.
    pub id: u32,
    /// `RUNNING`, `PAUSED` or `FAILED`.
    pub state: &'static str,
    /// Why it failed.
    pub trace: Option<String>,
    /// Its client's name.
    pub client: String,
    /// A source's position (records sent, or the line reached) and committed offset.
    pub offset: Option<(u64, u64)>,
    /// A sink's partitions.
    pub partitions: Vec<String>,
}

/// A connector's status, as the UI and `describe connector` show it.
#[derive(Clone, Debug)]
pub struct ConnectorStatus<'a> {
    /// Connect's class name.
    pub class: &'static str,
    /// A source (or a sink).
    pub source: bool,
    /// `PAUSED` or `RUNNING`.
    pub state: &'static str,
    /// The topics it writes or reads.
    pub topics: &'a [String],
    /// Its tasks.
    pub tasks: Vec<TaskStatus>,
    /// Records written (source) or read (sink).
    pub records: u64,
    /// Records skipped under `errors.tolerance=all`.
    pub skipped: u64,
    /// Records per simulated second over the last second.
    pub records_per_second: u64,
    /// A sink's table or counts.
    pub view: Option<&'a View>,
}

impl Connector {
    /// The most bytes (key and value) one of its next `count` records takes.
    pub(crate) fn record_bytes(&self, count: u64) -> u64 {
        let (key, value) = &self.templates;
        let line = self
            .lines
            .iter()
            .map(|l| {
                l.as_ref()
                    .map_or(0, |(k, v)| k.as_ref().map_or(0, String::len) + v.len())
            })
            .max()
            .unwrap_or(0) as u64;
        let next = self.records.saturating_add(count);
        Runner::template_bytes(key.as_ref(), value.as_ref(), next).max(line)
    }

    /// The topic a source writes.
    pub(crate) fn topic(&self) -> Option<&str> {
        self.config.topics.first().map(String::as_str)
    }

    /// Heap bytes it holds: a paste source's lines, its tasks and a sink's view.
    pub(crate) fn heap_bytes(&self) -> usize {
        let lines: usize = self
            .lines
            .iter()
            .map(|l| match l {
                Ok((k, v)) => entry::ENTRY + k.as_ref().map_or(0, String::len) + v.len(),
                Err(e) => entry::ENTRY + e.len(),
            })
            .sum();
        let tasks: usize = self
            .tasks
            .iter()
            .map(|t| entry::MEMBER + t.pending.len() * entry::ENTRY)
            .sum();
        entry::CLIENT + lines + tasks + self.view.as_ref().map_or(0, View::heap_bytes)
    }

    /// Records per simulated second it sends while it runs (0 for a sink or when paused).
    pub(crate) fn rate(&self) -> u64 {
        if self.config.class.is_source() && !self.paused {
            self.config.rate
        } else {
            0
        }
    }
}

/// The most polls one sink task makes in one step of `play`.
const MAX_SINK_POLLS: usize = 1_000;

/// `describe connector` shows at most this many rows of a sink's view (in key order).
const DESCRIBED_ROWS: usize = 100;

/// The first [`DESCRIBED_ROWS`] rows of a sink's view.
fn first_rows<V: Clone>(rows: &BTreeMap<String, V>) -> Vec<(String, V)> {
    rows.iter()
        .take(DESCRIBED_ROWS)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn client_name(name: &str, source: bool, task: usize) -> String {
    let role = if source { "producer" } else { "consumer" };
    alloc::format!("connector-{role}-{name}-{task}")
}

impl Runner {
    /// The connectors by name, with their status.
    pub fn connectors(&self) -> impl Iterator<Item = (&str, ConnectorStatus<'_>)> {
        self.connectors
            .iter()
            .map(|(n, c)| (n.as_str(), self.status(n, c)))
    }

    fn status<'a>(&self, name: &str, c: &'a Connector) -> ConnectorStatus<'a> {
        let source = c.config.class.is_source();
        let tasks = c
            .tasks
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let partitions = match t.client {
                    TaskClient::Consumer(h) if t.failed.is_none() => self
                        .cluster
                        .assignment(h)
                        .unwrap_or_default()
                        .iter()
                        .map(|a| alloc::format!("{}:{}", a.topic, a.partition))
                        .collect(),
                    _ => Vec::new(),
                };
                TaskStatus {
                    id: i as u32,
                    state: match (&t.failed, c.paused) {
                        (Some(_), _) => "FAILED",
                        (None, true) => "PAUSED",
                        (None, false) => "RUNNING",
                    },
                    trace: t.failed.clone(),
                    client: client_name(name, source, i),
                    offset: source.then_some((t.position, t.committed)),
                    partitions,
                }
            })
            .collect();
        let records_per_second = match (c.window.front(), c.window.back()) {
            (Some(&(t0, r0)), Some(&(t1, r1))) if t1 > t0 => (r1 - r0) * 1_000 / (t1 - t0),
            _ => 0,
        };
        ConnectorStatus {
            class: c.config.class.name(),
            source,
            state: if c.paused { "PAUSED" } else { "RUNNING" },
            topics: &c.config.topics,
            tasks,
            records: c.records,
            skipped: c.skipped,
            records_per_second,
            view: c.view.as_ref(),
        }
    }

    /// `describe connector NAME`: its status, and the first [`DESCRIBED_ROWS`] rows of a
    /// sink's view.
    pub(super) fn describe_connector(&self, name: &str) -> Result<ConnectorDescription> {
        let c = self
            .connectors
            .get(name)
            .ok_or_else(|| no_connector(name))?;
        let s = self.status(name, c);
        let view = s.view.map(|v| {
            let first = match v {
                View::Table(rows) => SinkRows::Table(first_rows(rows)),
                View::Counter { rows, .. } => SinkRows::Counts(first_rows(rows)),
            };
            (v.len(), first)
        });
        Ok(ConnectorDescription {
            connector: name.into(),
            class: s.class,
            source: s.source,
            state: s.state,
            topics: s.topics.to_vec(),
            tasks: s.tasks,
            records: s.records,
            skipped: s.skipped,
            records_per_second: s.records_per_second,
            view,
        })
    }

    /// `connector create NAME …`: checks the configs and starts the tasks.
    pub(super) fn create_connector(
        &mut self,
        line: usize,
        name: &str,
        configs: &[(String, String)],
        out: &mut Vec<Output>,
    ) -> Result<()> {
        if self.connectors.contains_key(name) {
            return Err(err!(InvalidRequest, "Connector {name} already exists"));
        }
        let config = ConnectorConfig::from_entries(configs)?;
        for t in &config.topics {
            self.cluster.topic(t)?;
        }
        let (lines, templates) = match &config.class {
            Class::Paste {
                format,
                data,
                key_field,
            } => (
                lines::read(data, *format, key_field.as_deref()),
                (None, None),
            ),
            Class::Datagen(q) => (Vec::new(), q.templates()),
            _ => (Vec::new(), (None, None)),
        };
        let view = match &config.class {
            Class::TableSink => Some(View::Table(BTreeMap::new())),
            Class::CounterSink { field } => Some(View::Counter {
                field: field.clone(),
                rows: BTreeMap::new(),
            }),
            _ => None,
        };
        let now = self.cluster.now();
        let mut connector = Connector {
            next_flush: SimTime(now.0.saturating_add(config.flush_interval_ms)),
            config,
            paused: false,
            tasks: Vec::new(),
            view,
            lines,
            templates,
            schema_id: None,
            records: 0,
            skipped: 0,
            window: VecDeque::new(),
        };
        for t in 0..connector.config.task_count() as usize {
            match self.start_task(name, &connector, t) {
                Ok(task) => connector.tasks.push(task),
                Err(e) => {
                    // Nothing of a connector that cannot start stays behind.
                    self.stop_tasks(&mut connector, true);
                    return Err(e);
                }
            }
        }
        // The converter registers the quickstart's schema, as Connect's does on first use;
        // a refusal fails the tasks.
        if let (true, Class::Datagen(q)) = (connector.config.json_schema, &connector.config.class) {
            let subject = topic_subject(&connector.config.topics[0], false);
            match self.registry.register(&subject, q.schema) {
                Ok(r) => connector.schema_id = Some(r.id),
                Err(e) => {
                    for t in &mut connector.tasks {
                        t.failed = Some(alloc::format!("{e}"));
                    }
                }
            }
        }
        let event = Event::ConnectorRunning {
            connector: name.to_string(),
            tasks: connector.tasks.len(),
        };
        out.push(Output::new(line, event));
        self.connectors.insert(name.to_string(), connector);
        Ok(())
    }

    /// Starts task `t`: a producer, or a consumer that joins `connect-NAME`.
    fn start_task(&mut self, name: &str, c: &Connector, t: usize) -> Result<Task> {
        let source = c.config.class.is_source();
        let client_id = client_name(name, source, t);
        let client = if source {
            let configs = [
                ("client.id", client_id.as_str()),
                ("acks", "all"),
                ("max.in.flight.requests.per.connection", "1"),
                ("delivery.timeout.ms", "2147483647"),
            ];
            TaskClient::Producer(self.cluster.create_producer(&client_id, &configs)?)
        } else {
            let group = alloc::format!("connect-{name}");
            let configs = [
                ("client.id", client_id.as_str()),
                ("group.id", group.as_str()),
                ("auto.offset.reset", "earliest"),
                ("enable.auto.commit", "false"),
            ];
            let h = self.cluster.create_consumer(&client_id, &configs)?;
            let topics: Vec<&str> = c.config.topics.iter().map(String::as_str).collect();
            self.cluster.subscribe(h, &topics)?;
            TaskClient::Consumer(h)
        };
        Ok(Task {
            client,
            failed: None,
            started: self.cluster.now(),
            sent_since_start: 0,
            position: 0,
            committed: 0,
            pending: LiteMap::new(),
        })
    }

    /// `connector pause|resume|restart|delete NAME`.
    pub(super) fn change_connector(&mut self, name: &str, action: ConnectorAction) -> Result<()> {
        let mut c = self
            .connectors
            .remove(name)
            .ok_or_else(|| no_connector(name))?;
        let result = match action {
            ConnectorAction::Pause | ConnectorAction::Resume => {
                c.paused = action == ConnectorAction::Pause;
                let now = self.cluster.now();
                for t in &mut c.tasks {
                    // A source's rate counts from when it runs again.
                    t.started = now;
                    t.sent_since_start = 0;
                }
                Ok(())
            }
            ConnectorAction::Restart => self.restart_tasks(name, &mut c, true),
            ConnectorAction::Delete => {
                self.stop_tasks(&mut c, true);
                return Ok(());
            }
        };
        self.connectors.insert(name.to_string(), c);
        result
    }

    /// `fault crash NAME` for a connector: its worker dies (nothing is committed) and the
    /// tasks start again elsewhere, from the last committed offsets.
    pub(super) fn crash_connector(&mut self, name: &str) -> Result<bool> {
        let Some(mut c) = self.connectors.remove(name) else {
            return Ok(false);
        };
        let result = self.restart_tasks(name, &mut c, false);
        self.connectors.insert(name.to_string(), c);
        result.map(|()| true)
    }

    fn restart_tasks(&mut self, name: &str, c: &mut Connector, clean: bool) -> Result<()> {
        self.stop_tasks(c, clean);
        let mut tasks = Vec::new();
        for t in 0..c.tasks.len() {
            let mut task = self.start_task(name, c, t)?;
            task.position = c.tasks[t].committed;
            task.committed = c.tasks[t].committed;
            tasks.push(task);
        }
        c.tasks = tasks;
        Ok(())
    }

    /// Stops every task: cleanly (flush, commit, close) or as a crash.
    fn stop_tasks(&mut self, c: &mut Connector, clean: bool) {
        for task in &mut c.tasks {
            self.stop_task(task, clean);
        }
    }

    /// Stops one task's client. Cleanly, a source flushes and commits what was
    /// acknowledged, and a sink commits its positions (unless the task failed) and leaves its
    /// group; a crash commits nothing and leaves the group to notice.
    fn stop_task(&mut self, task: &mut Task, clean: bool) {
        match task.client {
            TaskClient::Producer(h) if clean => {
                if let Ok(events) = self.cluster.close_producer(h) {
                    settle(task, events);
                }
                task.committed = task
                    .pending
                    .values()
                    .next()
                    .copied()
                    .unwrap_or(task.position);
            }
            TaskClient::Producer(h) => {
                let _ = self.cluster.crash_producer(h);
            }
            TaskClient::Consumer(h) if clean => {
                if task.failed.is_none() {
                    let _ = self.cluster.commit(h, None);
                }
                let _ = self.cluster.close_consumer(h);
            }
            TaskClient::Consumer(h) => {
                let _ = self.cluster.crash_consumer(h);
            }
        }
    }

    /// One step of `play`: every running task sends what is due or polls; offsets are
    /// committed every `offset.flush.interval.ms`.
    pub(super) fn run_connectors(&mut self, line: usize, out: &mut Vec<Output>) {
        let names: Vec<String> = self.connectors.keys().cloned().collect();
        for name in names {
            let Some(mut c) = self.connectors.remove(&name) else {
                continue;
            };
            for t in 0..c.tasks.len() {
                if c.tasks[t].failed.is_some() {
                    continue;
                }
                let result = match c.tasks[t].client {
                    TaskClient::Producer(h) => self.run_source_task(&mut c, t, h),
                    TaskClient::Consumer(h) => self.run_sink_task(&mut c, h),
                };
                if let Err(e) = result {
                    // A failed task stops: its producer closes, its consumer leaves the
                    // group (without committing), so the other tasks take its partitions.
                    c.tasks[t].failed = Some(alloc::format!("{e}"));
                    let event = Event::TaskFailed {
                        connector: name.clone(),
                        task: t,
                        error: e,
                    };
                    out.push(Output::new(line, event));
                    self.stop_task(&mut c.tasks[t], true);
                }
            }
            let now = self.cluster.now();
            if now >= c.next_flush {
                c.next_flush = SimTime(now.0.saturating_add(c.config.flush_interval_ms));
                self.commit_offsets(&mut c);
            }
            c.window.push_back((now.0, c.records));
            while c.window.len() > 1 && c.window.front().is_some_and(|(t, _)| t + 1_000 < now.0) {
                c.window.pop_front();
            }
            self.connectors.insert(name, c);
        }
    }

    /// Connect's offset commit: a source task's offset is the position of its oldest record
    /// not yet acknowledged; a sink task commits its consumer's positions.
    fn commit_offsets(&mut self, c: &mut Connector) {
        for task in c.tasks.iter_mut().filter(|t| t.failed.is_none()) {
            match task.client {
                TaskClient::Producer(_) => {
                    task.committed = task
                        .pending
                        .values()
                        .next()
                        .copied()
                        .unwrap_or(task.position)
                }
                TaskClient::Consumer(h) => {
                    let _ = self.cluster.commit(h, None);
                }
            }
        }
    }

    fn run_source_task(&mut self, c: &mut Connector, t: usize, h: ProducerHandle) -> Result<()> {
        let events = self.cluster.drain_producer_events(h)?;
        let task = &mut c.tasks[t];
        if let Some(e) = settle(task, events) {
            return Err(e);
        }
        if c.paused {
            return Ok(());
        }
        let now = self.cluster.now();
        let rate = c.config.task_rate(t as u32);
        let mut due = records_due(rate, task.started, now, task.sent_since_start);
        let limit = match &c.config.class {
            Class::Paste { .. } => Some(c.lines.len() as u64),
            _ => c.config.iterations,
        };
        let topic = &c.config.topics[0];
        let (mut key, mut value) = (String::new(), String::new());
        while due > 0 && limit.is_none_or(|l| task.position < l) {
            due -= 1;
            task.sent_since_start += 1;
            let position = task.position;
            let (k, v): (Option<&str>, String) = match &c.config.class {
                Class::Paste { .. } => match &c.lines[position as usize] {
                    Ok((k, v)) => {
                        key.clear();
                        key.push_str(k.as_deref().unwrap_or(""));
                        (k.as_ref().map(|_| key.as_str()), v.clone())
                    }
                    Err(_) if c.config.tolerate_errors => {
                        task.position += 1;
                        c.skipped += 1;
                        continue;
                    }
                    Err(e) => {
                        return Err(err!(
                            SerializationException,
                            "Tolerance exceeded in error handler: {e}"
                        ))
                    }
                },
                _ => {
                    // Task t's n-th record is record n × tasks + t: tasks never repeat
                    // each other's keys.
                    let index = position
                        .saturating_mul(u64::from(c.config.task_count()))
                        .saturating_add(t as u64);
                    if let Some(k) = &c.templates.0 {
                        k.render(index, &mut self.rng, &mut key);
                    }
                    if let Some(v) = &c.templates.1 {
                        v.render(index, &mut self.rng, &mut value);
                    }
                    (c.templates.0.as_ref().map(|_| key.as_str()), value.clone())
                }
            };
            let bytes = if c.config.json_schema {
                match wire::serialize(
                    &self.registry,
                    &topic_subject(topic, false),
                    c.schema_id,
                    &v,
                    true,
                ) {
                    Ok(b) => b,
                    Err(_) if c.config.tolerate_errors => {
                        task.position += 1;
                        c.skipped += 1;
                        continue;
                    }
                    Err(e) => return Err(e),
                }
            } else {
                v.into_bytes()
            };
            let record = ProducerRecord {
                topic,
                partition: None,
                key: k.map(str::as_bytes),
                value: Some(&bytes),
                headers: &[],
                timestamp: None,
            };
            let id = self.send(h, Serdes::default(), &record)?;
            task.pending.insert(id, position);
            task.position += 1;
            c.records += 1;
        }
        Ok(())
    }

    fn run_sink_task(&mut self, c: &mut Connector, h: ConsumerHandle) -> Result<()> {
        if c.paused {
            // Connect pauses the consumer's partitions and keeps polling (so it stays in
            // the group).
            for a in self.cluster.assignment(h)? {
                if !a.paused {
                    self.cluster.pause(h, &a.topic, a.partition)?;
                }
            }
        } else {
            for a in self.cluster.assignment(h)? {
                if a.paused {
                    self.cluster.resume(h, &a.topic, a.partition)?;
                }
            }
        }
        // Connect's sink task polls in a loop: within a step it reads until it has caught
        // up (or `MAX_SINK_POLLS` polls), so `max.poll.records` bounds one poll, not the rate.
        for _ in 0..MAX_SINK_POLLS {
            let messages = self.cluster.poll(h)?;
            let _ = self.cluster.drain_consumer_events(h);
            if messages.is_empty() {
                break;
            }
            self.sink_records(c, &messages)?;
        }
        Ok(())
    }

    /// Converts and applies polled records to a sink's view.
    fn sink_records(&self, c: &mut Connector, messages: &[crate::record::Message]) -> Result<()> {
        for m in messages {
            let key = m.key().map(|k| String::from_utf8_lossy(k).into_owned());
            let value = match m.value() {
                None => None,
                Some(v) if c.config.json_schema => match wire::deserialize(&self.registry, v, true)
                {
                    Ok((_, text)) => Some(text),
                    Err(_) if c.config.tolerate_errors => {
                        c.skipped += 1;
                        continue;
                    }
                    Err(e) => {
                        return Err(err!(
                            SerializationException,
                            "Tolerance exceeded in error handler: {} at {}-{} offset {}",
                            e.message,
                            m.topic(),
                            m.partition(),
                            m.offset()
                        ))
                    }
                },
                Some(v) => Some(String::from_utf8_lossy(v).into_owned()),
            };
            if let Some(view) = &mut c.view {
                view.apply(key.as_deref(), value.as_deref());
            }
            c.records += 1;
        }
        Ok(())
    }
}

/// Applies delivery reports to a source task: acknowledged records leave `pending`; the
/// first failure is returned (the task fails, as Connect's does on a send error).
fn settle(task: &mut Task, events: Vec<ProducerEvent>) -> Option<Error> {
    let mut failure = None;
    for e in events {
        if let ProducerEvent::Delivered(d) = e {
            match d.error {
                None => {
                    task.pending.remove(&d.id);
                }
                Some(e) => {
                    failure.get_or_insert(e);
                }
            }
        }
    }
    failure
}

fn no_connector(name: &str) -> Error {
    err!(InvalidRequest, "Connector {name} not found")
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::error::ErrorCode;
    use crate::script::parse;

    fn apply(r: &mut Runner, line: &str) -> Vec<Output> {
        let script = parse(line).unwrap();
        r.apply(1, &script.commands[0].1)
            .unwrap_or_else(|f| f.outputs)
    }

    /// A sink task that meets a record it cannot convert fails (errors.tolerance=none) and
    /// leaves the group; the other task takes its partitions and fails on the same record,
    /// while with errors.tolerance=all the record is skipped and counted.
    #[test]
    fn a_failed_sink_task_leaves_its_group_to_the_others() {
        let mut r = Runner::new();
        for line in [
            "topic create t partitions=2",
            "schema register t-value {\"type\":\"integer\"}",
            "producer p value.serializer=KafkaJsonSchemaSerializer linger.ms=0",
            "produce p t partition=0 value=1",
            "produce p t partition=1 value=2",
            "producer raw linger.ms=0",
            "produce raw t partition=1 value=not-framed",
            "produce p t partition=1 value=3",
            "connector create strict connector.class=TableSinkConnector topics=t tasks.max=2 value.converter=JsonSchemaConverter",
            "connector create lenient connector.class=CounterSinkConnector topics=t tasks.max=2 value.converter=JsonSchemaConverter errors.tolerance=all",
            "play 60s step=500ms",
        ] {
            let out = apply(&mut r, line);
            assert!(out[0].error().is_none(), "{line}: {:?}", out[0]);
        }
        let status: BTreeMap<&str, ConnectorStatus<'_>> = r.connectors().collect();
        let states = |name: &str| {
            status[name]
                .tasks
                .iter()
                .map(|t| t.state)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            states("strict"),
            ["FAILED", "FAILED"],
            "the survivor took the partition and met the record"
        );
        assert_eq!(
            (status["lenient"].records, status["lenient"].skipped),
            (3, 1)
        );
        let group = r.cluster.describe_group("connect-strict").unwrap();
        assert!(group.members.is_empty(), "failed tasks left the group");
    }

    /// A connector whose tasks cannot all start leaves nothing behind: no clients, no
    /// registered schema, no connector.
    #[test]
    fn a_connector_that_cannot_start_changes_nothing() {
        let mut r = Runner::new();
        r.set_limits(crate::budget::Limits {
            clients: 10,
            ..crate::budget::Limits::default()
        });
        apply(&mut r, "topic create orders partitions=2");
        for i in 0..10 - 2 {
            r.cluster
                .create_producer(&alloc::format!("p{i}"), &[])
                .unwrap();
        }
        let before = r.cluster.state_hash();
        let out = apply(&mut r, "connector create gen connector.class=Datagen kafka.topic=orders quickstart=orders tasks.max=3 value.converter=JsonSchemaConverter");
        assert_eq!(
            out[0].error().map(|e| e.code.name()),
            Some(ErrorCode::PolicyViolation.name())
        );
        assert_eq!(r.connectors().count(), 0);
        assert_eq!(r.registry().subjects().count(), 0);
        assert_eq!(r.cluster.state_hash(), before);
        let out = apply(&mut r, "connector create gen connector.class=Datagen kafka.topic=orders quickstart=orders tasks.max=2");
        assert!(out[0].error().is_none());
    }
}
