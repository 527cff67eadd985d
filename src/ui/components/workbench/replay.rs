//! The counterexample replayed on the space-time view: the lanes of the run (producer,
//! broker, consumer, database, …), its messages as arrows, the fault and the effects as
//! marks, drawn by the playground's own space-time layout and rendering up to the step
//! at the playhead. The learner steps through the narrated lines (buttons, the slider,
//! or ←/→, Home/End on it); the breaking step is one button away and narrated with its
//! cause.

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

/// The replay: the diagram at the playhead, the narrated line there, the controls, and
/// every line of the run with the current and the breaking one marked.
#[component]
pub fn ReplayView(props: &ReplayProps) -> Html {
    let r = props.replay.clone();
    let n = r.beats.len();
    let at = use_state(|| 0usize);
    let open = use_state(|| false);
    let cur = (*at).min(n.saturating_sub(1));
    let breaking = r.breaking.as_ref().map(|b| b.beat);
    let go = |to: usize| {
        let at = at.clone();
        Callback::from(move |_: MouseEvent| at.set(to.min(n.saturating_sub(1))))
    };
    let on_slide = {
        let at = at.clone();
        Callback::from(move |e: InputEvent| {
            let v = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                .and_then(|i| i.value().parse::<usize>().ok());
            if let Some(v) = v {
                at.set(v.min(n.saturating_sub(1)));
            }
        })
    };
    let Some(b) = r.beats.get(cur) else {
        return html! {};
    };
    if !*open {
        let show = {
            let open = open.clone();
            Callback::from(move |_: MouseEvent| open.set(true))
        };
        return html! {
            <div class="wb-replay closed">
                <button type="button" class="btn" data-wb-open-replay="" onclick={show}>{"▶ Replay it on the space-time view"}</button>
                <h4>{"Step by step"}</h4>
                <ol class="wb-trace" tabindex="0" aria-label="The counterexample, step by step">
                    {for r.beats.iter().map(|x| html! { <li>{format!("t={} {} {}", x.tick, x.who, x.line)}</li> })}
                </ol>
            </div>
        };
    }
    let here = format!(
        "Step {} of {n}, t={}: {} {}",
        cur + 1,
        b.tick,
        if b.who == "fault" { "fault:" } else { b.who },
        b.line
    );
    let at_breaking = breaking == Some(cur);
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
        <div class="wb-replay" aria-live="off" data-wb-replay="" data-step={cur.to_string()} data-tick={b.tick.to_string()}
            data-breaking={at_breaking.to_string()}>
            <ReplayDiagram replay={r.clone()} at={cur} />
            <p class={classes!("wb-now", b.fault.then_some("fault"))} aria-live="polite" data-wb-now="">{here}</p>
            if at_breaking {
                if let Some(br) = &r.breaking {
                    <p class="wb-breaking" data-wb-breaking="" role="status"><strong>{"Breaking step: "}</strong>{br.says.clone()}{"."}</p>
                }
            }
            <div class="wb-replay-controls" role="group" aria-label="Replay controls">
                <button type="button" class="btn small" onclick={go(0)} disabled={cur == 0}>{"First step"}</button>
                <button type="button" class="btn small" data-wb-prev="" onclick={go(cur.saturating_sub(1))} disabled={cur == 0}>{"◀ Previous step"}</button>
                <button type="button" class="btn small" data-wb-next="" onclick={go(cur + 1)} disabled={cur + 1 >= n}>{"Next step ▶"}</button>
                if let Some(bi) = breaking {
                    <button type="button" class="btn small bad" data-wb-go-breaking="" onclick={go(bi)} disabled={cur == bi}>{"⚠ Breaking step"}</button>
                }
                <label class="wb-slider">
                    <span class="sr-only">{"Replay step"}</span>
                    <input type="range" min="0" max={n.saturating_sub(1).to_string()} value={cur.to_string()}
                        aria-label="Replay step" aria-valuetext={format!("step {} of {n}, t={}", cur + 1, b.tick)} oninput={on_slide} />
                </label>
            </div>
            <h4>{"Step by step"}</h4>
            <ol class="wb-trace" tabindex="0" aria-label="The counterexample, step by step">{for lines}</ol>
        </div>
    }
}
