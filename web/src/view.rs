//! What the views draw, computed from the core without a browser.

use logplay_core::log::{Marker, PartitionLog};
use logplay_core::partitioner::{murmur2, Partitioner};

/// One cell of a partition's log as drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    /// Offsets below the log start offset: gone by retention or `deleteRecords`.
    Deleted {
        /// The log start offset.
        before: i64,
    },
    /// A transaction marker (a control record): COMMIT or ABORT.
    Marker {
        /// Its offset.
        offset: i64,
        /// Which.
        marker: Marker,
    },
    /// Offsets compacted away, `from..to`.
    Compacted {
        /// The first missing offset.
        from: i64,
        /// The next offset present.
        to: i64,
    },
    /// A record.
    Record {
        /// Its offset.
        offset: i64,
        /// The key as text (clipped).
        key: Option<String>,
        /// The value as text (clipped); `None` is a tombstone.
        value: Option<String>,
        /// The index of its segment, for alternating shades.
        segment: usize,
        /// True for the first record of a segment.
        segment_start: bool,
        /// Written in a transaction that aborted.
        aborted: bool,
        /// Written in a transaction still open (at or past the last stable offset).
        open: bool,
    },
}

/// A window of a partition's log: at most `width` offsets, so a log of any size draws
/// a bounded number of cells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogWindow {
    /// The cells, in offset order.
    pub cells: Vec<Cell>,
    /// The first offset of the window.
    pub from: i64,
    /// One past its last offset.
    pub to: i64,
}

/// The longest key or value text drawn in a cell.
pub const CLIP: usize = 18;

/// The window `[start, start + width)` (clamped to the log), or the log's tail when
/// `start` is `None`.
pub fn log_window(log: &PartitionLog, start: Option<i64>, width: i64) -> LogWindow {
    let (low, end) = (log.log_start_offset(), log.log_end_offset());
    let last_start = (end - width).max(low);
    let from = start.unwrap_or(last_start).clamp(low, last_start);
    let to = (from + width).min(end);
    let bases: Vec<i64> = log.segments().map(|s| s.base_offset).collect();
    let mut cells = Vec::new();
    if from == low && low > 0 {
        cells.push(Cell::Deleted { before: low });
    }
    let markers = log.markers(from, to);
    let lso = log.last_stable_offset();
    let mut next = from;
    let mut last_segment = None;
    // The offsets `next..upto` hold no record: markers, or compacted away.
    let gap = |cells: &mut Vec<Cell>, next: i64, upto: i64| {
        let mut at = next;
        for &(offset, marker) in markers.iter().filter(|m| (next..upto).contains(&m.0)) {
            if offset > at {
                cells.push(Cell::Compacted {
                    from: at,
                    to: offset,
                });
            }
            cells.push(Cell::Marker { offset, marker });
            at = offset + 1;
        }
        if upto > at {
            cells.push(Cell::Compacted { from: at, to: upto });
        }
    };
    for r in log.read_from(from, to) {
        gap(&mut cells, next, r.offset);
        let segment = bases.partition_point(|&b| b <= r.offset).saturating_sub(1);
        cells.push(Cell::Record {
            offset: r.offset,
            key: r.key.map(|k| clip(&bytes_text(k))),
            value: r.value.map(|v| clip(&bytes_text(v))),
            segment,
            segment_start: last_segment != Some(segment)
                && bases.get(segment).is_some_and(|&b| b >= from),
            aborted: r.transactional && log.is_aborted(r.producer.producer_id, r.offset),
            open: r.transactional && r.offset >= lso,
        });
        last_segment = Some(segment);
        next = r.offset + 1;
    }
    gap(&mut cells, next, to);
    LogWindow { cells, from, to }
}

/// Bytes as text when they are UTF-8 (see [`visible`]), else `hex:…`.
pub fn bytes_text(bytes: &[u8]) -> String {
    match core::str::from_utf8(bytes) {
        Ok(s) => visible(s),
        Err(_) => {
            let mut out = String::from("hex:");
            for b in bytes {
                out.push_str(&format!("{b:02x}"));
            }
            out
        }
    }
}

/// Text with its bidirectional controls (U+202A–U+202E, U+2066–U+2069) written out as
/// `\u202E`, so that a key or value cannot reorder the text around it.
pub fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') {
            out.push_str(&format!("\\u{:04X}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// At most [`CLIP`] characters, with an ellipsis when cut.
pub fn clip(text: &str) -> String {
    if text.chars().count() <= CLIP {
        return text.to_string();
    }
    let mut out: String = text.chars().take(CLIP - 1).collect();
    out.push('…');
    out
}

/// Why a keyed record goes where it goes, for the produce form:
/// `toPositive(murmur2("alice")) % 3 = 1`.
pub fn key_reason(partitioner: Partitioner, key: Option<&str>, partitions: u32) -> String {
    if partitions == 0 {
        return String::new();
    }
    let bytes = key.map(str::as_bytes);
    match (partitioner.partition_for(bytes, partitions), key) {
        (Some(p), Some(k)) if uses_crc32(partitioner) => {
            format!("crc32({k:?}) % {partitions} = {p}")
        }
        (Some(p), Some(k)) => format!(
            "toPositive(murmur2({k:?})) % {partitions} = {p}   (murmur2 = {})",
            murmur2(k.as_bytes())
        ),
        (Some(p), None) => {
            format!("no key: this partitioner hashes the empty key, % {partitions} = {p}")
        }
        (None, Some(_)) => "this partitioner ignores the key".to_string(),
        (None, None) => {
            "no key: the sticky partitioner fills one partition's batch at a time (KIP-480)"
                .to_string()
        }
    }
}

fn uses_crc32(p: Partitioner) -> bool {
    matches!(p, Partitioner::Consistent | Partitioner::ConsistentRandom)
}

/// The points of a sparkline of `samples`, `width` × `height`, for an SVG polyline, to a
/// tenth (integer arithmetic: no float formatting in the download).
pub fn sparkline(samples: &[i64], width: u32, height: u32) -> String {
    let max = i128::from(samples.iter().copied().max().unwrap_or(0).max(1));
    let n = (samples.len().max(2) - 1) as i128;
    let (w, h) = (i128::from(width) * 10, i128::from(height) * 10);
    let tenths = |t: i128| format!("{}.{}", t / 10, t % 10);
    samples
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let x = (w * i as i128 + n / 2) / n;
            let y = h - (h * i128::from(v.max(0)) + max / 2) / max;
            format!("{},{}", tenths(x), tenths(y))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{Action, Playground};

    fn log_of(script: &str, topic: &str) -> PartitionLog {
        let mut p = Playground::default();
        p.apply(Action::Console(script.to_string()));
        assert_eq!(p.refusal, None);
        let t = p.runner().cluster().topic(topic).ok();
        t.map(|t| t.partitions()[0].log.clone()).unwrap_or_default()
    }

    #[test]
    fn a_window_of_a_long_log_draws_a_bounded_number_of_cells() {
        let log = log_of(
            "topic create t\nproducer p\ngenerate p t count=100000 value=v{i}\nflush p",
            "t",
        );
        let tail = log_window(&log, None, 12);
        assert_eq!(
            (tail.from, tail.to, tail.cells.len()),
            (99_988, 100_000, 12)
        );
        let head = log_window(&log, Some(-5), 12);
        assert_eq!((head.from, head.cells.len()), (0, 12));
        assert!(
            matches!(&head.cells[3], Cell::Record { offset: 3, value: Some(v), .. } if v == "v3")
        );
        let past = log_window(&log, Some(1_000_000), 12);
        assert_eq!(past, tail);
    }

    #[test]
    fn deleted_and_compacted_ranges_and_tombstones_are_cells() {
        let script = "broker log.cleaner.backoff.ms=1s\n\
            topic create c cleanup.policy=compact segment.ms=1s min.cleanable.dirty.ratio=0.01 delete.retention.ms=1d\n\
            producer p linger.ms=0\n\
            produce p c key=a value=1\nproduce p c key=a value=2\nproduce p c key=b value=null\nproduce p c key=a value=3\n\
            tick 1500ms\nproduce p c key=z value=end\ntick 3s\n\
            topic delete-records c:0 before=1";
        let log = log_of(script, "c");
        let cells = log_window(&log, Some(0), 12).cells;
        assert_eq!(cells[0], Cell::Deleted { before: 1 });
        assert_eq!(cells[1], Cell::Compacted { from: 1, to: 2 });
        assert!(
            matches!(&cells[2], Cell::Record { offset: 2, value: None, key: Some(k), .. } if k == "b")
        );
        assert!(matches!(&cells[3], Cell::Record { offset: 3, value: Some(v), .. } if v == "3"));
        let segments: Vec<usize> = cells
            .iter()
            .filter_map(|c| match c {
                Cell::Record { segment, .. } => Some(*segment),
                _ => None,
            })
            .collect();
        assert!(segments.windows(2).all(|w| w[0] <= w[1]) && segments.len() == 3);
    }

    #[test]
    fn markers_open_and_aborted_transactions_are_drawn() {
        let script = "topic create t\nproducer tx transactional.id=t1 linger.ms=0\ntxn init tx\n\
            txn begin tx\nproduce tx t value=a\ntick 1ms\ntxn abort tx\n\
            txn begin tx\nproduce tx t value=b\ntick 1ms\ntxn commit tx\n\
            txn begin tx\nproduce tx t value=c\ntick 1ms";
        let log = log_of(script, "t");
        let cells = log_window(&log, Some(0), 12).cells;
        let summary: Vec<String> = cells
            .iter()
            .map(|c| match c {
                Cell::Record {
                    offset,
                    value,
                    aborted,
                    open,
                    ..
                } => {
                    format!(
                        "{offset}:{}{}{}",
                        value.clone().unwrap_or_default(),
                        if *aborted { " aborted" } else { "" },
                        if *open { " open" } else { "" }
                    )
                }
                Cell::Marker { offset, marker } => format!("{offset}:{}", marker.name()),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(
            summary,
            ["0:a aborted", "1:ABORT", "2:b", "3:COMMIT", "4:c open"]
        );
    }

    #[test]
    fn the_key_reason_names_the_hash_and_the_partition() {
        let p = partition_for_reason("alice", 3);
        assert_eq!(
            key_reason(Partitioner::Sticky, Some("alice"), 3),
            format!(
                "toPositive(murmur2(\"alice\")) % 3 = {p}   (murmur2 = {})",
                murmur2(b"alice")
            )
        );
        assert!(key_reason(Partitioner::Consistent, Some("alice"), 3)
            .starts_with("crc32(\"alice\") % 3 = "));
        assert!(key_reason(Partitioner::Sticky, None, 3).contains("KIP-480"));
        assert!(key_reason(Partitioner::RoundRobin, Some("k"), 3).contains("ignores the key"));
        assert_eq!(key_reason(Partitioner::Sticky, Some("k"), 0), "");
    }

    fn partition_for_reason(key: &str, n: u32) -> u32 {
        logplay_core::partitioner::partition_for_key(key.as_bytes(), n)
    }

    #[test]
    fn clip_bytes_and_sparkline() {
        assert_eq!(clip("short"), "short");
        assert_eq!(clip(&"é".repeat(30)).chars().count(), CLIP);
        assert_eq!(bytes_text(&[0xff, 0x01]), "hex:ff01");
        assert_eq!(
            bytes_text("pay\u{202e}lpt.exe".as_bytes()),
            "pay\\u202Elpt.exe"
        );
        assert_eq!(
            visible("\u{2066}a\u{2069} \u{202a}b"),
            "\\u2066a\\u2069 \\u202Ab"
        );
        assert_eq!(visible("plain ünïcode"), "plain ünïcode");
        assert_eq!(
            sparkline(&[0, 5, 10], 100, 20),
            "0.0,20.0 50.0,10.0 100.0,0.0"
        );
        assert_eq!(
            sparkline(&[3, 1, 0, i64::MAX], 120, 22),
            "0.0,22.0 40.0,22.0 80.0,22.0 120.0,0.0"
        );
        assert_eq!(sparkline(&[0, 1, 2], 10, 3), "0.0,3.0 5.0,1.5 10.0,0.0");
        assert_eq!(sparkline(&[], 100, 20), "");
    }
}
