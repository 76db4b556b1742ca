//! The root component: the layout, the play loop, persistence and the start-up link.

use core::cell::RefCell;
use std::rc::Rc;

use gloo::timers::callback::Interval;
use yew::prelude::*;

use crate::browser;
use crate::components::{
    Brokers, Clock, ConnectorForm, Connectors, Console, ConsumerForm, Consumers, DatagenForm,
    Export, Groups, ProduceForm, ProducerForm, Producers, Registry, Replaying, Share, TopicForm,
    Topics,
};
use crate::state::{Action, Notice, Store, FRAME_MS};

/// Real milliseconds of replay between two yields to the browser.
const SLICE_MS: f64 = 8.0;
/// Records' worth of replay between two looks at the real clock.
const SLICE_UNITS: u64 = 2_000;
/// Real milliseconds between two redraws of a replay's progress.
const REDRAW_MS: f64 = 50.0;

/// Runs the replay in progress a slice at a time, yielding to the browser after each, and
/// redraws its progress every [`REDRAW_MS`] and when it ends.
fn pump(store: UseReducerHandle<Store>, pumping: Rc<RefCell<bool>>, redrawn: f64) {
    browser::after_yield(move || {
        let start = browser::now_ms();
        while browser::now_ms() - start < SLICE_MS {
            let mut model = store.model.borrow_mut();
            model.apply(Action::Slice(SLICE_UNITS));
            if !model.is_replaying() {
                break;
            }
        }
        let replaying = store.model.borrow().is_replaying();
        if replaying && browser::now_ms() - redrawn < REDRAW_MS {
            pump(store, pumping, redrawn);
        } else {
            // Through the reducer: the page redraws, and a replay still running is pumped on.
            *pumping.borrow_mut() = false;
            store.dispatch(Action::Slice(1));
        }
    });
}

/// The playground page.
#[function_component(App)]
pub fn app() -> Html {
    let store = use_reducer(Store::default);
    // Start from the link in the address bar, else from what this browser saved.
    {
        let store = store.clone();
        use_effect_with((), move |_| {
            store.dispatch(Action::Start(browser::start()));
            browser::clear_link();
        });
    }
    // Save the script after every change (not partway through a replay: until it ends, what
    // is saved is what was there before).
    {
        let store = store.clone();
        use_effect_with(store.version, move |_| {
            let model = store.model.borrow();
            if !model.is_replaying() {
                browser::save(&model.script_text(), &model.kept);
            }
        });
    }
    // A replay runs in slices of about SLICE_MS, yielding to the browser between them.
    let replaying = store.model.borrow().is_replaying();
    let pumping = use_mut_ref(|| false);
    {
        let store = store.clone();
        use_effect_with((replaying, store.version), move |&(replaying, _)| {
            if replaying && !*pumping.borrow() {
                *pumping.borrow_mut() = true;
                pump(store, pumping, browser::now_ms());
            }
        });
    }
    // While playing, the clock advances every frame.
    let playing = store.model.borrow().playing;
    {
        let store = store.clone();
        use_effect_with(playing, move |&playing| {
            let interval = playing
                .then(|| Interval::new(FRAME_MS, move || store.dispatch(Action::Frame(FRAME_MS))));
            move || drop(interval)
        });
    }
    let notice = store.model.borrow().notice.clone();
    let kept = !store.model.borrow().kept.is_empty();
    let restore_kept = {
        let store = store.clone();
        Callback::from(move |_| store.dispatch(Action::RestoreKept))
    };
    let dismiss = {
        let store = store.clone();
        Callback::from(move |_| store.dispatch(Action::Dismiss))
    };
    html! {
        <div class="app" data-testid="app">
            <header class="bar">
                <h1><span class="logo" aria-hidden="true">{ "▤" }</span>{ "logplay" }</h1>
                // Until a replay ends, only its Cancel is taken: the controls wait.
                if !replaying {
                <Clock store={store.clone()} />
                if kept {
                    <button type="button" class="small" data-testid="restore-kept" onclick={restore_kept}
                        title="Bring back the playground a link, a recipe or New set aside">{ "↩ Restore kept" }</button>
                }
                <Share store={store.clone()} />
                }
            </header>
            if let Some(n) = notice {
                <div class={classes!("notice", matches!(n, Notice::Info(_)).then_some("info"))}
                    role={notice_role(&n)} data-testid="notice">
                    <span>{ n.text().to_string() }</span>
                    <button type="button" class="small" onclick={dismiss} aria-label="dismiss">{ "✕" }</button>
                </div>
            }
            if replaying {
                <Replaying store={store.clone()} />
            } else {
            <Brokers store={store.clone()} />
            <Export store={store.clone()} />
            <main class="columns">
                <section class="column" aria-label="topics">
                    <h2>{ "Topics" }</h2>
                    <TopicForm store={store.clone()} />
                    <Topics store={store.clone()} />
                </section>
                <section class="column" aria-label="producers">
                    <h2>{ "Produce" }</h2>
                    <ProduceForm store={store.clone()} />
                    <Producers store={store.clone()} />
                    <ProducerForm store={store.clone()} />
                    <DatagenForm store={store.clone()} />
                </section>
                <section class="column" aria-label="consumers">
                    <h2>{ "Consume" }</h2>
                    <ConsumerForm store={store.clone()} />
                    <Groups store={store.clone()} />
                    <Consumers store={store.clone()} />
                </section>
            </main>
            <section class="columns ecosystem" aria-label="ecosystem">
                <Registry store={store.clone()} />
                <section class="column" aria-label="connectors">
                    <h2>{ "Connectors" }</h2>
                    <ConnectorForm store={store.clone()} />
                    <Connectors store={store.clone()} />
                </section>
            </section>
            <Console store={store.clone()} />
            }
        </div>
    }
}

/// Information is announced politely; a problem at once.
fn notice_role(notice: &Notice) -> &'static str {
    match notice {
        Notice::Info(_) => "status",
        Notice::Problem(_) => "alert",
    }
}
