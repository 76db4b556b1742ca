//! A simulated schema registry: subjects with versions, global schema ids, compatibility
//! levels, and Confluent's wire format for the serializers that use it.
//!
//! Schemas are JSON Schema ([`json_schema`]). A schema's identity is its
//! canonical text (keys sorted, no spaces): registering the same schema again returns the
//! same id and version, and the same schema under another subject shares its id, as the
//! registry does.

pub mod compatibility;
pub mod json_schema;
pub mod serdes;
pub mod wire;

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use litemap::LiteMap;

use serde_json::Value as Json;

pub use compatibility::Compatibility;
use json_schema::{JsonSchema, Policy};

use crate::error::{err, Error, Result};

/// The most schemas one registry holds (a simulation limit).
pub const MAX_SCHEMAS: usize = 10_000;

/// A registered schema.
#[derive(Clone, Debug, PartialEq)]
pub struct Schema {
    /// Its global id.
    pub id: u32,
    /// Its canonical text.
    pub text: String,
    /// What logplay reads of it.
    pub schema: JsonSchema,
}

/// A subject: its versions (schema ids, version 1 first) and its own level, if set.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Subject {
    /// The schema id of each version.
    pub versions: Vec<u32>,
    /// `PUT /config/{subject}`; `None` follows the registry's level.
    pub compatibility: Option<Compatibility>,
}

/// What `register` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Registered {
    /// The schema's global id.
    pub id: u32,
    /// Its version in the subject.
    pub version: u32,
    /// `false` when the subject already had this schema (nothing changed).
    pub new: bool,
}

/// The registry.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SchemaRegistry {
    schemas: Vec<Schema>,
    subjects: LiteMap<String, Subject>,
    compatibility: Compatibility,
}

impl SchemaRegistry {
    /// Heap bytes it holds: each schema's text and what logplay read of it, and the subjects.
    pub fn heap_bytes(&self) -> usize {
        let schemas: usize = self
            .schemas
            .iter()
            .map(|s| crate::budget::entry::MEMBER + 2 * s.text.len())
            .sum();
        let subjects: usize = self
            .subjects
            .iter()
            .map(|(name, s)| crate::budget::entry::ENTRY * (1 + s.versions.len()) + name.len())
            .sum();
        schemas + subjects
    }
}

/// The subject TopicNameStrategy gives a topic's keys or values: `orders-value`.
pub fn topic_subject(topic: &str, is_key: bool) -> String {
    alloc::format!("{topic}-{}", if is_key { "key" } else { "value" })
}

/// Parses schema text into its canonical text and node (`INVALID_SCHEMA`, error code 42201).
pub fn parse_schema(text: &str) -> Result<(String, JsonSchema)> {
    let json: Json = serde_json::from_str(text).map_err(|e| {
        err!(
            InvalidSchema,
            "Invalid schema {text}: not JSON ({e}); error code: 42201"
        )
    })?;
    let schema = JsonSchema::parse(&json).map_err(|e| {
        err!(
            InvalidSchema,
            "Invalid schema {text}: {e}; error code: 42201"
        )
    })?;
    Ok((json.to_string(), schema))
}

impl SchemaRegistry {
    /// The registry-wide level (BACKWARD unless set).
    pub fn compatibility(&self) -> Compatibility {
        self.compatibility
    }

    /// The level a subject checks with: its own, else the registry's.
    pub fn effective_compatibility(&self, subject: &str) -> Compatibility {
        self.subjects
            .get(subject)
            .and_then(|s| s.compatibility)
            .unwrap_or(self.compatibility)
    }

    /// The subjects, by name.
    pub fn subjects(&self) -> impl Iterator<Item = (&str, &Subject)> {
        self.subjects.iter().map(|(n, s)| (n.as_str(), s))
    }

    /// A schema by global id.
    pub fn schema(&self, id: u32) -> Option<&Schema> {
        id.checked_sub(1).and_then(|i| self.schemas.get(i as usize))
    }

    /// A subject's latest version: `(version, schema)` (`SUBJECT_NOT_FOUND`, 40401).
    pub fn latest(&self, subject: &str) -> Result<(u32, &Schema)> {
        let s = self.subject(subject)?;
        let id = *s.versions.last().ok_or_else(|| not_found(subject))?;
        let schema = self.schema(id).ok_or_else(|| not_found(subject))?;
        Ok((s.versions.len() as u32, schema))
    }

    fn subject(&self, subject: &str) -> Result<&Subject> {
        self.subjects.get(subject).ok_or_else(|| not_found(subject))
    }

    /// Why `text` may not become the subject's next version; empty: it may.
    pub fn test_compatibility(&self, subject: &str, text: &str) -> Result<Vec<String>> {
        let (_, schema) = parse_schema(text)?;
        self.reasons(subject, &schema)
    }

    fn reasons(&self, subject: &str, schema: &JsonSchema) -> Result<Vec<String>> {
        let Some(s) = self.subjects.get(subject) else {
            return Ok(Vec::new());
        };
        let history: Vec<(u32, &JsonSchema)> = s
            .versions
            .iter()
            .enumerate()
            .filter_map(|(v, id)| Some((v as u32 + 1, &self.schema(*id)?.schema)))
            .collect();
        self.effective_compatibility(subject)
            .check(schema, &history, Policy::Strict)
            .map_err(|e| err!(InvalidSchema, "Invalid schema: {e}; error code: 42201"))
    }

    /// `POST /subjects/{subject}/versions`: registers `text` as the subject's next version,
    /// unless it is already there (same id and version back) or breaks the subject's
    /// compatibility level (`INCOMPATIBLE_SCHEMA`, 409, with every reason).
    pub fn register(&mut self, subject: &str, text: &str) -> Result<Registered> {
        if subject.is_empty() {
            return Err(err!(InvalidRequest, "a subject name must not be empty"));
        }
        let (canonical, schema) = parse_schema(text)?;
        if let Some(s) = self.subjects.get(subject) {
            if let Some(v) = s
                .versions
                .iter()
                .position(|id| self.schema(*id).is_some_and(|x| x.text == canonical))
            {
                return Ok(Registered {
                    id: s.versions[v],
                    version: v as u32 + 1,
                    new: false,
                });
            }
        }
        let reasons = self.reasons(subject, &schema)?;
        if !reasons.is_empty() {
            return Err(err!(
                IncompatibleSchema,
                "Schema being registered is incompatible with an earlier schema for subject \"{subject}\", details: [{}, {{compatibility: '{}'}}]; error code: 409",
                reasons.join(", "),
                self.effective_compatibility(subject).name()
            ));
        }
        let id = match self.schemas.iter().find(|s| s.text == canonical) {
            Some(s) => s.id,
            None => {
                if self.schemas.len() >= MAX_SCHEMAS {
                    return Err(err!(
                        PolicyViolation,
                        "the registry holds at most {MAX_SCHEMAS} schemas"
                    ));
                }
                let id = self.schemas.len() as u32 + 1;
                self.schemas.push(Schema {
                    id,
                    text: canonical,
                    schema,
                });
                id
            }
        };
        let s = self.subjects.entry(subject.to_string()).or_default();
        s.versions.push(id);
        Ok(Registered {
            id,
            version: s.versions.len() as u32,
            new: true,
        })
    }

    /// `PUT /config` (no subject) or `PUT /config/{subject}`. A subject's level may be set
    /// before its first schema.
    pub fn set_compatibility(&mut self, subject: Option<&str>, level: Compatibility) {
        match subject {
            None => self.compatibility = level,
            Some(s) => {
                self.subjects
                    .entry(s.to_string())
                    .or_default()
                    .compatibility = Some(level)
            }
        }
    }

    /// `DELETE /subjects/{subject}`: the versions it had. Schema ids stay valid, so records
    /// already written still deserialize.
    pub fn delete_subject(&mut self, subject: &str) -> Result<Vec<u32>> {
        self.subject(subject)?;
        let s = self.subjects.remove(subject).unwrap_or_default();
        Ok((1..=s.versions.len() as u32).collect())
    }
}

fn not_found(subject: &str) -> Error {
    err!(
        SubjectNotFound,
        "Subject '{subject}' not found.; error code: 40401"
    )
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::error::ErrorCode;

    /// Closed content models, so that adding an optional field is backward compatible.
    const V1: &str = r#"{"type":"object","properties":{"id":{"type":"integer"}},"required":["id"],"additionalProperties":false}"#;
    const V2: &str = r#"{"type": "object", "properties": {"id": {"type": "integer"}, "note": {"type": "string"}}, "required": ["id"], "additionalProperties": false}"#;

    #[test]
    fn versions_ids_and_dedupe_follow_the_registry() {
        let mut r = SchemaRegistry::default();
        assert_eq!(
            r.register("orders-value", V1).unwrap(),
            Registered {
                id: 1,
                version: 1,
                new: true
            }
        );
        assert_eq!(
            r.register("orders-value", V2).unwrap(),
            Registered {
                id: 2,
                version: 2,
                new: true
            }
        );
        // The same schema again, written differently: same id and version, nothing new.
        let v1_spaced = r#"{ "required": ["id"], "additionalProperties": false, "type": "object", "properties": { "id": { "type": "integer" } } }"#;
        assert_eq!(
            r.register("orders-value", v1_spaced).unwrap(),
            Registered {
                id: 1,
                version: 1,
                new: false
            }
        );
        // Under another subject it keeps its global id.
        assert_eq!(
            r.register("refunds-value", V2).unwrap(),
            Registered {
                id: 2,
                version: 1,
                new: true
            }
        );
        assert_eq!(r.latest("orders-value").unwrap().0, 2);
        assert_eq!(
            r.schema(2).unwrap().text,
            r#"{"additionalProperties":false,"properties":{"id":{"type":"integer"},"note":{"type":"string"}},"required":["id"],"type":"object"}"#
        );
        assert_eq!(r.delete_subject("refunds-value").unwrap(), [1]);
        assert!(r.schema(2).is_some(), "ids outlive their subjects");
        assert_eq!(
            r.latest("refunds-value").unwrap_err().code,
            ErrorCode::SubjectNotFound
        );
    }

    #[test]
    fn an_incompatible_schema_is_refused_with_its_reasons_and_nothing_changes() {
        let mut r = SchemaRegistry::default();
        let open_v1 =
            r#"{"type":"object","properties":{"id":{"type":"integer"}},"required":["id"]}"#;
        r.register("s", open_v1).unwrap();
        let before = r.clone();
        let add_required = r#"{"type":"object","properties":{"id":{"type":"integer"},"email":{"type":"string"}},"required":["id","email"]}"#;
        let e = r.register("s", add_required).unwrap_err();
        assert_eq!(e.code, ErrorCode::IncompatibleSchema);
        assert!(
            e.message.contains("compatibility: 'BACKWARD'")
                && e.message
                    .contains("REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL")
                && e.message.contains("{oldSchemaVersion: 1}")
                && e.message.ends_with("error code: 409"),
            "{e}"
        );
        assert_eq!(r, before);
        // FORWARD allows adding a required field to an open model.
        r.set_compatibility(Some("s"), Compatibility::Forward);
        assert_eq!(
            r.test_compatibility("s", add_required).unwrap(),
            Vec::<String>::new()
        );
        assert_eq!(r.register("s", add_required).unwrap().version, 2);
        assert_eq!(r.effective_compatibility("other"), Compatibility::Backward);
        let bad = r.register("s", "{not json").unwrap_err();
        assert_eq!(
            (bad.code, bad.message.ends_with("42201")),
            (ErrorCode::InvalidSchema, true)
        );
    }
}
