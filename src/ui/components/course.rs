//! The course list in the navigation: every lesson with its state (new, started,
//! done), a lesson-file import for teachers, and "reset progress".

use crate::ui::lesson_state::{LessonAction, Progress};
use crate::ui::state::Action;
use gloo::file::callbacks::FileReader;
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CourseProps {
    pub progress: Progress,
    /// The lesson on screen, if any.
    pub current: Option<AttrValue>,
    pub dispatch: Callback<Action>,
}

#[component]
pub fn CourseList(p: &CourseProps) -> Html {
    let reader: Rc<RefCell<Option<FileReader>>> = use_mut_ref(|| None);
    let on_import = {
        let d = p.dispatch.clone();
        Callback::from(move |e: Event| {
            let input = e.target_unchecked_into::<HtmlInputElement>();
            if let Some(file) = input.files().and_then(|l| l.get(0)) {
                super::share_panel::read_run_file(file, &d, &reader);
            }
            input.set_value("");
        })
    };
    let items = crate::course::course().iter().enumerate().map(|(i, l)| {
        let state = p.progress.state_of(&l.id);
        let step = p.progress.lessons.get(&l.id).map_or(0, |x| if x.done { 0 } else { x.step });
        let id = l.id.clone();
        let current = p.current.as_deref() == Some(l.id.as_str());
        let onclick = super::plain_click(&p.dispatch, move || {
            Action::Lesson(LessonAction::Open { id: id.clone(), step })
        });
        let (mark, said) = match state {
            "done" => ("✓", "done"),
            "started" => ("◐", "started"),
            _ => ("○", "not started"),
        };
        html! {
            <li>
                <a href={format!("?lesson={}&step={}", l.id, step + 1)} data-lesson={l.id.clone()} data-lesson-state={state}
                    class={classes!("scn", "lesson-link", current.then_some("current"))}
                    aria-current={current.then_some("page")} {onclick}>
                    <span class={classes!("ls-mark", state)} aria-hidden="true">{mark}</span>
                    <span class="scn-text">
                        <span class="scn-title">{format!("{}. {}", i + 1, l.title)}</span>
                        <span class="sr-only">{format!(", {said}")}</span>
                    </span>
                </a>
            </li>
        }
    });
    let reset = p
        .dispatch
        .reform(|_| Action::Lesson(LessonAction::ResetProgress));
    html! {
        <section class="course-nav" aria-labelledby="lessons-head">
            <h2 class="nav-head" id="lessons-head">{"Lessons"}</h2>
                <ol>{ for items }</ol>
                <div class="course-tools">
                    <label class="btn small file-btn">
                        {"Import a lesson…"}
                        <input type="file" accept=".json,application/json" data-control="import-lesson" onchange={on_import}
                            class="visually-hidden" aria-label="Import a lesson file" />
                    </label>
                    <button class="btn small ghost" data-action="reset-progress" onclick={reset}
                        disabled={p.progress.lessons.is_empty()}>{"Reset progress"}</button>
                </div>
        </section>
    }
}
