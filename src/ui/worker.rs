//! The sweep Web Worker: the app's own wasm, started off the main thread.
//!
//! There is no separate worker binary: `static/sweep-worker.js` imports the app's
//! wasm-bindgen glue (its hashed name is written into the loader at build time by
//! `scripts/worker-glue.mjs`, a trunk post_build hook) and instantiates the same
//! module the page runs. `main` sees it has no `window` and calls [`start`] instead of
//! mounting the UI. Sharing the module keeps the simulator in one download (the
//! browser caches it), instead of a second ~110 KB (brotli) copy.
//!
//! Protocol: one string per message, encoded and decoded here (pure, tested natively;
//! a small line format instead of JSON keeps serde_json out of the wasm):
//! * worker → page [`READY`] once listening;
//! * page → worker a `SweepConfig` ([`encode_request`]);
//! * worker → page [`Reply::Progress`] after every chunk, then [`Reply::Result`] or
//!   [`Reply::Error`] ([`encode_reply`]).
//!
//! Lines are `\n`-separated, fields `\t`-separated; text fields escape `\`, tab and
//! newline. Cancelling is `worker.terminate()` on the page: nothing here needs to poll.
//!
//! The workbench's check (`components/workbench/offthread.rs`) uses the same worker:
//! page → [`encode_workbench`] (the challenge, the handler, k); worker →
//! [`encode_found`] (the counts and the smallest breaking schedule's faults, which the
//! page runs once more, narrated) or a [`Reply::Error`].

use crate::sim::explore::{Explorer, Space};
use crate::sim::run::{Guarantee, RunConfig};
use crate::sim::sweep::{Counterexample, SweepConfig, SweepResult, Sweeper, TechniqueSweep};
use crate::sim::workbench::{challenges, search, Fault as WbFault, Found, Handler};
use std::fmt::Write as _;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// The worker's first message: it is listening.
pub const READY: &str = "{\"ready\":true}";

/// What the worker says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    Ready,
    Progress { done: u64, runs: u64, events: u64 },
    Result(SweepResult),
    Error(String),
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

fn unesc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some(o) => out.push(o),
            None => out.push('\\'),
        }
    }
    out
}

fn claim_code(g: Guarantee) -> &'static str {
    match g {
        Guarantee::AtMostOnce => "M",
        Guarantee::AtLeastOnce => "L",
        Guarantee::ExactlyOnce => "E",
        Guarantee::None => "N",
    }
}

fn claim_from(s: &str) -> Option<Guarantee> {
    Some(match s {
        "M" => Guarantee::AtMostOnce,
        "L" => Guarantee::AtLeastOnce,
        "E" => Guarantee::ExactlyOnce,
        "N" => Guarantee::None,
        _ => return None,
    })
}

fn push_params(out: &mut String, tag: &str, params: &[(String, i64)]) {
    for (n, v) in params {
        let _ = write!(out, "\n{tag}\t{}\t{v}", esc(n));
    }
}

fn config_line(out: &mut String, c: &SweepConfig) {
    let _ = write!(out, "c\t{}\t{}\t{}", esc(&c.scenario), c.runs, c.seed);
    if c.faults > 0 {
        let _ = write!(out, "\nk\t{}", c.faults);
    }
    push_params(out, "p", &c.params);
}

/// Page → worker: the sweep to run.
pub fn encode_request(c: &SweepConfig) -> String {
    let mut out = String::new();
    config_line(&mut out, c);
    out
}

/// Worker side of [`encode_request`].
pub fn decode_request(text: &str) -> Option<SweepConfig> {
    let mut cfg = None;
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        match f.as_slice() {
            ["c", sc, runs, seed] => {
                cfg = Some(SweepConfig {
                    scenario: unesc(sc),
                    runs: runs.parse().ok()?,
                    seed: seed.parse().ok()?,
                    params: Vec::new(),
                    faults: 0,
                })
            }
            ["p", n, v] => cfg.as_mut()?.params.push((unesc(n), v.parse().ok()?)),
            ["k", k] => cfg.as_mut()?.faults = k.parse().ok()?,
            _ => return None,
        }
    }
    cfg
}

/// Worker → page.
pub fn encode_reply(r: &Reply) -> String {
    match r {
        Reply::Ready => READY.to_string(),
        Reply::Progress { done, runs, events } => format!("progress\t{done}\t{runs}\t{events}"),
        Reply::Error(e) => format!("error\t{}", esc(e)),
        Reply::Result(r) => {
            let mut out = String::from("result\n");
            config_line(&mut out, &r.config);
            let _ = write!(out, "\nn\t{}\t{}", r.done, r.events);
            if let Some(s) = &r.space {
                let _ = write!(
                    out,
                    "\ns\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    s.k,
                    s.checked,
                    u8::from(s.finished),
                    s.points,
                    s.options,
                    esc(&s.stopped),
                    esc(&s.assumptions)
                );
            }
            for t in &r.techniques {
                let _ = write!(
                    out,
                    "\nt\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    esc(&t.id),
                    esc(&t.label),
                    claim_code(t.claim),
                    t.runs,
                    t.violations,
                    t.claim_broken,
                    t.worst_divergence
                );
                for (k, n) in &t.kinds {
                    let _ = write!(out, "\nk\t{}\t{n}", esc(k));
                }
                if let Some(x) = &t.smallest {
                    let _ = write!(
                        out,
                        "\nx\t{}\t{}\t{}\t{}\t{}\t{}",
                        x.config.seed,
                        u8::from(x.config.random_faults),
                        x.faults,
                        x.events,
                        x.tick,
                        esc(&x.summary)
                    );
                    push_params(&mut out, "xp", &x.config.params);
                    for f in &x.config.manual {
                        let _ = write!(out, "\nxf\t{}", f.code());
                    }
                }
            }
            out
        }
    }
}

/// Page side of [`encode_reply`]; `None` for anything it cannot read.
pub fn decode_reply(text: &str) -> Option<Reply> {
    if text == READY {
        return Some(Reply::Ready);
    }
    let mut lines = text.split('\n');
    let head: Vec<&str> = lines.next()?.split('\t').collect();
    match head.as_slice() {
        ["progress", d, r, e] => {
            return Some(Reply::Progress {
                done: d.parse().ok()?,
                runs: r.parse().ok()?,
                events: e.parse().ok()?,
            })
        }
        ["error", e] => return Some(Reply::Error(unesc(e))),
        ["result"] => {}
        _ => return None,
    }
    let mut cfg: Option<SweepConfig> = None;
    let mut counts = None;
    let mut space = None;
    let mut techniques: Vec<TechniqueSweep> = Vec::new();
    for line in lines {
        let f: Vec<&str> = line.split('\t').collect();
        match f.as_slice() {
            ["c", ..] => cfg = Some(decode_request(line)?),
            ["p", n, v] => cfg.as_mut()?.params.push((unesc(n), v.parse().ok()?)),
            ["k", k] => cfg.as_mut()?.faults = k.parse().ok()?,
            ["s", k, checked, finished, points, options, stopped, assumptions] => {
                space = Some(Space {
                    k: k.parse().ok()?,
                    checked: checked.parse().ok()?,
                    finished: *finished == "1",
                    points: points.parse().ok()?,
                    options: options.parse().ok()?,
                    stopped: unesc(stopped),
                    assumptions: unesc(assumptions),
                })
            }
            ["n", d, e] => counts = Some((d.parse().ok()?, e.parse().ok()?)),
            ["t", id, label, claim, runs, viol, broken, worst] => {
                let mut t = TechniqueSweep::new(unesc(id), unesc(label), claim_from(claim)?);
                t.runs = runs.parse().ok()?;
                t.violations = viol.parse().ok()?;
                t.claim_broken = broken.parse().ok()?;
                t.worst_divergence = worst.parse().ok()?;
                techniques.push(t);
            }
            ["k", k, n] => {
                let t = techniques.last_mut()?;
                t.kinds.insert(unesc(k), n.parse().ok()?);
            }
            ["x", seed, rf, faults, events, tick, summary] => {
                techniques.last_mut()?.smallest = Some(Counterexample {
                    config: RunConfig {
                        seed: seed.parse().ok()?,
                        params: Vec::new(),
                        manual: Vec::new(),
                        random_faults: *rf == "1",
                    },
                    faults: faults.parse().ok()?,
                    events: events.parse().ok()?,
                    tick: tick.parse().ok()?,
                    summary: unesc(summary),
                });
            }
            ["xp", n, v] => {
                let x = techniques.last_mut()?.smallest.as_mut()?;
                x.config.params.push((unesc(n), v.parse().ok()?));
            }
            ["xf", code] => {
                let x = techniques.last_mut()?.smallest.as_mut()?;
                x.config
                    .manual
                    .push(crate::sim::fault::Fault::from_code(code)?);
            }
            _ => return None,
        }
    }
    let (done, events) = counts?;
    Some(Reply::Result(SweepResult {
        config: cfg?,
        done,
        techniques,
        events,
        space,
    }))
}

/// A workbench check to run: the challenge (if any), the handler, k.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkbenchRequest {
    pub challenge: Option<String>,
    pub handler: Handler,
    pub k: u8,
}

/// Page → worker: a workbench check.
pub fn encode_workbench(r: &WorkbenchRequest) -> String {
    format!(
        "w\t{}\t{}\t{}",
        esc(r.challenge.as_deref().unwrap_or("")),
        esc(&r.handler.encode()),
        r.k
    )
}

/// Worker side of [`encode_workbench`].
pub fn decode_workbench(text: &str) -> Option<WorkbenchRequest> {
    let f: Vec<&str> = text.split('\t').collect();
    let ["w", c, h, k] = f.as_slice() else {
        return None;
    };
    let c = unesc(c);
    Some(WorkbenchRequest {
        challenge: (!c.is_empty()).then_some(c),
        handler: Handler::decode(&unesc(h)).ok()?,
        k: k.parse().ok()?,
    })
}

/// Worker → page: what a workbench check found.
pub fn encode_found(f: &Found) -> String {
    let faults = f.smallest.as_ref().map_or("-".to_string(), |v| {
        v.iter().map(WbFault::code).collect::<Vec<_>>().join(",")
    });
    format!(
        "found\t{}\t{}\t{}\t{}\t{faults}",
        f.k,
        f.schedules,
        f.breaking,
        u8::from(f.finished)
    )
}

/// Page side of [`encode_found`].
pub fn decode_found(text: &str) -> Option<Found> {
    let f: Vec<&str> = text.split('\t').collect();
    let ["found", k, schedules, breaking, finished, faults] = f.as_slice() else {
        return None;
    };
    let smallest = match *faults {
        "-" => None,
        "" => Some(Vec::new()),
        x => Some(
            x.split(',')
                .map(WbFault::from_code)
                .collect::<Option<Vec<_>>>()?,
        ),
    };
    Some(Found {
        k: k.parse().ok()?,
        schedules: schedules.parse().ok()?,
        breaking: breaking.parse().ok()?,
        finished: *finished == "1",
        smallest,
    })
}

/// The worker's side of a workbench check.
fn workbench_reply(r: &WorkbenchRequest) -> String {
    match challenges::setup_for(r.challenge.as_deref(), &r.handler) {
        Ok(setup) => encode_found(&search(&r.handler, &setup, r.k)),
        Err(e) => encode_reply(&Reply::Error(e)),
    }
}

/// True inside a dedicated worker (no `window`).
pub fn in_worker() -> bool {
    js_sys::global()
        .dyn_into::<DedicatedWorkerGlobalScope>()
        .is_ok()
}

/// Listen for a sweep request, run it in chunks with progress, post the result.
pub fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let post = {
        let scope = scope.clone();
        move |r: Reply| {
            let _ = scope.post_message(&JsValue::from_str(&encode_reply(&r)));
        }
    };
    let post_in = post.clone();
    let scope_in = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let text = e.data().as_string().unwrap_or_default();
        if let Some(r) = decode_workbench(&text) {
            let _ = scope_in.post_message(&JsValue::from_str(&workbench_reply(&r)));
            return;
        }
        let Some(cfg) = decode_request(&text) else {
            post_in(Reply::Error("bad sweep request".to_string()));
            return;
        };
        // Chunks small enough that progress reaches the page several times a second.
        if cfg.faults > 0 {
            let mut explorer = match Explorer::new(cfg) {
                Ok(e) => e,
                Err(err) => {
                    post_in(Reply::Error(err.to_string()));
                    return;
                }
            };
            while !explorer.finished() {
                explorer.step(100);
                let r = &explorer.result;
                post_in(Reply::Progress {
                    done: r.done,
                    runs: r.config.runs,
                    events: r.events,
                });
            }
            explorer.step(0);
            post_in(Reply::Result(explorer.result));
            return;
        }
        let mut sweeper = match Sweeper::new(cfg) {
            Ok(s) => s,
            Err(err) => {
                post_in(Reply::Error(err.to_string()));
                return;
            }
        };
        while !sweeper.finished() {
            sweeper.step(250);
            let r = &sweeper.result;
            post_in(Reply::Progress {
                done: r.done,
                runs: r.config.runs,
                events: r.events,
            });
        }
        sweeper.shrink_all();
        post_in(Reply::Result(sweeper.result));
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler must live as long as the worker itself; the page ends both with
    // `terminate()`. Handing it to JS is the one deliberate leak of a closure here.
    let _keep = on_message.into_js_value();
    post(Reply::Ready);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::sweep::sweep;

    fn cfg(scenario: &str, runs: u64, seed: u64, params: &[(&str, i64)]) -> SweepConfig {
        SweepConfig {
            scenario: scenario.to_string(),
            runs,
            seed,
            params: params.iter().map(|(n, v)| (n.to_string(), *v)).collect(),
            faults: 0,
        }
    }

    #[test]
    fn exhaustive_requests_and_results_round_trip() {
        let mut c = cfg("walkthrough", 5_000, 1, &[]);
        c.faults = 2;
        assert_eq!(decode_request(&encode_request(&c)), Some(c.clone()));
        let r = crate::sim::explore::explore(c).expect("explore");
        assert!(r.space.is_some());
        let text = encode_reply(&Reply::Result(r.clone()));
        let Some(Reply::Result(back)) = decode_reply(&text) else {
            panic!("could not decode:\n{text}");
        };
        assert_eq!(back.space, r.space);
        assert_eq!(back.config, r.config);
        assert_eq!(encode_reply(&Reply::Result(back)), text);
    }

    #[test]
    fn requests_round_trip() {
        for c in [
            cfg("walkthrough", 10_000, 1, &[]),
            cfg(
                "dedup-window",
                7,
                u64::MAX,
                &[("ttl_ticks", 10), ("messages", -3)],
            ),
            cfg("we\tird\nna\\me", 1, 0, &[("a\tb", 1)]),
        ] {
            assert_eq!(decode_request(&encode_request(&c)), Some(c));
        }
    }

    #[test]
    fn small_replies_round_trip() {
        for r in [
            Reply::Ready,
            Reply::Progress {
                done: 250,
                runs: 10_000,
                events: 123_456,
            },
            Reply::Error("unknown scenario 'x'\n\tand a \\ backslash".to_string()),
        ] {
            assert_eq!(decode_reply(&encode_reply(&r)), Some(r));
        }
        assert_eq!(encode_reply(&Reply::Ready), READY);
    }

    #[test]
    fn real_sweep_results_round_trip() {
        // Sweeps that find counterexamples (faults, params, kinds) in several scenarios.
        let mut seen_cx = 0;
        for (id, params) in [
            ("walkthrough", &[][..]),
            ("dedup-window", &[("ttl_ticks", 10)][..]),
            ("delivery-semantics", &[][..]),
            ("broker-eos", &[][..]),
        ] {
            let r = sweep(cfg(id, 300, 3, params)).expect("sweep");
            let text = encode_reply(&Reply::Result(r.clone()));
            let Some(Reply::Result(back)) = decode_reply(&text) else {
                panic!("{id}: could not decode:\n{text}");
            };
            // Everything the page shows survives (the private shrink state is not sent).
            assert_eq!(encode_reply(&Reply::Result(back.clone())), text, "{id}");
            assert_eq!(back.config, r.config);
            assert_eq!((back.done, back.events), (r.done, r.events));
            assert_eq!(back.techniques.len(), r.techniques.len());
            for (a, b) in back.techniques.iter().zip(&r.techniques) {
                assert_eq!(
                    (
                        &a.id,
                        &a.label,
                        a.claim,
                        a.runs,
                        a.violations,
                        a.claim_broken
                    ),
                    (
                        &b.id,
                        &b.label,
                        b.claim,
                        b.runs,
                        b.violations,
                        b.claim_broken
                    )
                );
                assert_eq!(
                    (&a.kinds, a.worst_divergence),
                    (&b.kinds, b.worst_divergence)
                );
                assert_eq!(a.smallest, b.smallest);
                seen_cx += usize::from(
                    a.smallest
                        .as_ref()
                        .is_some_and(|x| !x.config.manual.is_empty()),
                );
            }
        }
        assert!(seen_cx > 0, "no counterexample with faults was exercised");
    }

    #[test]
    fn workbench_requests_and_findings_round_trip() {
        for (c, h, k) in [
            (None, "apply:add,commit-offset", 1),
            (
                Some("dedup-window"),
                "begin,lookup:msg-id,apply:add,insert:msg-id:db:ttl=30,commit,commit-offset",
                3,
            ),
        ] {
            let r = WorkbenchRequest {
                challenge: c.map(str::to_string),
                handler: Handler::decode(h).unwrap(),
                k,
            };
            assert_eq!(decode_workbench(&encode_workbench(&r)), Some(r.clone()));
            // What the worker finds, sent back, gives the page the same verdict as a
            // check in the page, counterexample and all.
            let found = decode_found(&workbench_reply(&r)).expect("a finding");
            let setup = challenges::setup_for(c, &r.handler).unwrap();
            assert_eq!(found, search(&r.handler, &setup, k));
            assert!(
                found.smallest.as_ref().is_some_and(|f| !f.is_empty()),
                "{h} breaks"
            );
            let here = crate::sim::workbench::check(&r.handler, &setup, k);
            let there = crate::sim::workbench::verdict(&r.handler, &setup, &found);
            assert_eq!(there.verdict(), here.verdict());
            assert_eq!(
                there.counterexample.map(|x| x.trace),
                here.counterexample.map(|x| x.trace)
            );
        }
        // A handler that holds: no schedule.
        let f = Found {
            k: 2,
            schedules: 25,
            breaking: 0,
            finished: true,
            smallest: None,
        };
        assert_eq!(decode_found(&encode_found(&f)), Some(f));
        // A rule the challenge refuses comes back as an error.
        let r = WorkbenchRequest {
            challenge: Some("no-transaction".into()),
            handler: Handler::decode("begin,apply:add,commit").unwrap(),
            k: 2,
        };
        assert!(
            matches!(decode_reply(&workbench_reply(&r)), Some(Reply::Error(e)) if e.contains("not allowed"))
        );
        for bad in ["found\t1\t2\t3\t1\tQ1", "found\t1\t2", "w\t\tnot-a-step\t1"] {
            assert!(
                decode_found(bad).is_none() && decode_workbench(bad).is_none(),
                "{bad}"
            );
        }
    }

    #[test]
    fn workbench_fault_codes_round_trip() {
        use crate::sim::workbench::Fault;
        for f in [
            Fault::DupPublish { txn: 3 },
            Fault::Crash {
                offset: 0,
                delivery: 2,
                after: 5,
            },
            Fault::Zombie {
                offset: 4,
                delivery: 1,
                after: 1,
            },
            Fault::LoseAck {
                offset: 1,
                delivery: 1,
            },
            Fault::Late {
                offset: 2,
                delivery: 1,
                delay: 30,
            },
            Fault::Reset {
                offset: 0,
                delivery: 3,
            },
        ] {
            assert_eq!(Fault::from_code(&f.code()), Some(f), "{}", f.code());
        }
        for bad in ["", "C1.2", "X1", "P", "C1.2.300", "L1.x"] {
            assert_eq!(Fault::from_code(bad), None, "{bad}");
        }
    }

    #[test]
    fn garbage_is_rejected_not_panicked_on() {
        for t in [
            "",
            "result",
            "result\nc\tx\t1",
            "result\nt\ta\tb\tE\t1\t1\t1\t1",
            "progress\t1\t2",
            "result\nc\tx\t1\t1\nn\t1\t1\nk\tlost\t1",
            "result\nc\tx\t1\t1\nn\t1\t1\nt\ta\tb\tQ\t1\t1\t1\t1",
            "result\nc\tx\t1\t1\nn\t1\t1\nt\ta\tb\tE\t1\t1\t1\t1\nxf\tL1.2.3",
        ] {
            assert_eq!(decode_reply(t), None, "{t:?}");
        }
        assert_eq!(decode_request("c\tx\tmany\t1"), None);
        assert_eq!(decode_request("p\tx\t1"), None);
    }
}
