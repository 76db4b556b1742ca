//! Topics: the create form, and each partition drawn as a log.

use logplay_core::script::Command;
use yew::prelude::*;

use super::{bind, button, refusal, StoreHandle, StoreProps};
use crate::forms::create_topic;
use crate::state::{Action, Origin};
use crate::view::{log_window, Cell};

/// Offsets drawn per partition.
pub const WINDOW: i64 = 12;

/// `topic create NAME partitions=N CONFIGS`.
#[function_component(TopicForm)]
pub fn topic_form(props: &StoreProps) -> Html {
    let store = &props.store;
    let name = use_state(String::new);
    let partitions = use_state(|| "3".to_string());
    let replication = use_state(String::new);
    let configs = use_state(String::new);
    let submit = {
        let (store, name, partitions, replication, configs) = (
            store.clone(),
            name.clone(),
            partitions.clone(),
            replication.clone(),
            configs.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            store.dispatch(create_topic(&name, &partitions, &replication, &configs));
        })
    };
    html! {
        <form class="card form" onsubmit={submit} aria-label="create a topic" data-testid="topic-form">
            <h3>{ "Create a topic" }</h3>
            <label>{ "Name" }<input data-testid="topic-name" value={(*name).clone()} oninput={bind(&name)} placeholder="orders" /></label>
            <label>{ "Partitions" }<input data-testid="topic-partitions" inputmode="numeric" value={(*partitions).clone()} oninput={bind(&partitions)} /></label>
            <label>{ "Replication factor" }<input data-testid="topic-replication" inputmode="numeric" value={(*replication).clone()} oninput={bind(&replication)} placeholder="default.replication.factor" /></label>
            <label class="wide">{ "Configs" }<input data-testid="topic-configs" value={(*configs).clone()} oninput={bind(&configs)} placeholder="retention.ms=1h cleanup.policy=compact" /></label>
            <button type="submit" data-testid="create-topic">{ "Create" }</button>
            { refusal(store, Origin::Topic, "topic-error") }
        </form>
    }
}

/// Topics drawn at first; the rest one click away, so that the page stays light.
const TOPICS_SHOWN: usize = 30;
/// Partitions of a topic drawn at a time; a pager shows the others.
const PARTITIONS_SHOWN: u32 = 12;

/// Every topic, each partition drawn as a log.
#[function_component(Topics)]
pub fn topics(props: &StoreProps) -> Html {
    let store = &props.store;
    let shown = use_state(|| TOPICS_SHOWN);
    let model = store.model.borrow();
    let cluster = model.runner().cluster();
    let names: Vec<String> = cluster
        .list_topics()
        .iter()
        .map(|t| t.to_string())
        .collect();
    if names.is_empty() {
        return html! { <p class="hint">{ "No topics yet: create one, or pick a recipe." }</p> };
    }
    let hidden = names.len().saturating_sub(*shown);
    let more = {
        let shown = shown.clone();
        Callback::from(move |_| shown.set(*shown + TOPICS_SHOWN))
    };
    html! {
        <div class="topics" data-testid="topics">
            { for names.into_iter().take(*shown).map(|t| html! { <TopicCard key={t.as_str()} store={store.clone()} topic={t.clone()} /> }) }
            if hidden > 0 {
                <button type="button" class="small" data-testid="more-topics" onclick={more}>
                    { format!("Show {} more of {hidden} topics", hidden.min(TOPICS_SHOWN)) }
                </button>
            }
        </div>
    }
}

/// Props of a topic's card.
#[derive(Properties, PartialEq)]
pub struct TopicProps {
    /// The playground.
    pub store: StoreHandle,
    /// The topic.
    pub topic: String,
}

/// A topic: its configs, its partitions, and admin buttons.
#[function_component(TopicCard)]
pub fn topic_card(props: &TopicProps) -> Html {
    let store = &props.store;
    let first = use_state(|| 0u32);
    let model = store.model.borrow();
    let Ok(topic) = model.runner().cluster().topic(&props.topic) else {
        return html! {};
    };
    let name = props.topic.clone();
    let count = topic.partitions().len() as u32;
    let from = (*first).min(count.saturating_sub(1) / PARTITIONS_SHOWN * PARTITIONS_SHOWN);
    let window = from..(from + PARTITIONS_SHOWN).min(count);
    let configs: Vec<String> = topic
        .config()
        .overrides()
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    html! {
        <article class="card topic" data-testid={format!("topic-{name}")} aria-label={format!("topic {name}")}>
            <header class="row">
                <h3>{ name.clone() }</h3>
                <span class="muted">{ format!("{count} partition{}", if count == 1 { "" } else { "s" }) }</span>
                { button(store, "+ partition", format!("grow {name} to {} partitions", count + 1),
                    Action::Run(Origin::Topic, vec![Command::AddPartitions { name: name.clone(), total: count + 1 }]), format!("add-partition-{name}")) }
                { button(store, "Delete", format!("delete topic {name}"),
                    Action::Run(Origin::Topic, vec![Command::DeleteTopic(name.clone())]), format!("delete-topic-{name}")) }
            </header>
            if !configs.is_empty() {
                <p class="configs muted">{ configs.join("  ") }</p>
            }
            if count > PARTITIONS_SHOWN {
                { partition_pager(&first, count, &name) }
            }
            { for window.map(|p| html! { <PartitionRow key={p} store={store.clone()} topic={name.clone()} partition={p} /> }) }
        </article>
    }
}

/// Which partitions of a topic are drawn, with buttons to the others.
fn partition_pager(first: &UseStateHandle<u32>, count: u32, topic: &str) -> Html {
    let from = (**first).min(count.saturating_sub(1) / PARTITIONS_SHOWN * PARTITIONS_SHOWN);
    let to = (from + PARTITIONS_SHOWN).min(count);
    let go = |to: u32| {
        let first = first.clone();
        Callback::from(move |_| first.set(to))
    };
    html! {
        <p class="row partition-pager" data-testid={format!("partition-pager-{topic}")}>
            <span class="muted">{ format!("partitions {from}–{} of {count}", to - 1) }</span>
            <button type="button" class="small" aria-label={format!("{topic}: earlier partitions")}
                onclick={go(from.saturating_sub(PARTITIONS_SHOWN))} disabled={from == 0}>{ "‹" }</button>
            <button type="button" class="small" aria-label={format!("{topic}: later partitions")}
                onclick={go(from + PARTITIONS_SHOWN)} disabled={to >= count}>{ "›" }</button>
        </p>
    }
}

/// Props of a partition's row.
#[derive(Properties, PartialEq)]
pub struct PartitionProps {
    /// The playground.
    pub store: StoreHandle,
    /// The topic.
    pub topic: String,
    /// The partition.
    pub partition: u32,
}

/// A consumer's marks on a partition: its position and its group's committed offset.
struct Mark {
    consumer: String,
    position: Option<i64>,
    committed: Option<i64>,
}

/// One partition as a log: a window of cells, the offsets' markers, and paging.
#[function_component(PartitionRow)]
pub fn partition_row(props: &PartitionProps) -> Html {
    let start = use_state(|| None::<i64>);
    let model = props.store.model.borrow();
    let runner = model.runner();
    let cluster = runner.cluster();
    let Ok(partition) = cluster
        .topic(&props.topic)
        .and_then(|t| t.partition(props.partition))
    else {
        return html! {};
    };
    let log = &partition.log;
    let (low, hw, leo) = (
        log.log_start_offset(),
        log.high_watermark(),
        log.log_end_offset(),
    );
    let lso = log.last_stable_offset();
    let window = log_window(log, *start, WINDOW);
    let marks: Vec<Mark> = runner
        .clients()
        .filter(|(_, producer)| !producer)
        .filter_map(|(name, _)| {
            let a = cluster.assignment(runner.consumer(name)?).ok()?;
            let a = a
                .into_iter()
                .find(|a| *a.topic == *props.topic && a.partition == props.partition)?;
            Some(Mark {
                consumer: name.to_string(),
                position: a.position,
                committed: a.committed,
            })
        })
        .collect();
    let marks_at = |offset: i64| -> Html {
        html! { <>{ for marks.iter().flat_map(|m| {
            let pos = (m.position == Some(offset)).then(|| html! {
                <span class="mark position" title={format!("{}'s position", m.consumer)}>{ format!("▸{}", m.consumer) }</span>
            });
            let com = (m.committed == Some(offset)).then(|| html! {
                <span class="mark committed" title={format!("{}'s committed offset", m.consumer)}>{ format!("✓{}", m.consumer) }</span>
            });
            pos.into_iter().chain(com)
        }) }</> }
    };
    let page = |to: Option<i64>| {
        let start = start.clone();
        Callback::from(move |_| start.set(to))
    };
    let tp = format!("{}-{}", props.topic, props.partition);
    let segments = log.segments().count();
    let list = |b: &[i32]| b.iter().map(i32::to_string).collect::<Vec<_>>().join(",");
    let replication = if partition.is_offline() {
        format!(
            "offline (no leader) · ISR {} of {}",
            list(&partition.isr),
            list(&partition.replicas)
        )
    } else {
        format!(
            "leader {} · epoch {} · ISR {} of {}",
            partition.leader,
            partition.leader_epoch,
            list(&partition.isr),
            list(&partition.replicas)
        )
    };
    let health = if partition.is_offline() {
        Some("offline")
    } else if partition.is_under_replicated() {
        Some("under-replicated")
    } else {
        None
    };
    html! {
        <section class={classes!("partition", health)} data-testid={format!("partition-{tp}")} aria-label={format!("partition {tp}")}>
            <div class="row offsets">
                <strong>{ tp.clone() }</strong>
                <span class="replication" data-testid={format!("replication-{tp}")} title="replicas: the leader, the leader epoch, the in-sync replicas">{ replication }</span>
                <span title="log start offset">{ format!("start {low}") }</span>
                <span title="last stable offset: read_committed consumers read up to it" class={classes!((lso < hw).then_some("lso-behind"))}>{ format!("LSO {lso}") }</span>
                <span title="high watermark">{ format!("HW {hw}") }</span>
                <span title="log end offset">{ format!("LEO {leo}") }</span>
                <span class="muted">{ format!("{segments} segment{}", if segments == 1 { "" } else { "s" }) }</span>
                <span class="pager">
                    <button type="button" class="small" aria-label={format!("{tp}: first offsets")} onclick={page(Some(low))} disabled={window.from <= low}>{ "«" }</button>
                    <button type="button" class="small" aria-label={format!("{tp}: earlier offsets")} onclick={page(Some(window.from - WINDOW))} disabled={window.from <= low}>{ "‹" }</button>
                    <button type="button" class="small" aria-label={format!("{tp}: later offsets")} onclick={page(Some(window.from + WINDOW))} disabled={window.to >= leo}>{ "›" }</button>
                    <button type="button" class="small" aria-label={format!("{tp}: follow the end")} onclick={page(None)} disabled={start.is_none()}>{ "»" }</button>
                </span>
            </div>
            <ol class="log" data-testid={format!("log-{tp}")}>
                { for window.cells.iter().map(|c| match c {
                    Cell::Deleted { before } => html! {
                        <li class="cell gone" title="removed by retention or deleteRecords">{ format!("0–{} deleted", before - 1) }</li>
                    },
                    Cell::Compacted { from, to } => html! {
                        <li class="cell gone" title="compacted away">{ format!("{from}–{} compacted", to - 1) }</li>
                    },
                    Cell::Marker { offset, marker } => html! {
                        <li class={classes!("cell", "marker", marker.name())} data-offset={offset.to_string()}
                            title="a transaction marker: a control record that takes an offset and is never returned by poll()">
                            <span class="offset">{ offset }</span><span>{ marker.name() }</span>{ marks_at(*offset) }
                        </li>
                    },
                    Cell::Record { offset, key, value, segment, segment_start, aborted, open } => {
                        let class = classes!("cell", "record", (segment % 2 == 1).then_some("odd"),
                            segment_start.then_some("segment-start"), value.is_none().then_some("tombstone"),
                            (*offset >= hw).then_some("above-hw"), aborted.then_some("aborted"), open.then_some("open-txn"));
                        let title = if *aborted { "written in an aborted transaction: read_committed consumers skip it" }
                            else if *open { "written in an open transaction: past the last stable offset" } else { "" };
                        html! {
                            <li class={class} data-offset={offset.to_string()} {title}>
                                <span class="offset">{ offset }</span>
                                <span class="key">{ key.clone().unwrap_or_else(|| "∅".into()) }</span>
                                <span class="value">{ value.clone().unwrap_or_else(|| "tombstone".into()) }</span>
                                { marks_at(*offset) }
                            </li>
                        }
                    }
                }) }
                if window.to >= leo {
                    <li class="cell next" title="the next offset: high watermark and log end offset">
                        <span class="offset">{ leo }</span><span class="muted">{ "HW" }</span>{ marks_at(leo) }
                    </li>
                }
            </ol>
        </section>
    }
}
