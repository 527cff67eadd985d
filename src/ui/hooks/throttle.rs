//! A value written out (to the address bar, to a framing page) right after the learner
//! acts (in the next task, off the input's frame), and at most once per interval while a
//! run plays.

use gloo::timers::callback::Timeout;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// Writes `(previous written value, new value)`.
pub type Write<T> = fn(Option<&T>, &T);

/// The latest value, what was last written and when, and the timer that writes the
/// latest value (`pending` until it fired; a fired timer is replaced by the next one,
/// never dropped from inside its own callback).
struct Throttle<T> {
    latest: Option<T>,
    written: Option<T>,
    at: f64,
    timer: Option<Timeout>,
    pending: bool,
}

impl<T> Default for Throttle<T> {
    fn default() -> Self {
        Throttle {
            latest: None,
            written: None,
            at: f64::NEG_INFINITY,
            timer: None,
            pending: false,
        }
    }
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn flush<T: Clone + PartialEq>(t: &mut Throttle<T>, write: Write<T>) {
    t.pending = false;
    let Some(v) = t.latest.clone() else {
        return;
    };
    if t.written.as_ref() == Some(&v) {
        return;
    }
    write(t.written.as_ref(), &v);
    t.written = Some(v);
    t.at = now_ms();
}

/// Write `value` with `write` whenever it changes: in the next task when `at_once`, else at
/// most once every `every_ms` (the last value always gets written). `None` writes
/// nothing. A pending write is cancelled with the component.
#[hook]
pub fn use_throttled<T>(value: Option<T>, at_once: bool, every_ms: f64, write: Write<T>)
where
    T: Clone + PartialEq + 'static,
{
    let cell: Rc<RefCell<Throttle<T>>> = use_mut_ref(Throttle::default);
    {
        let cell = cell.clone();
        use_effect_with(value, move |value| {
            if let Some(v) = value {
                let mut t = cell.borrow_mut();
                t.latest = Some(v.clone());
                let wait = every_ms - (now_ms() - t.at);
                if at_once || wait <= 0.0 {
                    // In a task of its own right after this one: the key press or click
                    // that changed the value gets its frame first (a `replaceState` costs
                    // ~4 ms of a step-back otherwise).
                    let again = cell.clone();
                    t.pending = true;
                    t.timer = Some(Timeout::new(0, move || {
                        flush(&mut again.borrow_mut(), write);
                    }));
                } else if !t.pending {
                    let again = cell.clone();
                    t.pending = true;
                    t.timer = Some(Timeout::new(wait.ceil() as u32, move || {
                        flush(&mut again.borrow_mut(), write);
                    }));
                }
            }
        });
    }
    use_effect_with((), move |_| move || drop(cell.borrow_mut().timer.take()));
}
