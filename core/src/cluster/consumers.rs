//! The cluster's consumer clients: assignment, positions, polls and commits.

use alloc::string::ToString;
use alloc::vec::Vec;

use super::{unknown_topic, Cluster, ConsumerHandle, CoordinatorKind};
use crate::consumer::{
    AssignedPartition, Consumer, ConsumerConfig, OffsetStore, SeekTo, TopicPartition,
};
use crate::error::{err, Result};
use crate::record::Message;
use crate::topic::Topics;

impl Cluster {
    /// Creates a consumer named `name` with Kafka configs.
    pub fn create_consumer(
        &mut self,
        name: &str,
        configs: &[(&str, &str)],
    ) -> Result<ConsumerHandle> {
        let mut config = ConsumerConfig::from_entries(configs.iter().copied())?;
        if config.client_id.is_empty() {
            config.client_id = name.to_string();
        }
        self.check_client_limit()?;
        self.consumers
            .push(Some(Consumer::new(name, config, self.now)));
        Ok(ConsumerHandle((self.consumers.len() - 1) as u32))
    }

    /// A consumer, or `ILLEGAL_STATE` if it was closed.
    pub fn consumer(&self, h: ConsumerHandle) -> Result<&Consumer> {
        self.consumers
            .get(h.0 as usize)
            .and_then(Option::as_ref)
            .ok_or_else(closed_consumer)
    }

    pub(super) fn consumer_parts(
        &mut self,
        h: ConsumerHandle,
    ) -> Result<(&mut Consumer, &Topics, &mut OffsetStore)> {
        let c = self
            .consumers
            .get_mut(h.0 as usize)
            .and_then(Option::as_mut)
            .ok_or_else(closed_consumer)?;
        Ok((c, &self.topics, &mut self.offsets))
    }

    /// `assign()`: reads exactly these partitions, without a group.
    pub fn assign(&mut self, h: ConsumerHandle, partitions: &[(&str, u32)]) -> Result<()> {
        let (c, topics, _) = self.consumer_parts(h)?;
        c.assign(topics, partitions)
    }

    /// `seek()`, `seekToBeginning()`, `seekToEnd()`, or to a timestamp.
    pub fn seek(
        &mut self,
        h: ConsumerHandle,
        topic: &str,
        partition: u32,
        to: SeekTo,
    ) -> Result<()> {
        let (c, topics, _) = self.consumer_parts(h)?;
        c.seek(topics, topic, partition, to)
    }

    /// `position()`: the next offset it will read.
    pub fn position(&mut self, h: ConsumerHandle, topic: &str, partition: u32) -> Result<i64> {
        let unstable = self.unstable_offsets();
        let (c, topics, offsets) = self.consumer_parts(h)?;
        c.position(topics, offsets, &unstable, topic, partition)
    }

    /// `pause()`.
    pub fn pause(&mut self, h: ConsumerHandle, topic: &str, partition: u32) -> Result<()> {
        self.consumer_parts(h)?.0.set_paused(topic, partition, true)
    }

    /// `resume()`.
    pub fn resume(&mut self, h: ConsumerHandle, topic: &str, partition: u32) -> Result<()> {
        self.consumer_parts(h)?
            .0
            .set_paused(topic, partition, false)
    }

    /// `poll()`: records from the assigned partitions, up to `max.poll.records`.
    pub fn poll(&mut self, h: ConsumerHandle) -> Result<Vec<Message>> {
        let now = self.now;
        let consumer = self.consumer(h)?;
        consumer.check_pollable()?;
        let group = consumer.config().group_id.clone();
        let coordinator = match &group {
            Some(g) => self.find_coordinator(CoordinatorKind::Group, g).is_ok(),
            None => true,
        };
        if coordinator {
            self.group_step(h)?;
        }
        let unstable = self.unstable_offsets();
        let (c, topics, offsets) = self.consumer_parts(h)?;
        c.poll(topics, coordinator.then_some(offsets), &unstable, now)
    }

    /// `commitSync()`: the given offsets, or every current position. Returns what was committed.
    pub fn commit(
        &mut self,
        h: ConsumerHandle,
        offsets: Option<&[(&str, u32, i64)]>,
    ) -> Result<Vec<(TopicPartition, i64)>> {
        let now = self.now;
        let explicit = match offsets {
            None => None,
            Some(list) => {
                let mut v = Vec::with_capacity(list.len());
                for &(t, p, o) in list {
                    let (name, topic) = self
                        .topics
                        .get_key_value(t)
                        .ok_or_else(|| unknown_topic(t))?;
                    topic.partition(p)?;
                    if o < 0 {
                        return Err(err!(
                            InvalidRequest,
                            "cannot commit a negative offset ({o}) for {t}-{p}"
                        ));
                    }
                    v.push(((name.clone(), p), o));
                }
                Some(v)
            }
        };
        let (c, _, _) = self.consumer_parts(h)?;
        if c.config().group_id.is_none() {
            return Err(err!(InvalidGroupId, "To use the group management or offset commit APIs, you must provide a valid group.id in the consumer configuration."));
        }
        // commitSync() with nothing to commit sends nothing, so it cannot fail.
        if explicit
            .as_ref()
            .map_or(c.positions().is_empty(), Vec::is_empty)
        {
            return Ok(Vec::new());
        }
        if let Some(g) = c.config().group_id.clone() {
            self.find_coordinator(CoordinatorKind::Group, &g)?;
        }
        self.check_generation(h)?;
        let (c, _, store) = self.consumer_parts(h)?;
        c.commit(store, explicit, now)
    }

    /// `committed()`: the offset its group committed for a partition.
    pub fn committed(&self, h: ConsumerHandle, topic: &str, partition: u32) -> Result<Option<i64>> {
        let c = self.consumer(h)?;
        let group = c
            .config()
            .group_id
            .as_ref()
            .ok_or_else(|| err!(InvalidGroupId, "committed() needs a group.id"))?;
        Ok(self.committed_offset(group, topic, partition))
    }

    /// The offset a group committed for a partition.
    pub fn committed_offset(&self, group: &str, topic: &str, partition: u32) -> Option<i64> {
        self.offsets
            .iter()
            .find(|((g, t, p), _)| g == group && &**t == topic && *p == partition)
            .map(|(_, c)| c.offset)
    }

    /// The consumer's assignment with positions, committed offsets and lag.
    pub fn assignment(&self, h: ConsumerHandle) -> Result<Vec<AssignedPartition>> {
        Ok(self.consumer(h)?.assignment(&self.topics, &self.offsets))
    }

    /// `close()`: commits the positions if auto-commit is on, then closes.
    pub fn close_consumer(&mut self, h: ConsumerHandle) -> Result<()> {
        let now = self.now;
        let (c, _, store) = self.consumer_parts(h)?;
        if c.config().enable_auto_commit {
            c.commit(store, None, now)?;
        }
        self.leave_group(h, "left");
        self.consumers[h.0 as usize] = None;
        Ok(())
    }

    /// Fault injection: the consumer process dies; nothing more is committed.
    pub fn crash_consumer(&mut self, h: ConsumerHandle) -> Result<()> {
        self.consumer(h)?;
        self.go_silent(h);
        self.consumers[h.0 as usize] = None;
        Ok(())
    }
}

pub(super) fn closed_consumer() -> crate::error::Error {
    err!(IllegalState, "This consumer has already been closed.")
}
