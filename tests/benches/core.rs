//! Native benchmarks of the core (criterion). The same workloads run in headless Chromium
//! in `tests/tests/browser_bench.rs`; the figures go to the README's performance table.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use logplay_core::script::{link, parse};
use logplay_tests::workloads::{
    append_and_read, connect_pipeline, copy_payloads, encode_decode, orders_documents,
    produce_keyed, replay, serialize_documents, vec_log, FIFTY_COMMANDS, MILLION_RECORDS,
};

const RECORDS: usize = 1_000_000;

fn log(c: &mut Criterion) {
    let (log, read) = append_and_read(RECORDS);
    let payload = RECORDS * 100;
    assert_eq!(read, payload);
    println!(
        "memory: {RECORDS} x 100-byte records hold {} heap bytes = {:.3} x the payload",
        log.heap_bytes(),
        log.heap_bytes() as f64 / payload as f64
    );
    let mut g = c.benchmark_group("log");
    g.sample_size(10);
    g.throughput(Throughput::Elements(RECORDS as u64));
    g.bench_function("append+read 1e6 x 100B, one partition", |b| {
        b.iter(|| append_and_read(RECORDS).1)
    });
    // Baselines measured in the same run: the README quotes the log row as ratios to them.
    assert_eq!(copy_payloads(RECORDS), payload);
    assert_eq!(vec_log(RECORDS), payload);
    g.bench_function("baseline: memcpy 1e6 x 100B", |b| {
        b.iter(|| copy_payloads(RECORDS))
    });
    g.bench_function("baseline: Vec<u8> log 1e6 x 100B", |b| {
        b.iter(|| vec_log(RECORDS))
    });
    g.finish();
}

fn producer(c: &mut Criterion) {
    let mut g = c.benchmark_group("producer");
    g.sample_size(10);
    g.throughput(Throughput::Elements(RECORDS as u64));
    g.bench_function("produce 1e6 keyed x 100B, 12 partitions", |b| {
        b.iter(|| produce_keyed(RECORDS))
    });
    g.finish();
}

fn scripts(c: &mut Criterion) {
    let fifty = parse(FIFTY_COMMANDS).expect("parses");
    let million = link::encode(&parse(MILLION_RECORDS).expect("parses"));
    let mut g = c.benchmark_group("scripts");
    g.bench_function("encode+decode a 50-command link", |b| {
        b.iter(|| encode_decode(&fifty))
    });
    g.sample_size(10);
    g.bench_function("replay a link generating 1e6 x 100B records", |b| {
        b.iter(|| replay(&million))
    });
    g.finish();
}

fn split(c: &mut Criterion) {
    let (log, _) = append_and_read(RECORDS);
    c.bench_function("split/read only", |b| {
        b.iter(|| {
            log.read_from(0, i64::MAX)
                .map(|r| r.value.map_or(0, <[u8]>::len))
                .sum::<usize>()
        })
    });
    c.bench_function("split/append+read", |b| {
        b.iter(|| append_and_read(RECORDS).1)
    });
}

fn assignors(c: &mut Criterion) {
    use logplay_core::group::assignor::{range, roundrobin, sticky};
    let (topics, members) = logplay_tests::workloads::big_group(10_000, 10_000);
    let mut g = c.benchmark_group("assignors");
    g.sample_size(20);
    g.bench_function("range: 10,000 members, 10,000 partitions", |b| {
        b.iter(|| range(&topics, &members))
    });
    g.bench_function("roundrobin: 10,000 members, 10,000 partitions", |b| {
        b.iter(|| roundrobin(&topics, &members))
    });
    // A rebalance after one member left: everyone else owned its range partitions before.
    let before = range(&topics, &members);
    let mut rejoined: Vec<_> = members[1..].to_vec();
    for m in &mut rejoined {
        m.owned = before[&m.member_id].clone();
    }
    g.bench_function(
        "sticky: 9,999 members with previous partitions, 10,000 partitions",
        |b| b.iter(|| sticky(&topics, &rejoined)),
    );
    g.finish();
}

fn coordinated_group(c: &mut Criterion) {
    use logplay_tests::workloads::{coordinated_group, stabilise};
    let mut g = c.benchmark_group("groups");
    g.sample_size(10);
    g.bench_function(
        "10,000 live members join one group over 10,000 partitions until Stable",
        |b| {
            b.iter_batched(
                || coordinated_group(10_000, 10_000),
                |(mut cluster, members)| stabilise(&mut cluster, &members),
                criterion::BatchSize::LargeInput,
            )
        },
    );
    g.finish();
}

fn ecosystem(c: &mut Criterion) {
    let (registry, docs) = orders_documents(100_000);
    let mut g = c.benchmark_group("ecosystem");
    g.sample_size(10);
    g.throughput(Throughput::Elements(docs.len() as u64));
    g.bench_function(
        "serialize + deserialize 1e5 orders (JSON Schema, validated)",
        |b| b.iter(|| serialize_documents(&registry, &docs)),
    );
    let read = connect_pipeline();
    println!("connect pipeline: the table sink read {read} records");
    g.throughput(Throughput::Elements(read));
    g.bench_function(
        "connect: datagen 1e6 orders through a table and a counter sink",
        |b| b.iter(connect_pipeline),
    );
    g.finish();
}

criterion_group!(
    benches,
    ecosystem,
    log,
    producer,
    scripts,
    split,
    assignors,
    coordinated_group
);
criterion_main!(benches);
