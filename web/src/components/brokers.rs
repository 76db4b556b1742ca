//! The brokers: one column each, with the replicas it holds (leader ★, in sync, behind), and a
//! click to stop, start, cut off or heal it. Under-replicated and offline partitions stand out,
//! and so do those led away from their preferred replica until the controller moves them back.

use logplay_core::replication::BrokerState;
use logplay_core::script::{BrokerAction, Command};
use yew::prelude::*;

use super::{button, refusal, StoreProps};
use crate::state::{Action, Origin};

/// Replicas a broker's column draws; the rest are counted.
const REPLICAS_SHOWN: usize = 24;
/// Partitions an alert names; the rest are counted.
const ALERT_NAMES: usize = 20;

/// One replica as a broker's column shows it.
struct ReplicaView {
    partition: String,
    leader: bool,
    preferred: bool,
    in_sync: bool,
    offline: bool,
    log_end_offset: i64,
}

/// Every broker as a column.
#[function_component(Brokers)]
pub fn brokers(props: &StoreProps) -> Html {
    let store = &props.store;
    let model = store.model.borrow();
    let cluster = model.runner().cluster();
    let brokers = cluster.brokers();
    let (mut under, mut offline, mut away) = (Vec::new(), Vec::new(), Vec::new());
    let mut held: Vec<Vec<ReplicaView>> = brokers.iter().map(|_| Vec::new()).collect();
    for name in cluster.list_topics() {
        let Ok(topic) = cluster.topic(name) else {
            continue;
        };
        for (p, part) in topic.partitions().iter().enumerate() {
            let tp = format!("{name}-{p}");
            if part.is_offline() {
                offline.push(tp.clone());
            } else if part.is_under_replicated() {
                under.push(tp.clone());
            }
            if !part.is_offline() && part.leader_imbalanced() {
                away.push(tp.clone());
            }
            for (i, b) in part.replicas.iter().enumerate() {
                if let Some(list) = brokers
                    .iter()
                    .position(|x| x.id == *b)
                    .and_then(|j| held.get_mut(j))
                {
                    list.push(ReplicaView {
                        partition: tp.clone(),
                        leader: part.leader == *b,
                        preferred: i == 0,
                        in_sync: part.isr.contains(b),
                        offline: part.is_offline(),
                        log_end_offset: part.replica_log_end_offset(i),
                    });
                }
            }
        }
    }
    let count = brokers.len();
    html! {
        <section class="brokers" aria-label="brokers" data-testid="brokers">
            <header class="row">
                <h2>{ "Brokers" }</h2>
                { button(store, "+ broker", format!("grow the cluster to {} brokers", count + 1),
                    Action::Run(Origin::Broker, vec![Command::Brokers { count: count + 1, racks: None }]), "add-broker".into()) }
                if !offline.is_empty() {
                    <span class="alert offline" data-testid="offline" title="no leader: producers and consumers wait">{ format!("offline: {}", listed(&offline)) }</span>
                }
                if !under.is_empty() {
                    <span class="alert under" data-testid="under-replicated" title="fewer in-sync replicas than replicas">{ format!("under-replicated: {}", listed(&under)) }</span>
                }
                if !away.is_empty() {
                    <span class="alert away" data-testid="not-preferred" title="led by another replica than the first assigned: with auto.leader.rebalance.enable the controller moves it back leader.imbalance.check.interval.seconds later">{ format!("not on the preferred leader: {}", listed(&away)) }</span>
                }
                { refusal(store, Origin::Broker, "broker-error") }
            </header>
            <div class="broker-columns">
                { for brokers.iter().zip(&held).map(|(b, replicas)| {
                    let id = b.id;
                    let toggle = match b.state {
                        BrokerState::Stopped => (BrokerAction::Start, "Start"),
                        _ => (BrokerAction::Stop, "Stop"),
                    };
                    let cut = match b.state {
                        BrokerState::Isolated => Some((BrokerAction::Heal, "Heal")),
                        BrokerState::Running => Some((BrokerAction::Isolate, "Isolate")),
                        BrokerState::Stopped => None,
                    };
                    let act = |(action, label): (BrokerAction, &str)| button(store, label, format!("{} broker {id}", action.name()),
                        Action::Run(Origin::Broker, vec![Command::BrokerChange { broker: id, action }]),
                        format!("broker-{}-{id}", action.name()));
                    html! {
                        <article class={classes!("card", "broker", b.state.name())} data-testid={format!("broker-{id}")} aria-label={format!("broker {id}")}>
                            <header class="row">
                                <h3>{ format!("broker {id}") }</h3>
                                if let Some(rack) = &b.rack { <span class="muted">{ format!("rack {rack}") }</span> }
                                <span class={classes!("state", b.state.name())} data-testid={format!("broker-state-{id}")}>{ b.state.name() }</span>
                            </header>
                            <div class="row">{ act(toggle) }{ for cut.map(act) }</div>
                            <ul class="replicas">
                                { for replicas.iter().take(REPLICAS_SHOWN).map(|r| {
                                    let class = classes!("replica", r.leader.then_some("leader"), (!r.in_sync).then_some("behind"), r.offline.then_some("offline"));
                                    let role = if r.leader { "leader" } else if r.in_sync { "follower, in sync" } else { "follower, out of the ISR" };
                                    let role = if r.preferred { format!("{role} · the preferred replica") } else { role.to_string() };
                                    html! {
                                        <li {class} title={role} data-testid={format!("replica-{}-{id}", r.partition)}>
                                            { if r.leader { "★ " } else { "" } }{ r.partition.clone() }
                                            <span class="muted">{ format!(" LEO {}", r.log_end_offset) }</span>
                                        </li>
                                    }
                                }) }
                                if replicas.len() > REPLICAS_SHOWN {
                                    <li class="muted">{ format!("… and {} more replicas ({} leaders in all)",
                                        replicas.len() - REPLICAS_SHOWN, replicas.iter().filter(|r| r.leader).count()) }</li>
                                }
                            </ul>
                        </article>
                    }
                }) }
            </div>
        </section>
    }
}

/// The first [`ALERT_NAMES`] partitions, and how many more.
fn listed(partitions: &[String]) -> String {
    let shown = partitions[..partitions.len().min(ALERT_NAMES)].join(" ");
    match partitions.len().checked_sub(ALERT_NAMES) {
        Some(more) if more > 0 => format!("{shown} … and {more} more"),
        _ => shown,
    }
}
