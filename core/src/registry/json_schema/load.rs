//! Reads schema JSON into the object model, keyword by keyword, as the registry's loaders
//! do: each group of keywords (an `enum`, each of `allOf`/`anyOf`/`oneOf`, a `not`, a
//! `const`, a `type` with its keywords, the keywords of other types, `if`/`then`/`else`)
//! becomes one schema, and several become their `allOf`.

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde_json::{Map, Value as Json};

use super::model::*;
use super::pattern::Pattern;
use super::Draft;

/// The most nodes one schema may have (a simulation limit).
pub const MAX_NODES: usize = 10_000;

const STRING_KEYWORDS: [&str; 4] = ["minLength", "maxLength", "pattern", "format"];
const NUMBER_KEYWORDS: [&str; 5] = [
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
];
const OBJECT_KEYWORDS: [&str; 11] = [
    "properties",
    "required",
    "minProperties",
    "maxProperties",
    "dependencies",
    "patternProperties",
    "additionalProperties",
    "propertyNames",
    "dependentRequired",
    "dependentSchemas",
    "unevaluatedProperties",
];
const ARRAY_KEYWORDS: [&str; 10] = [
    "items",
    "additionalItems",
    "prefixItems",
    "minItems",
    "maxItems",
    "uniqueItems",
    "contains",
    "minContains",
    "maxContains",
    "unevaluatedItems",
];

/// Keywords logplay reads as annotations only, or as places to keep sub-schemas for `$ref`.
const ANNOTATIONS: [&str; 20] = [
    "$schema",
    "$id",
    "id",
    "title",
    "description",
    "default",
    "examples",
    "$comment",
    "definitions",
    "$defs",
    "readOnly",
    "writeOnly",
    "deprecated",
    "contentEncoding",
    "contentMediaType",
    "contentSchema",
    "$anchor",
    "connect.type",
    "connect.version",
    "connect.parameters",
];

pub(super) struct Loader<'a> {
    root: &'a Json,
    /// The schemas the root references, by the name its `$ref`s use.
    references: &'a [(String, Json)],
    /// The document being read: 0 is the root, `i + 1` is `references[i]`.
    document: usize,
    draft: Draft,
    pub(super) nodes: Vec<Node>,
    /// Each loaded `(document, pointer)`.
    pointers: BTreeMap<(usize, String), NodeId>,
}

impl<'a> Loader<'a> {
    pub(super) fn new(root: &'a Json, references: &'a [(String, Json)], draft: Draft) -> Self {
        Self {
            root,
            references,
            document: 0,
            draft,
            nodes: Vec::new(),
            pointers: BTreeMap::new(),
        }
    }

    /// Loads the root schema.
    pub(super) fn load_root(&mut self) -> Result<NodeId, String> {
        self.load_pointer(0, "#")
    }

    fn reserve(&mut self) -> Result<NodeId, String> {
        if self.nodes.len() >= MAX_NODES {
            return Err(alloc::format!(
                "a schema has at most {MAX_NODES} sub-schemas in logplay"
            ));
        }
        self.nodes.push(Node::of(Kind::Empty));
        Ok(NodeId(self.nodes.len() as u32 - 1))
    }

    /// Loads the schema at `path` (a JSON pointer, `#/definitions/a`) once: every `$ref` to it
    /// shares one node, so recursion ends.
    fn load_pointer(&mut self, document: usize, pointer: &str) -> Result<NodeId, String> {
        let key = (document, pointer.to_string());
        if let Some(id) = self.pointers.get(&key) {
            return Ok(*id);
        }
        let (name, json) = match document.checked_sub(1) {
            None => ("", self.root),
            Some(i) => (self.references[i].0.as_str(), &self.references[i].1),
        };
        let path = alloc::format!("{name}{pointer}");
        let json = resolve(json, pointer)
            .ok_or_else(|| alloc::format!("#: the $ref {path:?} points at nothing"))?;
        let id = self.reserve()?;
        self.pointers.insert(key, id);
        let outer = core::mem::replace(&mut self.document, document);
        let node = self.build(json, &path);
        self.document = outer;
        self.nodes[id.0 as usize] = node?;
        Ok(id)
    }

    fn load(&mut self, json: &Json, path: &str) -> Result<NodeId, String> {
        let id = self.reserve()?;
        let node = self.build(json, path)?;
        self.nodes[id.0 as usize] = node;
        Ok(id)
    }

    fn add(&mut self, node: Node) -> Result<NodeId, String> {
        let id = self.reserve()?;
        self.nodes[id.0 as usize] = node;
        Ok(id)
    }

    fn build(&mut self, json: &Json, path: &str) -> Result<Node, String> {
        let map = match json {
            Json::Bool(true) => return Ok(Node::of(Kind::True)),
            Json::Bool(false) => return Ok(Node::of(Kind::False)),
            Json::Object(map) => map,
            _ => {
                return Err(alloc::format!(
                    "{path}: a schema must be a JSON object or a boolean"
                ))
            }
        };
        for keyword in map.keys() {
            let known = ANNOTATIONS.contains(&keyword.as_str())
                || STRING_KEYWORDS.contains(&keyword.as_str())
                || NUMBER_KEYWORDS.contains(&keyword.as_str())
                || OBJECT_KEYWORDS.contains(&keyword.as_str())
                || ARRAY_KEYWORDS.contains(&keyword.as_str())
                || matches!(
                    keyword.as_str(),
                    "type"
                        | "enum"
                        | "const"
                        | "allOf"
                        | "anyOf"
                        | "oneOf"
                        | "not"
                        | "$ref"
                        | "if"
                        | "then"
                        | "else"
                );
            if !known {
                return Err(alloc::format!(
                    "{path}: logplay's registry does not know the keyword {keyword:?}"
                ));
            }
        }
        let mut unevaluated = Unevaluated::default();
        let kind = if let Some(reference) = map
            .get("$ref")
            .filter(|_| !self.draft.applies_ref_siblings())
        {
            self.reference(reference, path)?
        } else {
            let mut parts = Vec::new();
            if let Some(reference) = map.get("$ref") {
                parts.push(self.reference(reference, path)?);
            }
            self.extract(map, path, &mut parts)?;
            for part in &parts {
                match part {
                    Kind::Object(rules) => unevaluated.properties = rules.unevaluated,
                    Kind::Array(rules) => unevaluated.items = rules.unevaluated,
                    _ => {}
                }
            }
            match parts.len() {
                0 => Kind::Empty,
                1 => parts.pop().unwrap_or(Kind::Empty),
                _ => {
                    let mut subschemas = Vec::new();
                    for kind in parts {
                        subschemas.push(self.add(Node::of(kind))?);
                    }
                    self.combined(Criterion::AllOf, subschemas)
                }
            }
        };
        let text = |k: &str| map.get(k).and_then(Json::as_str).map(String::from);
        let mut node = Node::of(kind);
        node.id = match self.draft {
            Draft::Draft4 => text("id"),
            Draft::Draft6 | Draft::Draft7 => text("$id"),
            // The 2019-09 and 2020-12 loader does not carry `$id` into the model.
            Draft::Draft2019_09 | Draft::Draft2020_12 => None,
        };
        node.title = text("title");
        node.description = text("description");
        node.default = map.get("default").cloned();
        node.connect_type = text("connect.type");
        node.unevaluated = unevaluated;
        Ok(node)
    }

    fn reference(&mut self, reference: &Json, path: &str) -> Result<Kind, String> {
        let text = reference
            .as_str()
            .ok_or_else(|| alloc::format!("{path}: $ref must be a string"))?;
        let (name, pointer) = text.split_at(text.find('#').unwrap_or(text.len()));
        let pointer = if pointer.is_empty() { "#" } else { pointer };
        let document = if name.is_empty() {
            self.document
        } else {
            let i = self
                .references
                .iter()
                .position(|(n, _)| n == name)
                .ok_or_else(|| {
                    alloc::format!(
                        "{path}: logplay resolves only local references (#/…) and the names of the schema's references, not {text:?}"
                    )
                })?;
            i + 1
        };
        let target = self.load_pointer(document, pointer)?;
        Ok(Kind::Reference {
            text: text.to_string(),
            target,
        })
    }

    fn combined(&self, criterion: Criterion, subschemas: Vec<NodeId>) -> Kind {
        Kind::Combined(Combined {
            criterion,
            distinct: subschemas.clone(),
            subschemas,
        })
    }

    /// Every keyword group of `map`, in the registry's order.
    fn extract(
        &mut self,
        map: &Map<String, Json>,
        path: &str,
        parts: &mut Vec<Kind>,
    ) -> Result<(), String> {
        if let Some(v) = map.get("enum") {
            let list = v
                .as_array()
                .ok_or_else(|| alloc::format!("{path}: enum must be a list"))?;
            let mut values: Vec<Json> = Vec::new();
            for value in list {
                if !values.contains(value) {
                    values.push(value.clone());
                }
            }
            parts.push(Kind::Enum(values));
        }
        for criterion in [Criterion::AllOf, Criterion::AnyOf, Criterion::OneOf] {
            let keyword = criterion.keyword();
            if let Some(v) = map.get(keyword) {
                let list = v
                    .as_array()
                    .filter(|l| !l.is_empty())
                    .ok_or_else(|| alloc::format!("{path}: {keyword} must be a non-empty list"))?;
                let mut subschemas = Vec::new();
                let mut distinct: Vec<(NodeId, &Json)> = Vec::new();
                for (i, sub) in list.iter().enumerate() {
                    let id = self.load(sub, &alloc::format!("{path}/{keyword}/{i}"))?;
                    subschemas.push(id);
                    if !distinct.iter().any(|(_, j)| *j == sub) {
                        distinct.push((id, sub));
                    }
                }
                parts.push(Kind::Combined(Combined {
                    criterion,
                    subschemas,
                    distinct: distinct.into_iter().map(|(id, _)| id).collect(),
                }));
            }
        }
        if let Some(v) = map.get("not") {
            parts.push(Kind::Not(self.load(v, &alloc::format!("{path}/not"))?));
        }
        if let Some(v) = map.get("const") {
            parts.push(Kind::Const(v.clone()));
        }
        // `type`, with the keywords of the types it names.
        let mut consumed: Vec<&str> = Vec::new();
        if let Some(v) = map.get("type") {
            let names: Vec<&Json> = match v {
                Json::Array(list) => list.iter().collect(),
                one => alloc::vec![one],
            };
            let mut typed = Vec::new();
            for name in &names {
                let name = name.as_str().ok_or_else(|| bad_type(path))?;
                typed.push(self.typed(name, map, path, &mut consumed)?);
            }
            match v {
                Json::Array(_) => {
                    let mut subschemas = Vec::new();
                    for kind in typed {
                        subschemas.push(self.add(Node::of(kind))?);
                    }
                    if !subschemas.is_empty() {
                        parts.push(self.combined(Criterion::AnyOf, subschemas));
                    }
                }
                _ => parts.extend(typed),
            }
        }
        // The keywords of types `type` did not name, each group as its own schema.
        // The 2019-09 and 2020-12 loader reads an empty `properties`, and `minContains` or
        // `maxContains` without `contains`, as no keyword at all.
        let modern = self.draft >= Draft::Draft2019_09;
        let present = |keywords: &[&str]| {
            keywords.iter().any(|k| {
                let Some(v) = map.get(*k) else { return false };
                let idle = modern
                    && ((*k == "properties" && v.as_object().is_some_and(Map::is_empty))
                        || (matches!(*k, "minContains" | "maxContains")
                            && !map.contains_key("contains")));
                !idle && !consumed.contains(k)
            })
        };
        if present(&ARRAY_KEYWORDS) {
            parts.push(Kind::Array(self.array(map, path, false)?));
        }
        if present(&OBJECT_KEYWORDS) {
            parts.push(Kind::Object(self.object(map, path, false)?));
        }
        if present(&NUMBER_KEYWORDS) {
            parts.push(Kind::Number(self.number(map, path, false, false)?));
        }
        if present(&STRING_KEYWORDS) {
            parts.push(Kind::String(self.string(map, path, false)?));
        }
        if self.draft >= Draft::Draft7
            && ["if", "then", "else"].iter().any(|k| map.contains_key(*k))
        {
            let mut sub = |k: &str| -> Result<Option<NodeId>, String> {
                map.get(k)
                    .map(|v| self.load(v, &alloc::format!("{path}/{k}")))
                    .transpose()
            };
            parts.push(Kind::Conditional {
                condition: sub("if")?,
                then: sub("then")?,
                otherwise: sub("else")?,
            });
        }
        Ok(())
    }

    fn typed(
        &mut self,
        name: &str,
        map: &Map<String, Json>,
        path: &str,
        consumed: &mut Vec<&'static str>,
    ) -> Result<Kind, String> {
        Ok(match name {
            "null" => Kind::Null,
            "boolean" => Kind::Boolean,
            "string" => {
                consumed.extend(STRING_KEYWORDS);
                Kind::String(self.string(map, path, true)?)
            }
            "number" | "integer" => {
                consumed.extend(NUMBER_KEYWORDS);
                Kind::Number(self.number(map, path, true, name == "integer")?)
            }
            "object" => {
                consumed.extend(OBJECT_KEYWORDS);
                Kind::Object(self.object(map, path, true)?)
            }
            "array" => {
                consumed.extend(ARRAY_KEYWORDS);
                Kind::Array(self.array(map, path, true)?)
            }
            _ => return Err(bad_type(path)),
        })
    }

    fn string(
        &mut self,
        map: &Map<String, Json>,
        path: &str,
        requires_string: bool,
    ) -> Result<StringRules, String> {
        Ok(StringRules {
            requires_string,
            min_length: count(map, "minLength", path)?,
            max_length: count(map, "maxLength", path)?,
            pattern: map
                .get("pattern")
                .map(|p| {
                    let text = p
                        .as_str()
                        .ok_or_else(|| alloc::format!("{path}: pattern must be a string"))?;
                    Pattern::new(text).map_err(|e| alloc::format!("{path}/pattern: {e}"))
                })
                .transpose()?,
            format: map.get("format").and_then(Json::as_str).map(String::from),
        })
    }

    fn number(
        &mut self,
        map: &Map<String, Json>,
        path: &str,
        requires_number: bool,
        requires_integer: bool,
    ) -> Result<NumberRules, String> {
        let bound = |k: &str| -> Result<Option<f64>, String> {
            map.get(k)
                .map(|v| {
                    v.as_f64()
                        .ok_or_else(|| alloc::format!("{path}: {k} must be a number"))
                })
                .transpose()
        };
        let mut rules = NumberRules {
            requires_number,
            requires_integer,
            minimum: bound("minimum")?,
            maximum: bound("maximum")?,
            ..NumberRules::default()
        };
        for (keyword, flag, limit) in [
            (
                "exclusiveMinimum",
                &mut rules.minimum_exclusive,
                &mut rules.exclusive_minimum,
            ),
            (
                "exclusiveMaximum",
                &mut rules.maximum_exclusive,
                &mut rules.exclusive_maximum,
            ),
        ] {
            match (map.get(keyword), self.draft) {
                (None, _) => {}
                (Some(Json::Bool(b)), Draft::Draft4) => *flag = *b,
                (Some(v), draft) if draft != Draft::Draft4 && v.is_number() => {
                    *limit = v.as_f64();
                }
                _ => {
                    let what = if self.draft == Draft::Draft4 {
                        "a boolean in draft 4"
                    } else {
                        "a number"
                    };
                    return Err(alloc::format!("{path}: {keyword} must be {what}"));
                }
            }
        }
        if let Some(v) = map.get("multipleOf") {
            let d = Decimal::parse(v)
                .filter(|d| d.mantissa > 0)
                .ok_or_else(|| alloc::format!("{path}: multipleOf must be a number above 0"))?;
            rules.multiple_of = Some(d);
        }
        Ok(rules)
    }

    fn object(
        &mut self,
        map: &Map<String, Json>,
        path: &str,
        requires_object: bool,
    ) -> Result<ObjectRules, String> {
        let mut rules = ObjectRules {
            requires_object,
            min_properties: count(map, "minProperties", path)?,
            max_properties: count(map, "maxProperties", path)?,
            ..ObjectRules::default()
        };
        if let Some(v) = map.get("properties") {
            let props = v
                .as_object()
                .ok_or_else(|| alloc::format!("{path}: properties must be an object"))?;
            for (name, sub) in props {
                let id = self.load(sub, &alloc::format!("{path}/properties/{name}"))?;
                rules.properties.push((name.clone(), id));
            }
        }
        if let Some(v) = map.get("required") {
            rules.required = names(v).ok_or_else(|| {
                alloc::format!("{path}: required must be a list of property names")
            })?;
        }
        rules.additional = self.additional(
            map.get("additionalProperties"),
            path,
            "additionalProperties",
        )?;
        if let Some(v) = map.get("patternProperties") {
            let props = v
                .as_object()
                .ok_or_else(|| alloc::format!("{path}: patternProperties must be an object"))?;
            for (pattern, sub) in props {
                let p = Pattern::new(pattern)
                    .map_err(|e| alloc::format!("{path}/patternProperties: {e}"))?;
                let id = self.load(sub, &alloc::format!("{path}/patternProperties/{pattern}"))?;
                rules.pattern_properties.push((p, id));
            }
        }
        let dependency_keywords: &[&str] = if self.draft >= Draft::Draft2019_09 {
            &["dependentRequired", "dependentSchemas", "dependencies"]
        } else {
            &["dependencies"]
        };
        for keyword in dependency_keywords {
            let Some(v) = map.get(*keyword) else { continue };
            let deps = v
                .as_object()
                .ok_or_else(|| alloc::format!("{path}: {keyword} must be an object"))?;
            for (name, dep) in deps {
                match (dep, *keyword) {
                    (Json::Array(_), "dependentRequired" | "dependencies") => {
                        let list = names(dep).ok_or_else(|| {
                            alloc::format!("{path}/{keyword}/{name}: must be a list of names")
                        })?;
                        rules.property_dependencies.push((name.clone(), list));
                    }
                    (_, "dependentSchemas" | "dependencies") => {
                        let id = self.load(dep, &alloc::format!("{path}/{keyword}/{name}"))?;
                        rules.schema_dependencies.push((name.clone(), id));
                    }
                    _ => {
                        return Err(alloc::format!(
                            "{path}/{keyword}/{name}: must be a list of property names"
                        ))
                    }
                }
            }
        }
        if let Some(v) = map.get("propertyNames") {
            rules.property_names = Some(self.load(v, &alloc::format!("{path}/propertyNames"))?);
        }
        if let Some(v) = map
            .get("unevaluatedProperties")
            .filter(|_| self.draft >= Draft::Draft2019_09)
        {
            rules.unevaluated =
                Some(self.load(v, &alloc::format!("{path}/unevaluatedProperties"))?);
        }
        Ok(rules)
    }

    fn array(
        &mut self,
        map: &Map<String, Json>,
        path: &str,
        requires_array: bool,
    ) -> Result<ArrayRules, String> {
        let mut rules = ArrayRules {
            requires_array,
            min_items: count(map, "minItems", path)?,
            max_items: count(map, "maxItems", path)?,
            min_contains: count(map, "minContains", path)?,
            max_contains: count(map, "maxContains", path)?,
            ..ArrayRules::default()
        };
        if let Some(v) = map.get("uniqueItems") {
            rules.unique = v
                .as_bool()
                .ok_or_else(|| alloc::format!("{path}: uniqueItems must be a boolean"))?;
        }
        let tuple = |loader: &mut Self, v: &Json, keyword: &str| -> Result<Vec<NodeId>, String> {
            let list = v
                .as_array()
                .ok_or_else(|| alloc::format!("{path}: {keyword} must be a list of schemas"))?;
            let mut ids = Vec::new();
            for (i, sub) in list.iter().enumerate() {
                ids.push(loader.load(sub, &alloc::format!("{path}/{keyword}/{i}"))?);
            }
            Ok(ids)
        };
        if self.draft == Draft::Draft2020_12 {
            // `prefixItems` is the tuple; `items` beside it is what follows it.
            if let Some(v) = map.get("prefixItems") {
                rules.item_schemas = Some(tuple(self, v, "prefixItems")?);
                rules.additional = self.additional(map.get("items"), path, "items")?;
            } else if let Some(v) = map.get("items") {
                match v {
                    // No items at all: an empty tuple with nothing after it.
                    Json::Bool(false) => {
                        rules.item_schemas = Some(Vec::new());
                        rules.additional = Additional::Forbidden;
                    }
                    Json::Bool(true) => rules.additional = Additional::Permitted,
                    _ => rules.all_items = Some(self.load(v, &alloc::format!("{path}/items"))?),
                }
            }
        } else {
            match map.get("items") {
                Some(v @ Json::Array(_)) => rules.item_schemas = Some(tuple(self, v, "items")?),
                Some(v) => rules.all_items = Some(self.load(v, &alloc::format!("{path}/items"))?),
                None => {}
            }
            rules.additional =
                self.additional(map.get("additionalItems"), path, "additionalItems")?;
        }
        if let Some(v) = map.get("contains").filter(|_| self.draft >= Draft::Draft6) {
            rules.contains = Some(self.load(v, &alloc::format!("{path}/contains"))?);
        }
        if self.draft >= Draft::Draft2019_09 {
            // The 2019-09 and 2020-12 loader keeps `minContains` (1 unless given) and
            // `maxContains` only beside a `contains`.
            if rules.contains.is_some() {
                rules.min_contains = Some(rules.min_contains.unwrap_or(1));
            } else {
                (rules.min_contains, rules.max_contains) = (None, None);
            }
        }
        if let Some(v) = map
            .get("unevaluatedItems")
            .filter(|_| self.draft >= Draft::Draft2019_09)
        {
            rules.unevaluated = Some(self.load(v, &alloc::format!("{path}/unevaluatedItems"))?);
        }
        Ok(rules)
    }

    fn additional(
        &mut self,
        v: Option<&Json>,
        path: &str,
        keyword: &str,
    ) -> Result<Additional, String> {
        Ok(match v {
            None | Some(Json::Bool(true)) => Additional::Permitted,
            Some(Json::Bool(false)) => Additional::Forbidden,
            Some(v) => Additional::Schema(self.load(v, &alloc::format!("{path}/{keyword}"))?),
        })
    }
}

fn bad_type(path: &str) -> String {
    alloc::format!(
        "{path}: type must be one of null boolean integer number string array object, or a list of them"
    )
}

fn count(map: &Map<String, Json>, keyword: &str, path: &str) -> Result<Option<u64>, String> {
    map.get(keyword)
        .map(|v| {
            v.as_u64()
                .or_else(|| {
                    v.as_f64()
                        .filter(|f| *f >= 0.0 && super::is_whole(*f))
                        .map(|f| f as u64)
                })
                .ok_or_else(|| {
                    alloc::format!("{path}: {keyword} must be a non-negative whole number")
                })
        })
        .transpose()
}

fn names(v: &Json) -> Option<Vec<String>> {
    v.as_array()?
        .iter()
        .map(|s| s.as_str().map(String::from))
        .collect()
}

/// The value a local `$ref` (`#`, `#/definitions/a`, with `~0`, `~1` and `%xx` escapes)
/// points at.
fn resolve<'j>(root: &'j Json, reference: &str) -> Option<&'j Json> {
    let pointer = reference.strip_prefix('#')?;
    if pointer.is_empty() {
        return Some(root);
    }
    let pointer = pointer.strip_prefix('/')?;
    let mut at = root;
    for token in pointer.split('/') {
        let token = percent_decode(token)?.replace("~1", "/").replace("~0", "~");
        at = match at {
            Json::Object(map) => map.get(&token)?,
            Json::Array(list) => list.get(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(at)
}

fn percent_decode(token: &str) -> Option<String> {
    if !token.contains('%') {
        return Some(token.to_string());
    }
    let bytes = token.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = core::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

impl Decimal {
    /// Reads a JSON number exactly, from its text.
    pub fn parse(v: &Json) -> Option<Self> {
        let text = match v {
            Json::Number(n) => n.to_string(),
            _ => return None,
        };
        let (mantissa_text, exponent) = match text.find(['e', 'E']) {
            Some(i) => (&text[..i], text[i + 1..].parse::<i32>().ok()?),
            None => (text.as_str(), 0),
        };
        let (whole, fraction) = mantissa_text.split_once('.').unwrap_or((mantissa_text, ""));
        let digits: String = alloc::format!("{whole}{fraction}");
        let mut mantissa: i128 = digits.parse().ok()?;
        let mut scale = fraction.len() as i32 - exponent;
        while scale < 0 {
            mantissa = mantissa.checked_mul(10)?;
            scale += 1;
        }
        if scale > 30 {
            return None;
        }
        Some(Self {
            mantissa,
            scale: scale as u32,
        })
    }

    fn scaled(self, scale: u32) -> Option<i128> {
        self.mantissa
            .checked_mul(10i128.checked_pow(scale - self.scale)?)
    }

    /// Both at one scale.
    fn aligned(self, other: Self) -> Option<(i128, i128)> {
        let scale = self.scale.max(other.scale);
        Some((self.scaled(scale)?, other.scaled(scale)?))
    }

    /// Whether the two are the same number.
    pub fn same(self, other: Self) -> bool {
        self.aligned(other).is_some_and(|(a, b)| a == b)
    }

    /// Whether `self` is a whole multiple of `other` (`other` not zero).
    pub fn is_multiple_of(self, other: Self) -> bool {
        self.aligned(other)
            .is_some_and(|(a, b)| b != 0 && a % b == 0)
    }

    /// The value as a float.
    pub fn to_f64(self) -> f64 {
        self.mantissa as f64 / libm_pow10(self.scale)
    }
}

fn libm_pow10(scale: u32) -> f64 {
    let mut x = 1.0;
    for _ in 0..scale {
        x *= 10.0;
    }
    x
}
