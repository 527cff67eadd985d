//! The failure model a check draws its schedules from: which faults the scenario's own
//! dice can fire on which hop, learned by probing runs with the rates turned up.

use super::Point;
use crate::sim::fault::Fault;
use crate::sim::ids::{NodeId, Tick};
use crate::sim::params::{Params, Unit};
use crate::sim::run::{RunConfig, Scenario};
use std::collections::BTreeMap;

/// Seeds the failure-model probe runs.
const PROBE_SEEDS: u64 = 12;

/// The faults the scenario's parameters can produce: per (kind, hop) the largest extra
/// delay its dice chose; per crash-point node the longest downtime.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Model {
    net: BTreeMap<(NetKind, u8), Tick>,
    crash_down: BTreeMap<NodeId, Tick>,
    /// The names of the processes that can crash, for the words.
    crash_names: BTreeMap<NodeId, String>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum NetKind {
    Lose,
    Duplicate,
    Delay,
}

impl Model {
    /// Learn the model from runs with every rate parameter (per-mille) at its maximum,
    /// and at a tenth and a half of it (a certain loss of the first transmission would
    /// hide every later one).
    pub fn probe(scenario: &dyn Scenario, seed: u64, params: &[(String, i64)]) -> Model {
        let mut m = Model::default();
        for (num, den) in [(1, 1), (1, 2), (1, 10)] {
            m.probe_at(scenario, seed, params, num, den);
        }
        m
    }

    fn probe_at(
        &mut self,
        scenario: &dyn Scenario,
        seed: u64,
        params: &[(String, i64)],
        num: i64,
        den: i64,
    ) {
        let info = scenario.info();
        let mut over: Vec<(String, i64)> = params.to_vec();
        for spec in info.params.iter().filter(|s| s.unit == Unit::PerMille) {
            over.retain(|(n, _)| n != spec.name);
            over.push((spec.name.to_string(), (spec.max * num / den).max(spec.min)));
        }
        let Ok(p) = Params::with(info.params, &over) else {
            return;
        };
        let m = self;
        for i in 0..PROBE_SEEDS {
            let cfg = RunConfig {
                seed: crate::sim::rng::derive_seed(seed, i),
                params: over.clone(),
                manual: Vec::new(),
                random_faults: true,
            };
            for t in &scenario.build(&cfg, &p).techniques {
                for f in &t.fired {
                    let (key, extra) = match *f {
                        Fault::Lose { hop, .. } => ((NetKind::Lose, hop), 0),
                        Fault::Duplicate { hop, extra, .. } => ((NetKind::Duplicate, hop), extra),
                        Fault::Delay { hop, extra, .. } => ((NetKind::Delay, hop), extra),
                        Fault::CrashAt { node, down, .. } => {
                            let d = m.crash_down.entry(node).or_insert(0);
                            *d = (*d).max(down);
                            if let Some(n) = t.nodes.iter().find(|n| n.id == node) {
                                m.crash_names.insert(node, n.name.clone());
                            }
                            continue;
                        }
                        _ => continue,
                    };
                    let e = m.net.entry(key).or_insert(0);
                    *e = (*e).max(extra);
                }
            }
        }
    }

    /// The faults this model allows at `p`.
    pub(crate) fn faults(&self, p: Point) -> Vec<Fault> {
        match p {
            Point::Net { hop, msg, attempt } => {
                let mut out = Vec::new();
                if self.net.contains_key(&(NetKind::Lose, hop)) {
                    out.push(Fault::Lose { hop, msg, attempt });
                }
                if let Some(&extra) = self.net.get(&(NetKind::Duplicate, hop)) {
                    out.push(Fault::Duplicate {
                        hop,
                        msg,
                        attempt,
                        extra: extra.max(1),
                    });
                }
                if let Some(&extra) = self.net.get(&(NetKind::Delay, hop)) {
                    if extra > 0 {
                        out.push(Fault::Delay {
                            hop,
                            msg,
                            attempt,
                            extra,
                        });
                    }
                }
                out
            }
            Point::Crash { node, msg, point } => match self.crash_down.get(&node) {
                Some(&down) => vec![Fault::CrashAt {
                    node,
                    msg,
                    point,
                    down,
                }],
                None => Vec::new(),
            },
        }
    }

    /// The assumptions in words: "at most 2 of: a lost transmission, a duplicated one
    /// (the copy up to 3 ticks later), a crash of the consumer at a crash point (down up
    /// to 4 ticks)".
    pub fn assumptions(&self, k: u8) -> String {
        let max = |kind: NetKind| {
            self.net
                .iter()
                .filter(|((k, _), _)| *k == kind)
                .map(|(_, t)| *t)
                .max()
        };
        let mut parts = Vec::new();
        if max(NetKind::Lose).is_some() {
            parts.push("a lost transmission".to_string());
        }
        if let Some(t) = max(NetKind::Duplicate) {
            parts.push(format!(
                "a duplicated one (the copy {} later)",
                ticks(u64::from(t.max(1)))
            ));
        }
        if let Some(t) = max(NetKind::Delay).filter(|t| *t > 0) {
            parts.push(format!("a delayed one ({})", ticks(u64::from(t))));
        }
        if let Some(d) = self.crash_down.values().max() {
            // Name who can crash: a learner must not think a process the model never
            // crashes (a client, a producer) is covered.
            let who: Vec<String> = self
                .crash_down
                .keys()
                .filter_map(|n| self.crash_names.get(n))
                .map(|n| format!("the {n}"))
                .collect();
            let of = if who.is_empty() {
                String::new()
            } else {
                format!(" of {}", who.join(" or "))
            };
            parts.push(format!(
                "a crash{of} at a crash point (down {})",
                ticks(u64::from(*d))
            ));
        }
        if parts.is_empty() {
            return "no faults: this scenario's model has none to place".to_string();
        }
        format!("at most {k} of: {}", parts.join(", "))
    }
}

fn ticks(n: u64) -> String {
    crate::sim::sweep::plural(n, "tick")
}
