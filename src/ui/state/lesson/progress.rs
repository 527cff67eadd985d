//! What the learner has done, remembered through `storage.rs` (`eop.lessons`).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the learner has done, per lesson id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    #[serde(default)]
    pub lessons: BTreeMap<String, LessonProgress>,
    /// When each finished lesson's predictions come back (`course::practice`).
    #[serde(
        default,
        skip_serializing_if = "crate::course::practice::Schedule::is_empty"
    )]
    pub practice: crate::course::practice::Schedule,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonProgress {
    /// The step last shown (0-based).
    #[serde(default)]
    pub step: usize,
    #[serde(default)]
    pub done: bool,
    /// `s<step>q<question>` → whether the first answer was right.
    #[serde(default)]
    pub answers: BTreeMap<String, bool>,
}

impl Progress {
    /// Stored progress; anything unreadable counts as none.
    pub fn parse(text: Option<&str>) -> Progress {
        text.and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or_default()
    }
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
    /// `new`, `started` or `done`.
    pub fn state_of(&self, id: &str) -> &'static str {
        match self.lessons.get(id) {
            None => "new",
            Some(p) if p.done => "done",
            Some(_) => "started",
        }
    }
}
