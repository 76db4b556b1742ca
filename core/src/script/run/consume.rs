//! Consuming: subscriptions and assignments, `poll` with its deserializers, seeks, commits,
//! pause and resume.

use super::*;

impl Runner {
    /// The consumer's commands.
    pub(super) fn run_consume(
        &mut self,
        line: usize,
        command: &Command,
        out: &mut Vec<Output>,
    ) -> Result<Vec<String>, Stop> {
        match command {
            Command::Subscribe { consumer, topics } => {
                let h = self.consumer_handle(consumer)?;
                let topics: Vec<&str> = topics.iter().map(String::as_str).collect();
                self.cluster.subscribe(h, &topics)?;
            }
            Command::SubscribePattern { consumer, pattern } => {
                let h = self.consumer_handle(consumer)?;
                #[cfg(feature = "std")]
                self.cluster.subscribe_pattern(h, pattern)?;
                #[cfg(not(feature = "std"))]
                return Err(err!(InvalidRequest, "subscribe {consumer} pattern={pattern}: pattern subscriptions need logplay-core's `std` feature ({h:?})").into());
            }
            Command::Unsubscribe(consumer) => {
                let h = self.consumer_handle(consumer)?;
                self.cluster.unsubscribe(h)?;
            }
            Command::Assign {
                consumer,
                partitions,
            } => {
                let h = self.consumer_handle(consumer)?;
                self.cluster.assign(h, &refs(partitions))?;
            }
            Command::Poll(name) => {
                let h = self.consumer_handle(name)?;
                self.cluster.consumer(h)?.check_pollable()?;
                // Past that check, poll() has looked up its coordinator and taken part in
                // its group before it throws (NoOffsetForPartitionException, …).
                self.poll_into(line, name, h, out)
                    .map_err(Stop::after_effects)?;
            }
            Command::Seek {
                consumer,
                partition: (t, p),
                to,
            } => {
                let h = self.consumer_handle(consumer)?;
                self.cluster.seek(h, t, *p, *to)?;
            }
            Command::Commit {
                consumer,
                offsets,
                asynchronous,
            } => {
                let h = self.consumer_handle(consumer)?;
                let explicit: Vec<(&str, u32, i64)> = offsets
                    .iter()
                    .map(|((t, p), o)| (t.as_str(), *p, *o))
                    .collect();
                let result = self
                    .cluster
                    .commit(h, (!offsets.is_empty()).then_some(explicit.as_slice()));
                let done = match result {
                    // commitAsync(): the callback gets the exception; the call returned.
                    Err(e) if *asynchronous => {
                        let consumer = consumer.clone();
                        let event = Event::CommitCallback { consumer, error: e };
                        out.push(Output::new(line, event));
                        Vec::new()
                    }
                    result => result?,
                };
                for ((topic, partition), offset) in done {
                    let event = Event::Committed {
                        by: Committer::Consumer(consumer.clone()),
                        topic,
                        partition,
                        offset,
                    };
                    out.push(Output::new(line, event));
                }
            }
            Command::Pause {
                consumer,
                partitions,
            }
            | Command::Resume {
                consumer,
                partitions,
            } => {
                let h = self.consumer_handle(consumer)?;
                let pause = matches!(command, Command::Pause { .. });
                for (i, (t, p)) in partitions.iter().enumerate() {
                    let result = if pause {
                        self.cluster.pause(h, t, *p)
                    } else {
                        self.cluster.resume(h, t, *p)
                    };
                    // Java's pause(partitions) throws at the first unassigned partition,
                    // after pausing those before it.
                    result.map_err(|e| match i {
                        0 => Stop::from(e),
                        _ => Stop::after_effects(e),
                    })?;
                }
            }
            // The dispatcher sends only these commands here.
            _ => {}
        }
        Ok(Vec::new())
    }

    /// `poll`: rebalance callbacks first (they run inside poll()), then the records.
    pub(super) fn poll_into(
        &mut self,
        line: usize,
        name: &str,
        h: ConsumerHandle,
        out: &mut Vec<Output>,
    ) -> Result<(), Error> {
        let messages = self.cluster.poll(h)?;
        self.rebalance_outputs(line, name, h, out);
        let serdes = self.serdes(name);
        let polled = if serdes.any() {
            match self.deserialize_polled(h, &serdes, messages)? {
                Ok(polled) => polled,
                // poll() threw; the command did its work (the group, the fetch) and the
                // application got the exception, as a `poll` output.
                Err(e) => {
                    let consumer = name.to_string();
                    out.push(Output::new(line, Event::PollFailed { consumer, error: e }));
                    return Ok(());
                }
            }
        } else {
            messages.into_iter().map(|m| (m, [None, None])).collect()
        };
        let shown = self.records_per_poll.unwrap_or(usize::MAX);
        if polled.len() > shown {
            let event = Event::Polled {
                consumer: name.to_string(),
                records: polled.len(),
                shown,
            };
            out.push(Output::new(line, event));
        }
        let skipped = polled.len().saturating_sub(shown);
        for (message, [key, value]) in polled.into_iter().skip(skipped) {
            let record = PolledRecord {
                consumer: name.to_string(),
                message,
                key,
                value,
            };
            out.push(Output::new(line, Event::Record(record)));
        }
        Ok(())
    }

    /// `deserialize()` over a poll's records, as the Java consumer does it: a record that
    /// does not deserialize stops its partition there, the position staying at it. When it
    /// is the first record of its partition in this poll, `poll()` throws
    /// `RECORD_DESERIALIZATION_EXCEPTION` (the inner `Err`) and every partition goes back to
    /// where the poll started; otherwise the records before it are returned and the next
    /// poll throws.
    fn deserialize_polled(
        &mut self,
        h: ConsumerHandle,
        serdes: &Serdes,
        messages: Vec<Message>,
    ) -> Result<Result<Vec<(Message, Decoded)>, Error>, Error> {
        let mut first: LiteMap<(String, u32), i64> = LiteMap::new();
        let mut stopped: LiteMap<(String, u32), i64> = LiteMap::new();
        let mut failure = None;
        let mut kept = Vec::with_capacity(messages.len());
        for m in messages {
            let tp = (m.topic().to_string(), m.partition());
            let head = *first.entry(tp.clone()).or_insert(m.offset()) == m.offset();
            if stopped.contains_key(&tp) {
                continue;
            }
            match self.deserialize(serdes, &m) {
                Ok(decoded) => kept.push((m, decoded)),
                Err(cause) => {
                    if head && failure.is_none() {
                        failure = Some((tp.clone(), m.offset(), cause));
                    }
                    stopped.insert(tp, m.offset());
                }
            }
        }
        let (rewind, result) = match failure {
            Some(((t, p), offset, cause)) => (
                first,
                Err(err!(
                    RecordDeserializationException,
                    "Error deserializing key/value for partition {t}-{p} at offset {offset}. If needed, please seek past the record to continue consumption. ({})",
                    cause.message
                )),
            ),
            None => (stopped, Ok(kept)),
        };
        for ((t, p), offset) in rewind {
            self.cluster.seek(h, &t, p, SeekTo::Offset(offset))?;
        }
        Ok(result)
    }

    /// The key and value through the consumer's JSON Schema deserializers: each its schema
    /// id and JSON text (`None`: not deserialized).
    fn deserialize(&self, serdes: &Serdes, m: &Message) -> Result<Decoded, Error> {
        let mut decoded = [None, None];
        for (slot, (on, bytes)) in decoded
            .iter_mut()
            .zip([(serdes.key, m.key()), (serdes.value, m.value())])
        {
            if let Some(bytes) = bytes.filter(|_| on) {
                *slot = Some(wire::deserialize(&self.registry, bytes, serdes.validate)?);
            }
        }
        Ok(decoded)
    }
}
