//! Everything drawn on the stage at one moment: tokens and badges, placed.

use super::*;
use crate::sim::event::MsgKind;
use crate::sim::ids::NodeId;
use crate::sim::ledger::LedgerUnit;
use crate::sim::replay::{Flight, View};
use crate::sim::run::NodeInfo;
use crate::ui::facts::{token_label, Badge, Tone};

/// A message drawn on the stage.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenSpot {
    pub flight: Flight,
    /// Centre of the pill.
    pub at: Pt,
    pub opacity: f64,
    pub falling: bool,
    pub text: String,
    /// Width of the pill.
    pub w: f64,
    /// The pill with its tags: what must not overlap.
    pub rect: Rect,
    /// Drawn short (number only, no tags) or as a dot (empty text) for lack of room.
    pub compact: bool,
}

/// A badge next to a node.
#[derive(Clone, Debug, PartialEq)]
pub struct BadgeSpot {
    pub node: usize,
    /// What is drawn (maybe cut) and the whole text.
    pub text: String,
    pub full: String,
    pub tone: Tone,
    pub rect: Rect,
}

/// Everything drawn on the stage at one moment, placed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scene {
    pub panels: Vec<(usize, Panel)>,
    /// Status lines under each node's box: (node, text, class, box).
    pub status: Vec<(usize, String, &'static str, Rect)>,
    pub tokens: Vec<TokenSpot>,
    pub badges: Vec<BadgeSpot>,
    /// "+N more" badges: (node, N, box).
    pub more: Vec<(usize, usize, Rect)>,
    /// Node boxes (fixed).
    pub nodes: Vec<Rect>,
    /// Tokens that found no free spot (drawn at their lane position anyway).
    pub crowded: usize,
}

impl Scene {
    /// Every label's box, named (for tests).
    pub fn labels(&self) -> Vec<(String, Rect)> {
        let mut v: Vec<(String, Rect)> = Vec::new();
        v.extend(
            self.nodes
                .iter()
                .enumerate()
                .map(|(i, r)| (format!("node {i}"), *r)),
        );
        v.extend(
            self.status
                .iter()
                .map(|(i, t, _, r)| (format!("status {i} {t}"), *r)),
        );
        v.extend(
            self.panels
                .iter()
                .map(|(i, p)| (format!("panel {i}"), p.rect)),
        );
        v.extend(
            self.tokens
                .iter()
                .map(|t| (format!("token {}", t.text), t.rect)),
        );
        v.extend(
            self.badges
                .iter()
                .map(|b| (format!("badge {}", b.text), b.rect)),
        );
        v.extend(
            self.more
                .iter()
                .map(|(i, n, r)| (format!("more {i} +{n}"), *r)),
        );
        v
    }
}

/// The headers a message carries ("outbox_id=3, key=3"), if any.
pub fn token_headers(f: &Flight) -> Option<String> {
    f.p.headers.map(|h| h.describe()).filter(|d| !d.is_empty())
}

/// A token's text when the whole one finds no room: its number (and ✕ once lost).
pub fn short_token_text(text: &str) -> String {
    let digits: String = text
        .split_whitespace()
        .find(|w| w.chars().any(|c| c.is_ascii_digit()))
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_ascii_digit())
        .collect();
    let lost = if text.starts_with('✕') { "✕" } else { "" };
    format!("{lost}{digits}")
}

/// The token's text: its label, the retry count, and ✕ once a lost one falls.
pub fn token_text(f: &Flight, falling: bool, unit: LedgerUnit) -> String {
    let label = token_label(&f.p, unit);
    let text = if f.p.attempt > 0 && f.p.kind != MsgKind::Messenger {
        format!("{label} ↻{}", f.p.attempt)
    } else {
        label
    };
    if f.lost && falling {
        format!("✕ {text}")
    } else {
        text
    }
}

/// Place everything of `nodes` in `view` at the playhead `now`: first the fixed things
/// (boxes, status lines, tables), then the messages near their point on the lane, then
/// the badges near their node (those that find no room fold into "+N more").
pub fn scene(
    lay: &StageLayout,
    nodes: &[NodeInfo],
    view: &View,
    badges: &[Badge],
    now: f64,
    unit: LedgerUnit,
) -> Scene {
    let mut sc = Scene::default();
    let mut pl = Placer::new(lay.w, lay.h);
    let index = |id: NodeId| nodes.iter().position(|n| n.id == id);
    for (i, n) in nodes.iter().enumerate() {
        let r = lay.node_rect(i);
        pl.add(r);
        sc.nodes.push(r);
        let c = lay.centres[i];
        let (status, extra) = status_lines(n, &view.node(n.id));
        let mut y = c.y + NODE_HH + STATUS_STEP;
        for (text, class, size) in [
            (status, "n-status", STATUS_FONT),
            (extra, "n-extra", EXTRA_FONT),
        ] {
            if text.is_empty() {
                continue;
            }
            let text = cut(&text, lay.w - 8.0, size);
            let tw = text_w(&text, size);
            let x = c.x.clamp(tw / 2.0 + 2.0, lay.w - tw / 2.0 - 2.0);
            let r = Rect::new(x - tw / 2.0, y - size, x + tw / 2.0, y + 3.0);
            pl.add(r);
            sc.status.push((i, text, class, r));
            y += STATUS_STEP;
        }
        if let Some(p) = panel(lay, i, n, view) {
            pl.add(p.rect);
            sc.panels.push((i, p));
        }
    }
    let font = lay.token_font;
    for f in view.flights.values() {
        let (Some(a), Some(b)) = (index(f.from), index(f.to)) else {
            continue;
        };
        let (s, e) = lay.lane(a, b, lane_shift(f.from.0, f.to.0, f.copy_of.is_some()));
        let place0 = token_place(s, e, f.sent, f.arrive, now, f.lost);
        let text = token_text(f, place0.falling, unit);
        let w = 18.0 + text_w(&text, font);
        // The pill's centre travels between the points where the pill just clears
        // each end, so it never sits on a box.
        let (s2, e2) = inset(s, e, w / 2.0 + 3.0, TOKEN_H / 2.0 + 3.0);
        let place = token_place(s2, e2, f.sent, f.arrive, now, f.lost);
        let mut r = Rect::around(place.at, w, TOKEN_H);
        if f.copy_of.is_some() {
            r = r.union(&Rect::new(
                place.at.x - 38.0,
                place.at.y - 30.0,
                place.at.x + 38.0,
                place.at.y - 15.0,
            ));
        }
        if f.p.key.is_none() {
            r = r.union(&Rect::new(
                place.at.x - 22.0,
                place.at.y + 13.0,
                place.at.x + 22.0,
                place.at.y + 28.0,
            ));
        } else if let Some(h) = token_headers(f) {
            // The headers it carries, on a line under the pill.
            let hw = text_w(&h, MIN_FONT) / 2.0 + 2.0;
            r = r.union(&Rect::new(
                place.at.x - hw,
                place.at.y + 13.0,
                place.at.x + hw,
                place.at.y + 28.0,
            ));
        }
        let ideal = r;
        let spot = pl.place(ideal, &near_offsets(r.w(), r.h()), true);
        // No room for the whole pill: a short one (the number only, no tags), then a
        // dot; the full words stay in its accessible name and its fault menu.
        let (r, text, w, compact) = match spot {
            Some(r) => (r, text, w, false),
            None => {
                let short = short_token_text(&text);
                let sw = 12.0 + text_w(&short, font);
                let small = Rect::around(place.at, sw, TOKEN_H);
                let dot = Rect::around(place.at, 12.0, 12.0);
                if let Some(r) = pl.place(small, &near_offsets(sw, TOKEN_H), true) {
                    (r, short, sw, true)
                } else if let Some(r) = pl.place(dot, &near_offsets(12.0, 12.0), true) {
                    (r, String::new(), 12.0, true)
                } else {
                    sc.crowded += 1;
                    (ideal, text, w, false)
                }
            }
        };
        let at = if compact {
            Pt::new((r.x0 + r.x1) / 2.0, (r.y0 + r.y1) / 2.0)
        } else {
            Pt::new(
                place.at.x + (r.x0 - ideal.x0),
                place.at.y + (r.y0 - ideal.y0),
            )
        };
        sc.tokens.push(TokenSpot {
            flight: *f,
            at,
            opacity: place.opacity,
            falling: place.falling,
            text,
            w,
            rect: r,
            compact,
        });
    }
    for (i, n) in nodes.iter().enumerate() {
        let mine: Vec<&Badge> = badges.iter().filter(|b| b.node == n.id).collect();
        if mine.is_empty() {
            continue;
        }
        let c = lay.centres[i];
        let offsets = |w: f64| badge_spots(lay, i, c, w);
        let mut missed = 0;
        for b in &mine {
            let room = lay.w - 8.0 - 18.0;
            let full = format!("{} {}", b.tone.glyph(), b.text);
            let text = cut(&full, room, BADGE_FONT);
            let w = 18.0 + text_w(&text, BADGE_FONT);
            let r = Rect::around(Pt::new(0.0, 0.0), w, BADGE_H);
            match pl.place(r, &offsets(w), false) {
                Some(r) => sc.badges.push(BadgeSpot {
                    node: i,
                    text,
                    full: b.text.clone(),
                    tone: b.tone,
                    rect: r,
                }),
                None => missed += 1,
            }
        }
        if missed > 0 {
            let w = 16.0 + text_w(&format!("+{missed} more"), BADGE_FONT);
            let r = Rect::around(Pt::new(0.0, 0.0), w, BADGE_H);
            if let Some(r) = pl.place(r, &offsets(w), false) {
                sc.more.push((i, missed, r));
            }
        }
    }
    sc
}

/// Candidate offsets (from the origin) for a badge `w` wide at node `i` centred on `c`:
/// stacked above the box, then below its block, then beside the box.
fn badge_spots(lay: &StageLayout, i: usize, c: Pt, w: f64) -> Vec<(f64, f64)> {
    let step = BADGE_H + 4.0;
    let x = c.x.clamp(w / 2.0 + 2.0, lay.w - w / 2.0 - 2.0);
    let mut v = Vec::with_capacity(16);
    for k in 0..4 {
        v.push((
            x,
            c.y - NODE_HH - 9.0 - BADGE_H / 2.0 - 4.0 - step * k as f64,
        ));
    }
    let below = lay.block_bottom.get(i).copied().unwrap_or(c.y + NODE_HH) + BADGE_H / 2.0 + 8.0;
    for k in 0..3 {
        v.push((x, below + step * k as f64));
    }
    for dy in [-step, 0.0, step] {
        v.push((c.x - lay.hw - 6.0 - w / 2.0, c.y + dy));
        v.push((c.x + lay.hw + 12.0 + w / 2.0, c.y + dy));
    }
    v
}
