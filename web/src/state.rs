//! The playground's state and the actions that change it; testable without a browser.

use std::rc::Rc;

use logplay_core::{Cluster, ClusterConfig, ProducerHandle, ProducerRecord};
use yew::Reducible;

/// The topic the starter page writes to.
pub const DEMO_TOPIC: &str = "demo";

/// The playground: a simulated cluster with one topic and one producer.
#[derive(Clone, Debug)]
pub struct Playground {
    /// The simulated cluster.
    pub cluster: Cluster,
    producer: Option<ProducerHandle>,
    /// The last error, shown to the person.
    pub error: Option<String>,
}

/// What a person can do on the starter page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Produce one record with this value, then let `linger.ms` pass so it is written.
    Produce(String),
}

impl Default for Playground {
    fn default() -> Self {
        let mut cluster = Cluster::new(ClusterConfig::default());
        let producer = cluster
            .create_topic(DEMO_TOPIC, 1, &[])
            .and_then(|_| cluster.create_producer("producer-1", &[]))
            .ok();
        Self {
            cluster,
            producer,
            error: None,
        }
    }
}

impl Playground {
    /// Applies an action.
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::Produce(value) => {
                let Some(p) = self.producer else { return };
                let record = ProducerRecord::new(DEMO_TOPIC).value(value.as_bytes());
                self.error = self
                    .cluster
                    .produce(p, &record)
                    .err()
                    .map(|e| e.to_string());
                let linger = self.cluster.producer(p).map_or(0, |p| p.config().linger_ms);
                if let Err(e) = self.cluster.tick(linger) {
                    self.error = Some(e.to_string());
                }
                let _reports = self.cluster.drain_producer_events(p);
            }
        }
    }

    /// The demo partition's records as (offset, value) pairs.
    pub fn records(&self) -> Vec<(i64, String)> {
        let Ok(topic) = self.cluster.topic(DEMO_TOPIC) else {
            return Vec::new();
        };
        topic.partitions()[0]
            .log
            .read_from(0, i64::MAX)
            .map(|r| {
                (
                    r.offset,
                    String::from_utf8_lossy(r.value.unwrap_or_default()).into_owned(),
                )
            })
            .collect()
    }
}

impl Reducible for Playground {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        next.apply(action);
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn producing_appends_at_the_next_offset() {
        let mut p = Playground::default();
        p.apply(Action::Produce("a".into()));
        p.apply(Action::Produce("<b>".into()));
        assert_eq!(
            p.records(),
            vec![(0, "a".to_string()), (1, "<b>".to_string())]
        );
        assert_eq!(p.error, None);
        assert_eq!(
            p.cluster.now().0,
            10,
            "each produce waits out linger.ms = 5"
        );
    }
}
