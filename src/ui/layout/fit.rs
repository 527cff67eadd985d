//! The stage fitted to a frame: what each process reserves below its box, fonts and
//! the fixed positions of one technique's stage for the whole run.

use super::*;
use crate::sim::event::{CommitWhat, Ev};
use crate::sim::ids::NodeId;
use crate::sim::replay::{NodeStatus, NodeView};
use crate::sim::run::{NodeInfo, NodeKind, TechniqueRun};

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
pub(crate) fn panel_top(n: &Needs) -> f64 {
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
