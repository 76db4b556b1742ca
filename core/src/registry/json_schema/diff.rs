//! The registry's differences between an original schema and its update, computed as
//! Confluent's `json-schema-provider` computes them: class by class, with combined schemas
//! paired by a maximum matching of their compatible sub-schemas, and recursion through
//! `$ref`s memoised per pair of nodes (a pair met again while in progress is assumed
//! compatible, and passes repeat until that assumption holds).
//!
//! The order of the differences is logplay's own (properties by name); the registry's
//! follows Java's hash order.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::difference::{ChangeKind as C, Difference, Policy};
use super::matching::maximum_matching;
use super::model::*;
use super::JsonSchema;

/// How deep the comparison may recurse (a simulation limit, for schemas nested or
/// referenced this deep).
const MAX_DEPTH: usize = 400;

/// The differences from `original` to `update`; every one the policy does not list as
/// compatible makes the update incompatible. Errs only for schemas too deep to compare.
pub fn compare(
    original: &JsonSchema,
    update: &JsonSchema,
    policy: Policy,
) -> Result<Vec<Difference>, String> {
    let mut seed = BTreeMap::new();
    loop {
        let mut shared = Shared {
            schemas: [original, update],
            policy,
            memo: BTreeMap::new(),
            in_progress: BTreeSet::new(),
            seed: &seed,
            optimistic: false,
            depth: 0,
            too_deep: false,
        };
        let mut cx = Ctx::default();
        shared.compare(
            &mut cx,
            Some(Side::new(false, original.root())),
            Some(Side::new(true, update.root())),
        );
        if shared.too_deep {
            return Err(alloc::format!(
                "the schemas nest more than {MAX_DEPTH} levels deep to compare"
            ));
        }
        let incompatible: BTreeMap<Key, Vec<Difference>> = shared
            .memo
            .iter()
            .filter(|(_, d)| d.iter().any(|d| !d.kind.is_compatible(policy)))
            .map(|(k, d)| (*k, d.clone()))
            .collect();
        if !shared.optimistic || incompatible.keys().eq(seed.keys()) {
            return Ok(cx.diffs);
        }
        seed = incompatible;
    }
}

/// A node of one of the two schemas (`update`: the second).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Side {
    update: bool,
    id: NodeId,
}

impl Side {
    fn new(update: bool, id: NodeId) -> Self {
        Self { update, id }
    }
}

type Key = (Side, Side);

struct Shared<'a> {
    schemas: [&'a JsonSchema; 2],
    policy: Policy,
    memo: BTreeMap<Key, Vec<Difference>>,
    in_progress: BTreeSet<Key>,
    seed: &'a BTreeMap<Key, Vec<Difference>>,
    optimistic: bool,
    depth: usize,
    too_deep: bool,
}

/// Where the comparison is and what it found there.
#[derive(Clone, Default)]
struct Ctx {
    path: Vec<String>,
    diffs: Vec<Difference>,
}

impl Ctx {
    fn sub(&self) -> Self {
        Self {
            path: self.path.clone(),
            diffs: Vec::new(),
        }
    }

    fn path_text(&self) -> String {
        alloc::format!("#/{}", self.path.join("/"))
    }

    fn add(&mut self, kind: C) {
        let path = self.path_text();
        self.diffs.push(Difference { kind, path });
    }

    fn add_at(&mut self, step: &str, kind: C) {
        self.path.push(step.to_string());
        self.add(kind);
        self.path.pop();
    }

    fn enter(&mut self, step: &str) {
        self.path.push(step.to_string());
    }

    fn leave(&mut self) {
        self.path.pop();
    }

    fn rebased(&mut self, relative: &[Difference]) {
        if self.path.is_empty() {
            self.diffs.extend_from_slice(relative);
            return;
        }
        let prefix = self.path_text();
        for d in relative {
            let path = if d.path.len() <= 2 {
                prefix.clone()
            } else {
                alloc::format!("{prefix}/{}", &d.path[2..])
            };
            self.diffs.push(Difference { kind: d.kind, path });
        }
    }
}

impl<'a> Shared<'a> {
    fn node(&self, side: Side) -> &'a Node {
        self.schemas[side.update as usize].node(side.id)
    }

    fn compatible(&self, cx: &Ctx) -> bool {
        cx.diffs.iter().all(|d| d.kind.is_compatible(self.policy))
    }

    /// Follows `$ref`s to the schema they name.
    fn normalize(&self, mut side: Side) -> Side {
        for _ in 0..64 {
            match &self.node(side).kind {
                Kind::Reference { target, .. } => side.id = *target,
                _ => break,
            }
        }
        side
    }

    fn compare(&mut self, cx: &mut Ctx, original: Option<Side>, update: Option<Side>) {
        let (o, u) = match (original, update) {
            (None, None) => return,
            (None, Some(_)) => return cx.add(C::SchemaAdded),
            (Some(_), None) => return cx.add(C::SchemaRemoved),
            (Some(o), Some(u)) => (self.normalize(o), self.normalize(u)),
        };
        let diffs = self.memoized(o, u);
        cx.rebased(&diffs);
    }

    fn memoized(&mut self, o: Side, u: Side) -> Vec<Difference> {
        let key = (o, u);
        if let Some(d) = self.memo.get(&key) {
            return d.clone();
        }
        if self.in_progress.contains(&key) {
            if let Some(d) = self.seed.get(&key) {
                return d.clone();
            }
            self.optimistic = true;
            return Vec::new();
        }
        if self.depth >= MAX_DEPTH {
            self.too_deep = true;
            return Vec::new();
        }
        self.depth += 1;
        self.in_progress.insert(key);
        let mut sub = Ctx::default();
        self.compare_types(&mut sub, o, u);
        self.in_progress.remove(&key);
        self.depth -= 1;
        self.memo.insert(key, sub.diffs.clone());
        sub.diffs
    }

    fn compare_types(&mut self, cx: &mut Ctx, o: Side, u: Side) {
        let (on, un) = (self.node(o), self.node(u));
        match (&on.kind, &un.kind) {
            (other, Kind::Combined(c)) if !matches!(other, Kind::Combined(_)) => {
                if c.subschemas.len() == 1 {
                    let mut sub = cx.sub();
                    self.compare(
                        &mut sub,
                        Some(o),
                        Some(Side::new(u.update, c.subschemas[0])),
                    );
                    if self.compatible(&sub) {
                        cx.diffs.extend(sub.diffs);
                        return;
                    }
                } else if c.criterion != Criterion::AllOf {
                    for s in &c.subschemas {
                        let mut sub = cx.sub();
                        self.compare(&mut sub, Some(o), Some(Side::new(u.update, *s)));
                        if self.compatible(&sub) {
                            cx.diffs.extend(sub.diffs);
                            cx.add(C::SumTypeExtended);
                            return;
                        }
                    }
                }
            }
            (Kind::Combined(c), other) if !matches!(other, Kind::Combined(_)) => {
                if c.subschemas.len() == 1 {
                    let mut sub = cx.sub();
                    self.compare(
                        &mut sub,
                        Some(Side::new(o.update, c.subschemas[0])),
                        Some(u),
                    );
                    if self.compatible(&sub) {
                        cx.diffs.extend(sub.diffs);
                        return;
                    }
                } else if c.criterion == Criterion::AllOf {
                    for s in &c.subschemas {
                        let mut sub = cx.sub();
                        self.compare(&mut sub, Some(Side::new(o.update, *s)), Some(u));
                        if self.compatible(&sub) {
                            cx.diffs.extend(sub.diffs);
                            cx.add(C::ProductTypeNarrowed);
                            return;
                        }
                    }
                }
            }
            _ => {}
        }
        if on.kind.class() != un.kind.class() {
            let bytes = |n: &Node| n.connect_type.as_deref() == Some("bytes");
            if matches!(on.kind, Kind::False)
                || un.kind.is_empty_schema()
                || (bytes(on) && bytes(un))
            {
                return;
            }
            return cx.add(C::TypeChanged);
        }
        if on.id != un.id {
            cx.add(C::IdChanged);
        }
        if on.title != un.title {
            cx.add(C::TitleChanged);
        }
        if on.description != un.description {
            cx.add(C::DescriptionChanged);
        }
        if on.default != un.default {
            cx.add(C::DefaultChanged);
        }
        match (&on.kind, &un.kind) {
            (Kind::String(a), Kind::String(b)) => strings(cx, a, b),
            (Kind::Number(a), Kind::Number(b)) => numbers(cx, a, b),
            (Kind::Const(a), Kind::Const(b)) if a != b => cx.add_at("const", C::EnumArrayChanged),
            (Kind::Enum(a), Kind::Enum(b)) => enums(cx, a, b),
            (Kind::Combined(a), Kind::Combined(b)) => self.combined(cx, o.update, a, u.update, b),
            (Kind::Not(a), Kind::Not(b)) => {
                cx.enter("not");
                let mut sub = cx.sub();
                // Reversed: the update's `not` may exclude less.
                self.compare(
                    &mut sub,
                    Some(Side::new(u.update, *b)),
                    Some(Side::new(o.update, *a)),
                );
                cx.add(if self.compatible(&sub) {
                    C::NotTypeNarrowed
                } else {
                    C::NotTypeExtended
                });
                cx.leave();
            }
            (Kind::Object(a), Kind::Object(b)) => self.objects(cx, o.update, a, u.update, b),
            (Kind::Array(a), Kind::Array(b)) => self.arrays(cx, o.update, a, u.update, b),
            _ => {}
        }
    }

    fn combined(&mut self, cx: &mut Ctx, os: bool, a: &Combined, us: bool, b: &Combined) {
        let singleton = |c: &Combined| c.subschemas.len() == 1;
        if a.criterion != b.criterion {
            let extended = b.criterion == Criterion::AnyOf
                || (singleton(a) && singleton(b))
                || (singleton(a) && b.criterion == Criterion::OneOf)
                || (singleton(b) && a.criterion == Criterion::AllOf);
            if !extended {
                return cx.add(C::CombinedTypeChanged);
            }
            cx.add(C::CombinedTypeExtended);
        }
        let (n, m) = (a.distinct.len(), b.distinct.len());
        if n < m {
            cx.add(if b.criterion == Criterion::AllOf {
                C::ProductTypeExtended
            } else {
                C::SumTypeExtended
            });
        } else if n > m {
            cx.add(if a.criterion == Criterion::AllOf {
                C::ProductTypeNarrowed
            } else {
                C::SumTypeNarrowed
            });
        }
        let mut edges: Vec<Vec<usize>> = Vec::new();
        let mut found: BTreeMap<(usize, usize), Vec<Difference>> = BTreeMap::new();
        for (i, oa) in a.distinct.iter().enumerate() {
            cx.enter(&alloc::format!("{}/{i}", a.criterion.keyword()));
            let mut neighbours = Vec::new();
            for (j, ub) in b.distinct.iter().enumerate() {
                let mut sub = cx.sub();
                self.compare(&mut sub, Some(Side::new(os, *oa)), Some(Side::new(us, *ub)));
                if self.compatible(&sub) {
                    neighbours.push(j);
                    found.insert((i, j), sub.diffs);
                }
            }
            edges.push(neighbours);
            cx.leave();
        }
        let matching = maximum_matching(n, m, &edges);
        for pair in &matching {
            if let Some(d) = found.remove(pair) {
                cx.diffs.extend(d);
            }
        }
        if matching.len() < n.min(m) {
            cx.add(C::CombinedTypeSubschemasChanged);
        }
    }

    fn objects(&mut self, cx: &mut Ctx, os: bool, a: &ObjectRules, us: bool, b: &ObjectRules) {
        let side_o = |id| Side::new(os, id);
        let side_u = |id| Side::new(us, id);
        // required
        cx.enter("required");
        for (name, _) in &a.properties {
            if b.property(name).is_none() {
                continue;
            }
            let (was, is) = (a.requires(name), b.requires(name));
            if was && !is {
                cx.add_at(name, C::RequiredAttributeRemoved);
            } else if !was && is {
                let with_default = b
                    .property(name)
                    .is_some_and(|p| self.node(side_u(p)).default.is_some());
                cx.add_at(
                    name,
                    if with_default {
                        C::RequiredAttributeWithDefaultAdded
                    } else {
                        C::RequiredAttributeAdded
                    },
                );
            }
        }
        cx.leave();
        // properties
        cx.enter("properties");
        let names: BTreeSet<&String> = a
            .properties
            .iter()
            .chain(&b.properties)
            .map(|(n, _)| n)
            .collect();
        for name in names {
            cx.enter(name);
            match (a.property(name), b.property(name)) {
                (Some(op), None) => {
                    if self.object_open(us, b) {
                        cx.add(C::PropertyRemovedFromOpenContentModel);
                    } else if let Some(partial) = self.object_partial(us, b, name) {
                        let mut sub = cx.sub();
                        self.compare(&mut sub, Some(side_o(op)), Some(side_u(partial)));
                        let ok = self.compatible(&sub);
                        cx.diffs.extend(sub.diffs);
                        cx.add(if ok {
                            C::PropertyRemovedIsCoveredByPartiallyOpenContentModel
                        } else {
                            C::PropertyRemovedNotCoveredByPartiallyOpenContentModel
                        });
                    } else if matches!(self.node(side_o(op)).kind, Kind::False) {
                        cx.add(C::PropertyWithFalseRemovedFromClosedContentModel);
                    } else {
                        cx.add(C::PropertyRemovedFromClosedContentModel);
                    }
                }
                (None, Some(up)) => {
                    let unode = self.node(side_u(up));
                    let required = b.requires(name);
                    if self.object_open(os, a) {
                        cx.add(if unode.kind.is_empty_schema() {
                            C::PropertyWithEmptySchemaAddedToOpenContentModel
                        } else if required && unode.default.is_some() {
                            C::RequiredPropertyWithDefaultAddedToOpenContentModel
                        } else if required {
                            C::RequiredPropertyAddedToOpenContentModel
                        } else {
                            C::OptionalPropertyAddedToOpenContentModel
                        });
                    } else {
                        if let Some(partial) = self.object_partial(os, a, name) {
                            let mut sub = cx.sub();
                            self.compare(&mut sub, Some(side_o(partial)), Some(side_u(up)));
                            let ok = self.compatible(&sub);
                            cx.diffs.extend(sub.diffs);
                            cx.add(if ok {
                                C::PropertyAddedIsCoveredByPartiallyOpenContentModel
                            } else {
                                C::PropertyAddedNotCoveredByPartiallyOpenContentModel
                            });
                        }
                        cx.add(if required && unode.default.is_some() {
                            C::RequiredPropertyWithDefaultAddedToUnopenContentModel
                        } else if required {
                            C::RequiredPropertyAddedToUnopenContentModel
                        } else {
                            C::OptionalPropertyAddedToUnopenContentModel
                        });
                    }
                }
                (o, u) => self.compare(cx, o.map(side_o), u.map(side_u)),
            }
            cx.leave();
        }
        cx.leave();
        // dependencies
        cx.enter("dependencies");
        let keys: BTreeSet<&String> = a
            .property_dependencies
            .iter()
            .chain(&b.property_dependencies)
            .map(|(n, _)| n)
            .collect();
        fn list<'r>(r: &'r ObjectRules, k: &str) -> Option<BTreeSet<&'r String>> {
            r.property_dependencies
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, l)| l.iter().collect())
        }
        for k in keys {
            let kind = match (list(a, k), list(b, k)) {
                (_, None) => Some(C::DependencyArrayRemoved),
                (None, _) => Some(C::DependencyArrayAdded),
                (Some(x), Some(y)) if x == y => None,
                (Some(x), Some(y)) if y.is_superset(&x) => Some(C::DependencyArrayExtended),
                (Some(x), Some(y)) if x.is_superset(&y) => Some(C::DependencyArrayNarrowed),
                _ => Some(C::DependencyArrayChanged),
            };
            if let Some(kind) = kind {
                cx.add_at(k, kind);
            }
        }
        let keys: BTreeSet<&String> = a
            .schema_dependencies
            .iter()
            .chain(&b.schema_dependencies)
            .map(|(n, _)| n)
            .collect();
        let dep = |r: &ObjectRules, k: &str| {
            r.schema_dependencies
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, s)| *s)
        };
        for k in keys {
            cx.enter(k);
            match (dep(a, k), dep(b, k)) {
                (_, None) => cx.add(C::DependencySchemaRemoved),
                (None, _) => cx.add(C::DependencySchemaAdded),
                (Some(x), Some(y)) => self.compare(cx, Some(side_o(x)), Some(side_u(y))),
            }
            cx.leave();
        }
        cx.leave();
        // additionalProperties
        cx.enter("additionalProperties");
        match (a.additional, b.additional) {
            (x, y) if x.permits() != y.permits() => cx.add(if y.permits() {
                C::AdditionalPropertiesAdded
            } else {
                C::AdditionalPropertiesRemoved
            }),
            (x, y) if x.schema().is_none() && y.schema().is_some() => {
                cx.add(C::AdditionalPropertiesNarrowed)
            }
            (x, y) if x.schema().is_some() && y.schema().is_none() => {
                cx.add(C::AdditionalPropertiesExtended)
            }
            (x, y) => self.compare(cx, x.schema().map(side_o), y.schema().map(side_u)),
        }
        cx.leave();
        self.unevaluated(
            cx,
            "unevaluatedProperties",
            a.unevaluated.map(side_o),
            b.unevaluated.map(side_u),
            [
                C::UnevaluatedPropertiesAdded,
                C::UnevaluatedPropertiesRemoved,
                C::UnevaluatedPropertiesExtended,
                C::UnevaluatedPropertiesNarrowed,
            ],
        );
        bounds(
            cx,
            "maxProperties",
            a.max_properties,
            b.max_properties,
            [
                C::MaxPropertiesAdded,
                C::MaxPropertiesRemoved,
                C::MaxPropertiesIncreased,
                C::MaxPropertiesDecreased,
            ],
        );
        bounds(
            cx,
            "minProperties",
            a.min_properties,
            b.min_properties,
            [
                C::MinPropertiesAdded,
                C::MinPropertiesRemoved,
                C::MinPropertiesIncreased,
                C::MinPropertiesDecreased,
            ],
        );
    }

    /// `unevaluatedProperties` / `unevaluatedItems`: `[added, removed, extended, narrowed]`.
    fn unevaluated(
        &mut self,
        cx: &mut Ctx,
        step: &str,
        a: Option<Side>,
        b: Option<Side>,
        kinds: [C; 4],
    ) {
        let [added, removed, extended, narrowed] = kinds;
        if a.is_none() && b.is_none() {
            return;
        }
        let is_false =
            |s: &Shared, x: Option<Side>| x.is_some_and(|x| matches!(s.node(x).kind, Kind::False));
        let is_empty =
            |s: &Shared, x: Option<Side>| x.is_some_and(|x| s.node(x).kind.is_empty_schema());
        cx.enter(step);
        let (af, bf, ae, be) = (
            is_false(self, a),
            is_false(self, b),
            is_empty(self, a),
            is_empty(self, b),
        );
        match (a, b) {
            (None, _) => cx.add(if bf { removed } else { narrowed }),
            (_, None) => cx.add(if af { added } else { extended }),
            _ if af && !bf => cx.add(added),
            _ if !af && bf => cx.add(removed),
            _ if ae && !be => cx.add(narrowed),
            _ if !ae && be => cx.add(extended),
            (x, y) => self.compare(cx, x, y),
        }
        cx.leave();
    }

    fn object_open(&self, update: bool, r: &ObjectRules) -> bool {
        r.additional == Additional::Permitted
            && r.pattern_properties.is_empty()
            && r.unevaluated
                .is_none_or(|u| self.node(Side::new(update, u)).kind.is_empty_schema())
    }

    fn object_partial(&self, update: bool, r: &ObjectRules, name: &str) -> Option<NodeId> {
        if let Some((_, s)) = r.pattern_properties.iter().find(|(p, _)| p.is_match(name)) {
            return Some(*s);
        }
        if let Some(s) = r.additional.schema() {
            return Some(s);
        }
        self.unevaluated_schema(r.additional, r.unevaluated, update)
    }

    /// `unevaluated…` as a schema (neither `false` nor empty), when `additional…` is absent.
    fn unevaluated_schema(
        &self,
        additional: Additional,
        unevaluated: Option<NodeId>,
        update: bool,
    ) -> Option<NodeId> {
        let u = unevaluated.filter(|_| additional == Additional::Permitted)?;
        let kind = &self.node(Side::new(update, u)).kind;
        (!matches!(kind, Kind::False) && !kind.is_empty_schema()).then_some(u)
    }

    fn arrays(&mut self, cx: &mut Ctx, os: bool, a: &ArrayRules, us: bool, b: &ArrayRules) {
        let side_o = |id| Side::new(os, id);
        let side_u = |id| Side::new(us, id);
        cx.enter("items");
        self.compare(cx, a.all_items.map(side_o), b.all_items.map(side_u));
        cx.leave();
        let empty = Vec::new();
        let (at, bt) = (
            a.item_schemas.as_ref().unwrap_or(&empty),
            b.item_schemas.as_ref().unwrap_or(&empty),
        );
        for i in 0..at.len().max(bt.len()) {
            cx.enter(&alloc::format!("items/{i}"));
            match (at.get(i), bt.get(i)) {
                (Some(x), Some(y)) => self.compare(cx, Some(side_o(*x)), Some(side_u(*y))),
                (Some(x), None) => {
                    if self.array_open(us, b) {
                        cx.add(C::ItemRemovedFromOpenContentModel);
                    } else if let Some(partial) = self.array_partial(us, b) {
                        let mut sub = cx.sub();
                        self.compare(&mut sub, Some(side_o(*x)), Some(side_u(partial)));
                        let ok = self.compatible(&sub);
                        cx.diffs.extend(sub.diffs);
                        cx.add(if ok {
                            C::ItemRemovedIsCoveredByPartiallyOpenContentModel
                        } else {
                            C::ItemRemovedNotCoveredByPartiallyOpenContentModel
                        });
                    } else if matches!(self.node(side_o(*x)).kind, Kind::False) {
                        cx.add(C::ItemWithFalseRemovedFromClosedContentModel);
                    } else {
                        cx.add(C::ItemRemovedFromClosedContentModel);
                    }
                }
                (None, Some(y)) => {
                    if self.array_open(os, a) {
                        cx.add(if self.node(side_u(*y)).kind.is_empty_schema() {
                            C::ItemWithEmptySchemaAddedToOpenContentModel
                        } else {
                            C::ItemAddedToOpenContentModel
                        });
                    } else if let Some(partial) = self.array_partial(os, a) {
                        let mut sub = cx.sub();
                        self.compare(&mut sub, Some(side_o(partial)), Some(side_u(*y)));
                        let ok = self.compatible(&sub);
                        cx.diffs.extend(sub.diffs);
                        cx.add(if ok {
                            C::ItemAddedIsCoveredByPartiallyOpenContentModel
                        } else {
                            C::ItemAddedNotCoveredByPartiallyOpenContentModel
                        });
                    } else {
                        cx.add(C::ItemAddedToClosedContentModel);
                    }
                }
                (None, None) => {}
            }
            cx.leave();
        }
        cx.enter("additionalItems");
        match (a.additional, b.additional) {
            (x, y) if x.permits() != y.permits() => cx.add(if x.permits() {
                C::AdditionalItemsRemoved
            } else {
                C::AdditionalItemsAdded
            }),
            (x, y) if x.schema().is_none() && y.schema().is_some() => {
                cx.add(C::AdditionalItemsNarrowed)
            }
            (x, y) if x.schema().is_some() && y.schema().is_none() => {
                cx.add(C::AdditionalItemsExtended)
            }
            (x, y) => self.compare(cx, x.schema().map(side_o), y.schema().map(side_u)),
        }
        cx.leave();
        self.unevaluated(
            cx,
            "unevaluatedItems",
            a.unevaluated.map(side_o),
            b.unevaluated.map(side_u),
            [
                C::UnevaluatedItemsAdded,
                C::UnevaluatedItemsRemoved,
                C::UnevaluatedItemsExtended,
                C::UnevaluatedItemsNarrowed,
            ],
        );
        bounds(
            cx,
            "maxItems",
            a.max_items,
            b.max_items,
            [
                C::MaxItemsAdded,
                C::MaxItemsRemoved,
                C::MaxItemsIncreased,
                C::MaxItemsDecreased,
            ],
        );
        bounds(
            cx,
            "minItems",
            a.min_items,
            b.min_items,
            [
                C::MinItemsAdded,
                C::MinItemsRemoved,
                C::MinItemsIncreased,
                C::MinItemsDecreased,
            ],
        );
        if a.unique != b.unique {
            cx.add_at(
                "uniqueItems",
                if a.unique {
                    C::UniqueItemsRemoved
                } else {
                    C::UniqueItemsAdded
                },
            );
        }
        bounds(
            cx,
            "maxContains",
            a.max_contains,
            b.max_contains,
            [
                C::MaxContainsAdded,
                C::MaxContainsRemoved,
                C::MaxContainsIncreased,
                C::MaxContainsDecreased,
            ],
        );
        bounds(
            cx,
            "minContains",
            a.min_contains,
            b.min_contains,
            [
                C::MinContainsAdded,
                C::MinContainsRemoved,
                C::MinContainsIncreased,
                C::MinContainsDecreased,
            ],
        );
    }

    fn array_open(&self, update: bool, r: &ArrayRules) -> bool {
        r.additional == Additional::Permitted
            && r.unevaluated
                .is_none_or(|u| self.node(Side::new(update, u)).kind.is_empty_schema())
    }

    fn array_partial(&self, update: bool, r: &ArrayRules) -> Option<NodeId> {
        r.additional
            .schema()
            .or_else(|| self.unevaluated_schema(r.additional, r.unevaluated, update))
    }
}

/// A bound that may be added, removed, raised or lowered: `[added, removed, increased,
/// decreased]`.
fn bounds<T: PartialOrd>(cx: &mut Ctx, step: &str, a: Option<T>, b: Option<T>, kinds: [C; 4]) {
    let [added, removed, increased, decreased] = kinds;
    let kind = match (a, b) {
        (None, None) => None,
        (None, Some(_)) => Some(added),
        (Some(_), None) => Some(removed),
        (Some(x), Some(y)) if x < y => Some(increased),
        (Some(x), Some(y)) if x > y => Some(decreased),
        _ => None,
    };
    if let Some(kind) = kind {
        cx.add_at(step, kind);
    }
}

fn strings(cx: &mut Ctx, a: &StringRules, b: &StringRules) {
    bounds(
        cx,
        "maxLength",
        a.max_length,
        b.max_length,
        [
            C::MaxLengthAdded,
            C::MaxLengthRemoved,
            C::MaxLengthIncreased,
            C::MaxLengthDecreased,
        ],
    );
    bounds(
        cx,
        "minLength",
        a.min_length,
        b.min_length,
        [
            C::MinLengthAdded,
            C::MinLengthRemoved,
            C::MinLengthIncreased,
            C::MinLengthDecreased,
        ],
    );
    match (&a.pattern, &b.pattern) {
        (None, Some(_)) => cx.add_at("pattern", C::PatternAdded),
        (Some(_), None) => cx.add_at("pattern", C::PatternRemoved),
        (Some(x), Some(y)) if x.source() != y.source() => cx.add_at("pattern", C::PatternChanged),
        _ => {}
    }
}

fn numbers(cx: &mut Ctx, a: &NumberRules, b: &NumberRules) {
    bounds(
        cx,
        "maximum",
        a.maximum,
        b.maximum,
        [
            C::MaximumAdded,
            C::MaximumRemoved,
            C::MaximumIncreased,
            C::MaximumDecreased,
        ],
    );
    bounds(
        cx,
        "minimum",
        a.minimum,
        b.minimum,
        [
            C::MinimumAdded,
            C::MinimumRemoved,
            C::MinimumIncreased,
            C::MinimumDecreased,
        ],
    );
    bounds(
        cx,
        "exclusiveMaximum",
        a.exclusive_maximum,
        b.exclusive_maximum,
        [
            C::ExclusiveMaximumAdded,
            C::ExclusiveMaximumRemoved,
            C::ExclusiveMaximumIncreased,
            C::ExclusiveMaximumDecreased,
        ],
    );
    bounds(
        cx,
        "exclusiveMinimum",
        a.exclusive_minimum,
        b.exclusive_minimum,
        [
            C::ExclusiveMinimumAdded,
            C::ExclusiveMinimumRemoved,
            C::ExclusiveMinimumIncreased,
            C::ExclusiveMinimumDecreased,
        ],
    );
    let kind = match (a.multiple_of, b.multiple_of) {
        (None, None) => None,
        (Some(x), Some(y)) if x.same(y) => None,
        (None, Some(_)) => Some(C::MultipleOfAdded),
        (Some(_), None) => Some(C::MultipleOfRemoved),
        (Some(x), Some(y)) if y.is_multiple_of(x) => Some(C::MultipleOfExpanded),
        (Some(x), Some(y)) if x.is_multiple_of(y) => Some(C::MultipleOfReduced),
        _ => Some(C::MultipleOfChanged),
    };
    if let Some(kind) = kind {
        cx.add_at("multipleOf", kind);
    }
    if a.requires_integer != b.requires_integer {
        cx.add(if a.requires_integer {
            C::TypeExtended
        } else {
            C::TypeNarrowed
        });
    }
}

fn enums(cx: &mut Ctx, a: &[serde_json::Value], b: &[serde_json::Value]) {
    let covers = |x: &[serde_json::Value], y: &[serde_json::Value]| y.iter().all(|v| x.contains(v));
    let (a_in_b, b_in_a) = (covers(b, a), covers(a, b));
    let kind = match (a_in_b, b_in_a) {
        (true, true) => return,
        (true, false) => C::EnumArrayExtended,
        (false, true) => C::EnumArrayNarrowed,
        (false, false) => C::EnumArrayChanged,
    };
    cx.add_at("enum", kind);
}
