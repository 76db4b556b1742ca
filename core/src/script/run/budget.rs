//! The scenario budget as the runner keeps it: usage measured from the engine's structures,
//! and the bytes a command may add checked before it runs (see [`crate::budget`]).

use super::*;
use crate::budget::{records_bound, Limit, Limits, Usage};
use crate::topic::Topic;

/// Usage is measured again at least every this many commands, so that what commands add
/// without a check of their own (commits, groups, small topics) is counted.
const MEASURE_EVERY: u32 = 64;

/// The most bytes a serializer adds to a key or value: Confluent's magic byte and schema id.
pub(super) const WIRE_HEADER: u64 = 5;

impl Runner {
    /// What the scenario holds now: the cluster's structures, the registry and Connect.
    pub fn usage(&self) -> Usage {
        let mut usage = self.cluster.usage();
        let connect: usize = self
            .connectors
            .values()
            .map(connect::Connector::heap_bytes)
            .sum();
        usage.bytes += (self.registry.heap_bytes() + connect) as u64;
        usage
    }

    /// What the scenario may hold and do.
    pub fn limits(&self) -> &Limits {
        self.cluster.limits()
    }

    /// Sets what the scenario may hold and do.
    pub fn set_limits(&mut self, limits: Limits) {
        self.cluster.set_limits(limits);
    }

    /// Measures usage again when [`MEASURE_EVERY`] commands have taken effect since it last
    /// was.
    pub(super) fn count_command(&mut self) {
        self.budget.commands += 1;
        if self.budget.commands >= MEASURE_EVERY {
            self.measure();
        }
    }

    fn measure(&mut self) {
        self.budget.held = self.usage().bytes;
        self.budget.commands = 0;
    }

    /// Refuses a command that may add `asked` bytes when what the scenario holds plus that
    /// passes `limits.bytes`; usage is measured again before a refusal.
    ///
    /// What the budget holds between measurements depends only on the commands that took
    /// effect (a refusal stores nothing, a cut command counts what its cut form asks), so
    /// that the script they make decides as they did when it is replayed.
    pub(super) fn check_bytes(&mut self, what: &str, asked: u64) -> Result<(), Error> {
        let limit = self.limits().bytes;
        if self.budget.held.saturating_add(asked) > limit {
            let held = self.usage().bytes;
            Limit::Bytes.check(self.limits(), what, held, asked)?;
            self.budget.held = held;
        }
        self.budget.held = self.budget.held.saturating_add(asked);
        Ok(())
    }

    /// What the budget holds now (between measurements, an estimate).
    pub(super) fn bytes_counted(&self) -> u64 {
        self.budget.held
    }

    /// A `generate` counted as `asked` bytes on top of `before` is cut to records that ask
    /// `cut`: the budget holds what [`Runner::check_bytes`] leaves for the cut command.
    pub(super) fn count_cut_bytes(&mut self, (asked, before): (u64, u64), cut: u64) {
        self.budget.held = if before.saturating_add(cut) > self.limits().bytes {
            // It measured, as the cut command does: what it measured, with `cut` on top.
            self.budget.held.saturating_sub(asked.saturating_sub(cut))
        } else {
            before.saturating_add(cut)
        };
    }

    /// The most bytes `count` records of at most `record` bytes take when producer `h` (named
    /// `producer`; its serializers add Confluent's header) sends them to `topic` (one partition, or any of them), created over `spread_ms`.
    pub(super) fn records_asked(
        &self,
        (h, producer): (ProducerHandle, &str),
        topic: &str,
        partition: Option<u32>,
        count: u64,
        record: u64,
        spread_ms: u64,
    ) -> u64 {
        let batch_size = self
            .cluster
            .producer(h)
            .map_or(0, |p| u64::from(p.config().batch_size));
        let partitions = match partition {
            Some(_) => 1,
            None => self
                .cluster
                .topic(topic)
                .map_or(1, |t| t.partitions().len() as u64),
        };
        let spread_ms = self
            .cluster
            .producer(h)
            .map_or(0, |p| p.config().linger_ms)
            .saturating_add(spread_ms);
        let serdes = self.serdes(producer);
        let wire = WIRE_HEADER * (u64::from(serdes.key) + u64::from(serdes.value));
        records_bound(
            count,
            record.saturating_add(wire),
            spread_ms,
            batch_size,
            partitions,
        )
    }

    /// The most bytes one record of each of `count` rendered from these templates takes.
    pub(super) fn template_bytes(
        key: Option<&Template>,
        value: Option<&Template>,
        count: u64,
    ) -> u64 {
        [key, value]
            .into_iter()
            .flatten()
            .map(|t| t.max_len(count))
            .sum()
    }

    /// The bytes new partitions with `replicas` replicas each take.
    pub(super) fn partitions_asked(partitions: u32, replicas: u32) -> u64 {
        u64::from(partitions).saturating_mul(Topic::empty_partition_bytes(replicas))
    }
}

/// The runner's view of the bytes held: an upper bound, measured and then raised by what
/// each checked command may add. A cache of [`Runner::usage`], not state: a refusal may
/// refresh it, so it shows as `Held` alone in `Debug`.
#[derive(Clone, Default)]
pub(super) struct Held {
    pub(super) held: u64,
    pub(super) commands: u32,
}

impl core::fmt::Debug for Held {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Held")
    }
}
