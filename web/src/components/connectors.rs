//! Kafka Connect: running connectors with their tasks, offsets and throughput, what the sinks
//! materialized, and a form to create one.

use logplay_core::connect::quickstart::QUICKSTARTS;
use logplay_core::connect::sink::View;
use logplay_core::script::{Command, ConnectorAction};
use yew::prelude::*;

use super::{bind, bind_check, bind_select, button, refusal, StoreProps};
use crate::forms::ConnectorInput;
use crate::state::{Action, Origin};
use crate::view::clip;

/// Rows of a sink's view shown on its card.
const SHOWN_ROWS: usize = 8;

/// The connector form.
#[function_component(ConnectorForm)]
pub fn connector_form(props: &StoreProps) -> Html {
    let store = &props.store;
    let count = store.model.borrow().runner().connectors().count();
    let name = use_state(String::new);
    let kind = use_state(|| "datagen".to_string());
    let topics = use_state(String::new);
    let quickstart = use_state(|| "orders".to_string());
    let rate = use_state(|| "10".to_string());
    let tasks = use_state(|| "1".to_string());
    let data = use_state(String::new);
    let format = use_state(|| "csv".to_string());
    let key_field = use_state(String::new);
    let aggregate_field = use_state(String::new);
    let json_schema = use_state(|| false);
    let default_name = format!("connector-{}", count + 1);
    let input = ConnectorInput {
        name: if name.trim().is_empty() {
            default_name.clone()
        } else {
            (*name).clone()
        },
        kind: (*kind).clone(),
        topics: (*topics).clone(),
        quickstart: (*quickstart).clone(),
        rate: (*rate).clone(),
        tasks: (*tasks).clone(),
        data: (*data).clone(),
        format: (*format).clone(),
        key_field: (*key_field).clone(),
        aggregate_field: (*aggregate_field).clone(),
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
    let on_data = {
        let data = data.clone();
        Callback::from(move |e: InputEvent| data.set(super::value_of(&e)))
    };
    let source = matches!(kind.as_str(), "datagen" | "paste");
    html! {
        <form class="card form" onsubmit={submit} aria-label="create a connector" data-testid="connector-form">
            <h3>{ "New connector" }</h3>
            <label>{ "Name" }<input data-testid="connector-name" value={(*name).clone()} oninput={bind(&name)} placeholder={default_name} /></label>
            <label>{ "Kind" }
                <select data-testid="connector-kind" onchange={bind_select(&kind)}>
                    { for [("datagen", "Datagen source"), ("paste", "Paste CSV/JSON lines"), ("table", "Table sink (latest per key)"), ("counter", "Counter sink")].iter().map(|(v, label)| html! {
                        <option value={*v} selected={*kind == *v}>{ *label }</option>
                    }) }
                </select>
            </label>
            <label>{ if source { "Topic" } else { "Topics" } }<input data-testid="connector-topics" value={(*topics).clone()} oninput={bind(&topics)} placeholder={if source { "orders" } else { "orders, refunds" }} /></label>
            if *kind == "datagen" {
                <label>{ "quickstart" }
                    <select data-testid="connector-quickstart" onchange={bind_select(&quickstart)}>
                        { for QUICKSTARTS.iter().map(|q| html! { <option value={q.name} selected={*quickstart == q.name}>{ q.name }</option> }) }
                    </select>
                </label>
            }
            if source {
                <label>{ "records/s" }<input inputmode="numeric" data-testid="connector-rate" value={(*rate).clone()} oninput={bind(&rate)} /></label>
            }
            if *kind != "paste" {
                <label>{ "tasks.max" }<input inputmode="numeric" data-testid="connector-tasks" value={(*tasks).clone()} oninput={bind(&tasks)} /></label>
            }
            if *kind == "paste" {
                <label>{ "format" }
                    <select data-testid="connector-format" onchange={bind_select(&format)}>
                        { for ["csv", "json", "lines"].iter().map(|f| html! { <option value={*f} selected={*format == *f}>{ *f }</option> }) }
                    </select>
                </label>
                <label>{ "key.field" }<input data-testid="connector-key-field" value={(*key_field).clone()} oninput={bind(&key_field)} placeholder="none: null keys" /></label>
                <label class="wide">{ "Lines" }<textarea data-testid="connector-data" rows="4" value={(*data).clone()} oninput={on_data} placeholder={"id,name\n1,Ada\n2,Lin"} /></label>
            }
            if *kind == "counter" {
                <label>{ "aggregate.field" }<input data-testid="connector-aggregate-field" value={(*aggregate_field).clone()} oninput={bind(&aggregate_field)} placeholder="none: counts only" /></label>
            }
            <label class="check"><input type="checkbox" data-testid="connector-json-schema" checked={*json_schema} onchange={bind_check(&json_schema)} />{ "value.converter=JsonSchemaConverter" }</label>
            <button type="submit" data-testid="create-connector">{ "Create" }</button>
            { refusal(store, Origin::Connector, "connector-error") }
        </form>
    }
}

/// Each connector: state, tasks, offsets, throughput, and a sink's view.
#[function_component(Connectors)]
pub fn connectors(props: &StoreProps) -> Html {
    let store = &props.store;
    let m = store.model.borrow();
    let cards = m.runner().connectors().map(|(name, s)| {
        let change = |label: &str, action: ConnectorAction| {
            let command = Command::ConnectorChange { name: name.into(), action };
            button(store, label, command.to_string(), Action::Run(Origin::Connector, vec![command]), format!("connector-{}-{name}", action.name()))
        };
        let paused = s.state == "PAUSED";
        let view = match s.view {
            Some(View::Table(rows)) => html! {
                <table class="view" data-testid={format!("view-{name}")}>
                    <caption>{ format!("{} rows (latest value per key)", rows.len()) }</caption>
                    { for rows.iter().take(SHOWN_ROWS).map(|(k, v)| html! { <tr><th>{ clip(k) }</th><td title={v.clone()}>{ clip(v) }</td></tr> }) }
                </table>
            },
            Some(View::Counter { field, rows }) => html! {
                <table class="view" data-testid={format!("view-{name}")}>
                    <caption>{ format!("{} keys", rows.len()) }</caption>
                    <tr><th>{ "key" }</th><th>{ "count" }</th>if let Some(f) = field { <th>{ format!("sum({f})") }</th> }</tr>
                    { for rows.iter().take(SHOWN_ROWS).map(|(k, a)| html! {
                        <tr><th>{ clip(k) }</th><td>{ a.count }</td>if field.is_some() { <td>{ a.sum_text() }</td> }</tr>
                    }) }
                </table>
            },
            None => html! {},
        };
        html! {
            <article class="card connector" data-testid={format!("connector-{name}")} aria-label={format!("connector {name}")}>
                <header class="row">
                    <h3>{ name }</h3>
                    <span class={classes!("state", s.state)} data-testid={format!("connector-state-{name}")}>{ s.state }</span>
                    <span class="muted">{ format!("{} · {}", if s.source { "source" } else { "sink" }, s.class.rsplit('.').next().unwrap_or(s.class)) }</span>
                    if paused { { change("Resume", ConnectorAction::Resume) } } else { { change("Pause", ConnectorAction::Pause) } }
                    { change("Restart", ConnectorAction::Restart) }
                    { button(store, "Crash", format!("fault crash {name}: the worker dies; tasks restart from committed offsets"), Action::Run(Origin::Connector, vec![Command::Crash(name.into())]), format!("connector-crash-{name}")) }
                    { change("Delete", ConnectorAction::Delete) }
                </header>
                <p class="throughput" data-testid={format!("throughput-{name}")}>
                    { format!("{} records {} · {} records/s", s.records, if s.source { "written to" } else { "read from" }, s.records_per_second) }
                    { format!(" · {}", s.topics.join(", ")) }
                    if s.skipped > 0 { { format!(" · {} skipped", s.skipped) } }
                </p>
                <ul class="tasks">
                    { for s.tasks.iter().map(|t| html! {
                        <li data-testid={format!("task-{name}-{}", t.id)}>
                            <span class={classes!("state", t.state)}>{ format!("task {} {}", t.id, t.state) }</span>
                            { " " }
                            { match t.offset {
                                Some((position, committed)) => format!("position {position} · committed offset {committed}"),
                                None if t.partitions.is_empty() => "no partitions".to_string(),
                                None => t.partitions.join(" "),
                            } }
                            if let Some(trace) = &t.trace { <p class="error">{ trace.clone() }</p> }
                        </li>
                    }) }
                </ul>
                { view }
            </article>
        }
    }).collect::<Html>();
    html! { <div class="clients" data-testid="connectors">{ cards }</div> }
}
