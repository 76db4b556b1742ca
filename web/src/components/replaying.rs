//! A replay in progress (a link, a recipe, an edited script): how far it has got, and
//! Cancel.

use yew::prelude::*;

use super::StoreProps;
use crate::browser;
use crate::state::Action;

/// The progress of the replay, shown in place of the playground until it ends.
#[function_component(Replaying)]
pub fn replaying(props: &StoreProps) -> Html {
    let store = &props.store;
    // Mounted when a replay starts: the time it started.
    let started = use_mut_ref(browser::now_ms);
    let Some((progress, records, command)) = store.model.borrow().replay_progress() else {
        return html! {};
    };
    let fraction = progress.fraction();
    let elapsed = browser::now_ms() - *started.borrow();
    let left = (fraction > 0.01 && elapsed > 500.0).then(|| elapsed * (1.0 - fraction) / fraction);
    let cancel = {
        let store = store.clone();
        Callback::from(move |_| store.dispatch(Action::Cancel))
    };
    let line = (progress.commands_done + 1).min(progress.commands);
    html! {
        <section class="replaying" data-testid="replaying" aria-label="replaying the script">
            <h2>{ "Running the scenario" }</h2>
            <progress max="1" value={fraction.to_string()} aria-label="share of the script done" />
            <p role="status" data-testid="replay-progress">
                { format!("Command {line} of {} · {} records so far", progress.commands, group_digits(records)) }
                if let Some(ms) = left {
                    { format!(" · about {} left", seconds(ms)) }
                }
            </p>
            if let Some(c) = command {
                <p class="running"><code>{ crate::view::visible(&c) }</code>
                    { format!(" — {:.0}%", 100.0 * progress.command.done as f64 / progress.command.total.max(1) as f64) }</p>
            }
            <button type="button" data-testid="cancel-replay" onclick={cancel}>{ "Cancel" }</button>
            <p class="hint">{ "Cancel keeps what has run so far and cuts the script there." }</p>
        </section>
    }
}

/// `1234567` as `1,234,567`.
fn group_digits(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Milliseconds as whole seconds, at least one.
fn seconds(ms: f64) -> String {
    format!("{} s", (ms / 1000.0).ceil().max(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_as_people_write_them() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(1234567), "1,234,567");
        assert_eq!(group_digits(100), "100");
        assert_eq!(seconds(10.0), "1 s");
        assert_eq!(seconds(2500.0), "3 s");
    }
}
