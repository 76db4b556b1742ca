//! Scenario scripts: the one language of the UI, share links, the CLI and the tests.
//!
//! A script is a seed plus commands, one per line, in words a Kafka user knows:
//!
//! ```text
//! seed 42
//! topic create orders partitions=3 retention.ms=1h
//! producer p1 acks=all linger.ms=5ms
//! produce p1 orders key=user-1 value={"item":"pizza"}
//! tick 10ms
//! consumer c1 group.id=billing auto.offset.reset=earliest
//! assign c1 orders:0 orders:1 orders:2
//! poll c1
//! ```
//!
//! [`parse`] reads it, [`print`] writes its canonical form, and [`Runner`] applies it to a
//! fresh [`crate::Cluster`], giving each command's observable output. The grammar and every
//! command are documented in `docs/script.md`.

mod datagen;
pub mod export;
mod lexer;
pub mod link;
mod parse;
mod print;
mod replay;
mod run;
mod session;
mod template;

use alloc::string::String;
use alloc::vec::Vec;

pub use crate::cluster::ResetTo;
pub use crate::consumer::SeekTo;
pub use parse::{parse, ParseError};
pub use print::print;
pub use replay::{Replay, ReplayProgress};
pub use run::{
    ClientKind, ClusterDescription, Committer, ConnectorDescription, ConnectorStatus, Description,
    Event, Failure, Output, OutputKind, PolledRecord, ProducerDescription, Progress, Runner,
    Running, SinkRows, TaskStatus,
};
pub use session::Session;
pub use template::Template;

/// The most records one `generate` may produce.
pub const MAX_GENERATE: u64 = 10_000_000;
/// The longest single `tick`.
pub const MAX_TICK_MS: u64 = 30 * 86_400_000;
/// The most steps one `play` may take.
pub const MAX_PLAY_STEPS: u64 = 100_000;
/// The most polls one `play` may make (steps × live consumers).
pub const MAX_PLAY_POLLS: u64 = 5_000_000;
/// The fastest datagen source, in records per simulated second.
pub const MAX_DATAGEN_RATE: u64 = 1_000_000;
/// The step `play` takes unless told otherwise.
pub const DEFAULT_PLAY_STEP_MS: u64 = 100;
/// The most commands a script may hold.
pub const MAX_COMMANDS: usize = 100_000;

/// A parsed script: its commands, in order, with the line each came from.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Script {
    /// The commands and their 1-based source lines.
    pub commands: Vec<(usize, Command)>,
}

/// A byte value written in a script: text, JSON, hex, or Kafka's null.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// Text: a bare word or a "quoted string".
    Text(String),
    /// A JSON value, kept exactly as written.
    Json(String),
    /// `hex:…` bytes.
    Hex(Vec<u8>),
    /// `null`: a null key or a tombstone value.
    Null,
}

impl Value {
    /// The bytes this value stands for; `None` for null.
    pub fn bytes(&self) -> Option<Vec<u8>> {
        match self {
            Value::Text(s) | Value::Json(s) => Some(s.as_bytes().to_vec()),
            Value::Hex(b) => Some(b.clone()),
            Value::Null => None,
        }
    }
}

/// A topic-partition as written: `orders:0`.
pub type PartitionRef = (String, u32);

/// A transactional producer's call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxnAction {
    /// `initTransactions()`.
    Init,
    /// `beginTransaction()`.
    Begin,
    /// `commitTransaction()`.
    Commit,
    /// `abortTransaction()`.
    Abort,
}

impl TxnAction {
    /// The word in a script.
    pub const fn word(self) -> &'static str {
        match self {
            Self::Init => "init",
            Self::Begin => "begin",
            Self::Commit => "commit",
            Self::Abort => "abort",
        }
    }
}

/// What `describe` shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DescribeTarget {
    /// `describe topic NAME`: partitions, offsets, segments, configs.
    Topic(String),
    /// `describe consumer NAME`: assignment, positions, commits, lag.
    Consumer(String),
    /// `describe producer NAME`: configs, producer id, pending batches.
    Producer(String),
    /// `describe group NAME`: state, generation, protocol, members, offsets and lag.
    Group(String),
    /// `describe cluster`: time, topics, clients.
    Cluster,
    /// `describe transaction ID`: the coordinator's view of a `transactional.id`.
    Transaction(String),
    /// `describe subject NAME`: a registry subject's versions, schemas and level.
    Subject(String),
    /// `describe connector NAME`: its state, tasks, offsets, throughput and view.
    Connector(String),
}

/// What `connector ACTION NAME` does (Connect's REST calls).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectorAction {
    /// `PUT /connectors/NAME/pause`.
    Pause,
    /// `PUT /connectors/NAME/resume`.
    Resume,
    /// `POST /connectors/NAME/restart?includeTasks=true`: tasks stop cleanly (committing
    /// their offsets) and start again.
    Restart,
    /// `DELETE /connectors/NAME`.
    Delete,
}

impl ConnectorAction {
    /// The script's word for it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Pause => "pause",
            Self::Resume => "resume",
            Self::Restart => "restart",
            Self::Delete => "delete",
        }
    }
}

/// What `broker ACTION ID` does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BrokerAction {
    /// A controlled shutdown.
    Stop,
    /// Starts it again.
    Start,
    /// Cuts it off from the other brokers.
    Isolate,
    /// Ends the isolation.
    Heal,
}

impl BrokerAction {
    /// The script's word for it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Stop => "stop",
            Self::Start => "start",
            Self::Isolate => "isolate",
            Self::Heal => "heal",
        }
    }
}

/// One command of a script. Each maps to one call (or a few) on the core.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Command {
    /// `seed N`: the seed of all randomness (first line only).
    Seed(u64),
    /// `broker KEY=VALUE…`: broker configs (before any other command but `seed`).
    Broker(Vec<(String, String)>),
    /// `brokers N [racks=R1,R2,…]`: grows the cluster to N brokers, with their racks.
    Brokers {
        /// How many.
        count: usize,
        /// `broker.rack` of each, in id order.
        racks: Option<Vec<String>>,
    },
    /// `broker stop|start|isolate|heal ID`.
    BrokerChange {
        /// The broker id.
        broker: i32,
        /// What happens to it.
        action: BrokerAction,
    },
    /// `topic create NAME partitions=N [replication.factor=N] KEY=VALUE…`.
    CreateTopic {
        /// The topic.
        name: String,
        /// Partition count.
        partitions: u32,
        /// Replicas per partition (absent: `default.replication.factor`).
        replication_factor: Option<u32>,
        /// Topic configs.
        configs: Vec<(String, String)>,
    },
    /// `topic delete NAME`.
    DeleteTopic(String),
    /// `topic partitions NAME N`: grows the topic to N partitions.
    AddPartitions {
        /// The topic.
        name: String,
        /// The new total.
        total: u32,
    },
    /// `topic config NAME KEY=VALUE…`: alters topic configs.
    AlterTopic {
        /// The topic.
        name: String,
        /// The configs to set.
        configs: Vec<(String, String)>,
    },
    /// `topic delete-records NAME:P before=OFFSET`.
    DeleteRecords {
        /// The partition.
        partition: PartitionRef,
        /// The new log start offset (-1: the high watermark).
        before: i64,
    },
    /// `producer NAME KEY=VALUE…`: creates a producer.
    Producer {
        /// Its name.
        name: String,
        /// Producer configs.
        configs: Vec<(String, String)>,
    },
    /// `produce PRODUCER TOPIC [key=…] [value=…] [partition=N] [timestamp=T] [header.K=V…]`.
    Produce {
        /// The producer.
        producer: String,
        /// The topic.
        topic: String,
        /// The key (absent: null).
        key: Option<Value>,
        /// The value (absent: null, a tombstone).
        value: Option<Value>,
        /// An explicit partition.
        partition: Option<u32>,
        /// An explicit create time.
        timestamp: Option<i64>,
        /// Headers, in order.
        headers: Vec<(String, Value)>,
    },
    /// `generate PRODUCER TOPIC count=N [key=TEMPLATE] [value=TEMPLATE] [partition=N]`.
    Generate {
        /// The producer.
        producer: String,
        /// The topic.
        topic: String,
        /// How many records.
        count: u64,
        /// The key template.
        key: Option<Template>,
        /// The value template.
        value: Option<Template>,
        /// An explicit partition.
        partition: Option<u32>,
    },
    /// `flush PRODUCER`.
    Flush(String),
    /// `consumer NAME KEY=VALUE…`: creates a consumer.
    Consumer {
        /// Its name.
        name: String,
        /// Consumer configs.
        configs: Vec<(String, String)>,
    },
    /// `subscribe CONSUMER TOPIC…`: joins the consumer's group for these topics.
    Subscribe {
        /// The consumer.
        consumer: String,
        /// The topics.
        topics: Vec<String>,
    },
    /// `subscribe CONSUMER pattern=REGEX`: every topic whose whole name matches.
    SubscribePattern {
        /// The consumer.
        consumer: String,
        /// The regular expression.
        pattern: String,
    },
    /// `unsubscribe CONSUMER`: revokes its partitions and leaves its group.
    Unsubscribe(String),
    /// `assign CONSUMER TOPIC:P…`.
    Assign {
        /// The consumer.
        consumer: String,
        /// The partitions.
        partitions: Vec<PartitionRef>,
    },
    /// `poll CONSUMER`.
    Poll(String),
    /// `seek CONSUMER TOPIC:P (OFFSET|beginning|end|timestamp=T)`.
    Seek {
        /// The consumer.
        consumer: String,
        /// The partition.
        partition: PartitionRef,
        /// Where to.
        to: SeekTo,
    },
    /// `commit CONSUMER [async] [TOPIC:P=OFFSET…]`: the positions, or explicit offsets.
    Commit {
        /// The consumer.
        consumer: String,
        /// Explicit offsets; empty commits the current positions.
        offsets: Vec<(PartitionRef, i64)>,
        /// `commitAsync()`: a failure goes to the callback (a `commit_callback` output)
        /// instead of failing the command.
        asynchronous: bool,
    },
    /// `pause CONSUMER TOPIC:P…`.
    Pause {
        /// The consumer.
        consumer: String,
        /// The partitions.
        partitions: Vec<PartitionRef>,
    },
    /// `resume CONSUMER TOPIC:P…`.
    Resume {
        /// The consumer.
        consumer: String,
        /// The partitions.
        partitions: Vec<PartitionRef>,
    },
    /// `close CLIENT`: a clean close (a producer flushes; a consumer auto-commits).
    Close(String),
    /// `group reset-offsets GROUP TOPIC[:P] (to-earliest|to-latest|to-offset=N|to-datetime=MS|shift-by=N)`.
    ResetOffsets {
        /// The group.
        group: String,
        /// The topic.
        topic: String,
        /// One partition, or all.
        partition: Option<u32>,
        /// Where to.
        to: ResetTo,
    },
    /// `group delete GROUP`: deletes a group without members, and its offsets.
    DeleteGroup(String),
    /// `group delete-offsets GROUP TOPIC`.
    DeleteOffsets {
        /// The group.
        group: String,
        /// The topic.
        topic: String,
    },
    /// `tick DURATION`: moves the simulated clock.
    Tick(u64),
    /// `fault lose-ack PRODUCER [N]`: the next N produce responses are lost.
    LoseAcks {
        /// The producer.
        producer: String,
        /// How many.
        count: u32,
    },
    /// `fault crash CLIENT`: the client dies without closing.
    Crash(String),
    /// `describe (topic NAME|consumer NAME|producer NAME|cluster)`.
    Describe(DescribeTarget),
    /// `datagen start NAME PRODUCER TOPIC rate=N [key=TEMPLATE] [value=TEMPLATE] [partition=N]`:
    /// a source that produces N records per simulated second while the clock plays.
    DatagenStart {
        /// The source's name.
        name: String,
        /// The producer it sends with.
        producer: String,
        /// The topic.
        topic: String,
        /// Records per simulated second.
        rate: u64,
        /// The key template.
        key: Option<Template>,
        /// The value template.
        value: Option<Template>,
        /// An explicit partition.
        partition: Option<u32>,
    },
    /// `datagen stop NAME`.
    DatagenStop(String),
    /// `txn (init|begin|commit|abort) PRODUCER`.
    Transaction {
        /// The transactional producer.
        producer: String,
        /// The call.
        action: TxnAction,
    },
    /// `txn send-offsets PRODUCER CONSUMER`: the consumer's positions and group metadata
    /// go into the producer's transaction.
    SendOffsets {
        /// The transactional producer.
        producer: String,
        /// The consumer whose positions commit with the transaction.
        consumer: String,
    },
    /// `schema register SUBJECT SCHEMA [references=[…]]`: a new version of the subject (a
    /// JSON Schema).
    SchemaRegister {
        /// The subject (`TOPIC-value` under TopicNameStrategy).
        subject: String,
        /// The schema text.
        schema: String,
        /// The subject versions its `$ref`s name.
        references: Vec<crate::registry::SchemaReference>,
    },
    /// `schema check SUBJECT SCHEMA [references=[…]]`: would it be compatible? (Nothing
    /// changes.)
    SchemaCheck {
        /// The subject.
        subject: String,
        /// The schema text.
        schema: String,
        /// The subject versions its `$ref`s name.
        references: Vec<crate::registry::SchemaReference>,
    },
    /// `schema compatibility [SUBJECT] LEVEL [compatibilityPolicy=POLICY]`: the registry's
    /// (or one subject's) level, and the policy for JSON Schema differences.
    SchemaCompatibility {
        /// One subject, or the registry.
        subject: Option<String>,
        /// The level.
        level: crate::registry::Compatibility,
        /// The policy, when set (else it stays as it was).
        policy: Option<crate::registry::json_schema::Policy>,
    },
    /// `schema delete SUBJECT`.
    SchemaDelete(String),
    /// `connector create NAME KEY=VALUE…`: a Kafka Connect connector (see [`crate::connect`]).
    ConnectorCreate {
        /// Its name.
        name: String,
        /// Its configs.
        configs: Vec<(String, String)>,
    },
    /// `connector (pause|resume|restart|delete) NAME`.
    ConnectorChange {
        /// The connector.
        name: String,
        /// What happens to it.
        action: ConnectorAction,
    },
    /// `play DURATION [step=DURATION]`: the clock runs in steps; at each step every datagen
    /// source produces what is due and every consumer with a subscription or an assignment
    /// polls, in name order (the UI's play button).
    Play {
        /// How long.
        duration: u64,
        /// The step between polls.
        step: u64,
    },
}

/// `units` × 10^-`places` as a plain decimal without trailing zeros, from the digits (no
/// float, no overflow for any `places`): `decimal(1250, 3)` is `1.25`, `decimal(3000, 3)` is `3`.
pub fn decimal(units: u64, places: u8) -> String {
    let digits = alloc::format!("{units:0>width$}", width = usize::from(places) + 1);
    let (whole, fraction) = digits.split_at(digits.len() - usize::from(places));
    match fraction.trim_end_matches('0') {
        "" => String::from(whole),
        fraction => alloc::format!("{whole}.{fraction}"),
    }
}

/// Formats milliseconds in the largest whole unit: `1h`, `5s`, `250ms`.
pub fn format_duration(ms: u64) -> String {
    const UNITS: [(u64, &str); 4] = [
        (86_400_000, "d"),
        (3_600_000, "h"),
        (60_000, "m"),
        (1_000, "s"),
    ];
    for (size, unit) in UNITS {
        if ms != 0 && ms % size == 0 {
            return alloc::format!("{}{unit}", ms / size);
        }
    }
    alloc::format!("{ms}ms")
}

/// Parses `100ms`, `5s`, `2m`, `1h`, `1d`, or plain milliseconds.
pub fn parse_duration(text: &str) -> Option<u64> {
    let (digits, scale) = [
        ("ms", 1),
        ("s", 1_000),
        ("m", 60_000),
        ("h", 3_600_000),
        ("d", 86_400_000),
    ]
    .iter()
    .find_map(|(suffix, scale)| text.strip_suffix(suffix).map(|d| (d, *scale)))
    .unwrap_or((text, 1));
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<u64>().ok()?.checked_mul(scale)
}
