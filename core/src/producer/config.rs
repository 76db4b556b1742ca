//! The producer's configuration: `acks`, batching, retries and idempotence.

use alloc::string::String;
use alloc::vec::Vec;

use crate::compression::CompressionType;
use crate::config::{parse_bool, parse_u64, unknown_key};
use crate::error::{err, Error, ErrorCode, Result};
use crate::partitioner::Partitioner;

/// `acks`: how many replicas must have a record before the producer counts it as sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Acks {
    /// `acks=0`: fire and forget; delivery reports carry offset -1.
    Zero,
    /// `acks=1`: the leader has it.
    Leader,
    /// `acks=all` (or -1): every in-sync replica has it.
    #[default]
    All,
}

impl Acks {
    /// Kafka's spelling.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Zero => "0",
            Self::Leader => "1",
            Self::All => "all",
        }
    }
}

/// Producer configs, by Kafka's keys, with the Java client's defaults (Kafka 4).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProducerConfig {
    /// `client.id`.
    pub client_id: String,
    /// `acks` (default all).
    pub acks: Acks,
    /// `batch.size` in bytes (default 16384).
    pub batch_size: u32,
    /// `linger.ms` (default 5, as in Kafka 4).
    pub linger_ms: u64,
    /// `compression.type` (default none).
    pub compression: CompressionType,
    /// `retries` (default 2147483647).
    pub retries: u32,
    /// `retry.backoff.ms` (default 100).
    pub retry_backoff_ms: u64,
    /// `delivery.timeout.ms` (default 120000).
    pub delivery_timeout_ms: u64,
    /// `request.timeout.ms` (default 30000).
    pub request_timeout_ms: u64,
    /// `enable.idempotence` (default true).
    pub enable_idempotence: bool,
    /// `max.in.flight.requests.per.connection` (default 5).
    pub max_in_flight: u32,
    /// `max.request.size` (default 1048576).
    pub max_request_size: u32,
    /// `partitioner` (default sticky: the Java client's built-in behaviour).
    pub partitioner: Partitioner,
    /// `transactional.id`: makes the producer transactional.
    pub transactional_id: Option<String>,
    /// `transaction.timeout.ms` (default 60000): the coordinator aborts a longer transaction.
    pub transaction_timeout_ms: u64,
}

impl Default for ProducerConfig {
    fn default() -> Self {
        Self {
            client_id: String::new(),
            acks: Acks::All,
            batch_size: 16_384,
            linger_ms: 5,
            compression: CompressionType::None,
            retries: i32::MAX as u32,
            retry_backoff_ms: 100,
            delivery_timeout_ms: 120_000,
            request_timeout_ms: 30_000,
            enable_idempotence: true,
            max_in_flight: 5,
            max_request_size: 1_048_576,
            partitioner: Partitioner::Sticky,
            transactional_id: None,
            transaction_timeout_ms: 60_000,
        }
    }
}

impl ProducerConfig {
    /// Defaults overridden by `entries`, checked as the Java client checks them.
    ///
    /// An explicit `enable.idempotence=true` that conflicts with `acks`, `retries` or
    /// `max.in.flight.requests.per.connection` is an error; the default one is dropped.
    pub fn from_entries<'a>(entries: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self> {
        let mut c = Self::default();
        let mut explicit_idempotence = false;
        for (key, v) in entries {
            match key {
                "client.id" => c.client_id = v.into(),
                "acks" => {
                    c.acks = match v.trim() {
                        "0" => Acks::Zero,
                        "1" => Acks::Leader,
                        "all" | "-1" => Acks::All,
                        _ => return Err(err!(InvalidConfig, "Invalid value {v} for configuration acks: String must be one of: all, -1, 0, 1")),
                    }
                }
                "batch.size" => c.batch_size = parse_u64(key, v, 0, i32::MAX as u64)? as u32,
                "linger.ms" => c.linger_ms = parse_u64(key, v, 0, i32::MAX as u64)?,
                "compression.type" => {
                    c.compression = CompressionType::parse(v.trim()).ok_or_else(|| {
                        err!(InvalidConfig, "Invalid value {v} for configuration compression.type: String must be one of: none, gzip, snappy, lz4, zstd")
                    })?
                }
                "retries" => c.retries = parse_u64(key, v, 0, i32::MAX as u64)? as u32,
                "retry.backoff.ms" => c.retry_backoff_ms = parse_u64(key, v, 0, i64::MAX as u64)?,
                "delivery.timeout.ms" => c.delivery_timeout_ms = parse_u64(key, v, 0, i32::MAX as u64)?,
                "request.timeout.ms" => c.request_timeout_ms = parse_u64(key, v, 0, i32::MAX as u64)?,
                "enable.idempotence" => {
                    c.enable_idempotence = parse_bool(key, v)?;
                    explicit_idempotence = true;
                }
                "max.in.flight.requests.per.connection" => c.max_in_flight = parse_u64(key, v, 1, i32::MAX as u64)? as u32,
                "max.request.size" => c.max_request_size = parse_u64(key, v, 0, i32::MAX as u64)? as u32,
                "partitioner" => c.partitioner = Partitioner::parse(v.trim())?,
                "transactional.id" => c.transactional_id = Some(v.trim().into()).filter(|t: &String| !t.is_empty()),
                "transaction.timeout.ms" => c.transaction_timeout_ms = parse_u64(key, v, 1, 900_000)?,
                _ => return Err(unknown_key("producer", key)),
            }
        }
        if c.transactional_id.is_some() {
            if explicit_idempotence && !c.enable_idempotence {
                return Err(err!(
                    InvalidConfig,
                    "Cannot set a transactional.id without also enabling idempotence."
                ));
            }
            // A transactional producer is idempotent: conflicts are errors, not downgrades.
            c.enable_idempotence = true;
            explicit_idempotence = true;
        }
        if c.enable_idempotence {
            let conflict = if c.acks != Acks::All {
                Some("Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.")
            } else if c.max_in_flight > 5 {
                Some("Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer.")
            } else if c.retries == 0 {
                Some("Must set retries to non-zero when using the idempotent producer.")
            } else {
                None
            };
            match conflict {
                Some(why) if explicit_idempotence => {
                    return Err(Error::new(ErrorCode::InvalidConfig, why))
                }
                Some(_) => c.enable_idempotence = false,
                None => {}
            }
        }
        if c.delivery_timeout_ms < c.linger_ms + c.request_timeout_ms {
            return Err(err!(
                InvalidConfig,
                "delivery.timeout.ms should be equal to or larger than linger.ms + request.timeout.ms"
            ));
        }
        Ok(c)
    }

    /// Every config as `(key, value)`, for describe output.
    pub fn entries(&self) -> Vec<(&'static str, String)> {
        use alloc::string::ToString;
        alloc::vec![
            ("acks", self.acks.name().into()),
            ("batch.size", self.batch_size.to_string()),
            ("client.id", self.client_id.clone()),
            ("compression.type", self.compression.name().into()),
            ("delivery.timeout.ms", self.delivery_timeout_ms.to_string()),
            ("enable.idempotence", self.enable_idempotence.to_string()),
            ("linger.ms", self.linger_ms.to_string()),
            (
                "max.in.flight.requests.per.connection",
                self.max_in_flight.to_string()
            ),
            ("max.request.size", self.max_request_size.to_string()),
            ("partitioner", self.partitioner.name().into()),
            ("request.timeout.ms", self.request_timeout_ms.to_string()),
            ("retries", self.retries.to_string()),
            ("retry.backoff.ms", self.retry_backoff_ms.to_string()),
            (
                "transaction.timeout.ms",
                self.transaction_timeout_ms.to_string()
            ),
            (
                "transactional.id",
                self.transactional_id.clone().unwrap_or_default()
            ),
        ]
    }
}
