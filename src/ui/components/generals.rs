//! Two Generals: the ladder of "A knows that B knows that …" for the strategy on the
//! stage, one rung per delivered messenger, built only from the trace's `Knowledge`
//! and `Decide` events and the messengers in flight; and each general's decision.

use crate::sim::event::{Ev, MsgKind};
use crate::sim::ids::{NodeId, Tick};
use crate::sim::replay::View;
use crate::sim::run::NodeKind;
use crate::ui::facts::knowledge_sentence;
use crate::ui::state::RunData;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct GeneralsProps {
    pub run: Rc<RunData>,
    pub views: Rc<Vec<View>>,
    pub index: usize,
}

#[component]
pub fn Generals(props: &GeneralsProps) -> Html {
    let Some(tr) = props.run.techniques().get(props.index) else {
        return html! {};
    };
    let Some(view) = props.views.get(props.index) else {
        return html! {};
    };
    let generals: Vec<(NodeId, String)> = tr
        .nodes
        .iter()
        .filter(|n| n.kind == NodeKind::General)
        .map(|n| (n.id, n.name.clone()))
        .collect();
    if generals.len() != 2 {
        return html! {};
    }
    let name = |id: NodeId| {
        generals
            .iter()
            .find(|(g, _)| *g == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let other = |id: NodeId| {
        if id == generals[0].0 {
            generals[1].0
        } else {
            generals[0].0
        }
    };
    // Rungs reached so far: (level, holder, tick).
    let reached: Vec<(u32, NodeId, Tick)> = tr.trace[..view.cursor.min(tr.trace.len())]
        .iter()
        .filter_map(|e| match e.ev {
            Ev::Knowledge { node, level } if level > 0 => Some((level, node, e.tick)),
            _ => None,
        })
        .collect();
    let top = reached.iter().map(|(l, _, _)| *l).max().unwrap_or(0);
    // The next messenger, if one is on its way or was just lost.
    let next = view
        .flights
        .values()
        .filter(|f| f.p.kind == MsgKind::Messenger)
        .max_by_key(|f| f.p.msg);
    let lost_msgs: Vec<u32> = tr.trace[..view.cursor.min(tr.trace.len())]
        .iter()
        .filter_map(|e| match e.ev {
            Ev::Lose { net, .. } => view
                .payload_of(net)
                .filter(|(_, p)| p.kind == MsgKind::Messenger)
                .map(|(_, p)| p.msg),
            _ => None,
        })
        .collect();

    let first = generals[0].0;
    let rung = |level: u32, holder: NodeId, state: Html, cls: &'static str| {
        let left = holder == first;
        html! {
            <li class={classes!("rung", cls, if left { "left" } else { "right" })}>
                <span class="rung-level">{format!("level {level}")}</span>
                <span class="rung-text">{knowledge_sentence(&name(holder), &name(other(holder)), level)}</span>
                <span class="rung-state">{state}</span>
            </li>
        }
    };
    let mut rungs: Vec<Html> = vec![html! {
        <li class="rung left done">
            <span class="rung-level">{"level 0"}</span>
            <span class="rung-text">{format!("{} has the plan", name(first))}</span>
            <span class="rung-state">{"✓ from the start"}</span>
        </li>
    }];
    for (level, holder, tick) in &reached {
        rungs.push(rung(
            *level,
            *holder,
            html! { {format!("✓ tick {tick}")} },
            "done",
        ));
    }
    let upcoming = top + 1;
    if let Some(f) = next {
        if f.p.msg == upcoming {
            let state = if f.lost {
                html! { <span class="bad">{format!("✕ messenger {} is being caught", f.p.msg)}</span> }
            } else {
                html! { {format!("… messenger {} on its way (arrives t{})", f.p.msg, f.arrive)} }
            };
            rungs.push(rung(upcoming, f.to, state, "pending"));
        }
    } else if lost_msgs.contains(&upcoming) {
        let holder = other(sender_guess(&reached, first, upcoming, &other));
        rungs.push(rung(
            upcoming,
            holder,
            html! { <span class="bad">{format!("✕ messenger {upcoming} was caught: nobody will ever reach this level")}</span> },
            "lost",
        ));
    }

    let decision = |id: NodeId| match view.node(id).decision {
        Some(true) => html! { <strong class="attack">{"⚔ attacks"}</strong> },
        Some(false) => html! { <strong class="hold">{"⌂ stays home"}</strong> },
        None => html! { <span class="muted">{"undecided"}</span> },
    };
    let (da, db) = (
        view.node(generals[0].0).decision,
        view.node(generals[1].0).decision,
    );
    let outcome = match (da, db) {
        (Some(a), Some(b)) if a == b => html! {
            <p class="gen-outcome good">{if a { "✓ They agree: both attack." } else { "✓ They agree: both stay home." }}</p>
        },
        (Some(a), Some(_)) => html! {
            <p class="gen-outcome bad">{format!("✕ They disagree: {} attacks alone.", if a { name(generals[0].0) } else { name(generals[1].0) })}</p>
        },
        _ => html! {},
    };

    html! {
        <section class="generals" aria-label="What each general knows">
            <h2 class="section-title">{"Knowledge ladder"}<span class="muted">{format!(" — {}", tr.label)}</span></h2>
            <div class="gen-heads">
                <div><strong>{name(generals[0].0)}</strong>{" "}{decision(generals[0].0)}</div>
                <div><strong>{name(generals[1].0)}</strong>{" "}{decision(generals[1].0)}</div>
            </div>
            <ol class="ladder">{ for rungs }</ol>
            {outcome}
            <p class="muted small">{"Each delivered messenger adds one rung. Whoever sends the last messenger never learns whether it arrived — so some run always ends with one general unsure."}</p>
        </section>
    }
}

/// Who sent messenger `round`: the holder of the level below it (or the first general).
fn sender_guess(
    reached: &[(u32, NodeId, Tick)],
    first: NodeId,
    round: u32,
    other: &dyn Fn(NodeId) -> NodeId,
) -> NodeId {
    match reached.iter().find(|(l, _, _)| *l + 1 == round) {
        Some((_, holder, _)) => *holder,
        None if round % 2 == 1 => first,
        None => other(first),
    }
}
