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
            if self.coordinator(CoordinatorKind::Transaction, &id).is_some() {
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
        return written.map_or(MarkerProgress::Waiting, |(e, o)| MarkerProgress::Written(e, o));
    }
    let replicated = |part: &crate::topic::Partition, offset: i64| {
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
