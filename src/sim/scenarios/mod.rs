//! One module per scenario, all of the same shape: a `static INFO: ScenarioInfo`
//! (parameters, narrative, "try this" prompts), a `build` that runs every technique
//! over one input stream and one fault schedule, and the invariants judged per
//! technique. Listed in the order of the teaching spec.

use super::params::{ParamError, Params};
use super::run::{RunConfig, RunResult, Scenario, ScenarioInfo};

pub mod declare;
pub mod plumbing;
mod prelude;
#[cfg(test)]
pub mod testkit;

/// Declares each scenario's module and lists its `SCENARIO` in `ALL`, in teaching
/// order: adding a scenario is one line here.
macro_rules! register {
    ($($name:ident::SCENARIO),* $(,)?) => {
        $(pub mod $name;)*

        /// Every scenario, in teaching order (Two Generals first, the incident last).
        pub fn all() -> &'static [&'static dyn Scenario] {
            static ALL: &[&dyn Scenario] = &[$(&$name::SCENARIO),*];
            ALL
        }
    };
}

register! {
    two_generals::SCENARIO,
    delivery_semantics::SCENARIO,
    telemetry::SCENARIO,
    walkthrough::SCENARIO,
    idempotent_ops::SCENARIO,
    dedup_window::SCENARIO,
    atomic_commit::SCENARIO,
    broker_eos::SCENARIO,
    eos_boundary::SCENARIO,
    zombie_fencing::SCENARIO,
    idempotency_keys::SCENARIO,
    outbox::SCENARIO,
    key_threading::SCENARIO,
    quarter_end::SCENARIO,
}

pub fn ids() -> Vec<&'static str> {
    all().iter().map(|s| s.info().id).collect()
}

pub fn find(id: &str) -> Result<&'static dyn Scenario, ParamError> {
    all()
        .iter()
        .copied()
        .find(|s| s.info().id == id)
        .ok_or_else(|| ParamError::UnknownScenario {
            name: id.to_string(),
            allowed: ids().iter().map(|s| s.to_string()).collect(),
        })
}

/// Validate the config against the scenario's parameters and run it.
pub fn run(id: &str, cfg: &RunConfig) -> Result<RunResult, ParamError> {
    let s = find(id)?;
    let params = Params::with(s.info().params, &cfg.params)?;
    Ok(s.build(cfg, &params))
}

/// Look up a scenario's static info by id (panics on an unknown id: for tests).
pub fn info(id: &str) -> &'static ScenarioInfo {
    match find(id) {
        Ok(s) => s.info(),
        Err(e) => panic!("{e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::testkit::{assert_deterministic, assert_try_this_runs};

    /// Two runs with the same seed and settings are equal, for every scenario: at its
    /// showcase seed and at every try-this prompt's seed and settings.
    #[test]
    fn every_scenario_is_deterministic() {
        for s in super::all() {
            let info = s.info();
            assert_deterministic(info.id, info.showcase_seed, &[]);
            for t in info.try_this {
                assert_deterministic(info.id, t.seed, t.set);
            }
        }
    }

    /// Every "try this" prompt of every scenario has valid settings.
    #[test]
    fn every_try_this_prompt_runs() {
        for s in super::all() {
            assert_try_this_runs(s.info());
        }
    }
}
