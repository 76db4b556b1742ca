//! Property tests of the script language: printing then parsing gives the same commands,
//! and the link codec round-trips any script.
#![cfg(not(target_arch = "wasm32"))]

use logplay_core::registry::json_schema::Policy;
use logplay_core::registry::{Compatibility, SchemaReference};
use logplay_core::script::link;
use logplay_core::script::{
    parse, print, BrokerAction, Command, ConnectorAction, DescribeTarget, Script, SeekTo, Template,
    Value,
};
use proptest::prelude::*;

fn name() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9._-]{1,12}"
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9]{1,8}".prop_map(String::from),
        any::<String>().prop_map(|s| s.chars().filter(|c| *c != '\r').take(12).collect()),
        Just(String::from("null")),
        Just(String::from("{not json")),
        Just(String::from("hex:zz")),
        Just(String::from("hex:id,name\n1,Ada")),
        Just(String::from("null and more")),
        Just(String::from("# hash")),
        Just(String::from("a=b")),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        text().prop_map(Value::Text),
        Just(Value::Json(String::from(r#"{"a": [1, "}"], "b": null}"#))),
        prop::collection::vec(any::<u8>(), 0..6).prop_map(Value::Hex),
        Just(Value::Null),
    ]
}

fn configs() -> impl Strategy<Value = Vec<(String, String)>> {
    let value = prop_oneof![(0u64..100_000_000).prop_map(|n| n.to_string()), text(),];
    // Canonical scripts hold `*.ms` durations as plain milliseconds, as the parser leaves them.
    prop::collection::btree_map("[a-z]{1,6}(\\.ms)?", value, 0..4).prop_map(|m| {
        m.into_iter()
            .map(|(k, v)| match logplay_core::script::parse_duration(&v) {
                Some(ms) if k.ends_with(".ms") => (k, ms.to_string()),
                _ => (k, v),
            })
            .collect()
    })
}

fn partition() -> impl Strategy<Value = (String, u32)> {
    (name(), 0u32..100)
}

fn command() -> impl Strategy<Value = Command> {
    prop_oneof![
        (name(), 1u32..50, prop::option::of(1u32..5), configs()).prop_map(
            |(name, partitions, replication_factor, configs)| {
                Command::CreateTopic {
                    name,
                    partitions,
                    replication_factor,
                    configs,
                }
            }
        ),
        (
            1usize..33,
            prop::option::of(prop::collection::vec(name(), 1..4))
        )
            .prop_map(|(count, racks)| Command::Brokers { count, racks }),
        (
            1i32..10,
            prop_oneof![
                Just(BrokerAction::Stop),
                Just(BrokerAction::Start),
                Just(BrokerAction::Isolate),
                Just(BrokerAction::Heal)
            ]
        )
            .prop_map(|(broker, action)| Command::BrokerChange { broker, action }),
        name().prop_map(Command::DeleteTopic),
        (name(), configs()).prop_map(|(name, configs)| Command::Producer { name, configs }),
        (
            name(),
            name(),
            prop::option::of(value()),
            prop::option::of(value()),
            prop::option::of(0u32..9),
            prop::option::of(any::<i64>()),
            prop::collection::vec((name(), value()), 0..3)
        )
            .prop_map(
                |(producer, topic, key, value, partition, timestamp, headers)| Command::Produce {
                    producer,
                    topic,
                    key,
                    value,
                    partition,
                    timestamp,
                    headers
                }
            ),
        (
            name(),
            name(),
            0u64..1000,
            prop::option::of(text()),
            prop::option::of(Just("{\"id\":{i},\"n\":{rand:1..9}}"))
        )
            .prop_map(|(producer, topic, count, key, value)| Command::Generate {
                producer,
                topic,
                count,
                key: key.and_then(|k| Template::parse(&k).ok()),
                value: value.and_then(|v| Template::parse(v).ok()),
                partition: None,
            }),
        (name(), prop::collection::vec(partition(), 0..4)).prop_map(|(consumer, partitions)| {
            Command::Assign {
                consumer,
                partitions,
            }
        }),
        (
            name(),
            partition(),
            prop_oneof![
                any::<i64>().prop_map(SeekTo::Offset),
                Just(SeekTo::Beginning),
                Just(SeekTo::End),
                any::<i64>().prop_map(SeekTo::Timestamp)
            ]
        )
            .prop_map(|(consumer, partition, to)| Command::Seek {
                consumer,
                partition,
                to
            }),
        (
            name(),
            prop::collection::vec((partition(), any::<i64>()), 0..3),
            any::<bool>()
        )
            .prop_map(|(consumer, offsets, asynchronous)| Command::Commit {
                consumer,
                offsets,
                asynchronous
            }),
        (0u64..2_592_000_000).prop_map(Command::Tick),
        (name(), 0u32..10).prop_map(|(producer, count)| Command::LoseAcks { producer, count }),
        name().prop_map(Command::Crash),
        name().prop_map(|n| Command::Describe(DescribeTarget::Topic(n))),
        (name(), schema(), any::<bool>(), references()).prop_map(
            |(subject, schema, check, references)| if check {
                Command::SchemaCheck {
                    subject,
                    schema,
                    references,
                }
            } else {
                Command::SchemaRegister {
                    subject,
                    schema,
                    references,
                }
            }
        ),
        (
            prop::option::of(name()),
            prop::sample::select(Compatibility::ALL.to_vec()),
            prop::option::of(prop::sample::select(Policy::ALL.to_vec()))
        )
            .prop_map(|(subject, level, policy)| Command::SchemaCompatibility {
                subject,
                level,
                policy
            }),
        name().prop_map(Command::SchemaDelete),
        (name(), configs()).prop_map(|(name, configs)| Command::ConnectorCreate { name, configs }),
        (
            name(),
            prop::sample::select(vec![
                ConnectorAction::Pause,
                ConnectorAction::Resume,
                ConnectorAction::Restart,
                ConnectorAction::Delete
            ])
        )
            .prop_map(|(name, action)| Command::ConnectorChange { name, action }),
        name().prop_map(|n| Command::Describe(DescribeTarget::Subject(n))),
        name().prop_map(|n| Command::Describe(DescribeTarget::Connector(n))),
    ]
}

/// Schema text: JSON objects (nested, with strings holding braces) or any other text.
/// Schema references, with names and subjects that need quoting in JSON.
fn references() -> impl Strategy<Value = Vec<SchemaReference>> {
    prop::collection::vec((text(), name(), prop::option::of(1u32..5)), 0..3).prop_map(|refs| {
        let mut out: Vec<SchemaReference> = Vec::new();
        for (name, subject, version) in refs {
            if !out.iter().any(|r| r.name == name) {
                out.push(SchemaReference {
                    name,
                    subject,
                    version,
                });
            }
        }
        out
    })
}

fn schema() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::from(
            r#"{"type":"object","properties":{"a":{"enum":["}", "{"]}}}"#
        )),
        Just(String::from(r#"{ "type" : [ "string", "null" ] }"#)),
        text(),
    ]
}

fn commands_of(s: &Script) -> Vec<Command> {
    s.commands.iter().map(|(_, c)| c.clone()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn parse_of_print_is_the_identity(commands in prop::collection::vec(command(), 0..12)) {
        let script = Script { commands: commands.into_iter().enumerate().map(|(i, c)| (i + 1, c)).collect() };
        let text = print(&script);
        let parsed = parse(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(commands_of(&parsed), commands_of(&script), "{}", text);
        prop_assert_eq!(print(&parsed), text);
        let decoded = link::decode(&link::encode(&script)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(commands_of(&decoded), commands_of(&script));
    }

    #[test]
    fn parsing_never_panics(text in any::<String>()) {
        let _ = parse(&text);
        let _ = link::decode(&text);
    }
}
