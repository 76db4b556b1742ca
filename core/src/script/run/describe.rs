//! `describe`: what a topic, group, client, transaction, subject, connector or the
//! cluster looks like now, as JSON.

use super::*;

impl Runner {
    /// What `describe` shows of `target`, as JSON.
    pub fn describe(&self, target: &DescribeTarget) -> Result<Json, Error> {
        let c = &self.cluster;
        Ok(match target {
            DescribeTarget::Topic(name) => {
                let d = c.describe_topic(name)?;
                let partitions: Vec<Json> = d
                    .partitions
                    .iter()
                    .map(|p| {
                        let segments: Vec<Json> = p
                            .segments
                            .iter()
                            .map(|s| obj!({ "base_offset": s.base_offset, "next_offset": s.next_offset, "records": s.records, "tombstones": s.tombstones, "size_in_bytes": s.size_in_bytes, "active": s.active, "cleaned": s.cleaned }))
                            .collect();
                        obj!({ "partition": p.partition, "leader": p.leader, "leader_epoch": p.leader_epoch, "replicas": &p.replicas, "isr": &p.isr,
                                "replica_log_end_offsets": &p.replica_log_end_offsets,
                                "log_start_offset": p.log_start_offset, "high_watermark": p.high_watermark, "last_stable_offset": p.last_stable_offset,
                                "log_end_offset": p.log_end_offset, "records": p.records, "size_in_bytes": p.size_in_bytes, "segments": segments })
                    })
                    .collect();
                let mut configs = Map::new();
                configs.extend(
                    d.config_overrides
                        .iter()
                        .map(|(k, v)| (k.clone(), v.into_json())),
                );
                obj!({ "topic": d.name, "configs": configs, "partitions": partitions })
            }
            DescribeTarget::Consumer(name) => {
                let h = self.consumer_handle(name)?;
                let consumer = c.consumer(h)?;
                let assignment: Vec<Json> = c
                    .assignment(h)?
                    .iter()
                    .map(|a| obj!({ "topic": &*a.topic, "partition": a.partition, "position": a.position, "committed": a.committed, "high_watermark": a.high_watermark, "last_stable_offset": a.last_stable_offset, "lag": a.lag, "paused": a.paused }))
                    .collect();
                obj!({ "consumer": name, "configs": entries_json(consumer.config().entries()), "assignment": assignment })
            }
            DescribeTarget::Producer(name) => {
                let p = c.producer(self.producer_handle(name)?)?;
                let (id, epoch) = p.identity();
                let pending: Vec<Json> = p
                    .pending()
                    .iter()
                    .map(|(t, part, n)| obj!({ "topic": &**t, "partition": part, "records": n }))
                    .collect();
                let state = p.transaction_state().map(|s| s.name());
                obj!({ "producer": name, "producer_id": id, "epoch": epoch, "transaction_state": state, "configs": entries_json(p.config().entries()), "pending": pending, "in_flight": p.in_flight() })
            }
            DescribeTarget::Group(group) => {
                let d = c.describe_group(group)?;
                let members: Vec<Json> = d
                    .members
                    .iter()
                    .map(|m| obj!({ "member_id": &m.member_id, "client_id": &m.client_id, "assignment": m.assignment.iter().map(|(t, p)| alloc::format!("{t}:{p}")).collect::<Vec<_>>() }))
                    .collect();
                let offsets: Vec<Json> = d
                    .offsets
                    .iter()
                    .map(|o| obj!({ "topic": &o.topic, "partition": o.partition, "committed": o.committed, "log_end_offset": o.log_end_offset, "lag": o.lag, "owner": &o.owner }))
                    .collect();
                let coordinator = c.coordinator(CoordinatorKind::Group, &d.group);
                obj!({ "group": d.group, "coordinator": coordinator, "state": d.state.name(), "protocol": d.protocol, "generation": d.generation, "leader": d.leader, "members": members, "offsets": offsets })
            }
            DescribeTarget::Cluster => {
                let clients: Vec<Json> = self
                    .clients
                    .iter()
                    .filter(|(_, h)| match h {
                        Client::Producer(h) => c.producer(*h).is_ok(),
                        Client::Consumer(h) => c.consumer(*h).is_ok(),
                    })
                    .map(|(n, h)| obj!({ "name": n, "kind": if matches!(h, Client::Producer(_)) { "producer" } else { "consumer" } }))
                    .collect();
                let brokers: Vec<Json> = c
                    .brokers()
                    .iter()
                    .map(|b| obj!({ "id": b.id, "rack": &b.rack, "state": b.state.name() }))
                    .collect();
                obj!({ "now": c.now().0, "seed": c.config().seed, "brokers": brokers, "topics": c.list_topics(), "clients": clients, "state_hash": alloc::format!("{:016x}", c.state_hash()) })
            }
            DescribeTarget::Transaction(id) => {
                let m = c.describe_transaction(id)?;
                let partitions: Vec<String> = m
                    .partitions
                    .iter()
                    .map(|(t, p)| alloc::format!("{t}:{p}"))
                    .collect();
                let coordinator = c.coordinator(CoordinatorKind::Transaction, id);
                obj!({ "transactional_id": id, "coordinator": coordinator, "producer_id": m.producer_id, "producer_epoch": m.epoch, "state": m.state.name(),
                        "transaction_timeout_ms": m.timeout_ms, "start_time_ms": m.start_time_ms(), "partitions": partitions })
            }
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
                let versions: Vec<Json> = s
                    .versions
                    .iter()
                    .enumerate()
                    .map(|(v, id)| obj!({ "version": v + 1, "id": id, "schema": r.schema(*id).map(|x| x.text.as_str()) }))
                    .collect();
                obj!({ "subject": subject, "compatibility": r.effective_compatibility(subject).name(), "versions": versions })
            }
            DescribeTarget::Connector(name) => self.describe_connector(name)?,
        })
    }
}
