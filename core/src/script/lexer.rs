//! Splits a script line into tokens: words, `key=value` pairs, "quoted strings", JSON.

use alloc::string::String;
use alloc::vec::Vec;

/// How a token's text was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Raw {
    /// A bare word.
    Bare(String),
    /// A "quoted string", unescaped.
    Quoted(String),
    /// A JSON object or array, exactly as written.
    Json(String),
}

impl Raw {
    pub(crate) fn text(&self) -> &str {
        match self {
            Raw::Bare(s) | Raw::Quoted(s) | Raw::Json(s) => s,
        }
    }
}

/// One token: an optional `key=` and its value, with its 1-based column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) column: usize,
    pub(crate) key: Option<String>,
    pub(crate) value: Raw,
}

/// Tokenizes one line; `#` outside a value starts a comment. Errors carry a column.
pub(crate) fn tokenize(line: &str) -> Result<Vec<Token>, (usize, String)> {
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let column = |i: usize| {
        line.get(..chars.get(i).map_or(line.len(), |c| c.0))
            .map_or(1, |s| s.chars().count() + 1)
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '#' {
            break;
        }
        let start = i;
        let mut key = None;
        if c != '"' && c != '{' && c != '[' {
            let mut j = i;
            while j < chars.len() && !chars[j].1.is_whitespace() && chars[j].1 != '=' {
                j += 1;
            }
            if j < chars.len() && chars[j].1 == '=' {
                key = Some(chars[i..j].iter().map(|c| c.1).collect::<String>());
                if j == i {
                    return Err((column(i), "expected a name before '='".into()));
                }
                i = j + 1;
            }
        }
        let value = match chars.get(i).map(|c| c.1) {
            Some('"') => {
                let (s, next) = quoted(&chars, i).map_err(|(at, msg)| (column(at), msg))?;
                i = next;
                Raw::Quoted(s)
            }
            Some('{') | Some('[') => {
                let next = balanced(&chars, i).map_err(|(at, msg)| (column(at), msg))?;
                let s = chars[i..next].iter().map(|c| c.1).collect();
                i = next;
                Raw::Json(s)
            }
            _ => {
                let mut j = i;
                while j < chars.len() && !chars[j].1.is_whitespace() {
                    j += 1;
                }
                let s = chars[i..j].iter().map(|c| c.1).collect();
                i = j;
                Raw::Bare(s)
            }
        };
        if i < chars.len() && !chars[i].1.is_whitespace() {
            return Err((column(i), "expected a space after the value".into()));
        }
        out.push(Token {
            column: column(start),
            key,
            value,
        });
    }
    Ok(out)
}

fn quoted(chars: &[(usize, char)], start: usize) -> Result<(String, usize), (usize, String)> {
    let mut s = String::new();
    let mut i = start + 1;
    while let Some(&(_, c)) = chars.get(i) {
        match c {
            '"' => return Ok((s, i + 1)),
            '\\' => {
                let escaped = match chars.get(i + 1).map(|c| c.1) {
                    Some('"') => '"',
                    Some('\\') => '\\',
                    Some('n') => '\n',
                    Some('t') => '\t',
                    Some('r') => '\r',
                    Some('0') => '\0',
                    _ => {
                        return Err((i, "unknown escape: use \\\" \\\\ \\n \\t \\r or \\0".into()))
                    }
                };
                s.push(escaped);
                i += 2;
            }
            c => {
                s.push(c);
                i += 1;
            }
        }
    }
    Err((start, "this quote is never closed".into()))
}

/// Scans a JSON-shaped value: balanced `{}`/`[]`, with strings skipped.
fn balanced(chars: &[(usize, char)], start: usize) -> Result<usize, (usize, String)> {
    let mut depth = 0usize;
    let mut i = start;
    let mut in_string = false;
    while let Some(&(_, c)) = chars.get(i) {
        if in_string {
            match c {
                '\\' => i += 1,
                '"' => in_string = false,
                _ => {}
            }
        } else {
            match c {
                '"' => in_string = true,
                '{' | '[' => depth += 1,
                '}' | ']' => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(i + 1);
                    }
                }
                _ => {}
            }
        }
        i += 1;
    }
    Err((start, "this JSON value is never closed".into()))
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use alloc::vec;

    fn shapes(line: &str) -> Vec<(Option<String>, Raw)> {
        tokenize(line)
            .unwrap()
            .into_iter()
            .map(|t| (t.key, t.value))
            .collect()
    }

    #[test]
    fn words_pairs_quotes_and_json() {
        assert_eq!(
            shapes(r#"produce p1 t key=a value="x \"y\"" json={"a":[1,"}"]} # note"#),
            vec![
                (None, Raw::Bare("produce".into())),
                (None, Raw::Bare("p1".into())),
                (None, Raw::Bare("t".into())),
                (Some("key".into()), Raw::Bare("a".into())),
                (Some("value".into()), Raw::Quoted("x \"y\"".into())),
                (Some("json".into()), Raw::Json(r#"{"a":[1,"}"]}"#.into())),
            ]
        );
        assert_eq!(tokenize("   # only a comment").unwrap(), vec![]);
        assert_eq!(tokenize("a  bé=ü").unwrap()[1].column, 4);
    }

    #[test]
    fn errors_point_at_the_column() {
        assert_eq!(tokenize(r#"produce value="open"#).unwrap_err().0, 15);
        assert_eq!(tokenize("x ={}").unwrap_err().0, 3);
        assert_eq!(tokenize(r#"v={"a":1"#).unwrap_err().0, 3);
        assert_eq!(tokenize(r#"v="a"b"#).unwrap_err().0, 6);
        assert!(tokenize(r#"v="\q""#).is_err());
    }
}
