//! The JSON Schema Test Suite's keyword tests (`tests/data/json-schema-test-suite/`) for
//! drafts 4, 7 and 2020-12, against logplay's validator.
//!
//! Every group logplay loads must give the suite's verdict on every document, except four
//! `unevaluatedProperties`/`unevaluatedItems` cases where an explicit
//! `additionalProperties: true` (or `items: true` after `prefixItems`) should count as
//! evaluating (logplay reads it as absent, as the registry's model does). A group logplay does not load must be refused
//! for a known reason: a reference to another document, a `$anchor` or `$dynamicRef`, a
//! custom metaschema, or a Unicode class `regex-lite` lacks.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;

use logplay_core::registry::json_schema::JsonSchema;
use serde_json::Value;

/// Why logplay refuses a group, by a phrase of its refusal.
const REFUSALS: [(&str, &str); 5] = [
    ("resolves only local references", "another document"),
    ("points at nothing", "a $anchor name"),
    ("does not know the keyword \"$dynamic", "$dynamicRef"),
    ("is not a draft logplay knows", "a custom metaschema"),
    ("Unicode character classes", "a Unicode class"),
];

/// The files whose failures are that simplification.
const ANNOTATION_FILES: [&str; 2] = ["unevaluatedItems.json", "unevaluatedProperties.json"];

#[derive(Default, Debug)]
struct Tally {
    passed: usize,
    failed: Vec<String>,
    refused: BTreeMap<&'static str, usize>,
}

fn run(draft: &str, schema_url: Option<&str>) -> Tally {
    let dir = format!(
        "{}/data/json-schema-test-suite/{draft}",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the suite is in tests/data")
        .map(|e| e.expect("a file").path())
        .collect();
    files.sort();
    let mut tally = Tally::default();
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let groups: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap())
            .expect("the suite's JSON");
        for group in groups.as_array().expect("a list of groups") {
            let tests = group["tests"].as_array().expect("a group's tests");
            let mut schema = group["schema"].clone();
            if let (Some(url), Some(object)) = (schema_url, schema.as_object_mut()) {
                object.entry("$schema").or_insert(url.into());
            }
            let parsed = match JsonSchema::parse(&schema) {
                Ok(parsed) => parsed,
                Err(e) => {
                    let reason = REFUSALS
                        .iter()
                        .find(|(phrase, _)| e.contains(phrase))
                        .map(|(_, reason)| *reason)
                        .unwrap_or_else(|| panic!("{draft}/{name}: {}: {e}", group["description"]));
                    *tally.refused.entry(reason).or_default() += tests.len();
                    continue;
                }
            };
            for test in tests {
                let valid = test["valid"].as_bool().expect("a verdict");
                if parsed.validate(&test["data"]).is_ok() == valid {
                    tally.passed += 1;
                } else {
                    tally.failed.push(format!(
                        "{name}: {} / {}",
                        group["description"], test["description"]
                    ));
                }
            }
        }
    }
    let refused: usize = tally.refused.values().sum();
    println!(
        "{draft}: {} pass, {} fail, {refused} refused {:?}",
        tally.passed,
        tally.failed.len(),
        tally.refused
    );
    tally
}

#[test]
fn draft_4_and_draft_7_pass_every_test_of_a_schema_logplay_loads() {
    for (draft, url) in [
        ("draft4", Some("http://json-schema.org/draft-04/schema#")),
        ("draft7", None),
    ] {
        let tally = run(draft, url);
        assert_eq!(tally.failed, Vec::<String>::new(), "{draft}");
        let refused: usize = tally.refused.values().sum();
        assert!(
            tally.passed > 580 && refused < tally.passed / 10,
            "{draft}: {tally:?}"
        );
    }
}

#[test]
fn draft_2020_12_fails_only_where_an_explicit_true_should_count_as_evaluating() {
    let tally = run("draft2020-12", None);
    let outside: Vec<&String> = tally
        .failed
        .iter()
        .filter(|f| !ANNOTATION_FILES.iter().any(|file| f.starts_with(file)))
        .collect();
    assert_eq!(outside, Vec::<&String>::new());
    // The simplification's extent, as measured: a change either way must update it.
    assert_eq!(tally.failed.len(), 4, "{:#?}", tally.failed);
    assert!(tally.passed > 1100, "{tally:?}");
}
