//! Consumers: the add form, and each consumer's partitions, lag and polled records.

use logplay_core::script::Command;
use yew::prelude::*;

use super::{bind, bind_check, bind_select, button, refusal, StoreProps};
use crate::forms::ConsumerInput;
use crate::state::{Action, Origin};
use crate::view::{clip, sparkline};

/// The assignment strategies on offer (Kafka's default first).
const STRATEGIES: [&str; 5] = [
    "range,cooperative-sticky",
    "range",
    "roundrobin",
    "sticky",
    "cooperative-sticky",
];

/// The add-consumer form.
#[function_component(ConsumerForm)]
pub fn consumer_form(props: &StoreProps) -> Html {
    let store = &props.store;
    let count = store
        .model
        .borrow()
        .runner()
        .clients()
        .filter(|(_, p)| !p)
        .count();
    let name = use_state(String::new);
    let group = use_state(|| "group-1".to_string());
    let reset = use_state(|| "earliest".to_string());
    let isolation = use_state(|| "read_uncommitted".to_string());
    let auto_commit = use_state(|| true);
    let strategy = use_state(|| STRATEGIES[0].to_string());
    let mode = use_state(|| "subscribe".to_string());
    let target = use_state(String::new);
    let json_schema = use_state(|| false);
    let default_name = format!("consumer-{}", count + 1);
    let input = ConsumerInput {
        name: if name.trim().is_empty() {
            default_name.clone()
        } else {
            (*name).clone()
        },
        group: (*group).clone(),
        reset: (*reset).clone(),
        isolation: (*isolation).clone(),
        auto_commit: *auto_commit,
        strategy: (*strategy).clone(),
        mode: (*mode).clone(),
        target: (*target).clone(),
        json_schema: *json_schema,
    };
    let submit = {
        let (store, name) = (store.clone(), name.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            store.dispatch(input.action());
            name.set(String::new());
        })
    };
    html! {
        <form class="card form" onsubmit={submit} aria-label="add a consumer" data-testid="consumer-form">
            <h3>{ "Add a consumer" }</h3>
            <label>{ "Name" }<input data-testid="consumer-name" value={(*name).clone()} oninput={bind(&name)} placeholder={default_name} /></label>
            <label>{ "group.id" }<input data-testid="consumer-group" value={(*group).clone()} oninput={bind(&group)} placeholder="none" /></label>
            <label>{ "auto.offset.reset" }
                <select data-testid="consumer-reset" onchange={bind_select(&reset)}>
                    { for ["earliest", "latest", "none"].iter().map(|r| html! { <option value={*r} selected={*reset == *r}>{ *r }</option> }) }
                </select>
            </label>
            <label title="read_uncommitted is the Java client's default; librdkafka's is read_committed">{ "isolation.level" }
                <select data-testid="consumer-isolation" onchange={bind_select(&isolation)}>
                    { for ["read_uncommitted", "read_committed"].iter().map(|i| html! { <option value={*i} selected={*isolation == *i}>{ *i }</option> }) }
                </select>
            </label>
            <label>{ "partition.assignment.strategy" }
                <select data-testid="consumer-strategy" onchange={bind_select(&strategy)}>
                    { for STRATEGIES.iter().map(|s| html! { <option value={*s} selected={*strategy == *s}>{ *s }</option> }) }
                </select>
            </label>
            <label class="check"><input type="checkbox" checked={*auto_commit} onchange={bind_check(&auto_commit)} />{ "enable.auto.commit" }</label>
            <label class="check" title="decode values in the schema registry's wire format"><input type="checkbox" data-testid="consumer-json-schema" checked={*json_schema} onchange={bind_check(&json_schema)} />{ "value.deserializer=KafkaJsonSchemaDeserializer" }</label>
            <label>{ "Then" }
                <select data-testid="consumer-mode" onchange={bind_select(&mode)}>
                    <option value="subscribe" selected={*mode == "subscribe"}>{ "subscribe to topics" }</option>
                    <option value="pattern" selected={*mode == "pattern"}>{ "subscribe to a pattern" }</option>
                    <option value="assign" selected={*mode == "assign"}>{ "assign partitions" }</option>
                </select>
            </label>
            <label class="wide">{ "Topics / pattern / partitions" }<input data-testid="consumer-target" value={(*target).clone()} oninput={bind(&target)} placeholder="orders   ·   orders-.*   ·   orders:0 orders:1" /></label>
            <button type="submit" data-testid="add-consumer">{ "Add" }</button>
            { refusal(store, Origin::Consumer, "consumer-error") }
        </form>
    }
}

/// Every consumer's card.
#[function_component(Consumers)]
pub fn consumers(props: &StoreProps) -> Html {
    let store = &props.store;
    let m = store.model.borrow();
    let runner = m.runner();
    let cluster = runner.cluster();
    let names: Vec<&str> = runner
        .clients()
        .filter(|(_, p)| !p)
        .map(|(n, _)| n)
        .collect();
    let undrawn = super::undrawn(names.len(), "consumers");
    let cards = names.into_iter().take(super::CARDS_SHOWN).filter_map(|name| {
        let h = runner.consumer(name)?;
        let consumer = cluster.consumer(h).ok()?;
        let assignment = cluster.assignment(h).ok()?;
        let group = consumer.config().group_id.clone();
        let isolation = consumer.config().isolation_level.name();
        let lag: i64 = assignment.iter().map(|a| a.lag.max(0)).sum();
        let history = m.lag_history(name);
        let rebalance = m.rebalance(name).cloned();
        let name = name.to_string();
        Some(html! {
            <article class="card client" data-testid={format!("consumer-{name}")} aria-label={format!("consumer {name}")}>
                <header class="row">
                    <h3>{ name.clone() }</h3>
                    <span class="muted">{ group.as_deref().map_or("no group".to_string(), |g| format!("group {}", crate::view::visible(g))) }</span>
                    <span class="muted">{ isolation }</span>
                    { button(store, "Poll", format!("poll {name}"), Action::Run(Origin::ConsumerCard, vec![Command::Poll(name.clone())]), format!("poll-{name}")) }
                    { button(store, "Commit", format!("commit {name}'s positions"), Action::Run(Origin::ConsumerCard, vec![Command::Commit { consumer: name.clone(), offsets: Vec::new(), asynchronous: false }]), format!("commit-{name}")) }
                    { button(store, "Close", format!("close {name}"), Action::Run(Origin::ConsumerCard, vec![Command::Close(name.clone())]), format!("close-{name}")) }
                    { button(store, "Crash", format!("crash {name}: no leave, no commit"), Action::Run(Origin::ConsumerCard, vec![Command::Crash(name.clone())]), format!("crash-{name}")) }
                </header>
                <div class="row">
                    <span data-testid={format!("lag-{name}")}>{ format!("lag {lag}") }</span>
                    <svg class="sparkline" viewBox="0 0 120 24" width="120" height="24" role="img" aria-label={format!("{name}'s lag over time")}>
                        <polyline points={sparkline(&history, 120, 22)} />
                    </svg>
                </div>
                if let Some(r) = rebalance {
                    <p class="rebalance" key={r.serial.to_string()} data-testid={format!("rebalance-{name}")}>
                        if !r.revoked.is_empty() { <span class="revoked">{ format!("revoked {}", r.revoked.join(" ")) }</span> }
                        if !r.assigned.is_empty() { <span class="assigned">{ format!("assigned {}", r.assigned.join(" ")) }</span> }
                    </p>
                }
                <table class="assignment" data-testid={format!("assignment-{name}")}>
                    <thead><tr><th>{ "partition" }</th><th>{ "position" }</th><th>{ "committed" }</th><th>{ "lag" }</th></tr></thead>
                    <tbody>
                        { for assignment.iter().map(|a| html! {
                            <tr>
                                <td>{ format!("{}-{}", a.topic, a.partition) }</td>
                                <td>{ a.position.map_or("–".into(), |p| p.to_string()) }</td>
                                <td>{ a.committed.map_or("–".into(), |c| c.to_string()) }</td>
                                <td>{ a.lag }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
                <ol class="polled" data-testid={format!("polled-{name}")} aria-label={format!("records {name} polled")}>
                    { for m.polled(&name).map(|r| html! {
                        <li><span class="at">{ r.at.clone() }</span>{ " " }<span class="key">{ clip(&r.key) }</span>{ " → " }<span class="value">{ clip(&r.value) }</span>
                            if let Some(id) = r.schema_id { { " " }<span class="badge" title="the schema id in the record's first five bytes">{ format!("schema {id}") }</span> }
                        </li>
                    }) }
                </ol>
            </article>
        })
    }).collect::<Html>();
    html! { <div class="clients" data-testid="consumers">{ refusal(store, Origin::ConsumerCard, "consumer-card-error") }{ cards }{ undrawn }</div> }
}
