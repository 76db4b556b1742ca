//! Export: the scenario as a program for a real cluster (Python with confluent-kafka, or a
//! kcat shell script), with what it could not carry over.

use logplay_core::script::{export, parse};
use yew::prelude::*;

use super::StoreProps;

/// Which program.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    Python,
    Shell,
}

/// The Export button and, once open, the program.
#[function_component(Export)]
pub fn export_panel(props: &StoreProps) -> Html {
    let open = use_state(|| None::<Target>);
    let show = |t: Option<Target>| {
        let open = open.clone();
        Callback::from(move |_| open.set(t))
    };
    let Some(target) = *open else {
        return html! {
            <div class="export-bar">
                <button type="button" data-testid="export" onclick={show(Some(Target::Python))}
                    title="the scenario as a program for a real Kafka cluster">{ "Export to a real cluster…" }</button>
            </div>
        };
    };
    let text = props.store.model.borrow().script_text();
    let (program, notes): (String, Vec<String>) = match parse(&text) {
        Err(e) => (String::new(), vec![e.to_string()]),
        Ok(script) => match target {
            Target::Python => match export::to_python(&script) {
                Ok(e) => (
                    e.program,
                    e.warnings
                        .iter()
                        .map(|(line, w)| format!("line {line}: {w}"))
                        .collect(),
                ),
                Err(e) => (String::new(), vec![e.to_string()]),
            },
            Target::Shell => match export::to_shell(&script) {
                Ok(p) => (p, Vec::new()),
                Err(e) => (String::new(), vec![e.to_string()]),
            },
        },
    };
    let usage = match target {
        Target::Python => {
            "pip install confluent-kafka, then: python3 scenario.py --bootstrap-servers HOST:9092"
        }
        Target::Shell => "needs kcat and kafka-topics.sh: BOOTSTRAP=HOST:9092 sh scenario.sh",
    };
    html! {
        <section class="export card" aria-label="export" data-testid="export-panel">
            <header class="row">
                <h3>{ "Export to a real cluster" }</h3>
                <button type="button" class="small" data-testid="export-python" disabled={target == Target::Python} onclick={show(Some(Target::Python))}>{ "Python" }</button>
                <button type="button" class="small" data-testid="export-shell" disabled={target == Target::Shell} onclick={show(Some(Target::Shell))}>{ "kcat shell" }</button>
                <button type="button" class="small" aria-label="close the export" onclick={show(None)}>{ "✕" }</button>
            </header>
            <p class="muted">{ usage }</p>
            <ul class="export-notes" data-testid="export-notes">
                { for notes.iter().map(|n| html! { <li>{ n.clone() }</li> }) }
            </ul>
            <textarea readonly=true rows="14" spellcheck="false" data-testid="export-program" aria-label="the exported program" value={program} />
        </section>
    }
}
