//! The scenario list, in the teaching order of `scenarios::all()`, each with its
//! one-line promise. Links are real links (`?s=<id>`): they open in a new tab too.

use crate::sim::scenarios;
use crate::ui::state::Action;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NavProps {
    pub current: AttrValue,
    pub dispatch: Callback<Action>,
}

#[component]
pub fn Nav(props: &NavProps) -> Html {
    let items = scenarios::all().iter().enumerate().map(|(i, s)| {
        let info = s.info();
        let id = info.id;
        let current = props.current.as_str() == id;
        let onclick = super::plain_click(&props.dispatch, move || {
            Action::SelectScenario(id.to_string())
        });
        html! {
            <li>
                <a href={format!("?s={id}")}
                    data-scenario={id}
                    class={classes!("scn", current.then_some("current"))}
                    aria-current={current.then_some("page")}
                    {onclick}>
                    <span class="scn-num" aria-hidden="true">{i + 1}</span>
                    <span class="scn-text">
                        <span class="scn-title">{info.title}</span>
                        <span class="scn-promise">{info.promise}</span>
                    </span>
                </a>
            </li>
        }
    });
    html! {
        <nav class="scenario-nav" aria-label="Scenarios">
            <h2 class="nav-head">{"Scenarios"}</h2>
            <ol>{ for items }</ol>
        </nav>
    }
}
