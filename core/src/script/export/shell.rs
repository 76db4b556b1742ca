//! The shell export: `kafka-topics.sh` creates topics and kcat produces and consumes, for the
//! simple subset: topics, text records, group consumers that subscribe and poll, ticks.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use litemap::LiteMap;

use super::{records_polled, run, ExportError};
use crate::script::{decimal, Command, Script, Value};

/// Single-quotes `s` for a POSIX shell.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Text without tabs or newlines (kcat's field separators), or why not.
fn plain(v: Option<&Value>, what: &str) -> Result<Option<String>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Text(s) | Value::Json(s)) if !s.contains(['\t', '\n', '\r']) => {
            Ok(Some(s.clone()))
        }
        Some(Value::Text(_) | Value::Json(_)) => Err(format!("a {what} with tabs or newlines")),
        Some(Value::Hex(_)) => Err(format!("a binary {what}")),
    }
}

/// Exports `script` as a shell script using `kafka-topics.sh` and kcat. Commands outside the
/// simple subset are refused, naming the Python export.
pub fn to_shell(script: &Script) -> Result<String, ExportError> {
    let facts = run(script);
    let mut out = String::from(
        "#!/bin/sh\n# Exported by `logplay export --to shell`: kafka-topics.sh and kcat.\n# Usage: BOOTSTRAP=host:9092 sh this-file\nset -eu\n: \"${BOOTSTRAP:?set BOOTSTRAP to the cluster's bootstrap servers}\"\n\n",
    );
    let mut producers: LiteMap<&str, Vec<String>> = LiteMap::new();
    let mut groups: LiteMap<&str, (String, String)> = LiteMap::new();
    let mut topics: LiteMap<&str, Vec<String>> = LiteMap::new();
    for (i, (line, command)) in script.commands.iter().enumerate() {
        let line = *line;
        let refuse = |why: String| ExportError {
            line,
            message: format!("{why} is not in the shell subset: use --to python"),
        };
        out.push_str(&format!("# {line}: {command}\n"));
        match command {
            Command::Seed(_) | Command::Describe(_) | Command::Flush(_) => {}
            Command::CreateTopic {
                name,
                partitions,
                replication_factor,
                configs,
            } => {
                out.push_str(&format!(
                    "kafka-topics.sh --bootstrap-server \"$BOOTSTRAP\" --create --if-not-exists --topic {} --partitions {partitions}",
                    quote(name)
                ));
                if let Some(rf) = replication_factor {
                    out.push_str(&format!(" --replication-factor {rf}"));
                }
                for (k, v) in configs {
                    out.push_str(&format!(" --config {}", quote(&format!("{k}={v}"))));
                }
                out.push('\n');
            }
            Command::Producer { name, configs } => {
                let mut x = alloc::vec!["partitioner=murmur2_random".to_string()];
                x.extend(configs.iter().map(|(k, v)| format!("{k}={v}")));
                producers.insert(name, x);
            }
            Command::Produce {
                producer,
                topic,
                key,
                value,
                partition,
                timestamp: None,
                headers,
            } if headers.is_empty() => {
                let key = plain(key.as_ref(), "key").map_err(refuse)?;
                let value = plain(value.as_ref(), "value")
                    .map_err(refuse)?
                    .ok_or_else(|| refuse("a tombstone".into()))?;
                let mut cmd = String::from("kcat -P -b \"$BOOTSTRAP\"");
                for x in producers.get(producer.as_str()).into_iter().flatten() {
                    cmd.push_str(&format!(" -X {}", quote(x)));
                }
                cmd.push_str(&format!(" -t {}", quote(topic)));
                if let Some(p) = partition {
                    cmd.push_str(&format!(" -p {p}"));
                }
                match key {
                    Some(k) => out.push_str(&format!(
                        "printf '%s\\t%s\\n' {} {} | {cmd} -K '\\t'\n",
                        quote(&k),
                        quote(&value)
                    )),
                    None => out.push_str(&format!("printf '%s\\n' {} | {cmd}\n", quote(&value))),
                }
            }
            Command::Consumer { name, configs } => {
                let get = |k: &str| {
                    configs
                        .iter()
                        .find(|(key, _)| key == k)
                        .map(|(_, v)| v.clone())
                };
                let group =
                    get("group.id").ok_or_else(|| refuse("a consumer without group.id".into()))?;
                let reset = get("auto.offset.reset").unwrap_or_else(|| "latest".into());
                groups.insert(name, (group, reset));
            }
            Command::Subscribe {
                consumer,
                topics: t,
            } => {
                topics.insert(consumer, t.clone());
            }
            Command::Poll(c) => {
                let n = facts.outputs.get(i).map_or(0, |o| records_polled(o, c));
                let (Some((group, reset)), Some(t)) =
                    (groups.get(c.as_str()), topics.get(c.as_str()))
                else {
                    return Err(refuse("a poll without a group subscription".into()));
                };
                if n > 0 {
                    let t: Vec<String> = t.iter().map(|t| quote(t)).collect();
                    out.push_str(&format!(
                        "kcat -b \"$BOOTSTRAP\" -G {} -X auto.offset.reset={} -c {n} -f '%t %p %o %k %s\\n' {}\n",
                        quote(group),
                        quote(reset),
                        t.join(" ")
                    ));
                }
            }
            Command::Commit { .. } => out.push_str("# kcat commits when it exits.\n"),
            Command::Tick(ms) => out.push_str(&format!("sleep {}\n", decimal(*ms, 3))),
            _ => return Err(refuse(format!("`{command}`"))),
        }
    }
    Ok(out)
}
