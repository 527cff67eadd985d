//! Pure geometry for the stage and the space-time diagram: where nodes sit in the SVG
//! viewBox, where a token is on its link at a (fractional) tick, how a lost token falls
//! away, how copies and the two directions of a link are kept apart, and the lanes and
//! arrows of the space-time view; how the stage fits a frame of any width from 320 px
//! (portrait below [`PORTRAIT_BELOW`]) and where its labels go so that none overlaps
//! another or leaves the frame; which part of a tall stage a lesson on a phone shows
//! through its window (`window`). No Yew, no web-sys: unit-tested natively (and, over
//! every scenario and tick, in `tests/native/fit.rs`).

mod fit;
mod geom;
mod panel;
mod placer;
mod scene;
mod spacetime;
mod text;
mod window;

pub use fit::*;
pub use geom::*;
pub use panel::*;
pub use placer::*;
pub use scene::*;
pub use spacetime::*;
pub use text::*;
pub use window::*;

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
    use crate::sim::run::{NodeInfo, NodeKind};

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
