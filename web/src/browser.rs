//! The few things that touch the browser: the address bar, the clipboard, localStorage.

use gloo::storage::{LocalStorage, Storage};
use wasm_bindgen::JsValue;

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
