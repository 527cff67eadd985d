//! Two independent counts. Every counter under the ledgers and every count a badge
//! states is recounted here from the raw trace events with this file's own code (not
//! `View`, not `Verdict`), for every scenario over many seeds, its showcase seed and
//! every try-this setting, and compared with what the page, the badge and `eosim` show.
//! The definitions recounted are the ones in `Counters::DEFINITIONS` and
//! `docs/counters.md`: a counter whose meaning drifts fails here.

use eop::sim::event::{EntryKind, Ev, LossWhy, MsgKind, RejectWhy, SkipWhy};
use eop::sim::replay::{Timeline, View};
use eop::sim::run::{Property, RunResult, TechniqueRun};
use eop::sim::{all, run, RunConfig};
use std::collections::{BTreeMap, BTreeSet};

/// Default-setting seeds per scenario (plus the showcase seed and every try-this).
const SEEDS: u64 = 200;

/// What the definitions say, counted from the events.
#[derive(Debug, Default, PartialEq, Eq)]
struct Recount {
    sent: u32,
    delivered: u32,
    lost: u32,
    dup_delivered: u32,
    dup_at: BTreeMap<u8, u32>,
    absorbed: u32,
    /// Non-compensating ledger writes per message.
    writes: BTreeMap<u32, u32>,
    /// Forward first transmissions with attempt > 0, acks sent, datagrams dropped by a
    /// full queue (telemetry's badge).
    retries: u32,
    acks: u32,
}

impl Recount {
    fn extra_writes(&self) -> u32 {
        self.writes.values().map(|n| n.saturating_sub(1)).sum()
    }
    /// Messages written more than once, by how often.
    fn repeated(&self) -> BTreeMap<u32, u32> {
        let mut by = BTreeMap::new();
        for n in self.writes.values().filter(|n| **n > 1) {
            *by.entry(*n).or_insert(0) += 1;
        }
        by
    }
}

fn forward(k: MsgKind) -> bool {
    !matches!(k, MsgKind::Ack | MsgKind::Response)
}

/// Two passes over the events: first what each transmission was and what became of
/// it, then the counts.
fn recount(trace: &[eop::sim::event::Event]) -> Recount {
    // net → (receiver, kind, message)
    let mut what: BTreeMap<u32, (u8, MsgKind, u32)> = BTreeMap::new();
    let mut arrived: BTreeSet<u32> = BTreeSet::new();
    let mut dropped_on_arrival: BTreeSet<u32> = BTreeSet::new();
    let mut lost_nets: BTreeSet<u32> = BTreeSet::new();
    for e in trace {
        match e.ev {
            Ev::Send { net, to, p, .. } => {
                what.insert(net.0, (to.0, p.kind, p.msg));
            }
            Ev::Deliver { net } => {
                arrived.insert(net.0);
            }
            Ev::Lose { net, why } => {
                lost_nets.insert(net.0);
                if why == LossWhy::Overload && arrived.contains(&net.0) {
                    dropped_on_arrival.insert(net.0);
                }
            }
            _ => {}
        }
    }
    let is_fwd = |net: u32| what.get(&net).is_some_and(|w| forward(w.1));
    let mut r = Recount::default();
    let mut taken: BTreeSet<(u8, MsgKind, u32)> = BTreeSet::new();
    // Writers with a producer epoch: one of them refused as fenced is a zombie's repeat.
    let mut epoch_holders: BTreeSet<u8> = BTreeSet::new();
    for e in trace {
        match e.ev {
            Ev::Send {
                p, copy_of: None, ..
            } if forward(p.kind) => {
                r.sent += 1;
                if p.attempt > 0 {
                    r.retries += 1;
                }
            }
            Ev::Send { p, .. } if p.kind == MsgKind::Ack => r.acks += 1,
            Ev::Deliver { net } if is_fwd(net.0) && !dropped_on_arrival.contains(&net.0) => {
                r.delivered += 1;
                let w = what[&net.0];
                if !taken.insert(w) {
                    r.dup_delivered += 1;
                    *r.dup_at.entry(w.0).or_insert(0) += 1;
                }
            }
            Ev::Fence { node, .. } => {
                epoch_holders.insert(node.0);
            }
            Ev::Rejected {
                node,
                why: RejectWhy::Fenced,
                ..
            } if epoch_holders.contains(&node.0) => r.absorbed += 1,
            Ev::Skip { why, .. } if why != SkipWhy::NoKey => r.absorbed += 1,
            Ev::Rejected {
                why: RejectWhy::DuplicateSequence | RejectWhy::KeyInFlight,
                ..
            } => r.absorbed += 1,
            Ev::Apply { entry, .. } if entry.kind != EntryKind::Compensation => {
                *r.writes.entry(entry.msg).or_insert(0) += 1;
            }
            _ => {}
        }
    }
    r.lost = lost_nets.iter().filter(|n| is_fwd(**n)).count() as u32;
    r
}

/// The numbers a badge states about repeats and losses: (noun, count, verb, how often)
/// for "3 balls applied twice", "9 balls applied more than once: 5 twice, …", "2
/// payments lost".
fn badge_numbers(text: &str) -> Vec<(String, u32, String)> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')' || c == ':')
        .filter(|w| !w.is_empty())
        .collect();
    let mut out = Vec::new();
    for i in 0..words.len() {
        let Ok(n) = words[i].parse::<u32>() else {
            continue;
        };
        let noun = words.get(i + 1).copied().unwrap_or("");
        if !["payment", "payments", "ball", "balls", "sample", "samples"].contains(&noun) {
            continue;
        }
        let rest: Vec<&str> = words[i + 2..].iter().take(4).copied().collect();
        out.push((noun.trim_end_matches('s').to_string(), n, rest.join(" ")));
    }
    out
}

fn times(n: u32) -> &'static str {
    match n {
        2 => "twice",
        3 => "three",
        4 => "four",
        5 => "five",
        6 => "six",
        7 => "seven",
        8 => "eight",
        9 => "nine",
        10 => "ten",
        11 => "eleven",
        12 => "twelve",
        _ => "",
    }
}

/// How the badge names `m` messages written `k` times: "1 eleven times", "2 of them 14
/// times" (never two bare numbers side by side).
fn how_often(m: u32, k: u32) -> String {
    match times(k) {
        "" => format!("{m} of them {k} times"),
        w => format!("{m} {w}"),
    }
}

/// Every disagreement between the recount and what is shown, for one technique.
fn disagreements(r: &RunResult, t: &TechniqueRun, property: Property) -> Vec<String> {
    let mut bad = Vec::new();
    let mine = recount(&t.trace);
    let shown = View::of(&t.trace).counters;
    let pairs = [
        ("sent", mine.sent, shown.sent),
        ("delivered", mine.delivered, shown.delivered),
        ("lost", mine.lost, shown.lost),
        ("dup delivered", mine.dup_delivered, shown.dup_delivered),
        ("dup absorbed", mine.absorbed, shown.dup_absorbed),
        ("applied again", mine.extra_writes(), shown.applied_twice),
    ];
    for (name, a, b) in pairs {
        if a != b {
            bad.push(format!("{name}: recounted {a}, shown {b}"));
        }
    }
    let shown_at: BTreeMap<u8, u32> = shown.dup_at.iter().map(|(n, v)| (n.0, *v)).collect();
    if mine.dup_at != shown_at {
        bad.push(format!(
            "dup delivered per process: recounted {:?}, shown {shown_at:?}",
            mine.dup_at
        ));
    }
    // Halfway, through the page's snapshots (what scrubbing shows).
    let half = t.trace.len() / 2;
    let tl = Timeline::new(&t.trace, 16);
    let mid = recount(&t.trace[..half]);
    let at = tl.view_at(&t.trace, half).counters;
    if (mid.sent, mid.delivered, mid.dup_delivered, mid.absorbed)
        != (at.sent, at.delivered, at.dup_delivered, at.dup_absorbed)
    {
        bad.push(format!("at event {half}: recounted {mid:?}, shown {at:?}"));
    }
    // Meaning: the books of the transmissions balance.
    if mine.delivered + mine.lost > mine.sent + copies(t) {
        bad.push(format!(
            "delivered {} + lost {} > sent {} + network copies {}",
            mine.delivered,
            mine.lost,
            mine.sent,
            copies(t)
        ));
    }
    // The verdict's list of repeats is the recount's.
    let repeated: u32 = mine.repeated().values().sum();
    // (Judged by final state, a rewrite of the same value is no repeat.)
    if property == Property::ExactlyOnceEffect && t.verdict.applied_twice.len() as u32 != repeated {
        bad.push(format!(
            "verdict lists {} repeated, recounted {repeated}",
            t.verdict.applied_twice.len()
        ));
    }
    // Every count the badge states.
    let lost_msgs = r
        .workload
        .iter()
        .filter(|p| !mine.writes.contains_key(&p.msg))
        .count() as u32;
    let text = &t.badge.text;
    for (noun, n, rest) in badge_numbers(text) {
        let verb_repeat = ["applied", "written", "refunded"]
            .iter()
            .any(|v| rest.starts_with(v));
        if rest.starts_with("lost") {
            if n != lost_msgs {
                bad.push(format!(
                    "badge '{text}': {n} {noun} lost, recounted {lost_msgs}"
                ));
            }
        } else if verb_repeat && property != Property::Fidelity {
            let by = mine.repeated();
            if n != repeated {
                bad.push(format!(
                    "badge '{text}': {n} {noun} repeated, recounted {repeated} ({by:?})"
                ));
            }
            if rest.contains("more than once") {
                for (k, m) in &by {
                    let want = how_often(*m, *k);
                    if !text.contains(&want) {
                        bad.push(format!("badge '{text}' lacks '{want}'"));
                    }
                }
            } else if let Some((k, _)) = by.iter().find(|(k, _)| !rest.contains(times(**k))) {
                bad.push(format!(
                    "badge '{text}' says how often, but a {noun} was written {k} times ({by:?})"
                ));
            }
        }
    }
    // Final state's words: "(2 copies rewrote the same value)", "(1 copy skipped by id)".
    for (tail, want) in [
        ("rewrote the same value", mine.extra_writes()),
        ("skipped by id", mine.absorbed),
    ] {
        if let Some(head) = text.split(tail).next().filter(|_| text.contains(tail)) {
            let n: Option<u32> = head
                .rsplit('(')
                .next()
                .and_then(|w| w.split_whitespace().next())
                .and_then(|w| w.parse().ok());
            if n != Some(want) {
                bad.push(format!("badge '{text}': recounted {want} that {tail}"));
            }
        }
    }
    // Telemetry's late samples (review R2-5): a datagram taken in after its second was
    // published is narrated as too late (an `Ev::Late` right after its delivery), and
    // the traffic check's "N samples too late" counts exactly those.
    if property == Property::Fidelity {
        let late = late_arrivals(r, t);
        let events: Vec<usize> = t
            .trace
            .iter()
            .enumerate()
            .filter(|(_, e)| matches!(e.ev, Ev::Late { .. }))
            .map(|(i, _)| i - 1)
            .collect();
        if late != events {
            bad.push(format!(
                "late samples: recounted deliveries at events {late:?}, narrated after {events:?}"
            ));
        }
        let traffic = t.verdict.checks.iter().find(|c| c.name == "traffic");
        let want = match late.len() {
            1 => "1 sample too late".to_string(),
            n => format!("{n} samples too late"),
        };
        if !traffic.is_some_and(|c| c.detail.contains(&want)) {
            bad.push(format!("traffic check {traffic:?}: recounted '{want}'"));
        }
    }
    // Telemetry's share (review R2-15): "published from A of B samples (P)" rounds A/B
    // to the nearest percent (11 of 12 is 92%), never to "0%" or "100%" of what is not.
    if property == Property::Fidelity {
        if let Some(c) = t.verdict.checks.iter().find(|c| c.name == "fidelity") {
            if let Some(rest) = c.detail.split("published from ").nth(1) {
                let w: Vec<&str> = rest
                    .split([' ', '(', ')'])
                    .filter(|x| !x.is_empty())
                    .collect();
                let (a, b): (u64, u64) = (w[0].parse().unwrap(), w[2].parse().unwrap());
                let want = match (a * 200 + b) / (2 * b) {
                    0 if a > 0 => "under 1%".to_string(),
                    100 if a < b => "over 99%".to_string(),
                    p => format!("{p}%"),
                };
                if !c.detail.contains(&format!("samples ({want})")) {
                    bad.push(format!("fidelity '{}': {a} of {b} is {want}", c.detail));
                }
            }
        }
    }
    // Telemetry's traffic words.
    if property == Property::Fidelity {
        let extra = mine.retries + mine.acks;
        let want = if extra == 0 {
            "0 extra packets".to_string()
        } else {
            format!("{extra} extra packets")
        };
        if !text.contains(&want) {
            bad.push(format!("badge '{text}': recounted '{want}'"));
        }
    }
    bad
}

/// Trace indices of the datagram deliveries taken in after their sample's second was
/// published (the second from the workload, the publication from `Aggregate`).
fn late_arrivals(r: &RunResult, t: &TechniqueRun) -> Vec<usize> {
    let second: BTreeMap<u32, u8> = r.workload.iter().map(|p| (p.msg, p.merchant)).collect();
    let mut sample_of: BTreeMap<u32, u32> = BTreeMap::new();
    let mut dropped: BTreeSet<u32> = BTreeSet::new();
    for (i, e) in t.trace.iter().enumerate() {
        if let Ev::Lose {
            net,
            why: LossWhy::Overload,
        } = e.ev
        {
            if i > 0 && t.trace[i - 1].ev == (Ev::Deliver { net }) {
                dropped.insert(net.0);
            }
        }
    }
    let mut published: BTreeSet<u8> = BTreeSet::new();
    let mut out = Vec::new();
    for (i, e) in t.trace.iter().enumerate() {
        match e.ev {
            Ev::Send { net, p, .. } if p.kind == MsgKind::Datagram => {
                sample_of.insert(net.0, p.msg);
            }
            Ev::Aggregate { bucket, .. } => {
                published.insert(bucket);
            }
            Ev::Deliver { net } if !dropped.contains(&net.0) => {
                let late = sample_of
                    .get(&net.0)
                    .and_then(|m| second.get(m))
                    .is_some_and(|s| published.contains(s));
                if late {
                    out.push(i);
                }
            }
            _ => {}
        }
    }
    out
}

fn copies(t: &TechniqueRun) -> u32 {
    t.trace
        .iter()
        .filter(|e| matches!(e.ev, Ev::Send { p, copy_of: Some(_), .. } if forward(p.kind)))
        .count() as u32
}

/// Every run the recount covers for one scenario.
fn configs(id: &str) -> Vec<RunConfig> {
    let info = eop::sim::scenarios::info(id);
    let mut out: Vec<RunConfig> = (0..SEEDS).map(RunConfig::seed).collect();
    out.push(RunConfig::seed(info.showcase_seed));
    for tt in info.try_this {
        let mut c = RunConfig::seed(tt.seed);
        for (n, v) in tt.set {
            c = c.set(n, *v);
        }
        out.push(c);
    }
    out
}

#[test]
fn every_counter_and_badge_count_agrees_with_a_recount_from_the_trace() {
    let mut failures: BTreeMap<String, (usize, String)> = BTreeMap::new();
    let mut runs = 0usize;
    for s in all() {
        let info = s.info();
        for cfg in configs(info.id) {
            let r = run(info.id, &cfg).unwrap();
            runs += 1;
            for t in &r.techniques {
                for d in disagreements(&r, t, info.property) {
                    let key = format!("{} / {}", info.id, t.id);
                    let e = failures
                        .entry(key)
                        .or_insert((0, format!("seed {} {:?}: {d}", cfg.seed, cfg.params)));
                    e.0 += 1;
                }
            }
        }
    }
    let report: Vec<String> = failures
        .iter()
        .map(|(k, (n, first))| format!("{k}: {n} disagreements, first {first}"))
        .collect();
    assert!(report.is_empty(), "{}", report.join("\n"));
    assert!(runs >= 14 * SEEDS as usize, "only {runs} runs recounted");
}

/// The recount catches what it is for: item 10's overload retries (a retry of a
/// datagram a full queue dropped is no duplicate) and item 7's three-times message.
#[test]
fn the_recount_can_fail() {
    // Telemetry, overloaded: datagrams dropped by the full queue are retried; none of
    // those retries may count as a duplicate.
    let info = eop::sim::scenarios::info("telemetry");
    let tt = info
        .try_this
        .iter()
        .find(|t| t.set.iter().any(|(n, _)| *n == "queue_capacity"))
        .expect("an overload try-this");
    let mut c = RunConfig::seed(tt.seed);
    for (n, v) in tt.set {
        c = c.set(n, *v);
    }
    let r = run("telemetry", &c).unwrap();
    let retry = r.technique("retry-every-sample").unwrap();
    let mine = recount(&retry.trace);
    let shown = View::of(&retry.trace).counters;
    assert!(mine.retries > 0, "the overload run retries");
    assert_eq!(mine.dup_delivered, shown.dup_delivered);
    assert!(
        shown.dup_delivered * 4 < shown.delivered,
        "duplicates are repeats of samples taken in, not retries of dropped ones: {shown:?}"
    );
    // A doctored trace: one more write of an already doubled message.
    let r = run("walkthrough", &RunConfig::seed(1)).unwrap();
    let naive = r.technique("naive").unwrap();
    let mut trace = naive.trace.clone();
    let again = trace
        .iter()
        .rev()
        .find(|e| matches!(e.ev, Ev::Apply { .. }))
        .cloned()
        .unwrap();
    trace.push(again.clone());
    trace.push(again);
    let mine = recount(&trace);
    assert_eq!(mine.extra_writes(), 3, "{:?}", mine.writes);
    assert_eq!(View::of(&trace).counters.applied_twice, 3);
}

/// The counters `eosim run --json` prints are the recount's too (showcase seeds).
#[test]
fn the_cli_counters_agree_with_the_recount() {
    for s in all() {
        let info = s.info();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_eosim"))
            .args(["run", info.id, "--json"])
            .output()
            .expect("eosim runs");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let r = run(info.id, &RunConfig::seed(info.showcase_seed)).unwrap();
        for t in &r.techniques {
            let j = v["techniques"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["id"] == t.id.as_str())
                .unwrap();
            let c = &j["counters"];
            let mine = recount(&t.trace);
            let got = |k: &str| c[k].as_u64().unwrap() as u32;
            assert_eq!(
                (
                    got("sent"),
                    got("delivered"),
                    got("lost"),
                    got("dup_delivered"),
                    got("dup_absorbed"),
                    got("applied_twice")
                ),
                (
                    mine.sent,
                    mine.delivered,
                    mine.lost,
                    mine.dup_delivered,
                    mine.absorbed,
                    mine.extra_writes()
                ),
                "{} / {}",
                info.id,
                t.id
            );
            assert_eq!(j["badge"], t.badge.text.as_str());
        }
    }
}
