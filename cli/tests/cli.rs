//! The `logplay` command-line tool, run as a person would run it.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn logplay(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_logplay"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("logplay starts");
    // A usage error exits before reading standard input.
    let written = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes());
    assert!(
        written.is_ok() || written.is_err_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe),
        "write stdin"
    );
    child.wait_with_output().expect("logplay finishes")
}

const SCRIPT: &str = "# a comment\nseed 3\ntopic create t partitions=2\nproducer p linger.ms=0\nproduce p t key=k value=v\n";

#[test]
fn run_prints_one_json_object_per_output() {
    let out = logplay(&["run", "-"], SCRIPT);
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0],
        r#"{"line":2,"type":"command","command":"seed 3"}"#
    );
    assert!(lines
        .iter()
        .any(|l| l.contains(r#""type":"delivery""#) && l.contains(r#""offset":0"#)));
}

#[test]
fn fmt_link_and_run_link_agree() {
    let canonical = String::from_utf8(logplay(&["fmt", "-"], SCRIPT).stdout).unwrap();
    assert_eq!(
        canonical,
        "seed 3\ntopic create t partitions=2\nproducer p linger.ms=0\nproduce p t key=k value=v\n"
    );
    let link = String::from_utf8(logplay(&["link", "-"], SCRIPT).stdout).unwrap();
    assert!(link.starts_with("#s=1."));
    let from_link = logplay(
        &[
            "run",
            "--link",
            &format!("https://logplay.example/{}", link.trim()),
        ],
        "",
    );
    // A link carries the canonical text, so its line numbers are the canonical ones.
    assert_eq!(from_link.stdout, logplay(&["run", "-"], &canonical).stdout);
}

#[test]
fn bad_scripts_links_and_usage_exit_non_zero_with_a_message() {
    let bad = logplay(&["run", "-"], "topic create t\nfly away\n");
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8(bad.stderr)
        .unwrap()
        .contains("line 2, column 1: unknown command `fly`"));
    let link = logplay(&["run", "--link", "#s=1.@@@"], "");
    assert_eq!(link.status.code(), Some(1));
    assert!(String::from_utf8(link.stderr)
        .unwrap()
        .contains("base64url"));
    assert_eq!(logplay(&["dance"], "").status.code(), Some(2));
    assert_eq!(
        logplay(&["run", "/no/such/file.lp"], "").status.code(),
        Some(1)
    );
}

#[test]
fn help_and_version_are_there_for_every_command() {
    let help = logplay(&["--help"], "");
    assert!(help.status.success());
    let help = String::from_utf8(help.stdout).unwrap();
    for verb in ["run", "fmt", "link", "export"] {
        assert!(
            help.contains(verb),
            "{verb} is missing from --help:\n{help}"
        );
    }
    let run_help = String::from_utf8(logplay(&["run", "--help"], "").stdout).unwrap();
    assert!(run_help.contains("--omit"), "{run_help}");
    let version = String::from_utf8(logplay(&["--version"], "").stdout).unwrap();
    assert_eq!(
        version.trim(),
        format!("logplay {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn only_and_omit_choose_the_outputs_printed() {
    let all = String::from_utf8(logplay(&["run", "-"], SCRIPT).stdout).unwrap();
    let kinds = |text: &str| -> Vec<String> {
        text.lines()
            .map(|l| {
                l.split("\"type\":\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    assert!(kinds(&all).contains(&"delivery".to_string()));
    let omitted =
        String::from_utf8(logplay(&["run", "-", "--omit", "delivery,batch"], SCRIPT).stdout)
            .unwrap();
    let expected: Vec<String> = kinds(&all)
        .into_iter()
        .filter(|k| k != "delivery" && k != "batch")
        .collect();
    assert_eq!(kinds(&omitted), expected);
    let only =
        String::from_utf8(logplay(&["run", "-", "--only", "delivery"], SCRIPT).stdout).unwrap();
    assert_eq!(
        only.lines().collect::<Vec<_>>(),
        all.lines()
            .filter(|l| l.contains("\"type\":\"delivery\""))
            .collect::<Vec<_>>()
    );
    let unknown = logplay(&["run", "-", "--only", "deliveryy"], SCRIPT);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8(unknown.stderr)
        .unwrap()
        .contains("unknown output type"));
}
