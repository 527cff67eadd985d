//! The regions of the page, drawn from the state: the stage (technique tabs, view
//! toggle, stage or space-time view, narration), playback, the ledgers, the side panel
//! of settings and explanations, and the small bars around them.

use crate::sim::ids::Tick;
use crate::sim::replay::View;
use crate::sim::run::{NodeKind, Property};
use crate::ui::components::{announcer::Announcer, telemetry_chart::TelemetryMeans};
use crate::ui::components::{
    calculator::Calculator,
    controls::Controls,
    explain::Explain,
    futures::FromHere,
    generals::Generals,
    ledgers::Ledgers,
    lesson::LessonPanel,
    playback::Playback,
    share_panel::{self, SharePanel},
    spacetime::Spacetime,
    stage::Stage,
    story::Story,
    sweep::Sweep,
};
use crate::ui::prefs::{PrefAction, Prefs};
use crate::ui::share::{ShareState, ViewMode};
use crate::ui::state::{Action, State};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// What every region reads: the state and what the `App` derived from it once.
pub(super) struct Ctx<'a> {
    pub state: &'a State,
    pub dispatch: &'a Callback<Action>,
    pub views: Rc<Vec<View>>,
    /// The technique shown.
    pub index: usize,
    pub tick: Tick,
    /// A lesson's question is still ahead: no verdict on screen.
    pub hold: bool,
    /// A lesson's question waits for its answer: the playhead is held.
    pub held: bool,
    pub in_lesson: bool,
    pub reduced: bool,
    /// Where tokens are drawn (whole ticks under reduced motion).
    pub now: f64,
    /// How many start-up steps have mounted, and when each region does (`mount.rs`).
    pub step: u8,
    pub plan: super::mount::Plan,
    /// False until every region has mounted (`mount.rs`): the ledgers' counters and
    /// entries come last.
    pub painted: bool,
}

impl<'a> Ctx<'a> {
    pub fn new(
        state: &'a State,
        dispatch: &'a Callback<Action>,
        views: Rc<Vec<View>>,
        reduced: bool,
        (step, plan): (u8, super::mount::Plan),
    ) -> Ctx<'a> {
        Ctx {
            state,
            dispatch,
            views,
            index: state.technique_index(),
            tick: state.tick(),
            // A lesson before its question is answered: nothing on screen may give the
            // answer away (verdicts withheld from the first step on).
            hold: crate::ui::state::lesson::withhold(state),
            // A question waiting for its answer: the playhead is held.
            held: state.lesson.as_ref().is_some_and(|l| l.pending()),
            in_lesson: state.lesson.is_some(),
            reduced,
            // Reduced motion: tokens jump from tick to tick instead of gliding.
            now: crate::ui::prefs::drawn_pos(state.pos, reduced),
            step,
            plan,
            painted: step >= plan.last,
        }
    }
}

impl Ctx<'_> {
    fn tech_tabs(&self) -> Html {
        let (run, index, hold) = (&self.state.run, self.index, self.hold);
        if run.techniques().is_empty() {
            return html! {};
        }
        html! {
            <div class="tech-tabs" role="tablist" aria-label="Technique shown on the stage">
                { for run.techniques().iter().enumerate().map(|(i, t)| {
                    let id = t.id.clone();
                    let (mark, tone) = if hold { ("", "") } else { (t.badge.tone().glyph(), t.badge.tone().class()) };
                    let cls = classes!("tab", (i == index).then_some("active"), tone);
                    html! {
                        <button role="tab" class={cls} aria-selected={(i == index).to_string()}
                            data-tech={t.id.clone()}
                            title={if hold { t.label.clone() } else { t.badge.text.clone() }}
                            onclick={self.dispatch.reform(move |_| Action::SelectTechnique(id.clone()))}>
                            <span class="tab-mark" aria-hidden="true">{mark}</span>{t.label.clone()}
                        </button>
                    }
                }) }
            </div>
        }
    }

    fn view_toggle(&self) -> Html {
        let v = self.state.view;
        let seg = |mode: ViewMode, key: &'static str, label: &'static str| {
            html! {
                <button class={classes!("seg", (v == mode).then_some("active"))}
                    aria-pressed={(v == mode).to_string()} data-view={key}
                    onclick={self.dispatch.reform(move |_| Action::SetView(mode))}>{label}</button>
            }
        };
        html! {
            <div class="view-toggle" role="group" aria-label="View">
                {seg(ViewMode::Stage, "stage", "Stage")}
                {seg(ViewMode::Spacetime, "spacetime", "Space-time")}
            </div>
        }
    }

    fn stage_body(&self) -> Html {
        let (run, d) = (&self.state.run, self.dispatch);
        if let Some(err) = &run.error {
            return html! {
                <div class="placeholder" role="alert">
                    <h2>{"This run could not be made"}</h2>
                    <p>{err.clone()}</p>
                    <button class="btn" onclick={d.reform(|_| Action::ResetParams)}>{"Back to the defaults"}</button>
                </div>
            };
        }
        match self.state.view {
            ViewMode::Stage => html! {
                <Stage run={run.clone()} views={self.views.clone()} index={self.index} now={self.now} dispatch={d.clone()} crop={self.in_lesson} />
            },
            ViewMode::Spacetime => html! {
                <Spacetime run={run.clone()} index={self.index} now={self.now} dispatch={d.clone()} />
            },
        }
    }

    pub fn stage_region(&self) -> Html {
        let (run, s) = (&self.state.run, self.state);
        let (index, tick, hold) = (self.index, self.tick, self.hold);
        if self.step < self.plan.stage {
            return html! {};
        }
        html! {
            <main class="stage" id="stage" tabindex="-1" aria-label="Stage">
                <div class="stage-head">
                    {self.tech_tabs()}
                    {self.view_toggle()}
                </div>
                if self.step >= self.plan.drawing {
                    if !run.techniques().is_empty() {
                        <Announcer run={run.clone()} {index} {tick} playing={s.playing} visible={self.reduced} {hold} />
                    }
                    {self.stage_body()}
                    if !run.techniques().is_empty() {
                        <Story run={run.clone()} {index} {tick} playing={s.playing} />
                    }
                }
            </main>
        }
    }

    pub fn playback(&self) -> Html {
        let s = self.state;
        html! {
            <Playback
                tick={self.tick}
                end={s.run.end}
                playing={s.playing}
                speed={s.speed}
                seed={s.inputs.config.seed}
                run={s.run.clone()}
                index={self.index}
                range={(s.locked() || self.held).then(|| s.range())}
                can_unlock={!s.embed && !self.held}
                hold={self.hold}
                dispatch={self.dispatch.clone()} />
        }
    }

    pub fn ledgers(&self) -> Html {
        let (run, views, index, d) = (&self.state.run, &self.views, self.index, self.dispatch);
        let has_generals = has_generals(run);
        let fidelity = run.property() == Property::Fidelity && !run.techniques().is_empty();
        html! {
            <section class="ledgers" id="ledgers" tabindex="-1" aria-label="Ledgers">
                if has_generals {
                    <Generals run={run.clone()} views={views.clone()} {index} dispatch={d.clone()} />
                }
                if fidelity {
                    <TelemetryMeans run={run.clone()} views={views.clone()} {index} />
                }
                <Ledgers run={run.clone()} views={views.clone()} tick={self.tick} {index} dispatch={d.clone()} hold={self.hold} full={self.painted} />
            </section>
        }
    }

    pub fn lesson_panel(&self) -> Html {
        match &self.state.lesson {
            Some(l) => html! {
                <>
                    <LessonPanel run={l.clone()} tick={self.tick} dispatch={self.dispatch.clone()}
                        scenario={self.state.inputs.scenario} params={self.state.inputs.config.params.clone()}
                        held_at={self.held.then(|| self.state.range().1)} />
                    {lesson_rows_style(l)}
                </>
            },
            None => html! {},
        }
    }

    pub fn replay_banner(&self) -> Html {
        if self.state.inputs.config.random_faults {
            return html! {};
        }
        html! {
            <div class="replay-banner" role="note">
                <span>{"Replaying a recorded fault schedule: only the faults listed under “Hand-made faults” happen — the dice are off."}</span>
                <button class="btn small" data-action="dice-on" onclick={self.dispatch.reform(|_| Action::SetRandomFaults(true))}>{"Roll the dice again"}</button>
            </div>
        }
    }

    /// Settings and explanations (a lesson replaces the prompts and the explanations).
    /// Below the settings, the rest mounts a step later (`mount.rs`).
    pub fn side(&self, title: &'static str) -> Html {
        let (s, d, run) = (self.state, self.dispatch, &self.state.run);
        let free = !self.in_lesson;
        html! {
            <aside class="side" aria-label="Settings and explanations">
                if free {
                    <Explain scenario={s.inputs.scenario} dispatch={d.clone()} part={"intro"} />
                }
                <Controls
                    scenario={s.inputs.scenario}
                    params={s.inputs.config.params.clone()}
                    faults={s.inputs.config.manual.clone()}
                    run={run.clone()}
                    index={self.index}
                    seed={s.inputs.config.seed}
                    promise={s.promise}
                    in_lesson={self.in_lesson}
                    in_step={s.lesson.as_ref().map(crate::ui::state::lesson::step_params).unwrap_or_default()}
                    dispatch={d.clone()} />
                if self.step >= self.plan.side_rest { {self.side_rest(title)} }
            </aside>
        }
    }

    /// The side panel below the settings: sharing, and outside a lesson the sweeps, From
    /// here, the calculator and the confusions.
    fn side_rest(&self, title: &'static str) -> Html {
        let (s, d, run) = (self.state, self.dispatch, &self.state.run);
        let free = !self.in_lesson;
        html! {
            <>
                <SharePanel share={s.share()} run={run.clone()} {title} dispatch={d.clone()} />
                if !run.techniques().is_empty() && free {
                    <Sweep scenario={s.inputs.scenario} params={s.inputs.config.params.clone()} seed={s.inputs.config.seed} mode={s.check} dispatch={d.clone()} />
                    <FromHere scenario={s.inputs.scenario} config={s.inputs.config.clone()} technique={s.technique.clone()} tick={s.tick()} dispatch={d.clone()} />
                }
                if s.inputs.scenario == "dedup-window" && free {
                    <Calculator />
                }
                if free {
                    <Explain scenario={s.inputs.scenario} dispatch={d.clone()} part={"confusions"} />
                }
            </>
        }
    }
}

/// Whether the run has generals (their panel heads the ledgers).
pub(super) fn has_generals(run: &crate::ui::state::RunData) -> bool {
    run.techniques()
        .iter()
        .any(|t| t.nodes.iter().any(|n| n.kind == NodeKind::General))
}

/// Help, presenter mode and reduced motion (also on the keyboard: ?, p, m).
pub(super) fn a11y_tools(prefs: &UseReducerHandle<Prefs>) -> Html {
    let reduced = prefs.reduced();
    let toggle = |a: fn() -> PrefAction| {
        let p = prefs.dispatcher();
        Callback::from(move |_: MouseEvent| p.dispatch(a()))
    };
    html! {
        <>
            <button class="btn small ghost" data-action="motion" aria-pressed={reduced.to_string()}
                title="Reduce motion: messages jump from tick to tick, the narration leads (m)"
                onclick={toggle(|| PrefAction::ToggleMotion)}>
                {if reduced { "✓ Reduced motion" } else { "Reduce motion" }}
            </button>
            <button class="btn small ghost" data-action="presenter" aria-pressed={prefs.presenter.to_string()}
                title="Presenter mode: large type, the stage only (p)"
                onclick={toggle(|| PrefAction::TogglePresenter)}>
                {if prefs.presenter { "Leave presenter mode" } else { "Presenter" }}
            </button>
            <button class="btn small ghost" data-action="help" aria-haspopup="dialog"
                title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts"
                onclick={toggle(|| PrefAction::ToggleHelp)}>
                {"?"}
            </button>
        </>
    }
}

/// The embed's title bar, with a way out to the whole playground (new tab).
pub(super) fn embed_bar(state: &State, title: &'static str) -> Html {
    let full = share_panel::link_for(&ShareState {
        embed: false,
        autoplay: false,
        ..state.share()
    });
    html! {
        <header class="embed-bar">
            <strong class="embed-title">{title}</strong>
            <a class="embed-open" href={full} target="_blank" rel="noopener"
                title="Open this run in the whole playground (new tab)">{"Open in the playground ↗"}</a>
        </header>
    }
}

/// Links for keyboard users past the stage's many tab stops.
/// The page's header: the name, what it shows, the theme switch and the a11y tools.
pub(super) fn app_header(
    title: &'static str,
    dark: bool,
    toggle_theme: Callback<MouseEvent>,
    prefs: &UseReducerHandle<Prefs>,
) -> Html {
    html! {
        <header class="app-header">
            <div class="brand">
                <h1>{"Exactly-Once Playground"}</h1>
                <p class="tagline">{"Delivery can't be exactly once. Processing can — watch how."}</p>
            </div>
            <div class="header-tools">
                <div class="now-showing">
                    <span class="muted">{"Scenario"}</span>
                    <strong>{title}</strong>
                </div>
                <button class="btn small ghost" data-action="theme" aria-pressed={dark.to_string()} onclick={toggle_theme}
                    title="Switch between the light and the dark theme">{if dark { "☀ Light" } else { "☾ Dark" }}</button>
                {a11y_tools(prefs)}
            </div>
        </header>
    }
}

/// The run's regions, in page order: the lesson panel, the replay banner, the stage,
/// playback and the ledgers.
impl Ctx<'_> {
    pub fn run_regions(&self) -> Html {
        html! {
            <>
                if self.step >= self.plan.lesson {
                    {self.lesson_panel()}
                    {self.replay_banner()}
                }
                {self.stage_region()}
                if self.step >= self.plan.playback { {self.playback()} }
                if self.step >= self.plan.ledgers { {self.ledgers()} }
            </>
        }
    }
}

/// The left column: the course's lessons and the scenarios.
/// Until its start-up step (`mount.rs`) it is an empty, invisible column.
pub(super) fn nav_col(state: &State, dispatch: &Callback<Action>, mounted: bool) -> Html {
    use crate::ui::components::{course::CourseList, nav::Nav};
    let current = state
        .lesson
        .as_ref()
        .filter(|l| !l.imported)
        .map(|l| AttrValue::from(l.lesson.id.clone()));
    html! {
        <div class="nav-col" style={(!mounted).then_some(super::mount::PENDING)}>
            if mounted {
                <CourseList progress={state.progress.clone()} current={current.clone()} dispatch={dispatch.clone()}>
                    <Nav current={state.inputs.scenario.id} lesson={current} progress={state.progress.clone()} dispatch={dispatch.clone()} />
                </CourseList>
            }
        </div>
    }
}

/// Where to start, on the home page (opened without a link).
pub(super) fn home_intro(state: &State, dispatch: &Callback<Action>) -> Html {
    html! {
        <section class="home-intro" aria-label="Where to start" data-home="">
            <p>{format!("{} short lessons: predict what a run will do, watch it, then break it yourself. Each lesson's scenario is also there for free play.", crate::course::course().len())}</p>
            {crate::ui::components::course::start_button(&state.progress, dispatch, "start-here")}
        </section>
    }
}

pub(super) fn skip_links() -> Html {
    html! {
        <nav class="skip-links" aria-label="Skip links">
            {skip_link("Skip to the stage", "stage")}
            {skip_link("Skip to playback", "playback")}
            {skip_link("Skip to the ledgers", "ledgers")}
        </nav>
    }
}

/// A link that moves the focus past everything before `target` (busy stages have a tab
/// stop per message). Focus moves by script so the address bar, which holds the share
/// link, never gets a `#fragment`.
fn skip_link(label: &'static str, target: &'static str) -> Html {
    let onclick = Callback::from(move |e: MouseEvent| {
        e.prevent_default();
        let el = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(target))
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(el) = el {
            let _ = el.focus();
        }
    });
    html! {
        <a class="skip-link" href={format!("#{target}")} data-skip={target} {onclick}>{label}</a>
    }
}

/// The ledger rows a lesson step names stay open; the other merchants' rows fold away
/// (from here, by CSS: the ledger table is another component's). No rows named: all
/// stay.
fn lesson_rows_style(l: &crate::ui::state::lesson::LessonRun) -> Html {
    if l.finished {
        return html! {};
    }
    // Counters the step does not ask about fold away too (they are a tall block on a phone).
    let counters = if crate::ui::state::lesson::step_reads_counters(l) {
        String::new()
    } else {
        ".app.in-lesson .ledger-table tbody.counters { display: none; }".to_string()
    };
    let rows = crate::ui::state::lesson::step_rows(l);
    if rows.is_empty() {
        return if counters.is_empty() {
            html! {}
        } else {
            html! { <style data-lesson-counters="folded">{counters}</style> }
        };
    }
    let keep: String = rows
        .iter()
        .filter(|m| {
            m.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ' ')
        })
        .map(|m| format!(":not(:has(.bal[data-merchant=\"{m}\"]))"))
        .collect();
    let css = format!(
        ".app.in-lesson .ledger-table tbody.balances tr{keep} {{ display: none; }}{counters}"
    );
    html! { <style data-lesson-rows={rows.join(",")}>{css}</style> }
}

/// The hint shown while a run file is dragged over the page.
pub(super) fn drop_hint(dragging: bool) -> Html {
    html! {
        if dragging {
            <div class="drop-hint" aria-hidden="true">{"Drop a run file to import it"}</div>
        }
    }
}
