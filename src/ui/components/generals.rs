//! Two Generals: the ladder of "A knows that B knows that …" for the strategy on the
//! stage, one rung per delivered messenger, built only from the trace's `Knowledge`
//! and `Decide` events and the messengers in flight; and each general's decision.
//! Under it, why more rounds do not help (a table over chain lengths, measured by the
//! simulator over many seeds) and where the same impossibility bites without a clock
//! (FLP: a timeout that lied, with links to the scenarios that show it).

use crate::sim::event::{Ev, MsgKind};
use crate::sim::ids::{NodeId, Tick};
use crate::sim::replay::View;
use crate::sim::run::NodeKind;
use crate::sim::scenarios::{self, two_generals};
use crate::ui::facts::knowledge_sentence;
use crate::ui::state::{Action, RunData};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct GeneralsProps {
    pub run: Rc<RunData>,
    pub views: Rc<Vec<View>>,
    pub index: usize,
    pub dispatch: Callback<Action>,
}

/// Seeds per row of the rounds table (8 rows × this many tiny runs, memoised per loss).
pub const TABLE_SEEDS: u32 = 200;

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

    let (loss, rounds) = props
        .run
        .result
        .as_ref()
        .map(|r| (r.params.get("loss"), r.params.get("rounds")))
        .unwrap_or((0, 4));

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
            <RoundsTable loss={loss} rounds={rounds} />
            <Flp dispatch={props.dispatch.clone()} />
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct RoundsProps {
    /// Messenger loss, ‰.
    loss: i64,
    /// The chain length the third column insists on (its row is marked).
    rounds: i64,
}

/// "4.5%" from a share in ‰ (integers only).
fn pct_permille(v: i64) -> String {
    if v % 10 == 0 {
        format!("{}%", v / 10)
    } else {
        format!("{}.{}%", v / 10, v % 10)
    }
}

/// "0.39%" from parts per million; "< 0.01%" below that.
fn pct_ppm(ppm: u64) -> String {
    match ppm {
        0 => "0%".to_string(),
        1..=99 => "< 0.01%".to_string(),
        _ => format!("{}.{:02}%", ppm / 10_000, (ppm % 10_000) / 100),
    }
}

/// Why more rounds do not help: P(split) and P(attack together) for chains of 1..8
/// messengers at the chosen loss, measured over seeds by the simulator.
#[component]
fn RoundsTable(props: &RoundsProps) -> Html {
    let rows = use_memo(props.loss, |loss| {
        two_generals::rounds_table(*loss, TABLE_SEEDS)
    });
    let body = rows.iter().map(|r| {
        let here = r.rounds as i64 == props.rounds;
        let measured = |k: u32| pct_permille(k as i64 * 1000 / r.seeds as i64);
        let split = if r.split == 0 && r.split_ppm > 0 {
            html! { <>{"0 seen"}<span class="muted">{" — rarer, not impossible"}</span></> }
        } else {
            html! { {measured(r.split)} }
        };
        html! {
            <tr class={classes!(here.then_some("current"))} aria-current={here.then_some("true")}>
                <th scope="row">{r.rounds}{if here { " ◀" } else { "" }}</th>
                <td class={classes!("num", (r.split > 0).then_some("bad"))}>{split}</td>
                <td class="num">{measured(r.together)}</td>
                <td class="num muted">{format!("{} · {}", pct_ppm(r.split_ppm), pct_ppm(r.together_ppm))}</td>
            </tr>
        }
    });
    let note = if props.loss == 0 {
        "With no loss nobody is ever caught, so every chain attacks together. The theorem is about a valley where messengers can be caught: raise the loss."
    } else {
        "Both chances fall as the chain grows, because every extra messenger is one more chance to be caught (exactly so on the right; the measured shares wobble with only 200 seeds). The split never reaches zero: it needs only the last messenger caught, and there is always a last one."
    };
    html! {
        <div class="rounds" data-rounds-table="">
            <h3 class="small-title">{"Do more rounds help?"}</h3>
            <table class="help-table rounds-table">
                <caption class="muted small">{format!(
                    "Measured over seeds 0–{} at {} messenger loss; the exact chances are on the right.",
                    TABLE_SEEDS - 1,
                    pct_permille(props.loss)
                )}</caption>
                <thead>
                    <tr>
                        <th scope="col">{"messengers"}</th>
                        <th scope="col">{"one attacks alone"}</th>
                        <th scope="col">{"both attack"}</th>
                        <th scope="col">{"exact (alone · both)"}</th>
                    </tr>
                </thead>
                <tbody>{ for body }</tbody>
            </table>
            <p class="muted small">{note}</p>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct FlpProps {
    dispatch: Callback<Action>,
}

/// FLP, and where a timeout lies in this playground: in-app links to the scenarios.
#[component]
fn Flp(props: &FlpProps) -> Html {
    let link = |id: &'static str| {
        let title = scenarios::find(id).map(|s| s.info().title).unwrap_or(id);
        let onclick = super::plain_click(&props.dispatch, move || {
            Action::SelectScenario(id.to_string())
        });
        html! { <a href={format!("?s={id}")} data-flp-link={id} {onclick}>{title}</a> }
    };
    html! {
        <aside class="flp" aria-label="Agreement without a clock">
            <h3 class="small-title">{"A timeout that lied"}</h3>
            <p class="small">{"Without a clock it is worse: in an asynchronous system where even one process may crash, no deterministic protocol can guarantee that the processes reach agreement in finite time (FLP, 1985). Agreement itself can be kept safe — Paxos and Raft never decide two ways — but a decision may never come. A crashed process and a slow one look the same from outside."}</p>
            <p class="small">{"Real systems decide with timeouts anyway, and a timeout can fire on a process that is only paused. Watch one lie in "}{link("zombie-fencing")}{" and in "}{link("quarter-end")}{": a worker frozen by garbage collection is declared dead, then wakes up and writes."}</p>
        </aside>
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
