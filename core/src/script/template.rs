//! Generator templates: text with placeholders filled per record (a datagen source).
//!
//! `{i}` is the record's index, `{i%N}` the index modulo N, `{rand:A..B}` a seeded random
//! whole number in `A..=B`, and `{choice:a|b|c}` one of the options. Any other `{` is text,
//! so JSON templates read naturally: `{"id":{i},"amount":{rand:1..100}}`.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::Write;

use crate::rand::Rng;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Text(String),
    Index,
    IndexMod(u64),
    Rand(i64, i64),
    Choice(Vec<String>),
}

/// A parsed template; it prints back as the text it was parsed from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    source: String,
    parts: Vec<Part>,
}

impl Template {
    /// Parses a template; an unreadable placeholder is an error naming it.
    pub fn parse(source: &str) -> Result<Self, String> {
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut rest = source;
        while let Some(open) = rest.find('{') {
            let (before, after) = rest.split_at(open);
            text.push_str(before);
            let placeholder = after[1..].find('}').and_then(|close| {
                let inner = &after[1..1 + close];
                parse_placeholder(inner).map(|p| (p, close + 2))
            });
            match placeholder {
                Some((Ok(part), len)) => {
                    if !text.is_empty() {
                        parts.push(Part::Text(core::mem::take(&mut text)));
                    }
                    parts.push(part);
                    rest = &after[len..];
                }
                Some((Err(e), _)) => return Err(e),
                None => {
                    text.push('{');
                    rest = &after[1..];
                }
            }
        }
        text.push_str(rest);
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        Ok(Self {
            source: source.to_string(),
            parts,
        })
    }

    /// The text it was parsed from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether every record renders the same text (no placeholders).
    pub fn is_constant(&self) -> bool {
        self.parts.iter().all(|p| matches!(p, Part::Text(_)))
    }

    /// The most bytes any of records `0..count` renders to.
    pub fn max_len(&self, count: u64) -> u64 {
        let digits = |n: u64| u64::from(n.checked_ilog10().unwrap_or(0) + 1);
        let signed = |n: i64| digits(n.unsigned_abs()) + u64::from(n < 0);
        self.parts
            .iter()
            .map(|part| match part {
                Part::Text(t) => t.len() as u64,
                Part::Index => digits(count.saturating_sub(1)),
                Part::IndexMod(n) => digits(count.min(*n).saturating_sub(1)),
                Part::Rand(lo, hi) => signed(*lo).max(signed(*hi)),
                Part::Choice(options) => options.iter().map(String::len).max().unwrap_or(0) as u64,
            })
            .sum()
    }

    /// Renders record `i` into `out` (cleared first), drawing randomness from `rng`.
    pub fn render(&self, i: u64, rng: &mut Rng, out: &mut String) {
        out.clear();
        for part in &self.parts {
            // Writing to a String cannot fail.
            let _ = match part {
                Part::Text(t) => out.write_str(t),
                Part::Index => write!(out, "{i}"),
                Part::IndexMod(n) => write!(out, "{}", i % n),
                Part::Rand(lo, hi) => {
                    let span = hi.abs_diff(*lo).saturating_add(1);
                    write!(out, "{}", lo.wrapping_add(rng.below(span) as i64))
                }
                Part::Choice(options) => {
                    let pick = rng.below(options.len() as u64) as usize;
                    out.write_str(options.get(pick).map_or("", String::as_str))
                }
            };
        }
    }
}

/// `None`: not a placeholder (the brace is text). `Some(Err)`: a placeholder written wrong.
fn parse_placeholder(inner: &str) -> Option<Result<Part, String>> {
    if inner == "i" {
        return Some(Ok(Part::Index));
    }
    if let Some(n) = inner.strip_prefix("i%") {
        return Some(match n.parse::<u64>() {
            Ok(n) if n > 0 => Ok(Part::IndexMod(n)),
            _ => Err(alloc::format!(
                "{{{inner}}}: the modulus must be a whole number above 0"
            )),
        });
    }
    if let Some(range) = inner.strip_prefix("rand:") {
        let parsed = range
            .split_once("..")
            .and_then(|(a, b)| Some((a.parse::<i64>().ok()?, b.parse::<i64>().ok()?)));
        return Some(match parsed {
            Some((lo, hi)) if lo <= hi => Ok(Part::Rand(lo, hi)),
            _ => Err(alloc::format!(
                "{{{inner}}}: write a range as rand:LOW..HIGH with LOW <= HIGH"
            )),
        });
    }
    if let Some(options) = inner.strip_prefix("choice:") {
        let options: Vec<String> = options.split('|').map(ToString::to_string).collect();
        return Some(Ok(Part::Choice(options)));
    }
    None
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn max_len_is_the_longest_record_rendered() {
        let mut rng = Rng::new(7);
        let mut out = String::new();
        for (source, count) in [
            (r#"{"id":{i},"k":"u-{i%50}","n":{rand:-1000..99}}"#, 1001),
            ("{choice:a|bbb|cc}-{rand:0..0}", 50),
            ("{i}", 1),
            ("plain", 3),
        ] {
            let t = Template::parse(source).unwrap();
            let longest = (0..count)
                .map(|i| {
                    t.render(i, &mut rng, &mut out);
                    out.len() as u64
                })
                .max();
            assert!(longest <= Some(t.max_len(count)), "{source}");
            // The bound is tight for the index: record count-1 has the most digits.
            if source == "{i}" {
                assert_eq!(t.max_len(1001), 4);
            }
        }
    }

    #[test]
    fn placeholders_fill_and_other_braces_stay_text() {
        let t = Template::parse(r#"{"id":{i},"user":"u-{i%3}","n":{rand:5..5},"c":"{choice:x}"}"#)
            .unwrap();
        let mut rng = Rng::new(1);
        let mut out = String::new();
        t.render(7, &mut rng, &mut out);
        assert_eq!(out, r#"{"id":7,"user":"u-1","n":5,"c":"x"}"#);
        assert_eq!(
            t.source(),
            r#"{"id":{i},"user":"u-{i%3}","n":{rand:5..5},"c":"{choice:x}"}"#
        );
        let r = Template::parse("{rand:1..100}").unwrap();
        for i in 0..200 {
            r.render(i, &mut rng, &mut out);
            let n: i64 = out.parse().unwrap();
            assert!((1..=100).contains(&n));
        }
    }

    #[test]
    fn bad_placeholders_are_named() {
        assert!(Template::parse("{i%0}").unwrap_err().contains("{i%0}"));
        assert!(Template::parse("{rand:9..1}")
            .unwrap_err()
            .contains("rand:9..1"));
        assert!(Template::parse("{rand:a..b}").is_err());
        assert_eq!(Template::parse("{unclosed").unwrap().source(), "{unclosed");
    }
}
