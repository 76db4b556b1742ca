//! Schema references: a schema's `$ref` to a version of another subject, by a name, as
//! the registry's `references` (`{"name": "customer.json", "subject": "customer-value",
//! "version": 1}`).

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde_json::{json, Value as Json};

/// One reference of a schema.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SchemaReference {
    /// The name the schema's `$ref`s use.
    pub name: String,
    /// The subject it points at.
    pub subject: String,
    /// The version, or `None` for the latest (`-1`), fixed when registered.
    pub version: Option<u32>,
}

impl SchemaReference {
    /// Reads the registry's `references` list: an array of `{name, subject, version}`.
    pub fn parse_list(json: &Json) -> Result<Vec<Self>, String> {
        let list = json
            .as_array()
            .ok_or("references must be a JSON array of {name, subject, version}")?;
        let mut out: Vec<Self> = Vec::with_capacity(list.len());
        for r in list {
            let field = |key: &str| r.get(key).filter(|v| !v.is_null());
            let (Some(name), Some(subject), Some(version)) =
                (field("name"), field("subject"), field("version"))
            else {
                return Err(alloc::format!("Invalid reference: {r}"));
            };
            let (Some(name), Some(subject)) = (name.as_str(), subject.as_str()) else {
                return Err(alloc::format!("Invalid reference: {r}"));
            };
            let version = match version.as_i64() {
                Some(-1) => None,
                Some(v) => Some(
                    u32::try_from(v)
                        .ok()
                        .filter(|v| *v > 0)
                        .ok_or_else(|| alloc::format!("Invalid reference: {r}"))?,
                ),
                None => return Err(alloc::format!("Invalid reference: {r}")),
            };
            if out.iter().any(|o| o.name == name) {
                return Err(alloc::format!("the reference name {name:?} is given twice"));
            }
            out.push(Self {
                name: name.to_string(),
                subject: subject.to_string(),
                version,
            });
        }
        Ok(out)
    }

    /// The registry's JSON for a list.
    pub fn list_json(list: &[Self]) -> Json {
        Json::Array(list.iter().map(Self::to_json).collect())
    }

    fn to_json(&self) -> Json {
        let version = self.version.map_or(-1, i64::from);
        json!({ "name": self.name, "subject": self.subject, "version": version })
    }
}
