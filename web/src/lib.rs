//! The logplay playground: a Yew app over `logplay-core`.
//!
//! State lives in a reducer ([`state::Playground`]) that owns the script and the runner
//! it drives; components only render views of it and dispatch actions, and every action
//! that changes the cluster is a script command.

pub mod components;
pub mod forms;
pub mod recipes;
pub mod state;
pub mod view;

mod app;
mod browser;

pub use app::App;

/// Mounts the app on the page's `<body>`, in place of the loading shell.
pub fn start() {
    if let Some(shell) = gloo::utils::document().get_element_by_id("shell") {
        shell.remove();
    }
    yew::Renderer::<App>::new().render();
}
