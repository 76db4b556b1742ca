//! The clock: `tick`, `play`, and the datagen sources that produce while it runs.

use super::*;

impl Runner {
    /// The clock's commands and datagen sources.
    pub(super) fn run_clock(
        &mut self,
        line: usize,
        command: &Command,
        out: &mut Vec<Output>,
    ) -> Result<Vec<String>, Stop> {
        match command {
            Command::Tick(ms) => {
                self.cluster.tick(*ms)?;
                let now = self.cluster.now();
                out.push(Output::new(line, Event::Clock { now }));
            }
            Command::DatagenStart {
                name,
                producer,
                topic,
                rate,
                key,
                value,
                partition,
            } => {
                self.producer_handle(producer)?;
                let partitions = self.cluster.topic(topic)?.partitions().len();
                if partition.is_some_and(|p| p as usize >= partitions) {
                    return Err(err!(
                        UnknownTopicOrPartition,
                        "{topic} has {partitions} partitions"
                    )
                    .into());
                }
                if self.sources.contains_key(name) {
                    return Err(err!(
                        InvalidRequest,
                        "a datagen source named {name} is running; stop it first"
                    )
                    .into());
                }
                let source = Source::new(
                    producer.clone(),
                    topic.clone(),
                    *rate,
                    key.clone(),
                    value.clone(),
                    *partition,
                    self.cluster.now(),
                );
                self.sources.insert(name.clone(), source);
            }
            Command::DatagenStop(name) => {
                let stopped = self.sources.remove(name);
                if stopped.is_none() {
                    return Err(
                        err!(InvalidRequest, "there is no datagen source named {name}").into(),
                    );
                }
            }
            Command::Play { duration, step } => self.play(line, *duration, *step, out)?,
            // The dispatcher sends only these commands here.
            _ => {}
        }
        Ok(Vec::new())
    }

    /// `play`: the whole span is checked first, so a refused play changes nothing.
    fn play(
        &mut self,
        line: usize,
        duration: u64,
        step: u64,
        out: &mut Vec<Output>,
    ) -> Result<(), Error> {
        let step = step.max(1);
        if duration.div_ceil(step) > MAX_PLAY_STEPS {
            return Err(err!(
                PolicyViolation,
                "play may take at most {MAX_PLAY_STEPS} steps; use a longer step"
            ));
        }
        let end = SimTime(self.cluster.now().0.saturating_add(duration));
        self.cluster.check_advance(end)?;
        let records: u128 = self
            .sources
            .values()
            .map(|s| s.rate)
            .chain(self.connectors.values().map(connect::Connector::rate))
            .map(|rate| u128::from(rate) * u128::from(duration) / 1_000)
            .sum();
        if records > u128::from(MAX_GENERATE) {
            return Err(err!(
                PolicyViolation,
                "the datagen sources would produce {records} records in this play; the limit is {MAX_GENERATE}"
            ));
        }
        let consumers = self
            .clients
            .values()
            .filter(|c| matches!(c, Client::Consumer(h) if self.cluster.consumer(*h).is_ok()))
            .count() as u64;
        let polls = duration.div_ceil(step).saturating_mul(consumers);
        if polls > MAX_PLAY_POLLS {
            return Err(err!(
                PolicyViolation,
                "this play would poll {consumers} consumers {} times each; the limit is {MAX_PLAY_POLLS} polls per play (play in shorter spans or longer steps)",
                duration.div_ceil(step)
            ));
        }
        while self.cluster.now() < end {
            let next = SimTime(self.cluster.now().0.saturating_add(step).min(end.0));
            self.cluster.advance_to(next)?;
            self.run_sources(line, out);
            self.run_connectors(line, out);
            let pollers: Vec<(String, ConsumerHandle)> = self
                .clients
                .iter()
                .filter_map(|(n, c)| match c {
                    Client::Consumer(h) => Some((n.clone(), *h)),
                    Client::Producer(_) => None,
                })
                .filter(|(_, h)| {
                    self.cluster
                        .consumer(*h)
                        .is_ok_and(|c| c.subscription().is_some() || !c.partitions().is_empty())
                })
                .collect();
            for (name, h) in pollers {
                if let Err(e) = self.poll_into(line, &name, h, out) {
                    let event = Event::PollFailed {
                        consumer: name,
                        error: e,
                    };
                    out.push(Output::new(line, event));
                }
            }
        }
        Ok(())
    }

    /// Every source produces what is due now; a source whose producer or topic is gone
    /// stops, with its error reported.
    fn run_sources(&mut self, line: usize, out: &mut Vec<Output>) {
        let now = self.cluster.now();
        let (mut k, mut v) = (String::new(), String::new());
        let mut sources = core::mem::take(&mut self.sources);
        let mut stopped = Vec::new();
        for (name, source) in sources.iter_mut() {
            let due = source.due(now);
            let producer = match self.clients.get(&source.producer) {
                Some(Client::Producer(h)) => Ok(*h),
                _ => Err(err!(
                    InvalidRequest,
                    "there is no producer named {}",
                    source.producer
                )),
            };
            for _ in 0..due {
                source.next_record(&mut self.rng, &mut k, &mut v);
                let sent = producer.clone().and_then(|h| {
                    let record = ProducerRecord {
                        topic: &source.topic,
                        partition: source.partition,
                        key: source.key.as_ref().map(|_| k.as_bytes()),
                        value: source.value.as_ref().map(|_| v.as_bytes()),
                        headers: &[],
                        timestamp: None,
                    };
                    self.send(h, self.serdes(&source.producer), &record)
                });
                match sent {
                    Ok(id) => {
                        let ranges = self.bulk.entry(source.producer.clone()).or_default();
                        match ranges.last_mut() {
                            Some(last) if last.1 + 1 == id => last.1 = id,
                            _ => ranges.push((id, id)),
                        }
                    }
                    Err(e) => {
                        let event = Event::DatagenStopped {
                            source: name.clone(),
                            error: e,
                        };
                        out.push(Output::new(line, event));
                        stopped.push(name.clone());
                        break;
                    }
                }
            }
        }
        sources.retain(|name, _| !stopped.contains(name));
        self.sources = sources;
    }

    /// The datagen sources by name.
    pub fn sources(&self) -> impl Iterator<Item = (&str, &str, &str, u64)> {
        self.sources
            .iter()
            .map(|(n, s)| (n.as_str(), s.producer.as_str(), s.topic.as_str(), s.rate))
    }
}
