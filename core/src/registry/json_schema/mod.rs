//! JSON Schema as Confluent's registry reads it: drafts 4, 6, 7, 2019-09 and 2020-12
//! (`$schema` picks one; draft 7 when it is absent), local `$ref`s, validation of every
//! keyword, and the registry's list of differences between two schemas.
//!
//! `format` is an annotation only. `pattern` uses `regex-lite` (see [`pattern`]).

mod diff;
mod difference;
mod load;
mod matching;
pub mod model;
pub mod pattern;
mod validate;

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde_json::Value as Json;

pub use diff::compare;
pub use difference::{ChangeKind, Difference, Policy};
pub use model::{Kind, Node, NodeId};

/// A JSON Schema draft.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Draft {
    /// `http://json-schema.org/draft-04/schema#`.
    Draft4,
    /// `http://json-schema.org/draft-06/schema#`.
    Draft6,
    /// `http://json-schema.org/draft-07/schema#`, the default.
    Draft7,
    /// `https://json-schema.org/draft/2019-09/schema`.
    Draft2019_09,
    /// `https://json-schema.org/draft/2020-12/schema`.
    Draft2020_12,
}

impl Draft {
    /// The draft a `$schema` URL names.
    pub fn of_url(url: &str) -> Option<Self> {
        let url = url.trim_end_matches('#');
        let url = url
            .strip_prefix("http://")
            .or_else(|| url.strip_prefix("https://"))?;
        Some(match url {
            "json-schema.org/draft-04/schema" => Self::Draft4,
            "json-schema.org/draft-06/schema" => Self::Draft6,
            "json-schema.org/draft-07/schema" => Self::Draft7,
            "json-schema.org/draft/2019-09/schema" => Self::Draft2019_09,
            "json-schema.org/draft/2020-12/schema" => Self::Draft2020_12,
            _ => return None,
        })
    }

    /// Whether keywords beside a `$ref` apply (2019-09 on); before, they are ignored.
    fn applies_ref_siblings(self) -> bool {
        self >= Self::Draft2019_09
    }
}

/// A parsed schema: its nodes and the root.
#[derive(Clone, Debug, PartialEq)]
pub struct JsonSchema {
    nodes: Vec<Node>,
    root: NodeId,
    draft: Draft,
}

impl JsonSchema {
    /// Reads a schema; the error names the keyword and where it is (`#/properties/id`).
    pub fn parse(json: &Json) -> Result<Self, String> {
        Self::parse_with_references(json, &[])
    }

    /// Reads a schema whose `$ref`s may name other schemas (`customer.json`,
    /// `customer.json#/definitions/address`): the registry's `references`, by name. They
    /// are read with the root's draft.
    pub fn parse_with_references(
        json: &Json,
        references: &[(String, Json)],
    ) -> Result<Self, String> {
        let draft = match json.get("$schema") {
            None => Draft::Draft7,
            Some(url) => url.as_str().and_then(Draft::of_url).ok_or_else(|| {
                alloc::format!(
                    "#: $schema {url} is not a draft logplay knows (draft-04, -06, -07, 2019-09, 2020-12)"
                )
            })?,
        };
        let mut loader = load::Loader::new(json, references, draft);
        let root = loader.load_root()?;
        Ok(Self {
            nodes: loader.nodes,
            root,
            draft,
        })
    }

    /// The draft it follows.
    pub fn draft(&self) -> Draft {
        self.draft
    }

    /// The root node.
    pub fn root(&self) -> NodeId {
        self.root
    }

    /// A node.
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0 as usize]
    }

    /// How many nodes it has.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether it has no nodes (never, once parsed).
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Checks a document; the error reads like the registry's validator:
    /// `#/amount: expected type: number, found: string`.
    pub fn validate(&self, doc: &Json) -> Result<(), String> {
        validate::Validator::new(self).check(self.root, doc, &mut "#".to_string())
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

/// Whether `x` is a whole number (`f64::fract` needs `std`). From 2^52 on every `f64` is.
pub(crate) fn is_whole(x: f64) -> bool {
    x.is_finite() && (x.abs() >= 4_503_599_627_370_496.0 || x == (x as i64) as f64)
}
