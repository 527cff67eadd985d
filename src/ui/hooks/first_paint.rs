//! Start-up: the first paint shows the header, the stage, playback and the
//! ledgers' balances and verdicts; the side panels, the course list and the ledgers'
//! counters and entries (together over half of the page's elements: 287 of 656 render
//! first) render one frame later, and the offline service worker registers then.
//! `make bench` measured Yew's first render 111 → 80 ms and mounted → first paint
//! 204 → 144 ms with the first two (docs/bench.md). tests/e2e/startup.test.mjs checks
//! that the first render is already right (no stage jump, the final balances).

use gloo::render::{request_animation_frame, AnimationFrame};
use gloo::timers::callback::Timeout;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// False on the first render; true from the task after the first paint (an animation
/// frame, then a 0 ms timeout), which also registers the offline service worker (no
/// work of its own before the first paint). Both handles cancel on drop.
#[hook]
pub fn use_after_first_paint() -> bool {
    let done = use_state(|| false);
    {
        let done = done.clone();
        use_effect_with((), move |_| {
            let timeout: Rc<RefCell<Option<Timeout>>> = Rc::new(RefCell::new(None));
            let keep = timeout.clone();
            let frame: AnimationFrame = request_animation_frame(move |_| {
                *keep.borrow_mut() = Some(Timeout::new(0, move || {
                    done.set(true);
                    crate::ui::offline::register();
                }));
            });
            move || {
                drop(frame);
                timeout.borrow_mut().take();
            }
        });
    }
    *done
}
