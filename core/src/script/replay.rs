//! A script replayed a slice at a time: each [`Replay::step`] does a bounded amount of
//! work, so that a page can stay responsive while a link opens, show how far it has got,
//! and stop it ([`Replay::cancel`]) with a consistent state and a script cut there.

use alloc::vec::Vec;

use super::{Failure, Output, Progress, Running, Script, Session};

/// A script being applied to a session.
#[derive(Clone, Debug)]
pub struct Replay {
    script: Script,
    /// The index of the next command to begin.
    next: usize,
    running: Option<Running>,
}

/// How far a replay has got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplayProgress {
    /// Commands ended.
    pub commands_done: usize,
    /// Commands in the script.
    pub commands: usize,
    /// How far the command running now has got.
    pub command: Progress,
}

impl ReplayProgress {
    /// The share of the replay done, from 0 to 1, counting each command as one and the one
    /// running by its own progress.
    pub fn fraction(&self) -> f64 {
        let partial = self.command.done as f64 / self.command.total.max(1) as f64;
        ((self.commands_done as f64 + partial) / self.commands.max(1) as f64).min(1.0)
    }
}

impl Replay {
    /// A replay of `script`, from its first command.
    pub fn new(script: Script) -> Self {
        Self {
            script,
            next: 0,
            running: None,
        }
    }

    /// Runs about `units` records' worth of the script on `session` (at least one step of
    /// one command), handing each ended command's result to `each`; whether it is done.
    pub fn step(
        &mut self,
        session: &mut Session,
        units: u64,
        mut each: impl FnMut(Result<Vec<Output>, Failure>),
    ) -> bool {
        let mut running = match self.running.take() {
            Some(running) => running,
            None => {
                let Some((line, command)) = self.script.commands.get(self.next) else {
                    return true;
                };
                self.next += 1;
                session.begin(*line, command)
            }
        };
        if session.step(&mut running, units) {
            each(session.finish(running));
        } else {
            self.running = Some(running);
        }
        self.is_done()
    }

    /// The command running now, if one is partway.
    pub fn current(&self) -> Option<&super::Command> {
        self.running.as_ref().map(Running::command)
    }

    /// Whether every command has ended.
    pub fn is_done(&self) -> bool {
        self.running.is_none() && self.next >= self.script.commands.len()
    }

    /// How far it has got.
    pub fn progress(&self, session: &Session) -> ReplayProgress {
        let command = match &self.running {
            Some(running) => session.runner().progress(running),
            None => Progress { done: 0, total: 1 },
        };
        ReplayProgress {
            commands_done: self.next - usize::from(self.running.is_some()),
            commands: self.script.commands.len(),
            command,
        }
    }

    /// Stops here: the command running is cut where it got to (see [`Session::cut`]) and
    /// the rest of the script is left out. Returns the cut command's result, if it had
    /// done anything, and the script's line the replay stopped at (`None`: it had ended).
    pub fn cancel(
        mut self,
        session: &mut Session,
    ) -> (Option<Result<Vec<Output>, Failure>>, Option<usize>) {
        let at = self
            .running
            .as_ref()
            .map(Running::line)
            .or_else(|| self.script.commands.get(self.next).map(|(line, _)| *line));
        let cut = self.running.take().and_then(|running| session.cut(running));
        (cut, at)
    }
}
