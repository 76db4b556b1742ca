//! What sink connectors write: a table (the latest value per key) or counts per key.

use alloc::collections::BTreeMap;
use alloc::string::String;

use crate::budget::entry;

/// A row of a counter sink: how many records a key had, and the sum of `aggregate.field`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Aggregate {
    /// Records seen.
    pub count: u64,
    /// The sum of the field over the records that had it as a number.
    pub sum: f64,
}

impl Aggregate {
    /// The sum as JSON writes it: `12`, `2.5`.
    pub fn sum_text(&self) -> String {
        crate::registry::json_schema::number(self.sum)
    }
}

/// A sink's materialized view.
#[derive(Clone, Debug, PartialEq)]
pub enum View {
    /// The log as a table: each key's latest value; a tombstone deletes the row.
    Table(BTreeMap<String, String>),
    /// Counts (and sums of one field) per key.
    Counter {
        /// The JSON field summed, if any.
        field: Option<String>,
        /// The rows.
        rows: BTreeMap<String, Aggregate>,
    },
}

impl View {
    /// Applies one record (key and value as text; `None`: null).
    pub fn apply(&mut self, key: Option<&str>, value: Option<&str>) {
        let key = key.unwrap_or("null");
        match self {
            Self::Table(rows) => match value {
                Some(v) => {
                    rows.insert(key.into(), v.into());
                }
                None => {
                    rows.remove(key);
                }
            },
            Self::Counter { field, rows } => {
                let row = rows.entry(key.into()).or_default();
                row.count += 1;
                let amount = field.as_deref().and_then(|f| {
                    let doc: serde_json::Value = serde_json::from_str(value?).ok()?;
                    doc.get(f)?.as_f64()
                });
                row.sum += amount.unwrap_or(0.0);
            }
        }
    }

    /// Heap bytes its rows hold.
    pub fn heap_bytes(&self) -> usize {
        match self {
            Self::Table(rows) => rows
                .iter()
                .map(|(k, v)| entry::ENTRY + k.len() + v.len())
                .sum(),
            Self::Counter { rows, .. } => rows.keys().map(|k| entry::ENTRY + k.len()).sum(),
        }
    }

    /// How many rows it has.
    pub fn len(&self) -> usize {
        match self {
            Self::Table(rows) => rows.len(),
            Self::Counter { rows, .. } => rows.len(),
        }
    }

    /// Whether it has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    /// The table is the log's latest value per key: later records win, tombstones delete.
    #[test]
    fn a_table_keeps_the_latest_value_and_a_counter_aggregates() {
        let mut t = View::Table(BTreeMap::new());
        for (k, v) in [
            ("a", Some("1")),
            ("b", Some("2")),
            ("a", Some("3")),
            ("b", None),
        ] {
            t.apply(Some(k), v);
        }
        assert_eq!(t, View::Table([("a".into(), "3".into())].into()));
        let mut c = View::Counter {
            field: Some("amount".into()),
            rows: BTreeMap::new(),
        };
        for v in [
            r#"{"amount":2.5}"#,
            r#"{"amount":4}"#,
            r#"{"other":1}"#,
            "not json",
        ] {
            c.apply(Some("k"), Some(v));
        }
        c.apply(None, None);
        let View::Counter { rows, .. } = &c else {
            unreachable!()
        };
        assert_eq!(rows["k"], Aggregate { count: 4, sum: 6.5 });
        assert_eq!(rows["null"].count, 1);
        assert_eq!(c.len(), 2);
    }
}
