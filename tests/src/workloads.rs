//! Benchmark workloads, shared by the native criterion benches and the browser benches so
//! that both measure exactly the same code.

use logplay_core::compression::CompressionType;
use logplay_core::log::PartitionLog;
use logplay_core::record::{ProducerIdentity, RecordBatchBuilder};
use logplay_core::topic::TopicConfig;
use logplay_core::{Cluster, ClusterConfig, ConsumerHandle, ProducerRecord, SimTime};

use crate::cluster;

/// Records per batch in the log workload: what fills the default `batch.size` (16 KiB)
/// with 100-byte values.
pub const RECORDS_PER_BATCH: usize = 150;

/// Appends `records` records with 100-byte values to one partition log in batches, then
/// reads them all back. Returns the log and the bytes read (so nothing is optimised away).
pub fn append_and_read(records: usize) -> (PartitionLog, usize) {
    let config = TopicConfig::default();
    let mut log = PartitionLog::new();
    let value = [0x5au8; 100];
    let mut left = records;
    let mut ts = 0i64;
    while left > 0 {
        let n = left.min(RECORDS_PER_BATCH);
        let mut b = RecordBatchBuilder::with_capacity(ts, n * 110);
        for _ in 0..n {
            b.push(None, Some(&value), &[], ts);
        }
        let batch = b
            .build(ProducerIdentity::NONE, CompressionType::None)
            .expect("no codec");
        log.append(&batch, &config, SimTime(ts as u64))
            .expect("fits");
        left -= n;
        ts += 1;
    }
    let leo = log.log_end_offset();
    log.set_high_watermark(leo);
    let read: usize = log
        .read_from(0, i64::MAX)
        .map(|r| r.value.map_or(0, <[u8]>::len))
        .sum();
    (log, read)
}

/// The first baseline of the log row: each 100-byte payload copied into fresh memory, then
/// summed. Ratios to it hold across machines where absolute figures do not.
pub fn copy_payloads(records: usize) -> usize {
    let value = [0x5au8; 100];
    let mut memory = Vec::with_capacity(records * value.len());
    for _ in 0..records {
        memory.extend_from_slice(core::hint::black_box(&value));
    }
    memory.chunks(value.len()).map(<[u8]>::len).sum()
}

/// The second baseline: the plainest log, length-prefixed records appended to one `Vec<u8>`
/// and read back in order.
pub fn vec_log(records: usize) -> usize {
    let value = [0x5au8; 100];
    let mut log = Vec::new();
    for _ in 0..records {
        let record = core::hint::black_box(&value);
        log.extend_from_slice(&(record.len() as u32).to_le_bytes());
        log.extend_from_slice(record);
    }
    let (mut at, mut read) = (0, 0);
    while at < log.len() {
        let len = u32::from_le_bytes([log[at], log[at + 1], log[at + 2], log[at + 3]]) as usize;
        read += log[at + 4..at + 4 + len].len();
        at += 4 + len;
    }
    read
}

/// Produces `records` keyed records (100-byte values, 1,000 distinct keys) through a
/// default producer onto a 12-partition topic, then flushes. Returns the records written.
pub fn produce_keyed(records: usize) -> u64 {
    let mut c = Cluster::new(ClusterConfig::default());
    let ok = "the workload makes valid calls";
    c.create_topic("bench", 12, &[]).expect(ok);
    let p = c.create_producer("p", &[]).expect(ok);
    let value = [0x5au8; 100];
    let keys: Vec<Vec<u8>> = (0..1000).map(|i| format!("key-{i}").into_bytes()).collect();
    for i in 0..records {
        let record = ProducerRecord::new("bench")
            .key(&keys[i % keys.len()])
            .value(&value);
        c.produce(p, &record).expect(ok);
        if i % 10_000 == 0 {
            let _ = c.drain_producer_events(p);
        }
    }
    c.flush(p).expect(ok);
    let _ = c.drain_producer_events(p);
    c.describe_topic("bench")
        .expect(ok)
        .partitions
        .iter()
        .map(|p| p.records)
        .sum()
}

/// The 50-command scenario of the share-link budget.
pub const FIFTY_COMMANDS: &str = include_str!("../scripts/fifty.lp");

/// A link's script that generates 10⁶ records of 100-byte values.
pub const MILLION_RECORDS: &str = "seed 1\ntopic create big partitions=6\nproducer gen linger.ms=5\ngenerate gen big count=1000000 key=k{i%1000} value={\"id\":{i},\"amount\":{rand:1..999},\"pad\":\"................................................................\"}\nflush gen\n";

/// Encodes a script as a share link and decodes it again.
pub fn encode_decode(script: &logplay_core::script::Script) -> logplay_core::script::Script {
    logplay_core::script::link::decode(&logplay_core::script::link::encode(script))
        .expect("a link round-trips")
}

/// Opens a link and replays it; returns the records the cluster then holds.
pub fn replay(link: &str) -> u64 {
    let script = logplay_core::script::link::decode(link).expect("a valid link");
    let (session, _) = logplay_core::script::Session::run(&script);
    let runner = session.runner();
    let c = runner.cluster();
    c.list_topics()
        .iter()
        .map(|t| {
            c.describe_topic(t)
                .map_or(0, |d| d.partitions.iter().map(|p| p.records).sum())
        })
        .sum()
}

/// A group of `members` members, all subscribed to 10 topics that share `partitions`
/// partitions between them: the input of the assignor benchmarks.
pub fn big_group(
    members: usize,
    partitions: u32,
) -> (
    logplay_core::group::assignor::PartitionCounts,
    Vec<logplay_core::group::assignor::Member>,
) {
    use logplay_core::group::assignor::Member;
    let topics: Vec<String> = (0..10).map(|t| format!("topic-{t}")).collect();
    let per_topic = topics
        .iter()
        .map(|t| (t.clone(), partitions / 10))
        .collect();
    let members = (0..members)
        .map(|i| {
            Member::new(
                &format!("consumer-{i}-6f1c2a"),
                topics.iter().map(String::as_str),
            )
        })
        .collect();
    (per_topic, members)
}

/// A coordinated group in the making: `members` consumers (range assignor) subscribed to one
/// topic of `partitions` partitions, none of them joined yet.
pub fn coordinated_group(members: usize, partitions: u32) -> (Cluster, Vec<ConsumerHandle>) {
    let mut c = cluster(1);
    c.create_topic("big", partitions, &[])
        .expect("a valid topic");
    let handles = (0..members)
        .map(|i| {
            let name = format!("c{i}");
            let h = c
                .create_consumer(
                    &name,
                    &[
                        ("group.id", "g"),
                        ("partition.assignment.strategy", "range"),
                    ],
                )
                .expect("a valid consumer");
            c.subscribe(h, &["big"]).expect("the topic exists");
            h
        })
        .collect();
    (c, handles)
}

/// Drives [`coordinated_group`]'s members to a Stable group: every member polls (joins), the
/// clock passes `group.initial.rebalance.delay.ms`, every member polls again (syncs).
/// Returns the generation; panics unless the group is Stable with one partition a member.
pub fn stabilise(c: &mut Cluster, members: &[ConsumerHandle]) -> i32 {
    for _ in 0..3 {
        for &h in members {
            c.poll(h).expect("members poll");
        }
        c.tick(3_000).expect("within the broker work bound");
    }
    let d = c.describe_group("g").expect("the group exists");
    assert_eq!(d.state.name(), "Stable");
    assert!(d.members.iter().all(|m| m.assignment.len() == 1));
    d.generation
}

/// The `orders` quickstart's value schema and `records` of its documents, rendered once.
pub fn orders_documents(records: usize) -> (logplay_core::registry::SchemaRegistry, Vec<String>) {
    use logplay_core::connect::quickstart::Quickstart;
    let q = Quickstart::named("orders").expect("a quickstart");
    let mut registry = logplay_core::registry::SchemaRegistry::default();
    registry
        .register("orders-value", q.schema)
        .expect("the quickstart's schema registers");
    let template = logplay_core::script::Template::parse(q.value).expect("the template parses");
    let mut rng = logplay_core::Rng::new(1);
    let docs = (0..records as u64)
        .map(|i| {
            let mut out = String::new();
            template.render(i, &mut rng, &mut out);
            out
        })
        .collect();
    (registry, docs)
}

/// `KafkaJsonSchemaSerializer` over every document (parse, validate, frame), then the
/// deserializer over what it wrote. Returns the bytes written.
pub fn serialize_documents(
    registry: &logplay_core::registry::SchemaRegistry,
    docs: &[String],
) -> usize {
    use logplay_core::registry::wire;
    docs.iter()
        .map(|d| {
            let bytes = wire::serialize(registry, "orders-value", None, d, true).expect("valid");
            wire::deserialize(registry, &bytes, true).expect("readable");
            bytes.len()
        })
        .sum()
}

/// A Connect pipeline: a 4-task datagen source (orders, JSON Schema converter) at 100,000
/// records per simulated second for 10 s into 6 partitions, read by a 3-task table sink and
/// a counter sink. Returns the records the table sink read.
pub const CONNECT_PIPELINE: &str = "seed 1
topic create orders partitions=6
connector create gen connector.class=DatagenConnector kafka.topic=orders quickstart=orders rate=100000 tasks.max=4 value.converter=JsonSchemaConverter
connector create table connector.class=TableSinkConnector topics=orders tasks.max=3 value.converter=JsonSchemaConverter
connector create count connector.class=CounterSinkConnector topics=orders aggregate.field=orderunits value.converter=JsonSchemaConverter
play 10s
";

/// Runs [`CONNECT_PIPELINE`]; returns the records the table sink read.
pub fn connect_pipeline() -> u64 {
    let script = logplay_core::script::parse(CONNECT_PIPELINE).expect("parses");
    let (session, _) = logplay_core::script::Session::run(&script);
    let runner = session.runner();
    let read = runner
        .connectors()
        .find(|(n, _)| *n == "table")
        .map_or(0, |(_, s)| s.records);
    read
}
