//! The workbench (issue 28): the reference handlers, the challenges, determinism, the
//! codec's refusals and `eosim check workbench`.

use eop::sim::workbench::{self, challenges, check, Assumptions, Check, Handler, Setup, MAX_K};
use std::process::Command;

fn grade(text: &str, k: u8) -> Check {
    let h = Handler::decode(text).unwrap();
    check(&h, &Setup::for_handler(&h), k)
}

const SAFE_DEDUP: &str = "begin,lookup:msg-id,apply:add,insert:msg-id:db,commit,commit-offset";
const SAFE_CONDITIONAL: &str = "begin,apply:add-if-newer,store-offset,commit";

#[test]
fn apply_before_commit_offset_breaks_with_one_fault_applied_twice() {
    let c = grade("apply:add,commit-offset", 1);
    assert_eq!((c.schedules, c.breaking, c.finished), (25, 18, true));
    let ce = c.counterexample.unwrap();
    assert_eq!(ce.faults.len(), 1);
    assert_eq!(
        ce.narration,
        "crash after `apply:add` and before `commit-offset` while handling txn-1: txn-1 is applied twice, so m-A ends at 20 instead of 10."
    );
}

#[test]
fn commit_offset_before_apply_breaks_with_one_fault_lost() {
    let c = grade("commit-offset,apply:add", 1);
    assert_eq!((c.schedules, c.breaking, c.finished), (25, 15, true));
    let ce = c.counterexample.unwrap();
    assert_eq!(ce.faults.len(), 1);
    assert_eq!(
        ce.narration,
        "crash after `commit-offset` and before `apply:add` while handling txn-1: txn-1 is never applied, so m-A ends at 0 instead of 10."
    );
}

#[test]
fn dedup_in_one_transaction_holds_for_every_schedule_with_two_faults() {
    let c = grade(SAFE_DEDUP, 2);
    assert!(c.holds(), "{:?}", c.counterexample.map(|x| x.narration));
    assert_eq!(c.schedules, 1786);
    assert_eq!(
        c.verdict(),
        "holds: every balance right in all 1786 schedules with at most 2 faults"
    );
}

#[test]
fn conditional_write_with_stored_offset_holds_for_every_schedule_with_two_faults() {
    let c = grade(SAFE_CONDITIONAL, 2);
    assert!(c.holds(), "{:?}", c.counterexample.map(|x| x.narration));
    assert_eq!(c.schedules, 832);
}

#[test]
fn each_fault_switch_matters() {
    let a = Assumptions::NONE;
    let cases = [
        (Assumptions { crash: true, ..a }, "apply:add,commit-offset"),
        (
            Assumptions {
                lost_ack: true,
                ..a
            },
            "apply:add,ack",
        ),
        (
            Assumptions {
                dup_publish: true,
                ..a
            },
            SAFE_DEDUP,
        ),
        (
            Assumptions {
                late: Some(30),
                ..a
            },
            "apply:set,commit-offset",
        ),
        (
            Assumptions { zombie: true, ..a },
            "begin,apply:add,commit,commit-offset",
        ),
        (
            Assumptions {
                offset_reset: true,
                ..a
            },
            "begin,apply:add,commit,commit-offset",
        ),
    ];
    for (assume, text) in cases {
        let h = Handler::decode(text).unwrap();
        let on = Setup {
            assume,
            ..Setup::for_handler(&h)
        };
        let off = Setup { assume: a, ..on };
        assert!(check(&h, &off, 1).holds(), "{text} with no faults");
        let c = check(&h, &on, 1);
        let ce = c
            .counterexample
            .unwrap_or_else(|| panic!("{text} under {}", assume.words()));
        assert_eq!(ce.faults.len(), 1, "{text}: {}", ce.narration);
    }
}

#[test]
fn a_late_copy_of_an_older_record_overwrites_a_set() {
    let h = Handler::decode("apply:set,commit-offset").unwrap();
    let s = Setup {
        assume: Assumptions {
            late: Some(30),
            ..Assumptions::NONE
        },
        ..Setup::for_handler(&h)
    };
    let ce = check(&h, &s, 1).counterexample.unwrap();
    assert!(
        ce.narration.starts_with("a copy of txn-"),
        "{}",
        ce.narration
    );
    assert!(ce.narration.contains(" ticks late: m-"), "{}", ce.narration);
}

#[test]
fn every_challenge_solution_holds_and_every_wrong_attempt_breaks() {
    assert!(challenges::ALL.len() >= 6);
    for c in challenges::ALL {
        for s in c.solutions {
            let r = c.judge(&Handler::decode(s).unwrap()).unwrap();
            assert!(
                r.holds(),
                "{}: {s}: {:?}",
                c.id,
                r.counterexample.map(|x| x.narration)
            );
        }
        for s in c.wrong {
            let r = c.judge(&Handler::decode(s).unwrap()).unwrap();
            assert!(!r.holds(), "{}: {s} should break", c.id);
        }
    }
    assert!(challenges::ALL
        .iter()
        .any(|c| !c.possible && c.solutions.is_empty()));
}

#[test]
fn the_workbench_is_deterministic() {
    for text in [
        "apply:add,commit-offset",
        SAFE_DEDUP,
        "charge,publish,outbox,ack",
    ] {
        let h = Handler::decode(text).unwrap();
        let s = Setup {
            assume: Assumptions::parse("all").unwrap(),
            ..Setup::for_handler(&h)
        };
        let a = check(&h, &s, 2);
        let b = check(&h, &s, 2);
        assert_eq!(
            (a.schedules, a.breaking),
            (b.schedules, b.breaking),
            "{text}"
        );
        let (ta, tb) = (
            a.counterexample.map(|c| c.trace),
            b.counterexample.map(|c| c.trace),
        );
        assert_eq!(ta, tb, "{text}");
        let faults = [workbench::Fault::Crash {
            offset: 1,
            delivery: 1,
            after: 1,
        }];
        assert_eq!(
            workbench::run(&h, &s, &faults).trace,
            workbench::run(&h, &s, &faults).trace
        );
    }
    // The seed picks the merchants, and the run follows it.
    let h = Handler::decode(SAFE_DEDUP).unwrap();
    let seeds: Vec<Vec<i64>> = (1..6)
        .map(|seed| {
            workbench::run(
                &h,
                &Setup {
                    seed,
                    ..Setup::for_handler(&h)
                },
                &[],
            )
            .balances
        })
        .collect();
    assert!(seeds.windows(2).any(|w| w[0] != w[1]), "{seeds:?}");
}

#[test]
fn the_codec_refuses_bad_text_naming_the_step() {
    let e = Handler::decode("begin,lookup:msg-id,aply:add").unwrap_err();
    assert_eq!((e.position, e.text.as_str()), (3, "aply:add"));
    assert!(e
        .to_string()
        .starts_with("step 3 `aply:add`: expected one of begin, commit"));
    let e = Handler::decode("insert:msg-id:db:ttl=x").unwrap_err();
    assert!(e.to_string().contains("ttl=<ticks>"), "{e}");
    assert_eq!(Handler::decode(SAFE_DEDUP).unwrap().encode(), SAFE_DEDUP);
    assert_eq!(MAX_K, 3);
}

fn eosim(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_eosim"))
        .args(args)
        .output()
        .expect("eosim runs");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (
        out.status.code().unwrap_or(-1),
        text(&out.stdout),
        text(&out.stderr),
    )
}

#[test]
fn cli_prints_schedules_verdict_and_the_narrated_counterexample() {
    let (code, out, _) = eosim(&[
        "check",
        "workbench",
        "--handler",
        "apply:add,commit-offset",
        "--faults",
        "1",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("schedules        25 with at most 1 fault, all checked"),
        "{out}"
    );
    assert!(
        out.contains("verdict          breaks: 18 of 25 schedules"),
        "{out}"
    );
    assert!(
        out.contains("smallest         crash after `apply:add` and before `commit-offset`"),
        "{out}"
    );
    assert!(
        out.contains("consumer  applies txn-1: m-A 10 → 20"),
        "{out}"
    );

    let (code, out, _) = eosim(&[
        "check",
        "workbench",
        "--handler",
        SAFE_DEDUP,
        "--faults",
        "2",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("verdict          holds: every balance right in all 1786 schedules"),
        "{out}"
    );

    let (code, out, _) = eosim(&[
        "check",
        "workbench",
        "--handler",
        SAFE_CONDITIONAL,
        "--faults",
        "2",
        "--json",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (v["holds"].as_bool(), v["schedules"].as_u64()),
        (Some(true), Some(832))
    );

    let (code, _, err) = eosim(&[
        "check",
        "workbench",
        "--handler",
        "begin,comit",
        "--faults",
        "1",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--handler: step 2 `comit`: expected one of"),
        "{err}"
    );
    let (code, _, err) = eosim(&[
        "check",
        "workbench",
        "--handler",
        "ack",
        "--assume",
        "crash,meteor",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown fault `meteor`"), "{err}");
}

#[test]
fn cli_judges_a_challenge_and_explains_the_impossible_one() {
    let (code, out, _) = eosim(&[
        "check",
        "workbench",
        "--challenge",
        "charge-without-keys",
        "--handler",
        "charge,begin,lookup:msg-id,apply:add,insert:msg-id:db,commit,commit-offset",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("txn-1 is charged twice at the gateway"),
        "{out}"
    );
    assert!(out.contains("why              It cannot be done."), "{out}");
    let (code, _, err) = eosim(&[
        "check",
        "workbench",
        "--challenge",
        "no-transaction",
        "--handler",
        "begin,apply:add,commit",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("step 1 `begin` is not allowed here"), "{err}");
    let (code, out, _) = eosim(&["check", "workbench", "--challenges"]);
    assert_eq!(code, 0);
    for c in challenges::ALL {
        assert!(out.contains(c.id), "{out}");
    }
}

/// The replay of a counterexample: the fault on its lane, the breaking step at the tick
/// the verdict names, and what happens there on the diagram.
#[test]
fn the_replay_shows_the_fault_and_the_breaking_step_at_the_tick_the_verdict_names() {
    use workbench::{Actor, MarkKind};
    // Applied twice: the crash at t=1, the redelivery's second apply at t=7.
    let ce = grade("apply:add,commit-offset", 1).counterexample.unwrap();
    let r = &ce.replay;
    let b = ce.breaking.as_ref().expect("a breaking step");
    assert_eq!(r.breaking.as_ref(), Some(b));
    assert_eq!(b.tick, 7);
    assert_eq!(
        b.says,
        "crash after `apply:add` and before `commit-offset` while handling txn-1: the restarted consumer applies txn-1 again; txn-1 is applied twice, so m-A ends at 20 instead of 10"
    );
    let at = &r.beats[b.beat];
    assert_eq!((at.tick, at.lane), (7, Actor::Consumer));
    assert_eq!(at.line, "applies txn-1: m-A 10 → 20");
    assert!(at.marks.iter().any(|m| m.at == Actor::Database
        && m.kind == MarkKind::Again
        && m.label == "apply txn-1 again"));
    let msg = at.msg.as_ref().unwrap();
    assert_eq!(
        (msg.from, msg.to, msg.sent, msg.arrive),
        (Actor::Consumer, Actor::Database, 6, 7)
    );
    let crash: Vec<_> = r.beats.iter().filter(|x| x.fault).collect();
    assert_eq!(crash.len(), 1);
    assert_eq!(crash[0].tick, 1);
    assert!(crash[0]
        .marks
        .iter()
        .any(|m| m.kind == MarkKind::Crash && m.at == Actor::Consumer));
    // The consumer is down from the crash to its restart.
    assert_eq!(r.spans.len(), 1);
    assert_eq!(
        (r.spans[0].from, r.spans[0].to, r.spans[0].down),
        (1, Some(6), true)
    );
    assert_eq!(
        r.lanes,
        [
            Actor::Producer,
            Actor::Broker,
            Actor::Consumer,
            Actor::Database
        ]
    );
    // One beat per narrated line, same ticks.
    assert_eq!(r.beats.len(), ce.trace.len());
    for (beat, line) in r.beats.iter().zip(&ce.trace) {
        assert!(line.starts_with(&format!("t={:<4}", beat.tick)), "{line}");
        assert!(line.ends_with(&beat.line), "{line}");
    }

    // Lost: the breaking step is the crash itself, and nothing applies txn-1 after it.
    let ce = grade("commit-offset,apply:add", 1).counterexample.unwrap();
    let b = ce.breaking.as_ref().unwrap();
    assert_eq!(b.tick, 1);
    let at = &ce.replay.beats[b.beat];
    assert!(at.fault && at.marks.iter().any(|m| m.kind == MarkKind::Crash));
    assert!(b
        .says
        .ends_with("txn-1 is never applied, so m-A ends at 0 instead of 10"));
    assert!(!ce
        .replay
        .beats
        .iter()
        .any(|x| x.line.starts_with("applies txn-1")));
    // A broker commit is marked where the broker has it.
    assert!(ce.replay.beats[..b.beat].iter().any(|x| x
        .marks
        .iter()
        .any(|m| m.at == Actor::Broker && m.kind == MarkKind::Commit)));
}

#[test]
fn the_breaking_step_of_a_charge_a_zombie_and_a_late_copy() {
    use workbench::{Actor, MarkKind};
    let ce = grade("charge,apply:add,commit-offset", 1)
        .counterexample
        .unwrap();
    let b = ce.breaking.unwrap();
    assert_eq!(b.tick, 7);
    assert!(
        b.says.contains(
            "the restarted consumer charges txn-1 again; txn-1 is charged twice at the gateway"
        ),
        "{}",
        b.says
    );
    assert!(ce.replay.lanes.contains(&Actor::Gateway));
    // A zombie gets a lane of its own, paused until it wakes.
    let ce = grade(
        "lookup:msg-id,insert:msg-id:cache,apply:add,commit-offset",
        1,
    )
    .counterexample
    .unwrap();
    let b = ce.breaking.unwrap();
    assert!(
        b.says.contains("the zombie applies txn-1 again"),
        "{}",
        b.says
    );
    let at = &ce.replay.beats[b.beat];
    assert_eq!((at.lane, at.tick), (Actor::Zombie, b.tick));
    assert!(ce.replay.lanes.contains(&Actor::Zombie) && ce.replay.lanes.contains(&Actor::Cache));
    assert!(ce
        .replay
        .spans
        .iter()
        .any(|s| s.lane == Actor::Zombie && !s.down && s.to.is_some()));
    // A late copy is a copied arrow; a set it overwrites is the breaking step.
    let ce = grade("apply:set,commit-offset", 1).counterexample.unwrap();
    let b = ce.breaking.unwrap();
    let at = &ce.replay.beats[b.beat];
    assert!(
        b.says.starts_with(
            "a copy of txn-2 arrives 15 ticks late: the late copy applies txn-2: m-B 60 → 20"
        ),
        "{}",
        b.says
    );
    assert!(at.marks.iter().any(|m| m.kind == MarkKind::Again));
    assert!(ce.replay.beats.iter().any(|x| x
        .msg
        .as_ref()
        .is_some_and(|m| m.copy && m.to == Actor::Consumer)));
}

fn dedup_with_ttl(ttl: u32) -> String {
    format!("begin,lookup:msg-id,apply:add,insert:msg-id:db:ttl={ttl},commit,commit-offset")
}

#[test]
fn the_dedup_window_explanation_states_the_smallest_window_the_check_finds() {
    let c = challenges::find("dedup-window").unwrap();
    let late = c.assume.late.unwrap();
    let holds = |ttl: u32| {
        c.judge(&Handler::decode(&dedup_with_ttl(ttl)).unwrap())
            .unwrap()
            .holds()
    };
    let smallest = (1..=2 * late + 20).find(|&t| holds(t)).unwrap();
    assert_eq!(smallest, 39);
    // Every window from there on holds, up to the largest solution offered.
    assert!((smallest..=60).all(&holds));
    // Neither the delay alone nor the restart and the delay together is enough.
    let restart = workbench::RESTART_TICKS;
    assert!(!holds(late) && !holds(late + restart) && late + restart < smallest);
    assert!(
        c.why.contains(&format!(
            "Here that sum is {} ticks at most, so the smallest window that holds is {smallest} ticks, against a delay of {late}:",
            smallest - 1
        )),
        "{}",
        c.why
    );
    assert!(c.why.contains("the restart and the delay together"));
}

#[test]
fn the_offset_reset_explanation_names_what_holds_here() {
    let c = challenges::find("offset-reset").unwrap();
    let holds = |t: &str| c.judge(&Handler::decode(t).unwrap()).unwrap().holds();
    // The conditional write holds even with the broker's offset.
    assert!(holds("begin,apply:add-if-newer,commit,commit-offset"));
    assert!(c.why.contains("a conditional write"));
    // A window stated as enough here is enough; a third of it is not.
    assert!(c.why.contains("a window of 30 ticks already holds"));
    assert!(holds(&dedup_with_ttl(30)));
    assert!(!holds(&dedup_with_ttl(10)));
    assert!(!c.why.contains("forever"));
    // A replay after the reset is named as such where it breaks.
    let r = c
        .judge(&Handler::decode(&dedup_with_ttl(20)).unwrap())
        .unwrap();
    let b = r.counterexample.unwrap().breaking.unwrap();
    assert!(
        b.says
            .contains("the replay after the reset applies txn-1 again"),
        "{}",
        b.says
    );
}

#[test]
fn the_outbox_and_gateway_challenges_say_what_the_model_leaves_out() {
    let c = challenges::find("publish-once").unwrap();
    assert!(c.goal.contains("Here the relay never fails."));
    assert!(c.why.contains("a real relay is at-least-once"));
    assert!(c.why.contains("still dedup on the outbox row's id"));
    let c = challenges::find("charge-once").unwrap();
    assert!(c
        .goal
        .contains("The gateway keeps keys for longer than any retry."));
    assert!(c.why.contains("a real one keeps keys for a stated period"));
}

#[test]
fn a_skip_names_the_steps_it_still_runs_and_a_lower_commit_is_narrated() {
    let c = challenges::find("dedup-window").unwrap();
    let r = c
        .judge(&Handler::decode(&dedup_with_ttl(36)).unwrap())
        .unwrap();
    let trace = r.counterexample.unwrap().trace;
    assert!(
        trace.iter().any(|l| l.ends_with(
            "finds the msg-id of txn-1 already recorded: skips the rest of its steps but `commit` and `commit-offset`"
        )),
        "{trace:#?}"
    );
    // The late copy commits offset 1 after offset 3: the broker takes it.
    assert!(
        trace.iter().any(|l| l.ends_with(
            "commits offset 1 to the broker, which replaces the 3 it had (a broker keeps the last commit, not the highest)"
        )),
        "{trace:#?}"
    );
    // A refused insert with no offset step after it skips everything left.
    let h = Handler::decode("insert:msg-id:db,apply:add").unwrap();
    let s = Setup {
        assume: Assumptions::parse("crash").unwrap(),
        ..Setup::for_handler(&h)
    };
    let trace = check(&h, &s, 1).counterexample.unwrap().trace;
    assert!(
        trace.iter().any(|l| l.ends_with(
            "cannot insert the msg-id of txn-1: already in the dedup table; skips the rest of its steps"
        )),
        "{trace:#?}"
    );
}

#[test]
fn a_repeat_is_named_by_its_cause() {
    let says = |assume: &str, text: &str| {
        let h = Handler::decode(text).unwrap();
        let s = Setup {
            assume: Assumptions::parse(assume).unwrap(),
            ..Setup::for_handler(&h)
        };
        check(&h, &s, 1)
            .counterexample
            .unwrap()
            .breaking
            .unwrap()
            .says
    };
    let b = says("zombie", "apply:add,commit-offset");
    assert!(b.contains("the new consumer applies txn-1 again"), "{b}");
    let b = says("lost-ack", "apply:add,ack");
    assert!(
        b.contains("the redelivery after the lost ack applies txn-1 again"),
        "{b}"
    );
    let b = says("crash", "apply:add,commit-offset");
    assert!(
        b.contains("the restarted consumer applies txn-1 again"),
        "{b}"
    );
}

/// The stage replay: at the breaking step the stage shows what the narration says (the
/// second apply doubles the balance, the message goes from the consumer to the
/// database), the crash marks the consumer down, and the stores follow the run.
#[test]
fn the_stage_at_the_breaking_step_shows_what_the_narration_says() {
    use workbench::Actor;
    let ce = grade("apply:add,commit-offset", 1).counterexample.unwrap();
    let r = &ce.replay;
    let b = ce.breaking.as_ref().unwrap();
    let st = r.stage_at(b.beat).unwrap();
    assert!(st.breaking);
    assert_eq!(st.beat.line, "applies txn-1: m-A 10 → 20");
    assert!(b.says.contains("applies txn-1 again"), "{}", b.says);
    let m = st.beat.msg.as_ref().unwrap();
    assert_eq!((m.from, m.to), (Actor::Consumer, Actor::Database));
    assert_eq!(st.beat.stores.balances[0], ("m-A".to_string(), 20));
    assert!(st.down.is_empty() && st.paused.is_empty());
    // One step earlier, the first apply's 10 is all m-A has.
    let before = r.stage_at(b.beat - 1).unwrap();
    assert!(!before.breaking);
    assert_eq!(before.beat.stores.balances[0], ("m-A".to_string(), 10));
    // At the crash the consumer is down, and nothing is committed at the broker.
    let crash = r.beats.iter().position(|x| x.fault).unwrap();
    let st = r.stage_at(crash).unwrap();
    assert_eq!(st.down, [Actor::Consumer]);
    assert!(r.stage_at(crash - 1).unwrap().down.is_empty());
    assert_eq!(st.beat.stores.committed, None);
    // At the end, the broker has the committed offset past the last record.
    let end = r.stage_at(usize::MAX).unwrap();
    assert_eq!(end.beat.stores.committed, Some(3), "{:?}", end.beat.stores);

    // A dedup table in the database: the keys appear as they are committed.
    let h = Handler::decode("begin,lookup:msg-id,apply:add,insert:msg-id:db,commit,commit-offset")
        .unwrap();
    let o = workbench::run(&h, &Setup::for_handler(&h), &[]);
    let last = &o.replay.beats.last().unwrap().stores;
    assert_eq!(
        last.dedup,
        ["msg-id of txn-1", "msg-id of txn-2", "msg-id of txn-3"]
    );
    let first_insert = o
        .replay
        .beats
        .iter()
        .position(|x| x.line.starts_with("inserts the msg-id of txn-1"))
        .unwrap();
    assert!(
        o.replay.beats[first_insert].stores.dedup.is_empty(),
        "in the open transaction only"
    );
    let commit = first_insert + 1;
    assert_eq!(
        o.replay.beats[commit].stores.dedup,
        ["msg-id of txn-1"],
        "{}",
        o.replay.beats[commit].line
    );

    // A zombie: paused while the new consumer works, not when it acts.
    let h = Handler::decode("begin,apply:add,commit,commit-offset").unwrap();
    let s = Setup {
        assume: Assumptions::parse("all").unwrap(),
        ..Setup::for_handler(&h)
    };
    let o = workbench::run(
        &h,
        &s,
        &[workbench::Fault::Zombie {
            offset: 0,
            delivery: 1,
            after: 3,
        }],
    );
    let r = &o.replay;
    let rebalance = r.beats.iter().position(|x| x.fault).unwrap();
    assert_eq!(r.beats[rebalance].tick, r.beats[rebalance - 1].tick);
    assert!(r.stage_at(rebalance - 1).unwrap().paused.is_empty());
    assert_eq!(r.stage_at(rebalance).unwrap().paused, [Actor::Zombie]);
    assert_eq!(r.stage_at(rebalance + 1).unwrap().paused, [Actor::Zombie]);
    let wakes = r
        .beats
        .iter()
        .position(|x| x.lane == Actor::Zombie)
        .unwrap();
    assert!(r.stage_at(wakes).unwrap().paused.is_empty());
}
