//! How the page is presented, apart from what it shows: the shortcut help, presenter
//! mode and reduced motion. A small reducer of its own (so a keyboard listener
//! registered once can toggle it), kept out of the simulation state and the URL.

use std::rc::Rc;
use yew::prelude::*;

/// Where the motion choice is remembered ("reduce" or "full"; unset: follow the system).
pub const MOTION_KEY: &str = "eop.motion";

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Prefs {
    pub help: bool,
    pub presenter: bool,
    /// The learner's choice; None follows `prefers-reduced-motion`.
    pub reduce_motion: Option<bool>,
    /// What the system asks for (`prefers-reduced-motion: reduce`).
    pub system_reduce: bool,
}

pub enum PrefAction {
    ToggleHelp,
    CloseHelp,
    TogglePresenter,
    /// Flip the effective motion setting (and remember it).
    ToggleMotion,
}

impl Prefs {
    pub fn new(system_reduce: bool, stored: Option<&str>) -> Prefs {
        Prefs {
            system_reduce,
            reduce_motion: match stored {
                Some("reduce") => Some(true),
                Some("full") => Some(false),
                _ => None,
            },
            ..Prefs::default()
        }
    }

    /// Whether tokens jump rather than glide.
    pub fn reduced(&self) -> bool {
        self.reduce_motion.unwrap_or(self.system_reduce)
    }

    /// What to store for the motion choice.
    pub fn stored_motion(&self) -> Option<&'static str> {
        self.reduce_motion
            .map(|r| if r { "reduce" } else { "full" })
    }
}

impl Reducible for Prefs {
    type Action = PrefAction;

    fn reduce(self: Rc<Self>, action: PrefAction) -> Rc<Self> {
        let mut p = (*self).clone();
        match action {
            PrefAction::ToggleHelp => p.help = !p.help,
            PrefAction::CloseHelp => {
                if !p.help {
                    return self;
                }
                p.help = false;
            }
            PrefAction::TogglePresenter => p.presenter = !p.presenter,
            PrefAction::ToggleMotion => p.reduce_motion = Some(!p.reduced()),
        }
        Rc::new(p)
    }
}

/// Draw the playhead at a whole tick when motion is reduced: tokens jump from one
/// position to the next instead of gliding.
pub fn drawn_pos(pos: f64, reduced: bool) -> f64 {
    if reduced {
        pos.floor()
    } else {
        pos
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn motion_follows_the_system_until_the_learner_chooses() {
        let p = Rc::new(Prefs::new(true, None));
        assert!(p.reduced());
        assert_eq!(p.stored_motion(), None);
        let p = p.reduce(PrefAction::ToggleMotion);
        assert!(!p.reduced());
        assert_eq!(p.stored_motion(), Some("full"));
        let p = Prefs::new(false, Some("reduce"));
        assert!(p.reduced());
        let p = Prefs::new(false, Some("bogus"));
        assert!(!p.reduced());
    }

    #[test]
    fn toggles() {
        let p = Rc::new(Prefs::default());
        let p = p.reduce(PrefAction::ToggleHelp);
        assert!(p.help);
        let p = p.reduce(PrefAction::CloseHelp);
        assert!(!p.help);
        let same = p.clone().reduce(PrefAction::CloseHelp);
        assert!(Rc::ptr_eq(&p, &same));
        let p = p.reduce(PrefAction::TogglePresenter);
        assert!(p.presenter);
    }

    #[test]
    fn reduced_motion_draws_whole_ticks() {
        assert_eq!(drawn_pos(12.7, true), 12.0);
        assert_eq!(drawn_pos(12.7, false), 12.7);
    }
}
