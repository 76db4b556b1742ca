//! The one way in: a [`Session`] applies commands to a [`Runner`] and keeps the script of
//! those that took effect, so that the script always replays to the same state.

use alloc::string::ToString;
use alloc::vec::Vec;

use super::{parse, Command, Failure, Output, Runner, Running, Script};
use crate::budget::Limits;
use crate::error::err;
use crate::topic::validate_topic_name;

/// A runner and the script of every command that changed its state.
///
/// The playground, the JS API and the CLI change state only through [`Session::apply`]:
/// a refused command changes nothing and is not recorded; one that took effect is, even
/// when it then failed (a `txn commit` that timed out after its flush), so replaying
/// [`Session::script`] gives the same state.
#[derive(Clone, Debug, Default)]
pub struct Session {
    runner: Runner,
    script: Script,
    /// When the script ends with a `play`: the records per second its datagen sent as it
    /// began (a play merged onto it is checked with that).
    play_rate: u64,
}

impl Session {
    /// A session over a fresh cluster with seed 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// A session whose polls report at most the last `n` records each (see
    /// [`Runner::limit_records_per_poll`]).
    pub fn with_records_per_poll(n: Option<usize>) -> Self {
        let mut session = Self::new();
        session.runner.limit_records_per_poll(n);
        session
    }

    /// This session under other limits (see [`crate::budget`]).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.runner.set_limits(limits);
        self
    }

    /// Runs a whole script on a fresh session; returns it and every output, the outputs of
    /// failed commands included, numbered by the script's own lines.
    pub fn run(script: &Script) -> (Self, Vec<Output>) {
        let mut out = Vec::new();
        let session = Self::replay(script, |o| out.push(o));
        (session, out)
    }

    /// [`Session::run`], handing each output to `each` as its command ends rather than
    /// keeping them all.
    pub fn replay(script: &Script, each: impl FnMut(Output)) -> Self {
        let mut session = Self::new();
        session.apply_script(script, each);
        session
    }

    /// Applies every command of a script, numbered by its own lines, handing each output
    /// to `each`; refused commands are reported and left out of [`Session::script`].
    pub fn apply_script(&mut self, script: &Script, mut each: impl FnMut(Output)) {
        for (line, command) in &script.commands {
            let outputs = match self.apply_at(*line, command.clone()) {
                Ok(outputs) => outputs,
                Err(f) => f.outputs,
            };
            outputs.into_iter().for_each(&mut each);
        }
    }

    /// Applies a command as the script's next line.
    ///
    /// A command must print as text that parses back to itself, or the script could not
    /// replay it: such a command is refused before it runs (`INVALID_REQUEST`, or Kafka's
    /// `INVALID_TOPIC_EXCEPTION` for a topic name Kafka refuses too).
    pub fn apply(&mut self, command: Command) -> Result<Vec<Output>, Failure> {
        let text = command.to_string();
        let reads_back = match parse(&text) {
            Ok(s) if s.commands.len() == 1 && s.commands[0].1 == command => Ok(()),
            Ok(_) => Err(err!(
                InvalidRequest,
                "`{text}` does not read back as itself"
            )),
            Err(e) => Err(err!(InvalidRequest, "{}", e.message)),
        };
        let line = self.script.commands.len() + 1;
        if let Err(reads_back_error) = reads_back {
            // A topic name the language cannot hold is one Kafka refuses too, and Kafka's
            // error is the clearer one.
            let error = match &command {
                Command::CreateTopic { name, .. } => validate_topic_name(name).err(),
                _ => None,
            };
            return Err(Failure::refused(
                line,
                &command,
                error.unwrap_or(reads_back_error),
            ));
        }
        self.apply_at(line, command)
    }

    fn apply_at(&mut self, line: usize, command: Command) -> Result<Vec<Output>, Failure> {
        let mut running = self.begin(line, &command);
        while !self.step(&mut running, u64::MAX) {}
        self.finish(running)
    }

    /// Begins a command as line `line` of a script being replayed: it runs in steps
    /// ([`Session::step`]) and ends with [`Session::finish`] or [`Session::cut`].
    pub fn begin(&mut self, line: usize, command: &Command) -> Running {
        self.runner.begin(line, command)
    }

    /// Runs about `units` records' worth of a begun command; whether its work is done.
    pub fn step(&mut self, running: &mut Running, units: u64) -> bool {
        self.runner.step(running, units)
    }

    /// Ends a begun command whose work is done, recording it if it took effect.
    pub fn finish(&mut self, running: Running) -> Result<Vec<Output>, Failure> {
        let (line, command, rate) = (
            running.line(),
            running.command().clone(),
            running.play_rate(),
        );
        let result = self.runner.finish(running);
        self.record_if_applied(line, command, rate, &result);
        result
    }

    /// Cuts a begun command short: it is recorded as what it did so far (a `generate` of
    /// the records queued, a `tick` or `play` to the time reached); `None` if it had done
    /// nothing.
    pub fn cut(&mut self, running: Running) -> Option<Result<Vec<Output>, Failure>> {
        let (line, rate) = (running.line(), running.play_rate());
        let (command, result) = self.runner.cut(running)?;
        self.record_if_applied(line, command, rate, &result);
        Some(result)
    }

    fn record_if_applied(
        &mut self,
        line: usize,
        command: Command,
        play_rate: Option<u64>,
        result: &Result<Vec<Output>, Failure>,
    ) {
        if result.as_ref().is_ok() || result.as_ref().is_err_and(|f| f.took_effect) {
            self.record(line, command, play_rate);
        }
    }

    /// Appends to the script; consecutive plays of the same step merge into one.
    fn record(&mut self, line: usize, command: Command, play_rate: Option<u64>) {
        if let (
            Command::Play { duration, step },
            Some((
                _,
                Command::Play {
                    duration: last,
                    step: last_step,
                },
            )),
        ) = (&command, self.script.commands.last_mut())
        {
            let merged = *last + duration;
            let whole_steps = *last_step > 0 && *last % *last_step == 0;
            let rate = self.play_rate;
            if step == last_step && whole_steps && self.runner.play_merges(merged, *step, rate) {
                *last = merged;
                return;
            }
        }
        self.script.commands.push((line, command));
        self.play_rate = play_rate.unwrap_or_default();
    }

    /// The runner (and through it, the cluster).
    pub fn runner(&self) -> &Runner {
        &self.runner
    }

    /// The script of every command that took effect.
    pub fn script(&self) -> &Script {
        &self.script
    }

    /// The state hash of the cluster (see [`crate::Cluster::state_hash`]).
    pub fn state_hash(&self) -> u64 {
        self.runner.cluster().state_hash()
    }
}
