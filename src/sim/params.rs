//! Parameters: every knob has a name, unit, range and default; values outside the
//! range are rejected with a message that names the allowed values.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Unit {
    /// 0 or 1.
    Flag,
    Ticks,
    /// A probability in per mille (0..=1000).
    PerMille,
    Count,
    Rupees,
    /// One of a scenario-defined list; the value is the index.
    Choice(&'static [&'static str]),
}

impl Unit {
    pub fn name(&self) -> &'static str {
        match self {
            Unit::Flag => "on/off",
            Unit::Ticks => "ticks",
            Unit::PerMille => "‰",
            Unit::Count => "count",
            Unit::Rupees => "₹",
            Unit::Choice(_) => "choice",
        }
    }
}

#[derive(Copy, Clone, Debug, Serialize)]
pub struct ParamSpec {
    pub name: &'static str,
    pub label: &'static str,
    pub unit: Unit,
    pub min: i64,
    pub max: i64,
    pub default: i64,
    pub help: &'static str,
    /// What the parameter is to the tools that vary it (not part of its JSON).
    #[serde(skip)]
    pub role: Role,
}

/// What a parameter is to sweeps, checks and scope measurements.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Role {
    /// A setting of the scenario.
    Setting,
    /// The input's length (a count of messages, payments, …): shrinking a
    /// counterexample shortens it, and a check's scope is measured along it.
    Length,
}

impl ParamSpec {
    /// Parse a textual value (`on`/`off`/`true`/`false` for flags, a choice name, or an integer).
    pub fn parse(&self, text: &str) -> Result<i64, ParamError> {
        let t = text.trim();
        let v = match (self.unit, t) {
            (Unit::Flag, "on" | "true" | "yes") => Some(1),
            (Unit::Flag, "off" | "false" | "no") => Some(0),
            (Unit::Choice(names), _) => names.iter().position(|n| *n == t).map(|i| i as i64),
            _ => None,
        };
        let v = match v {
            Some(v) => v,
            None => t.parse::<i64>().map_err(|_| ParamError::BadValue {
                name: self.name.to_string(),
                value: text.to_string(),
                allowed: self.allowed(),
            })?,
        };
        self.check(v)
    }

    pub fn check(&self, v: i64) -> Result<i64, ParamError> {
        if v < self.min || v > self.max {
            return Err(ParamError::BadValue {
                name: self.name.to_string(),
                value: v.to_string(),
                allowed: self.allowed(),
            });
        }
        Ok(v)
    }

    /// "0..=1000 ‰", "on/off", "one of naive, keyed".
    pub fn allowed(&self) -> String {
        match self.unit {
            Unit::Flag => "on or off (1 or 0)".to_string(),
            Unit::Choice(names) => format!("one of {}", names.join(", ")),
            u => format!("{}..={} {}", self.min, self.max, u.name()),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ParamError {
    UnknownScenario {
        name: String,
        allowed: Vec<String>,
    },
    UnknownParam {
        name: String,
        allowed: Vec<String>,
    },
    BadValue {
        name: String,
        value: String,
        allowed: String,
    },
    Malformed {
        text: String,
    },
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamError::UnknownScenario { name, allowed } => write!(
                f,
                "unknown scenario '{name}'; allowed: {}",
                allowed.join(", ")
            ),
            ParamError::UnknownParam { name, allowed } => write!(
                f,
                "unknown parameter '{name}'; allowed: {}",
                allowed.join(", ")
            ),
            ParamError::BadValue {
                name,
                value,
                allowed,
            } => write!(f, "bad value '{value}' for '{name}'; allowed: {allowed}"),
            ParamError::Malformed { text } => {
                write!(f, "malformed setting '{text}'; expected name=value")
            }
        }
    }
}

impl std::error::Error for ParamError {}

/// Resolved parameter values of one run: every spec has a value, in spec order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Params {
    values: BTreeMap<String, i64>,
}

impl Params {
    pub fn defaults(specs: &[ParamSpec]) -> Params {
        Params {
            values: specs
                .iter()
                .map(|s| (s.name.to_string(), s.default))
                .collect(),
        }
    }

    /// Defaults overridden by `overrides`; each override is checked.
    pub fn with(specs: &[ParamSpec], overrides: &[(String, i64)]) -> Result<Params, ParamError> {
        let mut p = Params::defaults(specs);
        for (name, v) in overrides {
            p.set(specs, name, *v)?;
        }
        Ok(p)
    }

    pub fn set(&mut self, specs: &[ParamSpec], name: &str, v: i64) -> Result<(), ParamError> {
        let spec = find(specs, name)?;
        self.values.insert(name.to_string(), spec.check(v)?);
        Ok(())
    }

    /// Parse and set `name=value`.
    pub fn set_text(&mut self, specs: &[ParamSpec], assignment: &str) -> Result<(), ParamError> {
        let (name, value) = assignment
            .split_once('=')
            .ok_or_else(|| ParamError::Malformed {
                text: assignment.to_string(),
            })?;
        let spec = find(specs, name.trim())?;
        let v = spec.parse(value)?;
        self.values.insert(spec.name.to_string(), v);
        Ok(())
    }

    /// The value of `name`. Panics on a name the scenario did not declare: that is
    /// a bug in the scenario, caught by its tests, never by user input.
    pub fn get(&self, name: &str) -> i64 {
        match self.values.get(name) {
            Some(v) => *v,
            None => panic!("parameter '{name}' is not declared by this scenario"),
        }
    }

    pub fn flag(&self, name: &str) -> bool {
        self.get(name) != 0
    }

    pub fn ticks(&self, name: &str) -> u32 {
        self.get(name).clamp(0, u32::MAX as i64) as u32
    }

    /// A per-mille parameter (a fault rate) as the chance it stands for.
    pub fn chance(&self, name: &str) -> super::rng::Ratio {
        super::rng::Ratio::per_mille(self.get(name))
    }

    /// Values that differ from their defaults, in spec order (what share links keep).
    pub fn non_default(&self, specs: &[ParamSpec]) -> Vec<(String, i64)> {
        specs
            .iter()
            .filter_map(|s| {
                let v = self.get(s.name);
                (v != s.default).then(|| (s.name.to_string(), v))
            })
            .collect()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &i64)> {
        self.values.iter()
    }
}

pub fn find<'a>(specs: &'a [ParamSpec], name: &str) -> Result<&'a ParamSpec, ParamError> {
    specs
        .iter()
        .find(|s| s.name == name)
        .ok_or_else(|| ParamError::UnknownParam {
            name: name.to_string(),
            allowed: specs.iter().map(|s| s.name.to_string()).collect(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[ParamSpec] = &[
        ParamSpec {
            name: "loss",
            label: "Loss",
            unit: Unit::PerMille,
            min: 0,
            max: 1000,
            default: 100,
            help: "",
            role: Role::Setting,
        },
        ParamSpec {
            name: "dedup",
            label: "Dedup",
            unit: Unit::Flag,
            min: 0,
            max: 1,
            default: 1,
            help: "",
            role: Role::Setting,
        },
    ];

    #[test]
    fn parse_and_reject() {
        let mut p = Params::defaults(SPECS);
        p.set_text(SPECS, "loss=250").unwrap();
        p.set_text(SPECS, "dedup=off").unwrap();
        assert_eq!(p.get("loss"), 250);
        assert!(!p.flag("dedup"));
        assert_eq!(
            p.non_default(SPECS),
            vec![("loss".into(), 250), ("dedup".into(), 0)]
        );
        let e = p.set_text(SPECS, "loss=1001").unwrap_err().to_string();
        assert!(e.contains("0..=1000"), "{e}");
        let e = p.set_text(SPECS, "nope=1").unwrap_err().to_string();
        assert!(e.contains("allowed: loss, dedup"), "{e}");
        assert!(p.set_text(SPECS, "loss").is_err());
        assert!(p.set_text(SPECS, "loss=abc").is_err());
    }
}
