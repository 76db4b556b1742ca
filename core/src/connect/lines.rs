//! Pasted lines as records: CSV with a header row, or one JSON document per line.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde_json::{Map, Value as Json};

/// How pasted text is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// CSV: the first row names the fields; each row becomes a JSON object.
    Csv,
    /// One JSON document per line.
    Json,
    /// Each line is a record's value, as text.
    Lines,
}

impl Format {
    /// Parses `csv`, `json` or `lines`.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "csv" => Some(Self::Csv),
            "json" => Some(Self::Json),
            "lines" => Some(Self::Lines),
            _ => None,
        }
    }

    /// The name in a config.
    pub fn name(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Json => "json",
            Self::Lines => "lines",
        }
    }
}

/// One record to send: its key (the `key.field`, if set) and value; or why the line cannot
/// become one (the task fails there, as Connect's `errors.tolerance=none` does).
pub type Line = Result<(Option<String>, String), String>;

/// Reads `data` into one entry per record, in order (blank lines are skipped).
pub fn read(data: &str, format: Format, key_field: Option<&str>) -> Vec<Line> {
    match format {
        Format::Lines => data
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| Ok((None, l.to_string())))
            .collect(),
        Format::Json => data
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(n, l)| match serde_json::from_str::<Json>(l) {
                Ok(doc) => Ok((key_of(&doc, key_field), doc.to_string())),
                Err(e) => Err(alloc::format!("line {}: not JSON: {e}", n + 1)),
            })
            .collect(),
        Format::Csv => {
            let mut rows = csv_rows(data).into_iter();
            let Some(header) = rows.next() else {
                return Vec::new();
            };
            rows.enumerate()
                .map(|(n, row)| {
                    if row.len() != header.len() {
                        return Err(alloc::format!(
                            "row {}: {} fields, the header has {}",
                            n + 2,
                            row.len(),
                            header.len()
                        ));
                    }
                    let mut object = Map::new();
                    object.extend(
                        header
                            .iter()
                            .zip(row)
                            .map(|(name, field)| (name.clone(), csv_value(field))),
                    );
                    let doc = Json::Object(object);
                    Ok((key_of(&doc, key_field), doc.to_string()))
                })
                .collect()
        }
    }
}

/// A CSV field as JSON: a number when it reads as one, else a string.
fn csv_value(field: String) -> Json {
    match serde_json::from_str::<Json>(&field) {
        Ok(n @ Json::Number(_)) => n,
        _ => Json::String(field),
    }
}

fn key_of(doc: &Json, field: Option<&str>) -> Option<String> {
    let v = doc.get(field?)?;
    Some(match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    })
}

/// Splits CSV text into rows of fields (RFC 4180 quoting) with `csv-core`; empty rows are
/// dropped.
fn csv_rows(data: &str) -> Vec<Vec<String>> {
    let mut reader = csv_core::Reader::new();
    let mut input = data.as_bytes();
    let mut rows = Vec::new();
    let mut field = [0u8; 1024];
    let mut current: Vec<u8> = Vec::new();
    let mut row: Vec<String> = Vec::new();
    loop {
        let (result, read, written) = reader.read_field(input, &mut field);
        input = &input[read..];
        current.extend_from_slice(&field[..written]);
        match result {
            // More output room, or more input (an empty slice ends the last field).
            csv_core::ReadFieldResult::OutputFull | csv_core::ReadFieldResult::InputEmpty => {}
            csv_core::ReadFieldResult::Field { record_end } => {
                row.push(String::from_utf8_lossy(&current).into_owned());
                current.clear();
                if record_end {
                    let taken = core::mem::take(&mut row);
                    if !(taken.len() == 1 && taken[0].trim().is_empty()) {
                        rows.push(taken);
                    }
                }
            }
            csv_core::ReadFieldResult::End => return rows,
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn csv_rows_become_json_objects_keyed_by_the_key_field() {
        let data = "id,name,amount\n1,\"Smith, J\",9.5\n\n2,Lee,x\n3,short\n";
        let lines = read(data, Format::Csv, Some("id"));
        assert_eq!(
            lines,
            [
                Ok((
                    Some("1".into()),
                    r#"{"amount":9.5,"id":1,"name":"Smith, J"}"#.into()
                )),
                Ok((
                    Some("2".into()),
                    r#"{"amount":"x","id":2,"name":"Lee"}"#.into()
                )),
                Err("row 4: 2 fields, the header has 3".into()),
            ]
        );
        assert_eq!(read("a,b", Format::Csv, None), []);
    }

    #[test]
    fn json_lines_are_checked_line_by_line() {
        let lines = read(
            "{\"user\":\"u1\",\"n\":1}\n\nnot json\n",
            Format::Json,
            Some("user"),
        );
        assert_eq!(
            lines[0],
            Ok((Some("u1".into()), r#"{"n":1,"user":"u1"}"#.into()))
        );
        assert!(lines[1]
            .as_ref()
            .unwrap_err()
            .starts_with("line 3: not JSON"));
        assert_eq!(
            read("a\n b \n", Format::Lines, Some("x")),
            [Ok((None, "a".into())), Ok((None, " b ".into()))]
        );
    }
}
