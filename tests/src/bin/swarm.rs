//! Runs the swarm simulator: `swarm --seed N` reproduces one seed exactly; `swarm --seeds N`
//! runs seeds 1..=N; `--ops N` sets the operations per seed (default 25000); `--txn` runs the
//! transactional swarm instead (`--txn --faults`: with broker faults, closes and an audited
//! idempotent producer); `--brokers` adds brokers, replication and broker faults, and
//! `--unclean` allows unclean leader elections too.

use logplay_tests::swarm::{run_config, SwarmConfig, REPRODUCE};
use logplay_tests::txn_swarm;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse::<u64>().ok())
    };
    let ops = value("--ops").unwrap_or(25_000) as usize;
    let seeds: Vec<u64> = match (value("--seed"), value("--seeds")) {
        (Some(seed), _) => vec![seed],
        (None, Some(n)) => (1..=n).collect(),
        _ => {
            eprintln!("usage: swarm --seed N | --seeds N [--ops N]");
            return std::process::ExitCode::from(2);
        }
    };
    if args.iter().any(|a| a == "--txn") {
        let faults = args.iter().any(|a| a == "--faults");
        return run_transactional(&seeds, ops, faults);
    }
    let unclean = args.iter().any(|a| a == "--unclean");
    let brokers = unclean || args.iter().any(|a| a == "--brokers");
    let draw = |seed| {
        if brokers {
            SwarmConfig::draw_with_brokers(seed, ops, unclean)
        } else {
            SwarmConfig::draw(seed, ops)
        }
    };
    let mut failed = 0;
    for seed in seeds {
        let report = run_config(&draw(seed));
        println!(
            "seed {seed}: {} ops, {} sent, {} acked, {} polled, state {:016x}, {} anomalies",
            report.ops,
            report.sent,
            report.acked,
            report.polled,
            report.state_hash,
            report.anomalies.len()
        );
        if !report.anomalies.is_empty() {
            failed += 1;
            println!("  {}", draw(seed));
            for a in &report.anomalies {
                println!("  {a}");
            }
            let flags = if unclean {
                " --unclean"
            } else if brokers {
                " --brokers"
            } else {
                ""
            };
            println!("  reproduce with: {REPRODUCE} {seed} --ops {ops}{flags}");
        }
    }
    if failed > 0 {
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    }
}

fn run_transactional(seeds: &[u64], ops: usize, faults: bool) -> std::process::ExitCode {
    let mut failed = false;
    for &seed in seeds {
        let config = txn_swarm::TxnSwarmConfig { seed, ops, faults };
        let r = txn_swarm::run_config(&config);
        println!(
            "seed {seed}: {} ops, {} transactions committed, {} not, {} polled, {} broker faults, {} of {} idempotent sends delivered, state {:016x}, {} anomalies",
            r.ops,
            r.committed,
            r.not_committed,
            r.polled,
            r.broker_faults,
            r.idempotent.1,
            r.idempotent.0,
            r.state_hash,
            r.anomalies.len()
        );
        for a in &r.anomalies {
            println!("  {a}");
        }
        if !r.anomalies.is_empty() {
            failed = true;
            println!("  reproduce with: {}", config.reproduce());
        }
    }
    if failed {
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    }
}
