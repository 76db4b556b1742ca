//! The transactional swarm: seeded random runs of transactional writers, `read_committed`
//! and `read_uncommitted` readers, and an exactly-once pipeline (consume, transform, produce
//! with `sendOffsetsToTransaction`), with aborts, lost acks, crashes, zombies (fencing) and
//! `transaction.timeout.ms`. A history checker looks for Jepsen's Kafka anomalies:
//! `aborted-read` (G1a), `lost-write` (committed but never readable), `duplicate`,
//! `nonmonotonic-poll`, `poll-skip` and `inconsistent-offsets`, plus `zombie-commit` (a
//! fenced producer's commit that succeeded).

use std::collections::BTreeMap;

use logplay_core::log::IsolationLevel;
use logplay_core::{
    Cluster, ClusterConfig, ConsumerHandle, ErrorCode, ProducerHandle, ProducerRecord, Rng,
};

use crate::swarm::Anomaly;

/// How to reproduce a seed.
pub const REPRODUCE: &str = "cargo run --release -p logplay-tests --bin swarm -- --txn --seed";

/// Records the exactly-once pipeline's input topic holds.
const INPUT_RECORDS: u64 = 300;

/// What a transactional run did and found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxnReport {
    /// The seed.
    pub seed: u64,
    /// Operations applied.
    pub ops: usize,
    /// Transactions committed (writers and the pipeline).
    pub committed: usize,
    /// Transactions that did not commit: aborted, timed out, fenced or crashed.
    pub not_committed: usize,
    /// Records returned by polls.
    pub polled: usize,
    /// The final state hash.
    pub state_hash: u64,
    /// What the checker found.
    pub anomalies: Vec<Anomaly>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Open,
    Committed,
    NotCommitted,
}

struct Writer {
    id: String,
    configs: Vec<(String, String)>,
    handle: ProducerHandle,
    /// The transaction it is in, if any.
    txn: Option<usize>,
}

/// The history: every transaction's outcome, every value's transaction, what was read where.
#[derive(Default)]
struct History {
    outcomes: Vec<Outcome>,
    txn_of: BTreeMap<Vec<u8>, usize>,
    seen_at: BTreeMap<(String, u32, i64), Vec<u8>>,
    read_by: BTreeMap<(String, Vec<u8>), i64>,
    last: BTreeMap<(String, String, u32), i64>,
    polled: usize,
    anomalies: Vec<Anomaly>,
}

impl History {
    fn flag(&mut self, kind: &'static str, detail: String) {
        if self.anomalies.len() < 20 {
            self.anomalies.push(Anomaly { kind, detail });
        }
    }

    fn begin(&mut self) -> usize {
        self.outcomes.push(Outcome::Open);
        self.outcomes.len() - 1
    }

    fn end(&mut self, txn: Option<usize>, outcome: Outcome) {
        if let Some(t) = txn {
            self.outcomes[t] = outcome;
        }
    }
}

fn start_writer(c: &mut Cluster, id: &str, configs: &[(String, String)]) -> ProducerHandle {
    let configs: Vec<(&str, &str)> = configs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let h = c
        .create_producer(id, &configs)
        .expect("valid writer configs");
    c.init_transactions(h).expect("a new producer initializes");
    h
}

fn reader(
    c: &mut Cluster,
    name: &str,
    group: Option<&str>,
    isolation: &str,
    topic: &str,
) -> ConsumerHandle {
    let mut configs = vec![
        ("auto.offset.reset", "earliest"),
        ("isolation.level", isolation),
        ("enable.auto.commit", "false"),
        ("max.poll.records", "7"),
    ];
    if let Some(g) = group {
        configs.push(("group.id", g));
    }
    let h = c
        .create_consumer(name, &configs)
        .expect("valid reader configs");
    let partitions = c.topic(topic).map_or(0, |t| t.partitions().len() as u32);
    let tps: Vec<(&str, u32)> = (0..partitions).map(|p| (topic, p)).collect();
    c.assign(h, &tps).expect("the topic exists");
    h
}

/// Polls a reader and checks what it returned against the history and the log.
fn poll(
    c: &mut Cluster,
    h: ConsumerHandle,
    name: &str,
    history: &mut History,
) -> Vec<(String, u32, i64, Vec<u8>)> {
    let Ok(messages) = c.poll(h) else {
        return Vec::new();
    };
    let committed_only = c
        .consumer(h)
        .is_ok_and(|r| r.config().isolation_level == IsolationLevel::ReadCommitted);
    let mut out = Vec::new();
    for m in messages {
        let (topic, p, offset) = (m.topic().to_string(), m.partition(), m.offset());
        let value = m.value().unwrap_or_default().to_vec();
        history.polled += 1;
        let at = (topic.clone(), p, offset);
        match history.seen_at.get(&at) {
            Some(v) if *v != value => history.flag(
                "inconsistent-offsets",
                format!(
                    "{topic}-{p}@{offset}: {:?} then {:?}",
                    String::from_utf8_lossy(v),
                    String::from_utf8_lossy(&value)
                ),
            ),
            Some(_) => {}
            None => {
                history.seen_at.insert(at, value.clone());
            }
        }
        let key = (name.to_string(), topic.clone(), p);
        let previous = history.last.get(&key).copied();
        if previous.is_some_and(|prev| offset <= prev) {
            history.flag(
                "nonmonotonic-poll",
                format!(
                    "{name} read {topic}-{p}@{offset} after @{}",
                    previous.unwrap_or_default()
                ),
            );
        }
        if committed_only {
            let outcome = history.txn_of.get(&value).map(|t| history.outcomes[*t]);
            if matches!(outcome, Some(Outcome::Open | Outcome::NotCommitted)) {
                history.flag("aborted-read", format!("{name} read {:?} at {topic}-{p}@{offset}, from a transaction that did not commit", String::from_utf8_lossy(&value)));
            }
            // Poll skip: nothing readable may lie between the previous record and this one.
            let log = &c.topic(&topic).expect("swarm topics exist").partitions()[p as usize].log;
            let from = previous.map_or(log.log_start_offset(), |prev| prev + 1);
            let expected = log
                .fetch(from, 1, usize::MAX, IsolationLevel::ReadCommitted)
                .ok()
                .and_then(|f| f.records.first().map(|r| r.offset));
            if previous.is_some() && expected != Some(offset) {
                history.flag("poll-skip", format!("{name} read {topic}-{p}@{offset} after @{}, but {expected:?} was readable first", previous.unwrap_or_default()));
            }
            if let Some(first) = history
                .read_by
                .insert((name.to_string(), value.clone()), offset)
            {
                history.flag(
                    "duplicate",
                    format!(
                        "{name} read {:?} at {topic}-{p}@{first} and @{offset}",
                        String::from_utf8_lossy(&value)
                    ),
                );
            }
        }
        history.last.insert(key, offset);
        out.push((topic, p, offset, value));
    }
    out
}

/// A record with a value only.
fn unkeyed<'a>(topic: &'a str, value: &'a [u8]) -> ProducerRecord<'a> {
    ProducerRecord {
        topic,
        partition: None,
        key: None,
        value: Some(value),
        headers: &[],
        timestamp: None,
    }
}

/// Every value a `read_committed` consumer can read from `topic`, with its count.
fn committed_values(c: &Cluster, topic: &str) -> BTreeMap<Vec<u8>, usize> {
    let mut values = BTreeMap::new();
    for part in c.topic(topic).map(|t| t.partitions()).unwrap_or_default() {
        let log = &part.log;
        let mut offset = log.log_start_offset();
        while let Ok(f) = log.fetch(offset, 1_000, usize::MAX, IsolationLevel::ReadCommitted) {
            for r in &f.records {
                *values
                    .entry(r.value.unwrap_or_default().to_vec())
                    .or_insert(0) += 1;
            }
            if f.next_offset == offset {
                break;
            }
            offset = f.next_offset;
        }
    }
    values
}

/// The exactly-once pipeline: its consumer, its transactional producer, and its readers.
struct Pipeline {
    app: ConsumerHandle,
    out: ProducerHandle,
    /// Restarts so far: a restarted app re-reads from its committed offsets, legitimately.
    incarnation: u32,
}

impl Pipeline {
    fn start(c: &mut Cluster, incarnation: u32) -> Self {
        let app = reader(c, "app", Some("eos"), "read_committed", "in");
        let out = c
            .create_producer(
                "app-out",
                &[("transactional.id", "eos-app"), ("linger.ms", "0")],
            )
            .expect("valid");
        c.init_transactions(out)
            .expect("a new producer initializes");
        Self {
            app,
            out,
            incarnation,
        }
    }

    fn restart(&mut self, c: &mut Cluster) {
        let _ = c.crash_producer(self.out);
        let _ = c.crash_consumer(self.app);
        *self = Self::start(c, self.incarnation + 1);
    }

    /// One round: poll, then write each record transformed, with the offsets, in one
    /// transaction; `crash` kills both halves before the commit.
    fn step(&mut self, c: &mut Cluster, history: &mut History, crash: bool) -> bool {
        let records = poll(c, self.app, &format!("app#{}", self.incarnation), history);
        if records.is_empty() {
            return false;
        }
        let txn = history.begin();
        let ok = c.begin_transaction(self.out).is_ok()
            && records.iter().all(|(_, _, _, v)| {
                let value = [b"out-of-".as_slice(), v].concat();
                history.txn_of.insert(value.clone(), txn);
                let record = unkeyed("out", &value);
                c.produce(self.out, &record).is_ok()
            })
            && c.send_offsets_to_transaction(self.out, self.app).is_ok();
        if crash {
            history.end(Some(txn), Outcome::NotCommitted);
            self.restart(c);
            return true;
        }
        if ok && c.commit_transaction(self.out).is_ok() {
            history.end(Some(txn), Outcome::Committed);
        } else {
            history.end(Some(txn), Outcome::NotCommitted);
            if c.abort_transaction(self.out).is_err() {
                self.restart(c);
            }
        }
        true
    }
}

/// Runs one seed and checks its history.
pub fn run(seed: u64, ops: usize) -> TxnReport {
    let mut rng = Rng::new(seed ^ 0x7A5_0000);
    let mut c = Cluster::new(ClusterConfig {
        seed,
        ..ClusterConfig::default()
    });
    let ok = "the swarm's setup is valid";
    for (topic, n) in [
        ("data", 1 + rng.below(4)),
        ("in", 1 + rng.below(3)),
        ("out", 1 + rng.below(3)),
    ] {
        c.create_topic(topic, n as u32, &[]).expect(ok);
    }
    let mut history = History::default();
    // The pipeline's input, written and acknowledged up front.
    let feeder = c
        .create_producer("feeder", &[("linger.ms", "0")])
        .expect(ok);
    for i in 0..INPUT_RECORDS {
        let value = format!("in-{i}").into_bytes();
        let record = unkeyed("in", &value);
        c.produce(feeder, &record).expect(ok);
    }
    c.flush(feeder).expect(ok);
    let mut writers: Vec<Writer> = (0..1 + rng.below(3))
        .map(|i| {
            let configs = vec![
                ("transactional.id".to_string(), format!("w{i}")),
                (
                    "transaction.timeout.ms".to_string(),
                    (300 + rng.below(3_000)).to_string(),
                ),
                (
                    "linger.ms".to_string(),
                    ["0", "5", "20"][rng.below(3) as usize].to_string(),
                ),
                (
                    "max.in.flight.requests.per.connection".to_string(),
                    (1 + rng.below(5)).to_string(),
                ),
            ];
            let id = format!("w{i}");
            let handle = start_writer(&mut c, &id, &configs);
            Writer {
                id,
                configs,
                handle,
                txn: None,
            }
        })
        .collect();
    let mut zombies: Vec<ProducerHandle> = Vec::new();
    let committed_reader = reader(&mut c, "rc", None, "read_committed", "data");
    let uncommitted_reader = reader(&mut c, "ru", None, "read_uncommitted", "data");
    let out_reader = reader(&mut c, "out-rc", None, "read_committed", "out");
    let mut pipeline = Pipeline::start(&mut c, 0);
    let mut n = 0u64;
    for _ in 0..ops {
        let wi = rng.below(writers.len() as u64) as usize;
        let result = match rng.below(100) {
            0..=29 => {
                let w = &mut writers[wi];
                match w.txn {
                    None => c
                        .begin_transaction(w.handle)
                        .map(|()| w.txn = Some(history.begin())),
                    Some(txn) => {
                        n += 1;
                        let value = format!("{}-t{txn}-{n}", w.id).into_bytes();
                        history.txn_of.insert(value.clone(), txn);
                        let record = unkeyed("data", &value);
                        c.produce(w.handle, &record).map(|_| ())
                    }
                }
            }
            30..=37 => match writers[wi].txn {
                Some(txn) => c.commit_transaction(writers[wi].handle).map(|()| {
                    history.end(Some(txn), Outcome::Committed);
                    writers[wi].txn = None;
                }),
                None => Ok(()),
            },
            38..=42 => match writers[wi].txn {
                Some(txn) => c.abort_transaction(writers[wi].handle).map(|()| {
                    history.end(Some(txn), Outcome::NotCommitted);
                    writers[wi].txn = None;
                }),
                None => Ok(()),
            },
            43..=57 => {
                let ms = if rng.below(15) == 0 {
                    1_000 + rng.below(3_000)
                } else {
                    rng.below(300)
                };
                c.tick(ms)
            }
            58..=63 => {
                poll(&mut c, committed_reader, "rc", &mut history);
                Ok(())
            }
            64..=67 => {
                poll(&mut c, uncommitted_reader, "ru", &mut history);
                Ok(())
            }
            68..=69 => c.lose_acks(writers[wi].handle, 1),
            70..=71 => {
                // A crash: the new instance's initTransactions() aborts what was open.
                let _ = c.crash_producer(writers[wi].handle);
                history.end(writers[wi].txn.take(), Outcome::NotCommitted);
                writers[wi].handle = start_writer(&mut c, &writers[wi].id, &writers[wi].configs);
                Ok(())
            }
            72 => {
                // A zombie: a second instance takes over; the first lives on, fenced.
                zombies.push(writers[wi].handle);
                history.end(writers[wi].txn.take(), Outcome::NotCommitted);
                writers[wi].handle = start_writer(&mut c, &writers[wi].id, &writers[wi].configs);
                Ok(())
            }
            73..=74 => {
                if let Some(&z) = zombies.get(rng.below(zombies.len().max(1) as u64) as usize) {
                    let value = b"zombie".to_vec();
                    let record = unkeyed("data", &value);
                    let _ = c.produce(z, &record);
                    if c.commit_transaction(z).is_ok() {
                        history.flag(
                            "zombie-commit",
                            "a fenced producer committed a transaction".into(),
                        );
                    }
                }
                Ok(())
            }
            75..=89 => {
                let crash = rng.below(12) == 0;
                pipeline.step(&mut c, &mut history, crash);
                Ok(())
            }
            _ => {
                poll(&mut c, out_reader, "out-rc", &mut history);
                Ok(())
            }
        };
        if let Err(e) = result {
            // A fenced writer (zombie or timed out) must close; the application restarts it.
            if e.code == ErrorCode::ProducerFenced {
                history.end(writers[wi].txn.take(), Outcome::NotCommitted);
                let _ = c.close_producer(writers[wi].handle);
                writers[wi].handle = start_writer(&mut c, &writers[wi].id, &writers[wi].configs);
            } else if e.code == ErrorCode::InvalidTxnState {
                // An abortable error: abort, then carry on.
                if c.abort_transaction(writers[wi].handle).is_ok() {
                    history.end(writers[wi].txn.take(), Outcome::NotCommitted);
                }
            }
        }
    }
    // The end: open transactions commit (or abort), retries finish, the pipeline drains.
    for w in &mut writers {
        if let Some(txn) = w.txn.take() {
            let mut outcome = Outcome::NotCommitted;
            for _ in 0..10 {
                match c.commit_transaction(w.handle) {
                    Ok(()) => {
                        outcome = Outcome::Committed;
                        break;
                    }
                    Err(e) if e.code == ErrorCode::RequestTimedOut => {
                        c.tick(1_000).expect("bounded")
                    }
                    Err(_) => {
                        let _ = c.abort_transaction(w.handle);
                        break;
                    }
                }
            }
            history.end(Some(txn), outcome);
        }
    }
    for _ in 0..INPUT_RECORDS {
        if !pipeline.step(&mut c, &mut history, false) {
            break;
        }
    }
    c.tick(10_000).expect("bounded");
    while !poll(&mut c, committed_reader, "rc", &mut history).is_empty() {}
    while !poll(&mut c, out_reader, "out-rc", &mut history).is_empty() {}
    // Lost writes: every committed value is readable, exactly once; nothing else is.
    let data = committed_values(&c, "data");
    let out = committed_values(&c, "out");
    for (value, txn) in &history.txn_of.clone() {
        let committed = history.outcomes[*txn] == Outcome::Committed;
        let count = data
            .get(value)
            .or_else(|| out.get(value))
            .copied()
            .unwrap_or(0);
        if committed && count == 0 {
            history.flag(
                "lost-write",
                format!(
                    "{:?} committed but is not readable",
                    String::from_utf8_lossy(value)
                ),
            );
        }
        if !committed && count > 0 {
            history.flag(
                "aborted-read",
                format!(
                    "{:?} did not commit but is readable",
                    String::from_utf8_lossy(value)
                ),
            );
        }
    }
    // Exactly once: each input record's output appears once in the committed output.
    for i in 0..INPUT_RECORDS {
        let value = format!("out-of-in-{i}").into_bytes();
        match out.get(&value).copied().unwrap_or(0) {
            1 => {}
            0 => history.flag("lost-write", format!("in-{i} never reached the output")),
            k => history.flag("duplicate", format!("in-{i} reached the output {k} times")),
        }
    }
    for (value, k) in data.iter().chain(&out) {
        if *k > 1 {
            history.flag(
                "duplicate",
                format!("{:?} is readable {k} times", String::from_utf8_lossy(value)),
            );
        }
    }
    let committed = history
        .outcomes
        .iter()
        .filter(|o| **o == Outcome::Committed)
        .count();
    TxnReport {
        seed,
        ops,
        committed,
        not_committed: history.outcomes.len() - committed,
        polled: history.polled,
        state_hash: c.state_hash(),
        anomalies: history.anomalies,
    }
}
