//! Admin commands: the cluster's seed and broker configs, brokers, topics, and the
//! consumer-groups tool (reset and delete offsets, delete groups).

use super::*;

impl Runner {
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
                self.cluster = Cluster::new(self.config.clone());
            }
            Command::Broker(configs) => {
                let mut config = self.config.clone();
                for (k, v) in configs {
                    config.set(k, v)?;
                }
                self.config = config;
                self.cluster = Cluster::new(self.config.clone());
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
                return Ok(c.create_replicated_topic(
                    name,
                    *partitions,
                    *replication_factor,
                    &pairs(configs),
                )?);
            }
            Command::DeleteTopic(name) => c.delete_topic(name)?,
            Command::AddPartitions { name, total } => c.add_partitions(name, *total)?,
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
