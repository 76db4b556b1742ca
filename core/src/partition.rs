//! A partition: the leader's log, its replicas and what the leader knows of each, the ISR,
//! the high watermark and leader elections, with the rules replication follows for one
//! partition. The cluster drives them on the clock ([`crate::Cluster`]'s broker methods).
//!
//! A partition keeps one log, the leader's. Followers are prefixes of it, so each is its log
//! end offset; a replica whose log diverged (it held records a new leader never had) keeps a
//! truncation point until it is back in touch and truncates, as Kafka's followers do by
//! leader epoch.

use alloc::vec::Vec;

use crate::config::TopicConfig;
use crate::error::{err, Result};
use crate::log::{AppendInfo, PartitionLog};
use crate::record::{decode_record, RecordBatch};
use crate::state_hash::StateHasher;
use crate::time::SimTime;

/// A broker's id.
pub type BrokerId = i32;

/// Kafka's `-1`: a partition without a leader is offline.
pub const NO_LEADER: BrokerId = -1;

/// One partition of a topic: its log and where it lives.
#[derive(Clone, Debug, PartialEq)]
pub struct Partition {
    /// The leader's log.
    pub log: PartitionLog,
    /// The broker leading it, or [`NO_LEADER`] (offline).
    pub leader: BrokerId,
    /// Its replicas, the preferred leader first.
    pub replicas: Vec<BrokerId>,
    /// Its in-sync replicas.
    pub isr: Vec<BrokerId>,
    /// The leader epoch.
    pub leader_epoch: i32,
    /// What the leader knows of each replica, in the order of `replicas`.
    pub replica_states: Vec<ReplicaState>,
}

impl Partition {
    pub(crate) fn new(replicas: Vec<BrokerId>, now: SimTime) -> Self {
        let state = ReplicaState {
            log_end_offset: 0,
            diverged_at: None,
            last_caught_up: now,
        };
        Self {
            log: PartitionLog::new(),
            leader: replicas.first().copied().unwrap_or(NO_LEADER),
            isr: replicas.clone(),
            replica_states: alloc::vec![state; replicas.len()],
            replicas,
            leader_epoch: 0,
        }
    }
}

/// What the leader knows of one replica.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReplicaState {
    /// Its log end offset (for the leader itself: the log's, when it last led).
    pub log_end_offset: i64,
    /// Where its log diverged from the leader's: it truncates to here once back in touch.
    pub diverged_at: Option<i64>,
    /// The last time it had fetched all the leader had (`lastCaughtUpTimeMs`).
    pub last_caught_up: SimTime,
}

/// A change replication made, reported as a cluster event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplicaChange {
    /// A new leader (or none: the partition went offline).
    LeaderElected {
        /// The new leader, or [`NO_LEADER`].
        leader: BrokerId,
        /// The new leader epoch.
        leader_epoch: i32,
        /// Elected from outside the ISR (`unclean.leader.election.enable`).
        unclean: bool,
        /// Records the old leader had that the new one never got: gone.
        records_truncated: u64,
    },
    /// The ISR changed.
    Isr {
        /// The new ISR.
        isr: Vec<BrokerId>,
        /// Why: `shrink` (a follower fell behind for `replica.lag.time.max.ms`, or its broker
        /// stopped) or `expand` (it caught up).
        reason: &'static str,
    },
    /// A returning replica dropped records the leader does not have.
    Truncated {
        /// The replica's broker.
        broker: BrokerId,
        /// Its log end offset before.
        from: i64,
        /// After.
        to: i64,
    },
}

/// The brokers that are running and in touch with the others.
pub(crate) struct Touch(u64);

impl Touch {
    /// The brokers that are in touch with each other.
    pub(crate) fn of(running: impl Iterator<Item = BrokerId>) -> Self {
        Self(running.fold(0, |bits, b| bits | Self::bit(b)))
    }

    /// Broker ids run from 1 to [`crate::replication::MAX_BROKERS`]: one bit each.
    fn bit(b: BrokerId) -> u64 {
        u32::try_from(b)
            .ok()
            .and_then(|b| 1u64.checked_shl(b))
            .unwrap_or(0)
    }

    /// Whether `follower` can fetch from `leader`.
    pub(crate) fn linked(&self, leader: BrokerId, follower: BrokerId) -> bool {
        let (l, f) = (Self::bit(leader), Self::bit(follower));
        self.0 & l != 0 && self.0 & f != 0
    }
}

impl Partition {
    /// Whether a follower in touch has something to fetch (records, a place in the ISR, a
    /// truncation), and whether the ISR holds a follower out of touch.
    pub(crate) fn replication_work(&self, touch: &Touch) -> (bool, bool) {
        if self.is_offline() {
            return (false, false);
        }
        let end = self.log.log_end_offset();
        let (mut fetch, mut check) = (false, false);
        for (i, (&b, r)) in self.replicas.iter().zip(&self.replica_states).enumerate() {
            if b == self.leader {
                continue;
            }
            if touch.linked(self.leader, b) {
                fetch |= r.diverged_at.is_some()
                    || self.replica_log_end_offset(i) < end
                    || !self.isr.contains(&b);
            } else {
                check |= self.isr.contains(&b);
            }
        }
        (fetch, check)
    }

    /// Each follower in touch with the leader fetches.
    pub(crate) fn fetch_followers(
        &mut self,
        now: SimTime,
        touch: &Touch,
        out: &mut Vec<ReplicaChange>,
    ) {
        if self.is_offline() {
            return;
        }
        for i in 0..self.replicas.len() {
            if self.replicas[i] != self.leader && touch.linked(self.leader, self.replicas[i]) {
                self.follower_fetch(i, now, out);
            }
        }
    }

    /// Followers in touch that have all the leader has are caught up as of `now` (between
    /// fetches nothing changes for them).
    pub(crate) fn refresh_caught_up(&mut self, now: SimTime, touch: &Touch) {
        let end = self.log.log_end_offset();
        for i in 0..self.replicas.len() {
            let b = self.replicas[i];
            if b != self.leader
                && touch.linked(self.leader, b)
                && self.replica_log_end_offset(i) >= end
            {
                self.replica_states[i].last_caught_up = now;
            }
        }
    }

    /// The log end offset of replica `i`: the log's for the leader.
    pub fn replica_log_end_offset(&self, i: usize) -> i64 {
        if self.replicas.get(i) == Some(&self.leader) {
            return self.log.log_end_offset();
        }
        self.replica_states.get(i).map_or(0, |r| {
            r.diverged_at
                .map_or(r.log_end_offset, |d| r.log_end_offset.min(d))
        })
    }

    /// Whether the partition has fewer in-sync replicas than replicas.
    pub fn is_under_replicated(&self) -> bool {
        self.isr.len() < self.replicas.len()
    }

    /// Whether the partition has no leader.
    pub fn is_offline(&self) -> bool {
        self.leader == NO_LEADER
    }

    /// Kafka's `maybeIncrementLeaderHW`: the high watermark moves up to the smallest log end
    /// offset in the ISR, and never down on a leader.
    pub(crate) fn advance_high_watermark(&mut self) {
        let min_isr_leo = (0..self.replicas.len())
            .filter(|&i| self.isr.contains(&self.replicas[i]))
            .map(|i| self.replica_log_end_offset(i))
            .min()
            .unwrap_or_else(|| self.log.log_end_offset());
        if min_isr_leo > self.log.high_watermark() {
            self.log.set_high_watermark(min_isr_leo);
        }
    }

    /// The leader-side checks of a produce request before the append.
    pub(crate) fn check_produce(
        &self,
        topic: &str,
        acks_all: bool,
        config: &TopicConfig,
    ) -> Result<()> {
        if self.is_offline() {
            return Err(err!(
                NotLeaderOrFollower,
                "{topic} has no leader: every replica in its ISR is down"
            ));
        }
        if acks_all && (self.isr.len() as u32) < config.min_insync_replicas {
            return Err(err!(
                NotEnoughReplicas,
                "Messages are rejected since there are fewer in-sync replicas than required: ISR {:?}, min.insync.replicas={}",
                self.isr,
                config.min_insync_replicas
            ));
        }
        Ok(())
    }

    /// The broker's side of a produce request: the leader checks it leads, for `acks=all`
    /// that the ISR is large enough, and for a compacted topic that every record has a key;
    /// it appends and advances its high watermark.
    pub(crate) fn append_produce(
        &mut self,
        topic: &str,
        partition: u32,
        batch: &RecordBatch,
        acks_all: bool,
        config: &TopicConfig,
        now: SimTime,
    ) -> Result<Appended> {
        if config.cleanup_policy.compact && has_null_key(batch) {
            return Err(err!(InvalidRecord, "Compacted topic cannot accept message without key in topic partition {topic}-{partition}."));
        }
        self.check_produce(topic, acks_all, config)?;
        let append = self.log.append(batch, config, now)?;
        self.advance_high_watermark();
        Ok(Appended {
            hw_reached: self.log.high_watermark() > append.last_offset,
            leader_epoch: self.leader_epoch,
            append,
        })
    }

    /// A follower fetch: replica `i` gets all the leader has, and rejoins the ISR once it has
    /// reached the high watermark.
    pub(crate) fn follower_fetch(&mut self, i: usize, now: SimTime, out: &mut Vec<ReplicaChange>) {
        self.settle_divergence(i, out);
        let end = self.log.log_end_offset();
        let broker = self.replicas[i];
        if let Some(r) = self.replica_states.get_mut(i) {
            r.log_end_offset = end;
            r.last_caught_up = now;
        }
        if !self.isr.contains(&broker) && end >= self.log.high_watermark() {
            self.isr.push(broker);
            self.sort_isr();
            out.push(ReplicaChange::Isr {
                isr: self.isr.clone(),
                reason: "expand",
            });
        }
        self.advance_high_watermark();
    }

    /// A replica back in touch truncates where its log diverged.
    pub(crate) fn settle_divergence(&mut self, i: usize, out: &mut Vec<ReplicaChange>) {
        let broker = self.replicas[i];
        if let Some(r) = self.replica_states.get_mut(i) {
            if let Some(at) = r.diverged_at.take() {
                if r.log_end_offset > at {
                    out.push(ReplicaChange::Truncated {
                        broker,
                        from: r.log_end_offset,
                        to: at,
                    });
                    r.log_end_offset = at;
                }
            }
        }
    }

    /// Kafka's `maybeShrinkIsr`: followers that have not caught up for `lag_ms` leave the ISR.
    pub(crate) fn shrink_isr(
        &mut self,
        now: SimTime,
        lag_ms: u64,
        touch: &Touch,
        out: &mut Vec<ReplicaChange>,
    ) {
        if self.is_offline() {
            return;
        }
        self.refresh_caught_up(now, touch);
        let before = self.isr.len();
        let (replicas, states, leader) = (&self.replicas, &self.replica_states, self.leader);
        self.isr.retain(|b| {
            *b == leader
                || replicas
                    .iter()
                    .position(|r| r == b)
                    .and_then(|i| states.get(i))
                    .is_some_and(|r| now - r.last_caught_up <= lag_ms)
        });
        if self.isr.len() != before {
            out.push(ReplicaChange::Isr {
                isr: self.isr.clone(),
                reason: "shrink",
            });
            self.advance_high_watermark();
        }
    }

    /// The controller takes a stopped broker out of the ISR (unless it is the last member,
    /// as KRaft keeps it) and elects a new leader if it led.
    pub(crate) fn broker_stopped(
        &mut self,
        broker: BrokerId,
        alive: &dyn Fn(BrokerId) -> bool,
        config: &TopicConfig,
        out: &mut Vec<ReplicaChange>,
    ) {
        if !self.replicas.contains(&broker) {
            return;
        }
        if self.leader == broker {
            let end = self.log.log_end_offset();
            if let Some(i) = self.replicas.iter().position(|&b| b == broker) {
                self.replica_states[i].log_end_offset = end;
            }
        }
        if self.isr.len() > 1 && self.isr.contains(&broker) {
            self.isr.retain(|&b| b != broker);
            out.push(ReplicaChange::Isr {
                isr: self.isr.clone(),
                reason: "shrink",
            });
        }
        if self.leader == broker {
            self.elect(alive, config, out);
        } else {
            self.advance_high_watermark();
        }
    }

    /// Whether leadership sits away from the preferred replica (the first assigned).
    pub fn leader_imbalanced(&self) -> bool {
        self.replicas.len() > 1 && self.replicas[0] != self.leader
    }

    /// A preferred leader election: leadership moves to the first replica if it is alive and
    /// in the ISR, else stays. The old leader becomes a follower; what it had beyond the new
    /// leader's log end (never acknowledged to `acks=all` producers) goes, as in any election.
    pub(crate) fn elect_preferred(
        &mut self,
        alive: &dyn Fn(BrokerId) -> bool,
        config: &TopicConfig,
        out: &mut Vec<ReplicaChange>,
    ) {
        if !self.leader_imbalanced() {
            return;
        }
        let preferred = self.replicas[0];
        if !alive(preferred) || !self.isr.contains(&preferred) {
            return;
        }
        if let Some(i) = self.replicas.iter().position(|&b| b == self.leader) {
            self.replica_states[i].log_end_offset = self.log.log_end_offset();
        }
        self.elect(alive, config, out);
    }

    /// Leader election: the first replica (in assignment order) that is alive and in the ISR;
    /// failing that, with `unclean.leader.election.enable`, the first alive replica; failing
    /// that, no leader. The new leader's log is the truth: what others hold beyond it goes.
    pub(crate) fn elect(
        &mut self,
        alive: &dyn Fn(BrokerId) -> bool,
        config: &TopicConfig,
        out: &mut Vec<ReplicaChange>,
    ) {
        let clean = self
            .replicas
            .iter()
            .position(|&b| alive(b) && self.isr.contains(&b));
        let unclean = if clean.is_none() && config.unclean_leader_election_enable {
            self.replicas.iter().position(|&b| alive(b))
        } else {
            None
        };
        let Some(i) = clean.or(unclean) else {
            if self.leader != NO_LEADER {
                self.leader = NO_LEADER;
                self.leader_epoch += 1;
                out.push(ReplicaChange::LeaderElected {
                    leader: NO_LEADER,
                    leader_epoch: self.leader_epoch,
                    unclean: false,
                    records_truncated: 0,
                });
            }
            return;
        };
        let leader = self.replicas[i];
        // The new leader's own log, as it was when it last fetched.
        let mut own = Vec::new();
        self.settle_divergence(i, &mut own);
        let new_end = self.replica_states[i].log_end_offset;
        self.leader = leader;
        self.leader_epoch += 1;
        let truncated = self.log.truncate_to(new_end);
        for (j, r) in self.replica_states.iter_mut().enumerate() {
            if j != i && r.log_end_offset > new_end {
                r.diverged_at = Some(r.diverged_at.map_or(new_end, |d| d.min(new_end)));
            }
        }
        if unclean.is_some() {
            self.isr = alloc::vec![leader];
        }
        out.push(ReplicaChange::LeaderElected {
            leader,
            leader_epoch: self.leader_epoch,
            unclean: unclean.is_some(),
            records_truncated: truncated.records - truncated.markers,
        });
        self.advance_high_watermark();
    }

    pub(crate) fn hash_replication(&self, h: &mut StateHasher) {
        for (b, r) in self.replicas.iter().zip(&self.replica_states) {
            h.i64((*b).into());
            h.i64(r.log_end_offset);
            h.i64(r.diverged_at.unwrap_or(-1));
            h.u64(r.last_caught_up.0);
        }
        for b in &self.isr {
            h.i64((*b).into());
        }
    }

    /// Puts the ISR in replica order.
    fn sort_isr(&mut self) {
        let isr = core::mem::take(&mut self.isr);
        self.isr = self
            .replicas
            .iter()
            .filter(|r| isr.contains(r))
            .copied()
            .collect();
        self.isr
            .extend(isr.into_iter().filter(|b| !self.replicas.contains(b)));
    }
}

/// What the leader answered to an append.
pub(crate) struct Appended {
    /// What the log wrote.
    pub(crate) append: AppendInfo,
    /// The high watermark is already past the batch (the ISR is the leader alone, or the
    /// retried batch was replicated before).
    pub(crate) hw_reached: bool,
    /// The leader's epoch when it appended.
    pub(crate) leader_epoch: i32,
}

fn has_null_key(batch: &RecordBatch) -> bool {
    let bytes = batch.records_bytes();
    let mut pos = 0;
    while let Some((raw, next)) = decode_record(bytes, pos) {
        if raw.key.is_none() {
            return true;
        }
        pos = next;
    }
    false
}
