//! The smallest wasm builds over logplay-core, to measure what a download must carry.
//!
//! Without features this exports the engine's own API (topics, producers, consumers, groups,
//! transactions, brokers, the clock) with plain arguments: no script language, no schema
//! registry or Connect, no JS objects. With `script` it adds `runScript(text)`, which replays
//! any script and returns its outputs as JSON lines. `scripts/bench` builds both in release
//! (LTO, opt-level z, wasm-opt -Oz) and prints their gzipped sizes.

use core::cell::RefCell;
use logplay_core::{
    Cluster, ClusterConfig, ConsumerHandle, Error, ProducerHandle, ProducerRecord, SeekTo,
};
use wasm_bindgen::prelude::*;

/// The one cluster of the page, with the handles of its clients in creation order.
struct Page {
    cluster: Cluster,
    producers: Vec<ProducerHandle>,
    consumers: Vec<ConsumerHandle>,
}

thread_local! {
    static PAGE: RefCell<Page> = RefCell::new(Page {
        cluster: Cluster::new(ClusterConfig::default()),
        producers: Vec::new(),
        consumers: Vec::new(),
    });
}

fn js_error(e: &Error) -> JsValue {
    JsValue::from_str(&e.to_string())
}

fn with<T>(f: impl FnOnce(&mut Page) -> logplay_core::Result<T>) -> Result<T, JsValue> {
    PAGE.with(|page| f(&mut page.borrow_mut()).map_err(|e| js_error(&e)))
}

fn unknown_client() -> JsValue {
    JsValue::from_str("ILLEGAL_STATE: no such client")
}

fn producer(index: usize) -> Result<ProducerHandle, JsValue> {
    PAGE.with(|page| page.borrow().producers.get(index).copied())
        .ok_or_else(unknown_client)
}

fn consumer(index: usize) -> Result<ConsumerHandle, JsValue> {
    PAGE.with(|page| page.borrow().consumers.get(index).copied())
        .ok_or_else(unknown_client)
}

/// A fresh cluster with this seed.
#[wasm_bindgen]
pub fn reset(seed: u64) {
    PAGE.with(|page| {
        *page.borrow_mut() = Page {
            cluster: Cluster::new(ClusterConfig {
                seed,
                ..ClusterConfig::default()
            }),
            producers: Vec::new(),
            consumers: Vec::new(),
        };
    });
}

/// Sets the number of brokers.
#[wasm_bindgen]
pub fn brokers(count: usize) -> Result<(), JsValue> {
    with(|p| p.cluster.set_brokers(count, None))
}

/// Stops (`true`) or starts a broker.
#[wasm_bindgen]
pub fn broker(id: i32, stop: bool) -> Result<(), JsValue> {
    with(|p| {
        if stop {
            p.cluster.stop_broker(id)
        } else {
            p.cluster.start_broker(id)
        }
    })
}

/// Creates a topic with one config.
#[wasm_bindgen]
pub fn create_topic(name: &str, partitions: u32, key: &str, value: &str) -> Result<(), JsValue> {
    with(|p| {
        p.cluster
            .create_topic(name, partitions, &[(key, value)])
            .map(drop)
    })
}

/// Deletes a topic.
#[wasm_bindgen]
pub fn delete_topic(name: &str) -> Result<(), JsValue> {
    with(|p| p.cluster.delete_topic(name))
}

/// A producer with one config; returns its index.
#[wasm_bindgen]
pub fn create_producer(name: &str, key: &str, value: &str) -> Result<usize, JsValue> {
    with(|p| {
        let h = p.cluster.create_producer(name, &[(key, value)])?;
        p.producers.push(h);
        Ok(p.producers.len() - 1)
    })
}

/// Sends a keyed record; returns its sequence in the producer.
#[wasm_bindgen]
pub fn send(producer_index: usize, topic: &str, key: &[u8], value: &[u8]) -> Result<u64, JsValue> {
    let h = producer(producer_index)?;
    let record = ProducerRecord::new(topic).key(key).value(value);
    with(|p| p.cluster.produce(h, &record))
}

/// Transactions: 0 init, 1 begin, 2 commit, 3 abort, 4 send the offsets of consumer `other`.
#[wasm_bindgen]
pub fn transaction(producer_index: usize, step: u8, other: usize) -> Result<(), JsValue> {
    let h = producer(producer_index)?;
    if step >= 4 {
        let c = consumer(other)?;
        return with(|p| p.cluster.send_offsets_to_transaction(h, c).map(drop));
    }
    with(|p| match step {
        0 => p.cluster.init_transactions(h).map(|_| ()),
        1 => p.cluster.begin_transaction(h),
        2 => p.cluster.commit_transaction(h),
        _ => p.cluster.abort_transaction(h),
    })
}

/// A consumer with one config; returns its index.
#[wasm_bindgen]
pub fn create_consumer(name: &str, key: &str, value: &str) -> Result<usize, JsValue> {
    with(|p| {
        let h = p.cluster.create_consumer(name, &[(key, value)])?;
        p.consumers.push(h);
        Ok(p.consumers.len() - 1)
    })
}

/// Subscribes to a topic, or to a pattern.
#[wasm_bindgen]
pub fn subscribe(consumer_index: usize, topic: &str, pattern: bool) -> Result<(), JsValue> {
    let h = consumer(consumer_index)?;
    with(|p| {
        if pattern {
            p.cluster.subscribe_pattern(h, topic)
        } else {
            p.cluster.subscribe(h, &[topic])
        }
    })
}

/// Assigns one partition and seeks in it.
#[wasm_bindgen]
pub fn assign(
    consumer_index: usize,
    topic: &str,
    partition: u32,
    offset: i64,
) -> Result<(), JsValue> {
    let h = consumer(consumer_index)?;
    with(|p| {
        p.cluster.assign(h, &[(topic, partition)])?;
        p.cluster.seek(h, topic, partition, SeekTo::Offset(offset))
    })
}

/// Polls; returns the values read, concatenated.
#[wasm_bindgen]
pub fn poll(consumer_index: usize) -> Result<Vec<u8>, JsValue> {
    let h = consumer(consumer_index)?;
    with(|p| {
        let messages = p.cluster.poll(h)?;
        let mut values = Vec::new();
        for m in &messages {
            values.extend_from_slice(m.value().unwrap_or_default());
        }
        Ok(values)
    })
}

/// Commits every position; returns how many partitions were committed.
#[wasm_bindgen]
pub fn commit(consumer_index: usize) -> Result<usize, JsValue> {
    let h = consumer(consumer_index)?;
    with(|p| p.cluster.commit(h, None).map(|committed| committed.len()))
}

/// Moves the clock; returns how many cluster events happened.
#[wasm_bindgen]
pub fn tick(ms: u64) -> Result<usize, JsValue> {
    with(|p| {
        p.cluster.tick(ms)?;
        Ok(p.cluster.drain_events().len())
    })
}

/// The state hash.
#[wasm_bindgen]
pub fn state_hash() -> u64 {
    PAGE.with(|page| page.borrow().cluster.state_hash())
}

/// Replays a script; returns its outputs, one JSON line each.
#[cfg(feature = "script")]
#[wasm_bindgen(js_name = runScript)]
pub fn run_script(text: &str) -> Result<String, JsValue> {
    let script = logplay_core::script::parse(text).map_err(|e| JsValue::from_str(&e.message))?;
    let (_, outputs) = logplay_core::script::Session::run(&script);
    let mut lines = String::new();
    for output in outputs {
        lines.push_str(&output.to_json());
        lines.push('\n');
    }
    Ok(lines)
}
