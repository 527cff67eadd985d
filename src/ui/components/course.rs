//! The head of the course list: "Start here" (lesson 1, or the lesson in progress), a
//! lesson-file import for teachers, and "reset progress". The list itself (each lesson
//! with its free-play scenario) is `nav.rs`.

use crate::ui::state::lesson::{LessonAction, Progress};
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
    /// The list (`nav::Nav`), placed between the head and the tools.
    #[prop_or_default]
    pub children: Html,
}

/// The lesson "Start here" opens: the first one not done (at its step), else lesson 1.
pub fn start_here(p: &Progress) -> Option<(String, usize, bool)> {
    let all = crate::course::course();
    let open = all.iter().find(|l| p.state_of(&l.id) != "done");
    let l = open.or(all.first())?;
    let started = p.state_of(&l.id) == "started";
    let step = p
        .lessons
        .get(&l.id)
        .map_or(0, |x| if x.done { 0 } else { x.step });
    Some((l.id.clone(), step, started))
}

/// A link that opens the lesson [`start_here`] picks (`data-action` names the place).
pub fn start_button(progress: &Progress, d: &Callback<Action>, action: &'static str) -> Html {
    let Some((id, step, started)) = start_here(progress) else {
        return html! {};
    };
    let lid = id.clone();
    let onclick = super::plain_click(d, move || {
        Action::Lesson(LessonAction::Open {
            id: lid.clone(),
            step,
        })
    });
    let n = crate::course::course()
        .iter()
        .position(|l| l.id == id)
        .unwrap_or(0)
        + 1;
    let label = if started {
        format!("Continue lesson {n} →")
    } else if n == 1 {
        "Start here: lesson 1 →".to_string()
    } else {
        format!("Next: lesson {n} →")
    };
    html! {
        <a class="btn primary start-here" data-action={action} data-start-lesson={id.clone()}
            href={format!("?lesson={id}&step={}", step + 1)} {onclick}>{label}</a>
    }
}

/// The practice page's link with how many of its questions are due (`data-due`).
fn practice_link(p: &Progress) -> Html {
    let n = super::practice::due_count(p);
    html! {
        <a class="btn small practice-link" href="?practice=1" data-due={n.to_string()}>
            {format!("Practice: {n} due")}
        </a>
    }
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
    let start = start_button(&p.progress, &p.dispatch, "start-lesson");
    let reset = p
        .dispatch
        .reform(|_| Action::Lesson(LessonAction::ResetProgress));
    html! {
        <section class="course-nav" aria-labelledby="lessons-head">
            <h2 class="nav-head" id="lessons-head">{"Lessons"}</h2>
            if p.current.is_none() {
                {start}
            }
            if !p.progress.practice.is_empty() {
                {practice_link(&p.progress)}
            }
            {p.children.clone()}
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
