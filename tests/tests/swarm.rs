//! The bounded swarm: a fixed list of seeds (about 10⁶ operations in all) runs twice each and
//! must find no anomaly and give the same state hash. `SWARM_SEEDS=N` runs seeds 1..=N.
//! With broker faults (`BROKER_SWARM_SEEDS=N`), `acks=all` writes must survive clean
//! elections, and with unclean elections the auditor must see writes go.
#![cfg(not(target_arch = "wasm32"))]

use logplay_tests::swarm::{run, run_config, SwarmConfig, REPRODUCE};

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

fn seeds(var: &str, default: u64) -> u64 {
    std::env::var(var)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

#[test]
fn with_broker_faults_and_clean_elections_no_acks_all_write_is_lost() {
    let n = seeds("BROKER_SWARM_SEEDS", 12);
    let mut failures = Vec::new();
    let (mut acked, mut preferred) = (0, 0);
    for seed in 1..=n {
        let config = SwarmConfig::draw_with_brokers(seed, OPS_PER_SEED, false);
        let report = run_config(&config);
        acked += report.acked;
        preferred += report.preferred_elections;
        if !report.anomalies.is_empty() {
            failures.push(format!(
                "{config}\n  {}\n  reproduce with: {REPRODUCE} {seed} --ops {OPS_PER_SEED} --brokers",
                report
                    .anomalies
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n  ")
            ));
        }
    }
    println!(
        "broker swarm: {n} seeds, {acked} acks=all writes acknowledged and kept, {preferred} preferred leader elections"
    );
    assert!(acked > 0, "the broker swarm acknowledged no acks=all write");
    assert!(
        preferred > 0,
        "the broker swarm moved no leader back to its preferred replica"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn with_unclean_elections_the_auditor_sees_acknowledged_writes_go() {
    let n = seeds("BROKER_SWARM_SEEDS", 12);
    let lossy: Vec<u64> = (1..=n)
        .filter(|&seed| {
            let report = run_config(&SwarmConfig::draw_with_brokers(seed, OPS_PER_SEED, true));
            report.anomalies.iter().any(|a| a.kind == "lost-write")
        })
        .collect();
    println!("unclean swarm: lost-write found in seeds {lossy:?} of 1..={n}");
    assert!(
        !lossy.is_empty(),
        "unclean elections lost nothing the auditor could see in {n} seeds"
    );
}
