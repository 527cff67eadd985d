//! The stage fits its frame: for every scenario, every technique and every tick of its
//! showcase run (and half a tick later, while messages glide), at frame widths from a
//! 320 px phone to a 1280 px desktop, no two labels' boxes (process boxes, status lines,
//! tables, messages, badges) intersect and none leaves the frame; every message found a
//! free spot; no process name is drawn below the minimum font size.

use eop::sim::replay::{cursor_for_tick, View};
use eop::sim::{all, run, RunConfig};
use eop::ui::facts::badges_in;
use eop::ui::layout::{needs, scene, Rect, StageLayout, MIN_FONT};

/// Frame widths (CSS px): the four of the issue, what the stage really gets inside a
/// 320 / 375 px embed (the page's and the stage's padding taken off), and in the full
/// app's centre column at 800 and 1280 px (about 550 and 700), and the breakpoint.
const WIDTHS: [f64; 10] = [
    282.0, 320.0, 337.0, 375.0, 550.0, 600.0, 700.0, 800.0, 860.0, 1280.0,
];

fn overlaps(labels: &[(String, Rect)]) -> Option<String> {
    // Sweep by left edge: O(n log n + overlaps).
    let mut v: Vec<&(String, Rect)> = labels.iter().collect();
    v.sort_by(|a, b| a.1.x0.total_cmp(&b.1.x0));
    for (i, a) in v.iter().enumerate() {
        for b in &v[i + 1..] {
            if b.1.x0 >= a.1.x1 {
                break;
            }
            if a.1.hits(&b.1) {
                return Some(format!("{} {:?} × {} {:?}", a.0, a.1, b.0, b.1));
            }
        }
    }
    None
}

#[test]
fn every_label_fits_and_none_overlaps_at_every_tick() {
    let mut checked = 0usize;
    let mut failures: std::collections::BTreeMap<String, (usize, String)> = Default::default();
    for s in all() {
        let info = s.info();
        let r = run(info.id, &RunConfig::seed(info.showcase_seed)).unwrap();
        for tr in &r.techniques {
            let nd = needs(tr);
            for &w in &WIDTHS {
                let lay = StageLayout::new(&tr.nodes, &nd, w);
                assert!(
                    lay.w <= w.max(260.0),
                    "{}: viewBox wider than the frame",
                    info.id
                );
                for (name, (lines, size)) in tr.nodes.iter().zip(&lay.names) {
                    assert!(*size >= MIN_FONT, "{}: {} at {size}", info.id, name.name);
                    assert!(!lines.is_empty());
                }
                let mut view = View::default();
                let end = tr.trace.last().map(|e| e.tick).unwrap_or(0).max(r.end());
                for tick in 0..=end {
                    let a = view.cursor;
                    let b = cursor_for_tick(&tr.trace, tick);
                    for e in &tr.trace[a..b] {
                        view.apply(e);
                    }
                    let bs = badges_in(&tr.trace[a..b], &view, &tr.ledger, info.unit);
                    for now in [f64::from(tick), f64::from(tick) + 0.5] {
                        let sc = scene(&lay, &tr.nodes, &view, &bs, now, info.unit);
                        checked += 1;
                        let labels = sc.labels();
                        let key = format!("{} / {} at {w} px", info.id, tr.id);
                        let at = format!("t={now}");
                        let mut problems: Vec<String> = Vec::new();
                        if sc.crowded > 0 {
                            problems.push(format!("{at}: {} message(s) found no room", sc.crowded));
                        }
                        if let Some((n, r)) = labels.iter().find(|(_, r)| !r.within(lay.w, lay.h)) {
                            problems.push(format!(
                                "{at}: {n} {r:?} leaves the {}×{} frame",
                                lay.w, lay.h
                            ));
                        }
                        if let Some(o) = overlaps(&labels) {
                            problems.push(format!("{at}: {o}"));
                        }
                        assert_eq!(
                            sc.tokens.len(),
                            view.flights.len(),
                            "{at}: every message drawn"
                        );
                        for p in problems {
                            let e = failures.entry(key.clone()).or_insert((0, p));
                            e.0 += 1;
                        }
                    }
                }
            }
        }
    }
    let report: Vec<String> = failures
        .iter()
        .map(|(k, (n, first))| format!("{k}: {n} problems, first {first}"))
        .collect();
    assert!(
        report.is_empty(),
        "{} layouts with problems:\n{}",
        report.len(),
        report.join("\n")
    );
    assert!(checked > 10_000, "only {checked} frames checked");
    eprintln!("fit: {checked} frames checked");
}
