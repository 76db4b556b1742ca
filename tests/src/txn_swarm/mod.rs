//! The transactional swarm: seeded random runs of transactional writers, `read_committed`
//! and `read_uncommitted` readers, and an exactly-once pipeline (consume, transform, produce
//! with `sendOffsetsToTransaction`), with aborts, lost acks, crashes, zombies (fencing) and
//! `transaction.timeout.ms`. A history checker looks for Jepsen's Kafka anomalies:
//! `aborted-read` (G1a), `lost-write` (committed but not readable, or skipped by a later
//! `read_committed` reader), `duplicate`, `nonmonotonic-poll`, `poll-skip` and
//! `inconsistent-offsets`, plus `zombie-commit` (a fenced producer's commit that succeeded).
//!
//! With faults ([`TxnSwarmConfig::faults`]) the same workload runs on 3–5 brokers with
//! replicated topics while brokers stop, start, are cut off and heal (the coordinators'
//! partitions too), writers close mid-transaction, and an idempotent producer sends beside
//! them. Its auditor adds `stuck-lso` (a partition's last stable offset behind an ended
//! transaction once the partition is online), `hanging-transaction` (a coordinator that never
//! ends one), `lost-delivery` (an idempotent send with no delivery report) and
//! `stuck-producer` (an idempotent producer that no longer delivers).

use logplay_core::log::IsolationLevel;
use logplay_core::txn::ClientState;
use logplay_core::{Cluster, ClusterConfig, ConsumerHandle, Error, ErrorCode, ProducerHandle, Rng};

use crate::swarm::Anomaly;

mod faults;
mod history;

use history::{poll, readable_values, reader, unkeyed, History, Outcome};

/// How to reproduce a seed.
pub const REPRODUCE: &str = "cargo run --release -p logplay-tests --bin swarm -- --txn --seed";

/// Records the exactly-once pipeline's input topic holds.
const INPUT_RECORDS: u64 = 300;

/// One run of the transactional swarm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TxnSwarmConfig {
    /// The seed of the cluster and of the workload.
    pub seed: u64,
    /// Operations to apply.
    pub ops: usize,
    /// Broker faults, replicated topics, closes and an audited idempotent producer.
    pub faults: bool,
}

impl TxnSwarmConfig {
    /// The flags that reproduce this run with the `swarm` binary, after [`REPRODUCE`].
    pub fn reproduce(&self) -> String {
        let faults = if self.faults { " --faults" } else { "" };
        format!("{REPRODUCE} {} --ops {}{faults}", self.seed, self.ops)
    }
}

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
    /// Broker stops, starts, isolations and heals.
    pub broker_faults: usize,
    /// Sends of the idempotent producer, and how many it delivered.
    pub idempotent: (usize, usize),
    /// The final state hash.
    pub state_hash: u64,
    /// What the checker found.
    pub anomalies: Vec<Anomaly>,
}

struct Writer {
    id: String,
    configs: Vec<(String, String)>,
    handle: ProducerHandle,
    /// Whether `initTransactions()` completed (a fault can make it fail or wait; it is
    /// retried).
    ready: bool,
    /// The transaction it is in, if any.
    txn: Option<usize>,
    /// How many instances of its `transactional.id` have completed `initTransactions()`.
    generation: u32,
}

/// An older instance of a writer that lives on after a new one started.
struct Zombie {
    handle: ProducerHandle,
    writer: usize,
    /// The writer's generation when it became a zombie: once a newer instance completes
    /// `initTransactions()`, it is fenced.
    generation: u32,
    /// The transaction it had open.
    txn: Option<usize>,
}

impl Writer {
    fn start(c: &mut Cluster, id: &str, configs: Vec<(String, String)>) -> Self {
        let pairs: Vec<(&str, &str)> = configs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let handle = c.create_producer(id, &pairs).expect("valid writer configs");
        let ready = initialized(c, handle);
        Self {
            id: id.to_string(),
            configs,
            handle,
            ready,
            txn: None,
            generation: u32::from(ready),
        }
    }

    /// A new instance with the same `transactional.id`.
    fn restart(&mut self, c: &mut Cluster) {
        let generation = self.generation;
        *self = Self::start(c, &self.id.clone(), self.configs.clone());
        self.generation += generation;
    }

    /// A new instance whose transactions may take a minute: a writer whose
    /// `transaction.timeout.ms` is shorter than replication takes is fenced at every try.
    fn restart_patient(&mut self, c: &mut Cluster) {
        self.configs.retain(|(k, _)| k != "transaction.timeout.ms");
        self.restart(c);
    }

    /// Retries `initTransactions()` if it has not succeeded yet; false while it waits (also
    /// for the new epoch an abort asked for).
    fn ensure_ready(&mut self, c: &mut Cluster) -> bool {
        let ready = initialized(c, self.handle);
        self.generation += u32::from(ready && !self.ready);
        self.ready = ready;
        ready
    }
}

/// The exactly-once pipeline: its consumer, its transactional producer, and its readers.
struct Pipeline {
    app: ConsumerHandle,
    out: ProducerHandle,
    ready: bool,
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
        let ready = initialized(c, out);
        Self {
            app,
            out,
            ready,
            incarnation,
        }
    }

    fn restart(&mut self, c: &mut Cluster) {
        let _ = c.crash_producer(self.out);
        let _ = c.crash_consumer(self.app);
        *self = Self::start(c, self.incarnation + 1);
    }

    /// One round: poll, then write each record transformed, with the offsets, in one
    /// transaction; `crash` kills both halves before the commit. Returns whether it did work.
    fn step(&mut self, c: &mut Cluster, history: &mut History, crash: bool) -> bool {
        if !self.ready {
            self.ready = initialized(c, self.out);
            return self.ready;
        }
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
        if ok && commit_with_retries(c, self.out, 5).is_ok() {
            history.end(Some(txn), Outcome::Committed);
        } else {
            history.end(Some(txn), Outcome::NotCommitted);
            // The app rewinds to its committed offsets: a restart, as a real app would.
            let _ = c.abort_transaction(self.out);
            self.restart(c);
        }
        true
    }
}

/// Calls `initTransactions()` unless it is done or waiting; whether the producer is ready.
fn initialized(c: &mut Cluster, h: ProducerHandle) -> bool {
    let state = |c: &Cluster| c.producer(h).ok().and_then(|p| p.transaction_state());
    if state(c) == Some(ClientState::Uninitialized) {
        let _ = c.init_transactions(h);
    }
    !matches!(
        state(c),
        Some(ClientState::Uninitialized | ClientState::Initializing) | None
    )
}

/// Commits, moving the clock a second and trying again (at most `tries` times) while the
/// commit can still succeed (a flush that timed out, a coordinator away or busy).
fn commit_with_retries(c: &mut Cluster, h: ProducerHandle, tries: usize) -> Result<(), Error> {
    let mut left = tries;
    loop {
        match c.commit_transaction(h) {
            Err(e) if retriable(e.code) && left > 1 => {
                left -= 1;
                c.tick(1_000).expect("bounded");
            }
            done => return done,
        }
    }
}

/// The transactional errors after which the same call may succeed later.
fn retriable(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::RequestTimedOut
            | ErrorCode::CoordinatorNotAvailable
            | ErrorCode::ConcurrentTransactions
    )
}

/// One more transaction of `w`: aborted and tried again after an error, as an application
/// would, and with a new instance if it was fenced meanwhile.
fn last_transaction(c: &mut Cluster, w: &mut Writer, history: &mut History) -> Result<(), String> {
    let mut last_error = String::new();
    for _ in 0..3 {
        for _ in 0..20 {
            if w.ensure_ready(c) {
                break;
            }
            c.tick(1_000).expect("bounded");
        }
        match c.begin_transaction(w.handle) {
            Ok(()) => {}
            Err(e) if e.code == ErrorCode::ProducerFenced => {
                w.restart_patient(c);
                continue;
            }
            Err(e) => return Err(e.to_string()),
        }
        let txn = history.begin();
        let value = format!("{}-last-{txn}", w.id).into_bytes();
        history.txn_of.insert(value.clone(), txn);
        let done = c
            .produce(w.handle, &unkeyed("data", &value))
            .and_then(|_| commit_with_retries(c, w.handle, 20));
        match done {
            Ok(()) => {
                history.end(Some(txn), Outcome::Committed);
                return Ok(());
            }
            Err(e) => {
                history.end(Some(txn), Outcome::NotCommitted);
                last_error = e.to_string();
                if e.code == ErrorCode::ProducerFenced {
                    w.restart_patient(c);
                } else if let Err(abort) = c.abort_transaction(w.handle) {
                    return Err(format!("{e}; then abortTransaction(): {abort}"));
                }
            }
        }
    }
    Err(last_error)
}

/// Runs one seed without faults and checks its history.
pub fn run(seed: u64, ops: usize) -> TxnReport {
    run_config(&TxnSwarmConfig {
        seed,
        ops,
        faults: false,
    })
}

/// Runs one seed and checks its history.
pub fn run_config(config: &TxnSwarmConfig) -> TxnReport {
    let TxnSwarmConfig { seed, ops, faults } = *config;
    let mut rng = Rng::new(seed ^ 0x7A5_0000);
    let mut c = Cluster::new(ClusterConfig {
        seed,
        ..ClusterConfig::default()
    });
    let ok = "the swarm's setup is valid";
    let brokers = if faults { 3 + rng.below(3) as usize } else { 1 };
    c.set_brokers(brokers, None).expect(ok);
    for (topic, n) in [
        ("data", 1 + rng.below(4)),
        ("in", 1 + rng.below(3)),
        ("out", 1 + rng.below(3)),
    ] {
        let rf = 1 + rng.below(brokers.min(3) as u64) as u32;
        let min_isr = (1 + rng.below(2)).min(u64::from(rf)).to_string();
        let configs = [("min.insync.replicas", min_isr.as_str())];
        c.create_replicated_topic(topic, n as u32, Some(rf), &configs[..usize::from(faults)])
            .expect(ok);
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
    c.tick(1_000).expect(ok);
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
            Writer::start(&mut c, &format!("w{i}"), configs)
        })
        .collect();
    let mut zombies: Vec<Zombie> = Vec::new();
    let committed_reader = reader(&mut c, "rc", None, "read_committed", "data");
    let uncommitted_reader = reader(&mut c, "ru", None, "read_uncommitted", "data");
    let out_reader = reader(&mut c, "out-rc", None, "read_committed", "out");
    let mut pipeline = Pipeline::start(&mut c, 0);
    let mut fault_run = faults.then(|| faults::Faults::new(&mut c, &mut rng, brokers));
    let mut n = 0u64;
    for _ in 0..ops {
        if let Some(f) = fault_run.as_mut().filter(|_| rng.below(100) < 15) {
            let wi = rng.below(writers.len() as u64) as usize;
            if f.step(&mut c, &mut rng, &mut history) {
                // Close a writer mid-transaction: Java's close() aborts it, or, with no
                // coordinator, leaves it to transaction.timeout.ms.
                let w = &mut writers[wi];
                let _ = c.close_producer(w.handle);
                history.end(w.txn.take(), Outcome::NotCommitted);
                w.restart(&mut c);
            }
            continue;
        }
        let wi = rng.below(writers.len() as u64) as usize;
        if !writers[wi].ensure_ready(&mut c) {
            continue;
        }
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
                writers[wi].restart(&mut c);
                Ok(())
            }
            72 => {
                // A zombie: a second instance takes over; the first lives on, fenced once
                // the second's initTransactions() completes.
                let w = &mut writers[wi];
                zombies.push(Zombie {
                    handle: w.handle,
                    writer: wi,
                    generation: w.generation,
                    txn: w.txn.take(),
                });
                w.restart(&mut c);
                Ok(())
            }
            73..=74 => {
                let pick = rng.below(zombies.len().max(1) as u64) as usize;
                if let Some(z) = zombies.get_mut(pick) {
                    n += 1;
                    let value = format!("zombie-{n}").into_bytes();
                    if let Some(txn) = z.txn {
                        history.txn_of.insert(value.clone(), txn);
                    }
                    let record = unkeyed("data", &value);
                    let _ = c.produce(z.handle, &record);
                    if c.commit_transaction(z.handle).is_ok() {
                        if writers[z.writer].generation > z.generation {
                            history.flag(
                                "zombie-commit",
                                "a fenced producer committed a transaction".into(),
                            );
                        }
                        // Not fenced yet: its commit is a commit.
                        history.end(z.txn.take(), Outcome::Committed);
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
                writers[wi].restart(&mut c);
            } else if e.code == ErrorCode::InvalidTxnState {
                // An abortable error: abort, then carry on.
                if c.abort_transaction(writers[wi].handle).is_ok() {
                    history.end(writers[wi].txn.take(), Outcome::NotCommitted);
                }
            }
        }
    }
    // The end: every broker back, open transactions commit (or abort), retries finish, the
    // pipeline drains.
    if let Some(f) = fault_run.as_mut() {
        f.heal_all(&mut c);
    }
    for w in &mut writers {
        for _ in 0..20 {
            if w.ensure_ready(&mut c) {
                break;
            }
            c.tick(1_000).expect("bounded");
        }
        if let Some(txn) = w.txn.take() {
            let committed = commit_with_retries(&mut c, w.handle, 20).is_ok();
            if !committed {
                let _ = c.abort_transaction(w.handle);
            }
            let outcome = if committed {
                Outcome::Committed
            } else {
                Outcome::NotCommitted
            };
            history.end(Some(txn), outcome);
        }
        // With every broker back, each writer still commits: no lost sequence holds it
        // back (KIP-360).
        if faults {
            if let Err(e) = last_transaction(&mut c, w, &mut history) {
                history.flag(
                    "stuck-producer",
                    format!("{} cannot commit with every broker back: {e}", w.id),
                );
            }
        }
    }
    for _ in 0..2 * INPUT_RECORDS {
        if pipeline.step(&mut c, &mut history, false) {
            continue;
        }
        if pipeline.ready {
            break;
        }
        // Its initTransactions() waits for the coordinator: time passes.
        c.tick(1_000).expect("bounded");
    }
    // Past every transaction.timeout.ms (60 s at most here) and delivery.timeout.ms.
    c.tick(130_000).expect("bounded");
    while !poll(&mut c, committed_reader, "rc", &mut history).is_empty() {}
    while !poll(&mut c, out_reader, "out-rc", &mut history).is_empty() {}
    if let Some(f) = fault_run.as_mut() {
        let mut ids: Vec<String> = writers.iter().map(|w| w.id.clone()).collect();
        ids.push("eos-app".to_string());
        f.check_end(&mut c, &mut history, &["data", "in", "out"], &ids);
    }
    check_final_logs(&c, &mut history);
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
        broker_faults: fault_run.as_ref().map_or(0, |f| f.broker_faults),
        idempotent: fault_run
            .as_ref()
            .map_or((0, 0), faults::Faults::idempotent),
        state_hash: c.state_hash(),
        anomalies: history.anomalies,
    }
}

/// Lost writes: every committed value is readable, exactly once; nothing else is; and each
/// input record's output appears once in the committed output.
fn check_final_logs(c: &Cluster, history: &mut History) {
    let data = readable_values(c, "data", IsolationLevel::ReadCommitted);
    let out = readable_values(c, "out", IsolationLevel::ReadCommitted);
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
}
