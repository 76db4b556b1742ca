//! The JSON of outputs: [`Event::to_fields`] is the one serializer, built without serde's
//! (`obj!` is a lean `serde_json::json!({...})` for a flat list of fields, each converted
//! with [`IntoJson`]).

use alloc::string::String;
use alloc::vec::Vec;

use serde_json::{Map, Value as Json};

use super::description::{ConnectorDescription, Description, ProducerDescription, SinkRows};
use super::event::{Committer, Event, PolledRecord};
use crate::cluster::ClusterEvent;
use crate::error::Error;
use crate::partition::ReplicaChange;
use crate::registry::{Incompatibility, SchemaReference};

/// A JSON object of `fields` (taken out of the slice), in key order.
pub(super) fn object(fields: &mut [(&str, Json)]) -> Json {
    let mut map = Map::new();
    for (key, value) in fields {
        map.insert((*key).into(), core::mem::take(value));
    }
    Json::Object(map)
}

/// A value as JSON.
pub(super) trait IntoJson {
    fn into_json(self) -> Json;
}

macro_rules! number {
    ($($t:ty),*) => {$(
        impl IntoJson for $t {
            fn into_json(self) -> Json {
                Json::from(self)
            }
        }
        impl IntoJson for &$t {
            fn into_json(self) -> Json {
                Json::from(*self)
            }
        }
    )*};
}

number!(bool, u32, i16, i32, i64, u64, usize, f64);

impl IntoJson for Json {
    fn into_json(self) -> Json {
        self
    }
}

impl IntoJson for Map<String, Json> {
    fn into_json(self) -> Json {
        Json::Object(self)
    }
}

impl IntoJson for String {
    fn into_json(self) -> Json {
        Json::String(self)
    }
}

impl IntoJson for &String {
    fn into_json(self) -> Json {
        Json::String(self.clone())
    }
}

impl IntoJson for &str {
    fn into_json(self) -> Json {
        Json::String(self.into())
    }
}

impl IntoJson for &&str {
    fn into_json(self) -> Json {
        Json::String((*self).into())
    }
}

impl<T: IntoJson> IntoJson for Option<T> {
    fn into_json(self) -> Json {
        self.map_or(Json::Null, IntoJson::into_json)
    }
}

impl<'a, T> IntoJson for &'a Option<T>
where
    &'a T: IntoJson,
{
    fn into_json(self) -> Json {
        self.as_ref().into_json()
    }
}

impl<T: IntoJson> IntoJson for Vec<T> {
    fn into_json(self) -> Json {
        Json::Array(self.into_iter().map(IntoJson::into_json).collect())
    }
}

impl<'a, T> IntoJson for &'a [T]
where
    &'a T: IntoJson,
{
    fn into_json(self) -> Json {
        Json::Array(self.iter().map(IntoJson::into_json).collect())
    }
}

impl<'a, T> IntoJson for &'a Vec<T>
where
    &'a T: IntoJson,
{
    fn into_json(self) -> Json {
        self.as_slice().into_json()
    }
}

/// `obj!({ "key": value, … })`: an object whose values convert with [`IntoJson`].
macro_rules! obj {
    ({ $($key:literal : $value:expr),* $(,)? }) => {
        $crate::script::run::json::object(&mut [
            $(($key, $crate::script::run::json::IntoJson::into_json($value))),*
        ])
    };
}

/// An error as JSON: `{"code": "…", "message": "…"}`.
pub(super) fn error_json(e: &Error) -> Json {
    obj!({ "code": e.code.name(), "message": &e.message })
}

fn optional_error(e: Option<&Error>) -> Json {
    e.map_or(Json::Null, error_json)
}

/// Bytes as JSON: text when UTF-8, else `{"hex": "…"}`; null for none.
fn bytes_json(bytes: Option<&[u8]>) -> Json {
    match bytes {
        None => Json::Null,
        Some(b) => match core::str::from_utf8(b) {
            Ok(s) => s.into_json(),
            Err(_) => {
                obj!({ "hex": b.iter().map(|b| alloc::format!("{b:02x}")).collect::<String>() })
            }
        },
    }
}

fn record_json(r: &PolledRecord) -> Json {
    let m = &r.message;
    let headers: Vec<Json> = m
        .headers()
        .iter()
        .map(|h| {
            Json::Array(alloc::vec![
                (&h.key).into_json(),
                bytes_json(h.value.as_deref())
            ])
        })
        .collect();
    let (ts_type, ts) = m.timestamp();
    let mut record = obj!({ "consumer": &r.consumer, "topic": m.topic(), "partition": m.partition(), "offset": m.offset(),
            "key": bytes_json(m.key()), "value": bytes_json(m.value()), "headers": headers,
            "timestamp": ts, "timestamp_type": ts_type.name(), "error": optional_error(m.error()) });
    for (field, decoded) in [("key", &r.key), ("value", &r.value)] {
        if let Some((id, text)) = decoded {
            record[field] = text.into_json();
            record[alloc::format!("{field}_schema_id")] = id.into_json();
        }
    }
    record
}

fn cluster_json(e: &ClusterEvent) -> Json {
    match e {
        ClusterEvent::Retention {
            topic,
            partition,
            report,
        }
        | ClusterEvent::Compaction {
            topic,
            partition,
            report,
        } => {
            obj!({ "topic": &**topic, "partition": partition, "segments_deleted": report.segments_deleted,
                    "records_removed": report.records_removed, "log_start_offset": report.log_start_offset })
        }
        ClusterEvent::Group { group, change } => {
            obj!({ "group": group, "change": change.describe() })
        }
        ClusterEvent::Coordinator { kind, key, broker } => {
            obj!({ "kind": kind.name(), "key": key, "broker": broker })
        }
        ClusterEvent::Broker { broker, state } => {
            obj!({ "broker": broker, "state": state.name() })
        }
        ClusterEvent::Replica {
            topic,
            partition,
            change,
        } => {
            let topic = &**topic;
            match change {
                ReplicaChange::LeaderElected {
                    leader,
                    leader_epoch,
                    unclean,
                    records_truncated,
                } => {
                    obj!({ "topic": topic, "partition": partition, "leader": leader, "leader_epoch": leader_epoch,
                        "unclean": unclean, "records_truncated": records_truncated })
                }
                ReplicaChange::Isr { isr, reason } => {
                    obj!({ "topic": topic, "partition": partition, "isr": isr, "reason": reason })
                }
                ReplicaChange::Truncated { broker, from, to } => {
                    obj!({ "topic": topic, "partition": partition, "broker": broker, "from": from, "to": to })
                }
            }
        }
    }
}

impl Event {
    /// Its fields as a JSON object: the one place outputs become JSON.
    pub fn to_fields(&self) -> Map<String, Json> {
        let json = match self {
            Self::Command {
                command,
                warnings,
                error,
            } => {
                let mut status = obj!({ "command": command });
                if !warnings.is_empty() {
                    status["warnings"] = warnings.into_json();
                }
                if let Some(e) = error {
                    status["error"] = error_json(e);
                }
                status
            }
            Self::Queued { producer, id } => obj!({ "producer": producer, "id": id }),
            Self::Batch { producer, batch: b } => {
                obj!({ "producer": producer, "topic": &*b.topic, "partition": b.partition, "base_offset": b.base_offset,
                        "records": b.records, "uncompressed_bytes": b.uncompressed_bytes, "size_in_bytes": b.size_in_bytes,
                        "compression": b.compression.name(), "attempt": b.attempt, "duplicate": b.duplicate, "ack_lost": b.ack_lost })
            }
            Self::Delivery {
                producer,
                report: d,
            } => {
                obj!({ "producer": producer, "id": d.id, "topic": &*d.topic, "partition": d.partition, "offset": d.offset,
                        "timestamp": d.timestamp, "error": optional_error(d.error.as_ref()) })
            }
            Self::Deliveries {
                producer,
                delivered,
                failed,
                error,
            } => {
                obj!({ "producer": producer, "delivered": delivered, "failed": failed, "error": optional_error(error.as_ref()) })
            }
            Self::PollFailed { consumer, error } | Self::CommitCallback { consumer, error } => {
                obj!({ "consumer": consumer, "error": error_json(error) })
            }
            Self::Polled {
                consumer,
                records,
                shown,
            } => obj!({ "consumer": consumer, "records": records, "shown": shown }),
            Self::Record(r) => record_json(r),
            Self::Committed {
                by,
                topic,
                partition,
                offset,
            } => {
                let mut c = obj!({ "topic": &**topic, "partition": partition, "offset": offset });
                match by {
                    Committer::Consumer(name) => c["consumer"] = name.into_json(),
                    Committer::ResetTool(group) => c["group"] = group.into_json(),
                }
                c
            }
            Self::OffsetsDeleted {
                group,
                topic,
                partitions,
            } => {
                let mut d = obj!({ "group": group, "partitions": partitions });
                if let Some(topic) = topic {
                    d["topic"] = topic.into_json();
                }
                d
            }
            Self::Rebalance { consumer, callback } => {
                obj!({ "consumer": consumer, "callback": callback.callback_name(), "partitions": partition_names(callback.partitions()) })
            }
            Self::Cluster(e) => cluster_json(e),
            Self::OffsetsInTransaction {
                producer,
                topic,
                partition,
                offset,
            } => {
                obj!({ "producer": producer, "topic": &**topic, "partition": partition, "offset": offset })
            }
            Self::LowWatermark {
                topic,
                partition,
                offset,
            } => obj!({ "topic": topic, "partition": partition, "offset": offset }),
            Self::Clock { now } => obj!({ "now": now.0 }),
            Self::Describe(description) => description_json(description),
            Self::DatagenStopped { source, error } => {
                obj!({ "source": source, "stopped": true, "error": error_json(error) })
            }
            Self::Schema {
                subject,
                registered: r,
            } => obj!({ "subject": subject, "id": r.id, "version": r.version, "new": r.new }),
            Self::SchemaDeleted { subject, versions } => {
                obj!({ "subject": subject, "versions": versions })
            }
            Self::Compatibility {
                subject,
                level,
                incompatibility,
            } => {
                let messages = incompatibility
                    .as_ref()
                    .map(Incompatibility::messages)
                    .unwrap_or_default();
                obj!({ "subject": subject, "level": level.name(), "is_compatible": incompatibility.is_none(), "messages": messages })
            }
            Self::ConnectorRunning { connector, tasks } => {
                obj!({ "connector": connector, "state": "RUNNING", "tasks": tasks })
            }
            Self::TaskFailed {
                connector,
                task,
                error,
            } => {
                obj!({ "connector": connector, "task": task, "state": "FAILED", "error": error_json(error) })
            }
        };
        match json {
            Json::Object(map) => map,
            _ => Map::new(),
        }
    }
}

/// Key and text pairs (configs, a table's rows) as one JSON object.
fn entries_json<K: AsRef<str>>(entries: &[(K, String)]) -> Json {
    let mut object = Map::new();
    object.extend(
        entries
            .iter()
            .map(|(k, v)| (k.as_ref().into(), v.into_json())),
    );
    Json::Object(object)
}

/// Partitions as `topic:partition` names.
fn partition_names<'a, T: core::fmt::Display + 'a>(
    partitions: impl IntoIterator<Item = &'a (T, u32)>,
) -> Vec<String> {
    partitions
        .into_iter()
        .map(|(t, p)| alloc::format!("{t}:{p}"))
        .collect()
}

impl Description {
    /// What `describe` shows, as JSON.
    pub fn to_json(&self) -> Json {
        description_json(self)
    }
}

fn description_json(d: &Description) -> Json {
    match d {
        Description::Topic(d) => {
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
            obj!({ "topic": &d.name, "configs": entries_json(&d.config_overrides), "partitions": partitions })
        }
        Description::Consumer {
            consumer,
            configs,
            assignment,
        } => {
            let assignment: Vec<Json> = assignment
                .iter()
                .map(|a| obj!({ "topic": &*a.topic, "partition": a.partition, "position": a.position, "committed": a.committed, "high_watermark": a.high_watermark, "last_stable_offset": a.last_stable_offset, "lag": a.lag, "paused": a.paused }))
                .collect();
            obj!({ "consumer": consumer, "configs": entries_json(configs), "assignment": assignment })
        }
        Description::Producer(p) => producer_json(p),
        Description::Group {
            group: d,
            coordinator,
        } => {
            let members: Vec<Json> = d
                .members
                .iter()
                .map(|m| obj!({ "member_id": &m.member_id, "client_id": &m.client_id, "assignment": partition_names(&m.assignment) }))
                .collect();
            let offsets: Vec<Json> = d
                .offsets
                .iter()
                .map(|o| obj!({ "topic": &o.topic, "partition": o.partition, "committed": o.committed, "log_end_offset": o.log_end_offset, "lag": o.lag, "owner": &o.owner }))
                .collect();
            obj!({ "group": &d.group, "coordinator": coordinator, "state": d.state.name(), "protocol": &d.protocol, "generation": d.generation, "leader": &d.leader, "members": members, "offsets": offsets })
        }
        Description::Cluster(c) => {
            let clients: Vec<Json> = c
                .clients
                .iter()
                .map(|(name, kind)| obj!({ "name": name, "kind": kind.name() }))
                .collect();
            let brokers: Vec<Json> = c
                .brokers
                .iter()
                .map(|b| obj!({ "id": b.id, "rack": &b.rack, "state": b.state.name() }))
                .collect();
            let (u, l) = (&c.usage, &c.limits);
            let usage = obj!({ "bytes": u.bytes, "records": u.records, "clients": u.clients, "topics": u.topics, "partitions": u.partitions });
            let limits = obj!({ "bytes": l.bytes, "clients": l.clients, "partitions": l.partitions, "work": l.work });
            obj!({ "now": c.now.0, "seed": c.seed, "brokers": brokers, "topics": &c.topics, "clients": clients, "state_hash": alloc::format!("{:016x}", c.state_hash), "usage": usage, "limits": limits })
        }
        Description::Transaction {
            transactional_id,
            coordinator,
            metadata: m,
        } => {
            obj!({ "transactional_id": transactional_id, "coordinator": coordinator, "producer_id": m.producer_id, "producer_epoch": m.epoch, "state": m.state.name(),
                    "transaction_timeout_ms": m.timeout_ms, "start_time_ms": m.start_time_ms(), "partitions": partition_names(&m.partitions) })
        }
        Description::Subject {
            subject,
            compatibility,
            policy,
            versions,
        } => {
            let versions: Vec<Json> = versions
                .iter()
                .enumerate()
                .map(|(v, (id, schema, references))| {
                    let mut version = obj!({ "version": v + 1, "id": id, "schema": schema });
                    if !references.is_empty() {
                        version["references"] = SchemaReference::list_json(references);
                    }
                    version
                })
                .collect();
            obj!({ "subject": subject, "compatibility": compatibility.name(), "compatibility_policy": policy.name(), "versions": versions })
        }
        Description::Connector(c) => connector_json(c),
    }
}

fn producer_json(p: &ProducerDescription) -> Json {
    let pending: Vec<Json> = p
        .pending
        .iter()
        .map(|(t, part, n)| obj!({ "topic": &**t, "partition": part, "records": n }))
        .collect();
    let state = p.transaction_state.map(|s| s.name());
    obj!({ "producer": &p.producer, "producer_id": p.producer_id, "epoch": p.epoch, "transaction_state": state, "configs": entries_json(&p.configs), "pending": pending, "in_flight": p.in_flight })
}

fn connector_json(s: &ConnectorDescription) -> Json {
    let tasks: Vec<Json> = s
        .tasks
        .iter()
        .map(|t| {
            let mut task =
                obj!({ "id": t.id, "state": t.state, "client": &t.client, "trace": &t.trace });
            match t.offset {
                Some((position, committed)) => {
                    task["position"] = position.into_json();
                    task["committed_offset"] = committed.into_json();
                }
                None => task["partitions"] = (&t.partitions).into_json(),
            }
            task
        })
        .collect();
    let mut out = obj!({ "connector": &s.connector, "class": s.class, "type": if s.source { "source" } else { "sink" },
        "state": s.state, "topics": &s.topics, "tasks": tasks, "records": s.records,
        "skipped": s.skipped, "records_per_second": s.records_per_second });
    if let Some((rows, view)) = &s.view {
        out["rows"] = rows.into_json();
        match view {
            SinkRows::Table(rows) => out["table"] = entries_json(rows),
            SinkRows::Counts(rows) => {
                let mut shown = Map::new();
                shown.extend(
                    rows.iter()
                        .map(|(k, a)| (k.clone(), obj!({ "count": a.count, "sum": a.sum }))),
                );
                out["counts"] = shown.into_json();
            }
        }
    }
    out
}
