//! The clock: `play`'s checks and steps, and the datagen sources that produce while it runs
//! (`tick` and `play` run in steps: see `running`).

use super::*;

impl Runner {
    /// The clock's commands and datagen sources.
    pub(super) fn run_clock(&mut self, command: &Command) -> Result<Vec<String>, Stop> {
        match command {
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
            // The dispatcher sends only these commands here.
            _ => {}
        }
        Ok(Vec::new())
    }

    /// The checks of a `play`: the whole span is checked first, so a refused play changes
    /// nothing.
    pub(super) fn check_play(&mut self, duration: u64, step: u64) -> Result<(), Error> {
        if duration.div_ceil(step) > MAX_PLAY_STEPS {
            return Err(err!(
                PolicyViolation,
                "play may take at most {MAX_PLAY_STEPS} steps; use a longer step"
            ));
        }
        let end = SimTime(self.cluster.now().0.saturating_add(duration));
        self.cluster.check_advance(end)?;
        let records = u128::from(self.datagen_rate()) * u128::from(duration) / 1_000;
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
        Ok(())
    }

    /// One step of a `play` that ends at `end`: the clock, the datagen sources, the
    /// connectors and a poll of every consumer; the records the sources sent.
    pub(super) fn play_step(
        &mut self,
        line: usize,
        step: u64,
        end: SimTime,
        out: &mut Vec<Output>,
    ) -> u64 {
        let next = SimTime(self.cluster.now().0.saturating_add(step).min(end.0));
        // The whole span was checked when the play began.
        let _ = self.cluster.advance_to(next);
        let sent = self.run_sources(line, out);
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
        sent
    }

    /// Refuses the next `span` ms of a play whose datagen sources and source connectors may
    /// add more bytes than the budget has left. Checked before each step, so that plays
    /// merged into one check as they ran.
    pub(super) fn check_play_step_bytes(&mut self, span: u64) -> Result<(), Error> {
        let (duration, step) = (span, span);
        let count = |rate: u64| (u128::from(rate) * u128::from(duration)).div_ceil(1_000) as u64;
        let mut asked = 0u64;
        for s in self.sources.values() {
            let Some(h) = self.producer(&s.producer) else {
                continue;
            };
            let n = count(s.rate);
            let next = s.emitted().saturating_add(n);
            let record = Self::template_bytes(s.key.as_ref(), s.value.as_ref(), next);
            let bound =
                self.records_asked((h, &s.producer), &s.topic, s.partition, n, record, step);
            asked = asked.saturating_add(bound);
        }
        for c in self.connectors.values() {
            let (n, topic) = (count(c.rate()), c.topic().unwrap_or_default());
            let partitions = self
                .cluster
                .topic(topic)
                .map_or(1, |t| t.partitions().len()) as u64;
            let record = c.record_bytes(n).saturating_add(budget::WIRE_HEADER);
            let bound = crate::budget::records_bound(n, record, step, 16_384, partitions);
            asked = asked.saturating_add(bound);
        }
        let what = alloc::format!("the next {duration} ms of this play, with its datagen sources,");
        self.check_bytes(&what, asked)
    }

    /// Every source produces what is due now; a source whose producer or topic is gone
    /// stops, with its error reported.
    fn run_sources(&mut self, line: usize, out: &mut Vec<Output>) -> u64 {
        let now = self.cluster.now();
        let mut sent = 0;
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
                let sent_one = producer.clone().and_then(|h| {
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
                match sent_one {
                    Ok(id) => {
                        sent += 1;
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
        sent
    }

    /// Whether a play of `duration` in steps of `step`, begun as the one that just ran began
    /// (its datagen sending `rate` records a second then), passes the checks a replay gives
    /// it: the session merges two plays in a row only then (and only when the first ends on
    /// a whole step), so that the merged play replays as they ran.
    pub fn play_merges(&self, duration: u64, step: u64, rate: u64) -> bool {
        let steps = duration.div_ceil(step.max(1));
        let consumers = self
            .clients
            .values()
            .filter(|c| matches!(c, Client::Consumer(h) if self.cluster.consumer(*h).is_ok()))
            .count() as u64;
        let end = SimTime(self.cluster.now().0.saturating_add(duration));
        let records = u128::from(rate) * u128::from(duration) / 1_000;
        steps <= MAX_PLAY_STEPS
            && records <= u128::from(MAX_GENERATE)
            && steps.saturating_mul(consumers) <= MAX_PLAY_POLLS
            && self.cluster.check_advance(end).is_ok()
    }

    /// Records per simulated second the datagen sources and source connectors send.
    pub fn datagen_rate(&self) -> u64 {
        let sources = self.sources.values().map(|s| s.rate);
        let connectors = self.connectors.values().map(connect::Connector::rate);
        sources.chain(connectors).fold(0, u64::saturating_add)
    }

    /// The datagen sources by name.
    pub fn sources(&self) -> impl Iterator<Item = (&str, &str, &str, u64)> {
        self.sources
            .iter()
            .map(|(n, s)| (n.as_str(), s.producer.as_str(), s.topic.as_str(), s.rate))
    }
}
