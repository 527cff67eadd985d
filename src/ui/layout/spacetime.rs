//! The space-time view's geometry: time window, lanes, arrows.

use super::*;

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
