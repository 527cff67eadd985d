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

/// The running exploration and the timer of its next chunk (dropping both stops it).
#[derive(Clone)]
struct Runner {
    phase: UseStateHandle<Phase>,
    job: Rc<RefCell<Option<Job>>>,
    timer: Rc<RefCell<Option<Timeout>>>,
}

impl Runner {
    fn stop(&self) {
        self.job.borrow_mut().take();
        self.timer.borrow_mut().take();
    }

    /// Start from `tick` of the run `config` (its technique `technique`).
    fn start(
        &self,
        scenario: &str,
        config: &RunConfig,
        technique: Option<&str>,
        tick: Tick,
        k: u8,
    ) {
        let started = now();
        match Explorer::new(scenario, config, technique, tick, k) {
            Ok(explorer) => {
                *self.job.borrow_mut() = Some(Job {
                    explorer,
                    base: Rc::new(config.clone()),
                    started,
                });
                self.phase.set(Phase::Running {
                    tick,
                    done: 0,
                    chunk: 0,
                });
            }
            Err(e) => {
                self.stop();
                self.phase.set(Phase::Failed(e.to_string()));
            }
        }
    }
}

/// The exploration's state, stopped when the scenario changes or the panel goes; while
/// running, the next chunk runs on the next timer tick (each chunk sets a new phase,
/// which schedules the one after it here, outside the timer's own callback).
#[hook]
fn use_runner(scenario: ScenarioRef) -> Runner {
    let r = Runner {
        phase: use_state(|| Phase::Idle),
        job: use_mut_ref(|| None),
        timer: use_mut_ref(|| None),
    };
    {
        let r = r.clone();
        use_effect_with(scenario, move |_| {
            r.phase.set(Phase::Idle);
            move || r.stop()
        });
    }
    {
        let r2 = r.clone();
        use_effect_with((*r.phase).clone(), move |p| {
            if let Phase::Running { chunk: n, .. } = *p {
                let (job, phase) = (r2.job.clone(), r2.phase.clone());
                *r2.timer.borrow_mut() = Some(Timeout::new(0, move || {
                    if let Some(next) = chunk(&job, n) {
                        phase.set(next);
                    }
                }));
            }
        });
    }
    r
}

/// One group: its count and outcome, its smallest member, and the button opening it.
fn group_row(g: &Group, f: &Result_, props: &FuturesProps) -> Html {
    let words = g.words(props.scenario.property, props.scenario.unit);
    let at = if g.good {
        format!("open the smallest at tick {}", g.smallest.tick)
    } else if g.smallest.tick < f.tick {
        format!(
            "open the smallest, already broken at tick {}, before the playhead",
            g.smallest.tick
        )
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
            <p class="small">{format!("Smallest ({more}): {}. ", g.smallest.summary)}
                <button class="link-btn" data-action="futures-open" data-good={g.good.to_string()}
                    onclick={props.dispatch.reform(action)}>{at}</button>
            </p>
        </li>
    }
}

/// What was replayed, and what was covered in how long.
fn scope_lines(f: &Result_, ms: f64) -> (String, String) {
    let mut past = match f.prefix.len() {
        0 => format!(
            "Judged on “{}”; no random or hand-made fault up to tick {}.",
            f.label, f.tick
        ),
        n => format!(
            "Judged on “{}”; the past up to tick {} replays from its {} (random or hand-made), random faults off after it.",
            f.label,
            f.tick,
            plural(n as u64, "fault")
        ),
    };
    if !f.placed.is_empty() {
        past.push_str(&format!(
            " In every future, as the settings place them: {}.",
            f.placed.join("; ")
        ));
    }
    let took = if ms < 1000.0 {
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
    (past, scope)
}

fn result_view(f: &Result_, base: &RunConfig, ms: f64, props: &FuturesProps) -> Html {
    let (past, scope) = scope_lines(f, ms);
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
            if *base != props.config {
                <p class="small muted" data-futures-stale="">{format!("These are the futures of the run you explored from tick {}; the stage now shows another run.", f.tick)}</p>
            }
            <ul class="futures-list">{ for f.groups.iter().map(|g| group_row(g, f, props)) }</ul>
        </div>
    }
}

/// What the live region says (it is always there, so each change is announced).
fn status(phase: &Phase, props: &FuturesProps) -> String {
    match phase {
        Phase::Idle => String::new(),
        Phase::Running { tick, .. } => format!("Exploring the futures from tick {tick}…"),
        Phase::Failed(e) => e.clone(),
        Phase::Done(f, ..) => {
            let (property, unit) = (props.scenario.property, props.scenario.unit);
            let groups: Vec<String> = f
                .groups
                .iter()
                .map(|g| format!("{}: {}", plural(g.count, "future"), g.words(property, unit)))
                .collect();
            format!("{}. {}.", f.header(), groups.join("; "))
        }
    }
}

#[component]
pub fn FromHere(props: &FuturesProps) -> Html {
    let runner = use_runner(props.scenario);
    let k = use_state(|| 1u8);
    let start = {
        let (runner, k) = (runner.clone(), *k);
        let (scenario, config, technique, tick) = (
            props.scenario.id,
            props.config.clone(),
            props.technique.clone(),
            props.tick,
        );
        Callback::from(move |_: MouseEvent| {
            runner.start(scenario, &config, technique.as_deref(), tick, k)
        })
    };
    let cancel = {
        let runner = runner.clone();
        Callback::from(move |_: MouseEvent| {
            runner.stop();
            runner.phase.set(Phase::Idle);
        })
    };
    let on_k = {
        let k = k.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            k.set(v.parse().unwrap_or(1));
        })
    };
    let phase = &*runner.phase;
    let busy = matches!(phase, Phase::Running { .. });
    let body = match phase {
        Phase::Idle => html! {
            <p class="muted small">{"The run on the stage up to the playhead, then every way it can go on with a few more faults of the kinds the exhaustive check places (the run's own random faults after the playhead left out), grouped by how it ends."}</p>
        },
        Phase::Running { tick, done, .. } => html! {
            <p class="small">{format!("From tick {tick}: {} run so far…", plural(*done, "future"))}</p>
        },
        Phase::Failed(e) => html! { <p class="calc-error" role="alert">{e.clone()}</p> },
        Phase::Done(f, base, ms) => result_view(f, base, *ms, props),
    };
    html! {
        <section class="futures panel-box" aria-label="From here">
            <p class="visually-hidden" role="status" data-futures-status="">{status(phase, props)}</p>
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
