//! Commands that run in steps. `generate`, `tick` and `play` can take seconds; begun with
//! [`Runner::begin`], they advance a bounded amount of work per [`Runner::step`], so that a
//! caller can yield between steps (the browser does, every few milliseconds). A command can
//! also be cut short ([`Runner::cut`]): what it did so far is what a shorter command does.

use super::*;

/// A command partway through.
#[derive(Clone, Debug)]
pub struct Running {
    line: usize,
    command: Command,
    out: Vec<Output>,
    work: Work,
    /// For a `play`, the records per second its datagen sends as it begins.
    play_rate: Option<u64>,
}

#[derive(Clone, Debug)]
enum Work {
    Generate(Generating),
    Tick {
        from: SimTime,
        to: SimTime,
    },
    Play {
        from: SimTime,
        end: SimTime,
        step: u64,
    },
    Ended(Result<Vec<String>, Stop>),
}

/// A `generate` partway: the next record's index and the ids queued so far.
#[derive(Clone, Debug)]
pub(super) struct Generating {
    pub(super) producer: ProducerHandle,
    pub(super) next: u64,
    pub(super) sent: Option<(u64, u64)>,
    /// The randomness before the first record, restored if none is queued.
    pub(super) rng: Rng,
    /// The bytes the budget counted for all of its records, and what it held before.
    pub(super) asked: (u64, u64),
    pub(super) key: String,
    pub(super) value: String,
}

/// How far a command has got: `done` of `total` (records for `generate`, simulated
/// milliseconds for `tick` and `play`, 1 of 1 for the others once ended).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Work done.
    pub done: u64,
    /// All its work.
    pub total: u64,
}

impl Running {
    /// Its line in the script.
    pub fn line(&self) -> usize {
        self.line
    }

    /// For a `play`, the records per second its datagen sent as it began.
    pub fn play_rate(&self) -> Option<u64> {
        self.play_rate
    }

    /// The command.
    pub fn command(&self) -> &Command {
        &self.command
    }

    /// Whether its work is done: [`Runner::finish`] gives its outputs.
    pub fn is_done(&self) -> bool {
        matches!(self.work, Work::Ended(_))
    }
}

impl Runner {
    /// Starts a command: its checks, and all of it unless it is a `generate`, `tick` or
    /// `play`, which go on in [`Runner::step`].
    pub fn begin(&mut self, line: usize, command: &Command) -> Running {
        let play_rate = matches!(command, Command::Play { .. }).then(|| self.datagen_rate());
        let mut out = Vec::new();
        let work = match self.start_work(command) {
            Some(Ok(work)) => work,
            Some(Err(error)) => Work::Ended(Err(error.into())),
            None => Work::Ended(self.execute(line, command, &mut out)),
        };
        Running {
            line,
            command: command.clone(),
            out,
            work,
            play_rate,
        }
    }

    /// The checks of a command that runs in steps, and its first state; `None` for the others.
    fn start_work(&mut self, command: &Command) -> Option<Result<Work, Error>> {
        Some(match command {
            Command::Generate {
                producer,
                topic,
                count,
                key,
                value,
                partition,
            } => {
                let before = self.bytes_counted();
                self.check_generate(producer, topic, *count, key, value, *partition)
                    .map(|(h, asked)| {
                        Work::Generate(Generating {
                            producer: h,
                            next: 0,
                            sent: None,
                            rng: self.rng.clone(),
                            asked: (asked, before),
                            key: String::new(),
                            value: String::new(),
                        })
                    })
            }
            Command::Tick(ms) => {
                let from = self.cluster.now();
                let to = from + *ms;
                self.cluster
                    .begin_advance(to)
                    .map(|()| Work::Tick { from, to })
            }
            Command::Play { duration, step } => {
                let from = self.cluster.now();
                let step = (*step).max(1);
                self.check_play(*duration, step).map(|()| Work::Play {
                    from,
                    end: SimTime(from.0.saturating_add(*duration)),
                    step,
                })
            }
            _ => return None,
        })
    }

    /// Runs about `units` records' worth of the command (at least one record, deadline or
    /// clock step); whether its work is done.
    pub fn step(&mut self, running: &mut Running, units: u64) -> bool {
        let Running {
            line,
            command,
            out,
            work,
            ..
        } = running;
        let result = match work {
            Work::Ended(_) => return true,
            Work::Generate(g) => match command {
                Command::Generate {
                    producer,
                    topic,
                    count,
                    key,
                    value,
                    partition,
                } => {
                    let until = g.next.saturating_add(units.max(1)).min(*count);
                    let record = (topic.as_str(), *partition, key.as_ref(), value.as_ref());
                    match self.generate_until(producer, record, g, until) {
                        Ok(()) if g.next < *count => return false,
                        Ok(()) => Ok(Vec::new()),
                        Err(e) => Err(self.generate_failed(g, e)),
                    }
                }
                _ => Ok(Vec::new()),
            },
            Work::Tick { to, .. } => {
                if !self.cluster.advance_toward(*to, (units / 256).max(1)) {
                    return false;
                }
                let now = self.cluster.now();
                out.push(Output::new(*line, Event::Clock { now }));
                Ok(Vec::new())
            }
            Work::Play { from, end, step } => {
                let mut spent = 0;
                let mut refused = None;
                while self.cluster.now() < *end && spent < units.max(1) {
                    let span = (*step).min(end.0 - self.cluster.now().0);
                    if let Err(e) = self.check_play_step_bytes(span) {
                        refused = Some(e);
                        break;
                    }
                    spent += 1 + self.play_step(*line, *step, *end, out);
                }
                match refused {
                    // Refused at its first step, it changed nothing.
                    Some(e) if self.cluster.now() == *from => Err(e.into()),
                    Some(e) => Err(Stop::after_effects(e)),
                    None if self.cluster.now() < *end => return false,
                    None => Ok(Vec::new()),
                }
            }
        };
        if let (Work::Generate(g), Command::Generate { producer, .. }) = (&*work, &*command) {
            self.keep_generated(producer, g);
        }
        *work = Work::Ended(result);
        true
    }

    /// A `generate` ends: its records' deliveries are reported as one summary.
    fn keep_generated(&mut self, producer: &str, g: &Generating) {
        if let Some(ids) = g.sent {
            self.bulk.entry(producer.into()).or_default().push(ids);
        }
    }

    /// How far the command has got.
    pub fn progress(&self, running: &Running) -> Progress {
        let now = self.cluster.now().0;
        let (done, total) = match (&running.work, &running.command) {
            (Work::Generate(g), Command::Generate { count, .. }) => (g.next, *count),
            (Work::Tick { from, to }, _) => (now - from.0, to.0 - from.0),
            (Work::Play { from, end, .. }, _) => (now - from.0, end.0 - from.0),
            _ => (1, 1),
        };
        Progress { done, total }
    }

    /// Ends a command whose work is done: its outputs, first the command's own result, then
    /// what happened because of it.
    pub fn finish(&mut self, running: Running) -> Result<Vec<Output>, Failure> {
        let Running {
            line,
            command,
            mut out,
            work,
            ..
        } = running;
        let result = match work {
            Work::Ended(result) => result,
            // Not done: what it did so far stands (see [`Runner::cut`]).
            _ => Ok(Vec::new()),
        };
        let (warnings, failure) = match result {
            Ok(warnings) => (warnings, None),
            Err(Stop { error, took_effect }) => (Vec::new(), Some((error, took_effect))),
        };
        let status = Event::Command {
            command: command.to_string(),
            warnings,
            error: failure.as_ref().map(|(e, _)| e.clone()),
        };
        out.insert(0, Output::new(line, status));
        let took_effect = failure.as_ref().is_none_or(|(_, took)| *took);
        if took_effect {
            self.count_command();
            self.started |= !matches!(command, Command::Seed(_) | Command::Broker(_));
            let now = self.cluster.now();
            // A zero-length step runs no periodic broker work, so it is always within the bound.
            let _ = self.cluster.advance_to(now);
            self.drain(line, &mut out);
        }
        match failure {
            None => Ok(out),
            Some((error, took_effect)) => Err(Failure {
                error,
                took_effect,
                outputs: out,
            }),
        }
    }

    /// Cuts a command short: it ends with what it did so far, which is what the command
    /// returned with it does (`generate` with the records queued so far, `tick` and `play`
    /// to the time reached). `None`: it had done nothing, and nothing changed.
    pub fn cut(&mut self, mut running: Running) -> Option<(Command, Result<Vec<Output>, Failure>)> {
        let now = self.cluster.now();
        let cut = match (&running.work, &running.command) {
            (Work::Ended(_), command) => command.clone(),
            (Work::Generate(g), Command::Generate { .. }) if g.next == 0 => {
                self.count_cut_bytes(g.asked, 0);
                return None;
            }
            (
                Work::Generate(g),
                Command::Generate {
                    producer,
                    topic,
                    key,
                    value,
                    partition,
                    ..
                },
            ) => {
                self.keep_generated(producer, g);
                // The budget counts what the cut command asks for, as its replay will.
                let templates = (key.as_ref(), value.as_ref());
                let h = (g.producer, producer.as_str());
                let cut = self.generate_asked(h, topic, *partition, templates, g.next);
                self.count_cut_bytes(g.asked, cut);
                Command::Generate {
                    producer: producer.clone(),
                    topic: topic.clone(),
                    count: g.next,
                    key: key.clone(),
                    value: value.clone(),
                    partition: *partition,
                }
            }
            (Work::Tick { from, .. }, _) => Command::Tick(now - *from),
            (Work::Play { from, .. }, _) if now == *from => return None,
            (Work::Play { from, step, .. }, _) => Command::Play {
                duration: now - *from,
                step: *step,
            },
            (_, command) => command.clone(),
        };
        if let Work::Tick { .. } = running.work {
            let now = self.cluster.now();
            running
                .out
                .push(Output::new(running.line, Event::Clock { now }));
        }
        running.command = cut.clone();
        running.work = match running.work {
            Work::Ended(result) => Work::Ended(result),
            _ => Work::Ended(Ok(Vec::new())),
        };
        Some((cut, self.finish(running)))
    }
}
