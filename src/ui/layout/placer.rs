//! Greedy, overlap-free label placement.

use super::*;

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
