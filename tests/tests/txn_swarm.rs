//! The transactional swarm: a fixed list of seeds runs twice each and must find no anomaly
//! and give the same state hash. `TXN_SWARM_SEEDS=N` runs seeds 1..=N.
#![cfg(not(target_arch = "wasm32"))]

use logplay_tests::txn_swarm::{run, REPRODUCE};

const OPS_PER_SEED: usize = 10_000;

#[test]
fn transactions_show_no_anomaly_and_replay_exactly() {
    let seeds: u64 = std::env::var("TXN_SWARM_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(50);
    let mut failures = Vec::new();
    let (mut committed, mut not_committed, mut polled) = (0, 0, 0);
    for seed in 1..=seeds {
        let report = run(seed, OPS_PER_SEED);
        committed += report.committed;
        not_committed += report.not_committed;
        polled += report.polled;
        if !report.anomalies.is_empty() {
            let found: Vec<String> = report.anomalies.iter().map(ToString::to_string).collect();
            failures.push(format!(
                "seed {seed}:\n  {}\n  reproduce with: {REPRODUCE} {seed} --ops {OPS_PER_SEED}",
                found.join("\n  ")
            ));
        }
        if run(seed, OPS_PER_SEED).state_hash != report.state_hash {
            failures.push(format!("seed {seed} is not deterministic"));
        }
    }
    println!(
        "transactional swarm: {seeds} seeds × {OPS_PER_SEED} ops, {committed} transactions committed, {not_committed} not, {polled} records polled"
    );
    assert!(
        committed > 0 && not_committed > 0,
        "the runs must both commit and abort"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
