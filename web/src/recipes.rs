//! Ready scenarios, each teaching one thing; they are scripts like any other.

/// A recipe: a script with a title and what it teaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recipe {
    /// A stable id (used by tests and the menu).
    pub id: &'static str,
    /// The menu's title.
    pub title: &'static str,
    /// The one thing it teaches.
    pub teaches: &'static str,
    /// The script.
    pub script: &'static str,
}

macro_rules! recipe {
    ($id:literal, $title:literal, $teaches:literal) => {
        Recipe {
            id: $id,
            title: $title,
            teaches: $teaches,
            script: include_str!(concat!("../recipes/", $id, ".lp")),
        }
    };
}

/// Every recipe, in menu order.
pub const RECIPES: &[Recipe] = &[
    recipe!(
        "keys-and-ordering",
        "Keys and ordering",
        "Records with the same key go to the same partition, so each key keeps its order."
    ),
    recipe!(
        "group-rebalance",
        "A consumer group rebalancing",
        "Members join and leave; the assignor splits the partitions again each time."
    ),
    recipe!(
        "retention-and-compaction",
        "Retention and compaction",
        "Retention drops old segments; compaction keeps the latest value of each key."
    ),
    recipe!(
        "delivery-semantics",
        "At-least-once vs at-most-once",
        "Committing after processing re-reads after a crash; committing before loses."
    ),
    Recipe {
        id: "exactly-once",
        title: "Exactly-once",
        teaches: "Consume, transform and produce in one transaction: a crash never duplicates.",
        // The golden script is the recipe: its expected output is checked by the tests.
        script: include_str!("../../tests/scripts/eos.lp"),
    },
    Recipe {
        id: "leader-failover",
        title: "Leader failover with acks=all",
        teaches: "A leader stops; an in-sync follower takes over and nothing acknowledged is lost.",
        script: include_str!("../../tests/scripts/failover.lp"),
    },
    Recipe {
        id: "unclean-election",
        title: "acks=1 and an unclean election",
        teaches: "With no in-sync replica left, electing a lagging one loses acknowledged writes.",
        script: include_str!("../../tests/scripts/unclean.lp"),
    },
    recipe!(
        "fan-out",
        "Fan-out to many operators",
        "Each operator is its own group, so each reads the whole stream (pypz)."
    ),
    recipe!(
        "regex-workers",
        "Regex-subscribed workers",
        "A pattern subscription picks up matching topics created later (guillotina_kafka)."
    ),
    recipe!(
        "json-batches",
        "JSON batches, committed per batch",
        "Snappy batches of JSON; committing after each batch re-reads at most one (PHQ)."
    ),
    recipe!(
        "topic-prefix-workers",
        "Named workers under a topic prefix",
        "Each named worker is its own group; its instances split the partitions (guillotina)."
    ),
    recipe!(
        "replication-group",
        "Operator replicas with direct assignment",
        "Each replica reads its own partition with assign(): no rebalances (pypz)."
    ),
    recipe!(
        "schema-evolution",
        "Schema registry and evolution",
        "Compatibility levels decide which schema changes a subject accepts; serializers validate."
    ),
    recipe!(
        "connect-pipeline",
        "Kafka Connect: sources, sinks, offsets",
        "Tasks are producers and a consumer group; a crash replays from committed offsets."
    ),
];

/// The recipe with this id.
pub fn find(id: &str) -> Option<&'static Recipe> {
    RECIPES.iter().find(|r| r.id == id)
}
