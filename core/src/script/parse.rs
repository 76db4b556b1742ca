//! The script parser: text in, [`Script`] or a [`ParseError`] with line and column out.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use super::lexer::{tokenize, Raw, Token};
use super::{
    parse_duration, BrokerAction, Command, ConnectorAction, DescribeTarget, PartitionRef, ResetTo,
    Script, SeekTo, Template, TxnAction, Value, DEFAULT_PLAY_STEP_MS, MAX_COMMANDS,
    MAX_DATAGEN_RATE, MAX_GENERATE, MAX_PLAY_STEPS, MAX_TICK_MS,
};
use crate::registry::json_schema::Policy;
use crate::registry::{Compatibility, SchemaReference};

/// Why a script does not parse, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// What is wrong, in words a person can act on.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl core::error::Error for ParseError {}

/// Parses a whole script.
pub fn parse(text: &str) -> Result<Script, ParseError> {
    let mut script = Script::default();
    for (i, line) in text.lines().enumerate() {
        let no = i + 1;
        let tokens = tokenize(line).map_err(|(column, message)| ParseError {
            line: no,
            column,
            message,
        })?;
        if tokens.is_empty() {
            continue;
        }
        let mut l = Line {
            no,
            tokens,
            pos: 0,
            end: line.chars().count() + 1,
        };
        let command = l.command()?;
        let header = matches!(command, Command::Seed(_) | Command::Broker(_));
        if matches!(command, Command::Seed(_)) && !script.commands.is_empty() {
            return Err(l.error(1, "`seed` must be the first command"));
        }
        if header
            && script
                .commands
                .iter()
                .any(|(_, c)| !matches!(c, Command::Seed(_) | Command::Broker(_)))
        {
            return Err(l.error(
                1,
                "`broker` configs must come before the first non-broker command",
            ));
        }
        if script.commands.len() >= MAX_COMMANDS {
            return Err(l.error(
                1,
                &alloc::format!("a script may hold at most {MAX_COMMANDS} commands"),
            ));
        }
        script.commands.push((no, command));
    }
    Ok(script)
}

/// `NUMBER=N`, the key and value templates, and the partition of a generator command.
type GeneratorFields = (Option<u64>, Option<Template>, Option<Template>, Option<u32>);

struct Line {
    no: usize,
    tokens: Vec<Token>,
    pos: usize,
    end: usize,
}

impl Line {
    fn error(&self, column: usize, message: &str) -> ParseError {
        ParseError {
            line: self.no,
            column,
            message: message.to_string(),
        }
    }

    fn column(&self) -> usize {
        self.tokens.get(self.pos).map_or(self.end, |t| t.column)
    }

    fn word(&mut self, what: &str) -> Result<(String, usize), ParseError> {
        match self.tokens.get(self.pos) {
            Some(Token {
                key: None,
                value: Raw::Bare(w),
                column,
            }) => {
                self.pos += 1;
                Ok((w.clone(), *column))
            }
            Some(t) => Err(self.error(t.column, &alloc::format!("expected {what}"))),
            None => Err(self.error(self.end, &alloc::format!("expected {what}"))),
        }
    }

    fn name(&mut self, what: &str) -> Result<String, ParseError> {
        let (w, column) = self.word(what)?;
        if w.len() > 249
            || !w
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        {
            return Err(self.error(
                column,
                &alloc::format!("{what} may only hold ASCII letters, digits, '.', '_' and '-'"),
            ));
        }
        Ok(w)
    }

    /// A group id or `transactional.id`: any non-empty string, as Kafka allows; one with
    /// spaces, quotes or `=` is written "quoted".
    fn id(&mut self, what: &str) -> Result<String, ParseError> {
        match self.tokens.get(self.pos) {
            Some(Token {
                key: None,
                value: Raw::Bare(w) | Raw::Quoted(w),
                ..
            }) if !w.is_empty() => {
                self.pos += 1;
                Ok(w.clone())
            }
            Some(t) => Err(self.error(t.column, &alloc::format!("expected {what}"))),
            None => Err(self.error(self.end, &alloc::format!("expected {what}"))),
        }
    }

    fn number<T: core::str::FromStr>(&mut self, what: &str) -> Result<T, ParseError> {
        let (w, column) = self.word(what)?;
        w.parse()
            .map_err(|_| self.error(column, &alloc::format!("expected {what}, got `{w}`")))
    }

    fn partition_ref(&mut self) -> Result<PartitionRef, ParseError> {
        let (w, column) = self.word("a partition as TOPIC:PARTITION")?;
        self.split_partition(&w, column)
    }

    fn split_partition(&self, w: &str, column: usize) -> Result<PartitionRef, ParseError> {
        let parsed = w
            .rsplit_once(':')
            .and_then(|(t, p)| Some((t.to_string(), p.parse::<u32>().ok()?)));
        match parsed {
            Some((t, p)) if !t.is_empty() => Ok((t, p)),
            _ => Err(self.error(
                column,
                &alloc::format!("expected a partition as TOPIC:PARTITION, got `{w}`"),
            )),
        }
    }

    fn partition_refs(&mut self) -> Result<Vec<PartitionRef>, ParseError> {
        let mut out = Vec::new();
        while self.pos < self.tokens.len() {
            out.push(self.partition_ref()?);
        }
        Ok(out)
    }

    /// The remaining `key=value` tokens.
    fn pairs(&mut self) -> Result<Vec<(String, Raw, usize)>, ParseError> {
        let mut out = Vec::new();
        while let Some(t) = self.tokens.get(self.pos) {
            let Some(key) = &t.key else {
                return Err(self.error(
                    t.column,
                    &alloc::format!("expected KEY=VALUE, got `{}`", t.value.text()),
                ));
            };
            out.push((key.clone(), t.value.clone(), t.column));
            self.pos += 1;
        }
        Ok(out)
    }

    fn configs(&mut self) -> Result<Vec<(String, String)>, ParseError> {
        let mut out: Vec<(String, String)> = Vec::new();
        for (key, raw, column) in self.pairs()? {
            if out.iter().any(|(k, _)| *k == key) {
                return Err(self.error(column, &alloc::format!("`{key}` is set twice")));
            }
            out.push((key.clone(), config_value(&key, &raw)));
        }
        Ok(out)
    }

    fn done(&self) -> Result<(), ParseError> {
        match self.tokens.get(self.pos) {
            None => Ok(()),
            Some(t) => {
                Err(self.error(t.column, &alloc::format!("unexpected `{}`", t.value.text())))
            }
        }
    }

    fn command(&mut self) -> Result<Command, ParseError> {
        let (verb, column) = self.word("a command")?;
        let command = match verb.as_str() {
            "seed" => Command::Seed(self.number("a seed (a whole number)")?),
            "broker" => self.broker()?,
            "brokers" => self.brokers()?,
            "topic" => self.topic()?,
            "producer" => Command::Producer { name: self.name("a producer name")?, configs: self.configs()? },
            "consumer" => Command::Consumer { name: self.name("a consumer name")?, configs: self.configs()? },
            "produce" => self.produce()?,
            "generate" => self.generate()?,
            "flush" => Command::Flush(self.name("a producer name")?),
            "assign" => Command::Assign { consumer: self.name("a consumer name")?, partitions: self.partition_refs()? },
            "subscribe" => self.subscribe()?,
            "unsubscribe" => Command::Unsubscribe(self.name("a consumer name")?),
            "poll" => Command::Poll(self.name("a consumer name")?),
            "seek" => self.seek()?,
            "commit" => self.commit()?,
            "pause" => Command::Pause { consumer: self.name("a consumer name")?, partitions: self.partition_refs()? },
            "resume" => Command::Resume { consumer: self.name("a consumer name")?, partitions: self.partition_refs()? },
            "close" => Command::Close(self.name("a client name")?),
            "group" => self.group()?,
            "tick" => {
                let (w, column) = self.word("a duration like 100ms, 5s, 1m")?;
                match parse_duration(&w) {
                    Some(ms) if ms <= MAX_TICK_MS => Command::Tick(ms),
                    Some(_) => return Err(self.error(column, "a tick may be at most 30d")),
                    None => return Err(self.error(column, &alloc::format!("expected a duration like 100ms, 5s, 1m, got `{w}`"))),
                }
            }
            "fault" => self.fault()?,
            "describe" => self.describe()?,
            "datagen" => self.datagen()?,
            "txn" => self.txn()?,
            "play" => self.play()?,
            "schema" => self.schema()?,
            "connector" => self.connector()?,
            _ => {
                return Err(self.error(
                    column,
                    &alloc::format!("unknown command `{verb}`; commands: seed broker brokers topic producer produce generate flush consumer subscribe unsubscribe assign poll seek commit pause resume close group tick fault describe datagen play txn schema connector"),
                ))
            }
        };
        self.done()?;
        Ok(command)
    }

    fn topic(&mut self) -> Result<Command, ParseError> {
        let (action, column) = self.word("create, delete, partitions, config or delete-records")?;
        Ok(match action.as_str() {
            "create" => {
                let name = self.name("a topic name")?;
                let mut partitions = 1;
                let mut replication_factor = None;
                let mut configs = self.configs()?;
                if let Some(i) = configs.iter().position(|(k, _)| k == "partitions") {
                    let (_, v) = configs.remove(i);
                    partitions = v.parse().map_err(|_| self.error(column, &alloc::format!("partitions must be a whole number, got `{v}`")))?;
                }
                if let Some(i) = configs.iter().position(|(k, _)| k == "replication.factor") {
                    let (_, v) = configs.remove(i);
                    replication_factor = Some(v.parse().map_err(|_| self.error(column, &alloc::format!("replication.factor must be a whole number, got `{v}`")))?);
                }
                Command::CreateTopic { name, partitions, replication_factor, configs }
            }
            "delete" => Command::DeleteTopic(self.name("a topic name")?),
            "partitions" => Command::AddPartitions { name: self.name("a topic name")?, total: self.number("a partition count")? },
            "config" => {
                let name = self.name("a topic name")?;
                let configs = self.configs()?;
                if configs.is_empty() {
                    return Err(self.error(self.column(), "expected at least one KEY=VALUE"));
                }
                Command::AlterTopic { name, configs }
            }
            "delete-records" => {
                let partition = self.partition_ref()?;
                let column = self.column();
                let pairs = self.pairs()?;
                let before = match pairs.as_slice() {
                    [(k, v, c)] if k == "before" => v.text().parse().map_err(|_| self.error(*c, "before must be an offset"))?,
                    _ => return Err(self.error(column, "expected before=OFFSET")),
                };
                Command::DeleteRecords { partition, before }
            }
            _ => return Err(self.error(column, &alloc::format!("unknown topic action `{action}`: use create, delete, partitions, config or delete-records"))),
        })
    }

    fn produce(&mut self) -> Result<Command, ParseError> {
        let producer = self.name("a producer name")?;
        let topic = self.name("a topic name")?;
        let (mut key, mut value, mut partition, mut timestamp) = (None, None, None, None);
        let mut headers = Vec::new();
        for (k, raw, column) in self.pairs()? {
            match k.as_str() {
                "key" => key = Some(self.value(&raw, column)?),
                "value" => value = Some(self.value(&raw, column)?),
                "partition" => partition = Some(raw.text().parse().map_err(|_| self.error(column, "partition must be a whole number"))?),
                "timestamp" => timestamp = Some(raw.text().parse().map_err(|_| self.error(column, "timestamp must be milliseconds"))?),
                _ => match k.strip_prefix("header.") {
                    Some(name) if !name.is_empty() => headers.push((name.to_string(), self.value(&raw, column)?)),
                    _ => return Err(self.error(column, &alloc::format!("unknown produce field `{k}`: use key, value, partition, timestamp or header.NAME"))),
                },
            }
        }
        Ok(Command::Produce {
            producer,
            topic,
            key,
            value,
            partition,
            timestamp,
            headers,
        })
    }

    fn value(&self, raw: &Raw, column: usize) -> Result<Value, ParseError> {
        Ok(match raw {
            Raw::Quoted(s) => Value::Text(s.clone()),
            Raw::Json(s) => {
                serde_json::from_str::<serde::de::IgnoredAny>(s)
                    .map_err(|e| self.error(column, &alloc::format!("invalid JSON: {e}")))?;
                Value::Json(s.clone())
            }
            Raw::Bare(s) if s == "null" => Value::Null,
            Raw::Bare(s) => match s.strip_prefix("hex:") {
                Some(hex) => Value::Hex(decode_hex(hex).ok_or_else(|| {
                    self.error(column, "hex: needs an even number of hex digits")
                })?),
                None => Value::Text(s.clone()),
            },
        })
    }

    fn generate(&mut self) -> Result<Command, ParseError> {
        let producer = self.name("a producer name")?;
        let topic = self.name("a topic name")?;
        let column = self.column();
        let (count, key, value, partition) = self.generator_fields("generate", "count", |n| {
            (n > MAX_GENERATE).then(|| {
                alloc::format!("count {n} is over the limit of {MAX_GENERATE} records per generate")
            })
        })?;
        let count = count.ok_or_else(|| self.error(column, "generate needs count=N"))?;
        Ok(Command::Generate {
            producer,
            topic,
            count,
            key,
            value,
            partition,
        })
    }

    /// The fields `generate` and `datagen start` share: `NUMBER=N` (`count` or `rate`,
    /// refused with the message `check` gives), and the key and value templates and the
    /// partition.
    fn generator_fields(
        &mut self,
        command: &str,
        number: &str,
        check: impl Fn(u64) -> Option<String>,
    ) -> Result<GeneratorFields, ParseError> {
        let (mut n, mut key, mut value, mut partition) = (None, None, None, None);
        for (k, raw, column) in self.pairs()? {
            let template =
                |this: &Self| Template::parse(raw.text()).map_err(|e| this.error(column, &e));
            match k.as_str() {
                _ if k == number => {
                    let v: u64 = raw.text().parse().map_err(|_| {
                        self.error(column, &alloc::format!("{number} must be a whole number"))
                    })?;
                    if let Some(message) = check(v) {
                        return Err(self.error(column, &message));
                    }
                    n = Some(v);
                }
                "key" => key = Some(template(self)?),
                "value" => value = Some(template(self)?),
                "partition" => {
                    partition = Some(
                        raw.text()
                            .parse()
                            .map_err(|_| self.error(column, "partition must be a whole number"))?,
                    )
                }
                _ => {
                    return Err(self.error(
                        column,
                        &alloc::format!(
                            "unknown {command} field `{k}`: use {number}, key, value or partition"
                        ),
                    ))
                }
            }
        }
        Ok((n, key, value, partition))
    }

    fn duration(&self, text: &str, column: usize) -> Result<u64, ParseError> {
        match parse_duration(text) {
            Some(ms) if ms <= MAX_TICK_MS => Ok(ms),
            Some(_) => Err(self.error(column, "a duration may be at most 30d")),
            None => Err(self.error(
                column,
                &alloc::format!("expected a duration like 100ms, 5s, 1m, got `{text}`"),
            )),
        }
    }

    fn txn(&mut self) -> Result<Command, ParseError> {
        let (action, column) = self.word("init, begin, commit, abort or send-offsets")?;
        let action = match action.as_str() {
            "init" => TxnAction::Init,
            "begin" => TxnAction::Begin,
            "commit" => TxnAction::Commit,
            "abort" => TxnAction::Abort,
            "send-offsets" => {
                return Ok(Command::SendOffsets {
                    producer: self.name("a producer name")?,
                    consumer: self.name("a consumer name")?,
                })
            }
            _ => {
                return Err(self.error(
                    column,
                    &alloc::format!(
                    "unknown txn action `{action}`: use init, begin, commit, abort or send-offsets"
                ),
                ))
            }
        };
        Ok(Command::Transaction {
            producer: self.name("a producer name")?,
            action,
        })
    }

    fn play(&mut self) -> Result<Command, ParseError> {
        let (w, column) = self.word("a duration like 100ms, 5s, 1m")?;
        let duration = self.duration(&w, column)?;
        let mut step = DEFAULT_PLAY_STEP_MS;
        for (k, raw, column) in self.pairs()? {
            if k != "step" {
                return Err(self.error(
                    column,
                    &alloc::format!("unknown play field `{k}`: use step"),
                ));
            }
            step = self.duration(raw.text(), column)?;
            if step == 0 {
                return Err(self.error(column, "step must be at least 1ms"));
            }
        }
        if duration.div_ceil(step) > MAX_PLAY_STEPS {
            return Err(self.error(
                column,
                &alloc::format!("play may take at most {MAX_PLAY_STEPS} steps; use a longer step"),
            ));
        }
        Ok(Command::Play { duration, step })
    }

    fn datagen(&mut self) -> Result<Command, ParseError> {
        let (action, column) = self.word("start or stop")?;
        match action.as_str() {
            "stop" => return Ok(Command::DatagenStop(self.name("a datagen source name")?)),
            "start" => {}
            _ => {
                return Err(self.error(
                    column,
                    &alloc::format!("unknown datagen action `{action}`: use start or stop"),
                ))
            }
        }
        let name = self.name("a datagen source name")?;
        let producer = self.name("a producer name")?;
        let topic = self.name("a topic name")?;
        let column = self.column();
        let (rate, key, value, partition) = self.generator_fields("datagen", "rate", |n| {
            (n == 0 || n > MAX_DATAGEN_RATE).then(|| {
                alloc::format!("rate must be between 1 and {MAX_DATAGEN_RATE} records per second")
            })
        })?;
        let rate = rate
            .ok_or_else(|| self.error(column, "datagen start needs rate=N (records per second)"))?;
        Ok(Command::DatagenStart {
            name,
            producer,
            topic,
            rate,
            key,
            value,
            partition,
        })
    }

    /// `schema register|check SUBJECT SCHEMA`, `schema compatibility [SUBJECT] LEVEL
    /// [compatibilityPolicy=POLICY]`, `schema delete SUBJECT`.
    fn schema(&mut self) -> Result<Command, ParseError> {
        let (action, column) = self.word("register, check, compatibility or delete")?;
        Ok(match action.as_str() {
            "register" | "check" => {
                let subject = self.name("a subject name")?;
                let schema = match self.tokens.get(self.pos) {
                    Some(Token { key: None, value, .. }) => value.text().to_string(),
                    Some(t) => return Err(self.error(t.column, "expected a schema (a JSON object)")),
                    None => return Err(self.error(self.end, "expected a schema (a JSON object)")),
                };
                self.pos += 1;
                let mut references = None;
                for (key, raw, column) in self.pairs()? {
                    if key != "references" || references.is_some() {
                        return Err(self.error(column, &alloc::format!("unexpected `{key}`: a schema takes only references=[{{\"name\": …, \"subject\": …, \"version\": …}}]")));
                    }
                    let json: serde_json::Value = serde_json::from_str(raw.text())
                        .map_err(|e| self.error(column, &alloc::format!("references must be JSON: {e}")))?;
                    references = Some(
                        SchemaReference::parse_list(&json).map_err(|e| self.error(column, &e))?,
                    );
                }
                let references = references.unwrap_or_default();
                if action == "register" {
                    Command::SchemaRegister { subject, schema, references }
                } else {
                    Command::SchemaCheck { subject, schema, references }
                }
            }
            "compatibility" => {
                let positional = self.tokens[self.pos..]
                    .iter()
                    .take_while(|t| t.key.is_none())
                    .count();
                let subject = match positional {
                    2.. => Some(self.name("a subject name")?),
                    _ => None,
                };
                let (level, column) = self.word("a compatibility level")?;
                let level = Compatibility::parse(&level).ok_or_else(|| {
                    self.error(column, &alloc::format!("unknown compatibility level `{level}`: use BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE or NONE"))
                })?;
                let mut policy = None;
                for (key, raw, column) in self.pairs()? {
                    if key != "compatibilityPolicy" || policy.is_some() {
                        return Err(self.error(column, &alloc::format!("unexpected `{key}`: a level takes only compatibilityPolicy=STRICT|LENIENT")));
                    }
                    let name = raw.text();
                    policy = Some(Policy::parse(name).ok_or_else(|| {
                        self.error(column, &alloc::format!("unknown compatibilityPolicy `{name}`: use STRICT or LENIENT (LOGICAL's Flink and Iceberg checks are not modelled)"))
                    })?);
                }
                Command::SchemaCompatibility { subject, level, policy }
            }
            "delete" => Command::SchemaDelete(self.name("a subject name")?),
            _ => {
                return Err(self.error(
                    column,
                    &alloc::format!("unknown schema action `{action}`: use register, check, compatibility or delete"),
                ))
            }
        })
    }

    /// `connector create NAME KEY=VALUE…`, `connector pause|resume|restart|delete NAME`.
    fn connector(&mut self) -> Result<Command, ParseError> {
        let (action, column) = self.word("create, pause, resume, restart or delete")?;
        let action = match action.as_str() {
            "create" => {
                return Ok(Command::ConnectorCreate {
                    name: self.name("a connector name")?,
                    configs: self.configs()?,
                })
            }
            "pause" => ConnectorAction::Pause,
            "resume" => ConnectorAction::Resume,
            "restart" => ConnectorAction::Restart,
            "delete" => ConnectorAction::Delete,
            _ => {
                return Err(self.error(
                    column,
                    &alloc::format!("unknown connector action `{action}`: use create, pause, resume, restart or delete"),
                ))
            }
        };
        Ok(Command::ConnectorChange {
            name: self.name("a connector name")?,
            action,
        })
    }

    fn subscribe(&mut self) -> Result<Command, ParseError> {
        let consumer = self.name("a consumer name")?;
        if let Some(Token {
            key: Some(k),
            value,
            ..
        }) = self.tokens.get(self.pos).cloned()
        {
            if k == "pattern" {
                self.pos += 1;
                return Ok(Command::SubscribePattern {
                    consumer,
                    pattern: value.text().to_string(),
                });
            }
        }
        let mut topics = Vec::new();
        while self.pos < self.tokens.len() {
            topics.push(self.name("a topic name")?);
        }
        if topics.is_empty() {
            return Err(self.error(self.end, "expected topics, or pattern=REGEX"));
        }
        Ok(Command::Subscribe { consumer, topics })
    }

    fn group(&mut self) -> Result<Command, ParseError> {
        let (action, column) = self.word("reset-offsets, delete-offsets or delete")?;
        let group = self.id("a group id")?;
        match action.as_str() {
            "reset-offsets" => {
                let (target, tcol) = self.word("a topic, or TOPIC:PARTITION")?;
                let (topic, partition) = match target.rsplit_once(':') {
                    Some((t, p)) => (
                        t.to_string(),
                        Some(
                            p.parse()
                                .map_err(|_| self.error(tcol, "expected TOPIC:PARTITION"))?,
                        ),
                    ),
                    None => (target, None),
                };
                let col = self.column();
                let to = match self.tokens.get(self.pos).cloned() {
                    Some(Token { key: None, value: Raw::Bare(w), .. }) if w == "to-earliest" => ResetTo::Earliest,
                    Some(Token { key: None, value: Raw::Bare(w), .. }) if w == "to-latest" => ResetTo::Latest,
                    Some(Token { key: Some(k), value, .. }) if ["to-offset", "to-datetime", "shift-by"].contains(&k.as_str()) => {
                        let n: i64 = value.text().parse().map_err(|_| self.error(col, "expected a whole number"))?;
                        match k.as_str() {
                            "to-offset" => ResetTo::Offset(n),
                            "to-datetime" => ResetTo::Timestamp(n),
                            _ => ResetTo::ShiftBy(n),
                        }
                    }
                    _ => return Err(self.error(col, "expected to-earliest, to-latest, to-offset=N, to-datetime=MS or shift-by=N")),
                };
                self.pos += 1;
                Ok(Command::ResetOffsets {
                    group,
                    topic,
                    partition,
                    to,
                })
            }
            "delete" => Ok(Command::DeleteGroup(group)),
            "delete-offsets" => Ok(Command::DeleteOffsets {
                group,
                topic: self.name("a topic name")?,
            }),
            _ => Err(self.error(
                column,
                &alloc::format!(
                    "unknown group action `{action}`: use reset-offsets, delete-offsets or delete"
                ),
            )),
        }
    }

    fn seek(&mut self) -> Result<Command, ParseError> {
        let consumer = self.name("a consumer name")?;
        let partition = self.partition_ref()?;
        let column = self.column();
        let to = match self.tokens.get(self.pos).cloned() {
            Some(Token {
                key: Some(k),
                value,
                column,
            }) if k == "timestamp" => {
                self.pos += 1;
                SeekTo::Timestamp(
                    value
                        .text()
                        .parse()
                        .map_err(|_| self.error(column, "timestamp must be milliseconds"))?,
                )
            }
            Some(Token {
                key: None,
                value: Raw::Bare(w),
                ..
            }) => {
                self.pos += 1;
                match w.as_str() {
                    "beginning" => SeekTo::Beginning,
                    "end" => SeekTo::End,
                    _ => SeekTo::Offset(w.parse().map_err(|_| {
                        self.error(column, "expected an offset, beginning, end or timestamp=T")
                    })?),
                }
            }
            _ => {
                return Err(self.error(column, "expected an offset, beginning, end or timestamp=T"))
            }
        };
        Ok(Command::Seek {
            consumer,
            partition,
            to,
        })
    }

    fn commit(&mut self) -> Result<Command, ParseError> {
        let consumer = self.name("a consumer name")?;
        let asynchronous = matches!(
            self.tokens.get(self.pos),
            Some(Token { key: None, value: Raw::Bare(w), .. }) if w == "async"
        );
        self.pos += usize::from(asynchronous);
        let mut offsets = Vec::new();
        for (k, raw, column) in self.pairs()? {
            let partition = self.split_partition(&k, column)?;
            let offset = raw
                .text()
                .parse()
                .map_err(|_| self.error(column, "expected TOPIC:PARTITION=OFFSET"))?;
            offsets.push((partition, offset));
        }
        Ok(Command::Commit {
            consumer,
            offsets,
            asynchronous,
        })
    }

    /// `broker KEY=VALUE…` (configs) or `broker stop|start|isolate|heal ID`.
    fn broker(&mut self) -> Result<Command, ParseError> {
        let action = match self.tokens.get(self.pos) {
            Some(Token { key: None, value: Raw::Bare(w), .. }) => match w.as_str() {
                "stop" => BrokerAction::Stop,
                "start" => BrokerAction::Start,
                "isolate" => BrokerAction::Isolate,
                "heal" => BrokerAction::Heal,
                _ => return Err(self.error(self.column(), &alloc::format!("unknown broker action `{w}`: use stop, start, isolate, heal or KEY=VALUE configs"))),
            },
            _ => return Ok(Command::Broker(self.configs()?)),
        };
        self.pos += 1;
        let broker = self.number("a broker id")?;
        Ok(Command::BrokerChange { broker, action })
    }

    /// `brokers N [racks=R1,R2,…]`.
    fn brokers(&mut self) -> Result<Command, ParseError> {
        let count = self.number("a broker count")?;
        let mut racks = None;
        for (k, raw, column) in self.pairs()? {
            match k.as_str() {
                "racks" => {
                    let list: Vec<String> = raw.text().split(',').map(str::to_string).collect();
                    if list.iter().any(|r| {
                        r.is_empty()
                            || !r
                                .bytes()
                                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
                    }) {
                        return Err(self.error(column, "racks are names of ASCII letters, digits, '.', '_' and '-', separated by commas"));
                    }
                    racks = Some(list);
                }
                _ => {
                    return Err(self.error(
                        column,
                        &alloc::format!("unknown brokers field `{k}`: use racks=R1,R2,…"),
                    ))
                }
            }
        }
        Ok(Command::Brokers { count, racks })
    }

    fn fault(&mut self) -> Result<Command, ParseError> {
        let (kind, column) = self.word("lose-ack or crash")?;
        Ok(match kind.as_str() {
            "lose-ack" => {
                let producer = self.name("a producer name")?;
                let count = if self.pos < self.tokens.len() {
                    self.number("a count")?
                } else {
                    1
                };
                Command::LoseAcks { producer, count }
            }
            "crash" => Command::Crash(self.name("a client or connector name")?),
            _ => {
                return Err(self.error(
                    column,
                    &alloc::format!("unknown fault `{kind}`: use lose-ack or crash"),
                ))
            }
        })
    }

    fn describe(&mut self) -> Result<Command, ParseError> {
        let (what, column) = self
            .word("topic, consumer, producer, group, transaction, subject, connector or cluster")?;
        Ok(Command::Describe(match what.as_str() {
            "topic" => DescribeTarget::Topic(self.name("a topic name")?),
            "consumer" => DescribeTarget::Consumer(self.name("a consumer name")?),
            "producer" => DescribeTarget::Producer(self.name("a producer name")?),
            "group" => DescribeTarget::Group(self.id("a group id")?),
            "cluster" => DescribeTarget::Cluster,
            "transaction" => DescribeTarget::Transaction(self.id("a transactional.id")?),
            "subject" => DescribeTarget::Subject(self.name("a subject name")?),
            "connector" => DescribeTarget::Connector(self.name("a connector name")?),
            _ => {
                return Err(self.error(
                    column,
                    &alloc::format!(
                        "cannot describe `{what}`: use topic, consumer, producer, group, transaction, subject, connector or cluster"
                    ),
                ))
            }
        }))
    }
}

/// A config value as text; `*.ms` keys also take durations (`1h` becomes `3600000`).
fn config_value(key: &str, raw: &Raw) -> String {
    let text = raw.text();
    if key.ends_with(".ms") {
        if let Some(ms) = parse_duration(text) {
            return ms.to_string();
        }
    }
    text.to_string()
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if hex.len() % 2 != 0 {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::script::print;
    use alloc::vec;

    const EVERYTHING: &str = r#"
# every command, once
seed 42
broker log.retention.check.interval.ms=1s log.cleaner.backoff.ms=500ms
topic create orders partitions=3 retention.ms=1h cleanup.policy=compact,delete
topic partitions orders 4
topic config orders segment.bytes=1024 min.compaction.lag.ms=0
producer p1 acks=all linger.ms=5ms compression.type=gzip client.id="my app"
produce p1 orders key=user-1 value={"item": "pizza"} header.trace=abc header.bin=hex:00ff timestamp=1000
produce p1 orders value=null partition=2 key="two words"
generate p1 orders count=1000 key=user-{i%10} value={"id":{i},"amount":{rand:1..100}}
flush p1
consumer c1 group.id=billing auto.offset.reset=earliest
assign c1 orders:0 orders:1
poll c1
seek c1 orders:0 beginning
seek c1 orders:1 timestamp=500
seek c1 orders:1 7
pause c1 orders:0
resume c1 orders:0
commit c1
commit c1 orders:0=5 orders:1=2
topic delete-records orders:0 before=3
fault lose-ack p1 2
fault crash c1
close p1
tick 1m
describe topic orders
describe consumer c1
describe producer p1
describe cluster
subscribe c1 orders payments
subscribe c1 pattern="orders-.*"
unsubscribe c1
group reset-offsets billing orders to-earliest
group reset-offsets billing orders:1 shift-by=-3
group reset-offsets billing orders to-datetime=1000
group delete-offsets billing orders
describe group billing
topic delete orders
"#;

    #[test]
    fn every_command_parses_and_prints_back_canonically() {
        let script = parse(EVERYTHING).unwrap();
        assert_eq!(script.commands.len(), 38);
        assert_eq!(script.commands[0], (3, Command::Seed(42)));
        let canonical = print(&script);
        assert!(canonical
            .contains("broker log.retention.check.interval.ms=1s log.cleaner.backoff.ms=500"));
        assert!(canonical.contains("retention.ms=1h"));
        assert!(canonical.contains(r#"client.id="my app""#));
        assert!(canonical.contains(r#"value={"item": "pizza"}"#));
        let again = parse(&canonical).unwrap();
        assert_eq!(print(&again), canonical, "print is a fixed point");
        let strip = |s: &Script| {
            s.commands
                .iter()
                .map(|(_, c)| c.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(strip(&again), strip(&script));
    }

    #[test]
    fn a_compatibility_level_takes_an_optional_policy() {
        use crate::registry::Compatibility::{Backward, Full};
        for (text, subject, level, policy) in [
            ("schema compatibility FULL", None, Full, None),
            ("schema compatibility s FULL", Some("s"), Full, None),
            (
                "schema compatibility BACKWARD compatibilityPolicy=lenient",
                None,
                Backward,
                Some(Policy::Lenient),
            ),
            (
                "schema compatibility s BACKWARD compatibilityPolicy=STRICT",
                Some("s"),
                Backward,
                Some(Policy::Strict),
            ),
        ] {
            let script = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            let command = Command::SchemaCompatibility {
                subject: subject.map(Into::into),
                level,
                policy,
            };
            assert_eq!(script.commands[0].1, command);
            assert_eq!(parse(&print(&script)).unwrap().commands[0].1, command);
        }
        for bad in [
            "schema compatibility BACKWARD compatibilityPolicy=LOGICAL",
            "schema compatibility BACKWARD normalize=true",
            "schema compatibility s BACKWARD compatibilityPolicy=STRICT compatibilityPolicy=LENIENT",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn group_ids_and_transactional_ids_may_be_any_string() {
        // Kafka allows any non-empty group id; one the consumer form takes can be managed.
        for (text, printed) in [
            (
                "group reset-offsets g<b> t to-earliest",
                "group reset-offsets g<b> t to-earliest",
            ),
            (r#"group delete "my group""#, r#"group delete "my group""#),
            (
                r#"group delete-offsets "a=b" t"#,
                r#"group delete-offsets "a=b" t"#,
            ),
            ("describe group ünïcode", "describe group ünïcode"),
            (
                r#"describe transaction "tx 1""#,
                r#"describe transaction "tx 1""#,
            ),
        ] {
            let script = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(print(&script).trim_end(), printed);
            assert_eq!(parse(printed).unwrap().commands[0].1, script.commands[0].1);
        }
        assert!(parse(r#"group delete """#).is_err(), "an empty group id");
        assert!(
            parse("topic delete a<b").is_err(),
            "topic names keep Kafka's rules"
        );
    }

    #[test]
    fn values_are_text_json_hex_or_null() {
        let script =
            parse(r#"produce p t key=hex:0aFF value=null header.a="x y" header.j=[1,2]"#).unwrap();
        let Command::Produce {
            key,
            value,
            headers,
            ..
        } = &script.commands[0].1
        else {
            panic!("a produce")
        };
        assert_eq!(key, &Some(Value::Hex(vec![0x0a, 0xff])));
        assert_eq!(value, &Some(Value::Null));
        assert_eq!(
            headers,
            &vec![
                ("a".into(), Value::Text("x y".into())),
                ("j".into(), Value::Json("[1,2]".into()))
            ]
        );
    }

    #[test]
    fn errors_carry_line_column_and_a_hint() {
        let cases = [
            ("topic create t\nproduce p1", 2, 11, "expected a topic name"),
            ("tick soon", 1, 6, "expected a duration"),
            ("tick 31d", 1, 6, "at most 30d"),
            ("fly away", 1, 1, "unknown command `fly`"),
            ("produce p t value={\"a\":}", 1, 13, "invalid JSON"),
            ("produce p t value=hex:abc", 1, 13, "even number"),
            ("produce p t colour=red", 1, 13, "unknown produce field"),
            ("generate p t count=1000000000000", 1, 14, "over the limit"),
            ("generate p t value={i}", 1, 14, "needs count"),
            ("generate p t count=1 value={rand:5..1}", 1, 22, "rand:5..1"),
            ("assign c orders", 1, 10, "TOPIC:PARTITION"),
            ("producer p a=1 a=2", 1, 16, "set twice"),
            ("topic create t\nseed 1", 2, 1, "first command"),
            ("topic create t\nbroker x=1", 2, 1, "before the first"),
            ("poll c extra", 1, 8, "unexpected `extra`"),
            ("topic create bad/name", 1, 14, "may only hold"),
        ];
        for (text, line, column, hint) in cases {
            let e = parse(text).unwrap_err();
            assert_eq!((e.line, e.column), (line, column), "{text}: {e}");
            assert!(e.message.contains(hint), "{text}: {e}");
        }
    }

    #[test]
    fn durations_read_and_print_in_whole_units() {
        use crate::script::{format_duration, parse_duration};
        assert_eq!(parse_duration("250ms"), Some(250));
        assert_eq!(parse_duration("5s"), Some(5_000));
        assert_eq!(parse_duration("2m"), Some(120_000));
        assert_eq!(parse_duration("1d"), Some(86_400_000));
        assert_eq!(parse_duration("42"), Some(42));
        for bad in ["", "s", "-1s", "1.5s", "99999999999999999999d", "1 s"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
        assert_eq!(format_duration(3_600_000), "1h");
        assert_eq!(format_duration(1_500), "1500ms");
        assert_eq!(format_duration(0), "0ms");
    }

    #[test]
    fn decimals_print_without_trailing_zeros() {
        use crate::script::decimal;
        assert_eq!(decimal(1_250, 3), "1.25");
        assert_eq!(decimal(2_050, 3), "2.05");
        assert_eq!(decimal(3_000, 3), "3");
        assert_eq!(decimal(25, 2), "0.25");
        assert_eq!(decimal(7, 0), "7");
        assert_eq!(decimal(u64::MAX, 3), "18446744073709551.615");
        assert_eq!(decimal(5, 25), "0.0000000000000000000000005");
        assert_eq!(decimal(0, 3), "0");
    }
}
