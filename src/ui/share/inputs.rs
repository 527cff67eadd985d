//! [`Inputs`]: everything that determines the run on screen, as one value. A link
//! decodes into it, the reducer keeps it, [`RunData::compute`] runs it, and a lesson
//! step's setup becomes one; nothing takes it apart on the way.
//!
//! [`RunData::compute`]: crate::ui::state::RunData::compute

use super::ScenarioRef;
use crate::course::model::Setup;
use crate::sim::run::RunConfig;

/// The scenario and the simulator configuration (seed, parameter overrides in the
/// scenario's declaration order, hand-made faults, random faults on or off).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inputs {
    pub scenario: ScenarioRef,
    pub config: RunConfig,
}

impl Inputs {
    /// The scenario at its showcase seed and defaults, random faults on.
    pub fn new(scenario: ScenarioRef) -> Inputs {
        Inputs {
            scenario,
            config: RunConfig::seed(scenario.showcase_seed),
        }
    }

    /// The inputs a lesson setup describes (`default_scenario` unless it names one);
    /// a fault that is not in the share-link notation or an unknown scenario is refused.
    /// Parameters are kept as [`Inputs::with_params`] keeps them (lessons are validated,
    /// so none is refused).
    pub fn from_setup(default_scenario: &str, setup: &Setup) -> Result<Inputs, String> {
        let (id, config) = crate::course::eval::config(default_scenario, setup)?;
        let scenario = ScenarioRef::find(&id).map_err(|e| e.to_string())?;
        let params = config.params.clone();
        Ok(Inputs { scenario, config }.with_params(&params).0)
    }

    /// These inputs with parameter overrides `values` kept only where valid and not
    /// the default, in the scenario's declaration order; each refused value's reason
    /// is returned.
    pub fn with_params(mut self, values: &[(String, i64)]) -> (Inputs, Vec<String>) {
        let specs = self.scenario.params;
        let mut out: Vec<(String, i64)> = Vec::new();
        let mut refused = Vec::new();
        for (name, v) in values {
            match crate::sim::params::find(specs, name).and_then(|s| s.check(*v).map(|v| (s, v))) {
                Ok((spec, v)) => {
                    out.retain(|(n, _)| n != spec.name);
                    if v != spec.default {
                        out.push((spec.name.to_string(), v));
                    }
                }
                Err(e) => refused.push(e.to_string()),
            }
        }
        out.sort_by_key(|(n, _)| specs.iter().position(|s| s.name == n));
        self.config.params = out;
        (self, refused)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::course::model::Setup;

    #[test]
    fn a_setup_becomes_inputs_with_its_faults_parsed() {
        let setup = Setup {
            seed: Some(7),
            faults: Some(vec!["L0.1.0".into()]),
            random_faults: Some(false),
            ..Setup::default()
        };
        let i = Inputs::from_setup("walkthrough", &setup).unwrap();
        assert_eq!(i.scenario, "walkthrough");
        assert_eq!(i.config.seed, 7);
        assert_eq!(i.config.manual.len(), 1);
        assert!(!i.config.random_faults);
        let bad = Setup {
            faults: Some(vec!["nope".into()]),
            ..Setup::default()
        };
        assert!(Inputs::from_setup("walkthrough", &bad).is_err());
        // The showcase seed when the setup names none.
        let i = Inputs::from_setup("two-generals", &Setup::default()).unwrap();
        assert_eq!(i, Inputs::new(ScenarioRef::find("two-generals").unwrap()));
    }

    #[test]
    fn parameters_keep_valid_non_default_values_in_declaration_order() {
        let w = Inputs::new(ScenarioRef::find("walkthrough").unwrap());
        let (i, refused) = w.with_params(&[
            ("dup".into(), 500),
            ("dup_txn3".into(), 0),
            ("dup".into(), 5000),
            ("nope".into(), 1),
        ]);
        assert_eq!(refused.len(), 2, "{refused:?}");
        let names: Vec<&str> = i.config.params.iter().map(|(n, _)| n.as_str()).collect();
        let order: Vec<&str> = i
            .scenario
            .params
            .iter()
            .map(|s| s.name)
            .filter(|n| names.contains(n))
            .collect();
        assert_eq!(names, order);
        assert!(i.config.params.contains(&("dup".to_string(), 500)));
    }
}
