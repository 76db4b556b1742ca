//! Property tests of the session: random command sequences, refused ones included. A
//! refused command leaves the state exactly as it was, and replaying the session's script
//! gives the same state hash.
#![cfg(not(target_arch = "wasm32"))]

use logplay_core::script::{parse, Session};
use proptest::prelude::*;

/// One script line over a few names, so that many commands meet each other (and many are
/// refused: unknown names, wrong states, bad configs).
fn line() -> impl Strategy<Value = String> {
    let topic = prop_oneof![Just("t"), Just("u"), Just("__consumer_offsets")];
    let client = prop_oneof![Just("p"), Just("q"), Just("c"), Just("d"), Just("x")];
    let producer = prop_oneof![Just("p"), Just("q")];
    let consumer = prop_oneof![Just("c"), Just("d")];
    let n = 0u32..4;
    prop_oneof![
        Just("seed 7".to_string()),
        Just("broker default.replication.factor=2".to_string()),
        (1usize..5).prop_map(|n| format!("brokers {n}")),
        (
            1i32..5,
            prop_oneof![Just("stop"), Just("start"), Just("isolate"), Just("heal")]
        )
            .prop_map(|(b, a)| format!("broker {a} {b}")),
        (topic.clone(), 0u32..4, 1u32..4).prop_map(|(t, p, r)| format!(
            "topic create {t} partitions={p} replication.factor={r}"
        )),
        topic
            .clone()
            .prop_map(|t| format!("topic create {t} partitions=2")),
        topic.clone().prop_map(|t| format!("topic delete {t}")),
        (topic.clone(), 0u32..5).prop_map(|(t, n)| format!("topic partitions {t} {n}")),
        (topic.clone(), n.clone())
            .prop_map(|(t, p)| format!("topic delete-records {t}:{p} before=1")),
        (
            producer.clone(),
            prop_oneof![
                Just(""),
                Just(" linger.ms=0"),
                Just(" acks=0"),
                Just(" transactional.id=tx"),
                Just(" transactional.id=tx linger.ms=0"),
                Just(" enable.idempotence=false acks=1"),
                Just(" bogus=1"),
                // Values that outgrow max.request.size: a generate can stop partway.
                Just(" max.request.size=103"),
                Just(" max.request.size=110"),
                Just(" transactional.id=tx linger.ms=0 acks=all"),
            ]
        )
            .prop_map(|(p, c)| format!("producer {p}{c}")),
        (
            consumer.clone(),
            prop_oneof![
                Just(""),
                Just(" group.id=g auto.offset.reset=earliest"),
                Just(" group.id=g isolation.level=read_committed"),
                Just(" group.id=g enable.auto.commit=false"),
                Just(" auto.offset.reset=none group.id=h"),
            ]
        )
            .prop_map(|(c, cfg)| format!("consumer {c}{cfg}")),
        (producer.clone(), topic.clone(), 0u32..3)
            .prop_map(|(p, t, k)| format!("produce {p} {t} key=k{k} value=v")),
        (producer.clone(), topic.clone(), n.clone())
            .prop_map(|(p, t, n)| format!("produce {p} {t} value=v partition={n}")),
        (producer.clone(), topic.clone(), 0u64..30)
            .prop_map(|(p, t, n)| format!("generate {p} {t} count={n} key=k{{i}}")),
        (producer.clone(), topic.clone(), 0u64..30)
            .prop_map(|(p, t, n)| format!("generate {p} {t} count={n} value=v{{i}}{{i}}{{i}}")),
        producer.clone().prop_map(|p| format!("flush {p}")),
        (consumer.clone(), topic.clone()).prop_map(|(c, t)| format!("subscribe {c} {t}")),
        consumer.clone().prop_map(|c| format!("unsubscribe {c}")),
        (consumer.clone(), topic.clone(), n.clone())
            .prop_map(|(c, t, p)| format!("assign {c} {t}:{p}")),
        consumer.clone().prop_map(|c| format!("poll {c}")),
        consumer.clone().prop_map(|c| format!("poll {c}")),
        (consumer.clone(), topic.clone(), n.clone(), 0i64..5)
            .prop_map(|(c, t, p, o)| format!("seek {c} {t}:{p} {o}")),
        (
            consumer.clone(),
            topic.clone(),
            n.clone(),
            prop_oneof![Just("pause"), Just("resume")]
        )
            .prop_map(|(c, t, p, a)| format!("{a} {c} {t}:{p}")),
        // A list that fails partway: the partitions before the bad one are paused.
        (consumer.clone(), prop_oneof![Just("pause"), Just("resume")])
            .prop_map(|(c, a)| format!("{a} {c} t:0 t:1 u:0 t:3")),
        consumer.clone().prop_map(|c| format!("commit {c}")),
        consumer.clone().prop_map(|c| format!("commit {c} async")),
        (consumer.clone(), topic.clone(), n.clone(), 0i64..5)
            .prop_map(|(c, t, p, o)| format!("commit {c} {t}:{p}={o}")),
        client.clone().prop_map(|c| format!("close {c}")),
        client.clone().prop_map(|c| format!("fault crash {c}")),
        (producer.clone(), 1u32..3).prop_map(|(p, n)| format!("fault lose-ack {p} {n}")),
        (
            producer.clone(),
            prop_oneof![Just("init"), Just("begin"), Just("commit"), Just("abort")]
        )
            .prop_map(|(p, a)| format!("txn {a} {p}")),
        (producer.clone(), consumer.clone()).prop_map(|(p, c)| format!("txn send-offsets {p} {c}")),
        (
            topic.clone(),
            prop_oneof![Just("to-earliest"), Just("to-latest"), Just("shift-by=-1")]
        )
            .prop_map(|(t, to)| format!("group reset-offsets g {t} {to}")),
        Just("group delete g".to_string()),
        topic
            .clone()
            .prop_map(|t| format!("group delete-offsets g {t}")),
        prop_oneof![
            Just("1ms"),
            Just("10ms"),
            Just("3s"),
            Just("40s"),
            Just("2m")
        ]
        .prop_map(|d| format!("tick {d}")),
        prop_oneof![Just("300ms"), Just("5s")].prop_map(|d| format!("play {d}")),
        (producer.clone(), topic.clone())
            .prop_map(|(p, t)| format!("datagen start s {p} {t} rate=20")),
        Just("datagen stop s".to_string()),
        prop_oneof![
            Just("cluster"),
            Just("group g"),
            Just("topic t"),
            Just("transaction tx")
        ]
        .prop_map(|w| format!("describe {w}")),
        Just(r#"schema register t-value {"type":"object"}"#.to_string()),
        Just("schema delete t-value".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("SESSION_PROP_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(200),
        ..ProptestConfig::default()
    })]

    #[test]
    fn refused_commands_change_nothing_and_the_script_replays(
        lines in prop::collection::vec(line(), 1..60)
    ) {
        let mut session = Session::new();
        for text in &lines {
            let command = parse(text).expect("the generator writes valid lines").commands.remove(0).1;
            let before = format!("{:?}", session.runner());
            let hash = session.state_hash();
            if let Err(failure) = session.apply(command) {
                if !failure.took_effect {
                    prop_assert_eq!(session.state_hash(), hash, "`{}` was refused ({}) and changed the state hash", text, failure.error);
                    prop_assert!(format!("{:?}", session.runner()) == before, "`{}` was refused ({}) and changed the runner", text, failure.error);
                }
            }
        }
        let (replayed, _) = Session::run(session.script());
        prop_assert_eq!(replayed.state_hash(), session.state_hash(), "the script does not replay:\n{}", logplay_core::script::print(session.script()));
        prop_assert_eq!(replayed.script(), session.script());
    }
}

/// Commands that fail after they changed state are recorded, and the script replays.
#[test]
fn commands_that_fail_partway_are_recorded() {
    let cases = [
        // The flush sent the batch; its ack is lost, so the commit times out.
        (
            "topic create t partitions=1\nproducer p transactional.id=tx\ntxn init p\ntxn begin p\nproduce p t value=a\nfault lose-ack p 1",
            "txn commit p",
            "REQUEST_TIMED_OUT",
        ),
        // Ten records fit max.request.size; the eleventh does not.
        (
            "topic create t partitions=1\nproducer p max.request.size=103",
            "generate p t count=30 value=v{i}{i}{i}",
            "MESSAGE_TOO_LARGE",
        ),
        // t:0 is paused before u:0 is found unassigned.
        (
            "topic create t partitions=1\nconsumer c\nassign c t:0",
            "pause c t:0 u:0",
            "ILLEGAL_STATE",
        ),
    ];
    for (setup, text, code) in cases {
        let (mut session, _) = Session::run(&parse(setup).unwrap());
        let hash = session.state_hash();
        let command = parse(text).unwrap().commands.remove(0).1;
        let failure = session.apply(command).expect_err(text);
        assert_eq!(failure.error.code.name(), code, "{text}");
        assert!(
            failure.took_effect,
            "{text} changed state and must be recorded"
        );
        assert_ne!(session.state_hash(), hash, "{text}");
        let (replayed, _) = Session::run(session.script());
        assert_eq!(replayed.state_hash(), session.state_hash(), "{text}");
    }
}

/// A command the language cannot write is refused unchanged, with Kafka's error where
/// Kafka has one.
#[test]
fn commands_that_do_not_read_back_are_refused() {
    use logplay_core::script::Command;
    let mut session = Session::new();
    let hash = session.state_hash();
    let bad_topic = Command::CreateTopic {
        name: "bad name".into(),
        partitions: 1,
        replication_factor: None,
        configs: Vec::new(),
    };
    let refused = session.apply(bad_topic).expect_err("a name with a space");
    assert_eq!(refused.error.code.name(), "INVALID_TOPIC_EXCEPTION");
    let bad_client = Command::Producer {
        name: "p q".into(),
        configs: Vec::new(),
    };
    let refused = session.apply(bad_client).expect_err("a name with a space");
    assert_eq!(refused.error.code.name(), "INVALID_REQUEST");
    assert!(!refused.took_effect);
    assert_eq!(session.state_hash(), hash);
    assert!(session.script().commands.is_empty());
}
