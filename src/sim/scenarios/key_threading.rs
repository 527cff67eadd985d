//! PLACEHOLDER — being written; replaced before landing.

use crate::sim::ledger::Ledger;
use crate::sim::params::Params;
use crate::sim::run::{RunConfig, RunResult, Scenario, ScenarioInfo};

pub struct KeyThreading;

static INFO: ScenarioInfo = ScenarioInfo {
    id: "key-threading",
    title: "key-threading",
    promise: "",
    sections: &[],
    explain: &[],
    params: &[],
    try_this: &[],
    showcase_seed: 1,
};

impl Scenario for KeyThreading {
    fn info(&self) -> &'static ScenarioInfo {
        &INFO
    }
    fn build(&self, cfg: &RunConfig, params: &Params) -> RunResult {
        RunResult {
            scenario: INFO.id.to_string(),
            config: cfg.clone(),
            params: params.clone(),
            workload: Vec::new(),
            truth: Ledger::default(),
            techniques: Vec::new(),
        }
    }
}
