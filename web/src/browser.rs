//! The few things that touch the browser: the address bar, the clipboard, localStorage,
//! the real clock and the event loop.

use core::cell::RefCell;

use gloo::storage::{LocalStorage, Storage};
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// The localStorage key of the saved script.
const SAVED: &str = "logplay.script";
/// The localStorage key of the kept playgrounds (a JSON array of scripts).
const KEPT: &str = "logplay.kept";

/// The link in a URL fragment: what follows `#s=`.
fn link_in(hash: &str) -> Option<&str> {
    hash.strip_prefix("#s=").filter(|l| !l.is_empty())
}

/// Where the playground starts: what this browser saved, then the link in the address bar.
pub fn start() -> crate::state::Start {
    let hash = gloo::utils::window().location().hash().unwrap_or_default();
    crate::state::Start {
        link: link_in(&hash).map(str::to_string),
        saved: LocalStorage::get::<String>(SAVED)
            .ok()
            .filter(|s| !s.is_empty()),
        kept: LocalStorage::get::<Vec<String>>(KEPT).unwrap_or_default(),
        sliced: true,
    }
}

/// Takes the link out of the address bar once it was opened: a reload then restores what
/// the user did after it, not the link.
pub fn clear_link() {
    let window = gloo::utils::window();
    let location = window.location();
    if link_in(&location.hash().unwrap_or_default()).is_none() {
        return;
    }
    let path = location.pathname().unwrap_or_default() + &location.search().unwrap_or_default();
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&path));
    }
}

/// Saves the script, and the kept playgrounds, in this browser.
pub fn save(script: &str, kept: &[String]) {
    // A full or disabled storage only costs the restore on reload.
    let _ = LocalStorage::set(SAVED, script);
    if kept.is_empty() {
        LocalStorage::delete(KEPT);
    } else {
        let _ = LocalStorage::set(KEPT, kept);
    }
}

/// Copies the full URL of the link and returns it. The address bar keeps the plain URL, so
/// that a reload restores the saved playground, with what was done after the copy.
pub fn share(link: &str) -> String {
    let window = gloo::utils::window();
    let location = window.location();
    let url = format!(
        "{}{}{}#s={link}",
        location.origin().unwrap_or_default(),
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    let promise = window.navigator().clipboard().write_text(&url);
    wasm_bindgen_futures::spawn_local(async move {
        // Copying may be refused (no permission, no focus); the link is on screen anyway.
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    });
    url
}

/// Real milliseconds since the page opened.
pub fn now_ms() -> f64 {
    gloo::utils::window().performance().map_or(0.0, |p| p.now())
}

/// What runs when the page's message to itself arrives.
type Due = RefCell<Vec<Box<dyn FnOnce()>>>;

thread_local! {
    /// A channel the page posts to itself, and what runs when the message arrives.
    static YIELD: (Option<web_sys::MessageChannel>, Due) = {
        let channel = web_sys::MessageChannel::new().ok();
        if let Some(c) = &channel {
            let run = Closure::<dyn Fn()>::new(|| {
                let due: Vec<Box<dyn FnOnce()>> = YIELD.with(|(_, due)| due.take());
                due.into_iter().for_each(|f| f());
            });
            c.port1().set_onmessage(Some(run.as_ref().unchecked_ref()));
            // It serves the page for as long as the page lives.
            run.forget();
        }
        (channel, RefCell::new(Vec::new()))
    };
}

/// Runs `f` once the browser has handled what waits (input, a repaint): a message the
/// page posts to itself, which, unlike `setTimeout(0)`, is not held back 4 ms.
pub fn after_yield(f: impl FnOnce() + 'static) {
    YIELD.with(|(channel, due)| match channel {
        Some(c) => {
            due.borrow_mut().push(Box::new(f));
            let _ = c.port2().post_message(&JsValue::NULL);
        }
        None => {
            let timeout = gloo::timers::callback::Timeout::new(0, f);
            timeout.forget();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::link_in;

    #[test]
    fn the_link_is_what_follows_s_in_the_fragment() {
        assert_eq!(link_in("#s=1.abc"), Some("1.abc"));
        assert_eq!(link_in("#s="), None);
        assert_eq!(link_in("#x=1"), None);
        assert_eq!(link_in(""), None);
    }
}
