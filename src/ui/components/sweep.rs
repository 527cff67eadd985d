//! "Find a breaking run": run the scenario over many seeds with the current settings,
//! count how often each technique broke, and offer the smallest breaking run (shrunk
//! to the fewest faults) for replay — or check *every* schedule with at most k faults
//! ([`crate::sim::explore`]) and say so, with the size of the space and the time taken.
//!
//! The sweep runs in a Web Worker (the app's own wasm, started through
//! `static/sweep-worker.js`; see [`crate::ui::worker`] for the protocol), so the page
//! keeps animating: worker → ready; page → a `SweepConfig`; worker → progress after
//! every chunk, then the `SweepResult` or an error. The worker is
//! terminated when the panel goes away, the settings change or the learner stops it.

use crate::sim::run::Guarantee;
use crate::sim::sweep::{plural, Counterexample, SweepConfig, SweepResult};
use crate::ui::share::{CheckMode, ShareState, ViewMode, SAMPLE_SIZES};
use crate::ui::state::{Action, ScenarioRef};
use crate::ui::worker::{decode_reply, encode_request, Reply};
use gloo::events::EventListener;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{HtmlSelectElement, MessageEvent, Worker};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SweepProps {
    /// The scenario on screen, resolved once by the state.
    pub scenario: ScenarioRef,
    pub params: Vec<(String, i64)>,
    pub seed: u64,
    /// Random schedules or every schedule with at most k faults (state, and the link).
    pub mode: CheckMode,
    pub dispatch: Callback<Action>,
}

/// Fault counts offered for an exhaustive check.
const KS: std::ops::RangeInclusive<u8> = 1..=crate::ui::share::MAX_K;
/// An exhaustive check beyond this many schedules gets a "use a smaller input" hint
/// (about what the worker checks in a few seconds).
const QUICK_SCHEDULES: u64 = 20_000;
/// The cap of an exhaustive check in the page.
const CHECK_CAP: u64 = crate::sim::explore::MAX_SCHEDULES;
/// The worker loader, relative to the page (works under any sub-path).
const WORKER_URL: &str = "static/sweep-worker.js";

#[derive(Clone, PartialEq)]
enum Phase {
    Idle,
    Starting,
    Running {
        done: u64,
        runs: u64,
    },
    /// The result, and how long it took (ms) when the clock could be read.
    Done(Rc<SweepResult>, Option<f64>),
    Failed(String),
}

/// A running worker; dropping it stops the sweep.
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

/// What one message from the worker means.
fn on_message(text: &str, cfg: &str, worker: &Worker) -> Option<Phase> {
    match decode_reply(text) {
        Some(Reply::Ready) => {
            let _ = worker.post_message(&JsValue::from_str(cfg));
            None
        }
        Some(Reply::Progress { done, runs, .. }) => Some(Phase::Running { done, runs }),
        Some(Reply::Result(r)) => Some(Phase::Done(Rc::new(r), None)),
        Some(Reply::Error(e)) => Some(Phase::Failed(e)),
        None => Some(Phase::Failed(
            "the sweep's answer could not be read".to_string(),
        )),
    }
}

fn start_job(cfg: &SweepConfig, phase: UseStateHandle<Phase>) -> Result<Job, String> {
    let worker =
        Worker::new(WORKER_URL).map_err(|e| format!("could not start the sweep worker: {e:?}"))?;
    let text = encode_request(cfg);
    let message = {
        let (worker2, phase) = (worker.clone(), phase.clone());
        EventListener::new(&worker, "message", move |e| {
            let Some(m) = e.dyn_ref::<MessageEvent>() else {
                return;
            };
            if let Some(p) = m
                .data()
                .as_string()
                .and_then(|t| on_message(&t, &text, &worker2))
            {
                phase.set(p);
            }
        })
    };
    let error = EventListener::new(&worker, "error", move |_| {
        phase.set(Phase::Failed(
            "the sweep worker stopped with an error".to_string(),
        ));
    });
    Ok(Job {
        worker,
        _message: message,
        _error: error,
    })
}

fn replay(scenario: &str, id: &str, cx: &Counterexample) -> Action {
    let mut share = ShareState::new(scenario);
    share.inputs.config = cx.config.clone();
    share.tick = Some(cx.tick);
    share.technique = Some(id.to_string());
    share.view = ViewMode::Stage;
    Action::Load {
        share,
        warnings: Vec::new(),
    }
}

#[component]
pub fn Sweep(props: &SweepProps) -> Html {
    let phase = use_state(|| Phase::Idle);
    // 0: sample `runs` random schedules; 1..=3: check every schedule with at most k faults.
    let (runs, k) = match props.mode {
        CheckMode::Sample(n) => (u64::from(n), 0u8),
        CheckMode::Every(k) => (0, k),
    };
    let started = use_mut_ref(|| 0.0f64);
    let job = use_mut_ref(|| None::<Job>);

    // New settings make an old result meaningless; leaving stops a running sweep.
    {
        let (phase, job) = (phase.clone(), job.clone());
        let key = (props.scenario, props.params.clone(), props.mode);
        use_effect_with(key, move |_| {
            phase.set(Phase::Idle);
            move || {
                job.borrow_mut().take();
            }
        });
    }
    // A finished or failed sweep needs its worker no more.
    if matches!(*phase, Phase::Done(..) | Phase::Failed(_)) && job.borrow().is_some() {
        job.borrow_mut().take();
    }
    // Stamp the time taken once, when the result arrives.
    if let Phase::Done(r, None) = &*phase {
        let ms = js_sys::Date::now() - *started.borrow();
        phase.set(Phase::Done(r.clone(), Some(ms.max(0.0))));
    }
    let estimate = {
        let (scenario, params, seed, kk) = (
            props.scenario.id.to_string(),
            props.params.clone(),
            props.seed,
            k,
        );
        use_memo(
            (scenario, params, seed, kk),
            |(scenario, params, seed, kk)| {
                (*kk > 0)
                    .then(|| {
                        crate::sim::explore::estimate(scenario, *seed, params, *kk, QUICK_SCHEDULES)
                            .ok()
                    })
                    .flatten()
            },
        )
    };

    let start = {
        let (phase, job) = (phase.clone(), job.clone());
        let cfg = SweepConfig {
            scenario: props.scenario.id.to_string(),
            runs: if k > 0 { CHECK_CAP } else { runs },
            seed: props.seed,
            params: props.params.clone(),
            faults: k,
        };
        let started = started.clone();
        Callback::from(move |_: MouseEvent| {
            job.borrow_mut().take();
            *started.borrow_mut() = js_sys::Date::now();
            match start_job(&cfg, phase.clone()) {
                Ok(j) => {
                    *job.borrow_mut() = Some(j);
                    phase.set(Phase::Starting);
                }
                Err(e) => phase.set(Phase::Failed(e)),
            }
        })
    };
    let cancel = {
        let (phase, job) = (phase.clone(), job.clone());
        Callback::from(move |_: MouseEvent| {
            job.borrow_mut().take();
            phase.set(Phase::Idle);
        })
    };
    let on_mode = props.dispatch.reform(|e: Event| {
        let v = e.target_unchecked_into::<HtmlSelectElement>().value();
        Action::SetCheck(CheckMode::parse(&v).unwrap_or_default())
    });
    let busy = matches!(*phase, Phase::Running { .. } | Phase::Starting);

    let body = match &*phase {
        Phase::Idle if k == 0 => html! {
            <p class="muted small">{"Runs the current settings over many seeds (one fault schedule each) and keeps the smallest run that breaks each technique."}</p>
        },
        Phase::Idle => match &*estimate {
            Some(e) => html! {
                <div class="small" data-check-estimate={e.size.to_string()}>
                    <p>{e.scope_words(props.scenario.unit)}</p>
                    <p class="muted">{format!("At least {} schedules.", e.size)}</p>
                    if let Some((name, v)) = e.hint {
                        <p class="calc-error">{format!("That is more than a quick check ({QUICK_SCHEDULES} schedules); it stops at {CHECK_CAP}. With {name} = {v} it finishes in seconds.")}</p>
                    }
                </div>
            },
            None => html! { <p class="muted small">{"These settings cannot be checked."}</p> },
        },
        Phase::Running { done, runs } => html! {
            <div class="sweep-progress" role="status">
                <progress max={runs.to_string()} value={done.to_string()}></progress>
                <span>{if k > 0 { format!("{done} schedules checked") } else if done >= runs { "shrinking the breaking schedules…".to_string() } else { format!("{done} of {runs} random schedules") }}</span>
            </div>
        },
        Phase::Starting => {
            html! { <p role="status" class="small">{"Starting the sweep worker…"}</p> }
        }
        Phase::Failed(e) => html! { <p class="calc-error" role="alert">{e.clone()}</p> },
        Phase::Done(r, ms) => {
            let property = props.scenario.property;
            let rows = r.techniques.iter().map(|t| {
                let cls = if t.violations == 0 { "good" } else if t.claim_broken > 0 || t.claim == Guarantee::None { "bad" } else { "warn" };
                html! {
                    <li class={classes!("sweep-row", cls)}>
                        <p class="sweep-head"><strong>{t.label.clone()}</strong>
                            <span class="muted">{format!(" · claims {}", t.claim.label())}</span></p>
                        <p>{t.outcome(property, r.space.as_ref())}</p>
                        if let Some(cx) = &t.smallest {
                            <p class="small">{format!("{} — ", cx.words())}
                                <button class="link-btn" data-action="replay-counterexample" data-technique-replay={t.id.clone()}
                                    onclick={props.dispatch.reform({
                                        let (scn, id, cx) = (props.scenario.id, t.id.clone(), cx.clone());
                                        move |_| replay(scn, &id, &cx)
                                    })}>{format!("replay it at tick {}", cx.tick)}</button>
                            </p>
                        }
                    </li>
                }
            });
            html! {
                <>
                    if let Some(s) = &r.space {
                        <p class="small" data-check-space={s.checked.to_string()} data-check-finished={s.finished.to_string()}>
                            {if s.finished {
                                format!("All {} with at most {} checked ({} in the fault-free run; {}).", plural(s.checked, "schedule"), plural(u64::from(s.k), "fault"), plural(s.points, "choice point"), s.assumptions)
                            } else {
                                format!("Not finished: {} — {} checked. The statement covers only those.", s.stopped, plural(s.checked, "schedule"))
                            }}
                        </p>
                    }
                    <p class="small muted">{format!("{}, {}{}.", plural(r.done, "run"), plural(r.events, "simulated event"), ms.map(|m| format!(", {:.1} s", m / 1000.0)).unwrap_or_default())}</p>
                    <ul class="sweep-list">{ for rows }</ul>
                </>
            }
        }
    };

    html! {
        <section class="sweep panel-box" aria-label="Find a breaking run">
            <h2>{"Find a breaking run"}</h2>
            <div class="sweep-controls">
                <label class="field">
                    <span class="field-label">{"Schedules"}</span>
                    <select onchange={on_mode} disabled={busy} aria-label="Which schedules" data-sweep-mode={if k > 0 { format!("k{k}") } else { runs.to_string() }}>
                        { for SAMPLE_SIZES.iter().map(|&n| { let m = CheckMode::Sample(n); html! { <option value={m.code()} selected={props.mode == m}>{format!("{n} random")}</option> } }) }
                        { for KS.map(|n| { let m = CheckMode::Every(n); html! { <option value={m.code()} selected={props.mode == m}>{format!("every one with ≤ {n} fault{}", if n == 1 { "" } else { "s" })}</option> } }) }
                    </select>
                </label>
                if busy {
                    <button class="btn small" data-action="sweep-cancel" onclick={cancel}>{"Stop"}</button>
                } else {
                    <button class="btn small primary" data-action="sweep" onclick={start}>{if k > 0 { "Check" } else { "Search" }}</button>
                }
            </div>
            {body}
        </section>
    }
}
