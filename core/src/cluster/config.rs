//! Cluster-wide settings: the seed, the brokers and the broker configs.

use crate::error::Result;
use crate::replication::MAX_BROKERS;

/// Cluster-wide settings: the seed and the broker configs the simulation uses.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ClusterConfig {
    /// The seed of all randomness (sticky and random partitioners, …).
    pub seed: u64,
    /// `log.retention.check.interval.ms` (Kafka's default: 300000).
    pub log_retention_check_interval_ms: u64,
    /// `log.cleaner.backoff.ms`: how often the log cleaner looks for work (default 15000).
    pub log_cleaner_backoff_ms: u64,
    /// `group.initial.rebalance.delay.ms`: a new group waits this long for more members
    /// before its first rebalance completes (default 3000).
    pub group_initial_rebalance_delay_ms: u64,
    /// `default.replication.factor`: for topics created without one (default 1).
    pub default_replication_factor: u32,
    /// `replica.lag.time.max.ms`: a follower that has not caught up for this long leaves the
    /// ISR (default 30000).
    pub replica_lag_time_max_ms: u64,
    /// `replica.fetch.wait.max.ms`: followers fetch from their leaders at this pace
    /// (default 500).
    pub replica_fetch_wait_max_ms: u64,
    /// `auto.leader.rebalance.enable`: the controller moves leadership back to each
    /// partition's preferred replica (default true).
    pub auto_leader_rebalance_enable: bool,
    /// `leader.imbalance.check.interval.seconds`: how long after leadership leaves a
    /// preferred replica the controller tries to move it back (default 300).
    pub leader_imbalance_check_interval_seconds: u64,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        Self {
            seed: 0,
            log_retention_check_interval_ms: 300_000,
            log_cleaner_backoff_ms: 15_000,
            group_initial_rebalance_delay_ms: 3_000,
            default_replication_factor: 1,
            replica_lag_time_max_ms: 30_000,
            replica_fetch_wait_max_ms: 500,
            auto_leader_rebalance_enable: true,
            leader_imbalance_check_interval_seconds: 300,
        }
    }
}

impl ClusterConfig {
    /// Sets a broker config by Kafka's key.
    pub fn set(&mut self, key: &str, value: &str) -> Result<()> {
        match key {
            "log.retention.check.interval.ms" => {
                self.log_retention_check_interval_ms =
                    crate::config::parse_u64(key, value, 1, i64::MAX as u64)?
            }
            "log.cleaner.backoff.ms" => {
                self.log_cleaner_backoff_ms =
                    crate::config::parse_u64(key, value, 1, i64::MAX as u64)?
            }
            "group.initial.rebalance.delay.ms" => {
                self.group_initial_rebalance_delay_ms =
                    crate::config::parse_u64(key, value, 0, i32::MAX as u64)?
            }
            "default.replication.factor" => {
                self.default_replication_factor =
                    crate::config::parse_u64(key, value, 1, MAX_BROKERS as u64)? as u32
            }
            "replica.lag.time.max.ms" => {
                self.replica_lag_time_max_ms =
                    crate::config::parse_u64(key, value, 1, i64::MAX as u64)?
            }
            "replica.fetch.wait.max.ms" => {
                self.replica_fetch_wait_max_ms =
                    crate::config::parse_u64(key, value, 1, i32::MAX as u64)?
            }
            "auto.leader.rebalance.enable" => {
                self.auto_leader_rebalance_enable = crate::config::parse_bool(key, value)?
            }
            "leader.imbalance.check.interval.seconds" => {
                self.leader_imbalance_check_interval_seconds =
                    crate::config::parse_u64(key, value, 1, i64::MAX as u64 / 1000)?
            }
            _ => return Err(crate::config::unknown_key("broker", key)),
        }
        Ok(())
    }
}
