//! A build step's challenge: it must name a workbench challenge that can be met.

use crate::sim::workbench::challenges;

/// What is wrong with a build step's `challenge`: `Some(None)` when it is missing,
/// `Some(Some(why))` when it names no challenge or one that cannot be met, `None` when
/// it is fine.
pub(super) fn challenge_problem(id: Option<&str>) -> Option<Option<String>> {
    let Some(id) = id else {
        return Some(None);
    };
    match challenges::find(id) {
        None => Some(Some(format!(
            "'{id}' is not a workbench challenge (one of {})",
            challenges::ALL
                .iter()
                .map(|c| c.id)
                .collect::<Vec<_>>()
                .join(", ")
        ))),
        Some(c) if !c.possible => Some(Some(format!(
            "'{}' cannot be met: a build step asks for one that can",
            c.id
        ))),
        Some(_) => None,
    }
}
