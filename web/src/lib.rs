//! The logplay playground: a Yew app over `logplay-core`.
//!
//! State lives in a reducer ([`state::Playground`]) that owns the simulated cluster;
//! components only render views of it and dispatch actions.

pub mod state;

mod app;

pub use app::App;

/// Mounts the app on the page's `<body>`.
pub fn start() {
    yew::Renderer::<App>::new().render();
}
