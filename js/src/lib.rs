//! logplay's JavaScript API: a simulated Kafka cluster for pages, notebooks and JS tests.
//!
//! ```js
//! import init, { Cluster } from "logplay-js";
//! await init();
//! const cluster = new Cluster({ seed: 42 });
//! cluster.createTopic("orders", { partitions: 3 });
//! const producer = cluster.producer({ "linger.ms": 0 });
//! producer.send({ topic: "orders", messages: [{ key: "alice", value: "pizza" }] });
//! producer.flush();
//! const consumer = cluster.consumer({ "group.id": "billing", "auto.offset.reset": "earliest" });
//! consumer.assign([{ topic: "orders", partition: 0 }, { topic: "orders", partition: 1 }, { topic: "orders", partition: 2 }]);
//! const records = consumer.poll(); // [{ topic, partition, offset, key, value, headers, timestamp, … }]
//! consumer.commit();
//! ```
//!
//! Every call is a command of logplay's script language, applied to a [`Runner`]: the
//! cluster's `script()` replays to the same state, and `link()` shares it. A refused call
//! throws an `Error` whose `code` is Kafka's error name (`UNKNOWN_TOPIC_OR_PARTITION`,
//! `PRODUCER_FENCED`, …) and changes nothing.

extern crate alloc;

use alloc::collections::BTreeMap;
use alloc::rc::Rc;
use core::cell::RefCell;

use logplay_core::budget::Limits;
use logplay_core::consumer::OffsetReset;
use logplay_core::script::link;
use logplay_core::script::{
    self, BrokerAction, Command, Event, Output, OutputKind, Script, Session, TxnAction, Value,
};
use serde::Serialize;
use serde_json::Value as Json;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** Kafka properties by their own names: `{ "linger.ms": 5, acks: "all" }`. */
export type Config = Record<string, string | number | boolean>;
/**
 * The scenario budget: a call or script line that would pass a limit throws (or reports)
 * `POLICY_VIOLATION` and changes nothing. Defaults: 256 MiB, 20,000 clients, 20,000
 * partitions, 20,000,000 partition passes per clock step.
 */
export interface Limits { bytes?: number; clients?: number; partitions?: number; work?: number; }
export interface ClusterOptions { seed?: number; brokerConfig?: Config; brokers?: number; racks?: string[]; limits?: Limits; }
/** Options of `runScript`, `fromLink`, `Cluster.fromScript` and `Cluster.fromLink`. */
export interface RunOptions { limits?: Limits; }
export interface TopicOptions { partitions?: number; replicationFactor?: number; config?: Config; }
/** Record bytes: text when UTF-8, else `{ hex }`; `null` is Kafka's null. */
export type Bytes = string | { hex: string } | null;
export interface Message {
  key?: string | Uint8Array | null;
  value?: string | Uint8Array | null;
  headers?: Record<string, string | Uint8Array | null>;
  partition?: number;
  timestamp?: number;
}
export interface ProducerRecord { topic: string; messages: Message[]; }
export interface TopicPartition { topic: string; partition: number; }
export interface TopicPartitionOffset extends TopicPartition { offset: number; }
export interface KafkaError { code: string; message: string; }
/** A polled record, with confluent-kafka's `Message` fields. */
export interface KafkaMessage extends TopicPartitionOffset {
  type: "record"; consumer: string; key: Bytes; value: Bytes; headers: [string, Bytes][];
  timestamp: number; timestamp_type: "CreateTime" | "LogAppendTime"; error: KafkaError | null;
}
export interface DeliveryReport extends TopicPartitionOffset {
  type: "delivery"; producer: string; id: number; timestamp: number; error: KafkaError | null;
}
/** What `send()` returns: the messages' ids, and the delivery reports that came back
 *  during the call (with `linger.ms: 0`, those of these messages). */
export interface SendResult { ids: number[]; reports: DeliveryReport[]; }
export interface Committed extends TopicPartitionOffset { type: "committed"; consumer: string; }
/** One line of `logplay run`'s output: `type` says which (see docs/script.md). */
export interface Output { type: string; [field: string]: unknown; }
/** `fromBeginning` (KafkaJS) must agree with the consumer's `auto.offset.reset`. */
export type Subscription = ({ topics: string[] } | { topic: string } | { pattern: string }) & { fromBeginning?: boolean };
"#;

#[wasm_bindgen]
extern "C" {
    /// `ClusterOptions`, optional.
    #[wasm_bindgen(typescript_type = "ClusterOptions | undefined")]
    pub type ClusterOptions;
    /// `RunOptions`, optional.
    #[wasm_bindgen(typescript_type = "RunOptions | undefined")]
    pub type RunOptions;
    /// `TopicOptions`, optional.
    #[wasm_bindgen(typescript_type = "TopicOptions | undefined")]
    pub type TopicOptions;
    /// `Config`, optional.
    #[wasm_bindgen(typescript_type = "Config | undefined")]
    pub type Config;
    /// `ProducerRecord`.
    #[wasm_bindgen(typescript_type = "ProducerRecord")]
    pub type ProducerRecord;
    /// `Subscription`.
    #[wasm_bindgen(typescript_type = "Subscription")]
    pub type Subscription;
    /// `TopicPartition[]`.
    #[wasm_bindgen(typescript_type = "TopicPartition[]")]
    pub type TopicPartitions;
    /// `TopicPartitionOffset[] | undefined`.
    #[wasm_bindgen(typescript_type = "TopicPartitionOffset[] | undefined")]
    pub type Offsets;
    /// `TopicPartitionOffset`.
    #[wasm_bindgen(typescript_type = "TopicPartitionOffset")]
    pub type SeekTo;
}

/// The cluster's state shared with its clients.
struct Shared {
    session: Session,
    clients: u32,
    /// Delivery reports that no call of their producer's own returned (they came back on
    /// `tick()`, a retry, another client's call), until its `deliveries()` drains them.
    mailbox: Vec<Output>,
}

type State = Rc<RefCell<Shared>>;

/// A JS `Error` with Kafka's error name as its `code`.
fn kafka_error(code: &str, message: &str) -> JsValue {
    let e = js_sys::Error::new(message);
    let _ = js_sys::Reflect::set(&e, &"code".into(), &code.into());
    e.into()
}

/// Applies one command through the session: a refused command is not recorded, and one
/// that took effect before it failed is.
///
/// Every delivery report reaches its producer once: those of the producer whose own call
/// (`send()`, `flush()`, `disconnect()`) this is are returned by that call, unless it
/// throws, and the rest go to their producer's mailbox.
fn apply_outputs(state: &State, command: Command) -> Result<Vec<Output>, script::Failure> {
    let caller = match &command {
        Command::Produce { producer, .. } => Some(producer.clone()),
        Command::Flush(p) | Command::Close(p) => Some(p.clone()),
        _ => None,
    };
    let mut s = state.borrow_mut();
    let result = s.session.apply(command);
    // A call that throws returns no reports: its own go to the mailbox too.
    let (outputs, returned) = match &result {
        Ok(outputs) => (outputs, caller),
        Err(failure) => (&failure.outputs, None),
    };
    for o in outputs {
        if let Event::Delivery { producer, report } = &o.event {
            if returned.as_deref() != Some(producer.as_str()) {
                s.mailbox.push(Output {
                    line: o.line,
                    event: Event::Delivery {
                        producer: producer.clone(),
                        report: report.clone(),
                    },
                });
            }
        }
    }
    result
}

/// Applies one command; a failed one throws Kafka's error.
fn apply(state: &State, command: Command) -> Result<Vec<Output>, JsValue> {
    apply_outputs(state, command).map_err(|f| kafka_error(f.error.code.name(), &f.error.message))
}

/// Outputs as plain JS objects: `{ type, …fields }`.
fn outputs_js(outputs: &[Output], kind: Option<OutputKind>) -> Result<JsValue, JsValue> {
    let list: Vec<Json> = outputs
        .iter()
        .filter(|o| kind.is_none_or(|k| o.kind() == k))
        .map(|o| {
            let mut fields = o.event.to_fields();
            fields.insert("type".into(), Json::String(o.kind().name().into()));
            Json::Object(fields)
        })
        .collect();
    to_js(&list)
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| kafka_error("INVALID_REQUEST", &e.to_string()))
}

/// A JS object of configs (`{ "linger.ms": 5, "acks": "all" }`) as Kafka's key/value pairs.
fn configs(options: JsValue) -> Result<Vec<(String, String)>, JsValue> {
    if options.is_undefined() || options.is_null() {
        return Ok(Vec::new());
    }
    let map: BTreeMap<String, Json> = serde_wasm_bindgen::from_value(options).map_err(|e| {
        kafka_error(
            "INVALID_CONFIG",
            &format!("configs must be an object of Kafka properties: {e}"),
        )
    })?;
    Ok(map
        .into_iter()
        .map(|(k, v)| {
            let v = match v {
                Json::String(s) => s,
                other => other.to_string(),
            };
            (k, v)
        })
        .collect())
}

/// A key, value or header value: a string, a `Uint8Array`, or null.
fn bytes_value(v: &JsValue) -> Result<Option<Value>, JsValue> {
    if v.is_null() || v.is_undefined() {
        Ok(None)
    } else if let Some(s) = v.as_string() {
        Ok(Some(Value::Text(s)))
    } else if let Some(a) = v.dyn_ref::<js_sys::Uint8Array>() {
        Ok(Some(Value::Hex(a.to_vec())))
    } else {
        Err(kafka_error(
            "INVALID_RECORD",
            "keys, values and headers are strings, Uint8Arrays or null",
        ))
    }
}

/// A JS array; anything else is refused (`Array.from` would make a list of a string's
/// characters, or an empty one of an object).
fn array(value: &JsValue, what: &str) -> Result<js_sys::Array, JsValue> {
    value
        .dyn_ref::<js_sys::Array>()
        .cloned()
        .ok_or_else(|| kafka_error("INVALID_REQUEST", &format!("{what} must be an array")))
}

fn field(object: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(object, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

/// The largest whole number a JS number holds exactly.
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// A whole-number field within `min..=max`, absent as `None`; anything else is refused with
/// Kafka's error `code`.
fn whole(
    object: &JsValue,
    name: &str,
    min: f64,
    max: f64,
    code: &str,
) -> Result<Option<f64>, JsValue> {
    let v = field(object, name);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    match v.as_f64() {
        Some(n) if n.fract() == 0.0 && (min..=max).contains(&n) => Ok(Some(n)),
        _ => Err(kafka_error(
            code,
            &format!("{name} must be a whole number from {min} to {max}"),
        )),
    }
}

/// `limits: { bytes, clients, partitions, work }`, each defaulting to [`Limits::default`].
fn limits(options: &JsValue) -> Result<Limits, JsValue> {
    let given = field(options, "limits");
    let mut limits = Limits::default();
    if given.is_undefined() || given.is_null() {
        return Ok(limits);
    }
    let get = |name: &str, max: f64| whole(&given, name, 0.0, max, "INVALID_CONFIG");
    if let Some(n) = get("bytes", MAX_SAFE)? {
        limits.bytes = n as u64;
    }
    if let Some(n) = get("clients", f64::from(u32::MAX))? {
        limits.clients = n as u32;
    }
    if let Some(n) = get("partitions", f64::from(u32::MAX))? {
        limits.partitions = n as u32;
    }
    if let Some(n) = get("work", MAX_SAFE)? {
        limits.work = n as u64;
    }
    Ok(limits)
}

/// `{ topic, partition }`.
fn topic_partition(o: &JsValue) -> Result<(String, u32), JsValue> {
    let missing = || {
        kafka_error(
            "UNKNOWN_TOPIC_OR_PARTITION",
            "a topic-partition is { topic, partition }",
        )
    };
    let topic = field(o, "topic").as_string().ok_or_else(missing)?;
    let partition = whole(
        o,
        "partition",
        0.0,
        f64::from(u32::MAX),
        "UNKNOWN_TOPIC_OR_PARTITION",
    )?
    .ok_or_else(missing)?;
    Ok((topic, partition as u32))
}

/// The topics of `subscribe({ topics: [...] })`, or KafkaJS's `{ topic }`.
fn subscribed_topics(options: &JsValue) -> Result<Vec<String>, JsValue> {
    let topics = field(options, "topics");
    let list: Vec<JsValue> = match topics.dyn_ref::<js_sys::Array>() {
        Some(list) => list.iter().collect(),
        None if topics.is_undefined() && !field(options, "topic").is_undefined() => {
            vec![field(options, "topic")]
        }
        None => {
            return Err(kafka_error(
                "INVALID_REQUEST",
                "subscribe() takes { topics: [names] }, { topic: name } or { pattern: regex }",
            ))
        }
    };
    list.iter()
        .map(|t| {
            t.as_string().ok_or_else(|| {
                kafka_error(
                    "INVALID_TOPIC_EXCEPTION",
                    "a topic name is a string; for a regular expression use { pattern: \"…\" }",
                )
            })
        })
        .collect()
}

/// An `offset` field.
fn offset(o: &JsValue) -> Result<i64, JsValue> {
    let n = whole(o, "offset", 0.0, MAX_SAFE, "OFFSET_OUT_OF_RANGE")?;
    n.map(|n| n as i64)
        .ok_or_else(|| kafka_error("OFFSET_OUT_OF_RANGE", "an offset is needed"))
}

/// A simulated Kafka cluster on a simulated clock.
#[wasm_bindgen]
pub struct Cluster {
    state: State,
}

#[wasm_bindgen]
impl Cluster {
    /// `new Cluster({ seed, brokerConfig })`: a fresh cluster at time 0.
    #[wasm_bindgen(constructor)]
    pub fn new(options: ClusterOptions) -> Result<Cluster, JsValue> {
        let options: JsValue = options.into();
        let cluster = Cluster {
            state: Rc::new(RefCell::new(Shared {
                session: Session::new().with_limits(limits(&options)?),
                clients: 0,
                mailbox: Vec::new(),
            })),
        };
        if let Some(seed) = whole(&options, "seed", 0.0, MAX_SAFE, "INVALID_CONFIG")? {
            apply(&cluster.state, Command::Seed(seed as u64))?;
        }
        let broker = configs(field(&options, "brokerConfig"))?;
        if !broker.is_empty() {
            apply(&cluster.state, Command::Broker(broker))?;
        }
        let racks = field(&options, "racks");
        let racks = if racks.is_undefined() || racks.is_null() {
            None
        } else {
            let list = racks.dyn_into::<js_sys::Array>().map_err(|_| {
                kafka_error("INVALID_CONFIG", "racks must be an array of rack names")
            })?;
            let names: Option<Vec<String>> = list.iter().map(|r| r.as_string()).collect();
            Some(names.ok_or_else(|| kafka_error("INVALID_CONFIG", "racks must be strings"))?)
        };
        let count = whole(&options, "brokers", 1.0, 32.0, "INVALID_REQUEST")?;
        if count.is_some() || racks.is_some() {
            let count = count.map_or_else(|| racks.as_ref().map_or(1, Vec::len), |n| n as usize);
            apply(&cluster.state, Command::Brokers { count, racks })?;
        }
        Ok(cluster)
    }

    /// `stopBroker(id)`: a controlled shutdown; returns what happened (leader elections, …).
    #[wasm_bindgen(js_name = stopBroker, unchecked_return_type = "Output[]")]
    pub fn stop_broker(&self, id: f64) -> Result<JsValue, JsValue> {
        self.broker(id, BrokerAction::Stop)
    }

    /// `startBroker(id)`.
    #[wasm_bindgen(js_name = startBroker, unchecked_return_type = "Output[]")]
    pub fn start_broker(&self, id: f64) -> Result<JsValue, JsValue> {
        self.broker(id, BrokerAction::Start)
    }

    /// `isolateBroker(id)`: cuts it off from the other brokers.
    #[wasm_bindgen(js_name = isolateBroker, unchecked_return_type = "Output[]")]
    pub fn isolate_broker(&self, id: f64) -> Result<JsValue, JsValue> {
        self.broker(id, BrokerAction::Isolate)
    }

    /// `healBroker(id)`: ends its isolation.
    #[wasm_bindgen(js_name = healBroker, unchecked_return_type = "Output[]")]
    pub fn heal_broker(&self, id: f64) -> Result<JsValue, JsValue> {
        self.broker(id, BrokerAction::Heal)
    }

    fn broker(&self, id: f64, action: BrokerAction) -> Result<JsValue, JsValue> {
        if !(id.fract() == 0.0 && (0.0..=f64::from(i32::MAX)).contains(&id)) {
            return Err(kafka_error(
                "BROKER_NOT_AVAILABLE",
                &format!("there is no broker {id}"),
            ));
        }
        let outputs = apply(
            &self.state,
            Command::BrokerChange {
                broker: id as i32,
                action,
            },
        )?;
        outputs_js(&outputs, None)
    }

    /// A cluster that has run a script (its refused commands are left out).
    #[wasm_bindgen(js_name = fromScript)]
    pub fn from_script(text: &str, options: RunOptions) -> Result<Cluster, JsValue> {
        let parsed = parse(text)?;
        let cluster = Cluster::new(options.unchecked_into())?;
        for (_, c) in parsed.commands {
            let _ = apply(&cluster.state, c);
        }
        Ok(cluster)
    }

    /// A cluster replayed from a share link (`…#s=1.…`, or the part after `#s=`).
    #[wasm_bindgen(js_name = fromLink)]
    pub fn from_link(url: &str, options: RunOptions) -> Result<Cluster, JsValue> {
        Cluster::from_script(&script::print(&decode_link(url)?), options)
    }

    /// `createTopic(name, { partitions, replicationFactor, config })`.
    #[wasm_bindgen(js_name = createTopic)]
    pub fn create_topic(&self, name: &str, options: TopicOptions) -> Result<(), JsValue> {
        let options: JsValue = options.into();
        let partitions = whole(
            &options,
            "partitions",
            0.0,
            f64::from(u32::MAX),
            "INVALID_PARTITIONS",
        )?
        .unwrap_or(1.0);
        let replication_factor = whole(
            &options,
            "replicationFactor",
            0.0,
            f64::from(u32::MAX),
            "INVALID_REPLICATION_FACTOR",
        )?;
        let configs = configs(field(&options, "config"))?;
        apply(
            &self.state,
            Command::CreateTopic {
                name: name.into(),
                partitions: partitions as u32,
                replication_factor: replication_factor.map(|rf| rf as u32),
                configs,
            },
        )?;
        Ok(())
    }

    /// `deleteTopic(name)`.
    #[wasm_bindgen(js_name = deleteTopic)]
    pub fn delete_topic(&self, name: &str) -> Result<(), JsValue> {
        apply(&self.state, Command::DeleteTopic(name.into())).map(|_| ())
    }

    /// `producer(config)`: a producer with Kafka's configs (`client.id` names it).
    pub fn producer(&self, config: Config) -> Result<Producer, JsValue> {
        let configs = configs(config.into())?;
        let name = self.client_name(&configs, "producer");
        apply(
            &self.state,
            Command::Producer {
                name: name.clone(),
                configs,
            },
        )?;
        Ok(Producer {
            state: Rc::clone(&self.state),
            name,
        })
    }

    /// `consumer(config)`: a consumer with Kafka's configs (`client.id` names it).
    pub fn consumer(&self, config: Config) -> Result<Consumer, JsValue> {
        let configs = configs(config.into())?;
        let name = self.client_name(&configs, "consumer");
        apply(
            &self.state,
            Command::Consumer {
                name: name.clone(),
                configs,
            },
        )?;
        Ok(Consumer {
            state: Rc::clone(&self.state),
            name,
        })
    }

    fn client_name(&self, configs: &[(String, String)], kind: &str) -> String {
        let mut s = self.state.borrow_mut();
        s.clients += 1;
        configs
            .iter()
            .find(|(k, _)| k == "client.id")
            .map_or_else(|| format!("{kind}-{}", s.clients), |(_, v)| v.clone())
    }

    /// `tick(ms)`: moves the simulated clock; returns what happened (deliveries, …).
    #[wasm_bindgen(unchecked_return_type = "Output[]")]
    pub fn tick(&self, ms: f64) -> Result<JsValue, JsValue> {
        let max = script::MAX_TICK_MS as f64;
        if !(ms.fract() == 0.0 && (0.0..=max).contains(&ms)) {
            return Err(kafka_error(
                "INVALID_REQUEST",
                &format!("tick() takes whole milliseconds from 0 to {max}"),
            ));
        }
        let outputs = apply(&self.state, Command::Tick(ms as u64))?;
        outputs_js(&outputs, None)
    }

    /// `run(text)`: more script commands on this cluster; returns their outputs. A parse
    /// error throws with `line` and `column`; a refused command reports its error and the
    /// run goes on, as `logplay run` does.
    #[wasm_bindgen(unchecked_return_type = "Output[]")]
    pub fn run(&self, text: &str) -> Result<JsValue, JsValue> {
        let parsed = parse(text)?;
        let mut all = Vec::new();
        for (_, c) in parsed.commands {
            all.extend(apply_outputs(&self.state, c).unwrap_or_else(|f| f.outputs));
        }
        outputs_js(&all, None)
    }

    /// `describe(what, name)`: `topic`, `group`, `consumer`, `producer`, `transaction`,
    /// `subject`, `connector` or `cluster`, as `describe` in a script.
    pub fn describe(&self, what: &str, name: Option<String>) -> Result<JsValue, JsValue> {
        let text = format!("describe {what} {}", name.unwrap_or_default());
        let parsed = parse(text.trim_end())?;
        let Some((_, Command::Describe(target))) = parsed.commands.into_iter().next() else {
            return Err(kafka_error("INVALID_REQUEST", "nothing to describe"));
        };
        // A describe changes nothing, so it is not recorded in the script.
        let described = self.state.borrow().session.runner().describe(&target);
        match described {
            Ok(description) => to_js(&description.to_json()),
            Err(e) => Err(kafka_error(e.code.name(), &e.message)),
        }
    }

    /// The simulated time, in milliseconds.
    #[wasm_bindgen(getter)]
    pub fn now(&self) -> f64 {
        self.state.borrow().session.runner().cluster().now().0 as f64
    }

    /// The state hash (16 hex digits): equal states, equal hashes, natively and in wasm.
    #[wasm_bindgen(js_name = stateHash)]
    pub fn state_hash(&self) -> String {
        format!(
            "{:016x}",
            self.state.borrow().session.runner().cluster().state_hash()
        )
    }

    /// The script of every call so far.
    pub fn script(&self) -> String {
        script::print(self.state.borrow().session.script())
    }

    /// The script as a share link's payload (what follows `#s=`).
    pub fn link(&self) -> String {
        link::encode(self.state.borrow().session.script())
    }
}

/// A producer of a [`Cluster`].
#[wasm_bindgen]
pub struct Producer {
    state: State,
    name: String,
}

#[wasm_bindgen]
impl Producer {
    /// Its name (`client.id`).
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.name.clone()
    }

    /// `send({ topic, messages: [{ key, value, headers, partition, timestamp }] })`: queues
    /// the messages in their partitions' batches; returns their ids and the delivery reports
    /// that came back during the call (the rest come from `flush()` or `deliveries()`).
    /// Malformed input is refused before anything is queued; a message the producer refuses
    /// (its partition does not exist, it is too large) throws, and the ones before it stay
    /// queued, as with one Java `send()` per record.
    #[wasm_bindgen(unchecked_return_type = "SendResult")]
    pub fn send(&self, record: ProducerRecord) -> Result<JsValue, JsValue> {
        let record: JsValue = record.into();
        let topic = field(&record, "topic")
            .as_string()
            .ok_or_else(|| kafka_error("INVALID_REQUEST", "send() needs a topic"))?;
        let messages = array(&field(&record, "messages"), "messages")?;
        // Every message is read before any is queued: bad input changes nothing.
        let mut commands = Vec::new();
        for m in messages.iter() {
            if !m.is_object() {
                return Err(kafka_error(
                    "INVALID_RECORD",
                    "a message is { key, value, headers, partition, timestamp }",
                ));
            }
            let headers_js = field(&m, "headers");
            let mut headers = Vec::new();
            if headers_js.is_object() {
                for entry in js_sys::Object::entries(&headers_js.into()).iter() {
                    let pair = js_sys::Array::from(&entry);
                    let key = pair.get(0).as_string().unwrap_or_default();
                    headers.push((key, bytes_value(&pair.get(1))?.unwrap_or(Value::Null)));
                }
            }
            commands.push(Command::Produce {
                producer: self.name.clone(),
                topic: topic.clone(),
                key: bytes_value(&field(&m, "key"))?,
                value: Some(bytes_value(&field(&m, "value"))?.unwrap_or(Value::Null)),
                partition: whole(
                    &m,
                    "partition",
                    0.0,
                    f64::from(u32::MAX),
                    "UNKNOWN_TOPIC_OR_PARTITION",
                )?
                .map(|p| p as u32),
                timestamp: whole(&m, "timestamp", -MAX_SAFE, MAX_SAFE, "INVALID_TIMESTAMP")?
                    .map(|t| t as i64),
                headers,
            });
        }
        let (mut ids, mut reports) = (Vec::new(), Vec::new());
        for command in commands {
            let outputs = match apply_outputs(&self.state, command) {
                Ok(outputs) => outputs,
                Err(failure) => {
                    // The reports of the messages before this one are not lost.
                    self.mail(reports);
                    return Err(kafka_error(
                        failure.error.code.name(),
                        &failure.error.message,
                    ));
                }
            };
            for o in outputs {
                match o.event {
                    Event::Queued { id, .. } => ids.push(id as f64),
                    Event::Delivery { .. } => reports.push(o),
                    _ => {}
                }
            }
        }
        let result = js_sys::Object::new();
        let ids: js_sys::Array = ids.into_iter().map(JsValue::from_f64).collect();
        js_sys::Reflect::set(&result, &"ids".into(), &ids)?;
        js_sys::Reflect::set(&result, &"reports".into(), &outputs_js(&reports, None)?)?;
        Ok(result.into())
    }

    /// `deliveries()`: drains the delivery reports that came back outside this producer's
    /// own calls: on `tick()`, on retries, or on another client's call that moved the clock.
    #[wasm_bindgen(unchecked_return_type = "DeliveryReport[]")]
    pub fn deliveries(&self) -> Result<JsValue, JsValue> {
        let mut state = self.state.borrow_mut();
        let (drained, others): (Vec<Output>, Vec<Output>) = core::mem::take(&mut state.mailbox)
            .into_iter()
            .partition(|o| o.event.client() == Some(self.name.as_str()));
        state.mailbox = others;
        drop(state);
        outputs_js(&drained, None)
    }

    /// Reports a call could not return go to the mailbox, so that none is lost.
    fn mail(&self, reports: Vec<Output>) {
        self.state.borrow_mut().mailbox.extend(reports);
    }

    /// `flush()`: sends every waiting batch now; returns the delivery reports.
    #[wasm_bindgen(unchecked_return_type = "DeliveryReport[]")]
    pub fn flush(&self) -> Result<JsValue, JsValue> {
        let outputs = apply(&self.state, Command::Flush(self.name.clone()))?;
        outputs_js(&outputs, Some(OutputKind::Delivery))
    }

    /// `initTransactions()`.
    #[wasm_bindgen(js_name = initTransactions)]
    pub fn init_transactions(&self) -> Result<(), JsValue> {
        self.txn(TxnAction::Init)
    }

    /// `beginTransaction()`.
    #[wasm_bindgen(js_name = beginTransaction)]
    pub fn begin_transaction(&self) -> Result<(), JsValue> {
        self.txn(TxnAction::Begin)
    }

    /// `commitTransaction()`.
    #[wasm_bindgen(js_name = commitTransaction)]
    pub fn commit_transaction(&self) -> Result<(), JsValue> {
        self.txn(TxnAction::Commit)
    }

    /// `abortTransaction()`.
    #[wasm_bindgen(js_name = abortTransaction)]
    pub fn abort_transaction(&self) -> Result<(), JsValue> {
        self.txn(TxnAction::Abort)
    }

    /// `sendOffsets({ consumer })`: the consumer's positions commit with the transaction.
    #[wasm_bindgen(js_name = sendOffsets)]
    pub fn send_offsets(&self, consumer: &Consumer) -> Result<(), JsValue> {
        if !Rc::ptr_eq(&self.state, &consumer.state) {
            return Err(kafka_error(
                "INVALID_REQUEST",
                "sendOffsets() takes a consumer of this producer's cluster",
            ));
        }
        let command = Command::SendOffsets {
            producer: self.name.clone(),
            consumer: consumer.name.clone(),
        };
        apply(&self.state, command).map(|_| ())
    }

    /// `disconnect()`: flushes and closes (aborting an open transaction); returns the last
    /// delivery reports, failed ones included for what could not complete.
    #[wasm_bindgen(unchecked_return_type = "DeliveryReport[]")]
    pub fn disconnect(&self) -> Result<JsValue, JsValue> {
        let outputs = apply(&self.state, Command::Close(self.name.clone()))?;
        outputs_js(&outputs, Some(OutputKind::Delivery))
    }

    fn txn(&self, action: TxnAction) -> Result<(), JsValue> {
        apply(
            &self.state,
            Command::Transaction {
                producer: self.name.clone(),
                action,
            },
        )
        .map(|_| ())
    }
}

/// A consumer of a [`Cluster`].
#[wasm_bindgen]
pub struct Consumer {
    state: State,
    name: String,
}

#[wasm_bindgen]
impl Consumer {
    /// Its name (`client.id`).
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.name.clone()
    }

    /// `subscribe({ topics: [...] })`, KafkaJS's `subscribe({ topic })`, or
    /// `subscribe({ pattern: "regex" })` (Java's: the whole name matches, re-checked as topics
    /// come and go).
    pub fn subscribe(&self, options: Subscription) -> Result<(), JsValue> {
        let options: JsValue = options.into();
        self.check_from_beginning(&field(&options, "fromBeginning"))?;
        let command = match field(&options, "pattern").as_string() {
            Some(pattern) => Command::SubscribePattern {
                consumer: self.name.clone(),
                pattern,
            },
            None => Command::Subscribe {
                consumer: self.name.clone(),
                topics: subscribed_topics(&options)?,
            },
        };
        apply(&self.state, command).map(|_| ())
    }

    /// KafkaJS's `fromBeginning` is the consumer's `auto.offset.reset` here (set per
    /// consumer, as in the Java client): a flag that says otherwise is refused, not ignored.
    fn check_from_beginning(&self, flag: &JsValue) -> Result<(), JsValue> {
        let Some(from_beginning) = flag.as_bool() else {
            return Ok(());
        };
        let s = self.state.borrow();
        let runner = s.session.runner();
        let reset = runner
            .consumer(&self.name)
            .and_then(|h| runner.cluster().consumer(h).ok())
            .map(|c| c.config().auto_offset_reset);
        let wanted = if from_beginning {
            OffsetReset::Earliest
        } else {
            OffsetReset::Latest
        };
        match reset {
            Some(reset) if reset != wanted => Err(kafka_error(
                "INVALID_CONFIG",
                &format!(
                    "fromBeginning: {from_beginning} needs auto.offset.reset={}, and this consumer has {}: set it in consumer({{ \"auto.offset.reset\": \"{}\" }})",
                    wanted.name(),
                    reset.name(),
                    wanted.name()
                ),
            )),
            _ => Ok(()),
        }
    }

    /// `assign([{ topic, partition }])`.
    pub fn assign(&self, partitions: TopicPartitions) -> Result<(), JsValue> {
        let partitions: JsValue = partitions.into();
        let partitions = array(&partitions, "assign()'s partitions")?
            .iter()
            .map(|p| topic_partition(&p))
            .collect::<Result<_, _>>()?;
        apply(
            &self.state,
            Command::Assign {
                consumer: self.name.clone(),
                partitions,
            },
        )
        .map(|_| ())
    }

    /// `poll()`: up to `max.poll.records` records, as confluent-kafka's `Message` fields.
    #[wasm_bindgen(unchecked_return_type = "KafkaMessage[]")]
    pub fn poll(&self) -> Result<JsValue, JsValue> {
        let outputs = apply(&self.state, Command::Poll(self.name.clone()))?;
        // poll() threw (a record it cannot deserialize): the poll itself is in the script.
        if let Some(e) = outputs.iter().find_map(|o| match &o.event {
            Event::PollFailed { error, .. } => Some(error),
            _ => None,
        }) {
            return Err(kafka_error(e.code.name(), &e.message));
        }
        outputs_js(&outputs, Some(OutputKind::Record))
    }

    /// `commit()` of the positions, or `commit([{ topic, partition, offset }])`.
    #[wasm_bindgen(unchecked_return_type = "Committed[]")]
    pub fn commit(&self, offsets: Offsets) -> Result<JsValue, JsValue> {
        let offsets: JsValue = offsets.into();
        let offsets = if offsets.is_undefined() || offsets.is_null() {
            Vec::new()
        } else {
            array(&offsets, "commit()'s offsets")?
                .iter()
                .map(|o| Ok((topic_partition(&o)?, offset(&o)?)))
                .collect::<Result<_, JsValue>>()?
        };
        let command = Command::Commit {
            consumer: self.name.clone(),
            offsets,
            asynchronous: false,
        };
        let outputs = apply(&self.state, command)?;
        outputs_js(&outputs, Some(OutputKind::Committed))
    }

    /// `seek({ topic, partition, offset })`.
    pub fn seek(&self, target: SeekTo) -> Result<(), JsValue> {
        let target: JsValue = target.into();
        let partition = topic_partition(&target)?;
        let to = script::SeekTo::Offset(offset(&target)?);
        apply(
            &self.state,
            Command::Seek {
                consumer: self.name.clone(),
                partition,
                to,
            },
        )
        .map(|_| ())
    }

    /// `disconnect()`: commits if auto-commit is on, leaves the group, closes.
    pub fn disconnect(&self) -> Result<(), JsValue> {
        apply(&self.state, Command::Close(self.name.clone())).map(|_| ())
    }
}

fn parse(text: &str) -> Result<Script, JsValue> {
    script::parse(text).map_err(|e| {
        let err = kafka_error("INVALID_REQUEST", &e.to_string());
        let _ = js_sys::Reflect::set(&err, &"line".into(), &(e.line as f64).into());
        let _ = js_sys::Reflect::set(&err, &"column".into(), &(e.column as f64).into());
        err
    })
}

fn decode_link(url: &str) -> Result<Script, JsValue> {
    let payload = url.rsplit_once("#s=").map_or(url, |(_, p)| p);
    link::decode(payload)
        .map_err(|e| kafka_error("INVALID_REQUEST", &format!("the link is damaged: {e}")))
}

/// `runScript(text, { limits })`: runs a script on a fresh cluster; returns every output.
#[wasm_bindgen(js_name = runScript, unchecked_return_type = "Output[]")]
pub fn run_script(text: &str, options: RunOptions) -> Result<JsValue, JsValue> {
    run_parsed(&parse(text)?, options)
}

/// `fromLink(url, { limits })`: runs the script in a share link; returns every output.
#[wasm_bindgen(js_name = fromLink, unchecked_return_type = "Output[]")]
pub fn from_link(url: &str, options: RunOptions) -> Result<JsValue, JsValue> {
    run_parsed(&decode_link(url)?, options)
}

fn run_parsed(parsed: &Script, options: RunOptions) -> Result<JsValue, JsValue> {
    let mut session = Session::new().with_limits(limits(&options.into())?);
    let mut outputs = Vec::new();
    session.apply_script(parsed, |o| outputs.push(o));
    outputs_js(&outputs, None)
}

// The tests live in the library, not in tests/: an integration test needs an rlib, and an
// rlib beside the cdylib silently turns LTO off for the package's wasm (rust-lang/cargo#9672),
// which made it 27.3 KB larger gzipped.
#[cfg(all(test, target_arch = "wasm32"))]
mod tests;
