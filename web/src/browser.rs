//! The few things that touch the browser: the address bar, the clipboard, localStorage.

use gloo::storage::{LocalStorage, Storage};
use wasm_bindgen::JsValue;

/// The localStorage key of the saved script.
const SAVED: &str = "logplay.script";

/// The link in a URL fragment: what follows `#s=`.
fn link_in(hash: &str) -> Option<&str> {
    hash.strip_prefix("#s=").filter(|l| !l.is_empty())
}

/// Where the playground starts: a link in the address bar first, then the saved script.
pub fn start_action() -> Option<crate::state::Action> {
    use crate::state::Action;
    let hash = gloo::utils::window().location().hash().unwrap_or_default();
    if let Some(link) = link_in(&hash) {
        return Some(Action::OpenLink(link.to_string()));
    }
    LocalStorage::get::<String>(SAVED)
        .ok()
        .filter(|s| !s.is_empty())
        .map(Action::Restore)
}

/// Saves the script in this browser.
pub fn save(script: &str) {
    // A full or disabled storage only costs the restore on reload.
    let _ = LocalStorage::set(SAVED, script);
}

/// Puts the link in the address bar, copies the full URL, and returns it.
pub fn share(link: &str) -> String {
    let window = gloo::utils::window();
    let fragment = format!("#s={link}");
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&fragment));
    }
    let url = window.location().href().unwrap_or(fragment);
    let promise = window.navigator().clipboard().write_text(&url);
    wasm_bindgen_futures::spawn_local(async move {
        // Copying may be refused (no permission, no focus); the link is on screen anyway.
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    });
    url
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
