//! Checks a document against a schema, keyword by keyword. Messages read like the
//! registry's validator: `#/id: expected type: integer, found: string`.
//!
//! `unevaluatedProperties` and `unevaluatedItems` see the annotations of every keyword of
//! their schema object that the value passed: properties, items, `contains`, the passing
//! branches of `allOf`/`anyOf`/`oneOf`, `if`/`then`/`else`, dependent schemas and `$ref`s
//! (not `not`).

use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec::Vec;

use serde_json::Value as Json;

use super::model::*;
use super::{number, JsonSchema};

/// How deep `$ref`s may nest while validating one value (they may recurse).
const MAX_DEPTH: usize = 256;

pub(super) struct Validator<'s> {
    schema: &'s JsonSchema,
    depth: usize,
}

type Outcome = Result<(), String>;

/// What a value's passing keywords evaluated: property names and item indices.
#[derive(Default)]
struct Evaluated {
    properties: BTreeSet<String>,
    items: BTreeSet<usize>,
}

fn type_name(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

/// A value of another type: refused when the schema asked for `expected`, else its
/// keywords do not apply.
fn other_type(required: bool, path: &str, expected: &str, doc: &Json) -> Outcome {
    match required {
        true => Err(mismatch(path, expected, doc)),
        false => Ok(()),
    }
}

fn mismatch(path: &str, expected: &str, doc: &Json) -> String {
    alloc::format!(
        "{path}: expected type: {expected}, found: {}",
        type_name(doc)
    )
}

/// Equality as JSON Schema means it: `1` equals `1.0`.
pub(crate) fn json_equal(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_equal(a, b))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

impl<'s> Validator<'s> {
    pub(super) fn new(schema: &'s JsonSchema) -> Self {
        Self { schema, depth: 0 }
    }

    fn at(&mut self, id: NodeId, doc: &Json, path: &mut String, step: &str) -> Outcome {
        let len = path.len();
        path.push('/');
        path.push_str(step);
        let outcome = self.check(id, doc, path);
        path.truncate(len);
        outcome
    }

    pub(super) fn check(&mut self, id: NodeId, doc: &Json, path: &mut String) -> Outcome {
        if self.depth >= MAX_DEPTH {
            return Err(alloc::format!(
                "{path}: the schema's $refs nest more than {MAX_DEPTH} deep here"
            ));
        }
        self.depth += 1;
        let outcome = self
            .check_kind(id, doc, path)
            .and_then(|()| self.check_unevaluated(id, doc, path));
        self.depth -= 1;
        outcome
    }

    /// A schema object's `unevaluatedProperties`/`unevaluatedItems`, once the rest passed.
    fn check_unevaluated(&mut self, id: NodeId, doc: &Json, path: &mut String) -> Outcome {
        let unevaluated = self.schema.node(id).unevaluated;
        let applies = match doc {
            Json::Object(_) => unevaluated.properties.is_some(),
            Json::Array(_) => unevaluated.items.is_some(),
            _ => false,
        };
        if !applies {
            return Ok(());
        }
        let mut seen = Evaluated::default();
        self.evaluated(id, doc, path, &mut seen, false)?;
        match (doc, unevaluated.properties, unevaluated.items) {
            (Json::Object(map), Some(u), _) => {
                for (key, value) in map.iter().filter(|(k, _)| !seen.properties.contains(*k)) {
                    if matches!(self.schema.node(u).kind, Kind::False) {
                        return Err(alloc::format!(
                            "{path}: extraneous key [{key}] is not permitted"
                        ));
                    }
                    self.at(u, value, path, key)?;
                }
            }
            (Json::Array(items), _, Some(u)) => {
                for (i, item) in items
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !seen.items.contains(i))
                {
                    self.at(u, item, path, &alloc::format!("{i}"))?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Adds what `id`, which `doc` passed, evaluates of it. `nested`: `id`'s own
    /// unevaluated keywords count (they evaluate everything they see).
    fn evaluated(
        &mut self,
        id: NodeId,
        doc: &Json,
        path: &mut String,
        seen: &mut Evaluated,
        nested: bool,
    ) -> Outcome {
        if self.depth >= MAX_DEPTH {
            return Err(alloc::format!(
                "{path}: the schema's $refs nest more than {MAX_DEPTH} deep here"
            ));
        }
        self.depth += 1;
        let outcome = self.evaluated_kind(id, doc, path, seen, nested);
        self.depth -= 1;
        outcome
    }

    fn evaluated_kind(
        &mut self,
        id: NodeId,
        doc: &Json,
        path: &mut String,
        seen: &mut Evaluated,
        nested: bool,
    ) -> Outcome {
        let schema = self.schema;
        let node = schema.node(id);
        if nested {
            match doc {
                Json::Object(map) if node.unevaluated.properties.is_some() => {
                    seen.properties.extend(map.keys().cloned())
                }
                Json::Array(items) if node.unevaluated.items.is_some() => {
                    seen.items.extend(0..items.len())
                }
                _ => {}
            }
        }
        match (&node.kind, doc) {
            (Kind::Object(rules), Json::Object(map)) => {
                for key in map.keys() {
                    let named = rules.property(key).is_some()
                        || rules
                            .pattern_properties
                            .iter()
                            .any(|(p, _)| p.is_match(key));
                    if named || rules.additional != Additional::Permitted {
                        seen.properties.insert(key.clone());
                    }
                }
                for (name, dependent) in &rules.schema_dependencies {
                    if map.contains_key(name) {
                        self.evaluated(*dependent, doc, path, seen, true)?;
                    }
                }
            }
            (Kind::Array(rules), Json::Array(items)) => {
                let evaluated = match (&rules.item_schemas, rules.all_items, rules.additional) {
                    (_, Some(_), _) => items.len(),
                    (Some(_), _, Additional::Forbidden | Additional::Schema(_)) => items.len(),
                    (Some(tuple), _, Additional::Permitted) => tuple.len().min(items.len()),
                    (None, None, _) => 0,
                };
                seen.items.extend(0..evaluated);
                if let Some(contains) = rules.contains {
                    for (i, item) in items.iter().enumerate() {
                        if self.check(contains, item, path).is_ok() {
                            seen.items.insert(i);
                        }
                    }
                }
            }
            (Kind::Combined(c), _) => {
                for sub in &c.subschemas {
                    if c.criterion == Criterion::AllOf || self.check(*sub, doc, path).is_ok() {
                        self.evaluated(*sub, doc, path, seen, true)?;
                    }
                }
            }
            (
                Kind::Conditional {
                    condition: Some(condition),
                    then,
                    otherwise,
                },
                _,
            ) => {
                if self.check(*condition, doc, path).is_ok() {
                    self.evaluated(*condition, doc, path, seen, true)?;
                    if let Some(then) = then {
                        self.evaluated(*then, doc, path, seen, true)?;
                    }
                } else if let Some(otherwise) = otherwise {
                    self.evaluated(*otherwise, doc, path, seen, true)?;
                }
            }
            (Kind::Reference { target, .. }, _) => {
                self.evaluated(*target, doc, path, seen, true)?;
            }
            _ => {}
        }
        Ok(())
    }

    fn check_kind(&mut self, id: NodeId, doc: &Json, path: &mut String) -> Outcome {
        let schema = self.schema;
        match &schema.node(id).kind {
            Kind::Empty | Kind::True => Ok(()),
            Kind::False => Err(alloc::format!("{path}: false schema always fails")),
            Kind::Null => match doc {
                Json::Null => Ok(()),
                _ => Err(mismatch(path, "null", doc)),
            },
            Kind::Boolean => match doc {
                Json::Bool(_) => Ok(()),
                _ => Err(mismatch(path, "boolean", doc)),
            },
            Kind::String(rules) => self.string(rules, doc, path),
            Kind::Number(rules) => self.number(rules, doc, path),
            Kind::Object(rules) => self.object(rules, doc, path),
            Kind::Array(rules) => self.array(rules, doc, path),
            Kind::Enum(values) => {
                if values.iter().any(|v| json_equal(v, doc)) {
                    Ok(())
                } else {
                    Err(alloc::format!("{path}: {doc} is not a valid enum value"))
                }
            }
            Kind::Const(value) => {
                if json_equal(value, doc) {
                    Ok(())
                } else {
                    Err(alloc::format!(
                        "{path}: {doc} is not the const value {value}"
                    ))
                }
            }
            Kind::Combined(c) => self.combined(c, doc, path),
            Kind::Not(inner) => match self.check(*inner, doc, path) {
                Ok(()) => Err(alloc::format!(
                    "{path}: subject must not be valid against schema {}",
                    "not"
                )),
                Err(_) => Ok(()),
            },
            Kind::Conditional {
                condition,
                then,
                otherwise,
            } => {
                let Some(condition) = condition else {
                    return Ok(());
                };
                let branch = if self.check(*condition, doc, path).is_ok() {
                    then
                } else {
                    otherwise
                };
                match branch {
                    Some(b) => self.check(*b, doc, path),
                    None => Ok(()),
                }
            }
            Kind::Reference { target, .. } => self.check(*target, doc, path),
        }
    }

    fn combined(&mut self, c: &Combined, doc: &Json, path: &mut String) -> Outcome {
        let mut failures: Vec<String> = Vec::new();
        for sub in &c.subschemas {
            if let Err(e) = self.check(*sub, doc, path) {
                failures.push(e);
            }
        }
        let passed = c.subschemas.len() - failures.len();
        match c.criterion {
            Criterion::AllOf if failures.is_empty() => Ok(()),
            Criterion::AllOf => Err(failures.swap_remove(0)),
            Criterion::AnyOf if passed > 0 => Ok(()),
            Criterion::OneOf if passed == 1 => Ok(()),
            Criterion::AnyOf => Err(alloc::format!(
                "{path}: #: no subschema matched out of the total {} subschemas ({})",
                c.subschemas.len(),
                failures.join("; ")
            )),
            Criterion::OneOf if passed == 0 => Err(alloc::format!(
                "{path}: #: 0 subschemas matched, but exactly one is required ({})",
                failures.join("; ")
            )),
            Criterion::OneOf => Err(alloc::format!(
                "{path}: #: {passed} subschemas matched, but exactly one is required"
            )),
        }
    }

    fn string(&mut self, rules: &StringRules, doc: &Json, path: &str) -> Outcome {
        let Json::String(s) = doc else {
            return other_type(rules.requires_string, path, "string", doc);
        };
        let n = s.chars().count() as u64;
        if let Some(min) = rules.min_length.filter(|m| n < *m) {
            return Err(alloc::format!(
                "{path}: expected minLength: {min}, actual: {n}"
            ));
        }
        if let Some(max) = rules.max_length.filter(|m| n > *m) {
            return Err(alloc::format!(
                "{path}: expected maxLength: {max}, actual: {n}"
            ));
        }
        if let Some(p) = rules.pattern.as_ref().filter(|p| !p.is_match(s)) {
            return Err(alloc::format!(
                "{path}: string [{s}] does not match pattern {}",
                p.source()
            ));
        }
        Ok(())
    }

    fn number(&mut self, rules: &NumberRules, doc: &Json, path: &str) -> Outcome {
        let Json::Number(n) = doc else {
            let expected = if rules.requires_integer {
                "integer"
            } else {
                "number"
            };
            return other_type(
                rules.requires_number || rules.requires_integer,
                path,
                expected,
                doc,
            );
        };
        let x = n.as_f64().unwrap_or(0.0);
        if rules.requires_integer && !super::is_whole(x) {
            return Err(mismatch(path, "integer", doc));
        }
        let checks = [
            (rules.minimum, !rules.minimum_exclusive, true),
            (rules.maximum, !rules.maximum_exclusive, false),
            (rules.exclusive_minimum, false, true),
            (rules.exclusive_maximum, false, false),
        ];
        for (bound, inclusive, lower) in checks {
            let Some(b) = bound else { continue };
            let ok = match (lower, inclusive) {
                (true, true) => x >= b,
                (true, false) => x > b,
                (false, true) => x <= b,
                (false, false) => x < b,
            };
            if !ok {
                let op = match (lower, inclusive) {
                    (true, true) => "greater or equal to",
                    (true, false) => "greater than",
                    (false, true) => "less or equal to",
                    (false, false) => "less than",
                };
                return Err(alloc::format!("{path}: {doc} is not {op} {}", number(b)));
            }
        }
        if let Some(m) = rules.multiple_of {
            let value = Decimal::parse(doc);
            let ok = match value {
                Some(v) => v.is_multiple_of(m),
                None => super::is_whole(x / m.to_f64()),
            };
            if !ok {
                return Err(alloc::format!(
                    "{path}: {doc} is not a multiple of {}",
                    number(m.to_f64())
                ));
            }
        }
        Ok(())
    }

    fn object(&mut self, rules: &ObjectRules, doc: &Json, path: &mut String) -> Outcome {
        let Json::Object(map) = doc else {
            return other_type(rules.requires_object, path, "object", doc);
        };
        for r in &rules.required {
            if !map.contains_key(r) {
                return Err(alloc::format!("{path}: required key [{r}] not found"));
            }
        }
        let n = map.len() as u64;
        if let Some(min) = rules.min_properties.filter(|m| n < *m) {
            return Err(alloc::format!(
                "{path}: minimum size: [{min}], found: [{n}]"
            ));
        }
        if let Some(max) = rules.max_properties.filter(|m| n > *m) {
            return Err(alloc::format!(
                "{path}: maximum size: [{max}], found: [{n}]"
            ));
        }
        for (name, deps) in &rules.property_dependencies {
            if map.contains_key(name) {
                if let Some(missing) = deps.iter().find(|d| !map.contains_key(*d)) {
                    return Err(alloc::format!(
                        "{path}: property [{missing}] is required (because [{name}] is present)"
                    ));
                }
            }
        }
        for (name, dep) in &rules.schema_dependencies {
            if map.contains_key(name) {
                self.check(*dep, doc, path)?;
            }
        }
        for (key, value) in map {
            if let Some(names) = rules.property_names {
                self.check(names, &Json::String(key.clone()), path)?;
            }
            let mut evaluated = false;
            if let Some(p) = rules.property(key) {
                evaluated = true;
                self.at(p, value, path, key)?;
            }
            for (pattern, p) in &rules.pattern_properties {
                if pattern.is_match(key) {
                    evaluated = true;
                    self.at(*p, value, path, key)?;
                }
            }
            if evaluated {
                continue;
            }
            match rules.additional {
                Additional::Forbidden => {
                    return Err(alloc::format!(
                        "{path}: extraneous key [{key}] is not permitted"
                    ))
                }
                Additional::Schema(s) => self.at(s, value, path, key)?,
                Additional::Permitted => {}
            }
        }
        Ok(())
    }

    fn array(&mut self, rules: &ArrayRules, doc: &Json, path: &mut String) -> Outcome {
        let Json::Array(items) = doc else {
            return other_type(rules.requires_array, path, "array", doc);
        };
        let n = items.len() as u64;
        if let Some(min) = rules.min_items.filter(|m| n < *m) {
            return Err(alloc::format!(
                "{path}: expected minimum item count: {min}, found: {n}"
            ));
        }
        if let Some(max) = rules.max_items.filter(|m| n > *m) {
            return Err(alloc::format!(
                "{path}: expected maximum item count: {max}, found: {n}"
            ));
        }
        if rules.unique {
            for (i, a) in items.iter().enumerate() {
                if items[..i].iter().any(|b| json_equal(a, b)) {
                    return Err(alloc::format!("{path}: array items are not unique"));
                }
            }
        }
        for (i, item) in items.iter().enumerate() {
            let step = alloc::format!("{i}");
            if let Some(all) = rules.all_items {
                self.at(all, item, path, &step)?;
                continue;
            }
            let positional = rules.item_schemas.as_ref().and_then(|t| t.get(i));
            // `additionalItems` follows a tuple; without one it is ignored.
            let additional = match &rules.item_schemas {
                Some(_) => rules.additional,
                None => Additional::Permitted,
            };
            match (positional, additional) {
                (Some(p), _) => self.at(*p, item, path, &step)?,
                (None, Additional::Forbidden) => {
                    return Err(alloc::format!(
                        "{path}: expected maximum item count: {}, found: {n}",
                        rules.item_schemas.as_ref().map_or(0, Vec::len)
                    ))
                }
                (None, Additional::Schema(s)) => self.at(s, item, path, &step)?,
                (None, Additional::Permitted) => {}
            }
        }
        if let Some(contains) = rules.contains {
            let mut matched = 0u64;
            for item in items {
                if self.check(contains, item, path).is_ok() {
                    matched += 1;
                }
            }
            let min = rules.min_contains.unwrap_or(1);
            if matched < min {
                return Err(alloc::format!(
                    "{path}: expected at least {min} array items to match 'contains' schema, found {matched}"
                ));
            }
            if let Some(max) = rules.max_contains.filter(|m| matched > *m) {
                return Err(alloc::format!(
                    "{path}: expected at most {max} array items to match 'contains' schema, found {matched}"
                ));
            }
        }
        Ok(())
    }
}
