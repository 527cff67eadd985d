//! Quantities computed by running the simulator. Nothing here trusts a number typed
//! in a lesson: answers, distractors, reveal ticks and try goals are all values of
//! [`Quantity`]s over real runs.

use crate::course::model::{Goal, Lit, Op, Quantity, Setup};
use crate::sim::run::{RunConfig, RunResult};
use crate::sim::scenarios;
use std::collections::BTreeMap;
use std::fmt;

mod quantity;
mod step;
mod texts;

pub use quantity::{quantity, tick};
pub use step::*;
pub use texts::*;

/// A computed value.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Value {
    Int(i64),
    Bool(bool),
    /// Technique ids, sorted.
    Set(Vec<String>),
}

impl Value {
    fn kind(&self) -> &'static str {
        match self {
            Value::Int(_) => "a number",
            Value::Bool(_) => "yes/no",
            Value::Set(_) => "a set of techniques",
        }
    }
    /// How the value reads in a label (`labels` names technique ids).
    pub fn show(&self, labels: &BTreeMap<String, String>) -> String {
        match self {
            Value::Int(v) => v.to_string(),
            Value::Bool(true) => "yes".to_string(),
            Value::Bool(false) => "no".to_string(),
            Value::Set(s) if s.is_empty() => "none of them".to_string(),
            Value::Set(s) => s
                .iter()
                .map(|t| labels.get(t).cloned().unwrap_or_else(|| t.clone()))
                .collect::<Vec<_>>()
                .join(" and "),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.show(&BTreeMap::new()))
    }
}

/// Runs the simulator for setups, remembering each result.
#[derive(Default)]
pub struct Evaluator {
    cache: Vec<(String, RunConfig, RunResult)>,
}

/// The scenario and simulator configuration a setup describes.
pub fn config(default_scenario: &str, s: &Setup) -> Result<(String, RunConfig), String> {
    let scenario = s
        .scenario
        .clone()
        .unwrap_or_else(|| default_scenario.to_string());
    let sc = scenarios::find(&scenario).map_err(|e| e.to_string())?;
    let mut manual = Vec::new();
    for f in s.faults.iter().flatten() {
        match crate::sim::fault::Fault::from_code(f) {
            Some(x) => manual.push(x),
            None => return Err(format!("fault '{f}' is not in the share-link notation")),
        }
    }
    let params = s.params.iter().map(|(k, v)| (k.clone(), *v)).collect();
    Ok((
        scenario,
        RunConfig {
            seed: s.seed.unwrap_or(sc.info().showcase_seed),
            params,
            manual,
            random_faults: s.random_faults.unwrap_or(true),
        },
    ))
}

impl Evaluator {
    pub fn new() -> Evaluator {
        Evaluator::default()
    }

    /// The run a setup describes (run once, then remembered).
    pub fn run(&mut self, default_scenario: &str, s: &Setup) -> Result<&RunResult, String> {
        let (scenario, cfg) = config(default_scenario, s)?;
        if let Some(i) = self
            .cache
            .iter()
            .position(|(sc, c, _)| *sc == scenario && *c == cfg)
        {
            return Ok(&self.cache[i].2);
        }
        let r = scenarios::run(&scenario, &cfg).map_err(|e| e.to_string())?;
        if self.cache.len() >= 16 {
            self.cache.remove(0);
        }
        self.cache.push((scenario, cfg, r));
        Ok(&self.cache.last().expect("just pushed").2)
    }

    /// The value of `q` in the run of `setup` (scenario `sc` unless the setup names one).
    pub fn value(&mut self, sc: &str, setup: &Setup, q: &Quantity) -> Result<Value, String> {
        self.value_in(None, sc, setup, q)
    }

    /// The same, reading `made` when it is the run of `setup` already made (a quantity
    /// under another setup runs that setup).
    fn value_in(
        &mut self,
        made: Option<&RunResult>,
        sc: &str,
        setup: &Setup,
        q: &Quantity,
    ) -> Result<Value, String> {
        match q {
            Quantity::Const(Lit::Int(v)) => return Ok(Value::Int(*v)),
            Quantity::Const(Lit::Bool(b)) => return Ok(Value::Bool(*b)),
            Quantity::Under { setup: over, of } => {
                let s = setup.overlay(over);
                return self.value_in(None, sc, &s, of);
            }
            Quantity::Sum(parts) => {
                let mut total = 0i64;
                for p in parts {
                    match self.value_in(made, sc, setup, p)? {
                        Value::Int(v) => total += v,
                        other => {
                            return Err(format!("sum: a part is {}, not a number", other.kind()))
                        }
                    }
                }
                return Ok(Value::Int(total));
            }
            _ => {}
        }
        match made {
            Some(run) => quantity(run, q),
            None => quantity(self.run(sc, setup)?, q),
        }
    }

    /// Whether `goal` holds in the run of `setup`.
    pub fn goal_met(&mut self, sc: &str, setup: &Setup, goal: &Goal) -> Result<bool, String> {
        self.goal_met_in(None, sc, setup, goal)
    }

    /// Whether `goal` holds, reading `made` when it is the run of `setup` already made
    /// (a try step judges the run on the stage without running it again).
    pub fn goal_met_in(
        &mut self,
        made: Option<&RunResult>,
        sc: &str,
        setup: &Setup,
        goal: &Goal,
    ) -> Result<bool, String> {
        let a = self.value_in(made, sc, setup, &goal.when)?;
        let b = self.value_in(made, sc, setup, &goal.value)?;
        compare(&a, goal.op, &b)
    }
}

/// Compare two values; ordering needs numbers.
pub fn compare(a: &Value, op: Op, b: &Value) -> Result<bool, String> {
    if std::mem::discriminant(a) != std::mem::discriminant(b) {
        return Err(format!("cannot compare {} with {}", a.kind(), b.kind()));
    }
    Ok(match (op, a, b) {
        (Op::Eq, _, _) => a == b,
        (Op::Ne, _, _) => a != b,
        (op, Value::Int(x), Value::Int(y)) => match op {
            Op::Gt => x > y,
            Op::Lt => x < y,
            Op::Ge => x >= y,
            _ => x <= y,
        },
        _ => return Err(format!("only numbers can be ordered, not {}", a.kind())),
    })
}
