//! Start-up, region by region: the first render mounts the top of the first
//! screen (the header, or an embed's title bar); a lesson's step and the stage's tabs,
//! the stage's drawing and narration, playback, the ledgers' balances, the course list,
//! the side panel (its top, then the rest), and at last the ledgers' counters and
//! entries with the `App`'s hooks the first screen does not need (`Wiring`) follow, one
//! a frame, each in a task of its own after the previous frame was painted. No task
//! then renders and lays out the whole page (about 500 elements): on a phone that task
//! blocked input for 150–230 ms. Once every region is in the page the root gets
//! `data-mounted` (tests/e2e/lib.mjs `waitForApp` waits for it) and the offline service
//! worker registers.

use gloo::render::{request_animation_frame, AnimationFrame};
use gloo::timers::callback::Timeout;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// The step at which each region mounts. Regions mount in the order the page shows them,
/// top to bottom, so that nothing already painted moves when the next one arrives.
#[derive(Clone, Copy, PartialEq)]
pub(super) struct Plan {
    /// A lesson's step, or the home page's "where to start" (the header or the embed's
    /// title bar come first, alone).
    pub lesson: u8,
    /// The stage's frame and its technique tabs.
    pub stage: u8,
    /// The stage's drawing, its narration and its announcer.
    pub drawing: u8,
    pub playback: u8,
    /// The ledgers' balances and verdicts.
    pub ledgers: u8,
    /// The course list and the scenarios (not in embeds).
    pub nav: u8,
    /// The side panel of settings and explanations (not in embeds): its top (the
    /// scenario's introduction and the settings)...
    pub side: u8,
    /// ...then the rest below them (sharing, sweeps, the futures from here, the
    /// confusions), appended under what is already painted.
    pub side_rest: u8,
    /// Everything mounted: the ledgers' counters and entries come with it, and the `App`'s
    /// hooks the first screen does not need (`Wiring`: the keyboard, the link in the
    /// address bar, ...) and file drops.
    pub last: u8,
}

impl Plan {
    /// `ledgers_first`: the page shows the ledgers above the stage (a lesson on a phone,
    /// `static/app.css`), so they mount before it.
    pub fn new(embed: bool, ledgers_first: bool) -> Plan {
        if ledgers_first && !embed {
            return Plan {
                lesson: 1,
                ledgers: 2,
                stage: 3,
                drawing: 3,
                playback: 4,
                nav: 5,
                side: 6,
                side_rest: 7,
                last: 8,
            };
        }
        Plan {
            lesson: 1,
            stage: 1,
            drawing: 2,
            playback: 3,
            ledgers: 4,
            nav: 5,
            side: 6,
            side_rest: 7,
            last: if embed { 5 } else { 8 },
        }
    }
}

/// Whether a lesson's page shows the ledgers above the stage: on a phone (the width
/// `static/app.css` lays a lesson out for), unless a panel of its own (the generals')
/// judges the scenario.
pub(super) fn ledgers_first(in_lesson: bool, generals: bool) -> bool {
    in_lesson
        && !generals
        && web_sys::window()
            .and_then(|w| w.match_media("(max-width: 700px)").ok().flatten())
            .is_some_and(|m| m.matches())
}

/// The style of a column's place while it waits for its step (the grid keeps its place;
/// on a phone the column is below the centre, which grows as it mounts: a visible box
/// moved would count as a layout shift).
pub(super) const PENDING: &str = "visibility: hidden";

/// The start-up plan for the state the app opens with, and how many of its steps have
/// mounted.
#[hook]
pub(super) fn use_mount(state: &crate::ui::state::State) -> (u8, Plan) {
    let plan = {
        let generals = super::regions::has_generals(&state.run);
        let (embed, in_lesson) = (state.embed, state.lesson.is_some());
        *use_memo((), move |_| {
            Plan::new(embed, ledgers_first(in_lesson, generals))
        })
    };
    (use_mount_step(plan.last), plan)
}

/// How many steps of the start-up have mounted: 0 in the first render, one more in the
/// task after each paint, up to `last`, when the service worker registers. Both handles
/// cancel on drop.
#[hook]
fn use_mount_step(last: u8) -> u8 {
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
