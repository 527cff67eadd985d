//! Messages in flight. Up to [`LABELLED_MAX`] are placed one by one as labelled pills
//! (buttons a keyboard reaches); the rest of a crowd, and any the layout found no room
//! for, are drawn as one layer of dots: one SVG path per kind of message.

use super::{Ctl, Menu};
use crate::sim::event::MsgKind;
use crate::sim::fault::Fault;
use crate::sim::ledger::LedgerUnit;
use crate::sim::narrate::payload_label;
use crate::sim::replay::{Flight, View};
use crate::sim::run::NodeInfo;
use crate::ui::keys::{self, TargetKey};
use crate::ui::layout::{lane_shift, r1, token_place, Placer, Pt, Scene, StageLayout, TokenSpot};
use std::fmt::Write;
use yew::prelude::*;

/// At most this many messages are placed with labels. A label that finds no room near
/// its lane makes the layout scan the whole frame, so a crowd's labels cost a frame:
/// the 500-message dedup run at tick 50 takes ~1 ms natively to place 24 and ~10 ms for
/// all 497 (of which only ~50 find room; `layout::scene`).
pub(super) const LABELLED_MAX: usize = 24;

/// `view` with only its first [`LABELLED_MAX`] messages in flight, for the layout;
/// `None` when it has no more than that.
pub(super) fn labelled_view(view: &View) -> Option<View> {
    if view.flights.len() <= LABELLED_MAX {
        return None;
    }
    let mut v = view.clone();
    v.flights = view
        .flights
        .iter()
        .take(LABELLED_MAX)
        .map(|(k, f)| (*k, *f))
        .collect();
    Some(v)
}

fn token_class(k: MsgKind) -> &'static str {
    match k {
        MsgKind::Ack | MsgKind::Response => "t-back",
        MsgKind::Messenger => "t-messenger",
        _ => "t-fwd",
    }
}

/// The unlabelled messages, as one path per kind (`lost` ones apart).
#[derive(Default)]
pub(super) struct Crowd {
    paths: [(String, usize); 4],
}

impl Crowd {
    const CLASSES: [&'static str; 4] = ["t-fwd", "t-back", "t-messenger", "lost"];

    fn add(&mut self, f: &Flight, at: Pt) {
        let k = if f.lost {
            3
        } else {
            Self::CLASSES
                .iter()
                .position(|c| *c == token_class(f.p.kind))
                .unwrap_or(0)
        };
        let (d, n) = &mut self.paths[k];
        let _ = write!(
            d,
            "M{},{}a5,5 0 1,0 10,0a5,5 0 1,0 -10,0",
            r1(at.x - 5.0),
            r1(at.y)
        );
        *n += 1;
    }

    /// How many messages are drawn as dots.
    pub(super) fn len(&self) -> usize {
        self.paths.iter().map(|(_, n)| n).sum()
    }

    pub(super) fn view(&self) -> Html {
        html! {
            <g class="crowd" aria-hidden="true" data-dots={self.len().to_string()}>
                { for self.paths.iter().zip(Self::CLASSES).filter(|((_, n), _)| *n > 0).map(|((d, _), c)| html! {
                    <path class={classes!("crowd-dots", c)} d={d.clone()} />
                }) }
            </g>
        }
    }
}

/// Split the messages of `view` at `now`: the ones the layout placed in `sc` (indices
/// into `sc.tokens`) and the crowd. The layout draws a message it found no room for at
/// its lane position over the others; they are found by placing `sc`'s boxes again in
/// the layout's order (a placed one is clear of everything before it, an unplaced one
/// is not). Messages beyond [`LABELLED_MAX`] were not given to the layout at all.
pub(super) fn split(
    lay: &StageLayout,
    nodes: &[NodeInfo],
    view: &View,
    sc: &Scene,
    now: f64,
) -> (Vec<usize>, Crowd) {
    let mut crowd = Crowd::default();
    let mut placed: Vec<usize> = (0..sc.tokens.len()).collect();
    if sc.crowded > 0 {
        let mut pl = Placer::new(lay.w, lay.h);
        for r in sc
            .nodes
            .iter()
            .chain(sc.status.iter().map(|(_, _, _, r)| r))
        {
            pl.add(*r);
        }
        for (_, p) in &sc.panels {
            pl.add(p.rect);
        }
        placed.retain(|&i| {
            let t = &sc.tokens[i];
            let free = pl.free(&t.rect);
            if free {
                pl.add(t.rect);
            } else {
                crowd.add(&t.flight, t.at);
            }
            free
        });
    }
    let index = |id| nodes.iter().position(|n: &NodeInfo| n.id == id);
    for f in view.flights.values().skip(LABELLED_MAX) {
        let (Some(a), Some(b)) = (index(f.from), index(f.to)) else {
            continue;
        };
        let (s, e) = lay.lane(a, b, lane_shift(f.from.0, f.to.0, f.copy_of.is_some()));
        crowd.add(f, token_place(s, e, f.sent, f.arrive, now, f.lost).at);
    }
    (placed, crowd)
}

/// A labelled message: a button that opens the fault menu; D / C drop or duplicate it
/// from the keyboard.
pub(super) fn token_view(
    t: &TokenSpot,
    font: f64,
    unit: LedgerUnit,
    selected: bool,
    ctl: &Ctl,
) -> Html {
    let f = &t.flight;
    let (at, opacity, falling, w) = (t.at, t.opacity, t.falling, t.w);
    let text = t.text.clone();
    let menu = Menu::Token { flight: *f, at };
    let onclick = {
        let (ctl, menu) = (ctl.clone(), menu.clone());
        Callback::from(move |_: MouseEvent| ctl.open(menu.clone()))
    };
    let onkeydown = {
        let ctl = ctl.clone();
        let flight = *f;
        Callback::from(move |e: KeyboardEvent| {
            let modified = e.ctrl_key() || e.meta_key() || e.alt_key();
            let fault = match keys::token_key(&e.key(), modified) {
                None => return,
                Some(TargetKey::Menu) => {
                    e.prevent_default();
                    return ctl.open(menu.clone());
                }
                Some(TargetKey::Drop) if !flight.lost => fault_for_token(&flight, true),
                Some(TargetKey::Duplicate) if !flight.lost => fault_for_token(&flight, false),
                Some(_) => return,
            };
            e.prevent_default();
            ctl.fault(fault);
        })
    };
    let aria = format!(
        "{}{}{} in flight{} — Enter: fault menu, D: drop, C: duplicate",
        payload_label(&f.p, unit),
        match f.copy_of {
            Some(_) => ", a network copy".to_string(),
            None => String::new(),
        },
        if f.lost && falling { ", lost" } else { "" },
        if f.p.key.is_none() {
            ", carries no key"
        } else {
            ""
        },
    );
    html! {
        <g key={f.net.0} class={classes!("token", token_class(f.p.kind), f.lost.then_some("lost"), falling.then_some("falling"),
                f.copy_of.is_some().then_some("copy"), selected.then_some("selected"), f.p.key.is_none().then_some("nokey"))}
            transform={format!("translate({},{})", r1(at.x), r1(at.y))}
            opacity={format!("{opacity:.2}")}
            data-net={f.net.0.to_string()} data-msg={f.p.msg.to_string()}
            tabindex="0" role="button" aria-label={aria} aria-haspopup="dialog"
            {onclick} {onkeydown}>
            <rect class="hit" x={r1(-w / 2.0 - 8.0)} y="-22" width={r1(w + 16.0)} height="44" rx="22" />
            if t.compact && text.is_empty() {
                <circle class="pill dot" data-label="token" r="6" />
            } else {
                <rect class="pill" data-label="token" x={r1(-w / 2.0)} y="-12" width={r1(w)} height="24" rx="12" />
                <text x="0" y="5" text-anchor="middle" style={format!("font-size: {font}px")}>{text}</text>
            }
            if t.compact {
            } else if f.copy_of.is_some() {
                <g class="copy-tag" data-label="tag" transform="translate(0,-21)">
                    <rect x="-38" y="-9" width="76" height="15" rx="3" />
                    <text x="0" y="2.5" text-anchor="middle">{"network copy"}</text>
                </g>
            }
            if t.compact {
            } else if f.p.key.is_none() {
                <text class="nokey-tag" data-label="tag" x="0" y="24" text-anchor="middle">{"no key"}</text>
            } else if let Some(h) = crate::ui::layout::token_headers(f) {
                <text class="headers-tag" data-label="tag" x="0" y="24" text-anchor="middle">{h}</text>
            }
        </g>
    }
}

pub(crate) fn fault_for_token(f: &Flight, drop: bool) -> Fault {
    if drop {
        Fault::Lose {
            hop: f.hop,
            msg: f.p.msg,
            attempt: f.p.attempt,
        }
    } else {
        Fault::Duplicate {
            hop: f.hop,
            msg: f.p.msg,
            attempt: f.p.attempt,
            extra: 3,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::replay::cursor_for_tick;
    use crate::ui::layout::{needs, scene};
    use crate::ui::share::decode;
    use crate::ui::state::State;

    /// The stage's split of technique 0 of `query` at `now`, `w` px wide: (messages in
    /// flight, labelled tokens, dots, the labelled tokens' boxes).
    fn stage_at(
        query: &str,
        now: f64,
        w: f64,
    ) -> (usize, usize, usize, Vec<crate::ui::layout::Rect>) {
        let d = decode(query);
        let s = State::from_share(&d.state, &d.warnings);
        let tr = &s.run.techniques()[0];
        let lay = StageLayout::new(&tr.nodes, &needs(tr), w);
        let view = s.run.timelines[0].view_at(&tr.trace, cursor_for_tick(&tr.trace, now as u32));
        let labelled = labelled_view(&view);
        let sc = scene(
            &lay,
            &tr.nodes,
            labelled.as_ref().unwrap_or(&view),
            &[],
            now,
            s.run.unit(),
        );
        let (placed, crowd) = split(&lay, &tr.nodes, &view, &sc, now);
        let rects = placed.iter().map(|&i| sc.tokens[i].rect).collect();
        (view.flights.len(), placed.len(), crowd.len(), rects)
    }

    #[test]
    fn a_crowd_is_labelled_up_to_the_cap_and_the_rest_are_dots() {
        let q = "?s=dedup-window&seed=1&p.messages=500&p.rate_per_10_ticks=100&p.dup=1000&p.dup_delay_max_ticks=500";
        for w in [320.0, 700.0] {
            let (flights, placed, dots, rects) = stage_at(q, 50.5, w);
            // 497 transmissions on the wire at tick 50 (bench/browser.mjs).
            assert_eq!(flights, 497, "{w}");
            assert!(
                (10..=LABELLED_MAX).contains(&placed),
                "{w}: {placed} labelled"
            );
            assert_eq!(placed + dots, flights, "{w}: every message is drawn once");
            // The labelled ones overlap nothing.
            for (i, a) in rects.iter().enumerate() {
                for b in &rects[i + 1..] {
                    assert!(!a.hits(b), "{w}: {a:?} × {b:?}");
                }
            }
        }
    }

    #[test]
    fn an_ordinary_run_has_no_dots() {
        let d = decode("?s=walkthrough");
        let s = State::from_share(&d.state, &d.warnings);
        for t in 0..=s.run.end {
            let (flights, placed, dots, _) = stage_at("?s=walkthrough", f64::from(t) + 0.5, 375.0);
            assert_eq!((placed, dots), (flights, 0), "tick {t}");
        }
    }
}
