//! Exports a script as a program for a real Kafka cluster: Python with confluent-kafka
//! ([`to_python`]), or a shell script with kcat and `kafka-topics.sh` for the simple
//! produce/consume subset ([`to_shell`]).
//!
//! The export runs the script first: where a real client decides on its own (a poll returns
//! what has arrived; a null key goes where the partitioner likes), the program is told what
//! logplay did, so that its observations can be compared with `logplay run`'s.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use litemap::LiteMap;

use serde_json::Value as Json;

use super::{Command, Output, OutputKind, Runner, Script, SeekTo, TxnAction, Value};
use crate::consumer::ConsumerConfig;
use crate::producer::ProducerConfig;

mod shell;

pub use shell::to_shell;

/// The Python runtime every export embeds: one method per logplay command.
const RUNTIME: &str = include_str!("runtime.py");

/// An exported program, and why its observations may differ from logplay's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Export {
    /// The program's text.
    pub program: String,
    /// Commands only a simulation can do, by line: the program skips them or does the
    /// closest real thing.
    pub warnings: Vec<(usize, String)>,
}

impl Export {
    /// Whether a real run can observe exactly what logplay did: nothing was skipped.
    pub fn is_faithful(&self) -> bool {
        self.warnings.is_empty()
    }
}

/// Why a script does not export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportError {
    /// The script line.
    pub line: usize,
    /// What cannot be exported.
    pub message: String,
}

impl core::fmt::Display for ExportError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// The most records one `generate` may export (each becomes a line of the program).
pub const MAX_EXPORTED_GENERATE: u64 = 10_000;

/// A record `generate` rendered: its key and value.
type Generated = (Option<String>, Option<String>);

/// What running the script told the exporter.
struct Run {
    /// Each command's outputs.
    outputs: Vec<Vec<Output>>,
    /// For `generate`: the records its templates rendered.
    generated: LiteMap<usize, Vec<Generated>>,
    /// Where each delivered record went: (producer, id) → partition. A `BTreeMap`: one
    /// entry per record, inserted out of order when producers interleave.
    partitions: BTreeMap<(String, u64), u32>,
    /// For `generate`: how many partitions its topic had.
    topic_partitions: LiteMap<usize, usize>,
}

fn run(script: &Script) -> Run {
    let mut runner = Runner::new();
    let mut out = Run {
        outputs: Vec::new(),
        generated: LiteMap::new(),
        partitions: BTreeMap::new(),
        topic_partitions: LiteMap::new(),
    };
    for (line, command) in &script.commands {
        if let Command::Generate {
            count,
            key,
            value,
            topic,
            ..
        } = command
        {
            let partitions = runner
                .cluster()
                .topic(topic)
                .map_or(0, |t| t.partitions().len());
            out.topic_partitions.insert(*line, partitions);
            if *count <= MAX_EXPORTED_GENERATE {
                out.generated
                    .insert(*line, runner.preview(key.as_ref(), value.as_ref(), *count));
            }
        }
        let outputs = runner.apply(*line, command).unwrap_or_else(|f| f.outputs);
        for o in outputs.iter().filter(|o| o.kind == OutputKind::Delivery) {
            let field = |k: &str| o.fields.get(k);
            if let (Some(p), Some(id), Some(part)) = (
                field("producer").and_then(Json::as_str),
                field("id").and_then(Json::as_u64),
                field("partition").and_then(Json::as_u64),
            ) {
                out.partitions.insert((p.to_string(), id), part as u32);
            }
        }
        out.outputs.push(outputs);
    }
    out
}

/// A Python string literal (JSON's escapes are Python's).
fn py_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

fn py_bytes(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "None".into(),
        Some(Value::Text(s) | Value::Json(s)) => format!("{}.encode()", py_str(s)),
        Some(Value::Hex(b)) => {
            let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
            format!("bytes.fromhex({})", py_str(&hex))
        }
    }
}

fn py_opt_str(s: Option<&String>) -> String {
    s.map_or_else(|| "None".into(), |s| format!("{}.encode()", py_str(s)))
}

fn py_dict(entries: &[(String, String)]) -> String {
    let items: Vec<String> = entries
        .iter()
        .map(|(k, v)| format!("{}: {}", py_str(k), py_str(v)))
        .collect();
    format!("{{{}}}", items.join(", "))
}

fn py_partitions(parts: &[(String, u32)]) -> String {
    let items: Vec<String> = parts
        .iter()
        .map(|(t, p)| format!("({}, {p})", py_str(t)))
        .collect();
    format!("[{}]", items.join(", "))
}

/// A producer's configs as librdkafka takes them: every effective value, the Java client's
/// default partitioner as `murmur2_random` (Java-exact for keys), `max.request.size` as
/// `message.max.bytes`, and for a transactional producer `delivery.timeout.ms` no longer than
/// `transaction.timeout.ms` (librdkafka refuses a longer one; the Java client lets a batch
/// outlive its transaction, which the coordinator aborts first anyway). Returns whether
/// records must be pinned to logplay's partitions (`round_robin` has no librdkafka twin).
fn producer_configs(configs: &[(String, String)]) -> (Vec<(String, String)>, bool) {
    let Ok(c) = ProducerConfig::from_entries(configs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    else {
        // The program creates the producer with these and reports the client's error.
        return (configs.to_vec(), false);
    };
    let mut pin = false;
    let mut out = Vec::new();
    for (k, v) in c.entries() {
        match k {
            "client.id" => {}
            "transactional.id" | "transaction.timeout.ms" if c.transactional_id.is_none() => {}
            "delivery.timeout.ms" if c.transactional_id.is_some() => {
                let limit = c.delivery_timeout_ms.min(c.transaction_timeout_ms);
                out.push((k.into(), limit.to_string()));
            }
            "max.request.size" => out.push(("message.max.bytes".into(), v)),
            "partitioner" => {
                let v = match v.as_str() {
                    "sticky" => "murmur2_random".to_string(),
                    "round_robin" => {
                        pin = true;
                        "murmur2_random".to_string()
                    }
                    _ => v,
                };
                out.push((k.into(), v));
            }
            _ => out.push((k.into(), v)),
        }
    }
    (out, pin)
}

/// A consumer's configs as librdkafka takes them, and its `max.poll.records` (the program's
/// poll reads at most that many at a time). librdkafka needs a `group.id` even to `assign()`:
/// a consumer without one gets a group of its own that never commits.
fn consumer_configs(
    name: &str,
    configs: &[(String, String)],
) -> Result<(Vec<(String, String)>, usize), String> {
    let Ok(c) = ConsumerConfig::from_entries(configs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    else {
        return Ok((configs.to_vec(), 500));
    };
    let mut out = Vec::new();
    for (k, v) in c.entries() {
        match k {
            "client.id" | "max.poll.records" => {}
            "group.id" if v.is_empty() => {
                out.push((k.into(), format!("logplay-export-{name}")));
                out.push(("enable.auto.commit".into(), "false".into()));
            }
            "enable.auto.commit" if c.group_id.is_none() => {}
            "group.instance.id" if v.is_empty() => {}
            "auto.offset.reset" if v == "none" => out.push((k.into(), "error".into())),
            "partition.assignment.strategy" => {
                // A group uses the first strategy every member shares; librdkafka cannot mix
                // eager and cooperative ones in one list.
                let first = c.assignment_strategies.first().cloned().unwrap_or_default();
                if first == "sticky" {
                    return Err(
                        "librdkafka has no eager `sticky` assignor (it has cooperative-sticky)"
                            .into(),
                    );
                }
                out.push((k.into(), first));
            }
            _ => out.push((k.into(), v)),
        }
    }
    Ok((out, c.max_poll_records as usize))
}

fn records_polled(outputs: &[Output], consumer: &str) -> usize {
    outputs
        .iter()
        .filter(|o| o.kind == OutputKind::Record)
        .filter(|o| o.fields.get("consumer").and_then(Json::as_str) == Some(consumer))
        .filter(|o| o.fields.get("error").is_none_or(Json::is_null))
        .count()
}

fn queued_id(outputs: &[Output]) -> Option<u64> {
    outputs
        .iter()
        .find(|o| o.kind == OutputKind::Queued)
        .and_then(|o| o.fields.get("id"))
        .and_then(Json::as_u64)
}

/// Exports `script` as a Python program (confluent-kafka) that does the same against a real
/// cluster and prints the same JSON lines as `logplay run`.
pub fn to_python(script: &Script) -> Result<Export, ExportError> {
    let facts = run(script);
    let mut body = String::new();
    let mut warnings = Vec::new();
    let mut pinned: LiteMap<String, bool> = LiteMap::new();
    for (i, (line, command)) in script.commands.iter().enumerate() {
        let line = *line;
        let outputs = facts.outputs.get(i).map(Vec::as_slice).unwrap_or_default();
        let fail = |message: String| ExportError { line, message };
        let mut warn = |what: String, body: &mut String| {
            body.push_str(&format!("    lp.warn({})\n", py_str(&what)));
            warnings.push((line, what));
        };
        body.push_str(&format!(
            "    lp.at({line}, {})\n",
            py_str(&command.to_string())
        ));
        if let Some(o) = outputs.iter().find(|o| {
            matches!(
                o.kind,
                OutputKind::Retention | OutputKind::Compaction | OutputKind::LowWatermark
            )
        }) {
            warn(
                format!("logplay's {} ran here on its simulated clock; a real cluster cleans on its own schedule", o.kind.name()),
                &mut body,
            );
        }
        match command {
            Command::Seed(n) => body.push_str(&format!(
                "    # seed {n}: logplay's randomness; a real cluster has its own.\n"
            )),
            Command::Broker(configs) => body.push_str(&format!(
                "    # Broker configs to set on the real cluster: {}\n",
                configs
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            )),
            Command::Brokers { .. } | Command::BrokerChange { .. } => warn(
                format!("`{command}` changes simulated brokers: skipped"),
                &mut body,
            ),
            Command::CreateTopic {
                name,
                partitions,
                replication_factor,
                configs,
            } => body.push_str(&format!(
                "    lp.create_topic({}, {partitions}, {}, {})\n",
                py_str(name),
                replication_factor.map_or_else(|| "None".into(), |r| r.to_string()),
                py_dict(configs)
            )),
            Command::DeleteTopic(name) => {
                body.push_str(&format!("    lp.delete_topic({})\n", py_str(name)))
            }
            Command::AddPartitions { name, total } => body.push_str(&format!(
                "    lp.add_partitions({}, {total})\n",
                py_str(name)
            )),
            Command::AlterTopic { name, configs } => body.push_str(&format!(
                "    lp.alter_topic({}, {})\n",
                py_str(name),
                py_dict(configs)
            )),
            Command::DeleteRecords {
                partition: (t, p),
                before,
            } => body.push_str(&format!(
                "    lp.delete_records({}, {p}, {before})\n",
                py_str(t)
            )),
            Command::Producer { name, configs } => {
                let configs = without_serdes(configs, true, &mut |w| warn(w, &mut body));
                let (configs, pin) = producer_configs(&configs);
                pinned.insert(name.clone(), pin);
                body.push_str(&format!(
                    "    lp.producer({}, {})\n",
                    py_str(name),
                    py_dict(&configs)
                ));
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
                let mut partition = *partition;
                let pin = pinned.get(producer).copied().unwrap_or(false)
                    || matches!(key, None | Some(Value::Null));
                if partition.is_none() && pin {
                    let chosen = queued_id(outputs)
                        .and_then(|id| facts.partitions.get(&(producer.clone(), id)));
                    if let Some(&p) = chosen {
                        body.push_str(&format!(
                            "    # logplay's partitioner put this record in partition {p}; a real one chooses its own, so it is pinned there.\n"
                        ));
                        partition = Some(p);
                    }
                }
                let headers: Vec<String> = headers
                    .iter()
                    .map(|(k, v)| format!("({}, {})", py_str(k), py_bytes(Some(v))))
                    .collect();
                // Delivered within the command in logplay: the program waits for it too, so
                // that records from several producers reach the log in the same order.
                let at_once = queued_id(outputs).is_some_and(|id| {
                    outputs.iter().any(|o| {
                        o.kind == OutputKind::Delivery
                            && o.fields.get("id").and_then(Json::as_u64) == Some(id)
                            && o.fields.get("producer").and_then(Json::as_str)
                                == Some(producer.as_str())
                    })
                });
                body.push_str(&format!(
                    "    lp.produce({}, {}, {}, {}, {}, {}, [{}], {})\n",
                    py_str(producer),
                    py_str(topic),
                    py_bytes(key.as_ref()),
                    py_bytes(value.as_ref()),
                    partition.map_or_else(|| "None".into(), |p| p.to_string()),
                    timestamp.map_or_else(|| "None".into(), |t| t.to_string()),
                    headers.join(", "),
                    if at_once { "True" } else { "False" }
                ));
            }
            Command::Generate {
                producer,
                topic,
                count,
                key,
                partition,
                ..
            } => {
                let Some(records) = facts.generated.get(&line) else {
                    return Err(fail(format!(
                        "generate of {count} records: at most {MAX_EXPORTED_GENERATE} export"
                    )));
                };
                let spread = facts.topic_partitions.get(&line).is_some_and(|&n| n > 1);
                if key.is_none() && partition.is_none() && spread {
                    warn(
                        "generate without keys: a real partitioner places them its own way".into(),
                        &mut body,
                    );
                }
                let items: Vec<String> = records
                    .iter()
                    .map(|(k, v)| {
                        format!("({}, {})", py_opt_str(k.as_ref()), py_opt_str(v.as_ref()))
                    })
                    .collect();
                body.push_str(&format!(
                    "    lp.generate({}, {}, [{}], {})\n",
                    py_str(producer),
                    py_str(topic),
                    items.join(", "),
                    partition.map_or_else(|| "None".into(), |p| p.to_string())
                ));
            }
            Command::Flush(p) => body.push_str(&format!("    lp.flush({})\n", py_str(p))),
            Command::Consumer { name, configs } => {
                let configs = without_serdes(configs, false, &mut |w| warn(w, &mut body));
                let (configs, cap) = consumer_configs(name, &configs).map_err(fail)?;
                body.push_str(&format!(
                    "    lp.consumer({}, {}, {cap})\n",
                    py_str(name),
                    py_dict(&configs)
                ));
            }
            Command::Subscribe { consumer, topics } => {
                let topics: Vec<String> = topics.iter().map(|t| py_str(t)).collect();
                body.push_str(&format!(
                    "    lp.subscribe({}, [{}])\n",
                    py_str(consumer),
                    topics.join(", ")
                ));
            }
            Command::SubscribePattern { consumer, pattern } => body.push_str(&format!(
                "    lp.subscribe({}, [{}])\n",
                py_str(consumer),
                py_str(&format!("^{pattern}$"))
            )),
            Command::Unsubscribe(c) => {
                body.push_str(&format!("    lp.unsubscribe({})\n", py_str(c)))
            }
            Command::Assign {
                consumer,
                partitions,
            } => body.push_str(&format!(
                "    lp.assign({}, {})\n",
                py_str(consumer),
                py_partitions(partitions)
            )),
            Command::Poll(c) => {
                let n = records_polled(outputs, c);
                if n == 0 {
                    body.push_str(
                        "    # logplay's poll returned nothing here (a group join, or nothing new).\n",
                    );
                }
                body.push_str(&format!("    lp.poll({}, {n})\n", py_str(c)));
            }
            Command::Seek {
                consumer,
                partition: (t, p),
                to,
            } => {
                let to = match to {
                    SeekTo::Offset(o) => o.to_string(),
                    SeekTo::Beginning => "\"beginning\"".into(),
                    SeekTo::End => "\"end\"".into(),
                    SeekTo::Timestamp(ms) => format!("{{\"timestamp\": {ms}}}"),
                };
                body.push_str(&format!(
                    "    lp.seek({}, {}, {p}, {to})\n",
                    py_str(consumer),
                    py_str(t)
                ));
            }
            Command::Commit {
                consumer,
                offsets,
                asynchronous,
            } => {
                let items: Vec<String> = offsets
                    .iter()
                    .map(|((t, p), o)| format!("({}, {p}, {o})", py_str(t)))
                    .collect();
                let async_flag = if *asynchronous { "True" } else { "False" };
                body.push_str(&format!(
                    "    lp.commit({}, [{}], {async_flag})\n",
                    py_str(consumer),
                    items.join(", ")
                ));
            }
            Command::Pause {
                consumer,
                partitions,
            } => body.push_str(&format!(
                "    lp.pause({}, {})\n",
                py_str(consumer),
                py_partitions(partitions)
            )),
            Command::Resume {
                consumer,
                partitions,
            } => body.push_str(&format!(
                "    lp.resume({}, {})\n",
                py_str(consumer),
                py_partitions(partitions)
            )),
            Command::Close(c) => body.push_str(&format!("    lp.close({})\n", py_str(c))),
            Command::ResetOffsets { .. }
            | Command::DeleteGroup(_)
            | Command::DeleteOffsets { .. } => warn(
                format!("`{command}` is an admin tool's job (kafka-consumer-groups.sh): skipped"),
                &mut body,
            ),
            Command::Tick(ms) => {
                body.push_str(&format!("    lp.tick({ms})\n"));
            }
            Command::LoseAcks { .. } | Command::Crash(_) => warn(
                format!("`{command}` is a simulated fault: skipped"),
                &mut body,
            ),
            Command::Describe(_) => {
                body.push_str("    # describe: see the cluster's admin tools.\n")
            }
            Command::Transaction { producer, action } => {
                let action = match action {
                    TxnAction::Init => "init",
                    TxnAction::Begin => "begin",
                    TxnAction::Commit => "commit",
                    TxnAction::Abort => "abort",
                };
                body.push_str(&format!(
                    "    lp.txn({}, {})\n",
                    py_str(producer),
                    py_str(action)
                ));
            }
            Command::SendOffsets { producer, consumer } => body.push_str(&format!(
                "    lp.send_offsets({}, {})\n",
                py_str(producer),
                py_str(consumer)
            )),
            Command::SchemaRegister { .. }
            | Command::SchemaCheck { .. }
            | Command::SchemaCompatibility { .. }
            | Command::SchemaDelete(_) => warn(
                format!("`{command}` uses logplay's simulated schema registry: skipped"),
                &mut body,
            ),
            Command::ConnectorCreate { .. } | Command::ConnectorChange { .. } => warn(
                format!("`{command}` runs a simulated Kafka Connect connector: skipped"),
                &mut body,
            ),
            Command::DatagenStart { .. } | Command::DatagenStop(_) | Command::Play { .. } => warn(
                format!("`{command}` runs on logplay's simulated clock: skipped"),
                &mut body,
            ),
        }
    }
    let program = format!(
        "{RUNTIME}\n\n# ---- the scenario, exported by `logplay export --to python` ----\n\ndef scenario(lp):\n{body}    pass\n\n\nif __name__ == \"__main__\":\n    main(scenario)\n"
    );
    Ok(Export { program, warnings })
}

/// A client's configs without the schema registry serdes (confluent-kafka's plain clients
/// have none); a warning says what was left out.
fn without_serdes(
    configs: &[(String, String)],
    producer: bool,
    warn: &mut dyn FnMut(String),
) -> Vec<(String, String)> {
    match crate::registry::serdes::Serdes::split(configs, producer) {
        Ok((serdes, rest)) if rest.len() < configs.len() => {
            if serdes.any() {
                warn(
                    "the JSON Schema serdes need a Schema Registry: records go as plain bytes"
                        .into(),
                );
            }
            rest
        }
        _ => configs.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::script::parse;

    fn script(text: &str) -> Script {
        parse(text).expect("a valid script")
    }

    #[test]
    fn the_python_export_tells_the_program_what_logplay_did() {
        let e = to_python(&script(
            "topic create t partitions=3\nproducer p linger.ms=0\nproduce p t key=alice value=1\nproduce p t value=unkeyed\nconsumer c group.id=g auto.offset.reset=earliest max.poll.records=7\nassign c t:0 t:1 t:2\npoll c\ntick 5s\n",
        ))
        .unwrap();
        assert!(e.is_faithful(), "{:?}", e.warnings);
        let p = &e.program;
        assert!(p.contains("def scenario(lp):") && p.contains("main(scenario)"));
        assert!(p.contains(r#"lp.create_topic("t", 3, None, {})"#), "{p}");
        // Keyed: the real murmur2_random partitioner decides (Java-exact); delivered at once.
        assert!(
            p.contains(
                r#"lp.produce("p", "t", "alice".encode(), "1".encode(), None, None, [], True)"#
            ),
            "{p}"
        );
        // Unkeyed: pinned where logplay's sticky partitioner put it.
        assert!(
            p.contains("a real one chooses its own, so it is pinned there"),
            "{p}"
        );
        assert!(
            p.contains(r#""partition.assignment.strategy": "range""#),
            "{p}"
        );
        assert!(
            p.contains(r#"lp.poll("c", 2)"#),
            "the poll read both records: {p}"
        );
        assert!(
            p.contains(", 7)\n"),
            "max.poll.records caps the program's reads: {p}"
        );
        assert!(p.contains("lp.tick(5000)"));
    }

    #[test]
    fn simulation_only_commands_are_skipped_with_a_warning() {
        let e = to_python(&script(
            "brokers 3\ntopic create t\nproducer p\nfault lose-ack p\nbroker stop 1\n",
        ))
        .unwrap();
        assert!(!e.is_faithful());
        let lines: Vec<usize> = e.warnings.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [1, 4, 5]);
        assert!(
            e.program.contains("lp.warn("),
            "the program says so when it runs"
        );
    }

    #[test]
    fn the_registry_connect_and_serdes_are_skipped_with_warnings() {
        let e = to_python(&script(
            "topic create t\nschema register t-value {\"type\":\"object\"}\nproducer p value.serializer=KafkaJsonSchemaSerializer acks=all\nconnector create c connector.class=TableSinkConnector topics=t\n",
        ))
        .unwrap();
        let lines: Vec<usize> = e.warnings.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [2, 3, 4]);
        assert!(
            e.program.contains(r#"lp.producer("p", {"acks": "all","#),
            "{}",
            e.program
        );
        let producer = e
            .program
            .lines()
            .find(|l| l.contains("lp.producer("))
            .unwrap_or("");
        assert!(!producer.contains("serializer"), "{producer}");
    }

    #[test]
    fn what_librdkafka_cannot_do_does_not_export() {
        let e = to_python(&script(
            "topic create t\nconsumer c group.id=g partition.assignment.strategy=sticky\n",
        ))
        .unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("sticky"), "{e}");
    }

    #[test]
    fn the_shell_export_covers_the_simple_subset_and_refuses_the_rest() {
        let sh = to_shell(&script(
            "topic create t partitions=2 retention.ms=1000\nproducer p acks=1\nproduce p t key=k value=\"it's\"\nconsumer c group.id=g auto.offset.reset=earliest\nsubscribe c t\npoll c\ntick 3s\npoll c\ntick 1250ms\ntick 2050ms\n",
        ))
        .unwrap();
        assert!(sh.contains("kafka-topics.sh --bootstrap-server \"$BOOTSTRAP\" --create --if-not-exists --topic 't' --partitions 2 --config 'retention.ms=1000'"), "{sh}");
        assert!(
            sh.contains(r#"printf '%s\t%s\n' 'k' 'it'\''s' | kcat -P"#),
            "{sh}"
        );
        assert!(sh.contains("-X 'acks=1'"), "{sh}");
        assert!(sh.contains("kcat -b \"$BOOTSTRAP\" -G 'g'"), "{sh}");
        assert!(sh.contains("sleep 3\n"), "{sh}");
        assert!(
            sh.contains("sleep 1.25\n") && sh.contains("sleep 2.05\n"),
            "{sh}"
        );
        let e = to_shell(&script("topic create t\nproducer p\ntxn init p\n")).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("--to python"), "{e}");
    }
}
