//! The scenario's own explanation, and the "common confusions" cards: each states a
//! belief, says in a sentence why it is wrong, and opens the experiment that refutes it.

use crate::sim::params::ParamSpec;
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

/// One common confusion and the experiment that answers it.
pub struct Confusion {
    pub belief: &'static str,
    pub answer: &'static str,
    pub scenario: &'static str,
    /// Settings for the experiment; names the scenario does not declare are skipped.
    pub set: &'static [(&'static str, i64)],
    pub watch: &'static str,
}

pub const CONFUSIONS: &[Confusion] = &[
    Confusion {
        belief: "“Delivered twice means processed twice.”",
        answer: "Delivery is what the network does; processing is what your state does. A message can arrive twice and still change the ledger once.",
        scenario: "walkthrough",
        set: &[],
        watch: "txn-3 is delivered twice to every handler; only the naive one writes it twice.",
    },
    Confusion {
        belief: "“TCP already removes duplicates.”",
        answer: "TCP de-duplicates inside one connection. A retry after a lost ack is a new request the old connection never saw.",
        scenario: "delivery-semantics",
        set: &[("loss_req", 0), ("loss_ack", 400)],
        watch: "only acks are lost here: every retry is a request the receiver already applied.",
    },
    Confusion {
        belief: "“Our broker is exactly-once, so the whole pipeline is.”",
        answer: "Broker EOS covers read-transform-write inside the broker. A database write or an HTTP call outside it is at-least-once again.",
        scenario: "eos-boundary",
        set: &[],
        watch: "the side effect outside the broker is applied twice unless it dedups on a stable id.",
    },
    Confusion {
        belief: "“At-least-once plus idempotent — so why the debate?”",
        answer: "Because “idempotent” usually means “we remember ids for a while”. A duplicate that arrives after the id is forgotten is applied again.",
        scenario: "dedup-window",
        set: &[],
        watch: "shrink the dedup window below the slowest retry and a late copy gets through.",
    },
    Confusion {
        belief: "“Two Generals is a puzzle about armies.”",
        answer: "It is every request with an acknowledgement. Whoever sent the last message can never know it arrived.",
        scenario: "two-generals",
        set: &[],
        watch: "drop the last messenger of any run and the two sides disagree.",
    },
    Confusion {
        belief: "“Idempotent means it has no side effects.”",
        answer: "Idempotent means doing it twice leaves the same state as once. Deleting row 5 is idempotent — and it still deletes.",
        scenario: "idempotent-ops",
        set: &[("dup", 1000)],
        watch: "a SET survives a duplicate; an increment does not, unless the message id rides along.",
    },
];

/// The settings of `set` that `specs` declares (so a link never sets an unknown parameter).
pub fn applicable(specs: &[ParamSpec], set: &[(&str, i64)]) -> Vec<(String, i64)> {
    set.iter()
        .filter(|(n, v)| specs.iter().any(|s| s.name == *n && s.check(*v).is_ok()))
        .map(|(n, v)| (n.to_string(), *v))
        .collect()
}

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
    let cards = CONFUSIONS.iter().map(|c| {
        let specs = scenarios::find(c.scenario)
            .map(|s| s.info().params)
            .unwrap_or(&[]);
        let params = applicable(specs, c.set);
        let target = c.scenario;
        let title = scenarios::find(c.scenario)
            .map(|s| s.info().title)
            .unwrap_or(c.scenario);
        let built = is_built(c.scenario);
        let onclick = super::plain_click(&props.dispatch, move || Action::Explore {
            scenario: target.to_string(),
            params: params.clone(),
        });
        let mut href = format!("?s={}", c.scenario);
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
