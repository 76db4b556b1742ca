//! Replay in slices: every golden script, replayed a few records' worth at a time, gives
//! the outputs, script and state of one replay; cancelled anywhere, it leaves a state that
//! its own (cut) script replays to.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use logplay_core::script::{parse, print, Output, Replay, Script, Session};
use logplay_tests::golden::GOLDEN;

fn sliced(script: &Script, units: u64) -> (Session, Vec<Output>, usize) {
    let (mut session, mut replay, mut out) = (Session::new(), Replay::new(script.clone()), vec![]);
    let mut slices = 1;
    while !replay.step(&mut session, units, |r| {
        out.extend(r.unwrap_or_else(|f| f.outputs))
    }) {
        slices += 1;
    }
    (session, out, slices)
}

#[test]
fn a_replay_in_slices_is_the_replay_in_one_go() {
    for (name, text, _) in GOLDEN {
        let script = parse(text).unwrap();
        let (whole, expected) = Session::run(&script);
        for units in [1, 97, 5000] {
            let (session, out, _) = sliced(&script, units);
            assert_eq!(out, expected, "{name}, {units} units a slice");
            assert_eq!(session.state_hash(), whole.state_hash(), "{name}");
            assert_eq!(print(session.script()), print(whole.script()), "{name}");
        }
    }
}

#[test]
fn a_long_generate_runs_in_many_slices_and_reports_its_progress() {
    let script =
        parse("topic create t partitions=3\nproducer p\ngenerate p t count=20000\n").unwrap();
    let (mut session, mut replay) = (Session::new(), Replay::new(script.clone()));
    let mut seen = Vec::new();
    while !replay.step(&mut session, 1000, |_| {}) {
        let progress = replay.progress(&session);
        seen.push((progress.commands_done, progress.command.done));
    }
    // Two commands end in one slice each; the generate takes 20 slices of 1,000 records.
    assert_eq!(seen.len(), 2 + 19);
    assert!(seen.contains(&(2, 5000)));
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "progress only grows");
    assert_eq!(session.state_hash(), Session::run(&script).0.state_hash());
}

#[test]
fn a_cancelled_replay_is_the_replay_of_its_own_cut_script() {
    for (name, text, _) in GOLDEN {
        let script = parse(text).unwrap();
        let (_, _, slices) = sliced(&script, 61);
        for stop in [0, 1, slices / 3, slices / 2, slices.saturating_sub(2)] {
            let (mut session, mut replay) = (Session::new(), Replay::new(script.clone()));
            for _ in 0..stop {
                replay.step(&mut session, 61, |_| {});
            }
            let (_, at) = replay.cancel(&mut session);
            let cut = session.script().clone();
            let (again, _) = Session::run(&cut);
            assert_eq!(
                again.state_hash(),
                session.state_hash(),
                "{name} cut after {stop} slices"
            );
            assert_eq!(print(again.script()), print(&cut), "{name}");
            // The cut script is a prefix of the script up to the line it stopped at.
            if let Some(at) = at {
                assert!(cut.commands.iter().all(|(line, _)| *line <= at), "{name}");
            }
        }
    }
}

#[test]
fn a_generate_cut_partway_is_recorded_with_the_records_it_queued() {
    let script = parse(
        "topic create t partitions=2\nproducer p linger.ms=0\ngenerate p t count=100000 key=k{i%7} value={rand:1..9}\ntick 1s\n",
    )
    .unwrap();
    let (mut session, mut replay) = (Session::new(), Replay::new(script));
    while replay.progress(&session).command.done < 30_000 {
        replay.step(&mut session, 10_000, |_| {});
    }
    let (cut, at) = replay.cancel(&mut session);
    assert_eq!(at, Some(3));
    assert!(cut.is_some_and(|r| r.is_ok()));
    let text = print(session.script());
    assert!(
        text.ends_with("generate p t count=30000 key=k{i%7} value={rand:1..9}\n"),
        "{text}"
    );
    assert_eq!(
        Session::run(session.script()).0.state_hash(),
        session.state_hash()
    );
}

#[test]
fn plays_merge_only_when_the_merged_play_steps_as_they_ran() {
    let mut session = Session::new();
    for line in [
        "topic create t",
        "producer p linger.ms=0",
        "datagen start d p t rate=300",
    ] {
        session
            .apply(parse(line).unwrap().commands.remove(0).1)
            .unwrap();
    }
    let play = |duration| logplay_core::script::Command::Play { duration, step: 66 };
    session.apply(play(100)).unwrap();
    session.apply(play(100)).unwrap();
    session.apply(play(132)).unwrap();
    session.apply(play(66)).unwrap();
    // 100 ms is not a whole number of 66 ms steps: merged, the steps would fall elsewhere.
    let text = print(session.script());
    assert!(
        text.ends_with("play 100ms step=66ms\nplay 100ms step=66ms\nplay 198ms step=66ms\n"),
        "{text}"
    );
    assert_eq!(
        Session::run(session.script()).0.state_hash(),
        session.state_hash()
    );
}

#[test]
fn near_the_byte_limit_a_cancelled_replay_decides_as_its_cut_script_does() {
    let limits = logplay_core::budget::Limits {
        bytes: 3 << 20,
        ..logplay_core::budget::Limits::default()
    };
    let text = "topic create t partitions=2\nproducer p linger.ms=0\n".to_string()
        + &"generate p t count=60000 value=v{i}\nplay 300ms\n".repeat(8);
    let script = parse(&text).unwrap();
    let (mut whole, mut replay) = (
        Session::new().with_limits(limits),
        Replay::new(script.clone()),
    );
    while !replay.step(&mut whole, u64::MAX, |_| {}) {}
    let ran = print(whole.script()).matches("generate").count();
    assert!(
        (1..8).contains(&ran),
        "the limit refuses some generates: {ran} ran"
    );
    for stop in [2, 5, 9, 14, 20, 31] {
        let (mut session, mut replay) = (
            Session::new().with_limits(limits),
            Replay::new(script.clone()),
        );
        for _ in 0..stop {
            replay.step(&mut session, 7_000, |_| {});
        }
        replay.cancel(&mut session);
        let mut again = Session::new().with_limits(limits);
        again.apply_script(session.script(), |_| {});
        assert_eq!(
            print(again.script()),
            print(session.script()),
            "cut after {stop} slices"
        );
        assert_eq!(
            again.state_hash(),
            session.state_hash(),
            "cut after {stop} slices"
        );
    }
}
