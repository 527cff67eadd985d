//! Pure geometry for the stage and the space-time diagram: where nodes sit in the SVG
//! viewBox, where a token is on its link at a (fractional) tick, how a lost token falls
//! away, how copies and the two directions of a link are kept apart, and the lanes and
//! arrows of the space-time view; how the stage fits a frame of any width from 320 px
//! (portrait below [`PORTRAIT_BELOW`]) and where its labels go so that none overlaps
//! another or leaves the frame. No Yew, no web-sys: unit-tested natively (and, over
//! every scenario and tick, in `tests/native/fit.rs`).

use crate::sim::event::{CommitWhat, Ev, MsgKind};
use crate::sim::ids::{txn_name, NodeId, Tick};
use crate::sim::ledger::LedgerUnit;
use crate::sim::replay::{Flight, LogRec, NodeStatus, NodeView, RecState, View};
use crate::sim::run::{NodeInfo, NodeKind, TechniqueRun};
use crate::ui::facts::{token_label, Badge, Tone};

/// A point in viewBox units.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Pt {
    pub x: f64,
    pub y: f64,
}

impl Pt {
    pub const fn new(x: f64, y: f64) -> Pt {
        Pt { x, y }
    }
    pub fn lerp(self, o: Pt, t: f64) -> Pt {
        Pt::new(self.x + (o.x - self.x) * t, self.y + (o.y - self.y) * t)
    }
    pub fn dist(self, o: Pt) -> f64 {
        ((o.x - self.x).powi(2) + (o.y - self.y).powi(2)).sqrt()
    }
}

/// The stage's viewBox and the area node centres may occupy.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct StageBox {
    pub w: f64,
    pub h: f64,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
    /// Half-width of a node's box: narrower when nodes sit close together.
    pub node_hw: f64,
    /// Width of the tables drawn under a node (never wider than the gap to the next).
    pub panel_w: f64,
    /// A crowded row is drawn zig-zag: every second node of it this much lower, so
    /// the links between neighbours are long enough to watch a token travel.
    pub stagger: f64,
}

impl StageBox {
    /// A stage for nodes whose vertical hints are `ys`: the full 0..=100 width, the
    /// hints' vertical spread only, room above for badges and below for the
    /// processes' tables (`below`, in viewBox units).
    pub fn fit(hints: &[(u8, u8)], below: f64) -> StageBox {
        StageBox::fit_w(hints, below, WIDE)
    }

    /// [`StageBox::fit`] for a viewBox `w` units wide (the frame's width in CSS px when
    /// it is narrower than [`WIDE`], so one unit draws as one pixel).
    pub fn fit_w(hints: &[(u8, u8)], below: f64, w: f64) -> StageBox {
        StageBox::fit_rows(hints, below, w, 2.6)
    }

    /// [`StageBox::fit_w`] with rows `per_hint` units apart per unit of the vertical
    /// hints (2.6 by default; more when a node's tables reach down to a node below).
    pub fn fit_rows(hints: &[(u8, u8)], below: f64, w: f64, per_hint: f64) -> StageBox {
        const TOP: f64 = 100.0;
        #[allow(non_snake_case)]
        let PER_HINT = per_hint;
        let w = w.clamp(PORTRAIT_BELOW, WIDE);
        let left = (95.0 * w / WIDE).max(NODE_HW + 8.0);
        let (mut lo, mut hi) = (u8::MAX, 0u8);
        for &(_, y) in hints {
            let y = y.min(100);
            lo = lo.min(y);
            hi = hi.max(y);
        }
        // The closest two nodes on (about) the same row decide how wide boxes can be.
        let span = w - 2.0 * left;
        let mut gap = f64::INFINITY;
        for (i, a) in hints.iter().enumerate() {
            for b in &hints[i + 1..] {
                let dy = (f64::from(a.1.min(100)) - f64::from(b.1.min(100))).abs() * PER_HINT;
                if dy < 2.0 * NODE_HH + 10.0 {
                    let dx =
                        (f64::from(a.0.min(100)) - f64::from(b.0.min(100))).abs() / 100.0 * span;
                    gap = gap.min(dx);
                }
            }
        }
        let stagger = if gap < CROWDED * w / WIDE { 84.0 } else { 0.0 };
        let node_hw = if stagger > 0.0 {
            ((gap - 12.0) / 2.0).clamp(44.0, NODE_HW)
        } else {
            ((gap - 24.0) / 2.0).clamp(44.0, NODE_HW)
        };
        let panel_w = (if stagger > 0.0 {
            2.0 * gap - 40.0
        } else {
            gap - 10.0
        })
        .clamp(112.0, 170.0);
        if lo > hi {
            lo = 50;
            hi = 50;
        }
        let spread = f64::from(hi - lo) * PER_HINT;
        // `node_point` maps hints 0..=100 onto top..=bottom; shift that range so the
        // highest node sits at TOP.
        let top = TOP - f64::from(lo) * PER_HINT;
        let bottom = top + 100.0 * PER_HINT;
        StageBox {
            w,
            h: (TOP + spread + stagger + below.max(NODE_HH + 20.0)).round(),
            left,
            right: w - left,
            top,
            bottom,
            node_hw,
            panel_w,
            stagger,
        }
    }

    /// Every node's centre: `node_point`, plus the zig-zag of a crowded row.
    pub fn place(&self, hints: &[(u8, u8)]) -> Vec<Pt> {
        hints
            .iter()
            .map(|&(x, y)| {
                let p = self.node_point(x, y);
                if self.stagger == 0.0 {
                    return p;
                }
                // Rank of this node from the left among the nodes of its row.
                let rank = hints
                    .iter()
                    .filter(|&&(ox, oy)| oy.abs_diff(y) <= 3 && ox < x)
                    .count();
                if rank % 2 == 1 {
                    Pt::new(p.x, p.y + self.stagger)
                } else {
                    p
                }
            })
            .collect()
    }

    /// `"0 0 w h"`.
    pub fn view_box(&self) -> String {
        format!("0 0 {} {}", self.w, self.h)
    }

    /// A node's centre from its 0..=100 layout hints.
    pub fn node_point(&self, x: u8, y: u8) -> Pt {
        let fx = f64::from(x.min(100)) / 100.0;
        let fy = f64::from(y.min(100)) / 100.0;
        Pt::new(
            self.left + (self.right - self.left) * fx,
            self.top + (self.bottom - self.top) * fy,
        )
    }

    /// A point as percentages of the box (for HTML overlays positioned over the SVG).
    pub fn percent(&self, p: Pt) -> (f64, f64) {
        (p.x / self.w * 100.0, p.y / self.h * 100.0)
    }
}

/// Neighbours closer than this (viewBox units, at [`WIDE`]; proportionally less on
/// narrower boxes) make a row crowded.
const CROWDED: f64 = 200.0;

/// Half-size of a node's box on the stage (the widest; see [`StageBox::node_hw`]).
pub const NODE_HW: f64 = 66.0;
pub const NODE_HH: f64 = 30.0;

/// Where the segment from `c` towards `to` leaves an axis-aligned box of half-size
/// (`hw`, `hh`) centred on `c`.
pub fn box_exit(c: Pt, to: Pt, hw: f64, hh: f64) -> Pt {
    let dx = to.x - c.x;
    let dy = to.y - c.y;
    if dx.abs() < 1e-9 && dy.abs() < 1e-9 {
        return c;
    }
    let tx = if dx.abs() < 1e-9 {
        f64::INFINITY
    } else {
        hw / dx.abs()
    };
    let ty = if dy.abs() < 1e-9 {
        f64::INFINITY
    } else {
        hh / dy.abs()
    };
    let t = tx.min(ty).min(1.0);
    Pt::new(c.x + dx * t, c.y + dy * t)
}

/// Smooth start and stop (cubic ease-in-out) on 0..=1.
pub fn ease(t: f64) -> f64 {
    let t = t.clamp(0.0, 1.0);
    if t < 0.5 {
        4.0 * t * t * t
    } else {
        1.0 - (-2.0 * t + 2.0).powi(3) / 2.0
    }
}

/// How far along its link a transmission is at `now`: `(now - sent) / (arrive - sent)`,
/// clamped to 0..=1.
pub fn progress(now: f64, sent: u32, arrive: u32) -> f64 {
    let span = f64::from(arrive.saturating_sub(sent)).max(1e-9);
    ((now - f64::from(sent)) / span).clamp(0.0, 1.0)
}

/// Perpendicular shift of a link's lane: the two directions of a link travel on
/// opposite sides of the centre line, and a network copy travels beside its original.
pub fn lane_shift(from: u8, to: u8, copy: bool) -> f64 {
    let side = if from < to { -1.0 } else { 1.0 };
    let base = 11.0 * side;
    if copy {
        base + 22.0 * side
    } else {
        base
    }
}

/// The segment a link's lane runs along: from the edge of one node's box to the edge
/// of the other's, shifted sideways by `shift`.
pub fn lane_segment(from: Pt, to: Pt, shift: f64, hw: f64) -> (Pt, Pt) {
    let a = box_exit(from, to, hw, NODE_HH);
    let b = box_exit(to, from, hw, NODE_HH);
    let d = from.dist(to).max(1e-9);
    // Unit normal (rotate the direction by +90°) in a canonical orientation so both
    // directions of a link agree on which side is which.
    let (nx, ny) = if (from.x, from.y) <= (to.x, to.y) {
        (-(to.y - from.y) / d, (to.x - from.x) / d)
    } else {
        ((to.y - from.y) / d, -(to.x - from.x) / d)
    };
    (
        Pt::new(a.x + nx * shift, a.y + ny * shift),
        Pt::new(b.x + nx * shift, b.y + ny * shift),
    )
}

/// Where a token is drawn and how.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct TokenPlace {
    pub at: Pt,
    /// 1 = fully visible.
    pub opacity: f64,
    /// A lost token past the midpoint: it has left its lane and is falling away.
    pub falling: bool,
    /// Linear progress 0..=1 along the link (before easing).
    pub progress: f64,
}

/// How far a lost token falls (viewBox units) by the time it would have arrived.
pub const FALL: f64 = 70.0;
/// A token sent this tick is drawn at least this far along, so it is not hidden under
/// its sender.
pub const MIN_SHOWN: f64 = 0.06;

/// Place a token on the lane `a → b` at `now`. A lost token travels to the midpoint
/// and then falls away and fades instead of reaching `b`.
pub fn token_place(a: Pt, b: Pt, sent: u32, arrive: u32, now: f64, lost: bool) -> TokenPlace {
    let p = progress(now, sent, arrive).max(MIN_SHOWN);
    if lost && p > 0.5 {
        let k = (p - 0.5) / 0.5;
        let mid = a.lerp(b, ease(0.5));
        let drift = (b.x - a.x).signum() * 12.0 * k;
        return TokenPlace {
            at: Pt::new(mid.x + drift, mid.y + FALL * k * k + 6.0 * k),
            opacity: (1.0 - 0.65 * k).clamp(0.2, 1.0),
            falling: true,
            progress: p,
        };
    }
    TokenPlace {
        at: a.lerp(b, ease(p)),
        opacity: 1.0,
        falling: false,
        progress: p,
    }
}

/// How to write a node's name inside a box `width` wide: the largest font size at which
/// it fits on one line, else wrapped at spaces onto two or three lines, else (one word
/// longer than the box) cut with "…" at [`MIN_FONT`]. Widths are estimated with
/// [`text_w`]; nothing is smaller than [`MIN_FONT`].
pub fn fit_name(name: &str, width: f64) -> (Vec<String>, f64) {
    const TRIES: [(f64, usize); 12] = [
        (17.0, 1),
        (15.0, 1),
        (13.5, 1),
        (15.0, 2),
        (13.5, 2),
        (12.0, 1),
        (12.0, 2),
        (13.5, 3),
        (12.0, 3),
        (MIN_FONT, 1),
        (MIN_FONT, 2),
        (MIN_FONT, 3),
    ];
    for (size, max) in TRIES {
        if let Some(lines) = wrap(name, width, size, max) {
            return (lines, size);
        }
    }
    (vec![cut(name, width, MIN_FONT)], MIN_FONT)
}

/// `text` broken at spaces into at most `max` lines no wider than `width` at `size`.
pub fn wrap(text: &str, width: f64, size: f64, max: usize) -> Option<Vec<String>> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if text_w(word, size) > width {
            return None;
        }
        match lines.last_mut() {
            Some(l) if text_w(&format!("{l} {word}"), size) <= width => {
                l.push(' ');
                l.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
        if lines.len() > max {
            return None;
        }
    }
    (!lines.is_empty()).then_some(lines)
}

/// `text`, or as much of it as fits in `width` at `size` followed by "…".
pub fn cut(text: &str, width: f64, size: f64) -> String {
    if text_w(text, size) <= width {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        out.push(c);
        if text_w(&out, size) + size > width {
            out.pop();
            break;
        }
    }
    format!("{}…", out.trim_end())
}

// ---------------------------------------------------------------- fitting the frame

/// The widest viewBox: frames wider than this draw the stage scaled up.
pub const WIDE: f64 = 860.0;
/// Below this frame width (CSS px) the stage turns portrait: processes stacked top to
/// bottom and messages travelling vertically. A landscape row of three processes with
/// their tables needs about this much at one unit per pixel.
pub const PORTRAIT_BELOW: f64 = 600.0;
/// Frames narrower than this are laid out at this width and scaled down.
pub const NARROWEST: f64 = 260.0;
/// No text on the stage is smaller than this (units; one unit draws as at least one CSS
/// pixel, since the viewBox is never wider than the frame below [`WIDE`]).
pub const MIN_FONT: f64 = 11.0;
/// Average advance of a character, in ems, for the bold sans-serif and the monospaced
/// text the stage draws: DejaVu Sans Mono is 0.60 em, DejaVu Sans Bold averages about
/// 0.62 em over lower-case text, system-ui faces are narrower. Symbols outside
/// Latin-1 (✕ ↻ ⌛ ₹ → …) often come from a fallback font and count a full em.
pub const EM: f64 = 0.62;
/// Space kept free around every label (units).
pub const LABEL_GAP: f64 = 2.0;

/// Estimated width of `text` at font `size`: [`EM`] per Latin-1 character, 1 em per
/// symbol. Errs on the wide side: a box a few units too large costs a little room, one
/// too small lets two labels touch.
pub fn text_w(text: &str, size: f64) -> f64 {
    let ems: f64 = text
        .chars()
        .map(|c| if (c as u32) < 0x250 { EM } else { 1.0 })
        .sum();
    ems * size
}

/// An axis-aligned box in viewBox units.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Rect {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Rect {
    pub const fn new(x0: f64, y0: f64, x1: f64, y1: f64) -> Rect {
        Rect { x0, y0, x1, y1 }
    }
    /// `w` × `h` centred on `c`.
    pub fn around(c: Pt, w: f64, h: f64) -> Rect {
        Rect::new(c.x - w / 2.0, c.y - h / 2.0, c.x + w / 2.0, c.y + h / 2.0)
    }
    pub fn w(&self) -> f64 {
        self.x1 - self.x0
    }
    pub fn h(&self) -> f64 {
        self.y1 - self.y0
    }
    pub fn centre(&self) -> Pt {
        Pt::new((self.x0 + self.x1) / 2.0, (self.y0 + self.y1) / 2.0)
    }
    pub fn moved(&self, dx: f64, dy: f64) -> Rect {
        Rect::new(self.x0 + dx, self.y0 + dy, self.x1 + dx, self.y1 + dy)
    }
    pub fn grown(&self, d: f64) -> Rect {
        Rect::new(self.x0 - d, self.y0 - d, self.x1 + d, self.y1 + d)
    }
    pub fn union(&self, o: &Rect) -> Rect {
        Rect::new(
            self.x0.min(o.x0),
            self.y0.min(o.y0),
            self.x1.max(o.x1),
            self.y1.max(o.y1),
        )
    }
    /// The boxes share some area (touching edges do not count).
    pub fn hits(&self, o: &Rect) -> bool {
        const E: f64 = 1e-6;
        self.x0 < o.x1 - E && o.x0 < self.x1 - E && self.y0 < o.y1 - E && o.y0 < self.y1 - E
    }
    /// Inside `0..=w` × `0..=h`.
    pub fn within(&self, w: f64, h: f64) -> bool {
        const E: f64 = 1e-6;
        self.x0 >= -E && self.y0 >= -E && self.x1 <= w + E && self.y1 <= h + E
    }
}

/// Greedy label placement. Labels are added one at a time, most important first; each
/// takes the first of its candidate positions that stays inside the frame and keeps
/// [`LABEL_GAP`] from every label placed before it. Placed boxes are kept sorted by
/// their left edge, so a test looks only at the boxes whose left edge lies within one
/// widest-box of the candidate (a binary search, then the strip): with the bounded
/// candidate lists below, a frame of n labels costs O(n log n + n·c·k) box tests for c
/// candidates and k boxes per strip — a few thousand for the busiest stage.
#[derive(Clone, Debug)]
pub struct Placer {
    w: f64,
    h: f64,
    boxes: Vec<Rect>,
    widest: f64,
}

impl Placer {
    pub fn new(w: f64, h: f64) -> Placer {
        Placer {
            w,
            h,
            boxes: Vec::new(),
            widest: 0.0,
        }
    }

    /// `r` is inside the frame and clear of every placed box.
    pub fn free(&self, r: &Rect) -> bool {
        if !r.within(self.w, self.h) {
            return false;
        }
        let g = r.grown(LABEL_GAP);
        let lo = self
            .boxes
            .partition_point(|b| b.x0 < g.x0 - self.widest - 1.0);
        for b in &self.boxes[lo..] {
            if b.x0 >= g.x1 {
                break;
            }
            if b.hits(&g) {
                return false;
            }
        }
        true
    }

    /// Take `r` as it is (fixed things: processes, their tables).
    pub fn add(&mut self, r: Rect) {
        let i = self.boxes.partition_point(|b| b.x0 < r.x0);
        self.boxes.insert(i, r);
        self.widest = self.widest.max(r.w());
    }

    /// The first free position of `r` moved by one of `offsets`; failing that, when
    /// `scan`, the free position nearest to `r` on a coarse grid over the whole frame.
    pub fn place(&mut self, r: Rect, offsets: &[(f64, f64)], scan: bool) -> Option<Rect> {
        let found = offsets
            .iter()
            .map(|&(dx, dy)| r.moved(dx, dy))
            .find(|c| self.free(c))
            .or_else(|| if scan { self.scan(&r) } else { None });
        if let Some(c) = found {
            self.add(c);
        }
        found
    }

    fn scan(&self, r: &Rect) -> Option<Rect> {
        const STEP: f64 = 12.0;
        let c = r.centre();
        let mut best: Option<(f64, Rect)> = None;
        let nx = ((self.w - r.w()) / STEP).floor().max(0.0) as usize;
        let ny = ((self.h - r.h()) / STEP).floor().max(0.0) as usize;
        for j in 0..=ny {
            for i in 0..=nx {
                let cand = Rect::new(
                    i as f64 * STEP,
                    j as f64 * STEP,
                    i as f64 * STEP + r.w(),
                    j as f64 * STEP + r.h(),
                );
                let d = cand.centre().dist(c);
                if best.is_some_and(|(bd, _)| bd <= d) || !self.free(&cand) {
                    continue;
                }
                best = Some((d, cand));
            }
        }
        best.map(|(_, r)| r)
    }
}

/// Offsets tried for a label `w` × `h` before giving up on its neighbourhood: up to
/// three rows above or below and a half or a whole width aside, nearest first.
pub fn near_offsets(w: f64, h: f64) -> Vec<(f64, f64)> {
    let dy = h + LABEL_GAP + 2.0;
    let dx = w / 2.0 + LABEL_GAP + 2.0;
    let mut v: Vec<(f64, f64)> = Vec::with_capacity(35);
    for j in -3i32..=3 {
        for i in -2i32..=2 {
            v.push((f64::from(i) * dx, f64::from(j) * dy));
        }
    }
    v.sort_by(|a, b| {
        (a.0.abs() + a.1.abs())
            .total_cmp(&(b.0.abs() + b.1.abs()))
            .then(a.1.total_cmp(&b.1))
            .then(a.0.total_cmp(&b.0))
    });
    v
}

// ---------------------------------------------------------------- the stage, fitted

/// What a process shows below its box at some point of a run (reserved for the whole run,
/// so nothing moves while it plays).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Needs {
    /// Partition logs kept at this node.
    pub parts: usize,
    pub committed: bool,
    pub dedup: bool,
    pub outbox: bool,
    /// An idempotency-key store (key, status, stored response).
    pub keys: bool,
    /// Lines of status under the box ("crashed", "epoch 2", …).
    pub status: usize,
}

/// [`Needs`] of every node of `tr`, in node order.
pub fn needs(tr: &TechniqueRun) -> Vec<Needs> {
    use std::collections::BTreeSet;
    let idx = |id: NodeId| tr.nodes.iter().position(|n| n.id == id);
    let mut out = vec![Needs::default(); tr.nodes.len()];
    let mut parts: BTreeSet<(usize, u8)> = BTreeSet::new();
    let (mut down, mut extra): (BTreeSet<usize>, BTreeSet<usize>) = Default::default();
    let mut any_outbox = false;
    for e in &tr.trace {
        let mut at = |id: NodeId, f: &mut dyn FnMut(&mut Needs)| {
            if let Some(i) = idx(id) {
                f(&mut out[i]);
            }
        };
        match e.ev {
            Ev::LogAppend {
                node, partition, ..
            } => {
                if let Some(i) = idx(node) {
                    parts.insert((i, partition));
                }
            }
            Ev::DedupPut { node, .. } | Ev::DedupRow { node, .. } => {
                at(node, &mut |n| n.dedup = true)
            }
            Ev::KeyRecord { node, .. } => at(node, &mut |n| n.keys = true),
            Ev::AtomicCommit {
                node, ref parts, ..
            } if parts
                .iter()
                .any(|p| matches!(p, crate::sim::event::CommitPart::Offset { .. })) =>
            {
                at(node, &mut |n| n.committed = true)
            }
            Ev::Outbox { .. } => any_outbox = true,
            Ev::Commit { node, what, .. } if what != CommitWhat::DbTxn => {
                at(node, &mut |n| n.committed = true)
            }
            Ev::Crash { node } | Ev::Pause { node, .. } => {
                if let Some(i) = idx(node) {
                    down.insert(i);
                }
            }
            Ev::Fence { node, .. } | Ev::Rejected { node, .. } => {
                if let Some(i) = idx(node) {
                    extra.insert(i);
                }
            }
            _ => {}
        }
    }
    for (i, n) in tr.nodes.iter().enumerate() {
        out[i].parts = parts.iter().filter(|(j, _)| *j == i).count();
        out[i].outbox = any_outbox && n.kind == NodeKind::Database;
        out[i].status = usize::from(down.contains(&i))
            + usize::from(extra.contains(&i) || n.kind == NodeKind::General);
    }
    out
}

/// The status lines under a node's box: its state ("crashed", "paused until t40") and
/// what it knows ("epoch 2 · fenced ×1", "knows depth 3 · → attack"). Empty when none.
pub fn status_lines(n: &NodeInfo, nv: &NodeView) -> (String, String) {
    let status = match nv.status {
        NodeStatus::Up => String::new(),
        NodeStatus::Down => "crashed".to_string(),
        NodeStatus::Paused { until } => format!("paused until t{until}"),
    };
    let mut extra: Vec<String> = Vec::new();
    if let Some(e) = nv.epoch {
        extra.push(format!("epoch {e}"));
    }
    if nv.fenced > 0 {
        extra.push(format!("fenced ×{}", nv.fenced));
    }
    if n.kind == NodeKind::General {
        extra.push(format!("knows depth {}", nv.knowledge));
        if let Some(d) = nv.decision {
            extra.push(if d {
                "→ attack".into()
            } else {
                "→ hold".into()
            });
        }
    }
    (status, extra.join(" · "))
}

/// Font sizes of the stage's text (units).
pub const STATUS_FONT: f64 = 13.0;
pub const EXTRA_FONT: f64 = 12.5;
pub const ROW_FONT: f64 = 12.5;
pub const TITLE_FONT: f64 = 12.0;
pub const BADGE_FONT: f64 = 12.5;
/// Status lines are this far apart; the first sits this far below the box.
pub const STATUS_STEP: f64 = 17.0;
/// Width of one cell of a partition log.
pub const CELL_W: f64 = 40.0;
/// Rows of a dedup table and of the outbox shown at once.
pub const DEDUP_ROWS: usize = 4;
pub const OUTBOX_ROWS: usize = 5;
/// Height of a token's pill.
pub const TOKEN_H: f64 = 24.0;
pub const BADGE_H: f64 = 21.0;

/// Where everything of one technique's stage goes at one frame width: fixed for the run.
#[derive(Clone, Debug, PartialEq)]
pub struct StageLayout {
    /// The viewBox (`0 0 w h`).
    pub w: f64,
    pub h: f64,
    pub portrait: bool,
    /// Half-size of a node's box.
    pub hw: f64,
    pub centres: Vec<Pt>,
    /// Centre x and width of each node's table area.
    pub panel_x: Vec<f64>,
    pub panel_w: Vec<f64>,
    /// One line per kind of state instead of full tables (crowded rows, narrow columns).
    pub compact: bool,
    /// Lowest y of each node's block (box, status lines, tables).
    pub block_bottom: Vec<f64>,
    pub needs: Vec<Needs>,
    /// Each node's name, fitted to its box: lines and font size.
    pub names: Vec<(Vec<String>, f64)>,
    /// Token font size.
    pub token_font: f64,
}

/// Height of a node's tables in full form for `n`, or in compact form.
fn panel_reserve(n: &Needs, compact: bool) -> f64 {
    let lines = n.parts
        + usize::from(n.committed)
        + usize::from(n.dedup)
        + usize::from(n.outbox)
        + usize::from(n.keys);
    if lines == 0 {
        return 0.0;
    }
    if compact {
        return 16.0 * lines as f64;
    }
    52.0 * n.parts as f64
        + if n.committed { 18.0 } else { 0.0 }
        + if n.dedup {
            30.0 + 17.0 * DEDUP_ROWS as f64
        } else {
            0.0
        }
        + if n.outbox {
            30.0 + 17.0 * OUTBOX_ROWS as f64
        } else {
            0.0
        }
        + if n.keys {
            30.0 + 17.0 * DEDUP_ROWS as f64
        } else {
            0.0
        }
}

/// y (below the centre) where a node's tables start.
fn panel_top(n: &Needs) -> f64 {
    NODE_HH + 24.0 + STATUS_STEP * n.status as f64
}

impl StageLayout {
    /// Lay out `nodes` (with what they show below, `needs`) for a frame `frame_px` CSS
    /// pixels wide. Frames narrower than [`PORTRAIT_BELOW`] get the portrait layout, and
    /// so do rows too crowded for readable boxes at this width.
    pub fn new(nodes: &[NodeInfo], needs: &[Needs], frame_px: f64) -> StageLayout {
        let frame = if frame_px.is_finite() { frame_px } else { WIDE };
        let mut needs = needs.to_vec();
        needs.resize(nodes.len(), Needs::default());
        // A zig-zag row whose boxes would be squeezed to their narrowest reads better
        // stacked, too.
        let hints: Vec<(u8, u8)> = nodes.iter().map(|n| (n.x, n.y)).collect();
        let probe = StageBox::fit_w(&hints, 0.0, frame.min(WIDE));
        let squeezed = probe.stagger > 0.0 && probe.node_hw < 50.0;
        if frame < PORTRAIT_BELOW || squeezed {
            StageLayout::portrait(nodes, needs, frame.clamp(NARROWEST, WIDE))
        } else {
            StageLayout::landscape(nodes, needs, frame.min(WIDE))
        }
    }

    fn landscape(nodes: &[NodeInfo], needs: Vec<Needs>, w: f64) -> StageLayout {
        let hints: Vec<(u8, u8)> = nodes.iter().map(|n| (n.x, n.y)).collect();
        let probe = StageBox::fit_w(&hints, 0.0, w);
        let compact = probe.stagger > 0.0;
        let below = needs
            .iter()
            .map(|n| panel_top(n) + panel_reserve(n, compact))
            .fold(NODE_HH + 20.0, f64::max)
            + 16.0;
        // A node whose tables reach down to a node below it (about the same x) pushes
        // the rows apart.
        let span = probe.right - probe.left;
        let mut per_hint: f64 = 2.6;
        for (a, na) in nodes.iter().zip(&needs) {
            for b in nodes {
                let dy = f64::from(b.y.min(100)) - f64::from(a.y.min(100));
                let dx = (f64::from(a.x.min(100)) - f64::from(b.x.min(100))).abs() / 100.0 * span;
                if dy > 3.0 && dx < 3.5 * CELL_W + probe.node_hw + 12.0 {
                    let reach = panel_top(na) + panel_reserve(na, compact) + NODE_HH + 24.0;
                    per_hint = per_hint.max(reach / dy);
                }
            }
        }
        let b = StageBox::fit_rows(&hints, below, w, per_hint);
        let centres = b.place(&hints);
        // A table is never wider than the room to the nearest node beside it (on a
        // zig-zag row, than the room to the box of the neighbour below or above).
        let panel_w: Vec<f64> = centres
            .iter()
            .map(|c| {
                let room = centres
                    .iter()
                    .filter(|o| (o.x - c.x).abs() > 1.0)
                    .filter_map(|o| {
                        let dx = (o.x - c.x).abs();
                        if (o.y - c.y).abs() < 1.0 {
                            Some(dx - 12.0)
                        } else if (o.y - c.y).abs() <= b.stagger + 1.0 && o.y > c.y {
                            Some(2.0 * (dx - b.node_hw - 14.0))
                        } else {
                            None
                        }
                    })
                    .fold(b.w - 8.0, f64::min);
                let edge = 2.0 * c.x.min(b.w - c.x) - 8.0;
                room.min(edge).min(7.0 * CELL_W).max(2.0 * b.node_hw)
            })
            .collect();
        let block_bottom = centres
            .iter()
            .zip(&needs)
            .map(|(c, n)| c.y + panel_top(n) + panel_reserve(n, compact))
            .collect();
        let names = nodes
            .iter()
            .map(|n| fit_name(&n.name, name_room(n.kind, b.node_hw)))
            .collect();
        StageLayout {
            w: b.w,
            h: b.h,
            portrait: false,
            hw: b.node_hw,
            panel_x: centres.iter().map(|c| c.x).collect(),
            panel_w,
            compact,
            block_bottom,
            needs,
            names,
            centres,
            token_font: 14.0,
        }
    }

    fn portrait(nodes: &[NodeInfo], needs: Vec<Needs>, w: f64) -> StageLayout {
        const TOP: f64 = 64.0;
        const GAP: f64 = 118.0;
        const MARGIN: f64 = 6.0;
        // Rows from the landscape x hints (left to right becomes top to bottom); nodes
        // of one row side by side in the order of their y hints.
        let mut order: Vec<usize> = (0..nodes.len()).collect();
        order.sort_by_key(|&i| (nodes[i].x, nodes[i].y, i));
        let mut rows: Vec<Vec<usize>> = Vec::new();
        for i in order {
            match rows.last_mut() {
                Some(r) if nodes[i].x.abs_diff(nodes[r[0]].x) <= 4 => r.push(i),
                _ => rows.push(vec![i]),
            }
        }
        for r in &mut rows {
            r.sort_by_key(|&i| (nodes[i].y, i));
        }
        let widest_row = rows.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let col_w = (w - 2.0 * MARGIN) / widest_row as f64;
        let hw = (col_w / 2.0 - 6.0).min(NODE_HW).min(w * 0.3);
        let compact = col_w < 200.0;
        let (lo, hi) = nodes
            .iter()
            .fold((u8::MAX, 0u8), |(lo, hi), n| (lo.min(n.y), hi.max(n.y)));
        let n = nodes.len();
        let mut centres = vec![Pt::new(w / 2.0, 0.0); n];
        let mut panel_x = vec![w / 2.0; n];
        let mut panel_w = vec![w - 2.0 * MARGIN; n];
        let mut block_bottom = vec![0.0; n];
        let mut y = TOP;
        for r in &rows {
            let k = r.len();
            let cy = y + NODE_HH;
            let mut bottom = cy + NODE_HH;
            for (j, &i) in r.iter().enumerate() {
                let (x, pw, px) = if k == 1 {
                    // Alone on its row: across by its y hint, its tables the full width.
                    let f = if hi > lo {
                        f64::from(nodes[i].y.saturating_sub(lo)) / f64::from(hi - lo)
                    } else {
                        0.5
                    };
                    let (l, rr) = (MARGIN + hw + 4.0, w - MARGIN - hw - 4.0);
                    (l + (rr - l) * f, w - 2.0 * MARGIN, w / 2.0)
                } else {
                    let cw = (w - 2.0 * MARGIN) / k as f64;
                    let cx = MARGIN + cw * (j as f64 + 0.5);
                    (cx, cw - 8.0, cx)
                };
                centres[i] = Pt::new(x, cy);
                panel_x[i] = px;
                panel_w[i] = pw;
                let nd = &needs[i];
                let c = k > 1 && compact;
                block_bottom[i] = cy + panel_top(nd) + panel_reserve(nd, c) - 12.0;
                bottom = bottom.max(block_bottom[i]);
            }
            y = bottom + GAP;
        }
        let h = (y - GAP + 48.0).round();
        let names = nodes
            .iter()
            .map(|n| fit_name(&n.name, name_room(n.kind, hw)))
            .collect();
        // Rows of one node keep full tables; only shared rows go compact.
        let compact = compact && widest_row > 1;
        StageLayout {
            w,
            h,
            portrait: true,
            hw,
            centres,
            panel_x,
            panel_w,
            compact,
            block_bottom,
            needs,
            names,
            token_font: 13.0,
        }
    }

    /// `"0 0 w h"`.
    pub fn view_box(&self) -> String {
        format!("0 0 {} {}", r1(self.w), r1(self.h))
    }

    /// A point as percentages of the frame (for HTML overlays over the SVG).
    pub fn percent(&self, p: Pt) -> (f64, f64) {
        (p.x / self.w * 100.0, p.y / self.h * 100.0)
    }

    /// The lane a transmission `from → to` travels along (node indices), shifted to
    /// its side of the link. In portrait, lanes leave below a node's tables and arrive
    /// above the next node's box.
    pub fn lane(&self, from: usize, to: usize, shift: f64) -> (Pt, Pt) {
        let (Some(&a), Some(&b)) = (self.centres.get(from), self.centres.get(to)) else {
            let c = Pt::new(self.w / 2.0, self.h / 2.0);
            return (c, c);
        };
        if !self.portrait || (a.y - b.y).abs() < 1.0 {
            return lane_segment(a, b, shift, self.hw);
        }
        let exit = |i: usize, p: Pt, down: bool| {
            if down {
                Pt::new(p.x, self.block_bottom[i].max(p.y + NODE_HH) + 4.0)
            } else {
                Pt::new(p.x, p.y - NODE_HH - 4.0)
            }
        };
        let down = b.y > a.y;
        let (s, e) = (exit(from, a, down), exit(to, b, !down));
        // The same canonical normal as `lane_segment`: both directions agree on sides.
        let d = s.dist(e).max(1e-9);
        let (nx, ny) = if (a.x, a.y) <= (b.x, b.y) {
            (-(e.y - s.y) / d, (e.x - s.x) / d)
        } else {
            ((e.y - s.y) / d, -(e.x - s.x) / d)
        };
        (
            Pt::new(s.x + nx * shift, s.y + ny * shift),
            Pt::new(e.x + nx * shift, e.y + ny * shift),
        )
    }

    /// Where a node's link line starts (its centre, or in portrait the bottom/top of its
    /// block towards `other`).
    pub fn link_end(&self, i: usize, other: usize) -> Pt {
        let (a, _) = self.lane(i, other, 0.0);
        a
    }

    /// The box of node `i`, with room for its pause mark.
    pub fn node_rect(&self, i: usize) -> Rect {
        let c = self.centres.get(i).copied().unwrap_or(Pt::new(0.0, 0.0));
        Rect::new(
            c.x - self.hw,
            c.y - NODE_HH - 9.0,
            c.x + self.hw + 9.0,
            c.y + NODE_HH,
        )
    }
}

/// Width inside a box of half-width `hw` that a name may use (brokers and generals have
/// an icon on the left; both sides keep the margin so the name stays centred).
pub fn name_room(kind: NodeKind, hw: f64) -> f64 {
    match kind {
        NodeKind::Broker | NodeKind::General => 2.0 * hw - 2.0 * 28.0,
        NodeKind::Producer | NodeKind::Client | NodeKind::Sensor => 2.0 * hw - 2.0 * 14.0,
        _ => 2.0 * hw - 14.0,
    }
}

/// One part of a node's tables, `y` below the top of the table area.
#[derive(Clone, Debug, PartialEq)]
pub enum PanelPart {
    /// A partition log: the last `recs`, `skip` earlier ones not drawn.
    Log {
        title: String,
        recs: Vec<LogRec>,
        committed: Option<u32>,
    },
    /// One centred line.
    Line { text: String, class: &'static str },
    /// A boxed table with a title and rows (`true`: expires soon).
    Table {
        class: &'static str,
        title: String,
        rows: Vec<(String, bool)>,
    },
}

/// A node's tables at one point of the run.
#[derive(Clone, Debug, PartialEq)]
pub struct Panel {
    /// Top centre of the table area.
    pub at: Pt,
    pub w: f64,
    /// Parts and their baseline y (relative to `at`).
    pub parts: Vec<(f64, PanelPart)>,
    pub rect: Rect,
}

/// The tables of node `i` in `view` (None: it keeps nothing).
pub fn panel(lay: &StageLayout, i: usize, n: &NodeInfo, view: &View) -> Option<Panel> {
    let nd = lay.needs.get(i).copied().unwrap_or_default();
    let c = *lay.centres.get(i)?;
    let at = Pt::new(lay.panel_x[i], c.y + panel_top(&nd));
    let w = lay.panel_w[i];
    let compact = lay.compact && (lay.panel_w[i] < 200.0 || !lay.portrait);
    let mut parts: Vec<(f64, PanelPart)> = Vec::new();
    let mut y = 0.0;
    let line = |parts: &mut Vec<(f64, PanelPart)>, y: &mut f64, text: String, class| {
        let text = cut(&text, w, ROW_FONT);
        parts.push((*y, PanelPart::Line { text, class }));
        *y += 16.0;
    };
    let soon = |e: &Option<Tick>| e.is_some_and(|t| t <= view.tick + 3);
    let dedup: Vec<(u32, Option<Tick>)> = view
        .dedup
        .iter()
        .filter(|((node, _), _)| *node == n.id)
        .map(|((_, k), e)| (*k, *e))
        .collect();
    let outbox = n.kind == NodeKind::Database && !view.outbox.is_empty();
    // Idempotency keys kept at this node: (key, stored response for).
    let keys: Vec<(u32, Option<u32>)> = view
        .keys
        .iter()
        .filter(|((node, _), _)| *node == n.id)
        .map(|((_, k), (m, state, _))| {
            (
                *k,
                (*state != crate::sim::event::KeyState::InFlight).then_some(*m),
            )
        })
        .collect();
    if compact {
        for ((broker, part), recs) in view.logs.iter() {
            if *broker != n.id {
                continue;
            }
            let mark = |r: &LogRec| match r.state {
                RecState::Plain | RecState::Committed => "",
                RecState::Open => "…",
                RecState::Aborted => "✕",
            };
            let text = fit_tail(
                &format!("p{part}:"),
                recs.iter().map(|r| format!("t{}{}", r.msg, mark(r))),
                w,
            );
            line(&mut parts, &mut y, text, "p-row");
        }
        if let Some(off) = view.committed.get(&n.id) {
            line(&mut parts, &mut y, format!("committed: {off}"), "p-line");
        }
        if !dedup.is_empty() {
            let text = fit_tail(
                "seen:",
                dedup.iter().map(|(k, e)| {
                    if soon(e) {
                        format!("{k}⌛")
                    } else {
                        k.to_string()
                    }
                }),
                w,
            );
            line(&mut parts, &mut y, text, "p-row");
        }
        if outbox {
            let sent = view.outbox.values().filter(|p| **p).count();
            let text = format!("outbox: {} waiting, {sent} sent", view.outbox.len() - sent);
            line(&mut parts, &mut y, text, "p-row");
        }
        if !keys.is_empty() {
            let busy = keys.iter().filter(|(_, m)| m.is_none()).count();
            let text = format!("keys: {} stored, {busy} in flight", keys.len() - busy);
            line(&mut parts, &mut y, text, "p-row");
        }
    } else {
        let cells = ((w / CELL_W).floor() as usize).clamp(3, 7);
        for ((broker, part), recs) in view.logs.iter() {
            if *broker != n.id {
                continue;
            }
            let skip = recs.len().saturating_sub(cells);
            let room = cells as f64 * CELL_W;
            let title = [
                format!("partition {part} (+{skip} earlier)"),
                format!("partition {part} (+{skip})"),
                format!("p{part} (+{skip})"),
            ]
            .into_iter()
            .find(|t| skip == 0 || text_w(t, TITLE_FONT) <= room)
            .unwrap_or_default();
            let title = if skip == 0 {
                format!("partition {part}")
            } else {
                title
            };
            parts.push((
                y,
                PanelPart::Log {
                    title,
                    recs: recs[skip..].to_vec(),
                    committed: view.committed.get(&n.id).copied(),
                },
            ));
            y += 52.0;
        }
        if let Some(off) = view.committed.get(&n.id) {
            let what = if n.kind == NodeKind::Relay {
                "relay progress"
            } else {
                "committed offset"
            };
            line(&mut parts, &mut y, format!("{what}: {off}"), "p-line");
            y += 2.0;
        }
        let table = |parts: &mut Vec<(f64, PanelPart)>,
                     y: &mut f64,
                     class: &'static str,
                     title: String,
                     rows: Vec<(String, bool)>,
                     max: usize| {
            let skip = rows.len().saturating_sub(max);
            let rows: Vec<(String, bool)> = rows.into_iter().skip(skip).collect();
            let n = rows.len();
            parts.push((*y, PanelPart::Table { class, title, rows }));
            *y += 30.0 + 17.0 * n as f64;
        };
        if !dedup.is_empty() {
            let total = dedup.len();
            let rows = dedup
                .iter()
                .map(|(k, e)| {
                    let t = match e {
                        Some(t) => format!("id {k} · exp t{t}"),
                        None => format!("id {k} · kept"),
                    };
                    (if soon(e) { format!("{t} ⌛") } else { t }, soon(e))
                })
                .collect();
            table(
                &mut parts,
                &mut y,
                "dedup",
                format!("dedup table · {total}"),
                rows,
                DEDUP_ROWS,
            );
        }
        if outbox {
            let rows = view
                .outbox
                .iter()
                .map(|(m, p)| {
                    (
                        format!(
                            "{} · {}",
                            txn_name(*m),
                            if *p { "✓ sent" } else { "waiting" }
                        ),
                        false,
                    )
                })
                .collect();
            table(
                &mut parts,
                &mut y,
                "outbox",
                format!("outbox · {}", view.outbox.len()),
                rows,
                OUTBOX_ROWS,
            );
        }
        if !keys.is_empty() {
            // Key, status and the stored response a retry gets back.
            let rows = keys
                .iter()
                .map(|(k, m)| {
                    let row = match m {
                        None => format!("key {k} · in flight"),
                        Some(m) => format!("key {k} · 200 ({})", txn_name(*m)),
                    };
                    (row, false)
                })
                .collect();
            table(
                &mut parts,
                &mut y,
                "dedup keys",
                format!("idempotency keys · {}", keys.len()),
                rows,
                DEDUP_ROWS,
            );
        }
    }
    if parts.is_empty() {
        return None;
    }
    let (mut top, mut bottom, mut widest) = (f64::INFINITY, f64::NEG_INFINITY, 0.0_f64);
    for (y, part) in &parts {
        let (t, b, pw) = match part {
            PanelPart::Log { title, recs, .. } => (
                y - 16.0,
                y + 42.0,
                (recs.len().max(1) as f64 * CELL_W).max(text_w(title, TITLE_FONT)),
            ),
            PanelPart::Line { text, .. } => (y - ROW_FONT, y + 4.0, text_w(text, ROW_FONT)),
            PanelPart::Table { title, rows, .. } => (
                y - 14.0,
                y + 8.0 + 17.0 * rows.len() as f64,
                table_w(title, rows, w),
            ),
        };
        top = top.min(t);
        bottom = bottom.max(b);
        widest = widest.max(pw);
    }
    let pw = widest.min(w);
    // In portrait the table area spans the node's column: the tables sit as close
    // under the node as the area allows.
    let slack = (w - pw) / 2.0;
    let at = if lay.portrait {
        Pt::new(c.x.clamp(at.x - slack, at.x + slack), at.y)
    } else {
        at
    };
    Some(Panel {
        at,
        w: pw,
        rect: Rect::new(at.x - pw / 2.0, at.y + top, at.x + pw / 2.0, at.y + bottom),
        parts,
    })
}

/// Width of a boxed table in a table area `w` wide: its widest line and margins, at
/// least 170 units (when there is room).
pub fn table_w(title: &str, rows: &[(String, bool)], w: f64) -> f64 {
    let inner = rows
        .iter()
        .map(|(t, _)| text_w(t, ROW_FONT))
        .fold(text_w(title, TITLE_FONT), f64::max);
    (inner + 16.0).max(w.min(170.0)).min(w)
}

/// `head` and as many of the last `items` as fit in `w` (with "…" for the rest).
fn fit_tail(head: &str, items: impl DoubleEndedIterator<Item = String>, w: f64) -> String {
    let all: Vec<String> = items.collect();
    let mut k = all.len();
    loop {
        let skip = all.len() - k;
        let text = format!(
            "{head} {}{}",
            if skip > 0 { "… " } else { "" },
            all[skip..].join(" ")
        );
        if k == 0 || text_w(&text, ROW_FONT) <= w {
            return text.trim_end().to_string();
        }
        k -= 1;
    }
}

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

/// The segment `a → b` shortened at both ends by as much as a `hx` × `hy` half-size
/// box centred on the end needs to clear it (never past the midpoint).
pub fn inset(a: Pt, b: Pt, hx: f64, hy: f64) -> (Pt, Pt) {
    let (dx, dy) = ((b.x - a.x).abs(), (b.y - a.y).abs());
    let len = a.dist(b);
    if len < 1e-9 {
        return (a, b);
    }
    let tx = if dx < 1e-9 { f64::INFINITY } else { hx / dx };
    let ty = if dy < 1e-9 { f64::INFINITY } else { hy / dy };
    let t = tx.min(ty).min(0.5);
    (a.lerp(b, t), a.lerp(b, 1.0 - t))
}

// ---------------------------------------------------------------- space-time view

/// The visible tick range of the space-time view.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct TimeWindow {
    pub start: f64,
    pub end: f64,
}

impl TimeWindow {
    pub fn span(&self) -> f64 {
        (self.end - self.start).max(1e-9)
    }
    pub fn contains(&self, t: f64) -> bool {
        t >= self.start && t <= self.end
    }
}

/// The whole run when it fits in `max_span` ticks; otherwise a window of `max_span`
/// ticks that keeps `now` at about 70% of the width (clamped to the run).
pub fn time_window(now: f64, run_end: u32, max_span: f64) -> TimeWindow {
    let end = f64::from(run_end).max(10.0);
    if end <= max_span {
        return TimeWindow { start: 0.0, end };
    }
    let start = (now - max_span * 0.7).clamp(0.0, end - max_span);
    TimeWindow {
        start,
        end: start + max_span,
    }
}

/// x of tick `t` in a window drawn between `x0` and `x1`.
pub fn time_x(t: f64, w: &TimeWindow, x0: f64, x1: f64) -> f64 {
    x0 + (t - w.start) / w.span() * (x1 - x0)
}

/// y of lane `i` of `n`, spread between `y0` and `y1`.
pub fn lane_y(i: usize, n: usize, y0: f64, y1: f64) -> f64 {
    if n <= 1 {
        return (y0 + y1) / 2.0;
    }
    y0 + (y1 - y0) * i as f64 / (n - 1) as f64
}

/// What the space-time view draws for one transmission at `now`.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct ArrowDraw {
    pub from: Pt,
    pub to: Pt,
    /// The arrow reached its end (delivered, or the ✕ of a loss was drawn).
    pub complete: bool,
}

/// The part of a transmission's arrow drawn at `now` (None before it was sent). A lost
/// transmission's arrow stops halfway (in time and space) and ends in a ✕.
#[allow(clippy::too_many_arguments)]
pub fn arrow_at(
    sent: u32,
    arrive: u32,
    lost: bool,
    y_from: f64,
    y_to: f64,
    now: f64,
    w: &TimeWindow,
    x0: f64,
    x1: f64,
) -> Option<ArrowDraw> {
    if now < f64::from(sent) {
        return None;
    }
    let a = Pt::new(time_x(f64::from(sent), w, x0, x1), y_from);
    let b = Pt::new(time_x(f64::from(arrive), w, x0, x1), y_to);
    let limit = if lost { 0.5 } else { 1.0 };
    let p = progress(now, sent, arrive).min(limit);
    Some(ArrowDraw {
        from: a,
        to: a.lerp(b, p),
        complete: p >= limit,
    })
}

/// The space-time view's geometry at one frame width.
#[derive(Clone, Debug, PartialEq)]
pub struct StLayout {
    /// viewBox width (the frame's CSS px up to [`ST_WIDE`]).
    pub w: f64,
    /// Time runs from `x0` to `x1`; lane names end at `x0 - 10`.
    pub x0: f64,
    pub x1: f64,
    /// Each lane's name: lines and font size, and whether it had to be cut (the full
    /// name is then in a `<title>`).
    pub names: Vec<(Vec<String>, f64, bool)>,
    /// Widest window shown at once, in ticks (at least 8 units per tick).
    pub max_span: f64,
}

/// The space-time view's widest viewBox.
pub const ST_WIDE: f64 = 780.0;

/// Lay the space-time view out for a frame `frame_px` wide with these lane names: a name
/// column of about a third (100–150 units) where each name is written whole on one to three
/// lines, or cut with "…" at [`MIN_FONT`] if a single word is wider than the column.
pub fn st_layout(frame_px: f64, lanes: &[String]) -> StLayout {
    let w = if frame_px.is_finite() {
        frame_px
    } else {
        ST_WIDE
    }
    .clamp(NARROWEST, ST_WIDE);
    let col = (w * 0.36).clamp(100.0, 150.0);
    // Lane names are large and bold: a tenth more room than the estimate says.
    let room = (col - 14.0) / 1.1;
    let names = lanes
        .iter()
        .map(|n| {
            for (size, max) in [
                (15.0, 1),
                (13.5, 1),
                (13.5, 2),
                (12.0, 2),
                (MIN_FONT, 2),
                (MIN_FONT, 3),
            ] {
                if let Some(lines) = wrap(n, room, size, max) {
                    return (lines, size, false);
                }
            }
            // A word wider than the column is cut on its own line ("worker-2" over
            // "(replace…"), so what tells two lanes apart stays visible.
            let words: Vec<String> = n.split(' ').map(|w| cut(w, room, MIN_FONT)).collect();
            let lines = wrap(&words.join(" "), room, MIN_FONT, 9).unwrap_or_else(|| words.clone());
            let mut two: Vec<String> = lines.iter().take(3).cloned().collect();
            if lines.len() > 3 {
                if let Some(last) = two.last_mut() {
                    *last = cut(&format!("{last}……"), room, MIN_FONT);
                }
            }
            (two, MIN_FONT, true)
        })
        .collect();
    let x0 = col + 4.0;
    let x1 = w - 20.0;
    StLayout {
        w,
        x0,
        x1,
        names,
        max_span: ((x1 - x0) / 8.0).clamp(16.0, 80.0).floor(),
    }
}

/// Round to one decimal for SVG attributes (keeps the DOM diff small and stable).
pub fn r1(v: f64) -> String {
    let v = (v * 10.0).round() / 10.0;
    if v == v.trunc() {
        format!("{}", v as i64)
    } else {
        format!("{v:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6
    }

    #[test]
    fn fit_keeps_only_the_vertical_spread() {
        let one_row = StageBox::fit(&[(10, 50), (90, 50)], 170.0);
        assert_eq!(one_row.node_point(0, 50).y, 100.0);
        assert_eq!(one_row.h, 100.0 + 170.0);
        let two_rows = StageBox::fit(&[(10, 20), (90, 80)], 100.0);
        assert!(close(two_rows.node_point(0, 20).y, 100.0));
        assert!(close(two_rows.node_point(0, 80).y, 100.0 + 60.0 * 2.6));
        assert!(close(two_rows.h, (100.0 + 156.0 + 100.0_f64).round()));
        let none = StageBox::fit(&[], 0.0);
        assert!(none.h > 100.0);
        assert_eq!(none.node_point(0, 0).x, 95.0);
        assert_eq!(none.node_point(100, 0).x, 765.0);
    }

    #[test]
    fn nodes_map_into_the_box() {
        let b = StageBox::fit(&[(0, 0), (100, 100)], 100.0);
        assert_eq!(b.node_point(0, 0), Pt::new(b.left, b.top));
        assert_eq!(b.node_point(100, 100), Pt::new(b.right, b.bottom));
        let p = b.node_point(255, 50);
        assert_eq!(p.x, b.right, "hints above 100 are clamped");
        let (px, py) = b.percent(Pt::new(b.w / 2.0, b.h / 2.0));
        assert!(close(px, 50.0) && close(py, 50.0));
        assert_eq!(b.view_box(), format!("0 0 {} {}", b.w, b.h));
    }

    #[test]
    fn crowded_rows_get_narrower_boxes() {
        let wide = StageBox::fit(&[(10, 50), (90, 50)], 100.0);
        assert_eq!(wide.node_hw, NODE_HW);
        let row = [(5, 50), (27, 50), (50, 50), (72, 50), (95, 50)];
        let crowded = StageBox::fit(&row, 100.0);
        assert!(crowded.stagger > 0.0);
        let gap = 0.22 * (crowded.right - crowded.left);
        assert!(2.0 * crowded.node_hw <= gap, "boxes do not touch");
        let pts = crowded.place(&row);
        assert_eq!(pts[0].y, pts[2].y);
        assert_eq!(pts[1].y, pts[0].y + crowded.stagger);
        assert_eq!(pts[3].y, pts[1].y);
        assert!(pts[1].dist(pts[0]) > 160.0, "links long enough to watch");
        assert!(crowded.h >= wide.h + crowded.stagger);
        // Nodes on different rows do not constrain each other.
        let stacked = StageBox::fit(&[(50, 0), (52, 100)], 100.0);
        assert_eq!(stacked.node_hw, NODE_HW);
    }

    #[test]
    fn names_fit_their_boxes() {
        let (lines, size) = fit_name("broker", 120.0);
        assert_eq!((lines.len(), size), (1, 17.0));
        let (lines, size) = fit_name("commentary source", 110.0);
        assert_eq!(lines, vec!["commentary", "source"]);
        assert!(size * 0.6 * 10.0 <= 110.0 + 1e-9);
        let (lines, _) = fit_name("stage-1 (ingest)", 100.0);
        assert_eq!(lines, vec!["stage-1", "(ingest)"]);
        let (lines, size) = fit_name("averyveryverylongname", 80.0);
        assert_eq!(lines.len(), 1);
        assert!(size >= 10.0);
    }

    #[test]
    fn ease_is_monotone_from_0_to_1() {
        assert_eq!(ease(0.0), 0.0);
        assert_eq!(ease(1.0), 1.0);
        assert!(close(ease(0.5), 0.5));
        let mut last = -1.0;
        for i in 0..=100 {
            let v = ease(i as f64 / 100.0);
            assert!(v >= last);
            last = v;
        }
        assert_eq!(ease(-3.0), 0.0);
        assert_eq!(ease(7.0), 1.0);
    }

    #[test]
    fn progress_is_clamped_and_safe_on_zero_spans() {
        assert_eq!(progress(3.0, 3, 7), 0.0);
        assert!(close(progress(5.0, 3, 7), 0.5));
        assert_eq!(progress(9.0, 3, 7), 1.0);
        assert_eq!(progress(1.0, 3, 7), 0.0);
        assert_eq!(progress(3.0, 3, 3), 0.0);
        assert_eq!(progress(3.5, 3, 3), 1.0);
    }

    #[test]
    fn tokens_travel_from_sender_to_receiver() {
        let a = Pt::new(100.0, 100.0);
        let b = Pt::new(500.0, 100.0);
        let start = token_place(a, b, 2, 6, 2.0, false);
        assert!(
            start.at.x > a.x && start.at.x < a.x + 30.0,
            "shown just off the sender"
        );
        let end = token_place(a, b, 2, 6, 6.0, false);
        assert_eq!(end.at, b);
        let mid = token_place(a, b, 2, 6, 4.0, false);
        assert!(close(mid.at.x, 300.0));
        assert!(!mid.falling && mid.opacity == 1.0);
        let mut last = a.x;
        for i in 0..=40 {
            let t = token_place(a, b, 2, 6, 2.0 + i as f64 / 10.0, false);
            assert!(t.at.x >= last);
            last = t.at.x;
        }
    }

    #[test]
    fn lost_tokens_fall_away_past_the_midpoint() {
        let a = Pt::new(100.0, 100.0);
        let b = Pt::new(500.0, 100.0);
        let before = token_place(a, b, 0, 10, 4.0, true);
        assert!(!before.falling);
        assert_eq!(before.at.y, 100.0);
        let after = token_place(a, b, 0, 10, 8.0, true);
        assert!(after.falling);
        assert!(after.at.y > 100.0 + 20.0, "it drops below the lane");
        assert!(after.at.x < 400.0, "it never reaches the receiver");
        assert!(after.opacity < 1.0);
        let end = token_place(a, b, 0, 10, 10.0, true);
        assert!(end.at.y >= after.at.y);
        assert!(end.at.y <= 100.0 + FALL + 6.0 + 1e-9);
    }

    #[test]
    fn directions_and_copies_use_separate_lanes() {
        assert!(lane_shift(0, 1, false) < 0.0);
        assert!(lane_shift(1, 0, false) > 0.0);
        assert!(lane_shift(0, 1, true).abs() > lane_shift(0, 1, false).abs());
        let a = Pt::new(100.0, 200.0);
        let b = Pt::new(600.0, 200.0);
        let (fa, fb) = lane_segment(a, b, lane_shift(0, 1, false), NODE_HW);
        let (ra, rb) = lane_segment(b, a, lane_shift(1, 0, false), NODE_HW);
        // Forward and reverse lanes are on opposite sides of the centre line.
        assert!((fa.y - 200.0) * (ra.y - 200.0) < 0.0);
        assert!(close(fa.y, fb.y) && close(ra.y, rb.y));
        // Lanes start at the box edge, not the centre.
        assert!(close(fa.x, 100.0 + NODE_HW));
        assert!(close(fb.x, 600.0 - NODE_HW));
    }

    #[test]
    fn box_exit_hits_the_edge() {
        let c = Pt::new(0.0, 0.0);
        assert_eq!(
            box_exit(c, Pt::new(100.0, 0.0), 10.0, 5.0),
            Pt::new(10.0, 0.0)
        );
        assert_eq!(
            box_exit(c, Pt::new(0.0, -100.0), 10.0, 5.0),
            Pt::new(0.0, -5.0)
        );
        assert_eq!(box_exit(c, c, 10.0, 5.0), c);
        // Target inside the box: stays at the target.
        assert_eq!(box_exit(c, Pt::new(2.0, 1.0), 10.0, 5.0), Pt::new(2.0, 1.0));
    }

    #[test]
    fn time_window_follows_the_playhead_on_long_runs() {
        let w = time_window(5.0, 40, 120.0);
        assert_eq!((w.start, w.end), (0.0, 40.0));
        let w = time_window(3.0, 4, 120.0);
        assert_eq!(w.end, 10.0, "a minimum width");
        let w = time_window(500.0, 2000, 100.0);
        assert!(w.contains(500.0));
        assert!(close(w.span(), 100.0));
        assert!(close(time_x(500.0, &w, 0.0, 100.0), 70.0));
        let w = time_window(10.0, 2000, 100.0);
        assert_eq!(w.start, 0.0);
        let w = time_window(1990.0, 2000, 100.0);
        assert_eq!(w.end, 2000.0);
    }

    #[test]
    fn lanes_spread_evenly() {
        assert_eq!(lane_y(0, 1, 10.0, 30.0), 20.0);
        assert_eq!(lane_y(0, 3, 10.0, 30.0), 10.0);
        assert_eq!(lane_y(1, 3, 10.0, 30.0), 20.0);
        assert_eq!(lane_y(2, 3, 10.0, 30.0), 30.0);
    }

    #[test]
    fn arrows_grow_with_time_and_lost_ones_stop_halfway() {
        let w = TimeWindow {
            start: 0.0,
            end: 10.0,
        };
        assert!(arrow_at(4, 8, false, 0.0, 100.0, 3.0, &w, 0.0, 100.0).is_none());
        let a = arrow_at(4, 8, false, 0.0, 100.0, 6.0, &w, 0.0, 100.0).unwrap();
        assert!(!a.complete);
        assert!(close(a.to.x, 60.0) && close(a.to.y, 50.0));
        let a = arrow_at(4, 8, false, 0.0, 100.0, 9.0, &w, 0.0, 100.0).unwrap();
        assert!(a.complete && close(a.to.x, 80.0) && close(a.to.y, 100.0));
        let l = arrow_at(4, 8, true, 0.0, 100.0, 9.0, &w, 0.0, 100.0).unwrap();
        assert!(l.complete && close(l.to.x, 60.0) && close(l.to.y, 50.0));
    }

    #[test]
    fn r1_rounds_compactly() {
        assert_eq!(r1(3.0), "3");
        assert_eq!(r1(3.04), "3");
        assert_eq!(r1(3.06), "3.1");
        assert_eq!(r1(-2.5), "-2.5");
    }

    #[test]
    fn text_width_counts_symbols_as_a_full_em() {
        assert!(close(text_w("abcd", 10.0), 4.0 * EM * 10.0));
        assert!(close(text_w("✕ a", 10.0), 10.0 + 2.0 * EM * 10.0));
        assert_eq!(text_w("", 12.0), 0.0);
    }

    #[test]
    fn wrap_and_cut_keep_within_the_width() {
        let lines = wrap("broker (payments partition)", 100.0, 12.0, 3).unwrap();
        assert_eq!(lines, vec!["broker", "(payments", "partition)"]);
        assert!(lines.iter().all(|l| text_w(l, 12.0) <= 100.0));
        assert!(wrap("broker (payments partition)", 100.0, 12.0, 2).is_none());
        assert!(wrap("unbreakablewordthatiswide", 60.0, 12.0, 3).is_none());
        let c = cut("unbreakablewordthatiswide", 60.0, 11.0);
        assert!(c.ends_with('…') && text_w(&c, 11.0) <= 60.0 + 11.0);
        assert_eq!(cut("short", 60.0, 11.0), "short");
        let (lines, size) = fit_name("broker (payments partition)", 70.0);
        assert!(size >= MIN_FONT);
        assert!(lines.len() <= 3);
        assert!(lines.iter().all(|l| text_w(l, size) <= 70.0));
    }

    #[test]
    fn the_placer_never_overlaps_and_stays_inside() {
        let mut p = Placer::new(100.0, 100.0);
        p.add(Rect::new(40.0, 40.0, 60.0, 60.0));
        let offs = near_offsets(20.0, 20.0);
        assert_eq!(offs.len(), 35);
        assert_eq!(offs[0], (0.0, 0.0));
        let r = p.place(Rect::around(Pt::new(50.0, 50.0), 20.0, 20.0), &offs, false);
        let r = r.expect("a free neighbour");
        assert!(!r.hits(&Rect::new(40.0, 40.0, 60.0, 60.0)));
        assert!(r.within(100.0, 100.0));
        // Off the frame: moved inside, or refused.
        let r = p.place(
            Rect::around(Pt::new(-30.0, 50.0), 20.0, 20.0),
            &[(0.0, 0.0)],
            true,
        );
        assert!(r.is_some_and(|r| r.within(100.0, 100.0)));
        // A full frame refuses.
        let mut full = Placer::new(30.0, 30.0);
        full.add(Rect::new(0.0, 0.0, 30.0, 30.0));
        assert!(full
            .place(Rect::new(0.0, 0.0, 10.0, 10.0), &offs, true)
            .is_none());
    }

    #[test]
    fn narrow_frames_turn_portrait() {
        let nodes = [
            NodeInfo::new(0, "general A", NodeKind::General, 15, 50),
            NodeInfo::new(1, "general B", NodeKind::General, 85, 50),
        ];
        let nd = [Needs::default(); 2];
        let wide = StageLayout::new(&nodes, &nd, 1280.0);
        assert!(!wide.portrait);
        assert_eq!(wide.w, WIDE);
        assert!(wide.centres[1].x > wide.centres[0].x + 300.0);
        let narrow = StageLayout::new(&nodes, &nd, 320.0);
        assert!(narrow.portrait);
        assert_eq!(narrow.w, 320.0);
        assert!(narrow.centres[1].y > narrow.centres[0].y + 2.0 * NODE_HH + 60.0);
        for c in &narrow.centres {
            assert!(c.x - narrow.hw >= 0.0 && c.x + narrow.hw <= narrow.w);
        }
        // Messages travel down from A to B and back up.
        let (a, b) = narrow.lane(0, 1, 0.0);
        assert!(b.y > a.y && (b.x - a.x).abs() < 1.0);
        let mid = StageLayout::new(&nodes, &nd, 700.0);
        assert!(!mid.portrait && mid.w == 700.0);
        let tiny = StageLayout::new(&nodes, &nd, 100.0);
        assert_eq!(tiny.w, NARROWEST);
    }

    #[test]
    fn space_time_lane_names_are_never_cut_silently() {
        let lanes = vec![
            "broker (payments partition)".to_string(),
            "worker-2 (replacement)".to_string(),
            "ledger".to_string(),
            "averyveryverylongprocessname".to_string(),
        ];
        for w in [282.0, 320.0, 375.0, 800.0, 1280.0] {
            let l = st_layout(w, &lanes);
            assert!(l.x0 < l.x1 && l.x1 <= l.w);
            for (i, (lines, size, cut)) in l.names.iter().enumerate() {
                assert!(*size >= MIN_FONT);
                assert!(lines.len() <= 3);
                for line in lines {
                    assert!(text_w(line, *size) <= l.x0 - 10.0, "{w}: {line}");
                }
                assert_eq!(*cut, lines.join(" ") != lanes[i], "{w}: {lines:?}");
            }
            assert!(!l.names[0].2, "{w}: the broker's name is whole");
            assert!(l.names[3].2);
            assert!(l.max_span >= 16.0);
        }
    }
}
