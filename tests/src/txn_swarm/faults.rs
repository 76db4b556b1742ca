//! The transactional swarm's faults and their auditor: brokers that stop, start, are cut off
//! and heal; writers closed mid-transaction; later `read_committed` readers that must read
//! every committed value; and an idempotent producer whose every send must be reported.

use std::collections::{BTreeMap, BTreeSet};

use logplay_core::log::IsolationLevel;
use logplay_core::producer::ProducerEvent;
use logplay_core::replication::BrokerState;
use logplay_core::{Cluster, ErrorCode, ProducerHandle, ProducerRecord, Rng};

use super::history::{poll, readable_values, reader, History, Outcome};

/// The idempotent producer's topic.
const IDEMPOTENT_TOPIC: &str = "idem";

/// What the fault half of a run keeps.
pub(super) struct Faults {
    brokers: usize,
    /// Broker stops, starts, isolations and heals so far.
    pub(super) broker_faults: usize,
    fresh_readers: usize,
    idem: ProducerHandle,
    /// Each send's id and value.
    sent: BTreeMap<u64, Vec<u8>>,
    /// Each delivery report: the offset, or the error.
    reported: BTreeMap<u64, Result<i64, ErrorCode>>,
}

impl Faults {
    /// Creates the idempotent producer and its topic.
    pub(super) fn new(c: &mut Cluster, rng: &mut Rng, brokers: usize) -> Self {
        let ok = "the swarm's setup is valid";
        let rf = 1 + rng.below(brokers.min(3) as u64) as u32;
        let min_isr = (1 + rng.below(2)).min(u64::from(rf)).to_string();
        c.create_replicated_topic(
            IDEMPOTENT_TOPIC,
            1 + rng.below(3) as u32,
            Some(rf),
            &[("min.insync.replicas", &min_isr)],
        )
        .expect(ok);
        let linger = ["0", "5", "20"][rng.below(3) as usize];
        let request_timeout = 1_000 + rng.below(2_000);
        let delivery_timeout = request_timeout + 20 + 1_000 + rng.below(8_000);
        let in_flight = (1 + rng.below(5)).to_string();
        let idem = c
            .create_producer(
                "idem",
                &[
                    ("enable.idempotence", "true"),
                    ("acks", "all"),
                    ("linger.ms", linger),
                    ("request.timeout.ms", &request_timeout.to_string()),
                    ("delivery.timeout.ms", &delivery_timeout.to_string()),
                    ("max.in.flight.requests.per.connection", &in_flight),
                ],
            )
            .expect(ok);
        Self {
            brokers,
            broker_faults: 0,
            fresh_readers: 0,
            idem,
            sent: BTreeMap::new(),
            reported: BTreeMap::new(),
        }
    }

    /// Sends by the idempotent producer, and how many were delivered.
    pub(super) fn idempotent(&self) -> (usize, usize) {
        let delivered = self
            .sent
            .keys()
            .filter(|id| matches!(self.reported.get(*id), Some(Ok(_))))
            .count();
        (self.sent.len(), delivered)
    }

    /// One fault operation. Returns true when the caller should close a writer.
    pub(super) fn step(&mut self, c: &mut Cluster, rng: &mut Rng, history: &mut History) -> bool {
        match rng.below(100) {
            0..=29 => self.broker_fault(c, rng),
            30..=39 => return true,
            40..=79 => self.send(c),
            80..=84 => self.fresh_reader(c, history),
            _ => {
                c.tick(rng.below(2_000)).expect("bounded");
                self.drain(c);
            }
        }
        false
    }

    /// Stops or cuts off a running broker, or brings back a stopped or isolated one.
    fn broker_fault(&mut self, c: &mut Cluster, rng: &mut Rng) {
        let done = crate::swarm::broker_fault(c, rng, self.brokers);
        self.broker_faults += usize::from(done.is_ok());
    }

    /// Brings every broker back.
    pub(super) fn heal_all(&mut self, c: &mut Cluster) {
        for id in 1..=self.brokers as i32 {
            let state = c.brokers().iter().find(|b| b.id == id).map(|b| b.state);
            let done = match state {
                Some(BrokerState::Stopped) => c.start_broker(id),
                Some(BrokerState::Isolated) => c.heal_broker(id),
                _ => continue,
            };
            done.expect("a stopped or isolated broker comes back");
            self.broker_faults += 1;
        }
    }

    fn send(&mut self, c: &mut Cluster) {
        let value = format!("idem-{}", self.sent.len()).into_bytes();
        let record = ProducerRecord::new(IDEMPOTENT_TOPIC).value(&value);
        if let Ok(id) = c.produce(self.idem, &record) {
            self.sent.insert(id, value);
        }
        self.drain(c);
    }

    fn drain(&mut self, c: &mut Cluster) {
        let events = c.drain_producer_events(self.idem).unwrap_or_default();
        for e in events {
            if let ProducerEvent::Delivered(d) = e {
                let outcome = d.error.map_or(Ok(d.offset), |e| Err(e.code));
                self.reported.insert(d.id, outcome);
            }
        }
    }

    /// A new `read_committed` reader from the beginning must return every committed value
    /// that an earlier reader saw below the position it reaches.
    fn fresh_reader(&mut self, c: &mut Cluster, history: &mut History) {
        self.fresh_readers += 1;
        let name = format!("fresh-{}", self.fresh_readers);
        let committed: Vec<((String, u32, i64), Vec<u8>)> = history
            .seen_at
            .iter()
            .filter(|((t, _, _), v)| {
                t == "data"
                    && history
                        .txn_of
                        .get(*v)
                        .is_some_and(|t| history.outcomes[*t] == Outcome::Committed)
            })
            .map(|(at, v)| (at.clone(), v.clone()))
            .collect();
        let h = reader(c, &name, None, "read_committed", "data");
        let mut got = BTreeSet::new();
        for _ in 0..300 {
            let records = poll(c, h, &name, history);
            if records.is_empty() {
                break;
            }
            got.extend(records.into_iter().map(|(t, p, o, _)| (t, p, o)));
        }
        for ((t, p, o), value) in committed {
            let position = c.position(h, &t, p).unwrap_or(0);
            if position > o && !got.contains(&(t.clone(), p, o)) {
                history.flag(
                    "lost-write",
                    format!(
                        "{:?} committed and was read at {t}-{p}@{o}; {name} read past it without it",
                        String::from_utf8_lossy(&value)
                    ),
                );
            }
        }
        let _ = c.close_consumer(h);
    }

    /// The end, with every broker back and the clock past every timeout: no partition's LSO
    /// lags its high watermark, no transaction hangs, every idempotent send was reported
    /// (acknowledged ones readable once), and the idempotent producer still delivers.
    pub(super) fn check_end(
        &mut self,
        c: &mut Cluster,
        history: &mut History,
        topics: &[&str],
        transactional_ids: &[String],
    ) {
        for &t in topics.iter().chain(&[IDEMPOTENT_TOPIC]) {
            let Ok(topic) = c.topic(t) else { continue };
            for (p, part) in topic.partitions().iter().enumerate() {
                let (lso, hw) = (part.log.last_stable_offset(), part.log.high_watermark());
                if part.leader >= 0 && lso < hw {
                    history.flag(
                        "stuck-lso",
                        format!("{t}-{p}: last stable offset {lso} below the high watermark {hw} with every transaction ended"),
                    );
                }
            }
        }
        for id in transactional_ids {
            if let Ok(m) = c.describe_transaction(id) {
                if !matches!(m.state.name(), "Empty" | "CompleteCommit" | "CompleteAbort") {
                    history.flag(
                        "hanging-transaction",
                        format!("{id} is still {} at the end", m.state.name()),
                    );
                }
            }
        }
        self.drain(c);
        for (id, value) in &self.sent {
            if !self.reported.contains_key(id) {
                history.flag(
                    "lost-delivery",
                    format!(
                        "send {id} ({:?}) of the idempotent producer got no delivery report",
                        String::from_utf8_lossy(value)
                    ),
                );
            }
        }
        let in_log = readable_values(c, IDEMPOTENT_TOPIC, IsolationLevel::ReadUncommitted);
        for (id, value) in &self.sent {
            let count = in_log.get(value).copied().unwrap_or(0);
            let text = String::from_utf8_lossy(value);
            if matches!(self.reported.get(id), Some(Ok(_))) && count == 0 {
                history.flag(
                    "lost-write",
                    format!("{text:?} was acknowledged but is not in {IDEMPOTENT_TOPIC}"),
                );
            }
            if count > 1 {
                history.flag(
                    "duplicate",
                    format!("{text:?} is in {IDEMPOTENT_TOPIC} {count} times"),
                );
            }
        }
        let partitions = c
            .topic(IDEMPOTENT_TOPIC)
            .map_or(0, |t| t.partitions().len() as u32);
        let mut last = Vec::new();
        for p in 0..partitions {
            let value = format!("idem-last-{p}").into_bytes();
            let record = ProducerRecord::new(IDEMPOTENT_TOPIC)
                .partition(p)
                .value(&value);
            match c.produce(self.idem, &record) {
                Ok(id) => last.push((p, id)),
                Err(e) => history.flag(
                    "stuck-producer",
                    format!("a last send to {IDEMPOTENT_TOPIC}-{p} was refused: {e}"),
                ),
            }
        }
        c.tick(10_000).expect("bounded");
        self.drain(c);
        for (p, id) in last {
            match self.reported.get(&id) {
                Some(Ok(_)) => {}
                Some(Err(code)) => history.flag(
                    "stuck-producer",
                    format!("with every broker back, a send to {IDEMPOTENT_TOPIC}-{p} failed with {}", code.name()),
                ),
                None => history.flag(
                    "stuck-producer",
                    format!("with every broker back, a send to {IDEMPOTENT_TOPIC}-{p} got no report in 10 s"),
                ),
            }
        }
    }
}
