//! Admin commands: the cluster's seed and broker configs, brokers, topics, and the
//! consumer-groups tool (reset and delete offsets, delete groups).

use super::*;

impl Runner {
    /// A fresh cluster from the runner's config, under the same limits.
    fn restart_cluster(&mut self) {
        let limits = *self.limits();
        self.cluster = Cluster::new(self.config.clone());
        self.cluster.set_limits(limits);
    }

    /// The admin commands.
    pub(super) fn run_admin(
        &mut self,
        line: usize,
        command: &Command,
        out: &mut Vec<Output>,
    ) -> Result<Vec<String>, Stop> {
        let c = &mut self.cluster;
        match command {
            Command::Seed(seed) => {
                self.config.seed = *seed;
                self.rng = Rng::new(seed ^ 0x5EED_7E57_0000_0001);
                self.restart_cluster();
            }
            Command::Broker(configs) => {
                let mut config = self.config.clone();
                for (k, v) in configs {
                    config.set(k, v)?;
                }
                self.config = config;
                self.restart_cluster();
            }
            Command::Brokers { count, racks } => {
                let racks: Option<Vec<&str>> = racks
                    .as_ref()
                    .map(|r| r.iter().map(String::as_str).collect());
                c.set_brokers(*count, racks.as_deref())?
            }
            Command::BrokerChange { broker, action } => match action {
                BrokerAction::Stop => c.stop_broker(*broker)?,
                BrokerAction::Start => c.start_broker(*broker)?,
                BrokerAction::Isolate => c.isolate_broker(*broker)?,
                BrokerAction::Heal => c.heal_broker(*broker)?,
            },
            Command::CreateTopic {
                name,
                partitions,
                replication_factor,
                configs,
            } => {
                // A count over Kafka's own limits is refused below, with Kafka's error.
                let counted = (*partitions).min(crate::topic::MAX_PARTITIONS_PER_TOPIC);
                let asked = Self::partitions_asked(counted, replication_factor.unwrap_or(1));
                self.check_bytes("this topic", asked)?;
                let c = &mut self.cluster;
                return Ok(c.create_replicated_topic(
                    name,
                    *partitions,
                    *replication_factor,
                    &pairs(configs),
                )?);
            }
            Command::DeleteTopic(name) => c.delete_topic(name)?,
            Command::AddPartitions { name, total } => {
                let t = c.topic(name)?;
                let replicas = t
                    .partitions()
                    .first()
                    .map_or(1, |p| p.replicas.len() as u32);
                let adding = total.saturating_sub(t.partitions().len() as u32);
                self.check_bytes("these partitions", Self::partitions_asked(adding, replicas))?;
                self.cluster.add_partitions(name, *total)?
            }
            Command::AlterTopic { name, configs } => {
                c.alter_topic_configs(name, &pairs(configs))?
            }
            Command::DeleteRecords {
                partition: (t, p),
                before,
            } => {
                let offset = c.delete_records(t, *p, *before)?;
                let event = Event::LowWatermark {
                    topic: t.clone(),
                    partition: *p,
                    offset,
                };
                out.push(Output::new(line, event));
            }
            Command::ResetOffsets {
                group,
                topic,
                partition,
                to,
            } => {
                for ((topic, partition), offset) in
                    self.cluster.reset_offsets(group, topic, *partition, *to)?
                {
                    let event = Event::Committed {
                        by: Committer::ResetTool(group.clone()),
                        topic,
                        partition,
                        offset,
                    };
                    out.push(Output::new(line, event));
                }
            }
            Command::DeleteGroup(group) => {
                let partitions = self.cluster.delete_group(group)?;
                let event = Event::OffsetsDeleted {
                    group: group.clone(),
                    topic: None,
                    partitions,
                };
                out.push(Output::new(line, event));
            }
            Command::DeleteOffsets { group, topic } => {
                let partitions = self.cluster.delete_offsets(group, topic)?;
                let event = Event::OffsetsDeleted {
                    group: group.clone(),
                    topic: Some(topic.clone()),
                    partitions,
                };
                out.push(Output::new(line, event));
            }
            // The dispatcher sends only these commands here.
            _ => {}
        }
        Ok(Vec::new())
    }
}
