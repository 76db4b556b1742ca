//! The transactional swarm: a fixed list of seeds runs twice each and must find no anomaly
//! and give the same state hash. `TXN_SWARM_SEEDS=N` runs seeds 1..=N; with broker faults,
//! closes and an idempotent producer, `TXN_FAULT_SWARM_SEEDS=N` (`scripts/bench` runs more).
#![cfg(not(target_arch = "wasm32"))]

use logplay_tests::txn_swarm::{run_config, TxnSwarmConfig};

const OPS_PER_SEED: usize = 10_000;

fn seeds(var: &str, default: u64) -> u64 {
    std::env::var(var)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// Runs seeds 1..=n twice each; returns the failures and the totals.
fn run_seeds(n: u64, faults: bool) -> (Vec<String>, [usize; 5]) {
    let mut failures = Vec::new();
    let mut totals = [0; 5];
    for seed in 1..=n {
        let config = TxnSwarmConfig {
            seed,
            ops: OPS_PER_SEED,
            faults,
        };
        let report = run_config(&config);
        totals[0] += report.committed;
        totals[1] += report.not_committed;
        totals[2] += report.polled;
        totals[3] += report.broker_faults;
        totals[4] += report.idempotent.1;
        if !report.anomalies.is_empty() {
            let found: Vec<String> = report.anomalies.iter().map(ToString::to_string).collect();
            failures.push(format!(
                "seed {seed}:\n  {}\n  reproduce with: {}",
                found.join("\n  "),
                config.reproduce()
            ));
        }
        if run_config(&config).state_hash != report.state_hash {
            failures.push(format!("seed {seed} is not deterministic"));
        }
    }
    (failures, totals)
}

#[test]
fn transactions_show_no_anomaly_and_replay_exactly() {
    let n = seeds("TXN_SWARM_SEEDS", 50);
    let (failures, [committed, not_committed, polled, ..]) = run_seeds(n, false);
    println!(
        "transactional swarm: {n} seeds × {OPS_PER_SEED} ops, {committed} transactions committed, {not_committed} not, {polled} records polled"
    );
    assert!(
        committed > 0 && not_committed > 0,
        "the runs must both commit and abort"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn transactions_under_broker_faults_stay_committed_and_never_hang() {
    let n = seeds("TXN_FAULT_SWARM_SEEDS", 100);
    let (failures, [committed, not_committed, polled, broker_faults, delivered]) =
        run_seeds(n, true);
    println!(
        "transactional swarm with faults: {n} seeds × {OPS_PER_SEED} ops, {committed} transactions committed, {not_committed} not, {polled} records polled, {broker_faults} broker faults, {delivered} idempotent sends delivered"
    );
    assert!(committed > 0 && not_committed > 0 && broker_faults > 0 && delivered > 0);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
