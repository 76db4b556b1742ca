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

use super::{Command, Event, Output, OutputKind, Runner, Script, SeekTo, TxnAction, Value};
use crate::consumer::ConsumerConfig;
use crate::producer::ProducerConfig;

mod python;
mod shell;

pub use python::to_python;
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
        for o in &outputs {
            if let Event::Delivery { producer, report } = &o.event {
                out.partitions
                    .insert((producer.clone(), report.id), report.partition);
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
        .filter(|o| match &o.event {
            Event::Record(r) => r.consumer == consumer && r.message.error().is_none(),
            _ => false,
        })
        .count()
}

fn queued_id(outputs: &[Output]) -> Option<u64> {
    outputs.iter().find_map(|o| match o.event {
        Event::Queued { id, .. } => Some(id),
        _ => None,
    })
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
