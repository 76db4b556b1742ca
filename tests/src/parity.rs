//! Parity with a real Kafka-protocol peer: a script's Python export runs against librdkafka's
//! mock cluster (`tests/parity/mock_run.py`), and its observations are compared with
//! `logplay run`'s.
//!
//! Compared: where each delivered record went (topic, partition, offset, error), the records
//! each poll returned (topic, partition, offset, key, value, headers), committed offsets, and
//! the partitions each group member was assigned. Excluded, by rule and counted, never
//! silently:
//! - timestamps (a real clock);
//! - deliveries logplay never reported (a record still lingering when the script ends is sent
//!   by a real client in real time);
//! - re-commits of unchanged offsets (librdkafka commits only what moved since its last
//!   commit; Java and logplay send every position);
//! - committed offsets of partitions a consumer has not read from (librdkafka has no position
//!   there and commits nothing; Java and logplay commit the reset position);
//! - the records of `read_committed` consumers (the mock's Fetch reports the high watermark as
//!   the last stable offset and no aborted transactions);
//! - poll boundaries once a consumer's poll was cut at `max.poll.records` (librdkafka and
//!   logplay take turns between partitions differently): from then on its records are
//!   compared per partition across the run (which is always done too), each as a prefix of
//!   the other, and its later commits are not compared.
//!
//! A script whose export skips a command (a simulated fault, broker changes) is compared up
//! to that command. Scripts are not compared (and say why) when their first command is
//! skipped, or when they set a topic config the mock ignores (it neither compacts nor enforces
//! `cleanup.policy`, `max.message.bytes` or `message.timestamp.type`).

/// Topic configs the mock cluster ignores without changing what a script observes (as long
/// as retention does not run, which the export reports).
const HARMLESS_TOPIC_CONFIGS: [&str; 6] = [
    "retention.ms",
    "retention.bytes",
    "segment.bytes",
    "segment.ms",
    "min.insync.replicas",
    "delete.retention.ms",
];

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use logplay_core::consumer::ConsumerConfig;
use logplay_core::script::{export, Command, Output, OutputKind, Script, Session, TxnAction};
use logplay_core::Rng;
use serde_json::Value as Json;

/// What one comparison found.
#[derive(Clone, Debug, Default)]
pub struct Parity {
    /// Observations compared and equal.
    pub compared: usize,
    /// Observations left out by a documented rule, by rule.
    pub excluded: BTreeMap<&'static str, usize>,
    /// Differences.
    pub differences: Vec<String>,
    /// Compared only before this line, whose command the export skips, and why.
    pub up_to: Option<(usize, String)>,
}

/// The Python that has confluent-kafka: the project's `.venv`, else `python3`. `None` when no
/// Python is there at all.
pub fn python(root: &Path) -> Option<PathBuf> {
    let venv = root.join(".venv/bin/python");
    if venv.exists() {
        return Some(venv);
    }
    Process::new("python3")
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|_| PathBuf::from("python3"))
}

/// Exports `script`, runs it on the mock cluster, and compares. A script whose export skips
/// a command (a simulated fault, say) is compared up to that command, and `Err` says so when
/// nothing comes before it; `Err` too when it does not export or the program fails to run.
pub fn check(script: &Script, python: &Path, root: &Path, name: &str) -> Result<Parity, String> {
    let exported = export::to_python(script).map_err(|e| format!("does not export: {e}"))?;
    let cutoff = exported
        .warnings
        .first()
        .cloned()
        .into_iter()
        .chain(unfenced_by_the_mock(script))
        .min_by_key(|(line, _)| *line);
    if let Some((line, why)) = &cutoff {
        let prefix = Script {
            commands: script
                .commands
                .iter()
                .filter(|(l, _)| l < line)
                .cloned()
                .collect(),
        };
        if prefix.commands.is_empty() {
            return Err(format!("not compared: line {line}: {why}"));
        }
        let mut parity = check(&prefix, python, root, name)?;
        if parity.compared == 0 && parity.differences.is_empty() {
            return Err(format!(
                "not compared: nothing to compare before line {line}: {why}"
            ));
        }
        parity.up_to = Some((*line, why.clone()));
        return Ok(parity);
    }
    let (_, outputs) = Session::run(script);
    let dir = std::env::temp_dir().join(format!("logplay-parity-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let program = dir.join(format!("{name}.py"));
    std::fs::write(&program, &exported.program).map_err(|e| e.to_string())?;
    // The topics logplay created, made on the mock first (it has no CreateTopics).
    let failed: Vec<usize> = outputs
        .iter()
        .filter(|o| o.kind() == OutputKind::Command && o.error().is_some())
        .map(|o| o.line)
        .collect();
    for (line, c) in script.commands.iter().filter(|(l, _)| !failed.contains(l)) {
        if let Command::CreateTopic { configs, .. } | Command::AlterTopic { configs, .. } = c {
            if let Some((k, _)) = configs
                .iter()
                .find(|(k, _)| !HARMLESS_TOPIC_CONFIGS.contains(&k.as_str()))
            {
                return Err(format!(
                    "not compared: line {line}: the mock cluster ignores the topic config {k}"
                ));
            }
        }
    }
    let topics: BTreeMap<&str, u32> = script
        .commands
        .iter()
        .filter(|(line, _)| !failed.contains(line))
        .filter_map(|(_, c)| match c {
            Command::CreateTopic {
                name, partitions, ..
            } => Some((name.as_str(), *partitions)),
            _ => None,
        })
        .collect();
    let run = Process::new(python)
        .arg(root.join("tests/parity/mock_run.py"))
        .arg(&program)
        .arg(serde_json::to_string(&topics).map_err(|e| e.to_string())?)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    if !run.status.success() {
        return Err(format!(
            "the program failed: {}",
            String::from_utf8_lossy(&run.stderr)
        ));
    }
    let real: Vec<Json> = String::from_utf8_lossy(&run.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    Ok(compare(script, &outputs, &real))
}

/// The first `txn init` of a second producer with a `transactional.id` already in use: the
/// mock cluster bumps the epoch but does not fence the older producer's sends.
fn unfenced_by_the_mock(script: &Script) -> Option<(usize, String)> {
    let mut ids: BTreeMap<&str, &str> = BTreeMap::new();
    let mut initialized: BTreeMap<&str, &str> = BTreeMap::new();
    for (line, c) in &script.commands {
        match c {
            Command::Producer { name, configs } => {
                if let Some((_, id)) = configs.iter().find(|(k, _)| k == "transactional.id") {
                    ids.insert(name, id);
                }
            }
            Command::Transaction {
                producer,
                action: TxnAction::Init,
            } => {
                let Some(&id) = ids.get(producer.as_str()) else {
                    continue;
                };
                match initialized.insert(id, producer) {
                    Some(other) if other != producer => {
                        return Some((
                            *line,
                            format!("the mock cluster does not fence {other}, an older producer with transactional.id {id}"),
                        ))
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    None
}

fn field<'a>(o: &'a Json, k: &str) -> &'a Json {
    o.get(k).unwrap_or(&Json::Null)
}

fn of_kind<'a>(all: &'a [Json], kind: &'a str) -> impl Iterator<Item = &'a Json> {
    all.iter().filter(move |o| field(o, "type") == kind)
}

/// A record as compared: everything but the timestamp and who read it.
fn record_key(o: &Json) -> String {
    format!(
        "{}:{}@{} key={} value={} headers={}",
        field(o, "topic"),
        field(o, "partition"),
        field(o, "offset"),
        field(o, "key"),
        field(o, "value"),
        field(o, "headers")
    )
}

/// Compares `logplay run`'s outputs with the real program's, by the rules in the module doc.
pub fn compare(script: &Script, logplay: &[Output], real: &[Json]) -> Parity {
    let sim: Vec<Json> = logplay
        .iter()
        .filter_map(|o| serde_json::from_str(&o.to_json()).ok())
        .collect();
    let mut p = Parity::default();
    let exclude = |rule: &'static str, p: &mut Parity| *p.excluded.entry(rule).or_default() += 1;
    // Deliveries, by producer and id.
    let delivered = |all: &[Json]| -> BTreeMap<(String, u64), String> {
        of_kind(all, "delivery")
            .map(|o| {
                let error = field(field(o, "error"), "code");
                (
                    (
                        field(o, "producer").to_string(),
                        field(o, "id").as_u64().unwrap_or(0),
                    ),
                    format!(
                        "{}:{}@{} error={error}",
                        field(o, "topic"),
                        field(o, "partition"),
                        field(o, "offset")
                    ),
                )
            })
            .collect()
    };
    let (sim_d, real_d) = (delivered(&sim), delivered(real));
    for (id, want) in &sim_d {
        match real_d.get(id) {
            Some(got) if got == want => p.compared += 1,
            got => p
                .differences
                .push(format!("delivery {id:?}: logplay {want}, real {got:?}")),
        }
    }
    for _ in real_d.keys().filter(|id| !sim_d.contains_key(*id)) {
        exclude("deliveries logplay never reported", &mut p);
    }
    // Consumers: read_committed ones and max.poll.records, from the script.
    let mut read_committed = Vec::new();
    let mut max_poll = BTreeMap::new();
    for (_, c) in &script.commands {
        if let Command::Consumer { name, configs } = c {
            if let Ok(cfg) =
                ConsumerConfig::from_entries(configs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            {
                if cfg.isolation_level.name() == "read_committed" {
                    read_committed.push(format!("\"{name}\""));
                }
                max_poll.insert(format!("\"{name}\""), cfg.max_poll_records as usize);
            }
        }
    }
    // Records per poll line, and each consumer's stream per partition.
    type Polls = BTreeMap<(u64, String), Vec<String>>;
    let polls = |all: &[Json]| -> Polls {
        let mut m: Polls = BTreeMap::new();
        for o in of_kind(all, "record").filter(|o| field(o, "error").is_null()) {
            m.entry((
                field(o, "line").as_u64().unwrap_or(0),
                field(o, "consumer").to_string(),
            ))
            .or_default()
            .push(record_key(o));
        }
        for v in m.values_mut() {
            v.sort();
        }
        m
    };
    let streams = |all: &[Json]| -> BTreeMap<(String, String), Vec<String>> {
        let mut m: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for o in of_kind(all, "record").filter(|o| field(o, "error").is_null()) {
            let tp = format!("{}:{}", field(o, "topic"), field(o, "partition"));
            m.entry((field(o, "consumer").to_string(), tp))
                .or_default()
                .push(record_key(o));
        }
        m
    };
    let (sim_p, real_p) = (polls(&sim), polls(real));
    let (sim_s, real_s) = (streams(&sim), streams(real));
    let mut capped = Vec::new();
    for ((line, consumer), want) in &sim_p {
        if read_committed.contains(consumer) {
            exclude("records of read_committed consumers", &mut p);
            continue;
        }
        if max_poll.get(consumer) == Some(&want.len()) {
            capped.push(consumer.clone());
        }
        let got = real_p.get(&(*line, consumer.clone()));
        if got == Some(want) {
            p.compared += want.len();
        } else if capped.contains(consumer) {
            exclude(
                "poll boundaries after a poll cut at max.poll.records",
                &mut p,
            );
        } else {
            p.differences.push(format!(
                "line {line}: {consumer} polled {want:?} in logplay, {got:?} for real"
            ));
        }
    }
    for ((consumer, tp), want) in &sim_s {
        if read_committed.contains(consumer) {
            continue;
        }
        let got = real_s.get(&(consumer.clone(), tp.clone()));
        // A partition a capped consumer has not reached yet is an empty prefix.
        let read = got.map_or(&[][..], Vec::as_slice);
        let prefixes = read.starts_with(want) || want.starts_with(read);
        if capped.contains(consumer) && prefixes {
            p.compared += want.len().min(read.len());
        } else if got != Some(want) {
            p.differences.push(format!(
                "{consumer} read {tp} as {want:?} in logplay, {:?} for real",
                real_s.get(&(consumer.clone(), tp.clone()))
            ));
        }
    }
    // Committed offsets per line.
    let committed = |all: &[Json]| -> BTreeMap<(u64, String, String), i64> {
        of_kind(all, "committed")
            .map(|o| {
                (
                    (
                        field(o, "line").as_u64().unwrap_or(0),
                        field(o, "consumer").to_string(),
                        format!("{}:{}", field(o, "topic"), field(o, "partition")),
                    ),
                    field(o, "offset").as_i64().unwrap_or(-1),
                )
            })
            .collect()
    };
    let real_c = committed(real);
    let read_before = |line: u64, consumer: &str, tp: &str| {
        of_kind(&sim, "record").any(|o| {
            field(o, "line").as_u64().unwrap_or(0) < line
                && field(o, "consumer").as_str() == Some(consumer.trim_matches('"'))
                && format!("{}:{}", field(o, "topic"), field(o, "partition")) == tp
        })
    };
    let capped_at: BTreeMap<String, u64> = sim_p
        .iter()
        .filter(|((_, c), want)| max_poll.get(c) == Some(&want.len()))
        .map(|((line, c), _)| (c.clone(), *line))
        .fold(BTreeMap::new(), |mut m, (c, line)| {
            m.entry(c).or_insert(line);
            m
        });
    let mut last_commit: BTreeMap<(String, String), i64> = BTreeMap::new();
    for (key, want) in committed(&sim) {
        let (line, consumer, tp) = &key;
        let unchanged = last_commit.insert((consumer.clone(), tp.clone()), want) == Some(want);
        match real_c.get(&key) {
            Some(&got) if got == want => p.compared += 1,
            _ if capped_at.get(consumer).is_some_and(|at| at < line) => {
                exclude("commits after a poll cut at max.poll.records", &mut p)
            }
            None if unchanged => exclude("re-commits of unchanged offsets", &mut p),
            None if !read_before(*line, consumer, tp) => {
                exclude("commits of partitions not read from", &mut p)
            }
            got => p.differences.push(format!(
                "line {line}: {consumer} committed {tp}@{want} in logplay, {got:?} for real"
            )),
        }
    }
    // Assignments: each member's sequence of assigned partition sets.
    let assigned = |all: &[Json]| -> BTreeMap<String, Vec<Json>> {
        let mut m: BTreeMap<String, Vec<Json>> = BTreeMap::new();
        for o in of_kind(all, "rebalance").filter(|o| field(o, "callback") == "assigned") {
            let list = m.entry(field(o, "consumer").to_string()).or_default();
            let mut parts: Vec<Json> = field(o, "partitions")
                .as_array()
                .cloned()
                .unwrap_or_default();
            parts.sort_by_key(ToString::to_string);
            let parts = Json::Array(parts);
            if list.last() != Some(&parts) {
                list.push(parts);
            }
        }
        m
    };
    let real_a = assigned(real);
    for (consumer, want) in assigned(&sim) {
        if real_a.get(&consumer) == Some(&want) {
            p.compared += want.len();
        } else {
            p.differences.push(format!(
                "{consumer} was assigned {want:?} in logplay, {:?} for real",
                real_a.get(&consumer)
            ));
        }
    }
    p
}

/// A random script of the exportable kind, from `seed`: topics, keyed records, producers that
/// flush before consumers read, consumers that assign or subscribe (one or two members per
/// group, with `range` or `roundrobin`), polls and commits.
pub fn random_script(seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut s = format!("# random parity script, seed {seed}\nseed {seed}\n");
    let topics: Vec<(String, u64)> = (0..1 + rng.below(2))
        .map(|i| (format!("t{i}"), 1 + rng.below(4)))
        .collect();
    for (t, n) in &topics {
        s.push_str(&format!("topic create {t} partitions={n}\n"));
    }
    // Several producers send at once (linger.ms=0), so that their records reach each log in
    // script order on a real cluster too; a lone producer may linger until its flush.
    let producers = 1 + rng.below(2);
    for i in 0..producers {
        let acks = ["all", "1"][rng.below(2) as usize];
        let linger = if producers == 1 {
            [0, 20][rng.below(2) as usize]
        } else {
            0
        };
        s.push_str(&format!("producer p{i} acks={acks} linger.ms={linger}\n"));
    }
    // Group members subscribe (one or two per group, sharing the group's assignor); the
    // others assign partitions themselves.
    let consumers = 1 + rng.below(3);
    let strategies = [
        ["range", "roundrobin"][rng.below(2) as usize],
        ["range", "roundrobin"][rng.below(2) as usize],
    ];
    let mut joined = Vec::new();
    for c in 0..consumers {
        let max_poll = [500, 500, 3][rng.below(3) as usize];
        if rng.below(2) == 0 {
            let g = rng.below(2) as usize;
            let strategy = strategies[g];
            // Static membership: the assignors order members by group.instance.id, where
            // member ids (random UUIDs on a real broker) would order them by chance.
            s.push_str(&format!("consumer c{c} group.id=g{g} group.instance.id=c{c} auto.offset.reset=earliest enable.auto.commit=false partition.assignment.strategy={strategy} max.poll.records={max_poll}\n"));
            let names: Vec<&str> = topics.iter().map(|(t, _)| t.as_str()).collect();
            s.push_str(&format!("subscribe c{c} {}\npoll c{c}\n", names.join(" ")));
            joined.push(c);
        } else {
            let (t, n) = &topics[rng.below(topics.len() as u64) as usize];
            let parts: Vec<String> = (0..*n).map(|p| format!("{t}:{p}")).collect();
            s.push_str(&format!("consumer c{c} group.id=solo{c} auto.offset.reset=earliest enable.auto.commit=false max.poll.records={max_poll}\nassign c{c} {}\n", parts.join(" ")));
        }
    }
    if !joined.is_empty() {
        // group.initial.rebalance.delay.ms, and time for a real group to settle.
        s.push_str("tick 5s\n");
    }
    for round in 0..2 + rng.below(3) {
        for _ in 0..1 + rng.below(6) {
            let p = rng.below(producers);
            let (t, _) = &topics[rng.below(topics.len() as u64) as usize];
            let key = rng.below(8);
            s.push_str(&format!(
                "produce p{p} {t} key=k{key} value=r{round}-{}\n",
                rng.below(1000)
            ));
        }
        for p in 0..producers {
            s.push_str(&format!("flush p{p}\n"));
        }
        for c in 0..consumers {
            s.push_str(&format!("poll c{c}\n"));
            if rng.below(2) == 0 {
                s.push_str(&format!("commit c{c}\n"));
            }
        }
    }
    s
}
