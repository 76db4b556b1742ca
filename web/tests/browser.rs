//! The playground's components, rendered in headless Chromium: forms dispatch commands, the
//! views draw the core's state, and hostile input stays text.
#![cfg(target_arch = "wasm32")]

use gloo::storage::{LocalStorage, Storage};
use logplay_core::partitioner::partition_for_key;
use logplay_web::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, Event, HtmlElement, HtmlInputElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh app in its own element (nothing saved from an earlier test).
async fn mount() -> Element {
    LocalStorage::clear();
    let document = gloo::utils::document();
    let root = document.create_element("div").expect("a div");
    document
        .body()
        .expect("a body")
        .append_child(&root)
        .expect("appended");
    yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    root
}

/// Waits for the replay in progress (a recipe, a link) to end: the page runs it in slices,
/// yielding to the browser between them.
async fn settle(root: &Element) {
    for _ in 0..1000 {
        let replaying = root.query_selector("[data-testid=\"replaying\"]");
        if replaying.ok().flatten().is_none() {
            break;
        }
        yew::platform::time::sleep(core::time::Duration::from_millis(5)).await;
    }
    yew::scheduler::flush().await;
}

fn find(root: &Element, id: &str) -> Element {
    root.query_selector(&format!("[data-testid=\"{id}\"]"))
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("no {id}"))
}

fn text(root: &Element, id: &str) -> String {
    find(root, id).text_content().unwrap_or_default()
}

async fn type_into(root: &Element, id: &str, value: &str) {
    let input: HtmlInputElement = find(root, id).dyn_into().expect("an input");
    input.set_value(value);
    input
        .dispatch_event(&Event::new("input").expect("an event"))
        .expect("dispatched");
    yew::scheduler::flush().await;
}

async fn choose(root: &Element, id: &str, value: &str) {
    let select: HtmlSelectElement = find(root, id).dyn_into().expect("a select");
    select.set_value(value);
    select
        .dispatch_event(&Event::new("change").expect("an event"))
        .expect("dispatched");
    yew::scheduler::flush().await;
}

async fn click(root: &Element, id: &str) {
    let button: HtmlElement = find(root, id).dyn_into().expect("a button");
    button.click();
    yew::scheduler::flush().await;
}

async fn console(root: &Element, command: &str) {
    type_into(root, "command", command).await;
    let input: HtmlInputElement = find(root, "command").dyn_into().expect("an input");
    let form: HtmlElement = input
        .parent_element()
        .expect("a form")
        .dyn_into()
        .expect("an element");
    form.dispatch_event(&Event::new("submit").expect("an event"))
        .expect("dispatched");
    yew::scheduler::flush().await;
}

#[wasm_bindgen_test]
async fn the_forms_create_a_topic_and_produce_keyed_records_where_kafka_would() {
    let root = mount().await;
    type_into(&root, "topic-name", "orders").await;
    type_into(&root, "topic-partitions", "3").await;
    click(&root, "create-topic").await;
    assert!(root
        .query_selector("[data-testid=\"topic-orders\"]")
        .ok()
        .flatten()
        .is_some());
    for key in ["alice", "bob", "carol"] {
        type_into(&root, "produce-key", key).await;
        type_into(&root, "produce-value", &format!("hello {key}")).await;
        let p = partition_for_key(key.as_bytes(), 3);
        assert!(text(&root, "key-reason").ends_with(&format!(
            "% 3 = {p}   (murmur2 = {})",
            logplay_core::partitioner::murmur2(key.as_bytes())
        )));
        click(&root, "produce").await;
    }
    // Waiting for linger.ms: the batches are visible until the clock moves.
    assert!(text(&root, "pending-producer-1").contains("waiting for linger.ms"));
    click(&root, "step").await;
    assert_eq!(text(&root, "clock"), "t = 0.1s");
    for key in ["alice", "bob", "carol"] {
        let p = partition_for_key(key.as_bytes(), 3);
        assert!(
            text(&root, &format!("log-orders-{p}")).contains(&format!("hello {key}")),
            "{key} on {p}"
        );
    }
    assert!(find(&root, "script")
        .dyn_into::<web_sys::HtmlTextAreaElement>()
        .expect("a textarea")
        .value()
        .contains("produce producer-1 orders key=alice value=\"hello alice\""));
}

#[wasm_bindgen_test]
async fn refused_input_shows_kafkas_error_inline_and_hostile_text_stays_text() {
    let root = mount().await;
    type_into(&root, "topic-name", "<img src=x onerror=alert(1)>").await;
    click(&root, "create-topic").await;
    let error = text(&root, "topic-error");
    assert!(error.starts_with("INVALID_TOPIC_EXCEPTION"), "{error}");
    assert!(error.contains("<img src=x onerror=alert(1)>"));
    assert!(
        root.query_selector("img").ok().flatten().is_none(),
        "never markup"
    );
    type_into(&root, "topic-name", "t").await;
    type_into(&root, "topic-configs", "retention.ms=soon").await;
    click(&root, "create-topic").await;
    assert!(text(&root, "topic-error").starts_with("INVALID_CONFIG"));
    assert!(
        root.query_selector("[data-testid=\"topic-t\"]")
            .ok()
            .flatten()
            .is_none(),
        "nothing changed"
    );
    console(&root, "topic create t").await;
    console(&root, "producer p linger.ms=0").await;
    console(
        &root,
        "produce p t key=<b>k</b> value=\"<script>alert(1)</script>\"",
    )
    .await;
    console(&root, "play 100ms").await;
    let log = find(&root, "log-t-0");
    // Clipped to the cell's width, and text.
    assert!(log
        .text_content()
        .unwrap_or_default()
        .contains("<script>alert(1)<…"));
    assert!(
        log.query_selector("script, b").ok().flatten().is_none(),
        "never markup"
    );
    console(&root, "produce p").await;
    assert!(
        text(&root, "console-error").contains("line 1, column 10"),
        "{}",
        text(&root, "console-error")
    );
}

#[wasm_bindgen_test]
async fn two_consumers_in_a_group_split_the_partitions_and_show_what_they_polled() {
    let root = mount().await;
    for line in [
        "topic create orders partitions=3",
        "producer p",
        "generate p orders count=30 key=k{i}",
    ] {
        console(&root, line).await;
    }
    for name in ["a", "b"] {
        type_into(&root, "consumer-name", name).await;
        type_into(&root, "consumer-group", "billing").await;
        choose(&root, "consumer-strategy", "range").await;
        type_into(&root, "consumer-target", "orders").await;
        click(&root, "add-consumer").await;
    }
    // group.initial.rebalance.delay.ms is 3 s: play at ×100 is 10 s a frame; step instead.
    for _ in 0..35 {
        click(&root, "step").await;
    }
    assert_eq!(text(&root, "group-state-billing"), "Stable");
    assert!(
        text(&root, "member-a").ends_with("orders-0 orders-1"),
        "{}",
        text(&root, "member-a")
    );
    assert!(
        text(&root, "member-b").ends_with("orders-2"),
        "{}",
        text(&root, "member-b")
    );
    assert!(text(&root, "rebalance-a").contains("assigned orders:0 orders:1"));
    assert_eq!(text(&root, "lag-a"), "lag 0");
    assert!(find(&root, "polled-b").children().length() > 0);
    assert!(
        text(&root, "log-orders-2").contains("▸b"),
        "b's position is drawn on its partition"
    );
}

#[wasm_bindgen_test]
async fn a_recipe_loads_with_its_lesson_and_new_clears_it() {
    let root = mount().await;
    choose(&root, "recipes", "keys-and-ordering").await;
    assert!(
        root.query_selector("[data-testid=\"replaying\"]")
            .ok()
            .flatten()
            .is_some(),
        "a recipe replays in slices"
    );
    settle(&root).await;
    assert!(text(&root, "lesson").starts_with("Keys and ordering"));
    assert!(text(&root, "topics").contains("orders"));
    click(&root, "new").await;
    assert!(root
        .query_selector("[data-testid=\"topics\"]")
        .ok()
        .flatten()
        .is_none());
    assert_eq!(text(&root, "clock"), "t = 0.0s");
}

#[wasm_bindgen_test]
async fn a_transaction_is_driven_from_the_producer_card_and_its_marker_drawn() {
    let root = mount().await;
    console(&root, "topic create pay").await;
    type_into(&root, "producer-name", "tx").await;
    type_into(&root, "producer-linger", "0").await;
    type_into(&root, "producer-transactional-id", "pay-app").await;
    click(&root, "create-producer").await;
    assert!(text(&root, "txn-tx").contains("UNINITIALIZED"));
    click(&root, "txn-init-tx").await;
    click(&root, "txn-begin-tx").await;
    assert!(text(&root, "txn-tx").contains("IN_TRANSACTION"));
    console(&root, "produce tx pay value=paid").await;
    click(&root, "step").await;
    let row = find(&root, "partition-pay-0");
    assert!(
        row.text_content().unwrap_or_default().contains("LSO 0"),
        "the open transaction holds the LSO"
    );
    assert!(row
        .query_selector(".cell.open-txn")
        .ok()
        .flatten()
        .is_some());
    click(&root, "txn-commit-tx").await;
    let log = text(&root, "log-pay-0");
    assert!(log.contains("COMMIT"), "{log}");
    assert!(text(&root, "partition-pay-0").contains("LSO 2"));
    click(&root, "txn-commit-tx").await;
    assert!(text(&root, "txn-tx").contains("READY"));
    assert!(text(&root, "producer-card-error").starts_with(
        "ILLEGAL_STATE: TransactionalId pay-app: Invalid transition attempted from state READY"
    ));
}

#[wasm_bindgen_test]
async fn send_offsets_from_the_producer_card_commits_the_input_with_the_transaction() {
    let root = mount().await;
    for command in [
        "topic create input",
        "topic create output",
        "producer src linger.ms=0",
        "generate src input count=3 value=in-{i}",
        "tick 1ms",
        "consumer app group.id=eos auto.offset.reset=earliest enable.auto.commit=false",
        "assign app input:0",
        "consumer audit auto.offset.reset=earliest",
        "producer out transactional.id=eos-app linger.ms=0",
        "txn init out",
        "poll app",
        "txn begin out",
        "produce out output value=out",
    ] {
        console(&root, command).await;
    }
    assert!(
        root.query_selector("[data-testid=\"txn-send-offsets-out-audit\"]")
            .ok()
            .flatten()
            .is_none(),
        "a consumer outside any group has no group metadata to send"
    );
    let committed = || text(&root, "assignment-app");
    assert!(committed().contains("input-03–"), "{}", committed());
    click(&root, "txn-send-offsets-out-app").await;
    assert!(
        committed().contains("input-03–"),
        "offsets sent to a transaction are not committed before it is"
    );
    click(&root, "txn-commit-out").await;
    assert!(committed().contains("input-0330"), "{}", committed());
    let script: web_sys::HtmlTextAreaElement =
        find(&root, "script").dyn_into().expect("a textarea");
    assert!(script.value().contains("txn send-offsets out app"));
}

#[wasm_bindgen_test]
async fn brokers_are_columns_and_a_click_stops_one_and_moves_leadership() {
    let root = mount().await;
    click(&root, "add-broker").await;
    click(&root, "add-broker").await;
    assert!(find(&root, "broker-3")
        .text_content()
        .unwrap_or_default()
        .contains("running"));
    type_into(&root, "topic-name", "orders").await;
    type_into(&root, "topic-partitions", "1").await;
    type_into(&root, "topic-replication", "3").await;
    click(&root, "create-topic").await;
    let replication = text(&root, "replication-orders-0");
    assert!(replication.contains("epoch 0"), "{replication}");
    let leader: i32 = replication
        .split_whitespace()
        .nth(1)
        .and_then(|l| l.parse().ok())
        .expect("leader N · …");
    assert!(text(&root, &format!("replica-orders-0-{leader}")).starts_with('★'));
    assert!(root
        .query_selector("[data-testid=under-replicated]")
        .ok()
        .flatten()
        .is_none());
    click(&root, &format!("broker-stop-{leader}")).await;
    assert_eq!(text(&root, &format!("broker-state-{leader}")), "stopped");
    let after = text(&root, "replication-orders-0");
    assert!(after.contains("epoch 1"), "a new leader: {after}");
    assert!(!after.starts_with(&format!("leader {leader} ")), "{after}");
    assert!(text(&root, "under-replicated").contains("orders-0"));
    assert!(find(&root, "partition-orders-0")
        .class_list()
        .contains("under-replicated"));
    // Stop the rest: no replica is left to lead, so the partition is offline.
    for b in (1..=3).filter(|&b| b != leader) {
        click(&root, &format!("broker-stop-{b}")).await;
    }
    assert!(text(&root, "offline").contains("orders-0"));
    assert!(text(&root, "replication-orders-0").starts_with("offline"));
    // Every click is a command in the script; a broker cannot stop twice.
    let script: web_sys::HtmlTextAreaElement =
        find(&root, "script").dyn_into().expect("a textarea");
    let script = script.value();
    assert!(script.contains("brokers 3"), "{script}");
    assert!(
        script.contains(&format!("broker stop {leader}")),
        "{script}"
    );
    console(&root, &format!("broker stop {leader}")).await;
    let refused = text(&root, "console-error");
    assert!(
        refused.starts_with(&format!("`broker stop {leader}`: INVALID_REQUEST")),
        "{refused}"
    );
}

#[wasm_bindgen_test]
async fn leadership_goes_back_to_the_preferred_replica_on_the_controllers_schedule() {
    let root = mount().await;
    console(&root, "brokers 3").await;
    console(
        &root,
        "topic create orders partitions=1 replication.factor=3",
    )
    .await;
    let leader: i32 = text(&root, "replication-orders-0")
        .split_whitespace()
        .nth(1)
        .and_then(|l| l.parse().ok())
        .expect("leader N · …");
    let preferred = find(&root, &format!("replica-orders-0-{leader}"));
    assert!(preferred
        .get_attribute("title")
        .unwrap_or_default()
        .contains("preferred"));
    assert!(root
        .query_selector("[data-testid=not-preferred]")
        .ok()
        .flatten()
        .is_none());
    click(&root, &format!("broker-stop-{leader}")).await;
    click(&root, &format!("broker-start-{leader}")).await;
    assert!(text(&root, "not-preferred").contains("orders-0"));
    console(&root, "tick 1s").await;
    assert!(!text(&root, "replication-orders-0").starts_with(&format!("leader {leader} ")));
    console(&root, "tick 5m").await;
    let back = text(&root, "replication-orders-0");
    assert!(back.starts_with(&format!("leader {leader} ")), "{back}");
    assert!(back.contains("epoch 2"), "{back}");
    assert!(root
        .query_selector("[data-testid=not-preferred]")
        .ok()
        .flatten()
        .is_none());
}

#[wasm_bindgen_test]
async fn export_shows_the_scenario_as_a_python_program_and_a_shell_script() {
    let root = mount().await;
    console(&root, "topic create orders partitions=2").await;
    console(&root, "producer p linger.ms=0").await;
    console(&root, "produce p orders key=alice value=pizza").await;
    click(&root, "export").await;
    let program = |root: &Element| -> String {
        let area: web_sys::HtmlTextAreaElement =
            find(root, "export-program").dyn_into().expect("a textarea");
        area.value()
    };
    let python = program(&root);
    assert!(python.contains("from confluent_kafka import"), "{python}");
    assert!(
        python.contains(r#"lp.create_topic("orders", 2, None, {})"#),
        "{python}"
    );
    assert!(python.contains(r#""alice".encode()"#), "{python}");
    assert_eq!(text(&root, "export-notes"), "");
    click(&root, "export-shell").await;
    let shell = program(&root);
    assert!(shell.contains("kcat -P -b \"$BOOTSTRAP\""), "{shell}");
    // A simulated fault cannot be carried over: the export says which line it skipped.
    console(&root, "fault lose-ack p").await;
    click(&root, "export-python").await;
    assert!(text(&root, "export-notes").contains("line 4"));
}

async fn type_text(root: &Element, id: &str, value: &str) {
    let area: web_sys::HtmlTextAreaElement = find(root, id).dyn_into().expect("a textarea");
    area.set_value(value);
    area.dispatch_event(&Event::new("input").expect("an event"))
        .expect("dispatched");
    yew::scheduler::flush().await;
}

async fn check(root: &Element, id: &str) {
    let input: HtmlInputElement = find(root, id).dyn_into().expect("a checkbox");
    input.set_checked(true);
    input
        .dispatch_event(&Event::new("change").expect("an event"))
        .expect("dispatched");
    yew::scheduler::flush().await;
}

#[wasm_bindgen_test]
async fn the_registry_panel_registers_checks_and_refuses_schemas_and_records_show_their_ids() {
    let root = mount().await;
    console(&root, "topic create orders partitions=1").await;
    type_into(&root, "schema-subject", "orders-value").await;
    type_text(
        &root,
        "schema-text",
        r#"{"type":"object","properties":{"id":{"type":"integer"}},"required":["id"]}"#,
    )
    .await;
    click(&root, "schema-register").await;
    assert_eq!(
        text(&root, "version-orders-value-1"),
        r#"version 1 · id 1{"properties":{"id":{"type":"integer"}},"required":["id"],"type":"object"}"#
    );
    // A new required field: not backward compatible.
    let required = r#"{"type":"object","properties":{"id":{"type":"integer"},"email":{"type":"string"}},"required":["id","email"]}"#;
    type_text(&root, "schema-text", required).await;
    click(&root, "schema-check").await;
    let result = text(&root, "compatibility-result");
    assert!(
        result.starts_with("orders-value under BACKWARD: not compatible with version 1"),
        "{result}"
    );
    // Each difference with its path: the open model's required addition.
    assert!(
        text(&root, "difference").starts_with(
            "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL at #/properties/emailThe new schema has an open content model"
        ),
        "{result}"
    );
    click(&root, "schema-register").await;
    assert!(text(&root, "registry-error")
        .starts_with("INCOMPATIBLE_SCHEMA: Schema being registered is incompatible"));
    // Under FORWARD it is allowed.
    choose(&root, "compatibility-orders-value", "FORWARD").await;
    click(&root, "schema-register").await;
    assert!(text(&root, "version-orders-value-2").starts_with("version 2 · id 2"));
    // A serializing producer and a deserializing consumer: the record shows its schema id.
    type_into(&root, "producer-name", "typed").await;
    type_into(&root, "producer-linger", "0").await;
    check(&root, "producer-json-schema").await;
    click(&root, "create-producer").await;
    console(
        &root,
        r#"produce typed orders key=k value={"id":7,"email":"a@b.c"}"#,
    )
    .await;
    console(&root, r#"produce typed orders key=k value={"id":8}"#).await;
    assert!(
        text(&root, "console-error").contains("SERIALIZATION_EXCEPTION: Validation error"),
        "{}",
        text(&root, "console-error")
    );
    type_into(&root, "consumer-name", "reader").await;
    type_into(&root, "consumer-target", "orders").await;
    choose(&root, "consumer-mode", "assign").await;
    type_into(&root, "consumer-target", "orders:0").await;
    check(&root, "consumer-json-schema").await;
    click(&root, "add-consumer").await;
    click(&root, "step").await;
    let polled = text(&root, "polled-reader");
    assert!(
        polled.contains(r#"{"id":7,"#) && polled.ends_with("schema 2"),
        "{polled}"
    );
}

#[wasm_bindgen_test]
async fn the_connectors_panel_runs_a_source_and_a_sink_and_shows_throughput_and_the_table() {
    let root = mount().await;
    console(&root, "topic create orders partitions=2").await;
    type_into(&root, "connector-name", "gen").await;
    type_into(&root, "connector-topics", "orders").await;
    type_into(&root, "connector-rate", "20").await;
    type_into(&root, "connector-tasks", "2").await;
    click(&root, "create-connector").await;
    type_into(&root, "connector-name", "latest").await;
    choose(&root, "connector-kind", "table").await;
    type_into(&root, "connector-topics", "orders").await;
    type_into(&root, "connector-tasks", "2").await;
    click(&root, "create-connector").await;
    assert_eq!(text(&root, "connector-state-gen"), "RUNNING");
    // The sink group's first join waits group.initial.rebalance.delay.ms (3 s).
    for _ in 0..40 {
        click(&root, "step").await;
    }
    let throughput = text(&root, "throughput-gen");
    assert!(
        throughput.starts_with("80 records written to · 20 records/s"),
        "{throughput}"
    );
    assert!(text(&root, "task-gen-0").contains("position 40"));
    assert!(
        text(&root, "task-latest-1").contains("orders-")
            || text(&root, "task-latest-1").contains("orders:"),
        "{}",
        text(&root, "task-latest-1")
    );
    let table = text(&root, "view-latest");
    assert!(
        table.starts_with("78 rows (latest value per key)0{\"ordertime\""),
        "{table}"
    );
    click(&root, "connector-pause-gen").await;
    assert_eq!(text(&root, "connector-state-gen"), "PAUSED");
    click(&root, "step").await;
    assert!(text(&root, "throughput-gen").starts_with("80 records"));
    // A bad config is refused with Connect's words.
    choose(&root, "connector-kind", "counter").await;
    type_into(&root, "connector-topics", "").await;
    click(&root, "create-connector").await;
    assert!(text(&root, "connector-error").contains("Missing required configuration \"topics\""));
}
