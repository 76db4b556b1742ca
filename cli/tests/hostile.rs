//! Hostile scripts through `logplay run`: each is refused where it would pass the scenario
//! budget, or completes within it, and the process's peak memory stays within a stated
//! factor of `limits.bytes`.
#![cfg(target_os = "linux")]

use core::time::Duration;
use std::io::Write;
use std::process::{Command, Stdio};

/// The budget's default `limits.bytes`.
const BUDGET_KIB: u64 = 256 << 10;

/// The peak memory a run may take: the budget, a quarter more for allocator slack and
/// buffers not yet counted, and 48 MiB for the process itself.
const PEAK_KIB: u64 = BUDGET_KIB + BUDGET_KIB / 4 + (48 << 10);

struct Run {
    stdout: String,
    /// The highest `VmHWM` (peak resident set) read while it ran.
    peak_kib: u64,
}

impl Run {
    /// The outputs that refused a command with `POLICY_VIOLATION` naming this limit.
    fn refusals(&self, limit: &str) -> usize {
        let key = format!("its limits.{limit} is");
        self.stdout
            .lines()
            .filter(|l| l.contains("POLICY_VIOLATION") && l.contains(&key))
            .count()
    }

    fn commands_ok(&self, starting: &str) -> usize {
        let start = format!(r#""command":"{starting}"#);
        self.stdout
            .lines()
            .filter(|l| {
                l.contains(r#""type":"command""#) && l.contains(&start) && !l.contains(r#""error""#)
            })
            .count()
    }
}

fn run(script: &str, args: &[&str]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_logplay"))
        .args(["run", "-", "--only", "command,describe"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("logplay starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(script.as_bytes())
        .expect("write stdin");
    let status = format!("/proc/{}/status", child.id());
    let stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || std::io::read_to_string(stdout).expect("read stdout"));
    let mut peak_kib = 0;
    while child.try_wait().expect("wait").is_none() {
        let hwm = std::fs::read_to_string(&status).ok().and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?.to_string();
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        });
        peak_kib = peak_kib.max(hwm.unwrap_or(0));
        std::thread::sleep(Duration::from_millis(5));
    }
    let stdout = reader.join().expect("reader");
    Run { stdout, peak_kib }
}

fn assert_within_budget(name: &str, r: &Run) {
    assert!(
        r.peak_kib <= PEAK_KIB,
        "{name}: peak RSS {} MiB over {} MiB",
        r.peak_kib >> 10,
        PEAK_KIB >> 10
    );
}

#[test]
fn thirty_million_records_fit_the_budget_or_are_refused() {
    let script = format!(
        "topic create t partitions=3\nproducer p\n{}",
        "generate p t count=10000000\n".repeat(3)
    );
    let r = run(&script, &[]);
    assert_eq!(
        r.commands_ok("generate") + r.refusals("bytes"),
        3,
        "{}",
        r.stdout
    );
    assert!(r.commands_ok("generate") >= 2);
    assert_within_budget("30M", &r);
}

#[test]
fn two_billion_records_are_refused_past_the_budget() {
    let script = format!(
        "topic create t partitions=3\nproducer p\n{}describe cluster\n",
        "generate p t count=10000000 key=k{i%9}\n".repeat(200)
    );
    let r = run(&script, &[]);
    let (ran, refused) = (r.commands_ok("generate"), r.refusals("bytes"));
    assert_eq!(ran + refused, 200);
    assert!(refused >= 197, "{ran} ran");
    let usage: serde_like::Usage = serde_like::usage(&r.stdout);
    assert!(usage.bytes <= 256 << 20, "{} bytes held", usage.bytes);
    assert_within_budget("2e9", &r);
}

#[test]
fn ten_thousand_clients_run_and_one_more_is_refused() {
    let mut script = String::from("topic create t partitions=3\n");
    for i in 0..10_000 {
        script += &format!("consumer c{i} group.id=g\n");
    }
    script += "subscribe c0 t\ntick 10s\nproducer one-more\n";
    let r = run(&script, &["--max-clients", "10000"]);
    assert_eq!(r.commands_ok("consumer"), 10_000);
    assert_eq!(r.refusals("clients"), 1, "the 10,001st client");
    assert_within_budget("clients", &r);
}

#[test]
fn deep_json_values_are_refused_without_a_crash() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let schema = r#"{"type":"array"}"#;
    let script = format!(
        "topic create t\nschema register t-value {schema}\nproducer p value.serializer=KafkaJsonSchemaSerializer\nproduce p t value={deep}\nproduce p t value=[]\n"
    );
    let r = run(&script, &[]);
    let produced: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.contains("produce p t"))
        .collect();
    assert_eq!(produced.len(), 2, "{}", r.stdout);
    assert!(
        produced[0].contains("SERIALIZATION_EXCEPTION") || produced[0].contains("error"),
        "{}",
        &produced[0][..200.min(produced[0].len())]
    );
    assert!(!produced[1].contains("error"), "the session goes on");
}

#[test]
fn the_largest_layout_is_refused_past_its_limits_and_a_long_tick_by_its_work() {
    let mut script = String::from("brokers 32\n");
    for i in 0..30 {
        script += &format!("topic create t{i} partitions=1000 replication.factor=3\n");
    }
    script += "tick 30d\ntick 1h\n";
    let r = run(&script, &[]);
    assert_eq!(r.commands_ok("topic create"), 20);
    assert_eq!(r.refusals("partitions"), 10);
    assert_eq!(
        r.refusals("work"),
        1,
        "a month of broker passes over 20,000 partitions"
    );
    assert_eq!(r.commands_ok("tick 1h"), 1, "an hour is within limits.work");
    assert_within_budget("layout", &r);
}

#[test]
fn the_flags_raise_and_lower_the_limits() {
    let script = "topic create t\nproducer p\ngenerate p t count=1000000\n";
    let r = run(script, &["--max-bytes", "4MiB"]);
    assert_eq!(r.refusals("bytes"), 1);
    assert!(r.stdout.contains("its limits.bytes is 4.0 MiB"));
    let r = run(script, &["--max-bytes", "1GiB"]);
    assert_eq!(r.commands_ok("generate"), 1);
}

/// `usage` of the last `describe cluster`, read without a JSON library.
mod serde_like {
    pub struct Usage {
        pub bytes: u64,
    }

    pub fn usage(stdout: &str) -> Usage {
        let line = stdout
            .lines()
            .rev()
            .find(|l| l.contains(r#""usage""#))
            .expect("a describe");
        let at = line.find(r#""usage":{"bytes":"#).expect("usage") + r#""usage":{"bytes":"#.len();
        let digits: String = line[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        Usage {
            bytes: digits.parse().expect("bytes"),
        }
    }
}
