//! PLACEHOLDER — being written; replaced before landing.

use crate::sim::ledger::Ledger;
use crate::sim::params::Params;
use crate::sim::run::{RunConfig, RunResult, Scenario, ScenarioInfo};

pub struct BrokerEos;

static INFO: ScenarioInfo = ScenarioInfo {
    id: "broker-eos",
    title: "broker-eos",
    promise: "",
    sections: &[],
    explain: &[],
    params: &[],
    try_this: &[],
    showcase_seed: 1,
};

impl Scenario for BrokerEos {
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
