//! The one list of the course: every lesson (with its state: new, started, done) and,
//! under it, its scenario for free play (`?s=<id>`, the same teaching order as
//! `scenarios::all()`). Links are real links: they open in a new tab too.

use crate::sim::scenarios;
use crate::ui::state::lesson::{LessonAction, Progress};
use crate::ui::state::Action;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NavProps {
    /// The scenario on the stage.
    pub current: AttrValue,
    /// The lesson on screen, if any.
    #[prop_or_default]
    pub lesson: Option<AttrValue>,
    #[prop_or_default]
    pub progress: Progress,
    pub dispatch: Callback<Action>,
}

#[component]
pub fn Nav(props: &NavProps) -> Html {
    let lessons = crate::course::course();
    let items = scenarios::all().iter().enumerate().map(|(i, s)| {
        let info = s.info();
        let id = info.id;
        let free = props.current.as_str() == id && props.lesson.is_none();
        let onclick = super::plain_click(&props.dispatch, move || {
            Action::SelectScenario(id.to_string())
        });
        let lesson = lessons.iter().find(|l| l.scenario == id).map(|l| {
            let state = props.progress.state_of(&l.id);
            let step = props
                .progress
                .lessons
                .get(&l.id)
                .map_or(0, |x| if x.done { 0 } else { x.step });
            let lid = l.id.clone();
            let current = props.lesson.as_deref() == Some(l.id.as_str());
            let onclick = super::plain_click(&props.dispatch, move || {
                Action::Lesson(LessonAction::Open {
                    id: lid.clone(),
                    step,
                })
            });
            let (mark, said) = match state {
                "done" => ("✓", "done"),
                "started" => ("◐", "started"),
                _ => ("○", "not started"),
            };
            html! {
                <a href={format!("?lesson={}&step={}", l.id, step + 1)} data-lesson={l.id.clone()} data-lesson-state={state}
                    class={classes!("scn", "lesson-link", current.then_some("current"))}
                    aria-current={current.then_some("page")} {onclick}>
                    <span class="scn-num" aria-hidden="true">{i + 1}</span>
                    <span class="scn-text">
                        <span class="scn-title">{l.title.clone()}</span>
                        <span class="sr-only">{format!(", lesson, {said}")}</span>
                    </span>
                    <span class={classes!("ls-mark", state)} aria-hidden="true">{mark}</span>
                </a>
            }
        });
        html! {
            <li class="course-item">
                {lesson.unwrap_or_default()}
                <a href={format!("?s={id}")}
                    data-scenario={id}
                    class={classes!("scn", "free-play", free.then_some("current"))}
                    aria-current={free.then_some("page")}
                    title={info.promise}
                    {onclick}>
                    <span class="scn-text">
                        <span class="scn-promise"><span class="free-label">{"Free play: "}</span>{info.title}</span>
                    </span>
                </a>
            </li>
        }
    });
    html! {
        <nav class="scenario-nav" aria-label="Lessons and scenarios">
            <ol>{ for items }</ol>
        </nav>
    }
}
