//! A seeded Kafka Connect swarm: a random pipeline (a datagen source, a table sink and a
//! counter sink over one topic, with random partitions, tasks, rates, flush intervals and
//! converters) under random faults (worker crashes, clean restarts, pauses), written as a
//! script so that any failure reproduces as text. The auditor then checks Connect's
//! promises against the topic's log:
//!
//! - `lost-write`: a source record below its task's committed offset is not in the log;
//! - `duplicate`: a record is in the log twice although the source never crashed (clean
//!   restarts and producer retries must not repeat records);
//! - `table-mismatch`: once caught up, the table sink is not the log's latest value per key;
//! - `counter-mismatch`: a key's count is below its records in the log (a sink lost one), or
//!   above it although the counter never crashed;
//! - `sink-lag`: the sinks did not catch up within a quiet minute.

use core::fmt::Write;
use std::collections::BTreeMap;

use logplay_core::connect::sink::View;
use logplay_core::script::{parse, Output, OutputKind, Session};
use logplay_core::Rng;

use crate::swarm::Anomaly;

/// What one seed did and found.
#[derive(Clone, Debug)]
pub struct ConnectReport {
    /// The script it ran.
    pub script: String,
    /// Records in the topic at the end.
    pub records: usize,
    /// Worker crashes of the source and of the sinks.
    pub crashes: (u32, u32),
    /// What the auditor found.
    pub anomalies: Vec<Anomaly>,
    /// Every output, as JSON lines (two runs must give the same).
    pub outputs: Vec<String>,
}

/// Draws the seed's script.
pub fn draw(seed: u64) -> String {
    let mut rng = Rng::new(seed ^ 0xC0_77EC_7000);
    let pick = |rng: &mut Rng, lo: u64, hi: u64| lo + rng.below(hi - lo + 1);
    let mut s = String::new();
    let partitions = pick(&mut rng, 1, 4);
    let json = rng.below(2) == 0;
    let converter = if json {
        " value.converter=JsonSchemaConverter"
    } else {
        ""
    };
    let _ = writeln!(s, "seed {seed}");
    let _ = writeln!(s, "topic create orders partitions={partitions}");
    let _ = writeln!(
        s,
        "connector create src connector.class=DatagenConnector kafka.topic=orders quickstart=pageviews rate={} tasks.max={} offset.flush.interval.ms={}{converter}",
        pick(&mut rng, 5, 200),
        pick(&mut rng, 1, 4),
        pick(&mut rng, 200, 5_000)
    );
    for (name, class) in [
        ("table", "TableSinkConnector"),
        ("count", "CounterSinkConnector"),
    ] {
        let _ = writeln!(
            s,
            "connector create {name} connector.class={class} topics=orders tasks.max={} offset.flush.interval.ms={}{converter}",
            pick(&mut rng, 1, 4),
            pick(&mut rng, 200, 5_000)
        );
    }
    for _ in 0..pick(&mut rng, 5, 30) {
        let event = match rng.below(12) {
            0 => "fault crash src".to_string(),
            1 => "connector restart src".to_string(),
            2 => "connector pause src".to_string(),
            3 => "connector resume src".to_string(),
            4 => format!(
                "fault crash {}",
                if rng.below(2) == 0 { "table" } else { "count" }
            ),
            5 => format!(
                "connector restart {}",
                if rng.below(2) == 0 { "table" } else { "count" }
            ),
            6 => "connector pause table".to_string(),
            7 => "connector resume table".to_string(),
            _ => format!(
                "play {}ms step={}ms",
                pick(&mut rng, 100, 4_000),
                pick(&mut rng, 20, 500)
            ),
        };
        let _ = writeln!(s, "{event}");
    }
    // Quiet: the source stops, the sinks run until they have read everything.
    let _ = writeln!(
        s,
        "connector pause src\nconnector resume table\nplay 90s step=500ms"
    );
    s
}

/// Runs the seed's script and audits the end state.
pub fn run(seed: u64) -> ConnectReport {
    let script = draw(seed);
    let parsed = parse(&script).expect("drawn scripts parse");
    let (session, outputs) = Session::run(&parsed);
    let runner = session.runner();
    let crashes = (
        script.matches("fault crash src").count() as u32,
        (script.matches("fault crash table").count() + script.matches("fault crash count").count())
            as u32,
    );
    let counter_crashed = script.contains("fault crash count");
    let mut anomalies = Vec::new();
    let mut flag = |kind: &'static str, detail: String| anomalies.push(Anomaly { kind, detail });
    for o in outputs.iter().filter(|o| o.kind() == OutputKind::Command) {
        if let Some(e) = o.error() {
            flag("refused", format!("line {}: {e}", o.line));
        }
    }
    // The log: every record's key (its datagen index) and value, per partition in order.
    let topic = runner.cluster().topic("orders").expect("the topic exists");
    let mut occurrences: BTreeMap<String, u64> = BTreeMap::new();
    let mut latest: BTreeMap<String, String> = BTreeMap::new();
    let mut records = 0;
    for part in topic.partitions() {
        for r in part.log.read_from(0, part.log.high_watermark()) {
            let key = String::from_utf8_lossy(r.key.unwrap_or_default()).into_owned();
            let value = r.value.unwrap_or_default();
            let value = match logplay_core::registry::wire::decode(value) {
                Ok((_, payload)) if value.first() == Some(&0) => payload,
                _ => value,
            };
            *occurrences.entry(key.clone()).or_default() += 1;
            latest.insert(key, String::from_utf8_lossy(value).into_owned());
            records += 1;
        }
    }
    let connectors: BTreeMap<&str, _> = runner.connectors().collect();
    let src = &connectors["src"];
    let tasks = src.tasks.len() as u64;
    for t in &src.tasks {
        let (_, committed) = t.offset.expect("a source task has offsets");
        if let Some(n) = (0..committed)
            .find(|n| !occurrences.contains_key(&(n * tasks + u64::from(t.id)).to_string()))
        {
            flag(
                "lost-write",
                format!(
                    "task {} committed {committed}, but its record {n} (key {}) is not in the log",
                    t.id,
                    n * tasks + u64::from(t.id)
                ),
            );
        }
    }
    if crashes.0 == 0 {
        if let Some((k, n)) = occurrences.iter().find(|(_, n)| **n > 1) {
            flag(
                "duplicate",
                format!("key {k} is in the log {n} times and the source never crashed"),
            );
        }
    }
    for (name, c) in &connectors {
        if *name != "src" && c.records == 0 && records > 0 {
            flag(
                "sink-lag",
                format!("{name} read nothing of {records} records"),
            );
        }
    }
    match connectors["table"].view {
        Some(View::Table(rows)) if *rows == latest => {}
        Some(View::Table(rows)) => {
            let diff = latest
                .iter()
                .find(|(k, v)| rows.get(*k) != Some(*v))
                .map(|(k, _)| k.clone());
            flag(
                "table-mismatch",
                format!(
                    "{} rows against {} keys in the log; first differing key {diff:?}",
                    rows.len(),
                    latest.len()
                ),
            );
        }
        _ => flag("table-mismatch", "the table sink has no table".into()),
    }
    if let Some(View::Counter { rows, .. }) = connectors["count"].view {
        for (k, n) in &occurrences {
            let counted = rows.get(k).map_or(0, |a| a.count);
            if counted < *n || (!counter_crashed && counted != *n) {
                flag(
                    "counter-mismatch",
                    format!("key {k}: {n} in the log, counted {counted}"),
                );
                break;
            }
        }
    }
    ConnectReport {
        script,
        records,
        crashes,
        anomalies,
        outputs: outputs.iter().map(Output::to_json).collect(),
    }
}
