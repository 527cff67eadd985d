use std::process::Command;

fn eosim(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_eosim"))
        .args(args)
        .output()
        .expect("eosim runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn list_names_every_scenario_and_parameter() {
    let (code, out, _) = eosim(&["list"]);
    assert_eq!(code, 0);
    for s in eop::sim::all() {
        assert!(out.contains(s.info().id), "list lacks {}", s.info().id);
        for p in s.info().params {
            assert!(
                out.contains(p.name),
                "list lacks {}.{}",
                s.info().id,
                p.name
            );
        }
    }
}

#[test]
fn run_json_reproduces_the_walkthrough_numbers() {
    let (code, out, _) = eosim(&["run", "walkthrough", "--seed", "1", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let t = &v["techniques"];
    let by_id = |id: &str| {
        t.as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(by_id("naive")["balances"]["m-B"], 4000);
    assert_eq!(by_id("naive")["balances"]["m-A"], 1800);
    assert_eq!(by_id("idempotent")["balances"]["m-B"], 2000);
    assert_eq!(by_id("dedup")["balances"]["m-B"], 2000);
    assert_eq!(v["truth"]["m-B"], 2000);
}

#[test]
fn table_output_shows_the_divergence() {
    let (code, out, _) = eosim(&["run", "walkthrough"]);
    assert_eq!(code, 0);
    assert!(out.contains("applied txn-3 twice"), "{out}");
    assert!(out.contains("₹4000"), "{out}");
}

#[test]
fn bad_input_is_one_line_naming_the_allowed_values_and_exit_2() {
    for (args, needle) in [
        (vec!["run", "nope"], "allowed: two-generals"),
        (vec!["run", "walkthrough", "--set", "dup=2000"], "0..=1000"),
        (
            vec!["run", "walkthrough", "--set", "bogus=1"],
            "allowed: dup_txn3, dup",
        ),
        (vec!["run", "walkthrough", "--set", "dup"], "name=value"),
        (vec!["run", "walkthrough", "--seed", "x"], "whole number"),
        (
            vec!["run", "walkthrough", "--frobnicate"],
            "allowed: --seed",
        ),
        (vec!["fly"], "allowed: list, run, sweep"),
        (vec![], "usage"),
    ] {
        let (code, out, err) = eosim(&args);
        assert_eq!(code, 2, "{args:?}");
        assert!(out.is_empty(), "{args:?} printed to stdout");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn sweep_cli_reports_zero_for_protected_and_a_counterexample_for_naive() {
    let (code, out, _) = eosim(&[
        "sweep",
        "walkthrough",
        "--runs",
        "300",
        "--seed",
        "5",
        "--set",
        "dup=300",
        "--json",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let t = v["techniques"].as_array().unwrap();
    let get = |id: &str| t.iter().find(|x| x["id"] == id).unwrap();
    assert_eq!(get("dedup")["violations"], 0);
    assert_eq!(get("idempotent")["violations"], 0);
    assert_eq!(get("naive")["violations"], 300);
    assert!(get("naive")["smallest"].is_object());
}
