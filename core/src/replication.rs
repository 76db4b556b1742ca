//! Brokers and where replicas go: broker states and Kafka's replica placement. The rules
//! for one partition's replicas (the ISR, the high watermark, elections) are in
//! [`crate::partition`].

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{err, Result};
use crate::partition::BrokerId;
use crate::rand::Rng;

/// The most brokers a cluster may have here.
pub const MAX_BROKERS: usize = 32;

/// A broker's state, as the controller sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BrokerState {
    /// Up and in touch with everyone.
    Running,
    /// Shut down: it leads nothing, follows nothing, and left every ISR it could leave.
    Stopped,
    /// Cut off from the other brokers (a network partition); clients and the controller
    /// still reach it.
    Isolated,
}

impl BrokerState {
    /// Lower-case name, as shown and printed.
    pub fn name(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Stopped => "stopped",
            Self::Isolated => "isolated",
        }
    }
}

/// A broker of the simulated cluster.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Broker {
    /// `node.id`.
    pub id: BrokerId,
    /// `broker.rack`, if set.
    pub rack: Option<String>,
    /// Running, stopped or isolated.
    pub state: BrokerState,
}

impl Broker {
    /// Whether the controller counts it as alive (it may lead).
    pub fn is_alive(&self) -> bool {
        self.state != BrokerState::Stopped
    }
}

/// Kafka's replica placement (`AdminUtils.assignReplicasToBrokers`): the first replica of
/// partition `p` on broker `(p + start) % n`, the others shifted by a step that grows every
/// `n` partitions; with racks, brokers are interleaved by rack and each replica goes to a rack
/// that has none yet while one is left. `start` and the shift come from the seed.
pub fn assign_replicas(
    brokers: &[Broker],
    partitions: core::ops::Range<u32>,
    replication_factor: u32,
    rng: &mut Rng,
) -> Result<Vec<Vec<BrokerId>>> {
    let live: Vec<&Broker> = brokers.iter().filter(|b| b.is_alive()).collect();
    let n = live.len();
    if replication_factor == 0 {
        return Err(err!(
            InvalidReplicationFactor,
            "Replication factor must be larger than 0."
        ));
    }
    if replication_factor as usize > n {
        return Err(err!(
            InvalidReplicationFactor,
            "Replication factor: {replication_factor} larger than available brokers: {n}."
        ));
    }
    let racked = live.iter().filter(|b| b.rack.is_some()).count();
    if racked != 0 && racked != n {
        return Err(err!(
            InvalidReplicationFactor,
            "Not all brokers have rack information for replica rack aware assignment."
        ));
    }
    let arranged: Vec<&Broker> = if racked == 0 {
        live
    } else {
        rack_alternated(&live)
    };
    let n_racks = distinct_racks(&arranged).max(1);
    let (start, mut shift) = if n > 1 {
        (rng.below(n as u64) as usize, rng.below(n as u64) as usize)
    } else {
        (0, 0)
    };
    let mut out = Vec::with_capacity(partitions.len());
    for p in partitions {
        let p = p as usize;
        if p > 0 && p % n == 0 {
            shift += 1;
        }
        let first = (p + start) % n;
        let mut chosen = alloc::vec![arranged[first]];
        let mut k = 0;
        while chosen.len() < replication_factor as usize {
            let step = if racked == 0 { shift } else { shift * n_racks };
            let b = arranged[replica_index(first, step, k, n)];
            k += 1;
            let rack_ok = racked == 0
                || !chosen.iter().any(|c| c.rack == b.rack)
                || distinct_racks(&chosen) == n_racks;
            let broker_ok = !chosen.iter().any(|c| c.id == b.id);
            if rack_ok && broker_ok {
                chosen.push(b);
            }
        }
        out.push(chosen.iter().map(|b| b.id).collect());
    }
    Ok(out)
}

fn replica_index(first: usize, shift: usize, k: usize, n: usize) -> usize {
    (first + 1 + (shift + k) % (n - 1)) % n
}

/// How many distinct racks `brokers` are on (at most [`MAX_BROKERS`] of them).
fn distinct_racks(brokers: &[&Broker]) -> usize {
    (0..brokers.len())
        .filter(|&i| !brokers[..i].iter().any(|b| b.rack == brokers[i].rack))
        .count()
}

/// Kafka's `getRackAlternatedBrokerList`: racks in name order, then the first broker of each,
/// the second of each, and so on.
fn rack_alternated<'a>(brokers: &[&'a Broker]) -> Vec<&'a Broker> {
    // Sorted insertion: at most MAX_BROKERS brokers.
    let mut by_rack: Vec<(&str, Vec<&Broker>)> = Vec::new();
    for &b in brokers {
        let rack = b.rack.as_deref().unwrap_or_default();
        let at = by_rack.partition_point(|(r, _)| *r < rack);
        match by_rack.get_mut(at) {
            Some((r, list)) if *r == rack => {
                let i = list.partition_point(|x| x.id < b.id);
                list.insert(i, b);
            }
            _ => by_rack.insert(at, (rack, alloc::vec![b])),
        }
    }
    let longest = by_rack.iter().map(|(_, l)| l.len()).max().unwrap_or(0);
    (0..longest)
        .flat_map(|i| by_rack.iter().filter_map(move |(_, l)| l.get(i).copied()))
        .collect()
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn brokers(racks: &[Option<&str>]) -> Vec<Broker> {
        racks
            .iter()
            .enumerate()
            .map(|(i, r)| Broker {
                id: i as BrokerId + 1,
                rack: r.map(String::from),
                state: BrokerState::Running,
            })
            .collect()
    }

    #[test]
    fn replicas_spread_round_robin_with_a_growing_shift() {
        let b = brokers(&[None; 3]);
        // With start 0 and shift 0 (as the seed gives here or not), each broker leads one
        // partition of every three, and no partition has a broker twice.
        let mut rng = Rng::new(7);
        let a = assign_replicas(&b, 0..6, 3, &mut rng).unwrap();
        for replicas in &a {
            let mut s = replicas.clone();
            s.sort_unstable();
            s.dedup();
            assert_eq!(s.len(), 3, "{a:?}");
        }
        let leaders: Vec<_> = a.iter().map(|r| r[0]).collect();
        assert_eq!(
            leaders[0..3]
                .iter()
                .collect::<alloc::collections::BTreeSet<_>>()
                .len(),
            3
        );
        assert_eq!(
            leaders[0..3],
            leaders[3..6],
            "leaders go round-robin: {a:?}"
        );
        assert_ne!(
            a[0][1], a[3][1],
            "the follower shift grows after n partitions: {a:?}"
        );
    }

    #[test]
    fn the_rack_alternated_list_is_kafkas() {
        // Brokers 2, 5, 8 on rack1; 1, 4, 7 on rack2; 3, 6, 9 on rack3; given in reverse.
        let racks = [2, 1, 3, 2, 1, 3, 2, 1, 3].map(|r| Some(["rack1", "rack2", "rack3"][r - 1]));
        let all = brokers(&racks);
        let mut mixed: Vec<&Broker> = all.iter().collect();
        mixed.reverse();
        // Racks in name order, then the first broker of each (by id), the second, and so on.
        let ids: Vec<BrokerId> = rack_alternated(&mixed).iter().map(|b| b.id).collect();
        assert_eq!(ids, [2, 1, 3, 5, 4, 6, 8, 7, 9]);
    }

    #[test]
    fn rack_aware_placement_puts_replicas_on_distinct_racks() {
        let b = brokers(&[
            Some("a"),
            Some("a"),
            Some("b"),
            Some("b"),
            Some("c"),
            Some("c"),
        ]);
        for seed in 0..20 {
            let a = assign_replicas(&b, 0..12, 3, &mut Rng::new(seed)).unwrap();
            for replicas in a {
                let mut racks: Vec<_> = replicas
                    .iter()
                    .map(|id| b[*id as usize - 1].rack.clone())
                    .collect();
                racks.sort();
                racks.dedup();
                assert_eq!(racks.len(), 3, "seed {seed}: {replicas:?}");
            }
        }
    }

    #[test]
    fn placement_refuses_what_kafka_refuses() {
        let mut rng = Rng::new(0);
        let e = assign_replicas(&brokers(&[None; 2]), 0..1, 3, &mut rng).unwrap_err();
        assert_eq!(e.code, crate::ErrorCode::InvalidReplicationFactor);
        assert!(
            e.message.contains("larger than available brokers: 2"),
            "{e}"
        );
        let e = assign_replicas(&brokers(&[Some("a"), None]), 0..1, 2, &mut rng).unwrap_err();
        assert!(e.message.contains("rack information"), "{e}");
    }
}
