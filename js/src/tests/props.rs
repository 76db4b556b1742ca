//! A property test of the JavaScript API: seeded random sequences of calls, many of them
//! refused. A refused call leaves the state hash and the script as they were, and the
//! cluster's `script()` replays to the same state hash.

use super::{js, undefined};
use crate::{Cluster, Consumer, Producer};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

/// Sequences per run, and calls per sequence.
const SEQUENCES: u64 = 60;
const CALLS: usize = 40;

/// A small seeded generator (SplitMix64): the sequences are the same on every run.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % n as u64) as usize
    }

    fn pick<'a>(&mut self, options: &[&'a str]) -> &'a str {
        options[self.roll(options.len())]
    }
}

/// The clients a sequence has made so far.
#[derive(Default)]
struct Clients {
    producers: Vec<Producer>,
    consumers: Vec<Consumer>,
}

const TOPICS: &[&str] = &["t", "u", "bad name"];

/// One random call; returns whether the API accepted it.
fn call(cluster: &Cluster, clients: &mut Clients, dice: &mut Dice) -> Result<(), JsValue> {
    let topic = dice.pick(TOPICS);
    let partition = dice.roll(4);
    let producer = (!clients.producers.is_empty())
        .then(|| dice.roll(clients.producers.len()))
        .map(|i| &clients.producers[i]);
    let consumer = (!clients.consumers.is_empty())
        .then(|| dice.roll(clients.consumers.len()))
        .map(|i| &clients.consumers[i]);
    match dice.roll(16) {
        0 => cluster.create_topic(
            topic,
            js(&format!(r#"{{"partitions": {}}}"#, dice.roll(4))),
        ),
        1 => cluster.delete_topic(topic),
        2 => {
            let config = dice.pick(&[
                r#"{"linger.ms": 0}"#,
                r#"{}"#,
                r#"{"transactional.id": "tx", "linger.ms": 0}"#,
                r#"{"acks": "most"}"#,
            ]);
            clients.producers.push(cluster.producer(js(config))?);
            Ok(())
        }
        3 => {
            let config = dice.pick(&[
                r#"{"group.id": "g", "auto.offset.reset": "earliest"}"#,
                r#"{"group.id": "g", "isolation.level": "read_committed"}"#,
                r#"{}"#,
                r#"{"no.such.config": 1}"#,
            ]);
            clients.consumers.push(cluster.consumer(js(config))?);
            Ok(())
        }
        4 | 5 => match producer {
            Some(p) => p
                .send(js(&format!(
                    r#"{{"topic": "{topic}", "messages": [{{"key": "k{partition}", "value": "v"}}, {{"value": "w", "partition": {partition}}}]}}"#
                )))
                .map(|_| ()),
            None => Ok(()),
        },
        6 => producer.map_or(Ok(()), |p| p.flush().map(|_| ())),
        7 => match producer {
            Some(p) => match dice.roll(4) {
                0 => p.init_transactions(),
                1 => p.begin_transaction(),
                2 => p.commit_transaction(),
                _ => p.abort_transaction(),
            },
            None => Ok(()),
        },
        8 => producer.map_or(Ok(()), |p| p.disconnect().map(|_| ())),
        9 => consumer.map_or(Ok(()), |c| {
            c.subscribe(js(&format!(r#"{{"topics": ["{topic}"]}}"#)))
        }),
        10 => consumer.map_or(Ok(()), |c| {
            c.assign(js(&format!(
                r#"[{{"topic": "{topic}", "partition": {partition}}}]"#
            )))
        }),
        11 | 12 => consumer.map_or(Ok(()), |c| c.poll().map(|_| ())),
        13 => consumer.map_or(Ok(()), |c| c.commit(undefined()).map(|_| ())),
        14 => consumer.map_or(Ok(()), |c| {
            c.seek(js(&format!(
                r#"{{"topic": "{topic}", "partition": {partition}, "offset": {}}}"#,
                dice.roll(3)
            )))
        }),
        _ => cluster
            .tick([0.0, 5.0, 3_000.0, 40_000.0][dice.roll(4)])
            .map(|_| ()),
    }
}

#[wasm_bindgen_test]
fn refused_calls_change_nothing_and_the_script_replays() {
    let mut refusals = 0;
    for seed in 0..SEQUENCES {
        let mut dice = Dice(seed);
        let cluster = Cluster::new(js(&format!(r#"{{"seed": {seed}}}"#))).expect("a cluster");
        let mut clients = Clients::default();
        for _ in 0..CALLS {
            let (hash, script) = (cluster.state_hash(), cluster.script());
            if call(&cluster, &mut clients, &mut dice).is_err() && cluster.script() == script {
                // Not recorded, so it must have changed nothing.
                refusals += 1;
                assert_eq!(
                    cluster.state_hash(),
                    hash,
                    "seed {seed}: a refused call changed the state after:\n{script}"
                );
            }
        }
        let replayed =
            Cluster::from_script(&cluster.script(), undefined()).expect("the script parses");
        assert_eq!(
            replayed.state_hash(),
            cluster.state_hash(),
            "seed {seed}: the script does not replay:\n{}",
            cluster.script()
        );
    }
    // The sequences do reach the refusal paths.
    assert!(refusals > 100, "only {refusals} refusals");
}
