//! The simulated cluster: topics, clients, committed offsets and the clock that moves them.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use crate::budget::{entry, Limits, Usage};
use crate::consumer::{Consumer, OffsetStore};
use crate::error::err;
use crate::group::coordinator::Group;
use crate::producer::Producer;
use crate::rand::Rng;
use crate::replication::{Broker, BrokerState};
use crate::state_hash::StateHasher;
use crate::time::SimTime;
use crate::topic::Topics;
use crate::txn::TransactionMetadata;

/// A handle to a producer in a [`Cluster`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProducerHandle(u32);

/// A handle to a consumer in a [`Cluster`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConsumerHandle(u32);

mod admin;
mod brokers;
mod clock;
mod config;
mod consumers;
mod coordinators;
mod events;
mod groups;
mod producers;
mod txn;
mod txn_markers;

pub use admin::{PartitionDescription, TopicDescription};
pub use config::ClusterConfig;
pub use coordinators::{coordinator_partition, CoordinatorKind};
pub use events::ClusterEvent;
pub use groups::{GroupDescription, GroupMemberDescription, GroupOffset, ResetTo};

/// A deterministic, sans-IO Kafka cluster on a simulated clock.
///
/// Inputs are method calls; time moves only through [`Cluster::advance_to`] and
/// [`Cluster::tick`]. Outputs are drained events and read-only views.
#[derive(Clone, Debug)]
pub struct Cluster {
    config: ClusterConfig,
    /// What the scenario may hold and do; not state (it is the same whatever happened).
    limits: Limits,
    now: SimTime,
    rng: Rng,
    topics: Topics,
    producers: Vec<Option<Producer>>,
    consumers: Vec<Option<Consumer>>,
    offsets: OffsetStore,
    next_producer_id: i64,
    next_retention_check: SimTime,
    next_cleaner_run: SimTime,
    events: Vec<ClusterEvent>,
    groups: BTreeMap<String, Group>,
    /// The transaction coordinator's state, by `transactional.id`.
    transactions: BTreeMap<String, TransactionMetadata>,
    brokers: Vec<Broker>,
    /// `__consumer_offsets` and `__transaction_state`, once a coordinator was looked up.
    internal: Topics,
    next_replica_fetch: Option<SimTime>,
    next_isr_check: Option<SimTime>,
    /// When the controller next moves leaders back to their preferred replicas.
    next_leader_balance: Option<SimTime>,
}

impl Cluster {
    /// A cluster with no topics, at time zero.
    pub fn new(config: ClusterConfig) -> Self {
        Self {
            rng: Rng::new(config.seed),
            next_retention_check: SimTime(config.log_retention_check_interval_ms),
            next_cleaner_run: SimTime(config.log_cleaner_backoff_ms),
            config,
            limits: Limits::default(),
            now: SimTime::ZERO,
            topics: BTreeMap::new(),
            producers: Vec::new(),
            consumers: Vec::new(),
            offsets: BTreeMap::new(),
            next_producer_id: 1000,
            events: Vec::new(),
            groups: BTreeMap::new(),
            transactions: BTreeMap::new(),
            brokers: alloc::vec![Broker {
                id: 1,
                rack: None,
                state: BrokerState::Running,
            }],
            internal: BTreeMap::new(),
            next_replica_fetch: None,
            next_isr_check: None,
            next_leader_balance: None,
        }
    }

    /// The cluster's settings.
    pub fn config(&self) -> &ClusterConfig {
        &self.config
    }

    /// What the scenario may hold and do.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Sets what the scenario may hold and do; what it holds already stays.
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// What the cluster holds now, measured from its structures: [`Usage::bytes`] counts
    /// the logs' buffers and indexes, the partitions, the clients with their buffers, the
    /// groups and the committed offsets.
    pub fn usage(&self) -> Usage {
        let topics = self.topics.values().chain(self.internal.values());
        let (mut bytes, mut records, mut partitions) = (0u64, 0u64, 0u32);
        for t in topics {
            bytes += t.heap_bytes() as u64;
            records += t
                .partitions
                .iter()
                .map(|p| p.log.record_count())
                .sum::<u64>();
        }
        for t in self.topics.values() {
            partitions += t.partitions.len() as u32;
        }
        let producers = self.producers.iter().flatten();
        let consumers = self.consumers.iter().flatten();
        bytes += producers.clone().map(Producer::heap_bytes).sum::<usize>() as u64;
        bytes += consumers.clone().map(Consumer::heap_bytes).sum::<usize>() as u64;
        bytes += self.groups.values().map(Group::heap_bytes).sum::<usize>() as u64;
        let offsets = self.offsets.keys().map(|(g, _, _)| entry::ENTRY + g.len());
        bytes += offsets.sum::<usize>() as u64;
        Usage {
            bytes,
            records,
            clients: (producers.count() + consumers.count()) as u32,
            topics: self.topics.len() as u32,
            partitions,
        }
    }

    /// A stable hash of everything observable: the same inputs give the same hash, natively
    /// and in wasm.
    pub fn state_hash(&self) -> u64 {
        let mut h = StateHasher::default();
        h.u64(self.now.0);
        h.u64(self.rng.clone().next_u64());
        for b in &self.brokers {
            h.i64(b.id.into());
            h.str(b.rack.as_deref().unwrap_or_default());
            h.str(b.state.name());
        }
        for t in self.topics.values().chain(self.internal.values()) {
            t.hash_into(&mut h);
        }
        for p in self.producers.iter().flatten() {
            p.hash_into(&mut h);
        }
        for c in self.consumers.iter().flatten() {
            c.hash_into(&mut h);
        }
        for g in self.groups.values() {
            h.str(&g.id);
            h.str(g.state.name());
            h.i64(g.generation.into());
            for m in g.members.values() {
                h.str(&m.member_id);
                for (t, p) in &m.assignment {
                    h.str(t);
                    h.u64((*p).into());
                }
            }
        }
        for ((g, t, p), c) in &self.offsets {
            h.str(g);
            h.str(t);
            h.u64((*p).into());
            h.i64(c.offset);
            h.u64(c.commit_time.0);
        }
        for (id, m) in &self.transactions {
            h.str(id);
            h.i64(m.producer_id);
            h.i64(m.epoch.into());
            h.str(m.state.name());
            h.u64(m.started.0);
            for (t, p) in &m.partitions {
                h.str(t);
                h.u64((*p).into());
            }
            for ((t, p), (e, o)) in &m.written {
                h.str(t);
                h.u64((*p).into());
                h.i64((*e).into());
                h.i64(*o);
            }
            for (g, (t, p), o) in &m.offsets {
                h.str(g);
                h.str(t);
                h.u64((*p).into());
                h.i64(*o);
            }
            h.u64(m.timeout_ms);
        }
        h.finish()
    }
}

fn unknown_topic(name: &str) -> crate::error::Error {
    err!(
        UnknownTopicOrPartition,
        "This server does not host this topic: {name}"
    )
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::error::ErrorCode;
    use crate::partition::BrokerId;
    use crate::record::ProducerRecord;

    #[test]
    fn topics_are_created_checked_grown_and_deleted_as_in_kafka() {
        let mut c = Cluster::new(ClusterConfig::default());
        assert!(c
            .create_topic("orders", 3, &[("retention.ms", "1000")])
            .unwrap()
            .is_empty());
        assert_eq!(
            c.create_topic("my.topic", 1, &[]).unwrap().len(),
            1,
            "a metric-name warning"
        );
        let fail = |c: &mut Cluster, name: &str, n: u32, cfg: &[(&str, &str)]| {
            c.create_topic(name, n, cfg).unwrap_err().code
        };
        assert_eq!(
            fail(&mut c, "orders", 1, &[]),
            ErrorCode::TopicAlreadyExists
        );
        assert_eq!(
            fail(&mut c, "my_topic", 1, &[]),
            ErrorCode::InvalidTopicException
        );
        assert_eq!(
            fail(&mut c, "bad name", 1, &[]),
            ErrorCode::InvalidTopicException
        );
        assert_eq!(fail(&mut c, "zero", 0, &[]), ErrorCode::InvalidPartitions);
        assert_eq!(
            fail(&mut c, "huge", 1_000_000_000, &[]),
            ErrorCode::InvalidPartitions
        );
        assert_eq!(
            fail(&mut c, "cfg", 1, &[("retention.hours", "1")]),
            ErrorCode::InvalidConfig
        );
        assert_eq!(
            c.list_topics(),
            vec!["my.topic", "orders"],
            "failed creates change nothing"
        );
        c.add_partitions("orders", 5).unwrap();
        let d = c.describe_topic("orders").unwrap();
        assert_eq!(d.partitions.len(), 5);
        assert_eq!(
            d.config_overrides,
            vec![("retention.ms".into(), "1000".into())]
        );
        assert_eq!(
            (d.partitions[4].leader, d.partitions[4].isr.clone()),
            (1, vec![1])
        );
        c.alter_topic_configs("orders", &[("cleanup.policy", "compact")])
            .unwrap();
        let bad = c.alter_topic_configs(
            "orders",
            &[("retention.ms", "5"), ("cleanup.policy", "nope")],
        );
        assert_eq!(bad.unwrap_err().code, ErrorCode::InvalidConfig);
        let config = c.topic("orders").unwrap().config();
        assert_eq!(config.get("cleanup.policy").as_deref(), Some("compact"));
        assert_eq!(config.retention_ms, 1000, "all or nothing");
        c.delete_topic("orders").unwrap();
        assert_eq!(
            c.delete_topic("orders").unwrap_err().code,
            ErrorCode::UnknownTopicOrPartition
        );
        assert_eq!(
            c.describe_topic("orders").unwrap_err().code,
            ErrorCode::UnknownTopicOrPartition
        );
    }

    #[test]
    fn the_cluster_wide_partition_limit_holds() {
        let mut c = Cluster::new(ClusterConfig::default());
        for i in 0..2 {
            c.create_topic(&alloc::format!("t{i}"), 10_000, &[])
                .unwrap();
        }
        let refused = c.create_topic("one-more", 1, &[]).unwrap_err();
        assert_eq!(refused.code, ErrorCode::PolicyViolation);
        assert!(
            refused.message.contains("its limits.partitions is 20000"),
            "{}",
            refused.message
        );
        let before = c.state_hash();
        c.set_limits(crate::budget::Limits {
            partitions: 20_001,
            ..crate::budget::Limits::default()
        });
        c.create_topic("one-more", 1, &[]).unwrap();
        assert_ne!(c.state_hash(), before);
        assert_eq!(
            c.add_partitions("t0", 10_000).unwrap_err().code,
            ErrorCode::InvalidPartitions
        );
    }

    #[test]
    fn retention_and_the_cleaner_run_on_the_brokers_schedule() {
        let mut cfg = ClusterConfig::default();
        cfg.set("log.retention.check.interval.ms", "1000").unwrap();
        cfg.set("log.cleaner.backoff.ms", "500").unwrap();
        assert_eq!(
            cfg.set("log.dirs", "/tmp").unwrap_err().code,
            ErrorCode::InvalidConfig
        );
        let mut c = Cluster::new(cfg);
        c.create_topic("logs", 1, &[("retention.ms", "100"), ("segment.ms", "10")])
            .unwrap();
        c.create_topic(
            "table",
            1,
            &[("cleanup.policy", "compact"), ("segment.ms", "10")],
        )
        .unwrap();
        let p = c.create_producer("p", &[("linger.ms", "0")]).unwrap();
        for i in 0..5u8 {
            c.produce(p, &ProducerRecord::new("logs").value(&[i]))
                .unwrap();
            c.produce(p, &ProducerRecord::new("table").key(b"k").value(&[i]))
                .unwrap();
            c.tick(20).unwrap();
        }
        assert_eq!(c.poll_timeout(), Some(SimTime(500)));
        c.advance_to(SimTime(999)).unwrap();
        let events = c.drain_events();
        assert!(
            matches!(events.as_slice(), [ClusterEvent::Compaction { report, .. }] if report.records_removed == 3),
            "{events:?}"
        );
        c.tick(1).unwrap();
        let events = c.drain_events();
        assert!(events.iter().any(|e| matches!(e, ClusterEvent::Retention { report, .. } if report.segments_deleted == 5)), "{events:?}");
        assert_eq!(
            c.describe_topic("logs").unwrap().partitions[0].log_start_offset,
            5
        );
    }

    /// Three brokers, balancing every 10 s if `balancing`, and topic `t` with one partition
    /// on all three; returns its preferred replica too.
    fn three_replicas(balancing: &str) -> (Cluster, BrokerId) {
        let mut cfg = ClusterConfig::default();
        cfg.set("auto.leader.rebalance.enable", balancing).unwrap();
        cfg.set("leader.imbalance.check.interval.seconds", "10")
            .unwrap();
        let mut c = Cluster::new(cfg);
        c.set_brokers(3, None).unwrap();
        c.create_replicated_topic("t", 1, Some(3), &[]).unwrap();
        let preferred = c.topic("t").unwrap().partitions()[0].replicas[0];
        (c, preferred)
    }

    #[test]
    fn the_controller_moves_leaders_back_to_their_preferred_replicas_on_its_schedule() {
        let leader = |c: &Cluster| c.topic("t").unwrap().partitions()[0].leader;
        let run = |balancing: &str| {
            let (mut c, preferred) = three_replicas(balancing);
            c.stop_broker(preferred).unwrap();
            let failover = leader(&c);
            assert_ne!(failover, preferred);
            c.start_broker(preferred).unwrap();
            c.tick(9_999).unwrap();
            assert_eq!(leader(&c), failover, "not before the interval");
            c.tick(1).unwrap();
            (c, preferred, failover)
        };
        let (c, preferred, _) = run("true");
        assert_eq!(leader(&c), preferred);
        assert_eq!(c.topic("t").unwrap().partitions()[0].leader_epoch, 2);
        let (mut c, _, failover) = run("false");
        c.tick(3_600_000).unwrap();
        assert_eq!(leader(&c), failover, "disabled: the leadership stays");
        for (key, value) in [
            ("auto.leader.rebalance.enable", "yes"),
            ("leader.imbalance.check.interval.seconds", "0"),
            ("leader.imbalance.per.broker.percentage", "10"),
        ] {
            let e = ClusterConfig::default().set(key, value).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidConfig, "{key}={value}");
        }
    }

    #[test]
    fn a_preferred_replica_out_of_the_isr_does_not_take_the_leadership() {
        let (mut c, preferred) = three_replicas("true");
        c.stop_broker(preferred).unwrap();
        c.tick(60_000).unwrap();
        let p = &c.topic("t").unwrap().partitions()[0];
        assert_ne!(p.leader, preferred, "a stopped broker leads nothing");
        assert!(!p.isr.contains(&preferred));
        // The controller kept checking: once back in the ISR, it leads within an interval.
        c.start_broker(preferred).unwrap();
        c.tick(11_000).unwrap();
        assert_eq!(c.topic("t").unwrap().partitions()[0].leader, preferred);
    }

    #[test]
    fn a_clock_step_with_unbounded_broker_work_is_refused_and_changes_nothing() {
        let mut cfg = ClusterConfig::default();
        cfg.set("log.retention.check.interval.ms", "1").unwrap();
        let mut c = Cluster::new(cfg);
        c.create_topic("t", 100, &[]).unwrap();
        let before = c.state_hash();
        let e = c.tick(30 * 86_400_000).unwrap_err();
        assert_eq!(e.code, ErrorCode::PolicyViolation);
        assert!(e.message.contains("smaller steps"), "{e}");
        assert_eq!((c.now(), c.state_hash()), (SimTime::ZERO, before));
        c.tick(60_000).unwrap();
        assert_eq!(c.now(), SimTime(60_000));
    }

    #[test]
    fn the_same_calls_give_the_same_state_hash() {
        let run = |seed| {
            let mut c = Cluster::new(ClusterConfig {
                seed,
                ..ClusterConfig::default()
            });
            c.create_topic("t", 4, &[]).unwrap();
            let p = c.create_producer("p", &[]).unwrap();
            for i in 0..100u32 {
                c.produce(p, &ProducerRecord::new("t").value(&i.to_le_bytes()))
                    .unwrap();
                c.tick(1).unwrap();
            }
            c.state_hash()
        };
        assert_eq!(run(1), run(1));
        assert_ne!(run(1), run(2), "the seed drives the sticky partitioner");
    }

    #[test]
    fn closed_clients_refuse_calls_with_illegal_state() {
        let mut c = Cluster::new(ClusterConfig::default());
        c.create_topic("t", 1, &[]).unwrap();
        let p = c.create_producer("p", &[]).unwrap();
        c.produce(p, &ProducerRecord::new("t").value(b"v")).unwrap();
        let events = c.close_producer(p).unwrap();
        assert_eq!(
            events.iter().filter(|e| e.as_delivery().is_some()).count(),
            1,
            "close flushes"
        );
        assert_eq!(
            c.produce(p, &ProducerRecord::new("t")).unwrap_err().code,
            ErrorCode::IllegalState
        );
        assert_eq!(
            c.crash_producer(p).unwrap_err().code,
            ErrorCode::IllegalState
        );
    }
}
