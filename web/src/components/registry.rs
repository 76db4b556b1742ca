//! The schema registry: subjects with their versions, ids and compatibility level, and a
//! form to check or register a schema.

use logplay_core::registry::json_schema::Policy;
use logplay_core::registry::Compatibility;
use logplay_core::script::Command;
use yew::prelude::*;

use super::{bind, refusal, value_of, StoreProps};
use crate::state::{Action, Origin};

/// A schema to start from: the value of an `orders` topic.
const EXAMPLE: &str = r#"{"type":"object","properties":{"id":{"type":"integer"},"amount":{"type":"number","minimum":0}},"required":["id"],"additionalProperties":false}"#;

/// Every subject, and the register/check form.
#[function_component(Registry)]
pub fn registry(props: &StoreProps) -> Html {
    let store = &props.store;
    let subject = use_state(|| "orders-value".to_string());
    let schema = use_state(|| EXAMPLE.to_string());
    let m = store.model.borrow();
    let registry = m.runner().registry();
    let run = |command: Command| {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| {
            store.dispatch(Action::Run(Origin::Registry, vec![command.clone()]))
        })
    };
    let register = run(Command::SchemaRegister {
        subject: subject.trim().to_string(),
        schema: (*schema).clone(),
        references: Vec::new(),
    });
    let check = run(Command::SchemaCheck {
        subject: subject.trim().to_string(),
        schema: (*schema).clone(),
        references: Vec::new(),
    });
    let on_schema = {
        let schema = schema.clone();
        Callback::from(move |e: InputEvent| schema.set(value_of(&e)))
    };
    // A picker of the levels that sets the registry's (`None`) or one subject's.
    let level_select = |subject: Option<&str>, current: Compatibility| {
        let testid = format!("compatibility-{}", subject.unwrap_or("global"));
        let (store, subject) = (store.clone(), subject.map(str::to_string));
        let onchange = Callback::from(move |e: Event| {
            if let Some(level) = Compatibility::parse(&value_of(&e)) {
                let subject = subject.clone();
                store.dispatch(Action::Run(
                    Origin::Registry,
                    vec![Command::SchemaCompatibility {
                        subject,
                        level,
                        policy: None,
                    }],
                ));
            }
        });
        html! {
            <select data-testid={testid} {onchange}>
                { for Compatibility::ALL.iter().map(|c| html! { <option value={c.name()} selected={*c == current}>{ c.name() }</option> }) }
            </select>
        }
    };
    let policy_select = {
        let (store, level) = (store.clone(), registry.compatibility());
        let onchange = Callback::from(move |e: Event| {
            if let Some(policy) = Policy::parse(&value_of(&e)) {
                store.dispatch(Action::Run(
                    Origin::Registry,
                    vec![Command::SchemaCompatibility {
                        subject: None,
                        level,
                        policy: Some(policy),
                    }],
                ));
            }
        });
        html! {
            <select data-testid="compatibility-policy" {onchange}>
                { for Policy::ALL.iter().map(|p| html! { <option value={p.name()} selected={*p == registry.policy()}>{ p.name() }</option> }) }
            </select>
        }
    };
    let subjects = registry.subjects().map(|(name, s)| {
        html! {
            <article class="card subject" data-testid={format!("subject-{name}")} aria-label={format!("subject {name}")}>
                <header class="row">
                    <h3>{ name }</h3>
                    { level_select(Some(name), registry.effective_compatibility(name)) }
                </header>
                <ol class="versions">
                    { for s.versions.iter().enumerate().map(|(v, id)| html! {
                        <li data-testid={format!("version-{name}-{}", v + 1)}>
                            <details>
                                <summary>{ format!("version {} · id {id}", v + 1) }</summary>
                                <pre>{ registry.schema(*id).map(|x| x.text.clone()).unwrap_or_default() }</pre>
                            </details>
                        </li>
                    }) }
                </ol>
            </article>
        }
    }).collect::<Html>();
    let check_result = m.last_check.as_ref().map(|c| match &c.incompatibility {
        None => html! {
            <div class="check-result ok" data-testid="compatibility-result" role="status">
                { format!("{} under {}: compatible", c.subject, c.level) }
            </div>
        },
        Some(i) => html! {
            <div class="check-result error" data-testid="compatibility-result" role="status">
                { format!("{} under {}: not compatible with version {}", c.subject, c.level, i.version) }
                <ul class="differences">
                    { for i.reasons.iter().map(|r| html! {
                        <li data-testid="difference">
                            <code class="error-type">{ r.difference.kind.name() }</code>
                            { " at " }<code class="path">{ r.difference.path.clone() }</code>
                            <p>{ r.description() }</p>
                        </li>
                    }) }
                </ul>
            </div>
        },
    });
    html! {
        <section class="column" aria-label="schema registry" data-testid="registry">
            <h2>{ "Schema registry" }</h2>
            <div class="card form">
                <label>{ "Subject" }<input data-testid="schema-subject" value={(*subject).clone()} oninput={bind(&subject)} placeholder="TOPIC-value" /></label>
                <label>{ "Registry level" }{ level_select(None, registry.compatibility()) }</label>
                <label title="compatibilityPolicy: LENIENT lets an open content model take an optional field">{ "JSON Schema policy" }{ policy_select }</label>
                <label class="wide">{ "JSON Schema" }<textarea data-testid="schema-text" rows="4" value={(*schema).clone()} oninput={on_schema} /></label>
                <button type="button" data-testid="schema-check" onclick={check}>{ "Check compatibility" }</button>
                <button type="button" data-testid="schema-register" onclick={register}>{ "Register" }</button>
                { refusal(store, Origin::Registry, "registry-error") }
                { check_result.unwrap_or_default() }
            </div>
            { subjects }
        </section>
    }
}
