//! The playground's components: each renders a view of the [`Store`] and dispatches actions.

mod brokers;
mod clock;
mod connectors;
mod console;
mod consumers;
mod export;
mod groups;
mod produce;
mod registry;
mod replaying;
mod share;
mod topics;

pub use brokers::Brokers;
pub use clock::Clock;
pub use connectors::{ConnectorForm, Connectors};
pub use console::Console;
pub use consumers::{ConsumerForm, Consumers};
pub use export::Export;
pub use groups::Groups;
pub use produce::{DatagenForm, ProduceForm, ProducerForm, Producers};
pub use registry::Registry;
pub use replaying::Replaying;
pub use share::Share;
pub use topics::{TopicForm, Topics};

use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::state::{Action, Origin, Store};

/// Client cards drawn at most; `describe cluster` in the console lists every client.
pub const CARDS_SHOWN: usize = 40;

/// A line for the cards not drawn, if any.
pub fn undrawn(count: usize, what: &str) -> Html {
    match count.checked_sub(CARDS_SHOWN) {
        Some(hidden) if hidden > 0 => html! {
            <p class="hint">{ format!("{hidden} more {what} are not drawn; `describe cluster` lists them all.") }</p>
        },
        _ => html! {},
    }
}

/// The handle every component gets.
pub type StoreHandle = UseReducerHandle<Store>;

/// Props of a component that needs only the store.
#[derive(Properties, PartialEq)]
pub struct StoreProps {
    /// The playground.
    pub store: StoreHandle,
}

/// The text of the input, select or textarea an event came from.
pub fn value_of(e: &Event) -> String {
    let Some(target) = e.target() else {
        return String::new();
    };
    if let Some(i) = target.dyn_ref::<HtmlInputElement>() {
        i.value()
    } else if let Some(s) = target.dyn_ref::<HtmlSelectElement>() {
        s.value()
    } else if let Some(t) = target.dyn_ref::<HtmlTextAreaElement>() {
        t.value()
    } else {
        String::new()
    }
}

/// Whether the checkbox an event came from is checked.
pub fn checked_of(e: &Event) -> bool {
    e.target()
        .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        .is_some_and(|i| i.checked())
}

/// A text field bound to a `UseStateHandle<String>`.
pub fn bind(state: &UseStateHandle<String>) -> Callback<InputEvent> {
    let state = state.clone();
    Callback::from(move |e: InputEvent| state.set(value_of(&e)))
}

/// A select bound to a `UseStateHandle<String>`.
pub fn bind_select(state: &UseStateHandle<String>) -> Callback<Event> {
    let state = state.clone();
    Callback::from(move |e: Event| state.set(value_of(&e)))
}

/// A checkbox bound to a `UseStateHandle<bool>`.
pub fn bind_check(state: &UseStateHandle<bool>) -> Callback<Event> {
    let state = state.clone();
    Callback::from(move |e: Event| state.set(checked_of(&e)))
}

/// The refusal of the last action, if it came from `origin`: Kafka's error text.
pub fn refusal(store: &StoreHandle, origin: Origin, testid: &'static str) -> Html {
    let model = store.model.borrow();
    match &model.refusal {
        Some(r) if r.origin == origin => html! {
            <p class="error" role="alert" data-testid={testid}>{ r.text.clone() }</p>
        },
        _ => html! {},
    }
}

/// A button that dispatches an action.
pub fn button(
    store: &StoreHandle,
    label: &str,
    title: String,
    action: Action,
    testid: String,
) -> Html {
    let store = store.clone();
    let onclick = Callback::from(move |_| store.dispatch(action.clone()));
    html! {
        <button type="button" class="small" title={title.clone()} aria-label={title} data-testid={testid} {onclick}>{ label.to_string() }</button>
    }
}
