//! The scenario budget: what one scenario may hold and do, so that a script (a share link is
//! one) never takes more memory or time than the page or process that runs it can give.
//!
//! Usage is measured from the engine's own structures (buffer capacities, not record
//! counts). A command that would pass a limit is refused before it runs, with
//! `POLICY_VIOLATION` naming the limit, what the command asked for and how to raise it.

use alloc::string::String;
use core::fmt;

use crate::error::{err, Error};

/// The limits of one scenario. The defaults fit a browser tab: a few hundred MiB at most.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Limits {
    /// Bytes held: logs, producer buffers, consumers, the registry and Connect's state.
    pub bytes: u64,
    /// Live clients: producers plus consumers.
    pub clients: u32,
    /// Partitions over all topics.
    pub partitions: u32,
    /// Partition passes one clock step may run: retention checks, cleaner passes and
    /// leader balancing, each over every partition.
    pub work: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            bytes: 256 << 20,
            clients: 20_000,
            partitions: 20_000,
            work: 20_000_000,
        }
    }
}

/// One of the [`Limits`], for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// [`Limits::bytes`].
    Bytes,
    /// [`Limits::clients`].
    Clients,
    /// [`Limits::partitions`].
    Partitions,
    /// [`Limits::work`].
    Work,
}

impl Limit {
    /// Its key in `limits` (the JS API's `new Cluster({ limits })`).
    pub fn key(self) -> &'static str {
        match self {
            Self::Bytes => "bytes",
            Self::Clients => "clients",
            Self::Partitions => "partitions",
            Self::Work => "work",
        }
    }

    /// Its value in `limits`.
    pub fn of(self, limits: &Limits) -> u64 {
        match self {
            Self::Bytes => limits.bytes,
            Self::Clients => u64::from(limits.clients),
            Self::Partitions => u64::from(limits.partitions),
            Self::Work => limits.work,
        }
    }

    /// The refusal of a command that asks for `asked` more while `held` is in use: it names
    /// the limit, the figures and how to raise it.
    pub fn exceeded(self, limits: &Limits, what: &str, held: u64, asked: u64) -> Error {
        let (limit, key) = (self.of(limits), self.key());
        let figure = |n: u64| match self {
            Self::Bytes => Figure::Bytes(n),
            _ => Figure::Count(n),
        };
        err!(
            PolicyViolation,
            "{what} asks for {} more, and the scenario holds {}: its limits.{key} is {} (raise it with `logplay run --max-{key}` or `new Cluster({{ limits: {{ {key}: … }} }})`)",
            figure(asked),
            figure(held),
            figure(limit)
        )
    }

    /// Refuses `asked` more on top of `held` when the sum passes the limit.
    pub fn check(self, limits: &Limits, what: &str, held: u64, asked: u64) -> Result<(), Error> {
        if held.saturating_add(asked) > self.of(limits) {
            return Err(self.exceeded(limits, what, held, asked));
        }
        Ok(())
    }
}

/// What a scenario holds now, against its [`Limits`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    /// Bytes held (see [`Limits::bytes`]).
    pub bytes: u64,
    /// Records in the logs.
    pub records: u64,
    /// Live clients.
    pub clients: u32,
    /// Topics.
    pub topics: u32,
    /// Partitions over all topics.
    pub partitions: u32,
}

/// A count, or bytes shown in KiB, MiB or GiB.
#[derive(Clone, Copy, Debug)]
pub enum Figure {
    /// A plain count.
    Count(u64),
    /// A size in bytes.
    Bytes(u64),
}

impl fmt::Display for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Count(n) => write!(f, "{n}"),
            Self::Bytes(n) if n < 1 << 10 => write!(f, "{n} B"),
            Self::Bytes(n) => {
                let (unit, scale) = [("GiB", 30), ("MiB", 20), ("KiB", 10)]
                    .into_iter()
                    .find(|&(_, s)| n >= 1 << s)
                    .unwrap_or(("KiB", 10));
                let tenths = (u128::from(n) * 10).div_ceil(1 << scale);
                write!(f, "{}.{} {unit}", tenths / 10, tenths % 10)
            }
        }
    }
}

/// What usage counts for one engine entry beyond its buffers and text. Each is at least
/// what the entry takes in a 64-bit build (the tests beside the types check it) and the
/// same in every build, so that usage, and what is refused, is the same natively and in
/// wasm32.
pub(crate) mod entry {
    /// A batch's entry in a segment's index.
    pub const BATCH: usize = 96;
    /// A segment, without its buffers and index.
    pub const SEGMENT: usize = 128;
    /// A partition, without its log.
    pub const PARTITION: usize = 256;
    /// A replica: its id in the replica list and the ISR, and its state.
    pub const REPLICA: usize = 48;
    /// A producer or consumer, without what it buffers.
    pub const CLIENT: usize = 1024;
    /// A group or a group member, without its text.
    pub const MEMBER: usize = 256;
    /// An entry of a small map or list: a committed offset, an assigned partition, a
    /// sequence, a sink row, a pasted line, a report.
    pub const ENTRY: usize = 64;
}

/// What a batch adds beyond its records: the v2 batch header and the log's index entry.
pub const BATCH_OVERHEAD: u64 = 61 + entry::BATCH as u64;

/// The bytes of a zigzag varint of `n`, as a v2 record writes its lengths and deltas.
fn varint_len(n: u64) -> u64 {
    let zigzag = n.saturating_mul(2);
    u64::from((64 - zigzag.leading_zeros()).div_ceil(7).max(1))
}

/// The most bytes `count` records take in logs when each one's key and value together
/// hold at most `record` bytes, sent in batches of `batch_size` bytes to at most
/// `partitions` partitions, and a batch's records are created at most `spread_ms` apart:
/// each record's varints at the widest these figures allow, and each batch's overhead.
pub fn records_bound(
    count: u64,
    record: u64,
    spread_ms: u64,
    batch_size: u64,
    partitions: u64,
) -> u64 {
    let lengths = 2 * varint_len(record);
    let body = |offset_delta: u64| {
        // Attributes, the timestamp and offset deltas, the lengths, the header count.
        let varints = 1 + varint_len(spread_ms) + varint_len(offset_delta) + lengths + 1;
        record.saturating_add(varints)
    };
    let one = |offset_delta: u64| body(offset_delta).saturating_add(varint_len(body(offset_delta)));
    let per_batch = (batch_size / one(0)).max(1);
    let size = one(per_batch.min(count));
    let batches = count
        .div_ceil(per_batch)
        .saturating_add(partitions.min(count));
    count
        .saturating_mul(size)
        .saturating_add(batches.saturating_mul(BATCH_OVERHEAD))
}

/// Parses a size as the CLI takes it: bytes, or with a `KiB`, `MiB` or `GiB` suffix.
pub fn parse_bytes(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let shift = match unit.trim() {
        "" | "B" => 0,
        "KiB" | "K" | "KB" => 10,
        "MiB" | "M" | "MB" => 20,
        "GiB" | "G" | "GB" => 30,
        other => {
            return Err(alloc::format!(
                "unknown unit `{other}`: use B, KiB, MiB or GiB"
            ))
        }
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(1 << shift))
        .ok_or_else(|| alloc::format!("`{text}` is not a size"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn figures_read_as_people_write_sizes() {
        let shown: alloc::vec::Vec<String> = [0, 1023, 1024, 1536, 256 << 20, 3 << 30]
            .map(|n| Figure::Bytes(n).to_string())
            .into();
        assert_eq!(
            shown,
            [
                "0 B",
                "1023 B",
                "1.0 KiB",
                "1.5 KiB",
                "256.0 MiB",
                "3.0 GiB"
            ]
        );
    }

    #[test]
    fn a_refusal_names_the_limit_the_figures_and_how_to_raise_it() {
        let limits = Limits {
            bytes: 1 << 20,
            ..Limits::default()
        };
        assert!(Limit::Bytes.check(&limits, "x", 1 << 19, 1 << 19).is_ok());
        let e = Limit::Bytes
            .check(&limits, "this generate", 1 << 19, (1 << 19) + 1)
            .unwrap_err();
        assert_eq!(e.code, crate::ErrorCode::PolicyViolation);
        assert!(e
            .message
            .starts_with("this generate asks for 512.1 KiB more"));
        assert!(e
            .message
            .contains("holds 512.0 KiB: its limits.bytes is 1.0 MiB"));
        assert!(e.message.contains("--max-bytes"));
    }

    #[test]
    fn the_bound_covers_what_a_log_holds() {
        // A record with a 2-byte key and no value is 10 bytes in a v2 batch.
        let per = 10;
        let bound = records_bound(10_000, 2, 0, 16_384, 3);
        let batches = 10_000u64.div_ceil(16_384 / 9) + 3;
        assert!(bound >= 10_000 * per + batches * 61, "{bound}");
        assert!(
            bound <= 10_000 * (per + 1) + batches * BATCH_OVERHEAD,
            "{bound}"
        );
        assert_eq!(records_bound(u64::MAX, u64::MAX, 0, 0, u64::MAX), u64::MAX);
    }

    /// Each entry is counted at its 64-bit size or more.
    #[cfg(target_pointer_width = "64")]
    #[test]
    fn entries_are_counted_at_their_64_bit_size_or_more() {
        use crate::group::coordinator::{Group, GroupMember};
        use crate::partition::{BrokerId, Partition, ReplicaState};
        use core::mem::size_of;
        assert!(size_of::<Partition>() - size_of::<crate::log::PartitionLog>() <= entry::PARTITION);
        assert!(size_of::<crate::log::PartitionLog>() <= entry::SEGMENT + entry::PARTITION);
        assert!(2 * size_of::<BrokerId>() + size_of::<ReplicaState>() <= entry::REPLICA);
        assert!(size_of::<crate::producer::Producer>() <= entry::CLIENT);
        assert!(size_of::<crate::consumer::Consumer>() <= entry::CLIENT);
        assert!(size_of::<Group>() <= entry::MEMBER);
        assert!(size_of::<GroupMember>() <= entry::MEMBER);
        assert!(size_of::<(String, String)>() <= entry::ENTRY);
        assert!(size_of::<crate::producer::ProducerEvent>() <= entry::ENTRY * 2);
        crate::log::assert_entry_sizes();
    }

    #[test]
    fn sizes_parse_with_units() {
        assert_eq!(parse_bytes("512MiB"), Ok(512 << 20));
        assert_eq!(parse_bytes("2 GiB"), Ok(2 << 30));
        assert_eq!(parse_bytes("4096"), Ok(4096));
        assert!(parse_bytes("lots").is_err());
        assert!(parse_bytes("99999999999GiB").is_err());
    }
}
