//! Play / pause, step back and forward (by tick and by event), the timeline scrubber
//! with the first violation marked, speed, reset, and the seed (editable, or new).

use crate::sim::ids::Tick;
use crate::ui::state::{Action, RunData, SPEEDS};
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PlaybackProps {
    pub tick: Tick,
    pub end: Tick,
    pub playing: bool,
    pub speed: u32,
    pub seed: u64,
    pub run: Rc<RunData>,
    pub index: usize,
    /// The step range a link locked playback to (`from`/`to`), if any.
    #[prop_or_default]
    pub range: Option<(Tick, Tick)>,
    /// Whether the learner may lift that lock (not in an embed on a slide).
    #[prop_or_default]
    pub can_unlock: bool,
    /// A lesson is holding back an answer: no marker for where it went wrong.
    #[prop_or_default]
    pub hold: bool,
    pub dispatch: Callback<Action>,
}

fn speed_label(s: u32) -> String {
    if s >= 1000 {
        format!("{}k ticks/s", s as f64 / 1000.0)
    } else if s == 1 {
        "1 tick/s".to_string()
    } else {
        format!("{s} ticks/s")
    }
}

#[component]
pub fn Playback(props: &PlaybackProps) -> Html {
    let d = &props.dispatch;
    let empty = props.end == 0;
    let on_scrub = d.reform(|e: InputEvent| {
        let v = e.target_unchecked_into::<HtmlInputElement>().value();
        Action::Seek(v.parse::<Tick>().unwrap_or(0))
    });
    let on_speed = d.reform(|e: Event| {
        let v = e.target_unchecked_into::<HtmlSelectElement>().value();
        Action::SetSpeed(v.parse::<u32>().unwrap_or(1))
    });
    let on_seed = d.reform(|e: Event| {
        let input = e.target_unchecked_into::<HtmlInputElement>();
        let v = input.value();
        match v.trim().parse::<u64>() {
            Ok(seed) => Action::SetSeed(seed),
            Err(_) => Action::Notify(format!(
                "seed '{}' is not a whole number from 0 to {}; kept the old seed",
                v.chars().take(30).collect::<String>(),
                u64::MAX
            )),
        }
    });
    let on_new_seed = d.reform(|_| {
        // A seed the learner can read out loud; the simulator stays deterministic.
        let r = js_sys::Math::random();
        Action::SetSeed((r * 1_000_000.0).floor() as u64 + 2)
    });

    let (lo, hi) = props.range.unwrap_or((0, props.end));
    let pct = |t: Tick| {
        if props.end == 0 {
            0.0
        } else {
            f64::from(t.saturating_sub(lo)) / f64::from((hi - lo).max(1)) * 100.0
        }
    };
    let first_bad = props
        .run
        .first_bad
        .get(props.index)
        .copied()
        .flatten()
        .filter(|_| !props.hold);
    let tech_label = props
        .run
        .techniques()
        .get(props.index)
        .map(|t| t.label.clone())
        .unwrap_or_default();

    html! {
        <div class="playback" id="playback" tabindex="-1" role="region" aria-label="Playback">
            <div class="pb-buttons">
                <button class="btn icon" data-action="reset" title="Back to the start (Home)" aria-label="Back to the start"
                    disabled={empty} onclick={d.reform(|_| Action::Reset)}>
                    <svg class="ico" viewBox="0 0 16 16" aria-hidden="true"><path d="M3 2.5v11" /><path class="fill" d="M13.5 2.5 L5 8 L13.5 13.5 Z" /></svg>
                </button>
                <button class="btn icon" data-action="prev-event" title="Previous tick with an event (,)" aria-label="Previous event"
                    disabled={empty} onclick={d.reform(|_| Action::PrevEvent)}>{"⇤"}</button>
                <button class="btn icon" data-action="step-back" title="One tick back (←)" aria-label="One tick back"
                    disabled={empty || props.tick <= lo} onclick={d.reform(|_| Action::StepBack)}>{"◀"}</button>
                <button class="btn play" data-action="play" aria-pressed={props.playing.to_string()}
                    title="Play / pause (space)" disabled={empty}
                    onclick={d.reform(|_| Action::TogglePlay)}>
                    if props.playing { {"❚❚ Pause"} } else if props.tick >= hi && !empty { {"▶ Replay"} } else { {"▶ Play"} }
                </button>
                <button class="btn icon" data-action="step-forward" title="One tick forward (→)" aria-label="One tick forward"
                    disabled={empty || props.tick >= hi} onclick={d.reform(|_| Action::StepForward)}>{"▶"}</button>
                <button class="btn icon" data-action="next-event" title="Next tick with an event (.)" aria-label="Next event"
                    disabled={empty || props.tick >= hi} onclick={d.reform(|_| Action::NextEvent)}>{"⇥"}</button>
            </div>
            <div class="pb-scrub">
                <output class="playhead" data-tick={props.tick.to_string()} aria-live="off">
                    <span class="muted">{"tick "}</span><strong>{props.tick}</strong>
                    <span class="muted">{format!(" / {}", props.end)}</span>
                </output>
                <div class="scrub-track">
                    <input type="range" class="scrubber" aria-label="Timeline" min={lo.to_string()} max={hi.to_string()} step="1"
                        value={props.tick.to_string()} disabled={empty} oninput={on_scrub} />
                    if let Some(t) = first_bad.filter(|t| (lo..=hi).contains(t)) {
                        <button class="bad-marker" style={format!("left: {:.2}%", pct(t))}
                            data-action="jump-first-violation"
                            title={format!("{tech_label}: first went wrong at tick {t}")}
                            aria-label={format!("Jump to tick {t}, where {tech_label} first went wrong")}
                            onclick={d.reform(move |_| Action::Seek(t))}>{"✕"}</button>
                    }
                </div>
            </div>
            if let Some((a, b)) = props.range {
                <p class="range-lock" data-range={format!("{a}-{b}")}>
                    <span aria-hidden="true">{"🔒 "}</span>{format!("Steps locked to ticks {a}–{b}")}
                    if props.can_unlock {
                        <button class="link-btn" data-action="unlock" onclick={d.reform(|_| Action::Unlock)}>{"show the whole run"}</button>
                    }
                </p>
            }
            <div class="pb-settings">
                <label class="field">
                    <span class="field-label">{"Speed"}</span>
                    <select data-control="speed" onchange={on_speed} aria-label="Playback speed">
                        { for SPEEDS.iter().map(|s| html! {
                            <option value={s.to_string()} selected={*s == props.speed}>{speed_label(*s)}</option>
                        }) }
                    </select>
                </label>
                <label class="field seed">
                    <span class="field-label">{"Seed"}</span>
                    <input type="text" inputmode="numeric" data-control="seed" aria-label="Seed"
                        value={props.seed.to_string()} onchange={on_seed} size="8" />
                </label>
                <button class="btn" data-action="new-seed" title="Run again with another seed" onclick={on_new_seed}>{"⚄ New seed"}</button>
                <span class="keys muted" aria-hidden="true"><kbd>{"space"}</kbd>{" play · "}<kbd>{"←"}</kbd><kbd>{"→"}</kbd>{" tick · "}<kbd>{","}</kbd><kbd>{"."}</kbd>{" event · "}<kbd>{"?"}</kbd>{" all keys"}</span>
            </div>
        </div>
    }
}
