//! The page's presentation (help, presenter mode, reduced motion) and the learner's
//! lesson progress, each remembered through `storage.rs`.

use crate::ui::prefs::{Prefs, MOTION_KEY};
use crate::ui::state::lesson::{Progress, PROGRESS_KEY};
use yew::prelude::*;

/// Whether the system asks for reduced motion.
fn system_reduces_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|m| m.matches())
}

/// The presentation reducer, its motion choice remembered once made.
#[hook]
pub fn use_prefs() -> UseReducerHandle<Prefs> {
    let prefs = use_reducer(|| {
        let stored = crate::ui::storage::get(MOTION_KEY);
        Prefs::new(system_reduces_motion(), stored.as_deref())
    });
    use_effect_with(prefs.stored_motion(), move |stored| {
        if let Some(v) = stored {
            crate::ui::storage::set(MOTION_KEY, v);
        }
    });
    prefs
}

/// Lesson progress follows the state into storage (once there is any).
#[hook]
pub fn use_progress_storage(progress: &Progress) {
    use_effect_with(progress.clone(), move |p| {
        if !p.lessons.is_empty() || crate::ui::storage::get(PROGRESS_KEY).is_some() {
            crate::ui::storage::set(PROGRESS_KEY, &p.to_json());
        }
    });
}

/// `?debug=panic`: panic once mounted, to show the panic overlay (e2e tests). Read at
/// the first render, before the URL sync rewrites the address bar.
#[hook]
pub fn use_debug_panic() {
    let requested = *use_memo((), |_| crate::ui::panic::requested());
    use_effect_with((), move |_| {
        if requested {
            panic!("a deliberate panic, requested by debug=panic in the link");
        }
    });
}
