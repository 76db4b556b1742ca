//! Datagen sources: records at a steady rate from templates, while the clock plays.

use alloc::string::String;

use super::Template;
use crate::rand::Rng;
use crate::time::SimTime;

/// How many of `rate` records per simulated second, counted from `started`, are due by
/// `now` beyond the `sent` ones (whole records only, so the rate holds exactly over any
/// number of steps). Datagen sources and source connectors' tasks share it.
pub(crate) fn records_due(rate: u64, started: SimTime, now: SimTime, sent: u64) -> u64 {
    let elapsed = u128::from(now.0.saturating_sub(started.0));
    let total = u64::try_from(u128::from(rate) * elapsed / 1_000).unwrap_or(u64::MAX);
    total.saturating_sub(sent)
}

/// A running source: `rate` records per simulated second since `started`.
#[derive(Clone, Debug)]
pub(crate) struct Source {
    pub producer: String,
    pub topic: String,
    pub rate: u64,
    pub key: Option<Template>,
    pub value: Option<Template>,
    pub partition: Option<u32>,
    started: SimTime,
    emitted: u64,
}

impl Source {
    pub fn new(
        producer: String,
        topic: String,
        rate: u64,
        key: Option<Template>,
        value: Option<Template>,
        partition: Option<u32>,
        now: SimTime,
    ) -> Self {
        Self {
            producer,
            topic,
            rate,
            key,
            value,
            partition,
            started: now,
            emitted: 0,
        }
    }

    /// How many records it has emitted: the index of the next.
    pub fn emitted(&self) -> u64 {
        self.emitted
    }

    /// How many records are due by `now` and not emitted yet (whole records only, so the
    /// rate holds exactly over any number of steps).
    pub fn due(&self, now: SimTime) -> u64 {
        records_due(self.rate, self.started, now, self.emitted)
    }

    /// Renders record number `emitted` (its index) into `key` and `value`, and counts it.
    pub fn next_record(&mut self, rng: &mut Rng, key: &mut String, value: &mut String) -> u64 {
        let i = self.emitted;
        if let Some(t) = &self.key {
            t.render(i, rng, key);
        }
        if let Some(t) = &self.value {
            t.render(i, rng, value);
        }
        self.emitted += 1;
        i
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_holds_exactly_across_uneven_steps() {
        let s = Source::new("p".into(), "t".into(), 3, None, None, None, SimTime(1_000));
        assert_eq!(s.due(SimTime(1_000)), 0);
        assert_eq!(s.due(SimTime(1_333)), 0);
        assert_eq!(s.due(SimTime(1_334)), 1);
        assert_eq!(s.due(SimTime(4_000)), 9);
        let mut s = s;
        let (mut k, mut v, mut rng) = (String::new(), String::new(), Rng::new(1));
        for _ in 0..s.due(SimTime(2_000)) {
            s.next_record(&mut rng, &mut k, &mut v);
        }
        assert_eq!(s.due(SimTime(2_000)), 0);
        assert_eq!(s.due(SimTime(3_000)), 3);
    }
}
