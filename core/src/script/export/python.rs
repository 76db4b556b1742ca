//! The Python export: one confluent-kafka call per command, each area of the language
//! written by its own method of [`Writer`].

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use litemap::LiteMap;

use super::*;

/// Exports `script` as a Python program (confluent-kafka) that does the same against a real
/// cluster and prints the same JSON lines as `logplay run`.
pub fn to_python(script: &Script) -> Result<Export, ExportError> {
    let facts = run(script);
    let mut body = String::new();
    let mut warnings = Vec::new();
    let mut pinned: LiteMap<String, bool> = LiteMap::new();
    for (i, (line, command)) in script.commands.iter().enumerate() {
        let mut writer = Writer {
            facts: &facts,
            line: *line,
            outputs: facts.outputs.get(i).map(Vec::as_slice).unwrap_or_default(),
            body: &mut body,
            warnings: &mut warnings,
            pinned: &mut pinned,
        };
        writer.command(command)?;
    }
    let program = format!(
        "{RUNTIME}\n\n# ---- the scenario, exported by `logplay export --to python` ----\n\ndef scenario(lp):\n{body}    pass\n\n\nif __name__ == \"__main__\":\n    main(scenario)\n"
    );
    Ok(Export { program, warnings })
}

/// Writes one command's lines of the program.
struct Writer<'a> {
    facts: &'a Run,
    line: usize,
    outputs: &'a [Output],
    body: &'a mut String,
    warnings: &'a mut Vec<(usize, String)>,
    /// Producers whose records are pinned to logplay's partitions.
    pinned: &'a mut LiteMap<String, bool>,
}

impl Writer<'_> {
    /// Tells the program, and the exporter's caller, what a real run does differently.
    fn warn(&mut self, what: String) {
        self.body
            .push_str(&format!("    lp.warn({})\n", py_str(&what)));
        self.warnings.push((self.line, what));
    }

    fn fail(&self, message: String) -> ExportError {
        ExportError {
            line: self.line,
            message,
        }
    }

    fn command(&mut self, command: &Command) -> Result<(), ExportError> {
        let line = self.line;
        self.body.push_str(&format!(
            "    lp.at({line}, {})\n",
            py_str(&command.to_string())
        ));
        let cleaned = self.outputs.iter().find(|o| {
            matches!(
                o.kind(),
                OutputKind::Retention | OutputKind::Compaction | OutputKind::LowWatermark
            )
        });
        if let Some(o) = cleaned {
            self.warn(format!("logplay's {} ran here on its simulated clock; a real cluster cleans on its own schedule", o.kind().name()));
        }
        match command {
            Command::Seed { .. }
            | Command::Broker { .. }
            | Command::CreateTopic { .. }
            | Command::DeleteTopic { .. }
            | Command::AddPartitions { .. }
            | Command::AlterTopic { .. }
            | Command::DeleteRecords { .. }
            | Command::Describe { .. }
            | Command::Tick { .. } => self.admin(command),
            Command::Producer { .. }
            | Command::Produce { .. }
            | Command::Generate { .. }
            | Command::Flush { .. }
            | Command::Transaction { .. }
            | Command::SendOffsets { .. } => self.producing(command),
            Command::Consumer { .. }
            | Command::Subscribe { .. }
            | Command::SubscribePattern { .. }
            | Command::Unsubscribe { .. }
            | Command::Assign { .. }
            | Command::Poll { .. }
            | Command::Seek { .. }
            | Command::Commit { .. }
            | Command::Pause { .. }
            | Command::Resume { .. }
            | Command::Close { .. } => self.consuming(command),
            Command::BrokerChange { .. }
            | Command::Brokers { .. }
            | Command::ConnectorChange { .. }
            | Command::ConnectorCreate { .. }
            | Command::Crash { .. }
            | Command::DatagenStart { .. }
            | Command::DatagenStop { .. }
            | Command::DeleteGroup { .. }
            | Command::DeleteOffsets { .. }
            | Command::LoseAcks { .. }
            | Command::Play { .. }
            | Command::ResetOffsets { .. }
            | Command::SchemaCheck { .. }
            | Command::SchemaCompatibility { .. }
            | Command::SchemaDelete { .. }
            | Command::SchemaRegister { .. } => self.skipped(command),
        }
    }

    /// Topics, broker configs and `describe`.
    fn admin(&mut self, command: &Command) -> Result<(), ExportError> {
        match command {
            Command::Seed(n) => self.body.push_str(&format!(
                "    # seed {n}: logplay's randomness; a real cluster has its own.\n"
            )),
            Command::Broker(configs) => self.body.push_str(&format!(
                "    # Broker configs to set on the real cluster: {}\n",
                configs
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            )),
            Command::CreateTopic {
                name,
                partitions,
                replication_factor,
                configs,
            } => self.body.push_str(&format!(
                "    lp.create_topic({}, {partitions}, {}, {})\n",
                py_str(name),
                replication_factor.map_or_else(|| "None".into(), |r| r.to_string()),
                py_dict(configs)
            )),
            Command::DeleteTopic(name) => self
                .body
                .push_str(&format!("    lp.delete_topic({})\n", py_str(name))),
            Command::AddPartitions { name, total } => self.body.push_str(&format!(
                "    lp.add_partitions({}, {total})\n",
                py_str(name)
            )),
            Command::AlterTopic { name, configs } => self.body.push_str(&format!(
                "    lp.alter_topic({}, {})\n",
                py_str(name),
                py_dict(configs)
            )),
            Command::DeleteRecords {
                partition: (t, p),
                before,
            } => self.body.push_str(&format!(
                "    lp.delete_records({}, {p}, {before})\n",
                py_str(t)
            )),
            Command::Tick(ms) => {
                self.body.push_str(&format!("    lp.tick({ms})\n"));
            }
            Command::Describe(_) => self
                .body
                .push_str("    # describe: see the cluster's admin tools.\n"),
            // `line` sends only these commands here.
            _ => {}
        }
        Ok(())
    }

    /// Producers: create, produce, generate, flush and transactions.
    fn producing(&mut self, command: &Command) -> Result<(), ExportError> {
        match command {
            Command::Producer { name, configs } => {
                let configs = without_serdes(configs, true, &mut |w| self.warn(w));
                let (configs, pin) = producer_configs(&configs);
                self.pinned.insert(name.clone(), pin);
                self.body.push_str(&format!(
                    "    lp.producer({}, {})\n",
                    py_str(name),
                    py_dict(&configs)
                ));
            }
            Command::Produce {
                producer,
                topic,
                key,
                value,
                partition,
                timestamp,
                headers,
            } => {
                let mut partition = *partition;
                let pin = self.pinned.get(producer).copied().unwrap_or(false)
                    || matches!(key, None | Some(Value::Null));
                if partition.is_none() && pin {
                    let chosen = queued_id(self.outputs)
                        .and_then(|id| self.facts.partitions.get(&(producer.clone(), id)));
                    if let Some(&p) = chosen {
                        self.body.push_str(&format!(
                            "    # logplay's partitioner put this record in partition {p}; a real one chooses its own, so it is pinned there.\n"
                        ));
                        partition = Some(p);
                    }
                }
                let headers: Vec<String> = headers
                    .iter()
                    .map(|(k, v)| format!("({}, {})", py_str(k), py_bytes(Some(v))))
                    .collect();
                // Delivered within the command in logplay: the program waits for it too, so
                // that records from several producers reach the log in the same order.
                let at_once = queued_id(self.outputs).is_some_and(|id| {
                    self.outputs.iter().any(|o| {
                        matches!(&o.event, Event::Delivery { producer: p, report }
                            if report.id == id && p == producer)
                    })
                });
                self.body.push_str(&format!(
                    "    lp.produce({}, {}, {}, {}, {}, {}, [{}], {})\n",
                    py_str(producer),
                    py_str(topic),
                    py_bytes(key.as_ref()),
                    py_bytes(value.as_ref()),
                    partition.map_or_else(|| "None".into(), |p| p.to_string()),
                    timestamp.map_or_else(|| "None".into(), |t| t.to_string()),
                    headers.join(", "),
                    if at_once { "True" } else { "False" }
                ));
            }
            Command::Generate {
                producer,
                topic,
                count,
                key,
                partition,
                ..
            } => {
                let Some(records) = self.facts.generated.get(&self.line) else {
                    return Err(self.fail(format!(
                        "generate of {count} records: at most {MAX_EXPORTED_GENERATE} export"
                    )));
                };
                let spread = self
                    .facts
                    .topic_partitions
                    .get(&self.line)
                    .is_some_and(|&n| n > 1);
                if key.is_none() && partition.is_none() && spread {
                    self.warn(
                        "generate without keys: a real partitioner places them its own way".into(),
                    );
                }
                let items: Vec<String> = records
                    .iter()
                    .map(|(k, v)| {
                        format!("({}, {})", py_opt_str(k.as_ref()), py_opt_str(v.as_ref()))
                    })
                    .collect();
                self.body.push_str(&format!(
                    "    lp.generate({}, {}, [{}], {})\n",
                    py_str(producer),
                    py_str(topic),
                    items.join(", "),
                    partition.map_or_else(|| "None".into(), |p| p.to_string())
                ));
            }
            Command::Flush(p) => self
                .body
                .push_str(&format!("    lp.flush({})\n", py_str(p))),
            Command::Transaction { producer, action } => {
                let action = match action {
                    TxnAction::Init => "init",
                    TxnAction::Begin => "begin",
                    TxnAction::Commit => "commit",
                    TxnAction::Abort => "abort",
                };
                self.body.push_str(&format!(
                    "    lp.txn({}, {})\n",
                    py_str(producer),
                    py_str(action)
                ));
            }
            Command::SendOffsets { producer, consumer } => self.body.push_str(&format!(
                "    lp.send_offsets({}, {})\n",
                py_str(producer),
                py_str(consumer)
            )),
            // `line` sends only these commands here.
            _ => {}
        }
        Ok(())
    }

    /// Consumers: create, subscribe, assign, poll, seek, commit, pause, resume; closing a client.
    fn consuming(&mut self, command: &Command) -> Result<(), ExportError> {
        match command {
            Command::Consumer { name, configs } => {
                let configs = without_serdes(configs, false, &mut |w| self.warn(w));
                let (configs, cap) = consumer_configs(name, &configs).map_err(|m| self.fail(m))?;
                self.body.push_str(&format!(
                    "    lp.consumer({}, {}, {cap})\n",
                    py_str(name),
                    py_dict(&configs)
                ));
            }
            Command::Subscribe { consumer, topics } => {
                let topics: Vec<String> = topics.iter().map(|t| py_str(t)).collect();
                self.body.push_str(&format!(
                    "    lp.subscribe({}, [{}])\n",
                    py_str(consumer),
                    topics.join(", ")
                ));
            }
            Command::SubscribePattern { consumer, pattern } => self.body.push_str(&format!(
                "    lp.subscribe({}, [{}])\n",
                py_str(consumer),
                py_str(&format!("^{pattern}$"))
            )),
            Command::Unsubscribe(c) => self
                .body
                .push_str(&format!("    lp.unsubscribe({})\n", py_str(c))),
            Command::Assign {
                consumer,
                partitions,
            } => self.body.push_str(&format!(
                "    lp.assign({}, {})\n",
                py_str(consumer),
                py_partitions(partitions)
            )),
            Command::Poll(c) => {
                let n = records_polled(self.outputs, c);
                if n == 0 {
                    self.body.push_str(
                        "    # logplay's poll returned nothing here (a group join, or nothing new).\n",
                    );
                }
                self.body
                    .push_str(&format!("    lp.poll({}, {n})\n", py_str(c)));
            }
            Command::Seek {
                consumer,
                partition: (t, p),
                to,
            } => {
                let to = match to {
                    SeekTo::Offset(o) => o.to_string(),
                    SeekTo::Beginning => "\"beginning\"".into(),
                    SeekTo::End => "\"end\"".into(),
                    SeekTo::Timestamp(ms) => format!("{{\"timestamp\": {ms}}}"),
                };
                self.body.push_str(&format!(
                    "    lp.seek({}, {}, {p}, {to})\n",
                    py_str(consumer),
                    py_str(t)
                ));
            }
            Command::Commit {
                consumer,
                offsets,
                asynchronous,
            } => {
                let items: Vec<String> = offsets
                    .iter()
                    .map(|((t, p), o)| format!("({}, {p}, {o})", py_str(t)))
                    .collect();
                let async_flag = if *asynchronous { "True" } else { "False" };
                self.body.push_str(&format!(
                    "    lp.commit({}, [{}], {async_flag})\n",
                    py_str(consumer),
                    items.join(", ")
                ));
            }
            Command::Pause {
                consumer,
                partitions,
            } => self.body.push_str(&format!(
                "    lp.pause({}, {})\n",
                py_str(consumer),
                py_partitions(partitions)
            )),
            Command::Resume {
                consumer,
                partitions,
            } => self.body.push_str(&format!(
                "    lp.resume({}, {})\n",
                py_str(consumer),
                py_partitions(partitions)
            )),
            Command::Close(c) => self
                .body
                .push_str(&format!("    lp.close({})\n", py_str(c))),
            // `line` sends only these commands here.
            _ => {}
        }
        Ok(())
    }

    /// What only a simulation can do: skipped, with a warning that says why.
    fn skipped(&mut self, command: &Command) -> Result<(), ExportError> {
        match command {
            Command::Brokers { .. } | Command::BrokerChange { .. } => {
                self.warn(format!("`{command}` changes simulated brokers: skipped"))
            }
            Command::ResetOffsets { .. }
            | Command::DeleteGroup(_)
            | Command::DeleteOffsets { .. } => self.warn(format!(
                "`{command}` is an admin tool's job (kafka-consumer-groups.sh): skipped"
            )),
            Command::LoseAcks { .. } | Command::Crash(_) => {
                self.warn(format!("`{command}` is a simulated fault: skipped"))
            }
            Command::SchemaRegister { .. }
            | Command::SchemaCheck { .. }
            | Command::SchemaCompatibility { .. }
            | Command::SchemaDelete(_) => self.warn(format!(
                "`{command}` uses logplay's simulated schema registry: skipped"
            )),
            Command::ConnectorCreate { .. } | Command::ConnectorChange { .. } => self.warn(
                format!("`{command}` runs a simulated Kafka Connect connector: skipped"),
            ),
            Command::DatagenStart { .. } | Command::DatagenStop(_) | Command::Play { .. } => self
                .warn(format!(
                    "`{command}` runs on logplay's simulated clock: skipped"
                )),
            // `line` sends only these commands here.
            _ => {}
        }
        Ok(())
    }
}
