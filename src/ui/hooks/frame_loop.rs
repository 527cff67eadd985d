//! Animation frames while a run plays; dropping the handle cancels the loop.

use crate::ui::state::Action;
use gloo::render::{request_animation_frame, AnimationFrame};
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// Request the next animation frame, and from it the one after, until the handle in
/// `cell` is dropped (which cancels the pending frame).
fn frame_loop(cell: Rc<RefCell<Option<AnimationFrame>>>, dispatch: Callback<Action>) {
    let next = cell.clone();
    let frame = request_animation_frame(move |ts| {
        dispatch.emit(Action::Frame(ts));
        if next.borrow().is_some() {
            frame_loop(next, dispatch);
        }
    });
    *cell.borrow_mut() = Some(frame);
}

/// `Action::Frame` on every animation frame while `playing`.
#[hook]
pub fn use_frame_loop(playing: bool, dispatch: &Callback<Action>) {
    let dispatch = dispatch.clone();
    use_effect_with(playing, move |&playing| {
        let cell: Rc<RefCell<Option<AnimationFrame>>> = Rc::new(RefCell::new(None));
        if playing {
            frame_loop(cell.clone(), dispatch);
        }
        move || {
            cell.borrow_mut().take();
        }
    });
}
