//! The scenario on screen, looked up once. A link names its scenario by id and
//! `share::decode` has already checked it; the state keeps the resolved
//! `&'static ScenarioInfo` so nothing downstream looks the id up again or needs a
//! fallback of its own.

use super::DEFAULT_SCENARIO;
use crate::sim::params::ParamError;
use crate::sim::run::ScenarioInfo;
use crate::sim::scenarios;
use std::fmt;
use std::ops::Deref;

/// A handle on one of `scenarios::all()`: `Copy`, compared by identity, and
/// dereferencing to its [`ScenarioInfo`] (so `scenario.title`, `scenario.params`, …).
#[derive(Copy, Clone)]
pub struct ScenarioRef(&'static ScenarioInfo);

impl ScenarioRef {
    /// The scenario with this id.
    pub fn find(id: &str) -> Result<ScenarioRef, ParamError> {
        scenarios::find(id).map(|s| ScenarioRef(s.info()))
    }

    /// The scenario with this id, else the default one and a sentence saying so (a
    /// state built from anything but a decoded link).
    pub fn resolve(id: &str) -> (ScenarioRef, Option<String>) {
        match ScenarioRef::find(id) {
            Ok(s) => (s, None),
            Err(_) => (
                ScenarioRef::find(DEFAULT_SCENARIO).expect("the default scenario exists"),
                Some(format!(
                    "unknown scenario '{}'; showing '{DEFAULT_SCENARIO}' instead",
                    crate::ui::export::clip(id)
                )),
            ),
        }
    }

    pub fn info(self) -> &'static ScenarioInfo {
        self.0
    }

    pub fn id(self) -> &'static str {
        self.0.id
    }
}

impl Deref for ScenarioRef {
    type Target = ScenarioInfo;
    fn deref(&self) -> &ScenarioInfo {
        self.0
    }
}

impl PartialEq for ScenarioRef {
    fn eq(&self, other: &ScenarioRef) -> bool {
        std::ptr::eq(self.0, other.0)
    }
}

impl Eq for ScenarioRef {}

impl PartialEq<str> for ScenarioRef {
    fn eq(&self, id: &str) -> bool {
        self.0.id == id
    }
}

impl PartialEq<&str> for ScenarioRef {
    fn eq(&self, id: &&str) -> bool {
        self.0.id == *id
    }
}

impl fmt::Debug for ScenarioRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ScenarioRef({})", self.0.id)
    }
}

impl fmt::Display for ScenarioRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_by_id_and_falls_back_with_a_reason() {
        let (w, why) = ScenarioRef::resolve("walkthrough");
        assert_eq!(w, "walkthrough");
        assert_eq!(w.title, scenarios::info("walkthrough").title);
        assert!(why.is_none());
        let (d, why) = ScenarioRef::resolve("nope");
        assert_eq!(d.id(), DEFAULT_SCENARIO);
        assert!(why.expect("a reason").contains("'nope'"));
        assert_ne!(w, d);
        assert_eq!(w, ScenarioRef::find("walkthrough").unwrap());
    }
}
