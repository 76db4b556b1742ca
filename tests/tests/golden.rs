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
            let first = got.lines().zip(expected.lines()).position(|(a, b)| a != b);
            failures.push(format!("{name}: first difference at output line {first:?}"));
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
