//! Every case of Confluent's own JSON Schema diff tests (`tests/data/confluent-json-diff/`):
//! logplay must report the same differences (as a multiset: the registry's order follows
//! Java's hash order) and the same verdict under STRICT and LENIENT.

use logplay_core::registry::json_schema::{compare, JsonSchema, Policy};
use serde_json::Value;

/// The files use trailing commas, which Confluent's JSON reader accepts.
fn without_trailing_commas(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if in_string {
            in_string = c != '"' || escaped_before(&chars, i);
        } else if c == '"' {
            in_string = true;
        } else if c == ',' {
            let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            if matches!(next, Some('}') | Some(']')) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

fn escaped_before(chars: &[char], i: usize) -> bool {
    chars[..i].iter().rev().take_while(|c| **c == '\\').count() % 2 == 1
}

#[test]
fn every_confluent_case_gives_the_registry_s_differences_and_verdict() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/confluent-json-diff");
    let mut failures = Vec::new();
    let mut total = 0;
    for file in [
        "diff-schema-examples.json",
        "diff-combined-schema-examples.json",
        "diff-schema-examples-2020-12.json",
        "diff-combined-schema-examples-2020-12.json",
    ] {
        let text = std::fs::read_to_string(format!("{dir}/{file}")).unwrap();
        let cases: Vec<Value> = serde_json::from_str(&without_trailing_commas(&text)).unwrap();
        for case in cases {
            total += 1;
            let name = format!("{file}: {}", case["description"]);
            let parse = |k: &str| JsonSchema::parse(&case[k]);
            let (original, update) = match (parse("original_schema"), parse("update_schema")) {
                (Ok(o), Ok(u)) => (o, u),
                (o, u) => {
                    failures.push(format!(
                        "{name}: does not parse: {:?} {:?}",
                        o.err(),
                        u.err()
                    ));
                    continue;
                }
            };
            let diffs = compare(&original, &update, Policy::Strict).unwrap();
            let mut got: Vec<String> = diffs.iter().map(|d| d.label()).collect();
            let mut want: Vec<String> = case["changes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_string())
                .collect();
            got.sort();
            want.sort();
            let strict = diffs.iter().all(|d| d.kind.is_compatible(Policy::Strict));
            let lenient = diffs.iter().all(|d| d.kind.is_compatible(Policy::Lenient));
            let want_strict = case["compatible"].as_bool().unwrap();
            let want_lenient = case["compatible_lenient"].as_bool().unwrap_or(want_strict);
            if got != want || strict != want_strict || lenient != want_lenient {
                failures.push(format!(
                    "{name}: got {got:?} (strict {strict}, lenient {lenient}), want {want:?} (strict {want_strict}, lenient {want_lenient})"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
