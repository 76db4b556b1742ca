//! Brokers: how many, their racks, stopping, starting and cutting them off; and replication
//! on the clock (follower fetches, ISR checks). The per-partition rules are in
//! [`crate::replication`].

use alloc::string::String;
use alloc::vec::Vec;

use super::{Cluster, ClusterEvent};
use crate::error::{err, Result};
use crate::partition::{BrokerId, Partition, ReplicaChange, Touch, NO_LEADER};
use crate::replication::{Broker, BrokerState, MAX_BROKERS};
use crate::time::SimTime;
use crate::topic::TopicConfig;

impl Cluster {
    /// The brokers, by id.
    pub fn brokers(&self) -> &[Broker] {
        &self.brokers
    }

    /// Grows the cluster to `count` brokers (ids `1..=count`), and with `racks` sets each
    /// broker's `broker.rack`, in id order. New brokers hold no replicas until topics or
    /// partitions are created; a cluster never shrinks.
    pub fn set_brokers(&mut self, count: usize, racks: Option<&[&str]>) -> Result<()> {
        if count < self.brokers.len() || count > MAX_BROKERS {
            return Err(err!(
                InvalidRequest,
                "the cluster has {} brokers; it may grow to at most {MAX_BROKERS}, never shrink (asked for {count})",
                self.brokers.len()
            ));
        }
        if let Some(racks) = racks {
            if racks.len() != count {
                return Err(err!(
                    InvalidConfig,
                    "{} racks for {count} brokers: give one broker.rack per broker",
                    racks.len()
                ));
            }
        }
        for id in self.brokers.len()..count {
            self.brokers.push(Broker {
                id: id as BrokerId + 1,
                rack: None,
                state: BrokerState::Running,
            });
        }
        if let Some(racks) = racks {
            for (b, r) in self.brokers.iter_mut().zip(racks) {
                b.rack = Some(String::from(*r));
            }
        }
        Ok(())
    }

    /// Stops a broker (a controlled shutdown): the controller moves leadership to another
    /// in-sync replica at once, or elects outside the ISR if `unclean.leader.election.enable`,
    /// or leaves the partition offline.
    pub fn stop_broker(&mut self, id: BrokerId) -> Result<()> {
        let from = [BrokerState::Running, BrokerState::Isolated];
        self.change_broker(id, &from, BrokerState::Stopped, |p, alive, config, out| {
            p.broker_stopped(id, alive, config, out);
        })
    }

    /// Starts a stopped broker: its replicas truncate where they diverged and catch up; an
    /// offline partition it can lead gets it as leader.
    pub fn start_broker(&mut self, id: BrokerId) -> Result<()> {
        self.change_broker(
            id,
            &[BrokerState::Stopped],
            BrokerState::Running,
            back_in_touch(id),
        )
    }

    /// Cuts a broker off from the other brokers: followers stop fetching from it and it from
    /// its leaders, so ISRs shrink after `replica.lag.time.max.ms`. Clients and the
    /// controller still reach it.
    pub fn isolate_broker(&mut self, id: BrokerId) -> Result<()> {
        self.change_broker(
            id,
            &[BrokerState::Running],
            BrokerState::Isolated,
            |_, _, _, _| {},
        )
    }

    /// Ends a broker's isolation.
    pub fn heal_broker(&mut self, id: BrokerId) -> Result<()> {
        self.change_broker(
            id,
            &[BrokerState::Isolated],
            BrokerState::Running,
            back_in_touch(id),
        )
    }

    /// Moves broker `id` from one of `from` to `to`, then lets `f` apply it to every
    /// partition. Followers caught up until now count as caught up now; coordinators that
    /// moved are reported; clients then act on the new leaders.
    fn change_broker(
        &mut self,
        id: BrokerId,
        from: &[BrokerState],
        to: BrokerState,
        mut f: impl FnMut(
            &mut Partition,
            &dyn Fn(BrokerId) -> bool,
            &TopicConfig,
            &mut Vec<ReplicaChange>,
        ),
    ) -> Result<()> {
        let i = self
            .brokers
            .iter()
            .position(|b| b.id == id)
            .ok_or_else(|| err!(BrokerNotAvailable, "there is no broker {id}"))?;
        let state = self.brokers[i].state;
        if !from.contains(&state) {
            return Err(err!(
                InvalidRequest,
                "broker {id} is {}; it cannot become {}",
                state.name(),
                to.name()
            ));
        }
        let now = self.now;
        let touch = self.touch();
        self.for_each_partition(|p, _, _| p.refresh_caught_up(now, &touch));
        let before = self.coordinators();
        self.brokers[i].state = to;
        self.events.push(ClusterEvent::Broker {
            broker: id,
            state: to,
        });
        let alive = self.alive_brokers();
        self.for_each_partition(|p, config, out| f(p, &|b| alive.contains(&b), config, out));
        self.report_moved_coordinators(before);
        self.run_due();
        Ok(())
    }

    /// Elects leaders for offline partitions that now may have one.
    pub(super) fn elect_offline_partitions(&mut self) {
        let before = self.coordinators();
        let alive = self.alive_brokers();
        self.for_each_partition(|p, config, out| {
            if p.leader == NO_LEADER {
                p.elect(&|b| alive.contains(&b), config, out);
            }
        });
        self.report_moved_coordinators(before);
    }

    /// Once leadership sits away from some partition's preferred replica, the controller
    /// tries to move it back `leader.imbalance.check.interval.seconds` later (with
    /// `auto.leader.rebalance.enable`), as KRaft's controller schedules its balancing.
    pub(super) fn schedule_leader_balance(&mut self) {
        if self.next_leader_balance.is_some() || !self.config.auto_leader_rebalance_enable {
            return;
        }
        let replicated = self
            .topics
            .values()
            .chain(self.internal.values())
            .any(|t| t.replication_factor() > 1);
        if replicated && self.all_partitions().any(Partition::leader_imbalanced) {
            let interval = self.config.leader_imbalance_check_interval_seconds * 1000;
            self.next_leader_balance = Some(self.now + interval);
        }
    }

    /// A preferred leader election on every partition whose leader is not its preferred
    /// replica, when it is due.
    pub(super) fn run_leader_balance(&mut self) {
        if self.next_leader_balance.is_none_or(|t| self.now < t) {
            return;
        }
        self.next_leader_balance = None;
        if !self.config.auto_leader_rebalance_enable {
            return;
        }
        let before = self.coordinators();
        let alive = self.alive_brokers();
        self.for_each_partition(|p, config, out| {
            p.elect_preferred(&|b| alive.contains(&b), config, out);
        });
        self.report_moved_coordinators(before);
    }

    fn alive_brokers(&self) -> Vec<BrokerId> {
        self.brokers
            .iter()
            .filter(|b| b.is_alive())
            .map(|b| b.id)
            .collect()
    }

    /// Which replicas can fetch from which leaders now: both brokers running.
    fn touch(&self) -> Touch {
        Touch::of(
            self.brokers
                .iter()
                .filter(|b| b.state == BrokerState::Running)
                .map(|b| b.id),
        )
    }

    /// When replication must act next: a follower fetch while some follower in touch with its
    /// leader lacks records (or the ISR, or must truncate), `replica.fetch.wait.max.ms` after
    /// that began or after the last fetch; an ISR check while some ISR holds a follower out
    /// of touch, every `replica.lag.time.max.ms / 2`. Idle replication costs nothing.
    pub(super) fn replication_deadlines(&self) -> impl Iterator<Item = SimTime> {
        let (fetch, check) = self.replication_work();
        let fetch = fetch.then(|| {
            self.next_replica_fetch
                .unwrap_or(self.now + self.config.replica_fetch_wait_max_ms)
        });
        let check = check.then(|| {
            self.next_isr_check
                .unwrap_or(self.now + isr_check_interval(&self.config))
        });
        fetch.into_iter().chain(check)
    }

    /// Replication on the clock (see [`Cluster::replication_deadlines`]): followers in touch
    /// fetch all their leaders have; leaders drop followers that have not caught up for
    /// `replica.lag.time.max.ms` (Kafka's ISR expiration).
    pub(super) fn run_replication(&mut self) {
        let now = self.now;
        let (fetch, check) = self.replication_work();
        let touch = self.touch();
        let mut changed = false;
        if !fetch {
            self.next_replica_fetch = None;
        } else if self.next_replica_fetch.is_some_and(|t| now >= t) {
            self.next_replica_fetch = None;
            self.for_each_partition(|p, _, out| p.fetch_followers(now, &touch, out));
            changed = true;
        }
        if !check {
            self.next_isr_check = None;
        } else if self.next_isr_check.is_some_and(|t| now >= t) {
            self.next_isr_check = None;
            let lag = self.config.replica_lag_time_max_ms;
            self.for_each_partition(|p, _, out| p.shrink_isr(now, lag, &touch, out));
            changed = true;
        }
        // With no fetch and no ISR check the work is as just found: no second scan.
        let work = if changed {
            self.replication_work()
        } else {
            (fetch, check)
        };
        self.schedule_replication_for(work);
    }

    /// Schedules the next follower fetch and ISR check if replication has work and none is
    /// scheduled.
    pub(super) fn schedule_replication(&mut self) {
        let work = self.replication_work();
        self.schedule_replication_for(work);
    }

    fn schedule_replication_for(&mut self, (fetch, check): (bool, bool)) {
        if fetch && self.next_replica_fetch.is_none() {
            self.next_replica_fetch = Some(self.now + self.config.replica_fetch_wait_max_ms);
        }
        if check && self.next_isr_check.is_none() {
            self.next_isr_check = Some(self.now + isr_check_interval(&self.config));
        }
    }

    /// Whether some follower in touch has something to fetch, and whether some ISR holds a
    /// follower out of touch.
    fn replication_work(&self) -> (bool, bool) {
        // One replica everywhere (the default): no partition to scan on every clock step.
        let replicated = self
            .topics
            .values()
            .chain(self.internal.values())
            .any(|t| t.replication_factor() > 1);
        if !replicated {
            return (false, false);
        }
        let touch = self.touch();
        let (mut fetch, mut check) = (false, false);
        for p in self.all_partitions().filter(|p| p.replicas.len() > 1) {
            let (f, c) = p.replication_work(&touch);
            fetch |= f;
            check |= c;
            if fetch && check {
                break;
            }
        }
        (fetch, check)
    }

    fn all_partitions(&self) -> impl Iterator<Item = &Partition> {
        self.topics
            .values()
            .chain(self.internal.values())
            .flat_map(|t| &t.partitions)
    }

    /// Runs `f` on every partition, internal ones too; reports what it changed on user
    /// topics (the internal topics' changes show as coordinators moving).
    fn for_each_partition(
        &mut self,
        mut f: impl FnMut(&mut Partition, &TopicConfig, &mut Vec<ReplicaChange>),
    ) {
        let mut changes = Vec::new();
        for (name, topic) in &mut self.topics {
            for (i, p) in topic.partitions.iter_mut().enumerate() {
                f(p, &topic.config, &mut changes);
                for change in changes.drain(..) {
                    self.events.push(ClusterEvent::Replica {
                        topic: name.clone(),
                        partition: i as u32,
                        change,
                    });
                }
            }
        }
        for topic in self.internal.values_mut() {
            for p in &mut topic.partitions {
                f(p, &topic.config, &mut changes);
                changes.clear();
            }
        }
    }
}

/// Kafka checks ISRs every `replica.lag.time.max.ms / 2`.
fn isr_check_interval(config: &super::ClusterConfig) -> u64 {
    (config.replica_lag_time_max_ms / 2).max(1)
}

/// A broker back in touch: its replicas truncate where they diverged; offline partitions it
/// holds may elect it.
fn back_in_touch(
    id: BrokerId,
) -> impl FnMut(&mut Partition, &dyn Fn(BrokerId) -> bool, &TopicConfig, &mut Vec<ReplicaChange>) {
    move |p, alive, config, out| {
        let Some(i) = p.replicas.iter().position(|&b| b == id) else {
            return;
        };
        if p.leader == NO_LEADER {
            p.elect(alive, config, out);
        } else if p.leader != id {
            p.settle_divergence(i, out);
        }
    }
}
