//! Kafka's partition assignors, as pure functions: the same member ids and subscriptions give
//! exactly the assignment Apache Kafka's Java client computes.
//!
//! Members are ordered as Kafka's `MemberInfo` orders them: static members (with a
//! `group.instance.id`) first, by instance id, then the others by member id, comparing
//! strings as Java does (by UTF-16 code units).

use alloc::collections::{BTreeMap, BTreeSet, BinaryHeap};
use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::{Ordering, Reverse};
use litemap::LiteMap;

use crate::sorted_set::SortedSet;

/// A topic-partition in an assignment.
pub type Partition = (String, u32);

/// How many partitions each subscribed topic has, by topic name.
pub type PartitionCounts = LiteMap<String, u32>;

/// What an assignor knows of one group member.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Member {
    /// The member id the coordinator gave it.
    pub member_id: String,
    /// Its `group.instance.id`, for a static member.
    pub group_instance_id: Option<String>,
    /// The topics it subscribes to.
    pub topics: SortedSet<String>,
    /// The partitions it owned before this rebalance (used by the sticky assignors).
    pub owned: Vec<Partition>,
}

impl Member {
    /// A dynamic member subscribed to `topics`.
    pub fn new<'a>(member_id: &str, topics: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            member_id: member_id.into(),
            topics: topics.into_iter().map(String::from).collect(),
            ..Self::default()
        }
    }

    /// The same member, made static with `group.instance.id`.
    pub fn with_instance_id(mut self, id: &str) -> Self {
        self.group_instance_id = Some(id.into());
        self
    }
}

/// Each member's partitions, by member id, each list sorted by topic and partition.
pub type Assignment = BTreeMap<String, Vec<Partition>>;

/// Java's `String.compareTo`: by UTF-16 code units.
fn java_cmp(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Kafka's `MemberInfo.compareTo`.
fn member_order(a: &Member, b: &Member) -> Ordering {
    match (&a.group_instance_id, &b.group_instance_id) {
        (Some(x), Some(y)) => java_cmp(x, y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => java_cmp(&a.member_id, &b.member_id),
    }
}

fn sorted(members: &[Member]) -> Vec<&Member> {
    let mut sorted: Vec<&Member> = members.iter().collect();
    sorted.sort_by(|a, b| member_order(a, b));
    sorted
}

/// Builds the assignment from per-member lists (in `sorted` order), each list sorted.
fn finish(sorted: &[&Member], lists: Vec<Vec<Partition>>) -> Assignment {
    let mut assignment = Assignment::new();
    for (m, mut partitions) in sorted.iter().zip(lists) {
        // Topic names are ASCII (Kafka's legal characters), so byte order is Java's order.
        partitions.sort();
        assignment.insert(m.member_id.clone(), partitions);
    }
    assignment
}

/// Kafka's `RangeAssignor` (`range`): per topic, the partitions in order are split into
/// contiguous ranges over the sorted subscribers; the first ones get one extra when the
/// division is not even. Topics that do not exist are skipped.
pub fn range(partitions_per_topic: &PartitionCounts, members: &[Member]) -> Assignment {
    let sorted = sorted(members);
    let mut lists = alloc::vec![Vec::new(); sorted.len()];
    for (topic, &count) in partitions_per_topic {
        let consumers: Vec<usize> = (0..sorted.len())
            .filter(|&i| sorted[i].topics.contains(topic))
            .collect();
        if consumers.is_empty() {
            continue;
        }
        let n = consumers.len() as u32;
        let (per, extra) = (count / n, count % n);
        for (i, &member) in consumers.iter().enumerate() {
            let i = i as u32;
            let start = per * i + i.min(extra);
            let len = per + u32::from(i < extra);
            lists[member].extend((start..start + len).map(|p| (topic.clone(), p)));
        }
    }
    finish(&sorted, lists)
}

/// Kafka's `RoundRobinAssignor` (`roundrobin`): every subscribed partition, topics in sorted
/// order, goes to the next sorted member in a circle, skipping members not subscribed to
/// its topic.
pub fn roundrobin(partitions_per_topic: &PartitionCounts, members: &[Member]) -> Assignment {
    let sorted = sorted(members);
    let mut lists = alloc::vec![Vec::new(); sorted.len()];
    if sorted.is_empty() {
        return Assignment::new();
    }
    let mut subscribed: SortedSet<&String> = SortedSet::new();
    subscribed.extend(members.iter().flat_map(|m| m.topics.iter()));
    let mut next = 0usize;
    // In the map's order, which is Java's for topic names (ASCII).
    for (topic, &count) in partitions_per_topic
        .iter()
        .filter(|(t, _)| subscribed.contains(t))
    {
        for p in 0..count {
            // Some member subscribes to this topic (topics come from the subscriptions), so
            // the search ends within one lap.
            while !sorted[next % sorted.len()].topics.contains(topic) {
                next += 1;
            }
            lists[next % sorted.len()].push((topic.clone(), p));
            next += 1;
        }
    }
    finish(&sorted, lists)
}

/// Kafka's `StickyAssignor` (`sticky`): balanced (partition counts differ by at most one
/// when the subscriptions allow it) while keeping as many of each member's previous
/// partitions as balance allows.
///
/// Members keep the partitions they owned (each partition by its first claimer) up to their
/// quota, ⌊N/M⌋ or, for the first N mod M members that owned more, ⌈N/M⌉; the rest go to the
/// least-loaded members subscribed to their topic. With different subscriptions the same
/// greedy steps run, then partitions move from fuller to emptier members that can take them
/// until no move narrows the gap.
pub fn sticky(partitions_per_topic: &PartitionCounts, members: &[Member]) -> Assignment {
    let sorted = sorted(members);
    let mut lists: Vec<Vec<Partition>> = alloc::vec![Vec::new(); sorted.len()];
    if sorted.is_empty() {
        return Assignment::new();
    }
    let subscribed = |i: usize, t: &str| sorted[i].topics.contains(t);
    let all: Vec<Partition> = partitions_per_topic
        .iter()
        .filter(|(t, _)| sorted.iter().any(|m| m.topics.contains(*t)))
        .flat_map(|(t, n)| (0..*n).map(move |p| (t.clone(), p)))
        .collect();
    let total = all.len();
    let (min_quota, extra) = (total / sorted.len(), total % sorted.len());
    // Keep owned partitions that still exist and are still subscribed, first claimer wins.
    let mut claimed: BTreeSet<Partition> = BTreeSet::new();
    let mut owned: Vec<Vec<Partition>> = sorted
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let mut keep: Vec<Partition> = m
                .owned
                .iter()
                // `all` is sorted: it follows the map's order.
                .filter(|p| all.binary_search(p).is_ok() && subscribed(i, &p.0))
                .cloned()
                .collect();
            keep.sort();
            keep.dedup();
            keep.retain(|p| claimed.insert(p.clone()));
            keep
        })
        .collect();
    for p in owned.iter().flatten() {
        claimed.remove(p);
    }
    // The extra slots go first to the members that owned the most.
    let mut by_owned: Vec<usize> = (0..sorted.len()).collect();
    by_owned.sort_by(|a, b| owned[*b].len().cmp(&owned[*a].len()).then(a.cmp(b)));
    let mut quota = alloc::vec![min_quota; sorted.len()];
    for &i in by_owned.iter().take(extra) {
        quota[i] += 1;
    }
    let mut taken: BTreeSet<Partition> = BTreeSet::new();
    for (i, keep) in owned.iter_mut().enumerate() {
        keep.truncate(quota[i]);
        taken.extend(keep.iter().cloned());
        lists[i].append(keep);
    }
    let same_subscriptions = sorted.windows(2).all(|w| w[0].topics == w[1].topics);
    let free = all.iter().filter(|p| !taken.contains(*p));
    if same_subscriptions {
        // Everyone can take anything: fill the least-loaded member first, from a heap.
        let mut heap: BinaryHeap<Reverse<(bool, usize, usize)>> = (0..sorted.len())
            .map(|i| Reverse((lists[i].len() >= quota[i], lists[i].len(), i)))
            .collect();
        for p in free {
            if let Some(Reverse((_, _, i))) = heap.pop() {
                lists[i].push(p.clone());
                heap.push(Reverse((lists[i].len() >= quota[i], lists[i].len(), i)));
            }
        }
    } else {
        for p in free {
            let best = (0..sorted.len())
                .filter(|&i| subscribed(i, &p.0))
                .min_by_key(|&i| (lists[i].len() >= quota[i], lists[i].len(), i));
            if let Some(i) = best {
                lists[i].push(p.clone());
            }
        }
    }
    // Unequal subscriptions can leave gaps the quotas did not foresee: close them.
    let balanced = |lists: &[Vec<Partition>]| {
        let lens = lists.iter().map(Vec::len);
        lens.clone().max().unwrap_or(0) - lens.min().unwrap_or(0) <= 1
    };
    while !same_subscriptions && !balanced(&lists) {
        let mut moved = false;
        for from in 0..sorted.len() {
            for to in 0..sorted.len() {
                if lists[from].len() > lists[to].len() + 1 {
                    if let Some(k) = lists[from].iter().rposition(|p| subscribed(to, &p.0)) {
                        let p = lists[from].remove(k);
                        lists[to].push(p);
                        moved = true;
                    }
                }
            }
        }
        if !moved {
            break;
        }
    }
    finish(&sorted, lists)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use alloc::vec;

    fn topics(list: &[(&str, u32)]) -> PartitionCounts {
        list.iter().map(|(t, n)| (String::from(*t), *n)).collect()
    }

    fn tps(list: &[(&str, u32)]) -> Vec<Partition> {
        list.iter().map(|(t, p)| (String::from(*t), *p)).collect()
    }

    // Cases from Apache Kafka's RangeAssignorTest.

    #[test]
    fn range_matches_kafkas_range_assignor_tests() {
        let a = range(&topics(&[("topic", 3)]), &[Member::new("consumer", [])]);
        assert_eq!(a["consumer"], vec![], "testOneConsumerNoTopic");
        let a = range(&topics(&[]), &[Member::new("consumer", ["topic"])]);
        assert_eq!(a["consumer"], vec![], "testOneConsumerNonexistentTopic");
        let a = range(
            &topics(&[("topic", 3), ("other", 3)]),
            &[Member::new("consumer", ["topic"])],
        );
        assert_eq!(
            a["consumer"],
            tps(&[("topic", 0), ("topic", 1), ("topic", 2)]),
            "testOnlyAssignsPartitionsFromSubscribedTopics"
        );
        let a = range(
            &topics(&[("topic", 1)]),
            &[
                Member::new("consumer1", ["topic"]),
                Member::new("consumer2", ["topic"]),
            ],
        );
        assert_eq!(
            (a["consumer1"].clone(), a["consumer2"].clone()),
            (tps(&[("topic", 0)]), vec![]),
            "testTwoConsumersOneTopicOnePartition"
        );
        let mixed = [
            Member::new("consumer1", ["topic1"]),
            Member::new("consumer2", ["topic1", "topic2"]),
            Member::new("consumer3", ["topic1"]),
        ];
        let a = range(&topics(&[("topic1", 3), ("topic2", 2)]), &mixed);
        assert_eq!(
            a["consumer1"],
            tps(&[("topic1", 0)]),
            "testMultipleConsumersMixedTopics"
        );
        assert_eq!(
            a["consumer2"],
            tps(&[("topic1", 1), ("topic2", 0), ("topic2", 1)])
        );
        assert_eq!(a["consumer3"], tps(&[("topic1", 2)]));
        let two = [
            Member::new("consumer1", ["topic1", "topic2"]),
            Member::new("consumer2", ["topic1", "topic2"]),
        ];
        let a = range(&topics(&[("topic1", 3), ("topic2", 3)]), &two);
        assert_eq!(
            a["consumer1"],
            tps(&[("topic1", 0), ("topic1", 1), ("topic2", 0), ("topic2", 1)]),
            "testTwoConsumersTwoTopicsSixPartitions"
        );
        assert_eq!(a["consumer2"], tps(&[("topic1", 2), ("topic2", 2)]));
    }

    #[test]
    fn range_puts_static_members_first_by_instance_id() {
        let six = topics(&[("topic1", 3), ("topic2", 3)]);
        // testTwoStaticConsumersTwoTopicsSixPartitions: instance ids decide, not member ids.
        let members = [
            Member::new("consumer-b", ["topic1", "topic2"]).with_instance_id("instance1"),
            Member::new("consumer-a", ["topic1", "topic2"]).with_instance_id("instance2"),
        ];
        let a = range(&six, &members);
        assert_eq!(
            a["consumer-b"],
            tps(&[("topic1", 0), ("topic1", 1), ("topic2", 0), ("topic2", 1)])
        );
        assert_eq!(a["consumer-a"], tps(&[("topic1", 2), ("topic2", 2)]));
        // testOneStaticConsumerAndOneDynamicConsumerTwoTopicsSixPartitions.
        let members = [
            Member::new("consumer-b", ["topic1", "topic2"]).with_instance_id("instance1"),
            Member::new("consumer-a", ["topic1", "topic2"]),
        ];
        let a = range(&six, &members);
        assert_eq!(
            a["consumer-b"],
            tps(&[("topic1", 0), ("topic1", 1), ("topic2", 0), ("topic2", 1)])
        );
        assert_eq!(a["consumer-a"], tps(&[("topic1", 2), ("topic2", 2)]));
    }

    // Cases from Apache Kafka's RoundRobinAssignorTest.

    #[test]
    fn roundrobin_matches_kafkas_round_robin_assignor_tests() {
        let a = roundrobin(
            &topics(&[("topic1", 1), ("topic2", 2)]),
            &[Member::new("consumer", ["topic1", "topic2"])],
        );
        assert_eq!(
            a["consumer"],
            tps(&[("topic1", 0), ("topic2", 0), ("topic2", 1)]),
            "testOneConsumerMultipleTopics"
        );
        let a = roundrobin(
            &topics(&[("topic", 2)]),
            &[
                Member::new("consumer1", ["topic"]),
                Member::new("consumer2", ["topic"]),
            ],
        );
        assert_eq!(
            (a["consumer1"].clone(), a["consumer2"].clone()),
            (tps(&[("topic", 0)]), tps(&[("topic", 1)])),
            "testTwoConsumersOneTopicTwoPartitions"
        );
        let mixed = [
            Member::new("consumer1", ["topic1"]),
            Member::new("consumer2", ["topic1", "topic2"]),
            Member::new("consumer3", ["topic1"]),
        ];
        let a = roundrobin(&topics(&[("topic1", 3), ("topic2", 2)]), &mixed);
        assert_eq!(
            a["consumer1"],
            tps(&[("topic1", 0)]),
            "testMultipleConsumersMixedTopics"
        );
        assert_eq!(
            a["consumer2"],
            tps(&[("topic1", 1), ("topic2", 0), ("topic2", 1)])
        );
        assert_eq!(a["consumer3"], tps(&[("topic1", 2)]));
        let six = topics(&[("topic1", 3), ("topic2", 3)]);
        let a = roundrobin(
            &six,
            &[
                Member::new("consumer1", ["topic1", "topic2"]),
                Member::new("consumer2", ["topic1", "topic2"]),
            ],
        );
        assert_eq!(
            a["consumer1"],
            tps(&[("topic1", 0), ("topic1", 2), ("topic2", 1)]),
            "testTwoConsumersTwoTopicsSixPartitions"
        );
        assert_eq!(
            a["consumer2"],
            tps(&[("topic1", 1), ("topic2", 0), ("topic2", 2)])
        );
        let a = roundrobin(
            &topics(&[("topic", 3)]),
            &[Member::new("consumer", ["topic", "missing"])],
        );
        assert_eq!(a["consumer"].len(), 3, "testOneConsumerNonexistentTopic");
        assert!(roundrobin(&six, &[]).is_empty());
    }

    #[test]
    fn roundrobin_puts_static_members_first_by_instance_id() {
        let six = topics(&[("topic1", 3), ("topic2", 3)]);
        for members in [
            [
                Member::new("consumer-b", ["topic1", "topic2"]).with_instance_id("instance1"),
                Member::new("consumer-a", ["topic1", "topic2"]).with_instance_id("instance2"),
            ],
            [
                Member::new("consumer-b", ["topic1", "topic2"]).with_instance_id("instance1"),
                Member::new("consumer-a", ["topic1", "topic2"]),
            ],
        ] {
            let a = roundrobin(&six, &members);
            assert_eq!(
                a["consumer-b"],
                tps(&[("topic1", 0), ("topic1", 2), ("topic2", 1)])
            );
            assert_eq!(
                a["consumer-a"],
                tps(&[("topic1", 1), ("topic2", 0), ("topic2", 2)])
            );
        }
    }

    #[test]
    fn sticky_keeps_what_it_can_and_stays_balanced() {
        let t = topics(&[("t", 6)]);
        let owning = |id: &str, parts: &[u32]| {
            let mut m = Member::new(id, ["t"]);
            m.owned = parts.iter().map(|p| (String::from("t"), *p)).collect();
            m
        };
        // Two members own everything; a third joins: each gives up one, nothing else moves.
        let a = sticky(
            &t,
            &[
                owning("a", &[0, 1, 2]),
                owning("b", &[3, 4, 5]),
                Member::new("c", ["t"]),
            ],
        );
        assert_eq!(a["a"], tps(&[("t", 0), ("t", 1)]));
        assert_eq!(a["b"], tps(&[("t", 3), ("t", 4)]));
        assert_eq!(a["c"], tps(&[("t", 2), ("t", 5)]));
        // A member leaves: the survivors keep theirs and split its partitions.
        let a = sticky(&t, &[owning("a", &[0, 1]), owning("c", &[2, 5])]);
        assert_eq!((a["a"].len(), a["c"].len()), (3, 3));
        assert!(
            a["a"].starts_with(&tps(&[("t", 0), ("t", 1)]))
                && a["c"].contains(&(String::from("t"), 5))
        );
        // A partition claimed twice goes to its first claimer only.
        let a = sticky(&t, &[owning("a", &[0]), owning("b", &[0])]);
        assert_eq!(a["a"].len() + a["b"].len(), 6);
        assert!(
            a["a"].contains(&(String::from("t"), 0)) && !a["b"].contains(&(String::from("t"), 0))
        );
        // Different subscriptions still balance where they can.
        let mixed = [Member::new("a", ["t", "u"]), Member::new("b", ["u"])];
        let a = sticky(&topics(&[("t", 2), ("u", 2)]), &mixed);
        assert_eq!(a["b"], tps(&[("u", 0), ("u", 1)]));
        assert_eq!(a["a"], tps(&[("t", 0), ("t", 1)]));
    }

    #[test]
    fn strings_compare_as_java_does() {
        // U+FF5E sorts after U+1F600 in UTF-8 bytes but before it in UTF-16 code units.
        assert_eq!(java_cmp("\u{ff5e}", "\u{1f600}"), Ordering::Greater);
        assert_eq!("\u{ff5e}".cmp("\u{1f600}"), Ordering::Less);
        assert_eq!(java_cmp("a", "b"), Ordering::Less);
    }
}
