//! Producing: `produce`, `generate` and `flush`, transactions, and the one send path every
//! record takes (serializers, then the producer's accumulator).

use super::running::Generating;
use super::*;

/// A `generate` takes its producer's reports out every this many records.
const HOLD_EVERY: u64 = 4096;

impl Runner {
    /// The producer's commands.
    pub(super) fn run_produce(
        &mut self,
        line: usize,
        command: &Command,
        out: &mut Vec<Output>,
    ) -> Result<Vec<String>, Stop> {
        match command {
            Command::Produce {
                producer,
                topic,
                key,
                value,
                partition,
                timestamp,
                headers,
            } => {
                let h = self.producer_handle(producer)?;
                let size = [key, value]
                    .into_iter()
                    .flatten()
                    .chain(headers.iter().map(|(_, v)| v))
                    .map(|v| v.bytes().map_or(0, |b| b.len() as u64))
                    .sum::<u64>()
                    + headers.iter().map(|(k, _)| k.len() as u64).sum::<u64>();
                let asked = self.records_asked((h, producer), topic, *partition, 1, size, 0);
                self.check_bytes("this produce", asked)?;
                let (key, value) = (
                    key.as_ref().and_then(crate::script::Value::bytes),
                    value.as_ref().and_then(crate::script::Value::bytes),
                );
                let headers: Vec<Header> = headers
                    .iter()
                    .map(|(k, v)| Header {
                        key: k.clone(),
                        value: v.bytes(),
                    })
                    .collect();
                let record = ProducerRecord {
                    topic,
                    partition: *partition,
                    key: key.as_deref(),
                    value: value.as_deref(),
                    headers: &headers,
                    timestamp: *timestamp,
                };
                let id = self.send(h, self.serdes(producer), &record)?;
                let producer = producer.clone();
                out.push(Output::new(line, Event::Queued { producer, id }));
            }
            Command::Flush(p) => {
                let h = self.producer_handle(p)?;
                self.cluster.flush(h)?;
            }
            Command::Transaction { producer, action } => {
                let h = self.producer_handle(producer)?;
                let state = |r: &Self| r.cluster.producer(h).ok()?.transaction_state();
                let before = state(self);
                let flushes = *action == TxnAction::Commit && self.cluster.commit_would_flush(h);
                match self.transaction(h, *action) {
                    Ok(Some(waits)) => return Ok(alloc::vec![waits]),
                    Ok(None) => {}
                    // A commit that flushed and then timed out, or a client fenced by the
                    // coordinator's answer, has changed state.
                    Err(e) if flushes || state(self) != before => {
                        return Err(Stop::after_effects(e))
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            Command::SendOffsets { producer, consumer } => {
                let (p, c) = (
                    self.producer_handle(producer)?,
                    self.consumer_handle(consumer)?,
                );
                for ((topic, partition), offset) in
                    self.cluster.send_offsets_to_transaction(p, c)?
                {
                    let event = Event::OffsetsInTransaction {
                        producer: producer.clone(),
                        topic,
                        partition,
                        offset,
                    };
                    out.push(Output::new(line, event));
                }
            }
            // The dispatcher sends only these commands here.
            _ => {}
        }
        Ok(Vec::new())
    }

    /// Runs a transaction call; returns why `initTransactions()` waits, if it does.
    fn transaction(
        &mut self,
        h: ProducerHandle,
        action: TxnAction,
    ) -> Result<Option<String>, Error> {
        match action {
            TxnAction::Init => {
                if let InitTransactions::AwaitingAbort { partitions } =
                    self.cluster.init_transactions(h)?
                {
                    let on: Vec<String> = partitions
                        .iter()
                        .map(|(t, p)| alloc::format!("{t}-{p}"))
                        .collect();
                    return Ok(Some(alloc::format!(
                        "initTransactions() waits (INITIALIZING): the coordinator is aborting the open transaction of this transactional.id, and its ABORT markers on {} are not yet replicated; move the clock",
                        on.join(", ")
                    )));
                }
            }
            TxnAction::Begin => self.cluster.begin_transaction(h)?,
            TxnAction::Commit => self.cluster.commit_transaction(h)?,
            TxnAction::Abort => self.cluster.abort_transaction(h)?,
        }
        Ok(None)
    }

    /// The checks of a `generate`, before it queues anything: its producer's handle and the
    /// bytes the budget counted for it.
    pub(super) fn check_generate(
        &mut self,
        producer: &str,
        topic: &str,
        count: u64,
        key: &Option<Template>,
        value: &Option<Template>,
        partition: Option<u32>,
    ) -> Result<(ProducerHandle, u64), Error> {
        let h = self.producer_handle(producer)?;
        if count > MAX_GENERATE {
            return Err(err!(
                PolicyViolation,
                "count {count} is over the limit of {MAX_GENERATE} records per generate"
            ));
        }
        let templates = (key.as_ref(), value.as_ref());
        let record = Self::template_bytes(templates.0, templates.1, count);
        let asked = self.generate_asked((h, producer), topic, partition, templates, count);
        let what = alloc::format!("this generate of {count} records of up to {record} B");
        self.check_bytes(&what, asked)?;
        Ok((h, asked))
    }

    /// The most bytes `count` records of a `generate` take.
    pub(super) fn generate_asked(
        &self,
        producer: (ProducerHandle, &str),
        topic: &str,
        partition: Option<u32>,
        (key, value): (Option<&Template>, Option<&Template>),
        count: u64,
    ) -> u64 {
        let record = Self::template_bytes(key, value, count);
        self.records_asked(producer, topic, partition, count, record, 0)
    }

    /// Queues the records of a `generate` rendered from its templates, from `g.next` up to
    /// `until`; `g.sent` gets the first and last ids queued, also when a record is refused.
    pub(super) fn generate_until(
        &mut self,
        producer: &str,
        (topic, partition, key, value): (&str, Option<u32>, Option<&Template>, Option<&Template>),
        g: &mut Generating,
        until: u64,
    ) -> Result<(), Error> {
        let serdes = self.serdes(producer);
        // A template without placeholders renders once: it draws nothing from the RNG.
        let (mut key_varies, mut value_varies) = (key, value);
        for (t, out) in [
            (&mut key_varies, &mut g.key),
            (&mut value_varies, &mut g.value),
        ] {
            if let Some(constant) = t.take_if(|t| t.is_constant()) {
                constant.render(0, &mut self.rng, out);
            }
        }
        while g.next < until {
            let i = g.next;
            if let Some(t) = key_varies {
                t.render(i, &mut self.rng, &mut g.key);
            }
            if let Some(t) = value_varies {
                t.render(i, &mut self.rng, &mut g.value);
            }
            let record = ProducerRecord {
                topic,
                partition,
                key: key.map(|_| g.key.as_bytes()),
                value: value.map(|_| g.value.as_bytes()),
                headers: &[],
                timestamp: None,
            };
            let id = self.send(g.producer, serdes, &record)?;
            g.next += 1;
            let first = g.sent.map_or(id, |(first, _)| first);
            g.sent = Some((first, id));
            if i % HOLD_EVERY == HOLD_EVERY - 1 {
                self.hold_reports(g.producer, producer, (first, id))?;
            }
        }
        Ok(())
    }

    /// A `generate` whose record was refused: the records queued before stay queued, as
    /// after Java's send() loop threw; with none queued, the templates' draws are undone.
    pub(super) fn generate_failed(&mut self, g: &Generating, error: Error) -> Stop {
        if g.sent.is_some() {
            return Stop::after_effects(error);
        }
        self.rng = g.rng.clone();
        error.into()
    }

    /// Takes the reports out of a producer in the middle of a `generate`, counting the
    /// deliveries of its records (those in `ids` or in an earlier `generate`'s ranges), so
    /// that a million records do not hold a million reports.
    fn hold_reports(
        &mut self,
        h: ProducerHandle,
        producer: &str,
        ids: (u64, u64),
    ) -> Result<(), Error> {
        let events = self.cluster.drain_producer_events(h)?;
        let mut generated = self.bulk.get(producer).cloned().unwrap_or_default();
        generated.push(ids);
        self.held
            .get_or_insert_with(|| ProducerReports::new(producer))
            .take(events, &generated);
        Ok(())
    }

    /// `send()`: the record's key and value through the producer's serializers, then into
    /// its accumulator. The one way records are sent: `produce`, `generate`, datagen sources
    /// and Connect's source tasks (whose converter has already written the bytes, so their
    /// producers' serializers are byte arrays, [`Serdes::default`]).
    pub(super) fn send(
        &mut self,
        h: ProducerHandle,
        serdes: Serdes,
        record: &ProducerRecord<'_>,
    ) -> Result<u64, Error> {
        let key = self.serialize(serdes, record.topic, true, record.key)?;
        let value = self.serialize(serdes, record.topic, false, record.value)?;
        let serialized = ProducerRecord {
            key: key.as_deref(),
            value: value.as_deref(),
            ..*record
        };
        self.cluster.produce(h, &serialized)
    }

    /// `serialize()` for one part of a record: through the JSON Schema serializer when the
    /// producer has one for it, else the bytes as written.
    fn serialize<'b>(
        &self,
        serdes: Serdes,
        topic: &str,
        is_key: bool,
        bytes: Option<&'b [u8]>,
    ) -> Result<Option<Cow<'b, [u8]>>, Error> {
        match (bytes, if is_key { serdes.key } else { serdes.value }) {
            (Some(b), true) => {
                let text = core::str::from_utf8(b).map_err(|_| {
                    err!(
                        SerializationException,
                        "Error serializing JSON message: the bytes are not UTF-8"
                    )
                })?;
                let subject = topic_subject(topic, is_key);
                wire::serialize(
                    &self.registry,
                    &subject,
                    serdes.schema_id,
                    text,
                    serdes.validate,
                )
                .map(|b| Some(Cow::Owned(b)))
            }
            (bytes, _) => Ok(bytes.map(Cow::Borrowed)),
        }
    }
}
