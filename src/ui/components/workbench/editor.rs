//! The step editor: the handler as an ordered list (move up, move down, remove) and a
//! row that adds a step chosen from a `<select>` with its arguments. Every control is a
//! real `<button>` or `<select>` with a label naming its step, so the whole editor works
//! from the keyboard.

use super::{focus_after, focus_label};
use crate::sim::workbench::{Handler, Key, Step, MAX_STEPS, MAX_TTL};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The handler being edited (the page's and a lesson build step's): the list, its text
/// form and the text's error, and `set_steps`, the one way the list changes (`true`:
/// write the text form too), which calls `on_change` (the page forgets its verdict and
/// link, the build step its verdict).
#[derive(Clone)]
pub struct HandlerEdit {
    pub steps: UseStateHandle<Vec<Step>>,
    pub text: UseStateHandle<String>,
    pub text_error: UseStateHandle<Option<String>>,
    pub set_steps: Rc<dyn Fn(Vec<Step>, bool)>,
    focus: UseStateHandle<Option<String>>,
}

/// The editor's state, starting from `start`; focus follows a moved or removed step.
#[hook]
pub fn use_handler(start: &Handler, on_change: Callback<()>) -> HandlerEdit {
    let steps = use_state(|| start.0.clone());
    let text = use_state(|| start.encode());
    let text_error = use_state(|| None::<String>);
    let focus = use_state(|| None::<String>);
    {
        let f = (*focus).clone();
        use_effect_with(f, |f| {
            if let Some(l) = f {
                focus_label(l);
            }
        });
    }
    let set_steps: Rc<dyn Fn(Vec<Step>, bool)> = {
        let (steps, text, text_error) = (steps.clone(), text.clone(), text_error.clone());
        Rc::new(move |v: Vec<Step>, write_text: bool| {
            if write_text {
                text.set(Handler(v.clone()).encode());
                text_error.set(None);
            }
            steps.set(v);
            on_change.emit(());
        })
    };
    HandlerEdit {
        steps,
        text,
        text_error,
        set_steps,
        focus,
    }
}

impl HandlerEdit {
    /// The handler as it stands.
    pub fn handler(&self) -> Handler {
        Handler((*self.steps).clone())
    }

    /// The list with its buttons, the add row, the text field and its error.
    pub fn view(&self) -> Html {
        let on_edit = {
            let (steps, focus, set) = (
                self.steps.clone(),
                self.focus.clone(),
                self.set_steps.clone(),
            );
            Callback::from(move |e: Edit| {
                let (v, at) = apply(&steps, &e);
                focus.set(focus_after(&e, at, v.len()));
                set(v, true);
            })
        };
        let on_add = on_edit.reform(Edit::Add);
        let set = self.set_steps.clone();
        let on_text = on_text_input(self.text.clone(), self.text_error.clone(), move |v, w| {
            set(v, w)
        });
        html! { <>
            <StepList steps={(*self.steps).clone()} on_edit={on_edit} />
            <AddRow full={self.steps.len() >= MAX_STEPS} on_add={on_add} />
            <label class="wb-text">
                <span>{"As text (comma-separated steps)"}</span>
                <input type="text" spellcheck="false" autocomplete="off" value={(*self.text).clone()}
                    aria-invalid={self.text_error.is_some().to_string()} oninput={on_text} />
            </label>
            if let Some(e) = &*self.text_error { <p class="wb-error" role="alert" data-wb-text-error="">{e.clone()}</p> }
        </> }
    }
}

/// The kinds of step the add row offers, in the order of the `<select>`.
pub const KINDS: [&str; 11] = [
    "begin",
    "commit",
    "lookup",
    "insert",
    "apply",
    "store-offset",
    "commit-offset",
    "ack",
    "charge",
    "publish",
    "outbox",
];

/// One edit of the list.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    Add(Step),
    Up(usize),
    Down(usize),
    Remove(usize),
}

/// Apply an edit; returns the list and the index of the step it moved or added, if any.
pub fn apply(steps: &[Step], e: &Edit) -> (Vec<Step>, Option<usize>) {
    let mut v = steps.to_vec();
    let at = match *e {
        Edit::Add(s) if v.len() < MAX_STEPS => {
            v.push(s);
            Some(v.len() - 1)
        }
        Edit::Add(_) => None,
        Edit::Up(i) if i > 0 && i < v.len() => {
            v.swap(i, i - 1);
            Some(i - 1)
        }
        Edit::Down(i) if i + 1 < v.len() => {
            v.swap(i, i + 1);
            Some(i + 1)
        }
        Edit::Remove(i) if i < v.len() => {
            v.remove(i);
            None
        }
        _ => None,
    };
    (v, at)
}

/// The text field's input: text that reads as a handler replaces the list; text that
/// does not leaves the list as it was and says why.
pub fn on_text_input(
    text: UseStateHandle<String>,
    text_error: UseStateHandle<Option<String>>,
    set_steps: impl Fn(Vec<Step>, bool) + 'static,
) -> Callback<InputEvent> {
    Callback::from(move |e: InputEvent| {
        let Some(v) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .map(|i| i.value())
        else {
            return;
        };
        match Handler::decode(&v) {
            Ok(h) => {
                set_steps(h.0, false);
                text_error.set(None);
            }
            Err(e) => text_error.set(Some(format!(
                "{e}. The list keeps the last handler that could be read."
            ))),
        }
        text.set(v);
    })
}

/// The text of the step the add row describes (decoded by the handler codec).
pub fn step_text(kind: &str, key: &str, store: &str, apply: &str, ttl: &str) -> String {
    match kind {
        "lookup" => format!("lookup:{key}"),
        "insert" if ttl.trim().is_empty() => format!("insert:{key}:{store}"),
        "insert" => format!("insert:{key}:{store}:ttl={}", ttl.trim()),
        "apply" => format!("apply:{apply}"),
        "charge" if key == "none" => "charge".into(),
        "charge" => format!("charge:key={key}"),
        k => k.into(),
    }
}

fn select_value(e: &Event) -> String {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
        .map(|s| s.value())
        .unwrap_or_default()
}

fn input_value(e: &InputEvent) -> String {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .map(|s| s.value())
        .unwrap_or_default()
}

fn options(words: &[&str], selected: &str) -> Html {
    words
        .iter()
        .map(|w| html! { <option value={w.to_string()} selected={*w == selected}>{w.to_string()}</option> })
        .collect()
}

#[derive(Properties, PartialEq)]
pub struct StepListProps {
    pub steps: Vec<Step>,
    pub on_edit: Callback<Edit>,
}

/// The handler as an ordered list with its move and remove buttons.
#[component]
pub fn StepList(p: &StepListProps) -> Html {
    let n = p.steps.len();
    if n == 0 {
        return html! { <p class="wb-empty">{"No steps yet: add one below."}</p> };
    }
    let items = p.steps.iter().enumerate().map(|(i, s)| {
        let pos = i + 1;
        let edit = |e: Edit| {
            let cb = p.on_edit.clone();
            Callback::from(move |_: MouseEvent| cb.emit(e.clone()))
        };
        html! {
            <li data-wb-step={s.to_string()} class="wb-step">
                <span class="wb-num" aria-hidden="true">{format!("{pos}.")}</span>
                <code>{s.to_string()}</code>
                <span class="wb-step-buttons">
                    <button type="button" class="btn icon small" aria-label={format!("Move step {pos} up")}
                        disabled={i == 0} onclick={edit(Edit::Up(i))}>{"↑"}</button>
                    <button type="button" class="btn icon small" aria-label={format!("Move step {pos} down")}
                        disabled={pos == n} onclick={edit(Edit::Down(i))}>{"↓"}</button>
                    <button type="button" class="btn icon small" aria-label={format!("Remove step {pos}")}
                        onclick={edit(Edit::Remove(i))}>{"✕"}</button>
                </span>
            </li>
        }
    });
    html! { <ol class="wb-steps" aria-label="Handler steps, in order">{for items}</ol> }
}

#[derive(Properties, PartialEq)]
pub struct AddRowProps {
    pub full: bool,
    pub on_add: Callback<Step>,
}

/// Choose a step kind and its arguments, then add it at the end.
#[component]
pub fn AddRow(p: &AddRowProps) -> Html {
    let kind = use_state(|| "begin".to_string());
    let key = use_state(|| "msg-id".to_string());
    let store = use_state(|| "db".to_string());
    let apply_mode = use_state(|| "add".to_string());
    let ttl = use_state(String::new);
    let error = use_state(|| None::<String>);
    let set = |s: &UseStateHandle<String>| {
        let s = s.clone();
        Callback::from(move |e: Event| s.set(select_value(&e)))
    };
    let text = step_text(&kind, &key, &store, &apply_mode, &ttl);
    let onadd = {
        let (on_add, error, text) = (p.on_add.clone(), error.clone(), text.clone());
        Callback::from(move |_: MouseEvent| match Handler::decode(&text) {
            Ok(h) if h.0.len() == 1 => {
                error.set(None);
                on_add.emit(h.0[0]);
            }
            Ok(_) => error.set(Some(format!("`{text}` is not one step"))),
            Err(e) => error.set(Some(e.to_string())),
        })
    };
    let ontttl = {
        let ttl = ttl.clone();
        Callback::from(move |e: InputEvent| ttl.set(input_value(&e)))
    };
    let keys: Vec<&str> = Key::ALL.iter().map(|k| k.word()).collect();
    let mut charge_keys = vec!["none"];
    charge_keys.extend(keys.iter().copied());
    let args = match kind.as_str() {
        "lookup" => html! {
            <select aria-label="Key to look up" onchange={set(&key)}>{options(&keys, &key)}</select>
        },
        "insert" => html! { <>
            <select aria-label="Key to insert" onchange={set(&key)}>{options(&keys, &key)}</select>
            <select aria-label="Where to insert" onchange={set(&store)}>{options(&["db", "cache"], &store)}</select>
            <input class="wb-ttl" type="number" min="1" max={MAX_TTL.to_string()} placeholder="ttl (ticks)"
                aria-label="Time to live in ticks (empty: forever)" value={(*ttl).clone()} oninput={ontttl} />
        </> },
        "apply" => html! {
            <select aria-label="How to apply" onchange={set(&apply_mode)}>
                {options(&["add", "set", "add-if-newer"], &apply_mode)}
            </select>
        },
        "charge" => html! {
            <select aria-label="Idempotency key for the charge" onchange={set(&key)}>
                {options(&charge_keys, &key)}
            </select>
        },
        _ => html! {},
    };
    html! {
        <div class="wb-add" role="group" aria-label="Add a step">
            <select aria-label="Step kind to add" onchange={set(&kind)}>{options(&KINDS, &kind)}</select>
            {args}
            <button type="button" class="btn" aria-label={format!("Add step {text}")} disabled={p.full} onclick={onadd}>
                {"Add step"}
            </button>
            if p.full { <span class="wb-hint">{format!("At most {MAX_STEPS} steps.")}</span> }
            if let Some(e) = &*error { <p class="wb-error" role="alert">{e.clone()}</p> }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_makes_a_step_the_codec_reads() {
        for k in KINDS {
            let t = step_text(k, "msg-id", "db", "add", "");
            let h = Handler::decode(&t).unwrap_or_else(|e| panic!("{t}: {e}"));
            assert_eq!(h.encode(), t);
        }
        assert_eq!(
            step_text("insert", "offset", "cache", "add", "30"),
            "insert:offset:cache:ttl=30"
        );
        assert_eq!(step_text("charge", "none", "db", "add", ""), "charge");
    }

    #[test]
    fn edits_move_add_and_remove() {
        let h = Handler::decode("begin,apply:add,commit").unwrap();
        let (v, at) = apply(&h.0, &Edit::Up(2));
        assert_eq!(Handler(v.clone()).encode(), "begin,commit,apply:add");
        assert_eq!(at, Some(1));
        let (v, at) = apply(&v, &Edit::Down(0));
        assert_eq!(Handler(v.clone()).encode(), "commit,begin,apply:add");
        assert_eq!(at, Some(1));
        assert_eq!(
            apply(&v, &Edit::Up(0)).0,
            v,
            "the first step cannot move up"
        );
        assert_eq!(
            apply(&v, &Edit::Down(2)).0,
            v,
            "the last step cannot move down"
        );
        let (v, _) = apply(&v, &Edit::Remove(1));
        assert_eq!(Handler(v).encode(), "commit,apply:add");
    }
}
