//! The transaction coordinator's marker channel (WriteTxnMarkers): once a transaction is
//! `PrepareCommit` or `PrepareAbort`, its marker goes to each partition it added, with
//! `acks=all`. A partition without a leader, or with fewer in-sync replicas than
//! `min.insync.replicas`, is retried; a marker lost in an election before it was replicated
//! is written again. The transaction completes when every marker is below its partition's
//! high watermark and, on commit, its offsets are committed.

use alloc::string::String;
use alloc::vec::Vec;

use super::{Cluster, CoordinatorKind};
use crate::consumer::{CommittedOffset, TopicPartition};
use crate::log::Marker;
use crate::record::ProducerIdentity;
use crate::time::SimTime;
use crate::topic::Topics;
use crate::txn::TransactionState;

/// Where one partition's marker stands.
enum MarkerProgress {
    /// Written and replicated (or its partition is gone, or it refused the epoch, which
    /// makes Kafka's coordinator drop the marker).
    Done,
    /// Written by the leader of this epoch at this offset, waiting for the followers.
    Written(i32, i64),
    /// Not written yet: the partition has no leader or too few in-sync replicas.
    Waiting,
}

impl Cluster {
    /// Moves every ending transaction's markers on, as far as the brokers allow now.
    pub(super) fn write_markers(&mut self) {
        let ending: Vec<String> = self
            .transactions
            .iter()
            .filter(|(_, m)| {
                matches!(
                    m.state,
                    TransactionState::PrepareCommit | TransactionState::PrepareAbort
                )
            })
            .map(|(id, _)| id.clone())
            .collect();
        for id in ending {
            if self
                .coordinator(CoordinatorKind::Transaction, &id)
                .is_some()
            {
                self.write_markers_of(&id);
            }
        }
    }

    fn write_markers_of(&mut self, id: &str) {
        let now = self.now;
        let Some(m) = self.transactions.get_mut(id) else {
            return;
        };
        let (marker, complete) = match m.state {
            TransactionState::PrepareCommit => (Marker::Commit, TransactionState::CompleteCommit),
            _ => (Marker::Abort, TransactionState::CompleteAbort),
        };
        let producer = ProducerIdentity {
            producer_id: m.producer_id,
            epoch: m.epoch,
            base_sequence: -1,
        };
        let pending: Vec<TopicPartition> = m.partitions.iter().cloned().collect();
        for tp in pending {
            let written = m.written.get(&tp).copied();
            match write_marker(&mut self.topics, &tp, written, producer, marker, now) {
                MarkerProgress::Done => {
                    m.partitions.remove(&tp);
                    m.written.remove(&tp);
                }
                MarkerProgress::Written(epoch, offset) => {
                    m.written.insert(tp, (epoch, offset));
                }
                MarkerProgress::Waiting => {
                    m.written.remove(&tp);
                }
            }
        }
        if !m.partitions.is_empty() {
            return;
        }
        // The offsets commit with the marker on the group's `__consumer_offsets` partition.
        let offsets = core::mem::take(&mut m.offsets);
        let mut waiting = Vec::new();
        for (group, tp, offset) in offsets {
            if self.coordinator(CoordinatorKind::Group, &group).is_none() {
                waiting.push((group, tp, offset));
                continue;
            }
            self.offsets.insert(
                (group, tp.0, tp.1),
                CommittedOffset {
                    offset,
                    commit_time: now,
                },
            );
        }
        if let Some(m) = self.transactions.get_mut(id) {
            if waiting.is_empty() {
                m.state = complete;
            }
            m.offsets = waiting;
        }
    }
}

/// Writes (or checks on) one partition's marker. A leader of a newer epoch may hold the
/// marker already (a follower had it), or not (it was truncated): then it is written again.
fn write_marker(
    topics: &mut Topics,
    tp: &TopicPartition,
    written: Option<(i32, i64)>,
    producer: ProducerIdentity,
    marker: Marker,
    now: SimTime,
) -> MarkerProgress {
    let Some(topic) = topics.get_mut(&tp.0) else {
        return MarkerProgress::Done; // deleted meanwhile: nothing to mark
    };
    let config = &topic.config;
    let Some(part) = topic.partitions.get_mut(tp.1 as usize) else {
        return MarkerProgress::Done;
    };
    if part.is_offline() {
        return written.map_or(MarkerProgress::Waiting, |(e, o)| {
            MarkerProgress::Written(e, o)
        });
    }
    let replicated = |part: &crate::partition::Partition, offset: i64| {
        if part.log.high_watermark() > offset {
            MarkerProgress::Done
        } else {
            MarkerProgress::Written(part.leader_epoch, offset)
        }
    };
    if let Some((epoch, offset)) = written {
        let held = epoch == part.leader_epoch
            || part.log.marker_at(offset).is_some_and(|(p, m)| {
                m == marker && p.producer_id == producer.producer_id && p.epoch == producer.epoch
            });
        if held {
            return replicated(part, offset);
        }
    }
    if part.check_produce(&tp.0, true, config).is_err() {
        return MarkerProgress::Waiting;
    }
    match part.log.append_marker(producer, marker, config, now) {
        Ok(offset) => {
            part.advance_high_watermark();
            replicated(part, offset)
        }
        Err(_) => MarkerProgress::Done,
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::super::{Cluster, ClusterConfig, ProducerHandle};
    use crate::error::ErrorCode;
    use crate::log::{IsolationLevel, Marker};
    use crate::record::ProducerRecord;
    use crate::txn::{InitTransactions, TransactionState};

    /// `brokers` brokers, topic `b` with one partition of `rf` replicas, and producer `tx`
    /// (`transactional.id=x`) with one record sent and acknowledged in an open transaction.
    fn open_transaction(brokers: usize, rf: u32) -> (Cluster, ProducerHandle) {
        let mut c = Cluster::new(ClusterConfig {
            seed: 1,
            ..ClusterConfig::default()
        });
        c.set_brokers(brokers, None).unwrap();
        c.create_replicated_topic("b", 1, Some(rf), &[]).unwrap();
        let tx = c
            .create_producer("tx", &[("transactional.id", "x"), ("linger.ms", "0")])
            .unwrap();
        assert_eq!(c.init_transactions(tx).unwrap(), InitTransactions::Ready);
        c.begin_transaction(tx).unwrap();
        c.produce(tx, &ProducerRecord::new("b").value(b"committed"))
            .unwrap();
        c.tick(1_000).unwrap();
        (c, tx)
    }

    fn state(c: &Cluster) -> TransactionState {
        c.describe_transaction("x").unwrap().state
    }

    fn committed_values(c: &Cluster) -> usize {
        let log = &c.topic("b").unwrap().partitions()[0].log;
        log.fetch(0, 100, usize::MAX, IsolationLevel::ReadCommitted)
            .map_or(0, |f| f.records.len())
    }

    #[test]
    fn a_commit_is_decided_at_once_and_complete_once_its_markers_are_replicated() {
        let (mut c, tx) = open_transaction(3, 3);
        c.commit_transaction(tx).unwrap();
        // The COMMIT marker is on the leader only: the transaction holds the LSO.
        assert_eq!(state(&c), TransactionState::PrepareCommit);
        let log = &c.topic("b").unwrap().partitions()[0].log;
        assert_eq!(
            (
                log.last_stable_offset(),
                log.high_watermark(),
                log.log_end_offset()
            ),
            (0, 1, 2)
        );
        assert_eq!(committed_values(&c), 0);
        // A fencing initTransactions() waits: refused, and nothing changes.
        let tx2 = c
            .create_producer("tx2", &[("transactional.id", "x")])
            .unwrap();
        let before = c.state_hash();
        let e = c.init_transactions(tx2).unwrap_err();
        assert_eq!(e.code, ErrorCode::ConcurrentTransactions);
        assert!(e.message.contains("b-0"), "{e}");
        assert_eq!(c.state_hash(), before);
        c.tick(1_000).unwrap();
        assert_eq!(state(&c), TransactionState::CompleteCommit);
        assert_eq!(committed_values(&c), 1);
        assert_eq!(c.init_transactions(tx2).unwrap(), InitTransactions::Ready);
    }

    #[test]
    fn a_marker_lost_in_a_failover_is_written_again_on_the_new_leader() {
        let (mut c, tx) = open_transaction(3, 3);
        let leader = c.topic("b").unwrap().partitions()[0].leader;
        c.commit_transaction(tx).unwrap();
        // The leader stops before any follower fetched the marker.
        c.stop_broker(leader).unwrap();
        let part = &c.topic("b").unwrap().partitions()[0];
        assert_ne!(part.leader, leader);
        let (producer, marker) = part.log.marker_at(1).expect("the marker, written again");
        assert_eq!((producer.epoch, marker), (0, Marker::Commit));
        c.tick(1_000).unwrap();
        assert_eq!(state(&c), TransactionState::CompleteCommit);
        assert_eq!(
            committed_values(&c),
            1,
            "a committed transaction stays committed"
        );
    }

    #[test]
    fn a_marker_waits_for_its_partition_to_have_a_leader() {
        let (mut c, tx) = open_transaction(2, 1);
        let leader = c.topic("b").unwrap().partitions()[0].leader;
        c.stop_broker(leader).unwrap();
        // The coordinator's partition has a replica on the other broker.
        assert!(c
            .coordinator(super::CoordinatorKind::Transaction, "x")
            .is_some());
        c.commit_transaction(tx).unwrap();
        c.tick(60_000).unwrap();
        assert_eq!(state(&c), TransactionState::PrepareCommit);
        c.start_broker(leader).unwrap();
        assert_eq!(state(&c), TransactionState::CompleteCommit);
        assert_eq!(committed_values(&c), 1);
    }

    #[test]
    fn read_committed_consumers_wait_for_the_offsets_a_transaction_commits() {
        let (mut c, tx) = open_transaction(3, 3);
        c.create_replicated_topic("in", 1, Some(1), &[]).unwrap();
        let feeder = c.create_producer("feeder", &[("linger.ms", "0")]).unwrap();
        for v in [b"1", b"2"] {
            c.produce(feeder, &ProducerRecord::new("in").value(v))
                .unwrap();
        }
        c.tick(1_000).unwrap();
        let consumer = |c: &mut Cluster, name: &str, isolation: &str| {
            let h = c
                .create_consumer(
                    name,
                    &[
                        ("group.id", "g"),
                        ("isolation.level", isolation),
                        ("auto.offset.reset", "earliest"),
                    ],
                )
                .unwrap();
            c.assign(h, &[("in", 0)]).unwrap();
            h
        };
        let app = consumer(&mut c, "app", "read_committed");
        assert_eq!(c.poll(app).unwrap().len(), 2);
        c.send_offsets_to_transaction(tx, app).unwrap();
        c.commit_transaction(tx).unwrap();
        assert_eq!(state(&c), TransactionState::PrepareCommit);
        // KIP-447: the offset 2 is pending; a read_committed member waits for it rather
        // than reading from the older committed offset (none: earliest) again.
        let next = consumer(&mut c, "next", "read_committed");
        let e = c.position(next, "in", 0).unwrap_err();
        assert_eq!(e.code, ErrorCode::UnstableOffsetCommit);
        assert!(c.poll(next).unwrap().is_empty());
        let uncommitted = consumer(&mut c, "uncommitted", "read_uncommitted");
        assert_eq!(c.position(uncommitted, "in", 0), Ok(0));
        c.tick(1_000).unwrap();
        assert_eq!(state(&c), TransactionState::CompleteCommit);
        assert_eq!(c.position(next, "in", 0), Ok(2));
    }

    #[test]
    fn an_aborting_init_waits_while_the_abort_markers_replicate() {
        let (mut c, _) = open_transaction(3, 3);
        let tx2 = c
            .create_producer("tx2", &[("transactional.id", "x")])
            .unwrap();
        // Kafka fences and aborts the open transaction first (epoch 1), then bumps again.
        match c.init_transactions(tx2).unwrap() {
            InitTransactions::AwaitingAbort { partitions } => {
                assert_eq!(partitions, [("b".into(), 0)]);
            }
            InitTransactions::Ready => panic!("the ABORT marker is not yet replicated"),
        }
        assert_eq!(state(&c), TransactionState::PrepareAbort);
        let e = c.begin_transaction(tx2).unwrap_err();
        assert!(e.message.contains("INITIALIZING"), "{e}");
        c.tick(1_000).unwrap();
        assert_eq!(c.producer(tx2).unwrap().identity().1, 2);
        c.begin_transaction(tx2).unwrap();
    }
}
