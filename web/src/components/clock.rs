//! The simulated clock: always shown, with play, pause, step and speed.

use logplay_core::script::{decimal, format_duration};
use yew::prelude::*;

use super::{refusal, value_of, StoreProps};
use crate::state::{Action, Origin, SPEEDS, STEP_MS};

/// The clock and its controls.
#[function_component(Clock)]
pub fn clock(props: &StoreProps) -> Html {
    let store = &props.store;
    let (now, playing, speed) = {
        let m = store.model.borrow();
        (m.runner().cluster().now().0, m.playing, m.speed)
    };
    let toggle = {
        let store = store.clone();
        Callback::from(move |_| store.dispatch(Action::Playing(!playing)))
    };
    let step = {
        let store = store.clone();
        Callback::from(move |_| store.dispatch(Action::Step))
    };
    let set_speed = {
        let store = store.clone();
        Callback::from(move |e: Event| {
            let chosen = value_of(&e).parse::<usize>().ok();
            if let Some(&s) = chosen.and_then(|i| SPEEDS.get(i)) {
                store.dispatch(Action::Speed(s));
            }
        })
    };
    html! {
        <div class="clock-controls" role="group" aria-label="simulated clock">
            <output class="clock" data-testid="clock" aria-live="off" title="simulated time">
                { format!("t = {}", clock_text(now)) }
            </output>
            <button type="button" data-testid="play" aria-pressed={playing.to_string()} onclick={toggle}
                aria-label={if playing { "pause the clock" } else { "play the clock" }}>
                { if playing { "❚❚ Pause" } else { "▶ Play" } }
            </button>
            <button type="button" data-testid="step" onclick={step}
                title={format!("advance {} and let every consumer poll once", format_duration(STEP_MS))}>
                { format!("Step {}", format_duration(STEP_MS)) }
            </button>
            <label class="speed">
                <span>{ "Speed" }</span>
                <select data-testid="speed" onchange={set_speed} aria-label="speed">
                    { for SPEEDS.iter().enumerate().map(|(i, s)| html! {
                        <option value={i.to_string()} selected={*s == speed}>{ speed_label(*s) }</option>
                    }) }
                </select>
            </label>
            { refusal(store, Origin::Clock, "clock-error") }
        </div>
    }
}

/// `×0.25`, `×1`, `×100` (in hundredths: no float formatting in the download).
fn speed_label(speed: f64) -> String {
    format!("×{}", decimal((speed * 100.0).round() as u64, 2))
}

/// `12.3s` below a minute, then `2m 5.0s`.
pub fn clock_text(ms: u64) -> String {
    let (minutes, rest) = (ms / 60_000, ms % 60_000);
    let seconds = format!("{}.{}s", rest / 1_000, (rest % 1_000) / 100);
    if minutes == 0 {
        seconds
    } else {
        format!("{minutes}m {seconds}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speeds_and_times_read_as_written() {
        let labels: Vec<String> = SPEEDS.iter().map(|s| speed_label(*s)).collect();
        assert_eq!(
            labels,
            ["×0.25", "×0.5", "×1", "×2", "×5", "×10", "×50", "×100"]
        );
        assert_eq!(clock_text(12_345), "12.3s");
        assert_eq!(clock_text(125_000), "2m 5.0s");
    }
}
