//! The scenario's own explanation, and the "common confusions" cards: each states a
//! belief, says in a sentence why it is wrong, and opens the experiment that refutes it.

use crate::sim::scenarios;
use crate::ui::state::Action;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ExplainProps {
    pub scenario: AttrValue,
    /// `"intro"` (the scenario's explanation) or `"confusions"`.
    pub part: AttrValue,
    pub dispatch: Callback<Action>,
}

pub use crate::sim::confusions::{applicable, Confusion, CONFUSIONS};

fn is_built(id: &str) -> bool {
    scenarios::find(id)
        .map(|s| !s.info().promise.is_empty())
        .unwrap_or(false)
}

#[component]
pub fn Explain(props: &ExplainProps) -> Html {
    let Ok(sc) = scenarios::find(&props.scenario) else {
        return html! {};
    };
    let info = sc.info();
    if props.part.as_str() == "intro" {
        let building = info.promise.is_empty();
        return html! {
            <section class="explain panel-box" aria-label="About this scenario">
                if building {
                    <h2>{"Being built"}</h2>
                    <p class="muted">{"The explanation arrives with the scenario's simulator."}</p>
                } else {
                    <h2>{info.title}</h2>
                    <p class="promise">{info.promise}</p>
                    { for info.explain.iter().take(1).map(|p| html! { <p>{*p}</p> }) }
                    if info.explain.len() > 1 {
                        <details class="more">
                            <summary>{"Read more"}</summary>
                            { for info.explain.iter().skip(1).map(|p| html! { <p>{*p}</p> }) }
                        </details>
                    }
                }
            </section>
        };
    }
    let cards = CONFUSIONS.iter().enumerate().map(|(n, c)| {
        let specs = scenarios::find(c.scenario)
            .map(|s| s.info().params)
            .unwrap_or(&[]);
        let target = c.scenario;
        let title = scenarios::find(c.scenario)
            .map(|s| s.info().title)
            .unwrap_or(c.scenario);
        let built = is_built(c.scenario);
        let onclick = super::plain_click(&props.dispatch, move || Action::Confusion(n));
        let mut href = format!("?s={}&seed={}", target, c.seed);
        for (n, v) in applicable(specs, c.set) {
            href.push_str(&format!("&p.{n}={v}"));
        }
        html! {
            <li class="confusion">
                <p class="belief">{c.belief}</p>
                <p class="answer">{c.answer}</p>
                <p class="watch"><span class="muted">{"Watch: "}</span>{c.watch}</p>
                <a class="btn small" href={href} data-confusion-scenario={c.scenario} {onclick}>
                    {if built { format!("Try it: {title} →") } else { format!("{} (being built) →", c.scenario) }}
                </a>
            </li>
        }
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
        for c in CONFUSIONS {
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
}
