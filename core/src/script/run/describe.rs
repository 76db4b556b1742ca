//! `describe`: what a topic, group, client, transaction, subject, connector or the
//! cluster looks like now.

use super::description::{ClientKind, ClusterDescription, Description, ProducerDescription};
use super::*;

impl Runner {
    /// What `describe` shows of `target`.
    pub fn describe(&self, target: &DescribeTarget) -> Result<Description, Error> {
        let c = &self.cluster;
        Ok(match target {
            DescribeTarget::Topic(name) => Description::Topic(c.describe_topic(name)?),
            DescribeTarget::Consumer(name) => {
                let h = self.consumer_handle(name)?;
                Description::Consumer {
                    consumer: name.clone(),
                    configs: c.consumer(h)?.config().entries(),
                    assignment: c.assignment(h)?,
                }
            }
            DescribeTarget::Producer(name) => {
                let p = c.producer(self.producer_handle(name)?)?;
                let (producer_id, epoch) = p.identity();
                Description::Producer(ProducerDescription {
                    producer: name.clone(),
                    producer_id,
                    epoch,
                    transaction_state: p.transaction_state(),
                    configs: p.config().entries(),
                    pending: p.pending(),
                    in_flight: p.in_flight(),
                })
            }
            DescribeTarget::Group(group) => {
                let group = c.describe_group(group)?;
                let coordinator = c.coordinator(CoordinatorKind::Group, &group.group);
                Description::Group { group, coordinator }
            }
            DescribeTarget::Cluster => {
                let clients = self
                    .clients
                    .iter()
                    .filter_map(|(n, h)| {
                        match h {
                            Client::Producer(h) => {
                                c.producer(*h).is_ok().then_some(ClientKind::Producer)
                            }
                            Client::Consumer(h) => {
                                c.consumer(*h).is_ok().then_some(ClientKind::Consumer)
                            }
                        }
                        .map(|kind| (n.clone(), kind))
                    })
                    .collect();
                Description::Cluster(ClusterDescription {
                    now: c.now(),
                    seed: c.config().seed,
                    brokers: c.brokers().to_vec(),
                    topics: c.list_topics().into_iter().map(String::from).collect(),
                    clients,
                    state_hash: c.state_hash(),
                    usage: self.usage(),
                    limits: *c.limits(),
                })
            }
            DescribeTarget::Transaction(id) => Description::Transaction {
                transactional_id: id.clone(),
                coordinator: c.coordinator(CoordinatorKind::Transaction, id),
                metadata: c.describe_transaction(id)?.clone(),
            },
            DescribeTarget::Subject(subject) => {
                let r = &self.registry;
                let s = r
                    .subjects()
                    .find(|(n, _)| n == subject)
                    .map(|(_, s)| s)
                    .ok_or_else(|| {
                        err!(
                            SubjectNotFound,
                            "Subject '{subject}' not found.; error code: 40401"
                        )
                    })?;
                Description::Subject {
                    subject: subject.clone(),
                    compatibility: r.effective_compatibility(subject),
                    policy: r.effective_policy(subject),
                    versions: s
                        .versions
                        .iter()
                        .map(|id| {
                            let schema = r.schema(*id);
                            (
                                *id,
                                schema.map(|x| x.text.clone()),
                                schema.map(|x| x.references.clone()).unwrap_or_default(),
                            )
                        })
                        .collect(),
                }
            }
            DescribeTarget::Connector(name) => {
                Description::Connector(self.describe_connector(name)?)
            }
        })
    }
}
