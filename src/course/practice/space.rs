//! "Can it ever happen?" questions (`predict-space`): not what happens in one run, but
//! whether any schedule with at most k faults breaks a design. The exhaustive check
//! (`sim::explore`) answers: yes, with the smallest counterexample to replay, or no,
//! with the number of schedules checked and the failure model in words. Each question
//! pairs a design with a setting its guarantee depends on (a window's length, a key
//! made per attempt, fencing, the transaction boundary); `expect` is the author's
//! answer, entered independently (double entry, checked by the native test).

use crate::sim::explore::explore;
use crate::sim::params::Unit;
use crate::sim::run::RunConfig;
use crate::sim::scenarios;
use crate::sim::sweep::SweepConfig;

/// One "can it ever happen?" question.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct SpaceQuestion {
    /// Stable id (`data-space-question`, host messages).
    pub id: &'static str,
    pub scenario: &'static str,
    pub technique: &'static str,
    /// Settings laid over the scenario's defaults (at its showcase seed).
    pub params: &'static [(&'static str, i64)],
    /// At most this many faults per schedule.
    pub k: u8,
    /// The author's answer: can the design end wrong?
    pub expect: bool,
}

/// At least one per scenario whose guarantee depends on an assumption that the
/// explorer's failure model reaches, each answered both ways where the setting flips
/// it. (Zombie fencing is left out: its failure is a pause the parameters set, and its
/// fault-free run offers the explorer no choice point.)
pub const QUESTIONS: &[SpaceQuestion] = &[
    SpaceQuestion {
        id: "ttl-shorter-than-delay",
        scenario: "dedup-window",
        technique: "dedup-ttl",
        params: &[],
        k: 2,
        expect: true,
    },
    SpaceQuestion {
        id: "ttl-longer-than-delay",
        scenario: "dedup-window",
        technique: "dedup-ttl",
        params: &[("ttl_ticks", 200)],
        k: 2,
        expect: false,
    },
    SpaceQuestion {
        id: "atomic-commit",
        scenario: "atomic-commit",
        technique: "atomic",
        params: &[],
        k: 2,
        expect: false,
    },
    SpaceQuestion {
        id: "ledger-first",
        scenario: "atomic-commit",
        technique: "non-atomic",
        params: &[],
        k: 2,
        expect: true,
    },
    SpaceQuestion {
        id: "eos-only-sink",
        scenario: "eos-boundary",
        technique: "eos-only",
        params: &[],
        k: 2,
        expect: true,
    },
    SpaceQuestion {
        id: "eos-unique-column",
        scenario: "eos-boundary",
        technique: "eos-unique-column",
        params: &[],
        k: 2,
        expect: false,
    },
    SpaceQuestion {
        id: "idempotent-producer",
        scenario: "broker-eos",
        technique: "idempotent-producer",
        params: &[],
        k: 2,
        expect: false,
    },
    SpaceQuestion {
        id: "idempotent-producer-restart",
        scenario: "broker-eos",
        technique: "idempotent-producer",
        params: &[("loss_ack_per_mille", 0), ("producer_crash_at", 4)],
        k: 2,
        expect: true,
    },
    SpaceQuestion {
        id: "key-per-request",
        scenario: "idempotency-keys",
        technique: "idempotency-key",
        params: &[],
        k: 2,
        expect: false,
    },
    SpaceQuestion {
        id: "key-per-attempt",
        scenario: "idempotency-keys",
        technique: "idempotency-key",
        params: &[("fresh_key_bug", 1)],
        k: 2,
        expect: true,
    },
];

/// What the exhaustive check says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpaceAnswer {
    /// Some schedule breaks the design.
    pub can: bool,
    /// Schedules run, and whether that was every one with at most k faults.
    pub checked: u64,
    pub finished: bool,
    /// The failure model in words (the explorer's own).
    pub assumptions: String,
    /// The settings, in words, from the scenario's parameter labels.
    pub settings: Vec<String>,
    /// The design's label in the run.
    pub label: String,
    /// The smallest breaking run (replay it: random faults off), in words and as a config.
    pub smallest: Option<(String, RunConfig)>,
}

impl SpaceQuestion {
    /// The prompt, filled from the question's data.
    pub fn prompt(&self, label: &str) -> String {
        let faults = if self.k == 1 { "fault" } else { "faults" };
        format!(
            "With at most {} {faults}, can “{label}” ever end wrong?",
            self.k
        )
    }

    /// The settings, in words, from the scenario's parameter labels.
    pub fn settings(&self) -> Vec<String> {
        let Ok(sc) = scenarios::find(self.scenario) else {
            return Vec::new();
        };
        self.params
            .iter()
            .filter_map(|(n, v)| {
                let p = sc.info().params.iter().find(|p| p.name == *n)?;
                let v = match p.unit {
                    Unit::Flag => (if *v == 0 { "off" } else { "on" }).to_string(),
                    Unit::Choice(names) => {
                        names.get(*v as usize).copied().unwrap_or("?").to_string()
                    }
                    u => format!("{v} {}", u.name()),
                };
                Some(format!("{}: {v}", p.label))
            })
            .collect()
    }

    /// The design's label (the scenario's technique table).
    pub fn label(&self) -> String {
        scenarios::find(self.scenario)
            .ok()
            .and_then(|sc| sc.techniques().into_iter().find(|t| t.id == self.technique))
            .map_or_else(|| self.technique.to_string(), |t| t.label.to_string())
    }

    /// Check every schedule with at most `k` faults.
    pub fn answer(&self) -> Result<SpaceAnswer, String> {
        let sc = scenarios::find(self.scenario).map_err(|e| e.to_string())?;
        let params: Vec<(String, i64)> = self
            .params
            .iter()
            .map(|(n, v)| (n.to_string(), *v))
            .collect();
        let r = explore(SweepConfig {
            scenario: self.scenario.to_string(),
            runs: crate::sim::explore::MAX_SCHEDULES,
            seed: sc.info().showcase_seed,
            params: params.clone(),
            faults: self.k,
        })
        .map_err(|e| e.to_string())?;
        let t = r
            .techniques
            .iter()
            .find(|t| t.id == self.technique)
            .ok_or_else(|| format!("no technique '{}'", self.technique))?;
        let space = r.space.clone().ok_or("not an exhaustive check")?;
        let settings = self.settings();
        Ok(SpaceAnswer {
            can: t.violations > 0,
            checked: space.checked,
            finished: space.finished,
            assumptions: space.assumptions,
            settings,
            label: t.label.clone(),
            smallest: t.smallest.as_ref().map(|c| (c.words(), c.config.clone())),
        })
    }
}

/// The questions about one scenario.
pub fn space_questions(scenario: &str) -> Vec<SpaceQuestion> {
    QUESTIONS
        .iter()
        .filter(|q| q.scenario == scenario)
        .copied()
        .collect()
}
