//! JSON Schema: the subset logplay's registry reads, validates and compares.
//!
//! Supported keywords: `type` (one or a list), `properties`, `required`,
//! `additionalProperties` (a boolean), `items`, `enum`, `const`, `minimum`, `maximum`,
//! `exclusiveMinimum`, `exclusiveMaximum` (numbers), `minLength`, `maxLength`, `minItems`,
//! `maxItems`; the annotations `$schema`, `$id`, `title`, `description`, `default`,
//! `examples`, `format` and `$comment` are kept but not checked. Any other keyword is refused
//! (`INVALID_SCHEMA`) rather than silently ignored.

use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use litemap::LiteMap;

use serde_json::Value as Json;

const ANNOTATIONS: [&str; 8] = [
    "$schema",
    "$id",
    "title",
    "description",
    "default",
    "examples",
    "format",
    "$comment",
];

/// JSON Schema's seven types.
pub const TYPES: [&str; 7] = [
    "null", "boolean", "integer", "number", "string", "array", "object",
];

/// A set of JSON types, one bit per entry of [`TYPES`]; empty means any type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Types(u8);

impl Types {
    const INTEGER: u8 = 1 << 2;
    const NUMBER: u8 = 1 << 3;

    fn of(name: &str) -> Option<Self> {
        TYPES.iter().position(|t| *t == name).map(|i| Self(1 << i))
    }

    fn of_value(v: &Json) -> Self {
        let i = match v {
            Json::Null => 0,
            Json::Bool(_) => 1,
            Json::Number(n) if n.is_i64() || n.is_u64() => 2,
            Json::Number(_) => 3,
            Json::String(_) => 4,
            Json::Array(_) => 5,
            Json::Object(_) => 6,
        };
        Self(1 << i)
    }

    /// Whether any type is allowed.
    pub fn is_any(self) -> bool {
        self.0 == 0
    }

    /// Whether a value of type `t` (one type) is allowed: an integer is also a number.
    fn allows(self, t: Self) -> bool {
        self.is_any() || self.0 & t.0 != 0 || (t.0 == Self::INTEGER && self.0 & Self::NUMBER != 0)
    }

    /// Whether every value these types allow, `other` allows too.
    pub fn within(self, other: Self) -> bool {
        if other.is_any() {
            return true;
        }
        if self.is_any() {
            return false;
        }
        (0..7).all(|i| self.0 & (1 << i) == 0 || other.allows(Self(1 << i)))
    }

    /// The type names, `|`-joined (`any` when unconstrained).
    pub fn describe(self) -> String {
        if self.is_any() {
            return "any".into();
        }
        let names: Vec<&str> = (0..7)
            .filter(|i| self.0 & (1 << i) != 0)
            .map(|i| TYPES[i])
            .collect();
        names.join("|")
    }
}

/// One schema (or sub-schema) as logplay reads it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Node {
    /// `type`.
    pub types: Types,
    /// `properties`, by name.
    pub properties: LiteMap<String, Node>,
    /// `required`.
    pub required: Vec<String>,
    /// `additionalProperties: false` closes the content model.
    pub closed: bool,
    /// `items`.
    pub items: Option<Box<Node>>,
    /// `enum` (or `const`, as a one-value enum).
    pub allowed: Option<Vec<Json>>,
    /// `minimum` / `exclusiveMinimum` (the flag: exclusive).
    pub minimum: Option<(f64, bool)>,
    /// `maximum` / `exclusiveMaximum`.
    pub maximum: Option<(f64, bool)>,
    /// `minLength`, `maxLength` (strings, in characters).
    pub length: (Option<u64>, Option<u64>),
    /// `minItems`, `maxItems`.
    pub item_count: (Option<u64>, Option<u64>),
}

impl Node {
    /// Reads a schema; the error names the keyword and where it is (`#/properties/id`).
    pub fn parse(schema: &Json) -> Result<Self, String> {
        parse_at(schema, "#")
    }

    /// Whether `property` is in `required`.
    pub fn requires(&self, property: &str) -> bool {
        self.required.iter().any(|r| r == property)
    }

    /// Checks a document; the error reads like the registry's JSON Schema validator:
    /// `#/amount: expected type: number, found: string`.
    pub fn validate(&self, doc: &Json) -> Result<(), String> {
        self.validate_at(doc, &mut String::from("#"))
    }

    fn validate_at(&self, doc: &Json, path: &mut String) -> Result<(), String> {
        let found = Types::of_value(doc);
        if !self.types.allows(found) {
            return Err(alloc::format!(
                "{path}: expected type: {}, found: {}",
                self.types.describe(),
                found.describe()
            ));
        }
        if let Some(allowed) = &self.allowed {
            if !allowed.iter().any(|a| json_equal(a, doc)) {
                return Err(alloc::format!("{path}: {doc} is not a valid enum value"));
            }
        }
        match doc {
            Json::Number(n) => {
                let x = n.as_f64().unwrap_or(0.0);
                if let Some((min, exclusive)) = self.minimum {
                    if x < min || (exclusive && x == min) {
                        let op = if exclusive {
                            "greater than"
                        } else {
                            "greater or equal to"
                        };
                        return Err(alloc::format!("{path}: {doc} is not {op} {}", number(min)));
                    }
                }
                if let Some((max, exclusive)) = self.maximum {
                    if x > max || (exclusive && x == max) {
                        let op = if exclusive {
                            "less than"
                        } else {
                            "less or equal to"
                        };
                        return Err(alloc::format!("{path}: {doc} is not {op} {}", number(max)));
                    }
                }
            }
            Json::String(s) => {
                let n = s.chars().count() as u64;
                if let Some(min) = self.length.0.filter(|m| n < *m) {
                    return Err(alloc::format!(
                        "{path}: expected minLength: {min}, actual: {n}"
                    ));
                }
                if let Some(max) = self.length.1.filter(|m| n > *m) {
                    return Err(alloc::format!(
                        "{path}: expected maxLength: {max}, actual: {n}"
                    ));
                }
            }
            Json::Array(items) => {
                let n = items.len() as u64;
                if let Some(min) = self.item_count.0.filter(|m| n < *m) {
                    return Err(alloc::format!(
                        "{path}: expected minimum item count: {min}, found: {n}"
                    ));
                }
                if let Some(max) = self.item_count.1.filter(|m| n > *m) {
                    return Err(alloc::format!(
                        "{path}: expected maximum item count: {max}, found: {n}"
                    ));
                }
                if let Some(item) = &self.items {
                    for (i, v) in items.iter().enumerate() {
                        let len = path.len();
                        path.push_str(&alloc::format!("/{i}"));
                        item.validate_at(v, path)?;
                        path.truncate(len);
                    }
                }
            }
            Json::Object(map) => {
                for r in &self.required {
                    if !map.contains_key(r) {
                        return Err(alloc::format!("{path}: required key [{r}] not found"));
                    }
                }
                for (k, v) in map {
                    match self.properties.get(k) {
                        Some(p) => {
                            let len = path.len();
                            path.push('/');
                            path.push_str(k);
                            p.validate_at(v, path)?;
                            path.truncate(len);
                        }
                        None if self.closed => {
                            return Err(alloc::format!(
                                "{path}: extraneous key [{k}] is not permitted"
                            ))
                        }
                        None => {}
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// A number as JSON writes it: `5`, not `5.0`.
pub(crate) fn number(x: f64) -> String {
    if x == (x as i64) as f64 {
        (x as i64).to_string()
    } else {
        Json::from(x).to_string()
    }
}

/// Equality as JSON Schema means it: `1` equals `1.0`.
fn json_equal(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn parse_at(schema: &Json, path: &str) -> Result<Node, String> {
    let map = match schema {
        Json::Bool(true) => return Ok(Node::default()),
        Json::Object(map) => map,
        _ => {
            return Err(alloc::format!(
                "{path}: a schema must be a JSON object (or true)"
            ))
        }
    };
    let mut node = Node::default();
    let bad = |keyword: &str, what: &str| alloc::format!("{path}: {keyword} must be {what}");
    let count = |keyword: &str, v: &Json| {
        v.as_u64()
            .ok_or_else(|| bad(keyword, "a non-negative whole number"))
    };
    let bound = |keyword: &str, v: &Json| v.as_f64().ok_or_else(|| bad(keyword, "a number"));
    for (keyword, v) in map {
        match keyword.as_str() {
            "type" => {
                let names: Vec<&Json> = match v {
                    Json::Array(list) => list.iter().collect(),
                    one => alloc::vec![one],
                };
                for name in names {
                    let t = name
                        .as_str()
                        .and_then(Types::of)
                        .ok_or_else(|| bad("type", "one of null boolean integer number string array object, or a list of them"))?;
                    node.types.0 |= t.0;
                }
            }
            "properties" => {
                let props = v.as_object().ok_or_else(|| bad("properties", "an object"))?;
                for (name, sub) in props {
                    let at = alloc::format!("{path}/properties/{name}");
                    node.properties.insert(name.clone(), parse_at(sub, &at)?);
                }
            }
            "required" => {
                let list = v
                    .as_array()
                    .filter(|l| l.iter().all(Json::is_string))
                    .ok_or_else(|| bad("required", "a list of property names"))?;
                node.required = list.iter().filter_map(|s| s.as_str().map(String::from)).collect();
            }
            "additionalProperties" => match v {
                Json::Bool(open) => node.closed = !open,
                _ => return Err(bad("additionalProperties", "true or false (schemas there are not supported)")),
            },
            "items" => node.items = Some(Box::new(parse_at(v, &alloc::format!("{path}/items"))?)),
            "enum" => {
                let list = v.as_array().filter(|l| !l.is_empty()).ok_or_else(|| bad("enum", "a non-empty list"))?;
                node.allowed = Some(list.clone());
            }
            "const" => node.allowed = Some(alloc::vec![v.clone()]),
            "minimum" => node.minimum = Some((bound(keyword, v)?, false)),
            "exclusiveMinimum" => node.minimum = Some((bound(keyword, v)?, true)),
            "maximum" => node.maximum = Some((bound(keyword, v)?, false)),
            "exclusiveMaximum" => node.maximum = Some((bound(keyword, v)?, true)),
            "minLength" => node.length.0 = Some(count(keyword, v)?),
            "maxLength" => node.length.1 = Some(count(keyword, v)?),
            "minItems" => node.item_count.0 = Some(count(keyword, v)?),
            "maxItems" => node.item_count.1 = Some(count(keyword, v)?),
            k if ANNOTATIONS.contains(&k) => {}
            k => {
                return Err(alloc::format!(
                    "{path}: the keyword {k} is not supported by logplay's registry (supported: type properties required additionalProperties items enum const minimum maximum exclusiveMinimum exclusiveMaximum minLength maxLength minItems maxItems)"
                ))
            }
        }
    }
    Ok(node)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn node(text: &str) -> Node {
        Node::parse(&serde_json::from_str(text).unwrap()).unwrap()
    }

    fn check(n: &Node, doc: &str) -> Result<(), String> {
        n.validate(&serde_json::from_str(doc).unwrap())
    }

    #[test]
    fn documents_validate_with_the_validator_s_messages() {
        let n = node(
            r#"{"type":"object","properties":{"id":{"type":"integer","minimum":1},
                "amount":{"type":"number","exclusiveMaximum":100},
                "tags":{"type":"array","items":{"type":"string","maxLength":3}},
                "state":{"enum":["new","paid"]}},"required":["id"],"additionalProperties":false}"#,
        );
        assert_eq!(
            check(&n, r#"{"id":1,"amount":2.5,"tags":["a"],"state":"new"}"#),
            Ok(())
        );
        assert_eq!(
            check(&n, r#"{"amount":1}"#),
            Err("#: required key [id] not found".into())
        );
        assert_eq!(
            check(&n, r#"{"id":"7"}"#),
            Err("#/id: expected type: integer, found: string".into())
        );
        assert_eq!(
            check(&n, r#"{"id":0}"#),
            Err("#/id: 0 is not greater or equal to 1".into())
        );
        assert_eq!(
            check(&n, r#"{"id":1,"amount":100}"#),
            Err("#/amount: 100 is not less than 100".into())
        );
        assert_eq!(
            check(&n, r#"{"id":1,"tags":["ok","long"]}"#),
            Err("#/tags/1: expected maxLength: 3, actual: 4".into())
        );
        assert_eq!(
            check(&n, r#"{"id":1,"state":"gone"}"#),
            Err("#/state: \"gone\" is not a valid enum value".into())
        );
        assert_eq!(
            check(&n, r#"{"id":1,"x":1}"#),
            Err("#: extraneous key [x] is not permitted".into())
        );
        assert_eq!(
            check(&n, "[]"),
            Err("#: expected type: object, found: array".into())
        );
        // An integer is a number; an open model takes unknown keys.
        let open = node(r#"{"properties":{"n":{"type":"number"}}}"#);
        assert_eq!(check(&open, r#"{"n":3,"other":true}"#), Ok(()));
    }

    #[test]
    fn unsupported_or_malformed_keywords_are_refused_with_their_place() {
        let err = |t: &str| Node::parse(&serde_json::from_str(t).unwrap()).unwrap_err();
        assert!(err(r##"{"properties":{"a":{"$ref":"#/x"}}}"##)
            .starts_with("#/properties/a: the keyword $ref"));
        assert!(err(r#"{"type":"text"}"#).starts_with("#: type must be one of"));
        assert!(err(r#"{"required":"id"}"#).contains("required must be a list"));
        assert!(
            err(r#"{"additionalProperties":{"type":"string"}}"#).contains("additionalProperties")
        );
        assert!(err("3").contains("must be a JSON object"));
        assert_eq!(Node::parse(&Json::Bool(true)), Ok(Node::default()));
    }
}
