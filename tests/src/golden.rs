//! Golden scripts (`tests/scripts/NAME.lp` beside `NAME.out`): the expected JSON lines of a
//! run, compared natively and in the browser.

use logplay_core::script::{parse, Session};

/// Every golden script, embedded so that the browser tests have them too.
pub const GOLDEN: &[(&str, &str, &str)] = &[
    golden!("assignors"),
    golden!("commit_async"),
    golden!("compaction"),
    golden!("connect"),
    golden!("coordinators"),
    golden!("eos"),
    golden!("errors"),
    golden!("failover"),
    golden!("fifty"),
    golden!("generate"),
    golden!("groups"),
    golden!("idempotence"),
    golden!("isr"),
    golden!("not_enough_replicas"),
    golden!("play"),
    golden!("preferred_leader"),
    golden!("produce_consume"),
    golden!("registry"),
    golden!("retention"),
    golden!("semantics"),
    golden!("topics"),
    golden!("transactions"),
    golden!("txn_close_hanging"),
    golden!("txn_commit_failover"),
    golden!("txn_commit_offline"),
    golden!("unclean"),
];

macro_rules! golden {
    ($name:literal) => {
        (
            $name,
            include_str!(concat!("../scripts/", $name, ".lp")),
            include_str!(concat!("../scripts/", $name, ".out")),
        )
    };
}
use golden;

/// Runs a script and renders its outputs, one JSON object per line.
pub fn render(script: &str) -> Result<String, String> {
    let script = parse(script).map_err(|e| e.to_string())?;
    let (_, outputs) = Session::run(&script);
    Ok(outputs.iter().map(|o| o.to_json() + "\n").collect())
}
