//! The Connect swarm: random pipelines under worker crashes, restarts and pauses keep
//! Connect's promises (no committed source record lost, at-least-once sinks, the table is the
//! log's latest value per key), and replay exactly. `CONNECT_SWARM_SEEDS=N` runs seeds 1..=N.
#![cfg(not(target_arch = "wasm32"))]

use logplay_tests::connect_swarm::run;

#[test]
fn connect_pipelines_keep_their_promises_under_faults() {
    let n: u64 = std::env::var("CONNECT_SWARM_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    let mut failures = Vec::new();
    let (mut records, mut crashes) = (0, (0, 0));
    for seed in 1..=n {
        let report = run(seed);
        records += report.records;
        crashes = (crashes.0 + report.crashes.0, crashes.1 + report.crashes.1);
        if !report.anomalies.is_empty() {
            let found: Vec<String> = report.anomalies.iter().map(ToString::to_string).collect();
            failures.push(format!(
                "seed {seed}:\n  {}\n{}",
                found.join("\n  "),
                report.script
            ));
        }
        if run(seed).outputs != report.outputs {
            failures.push(format!("seed {seed} does not replay exactly"));
        }
    }
    println!(
        "connect swarm: {n} seeds, {records} records, {} source and {} sink worker crashes",
        crashes.0, crashes.1
    );
    assert!(crashes.0 > 0 && crashes.1 > 0, "the swarm drew no crash");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
