//! The catalogue: what the app offers on top of the scenarios. Every promise it makes
//! (each scenario's try-this prompts, then the common-confusion cards), opened and
//! checked by running the scenario. The vocabulary below it (`promise`, `run`, the
//! engine) names no scenario; this module may.

pub mod cards;

use super::promise::{keep, Evidence, Expect};
use super::run::RunConfig;
use super::scenarios;

/// A promise as the learner opens it: from a try-this prompt or a confusion card.
#[derive(Clone, Debug)]
pub struct Opened {
    pub scenario: &'static str,
    /// The prompt's label or the card's belief.
    pub name: &'static str,
    pub watch: &'static str,
    pub seed: u64,
    pub set: Vec<(String, i64)>,
    pub expect: &'static [Expect],
}

impl Opened {
    /// The run the prompt opens at `seed` (its own seed, or another to measure luck).
    pub fn config(&self, seed: u64) -> RunConfig {
        let mut cfg = RunConfig::seed(seed);
        cfg.params = self.set.clone();
        cfg
    }
    /// Does the run at `seed` keep the promise?
    pub fn kept_at(&self, seed: u64) -> Result<Vec<Evidence>, String> {
        let r = scenarios::run(self.scenario, &self.config(seed)).map_err(|e| e.to_string())?;
        keep(self.expect, &r, scenarios::info(self.scenario).unit)
    }
    /// How many of `seeds` keep the promise.
    pub fn hits(&self, seeds: std::ops::Range<u64>) -> u64 {
        seeds.filter(|s| self.kept_at(*s).is_ok()).count() as u64
    }
}

/// Every promise the app makes: each scenario's prompts, then the confusion cards.
pub fn every() -> Vec<Opened> {
    let mut out = Vec::new();
    for s in scenarios::all() {
        let info = s.info();
        for t in info.try_this {
            out.push(Opened {
                scenario: info.id,
                name: t.label,
                watch: t.watch,
                seed: t.seed,
                set: t.set.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
                expect: t.expect,
            });
        }
    }
    for c in cards::CONFUSIONS.iter() {
        let specs = scenarios::find(c.scenario)
            .map(|s| s.info().params)
            .unwrap_or(&[]);
        out.push(Opened {
            scenario: c.scenario,
            name: c.belief,
            watch: c.watch,
            seed: c.seed,
            set: cards::applicable(specs, c.set),
            expect: c.expect,
        });
    }
    out
}
