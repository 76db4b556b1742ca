//! The script console: the script so far (editable and replayable), a command line, and
//! the latest outputs.

use yew::prelude::*;

use super::{bind, refusal, value_of, StoreProps};
use crate::state::{Action, Origin};

/// The console.
#[function_component(Console)]
pub fn console(props: &StoreProps) -> Html {
    let store = &props.store;
    let draft = use_state(|| None::<String>);
    let line = use_state(String::new);
    let (script, feed, lesson) = {
        let m = store.model.borrow();
        (
            m.script_text(),
            m.feed.iter().cloned().collect::<Vec<_>>(),
            m.lesson.clone(),
        )
    };
    let edit = {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| draft.set(Some(value_of(&e))))
    };
    let replay = {
        let (store, draft, script) = (store.clone(), draft.clone(), script.clone());
        Callback::from(move |_| {
            let text = (*draft).clone().unwrap_or_else(|| script.clone());
            store.dispatch(Action::Replay(text));
            draft.set(None);
        })
    };
    let submit = {
        let (store, line) = (store.clone(), line.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if !line.trim().is_empty() {
                store.dispatch(Action::Console((*line).clone()));
                line.set(String::new());
            }
        })
    };
    html! {
        <section class="console card" aria-label="script console" data-testid="console">
            <div class="script-pane">
                <h2>{ "Script" }</h2>
                if let Some(l) = lesson { <p class="lesson" data-testid="lesson">{ l }</p> }
                <textarea data-testid="script" aria-label="the script of everything done so far" spellcheck="false"
                    value={(*draft).clone().unwrap_or_else(|| script.clone())} oninput={edit} rows="12" />
                <div class="row">
                    <button type="button" data-testid="run-script" onclick={replay}>{ "Run script" }</button>
                    if draft.is_some() { <span class="muted">{ "edited: Run replays it from the start" }</span> }
                </div>
                { refusal(store, Origin::Script, "script-error") }
            </div>
            <div class="feed-pane">
                <h2>{ "Output" }</h2>
                <form class="command-line" onsubmit={submit}>
                    <span aria-hidden="true">{ "›" }</span>
                    <input data-testid="command" aria-label="command" placeholder="produce producer-1 orders key=a value=b" value={(*line).clone()} oninput={bind(&line)} spellcheck="false" />
                    <button type="submit">{ "Run" }</button>
                </form>
                { refusal(store, Origin::Console, "console-error") }
                <ol class="feed" data-testid="feed">
                    { for feed.into_iter().rev().map(|l| html! { <li>{ l }</li> }) }
                </ol>
            </div>
        </section>
    }
}
