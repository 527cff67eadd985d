//! Every schedule with at most k faults, breadth-first over the choice tree (the same
//! idea as [`crate::sim::explore`]): run the fault-free schedule, then every schedule
//! that adds one fault at a choice point of its parent's run, each sorted fault set at
//! most once. The smallest counterexample is the breaking schedule with the fewest
//! faults that fired, then the earliest (by the ticks they fired at).

use super::model::{run, run_quiet, Breaking, Outcome, Replay};
use super::step::Handler;
use super::{Fault, Setup, MAX_K};
use crate::sim::ids::Tick;
use serde::Serialize;
use std::collections::{BTreeSet, VecDeque};

/// Most schedules one check runs (the result says when it stopped there).
pub const MAX_SCHEDULES: u64 = 300_000;

/// The verdict over every schedule with at most `k` faults.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    pub handler: String,
    pub k: u8,
    /// Schedules run, the fault-free one included.
    pub schedules: u64,
    /// Schedules that broke a goal.
    pub breaking: u64,
    /// Every schedule with at most `k` faults was run.
    pub finished: bool,
    /// The fault model in words.
    pub assumptions: String,
    /// What the verdict checks, in words.
    pub goals: String,
    pub counterexample: Option<Counterexample>,
}

impl Check {
    /// No schedule broke a goal (and the space was finished).
    pub fn holds(&self) -> bool {
        self.breaking == 0 && self.finished
    }

    /// The one-line verdict.
    pub fn verdict(&self) -> String {
        let sched = if self.schedules == 1 {
            "schedule"
        } else {
            "schedules"
        };
        let faults = if self.k == 1 { "fault" } else { "faults" };
        match &self.counterexample {
            None if self.finished => format!(
                "holds: {} in all {} {sched} with at most {} {faults}",
                self.goals, self.schedules, self.k
            ),
            None => format!(
                "no break found, but the check stopped after {} schedules (not every schedule with at most {} {faults} was run)",
                self.schedules, self.k
            ),
            Some(c) => format!(
                "breaks: {} of {} {sched} with at most {} {faults} break it; the smallest has {} {}",
                self.breaking,
                self.schedules,
                self.k,
                c.faults.len(),
                if c.faults.len() == 1 { "fault" } else { "faults" }
            ),
        }
    }
}

/// The smallest breaking schedule, narrated.
#[derive(Clone, Debug, Serialize)]
pub struct Counterexample {
    /// The faults that fired, in order.
    pub faults: Vec<Fault>,
    /// What happened, in one sentence.
    pub narration: String,
    /// Every goal it broke.
    pub problems: Vec<String>,
    /// The whole run, one line per event.
    pub trace: Vec<String>,
    /// The step where it breaks, narrated with its cause.
    pub breaking: Option<Breaking>,
    /// The whole run as a replay: lanes, messages, marks, the breaking step.
    #[serde(skip)]
    pub replay: Replay,
}

impl Counterexample {
    fn of(o: &Outcome) -> Counterexample {
        let cause = if o.fired.is_empty() {
            "with no fault at all".to_string()
        } else {
            let w: Vec<&str> = o.fired.iter().map(|f| f.2.as_str()).collect();
            w.join("; then ")
        };
        let effect = o.problems.first().cloned().unwrap_or_default();
        Counterexample {
            faults: o.fired.iter().map(|f| f.1).collect(),
            narration: format!("{cause}: {effect}."),
            problems: o.problems.clone(),
            trace: o.trace.clone(),
            breaking: o.replay.breaking.clone(),
            replay: o.replay.clone(),
        }
    }
}

/// How small a breaking schedule is: faults that fired, the ticks they fired at, the faults.
type Rank = (usize, Vec<Tick>, Vec<Fault>);

/// What a check found, before its smallest breaking schedule is narrated: what a Web
/// Worker sends back (the page narrates the one run itself).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub k: u8,
    pub schedules: u64,
    pub breaking: u64,
    pub finished: bool,
    /// The smallest breaking schedule's faults.
    pub smallest: Option<Vec<Fault>>,
}

/// Check `h` over every schedule with at most `k` (clamped to 0..=3) faults.
pub fn check(h: &Handler, setup: &Setup, k: u8) -> Check {
    verdict(h, setup, &search(h, setup, k))
}

/// Run every schedule with at most `k` (clamped to 0..=3) faults, quietly.
pub fn search(h: &Handler, setup: &Setup, k: u8) -> Found {
    let k = k.min(MAX_K);
    let mut queue: VecDeque<Vec<Fault>> = VecDeque::from([Vec::new()]);
    let mut seen: BTreeSet<Vec<Fault>> = BTreeSet::from([Vec::new()]);
    let mut schedules = 0u64;
    let mut breaking = 0u64;
    let mut best: Option<(Rank, Vec<Fault>)> = None;
    let mut finished = true;
    while let Some(faults) = queue.pop_front() {
        if schedules >= MAX_SCHEDULES {
            finished = false;
            break;
        }
        schedules += 1;
        let o = run_quiet(h, setup, &faults);
        if !o.problems.is_empty() {
            breaking += 1;
            let mut ticks: Vec<Tick> = o.fired.iter().map(|f| f.0).collect();
            ticks.sort_unstable();
            let key = (o.fired.len(), ticks, o.fired.iter().map(|f| f.1).collect());
            if best.as_ref().is_none_or(|(b, _)| key < *b) {
                best = Some((key, faults.clone()));
            }
        }
        if faults.len() < k as usize {
            for p in &o.points {
                if faults.contains(p) {
                    continue;
                }
                let mut child = faults.clone();
                child.push(*p);
                child.sort();
                if seen.insert(child.clone()) {
                    queue.push_back(child);
                }
            }
        }
    }
    Found {
        k,
        schedules,
        breaking,
        finished,
        smallest: best.map(|(_, f)| f),
    }
}

/// The verdict on what a search found, its smallest breaking schedule run again narrated.
pub fn verdict(h: &Handler, setup: &Setup, found: &Found) -> Check {
    let g = setup.goal;
    let mut goals = vec!["every balance right"];
    if g.charge {
        goals.push("every payment charged once");
    }
    if g.downstream {
        goals.push("every downstream event once");
    }
    Check {
        handler: h.encode(),
        k: found.k,
        schedules: found.schedules,
        breaking: found.breaking,
        finished: found.finished,
        assumptions: setup.assume.words(),
        goals: goals.join(", "),
        counterexample: found
            .smallest
            .as_ref()
            .map(|f| Counterexample::of(&run(h, setup, f))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::workbench::{Assumptions, Setup};

    fn go(text: &str, k: u8) -> Check {
        let h = Handler::decode(text).unwrap();
        check(&h, &Setup::for_handler(&h), k)
    }

    #[test]
    fn apply_then_commit_breaks_with_one_crash_between() {
        let c = go("apply:add,commit-offset", 1);
        let ce = c.counterexample.as_ref().expect("breaks");
        assert_eq!(ce.faults.len(), 1, "{ce:?}");
        assert!(
            ce.narration.starts_with(
                "crash after `apply:add` and before `commit-offset` while handling txn-1"
            ),
            "{}",
            ce.narration
        );
        assert!(
            ce.narration.contains("txn-1 is applied twice"),
            "{}",
            ce.narration
        );
    }

    #[test]
    fn the_fault_free_run_of_a_sound_handler_is_right() {
        let c = go("begin,apply:add,commit,commit-offset", 0);
        assert_eq!((c.schedules, c.breaking), (1, 0));
        assert!(c.holds());
        let broken = go("begin,apply:add", 0);
        assert!(broken
            .counterexample
            .unwrap()
            .narration
            .starts_with("with no fault at all: txn-1 is never applied"));
    }

    #[test]
    fn no_faults_assumed_means_one_schedule() {
        let h = Handler::decode("apply:add,commit-offset").unwrap();
        let s = Setup {
            assume: Assumptions::NONE,
            ..Setup::for_handler(&h)
        };
        let c = check(&h, &s, 3);
        assert_eq!(c.schedules, 1);
        assert!(c.holds());
    }
}
