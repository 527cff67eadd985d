//! §10 — threading the key through a pipeline.
//!
//! Live commentary flows source → stage-1 → stage-2 → stage-3 → viewers. Every
//! hop is at-least-once (the network may duplicate a transmission, a lost ack
//! makes the sender retry), and every stage dedups on the key it receives: the
//! ball's (match id, ball id). The viewers' feed is the ledger: one entry per
//! ball shown, worth the runs scored on it.
//!
//! `keyed-all-the-way` keeps the key on every hop. `one-stage-drops-key` has one
//! middle stage (param `drop_key_stage`) forward the ball without its key: from
//! there on nothing can tell a copy from a new ball, and duplicates made on the
//! later hops reach the viewers although every other stage is correct.

mod text;

use super::plumbing::RetryTimer as Timer;
use super::prelude::*;
use crate::sim::event::{EntryKind, Headers, SkipWhy};
use crate::sim::rng::workload_rng;
use rand::Rng;
use text::INFO;

nodes! {
    SOURCE: "commentary source", Producer @ 7, 50;
    STAGE_1: "stage-1 (ingest)", Stage @ 28, 50;
    STAGE_2: "stage-2 (enrich)", Stage @ 50, 50;
    STAGE_3: "stage-3 (format)", Stage @ 72, 50;
    VIEWERS: "viewer feed", Viewer @ 93, 50;
}
/// Forward hops are 0..=3 (node h → node h+1); the ack of hop h travels on `ACK_HOP + h`.
const ACK_HOP: u8 = 4;
const STAGES: u8 = 3;

techniques! {
    Mode;
    /// Every stage forwards the key it received.
    KeepKey = "keyed-all-the-way", "Key kept on every hop", ExactlyOnce;
    /// The stage `drop_key_stage` forwards balls without their key.
    DropKey = "one-stage-drops-key", "One stage drops the key", ExactlyOnce,
        BuiltToBreak("a middle stage drops the key");
}

const BALL_SPACING: Tick = 5;
const LATENCY: Tick = 2;
const JITTER: Tick = 1;
const ACK_TIMEOUT: Tick = 8;
const DUP_DELAY_MAX: Tick = 4;

static DROP_CHOICES: &[&str] = &["none", "stage-1", "stage-2", "stage-3"];

/// One transmission chain on a hop: the first send and its retries.
#[derive(Clone, Debug)]
struct Job {
    key: Option<u32>,
    attempt: u16,
    acked: bool,
    /// Transmissions of this chain so far, and whether it forwards a ball again: its
    /// retries are numbered within the chain ("forwarded again, retry 1"), not per hop.
    sent: u16,
    forwarded_again: bool,
}

struct World<'a> {
    workload: &'a [Payment],
    /// Stage that forwards without the key (0: none).
    drop_stage: u8,
    ledger: Ledger,
    jobs: Vec<Job>,
    /// (hop, msg, attempt) → job.
    by_tx: BTreeMap<(u8, MsgId, u16), usize>,
    /// Transmissions so far per (hop, msg).
    sends: Attempts<(u8, MsgId)>,
    /// (hop, msg, attempt) already delivered (acked once).
    delivered: BTreeSet<(u8, MsgId, u16)>,
    /// Keys seen per receiving node.
    seen: BTreeMap<NodeId, BTreeSet<u32>>,
}

impl World<'_> {
    fn transmit(&mut self, eng: &mut Engine<Timer>, hop: u8, msg: MsgId, job: usize, why: Resend) {
        let attempt = self.sends.next((hop, msg));
        let j = &mut self.jobs[job];
        j.attempt = attempt;
        let retry = j.sent;
        j.sent += 1;
        if why == Resend::ForwardedAgain {
            j.forwarded_again = true;
        }
        // A retry is numbered within its chain; only where that differs from the
        // hop's transmission count does it need saying.
        let why = match why {
            Resend::Retry if retry > 0 && (j.forwarded_again || retry != attempt) => {
                Resend::RetryOf {
                    retry,
                    forwarded_again: j.forwarded_again,
                }
            }
            w => w,
        };
        self.by_tx.insert((hop, msg, attempt), job);
        // The key travels as a header; a stage that drops it sends none.
        let key = self.jobs[job].key;
        // A stage's own send (retried on a missed ack): a request, not a broker record.
        let p = Payload {
            kind: MsgKind::Request,
            msg,
            key,
            attempt,
            resend: why,
            headers: Some(Headers {
                key,
                ..Headers::default()
            }),
            at: None,
        };
        let from = NodeId(hop);
        eng.send(from, NodeId(hop + 1), hop, p, LATENCY);
        eng.timer(ACK_TIMEOUT, from, Timer::Retry { msg, attempt });
    }

    /// Start an at-least-once transfer of `msg` on `hop`.
    fn forward(&mut self, eng: &mut Engine<Timer>, hop: u8, msg: MsgId, key: Option<u32>) {
        self.jobs.push(Job {
            key,
            attempt: 0,
            acked: false,
            sent: 0,
            forwarded_again: false,
        });
        let job = self.jobs.len() - 1;
        // A stage that forwards a copy it could not recognise sends the ball on this
        // hop again: not a retry (no timeout), a second forward.
        let why = if self.sends.sent(&(hop, msg)) > 0 {
            Resend::ForwardedAgain
        } else {
            Resend::Retry
        };
        self.transmit(eng, hop, msg, job, why);
    }

    /// Dedup on the received key; true if this delivery should be processed.
    fn admit(&mut self, eng: &mut Engine<Timer>, node: NodeId, p: Payload) -> bool {
        match p.key {
            Some(k) => {
                let seen = self.seen.entry(node).or_default();
                first_sight(eng, seen, node, (p.msg, k), SkipWhy::SeenId)
            }
            None => {
                // Nothing to check: processed unchecked, and shown so the learner sees why.
                eng.emit(Ev::Skip {
                    node,
                    msg: p.msg,
                    why: SkipWhy::NoKey,
                });
                true
            }
        }
    }
}

impl Actors for World<'_> {
    type Timer = Timer;

    fn on_deliver(&mut self, eng: &mut Engine<Timer>, Delivery { to, from, hop, p }: Delivery) {
        match p.kind {
            MsgKind::Ack => {
                let fwd = hop - ACK_HOP;
                if let Some(&job) = self.by_tx.get(&(fwd, p.msg, p.attempt)) {
                    self.jobs[job].acked = true;
                }
            }
            MsgKind::Request => {
                // Ack each transmission once (a network copy of it needs no second ack).
                if self.delivered.insert((hop, p.msg, p.attempt)) {
                    let ack = Payload {
                        kind: MsgKind::Ack,
                        ..p
                    };
                    eng.send(to, from, ACK_HOP + hop, ack, LATENCY);
                }
                if !self.admit(eng, to, p) {
                    return;
                }
                if to == VIEWERS {
                    if let Some(pay) = self.workload.iter().find(|w| w.msg == p.msg).copied() {
                        self.ledger.write(eng, VIEWERS, pay.entry());
                    }
                } else {
                    let key = if to.0 == self.drop_stage { None } else { p.key };
                    self.forward(eng, to.0, p.msg, key);
                }
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, eng: &mut Engine<Timer>, node: NodeId, timer: Timer) {
        match timer {
            Timer::Send { msg } => self.forward(eng, 0, msg, Some(msg)),
            Timer::Retry { msg, attempt } => {
                let hop = node.0;
                let Some(&job) = self.by_tx.get(&(hop, msg, attempt)) else {
                    return;
                };
                if self.jobs[job].acked || self.jobs[job].attempt != attempt {
                    return;
                }
                timed_out(eng, node, msg, attempt);
                self.transmit(eng, hop, msg, job, Resend::Retry);
            }
        }
    }
}

/// Runs off each ball of one match (merchant 0 is the match's scoreboard).
fn workload(seed: u64, n: usize) -> Vec<Payment> {
    const RUNS: [i64; 10] = [0, 0, 0, 1, 1, 1, 2, 3, 4, 6];
    let mut rng = workload_rng(seed);
    (1..=n as u32)
        .map(|msg| Payment {
            msg,
            merchant: 0,
            amount: RUNS[rng.gen_range(0..RUNS.len() as u32) as usize],
            kind: EntryKind::Add,
        })
        .collect()
}

pub static SCENARIO: Module = Module {
    info: &INFO,
    build,
    techniques: &TECHNIQUES,
};

fn build(cfg: &RunConfig, params: &Params) -> RunResult {
    let work = workload(cfg.seed, params.get("balls") as usize);
    let drop = params.get("drop_key_stage").clamp(0, STAGES as i64) as u8;
    run_each(&INFO, cfg, params, work, &TECHNIQUES, |t, work| {
        let mut faults = Faults::for_run(cfg);
        let acks = HopFaults::lossy(params.chance("loss")).jittery(JITTER);
        let forward = acks.copying(params.chance("dup"), DUP_DELAY_MAX);
        for hop in 0..=STAGES {
            faults.set_hop(hop, forward);
            faults.set_hop(ACK_HOP + hop, acks);
        }
        let end = 400 + BALL_SPACING * work.len() as Tick * 3;
        let mut eng = Engine::start(NODES.len(), end, faults);
        for (i, w) in work.iter().enumerate() {
            let at = 1 + BALL_SPACING * i as Tick;
            eng.timer_at(at, SOURCE, Timer::Send { msg: w.msg });
        }
        let drop_stage = match t.mode {
            Mode::KeepKey => 0,
            Mode::DropKey => drop,
        };
        let mut world = World {
            workload: work,
            drop_stage,
            ledger: Ledger::default(),
            jobs: Vec::new(),
            by_tx: BTreeMap::new(),
            sends: Attempts::default(),
            delivered: BTreeSet::new(),
            seen: BTreeMap::new(),
        };
        eng.run(&mut world);
        let mut run = t.finish(Done::new(infos(&NODES), eng, world.ledger, work));
        if t.mode == Mode::DropKey {
            run.label = match drop {
                0 => "Every stage keeps the key (no stage drops it)".to_string(),
                s => format!("stage-{s} drops the key"),
            };
        }
        run
    })
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use crate::sim::event::{Ev, SkipWhy};
    use crate::sim::ids::NodeId;
    use crate::sim::RunResult;

    const ID: &str = "key-threading";

    fn skips_at(r: &RunResult, t: &str, why: SkipWhy, node: Option<u8>) -> usize {
        r.technique(t)
            .unwrap()
            .trace
            .iter()
            .filter(|e| match e.ev {
                Ev::Skip {
                    why: w, node: n, ..
                } => w == why && node.is_none_or(|x| NodeId(x) == n),
                _ => false,
            })
            .count()
    }

    #[test]
    fn showcase_a_ball_shown_twice() {
        let r = showcase(&super::INFO);
        assert_eq!(
            r.truth_balances().into_iter().collect::<Vec<_>>(),
            vec![(0, 12)]
        );
        let k = r.technique("keyed-all-the-way").unwrap();
        assert!(k.verdict.holds && k.verdict.exactly_once);
        assert_eq!(k.ledger.entries.len(), 8);
        // Copies absorbed at stage-1, stage-2 (twice) and the viewers.
        assert_eq!(skips_at(&r, "keyed-all-the-way", SkipWhy::SeenId, None), 4);
        assert_eq!(
            skips_at(&r, "keyed-all-the-way", SkipWhy::SeenId, Some(4)),
            1
        );

        let d = r.technique("one-stage-drops-key").unwrap();
        assert_eq!(d.label, "stage-2 drops the key");
        // Ball 5 (a single) reached the viewers twice and nobody could tell.
        assert_eq!(d.verdict.applied_twice, vec![5]);
        assert_eq!(
            d.ledger.balances().into_iter().collect::<Vec<_>>(),
            vec![(0, 13)]
        );
        assert_eq!(d.ledger.entries.len(), 9);
        // Stage-2 itself still dedups what it receives; it just forwards no key.
        assert_eq!(
            skips_at(&r, "one-stage-drops-key", SkipWhy::SeenId, Some(2)),
            2
        );
        assert_eq!(
            skips_at(&r, "one-stage-drops-key", SkipWhy::SeenId, Some(4)),
            0
        );
        assert_eq!(
            skips_at(&r, "one-stage-drops-key", SkipWhy::NoKey, None),
            17
        );
        assert!(d.trace.iter().any(|e| matches!(
            e.ev,
            Ev::Send { hop: 2, p, .. } if p.key.is_none()
        )));
    }

    /// Item 9: the story is told in balls and runs, and a stage that cannot check a
    /// ball never "skips" it: the line says it cannot dedup, and what follows is
    /// the forward or the apply the trace really shows.
    #[test]
    fn narration_in_runs_and_no_skip_that_is_then_applied() {
        for seed in [0, 7] {
            let r = run_with(ID, seed, &[]);
            let text = crate::sim::narrate::render_run(&r, super::INFO.unit, usize::MAX);
            assert!(
                !text.contains('₹'),
                "seed {seed}: rupees in a cricket story"
            );
            assert!(!text.contains("txn-"), "seed {seed}: payment nouns");
            assert!(text.contains("runs"));
            let d = r.technique("one-stage-drops-key").unwrap();
            let lines: Vec<String> = {
                let mut v = crate::sim::replay::View::default();
                d.trace
                    .iter()
                    .map(|e| {
                        let l = crate::sim::narrate::sentence(e, &d.nodes, &v, super::INFO.unit);
                        v.apply(e);
                        l
                    })
                    .collect()
            };
            for (i, e) in d.trace.iter().enumerate() {
                let Ev::Skip { node, msg, why } = e.ev else {
                    continue;
                };
                if why != SkipWhy::NoKey {
                    assert!(lines[i].contains("skips"));
                    continue;
                }
                assert!(!lines[i].contains("skips"), "{}", lines[i]);
                assert!(lines[i].contains("cannot dedup"), "{}", lines[i]);
                // What that node does next with the ball: forward it keyless, or apply it.
                let next = d.trace[i + 1..].iter().find(|x| x.ev.node() == Some(node)
                    && !matches!(x.ev, Ev::Send { p, .. } if p.kind == crate::sim::event::MsgKind::Ack));
                match next.map(|x| &x.ev) {
                    Some(Ev::Send { p, .. }) => {
                        assert_eq!((p.msg, p.key), (msg, None));
                        assert!(p.headers.is_some_and(|h| h.key.is_none()));
                    }
                    Some(Ev::Apply { entry, .. }) => assert_eq!(entry.msg, msg),
                    other => panic!("seed {seed}: after '{}' came {other:?}", lines[i]),
                }
            }
            // The stage that drops the key says so on what it sends.
            assert!(lines
                .iter()
                .any(|l| l.starts_with("stage-2 (enrich) sends ball") && l.contains("[no key]")));
        }
    }

    #[test]
    fn keyed_holds_on_10k_seeds() {
        assert_holds(ID, &[], &["keyed-all-the-way"], 10_000);
    }

    #[test]
    fn keyed_holds_on_a_noisy_network() {
        assert_holds(
            ID,
            &[("dup", 500), ("loss", 300), ("balls", 12)],
            &["keyed-all-the-way"],
            300,
        );
    }

    #[test]
    fn dropping_the_key_pinned_violations() {
        let seed = first_violating_seed(ID, &[], "one-stage-drops-key", 1000);
        assert_eq!(seed, Some(0));
        for (stage, pinned, twice) in [(1, 0, vec![5, 6, 7]), (3, 0, vec![5])] {
            let o = [("drop_key_stage", stage)];
            assert_eq!(
                first_violating_seed(ID, &o, "one-stage-drops-key", 1000),
                Some(pinned),
                "stage {stage}"
            );
            let r = run_with(ID, pinned, &o);
            let v = verdict(&r, "one-stage-drops-key");
            assert_eq!(v.applied_twice, twice, "stage {stage}");
            assert!(v.lost.is_empty());
        }
    }

    #[test]
    fn no_stage_dropping_means_no_violation() {
        assert_holds(
            ID,
            &[("drop_key_stage", 0)],
            &["keyed-all-the-way", "one-stage-drops-key"],
            1_000,
        );
    }
}
