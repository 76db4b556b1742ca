//! Producing: the produce form with the key's partition, producers, datagen sources.

use logplay_core::producer::ProducerConfig;
use logplay_core::script::{Command, TxnAction};
use yew::prelude::*;

use super::{bind, bind_check, bind_select, button, refusal, StoreProps};
use crate::forms::{datagen, ProduceInput};
use crate::state::{Action, Origin};
use crate::view::key_reason;

/// The producer the forms use when none exists yet.
pub const DEFAULT_PRODUCER: &str = "producer-1";

/// `produce PRODUCER TOPIC key=… value=… [partition=N] [header.K=V…]`.
#[function_component(ProduceForm)]
pub fn produce_form(props: &StoreProps) -> Html {
    let store = &props.store;
    let (topics, producers) = {
        let m = store.model.borrow();
        let topics: Vec<(String, u32)> = m
            .runner()
            .cluster()
            .list_topics()
            .iter()
            .map(|t| {
                (
                    t.to_string(),
                    m.runner()
                        .cluster()
                        .topic(t)
                        .map_or(0, |t| t.partitions().len() as u32),
                )
            })
            .collect();
        let producers: Vec<String> = m
            .runner()
            .clients()
            .filter(|(_, p)| *p)
            .map(|(n, _)| n.to_string())
            .collect();
        (topics, producers)
    };
    let producer = use_state(String::new);
    let topic = use_state(String::new);
    let key = use_state(String::new);
    let value = use_state(String::new);
    let json = use_state(|| false);
    let tombstone = use_state(|| false);
    let headers = use_state(String::new);
    let partition = use_state(String::new);
    let chosen_producer = if producer.is_empty() {
        producers
            .first()
            .cloned()
            .unwrap_or_else(|| DEFAULT_PRODUCER.into())
    } else {
        (*producer).clone()
    };
    let chosen_topic = if topic.is_empty() {
        topics.first().map(|t| t.0.clone()).unwrap_or_default()
    } else {
        (*topic).clone()
    };
    let reason = {
        let m = store.model.borrow();
        let partitioner = m
            .runner()
            .producer(&chosen_producer)
            .and_then(|h| m.runner().cluster().producer(h).ok())
            .map_or_else(
                || ProducerConfig::default().partitioner,
                |p| p.config().partitioner,
            );
        let n = topics
            .iter()
            .find(|t| t.0 == chosen_topic)
            .map_or(0, |t| t.1);
        match partition.trim() {
            "" => key_reason(partitioner, (!key.is_empty()).then_some(key.as_str()), n),
            p => format!("partition {p}, chosen explicitly"),
        }
    };
    let submit = {
        let store = store.clone();
        let exists = producers.contains(&chosen_producer);
        let form = ProduceInput {
            producer: chosen_producer.clone(),
            topic: chosen_topic.clone(),
            key: (*key).clone(),
            value: (*value).clone(),
            json: *json,
            tombstone: *tombstone,
            headers: (*headers).clone(),
            partition: (*partition).clone(),
        };
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            store.dispatch(form.action(exists));
        })
    };
    html! {
        <form class="card form" onsubmit={submit} aria-label="produce a record" data-testid="produce-form">
            <h3>{ "Produce" }</h3>
            <label>{ "Producer" }
                <select data-testid="produce-producer" onchange={bind_select(&producer)}>
                    if producers.is_empty() { <option value={DEFAULT_PRODUCER}>{ format!("{DEFAULT_PRODUCER} (new, defaults)") }</option> }
                    { for producers.iter().map(|p| html! { <option value={p.clone()} selected={*p == chosen_producer}>{ p.clone() }</option> }) }
                </select>
            </label>
            <label>{ "Topic" }
                <select data-testid="produce-topic" onchange={bind_select(&topic)}>
                    { for topics.iter().map(|(t, _)| html! { <option value={t.clone()} selected={*t == chosen_topic}>{ t.clone() }</option> }) }
                </select>
            </label>
            <label>{ "Key" }<input data-testid="produce-key" value={(*key).clone()} oninput={bind(&key)} placeholder="none: a null key" /></label>
            <label>{ "Partition" }<input data-testid="produce-partition" inputmode="numeric" value={(*partition).clone()} oninput={bind(&partition)} placeholder="from the key" /></label>
            <p class="reason wide" data-testid="key-reason" aria-live="polite">{ reason }</p>
            <label class="wide">{ "Value" }<input data-testid="produce-value" value={(*value).clone()} oninput={bind(&value)} placeholder={if *json { "{\"id\": 1}" } else { "hello" }} /></label>
            <label class="check"><input type="checkbox" data-testid="produce-json" checked={*json} onchange={bind_check(&json)} />{ "JSON" }</label>
            <label class="check"><input type="checkbox" data-testid="produce-tombstone" checked={*tombstone} onchange={bind_check(&tombstone)} />{ "Tombstone (null value)" }</label>
            <label class="wide">{ "Headers" }<input data-testid="produce-headers" value={(*headers).clone()} oninput={bind(&headers)} placeholder="trace=abc, source=web" /></label>
            <button type="submit" data-testid="produce" disabled={topics.is_empty()}>{ "Send" }</button>
            { refusal(store, Origin::Produce, "produce-error") }
        </form>
    }
}

/// `producer NAME acks=… linger.ms=… batch.size=… compression.type=… enable.idempotence=…`.
#[function_component(ProducerForm)]
pub fn producer_form(props: &StoreProps) -> Html {
    let store = &props.store;
    let defaults = ProducerConfig::default();
    let name = use_state(|| "producer-1".to_string());
    let acks = use_state(|| "all".to_string());
    let linger = use_state(|| defaults.linger_ms.to_string());
    let batch = use_state(|| defaults.batch_size.to_string());
    let compression = use_state(|| "none".to_string());
    let idempotence = use_state(|| defaults.enable_idempotence);
    let transactional_id = use_state(String::new);
    let json_schema = use_state(|| false);
    let submit = {
        let store = store.clone();
        let mut configs = vec![
            ("acks".to_string(), (*acks).clone()),
            ("linger.ms".to_string(), linger.trim().to_string()),
            ("batch.size".to_string(), batch.trim().to_string()),
            ("compression.type".to_string(), (*compression).clone()),
            ("enable.idempotence".to_string(), idempotence.to_string()),
        ];
        if !transactional_id.trim().is_empty() {
            configs.push((
                "transactional.id".to_string(),
                transactional_id.trim().to_string(),
            ));
        }
        if *json_schema {
            configs.push((
                "value.serializer".to_string(),
                "KafkaJsonSchemaSerializer".to_string(),
            ));
        }
        let name = name.trim().to_string();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            store.dispatch(Action::Run(
                Origin::Producer,
                vec![Command::Producer {
                    name: name.clone(),
                    configs: configs.clone(),
                }],
            ));
        })
    };
    html! {
        <form class="card form" onsubmit={submit} aria-label="create a producer" data-testid="producer-form">
            <h3>{ "New producer" }</h3>
            <label>{ "Name" }<input data-testid="producer-name" value={(*name).clone()} oninput={bind(&name)} /></label>
            <label>{ "acks" }
                <select data-testid="producer-acks" onchange={bind_select(&acks)}>
                    { for ["all", "1", "0"].iter().map(|a| html! { <option value={*a} selected={*acks == *a}>{ *a }</option> }) }
                </select>
            </label>
            <label>{ "linger.ms" }<input inputmode="numeric" data-testid="producer-linger" value={(*linger).clone()} oninput={bind(&linger)} /></label>
            <label>{ "batch.size" }<input inputmode="numeric" value={(*batch).clone()} oninput={bind(&batch)} /></label>
            <label>{ "compression.type" }
                <select onchange={bind_select(&compression)}>
                    { for ["none", "gzip", "snappy", "lz4", "zstd"].iter().map(|c| html! { <option value={*c} selected={*compression == *c}>{ *c }</option> }) }
                </select>
            </label>
            <label class="check"><input type="checkbox" checked={*idempotence} onchange={bind_check(&idempotence)} />{ "enable.idempotence" }</label>
            <label>{ "transactional.id" }<input data-testid="producer-transactional-id" value={(*transactional_id).clone()} oninput={bind(&transactional_id)} placeholder="none" /></label>
            <label class="check" title="validate values against TOPIC-value's latest schema and frame them in the wire format"><input type="checkbox" data-testid="producer-json-schema" checked={*json_schema} onchange={bind_check(&json_schema)} />{ "value.serializer=KafkaJsonSchemaSerializer" }</label>
            <button type="submit" data-testid="create-producer">{ "Create" }</button>
            { refusal(store, Origin::Producer, "producer-error") }
        </form>
    }
}

/// Each producer: its configs, the batches waiting for linger.ms, and its buttons.
#[function_component(Producers)]
pub fn producers(props: &StoreProps) -> Html {
    let store = &props.store;
    let m = store.model.borrow();
    let runner = m.runner();
    // `sendOffsetsToTransaction` takes a consumer's group metadata: consumers in a group.
    let group_consumers: Vec<&str> = runner
        .clients()
        .filter(|(_, p)| !p)
        .filter(|(name, _)| {
            runner
                .consumer(name)
                .and_then(|h| runner.cluster().consumer(h).ok())
                .is_some_and(|c| c.config().group_id.is_some())
        })
        .map(|(name, _)| name)
        .collect();
    let names: Vec<&str> = runner
        .clients()
        .filter(|(_, p)| *p)
        .map(|(n, _)| n)
        .collect();
    let undrawn = super::undrawn(names.len(), "producers");
    let cards = names.into_iter().take(super::CARDS_SHOWN).filter_map(|name| {
        let p = runner.cluster().producer(runner.producer(name)?).ok()?;
        let c = p.config();
        let (id, epoch) = p.identity();
        let pending = p.pending();
        Some(html! {
            <article class="card client" data-testid={format!("producer-{name}")} aria-label={format!("producer {name}")}>
                <header class="row">
                    <h3>{ name }</h3>
                    <span class="muted">{ format!("id {id} · epoch {epoch}") }</span>
                    { button(store, "Flush", format!("flush {name}"), Action::Run(Origin::ProducerCard, vec![Command::Flush(name.into())]), format!("flush-{name}")) }
                    { button(store, "Close", format!("close {name}"), Action::Run(Origin::ProducerCard, vec![Command::Close(name.into())]), format!("close-{name}")) }
                    { button(store, "Crash", format!("crash {name}: unsent records are lost"), Action::Run(Origin::ProducerCard, vec![Command::Crash(name.into())]), format!("crash-{name}")) }
                </header>
                <p class="configs muted">{ format!("acks={} linger.ms={} batch.size={} compression.type={} enable.idempotence={}{}",
                    c.acks.name(), c.linger_ms, c.batch_size, c.compression.name(), c.enable_idempotence,
                    if runner.serdes(name).value { " value.serializer=KafkaJsonSchemaSerializer" } else { "" }) }</p>
                if let Some(state) = p.transaction_state() {
                    <div class="row txn" data-testid={format!("txn-{name}")}>
                        <span class="state">{ format!("transactional.id={} · {}", c.transactional_id.clone().unwrap_or_default(), state.name()) }</span>
                        { for [TxnAction::Init, TxnAction::Begin, TxnAction::Commit, TxnAction::Abort].into_iter().map(|action| {
                            let command = Command::Transaction { producer: name.into(), action };
                            button(store, action.word(), command.to_string(), Action::Run(Origin::ProducerCard, vec![command]), format!("txn-{}-{name}", action.word()))
                        }) }
                        { for group_consumers.iter().map(|consumer| {
                            let command = Command::SendOffsets { producer: name.into(), consumer: (*consumer).into() };
                            button(store, &format!("send offsets of {consumer}"), command.to_string(), Action::Run(Origin::ProducerCard, vec![command]), format!("txn-send-offsets-{name}-{consumer}"))
                        }) }
                    </div>
                }
                if pending.is_empty() && p.in_flight() == 0 {
                    <p class="muted">{ "nothing waiting" }</p>
                } else {
                    <ul class="pending" data-testid={format!("pending-{name}")}>
                        { for pending.iter().map(|(t, part, n)| html! {
                            <li>{ format!("{t}-{part}: {n} record{} waiting for linger.ms", if *n == 1 { "" } else { "s" }) }</li>
                        }) }
                        if p.in_flight() > 0 { <li>{ format!("{} batch(es) in flight", p.in_flight()) }</li> }
                    </ul>
                }
            </article>
        })
    }).collect::<Html>();
    html! { <div class="clients">{ refusal(store, Origin::ProducerCard, "producer-card-error") }{ cards }{ undrawn }</div> }
}

/// `datagen start NAME PRODUCER TOPIC rate=N key=… value=…`, and the running sources.
#[function_component(DatagenForm)]
pub fn datagen_form(props: &StoreProps) -> Html {
    let store = &props.store;
    let name = use_state(|| "datagen-1".to_string());
    let topic = use_state(String::new);
    let rate = use_state(|| "10".to_string());
    let key = use_state(|| "user-{i%5}".to_string());
    let value = use_state(|| "{\"n\":{i},\"amount\":{rand:1..100}}".to_string());
    let (topics, producer, exists, sources) = {
        let m = store.model.borrow();
        let r = m.runner();
        let topics: Vec<String> = r
            .cluster()
            .list_topics()
            .iter()
            .map(|t| t.to_string())
            .collect();
        let producer = r
            .clients()
            .find(|(_, p)| *p)
            .map_or(DEFAULT_PRODUCER.to_string(), |(n, _)| n.to_string());
        let exists = r.producer(&producer).is_some();
        let sources: Vec<(String, String)> = r
            .sources()
            .map(|(n, _, t, rate)| (n.to_string(), format!("{rate}/s → {t}")))
            .collect();
        (topics, producer, exists, sources)
    };
    let chosen_topic = if topic.is_empty() {
        topics.first().cloned().unwrap_or_default()
    } else {
        (*topic).clone()
    };
    let submit = {
        let store = store.clone();
        let (name, rate, key, value, topic, producer) = (
            name.trim().to_string(),
            (*rate).clone(),
            (*key).clone(),
            (*value).clone(),
            chosen_topic.clone(),
            producer.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            store.dispatch(datagen(
                &name, &producer, &topic, &rate, &key, &value, exists,
            ));
        })
    };
    html! {
        <form class="card form" onsubmit={submit} aria-label="start a datagen source" data-testid="datagen-form">
            <h3>{ "Datagen" }</h3>
            <label>{ "Name" }<input value={(*name).clone()} oninput={bind(&name)} /></label>
            <label>{ "Topic" }
                <select onchange={bind_select(&topic)}>
                    { for topics.iter().map(|t| html! { <option value={t.clone()} selected={*t == chosen_topic}>{ t.clone() }</option> }) }
                </select>
            </label>
            <label>{ "Records per second" }<input inputmode="numeric" value={(*rate).clone()} oninput={bind(&rate)} /></label>
            <label>{ "Key template" }<input value={(*key).clone()} oninput={bind(&key)} /></label>
            <label class="wide">{ "Value template" }<input value={(*value).clone()} oninput={bind(&value)} /></label>
            <p class="hint wide">{ format!("Sends with {producer} while the clock plays. Placeholders: {{i}}, {{i%N}}, {{rand:A..B}}, {{choice:a|b}}.") }</p>
            <button type="submit" disabled={topics.is_empty()}>{ "Start" }</button>
            { refusal(store, Origin::Datagen, "datagen-error") }
            <ul class="sources">
                { for sources.iter().map(|(n, what)| html! {
                    <li>{ format!("{n}: {what} ") }
                        { button(store, "Stop", format!("stop {n}"), Action::Run(Origin::Datagen, vec![Command::DatagenStop(n.clone())]), format!("stop-{n}")) }
                    </li>
                }) }
            </ul>
        </form>
    }
}
