//! The playground's state: the script, the runner it drives, and what the views show.
//!
//! Every change is an [`Action`]; every action that changes the cluster is a script
//! [`Command`], so the script always replays to the state on screen. Testable without a
//! browser.

use core::cell::RefCell;
use litemap::LiteMap;
use std::collections::VecDeque;
use std::rc::Rc;

use logplay_core::consumer::RebalanceEvent;
use logplay_core::registry::Incompatibility;
use logplay_core::script::link;
use logplay_core::script::{
    self, Command, Event, Failure, Output, Replay, ReplayProgress, Runner, Script, Session,
};
use yew::Reducible;

/// Output lines kept for the console.
pub const FEED_LEN: usize = 40;
/// Polled records kept per consumer.
pub const POLLED_LEN: usize = 10;
/// Lag samples kept per consumer (the sparkline).
pub const LAG_SAMPLES: usize = 60;
/// The simulated step of play and step: consumers poll every 100 ms.
pub const STEP_MS: u64 = 100;
/// Real milliseconds between two frames while playing.
pub const FRAME_MS: u32 = 100;
/// Playgrounds kept when a link, a recipe or New replaced them: the newest ones.
pub const KEPT_LEN: usize = 8;
/// The most records' worth of work one frame of play does: at high speed with heavy
/// datagen the clock falls behind rather than blocking the page, and the play's step is
/// shortened so that one step sends no more.
pub const FRAME_UNITS: u64 = 20_000;
/// The speeds on offer.
pub const SPEEDS: [f64; 8] = [0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 50.0, 100.0];

/// Where an action came from, so a refusal shows beside the form that caused it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The topic form.
    Topic,
    /// The brokers' buttons.
    Broker,
    /// The produce form.
    Produce,
    /// The new-producer form.
    Producer,
    /// The datagen form.
    Datagen,
    /// The new-consumer form.
    Consumer,
    /// A button on a producer's card.
    ProducerCard,
    /// A button on a consumer's card.
    ConsumerCard,
    /// The clock controls.
    Clock,
    /// The console's command line.
    Console,
    /// The script editor.
    Script,
    /// The schema registry panel.
    Registry,
    /// The connectors panel.
    Connector,
}

/// A refused action: where, and Kafka's error text (or the parser's, with line and column).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The form it came from.
    pub origin: Origin,
    /// What went wrong.
    pub text: String,
}

/// A record a consumer polled, as shown in its panel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Polled {
    /// `topic-partition@offset`.
    pub at: String,
    /// The key as text.
    pub key: String,
    /// The value as text (the JSON, when a deserializer decoded it).
    pub value: String,
    /// The value's schema id, when a deserializer decoded it.
    pub schema_id: Option<u64>,
}

/// The registry's answer to the last `schema check`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompatibilityCheck {
    /// The subject.
    pub subject: String,
    /// The level it was checked under.
    pub level: String,
    /// Why the schema may not be registered (`None`: it may).
    pub incompatibility: Option<Incompatibility>,
}

impl CompatibilityCheck {
    /// Whether the schema may be registered.
    pub fn compatible(&self) -> bool {
        self.incompatibility.is_none()
    }
}

/// A consumer's last rebalance: what it gave up and what it got.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rebalance {
    /// Counts rebalances, so the view can restart its animation.
    pub serial: u64,
    /// Partitions revoked (or lost).
    pub revoked: Vec<String>,
    /// Partitions assigned.
    pub assigned: Vec<String>,
}

/// What a person can do.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Applies commands in order, stopping at the first refused one.
    Run(Origin, Vec<Command>),
    /// Lines typed in the console.
    Console(String),
    /// Replays an edited script from scratch.
    Replay(String),
    /// How the page starts: the saved playground, then the link in the address bar if any.
    Start(Start),
    /// Opens a share link (the text after `#s=`) as a scenario of its own: the playground
    /// it replaces is kept, one click away (as recipes and New keep it).
    OpenLink(String),
    /// Brings back the newest kept playground; the one open goes to the back of the kept.
    RestoreKept,
    /// Restores a script saved in this browser.
    Restore(String),
    /// Loads a recipe's script; the playground it replaces is kept.
    Recipe(&'static str),
    /// Starts an empty playground; the one it replaces is kept.
    New,
    /// Plays or pauses the clock.
    Playing(bool),
    /// Sets the speed.
    Speed(f64),
    /// Real time passed while playing.
    Frame(u32),
    /// One step of the clock.
    Step,
    /// Hides the notice.
    Dismiss,
    /// Runs about this many records' worth of the replay in progress.
    Slice(u64),
    /// Stops the replay in progress: what it applied stays, and the script is cut there.
    Cancel,
    /// A form refused its own input before making a command of it.
    Refuse(Origin, String),
}

/// A message for the whole page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// What happened, for the person's information.
    Info(String),
    /// Something did not work.
    Problem(String),
}

impl Notice {
    /// Its text.
    pub fn text(&self) -> &str {
        match self {
            Self::Info(text) | Self::Problem(text) => text,
        }
    }
}

/// What the page starts from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Start {
    /// The link in the address bar (what follows `#s=`).
    pub link: Option<String>,
    /// The script this browser saved.
    pub saved: Option<String>,
    /// The playgrounds kept earlier, oldest first.
    pub kept: Vec<String>,
    /// Replays run in slices ([`Action::Slice`]) rather than all at once.
    pub sliced: bool,
}

/// A script being replayed a slice at a time.
#[derive(Clone, Debug)]
struct Replaying {
    replay: Replay,
    /// The refused lines so far, as the script editor shows them.
    failures: Vec<String>,
}

/// The playground.
#[derive(Clone, Debug)]
pub struct Playground {
    session: Session,
    /// The last refused action.
    pub refusal: Option<Refusal>,
    /// A message for the whole page (a link that did not open, a playground kept).
    pub notice: Option<Notice>,
    /// The playgrounds a link, a recipe or New replaced, as scripts, oldest first (at most
    /// [`KEPT_LEN`]): [`Action::RestoreKept`] brings back the newest.
    pub kept: Vec<String>,
    /// What the loaded recipe teaches (its leading comment).
    pub lesson: Option<String>,
    /// The latest outputs, as JSON lines, newest last.
    pub feed: VecDeque<String>,
    /// The last `schema check` result.
    pub last_check: Option<CompatibilityCheck>,
    // Keyed by consumer. A flat sorted map: a few entries each, and less code in the
    // download than a `BTreeMap` per key and value type.
    polled: LiteMap<String, VecDeque<Polled>>,
    lag: LiteMap<String, VecDeque<i64>>,
    rebalances: LiteMap<String, Rebalance>,
    /// Whether the clock is playing.
    pub playing: bool,
    /// Simulated milliseconds per real millisecond.
    pub speed: f64,
    carry_ms: f64,
    /// Replays run in slices (the page does; tests replay at once).
    sliced: bool,
    replaying: Option<Replaying>,
}

impl Default for Playground {
    fn default() -> Self {
        Self {
            // Polls report only the records the consumer panels show.
            session: Session::with_records_per_poll(Some(POLLED_LEN)),
            refusal: None,
            notice: None,
            kept: Vec::new(),
            lesson: None,
            feed: VecDeque::new(),
            last_check: None,
            polled: LiteMap::new(),
            lag: LiteMap::new(),
            rebalances: LiteMap::new(),
            playing: false,
            speed: 1.0,
            carry_ms: 0.0,
            sliced: false,
            replaying: None,
        }
    }
}

impl Playground {
    /// The runner (and through it, the cluster).
    pub fn runner(&self) -> &Runner {
        self.session.runner()
    }

    /// The script of everything done so far.
    pub fn script(&self) -> &Script {
        self.session.script()
    }

    /// The script as text.
    pub fn script_text(&self) -> String {
        script::print(self.session.script())
    }

    /// The share link's payload (what follows `#s=`).
    pub fn link(&self) -> String {
        link::encode(self.session.script())
    }

    /// A consumer's latest polled records, newest last.
    pub fn polled(&self, consumer: &str) -> impl Iterator<Item = &Polled> {
        self.polled.get(consumer).into_iter().flatten()
    }

    /// A consumer's lag samples, oldest first.
    pub fn lag_history(&self, consumer: &str) -> Vec<i64> {
        self.lag
            .get(consumer)
            .map(|l| l.iter().copied().collect())
            .unwrap_or_default()
    }

    /// A consumer's last rebalance.
    pub fn rebalance(&self, consumer: &str) -> Option<&Rebalance> {
        self.rebalances.get(consumer)
    }

    /// Whether a replay is in progress: until it ends, only [`Action::Slice`],
    /// [`Action::Cancel`] and [`Action::Dismiss`] are taken.
    pub fn is_replaying(&self) -> bool {
        self.replaying.is_some()
    }

    /// How far the replay in progress has got, the records the logs hold so far, and the
    /// command running.
    pub fn replay_progress(&self) -> Option<(ReplayProgress, u64, Option<String>)> {
        let r = self.replaying.as_ref()?;
        let records = self.runner().usage().records;
        let command = r.replay.current().map(ToString::to_string);
        Some((r.replay.progress(&self.session), records, command))
    }

    /// Applies an action.
    pub fn apply(&mut self, action: Action) {
        let during_replay = matches!(action, Action::Slice(_) | Action::Cancel | Action::Dismiss);
        if self.replaying.is_some() && !during_replay {
            return;
        }
        match action {
            Action::Run(origin, commands) => {
                self.refusal = None;
                for c in commands {
                    if let Err(text) = self.run(c) {
                        self.refuse(origin, text);
                        break;
                    }
                }
                self.sample_lag();
            }
            Action::Console(text) => match script::parse(&text) {
                Err(e) => self.refuse(Origin::Console, format!("`{}`: {e}", text.trim())),
                Ok(parsed) => {
                    self.refusal = None;
                    for (_, c) in parsed.commands {
                        let shown = c.to_string();
                        if let Err(e) = self.run(c) {
                            self.refuse(Origin::Console, format!("`{shown}`: {e}"));
                            break;
                        }
                    }
                    self.sample_lag();
                }
            },
            Action::Replay(text) => match script::parse(&text) {
                Err(e) => self.refuse(Origin::Script, e.to_string()),
                Ok(parsed) => self.replay(parsed),
            },
            Action::Start(start) => {
                self.kept = start.kept;
                self.kept.retain(|k| !k.trim().is_empty());
                self.sliced = start.sliced;
                let link = start.link.map(|l| link::decode(&l));
                match (link, start.saved) {
                    // The link opens as its own scenario; the saved playground is kept.
                    (Some(Ok(parsed)), saved) => {
                        self.open_link(saved.unwrap_or_default(), parsed);
                    }
                    (Some(Err(e)), saved) => {
                        if let Some(saved) = saved {
                            self.apply(Action::Restore(saved));
                        }
                        self.link_not_opened(&e);
                    }
                    (None, Some(saved)) => self.apply(Action::Restore(saved)),
                    (None, None) => {}
                }
            }
            Action::OpenLink(text) => match link::decode(&text) {
                Ok(parsed) => self.open_link(self.script_text(), parsed),
                // Nothing changes: the playground stays as it was, and so does what is saved.
                Err(e) => self.link_not_opened(&e),
            },
            Action::RestoreKept => {
                let Some(text) = self.kept.pop() else {
                    return;
                };
                match script::parse(&text) {
                    Ok(parsed) => {
                        let current = self.script_text();
                        let mut kept = core::mem::take(&mut self.kept);
                        self.replay(parsed);
                        // The one that was open goes to the back: each Restore steps to the
                        // next kept playground, and none is lost.
                        if !current.trim().is_empty() {
                            kept.retain(|k| *k != current);
                            kept.insert(0, current);
                        }
                        self.kept = kept;
                        self.notice = Some(Notice::Info(
                            "Your kept playground is back, and the one you had open is kept: “Restore kept” steps through them.".into(),
                        ));
                    }
                    Err(e) => {
                        self.kept.insert(0, text);
                        self.notice = Some(Notice::Problem(format!(
                            "A kept playground does not parse and was not restored ({e}); it stays kept."
                        )));
                    }
                }
            }
            Action::Restore(text) => match script::parse(&text) {
                Ok(parsed) => self.replay(parsed),
                // Its text is kept, not written over by the empty playground.
                Err(e) => {
                    self.empty();
                    keep(&mut self.kept, text);
                    self.notice = Some(Notice::Problem(format!(
                        "The saved playground does not parse and was not opened ({e}); its text is kept. The playground is empty."
                    )));
                }
            },
            Action::Recipe(text) => match script::parse(text) {
                Ok(parsed) => {
                    let own = self.script_text();
                    let incoming = script::print(&parsed);
                    self.replay(parsed);
                    self.lesson = Some(lesson(text));
                    self.keep_replaced(own, &incoming, "You loaded a recipe.");
                }
                Err(e) => self.refuse(Origin::Script, e.to_string()),
            },
            Action::New => {
                let own = self.script_text();
                self.empty();
                self.keep_replaced(own, "", "You started a new playground.");
            }
            Action::Playing(on) => {
                self.playing = on;
                self.carry_ms = 0.0;
            }
            Action::Speed(speed) if speed.is_finite() => {
                self.speed = speed.clamp(SPEEDS[0], SPEEDS[SPEEDS.len() - 1]);
            }
            Action::Speed(_) => {}
            Action::Frame(real_ms) => {
                if !self.playing {
                    return;
                }
                self.carry_ms += f64::from(real_ms) * self.speed;
                let steps = (self.carry_ms / STEP_MS as f64).floor();
                if steps >= 1.0 {
                    self.carry_ms -= steps * STEP_MS as f64;
                    self.play(steps as u64 * STEP_MS);
                }
            }
            Action::Step => self.play(STEP_MS),
            Action::Dismiss => self.notice = None,
            Action::Slice(units) => self.slice(units),
            Action::Cancel => self.cancel(),
            Action::Refuse(origin, text) => self.refuse(origin, text),
        }
    }

    /// Plays the clock for `duration`, or as much of it as [`FRAME_UNITS`] of work allows:
    /// the play is recorded as far as it got.
    fn play(&mut self, duration: u64) {
        self.refusal = None;
        // Heavy datagen sends more than a frame's work per 100 ms step: shorter steps then.
        let per_second = self.runner().datagen_rate().max(1);
        let step = STEP_MS.min((FRAME_UNITS * 1000 / per_second).max(1));
        let command = Command::Play { duration, step };
        let line = self.script().commands.len() + 1;
        let mut running = self.session.begin(line, &command);
        let result = if self.session.step(&mut running, FRAME_UNITS) {
            Some(self.session.finish(running))
        } else {
            self.session.cut(running)
        };
        if let Some(Err(text)) = result.map(|r| self.outcome(r)) {
            self.playing = false;
            self.refuse(Origin::Clock, text);
        }
        self.sample_lag();
    }

    fn open_link(&mut self, own: String, parsed: Script) {
        let incoming = script::print(&parsed);
        self.replay(parsed);
        self.keep_replaced(own, &incoming, "You opened a shared scenario.");
    }

    fn link_not_opened(&mut self, e: &link::LinkError) {
        self.notice = Some(Notice::Problem(format!(
            "This link was not opened: {e}. Your playground is as you left it."
        )));
    }

    fn refuse(&mut self, origin: Origin, text: String) {
        self.refusal = Some(Refusal { origin, text });
    }

    /// An empty playground, with the kept ones.
    fn empty(&mut self) {
        *self = Self {
            kept: core::mem::take(&mut self.kept),
            sliced: self.sliced,
            ..Self::default()
        };
    }

    /// Keeps `own`, the playground an action just replaced with `incoming`, unless it was
    /// empty or the same, and says so after `what` happened.
    fn keep_replaced(&mut self, own: String, incoming: &str, what: &str) {
        if own.trim().is_empty() || own == incoming {
            return;
        }
        keep(&mut self.kept, own);
        self.notice = Some(Notice::Info(format!(
            "{what} Your own playground was kept: “Restore kept” brings it back."
        )));
    }

    /// Replays a script from scratch; failed commands are reported, and refused ones left
    /// out. In slices when the page asked for them, else at once.
    fn replay(&mut self, parsed: Script) {
        let (playing, speed, kept) = (self.playing, self.speed, core::mem::take(&mut self.kept));
        *self = Self {
            playing,
            speed,
            kept,
            sliced: self.sliced,
            ..Self::default()
        };
        self.replaying = Some(Replaying {
            replay: Replay::new(parsed),
            failures: Vec::new(),
        });
        if !self.sliced {
            while self.replaying.is_some() {
                self.slice(u64::MAX);
            }
        }
    }

    /// Runs about `units` records' worth of the replay in progress.
    fn slice(&mut self, units: u64) {
        let Some(mut r) = self.replaying.take() else {
            return;
        };
        let mut results = Vec::new();
        let done = r
            .replay
            .step(&mut self.session, units, |result| results.push(result));
        for result in results {
            self.replayed(result, &mut r.failures);
        }
        if done {
            self.end_replay(r.failures);
        } else {
            self.replaying = Some(r);
        }
    }

    /// Stops the replay in progress; the notice says where, and that the script ends there.
    fn cancel(&mut self) {
        let Some(mut r) = self.replaying.take() else {
            return;
        };
        let (cut, at) = r.replay.cancel(&mut self.session);
        let partway = cut.is_some();
        if let Some(result) = cut {
            self.replayed(result, &mut r.failures);
        }
        self.end_replay(r.failures);
        let Some(at) = at else {
            return;
        };
        let kept = if partway {
            format!(
                "line {at} ran partway (the script now holds what it did) and nothing after it ran"
            )
        } else {
            format!("line {at} and the lines after it did not run")
        };
        self.notice = Some(Notice::Info(format!(
            "The replay was cancelled: {kept}. The playground is usable as it is."
        )));
    }

    fn replayed(&mut self, result: Result<Vec<Output>, Failure>, failures: &mut Vec<String>) {
        let line = match &result {
            Ok(outputs) => outputs.first(),
            Err(f) => f.outputs.first(),
        }
        .map_or(0, |o| o.line);
        if let Err(text) = self.outcome(result) {
            failures.push(format!("line {line}: {text}"));
        }
    }

    /// Ends a replay: refused lines are shown under the script, and the first one at the top
    /// of the page too, after what the notice already said.
    fn end_replay(&mut self, failures: Vec<String>) {
        self.sample_lag();
        let Some(first) = failures.first() else {
            return;
        };
        let before = self
            .notice
            .take()
            .map(|n| format!("{} ", n.text()))
            .unwrap_or_default();
        let more = match failures.len() {
            1 => String::new(),
            n => format!(" ({} more under the script)", n - 1),
        };
        self.notice = Some(Notice::Problem(format!(
            "{before}Refused, {first}{more}. The rest of the script ran."
        )));
        self.refuse(Origin::Script, failures.join("\n"));
    }

    /// Applies one command through the session, which records it if it took effect.
    fn run(&mut self, command: Command) -> Result<(), String> {
        let result = self.session.apply(command);
        self.outcome(result)
    }

    /// Shows what a command did; a failure as Kafka's error name and message.
    fn outcome(&mut self, result: Result<Vec<Output>, Failure>) -> Result<(), String> {
        match result {
            Ok(outputs) => {
                self.observe(&outputs);
                Ok(())
            }
            Err(failure) => {
                if failure.took_effect {
                    self.observe(&failure.outputs);
                }
                Err(format!(
                    "{}: {}",
                    failure.error.code.name(),
                    failure.error.message
                ))
            }
        }
    }

    fn observe(&mut self, outputs: &[Output]) {
        // Consumers that gave up partitions in these outputs: an assignment that follows
        // completes the same rebalance.
        let mut revoking: Vec<&str> = Vec::new();
        let mut records_left: LiteMap<&str, usize> = LiteMap::new();
        for o in outputs {
            if let Event::Record(r) = &o.event {
                *records_left.entry(r.consumer.as_str()).or_default() += 1;
            }
        }
        for o in outputs {
            match &o.event {
                Event::Record(r) => {
                    // Only a consumer's last POLLED_LEN records of these outputs are kept.
                    let left = records_left.entry(r.consumer.as_str()).or_default();
                    *left = left.saturating_sub(1);
                    if *left >= POLLED_LEN {
                        continue;
                    }
                    let polled = self.polled.entry(r.consumer.clone()).or_default();
                    if polled.len() == POLLED_LEN {
                        polled.pop_front();
                    }
                    let m = &r.message;
                    let text = |decoded: &Option<(u32, String)>, bytes: Option<&[u8]>| {
                        decoded.as_ref().map_or_else(
                            || bytes.map_or_else(|| "null".into(), crate::view::bytes_text),
                            |(_, json)| crate::view::visible(json),
                        )
                    };
                    polled.push_back(Polled {
                        at: format!("{}-{}@{}", m.topic(), m.partition(), m.offset()),
                        key: text(&r.key, m.key()),
                        value: text(&r.value, m.value()),
                        schema_id: r.value.as_ref().map(|(id, _)| u64::from(*id)),
                    });
                }
                Event::PollFailed { consumer, error } => {
                    let text = format!("{consumer}: {}: {}", error.code.name(), error.message);
                    self.refuse(Origin::ConsumerCard, text);
                }
                Event::Compatibility {
                    subject,
                    level,
                    incompatibility,
                } => {
                    self.last_check = Some(CompatibilityCheck {
                        subject: subject.clone(),
                        level: level.name().to_string(),
                        incompatibility: incompatibility.clone(),
                    });
                }
                Event::Rebalance { consumer, callback } => {
                    let r = self.rebalances.entry(consumer.clone()).or_default();
                    let partitions: Vec<String> = callback
                        .partitions()
                        .iter()
                        .map(|(t, p)| format!("{t}:{p}"))
                        .collect();
                    let assigned = matches!(callback, RebalanceEvent::Assigned(_));
                    if assigned && revoking.contains(&consumer.as_str()) {
                        r.assigned = partitions;
                    } else {
                        r.serial += 1;
                        if assigned {
                            (r.revoked, r.assigned) = (Vec::new(), partitions);
                        } else {
                            (r.revoked, r.assigned) = (partitions, Vec::new());
                            revoking.push(consumer);
                        }
                    }
                }
                _ => {}
            }
        }
        let skip = outputs.len().saturating_sub(FEED_LEN);
        for o in &outputs[skip..] {
            if self.feed.len() == FEED_LEN {
                self.feed.pop_front();
            }
            self.feed.push_back(crate::view::visible(&o.to_json()));
        }
    }

    /// One lag sample per live consumer: the sum over its partitions.
    fn sample_lag(&mut self) {
        let runner = self.session.runner();
        let cluster = runner.cluster();
        let live: Vec<(String, i64)> = runner
            .clients()
            .filter(|(_, producer)| !producer)
            .filter_map(|(name, _)| {
                let h = runner.consumer(name)?;
                let lag = cluster
                    .assignment(h)
                    .ok()?
                    .iter()
                    .map(|a| a.lag.max(0))
                    .sum();
                Some((name.to_string(), lag))
            })
            .collect();
        self.lag
            .retain(|name, _| live.iter().any(|(n, _)| n == name));
        for (name, lag) in live {
            let samples = self.lag.entry(name).or_default();
            if samples.len() == LAG_SAMPLES {
                samples.pop_front();
            }
            samples.push_back(lag);
        }
    }
}

/// A recipe's leading comment lines, joined.
fn lesson(script: &str) -> String {
    script
        .lines()
        .map_while(|l| l.strip_prefix('#'))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Adds `script` as the newest kept playground (once), dropping the oldest past [`KEPT_LEN`].
fn keep(kept: &mut Vec<String>, script: String) {
    kept.retain(|k| *k != script);
    kept.push(script);
    if kept.len() > KEPT_LEN {
        kept.remove(0);
    }
}

/// The reducer Yew holds: the playground behind a shared cell, and a version that changes
/// with every action (cloning a cluster of a million records per action would not do).
#[derive(Clone, Debug, Default)]
pub struct Store {
    /// The playground.
    pub model: Rc<RefCell<Playground>>,
    /// Bumped by every action.
    pub version: u64,
}

impl PartialEq for Store {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version && Rc::ptr_eq(&self.model, &other.model)
    }
}

impl Reducible for Store {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        self.model.borrow_mut().apply(action);
        Rc::new(Store {
            model: Rc::clone(&self.model),
            version: self.version + 1,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::{create_topic, ConsumerInput, ProduceInput};
    use crate::recipes::RECIPES;
    use logplay_core::partitioner::partition_for_key;
    use std::collections::BTreeMap;

    fn run(p: &mut Playground, text: &str) {
        p.apply(Action::Console(text.to_string()));
        assert_eq!(p.refusal, None, "{text}");
    }

    fn hash(p: &Playground) -> u64 {
        p.runner().cluster().state_hash()
    }

    #[test]
    fn a_link_replays_to_the_same_state_after_frames_steps_and_forms() {
        let mut p = Playground::default();
        run(&mut p, "topic create orders partitions=3");
        p.apply(
            ProduceInput {
                producer: "producer-1".into(),
                topic: "orders".into(),
                key: "alice".into(),
                value: "{\"n\":1}".into(),
                json: true,
                ..Default::default()
            }
            .action(false),
        );
        for name in ["a", "b"] {
            p.apply(
                ConsumerInput {
                    name: name.into(),
                    group: "g".into(),
                    reset: "earliest".into(),
                    isolation: "read_uncommitted".into(),
                    auto_commit: true,
                    strategy: "range".into(),
                    mode: "subscribe".into(),
                    target: "orders".into(),
                    json_schema: false,
                }
                .action(),
            );
        }
        run(
            &mut p,
            "datagen start d producer-1 orders rate=50 key=k{i%7}",
        );
        p.apply(Action::Playing(true));
        p.apply(Action::Speed(10.0));
        for _ in 0..5 {
            p.apply(Action::Frame(FRAME_MS));
        }
        p.apply(Action::Step);
        p.apply(Action::Step);
        assert_eq!(p.refusal, None);
        // Five frames at ×10 and two steps are one play of 5.2 s.
        assert_eq!(p.runner().cluster().now().0, 5_200);
        assert!(
            p.script_text().ends_with("play 5200ms\n"),
            "{}",
            p.script_text()
        );

        let mut fresh = Playground::default();
        fresh.apply(Action::OpenLink(p.link()));
        assert_eq!(fresh.notice, None);
        assert_eq!(fresh.script_text(), p.script_text());
        assert_eq!(hash(&fresh), hash(&p));
        let group = fresh.runner().cluster().describe_group("g").ok();
        let owned: Vec<usize> = group
            .iter()
            .flat_map(|g| &g.members)
            .map(|m| m.assignment.len())
            .collect();
        assert_eq!(owned, vec![2, 1], "range gives a 2 partitions and b 1");
        assert!(fresh.polled("a").count() > 0 && fresh.polled("b").count() > 0);
    }

    fn sliced_start(link: String) -> Playground {
        let mut p = Playground::default();
        p.apply(Action::Start(Start {
            link: Some(link),
            sliced: true,
            ..Start::default()
        }));
        p
    }

    const HEAVY: &str = "topic create t partitions=3\nproducer p\ngenerate p t count=200000 key=k{i%9}\ntopic create u\n";

    #[test]
    fn a_link_opens_in_slices_that_report_their_progress_and_hold_other_actions() {
        let heavy = script::parse(HEAVY).unwrap();
        let (whole, _) = Session::run(&heavy);
        let mut p = sliced_start(link::encode(&heavy));
        assert!(p.is_replaying());
        // Input waits for the replay: it changes nothing meanwhile.
        p.apply(Action::Console("topic create other".into()));
        let mut fractions = Vec::new();
        while let Some((progress, records, command)) = p.replay_progress() {
            fractions.push(progress.fraction());
            if progress.commands_done == 2 && progress.command.done > 0 {
                assert!(command.is_some_and(|c| c.starts_with("generate")));
                assert!(records > 0);
            }
            p.apply(Action::Slice(20_000));
        }
        assert!(fractions.len() > 10, "{} slices", fractions.len());
        assert!(fractions.windows(2).all(|w| w[0] <= w[1]), "{fractions:?}");
        assert_eq!(hash(&p), whole.state_hash());
        assert_eq!(p.script_text(), script::print(whole.script()));
    }

    #[test]
    fn a_cancelled_link_keeps_what_it_applied_and_stays_usable() {
        let heavy = script::parse(HEAVY).unwrap();
        let mut p = sliced_start(link::encode(&heavy));
        for _ in 0..6 {
            p.apply(Action::Slice(20_000));
        }
        p.apply(Action::Cancel);
        assert!(!p.is_replaying());
        let text = p
            .notice
            .as_ref()
            .map(Notice::text)
            .unwrap_or_default()
            .to_string();
        assert!(text.contains("cancelled: line 3 ran partway"), "{text}");
        assert!(p.script_text().contains("generate p t count="));
        assert!(!p.script_text().contains("topic create u"));
        let (again, _) = Session::run(p.script());
        assert_eq!(hash(&p), again.state_hash());
        run(&mut p, "topic create after");
        assert!(p.runner().cluster().topic("after").is_ok());
    }

    #[test]
    fn a_link_the_budget_refuses_shows_why_and_leaves_a_usable_playground() {
        let value = "x".repeat(1000);
        let hostile =
            format!("topic create t\nproducer p\ngenerate p t count=10000000 value={value}\n");
        let mut p = sliced_start(link::encode(&script::parse(&hostile).unwrap()));
        while p.is_replaying() {
            p.apply(Action::Slice(u64::MAX));
        }
        let refusal = p
            .refusal
            .as_ref()
            .map(|r| r.text.clone())
            .unwrap_or_default();
        assert!(
            refusal.starts_with("line 3: POLICY_VIOLATION: this generate of 10000000 records"),
            "{refusal}"
        );
        assert!(refusal.contains("limits.bytes is 256.0 MiB"), "{refusal}");
        assert!(
            matches!(&p.notice, Some(Notice::Problem(n)) if n.contains("Refused, line 3: POLICY_VIOLATION")),
            "{:?}",
            p.notice
        );
        assert_eq!(p.script_text(), "topic create t partitions=1\nproducer p\n");
        run(&mut p, "topic create after");
    }

    #[test]
    fn a_frame_of_heavy_datagen_stops_at_its_work_bound_and_records_what_it_played() {
        let mut p = Playground::default();
        run(
            &mut p,
            "topic create t partitions=3\nproducer p linger.ms=0\ndatagen start d p t rate=1000000",
        );
        p.apply(Action::Speed(100.0));
        p.apply(Action::Playing(true));
        p.apply(Action::Frame(FRAME_MS));
        assert_eq!(p.refusal, None);
        // The frame asked for 10 s of clock, 10⁷ records: its steps shrink to 20 ms (2×10⁴
        // records, FRAME_UNITS) and one of them reaches the bound.
        assert_eq!(p.runner().cluster().now().0, 20);
        assert!(
            p.script_text().ends_with("play 20ms step=20ms\n"),
            "{}",
            p.script_text()
        );
        assert_eq!(p.runner().usage().records, 20_000);
    }

    #[test]
    fn slow_speeds_carry_real_time_over_frames() {
        let mut p = Playground::default();
        p.apply(Action::Playing(true));
        p.apply(Action::Speed(0.25));
        for _ in 0..3 {
            p.apply(Action::Frame(FRAME_MS));
        }
        assert_eq!(p.runner().cluster().now().0, 0);
        p.apply(Action::Frame(FRAME_MS));
        assert_eq!(p.runner().cluster().now().0, STEP_MS);
        p.apply(Action::Playing(false));
        p.apply(Action::Frame(FRAME_MS));
        assert_eq!(
            p.runner().cluster().now().0,
            STEP_MS,
            "paused: no time passes"
        );
        p.apply(Action::Speed(f64::NAN));
        p.apply(Action::Speed(1e9));
        assert_eq!(p.speed, 100.0, "speeds stay within ×0.25–×100");
    }

    #[test]
    fn refused_input_shows_kafkas_error_and_changes_nothing() {
        let mut p = Playground::default();
        run(&mut p, "topic create orders partitions=2");
        let (before, script) = (hash(&p), p.script_text());
        let cases = [
            (
                create_topic("bad name!", "1", "", ""),
                "INVALID_TOPIC_EXCEPTION",
            ),
            (create_topic("t", "0", "", ""), "INVALID_PARTITIONS"),
            (create_topic("t", "x", "", ""), "INVALID_PARTITIONS"),
            (
                create_topic("t", "1", "", "retention.mss=5"),
                "INVALID_CONFIG",
            ),
            (create_topic("orders", "1", "", ""), "TOPIC_ALREADY_EXISTS"),
            (
                Action::Console("produce nobody orders".into()),
                "INVALID_REQUEST",
            ),
            (
                Action::Console("topic create <b>x".into()),
                "line 1, column 14",
            ),
        ];
        for (action, expected) in cases {
            p.apply(action);
            let refusal = p.refusal.clone().map(|r| r.text).unwrap_or_default();
            assert!(
                refusal.contains(expected),
                "{refusal} should say {expected}"
            );
            assert_eq!(hash(&p), before);
            assert_eq!(p.script_text(), script);
        }
    }

    #[test]
    fn a_link_that_does_not_open_leaves_the_playground_as_it_was() {
        let mut p = Playground::default();
        run(&mut p, "topic create orders");
        let mut link = p.link();
        link.truncate(link.len() - 3);
        for (bad, says) in [
            (link, "damaged"),
            ("1.%%%".to_string(), "damaged"),
            ("garbage".to_string(), "not a logplay link"),
            (String::new(), "not a logplay link"),
            ("2.AAAA".to_string(), "newer logplay (link format 2)"),
        ] {
            let mut q = p.clone();
            q.apply(Action::OpenLink(bad));
            let notice = q.notice.as_ref().map_or("", Notice::text);
            assert!(matches!(q.notice, Some(Notice::Problem(_))));
            assert!(
                notice.contains("was not opened") && notice.contains(says),
                "{notice}"
            );
            assert!(notice.contains("as you left it"), "{notice}");
            assert_eq!(hash(&q), hash(&p));
            assert_eq!(q.script_text(), p.script_text());
            assert!(q.kept.is_empty());
        }
    }

    /// A link opens as its own scenario: the playground it replaces is kept, survives a
    /// restart of the page, and comes back with one action, which keeps the link's in turn.
    #[test]
    fn a_link_keeps_the_playground_it_replaces_one_click_away() {
        let mut own = Playground::default();
        run(&mut own, "topic create mine partitions=2");
        let mut shared = Playground::default();
        run(&mut shared, "topic create theirs");
        let mut p = own.clone();
        p.apply(Action::OpenLink(shared.link()));
        assert_eq!(hash(&p), hash(&shared));
        assert_eq!(p.kept, [own.script_text()]);
        assert!(matches!(&p.notice, Some(Notice::Info(text)) if text.contains("was kept")));

        // The page starts again from what the browser saved: the kept playground with it.
        let mut reloaded = Playground::default();
        reloaded.apply(Action::Start(Start {
            link: None,
            saved: Some(p.script_text()),
            kept: p.kept.clone(),
            sliced: false,
        }));
        assert_eq!(hash(&reloaded), hash(&shared));
        reloaded.apply(Action::RestoreKept);
        assert_eq!(hash(&reloaded), hash(&own));
        assert_eq!(reloaded.kept, [shared.script_text()]);

        // A page opened on a link over saved work: the saved work is what is kept.
        let mut start = Playground::default();
        start.apply(Action::Start(Start {
            link: Some(shared.link()),
            saved: Some(own.script_text()),
            kept: Vec::new(),
            sliced: false,
        }));
        assert_eq!(hash(&start), hash(&shared));
        assert_eq!(start.kept, [own.script_text()]);

        // Opening the scenario that is already open keeps nothing new.
        let mut same = shared.clone();
        same.apply(Action::OpenLink(shared.link()));
        assert_eq!((same.kept.len(), same.notice), (0, None));
    }

    /// Link after link, nothing is lost: each replaced playground is kept, and Restore steps
    /// back through all of them; one that does not parse stays kept, and so does a saved
    /// playground that does not parse.
    #[test]
    fn every_replaced_playground_stays_kept() {
        let scenario = |topic: &str| {
            let mut p = Playground::default();
            run(&mut p, &format!("topic create {topic}"));
            p
        };
        let (own, first, second) = (scenario("mine"), scenario("first"), scenario("second"));
        let mut p = own.clone();
        p.apply(Action::OpenLink(first.link()));
        run(&mut p, "topic create edited");
        let edited = p.script_text();
        p.apply(Action::OpenLink(second.link()));
        assert_eq!(p.kept, [own.script_text(), edited.clone()]);
        let mut seen = vec![p.script_text()];
        for _ in 0..3 {
            p.apply(Action::RestoreKept);
            seen.push(p.script_text());
        }
        assert_eq!(
            seen,
            [
                second.script_text(),
                edited,
                own.script_text(),
                second.script_text()
            ]
        );

        let mut q = own.clone();
        q.kept = vec!["topic create".into()];
        q.apply(Action::RestoreKept);
        assert_eq!(hash(&q), hash(&own));
        assert_eq!(q.kept, ["topic create"]);
        assert!(matches!(q.notice, Some(Notice::Problem(_))));

        let mut r = Playground::default();
        r.apply(Action::Start(Start {
            link: None,
            saved: Some("topic create".into()),
            kept: Vec::new(),
            sliced: false,
        }));
        assert_eq!(r.kept, ["topic create"]);
        assert!(matches!(r.notice, Some(Notice::Problem(_))));
    }

    /// A recipe or New replaces the playground the same way a link does: it is kept.
    #[test]
    fn a_recipe_or_new_keeps_the_playground_it_replaces() {
        let mut own = Playground::default();
        run(&mut own, "topic create mine");
        let mut p = own.clone();
        p.apply(Action::Recipe(RECIPES[0].script));
        assert_eq!(p.kept, [own.script_text()]);
        assert!(
            matches!(&p.notice, Some(Notice::Info(t)) if t.starts_with("You loaded a recipe."))
        );
        let recipe = p.script_text();
        p.apply(Action::New);
        assert_eq!(p.script_text(), "");
        assert_eq!(p.kept, [own.script_text(), recipe.clone()]);
        p.apply(Action::New);
        assert_eq!(p.kept.len(), 2, "an empty playground is not kept");
        p.apply(Action::RestoreKept);
        assert_eq!(p.script_text(), recipe);
    }

    #[test]
    fn an_edited_script_replays_or_reports_where_it_is_wrong() {
        let mut p = Playground::default();
        run(&mut p, "topic create a");
        p.apply(Action::Replay(
            "topic create b partitions=2\nproduce\n".into(),
        ));
        let text = p.refusal.clone().map(|r| r.text).unwrap_or_default();
        assert!(text.starts_with("line 2, column 8"), "{text}");
        assert_eq!(p.runner().cluster().list_topics(), vec!["a"]);
        p.apply(Action::Replay(
            "topic create b partitions=2\n# note\ntopic create c\n".into(),
        ));
        assert_eq!(p.runner().cluster().list_topics(), vec!["b", "c"]);
        assert_eq!(
            p.script_text(),
            "topic create b partitions=2\ntopic create c partitions=1\n"
        );
    }

    #[test]
    fn the_produce_form_creates_a_default_producer_and_keys_pick_kafkas_partition() {
        let mut p = Playground::default();
        run(&mut p, "topic create orders partitions=3");
        for key in ["alice", "bob", "carol", "dave"] {
            let exists = p.runner().producer("producer-1").is_some();
            p.apply(
                ProduceInput {
                    producer: "producer-1".into(),
                    topic: "orders".into(),
                    key: key.into(),
                    value: "v".into(),
                    headers: "trace=1, src=web".into(),
                    ..Default::default()
                }
                .action(exists),
            );
            assert_eq!(p.refusal, None);
        }
        p.apply(Action::Step);
        let topic = p.runner().cluster().topic("orders").ok();
        for (i, part) in topic.iter().flat_map(|t| t.partitions()).enumerate() {
            for r in part.log.read_from(0, i64::MAX) {
                let key = r.key.unwrap_or_default();
                assert_eq!(partition_for_key(key, 3) as usize, i);
                assert_eq!(r.headers().len(), 2);
            }
        }
        let total: u64 = topic
            .iter()
            .flat_map(|t| t.partitions())
            .map(|p| p.log.record_count())
            .sum();
        assert_eq!(total, 4);
    }

    #[test]
    fn a_rebalance_is_recorded_as_revoked_then_assigned() {
        let mut p = Playground::default();
        run(
            &mut p,
            "topic create t partitions=2\nconsumer a group.id=g\nsubscribe a t\nplay 3500ms",
        );
        assert_eq!(
            p.rebalance("a").map(|r| r.assigned.clone()),
            Some(vec!["t:0".to_string(), "t:1".to_string()])
        );
        run(&mut p, "consumer b group.id=g\nsubscribe b t\nplay 500ms");
        let r = p.rebalance("a").cloned().unwrap_or_default();
        assert_eq!(r.revoked, vec!["t:0".to_string(), "t:1".to_string()]);
        assert_eq!(r.assigned, vec!["t:0".to_string()]);
        assert_eq!(r.serial, 2);
    }

    #[test]
    fn every_recipe_runs_without_a_refusal() {
        for r in RECIPES {
            let mut p = Playground::default();
            p.apply(Action::Recipe(r.script));
            assert_eq!(p.refusal, None, "{}", r.id);
            assert!(
                p.lesson.as_deref().is_some_and(|l| l.len() > 20),
                "{}",
                r.id
            );
            let mut fresh = Playground::default();
            fresh.apply(Action::OpenLink(p.link()));
            assert_eq!(hash(&fresh), hash(&p), "{} replays from its link", r.id);
        }
    }

    #[test]
    fn the_recipes_teach_what_they_say() {
        let load = |id: &str| {
            let mut p = Playground::default();
            p.apply(Action::Recipe(
                crate::recipes::find(id).map_or("", |r| r.script),
            ));
            p
        };
        // Keys and ordering: each key's records sit on one partition, in send order.
        let p = load("keys-and-ordering");
        let alice: Vec<String> = p
            .polled("reader")
            .filter(|r| r.key == "alice")
            .map(|r| r.value.clone())
            .collect();
        assert_eq!(alice, ["alice: cart", "alice: pay", "alice: ship"]);
        // A rebalance: w1 closed, so w2 and w3 share all six partitions.
        let p = load("group-rebalance");
        let g = p.runner().cluster().describe_group("ledger").ok();
        let owned: Vec<(String, usize)> = g
            .iter()
            .flat_map(|g| &g.members)
            .map(|m| (m.client_id.clone(), m.assignment.len()))
            .collect();
        assert_eq!(owned, vec![("w2".to_string(), 3), ("w3".to_string(), 3)]);
        // Compaction: the latest value per key, and bob's tombstone gone.
        let p = load("retention-and-compaction");
        let profiles = p.runner().cluster().topic("profiles").ok();
        let table = profiles
            .map(|t| t.partitions()[0].log.table())
            .unwrap_or_default();
        assert_eq!(
            table.get(&b"alice"[..]).map(Vec::as_slice),
            Some(&b"v3"[..])
        );
        assert!(!table.contains_key(&b"bob"[..]));
        let clicks = p.runner().cluster().topic("clicks").ok();
        assert!(
            clicks.is_some_and(|t| t.partitions()[0].log.log_start_offset() > 0),
            "retention removed old clicks"
        );
        // At-least-once re-reads after the crash; at-most-once skips.
        let p = load("delivery-semantics");
        let first = |c: &str| p.polled(c).last().map(|r| r.at.clone()).unwrap_or_default();
        assert_eq!(
            first("alo"),
            "jobs-0@7",
            "alo re-read 4..7 after committing 4"
        );
        assert_eq!(
            first("amo"),
            "jobs-0@9",
            "amo resumed at 8, never finishing 4..7"
        );
        // Exactly-once: the read_committed reader sees each output once, despite the crash.
        let p = load("exactly-once");
        let once: Vec<String> = p.polled("exactly-once").map(|r| r.value.clone()).collect();
        assert_eq!(once, ["out-0", "out-1", "out-2", "out-3", "out-4", "out-5"]);
        assert_eq!(p.polled("all").filter(|r| r.value == "out-3").count(), 2);
        // Regex workers picked up the topic created later, and not the audit topic.
        let p = load("regex-workers");
        let seen: Vec<String> = ["worker-a", "worker-b"]
            .iter()
            .flat_map(|w| p.polled(w))
            .map(|r| r.at.clone())
            .collect();
        assert!(
            seen.iter().any(|a| a.starts_with("events-refunds")),
            "{seen:?}"
        );
        assert!(!seen.iter().any(|a| a.starts_with("audit")));
    }

    #[test]
    fn the_ecosystem_recipes_teach_what_they_say() {
        let load = |id: &str| {
            let mut p = Playground::default();
            p.apply(Action::Recipe(
                crate::recipes::find(id).map_or("", |r| r.script),
            ));
            p
        };
        // JSON batches: snappy, and the batch read but not committed is read again.
        let p = load("json-batches");
        let r = p.runner();
        let phq = r.cluster().producer(r.producer("phq").unwrap()).unwrap();
        assert_eq!(phq.config().compression.name(), "snappy");
        let reread: Vec<String> = p.polled("batcher-2").map(|r| r.at.clone()).collect();
        assert!(reread.contains(&"events-0@10".to_string()), "{reread:?}");
        // Named workers: two indexer instances split dev-orders and dev-emails; the mailer
        // alone has both dev-emails partitions.
        let p = load("topic-prefix-workers");
        let r = p.runner();
        let parts = |c: &str| {
            r.cluster()
                .assignment(r.consumer(c).unwrap())
                .unwrap()
                .len()
        };
        assert_eq!(
            (parts("indexer-1"), parts("indexer-2"), parts("mailer-1")),
            (2, 2, 2)
        );
        // Replicas: each reads only its partition; the restarted one resumes from its commit.
        let p = load("replication-group");
        for (i, c) in ["replica-0", "replica-1", "replica-2"].iter().enumerate() {
            assert!(
                p.polled(c)
                    .all(|r| r.at.starts_with(&format!("stage-1-{i}@"))),
                "{c}"
            );
        }
        let committed = p
            .runner()
            .cluster()
            .committed_offset("operator", "stage-1", 1);
        assert!(committed.is_some_and(|o| o > 0));
        // Schema evolution: each record carries the id of the version it was written with.
        let p = load("schema-evolution");
        let mut ids: Vec<(String, Option<u64>)> = p
            .polled("typed")
            .map(|r| (r.key.clone(), r.schema_id))
            .collect();
        ids.sort();
        assert_eq!(ids, [("o1".into(), Some(2)), ("o2".into(), Some(3))]);
        // The lesson's claims: the open model refuses the optional field, the closed one
        // takes it (version 2 above) and refuses a required one.
        let checks: Vec<&String> = p
            .feed
            .iter()
            .filter(|line| line.contains(r#""type":"compatibility""#))
            .collect();
        assert!(
            checks.len() == 2
                && checks[0].contains(r#""subject":"payments-value""#)
                && checks[0].contains("OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"),
            "{checks:?}"
        );
        let last = p.last_check.as_ref().expect("a check");
        let reasons = last.incompatibility.as_ref().map(|i| &i.reasons[..]);
        assert!(
            last.subject == "orders-value"
                && reasons.is_some_and(|r| r[0].difference.label()
                    == "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/email"),
            "{last:?}"
        );
        assert!(p
            .polled("raw")
            .all(|r| r.schema_id.is_none() && r.value.starts_with('\0')));
        // Connect: after the worker crash the counter counts the replayed orders twice; the
        // table holds each order once.
        let p = load("connect-pipeline");
        let connectors: BTreeMap<&str, _> = p.runner().connectors().collect();
        let Some(logplay_core::connect::sink::View::Counter { rows, .. }) =
            connectors["units"].view
        else {
            panic!("units is a counter sink");
        };
        assert!(rows.values().any(|a| a.count == 2) && rows.values().any(|a| a.count == 1));
        assert_eq!(connectors["paste"].tasks[0].state, "FAILED");
    }

    /// The connector and registry panels' forms make commands that replay from a link to the
    /// same sink views.
    #[test]
    fn connectors_and_schemas_from_the_forms_replay_from_a_link() {
        use crate::forms::ConnectorInput;
        let mut p = Playground::default();
        run(&mut p, "topic create orders partitions=3");
        p.apply(
            ConnectorInput {
                name: "gen".into(),
                kind: "datagen".into(),
                topics: "orders".into(),
                quickstart: "pageviews".into(),
                rate: "25".into(),
                tasks: "2".into(),
                json_schema: true,
                ..Default::default()
            }
            .action(),
        );
        p.apply(
            ConnectorInput {
                name: "views".into(),
                kind: "counter".into(),
                topics: "orders".into(),
                tasks: "3".into(),
                aggregate_field: "viewtime".into(),
                json_schema: true,
                ..Default::default()
            }
            .action(),
        );
        assert_eq!(p.refusal, None);
        for _ in 0..60 {
            p.apply(Action::Step);
        }
        let view = |p: &Playground| {
            p.runner()
                .connectors()
                .map(|(n, s)| (n.to_string(), s.records, s.view.cloned()))
                .collect::<Vec<_>>()
        };
        let before = view(&p);
        assert!(before[1].1 > 0, "the sink read records: {before:?}");
        assert!(
            p.runner().registry().latest("orders-value").is_ok(),
            "the converter registered the schema"
        );
        // A schema check is shown; an incompatible registration is refused inline.
        run(
            &mut p,
            r#"schema check orders-value {"type":"object","properties":{"viewtime":{"type":"string"}}}"#,
        );
        assert_eq!(p.last_check.as_ref().map(|c| c.compatible()), Some(false));
        p.apply(Action::Console(
            r#"schema register orders-value {"type":"string"}"#.into(),
        ));
        assert!(p
            .refusal
            .as_ref()
            .is_some_and(|r| r.text.contains(": INCOMPATIBLE_SCHEMA: ")));
        let mut fresh = Playground::default();
        fresh.apply(Action::OpenLink(p.link()));
        assert_eq!(view(&fresh), before);
        assert_eq!(hash(&fresh), hash(&p));
        // A connector form with a missing topic is refused with Connect's words.
        p.apply(
            ConnectorInput {
                name: "bad".into(),
                kind: "table".into(),
                ..Default::default()
            }
            .action(),
        );
        assert!(p
            .refusal
            .as_ref()
            .is_some_and(|r| r.text.contains("Missing required configuration \"topics\"")));
    }
}
