//! Property tests: the partition log against a naive reference model (a `Vec`).
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;

use logplay_core::compression::CompressionType;
use logplay_core::log::PartitionLog;
use logplay_core::record::{ProducerIdentity, RecordBatchBuilder};
use logplay_core::topic::TopicConfig;
use logplay_core::SimTime;
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    /// Append a batch of (key, value) records; `None` value is a tombstone.
    Append(Vec<(Option<u8>, Option<u16>)>),
    /// Advance the clock.
    Wait(u64),
    DeleteRecords(u8),
    Retention,
    Compact,
}

fn op() -> impl Strategy<Value = Op> {
    let record = (
        proptest::option::weighted(0.9, 0u8..8),
        proptest::option::weighted(0.85, any::<u16>()),
    );
    prop_oneof![
        6 => prop::collection::vec(record, 1..6).prop_map(Op::Append),
        3 => (1u64..400).prop_map(Op::Wait),
        1 => any::<u8>().prop_map(Op::DeleteRecords),
        2 => Just(Op::Retention),
        2 => Just(Op::Compact),
    ]
}

#[derive(Clone, Debug, PartialEq)]
struct Rec {
    key: Option<Vec<u8>>,
    value: Option<Vec<u8>>,
    timestamp: i64,
}

fn config(compact: bool, segment_bytes: u32) -> TopicConfig {
    let policy = if compact { "compact" } else { "delete" };
    TopicConfig::from_entries([
        ("cleanup.policy", policy),
        ("segment.bytes", &segment_bytes.to_string()),
        ("retention.ms", "2000"),
        ("retention.bytes", "3000"),
        ("delete.retention.ms", "500"),
        ("min.compaction.lag.ms", "100"),
    ])
    .expect("valid config")
}

fn run(ops: &[Op], compact: bool, segment_bytes: u32) -> Result<(), TestCaseError> {
    let cfg = config(compact, segment_bytes);
    let mut log = PartitionLog::new();
    let mut model: Vec<Rec> = Vec::new();
    let mut now = 0u64;
    let mut last_start = 0;
    for op in ops {
        match op {
            Op::Append(records) => {
                let ts = now as i64;
                let mut b = RecordBatchBuilder::new(ts);
                for (k, v) in records {
                    let key = k.map(|k| vec![k]);
                    let value = v.map(|v| v.to_le_bytes().to_vec());
                    b.push(key.as_deref(), value.as_deref(), &[], ts);
                    model.push(Rec {
                        key,
                        value,
                        timestamp: ts,
                    });
                }
                let batch = b
                    .build(ProducerIdentity::NONE, CompressionType::None)
                    .expect("no codec");
                log.append(&batch, &cfg, SimTime(now))
                    .expect("small batches fit");
                let leo = log.log_end_offset();
                log.set_high_watermark(leo);
            }
            Op::Wait(ms) => now += ms,
            Op::DeleteRecords(frac) => {
                let span = log.high_watermark() - log.log_start_offset();
                let to = log.log_start_offset() + span * i64::from(*frac) / 255;
                prop_assert_eq!(
                    log.delete_records(to).expect("within range"),
                    to.max(last_start)
                );
            }
            Op::Retention => {
                log.apply_retention(&cfg, SimTime(now));
            }
            Op::Compact => {
                log.compact(&cfg, SimTime(now));
            }
        }
        // Invariants after every step.
        prop_assert_eq!(
            log.log_end_offset(),
            model.len() as i64,
            "inconsistent offsets: the end moved"
        );
        prop_assert!(
            log.log_start_offset() >= last_start,
            "the log start went backwards"
        );
        last_start = log.log_start_offset();
        let got: Vec<(i64, Rec)> = log
            .read_from(0, i64::MAX)
            .map(|r| {
                (
                    r.offset,
                    Rec {
                        key: r.key.map(<[u8]>::to_vec),
                        value: r.value.map(<[u8]>::to_vec),
                        timestamp: r.timestamp,
                    },
                )
            })
            .collect();
        prop_assert!(
            got.windows(2).all(|w| w[0].0 < w[1].0),
            "offsets not increasing"
        );
        for (offset, rec) in &got {
            prop_assert!(
                *offset >= log.log_start_offset(),
                "read below the log start"
            );
            prop_assert_eq!(
                rec,
                &model[*offset as usize],
                "offset {} holds another record",
                offset
            );
        }
        let active_base = log.segments().last().map(|s| s.base_offset).unwrap_or(0);
        let present: std::collections::BTreeSet<i64> = got.iter().map(|(o, _)| *o).collect();
        for o in active_base.max(log.log_start_offset())..model.len() as i64 {
            prop_assert!(
                present.contains(&o),
                "lost write: offset {} in the active segment is gone",
                o
            );
        }
        if compact {
            prop_assert_eq!(log.log_start_offset(), 0.max(last_start));
            // The table view is the model's, whatever the cleaner did.
            let mut table = BTreeMap::new();
            for r in &model[log.log_start_offset() as usize..] {
                match (&r.key, &r.value) {
                    (Some(k), Some(v)) => {
                        table.insert(k.clone(), v.clone());
                    }
                    (Some(k), None) => {
                        table.remove(k);
                    }
                    _ => {}
                }
            }
            prop_assert_eq!(log.table(), table, "compaction changed the table view");
            // Each key's latest record survives unless it is a tombstone.
            let mut latest = BTreeMap::new();
            for (o, r) in model
                .iter()
                .enumerate()
                .skip(log.log_start_offset() as usize)
            {
                if let Some(k) = &r.key {
                    latest.insert(k.clone(), (o as i64, r.value.is_none()));
                }
            }
            for (o, tombstone) in latest.values() {
                prop_assert!(
                    *tombstone || present.contains(o),
                    "the latest record of a key (offset {}) is gone",
                    o
                );
            }
        } else {
            // The delete policy only ever removes a prefix.
            let expected: Vec<i64> = (log.log_start_offset()..model.len() as i64).collect();
            prop_assert_eq!(
                present.into_iter().collect::<Vec<_>>(),
                expected,
                "a hole in a delete-policy log"
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn delete_policy_log_matches_the_model(ops in prop::collection::vec(op(), 1..80), seg in 80u32..600) {
        run(&ops, false, seg)?;
    }

    #[test]
    fn compacted_log_matches_the_model(ops in prop::collection::vec(op(), 1..80), seg in 80u32..600) {
        run(&ops, true, seg)?;
    }
}
