//! The workbench's check, as a hook both the page and a lesson's build step use
//! ([`use_check`]): with k = 1 it runs in the page (a few milliseconds); with k ≥ 2 in
//! the sweep's Web Worker (`crate::ui::worker`), so the page stays responsive while it
//! shows "Checking…". The worker sends back the counts and the smallest breaking
//! schedule; the page runs that one schedule again, narrated, for the counterexample.
//! The worker starts with the page (a check does not wait for the module to start) and
//! serves every check; a change to the handler, the challenge or k cancels a running
//! check (that worker is terminated, a fresh one started). Where no worker can start,
//! the check runs in the page.

use super::now_ms;
use crate::sim::workbench::{challenges, check, verdict, Check, Handler};
use crate::ui::worker::{decode_found, decode_reply, encode_workbench, Reply, WorkbenchRequest};
use gloo::events::EventListener;
use std::cell::{Cell, RefCell};
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

/// What a worker's answer is handed to (the check waiting for it).
type Waiting = Rc<RefCell<Option<(WorkbenchRequest, Rc<dyn Fn(Result<Check, String>)>)>>>;

/// A worker, started ahead of the first check (so a check does not wait for the
/// module to start) and kept for the next one; dropping it stops a running check.
struct Job {
    worker: Worker,
    ready: Rc<Cell<bool>>,
    /// The check it runs (or will, once ready), and where its answer goes.
    waiting: Waiting,
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

/// The page's side of the worker's answer to `req`.
fn answer(req: &WorkbenchRequest, m: &str) -> Result<Check, String> {
    if let Some(found) = decode_found(m) {
        let h = &req.handler;
        return challenges::setup_for(req.challenge.as_deref(), h)
            .map(|setup| verdict(h, &setup, &found));
    }
    match decode_reply(m) {
        Some(Reply::Error(e)) => Err(e),
        _ => Err("the check's answer could not be read".into()),
    }
}

impl Job {
    fn start() -> Result<Job, String> {
        let worker = Worker::new(WORKER_URL).map_err(|e| format!("{e:?}"))?;
        let ready = Rc::new(Cell::new(false));
        let waiting: Waiting = Rc::new(RefCell::new(None));
        let message = {
            let (w, ready, waiting) = (worker.clone(), ready.clone(), waiting.clone());
            EventListener::new(&worker, "message", move |e| {
                let Some(m) = e
                    .dyn_ref::<MessageEvent>()
                    .and_then(|m| m.data().as_string())
                else {
                    return;
                };
                if decode_reply(&m) == Some(Reply::Ready) {
                    ready.set(true);
                    if let Some((req, _)) = &*waiting.borrow() {
                        let _ = w.post_message(&JsValue::from_str(&encode_workbench(req)));
                    }
                    return;
                }
                let Some((req, done)) = waiting.borrow_mut().take() else {
                    return;
                };
                done(answer(&req, &m));
            })
        };
        // A worker that cannot start (or stops): the check runs in the page instead.
        let error = {
            let (ready, waiting) = (ready.clone(), waiting.clone());
            EventListener::new(&worker, "error", move |_| {
                ready.set(false);
                if let Some((req, done)) = waiting.borrow_mut().take() {
                    done(in_page(&req));
                }
            })
        };
        Ok(Job {
            worker,
            ready,
            waiting,
            _message: message,
            _error: error,
        })
    }

    /// Run `req` (now if the worker is ready, else when it is); `done` hears the answer.
    fn send(&self, req: WorkbenchRequest, done: Rc<dyn Fn(Result<Check, String>)>) {
        if self.ready.get() {
            let _ = self
                .worker
                .post_message(&JsValue::from_str(&encode_workbench(&req)));
        }
        *self.waiting.borrow_mut() = Some((req, done));
    }

    fn busy(&self) -> bool {
        self.waiting.borrow().is_some()
    }
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
        let done: Rc<dyn Fn(Result<Check, String>)> = Rc::new(move |r: Result<Check, String>| {
            then.emit(r.clone());
            result.set(Some((r, now_ms() - t0)));
            running.set(false);
        });
        let req = WorkbenchRequest {
            challenge: challenge.map(str::to_string),
            handler,
            k,
        };
        if k >= WORKER_K {
            let mut job = self.job.borrow_mut();
            if job.is_none() {
                *job = Job::start().ok();
            }
            if let Some(j) = &*job {
                return j.send(req, done);
            }
        }
        // In the page: let "Checking…" paint before the check holds the thread.
        *self.pending.borrow_mut() = Some(gloo::timers::callback::Timeout::new(16, move || {
            done(in_page(&req))
        }));
    }

    /// Stop a running check, if any (a busy worker is stopped, a fresh one started).
    pub fn cancel(&self) {
        let mut job = self.job.borrow_mut();
        if job.as_ref().is_some_and(Job::busy) {
            *job = None;
            *job = Job::start().ok();
        }
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

/// A check of a handler that runs off the main thread from k = 2; with `warm`, its
/// worker starts when the component mounts (and stops when it goes).
#[hook]
pub fn use_check(warm: bool) -> CheckHandle {
    let job = use_mut_ref(|| None::<Job>);
    {
        let job = job.clone();
        use_effect_with(warm, move |warm| {
            if *warm {
                *job.borrow_mut() = Job::start().ok();
            }
            move || drop(job.borrow_mut().take())
        });
    }
    CheckHandle {
        result: use_state(|| None::<Graded>),
        running: use_state(|| false),
        job,
        pending: use_mut_ref(|| None::<gloo::timers::callback::Timeout>),
    }
}
