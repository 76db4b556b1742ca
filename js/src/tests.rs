//! The JavaScript API, exercised as JS would, in headless Chromium.

use crate::{from_link, run_script, Cluster};
use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod props;

/// A JS value from JSON, typed as the API's parameter expects.
fn js<T: JsCast>(json: &str) -> T {
    js_sys::JSON::parse(json)
        .expect("valid JSON")
        .unchecked_into()
}

fn undefined<T: JsCast>() -> T {
    JsValue::UNDEFINED.unchecked_into()
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).expect("an object")
}

fn refused<T>(result: Result<T, JsValue>) -> JsValue {
    match result {
        Ok(_) => panic!("the call should have been refused"),
        Err(e) => e,
    }
}

fn code(e: &JsValue) -> String {
    get(e, "code").as_string().unwrap_or_default()
}

#[wasm_bindgen_test]
fn produce_consume_commit_with_kafkas_field_names() {
    let cluster = Cluster::new(js(r#"{"seed": 42}"#)).expect("a cluster");
    cluster
        .create_topic(
            "orders",
            js(r#"{"partitions": 3, "config": {"retention.ms": 3600000}}"#),
        )
        .expect("created");
    let producer = cluster
        .producer(js(r#"{"linger.ms": 5, "acks": "all"}"#))
        .expect("a producer");
    let sent = producer
        .send(js(r#"{"topic": "orders", "messages": [{"key": "alice", "value": "pizza", "headers": {"trace": "1"}}, {"key": "alice", "value": "pasta"}]}"#))
        .expect("queued");
    let ids: Vec<f64> = Array::from(&get(&sent, "ids"))
        .iter()
        .filter_map(|i| i.as_f64())
        .collect();
    assert_eq!(ids, vec![0.0, 1.0]);
    // linger.ms=5: nothing went out yet.
    assert_eq!(Array::from(&get(&sent, "reports")).length(), 0);
    let reports = Array::from(&producer.flush().expect("flushed"));
    assert_eq!(reports.length(), 2);
    let partition = get(&reports.get(0), "partition")
        .as_f64()
        .expect("a partition");
    // murmur2("alice") % 3, as Kafka's Java client computes it.
    assert_eq!(
        partition as u32,
        logplay_core::partitioner::partition_for_key(b"alice", 3)
    );

    let consumer = cluster
        .consumer(js(
            r#"{"group.id": "billing", "auto.offset.reset": "earliest", "client.id": "billing-1"}"#,
        ))
        .expect("a consumer");
    assert_eq!(consumer.name(), "billing-1");
    consumer.assign(js(r#"[{"topic": "orders", "partition": 0}, {"topic": "orders", "partition": 1}, {"topic": "orders", "partition": 2}]"#)).expect("assigned");
    let records = Array::from(&consumer.poll().expect("polled"));
    assert_eq!(records.length(), 2);
    let first = records.get(0);
    assert_eq!(get(&first, "value").as_string().as_deref(), Some("pizza"));
    assert_eq!(get(&first, "key").as_string().as_deref(), Some("alice"));
    assert_eq!(get(&first, "offset").as_f64(), Some(0.0));
    assert_eq!(get(&get(&first, "headers"), "length").as_f64(), Some(1.0));
    let committed = Array::from(&consumer.commit(undefined()).expect("committed"));
    assert!(committed
        .iter()
        .any(|c| get(&c, "offset").as_f64() == Some(2.0)));
    // flush() sent at once; the clock moves only with tick().
    assert_eq!(cluster.now(), 0.0);
    let ticked = Array::from(&cluster.tick(10.0).expect("ticked"));
    assert!(ticked.iter().any(|o| get(&o, "now").as_f64() == Some(10.0)));
    assert_eq!(cluster.now(), 10.0);
    // The calls are a script: it replays to the same state, and so does the link.
    let again = Cluster::from_script(&cluster.script(), undefined()).expect("replayed");
    assert_eq!(again.state_hash(), cluster.state_hash());
    let shared = Cluster::from_link(
        &format!("https://x.invalid/#s={}", cluster.link()),
        undefined(),
    )
    .expect("opened");
    assert_eq!(shared.state_hash(), cluster.state_hash());
}

#[wasm_bindgen_test]
fn errors_are_js_errors_with_kafkas_code_and_change_nothing() {
    let cluster = Cluster::new(undefined()).expect("a cluster");
    let before = cluster.state_hash();
    let e = refused(cluster.create_topic("bad name", undefined()));
    assert!(e.is_instance_of::<js_sys::Error>());
    assert_eq!(code(&e), "INVALID_TOPIC_EXCEPTION");
    assert_eq!(
        code(&refused(
            cluster.create_topic("t", js(r#"{"partitions": 0}"#))
        )),
        "INVALID_PARTITIONS"
    );
    assert_eq!(
        code(&refused(cluster.producer(js(r#"{"acks": "most"}"#)))),
        "INVALID_CONFIG"
    );
    assert_eq!(
        code(&refused(
            cluster.create_topic("t", js(r#"{"partitions": 1.5}"#))
        )),
        "INVALID_PARTITIONS"
    );
    assert_eq!(code(&refused(cluster.tick(-1.0))), "INVALID_REQUEST");
    assert_eq!(code(&refused(cluster.tick(f64::NAN))), "INVALID_REQUEST");
    assert_eq!(cluster.state_hash(), before);
    assert_eq!(cluster.script(), "");
    cluster.create_topic("t", undefined()).expect("created");
    let producer = cluster.producer(undefined()).expect("a producer");
    let bad_partition = js(r#"{"topic": "t", "messages": [{"value": "v", "partition": -1}]}"#);
    assert_eq!(
        code(&refused(producer.send(bad_partition))),
        "UNKNOWN_TOPIC_OR_PARTITION"
    );
    let consumer = cluster
        .consumer(js(r#"{"group.id": "g"}"#))
        .expect("a consumer");
    assert_eq!(
        code(&refused(consumer.assign(js(r#"[{"topic": "t"}]"#)))),
        "UNKNOWN_TOPIC_OR_PARTITION"
    );
    consumer
        .assign(js(r#"[{"topic": "t", "partition": 0}]"#))
        .expect("assigned");
    let bad_offset = js(r#"[{"topic": "t", "partition": 0, "offset": -3}]"#);
    assert_eq!(
        code(&refused(consumer.commit(bad_offset))),
        "OFFSET_OUT_OF_RANGE"
    );
    let bad_seek = js(r#"{"topic": "t", "partition": 0, "offset": 0.5}"#);
    assert_eq!(
        code(&refused(consumer.seek(bad_seek))),
        "OFFSET_OUT_OF_RANGE"
    );
    let before = (cluster.state_hash(), cluster.script());
    for (call, expected) in [
        (
            producer
                .send(js(r#"{"topic": "t", "messages": "hello"}"#))
                .map(drop),
            "INVALID_REQUEST",
        ),
        (
            producer
                .send(js(
                    r#"{"topic": "t", "messages": [{"value": "ok"}, "hello"]}"#,
                ))
                .map(drop),
            "INVALID_RECORD",
        ),
        (
            producer
                .send(js(
                    r#"{"topic": "t", "messages": [{"value": "ok"}, {"value": 7}]}"#,
                ))
                .map(drop),
            "INVALID_RECORD",
        ),
        (
            consumer.assign(js(r#"{"topic": "t", "partition": 0}"#)),
            "INVALID_REQUEST",
        ),
        (
            consumer
                .commit(js(r#"{"topic": "t", "partition": 0, "offset": 0}"#))
                .map(drop),
            "INVALID_REQUEST",
        ),
    ] {
        assert_eq!(code(&refused(call)), expected);
    }
    assert_eq!(
        (cluster.state_hash(), cluster.script()),
        before,
        "a refused call changes nothing"
    );
    let parse = refused(run_script("topic create t\nproduce", undefined()));
    assert_eq!(code(&parse), "INVALID_REQUEST");
    assert_eq!(get(&parse, "line").as_f64(), Some(2.0));
    assert_eq!(
        code(&refused(from_link("#s=1.damaged", undefined()))),
        "INVALID_REQUEST"
    );
}

#[wasm_bindgen_test]
fn subscribe_takes_kafkajs_forms_and_refuses_what_it_cannot_honour() {
    let cluster = Cluster::new(undefined()).expect("a cluster");
    cluster
        .create_topic("orders", undefined())
        .expect("created");
    let producer = cluster
        .producer(js(r#"{"linger.ms": 0}"#))
        .expect("a producer");
    producer
        .send(js(
            r#"{"topic": "orders", "messages": [{"value": "first"}]}"#,
        ))
        .expect("queued");
    producer.flush().expect("flushed");
    let consumer = cluster
        .consumer(js(
            r#"{"client.id": "c", "group.id": "g", "auto.offset.reset": "earliest"}"#,
        ))
        .expect("a consumer");
    let before = (cluster.state_hash(), cluster.script());
    for (options, expected) in [
        // A string is not a list: it would have been read as one topic per character.
        (r#"{"topics": "orders"}"#, "INVALID_REQUEST"),
        (r#"{"topics": ["orders", 7]}"#, "INVALID_TOPIC_EXCEPTION"),
        (r#"{"topic": null}"#, "INVALID_TOPIC_EXCEPTION"),
        (r#"{}"#, "INVALID_REQUEST"),
        (
            r#"{"topics": ["orders"], "fromBeginning": false}"#,
            "INVALID_CONFIG",
        ),
    ] {
        assert_eq!(
            code(&refused(consumer.subscribe(js(options)))),
            expected,
            "{options}"
        );
    }
    assert_eq!((cluster.state_hash(), cluster.script()), before);
    consumer
        .subscribe(js(r#"{"topic": "orders", "fromBeginning": true}"#))
        .expect("subscribed");
    assert!(
        cluster.script().ends_with("subscribe c orders\n"),
        "{}",
        cluster.script()
    );
    assert_eq!(Array::from(&consumer.poll().expect("joins")).length(), 0);
    cluster
        .tick(3000.0)
        .expect("group.initial.rebalance.delay.ms");
    let records = Array::from(&consumer.poll().expect("polled"));
    assert_eq!(records.length(), 1);
    assert_eq!(
        get(&records.get(0), "value").as_string().as_deref(),
        Some("first")
    );
}

#[wasm_bindgen_test]
fn transactions_and_read_committed() {
    let cluster = Cluster::new(js(r#"{"seed": 1}"#)).expect("a cluster");
    cluster.create_topic("pay", undefined()).expect("created");
    let tx = cluster
        .producer(js(r#"{"transactional.id": "pay-app", "linger.ms": 0}"#))
        .expect("a producer");
    let e = refused(tx.send(js(r#"{"topic": "pay", "messages": [{"value": "early"}]}"#)));
    assert_eq!(code(&e), "ILLEGAL_STATE");
    tx.init_transactions().expect("initialized");
    tx.begin_transaction().expect("begun");
    tx.send(js(
        r#"{"topic": "pay", "messages": [{"value": "aborted"}]}"#,
    ))
    .expect("sent");
    tx.abort_transaction().expect("aborted");
    tx.begin_transaction().expect("begun");
    tx.send(js(
        r#"{"topic": "pay", "messages": [{"value": "committed"}]}"#,
    ))
    .expect("sent");
    let local = cluster
        .consumer(js(r#"{"client.id": "c", "group.id": "g"}"#))
        .expect("a consumer");
    local
        .assign(js(r#"[{"topic": "pay", "partition": 0}]"#))
        .expect("assigned");
    let elsewhere = Cluster::new(undefined()).expect("another cluster");
    let namesake = elsewhere
        .consumer(js(r#"{"client.id": "c", "group.id": "g"}"#))
        .expect("a consumer of the same name");
    assert_eq!(
        code(&refused(tx.send_offsets(&namesake))),
        "INVALID_REQUEST"
    );
    tx.send_offsets(&local).expect("offsets sent");
    tx.commit_transaction().expect("committed");
    let reader = cluster
        .consumer(js(
            r#"{"isolation.level": "read_committed", "auto.offset.reset": "earliest"}"#,
        ))
        .expect("a consumer");
    reader
        .assign(js(r#"[{"topic": "pay", "partition": 0}]"#))
        .expect("assigned");
    let values: Vec<String> = Array::from(&reader.poll().expect("polled"))
        .iter()
        .filter_map(|r| get(&r, "value").as_string())
        .collect();
    assert_eq!(values, ["committed"]);
    let zombie = cluster
        .producer(js(r#"{"transactional.id": "pay-app"}"#))
        .expect("a producer");
    zombie.init_transactions().expect("initialized");
    assert_eq!(code(&refused(tx.begin_transaction())), "PRODUCER_FENCED");
    let topic = cluster
        .describe("topic", Some("pay".into()))
        .expect("described");
    let p0 = Array::from(&get(&topic, "partitions")).get(0);
    assert_eq!(
        get(&p0, "last_stable_offset").as_f64(),
        get(&p0, "high_watermark").as_f64()
    );
}

#[wasm_bindgen_test]
fn run_script_and_links_return_the_outputs_of_logplay_run() {
    let outputs = Array::from(
        &run_script(
            "topic create t\nproducer p linger.ms=0\nproduce p t value=v\ntick 1ms",
            undefined(),
        )
        .expect("ran"),
    );
    let kinds: Vec<String> = outputs
        .iter()
        .filter_map(|o| get(&o, "type").as_string())
        .collect();
    assert!(kinds.contains(&"delivery".to_string()) && kinds.contains(&"clock".to_string()));
    let cluster = Cluster::from_script("topic create t", undefined()).expect("ran");
    let more = Array::from(&cluster.run("topic create t\ntopic create u").expect("ran"));
    let errors = more
        .iter()
        .filter(|o| !get(o, "error").is_undefined())
        .count();
    assert_eq!(
        errors, 1,
        "the second create of t is refused and reported, the run goes on"
    );
    let link_outputs = Array::from(&from_link(&cluster.link(), undefined()).expect("ran"));
    assert_eq!(link_outputs.length(), 2);
}

#[wasm_bindgen_test]
fn every_entry_point_keeps_to_the_limits_it_is_given() {
    let hostile = "topic create t\nproducer p\ngenerate p t count=1000000\ntopic create u";
    let small: JsValue = js(r#"{ "limits": { "bytes": 1048576 } }"#);
    let is_budget = |o: &JsValue| {
        let error = get(o, "error");
        error.is_object()
            && get(&error, "message")
                .as_string()
                .is_some_and(|m| m.contains("limits.bytes is 1.0 MiB"))
    };
    // runScript and fromLink report the refused generate and go on.
    let outputs = Array::from(&run_script(hostile, small.clone().unchecked_into()).expect("ran"));
    assert_eq!(outputs.iter().filter(is_budget).count(), 1);
    let cluster = Cluster::from_script(hostile, small.clone().unchecked_into()).expect("ran");
    assert!(
        !cluster.script().contains("generate"),
        "the refused generate is not recorded"
    );
    assert!(cluster.script().contains("topic create u"));
    let link = format!(
        "#s={}",
        Cluster::from_script(hostile, undefined())
            .expect("ran")
            .link()
    );
    let outputs = Array::from(&from_link(&link, small.clone().unchecked_into()).expect("ran"));
    assert_eq!(outputs.iter().filter(is_budget).count(), 1);
    let opened = Cluster::from_link(&link, small.unchecked_into()).expect("ran");
    assert_eq!(opened.script(), cluster.script());
    // new Cluster({ limits }) refuses the client past the limit, with Kafka's error name.
    let two = Cluster::new(js(r#"{ "limits": { "clients": 1 } }"#)).expect("made");
    two.producer(undefined()).expect("the first client");
    assert_eq!(
        code(&refused(two.producer(undefined()))),
        "POLICY_VIOLATION"
    );
    let described = two.describe("cluster", None).expect("described");
    assert_eq!(
        get(&get(&described, "limits"), "clients").as_f64(),
        Some(1.0)
    );
    assert_eq!(
        get(&get(&described, "usage"), "clients").as_f64(),
        Some(1.0)
    );
    assert!(get(&get(&described, "usage"), "bytes").as_f64() > Some(0.0));
    let bad = Cluster::new(js(r#"{ "limits": { "bytes": -1 } }"#));
    assert_eq!(code(&refused(bad)), "INVALID_CONFIG");
}

/// The ids of these delivery reports.
fn report_ids(reports: &JsValue) -> Vec<f64> {
    Array::from(reports)
        .iter()
        .map(|r| get(&r, "id").as_f64().expect("an id"))
        .collect()
}

#[wasm_bindgen_test]
fn every_delivery_report_reaches_its_producer_once() {
    let cluster = Cluster::new(js(r#"{"seed": 5}"#)).expect("a cluster");
    cluster.create_topic("t", undefined()).expect("created");
    // linger.ms=0: send() sends at once, and returns the reports.
    let eager = cluster
        .producer(js(r#"{"linger.ms": 0}"#))
        .expect("a producer");
    let sent = eager
        .send(js(
            r#"{"topic": "t", "messages": [{"value": "a"}, {"value": "b"}]}"#,
        ))
        .expect("sent");
    assert_eq!(report_ids(&get(&sent, "reports")), vec![0.0, 1.0]);
    assert_eq!(
        report_ids(&eager.flush().expect("flushed")),
        Vec::<f64>::new()
    );
    assert_eq!(
        report_ids(&eager.deliveries().expect("drained")),
        Vec::<f64>::new()
    );
    // The default linger.ms: the batch goes out as the clock moves, and the report waits
    // in the producer's mailbox (tick() shows it too).
    let lazy = cluster.producer(undefined()).expect("a producer");
    lazy.send(js(r#"{"topic": "t", "messages": [{"value": "c"}]}"#))
        .expect("queued");
    let ticked = Array::from(&cluster.tick(100.0).expect("ticked"));
    assert!(ticked
        .iter()
        .any(|o| get(&o, "type").as_string().as_deref() == Some("delivery")));
    assert_eq!(report_ids(&lazy.deliveries().expect("drained")), vec![0.0]);
    assert_eq!(
        report_ids(&lazy.deliveries().expect("drained")),
        Vec::<f64>::new()
    );
    // A lost ack is retried on the clock: the report of the retry comes later, once.
    lazy.send(js(r#"{"topic": "t", "messages": [{"value": "d"}]}"#))
        .expect("queued");
    cluster.run("fault lose-ack producer-2 1").expect("ran");
    assert_eq!(
        report_ids(&lazy.flush().expect("flushed")),
        Vec::<f64>::new()
    );
    // request.timeout.ms (30 s) passes, the batch is sent again and acknowledged.
    cluster.tick(31_000.0).expect("ticked");
    cluster.tick(1_000.0).expect("ticked");
    assert_eq!(report_ids(&lazy.deliveries().expect("drained")), vec![1.0]);
    // The eager producer got none of the lazy one's reports.
    assert_eq!(
        report_ids(&eager.deliveries().expect("drained")),
        Vec::<f64>::new()
    );
}
