//! Cross-crate tests for logplay live in `tests/`; this library holds what they share:
//! scenarios for the determinism checks, the golden scripts, the swarm simulator, the parity
//! harness against a Kafka-protocol peer and the benchmark workloads.

pub mod connect_swarm;
pub mod fuzz;
pub mod golden;
pub mod parity;
pub mod swarm;
pub mod txn_swarm;
pub mod workloads;

use logplay_core::{Cluster, ClusterConfig, ProducerRecord, SeekTo};

/// A cluster seeded with `seed` and the default broker configs.
pub fn cluster(seed: u64) -> Cluster {
    Cluster::new(ClusterConfig {
        seed,
        ..ClusterConfig::default()
    })
}

/// A scenario that touches every part of the core: keyed and unkeyed records, sticky and
/// murmur2 partitioning, gzip and zstd batches, a lost ack retried with and without
/// idempotence, compaction, retention, consumers with commits and seeks.
/// Returns the cluster's state hash at the end.
pub fn determinism_scenario(seed: u64) -> u64 {
    let mut config = ClusterConfig {
        seed,
        ..ClusterConfig::default()
    };
    config.log_retention_check_interval_ms = 1_000;
    config.log_cleaner_backoff_ms = 700;
    let mut c = Cluster::new(config);
    let ok = "the scenario only makes valid calls";
    c.create_topic(
        "events",
        3,
        &[("retention.ms", "5000"), ("segment.ms", "500")],
    )
    .expect(ok);
    c.create_topic(
        "users",
        2,
        &[("cleanup.policy", "compact"), ("segment.ms", "300")],
    )
    .expect(ok);
    let fast = c
        .create_producer("fast", &[("linger.ms", "0"), ("compression.type", "gzip")])
        .expect(ok);
    let plain = c
        .create_producer(
            "plain",
            &[
                ("enable.idempotence", "false"),
                ("compression.type", "zstd"),
            ],
        )
        .expect(ok);
    let reader = c
        .create_consumer(
            "reader",
            &[("group.id", "g"), ("auto.offset.reset", "earliest")],
        )
        .expect(ok);
    c.assign(reader, &[("events", 0), ("events", 1), ("events", 2)])
        .expect(ok);
    for i in 0..400u32 {
        let value = format!("{{\"n\":{i}}}");
        c.produce(fast, &ProducerRecord::new("events").value(value.as_bytes()))
            .expect(ok);
        let key = format!("user-{}", i % 17);
        c.produce(
            plain,
            &ProducerRecord::new("users")
                .key(key.as_bytes())
                .value(value.as_bytes()),
        )
        .expect(ok);
        if i % 50 == 0 {
            c.lose_acks(plain, 1).expect(ok);
            c.lose_acks(fast, 1).expect(ok);
        }
        if i % 7 == 0 {
            c.poll(reader).expect(ok);
        }
        if i == 200 {
            c.seek(reader, "events", 1, SeekTo::Beginning).expect(ok);
        }
        c.tick(13).expect("within the broker work bound");
    }
    c.tick(60_000).expect("within the broker work bound");
    c.poll(reader).expect(ok);
    c.commit(reader, None).expect(ok);
    c.state_hash()
}
