//! Start-up, region by region (issue 26): the first render mounts the top of the first
//! screen (the header, the scenario's title, a lesson's step, the technique tabs); the
//! stage's drawing and narration, playback, the
//! ledgers' balances, the course list, the side panel and the ledgers' counters and
//! entries follow, one a frame, each in a task of its own after the previous frame was
//! painted. No task then renders and lays out the whole page (about 500 elements): on a
//! phone that task blocked input for 150–230 ms. Once every region is in the page the
//! root gets `data-mounted` (tests/e2e/lib.mjs `waitForApp` waits for it) and the
//! offline service worker registers.

use gloo::render::{request_animation_frame, AnimationFrame};
use gloo::timers::callback::Timeout;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// The stage's drawing, its narration and its announcer mount in the second step (the
/// first has the header, a lesson's step and the technique tabs).
pub(super) const STAGE: u8 = 1;
/// Then playback.
pub(super) const PLAYBACK: u8 = 2;
/// Then the ledgers' balances and verdicts.
pub(super) const LEDGERS: u8 = 3;
/// Then the course list and the scenarios (not in embeds).
pub(super) const NAV: u8 = 4;
/// Then the side panel of settings and explanations (not in embeds).
pub(super) const SIDE: u8 = 5;

/// The last step: everything mounted (the ledgers' counters and entries come with it).
pub(super) fn last(embed: bool) -> u8 {
    if embed {
        LEDGERS + 1
    } else {
        SIDE + 1
    }
}

/// How many steps of the start-up have mounted: 0 in the first render, one more in the
/// task after each paint, up to `last`, when the service worker registers. Both handles
/// cancel on drop.
#[hook]
pub(super) fn use_mount_step(last: u8) -> u8 {
    let step = use_state(|| 0u8);
    {
        let step = step.clone();
        use_effect_with((*step, last), move |&(now, last)| {
            let timeout: Rc<RefCell<Option<Timeout>>> = Rc::new(RefCell::new(None));
            let keep = timeout.clone();
            let frame: Option<AnimationFrame> = if now < last {
                Some(request_animation_frame(move |_| {
                    *keep.borrow_mut() = Some(Timeout::new(0, move || step.set(now + 1)));
                }))
            } else {
                if now == last {
                    crate::ui::offline::register();
                }
                None
            };
            move || {
                drop(frame);
                timeout.borrow_mut().take();
            }
        });
    }
    *step
}
