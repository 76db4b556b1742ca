//! The datagen connector's quickstarts (after Confluent's `orders`, `users` and `pageviews`):
//! the key, the value and the JSON Schema of each.

use super::super::script::Template;

/// A quickstart: its name, the key field's template, the value's template and schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quickstart {
    /// `quickstart=NAME`.
    pub name: &'static str,
    /// The key: the value's key field (`schema.keyfield`).
    pub key: &'static str,
    /// The value, as a template (`{i}` is the task's iteration).
    pub value: &'static str,
    /// The value's JSON Schema, registered by `JsonSchemaConverter`.
    pub schema: &'static str,
}

/// Every quickstart.
pub const QUICKSTARTS: [Quickstart; 3] = [
    Quickstart {
        name: "orders",
        key: "{i}",
        value: r#"{"ordertime":{rand:1487715775521..1519273364600},"orderid":{i},"itemid":"Item_{rand:1..999}","orderunits":{rand:1..10},"address":{"city":"City_{rand:1..99}","state":"State_{rand:1..99}","zipcode":{rand:10000..99999}}}"#,
        schema: r#"{"title":"orders","type":"object","properties":{"ordertime":{"type":"integer"},"orderid":{"type":"integer"},"itemid":{"type":"string"},"orderunits":{"type":"number"},"address":{"type":"object","properties":{"city":{"type":"string"},"state":{"type":"string"},"zipcode":{"type":"integer"}},"required":["city","state","zipcode"]}},"required":["ordertime","orderid","itemid","orderunits","address"]}"#,
    },
    Quickstart {
        name: "users",
        key: "User_{i%9}",
        value: r#"{"registertime":{rand:1487715775521..1519273364600},"userid":"User_{i%9}","regionid":"Region_{rand:1..9}","gender":"{choice:MALE|FEMALE|OTHER}"}"#,
        schema: r#"{"title":"users","type":"object","properties":{"registertime":{"type":"integer"},"userid":{"type":"string"},"regionid":{"type":"string"},"gender":{"enum":["MALE","FEMALE","OTHER"]}},"required":["registertime","userid","regionid","gender"]}"#,
    },
    Quickstart {
        name: "pageviews",
        key: "{i}",
        value: r#"{"viewtime":{i},"userid":"User_{rand:1..9}","pageid":"Page_{rand:1..99}"}"#,
        schema: r#"{"title":"pageviews","type":"object","properties":{"viewtime":{"type":"integer"},"userid":{"type":"string"},"pageid":{"type":"string"}},"required":["viewtime","userid","pageid"]}"#,
    },
];

impl Quickstart {
    /// The quickstart named `name`.
    pub fn named(name: &str) -> Option<Self> {
        QUICKSTARTS.into_iter().find(|q| q.name == name)
    }

    /// The key and value templates (they always parse: a test checks it).
    pub fn templates(&self) -> (Option<Template>, Option<Template>) {
        (
            Template::parse(self.key).ok(),
            Template::parse(self.value).ok(),
        )
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use alloc::string::String;

    use super::*;
    use crate::rand::Rng;
    use crate::registry::parse_schema;

    /// Every quickstart's records are JSON that validates against its own schema.
    #[test]
    fn every_quickstart_writes_records_its_schema_accepts() {
        let mut rng = Rng::new(7);
        let mut out = String::new();
        for q in QUICKSTARTS {
            Template::parse(q.key).unwrap();
            let value = Template::parse(q.value).unwrap();
            let (_, schema) = parse_schema(q.schema).unwrap();
            for i in 0..200 {
                value.render(i, &mut rng, &mut out);
                let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
                schema.validate(&doc).unwrap();
            }
        }
    }
}
