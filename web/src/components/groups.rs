//! The group panel: state, generation, protocol, members and their partitions.

use yew::prelude::*;

use super::StoreProps;

/// Every consumer group.
#[function_component(Groups)]
pub fn groups(props: &StoreProps) -> Html {
    let m = props.store.model.borrow();
    let cluster = m.runner().cluster();
    let groups: Vec<_> = cluster
        .list_groups()
        .iter()
        .filter_map(|g| cluster.describe_group(g).ok())
        .collect();
    if groups.is_empty() {
        return html! {};
    }
    html! {
        <div class="groups" data-testid="groups">
            { for groups.iter().map(|g| html! {
                <article class="card group" data-testid={format!("group-{}", g.group)} aria-label={format!("group {}", g.group)}>
                    <header class="row">
                        <h3>{ crate::view::visible(&g.group) }</h3>
                        <span class={classes!("state", g.state.name())} data-testid={format!("group-state-{}", g.group)}>{ g.state.name() }</span>
                        <span class="muted">{ format!("generation {}", g.generation) }</span>
                        <span class="muted">{ g.protocol.clone().unwrap_or_else(|| "no protocol".into()) }</span>
                    </header>
                    <ul class="members">
                        { for g.members.iter().map(|member| {
                            let leader = g.leader.as_deref() == Some(member.member_id.as_str());
                            let parts: Vec<String> = member.assignment.iter().map(|(t, p)| format!("{t}-{p}")).collect();
                            html! {
                                <li data-testid={format!("member-{}", member.client_id)}>
                                    <strong>{ member.client_id.clone() }</strong>
                                    if leader { <span class="badge">{ "leader" }</span> }
                                    <span class="muted">{ format!(" {} ", member.member_id) }</span>
                                    <span class="partitions">{ if parts.is_empty() { "no partitions".to_string() } else { parts.join(" ") } }</span>
                                </li>
                            }
                        }) }
                    </ul>
                </article>
            }) }
        </div>
    }
}
