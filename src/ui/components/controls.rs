//! The scenario's knobs, built from its `ParamSpec`s (flags → switches, per-mille →
//! percent sliders, ticks and counts → sliders or number fields, choices → selects),
//! its "try this" prompts, and the list of hand-made and dice-rolled faults.

use crate::sim::params::{ParamSpec, Unit};
use crate::ui::facts::{describe_fault, hop_ends};
use crate::ui::state::{Action, PromiseRef, RunData, ScenarioRef};
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    pub scenario: ScenarioRef,
    /// Non-default values.
    pub params: Vec<(String, i64)>,
    pub faults: Vec<crate::sim::fault::Fault>,
    pub run: Rc<RunData>,
    pub index: usize,
    pub seed: u64,
    /// The prompt or card whose promise the run is checked against.
    pub promise: Option<PromiseRef>,
    pub dispatch: Callback<Action>,
    /// A lesson is on screen: its own steps replace the "try this" prompts (whose
    /// "watch" lines would give its answers away).
    #[prop_or_default]
    pub in_lesson: bool,
    /// Parameters the lesson's step panel shows (not repeated here).
    #[prop_or_default]
    pub in_step: Vec<String>,
}

/// "12.5%" for a per-mille value.
pub fn percent(v: i64) -> String {
    if v % 10 == 0 {
        format!("{}%", v / 10)
    } else {
        format!("{:.1}%", v as f64 / 10.0)
    }
}

/// A value in the spec's unit, for display.
pub fn show_value(spec: &ParamSpec, v: i64) -> String {
    match spec.unit {
        Unit::Flag => (if v != 0 { "on" } else { "off" }).to_string(),
        Unit::PerMille => percent(v),
        Unit::Ticks => format!("{v} tick{}", if v == 1 { "" } else { "s" }),
        Unit::Count => v.to_string(),
        Unit::Rupees => crate::sim::ledger::rupees(v),
        Unit::Choice(names) => names
            .get(usize::try_from(v).unwrap_or(usize::MAX))
            .map(|s| s.to_string())
            .unwrap_or_else(|| v.to_string()),
    }
}

#[derive(Properties, PartialEq)]
pub struct ParamProps {
    pub scenario: ScenarioRef,
    pub idx: usize,
    pub value: i64,
    pub dispatch: Callback<Action>,
    /// Prefix of the control's element id (the lesson's step panel shows its own copy).
    #[prop_or(AttrValue::Static("param-"))]
    pub id_prefix: AttrValue,
}

/// One parameter's control (also rendered inside a lesson's try step).
#[component]
pub fn Param(props: &ParamProps) -> Html {
    // The value shown while a slider is being dragged (committed on release).
    let dragging = use_state(|| None::<i64>);
    let Some(spec) = props.scenario.params.get(props.idx) else {
        return html! {};
    };
    let name = spec.name;
    let changed = props.value != spec.default;
    let commit = {
        let dispatch = props.dispatch.clone();
        move |v: i64| dispatch.emit(Action::SetParam(name.to_string(), v))
    };
    let reset = {
        let commit = commit.clone();
        let d = spec.default;
        Callback::from(move |_: MouseEvent| commit(d))
    };
    let head = |control_id: &str| {
        html! {
            <div class="param-head">
                <label for={control_id.to_string()} class="param-label">{spec.label}</label>
                if changed {
                    <button class="link-btn" title={format!("Back to the default ({})", show_value(spec, spec.default))}
                        aria-label={format!("Reset {} to its default", spec.label)} onclick={reset.clone()}>{"reset"}</button>
                }
            </div>
        }
    };
    let control_id = format!("{}{name}", props.id_prefix);
    let help = html! { <p class="param-help">{spec.help}</p> };
    let body = match spec.unit {
        Unit::Flag => {
            let commit = commit.clone();
            let onchange = Callback::from(move |e: Event| {
                let on = e.target_unchecked_into::<HtmlInputElement>().checked();
                commit(i64::from(on));
            });
            html! {
                <div class={classes!("param", "flag", changed.then_some("changed"))}>
                    <label class="switch">
                        <input type="checkbox" role="switch" id={control_id.clone()} data-param={name}
                            checked={props.value != 0} {onchange} />
                        <span class="switch-track" aria-hidden="true"><span class="switch-thumb"></span></span>
                        <span class="param-label">{spec.label}</span>
                        <span class="switch-state">{if props.value != 0 { "on" } else { "off" }}</span>
                    </label>
                    {help}
                </div>
            }
        }
        Unit::Choice(names) => {
            let commit = commit.clone();
            let onchange = Callback::from(move |e: Event| {
                let v = e.target_unchecked_into::<HtmlSelectElement>().value();
                commit(v.parse::<i64>().unwrap_or(0));
            });
            html! {
                <div class={classes!("param", "choice", changed.then_some("changed"))}>
                    {head(&control_id)}
                    <select id={control_id.clone()} data-param={name} {onchange}>
                        { for names.iter().enumerate().map(|(i, n)| html! {
                            <option value={i.to_string()} selected={i as i64 == props.value}>{*n}</option>
                        }) }
                    </select>
                    {help}
                </div>
            }
        }
        Unit::Rupees => {
            let commit = commit.clone();
            let dispatch = props.dispatch.clone();
            let allowed = spec.allowed();
            let onchange = Callback::from(move |e: Event| {
                let input = e.target_unchecked_into::<HtmlInputElement>();
                match input.value().trim().parse::<i64>() {
                    Ok(v) => commit(v),
                    Err(_) => {
                        dispatch.emit(Action::Notify(format!("{name}: a whole number, {allowed}")))
                    }
                }
            });
            html! {
                <div class={classes!("param", "number", changed.then_some("changed"))}>
                    {head(&control_id)}
                    <input type="number" id={control_id.clone()} data-param={name} min={spec.min.to_string()}
                        max={spec.max.to_string()} value={props.value.to_string()} {onchange} />
                    {help}
                </div>
            }
        }
        Unit::PerMille | Unit::Ticks | Unit::Count => {
            let shown = dragging.unwrap_or(props.value);
            let step = if spec.unit == Unit::PerMille { 5 } else { 1 };
            let oninput = {
                let dragging = dragging.clone();
                Callback::from(move |e: InputEvent| {
                    let v = e.target_unchecked_into::<HtmlInputElement>().value();
                    if let Ok(v) = v.parse::<i64>() {
                        dragging.set(Some(v));
                    }
                })
            };
            let onchange = {
                let dragging = dragging.clone();
                let commit = commit.clone();
                Callback::from(move |e: Event| {
                    let v = e.target_unchecked_into::<HtmlInputElement>().value();
                    dragging.set(None);
                    if let Ok(v) = v.parse::<i64>() {
                        commit(v);
                    }
                })
            };
            html! {
                <div class={classes!("param", "slider", changed.then_some("changed"))}>
                    {head(&control_id)}
                    <div class="slider-row">
                        <input type="range" id={control_id.clone()} data-param={name}
                            min={spec.min.to_string()} max={spec.max.to_string()} step={step.to_string()}
                            value={shown.to_string()} {oninput} {onchange}
                            aria-valuetext={show_value(spec, shown)} />
                        <output for={control_id.clone()} class="slider-value">{show_value(spec, shown)}</output>
                    </div>
                    {help}
                </div>
            }
        }
    };
    body
}

#[component]
pub fn Controls(props: &ControlsProps) -> Html {
    let info = props.scenario.info();
    let d = &props.dispatch;
    let value_of = |spec: &ParamSpec| {
        props
            .params
            .iter()
            .find(|(n, _)| n == spec.name)
            .map(|(_, v)| *v)
            .unwrap_or(spec.default)
    };
    let tr = props.run.techniques().get(props.index);
    let hops = tr.map(|t| hop_ends(&t.trace)).unwrap_or_default();
    let nodes = tr.map(|t| t.nodes.clone()).unwrap_or_default();
    let fired = tr.map(|t| t.fired.clone()).unwrap_or_default();

    let params = info.params.iter().enumerate().filter(|(_, spec)| !props.in_step.iter().any(|n| n == spec.name)).map(|(i, spec)| {
        html! {
            <Param key={spec.name} scenario={props.scenario} idx={i} value={value_of(spec)} dispatch={d.clone()} />
        }
    });

    let tries = info.try_this.iter().enumerate().map(|(i, t)| {
        let mut settings: Vec<String> = t
            .set
            .iter()
            .map(|(n, v)| match info.params.iter().find(|s| s.name == *n) {
                Some(spec) => format!("{} = {}", spec.label, show_value(spec, *v)),
                None => format!("{n} = {v}"),
            })
            .collect();
        settings.push(format!("seed {}", t.seed));
        let active = props.promise == Some(PromiseRef::Try(i));
        html! {
            <li class={classes!("try", active.then_some("active"))}>
                <button class="btn try-btn" data-try={t.label} onclick={d.reform(move |_| Action::TryThis(i))}>
                    {"▶ "}{t.label}
                </button>
                <p class="try-set muted">{settings.join(", ")}</p>
                <p class="try-watch"><span class="muted">{"Watch: "}</span>{t.watch}</p>
            </li>
        }
    });

    let any_changed = !props.params.is_empty() || !props.faults.is_empty();

    html! {
        <section class="controls panel-box" aria-label="Settings">
            <div class="box-head">
                <h2>{"Break it"}</h2>
                if any_changed {
                    <button class="btn small ghost" data-action="defaults" onclick={d.reform(|_| Action::ResetParams)}>{"Restore defaults"}</button>
                }
            </div>
            if info.params.is_empty() {
                <p class="muted">{"No settings for this scenario yet."}</p>
            } else {
                <div class="params">{ for params }</div>
            }
            if !props.in_lesson { { promise_line(props) } }
            if !info.try_this.is_empty() && !props.in_lesson {
                <h3 class="sub-head">{"Try this"}</h3>
                <ul class="tries">{ for tries }</ul>
            }
            <h3 class="sub-head">{"Hand-made faults"}</h3>
            if props.faults.is_empty() {
                <p class="muted small">{"None yet. Pause, then click a message in flight or a process on the stage."}</p>
            } else {
                <ul class="fault-list">
                    { for props.faults.iter().enumerate().map(|(i, f)| html! {
                        <li>
                            <span>{describe_fault(f, &nodes, &hops)}</span>
                            <button class="link-btn" aria-label="Remove this fault" data-action="remove-fault"
                                onclick={d.reform(move |_| Action::RemoveFault(i))}>{"remove"}</button>
                        </li>
                    }) }
                </ul>
                <button class="btn small ghost" data-action="clear-faults" onclick={d.reform(|_| Action::ClearFaults)}>{"Remove all hand-made faults"}</button>
            }
            if !fired.is_empty() {
                <details class="fired">
                    <summary>{format!("Faults the dice rolled in this run ({})", fired.len())}</summary>
                    <p class="muted small">{"From the rates above and the seed; the same seed rolls the same faults."}</p>
                    <ul class="fault-list">
                        { for fired.iter().take(50).map(|f| html! { <li>{describe_fault(f, &nodes, &hops)}</li> }) }
                        if fired.len() > 50 { <li class="muted">{format!("… {} more", fired.len() - 50)}</li> }
                    </ul>
                </details>
            }
        </section>
    }
}

/// Whether the run on screen keeps the "Watch:" promise of the prompt or card the
/// learner opened: "as promised: … — jump there", or plainly that it does not.
fn promise_line(props: &ControlsProps) -> Html {
    let Some(pr) = props.promise else {
        return html! {};
    };
    let Some((watch, seed, expect)) = pr.get(props.scenario) else {
        return html! {};
    };
    let Some(result) = props.run.result.as_ref() else {
        return html! {};
    };
    let d = &props.dispatch;
    match crate::sim::promise::keep(expect, result, props.scenario.unit) {
        Ok(evidence) => {
            let jump = evidence.iter().filter_map(|e| e.tick).min();
            html! {
                <div class="promise-check kept" data-promise="kept" role="status">
                    <p><strong>{"As promised: "}</strong>{watch}</p>
                    <ul>{ for evidence.iter().map(|e| html! {
                        <li>{e.says.clone()}{e.tick.map(|t| format!(" (tick {t})")).unwrap_or_default()}</li>
                    }) }</ul>
                    if let Some(t) = jump {
                        <button class="btn small" data-action="promise-jump" onclick={d.reform(move |_| Action::Seek(t))}>
                            {format!("Jump to tick {t}")}
                        </button>
                    }
                </div>
            }
        }
        Err(why) => {
            let other_seed = props.seed != seed;
            html! {
                <div class="promise-check not-kept" data-promise="not-kept" role="status">
                    <p><strong>{"Not in this run: "}</strong>{watch}</p>
                    <p class="small muted">{why}</p>
                    if other_seed {
                        <button class="btn small" data-action="promise-seed" onclick={d.reform(move |_| Action::SetSeed(seed))}>
                            {format!("A different seed shows it — use seed {seed}")}
                        </button>
                    } else {
                        <p class="small">{"Your changed settings or faults prevent it; the prompt's own settings show it."}</p>
                    }
                </div>
            }
        }
    }
}
