//! A coordinated group at pypz's scale: 10,000 live members in one group.
#![cfg(not(target_arch = "wasm32"))]

use logplay_tests::workloads::{coordinated_group, stabilise};

#[test]
fn ten_thousand_members_form_one_stable_group_with_a_partition_each() {
    let (mut cluster, members) = coordinated_group(10_000, 10_000);
    assert_eq!(
        stabilise(&mut cluster, &members),
        1,
        "one rebalance, generation 1"
    );
    // A member leaves: after one more round of polls every partition has an owner again.
    cluster
        .close_consumer(members[0])
        .expect("a live consumer closes");
    for _ in 0..2 {
        for &h in &members[1..] {
            cluster.poll(h).expect("members poll");
        }
    }
    let d = cluster.describe_group("g").expect("the group exists");
    assert_eq!(
        (d.state.name(), d.generation, d.members.len()),
        ("Stable", 2, 9_999)
    );
    let owned: usize = d.members.iter().map(|m| m.assignment.len()).sum();
    assert_eq!(owned, 10_000);
}
