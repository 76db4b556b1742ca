//! # logplay-core
//!
//! Apache Kafka's semantics as a deterministic, sans-IO state machine: partition logs with
//! segments, retention and compaction; topics with Kafka's configs; producers with batching,
//! `linger.ms`, Java-exact keyed partitioning and idempotence; consumers with `assign`,
//! `seek`, `poll` and committed offsets.
//!
//! The contract: no I/O, no OS clock, no OS randomness. Time moves only when you call
//! [`Cluster::tick`] or [`Cluster::advance_to`] (simulated milliseconds), and every random
//! choice comes from [`ClusterConfig::seed`]. The same calls give the same state, to the
//! byte, natively and in wasm: [`Cluster::state_hash`] checks it.
//!
//! A session, from topic to consumed record:
//!
//! ```
//! use logplay_core::{Cluster, ClusterConfig, ProducerRecord, partitioner};
//!
//! let mut cluster = Cluster::new(ClusterConfig { seed: 42, ..ClusterConfig::default() });
//! cluster.create_topic("orders", 3, &[("retention.ms", "86400000")])?;
//!
//! // The producer batches for linger.ms (5 ms by default) before sending.
//! let p = cluster.create_producer("p1", &[("acks", "all")])?;
//! cluster.produce(p, &ProducerRecord::new("orders").key(b"user-1").value(b"pizza"))?;
//! cluster.tick(5)?;
//! let reports: Vec<_> = cluster
//!     .drain_producer_events(p)?
//!     .into_iter()
//!     .filter_map(|e| e.as_delivery().cloned())
//!     .collect();
//! let partition = partitioner::partition_for_key(b"user-1", 3);
//! assert_eq!((reports[0].partition, reports[0].offset), (partition, 0));
//!
//! // A consumer reads it back from the partition it was assigned.
//! let c = cluster.create_consumer("c1", &[("group.id", "billing"), ("auto.offset.reset", "earliest")])?;
//! cluster.assign(c, &[("orders", partition)])?;
//! let records = cluster.poll(c)?;
//! assert_eq!(records[0].value(), Some(&b"pizza"[..]));
//! cluster.commit(c, None)?;
//! assert_eq!(cluster.committed(c, "orders", partition)?, Some(1));
//! # Ok::<(), logplay_core::Error>(())
//! ```
#![cfg_attr(not(any(test, feature = "std")), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod budget;
mod cluster;
pub mod compression;
pub mod config;
pub mod connect;
pub mod consumer;
mod error;
pub mod group;
pub mod log;
pub mod partition;
pub mod partitioner;
pub mod producer;
mod rand;
pub mod record;
pub mod registry;
pub mod replication;
pub mod script;
pub mod sorted_set;
mod state_hash;
mod time;
pub mod topic;
pub mod txn;

pub use cluster::{coordinator_partition, CoordinatorKind};
pub use cluster::{
    Cluster, ClusterConfig, ClusterEvent, ConsumerHandle, PartitionDescription, ProducerHandle,
    TopicDescription,
};
pub use cluster::{GroupDescription, GroupMemberDescription, GroupOffset, ResetTo};
pub use consumer::SeekTo;
pub use error::{Error, ErrorCode, Result};
pub use rand::Rng;
pub use record::{Header, Message, ProducerRecord, TimestampType};
pub use state_hash::StateHasher;
pub use time::SimTime;

#[cfg(all(test, target_arch = "wasm32"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
