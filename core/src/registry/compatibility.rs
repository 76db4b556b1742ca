//! Compatibility modes and the rule behind them: can a reader schema read what a writer
//! schema wrote?
//!
//! The modes follow the registry's published table: BACKWARD (the new schema reads data
//! written with the old: delete fields, add optional fields), FORWARD (the old reads the
//! new: add fields, delete optional fields), FULL (both: add or delete optional fields),
//! each against the latest version or, `_TRANSITIVE`, against every version; NONE checks
//! nothing.

use alloc::string::String;
use alloc::vec::Vec;

use super::json_schema::Node;

/// A subject's (or the registry's) compatibility level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Compatibility {
    /// Checks nothing.
    None,
    /// The new schema reads data written with the latest one (the registry's default).
    #[default]
    Backward,
    /// … with every earlier one.
    BackwardTransitive,
    /// The latest schema reads data written with the new one.
    Forward,
    /// Every earlier schema does.
    ForwardTransitive,
    /// Backward and forward, with the latest.
    Full,
    /// Backward and forward, with every earlier one.
    FullTransitive,
}

impl Compatibility {
    /// Every level, in the registry's order.
    pub const ALL: [Self; 7] = [
        Self::Backward,
        Self::BackwardTransitive,
        Self::Forward,
        Self::ForwardTransitive,
        Self::Full,
        Self::FullTransitive,
        Self::None,
    ];

    /// The registry's name: `BACKWARD_TRANSITIVE`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::None => "NONE",
            Self::Backward => "BACKWARD",
            Self::BackwardTransitive => "BACKWARD_TRANSITIVE",
            Self::Forward => "FORWARD",
            Self::ForwardTransitive => "FORWARD_TRANSITIVE",
            Self::Full => "FULL",
            Self::FullTransitive => "FULL_TRANSITIVE",
        }
    }

    /// Parses a name (case as the registry writes it).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }

    fn transitive(self) -> bool {
        matches!(
            self,
            Self::BackwardTransitive | Self::ForwardTransitive | Self::FullTransitive
        )
    }

    fn backward(self) -> bool {
        matches!(
            self,
            Self::Backward | Self::BackwardTransitive | Self::Full | Self::FullTransitive
        )
    }

    fn forward(self) -> bool {
        matches!(
            self,
            Self::Forward | Self::ForwardTransitive | Self::Full | Self::FullTransitive
        )
    }

    /// Why `new` may not follow `versions` (oldest first) under this level; empty: it may.
    pub fn check(self, new: &Node, versions: &[(u32, &Node)]) -> Vec<String> {
        let targets = match (self, versions.last()) {
            (Self::None, _) | (_, None) => &[][..],
            (level, Some(_)) if level.transitive() => versions,
            (_, Some(_)) => &versions[versions.len() - 1..],
        };
        let mut reasons = Vec::new();
        for (version, old) in targets {
            if self.backward() {
                for r in can_read(new, old) {
                    reasons.push(alloc::format!(
                        "the new schema cannot read data written with version {version}: {r}"
                    ));
                }
            }
            if self.forward() {
                for r in can_read(old, new) {
                    reasons.push(alloc::format!(
                        "version {version} cannot read data written with the new schema: {r}"
                    ));
                }
            }
        }
        reasons
    }
}

/// The differences that stop `reader` from reading every document `writer` accepts (with
/// the properties it declares), named as the registry names them.
pub fn can_read(reader: &Node, writer: &Node) -> Vec<String> {
    let mut out = Vec::new();
    compare(reader, writer, &mut String::from("#"), &mut out);
    out
}

fn compare(reader: &Node, writer: &Node, path: &mut String, out: &mut Vec<String>) {
    let mut note =
        |kind: &str, detail: String| out.push(alloc::format!("{kind} at {path}: {detail}"));
    if !writer.types.within(reader.types) {
        note(
            "TYPE_NARROWED",
            alloc::format!(
                "the writer writes {}, the reader takes {}",
                writer.types.describe(),
                reader.types.describe()
            ),
        );
    }
    if let Some(allowed) = &reader.allowed {
        let covered = writer
            .allowed
            .as_ref()
            .is_some_and(|w| w.iter().all(|v| allowed.contains(v)));
        if !covered {
            note(
                "ENUM_ARRAY_NARROWED",
                "the writer may write values the reader's enum lacks".into(),
            );
        }
    }
    let lower = |r: Option<(f64, bool)>, w: Option<(f64, bool)>| match (r, w) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some((r, rx)), Some((w, wx))) => w > r || (w == r && (wx || !rx)),
    };
    if !lower(reader.minimum, writer.minimum) {
        note(
            "MINIMUM_INCREASED",
            "the writer may write smaller numbers".into(),
        );
    }
    let neg = |b: Option<(f64, bool)>| b.map(|(x, e)| (-x, e));
    if !lower(neg(reader.maximum), neg(writer.maximum)) {
        note(
            "MAXIMUM_DECREASED",
            "the writer may write larger numbers".into(),
        );
    }
    let at_least = |r: Option<u64>, w: Option<u64>| r.is_none_or(|r| w.is_some_and(|w| w >= r));
    let at_most = |r: Option<u64>, w: Option<u64>| r.is_none_or(|r| w.is_some_and(|w| w <= r));
    let counts = [
        (
            at_least(reader.length.0, writer.length.0),
            "MIN_LENGTH_INCREASED",
            "shorter strings",
        ),
        (
            at_most(reader.length.1, writer.length.1),
            "MAX_LENGTH_DECREASED",
            "longer strings",
        ),
        (
            at_least(reader.item_count.0, writer.item_count.0),
            "MIN_ITEMS_INCREASED",
            "fewer items",
        ),
        (
            at_most(reader.item_count.1, writer.item_count.1),
            "MAX_ITEMS_DECREASED",
            "more items",
        ),
    ];
    for (kept, kind, what) in counts {
        if !kept {
            note(kind, alloc::format!("the writer may write {what}"));
        }
    }
    if reader.closed && !writer.closed {
        note(
            "ADDITIONAL_PROPERTIES_REMOVED",
            "the reader's content model is closed, the writer's is open".into(),
        );
    }
    for name in &reader.required {
        if !writer.requires(name) {
            note(
                "REQUIRED_PROPERTY_ADDED",
                alloc::format!("the reader requires \"{name}\", which the writer may leave out"),
            );
        }
    }
    for name in writer.properties.keys() {
        if reader.closed && !reader.properties.contains_key(name) {
            note(
                "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL",
                alloc::format!("the writer writes \"{name}\", which the reader does not permit"),
            );
        }
    }
    for (name, r) in &reader.properties {
        if let Some(w) = writer.properties.get(name) {
            let len = path.len();
            path.push_str("/properties/");
            path.push_str(name);
            compare(r, w, path, out);
            path.truncate(len);
        }
    }
    match (&reader.items, &writer.items) {
        (Some(r), Some(w)) => {
            let len = path.len();
            path.push_str("/items");
            compare(r, w, path, out);
            path.truncate(len);
        }
        (Some(r), None) if **r != Node::default() => out.push(alloc::format!(
            "ITEMS_NARROWED at {path}: the writer's items are any value"
        )),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn node(text: &str) -> Node {
        Node::parse(&serde_json::from_str(text).unwrap()).unwrap()
    }

    const V1: &str = r#"{"type":"object","properties":{"id":{"type":"integer"},"note":{"type":"string"}},"required":["id"]}"#;
    /// V1 plus an optional field.
    const ADD_OPTIONAL: &str = r#"{"type":"object","properties":{"id":{"type":"integer"},"note":{"type":"string"},"email":{"type":"string"}},"required":["id"]}"#;
    /// V1 plus a required field.
    const ADD_REQUIRED: &str = r#"{"type":"object","properties":{"id":{"type":"integer"},"note":{"type":"string"},"email":{"type":"string"}},"required":["id","email"]}"#;
    /// V1 without its optional field.
    const DELETE_OPTIONAL: &str =
        r#"{"type":"object","properties":{"id":{"type":"integer"}},"required":["id"]}"#;
    /// V1 without its required field.
    const DELETE_REQUIRED: &str = r#"{"type":"object","properties":{"note":{"type":"string"}}}"#;

    fn allowed(level: Compatibility, old: &str, new: &str) -> bool {
        level.check(&node(new), &[(1, &node(old))]).is_empty()
    }

    /// The published table, change by change: BACKWARD allows deleting fields and adding
    /// optional ones; FORWARD adding fields and deleting optional ones; FULL only adding or
    /// deleting optional ones; NONE everything.
    #[test]
    fn each_mode_allows_exactly_the_changes_the_registry_s_table_lists() {
        use Compatibility::*;
        let table = [
            (ADD_OPTIONAL, [true, true, true, true]),
            (ADD_REQUIRED, [false, true, false, true]),
            (DELETE_OPTIONAL, [true, true, true, true]),
            (DELETE_REQUIRED, [true, false, false, true]),
        ];
        for (change, [backward, forward, full, none]) in table {
            assert_eq!(allowed(Backward, V1, change), backward, "BACKWARD {change}");
            assert_eq!(allowed(Forward, V1, change), forward, "FORWARD {change}");
            assert_eq!(allowed(Full, V1, change), full, "FULL {change}");
            assert_eq!(allowed(None, V1, change), none, "NONE {change}");
            for (plain, transitive) in [
                (Backward, BackwardTransitive),
                (Forward, ForwardTransitive),
                (Full, FullTransitive),
            ] {
                assert_eq!(allowed(plain, V1, change), allowed(transitive, V1, change));
            }
        }
    }

    /// Transitive levels check every version; the plain ones only the latest.
    #[test]
    fn transitive_levels_check_the_whole_history() {
        // v1 requires id; v2 drops it (backward: deleting a field); v3 requires it again,
        // which v2's data may lack.
        let v1 = node(V1);
        let v2 = node(DELETE_REQUIRED);
        let v3 = node(
            r#"{"type":"object","properties":{"id":{"type":"integer"},"note":{"type":"string"}},"required":["id"]}"#,
        );
        let history = [(1, &v1), (2, &v2)];
        let reasons = Compatibility::Backward.check(&v3, &history);
        assert_eq!(reasons, ["the new schema cannot read data written with version 2: REQUIRED_PROPERTY_ADDED at #: the reader requires \"id\", which the writer may leave out"]);
        // Forward: v3's data always has id, so v2 reads it; and so does v1.
        assert!(Compatibility::ForwardTransitive
            .check(&v3, &history)
            .is_empty());
        // v2 after v1 is backward; forward-transitively a v2 writer breaks v1's reader.
        assert!(Compatibility::BackwardTransitive
            .check(&v2, &[(1, &v1)])
            .is_empty());
        assert_eq!(
            Compatibility::ForwardTransitive
                .check(&v2, &[(1, &v1)])
                .len(),
            1
        );
    }

    #[test]
    fn types_enums_bounds_and_closed_models_are_compared() {
        let int = node(r#"{"type":"integer"}"#);
        let num = node(r#"{"type":"number"}"#);
        assert!(can_read(&num, &int).is_empty(), "every integer is a number");
        assert_eq!(
            can_read(&int, &num),
            ["TYPE_NARROWED at #: the writer writes number, the reader takes integer"]
        );
        let small = node(r#"{"enum":["a"]}"#);
        let big = node(r#"{"enum":["a","b"]}"#);
        assert!(can_read(&big, &small).is_empty());
        assert!(can_read(&small, &big)[0].starts_with("ENUM_ARRAY_NARROWED"));
        let bounded = node(r#"{"type":"integer","minimum":0,"maximum":10}"#);
        assert_eq!(can_read(&bounded, &int).len(), 2);
        assert!(can_read(&int, &bounded).is_empty());
        let closed =
            node(r#"{"type":"object","properties":{"a":{}},"additionalProperties":false}"#);
        let open = node(r#"{"type":"object","properties":{"a":{},"b":{}}}"#);
        let reasons = can_read(&closed, &open);
        assert!(reasons
            .iter()
            .any(|r| r.starts_with("ADDITIONAL_PROPERTIES_REMOVED")));
        assert!(reasons
            .iter()
            .any(|r| r.starts_with("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL")));
        let nested_old = node(r#"{"properties":{"a":{"type":"array","items":{"type":"string"}}}}"#);
        let nested_new =
            node(r#"{"properties":{"a":{"type":"array","items":{"type":"integer"}}}}"#);
        assert_eq!(can_read(&nested_new, &nested_old), ["TYPE_NARROWED at #/properties/a/items: the writer writes string, the reader takes integer"]);
    }
}
