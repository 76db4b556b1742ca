//! Property tests of the schema registry: Confluent's compatibility rules are sound on
//! flat object schemas (a reader that the rules say can read a writer's data does accept
//! every document the writer's schema accepts from its declared fields), and the serdes
//! round-trip.
#![cfg(not(target_arch = "wasm32"))]

use logplay_core::registry::compatibility::incompatible;
use logplay_core::registry::json_schema::{JsonSchema, Policy};
use logplay_core::registry::{wire, Compatibility, SchemaRegistry};
use proptest::prelude::*;
use serde_json::{json, Map, Value as Json};

/// One property's schema: its type and constraints.
#[derive(Clone, Debug)]
enum Field {
    Integer { min: Option<i64>, max: Option<i64> },
    Number,
    Text { max_len: Option<u64> },
    Choice(Vec<&'static str>),
    Flag,
}

#[derive(Clone, Debug)]
struct ObjectSchema {
    /// Name, field, required.
    fields: Vec<(&'static str, Field, bool)>,
    closed: bool,
}

const NAMES: [&str; 5] = ["a", "b", "c", "d", "e"];

fn field() -> impl Strategy<Value = Field> {
    prop_oneof![
        (prop::option::of(-5i64..5), prop::option::of(0i64..10)).prop_map(|(min, max)| {
            let max = match (min, max) {
                (Some(lo), Some(hi)) if hi < lo => Some(lo),
                _ => max,
            };
            Field::Integer { min, max }
        }),
        Just(Field::Number),
        prop::option::of(1u64..6).prop_map(|max_len| Field::Text { max_len }),
        prop::sample::subsequence(vec!["x", "y", "z"], 1..=3).prop_map(Field::Choice),
        Just(Field::Flag),
    ]
}

fn object_schema() -> impl Strategy<Value = ObjectSchema> {
    (
        prop::sample::subsequence(NAMES.to_vec(), 0..=5),
        prop::collection::vec((field(), any::<bool>()), 5),
        any::<bool>(),
    )
        .prop_map(|(names, fields, closed)| ObjectSchema {
            fields: names
                .into_iter()
                .zip(fields)
                .map(|(n, (f, req))| (n, f, req))
                .collect(),
            closed,
        })
}

impl ObjectSchema {
    fn to_json(&self) -> Json {
        let mut props = Map::new();
        for (name, f, _) in &self.fields {
            let schema = match f {
                Field::Integer { min, max } => {
                    let mut s = json!({ "type": "integer" });
                    if let Some(m) = min {
                        s["minimum"] = json!(m);
                    }
                    if let Some(m) = max {
                        s["maximum"] = json!(m);
                    }
                    s
                }
                Field::Number => json!({ "type": "number" }),
                Field::Text { max_len } => match max_len {
                    Some(m) => json!({ "type": "string", "maxLength": m }),
                    None => json!({ "type": "string" }),
                },
                Field::Choice(options) => json!({ "enum": options }),
                Field::Flag => json!({ "type": "boolean" }),
            };
            props.insert((*name).into(), schema);
        }
        let required: Vec<&str> = self.fields.iter().filter(|f| f.2).map(|f| f.0).collect();
        json!({ "type": "object", "properties": props, "required": required, "additionalProperties": !self.closed })
    }

    fn schema(&self) -> JsonSchema {
        JsonSchema::parse(&self.to_json()).expect("generated schemas parse")
    }

    /// A document this schema accepts, from its declared fields: `picks` chooses which
    /// optional fields appear and the values.
    fn document(&self, picks: &[u8]) -> Json {
        let mut doc = Map::new();
        for (i, (name, f, required)) in self.fields.iter().enumerate() {
            let pick = picks[i % picks.len()];
            if !required && pick % 3 == 0 {
                continue;
            }
            let v = match f {
                Field::Integer { min, max } => {
                    let lo = min.unwrap_or(-20);
                    let hi = max.unwrap_or(lo.max(0) + 20).max(lo);
                    json!(lo + i64::from(pick) % (hi - lo + 1))
                }
                Field::Number => json!(f64::from(pick) / 4.0 - 10.0),
                Field::Text { max_len } => {
                    let len = u64::from(pick) % (max_len.unwrap_or(8) + 1);
                    json!("q".repeat(len as usize))
                }
                Field::Choice(options) => json!(options[usize::from(pick) % options.len()]),
                Field::Flag => json!(pick % 2 == 0),
            };
            doc.insert((*name).into(), v);
        }
        Json::Object(doc)
    }
}

/// Whether `reader` reads data written with `writer`: no incompatible difference from the
/// writer's schema to the reader's, under the registry's default STRICT policy.
fn reads(reader: &JsonSchema, writer: &JsonSchema) -> bool {
    incompatible(writer, reader, Policy::Strict)
        .expect("flat schemas compare")
        .is_empty()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    /// Soundness: whenever the rules find nothing that stops `reader` from reading what
    /// `writer` wrote, the reader accepts every document the writer does.
    #[test]
    fn a_compatible_reader_accepts_what_the_writer_wrote(
        reader in object_schema(),
        writer in object_schema(),
        picks in prop::collection::vec(any::<u8>(), 1..8),
    ) {
        let (r, w) = (reader.schema(), writer.schema());
        let doc = writer.document(&picks);
        prop_assert_eq!(w.validate(&doc), Ok(()), "the generator writes valid documents");
        if reads(&r, &w) {
            prop_assert_eq!(r.validate(&doc), Ok(()), "{} reads {} but refuses {}", reader.to_json(), writer.to_json(), doc);
        }
        prop_assert!(reads(&w, &w), "every schema reads its own data");
    }

    /// The levels are the rule applied in the directions the table gives.
    #[test]
    fn each_level_is_the_rule_in_its_directions(old in object_schema(), new in object_schema()) {
        let (o, n) = (old.schema(), new.schema());
        let backward = reads(&n, &o);
        let forward = reads(&o, &n);
        let history = [(1, &o)];
        let passes = |level: Compatibility| level.check(&n, &history, Policy::Strict).unwrap().is_none();
        prop_assert_eq!(passes(Compatibility::Backward), backward);
        prop_assert_eq!(passes(Compatibility::Forward), forward);
        prop_assert_eq!(passes(Compatibility::Full), backward && forward);
        prop_assert!(passes(Compatibility::None));
    }

    /// What the serializer writes, the deserializer reads back with the same schema id;
    /// what the schema refuses is never framed.
    #[test]
    fn the_serdes_round_trip(schema in object_schema(), picks in prop::collection::vec(any::<u8>(), 1..8), other in object_schema()) {
        let mut registry = SchemaRegistry::default();
        registry.set_compatibility(None, Compatibility::None, None);
        registry.register("t-value", &other.to_json().to_string()).unwrap();
        let id = registry.register("t-value", &schema.to_json().to_string()).unwrap().id;
        let text = schema.document(&picks).to_string();
        let bytes = wire::serialize(&registry, "t-value", None, &text, true).unwrap();
        prop_assert_eq!(&bytes[..5], &[0, (id >> 24) as u8, (id >> 16) as u8, (id >> 8) as u8, id as u8][..]);
        prop_assert_eq!(wire::deserialize(&registry, &bytes, true).unwrap(), (id, text.clone()));
        let other_doc = other.document(&picks);
        let refused = other.schema().validate(&other_doc).is_ok() && schema.schema().validate(&other_doc).is_err();
        if refused {
            prop_assert!(wire::serialize(&registry, "t-value", None, &other_doc.to_string(), true).is_err());
        }
    }
}
