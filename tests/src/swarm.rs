//! A seeded swarm simulation with an auditor (in the style of TigerBeetle's VOPR).
//!
//! From a seed, [`SwarmConfig::draw`] picks a random cluster: topics with random policies and
//! segment sizes, producers with random `acks`, idempotence, linger, batch size, codec and
//! in-flight limits, consumers with random groups, resets and assignments. [`run`] then
//! drives a random workload with faults (lost acks, client crashes and restarts, consumers
//! that stop polling, retention and compaction running) while the [`Auditor`] records every
//! send, ack, poll and commit and checks them for Jepsen's Kafka anomalies, by name.
//!
//! [`SwarmConfig::draw_with_brokers`] adds brokers, replicated topics and broker faults
//! (stop, start, isolate, heal). Then only `acks=all` writes are promised to survive, and only
//! with clean elections: with `unclean.leader.election.enable` the auditor must find the loss.
//! Each step also checks that a leader's high watermark never goes down within its epoch and
//! that an epoch has one leader.

use std::collections::BTreeMap;
use std::fmt;

use logplay_core::consumer::RebalanceEvent;
use logplay_core::producer::ProducerEvent;
use logplay_core::replication::BrokerState;
use logplay_core::{
    Cluster, ClusterConfig, ConsumerHandle, ProducerHandle, ProducerRecord, Rng, SeekTo,
};

/// How to reproduce a seed.
pub const REPRODUCE: &str = "cargo run --release -p logplay-tests --bin swarm -- --seed";

/// An anomaly the auditor found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Anomaly {
    /// Jepsen's name: `lost-write`, `duplicate`, `nonmonotonic-poll`, `poll-skip`,
    /// `inconsistent-offsets`, `committed-beyond-hw`, `committed-regression`, `hw-regression`,
    /// `two-leaders`, or `model-mismatch` (the log against the reference model).
    pub kind: &'static str,
    /// What exactly.
    pub detail: String,
}

impl fmt::Display for Anomaly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.detail)
    }
}

#[derive(Clone, Debug)]
struct TopicSpec {
    name: String,
    partitions: u32,
    replication_factor: u32,
    compact: bool,
    configs: Vec<(String, String)>,
}

#[derive(Clone, Debug)]
struct ProducerSpec {
    name: String,
    configs: Vec<(String, String)>,
    idempotent: bool,
    acks_all: bool,
}

#[derive(Clone, Debug)]
struct ConsumerSpec {
    name: String,
    configs: Vec<(String, String)>,
    partitions: Vec<(String, u32)>,
    /// Topics it subscribes to with its group, instead of assigning `partitions`.
    subscribe: Option<Vec<String>>,
    /// How often (per mille) it polls when picked: some consumers all but stop polling.
    eagerness: u64,
}

/// A random cluster and workload size, drawn from a seed.
#[derive(Clone, Debug)]
pub struct SwarmConfig {
    seed: u64,
    ops: usize,
    topics: Vec<TopicSpec>,
    producers: Vec<ProducerSpec>,
    consumers: Vec<ConsumerSpec>,
    /// Brokers; with more than one, brokers fail and recover.
    brokers: usize,
    /// Whether topics allow unclean leader elections.
    unclean: bool,
}

fn pick<'a>(rng: &mut Rng, options: &[&'a str]) -> &'a str {
    options[rng.below(options.len() as u64) as usize]
}

impl SwarmConfig {
    /// Whether every consumer with this group id subscribes (none assigns and seeks).
    fn subscribers_only(&self, group: &str) -> bool {
        self.consumers
            .iter()
            .filter(|s| s.configs.iter().any(|(k, v)| k == "group.id" && v == group))
            .all(|s| s.subscribe.is_some())
    }

    /// Draws a configuration from `seed`, for a workload of `ops` operations.
    pub fn draw(seed: u64, ops: usize) -> Self {
        let mut rng = Rng::new(seed);
        let topics: Vec<TopicSpec> = (0..1 + rng.below(3))
            .map(|i| {
                let policy = pick(&mut rng, &["delete", "compact", "compact,delete"]);
                let configs = vec![
                    ("cleanup.policy".into(), policy.into()),
                    ("segment.bytes".into(), (200 + rng.below(4000)).to_string()),
                    (
                        "retention.ms".into(),
                        (1_000 + rng.below(60_000)).to_string(),
                    ),
                    ("min.compaction.lag.ms".into(), rng.below(2_000).to_string()),
                    ("delete.retention.ms".into(), rng.below(5_000).to_string()),
                    (
                        "message.timestamp.type".into(),
                        pick(&mut rng, &["CreateTime", "LogAppendTime"]).into(),
                    ),
                ];
                TopicSpec {
                    name: format!("t{i}"),
                    replication_factor: 1,
                    partitions: 1 + rng.below(6) as u32,
                    compact: policy.contains("compact"),
                    configs,
                }
            })
            .collect();
        let producers = (0..1 + rng.below(4))
            .map(|i| {
                let acks = pick(&mut rng, &["all", "all", "1", "0"]);
                let idempotent = acks == "all" && rng.below(3) > 0;
                let configs = vec![
                    ("acks".into(), acks.into()),
                    ("enable.idempotence".into(), idempotent.to_string()),
                    (
                        "linger.ms".into(),
                        pick(&mut rng, &["0", "5", "20", "100"]).into(),
                    ),
                    ("batch.size".into(), (100 + rng.below(16_000)).to_string()),
                    (
                        "compression.type".into(),
                        pick(&mut rng, &["none", "none", "gzip", "lz4", "zstd", "snappy"]).into(),
                    ),
                    (
                        "max.in.flight.requests.per.connection".into(),
                        (1 + rng.below(5)).to_string(),
                    ),
                    (
                        "partitioner".into(),
                        pick(
                            &mut rng,
                            &[
                                "sticky",
                                "round_robin",
                                "murmur2_random",
                                "consistent_random",
                            ],
                        )
                        .into(),
                    ),
                    (
                        "retries".into(),
                        pick(&mut rng, &["2147483647", "3", "1"]).into(),
                    ),
                ];
                ProducerSpec {
                    name: format!("p{i}"),
                    configs,
                    idempotent,
                    acks_all: acks == "all",
                }
            })
            .collect();
        let all_partitions: Vec<(String, u32)> = topics
            .iter()
            .flat_map(|t| (0..t.partitions).map(move |p| (t.name.clone(), p)))
            .collect();
        // Each group subscribes to its own topics.
        let group_strategy: Vec<&str> = (0..2)
            .map(|_| {
                pick(
                    &mut rng,
                    &[
                        "range,roundrobin",
                        "roundrobin,range",
                        "sticky",
                        "cooperative-sticky",
                    ],
                )
            })
            .collect();
        let group_topics: Vec<Vec<String>> = (0..2)
            .map(|_| {
                let chosen: Vec<String> = topics
                    .iter()
                    .filter(|_| rng.below(2) == 0)
                    .map(|t| t.name.clone())
                    .collect();
                if chosen.is_empty() {
                    vec![topics[0].name.clone()]
                } else {
                    chosen
                }
            })
            .collect();
        let consumers = (0..1 + rng.below(6))
            .map(|i| {
                let mut configs = vec![
                    (
                        "auto.offset.reset".into(),
                        pick(&mut rng, &["earliest", "earliest", "latest"]).into(),
                    ),
                    ("max.poll.records".into(), (1 + rng.below(200)).to_string()),
                ];
                let eagerness = pick(&mut rng, &["1000", "1000", "300", "20"])
                    .parse()
                    .unwrap_or(1000);
                if rng.below(2) == 0 {
                    // A group member: subscribes, with random timeouts and assignor preference.
                    let g = rng.below(2) as usize;
                    configs.push(("group.id".into(), format!("g{g}")));
                    configs.push((
                        "enable.auto.commit".into(),
                        pick(&mut rng, &["true", "false"]).into(),
                    ));
                    configs.push((
                        "partition.assignment.strategy".into(),
                        group_strategy[g].into(),
                    ));
                    configs.push((
                        "session.timeout.ms".into(),
                        (6_000 + rng.below(40_000)).to_string(),
                    ));
                    configs.push((
                        "max.poll.interval.ms".into(),
                        (5_000 + rng.below(300_000)).to_string(),
                    ));
                    let subscribe = Some(group_topics[g].clone());
                    return ConsumerSpec {
                        name: format!("c{i}"),
                        configs,
                        partitions: Vec::new(),
                        subscribe,
                        eagerness,
                    };
                }
                if rng.below(3) > 0 {
                    configs.push(("group.id".into(), format!("g{}", rng.below(2))));
                    configs.push((
                        "enable.auto.commit".into(),
                        pick(&mut rng, &["true", "false"]).into(),
                    ));
                    configs.push((
                        "auto.commit.interval.ms".into(),
                        (100 + rng.below(5_000)).to_string(),
                    ));
                }
                let partitions = all_partitions
                    .iter()
                    .filter(|_| rng.below(2) == 0)
                    .cloned()
                    .collect();
                ConsumerSpec {
                    name: format!("c{i}"),
                    configs,
                    partitions,
                    subscribe: None,
                    eagerness,
                }
            })
            .collect();
        Self {
            seed,
            ops,
            topics,
            producers,
            consumers,
            brokers: 1,
            unclean: false,
        }
    }

    /// As [`SwarmConfig::draw`], on 2 to 5 brokers: each topic gets a replication factor of
    /// 1 to 3 and `min.insync.replicas` up to it; with `unclean`, unclean elections too.
    pub fn draw_with_brokers(seed: u64, ops: usize, unclean: bool) -> Self {
        let mut config = Self::draw(seed, ops);
        let mut rng = Rng::new(seed ^ 0xB40C_E125);
        config.brokers = 2 + rng.below(4) as usize;
        config.unclean = unclean;
        for t in &mut config.topics {
            t.replication_factor = 1 + rng.below(config.brokers.min(3) as u64) as u32;
            let min_isr = 1 + rng.below(u64::from(t.replication_factor));
            t.configs
                .push(("min.insync.replicas".into(), min_isr.to_string()));
            t.configs
                .push(("unclean.leader.election.enable".into(), unclean.to_string()));
        }
        config
    }
}

impl fmt::Display for SwarmConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let topics: Vec<String> = self
            .topics
            .iter()
            .map(|t| {
                format!(
                    "{}({}p×{}, {:?})",
                    t.name, t.partitions, t.replication_factor, t.configs[0].1
                )
            })
            .collect();
        let producers: Vec<String> = self
            .producers
            .iter()
            .map(|p| {
                format!(
                    "{}(acks={}, idempotent={})",
                    p.name, p.configs[0].1, p.idempotent
                )
            })
            .collect();
        write!(
            f,
            "seed {}: {} ops; {} broker(s){}; topics {}; producers {}; {} consumers",
            self.seed,
            self.ops,
            self.brokers,
            if self.unclean {
                ", unclean elections"
            } else {
                ""
            },
            topics.join(" "),
            producers.join(" "),
            self.consumers.len()
        )
    }
}

/// What a swarm run did and found.
#[derive(Clone, Debug)]
pub struct SwarmReport {
    /// The seed.
    pub seed: u64,
    /// Operations applied.
    pub ops: usize,
    /// Records sent, acknowledged, and read by polls.
    pub sent: usize,
    /// Delivery reports without error.
    pub acked: usize,
    /// Records returned by polls.
    pub polled: usize,
    /// Leadership moves off a live broker: the controller's preferred leader elections.
    pub preferred_elections: usize,
    /// The final state hash.
    pub state_hash: u64,
    /// What the auditor found.
    pub anomalies: Vec<Anomaly>,
}

#[derive(Clone, Debug)]
struct Sent {
    topic: String,
    key: Option<Vec<u8>>,
    producer: usize,
    incarnation: u32,
    seq: u64,
}

/// Where a record was acknowledged, and with which `acks`.
#[derive(Clone, Debug)]
struct Ack {
    topic: String,
    partition: u32,
    offset: i64,
    acks_all: bool,
}

/// Records the history and checks it.
#[derive(Default, Debug)]
pub struct Auditor {
    sent: BTreeMap<Vec<u8>, Sent>,
    ids: BTreeMap<(usize, u32, u64), Vec<u8>>,
    acked: BTreeMap<Vec<u8>, Ack>,
    seen: BTreeMap<(String, u32, i64), Vec<u8>>,
    last_polled: BTreeMap<(usize, u32, String, u32), i64>,
    /// The last committed offset seen per (group, topic, partition) of groups whose members
    /// all subscribe: there, commits never go backwards without an explicit reset.
    committed: BTreeMap<(String, String, u32), i64>,
    /// Per partition and leader epoch: the leader and the highest high watermark seen.
    epochs: BTreeMap<(String, u32, i32), (i32, i64)>,
    /// Per partition: the leader at the last check.
    leaders: BTreeMap<(String, u32), i32>,
    preferred_elections: usize,
    /// Only `acks=all` writes are promised (replicated topics can lose the others).
    only_acks_all: bool,
    polled: usize,
    anomalies: Vec<Anomaly>,
}

impl Auditor {
    /// Records an anomaly: at most five of each kind.
    fn flag(&mut self, kind: &'static str, detail: String) {
        if self.anomalies.iter().filter(|a| a.kind == kind).count() < 5 {
            self.anomalies.push(Anomaly { kind, detail });
        }
    }

    fn observe(&mut self, topic: &str, partition: u32, offset: i64, value: &[u8], via: &str) {
        let at = (topic.to_string(), partition, offset);
        match self.seen.get(&at) {
            Some(v) if v != value => self.flag(
                "inconsistent-offsets",
                format!(
                    "{topic}-{partition}@{offset} was {:?}, now {:?} ({via})",
                    String::from_utf8_lossy(v),
                    String::from_utf8_lossy(value)
                ),
            ),
            Some(_) => {}
            None => {
                self.seen.insert(at, value.to_vec());
            }
        }
    }
}

struct Clients {
    producers: Vec<(ProducerHandle, u32)>,
    consumers: Vec<(ConsumerHandle, u32)>,
}

/// Runs one seed: draws a configuration and a workload, applies it, audits it.
pub fn run(seed: u64, ops: usize) -> SwarmReport {
    run_config(&SwarmConfig::draw(seed, ops))
}

/// Runs a drawn configuration's workload and audits it.
pub fn run_config(config: &SwarmConfig) -> SwarmReport {
    let (seed, ops) = (config.seed, config.ops);
    let mut rng = Rng::new(seed ^ 0xA0D1_7000);
    let mut cluster_config = ClusterConfig {
        seed,
        ..ClusterConfig::default()
    };
    cluster_config.log_retention_check_interval_ms = 500 + rng.below(5_000);
    cluster_config.log_cleaner_backoff_ms = 200 + rng.below(3_000);
    // Its own stream, so that the draws above stay as they were.
    cluster_config.leader_imbalance_check_interval_seconds =
        1 + Rng::new(seed ^ 0x1EAD_BA1A).below(30);
    let mut c = Cluster::new(cluster_config);
    let mut audit = Auditor {
        only_acks_all: config.brokers > 1,
        ..Auditor::default()
    };
    let ok = "the swarm's setup is valid";
    c.set_brokers(config.brokers, None).expect(ok);
    for t in &config.topics {
        let cfg: Vec<(&str, &str)> = t
            .configs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        c.create_replicated_topic(&t.name, t.partitions, Some(t.replication_factor), &cfg)
            .expect(ok);
    }
    let mut clients = Clients {
        producers: Vec::new(),
        consumers: Vec::new(),
    };
    for p in &config.producers {
        clients.producers.push((start_producer(&mut c, p), 0));
    }
    for s in &config.consumers {
        clients.consumers.push((start_consumer(&mut c, s), 0));
    }
    let keys: Vec<Vec<u8>> = (0..12).map(|i| format!("k{i}").into_bytes()).collect();
    let mut seq = 0u64;
    for op in 0..ops {
        if op % 1_000 == 999 {
            scan(&c, &mut audit, config);
        }
        if config.brokers > 1 && rng.below(60) == 0 {
            let _ = broker_fault(&mut c, &mut rng, config.brokers);
        }
        match rng.below(100) {
            0..=44 => {
                let pi = rng.below(config.producers.len() as u64) as usize;
                let t = &config.topics[rng.below(config.topics.len() as u64) as usize];
                let key = if t.compact || rng.below(3) > 0 {
                    Some(keys[rng.below(keys.len() as u64) as usize].clone())
                } else {
                    None
                };
                seq += 1;
                let value = format!("v{seq}-{}", "x".repeat(rng.below(60) as usize)).into_bytes();
                let record = ProducerRecord {
                    topic: &t.name,
                    partition: None,
                    key: key.as_deref(),
                    value: Some(&value),
                    headers: &[],
                    timestamp: None,
                };
                let (h, incarnation) = clients.producers[pi];
                if let Ok(id) = c.produce(h, &record) {
                    audit.ids.insert((pi, incarnation, id), value.clone());
                    audit.sent.insert(
                        value,
                        Sent {
                            topic: t.name.clone(),
                            key,
                            producer: pi,
                            incarnation,
                            seq,
                        },
                    );
                }
            }
            45..=59 => {
                let ms = if rng.below(20) == 0 {
                    1_000 + rng.below(40_000)
                } else {
                    rng.below(200)
                };
                c.tick(ms)
                    .expect("swarm ticks stay within the broker work bound");
            }
            60..=63 => {
                let pi = rng.below(clients.producers.len() as u64) as usize;
                let _ = c.flush(clients.producers[pi].0);
            }
            64..=83 => {
                let ci = rng.below(clients.consumers.len() as u64) as usize;
                if rng.below(1000) < config.consumers[ci].eagerness {
                    poll(&mut c, &mut audit, &clients, ci);
                }
            }
            84..=88 => {
                let ci = rng.below(clients.consumers.len() as u64) as usize;
                let (h, _) = clients.consumers[ci];
                if let Ok(done) = c.commit(h, None) {
                    for ((t, p), offset) in done {
                        let hw = c.topic(&t).map_or(0, |topic| {
                            topic.partitions()[p as usize].log.high_watermark()
                        });
                        if offset > hw {
                            audit.flag("committed-beyond-hw", format!("c{ci} committed {t}-{p}@{offset} above the high watermark {hw}"));
                        }
                    }
                }
            }
            89..=91 => {
                let ci = rng.below(clients.consumers.len() as u64) as usize;
                let spec = &config.consumers[ci];
                if let Some((t, p)) = spec
                    .partitions
                    .get(rng.below(spec.partitions.len().max(1) as u64) as usize)
                {
                    // Seeks stay within the readable range, as applications' seeks do.
                    let log =
                        &c.topic(t).expect("swarm topics exist").partitions()[*p as usize].log;
                    let span = (log.high_watermark() - log.log_start_offset()) as u64;
                    let to = match rng.below(3) {
                        0 => SeekTo::Beginning,
                        1 => SeekTo::End,
                        _ => SeekTo::Offset(log.log_start_offset() + rng.below(span + 1) as i64),
                    };
                    let (h, incarnation) = clients.consumers[ci];
                    if c.seek(h, t, *p, to).is_ok() {
                        audit.last_polled.remove(&(ci, incarnation, t.clone(), *p));
                    }
                }
            }
            92..=94 => {
                let pi = rng.below(clients.producers.len() as u64) as usize;
                let _ = c.lose_acks(clients.producers[pi].0, 1);
            }
            95..=96 => {
                let pi = rng.below(clients.producers.len() as u64) as usize;
                let _ = c.crash_producer(clients.producers[pi].0);
                clients.producers[pi] = (
                    start_producer(&mut c, &config.producers[pi]),
                    clients.producers[pi].1 + 1,
                );
            }
            _ => {
                let ci = rng.below(clients.consumers.len() as u64) as usize;
                let _ = c.crash_consumer(clients.consumers[ci].0);
                clients.consumers[ci] = (
                    start_consumer(&mut c, &config.consumers[ci]),
                    clients.consumers[ci].1 + 1,
                );
            }
        }
        collect_acks(&mut c, &mut audit, &clients, config);
        check_groups(&c, &mut audit, config);
        if config.brokers > 1 {
            check_replication(&c, &mut audit, config);
        }
    }
    // Every broker back; let every retry and linger finish, then read everything back.
    for b in 1..=config.brokers as i32 {
        let _ = c.start_broker(b);
        let _ = c.heal_broker(b);
    }
    for (h, _) in &clients.producers {
        let _ = c.flush(*h);
    }
    c.tick(200_000).expect("within the broker work bound");
    collect_acks(&mut c, &mut audit, &clients, config);
    scan(&c, &mut audit, config);
    SwarmReport {
        seed,
        ops,
        sent: audit.sent.len(),
        acked: audit.acked.len(),
        polled: audit.polled,
        preferred_elections: audit.preferred_elections,
        state_hash: c.state_hash(),
        anomalies: audit.anomalies,
    }
}

/// Stops or cuts off a running broker, or brings back a stopped or isolated one.
pub(crate) fn broker_fault(
    c: &mut Cluster,
    rng: &mut Rng,
    brokers: usize,
) -> logplay_core::Result<()> {
    let id = 1 + rng.below(brokers as u64) as i32;
    let state = c.brokers().iter().find(|b| b.id == id).map(|b| b.state);
    match state {
        Some(BrokerState::Running) if rng.below(2) == 0 => c.stop_broker(id),
        Some(BrokerState::Running) => c.isolate_broker(id),
        Some(BrokerState::Stopped) => c.start_broker(id),
        Some(BrokerState::Isolated) => c.heal_broker(id),
        None => Ok(()),
    }
}

/// A leader's high watermark never goes down within its epoch, an epoch has one leader, the
/// leader is in the ISR, and the ISR holds only replicas.
fn check_replication(c: &Cluster, audit: &mut Auditor, config: &SwarmConfig) {
    for t in &config.topics {
        let Ok(topic) = c.topic(&t.name) else {
            continue;
        };
        for (p, part) in topic.partitions().iter().enumerate() {
            let hw = part.log.high_watermark();
            if part.leader >= 0 && !part.isr.contains(&part.leader) {
                audit.flag(
                    "model-mismatch",
                    format!(
                        "{}-{p}: leader {} is not in the ISR {:?}",
                        t.name, part.leader, part.isr
                    ),
                );
            }
            if part.isr.iter().any(|b| !part.replicas.contains(b)) {
                audit.flag(
                    "model-mismatch",
                    format!(
                        "{}-{p}: ISR {:?} outside the replicas {:?}",
                        t.name, part.isr, part.replicas
                    ),
                );
            }
            let before = audit
                .leaders
                .insert((t.name.clone(), p as u32), part.leader);
            let alive = |id: i32| c.brokers().iter().any(|b| b.id == id && b.is_alive());
            if before.is_some_and(|old| old >= 0 && old != part.leader && alive(old)) {
                audit.preferred_elections += 1;
            }
            let key = (t.name.clone(), p as u32, part.leader_epoch);
            match audit.epochs.get(&key).copied() {
                Some((leader, _)) if leader != part.leader => audit.flag(
                    "two-leaders",
                    format!(
                        "{}-{p} epoch {} had leader {leader}, now {}",
                        t.name, part.leader_epoch, part.leader
                    ),
                ),
                Some((_, before)) if hw < before => audit.flag(
                    "hw-regression",
                    format!(
                        "{}-{p} epoch {}: high watermark {hw} after {before}",
                        t.name, part.leader_epoch
                    ),
                ),
                _ => {
                    audit.epochs.insert(key, (part.leader, hw));
                }
            }
        }
    }
}

fn pairs(configs: &[(String, String)]) -> Vec<(&str, &str)> {
    configs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

fn start_producer(c: &mut Cluster, spec: &ProducerSpec) -> ProducerHandle {
    c.create_producer(&spec.name, &pairs(&spec.configs))
        .expect("the swarm draws valid producer configs")
}

fn start_consumer(c: &mut Cluster, spec: &ConsumerSpec) -> ConsumerHandle {
    let h = c
        .create_consumer(&spec.name, &pairs(&spec.configs))
        .expect("the swarm draws valid consumer configs");
    match &spec.subscribe {
        Some(topics) => {
            let topics: Vec<&str> = topics.iter().map(String::as_str).collect();
            c.subscribe(h, &topics)
                .expect("a group consumer subscribes");
        }
        None => {
            let parts: Vec<(&str, u32)> = spec
                .partitions
                .iter()
                .map(|(t, p)| (t.as_str(), *p))
                .collect();
            c.assign(h, &parts)
                .expect("the swarm assigns partitions that exist");
        }
    }
    h
}

fn collect_acks(c: &mut Cluster, audit: &mut Auditor, clients: &Clients, config: &SwarmConfig) {
    for (pi, (h, incarnation)) in clients.producers.iter().enumerate() {
        let Ok(events) = c.drain_producer_events(*h) else {
            continue;
        };
        for e in events {
            let ProducerEvent::Delivered(d) = e else {
                continue;
            };
            let Some(value) = audit.ids.get(&(pi, *incarnation, d.id)).cloned() else {
                audit.flag(
                    "model-mismatch",
                    format!("a delivery report for an unknown record {} of p{pi}", d.id),
                );
                continue;
            };
            if d.error.is_some() || d.offset < 0 {
                continue;
            }
            let acks_all = config.producers[pi].acks_all;
            if audit.only_acks_all && !acks_all {
                continue; // a replicated topic may lose it
            }
            audit.observe(&d.topic, d.partition, d.offset, &value, "ack");
            let ack = Ack {
                topic: d.topic.to_string(),
                partition: d.partition,
                offset: d.offset,
                acks_all,
            };
            audit.acked.insert(value, ack);
        }
    }
}

fn poll(c: &mut Cluster, audit: &mut Auditor, clients: &Clients, ci: usize) {
    let (h, incarnation) = clients.consumers[ci];
    let mut positions: BTreeMap<(String, u32), Option<i64>> = c
        .assignment(h)
        .map(|a| {
            a.into_iter()
                .map(|p| ((p.topic.to_string(), p.partition), p.position))
                .collect()
        })
        .unwrap_or_default();
    let Ok(messages) = c.poll(h) else { return };
    // A rebalance inside the poll starts a partition over from its committed offset: the
    // monotonic and skip checks hold within one assignment, not across them.
    for e in c.drain_consumer_events(h).unwrap_or_default() {
        let (RebalanceEvent::Revoked(parts)
        | RebalanceEvent::Assigned(parts)
        | RebalanceEvent::Lost(parts)) = e;
        for (t, p) in parts {
            audit
                .last_polled
                .remove(&(ci, incarnation, t.to_string(), p));
            positions.remove(&(t.to_string(), p));
        }
    }
    let owned: Vec<(String, u32)> = c
        .consumer(h)
        .map(|x| {
            x.partitions()
                .into_iter()
                .map(|(t, p)| (t.to_string(), p))
                .collect()
        })
        .unwrap_or_default();
    for m in messages
        .iter()
        .filter(|m| !owned.contains(&(m.topic().to_string(), m.partition())))
    {
        audit.flag(
            "double-owner",
            format!(
                "c{ci} read {}-{} which it does not own",
                m.topic(),
                m.partition()
            ),
        );
    }
    for m in messages {
        if m.error().is_some() {
            continue;
        }
        audit.polled += 1;
        let (t, p, o) = (m.topic().to_string(), m.partition(), m.offset());
        let value = m.value().unwrap_or_default().to_vec();
        match audit.sent.get(&value) {
            None => audit.flag(
                "model-mismatch",
                format!(
                    "c{ci} read {t}-{p}@{o} = {:?}, which nobody sent",
                    String::from_utf8_lossy(&value)
                ),
            ),
            Some(s) if s.topic != t || s.key.as_deref() != m.key() => audit.flag(
                "model-mismatch",
                format!("c{ci} read {t}-{p}@{o} with another topic or key than it was sent with"),
            ),
            Some(_) => {}
        }
        audit.observe(&t, p, o, &value, "poll");
        let slot = (ci, incarnation, t.clone(), p);
        if let Some(&last) = audit.last_polled.get(&slot) {
            if o <= last {
                audit.flag(
                    "nonmonotonic-poll",
                    format!("c{ci} read {t}-{p}@{o} after @{last}"),
                );
            }
        }
        // A poll may skip only what the log no longer holds, or what a reset jumped over.
        let log = &c.topic(&t).expect("polled topics exist").partitions()[p as usize].log;
        if let Some(Some(from)) = positions.get(&(t.clone(), p)) {
            // Where this poll must start: after the last record read (a seek forgets it).
            let from = audit.last_polled.get(&slot).map_or(*from, |l| l + 1);
            let in_range = from >= log.log_start_offset() && from <= log.high_watermark();
            if in_range && o > from {
                if let Some(skipped) = (from..o).find(|&x| log.get(x).is_some()) {
                    audit.flag(
                        "poll-skip",
                        format!(
                            "c{ci} read {t}-{p}@{o} but skipped @{skipped}, which the log holds"
                        ),
                    );
                }
            }
        }
        audit.last_polled.insert(slot, o);
    }
}

/// In a Stable group every subscribed partition has exactly one owner.
fn check_groups(c: &Cluster, audit: &mut Auditor, config: &SwarmConfig) {
    for group in c.list_groups() {
        let Ok(d) = c.describe_group(group) else {
            continue;
        };
        if config.subscribers_only(group) {
            for o in &d.offsets {
                let Some(offset) = o.committed else { continue };
                let at = (group.to_string(), o.topic.to_string(), o.partition);
                match audit.committed.insert(at, offset) {
                    Some(before) if offset < before => audit.flag(
                        "committed-regression",
                        format!(
                            "{group} committed {}-{}@{offset} after @{before}",
                            o.topic, o.partition
                        ),
                    ),
                    _ => {}
                }
            }
        }
        if d.state != logplay_core::group::coordinator::GroupState::Stable {
            continue;
        }
        let mut owners: BTreeMap<(String, u32), usize> = BTreeMap::new();
        for m in &d.members {
            for tp in &m.assignment {
                *owners.entry(tp.clone()).or_default() += 1;
            }
        }
        if let Some((tp, n)) = owners.iter().find(|(_, n)| **n > 1) {
            audit.flag(
                "double-owner",
                format!(
                    "{group} gen {}: {}-{} has {n} owners",
                    d.generation, tp.0, tp.1
                ),
            );
        }
        // KIP-429: between a cooperative group's two rebalances, the partitions that move
        // stay with their old owner until it gives them up; the coordinator lists no owner.
        if d.protocol.as_deref() == Some("cooperative-sticky") {
            continue;
        }
        let subscribed: std::collections::BTreeSet<&String> = config
            .consumers
            .iter()
            .filter(|s| s.configs.iter().any(|(k, v)| k == "group.id" && v == group))
            .filter_map(|s| s.subscribe.as_ref())
            .flatten()
            .collect();
        for t in config
            .topics
            .iter()
            .filter(|t| subscribed.contains(&t.name))
        {
            for p in 0..t.partitions {
                if !owners.contains_key(&(t.name.clone(), p)) {
                    audit.flag(
                        "model-mismatch",
                        format!(
                            "{group} gen {} is Stable but {}-{p} has no owner",
                            d.generation, t.name
                        ),
                    );
                }
            }
        }
    }
}

/// Checks the logs as they are now against the history: no record nobody sent, no record
/// twice from an idempotent producer, an idempotent producer's records in send order, and
/// every record acknowledged with acks=all still there unless retention or compaction
/// explains its absence.
fn scan(c: &Cluster, audit: &mut Auditor, config: &SwarmConfig) {
    let mut location: BTreeMap<Vec<u8>, Vec<(String, u32, i64)>> = BTreeMap::new();
    let mut per_producer_order: BTreeMap<(usize, u32, String, u32), u64> = BTreeMap::new();
    for t in &config.topics {
        let topic = c.topic(&t.name).expect("swarm topics are never deleted");
        for (p, part) in topic.partitions().iter().enumerate() {
            for r in part.log.read_from(0, i64::MAX) {
                let value = r.value.unwrap_or_default().to_vec();
                let Some(s) = audit.sent.get(&value).cloned() else {
                    audit.flag(
                        "model-mismatch",
                        format!("{}-{p}@{} holds a record nobody sent", t.name, r.offset),
                    );
                    continue;
                };
                let idempotent = config.producers[s.producer].idempotent;
                let order = (s.producer, s.incarnation, t.name.clone(), p as u32);
                if idempotent {
                    if let Some(&prev) = per_producer_order.get(&order) {
                        if s.seq < prev {
                            audit.flag(
                                "model-mismatch",
                                format!(
                                    "idempotent p{} wrote seq {} after {} in {}-{p}",
                                    s.producer, s.seq, prev, t.name
                                ),
                            );
                        }
                    }
                    per_producer_order.insert(order, s.seq);
                }
                location
                    .entry(value)
                    .or_default()
                    .push((t.name.clone(), p as u32, r.offset));
            }
        }
    }
    for (value, places) in &location {
        let s = &audit.sent[value];
        if places.len() > 1 && config.producers[s.producer].idempotent {
            audit.flag(
                "duplicate",
                format!(
                    "idempotent p{} wrote {:?} at {places:?}",
                    s.producer,
                    String::from_utf8_lossy(value)
                ),
            );
        }
    }
    let acked: Vec<(Vec<u8>, Ack)> = audit.acked.clone().into_iter().collect();
    for (
        value,
        Ack {
            topic: t,
            partition: p,
            offset,
            acks_all,
        },
    ) in acked
    {
        let log = &c
            .topic(&t)
            .expect("swarm topics are never deleted")
            .partitions()[p as usize]
            .log;
        match log.get(offset) {
            Some(r) if r.value == Some(value.as_slice()) => {}
            Some(_) => audit.flag(
                "inconsistent-offsets",
                format!(
                    "{t}-{p}@{offset} was acked for {:?} but holds another record",
                    String::from_utf8_lossy(&value)
                ),
            ),
            None if offset < log.log_start_offset() => {}
            None => {
                // Compaction may remove it only if the log holds a later record of its key.
                let key = audit.sent[&value].key.clone();
                let spec = config
                    .topics
                    .iter()
                    .find(|x| x.name == t)
                    .expect("a swarm topic");
                let superseded = spec.compact
                    && key.is_some()
                    && log
                        .read_from(offset + 1, i64::MAX)
                        .any(|r| r.key == key.as_deref());
                if acks_all && !superseded {
                    audit.flag(
                        "lost-write",
                        format!(
                            "{t}-{p}@{offset} = {:?} was acknowledged with acks=all but is gone",
                            String::from_utf8_lossy(&value)
                        ),
                    );
                }
            }
        }
    }
}
