//! How big a check will be, known before it runs, and a smaller input that fits.

use super::{points, Model};
use crate::sim::params::{ParamError, Params, Role};
use crate::sim::run::RunConfig;
use crate::sim::scenarios;

/// What a check will cover, known before it runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Estimate {
    /// Schedules of at most `k` faults over the fault-free run's choice points (a lower
    /// bound: faults that cause retries add points).
    pub size: u64,
    /// A smaller input (parameter, value) whose space fits the budget, if needed.
    pub hint: Option<(&'static str, i64)>,
    /// Logical messages in the input.
    pub items: usize,
    /// The assumptions in words ([`Model::assumptions`]).
    pub assumptions: String,
}

impl Estimate {
    /// "Checks every schedule with … — on this run's 4 payments, random faults off."
    pub fn scope_words(&self, unit: crate::sim::ledger::LedgerUnit) -> String {
        let on = if self.items == 0 {
            "on this run".to_string()
        } else {
            format!("on this run's {}", unit.count(self.items))
        };
        format!(
            "Checks every schedule with {} — {on}, random faults off.",
            self.assumptions
        )
    }
}

/// A rough size of the space before exploring it, and a smaller input that fits
/// `budget` schedules when the scenario has an input-length parameter.
pub fn estimate(
    scenario: &str,
    seed: u64,
    params: &[(String, i64)],
    k: u8,
    budget: u64,
) -> Result<Estimate, ParamError> {
    let sc = scenarios::find(scenario)?;
    let p = Params::with(sc.info().params, params)?;
    let r = sc.build(
        &RunConfig {
            seed,
            params: params.to_vec(),
            manual: Vec::new(),
            random_faults: false,
        },
        &p,
    );
    let model = Model::probe(sc, seed, params);
    let pts = points(&r);
    let options: u64 = pts.iter().map(|p| model.faults(*p).len() as u64).sum();
    let assumptions = model.assumptions(k);
    let size = schedules_up_to(options, k);
    let items = r.workload.len();
    if size <= budget {
        return Ok(Estimate {
            size,
            hint: None,
            items,
            assumptions,
        });
    }
    // Choice points grow about linearly with the input: scale it down to fit.
    let length = sc.info().params.iter().find(|s| s.role == Role::Length);
    let hint = length.and_then(|spec| {
        let now = p.get(spec.name);
        let mut n = now;
        while n > spec.min.max(1) {
            n -= 1;
            let scaled = (options as f64 * n as f64 / now as f64).ceil() as u64;
            if schedules_up_to(scaled, k) <= budget {
                return Some((spec.name, n));
            }
        }
        None
    });
    Ok(Estimate {
        size,
        hint,
        items,
        assumptions,
    })
}

/// Σ_{i ≤ k} C(n, i), saturating.
pub(super) fn schedules_up_to(n: u64, k: u8) -> u64 {
    let mut total: u64 = 1;
    let mut c: u64 = 1;
    for i in 1..=u64::from(k) {
        if i > n {
            break;
        }
        c = c.saturating_mul(n - i + 1) / i;
        total = total.saturating_add(c);
    }
    total
}
