//! New, recipes and sharing: the script as a link.

use yew::prelude::*;

use super::{value_of, StoreProps};
use crate::recipes::{self, RECIPES};
use crate::state::Action;

/// The share link of the current script (`#s=…`), set in the address bar and copied.
#[function_component(Share)]
pub fn share(props: &StoreProps) -> Html {
    let store = &props.store;
    let url = use_state(String::new);
    let copy = {
        let (store, url) = (store.clone(), url.clone());
        Callback::from(move |_| {
            let link = store.model.borrow().link();
            url.set(crate::browser::share(&link));
        })
    };
    let new = {
        let store = store.clone();
        Callback::from(move |_| store.dispatch(Action::New))
    };
    let recipe = {
        let store = store.clone();
        Callback::from(move |e: Event| {
            if let Some(r) = recipes::find(&value_of(&e)) {
                store.dispatch(Action::Recipe(r.script));
            }
        })
    };
    html! {
        <div class="share" role="group" aria-label="playground">
            <button type="button" data-testid="new" onclick={new} title="clear the playground">{ "New" }</button>
            <select data-testid="recipes" onchange={recipe} aria-label="recipes">
                <option value="" selected=true>{ "Recipes…" }</option>
                { for RECIPES.iter().map(|r| html! {
                    <option value={r.id} title={r.teaches}>{ r.title }</option>
                }) }
            </select>
            <button type="button" data-testid="copy-link" onclick={copy}>{ "Copy link" }</button>
            if !url.is_empty() {
                <input class="share-url" data-testid="share-url" readonly=true value={(*url).clone()} aria-label="share link" />
            }
        </div>
    }
}
