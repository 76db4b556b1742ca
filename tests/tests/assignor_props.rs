//! Property tests of the sticky assignor: every partition has exactly one owner, members are
//! balanced within one, and it keeps exactly as many previous partitions as an optimal
//! balanced assignment can.
#![cfg(not(target_arch = "wasm32"))]

use logplay_core::group::assignor::{range, roundrobin, sticky, Member, PartitionCounts};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn sticky_is_balanced_complete_and_optimally_sticky(
        partitions in 1u32..60,
        members in 1usize..12,
        owners in prop::collection::vec(any::<u8>(), 60),
    ) {
        let topics: PartitionCounts = [(String::from("t"), partitions)].into_iter().collect();
        // A previous assignment: each partition with at most one (random) owner.
        let mut ms: Vec<Member> = (0..members).map(|i| Member::new(&format!("m{i:02}"), ["t"])).collect();
        for p in 0..partitions {
            let o = usize::from(owners[p as usize]);
            if o < members * 2 {
                if let Some(m) = ms.get_mut(o) {
                    m.owned.push((String::from("t"), p));
                }
            }
        }
        let a = sticky(&topics, &ms);
        let mut all: Vec<&(String, u32)> = a.values().flatten().collect();
        all.sort();
        let before = all.len();
        all.dedup();
        prop_assert_eq!(before, all.len(), "a partition has two owners");
        prop_assert_eq!(all.len() as u32, partitions, "a partition has no owner");
        let counts: Vec<usize> = a.values().map(Vec::len).collect();
        prop_assert!(counts.iter().max().unwrap() - counts.iter().min().unwrap() <= 1, "unbalanced: {:?}", counts);
        // The most any balanced assignment can keep: everyone keeps up to ⌊N/M⌋, and N mod M
        // of those that owned more keep one more.
        let q = partitions as usize / members;
        let extra = partitions as usize % members;
        let owned: Vec<usize> = ms.iter().map(|m| m.owned.len()).collect();
        let optimal = owned.iter().map(|o| (*o).min(q)).sum::<usize>() + extra.min(owned.iter().filter(|o| **o > q).count());
        let kept: usize = ms.iter().map(|m| a[&m.member_id].iter().filter(|p| m.owned.contains(p)).count()).sum();
        prop_assert_eq!(kept, optimal);
    }

    #[test]
    fn range_and_roundrobin_give_every_subscribed_partition_one_owner(
        counts in prop::collection::vec(0u32..20, 1..5),
        subs in prop::collection::vec(prop::collection::vec(any::<bool>(), 5), 1..8),
    ) {
        let topics: PartitionCounts = counts.iter().enumerate().map(|(i, n)| (format!("t{i}"), *n)).collect();
        let ms: Vec<Member> = subs
            .iter()
            .enumerate()
            .map(|(i, s)| Member::new(&format!("m{i}"), (0..counts.len()).filter(|t| s[*t]).map(|t| topics.keys().nth(t).unwrap().as_str())))
            .collect();
        let wanted: usize = topics.iter().filter(|(t, _)| ms.iter().any(|m| m.topics.contains(*t))).map(|(_, n)| *n as usize).sum();
        for a in [range(&topics, &ms), roundrobin(&topics, &ms)] {
            let mut all: Vec<&(String, u32)> = a.values().flatten().collect();
            all.sort();
            all.dedup();
            prop_assert_eq!(all.len(), wanted);
            for m in &ms {
                prop_assert!(a[&m.member_id].iter().all(|(t, _)| m.topics.contains(t)), "assigned an unsubscribed topic");
            }
        }
    }
}
