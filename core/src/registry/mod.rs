//! A simulated schema registry: subjects with versions, global schema ids, compatibility
//! levels, and Confluent's wire format for the serializers that use it.
//!
//! Schemas are JSON Schema ([`json_schema`]), and may reference versions of other subjects
//! ([`reference`]). A schema's identity is its canonical text (keys sorted, no spaces) and
//! its references: registering the same schema again returns the same id and version, and
//! the same schema under another subject shares its id, as the registry does.

pub mod compatibility;
pub mod json_schema;
pub mod reference;
pub mod serdes;
pub mod wire;

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use litemap::LiteMap;

use serde_json::Value as Json;

pub use compatibility::{Compatibility, Incompatibility};
use json_schema::{JsonSchema, Policy};
pub use reference::SchemaReference;

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
    /// The subject versions its `$ref`s name, each version fixed.
    pub references: Vec<SchemaReference>,
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
    /// Its `compatibilityPolicy`; `None` follows the registry's.
    pub policy: Option<Policy>,
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
    policy: Policy,
}

impl SchemaRegistry {
    /// Heap bytes it holds: each schema's text and what logplay read of it, and the subjects.
    pub fn heap_bytes(&self) -> usize {
        let schemas: usize = self
            .schemas
            .iter()
            .map(|s| {
                // Each schema's nodes hold what it references too.
                let referenced: usize = s
                    .references
                    .iter()
                    .filter_map(|r| self.version(&r.subject, r.version))
                    .map(|(_, x)| x.text.len())
                    .sum();
                crate::budget::entry::MEMBER + 2 * (s.text.len() + referenced)
            })
            .sum();
        let subjects: usize = self
            .subjects
            .iter()
            .map(|(name, s)| crate::budget::entry::ENTRY * (1 + s.versions.len()) + name.len())
            .sum();
        schemas + subjects
    }
}

/// Referenced schemas, by the name a `$ref` uses.
type Documents = Vec<(String, Json)>;

/// The subject TopicNameStrategy gives a topic's keys or values: `orders-value`.
pub fn topic_subject(topic: &str, is_key: bool) -> String {
    alloc::format!("{topic}-{}", if is_key { "key" } else { "value" })
}

/// Parses schema text into its canonical text and node (`INVALID_SCHEMA`, error code 42201).
pub fn parse_schema(text: &str) -> Result<(String, JsonSchema)> {
    parse_schema_with_references(text, &[])
}

/// [`parse_schema`], with the referenced schemas by name.
fn parse_schema_with_references(
    text: &str,
    references: &[(String, Json)],
) -> Result<(String, JsonSchema)> {
    let json: Json = serde_json::from_str(text).map_err(|e| {
        err!(
            InvalidSchema,
            "Invalid schema {text}: not JSON ({e}); error code: 42201"
        )
    })?;
    let schema = JsonSchema::parse_with_references(&json, references).map_err(|e| {
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

    /// The registry-wide `compatibilityPolicy` (STRICT unless set).
    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// The policy a subject checks with: its own, else the registry's.
    pub fn effective_policy(&self, subject: &str) -> Policy {
        self.subjects
            .get(subject)
            .and_then(|s| s.policy)
            .unwrap_or(self.policy)
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

    /// Why `text` may not become the subject's next version (`None`: it may).
    pub fn test_compatibility(
        &self,
        subject: &str,
        text: &str,
        references: &[SchemaReference],
    ) -> Result<Option<Incompatibility>> {
        let (_, documents) = self.resolve_references(references)?;
        let (_, schema) = parse_schema_with_references(text, &documents)?;
        self.incompatibility(subject, &schema)
    }

    /// The references with their versions fixed, and every schema they reach (each
    /// reference's own references first), by name, as the registry resolves them.
    fn resolve_references(
        &self,
        references: &[SchemaReference],
    ) -> Result<(Vec<SchemaReference>, Documents)> {
        let mut fixed = Vec::with_capacity(references.len());
        let mut documents = Vec::new();
        for r in references {
            let (version, schema) = self.version(&r.subject, r.version).ok_or_else(|| {
                let version = r.version.map_or(-1, i64::from);
                err!(
                    InvalidSchema,
                    "Invalid schema of type JSON, details: No schema reference found for subject \"{}\" and version {version}; error code: 42201",
                    r.subject
                )
            })?;
            fixed.push(SchemaReference {
                version: Some(version),
                ..r.clone()
            });
            self.collect_documents(&r.name, schema, &mut documents);
        }
        Ok((fixed, documents))
    }

    /// Adds `schema` as `name`, after what it references, unless the name is there.
    fn collect_documents(&self, name: &str, schema: &Schema, documents: &mut Vec<(String, Json)>) {
        if documents.iter().any(|(n, _)| n == name) {
            return;
        }
        for r in &schema.references {
            if let Some((_, inner)) = self.version(&r.subject, r.version) {
                self.collect_documents(&r.name, inner, documents);
            }
        }
        // Registered schemas are valid JSON.
        let json = serde_json::from_str(&schema.text).unwrap_or(Json::Null);
        documents.push((name.to_string(), json));
    }

    /// A subject's version (`None`: the latest) and its schema.
    fn version(&self, subject: &str, version: Option<u32>) -> Option<(u32, &Schema)> {
        let versions = &self.subjects.get(subject)?.versions;
        let version = version.unwrap_or(versions.len() as u32);
        let id = versions.get((version as usize).checked_sub(1)?)?;
        Some((version, self.schema(*id)?))
    }

    fn incompatibility(
        &self,
        subject: &str,
        schema: &JsonSchema,
    ) -> Result<Option<Incompatibility>> {
        let Some(s) = self.subjects.get(subject) else {
            return Ok(None);
        };
        let history: Vec<(u32, &JsonSchema)> = s
            .versions
            .iter()
            .enumerate()
            .filter_map(|(v, id)| Some((v as u32 + 1, &self.schema(*id)?.schema)))
            .collect();
        self.effective_compatibility(subject)
            .check(schema, &history, self.effective_policy(subject))
            .map_err(|e| err!(InvalidSchema, "Invalid schema: {e}; error code: 42201"))
    }

    /// `POST /subjects/{subject}/versions` without references.
    pub fn register(&mut self, subject: &str, text: &str) -> Result<Registered> {
        self.register_with_references(subject, text, &[])
    }

    /// `POST /subjects/{subject}/versions`: registers `text`, whose `$ref`s may name the
    /// `references`, as the subject's next version, unless it is already there (same id and
    /// version back) or breaks the subject's compatibility level (`INCOMPATIBLE_SCHEMA`,
    /// 409, with every reason).
    pub fn register_with_references(
        &mut self,
        subject: &str,
        text: &str,
        references: &[SchemaReference],
    ) -> Result<Registered> {
        if subject.is_empty() {
            return Err(err!(InvalidRequest, "a subject name must not be empty"));
        }
        let (references, documents) = self.resolve_references(references)?;
        let (canonical, schema) = parse_schema_with_references(text, &documents)?;
        let same = |x: &Schema| x.text == canonical && x.references == references;
        if let Some(s) = self.subjects.get(subject) {
            if let Some(v) = s
                .versions
                .iter()
                .position(|id| self.schema(*id).is_some_and(same))
            {
                return Ok(Registered {
                    id: s.versions[v],
                    version: v as u32 + 1,
                    new: false,
                });
            }
        }
        if let Some(incompatibility) = self.incompatibility(subject, &schema)? {
            return Err(err!(
                IncompatibleSchema,
                "Schema being registered is incompatible with an earlier schema for subject \"{subject}\", details: [{}]; error code: 409",
                incompatibility.messages().join(", ")
            ));
        }
        let id = match self.schemas.iter().find(|s| same(s)) {
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
                    references,
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

    /// `PUT /config` (no subject) or `PUT /config/{subject}`: the level, and the policy when
    /// given (else it stays). A subject's config may be set before its first schema.
    pub fn set_compatibility(
        &mut self,
        subject: Option<&str>,
        level: Compatibility,
        policy: Option<Policy>,
    ) {
        match subject {
            None => {
                self.compatibility = level;
                self.policy = policy.unwrap_or(self.policy);
            }
            Some(s) => {
                let s = self.subjects.entry(s.to_string()).or_default();
                s.compatibility = Some(level);
                s.policy = policy.or(s.policy);
            }
        }
    }

    /// `DELETE /subjects/{subject}`: the versions it had. Schema ids stay valid, so records
    /// already written still deserialize.
    /// A version another subject's schema references keeps it (`REFERENCE_EXISTS`, 42206).
    pub fn delete_subject(&mut self, subject: &str) -> Result<Vec<u32>> {
        let versions = self.subject(subject)?.versions.len() as u32;
        for version in 1..=versions {
            let referenced = self
                .subjects
                .iter()
                .filter(|(name, _)| name.as_str() != subject)
                .flat_map(|(_, s)| &s.versions)
                .filter_map(|id| self.schema(*id))
                .flat_map(|s| &s.references)
                .any(|r| r.subject == subject && r.version == Some(version));
            if referenced {
                return Err(err!(
                    ReferenceExists,
                    "One or more references exist to the schema {{magic=1,keytype=SCHEMA,subject={subject},version={version}}}.; error code: 42206"
                ));
            }
        }
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
        r.set_compatibility(Some("s"), Compatibility::Forward, None);
        assert_eq!(r.test_compatibility("s", add_required, &[]).unwrap(), None);
        assert_eq!(r.register("s", add_required).unwrap().version, 2);
        assert_eq!(r.effective_compatibility("other"), Compatibility::Backward);
        let bad = r.register("s", "{not json").unwrap_err();
        assert_eq!(
            (bad.code, bad.message.ends_with("42201")),
            (ErrorCode::InvalidSchema, true)
        );
    }

    /// `compatibilityPolicy=LENIENT` takes an optional field into an open model; a
    /// subject's policy wins over the registry's, and setting only a level keeps it.
    #[test]
    fn the_lenient_policy_allows_optional_fields_in_open_models() {
        let open = r#"{"type":"object","properties":{"id":{"type":"integer"}}}"#;
        let added =
            r#"{"type":"object","properties":{"id":{"type":"integer"},"note":{"type":"string"}}}"#;
        let mut r = SchemaRegistry::default();
        r.register("s", open).unwrap();
        let strict = r
            .test_compatibility("s", added, &[])
            .unwrap()
            .expect("refused");
        assert_eq!(
            (strict.version, strict.reasons[0].difference.label()),
            (
                1,
                "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL #/properties/note".into()
            )
        );
        r.set_compatibility(None, Compatibility::Backward, Some(Policy::Lenient));
        assert_eq!(r.test_compatibility("s", added, &[]).unwrap(), None);
        r.set_compatibility(Some("s"), Compatibility::Backward, Some(Policy::Strict));
        assert!(r.test_compatibility("s", added, &[]).unwrap().is_some());
        r.set_compatibility(Some("s"), Compatibility::Full, None);
        assert_eq!(r.effective_policy("s"), Policy::Strict);
        assert_eq!(r.effective_policy("other"), Policy::Lenient);
    }

    /// A schema's `$ref` names another subject's version: validation and compatibility
    /// follow it, the version is fixed when registered, identity includes the references,
    /// and the referenced subject cannot be deleted while it is referenced.
    #[test]
    fn references_name_versions_of_other_subjects() {
        let customer = r#"{"type":"object","properties":{"name":{"type":"string"}},"required":["name"],"additionalProperties":false}"#;
        let order = r#"{"type":"object","properties":{"customer":{"$ref":"customer.json"}},"required":["customer"]}"#;
        let latest = |subject: &str| SchemaReference {
            name: "customer.json".into(),
            subject: subject.into(),
            version: None,
        };
        let mut r = SchemaRegistry::default();
        let missing = r
            .register_with_references("order", order, &[latest("customer")])
            .unwrap_err();
        assert_eq!(missing.code, ErrorCode::InvalidSchema);
        assert!(missing
            .message
            .contains(r#"No schema reference found for subject "customer" and version -1"#));
        let without = r.register("order", order).unwrap_err();
        assert!(
            without.message.contains("not \"customer.json\""),
            "{without}"
        );
        assert_eq!(r.register("customer", customer).unwrap().id, 1);
        let o = r
            .register_with_references("order", order, &[latest("customer")])
            .unwrap();
        assert_eq!((o.id, o.version, o.new), (2, 1, true));
        let stored = r.schema(2).unwrap();
        assert_eq!(stored.references[0].version, Some(1), "-1 is fixed");
        assert!(stored
            .schema
            .validate(&serde_json::json!({"customer": {"name": "Ada"}}))
            .is_ok());
        let e = stored
            .schema
            .validate(&serde_json::json!({"customer": {"name": 7}}))
            .unwrap_err();
        assert!(e.contains("#/customer/name"), "{e}");
        // The same text with the same references is the same version.
        assert!(
            !r.register_with_references("order", order, &[latest("customer")])
                .unwrap()
                .new
        );
        // A change inside the referenced schema is a change of the referrer.
        let narrowed = r#"{"type":"object","properties":{"name":{"type":"string","maxLength":3}},"required":["name"],"additionalProperties":false}"#;
        r.set_compatibility(Some("customer"), Compatibility::None, None);
        r.register("customer", narrowed).unwrap();
        let v2 = SchemaReference {
            version: Some(2),
            ..latest("customer")
        };
        let why = r
            .test_compatibility("order", order, &[v2])
            .unwrap()
            .expect("narrowed");
        assert_eq!(
            why.reasons[0].difference.label(),
            "MAX_LENGTH_ADDED #/properties/customer/properties/name/maxLength"
        );
        let before = r.clone();
        let kept = r.delete_subject("customer").unwrap_err();
        assert_eq!(kept.code, ErrorCode::ReferenceExists);
        assert_eq!(
            kept.message,
            "One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=customer,version=1}.; error code: 42206"
        );
        assert_eq!(r, before);
        r.delete_subject("order").unwrap();
        r.delete_subject("customer").unwrap();
    }
}
