//! Simulated time: the only clock the core knows.

use core::fmt;
use core::ops::{Add, Sub};

/// A point on the simulated clock, in milliseconds since the scenario started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

impl SimTime {
    /// The start of every scenario.
    pub const ZERO: SimTime = SimTime(0);

    /// Milliseconds since the start, as Kafka's `long` timestamps are.
    pub const fn as_millis(self) -> i64 {
        // Saturates rather than wrapping: the clock never gets near 2^63 ms in practice.
        if self.0 > i64::MAX as u64 {
            i64::MAX
        } else {
            self.0 as i64
        }
    }
}

impl Add<u64> for SimTime {
    type Output = SimTime;
    fn add(self, ms: u64) -> SimTime {
        SimTime(self.0.saturating_add(ms))
    }
}

impl Sub for SimTime {
    type Output = u64;
    fn sub(self, earlier: SimTime) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}ms", self.0)
    }
}
