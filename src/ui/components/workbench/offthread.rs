//! The workbench's check, as a hook both the page and a lesson's build step use
//! ([`use_check`]): with k = 1 it runs in the page (a few milliseconds); with k ≥ 2 in
//! the sweep's Web Worker (`crate::ui::worker`), so the page stays responsive while it
//! shows "Checking…". The worker sends back the counts and the smallest breaking
//! schedule; the page runs that one schedule again, narrated, for the counterexample.
//! A change to the handler, the challenge or k cancels a running check (the worker is
//! terminated). Where no worker can start, the check runs in the page.

use super::now_ms;
use crate::sim::workbench::{challenges, check, verdict, Check, Handler};
use crate::ui::worker::{decode_found, decode_reply, encode_workbench, Reply, WorkbenchRequest};
use gloo::events::EventListener;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MessageEvent, Worker};
use yew::prelude::*;

/// The worker loader, relative to the page (the sweep's; see `components/sweep.rs`).
const WORKER_URL: &str = "static/sweep-worker.js";
/// From this many faults per schedule the check runs in the worker.
pub const WORKER_K: u8 = 2;

/// A check's result and how long it took from the click, in milliseconds.
pub type Graded = (Result<Check, String>, f64);

/// A worker running one check; dropping it stops the check.
struct Job {
    worker: Worker,
    _message: EventListener,
    _error: EventListener,
}

impl Drop for Job {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

/// The check, in the page.
fn in_page(r: &WorkbenchRequest) -> Result<Check, String> {
    let h = &r.handler;
    challenges::setup_for(r.challenge.as_deref(), h).map(|s| check(h, &s, r.k))
}

/// Start a worker that runs `req` once it is ready and hands its answer to `done`.
fn start(req: WorkbenchRequest, done: Rc<dyn Fn(Result<Check, String>)>) -> Result<Job, String> {
    let worker = Worker::new(WORKER_URL).map_err(|e| format!("{e:?}"))?;
    let text = encode_workbench(&req);
    let fallback = req.clone();
    let message = {
        let (w, done) = (worker.clone(), done.clone());
        EventListener::new(&worker, "message", move |e| {
            let Some(m) = e
                .dyn_ref::<MessageEvent>()
                .and_then(|m| m.data().as_string())
            else {
                return;
            };
            if let Some(found) = decode_found(&m) {
                let h = &req.handler;
                let r = challenges::setup_for(req.challenge.as_deref(), h)
                    .map(|setup| verdict(h, &setup, &found));
                return done(r);
            }
            match decode_reply(&m) {
                Some(Reply::Ready) => {
                    let _ = w.post_message(&JsValue::from_str(&text));
                }
                Some(Reply::Error(e)) => done(Err(e)),
                _ => done(Err("the check's answer could not be read".into())),
            }
        })
    };
    // A worker that cannot start (or stops): the check runs in the page instead.
    let error = EventListener::new(&worker, "error", move |_| done(in_page(&fallback)));
    Ok(Job {
        worker,
        _message: message,
        _error: error,
    })
}

/// The check of a handler: its result, whether one is running, and how to start or
/// cancel one.
#[derive(Clone)]
pub struct CheckHandle {
    pub result: UseStateHandle<Option<Graded>>,
    pub running: UseStateHandle<bool>,
    job: Rc<RefCell<Option<Job>>>,
    pending: Rc<RefCell<Option<gloo::timers::callback::Timeout>>>,
}

impl CheckHandle {
    /// Check `h` (under `challenge`, with at most `k` faults); `then` hears the result
    /// before it is shown.
    pub fn run(
        &self,
        challenge: Option<&'static str>,
        handler: Handler,
        k: u8,
        then: Callback<Result<Check, String>>,
    ) {
        self.cancel();
        self.running.set(true);
        let t0 = now_ms();
        let (result, running) = (self.result.clone(), self.running.clone());
        let done: Rc<dyn Fn(Result<Check, String>)> = {
            let job = self.job.clone();
            Rc::new(move |r: Result<Check, String>| {
                then.emit(r.clone());
                result.set(Some((r, now_ms() - t0)));
                running.set(false);
                // The worker has answered (dropped after this event, not inside it).
                let job = job.clone();
                yew::platform::spawn_local(async move {
                    job.borrow_mut().take();
                });
            })
        };
        let req = WorkbenchRequest {
            challenge: challenge.map(str::to_string),
            handler,
            k,
        };
        if k >= WORKER_K {
            if let Ok(j) = start(req.clone(), done.clone()) {
                *self.job.borrow_mut() = Some(j);
                return;
            }
        }
        // In the page: let "Checking…" paint before the check holds the thread.
        *self.pending.borrow_mut() = Some(gloo::timers::callback::Timeout::new(16, move || {
            done(in_page(&req))
        }));
    }

    /// Stop a running check, if any.
    pub fn cancel(&self) {
        self.job.borrow_mut().take();
        self.pending.borrow_mut().take();
        if *self.running {
            self.running.set(false);
        }
    }

    /// Forget the result (the handler changed) and stop a running check.
    pub fn clear(&self) {
        self.cancel();
        self.result.set(None);
    }
}

/// A check of a handler that runs off the main thread from k = 2.
#[hook]
pub fn use_check() -> CheckHandle {
    CheckHandle {
        result: use_state(|| None::<Graded>),
        running: use_state(|| false),
        job: use_mut_ref(|| None::<Job>),
        pending: use_mut_ref(|| None::<gloo::timers::callback::Timeout>),
    }
}
