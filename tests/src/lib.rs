//! Cross-crate tests for logplay live in `tests/`; this library holds their shared helpers.

use logplay_core::{Cluster, ClusterConfig};

/// A cluster seeded with `seed` and the default broker configs.
pub fn cluster(seed: u64) -> Cluster {
    Cluster::new(ClusterConfig {
        seed,
        ..ClusterConfig::default()
    })
}
