//! The same scenario gives the same state hash twice, natively and in headless Chromium.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use logplay_tests::determinism_scenario;

/// The hash of `determinism_scenario(42)`. Both the native and the wasm run must produce
/// it; a deliberate change to the core's semantics changes it (update it from the failure).
const GOLDEN_HASH: u64 = 0xce91_5cd7_f63d_d25a;

#[test]
fn the_scenario_hashes_the_same_twice_and_on_every_platform() {
    let first = determinism_scenario(42);
    assert_eq!(first, determinism_scenario(42), "two runs differ");
    assert_ne!(first, determinism_scenario(43), "the seed must matter");
    assert_eq!(
        first, GOLDEN_HASH,
        "state hash {first:#x} differs from the golden one"
    );
}

/// The state hash of swarm seed 7 with 3,000 operations, natively and in the browser.
const GOLDEN_SWARM_HASH: u64 = 0x43ae_9a0d_a4d1_0088;

#[test]
fn a_swarm_seed_hashes_the_same_on_every_platform() {
    let report = logplay_tests::swarm::run(7, 3_000);
    assert!(report.anomalies.is_empty(), "{:?}", report.anomalies);
    assert_eq!(
        report.state_hash, GOLDEN_SWARM_HASH,
        "swarm state hash {:#x} differs from the golden one",
        report.state_hash
    );
}

/// The state hash of transactional swarm seed 7 with 3,000 operations, natively and in the
/// browser.
const GOLDEN_TXN_SWARM_HASH: u64 = 0x9fc8_4f6e_0645_f5b0;

#[test]
fn a_transactional_swarm_seed_hashes_the_same_on_every_platform() {
    let report = logplay_tests::txn_swarm::run(7, 3_000);
    assert!(report.anomalies.is_empty(), "{:?}", report.anomalies);
    assert_eq!(
        report.state_hash, GOLDEN_TXN_SWARM_HASH,
        "transactional swarm state hash {:#x} differs from the golden one",
        report.state_hash
    );
}

/// The state hash of swarm seed 7 with brokers failing, 3,000 operations, natively and in the
/// browser.
const GOLDEN_BROKER_SWARM_HASH: u64 = 0x20b5_e66e_20e0_c514;

#[test]
fn a_swarm_seed_with_broker_faults_hashes_the_same_on_every_platform() {
    use logplay_tests::swarm::{run_config, SwarmConfig};
    let report = run_config(&SwarmConfig::draw_with_brokers(7, 3_000, false));
    assert!(report.anomalies.is_empty(), "{:?}", report.anomalies);
    assert_eq!(
        report.state_hash, GOLDEN_BROKER_SWARM_HASH,
        "broker swarm state hash {:#x} differs from the golden one",
        report.state_hash
    );
}
