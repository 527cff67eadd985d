//! The reducer's side of lessons: it hands each lesson action to [`decide`](super::decide)
//! and applies the [`Effect`] that comes back (new inputs through
//! [`State::set_inputs`], play on, notices).

use super::decide::{after, Lessons};
use super::{Effect, LessonAction};
use crate::course::{self, validate};
use crate::ui::share::ShareState;
use crate::ui::state::{NoticeKind, State};
use std::rc::Rc;

impl State {
    fn lessons(&mut self) -> Lessons<'_> {
        Lessons {
            run: &mut self.lesson,
            progress: &mut self.progress,
        }
    }

    /// Apply what a lesson decided.
    fn apply(&mut self, fx: Effect) {
        for (kind, text) in fx.notices {
            self.push_notice(kind, text);
        }
        if let Some((inputs, stage)) = fx.stage {
            self.set_inputs(inputs, stage);
            if !fx.judged {
                // The step's own setting: not the learner's run to judge.
                if let Some(l) = self.lesson.as_mut() {
                    l.gen = self.run.gen;
                }
            }
        }
        if fx.play {
            self.play();
        }
    }

    pub(in crate::ui::state) fn lesson_action(&mut self, a: LessonAction) {
        let fx = self.lessons().reduce(a);
        self.apply(fx);
    }

    /// After every action: the lesson looks at a new run (see `decide::after`).
    pub(in crate::ui::state) fn after_lesson(&mut self) {
        after(&mut self.lesson, &self.inputs, &self.run);
    }

    /// Open the lesson a link names (`?lesson=<id>&step=<n>`, steps counted from 1).
    pub fn open_linked_lesson(&mut self, share: &ShareState) {
        if let Some(l) = share.lesson.as_deref().and_then(course::find) {
            let step = share.step.unwrap_or(1).saturating_sub(1) as usize;
            let fx = self.lessons().open(Rc::new(l.clone()), false, step);
            self.apply(fx);
        }
    }

    /// A teacher's lesson file: validated against the simulator, then opened. A file
    /// that cannot be used changes nothing on screen.
    pub(in crate::ui::state) fn import_lesson(&mut self, name: &str, text: &str) {
        match validate::load(text) {
            Ok(l) => {
                let title = l.title.clone();
                let fx = self.lessons().open(Rc::new(l), true, 0);
                self.apply(fx);
                self.push_notice(
                    NoticeKind::Info,
                    format!("Opened the lesson “{title}” from {name}: every answer was checked against the simulator."),
                );
            }
            Err(errs) => {
                let shown: Vec<String> = errs.iter().take(4).cloned().collect();
                let more = errs.len().saturating_sub(shown.len());
                self.push_notice(
                    NoticeKind::Warning,
                    format!(
                        "Could not open the lesson in {name}: {}{}. Nothing was changed.",
                        shown.join("; "),
                        if more > 0 {
                            format!(" (and {more} more)")
                        } else {
                            String::new()
                        }
                    ),
                );
            }
        }
    }
}

/// Whether a dropped or picked file is a lesson (not a run file): it has steps, and a
/// `format` that is absent or a lesson format number (a run file's is a string).
pub fn looks_like_lesson(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| {
            v.as_object()
                .map(|o| o.contains_key("steps") && o.get("format").is_none_or(|f| !f.is_string()))
        })
        .unwrap_or(false)
}
