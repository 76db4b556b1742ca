//! Brokers: how many, their racks, stopping, starting and cutting them off; and replication
//! on the clock (follower fetches, ISR checks). The per-partition rules are in
//! [`crate::replication`].

use alloc::string::String;
use alloc::vec::Vec;

use super::{Cluster, ClusterEvent};
use crate::error::{err, Result};
use crate::replication::{Broker, BrokerState, ReplicaChange, MAX_BROKERS, NO_LEADER};
use crate::topic::{BrokerId, Partition, TopicConfig};

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

    fn broker_index(&self, id: BrokerId) -> Result<usize> {
        self.brokers
            .iter()
            .position(|b| b.id == id)
            .ok_or_else(|| err!(BrokerNotAvailable, "there is no broker {id}"))
    }

    fn set_broker_state(
        &mut self,
        id: BrokerId,
        from: &[BrokerState],
        to: BrokerState,
    ) -> Result<()> {
        let i = self.broker_index(id)?;
        let now = self.brokers[i].state;
        if !from.contains(&now) {
            return Err(err!(
                InvalidRequest,
                "broker {id} is {}; it cannot become {}",
                now.name(),
                to.name()
            ));
        }
        self.brokers[i].state = to;
        self.events.push(ClusterEvent::Broker {
            broker: id,
            state: to,
        });
        Ok(())
    }

    /// Stops a broker (a controlled shutdown): the controller moves leadership to another
    /// in-sync replica at once, or elects outside the ISR if `unclean.leader.election.enable`,
    /// or leaves the partition offline.
    pub fn stop_broker(&mut self, id: BrokerId) -> Result<()> {
        self.set_broker_state(
            id,
            &[BrokerState::Running, BrokerState::Isolated],
            BrokerState::Stopped,
        )?;
        let alive = self.alive_brokers();
        let now = self.now;
        self.for_each_partition(|p, config, out| {
            p.broker_stopped(id, &|b| alive.contains(&b), config, now, out);
        });
        self.run_due();
        Ok(())
    }

    /// Starts a stopped broker: its replicas truncate where they diverged and catch up; an
    /// offline partition it can lead gets it as leader.
    pub fn start_broker(&mut self, id: BrokerId) -> Result<()> {
        self.set_broker_state(id, &[BrokerState::Stopped], BrokerState::Running)?;
        self.back_in_touch(id);
        Ok(())
    }

    /// Cuts a broker off from the other brokers: followers stop fetching from it and it from
    /// its leaders, so ISRs shrink after `replica.lag.time.max.ms`. Clients and the
    /// controller still reach it.
    pub fn isolate_broker(&mut self, id: BrokerId) -> Result<()> {
        self.set_broker_state(id, &[BrokerState::Running], BrokerState::Isolated)
    }

    /// Ends a broker's isolation.
    pub fn heal_broker(&mut self, id: BrokerId) -> Result<()> {
        self.set_broker_state(id, &[BrokerState::Isolated], BrokerState::Running)?;
        self.back_in_touch(id);
        Ok(())
    }

    fn back_in_touch(&mut self, id: BrokerId) {
        let alive = self.alive_brokers();
        let now = self.now;
        self.for_each_partition(|p, config, out| {
            let Some(i) = p.replicas.iter().position(|&b| b == id) else {
                return;
            };
            if p.leader == NO_LEADER {
                p.elect(&|b| alive.contains(&b), config, now, out);
            } else if p.leader != id {
                p.settle_divergence(i, out);
            }
        });
        self.run_due();
    }

    /// Elects leaders for offline partitions that now may have one.
    pub(super) fn elect_offline_partitions(&mut self) {
        let alive = self.alive_brokers();
        let now = self.now;
        self.for_each_partition(|p, config, out| {
            if p.leader == NO_LEADER {
                p.elect(&|b| alive.contains(&b), config, now, out);
            }
        });
    }

    fn alive_brokers(&self) -> Vec<BrokerId> {
        self.brokers
            .iter()
            .filter(|b| b.is_alive())
            .map(|b| b.id)
            .collect()
    }

    /// Whether any partition has more than one replica (only then does replication run).
    pub(super) fn is_replicated(&self) -> bool {
        self.topics.values().any(|t| t.replication_factor() > 1)
    }

    /// Replication on the clock: every `replica.fetch.wait.max.ms` each follower in touch
    /// with its leader fetches; every `replica.lag.time.max.ms / 2` leaders drop followers
    /// that have not caught up for `replica.lag.time.max.ms` (Kafka's ISR expiration).
    pub(super) fn run_replication(&mut self) {
        let now = self.now;
        if !self.is_replicated() {
            return;
        }
        if now >= self.next_replica_fetch {
            self.next_replica_fetch = now + self.config.replica_fetch_wait_max_ms;
            let states: Vec<(BrokerId, BrokerState)> =
                self.brokers.iter().map(|b| (b.id, b.state)).collect();
            let running = |id: BrokerId| {
                states
                    .iter()
                    .any(|&(b, s)| b == id && s == BrokerState::Running)
            };
            self.for_each_partition(|p, _, out| {
                if p.replicas.len() < 2 || !running(p.leader) {
                    return;
                }
                for i in 0..p.replicas.len() {
                    if p.replicas[i] != p.leader && running(p.replicas[i]) {
                        p.follower_fetch(i, now, out);
                    }
                }
            });
        }
        if now >= self.next_isr_check {
            let lag = self.config.replica_lag_time_max_ms;
            self.next_isr_check = now + (lag / 2).max(1);
            self.for_each_partition(|p, _, out| {
                if p.replicas.len() > 1 {
                    p.shrink_isr(now, lag, out);
                }
            });
        }
    }

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
    }
}
