//! Start-up (issue 14): the first paint shows the header, the stage, playback and the
//! ledgers; the side panels and the course list (about half of the page's elements)
//! render one frame later. `make bench` measured Yew's first render 111 → 80 ms and
//! mounted → first paint 204 → 144 ms with this (docs/bench.md).

use gloo::render::{request_animation_frame, AnimationFrame};
use gloo::timers::callback::Timeout;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// False on the first render; true from the task after the first paint (an animation
/// frame, then a 0 ms timeout). Both handles cancel on drop.
#[hook]
pub fn use_after_first_paint() -> bool {
    let done = use_state(|| false);
    {
        let done = done.clone();
        use_effect_with((), move |_| {
            let timeout: Rc<RefCell<Option<Timeout>>> = Rc::new(RefCell::new(None));
            let keep = timeout.clone();
            let frame: AnimationFrame = request_animation_frame(move |_| {
                *keep.borrow_mut() = Some(Timeout::new(0, move || done.set(true)));
            });
            move || {
                drop(frame);
                timeout.borrow_mut().take();
            }
        });
    }
    *done
}
