//! The bounded swarm: a fixed list of seeds (about 10⁶ operations in all) runs twice each and
//! must find no anomaly and give the same state hash. `SWARM_SEEDS=N` runs seeds 1..=N.
#![cfg(not(target_arch = "wasm32"))]

use logplay_tests::swarm::{run, SwarmConfig, REPRODUCE};

const OPS_PER_SEED: usize = 25_000;

#[test]
fn the_swarm_finds_no_anomaly_and_replays_exactly() {
    let seeds: u64 = std::env::var("SWARM_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40);
    let mut failures = Vec::new();
    let mut totals = (0, 0, 0, 0);
    for seed in 1..=seeds {
        let report = run(seed, OPS_PER_SEED);
        totals = (
            totals.0 + report.ops,
            totals.1 + report.sent,
            totals.2 + report.acked,
            totals.3 + report.polled,
        );
        if !report.anomalies.is_empty() {
            failures.push(format!(
                "{}\n  {}\n  reproduce with: {REPRODUCE} {seed} --ops {OPS_PER_SEED}",
                SwarmConfig::draw(seed, OPS_PER_SEED),
                report
                    .anomalies
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n  ")
            ));
        }
        let again = run(seed, OPS_PER_SEED);
        if again.state_hash != report.state_hash {
            failures.push(format!(
                "seed {seed} is not deterministic\n  reproduce with: {REPRODUCE} {seed}"
            ));
        }
    }
    println!(
        "swarm: {} seeds, {} ops, {} sent, {} acked, {} polled",
        seeds, totals.0, totals.1, totals.2, totals.3
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
