//! The root component: the layout, the play loop, persistence and the start-up link.

use gloo::timers::callback::Interval;
use yew::prelude::*;

use crate::browser;
use crate::components::{
    Brokers, Clock, ConnectorForm, Connectors, Console, ConsumerForm, Consumers, DatagenForm,
    Export, Groups, ProduceForm, ProducerForm, Producers, Registry, Share, TopicForm, Topics,
};
use crate::state::{Action, Notice, Store, FRAME_MS};

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
    // Save the script after every change.
    {
        let store = store.clone();
        use_effect_with(store.version, move |_| {
            let model = store.model.borrow();
            browser::save(&model.script_text(), &model.kept);
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
                <Clock store={store.clone()} />
                if kept {
                    <button type="button" class="small" data-testid="restore-kept" onclick={restore_kept}
                        title="Bring back the playground a link, a recipe or New set aside">{ "↩ Restore kept" }</button>
                }
                <Share store={store.clone()} />
            </header>
            if let Some(n) = notice {
                <div class={classes!("notice", matches!(n, Notice::Info(_)).then_some("info"))}
                    role={notice_role(&n)} data-testid="notice">
                    <span>{ n.text().to_string() }</span>
                    <button type="button" class="small" onclick={dismiss} aria-label="dismiss">{ "✕" }</button>
                </div>
            }
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
