//! Compatibility levels, and the check behind them: the registry's differences between a
//! new schema and the versions before it.
//!
//! BACKWARD: the new schema reads data written with the old (the differences from the old
//! to the new must all be compatible). FORWARD: the old reads the new (the differences
//! from the new to the old). FULL: both. Each checks the latest version or, `_TRANSITIVE`,
//! every version, newest first, stopping at the first that fails, as the registry does.
//! NONE checks nothing.

use alloc::string::String;
use alloc::vec::Vec;

use super::json_schema::{compare, Difference, JsonSchema, Policy};
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

    /// Why `new` may not follow `versions` (oldest first) under this level: the first
    /// version, newest first, with incompatible differences. Errs for schemas too deep to
    /// compare.
    pub fn check(
        self,
        new: &JsonSchema,
        versions: &[(u32, &JsonSchema)],
        policy: Policy,
    ) -> Result<Option<Incompatibility>, String> {
        let targets = match (self, versions.last()) {
            (Self::None, _) | (_, None) => &[][..],
            (level, Some(_)) if level.transitive() => versions,
            (_, Some(_)) => &versions[versions.len() - 1..],
        };
        for (version, old) in targets.iter().rev() {
            let mut reasons = Vec::new();
            if self.forward() {
                for difference in incompatible(new, old, policy)? {
                    reasons.push(Reason {
                        difference,
                        direction: Direction::Forward,
                    });
                }
            }
            if self.backward() {
                for difference in incompatible(old, new, policy)? {
                    reasons.push(Reason {
                        difference,
                        direction: Direction::Backward,
                    });
                }
            }
            if !reasons.is_empty() {
                return Ok(Some(Incompatibility {
                    level: self,
                    version: *version,
                    reasons,
                }));
            }
        }
        Ok(None)
    }
}

/// The way a difference was found: BACKWARD compares the old schema to the new one (the
/// new reads old data), FORWARD the new to the old (the old reads new data).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// The new schema reads the old data.
    Backward,
    /// The old schema reads the new data.
    Forward,
}

/// One incompatible difference, and the way it was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason {
    /// What differs, and where.
    pub difference: Difference,
    /// Which check found it.
    pub direction: Direction,
}

impl Reason {
    /// The registry's description: `A type at path '#/properties/id' is different …`.
    pub fn description(&self) -> String {
        let (reader, writer) = self.roles();
        self.difference.description(reader, writer)
    }

    /// The registry's message: `{errorType:"TYPE_CHANGED", description:"…'}`.
    pub fn message(&self) -> String {
        let (reader, writer) = self.roles();
        self.difference.message(reader, writer)
    }

    fn roles(&self) -> (&'static str, &'static str) {
        match self.direction {
            Direction::Backward => ("new", "old"),
            Direction::Forward => ("old", "new"),
        }
    }
}

/// Why a schema may not become a subject's next version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Incompatibility {
    /// The level it was checked under.
    pub level: Compatibility,
    /// The version it failed against.
    pub version: u32,
    /// Every incompatible difference from that version.
    pub reasons: Vec<Reason>,
}

impl Incompatibility {
    /// The registry's list of messages: each reason, `{oldSchemaVersion: N}`, then the
    /// configuration it checked with.
    pub fn messages(&self) -> Vec<String> {
        let mut messages: Vec<String> = self.reasons.iter().map(Reason::message).collect();
        messages.push(alloc::format!("{{oldSchemaVersion: {}}}", self.version));
        messages.push(alloc::format!(
            "{{validateFields: 'false', compatibility: '{}'}}",
            self.level.name()
        ));
        messages
    }
}

/// The differences from `original` to `update` that a reader of `original`'s data does not
/// tolerate.
pub fn incompatible(
    original: &JsonSchema,
    update: &JsonSchema,
    policy: Policy,
) -> Result<Vec<Difference>, String> {
    Ok(compare(original, update, policy)?
        .into_iter()
        .filter(|d| !d.kind.is_compatible(policy))
        .collect())
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn schema(text: &str) -> JsonSchema {
        JsonSchema::parse(&serde_json::from_str(text).unwrap()).unwrap()
    }

    /// `id` required, `note` optional; `closed` adds `additionalProperties: false`.
    fn v1(closed: bool) -> String {
        with(
            closed,
            r#""id":{"type":"integer"},"note":{"type":"string"}"#,
            r#"["id"]"#,
        )
    }

    fn with(closed: bool, properties: &str, required: &str) -> String {
        let model = if closed {
            r#","additionalProperties":false"#
        } else {
            ""
        };
        alloc::format!(
            r#"{{"type":"object","properties":{{{properties}}},"required":{required}{model}}}"#
        )
    }

    fn allowed(level: Compatibility, old: &str, new: &str) -> bool {
        level
            .check(&schema(new), &[(1, &schema(old))], Policy::Strict)
            .unwrap()
            .is_none()
    }

    /// The registry's messages for `new` after `history`; empty: compatible.
    fn messages(
        level: Compatibility,
        new: &JsonSchema,
        history: &[(u32, &JsonSchema)],
        policy: Policy,
    ) -> Vec<String> {
        level
            .check(new, history, policy)
            .unwrap()
            .map(|i| i.messages())
            .unwrap_or_default()
    }

    /// Confluent's rule, change by change. In an open content model (no
    /// `additionalProperties: false`) BACKWARD allows only deleting properties and FORWARD only
    /// adding them, since an open reader may already hold an added name with any value; a
    /// closed model allows adding optional properties backward and deleting them forward.
    #[test]
    fn open_and_closed_content_models_allow_opposite_changes() {
        use Compatibility::*;
        for (closed, table) in [
            // add optional, add required, delete optional, delete required:
            // [backward, forward, full] each
            (
                false,
                [
                    [false, true, false],
                    [false, true, false],
                    [true, false, false],
                    [true, false, false],
                ],
            ),
            (
                true,
                [
                    [true, false, false],
                    [false, false, false],
                    [false, true, false],
                    [false, false, false],
                ],
            ),
        ] {
            let old = v1(closed);
            let changes = [
                with(
                    closed,
                    r#""id":{"type":"integer"},"note":{"type":"string"},"email":{"type":"string"}"#,
                    r#"["id"]"#,
                ),
                with(
                    closed,
                    r#""id":{"type":"integer"},"note":{"type":"string"},"email":{"type":"string"}"#,
                    r#"["id","email"]"#,
                ),
                with(closed, r#""id":{"type":"integer"}"#, r#"["id"]"#),
                with(closed, r#""note":{"type":"string"}"#, "[]"),
            ];
            for (change, [backward, forward, full]) in changes.iter().zip(table) {
                assert_eq!(
                    allowed(Backward, &old, change),
                    backward,
                    "BACKWARD closed={closed} {change}"
                );
                assert_eq!(
                    allowed(Forward, &old, change),
                    forward,
                    "FORWARD closed={closed} {change}"
                );
                assert_eq!(
                    allowed(Full, &old, change),
                    full,
                    "FULL closed={closed} {change}"
                );
                assert!(allowed(None, &old, change));
                for (plain, transitive) in [
                    (Backward, BackwardTransitive),
                    (Forward, ForwardTransitive),
                    (Full, FullTransitive),
                ] {
                    assert_eq!(
                        allowed(plain, &old, change),
                        allowed(transitive, &old, change)
                    );
                }
            }
        }
    }

    #[test]
    fn reasons_are_the_registry_s_messages_and_transitive_levels_check_every_version() {
        let open_v1 = schema(&v1(false));
        let added = schema(&with(
            false,
            r#""id":{"type":"integer"},"note":{"type":"string"},"email":{"type":"string"}"#,
            r#"["id"]"#,
        ));
        let reasons = messages(
            Compatibility::Backward,
            &added,
            &[(1, &open_v1)],
            Policy::Strict,
        );
        assert_eq!(
            reasons,
            [
                "{errorType:\"OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL\", description:\"The new schema has an open content model and has a property or item at path '#/properties/email' which is missing in the old schema'}",
                "{oldSchemaVersion: 1}",
                "{validateFields: 'false', compatibility: 'BACKWARD'}"
            ]
        );
        // LENIENT lets it through.
        assert!(messages(
            Compatibility::Backward,
            &added,
            &[(1, &open_v1)],
            Policy::Lenient
        )
        .is_empty());
        // v1 then v2 (email added, closed model both): v3 drops note. Against v2 alone that is
        // removing from a closed model; transitively v1 is checked too, newest first.
        let c1 = schema(&v1(true));
        let c2 = schema(&with(
            true,
            r#""id":{"type":"integer"},"note":{"type":"string"},"email":{"type":"string"}"#,
            r#"["id"]"#,
        ));
        let c3 = schema(&with(
            true,
            r#""id":{"type":"integer"},"email":{"type":"string"}"#,
            r#"["id"]"#,
        ));
        let history = [(1, &c1), (2, &c2)];
        let latest = messages(Compatibility::Backward, &c3, &history, Policy::Strict);
        assert!(
            latest[0].contains("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL")
                && latest[1] == "{oldSchemaVersion: 2}",
            "{latest:?}"
        );
        assert!(messages(Compatibility::Forward, &c3, &history, Policy::Strict).is_empty());
        let forward_all = messages(
            Compatibility::ForwardTransitive,
            &c1,
            &[(1, &c3)],
            Policy::Strict,
        );
        assert!(
            forward_all[0].contains("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL"),
            "{forward_all:?}"
        );
        let int = schema(r#"{"type":"integer"}"#);
        let num = schema(r#"{"type":"number"}"#);
        assert!(messages(Compatibility::Backward, &num, &[(1, &int)], Policy::Strict).is_empty());
        assert!(
            messages(Compatibility::Backward, &int, &[(1, &num)], Policy::Strict)[0]
                .contains("TYPE_NARROWED")
        );
    }
}
