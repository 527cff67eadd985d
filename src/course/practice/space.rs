//! "Can it ever happen?" questions (`predict-space`): not what happens in one run, but
//! whether any schedule with at most k faults breaks a design. The exhaustive check
//! (`sim::explore`) answers: yes, with the smallest counterexample to replay, or no,
//! with the number of schedules checked and the failure model in words. Each question
//! pairs a design with a setting its guarantee depends on (a window's length, a key
//! made per attempt, fencing, the transaction boundary); `expect` is the author's
//! answer, entered independently (double entry, checked by the native test).

use crate::course::model::Setup;
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
    /// Further parameters the answer depends on, shown with the question at the
    /// values the check uses (the scenario's defaults unless `params` sets them).
    pub shows: &'static [&'static str],
    /// A fault the check does not place that a learner may think of, in words, shown
    /// with the question ("Not placed: …"); the native test checks the explorer's
    /// assumptions do not name it.
    pub not_placed: Option<&'static str>,
    /// A fault the settings place by hand (not one the check counts), in words.
    pub by_hand: Option<&'static str>,
}

/// The fields most questions leave empty.
const PLAIN: SpaceQuestion = SpaceQuestion {
    id: "",
    scenario: "",
    technique: "",
    params: &[],
    k: 2,
    expect: false,
    shows: &[],
    not_placed: None,
    by_hand: None,
};

/// At least one per scenario whose guarantee depends on an assumption that the
/// explorer's failure model reaches, each answered both ways where the setting flips
/// it: a dedup window's length, the transaction boundary, a producer's identity, key
/// per charge, key threading. (Zombie fencing is left out: its failure is a pause the
/// parameters set, and its fault-free run offers the explorer no choice point.)
pub const QUESTIONS: &[SpaceQuestion] = &[
    SpaceQuestion {
        id: "ttl-shorter-than-delay",
        scenario: "dedup-window",
        technique: "dedup-ttl",
        params: &[],
        k: 2,
        expect: true,
        shows: DEDUP_SHOWS,
        ..PLAIN
    },
    SpaceQuestion {
        id: "ttl-longer-than-delay",
        scenario: "dedup-window",
        technique: "dedup-ttl",
        params: &[("ttl_ticks", 200)],
        k: 2,
        expect: false,
        shows: DEDUP_SHOWS,
        ..PLAIN
    },
    SpaceQuestion {
        id: "atomic-commit",
        scenario: "atomic-commit",
        technique: "atomic",
        params: &[],
        k: 2,
        expect: false,
        ..PLAIN
    },
    SpaceQuestion {
        id: "ledger-first",
        scenario: "atomic-commit",
        technique: "non-atomic",
        params: &[],
        k: 2,
        expect: true,
        ..PLAIN
    },
    SpaceQuestion {
        id: "eos-only-sink",
        scenario: "eos-boundary",
        technique: "eos-only",
        params: &[],
        k: 2,
        expect: true,
        ..PLAIN
    },
    SpaceQuestion {
        id: "eos-unique-column",
        scenario: "eos-boundary",
        technique: "eos-unique-column",
        params: &[],
        k: 2,
        expect: false,
        ..PLAIN
    },
    SpaceQuestion {
        id: "idempotent-producer",
        scenario: "broker-eos",
        technique: "idempotent-producer",
        params: &[],
        k: 2,
        expect: false,
        not_placed: Some("a crash or restart of the producer (in this question it never restarts)"),
        ..PLAIN
    },
    SpaceQuestion {
        id: "idempotent-producer-restart",
        scenario: "broker-eos",
        technique: "idempotent-producer",
        params: &[("producer_crash_at", 4)],
        k: 2,
        expect: true,
        by_hand: Some("a producer crash set by hand"),
        ..PLAIN
    },
    SpaceQuestion {
        id: "key-per-request",
        scenario: "idempotency-keys",
        technique: "idempotency-key",
        params: &[],
        k: 2,
        expect: false,
        shows: KEY_SHOWS,
        not_placed: Some("a crash or restart of a client (only the API server crashes here)"),
        ..PLAIN
    },
    SpaceQuestion {
        id: "key-per-attempt",
        scenario: "idempotency-keys",
        technique: "idempotency-key",
        params: &[("fresh_key_bug", 1)],
        k: 2,
        expect: true,
        shows: KEY_SHOWS,
        not_placed: Some("a crash or restart of a client (only the API server crashes here)"),
        ..PLAIN
    },
    // Key threading: one fault is enough to tell the designs apart (and keeps the
    // page's check small: 161 schedules).
    SpaceQuestion {
        id: "key-kept-every-hop",
        scenario: "key-threading",
        technique: "keyed-all-the-way",
        params: &[],
        k: 1,
        expect: false,
        ..PLAIN
    },
    SpaceQuestion {
        id: "key-dropped-at-one-stage",
        scenario: "key-threading",
        technique: "one-stage-drops-key",
        params: &[],
        k: 1,
        expect: true,
        ..PLAIN
    },
];

/// A dedup window's answer turns on its TTL against the longest copy delay.
const DEDUP_SHOWS: &[&str] = &["ttl_ticks", "dup_delay_max_ticks"];

/// A key's "no" holds only while the server keeps the key longer than the client
/// goes on retrying (a shorter key TTL breaks it).
const KEY_SHOWS: &[&str] = &["key_ttl_ticks", "timeout_ticks", "retries_max"];

/// A label as a question shows it: without the "(bug)" a technique or setting is
/// tagged with elsewhere, which would give the answer away.
pub fn neutral(label: &str) -> String {
    label.replace(" (bug)", "")
}

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
    /// The prompt, filled from the question's data and the faults the check places
    /// (`assumptions`, the explorer's words: "at most 2 of: a lost transmission, …").
    pub fn prompt(&self, label: &str, assumptions: &str) -> String {
        let faults = if self.k == 1 { "fault" } else { "faults" };
        let each = match fault_kinds(self.k, assumptions).as_slice() {
            [] => String::new(),
            [one] if self.k == 1 => format!(", {one}"),
            [one] => format!(", each {one}"),
            [rest @ .., last] => format!(
                ", {} {} or {last}",
                if self.k == 1 { "be it" } else { "each" },
                rest.join(", ")
            ),
        };
        let hand = self.by_hand.map_or(String::new(), |h| format!("{h} and "));
        format!(
            "With {hand}at most {} {faults}{each}, can “{label}” ever end wrong?",
            self.k
        )
    }

    /// The failure model the check draws its schedules from, in the explorer's words
    /// (learned from probe runs, without checking any schedule).
    pub fn assumptions(&self) -> Result<String, String> {
        let ex = crate::sim::explore::Explorer::new(self.sweep()?).map_err(|e| e.to_string())?;
        ex.result
            .space
            .map(|s| s.assumptions)
            .ok_or_else(|| "not an exhaustive check".to_string())
    }

    /// What the learner is told with the question, before answering: the faults the
    /// check places, what it does not place, and what is set by hand.
    pub fn shown_assumptions(&self) -> Result<Vec<String>, String> {
        let a = self.assumptions()?;
        let kinds = fault_kinds(self.k, &a);
        let mut out = vec![if kinds.is_empty() {
            format!("Faults the check places: {a}.")
        } else {
            format!(
                "Faults the check places (at most {} in a schedule): {}.",
                self.k,
                kinds.join("; ")
            )
        }];
        if let Some(n) = self.not_placed {
            out.push(format!("Not placed: {n}."));
        }
        if let Some(h) = self.by_hand {
            out.push(format!("Also in every schedule: {h}."));
        }
        Ok(out)
    }

    /// The settings the answer depends on, in words, from the scenario's parameter
    /// labels: each of `shows`, then each of `params`, at the value the check uses.
    pub fn settings(&self) -> Vec<String> {
        let Ok(sc) = scenarios::find(self.scenario) else {
            return Vec::new();
        };
        let mut names: Vec<&str> = self.shows.to_vec();
        for (n, _) in self.params {
            if !names.contains(n) {
                names.push(n);
            }
        }
        names
            .into_iter()
            .filter_map(|n| {
                let p = sc.info().params.iter().find(|p| p.name == n)?;
                let v = self
                    .params
                    .iter()
                    .find(|(m, _)| *m == n)
                    .map_or(p.default, |(_, v)| *v);
                let v = match p.unit {
                    Unit::Flag => (if v == 0 { "off" } else { "on" }).to_string(),
                    // A moment, not a duration ("Producer crash at: tick 4").
                    Unit::Ticks if n.ends_with("_at") => format!("tick {v}"),
                    // A count needs no unit ("Retries: 4").
                    Unit::Count => v.to_string(),
                    Unit::Choice(names) => {
                        names.get(v as usize).copied().unwrap_or("?").to_string()
                    }
                    u => format!("{v} {}", u.name()),
                };
                Some(format!("{}: {v}", neutral(p.label)))
            })
            .collect()
    }

    fn sweep(&self) -> Result<SweepConfig, String> {
        let sc = scenarios::find(self.scenario).map_err(|e| e.to_string())?;
        Ok(SweepConfig {
            scenario: self.scenario.to_string(),
            runs: crate::sim::explore::MAX_SCHEDULES,
            seed: sc.info().showcase_seed,
            params: self
                .params
                .iter()
                .map(|(n, v)| (n.to_string(), *v))
                .collect(),
            faults: self.k,
        })
    }

    /// The smallest breaking run in words: a run that breaks with no fault of the
    /// check's is said to break with the fault set by hand, where there is one.
    fn smallest_words(&self, c: &crate::sim::sweep::Counterexample) -> String {
        match (c.faults, self.by_hand) {
            (0, Some(h)) => format!("Smallest: with {h} and no other fault, {}", c.summary),
            _ => c.words(),
        }
    }

    /// The design's label (the scenario's technique table).
    pub fn label(&self) -> String {
        scenarios::find(self.scenario)
            .ok()
            .and_then(|sc| sc.techniques().into_iter().find(|t| t.id == self.technique))
            .map_or_else(|| self.technique.to_string(), |t| neutral(t.label))
    }

    /// Check every schedule with at most `k` faults.
    pub fn answer(&self) -> Result<SpaceAnswer, String> {
        let r = explore(self.sweep()?).map_err(|e| e.to_string())?;
        let t = r
            .techniques
            .iter()
            .find(|t| t.id == self.technique)
            .ok_or_else(|| format!("no technique '{}'", self.technique))?;
        let space = r.space.clone().ok_or("not an exhaustive check")?;
        Ok(SpaceAnswer {
            can: t.violations > 0,
            checked: space.checked,
            finished: space.finished,
            assumptions: space.assumptions,
            settings: self.settings(),
            label: neutral(&t.label),
            smallest: t
                .smallest
                .as_ref()
                .map(|c| (self.smallest_words(c), c.config.clone())),
        })
    }
}

/// The fault kinds in the explorer's words "at most k of: a, b, c" (none if it
/// places none), each able to stand alone ("a duplicated one" → "a duplicated
/// transmission").
pub fn fault_kinds(k: u8, assumptions: &str) -> Vec<String> {
    assumptions
        .strip_prefix(&format!("at most {k} of: "))
        .map_or_else(Vec::new, |rest| {
            rest.split(", ")
                .map(|s| s.replacen(" one", " transmission", 1))
                .collect()
        })
}

/// The question with this id.
pub fn find_space(id: &str) -> Option<&'static SpaceQuestion> {
    QUESTIONS.iter().find(|q| q.id == id)
}

impl SpaceQuestion {
    /// The question's setting as a lesson step's setup (what a predict-space step puts
    /// on the stage before the answer): its scenario at the showcase seed (the check's)
    /// with its parameters, its design on the stage, and random faults off — the
    /// fault-free run; the check places the faults.
    pub fn setup(&self) -> Setup {
        Setup {
            scenario: Some(self.scenario.to_string()),
            seed: scenarios::find(self.scenario)
                .ok()
                .map(|sc| sc.info().showcase_seed),
            params: self
                .params
                .iter()
                .map(|(n, v)| (n.to_string(), *v))
                .collect(),
            faults: None,
            random_faults: Some(false),
            technique: Some(self.technique.to_string()),
        }
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
