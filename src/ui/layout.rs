//! Pure geometry for the stage and the space-time diagram: where nodes sit in the SVG
//! viewBox, where a token is on its link at a (fractional) tick, how a lost token falls
//! away, how copies and the two directions of a link are kept apart, and the lanes and
//! arrows of the space-time view. No Yew, no web-sys: unit-tested natively.

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
        const W: f64 = 860.0;
        const TOP: f64 = 100.0;
        const PER_HINT: f64 = 2.6;
        const LEFT: f64 = 95.0;
        let (mut lo, mut hi) = (u8::MAX, 0u8);
        for &(_, y) in hints {
            let y = y.min(100);
            lo = lo.min(y);
            hi = hi.max(y);
        }
        // The closest two nodes on (about) the same row decide how wide boxes can be.
        let span = W - 2.0 * LEFT;
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
        let stagger = if gap < CROWDED { 84.0 } else { 0.0 };
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
            w: W,
            h: (TOP + spread + stagger + below.max(NODE_HH + 20.0)).round(),
            left: LEFT,
            right: W - LEFT,
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

/// Neighbours closer than this (viewBox units) make a row crowded.
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

/// How to write a node's name inside a box `width` wide: the largest of a few font
/// sizes at which it fits on one line, else two lines split at the space nearest the
/// middle. Widths are estimated (bold sans ≈ 0.6 em per character).
pub fn fit_name(name: &str, width: f64) -> (Vec<String>, f64) {
    let chars = name.chars().count() as f64;
    for size in [17.0, 15.0, 13.5] {
        if chars * size * 0.6 <= width {
            return (vec![name.to_string()], size);
        }
    }
    let mid = name.len() / 2;
    let split = name
        .char_indices()
        .filter(|(_, c)| *c == ' ')
        .map(|(i, _)| i)
        .min_by_key(|i| i.abs_diff(mid));
    match split {
        Some(i) => {
            let (a, b) = name.split_at(i);
            let lines = vec![a.trim().to_string(), b.trim().to_string()];
            let longest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(1) as f64;
            let size = (width / (longest * 0.6)).clamp(10.5, 14.0);
            (lines, size)
        }
        None => (
            vec![name.to_string()],
            (width / (chars * 0.6)).clamp(10.0, 13.5),
        ),
    }
}

/// Stack offsets for badges next to a node: the i-th badge's vertical offset.
pub fn badge_offset(i: usize) -> f64 {
    -(NODE_HH + 17.0) - 24.0 * i as f64
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
}
