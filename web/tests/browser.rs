//! The playground's components, rendered in headless Chromium.
#![cfg(target_arch = "wasm32")]

use logplay_web::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

fn mount() -> web_sys::Element {
    let document = gloo::utils::document();
    let root = document.create_element("div").expect("a div");
    document
        .body()
        .expect("a body")
        .append_child(&root)
        .expect("appended");
    yew::Renderer::<App>::with_root(root.clone()).render();
    root
}

fn by_test_id(root: &web_sys::Element, id: &str) -> web_sys::Element {
    root.query_selector(&format!("[data-testid={id}]"))
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("no {id}"))
}

#[wasm_bindgen_test]
async fn clicking_produce_appends_records_at_increasing_offsets() {
    let root = mount();
    yew::scheduler::flush().await;
    let button: HtmlElement = by_test_id(&root, "produce").dyn_into().expect("a button");
    button.click();
    yew::scheduler::flush().await;
    button.click();
    yew::scheduler::flush().await;
    let log = by_test_id(&root, "log");
    assert_eq!(log.children().length(), 2);
    assert_eq!(log.text_content().as_deref(), Some("0event-01event-1"));
    assert_eq!(
        by_test_id(&root, "clock").text_content().as_deref(),
        Some("t = 10ms")
    );
}
