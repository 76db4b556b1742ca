//! Fuzz target bodies. cargo-fuzz drives them from `tests/fuzz/` (nightly); the test command replays
//! the committed corpus through them on stable (`tests/tests/fuzz_corpus.rs`).
//!
//! Each panics only on a real bug: a panic in the core, a parse/print round trip that does
//! not hold, or a broken log invariant.

use arbitrary::{Arbitrary, Unstructured};
use logplay_core::budget::Limits;
use logplay_core::script::link;
use logplay_core::script::{parse, print, Command, Session};
use logplay_core::{Cluster, ClusterConfig, ProducerRecord, SeekTo};

/// Scripts whose `generate` counts sum above this are parsed but not run.
const MAX_RUN_RECORDS: u64 = 500;

/// The scenario budget fuzzed scripts run under. libFuzzer runs the targets with
/// `-rss_limit_mb` and `-timeout` (tests/fuzz/README.md): an input that takes more memory or
/// time than this budget allows is a finding.
pub const FUZZ_LIMITS: Limits = Limits {
    bytes: 32 << 20,
    clients: 1_000,
    partitions: 2_000,
    work: 2_000_000,
};

/// The script parser: never panics; a parsed script prints and parses back to itself; a
/// small one also runs to the end.
pub fn script_parser(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let Ok(script) = parse(text) else { return };
    let canonical = print(&script);
    let again = parse(&canonical)
        .unwrap_or_else(|e| panic!("canonical text does not parse: {e}\n{canonical}"));
    let commands = |s: &logplay_core::script::Script| {
        s.commands
            .iter()
            .map(|(_, c)| c.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        commands(&again),
        commands(&script),
        "parse(print(s)) != s\n{canonical}"
    );
    let (mut rate, mut played) = (0u64, 0u64);
    let mut records: u64 = 0;
    for (_, c) in &script.commands {
        match c {
            Command::Generate { count, .. } => records = records.saturating_add(*count),
            Command::DatagenStart { rate: r, .. } => rate = rate.saturating_add(*r),
            Command::ConnectorCreate { configs, .. } => {
                let r = configs.iter().find(|(k, _)| k == "rate");
                rate = rate.saturating_add(r.and_then(|(_, v)| v.parse().ok()).unwrap_or(10));
            }
            Command::Play { duration, .. } => played = played.saturating_add(*duration),
            _ => {}
        }
    }
    // Sources send at most their rates summed over every play.
    let records = records.saturating_add(rate.saturating_mul(played) / 1_000);
    if records <= MAX_RUN_RECORDS && script.commands.len() <= 64 {
        let mut session = Session::new().with_limits(FUZZ_LIMITS);
        session.apply_script(&script, |_| {});
        let runner = session.runner();
        check_invariants(runner.cluster());
        // What a command reserved past its prediction (a buffer's doubling) is all the
        // budget may be passed by.
        let held = runner.usage().bytes;
        assert!(
            held <= 2 * FUZZ_LIMITS.bytes,
            "{held} bytes held\n{canonical}"
        );
    }
}

/// The link decoder: never panics; what decodes encodes and decodes to the same script.
pub fn link_decoder(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    if let Ok(script) = link::decode(text) {
        let round = link::decode(&link::encode(&script)).expect("an encoded link decodes");
        assert_eq!(print(&round), print(&script));
    }
}

#[derive(Arbitrary, Debug)]
enum Op {
    CreateTopic {
        name: u8,
        partitions: u8,
        compact: bool,
        segment_bytes: u16,
    },
    DeleteTopic {
        name: u8,
    },
    AddPartitions {
        name: u8,
        total: u8,
    },
    Producer {
        idempotent: bool,
        acks: u8,
        linger: u8,
        batch: u16,
        codec: u8,
    },
    Produce {
        producer: u8,
        topic: u8,
        key: Option<u8>,
        value: Vec<u8>,
        partition: Option<u8>,
    },
    Flush {
        producer: u8,
    },
    LoseAck {
        producer: u8,
    },
    CrashProducer {
        producer: u8,
    },
    Consumer {
        group: bool,
        earliest: bool,
        max_poll: u8,
    },
    Assign {
        consumer: u8,
        topic: u8,
        partitions: u8,
    },
    Poll {
        consumer: u8,
    },
    Subscribe {
        consumer: u8,
        topics: u8,
    },
    Unsubscribe {
        consumer: u8,
    },
    Seek {
        consumer: u8,
        topic: u8,
        partition: u8,
        offset: i16,
    },
    Commit {
        consumer: u8,
    },
    CrashConsumer {
        consumer: u8,
    },
    Tick {
        ms: u16,
    },
    DeleteRecords {
        topic: u8,
        partition: u8,
        before: i16,
    },
    TransactionalProducer {
        id: u8,
        timeout: u16,
    },
    Transaction {
        producer: u8,
        action: u8,
    },
    SendOffsets {
        producer: u8,
        consumer: u8,
    },
    ReadCommittedConsumer {
        group: bool,
    },
    Brokers {
        count: u8,
    },
    ReplicatedTopic {
        name: u8,
        partitions: u8,
        replication: u8,
        min_insync: u8,
        unclean: bool,
    },
    BrokerFault {
        broker: u8,
        action: u8,
    },
}

/// An arbitrary sequence of engine calls: never panics, and the log invariants hold after
/// every step.
pub fn engine_ops(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(ops) = Vec::<Op>::arbitrary(&mut u) else {
        return;
    };
    let config = ClusterConfig {
        log_retention_check_interval_ms: 500,
        log_cleaner_backoff_ms: 300,
        // Preferred leader elections every second, not every five minutes.
        leader_imbalance_check_interval_seconds: 1,
        ..ClusterConfig::default()
    };
    let mut c = Cluster::new(config);
    c.set_limits(FUZZ_LIMITS);
    let (mut producers, mut consumers) = (Vec::new(), Vec::new());
    let topic = |n: u8| format!("t{}", n % 4);
    for (i, op) in ops.into_iter().take(500).enumerate() {
        match op {
            Op::CreateTopic {
                name,
                partitions,
                compact,
                segment_bytes,
            } => {
                let policy = if compact { "compact" } else { "delete" };
                let seg = (u32::from(segment_bytes) + 14).to_string();
                let _ = c.create_topic(
                    &topic(name),
                    u32::from(partitions % 9),
                    &[
                        ("cleanup.policy", policy),
                        ("segment.bytes", &seg),
                        ("retention.ms", "500"),
                    ],
                );
            }
            Op::DeleteTopic { name } => {
                let _ = c.delete_topic(&topic(name));
            }
            Op::AddPartitions { name, total } => {
                let _ = c.add_partitions(&topic(name), u32::from(total % 12));
            }
            Op::Producer {
                idempotent,
                acks,
                linger,
                batch,
                codec,
            } => {
                let acks = ["0", "1", "all"][usize::from(acks % 3)];
                let codec = ["none", "gzip", "snappy", "lz4", "zstd"][usize::from(codec % 5)];
                let (linger, batch) = (linger.to_string(), batch.to_string());
                let configs = [
                    (
                        "enable.idempotence",
                        if idempotent { "true" } else { "false" },
                    ),
                    ("acks", acks),
                    ("linger.ms", &linger),
                    ("batch.size", &batch),
                    ("compression.type", codec),
                ];
                if let Ok(h) = c.create_producer("p", &configs) {
                    producers.push(h);
                }
            }
            Op::Produce {
                producer,
                topic: t,
                key,
                value,
                partition,
            } => {
                if let Some(&h) = producers.get(usize::from(producer) % producers.len().max(1)) {
                    let key = key.map(|k| [k]);
                    let name = topic(t);
                    let record = ProducerRecord {
                        topic: &name,
                        partition: partition.map(u32::from),
                        key: key.as_ref().map(|k| &k[..]),
                        value: Some(&value),
                        headers: &[],
                        timestamp: None,
                    };
                    let _ = c.produce(h, &record);
                }
            }
            Op::Flush { producer } => {
                if let Some(&h) = producers.get(usize::from(producer) % producers.len().max(1)) {
                    let _ = c.flush(h);
                }
            }
            Op::LoseAck { producer } => {
                if let Some(&h) = producers.get(usize::from(producer) % producers.len().max(1)) {
                    let _ = c.lose_acks(h, 1);
                }
            }
            Op::CrashProducer { producer } => {
                if let Some(&h) = producers.get(usize::from(producer) % producers.len().max(1)) {
                    let _ = c.crash_producer(h);
                }
            }
            Op::Consumer {
                group,
                earliest,
                max_poll,
            } => {
                let max = (u32::from(max_poll) + 1).to_string();
                let mut configs = vec![
                    (
                        "auto.offset.reset",
                        if earliest { "earliest" } else { "latest" },
                    ),
                    ("max.poll.records", max.as_str()),
                ];
                if group {
                    configs.push(("group.id", "g"));
                }
                if let Ok(h) = c.create_consumer("c", &configs) {
                    consumers.push(h);
                }
            }
            Op::Assign {
                consumer,
                topic: t,
                partitions,
            } => {
                if let Some(&h) = consumers.get(usize::from(consumer) % consumers.len().max(1)) {
                    let name = topic(t);
                    let parts: Vec<(&str, u32)> = (0..u32::from(partitions % 6))
                        .map(|p| (name.as_str(), p))
                        .collect();
                    let _ = c.assign(h, &parts);
                }
            }
            Op::Subscribe { consumer, topics } => {
                if let Some(&h) = consumers.get(usize::from(consumer) % consumers.len().max(1)) {
                    let names: Vec<String> = (0..4u8)
                        .filter(|b| topics & (1 << b) != 0)
                        .map(topic)
                        .collect();
                    let names: Vec<&str> = names.iter().map(String::as_str).collect();
                    let _ = c.subscribe(h, &names);
                }
            }
            Op::Unsubscribe { consumer } => {
                if let Some(&h) = consumers.get(usize::from(consumer) % consumers.len().max(1)) {
                    let _ = c.unsubscribe(h);
                }
            }
            Op::Poll { consumer } => {
                if let Some(&h) = consumers.get(usize::from(consumer) % consumers.len().max(1)) {
                    let _ = c.poll(h);
                }
            }
            Op::Seek {
                consumer,
                topic: t,
                partition,
                offset,
            } => {
                if let Some(&h) = consumers.get(usize::from(consumer) % consumers.len().max(1)) {
                    let _ = c.seek(
                        h,
                        &topic(t),
                        u32::from(partition % 8),
                        SeekTo::Offset(i64::from(offset)),
                    );
                }
            }
            Op::Commit { consumer } => {
                if let Some(&h) = consumers.get(usize::from(consumer) % consumers.len().max(1)) {
                    let _ = c.commit(h, None);
                }
            }
            Op::CrashConsumer { consumer } => {
                if let Some(&h) = consumers.get(usize::from(consumer) % consumers.len().max(1)) {
                    let _ = c.crash_consumer(h);
                }
            }
            Op::Tick { ms } => {
                let _ = c.tick(u64::from(ms));
            }
            Op::DeleteRecords {
                topic: t,
                partition,
                before,
            } => {
                let _ = c.delete_records(&topic(t), u32::from(partition % 8), i64::from(before));
            }
            Op::TransactionalProducer { id, timeout } => {
                let (id, timeout) = (format!("x{}", id % 2), (u64::from(timeout) + 1).to_string());
                let configs = [
                    ("transactional.id", id.as_str()),
                    ("transaction.timeout.ms", timeout.as_str()),
                ];
                if let Ok(h) = c.create_producer("tx", &configs) {
                    producers.push(h);
                }
            }
            Op::Transaction { producer, action } => {
                if let Some(&h) = producers.get(usize::from(producer) % producers.len().max(1)) {
                    let _ = match action % 4 {
                        0 => c.init_transactions(h).map(|_| ()),
                        1 => c.begin_transaction(h),
                        2 => c.commit_transaction(h),
                        _ => c.abort_transaction(h),
                    };
                }
            }
            Op::SendOffsets { producer, consumer } => {
                let p = producers.get(usize::from(producer) % producers.len().max(1));
                let k = consumers.get(usize::from(consumer) % consumers.len().max(1));
                if let (Some(&p), Some(&k)) = (p, k) {
                    let _ = c.send_offsets_to_transaction(p, k);
                }
            }
            Op::ReadCommittedConsumer { group } => {
                let mut configs = vec![
                    ("isolation.level", "read_committed"),
                    ("auto.offset.reset", "earliest"),
                ];
                if group {
                    configs.push(("group.id", "g"));
                }
                if let Ok(h) = c.create_consumer("rc", &configs) {
                    consumers.push(h);
                }
            }
            Op::Brokers { count } => {
                let _ = c.set_brokers(usize::from(count % 8), None);
            }
            Op::ReplicatedTopic {
                name,
                partitions,
                replication,
                min_insync,
                unclean,
            } => {
                let (min_isr, unclean) = ((min_insync % 4).to_string(), unclean.to_string());
                let configs = [
                    ("min.insync.replicas", min_isr.as_str()),
                    ("unclean.leader.election.enable", unclean.as_str()),
                ];
                let rf = Some(u32::from(replication % 5));
                let _ = c.create_replicated_topic(
                    &topic(name),
                    u32::from(partitions % 9),
                    rf,
                    &configs,
                );
            }
            Op::BrokerFault { broker, action } => {
                let id = i32::from(broker % 6);
                let _ = match action % 4 {
                    0 => c.stop_broker(id),
                    1 => c.start_broker(id),
                    2 => c.isolate_broker(id),
                    _ => c.heal_broker(id),
                };
            }
        }
        if i % 16 == 15 {
            check_invariants(&c);
        }
    }
    check_invariants(&c);
}

/// What must hold of every partition log at any time.
pub fn check_invariants(c: &Cluster) {
    for name in c.list_topics() {
        let topic = c.topic(name).expect("a listed topic exists");
        for (p, part) in topic.partitions().iter().enumerate() {
            assert!(
                part.leader < 0 || part.isr.contains(&part.leader),
                "{name}-{p}: leader {} outside the ISR {:?}",
                part.leader,
                part.isr
            );
            assert!(
                part.isr.iter().all(|b| part.replicas.contains(b)),
                "{name}-{p}: ISR {:?} outside the replicas {:?}",
                part.isr,
                part.replicas
            );
            let log = &part.log;
            let (start, hw, end) = (
                log.log_start_offset(),
                log.high_watermark(),
                log.log_end_offset(),
            );
            let lso = log.last_stable_offset();
            assert!(
                0 <= start && start <= lso && lso <= hw && hw <= end,
                "{name}-{p}: start {start}, lso {lso}, hw {hw}, end {end}"
            );
            let mut last = -1;
            for r in log.read_from(0, i64::MAX) {
                assert!(
                    r.offset > last && r.offset >= start && r.offset < end,
                    "{name}-{p}: offset {} after {last}",
                    r.offset
                );
                assert_eq!(
                    log.get(r.offset).map(|g| g.value),
                    Some(r.value),
                    "{name}-{p}: get({}) disagrees",
                    r.offset
                );
                last = r.offset;
            }
            let segments: Vec<_> = log.segments().collect();
            assert!(
                segments.last().is_some_and(|s| s.active),
                "{name}-{p}: no active segment"
            );
            assert!(
                segments
                    .windows(2)
                    .all(|w| w[0].next_offset <= w[1].base_offset),
                "{name}-{p}: segments overlap"
            );
        }
    }
}
