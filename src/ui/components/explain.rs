//! The scenario's own explanation, and the "common confusions" cards: each states a
//! belief, says in a sentence why it is wrong, and opens the experiment that refutes it.

use crate::sim::scenarios;
use crate::ui::state::{Action, ScenarioRef};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ExplainProps {
    pub scenario: ScenarioRef,
    /// `"intro"` (the scenario's explanation) or `"confusions"`.
    pub part: AttrValue,
    pub dispatch: Callback<Action>,
}

pub use crate::sim::catalogue::cards::{applicable, Confusion, CONFUSIONS};

#[component]
pub fn Explain(props: &ExplainProps) -> Html {
    let info = props.scenario.info();
    if props.part.as_str() == "intro" {
        return html! {
            <section class="explain panel-box" aria-label="About this scenario">
                <h2>{info.title}</h2>
                <p class="promise">{info.promise}</p>
                { for info.explain.iter().take(1).map(|p| html! { <p>{*p}</p> }) }
                if info.explain.len() > 1 {
                    <details class="more">
                        <summary>{"Read more"}</summary>
                        { for info.explain.iter().skip(1).map(|p| html! { <p>{*p}</p> }) }
                    </details>
                }
            </section>
        };
    }
    // Each card opens its own scenario (tested below: every one exists).
    let cards = CONFUSIONS.iter().enumerate().filter_map(|(n, c)| {
        let target = scenarios::find(c.scenario).ok()?.info();
        let onclick = super::plain_click(&props.dispatch, move || Action::Confusion(n));
        let mut href = format!("?s={}&seed={}", target.id, c.seed);
        for (n, v) in applicable(target.params, c.set) {
            href.push_str(&format!("&p.{n}={v}"));
        }
        Some(html! {
            <li class="confusion">
                <p class="belief">{c.belief}</p>
                <p class="answer">{c.answer}</p>
                <p class="watch"><span class="muted">{"Watch: "}</span>{c.watch}</p>
                <a class="btn small" href={href} data-confusion-scenario={c.scenario} {onclick}>
                    {format!("Try it: {} →", target.title)}
                </a>
            </li>
        })
    });
    html! {
        <section class="confusions panel-box" aria-label="Common confusions">
            <h2>{"Common confusions"}</h2>
            <ul class="confusion-list">{ for cards }</ul>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_confusion_opens_a_real_scenario_with_real_settings() {
        for c in CONFUSIONS.iter() {
            let sc = scenarios::find(c.scenario)
                .unwrap_or_else(|e| panic!("confusion {:?}: {e}", c.belief));
            let specs = sc.info().params;
            assert_eq!(
                applicable(specs, c.set).len(),
                c.set.len(),
                "confusion {:?} sets a parameter {} does not declare (or a value out of range)",
                c.belief,
                c.scenario
            );
        }
    }

    #[test]
    fn every_scenario_has_a_title_and_a_promise() {
        for sc in scenarios::all() {
            let info = sc.info();
            assert!(!info.title.is_empty(), "{} has no title", info.id);
            assert!(!info.promise.is_empty(), "{} has no promise", info.id);
            assert!(!info.explain.is_empty(), "{} has no explanation", info.id);
        }
    }
}
