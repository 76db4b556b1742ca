//! The simulated clock: moving time and running what falls due.

use super::{Cluster, ClusterEvent};
use crate::budget::Limit;
use crate::error::{err, Result};
use crate::log::CleanupReport;
use crate::producer::Producer;
use crate::time::SimTime;
use crate::topic::TopicConfig;

impl Cluster {
    /// The simulated time now.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// The next time something is due (a batch's linger, a retry, retention, the cleaner).
    #[must_use]
    pub fn poll_timeout(&self) -> Option<SimTime> {
        let clients = self
            .producers
            .iter()
            .flatten()
            .filter_map(Producer::next_deadline);
        let brokers = [self.next_retention_check, self.next_cleaner_run]
            .into_iter()
            .chain(self.next_leader_balance)
            .chain(self.replication_deadlines());
        let groups = self.group_deadlines();
        clients
            .chain(brokers)
            .chain(groups)
            .chain(self.transaction_deadlines())
            .filter(|&t| t > self.now)
            .min()
    }

    /// Moves the clock forward by `ms`, running everything that falls due on the way.
    pub fn tick(&mut self, ms: u64) -> Result<()> {
        self.advance_to(self.now + ms)
    }

    /// Moves the clock to `to` (never backwards), running every deadline in time order.
    ///
    /// The brokers' periodic work (retention checks, cleaner passes, leader balancing, each over
    /// every partition) is bounded: a step that would take more than [`crate::budget::Limits::work`]
    /// partition passes is refused with `POLICY_VIOLATION` before anything changes.
    pub fn advance_to(&mut self, to: SimTime) -> Result<()> {
        self.begin_advance(to)?;
        while !self.advance_toward(to, u64::MAX) {}
        Ok(())
    }

    /// The start of [`Cluster::advance_to`]: checks the step and runs what is due now. The
    /// rest runs in [`Cluster::advance_toward`], a few deadlines at a time.
    pub fn begin_advance(&mut self, to: SimTime) -> Result<()> {
        self.check_advance(to)?;
        self.run_due();
        Ok(())
    }

    /// Runs at most `deadlines` of the deadlines up to `to`, in time order; whether the
    /// clock has reached `to`. Stopping after a deadline leaves the state that advancing
    /// to that deadline's time gives.
    pub fn advance_toward(&mut self, to: SimTime, deadlines: u64) -> bool {
        for _ in 0..deadlines {
            match self.poll_timeout().filter(|&t| t <= to) {
                Some(t) => {
                    self.now = t;
                    self.run_due();
                }
                None => {
                    if to > self.now {
                        self.now = to;
                        self.run_due();
                    }
                    return true;
                }
            }
        }
        false
    }

    /// Whether [`Cluster::advance_to`] may move the clock to `to` (in one step or many): the
    /// `POLICY_VIOLATION` it would refuse with, if any.
    pub fn check_advance(&self, to: SimTime) -> Result<()> {
        let span = to - self.now;
        let mut passes = span / self.config.log_retention_check_interval_ms.max(1)
            + span / self.config.log_cleaner_backoff_ms.max(1);
        if self.config.auto_leader_rebalance_enable && self.brokers.len() > 1 {
            passes += span / (self.config.leader_imbalance_check_interval_seconds * 1000).max(1);
        }
        let partitions: u64 = self
            .topics
            .values()
            .map(|t| t.partitions.len() as u64)
            .sum();
        let work = passes.saturating_mul(partitions.max(1));
        if work > self.limits.work {
            let what = alloc::format!(
                "moving the clock by {span} ms runs the brokers' retention and cleaner passes {passes} times over {partitions} partitions: it"
            );
            let refusal = Limit::Work.exceeded(&self.limits, &what, 0, work);
            return Err(err!(
                PolicyViolation,
                "{} (or move the clock in smaller steps, or raise log.retention.check.interval.ms / log.cleaner.backoff.ms)",
                refusal.message
            ));
        }
        Ok(())
    }

    pub(super) fn run_due(&mut self) {
        let now = self.now;
        self.run_replication();
        self.run_leader_balance();
        self.write_markers();
        self.complete_inits();
        for i in 0..self.producers.len() {
            self.drive_producer(i);
        }
        self.expire_transactions();
        if now >= self.next_retention_check {
            self.next_retention_check = now + self.config.log_retention_check_interval_ms;
            self.for_each_log(|log, config, now| (log.apply_retention(config, now), true));
        }
        if now >= self.next_cleaner_run {
            self.next_cleaner_run = now + self.config.log_cleaner_backoff_ms;
            self.for_each_log(|log, config, now| (log.compact(config, now), false));
        }
        self.run_groups();
        self.schedule_replication();
        self.schedule_leader_balance();
    }

    fn for_each_log(
        &mut self,
        mut f: impl FnMut(&mut crate::log::PartitionLog, &TopicConfig, SimTime) -> (CleanupReport, bool),
    ) {
        for (name, topic) in &mut self.topics {
            for (i, p) in topic.partitions.iter_mut().enumerate() {
                let (report, retention) = f(&mut p.log, &topic.config, self.now);
                if report.records_removed == 0 && report.segments_deleted == 0 {
                    continue;
                }
                let (topic, partition) = (name.clone(), i as u32);
                self.events.push(if retention {
                    ClusterEvent::Retention {
                        topic,
                        partition,
                        report,
                    }
                } else {
                    ClusterEvent::Compaction {
                        topic,
                        partition,
                        report,
                    }
                });
            }
        }
    }
}
