//! The canonical printer: `parse(print(s)) == s` for every parsed script.

use alloc::string::String;
use core::fmt::{self, Write};

use crate::registry::SchemaReference;

use super::{
    format_duration, Command, DescribeTarget, PartitionRef, ResetTo, Script, SeekTo, Template,
    Value, DEFAULT_PLAY_STEP_MS,
};

/// The canonical text of a script: one command per line, no comments.
pub fn print(script: &Script) -> String {
    let mut out = String::new();
    for (_, c) in &script.commands {
        // Writing to a String cannot fail.
        let _ = writeln!(out, "{c}");
    }
    out
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Seed(n) => write!(f, "seed {n}"),
            Command::Broker(configs) => {
                f.write_str("broker")?;
                write_configs(f, configs)
            }
            Command::Brokers { count, racks } => {
                write!(f, "brokers {count}")?;
                match racks {
                    Some(r) => write!(f, " racks={}", r.join(",")),
                    None => Ok(()),
                }
            }
            Command::BrokerChange { broker, action } => {
                write!(f, "broker {} {broker}", action.name())
            }
            Command::CreateTopic {
                name,
                partitions,
                replication_factor,
                configs,
            } => {
                write!(f, "topic create {name} partitions={partitions}")?;
                if let Some(rf) = replication_factor {
                    write!(f, " replication.factor={rf}")?;
                }
                write_configs(f, configs)
            }
            Command::DeleteTopic(name) => write!(f, "topic delete {name}"),
            Command::AddPartitions { name, total } => write!(f, "topic partitions {name} {total}"),
            Command::AlterTopic { name, configs } => {
                write!(f, "topic config {name}")?;
                write_configs(f, configs)
            }
            Command::DeleteRecords { partition, before } => {
                write!(f, "topic delete-records {} before={before}", tp(partition))
            }
            Command::Producer { name, configs } => {
                write!(f, "producer {name}")?;
                write_configs(f, configs)
            }
            Command::Produce {
                producer,
                topic,
                key,
                value,
                partition,
                timestamp,
                headers,
            } => {
                write!(f, "produce {producer} {topic}")?;
                if let Some(k) = key {
                    write!(f, " key={}", ValueText(k))?;
                }
                if let Some(v) = value {
                    write!(f, " value={}", ValueText(v))?;
                }
                if let Some(p) = partition {
                    write!(f, " partition={p}")?;
                }
                if let Some(t) = timestamp {
                    write!(f, " timestamp={t}")?;
                }
                for (name, v) in headers {
                    write!(f, " header.{name}={}", ValueText(v))?;
                }
                Ok(())
            }
            Command::Generate {
                producer,
                topic,
                count,
                key,
                value,
                partition,
            } => {
                write!(f, "generate {producer} {topic} count={count}")?;
                write_generator(f, key.as_ref(), value.as_ref(), *partition)
            }
            Command::Flush(p) => write!(f, "flush {p}"),
            Command::Consumer { name, configs } => {
                write!(f, "consumer {name}")?;
                write_configs(f, configs)
            }
            Command::Assign {
                consumer,
                partitions,
            } => write_refs(f, "assign", consumer, partitions),
            Command::Subscribe { consumer, topics } => {
                write!(f, "subscribe {consumer} {}", topics.join(" "))
            }
            Command::SubscribePattern { consumer, pattern } if is_bare(pattern) => {
                write!(f, "subscribe {consumer} pattern={pattern}")
            }
            Command::SubscribePattern { consumer, pattern } => {
                write!(f, "subscribe {consumer} pattern={}", Quoted(pattern))
            }
            Command::Unsubscribe(c) => write!(f, "unsubscribe {c}"),
            Command::Poll(c) => write!(f, "poll {c}"),
            Command::Seek {
                consumer,
                partition,
                to,
            } => {
                write!(f, "seek {consumer} {} ", tp(partition))?;
                match to {
                    SeekTo::Offset(o) => write!(f, "{o}"),
                    SeekTo::Beginning => f.write_str("beginning"),
                    SeekTo::End => f.write_str("end"),
                    SeekTo::Timestamp(t) => write!(f, "timestamp={t}"),
                }
            }
            Command::Commit {
                consumer,
                offsets,
                asynchronous,
            } => {
                write!(f, "commit {consumer}")?;
                if *asynchronous {
                    f.write_str(" async")?;
                }
                for (p, o) in offsets {
                    write!(f, " {}={o}", tp(p))?;
                }
                Ok(())
            }
            Command::Pause {
                consumer,
                partitions,
            } => write_refs(f, "pause", consumer, partitions),
            Command::Resume {
                consumer,
                partitions,
            } => write_refs(f, "resume", consumer, partitions),
            Command::Close(c) => write!(f, "close {c}"),
            Command::ResetOffsets {
                group,
                topic,
                partition,
                to,
            } => {
                write!(f, "group reset-offsets {} {topic}", Id(group))?;
                if let Some(p) = partition {
                    write!(f, ":{p}")?;
                }
                match to {
                    ResetTo::Earliest => f.write_str(" to-earliest"),
                    ResetTo::Latest => f.write_str(" to-latest"),
                    ResetTo::Offset(n) => write!(f, " to-offset={n}"),
                    ResetTo::Timestamp(n) => write!(f, " to-datetime={n}"),
                    ResetTo::ShiftBy(n) => write!(f, " shift-by={n}"),
                }
            }
            Command::DeleteGroup(group) => write!(f, "group delete {}", Id(group)),
            Command::DeleteOffsets { group, topic } => {
                write!(f, "group delete-offsets {} {topic}", Id(group))
            }
            Command::Tick(ms) => write!(f, "tick {}", format_duration(*ms)),
            Command::LoseAcks { producer, count } => write!(f, "fault lose-ack {producer} {count}"),
            Command::Crash(c) => write!(f, "fault crash {c}"),
            Command::DatagenStart {
                name,
                producer,
                topic,
                rate,
                key,
                value,
                partition,
            } => {
                write!(f, "datagen start {name} {producer} {topic} rate={rate}")?;
                write_generator(f, key.as_ref(), value.as_ref(), *partition)
            }
            Command::DatagenStop(name) => write!(f, "datagen stop {name}"),
            Command::Transaction { producer, action } => {
                write!(f, "txn {} {producer}", action.word())
            }
            Command::SendOffsets { producer, consumer } => {
                write!(f, "txn send-offsets {producer} {consumer}")
            }
            Command::SchemaRegister {
                subject,
                schema,
                references,
            } => {
                write!(f, "schema register {subject} {}", Positional(schema))?;
                write_references(f, references)
            }
            Command::SchemaCheck {
                subject,
                schema,
                references,
            } => {
                write!(f, "schema check {subject} {}", Positional(schema))?;
                write_references(f, references)
            }
            Command::SchemaCompatibility {
                subject,
                level,
                policy,
            } => {
                write!(f, "schema compatibility ")?;
                if let Some(s) = subject {
                    write!(f, "{s} ")?;
                }
                write!(f, "{}", level.name())?;
                match policy {
                    Some(p) => write!(f, " compatibilityPolicy={}", p.name()),
                    None => Ok(()),
                }
            }
            Command::SchemaDelete(subject) => write!(f, "schema delete {subject}"),
            Command::ConnectorCreate { name, configs } => {
                write!(f, "connector create {name}")?;
                write_configs(f, configs)
            }
            Command::ConnectorChange { name, action } => {
                write!(f, "connector {} {name}", action.name())
            }
            Command::Play { duration, step } => {
                write!(f, "play {}", format_duration(*duration))?;
                if *step != DEFAULT_PLAY_STEP_MS {
                    write!(f, " step={}", format_duration(*step))?;
                }
                Ok(())
            }
            Command::Describe(d) => match d {
                DescribeTarget::Topic(t) => write!(f, "describe topic {t}"),
                DescribeTarget::Consumer(c) => write!(f, "describe consumer {c}"),
                DescribeTarget::Producer(p) => write!(f, "describe producer {p}"),
                DescribeTarget::Group(g) => write!(f, "describe group {}", Id(g)),
                DescribeTarget::Cluster => f.write_str("describe cluster"),
                DescribeTarget::Transaction(id) => write!(f, "describe transaction {}", Id(id)),
                DescribeTarget::Subject(s) => write!(f, "describe subject {s}"),
                DescribeTarget::Connector(c) => write!(f, "describe connector {c}"),
            },
        }
    }
}

/// The key and value templates and the partition of `generate` and `datagen start`.
fn write_generator(
    f: &mut fmt::Formatter<'_>,
    key: Option<&Template>,
    value: Option<&Template>,
    partition: Option<u32>,
) -> fmt::Result {
    if let Some(k) = key {
        write!(f, " key={}", TemplateText(k.source()))?;
    }
    if let Some(v) = value {
        write!(f, " value={}", TemplateText(v.source()))?;
    }
    if let Some(p) = partition {
        write!(f, " partition={p}")?;
    }
    Ok(())
}

fn tp((topic, p): &PartitionRef) -> String {
    alloc::format!("{topic}:{p}")
}

fn write_refs(
    f: &mut fmt::Formatter<'_>,
    verb: &str,
    consumer: &str,
    refs: &[PartitionRef],
) -> fmt::Result {
    write!(f, "{verb} {consumer}")?;
    for r in refs {
        write!(f, " {}", tp(r))?;
    }
    Ok(())
}

fn write_configs(f: &mut fmt::Formatter<'_>, configs: &[(String, String)]) -> fmt::Result {
    for (k, v) in configs {
        let duration = k.ends_with(".ms") && !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit());
        match v.parse::<u64>() {
            // The key already says milliseconds: only larger units are worth a suffix.
            Ok(ms) if duration && ms >= 1_000 && ms % 1_000 == 0 => {
                write!(f, " {k}={}", format_duration(ms))?
            }
            Ok(ms) if duration => write!(f, " {k}={ms}")?,
            // `null` and `hex:` mean nothing special in a config.
            _ if is_plain(v) => write!(f, " {k}={v}")?,
            _ => write!(f, " {k}={}", Quoted(v))?,
        }
    }
    Ok(())
}

/// Text that reads back as one bare token.
fn is_plain(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(['{', '[', '#', '"'])
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '"')
}

/// A value that reads back as itself without quotes (`null` and `hex:` mean other values).
fn is_bare(s: &str) -> bool {
    is_plain(s) && s != "null" && !s.starts_with("hex:")
}

/// A group id or `transactional.id` as one token: bare when it reads back as itself.
struct Id<'a>(&'a str);

impl fmt::Display for Id<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if is_plain(self.0) && !self.0.contains('=') {
            f.write_str(self.0)
        } else {
            Quoted(self.0).fmt(f)
        }
    }
}

struct Quoted<'a>(&'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_char('"')?;
        for c in self.0.chars() {
            match c {
                '"' => f.write_str("\\\"")?,
                '\\' => f.write_str("\\\\")?,
                '\n' => f.write_str("\\n")?,
                '\t' => f.write_str("\\t")?,
                '\r' => f.write_str("\\r")?,
                '\0' => f.write_str("\\0")?,
                c => f.write_char(c)?,
            }
        }
        f.write_char('"')
    }
}

struct ValueText<'a>(&'a Value);

impl fmt::Display for ValueText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Value::Null => f.write_str("null"),
            Value::Json(s) => f.write_str(s),
            Value::Hex(bytes) => {
                f.write_str("hex:")?;
                bytes.iter().try_for_each(|b| write!(f, "{b:02x}"))
            }
            Value::Text(s) if is_bare(s) => f.write_str(s),
            Value::Text(s) => write!(f, "{}", Quoted(s)),
        }
    }
}

/// A positional value (a schema) prints raw when it reads back as the same single token,
/// quoted otherwise.
struct Positional<'a>(&'a str);

/// ` references=[…]`, the registry's JSON, when there are any.
fn write_references(f: &mut fmt::Formatter<'_>, references: &[SchemaReference]) -> fmt::Result {
    match references {
        [] => Ok(()),
        _ => write!(f, " references={}", SchemaReference::list_json(references)),
    }
}

impl fmt::Display for Positional<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let raw = super::lexer::tokenize(self.0).is_ok_and(|t| {
            matches!(t.as_slice(), [one] if one.key.is_none()
                && !matches!(one.value, super::lexer::Raw::Quoted(_))
                && one.value.text() == self.0)
        });
        if raw {
            f.write_str(self.0)
        } else {
            write!(f, "{}", Quoted(self.0))
        }
    }
}

/// A template prints raw when it reads back as the same text, quoted otherwise.
struct TemplateText<'a>(&'a str);

impl fmt::Display for TemplateText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let raw_json = self.0.starts_with(['{', '['])
            && super::lexer::tokenize(&alloc::format!("v={}", self.0))
                .is_ok_and(|t| t.len() == 1 && t[0].value.text() == self.0);
        if raw_json || is_plain(self.0) {
            f.write_str(self.0)
        } else {
            write!(f, "{}", Quoted(self.0))
        }
    }
}
