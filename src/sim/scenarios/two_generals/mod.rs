//! §1, §12 — Two Generals: agreement over a lossy channel is impossible.
//!
//! General A holds the plan. Messengers alternate A→B, B→A, …; messenger `r`
//! (its `msg` is the round) gives its receiver knowledge of depth `r` ("B knows the
//! plan" = 1, "A knows that B knows" = 2, …). A strategy fixes how long the chain
//! is (`M` messengers) and commits at dawn: the receiver of the last messenger
//! attacks iff it arrived (its level reached `M`); the sender of the last messenger
//! attacks iff it got far enough to send it (level `M - 1`), since it can never
//! learn whether it arrived. Losing any earlier messenger stops the chain and both
//! stay home; losing the last one — whatever `M` — splits them.

mod text;

use super::prelude::*;
use crate::sim::invariants::{Badge, Check, Tone, Verdict};
use crate::sim::promise::Outcome;
use serde::Serialize;

use text::INFO;

nodes! {
    A: "general A", General @ 15, 50;
    B: "general B", General @ 85, 50;
}
hops! {
    /// Messengers from A to B.
    HOP_AB;
    /// Messengers from B to A.
    HOP_BA;
}
/// Ticks a messenger takes to cross the valley.
const TRAVEL: Tick = 5;

/// The generals' timers.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Timer {
    /// A sends the first messenger.
    Start,
    /// Dawn: decide whether to attack.
    Dawn,
}

/// How many messengers a strategy insists on.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Chain {
    Fixed(u32),
    /// As many as the `rounds` parameter says.
    Rounds,
}

techniques! {
    Chain =>
    "order-only", "Send the order, no ack (1 messenger)", None => Chain::Fixed(1);
    "order-and-ack", "Order plus one ack (2 messengers)", None => Chain::Fixed(2);
    "n-rounds", "Insist on N messengers", None => Chain::Rounds;
}

/// The seed "Insist on eight rounds" opens with: the eighth messenger is caught.
const SEED_EIGHT_ROUNDS: u64 = 6;
/// The seed "A dangerous valley" opens with.
const SEED_DANGEROUS: u64 = 0;
/// The seed of the "Two Generals is a puzzle about armies" card.
pub const SEED_CARD: u64 = 26;

/// Both generals decided the same thing, or one attacked alone, read off the trace.
fn decisions(t: &TechniqueRun) -> (Option<bool>, Option<bool>) {
    let mut d = (None, None);
    for e in &t.trace {
        if let Ev::Decide { node, attack } = e.ev {
            if node == A {
                d.0 = Some(attack);
            } else {
                d.1 = Some(attack);
            }
        }
    }
    d
}

fn decide_tick(t: &TechniqueRun) -> Option<Tick> {
    t.trace
        .iter()
        .find(|e| matches!(e.ev, Ev::Decide { .. }))
        .map(|e| e.tick)
}

/// Promise: both generals attack.
pub const BOTH_ATTACK: Outcome = Outcome::Custom {
    says: "both attack",
    test: |_, t| (decisions(t) == (Some(true), Some(true))).then(|| decide_tick(t)),
};
/// Promise: both generals stay home.
pub const BOTH_HOME: Outcome = Outcome::Custom {
    says: "both stay home",
    test: |_, t| (decisions(t) == (Some(false), Some(false))).then(|| decide_tick(t)),
};
/// Promise: one general attacks alone (the last messenger was caught).
pub const SPLIT: Outcome = Outcome::Check("agreement", false);

/// The badge of a strategy, in the words of agreement: what the two generals did.
fn badge(decided: [Option<bool>; 2]) -> Badge {
    match (decided[0], decided[1]) {
        (Some(true), Some(true)) => Badge::new(Tone::Good, "both attack"),
        (Some(false), Some(false)) => Badge::new(Tone::Good, "both stay home"),
        (Some(a), Some(_)) => Badge::new(
            Tone::Bad,
            if a {
                "A attacks alone"
            } else {
                "B attacks alone"
            },
        ),
        _ => Badge::new(Tone::Bad, "a general never decided"),
    }
}

/// One row of [`rounds_table`]: how a chain of `rounds` messengers fared over `seeds`
/// seeds at one loss rate, and the exact probabilities for comparison.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Row {
    pub rounds: u32,
    pub seeds: u32,
    /// Runs in which one general attacked alone.
    pub split: u32,
    /// Runs in which both attacked.
    pub together: u32,
    /// Exact chance of a split, in parts per million: every messenger but the last
    /// arrives, the last is caught.
    pub split_ppm: u64,
    /// Exact chance that both attack (every messenger arrives), in parts per million.
    pub together_ppm: u64,
}

/// Why more rounds do not help: for chains of 1..=8 messengers at `loss` (‰), how
/// often the generals split and how often they attack together, measured by running
/// the strategy on seeds `0..seeds` (the same runs the stage shows for those seeds).
/// Both fall as the chain grows; the split never becomes impossible while `loss > 0`.
pub fn rounds_table(loss: i64, seeds: u32) -> Vec<Row> {
    let loss = loss.clamp(0, 1000);
    (1..=8u32)
        .map(|rounds| {
            let (mut split, mut together) = (0, 0);
            for seed in 0..seeds as u64 {
                let t = run_strategy(&RunConfig::seed(seed), loss, &TECHNIQUES[2], rounds);
                match decisions(&t) {
                    (Some(true), Some(true)) => together += 1,
                    (Some(a), Some(b)) if a != b => split += 1,
                    _ => {}
                }
            }
            let keep = (1000 - loss) as u128;
            let all = 1000u128.pow(rounds);
            let ppm = |n: u128| (n * 1_000_000 / all) as u64;
            Row {
                rounds,
                seeds,
                split,
                together,
                split_ppm: ppm(keep.pow(rounds - 1) * loss as u128),
                together_ppm: ppm(keep.pow(rounds)),
            }
        })
        .collect()
}

struct World {
    /// Messengers in the chain.
    chain: u32,
    level: [u32; 2],
    decided: [Option<bool>; 2],
}

fn sender_of(round: u32) -> NodeId {
    if round % 2 == 1 {
        A
    } else {
        B
    }
}

fn other(n: NodeId) -> NodeId {
    if n == A {
        B
    } else {
        A
    }
}

fn name(n: NodeId) -> &'static str {
    if n == A {
        "A"
    } else {
        "B"
    }
}

impl World {
    fn send_messenger(&mut self, eng: &mut Engine<Timer>, round: u32) {
        let from = sender_of(round);
        let hop = if from == A { HOP_AB } else { HOP_BA };
        eng.send(
            from,
            other(from),
            hop,
            Payload::new(MsgKind::Messenger, round, 0),
            TRAVEL,
        );
    }

    /// The knowledge level `node` needs to attack.
    fn threshold(&self, node: NodeId) -> u32 {
        if other(sender_of(self.chain)) == node {
            self.chain
        } else {
            self.chain - 1
        }
    }
}

impl Actors for World {
    type Timer = Timer;

    fn on_deliver(&mut self, eng: &mut Engine<Timer>, Delivery { to, p, .. }: Delivery) {
        if p.kind != MsgKind::Messenger {
            return;
        }
        let i = to.0 as usize;
        self.level[i] = self.level[i].max(p.msg);
        eng.emit(Ev::Knowledge {
            node: to,
            level: p.msg,
        });
        if p.msg < self.chain {
            self.send_messenger(eng, p.msg + 1);
        }
    }

    fn on_timer(&mut self, eng: &mut Engine<Timer>, node: NodeId, timer: Timer) {
        match timer {
            Timer::Start if node == A => self.send_messenger(eng, 1),
            Timer::Dawn => {
                let attack = self.level[node.0 as usize] >= self.threshold(node);
                self.decided[node.0 as usize] = Some(attack);
                eng.emit(Ev::Decide { node, attack });
            }
            _ => {}
        }
    }
}

/// The "agreement" check, pointing at the loss that decided a split.
fn agreement(eng: &Engine<Timer>, w: &World) -> Check {
    let chain = w.chain;
    let last_from = sender_of(chain);
    let last_to = other(last_from);
    let (a, b) = (w.decided[0], w.decided[1]);
    // The trace index of the loss of messenger `round`, if it was lost.
    let lost_at = |round: u32| {
        let net = eng.trace.iter().find_map(|e| match e.ev {
            Ev::Send {
                net, p, lost: true, ..
            } if p.msg == round => Some(net),
            _ => None,
        })?;
        eng.trace
            .iter()
            .position(|e| matches!(e.ev, Ev::Lose { net: n, .. } if n == net))
    };
    let first_lost = (1..=chain).find(|r| lost_at(*r).is_some());
    match (a, b) {
        (Some(x), Some(y)) if x == y => {
            let detail = if x {
                format!(
                    "both attack — though {} never learned whether messenger {chain} arrived; it attacked on faith",
                    name(last_from)
                )
            } else {
                format!(
                    "both stay home: messenger {} was caught before the chain of {chain} was complete",
                    first_lost.unwrap_or(1)
                )
            };
            Check {
                name: "agreement".to_string(),
                ok: true,
                detail,
                event: None,
            }
        }
        (Some(_), Some(_)) => {
            let decide = eng
                .trace
                .iter()
                .position(|e| matches!(e.ev, Ev::Decide { .. }));
            Check {
                name: "agreement".to_string(),
                ok: false,
                detail: format!(
                    "{} attacks alone: the last messenger ({chain}, {}→{}) was caught, so {} stayed home, and {} had no way to know",
                    name(last_from),
                    name(last_from),
                    name(last_to),
                    name(last_to),
                    name(last_from)
                ),
                event: lost_at(chain).or(decide),
            }
        }
        _ => Check {
            name: "agreement".to_string(),
            ok: false,
            detail: "dawn never came for one of the generals".to_string(),
            event: None,
        },
    }
}

/// Run the strategy `t` with a chain of `chain` messengers.
fn run_strategy(cfg: &RunConfig, loss: i64, t: &Technique<Chain>, chain: u32) -> TechniqueRun {
    let mut faults = Faults::for_run(cfg);
    let hop = HopFaults::lossy(Ratio::per_mille(loss));
    faults.set_hop(HOP_AB, hop);
    faults.set_hop(HOP_BA, hop);
    let dawn = 1 + TRAVEL * chain + 3;
    let mut eng = Engine::start(NODES.len(), dawn + 1, faults);
    eng.timer_at(1, A, Timer::Start);
    for node in [A, B] {
        eng.timer_at(dawn, node, Timer::Dawn);
    }
    let mut world = World {
        chain,
        level: [0, 0],
        decided: [None, None],
    };
    eng.run(&mut world);
    let verdict = Verdict::checks_only(vec![agreement(&eng, &world)]);
    let end = eng.trace.last().map(|e| e.tick).unwrap_or(0).max(eng.now);
    TechniqueRun {
        id: t.id.to_string(),
        label: match t.mode {
            Chain::Fixed(_) => t.label.to_string(),
            Chain::Rounds => format!("Insist on {chain} messengers"),
        },
        claim: t.claim,
        nodes: infos(&NODES),
        dedup_sizes: Vec::new(),
        truncated: eng.truncated,
        crash_points: Vec::new(),
        fired: eng.faults.fired,
        trace: eng.trace,
        ledger: Ledger::default(),
        verdict,
        badge: badge(world.decided),
        end,
    }
}

pub static SCENARIO: Module = Module {
    info: &INFO,
    build,
    techniques: &TECHNIQUES,
};

fn build(cfg: &RunConfig, params: &Params) -> RunResult {
    let rounds = params.get("rounds").clamp(1, 8) as u32;
    let loss = params.get("loss");
    // No workload: the generals' property is agreement, not a ledger.
    run_each(&INFO, cfg, params, Vec::new(), &TECHNIQUES, |t, _| {
        let chain = match t.mode {
            Chain::Fixed(n) => n,
            Chain::Rounds => rounds,
        };
        run_strategy(cfg, loss, t, chain)
    })
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::{rounds_table, INFO};
    use crate::sim::event::Ev;
    use crate::sim::fault::Fault;
    use crate::sim::ids::NodeId;
    use crate::sim::{run, RunConfig, RunResult};

    const ID: &str = "two-generals";

    fn decisions(r: &RunResult, t: &str) -> Vec<(u8, bool)> {
        r.technique(t)
            .unwrap()
            .trace
            .iter()
            .filter_map(|e| match e.ev {
                Ev::Decide { node, attack } => Some((node.0, attack)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn showcase_last_messenger_caught() {
        let r = showcase(&INFO);
        assert_eq!(decisions(&r, "order-only"), vec![(0, true), (1, true)]);
        assert_eq!(decisions(&r, "order-and-ack"), vec![(0, true), (1, true)]);
        assert_eq!(decisions(&r, "n-rounds"), vec![(0, false), (1, true)]);
        let t = r.technique("n-rounds").unwrap();
        assert!(!t.verdict.holds);
        let c = &t.verdict.checks[0];
        assert_eq!(
            c.detail,
            "B attacks alone: the last messenger (4, B→A) was caught, so A stayed home, and B had no way to know"
        );
        let i = c.event.unwrap();
        assert!(matches!(t.trace[i].ev, Ev::Lose { .. }));
        assert_eq!(t.verdict.first_violation, Some(i));
        // A reached "A knows that B knows the plan" (2), B reached 3.
        let top = |n: u8| {
            t.trace
                .iter()
                .filter_map(|e| match e.ev {
                    Ev::Knowledge { node, level } if node == NodeId(n) => Some(level),
                    _ => None,
                })
                .max()
        };
        assert_eq!((top(0), top(1)), (Some(2), Some(3)));
        assert!(verdict(&r, "order-only").holds);
    }

    #[test]
    fn no_loss_everyone_agrees() {
        for rounds in 1..=8 {
            let r = run_with(ID, 7, &[("loss", 0), ("rounds", rounds)]);
            for t in &r.techniques {
                assert!(t.verdict.holds, "rounds {rounds} {}", t.id);
                let d = decisions(&r, &t.id);
                assert_eq!(d, vec![(0, true), (1, true)]);
            }
        }
    }

    #[test]
    fn every_strategy_has_a_disagreeing_seed() {
        let found: Vec<Option<u64>> = (1..=8)
            .map(|rounds| first_violating_seed(ID, &[("rounds", rounds)], "n-rounds", 1000))
            .collect();
        assert_eq!(
            found,
            vec![
                Some(1),
                Some(8),
                Some(5),
                Some(26),
                Some(18),
                Some(2),
                Some(0),
                Some(6)
            ]
        );
        assert_eq!(first_violating_seed(ID, &[], "order-only", 100), Some(1));
        assert_eq!(first_violating_seed(ID, &[], "order-and-ack", 100), Some(8));
        // The split is always "sender of the last messenger attacks alone".
        let r = run_with(ID, 8, &[]);
        assert_eq!(decisions(&r, "order-and-ack"), vec![(0, false), (1, true)]);
    }

    #[test]
    fn dropping_the_last_messenger_by_hand_splits_them() {
        for rounds in 1..=8u32 {
            let hop = if rounds % 2 == 1 { 0 } else { 1 };
            let mut cfg = RunConfig::seed(1)
                .set("loss", 0)
                .set("rounds", rounds as i64);
            cfg.manual = vec![Fault::Lose {
                hop,
                msg: rounds,
                attempt: 0,
            }];
            let r = run(ID, &cfg).unwrap();
            let t = r.technique("n-rounds").unwrap();
            assert!(!t.verdict.holds, "rounds {rounds}");
            // The sender of the last messenger attacks, the receiver does not.
            let sender = if rounds % 2 == 1 { 0 } else { 1 };
            let d = decisions(&r, "n-rounds");
            assert!(d.contains(&(sender, true)) && d.contains(&(1 - sender, false)));
            // Dropping an earlier one instead: both stay home.
            if rounds > 1 {
                let mut cfg2 = cfg.clone();
                cfg2.manual = vec![Fault::Lose {
                    hop: 1 - hop,
                    msg: rounds - 1,
                    attempt: 0,
                }];
                let r2 = run(ID, &cfg2).unwrap();
                assert_eq!(decisions(&r2, "n-rounds"), vec![(0, false), (1, false)]);
            }
        }
    }

    /// Badges speak of agreement (what the generals did), never of
    /// "exactly once", and a split is the only ✕.
    #[test]
    fn badges_speak_of_agreement() {
        let r = showcase(&INFO);
        let badge = |r: &RunResult, t: &str| r.technique(t).unwrap().badge.text.clone();
        assert_eq!(badge(&r, "order-only"), "✓ both attack");
        assert_eq!(badge(&r, "order-and-ack"), "✓ both attack");
        assert_eq!(badge(&r, "n-rounds"), "✕ B attacks alone");
        assert_eq!(INFO.property, crate::sim::run::Property::Agreement);
        // Seed 8: B's ack (the last messenger) is caught, so B attacks alone.
        let r = run_with(ID, 8, &[]);
        assert_eq!(badge(&r, "order-and-ack"), "✕ B attacks alone");
        // Seed 1: the order itself is caught — A attacks alone.
        let r = run_with(ID, 1, &[]);
        assert_eq!(badge(&r, "order-only"), "✕ A attacks alone");
        // An early messenger caught: both stay home, and that is agreement.
        let home = (0..100)
            .map(|s| run_with(ID, s, &[]))
            .find(|r| decisions(r, "n-rounds") == vec![(0, false), (1, false)])
            .unwrap();
        assert_eq!(badge(&home, "n-rounds"), "✓ both stay home");
        assert!(home.technique("n-rounds").unwrap().badge.good());
        // Over many seeds, a ✕ badge is exactly a split decision.
        for seed in 0..300 {
            let r = run_with(ID, seed, &[("loss", 300)]);
            for t in &r.techniques {
                let d = decisions(&r, &t.id);
                let split = d[0].1 != d[1].1;
                assert_eq!(!t.badge.good(), split, "seed {seed} {}", t.id);
                assert!(!t.badge.text.to_lowercase().contains("exactly"));
            }
        }
    }

    /// The explanation states the theorem with both halves
    /// (agreement, and attacking when every messenger arrives) and FLP.
    #[test]
    fn explanation_states_the_theorem_and_flp() {
        let text = INFO.explain.join(" ");
        assert!(text.contains(
            "no protocol guarantees both that the generals agree and that they attack whenever every messenger gets through"
        ));
        assert!(text.contains("FLP") || text.contains("Fischer, Lynch and Paterson"));
        assert!(text.contains("asynchronous") && text.contains("timeouts"));
    }

    /// More rounds make both the split and the joint attack rarer;
    /// the split never disappears while messengers can be caught.
    #[test]
    fn more_rounds_do_not_help() {
        let rows = rounds_table(200, 200);
        assert_eq!(rows.len(), 8);
        let split: Vec<u32> = rows.iter().map(|r| r.split).collect();
        let together: Vec<u32> = rows.iter().map(|r| r.together).collect();
        // Pinned reference numbers (200 seeds at 20% loss).
        assert_eq!(split, vec![37, 37, 21, 19, 12, 17, 15, 9]);
        assert_eq!(together, vec![163, 126, 105, 86, 74, 57, 42, 33]);
        assert!(split.iter().all(|&n| n > 0), "{split:?}");
        assert!(together.windows(2).all(|w| w[1] < w[0]), "{together:?}");
        assert!(split[7] < split[0] && split[4..].iter().sum::<u32>() < split[..4].iter().sum());
        // The measured rates follow the exact ones: (1−p)^(n−1)·p and (1−p)^n.
        for r in &rows {
            let measured = |k: u32| k as i64 * 1_000_000 / r.seeds as i64;
            assert!(
                (measured(r.split) - r.split_ppm as i64).abs() < 60_000,
                "{r:?}"
            );
            assert!(
                (measured(r.together) - r.together_ppm as i64).abs() < 60_000,
                "{r:?}"
            );
            assert!(r.split_ppm > 0);
        }
        assert_eq!(rows[0].split_ppm, 200_000);
        assert_eq!(rows[7].together_ppm, 167_772);
        // At 10% loss too, every chain length still splits on some seed of 200.
        assert!(rounds_table(100, 200).iter().all(|r| r.split > 0));
        // Without loss nobody splits and everybody attacks.
        assert!(rounds_table(0, 50)
            .iter()
            .all(|r| r.split == 0 && r.together == 50 && r.split_ppm == 0));
        // A row is the same run the stage shows: the n-rounds column at that seed.
        let r = run_with(ID, 26, &[("rounds", 4)]);
        assert_eq!(decisions(&r, "n-rounds"), vec![(0, false), (1, true)]);
    }
}
