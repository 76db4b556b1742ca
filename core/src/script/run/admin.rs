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
                let low = c.delete_records(t, *p, *before)?;
                out.push(Output::new(
                    line,
                    OutputKind::LowWatermark,
                    obj!({ "topic": t, "partition": p, "offset": low }),
                ));
            }
            Command::ResetOffsets {
                group,
                topic,
                partition,
                to,
            } => {
                for ((t, p), offset) in self.cluster.reset_offsets(group, topic, *partition, *to)? {
                    out.push(Output::new(
                        line,
                        OutputKind::Committed,
                        obj!({ "group": group, "topic": &*t, "partition": p, "offset": offset }),
                    ));
                }
            }
            Command::DeleteGroup(group) => {
                let deleted = self.cluster.delete_group(group)?;
                out.push(Output::new(
                    line,
                    OutputKind::OffsetsDeleted,
                    obj!({ "group": group, "partitions": deleted }),
                ));
            }
            Command::DeleteOffsets { group, topic } => {
                let deleted = self.cluster.delete_offsets(group, topic)?;
                out.push(Output::new(
                    line,
                    OutputKind::OffsetsDeleted,
                    obj!({ "group": group, "topic": topic, "partitions": deleted }),
                ));
            }
            // The dispatcher sends only these commands here.
            _ => {}
        }
        Ok(Vec::new())
    }
}
