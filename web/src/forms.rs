//! The forms' input made into actions: Kafka's checks first, with Kafka's error text, then
//! script commands. Pure functions, tested without a browser.

use logplay_core::script::{self, Command, Template, Value, MAX_DATAGEN_RATE};
use logplay_core::topic::validate_topic_name;

use crate::state::{Action, Origin};

/// The action of the create form: Kafka's checks first, with Kafka's error text.
pub fn create_topic(
    name: &str,
    partitions: &str,
    replication_factor: &str,
    configs: &str,
) -> Action {
    let refuse = |text: String| Action::Refuse(Origin::Topic, text);
    if let Err(e) = validate_topic_name(name.trim()) {
        return refuse(e.to_string());
    }
    let Ok(partitions) = partitions.trim().parse::<u32>() else {
        return refuse(format!("INVALID_PARTITIONS: the number of partitions must be a whole number, not `{partitions}`"));
    };
    let replication_factor = match replication_factor.trim() {
        "" => None,
        rf => match rf.parse::<u32>() {
            Ok(rf) => Some(rf),
            Err(_) => return refuse(format!("INVALID_REPLICATION_FACTOR: the replication factor must be a whole number, not `{rf}`")),
        },
    };
    // The script parser reads `KEY=VALUE` configs (and durations like 1h) for us.
    let configs = match script::parse(&format!("topic config t {configs}")) {
        _ if configs.trim().is_empty() => Vec::new(),
        Ok(s) => match s.commands.into_iter().next() {
            Some((_, Command::AlterTopic { configs, .. })) => configs,
            _ => Vec::new(),
        },
        Err(e) => return refuse(format!("INVALID_CONFIG: {}", e.message)),
    };
    Action::Run(
        Origin::Topic,
        vec![Command::CreateTopic {
            name: name.trim().to_string(),
            partitions,
            replication_factor,
            configs,
        }],
    )
}

/// What the produce form holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProduceInput {
    /// The producer's name.
    pub producer: String,
    /// The topic.
    pub topic: String,
    /// The key; empty is null.
    pub key: String,
    /// The value.
    pub value: String,
    /// Whether the value is JSON.
    pub json: bool,
    /// Whether the value is null.
    pub tombstone: bool,
    /// `k=v, k2=v2`.
    pub headers: String,
    /// An explicit partition, or empty.
    pub partition: String,
}

impl ProduceInput {
    /// The commands: a default producer first if none exists, then `produce`.
    pub fn action(&self, producer_exists: bool) -> Action {
        let refuse = |text: String| Action::Refuse(Origin::Produce, text);
        let partition = match self.partition.trim() {
            "" => None,
            p => match p.parse() {
                Ok(p) => Some(p),
                Err(_) => {
                    return refuse(format!(
                        "UNKNOWN_TOPIC_OR_PARTITION: `{p}` is not a partition number"
                    ))
                }
            },
        };
        let mut headers = Vec::new();
        for h in self
            .headers
            .split(',')
            .map(str::trim)
            .filter(|h| !h.is_empty())
        {
            let Some((k, v)) = h.split_once('=') else {
                return refuse(format!("INVALID_RECORD: a header is NAME=VALUE, not `{h}`"));
            };
            headers.push((k.trim().to_string(), Value::Text(v.trim().to_string())));
        }
        let value = if self.tombstone {
            None
        } else if self.json {
            Some(Value::Json(self.value.trim().to_string()))
        } else {
            Some(Value::Text(self.value.clone()))
        };
        let mut commands = Vec::new();
        if !producer_exists {
            commands.push(Command::Producer {
                name: self.producer.clone(),
                configs: Vec::new(),
            });
        }
        commands.push(Command::Produce {
            producer: self.producer.clone(),
            topic: self.topic.clone(),
            key: (!self.key.is_empty()).then(|| Value::Text(self.key.clone())),
            value,
            partition,
            timestamp: None,
            headers,
        });
        Action::Run(Origin::Produce, commands)
    }
}

/// What the add-consumer form holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConsumerInput {
    /// The consumer's name.
    pub name: String,
    /// `group.id`; empty for none.
    pub group: String,
    /// `auto.offset.reset`.
    pub reset: String,
    /// `isolation.level`.
    pub isolation: String,
    /// `enable.auto.commit`.
    pub auto_commit: bool,
    /// `partition.assignment.strategy`.
    pub strategy: String,
    /// `subscribe` (topics or `pattern=…`) or `assign` (`t:p …`).
    pub mode: String,
    /// The topics, the pattern, or the partitions.
    pub target: String,
    /// `value.deserializer=KafkaJsonSchemaDeserializer`.
    pub json_schema: bool,
}

impl ConsumerInput {
    /// `consumer NAME …`, then `subscribe`/`assign` when a target is given.
    pub fn action(&self) -> Action {
        let refuse = |text: String| Action::Refuse(Origin::Consumer, text);
        let name = self.name.trim().to_string();
        let mut configs = vec![
            ("auto.offset.reset".to_string(), self.reset.clone()),
            ("isolation.level".to_string(), self.isolation.clone()),
            (
                "enable.auto.commit".to_string(),
                self.auto_commit.to_string(),
            ),
            (
                "partition.assignment.strategy".to_string(),
                self.strategy.clone(),
            ),
        ];
        if !self.group.trim().is_empty() {
            configs.insert(0, ("group.id".to_string(), self.group.trim().to_string()));
        }
        if self.json_schema {
            configs.push((
                "value.deserializer".to_string(),
                "KafkaJsonSchemaDeserializer".to_string(),
            ));
        }
        let mut commands = vec![Command::Consumer {
            name: name.clone(),
            configs,
        }];
        let target = self.target.trim();
        if !target.is_empty() {
            commands.push(match self.mode.as_str() {
                "assign" => {
                    let mut partitions = Vec::new();
                    for w in words(target) {
                        match w.rsplit_once(':').and_then(|(t, p)| Some((t.to_string(), p.parse().ok()?))) {
                            Some(tp) => partitions.push(tp),
                            None => return refuse(format!("UNKNOWN_TOPIC_OR_PARTITION: write partitions as TOPIC:PARTITION, not `{w}`")),
                        }
                    }
                    Command::Assign { consumer: name, partitions }
                }
                "pattern" => Command::SubscribePattern { consumer: name, pattern: target.to_string() },
                _ => Command::Subscribe { consumer: name, topics: words(target) },
            });
        }
        Action::Run(Origin::Consumer, commands)
    }
}

/// The datagen form's action: a default producer first if none exists, then the source.
pub fn datagen(
    name: &str,
    producer: &str,
    topic: &str,
    rate: &str,
    key: &str,
    value: &str,
    producer_exists: bool,
) -> Action {
    let refuse = |text: String| Action::Refuse(Origin::Datagen, text);
    let rate = match rate.trim().parse::<u64>() {
        Ok(r) if (1..=MAX_DATAGEN_RATE).contains(&r) => r,
        _ => return refuse(format!("INVALID_CONFIG: the rate must be 1 to {MAX_DATAGEN_RATE} records per second, not `{rate}`")),
    };
    let template = |t: &str| (!t.is_empty()).then(|| Template::parse(t)).transpose();
    let (key, value) = match (template(key), template(value)) {
        (Ok(k), Ok(v)) => (k, v),
        (Err(e), _) | (_, Err(e)) => return refuse(format!("INVALID_CONFIG: {e}")),
    };
    let mut commands = Vec::new();
    if !producer_exists {
        commands.push(Command::Producer {
            name: producer.to_string(),
            configs: Vec::new(),
        });
    }
    commands.push(Command::DatagenStart {
        name: name.trim().to_string(),
        producer: producer.to_string(),
        topic: topic.to_string(),
        rate,
        key,
        value,
        partition: None,
    });
    Action::Run(Origin::Datagen, commands)
}

/// Splits `a, b c` into words.
pub fn words(text: &str) -> Vec<String> {
    text.split([',', ' '])
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}

/// The connector form's fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConnectorInput {
    /// The connector's name.
    pub name: String,
    /// `datagen`, `paste`, `table` or `counter`.
    pub kind: String,
    /// The topic a source writes, or the topics (comma-separated) a sink reads.
    pub topics: String,
    /// The datagen quickstart.
    pub quickstart: String,
    /// Records (or lines) per second, for sources.
    pub rate: String,
    /// `tasks.max`.
    pub tasks: String,
    /// The pasted text.
    pub data: String,
    /// `csv`, `json` or `lines`.
    pub format: String,
    /// The field that becomes the key (paste).
    pub key_field: String,
    /// `aggregate.field` (counter sink).
    pub aggregate_field: String,
    /// `value.converter=JsonSchemaConverter`.
    pub json_schema: bool,
}

impl ConnectorInput {
    /// `connector create NAME …` with the configs this kind of connector takes.
    pub fn action(&self) -> Action {
        let mut configs: Vec<(String, String)> = Vec::new();
        let mut set = |k: &str, v: &str| {
            if !v.trim().is_empty() {
                configs.push((k.to_string(), v.trim().to_string()));
            }
        };
        match self.kind.as_str() {
            "datagen" => {
                set("connector.class", "DatagenConnector");
                set("kafka.topic", &self.topics);
                set("quickstart", &self.quickstart);
                set("rate", &self.rate);
            }
            "paste" => {
                set("connector.class", "PasteSourceConnector");
                set("topic", &self.topics);
                set("format", &self.format);
                set("key.field", &self.key_field);
                set("rate", &self.rate);
                set("data", &self.data.replace("\r\n", "\n"));
            }
            kind => {
                let counter = kind == "counter";
                set(
                    "connector.class",
                    if counter {
                        "CounterSinkConnector"
                    } else {
                        "TableSinkConnector"
                    },
                );
                set("topics", &self.topics);
                if counter {
                    set("aggregate.field", &self.aggregate_field);
                }
            }
        }
        if self.kind != "paste" {
            set("tasks.max", &self.tasks);
        }
        if self.json_schema {
            set("value.converter", "JsonSchemaConverter");
        }
        Action::Run(
            Origin::Connector,
            vec![Command::ConnectorCreate {
                name: self.name.trim().to_string(),
                configs,
            }],
        )
    }
}
