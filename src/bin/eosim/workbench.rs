//! `eosim check workbench --handler '<steps>' [--faults K] [--json]`: grade a handler
//! over every schedule with at most K faults (docs/workbench.md).
//!
//! ```text
//! eosim check workbench --handler 'apply:add,commit-offset' --faults 1
//!     [--assume crash,lost-ack,dup-publish,late=30,zombie,reset | all | none | default]
//!     [--challenge ID] [--payments N] [--seed S] [--trace] [--json]
//! eosim check workbench --challenges
//! ```
//! `--trace` prints the fault-free run when the handler holds (a counterexample's
//! steps are always printed).
//!
//! Exit 0: the handler holds; 1: it breaks (or the check stopped at its cap);
//! 2: bad input (a one-line message naming the step or flag).

use eop::sim::workbench::{self, challenges, Assumptions, Goal, Handler, Setup};
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage: eosim check workbench --handler '<steps>' [--faults K] [--assume LIST] [--challenge ID] [--payments N] [--seed S] [--trace] [--json] | eosim check workbench --challenges";

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("eosim: {msg}");
    ExitCode::from(2)
}

struct Args {
    handler: Option<String>,
    k: u8,
    assume: Option<Assumptions>,
    challenge: Option<&'static challenges::Challenge>,
    payments: u32,
    seed: u64,
    trace: bool,
    json: bool,
    list: bool,
}

fn parse(argv: &[String]) -> Result<Args, String> {
    let mut a = Args {
        handler: None,
        k: 1,
        assume: None,
        challenge: None,
        payments: 3,
        seed: 1,
        trace: false,
        json: false,
        list: false,
    };
    let mut it = argv.iter();
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--handler" => a.handler = Some(value()?),
            "--faults" => {
                a.k = match value()?.parse::<u8>() {
                    Ok(k) if k <= workbench::MAX_K => k,
                    _ => return Err(format!("--faults takes 0 to {}", workbench::MAX_K)),
                }
            }
            "--assume" => a.assume = Some(Assumptions::parse(&value()?)?),
            "--challenge" => {
                let id = value()?;
                let ids: Vec<&str> = challenges::ALL.iter().map(|c| c.id).collect();
                a.challenge = Some(challenges::find(&id).ok_or_else(|| {
                    format!("unknown challenge '{id}'; allowed: {}", ids.join(", "))
                })?);
            }
            "--payments" => {
                a.payments = match value()?.parse::<u32>() {
                    Ok(n) if (1..=workbench::MAX_PAYMENTS).contains(&n) => n,
                    _ => return Err(format!("--payments takes 1 to {}", workbench::MAX_PAYMENTS)),
                }
            }
            "--seed" => a.seed = value()?.parse().map_err(|_| "--seed takes a number")?,
            "--trace" => a.trace = true,
            "--json" => a.json = true,
            "--challenges" => a.list = true,
            other => return Err(format!("unknown flag '{other}'; {USAGE}")),
        }
    }
    Ok(a)
}

fn list() -> ExitCode {
    for c in challenges::ALL {
        let rule = if c.rule.is_empty() {
            "any steps"
        } else {
            c.rule
        };
        println!("{:<20} {}", c.id, c.title);
        println!("{:<20} goal: {}", "", c.goal);
        println!(
            "{:<20} assumes: {} (k = {}; {rule})",
            "",
            c.assume.words(),
            c.k
        );
        if !c.possible {
            println!("{:<20} (cannot be met under these assumptions)", "");
        }
    }
    ExitCode::SUCCESS
}

/// `eosim check workbench …` (`argv` after `workbench`).
pub fn check_cmd(argv: &[String]) -> ExitCode {
    let a = match parse(argv) {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    if a.list {
        return list();
    }
    let Some(text) = a.handler.as_deref() else {
        return fail(USAGE);
    };
    let h = match Handler::decode(text) {
        Ok(h) => h,
        Err(e) => return fail(format!("--handler: {e}")),
    };
    let mut setup = Setup {
        seed: a.seed,
        payments: a.payments,
        assume: a.assume.unwrap_or(Assumptions::DEFAULT),
        goal: Goal::of(&h),
    };
    let mut k = a.k;
    if let Some(c) = a.challenge {
        if let Err(e) = c.allows(&h) {
            return fail(format!("challenge {}: {e}", c.id));
        }
        setup = Setup {
            seed: a.seed,
            payments: a.payments,
            ..c.setup()
        };
        if let Some(assume) = a.assume {
            setup.assume = assume;
        }
        k = c.k;
    }
    let start = Instant::now();
    let r = workbench::check(&h, &setup, k);
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    let code = if r.holds() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    };
    if a.json {
        let mut v = serde_json::to_value(&r).unwrap_or_default();
        v["holds"] = r.holds().into();
        v["verdict"] = r.verdict().into();
        v["ms"] = (ms.round() as u64).into();
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        return code;
    }
    println!("check workbench  handler {}", r.handler);
    if let Some(c) = a.challenge {
        println!("challenge        {} ({})", c.id, c.title);
    }
    println!("faults assumed   {}", r.assumptions);
    println!(
        "schedules        {} with at most {} {}, {} ({ms:.0} ms)",
        r.schedules,
        r.k,
        if r.k == 1 { "fault" } else { "faults" },
        if r.finished {
            "all checked"
        } else {
            "NOT finished: stopped at the cap"
        }
    );
    println!("verdict          {}", r.verdict());
    if let Some(c) = &r.counterexample {
        println!("smallest         {}", c.narration);
        for p in c.problems.iter().skip(1) {
            println!("                 also: {p}");
        }
        if let Some(b) = &c.breaking {
            println!("breaking step    t={}: {}", b.tick, b.says);
        }
        println!("steps:");
        for line in &c.trace {
            println!("  {line}");
        }
    } else if a.trace {
        println!("the fault-free run:");
        for line in workbench::run(&h, &setup, &[]).trace {
            println!("  {line}");
        }
    }
    if let (Some(c), false) = (a.challenge, r.holds()) {
        if !c.possible {
            println!("why              {}", c.why);
        }
    }
    code
}
