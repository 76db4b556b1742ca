//! Kafka Connect, simulated: source and sink connectors, their tasks and offsets.
//!
//! A connector is created from Connect's `KEY=VALUE` configs. Its tasks are real clients of
//! the cluster: each source task has its own producer (`connector-producer-NAME-T`); the
//! sink tasks are the members of the consumer group `connect-NAME`, so the group's assignor
//! spreads the topics' partitions across them. Connectors run while the clock plays.
//!
//! Classes (Connect's aliases work: the simple name, with or without `Connector`):
//! - `DatagenConnector` (`io.confluent.kafka.connect.datagen.DatagenConnector`):
//!   `kafka.topic`, `quickstart` (orders, users, pageviews), `rate` (records per simulated
//!   second, across the tasks: logplay's stand-in for `max.interval`), `iterations` (per task).
//! - `PasteSourceConnector`: `topic`, `data` (the pasted text), `format` (csv, json, lines),
//!   `key.field`, `rate` (lines per second). One task; its offset is the line it reached.
//! - `TableSinkConnector`: `topics`; the latest value per key (tombstones delete).
//! - `CounterSinkConnector`: `topics`, `aggregate.field`; records and the field's sum per key.
//!
//! Common configs: `tasks.max`, `value.converter` (`StringConverter`, the default, or
//! `JsonSchemaConverter`: values in the registry's wire format, under `TOPIC-value`),
//! `offset.flush.interval.ms` (a worker config in Kafka: 60000) and `errors.tolerance`
//! (`none`: a bad record fails the task; `all`: it is skipped).

pub mod lines;
pub mod quickstart;
pub mod sink;

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::error::{err, Error, Result};
use lines::Format;
use quickstart::Quickstart;

/// The most tasks one connector may run.
pub const MAX_TASKS: u32 = 64;
/// The fastest source, in records per simulated second.
pub const MAX_RATE: u64 = 1_000_000;
/// `offset.flush.interval.ms` unless set (Kafka's default).
pub const DEFAULT_FLUSH_INTERVAL_MS: u64 = 60_000;

/// What a connector does.
#[derive(Clone, Debug, PartialEq)]
pub enum Class {
    /// Generates a quickstart's records.
    Datagen(Quickstart),
    /// Sends pasted lines.
    Paste {
        /// How the text is read.
        format: Format,
        /// The text.
        data: String,
        /// The field whose value is the record key.
        key_field: Option<String>,
    },
    /// Materializes the latest value per key.
    TableSink,
    /// Counts records (and sums one field) per key.
    CounterSink {
        /// `aggregate.field`.
        field: Option<String>,
    },
}

impl Class {
    /// Connect's class name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Datagen(_) => "io.confluent.kafka.connect.datagen.DatagenConnector",
            Self::Paste { .. } => "PasteSourceConnector",
            Self::TableSink => "TableSinkConnector",
            Self::CounterSink { .. } => "CounterSinkConnector",
        }
    }

    /// Whether it writes to Kafka (a source) rather than reads (a sink).
    pub fn is_source(&self) -> bool {
        matches!(self, Self::Datagen(_) | Self::Paste { .. })
    }
}

/// A connector's configuration, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct ConnectorConfig {
    /// `connector.class`.
    pub class: Class,
    /// The topic a source writes, or the topics a sink reads.
    pub topics: Vec<String>,
    /// `tasks.max`.
    pub tasks_max: u32,
    /// Records per simulated second (sources).
    pub rate: u64,
    /// `iterations`: at most this many records per task (datagen).
    pub iterations: Option<u64>,
    /// `value.converter=JsonSchemaConverter`.
    pub json_schema: bool,
    /// `offset.flush.interval.ms`.
    pub flush_interval_ms: u64,
    /// `errors.tolerance=all`.
    pub tolerate_errors: bool,
}

impl ConnectorConfig {
    /// Checks `entries` as Connect validates a connector config; every problem is listed.
    pub fn from_entries(entries: &[(String, String)]) -> Result<Self> {
        let mut problems: Vec<String> = Vec::new();
        let get = |k: &str| {
            entries
                .iter()
                .rev()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        let number = |k: &str, default: u64, min: u64, max: u64, problems: &mut Vec<String>| {
            match get(k) {
                None => default,
                Some(v) => match v.trim().parse::<u64>() {
                    Ok(n) if (min..=max).contains(&n) => n,
                    _ => {
                        problems.push(alloc::format!("Invalid value {v} for configuration {k}: Value must be a whole number in [{min}, {max}]"));
                        default
                    }
                },
            }
        };
        let required = |k: &str, problems: &mut Vec<String>| {
            get(k).map(ToString::to_string).unwrap_or_else(|| {
                problems.push(alloc::format!(
                    "Missing required configuration \"{k}\" which has no default value."
                ));
                String::new()
            })
        };
        let class_name = required("connector.class", &mut problems);
        let alias = class_name.rsplit('.').next().unwrap_or("");
        let alias = alias.strip_suffix("Connector").unwrap_or(alias);
        let (class, topics) = match alias {
            "Datagen" => {
                let topic = required("kafka.topic", &mut problems);
                let quickstart = get("quickstart").unwrap_or("");
                let q = Quickstart::named(quickstart).unwrap_or_else(|| {
                    problems.push(alloc::format!("Invalid value {quickstart} for configuration quickstart: use orders, users or pageviews"));
                    quickstart::QUICKSTARTS[0]
                });
                (Class::Datagen(q), alloc::vec![topic])
            }
            "PasteSource" => {
                let topic = required("topic", &mut problems);
                let format = get("format").unwrap_or("lines");
                let format = Format::parse(format).unwrap_or_else(|| {
                    problems.push(alloc::format!(
                        "Invalid value {format} for configuration format: use csv, json or lines"
                    ));
                    Format::Lines
                });
                let class = Class::Paste {
                    format,
                    data: get("data").unwrap_or("").into(),
                    key_field: get("key.field").map(Into::into),
                };
                (class, alloc::vec![topic])
            }
            "TableSink" | "CounterSink" => {
                let topics: Vec<String> = required("topics", &mut problems)
                    .split(',')
                    .map(|t| t.trim().to_string())
                    .filter(|t| !t.is_empty())
                    .collect();
                if topics.is_empty() && get("topics").is_some() {
                    problems.push(
                        "Invalid value for configuration topics: name at least one topic".into(),
                    );
                }
                let class = if alias == "TableSink" {
                    Class::TableSink
                } else {
                    Class::CounterSink {
                        field: get("aggregate.field").map(Into::into),
                    }
                };
                (class, topics)
            }
            _ => {
                if !class_name.is_empty() {
                    problems.push(alloc::format!("Invalid value {class_name} for configuration connector.class: Class {class_name} could not be found (use DatagenConnector, PasteSourceConnector, TableSinkConnector or CounterSinkConnector)"));
                }
                (Class::TableSink, Vec::new())
            }
        };
        let json_schema = match get("value.converter").map(|c| c.rsplit('.').next().unwrap_or("")) {
            None | Some("StringConverter") => false,
            Some("JsonSchemaConverter") => true,
            Some(_) => {
                problems.push("Invalid value for configuration value.converter: use StringConverter or JsonSchemaConverter".into());
                false
            }
        };
        let tolerate_errors = match get("errors.tolerance") {
            None | Some("none") => false,
            Some("all") => true,
            Some(v) => {
                problems.push(alloc::format!("Invalid value {v} for configuration errors.tolerance: String must be one of: none, all"));
                false
            }
        };
        let known = [
            "name",
            "connector.class",
            "tasks.max",
            "kafka.topic",
            "quickstart",
            "rate",
            "iterations",
            "topic",
            "data",
            "format",
            "key.field",
            "topics",
            "aggregate.field",
            "value.converter",
            "offset.flush.interval.ms",
            "errors.tolerance",
        ];
        for (k, _) in entries {
            if !known.contains(&k.as_str()) {
                problems.push(alloc::format!("Unknown connector config name: {k} (logplay refuses configs it does not implement)"));
            }
        }
        let config = Self {
            tasks_max: number("tasks.max", 1, 1, u64::from(MAX_TASKS), &mut problems) as u32,
            rate: number("rate", 10, 1, MAX_RATE, &mut problems),
            iterations: get("iterations")
                .map(|_| number("iterations", 0, 1, u64::MAX, &mut problems)),
            flush_interval_ms: number(
                "offset.flush.interval.ms",
                DEFAULT_FLUSH_INTERVAL_MS,
                1,
                i32::MAX as u64,
                &mut problems,
            ),
            class,
            topics,
            json_schema,
            tolerate_errors,
        };
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(invalid(&problems))
        }
    }

    /// How many tasks run: `tasks.max`, but one for a paste source (one input to read).
    pub fn task_count(&self) -> u32 {
        match self.class {
            Class::Paste { .. } => 1,
            _ => self.tasks_max,
        }
    }

    /// Task `t`'s share of the rate: the whole rate split evenly, the remainder to the first
    /// tasks.
    pub fn task_rate(&self, t: u32) -> u64 {
        let n = u64::from(self.task_count());
        self.rate / n + u64::from(u64::from(t) < self.rate % n)
    }
}

fn invalid(problems: &[String]) -> Error {
    err!(
        InvalidConfig,
        "Connector configuration is invalid and contains the following {} error(s): {}",
        problems.len(),
        problems.join(" ")
    )
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::error::ErrorCode;

    fn config(pairs: &[(&str, &str)]) -> Result<ConnectorConfig> {
        let entries: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        ConnectorConfig::from_entries(&entries)
    }

    #[test]
    fn aliases_defaults_and_the_rate_split() {
        let c = config(&[
            (
                "connector.class",
                "io.confluent.kafka.connect.datagen.DatagenConnector",
            ),
            ("kafka.topic", "orders"),
            ("quickstart", "users"),
            ("tasks.max", "3"),
            ("rate", "10"),
        ])
        .unwrap();
        assert_eq!(
            (c.topics.as_slice(), c.tasks_max, c.flush_interval_ms),
            (&["orders".to_string()][..], 3, 60_000)
        );
        assert_eq!([c.task_rate(0), c.task_rate(1), c.task_rate(2)], [4, 3, 3]);
        assert!(matches!(c.class, Class::Datagen(q) if q.name == "users"));
        let sink = config(&[
            ("connector.class", "CounterSink"),
            ("topics", "a, b"),
            ("tasks.max", "2"),
            (
                "value.converter",
                "io.confluent.connect.json.JsonSchemaConverter",
            ),
        ])
        .unwrap();
        assert_eq!(
            (sink.topics, sink.json_schema, sink.class.is_source()),
            (alloc::vec!["a".to_string(), "b".to_string()], true, false)
        );
        let paste = config(&[
            ("connector.class", "PasteSourceConnector"),
            ("topic", "t"),
            ("tasks.max", "4"),
        ])
        .unwrap();
        assert_eq!(paste.task_count(), 1);
    }

    #[test]
    fn every_problem_is_listed_in_connect_s_words() {
        let e = config(&[
            ("connector.class", "Datagen"),
            ("quickstart", "weather"),
            ("tasks.max", "0"),
            ("colour", "red"),
        ])
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidConfig);
        assert!(
            e.message.starts_with(
                "Connector configuration is invalid and contains the following 4 error(s):"
            ),
            "{e}"
        );
        for part in [
            "Missing required configuration \"kafka.topic\"",
            "quickstart",
            "tasks.max",
            "colour",
        ] {
            assert!(e.message.contains(part), "{part}: {e}");
        }
        assert!(config(&[]).unwrap_err().message.contains("connector.class"));
        assert!(config(&[("connector.class", "JdbcSink")])
            .unwrap_err()
            .message
            .contains("could not be found"));
    }
}
