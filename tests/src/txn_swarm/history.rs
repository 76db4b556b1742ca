//! The transactional swarm's history: every transaction's outcome, every value's
//! transaction, what each reader read where, and the checks a poll runs against it.

use std::collections::BTreeMap;

use logplay_core::log::IsolationLevel;
use logplay_core::{Cluster, ConsumerHandle, ProducerRecord};

use crate::swarm::Anomaly;

/// A transaction's outcome as the application saw it: committed only when
/// `commitTransaction()` returned `Ok`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Outcome {
    Open,
    Committed,
    NotCommitted,
}

/// The history: every transaction's outcome, every value's transaction, what was read where.
#[derive(Default)]
pub(super) struct History {
    pub(super) outcomes: Vec<Outcome>,
    pub(super) txn_of: BTreeMap<Vec<u8>, usize>,
    pub(super) seen_at: BTreeMap<(String, u32, i64), Vec<u8>>,
    pub(super) read_by: BTreeMap<(String, Vec<u8>), i64>,
    pub(super) last: BTreeMap<(String, String, u32), i64>,
    pub(super) polled: usize,
    pub(super) anomalies: Vec<Anomaly>,
}

impl History {
    pub(super) fn flag(&mut self, kind: &'static str, detail: String) {
        if self.anomalies.len() < 20 {
            self.anomalies.push(Anomaly { kind, detail });
        }
    }

    pub(super) fn begin(&mut self) -> usize {
        self.outcomes.push(Outcome::Open);
        self.outcomes.len() - 1
    }

    pub(super) fn end(&mut self, txn: Option<usize>, outcome: Outcome) {
        if let Some(t) = txn {
            self.outcomes[t] = outcome;
        }
    }
}

pub(super) fn reader(
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
pub(super) fn poll(
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
pub(super) fn unkeyed<'a>(topic: &'a str, value: &'a [u8]) -> ProducerRecord<'a> {
    ProducerRecord {
        topic,
        partition: None,
        key: None,
        value: Some(value),
        headers: &[],
        timestamp: None,
    }
}

/// Every value a consumer with `isolation` can read from `topic`, with its count.
pub(super) fn readable_values(
    c: &Cluster,
    topic: &str,
    isolation: IsolationLevel,
) -> BTreeMap<Vec<u8>, usize> {
    let mut values = BTreeMap::new();
    for part in c.topic(topic).map(|t| t.partitions()).unwrap_or_default() {
        let log = &part.log;
        let mut offset = log.log_start_offset();
        while let Ok(f) = log.fetch(offset, 1_000, usize::MAX, isolation) {
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
