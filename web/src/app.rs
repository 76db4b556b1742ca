//! The root component.

use yew::prelude::*;

use crate::state::{Action, Playground, DEMO_TOPIC};

/// The playground page.
#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(Playground::default);
    let produce = {
        let state = state.clone();
        let n = state.records().len();
        Callback::from(move |_| state.dispatch(Action::Produce(format!("event-{n}"))))
    };
    html! {
        <main class="app" data-testid="app">
            <header class="bar">
                <h1>{ "logplay" }</h1>
                <span class="clock" data-testid="clock">{ format!("t = {}", state.cluster.now()) }</span>
            </header>
            <section class="panel">
                <h2>{ format!("{DEMO_TOPIC}-0") }</h2>
                <button data-testid="produce" onclick={produce}>{ "Produce a record" }</button>
                if let Some(e) = &state.error {
                    <p class="error" role="alert">{ e }</p>
                }
                <ol class="log" data-testid="log" aria-label="partition log">
                    { for state.records().into_iter().map(|(offset, value)| html! {
                        <li key={offset} class="cell"><span class="offset">{ offset }</span>{ value }</li>
                    }) }
                </ol>
            </section>
        </main>
    }
}
