//! The counterexample replayed, opened at its breaking step: on the stage
//! (`stage.rs`: the processes, the message handed over, what the stores hold) or on
//! the space-time view (the lanes of the run, its messages as arrows, the fault and the
//! effects as marks, drawn by the playground's own space-time layout up to the step at
//! the playhead). One playhead drives both: the learner steps through the narrated lines
//! (buttons, the slider, or ←/→, Home/End on it); the breaking step is one button away
//! and narrated with its cause.

use super::stage::ReplayStage;
use crate::sim::workbench::{Actor, MarkKind as WbMark, Replay};
use crate::ui::components::spacetime::diagram::{self, Arrow, Diagram, Mark, MarkKind, Span};
use crate::ui::components::spacetime::{arrow_view, frame, mark_view};
use crate::ui::components::stage::use_frame_width;
use crate::ui::layout::{st_layout, st_scene};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ReplayProps {
    pub replay: Rc<Replay>,
}

fn mark_kind(k: WbMark) -> MarkKind {
    match k {
        WbMark::Effect => MarkKind::Apply,
        WbMark::Again => MarkKind::ApplyAgain,
        WbMark::Skip => MarkKind::Skip,
        WbMark::Commit => MarkKind::Commit,
        WbMark::Crash => MarkKind::Crash,
        WbMark::Refused => MarkKind::Reject,
        WbMark::Reset => MarkKind::Operator,
        WbMark::Fault => MarkKind::Timeout,
    }
}

/// The diagram of the run up to beat `at` (nothing after it is drawn).
pub fn upto(r: &Replay, at: usize) -> Diagram {
    let lane = |a: Actor| r.lanes.iter().position(|l| *l == a).unwrap_or(0);
    let mut d = Diagram {
        lanes: r.lanes.iter().map(|a| a.word().to_string()).collect(),
        ..Diagram::default()
    };
    let now = r.beats.get(at).map_or(0, |b| b.tick);
    for (i, b) in r.beats.iter().enumerate().take(at + 1) {
        if let Some(m) = &b.msg {
            d.arrows.push(Arrow {
                net: i as u32,
                from: lane(m.from),
                to: lane(m.to),
                sent: m.sent,
                arrive: m.arrive,
                lost: m.lost,
                copy_of: m.copy.then_some(0),
                back: m.to == Actor::Broker && m.from != Actor::Producer,
                messenger: false,
                label: m.label.clone(),
                flight: None,
            });
        }
        for m in &b.marks {
            d.marks.push(Mark {
                lane: lane(m.at),
                tick: b.tick,
                kind: mark_kind(m.kind),
                label: m.label.clone(),
            });
        }
    }
    d.spans = r
        .spans
        .iter()
        .filter(|s| s.from <= now)
        .map(|s| Span {
            lane: lane(s.lane),
            from: s.from,
            to: s.to,
            down: s.down,
        })
        .collect();
    d
}

/// The replay's diagram at beat `at`, drawn like a run's space-time view (read-only).
#[derive(Properties, PartialEq)]
struct DiagramProps {
    replay: Rc<Replay>,
    at: usize,
}

#[component]
fn ReplayDiagram(props: &DiagramProps) -> Html {
    let wrap = use_node_ref();
    let frame_w = use_frame_width(&wrap, (0, 0));
    let d = upto(&props.replay, props.at);
    let lay = st_layout(frame_w, &d.lanes);
    let tick = props.replay.beats.get(props.at).map_or(0, |b| b.tick);
    // Just past the beat's tick: what happened at it is drawn whole (a record handed
    // over takes no time), the playhead reads its tick.
    let now = f64::from(tick) + 0.001;
    let end = props.replay.end.max(tick);
    let (arrows_in, marks_in) = diagram::inputs(&d);
    let sc = st_scene(&lay, &arrows_in, &marks_in, now, end);
    let noop = Callback::noop();
    let arrows = sc
        .arrows
        .iter()
        .map(|(k, dr, label)| {
            let label = label.map(|r| (r, arrows_in[*k].text.clone()));
            arrow_view(
                &d.arrows[*k],
                dr,
                label,
                String::new(),
                false,
                Callback::noop(),
                &noop,
            )
        })
        .collect();
    let marks = sc
        .marks
        .iter()
        .map(|(k, c, label)| mark_view(*k, &d.marks[*k], *c, *label))
        .collect();
    html! {
        <div class="spacetime-wrap wb-spacetime" ref={wrap}>
            { frame(&lay, &sc, &d, now, arrows, marks, html! {}) }
        </div>
    }
}

/// Which drawing the replay shows.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Drawing {
    Stage,
    SpaceTime,
}

/// Stage / space-time: two toggle buttons (one playhead drives both drawings).
fn drawing_switch(d: &UseStateHandle<Drawing>) -> Html {
    let button = |which: Drawing, text: &str, attr: &str| {
        let d2 = d.clone();
        let on = **d == which;
        html! {
            <button type="button" class={classes!("seg", on.then_some("active"))} aria-pressed={on.to_string()}
                data-wb-drawing={attr.to_string()} onclick={Callback::from(move |_: MouseEvent| d2.set(which))}>{text.to_string()}</button>
        }
    };
    html! {
        <div class="view-toggle wb-drawing" role="group" aria-label="Replay drawing">
            {button(Drawing::Stage, "Stage", "stage")}
            {button(Drawing::SpaceTime, "Space-time", "spacetime")}
        </div>
    }
}

/// First / previous / next / breaking step and the slider (←/→, Home/End on it).
fn controls(r: &Replay, cur: usize, at: &UseStateHandle<usize>) -> Html {
    let n = r.beats.len();
    let last = n.saturating_sub(1);
    let breaking = r.breaking.as_ref().map(|b| b.beat);
    let go = |to: usize| {
        let at = at.clone();
        Callback::from(move |_: MouseEvent| at.set(to.min(last)))
    };
    let on_slide = {
        let at = at.clone();
        Callback::from(move |e: InputEvent| {
            let v = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                .and_then(|i| i.value().parse::<usize>().ok());
            if let Some(v) = v {
                at.set(v.min(last));
            }
        })
    };
    let tick = r.beats.get(cur).map_or(0, |b| b.tick);
    html! {
        <div class="wb-replay-controls" role="group" aria-label="Replay controls">
            <button type="button" class="btn small" onclick={go(0)} disabled={cur == 0}>{"First step"}</button>
            <button type="button" class="btn small" data-wb-prev="" onclick={go(cur.saturating_sub(1))} disabled={cur == 0}>{"◀ Previous step"}</button>
            <button type="button" class="btn small" data-wb-next="" onclick={go(cur + 1)} disabled={cur >= last}>{"Next step ▶"}</button>
            if let Some(bi) = breaking {
                <button type="button" class="btn small bad" data-wb-go-breaking="" onclick={go(bi)} disabled={cur == bi}>{"⚠ Breaking step"}</button>
            }
            <label class="wb-slider">
                <span class="sr-only">{"Replay step"}</span>
                <input type="range" min="0" max={last.to_string()} value={cur.to_string()}
                    aria-label="Replay step" aria-valuetext={format!("step {} of {n}, t={tick}", cur + 1)} oninput={on_slide} />
            </label>
        </div>
    }
}

/// Every line of the run, the current and the breaking one marked.
fn trace_list(r: &Replay, cur: usize) -> Html {
    let breaking = r.breaking.as_ref().map(|b| b.beat);
    let lines = r.beats.iter().enumerate().map(|(i, x)| {
        let cls = classes!(
            (i == cur).then_some("current"),
            (Some(i) == breaking).then_some("breaking"),
            x.fault.then_some("fault")
        );
        html! {
            <li class={cls} aria-current={(i == cur).then_some("step")}>
                {format!("t={} {} {}", x.tick, x.who, x.line)}
                if Some(i) == breaking { <strong class="wb-tag">{" ← breaking step"}</strong> }
            </li>
        }
    });
    html! {
        <>
            <h4>{"Step by step"}</h4>
            <ol class="wb-trace" tabindex="0" aria-label="The counterexample, step by step">{for lines}</ol>
        </>
    }
}

/// The line at the playhead, and at the breaking step its cause.
fn now_view(r: &Replay, cur: usize) -> Html {
    let Some(b) = r.beats.get(cur) else {
        return html! {};
    };
    let here = format!(
        "Step {} of {}, t={}: {} {}",
        cur + 1,
        r.beats.len(),
        b.tick,
        if b.who == "fault" { "fault:" } else { b.who },
        b.line
    );
    let br = r.breaking.as_ref().filter(|br| br.beat == cur);
    html! {
        <>
            <p class={classes!("wb-now", b.fault.then_some("fault"))} aria-live="polite" data-wb-now="">{here}</p>
            if let Some(br) = br {
                <p class="wb-breaking" data-wb-breaking="" role="status"><strong>{"Breaking step: "}</strong>{br.says.clone()}{"."}</p>
            }
        </>
    }
}

/// The replay, opened at the breaking step: the stage or the space-time view at the
/// playhead (one playhead drives both), the narrated line there, the controls, and
/// every line of the run.
#[component]
pub fn ReplayView(props: &ReplayProps) -> Html {
    let r = props.replay.clone();
    let start = r.breaking.as_ref().map_or(0, |b| b.beat);
    let at = use_state(|| start);
    let drawing = use_state(|| Drawing::Stage);
    let cur = (*at).min(r.beats.len().saturating_sub(1));
    let Some(b) = r.beats.get(cur) else {
        return html! {};
    };
    let at_breaking = r.breaking.as_ref().is_some_and(|x| x.beat == cur);
    html! {
        <div class="wb-replay" aria-live="off" data-wb-replay="" data-step={cur.to_string()} data-tick={b.tick.to_string()}
            data-breaking={at_breaking.to_string()}>
            {drawing_switch(&drawing)}
            if *drawing == Drawing::Stage {
                <ReplayStage replay={r.clone()} at={cur} />
            } else {
                <ReplayDiagram replay={r.clone()} at={cur} />
            }
            {now_view(&r, cur)}
            {controls(&r, cur, &at)}
            {trace_list(&r, cur)}
        </div>
    }
}
