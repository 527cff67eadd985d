//! The "common confusions" cards: a belief, why it is wrong, and the experiment that
//! refutes it — with the seed it opens with and what it promises, checked like a
//! try-this prompt ([`crate::sim::promise`]). Each card lives in its scenario's
//! `text.json` (`ScenarioInfo::cards`); this gathers them in teaching order.

use crate::sim::params::ParamSpec;
use crate::sim::promise::Expect;
use crate::sim::scenarios;
use std::sync::LazyLock;

/// One common confusion and the experiment that answers it, with its scenario.
#[derive(Copy, Clone, Debug)]
pub struct Confusion {
    pub belief: &'static str,
    pub answer: &'static str,
    pub scenario: &'static str,
    /// Settings for the experiment.
    pub set: &'static [(&'static str, i64)],
    pub watch: &'static str,
    /// The seed the experiment opens with, chosen so that `expect` holds.
    pub seed: u64,
    /// What `watch` promises, as a check on the run.
    pub expect: &'static [Expect],
}

/// Every scenario's cards, in teaching order (a card's place here is its number in
/// `Action::Confusion`).
pub static CONFUSIONS: LazyLock<Vec<Confusion>> = LazyLock::new(|| {
    let mut out = Vec::new();
    for s in scenarios::all() {
        let info = s.info();
        for c in info.cards {
            out.push(Confusion {
                belief: c.prompt.label,
                answer: c.answer,
                scenario: info.id,
                set: c.prompt.set,
                watch: c.prompt.watch,
                seed: c.prompt.seed,
                expect: c.prompt.expect,
            });
        }
    }
    out
});

/// The settings of `set` that `specs` declares (so a link never sets an unknown parameter).
pub fn applicable(specs: &[ParamSpec], set: &[(&str, i64)]) -> Vec<(String, i64)> {
    set.iter()
        .filter(|(n, v)| specs.iter().any(|s| s.name == *n && s.check(*v).is_ok()))
        .map(|(n, v)| (n.to_string(), *v))
        .collect()
}
