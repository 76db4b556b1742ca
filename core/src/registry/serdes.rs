//! A client's serializer (or deserializer) configs: which of key and value go through the
//! JSON Schema serdes, and with which schema.

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{err, Result};

/// Which parts of a client's records use the registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Serdes {
    /// `key.serializer` / `key.deserializer` is the JSON Schema one.
    pub key: bool,
    /// `value.serializer` / `value.deserializer` is.
    pub value: bool,
    /// `use.schema.id`: serialize with this schema instead of the subject's latest.
    pub schema_id: Option<u32>,
    /// `json.fail.invalid.schema`: validate against the schema (logplay's default: true).
    pub validate: bool,
}

impl Default for Serdes {
    fn default() -> Self {
        Self {
            key: false,
            value: false,
            schema_id: None,
            validate: true,
        }
    }
}

impl Serdes {
    /// Takes the serdes configs out of a producer's (`producer`) or consumer's configs; the
    /// rest go to the client. Classes may be written in full or by simple name.
    pub fn split(
        configs: &[(String, String)],
        producer: bool,
    ) -> Result<(Self, Vec<(String, String)>)> {
        let (role, json, plain) = if producer {
            (
                "serializer",
                "KafkaJsonSchemaSerializer",
                ["StringSerializer", "ByteArraySerializer"],
            )
        } else {
            (
                "deserializer",
                "KafkaJsonSchemaDeserializer",
                ["StringDeserializer", "ByteArrayDeserializer"],
            )
        };
        let mut serdes = Self::default();
        let mut rest = Vec::new();
        for (k, v) in configs {
            let class = v.rsplit('.').next().unwrap_or("");
            let part = match k.strip_suffix(role).and_then(|p| p.strip_suffix('.')) {
                Some("key") => Some(&mut serdes.key),
                Some("value") => Some(&mut serdes.value),
                _ => None,
            };
            match (k.as_str(), part) {
                (_, Some(flag)) if class == json => *flag = true,
                (_, Some(flag)) if plain.contains(&class) => *flag = false,
                (_, Some(_)) => {
                    return Err(err!(InvalidConfig, "Invalid value {v} for configuration {k}: Class {v} could not be found (use {json}, {} or {})", plain[0], plain[1]))
                }
                // The registry is simulated: any address names it.
                ("schema.registry.url", _) => {}
                ("json.fail.invalid.schema", _) => {
                    serdes.validate = crate::config::parse_bool(k, v)?
                }
                ("use.schema.id", _) if producer => {
                    serdes.schema_id = Some(v.trim().parse().map_err(|_| {
                        err!(InvalidConfig, "Invalid value {v} for configuration use.schema.id: a schema id")
                    })?)
                }
                ("use.latest.version", _) | ("auto.register.schemas", _) if producer => {
                    let wanted = if k == "use.latest.version" { "true" } else { "false" };
                    if v.trim() != wanted {
                        return Err(err!(InvalidConfig, "Invalid value {v} for configuration {k}: logplay's serializer has no schema of its own, so it always serializes with the subject's latest version (auto.register.schemas=false, use.latest.version=true); register schemas with `schema register`"));
                    }
                }
                _ => rest.push((k.clone(), v.clone())),
            }
        }
        Ok((serdes, rest))
    }

    /// Whether any part uses the registry.
    pub fn any(&self) -> bool {
        self.key || self.value
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect()
    }

    #[test]
    fn serdes_configs_are_taken_out_and_the_rest_passed_on() {
        let (s, rest) = Serdes::split(
            &pairs(&[
                ("acks", "all"),
                (
                    "value.serializer",
                    "io.confluent.kafka.serializers.json.KafkaJsonSchemaSerializer",
                ),
                (
                    "key.serializer",
                    "org.apache.kafka.common.serialization.StringSerializer",
                ),
                ("schema.registry.url", "http://localhost:8081"),
                ("use.schema.id", "3"),
                ("auto.register.schemas", "false"),
            ]),
            true,
        )
        .unwrap();
        assert_eq!(
            s,
            Serdes {
                key: false,
                value: true,
                schema_id: Some(3),
                validate: true
            }
        );
        assert_eq!(rest, pairs(&[("acks", "all")]));
        let (lax, _) =
            Serdes::split(&pairs(&[("json.fail.invalid.schema", "false")]), true).unwrap();
        assert!(!lax.validate);
        assert!(Serdes::split(&pairs(&[("json.fail.invalid.schema", "maybe")]), false).is_err());
        let (c, _) = Serdes::split(
            &pairs(&[("value.deserializer", "KafkaJsonSchemaDeserializer")]),
            false,
        )
        .unwrap();
        assert!(c.value && !c.key);
        assert!(
            Serdes::split(&pairs(&[("value.serializer", "KafkaAvroSerializer")]), true).is_err()
        );
        assert!(Serdes::split(
            &pairs(&[("value.deserializer", "KafkaJsonSchemaSerializer")]),
            false
        )
        .is_err());
        assert!(
            Serdes::split(&pairs(&[("auto.register.schemas", "true")]), true)
                .unwrap_err()
                .message
                .contains("schema register")
        );
        // Consumers pass use.schema.id on (and the consumer refuses it as unknown).
        assert_eq!(
            Serdes::split(&pairs(&[("use.schema.id", "1")]), false)
                .unwrap()
                .1
                .len(),
            1
        );
    }
}
