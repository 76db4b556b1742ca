//! Replays the committed fuzz corpus (`tests/fuzz/corpus/<target>/*`) through the fuzz targets, on
//! stable Rust: every input that once found new coverage stays a regression test.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut inputs = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("a corpus entry").path();
        run(&std::fs::read(&path).expect("a corpus file"));
        inputs += 1;
    }
    assert!(inputs > 0, "the {target} corpus is empty");
    println!("{target}: replayed {inputs} inputs");
}

#[test]
fn script_parser_corpus() {
    replay("script_parser", logplay_tests::fuzz::script_parser);
}

#[test]
fn link_decoder_corpus() {
    replay("link_decoder", logplay_tests::fuzz::link_decoder);
}

#[test]
fn engine_ops_corpus() {
    replay("engine_ops", logplay_tests::fuzz::engine_ops);
}
