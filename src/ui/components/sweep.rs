//! "Find a breaking run": run the scenario over many seeds with the current settings,
//! count how often each technique broke, and offer the smallest breaking run (shrunk
//! to the fewest faults) for replay.
//!
//! The sweep runs in a Web Worker (the app's own wasm, started through
//! `static/sweep-worker.js`; see [`crate::ui::worker`] for the protocol), so the page
//! keeps animating: worker → ready; page → a `SweepConfig`; worker → progress after
//! every chunk, then the `SweepResult` or an error. The worker is
//! terminated when the panel goes away, the settings change or the learner stops it.

use crate::sim::run::Guarantee;
use crate::sim::sweep::{Counterexample, SweepConfig, SweepResult};
use crate::ui::share::{ShareState, ViewMode};
use crate::ui::state::Action;
use crate::ui::worker::{decode_reply, encode_request, Reply};
use gloo::events::EventListener;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{HtmlSelectElement, MessageEvent, Worker};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SweepProps {
    pub scenario: AttrValue,
    pub params: Vec<(String, i64)>,
    pub seed: u64,
    pub dispatch: Callback<Action>,
}

const SIZES: &[u64] = &[1_000, 10_000, 100_000];
/// The default: ten thousand schedules.
const DEFAULT_SIZE: u64 = 10_000;
/// The worker loader, relative to the page (works under any sub-path).
const WORKER_URL: &str = "static/sweep-worker.js";

#[derive(Clone, PartialEq)]
enum Phase {
    Idle,
    Starting,
    Running { done: u64, runs: u64 },
    Done(Rc<SweepResult>),
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
        Some(Reply::Result(r)) => Some(Phase::Done(Rc::new(r))),
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
    share.seed = cx.config.seed;
    share.params = cx.config.params.clone();
    share.faults = cx.config.manual.clone();
    share.random_faults = cx.config.random_faults;
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
    let runs = use_state(|| DEFAULT_SIZE);
    let job = use_mut_ref(|| None::<Job>);

    // New settings make an old result meaningless; leaving stops a running sweep.
    {
        let (phase, job) = (phase.clone(), job.clone());
        use_effect_with((props.scenario.clone(), props.params.clone()), move |_| {
            phase.set(Phase::Idle);
            move || {
                job.borrow_mut().take();
            }
        });
    }
    // A finished or failed sweep needs its worker no more.
    if matches!(*phase, Phase::Done(_) | Phase::Failed(_)) && job.borrow().is_some() {
        job.borrow_mut().take();
    }

    let start = {
        let (phase, job) = (phase.clone(), job.clone());
        let cfg = SweepConfig {
            scenario: props.scenario.to_string(),
            runs: *runs,
            seed: props.seed,
            params: props.params.clone(),
        };
        Callback::from(move |_: MouseEvent| {
            job.borrow_mut().take();
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
    let on_runs = {
        let runs = runs.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            runs.set(v.parse().unwrap_or(DEFAULT_SIZE));
        })
    };
    let busy = matches!(*phase, Phase::Running { .. } | Phase::Starting);

    let body = match &*phase {
        Phase::Idle => html! {
            <p class="muted small">{"Runs the current settings over many seeds (one fault schedule each) and keeps the smallest run that breaks each technique."}</p>
        },
        Phase::Running { done, runs } => html! {
            <div class="sweep-progress" role="status">
                <progress max={runs.to_string()} value={done.to_string()}></progress>
                <span>{if done >= runs { "shrinking the breaking runs…".to_string() } else { format!("{done} of {runs} runs") }}</span>
            </div>
        },
        Phase::Starting => {
            html! { <p role="status" class="small">{"Starting the sweep worker…"}</p> }
        }
        Phase::Failed(e) => html! { <p class="calc-error" role="alert">{e.clone()}</p> },
        Phase::Done(r) => {
            let property = crate::sim::scenarios::find(&props.scenario)
                .map(|s| s.info().property)
                .unwrap_or(crate::sim::run::Property::ExactlyOnceEffect);
            let rows = r.techniques.iter().map(|t| {
                let pct = if t.runs == 0 { 0.0 } else { t.violations as f64 * 100.0 / t.runs as f64 };
                let kinds: Vec<String> = t.kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
                let what = if t.claim != Guarantee::None && t.claim_broken > 0 {
                    format!("{} broken", t.claim.label())
                } else {
                    property.failure().to_string()
                };
                let cls = if t.violations == 0 { "good" } else if t.claim_broken > 0 || t.claim == Guarantee::None { "bad" } else { "warn" };
                html! {
                    <li class={classes!("sweep-row", cls)}>
                        <p class="sweep-head"><strong>{t.label.clone()}</strong>
                            <span class="muted">{format!(" · claims {}", t.claim.label())}</span></p>
                        if t.violations == 0 {
                            <p>{format!("✓ {} held in all {} schedules tried — evidence for these faults, not a proof", property.label(), t.runs)}</p>
                        } else {
                            <p>{format!("✕ {what} in {} of {} runs ({pct:.0}%)", t.violations, t.runs)}
                                if !kinds.is_empty() { <span class="muted">{format!(" — {}", kinds.join(", "))}</span> }</p>
                        }
                        if let Some(cx) = &t.smallest {
                            <p class="small">{format!("Smallest: {} fault{}, {} — ", cx.faults, if cx.faults == 1 { "" } else { "s" }, cx.summary)}
                                <button class="link-btn" data-action="replay-counterexample" data-technique-replay={t.id.clone()}
                                    onclick={props.dispatch.reform({
                                        let (scn, id, cx) = (props.scenario.to_string(), t.id.clone(), cx.clone());
                                        move |_| replay(&scn, &id, &cx)
                                    })}>{format!("replay it at tick {}", cx.tick)}</button>
                            </p>
                        }
                    </li>
                }
            });
            html! {
                <>
                    <p class="small muted">{format!("{} runs, {} simulated events.", r.done, r.events)}</p>
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
                    <span class="field-label">{"Runs"}</span>
                    <select onchange={on_runs} disabled={busy} aria-label="Number of runs">
                        { for SIZES.iter().map(|n| html! { <option value={n.to_string()} selected={*n == *runs}>{n}</option> }) }
                    </select>
                </label>
                if busy {
                    <button class="btn small" data-action="sweep-cancel" onclick={cancel}>{"Stop"}</button>
                } else {
                    <button class="btn small primary" data-action="sweep" onclick={start}>{"Search"}</button>
                }
            </div>
            {body}
        </section>
    }
}
