//! `eosim`: the simulator on the command line, for course authors and tests.
//!
//! ```text
//! eosim list
//! eosim run <scenario> [--seed N] [--set name=value]… [--json] [--trace]
//! eosim sweep <scenario> [--runs N] [--seed S] [--set name=value]… [--json]
//! eosim check <scenario> [--faults K] [--seed S] [--set name=value]… [--json]
//! eosim check workbench --handler '<steps>' [--faults K] [--json]   (workbench.rs)
//! eosim promises [SEEDS]
//! eosim scope [BUDGET_MS] [SLOWDOWN]
//! eosim links check FILE
//! ```
//! Bad input: a one-line error naming the allowed values, exit code 2.

use eop::sim::ids::merchant_name;
use eop::sim::params::{ParamError, Params};
use eop::sim::sweep::{sweep, SweepConfig};
use eop::sim::{run, scenarios, RunConfig, RunResult};
use std::process::ExitCode;

mod lessons;
mod links;
mod measure;
mod workbench;
use measure::{bench, promises, scope};

const USAGE: &str = "usage: eosim list | run <scenario> [--seed N] [--set name=value]... [--json] [--trace] | sweep <scenario> [--runs N] [--seed S] [--set name=value]... [--json] | check <scenario> [--faults K] [--seed S] [--set name=value]... [--json] | promises [SEEDS] | scope [BUDGET_MS] [SLOWDOWN] | lessons [--key | --check | check FILE] | links check FILE";

struct Args {
    scenario: String,
    seed: u64,
    runs: u64,
    sets: Vec<(String, i64)>,
    json: bool,
    /// `run --trace`: the narrated story (with `--json`: every event in the JSON).
    trace: bool,
    /// `check --faults K`: every schedule with at most K explicit faults.
    faults: u8,
}

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("eosim: {msg}");
    ExitCode::from(2)
}

fn parse(rest: &[String], default_runs: u64) -> Result<Args, String> {
    let mut it = rest.iter();
    let scenario = it.next().ok_or(USAGE)?.clone();
    let sc = scenarios::find(&scenario).map_err(|e| e.to_string())?;
    let specs = sc.info().params;
    let mut a = Args {
        seed: sc.info().showcase_seed,
        scenario,
        runs: default_runs,
        sets: Vec::new(),
        json: false,
        trace: false,
        faults: 2,
    };
    let mut params = Params::defaults(specs);
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--json" => a.json = true,
            "--trace" => a.trace = true,
            "--faults" => {
                let v = it.next().ok_or("--faults needs a value")?;
                a.faults = match v.parse::<u8>() {
                    Ok(k) if (1..=eop::sim::explore::MAX_K).contains(&k) => k,
                    _ => {
                        return Err(format!(
                            "bad value '{v}' for --faults; allowed: 1 to {}",
                            eop::sim::explore::MAX_K
                        ))
                    }
                };
            }
            "--seed" | "--runs" => {
                let v = it.next().ok_or(format!("{flag} needs a value"))?;
                let n: u64 = v.parse().map_err(|_| {
                    format!("bad value '{v}' for {flag}; allowed: a whole number ≥ 0")
                })?;
                if flag == "--seed" {
                    a.seed = n;
                } else {
                    a.runs = n;
                }
            }
            "--set" => {
                let v = it.next().ok_or("--set needs name=value")?;
                params.set_text(specs, v).map_err(|e| e.to_string())?;
                let name = v.split_once('=').map(|(n, _)| n.trim()).unwrap_or(v);
                a.sets.retain(|(n, _)| n != name);
                a.sets.push((name.to_string(), params.get(name)));
            }
            other => {
                return Err(format!(
                    "unknown option '{other}'; allowed: --seed, --runs, --set, --json, --trace, --faults"
                ))
            }
        }
    }
    Ok(a)
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    match argv.first().map(String::as_str) {
        Some("list") => {
            list();
            ExitCode::SUCCESS
        }
        Some("run") => match parse(&argv[1..], 0) {
            Ok(a) => run_cmd(a),
            Err(e) => fail(e),
        },
        Some("sweep") => match parse(&argv[1..], 10_000) {
            Ok(a) => sweep_cmd(a, 0),
            Err(e) => fail(e),
        },
        Some("check") if argv.get(1).is_some_and(|s| s == "workbench") => {
            workbench::check_cmd(&argv[2..])
        }
        Some("check") => match parse(&argv[1..], eop::sim::explore::MAX_SCHEDULES) {
            Ok(a) => {
                let k = a.faults;
                sweep_cmd(a, k)
            }
            Err(e) => fail(e),
        },
        Some("lessons") => lessons::lessons_cmd(&argv[1..]),
        Some("links") => links::links_cmd(&argv[1..]),
        Some("bench") => {
            bench();
            ExitCode::SUCCESS
        }
        Some("promises") => {
            let seeds = match argv.get(1).map(|s| s.parse::<u64>()) {
                None => 1000,
                Some(Ok(n)) if (1..=100_000).contains(&n) => n,
                Some(_) => return fail("promises takes a number of seeds from 1 to 100000"),
            };
            promises(seeds);
            ExitCode::SUCCESS
        }
        Some("scope") => {
            let num = |i: usize, default: f64| match argv.get(i).map(|s| s.parse::<f64>()) {
                None => Some(default),
                Some(Ok(v)) if v > 0.0 && v.is_finite() => Some(v),
                Some(_) => None,
            };
            match (num(1, 2000.0), num(2, 1.0)) {
                (Some(budget), Some(slowdown)) => {
                    scope(budget, slowdown);
                    ExitCode::SUCCESS
                }
                _ => fail("scope takes a budget in ms and a slowdown factor, both > 0"),
            }
        }
        Some(other) => fail(format!(
            "unknown command '{other}'; allowed: list, run, sweep, check, bench, promises, scope"
        )),
        None => fail(USAGE),
    }
}

fn list() {
    for s in scenarios::all() {
        let i = s.info();
        println!("{:<20} {}", i.id, i.title);
        println!("{:<20} {}", "", i.promise);
        for p in i.params {
            println!(
                "{:<20}   {:<24} {:<22} default {:<6} {}",
                "",
                p.name,
                p.allowed(),
                p.default,
                p.help
            );
        }
    }
}

fn run_cmd(a: Args) -> ExitCode {
    let cfg = RunConfig {
        seed: a.seed,
        params: a.sets,
        manual: Vec::new(),
        random_faults: true,
    };
    let r = match run(&a.scenario, &cfg) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    if a.json {
        println!("{}", json_summary(&r, a.trace));
    } else {
        print_table(&r);
        if a.trace {
            let unit = scenarios::info(&r.scenario).unit;
            print!(
                "{}",
                eop::sim::narrate::render_run(&r, unit, eop::sim::engine::EVENT_CAP)
            );
        }
    }
    ExitCode::SUCCESS
}

/// The machine-readable run: ledgers, truth, counters and verdicts; with `events`, every
/// event of every trace too (otherwise its checksum identifies it).
fn json_summary(r: &RunResult, events: bool) -> String {
    use eop::sim::replay::View;
    let unit = scenarios::info(&r.scenario).unit;
    let techniques: Vec<serde_json::Value> = r
        .techniques
        .iter()
        .map(|t| {
            let view = View::of(&t.trace);
            let mut v = serde_json::json!({
                "id": t.id,
                "label": t.label,
                "claim": t.claim.label(),
                "balances": named(&t.ledger.balances()),
                "entries": t.ledger.entries.len(),
                "counters": view.counters,
                "dup_delivered_to": dup_to(t, &view.counters),
                "verdict": t.verdict,
                "summary": t.verdict.summary_in(unit),
                "events": t.trace.len(),
                "end_tick": t.end,
                "fired_faults": t.fired,
                "badge": t.badge.text,
                "property_held": t.badge.good(),
            });
            if events {
                v["trace"] = serde_json::json!(t.trace);
                v["story"] = serde_json::json!(eop::sim::narrate::render(&t.trace, &t.nodes, unit)
                    .lines()
                    .collect::<Vec<_>>());
            }
            v
        })
        .collect();
    let v = serde_json::json!({
        "scenario": r.scenario,
        "seed": r.config.seed,
        "params": r.params,
        "truth": named(&r.truth.balances()),
        "techniques": techniques,
        "checksum": r.checksum_hex(),
    });
    serde_json::to_string_pretty(&v).unwrap_or_default()
}

/// `dup_delivered` per receiving process, by the process's name.
fn dup_to(t: &eop::sim::run::TechniqueRun, c: &eop::sim::replay::Counters) -> serde_json::Value {
    serde_json::Value::Object(
        c.dup_at
            .iter()
            .map(|(n, v)| {
                let name = t
                    .nodes
                    .iter()
                    .find(|x| x.id == *n)
                    .map(|x| x.name.clone())
                    .unwrap_or_else(|| format!("node {}", n.0));
                (name, serde_json::json!(v))
            })
            .collect(),
    )
}

fn named(b: &std::collections::BTreeMap<u8, i64>) -> serde_json::Value {
    serde_json::Value::Object(
        b.iter()
            .map(|(m, v)| (merchant_name(*m), serde_json::json!(v)))
            .collect(),
    )
}

fn print_table(r: &RunResult) {
    use eop::sim::replay::View;
    let unit = scenarios::info(&r.scenario).unit;
    println!(
        "scenario {}  seed {}  checksum {}",
        r.scenario,
        r.config.seed,
        r.checksum_hex()
    );
    let non_default: Vec<String> = r
        .config
        .params
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect();
    if !non_default.is_empty() {
        println!("settings {}", non_default.join(" "));
    }
    let truth = r.truth.balances();
    let mut merchants: Vec<u8> = truth.keys().copied().collect();
    for t in &r.techniques {
        merchants.extend(t.ledger.balances().keys());
    }
    merchants.sort_unstable();
    merchants.dedup();
    // Every label fits its column, so the numbers line up under their headings.
    let labels: Vec<String> = r
        .techniques
        .iter()
        .map(|t| format!("{} ({})", t.label, t.id))
        .collect();
    let w = labels
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
        .max("technique".len());
    let mut header = format!("{:<w$}", "technique");
    for m in &merchants {
        header.push_str(&format!("{:>11}", unit.entity(*m)));
    }
    header.push_str("  entries  sent deliv lost dupdel absorbed again  verdict");
    println!("{header}");
    let row = |label: &str, b: &std::collections::BTreeMap<u8, i64>| {
        let mut s = format!("{label:<w$}");
        for m in &merchants {
            s.push_str(&format!(
                "{:>11}",
                unit.amount(b.get(m).copied().unwrap_or(0))
            ));
        }
        s
    };
    println!("{}  {:>7}", row("truth", &truth), r.truth.entries.len());
    for (t, label) in r.techniques.iter().zip(&labels) {
        let c = View::of(&t.trace).counters;
        let verdict = eop::sim::invariants::VerdictText::of(t, unit).line();
        println!(
            "{}  {:>7} {:>5} {:>5} {:>4} {:>6} {:>8} {:>5}  {}",
            row(label, &t.ledger.balances()),
            t.ledger.entries.len(),
            c.sent,
            c.delivered,
            c.lost,
            c.dup_delivered,
            c.dup_absorbed,
            c.applied_twice,
            verdict
        );
        if c.dup_at.len() > 1 {
            let per: Vec<String> = dup_to(t, &c)
                .as_object()
                .map(|o| o.iter().map(|(k, v)| format!("{v} to {k}")).collect())
                .unwrap_or_default();
            println!("{:<w$}  dup delivered: {}", "", per.join(", "));
        }
    }
}

/// `sweep` (k = 0: random schedules) or `check` (every schedule with ≤ k faults).
fn sweep_cmd(a: Args, k: u8) -> ExitCode {
    let info = scenarios::info(&a.scenario);
    let (unit, property) = (info.unit, info.property);
    let cfg = SweepConfig {
        scenario: a.scenario,
        runs: a.runs,
        seed: a.seed,
        params: a.sets,
        faults: k,
    };
    let res = if k > 0 {
        eop::sim::explore::explore(cfg)
    } else {
        sweep(cfg)
    };
    let res = match res {
        Ok(r) => r,
        Err(e @ ParamError::UnknownScenario { .. }) => return fail(e),
        Err(e) => return fail(e),
    };
    if a.json {
        println!("{}", serde_json::to_string_pretty(&res).unwrap_or_default());
        return ExitCode::SUCCESS;
    }
    match &res.space {
        Some(s) => println!(
            "check {}  seed {}  every schedule with {}: {}, {}  ({} events)",
            res.config.scenario,
            res.config.seed,
            s.assumptions,
            eop::sim::sweep::plural(s.checked, "schedule"),
            if s.finished {
                "all checked".to_string()
            } else {
                format!("NOT finished: {}", s.stopped)
            },
            res.events
        ),
        None => println!(
            "sweep {}  {} random schedules from seed {}  ({} events)",
            res.config.scenario, res.done, res.config.seed, res.events
        ),
    }
    // Columns as wide as their widest entry, so every row lines up.
    let labels: Vec<String> = res
        .techniques
        .iter()
        .map(|t| format!("{} ({})", t.label, t.id))
        .collect();
    let lw = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let cw = res
        .techniques
        .iter()
        .map(|t| t.claim.label().chars().count())
        .max()
        .unwrap_or(0);
    let worsts: Vec<String> = res
        .techniques
        .iter()
        .map(|t| t.worst(unit).unwrap_or_default())
        .collect();
    let ww = worsts.iter().map(|x| x.chars().count()).max().unwrap_or(0);
    for ((t, label), worst) in res.techniques.iter().zip(&labels).zip(&worsts) {
        println!(
            "{label:<lw$} {:<cw$}  violations {:>6}/{:<6}  {worst:<ww$}  {}",
            t.claim.label(),
            t.violations,
            t.runs,
            eop::sim::sweep::kinds_words(&t.kinds, unit)
        );
        println!(
            "{:<lw$} {}",
            "",
            t.outcome(unit, property, res.space.as_ref())
        );
        if let Some(c) = &t.smallest {
            let faults: Vec<String> = c
                .config
                .manual
                .iter()
                .map(eop::sim::fault::Fault::code)
                .collect();
            let params: Vec<String> = c
                .config
                .params
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect();
            println!(
                "{:<lw$} {} — seed {} faults [{}] {} → breaks at tick {}",
                "",
                c.words(),
                c.config.seed,
                faults.join(","),
                params.join(" "),
                c.tick,
            );
        }
    }
    ExitCode::SUCCESS
}
