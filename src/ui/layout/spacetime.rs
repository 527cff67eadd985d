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

// ---------------------------------------------------------------- space-time scene

/// Top margin of the space-time diagram (room for the playhead label and tick numbers).
pub const ST_TOP: f64 = 58.0;
/// Sizes of the diagram's text (units).
pub const ST_LABEL_FONT: f64 = 12.5;
pub const ST_MARK_FONT: f64 = 12.0;

/// A transmission as the space-time diagram needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct StArrowIn {
    pub from: usize,
    pub to: usize,
    pub sent: u32,
    pub arrive: u32,
    pub lost: bool,
    pub copy: bool,
    /// Its net id (ties in the drawing order).
    pub net: u32,
    /// The label as drawn ("ack txn-3", "txn-3 ↻1 (copy)").
    pub text: String,
}

/// A mark on a lane (apply, skip, crash, …).
#[derive(Clone, Debug, PartialEq)]
pub struct StMarkIn {
    pub lane: usize,
    pub tick: u32,
    pub text: String,
    /// Labelled even when the diagram is dense.
    pub important: bool,
}

/// Everything the space-time diagram draws at one moment, placed.
#[derive(Clone, Debug, PartialEq)]
pub struct StScene {
    pub h: f64,
    pub window: TimeWindow,
    /// x of the playhead.
    pub px: f64,
    pub now_text: String,
    pub now_x: f64,
    pub grid: Vec<u32>,
    /// y of each lane.
    pub lanes: Vec<f64>,
    /// (index into the input, what is drawn, where its label went) in drawing order.
    pub arrows: Vec<(usize, ArrowDraw, Option<Rect>)>,
    /// (index into the input, centre, where its label went) for marks shown.
    pub marks: Vec<(usize, Pt, Option<Rect>)>,
    /// Every text box placed (lane names, tick numbers, the playhead's label, arrow and
    /// mark labels) with what it says: none overlaps another (the native test checks).
    pub texts: Vec<(String, Rect)>,
}

fn st_tick_step(span: f64) -> u32 {
    for s in [1u32, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] {
        if span / f64::from(s) <= 12.0 {
            return s;
        }
    }
    10_000
}

/// Obstacles along a segment (so no label is written over a lost message's arrow).
fn segment_boxes(a: Pt, b: Pt) -> Vec<Rect> {
    let n = (a.dist(b) / 8.0).ceil().max(1.0) as usize;
    (0..=n)
        .map(|i| Rect::around(a.lerp(b, i as f64 / n as f64), 6.0, 6.0))
        .collect()
}

/// y of the first line of a lane's name (`lines` lines of `size` units, centred on
/// the lane at `lane_y`).
pub fn st_name_y(lane_y: f64, size: f64, lines: usize) -> f64 {
    let n = lines as f64;
    lane_y + size * 0.35 - (n - 1.0) / 2.0 * (size + 2.0)
}

/// The x range of a crash or pause span from tick `from` to `to` (still open: `None`)
/// drawn at `now` in window `w` between `x0` and `x1`: `None` before it starts, or
/// when nothing of it is in the window.
pub fn st_span_x(
    from: u32,
    to: Option<u32>,
    now: f64,
    w: &TimeWindow,
    x0: f64,
    x1: f64,
) -> Option<(f64, f64)> {
    if f64::from(from) > now {
        return None;
    }
    let a = time_x(f64::from(from).max(w.start), w, x0, x1);
    let end = to.map(f64::from).unwrap_or(now).min(now).min(w.end);
    let b = time_x(end, w, x0, x1);
    (b > a).then_some((a, b))
}

/// Where the fault menu of an arrow ending at `at` sits over a `w` × `h` diagram, as
/// CSS: from the left, or from the right when the arrow ends past 60% of the width.
pub fn st_menu_style(at: Pt, w: f64, h: f64) -> String {
    let (px, py) = (at.x / w * 100.0, at.y / h * 100.0);
    let flip = px > 60.0;
    format!(
        "{}: {:.2}%; top: {:.2}%",
        if flip { "right" } else { "left" },
        if flip { 100.0 - px } else { px },
        py + 4.0
    )
}

/// Lay out the space-time diagram at `now`: lanes, the time window, arrows drawn so
/// far and every label. Labels go most important first: arrows in flight, then every
/// lost message (each gets a label of its own, searched for over the whole frame if
/// its usual spots are taken), then network copies and the rest; no label is written
/// over a lost message's arrow; labels that find no spot are left out (the arrow's name
/// is in its title) — except a lost message's.
pub fn st_scene(
    lay: &StLayout,
    arrows: &[StArrowIn],
    marks: &[StMarkIn],
    now: f64,
    run_end: u32,
) -> StScene {
    let (w_box, x0, x1) = (lay.w, lay.x0, lay.x1);
    let n = lay.names.len().max(1);
    let gap = if n <= 2 {
        130.0
    } else {
        (260.0 / (n - 1) as f64).max(62.0)
    };
    let h = ST_TOP + gap * (n.max(2) - 1) as f64 + 44.0;
    let (y0, y1) = (ST_TOP + 10.0, h - 38.0);
    let lanes: Vec<f64> = (0..n).map(|i| lane_y(i, n, y0, y1)).collect();
    let lane = |i: usize| lanes.get(i).copied().unwrap_or(y0);
    let now = now.clamp(0.0, f64::from(run_end));
    let w = time_window(now, run_end, lay.max_span);
    let x = |t: f64| time_x(t, &w, x0, x1);
    let dense = (x1 - x0) / w.span() < 14.0;
    let step = st_tick_step(w.span() * 640.0 / (x1 - x0).max(1.0));
    let px = x(now);
    let mut texts: Vec<(String, Rect)> = Vec::new();
    let mut pl = Placer::new(w_box, h);
    let mut grid = Vec::new();
    {
        let mut t = (w.start / f64::from(step)).ceil() as u32 * step;
        while f64::from(t) <= w.end {
            grid.push(t);
            t += step;
        }
    }
    let now_text = format!("now · t{}", now.floor());
    let now_w = text_w(&now_text, 12.0);
    let now_x = px.clamp(now_w / 2.0 + 2.0, w_box - now_w / 2.0 - 2.0);
    let r = Rect::new(
        now_x - now_w / 2.0,
        ST_TOP - 48.0,
        now_x + now_w / 2.0,
        ST_TOP - 32.0,
    );
    pl.add(r);
    texts.push((now_text.clone(), r));
    for t in &grid {
        let tw = text_w(&t.to_string(), 12.5);
        let r = Rect::around(Pt::new(x(f64::from(*t)), ST_TOP - 18.0), tw, 14.0);
        pl.add(r);
        texts.push((format!("tick {t}"), r));
    }
    for (i, (lines, size, _)) in lay.names.iter().enumerate() {
        let y = lane(i);
        let lw = lines.iter().map(|l| text_w(l, *size)).fold(0.0, f64::max);
        let lh = lines.len() as f64 * (size + 2.0);
        let r = Rect::new(
            x0 - 10.0 - lw,
            y - lh / 2.0 - 2.0,
            x0 - 10.0,
            y + lh / 2.0 + 2.0,
        );
        pl.add(r);
        texts.push((format!("lane {}", lines.join(" ")), r));
    }
    let shown_marks: Vec<usize> = marks
        .iter()
        .enumerate()
        .filter(|(_, m)| f64::from(m.tick) <= now && w.contains(f64::from(m.tick)))
        .map(|(k, _)| k)
        .collect();
    // Mark circles are in the way of labels too.
    for &k in &shown_marks {
        let m = &marks[k];
        pl.add(Rect::around(
            Pt::new(x(f64::from(m.tick)), lane(m.lane)),
            18.0,
            18.0,
        ));
    }

    // Arrows: in flight first, then lost ones, then copies, then the rest.
    let mut drawn: Vec<(usize, ArrowDraw)> = arrows
        .iter()
        .enumerate()
        .filter(|(_, a)| {
            f64::from(a.sent) <= now && f64::from(a.arrive) >= w.start && f64::from(a.sent) <= w.end
        })
        .filter_map(|(k, a)| {
            let d = arrow_at(
                a.sent,
                a.arrive,
                a.lost,
                lane(a.from),
                lane(a.to),
                now,
                &w,
                x0,
                x1,
            )?;
            Some((k, d))
        })
        .collect();
    // Lost ones first (each must be labelled), then those in flight, copies, the rest.
    drawn.sort_by_key(|(k, d)| {
        let a = &arrows[*k];
        (!a.lost, d.complete, !a.copy, a.net)
    });
    let lost_lines: Vec<(usize, Vec<Rect>)> = drawn
        .iter()
        .filter(|(k, _)| arrows[*k].lost)
        .map(|(k, d)| (*k, segment_boxes(d.from, d.to)))
        .collect();
    let mut out: Vec<(usize, ArrowDraw, Option<Rect>)> = Vec::new();
    let mut lines_added = false;
    for (k, d) in drawn {
        let a = &arrows[k];
        let flying = !d.complete;
        if !a.lost && !lines_added {
            // Every lost arrow is labelled by now: keep other labels off their lines.
            for b in lost_lines.iter().flat_map(|(_, bs)| bs) {
                pl.add(*b);
            }
            lines_added = true;
        }
        let want = flying || !dense || a.lost || a.copy;
        let label = want
            .then(|| {
                let mid = d.from.lerp(d.to, if a.copy { 0.7 } else { 0.4 });
                let tw = text_w(&a.text, ST_LABEL_FONT);
                let r = Rect::new(
                    mid.x + 5.0,
                    mid.y - 5.0 - ST_LABEL_FONT,
                    mid.x + 5.0 + tw,
                    mid.y - 2.0,
                );
                let r = r.moved(-(r.x1 - w_box + 2.0).max(0.0), 0.0);
                let offs = [
                    (0.0, 0.0),
                    (0.0, 20.0),
                    (-tw - 10.0, 0.0),
                    (-tw - 10.0, 20.0),
                    (0.0, -16.0),
                    (0.0, 36.0),
                    (-tw / 2.0, 20.0),
                    (-tw / 2.0, -16.0),
                ];
                if a.lost {
                    // Clear of the other lost arrows' lines; searched for over the
                    // whole frame if its usual spots are taken.
                    let mut trial = pl.clone();
                    for b in lost_lines
                        .iter()
                        .filter(|(j, _)| *j != k)
                        .flat_map(|(_, bs)| bs)
                    {
                        trial.add(*b);
                    }
                    let r = trial.place(r, &offs, true)?;
                    pl.add(r);
                    Some(r)
                } else {
                    pl.place(r, &offs, false)
                }
            })
            .flatten();
        if let Some(r) = label {
            texts.push((a.text.clone(), r));
        }
        out.push((k, d, label));
    }
    let mut placed_marks = Vec::new();
    for k in shown_marks {
        let m = &marks[k];
        let c = Pt::new(x(f64::from(m.tick)), lane(m.lane));
        let label = (!dense || m.important)
            .then(|| {
                let tw = text_w(&m.text, ST_MARK_FONT);
                let r = Rect::new(c.x - tw / 2.0, c.y + 12.0, c.x + tw / 2.0, c.y + 27.0);
                let r = r.moved((2.0 - r.x0).max(0.0) - (r.x1 - w_box + 2.0).max(0.0), 0.0);
                let offs = [
                    (0.0, 0.0),
                    (0.0, -39.0),
                    (tw / 2.0 + 8.0, 0.0),
                    (-tw / 2.0 - 8.0, 0.0),
                    (tw / 2.0 + 8.0, -39.0),
                    (-tw / 2.0 - 8.0, -39.0),
                    (0.0, 15.0),
                ];
                pl.place(r, &offs, false)
            })
            .flatten();
        if let Some(r) = label {
            texts.push((m.text.clone(), r));
        }
        placed_marks.push((k, c, label));
    }
    StScene {
        h,
        window: w,
        px,
        now_text,
        now_x,
        grid,
        lanes,
        arrows: out,
        marks: placed_marks,
        texts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lane_name_is_centred_on_its_lane() {
        assert_eq!(st_name_y(100.0, 10.0, 1), 103.5);
        // Two lines: the first sits half a line (size + gap) higher.
        assert_eq!(st_name_y(100.0, 10.0, 2), 97.5);
    }

    #[test]
    fn a_span_is_drawn_from_its_start_to_now_within_the_window() {
        let w = TimeWindow {
            start: 10.0,
            end: 110.0,
        };
        // Not started yet.
        assert_eq!(st_span_x(50, None, 40.0, &w, 0.0, 100.0), None);
        // Open: drawn up to now; closed: up to its end.
        assert_eq!(
            st_span_x(20, None, 60.0, &w, 0.0, 100.0),
            Some((10.0, 50.0))
        );
        assert_eq!(
            st_span_x(20, Some(30), 60.0, &w, 0.0, 100.0),
            Some((10.0, 20.0))
        );
        // Started before the window: clipped at its left edge; ended before it: none.
        assert_eq!(st_span_x(0, None, 60.0, &w, 0.0, 100.0), Some((0.0, 50.0)));
        assert_eq!(st_span_x(0, Some(5), 60.0, &w, 0.0, 100.0), None);
    }

    #[test]
    fn the_fault_menu_opens_away_from_the_right_edge() {
        assert_eq!(
            st_menu_style(Pt { x: 20.0, y: 50.0 }, 200.0, 100.0),
            "left: 10.00%; top: 54.00%"
        );
        assert_eq!(
            st_menu_style(Pt { x: 180.0, y: 50.0 }, 200.0, 100.0),
            "right: 10.00%; top: 54.00%"
        );
    }
}
