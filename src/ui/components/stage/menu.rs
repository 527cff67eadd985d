//! The hand-made fault menu: Drop / Duplicate for a message in flight, Crash / GC
//! pause for a process. Choosing adds the fault and re-runs the same seed.

use super::tokens::fault_for_token;
use super::{focus_first, Ctl};
use crate::sim::fault::Fault;
use crate::sim::ids::NodeId;
use crate::sim::ledger::LedgerUnit;
use crate::sim::narrate::payload_label;
use crate::sim::replay::{Flight, View};
use crate::ui::layout::{Pt, StageLayout};
use yew::prelude::*;

/// The fault menu open on the stage.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Menu {
    Token { flight: Flight, at: Pt },
    Node { id: NodeId, name: String, at: Pt },
}

impl Menu {
    /// Whether what the menu is about is still on the stage in `view` (a delivered
    /// message is gone: its menu is not drawn, and is then closed).
    pub(super) fn current(&self, view: &View) -> bool {
        match self {
            Menu::Token { flight, .. } => view.flights.contains_key(&flight.net),
            Menu::Node { .. } => true,
        }
    }
}

/// The open menu `m`, placed beside what it is about.
pub(super) fn menu_view(m: &Menu, b: &StageLayout, unit: LedgerUnit, ctl: &Ctl) -> Html {
    let tick = ctl.tick;
    let act = |f: Fault| {
        let ctl = ctl.clone();
        Callback::from(move |_: MouseEvent| {
            ctl.close();
            ctl.fault(f);
        })
    };
    // Where the focus goes back to when the menu closes without a fault.
    let opener = match m {
        Menu::Token { flight, .. } => format!(".stage-svg [data-net=\"{}\"]", flight.net.0),
        Menu::Node { id, .. } => format!(".stage-svg g[data-node=\"{}\"]", id.0),
    };
    let onkeydown = {
        let (ctl, opener) = (ctl.clone(), opener.clone());
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.stop_propagation();
                ctl.close();
                focus_first(&opener);
            }
        })
    };
    let close = {
        let ctl = ctl.clone();
        Callback::from(move |_: MouseEvent| {
            ctl.close();
            focus_first(&opener);
        })
    };
    let (at, body) = match m {
        Menu::Token { flight, at } => {
            let what = payload_label(&flight.p, unit);
            let note = if flight.lost {
                Some("The network is already losing this one.".to_string())
            } else {
                flight.copy_of.map(|_| {
                    "A network copy: dropping it drops the transmission it copies.".to_string()
                })
            };
            (
                *at,
                html! {
                    <>
                        <p class="menu-title">{what}</p>
                        if let Some(n) = note { <p class="menu-note">{n}</p> }
                        <button class="btn menu-btn bad" data-fault="drop" data-for-net={flight.net.0.to_string()}
                            disabled={flight.lost} onclick={act(fault_for_token(flight, true))}>{"✕ Drop it"}</button>
                        <button class="btn menu-btn" data-fault="duplicate" data-for-net={flight.net.0.to_string()}
                            disabled={flight.lost} onclick={act(fault_for_token(flight, false))}>{"⊕ Duplicate it (copy 3 ticks later)"}</button>
                    </>
                },
            )
        }
        Menu::Node { id, name, at } => (
            *at,
            html! {
                <>
                    <p class="menu-title">{name.clone()}<span class="muted">{format!(" · at tick {tick}")}</span></p>
                    <button class="btn menu-btn bad" data-node={id.0.to_string()} data-fault="crash"
                        onclick={act(Fault::Crash { node: *id, at: tick, down: 10 })}>{"✕ Crash now (restarts after 10 ticks)"}</button>
                    <button class="btn menu-btn warn" data-node={id.0.to_string()} data-fault="pause"
                        onclick={act(Fault::Pause { node: *id, at: tick, ticks: 20 })}>{"⌛ GC pause now (20 ticks)"}</button>
                </>
            },
        ),
    };
    let (px, py) = b.percent(at);
    let flip = px > 70.0;
    let below = py < 45.0;
    let style = format!(
        "{}: {:.2}%; {}: {:.2}%",
        if flip { "right" } else { "left" },
        if flip { 100.0 - px } else { px },
        if below { "top" } else { "bottom" },
        if below { py + 4.0 } else { 100.0 - py + 4.0 }
    );
    html! {
        <div class="fault-menu" role="dialog" aria-label="Hand-made fault" {style} {onkeydown}>
            {body}
            <button class="btn menu-btn ghost" data-fault="cancel" onclick={close}>{"Cancel"}</button>
        </div>
    }
}
