//! Consumer groups, as Kafka's classic group protocol defines them.
//!
//! So far: the partition assignors ([`assignor`]), as pure functions. The group coordinator
//! (join, sync, heartbeats, rebalances) builds on them.

pub mod assignor;
