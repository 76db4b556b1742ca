//! The engine does not depend on the layer above it: no module of `core/src` outside
//! `core/src/script/` names `crate::script`.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("core/src is readable") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn engine_modules_do_not_import_the_script_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/src");
    let script = src.join("script");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let engine: Vec<_> = files.iter().filter(|f| !f.starts_with(&script)).collect();
    assert!(
        engine.len() > 20,
        "found only {} engine files",
        engine.len()
    );
    let offenders: Vec<String> = engine
        .iter()
        .filter(|f| {
            std::fs::read_to_string(f)
                .expect("a source file")
                .contains("crate::script")
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        offenders.is_empty(),
        "engine modules that import the script layer: {offenders:?}"
    );
}
