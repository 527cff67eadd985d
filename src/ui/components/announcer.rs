//! The stage's text alternative for screen readers: a polite live region that narrates
//! the run in the simulator's own words ([`crate::sim::narrate`]).
//!
//! Stepping (paused) announces every event of the ticks stepped over, in full.
//! Playing announces at most once every [`THROTTLE_MS`], summarising what happened
//! since the last announcement: the notable events, and what is wrong right now
//! ("ticks 12–20: consumer-1 applied txn-3 ₹2000 to m-B; m-B = ₹4000 · m-B over by
//! ₹2000"). A re-run (a hand-made fault, a setting) says how the outcome changed.
//!
//! With reduced motion the narration is shown on screen too, above the stage.

use crate::sim::event::{Ev, Event, TxnState};
use crate::sim::ids::Tick;
use crate::sim::narrate::sentence;
use crate::sim::replay::cursor_for_tick;
use crate::ui::facts::live_verdict;
use crate::ui::state::RunData;
use std::rc::Rc;
use yew::prelude::*;

/// At most one announcement per this many milliseconds while playing.
pub const THROTTLE_MS: f64 = 1500.0;
/// Lines read in full when stepping; more than this is summarised.
const DETAIL_LINES: usize = 8;
/// Notable lines read per summary while playing.
const SUMMARY_LINES: usize = 3;

/// Events that change the outcome or the processes (not routine sends and deliveries).
fn notable(e: &Event) -> bool {
    matches!(
        e.ev,
        Ev::Apply { .. }
            | Ev::Skip { .. }
            | Ev::Lose { .. }
            | Ev::Crash { .. }
            | Ev::Restart { .. }
            | Ev::Pause { .. }
            | Ev::Fence { .. }
            | Ev::Rejected { .. }
            | Ev::Timeout { .. }
            | Ev::Txn {
                state: TxnState::Abort,
                ..
            }
    )
}

fn span(from: Tick, to: Tick) -> String {
    if from == to {
        format!("tick {to}")
    } else {
        format!("ticks {from}–{to}")
    }
}

/// What happened in technique `i` after tick `from` up to and including tick `to`:
/// every event in full (`detail`), or a summary of the notable ones.
pub fn narration(run: &RunData, i: usize, from: Tick, to: Tick, detail: bool) -> String {
    let (Some(tr), Some(tl)) = (run.techniques().get(i), run.timelines.get(i)) else {
        return String::new();
    };
    let a = cursor_for_tick(&tr.trace, from);
    let b = cursor_for_tick(&tr.trace, to);
    let first = from.saturating_add(1).min(to);
    let mut view = tl.view_at(&tr.trace, a);
    let mut lines: Vec<String> = Vec::new();
    let mut skipped = 0usize;
    let detail = detail && b - a <= DETAIL_LINES;
    for e in &tr.trace[a..b] {
        if detail || notable(e) {
            let text = sentence(e, &tr.nodes, &view, run.unit());
            if detail && first != to {
                lines.push(format!("t{} {text}", e.tick));
            } else {
                lines.push(text);
            }
        } else {
            skipped += 1;
        }
        view.apply(e);
    }
    let mut out = span(first, to);
    out.push_str(": ");
    if lines.is_empty() {
        out.push_str(if b == a {
            "nothing happens"
        } else {
            "messages move"
        });
    } else {
        let more = lines
            .len()
            .saturating_sub(if detail { lines.len() } else { SUMMARY_LINES });
        let shown: Vec<String> = lines
            .into_iter()
            .take(if detail { usize::MAX } else { SUMMARY_LINES })
            .collect();
        out.push_str(&shown.join("; "));
        if more > 0 {
            out.push_str(&format!("; and {more} more"));
        }
        if !detail && skipped > 0 && more == 0 {
            out.push_str(&format!(" ({skipped} routine events)"));
        }
    }
    out.push('.');
    if let Some(result) = run.result.as_ref() {
        let (live, _) = live_verdict(tr, &view, &result.workload);
        let unit = run.unit();
        let wrong = live.summary_in(unit);
        if !wrong.is_empty() {
            out.push_str(&format!(" {}: {wrong}.", tr.label));
        }
    }
    out
}

/// What a re-run changed for technique `i`: its final verdict.
pub fn rerun_note(run: &RunData, i: usize) -> String {
    let Some(tr) = run.techniques().get(i) else {
        return String::new();
    };
    let unit = run.unit();
    let s = tr.verdict.summary_in(unit);
    let outcome = if s.is_empty() {
        "every check passes at the end".to_string()
    } else {
        format!("at the end, {s}")
    };
    format!(
        "Re-ran the same seed with your change. {}: {outcome}.",
        tr.label
    )
}

#[derive(Properties, PartialEq)]
pub struct AnnouncerProps {
    pub run: Rc<RunData>,
    pub index: usize,
    pub tick: Tick,
    pub playing: bool,
    /// Show the narration on screen (reduced motion: the event log leads).
    #[prop_or_default]
    pub visible: bool,
    /// A lesson is holding back an answer: a re-run is announced without its outcome.
    #[prop_or_default]
    pub hold: bool,
}

/// Where the last announcement left off.
#[derive(Default)]
struct Mark {
    gen: u64,
    index: usize,
    tick: Tick,
    at_ms: f64,
    playing: bool,
    started: bool,
}

#[component]
pub fn Announcer(props: &AnnouncerProps) -> Html {
    let text = use_state(String::new);
    let mark = use_mut_ref(Mark::default);
    // An announcement not yet worded, and whether it was scheduled while playing
    // (dropping it cancels it).
    let pending = use_mut_ref(|| None::<(bool, gloo::timers::callback::Timeout)>);
    {
        let text = text.clone();
        let run = props.run.clone();
        let (index, tick, playing, hold) = (props.index, props.tick, props.playing, props.hold);
        use_effect_with((run.gen, index, tick, playing), move |_| {
            // A summary due while playing is still said; anything else is superseded.
            if !(playing && pending.borrow().as_ref().is_some_and(|(p, _)| *p)) {
                pending.borrow_mut().take();
            }
            let mut m = mark.borrow_mut();
            let now = js_sys::Date::now();
            if !m.started {
                // The page just opened: nothing to announce yet.
                *m = Mark {
                    gen: run.gen,
                    index,
                    tick,
                    at_ms: now,
                    playing,
                    started: true,
                };
                return;
            }
            // Playback just stopped by itself (the end, or the end of a step range): the
            // rest is read out, but no sooner than the throttle allows.
            let wait = if m.playing && !playing {
                THROTTLE_MS - (now - m.at_ms)
            } else {
                0.0
            };
            if m.gen == run.gen && m.index == index && tick == m.tick {
                return;
            }
            if m.gen == run.gen && m.index == index && playing && now - m.at_ms < THROTTLE_MS {
                return;
            }
            let (gen0, index0, from, gen) = (m.gen, m.index, m.tick, run.gen);
            let delay = if gen0 == gen && index0 == index && tick > from {
                wait.max(0.0).ceil() as u32
            } else {
                0
            };
            // Worded in a task of its own, after the frame that moved the playhead: the
            // narration folds and words events, which need not delay what is drawn.
            let say = move || {
                let said = if gen0 != run.gen {
                    Some(if hold {
                        "Re-ran the same seed with your change.".to_string()
                    } else {
                        rerun_note(&run, index)
                    })
                } else if index0 != index {
                    run.techniques()
                        .get(index)
                        .map(|t| format!("Showing {} at tick {tick}.", t.label))
                } else if tick > from {
                    Some(narration(&run, index, from, tick, !playing))
                } else if playing {
                    // Played from the start again.
                    None
                } else if tick == 0 {
                    Some("Back at the start, tick 0.".to_string())
                } else {
                    // Back in time: what happens at the tick now shown.
                    Some(format!(
                        "Back to {}",
                        narration(&run, index, tick - 1, tick, true)
                    ))
                };
                if let Some(said) = said {
                    text.set(said);
                }
            };
            *pending.borrow_mut() =
                Some((playing, gloo::timers::callback::Timeout::new(delay, say)));
            *m = Mark {
                gen,
                index,
                tick,
                at_ms: now + wait.max(0.0),
                playing,
                started: true,
            };
        });
    }
    html! {
        <div class={classes!("announcer", (!props.visible).then_some("sr-only"))}
            role="status" aria-live="polite" aria-atomic="true" data-announcer="">
            if props.visible {
                <span class="announcer-label" aria-hidden="true">{"Narration"}</span>
            }
            <p class="announcer-text">
                if text.is_empty() && props.visible {
                    // On screen before anything was announced: where the run stands.
                    { if props.tick == 0 {
                        "tick 0: nothing has happened yet — press play or step forward.".to_string()
                    } else {
                        narration(&props.run, props.index, props.tick - 1, props.tick, true)
                    } }
                } else {
                    {(*text).clone()}
                }
            </p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::share::ShareState;
    use crate::ui::state::State;

    fn walkthrough() -> State {
        State::from_share(&ShareState::new("walkthrough"), &[])
    }

    #[test]
    fn stepping_reads_every_event_of_the_tick() {
        let s = walkthrough();
        let run = &s.run;
        // Find a tick with an event.
        let t = run.next_event_tick(0).unwrap();
        let n = run.events_at(0, t).len();
        let text = narration(run, 0, t - 1, t, true);
        assert!(text.starts_with(&format!("tick {t}: ")), "{text}");
        assert_eq!(text.matches("; ").count() + 1, n.max(1), "{text}");
    }

    #[test]
    fn playing_summarises_the_naive_double_apply() {
        let s = walkthrough();
        let run = &s.run;
        let text = narration(run, 0, 0, run.end, false);
        assert!(
            text.starts_with(&format!("ticks 1–{}: ", run.end)),
            "{text}"
        );
        assert!(text.contains("applied"), "{text}");
        assert!(text.contains("more"), "{text}");
        // The naive handler ends ₹2000 over on m-B.
        assert!(text.contains("m-B over by ₹2000"), "{text}");
        assert!(text.len() < 600, "a summary stays short: {}", text.len());
        // The dedup technique stays right.
        let text = narration(run, 2, 0, run.end, false);
        assert!(!text.contains("over by"), "{text}");
    }

    #[test]
    fn a_rerun_says_the_outcome() {
        let s = walkthrough();
        assert!(rerun_note(&s.run, 0).contains("over by"));
        assert!(rerun_note(&s.run, 2).contains("every check passes"));
    }
}
