//! What a JSON Schema reads as: the object model Confluent's registry builds (everit's
//! `Schema` classes), held in an arena so that `$ref`s, even recursive ones, are indices.

use alloc::string::String;
use alloc::vec::Vec;

use serde_json::Value as Json;

use super::pattern::Pattern;

/// A node's index in its [`super::JsonSchema`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub(crate) u32);

/// One schema or sub-schema.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// What it constrains.
    pub kind: Kind,
    /// `$id` (`id` in draft 4).
    pub id: Option<String>,
    /// `title`.
    pub title: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `default`.
    pub default: Option<Json>,
    /// `connect.type`, which Kafka Connect's JSON converter writes (`bytes` makes two
    /// schemas of different types equivalent, as Confluent's diff allows).
    pub connect_type: Option<String>,
    /// The `unevaluatedProperties` and `unevaluatedItems` of the schema object this node
    /// was read from: they see what all its keywords evaluate.
    pub unevaluated: Unevaluated,
}

/// A schema object's `unevaluatedProperties` and `unevaluatedItems`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Unevaluated {
    /// `unevaluatedProperties`.
    pub properties: Option<NodeId>,
    /// `unevaluatedItems`.
    pub items: Option<NodeId>,
}

impl Node {
    pub(crate) fn of(kind: Kind) -> Self {
        Self {
            kind,
            id: None,
            title: None,
            description: None,
            default: None,
            connect_type: None,
            unevaluated: Unevaluated::default(),
        }
    }
}

/// The schema classes, one variant each.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// `{}`: anything.
    Empty,
    /// `true`: anything (a kind of empty schema).
    True,
    /// `false`: nothing.
    False,
    /// `"type": "null"`.
    Null,
    /// `"type": "boolean"`.
    Boolean,
    /// Strings.
    String(StringRules),
    /// Numbers and integers.
    Number(NumberRules),
    /// Objects.
    Object(ObjectRules),
    /// Arrays.
    Array(ArrayRules),
    /// `enum`.
    Enum(Vec<Json>),
    /// `const`.
    Const(Json),
    /// `allOf`, `anyOf` or `oneOf` (also a list of types, and several keywords side by side).
    Combined(Combined),
    /// `not`.
    Not(NodeId),
    /// `if` / `then` / `else`.
    Conditional {
        /// `if`.
        condition: Option<NodeId>,
        /// `then`.
        then: Option<NodeId>,
        /// `else`.
        otherwise: Option<NodeId>,
    },
    /// `$ref`, resolved.
    Reference {
        /// The reference as written.
        text: String,
        /// The node it points at.
        target: NodeId,
    },
}

impl Kind {
    /// The schema class's name, as the diff compares classes.
    pub fn class(&self) -> &'static str {
        match self {
            Self::Empty => "EmptySchema",
            Self::True => "TrueSchema",
            Self::False => "FalseSchema",
            Self::Null => "NullSchema",
            Self::Boolean => "BooleanSchema",
            Self::String(_) => "StringSchema",
            Self::Number(_) => "NumberSchema",
            Self::Object(_) => "ObjectSchema",
            Self::Array(_) => "ArraySchema",
            Self::Enum(_) => "EnumSchema",
            Self::Const(_) => "ConstSchema",
            Self::Combined(_) => "CombinedSchema",
            Self::Not(_) => "NotSchema",
            Self::Conditional { .. } => "ConditionalSchema",
            Self::Reference { .. } => "ReferenceSchema",
        }
    }

    /// `{}` or `true`.
    pub fn is_empty_schema(&self) -> bool {
        matches!(self, Self::Empty | Self::True)
    }
}

/// How `allOf`, `anyOf` and `oneOf` combine their sub-schemas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Criterion {
    /// Every sub-schema.
    AllOf,
    /// At least one.
    AnyOf,
    /// Exactly one.
    OneOf,
}

impl Criterion {
    /// The keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            Self::AllOf => "allOf",
            Self::AnyOf => "anyOf",
            Self::OneOf => "oneOf",
        }
    }
}

/// A combined schema.
#[derive(Clone, Debug, PartialEq)]
pub struct Combined {
    /// How its sub-schemas combine.
    pub criterion: Criterion,
    /// Its sub-schemas, in order.
    pub subschemas: Vec<NodeId>,
    /// The sub-schemas without repeats (by their JSON), as the diff counts them.
    pub distinct: Vec<NodeId>,
}

/// `minLength`, `maxLength`, `pattern`, `format`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StringRules {
    /// `"type": "string"` (rather than string keywords alone).
    pub requires_string: bool,
    /// `minLength`, in code points.
    pub min_length: Option<u64>,
    /// `maxLength`.
    pub max_length: Option<u64>,
    /// `pattern`.
    pub pattern: Option<Pattern>,
    /// `format` (an annotation: logplay does not check formats).
    pub format: Option<String>,
}

/// `minimum`, `maximum`, their exclusive forms, `multipleOf`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NumberRules {
    /// `"type": "number"` or `"integer"` (rather than number keywords alone).
    pub requires_number: bool,
    /// `"type": "integer"`.
    pub requires_integer: bool,
    /// `minimum`.
    pub minimum: Option<f64>,
    /// `maximum`.
    pub maximum: Option<f64>,
    /// Draft 4's `exclusiveMinimum: true` (it makes `minimum` exclusive).
    pub minimum_exclusive: bool,
    /// Draft 4's `exclusiveMaximum: true`.
    pub maximum_exclusive: bool,
    /// `exclusiveMinimum` as a number (draft 6 on).
    pub exclusive_minimum: Option<f64>,
    /// `exclusiveMaximum` as a number.
    pub exclusive_maximum: Option<f64>,
    /// `multipleOf`, as written.
    pub multiple_of: Option<Decimal>,
}

/// A decimal number as written in the schema, compared exactly (`0.5` equals `0.50`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decimal {
    /// The digits.
    pub mantissa: i128,
    /// The power of ten the digits are divided by.
    pub scale: u32,
}

/// What an object's unlisted properties (or an array's unlisted items) may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Additional {
    /// Anything (the keyword absent, or `true`).
    Permitted,
    /// Nothing (`false`).
    Forbidden,
    /// What this schema allows.
    Schema(NodeId),
}

impl Additional {
    /// `permitsAdditionalProperties()` / `permitsAdditionalItems()`.
    pub fn permits(self) -> bool {
        self != Self::Forbidden
    }

    /// The schema, when there is one.
    pub fn schema(self) -> Option<NodeId> {
        match self {
            Self::Schema(id) => Some(id),
            _ => None,
        }
    }
}

/// An object's keywords.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectRules {
    /// `"type": "object"`.
    pub requires_object: bool,
    /// `properties`, in the schema's order.
    pub properties: Vec<(String, NodeId)>,
    /// `required`.
    pub required: Vec<String>,
    /// `additionalProperties`.
    pub additional: Additional,
    /// `patternProperties`.
    pub pattern_properties: Vec<(Pattern, NodeId)>,
    /// `dependencies` with a list (`dependentRequired`).
    pub property_dependencies: Vec<(String, Vec<String>)>,
    /// `dependencies` with a schema (`dependentSchemas`).
    pub schema_dependencies: Vec<(String, NodeId)>,
    /// `minProperties`.
    pub min_properties: Option<u64>,
    /// `maxProperties`.
    pub max_properties: Option<u64>,
    /// `propertyNames`.
    pub property_names: Option<NodeId>,
    /// `unevaluatedProperties` (2019-09 on).
    pub unevaluated: Option<NodeId>,
}

impl Default for ObjectRules {
    fn default() -> Self {
        Self {
            requires_object: false,
            properties: Vec::new(),
            required: Vec::new(),
            additional: Additional::Permitted,
            pattern_properties: Vec::new(),
            property_dependencies: Vec::new(),
            schema_dependencies: Vec::new(),
            min_properties: None,
            max_properties: None,
            property_names: None,
            unevaluated: None,
        }
    }
}

impl ObjectRules {
    /// The schema of a named property.
    pub fn property(&self, name: &str) -> Option<NodeId> {
        self.properties
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, id)| *id)
    }

    /// Whether `name` is in `required`.
    pub fn requires(&self, name: &str) -> bool {
        self.required.iter().any(|r| r == name)
    }
}

/// An array's keywords.
#[derive(Clone, Debug, PartialEq)]
pub struct ArrayRules {
    /// `"type": "array"`.
    pub requires_array: bool,
    /// `items` as one schema: every item.
    pub all_items: Option<NodeId>,
    /// `items` as a list (`prefixItems`): the first items, one schema each.
    pub item_schemas: Option<Vec<NodeId>>,
    /// `additionalItems` (2020-12's `items` beside `prefixItems`).
    pub additional: Additional,
    /// `contains`.
    pub contains: Option<NodeId>,
    /// `minContains`.
    pub min_contains: Option<u64>,
    /// `maxContains`.
    pub max_contains: Option<u64>,
    /// `uniqueItems`.
    pub unique: bool,
    /// `minItems`.
    pub min_items: Option<u64>,
    /// `maxItems`.
    pub max_items: Option<u64>,
    /// `unevaluatedItems` (2019-09 on).
    pub unevaluated: Option<NodeId>,
}

impl Default for ArrayRules {
    fn default() -> Self {
        Self {
            requires_array: false,
            all_items: None,
            item_schemas: None,
            additional: Additional::Permitted,
            contains: None,
            min_contains: None,
            max_contains: None,
            unique: false,
            min_items: None,
            max_items: None,
            unevaluated: None,
        }
    }
}
