//! Positions and fetching: `assign`, `seek`, `pause`/`resume`, `auto.offset.reset` and `poll`.

use alloc::vec::Vec;
use litemap::LiteMap;

use super::{
    end_offset, Consumer, OffsetReset, OffsetStore, PartitionState, SeekTo, TopicPartition,
    UnstableOffsets,
};
use crate::error::{err, Result};
use crate::log::IsolationLevel;
use crate::record::Message;
use crate::time::SimTime;
use crate::topic::Topics;

impl Consumer {
    /// `assign()`: replaces the assignment; positions of partitions kept are kept.
    pub(crate) fn assign(&mut self, topics: &Topics, partitions: &[(&str, u32)]) -> Result<()> {
        if self.subscription.is_some() {
            return Err(err!(
                IllegalState,
                "Subscription to topics, partitions and pattern are mutually exclusive"
            ));
        }
        let mut next = LiteMap::new();
        for &(topic, p) in partitions {
            let (name, t) = topics.get_key_value(topic).ok_or_else(|| {
                err!(
                    UnknownTopicOrPartition,
                    "Topic {topic} not present in metadata"
                )
            })?;
            t.partition(p)?;
            let tp = (name.clone(), p);
            let state = self.assignment.get(&tp).copied().unwrap_or_default();
            next.insert(tp, state);
        }
        self.assignment = next;
        Ok(())
    }

    fn state_mut(&mut self, topic: &str, p: u32) -> Result<&mut PartitionState> {
        self.assignment
            .iter_mut()
            .find(|((t, q), _)| &**t == topic && *q == p)
            .map(|(_, s)| s)
            .ok_or_else(|| {
                err!(
                    IllegalState,
                    "No current assignment for partition {topic}-{p}"
                )
            })
    }

    /// `seek()` and friends.
    pub(crate) fn seek(&mut self, topics: &Topics, topic: &str, p: u32, to: SeekTo) -> Result<()> {
        let log = &topics
            .get(topic)
            .ok_or_else(|| {
                err!(
                    UnknownTopicOrPartition,
                    "Topic {topic} not present in metadata"
                )
            })?
            .partition(p)?
            .log;
        let offset = match to {
            SeekTo::Offset(o) if o < 0 => {
                return Err(err!(
                    InvalidRequest,
                    "seek offset must not be negative, got {o}"
                ))
            }
            SeekTo::Offset(o) => o,
            SeekTo::Beginning => log.earliest(),
            SeekTo::End => self.end_offset(log),
            SeekTo::Timestamp(ts) => log.offset_for_timestamp(ts).unwrap_or(self.end_offset(log)),
        };
        self.state_mut(topic, p)?.position = Some(offset);
        Ok(())
    }

    /// `pause()` or `resume()`.
    pub(crate) fn set_paused(&mut self, topic: &str, p: u32, paused: bool) -> Result<()> {
        self.state_mut(topic, p)?.paused = paused;
        Ok(())
    }

    /// The current positions, for `commitSync()` with no arguments.
    pub(crate) fn positions(&self) -> Vec<(TopicPartition, i64)> {
        self.assignment
            .iter()
            .filter_map(|(tp, s)| Some((tp.clone(), s.position?)))
            .collect()
    }

    /// `position()`: resolves it first if needed.
    pub(crate) fn position(
        &mut self,
        topics: &Topics,
        offsets: &OffsetStore,
        unstable: &UnstableOffsets,
        topic: &str,
        p: u32,
    ) -> Result<i64> {
        self.state_mut(topic, p)?;
        self.resolve_positions(topics, offsets, unstable)?;
        let waiting = self.waits_for_transaction(unstable, topic, p);
        self.state_mut(topic, p)?.position.ok_or_else(|| {
            if waiting {
                err!(
                    UnstableOffsetCommit,
                    "There are unstable offsets that need to be cleared: a transaction commits {topic}-{p}'s offset; move the clock and try again"
                )
            } else {
                err!(
                    UnknownTopicOrPartition,
                    "Topic {topic} not present in metadata"
                )
            }
        })
    }

    /// Whether a transaction will commit this partition's offset for a `read_committed`
    /// consumer's group (OffsetFetch with `require_stable`).
    fn waits_for_transaction(&self, unstable: &UnstableOffsets, topic: &str, p: u32) -> bool {
        self.config.isolation_level == IsolationLevel::ReadCommitted
            && !unstable.is_empty()
            && self.config.group_id.as_ref().is_some_and(|g| {
                unstable
                    .iter()
                    .any(|(ug, ut, up)| ug == g && &**ut == topic && *up == p)
            })
    }

    /// Gives every partition without a position its committed offset, or applies
    /// `auto.offset.reset`; a `read_committed` consumer leaves one whose offset a transaction
    /// will commit without a position for now.
    fn resolve_positions(
        &mut self,
        topics: &Topics,
        offsets: &OffsetStore,
        unstable: &UnstableOffsets,
    ) -> Result<()> {
        let mut missing = Vec::new();
        let isolation = self.config.isolation_level;
        let waiting: Vec<TopicPartition> = self
            .assignment
            .iter()
            .filter(|((t, p), s)| {
                s.position.is_none() && self.waits_for_transaction(unstable, t, *p)
            })
            .map(|(tp, _)| tp.clone())
            .collect();
        for ((topic, p), state) in &mut self.assignment {
            if state.position.is_some() || waiting.iter().any(|(t, wp)| t == topic && wp == p) {
                continue;
            }
            let Some(part) = topics
                .get(topic)
                .and_then(|t| t.partitions.get(*p as usize))
            else {
                continue;
            };
            let committed = self
                .config
                .group_id
                .as_ref()
                .and_then(|g| offsets.get(&(g.clone(), topic.clone(), *p)))
                .map(|c| c.offset);
            state.position = match (committed, self.config.auto_offset_reset) {
                (Some(o), _) => Some(o),
                (None, OffsetReset::Earliest) => Some(part.log.earliest()),
                (None, OffsetReset::Latest) => Some(end_offset(isolation, &part.log)),
                (None, OffsetReset::None) => {
                    missing.push(alloc::format!("{topic}-{p}"));
                    None
                }
            };
        }
        if !missing.is_empty() {
            return Err(err!(
                NoOffsetForPartition,
                "Undefined offset with no reset policy for partitions: [{}]",
                missing.join(", ")
            ));
        }
        Ok(())
    }

    /// `poll()` without a subscription or an assignment throws `IllegalStateException`
    /// before it does anything.
    pub(crate) fn check_pollable(&self) -> Result<()> {
        if self.assignment.is_empty() && self.subscription.is_none() {
            return Err(err!(
                IllegalState,
                "Consumer is not subscribed to any topics or assigned any partitions"
            ));
        }
        Ok(())
    }

    /// `poll()`: auto-commits if due, then reads up to `max.poll.records` from the
    /// assigned, unpaused partitions, taking turns between them. Without `offsets` (the
    /// group coordinator is unavailable) it neither commits nor looks up committed offsets:
    /// it reads only where it has a position.
    pub(crate) fn poll(
        &mut self,
        topics: &Topics,
        offsets: Option<&mut OffsetStore>,
        unstable: &UnstableOffsets,
        now: SimTime,
    ) -> Result<Vec<Message>> {
        self.check_pollable()?;
        self.last_poll = now;
        if self.assignment.is_empty() {
            return Ok(Vec::new());
        }
        if let Some(offsets) = offsets {
            if self.config.enable_auto_commit && now >= self.next_auto_commit {
                self.commit(offsets, None, now)?;
                self.next_auto_commit = now + self.config.auto_commit_interval_ms;
            }
            self.resolve_positions(topics, offsets, unstable)?;
        }
        let mut out = Vec::new();
        let mut bytes_left = self.config.fetch_max_bytes as usize;
        let n = self.assignment.len();
        let start = self.rotation % n;
        self.rotation = self.rotation.wrapping_add(1);
        let reset = self.config.auto_offset_reset;
        let isolation = self.config.isolation_level;
        let mut turn: Vec<_> = self.assignment.iter_mut().collect();
        turn.rotate_left(start);
        for ((topic, p), state) in turn {
            let records_left = self.config.max_poll_records as usize - out.len();
            if records_left == 0 || bytes_left == 0 {
                break;
            }
            let Some(position) = state.position.filter(|_| !state.paused) else {
                continue;
            };
            // An offline partition has no leader to fetch from: the client retries quietly.
            let Some(part) = topics
                .get(topic)
                .and_then(|t| t.partitions.get(*p as usize))
                .filter(|part| !part.is_offline())
            else {
                continue;
            };
            let log = &part.log;
            let position = if log
                .check_fetch_offset(position, log.high_watermark())
                .is_ok()
            {
                position
            } else {
                match reset {
                    OffsetReset::Earliest => log.earliest(),
                    OffsetReset::Latest => end_offset(isolation, log),
                    OffsetReset::None => {
                        out.push(Message::error_for(
                            topic.clone(),
                            *p,
                            err!(OffsetOutOfRange, "Fetch position {position} is out of range for partition {topic}-{p}"),
                        ));
                        continue;
                    }
                }
            };
            let max_bytes = bytes_left.min(self.config.max_partition_fetch_bytes as usize);
            let fetched = log.fetch(position, records_left, max_bytes, isolation)?;
            for r in &fetched.records {
                bytes_left = bytes_left.saturating_sub(r.size_in_bytes());
                out.push(Message {
                    topic: topic.clone(),
                    partition: *p,
                    offset: r.offset,
                    key: r.key.map(<[u8]>::to_vec),
                    value: r.value.map(<[u8]>::to_vec),
                    headers: r.headers(),
                    timestamp: r.timestamp,
                    timestamp_type: r.timestamp_type,
                    error: None,
                });
            }
            // Past skipped markers, aborted records and compaction gaps too.
            let next = fetched.next_offset;
            state.position = Some(next);
        }
        Ok(out)
    }
}
