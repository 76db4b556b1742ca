//! Confluent's wire format and the JSON Schema serializer and deserializer over it.
//!
//! A serialized record is the magic byte 0, the schema id as 4 big-endian bytes, then the
//! payload (for JSON Schema: the JSON text, UTF-8).

use alloc::string::String;
use alloc::vec::Vec;

use super::SchemaRegistry;
use crate::error::{err, Result};

/// The first byte of every serialized record.
pub const MAGIC_BYTE: u8 = 0;

/// Frames `payload` with the magic byte and schema id.
pub fn encode(schema_id: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(5 + payload.len());
    out.push(MAGIC_BYTE);
    out.extend_from_slice(&schema_id.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// Splits a framed record into its schema id and payload (`SERIALIZATION_EXCEPTION`:
/// `Unknown magic byte!`, as the deserializer says it).
pub fn decode(bytes: &[u8]) -> Result<(u32, &[u8])> {
    match bytes {
        [MAGIC_BYTE, a, b, c, d, payload @ ..] => {
            Ok((u32::from_be_bytes([*a, *b, *c, *d]), payload))
        }
        _ => Err(err!(SerializationException, "Unknown magic byte!")),
    }
}

/// `KafkaJsonSchemaSerializer.serialize`: frames `json` with the id of the subject's latest
/// version (or of schema `schema_id`), after validating it against that schema when
/// `validate` (`json.fail.invalid.schema`). Nothing is sent when it fails.
pub fn serialize(
    registry: &SchemaRegistry,
    subject: &str,
    schema_id: Option<u32>,
    json: &str,
    validate: bool,
) -> Result<Vec<u8>> {
    let schema = match schema_id {
        Some(id) => registry.schema(id).ok_or_else(|| schema_not_found(id))?,
        None => {
            registry
                .latest(subject)
                .map_err(|e| {
                    err!(
                        SerializationException,
                        "Error retrieving latest version of {subject}: {}",
                        e.message
                    )
                })?
                .1
        }
    };
    let doc: serde_json::Value = serde_json::from_str(json).map_err(|e| {
        err!(
            SerializationException,
            "Error serializing JSON message: the value is not JSON ({e})"
        )
    })?;
    if validate {
        check(&schema.schema, &doc, json, schema.id)?;
    }
    Ok(encode(schema.id, json.as_bytes()))
}

/// `KafkaJsonSchemaDeserializer.deserialize`: the schema id and the JSON text, validated
/// against the writer's schema when `validate` (`json.fail.invalid.schema`).
pub fn deserialize(
    registry: &SchemaRegistry,
    bytes: &[u8],
    validate: bool,
) -> Result<(u32, String)> {
    let (id, payload) = decode(bytes)?;
    let schema = registry.schema(id).ok_or_else(|| schema_not_found(id))?;
    let unreadable = || {
        err!(
            SerializationException,
            "Error deserializing JSON message for id {id}"
        )
    };
    let text = core::str::from_utf8(payload).map_err(|_| unreadable())?;
    let doc: serde_json::Value = serde_json::from_str(text).map_err(|_| unreadable())?;
    if validate {
        check(&schema.schema, &doc, text, id)?;
    }
    Ok((id, text.into()))
}

fn check(
    node: &super::json_schema::JsonSchema,
    doc: &serde_json::Value,
    json: &str,
    id: u32,
) -> Result<()> {
    node.validate(doc).map_err(|report| {
        err!(
            SerializationException,
            "Validation error in JSON {json}, Error report: {report} (schema id {id})"
        )
    })
}

fn schema_not_found(id: u32) -> crate::error::Error {
    err!(
        SerializationException,
        "Error retrieving JSON schema for id {id}: Schema {id} not found; error code: 40403"
    )
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn the_frame_is_magic_byte_then_big_endian_id() {
        assert_eq!(encode(1, b"{}"), [0, 0, 0, 0, 1, b'{', b'}']);
        assert_eq!(encode(0x0102_0304, b""), [0, 1, 2, 3, 4]);
        assert_eq!(encode(256, b"7"), [0, 0, 0, 1, 0, b'7']);
        assert_eq!(decode(&[0, 0, 0, 1, 0, b'7']).unwrap(), (256, &b"7"[..]));
        for bad in [&b""[..], &[0, 0, 0, 1], &[1, 0, 0, 0, 1, b'{']] {
            let e = decode(bad).unwrap_err();
            assert_eq!(
                (e.code, e.message.as_str()),
                (ErrorCode::SerializationException, "Unknown magic byte!")
            );
        }
    }

    #[test]
    fn serializing_validates_first_and_deserializing_finds_the_schema() {
        let mut r = SchemaRegistry::default();
        let schema =
            r#"{"type":"object","properties":{"amount":{"type":"number"}},"required":["amount"]}"#;
        r.register("orders-value", schema).unwrap();
        let bytes = serialize(&r, "orders-value", None, r#"{"amount":5}"#, true).unwrap();
        assert_eq!(&bytes[..5], [0, 0, 0, 0, 1]);
        assert_eq!(
            deserialize(&r, &bytes, true).unwrap(),
            (1, r#"{"amount":5}"#.into())
        );
        let e = serialize(&r, "orders-value", None, r#"{"amount":"5"}"#, true).unwrap_err();
        assert_eq!(
            e.message,
            r#"Validation error in JSON {"amount":"5"}, Error report: #/amount: expected type: number, found: string (schema id 1)"#
        );
        assert!(serialize(&r, "payments-value", None, "{}", true)
            .unwrap_err()
            .message
            .contains("40401"));
        assert!(serialize(&r, "orders-value", Some(9), "{}", true)
            .unwrap_err()
            .message
            .contains("40403"));
        assert!(serialize(&r, "orders-value", None, "not json", false).is_err());
        assert!(deserialize(&r, &encode(2, b"{}"), false)
            .unwrap_err()
            .message
            .contains("40403"));
        assert!(deserialize(&r, &encode(1, b"{"), false).is_err());
        // json.fail.invalid.schema=false (Confluent's default): framed without validation;
        // a validating deserializer then refuses it.
        let unchecked = serialize(&r, "orders-value", None, r#"{"amount":"5"}"#, false).unwrap();
        assert_eq!(
            deserialize(&r, &unchecked, false).unwrap().1,
            r#"{"amount":"5"}"#
        );
        assert!(deserialize(&r, &unchecked, true)
            .unwrap_err()
            .message
            .starts_with("Validation error"));
    }
}
