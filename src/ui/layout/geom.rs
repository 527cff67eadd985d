//! Points, boxes and the motion of a token along its lane.

use super::*;

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
