//! "From here": at the playhead, every continuation of the run on the stage with at most
//! k more faults, grouped by how it ends ([`crate::sim::explore::futures`]); each group
//! opens its smallest member on the stage.
//!
//! The exploration runs on the main thread in small chunks (one timer tick each), so
//! the page stays responsive; the time it took is shown with the result.

use crate::sim::explore::futures::{Explorer, Futures as Result_, Group};
use crate::sim::ids::Tick;
use crate::sim::run::RunConfig;
use crate::sim::sweep::plural;
use crate::ui::share::{ShareState, ViewMode};
use crate::ui::state::{Action, ScenarioRef};
use gloo::timers::callback::Timeout;
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// Most extra faults offered.
const KS: std::ops::RangeInclusive<u8> = 1..=2;
/// Schedules run per chunk (a few milliseconds each in the page).
const CHUNK: u64 = 24;

#[derive(Properties, PartialEq)]
pub struct FuturesProps {
    pub scenario: ScenarioRef,
    /// The run on the stage.
    pub config: RunConfig,
    /// The technique on the stage (None: the first).
    pub technique: Option<String>,
    /// The playhead's tick.
    pub tick: Tick,
    pub dispatch: Callback<Action>,
}

#[derive(Clone, PartialEq)]
enum Phase {
    Idle,
    /// `chunk` counts the chunks run, so every chunk is a new phase.
    Running {
        tick: Tick,
        done: u64,
        chunk: u64,
    },
    /// The result, what it was explored from, and the time it took (ms).
    Done(Rc<Result_>, Rc<RunConfig>, f64),
    Failed(String),
}

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}

/// Open `g`'s smallest member on the stage, at its first violation (a good one: at
/// the tick it was explored from).
fn open(scenario: &str, technique: &str, g: &Group) -> Action {
    let mut share = ShareState::new(scenario);
    share.inputs.config = g.smallest.config.clone();
    share.tick = Some(g.smallest.tick);
    share.technique = Some(technique.to_string());
    share.view = ViewMode::Stage;
    Action::Load {
        share,
        warnings: Vec::new(),
    }
}

/// The running exploration, what it explores from, and when it started.
struct Job {
    explorer: Explorer,
    base: Rc<RunConfig>,
    started: f64,
}

/// Run one chunk of `job`; the phase it leads to (None: no job).
fn chunk(job: &RefCell<Option<Job>>, n: u64) -> Option<Phase> {
    let mut slot = job.borrow_mut();
    let j = slot.as_mut()?;
    j.explorer.step(CHUNK);
    if !j.explorer.finished() {
        return Some(Phase::Running {
            tick: j.explorer.result.tick,
            done: j.explorer.result.total,
            chunk: n + 1,
        });
    }
    j.explorer.step(0);
    let done = Phase::Done(
        Rc::new(j.explorer.result.clone()),
        j.base.clone(),
        (now() - j.started).max(0.0),
    );
    *slot = None;
    Some(done)
}

#[component]
pub fn FromHere(props: &FuturesProps) -> Html {
    let phase = use_state(|| Phase::Idle);
    let k = use_state(|| 1u8);
    let job = use_mut_ref(|| None::<Job>);
    let timer = use_mut_ref(|| None::<Timeout>);

    // Another scenario makes the result meaningless; leaving stops a running one.
    {
        let (phase, job, timer) = (phase.clone(), job.clone(), timer.clone());
        use_effect_with(props.scenario, move |_| {
            phase.set(Phase::Idle);
            move || {
                job.borrow_mut().take();
                timer.borrow_mut().take();
            }
        });
    }
    // While running: the next chunk on the next timer tick (each chunk sets a new phase,
    // which schedules the one after it here, outside the timer's own callback).
    {
        let (phase2, job, timer) = (phase.clone(), job.clone(), timer.clone());
        use_effect_with((*phase).clone(), move |p| {
            if let Phase::Running { chunk: n, .. } = *p {
                *timer.borrow_mut() = Some(Timeout::new(0, move || {
                    if let Some(next) = chunk(&job, n) {
                        phase2.set(next);
                    }
                }));
            }
        });
    }

    let start = {
        let (phase, job, k) = (phase.clone(), job.clone(), *k);
        let (scenario, config, technique, tick) = (
            props.scenario.id,
            props.config.clone(),
            props.technique.clone(),
            props.tick,
        );
        Callback::from(move |_: MouseEvent| {
            let started = now();
            match Explorer::new(scenario, &config, technique.as_deref(), tick, k) {
                Ok(explorer) => {
                    *job.borrow_mut() = Some(Job {
                        explorer,
                        base: Rc::new(config.clone()),
                        started,
                    });
                    phase.set(Phase::Running {
                        tick,
                        done: 0,
                        chunk: 0,
                    });
                }
                Err(e) => {
                    job.borrow_mut().take();
                    phase.set(Phase::Failed(e.to_string()));
                }
            }
        })
    };
    let cancel = {
        let (phase, job, timer) = (phase.clone(), job.clone(), timer.clone());
        Callback::from(move |_: MouseEvent| {
            job.borrow_mut().take();
            timer.borrow_mut().take();
            phase.set(Phase::Idle);
        })
    };
    let on_k = {
        let k = k.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            k.set(v.parse().unwrap_or(1));
        })
    };
    let busy = matches!(*phase, Phase::Running { .. });

    let body = match &*phase {
        Phase::Idle => html! {
            <p class="muted small">{"Every way the run on the stage can go on from the playhead, with a few more faults, grouped by how it ends."}</p>
        },
        Phase::Running { tick, done, .. } => html! {
            <p class="small">{format!("From tick {tick}: {} run so far…", plural(*done, "future"))}</p>
        },
        Phase::Failed(e) => html! { <p class="calc-error" role="alert">{e.clone()}</p> },
        Phase::Done(f, base, ms) => {
            let (property, unit) = (props.scenario.property, props.scenario.unit);
            let rows = f.groups.iter().map(|g| {
                let words = g.words(property, unit);
                let at = if g.good {
                    format!("open the smallest at tick {}", g.smallest.tick)
                } else {
                    format!("open the smallest, breaking at tick {}", g.smallest.tick)
                };
                let more = match g.extra {
                    0 => "no more faults".to_string(),
                    1 => "1 more fault".to_string(),
                    n => format!("{n} more faults"),
                };
                let action = {
                    let (scn, id, g) = (props.scenario.id, f.technique.clone(), g.clone());
                    move |_| open(scn, &id, &g)
                };
                html! {
                    <li class={classes!("futures-row", if g.good { "good" } else { "bad" })}
                        data-outcome={g.outcome.clone()} data-count={g.count.to_string()}>
                        <p><strong>{plural(g.count, "future")}</strong>{format!(": {words}")}</p>
                        <p class="small">{format!("Smallest: {more} — {}. ", g.smallest.summary)}
                            <button class="link-btn" data-action="futures-open" data-good={g.good.to_string()}
                                onclick={props.dispatch.reform(action)}>{at}</button>
                        </p>
                    </li>
                }
            });
            let past = match f.prefix.len() {
                0 => format!("Judged on “{}”; the run had no fault up to tick {}.", f.label, f.tick),
                n => format!(
                    "Judged on “{}”; the past up to tick {} replays from its {}, random faults off.",
                    f.label,
                    f.tick,
                    plural(n as u64, "fault")
                ),
            };
            let took = if *ms < 1000.0 {
                format!("{ms:.0} ms")
            } else {
                format!("{:.1} s", ms / 1000.0)
            };
            let scope = if f.finished {
                format!("Every one checked in {took} — {}.", f.assumptions)
            } else {
                format!(
                    "Not finished: {} — the groups cover only those run ({took}).",
                    f.stopped
                )
            };
            html! {
                <div data-futures={f.total.to_string()} data-futures-tick={f.tick.to_string()}
                    data-futures-k={f.k.to_string()} data-futures-ms={format!("{ms:.0}")}
                    data-futures-finished={f.finished.to_string()}>
                    <p class="futures-head">{format!("{}.", f.header())}</p>
                    <p class="small muted">{past}</p>
                    <p class="small muted">{scope}</p>
                    if !f.exact_past {
                        <p class="calc-error">{"The explicit faults do not replay this run's past event for event: these futures start from a slightly different past."}</p>
                    }
                    if **base != props.config {
                        <p class="small muted" data-futures-stale="">{format!("These are the futures of the run you explored from tick {}; the stage now shows another run.", f.tick)}</p>
                    }
                    <ul class="futures-list">{ for rows }</ul>
                </div>
            }
        }
    };

    // One live region, always there, so each change is announced.
    let status = match &*phase {
        Phase::Idle => String::new(),
        Phase::Running { tick, .. } => format!("Exploring the futures from tick {tick}…"),
        Phase::Failed(e) => e.clone(),
        Phase::Done(f, ..) => {
            let groups: Vec<String> = f
                .groups
                .iter()
                .map(|g| {
                    format!(
                        "{}: {}",
                        plural(g.count, "future"),
                        g.words(props.scenario.property, props.scenario.unit)
                    )
                })
                .collect();
            format!("{}. {}.", f.header(), groups.join("; "))
        }
    };

    html! {
        <section class="futures panel-box" aria-label="From here">
            <p class="visually-hidden" role="status" data-futures-status="">{status}</p>
            <h2>{"From here"}</h2>
            <div class="sweep-controls">
                <label class="field">
                    <span class="field-label">{"More faults"}</span>
                    <select onchange={on_k} disabled={busy} aria-label="At most this many more faults" data-futures-k-select="">
                        { for KS.map(|n| html! { <option value={n.to_string()} selected={*k == n}>{format!("at most {n}")}</option> }) }
                    </select>
                </label>
                if busy {
                    <button class="btn small" data-action="futures-cancel" onclick={cancel}>{"Stop"}</button>
                } else {
                    <button class="btn small primary" data-action="futures" onclick={start}>{format!("From tick {}", props.tick)}</button>
                }
            </div>
            {body}
        </section>
    }
}
