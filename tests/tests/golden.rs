//! Golden scripts: each `tests/scripts/*.lp` runs to exactly its `.out`, natively and in
//! headless Chromium. `UPDATE_GOLDEN=1 cargo test -p logplay-tests --test golden` rewrites
//! the `.out` files (review the diff).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use logplay_tests::golden::{render, GOLDEN};

#[test]
fn every_golden_script_runs_to_its_expected_output() {
    let mut failures = Vec::new();
    for (name, script, expected) in GOLDEN {
        let got = render(script).unwrap_or_else(|e| panic!("{name}.lp does not parse: {e}"));
        #[cfg(not(target_arch = "wasm32"))]
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            let path = format!("{}/scripts/{name}.out", env!("CARGO_MANIFEST_DIR"));
            std::fs::write(path, &got).expect("write the golden file");
            continue;
        }
        if got != *expected {
            let diff = got.lines().zip(expected.lines()).find(|(a, b)| a != b);
            failures.push(format!(
                "{name}: got {} lines, expected {}; first difference: {diff:#?}",
                got.lines().count(),
                expected.lines().count()
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn every_script_in_the_folder_is_listed() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .expect("tests/scripts exists")
        .filter_map(|e| {
            e.ok()?
                .file_name()
                .to_str()?
                .strip_suffix(".lp")
                .map(str::to_string)
        })
        .collect();
    on_disk.sort();
    let listed: Vec<&str> = GOLDEN.iter().map(|g| g.0).collect();
    assert_eq!(
        on_disk, listed,
        "add new scripts to GOLDEN in tests/src/golden.rs"
    );
}

#[test]
fn a_fifty_command_scenario_fits_a_600_character_link() {
    use logplay_core::script::{link, parse};
    let script = parse(logplay_tests::workloads::FIFTY_COMMANDS).expect("it parses");
    assert_eq!(script.commands.len(), 50);
    let payload = link::encode(&script);
    assert!(
        payload.len() + "#s=".len() <= 600,
        "{} characters",
        payload.len() + 3
    );
    assert_eq!(
        link::decode(&payload).expect("it decodes"),
        parse(&logplay_core::script::print(&script)).expect("canonical")
    );
}

/// Natively only: a debug wasm build is too slow for 10⁶ records in a test (the browser
/// benchmark replays the same link in a release build).
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn the_million_record_link_replays_to_a_million_records() {
    use logplay_tests::workloads::{replay, MILLION_RECORDS};
    let script = logplay_core::script::parse(MILLION_RECORDS).expect("it parses");
    let payload = logplay_core::script::link::encode(&script);
    assert!(payload.len() < 300, "{payload}");
    assert_eq!(replay(&payload), 1_000_000);
}
