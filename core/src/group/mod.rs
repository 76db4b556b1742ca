//! Consumer groups, as Kafka's classic group protocol defines them.
//!
//! The partition assignors ([`assignor`]) are pure functions; the [`coordinator`] runs the
//! group state machine over them.

pub mod assignor;
pub mod coordinator;
